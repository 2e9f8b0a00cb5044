//! What changed since the failure: CloudTrail's write events on the resources the diagnosis
//! depended on, from the task's start (`createdAt`, else the earliest time the task facts
//! give) to now.
//!
//! The resources come from the facts the other stages read, most relevant first: the task's
//! security groups, its subnet's route table and network ACL, the execution role, the ECR
//! repository, the secrets and parameters, the log groups, the VPC endpoints and their
//! security groups, the role's customer-managed policies. Per Region (IAM's events are in
//! the global-events Region), one lookup of the window's write events (`ReadOnly` = false, at
//! most [`WINDOW_PAGES`] pages of 50, read in the first round with the stages' own reads since
//! it needs only the task's times, [`window`]) answers for every resource when it reads the
//! whole window; otherwise the resources are looked up one by one by `ResourceName`, at most
//! [`MAX_RESOURCES`] of them, [`MAX_PAGES`] pages each. All go concurrently, each page in its
//! turn of the process's LookupEvents limiter (two a second, [`super::cloudtrail`]) and
//! within the run's deadline; what was not searched is recorded. Only write events are kept
//! (the event's `ReadOnly`, else a read-style name), and a call that failed (its record has
//! an `errorCode`) changed nothing and is dropped.
//!
//! How CloudTrail names each resource in an event's `Resources` (what `ResourceName` matches).
//! Documented: ResourceName is "the name of the resource referenced by the event ... These are
//! user-created names ... 'auto-scaling-test-group' for an Auto Scaling Group or 'i-1234567'
//! for an EC2 Instance", and ResourceType may be null (API_Resource.html); the events of IAM,
//! a global service, are in US East (N. Virginia)'s event history only (CloudTrail User
//! Guide, "Viewing CloudTrail events with the AWS CLI"; [`super::cloudtrail::lookup_events_in`]).
//! Not documented per resource type, our best reading (from the EC2 instance example, the
//! request parameters each service's write calls take, and the resource types the console's
//! Event history filter offers):
//! - EC2 (security group, route table, network ACL, VPC endpoint): the ID (`sg-…`, `rtb-…`,
//!   `acl-…`, `vpce-…`), type `AWS::EC2::SecurityGroup` and so on, in the task's Region.
//! - IAM role: the role name (`roleName` of PutRolePolicy, AttachRolePolicy,
//!   UpdateAssumeRolePolicy...), which also covers the role's inline policies; a managed
//!   policy: its ARN (`policyArn` of CreatePolicyVersion, SetDefaultPolicyVersion); both in
//!   the partition's global-events Region. AWS managed policies (`arn:aws:iam::aws:policy/…`)
//!   are AWS's, not the account's, and are not searched.
//! - ECR repository: the repository name, in the repository's Region (PutImage and
//!   BatchDeleteImage name the repository, which covers its images and tags).
//! - Secrets Manager secret: its ARN when DescribeSecret gave it, else the reference as the
//!   task definition gives it; SSM parameter: its name; both in their own Region.
//! - CloudWatch Logs log group: its name, in the awslogs Region.

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::Clients;
use super::budget;
use super::cloudtrail::{self, Lookup, LookupKey, TrailEvent};
use crate::event::timestamp;
use crate::facts::{
    ChangeEvent, ChangeFacts, ChangeResource, Facts, ParameterLookup, Readable, ResourceSearch,
    RoleLookup, SearchedResource, SecretMetadata, TaskFacts, TaskLookup, Unreadable,
};
use crate::image_ref::ImageRef;

/// The most resources one diagnosis searches.
pub(crate) const MAX_RESOURCES: usize = 12;

/// The most pages (of 50 events) read per resource.
pub(crate) const MAX_PAGES: usize = 2;

/// The most pages (of 50 events) of all the window's write events read per Region before
/// looking resources up one by one.
pub(crate) const WINDOW_PAGES: usize = 2;

/// The window's write events, read before the resources are known: per Region (the task's,
/// and the partition's global-events Region for IAM), every write event between the task's
/// start and `now` (`ReadOnly` = false, at most [`WINDOW_PAGES`] pages). A window that holds
/// few writes (a task's short life, a quiet account) then answers for every resource in one
/// or two calls instead of one per resource.
pub(crate) struct Window {
    /// The task's start, when its facts give one.
    since: Option<DateTime<Utc>>,
    /// The end of the window.
    now: DateTime<Utc>,
    /// Per Region, the lookup of all its write events.
    lookups: Vec<(String, Result<Lookup, Unreadable>)>,
}

/// Reads the [`Window`] of `task` (concurrently with the stages' reads).
pub(super) async fn window(
    clients: &Clients,
    task: &TaskFacts,
    home: &str,
    now: DateTime<Utc>,
) -> Window {
    let since = window_start(task);
    let mut regions = vec![home.to_string()];
    let global = cloudtrail::global_events_region(partition_of(home));
    if global != home {
        regions.push(global.to_string());
    }
    let lookups = match since {
        Some(since) => futures_util::future::join_all(
            regions.iter().map(|r| write_events(clients, r, since, now)),
        )
        .await
        .into_iter()
        .zip(regions)
        .map(|(l, r)| (r, l))
        .collect(),
        None => Vec::new(),
    };
    Window {
        since,
        now,
        lookups,
    }
}

/// All the write events of one Region's history between `since` and `now`.
async fn write_events(
    clients: &Clients,
    region: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Lookup, Unreadable> {
    cloudtrail::lookup_events_in(
        clients,
        Some(region),
        LookupKey::ReadOnly,
        "false",
        since,
        now,
        WINDOW_PAGES,
    )
    .await
}

/// The write events on the resources `facts` name, from the task's start to the window's
/// end. `None` when there is nothing to search: no stopped task, no time to start from, or no
/// resource.
pub(super) async fn changes(
    clients: &Clients,
    facts: &Facts,
    mut window: Window,
) -> Option<Readable<ChangeFacts>> {
    let task = match facts.task.value() {
        Some(TaskLookup::Found { task }) => task.as_ref(),
        _ => return None,
    };
    let since = window.since?;
    let now = window.now;
    let resources = resources(facts);
    if resources.is_empty() {
        return None;
    }

    // A Region the window did not read yet (a repository or log group elsewhere): read now.
    let mut missing: Vec<String> = Vec::new();
    for r in &resources {
        if !window.lookups.iter().any(|(x, _)| *x == r.region) && !missing.contains(&r.region) {
            missing.push(r.region.clone());
        }
    }
    let read = futures_util::future::join_all(
        missing.iter().map(|r| write_events(clients, r, since, now)),
    )
    .await;
    window.lookups.extend(missing.into_iter().zip(read));

    // Where a Region's window held more than that, each resource by name, most relevant
    // first, up to the cap.
    let mut answers: Vec<Option<Result<Lookup, Unreadable>>> = vec![None; resources.len()];
    let mut by_name: Vec<usize> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        match window
            .lookups
            .iter()
            .find(|(x, _)| *x == r.region)
            .map(|(_, l)| l)
        {
            Some(Ok(w)) if w.complete => answers[i] = Some(Ok(naming(w, &r.name))),
            // Refused, cut or failing through the retries: a lookup by resource would fare
            // no better, and would only spend the budget.
            Some(Err(u)) => answers[i] = Some(Err(u.clone())),
            _ => by_name.push(i),
        }
    }
    let over_cap: Vec<usize> = by_name.split_off(by_name.len().min(MAX_RESOURCES));
    let mut set: JoinSet<(usize, Result<Lookup, Unreadable>)> = JoinSet::new();
    for &i in &by_name {
        let clients = clients.clone();
        let r = resources[i].clone();
        set.spawn(budget::carry(async move {
            let lookup = cloudtrail::lookup_events_in(
                &clients,
                Some(&r.region),
                LookupKey::ResourceName,
                &r.name,
                since,
                now,
                MAX_PAGES,
            )
            .await;
            (i, lookup)
        }));
    }
    for (i, lookup) in set.join_all().await {
        answers[i] = Some(lookup);
    }

    let mut searched = Vec::new();
    let mut searched_answers = Vec::new();
    let mut unsearched = Vec::new();
    for (i, (r, a)) in resources.into_iter().zip(answers).enumerate() {
        if over_cap.contains(&i) {
            unsearched.push(r);
        } else {
            searched.push(r);
            searched_answers.push(a.unwrap_or_else(|| Err(cloudtrail::turn_timed_out())));
        }
    }
    Some(change_facts(
        task,
        since,
        now,
        searched,
        unsearched,
        searched_answers,
    ))
}

/// The events of a whole-window lookup that name `name` among their resources (what a
/// lookup by `ResourceName` returns).
pub(crate) fn naming(window: &Lookup, name: &str) -> Lookup {
    Lookup {
        events: window
            .events
            .iter()
            .filter(|e| e.resources.iter().any(|r| r.name == name))
            .cloned()
            .collect(),
        complete: window.complete,
    }
}

/// The facts of the lookups: each resource's outcome, the write events (each once, under
/// the most relevant resource naming it, newest first). Every lookup failed: the section is
/// unreadable with the first resource's error.
pub(crate) fn change_facts(
    task: &TaskFacts,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    resources: Vec<ChangeResource>,
    unsearched: Vec<ChangeResource>,
    answers: Vec<Result<Lookup, Unreadable>>,
) -> Readable<ChangeFacts> {
    if let Some(Err(first)) = answers.first()
        && answers.iter().all(Result::is_err)
    {
        return Readable::Unreadable(first.clone());
    }
    let mut events: Vec<ChangeEvent> = Vec::new();
    let mut searched = Vec::new();
    for (r, answer) in resources.into_iter().zip(answers) {
        let lookup = match answer {
            Ok(l) => {
                let writes = writes(&r, &l);
                let count = writes.len();
                for w in writes {
                    if !events.iter().any(|e| e.event_id == w.event_id) {
                        events.push(w);
                    }
                }
                Readable::Read {
                    value: ResourceSearch {
                        complete: l.complete,
                        writes: count,
                    },
                }
            }
            Err(u) => Readable::Unreadable(u),
        };
        searched.push(SearchedResource {
            resource: r,
            lookup,
        });
    }
    // Newest first; the times share one format, so they sort as text. Ties keep the order
    // found (resource relevance, then CloudTrail's order).
    events.sort_by(|a, b| b.event_time.cmp(&a.event_time));
    Readable::Read {
        value: ChangeFacts {
            since: timestamp(since),
            until: timestamp(now),
            stopped_at: task.stopped_at.clone(),
            searched,
            unsearched,
            events,
        },
    }
}

/// Operation-name prefixes of reads, for an event that does not say whether it is one.
const READ_PREFIXES: &[&str] = &[
    "Describe", "List", "Get", "BatchGet", "Lookup", "Search", "Head", "Check", "Simulate",
];

/// Whether `e` is a write that took effect: not a read (its `ReadOnly`, else its name), and
/// not refused (no `errorCode` in its record).
pub(crate) fn is_effective_write(e: &TrailEvent) -> bool {
    let read = match e.read_only() {
        Some(r) => r,
        None => READ_PREFIXES.iter().any(|p| e.event_name.starts_with(p)),
    };
    let failed = e
        .record
        .as_ref()
        .and_then(|r| r.get("errorCode"))
        .is_some_and(|c| !c.is_null());
    !read && !failed
}

/// The write events of one resource's lookup, reduced to the fields Facts keep (never the
/// record, its request parameters or response elements).
pub(crate) fn writes(r: &ChangeResource, lookup: &Lookup) -> Vec<ChangeEvent> {
    lookup
        .events
        .iter()
        .filter(|e| is_effective_write(e))
        .map(|e| {
            let named = e.resources.iter().find(|x| x.name == r.name);
            ChangeEvent {
                event_id: e.event_id.clone(),
                event_name: e.event_name.clone(),
                event_time: e.event_time.clone(),
                caller: e
                    .caller_arn()
                    .map(str::to_string)
                    .or_else(|| e.username.clone()),
                event_source: e.event_source.clone(),
                resource_type: named.and_then(|x| x.kind.clone()),
                resource_name: r.name.clone(),
                resource_kind: r.kind.clone(),
            }
        })
        .collect()
}

/// The task's start: `createdAt`, else the earliest time its facts give.
pub(crate) fn window_start(task: &TaskFacts) -> Option<DateTime<Utc>> {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    parse(&task.created_at).or_else(|| {
        [
            &task.pull_started_at,
            &task.pull_stopped_at,
            &task.stopped_at,
        ]
        .into_iter()
        .filter_map(parse)
        .min()
    })
}

/// The partition of the facts' Region (for IAM's global-events Region).
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The Region an ARN names, else `fallback`.
fn region_of_arn(arn: &str, fallback: &str) -> String {
    match crate::arn::Arn::parse(arn) {
        Ok(a) if !a.region.is_empty() => a.region,
        _ => fallback.to_string(),
    }
}

/// The resources the diagnosis depended on, most relevant first, each once.
pub(crate) fn resources(facts: &Facts) -> Vec<ChangeResource> {
    let home = facts.region.as_str();
    let global = cloudtrail::global_events_region(partition_of(home));
    let mut out: Vec<ChangeResource> = Vec::new();
    let mut add = |kind: &str, name: &str, region: &str| {
        if name.is_empty() || out.iter().any(|r| r.name == name && r.region == region) {
            return;
        }
        out.push(ChangeResource {
            kind: kind.to_string(),
            name: name.to_string(),
            region: region.to_string(),
        });
    };

    let network = facts.network.as_ref();
    let subnet = network.and_then(|n| {
        n.origin.subnet_id.clone().or_else(|| {
            n.eni
                .as_ref()
                .and_then(Readable::value)
                .and_then(|e| e.subnet_id.clone())
        })
    });
    let mut endpoint_groups: Vec<String> = Vec::new();
    let mut endpoints: Vec<String> = Vec::new();
    if let Some(n) = network {
        let mut groups = n.origin.security_group_ids.clone();
        if groups.is_empty()
            && let Some(eni) = n.eni.as_ref().and_then(Readable::value)
        {
            groups = eni.security_group_ids.clone();
        }
        for g in &groups {
            add("security group", g, home);
        }
        if let Some(tables) = n.route_tables.as_ref().and_then(Readable::value) {
            let table = tables
                .iter()
                .find(|t| subnet.as_ref().is_some_and(|s| t.subnet_ids.contains(s)))
                .or_else(|| tables.iter().find(|t| t.main));
            if let Some(t) = table {
                add("route table", &t.id, home);
            }
        }
        if let Some(acls) = n.network_acls.as_ref().and_then(Readable::value) {
            let acl = acls
                .iter()
                .find(|a| subnet.as_ref().is_some_and(|s| a.subnet_ids.contains(s)))
                .or_else(|| acls.iter().find(|a| a.is_default));
            if let Some(a) = acl {
                add("network ACL", &a.id, home);
            }
        }
        if let Some(eps) = n.vpc_endpoints.as_ref().and_then(Readable::value) {
            for e in eps {
                endpoints.push(e.id.clone());
                endpoint_groups.extend(e.security_group_ids.iter().cloned());
            }
        }
    }

    let mut policies: Vec<(String, &str)> = Vec::new();
    if let Some(iam) = &facts.iam {
        let role_arn = iam.execution_role_arn.as_deref();
        let global = role_arn
            .and_then(|a| crate::arn::Arn::parse(a).ok())
            .map(|a| cloudtrail::global_events_region(&a.partition))
            .unwrap_or(global);
        let name = match iam.execution_role.as_ref().and_then(Readable::value) {
            Some(RoleLookup::Found { role }) => {
                if let Some(attached) = role.attached_policies.value() {
                    policies.extend(attached.iter().map(|p| (p.arn.clone(), global)));
                }
                if let Some(b) = &role.permissions_boundary {
                    policies.push((b.arn.clone(), global));
                }
                Some(role.name.clone())
            }
            Some(RoleLookup::NotFound { name }) => Some(name.clone()),
            _ => role_arn
                .and_then(|a| a.rsplit('/').next())
                .map(str::to_string),
        };
        if let Some(name) = name {
            add("execution role", &name, global);
        }
        policies.retain(|(p, _)| !p.contains(":iam::aws:policy/"));
    }

    if let Some(image) = &facts.image {
        for i in &image.images {
            if let Ok(r) = ImageRef::parse(&i.image)
                && let Some(ecr) = r.ecr()
            {
                add("ECR repository", &r.repository, &ecr.region);
            }
        }
    }

    if let Some(secrets) = &facts.secrets {
        for s in &secrets.references {
            match (
                s.secret.as_ref().and_then(Readable::value),
                s.parameter.as_ref().and_then(Readable::value),
            ) {
                (Some(SecretMetadata::Found { arn, .. }), _) => {
                    add("secret", arn, &region_of_arn(arn, home));
                }
                (_, Some(ParameterLookup::Found { name, region, .. })) => {
                    add("SSM parameter", name, region);
                }
                _ if s.value_from.contains(":secretsmanager:") || s.secret.is_some() => {
                    add("secret", &s.value_from, &region_of_arn(&s.value_from, home));
                }
                (_, Some(ParameterLookup::NotFound { region })) => {
                    add("SSM parameter", &parameter_name(&s.value_from), region);
                }
                _ if s.parameter.is_some() => {
                    let region = region_of_arn(&s.value_from, home);
                    add("SSM parameter", &parameter_name(&s.value_from), &region);
                }
                _ => {}
            }
        }
    }
    if let Some(image) = &facts.image {
        for c in &image.registry_credentials {
            let arn = match c.lookup.as_ref().and_then(Readable::value) {
                Some(crate::facts::SecretLookup::Found { arn: Some(arn), .. }) => arn.clone(),
                _ => c.secret.clone(),
            };
            add("secret", &arn, &region_of_arn(&arn, home));
        }
    }

    if let Some(logging) = &facts.logging {
        for c in &logging.containers {
            if let Some(a) = &c.awslogs
                && let Some(group) = &a.group
            {
                add("log group", group, &a.region);
            }
        }
    }

    for g in &endpoint_groups {
        add("security group", g, home);
    }
    for e in &endpoints {
        add("VPC endpoint", e, home);
    }
    for (arn, region) in &policies {
        add("IAM policy", arn, region);
    }
    out
}

/// An SSM parameter's name from a reference: the name itself, or the part of an ARN after
/// `parameter` (`arn:…:parameter/a/b` is `/a/b`, `arn:…:parameter/a` is `a`).
fn parameter_name(value_from: &str) -> String {
    match value_from.split_once(":parameter/") {
        Some((_, rest)) if rest.contains('/') => format!("/{rest}"),
        Some((_, rest)) => rest.to_string(),
        None => value_from.to_string(),
    }
}

#[cfg(test)]
mod tests;
