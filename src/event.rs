//! The EventBridge `ECS Task State Change` event: our own detail type.
//!
//! `aws_lambda_events` has the envelope but no ECS task detail, so we define it. The
//! detail "resembles the Task object" of DescribeTasks, but its timestamps are ISO
//! strings, and ECS "may add other event types, sources, and details", so unknown
//! fields are ignored (no `deny_unknown_fields`). The event is the record of a stopped
//! task that outlives DescribeTasks' one-hour memory.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::facts::{
    AttachmentFacts, ContainerFacts, ContainerOverrideFacts, TaskFacts, TaskOverrideFacts,
};

/// The `detail-type` of the events we diagnose.
pub const TASK_STATE_CHANGE: &str = "ECS Task State Change";

/// The `detail` of an `ECS Task State Change` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStateChange {
    /// The task ARN (required: without it there is nothing to diagnose).
    pub task_arn: String,
    /// The cluster ARN.
    pub cluster_arn: String,
    /// The task definition ARN.
    pub task_definition_arn: String,
    /// The task's last status.
    pub last_status: String,
    /// The desired status.
    #[serde(default)]
    pub desired_status: Option<String>,
    /// Launch type.
    #[serde(default)]
    pub launch_type: Option<String>,
    /// Capacity provider.
    #[serde(default)]
    pub capacity_provider_name: Option<String>,
    /// Fargate platform version.
    #[serde(default)]
    pub platform_version: Option<String>,
    /// Fargate platform family.
    #[serde(default)]
    pub platform_family: Option<String>,
    /// Availability Zone.
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Container instance (EC2 launch type).
    #[serde(default)]
    pub container_instance_arn: Option<String>,
    /// Group (`service:...` or `family:...`).
    #[serde(default)]
    pub group: Option<String>,
    /// Started by.
    #[serde(default)]
    pub started_by: Option<String>,
    /// Stop code.
    #[serde(default)]
    pub stop_code: Option<String>,
    /// Stopped reason.
    #[serde(default)]
    pub stopped_reason: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Pull start time.
    #[serde(default)]
    pub pull_started_at: Option<DateTime<Utc>>,
    /// Pull stop time.
    #[serde(default)]
    pub pull_stopped_at: Option<DateTime<Utc>>,
    /// Stop time.
    #[serde(default)]
    pub stopped_at: Option<DateTime<Utc>>,
    /// Task CPU.
    #[serde(default)]
    pub cpu: Option<String>,
    /// Task memory.
    #[serde(default)]
    pub memory: Option<String>,
    /// The `detail.version` counter: it increments per state change and identifies duplicates.
    #[serde(default)]
    pub version: Option<i64>,
    /// Containers.
    #[serde(default)]
    pub containers: Vec<EventContainer>,
    /// Attachments.
    #[serde(default)]
    pub attachments: Vec<EventAttachment>,
    /// Overrides.
    #[serde(default)]
    pub overrides: Option<EventOverrides>,
}

/// A container in the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventContainer {
    /// Name.
    pub name: String,
    /// Image.
    #[serde(default)]
    pub image: Option<String>,
    /// Image digest.
    #[serde(default)]
    pub image_digest: Option<String>,
    /// Last status.
    #[serde(default)]
    pub last_status: Option<String>,
    /// The container's reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Exit code.
    #[serde(default)]
    pub exit_code: Option<i32>,
}

/// An attachment in the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventAttachment {
    /// Attachment ID.
    #[serde(default)]
    pub id: Option<String>,
    /// `eni` in events.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Status (DELETED once the task stopped).
    #[serde(default)]
    pub status: Option<String>,
    /// Name/value details.
    #[serde(default)]
    pub details: Vec<NameValue>,
}

/// A `{name, value}` pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    /// Name.
    pub name: String,
    /// Value (absent for some keys).
    #[serde(default)]
    pub value: Option<String>,
}

/// Overrides in the event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventOverrides {
    /// Execution role override.
    #[serde(default)]
    pub execution_role_arn: Option<String>,
    /// Task role override.
    #[serde(default)]
    pub task_role_arn: Option<String>,
    /// Container overrides.
    #[serde(default)]
    pub container_overrides: Vec<EventContainerOverride>,
}

/// A container override in the event. Environment values are read only to be dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventContainerOverride {
    /// Container name.
    #[serde(default)]
    pub name: Option<String>,
    /// Environment overrides.
    #[serde(default)]
    pub environment: Vec<NameValue>,
}

/// Formats a timestamp the one way Facts store them, whichever path it came from.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl TaskStateChange {
    /// Converts the event's task into Facts, dropping environment values and redacting
    /// credentials from the reasons (presigned layer URLs, [`crate::redact`]).
    pub fn to_facts(&self) -> TaskFacts {
        let mut task = self.to_facts_unredacted();
        crate::redact::redact_task(&mut task);
        task
    }

    fn to_facts_unredacted(&self) -> TaskFacts {
        TaskFacts {
            task_arn: self.task_arn.clone(),
            cluster_arn: Some(self.cluster_arn.clone()),
            task_definition_arn: Some(self.task_definition_arn.clone()),
            last_status: Some(self.last_status.clone()),
            desired_status: self.desired_status.clone(),
            launch_type: self.launch_type.clone(),
            capacity_provider_name: self.capacity_provider_name.clone(),
            platform_version: self.platform_version.clone(),
            platform_family: self.platform_family.clone(),
            availability_zone: self.availability_zone.clone(),
            container_instance_arn: self.container_instance_arn.clone(),
            group: self.group.clone(),
            started_by: self.started_by.clone(),
            stop_code: self.stop_code.clone(),
            stopped_reason: self.stopped_reason.clone(),
            created_at: self.created_at.map(timestamp),
            pull_started_at: self.pull_started_at.map(timestamp),
            pull_stopped_at: self.pull_stopped_at.map(timestamp),
            stopped_at: self.stopped_at.map(timestamp),
            cpu: self.cpu.clone(),
            memory: self.memory.clone(),
            containers: self
                .containers
                .iter()
                .map(|c| ContainerFacts {
                    name: c.name.clone(),
                    image: c.image.clone(),
                    image_digest: c.image_digest.clone(),
                    last_status: c.last_status.clone(),
                    reason: c.reason.clone(),
                    exit_code: c.exit_code,
                })
                .collect(),
            attachments: self
                .attachments
                .iter()
                .map(|a| AttachmentFacts {
                    id: a.id.clone(),
                    kind: a.kind.clone(),
                    status: a.status.clone(),
                    details: a
                        .details
                        .iter()
                        .filter_map(|d| d.value.clone().map(|v| (d.name.clone(), v)))
                        .collect(),
                })
                .collect(),
            overrides: self.overrides.as_ref().map(|o| TaskOverrideFacts {
                execution_role_arn: o.execution_role_arn.clone(),
                task_role_arn: o.task_role_arn.clone(),
                container_overrides: o
                    .container_overrides
                    .iter()
                    .map(|c| ContainerOverrideFacts {
                        name: c.name.clone(),
                        environment_names: c.environment.iter().map(|e| e.name.clone()).collect(),
                    })
                    .collect(),
            }),
        }
    }
}
