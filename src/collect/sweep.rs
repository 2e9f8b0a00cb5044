//! Sweep reads: clusters, their stopped tasks, described in batches of 100, and the security
//! groups of the failed starts (DescribeTasks does not return them), read per service and per
//! batch of ENIs, never per task.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types::DesiredStatus;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use futures_util::{StreamExt, stream};

use super::ecs::task_facts;
use super::error::unreadable;
use super::{Cache, Clients};
use crate::event::timestamp;
use crate::facts::{
    ClusterStoppedFacts, EniGroupsFacts, Readable, ServiceGroupsFacts, SweepFacts,
    SweepSecurityGroupFacts, TaskFacts,
};

/// The most stopped tasks read per cluster: past it the sweep says it left tasks out.
pub const MAX_TASKS_PER_CLUSTER: usize = 1000;

/// The most clusters one sweep reads (each costs at least a ListTasks): past it the sweep
/// names the clusters it left out. Bounds the sweep's work with the per-cluster bound.
pub const MAX_CLUSTERS: usize = 50;

/// DescribeTasks' batch size.
const BATCH: usize = 100;

/// DescribeServices' batch size.
const SERVICE_BATCH: usize = 10;

/// ENI IDs per DescribeNetworkInterfaces filter.
const ENI_BATCH: usize = 100;

/// How many security-group reads run at once.
const CONCURRENT_READS: usize = 8;

/// Reads the stopped tasks of the given clusters (every cluster when none is given).
pub async fn stopped_tasks(
    clients: &Clients,
    region: &str,
    clusters: &[String],
    lookback_minutes: u32,
    now: DateTime<Utc>,
) -> SweepFacts {
    let listed = if clusters.is_empty() {
        list_clusters(clients.ecs()).await
    } else {
        Readable::Read {
            value: clusters.to_vec(),
        }
    };
    let mut names = listed.value().cloned().unwrap_or_default();
    let clusters_left_out = if names.len() > MAX_CLUSTERS {
        names.split_off(MAX_CLUSTERS)
    } else {
        Vec::new()
    };
    let mut stopped = Vec::with_capacity(names.len());
    let reads = names.iter().map(|c| cluster_stopped(clients.ecs(), c));
    for r in join_all(reads).await {
        stopped.push(r);
    }
    SweepFacts {
        region: region.to_string(),
        collected_at: timestamp(now),
        lookback_minutes,
        clusters: listed,
        stopped,
        clusters_left_out,
        security_groups: SweepSecurityGroupFacts::default(),
    }
}

/// Reads the security groups of the given services (cluster → service names; DescribeServices,
/// 10 per call) and ENIs (DescribeNetworkInterfaces filtered by ID, 100 per call: a filter
/// answers nothing for a deleted ENI where an ID list would fail the whole call), all
/// concurrently. The number of calls grows with services and with hundreds of ENIs, never
/// with each task.
///
/// Each service's configurations (deployments, task sets, current) go into `cache`, where a
/// diagnosis of one of its tasks finds them (see `collect::network`).
pub async fn security_groups(
    clients: &Clients,
    cache: &Cache,
    services: &BTreeMap<String, BTreeSet<String>>,
    enis: &[String],
) -> SweepSecurityGroupFacts {
    let service_calls = services.iter().flat_map(|(cluster, names)| {
        let names: Vec<String> = names.iter().cloned().collect();
        names
            .chunks(SERVICE_BATCH)
            .map(|batch| {
                let ecs = clients.ecs();
                let cluster = cluster.clone();
                let batch = batch.to_vec();
                async move {
                    let out = ecs
                        .describe_services()
                        .cluster(&cluster)
                        .set_services(Some(batch))
                        .send()
                        .await;
                    match out {
                        Ok(o) => {
                            for sv in o.services() {
                                if let Some(name) = sv.service_name() {
                                    super::network::prime_service_networks(
                                        cache, &cluster, name, sv,
                                    )
                                    .await;
                                }
                            }
                            Ok(o.services()
                                .iter()
                                .filter_map(|sv| {
                                    Some(ServiceGroupsFacts {
                                        cluster: cluster.clone(),
                                        service: sv.service_name()?.to_string(),
                                        security_group_ids: sv
                                            .network_configuration()
                                            .and_then(|n| n.awsvpc_configuration())
                                            .map(|a| a.security_groups().to_vec()),
                                    })
                                })
                                .collect::<Vec<_>>())
                        }
                        Err(e) => Err(unreadable("ecs:DescribeServices", &e)),
                    }
                }
            })
            .collect::<Vec<_>>()
    });
    let eni_calls = enis.chunks(ENI_BATCH).map(|batch| {
        let ec2 = clients.ec2();
        let filter = aws_sdk_ec2::types::Filter::builder()
            .name("network-interface-id")
            .set_values(Some(batch.to_vec()))
            .build();
        async move {
            let out: Result<Vec<_>, _> = ec2
                .describe_network_interfaces()
                .filters(filter)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await;
            match out {
                Ok(list) => Ok(list
                    .iter()
                    .filter_map(|n| {
                        Some(EniGroupsFacts {
                            id: n.network_interface_id()?.to_string(),
                            security_group_ids: n
                                .groups()
                                .iter()
                                .filter_map(|g| g.group_id().map(str::to_string))
                                .collect(),
                        })
                    })
                    .collect::<Vec<_>>()),
                Err(e) => Err(unreadable("ec2:DescribeNetworkInterfaces", &e)),
            }
        }
    });
    // Hundreds of ENI batches must not become hundreds of concurrent calls; answers keep
    // their order, so the facts do not depend on timing.
    let (service_answers, eni_answers): (Vec<_>, Vec<_>) = tokio::join!(
        stream::iter(service_calls)
            .buffered(CONCURRENT_READS)
            .collect(),
        stream::iter(eni_calls).buffered(CONCURRENT_READS).collect()
    );
    let mut facts = SweepSecurityGroupFacts::default();
    for answer in service_answers {
        match answer {
            Ok(found) => facts.services.extend(found),
            Err(u) => facts.unreadable.push(u),
        }
    }
    for answer in eni_answers {
        match answer {
            Ok(found) => facts.enis.extend(found),
            Err(u) => facts.unreadable.push(u),
        }
    }
    facts
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
