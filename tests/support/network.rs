//! A Fargate task in moto with the network a real account gives it, built through the SDK.
//!
//! One VPC per scenario: a private subnet (the task's, and the interface endpoints') and a
//! public one, each with its own route table explicitly associated; an internet gateway on the
//! public table; optionally a NAT gateway (with an Elastic IP), a transit gateway, interface
//! endpoints with their own security group, an S3 gateway endpoint, custom DHCP options and a
//! custom NACL. The task runs and stops with a pull failure, then the knobs moto cannot have
//! while RunTask runs are applied (DNS hostnames off), so the facts describe the finished state.
//!
//! moto differs from AWS in ways that shape this builder (see shared/MOTO-NOTES.md):
//! - RunTask answers 500 while `enableDnsHostnames` is false: DNS attributes are changed after
//!   the task stopped.
//! - Task and endpoint ENIs get random 10.x addresses outside their subnet: security group rules
//!   between the task and the endpoints reference groups, never CIDRs.
//! - `ModifyVpcEndpoint` adds no prefix-list route: the S3 gateway endpoint is created with its
//!   final route tables.
//! - New custom NACLs have no `*` deny entries (AWS always has them).
//! - Prefix-list IDs are random per server: the S3 list is looked up by name.
//! - Route states are always `active`: a route to a deleted NAT gateway stays `active` (AWS:
//!   `blackhole`).
//!
//! What AWS does after the stop is done by the server for every scenario (moto_server.py,
//! tests/support/README.md): the task's ENI is deleted and its attachment says `DELETED`, the
//! stop has a `stopCode` and stop times, the task has `createdAt`. A service's task runs with
//! `startedBy` set to its deployment's ID ([`NetworkScenario::as_service`]), or to its task
//! set's ([`NetworkScenario::as_task_set`]); [`NetworkScenario::service_network_changed_after_start`]
//! updates the service afterwards, so its current configuration is not the one that started
//! the task.

use aws_config::SdkConfig;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, DomainType, Filter, IpPermission, IpRange, NewDhcpConfiguration,
    PortRange, PrefixListId, RuleAction, UserIdGroupPair, VpcEndpointType,
};
use aws_sdk_ecs::types::{DeploymentController, DeploymentControllerType, LaunchType};

use super::scenario::{self, FargateTask, PULL_TIMEOUT, RunSpec};
use super::{REGION, unique};

/// The VPC's CIDR in every network scenario.
pub const VPC_CIDR: &str = "10.40.0.0/16";
/// The task's (private) subnet.
pub const PRIVATE_CIDR: &str = "10.40.1.0/24";
/// The public subnet (NAT gateway; the task too in [`NetworkScenario::public_with_igw`]).
pub const PUBLIC_CIDR: &str = "10.40.101.0/24";
/// The bucket ECR serves image layers from in this Region.
pub const LAYER_BUCKET: &str = "prod-us-east-1-starport-layer-bucket";

/// What the private route table's default route (0.0.0.0/0) points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultRoute {
    /// No default route: only endpoints serve.
    None,
    /// A NAT gateway in the public subnet.
    Nat,
    /// A NAT gateway that was deleted afterwards (AWS turns the route into a blackhole).
    DeletedNat,
    /// A transit gateway attached to the VPC (a hop the tool cannot see past).
    TransitGateway,
}

/// What the task's security group lets out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEgress {
    /// The default rule: all traffic to 0.0.0.0/0.
    All,
    /// Only TCP 443 to the interface endpoints' security group (the seed case: S3 missing).
    EndpointsOnly,
    /// TCP 443 to the endpoints' group and to the S3 prefix list.
    EndpointsAndS3,
}

/// The task's subnet's NACL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nacl {
    /// The VPC's default NACL (allow all).
    Default,
    /// A custom NACL: out TCP 443, in TCP 1024-65535 (the return), both to/from 0.0.0.0/0.
    AllowsHttpsAndReturn,
    /// A custom NACL: out TCP 443 only, nothing inbound (the return traffic is dropped).
    BlocksReturn,
}

/// The knobs of one network scenario. Start from a constructor, change what the test is about.
#[derive(Debug, Clone)]
pub struct NetworkScenario {
    /// `enableDnsSupport` (applied after the task stopped).
    pub dns_support: bool,
    /// `enableDnsHostnames` (applied after the task stopped: moto's RunTask needs it on).
    pub dns_hostnames: bool,
    /// Interface endpoints to create, by service suffix (`ecr.api`, `ecr.dkr`, `logs`, ...).
    pub interface_endpoints: Vec<&'static str>,
    /// Private DNS on the interface endpoints.
    pub endpoint_private_dns: bool,
    /// An S3 gateway endpoint on the task subnet's route table.
    pub s3_gateway: bool,
    /// The S3 gateway endpoint's policy denies the layer bucket.
    pub s3_policy_denies_layer_bucket: bool,
    /// The task security group's egress.
    pub task_egress: TaskEgress,
    /// The private route table's default route.
    pub default_route: DefaultRoute,
    /// A blackhole-to-be route for 192.168.0.0/16 on the private table (to a deleted NAT).
    pub extra_deleted_nat_route: bool,
    /// Run the task in the public subnet with `assignPublicIp` ENABLED.
    pub task_in_public_subnet: bool,
    /// Custom DHCP options with these DNS servers.
    pub dhcp_dns_servers: Option<Vec<String>>,
    /// The task subnet's NACL.
    pub nacl: Nacl,
    /// Start the task as a service's (`group: service:<name>`, `startedBy` its deployment's ID,
    /// with the service created).
    pub as_service: bool,
    /// Start the task from a task set of a service with the EXTERNAL deployment controller
    /// (`startedBy` the task set's ID); implies a service.
    pub task_set: bool,
    /// After the stop, update the service to another security group: its current network
    /// configuration (and its new PRIMARY deployment's) is then not the one that started the task,
    /// which only the old deployment still holds. Needs [`NetworkScenario::as_service`].
    pub service_network_changed: bool,
    /// No effect: the server deletes every stopped task's ENI, as AWS does (kept so that
    /// scenarios written before that still build).
    pub delete_task_eni: bool,
    /// `assignPublicIp`; by default ENABLED exactly when the task is in the public subnet.
    pub assign_public_ip: Option<bool>,
    /// The endpoints' security group allows 443 from the task's group.
    pub endpoint_sg_allows_task: bool,
    /// Associate the S3 gateway endpoint with the VPC's main route table instead of the task's.
    pub s3_gateway_on_main_table: bool,
    /// The container image (default: an ECR image in the scenario's account and Region).
    pub image: Option<String>,
    /// The stop reason (default: a pull that timed out on the S3 layer bucket).
    pub stop_reason: Option<String>,
}

/// Everything a scenario built, by ID.
#[derive(Debug, Clone)]
pub struct BuiltNetwork {
    /// The stopped task.
    pub task: FargateTask,
    /// The task's ENI (deleted, as in AWS: only the attachment still names it).
    pub task_eni_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// The private subnet (the endpoints', and the task's unless it runs in the public one).
    pub private_subnet_id: String,
    /// The public subnet.
    pub public_subnet_id: String,
    /// The VPC's main route table (no explicit association).
    pub main_route_table_id: String,
    /// The private subnet's route table.
    pub private_route_table_id: String,
    /// The public subnet's route table (0.0.0.0/0 to the internet gateway).
    pub public_route_table_id: String,
    /// The internet gateway.
    pub internet_gateway_id: String,
    /// The NAT gateway ([`DefaultRoute::Nat`] or [`DefaultRoute::DeletedNat`]).
    pub nat_gateway_id: Option<String>,
    /// The NAT gateway deleted for [`NetworkScenario::extra_deleted_nat_route`].
    pub deleted_nat_gateway_id: Option<String>,
    /// The transit gateway ([`DefaultRoute::TransitGateway`]).
    pub transit_gateway_id: Option<String>,
    /// The task's security group.
    pub task_sg_id: String,
    /// The interface endpoints' security group (when there are interface endpoints).
    pub endpoint_sg_id: Option<String>,
    /// Interface endpoints: (service name, `vpce-` ID).
    pub interface_endpoints: Vec<(String, String)>,
    /// The S3 gateway endpoint.
    pub s3_endpoint_id: Option<String>,
    /// The Region's AWS-managed S3 prefix list (random in moto).
    pub s3_prefix_list_id: String,
    /// The custom DHCP options.
    pub dhcp_options_id: Option<String>,
    /// The custom NACL.
    pub network_acl_id: Option<String>,
    /// The service that started the task.
    pub service_name: Option<String>,
    /// The task's `startedBy`: the ID of the deployment (or task set) that started it.
    pub deployment_id: Option<String>,
    /// The task set that started the task ([`NetworkScenario::as_task_set`]), its ARN.
    pub task_set_arn: Option<String>,
    /// The security group the service was updated to after the task stopped
    /// ([`NetworkScenario::service_network_changed_after_start`]); the task had `task_sg_id`.
    pub changed_service_sg_id: Option<String>,
}

impl BuiltNetwork {
    /// The ID of the interface endpoint for `com.amazonaws.<region>.<suffix>`.
    pub fn endpoint(&self, suffix: &str) -> &str {
        let name = service(suffix);
        &self
            .interface_endpoints
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no {name} endpoint in {:?}", self.interface_endpoints))
            .1
    }

    /// The task's subnet.
    pub fn task_subnet_id(&self) -> &str {
        &self.task.subnet_id
    }
}

fn service(suffix: &str) -> String {
    format!("com.amazonaws.{REGION}.{suffix}")
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

fn on(v: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(v).build()
}

fn tcp_443() -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
}

impl NetworkScenario {
    /// The seed case: a private subnet without NAT, interface endpoints for ecr.api, ecr.dkr
    /// and logs (private DNS on, their own SG allowing 443 from the task's SG), an S3 gateway
    /// endpoint on the task's route table, and a task SG whose only egress is 443 to the
    /// endpoints' SG (so the S3 prefix list is missing).
    pub fn private_with_endpoints() -> NetworkScenario {
        NetworkScenario {
            dns_support: true,
            dns_hostnames: true,
            interface_endpoints: vec!["ecr.api", "ecr.dkr", "logs"],
            endpoint_private_dns: true,
            s3_gateway: true,
            s3_policy_denies_layer_bucket: false,
            task_egress: TaskEgress::EndpointsOnly,
            default_route: DefaultRoute::None,
            extra_deleted_nat_route: false,
            task_in_public_subnet: false,
            dhcp_dns_servers: None,
            nacl: Nacl::Default,
            as_service: false,
            task_set: false,
            service_network_changed: false,
            delete_task_eni: false,
            assign_public_ip: None,
            endpoint_sg_allows_task: true,
            s3_gateway_on_main_table: false,
            image: None,
            stop_reason: None,
        }
    }

    /// A private subnet whose default route goes to an available NAT gateway; no endpoints,
    /// egress open.
    pub fn private_with_nat() -> NetworkScenario {
        NetworkScenario {
            interface_endpoints: Vec::new(),
            s3_gateway: false,
            task_egress: TaskEgress::All,
            default_route: DefaultRoute::Nat,
            ..NetworkScenario::private_with_endpoints()
        }
    }

    /// The task in the public subnet (default route to the internet gateway) with
    /// `assignPublicIp` ENABLED; no endpoints, egress open.
    pub fn public_with_igw() -> NetworkScenario {
        NetworkScenario {
            interface_endpoints: Vec::new(),
            s3_gateway: false,
            task_egress: TaskEgress::All,
            task_in_public_subnet: true,
            ..NetworkScenario::private_with_endpoints()
        }
    }

    /// Sets `enableDnsSupport`.
    pub fn dns_support(mut self, on: bool) -> Self {
        self.dns_support = on;
        self
    }

    /// Sets `enableDnsHostnames`.
    pub fn dns_hostnames(mut self, on: bool) -> Self {
        self.dns_hostnames = on;
        self
    }

    /// Private DNS on the interface endpoints.
    pub fn endpoint_private_dns(mut self, on: bool) -> Self {
        self.endpoint_private_dns = on;
        self
    }

    /// Which interface endpoints exist (service suffixes).
    pub fn interface_endpoints(mut self, suffixes: &[&'static str]) -> Self {
        self.interface_endpoints = suffixes.to_vec();
        self
    }

    /// Whether the S3 gateway endpoint exists.
    pub fn s3_gateway(mut self, on: bool) -> Self {
        self.s3_gateway = on;
        self
    }

    /// The S3 gateway endpoint's policy denies `s3:GetObject` on the layer bucket.
    pub fn s3_policy_denies_layer_bucket(mut self) -> Self {
        self.s3_policy_denies_layer_bucket = true;
        self
    }

    /// The task SG's egress.
    pub fn task_egress(mut self, egress: TaskEgress) -> Self {
        self.task_egress = egress;
        self
    }

    /// The private route table's default route.
    pub fn default_route(mut self, route: DefaultRoute) -> Self {
        self.default_route = route;
        self
    }

    /// Adds 192.168.0.0/16 to a NAT gateway that is then deleted (a blackhole on AWS).
    pub fn extra_deleted_nat_route(mut self) -> Self {
        self.extra_deleted_nat_route = true;
        self
    }

    /// Custom DHCP options handing out these DNS servers.
    pub fn dhcp_dns_servers(mut self, servers: &[&str]) -> Self {
        self.dhcp_dns_servers = Some(servers.iter().map(|s| s.to_string()).collect());
        self
    }

    /// The task subnet's NACL.
    pub fn nacl(mut self, nacl: Nacl) -> Self {
        self.nacl = nacl;
        self
    }

    /// The task is a service's: a service is created and the task runs with its group.
    pub fn as_service(mut self) -> Self {
        self.as_service = true;
        self
    }

    /// The task is a task set's: a service with the EXTERNAL deployment controller, and a task
    /// set (CreateTaskSet) that starts the task, whose `startedBy` is the task set's ID.
    pub fn as_task_set(mut self) -> Self {
        self.task_set = true;
        self
    }

    /// After the task stopped, the service is updated to a new security group (UpdateService):
    /// a new PRIMARY deployment with the new configuration, the old one (the task's `startedBy`)
    /// still listed with the task's. Makes the task a service's.
    pub fn service_network_changed_after_start(mut self) -> Self {
        self.as_service = true;
        self.service_network_changed = true;
        self
    }

    /// No effect any more: the server deletes every stopped task's ENI, as AWS does.
    pub fn delete_task_eni(mut self) -> Self {
        self.delete_task_eni = true;
        self
    }

    /// Sets `assignPublicIp`.
    pub fn assign_public_ip(mut self, on: bool) -> Self {
        self.assign_public_ip = Some(on);
        self
    }

    /// Whether the endpoints' security group lets the task in.
    pub fn endpoint_sg_allows_task(mut self, on: bool) -> Self {
        self.endpoint_sg_allows_task = on;
        self
    }

    /// Puts the S3 gateway endpoint on the main route table, not the task subnet's.
    pub fn s3_gateway_on_main_table(mut self) -> Self {
        self.s3_gateway_on_main_table = true;
        self
    }

    /// Runs this image instead of the ECR one.
    pub fn image(mut self, image: &str) -> Self {
        self.image = Some(image.to_string());
        self
    }

    /// Stops the task with this reason.
    pub fn stop_reason(mut self, reason: &str) -> Self {
        self.stop_reason = Some(reason.to_string());
        self
    }

    /// Builds the network, runs the task in it and stops it with a pull failure, then applies
    /// what moto only accepts after the task stopped.
    pub async fn build(self, conf: &SdkConfig) -> BuiltNetwork {
        let ec2 = aws_sdk_ec2::Client::new(conf);
        let ecs = aws_sdk_ecs::Client::new(conf);

        // --- VPC, subnets, gateways, route tables ---
        let vpc_id = ec2
            .create_vpc()
            .cidr_block(VPC_CIDR)
            .send()
            .await
            .unwrap()
            .vpc()
            .unwrap()
            .vpc_id()
            .unwrap()
            .to_string();
        // Both on while the task runs (moto's RunTask needs enableDnsHostnames; AWS needs both
        // for interface endpoints with private DNS to be created).
        for attr in [
            ec2.modify_vpc_attribute()
                .vpc_id(&vpc_id)
                .enable_dns_support(on(true)),
            ec2.modify_vpc_attribute()
                .vpc_id(&vpc_id)
                .enable_dns_hostnames(on(true)),
        ] {
            attr.send().await.unwrap();
        }
        let subnet = |cidr: &'static str| {
            let ec2 = ec2.clone();
            let vpc_id = vpc_id.clone();
            async move {
                ec2.create_subnet()
                    .vpc_id(vpc_id)
                    .cidr_block(cidr)
                    .availability_zone(format!("{REGION}a"))
                    .send()
                    .await
                    .unwrap()
                    .subnet()
                    .unwrap()
                    .subnet_id()
                    .unwrap()
                    .to_string()
            }
        };
        let private_subnet_id = subnet(PRIVATE_CIDR).await;
        let public_subnet_id = subnet(PUBLIC_CIDR).await;

        let igw = ec2
            .create_internet_gateway()
            .send()
            .await
            .unwrap()
            .internet_gateway()
            .unwrap()
            .internet_gateway_id()
            .unwrap()
            .to_string();
        ec2.attach_internet_gateway()
            .internet_gateway_id(&igw)
            .vpc_id(&vpc_id)
            .send()
            .await
            .unwrap();

        let main_route_table_id = ec2
            .describe_route_tables()
            .filters(filter("vpc-id", &vpc_id))
            .filters(filter("association.main", "true"))
            .send()
            .await
            .unwrap()
            .route_tables()[0]
            .route_table_id()
            .unwrap()
            .to_string();
        let route_table = |subnet_id: String| {
            let ec2 = ec2.clone();
            let vpc_id = vpc_id.clone();
            async move {
                let rt = ec2
                    .create_route_table()
                    .vpc_id(vpc_id)
                    .send()
                    .await
                    .unwrap()
                    .route_table()
                    .unwrap()
                    .route_table_id()
                    .unwrap()
                    .to_string();
                ec2.associate_route_table()
                    .route_table_id(&rt)
                    .subnet_id(subnet_id)
                    .send()
                    .await
                    .unwrap();
                rt
            }
        };
        let private_route_table_id = route_table(private_subnet_id.clone()).await;
        let public_route_table_id = route_table(public_subnet_id.clone()).await;
        ec2.create_route()
            .route_table_id(&public_route_table_id)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(&igw)
            .send()
            .await
            .unwrap();

        let nat = |ec2: aws_sdk_ec2::Client, subnet: String| async move {
            let eip = ec2
                .allocate_address()
                .domain(DomainType::Vpc)
                .send()
                .await
                .unwrap()
                .allocation_id()
                .unwrap()
                .to_string();
            ec2.create_nat_gateway()
                .subnet_id(subnet)
                .allocation_id(eip)
                .send()
                .await
                .unwrap()
                .nat_gateway()
                .unwrap()
                .nat_gateway_id()
                .unwrap()
                .to_string()
        };
        let mut nat_gateway_id = None;
        let mut transit_gateway_id = None;
        match self.default_route {
            DefaultRoute::None => {}
            DefaultRoute::Nat | DefaultRoute::DeletedNat => {
                let id = nat(ec2.clone(), public_subnet_id.clone()).await;
                ec2.create_route()
                    .route_table_id(&private_route_table_id)
                    .destination_cidr_block("0.0.0.0/0")
                    .nat_gateway_id(&id)
                    .send()
                    .await
                    .unwrap();
                nat_gateway_id = Some(id);
            }
            DefaultRoute::TransitGateway => {
                let tgw = ec2
                    .create_transit_gateway()
                    .description("shared egress")
                    .send()
                    .await
                    .unwrap()
                    .transit_gateway()
                    .unwrap()
                    .transit_gateway_id()
                    .unwrap()
                    .to_string();
                ec2.create_transit_gateway_vpc_attachment()
                    .transit_gateway_id(&tgw)
                    .vpc_id(&vpc_id)
                    .subnet_ids(&private_subnet_id)
                    .send()
                    .await
                    .unwrap();
                ec2.create_route()
                    .route_table_id(&private_route_table_id)
                    .destination_cidr_block("0.0.0.0/0")
                    .transit_gateway_id(&tgw)
                    .send()
                    .await
                    .unwrap();
                transit_gateway_id = Some(tgw);
            }
        }
        let mut deleted_nat_gateway_id = None;
        if self.extra_deleted_nat_route {
            let id = nat(ec2.clone(), public_subnet_id.clone()).await;
            ec2.create_route()
                .route_table_id(&private_route_table_id)
                .destination_cidr_block("192.168.0.0/16")
                .nat_gateway_id(&id)
                .send()
                .await
                .unwrap();
            deleted_nat_gateway_id = Some(id);
        }

        // --- Security groups ---
        let group = |name: &'static str| {
            let ec2 = ec2.clone();
            let vpc_id = vpc_id.clone();
            async move {
                ec2.create_security_group()
                    .vpc_id(vpc_id)
                    .group_name(unique(name))
                    .description(name)
                    .send()
                    .await
                    .unwrap()
                    .group_id()
                    .unwrap()
                    .to_string()
            }
        };
        let task_sg_id = group("task").await;
        let endpoint_sg_id = if self.interface_endpoints.is_empty() {
            None
        } else {
            let sg = group("endpoints").await;
            // By group reference: moto's ENI addresses are not in their subnet's CIDR.
            if self.endpoint_sg_allows_task {
                ec2.authorize_security_group_ingress()
                    .group_id(&sg)
                    .ip_permissions(
                        tcp_443()
                            .user_id_group_pairs(
                                UserIdGroupPair::builder().group_id(&task_sg_id).build(),
                            )
                            .build(),
                    )
                    .send()
                    .await
                    .unwrap();
            }
            Some(sg)
        };
        let s3_prefix_list_id = ec2
            .describe_managed_prefix_lists()
            .filters(filter("prefix-list-name", &service("s3")))
            .send()
            .await
            .unwrap()
            .prefix_lists()[0]
            .prefix_list_id()
            .unwrap()
            .to_string();
        if self.task_egress != TaskEgress::All {
            ec2.revoke_security_group_egress()
                .group_id(&task_sg_id)
                .ip_permissions(
                    IpPermission::builder()
                        .ip_protocol("-1")
                        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                        .build(),
                )
                .send()
                .await
                .unwrap();
            let mut rules = Vec::new();
            if let Some(ep_sg) = &endpoint_sg_id {
                rules.push(
                    tcp_443()
                        .user_id_group_pairs(
                            UserIdGroupPair::builder()
                                .group_id(ep_sg)
                                .description("to the interface endpoints")
                                .build(),
                        )
                        .build(),
                );
            }
            if self.task_egress == TaskEgress::EndpointsAndS3 {
                rules.push(
                    tcp_443()
                        .prefix_list_ids(
                            PrefixListId::builder()
                                .prefix_list_id(&s3_prefix_list_id)
                                .description("S3 gateway endpoint (ECR layers)")
                                .build(),
                        )
                        .build(),
                );
            }
            if !rules.is_empty() {
                ec2.authorize_security_group_egress()
                    .group_id(&task_sg_id)
                    .set_ip_permissions(Some(rules))
                    .send()
                    .await
                    .unwrap();
            }
        }

        // --- Endpoints ---
        let mut interface_endpoints = Vec::new();
        for suffix in &self.interface_endpoints {
            let name = service(suffix);
            let id = ec2
                .create_vpc_endpoint()
                .vpc_id(&vpc_id)
                .vpc_endpoint_type(VpcEndpointType::Interface)
                .service_name(&name)
                .subnet_ids(&private_subnet_id)
                .security_group_ids(endpoint_sg_id.as_deref().unwrap())
                .private_dns_enabled(self.endpoint_private_dns)
                .send()
                .await
                .unwrap()
                .vpc_endpoint()
                .unwrap()
                .vpc_endpoint_id()
                .unwrap()
                .to_string();
            interface_endpoints.push((name, id));
        }
        let task_route_table = if self.task_in_public_subnet {
            &public_route_table_id
        } else {
            &private_route_table_id
        };
        let s3_endpoint_id = if self.s3_gateway {
            let mut policy = serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]
            });
            if self.s3_policy_denies_layer_bucket {
                policy["Statement"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({
                        "Sid": "NoLayers", "Effect": "Deny", "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": format!("arn:aws:s3:::{LAYER_BUCKET}/*")
                    }));
            }
            // With its final route tables: moto's ModifyVpcEndpoint adds no prefix-list route.
            let id = ec2
                .create_vpc_endpoint()
                .vpc_id(&vpc_id)
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .service_name(service("s3"))
                .route_table_ids(if self.s3_gateway_on_main_table {
                    &main_route_table_id
                } else {
                    task_route_table
                })
                .policy_document(policy.to_string())
                .send()
                .await
                .unwrap()
                .vpc_endpoint()
                .unwrap()
                .vpc_endpoint_id()
                .unwrap()
                .to_string();
            Some(id)
        } else {
            None
        };

        // --- DHCP options and NACL ---
        let dhcp_options_id = match &self.dhcp_dns_servers {
            Some(servers) => {
                let id = ec2
                    .create_dhcp_options()
                    .dhcp_configurations(
                        NewDhcpConfiguration::builder()
                            .key("domain-name-servers")
                            .set_values(Some(servers.clone()))
                            .build(),
                    )
                    .dhcp_configurations(
                        NewDhcpConfiguration::builder()
                            .key("domain-name")
                            .values("corp.example")
                            .build(),
                    )
                    .send()
                    .await
                    .unwrap()
                    .dhcp_options()
                    .unwrap()
                    .dhcp_options_id()
                    .unwrap()
                    .to_string();
                ec2.associate_dhcp_options()
                    .dhcp_options_id(&id)
                    .vpc_id(&vpc_id)
                    .send()
                    .await
                    .unwrap();
                Some(id)
            }
            None => None,
        };
        let task_subnet_id = if self.task_in_public_subnet {
            public_subnet_id.clone()
        } else {
            private_subnet_id.clone()
        };
        let network_acl_id = match self.nacl {
            Nacl::Default => None,
            kind => Some(custom_nacl(&ec2, &vpc_id, &task_subnet_id, kind).await),
        };

        // --- The task ---
        let cluster = unique("net-cluster");
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .unwrap();
        let family = unique("payments-api");
        let td_arn = match &self.image {
            Some(image) => scenario::task_definition_with_image(conf, &family, image).await,
            None => scenario::task_definition(conf, &family).await,
        };
        let assign_public_ip = self.assign_public_ip.unwrap_or(self.task_in_public_subnet);
        let sgs = vec![task_sg_id.clone()];
        let stop_reason = self.stop_reason.as_deref().unwrap_or(PULL_TIMEOUT);
        assert!(
            !(self.task_set && self.service_network_changed),
            "a task set's network changes with a new task set, not UpdateService"
        );
        let network = scenario::awsvpc(&task_subnet_id, &sgs, assign_public_ip);
        let service_name = (self.as_service || self.task_set).then(|| unique("payments"));
        let mut task_set_arn = None;
        let (task_arn, task_id) = if self.task_set {
            let name = service_name.as_deref().unwrap();
            ecs.create_service()
                .cluster(&cluster)
                .service_name(name)
                .desired_count(1)
                .deployment_controller(
                    DeploymentController::builder()
                        .r#type(DeploymentControllerType::External)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            // The server starts the task set's task as ECS does (startedBy: the task set's ID).
            let set = ecs
                .create_task_set()
                .cluster(&cluster)
                .service(name)
                .task_definition(&td_arn)
                .launch_type(LaunchType::Fargate)
                .network_configuration(network)
                .send()
                .await
                .unwrap();
            let set = set.task_set().unwrap();
            task_set_arn = set.task_set_arn().map(str::to_string);
            let task_arn = ecs
                .list_tasks()
                .cluster(&cluster)
                .started_by(set.id().unwrap())
                .send()
                .await
                .unwrap()
                .task_arns()
                .first()
                .expect("the task set started a task")
                .clone();
            scenario::stop_task(conf, &cluster, &task_arn, stop_reason).await;
            let task_id = task_arn.rsplit('/').next().unwrap().to_string();
            (task_arn, task_id)
        } else {
            if let Some(name) = &service_name {
                ecs.create_service()
                    .cluster(&cluster)
                    .service_name(name)
                    .task_definition(&td_arn)
                    .desired_count(0)
                    .launch_type(LaunchType::Fargate)
                    .network_configuration(network)
                    .send()
                    .await
                    .unwrap();
            }
            let group = service_name.as_ref().map(|n| format!("service:{n}"));
            scenario::run_fargate_task(
                conf,
                &RunSpec {
                    cluster: &cluster,
                    task_definition_arn: &td_arn,
                    subnet_id: &task_subnet_id,
                    security_group_ids: &sgs,
                    assign_public_ip,
                    group: group.as_deref(),
                    stop_reason: Some(stop_reason),
                },
            )
            .await
        };
        let described = ecs
            .describe_tasks()
            .cluster(&cluster)
            .tasks(&task_arn)
            .send()
            .await
            .unwrap();
        let task = &described.tasks()[0];
        let deployment_id = service_name
            .as_ref()
            .and_then(|_| task.started_by().map(str::to_string));
        let task_eni_id = task.attachments()[0]
            .details()
            .iter()
            .find(|d| d.name() == Some("networkInterfaceId"))
            .and_then(|d| d.value())
            .unwrap()
            .to_string();

        // --- What moto only accepts once the task has stopped ---
        let changed_service_sg_id = if self.service_network_changed {
            let sg = group("task-v2").await;
            ecs.update_service()
                .cluster(&cluster)
                .service(service_name.as_deref().unwrap())
                .network_configuration(scenario::awsvpc(
                    &task_subnet_id,
                    std::slice::from_ref(&sg),
                    assign_public_ip,
                ))
                .send()
                .await
                .unwrap();
            Some(sg)
        } else {
            None
        };
        if !self.dns_hostnames {
            ec2.modify_vpc_attribute()
                .vpc_id(&vpc_id)
                .enable_dns_hostnames(on(false))
                .send()
                .await
                .unwrap();
        }
        if !self.dns_support {
            ec2.modify_vpc_attribute()
                .vpc_id(&vpc_id)
                .enable_dns_support(on(false))
                .send()
                .await
                .unwrap();
        }
        if self.default_route == DefaultRoute::DeletedNat {
            delete_nat(&ec2, nat_gateway_id.as_deref().unwrap()).await;
        }
        if let Some(id) = &deleted_nat_gateway_id {
            delete_nat(&ec2, id).await;
        }

        BuiltNetwork {
            task: FargateTask {
                cluster,
                task_arn,
                task_id,
                task_definition_arn: td_arn,
                subnet_id: task_subnet_id,
            },
            task_eni_id,
            vpc_id,
            private_subnet_id,
            public_subnet_id,
            main_route_table_id,
            private_route_table_id,
            public_route_table_id,
            internet_gateway_id: igw,
            nat_gateway_id,
            deleted_nat_gateway_id,
            transit_gateway_id,
            task_sg_id,
            endpoint_sg_id,
            interface_endpoints,
            s3_endpoint_id,
            s3_prefix_list_id,
            dhcp_options_id,
            network_acl_id,
            service_name,
            deployment_id,
            task_set_arn,
            changed_service_sg_id,
        }
    }
}

async fn delete_nat(ec2: &aws_sdk_ec2::Client, id: &str) {
    ec2.delete_nat_gateway()
        .nat_gateway_id(id)
        .send()
        .await
        .unwrap();
}

/// A custom NACL on `subnet_id`, replacing its association with the default NACL.
async fn custom_nacl(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
    subnet_id: &str,
    kind: Nacl,
) -> String {
    let acl = ec2
        .create_network_acl()
        .vpc_id(vpc_id)
        .send()
        .await
        .unwrap()
        .network_acl()
        .unwrap()
        .network_acl_id()
        .unwrap()
        .to_string();
    let entry = |n: i32, egress: bool, from: i32, to: i32| {
        ec2.create_network_acl_entry()
            .network_acl_id(&acl)
            .rule_number(n)
            .protocol("6")
            .rule_action(RuleAction::Allow)
            .egress(egress)
            .cidr_block("0.0.0.0/0")
            .port_range(PortRange::builder().from(from).to(to).build())
    };
    entry(100, true, 443, 443).send().await.unwrap();
    if kind == Nacl::AllowsHttpsAndReturn {
        entry(100, false, 1024, 65535).send().await.unwrap();
    }
    // The association to replace is the subnet's current one (with the default NACL).
    let current = ec2
        .describe_network_acls()
        .filters(filter("association.subnet-id", subnet_id))
        .send()
        .await
        .unwrap();
    let association = current.network_acls()[0]
        .associations()
        .iter()
        .find(|a| a.subnet_id() == Some(subnet_id))
        .and_then(|a| a.network_acl_association_id())
        .unwrap()
        .to_string();
    ec2.replace_network_acl_association()
        .association_id(association)
        .network_acl_id(&acl)
        .send()
        .await
        .unwrap();
    acl
}

/// What [`ec2_bridge_task`] built.
#[derive(Debug, Clone)]
pub struct Ec2BridgeTask {
    /// Cluster name.
    pub cluster: String,
    /// Task ARN.
    pub task_arn: String,
    /// Task ID.
    pub task_id: String,
    /// The container instance the task was placed on.
    pub container_instance_arn: String,
    /// Its EC2 instance.
    pub instance_id: String,
    /// The instance's primary ENI (the agent pulls through it in bridge mode).
    pub instance_eni_id: String,
    /// The instance's subnet.
    pub subnet_id: String,
    /// The instance's VPC.
    pub vpc_id: String,
    /// The instance's security group.
    pub instance_sg_id: String,
}

/// An EC2-launch-type task in `bridge` mode on a registered container instance, stopped with a
/// pull failure (as ECS stops a failed start: [`scenario::stop_reason_for`]). Its network origin is the instance's primary ENI.
pub async fn ec2_bridge_task(conf: &SdkConfig) -> Ec2BridgeTask {
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode};

    let ec2 = aws_sdk_ec2::Client::new(conf);
    let ecs = aws_sdk_ecs::Client::new(conf);
    let vpc_id = ec2
        .create_vpc()
        .cidr_block(VPC_CIDR)
        .send()
        .await
        .unwrap()
        .vpc()
        .unwrap()
        .vpc_id()
        .unwrap()
        .to_string();
    let subnet_id = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block(PRIVATE_CIDR)
        .availability_zone(format!("{REGION}a"))
        .send()
        .await
        .unwrap()
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_string();
    let instance_sg_id = ec2
        .create_security_group()
        .vpc_id(&vpc_id)
        .group_name(unique("ecs-hosts"))
        .description("container instances")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let run = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .instance_type(aws_sdk_ec2::types::InstanceType::M5Large)
        .min_count(1)
        .max_count(1)
        .subnet_id(&subnet_id)
        .security_group_ids(&instance_sg_id)
        .send()
        .await
        .unwrap();
    let instance = &run.instances()[0];
    let instance_id = instance.instance_id().unwrap().to_string();
    let instance_eni_id = instance.network_interfaces()[0]
        .network_interface_id()
        .unwrap()
        .to_string();

    let cluster = unique("ec2-cluster");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let document = serde_json::json!({
        "instanceId": instance_id, "region": REGION, "accountId": super::ACCOUNT,
        "availabilityZone": format!("{REGION}a"), "instanceType": "m5.large"
    });
    let container_instance_arn = ecs
        .register_container_instance()
        .cluster(&cluster)
        .instance_identity_document(document.to_string())
        .send()
        .await
        .unwrap()
        .container_instance()
        .unwrap()
        .container_instance_arn()
        .unwrap()
        .to_string();
    let family = unique("worker");
    let td = ecs
        .register_task_definition()
        .family(&family)
        .network_mode(NetworkMode::Bridge)
        .requires_compatibilities(Compatibility::Ec2)
        .container_definitions(
            ContainerDefinition::builder()
                .name("worker")
                .image(format!(
                    "{}.dkr.ecr.{REGION}.amazonaws.com/worker:7",
                    super::ACCOUNT
                ))
                .memory(256)
                .essential(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string();
    let task_arn = ecs
        .run_task()
        .cluster(&cluster)
        .task_definition(&td)
        .launch_type(LaunchType::Ec2)
        .send()
        .await
        .unwrap()
        .tasks()[0]
        .task_arn()
        .unwrap()
        .to_string();
    scenario::stop_task(conf, &cluster, &task_arn, PULL_TIMEOUT).await;
    let task_id = task_arn.rsplit('/').next().unwrap().to_string();
    Ec2BridgeTask {
        cluster,
        task_arn,
        task_id,
        container_instance_arn,
        instance_id,
        instance_eni_id,
        subnet_id,
        vpc_id,
        instance_sg_id,
    }
}
