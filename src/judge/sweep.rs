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

use crate::facts::{LISTING_NOT_ENDING, Readable, SweepFacts, TaskFacts, Unreadable};
use crate::judge::cause_of;
use crate::judge::task::start_failure_class;
use crate::report::{FailureClass, Status, SweepLeftOut};

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
        .extend(facts.clusters_incomplete.iter().cloned());
    plan.unreadable
        .extend(facts.security_groups.unreadable.iter().cloned());
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for cluster in &facts.stopped {
        if cluster.truncated {
            plan.truncated_clusters.push(cluster.cluster.clone());
        }
        plan.unreadable.extend(cluster.incomplete.iter().cloned());
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

/// The reads a sweep's listing makes: the cluster list, each cluster's stopped tasks, and
/// their descriptions. One of them not answering in full means the sweep did not see every
/// stopped task, so it cannot be an all clear (issue 16). The security-group reads are not
/// among them: without them the failed starts are all found, only grouped less finely.
pub const LISTING_APIS: [&str; 3] = ["ecs:ListClusters", "ecs:ListTasks", "ecs:DescribeTasks"];

/// A listing read that did not answer in full: what failed and why, and the clusters it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingGap {
    /// The read, with its API and error (the first one, when several clusters share it).
    pub unreadable: Unreadable,
    /// The clusters it cost, as the sweep names them (empty for ListClusters).
    pub clusters: Vec<String>,
    /// True when part was read before it stopped (those tasks are kept and grouped).
    pub in_part: bool,
}

/// How much of the listing a sweep read: what lets its headline say "2 of 3 clusters
/// listed" instead of an all clear.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// True when the cluster list itself could not be read at all (nothing was swept).
    pub clusters_unlisted: bool,
    /// Clusters swept that exist (given or listed, within the bound; not those not found).
    pub clusters: usize,
    /// Of them, the clusters whose stopped tasks were listed and described in full.
    pub listed_in_full: usize,
    /// Of them, the clusters read only in part.
    pub listed_in_part: usize,
    /// Clusters ECS says do not exist (ListTasks answered `ClusterNotFoundException`): an
    /// answer, not a failed read, so they hold no failed start; the headline names them.
    pub not_found: Vec<String>,
    /// The reads that did not answer in full, the cluster list's first, then in the
    /// clusters' order; clusters failing the same way share one gap.
    pub gaps: Vec<ListingGap>,
}

impl Coverage {
    /// True when every listing read answered in full: only then may the sweep be all clear.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// A cluster's short name (an ARN's last segment), as a person reads it in a headline.
fn short(cluster: &str) -> &str {
    cluster.rsplit('/').next().unwrap_or(cluster)
}

/// Adds `u` (costing `cluster`, if any) to the gaps: to the gap of the same API, cause and
/// extent when there is one, so 50 clusters denied the same way make one phrase.
fn add_gap(gaps: &mut Vec<ListingGap>, u: &Unreadable, cluster: Option<&str>, in_part: bool) {
    let cause = listing_cause(u);
    let same = gaps.iter_mut().find(|g| {
        g.unreadable.api == u.api && g.in_part == in_part && listing_cause(&g.unreadable) == cause
    });
    let gap = match same {
        Some(g) => g,
        None => {
            gaps.push(ListingGap {
                unreadable: u.clone(),
                clusters: vec![],
                in_part,
            });
            gaps.last_mut().expect("just pushed")
        }
    };
    if let Some(c) = cluster {
        gap.clusters.push(c.to_string());
    }
}

/// What the sweep's listing read, and what it could not.
pub fn coverage(facts: &SweepFacts) -> Coverage {
    let mut c = Coverage::default();
    match &facts.clusters {
        Readable::Unreadable(u) => {
            c.clusters_unlisted = true;
            add_gap(&mut c.gaps, u, None, false);
        }
        Readable::Read { .. } => {}
    }
    if let Some(u) = &facts.clusters_incomplete {
        add_gap(&mut c.gaps, u, None, true);
    }
    for cluster in &facts.stopped {
        match &cluster.tasks {
            Readable::Unreadable(u) if u.is_not_found() => {
                c.not_found.push(cluster.cluster.clone());
                continue;
            }
            Readable::Unreadable(u) => add_gap(&mut c.gaps, u, Some(&cluster.cluster), false),
            Readable::Read { .. } if cluster.incomplete.is_empty() => c.listed_in_full += 1,
            Readable::Read { .. } => c.listed_in_part += 1,
        }
        for u in &cluster.incomplete {
            add_gap(&mut c.gaps, u, Some(&cluster.cluster), true);
        }
        c.clusters += 1;
    }
    c
}

/// Why a listing read did not answer in full, in the headline's words: for a denial the
/// permission the function's role lacks ("the function's role lacks ecs:ListTasks", from
/// [`cause_of`], as every UNKNOWN finding says it), else the API and "timed out", how the
/// listing did not end, or the error code it returned.
pub fn listing_cause(u: &Unreadable) -> String {
    if u.error_code == LISTING_NOT_ENDING {
        format!("{} {}", u.api, u.message)
    } else if u.is_access_denied() {
        cause_of(u)
    } else if u.is_timed_out() {
        format!("{} {}", u.api, cause_of(u))
    } else {
        format!("{} returned {}", u.api, cause_of(u))
    }
}

/// "cluster a", "clusters a and b", "clusters a, b and c", "clusters a, b, c and 4 more".
fn clusters_phrase(clusters: &[String]) -> String {
    const NAMED: usize = 3;
    let names: Vec<&str> = clusters.iter().map(|c| short(c)).collect();
    match names.as_slice() {
        [] => "the clusters".to_string(),
        [one] => format!("cluster {one}"),
        all if all.len() <= NAMED => {
            let (last, rest) = all.split_last().expect("not empty");
            format!("clusters {} and {last}", rest.join(", "))
        }
        all => format!(
            "clusters {} and {} more",
            all[..NAMED].join(", "),
            all.len() - NAMED
        ),
    }
}

/// One gap as a phrase of the headline: what could not be read, and why.
fn gap_phrase(g: &ListingGap) -> String {
    let cause = listing_cause(&g.unreadable);
    let of = clusters_phrase(&g.clusters);
    match (g.unreadable.api.as_str(), g.in_part) {
        ("ecs:ListClusters", false) => format!("could not list the clusters: {cause}"),
        ("ecs:ListClusters", true) => format!("listed only part of the clusters: {cause}"),
        ("ecs:ListTasks", false) => format!("could not list the stopped tasks of {of}: {cause}"),
        ("ecs:ListTasks", true) => {
            format!("listed only part of the stopped tasks of {of}: {cause}")
        }
        ("ecs:DescribeTasks", false) => {
            format!("could not describe the stopped tasks of {of}: {cause}")
        }
        ("ecs:DescribeTasks", true) => {
            format!("described only part of the stopped tasks of {of}: {cause}")
        }
        (_, false) => format!("could not read {of}: {cause}"),
        (_, true) => format!("read only part of {of}: {cause}"),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The sweep's status and the sentence a person reads first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The sweep's status (`SweepSummary.status`).
    pub status: Status,
    /// Its headline (`SweepSummary.summary`).
    pub summary: String,
}

/// The sweep's status and headline, from what it read and what its groups' diagnoses said
/// (`verdicts[i]` is `plan.groups[i]`'s, `None` when that group was not diagnosed).
///
/// Unknown is never PASS or SKIPPED (issue 16): a sweep whose listing was not read in full
/// is at least UNKNOWN (FAIL when a group it did find fails), and its headline starts with
/// what could not be read and why (for a denial, the permission the function's role lacks),
/// says how much was read ("2 of 3 clusters listed") and that what it found is not an all
/// clear; the failed starts found in the part read are still grouped and counted. A group
/// that was not diagnosed is UNKNOWN too: failed starts were found, so there was something
/// to diagnose. SKIPPED is left for a sweep that read everything and found nothing.
pub fn outcome(facts: &SweepFacts, plan: &SweepPlan, verdicts: &[Option<Status>]) -> Outcome {
    let coverage = coverage(facts);
    let mut statuses: Vec<Status> = (0..plan.groups.len())
        .map(|i| {
            verdicts
                .get(i)
                .copied()
                .flatten()
                .unwrap_or(Status::Unknown)
        })
        .collect();
    if !coverage.is_complete() {
        statuses.push(Status::Unknown);
    }
    let failed: usize = plan.groups.iter().map(|g| g.count).sum();
    let groups = plan.groups.len();
    let minutes = facts.lookback_minutes;
    let not_found = match coverage.not_found.as_slice() {
        [] => String::new(),
        [one] => format!(" Cluster {} was not found.", short(one)),
        many => format!(
            " {} were not found.",
            clusters_phrase(many).replacen("clusters", "Clusters", 1)
        ),
    };
    let clusters = coverage.clusters;
    let summary = if coverage.is_complete() {
        format!(
            "{} in {} across {} in the last {minutes} minutes.{not_found}",
            plural(failed, "failed start", "failed starts"),
            plural(groups, "group", "groups"),
            plural(clusters, "cluster", "clusters"),
        )
    } else {
        const SHOWN: usize = 3;
        let mut phrases: Vec<String> = coverage.gaps.iter().take(SHOWN).map(gap_phrase).collect();
        if coverage.gaps.len() > SHOWN {
            phrases.push(format!(
                "{} more reads failed (see leftOut)",
                coverage.gaps.len() - SHOWN
            ));
        }
        let read = if coverage.clusters_unlisted || clusters == 0 {
            String::new()
        } else {
            let part = match coverage.listed_in_part {
                0 => String::new(),
                n => format!(", {n} more in part"),
            };
            format!(
                " {} of {} listed{part}.",
                coverage.listed_in_full,
                plural(clusters, "cluster", "clusters")
            )
        };
        let found = if failed > 0 {
            format!(
                " {} in {} in what was read in the last {minutes} minutes; what was not read may hold more.",
                plural(failed, "failed start", "failed starts"),
                plural(groups, "group", "groups"),
            )
        } else if coverage.listed_in_full + coverage.listed_in_part == 0 {
            format!(
                " Nothing was read, so failed starts in the last {minutes} minutes are unknown: this is not an all clear."
            )
        } else {
            format!(
                " No failed start in what was read in the last {minutes} minutes, but this is not an all clear."
            )
        };
        format!(
            "Incomplete sweep: {}.{read}{found}{not_found}",
            phrases.join("; ")
        )
    };
    Outcome {
        status: Status::worst(statuses),
        summary,
    }
}

/// The listing reads a published summary names in `leftOut.unreadable` (`api: errorCode`)
/// that cost the sweep part of its listing: [`LISTING_APIS`] that did not answer, less the
/// clusters ECS says do not exist. What a subject line needs to say "not all read" from the
/// summary alone; empty for a sweep that read its whole listing.
pub fn listing_unread(left_out: &SweepLeftOut) -> Vec<Unreadable> {
    left_out
        .unreadable
        .iter()
        .filter_map(|entry| {
            let (api, code) = entry.split_once(": ")?;
            Some(Unreadable {
                api: api.to_string(),
                error_code: code.to_string(),
                message: String::new(),
            })
        })
        .filter(|u| LISTING_APIS.contains(&u.api.as_str()) && !u.is_not_found())
        .collect()
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
            clusters_incomplete: None,
            stopped: vec![ClusterStoppedFacts {
                cluster: "prod".into(),
                tasks: Readable::Read { value: tasks },
                truncated: false,
                incomplete: vec![],
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

    fn unread(api: &str, code: &str) -> Unreadable {
        Unreadable {
            api: api.into(),
            error_code: code.into(),
            message: String::new(),
        }
    }

    /// A sweep of the given clusters, each listed (its tasks) or not (its error).
    fn swept(clusters: Vec<(&str, Readable<Vec<TaskFacts>>)>) -> SweepFacts {
        let mut f = facts(vec![]);
        f.clusters = Readable::Read {
            value: clusters.iter().map(|(c, _)| c.to_string()).collect(),
        };
        f.stopped = clusters
            .into_iter()
            .map(|(c, tasks)| ClusterStoppedFacts {
                cluster: c.into(),
                tasks,
                truncated: false,
                incomplete: vec![],
            })
            .collect();
        f
    }

    /// What the engine does with the facts: plan, then judge the outcome with every group's
    /// diagnosis saying `verdict`.
    fn judged(f: &SweepFacts, verdict: Status) -> Outcome {
        let p = plan(f);
        let verdicts = vec![Some(verdict); p.groups.len()];
        outcome(f, &p, &verdicts)
    }

    fn not_all_clear(o: &Outcome) {
        assert!(
            !matches!(o.status, Status::Pass | Status::Skipped),
            "an unread listing must not look all clear: {o:?}"
        );
        assert!(o.summary.starts_with("Incomplete sweep: "), "{o:?}");
        assert!(
            o.summary.contains("not an all clear") || o.summary.contains("may hold more"),
            "{o:?}"
        );
    }

    #[test]
    fn a_denied_list_clusters_is_unknown_and_names_the_permission() {
        let mut f = facts(vec![]);
        f.clusters = Readable::Unreadable(unread("ecs:ListClusters", "AccessDeniedException"));
        f.stopped = vec![];
        let o = judged(&f, Status::Fail);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.summary,
            "Incomplete sweep: could not list the clusters: the function's role lacks \
             ecs:ListClusters. Nothing was read, so failed starts in the last 60 minutes are \
             unknown: this is not an all clear."
        );
    }

    #[test]
    fn a_denied_list_tasks_is_unknown_and_names_the_permission() {
        let denied = || Readable::Unreadable(unread("ecs:ListTasks", "AccessDeniedException"));
        let f = swept(vec![
            ("arn:aws:ecs:us-east-1:111122223333:cluster/prod", denied()),
            ("batch", denied()),
        ]);
        let o = judged(&f, Status::Fail);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.summary,
            "Incomplete sweep: could not list the stopped tasks of clusters prod and batch: the \
             function's role lacks ecs:ListTasks. 0 of 2 clusters listed. Nothing was read, so \
             failed starts in the last 60 minutes are unknown: this is not an all clear."
        );
    }

    #[test]
    fn a_timed_out_list_tasks_is_unknown_and_says_timed_out() {
        let f = swept(vec![(
            "prod",
            Readable::Unreadable(unread("ecs:ListTasks", crate::facts::TIMED_OUT)),
        )]);
        let o = judged(&f, Status::Fail);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.summary.starts_with(
                "Incomplete sweep: could not list the stopped tasks of cluster prod: \
                 ecs:ListTasks timed out. 0 of 1 cluster listed."
            ),
            "{o:?}"
        );
    }

    #[test]
    fn a_500_from_describe_tasks_is_unknown_with_the_error_code() {
        let f = swept(vec![(
            "prod",
            Readable::Unreadable(unread("ecs:DescribeTasks", "InternalFailure")),
        )]);
        let o = judged(&f, Status::Fail);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.summary.starts_with(
                "Incomplete sweep: could not describe the stopped tasks of cluster prod: \
                 ecs:DescribeTasks returned InternalFailure. 0 of 1 cluster listed."
            ),
            "{o:?}"
        );
    }

    #[test]
    fn a_partial_read_keeps_the_failures_found_and_is_not_all_clear() {
        let read = Readable::Read {
            value: vec![
                task("a", "web:1", "subnet-1", PULL, AT),
                task("b", "web:1", "subnet-1", PULL, AT),
            ],
        };
        let f = swept(vec![
            ("prod", read.clone()),
            ("batch", read),
            (
                "edge",
                Readable::Unreadable(unread("ecs:ListTasks", "AccessDeniedException")),
            ),
        ]);
        // The failures found still make their group, and a FAIL found stays FAIL.
        let o = judged(&f, Status::Fail);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.summary,
            "Incomplete sweep: could not list the stopped tasks of cluster edge: the function's \
             role lacks ecs:ListTasks. 2 of 3 clusters listed. 4 failed starts in 1 group in \
             what was read in the last 60 minutes; what was not read may hold more."
        );
        // Groups whose diagnoses explain nothing (WARN) do not make an all clear either.
        assert_eq!(judged(&f, Status::Warn).status, Status::Unknown);
        assert_eq!(
            plan(&f).unreadable,
            [unread("ecs:ListTasks", "AccessDeniedException")]
        );
    }

    #[test]
    fn a_listing_that_did_not_end_is_not_fully_read() {
        let mut f = swept(vec![(
            "prod",
            Readable::Read {
                value: vec![task("a", "web:1", "subnet-1", PULL, AT)],
            },
        )]);
        f.stopped[0].incomplete = vec![Unreadable {
            api: "ecs:ListTasks".into(),
            error_code: LISTING_NOT_ENDING.into(),
            message: "was still paginating after 50 pages (1 listed)".into(),
        }];
        let o = judged(&f, Status::Warn);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.summary,
            "Incomplete sweep: listed only part of the stopped tasks of cluster prod: \
             ecs:ListTasks was still paginating after 50 pages (1 listed). 0 of 1 cluster \
             listed, 1 more in part. 1 failed start in 1 group in what was read in the last 60 \
             minutes; what was not read may hold more."
        );
        assert_eq!(plan(&f).groups[0].count, 1);
        assert_eq!(plan(&f).unreadable[0].error_code, LISTING_NOT_ENDING);

        // The same for the cluster list.
        let mut f = swept(vec![("prod", Readable::Read { value: vec![] })]);
        f.clusters_incomplete = Some(unread("ecs:ListClusters", "ThrottlingException"));
        let o = judged(&f, Status::Pass);
        not_all_clear(&o);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.summary.starts_with(
                "Incomplete sweep: listed only part of the clusters: ecs:ListClusters returned \
                 ThrottlingException. 1 of 1 cluster listed. No failed start"
            ),
            "{o:?}"
        );
    }

    #[test]
    fn many_clusters_failing_alike_make_one_short_phrase() {
        let names: Vec<String> = (0..50).map(|i| format!("c{i}")).collect();
        let f = swept(
            names
                .iter()
                .map(|c| {
                    (
                        c.as_str(),
                        Readable::Unreadable(unread("ecs:ListTasks", "AccessDeniedException")),
                    )
                })
                .collect(),
        );
        let o = judged(&f, Status::Pass);
        assert!(
            o.summary.starts_with(
                "Incomplete sweep: could not list the stopped tasks of clusters c0, c1, c2 and 47 \
                 more: the function's role lacks ecs:ListTasks. 0 of 50 clusters listed."
            ),
            "{o:?}"
        );
    }

    #[test]
    fn a_complete_sweep_keeps_its_headline_and_a_missing_cluster_is_named() {
        let f = swept(vec![
            (
                "prod",
                Readable::Read {
                    value: vec![task("a", "web:1", "subnet-1", PULL, AT)],
                },
            ),
            (
                "typo",
                Readable::Unreadable(unread("ecs:ListTasks", "ClusterNotFoundException")),
            ),
        ]);
        let o = judged(&f, Status::Fail);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.summary,
            "1 failed start in 1 group across 1 cluster in the last 60 minutes. Cluster typo was \
             not found."
        );
        // Read in full and nothing found: the one case that may say SKIPPED.
        let o = judged(
            &swept(vec![("prod", Readable::Read { value: vec![] })]),
            Status::Fail,
        );
        assert_eq!(o.status, Status::Skipped);
        assert_eq!(
            o.summary,
            "0 failed starts in 0 groups across 1 cluster in the last 60 minutes."
        );
    }

    #[test]
    fn a_group_that_was_not_diagnosed_is_not_skipped() {
        let f = facts(vec![task("a", "web:1", "subnet-1", PULL, AT)]);
        let p = plan(&f);
        assert_eq!(outcome(&f, &p, &[None]).status, Status::Unknown);
        assert_eq!(outcome(&f, &p, &[]).status, Status::Unknown);
        assert_eq!(outcome(&f, &p, &[Some(Status::Warn)]).status, Status::Warn);
    }

    #[test]
    fn a_summary_names_the_listing_reads_it_missed() {
        let left = SweepLeftOut {
            unreadable: vec![
                "ecs:ListTasks: AccessDeniedException".into(),
                "ecs:ListTasks: ClusterNotFoundException".into(),
                "ec2:DescribeNetworkInterfaces: UnauthorizedOperation".into(),
                "ecs:DescribeTasks: TimedOut".into(),
            ],
            ..SweepLeftOut::default()
        };
        let missed: Vec<(String, String)> = listing_unread(&left)
            .into_iter()
            .map(|u| (u.api, u.error_code))
            .collect();
        assert_eq!(
            missed,
            [
                (
                    "ecs:ListTasks".to_string(),
                    "AccessDeniedException".to_string()
                ),
                ("ecs:DescribeTasks".to_string(), "TimedOut".to_string()),
            ]
        );
        assert!(listing_unread(&SweepLeftOut::default()).is_empty());
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
