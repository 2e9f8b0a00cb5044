//! ECS capacity and EFS reads for the placement stage.
//!
//! Only what the task needs: the cluster and its container instances when the task is not a
//! Fargate task (or its reason names placement), and for each EFS file system of the task
//! definition its mount targets, their security groups (with rules, read like the network
//! stage reads them) and the file system policy. The reads run concurrently; ListContainerInstances
//! is paginated and DescribeContainerInstances batched by 100. Every error becomes an
//! `Unreadable` fact, except `PolicyNotFound`, which *is* the fact (no policy).
//!
//! The conversions are plain functions of SDK types, unit-tested with SDK builders.

use std::collections::BTreeSet;

use aws_sdk_ecs::types::{Cluster, ContainerInstance, ContainerInstanceStatus, Resource};
use aws_sdk_efs::types::MountTargetDescription;
use tokio::task::JoinSet;

use super::error::unreadable;
use super::network::groups::security_groups;
use super::{Cache, Clients};
use crate::facts::{
    ClusterFacts, ContainerInstanceFacts, EfsFileSystemFacts, MountTargetFacts, PlacementFacts,
    Readable, TaskFacts,
};

/// Reads what the placement stage needs. Never fails: what could not be read is recorded as
/// unreadable, what does not apply is left `None` (or empty).
pub(super) async fn placement(
    clients: &Clients,
    cache: &Cache,
    _region: &str,
    task: &TaskFacts,
    td: &super::TaskDefinitionRead<'_>,
) -> PlacementFacts {
    let cluster = task
        .cluster_arn
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "default".to_string());
    // The cluster and its instances depend on the task alone; only EFS needs the task
    // definition.
    let file_systems = async {
        let td = td.clone().await;
        td.as_ref()
            .and_then(Readable::value)
            .map(|td| {
                td.volumes
                    .iter()
                    .filter_map(|v| v.efs.as_ref())
                    .map(|e| e.file_system_id.clone())
                    .filter(|id| !id.is_empty())
                    .collect::<BTreeSet<String>>()
            })
            .unwrap_or_default()
    };
    let ec2 = wants_instances(task);
    let (cluster_facts, instances, efs) = tokio::join!(
        async {
            if ec2 {
                Some(describe_cluster(clients.ecs(), &cluster).await)
            } else {
                None
            }
        },
        async {
            if ec2 {
                Some(container_instances(clients, cache, &cluster).await)
            } else {
                None
            }
        },
        async {
            let file_systems = file_systems.await;
            let mut set = JoinSet::new();
            for (i, fs) in file_systems.iter().enumerate() {
                let (efs, ec2, cache) =
                    (clients.efs().clone(), clients.ec2().clone(), cache.clone());
                let fs = fs.clone();
                set.spawn(super::budget::carry(async move {
                    (i, file_system(&efs, &ec2, &cache, fs).await)
                }));
            }
            let mut out = set.join_all().await;
            out.sort_by_key(|(i, _)| *i);
            out.into_iter().map(|(_, f)| f).collect::<Vec<_>>()
        },
    );
    PlacementFacts {
        cluster: cluster_facts,
        container_instances: instances,
        efs,
    }
}

/// Whether the EC2 checks can apply: any task not on Fargate, and a Fargate task whose reason
/// still names EC2 placement (a misrouted launch type).
fn wants_instances(task: &TaskFacts) -> bool {
    let fargate = task.launch_type.as_deref() == Some("FARGATE")
        || task
            .capacity_provider_name
            .as_deref()
            .is_some_and(|c| c.starts_with("FARGATE"));
    let reason = task.stopped_reason.as_deref().unwrap_or_default();
    !fargate
        || [
            "RESOURCE:",
            "AGENT",
            "MemberOf",
            "memberOf",
            "placement constraint",
        ]
        .iter()
        .any(|k| reason.contains(k))
}

async fn describe_cluster(ecs: &aws_sdk_ecs::Client, cluster: &str) -> Readable<ClusterFacts> {
    match ecs.describe_clusters().clusters(cluster).send().await {
        Ok(out) => match out.clusters().first() {
            Some(c) => Readable::Read {
                value: cluster_facts(c),
            },
            None => Readable::Unreadable(crate::facts::Unreadable {
                api: "ecs:DescribeClusters".to_string(),
                error_code: "ClusterNotFound".to_string(),
                message: format!("the cluster {cluster} was not returned"),
            }),
        },
        Err(e) => Readable::Unreadable(unreadable("ecs:DescribeClusters", &e)),
    }
}

/// The cluster, in our words.
fn cluster_facts(c: &Cluster) -> ClusterFacts {
    ClusterFacts {
        cluster_arn: c.cluster_arn().unwrap_or_default().to_string(),
        status: c.status().map(str::to_string),
        registered_container_instances_count: c.registered_container_instances_count(),
        capacity_providers: c.capacity_providers().to_vec(),
        default_capacity_provider_strategy: c
            .default_capacity_provider_strategy()
            .iter()
            .map(|s| s.capacity_provider().to_string())
            .collect(),
    }
}

/// Lists the ACTIVE and DRAINING instances (paginated, both at once), then describes them 100
/// at a time (concurrently, through the run's cache: the network and iam stages describe the
/// task's own instance with the same call when the cluster has one).
async fn container_instances(
    clients: &Clients,
    cache: &Cache,
    cluster: &str,
) -> Readable<Vec<ContainerInstanceFacts>> {
    let list = |status: ContainerInstanceStatus| {
        clients
            .ecs()
            .list_container_instances()
            .cluster(cluster)
            .status(status)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<String>, _>>()
    };
    let (active, draining) = tokio::join!(
        list(ContainerInstanceStatus::Active),
        list(ContainerInstanceStatus::Draining)
    );
    let mut arns = Vec::new();
    for listed in [active, draining] {
        match listed {
            Ok(l) => arns.extend(l),
            Err(e) => {
                return Readable::Unreadable(unreadable("ecs:ListContainerInstances", &e));
            }
        }
    }
    let described = futures_util::future::join_all(
        arns.chunks(100)
            .map(|chunk| super::shared::container_instances(clients, cache, cluster, chunk)),
    )
    .await;
    let mut out = Vec::new();
    for d in described {
        match d {
            Ok(d) => out.extend(d.container_instances().iter().map(container_instance_facts)),
            Err(u) => return Readable::Unreadable(u),
        }
    }
    Readable::Read { value: out }
}

fn resource(resources: &[Resource], name: &str) -> Option<i64> {
    resources
        .iter()
        .find(|r| r.name() == Some(name))
        .map(|r| match r.r#type() {
            Some("LONG") => r.long_value(),
            Some("DOUBLE") => r.double_value() as i64,
            _ => i64::from(r.integer_value()),
        })
}

/// One container instance, in our words.
fn container_instance_facts(c: &ContainerInstance) -> ContainerInstanceFacts {
    ContainerInstanceFacts {
        container_instance_arn: c.container_instance_arn().unwrap_or_default().to_string(),
        ec2_instance_id: c.ec2_instance_id().map(str::to_string),
        status: c.status().map(str::to_string),
        agent_connected: Some(c.agent_connected()),
        remaining_cpu: resource(c.remaining_resources(), "CPU"),
        remaining_memory: resource(c.remaining_resources(), "MEMORY"),
        registered_cpu: resource(c.registered_resources(), "CPU"),
        registered_memory: resource(c.registered_resources(), "MEMORY"),
        attributes: c
            .attributes()
            .iter()
            .map(|a| {
                (
                    a.name().to_string(),
                    a.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    }
}

/// One file system: mount targets (then each one's groups, concurrently), the groups' rules
/// and the policy.
async fn file_system(
    efs: &aws_sdk_efs::Client,
    ec2: &aws_sdk_ec2::Client,
    cache: &Cache,
    fs: String,
) -> EfsFileSystemFacts {
    let targets = async {
        let listed = efs
            .describe_mount_targets()
            .file_system_id(&fs)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<MountTargetDescription>, _>>()
            .await;
        let mut targets: Vec<MountTargetFacts> = match listed {
            Ok(l) => l.iter().map(mount_target_facts).collect(),
            Err(e) => {
                return Readable::Unreadable(unreadable(
                    "elasticfilesystem:DescribeMountTargets",
                    &e,
                ));
            }
        };
        let mut set = JoinSet::new();
        for (i, t) in targets.iter().enumerate() {
            let (efs, id) = (efs.clone(), t.mount_target_id.clone());
            set.spawn(super::budget::carry(async move {
                let r = match efs
                    .describe_mount_target_security_groups()
                    .mount_target_id(id)
                    .send()
                    .await
                {
                    Ok(o) => Readable::Read {
                        value: o.security_groups().to_vec(),
                    },
                    Err(e) => Readable::Unreadable(unreadable(
                        "elasticfilesystem:DescribeMountTargetSecurityGroups",
                        &e,
                    )),
                };
                (i, r)
            }));
        }
        for (i, r) in set.join_all().await {
            targets[i].security_group_ids = Some(r);
        }
        Readable::Read { value: targets }
    };
    let policy = async {
        match efs
            .describe_file_system_policy()
            .file_system_id(&fs)
            .send()
            .await
        {
            Ok(o) => Readable::Read {
                value: o.policy().map(str::to_string),
            },
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_policy_not_found()) =>
            {
                Readable::Read { value: None }
            }
            Err(e) => {
                Readable::Unreadable(unreadable("elasticfilesystem:DescribeFileSystemPolicy", &e))
            }
        }
    };
    let (targets, policy) = tokio::join!(targets, policy);
    let group_ids: Vec<String> = targets
        .value()
        .map(|ts| {
            ts.iter()
                .filter_map(|t| t.security_group_ids.as_ref().and_then(Readable::value))
                .flatten()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .unwrap_or_default();
    let groups = if group_ids.is_empty() {
        None
    } else {
        Some(security_groups(ec2, cache, &group_ids).await)
    };
    EfsFileSystemFacts {
        file_system_id: fs,
        mount_targets: Some(targets),
        security_groups: groups,
        policy: Some(policy),
    }
}

/// One mount target, in our words (its groups are read separately).
fn mount_target_facts(t: &MountTargetDescription) -> MountTargetFacts {
    MountTargetFacts {
        mount_target_id: t.mount_target_id().to_string(),
        subnet_id: Some(t.subnet_id().to_string()).filter(|s| !s.is_empty()),
        availability_zone: t.availability_zone_name().map(str::to_string),
        ip_address: t.ip_address().map(str::to_string),
        life_cycle_state: Some(t.life_cycle_state().as_str().to_string()),
        security_group_ids: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::Attribute;

    #[test]
    fn converts_a_container_instance() {
        let c = ContainerInstance::builder()
            .container_instance_arn("arn:aws:ecs:us-east-1:123456789012:container-instance/c/abc")
            .ec2_instance_id("i-1")
            .status("ACTIVE")
            .agent_connected(false)
            .remaining_resources(
                Resource::builder()
                    .name("MEMORY")
                    .r#type("INTEGER")
                    .integer_value(512)
                    .build(),
            )
            .registered_resources(
                Resource::builder()
                    .name("CPU")
                    .r#type("INTEGER")
                    .integer_value(2048)
                    .build(),
            )
            .attributes(
                Attribute::builder()
                    .name("ecs.instance-type")
                    .value("t3.small")
                    .build()
                    .unwrap(),
            )
            .build();
        let f = container_instance_facts(&c);
        assert_eq!(f.ec2_instance_id.as_deref(), Some("i-1"));
        assert_eq!(f.agent_connected, Some(false));
        assert_eq!(f.remaining_memory, Some(512));
        assert_eq!(f.remaining_cpu, None);
        assert_eq!(f.registered_cpu, Some(2048));
        assert_eq!(f.attributes["ecs.instance-type"], "t3.small");
    }

    #[test]
    fn converts_a_mount_target() {
        let t = MountTargetDescription::builder()
            .mount_target_id("fsmt-1")
            .file_system_id("fs-1")
            .subnet_id("subnet-1")
            .life_cycle_state(aws_sdk_efs::types::LifeCycleState::Available)
            .availability_zone_name("us-east-1a")
            .ip_address("10.0.1.5")
            .build()
            .unwrap();
        let f = mount_target_facts(&t);
        assert_eq!(f.mount_target_id, "fsmt-1");
        assert_eq!(f.availability_zone.as_deref(), Some("us-east-1a"));
        assert_eq!(f.life_cycle_state.as_deref(), Some("available"));
    }

    #[test]
    fn fargate_tasks_skip_instances_unless_the_reason_names_placement() {
        let mut t = TaskFacts {
            launch_type: Some("FARGATE".into()),
            ..TaskFacts::default()
        };
        assert!(!wants_instances(&t));
        t.stopped_reason = Some("RESOURCE:MEMORY".into());
        assert!(wants_instances(&t));
        t.launch_type = Some("EC2".into());
        t.stopped_reason = None;
        assert!(wants_instances(&t));
    }
}
