//! Network facts: where the task's traffic starts and everything on its way out.
//!
//! Read once per VPC (route tables, NACLs, endpoints, gateways) so that judge can follow
//! every destination's path without another call. IDs are kept everywhere: they are the
//! evidence in findings.

use serde::{Deserialize, Serialize};

use super::Readable;

/// Everything the network stage reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkFacts {
    /// Where the traffic starts, and how we know.
    pub origin: OriginFacts,
    /// The ENI the traffic leaves from (the task ENI, or the EC2 host's primary ENI).
    pub eni: Option<Readable<EniFacts>>,
    /// Its subnet.
    pub subnet: Option<Readable<SubnetFacts>>,
    /// The VPC, with its DNS attributes.
    pub vpc: Option<Readable<VpcFacts>>,
    /// The VPC's DHCP options (custom DNS servers).
    pub dhcp_options: Option<Readable<DhcpOptionsFacts>>,
    /// Every route table of the VPC (the main one included).
    pub route_tables: Option<Readable<Vec<RouteTableFacts>>>,
    /// Every network ACL of the VPC.
    pub network_acls: Option<Readable<Vec<NetworkAclFacts>>>,
    /// The security groups of the task and of the endpoints, and the groups their rules reference.
    pub security_groups: Option<Readable<Vec<SecurityGroupFacts>>>,
    /// Every VPC endpoint of the VPC.
    pub vpc_endpoints: Option<Readable<Vec<VpcEndpointFacts>>>,
    /// The ENIs of the interface endpoints (their private IPs and subnets).
    pub endpoint_enis: Option<Readable<Vec<EniFacts>>>,
    /// Prefix lists referenced by routes or rules, and the Region's AWS-managed S3 list, with entries.
    pub prefix_lists: Option<Readable<Vec<PrefixListFacts>>>,
    /// NAT gateways of the VPC.
    pub nat_gateways: Option<Readable<Vec<NatGatewayFacts>>>,
    /// Internet gateways attached to the VPC.
    pub internet_gateways: Option<Readable<Vec<InternetGatewayFacts>>>,
}

/// Where the task's traffic starts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OriginFacts {
    /// FARGATE, EC2, EXTERNAL.
    pub launch_type: Option<String>,
    /// awsvpc, bridge, host, none.
    pub network_mode: Option<String>,
    /// The ENI ID, when known.
    pub eni_id: Option<String>,
    /// The subnet, from the ENI or the task's attachment.
    pub subnet_id: Option<String>,
    /// The private IPv4 address.
    pub private_ip: Option<String>,
    /// Whether the task asked for a public IP (`assignPublicIp`), when known.
    pub assign_public_ip: Option<bool>,
    /// The security groups of the traffic's source.
    pub security_group_ids: Vec<String>,
    /// How the origin was found: `attachment`, `description`, `privateIp`, `service`, `containerInstance`.
    pub found_by: Option<String>,
    /// EC2 bridge/host mode: the instance whose primary ENI carries the pulls.
    pub instance_id: Option<String>,
    /// Where the task's security groups and public-IP setting were learned, because AWS
    /// deletes a stopped task's ENI and with it the only live record of them: read when a
    /// source named them (or was searched and named nothing: kind `notFound`), unreadable
    /// when the read that would have named them failed, absent in older snapshots and when
    /// nothing needed to be recovered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_source: Option<Readable<NetworkConfigSource>>,
}

/// Where a task's awsvpc configuration came from once its ENI was gone, so a report can say
/// how much to trust it: the deployment that started the task is exact, the service's
/// current configuration may have changed since.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkConfigSource {
    /// `eni` (the ENI still existed), `deployment` (the service deployment that started the
    /// task: `startedBy` matched `deployments[].id`), `taskSet` (the task set that started
    /// it), `service` (the service's current configuration, which may have changed since),
    /// `cloudTrail` (the RunTask or StartTask call whose response names the task), or
    /// `notFound` (searched; nothing names the task's configuration).
    pub kind: String,
    /// The deployment or task set ID, or the CloudTrail event ID.
    pub id: Option<String>,
    /// When that configuration was recorded (the deployment's creation, the event's time).
    pub at: Option<String>,
    /// What was searched and why it named nothing (for `notFound`), or what to keep in
    /// mind (for `service`).
    pub note: Option<String>,
}

/// An elastic network interface.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EniFacts {
    /// `eni-...`
    pub id: String,
    /// Its subnet.
    pub subnet_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Primary private IPv4.
    pub private_ip: Option<String>,
    /// Associated public IPv4, if any.
    pub public_ip: Option<String>,
    /// IPv6 addresses.
    pub ipv6_addresses: Vec<String>,
    /// Its security groups.
    pub security_group_ids: Vec<String>,
    /// interface, vpc_endpoint, nat_gateway, ...
    pub interface_type: Option<String>,
    /// Free-text description (ECS sets one on task ENIs).
    pub description: Option<String>,
    /// in-use, available, ...
    pub status: Option<String>,
    /// Availability Zone.
    pub availability_zone: Option<String>,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubnetFacts {
    /// `subnet-...`
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// IPv4 CIDR.
    pub cidr: Option<String>,
    /// IPv6 CIDRs.
    pub ipv6_cidrs: Vec<String>,
    /// Availability Zone.
    pub availability_zone: Option<String>,
    /// Whether instances get a public IP by default.
    pub map_public_ip_on_launch: Option<bool>,
}

/// A VPC and the DNS attributes interface endpoints depend on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VpcFacts {
    /// `vpc-...`
    pub id: String,
    /// IPv4 CIDRs.
    pub cidrs: Vec<String>,
    /// IPv6 CIDRs.
    pub ipv6_cidrs: Vec<String>,
    /// `enableDnsSupport` (`ec2:DescribeVpcAttribute`), or why it could not be read; None in
    /// a snapshot that does not say. Older snapshots hold a plain boolean.
    #[serde(deserialize_with = "super::readable_or_plain::deserialize")]
    pub enable_dns_support: Option<Readable<bool>>,
    /// `enableDnsHostnames` (`ec2:DescribeVpcAttribute`), as `enable_dns_support`.
    #[serde(deserialize_with = "super::readable_or_plain::deserialize")]
    pub enable_dns_hostnames: Option<Readable<bool>>,
    /// `dopt-...`
    pub dhcp_options_id: Option<String>,
}

/// DHCP options: which DNS servers the VPC hands out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DhcpOptionsFacts {
    /// `dopt-...`
    pub id: String,
    /// `domain-name-servers` values (`AmazonProvidedDNS` or addresses).
    pub domain_name_servers: Vec<String>,
}

/// A route table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RouteTableFacts {
    /// `rtb-...`
    pub id: String,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Whether it is the VPC's main table (used by subnets without an explicit association).
    pub main: bool,
    /// Subnets explicitly associated.
    pub subnet_ids: Vec<String>,
    /// Its routes.
    pub routes: Vec<RouteFacts>,
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RouteFacts {
    /// IPv4 destination CIDR.
    pub destination_cidr: Option<String>,
    /// IPv6 destination CIDR.
    pub destination_ipv6_cidr: Option<String>,
    /// Destination prefix list (`pl-...`), as gateway endpoints add.
    pub destination_prefix_list_id: Option<String>,
    /// The target, with its kind.
    pub target: RouteTarget,
    /// `active` or `blackhole`.
    pub state: Option<String>,
}

/// Where a route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "camelCase")]
pub enum RouteTarget {
    /// The VPC's own range.
    Local,
    /// `igw-...`
    InternetGateway(String),
    /// `eigw-...` (IPv6 egress only).
    EgressOnlyInternetGateway(String),
    /// `nat-...`
    NatGateway(String),
    /// `vpce-...` (a gateway endpoint, or a Gateway Load Balancer endpoint).
    VpcEndpoint(String),
    /// `tgw-...`
    TransitGateway(String),
    /// `pcx-...`
    VpcPeering(String),
    /// `vgw-...`
    VirtualPrivateGateway(String),
    /// `eni-...` (an appliance or firewall).
    NetworkInterface(String),
    /// `i-...`
    Instance(String),
    /// Anything else (carrier, local, core network gateways).
    Other(String),
    /// No target given.
    #[default]
    Unknown,
}

/// A network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkAclFacts {
    /// `acl-...`
    pub id: String,
    /// Whether it is the VPC's default NACL.
    pub is_default: bool,
    /// Subnets it is associated with.
    pub subnet_ids: Vec<String>,
    /// Its entries, in both directions.
    pub entries: Vec<NaclEntryFacts>,
}

/// One NACL entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NaclEntryFacts {
    /// Rule number (lowest first; 32767 is the implicit `*`).
    pub rule_number: i32,
    /// Outbound when true.
    pub egress: bool,
    /// Protocol number as a string: `-1` (all), `6` (TCP), `17` (UDP)...
    pub protocol: String,
    /// `allow` or `deny`.
    pub action: String,
    /// IPv4 CIDR.
    pub cidr: Option<String>,
    /// IPv6 CIDR.
    pub ipv6_cidr: Option<String>,
    /// First port (TCP/UDP).
    pub from_port: Option<i32>,
    /// Last port (TCP/UDP).
    pub to_port: Option<i32>,
}

/// A security group and its rules.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecurityGroupFacts {
    /// `sg-...`
    pub id: String,
    /// Group name.
    pub name: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Its rules, both directions.
    pub rules: Vec<SgRuleFacts>,
}

/// One security group rule (one source or destination each, as DescribeSecurityGroupRules gives).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SgRuleFacts {
    /// `sgr-...`, when known.
    pub rule_id: Option<String>,
    /// Outbound when true.
    pub egress: bool,
    /// `-1`, `tcp`, `udp`, `icmp`, or a number.
    pub protocol: String,
    /// First port (-1 or None for all).
    pub from_port: Option<i32>,
    /// Last port.
    pub to_port: Option<i32>,
    /// IPv4 CIDR peer.
    pub cidr: Option<String>,
    /// IPv6 CIDR peer.
    pub ipv6_cidr: Option<String>,
    /// Prefix list peer.
    pub prefix_list_id: Option<String>,
    /// Security group peer.
    pub referenced_group_id: Option<String>,
    /// Rule description.
    pub description: Option<String>,
}

/// A VPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VpcEndpointFacts {
    /// `vpce-...`
    pub id: String,
    /// `com.amazonaws.<region>.<service>`.
    pub service_name: String,
    /// Interface, Gateway, GatewayLoadBalancer.
    pub endpoint_type: String,
    /// available, pending, failed, ... (lowercase).
    pub state: Option<String>,
    /// Whether private DNS is on (interface endpoints).
    pub private_dns_enabled: Option<bool>,
    /// Subnets (interface endpoints).
    pub subnet_ids: Vec<String>,
    /// ENIs (interface endpoints).
    pub network_interface_ids: Vec<String>,
    /// Security groups (interface endpoints), as the endpoint reports them.
    pub security_group_ids: Vec<String>,
    /// Route tables (gateway endpoints).
    pub route_table_ids: Vec<String>,
    /// The endpoint policy document (JSON text).
    pub policy_document: Option<String>,
}

/// A managed prefix list with its CIDRs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrefixListFacts {
    /// `pl-...`
    pub id: String,
    /// `com.amazonaws.<region>.s3` for the AWS-managed S3 list.
    pub name: Option<String>,
    /// Its CIDRs (`ec2:GetManagedPrefixListEntries`), or why they could not be read; None
    /// in a snapshot that does not say. Older snapshots hold a plain list.
    #[serde(deserialize_with = "super::readable_or_plain::deserialize")]
    pub cidrs: Option<Readable<Vec<String>>>,
}

impl PrefixListFacts {
    /// The entries, when they were read.
    pub fn entries(&self) -> Option<&Vec<String>> {
        self.cidrs.as_ref().and_then(Readable::value)
    }
}

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NatGatewayFacts {
    /// `nat-...`
    pub id: String,
    /// pending, failed, available, deleting, deleted.
    pub state: Option<String>,
    /// The subnet it lives in.
    pub subnet_id: Option<String>,
    /// public or private.
    pub connectivity_type: Option<String>,
}

/// An internet gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InternetGatewayFacts {
    /// `igw-...`
    pub id: String,
    /// VPCs it is attached to (state `available`/`attached`).
    pub attached_vpc_ids: Vec<String>,
}
