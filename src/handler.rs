//! The Lambda handler's logic, kept here so tests call it without a Lambda runtime.
//!
//! The event's shape selects the mode (DESIGN §1); the answer's shape follows the caller:
//! an Automation step gets the stage object flat (so `$.Payload.status` works), an
//! EventBridge rule gets the whole report.

use lambda_runtime::Diagnostic;
use serde_json::{Value, json};

use crate::engine::{Engine, EngineError};
use crate::report::Report;
use crate::request::{Caller, Request, RequestError};
use crate::stage::StageSelection;

/// Why an invocation produced no report. Each variant has its own Lambda `errorType`.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is malformed or of an unknown shape.
    #[error(transparent)]
    InvalidEvent(#[from] RequestError),
    /// The engine could not run (no Region configured).
    #[error(transparent)]
    Engine(EngineError),
}

impl From<EngineError> for HandlerError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Request(r) => HandlerError::InvalidEvent(r),
            other => HandlerError::Engine(other),
        }
    }
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Diagnostic {
        let error_type = match &e {
            HandlerError::InvalidEvent(_) => "InvalidEvent",
            HandlerError::Engine(EngineError::NoRegion) => "NoRegion",
            HandlerError::Engine(EngineError::Request(_)) => "InvalidEvent",
        };
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: e.to_string(),
        }
    }
}

/// Handles one invocation.
pub async fn handle(engine: &Engine, event: Value) -> Result<Value, HandlerError> {
    match Request::from_value(event)? {
        Request::Diagnose(req) => {
            let diagnosis = engine.diagnose(&req).await?;
            tracing::info!(
                task = diagnosis.report.task.arn.as_deref().unwrap_or(""),
                verdict = %diagnosis.report.verdict,
                root_cause = diagnosis.report.root_cause.map(|c| c.as_str()).unwrap_or(""),
                "diagnosed"
            );
            Ok(match req.caller {
                Caller::Automation => automation_response(&diagnosis.report, req.stage),
                Caller::EventBridge | Caller::Cli => {
                    serde_json::to_value(&diagnosis.report).expect("reports serialise")
                }
            })
        }
        Request::Sweep(sweep) => {
            let summary = engine.sweep(&sweep, chrono::Utc::now()).await?;
            tracing::info!(groups = summary.groups.len(), status = %summary.status, "swept");
            Ok(serde_json::to_value(&summary).expect("summaries serialise"))
        }
    }
}

/// The flat object an Automation step's output selectors read: for one stage, the stage
/// object itself with `status`, `summary` and `rootCause` at the top; for `all`, the
/// report with `status` (the verdict) added. `rootCause` is `""` rather than null, so a
/// String output selector always resolves.
pub fn automation_response(report: &Report, stage: StageSelection) -> Value {
    let root = report.root_cause.map(|c| c.as_str()).unwrap_or("");
    match stage {
        StageSelection::One(name) => {
            let s = report
                .stages
                .iter()
                .find(|s| s.name == name)
                .expect("the selected stage is always in the report");
            json!({
                "name": s.name,
                "status": s.status,
                "summary": s.summary,
                "rootCause": root,
                "verdict": report.verdict,
                "failureClass": report.task.failure_class,
                "findings": s.findings,
                "paths": s.paths,
                "task": report.task,
            })
        }
        StageSelection::All => {
            let mut v = serde_json::to_value(report).expect("reports serialise");
            v["status"] = json!(report.verdict);
            v["rootCause"] = json!(root);
            v
        }
    }
}
