//! Network reads: where the task's traffic starts, and everything on its way out of the VPC.
//!
//! The origin comes first (the task ENI, or the EC2 host's primary ENI), then everything the
//! network judge needs is read once per VPC, concurrently: the VPC and its DNS attributes, DHCP
//! options, route tables, NACLs, endpoints and their ENIs, NAT and internet gateways, security
//! groups (with rule IDs) and prefix lists (with CIDRs). Every call is read-only, filtered by
//! VPC where the API allows it and paginated where the API paginates; every error becomes an
//! `Unreadable` fact. Filters are used instead of ID lists wherever a resource may be gone (a
//! deleted ENI or security group): a filter answers "nothing", an ID list fails the whole call.
//!
//! The conversions are plain functions of SDK types, unit-tested with SDK builders.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{
    DhcpOptions, Filter, Instance, InstanceNetworkInterface, InternetGateway, ManagedPrefixList,
    NatGateway, NetworkAcl, NetworkAclEntry, NetworkInterface, Route, RouteTable, SecurityGroup,
    SecurityGroupRule, Subnet, Vpc, VpcAttributeName, VpcEndpoint,
};
use aws_sdk_ecs::types::{AssignPublicIp, AwsVpcConfiguration};
use tokio::task::JoinSet;

use super::Clients;
use super::error::unreadable;
use crate::facts::{
    DhcpOptionsFacts, EniFacts, InternetGatewayFacts, NaclEntryFacts, NatGatewayFacts,
    NetworkAclFacts, NetworkFacts, OriginFacts, PrefixListFacts, Readable, RouteFacts,
    RouteTableFacts, RouteTarget, SecurityGroupFacts, SgRuleFacts, SubnetFacts,
    TaskDefinitionFacts, TaskFacts, Unreadable, VpcEndpointFacts, VpcFacts,
};

/// Reads the network facts of a task: its origin, then its subnet and VPC. Never fails: what
/// could not be read is recorded as unreadable, what does not apply is left `None`.
pub(super) async fn network(
    clients: &Clients,
    task: &TaskFacts,
    td: Option<&TaskDefinitionFacts>,
) -> NetworkFacts {
    let mut origin = OriginFacts {
        launch_type: task.launch_type.clone(),
        network_mode: td.and_then(|t| t.network_mode.clone()),
        ..OriginFacts::default()
    };
    let attachment = eni_attachment(task);
    let awsvpc = origin.network_mode.as_deref() == Some("awsvpc")
        || attachment.is_some()
        || origin.launch_type.as_deref() == Some("FARGATE");

    let found = if awsvpc {
        awsvpc_origin(clients, task, attachment, &mut origin).await
    } else if task.container_instance_arn.is_some() {
        instance_origin(clients, task, &mut origin).await
    } else {
        // EXTERNAL, or a task that was never placed: there is no VPC path to read.
        OriginRead::default()
    };

    let mut facts = NetworkFacts {
        eni: found.eni.clone(),
        ..NetworkFacts::default()
    };
    let Some(subnet_id) = origin.subnet_id.clone() else {
        facts.origin = origin;
        return facts;
    };
    let region = region(clients, task);

    let eni_vpc = found
        .eni
        .as_ref()
        .and_then(Readable::value)
        .and_then(|e| e.vpc_id.clone());
    let (subnet, vpc) = match eni_vpc {
        // The ENI names the VPC: read the subnet alongside everything else.
        Some(vpc_id) => {
            let (subnet, vpc) = tokio::join!(
                describe_subnet(&clients.ec2, &subnet_id),
                vpc_wide(&clients.ec2, &vpc_id, &region, &origin.security_group_ids)
            );
            (subnet, Some(vpc))
        }
        // The ENI is gone (or unreadable): the subnet tells which VPC to read.
        None => {
            let subnet = describe_subnet(&clients.ec2, &subnet_id).await;
            let vpc = match subnet.value() {
                Some(s) => Some(
                    vpc_wide(&clients.ec2, &s.vpc_id, &region, &origin.security_group_ids).await,
                ),
                None => None,
            };
            (subnet, vpc)
        }
    };
    facts.subnet = Some(subnet);
    if let Some(v) = vpc {
        facts.vpc = Some(v.vpc);
        facts.dhcp_options = v.dhcp_options;
        facts.route_tables = Some(v.route_tables);
        facts.network_acls = Some(v.network_acls);
        facts.security_groups = Some(v.security_groups);
        facts.vpc_endpoints = Some(v.vpc_endpoints);
        facts.endpoint_enis = v.endpoint_enis;
        facts.prefix_lists = Some(v.prefix_lists);
        facts.nat_gateways = Some(v.nat_gateways);
        facts.internet_gateways = Some(v.internet_gateways);
    }
    // Without the task's own groups no security-group question can be answered: when the
    // service that would have named them could not be read, say so where the groups go.
    if let (Some(u), true) = (
        found.groups_unreadable,
        origin.security_group_ids.is_empty(),
    ) {
        facts.security_groups = Some(Readable::Unreadable(u));
    }
    facts.origin = origin;
    facts
}

/// What locating the origin produced besides the origin itself.
#[derive(Default)]
struct OriginRead {
    /// The ENI the traffic leaves from: `None` when there is none to describe (deleted).
    eni: Option<Readable<EniFacts>>,
    /// Why the task's security groups are unknown, when a read that would have named them failed.
    groups_unreadable: Option<Unreadable>,
}

fn read<T>(value: T) -> Readable<T> {
    Readable::Read { value }
}

fn s(v: Option<&str>) -> Option<String> {
    v.filter(|x| !x.is_empty()).map(str::to_string)
}

fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// The Region for names like `com.amazonaws.<region>.s3`: the client's, else the task ARN's.
fn region(clients: &Clients, task: &TaskFacts) -> String {
    clients
        .ec2
        .config()
        .region()
        .map(|r| r.as_ref().to_string())
        .or_else(|| task.task_arn.split(':').nth(3).map(str::to_string))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Origin
// ---------------------------------------------------------------------------------------

/// The ENI attachment of an awsvpc task, as DescribeTasks (`ElasticNetworkInterface`) or the
/// EventBridge event (`eni`) gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct EniAttachment {
    attachment_id: Option<String>,
    eni_id: Option<String>,
    subnet_id: Option<String>,
    private_ip: Option<String>,
}

fn eni_attachment(task: &TaskFacts) -> Option<EniAttachment> {
    let a = task.attachments.iter().find(|a| {
        a.kind.as_deref().is_some_and(|k| {
            k.eq_ignore_ascii_case("ElasticNetworkInterface") || k.eq_ignore_ascii_case("eni")
        })
    })?;
    let detail = |k: &str| s(a.details.get(k).map(String::as_str));
    Some(EniAttachment {
        attachment_id: s(a.id.as_deref()),
        eni_id: detail("networkInterfaceId"),
        subnet_id: detail("subnetId"),
        private_ip: detail("privateIPv4Address"),
    })
}

/// The service name of a task started by a service (`service:<name>`).
fn service_name(group: Option<&str>) -> Option<&str> {
    group
        .and_then(|g| g.strip_prefix("service:"))
        .filter(|n| !n.is_empty())
}

/// The cluster to ask ECS about: the task's cluster ARN, else the cluster in the task ARN.
fn cluster_of(task: &TaskFacts) -> Option<String> {
    task.cluster_arn.clone().or_else(|| {
        let resource = task.task_arn.split(':').nth(5)?;
        let mut parts = resource.split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("task"), Some(cluster), Some(_)) => Some(cluster.to_string()),
            _ => None,
        }
    })
}

async fn describe_enis(
    ec2: &aws_sdk_ec2::Client,
    filters: Vec<Filter>,
) -> Result<Vec<NetworkInterface>, Unreadable> {
    ec2.describe_network_interfaces()
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unreadable("ec2:DescribeNetworkInterfaces", &e))
}

/// Fargate or EC2 awsvpc: the task's own ENI. On AWS a stopped task's ENI is deleted, so the
/// attachment's subnet is kept and, for a service's task, the service's network configuration
/// names the security groups.
async fn awsvpc_origin(
    clients: &Clients,
    task: &TaskFacts,
    attachment: Option<EniAttachment>,
    origin: &mut OriginFacts,
) -> OriginRead {
    let att = attachment.unwrap_or_default();
    let mut out = OriginRead::default();

    let lookup = if let Some(id) = &att.eni_id {
        Some(("attachment", vec![filter("network-interface-id", [id])]))
    } else if let Some(ip) = &att.private_ip {
        let mut f = vec![filter("addresses.private-ip-address", [ip])];
        if let Some(subnet) = &att.subnet_id {
            f.push(filter("subnet-id", [subnet]));
        }
        Some(("privateIp", f))
    } else {
        att.attachment_id.as_ref().map(|id| {
            // ECS describes a task ENI as `arn:aws:ecs:<region>:<account>:attachment/<id>`.
            (
                "description",
                vec![filter("description", [format!("*attachment/{id}")])],
            )
        })
    };

    if let Some((how, filters)) = lookup {
        match describe_enis(&clients.ec2, filters).await {
            // Only an unambiguous answer identifies the task's ENI.
            Ok(enis) if enis.len() == 1 => {
                let eni = eni_facts(&enis[0]);
                origin.eni_id = Some(eni.id.clone());
                origin.subnet_id = eni.subnet_id.clone().or(att.subnet_id.clone());
                origin.private_ip = eni.private_ip.clone().or(att.private_ip.clone());
                origin.security_group_ids = eni.security_group_ids.clone();
                origin.found_by = Some(how.to_string());
                out.eni = Some(read(eni));
                return out;
            }
            Ok(_) => {}
            Err(u) => out.eni = Some(Readable::Unreadable(u)),
        }
    }

    // The ENI is gone (AWS deletes it when the task stops) or could not be read.
    origin.eni_id = att.eni_id.clone();
    origin.subnet_id = att.subnet_id.clone();
    origin.private_ip = att.private_ip.clone();
    if origin.subnet_id.is_some() {
        origin.found_by = Some("attachment".into());
    }
    if let (Some(name), Some(cluster)) = (service_name(task.group.as_deref()), cluster_of(task)) {
        match describe_service_network(&clients.ecs, &cluster, name).await {
            Ok(Some(cfg)) => apply_service_network(origin, &cfg),
            Ok(None) => {}
            Err(u) => out.groups_unreadable = Some(u),
        }
    }
    out
}

async fn describe_service_network(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
) -> Result<Option<AwsVpcConfiguration>, Unreadable> {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .map_err(|e| unreadable("ecs:DescribeServices", &e))?;
    Ok(out
        .services()
        .iter()
        .find(|sv| sv.service_name() == Some(name))
        .and_then(|sv| sv.network_configuration())
        .and_then(|n| n.awsvpc_configuration())
        .cloned())
}

/// Fills the origin from a service's `awsvpcConfiguration` (the task's ENI being gone).
fn apply_service_network(origin: &mut OriginFacts, cfg: &AwsVpcConfiguration) {
    origin.security_group_ids = cfg.security_groups().to_vec();
    origin.assign_public_ip = cfg.assign_public_ip().and_then(|a| match a {
        AssignPublicIp::Enabled => Some(true),
        AssignPublicIp::Disabled => Some(false),
        _ => None,
    });
    if origin.subnet_id.is_none() && cfg.subnets().len() == 1 {
        origin.subnet_id = Some(cfg.subnets()[0].clone());
    }
    origin.found_by = Some("service".into());
}

/// EC2 bridge/host mode: the agent pulls through the container instance's primary ENI.
async fn instance_origin(
    clients: &Clients,
    task: &TaskFacts,
    origin: &mut OriginFacts,
) -> OriginRead {
    let mut out = OriginRead::default();
    let (Some(ci_arn), Some(cluster)) = (task.container_instance_arn.as_deref(), cluster_of(task))
    else {
        return out;
    };
    let instance_id = match clients
        .ecs
        .describe_container_instances()
        .cluster(cluster)
        .container_instances(ci_arn)
        .send()
        .await
    {
        Ok(o) => match o
            .container_instances()
            .iter()
            .find_map(|c| s(c.ec2_instance_id()))
        {
            Some(id) => id,
            None => {
                out.eni = Some(Readable::Unreadable(Unreadable {
                    api: "ecs:DescribeContainerInstances".into(),
                    error_code: o
                        .failures()
                        .first()
                        .and_then(|f| s(f.reason()))
                        .unwrap_or_else(|| "MISSING".into()),
                    message: format!("container instance {ci_arn} was not returned"),
                }));
                return out;
            }
        },
        Err(e) => {
            out.eni = Some(Readable::Unreadable(unreadable(
                "ecs:DescribeContainerInstances",
                &e,
            )));
            return out;
        }
    };
    origin.instance_id = Some(instance_id.clone());
    origin.found_by = Some("containerInstance".into());

    let instances: Result<Vec<_>, _> = clients
        .ec2
        .describe_instances()
        .instance_ids(&instance_id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let eni = match instances {
        Ok(reservations) => reservations
            .iter()
            .flat_map(|r| r.instances())
            .find(|i| i.instance_id() == Some(instance_id.as_str()))
            .and_then(primary_eni_facts)
            .ok_or_else(|| Unreadable {
                api: "ec2:DescribeInstances".into(),
                error_code: "InvalidInstanceID.NotFound".into(),
                message: format!(
                    "instance {instance_id} or its primary network interface was not returned"
                ),
            }),
        Err(e) => Err(unreadable("ec2:DescribeInstances", &e)),
    };
    match eni {
        Ok(eni) => {
            origin.eni_id = Some(eni.id.clone());
            origin.subnet_id = eni.subnet_id.clone();
            origin.private_ip = eni.private_ip.clone();
            origin.security_group_ids = eni.security_group_ids.clone();
            out.eni = Some(read(eni));
        }
        Err(u) => out.eni = Some(Readable::Unreadable(u)),
    }
    out
}

/// The instance's primary ENI (device index 0) as an ENI fact.
fn primary_eni_facts(i: &Instance) -> Option<EniFacts> {
    let nics = i.network_interfaces();
    let primary = nics
        .iter()
        .find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0))
        .or_else(|| {
            nics.iter().find(|n| {
                n.private_ip_address().is_some() && n.private_ip_address() == i.private_ip_address()
            })
        })
        .or(nics.first())?;
    Some(instance_eni_facts(i, primary))
}

fn instance_eni_facts(i: &Instance, n: &InstanceNetworkInterface) -> EniFacts {
    EniFacts {
        id: n.network_interface_id().unwrap_or_default().to_string(),
        subnet_id: s(n.subnet_id()).or(s(i.subnet_id())),
        vpc_id: s(n.vpc_id()).or(s(i.vpc_id())),
        private_ip: s(n.private_ip_address()),
        public_ip: n.association().and_then(|a| s(a.public_ip())),
        ipv6_addresses: n
            .ipv6_addresses()
            .iter()
            .filter_map(|a| s(a.ipv6_address()))
            .collect(),
        security_group_ids: n.groups().iter().filter_map(|g| s(g.group_id())).collect(),
        interface_type: s(n.interface_type()),
        description: s(n.description()),
        status: n.status().map(|x| x.as_str().to_string()),
        availability_zone: i.placement().and_then(|p| s(p.availability_zone())),
    }
}

/// Converts an ENI.
fn eni_facts(n: &NetworkInterface) -> EniFacts {
    EniFacts {
        id: n.network_interface_id().unwrap_or_default().to_string(),
        subnet_id: s(n.subnet_id()),
        vpc_id: s(n.vpc_id()),
        private_ip: s(n.private_ip_address()),
        public_ip: n.association().and_then(|a| s(a.public_ip())),
        ipv6_addresses: n
            .ipv6_addresses()
            .iter()
            .filter_map(|a| s(a.ipv6_address()))
            .collect(),
        security_group_ids: n.groups().iter().filter_map(|g| s(g.group_id())).collect(),
        interface_type: n.interface_type().map(|x| x.as_str().to_string()),
        description: s(n.description()),
        status: n.status().map(|x| x.as_str().to_string()),
        availability_zone: s(n.availability_zone()),
    }
}

// ---------------------------------------------------------------------------------------
// Subnet and VPC
// ---------------------------------------------------------------------------------------

async fn describe_subnet(ec2: &aws_sdk_ec2::Client, subnet_id: &str) -> Readable<SubnetFacts> {
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
fn subnet_facts(sn: &Subnet) -> SubnetFacts {
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
struct VpcWide {
    vpc: Readable<VpcFacts>,
    dhcp_options: Option<Readable<DhcpOptionsFacts>>,
    route_tables: Readable<Vec<RouteTableFacts>>,
    network_acls: Readable<Vec<NetworkAclFacts>>,
    security_groups: Readable<Vec<SecurityGroupFacts>>,
    vpc_endpoints: Readable<Vec<VpcEndpointFacts>>,
    endpoint_enis: Option<Readable<Vec<EniFacts>>>,
    prefix_lists: Readable<Vec<PrefixListFacts>>,
    nat_gateways: Readable<Vec<NatGatewayFacts>>,
    internet_gateways: Readable<Vec<InternetGatewayFacts>>,
}

/// Reads the VPC in three rounds: (1) everything that needs only the VPC ID, (2) what the
/// endpoints name (their ENIs and groups, with the task's groups), and the groups those rules
/// reference, (3) the prefix lists that routes and rules name, with their entries.
async fn vpc_wide(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    region: &str,
    task_groups: &[String],
) -> VpcWide {
    let vpc_chain = async {
        let vpc = describe_vpc(ec2, vpc_id).await;
        let dhcp = match vpc.value().and_then(|v| v.dhcp_options_id.clone()) {
            // `default` means no DHCP options set is associated: nothing to describe.
            Some(id) if id != "default" => Some(describe_dhcp_options(ec2, &id).await),
            _ => None,
        };
        (vpc, dhcp)
    };
    let endpoint_chain = async {
        let endpoints = describe_vpc_endpoints(ec2, vpc_id).await;
        let mut group_ids: Vec<String> = task_groups.to_vec();
        let mut eni_ids: Vec<String> = Vec::new();
        if let Some(eps) = endpoints.value() {
            for ep in eps {
                for g in &ep.security_group_ids {
                    if !group_ids.contains(g) {
                        group_ids.push(g.clone());
                    }
                }
                for n in &ep.network_interface_ids {
                    if !eni_ids.contains(n) {
                        eni_ids.push(n.clone());
                    }
                }
            }
        }
        let enis = async {
            match (&endpoints, eni_ids.is_empty()) {
                (Readable::Unreadable(_), _) => None,
                (_, true) => Some(read(Vec::new())),
                (_, false) => Some(
                    match describe_enis(ec2, vec![filter("network-interface-id", &eni_ids)]).await {
                        Ok(list) => read(list.iter().map(eni_facts).collect()),
                        Err(u) => Readable::Unreadable(u),
                    },
                ),
            }
        };
        let (enis, groups) = tokio::join!(enis, security_groups(ec2, &group_ids));
        (endpoints, enis, groups)
    };
    let s3_name = format!("com.amazonaws.{region}.s3");
    let (
        (vpc, dhcp_options),
        route_tables,
        network_acls,
        (vpc_endpoints, endpoint_enis, security_groups),
        nat_gateways,
        internet_gateways,
        s3_lists,
    ) = tokio::join!(
        vpc_chain,
        describe_route_tables(ec2, vpc_id),
        describe_network_acls(ec2, vpc_id),
        endpoint_chain,
        describe_nat_gateways(ec2, vpc_id),
        describe_internet_gateways(ec2, vpc_id),
        describe_prefix_lists(ec2, filter("prefix-list-name", [&s3_name])),
    );

    let mut referenced = BTreeSet::new();
    if let Some(rts) = route_tables.value() {
        referenced.extend(
            rts.iter()
                .flat_map(|rt| &rt.routes)
                .filter_map(|r| r.destination_prefix_list_id.clone()),
        );
    }
    if let Some(groups) = security_groups.value() {
        referenced.extend(
            groups
                .iter()
                .flat_map(|g| &g.rules)
                .filter_map(|r| r.prefix_list_id.clone()),
        );
    }
    let prefix_lists = prefix_lists(ec2, s3_lists, referenced).await;

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

async fn describe_vpc(ec2: &aws_sdk_ec2::Client, vpc_id: &str) -> Readable<VpcFacts> {
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
    // An attribute that cannot be read stays None, as VpcFacts documents.
    let support = support
        .ok()
        .and_then(|o| o.enable_dns_support().and_then(|v| v.value()));
    let hostnames = hostnames
        .ok()
        .and_then(|o| o.enable_dns_hostnames().and_then(|v| v.value()));
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
fn vpc_facts(v: &Vpc, dns_support: Option<bool>, dns_hostnames: Option<bool>) -> VpcFacts {
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

async fn describe_dhcp_options(ec2: &aws_sdk_ec2::Client, id: &str) -> Readable<DhcpOptionsFacts> {
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
fn dhcp_options_facts(d: &DhcpOptions) -> DhcpOptionsFacts {
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

async fn describe_route_tables(
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
fn route_table_facts(rt: &RouteTable) -> RouteTableFacts {
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
fn route_facts(r: &Route) -> RouteFacts {
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
fn route_target(r: &Route) -> RouteTarget {
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

async fn describe_network_acls(
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
fn network_acl_facts(acl: &NetworkAcl) -> NetworkAclFacts {
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
fn nacl_entry_facts(e: &NetworkAclEntry) -> NaclEntryFacts {
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

async fn describe_vpc_endpoints(
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
fn vpc_endpoint_facts(ep: &VpcEndpoint) -> VpcEndpointFacts {
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

async fn describe_nat_gateways(
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
fn nat_gateway_facts(n: &NatGateway) -> NatGatewayFacts {
    NatGatewayFacts {
        id: n.nat_gateway_id().unwrap_or_default().to_string(),
        state: n.state().map(|x| x.as_str().to_string()),
        subnet_id: s(n.subnet_id()),
        connectivity_type: n.connectivity_type().map(|x| x.as_str().to_string()),
    }
}

async fn describe_internet_gateways(
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
fn internet_gateway_facts(g: &InternetGateway) -> InternetGatewayFacts {
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

/// Reads the given groups, then the groups their rules reference (one level: enough to name
/// a peer group and see whether it exists).
async fn security_groups(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
) -> Readable<Vec<SecurityGroupFacts>> {
    if ids.is_empty() {
        return read(Vec::new());
    }
    let mut groups = match read_groups(ec2, ids).await {
        Ok(g) => g,
        Err(u) => return Readable::Unreadable(u),
    };
    let referenced: Vec<String> = groups
        .iter()
        .flat_map(|g| &g.rules)
        .filter_map(|r| r.referenced_group_id.clone())
        .filter(|id| !ids.contains(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !referenced.is_empty() {
        match read_groups(ec2, &referenced).await {
            Ok(more) => groups.extend(more),
            Err(u) => return Readable::Unreadable(u),
        }
    }
    read(groups)
}

/// DescribeSecurityGroups (name, VPC, existence) and DescribeSecurityGroupRules (each rule
/// with its `sgr-` ID), concurrently.
async fn read_groups(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
) -> Result<Vec<SecurityGroupFacts>, Unreadable> {
    let groups = ec2
        .describe_security_groups()
        .filters(filter("group-id", ids))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let rules = ec2
        .describe_security_group_rules()
        .filters(filter("group-id", ids))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let (groups, rules) = tokio::join!(groups, rules);
    let groups = groups.map_err(|e| unreadable("ec2:DescribeSecurityGroups", &e))?;
    let rules = rules.map_err(|e| unreadable("ec2:DescribeSecurityGroupRules", &e))?;
    Ok(security_group_facts(ids, &groups, &rules))
}

/// Joins groups and their rules, in the order the IDs were asked for. A group that does not
/// exist (any more) is absent.
fn security_group_facts(
    ids: &[String],
    groups: &[SecurityGroup],
    rules: &[SecurityGroupRule],
) -> Vec<SecurityGroupFacts> {
    ids.iter()
        .filter_map(|id| groups.iter().find(|g| g.group_id() == Some(id.as_str())))
        .map(|g| {
            let id = g.group_id().unwrap_or_default();
            SecurityGroupFacts {
                id: id.to_string(),
                name: s(g.group_name()),
                vpc_id: s(g.vpc_id()),
                rules: rules
                    .iter()
                    .filter(|r| r.group_id() == Some(id))
                    .map(sg_rule_facts)
                    .collect(),
            }
        })
        .collect()
}

/// Converts one security group rule.
fn sg_rule_facts(r: &SecurityGroupRule) -> SgRuleFacts {
    SgRuleFacts {
        rule_id: s(r.security_group_rule_id()),
        egress: r.is_egress().unwrap_or(false),
        protocol: r.ip_protocol().unwrap_or("-1").to_string(),
        from_port: r.from_port(),
        to_port: r.to_port(),
        cidr: s(r.cidr_ipv4()),
        ipv6_cidr: s(r.cidr_ipv6()),
        prefix_list_id: s(r.prefix_list_id()),
        referenced_group_id: r.referenced_group_info().and_then(|g| s(g.group_id())),
        description: s(r.description()),
    }
}

// ---------------------------------------------------------------------------------------
// Prefix lists
// ---------------------------------------------------------------------------------------

async fn describe_prefix_lists(
    ec2: &aws_sdk_ec2::Client,
    f: Filter,
) -> Result<Vec<ManagedPrefixList>, Unreadable> {
    ec2.describe_managed_prefix_lists()
        .filters(f)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unreadable("ec2:DescribeManagedPrefixLists", &e))
}

async fn prefix_list_entries(ec2: &aws_sdk_ec2::Client, id: &str) -> Option<Vec<String>> {
    let entries: Result<Vec<_>, _> = ec2
        .get_managed_prefix_list_entries()
        .prefix_list_id(id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    // The type has no room for this error: `cidrs: None` says the entries are unknown.
    entries
        .ok()
        .map(|list| list.iter().filter_map(|e| s(e.cidr())).collect())
}

/// The Region's S3 list (found by name: its ID differs per Region, and per server in moto)
/// plus every list a route or rule names, each with its CIDRs.
async fn prefix_lists(
    ec2: &aws_sdk_ec2::Client,
    s3_lists: Result<Vec<ManagedPrefixList>, Unreadable>,
    referenced: BTreeSet<String>,
) -> Readable<Vec<PrefixListFacts>> {
    let mut lists: Vec<PrefixListFacts> = match s3_lists {
        Ok(l) => l.iter().map(prefix_list_head).collect(),
        Err(u) => return Readable::Unreadable(u),
    };
    let unknown: Vec<&String> = referenced
        .iter()
        .filter(|id| !lists.iter().any(|l| &l.id == *id))
        .collect();
    if !unknown.is_empty() {
        match describe_prefix_lists(ec2, filter("prefix-list-id", unknown.iter().copied())).await {
            Ok(found) => lists.extend(found.iter().map(prefix_list_head)),
            Err(u) => return Readable::Unreadable(u),
        }
    }
    // A list a route or rule names but that cannot be described is kept by ID.
    for id in unknown {
        if !lists.iter().any(|l| &l.id == id) {
            lists.push(PrefixListFacts {
                id: id.clone(),
                ..PrefixListFacts::default()
            });
        }
    }

    let mut set = JoinSet::new();
    for (i, l) in lists.iter().enumerate() {
        let ec2 = ec2.clone();
        let id = l.id.clone();
        set.spawn(async move { (i, prefix_list_entries(&ec2, &id).await) });
    }
    while let Some(done) = set.join_next().await {
        if let Ok((i, cidrs)) = done {
            lists[i].cidrs = cidrs;
        }
    }
    read(lists)
}

fn prefix_list_head(l: &ManagedPrefixList) -> PrefixListFacts {
    PrefixListFacts {
        id: l.prefix_list_id().unwrap_or_default().to_string(),
        name: s(l.prefix_list_name()),
        cidrs: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::AttachmentFacts;
    use aws_sdk_ec2::types::{
        AttachmentStatus, DhcpConfiguration, GroupIdentifier, InstanceNetworkInterfaceAttachment,
        InternetGatewayAttachment, NatGatewayState, NetworkInterfaceAssociation,
        NetworkInterfaceType, PortRange, ReferencedSecurityGroup, RouteState,
        RouteTableAssociation, RuleAction, SecurityGroupIdentifier, State, VpcEndpointType,
    };

    fn route() -> aws_sdk_ec2::types::builders::RouteBuilder {
        Route::builder().destination_cidr_block("0.0.0.0/0")
    }

    #[test]
    fn route_targets_are_told_apart() {
        let cases = [
            (route().gateway_id("local").build(), RouteTarget::Local),
            (
                route().gateway_id("igw-1").build(),
                RouteTarget::InternetGateway("igw-1".into()),
            ),
            (
                route().gateway_id("vpce-1").build(),
                RouteTarget::VpcEndpoint("vpce-1".into()),
            ),
            (
                route().gateway_id("vgw-1").build(),
                RouteTarget::VirtualPrivateGateway("vgw-1".into()),
            ),
            (
                route().nat_gateway_id("nat-1").build(),
                RouteTarget::NatGateway("nat-1".into()),
            ),
            (
                route().transit_gateway_id("tgw-1").build(),
                RouteTarget::TransitGateway("tgw-1".into()),
            ),
            (
                route().vpc_peering_connection_id("pcx-1").build(),
                RouteTarget::VpcPeering("pcx-1".into()),
            ),
            (
                route().egress_only_internet_gateway_id("eigw-1").build(),
                RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
            ),
            (
                route().network_interface_id("eni-1").build(),
                RouteTarget::NetworkInterface("eni-1".into()),
            ),
            (
                route().instance_id("i-1").build(),
                RouteTarget::Instance("i-1".into()),
            ),
            (
                route().carrier_gateway_id("cagw-1").build(),
                RouteTarget::Other("cagw-1".into()),
            ),
            (
                route().gateway_id("lgw-1").build(),
                RouteTarget::Other("lgw-1".into()),
            ),
            (route().build(), RouteTarget::Unknown),
        ];
        for (r, want) in cases {
            assert_eq!(route_target(&r), want, "{r:?}");
        }
    }

    #[test]
    fn blackhole_and_prefix_list_routes_keep_their_state_and_destination() {
        let r = Route::builder()
            .destination_prefix_list_id("pl-63a5400a")
            .gateway_id("vpce-0abc")
            .state(RouteState::Active)
            .build();
        let f = route_facts(&r);
        assert_eq!(f.destination_prefix_list_id.as_deref(), Some("pl-63a5400a"));
        assert_eq!(f.destination_cidr, None);
        assert_eq!(f.state.as_deref(), Some("active"));
        let dead = route()
            .nat_gateway_id("nat-1")
            .state(RouteState::Blackhole)
            .build();
        assert_eq!(route_facts(&dead).state.as_deref(), Some("blackhole"));
    }

    #[test]
    fn route_table_main_flag_and_explicit_subnets() {
        let rt = RouteTable::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .associations(RouteTableAssociation::builder().main(true).build())
            .associations(
                RouteTableAssociation::builder()
                    .main(false)
                    .subnet_id("subnet-a")
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_cidr_block("10.0.0.0/16")
                    .gateway_id("local")
                    .build(),
            )
            .build();
        let f = route_table_facts(&rt);
        assert!(f.main);
        assert_eq!(f.subnet_ids, vec!["subnet-a".to_string()]);
        assert_eq!(f.routes[0].target, RouteTarget::Local);
    }

    #[test]
    fn endpoint_state_is_lowercased_whatever_the_sdk_enum_says() {
        // aws-sdk-ec2's shared State enum knows only "Available": the wire's "available" is Unknown.
        let wire = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .service_name("com.amazonaws.us-east-1.ecr.dkr")
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .state(State::from("available"))
            .private_dns_enabled(true)
            .subnet_ids("subnet-a")
            .network_interface_ids("eni-e")
            .groups(SecurityGroupIdentifier::builder().group_id("sg-ep").build())
            .policy_document("{}")
            .build();
        let f = vpc_endpoint_facts(&wire);
        assert_eq!(f.state.as_deref(), Some("available"));
        assert_eq!(f.endpoint_type, "Interface");
        assert_eq!(f.security_group_ids, vec!["sg-ep".to_string()]);
        assert_eq!(f.network_interface_ids, vec!["eni-e".to_string()]);
        assert_eq!(f.private_dns_enabled, Some(true));
        let modelled = VpcEndpoint::builder().state(State::Available).build();
        assert_eq!(
            vpc_endpoint_facts(&modelled).state.as_deref(),
            Some("available")
        );
        let pending = VpcEndpoint::builder()
            .state(State::PendingAcceptance)
            .build();
        assert_eq!(
            vpc_endpoint_facts(&pending).state.as_deref(),
            Some("pendingacceptance")
        );
    }

    #[test]
    fn sg_rules_keep_their_ids_and_peers() {
        let to_group = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-1")
            .group_id("sg-task")
            .is_egress(true)
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .referenced_group_info(ReferencedSecurityGroup::builder().group_id("sg-ep").build())
            .build();
        let to_pl = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-2")
            .group_id("sg-task")
            .is_egress(true)
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .prefix_list_id("pl-1")
            .description("S3")
            .build();
        let other = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-3")
            .group_id("sg-ep")
            .is_egress(false)
            .ip_protocol("-1")
            .from_port(-1)
            .to_port(-1)
            .cidr_ipv4("10.0.0.0/16")
            .build();
        let groups = [
            SecurityGroup::builder()
                .group_id("sg-ep")
                .group_name("endpoints")
                .vpc_id("vpc-1")
                .build(),
            SecurityGroup::builder()
                .group_id("sg-task")
                .group_name("task")
                .vpc_id("vpc-1")
                .build(),
        ];
        let ids = ["sg-task".to_string(), "sg-gone".into(), "sg-ep".into()];
        let f = security_group_facts(&ids, &groups, &[to_group, to_pl, other]);
        assert_eq!(f.len(), 2, "a deleted group is absent");
        assert_eq!(f[0].id, "sg-task");
        assert_eq!(f[0].name.as_deref(), Some("task"));
        assert_eq!(f[0].rules.len(), 2);
        let r = &f[0].rules[0];
        assert_eq!(r.rule_id.as_deref(), Some("sgr-1"));
        assert!(r.egress);
        assert_eq!(r.referenced_group_id.as_deref(), Some("sg-ep"));
        assert_eq!((r.from_port, r.to_port), (Some(443), Some(443)));
        assert_eq!(f[0].rules[1].prefix_list_id.as_deref(), Some("pl-1"));
        assert_eq!(f[0].rules[1].description.as_deref(), Some("S3"));
        assert_eq!(f[1].rules[0].cidr.as_deref(), Some("10.0.0.0/16"));
        assert_eq!(f[1].rules[0].protocol, "-1");
        assert!(!f[1].rules[0].egress);
    }

    #[test]
    fn nacl_entries_keep_order_fields_and_lowercase_actions() {
        let acl = NetworkAcl::builder()
            .network_acl_id("acl-1")
            .is_default(false)
            .associations(
                aws_sdk_ec2::types::NetworkAclAssociation::builder()
                    .subnet_id("subnet-a")
                    .build(),
            )
            .entries(
                NetworkAclEntry::builder()
                    .rule_number(100)
                    .egress(true)
                    .protocol("6")
                    .rule_action(RuleAction::Allow)
                    .cidr_block("0.0.0.0/0")
                    .port_range(PortRange::builder().from(443).to(443).build())
                    .build(),
            )
            .entries(
                NetworkAclEntry::builder()
                    .rule_number(32767)
                    .egress(false)
                    .protocol("-1")
                    .rule_action(RuleAction::Deny)
                    .cidr_block("0.0.0.0/0")
                    .build(),
            )
            .build();
        let f = network_acl_facts(&acl);
        assert_eq!(f.subnet_ids, vec!["subnet-a".to_string()]);
        assert_eq!(f.entries[0].action, "allow");
        assert_eq!(f.entries[0].protocol, "6");
        assert_eq!(
            (f.entries[0].from_port, f.entries[0].to_port),
            (Some(443), Some(443))
        );
        assert!(f.entries[0].egress);
        assert_eq!(f.entries[1].action, "deny");
        assert_eq!(f.entries[1].rule_number, 32767);
        assert_eq!(f.entries[1].from_port, None);
    }

    #[test]
    fn eni_keeps_public_ip_groups_and_type() {
        let n = NetworkInterface::builder()
            .network_interface_id("eni-1")
            .subnet_id("subnet-a")
            .vpc_id("vpc-1")
            .private_ip_address("10.0.1.5")
            .association(
                NetworkInterfaceAssociation::builder()
                    .public_ip("3.3.3.3")
                    .build(),
            )
            .groups(GroupIdentifier::builder().group_id("sg-1").build())
            .interface_type(NetworkInterfaceType::VpcEndpoint)
            .description("")
            .build();
        let f = eni_facts(&n);
        assert_eq!(f.public_ip.as_deref(), Some("3.3.3.3"));
        assert_eq!(f.security_group_ids, vec!["sg-1".to_string()]);
        assert_eq!(f.interface_type.as_deref(), Some("vpc_endpoint"));
        assert_eq!(
            f.description, None,
            "an empty description is no description"
        );
    }

    #[test]
    fn eni_attachment_from_describe_tasks_or_event() {
        let mut details = std::collections::BTreeMap::new();
        details.insert("networkInterfaceId".to_string(), "eni-1".to_string());
        details.insert("subnetId".to_string(), "subnet-a".to_string());
        details.insert("privateIPv4Address".to_string(), "10.0.1.5".to_string());
        for kind in ["ElasticNetworkInterface", "eni"] {
            let task = TaskFacts {
                attachments: vec![
                    AttachmentFacts {
                        kind: Some("ServiceConnect".into()),
                        ..AttachmentFacts::default()
                    },
                    AttachmentFacts {
                        id: Some("att-1".into()),
                        kind: Some(kind.into()),
                        status: Some("DELETED".into()),
                        details: details.clone(),
                    },
                ],
                ..TaskFacts::default()
            };
            let a = eni_attachment(&task).unwrap();
            assert_eq!(a.eni_id.as_deref(), Some("eni-1"));
            assert_eq!(a.subnet_id.as_deref(), Some("subnet-a"));
            assert_eq!(a.private_ip.as_deref(), Some("10.0.1.5"));
            assert_eq!(a.attachment_id.as_deref(), Some("att-1"));
        }
        assert_eq!(eni_attachment(&TaskFacts::default()), None);
    }

    #[test]
    fn service_group_and_cluster_names() {
        assert_eq!(service_name(Some("service:web")), Some("web"));
        assert_eq!(service_name(Some("family:web")), None);
        assert_eq!(service_name(Some("service:")), None);
        let task = TaskFacts {
            task_arn: "arn:aws:ecs:us-east-1:123456789012:task/prod/0123".into(),
            ..TaskFacts::default()
        };
        assert_eq!(cluster_of(&task).as_deref(), Some("prod"));
    }

    #[test]
    fn service_network_fills_groups_and_public_ip() {
        let cfg = AwsVpcConfiguration::builder()
            .subnets("subnet-a")
            .security_groups("sg-1")
            .assign_public_ip(AssignPublicIp::Enabled)
            .build()
            .unwrap();
        let mut o = OriginFacts::default();
        apply_service_network(&mut o, &cfg);
        assert_eq!(o.security_group_ids, vec!["sg-1".to_string()]);
        assert_eq!(o.assign_public_ip, Some(true));
        assert_eq!(o.subnet_id.as_deref(), Some("subnet-a"));
        assert_eq!(o.found_by.as_deref(), Some("service"));
        // The attachment's subnet wins over the service's list.
        let mut o = OriginFacts {
            subnet_id: Some("subnet-b".into()),
            ..OriginFacts::default()
        };
        apply_service_network(&mut o, &cfg);
        assert_eq!(o.subnet_id.as_deref(), Some("subnet-b"));
    }

    #[test]
    fn instance_primary_eni_is_device_zero() {
        let nic = |id: &str, idx: i32| {
            InstanceNetworkInterface::builder()
                .network_interface_id(id)
                .subnet_id(format!("subnet-{id}"))
                .vpc_id("vpc-1")
                .groups(GroupIdentifier::builder().group_id("sg-host").build())
                .attachment(
                    InstanceNetworkInterfaceAttachment::builder()
                        .device_index(idx)
                        .build(),
                )
                .build()
        };
        let i = Instance::builder()
            .instance_id("i-1")
            .network_interfaces(nic("eni-b", 1))
            .network_interfaces(nic("eni-a", 0))
            .placement(
                aws_sdk_ec2::types::Placement::builder()
                    .availability_zone("us-east-1a")
                    .build(),
            )
            .build();
        let f = primary_eni_facts(&i).unwrap();
        assert_eq!(f.id, "eni-a");
        assert_eq!(f.subnet_id.as_deref(), Some("subnet-eni-a"));
        assert_eq!(f.security_group_ids, vec!["sg-host".to_string()]);
        assert_eq!(f.availability_zone.as_deref(), Some("us-east-1a"));
        assert_eq!(primary_eni_facts(&Instance::builder().build()), None);
    }

    #[test]
    fn vpc_dhcp_nat_and_igw_conversions() {
        let v = Vpc::builder()
            .vpc_id("vpc-1")
            .cidr_block("10.0.0.0/16")
            .cidr_block_association_set(
                aws_sdk_ec2::types::VpcCidrBlockAssociation::builder()
                    .cidr_block("10.1.0.0/16")
                    .build(),
            )
            .dhcp_options_id("dopt-1")
            .build();
        let f = vpc_facts(&v, Some(true), None);
        assert_eq!(
            f.cidrs,
            vec!["10.0.0.0/16".to_string(), "10.1.0.0/16".into()]
        );
        assert_eq!(f.enable_dns_support, Some(true));
        assert_eq!(f.enable_dns_hostnames, None);
        assert_eq!(f.dhcp_options_id.as_deref(), Some("dopt-1"));

        let d = DhcpOptions::builder()
            .dhcp_options_id("dopt-1")
            .dhcp_configurations(
                DhcpConfiguration::builder()
                    .key("domain-name")
                    .values(
                        aws_sdk_ec2::types::AttributeValue::builder()
                            .value("corp")
                            .build(),
                    )
                    .build(),
            )
            .dhcp_configurations(
                DhcpConfiguration::builder()
                    .key("domain-name-servers")
                    .values(
                        aws_sdk_ec2::types::AttributeValue::builder()
                            .value("10.0.0.2")
                            .build(),
                    )
                    .values(
                        aws_sdk_ec2::types::AttributeValue::builder()
                            .value("10.0.0.3")
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            dhcp_options_facts(&d).domain_name_servers,
            vec!["10.0.0.2".to_string(), "10.0.0.3".into()]
        );

        let n = NatGateway::builder()
            .nat_gateway_id("nat-1")
            .state(NatGatewayState::Available)
            .subnet_id("subnet-pub")
            .connectivity_type(aws_sdk_ec2::types::ConnectivityType::Public)
            .build();
        let f = nat_gateway_facts(&n);
        assert_eq!(f.state.as_deref(), Some("available"));
        assert_eq!(f.connectivity_type.as_deref(), Some("public"));

        let g = InternetGateway::builder()
            .internet_gateway_id("igw-1")
            .attachments(
                InternetGatewayAttachment::builder()
                    .vpc_id("vpc-1")
                    .state(AttachmentStatus::from("available"))
                    .build(),
            )
            .attachments(
                InternetGatewayAttachment::builder()
                    .vpc_id("vpc-2")
                    .state(AttachmentStatus::Detached)
                    .build(),
            )
            .build();
        assert_eq!(
            internet_gateway_facts(&g).attached_vpc_ids,
            vec!["vpc-1".to_string()]
        );
    }
}
