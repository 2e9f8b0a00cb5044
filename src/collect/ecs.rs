//! ECS reads: DescribeTasks and DescribeTaskDefinition, and their conversion to Facts.
//!
//! The conversions are plain functions of SDK output types, so they are unit-tested with
//! SDK builders, including shapes the emulator cannot produce (a `MISSING` failure).

use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::types::{Task, TaskDefinition};
use chrono::DateTime;

use super::error::unreadable;
use crate::arn::{ClusterRef, TaskRef};
use crate::event::timestamp;
use crate::facts::{
    AttachmentFacts, ContainerDefinitionFacts, ContainerFacts, ContainerOverrideFacts,
    DependsOnFacts, EfsVolumeFacts, LogConfigurationFacts, PlacementConstraintFacts, Readable,
    SecretRefFacts, TaskDefinitionFacts, TaskFacts, TaskLookup, TaskOverrideFacts, VolumeFacts,
};

pub(super) async fn describe_task(
    ecs: &aws_sdk_ecs::Client,
    cluster: &ClusterRef,
    task: &TaskRef,
) -> Readable<TaskLookup> {
    let answer = ecs
        .describe_tasks()
        .cluster(cluster.for_api())
        .tasks(task.for_api())
        .send()
        .await;
    match answer {
        Ok(out) => Readable::Read {
            value: task_lookup(&out, task),
        },
        Err(e) => Readable::Unreadable(unreadable("ecs:DescribeTasks", &e)),
    }
}

pub(super) async fn describe_task_definition(
    ecs: &aws_sdk_ecs::Client,
    arn: &str,
) -> Readable<TaskDefinitionFacts> {
    match ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
    {
        Ok(out) => match out.task_definition() {
            Some(td) => Readable::Read {
                value: task_definition_facts(td),
            },
            None => Readable::Unreadable(crate::facts::Unreadable {
                api: "ecs:DescribeTaskDefinition".into(),
                error_code: "EmptyResponse".into(),
                message: "the answer had no taskDefinition".into(),
            }),
        },
        Err(e) => Readable::Unreadable(unreadable("ecs:DescribeTaskDefinition", &e)),
    }
}

/// Finds the task we asked for in a DescribeTasks answer. The answer is checked, not
/// trusted: a task whose ARN is not the one asked for is not it (moto matches IDs by
/// substring), and "not returned" counts as missing even without a `MISSING` failure.
pub fn task_lookup(out: &DescribeTasksOutput, wanted: &TaskRef) -> TaskLookup {
    if let Some(t) = out
        .tasks()
        .iter()
        .find(|t| t.task_arn().is_some_and(|a| wanted.matches_arn(a)))
    {
        return TaskLookup::Found {
            task: Box::new(task_facts(t)),
        };
    }
    if let Some(f) = out.failures().first() {
        return TaskLookup::Missing {
            reason: crate::redact::redact(f.reason().unwrap_or("MISSING")).into_owned(),
            arn: f.arn().map(str::to_string),
        };
    }
    TaskLookup::Missing {
        reason: "not returned by DescribeTasks".into(),
        arn: None,
    }
}

fn ts(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        .map(timestamp)
}

fn s(v: Option<&str>) -> Option<String> {
    v.map(str::to_string)
}

/// Converts an SDK task, dropping environment override values and redacting credentials
/// from its reasons (presigned layer URLs, [`crate::redact`]).
pub fn task_facts(t: &Task) -> TaskFacts {
    let mut task = task_facts_unredacted(t);
    crate::redact::redact_task(&mut task);
    task
}

fn task_facts_unredacted(t: &Task) -> TaskFacts {
    TaskFacts {
        task_arn: t.task_arn().unwrap_or_default().to_string(),
        cluster_arn: s(t.cluster_arn()),
        task_definition_arn: s(t.task_definition_arn()),
        last_status: s(t.last_status()),
        desired_status: s(t.desired_status()),
        launch_type: t.launch_type().map(|l| l.as_str().to_string()),
        capacity_provider_name: s(t.capacity_provider_name()),
        platform_version: s(t.platform_version()),
        platform_family: s(t.platform_family()),
        availability_zone: s(t.availability_zone()),
        container_instance_arn: s(t.container_instance_arn()),
        group: s(t.group()),
        started_by: s(t.started_by()),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_reason: s(t.stopped_reason()),
        created_at: ts(t.created_at()),
        pull_started_at: ts(t.pull_started_at()),
        pull_stopped_at: ts(t.pull_stopped_at()),
        stopped_at: ts(t.stopped_at()),
        cpu: s(t.cpu()),
        memory: s(t.memory()),
        containers: t
            .containers()
            .iter()
            .map(|c| ContainerFacts {
                name: c.name().unwrap_or_default().to_string(),
                image: s(c.image()),
                image_digest: s(c.image_digest()),
                last_status: s(c.last_status()),
                reason: s(c.reason()),
                exit_code: c.exit_code(),
            })
            .collect(),
        attachments: t
            .attachments()
            .iter()
            .map(|a| AttachmentFacts {
                id: s(a.id()),
                kind: s(a.r#type()),
                status: s(a.status()),
                details: a
                    .details()
                    .iter()
                    .filter_map(|kv| Some((kv.name()?.to_string(), kv.value()?.to_string())))
                    .collect(),
            })
            .collect(),
        overrides: t.overrides().map(|o| TaskOverrideFacts {
            execution_role_arn: s(o.execution_role_arn()),
            task_role_arn: s(o.task_role_arn()),
            container_overrides: o
                .container_overrides()
                .iter()
                .map(|c| ContainerOverrideFacts {
                    name: s(c.name()),
                    environment_names: c
                        .environment()
                        .iter()
                        .filter_map(|kv| s(kv.name()))
                        .collect(),
                })
                .collect(),
        }),
    }
}

fn secret_refs(secrets: &[aws_sdk_ecs::types::Secret]) -> Vec<SecretRefFacts> {
    secrets
        .iter()
        .map(|x| SecretRefFacts {
            name: x.name().to_string(),
            value_from: x.value_from().to_string(),
        })
        .collect()
}

/// Converts an SDK task definition. Environment values are redacted here, at collect
/// time, so they never reach Facts, snapshots or reports.
pub fn task_definition_facts(td: &TaskDefinition) -> TaskDefinitionFacts {
    TaskDefinitionFacts {
        task_definition_arn: td.task_definition_arn().unwrap_or_default().to_string(),
        family: s(td.family()),
        revision: Some(td.revision()),
        status: td.status().map(|x| x.as_str().to_string()),
        network_mode: td.network_mode().map(|x| x.as_str().to_string()),
        requires_compatibilities: td
            .requires_compatibilities()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        cpu: s(td.cpu()),
        memory: s(td.memory()),
        execution_role_arn: s(td.execution_role_arn()),
        task_role_arn: s(td.task_role_arn()),
        cpu_architecture: td
            .runtime_platform()
            .and_then(|r| r.cpu_architecture())
            .map(|x| x.as_str().to_string()),
        operating_system_family: td
            .runtime_platform()
            .and_then(|r| r.operating_system_family())
            .map(|x| x.as_str().to_string()),
        container_definitions: td
            .container_definitions()
            .iter()
            .map(|c| ContainerDefinitionFacts {
                name: c.name().unwrap_or_default().to_string(),
                image: s(c.image()),
                essential: c.essential(),
                cpu: Some(c.cpu()),
                memory: c.memory(),
                memory_reservation: c.memory_reservation(),
                environment_names: c
                    .environment()
                    .iter()
                    .filter_map(|kv| s(kv.name()))
                    .collect(),
                environment_files: c
                    .environment_files()
                    .iter()
                    .map(|f| f.value().to_string())
                    .collect(),
                secrets: secret_refs(c.secrets()),
                repository_credentials: c
                    .repository_credentials()
                    .map(|r| r.credentials_parameter().to_string()),
                log_configuration: c.log_configuration().map(|l| {
                    LogConfigurationFacts::new(
                        l.log_driver().as_str().to_string(),
                        l.options()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| (k.clone(), v.clone())),
                        secret_refs(l.secret_options()),
                    )
                }),
                depends_on: c
                    .depends_on()
                    .iter()
                    .map(|d| DependsOnFacts {
                        container_name: d.container_name().to_string(),
                        condition: d.condition().as_str().to_string(),
                    })
                    .collect(),
                start_timeout: c.start_timeout(),
            })
            .collect(),
        volumes: td
            .volumes()
            .iter()
            .map(|v| VolumeFacts {
                name: s(v.name()),
                efs: v.efs_volume_configuration().map(|e| EfsVolumeFacts {
                    file_system_id: e.file_system_id().to_string(),
                    root_directory: s(e.root_directory()),
                    transit_encryption: e.transit_encryption().map(|x| x.as_str().to_string()),
                    access_point_id: e
                        .authorization_config()
                        .and_then(|a| s(a.access_point_id())),
                    iam: e
                        .authorization_config()
                        .and_then(|a| a.iam())
                        .map(|x| x.as_str().to_string()),
                }),
            })
            .collect(),
        placement_constraints: td
            .placement_constraints()
            .iter()
            .map(|p| PlacementConstraintFacts {
                kind: p.r#type().map(|x| x.as_str().to_string()),
                expression: s(p.expression()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{
        Container, ContainerDefinition, Failure, KeyValuePair, LogConfiguration, LogDriver,
        TaskStopCode,
    };

    const ARN: &str =
        "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";

    fn wanted() -> TaskRef {
        TaskRef::parse("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn missing_failure_becomes_missing() {
        // Real ECS answers an unknown task with a MISSING failure (moto returns nothing at all).
        let out = DescribeTasksOutput::builder()
            .failures(Failure::builder().arn(ARN).reason("MISSING").build())
            .build();
        assert_eq!(
            task_lookup(&out, &wanted()),
            TaskLookup::Missing {
                reason: "MISSING".into(),
                arn: Some(ARN.into())
            }
        );
    }

    #[test]
    fn an_empty_answer_is_missing_too() {
        let out = DescribeTasksOutput::builder().build();
        assert!(
            matches!(task_lookup(&out, &wanted()), TaskLookup::Missing { reason, .. } if reason.contains("not returned"))
        );
    }

    #[test]
    fn a_different_task_in_the_answer_is_not_ours() {
        let other = Task::builder()
            .task_arn(format!("{ARN}ff"))
            .last_status("STOPPED")
            .build();
        let out = DescribeTasksOutput::builder().tasks(other).build();
        assert!(matches!(
            task_lookup(&out, &wanted()),
            TaskLookup::Missing { .. }
        ));
    }

    #[test]
    fn found_task_is_converted_with_stop_code_and_times() {
        let t = Task::builder()
            .task_arn(ARN)
            .last_status("STOPPED")
            .stop_code(TaskStopCode::TaskFailedToStart)
            .stopped_reason("CannotPullContainerError: x")
            .stopped_at(aws_smithy_types::DateTime::from_millis(1_764_237_604_512))
            .containers(
                Container::builder()
                    .name("web")
                    .reason("CannotPullContainerError: x")
                    .build(),
            )
            .build();
        let out = DescribeTasksOutput::builder().tasks(t).build();
        let TaskLookup::Found { task } = task_lookup(&out, &wanted()) else {
            panic!("not found")
        };
        assert_eq!(task.stop_code.as_deref(), Some("TaskFailedToStart"));
        assert_eq!(task.stopped_at.as_deref(), Some("2025-11-27T10:00:04.512Z"));
        assert_eq!(
            task.containers[0].reason.as_deref(),
            Some("CannotPullContainerError: x")
        );
    }

    #[test]
    fn environment_values_and_foreign_log_options_are_redacted() {
        let td = TaskDefinition::builder()
            .task_definition_arn("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("web")
                    .environment(
                        KeyValuePair::builder()
                            .name("DB_PASSWORD")
                            .value("hunter2")
                            .build(),
                    )
                    .log_configuration(
                        LogConfiguration::builder()
                            .log_driver(LogDriver::Splunk)
                            .options("splunk-token", "tok-secret")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .build();
        let facts = task_definition_facts(&td);
        let text = serde_json::to_string(&facts).unwrap();
        assert!(text.contains("DB_PASSWORD"), "{text}");
        assert!(
            !text.contains("hunter2") && !text.contains("tok-secret"),
            "{text}"
        );
    }

    #[test]
    fn awslogs_options_are_kept() {
        let td = TaskDefinition::builder()
            .container_definitions(
                ContainerDefinition::builder()
                    .name("web")
                    .log_configuration(
                        LogConfiguration::builder()
                            .log_driver(LogDriver::Awslogs)
                            .options("awslogs-group", "/ecs/web")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .build();
        let facts = task_definition_facts(&td);
        let log = facts.container_definitions[0]
            .log_configuration
            .as_ref()
            .unwrap();
        assert_eq!(
            log.options.get("awslogs-group").map(String::as_str),
            Some("/ecs/web")
        );
    }
}
