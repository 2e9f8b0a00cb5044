//! Network ACL evaluation for TCP traffic across a subnet boundary.
//!
//! NACLs are stateless: the request and its reply (to an ephemeral port) are judged
//! separately, each by the NACL of the subnet it crosses, in its own direction. Entries are
//! read in increasing rule number and the first entry that matches a packet decides it; a
//! packet nothing matches is denied (AWS's implicit `*` entry, rule 32767, which moto leaves
//! out of new NACLs but AWS always applies).
//!
//! A verdict is about a whole set of packets (every port of a range, every address of the
//! peer net), so the walk keeps the set of packets still undecided as (port range × address
//! range) boxes: an allow entry decides the packets it contains, and the first deny entry
//! that touches an undecided packet denies.

use std::ops::RangeInclusive;

use ipnet::IpNet;

use super::cidr;
use crate::facts::{NaclEntryFacts, NetworkAclFacts};

/// The rule number AWS gives the implicit deny-all entry (`*`).
pub const IMPLICIT_DENY: i32 = 32767;

/// The NACL a subnet uses, because NACLs are per subnet: the one it is associated with, else
/// the VPC's default NACL. `None` when neither is in the facts.
pub fn acl_for_subnet<'a>(
    acls: &'a [NetworkAclFacts],
    subnet_id: &str,
) -> Option<&'a NetworkAclFacts> {
    acls.iter()
        .find(|a| a.subnet_ids.iter().any(|s| s == subnet_id))
        .or_else(|| acls.iter().find(|a| a.is_default))
}

/// Whether a NACL lets a set of TCP packets through, with the evidence a finding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NaclVerdict {
    /// Every packet is allowed.
    Allowed {
        /// The NACL.
        acl_id: String,
        /// The allow entries that decided some of the packets, in evaluation order.
        rule_numbers: Vec<i32>,
    },
    /// Some packets are denied.
    Denied {
        /// The NACL.
        acl_id: String,
        /// The first entry that denies (32767 for the implicit deny).
        rule_number: i32,
        /// The first (lowest) range of ports it denies.
        ports: (u16, u16),
    },
    /// The remote's exact address is not known (only a range it is somewhere in), and the
    /// NACL allows some of that range but not all of it: whether the remote's own packets
    /// pass cannot be decided ([`evaluate_somewhere`]).
    Unknown {
        /// The NACL.
        acl_id: String,
        /// Why, for the finding.
        reason: String,
    },
}

/// A box of undecided packets: an inclusive port range × an inclusive address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Region {
    ports: (u16, u16),
    addrs: (u128, u128),
}

impl Region {
    fn intersect(&self, other: &Region) -> Option<Region> {
        let ports = (
            self.ports.0.max(other.ports.0),
            self.ports.1.min(other.ports.1),
        );
        let addrs = (
            self.addrs.0.max(other.addrs.0),
            self.addrs.1.min(other.addrs.1),
        );
        (ports.0 <= ports.1 && addrs.0 <= addrs.1).then_some(Region { ports, addrs })
    }

    /// `self` minus `cut`, as up to four disjoint boxes.
    fn subtract(&self, cut: &Region, out: &mut Vec<Region>) {
        let Some(i) = self.intersect(cut) else {
            out.push(*self);
            return;
        };
        if self.ports.0 < i.ports.0 {
            out.push(Region {
                ports: (self.ports.0, i.ports.0 - 1),
                addrs: self.addrs,
            });
        }
        if i.ports.1 < self.ports.1 {
            out.push(Region {
                ports: (i.ports.1 + 1, self.ports.1),
                addrs: self.addrs,
            });
        }
        if self.addrs.0 < i.addrs.0 {
            out.push(Region {
                ports: i.ports,
                addrs: (self.addrs.0, i.addrs.0 - 1),
            });
        }
        if i.addrs.1 < self.addrs.1 {
            out.push(Region {
                ports: i.ports,
                addrs: (i.addrs.1 + 1, self.addrs.1),
            });
        }
    }
}

/// An entry that can decide TCP packets in one direction for a peer of one family.
struct Applicable<'a> {
    entry: &'a NaclEntryFacts,
    allow: bool,
    region: Region,
}

/// The entry as a box, if it applies to TCP in this direction and to the peer's family.
fn applicable<'a>(
    entry: &'a NaclEntryFacts,
    egress: bool,
    peer_v6: bool,
) -> Option<Applicable<'a>> {
    if entry.egress != egress {
        return None;
    }
    if !cidr::carries_tcp(&entry.protocol) {
        return None;
    }
    let allow = match entry.action.trim().to_ascii_lowercase().as_str() {
        "allow" => true,
        "deny" => false,
        _ => return None,
    };
    let ports = cidr::port_range(&entry.protocol, entry.from_port, entry.to_port)?;
    let c = if peer_v6 {
        &entry.ipv6_cidr
    } else {
        &entry.cidr
    };
    let net = cidr::net(c.as_deref()?)?;
    let (v6, lo, hi) = cidr::span(&net);
    (v6 == peer_v6).then_some(Applicable {
        entry,
        allow,
        region: Region {
            ports,
            addrs: (lo, hi),
        },
    })
}

/// The order AWS reads entries in: rule number, then (for malformed facts with duplicate
/// numbers) deny before allow and then the entry's content, so the listing order never
/// matters.
fn order_key(e: &NaclEntryFacts) -> impl Ord + '_ {
    (
        e.rule_number,
        !e.action.trim().eq_ignore_ascii_case("deny"),
        &e.cidr,
        &e.ipv6_cidr,
        e.from_port,
        e.to_port,
        &e.protocol,
        &e.action,
    )
}

/// The first range of ports among `regions`, merging touching ranges.
fn first_ports(regions: &[Region]) -> (u16, u16) {
    let mut ports: Vec<(u16, u16)> = regions.iter().map(|r| r.ports).collect();
    ports.sort_unstable();
    let mut it = ports.into_iter();
    let Some(mut first) = it.next() else {
        return (0, 0);
    };
    for (lo, hi) in it {
        if u32::from(lo) <= u32::from(first.1) + 1 {
            first.1 = first.1.max(hi);
        } else {
            break;
        }
    }
    first
}

/// [`evaluate`] for a remote whose one address is somewhere in `peer`, not known exactly (a
/// stopped task whose ENI is gone, when only its subnet is known): allowed when every
/// address of `peer` is; denied when no allow entry touches these packets at all, so no
/// address of `peer` can pass; otherwise unknown, because the remote's address may be one
/// the NACL allows. Less knowledge never makes a denial the exact address would not.
pub fn evaluate_somewhere(
    acl: &NetworkAclFacts,
    egress: bool,
    ports: RangeInclusive<u16>,
    peer: IpNet,
) -> NaclVerdict {
    let verdict = evaluate(acl, egress, ports.clone(), peer);
    let NaclVerdict::Denied { rule_number, .. } = verdict else {
        return verdict;
    };
    let (peer_v6, lo, hi) = cidr::span(&peer.trunc());
    let packets = Region {
        ports: (*ports.start(), *ports.end()),
        addrs: (lo, hi),
    };
    let some_allowed = acl
        .entries
        .iter()
        .filter_map(|e| applicable(e, egress, peer_v6))
        .any(|e| e.allow && e.region.intersect(&packets).is_some());
    if some_allowed {
        NaclVerdict::Unknown {
            acl_id: acl.id.clone(),
            reason: format!(
                "the remote's exact address in {peer} is not known; {} allows part of that range and rule {rule_number} denies another part",
                acl.id
            ),
        }
    } else {
        verdict
    }
}

/// Evaluates `acl` for TCP packets in one direction (`egress`: leaving the subnet) to or
/// from `peer` on every port of `ports`, because a connection needs its request port and
/// every ephemeral port of its reply allowed, for any address of the remote range.
///
/// An entry applies when its direction matches, its protocol is `-1` or TCP (`6`), its port
/// range (absent = all) and its CIDR (of the peer's family) overlap the packets still
/// undecided. Entries are read in rule-number order; the verdict is
/// [`NaclVerdict::Allowed`] only when allow entries decide every packet before any deny
/// entry (or the implicit deny) touches one. Malformed entries match nothing; an empty
/// `ports` range is vacuously allowed.
pub fn evaluate(
    acl: &NetworkAclFacts,
    egress: bool,
    ports: RangeInclusive<u16>,
    peer: IpNet,
) -> NaclVerdict {
    let (peer_v6, lo, hi) = cidr::span(&peer.trunc());
    let mut undecided = if ports.start() <= ports.end() {
        vec![Region {
            ports: (*ports.start(), *ports.end()),
            addrs: (lo, hi),
        }]
    } else {
        Vec::new()
    };

    let mut entries: Vec<Applicable> = acl
        .entries
        .iter()
        .filter_map(|e| applicable(e, egress, peer_v6))
        .collect();
    entries.sort_by(|a, b| order_key(a.entry).cmp(&order_key(b.entry)));

    let mut rule_numbers = Vec::new();
    for e in entries {
        if undecided.is_empty() {
            break;
        }
        let hit: Vec<Region> = undecided
            .iter()
            .filter_map(|r| r.intersect(&e.region))
            .collect();
        if hit.is_empty() {
            continue;
        }
        if !e.allow {
            return NaclVerdict::Denied {
                acl_id: acl.id.clone(),
                rule_number: e.entry.rule_number,
                ports: first_ports(&hit),
            };
        }
        rule_numbers.push(e.entry.rule_number);
        let mut rest = Vec::with_capacity(undecided.len());
        for r in &undecided {
            r.subtract(&e.region, &mut rest);
        }
        undecided = rest;
    }

    if undecided.is_empty() {
        NaclVerdict::Allowed {
            acl_id: acl.id.clone(),
            rule_numbers,
        }
    } else {
        NaclVerdict::Denied {
            acl_id: acl.id.clone(),
            rule_number: IMPLICIT_DENY,
            ports: first_ports(&undecided),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> IpNet {
        s.parse().expect("test CIDR")
    }

    fn entry(
        num: i32,
        egress: bool,
        action: &str,
        proto: &str,
        c: &str,
        ports: Option<(i32, i32)>,
    ) -> NaclEntryFacts {
        let v6 = c.contains(':');
        NaclEntryFacts {
            rule_number: num,
            egress,
            protocol: proto.into(),
            action: action.into(),
            cidr: (!v6).then(|| c.to_string()),
            ipv6_cidr: v6.then(|| c.to_string()),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    fn acl(entries: Vec<NaclEntryFacts>) -> NetworkAclFacts {
        NetworkAclFacts {
            id: "acl-1".into(),
            is_default: false,
            subnet_ids: vec![],
            entries,
        }
    }

    /// The default NACL as AWS returns it (both directions, both families, with `*`).
    fn default_acl() -> NetworkAclFacts {
        let mut e = Vec::new();
        for egress in [false, true] {
            e.push(entry(100, egress, "allow", "-1", "0.0.0.0/0", None));
            e.push(entry(101, egress, "allow", "-1", "::/0", None));
            e.push(entry(32767, egress, "deny", "-1", "0.0.0.0/0", None));
            e.push(entry(32767, egress, "deny", "-1", "::/0", None));
        }
        acl(e)
    }

    const EPHEMERAL: RangeInclusive<u16> = 32768..=60999;

    fn allowed(rules: &[i32]) -> NaclVerdict {
        NaclVerdict::Allowed {
            acl_id: "acl-1".into(),
            rule_numbers: rules.to_vec(),
        }
    }

    fn denied(rule: i32, ports: (u16, u16)) -> NaclVerdict {
        NaclVerdict::Denied {
            acl_id: "acl-1".into(),
            rule_number: rule,
            ports,
        }
    }

    fn is_allowed(v: &NaclVerdict) -> bool {
        matches!(v, NaclVerdict::Allowed { .. })
    }

    #[test]
    fn association_then_default() {
        let acls = vec![
            NetworkAclFacts {
                id: "acl-default".into(),
                is_default: true,
                ..NetworkAclFacts::default()
            },
            NetworkAclFacts {
                id: "acl-private".into(),
                subnet_ids: vec!["subnet-a".into()],
                ..NetworkAclFacts::default()
            },
        ];
        assert_eq!(
            acl_for_subnet(&acls, "subnet-a").map(|a| a.id.as_str()),
            Some("acl-private")
        );
        assert_eq!(
            acl_for_subnet(&acls, "subnet-z").map(|a| a.id.as_str()),
            Some("acl-default")
        );
        assert_eq!(acl_for_subnet(&acls[1..], "subnet-z"), None);
    }

    #[test]
    fn default_acl_allows_everything_both_families() {
        let a = default_acl();
        for peer in [
            n("0.0.0.0/0"),
            n("10.0.1.5/32"),
            n("::/0"),
            n("2600:1f18::1/128"),
        ] {
            for egress in [true, false] {
                assert!(is_allowed(&evaluate(&a, egress, 443..=443, peer)));
                assert!(is_allowed(&evaluate(&a, egress, EPHEMERAL, peer)));
            }
        }
        assert_eq!(
            evaluate(&a, true, 443..=443, n("1.1.1.1/32")),
            allowed(&[100])
        );
        assert_eq!(evaluate(&a, true, 443..=443, n("::1/128")), allowed(&[101]));
    }

    #[test]
    fn nothing_matching_is_the_implicit_deny() {
        // moto leaves `*` out; AWS applies it.
        assert_eq!(
            evaluate(&acl(vec![]), true, 443..=443, n("1.1.1.1/32")),
            denied(IMPLICIT_DENY, (443, 443))
        );
        let a = acl(vec![entry(
            100,
            true,
            "allow",
            "6",
            "0.0.0.0/0",
            Some((443, 443)),
        )]);
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("1.1.1.1/32")),
            denied(IMPLICIT_DENY, (32768, 60999))
        );
        // IPv4 entries say nothing about IPv6.
        assert_eq!(
            evaluate(&a, true, 443..=443, n("2600::1/128")),
            denied(IMPLICIT_DENY, (443, 443))
        );
    }

    #[test]
    fn rule_number_order_not_listing_order() {
        let a = acl(vec![
            entry(200, true, "allow", "6", "0.0.0.0/0", Some((443, 443))),
            entry(100, true, "deny", "6", "52.216.0.0/15", Some((443, 443))),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("52.216.8.8/32")),
            denied(100, (443, 443))
        );
        assert_eq!(
            evaluate(&a, true, 443..=443, n("8.8.8.8/32")),
            allowed(&[200])
        );
        let a = acl(vec![
            entry(200, true, "deny", "-1", "0.0.0.0/0", None),
            entry(100, true, "allow", "6", "0.0.0.0/0", Some((443, 443))),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("52.216.8.8/32")),
            allowed(&[100])
        );
        assert_eq!(
            evaluate(&a, true, 80..=80, n("52.216.8.8/32")),
            denied(200, (80, 80))
        );
    }

    #[test]
    fn ephemeral_range_must_be_allowed_whole() {
        let a = acl(vec![
            entry(100, false, "allow", "6", "0.0.0.0/0", Some((1024, 40000))),
            entry(110, false, "allow", "6", "0.0.0.0/0", Some((50000, 65535))),
        ]);
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("10.0.2.9/32")),
            denied(IMPLICIT_DENY, (40001, 49999))
        );
        let a = acl(vec![
            entry(100, false, "allow", "6", "0.0.0.0/0", Some((1024, 40000))),
            entry(110, false, "allow", "6", "0.0.0.0/0", Some((40001, 65535))),
        ]);
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("10.0.2.9/32")),
            allowed(&[100, 110])
        );
        // A deny in the middle of the range, after an allow of the start.
        let a = acl(vec![
            entry(100, false, "allow", "6", "0.0.0.0/0", Some((32768, 40000))),
            entry(110, false, "deny", "-1", "0.0.0.0/0", None),
            entry(120, false, "allow", "6", "0.0.0.0/0", Some((1024, 65535))),
        ]);
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("10.0.2.9/32")),
            denied(110, (40001, 60999))
        );
    }

    #[test]
    fn allow_must_cover_the_whole_peer() {
        // Allow the VPC only: the internet (NAT path) is denied by `*`.
        let a = acl(vec![entry(100, true, "allow", "-1", "10.0.0.0/16", None)]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("10.0.5.5/32")),
            allowed(&[100])
        );
        assert_eq!(
            evaluate(&a, true, 443..=443, n("0.0.0.0/0")),
            denied(IMPLICIT_DENY, (443, 443))
        );
        // A deny touching part of the peer denies it.
        let a = acl(vec![
            entry(90, true, "deny", "6", "52.216.0.0/16", Some((443, 443))),
            entry(100, true, "allow", "-1", "0.0.0.0/0", None),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("52.216.0.0/15")),
            denied(90, (443, 443))
        );
        // A partial allow decides its part; a later deny of only that part changes nothing.
        let a = acl(vec![
            entry(100, true, "allow", "6", "10.0.0.0/8", Some((443, 443))),
            entry(200, true, "deny", "6", "10.0.0.0/8", Some((443, 443))),
            entry(300, true, "allow", "6", "0.0.0.0/0", Some((443, 443))),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("0.0.0.0/0")),
            allowed(&[100, 300])
        );
    }

    /// A remote known only to be somewhere in a subnet (a stopped task whose address is gone):
    /// allowed when the whole subnet is, denied when no allow entry touches it, unknown
    /// when the NACL splits it. The exact address gives the exact answer.
    #[test]
    fn an_address_known_only_by_its_subnet_is_unknown_where_the_nacl_splits_it() {
        let subnet = n("10.0.1.0/24");
        let a = acl(vec![entry(
            100,
            false,
            "allow",
            "6",
            "10.0.1.0/25",
            Some((443, 443)),
        )]);
        assert!(matches!(
            evaluate_somewhere(&a, false, 443..=443, subnet),
            NaclVerdict::Unknown { .. }
        ));
        assert_eq!(
            evaluate_somewhere(&a, false, 443..=443, n("10.0.1.5/32")),
            allowed(&[100])
        );
        assert_eq!(
            evaluate_somewhere(&a, false, 443..=443, n("10.0.1.200/32")),
            denied(IMPLICIT_DENY, (443, 443))
        );
        let whole = acl(vec![entry(
            100,
            false,
            "allow",
            "6",
            "10.0.0.0/16",
            Some((443, 443)),
        )]);
        assert_eq!(
            evaluate_somewhere(&whole, false, 443..=443, subnet),
            allowed(&[100])
        );
        // An allow only for other ports touches none of these packets: certainly denied.
        let other = acl(vec![entry(
            100,
            false,
            "allow",
            "6",
            "10.0.0.0/16",
            Some((22, 22)),
        )]);
        assert_eq!(
            evaluate_somewhere(&other, false, 443..=443, subnet),
            denied(IMPLICIT_DENY, (443, 443))
        );
    }

    #[test]
    fn s3_cidrs_need_their_own_entries() {
        // NACLs cannot name prefix lists: S3 through the gateway needs its CIDRs.
        let a = acl(vec![
            entry(100, true, "allow", "6", "10.0.0.0/16", Some((443, 443))),
            entry(110, true, "allow", "6", "52.216.0.0/15", Some((443, 443))),
        ]);
        assert!(is_allowed(&evaluate(
            &a,
            true,
            443..=443,
            n("52.216.0.0/15")
        )));
        assert!(!is_allowed(&evaluate(&a, true, 443..=443, n("3.5.0.0/19"))));
    }

    #[test]
    fn protocols() {
        let a = acl(vec![
            entry(100, true, "allow", "17", "0.0.0.0/0", None),
            entry(110, true, "allow", "1", "0.0.0.0/0", None),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("1.1.1.1/32")),
            denied(IMPLICIT_DENY, (443, 443))
        );
        // A UDP deny does not deny TCP.
        let a = acl(vec![
            entry(90, true, "deny", "17", "0.0.0.0/0", None),
            entry(100, true, "allow", "6", "0.0.0.0/0", None),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("1.1.1.1/32")),
            allowed(&[100])
        );
        // All traffic ignores whatever port fields it carries.
        let a = acl(vec![entry(
            100,
            true,
            "allow",
            "-1",
            "0.0.0.0/0",
            Some((0, 0)),
        )]);
        assert!(is_allowed(&evaluate(&a, true, 443..=443, n("1.1.1.1/32"))));
    }

    #[test]
    fn ipv6_entries() {
        let a = acl(vec![
            entry(
                100,
                false,
                "deny",
                "6",
                "2600:1f18:dead::/48",
                Some((1024, 65535)),
            ),
            entry(110, false, "allow", "6", "::/0", Some((1024, 65535))),
            entry(120, false, "allow", "6", "0.0.0.0/0", Some((1024, 65535))),
        ]);
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("2600:1f18:beef::1/128")),
            allowed(&[110])
        );
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("2600:1f18:dead::1/128")),
            denied(100, (32768, 60999))
        );
        assert_eq!(
            evaluate(&a, false, EPHEMERAL, n("1.2.3.4/32")),
            allowed(&[120])
        );
    }

    #[test]
    fn directions_are_separate() {
        let a = acl(vec![entry(100, true, "allow", "-1", "0.0.0.0/0", None)]);
        assert!(is_allowed(&evaluate(&a, true, 443..=443, n("1.1.1.1/32"))));
        assert!(!is_allowed(&evaluate(
            &a,
            false,
            EPHEMERAL,
            n("1.1.1.1/32")
        )));
    }

    #[test]
    fn malformed_entries_match_nothing() {
        let a = acl(vec![
            entry(50, true, "deny", "-1", "0.0.0.0/33", None),
            entry(60, true, "deny", "-1", "garbage", None),
            entry(70, true, "maybe", "-1", "0.0.0.0/0", None),
            entry(80, true, "deny", "6", "0.0.0.0/0", Some((500, 400))),
            NaclEntryFacts {
                rule_number: 90,
                egress: true,
                protocol: "-1".into(),
                action: "deny".into(),
                ..NaclEntryFacts::default()
            },
            entry(100, true, "ALLOW", "6", "0.0.0.0/0", Some((-1, -1))),
        ]);
        assert_eq!(
            evaluate(&a, true, 443..=443, n("1.1.1.1/32")),
            allowed(&[100])
        );
    }

    #[test]
    fn empty_port_range_is_vacuously_allowed() {
        #[allow(clippy::reversed_empty_ranges)]
        let ports = 10..=5;
        assert_eq!(
            evaluate(&acl(vec![]), true, ports, n("1.1.1.1/32")),
            allowed(&[])
        );
    }

    #[test]
    fn edges_of_the_spaces() {
        let a = acl(vec![
            entry(
                100,
                true,
                "allow",
                "6",
                "255.255.255.255/32",
                Some((65535, 65535)),
            ),
            entry(
                110,
                true,
                "allow",
                "6",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
                Some((0, 0)),
            ),
        ]);
        assert!(is_allowed(&evaluate(
            &a,
            true,
            65535..=65535,
            n("255.255.255.255/32")
        )));
        assert!(is_allowed(&evaluate(
            &a,
            true,
            0..=0,
            n("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")
        )));
        assert_eq!(
            evaluate(&a, true, 0..=65535, n("255.255.255.255/32")),
            denied(IMPLICIT_DENY, (0, 65534))
        );
    }

    // ---- properties ----

    /// A net inside 10.0.0.0/28 (or all of IPv4), small enough to check address by address.
    fn small_net() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (0u8..16, 28u8..=32).prop_map(|(a, l)| {
                IpNet::new(std::net::IpAddr::from([10, 0, 0, a]), l)
                    .expect("valid prefix")
                    .trunc()
                    .to_string()
            }),
            1 => Just("0.0.0.0/0".to_string()),
            1 => Just("::/0".to_string()),
        ]
    }

    fn small_entry() -> impl Strategy<Value = NaclEntryFacts> {
        (
            1i32..40,
            any::<bool>(),
            prop::sample::select(vec!["allow", "deny"]),
            prop::sample::select(vec!["-1", "6", "17"]),
            small_net(),
            proptest::option::of((0i32..10, 0i32..10)),
        )
            .prop_map(|(num, egress, action, proto, c, ports)| {
                entry(num, egress, action, proto, &c, ports)
            })
    }

    fn peer_net() -> impl Strategy<Value = IpNet> {
        (0u8..16, 28u8..=32).prop_map(|(a, l)| {
            IpNet::new(std::net::IpAddr::from([10, 0, 0, a]), l)
                .expect("valid prefix")
                .trunc()
        })
    }

    /// The deciding entry for one packet, reading entries the way AWS does.
    fn first_match(
        entries: &[NaclEntryFacts],
        egress: bool,
        port: u16,
        addr: std::net::Ipv4Addr,
    ) -> (i32, bool) {
        let mut sorted: Vec<&NaclEntryFacts> = entries.iter().collect();
        sorted.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        for e in sorted {
            if e.egress != egress || !(e.protocol == "-1" || e.protocol == "6") {
                continue;
            }
            let Some((lo, hi)) = cidr::port_range(&e.protocol, e.from_port, e.to_port) else {
                continue;
            };
            let Some(c) = e.cidr.as_deref().and_then(cidr::net) else {
                continue;
            };
            if lo <= port && port <= hi && c.contains(&std::net::IpAddr::from(addr)) {
                return (e.rule_number, e.action == "allow");
            }
        }
        (IMPLICIT_DENY, false)
    }

    proptest! {
        #[test]
        fn agrees_with_packet_by_packet_evaluation(
            entries in proptest::collection::vec(small_entry(), 0..10),
            egress in any::<bool>(),
            lo in 0u16..10,
            len in 0u16..4,
            peer in peer_net(),
        ) {
            let a = acl(entries.clone());
            let hi = lo + len;
            let verdict = evaluate(&a, egress, lo..=hi, peer);
            let (_, s, e) = cidr::span(&peer);
            let mut first_denial: Option<i32> = None;
            for port in lo..=hi {
                for v in s..=e {
                    let (rule, allow) = first_match(&entries, egress, port, std::net::Ipv4Addr::from(v as u32));
                    if !allow {
                        first_denial = Some(first_denial.map_or(rule, |r: i32| r.min(rule)));
                    }
                }
            }
            match (verdict, first_denial) {
                (NaclVerdict::Allowed { .. }, None) => {}
                (NaclVerdict::Denied { rule_number, ports, .. }, Some(r)) => {
                    prop_assert_eq!(rule_number, r);
                    prop_assert!(lo <= ports.0 && ports.0 <= ports.1 && ports.1 <= hi);
                }
                (v, d) => prop_assert!(false, "verdict {:?}, first denial {:?}", v, d),
            }
        }

        #[test]
        fn a_lower_numbered_deny_beats_any_later_allow(
            later in proptest::collection::vec(small_entry(), 0..8),
            deny_num in 1i32..20,
            egress in any::<bool>(),
            peer in peer_net(),
            port in 0u16..10,
        ) {
            let mut entries: Vec<NaclEntryFacts> = later
                .into_iter()
                .map(|mut e| { e.rule_number += 20; e })
                .collect();
            entries.push(entry(deny_num, egress, "deny", "-1", "0.0.0.0/0", None));
            let v = evaluate(&acl(entries), egress, port..=port, peer);
            prop_assert_eq!(v, denied(deny_num, (port, port)));
        }

        #[test]
        fn entries_of_the_other_direction_never_matter(
            entries in proptest::collection::vec(small_entry(), 0..10),
            noise in proptest::collection::vec(small_entry(), 0..10),
            egress in any::<bool>(),
            peer in peer_net(),
            lo in 0u16..10,
        ) {
            let mut same: Vec<NaclEntryFacts> = entries.into_iter().filter(|e| e.egress == egress).collect();
            let before = evaluate(&acl(same.clone()), egress, lo..=lo + 3, peer);
            same.extend(noise.into_iter().map(|mut e| { e.egress = !egress; e }));
            prop_assert_eq!(before, evaluate(&acl(same), egress, lo..=lo + 3, peer));
        }

        #[test]
        fn listing_order_never_matters(
            entries in proptest::collection::vec(small_entry(), 0..10),
            perm in any::<u64>(),
            egress in any::<bool>(),
            peer in peer_net(),
            lo in 0u16..10,
        ) {
            let a = evaluate(&acl(entries.clone()), egress, lo..=lo + 2, peer);
            let mut shuffled = entries;
            // A deterministic shuffle from the generated seed.
            let mut seed = perm;
            for i in (1..shuffled.len()).rev() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let j = (seed >> 33) as usize % (i + 1);
                shuffled.swap(i, j);
            }
            prop_assert_eq!(a, evaluate(&acl(shuffled), egress, lo..=lo + 2, peer));
        }

        #[test]
        fn allow_all_first_allows_every_ipv4_peer_and_port(
            later in proptest::collection::vec(small_entry(), 0..8),
            egress in any::<bool>(),
            a in any::<u32>(),
            l in 0u8..=32,
            lo in any::<u16>(),
            hi in any::<u16>(),
        ) {
            let mut entries: Vec<NaclEntryFacts> = later.into_iter().map(|mut e| { e.rule_number += 100; e }).collect();
            entries.push(entry(100, egress, "allow", "-1", "0.0.0.0/0", None));
            let peer = IpNet::new(std::net::Ipv4Addr::from(a).into(), l).expect("valid prefix");
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            prop_assert_eq!(evaluate(&acl(entries), egress, lo..=hi, peer), allowed(&[100]));
        }

        #[test]
        fn arbitrary_strings_never_panic(
            raw in proptest::collection::vec(
                (any::<i32>(), any::<bool>(), ".{0,4}", ".{0,6}", proptest::option::of(".{0,20}"), proptest::option::of(".{0,20}"), proptest::option::of(any::<i32>()), proptest::option::of(any::<i32>())),
                0..6,
            ),
            lo in any::<u16>(),
            hi in any::<u16>(),
            egress in any::<bool>(),
        ) {
            let entries = raw
                .into_iter()
                .map(|(rule_number, egress, protocol, action, cidr, ipv6_cidr, from_port, to_port)| NaclEntryFacts {
                    rule_number, egress, protocol, action, cidr, ipv6_cidr, from_port, to_port,
                })
                .collect();
            let a = acl(entries);
            for peer in [n("0.0.0.0/0"), n("10.0.0.1/32"), n("::/0"), n("2600::1/128")] {
                let _ = evaluate(&a, egress, lo..=hi, peer);
            }
        }
    }
}
