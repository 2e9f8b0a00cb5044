//! The `secrets` stage: does every secret and parameter the task references resolve?
//!
//! For each distinct `valueFrom` / `credentialsParameter`: does it parse the way ECS resolves it
//! (`reference.rs`); does the Secrets Manager secret exist and is it not scheduled for deletion;
//! does the SSM parameter exist where ECS will look (a name resolves in the task's Region only);
//! is the customer managed KMS key that encrypts it usable (`kms.rs`). Values are never read.
//! Whether the execution role may call GetSecretValue, GetParameters and kms:Decrypt is the iam
//! stage's question. Every check reports PASS as well as FAIL; an unreadable fact is UNKNOWN.

mod kms;
pub mod reference;
mod target;

use crate::codes::Code;
use crate::facts::{Facts, Readable, SecretsFacts, TaskFacts, TaskLookup};
use crate::report::{Finding, Severity, StageResult, Status};
use crate::stage::StageName;
use reference::Reference;

/// Judges the secrets facts.
pub fn judge(facts: &Facts) -> StageResult {
    let Some(secrets) = &facts.secrets else {
        return StageResult::skipped(
            StageName::Secrets,
            "The secrets facts were not collected (an older snapshot, or a task that is not stopped).",
        );
    };
    if let Some(Readable::Unreadable(u)) = &facts.task_definition {
        return StageResult::ran(
            StageName::Secrets,
            "The task definition could not be read, so its secrets are not known.",
            vec![super::unreadable_finding(
                Code::SecretNotFound,
                Severity::Medium,
                "The task definition",
                u,
                "Its secrets are not known.",
            )],
        );
    }
    if secrets.references.is_empty() {
        return StageResult::skipped(
            StageName::Secrets,
            "The task definition references no secret, parameter or registry credentials.",
        );
    }
    let task = match facts.task.value() {
        Some(TaskLookup::Found { task }) => Some(task.as_ref()),
        _ => None,
    };
    let ctx = Context {
        region: facts.region.clone(),
        account: task.and_then(|t| account_of(&t.task_arn)),
        platform_version: task.and_then(|t| t.platform_version.clone()),
        fargate: task.is_some_and(is_fargate),
    };
    let mut findings = Vec::new();
    for r in &secrets.references {
        let who = r.containers.join(", ");
        let parsed = match Reference::parse(&r.value_from) {
            Ok(p) => p,
            Err(problem) => {
                findings.push(malformed(&r.value_from, &who, &problem));
                continue;
            }
        };
        findings.push(well_formed(&r.value_from, &who, &parsed, &ctx));
        findings.extend(target::check(r, &who, &parsed, &ctx));
        findings.extend(kms::check(r, &who, &ctx));
    }
    let findings = rank(findings, &stop_reason_text(task));
    let summary = summarise(secrets, &findings);
    StageResult::ran(StageName::Secrets, summary, findings)
}

/// What the checks need to know about the task.
pub(super) struct Context {
    /// The task's Region.
    pub region: String,
    /// The task's account.
    pub account: Option<String>,
    /// The task's platform version, when known.
    pub platform_version: Option<String>,
    /// Whether the task runs on Fargate.
    pub fargate: bool,
}

fn is_fargate(t: &TaskFacts) -> bool {
    t.launch_type.as_deref() == Some("FARGATE")
        || t.capacity_provider_name
            .as_deref()
            .is_some_and(|c| c.starts_with("FARGATE"))
}

/// The account of an ARN, to compare a key's or a secret's account with the task's.
pub(super) fn account_of(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// Whether a Fargate platform version is older than 1.4.0 (`LATEST` and unknown are not).
fn older_than_1_4(pv: &str) -> bool {
    let mut parts = pv.split('.').map(|p| p.parse::<u32>());
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) < (1, 4),
        _ => false,
    }
}

fn malformed(value_from: &str, who: &str, problem: &str) -> Finding {
    Finding::new(
        Code::SecretReferenceMalformed,
        Status::Fail,
        Severity::Critical,
        format!("The secret reference '{value_from}' of container(s) {who} is malformed: {problem}."),
    )
    .evidence("valueFrom", value_from)
    .evidence("containers", who)
    .evidence("problem", problem)
    .remediation(format!(
        "Correct '{value_from}' to a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<version-stage>:<version-id>], every colon kept when a later field is used, a version-id of 32 to 64 characters), an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) or a parameter name in the task's Region; then register a new task definition revision: aws ecs register-task-definition --cli-input-json file://<task-definition>.json"
    ))
}

fn well_formed(value_from: &str, who: &str, parsed: &Reference, ctx: &Context) -> Finding {
    let finding = |status, severity, title: String| {
        Finding::new(Code::SecretReferenceMalformed, status, severity, title)
            .evidence("valueFrom", value_from)
            .evidence("containers", who)
    };
    match parsed {
        Reference::Secret(s) if s.uses_extended_fields() => {
            let pv = ctx.platform_version.as_deref().unwrap_or("");
            if ctx.fargate && older_than_1_4(pv) {
                return finding(
                    Status::Fail,
                    Severity::Critical,
                    format!("The secret reference '{value_from}' of container(s) {who} uses a json-key or version field, which needs Fargate platform version 1.4.0 or later; the task ran on {pv}."),
                )
                .evidence("platformVersion", pv)
                .remediation("Run the task on platform version 1.4.0 or later (aws ecs run-task ... --platform-version LATEST, or update-service --platform-version LATEST), or reference the whole secret without the json-key and version fields.");
            }
            finding(
                Status::Pass,
                Severity::Info,
                format!(
                    "'{value_from}' is a well-formed Secrets Manager reference with json-key/version fields (these need Fargate platform version 1.4.0 or later, or ECS agent 1.37.0 or later on EC2)."
                ),
            )
        }
        Reference::Secret(s) if s.partial => finding(
            Status::Pass,
            Severity::Info,
            format!(
                "'{value_from}' is a well-formed partial Secrets Manager ARN (no 6-character suffix); it resolves as long as no other secret's name starts with '{}-' followed by 6 characters.",
                s.name
            ),
        ),
        Reference::Secret(_) => finding(
            Status::Pass,
            Severity::Info,
            format!("'{value_from}' is a well-formed Secrets Manager ARN."),
        ),
        Reference::ParameterArn { .. } => finding(
            Status::Pass,
            Severity::Info,
            format!("'{value_from}' is a well-formed SSM parameter ARN."),
        ),
        Reference::ParameterName { .. } => finding(
            Status::Pass,
            Severity::Info,
            format!(
                "'{value_from}' is a well-formed SSM parameter name (resolved in the task's Region, {}).",
                ctx.region
            ),
        ),
    }
}

fn stop_reason_text(task: Option<&TaskFacts>) -> String {
    let mut text = String::new();
    if let Some(task) = task {
        text.push_str(task.stopped_reason.as_deref().unwrap_or(""));
        for c in &task.containers {
            text.push(' ');
            text.push_str(c.reason.as_deref().unwrap_or(""));
        }
    }
    text.to_lowercase()
}

/// Which codes the stop reason points at first.
fn preferred_codes(reason: &str) -> &'static [Code] {
    use Code::*;
    let has = |words: &[&str]| words.iter().any(|w| reason.contains(w));
    if has(&["versionid", "minimum field size"]) {
        &[SecretReferenceMalformed]
    } else if has(&["invalid ssm parameters", "parameternotfound"]) {
        &[
            SsmParameterOtherRegionNeedsArn,
            SsmParameterNotFound,
            SecretReferenceMalformed,
        ]
    } else if has(&["marked for deletion", "scheduled for deletion"]) {
        &[SecretPendingDeletion, SecretNotFound]
    } else if has(&["kms", "decrypt"]) {
        &[KmsKeyNotUsable]
    } else if has(&[
        "resourcenotfoundexception",
        "can't find",
        "can\u{2019}t find",
    ]) {
        &[
            SecretNotFound,
            SecretPendingDeletion,
            SecretReferenceMalformed,
        ]
    } else {
        &[]
    }
}

/// Orders findings so the first FAIL best explains this stop reason: worst status first, then
/// a finding about a reference the reason names, then the codes the reason's wording points at.
fn rank(findings: Vec<Finding>, reason: &str) -> Vec<Finding> {
    const ORDER: &[Code] = &[
        Code::SecretReferenceMalformed,
        Code::SecretNotFound,
        Code::SecretPendingDeletion,
        Code::SsmParameterOtherRegionNeedsArn,
        Code::SsmParameterNotFound,
        Code::KmsKeyNotUsable,
    ];
    crate::judge::rank_by_reason(
        findings,
        reason,
        "valueFrom",
        preferred_codes(reason),
        ORDER,
    )
}

fn summarise(secrets: &SecretsFacts, findings: &[Finding]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for f in findings.iter().filter(|f| f.status == Status::Fail) {
        if !unique.contains(&f.title.as_str()) {
            unique.push(&f.title);
        }
    }
    let n = secrets.references.len();
    if !unique.is_empty() {
        unique.join(" ")
    } else if findings.iter().any(|f| f.status == Status::Unknown) {
        format!(
            "No secret problem found in {n} reference(s), but some checks could not be decided."
        )
    } else if findings.iter().any(|f| f.status == Status::Warn) {
        format!("Every reference ({n}) resolves, with warnings.")
    } else {
        format!("Every secret and parameter reference ({n}) resolves and its KMS key is usable.")
    }
}

/// Hostile Facts (issue 16): many containers and secret references, for the tests that count
/// each stage's work and for `benches/judge.rs`.
#[cfg(test)]
pub(crate) mod hostile;

#[cfg(test)]
mod tests;
