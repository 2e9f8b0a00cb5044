//! The Lambda handler's logic, kept here so tests call it without a Lambda runtime.
//!
//! The event's shape selects the mode (DESIGN §1); the answer's shape follows the caller:
//! an Automation step gets the stage object flat (so `$.Payload.status` works), an
//! EventBridge rule gets the whole report.

use lambda_runtime::Diagnostic;
use serde_json::{Value, json};

use crate::engine::{Engine, EngineError};
use crate::publish::Publisher;
use crate::publish::dedupe::RecentEvents;
use crate::report::Report;
use crate::request::{Caller, Request, RequestError, Target};
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

/// Handles one invocation without publishing (the Automation and CLI shape of the answer).
pub async fn handle(engine: &Engine, event: Value) -> Result<Value, HandlerError> {
    handle_with(engine, None, None, event).await
}

/// The deployed function: the engine, where reports go, and the events this container has
/// already handled. Built once per container by `bootstrap`.
#[derive(Debug)]
pub struct App {
    engine: Engine,
    publisher: Option<Publisher>,
    recent: RecentEvents,
}

impl App {
    /// The function with a publisher (None, or one with no destination: nothing is published).
    pub fn new(engine: Engine, publisher: Option<Publisher>) -> App {
        App {
            engine,
            publisher: publisher.filter(|p| p.destinations().any()),
            recent: RecentEvents::default(),
        }
    }

    /// Handles one invocation: diagnoses, and for an EventBridge event or a sweep, publishes.
    /// A repeated delivery of an event already handled here returns a short note instead.
    pub async fn handle(&self, event: Value) -> Result<Value, HandlerError> {
        handle_with(
            &self.engine,
            self.publisher.as_ref(),
            Some(&self.recent),
            event,
        )
        .await
    }
}

async fn handle_with(
    engine: &Engine,
    publisher: Option<&Publisher>,
    recent: Option<&RecentEvents>,
    event: Value,
) -> Result<Value, HandlerError> {
    match Request::from_value(event)? {
        Request::Diagnose(req) => {
            let version = match &req.target {
                Target::Event(e) => e.detail.version.map(|v| (e.detail.task_arn.clone(), v)),
                Target::Lookup { .. } => None,
            };
            if let (Some(recent), Some((task, v))) = (recent, &version)
                && !recent.first_time(task, *v)
            {
                tracing::info!(task = %task, version = v, "duplicate delivery: already handled");
                return Ok(json!({"duplicate": true, "taskArn": task, "version": v}));
            }
            // Boxed: the engine's future is deep (every stage's reads joined), and nesting it
            // in the runtime's future would overflow the compiler's layout depth limit.
            let diagnosis = Box::pin(engine.diagnose(&req)).await?;
            tracing::info!(
                task = diagnosis.report.task.arn.as_deref().unwrap_or(""),
                verdict = %diagnosis.report.verdict,
                root_cause = diagnosis.report.root_cause.map(|c| c.as_str()).unwrap_or(""),
                "diagnosed"
            );
            Ok(match req.caller {
                Caller::Automation => automation_response(&diagnosis.report, req.stage),
                Caller::EventBridge | Caller::Cli => {
                    let report =
                        serde_json::to_value(&diagnosis.report).expect("reports serialise");
                    if let Some(p) = publisher {
                        // The report is in the log whatever happens to the publish.
                        tracing::info!(report = %report, "report");
                        let published = p
                            .publish_report(
                                &diagnosis.report,
                                &diagnosis.facts,
                                version.map(|v| v.1),
                            )
                            .await;
                        tracing::info!(published = %json!(published), "published");
                    }
                    report
                }
            })
        }
        Request::Sweep(sweep) => {
            let summary = Box::pin(engine.sweep(&sweep, chrono::Utc::now())).await?;
            tracing::info!(groups = summary.groups.len(), status = %summary.status, "swept");
            let value = serde_json::to_value(&summary).expect("summaries serialise");
            if let Some(p) = publisher {
                tracing::info!(summary = %value, "sweep summary");
                let published = p.publish_sweep(&summary).await;
                tracing::info!(published = %json!(published), "published");
            }
            Ok(value)
        }
    }
}

/// The flat object an Automation step's output selectors read: for one stage, the stage
/// object itself with `status`, `summary` and `rootCause` at the top, plus
/// `applicableStages` (the stages the failure class points at) and the same list
/// comma-joined as `applicableStagesText`, which the document's `aws:branch` steps test
/// with `Contains` (documented for String variables; no stage name is part of another's);
/// for `all`, the report with `status` (the verdict) and its
/// Markdown rendering added, so the console shows a readable result. `rootCause` is `""`
/// rather than null, so a String output selector always resolves.
pub fn automation_response(report: &Report, stage: StageSelection) -> Value {
    let root = report.root_cause.map(|c| c.as_str()).unwrap_or("");
    let applicable: Vec<&str> = report
        .task
        .failure_class
        .map(crate::judge::applicable_stages)
        .unwrap_or_default()
        .iter()
        .map(|s| s.as_str())
        .collect();
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
                "applicableStages": applicable,
                "applicableStagesText": applicable.join(","),
                "findings": s.findings,
                "paths": s.paths,
                "task": report.task,
            })
        }
        StageSelection::All => {
            let mut v = serde_json::to_value(report).expect("reports serialise");
            v["status"] = json!(report.verdict);
            v["rootCause"] = json!(root);
            v["applicableStages"] = json!(applicable);
            v["applicableStagesText"] = json!(applicable.join(","));
            v["markdown"] = json!(crate::render::markdown(report));
            v
        }
    }
}
