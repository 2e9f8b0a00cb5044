//! ECS facts: the task and its task definition, in our own words.
//!
//! Container `environment` values are never stored, only their names: reports and
//! snapshots get shared in tickets and chat, and environment values often hold
//! credentials. Options of log drivers other than awslogs are kept by name only, for
//! the same reason (a Splunk token in `options` is common).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What DescribeTasks (or the event) said about the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "lookup", rename_all = "camelCase")]
pub enum TaskLookup {
    /// The task was found.
    Found {
        /// The task.
        task: Box<TaskFacts>,
    },
    /// ECS does not know the task (a `MISSING` failure, or the task was not in the answer).
    Missing {
        /// The failure reason ECS gave (`MISSING`), or why we concluded it is missing.
        reason: String,
        /// The ARN ECS put in its failure entry, if any.
        #[serde(default)]
        arn: Option<String>,
    },
}

/// An ECS task, as DescribeTasks or the task-state-change event describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskFacts {
    /// The task ARN.
    pub task_arn: String,
    /// The cluster ARN.
    pub cluster_arn: Option<String>,
    /// The task definition ARN (with revision).
    pub task_definition_arn: Option<String>,
    /// PROVISIONING, PENDING, RUNNING, ..., STOPPED.
    pub last_status: Option<String>,
    /// RUNNING or STOPPED.
    pub desired_status: Option<String>,
    /// FARGATE, EC2, EXTERNAL, or absent with a capacity provider strategy.
    pub launch_type: Option<String>,
    /// The capacity provider that placed the task.
    pub capacity_provider_name: Option<String>,
    /// Fargate platform version.
    pub platform_version: Option<String>,
    /// Fargate platform family (Linux, Windows...).
    pub platform_family: Option<String>,
    /// The Availability Zone of the task.
    pub availability_zone: Option<String>,
    /// EC2 launch type: the container instance ARN.
    pub container_instance_arn: Option<String>,
    /// `service:<name>` or `family:<name>`.
    pub group: Option<String>,
    /// Who started the task (an ECS service deployment ID, for example).
    pub started_by: Option<String>,
    /// The stop code, kept as a string: AWS adds new codes over time.
    pub stop_code: Option<String>,
    /// The task's stopped reason.
    pub stopped_reason: Option<String>,
    /// When the task was created (RFC 3339, UTC).
    pub created_at: Option<String>,
    /// When the image pull started.
    pub pull_started_at: Option<String>,
    /// When the image pull stopped.
    pub pull_stopped_at: Option<String>,
    /// When the task stopped.
    pub stopped_at: Option<String>,
    /// Task-level CPU units.
    pub cpu: Option<String>,
    /// Task-level memory (MiB).
    pub memory: Option<String>,
    /// The containers and their own stop reasons.
    pub containers: Vec<ContainerFacts>,
    /// ENI and other attachments.
    pub attachments: Vec<AttachmentFacts>,
    /// Run-time overrides that change roles or resources.
    pub overrides: Option<TaskOverrideFacts>,
}

/// One container of the task.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerFacts {
    /// Container name.
    pub name: String,
    /// The image reference as run.
    pub image: Option<String>,
    /// The resolved digest, when the pull got that far.
    pub image_digest: Option<String>,
    /// The container's last status.
    pub last_status: Option<String>,
    /// The container's own reason (often more specific than the task's).
    pub reason: Option<String>,
    /// Exit code, when the container ran.
    pub exit_code: Option<i32>,
}

/// A task attachment (the ENI for awsvpc tasks).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AttachmentFacts {
    /// Attachment ID.
    pub id: Option<String>,
    /// `ElasticNetworkInterface` (DescribeTasks) or `eni` (events).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// ATTACHED, DELETED, ...
    pub status: Option<String>,
    /// `subnetId`, `networkInterfaceId`, `privateIPv4Address`, ...
    pub details: BTreeMap<String, String>,
}

/// Overrides given to RunTask that the diagnosis must honour.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskOverrideFacts {
    /// An execution role that replaces the task definition's.
    pub execution_role_arn: Option<String>,
    /// A task role that replaces the task definition's.
    pub task_role_arn: Option<String>,
    /// Per-container overrides (environment names only).
    pub container_overrides: Vec<ContainerOverrideFacts>,
}

/// One container's overrides. Values of environment overrides are never kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerOverrideFacts {
    /// Container name.
    pub name: Option<String>,
    /// Names of overridden environment variables.
    pub environment_names: Vec<String>,
}

/// The task definition the task ran.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskDefinitionFacts {
    /// ARN with revision.
    pub task_definition_arn: String,
    /// Family name.
    pub family: Option<String>,
    /// Revision number.
    pub revision: Option<i32>,
    /// ACTIVE, INACTIVE or DELETE_IN_PROGRESS.
    pub status: Option<String>,
    /// awsvpc, bridge, host or none.
    pub network_mode: Option<String>,
    /// FARGATE, EC2, EXTERNAL.
    pub requires_compatibilities: Vec<String>,
    /// Task-level CPU units.
    pub cpu: Option<String>,
    /// Task-level memory (MiB).
    pub memory: Option<String>,
    /// The role the agent uses to pull images, read secrets and write logs.
    pub execution_role_arn: Option<String>,
    /// The role the application uses.
    pub task_role_arn: Option<String>,
    /// CPU architecture (X86_64, ARM64).
    pub cpu_architecture: Option<String>,
    /// Operating system family (LINUX, WINDOWS_SERVER_...).
    pub operating_system_family: Option<String>,
    /// The containers.
    pub container_definitions: Vec<ContainerDefinitionFacts>,
    /// Volumes (EFS details kept).
    pub volumes: Vec<VolumeFacts>,
    /// Placement constraints of the task definition.
    pub placement_constraints: Vec<PlacementConstraintFacts>,
}

/// One container definition. Only what a start depends on; never environment values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerDefinitionFacts {
    /// Container name.
    pub name: String,
    /// The image reference.
    pub image: Option<String>,
    /// Whether the task stops when this container stops.
    pub essential: Option<bool>,
    /// CPU units reserved.
    pub cpu: Option<i32>,
    /// Hard memory limit (MiB).
    pub memory: Option<i32>,
    /// Soft memory limit (MiB).
    pub memory_reservation: Option<i32>,
    /// Names of environment variables; their values are redacted at collect time.
    pub environment_names: Vec<String>,
    /// S3 ARNs of environment files.
    pub environment_files: Vec<String>,
    /// Secrets injected from Secrets Manager or SSM (references, never values).
    pub secrets: Vec<SecretRefFacts>,
    /// `repositoryCredentials.credentialsParameter` (a Secrets Manager ARN or name).
    pub repository_credentials: Option<String>,
    /// The log configuration.
    pub log_configuration: Option<LogConfigurationFacts>,
    /// Container start dependencies.
    pub depends_on: Vec<DependsOnFacts>,
    /// Seconds to wait for dependencies before giving up.
    pub start_timeout: Option<i32>,
}

/// A `secrets` or `secretOptions` entry: the name and where its value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretRefFacts {
    /// The environment variable (or log option) name.
    pub name: String,
    /// A Secrets Manager ARN, an SSM parameter name or ARN.
    pub value_from: String,
}

/// A container's log configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogConfigurationFacts {
    /// awslogs, awsfirelens, splunk, ...
    pub log_driver: String,
    /// Options. For awslogs, the values; for other drivers, the names with values redacted.
    pub options: BTreeMap<String, String>,
    /// Secrets the log driver reads.
    pub secret_options: Vec<SecretRefFacts>,
}

/// The text that replaces a value we do not keep.
pub const REDACTED: &str = "<redacted>";

impl LogConfigurationFacts {
    /// Keeps awslogs option values (group, Region, stream prefix: needed to diagnose), and only
    /// the names of other drivers' options, whose values may be credentials.
    pub fn new(
        log_driver: String,
        options: impl IntoIterator<Item = (String, String)>,
        secret_options: Vec<SecretRefFacts>,
    ) -> Self {
        let keep_values = log_driver == "awslogs";
        let options = options
            .into_iter()
            .map(|(k, v)| {
                if keep_values {
                    (k, v)
                } else {
                    (k, REDACTED.to_string())
                }
            })
            .collect();
        LogConfigurationFacts {
            log_driver,
            options,
            secret_options,
        }
    }
}

/// A `dependsOn` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DependsOnFacts {
    /// The container depended on.
    pub container_name: String,
    /// START, COMPLETE, SUCCESS or HEALTHY.
    pub condition: String,
}

/// A task volume; EFS is what can break a start.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VolumeFacts {
    /// Volume name.
    pub name: Option<String>,
    /// The EFS configuration, if it is an EFS volume.
    pub efs: Option<EfsVolumeFacts>,
}

/// An EFS volume configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EfsVolumeFacts {
    /// `fs-...`
    pub file_system_id: String,
    /// Root directory inside the file system.
    pub root_directory: Option<String>,
    /// ENABLED or DISABLED.
    pub transit_encryption: Option<String>,
    /// `fsap-...`
    pub access_point_id: Option<String>,
    /// ENABLED when the task role is used for EFS IAM authorisation.
    pub iam: Option<String>,
}

/// A placement constraint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlacementConstraintFacts {
    /// memberOf or distinctInstance.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The cluster query language expression.
    pub expression: Option<String>,
}
