//! The network facts, resolved once into what every destination's path needs: the task's
//! ENI, subnet, route table, NACL and security groups, and lookups by ID.

use ipnet::IpNet;

use super::{cidr, nacl, route};
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
        let task_net = net
            .origin
            .private_ip
            .as_deref()
            .or(eni.and_then(|e| e.private_ip.as_deref()))
            .and_then(cidr::net)
            .or_else(|| subnet.cidr.as_deref().and_then(cidr::net));
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
        })
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

    /// Security groups by ID.
    pub fn groups(&self, ids: &[String]) -> Vec<&'a SecurityGroupFacts> {
        let all = list(&self.net.security_groups);
        ids.iter()
            .filter_map(|id| all.iter().find(|g| &g.id == id))
            .collect()
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

    /// Both VPC DNS attributes on (None when unknown).
    pub fn vpc_dns_on(&self) -> Option<bool> {
        let v = self.vpc?;
        Some(v.enable_dns_support? && v.enable_dns_hostnames?)
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
