//! Reads that more than one stage makes: the task's container instance and its EC2 instance
//! (network origin, iam instance role, placement). Each goes through the run's [`Cache`]
//! under one key, so it is sent once per run whichever stage asks first, and the answer (an
//! error included) is the same for all of them.

use aws_sdk_ec2::types::Reservation;
use aws_sdk_ecs::operation::describe_container_instances::DescribeContainerInstancesOutput;

use super::error::unreadable;
use super::{Cache, Clients};
use crate::facts::{TaskFacts, Unreadable};

/// The cluster to ask ECS about: the task's cluster ARN, else the cluster in the task ARN
/// (`task/<cluster>/<id>`).
pub(super) fn cluster_of(task: &TaskFacts) -> Option<String> {
    task.cluster_arn
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            let resource = task.task_arn.split(':').nth(5)?;
            let mut parts = resource.split('/');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("task"), Some(cluster), Some(_)) => Some(cluster.to_string()),
                _ => None,
            }
        })
}

/// The cluster to name in container-instance calls: [`cluster_of`], else `default`, as ECS
/// assumes.
pub(super) fn task_cluster(task: &TaskFacts) -> String {
    cluster_of(task).unwrap_or_else(|| "default".to_string())
}

/// DescribeContainerInstances for up to 100 container instances of one cluster.
pub(super) async fn container_instances(
    clients: &Clients,
    cache: &Cache,
    cluster: &str,
    arns: &[String],
) -> Result<DescribeContainerInstancesOutput, Unreadable> {
    cache
        .get_or_read(
            format!("ecs:container-instances/{cluster}/{}", arns.join(",")),
            || async {
                clients
                    .ecs()
                    .describe_container_instances()
                    .cluster(cluster)
                    .set_container_instances(Some(arns.to_vec()))
                    .send()
                    .await
                    .map_err(|e| unreadable("ecs:DescribeContainerInstances", &e))
            },
        )
        .await
}

/// DescribeInstances for one EC2 instance (all pages).
pub(super) async fn instance(
    clients: &Clients,
    cache: &Cache,
    instance_id: &str,
) -> Result<Vec<Reservation>, Unreadable> {
    cache
        .get_or_read(format!("ec2:instance/{instance_id}"), || async {
            clients
                .ec2()
                .describe_instances()
                .instance_ids(instance_id)
                .into_paginator()
                .send()
                .try_collect()
                .await
                .map(|pages| {
                    pages
                        .into_iter()
                        .flat_map(|p| p.reservations.unwrap_or_default())
                        .collect()
                })
                .map_err(|e| unreadable("ec2:DescribeInstances", &e))
        })
        .await
}
