//! IAM scenarios built through the SDK: an execution role with the trust and policies a test
//! asks for (or none, or one that does not exist), a Fargate task definition naming it, and a
//! task that stopped with an access-denied pull.

use aws_config::SdkConfig;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, LogConfiguration, LogDriver, NetworkMode,
};

use super::scenario::{FargateTask, RunSpec, run_fargate_task, vpc};
use super::{ACCOUNT, REGION, unique};

/// The trust policy ECS documents for an execution role.
pub const ECS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
/// A trust policy for EC2 only.
pub const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}"#;
/// The AWS-managed execution role policy.
pub const MANAGED_EXECUTION_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/// Logs only, no ECR.
pub const LOGS_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#;
/// An explicit Deny on ecr:BatchGetImage.
pub const DENY_BATCH_GET_IMAGE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoImages","Effect":"Deny","Action":"ecr:BatchGetImage","Resource":"*"}]}"#;

/// The execution role of a scenario.
#[derive(Debug, Clone)]
pub enum Role {
    /// The task definition names no execution role.
    None,
    /// The task definition names a role that was never created.
    Missing,
    /// The task definition names a role of another account (999999999999).
    OtherAccount,
    /// A role with this trust policy, inline policies and attached managed policies.
    Create {
        /// Trust policy document.
        trust: &'static str,
        /// Inline policies (name, document).
        inline: Vec<(&'static str, &'static str)>,
        /// Managed policy ARNs to attach.
        managed: Vec<&'static str>,
    },
}

/// One IAM scenario.
#[derive(Debug, Clone)]
pub struct IamScenario {
    /// The execution role.
    pub role: Role,
    /// awslogs with `awslogs-create-group: "true"`.
    pub create_group: bool,
    /// A permissions boundary (a customer managed policy with this document).
    pub boundary: Option<&'static str>,
}

/// What the scenario built.
pub struct BuiltIam {
    /// The task.
    pub task: FargateTask,
    /// The role name (when the task definition names one).
    pub role_name: Option<String>,
}

/// The image every scenario pulls (a private ECR repository in the scenario's account).
pub fn image() -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/app:1")
}

impl IamScenario {
    /// Builds the role, the task definition and a stopped task.
    pub async fn build(&self, conf: &SdkConfig) -> BuiltIam {
        let iam = aws_sdk_iam::Client::new(conf);
        let ecs = aws_sdk_ecs::Client::new(conf);
        let role_name = match &self.role {
            Role::None => None,
            Role::Missing | Role::OtherAccount => Some(unique("missing-role")),
            Role::Create {
                trust,
                inline,
                managed,
            } => {
                let name = unique("exec-role");
                let boundary = match self.boundary {
                    Some(doc) => Some(
                        iam.create_policy()
                            .policy_name(unique("boundary"))
                            .policy_document(doc)
                            .send()
                            .await
                            .unwrap()
                            .policy()
                            .unwrap()
                            .arn()
                            .unwrap()
                            .to_string(),
                    ),
                    None => None,
                };
                iam.create_role()
                    .role_name(&name)
                    .assume_role_policy_document(*trust)
                    .set_permissions_boundary(boundary)
                    .send()
                    .await
                    .unwrap();
                for (pname, doc) in inline {
                    iam.put_role_policy()
                        .role_name(&name)
                        .policy_name(*pname)
                        .policy_document(*doc)
                        .send()
                        .await
                        .unwrap();
                }
                for arn in managed {
                    iam.attach_role_policy()
                        .role_name(&name)
                        .policy_arn(*arn)
                        .send()
                        .await
                        .unwrap();
                }
                Some(name)
            }
        };
        let family = unique("iam-app");
        let mut log = LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", format!("/ecs/{family}"))
            .options("awslogs-region", REGION)
            .options("awslogs-stream-prefix", "app");
        if self.create_group {
            log = log.options("awslogs-create-group", "true");
        }
        let container = ContainerDefinition::builder()
            .name("app")
            .image(image())
            .essential(true)
            // moto needs container memory for RunTask (MOTO-NOTES.md).
            .memory(512)
            .log_configuration(log.build().unwrap())
            .build();
        let td = ecs
            .register_task_definition()
            .family(&family)
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .set_execution_role_arn(role_name.as_ref().map(|n| {
                let account = if matches!(self.role, Role::OtherAccount) {
                    "999999999999"
                } else {
                    ACCOUNT
                };
                format!("arn:aws:iam::{account}:role/{n}")
            }))
            .container_definitions(container)
            .send()
            .await
            .unwrap();
        let td_arn = td
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string();
        let cluster = unique("iam-cluster");
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .unwrap();
        let (subnet_id, sg) = vpc(conf).await;
        let reason = format!(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {}: failed to resolve reference: unexpected status code 403 Forbidden",
            image()
        );
        let (task_arn, task_id) = run_fargate_task(
            conf,
            &RunSpec {
                cluster: &cluster,
                task_definition_arn: &td_arn,
                subnet_id: &subnet_id,
                security_group_ids: std::slice::from_ref(&sg),
                assign_public_ip: false,
                group: None,
                stop_reason: Some(&reason),
            },
        )
        .await;
        BuiltIam {
            task: FargateTask {
                cluster,
                task_arn,
                task_id,
                task_definition_arn: td_arn,
                subnet_id,
            },
            role_name,
        }
    }
}

/// Creates the execution role a scenario's task definition names, as a working account has
/// it: trusted by ECS tasks, with AmazonECSTaskExecutionRolePolicy and read access to the
/// scenario's secrets. Scenarios about other stages call it so that the iam stage passes.
pub async fn standard_execution_role(conf: &SdkConfig, role_name: &str) {
    let iam = aws_sdk_iam::Client::new(conf);
    iam.create_role()
        .role_name(role_name)
        .assume_role_policy_document(ECS_TRUST)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name(role_name)
        .policy_arn(MANAGED_EXECUTION_POLICY)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(role_name)
        .policy_name("secrets")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","ssm:GetParameters"],"Resource":["arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:*","arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/*"]}}]}}"#
        ))
        .send()
        .await
        .unwrap();
}
