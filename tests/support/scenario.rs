//! Scenarios built through the SDK: a VPC, a cluster, a Fargate task definition, a task.

use aws_config::SdkConfig;
use aws_sdk_ec2::types::AttributeBooleanValue;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, KeyValuePair,
    LaunchType, LogConfiguration, LogDriver, NetworkConfiguration, NetworkMode, Secret,
};

use super::{ACCOUNT, REGION, unique};

/// An environment value that must never appear in a report or a snapshot.
pub const SECRET_ENV_VALUE: &str = "hunter2-do-not-leak";

/// What a scenario built.
#[derive(Debug, Clone)]
pub struct FargateTask {
    /// Cluster name.
    pub cluster: String,
    /// Task ARN.
    pub task_arn: String,
    /// Task ID.
    pub task_id: String,
    /// Task definition ARN.
    pub task_definition_arn: String,
    /// Subnet of the task.
    pub subnet_id: String,
}

/// A private VPC with one subnet and a security group, as a Fargate service would use.
pub async fn vpc(conf: &SdkConfig) -> (String, String) {
    let ec2 = aws_sdk_ec2::Client::new(conf);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    // moto answers RunTask with a 500 in a VPC whose enableDnsHostnames is false
    // (shared/MOTO-NOTES.md); AWS does not care. Turn it on so the scenario can run.
    ec2.modify_vpc_attribute()
        .vpc_id(&vpc_id)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.20.3.0/24")
        .availability_zone(format!("{REGION}a"))
        .send()
        .await
        .unwrap();
    let subnet_id = subnet.subnet().unwrap().subnet_id().unwrap().to_string();
    let sg = ec2
        .create_security_group()
        .vpc_id(&vpc_id)
        .group_name(unique("task-sg"))
        .description("task")
        .send()
        .await
        .unwrap();
    (subnet_id, sg.group_id().unwrap().to_string())
}

/// Registers a Fargate task definition like a real service's: an ECR image that exists, an
/// execution role that may pull it, read the secret and write the logs, a secret that exists,
/// awslogs, and an environment value that must be redacted. Everything a stage checks is in
/// order, so a scenario breaks exactly the thing it is about.
pub async fn task_definition(conf: &SdkConfig, family: &str) -> String {
    super::ecr::ensure_image(conf, "payments-api", "1.2.3").await;
    let image = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.2.3");
    task_definition_with_image(conf, family, &image).await
}

/// The same task definition with another image.
pub async fn task_definition_with_image(conf: &SdkConfig, family: &str, image: &str) -> String {
    let ecs = aws_sdk_ecs::Client::new(conf);
    let execution_role = super::ecr::execution_role(conf).await;
    let secret = super::ecr::secret(conf, &unique("payments/api-key")).await;
    let container = ContainerDefinition::builder()
        .name("api")
        .image(image)
        .essential(true)
        // moto answers RunTask with a 500 unless every container has memory or
        // memoryReservation (MOTO-NOTES.md); Fargate itself only needs task-level memory.
        .memory(1024)
        .environment(
            KeyValuePair::builder()
                .name("DB_PASSWORD")
                .value(SECRET_ENV_VALUE)
                .build(),
        )
        .secrets(
            Secret::builder()
                .name("API_KEY")
                .value_from(secret)
                .build()
                .unwrap(),
        )
        .log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", format!("/ecs/{family}"))
                .options("awslogs-region", REGION)
                .options("awslogs-stream-prefix", "api")
                .build()
                .unwrap(),
        )
        .build();
    let out = ecs
        .register_task_definition()
        .family(family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .execution_role_arn(execution_role)
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    out.task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string()
}

/// A Fargate task in its own cluster; stopped with `reason` when one is given.
pub async fn fargate_task(conf: &SdkConfig, stop_reason: Option<&str>) -> FargateTask {
    let ecs = aws_sdk_ecs::Client::new(conf);
    let cluster = unique("cluster");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let (subnet_id, sg_id) = vpc(conf).await;
    let family = unique("payments-api");
    let td_arn = task_definition(conf, &family).await;
    launch(conf, cluster, td_arn, subnet_id, &sg_id, stop_reason).await
}

/// How to run one Fargate task (shared by every scenario that runs one).
#[derive(Debug, Clone)]
pub struct RunSpec<'a> {
    /// Cluster name (it must exist).
    pub cluster: &'a str,
    /// Task definition ARN.
    pub task_definition_arn: &'a str,
    /// The task's subnet.
    pub subnet_id: &'a str,
    /// The task's security groups.
    pub security_group_ids: &'a [String],
    /// `assignPublicIp`.
    pub assign_public_ip: bool,
    /// The task's group (`service:<name>` for a service's task, which then runs with the
    /// service's PRIMARY deployment as `startedBy`); moto defaults to `family:<name>`.
    pub group: Option<&'a str>,
    /// Stop the task with this reason right after it started, as ECS stops a task whose start
    /// failed ([`stop_reason_for`]: a plain reason becomes `stopCode` TaskFailedToStart).
    pub stop_reason: Option<&'a str>,
}

/// Runs a Fargate task (and stops it when asked); returns its ARN and ID.
///
/// A task whose `group` is `service:<name>` is that service's: it runs with `startedBy` set to
/// the ID of the service's PRIMARY deployment, as the ECS service scheduler starts it (the
/// service must exist). moto_server.py records no CloudTrail `RunTask` for it: on AWS no user
/// called RunTask. The stop goes through [`stop_task`], so the task stops the way ECS stops it
/// (see [`stop_reason_for`]), and the server deletes its ENI.
pub async fn run_fargate_task(conf: &SdkConfig, spec: &RunSpec<'_>) -> (String, String) {
    let ecs = aws_sdk_ecs::Client::new(conf);
    let started_by = match spec.group.and_then(|g| g.strip_prefix("service:")) {
        Some(service) => Some(primary_deployment_id(conf, spec.cluster, service).await),
        None => None,
    };
    let run = ecs
        .run_task()
        .cluster(spec.cluster)
        .task_definition(spec.task_definition_arn)
        .launch_type(LaunchType::Fargate)
        .set_group(spec.group.map(str::to_string))
        .set_started_by(started_by)
        .network_configuration(awsvpc(
            spec.subnet_id,
            spec.security_group_ids,
            spec.assign_public_ip,
        ))
        .send()
        .await
        .unwrap();
    let task_arn = run.tasks()[0].task_arn().unwrap().to_string();
    if let Some(reason) = spec.stop_reason {
        stop_task(conf, spec.cluster, &task_arn, reason).await;
    }
    let task_id = task_arn.rsplit('/').next().unwrap().to_string();
    (task_arn, task_id)
}

/// An awsvpc network configuration: one subnet, these security groups, `assignPublicIp`.
pub fn awsvpc(
    subnet_id: &str,
    security_group_ids: &[String],
    assign_public_ip: bool,
) -> NetworkConfiguration {
    NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .subnets(subnet_id)
                // moto answers 500 when securityGroups is absent (MOTO-NOTES.md).
                .set_security_groups(Some(security_group_ids.to_vec()))
                .assign_public_ip(if assign_public_ip {
                    AssignPublicIp::Enabled
                } else {
                    AssignPublicIp::Disabled
                })
                .build()
                .unwrap(),
        )
        .build()
}

/// The ID (`ecs-svc/...`) of the service's PRIMARY deployment: the `startedBy` of the tasks
/// that deployment starts (DescribeServices `services[].deployments[].id`).
pub async fn primary_deployment_id(conf: &SdkConfig, cluster: &str, service: &str) -> String {
    let out = aws_sdk_ecs::Client::new(conf)
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .unwrap();
    let service_ = out
        .services()
        .first()
        .unwrap_or_else(|| panic!("a task of service {service} needs the service to exist"));
    service_
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.id())
        .unwrap_or_else(|| panic!("service {service} has no PRIMARY deployment"))
        .to_string()
}

/// What a scenario's stop reason becomes on the wire: a reason that already carries the
/// harness prefix (from [`aws_stop`], [`failed_to_start`], [`essential_exited`]) as it is; the
/// plain "Essential container in task exited" as [`essential_exited`]`(0)`; any other plain
/// reason as [`failed_to_start`]`(0, reason)`. Scenarios simulate ECS stopping a task whose
/// start failed, and ECS then always sets `stopCode` TaskFailedToStart and the stop times (a
/// plain StopTask would be a user's, `UserInitiated`).
pub fn stop_reason_for(reason: &str) -> String {
    if reason.starts_with("moto-stop:") {
        reason.to_string()
    } else if reason == "Essential container in task exited" {
        essential_exited(0)
    } else {
        failed_to_start(0, reason)
    }
}

/// Stops a task the way ECS stops it ([`stop_reason_for`]); the server deletes its ENI.
pub async fn stop_task(conf: &SdkConfig, cluster: &str, task_arn: &str, reason: &str) {
    aws_sdk_ecs::Client::new(conf)
        .stop_task()
        .cluster(cluster)
        .task(task_arn)
        .reason(stop_reason_for(reason))
        .send()
        .await
        .unwrap();
}

/// A realistic modern pull failure: ECR reachable, the S3 layer bucket not.
pub const PULL_TIMEOUT: &str = "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/abc\": dial tcp 52.217.139.160:443: i/o timeout";

/// Runs another task of the same task definition in the same cluster, subnet and security group
/// as a [`fargate_task`] (stopped with `stop_reason` when one is given); returns its ARN.
pub async fn run_in(conf: &SdkConfig, like: &FargateTask, stop_reason: Option<&str>) -> String {
    // The task's ENI is gone once it stopped (as in AWS): its security group is the one
    // non-default group of the subnet's VPC, which is what [`vpc`] creates.
    let sg = {
        let ec2 = aws_sdk_ec2::Client::new(conf);
        let vpc_id = ec2
            .describe_subnets()
            .subnet_ids(&like.subnet_id)
            .send()
            .await
            .unwrap()
            .subnets()[0]
            .vpc_id()
            .unwrap()
            .to_string();
        let groups = ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("vpc-id")
                    .values(vpc_id)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        groups
            .security_groups()
            .iter()
            .find(|g| g.group_name() != Some("default"))
            .and_then(|g| g.group_id())
            .expect("the task's security group")
            .to_string()
    };
    let (arn, _) = run_fargate_task(
        conf,
        &RunSpec {
            cluster: &like.cluster,
            task_definition_arn: &like.task_definition_arn,
            subnet_id: &like.subnet_id,
            security_group_ids: &[sg],
            assign_public_ip: false,
            group: None,
            stop_reason,
        },
    )
    .await;
    arn
}

/// A Fargate task whose only container references exactly `secrets` (name, valueFrom) instead
/// of the default secret; everything else (image, execution role, logs) as in
/// [`task_definition`], so only the secrets can be wrong.
pub async fn fargate_task_with_secrets(
    conf: &SdkConfig,
    secrets: &[(&str, &str)],
    stop_reason: Option<&str>,
) -> FargateTask {
    let ecs = aws_sdk_ecs::Client::new(conf);
    let cluster = unique("cluster");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let (subnet_id, sg_id) = vpc(conf).await;
    let family = unique("payments-api");
    super::ecr::ensure_image(conf, "payments-api", "1.2.3").await;
    let image = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.2.3");
    let execution_role = super::ecr::execution_role(conf).await;
    let container = ContainerDefinition::builder()
        .name("api")
        .image(image)
        .essential(true)
        // moto needs container memory to run the task (MOTO-NOTES.md).
        .memory(1024)
        .set_secrets(Some(
            secrets
                .iter()
                .map(|(name, value_from)| {
                    Secret::builder()
                        .name(*name)
                        .value_from(*value_from)
                        .build()
                        .unwrap()
                })
                .collect(),
        ))
        .log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", format!("/ecs/{family}"))
                .options("awslogs-region", REGION)
                .options("awslogs-stream-prefix", "api")
                .build()
                .unwrap(),
        )
        .build();
    let td_arn = ecs
        .register_task_definition()
        .family(&family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .execution_role_arn(execution_role)
        .container_definitions(container)
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string();
    launch(conf, cluster, td_arn, subnet_id, &sg_id, stop_reason).await
}

/// Runs one Fargate task of `td_arn` in the subnet with one security group and no public IP
/// (stopped with `stop_reason` when one is given).
async fn launch(
    conf: &SdkConfig,
    cluster: String,
    td_arn: String,
    subnet_id: String,
    sg_id: &str,
    stop_reason: Option<&str>,
) -> FargateTask {
    let (task_arn, task_id) = run_fargate_task(
        conf,
        &RunSpec {
            cluster: &cluster,
            task_definition_arn: &td_arn,
            subnet_id: &subnet_id,
            security_group_ids: &[sg_id.to_string()],
            assign_public_ip: false,
            group: None,
            stop_reason,
        },
    )
    .await;
    FargateTask {
        cluster,
        task_arn,
        task_id,
        task_definition_arn: td_arn,
        subnet_id,
    }
}

/// A StopTask reason that makes the test moto stop the task the way ECS does: with `stopCode`
/// `code`, `stoppedAt` `ago_secs` seconds ago and the containers' reason (moto sets none of
/// them; see moto_server.py). The task keeps `reason` as its `stoppedReason`. With `ago_secs`
/// > 0 the server moves the task's `createdAt` and its CloudTrail RunTask event back by as much.
pub fn aws_stop(code: &str, ago_secs: u64, reason: &str) -> String {
    format!("moto-stop:code={code};ago={ago_secs}|{reason}")
}

/// [`aws_stop`] for a failed start (`TaskFailedToStart`).
pub fn failed_to_start(ago_secs: u64, reason: &str) -> String {
    aws_stop("TaskFailedToStart", ago_secs, reason)
}

/// [`aws_stop`] for a task that started and whose essential container then exited with 1.
pub fn essential_exited(ago_secs: u64) -> String {
    format!(
        "moto-stop:code=EssentialContainerExited;ago={ago_secs};exit=1|Essential container in task exited"
    )
}
