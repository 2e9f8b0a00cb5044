//! Security-group evaluation for one TCP connection.
//!
//! Security groups are stateful and allow-only: the connection needs an allow rule in the
//! direction it is opened from (egress on the initiator's groups, ingress on the
//! receiver's), and the reply is always let back. A rule can name its peer by CIDR, by
//! security group or by prefix list; the remote must be covered entirely (every address of
//! every net), possibly by several rules together. What cannot be decided (a prefix list
//! whose entries are unknown, no groups at all) is reported as unknown, never as allowed.

use ipnet::IpNet;

use super::cidr::{self, Peer};
use crate::facts::{PrefixListFacts, SecurityGroupFacts, SgRuleFacts};

/// Whether a set of security groups lets a TCP connection through, with the evidence a
/// finding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SgVerdict {
    /// Allowed; names the first rule that covers the whole peer, or else the first of the
    /// rules that cover it together.
    Allowed {
        /// The group holding that rule.
        group_id: String,
        /// The rule (`sgr-...`), when the facts have its ID.
        rule_id: Option<String>,
    },
    /// No rule (or combination of rules) allows these of the peer's nets.
    Blocked {
        /// The peer's nets left uncovered.
        uncovered: Vec<IpNet>,
    },
    /// The rules cannot be decided from the facts.
    Unknown {
        /// Why, for the finding.
        reason: String,
    },
}

/// Whether a rule lets TCP `port` through in the given direction, because only rules for the
/// connection's direction, protocol and port can allow it.
fn applies(rule: &SgRuleFacts, egress: bool, port: u16) -> bool {
    rule.egress == egress
        && cidr::carries_tcp(&rule.protocol)
        && cidr::port_range(&rule.protocol, rule.from_port, rule.to_port)
            .is_some_and(|(lo, hi)| lo <= port && port <= hi)
}

fn allowed(group: &SecurityGroupFacts, rule: &SgRuleFacts) -> SgVerdict {
    SgVerdict::Allowed {
        group_id: group.id.clone(),
        rule_id: rule.rule_id.clone(),
    }
}

/// Evaluates `groups` (all the groups of one ENI) for a TCP connection on `port` to
/// (`egress`) or from (`!egress`) `peer`, because a connection passes when any rule of any
/// of the ENI's groups allows it.
///
/// A rule applies when its direction matches, its protocol carries TCP (`-1`, `tcp`, `6`)
/// and `port` is within its range. It matches the whole peer when it references one of the
/// peer's groups or names the peer's own prefix list; otherwise it covers the peer's nets
/// that its CIDR (IPv4 or IPv6) or its prefix list's known CIDRs contain. Malformed CIDRs
/// match nothing. With no groups, or when only rules naming a prefix list with unknown
/// entries could cover what is left, the answer is [`SgVerdict::Unknown`].
pub fn evaluate(
    groups: &[&SecurityGroupFacts],
    egress: bool,
    port: u16,
    peer: &Peer,
    prefix_lists: &[PrefixListFacts],
) -> SgVerdict {
    if groups.is_empty() {
        return SgVerdict::Unknown {
            reason: "no security group of the interface is known".to_string(),
        };
    }
    let nets: Vec<IpNet> = peer.nets.iter().map(IpNet::trunc).collect();
    let mut union: Vec<IpNet> = Vec::new();
    let mut first_contributor: Option<(&SecurityGroupFacts, &SgRuleFacts)> = None;
    let mut doubt: Option<String> = None;

    for group in groups {
        for rule in group.rules.iter().filter(|r| applies(r, egress, port)) {
            let by_group = rule
                .referenced_group_id
                .as_ref()
                .is_some_and(|g| peer.group_ids.contains(g));
            let by_list =
                rule.prefix_list_id.is_some() && rule.prefix_list_id == peer.prefix_list_id;
            if by_group || by_list {
                return allowed(group, rule);
            }
            if let (Some(g), true) = (&rule.referenced_group_id, peer.groups_unknown) {
                // The remote may or may not be a member of `g`: its groups are not known.
                doubt.get_or_insert_with(|| {
                    format!(
                        "rule {} of {} allows the security group {g}, and the remote's own security groups are not known",
                        rule.rule_id.as_deref().unwrap_or("(no id)"),
                        group.id
                    )
                });
            }

            let mut rule_nets: Vec<IpNet> = [&rule.cidr, &rule.ipv6_cidr]
                .into_iter()
                .flatten()
                .filter_map(|c| cidr::net(c))
                .collect();
            if let Some(pl) = &rule.prefix_list_id {
                match cidr::prefix_list_nets(prefix_lists, pl) {
                    Some(list_nets) => rule_nets.extend(list_nets),
                    None => {
                        doubt.get_or_insert_with(|| {
                            format!(
                                "rule {} of {} names prefix list {pl}, whose entries are unknown",
                                rule.rule_id.as_deref().unwrap_or("(no id)"),
                                group.id
                            )
                        });
                    }
                }
            }
            if !nets.is_empty()
                && nets
                    .iter()
                    .all(|p| rule_nets.iter().any(|r| cidr::contains(r, p)))
            {
                return allowed(group, rule);
            }
            if rule_nets
                .iter()
                .any(|r| nets.iter().any(|p| cidr::overlaps(r, p)))
            {
                first_contributor.get_or_insert((group, rule));
                union.extend(rule_nets);
            }
        }
    }

    if nets.is_empty() && peer.addresses_unknown {
        return unknown_addresses(groups, egress, port, prefix_lists, doubt);
    }
    if nets.is_empty() {
        return SgVerdict::Unknown {
            reason: doubt.unwrap_or_else(|| {
                "the remote's addresses are unknown and no rule names its security group or prefix list"
                    .to_string()
            }),
        };
    }
    let uncovered: Vec<IpNet> = nets
        .iter()
        .filter(|p| !cidr::covered_by_union(p, &union))
        .copied()
        .collect();
    if peer.somewhere_in
        && doubt.is_none()
        && let Some(part) = uncovered
            .iter()
            .find(|p| union.iter().any(|r| cidr::overlaps(r, p)))
    {
        // Part of where the remote's one address may be is allowed: whether its address is
        // in that part is not known.
        doubt = Some(format!(
            "the remote's exact address is not known, and the rules allow only part of {part}"
        ));
    }
    match (uncovered.is_empty(), first_contributor, doubt) {
        (true, Some((group, rule)), _) => allowed(group, rule),
        (_, _, Some(reason)) => SgVerdict::Unknown { reason },
        (_, _, None) => SgVerdict::Blocked { uncovered },
    }
}

/// [`evaluate`] for a peer whose addresses are unknown but that is in no group
/// ([`Peer::addresses_unknown`]), once no rule named its list: allowed when the rules
/// together cover every IPv4 and every IPv6 address, blocked when no CIDR or prefix-list
/// rule applies at all, and otherwise unknown (a rule for some CIDR may or may not cover it).
fn unknown_addresses(
    groups: &[&SecurityGroupFacts],
    egress: bool,
    port: u16,
    prefix_lists: &[PrefixListFacts],
    doubt: Option<String>,
) -> SgVerdict {
    let everything = [
        cidr::net("0.0.0.0/0").expect("constant"),
        cidr::net("::/0").expect("constant"),
    ];
    let mut union = Vec::new();
    let mut first = None;
    let mut partial = doubt;
    for group in groups {
        for rule in group.rules.iter().filter(|r| applies(r, egress, port)) {
            let mut nets: Vec<IpNet> = [&rule.cidr, &rule.ipv6_cidr]
                .into_iter()
                .flatten()
                .filter_map(|c| cidr::net(c))
                .collect();
            if let Some(pl) = &rule.prefix_list_id {
                nets.extend(cidr::prefix_list_nets(prefix_lists, pl).unwrap_or_default());
            }
            let named_anything =
                rule.cidr.is_some() || rule.ipv6_cidr.is_some() || rule.prefix_list_id.is_some();
            if named_anything {
                first.get_or_insert((*group, rule));
                partial.get_or_insert_with(|| {
                    format!(
                        "rule {} of {} allows {}, and the remote's addresses are unknown",
                        rule.rule_id.as_deref().unwrap_or("(no id)"),
                        group.id,
                        [&rule.cidr, &rule.ipv6_cidr, &rule.prefix_list_id]
                            .into_iter()
                            .flatten()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            }
            union.extend(nets);
        }
    }
    if everything.iter().all(|n| cidr::covered_by_union(n, &union))
        && let Some((group, rule)) = first
    {
        return allowed(group, rule);
    }
    match partial {
        Some(reason) => SgVerdict::Unknown { reason },
        None => SgVerdict::Blocked {
            uncovered: Vec::new(),
        },
    }
}

/// [`evaluate`] for the groups an interface names by ID, resolved from the groups read:
/// a named group whose rules are not among them (deleted since, or not returned) might
/// allow the connection, so what would be a block is unknown instead. With no IDs at all
/// the interface's groups are not known, which [`evaluate`] already calls unknown.
pub fn evaluate_ids(
    ids: &[String],
    known: &[SecurityGroupFacts],
    egress: bool,
    port: u16,
    peer: &Peer,
    prefix_lists: &[PrefixListFacts],
) -> SgVerdict {
    let groups: Vec<&SecurityGroupFacts> = ids
        .iter()
        .filter_map(|id| known.iter().find(|g| &g.id == id))
        .collect();
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !known.iter().any(|g| &g.id == *id))
        .map(String::as_str)
        .collect();
    match evaluate(&groups, egress, port, peer, prefix_lists) {
        SgVerdict::Blocked { .. } if !missing.is_empty() => SgVerdict::Unknown {
            reason: format!(
                "the rules of {} are not known (not returned by ec2:DescribeSecurityGroups)",
                missing.join(", ")
            ),
        },
        verdict => verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> IpNet {
        s.parse().expect("test CIDR")
    }

    fn rule(id: &str, egress: bool, proto: &str, from: i32, to: i32) -> SgRuleFacts {
        SgRuleFacts {
            rule_id: Some(id.into()),
            egress,
            protocol: proto.into(),
            from_port: Some(from),
            to_port: Some(to),
            ..SgRuleFacts::default()
        }
    }

    fn to_cidr(mut r: SgRuleFacts, c: &str) -> SgRuleFacts {
        r.cidr = Some(c.into());
        r
    }
    fn to_cidr6(mut r: SgRuleFacts, c: &str) -> SgRuleFacts {
        r.ipv6_cidr = Some(c.into());
        r
    }
    fn to_pl(mut r: SgRuleFacts, pl: &str) -> SgRuleFacts {
        r.prefix_list_id = Some(pl.into());
        r
    }
    fn to_sg(mut r: SgRuleFacts, g: &str) -> SgRuleFacts {
        r.referenced_group_id = Some(g.into());
        r
    }

    fn https_out(id: &str) -> SgRuleFacts {
        rule(id, true, "tcp", 443, 443)
    }
    fn all_out(id: &str) -> SgRuleFacts {
        rule(id, true, "-1", -1, -1)
    }

    fn sg(id: &str, rules: Vec<SgRuleFacts>) -> SecurityGroupFacts {
        SecurityGroupFacts {
            id: id.into(),
            name: None,
            vpc_id: Some("vpc-1".into()),
            rules,
        }
    }

    fn host(s: &str) -> Peer {
        Peer::host(s.parse().expect("test address"))
    }

    fn s3_list(cidrs: Option<Vec<&str>>) -> PrefixListFacts {
        PrefixListFacts {
            id: "pl-s3".into(),
            name: Some("com.amazonaws.us-east-1.s3".into()),
            cidrs: cidrs
                .map(|c| crate::facts::Readable::read(c.into_iter().map(String::from).collect())),
        }
    }

    fn s3_peer() -> Peer {
        Peer::prefix_list(&s3_list(Some(vec!["52.216.0.0/15", "3.5.0.0/19"])))
    }

    fn is_allowed(v: &SgVerdict) -> bool {
        matches!(v, SgVerdict::Allowed { .. })
    }

    fn allowed_by(group: &str, rule: &str) -> SgVerdict {
        SgVerdict::Allowed {
            group_id: group.into(),
            rule_id: Some(rule.into()),
        }
    }

    #[test]
    fn default_egress_allows_everything() {
        let g = sg("sg-task", vec![to_cidr(all_out("sgr-all"), "0.0.0.0/0")]);
        for p in [host("10.0.1.5"), Peer::internet(), s3_peer()] {
            assert_eq!(
                evaluate(&[&g], true, 443, &p, &[]),
                allowed_by("sg-task", "sgr-all")
            );
        }
        // ... but not inbound.
        assert_eq!(
            evaluate(&[&g], false, 443, &host("10.0.1.5"), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("10.0.1.5/32")]
            }
        );
    }

    #[test]
    fn no_outbound_rules_block() {
        let g = sg("sg-task", vec![]);
        assert_eq!(
            evaluate(&[&g], true, 443, &Peer::internet(), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("0.0.0.0/0")]
            }
        );
    }

    #[test]
    fn no_groups_is_unknown_never_allowed() {
        assert!(matches!(
            evaluate(&[], true, 443, &Peer::internet(), &[]),
            SgVerdict::Unknown { .. }
        ));
    }

    #[test]
    fn ports_and_ranges() {
        let g = sg(
            "sg-1",
            vec![
                to_cidr(rule("sgr-range", true, "tcp", 1000, 2000), "0.0.0.0/0"),
                to_cidr(rule("sgr-6", true, "6", 2049, 2049), "10.0.0.0/16"),
            ],
        );
        let p = Peer::internet();
        assert!(is_allowed(&evaluate(&[&g], true, 1000, &p, &[])));
        assert!(is_allowed(&evaluate(&[&g], true, 2000, &p, &[])));
        assert!(!is_allowed(&evaluate(&[&g], true, 999, &p, &[])));
        assert!(!is_allowed(&evaluate(&[&g], true, 2001, &p, &[])));
        assert_eq!(
            evaluate(&[&g], true, 2049, &host("10.0.3.3"), &[]),
            allowed_by("sg-1", "sgr-6")
        );
        // Absent ports on a TCP rule mean all ports.
        let mut open = to_cidr(rule("sgr-open", true, "tcp", 0, 0), "0.0.0.0/0");
        open.from_port = None;
        open.to_port = None;
        let g = sg("sg-2", vec![open]);
        assert!(is_allowed(&evaluate(&[&g], true, 8443, &p, &[])));
    }

    #[test]
    fn other_protocols_do_not_carry_tcp() {
        let g = sg(
            "sg-1",
            vec![
                to_cidr(rule("sgr-udp", true, "udp", 443, 443), "0.0.0.0/0"),
                to_cidr(rule("sgr-17", true, "17", 0, 65535), "0.0.0.0/0"),
                to_cidr(rule("sgr-icmp", true, "icmp", -1, -1), "0.0.0.0/0"),
            ],
        );
        assert!(matches!(
            evaluate(&[&g], true, 443, &Peer::internet(), &[]),
            SgVerdict::Blocked { .. }
        ));
        let g = sg(
            "sg-1",
            vec![to_cidr(rule("sgr-TCP", true, "TCP", 443, 443), "0.0.0.0/0")],
        );
        assert!(is_allowed(&evaluate(
            &[&g],
            true,
            443,
            &Peer::internet(),
            &[]
        )));
    }

    #[test]
    fn cidr_must_contain_the_whole_peer() {
        let g = sg("sg-1", vec![to_cidr(https_out("sgr-vpc"), "10.0.0.0/16")]);
        assert_eq!(
            evaluate(&[&g], true, 443, &host("10.0.9.9"), &[]),
            allowed_by("sg-1", "sgr-vpc")
        );
        assert_eq!(
            evaluate(&[&g], true, 443, &Peer::internet(), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("0.0.0.0/0")]
            }
        );
    }

    #[test]
    fn ipv6_rules() {
        let g = sg(
            "sg-1",
            vec![
                to_cidr(https_out("sgr-v4"), "0.0.0.0/0"),
                to_cidr6(https_out("sgr-v6"), "2600:1f18::/32"),
            ],
        );
        assert_eq!(
            evaluate(&[&g], true, 443, &host("2600:1f18:1::5"), &[]),
            allowed_by("sg-1", "sgr-v6")
        );
        // An IPv4 /0 says nothing about IPv6.
        assert_eq!(
            evaluate(&[&g], true, 443, &host("2a05:d018::1"), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("2a05:d018::1/128")]
            }
        );
        let g = sg("sg-1", vec![to_cidr6(all_out("sgr-all6"), "::/0")]);
        assert!(is_allowed(&evaluate(
            &[&g],
            true,
            443,
            &host("2a05:d018::1"),
            &[]
        )));
        assert!(!is_allowed(&evaluate(
            &[&g],
            true,
            443,
            &host("1.1.1.1"),
            &[]
        )));
    }

    #[test]
    fn referenced_groups() {
        // The endpoint's group allows 443 in from the task's group.
        let endpoint = sg(
            "sg-endpoint",
            vec![to_sg(
                rule("sgr-from-task", false, "tcp", 443, 443),
                "sg-task",
            )],
        );
        let task = host("10.0.1.5").with_groups(["sg-task"]);
        assert_eq!(
            evaluate(&[&endpoint], false, 443, &task, &[]),
            allowed_by("sg-endpoint", "sgr-from-task")
        );
        let other = host("10.0.1.6").with_groups(["sg-other"]);
        assert!(matches!(
            evaluate(&[&endpoint], false, 443, &other, &[]),
            SgVerdict::Blocked { .. }
        ));
        // A group rule never matches a range that has no group (S3 through the gateway).
        let task_sg = sg(
            "sg-task",
            vec![to_sg(https_out("sgr-to-endpoint"), "sg-endpoint")],
        );
        assert!(matches!(
            evaluate(&[&task_sg], true, 443, &s3_peer(), &[]),
            SgVerdict::Blocked { .. }
        ));
    }

    #[test]
    fn vpc_cidr_egress_does_not_reach_s3_through_the_gateway() {
        let g = sg(
            "sg-task",
            vec![
                to_cidr(https_out("sgr-vpc"), "10.0.0.0/16"),
                to_sg(https_out("sgr-endpoints"), "sg-endpoint"),
            ],
        );
        assert_eq!(
            evaluate(&[&g], true, 443, &s3_peer(), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("52.216.0.0/15"), n("3.5.0.0/19")]
            }
        );
    }

    #[test]
    fn prefix_list_rule_by_id_or_by_cidrs() {
        let g = sg("sg-task", vec![to_pl(https_out("sgr-s3"), "pl-s3")]);
        let lists = [s3_list(Some(vec!["52.216.0.0/15", "3.5.0.0/19"]))];
        // Named by id: allowed even with no list facts at all.
        assert_eq!(
            evaluate(&[&g], true, 443, &s3_peer(), &[]),
            allowed_by("sg-task", "sgr-s3")
        );
        // Naming an S3 address directly: matched through the CIDRs.
        assert_eq!(
            evaluate(&[&g], true, 443, &host("52.217.9.9"), &lists),
            allowed_by("sg-task", "sgr-s3")
        );
        assert!(matches!(
            evaluate(&[&g], true, 443, &host("8.8.8.8"), &lists),
            SgVerdict::Blocked { .. }
        ));
        // A peer that is the S3 list but whose entries are unknown: only the id can match.
        let unread = Peer::prefix_list(&s3_list(None));
        assert!(is_allowed(&evaluate(&[&g], true, 443, &unread, &[])));
        let vpc_only = sg(
            "sg-task",
            vec![to_cidr(https_out("sgr-vpc"), "10.0.0.0/16")],
        );
        assert!(matches!(
            evaluate(&[&vpc_only], true, 443, &unread, &[]),
            SgVerdict::Unknown { .. }
        ));
    }

    #[test]
    fn unknown_prefix_list_entries_are_unknown_unless_something_else_covers() {
        let g = sg(
            "sg-task",
            vec![
                to_pl(https_out("sgr-custom"), "pl-custom"),
                to_cidr(https_out("sgr-vpc"), "10.0.0.0/16"),
            ],
        );
        let lists = [PrefixListFacts {
            id: "pl-custom".into(),
            name: None,
            cidrs: None,
        }];
        match evaluate(&[&g], true, 443, &host("52.216.1.1"), &lists) {
            SgVerdict::Unknown { reason } => assert!(reason.contains("pl-custom"), "{reason}"),
            other => panic!("expected unknown, got {other:?}"),
        }
        // The list missing from the facts altogether is just as unknown.
        assert!(matches!(
            evaluate(&[&g], true, 443, &host("52.216.1.1"), &[]),
            SgVerdict::Unknown { .. }
        ));
        // Something else covers: decided.
        assert_eq!(
            evaluate(&[&g], true, 443, &host("10.0.1.1"), &lists),
            allowed_by("sg-task", "sgr-vpc")
        );
        // An unknown list on another port is irrelevant.
        let g = sg(
            "sg-task",
            vec![to_pl(rule("sgr-custom", true, "tcp", 80, 80), "pl-custom")],
        );
        assert!(matches!(
            evaluate(&[&g], true, 443, &host("52.216.1.1"), &lists),
            SgVerdict::Blocked { .. }
        ));
    }

    #[test]
    fn several_rules_and_groups_cover_together() {
        let a = sg("sg-a", vec![to_cidr(https_out("sgr-low"), "0.0.0.0/1")]);
        let b = sg(
            "sg-b",
            vec![
                to_cidr(https_out("sgr-udp"), "128.0.0.0/1"),
                to_cidr(https_out("sgr-high"), "128.0.0.0/1"),
            ],
        );
        assert_eq!(
            evaluate(&[&a, &b], true, 443, &Peer::internet(), &[]),
            allowed_by("sg-a", "sgr-low")
        );
        assert_eq!(
            evaluate(&[&a], true, 443, &Peer::internet(), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("0.0.0.0/0")]
            }
        );
        // One rule per S3 CIDR.
        let g = sg(
            "sg-task",
            vec![
                to_cidr(https_out("sgr-1"), "3.5.0.0/19"),
                to_cidr(https_out("sgr-2"), "52.216.0.0/15"),
            ],
        );
        assert_eq!(
            evaluate(&[&g], true, 443, &s3_peer(), &[]),
            allowed_by("sg-task", "sgr-1")
        );
        // A rule covering the whole peer is preferred as evidence.
        let g = sg(
            "sg-task",
            vec![
                to_cidr(https_out("sgr-1"), "3.5.0.0/19"),
                to_cidr(https_out("sgr-all"), "0.0.0.0/0"),
            ],
        );
        assert_eq!(
            evaluate(&[&g], true, 443, &s3_peer(), &[]),
            allowed_by("sg-task", "sgr-all")
        );
    }

    #[test]
    fn partly_covered_reports_only_the_rest() {
        let g = sg("sg-task", vec![to_cidr(https_out("sgr-1"), "3.5.0.0/16")]);
        assert_eq!(
            evaluate(&[&g], true, 443, &s3_peer(), &[]),
            SgVerdict::Blocked {
                uncovered: vec![n("52.216.0.0/15")]
            }
        );
    }

    #[test]
    fn malformed_rules_match_nothing() {
        let mut broken = to_cidr(https_out("sgr-bad"), "0.0.0.0/33");
        broken.ipv6_cidr = Some("nope".into());
        let g = sg(
            "sg-task",
            vec![
                broken,
                to_cidr(rule("sgr-backwards", true, "tcp", 500, 400), "0.0.0.0/0"),
            ],
        );
        assert!(matches!(
            evaluate(&[&g], true, 443, &Peer::internet(), &[]),
            SgVerdict::Blocked { .. }
        ));
        // A prefix list with an entry that is not a CIDR stands for unknown addresses: the
        // rule naming it may or may not cover the host.
        let lists = [s3_list(Some(vec!["garbage"]))];
        let g = sg("sg-task", vec![to_pl(https_out("sgr-s3"), "pl-s3")]);
        assert!(matches!(
            evaluate(&[&g], true, 443, &host("52.216.1.1"), &lists),
            SgVerdict::Unknown { .. }
        ));
    }

    #[test]
    fn peer_without_addresses() {
        let g = sg("sg-task", vec![to_cidr(all_out("sgr-all"), "0.0.0.0/0")]);
        assert!(matches!(
            evaluate(&[&g], true, 443, &Peer::default(), &[]),
            SgVerdict::Unknown { .. }
        ));
    }

    // ---- properties ----

    fn v4net() -> impl Strategy<Value = IpNet> {
        (any::<u32>(), 0u8..=32).prop_map(|(a, l)| {
            IpNet::new(std::net::Ipv4Addr::from(a).into(), l)
                .expect("valid prefix")
                .trunc()
        })
    }

    /// A net inside 10.0.0.0/24.
    fn small_net() -> impl Strategy<Value = IpNet> {
        (any::<u8>(), 24u8..=32).prop_map(|(a, l)| {
            IpNet::new(std::net::IpAddr::from([10, 0, 0, a]), l)
                .expect("valid prefix")
                .trunc()
        })
    }

    fn port() -> impl Strategy<Value = u16> {
        prop_oneof![Just(443u16), Just(2049), Just(80), any::<u16>()]
    }

    fn any_rule() -> impl Strategy<Value = SgRuleFacts> {
        (
            any::<bool>(),
            prop::sample::select(vec!["-1", "tcp", "6", "udp", "icmp"]),
            proptest::option::of(prop_oneof![Just(-1), Just(443), 0..3000i32]),
            proptest::option::of(prop_oneof![Just(-1), Just(443), 0..3000i32]),
            proptest::option::of(prop_oneof![small_net(), v4net()].prop_map(|n| n.to_string())),
            proptest::option::of(prop::sample::select(vec!["pl-s3", "pl-unread"])),
            proptest::option::of(prop::sample::select(vec!["sg-task", "sg-endpoint"])),
            "sgr-[0-9]{2}",
        )
            .prop_map(|(egress, proto, from, to, c, pl, g, id)| SgRuleFacts {
                rule_id: Some(id),
                egress,
                protocol: proto.into(),
                from_port: from,
                to_port: to,
                cidr: c,
                ipv6_cidr: None,
                prefix_list_id: pl.map(String::from),
                referenced_group_id: g.map(String::from),
                description: None,
            })
    }

    fn groups() -> impl Strategy<Value = Vec<SecurityGroupFacts>> {
        proptest::collection::vec(proptest::collection::vec(any_rule(), 0..5), 1..3).prop_map(
            |gs| {
                gs.into_iter()
                    .enumerate()
                    .map(|(i, rules)| sg(&format!("sg-{i}"), rules))
                    .collect()
            },
        )
    }

    fn any_peer() -> impl Strategy<Value = Peer> {
        (
            proptest::collection::vec(prop_oneof![small_net(), v4net()], 0..3),
            proptest::collection::vec(prop::sample::select(vec!["sg-task", "sg-endpoint"]), 0..2),
            proptest::option::of(prop::sample::select(vec!["pl-s3", "pl-unread"])),
        )
            .prop_map(|(nets, g, pl)| Peer {
                nets,
                group_ids: g.into_iter().map(String::from).collect(),
                prefix_list_id: pl.map(String::from),
                ..Peer::default()
            })
    }

    fn lists() -> Vec<PrefixListFacts> {
        vec![s3_list(Some(vec!["52.216.0.0/15", "10.0.0.128/25"]))]
    }

    fn refs(gs: &[SecurityGroupFacts]) -> Vec<&SecurityGroupFacts> {
        gs.iter().collect()
    }

    fn kind(v: &SgVerdict) -> u8 {
        match v {
            SgVerdict::Allowed { .. } => 0,
            SgVerdict::Blocked { .. } => 1,
            SgVerdict::Unknown { .. } => 2,
        }
    }

    proptest! {
        #[test]
        fn https_to_anywhere_allows_any_ipv4_peer(
            gs in groups(),
            nets in proptest::collection::vec(v4net(), 1..4),
        ) {
            let mut gs = gs;
            gs[0].rules.push(to_cidr(https_out("sgr-443"), "0.0.0.0/0"));
            let peer = Peer { nets, ..Peer::default() };
            prop_assert!(is_allowed(&evaluate(&refs(&gs), true, 443, &peer, &lists())));
        }

        #[test]
        fn adding_a_rule_never_turns_allowed_into_anything_else(
            gs in groups(),
            extra in any_rule(),
            which in any::<prop::sample::Index>(),
            peer in any_peer(),
            egress in any::<bool>(),
            port in port(),
        ) {
            let before = evaluate(&refs(&gs), egress, port, &peer, &lists());
            let mut more = gs;
            let i = which.index(more.len());
            more[i].rules.push(extra);
            let after = evaluate(&refs(&more), egress, port, &peer, &lists());
            if is_allowed(&before) {
                prop_assert!(is_allowed(&after), "{:?} -> {:?}", before, after);
            }
        }

        #[test]
        fn rules_of_the_other_direction_never_matter(
            gs in groups(),
            peer in any_peer(),
            egress in any::<bool>(),
            port in port(),
        ) {
            let before = evaluate(&refs(&gs), egress, port, &peer, &lists());
            let mut pruned = gs;
            for g in &mut pruned {
                g.rules.retain(|r| r.egress == egress);
            }
            prop_assert_eq!(before, evaluate(&refs(&pruned), egress, port, &peer, &lists()));
        }

        #[test]
        fn the_verdict_does_not_depend_on_rule_order(
            gs in groups(),
            peer in any_peer(),
            egress in any::<bool>(),
            port in port(),
        ) {
            let a = evaluate(&refs(&gs), egress, port, &peer, &lists());
            let mut rev = gs;
            rev.reverse();
            for g in &mut rev {
                g.rules.reverse();
            }
            let b = evaluate(&refs(&rev), egress, port, &peer, &lists());
            prop_assert_eq!(kind(&a), kind(&b));
            if let (SgVerdict::Blocked { uncovered: x }, SgVerdict::Blocked { uncovered: y }) = (&a, &b) {
                prop_assert_eq!(x, y);
            }
        }

        #[test]
        fn cidr_rules_agree_with_address_by_address_check(
            rules in proptest::collection::vec(
                (small_net(), any::<bool>(), 440u16..446, 440u16..446).prop_map(|(c, e, f, t)| {
                    to_cidr(rule("sgr-x", e, "tcp", i32::from(f), i32::from(t)), &c.to_string())
                }),
                0..6,
            ),
            nets in proptest::collection::vec(small_net(), 1..3),
            port in 440u16..446,
        ) {
            let g = sg("sg-1", rules.clone());
            let peer = Peer { nets: nets.clone(), ..Peer::default() };
            let verdict = evaluate(&[&g], true, port, &peer, &[]);
            let applicable: Vec<IpNet> = rules
                .iter()
                .filter(|r| r.egress && r.from_port.unwrap_or(0) <= i32::from(port) && i32::from(port) <= r.to_port.unwrap_or(0))
                .filter_map(|r| cidr::net(r.cidr.as_deref().unwrap_or_default()))
                .collect();
            let brute = nets.iter().all(|p| {
                let (_, s, e) = cidr::span(p);
                (s..=e).all(|a| {
                    let addr = IpNet::from(std::net::IpAddr::from(std::net::Ipv4Addr::from(a as u32)));
                    applicable.iter().any(|r| r.contains(&addr))
                })
            });
            prop_assert_eq!(is_allowed(&verdict), brute, "{:?}", verdict);
            let unknown = matches!(verdict, SgVerdict::Unknown { .. });
            prop_assert!(!unknown);
        }

        #[test]
        fn arbitrary_strings_never_panic(
            proto in ".{0,6}",
            c in ".{0,24}",
            c6 in ".{0,24}",
            pl in ".{0,8}",
            g in ".{0,8}",
            from in proptest::option::of(any::<i32>()),
            to in proptest::option::of(any::<i32>()),
            entries in proptest::option::of(proptest::collection::vec(".{0,24}", 0..3)),
            port in any::<u16>(),
            egress in any::<bool>(),
        ) {
            let r = SgRuleFacts {
                rule_id: None,
                egress,
                protocol: proto,
                from_port: from,
                to_port: to,
                cidr: Some(c),
                ipv6_cidr: Some(c6),
                prefix_list_id: Some(pl.clone()),
                referenced_group_id: Some(g),
                description: None,
            };
            let lists = [PrefixListFacts { id: pl, name: None, cidrs: entries.map(crate::facts::Readable::read) }];
            let grp = sg("sg-1", vec![r]);
            for peer in [Peer::internet(), host("10.0.0.1"), host("::1"), s3_peer(), Peer::default()] {
                let _ = evaluate(&[&grp], egress, port, &peer, &lists);
            }
        }
    }
}
