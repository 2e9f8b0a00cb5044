//! EC2 capacity, container instances and their agents, placement constraints, EFS mount targets.
//!
//! IDs are kept everywhere: they are the evidence in findings. Each read is its own
//! `Readable`, so a denied call makes only the checks that need it UNKNOWN.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Readable, SecurityGroupFacts};

/// Everything the placement stage reads (filled in by collect).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlacementFacts {
    /// The cluster (DescribeClusters); None when the EC2 checks do not apply.
    pub cluster: Option<Readable<ClusterFacts>>,
    /// The cluster's ACTIVE and DRAINING container instances; None when the EC2 checks do
    /// not apply (a Fargate task whose reason is not a placement one).
    pub container_instances: Option<Readable<Vec<ContainerInstanceFacts>>>,
    /// One entry per distinct EFS file system of the task definition.
    pub efs: Vec<EfsFileSystemFacts>,
}

/// The cluster, as DescribeClusters reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClusterFacts {
    /// The cluster ARN.
    pub cluster_arn: String,
    /// ACTIVE, INACTIVE, ...
    pub status: Option<String>,
    /// How many container instances are registered (ACTIVE and DRAINING).
    pub registered_container_instances_count: i32,
    /// The capacity providers associated with the cluster.
    pub capacity_providers: Vec<String>,
    /// The default capacity provider strategy (provider names).
    pub default_capacity_provider_strategy: Vec<String>,
}

/// One container instance, with what placement looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerInstanceFacts {
    /// The container instance ARN.
    pub container_instance_arn: String,
    /// `i-...`
    pub ec2_instance_id: Option<String>,
    /// ACTIVE, DRAINING, ...
    pub status: Option<String>,
    /// Whether the ECS agent is connected (None when not reported).
    pub agent_connected: Option<bool>,
    /// Remaining CPU units.
    pub remaining_cpu: Option<i64>,
    /// Remaining memory (MiB).
    pub remaining_memory: Option<i64>,
    /// Registered CPU units.
    pub registered_cpu: Option<i64>,
    /// Registered memory (MiB).
    pub registered_memory: Option<i64>,
    /// Attributes (`ecs.instance-type`, `ecs.availability-zone`, `ecs.os-type`, custom ones):
    /// name → value (empty for a valueless attribute).
    pub attributes: BTreeMap<String, String>,
}

/// An EFS file system the task mounts, with what a mount depends on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EfsFileSystemFacts {
    /// `fs-...`
    pub file_system_id: String,
    /// Its mount targets (DescribeMountTargets), each with its security groups.
    pub mount_targets: Option<Readable<Vec<MountTargetFacts>>>,
    /// The mount targets' security groups with their rules (and the groups they reference).
    pub security_groups: Option<Readable<Vec<SecurityGroupFacts>>>,
    /// The file system policy (JSON text); `None` inside when the file system has none.
    pub policy: Option<Readable<Option<String>>>,
}

/// One mount target.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MountTargetFacts {
    /// `fsmt-...`
    pub mount_target_id: String,
    /// Its subnet.
    pub subnet_id: Option<String>,
    /// Its Availability Zone name.
    pub availability_zone: Option<String>,
    /// Its IPv4 address.
    pub ip_address: Option<String>,
    /// available, creating, deleting, ...
    pub life_cycle_state: Option<String>,
    /// Its security groups (DescribeMountTargetSecurityGroups).
    pub security_group_ids: Option<Readable<Vec<String>>>,
}
