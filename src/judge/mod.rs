//! judge: pure functions from [`Facts`] to a [`Report`]. No I/O, no clock, no randomness,
//! so a saved snapshot replays to the same report byte for byte.
//!
//! One module per stage. The `task` stage runs first, always (even when one other stage
//! is asked for), because its failure class decides which stages apply.

pub mod changes;
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
        // ECS's own role, not the task's: the IAM stage is the nearest check.
        C::InfrastructureRole => &[Iam],
        // The subnet's free addresses are the network's; placement for the EC2 side.
        C::SubnetAddresses => &[Network, Placement],
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
            Some(_) => not_passed_unread(later_stage(name, facts), facts),
        };
        stages.push(result);
    }

    let verdict = Status::worst(stages.iter().map(|s| s.status));
    let reason = network::stop_reason_text(facts);
    let root = root_cause(&stages, &task.stage, class, &reason);
    let summary = summarise(&task, root.as_ref(), &stages, changes::probable_fix(facts));
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
/// cause as evidence, and what to do. The cause is named plainly: "the function's role lacks
/// `ecs:DescribeTasks`" for an access denial (the exact permission to add), "timed out" for
/// a read cut by a timeout or the run's deadline, otherwise the AWS error code.
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
    let cause = cause_of(u);
    let (detail, remediation) = if u.is_not_collected() {
        (
            format!("{what} is not in the facts (not collected, or missing from the snapshot)."),
            format!(
                "Diagnose the task live (or save a new snapshot) so that {} is read.",
                u.api
            ),
        )
    } else if u.is_access_denied() {
        (
            format!(
                "{what} could not be read: the function's role lacks {} ({} returned {}{message}).",
                u.api, u.api, u.error_code
            ),
            format!(
                "Allow {} to the role running ecs-task-doctor (template.yaml's role has it), then run it again.",
                u.api
            ),
        )
    } else if u.is_timed_out() {
        let why = if u.message.is_empty() {
            format!("{} timed out", u.api)
        } else {
            u.message.clone()
        };
        (
            format!("{what} could not be read: {} timed out ({why}).", u.api),
            format!(
                "Run it again when {} answers in time (the CLI takes a longer --timeout); nothing here says the fact is wrong.",
                u.api
            ),
        )
    } else {
        (
            format!(
                "{what} could not be read: {} returned {}{message}.",
                u.api, u.error_code
            ),
            format!(
                "If {} is an access denial, give the role running ecs-task-doctor permission for {} (template.yaml's role has it); otherwise retry.",
                u.error_code, u.api
            ),
        )
    };
    crate::report::Finding::new(
        code,
        Status::Unknown,
        severity,
        format!("{detail} {consequence}"),
    )
    .evidence("api", u.api.as_str())
    .evidence("errorCode", u.error_code.as_str())
    .evidence("cause", cause)
    .remediation(remediation)
}

/// Names on an UNKNOWN finding the read it depends on: its API, error code and cause (for a
/// denial, the permission the caller lacks), with the matching remediation; or, when the
/// facts do not hold the value at all (an older or edited snapshot, a section not
/// collected), the API that reads it and that it was not collected. Every UNKNOWN that comes
/// from a missing fact goes through here, so none is left without its cause (issue 16).
pub(crate) fn name_unread(
    f: crate::report::Finding,
    u: Option<&crate::facts::Unreadable>,
    api: &str,
) -> crate::report::Finding {
    match u {
        Some(u) => {
            let remediation = if u.is_not_collected() {
                format!(
                    "Diagnose the task live (or save a new snapshot) so that {} is read.",
                    u.api
                )
            } else if u.is_access_denied() {
                format!(
                    "Allow {} to the role running ecs-task-doctor (template.yaml's role has it), then run it again.",
                    u.api
                )
            } else if u.is_timed_out() {
                format!(
                    "Run it again when {} answers in time (the CLI takes a longer --timeout).",
                    u.api
                )
            } else {
                format!(
                    "Retry; if {} keeps failing with {}, check the role running ecs-task-doctor.",
                    u.api, u.error_code
                )
            };
            let f = f
                .evidence("api", u.api.as_str())
                .evidence("errorCode", u.error_code.as_str())
                .evidence("cause", cause_of(u));
            if f.remediation.is_empty() {
                f.remediation(remediation)
            } else {
                f
            }
        }
        None => name_unread(f, Some(&crate::facts::Unreadable::not_collected(api)), api),
    }
}

/// Why a fact was not read, in the report's words (evidence `cause`): "the function's role
/// lacks `service:Action`" for an access denial, "timed out", or the AWS error code.
pub(crate) fn cause_of(u: &crate::facts::Unreadable) -> String {
    if u.is_not_collected() {
        "not in the facts (not collected, or missing from the snapshot)".to_string()
    } else if u.is_access_denied() {
        format!("the function's role lacks {}", u.api)
    } else if u.is_timed_out() {
        "timed out".to_string()
    } else {
        u.error_code.clone()
    }
}

/// Every fact a stage needs that was not read, named by one UNKNOWN finding of that stage:
/// the guarantee "never a PASS for a fact not read", enforced once for every stage whatever
/// its own judge does. A stage's judge names the facts it uses; any unread fact of the
/// stage's facts that no finding names in its `evidence.api` gets an
/// [`unreadable_finding`] here under the stage's closest check (UNKNOWN: "cannot be
/// decided"), and the stage's status is then at best UNKNOWN. The one exception: a
/// not-found answer in a stage that already fails (see below).
fn not_passed_unread(mut stage: StageResult, facts: &Facts) -> StageResult {
    let section = match stage.name {
        StageName::Network => serde_json::to_value(&facts.network),
        StageName::Image => serde_json::to_value(&facts.image),
        StageName::Iam => serde_json::to_value(&facts.iam),
        StageName::Secrets => serde_json::to_value(&facts.secrets),
        StageName::Logging => serde_json::to_value(&facts.logging),
        StageName::Placement => serde_json::to_value(&facts.placement),
        _ => return stage,
    };
    if stage.status == Status::Skipped {
        return stage;
    }
    let mut unread = Vec::new();
    // Every stage after `task` judges what the task definition says: without it, nothing
    // the stage passes was checked (a snapshot without its `taskDefinition` key once gave
    // "[iam] PASS allow every permission checked", with no permission checked).
    if let Some(crate::facts::TaskLookup::Found { .. }) = facts.task.value() {
        match &facts.task_definition {
            Some(crate::facts::Readable::Unreadable(u)) => unread.push(u.clone()),
            None => unread.push(crate::facts::Unreadable::not_collected(
                "ecs:DescribeTaskDefinition",
            )),
            Some(crate::facts::Readable::Read { .. }) => {}
        }
    }
    unread_facts(&section.unwrap_or_default(), &mut unread);
    let mut added = Vec::new();
    // Which of the stage's findings name each API (not PASS, `evidence.api`), found once, and
    // the APIs the added findings name: one lookup per unread fact, where scanning every
    // finding for each was quadratic in a snapshot with thousands of unread secrets (issue
    // 16). Only the first unread fact of an API fills in `cause` (as before: `or_insert`).
    let mut naming: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in stage.findings.iter().enumerate() {
        if f.status != Status::Pass
            && let Some(api) = f.evidence.get("api").and_then(|v| v.as_str())
        {
            naming.entry(api.to_string()).or_default().push(i);
        }
    }
    let mut added_apis: std::collections::HashSet<String> = std::collections::HashSet::new();
    for u in unread {
        if let Some(named) = naming.get_mut(&u.api) {
            // The stage's own finding names it; make sure it says why, too.
            for i in named.drain(..) {
                stage.findings[i]
                    .evidence
                    .entry("cause".to_string())
                    .or_insert_with(|| cause_of(&u).into());
            }
            continue;
        }
        if added_apis.contains(&u.api) {
            continue;
        }
        // In a stage that already fails, a resource that does not exist is usually the
        // failure itself (no repository, so no image to look up): the stage's judge decides
        // whether to say more. Trouble with the reads themselves is always named.
        if stage.status == Status::Fail && u.is_not_found() {
            continue;
        }
        let code = closest_code(stage.name, u.api.as_str());
        added_apis.insert(u.api.clone());
        added.push(unreadable_finding(
            code,
            crate::report::Severity::Medium,
            &format!("A fact the {} stage needs", stage.name.as_str()),
            &u,
            "This stage cannot be verified without it, so it is not PASS.",
        ));
    }
    added.extend(unverified_hops(&stage));
    if !added.is_empty() {
        if stage.status == Status::Pass {
            let apis: Vec<&str> = added
                .iter()
                .filter_map(|f| f.evidence.get("api").and_then(|v| v.as_str()))
                .collect();
            stage.summary = if apis.is_empty() {
                "Nothing failed, but not every hop could be verified.".to_string()
            } else {
                format!(
                    "Nothing failed, but not everything could be read: {}.",
                    apis.join(", ")
                )
            };
        }
        stage.findings.extend(added);
        stage.status = Status::worst(stage.findings.iter().map(|f| f.status));
    }
    stage
}

/// The check an unread fact of `stage` falls under, by the API that failed: the finding
/// whose verdict the fact would have decided.
fn closest_code(stage: StageName, api: &str) -> crate::codes::Code {
    use crate::codes::Code as C;
    match stage {
        StageName::Network => C::NetNoPathToService,
        StageName::Iam => C::IamDecisionUnknown,
        StageName::Image => match api {
            "ecr:DescribeImages" => C::ImgTagNotFound,
            "ecr:GetRepositoryPolicy" => C::ImgRepoPolicyDenies,
            _ if api.starts_with("secretsmanager:") => C::ImgRegistryCredentialsMissing,
            _ => C::ImgRepositoryNotFound,
        },
        StageName::Secrets => match api {
            _ if api.starts_with("ssm:") => C::SsmParameterNotFound,
            _ if api.starts_with("kms:") => C::KmsKeyNotUsable,
            _ => C::SecretNotFound,
        },
        StageName::Logging => C::LogGroupMissing,
        _ => match api {
            "elasticfilesystem:DescribeFileSystemPolicy" => C::EfsPolicyDeniesMount,
            "elasticfilesystem:DescribeMountTargetSecurityGroups" => C::EfsNfsBlocked,
            _ if api.starts_with("elasticfilesystem:") => C::EfsMountTargetMissing,
            _ if api.starts_with("ec2:") => C::EfsNfsBlocked,
            "ecs:DescribeClusters" | "ecs:ListContainerInstances" => C::Ec2NoContainerInstances,
            _ => C::Ec2InsufficientResources,
        },
    }
}

/// A stage is PASS only if every hop of every path under it is PASS: a hop worse than every
/// finding of the stage (a hop its judge recorded without a finding) gets a finding of its
/// own, with the hop's status, so the stage's status can never be better than its paths'.
/// The network judge gives every UNKNOWN hop a finding naming its read; this is the rule
/// that holds whatever a judge forgets.
fn unverified_hops(stage: &StageResult) -> Vec<crate::report::Finding> {
    let worst_finding = Status::worst(stage.findings.iter().map(|f| f.status));
    let mut out: Vec<crate::report::Finding> = Vec::new();
    for path in &stage.paths {
        for hop in &path.hops {
            if hop.status.severity_rank() <= worst_finding.severity_rank()
                || out.iter().any(|f| f.status == hop.status)
            {
                continue;
            }
            out.push(
                crate::report::Finding::new(
                    hop.code.unwrap_or(crate::codes::Code::NetHopNotVerifiable),
                    hop.status,
                    crate::report::Severity::Medium,
                    format!(
                        "{} ({}, {} hop): {}",
                        path.destination, path.via, hop.layer, hop.detail
                    ),
                )
                .evidence("destination", path.destination.as_str())
                .evidence("layer", hop.layer.as_str()),
            );
        }
    }
    out
}

/// The unreadable facts in a stage's facts (as JSON), each (API, error code) once, in order.
fn unread_facts(v: &serde_json::Value, out: &mut Vec<crate::facts::Unreadable>) {
    // The pairs already in `out` (and those found), in a set: a search of `out` per fact was
    // quadratic in a snapshot with thousands of unread facts (issue 16).
    fn walk(
        v: &serde_json::Value,
        out: &mut Vec<crate::facts::Unreadable>,
        seen: &mut std::collections::HashSet<(String, String)>,
    ) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("state").and_then(|s| s.as_str()) == Some("unreadable")
                    && let Ok(u) = serde_json::from_value::<crate::facts::Unreadable>(v.clone())
                {
                    if seen.insert((u.api.clone(), u.error_code.clone())) {
                        out.push(u);
                    }
                    return;
                }
                m.values().for_each(|x| walk(x, out, seen));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out, seen)),
            _ => {}
        }
    }
    let mut seen = out
        .iter()
        .map(|x| (x.api.clone(), x.error_code.clone()))
        .collect();
    walk(v, out, &mut seen);
}

/// Orders a stage's findings so its first FAIL best explains the stop reason: worst status
/// first, then findings about a subject the reason names (`evidence[subject_key]`), then the
/// codes the reason's wording points at (`preferred`), then the stage's specificity `order`.
pub(crate) fn rank_by_reason(
    findings: Vec<crate::report::Finding>,
    reason: &str,
    subject_key: &str,
    preferred: &[crate::codes::Code],
    order: &[crate::codes::Code],
) -> Vec<crate::report::Finding> {
    let position =
        |list: &[crate::codes::Code], c| list.iter().position(|x| *x == c).unwrap_or(list.len());
    // Each key once, and every subject looked for in the reason in one pass (issue 16: the
    // reason grows with the containers and the subjects with the references, so a
    // `reason.contains` per comparison was quadratic and worse). Same keys, same stable sort.
    let subjects: Vec<Option<String>> = findings
        .iter()
        .map(|f| {
            f.evidence
                .get(subject_key)
                .and_then(|v| v.as_str())
                .map(str::to_lowercase)
        })
        .collect();
    let named = if reason.is_empty() {
        std::collections::HashSet::new()
    } else {
        task::mentions::mentioned(reason, subjects.iter().flatten().map(String::as_str))
    };
    let keys: Vec<_> = findings
        .iter()
        .zip(&subjects)
        .map(|(f, s)| {
            let status = 4 - usize::from(f.status.severity_rank());
            let named = s.as_deref().is_some_and(|s| named.contains(s));
            (
                status,
                usize::from(!named),
                position(preferred, f.code),
                position(order, f.code),
            )
        })
        .collect();
    let mut keyed: Vec<_> = keys.into_iter().zip(findings).collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, f)| f).collect()
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

/// Codes that say only that no path exists to a destination. A finding of another stage that
/// says why no path *can* exist (the registry is public and the subnet has no internet, or
/// the registry is in another Region) explains the same stop better.
const GENERIC_NO_PATH: &[crate::codes::Code] = &[crate::codes::Code::NetNoPathToService];

/// Codes that say why a path to a registry cannot exist, whatever the network does.
const WHY_NO_PATH: &[crate::codes::Code] = &[
    crate::codes::Code::ImgPublicRegistryNeedsInternet,
    crate::codes::Code::ImgCrossRegionRegistry,
];

/// Whether an image finding is about the registry a network finding's destination is.
fn same_registry(network: &crate::report::Finding, image: &crate::report::Finding) -> bool {
    let Some(dest) = network
        .evidence
        .get("destination")
        .and_then(serde_json::Value::as_str)
    else {
        return false;
    };
    let text = |k: &str| image.evidence.get(k).and_then(serde_json::Value::as_str);
    text("registry") == Some(dest) || text("image").is_some_and(|i| i.starts_with(dest))
}

/// The finding that best explains the stop, in three tiers:
///
/// 1. A failure found by a deeper stage, the stage the failure class points at first
///    winning (a layer timeout blames the network before the image); a finding that says
///    why a path cannot exist beats the generic "no path" to the same registry.
/// 2. When no check failed: the UNKNOWN or WARN finding on the stop reason's own
///    destination, the one hop that could not be verified (see [`uncertain_on_reason`]).
/// 3. Else the task stage's own word: what the stop reason says (WARN), or why the task
///    could not be judged.
fn root_cause(
    stages: &[StageResult],
    task_stage: &StageResult,
    class: Option<FailureClass>,
    reason: &str,
) -> Option<crate::report::Finding> {
    let order: &[StageName] = class.map(applicable_stages).unwrap_or(&[]);
    let rank = |name: StageName| order.iter().position(|s| *s == name).unwrap_or(order.len());
    let mut deeper: Vec<&StageResult> = stages
        .iter()
        .filter(|s| s.name != StageName::Task)
        .collect();
    deeper.sort_by_key(|s| rank(s.name));
    let fails: Vec<&crate::report::Finding> = deeper
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.status == Status::Fail)
        .collect();
    if let Some(first) = fails.first() {
        if GENERIC_NO_PATH.contains(&first.code)
            && let Some(why) = fails
                .iter()
                .find(|f| WHY_NO_PATH.contains(&f.code) && same_registry(first, f))
        {
            return Some((*why).clone());
        }
        return Some((*first).clone());
    }
    // A task that did not fail to start has nothing to explain.
    class?;
    uncertain_on_reason(&deeper, reason)
        .or_else(|| {
            task_stage
                .findings
                .iter()
                .find(|f| f.status != Status::Pass)
        })
        .cloned()
}

/// VPC-wide findings that sit on every destination's path (name resolution, the task's own
/// security groups).
const VPC_WIDE: &[crate::codes::Code] = &[
    crate::codes::Code::NetVpcDnsDisabled,
    crate::codes::Code::NetCustomDnsServers,
    crate::codes::Code::NetTaskConfigUnknown,
];

/// When no check failed, the finding that could not be verified (UNKNOWN) or that warns
/// (WARN) on the path the stop reason names: in the network stage, a finding about the
/// reason's destination (or VPC-wide DNS, which every path crosses); in another stage, its
/// first such finding. Stages are taken in the failure class's order, UNKNOWN before WARN.
/// A stop whose reason names no destination takes the network stage's first.
fn uncertain_on_reason<'a>(
    deeper: &[&'a StageResult],
    reason: &str,
) -> Option<&'a crate::report::Finding> {
    let dest = network::destination_in_reason(reason);
    for status in [Status::Unknown, Status::Warn] {
        for stage in deeper {
            let hit = stage.findings.iter().find(|f| {
                f.status == status
                    && (stage.name != StageName::Network
                        || dest.is_none()
                        || VPC_WIDE.contains(&f.code)
                        || f.evidence
                            .get("destination")
                            .and_then(serde_json::Value::as_str)
                            == dest)
            });
            if hit.is_some() {
                return hit;
            }
        }
    }
    None
}

/// What the report checked and found in order, in words a person reads: each network path,
/// role, image, secret, log group and file system a passing check covered.
fn verified(stages: &[StageResult]) -> Vec<String> {
    use serde_json::Value;
    let mut out: Vec<String> = Vec::new();
    // Each item once, in order; the set makes that one lookup per item (a search of `out`
    // was quadratic in the passing images, secrets and log groups; issue 16).
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut push = |s: String| {
        if seen.insert(s.clone()) {
            out.push(s);
        }
    };
    let values = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        }
    };
    for stage in stages.iter().filter(|s| s.status == Status::Pass) {
        let passes = || stage.findings.iter().filter(|f| f.status == Status::Pass);
        match stage.name {
            StageName::Network => {
                let paths: Vec<&str> = stage
                    .paths
                    .iter()
                    .filter(|p| p.status == Status::Pass)
                    .map(|p| p.destination.as_str())
                    .collect();
                if !paths.is_empty() {
                    push(format!("the network paths to {}", paths.join(", ")));
                }
            }
            StageName::Iam => {
                for f in passes() {
                    for k in ["executionRoleArn", "roleArn"] {
                        for arn in values(f.evidence.get(k)) {
                            let name = arn.rsplit('/').next().unwrap_or(&arn).to_string();
                            push(format!("the role {name}"));
                        }
                    }
                }
            }
            StageName::Image => {
                for f in passes() {
                    for image in values(f.evidence.get("image")) {
                        push(format!("the image {image}"));
                    }
                }
            }
            StageName::Secrets => {
                for f in passes() {
                    for k in ["valueFrom", "secretArn", "parameterName"] {
                        for v in values(f.evidence.get(k)) {
                            push(format!("the secret {v}"));
                        }
                    }
                }
            }
            StageName::Logging => {
                for f in passes() {
                    for g in values(f.evidence.get("logGroup")) {
                        push(format!("the log group {g}"));
                    }
                }
            }
            StageName::Placement => {
                push("placement".to_string());
                for f in passes() {
                    for fs in values(f.evidence.get("fileSystemId")) {
                        push(format!("the file system {fs}"));
                    }
                }
            }
            StageName::Task => {}
        }
    }
    out
}

/// The sentence a person reads first. A failure: its title. No failure, but one hop on the
/// stop reason's path could not be verified: that hop, why, and how to check it by hand.
/// Nothing found: that the current configuration does not explain the failure, what was
/// verified, and what configuration cannot show (or the change since the failure that
/// probably fixed it).
fn summarise(
    task: &task::TaskOutcome,
    root: Option<&crate::report::Finding>,
    stages: &[StageResult],
    probable_fix: Option<String>,
) -> String {
    let pending: Vec<&str> = stages
        .iter()
        .filter(|s| s.status == Status::Skipped && s.summary == "not implemented yet")
        .map(|s| s.name.as_str())
        .collect();
    let Some(class) = task.failure_class else {
        return task.stage.summary.clone();
    };
    match root {
        Some(f) if f.status == Status::Fail => return f.title.clone(),
        Some(f) if f.code.stage() != StageName::Task => {
            let mut s = format!(
                "No check failed, but one hop on the stop reason's own path could not be verified: {} {}",
                f.title.trim_end_matches('.'),
                f.detail
            );
            if !s.ends_with('.') {
                s.push('.');
            }
            s.push_str(&format!(
                " Verify it by hand: `ecs-task-doctor explain {}` shows how.",
                f.code
            ));
            return s;
        }
        _ => {}
    }
    let mut s = format!("The task failed to start ({class}).");
    if !pending.is_empty() {
        s.push_str(&format!(
            " The stages that would find the cause in this account ({}) are not implemented yet.",
            pending.join(", ")
        ));
        return s;
    }
    let ran = stages
        .iter()
        .any(|st| st.name != StageName::Task && st.status != Status::Skipped);
    if !ran {
        return s;
    }
    s.push_str(" The current configuration does not explain it: no check failed.");
    let checked = verified(stages);
    if !checked.is_empty() {
        s.push_str(&format!(" Verified: {}.", checked.join("; ")));
    }
    match probable_fix {
        Some(fix) => s.push_str(&format!(" {fix}")),
        None => s.push_str(
            " Configuration cannot show a transient outage or throttling in AWS, a change made and undone since, or a lack of capacity at the time.",
        ),
    }
    s
}

#[cfg(test)]
mod tests;

/// The unreadable finding's wording, and the guarantee that a fact not read never judges
/// PASS, over every fact of the shipped example snapshot.
#[cfg(test)]
mod unreadable_tests {
    use super::*;
    use crate::codes::Code;
    use crate::facts::Unreadable;
    use crate::report::Severity;
    use serde_json::Value;

    fn finding(code: &str, message: &str) -> crate::report::Finding {
        let u = Unreadable {
            api: "ecs:DescribeTasks".into(),
            error_code: code.into(),
            message: message.into(),
        };
        unreadable_finding(
            Code::TaskNotReadable,
            Severity::High,
            "The task",
            &u,
            "Nothing can be checked.",
        )
    }

    #[test]
    fn an_access_denial_names_the_exact_permission_the_role_lacks() {
        for code in crate::facts::ACCESS_DENIED_CODES {
            let f = finding(code, "User is not authorized");
            assert_eq!(f.status, Status::Unknown);
            assert_eq!(
                f.evidence["cause"],
                "the function's role lacks ecs:DescribeTasks"
            );
            assert!(
                f.detail
                    .contains("could not be read: the function's role lacks ecs:DescribeTasks"),
                "{}",
                f.detail
            );
            assert!(
                f.remediation
                    .starts_with("Allow ecs:DescribeTasks to the role")
            );
        }
    }

    #[test]
    fn a_timed_out_read_says_timed_out() {
        for code in [crate::facts::TIMED_OUT, "Timeout"] {
            let f = finding(
                code,
                "timed out: the run's time budget ended before ecs:DescribeTasks answered",
            );
            assert_eq!(f.status, Status::Unknown);
            assert_eq!(f.evidence["cause"], "timed out");
            assert!(
                f.detail.contains("ecs:DescribeTasks timed out"),
                "{}",
                f.detail
            );
        }
    }

    #[test]
    fn another_error_is_named_by_its_code() {
        let f = finding("ThrottlingException", "Rate exceeded");
        assert_eq!(f.evidence["cause"], "ThrottlingException");
        assert!(
            f.detail
                .contains("returned ThrottlingException (Rate exceeded)")
        );
    }

    /// In a failing stage, an unread fact is still named when the read itself was in trouble
    /// (here access denied), not when AWS said the resource does not exist.
    #[test]
    fn a_failing_stage_names_read_trouble_but_not_a_missing_resource() {
        let original: Value =
            serde_json::from_str(include_str!("../../examples/fargate-cannot-pull.json")).unwrap();
        let with = |code: &str| {
            let mut v = original.clone();
            v["network"]["internetGateways"] = serde_json::json!({
                "state": "unreadable",
                "api": "ec2:DescribeInternetGateways",
                "errorCode": code,
                "message": "",
            });
            let facts: Facts = serde_json::from_value(v).unwrap();
            let r = judge(&facts, StageSelection::All);
            let network = r
                .stages
                .iter()
                .find(|s| s.name == StageName::Network)
                .unwrap();
            assert_eq!(network.status, Status::Fail);
            network
                .findings
                .iter()
                .filter(|f| {
                    f.evidence.get("api") == Some(&Value::from("ec2:DescribeInternetGateways"))
                })
                .map(|f| (f.status, f.evidence["cause"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            with("UnauthorizedOperation"),
            [(
                Status::Unknown,
                Value::from("the function's role lacks ec2:DescribeInternetGateways")
            )]
        );
        assert_eq!(with("InvalidInternetGatewayID.NotFound"), []);
    }

    /// Every `{"state": "read", ...}` object of a snapshot, as JSON pointers.
    fn readables(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.get("state") == Some(&Value::from("read")) {
                    out.push(at.clone());
                }
                for (k, x) in m {
                    readables(x, format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    readables(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// Nested facts missing, empty or malformed, one at a time, as a hostile or cut snapshot
    /// has them (issue 16): the prefix list's entries `null`, `[]`, not CIDRs or their key
    /// gone; each VPC DNS attribute `null` or gone; the `taskDefinition` key gone. No stage
    /// that reads the fact may be PASS, every changed report has an UNKNOWN finding naming
    /// the API that reads it, and the seed's root cause (egress to the S3 prefix list) stays
    /// the root cause, because S3 is in no security group: a task group that allows only
    /// another group blocks S3 whatever the list's addresses are.
    #[test]
    fn no_missing_or_malformed_nested_fact_can_make_a_pass() {
        let original: Value =
            serde_json::from_str(include_str!("../../examples/fargate-cannot-pull.json")).unwrap();
        let baseline = judge(
            &serde_json::from_value(original.clone()).unwrap(),
            StageSelection::All,
        );
        assert_eq!(
            baseline.root_cause,
            Some(Code::NetSgEgressS3PrefixListMissing)
        );
        let pl = "/network/prefixLists/value/0";
        let vpc = "/network/vpc/value";
        type Edit = (&'static str, &'static str, Option<Value>, &'static str);
        let edits: Vec<Edit> = vec![
            (
                pl,
                "cidrs",
                Some(Value::Null),
                "ec2:GetManagedPrefixListEntries",
            ),
            (pl, "cidrs", None, "ec2:GetManagedPrefixListEntries"),
            (
                pl,
                "cidrs",
                Some(serde_json::json!([])),
                "ec2:GetManagedPrefixListEntries",
            ),
            (
                pl,
                "cidrs",
                Some(serde_json::json!({"state": "read", "value": []})),
                "ec2:GetManagedPrefixListEntries",
            ),
            (
                pl,
                "cidrs",
                Some(serde_json::json!(["52.216.0.0/15", "not-a-cidr"])),
                "ec2:GetManagedPrefixListEntries",
            ),
            (
                pl,
                "cidrs",
                Some(
                    serde_json::json!({"state": "unreadable", "api": "ec2:GetManagedPrefixListEntries", "errorCode": "RequestLimitExceeded", "message": "Request limit exceeded."}),
                ),
                "ec2:GetManagedPrefixListEntries",
            ),
            (
                vpc,
                "enableDnsSupport",
                Some(Value::Null),
                "ec2:DescribeVpcAttribute",
            ),
            (vpc, "enableDnsSupport", None, "ec2:DescribeVpcAttribute"),
            (
                vpc,
                "enableDnsHostnames",
                Some(Value::Null),
                "ec2:DescribeVpcAttribute",
            ),
            (
                vpc,
                "enableDnsSupport",
                Some(
                    serde_json::json!({"state": "unreadable", "api": "ec2:DescribeVpcAttribute", "errorCode": "UnauthorizedOperation", "message": ""}),
                ),
                "ec2:DescribeVpcAttribute",
            ),
            ("", "taskDefinition", None, "ecs:DescribeTaskDefinition"),
        ];
        for (at, key, value, api) in edits {
            let mut v = original.clone();
            let parent = v.pointer_mut(at).unwrap().as_object_mut().unwrap();
            match &value {
                Some(x) => {
                    parent.insert(key.to_string(), x.clone());
                }
                None => {
                    parent.remove(key);
                }
            }
            let what = format!("{at}/{key} = {value:?}");
            let facts: Facts = serde_json::from_value(v).unwrap();
            let report = judge(&facts, StageSelection::All);
            assert_ne!(
                report, baseline,
                "{what}: the report does not depend on it?"
            );
            let section = (key != "taskDefinition").then_some("network");
            for st in report.stages.iter().filter(|s| s.status != Status::Skipped) {
                if st.name == StageName::Task || section.is_some_and(|s| s != st.name.as_str()) {
                    continue;
                }
                assert_ne!(
                    st.status,
                    Status::Pass,
                    "{what}: {} is PASS",
                    st.name.as_str()
                );
                let named = st.findings.iter().any(|f| {
                    f.status == Status::Unknown
                        && f.evidence.get("api") == Some(&Value::from(api))
                        && f.evidence
                            .get("cause")
                            .is_some_and(|c| c.as_str().is_some_and(|c| !c.is_empty()))
                });
                assert!(
                    named,
                    "{what}: no UNKNOWN finding of {} names {api} and its cause: {:#?}",
                    st.name.as_str(),
                    st.findings
                        .iter()
                        .map(|f| (f.code, f.status, &f.detail, &f.evidence))
                        .collect::<Vec<_>>()
                );
            }
            if at == pl {
                assert_eq!(
                    report.root_cause,
                    Some(Code::NetSgEgressS3PrefixListMissing),
                    "{what}: the seed's own root cause is lost"
                );
            }
            if value
                .as_ref()
                .is_some_and(|x| x.get("errorCode") == Some(&Value::from("UnauthorizedOperation")))
            {
                let causes: Vec<&Value> = report
                    .stages
                    .iter()
                    .flat_map(|s| &s.findings)
                    .filter_map(|f| f.evidence.get("cause"))
                    .collect();
                assert!(
                    causes.contains(&&Value::from(format!("the function's role lacks {api}"))),
                    "{what}: {causes:?}"
                );
            }
        }
    }

    /// The structural rule: a hop worse than every finding of its stage becomes a finding, so
    /// a stage is never better than the worst hop of its paths.
    #[test]
    fn a_stage_is_never_better_than_its_worst_hop() {
        use crate::report::{Hop, PathView};
        let facts: Facts =
            serde_json::from_str(include_str!("../../examples/fargate-cannot-pull.json")).unwrap();
        for status in [Status::Warn, Status::Unknown, Status::Fail] {
            let mut stage = StageResult::ran(
                StageName::Network,
                "Every destination the start needs is reachable (1 paths).",
                vec![crate::report::Finding::new(
                    Code::NetNoPathToService,
                    Status::Pass,
                    Severity::Info,
                    "ecr.api is reachable.",
                )],
            );
            stage.paths = vec![PathView {
                destination: "ecr.api".into(),
                why: "pull".into(),
                via: "interface endpoint vpce-1".into(),
                status: Status::Pass,
                hops: vec![Hop {
                    layer: "nacl".into(),
                    status,
                    detail: "The NACL of subnet-1 was not read.".into(),
                    code: None,
                }],
            }];
            assert_eq!(stage.status, Status::Pass);
            let judged = not_passed_unread(stage, &facts);
            assert_eq!(judged.status, status, "{judged:#?}");
            assert!(judged.findings.iter().any(|f| f.status == status
                && f.code == Code::NetHopNotVerifiable
                && f.detail.contains("subnet-1")));
        }
    }

    /// One fact at a time is made unreadable ("timed out", with an API name of its own): the
    /// stage that reads it must not be PASS, and the report must either not depend on it
    /// (identical to the original) or show an UNKNOWN finding naming that API and "timed out".
    #[test]
    fn no_fact_that_was_not_read_can_make_a_pass() {
        let original: Value =
            serde_json::from_str(include_str!("../../examples/fargate-cannot-pull.json")).unwrap();
        let facts: Facts = serde_json::from_value(original.clone()).unwrap();
        let baseline = judge(&facts, StageSelection::All);
        let mut paths = Vec::new();
        readables(&original, String::new(), &mut paths);
        assert!(paths.len() > 15, "{paths:?}");
        let mut silent = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            let api = format!("test:Fact{i}");
            let mut v = original.clone();
            *v.pointer_mut(path).unwrap() = serde_json::json!({
                "state": "unreadable",
                "api": api,
                "errorCode": crate::facts::TIMED_OUT,
                "message": format!("timed out: the run's time budget ended before {api} answered"),
            });
            let facts: Facts = serde_json::from_value(v).unwrap();
            let report = judge(&facts, StageSelection::All);
            // The stage that reads the fact is never PASS without it.
            let section = path.split('/').nth(1).unwrap_or("");
            let stage = match section {
                "task" | "taskDefinition" => "task",
                other => other,
            };
            if let Some(st) = report.stages.iter().find(|s| s.name.as_str() == stage) {
                assert_ne!(
                    st.status,
                    Status::Pass,
                    "{path}: not read, yet {stage} is PASS"
                );
            }
            if report == baseline {
                continue;
            }
            let unknowns: Vec<&crate::report::Finding> = report
                .stages
                .iter()
                .flat_map(|s| &s.findings)
                .filter(|f| f.status == Status::Unknown)
                .collect();
            let named = unknowns.iter().any(|f| {
                f.evidence.get("api") == Some(&Value::from(api.as_str()))
                    && f.evidence.get("cause") == Some(&Value::from("timed out"))
            });
            if !named {
                silent.push(format!(
                    "{path}: {:?}",
                    unknowns
                        .iter()
                        .map(|f| (f.code, &f.detail))
                        .collect::<Vec<_>>()
                ));
            }
        }
        assert!(
            silent.is_empty(),
            "unread facts that changed the report without an UNKNOWN naming them: {silent:?}"
        );
    }
}
