//! judge: pure functions from [`Facts`] to a [`Report`]. No I/O, no clock, no randomness,
//! so a saved snapshot replays to the same report byte for byte.
//!
//! One module per stage. The `task` stage runs first, always (even when one other stage
//! is asked for), because its failure class decides which stages apply.

pub mod iam;
pub mod image;
pub mod logging;
pub mod network;
pub mod placement;
pub mod policy;
pub mod secrets;
pub mod sweep;
pub mod task;

use crate::facts::Facts;
use crate::report::{FailureClass, Report, SCHEMA_VERSION, StageResult, Status};
use crate::stage::{StageName, StageSelection};

/// The stages a failure class points at, beyond `task`, most likely cause first: the order
/// decides which stage's failure is the root cause when several fail.
pub fn applicable_stages(class: FailureClass) -> &'static [StageName] {
    use FailureClass as C;
    use StageName::*;
    match class {
        C::ImagePullNetwork => &[Network, Image, Iam],
        C::ImageNotFound => &[Image, Iam],
        C::ImageAccessDenied => &[Iam, Image, Network],
        C::RegistryRateLimit => &[Image, Network],
        C::SecretsNetwork => &[Network, Secrets],
        C::SecretsAccessDenied => &[Iam, Secrets, Network],
        // Registry credentials are a secret too: the image stage checks them.
        C::SecretNotFound => &[Secrets, Image, Iam],
        C::SsmParameterInvalid => &[Secrets, Iam],
        C::Logging => &[Logging, Iam, Network],
        C::PlacementResources | C::PlacementConstraint | C::Agent | C::DiskFull => &[Placement],
        C::Efs => &[Placement, Network, Iam],
        C::Timeout => &[Network, Image, Iam, Secrets, Logging],
        C::PlatformMismatch => &[Image],
        C::Other => &[Image, Iam, Network, Secrets, Logging, Placement],
    }
}

/// Judges the facts for the selected stages.
pub fn judge(facts: &Facts, selection: StageSelection) -> Report {
    let task = task::judge(facts);
    let class = task.failure_class;
    let mut stages = Vec::new();
    if selection.includes(StageName::Task) {
        stages.push(task.stage.clone());
    }
    for name in StageName::ALL.into_iter().filter(|s| *s != StageName::Task) {
        if !selection.includes(name) {
            continue;
        }
        let result = match class {
            None => StageResult::skipped(
                name,
                "The task did not fail to start (see the task stage), so this stage has nothing to check.",
            ),
            Some(c) if !applicable_stages(c).contains(&name) => {
                StageResult::skipped(name, format!("Does not apply to failure class '{c}'."))
            }
            Some(_) => later_stage(name, facts),
        };
        stages.push(result);
    }

    let verdict = Status::worst(stages.iter().map(|s| s.status));
    let root = root_cause(&stages, &task.stage, class);
    let summary = summarise(&task, root.as_ref(), &stages);
    Report {
        schema_version: SCHEMA_VERSION.to_string(),
        task: task.summary,
        verdict,
        root_cause: root.map(|f| f.code),
        summary,
        stages,
    }
}

/// The finding for a fact AWS would not give us: UNKNOWN, never PASS, with the API and the
/// error code as evidence, and what to do when it is the tool's own missing permission.
pub(crate) fn unreadable_finding(
    code: crate::codes::Code,
    severity: crate::report::Severity,
    what: &str,
    u: &crate::facts::Unreadable,
    consequence: &str,
) -> crate::report::Finding {
    let message = if u.message.is_empty() {
        String::new()
    } else {
        format!(" ({})", u.message)
    };
    crate::report::Finding::new(
        code,
        Status::Unknown,
        severity,
        format!("{what} could not be read: {} returned {}{message}. {consequence}", u.api, u.error_code),
    )
    .evidence("api", u.api.as_str())
    .evidence("errorCode", u.error_code.as_str())
    .remediation(format!(
        "If {} is an access denial, give the role running ecs-task-doctor permission for {} (template.yaml's role has it); otherwise retry.",
        u.error_code, u.api
    ))
}

/// Orders a stage's findings so its first FAIL best explains the stop reason: worst status
/// first, then findings about a subject the reason names (`evidence[subject_key]`), then the
/// codes the reason's wording points at (`preferred`), then the stage's specificity `order`.
pub(crate) fn rank_by_reason(
    mut findings: Vec<crate::report::Finding>,
    reason: &str,
    subject_key: &str,
    preferred: &[crate::codes::Code],
    order: &[crate::codes::Code],
) -> Vec<crate::report::Finding> {
    let position =
        |list: &[crate::codes::Code], c| list.iter().position(|x| *x == c).unwrap_or(list.len());
    findings.sort_by_key(|f| {
        let status = 4 - usize::from(f.status.severity_rank());
        let named = f
            .evidence
            .get(subject_key)
            .and_then(|v| v.as_str())
            .is_some_and(|v| !reason.is_empty() && reason.contains(&v.to_lowercase()));
        (
            status,
            usize::from(!named),
            position(preferred, f.code),
            position(order, f.code),
        )
    });
    findings
}

/// The stages after `task`. Until a stage is built it says so; it never passes silently.
fn later_stage(name: StageName, facts: &Facts) -> StageResult {
    match name {
        StageName::Network => network::judge(facts),
        StageName::Image => image::judge(facts),
        StageName::Iam => iam::judge(facts),
        StageName::Secrets => secrets::judge(facts),
        StageName::Logging => logging::judge(facts),
        StageName::Placement => placement::judge(facts),
        _ => StageResult::skipped(name, "not implemented yet"),
    }
}

/// The finding that best explains the stop: a failure found by a deeper stage beats the
/// task stage's classification of the symptom, and among deeper stages the one the failure
/// class points at first wins (a layer timeout blames the network before the image).
fn root_cause(
    stages: &[StageResult],
    task_stage: &StageResult,
    class: Option<FailureClass>,
) -> Option<crate::report::Finding> {
    let order: &[StageName] = class.map(applicable_stages).unwrap_or(&[]);
    let rank = |name: StageName| order.iter().position(|s| *s == name).unwrap_or(order.len());
    let mut deeper: Vec<&StageResult> = stages
        .iter()
        .filter(|s| s.name != StageName::Task)
        .collect();
    deeper.sort_by_key(|s| rank(s.name));
    deeper
        .into_iter()
        .flat_map(|s| &s.findings)
        .find(|f| f.status == Status::Fail)
        .or_else(|| {
            task_stage
                .findings
                .iter()
                .find(|f| f.status == Status::Fail)
        })
        .cloned()
}

fn summarise(
    task: &task::TaskOutcome,
    root: Option<&crate::report::Finding>,
    stages: &[StageResult],
) -> String {
    let pending: Vec<&str> = stages
        .iter()
        .filter(|s| s.status == Status::Skipped && s.summary == "not implemented yet")
        .map(|s| s.name.as_str())
        .collect();
    match (root, task.failure_class) {
        (Some(f), _) if f.code != crate::codes::Code::TaskStopReasonClassified => f.title.clone(),
        (_, Some(class)) => {
            let mut s = format!("The task failed to start ({class}).");
            if !pending.is_empty() {
                s.push_str(&format!(
                    " The stages that would find the cause in this account ({}) are not implemented yet.",
                    pending.join(", ")
                ));
            }
            s
        }
        _ => task.stage.summary.clone(),
    }
}

#[cfg(test)]
mod tests;
