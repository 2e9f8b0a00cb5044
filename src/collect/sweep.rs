//! Sweep reads: clusters, their stopped tasks, described in batches of 100.

use aws_sdk_ecs::types::DesiredStatus;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;

use super::Clients;
use super::ecs::task_facts;
use super::error::unreadable;
use crate::event::timestamp;
use crate::facts::{ClusterStoppedFacts, Readable, SweepFacts, TaskFacts};

/// The most stopped tasks read per cluster: past it the sweep says it left tasks out.
pub const MAX_TASKS_PER_CLUSTER: usize = 1000;

/// DescribeTasks' batch size.
const BATCH: usize = 100;

/// Reads the stopped tasks of the given clusters (every cluster when none is given).
pub async fn stopped_tasks(
    clients: &Clients,
    region: &str,
    clusters: &[String],
    lookback_minutes: u32,
    now: DateTime<Utc>,
) -> SweepFacts {
    let listed = if clusters.is_empty() {
        list_clusters(&clients.ecs).await
    } else {
        Readable::Read {
            value: clusters.to_vec(),
        }
    };
    let names = listed.value().cloned().unwrap_or_default();
    let mut stopped = Vec::with_capacity(names.len());
    let reads = names.iter().map(|c| cluster_stopped(&clients.ecs, c));
    for r in join_all(reads).await {
        stopped.push(r);
    }
    SweepFacts {
        region: region.to_string(),
        collected_at: timestamp(now),
        lookback_minutes,
        clusters: listed,
        stopped,
    }
}

async fn list_clusters(ecs: &aws_sdk_ecs::Client) -> Readable<Vec<String>> {
    let mut pages = ecs.list_clusters().into_paginator().send();
    let mut arns = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => arns.extend(p.cluster_arns().iter().cloned()),
            Err(e) => return Readable::Unreadable(unreadable("ecs:ListClusters", &e)),
        }
    }
    Readable::Read { value: arns }
}

async fn cluster_stopped(ecs: &aws_sdk_ecs::Client, cluster: &str) -> ClusterStoppedFacts {
    let mut pages = ecs
        .list_tasks()
        .cluster(cluster)
        .desired_status(DesiredStatus::Stopped)
        .into_paginator()
        .send();
    let mut arns: Vec<String> = Vec::new();
    let mut truncated = false;
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => arns.extend(p.task_arns().iter().cloned()),
            Err(e) => {
                return ClusterStoppedFacts {
                    cluster: cluster.to_string(),
                    tasks: Readable::Unreadable(unreadable("ecs:ListTasks", &e)),
                    truncated: false,
                };
            }
        }
        if arns.len() >= MAX_TASKS_PER_CLUSTER {
            arns.truncate(MAX_TASKS_PER_CLUSTER);
            truncated = true;
            break;
        }
    }
    let batches = arns.chunks(BATCH).map(|batch| {
        ecs.describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .send()
    });
    let mut tasks: Vec<TaskFacts> = Vec::with_capacity(arns.len());
    for answer in join_all(batches).await {
        match answer {
            Ok(out) => tasks.extend(out.tasks().iter().map(task_facts)),
            Err(e) => {
                return ClusterStoppedFacts {
                    cluster: cluster.to_string(),
                    tasks: Readable::Unreadable(unreadable("ecs:DescribeTasks", &e)),
                    truncated,
                };
            }
        }
    }
    ClusterStoppedFacts {
        cluster: cluster.to_string(),
        tasks: Readable::Read { value: tasks },
        truncated,
    }
}
