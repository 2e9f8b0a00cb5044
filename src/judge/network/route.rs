//! Which route carries traffic from a subnet to a destination.
//!
//! AWS picks the subnet's route table (its explicit association, else the VPC's main
//! table), then the most specific route that contains the destination (longest prefix).
//! On equal prefixes a static route beats a prefix-list route (AWS "route priority"); the
//! `local` route comes first of all. Prefix-list routes (gateway endpoints add them) match
//! through the list's CIDRs, so when those are unknown the lookup may be unable to decide.
//!
//! This module only finds the route: whether its target carries traffic (blackhole, a NAT
//! gateway that is not `available`, a hop the tool cannot see past) is the caller's call.

use ipnet::IpNet;

use super::cidr;
use crate::facts::{PrefixListFacts, RouteFacts, RouteTableFacts, RouteTarget};

/// The route table a subnet uses, because routes are per table, not per subnet: its
/// explicit association, else the VPC's main table. `None` when neither is in the facts.
pub fn table_for_subnet<'a>(
    tables: &'a [RouteTableFacts],
    subnet_id: &str,
) -> Option<&'a RouteTableFacts> {
    tables
        .iter()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet_id))
        .or_else(|| tables.iter().find(|t| t.main))
}

/// The outcome of a route lookup, because "no route" (traffic dropped) and "cannot tell"
/// (a prefix list whose entries are unknown) must stay apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteLookup<'a> {
    /// The route AWS uses; its target and state are for the caller to judge.
    Matched {
        /// The winning route.
        route: &'a RouteFacts,
        /// The prefix length it matched with (for a prefix-list route, that of the list
        /// CIDR that contains the destination).
        specificity: u8,
    },
    /// No route contains the destination: the traffic is dropped.
    NoRoute,
    /// A prefix-list route could win but its list's CIDRs are unknown.
    Undecidable {
        /// The first such list, to name in the finding.
        prefix_list_id: String,
    },
}

/// How a candidate route ranks on equal prefix length (lower wins), after AWS's route
/// priority: the VPC's own range, then static CIDR routes, then prefix-list routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Local,
    Static,
    PrefixList,
}

/// Finds the route a table uses for `dest`, because the path to every destination starts
/// there. A route matches when its destination (CIDR, IPv6 CIDR, or one of its prefix
/// list's CIDRs) contains all of `dest`; the longest prefix wins. Malformed CIDRs match
/// nothing. When a prefix-list route with unknown entries could beat the best known match,
/// the answer is [`RouteLookup::Undecidable`].
pub fn lookup<'a>(
    table: &'a RouteTableFacts,
    dest: IpNet,
    prefix_lists: &[PrefixListFacts],
) -> RouteLookup<'a> {
    let dest = dest.trunc();
    // (specificity, kind, route); the first listed wins a full tie.
    let mut best: Option<(u8, Kind, &'a RouteFacts)> = None;
    let mut unknown: Option<&str> = None;
    let mut offer = |spec: u8, kind: Kind, route: &'a RouteFacts| {
        let better = match best {
            None => true,
            Some((s, k, _)) => spec > s || (spec == s && kind < k),
        };
        if better {
            best = Some((spec, kind, route));
        }
    };

    for route in &table.routes {
        let local = route.target == RouteTarget::Local;
        let static_kind = if local { Kind::Local } else { Kind::Static };
        for d in [&route.destination_cidr, &route.destination_ipv6_cidr]
            .into_iter()
            .flatten()
        {
            if let Some(n) = cidr::net(d) {
                if cidr::contains(&n, &dest) {
                    offer(n.prefix_len(), static_kind, route);
                }
            }
        }
        if let Some(pl) = &route.destination_prefix_list_id {
            let pl_kind = if local { Kind::Local } else { Kind::PrefixList };
            match cidr::prefix_list_nets(prefix_lists, pl) {
                Some(nets) => {
                    if let Some(spec) = nets
                        .iter()
                        .filter(|n| cidr::contains(n, &dest))
                        .map(|n| n.prefix_len())
                        .max()
                    {
                        offer(spec, pl_kind, route);
                    }
                }
                None => {
                    unknown.get_or_insert(pl.as_str());
                }
            }
        }
    }

    // An unknown list could hold any CIDR that contains `dest`: up to `dest`'s own length.
    // It loses only to a known match at that length which beats a prefix-list route on a tie.
    if let Some(pl) = unknown {
        let beatable = match best {
            None => true,
            Some((spec, kind, _)) => spec < dest.prefix_len() || kind == Kind::PrefixList,
        };
        if beatable {
            return RouteLookup::Undecidable {
                prefix_list_id: pl.to_string(),
            };
        }
    }
    match best {
        Some((specificity, _, route)) => RouteLookup::Matched { route, specificity },
        None => RouteLookup::NoRoute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> IpNet {
        s.parse().expect("test CIDR")
    }

    fn r(dest: &str, target: RouteTarget) -> RouteFacts {
        RouteFacts {
            destination_cidr: Some(dest.into()),
            target,
            state: Some("active".into()),
            ..RouteFacts::default()
        }
    }

    fn r6(dest: &str, target: RouteTarget) -> RouteFacts {
        RouteFacts {
            destination_ipv6_cidr: Some(dest.into()),
            target,
            state: Some("active".into()),
            ..RouteFacts::default()
        }
    }

    fn rpl(pl: &str, target: RouteTarget) -> RouteFacts {
        RouteFacts {
            destination_prefix_list_id: Some(pl.into()),
            target,
            state: Some("active".into()),
            ..RouteFacts::default()
        }
    }

    fn table(routes: Vec<RouteFacts>) -> RouteTableFacts {
        RouteTableFacts {
            id: "rtb-1".into(),
            vpc_id: Some("vpc-1".into()),
            main: false,
            subnet_ids: vec![],
            routes,
        }
    }

    fn s3_list(cidrs: Option<Vec<&str>>) -> PrefixListFacts {
        PrefixListFacts {
            id: "pl-s3".into(),
            name: Some("com.amazonaws.us-east-1.s3".into()),
            cidrs: cidrs
                .map(|c| crate::facts::Readable::read(c.into_iter().map(String::from).collect())),
        }
    }

    fn igw() -> RouteTarget {
        RouteTarget::InternetGateway("igw-1".into())
    }
    fn nat() -> RouteTarget {
        RouteTarget::NatGateway("nat-1".into())
    }
    fn vpce() -> RouteTarget {
        RouteTarget::VpcEndpoint("vpce-s3".into())
    }

    fn matched<'a>(l: &RouteLookup<'a>) -> (&'a RouteFacts, u8) {
        match l {
            RouteLookup::Matched { route, specificity } => (route, *specificity),
            other => panic!("expected a match, got {other:?}"),
        }
    }

    #[test]
    fn explicit_association_beats_main() {
        let tables = vec![
            RouteTableFacts {
                id: "rtb-main".into(),
                main: true,
                ..RouteTableFacts::default()
            },
            RouteTableFacts {
                id: "rtb-private".into(),
                subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
                ..RouteTableFacts::default()
            },
        ];
        assert_eq!(
            table_for_subnet(&tables, "subnet-b").map(|t| t.id.as_str()),
            Some("rtb-private")
        );
        assert_eq!(
            table_for_subnet(&tables, "subnet-c").map(|t| t.id.as_str()),
            Some("rtb-main")
        );
        assert_eq!(table_for_subnet(&tables[1..], "subnet-c"), None);
        assert_eq!(table_for_subnet(&[], "subnet-c"), None);
    }

    #[test]
    fn longest_prefix_wins_ipv4() {
        let t = table(vec![
            r("0.0.0.0/0", nat()),
            r("10.0.0.0/16", RouteTarget::Local),
            r("10.0.5.0/24", RouteTarget::TransitGateway("tgw-1".into())),
        ]);
        let (route, spec) = matched(&lookup(&t, n("10.0.5.9/32"), &[]));
        assert_eq!(route.target, RouteTarget::TransitGateway("tgw-1".into()));
        assert_eq!(spec, 24);
        let (route, spec) = matched(&lookup(&t, n("10.0.1.9/32"), &[]));
        assert_eq!(route.target, RouteTarget::Local);
        assert_eq!(spec, 16);
        let (route, spec) = matched(&lookup(&t, n("52.1.2.3/32"), &[]));
        assert_eq!(route.target, nat());
        assert_eq!(spec, 0);
        // The whole internet only matches the default route.
        let (route, _) = matched(&lookup(&t, n("0.0.0.0/0"), &[]));
        assert_eq!(route.target, nat());
    }

    #[test]
    fn a_route_must_contain_the_whole_destination() {
        let t = table(vec![r("10.0.0.0/16", RouteTarget::Local)]);
        assert_eq!(lookup(&t, n("10.0.0.0/8"), &[]), RouteLookup::NoRoute);
        assert_eq!(lookup(&t, n("11.0.0.1/32"), &[]), RouteLookup::NoRoute);
    }

    #[test]
    fn ipv6_routes_are_separate() {
        let t = table(vec![
            r("0.0.0.0/0", igw()),
            r6(
                "::/0",
                RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
            ),
            r6("2600:1f18:abc::/56", RouteTarget::Local),
        ]);
        let (route, spec) = matched(&lookup(&t, n("2600:1f18:abc::5/128"), &[]));
        assert_eq!(route.target, RouteTarget::Local);
        assert_eq!(spec, 56);
        let (route, spec) = matched(&lookup(&t, n("2a05:d018::1/128"), &[]));
        assert_eq!(
            route.target,
            RouteTarget::EgressOnlyInternetGateway("eigw-1".into())
        );
        assert_eq!(spec, 0);
        let (route, _) = matched(&lookup(&t, n("8.8.8.8/32"), &[]));
        assert_eq!(route.target, igw());
        // No IPv6 default route: IPv6 internet has no route.
        let t = table(vec![r("0.0.0.0/0", igw())]);
        assert_eq!(lookup(&t, n("2a05:d018::1/128"), &[]), RouteLookup::NoRoute);
    }

    #[test]
    fn prefix_list_route_uses_the_containing_cidr() {
        let lists = [s3_list(Some(vec!["52.216.0.0/15", "3.5.0.0/19"]))];
        let t = table(vec![
            r("0.0.0.0/0", nat()),
            r("10.0.0.0/16", RouteTarget::Local),
            rpl("pl-s3", vpce()),
        ]);
        let (route, spec) = matched(&lookup(&t, n("52.217.4.4/32"), &lists));
        assert_eq!(route.target, vpce());
        assert_eq!(spec, 15);
        let (route, spec) = matched(&lookup(&t, n("3.5.0.0/19"), &lists));
        assert_eq!(route.target, vpce());
        assert_eq!(spec, 19);
        let (route, _) = matched(&lookup(&t, n("8.8.8.8/32"), &lists));
        assert_eq!(route.target, nat());
    }

    #[test]
    fn a_more_specific_static_route_beats_the_prefix_list() {
        let lists = [s3_list(Some(vec!["52.216.0.0/15"]))];
        let t = table(vec![rpl("pl-s3", vpce()), r("52.216.0.0/16", igw())]);
        let (route, spec) = matched(&lookup(&t, n("52.216.1.1/32"), &lists));
        assert_eq!(route.target, igw());
        assert_eq!(spec, 16);
        let (route, _) = matched(&lookup(&t, n("52.217.1.1/32"), &lists));
        assert_eq!(route.target, vpce());
    }

    #[test]
    fn static_beats_prefix_list_on_equal_prefix() {
        let lists = [s3_list(Some(vec!["52.216.0.0/15"]))];
        for routes in [
            vec![rpl("pl-s3", vpce()), r("52.216.0.0/15", igw())],
            vec![r("52.216.0.0/15", igw()), rpl("pl-s3", vpce())],
        ] {
            let t = table(routes);
            let (route, spec) = matched(&lookup(&t, n("52.216.1.1/32"), &lists));
            assert_eq!(route.target, igw());
            assert_eq!(spec, 15);
        }
    }

    #[test]
    fn local_wins_ties() {
        for routes in [
            vec![
                r("10.0.0.0/16", nat()),
                r("10.0.0.0/16", RouteTarget::Local),
            ],
            vec![
                r("10.0.0.0/16", RouteTarget::Local),
                r("10.0.0.0/16", nat()),
            ],
        ] {
            let t = table(routes);
            let (route, _) = matched(&lookup(&t, n("10.0.0.1/32"), &[]));
            assert_eq!(route.target, RouteTarget::Local);
        }
        // Otherwise the first listed.
        let t = table(vec![r("0.0.0.0/0", nat()), r("0.0.0.0/0", igw())]);
        assert_eq!(matched(&lookup(&t, n("1.1.1.1/32"), &[])).0.target, nat());
    }

    #[test]
    fn unknown_prefix_list_entries_make_the_lookup_undecidable() {
        let t = table(vec![
            r("0.0.0.0/0", nat()),
            r("10.0.0.0/16", RouteTarget::Local),
            rpl("pl-s3", vpce()),
        ]);
        let undecidable = RouteLookup::Undecidable {
            prefix_list_id: "pl-s3".into(),
        };
        // Entries not readable.
        assert_eq!(
            lookup(&t, n("52.216.1.1/32"), &[s3_list(None)]),
            undecidable
        );
        // List not in the facts at all.
        assert_eq!(lookup(&t, n("52.216.1.1/32"), &[]), undecidable);
        // The list could even hold something inside the VPC range more specific than local.
        assert_eq!(lookup(&t, n("10.0.1.1/32"), &[]), undecidable);
        // But nothing can contain the whole internet except a /0, and static wins that tie.
        assert_eq!(matched(&lookup(&t, n("0.0.0.0/0"), &[])).0.target, nat());
        // Without any other route, still undecidable rather than "no route".
        let t = table(vec![rpl("pl-s3", vpce())]);
        assert_eq!(lookup(&t, n("52.216.1.1/32"), &[]), undecidable);
    }

    #[test]
    fn known_prefix_list_that_misses_is_no_match() {
        let lists = [s3_list(Some(vec!["52.216.0.0/15"]))];
        let t = table(vec![rpl("pl-s3", vpce())]);
        assert_eq!(lookup(&t, n("8.8.8.8/32"), &lists), RouteLookup::NoRoute);
        let empty = [s3_list(Some(vec![]))];
        assert_eq!(lookup(&t, n("8.8.8.8/32"), &empty), RouteLookup::NoRoute);
    }

    #[test]
    fn blackhole_and_targets_are_not_interpreted() {
        let mut hole = r("0.0.0.0/0", nat());
        hole.state = Some("blackhole".into());
        let t = table(vec![hole.clone()]);
        assert_eq!(matched(&lookup(&t, n("1.1.1.1/32"), &[])).0, &hole);
    }

    #[test]
    fn malformed_destinations_match_nothing() {
        let t = table(vec![
            r("10.0.0.0/33", igw()),
            r("", igw()),
            r6("not-v6", igw()),
            RouteFacts::default(),
        ]);
        assert_eq!(lookup(&t, n("10.0.0.1/32"), &[]), RouteLookup::NoRoute);
        // A list with an entry that is not a CIDR stands for unknown addresses: the route
        // that names it cannot be chosen (dropping the entry could pick the wrong route).
        let lists = [s3_list(Some(vec!["garbage", "52.216.0.0/15"]))];
        let t = table(vec![rpl("pl-s3", vpce())]);
        assert!(matches!(
            lookup(&t, n("52.216.0.1/32"), &lists),
            RouteLookup::Undecidable { .. }
        ));
        let lists = [s3_list(Some(vec!["52.216.0.0/15"]))];
        assert_eq!(matched(&lookup(&t, n("52.216.0.1/32"), &lists)).1, 15);
    }

    #[test]
    fn host_bits_in_destinations_are_ignored() {
        let t = table(vec![r("10.0.0.7/16", RouteTarget::Local)]);
        assert_eq!(matched(&lookup(&t, n("10.0.200.1/32"), &[])).1, 16);
        let (_, spec) = matched(&lookup(&t, "10.0.9.9/16".parse().unwrap(), &[]));
        assert_eq!(spec, 16);
    }

    // ---- properties ----

    fn v4net() -> impl Strategy<Value = IpNet> {
        // Few distinct addresses so that routes overlap often.
        (
            prop::sample::select(vec![
                0u32,
                0x0a00_0000,
                0x0a00_0100,
                0x0a00_0105,
                0x3400_0000,
            ]),
            0u8..=32,
        )
            .prop_map(|(a, l)| {
                IpNet::new(std::net::Ipv4Addr::from(a).into(), l)
                    .expect("valid prefix")
                    .trunc()
            })
    }

    fn target() -> impl Strategy<Value = RouteTarget> {
        prop_oneof![
            Just(RouteTarget::Local),
            Just(igw()),
            Just(nat()),
            Just(vpce()),
            Just(RouteTarget::TransitGateway("tgw-1".into())),
        ]
    }

    fn cidr_route() -> impl Strategy<Value = RouteFacts> {
        (v4net(), target()).prop_map(|(d, t)| r(&d.to_string(), t))
    }

    fn arbitrary_route() -> impl Strategy<Value = RouteFacts> {
        (
            proptest::option::of(".{0,20}"),
            proptest::option::of(".{0,20}"),
            proptest::option::of(prop::sample::select(vec!["pl-s3", "pl-x", "pl-gone"])),
            target(),
        )
            .prop_map(|(c, c6, pl, t)| RouteFacts {
                destination_cidr: c,
                destination_ipv6_cidr: c6,
                destination_prefix_list_id: pl.map(String::from),
                target: t,
                state: None,
            })
    }

    proptest! {
        #[test]
        fn longest_prefix_always_wins(routes in proptest::collection::vec(cidr_route(), 0..8), dest in v4net()) {
            let t = table(routes.clone());
            let longest = routes
                .iter()
                .filter_map(|r| cidr::net(r.destination_cidr.as_deref().unwrap_or_default()))
                .filter(|n| n.contains(&dest))
                .map(|n| n.prefix_len())
                .max();
            match (lookup(&t, dest, &[]), longest) {
                (RouteLookup::Matched { route, specificity }, Some(l)) => {
                    prop_assert_eq!(specificity, l);
                    let rn = cidr::net(route.destination_cidr.as_deref().unwrap_or_default());
                    prop_assert!(rn.is_some_and(|n| n.contains(&dest) && n.prefix_len() == l));
                }
                (RouteLookup::NoRoute, None) => {}
                (other, l) => prop_assert!(false, "got {:?}, longest {:?}", other, l),
            }
        }

        #[test]
        fn order_of_routes_only_breaks_full_ties(routes in proptest::collection::vec(cidr_route(), 0..8), dest in v4net()) {
            let t = table(routes.clone());
            let mut rev = routes;
            rev.reverse();
            let t2 = table(rev);
            let spec = |l: RouteLookup| match l {
                RouteLookup::Matched { specificity, route } => Some((specificity, route.target == RouteTarget::Local)),
                _ => None,
            };
            let a = spec(lookup(&t, dest, &[]));
            let b = spec(lookup(&t2, dest, &[]));
            prop_assert_eq!(a, b);
        }

        #[test]
        fn a_prefix_list_route_is_as_specific_as_its_cidr(routes in proptest::collection::vec(cidr_route(), 0..6), pl in v4net(), dest in v4net()) {
            // Replacing a static route by a prefix-list route with the same CIDR never changes
            // the winning specificity.
            let lists = [PrefixListFacts { id: "pl-s3".into(), name: None, cidrs: Some(crate::facts::Readable::read(vec![pl.to_string()])) }];
            let mut with_static = routes.clone();
            with_static.push(r(&pl.to_string(), vpce()));
            let mut with_pl = routes;
            with_pl.push(rpl("pl-s3", vpce()));
            let spec = |l: RouteLookup| match l {
                RouteLookup::Matched { specificity, .. } => Some(specificity),
                _ => None,
            };
            prop_assert_eq!(
                spec(lookup(&table(with_static), dest, &lists)),
                spec(lookup(&table(with_pl), dest, &lists))
            );
        }

        #[test]
        fn an_unknown_list_only_ever_adds_doubt(routes in proptest::collection::vec(cidr_route(), 0..8), dest in v4net()) {
            let t0 = table(routes.clone());
            let before = lookup(&t0, dest, &[]);
            let mut more = routes;
            more.push(rpl("pl-unread", vpce()));
            let t = table(more);
            let after = lookup(&t, dest, &[]);
            match after {
                RouteLookup::Undecidable { prefix_list_id } => prop_assert_eq!(prefix_list_id, "pl-unread"),
                other => prop_assert_eq!(format!("{other:?}"), format!("{before:?}")),
            }
        }

        #[test]
        fn arbitrary_route_facts_never_panic(
            routes in proptest::collection::vec(arbitrary_route(), 0..8),
            pl_cidrs in proptest::option::of(proptest::collection::vec(".{0,20}", 0..4)),
            dest in v4net(),
        ) {
            let lists = [PrefixListFacts { id: "pl-s3".into(), name: None, cidrs: pl_cidrs.map(crate::facts::Readable::read) }];
            let t = table(routes);
            let _ = lookup(&t, dest, &lists);
            let _ = lookup(&t, n("2600::/64"), &lists);
        }
    }
}
