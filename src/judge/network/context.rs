//! The network facts, resolved once into what every destination's path needs: the task's
//! ENI, subnet, route table, NACL and security groups, and lookups by ID.

use ipnet::IpNet;

use super::cidr::{self, Peer};
use super::{nacl, route};
use crate::facts::{
    EniFacts, Facts, NatGatewayFacts, NetworkAclFacts, NetworkFacts, PrefixListFacts, Readable,
    RouteTableFacts, SecurityGroupFacts, SubnetFacts, TaskDefinitionFacts, Unreadable,
    VpcEndpointFacts, VpcFacts,
};

/// A fact the path cannot do without, and why it is missing.
#[derive(Debug, Clone)]
pub enum Missing {
    /// AWS returned an error.
    Unreadable(Unreadable),
    /// Not collected or not found.
    Absent(&'static str),
}

fn need<'a, T>(v: &'a Option<Readable<T>>, what: &'static str) -> Result<&'a T, Missing> {
    match v {
        Some(Readable::Read { value }) => Ok(value),
        Some(Readable::Unreadable(u)) => Err(Missing::Unreadable(u.clone())),
        None => Err(Missing::Absent(what)),
    }
}

fn list<T>(v: &Option<Readable<Vec<T>>>) -> &[T] {
    match v {
        Some(Readable::Read { value }) => value,
        _ => &[],
    }
}

/// Everything a path evaluation reads.
pub struct Cx<'a> {
    /// The Region.
    pub region: &'a str,
    /// The account of the task.
    pub account: String,
    /// The task definition, when read.
    pub td: Option<&'a TaskDefinitionFacts>,
    /// The role the agent pulls and reads secrets with.
    pub execution_role: Option<String>,
    /// The raw network facts.
    pub net: &'a NetworkFacts,
    /// The source ENI, when it still exists.
    pub eni: Option<&'a EniFacts>,
    /// The task subnet.
    pub subnet: &'a SubnetFacts,
    /// The VPC.
    pub vpc: Option<&'a VpcFacts>,
    /// The task subnet's route table.
    pub table: &'a RouteTableFacts,
    /// The task's security groups (resolved).
    pub task_groups: Vec<&'a SecurityGroupFacts>,
    /// The task's security group IDs (as the origin names them).
    pub task_group_ids: Vec<String>,
    /// The task's address (its /32, or the subnet's CIDR when the address is unknown).
    pub task_net: Option<IpNet>,
    /// Whether the ENI has (or was asked for) a public IP; None when unknown.
    pub public_ip: Option<bool>,
    /// EC2 launch type with awsvpc: the ENI never gets a public IP.
    pub ec2_awsvpc: bool,
    /// Why the task's security groups are not known, when they are not: AWS deleted the
    /// stopped task's ENI and no source named them. Every rule that depends on them is then
    /// UNKNOWN, never FAIL.
    pub task_groups_unknown: Option<GroupsUnknown>,
    /// Whether `task_net` is the task's own address, not just the subnet it was somewhere in.
    pub task_address_exact: bool,
}

/// Why a task's security groups are not known, for the finding that cannot be decided.
#[derive(Debug, Clone)]
pub struct GroupsUnknown {
    /// In words: what is gone and what was tried.
    pub why: String,
    /// The read that would have named them and failed, if one did.
    pub unreadable: Option<Unreadable>,
}

/// Why an origin's security groups are unknown (its ENI gone, and each source that could
/// have named them failed or named nothing), or None when they are known. Shared by every
/// evaluator that needs the task's side of a rule: the network paths and EFS.
pub(crate) fn groups_unknown(origin: &crate::facts::OriginFacts) -> Option<GroupsUnknown> {
    if !origin.security_group_ids.is_empty() {
        return None;
    }
    let gone = "the task's ENI is gone (AWS deletes it when the task stops)";
    Some(match &origin.config_source {
        Some(Readable::Unreadable(u)) => GroupsUnknown {
            why: format!(
                "{gone}, and {} could not be read to recover its security groups ({})",
                u.api,
                crate::judge::cause_of(u)
            ),
            unreadable: Some(u.clone()),
        },
        Some(Readable::Read { value }) if value.kind == "notFound" => GroupsUnknown {
            why: format!(
                "{gone}, and no record names its security groups{}",
                value
                    .note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
            unreadable: None,
        },
        _ => GroupsUnknown {
            why: format!("{gone}, and nothing recorded its security groups"),
            unreadable: None,
        },
    })
}

impl<'a> Cx<'a> {
    /// Resolves the context, or says which essential fact is missing.
    pub fn new(facts: &'a Facts, net: &'a NetworkFacts) -> Result<Cx<'a>, Missing> {
        let td = facts.task_definition.as_ref().and_then(Readable::value);
        let task = facts.task.value().and_then(|l| match l {
            crate::facts::TaskLookup::Found { task } => Some(task.as_ref()),
            _ => None,
        });
        let account = task
            .and_then(|t| t.task_arn.split(':').nth(4))
            .unwrap_or_default()
            .to_string();
        let execution_role = task
            .and_then(|t| t.overrides.as_ref())
            .and_then(|o| o.execution_role_arn.clone())
            .or_else(|| td.and_then(|t| t.execution_role_arn.clone()));
        let eni = match &net.eni {
            Some(Readable::Read { value }) => Some(value),
            _ => None,
        };
        let subnet = need(&net.subnet, "the task's subnet")?;
        let tables = need(&net.route_tables, "the VPC's route tables")?;
        let table = route::table_for_subnet(tables, &subnet.id)
            .ok_or(Missing::Absent("a route table for the task's subnet"))?;
        let mut task_group_ids = net.origin.security_group_ids.clone();
        if task_group_ids.is_empty() {
            task_group_ids = eni
                .map(|e| e.security_group_ids.clone())
                .unwrap_or_default();
        }
        let groups = list(&net.security_groups);
        let task_groups = task_group_ids
            .iter()
            .filter_map(|id| groups.iter().find(|g| &g.id == id))
            .collect();
        let own_net = net
            .origin
            .private_ip
            .as_deref()
            .or(eni.and_then(|e| e.private_ip.as_deref()))
            .and_then(cidr::net);
        let task_address_exact = own_net.is_some();
        let task_net = own_net.or_else(|| subnet.cidr.as_deref().and_then(cidr::net));
        let mut origin = net.origin.clone();
        origin.security_group_ids = task_group_ids.clone();
        let task_groups_unknown = groups_unknown(&origin);
        let public_ip = match (
            eni.map(|e| e.public_ip.is_some()),
            net.origin.assign_public_ip,
        ) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) => Some(false),
            (None, other) => other,
        };
        let ec2_awsvpc = net.origin.launch_type.as_deref() == Some("EC2")
            && net.origin.network_mode.as_deref() == Some("awsvpc");
        Ok(Cx {
            region: &facts.region,
            account,
            td,
            execution_role,
            net,
            eni,
            subnet,
            vpc: net.vpc.as_ref().and_then(Readable::value),
            table,
            task_groups,
            task_group_ids,
            task_net,
            public_ip,
            ec2_awsvpc,
            task_groups_unknown,
            task_address_exact,
        })
    }

    /// The task as the remote end of a rule (an endpoint's ingress): its address, or where
    /// it was when only its subnet is known, and its groups, or the fact that they are not
    /// known.
    pub fn task_peer(&self) -> Peer {
        Peer {
            nets: self.task_net.into_iter().collect(),
            group_ids: self.task_group_ids.clone(),
            groups_unknown: self.task_groups_unknown.is_some(),
            somewhere_in: !self.task_address_exact,
            ..Peer::default()
        }
    }

    /// Why the VPC's endpoints are not known, when they were not read.
    pub fn unread_endpoints(&self) -> Option<&'a Unreadable> {
        match &self.net.vpc_endpoints {
            Some(Readable::Unreadable(u)) => Some(u),
            _ => None,
        }
    }

    /// Whether the VPC's NAT gateways were read (else a NAT a route names is unknown, not
    /// missing).
    pub fn nats_read(&self) -> bool {
        matches!(self.net.nat_gateways, Some(Readable::Read { .. }))
    }

    /// Every VPC endpoint.
    pub fn endpoints(&self) -> &'a [VpcEndpointFacts] {
        list(&self.net.vpc_endpoints)
    }

    /// The endpoint of a service and type (`Interface`/`Gateway`).
    pub fn endpoint(&self, suffix: &str, kind: &str) -> Option<&'a VpcEndpointFacts> {
        let name = format!("com.amazonaws.{}.{suffix}", self.region);
        self.endpoints()
            .iter()
            .find(|e| e.service_name == name && e.endpoint_type.eq_ignore_ascii_case(kind))
    }

    /// Whether the VPC is built on interface endpoints (then a missing one is the likely gap).
    pub fn uses_interface_endpoints(&self) -> bool {
        self.endpoints()
            .iter()
            .any(|e| e.endpoint_type.eq_ignore_ascii_case("interface"))
    }

    /// Prefix lists with entries.
    pub fn prefix_lists(&self) -> &'a [PrefixListFacts] {
        list(&self.net.prefix_lists)
    }

    /// The Region's AWS-managed S3 prefix list.
    pub fn s3_prefix_list(&self) -> Option<&'a PrefixListFacts> {
        let name = format!("com.amazonaws.{}.s3", self.region);
        self.prefix_lists()
            .iter()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
    }

    /// Every security group read.
    pub fn all_groups(&self) -> &'a [SecurityGroupFacts] {
        list(&self.net.security_groups)
    }

    /// ENIs of an interface endpoint.
    pub fn endpoint_enis(&self, ep: &VpcEndpointFacts) -> Vec<&'a EniFacts> {
        let all = list(&self.net.endpoint_enis);
        ep.network_interface_ids
            .iter()
            .filter_map(|id| all.iter().find(|e| &e.id == id))
            .collect()
    }

    /// The NACL of a subnet.
    pub fn acl_of(&self, subnet_id: &str) -> Option<&'a NetworkAclFacts> {
        nacl::acl_for_subnet(list(&self.net.network_acls), subnet_id)
    }

    /// A NAT gateway by ID.
    pub fn nat(&self, id: &str) -> Option<&'a NatGatewayFacts> {
        list(&self.net.nat_gateways).iter().find(|n| n.id == id)
    }

    /// Both VPC DNS attributes on (None when unknown), in Kleene's logic: one attribute known
    /// to be off is enough to say no.
    pub fn vpc_dns_on(&self) -> Option<bool> {
        let v = self.vpc?;
        let value = |a: &Option<Readable<bool>>| a.as_ref().and_then(Readable::value).copied();
        match (value(&v.enable_dns_support), value(&v.enable_dns_hostnames)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        }
    }

    /// Why a VPC DNS attribute is not known: the failed read, or `None` when the facts simply
    /// do not hold it (an older or edited snapshot).
    pub fn vpc_dns_unread(&self) -> Option<&'a Unreadable> {
        let v = self.vpc?;
        [&v.enable_dns_support, &v.enable_dns_hostnames]
            .into_iter()
            .find_map(|a| a.as_ref().and_then(Readable::unreadable))
    }

    /// Custom DNS servers from the DHCP options (empty with AmazonProvidedDNS).
    pub fn custom_dns_servers(&self) -> Vec<String> {
        match &self.net.dhcp_options {
            Some(Readable::Read { value }) => value
                .domain_name_servers
                .iter()
                .filter(|s| !s.eq_ignore_ascii_case("AmazonProvidedDNS"))
                .cloned()
                .collect(),
            _ => vec![],
        }
    }
}
