//! The parsers under fuzzing, compiled from the main crate's own source files.
//!
//! Why not depend on `ecs-task-doctor`: its AWS SDK crates would take many minutes to build
//! with fuzzing instrumentation, and none of the parsers needs them. Each module below is the
//! repository's file itself (`#[path]`), so the fuzzers test exactly the shipped code; the
//! module names match the main crate's so that their `crate::…` paths resolve here too.

#![allow(dead_code, unused_imports)]

/// ARNs, cluster and task references: the `arn` target.
#[path = "../../src/arn.rs"]
pub mod arn;
/// Finding codes, which the task stage names.
#[path = "../../src/codes/mod.rs"]
pub mod codes;
/// The EventBridge task-state-change detail, which the request parser reads.
#[path = "../../src/event.rs"]
pub mod event;
/// Facts, which the task stage and the event conversion build.
#[path = "../../src/facts/mod.rs"]
pub mod facts;
/// Credential redaction, which the event conversion and the stop-reason catalogue call.
#[path = "../../src/redact.rs"]
pub mod redact;
/// Image references: the `image_ref` target.
#[path = "../../src/image_ref.rs"]
pub mod image_ref;
/// The report types the task stage returns.
#[path = "../../src/report.rs"]
pub mod report;
/// The four callers' events: the `request` target.
#[path = "../../src/request.rs"]
pub mod request;
/// Stage names, which requests and reports carry.
#[path = "../../src/stage.rs"]
pub mod stage;

/// CIDR, address and port parsing (`src/judge/network/cidr.rs`).
#[path = "../../src/judge/network/cidr.rs"]
pub mod cidr;
/// The IAM policy evaluator (`src/judge/policy/`).
#[path = "../../src/judge/policy/mod.rs"]
pub mod policy;
/// `valueFrom` references (`src/judge/secrets/reference.rs`).
#[path = "../../src/judge/secrets/reference.rs"]
pub mod reference;
/// The task stage and its stop-reason catalogue (`src/judge/task/`).
#[path = "../../src/judge/task/mod.rs"]
pub mod task;

/// Stands in for `src/judge/mod.rs`'s helper of the same name, which the task stage calls
/// as `super::unreadable_finding` (its parent is this crate's root here) and which needs
/// the whole judge: the fuzz targets only build Facts whose reads succeeded, so it never
/// runs under fuzzing.
pub(crate) fn unreadable_finding(
    code: crate::codes::Code,
    severity: crate::report::Severity,
    what: &str,
    u: &crate::facts::Unreadable,
    _consequence: &str,
) -> crate::report::Finding {
    crate::report::Finding::new(
        code,
        crate::report::Status::Unknown,
        severity,
        format!(
            "{what} could not be read: {} returned {}",
            u.api, u.error_code
        ),
    )
}

/// Stands in for `src/judge/changes.rs`, which the task stage calls as `super::changes` and
/// which needs the whole judge: the real `finding` answers `None` when the facts hold no
/// CloudTrail changes, and the fuzz targets never build Facts with any.
pub(crate) mod changes {
    /// What changed since the failure: nothing, as the fuzz targets' Facts have no changes.
    pub(crate) fn finding(_facts: &crate::facts::Facts) -> Option<crate::report::Finding> {
        None
    }
}
