//! The `image` stage: are the images valid, present, and pullable in principle?
//!
//! For each distinct image of the task: does the reference parse (the runtime's grammar,
//! [`crate::image_ref`]); for a private ECR image in the task's Region, do the repository, the
//! tag and the digest exist, and does the repository policy let the pulling principal pull
//! (`ecr.rs`); for any other registry, is there an internet path to it, as the network stage
//! found (`registry.rs`). Then each `repositoryCredentials` secret must exist. Every check
//! reports PASS as well as FAIL; a fact that could not be read is UNKNOWN, never PASS.

mod ecr;
mod registry;

use crate::codes::Code;
use crate::facts::{Facts, ImageFacts, Readable, TaskFacts, TaskLookup};
use crate::image_ref::{ImageRef, RegistryKind};
use crate::report::{Finding, Severity, StageResult, Status};
use crate::stage::StageName;

/// Judges the image facts.
pub fn judge(facts: &Facts) -> StageResult {
    let Some(image) = &facts.image else {
        return StageResult::skipped(
            StageName::Image,
            "The image facts were not collected (an older snapshot, or a task that is not stopped).",
        );
    };
    let task = match facts.task.value() {
        Some(TaskLookup::Found { task }) => Some(task.as_ref()),
        _ => None,
    };
    let mut findings = Vec::new();
    if image.images.is_empty() {
        findings.push(no_images(facts));
    }
    let paths = registry::Paths::new(facts);
    let puller = ecr::Puller::of(facts, task);
    for lookup in &image.images {
        let containers = lookup.containers.join(", ");
        let r = match ImageRef::parse(&lookup.image) {
            Ok(r) => r,
            Err(e) => {
                findings.push(
                    Finding::new(
                        Code::ImgReferenceInvalid,
                        Status::Fail,
                        Severity::Critical,
                        format!("The image of container(s) {containers} does not parse: {}.", e.problem),
                    )
                    .evidence("image", lookup.image.as_str())
                    .evidence("containers", lookup.containers.clone())
                    .evidence("problem", e.problem.as_str())
                    .remediation(format!(
                        "Correct the image of container(s) {containers} to the form [registry/]repository[:tag][@sha256:<64 hex>] (lower-case repository, no spaces), then register a new task definition revision with it: aws ecs register-task-definition --cli-input-json file://<task-definition>.json"
                    )),
                );
                continue;
            }
        };
        findings.push(
            Finding::new(
                Code::ImgReferenceInvalid,
                Status::Pass,
                Severity::Info,
                format!("'{}' is a valid image reference ({}).", lookup.image, r),
            )
            .evidence("image", lookup.image.as_str())
            .evidence("containers", lookup.containers.clone()),
        );
        match r.registry_kind() {
            RegistryKind::Ecr(e) if e.region == facts.region => {
                findings.extend(ecr::same_region(lookup, &r, &e, &facts.region, &puller));
            }
            RegistryKind::Ecr(e) => findings.push(registry::cross_region(
                lookup,
                &r,
                &e,
                &facts.region,
                &paths,
            )),
            kind => findings.push(registry::needs_internet(
                lookup,
                &r,
                &kind,
                &facts.region,
                &paths,
            )),
        }
    }
    findings.extend(registry::credentials(image, &facts.region));
    let findings = rank(findings, &stop_reason_text(task));
    let summary = summarise(image, &findings);
    StageResult::ran(StageName::Image, summary, findings)
}

fn no_images(facts: &Facts) -> Finding {
    match &facts.task_definition {
        Some(Readable::Unreadable(u)) => super::unreadable_finding(
            Code::ImgReferenceInvalid,
            Severity::Medium,
            "The task definition",
            u,
            "The task's images are not known.",
        ),
        _ => Finding::new(
            Code::ImgReferenceInvalid,
            Status::Unknown,
            Severity::Medium,
            "No container image is known for this task (no task definition, and no image in the task's containers).",
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
    if has(&["registry auth", "asm", "secrets manager"]) && !has(&["ecr registry auth"]) {
        &[ImgRegistryCredentialsMissing]
    } else if has(&[
        "403",
        "forbidden",
        "denied",
        "not authorized",
        "unauthorized",
    ]) {
        &[ImgRepoPolicyDenies, ImgRegistryCredentialsMissing]
    } else if has(&["not found", "404", "manifest unknown", "does not exist"]) {
        &[
            ImgReferenceInvalid,
            ImgRepositoryNotFound,
            ImgDigestNotFound,
            ImgTagNotFound,
        ]
    } else if has(&["timeout", "timed out", "canceled", "cancelled", "dial tcp"]) {
        &[ImgPublicRegistryNeedsInternet, ImgCrossRegionRegistry]
    } else {
        &[]
    }
}

/// Orders findings so the first FAIL is the best explanation of this stop reason: worst
/// status first, then a finding about an image the reason names, then the codes the reason's
/// wording points at, then the most specific code.
fn rank(findings: Vec<Finding>, reason: &str) -> Vec<Finding> {
    const ORDER: &[Code] = &[
        Code::ImgReferenceInvalid,
        Code::ImgRepositoryNotFound,
        Code::ImgDigestNotFound,
        Code::ImgTagNotFound,
        Code::ImgRegistryCredentialsMissing,
        Code::ImgRepoPolicyDenies,
        Code::ImgCrossRegionRegistry,
        Code::ImgPublicRegistryNeedsInternet,
    ];
    crate::judge::rank_by_reason(findings, reason, "image", preferred_codes(reason), ORDER)
}

fn summarise(image: &ImageFacts, findings: &[Finding]) -> String {
    let fails: Vec<String> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.title.clone())
        .collect();
    let mut unique: Vec<String> = Vec::new();
    for t in fails {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    let n = image.images.len();
    if !unique.is_empty() {
        format!("{}.", unique.join("; "))
    } else if findings.iter().any(|f| f.status == Status::Unknown) {
        format!("No image problem found in {n} image(s), but some checks could not be decided.")
    } else {
        format!("Every image ({n}) is valid, present and pullable in principle.")
    }
}

#[cfg(test)]
mod tests;
