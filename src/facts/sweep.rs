//! Sweep facts: the stopped tasks of a time window, across clusters.

use serde::{Deserialize, Serialize};

use super::{Readable, TaskFacts};

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
    /// The stopped tasks of each cluster.
    pub stopped: Vec<ClusterStoppedFacts>,
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
}
