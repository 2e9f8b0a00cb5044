//! The sweep's grouping: many failed starts, few causes.
//!
//! A broken subnet or image fails every task a service starts, so a sweep groups repeats
//! by what they share (task definition, failure class, subnets, security groups) and
//! diagnoses one task per group. Pure: the window's end comes from the facts, not from a
//! clock, and the security groups from the sweep's own reads ([`security_group_sources`]
//! says which reads).

use std::collections::{BTreeMap, BTreeSet};

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
    /// The tasks' security groups, sorted; `None` when unknown (no service named them and
    /// the ENI is gone).
    pub security_group_ids: Option<Vec<String>>,
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

/// The reads that name the failed starts' security groups, which DescribeTasks does not
/// return: the services that started them, and the ENIs of the other tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSources {
    /// Cluster (as the sweep names it) → service names, for tasks whose group is `service:NAME`.
    pub services: BTreeMap<String, BTreeSet<String>>,
    /// ENI IDs of the other failed starts' attachments, sorted and unique.
    pub enis: Vec<String>,
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

fn service_of(task: &TaskFacts) -> Option<&str> {
    task.group
        .as_deref()
        .and_then(|g| g.strip_prefix("service:"))
        .filter(|s| !s.is_empty())
}

fn eni_of(task: &TaskFacts) -> Option<&str> {
    task.attachments
        .iter()
        .find_map(|a| a.details.get("networkInterfaceId"))
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// Where a stopped task stands in the sweep.
enum Triage {
    /// Not a failed start.
    Other,
    /// A failed start before the window.
    Outside,
    /// A failed start in the window (`dated`: it has a stop time).
    Failed { class: FailureClass, dated: bool },
}

fn window_start(facts: &SweepFacts) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&facts.collected_at)
        .ok()
        .map(|t| t.with_timezone(&Utc) - Duration::minutes(i64::from(facts.lookback_minutes)))
}

fn triage(task: &TaskFacts, start: Option<DateTime<Utc>>) -> Triage {
    let Some(class) = start_failure_class(task) else {
        return Triage::Other;
    };
    let stopped = task
        .stopped_at
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc));
    match (stopped, start) {
        (Some(t), Some(s)) if t < s => Triage::Outside,
        (t, _) => Triage::Failed {
            class,
            dated: t.is_some(),
        },
    }
}

/// The failed starts of the window, with their cluster and class.
fn failed_starts(
    facts: &SweepFacts,
) -> impl Iterator<Item = (&str, &TaskFacts, FailureClass)> + '_ {
    let start = window_start(facts);
    facts
        .stopped
        .iter()
        .filter_map(|c| c.tasks.value().map(|t| (c.cluster.as_str(), t)))
        .flat_map(move |(cluster, tasks)| {
            tasks.iter().filter_map(move |t| match triage(t, start) {
                Triage::Failed { class, .. } => Some((cluster, t, class)),
                _ => None,
            })
        })
}

/// Which services and ENIs to read for the window's failed starts' security groups: one
/// DescribeServices per 10 services, one DescribeNetworkInterfaces per batch of ENIs.
pub fn security_group_sources(facts: &SweepFacts) -> GroupSources {
    let mut sources = GroupSources::default();
    let mut enis = BTreeSet::new();
    for (cluster, task, _) in failed_starts(facts) {
        if let Some(service) = service_of(task) {
            sources
                .services
                .entry(cluster.to_string())
                .or_default()
                .insert(service.to_string());
        } else if let Some(eni) = eni_of(task) {
            enis.insert(eni.to_string());
        }
    }
    sources.enis = enis.into_iter().collect();
    sources
}

/// A failed start's security groups, sorted, from its service or its ENI; `None` if unknown.
fn security_groups(facts: &SweepFacts, cluster: &str, task: &TaskFacts) -> Option<Vec<String>> {
    let read = &facts.security_groups;
    let mut ids = match service_of(task) {
        Some(service) => read
            .services
            .iter()
            .find(|s| s.cluster == cluster && s.service == service)
            .and_then(|s| s.security_group_ids.clone()),
        None => None,
    }
    .or_else(|| {
        let eni = eni_of(task)?;
        read.enis
            .iter()
            .find(|e| e.id == eni)
            .map(|e| e.security_group_ids.clone())
    })?;
    ids.sort();
    ids.dedup();
    Some(ids)
}

/// Adds one failed start to a group (the latest stop becomes the example).
fn absorb(group: &mut Group, cluster: &str, task: &TaskFacts) {
    group.count += 1;
    if let Some(at) = &task.stopped_at {
        if group.first_seen.as_ref().is_none_or(|f| at < f) {
            group.first_seen = Some(at.clone());
        }
        if group.last_seen.as_ref().is_none_or(|l| at > l) {
            group.last_seen = Some(at.clone());
            group.example_task_arn = task.task_arn.clone();
            group.cluster = cluster.to_string();
            group.stopped_reason = task.stopped_reason.clone();
        }
    }
}

/// Folds `other` into `group` (same cause; `group`'s key is kept).
fn merge(group: &mut Group, other: Group) {
    group.count += other.count;
    if let Some(f) = other.first_seen
        && group.first_seen.as_ref().is_none_or(|g| &f < g)
    {
        group.first_seen = Some(f);
    }
    if let Some(l) = other.last_seen
        && group.last_seen.as_ref().is_none_or(|g| &l > g)
    {
        group.last_seen = Some(l);
        group.example_task_arn = other.example_task_arn;
        group.cluster = other.cluster;
        group.stopped_reason = other.stopped_reason;
    }
}

/// Groups the window's failed starts.
///
/// A failed start whose security groups are unknown (its ENI already deleted) joins the group
/// of the same task definition, class and subnets when exactly one such group has known
/// groups: it is the same cause seen later, not a new one. Otherwise it forms its own group.
pub fn plan(facts: &SweepFacts) -> SweepPlan {
    let start = window_start(facts);
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
    plan.unreadable
        .extend(facts.security_groups.unreadable.iter().cloned());
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
            let class = match triage(task, start) {
                Triage::Other => {
                    plan.stopped_for_other_reasons += 1;
                    continue;
                }
                Triage::Outside => {
                    plan.outside_window += 1;
                    continue;
                }
                Triage::Failed { class, dated } => {
                    if !dated {
                        plan.undated += 1;
                    }
                    class
                }
            };
            let key = GroupKey {
                task_definition_arn: task.task_definition_arn.clone().unwrap_or_default(),
                failure_class: class,
                subnet_ids: subnets(task),
                security_group_ids: security_groups(facts, &cluster.cluster, task),
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
            absorb(entry, &cluster.cluster, task);
        }
    }
    // Unknown groups join the one known group of the same cause, if there is exactly one.
    let unknown: Vec<GroupKey> = groups
        .keys()
        .filter(|k| k.security_group_ids.is_none())
        .cloned()
        .collect();
    for key in unknown {
        let same = |k: &GroupKey| {
            k.security_group_ids.is_some()
                && k.task_definition_arn == key.task_definition_arn
                && k.failure_class == key.failure_class
                && k.subnet_ids == key.subnet_ids
        };
        let known: Vec<GroupKey> = groups.keys().filter(|k| same(k)).cloned().collect();
        if let [target] = known.as_slice()
            && let Some(g) = groups.remove(&key)
            && let Some(into) = groups.get_mut(target)
        {
            merge(into, g);
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
    use crate::facts::{AttachmentFacts, ClusterStoppedFacts, EniGroupsFacts, ServiceGroupsFacts};

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
            clusters_left_out: vec![],
            security_groups: Default::default(),
        }
    }

    fn with_eni(mut t: TaskFacts, eni: &str) -> TaskFacts {
        t.attachments[0]
            .details
            .insert("networkInterfaceId".into(), eni.into());
        t
    }

    fn of_service(mut t: TaskFacts, service: &str) -> TaskFacts {
        t.group = Some(format!("service:{service}"));
        t
    }

    fn eni(id: &str, groups: &[&str]) -> EniGroupsFacts {
        EniGroupsFacts {
            id: id.into(),
            security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    const AT: Option<&str> = Some("2026-11-27T11:30:00.000Z");

    #[test]
    fn sources_name_services_once_and_enis_of_other_failed_starts_only() {
        let f = facts(vec![
            of_service(
                with_eni(task("a", "web:1", "subnet-1", PULL, AT), "eni-a"),
                "web",
            ),
            of_service(task("b", "web:1", "subnet-1", PULL, AT), "web"),
            with_eni(task("c", "api:1", "subnet-1", SSM, AT), "eni-c"),
            with_eni(task("d", "api:1", "subnet-1", SSM, AT), "eni-c"),
            // Not failed starts, or outside the window: nothing to read for them.
            with_eni(
                task(
                    "e",
                    "api:1",
                    "subnet-1",
                    "Essential container in task exited",
                    AT,
                ),
                "eni-e",
            ),
            with_eni(
                task(
                    "f",
                    "api:1",
                    "subnet-1",
                    SSM,
                    Some("2026-11-27T09:00:00.000Z"),
                ),
                "eni-f",
            ),
        ]);
        let s = security_group_sources(&f);
        assert_eq!(s.enis, ["eni-c"]);
        assert_eq!(
            s.services
                .get("prod")
                .map(|v| v.iter().cloned().collect::<Vec<_>>()),
            Some(vec!["web".to_string()])
        );
        assert_eq!(s.services.len(), 1);
    }

    #[test]
    fn security_groups_split_groups_and_unknown_ones_join_the_single_known_group() {
        let mut f = facts(vec![
            with_eni(
                task(
                    "a",
                    "web:1",
                    "subnet-1",
                    PULL,
                    Some("2026-11-27T11:10:00.000Z"),
                ),
                "eni-a",
            ),
            with_eni(
                task(
                    "b",
                    "web:1",
                    "subnet-1",
                    PULL,
                    Some("2026-11-27T11:20:00.000Z"),
                ),
                "eni-b",
            ),
            with_eni(
                task(
                    "c",
                    "web:1",
                    "subnet-1",
                    PULL,
                    Some("2026-11-27T11:30:00.000Z"),
                ),
                "eni-c",
            ),
            // Its ENI is gone: unknown groups, but only one known group has the same cause.
            with_eni(
                task(
                    "d",
                    "web:1",
                    "subnet-1",
                    PULL,
                    Some("2026-11-27T11:55:00.000Z"),
                ),
                "eni-gone",
            ),
            // A service's task takes the service's groups.
            of_service(task("e", "api:1", "subnet-1", SSM, AT), "api"),
            // A service that was not found: unknown, and no known group to join.
            of_service(task("g", "api:2", "subnet-1", SSM, AT), "gone"),
        ]);
        f.security_groups.enis = vec![
            eni("eni-a", &["sg-2", "sg-1"]),
            eni("eni-b", &["sg-1", "sg-2"]),
            eni("eni-c", &["sg-3"]),
        ];
        f.security_groups.services = vec![ServiceGroupsFacts {
            cluster: "prod".into(),
            service: "api".into(),
            security_group_ids: Some(vec!["sg-9".into()]),
        }];
        let p = plan(&f);
        let summary: Vec<(usize, &str, Option<Vec<String>>)> = p
            .groups
            .iter()
            .map(|g| {
                (
                    g.count,
                    g.key.task_definition_arn.rsplit('/').next().unwrap(),
                    g.key.security_group_ids.clone(),
                )
            })
            .collect();
        let ids = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        // sg-1+sg-2 (a, b) and sg-3 (c) are two groups: with two known groups of the same
        // cause, the unknown d cannot be placed and stays on its own.
        assert_eq!(
            summary,
            [
                (2, "web:1", ids(&["sg-1", "sg-2"])),
                (1, "api:1", ids(&["sg-9"])),
                (1, "api:2", None),
                (1, "web:1", None),
                (1, "web:1", ids(&["sg-3"])),
            ]
        );

        // Without c, d joins the one known group and becomes its latest example.
        f.stopped[0].tasks = Readable::Read {
            value: f.stopped[0]
                .tasks
                .value()
                .unwrap()
                .iter()
                .filter(|t| !t.task_arn.ends_with("/c"))
                .cloned()
                .collect(),
        };
        let p = plan(&f);
        let web = p
            .groups
            .iter()
            .find(|g| g.key.task_definition_arn.ends_with("web:1"))
            .unwrap();
        assert_eq!(web.count, 3);
        assert_eq!(web.key.security_group_ids, ids(&["sg-1", "sg-2"]));
        assert!(web.example_task_arn.ends_with("/d"));
        assert_eq!(web.first_seen.as_deref(), Some("2026-11-27T11:10:00.000Z"));
        assert_eq!(web.last_seen.as_deref(), Some("2026-11-27T11:55:00.000Z"));
        assert_eq!(
            p.groups
                .iter()
                .filter(|g| g.key.task_definition_arn.ends_with("web:1"))
                .count(),
            1
        );
    }

    #[test]
    fn unreadable_group_reads_are_reported() {
        let mut f = facts(vec![with_eni(
            task("a", "web:1", "subnet-1", PULL, AT),
            "eni-a",
        )]);
        f.security_groups.unreadable.push(Unreadable {
            api: "ec2:DescribeNetworkInterfaces".into(),
            error_code: "UnauthorizedOperation".into(),
            message: String::new(),
        });
        let p = plan(&f);
        assert_eq!(p.groups[0].key.security_group_ids, None);
        assert_eq!(p.unreadable[0].api, "ec2:DescribeNetworkInterfaces");
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
