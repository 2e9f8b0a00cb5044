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

pub(super) mod groups;
mod origin;
mod started_by_call;
#[cfg(test)]
mod tests;
mod vpc;

use groups::*;
use origin::*;
use vpc::*;

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{
    DhcpOptions, Filter, Instance, InstanceNetworkInterface, InternetGateway, ManagedPrefixList,
    NatGateway, NetworkAcl, NetworkAclEntry, NetworkInterface, Route, RouteTable, SecurityGroup,
    SecurityGroupRule, Subnet, Vpc, VpcAttributeName, VpcEndpoint,
};
use aws_sdk_ecs::types::{AssignPublicIp, AwsVpcConfiguration};
use tokio::task::JoinSet;

use super::error::unreadable;
use super::{Cache, Clients};
use crate::facts::{
    DhcpOptionsFacts, EniFacts, InternetGatewayFacts, NaclEntryFacts, NatGatewayFacts,
    NetworkAclFacts, NetworkConfigSource, NetworkFacts, OriginFacts, PrefixListFacts, Readable,
    RouteFacts, RouteTableFacts, RouteTarget, SecurityGroupFacts, SgRuleFacts, SubnetFacts,
    TaskFacts, Unreadable, VpcEndpointFacts, VpcFacts,
};

/// Reads the network facts of a task: its origin, then its subnet and VPC. Never fails: what
/// could not be read is recorded as unreadable, what does not apply is left `None`.
///
/// It starts from the task alone: the task definition (read concurrently) is awaited only
/// when the task itself does not tell whether it is an awsvpc task.
pub(super) async fn network(
    clients: &Clients,
    cache: &Cache,
    task: &TaskFacts,
    td: &super::TaskDefinitionRead<'_>,
) -> NetworkFacts {
    let mut origin = OriginFacts {
        launch_type: task.launch_type.clone(),
        ..OriginFacts::default()
    };
    let network_mode = || async {
        td.clone()
            .await
            .as_ref()
            .and_then(Readable::value)
            .and_then(|t| t.network_mode.clone())
    };
    let attachment = eni_attachment(task);
    // The attachment names the subnet: read it with the ENI, not after it.
    let subnet_prefetch = async {
        if let Some(id) = attachment.as_ref().and_then(|a| a.subnet_id.clone()) {
            let _ = cached_subnet(clients, cache, &id).await;
        }
    };
    let known_awsvpc = attachment.is_some() || origin.launch_type.as_deref() == Some("FARGATE");

    let (found, ()) = tokio::join!(
        async {
            if known_awsvpc {
                awsvpc_origin(clients, cache, task, attachment.clone(), &mut origin).await
            } else if task.container_instance_arn.is_some() {
                // Bridge or host mode (the host's ENI), unless the task definition says awsvpc
                // (an EC2 awsvpc task whose ENI was never attached): read the host meanwhile.
                let mut host = origin.clone();
                let (mode, host_read) = tokio::join!(
                    network_mode(),
                    instance_origin(clients, cache, task, &mut host)
                );
                if mode.as_deref() == Some("awsvpc") {
                    awsvpc_origin(clients, cache, task, None, &mut origin).await
                } else {
                    origin = host;
                    host_read
                }
            } else {
                // EXTERNAL, or a task that was never placed: there is no VPC path to read.
                OriginRead::default()
            }
        },
        subnet_prefetch
    );

    let mut facts = NetworkFacts {
        eni: found.eni.clone(),
        ..NetworkFacts::default()
    };
    let Some(subnet_id) = origin.subnet_id.clone() else {
        origin.network_mode = network_mode().await;
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
                cached_subnet(clients, cache, &subnet_id),
                vpc_wide(
                    clients.ec2(),
                    cache,
                    &vpc_id,
                    &region,
                    &origin.security_group_ids
                )
            );
            (subnet, Some(vpc))
        }
        // The ENI is gone (or unreadable): the subnet tells which VPC to read.
        None => {
            let subnet = cached_subnet(clients, cache, &subnet_id).await;
            let vpc = match subnet.value() {
                Some(s) => Some(
                    vpc_wide(
                        clients.ec2(),
                        cache,
                        &s.vpc_id,
                        &region,
                        &origin.security_group_ids,
                    )
                    .await,
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
    origin.network_mode = network_mode().await;
    facts.origin = origin;
    facts
}

/// The cache key of a service's network configurations, by cluster name (a task names its
/// cluster by ARN, a sweep's listing may name it either way).
fn service_networks_key(cluster: &str, name: &str) -> String {
    let cluster = cluster.rsplit('/').next().unwrap_or(cluster);
    format!("ecs:service-networks/{cluster}/{name}")
}

/// Puts a service already described (by a sweep's listing) into `cache`, so a diagnosis of
/// one of its tasks recovers the task's configuration without describing it again.
pub(crate) async fn prime_service_networks(
    cache: &Cache,
    cluster: &str,
    name: &str,
    sv: &aws_sdk_ecs::types::Service,
) {
    let networks = service_networks(sv);
    let _: Result<Vec<ServiceNetwork>, Unreadable> = cache
        .get_or_read(service_networks_key(cluster, name), || async {
            Ok(networks)
        })
        .await;
}

/// DescribeSubnets for one subnet, through the sweep's cache.
async fn cached_subnet(clients: &Clients, cache: &Cache, subnet_id: &str) -> Readable<SubnetFacts> {
    cache
        .get_or_read(format!("ec2:subnet/{subnet_id}"), || {
            describe_subnet(clients.ec2(), subnet_id)
        })
        .await
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
        .ec2()
        .config()
        .region()
        .map(|r| r.as_ref().to_string())
        .or_else(|| task.task_arn.split(':').nth(3).map(str::to_string))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Origin
// ---------------------------------------------------------------------------------------
