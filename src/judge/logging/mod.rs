//! The `logging` stage: can every awslogs log driver of the task start?
//!
//! The awslogs driver needs its log group in the Region it writes to (`awslogs-region`, else
//! the task's). A group that exists passes (`LOG_GROUP_MISSING` PASS). A missing group fails
//! (`LOG_GROUP_MISSING` FAIL) unless `awslogs-create-group` is `true`; then the driver creates
//! it at start, and what matters is whether the execution role may call
//! `logs:CreateLogGroup` (`LOG_GROUP_CREATE_NOT_PERMITTED`, decided by the policy evaluator in
//! `permission.rs`; unknown when the role's policies were not read or cannot decide). The
//! driver creates a group only when CreateLogStream answers ResourceNotFoundException (moby's
//! awslogs `create()`), so with the group present a refused creation is only a warning. Other
//! drivers (awsfirelens, splunk, fluentd, ...) need no log group and are not checked: when no
//! container uses awslogs, the stage is SKIPPED with that reason.

mod permission;

use crate::codes::Code;
use crate::facts::{AwslogsFacts, Facts, LogGroupLookup, Readable, TaskFacts, TaskLookup};
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, StageResult, Status};
use crate::stage::StageName;

use permission::Decision;

/// Judges the logging facts.
pub fn judge(facts: &Facts) -> StageResult {
    let Some(logging) = &facts.logging else {
        return StageResult::skipped(
            StageName::Logging,
            "The logging facts were not collected (an older snapshot, or a task that is not stopped).",
        );
    };
    let Some(TaskLookup::Found { task }) = facts.task.value() else {
        return StageResult::skipped(
            StageName::Logging,
            "The task was not found, so there is no log configuration to check.",
        );
    };
    match &facts.task_definition {
        None => {
            return StageResult::skipped(
                StageName::Logging,
                "The task names no task definition, so there is no log configuration to check.",
            );
        }
        Some(Readable::Unreadable(u)) => {
            let f = unreadable_finding(
                Code::LogGroupMissing,
                Severity::High,
                "The task definition",
                u,
                "Which log groups the containers write to cannot be known.",
            );
            return StageResult::ran(
                StageName::Logging,
                "The task definition could not be read, so the log configuration is unknown.",
                vec![f],
            );
        }
        Some(Readable::Read { .. }) => {}
    }

    let others: Vec<String> = logging
        .containers
        .iter()
        .filter(|c| c.awslogs.is_none())
        .map(|c| format!("'{}' uses {}", c.container, c.log_driver))
        .collect();
    let groups = entries(facts);
    if groups.is_empty() {
        return StageResult::skipped(
            StageName::Logging,
            if others.is_empty() {
                "No container has a log configuration, so no log group is needed.".to_string()
            } else {
                format!(
                    "No container uses the awslogs driver ({}). Only awslogs needs a CloudWatch log group, which is what this stage checks; the other drivers' destinations are not checked.",
                    others.join("; ")
                )
            },
        );
    }

    let mut findings = Vec::new();
    for e in &groups {
        findings.extend(entry_findings(facts, task, e));
    }
    let fails = findings.iter().filter(|f| f.status == Status::Fail).count();
    let unknowns = findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .count();
    let mut summary = match (fails, unknowns) {
        (0, 0) => {
            "Every awslogs log group exists in its Region, or may be created at start.".to_string()
        }
        (0, u) => format!("{u} logging check(s) could not be decided; none failed."),
        (f, _) => format!("{f} logging check(s) failed."),
    };
    if !others.is_empty() {
        summary.push_str(&format!(
            " Not checked (not awslogs): {}.",
            others.join("; ")
        ));
    }
    StageResult::ran(StageName::Logging, summary, findings)
}

/// The awslogs containers that share one group, Region and creation setting: one finding
/// for all of them.
struct Entry<'a> {
    containers: Vec<&'a str>,
    awslogs: &'a AwslogsFacts,
    /// The first container's definition in the task definition, if it has one.
    definition: Option<&'a crate::facts::ContainerDefinitionFacts>,
}

/// The entries in first-seen order. Why the maps: a snapshot can name thousands of
/// containers, each with its own group, and finding an entry (or a container's definition)
/// by scanning the list was quadratic (issue 16); each is now one lookup.
fn entries(facts: &Facts) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry<'_>> = Vec::new();
    let Some(logging) = &facts.logging else {
        return out;
    };
    let mut definitions = std::collections::HashMap::new();
    if let Some(td) = facts.task_definition.as_ref().and_then(|t| t.value()) {
        for c in &td.container_definitions {
            // The first definition of a name wins, as a search from the start would find.
            definitions.entry(c.name.as_str()).or_insert(c);
        }
    }
    let mut at: std::collections::HashMap<(Option<&str>, &str, bool), usize> =
        std::collections::HashMap::new();
    for c in &logging.containers {
        let Some(a) = &c.awslogs else { continue };
        let key = (a.group.as_deref(), a.region.as_str(), a.creates_group());
        match at.get(&key) {
            Some(&i) => out[i].containers.push(&c.container),
            None => {
                at.insert(key, out.len());
                out.push(Entry {
                    containers: vec![&c.container],
                    awslogs: a,
                    definition: definitions.get(c.container.as_str()).copied(),
                });
            }
        }
    }
    out
}

fn names(containers: &[&str]) -> String {
    containers
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn base(code: Code, status: Status, severity: Severity, detail: String, e: &Entry) -> Finding {
    Finding::new(code, status, severity, detail)
        .evidence("logGroup", e.awslogs.group.clone())
        .evidence("region", e.awslogs.region.as_str())
        .evidence(
            "regionSource",
            if e.awslogs.region_from_options {
                "awslogs-region"
            } else {
                "task Region (awslogs-region not set)"
            },
        )
        .evidence("containers", e.containers.clone())
        .evidence("awslogsCreateGroup", e.awslogs.create_group.clone())
}

fn entry_findings(facts: &Facts, task: &TaskFacts, e: &Entry) -> Vec<Finding> {
    let who = names(&e.containers);
    let region = e.awslogs.region.as_str();
    let Some(group) = e.awslogs.group.as_deref() else {
        return vec![
            base(
                Code::LogGroupMissing,
                Status::Fail,
                Severity::Critical,
                format!(
                    "Container(s) {who} use the awslogs driver without the awslogs-group option, so the driver has no log group to write to."
                ),
                e,
            )
            .remediation(format!(
                "Add \"awslogs-group\": \"<log-group>\" (and \"awslogs-region\": \"{region}\") to the logConfiguration options of container(s) {who} in a new task definition revision, and create the group:\naws logs create-log-group --log-group-name <log-group> --region {region}"
            )),
        ];
    };
    match &e.awslogs.lookup {
        None => vec![base(
            Code::LogGroupMissing,
            Status::Unknown,
            Severity::Medium,
            format!(
                "The log group {group} in {region} was not looked up, so whether it exists is not known."
            ),
            e,
        )],
        Some(Readable::Unreadable(u)) => {
            let f = unreadable_finding(
                Code::LogGroupMissing,
                Severity::High,
                &format!("The log group {group} in {region}"),
                u,
                "Whether it exists is not known.",
            );
            let remediation = f.remediation.clone();
            let mut g = base(f.code, f.status, f.severity, f.detail, e).remediation(remediation);
            g.evidence.extend(f.evidence);
            vec![g]
        }
        Some(Readable::Read {
            value: LogGroupLookup::Exists { arn },
        }) => {
            let mut out = vec![
                base(
                    Code::LogGroupMissing,
                    Status::Pass,
                    Severity::Info,
                    format!("The log group {group} exists in {region} (container(s) {who})."),
                    e,
                )
                .evidence("logGroupArn", arn.clone()),
            ];
            if e.awslogs.creates_group() {
                out.extend(create_when_present(facts, task, e, group));
            }
            out
        }
        Some(Readable::Read {
            value: LogGroupLookup::Missing,
        }) if !e.awslogs.creates_group() => {
            let where_from = if e.awslogs.region_from_options {
                format!("awslogs-region is {region}")
            } else {
                format!("awslogs-region is not set, so the driver uses the task's Region, {region}")
            };
            vec![
                base(
                    Code::LogGroupMissing,
                    Status::Fail,
                    Severity::Critical,
                    format!(
                        "The log group {group} that container(s) {who} write to does not exist in {region} ({where_from}), and awslogs-create-group is not true, so nothing creates it: the log driver cannot start. logs:DescribeLogGroups found no group with exactly this name."
                    ),
                    e,
                )
                .remediation(format!(
                    "Create the log group in {region}:\naws logs create-log-group --log-group-name {group} --region {region}\nOr, if the group is meant to be another one or in another Region, correct awslogs-group or awslogs-region of container(s) {who} in a new task definition revision. Or set \"awslogs-create-group\": \"true\" in their logConfiguration options and allow the execution role logs:CreateLogGroup on arn:<partition>:logs:{region}:<account-id>:log-group:{group}."
                )),
            ]
        }
        Some(Readable::Read {
            value: LogGroupLookup::Missing,
        }) => vec![create_when_missing(facts, task, e, group)],
    }
}

fn decision(facts: &Facts, task: &TaskFacts, e: &Entry) -> Decision {
    match e.definition {
        Some(c) => permission::decide(facts, task, c),
        None => Decision::Unknown {
            why: "The container's definition is not in the task definition.".into(),
            need: None,
        },
    }
}

/// The group is missing and the driver will try to create it: the role's permission decides.
fn create_when_missing(facts: &Facts, task: &TaskFacts, e: &Entry, group: &str) -> Finding {
    let who = names(&e.containers);
    let region = e.awslogs.region.as_str();
    let code = Code::LogGroupCreateNotPermitted;
    match decision(facts, task, e) {
        Decision::Allowed {
            role_arn,
            need,
            eval,
        } => base(
            code,
            Status::Pass,
            Severity::Info,
            format!(
                "The log group {group} does not exist yet in {region}; container(s) {who} set awslogs-create-group to true, and the execution role may create it: {}",
                eval.detail
            ),
            e,
        )
        .evidence("roleArn", role_arn)
        .evidence("action", need.action.as_str())
        .evidence("resource", need.resource.as_str())
        .evidence("allowedBy", eval.statement.clone()),
        Decision::Denied { role, need, eval } => {
            let decided_by = eval
                .statement
                .clone()
                .unwrap_or_else(|| "implicit deny (no Allow)".into());
            let remediation = if eval.explicit_deny {
                format!(
                    "An explicit Deny ({decided_by}) refuses logs:CreateLogGroup on {}; an Allow cannot override it. Narrow or remove that Deny, or create the group once so the driver need not:\naws logs create-log-group --log-group-name {group} --region {region}",
                    need.resource
                )
            } else {
                let doc = permission::grant(&need);
                format!(
                    "Allow the execution role to create the group (the minimal grant):\naws iam put-role-policy --role-name {} --policy-name ecs-awslogs-create-group --policy-document '{doc}'\nOr create the group once, so the driver need not:\naws logs create-log-group --log-group-name {group} --region {region}{}",
                    role.name,
                    if eval.detail.contains("boundary") {
                        "\nThe permissions boundary must allow logs:CreateLogGroup too: add it to the boundary policy."
                    } else {
                        ""
                    }
                )
            };
            base(
                code,
                Status::Fail,
                Severity::Critical,
                format!(
                    "The log group {group} does not exist in {region}; container(s) {who} set awslogs-create-group to true, but the execution role {} may not call logs:CreateLogGroup on {}: {}",
                    role.name, need.resource, eval.detail
                ),
                e,
            )
            .evidence("roleArn", role.arn.as_str())
            .evidence("action", need.action.as_str())
            .evidence("resource", need.resource.as_str())
            .evidence("decidedBy", decided_by)
            .remediation(remediation)
        }
        Decision::Unknown { why, need } => base(
            code,
            Status::Unknown,
            Severity::Medium,
            format!(
                "The log group {group} does not exist in {region}; container(s) {who} set awslogs-create-group to true, so the start depends on logs:CreateLogGroup. {why}"
            ),
            e,
        )
        .evidence("resource", need.map(|n| n.resource))
        .remediation(format!(
            "Either make sure the execution role allows logs:CreateLogGroup on the group, or create it once:\naws logs create-log-group --log-group-name {group} --region {region}"
        )),
    }
}

/// The group exists, so the driver will not create it; a denied creation is only a warning
/// (it would break the start if the group were deleted). Undecidable: nothing to report.
fn create_when_present(facts: &Facts, task: &TaskFacts, e: &Entry, group: &str) -> Vec<Finding> {
    let region = e.awslogs.region.as_str();
    let code = Code::LogGroupCreateNotPermitted;
    match decision(facts, task, e) {
        Decision::Allowed {
            role_arn,
            need,
            eval,
        } => vec![
            base(
                code,
                Status::Pass,
                Severity::Info,
                format!(
                    "awslogs-create-group is true and the execution role may create {group} if it is ever missing: {}",
                    eval.detail
                ),
                e,
            )
            .evidence("roleArn", role_arn)
            .evidence("resource", need.resource.as_str())
            .evidence("allowedBy", eval.statement.clone()),
        ],
        Decision::Denied { role, need, eval } => vec![
            base(
                code,
                Status::Warn,
                Severity::Low,
                format!(
                    "The log group {group} exists in {region}, so this start does not need to create it; but awslogs-create-group is true and the execution role {} may not call logs:CreateLogGroup on {} ({}): if the group is deleted, the start will fail.",
                    role.name, need.resource, eval.detail
                ),
                e,
            )
            .evidence("roleArn", role.arn.as_str())
            .evidence("resource", need.resource.as_str())
            .remediation(format!(
                "Remove awslogs-create-group, or allow it:\naws iam put-role-policy --role-name {} --policy-name ecs-awslogs-create-group --policy-document '{}'",
                role.name,
                permission::grant(&need)
            )),
        ],
        Decision::Unknown { .. } => vec![],
    }
}

#[cfg(test)]
mod tests;
