//! Placement scenarios: an EC2 cluster with registered container instances, a bridge-mode
//! task stopped with a placement or EFS reason, and optionally an EFS file system with a
//! mount target in the task's AZ or another one.

use aws_config::SdkConfig;
use aws_sdk_ec2::types::{IpPermission, UserIdGroupPair};
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, EfsTransitEncryption, EfsVolumeConfiguration, LaunchType,
    NetworkMode, TaskDefinitionPlacementConstraint, TaskDefinitionPlacementConstraintType, Volume,
};

use super::{REGION, unique};

/// `RESOURCE:MEMORY`, as ECS reports it (research §2.2).
pub const RESOURCE_MEMORY: &str = "TaskFailedToStart: RESOURCE:MEMORY";
/// The memberOf failure (research §2.2).
pub const MEMBER_OF: &str = "TaskFailedToStart: MemberOf placement constraint unsatisfied.";
/// An EFS mount that timed out.
pub const EFS_TIMEOUT: &str = "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: Connection timed out' : unsuccessful EFS utils command execution; code: 32";

/// Where the EFS mount target goes, and what its security group allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Efs {
    /// Mount target in the task's AZ, its group allowing 2049 from the hosts' group.
    Healthy,
    /// Mount target in the task's AZ, its group allowing nothing.
    Blocked,
    /// Mount target only in another AZ.
    OtherAz,
}

/// A placement scenario.
#[derive(Debug, Clone)]
pub struct PlacementScenario {
    /// How many container instances to register (all in us-east-1a).
    pub instances: usize,
    /// The task's container memory (MiB).
    pub memory: i32,
    /// A memberOf expression for the task definition.
    pub member_of: Option<String>,
    /// An EFS volume.
    pub efs: Option<Efs>,
    /// The reason the task is stopped with.
    pub reason: String,
    /// Memory (MiB) of one filler task run on each instance after the stop.
    pub filler_memory: Option<i32>,
    /// An internet gateway route and public IPs for the hosts, so that the other stages
    /// find the image pull's path too.
    pub internet: bool,
    /// A file system policy (JSON).
    pub efs_policy: Option<String>,
    /// The volume's transitEncryption (ENABLED unless set to false).
    pub efs_tls: bool,
    /// Give the task an execution role, a Secrets Manager secret and an awslogs group that all
    /// exist, so that every stage has something real to verify.
    pub secrets_and_logs: bool,
}

/// The execution role, secret ARN and log group of a `secrets_and_logs` scenario.
type Extras = (String, String, String);

/// What a scenario built.
#[derive(Debug, Clone)]
pub struct BuiltPlacement {
    /// Cluster name.
    pub cluster: String,
    /// Task ID.
    pub task_id: String,
    /// The EC2 instance IDs.
    pub instance_ids: Vec<String>,
    /// The file system, if any.
    pub file_system_id: Option<String>,
}

async fn create_sg(ec2: &aws_sdk_ec2::Client, vpc: &str, name: &str) -> String {
    ec2.create_security_group()
        .vpc_id(vpc)
        .group_name(unique(name))
        .description(name)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string()
}

async fn subnet(ec2: &aws_sdk_ec2::Client, vpc: &str, cidr: &str, az: &str) -> String {
    ec2.create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone(format!("{REGION}{az}"))
        .send()
        .await
        .unwrap()
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_string()
}

async fn internet(ec2: &aws_sdk_ec2::Client, vpc: &str, subnet: &str) {
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
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    let tables = ec2
        .describe_route_tables()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(vpc)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let main = tables.route_tables()[0]
        .route_table_id()
        .unwrap()
        .to_string();
    ec2.create_route()
        .route_table_id(&main)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .unwrap();
    ec2.modify_subnet_attribute()
        .subnet_id(subnet)
        .map_public_ip_on_launch(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

impl PlacementScenario {
    /// A task of `memory` MiB on `instances` instances, stopped with `reason`.
    pub fn new(instances: usize, memory: i32, reason: &str) -> PlacementScenario {
        PlacementScenario {
            instances,
            memory,
            member_of: None,
            efs: None,
            reason: reason.to_string(),
            filler_memory: None,
            internet: false,
            efs_policy: None,
            efs_tls: true,
            secrets_and_logs: false,
        }
    }

    /// Builds it in moto.
    pub async fn build(&self, conf: &SdkConfig) -> BuiltPlacement {
        let ec2 = aws_sdk_ec2::Client::new(conf);
        let ecs = aws_sdk_ecs::Client::new(conf);
        let efs = aws_sdk_efs::Client::new(conf);
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.50.0.0/16")
            .send()
            .await
            .unwrap()
            .vpc()
            .unwrap()
            .vpc_id()
            .unwrap()
            .to_string();
        let subnet_a = subnet(&ec2, &vpc, "10.50.1.0/24", "a").await;
        let subnet_b = subnet(&ec2, &vpc, "10.50.2.0/24", "b").await;
        let hosts_sg = create_sg(&ec2, &vpc, "ecs-hosts").await;
        if self.internet {
            internet(&ec2, &vpc, &subnet_a).await;
        }
        let cluster = unique("placement");
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .unwrap();
        let mut instance_ids = Vec::new();
        for _ in 0..self.instances {
            let run = ec2
                .run_instances()
                .image_id("ami-12c6146b")
                .instance_type(aws_sdk_ec2::types::InstanceType::M5Large)
                .min_count(1)
                .max_count(1)
                .subnet_id(&subnet_a)
                .security_group_ids(&hosts_sg)
                .send()
                .await
                .unwrap();
            let id = run.instances()[0].instance_id().unwrap().to_string();
            let document = serde_json::json!({
                "instanceId": id, "region": REGION, "accountId": super::ACCOUNT,
                "availabilityZone": format!("{REGION}a"), "instanceType": "m5.large"
            });
            ecs.register_container_instance()
                .cluster(&cluster)
                .instance_identity_document(document.to_string())
                .send()
                .await
                .unwrap();
            instance_ids.push(id);
        }

        let mut file_system_id = None;
        if let Some(kind) = self.efs {
            let fs = efs
                .create_file_system()
                .creation_token(unique("fs"))
                .send()
                .await
                .unwrap()
                .file_system_id()
                .to_string();
            let mt_sg = create_sg(&ec2, &vpc, "efs-mt").await;
            if kind != Efs::Blocked {
                ec2.authorize_security_group_ingress()
                    .group_id(&mt_sg)
                    .ip_permissions(
                        IpPermission::builder()
                            .ip_protocol("tcp")
                            .from_port(2049)
                            .to_port(2049)
                            .user_id_group_pairs(
                                UserIdGroupPair::builder().group_id(&hosts_sg).build(),
                            )
                            .build(),
                    )
                    .send()
                    .await
                    .unwrap();
            }
            let where_ = if kind == Efs::OtherAz {
                &subnet_b
            } else {
                &subnet_a
            };
            efs.create_mount_target()
                .file_system_id(&fs)
                .subnet_id(where_)
                .security_groups(&mt_sg)
                .send()
                .await
                .unwrap();
            if let Some(policy) = &self.efs_policy {
                efs.put_file_system_policy()
                    .file_system_id(&fs)
                    .policy(policy)
                    .send()
                    .await
                    .unwrap();
            }
            file_system_id = Some(fs);
        }

        let td = self
            .task_definition(
                &ecs,
                file_system_id.as_deref(),
                self.memory,
                self.extras(conf).await.as_ref(),
            )
            .await;
        let task_arn = ecs
            .run_task()
            .cluster(&cluster)
            .task_definition(&td)
            .launch_type(LaunchType::Ec2)
            .send()
            .await
            .unwrap()
            .tasks()
            .first()
            .expect("moto placed the task")
            .task_arn()
            .unwrap()
            .to_string();
        // As ECS stops a task whose start failed (stopCode TaskFailedToStart, stop times).
        super::scenario::stop_task(conf, &cluster, &task_arn, &self.reason).await;
        if let Some(m) = self.filler_memory {
            let filler = PlacementScenario {
                member_of: None,
                efs: None,
                ..self.clone()
            };
            let ftd = filler.task_definition(&ecs, None, m, None).await;
            for _ in 0..self.instances {
                let placed = ecs
                    .run_task()
                    .cluster(&cluster)
                    .task_definition(&ftd)
                    .launch_type(LaunchType::Ec2)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(placed.tasks().len(), 1, "moto placed a filler task");
            }
        }
        BuiltPlacement {
            cluster,
            task_id: task_arn.rsplit('/').next().unwrap().to_string(),
            instance_ids,
            file_system_id,
        }
    }

    /// The role, secret and log group a `secrets_and_logs` scenario uses, created in moto.
    async fn extras(&self, conf: &SdkConfig) -> Option<Extras> {
        if !self.secrets_and_logs {
            return None;
        }
        let role = super::ecr::execution_role(conf).await;
        let secret = super::ecr::secret(conf, &unique("placed/db")).await;
        let group = unique("/ecs/placed");
        aws_sdk_cloudwatchlogs::Client::new(conf)
            .create_log_group()
            .log_group_name(&group)
            .send()
            .await
            .unwrap();
        Some((role, secret, group))
    }

    async fn task_definition(
        &self,
        ecs: &aws_sdk_ecs::Client,
        fs: Option<&str>,
        memory: i32,
        extras: Option<&Extras>,
    ) -> String {
        let mut container = ContainerDefinition::builder()
            .name("app")
            .image("public.ecr.aws/docker/library/busybox:latest")
            .memory(memory)
            .essential(true);
        let mut req = ecs
            .register_task_definition()
            .family(unique("placed"))
            .network_mode(NetworkMode::Bridge)
            .requires_compatibilities(Compatibility::Ec2);
        if let Some((role, secret, group)) = extras {
            container = container
                .secrets(
                    aws_sdk_ecs::types::Secret::builder()
                        .name("DB")
                        .value_from(secret)
                        .build()
                        .unwrap(),
                )
                .log_configuration(
                    aws_sdk_ecs::types::LogConfiguration::builder()
                        .log_driver(aws_sdk_ecs::types::LogDriver::Awslogs)
                        .options("awslogs-group", group)
                        .options("awslogs-region", REGION)
                        .options("awslogs-stream-prefix", "app")
                        .build()
                        .unwrap(),
                );
            req = req.execution_role_arn(role);
        }
        req = req.container_definitions(container.build());
        if let Some(expr) = &self.member_of {
            req = req.placement_constraints(
                TaskDefinitionPlacementConstraint::builder()
                    .r#type(TaskDefinitionPlacementConstraintType::MemberOf)
                    .expression(expr)
                    .build(),
            );
        }
        if let Some(fs) = fs {
            req = req.volumes(
                Volume::builder()
                    .name("data")
                    .efs_volume_configuration(
                        EfsVolumeConfiguration::builder()
                            .file_system_id(fs)
                            .transit_encryption(if self.efs_tls {
                                EfsTransitEncryption::Enabled
                            } else {
                                EfsTransitEncryption::Disabled
                            })
                            .transit_encryption_port(2049)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            );
        }
        req.send()
            .await
            .unwrap()
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string()
    }
}
