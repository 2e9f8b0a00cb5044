//! Sweep facts: the stopped tasks of a time window, across clusters.

use serde::{Deserialize, Serialize};

use super::{Readable, TaskFacts, Unreadable};

/// What a sweep read: every stopped task ECS still lists, per cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepFacts {
    /// The Region swept.
    pub region: String,
    /// When the sweep read the tasks (RFC 3339): the end of the window. Judge has no clock.
    pub collected_at: String,
    /// The window's length.
    pub lookback_minutes: u32,
    /// The clusters: listed (ListClusters) or given.
    pub clusters: Readable<Vec<String>>,
    /// Why the cluster list stopped before its end, when ListClusters failed on a later page
    /// or kept paginating past the bound: the clusters listed before are kept in `clusters`,
    /// but the sweep cannot say it saw every cluster, so it is not an all clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters_incomplete: Option<Unreadable>,
    /// The stopped tasks of each cluster.
    pub stopped: Vec<ClusterStoppedFacts>,
    /// Clusters listed but not swept (over the sweep's bound on clusters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters_left_out: Vec<String>,
    /// The security groups of the failed starts, which DescribeTasks does not return: read
    /// per service and per still-existing ENI, never per task.
    #[serde(default)]
    pub security_groups: SweepSecurityGroupFacts,
}

/// Where a sweep found its failed starts' security groups. A task started by a service takes
/// the service's (its current `awsvpcConfiguration`, which a deployment may have changed since);
/// another task takes its ENI's while the ENI still exists (AWS deletes a Fargate task's ENI
/// soon after the task stops); otherwise its groups are unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepSecurityGroupFacts {
    /// Services found (DescribeServices, 10 per call per cluster).
    pub services: Vec<ServiceGroupsFacts>,
    /// Task ENIs that still exist (DescribeNetworkInterfaces filtered by ID, in chunks).
    pub enis: Vec<EniGroupsFacts>,
    /// Reads that failed: the tasks they would have covered have unknown groups.
    pub unreadable: Vec<Unreadable>,
}

/// One service's awsvpc security groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceGroupsFacts {
    /// The cluster, as the sweep names it (given or listed).
    pub cluster: String,
    /// The service name (the task's group is `service:<name>`).
    pub service: String,
    /// Its security groups; `None` when the service has no awsvpc configuration.
    pub security_group_ids: Option<Vec<String>>,
}

/// One task ENI's security groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EniGroupsFacts {
    /// The ENI ID (the task attachment's `networkInterfaceId`).
    pub id: String,
    /// Its security groups.
    pub security_group_ids: Vec<String>,
}

/// One cluster's stopped tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStoppedFacts {
    /// Cluster ARN or name.
    pub cluster: String,
    /// The tasks (ListTasks desiredStatus=STOPPED, then DescribeTasks in batches of 100).
    pub tasks: Readable<Vec<TaskFacts>>,
    /// True when the listing stopped at the sweep's bound before the end.
    #[serde(default)]
    pub truncated: bool,
    /// Why the tasks were read only in part: a ListTasks page that failed after earlier
    /// pages answered, a listing that kept paginating past the bound
    /// ([`LISTING_NOT_ENDING`]), a DescribeTasks batch that failed while others answered.
    /// The tasks read are kept in `tasks` (their failures are still reported), and the sweep
    /// says the cluster was not listed in full rather than all clear.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<Unreadable>,
}

/// The error code of a paginated listing that did not end: it kept answering a next page
/// past the sweep's bound on pages, or it gave a page token it had already given (the SDK's
/// paginator would stop there silently, as if the listing were complete). Recorded as an
/// [`Unreadable`] of the listing's API, its message saying which, so a listing that never
/// ends counts as not fully read.
pub const LISTING_NOT_ENDING: &str = "ListingNotEnding";
