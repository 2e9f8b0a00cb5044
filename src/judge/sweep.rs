//! The sweep's grouping: many failed starts, few causes.
//!
//! A broken subnet or image fails every task a service starts, so a sweep groups repeats
//! by what they share (task definition, failure class, subnets) and diagnoses one task per
//! group. Pure: the window's end comes from the facts, not from a clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::facts::{Readable, SweepFacts, TaskFacts, Unreadable};
use crate::judge::task::start_failure_class;
use crate::report::FailureClass;

/// What makes two failed starts "the same".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupKey {
    /// The task definition (family:revision ARN).
    pub task_definition_arn: String,
    /// The failure class of the stop reason.
    pub failure_class: FailureClass,
    /// The subnets the tasks ran in (empty for bridge/host tasks).
    pub subnet_ids: Vec<String>,
}

/// One group of repeated failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// What its tasks share.
    pub key: GroupKey,
    /// How many failed starts.
    pub count: usize,
    /// The earliest stop (None when no task had a stop time).
    pub first_seen: Option<String>,
    /// The latest stop.
    pub last_seen: Option<String>,
    /// The cluster of the example task.
    pub cluster: String,
    /// The task diagnosed for the group (the latest one).
    pub example_task_arn: String,
    /// The example's stop reason.
    pub stopped_reason: Option<String>,
}

/// The sweep's plan: the groups, and what was left aside and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepPlan {
    /// Groups, largest first.
    pub groups: Vec<Group>,
    /// Stopped tasks that started fine (or were stopped on purpose).
    pub stopped_for_other_reasons: usize,
    /// Failed starts that stopped before the window.
    pub outside_window: usize,
    /// Failed starts without a stop time (kept in their group: they are still listed by ECS,
    /// which lists stopped tasks for about an hour).
    pub undated: usize,
    /// Clusters whose listing was cut at the sweep's bound.
    pub truncated_clusters: Vec<String>,
    /// Reads that failed.
    pub unreadable: Vec<Unreadable>,
}

fn subnets(task: &TaskFacts) -> Vec<String> {
    let mut ids: Vec<String> = task
        .attachments
        .iter()
        .filter_map(|a| a.details.get("subnetId").cloned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Groups the window's failed starts.
pub fn plan(facts: &SweepFacts) -> SweepPlan {
    let end = DateTime::parse_from_rfc3339(&facts.collected_at)
        .ok()
        .map(|t| t.with_timezone(&Utc));
    let start = end.map(|e| e - Duration::minutes(i64::from(facts.lookback_minutes)));
    let mut plan = SweepPlan {
        groups: vec![],
        stopped_for_other_reasons: 0,
        outside_window: 0,
        undated: 0,
        truncated_clusters: vec![],
        unreadable: vec![],
    };
    if let Readable::Unreadable(u) = &facts.clusters {
        plan.unreadable.push(u.clone());
    }
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for cluster in &facts.stopped {
        if cluster.truncated {
            plan.truncated_clusters.push(cluster.cluster.clone());
        }
        let tasks = match &cluster.tasks {
            Readable::Read { value } => value,
            Readable::Unreadable(u) => {
                plan.unreadable.push(u.clone());
                continue;
            }
        };
        for task in tasks {
            let Some(class) = start_failure_class(task) else {
                plan.stopped_for_other_reasons += 1;
                continue;
            };
            let stopped = task
                .stopped_at
                .as_deref()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&Utc));
            match (stopped, start) {
                (Some(t), Some(s)) if t < s => {
                    plan.outside_window += 1;
                    continue;
                }
                (None, _) => plan.undated += 1,
                _ => {}
            }
            let key = GroupKey {
                task_definition_arn: task.task_definition_arn.clone().unwrap_or_default(),
                failure_class: class,
                subnet_ids: subnets(task),
            };
            let entry = groups.entry(key.clone()).or_insert_with(|| Group {
                key,
                count: 0,
                first_seen: None,
                last_seen: None,
                cluster: cluster.cluster.clone(),
                example_task_arn: task.task_arn.clone(),
                stopped_reason: task.stopped_reason.clone(),
            });
            entry.count += 1;
            if let Some(at) = &task.stopped_at {
                if entry.first_seen.as_ref().is_none_or(|f| at < f) {
                    entry.first_seen = Some(at.clone());
                }
                if entry.last_seen.as_ref().is_none_or(|l| at > l) {
                    entry.last_seen = Some(at.clone());
                    entry.example_task_arn = task.task_arn.clone();
                    entry.cluster = cluster.cluster.clone();
                    entry.stopped_reason = task.stopped_reason.clone();
                }
            }
        }
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    plan.groups = groups;
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{AttachmentFacts, ClusterStoppedFacts};

    fn task(id: &str, td: &str, subnet: &str, reason: &str, stopped_at: Option<&str>) -> TaskFacts {
        TaskFacts {
            task_arn: format!("arn:aws:ecs:us-east-1:111122223333:task/prod/{id}"),
            task_definition_arn: Some(format!(
                "arn:aws:ecs:us-east-1:111122223333:task-definition/{td}"
            )),
            last_status: Some("STOPPED".into()),
            stopped_reason: Some(reason.into()),
            stopped_at: stopped_at.map(str::to_string),
            attachments: vec![AttachmentFacts {
                details: [("subnetId".to_string(), subnet.to_string())]
                    .into_iter()
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn facts(tasks: Vec<TaskFacts>) -> SweepFacts {
        SweepFacts {
            region: "us-east-1".into(),
            collected_at: "2026-11-27T12:00:00.000Z".into(),
            lookback_minutes: 60,
            clusters: Readable::Read {
                value: vec!["prod".into()],
            },
            stopped: vec![ClusterStoppedFacts {
                cluster: "prod".into(),
                tasks: Readable::Read { value: tasks },
                truncated: false,
            }],
        }
    }

    const PULL: &str = "CannotPullContainerError: context canceled";
    const SSM: &str = "ResourceInitializationError: unable to pull secrets or registry auth: invalid ssm parameters: /x";

    #[test]
    fn repeats_group_and_the_latest_is_the_example() {
        let p = plan(&facts(vec![
            task(
                "a",
                "web:1",
                "subnet-1",
                PULL,
                Some("2026-11-27T11:10:00.000Z"),
            ),
            task(
                "b",
                "web:1",
                "subnet-1",
                PULL,
                Some("2026-11-27T11:50:00.000Z"),
            ),
            task(
                "c",
                "web:1",
                "subnet-1",
                PULL,
                Some("2026-11-27T11:30:00.000Z"),
            ),
            task(
                "d",
                "web:1",
                "subnet-2",
                PULL,
                Some("2026-11-27T11:30:00.000Z"),
            ),
            task(
                "e",
                "api:4",
                "subnet-1",
                SSM,
                Some("2026-11-27T11:40:00.000Z"),
            ),
            task(
                "f",
                "web:1",
                "subnet-1",
                "Essential container in task exited",
                Some("2026-11-27T11:45:00.000Z"),
            ),
        ]));
        assert_eq!(
            p.groups.iter().map(|g| g.count).collect::<Vec<_>>(),
            [3, 1, 1]
        );
        let big = &p.groups[0];
        assert_eq!(big.key.failure_class, FailureClass::ImagePullNetwork);
        assert_eq!(big.first_seen.as_deref(), Some("2026-11-27T11:10:00.000Z"));
        assert_eq!(big.last_seen.as_deref(), Some("2026-11-27T11:50:00.000Z"));
        assert!(big.example_task_arn.ends_with("/b"));
        assert_eq!(p.stopped_for_other_reasons, 1);
        assert_eq!(p.outside_window, 0);
    }

    #[test]
    fn the_window_and_undated_tasks() {
        let p = plan(&facts(vec![
            task(
                "old",
                "web:1",
                "subnet-1",
                PULL,
                Some("2026-11-27T10:59:59.000Z"),
            ),
            task(
                "new",
                "web:1",
                "subnet-1",
                PULL,
                Some("2026-11-27T11:00:00.000Z"),
            ),
            task("undated", "web:1", "subnet-1", PULL, None),
        ]));
        assert_eq!(p.outside_window, 1);
        assert_eq!(p.undated, 1);
        assert_eq!(p.groups.len(), 1);
        assert_eq!(p.groups[0].count, 2);
    }

    #[test]
    fn unreadable_clusters_are_reported() {
        let mut f = facts(vec![]);
        f.stopped[0].tasks = Readable::Unreadable(Unreadable {
            api: "ecs:ListTasks".into(),
            error_code: "AccessDeniedException".into(),
            message: String::new(),
        });
        f.stopped[0].truncated = true;
        let p = plan(&f);
        assert_eq!(p.unreadable[0].error_code, "AccessDeniedException");
        assert_eq!(p.truncated_clusters, ["prod"]);
    }

    proptest::proptest! {
        #[test]
        fn every_failed_start_is_counted_exactly_once(n in 0usize..40, kinds in proptest::collection::vec(0u8..4, 0..40)) {
            let reasons = [PULL, SSM, "Essential container in task exited", "RESOURCE:MEMORY"];
            let tasks: Vec<TaskFacts> = kinds.iter().take(n).enumerate()
                .map(|(i, k)| task(&i.to_string(), &format!("td:{}", k % 2), "subnet-1", reasons[*k as usize], Some("2026-11-27T11:30:00.000Z")))
                .collect();
            let total = tasks.len();
            let p = plan(&facts(tasks));
            let grouped: usize = p.groups.iter().map(|g| g.count).sum();
            proptest::prop_assert_eq!(grouped + p.stopped_for_other_reasons + p.outside_window, total);
        }
    }
}
