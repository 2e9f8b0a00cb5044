//! Addresses, ranges and ports as the network rules see them.
//!
//! Facts keep CIDRs, IPs, protocols and ports as AWS spelled them (strings and optional
//! numbers). Every evaluator parses them here, the same way, and treats anything that does
//! not parse as matching nothing: a malformed fact must never panic and never allow traffic.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::facts::PrefixListFacts;

/// Parses a CIDR (`10.0.0.0/16`, `2600:1f18::/56`) or a bare address (taken as `/32` or
/// `/128`), because facts hold both forms (route destinations, ENI addresses).
///
/// Host bits are cleared (`10.0.0.5/16` becomes `10.0.0.0/16`), as AWS itself normalises,
/// so that containment is about ranges only. Surrounding whitespace is ignored; anything
/// else that is not an address gives `None`.
pub fn net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    if let Ok(n) = s.parse::<IpNet>() {
        return Some(n.trunc());
    }
    ip(s).map(IpNet::from)
}

/// Parses a bare IPv4 or IPv6 address (surrounding whitespace ignored), because ENI facts
/// hold addresses, not ranges.
pub fn ip(s: &str) -> Option<IpAddr> {
    s.trim().parse::<IpAddr>().ok()
}

/// Whether `outer` contains every address of `inner` (false across IPv4/IPv6), because a
/// rule or route decides for a remote range only when it covers all of it.
pub fn contains(outer: &IpNet, inner: &IpNet) -> bool {
    outer.contains(inner)
}

/// Whether two ranges share at least one address (false across IPv4/IPv6), because a deny
/// entry that touches part of a range already blocks some of its traffic.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    // CIDR blocks are either nested or disjoint.
    a.contains(b) || b.contains(a)
}

/// Whether the union of `by` covers every address of `net`, because several rules together
/// (two `/1`s, or one rule per S3 CIDR) can allow a range that none allows alone.
pub fn covered_by_union(net: &IpNet, by: &[IpNet]) -> bool {
    let (v6, start, end) = span(net);
    let mut parts: Vec<(u128, u128)> = by
        .iter()
        .map(span)
        .filter(|(f, s, e)| *f == v6 && *e >= start && *s <= end)
        .map(|(_, s, e)| (s, e))
        .collect();
    parts.sort_unstable();
    let mut next = start;
    for (s, e) in parts {
        if s > next {
            return false;
        }
        if e >= end {
            return true;
        }
        next = next.max(e + 1);
    }
    false
}

/// A range as (is IPv6, first address, last address), for interval arithmetic that
/// `ipnet` does not offer (unions, differences).
pub(super) fn span(net: &IpNet) -> (bool, u128, u128) {
    match net {
        IpNet::V4(n) => (
            false,
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNet::V6(n) => (true, u128::from(n.network()), u128::from(n.broadcast())),
    }
}

/// The parsed CIDRs of a prefix list, or `None` when its entries are unknown (the list is
/// missing from the facts, or its entries could not be read), because "unknown" must stay
/// distinct from "empty". One malformed entry makes the whole list unknown: what it stands
/// for is not known, and dropping it could block what the list allows.
pub fn prefix_list_nets(prefix_lists: &[PrefixListFacts], id: &str) -> Option<Vec<IpNet>> {
    let list = prefix_lists.iter().find(|p| p.id == id)?;
    list.entries()?.iter().map(|c| net(c)).collect()
}

/// Whether a rule's protocol carries TCP (`-1` all traffic, `tcp`, `6`), because every
/// connection a task's start needs is TCP (HTTPS, NFS).
pub fn carries_tcp(protocol: &str) -> bool {
    let p = protocol.trim();
    p == "-1" || p == "6" || p.eq_ignore_ascii_case("tcp")
}

/// The inclusive TCP port range a rule covers, or `None` when it covers none, because SG
/// rules and NACL entries spell "all ports" as `-1` or as absent fields.
///
/// All-traffic rules (`-1`) cover every port whatever their port fields say. Otherwise each
/// bound is read on its own: an absent or negative `from` means 0, an absent or negative
/// `to` means 65535; a `to` above 65535 is capped; a `from` above 65535 or above `to`
/// covers nothing.
pub fn port_range(protocol: &str, from: Option<i32>, to: Option<i32>) -> Option<(u16, u16)> {
    if protocol.trim() == "-1" {
        return Some((0, u16::MAX));
    }
    let lo = match from {
        None => 0,
        Some(f) if f < 0 => 0,
        Some(f) => u16::try_from(f).ok()?,
    };
    let hi = match to {
        None => u16::MAX,
        Some(t) if t < 0 => u16::MAX,
        Some(t) => u16::try_from(t).unwrap_or(u16::MAX),
    };
    (lo <= hi).then_some((lo, hi))
}

/// The remote end of a connection as the rules see it, because a rule can name it three
/// ways: by address (CIDR), by security group, or by prefix list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Peer {
    /// The remote addresses: one /32 for an ENI, or the CIDRs of a range (S3's prefix-list
    /// CIDRs; 0.0.0.0/0 for "somewhere on the internet").
    pub nets: Vec<IpNet>,
    /// The remote's security groups (an interface endpoint's or the task's), for rules that
    /// reference a group.
    pub group_ids: Vec<String>,
    /// The prefix list the remote range is (the S3 list), for rules that name it.
    pub prefix_list_id: Option<String>,
    /// The remote's security groups are not known (a stopped task whose ENI AWS deleted,
    /// with no record of its groups): a rule that references a group might or might not
    /// name the remote, so it can only make the answer unknown, never blocked.
    pub groups_unknown: bool,
    /// `nets` says where the remote's one address is, not that every address there
    /// connects (a task whose exact address is unknown, somewhere in its subnet): a rule
    /// covering part of `nets` might or might not cover the remote, so the answer is
    /// unknown rather than blocked.
    pub somewhere_in: bool,
    /// The remote is a public AWS service behind a prefix list whose entries are not known
    /// (S3, its entries unread): its addresses are unknown, but it is in no security group.
    /// A rule naming the list allows it, rules for every address (`0.0.0.0/0` and `::/0`)
    /// do too, any other CIDR may or may not, and a rule naming a group never does: so with
    /// no rule of the first kinds and none of the second, the connection is blocked whatever
    /// the entries are.
    pub addresses_unknown: bool,
}

impl Peer {
    /// One address (an ENI's private IP), because endpoint ENIs and tasks are single hosts.
    pub fn host(ip: IpAddr) -> Peer {
        Peer {
            nets: vec![IpNet::from(ip)],
            ..Peer::default()
        }
    }

    /// Somewhere on the IPv4 internet (`0.0.0.0/0`), because a registry behind NAT or an
    /// internet gateway can be at any public address.
    pub fn internet() -> Peer {
        Peer {
            nets: vec![IpNet::V4(ipnet::Ipv4Net::default())],
            ..Peer::default()
        }
    }

    /// The range a prefix list stands for (S3 through a gateway endpoint), because a rule may
    /// name the list itself or its CIDRs. With unknown entries (unread, malformed), `nets` is
    /// empty: only a rule naming the list can then allow it.
    pub fn prefix_list(list: &PrefixListFacts) -> Peer {
        Peer {
            nets: prefix_list_nets(std::slice::from_ref(list), &list.id).unwrap_or_default(),
            prefix_list_id: Some(list.id.clone()),
            ..Peer::default()
        }
    }

    /// The same peer with its security groups, because a rule referencing a group matches
    /// the group's members (an endpoint's ENIs, the task's ENI).
    pub fn with_groups<I, S>(mut self, ids: I) -> Peer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.group_ids.extend(ids.into_iter().map(Into::into));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> IpNet {
        s.parse().expect("test CIDR")
    }

    #[test]
    fn parses_cidrs_and_bare_addresses() {
        assert_eq!(net("10.0.0.0/16"), Some(n("10.0.0.0/16")));
        assert_eq!(net(" 10.0.0.0/16 "), Some(n("10.0.0.0/16")));
        assert_eq!(net("10.0.1.7"), Some(n("10.0.1.7/32")));
        assert_eq!(net("2600:1f18::/56"), Some(n("2600:1f18::/56")));
        assert_eq!(net("2600:1f18::1"), Some(n("2600:1f18::1/128")));
        assert_eq!(net("0.0.0.0/0"), Some(n("0.0.0.0/0")));
        assert_eq!(net("::/0"), Some(n("::/0")));
    }

    #[test]
    fn clears_host_bits() {
        assert_eq!(net("10.0.0.5/16"), Some(n("10.0.0.0/16")));
        assert_eq!(net("2600:1f18::5/56"), Some(n("2600:1f18::/56")));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            " ",
            "10.0.0.0/33",
            "10.0.0/16",
            "300.0.0.0/8",
            "10.0.0.0/",
            "/16",
            "pl-12345678",
            "sg-1",
            "::/129",
            "10.0.0.0/16/8",
            "10.0.0.0 /16",
        ] {
            assert_eq!(net(bad), None, "{bad:?}");
        }
        assert_eq!(ip("10.0.0.0/16"), None);
        assert_eq!(ip("nope"), None);
    }

    #[test]
    fn parses_addresses() {
        assert_eq!(ip("10.0.0.1"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(
            ip(" fd00:ec2::253 "),
            Some("fd00:ec2::253".parse().unwrap())
        );
    }

    #[test]
    fn containment_and_overlap_respect_families() {
        assert!(contains(&n("10.0.0.0/16"), &n("10.0.1.0/24")));
        assert!(!contains(&n("10.0.1.0/24"), &n("10.0.0.0/16")));
        assert!(overlaps(&n("10.0.1.0/24"), &n("10.0.0.0/16")));
        assert!(!overlaps(&n("10.1.0.0/16"), &n("10.0.0.0/16")));
        assert!(!contains(&n("0.0.0.0/0"), &n("::1/128")));
        assert!(!overlaps(&n("::/0"), &n("10.0.0.0/8")));
    }

    #[test]
    fn union_coverage() {
        let halves = [n("0.0.0.0/1"), n("128.0.0.0/1")];
        assert!(covered_by_union(&n("0.0.0.0/0"), &halves));
        assert!(!covered_by_union(&n("0.0.0.0/0"), &halves[..1]));
        assert!(covered_by_union(
            &n("10.0.0.0/23"),
            &[n("10.0.1.0/24"), n("10.0.0.0/24")]
        ));
        assert!(!covered_by_union(
            &n("10.0.0.0/22"),
            &[n("10.0.1.0/24"), n("10.0.0.0/24"), n("10.0.3.0/24")]
        ));
        assert!(!covered_by_union(&n("10.0.0.0/24"), &[]));
        assert!(!covered_by_union(&n("10.0.0.0/24"), &[n("::/0")]));
        assert!(covered_by_union(&n("::/0"), &[n("::/1"), n("8000::/1")]));
        assert!(covered_by_union(
            &n("255.255.255.255/32"),
            &[n("255.255.255.0/24")]
        ));
        assert!(covered_by_union(
            &n("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
            &[n("::/0")]
        ));
    }

    #[test]
    fn prefix_list_lookup_keeps_unknown_apart_from_empty() {
        let lists = vec![
            PrefixListFacts {
                id: "pl-known".into(),
                name: None,
                cidrs: Some(crate::facts::Readable::read(vec![
                    "52.216.0.0/15".into(),
                    "garbage".into(),
                ])),
            },
            PrefixListFacts {
                id: "pl-unread".into(),
                name: None,
                cidrs: None,
            },
            PrefixListFacts {
                id: "pl-empty".into(),
                name: None,
                cidrs: Some(crate::facts::Readable::read(vec![])),
            },
        ];
        // One entry that is not a CIDR makes the whole list unknown.
        assert_eq!(prefix_list_nets(&lists, "pl-known"), None);
        assert_eq!(prefix_list_nets(&lists, "pl-unread"), None);
        assert_eq!(prefix_list_nets(&lists, "pl-empty"), Some(vec![]));
        let good = [PrefixListFacts {
            id: "pl-good".into(),
            name: None,
            cidrs: Some(crate::facts::Readable::read(vec!["52.216.0.0/15".into()])),
        }];
        assert_eq!(
            prefix_list_nets(&good, "pl-good"),
            Some(vec![n("52.216.0.0/15")])
        );
        assert_eq!(prefix_list_nets(&lists, "pl-missing"), None);
        assert_eq!(prefix_list_nets(&lists, "pl-empty"), Some(vec![]));
    }

    #[test]
    fn protocols() {
        for p in ["-1", "tcp", "TCP", "6", " 6 "] {
            assert!(carries_tcp(p), "{p}");
        }
        for p in ["17", "udp", "icmp", "1", "", "58", "all"] {
            assert!(!carries_tcp(p), "{p}");
        }
    }

    #[test]
    fn port_ranges() {
        assert_eq!(port_range("tcp", Some(443), Some(443)), Some((443, 443)));
        assert_eq!(
            port_range("6", Some(1024), Some(65535)),
            Some((1024, 65535))
        );
        assert_eq!(port_range("tcp", None, None), Some((0, 65535)));
        assert_eq!(port_range("tcp", Some(-1), Some(-1)), Some((0, 65535)));
        assert_eq!(port_range("-1", Some(443), Some(443)), Some((0, 65535)));
        assert_eq!(port_range("tcp", Some(500), Some(400)), None);
        assert_eq!(port_range("tcp", Some(70000), Some(80000)), None);
        assert_eq!(port_range("tcp", Some(0), Some(70000)), Some((0, 65535)));
        assert_eq!(port_range("tcp", Some(443), None), Some((443, 65535)));
        assert_eq!(port_range("tcp", None, Some(443)), Some((0, 443)));
    }

    #[test]
    fn peers() {
        let p = Peer::host("10.0.1.5".parse().unwrap()).with_groups(["sg-1"]);
        assert_eq!(p.nets, vec![n("10.0.1.5/32")]);
        assert_eq!(p.group_ids, vec!["sg-1".to_string()]);
        assert_eq!(Peer::internet().nets, vec![n("0.0.0.0/0")]);
        let s3 = Peer::prefix_list(&PrefixListFacts {
            id: "pl-63a5400a".into(),
            name: Some("com.amazonaws.us-east-1.s3".into()),
            cidrs: Some(crate::facts::Readable::read(vec![
                "52.216.0.0/15".into(),
                "bad".into(),
                "3.5.0.0/19".into(),
            ])),
        });
        // An entry that is not a CIDR: the list's addresses are unknown.
        assert_eq!(s3.nets, vec![]);
        assert_eq!(s3.prefix_list_id.as_deref(), Some("pl-63a5400a"));
        let unread = Peer::prefix_list(&PrefixListFacts {
            id: "pl-1".into(),
            name: None,
            cidrs: None,
        });
        assert!(unread.nets.is_empty());
    }

    fn any_net() -> impl Strategy<Value = IpNet> {
        prop_oneof![
            (any::<u32>(), 0u8..=32).prop_map(|(a, l)| IpNet::new(
                IpAddr::from(std::net::Ipv4Addr::from(a)),
                l
            )
            .expect("valid prefix")
            .trunc()),
            (any::<u128>(), 0u8..=128).prop_map(|(a, l)| IpNet::new(
                IpAddr::from(std::net::Ipv6Addr::from(a)),
                l
            )
            .expect("valid prefix")
            .trunc()),
        ]
    }

    /// A net inside 10.0.0.0/24, small enough to check address by address.
    fn small_net() -> impl Strategy<Value = IpNet> {
        (any::<u8>(), 24u8..=32).prop_map(|(a, l)| {
            IpNet::new(IpAddr::from([10, 0, 0, a]), l)
                .expect("valid prefix")
                .trunc()
        })
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in ".*") {
            let _ = net(&s);
            let _ = ip(&s);
            let _ = carries_tcp(&s);
            let _ = port_range(&s, None, None);
        }

        #[test]
        fn parsing_cidr_like_strings_never_panics(s in "[0-9a-f:./ -]{0,48}") {
            if let Some(parsed) = net(&s) {
                prop_assert_eq!(parsed, parsed.trunc());
            }
        }

        #[test]
        fn display_round_trips(x in any_net()) {
            prop_assert_eq!(net(&x.to_string()), Some(x));
            prop_assert_eq!(net(&x.addr().to_string()), Some(IpNet::from(x.addr())));
        }

        #[test]
        fn port_ranges_never_panic(p in "-1|tcp|6|17|.*", from in proptest::option::of(any::<i32>()), to in proptest::option::of(any::<i32>())) {
            if let Some((lo, hi)) = port_range(&p, from, to) {
                prop_assert!(lo <= hi);
            }
        }

        #[test]
        fn overlap_is_symmetric_and_implied_by_containment(a in any_net(), b in any_net()) {
            prop_assert_eq!(overlaps(&a, &b), overlaps(&b, &a));
            if contains(&a, &b) {
                prop_assert!(overlaps(&a, &b));
            }
            prop_assert!(contains(&a, &a));
        }

        #[test]
        fn union_coverage_matches_address_by_address(target in small_net(), by in proptest::collection::vec(small_net(), 0..6)) {
            let brute = target.hosts_all().all(|a| by.iter().any(|b| b.contains(&a)));
            prop_assert_eq!(covered_by_union(&target, &by), brute);
        }

        #[test]
        fn a_single_containing_net_covers(a in any_net(), b in any_net()) {
            if contains(&a, &b) {
                prop_assert!(covered_by_union(&b, &[a]));
            } else {
                prop_assert!(!covered_by_union(&b, &[a]));
            }
        }
    }

    /// Every address of a small test net (`hosts()` skips network and broadcast).
    trait AllAddrs {
        fn hosts_all(&self) -> Box<dyn Iterator<Item = IpAddr>>;
    }

    impl AllAddrs for IpNet {
        fn hosts_all(&self) -> Box<dyn Iterator<Item = IpAddr>> {
            let (_, s, e) = span(self);
            Box::new((s..=e).map(|v| IpAddr::from(std::net::Ipv4Addr::from(v as u32))))
        }
    }
}
