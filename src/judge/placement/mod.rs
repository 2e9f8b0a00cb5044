//! The `placement` stage: could ECS place the task, and could its EFS volumes mount?
//!
//! EC2 launch type (`ec2.rs`): are there ACTIVE container instances, are their agents
//! connected, does any have the CPU and memory the task asks for, does any satisfy the task
//! definition's `memberOf` constraints (`query.rs` evaluates the cluster query language's
//! common forms; any other form is UNKNOWN, never FAIL). EFS (`efs.rs`), for any launch type:
//! a mount target in the task's Availability Zone, and NFS 2049 allowed both ways, judged
//! with the network stage's security-group and NACL evaluators. Every check reports PASS as
//! well as FAIL; a fact that could not be read is UNKNOWN.
//!
//! The finding matching the stop reason comes first, so that it is the stage's (and the
//! report's) root cause when several checks fail.

pub mod ec2;
pub mod efs;
pub mod query;

use crate::codes::Code;
use crate::facts::{Facts, Readable, TaskDefinitionFacts, TaskFacts, TaskLookup};
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, StageResult, Status};
use crate::stage::StageName;

/// Judges the placement facts.
pub fn judge(facts: &Facts) -> StageResult {
    let Some(p) = &facts.placement else {
        return StageResult::skipped(
            StageName::Placement,
            "The placement facts were not collected (an older snapshot, or a task that is not stopped).",
        );
    };
    let task = match facts.task.value() {
        Some(TaskLookup::Found { task }) => Some(task.as_ref()),
        _ => None,
    };
    let td = facts.task_definition.as_ref().and_then(Readable::value);
    let reason = reason(task);
    let fargate = is_fargate(task, td);
    let mut findings = Vec::new();
    let mut notes = Vec::new();

    let instances = match (&p.container_instances, fargate) {
        (Some(Readable::Read { value }), _) => Some(value.as_slice()),
        (Some(Readable::Unreadable(u)), _) => {
            findings.push(unreadable_finding(
                Code::Ec2NoContainerInstances,
                Severity::High,
                "The cluster's container instances",
                u,
                "Capacity, agents and constraints cannot be checked.",
            ));
            None
        }
        (None, true) => {
            notes.push("Fargate task: the EC2 capacity, agent and constraint checks do not apply.");
            None
        }
        (None, false) => None,
    };
    if let Some(instances) = instances {
        let cluster = p
            .cluster
            .as_ref()
            .and_then(Readable::value)
            .map(|c| c.cluster_arn.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| task.and_then(|t| t.cluster_arn.clone()))
            .unwrap_or_else(|| facts.request.cluster.clone());
        let providers = p
            .cluster
            .as_ref()
            .and_then(Readable::value)
            .map(|c| c.capacity_providers.clone())
            .unwrap_or_default();
        findings.push(ec2::no_instances(&cluster, instances, &providers));
        findings.extend(ec2::agents(instances, reason.contains("AGENT")));
        findings.extend(ec2::resources(instances, ec2::needs(task, td)));
        if let Some(td) = td {
            findings.extend(ec2::constraints(instances, td));
        }
    }

    let instance_az = task
        .and_then(|t| t.container_instance_arn.as_deref())
        .and_then(|arn| {
            instances?
                .iter()
                .find(|i| i.container_instance_arn == arn)
                .and_then(|i| i.attributes.get("ecs.availability-zone").cloned())
        });
    let side = efs::TaskSide::new(task, facts.network.as_ref(), instance_az);
    let task_role = task
        .and_then(|t| t.overrides.as_ref())
        .and_then(|o| o.task_role_arn.clone())
        .or_else(|| td.and_then(|t| t.task_role_arn.clone()));
    let account = task
        .and_then(|t| t.task_arn.split(':').nth(4))
        .unwrap_or_default()
        .to_string();
    for fs in &p.efs {
        findings.extend(efs::check(fs, &side));
        let volumes = td.map(|t| t.volumes.as_slice()).unwrap_or(&[]);
        if let Some(volume) = volumes
            .iter()
            .filter_map(|v| v.efs.as_ref())
            .find(|v| v.file_system_id == fs.file_system_id)
        {
            let req = efs::MountRequest {
                volume,
                task_role: task_role.as_deref(),
                region: &facts.region,
                account: &account,
            };
            findings.extend(efs::policy(fs, &req));
        }
    }
    if p.efs.is_empty() {
        notes.push("No EFS volumes.");
    }

    let primary = primary_code(&reason);
    findings.sort_by_key(|f| {
        (
            f.status != Status::Fail,
            primary.is_none_or(|c| f.code != c),
        )
    });
    let summary = summary(&findings, &notes);
    StageResult::ran(StageName::Placement, summary, findings)
}

fn reason(task: Option<&TaskFacts>) -> String {
    let t = task.map(|t| {
        let mut s = t.stopped_reason.clone().unwrap_or_default();
        for c in &t.containers {
            if let Some(r) = &c.reason {
                s.push(' ');
                s.push_str(r);
            }
        }
        s
    });
    t.unwrap_or_default()
}

fn is_fargate(task: Option<&TaskFacts>, td: Option<&TaskDefinitionFacts>) -> bool {
    match task.and_then(|t| t.launch_type.as_deref()) {
        Some(l) => l == "FARGATE",
        None => task
            .and_then(|t| t.capacity_provider_name.as_deref())
            .map(|c| c.starts_with("FARGATE"))
            .unwrap_or_else(|| {
                td.is_some_and(|td| {
                    td.requires_compatibilities.iter().all(|c| c == "FARGATE")
                        && !td.requires_compatibilities.is_empty()
                })
            }),
    }
}

/// The code the stop reason points at, so that its failure leads.
fn primary_code(reason: &str) -> Option<Code> {
    let r = reason.to_ascii_lowercase();
    if r.contains("resource:cpu") || r.contains("resource:memory") {
        Some(Code::Ec2InsufficientResources)
    } else if r.contains("agent") && !r.contains("efs") {
        Some(Code::Ec2AgentDisconnected)
    } else if r.contains("placement constraint") || r.contains("memberof") {
        Some(Code::Ec2PlacementConstraintUnsatisfied)
    } else if r.contains("no container instances") {
        Some(Code::Ec2NoContainerInstances)
    } else if r.contains("efs") || r.contains("mount.nfs") {
        Some(Code::EfsMountTargetMissing)
    } else {
        None
    }
}

fn summary(findings: &[Finding], notes: &[&str]) -> String {
    let fails: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let unknown = findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .count();
    let mut s = match fails.first() {
        Some(f) => format!(
            "{} ({} failing check(s)).",
            f.detail.trim_end_matches('.'),
            fails.len()
        ),
        None if unknown > 0 => {
            format!("No placement check failed; {unknown} could not be decided.")
        }
        None if findings.is_empty() => "Nothing to check.".to_string(),
        None => "Every placement check passed.".to_string(),
    };
    for n in notes {
        s.push(' ');
        s.push_str(n);
    }
    s
}

#[cfg(test)]
mod tests;
