//! The VPC around the origin: subnet, VPC and DNS attributes, DHCP options, route tables, NACLs, endpoints, NAT and internet gateways.

use super::*;

pub(super) async fn describe_subnet(
    ec2: &aws_sdk_ec2::Client,
    subnet_id: &str,
) -> Readable<SubnetFacts> {
    let subnets: Result<Vec<_>, _> = ec2
        .describe_subnets()
        .filters(filter("subnet-id", [subnet_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match subnets {
        Ok(list) => match list.iter().find(|x| x.subnet_id() == Some(subnet_id)) {
            Some(sn) => read(subnet_facts(sn)),
            None => Readable::Unreadable(Unreadable {
                api: "ec2:DescribeSubnets".into(),
                error_code: "InvalidSubnetID.NotFound".into(),
                message: format!("subnet {subnet_id} was not returned"),
            }),
        },
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeSubnets", &e)),
    }
}

/// Converts a subnet.
pub(super) fn subnet_facts(sn: &Subnet) -> SubnetFacts {
    SubnetFacts {
        id: sn.subnet_id().unwrap_or_default().to_string(),
        vpc_id: sn.vpc_id().unwrap_or_default().to_string(),
        cidr: s(sn.cidr_block()),
        ipv6_cidrs: sn
            .ipv6_cidr_block_association_set()
            .iter()
            .filter_map(|a| s(a.ipv6_cidr_block()))
            .collect(),
        availability_zone: s(sn.availability_zone()),
        map_public_ip_on_launch: sn.map_public_ip_on_launch(),
    }
}

/// Everything read once per VPC.
pub(super) struct VpcWide {
    pub(super) vpc: Readable<VpcFacts>,
    pub(super) dhcp_options: Option<Readable<DhcpOptionsFacts>>,
    pub(super) route_tables: Readable<Vec<RouteTableFacts>>,
    pub(super) network_acls: Readable<Vec<NetworkAclFacts>>,
    pub(super) security_groups: Readable<Vec<SecurityGroupFacts>>,
    pub(super) vpc_endpoints: Readable<Vec<VpcEndpointFacts>>,
    pub(super) endpoint_enis: Option<Readable<Vec<EniFacts>>>,
    pub(super) prefix_lists: Readable<Vec<PrefixListFacts>>,
    pub(super) nat_gateways: Readable<Vec<NatGatewayFacts>>,
    pub(super) internet_gateways: Readable<Vec<InternetGatewayFacts>>,
}

/// Reads the VPC in two rounds: (1) everything that needs only the VPC ID, with the task's own
/// security groups; (2) what those answers name: the endpoints' ENIs and groups (with the
/// groups the task's rules reference), and the prefix lists that routes and the task's rules
/// name, with their entries. Each part of round 2 starts as soon as its own inputs are in.
///
/// Each read goes through `cache` (keyed by VPC, or by the IDs it names), so the diagnoses of
/// one sweep read a VPC they share once.
pub(super) async fn vpc_wide(
    ec2: &aws_sdk_ec2::Client,
    cache: &Cache,
    vpc_id: &str,
    region: &str,
    task_groups: &[String],
) -> VpcWide {
    let vpc_chain = cache.get_or_read(format!("ec2:vpc+dhcp/{vpc_id}"), || async {
        let vpc = describe_vpc(ec2, vpc_id).await;
        let dhcp = match vpc.value().and_then(|v| v.dhcp_options_id.clone()) {
            // `default` means no DHCP options set is associated: nothing to describe.
            Some(id) if id != "default" => Some(describe_dhcp_options(ec2, &id).await),
            _ => None,
        };
        (vpc, dhcp)
    });
    let groups_of = |ids: Vec<String>| async move { cached_groups(ec2, cache, &ids).await };
    let s3_name = format!("com.amazonaws.{region}.s3");
    let paths = async {
        let (endpoints, own_groups, route_tables, s3_lists) = tokio::join!(
            cache.get_or_read(format!("ec2:vpc-endpoints/{vpc_id}"), || {
                describe_vpc_endpoints(ec2, vpc_id)
            }),
            groups_of(task_groups.to_vec()),
            cache.get_or_read(format!("ec2:route-tables/{vpc_id}"), || {
                describe_route_tables(ec2, vpc_id)
            }),
            cache.get_or_read(format!("ec2:prefix-lists-by-name/{s3_name}"), || {
                describe_prefix_lists(ec2, filter("prefix-list-name", [&s3_name]))
            }),
        );

        // Round 2. The endpoints' groups, and the groups the task's rules reference (their
        // names and VPCs; a rule that references a group matches by membership, so their
        // own rules are not needed), in one read.
        let mut other_ids: Vec<String> = Vec::new();
        let mut add = |g: &String| {
            if !task_groups.contains(g) && !other_ids.contains(g) {
                other_ids.push(g.clone());
            }
        };
        let mut eni_ids: Vec<String> = Vec::new();
        if let Some(eps) = endpoints.value() {
            for ep in eps {
                ep.security_group_ids.iter().for_each(&mut add);
                for n in &ep.network_interface_ids {
                    if !eni_ids.contains(n) {
                        eni_ids.push(n.clone());
                    }
                }
            }
        }
        let referenced_groups: BTreeSet<String> = own_groups
            .iter()
            .flatten()
            .flat_map(|g| &g.rules)
            .filter_map(|r| r.referenced_group_id.clone())
            .collect();
        referenced_groups.iter().for_each(&mut add);

        let mut lists = BTreeSet::new();
        if let Some(rts) = route_tables.value() {
            lists.extend(
                rts.iter()
                    .flat_map(|rt| &rt.routes)
                    .filter_map(|r| r.destination_prefix_list_id.clone()),
            );
        }
        lists.extend(
            own_groups
                .iter()
                .flatten()
                .flat_map(|g| &g.rules)
                .filter_map(|r| r.prefix_list_id.clone()),
        );
        let enis = async {
            match (&endpoints, eni_ids.is_empty()) {
                (Readable::Unreadable(_), _) => None,
                (_, true) => Some(read(Vec::new())),
                (_, false) => Some(
                    cache
                        .get_or_read(format!("ec2:enis/{}", eni_ids.join(",")), || async {
                            match describe_enis(ec2, vec![filter("network-interface-id", &eni_ids)])
                                .await
                            {
                                Ok(list) => read(list.iter().map(eni_facts).collect()),
                                Err(u) => Readable::Unreadable(u),
                            }
                        })
                        .await,
                ),
            }
        };
        let key = format!(
            "ec2:prefix-lists/{s3_name}+{}",
            lists.iter().cloned().collect::<Vec<_>>().join(",")
        );
        let (enis, other_groups, prefix_lists) = tokio::join!(
            enis,
            groups_of(other_ids),
            cache.get_or_read(key, || prefix_lists(ec2, s3_lists, lists.clone()))
        );
        // The task's groups first, then the others, in the order they were named.
        let security_groups = match (own_groups, other_groups) {
            (Ok(mut own), Ok(other)) => {
                own.extend(other);
                read(own)
            }
            (Err(u), _) | (_, Err(u)) => Readable::Unreadable(u),
        };
        (endpoints, enis, security_groups, route_tables, prefix_lists)
    };
    let (
        (vpc, dhcp_options),
        network_acls,
        (vpc_endpoints, endpoint_enis, security_groups, route_tables, prefix_lists),
        nat_gateways,
        internet_gateways,
    ) = tokio::join!(
        vpc_chain,
        cache.get_or_read(format!("ec2:network-acls/{vpc_id}"), || {
            describe_network_acls(ec2, vpc_id)
        }),
        paths,
        cache.get_or_read(format!("ec2:nat-gateways/{vpc_id}"), || {
            describe_nat_gateways(ec2, vpc_id)
        }),
        cache.get_or_read(format!("ec2:internet-gateways/{vpc_id}"), || {
            describe_internet_gateways(ec2, vpc_id)
        }),
    );

    VpcWide {
        vpc,
        dhcp_options,
        route_tables,
        network_acls,
        security_groups,
        vpc_endpoints,
        endpoint_enis,
        prefix_lists,
        nat_gateways,
        internet_gateways,
    }
}

pub(super) async fn describe_vpc(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Readable<VpcFacts> {
    let attribute = |name: VpcAttributeName| {
        ec2.describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(name)
            .send()
    };
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter("vpc-id", [vpc_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let (vpcs, support, hostnames) = tokio::join!(
        vpcs,
        attribute(VpcAttributeName::EnableDnsSupport),
        attribute(VpcAttributeName::EnableDnsHostnames)
    );
    // An attribute that cannot be read keeps its API and error; an answer without the value
    // (which AWS does not give) is not a fact either way.
    let api = "ec2:DescribeVpcAttribute";
    let support = match support {
        Ok(o) => o.enable_dns_support().and_then(|v| v.value()).map(read),
        Err(e) => Some(Readable::Unreadable(unreadable(api, &e))),
    };
    let hostnames = match hostnames {
        Ok(o) => o.enable_dns_hostnames().and_then(|v| v.value()).map(read),
        Err(e) => Some(Readable::Unreadable(unreadable(api, &e))),
    };
    match vpcs {
        Ok(list) => match list.iter().find(|v| v.vpc_id() == Some(vpc_id)) {
            Some(v) => read(vpc_facts(v, support, hostnames)),
            None => Readable::Unreadable(Unreadable {
                api: "ec2:DescribeVpcs".into(),
                error_code: "InvalidVpcID.NotFound".into(),
                message: format!("VPC {vpc_id} was not returned"),
            }),
        },
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeVpcs", &e)),
    }
}

/// Converts a VPC and its two DNS attributes.
pub(super) fn vpc_facts(
    v: &Vpc,
    dns_support: Option<Readable<bool>>,
    dns_hostnames: Option<Readable<bool>>,
) -> VpcFacts {
    let mut cidrs: Vec<String> = v
        .cidr_block_association_set()
        .iter()
        .filter(|a| {
            a.cidr_block_state()
                .and_then(|st| st.state())
                .is_none_or(|st| st.as_str() == "associated")
        })
        .filter_map(|a| s(a.cidr_block()))
        .collect();
    if let Some(c) = s(v.cidr_block()).filter(|c| !cidrs.contains(c)) {
        cidrs.insert(0, c);
    }
    VpcFacts {
        id: v.vpc_id().unwrap_or_default().to_string(),
        cidrs,
        ipv6_cidrs: v
            .ipv6_cidr_block_association_set()
            .iter()
            .filter_map(|a| s(a.ipv6_cidr_block()))
            .collect(),
        enable_dns_support: dns_support,
        enable_dns_hostnames: dns_hostnames,
        dhcp_options_id: s(v.dhcp_options_id()),
    }
}

pub(super) async fn describe_dhcp_options(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Readable<DhcpOptionsFacts> {
    let list: Result<Vec<_>, _> = ec2
        .describe_dhcp_options()
        .filters(filter("dhcp-options-id", [id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match list {
        Ok(list) => match list.iter().find(|d| d.dhcp_options_id() == Some(id)) {
            Some(d) => read(dhcp_options_facts(d)),
            None => Readable::Unreadable(Unreadable {
                api: "ec2:DescribeDhcpOptions".into(),
                error_code: "InvalidDhcpOptionID.NotFound".into(),
                message: format!("DHCP options {id} were not returned"),
            }),
        },
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeDhcpOptions", &e)),
    }
}

/// Converts DHCP options, keeping the DNS servers they hand out.
pub(super) fn dhcp_options_facts(d: &DhcpOptions) -> DhcpOptionsFacts {
    DhcpOptionsFacts {
        id: d.dhcp_options_id().unwrap_or_default().to_string(),
        domain_name_servers: d
            .dhcp_configurations()
            .iter()
            .filter(|c| c.key() == Some("domain-name-servers"))
            .flat_map(|c| c.values())
            .filter_map(|v| s(v.value()))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// Routes and NACLs
// ---------------------------------------------------------------------------------------

pub(super) async fn describe_route_tables(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Readable<Vec<RouteTableFacts>> {
    let list: Result<Vec<_>, _> = ec2
        .describe_route_tables()
        .filters(filter("vpc-id", [vpc_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match list {
        Ok(list) => read(list.iter().map(route_table_facts).collect()),
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeRouteTables", &e)),
    }
}

/// Converts a route table: main flag, explicit subnet associations, routes.
pub(super) fn route_table_facts(rt: &RouteTable) -> RouteTableFacts {
    let current = |a: &&aws_sdk_ec2::types::RouteTableAssociation| {
        a.association_state()
            .and_then(|st| st.state())
            .is_none_or(|st| matches!(st.as_str(), "associated" | "associating"))
    };
    RouteTableFacts {
        id: rt.route_table_id().unwrap_or_default().to_string(),
        vpc_id: s(rt.vpc_id()),
        main: rt
            .associations()
            .iter()
            .filter(current)
            .any(|a| a.main() == Some(true)),
        subnet_ids: rt
            .associations()
            .iter()
            .filter(current)
            .filter_map(|a| s(a.subnet_id()))
            .collect(),
        routes: rt.routes().iter().map(route_facts).collect(),
    }
}

/// Converts one route.
pub(super) fn route_facts(r: &Route) -> RouteFacts {
    RouteFacts {
        destination_cidr: s(r.destination_cidr_block()),
        destination_ipv6_cidr: s(r.destination_ipv6_cidr_block()),
        destination_prefix_list_id: s(r.destination_prefix_list_id()),
        target: route_target(r),
        state: r.state().map(|x| x.as_str().to_string()),
    }
}

/// Where a route sends traffic. `GatewayId` carries several kinds of gateway, told apart by
/// their ID prefix; the dedicated fields name the rest.
pub(super) fn route_target(r: &Route) -> RouteTarget {
    if let Some(g) = s(r.gateway_id()) {
        let kind = if g == "local" {
            RouteTarget::Local
        } else if g.starts_with("igw-") {
            RouteTarget::InternetGateway(g)
        } else if g.starts_with("vpce-") {
            RouteTarget::VpcEndpoint(g)
        } else if g.starts_with("vgw-") {
            RouteTarget::VirtualPrivateGateway(g)
        } else if g.starts_with("nat-") {
            RouteTarget::NatGateway(g)
        } else if g.starts_with("tgw-") {
            RouteTarget::TransitGateway(g)
        } else if g.starts_with("eigw-") {
            RouteTarget::EgressOnlyInternetGateway(g)
        } else {
            RouteTarget::Other(g)
        };
        return kind;
    }
    if let Some(id) = s(r.nat_gateway_id()) {
        RouteTarget::NatGateway(id)
    } else if let Some(id) = s(r.transit_gateway_id()) {
        RouteTarget::TransitGateway(id)
    } else if let Some(id) = s(r.vpc_peering_connection_id()) {
        RouteTarget::VpcPeering(id)
    } else if let Some(id) = s(r.egress_only_internet_gateway_id()) {
        RouteTarget::EgressOnlyInternetGateway(id)
    } else if let Some(id) = s(r.network_interface_id()) {
        RouteTarget::NetworkInterface(id)
    } else if let Some(id) = s(r.instance_id()) {
        RouteTarget::Instance(id)
    } else if let Some(id) = s(r.carrier_gateway_id())
        .or(s(r.local_gateway_id()))
        .or(s(r.core_network_arn()))
        .or(s(r.odb_network_arn()))
    {
        RouteTarget::Other(id)
    } else {
        RouteTarget::Unknown
    }
}

pub(super) async fn describe_network_acls(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Readable<Vec<NetworkAclFacts>> {
    let list: Result<Vec<_>, _> = ec2
        .describe_network_acls()
        .filters(filter("vpc-id", [vpc_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match list {
        Ok(list) => read(list.iter().map(network_acl_facts).collect()),
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeNetworkAcls", &e)),
    }
}

/// Converts a network ACL with its associations and entries, as AWS lists them.
pub(super) fn network_acl_facts(acl: &NetworkAcl) -> NetworkAclFacts {
    NetworkAclFacts {
        id: acl.network_acl_id().unwrap_or_default().to_string(),
        is_default: acl.is_default().unwrap_or(false),
        subnet_ids: acl
            .associations()
            .iter()
            .filter_map(|a| s(a.subnet_id()))
            .collect(),
        entries: acl.entries().iter().map(nacl_entry_facts).collect(),
    }
}

/// Converts one NACL entry.
pub(super) fn nacl_entry_facts(e: &NetworkAclEntry) -> NaclEntryFacts {
    NaclEntryFacts {
        rule_number: e.rule_number().unwrap_or_default(),
        egress: e.egress().unwrap_or(false),
        protocol: e.protocol().unwrap_or("-1").to_string(),
        action: e
            .rule_action()
            .map(|a| a.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
        cidr: s(e.cidr_block()),
        ipv6_cidr: s(e.ipv6_cidr_block()),
        from_port: e.port_range().and_then(|p| p.from()),
        to_port: e.port_range().and_then(|p| p.to()),
    }
}

// ---------------------------------------------------------------------------------------
// Endpoints and gateways
// ---------------------------------------------------------------------------------------

pub(super) async fn describe_vpc_endpoints(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Readable<Vec<VpcEndpointFacts>> {
    let list: Result<Vec<_>, _> = ec2
        .describe_vpc_endpoints()
        .filters(filter("vpc-id", [vpc_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match list {
        Ok(list) => read(list.iter().map(vpc_endpoint_facts).collect()),
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeVpcEndpoints", &e)),
    }
}

/// Converts a VPC endpoint. Its state is recorded lowercase from the wire value: the SDK's
/// shared `State` enum knows only `Available`, so `available` arrives as an unknown variant.
pub(super) fn vpc_endpoint_facts(ep: &VpcEndpoint) -> VpcEndpointFacts {
    VpcEndpointFacts {
        id: ep.vpc_endpoint_id().unwrap_or_default().to_string(),
        service_name: ep.service_name().unwrap_or_default().to_string(),
        endpoint_type: ep
            .vpc_endpoint_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        state: ep.state().map(|x| x.as_str().to_ascii_lowercase()),
        private_dns_enabled: ep.private_dns_enabled(),
        subnet_ids: ep.subnet_ids().to_vec(),
        network_interface_ids: ep.network_interface_ids().to_vec(),
        security_group_ids: ep.groups().iter().filter_map(|g| s(g.group_id())).collect(),
        route_table_ids: ep.route_table_ids().to_vec(),
        policy_document: s(ep.policy_document()),
    }
}

pub(super) async fn describe_nat_gateways(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Readable<Vec<NatGatewayFacts>> {
    let list: Result<Vec<_>, _> = ec2
        .describe_nat_gateways()
        .filter(filter("vpc-id", [vpc_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match list {
        Ok(list) => read(list.iter().map(nat_gateway_facts).collect()),
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeNatGateways", &e)),
    }
}

/// Converts a NAT gateway.
pub(super) fn nat_gateway_facts(n: &NatGateway) -> NatGatewayFacts {
    NatGatewayFacts {
        id: n.nat_gateway_id().unwrap_or_default().to_string(),
        state: n.state().map(|x| x.as_str().to_string()),
        subnet_id: s(n.subnet_id()),
        connectivity_type: n.connectivity_type().map(|x| x.as_str().to_string()),
    }
}

pub(super) async fn describe_internet_gateways(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Readable<Vec<InternetGatewayFacts>> {
    let list: Result<Vec<_>, _> = ec2
        .describe_internet_gateways()
        .filters(filter("attachment.vpc-id", [vpc_id]))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match list {
        Ok(list) => read(list.iter().map(internet_gateway_facts).collect()),
        Err(e) => Readable::Unreadable(unreadable("ec2:DescribeInternetGateways", &e)),
    }
}

/// Converts an internet gateway, keeping the VPCs it is attached to.
pub(super) fn internet_gateway_facts(g: &InternetGateway) -> InternetGatewayFacts {
    InternetGatewayFacts {
        id: g.internet_gateway_id().unwrap_or_default().to_string(),
        attached_vpc_ids: g
            .attachments()
            .iter()
            .filter(|a| {
                a.state()
                    .is_none_or(|st| matches!(st.as_str(), "available" | "attached"))
            })
            .filter_map(|a| s(a.vpc_id()))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// Security groups
// ---------------------------------------------------------------------------------------
