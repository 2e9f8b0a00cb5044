//! Logging scenarios built through the SDK: a Fargate task definition whose container logs
//! with awslogs (group, Region and `awslogs-create-group` as the test asks) or another driver,
//! the log group created where the test wants it to exist, an execution role that may or may
//! not create log groups, and a task stopped with the logger error ECS reports.

use aws_config::SdkConfig;
use aws_sdk_cloudwatchlogs::config::Region;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, FirelensConfiguration, FirelensConfigurationType,
    LogConfiguration, LogDriver, NetworkMode,
};

use super::iam::standard_execution_role;
use super::scenario::{FargateTask, RunSpec, run_fargate_task, vpc};
use super::{ACCOUNT, REGION, unique};

/// The modern agent's wording when the awslogs group cannot be used (runbook research §2.5).
pub const LOGGER_ARGS: &str = "ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed";

/// What a FireLens task reports when its log router is not there to receive the logs.
pub const FIRELENS_DOWN: &str = "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: dial unix /var/run/fluent.sock: connect: no such file or directory";

/// The log driver of the scenario's application container.
#[derive(Debug, Clone)]
pub enum Driver {
    /// awslogs, with `awslogs-create-group: "true"` when asked, and `awslogs-region` set to
    /// `region` (the scenario's Region when `None`: real task definitions nearly always set it).
    Awslogs {
        /// Set `awslogs-create-group` to `"true"`.
        create_group: bool,
        /// `awslogs-region`.
        region: Option<&'static str>,
    },
    /// FireLens: the container logs through a Fluent Bit log router in the same task.
    Firelens,
}

/// One logging scenario.
#[derive(Debug, Clone)]
pub struct LoggingScenario {
    /// The application container's log driver.
    pub driver: Driver,
    /// Create the log group in this Region before the task runs (`None`: it does not exist).
    pub group_in: Option<&'static str>,
    /// Also create `<group>-old` in the awslogs Region: a name the prefix search returns and the
    /// exact-name match must not take for the group.
    pub sibling: bool,
    /// Give the execution role an inline policy that allows logs:CreateLogGroup on the group.
    pub may_create: bool,
    /// The stop reason.
    pub stop_reason: &'static str,
}

/// What the scenario built.
pub struct BuiltLogging {
    /// The task.
    pub task: FargateTask,
    /// The log group the container names.
    pub group: String,
    /// The execution role's name.
    pub role_name: String,
}

/// A CloudWatch Logs client for `region` on the same moto server.
pub fn logs_client(conf: &SdkConfig, region: &str) -> aws_sdk_cloudwatchlogs::Client {
    let c = aws_sdk_cloudwatchlogs::Client::new(conf);
    let regional = c
        .config()
        .to_builder()
        .region(Region::new(region.to_string()))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(regional)
}

/// Creates a log group in `region`.
pub async fn create_group(conf: &SdkConfig, region: &str, group: &str) {
    logs_client(conf, region)
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
}

impl LoggingScenario {
    /// The Region awslogs writes to in this scenario.
    pub fn awslogs_region(&self) -> &'static str {
        match self.driver {
            Driver::Awslogs {
                region: Some(r), ..
            } => r,
            _ => REGION,
        }
    }

    /// Builds the role, the log group(s), the task definition and the stopped task.
    pub async fn build(&self, conf: &SdkConfig) -> BuiltLogging {
        let ecs = aws_sdk_ecs::Client::new(conf);
        let family = unique("logging-app");
        let group = format!("/ecs/{family}");
        let role_name = unique("logging-exec");
        standard_execution_role(conf, &role_name).await;
        if self.may_create {
            // The form CloudWatch Logs shows group ARNs in (`...:log-group:<name>:*`).
            aws_sdk_iam::Client::new(conf)
                .put_role_policy()
                .role_name(&role_name)
                .policy_name("create-log-group")
                .policy_document(format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"CreateAppLogGroup","Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"arn:aws:logs:{}:{ACCOUNT}:log-group:{group}:*"}}]}}"#,
                    self.awslogs_region()
                ))
                .send()
                .await
                .unwrap();
        }
        if let Some(region) = self.group_in {
            create_group(conf, region, &group).await;
        }
        if self.sibling {
            create_group(conf, self.awslogs_region(), &format!("{group}-old")).await;
        }

        let image = super::iam::image();
        // moto needs container memory for RunTask (MOTO-NOTES.md).
        let mut containers = Vec::new();
        let app = ContainerDefinition::builder()
            .name("app")
            .image(&image)
            .essential(true)
            .memory(512);
        let app = match &self.driver {
            Driver::Awslogs {
                create_group,
                region,
            } => {
                let mut log = LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .options("awslogs-group", &group)
                    .options("awslogs-region", region.unwrap_or(REGION))
                    .options("awslogs-stream-prefix", "app");
                if *create_group {
                    log = log.options("awslogs-create-group", "true");
                }
                app.log_configuration(log.build().unwrap())
            }
            Driver::Firelens => {
                containers.push(
                    ContainerDefinition::builder()
                        .name("log_router")
                        .image("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable")
                        .essential(true)
                        .memory(128)
                        .firelens_configuration(
                            FirelensConfiguration::builder()
                                .r#type(FirelensConfigurationType::Fluentbit)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                );
                app.log_configuration(
                    LogConfiguration::builder()
                        .log_driver(LogDriver::Awsfirelens)
                        .options("Name", "cloudwatch_logs")
                        .options("region", REGION)
                        .options("log_group_name", &group)
                        .options("log_stream_prefix", "app")
                        .build()
                        .unwrap(),
                )
            }
        };
        containers.insert(0, app.build());
        let td = ecs
            .register_task_definition()
            .family(&family)
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("1024")
            .execution_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/{role_name}"))
            .set_container_definitions(Some(containers))
            .send()
            .await
            .unwrap();
        let td_arn = td
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string();
        let cluster = unique("logging-cluster");
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .unwrap();
        let (subnet_id, sg) = vpc(conf).await;
        let (task_arn, task_id) = run_fargate_task(
            conf,
            &RunSpec {
                cluster: &cluster,
                task_definition_arn: &td_arn,
                subnet_id: &subnet_id,
                security_group_ids: std::slice::from_ref(&sg),
                assign_public_ip: false,
                group: None,
                stop_reason: Some(self.stop_reason),
            },
        )
        .await;
        BuiltLogging {
            task: FargateTask {
                cluster,
                task_arn,
                task_id,
                task_definition_arn: td_arn,
                subnet_id,
            },
            group,
            role_name,
        }
    }
}
