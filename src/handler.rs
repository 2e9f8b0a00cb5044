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

impl HandlerError {
    /// The message for the Lambda's error output and logs. A rejection may quote the event (a
    /// field's value, its detail-type, serde's "unknown variant" text): credentials in a
    /// presigned URL it carries are redacted, and escape sequences, C1 controls, bidi and
    /// zero-width characters are shown as visible escapes ([`crate::render::terminal_safe`]),
    /// so that a console or `aws logs tail` showing it is not driven by the event's sender.
    pub fn safe_message(&self) -> String {
        let redacted = crate::redact::redact(&self.to_string()).into_owned();
        crate::render::terminal_safe(&redacted).into_owned()
    }
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
        // A rejection may quote the event: see `safe_message`.
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: e.safe_message(),
        }
    }
}

/// Handles one invocation without publishing (the Automation and CLI shape of the answer).
pub async fn handle(engine: &Engine, event: Value) -> Result<Value, HandlerError> {
    handle_with(engine, None, None, event, None).await
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
            None,
        )
        .await
    }

    /// [`App::handle`] whose diagnosis or sweep returns by `deadline` (the Lambda's deadline
    /// minus the time to render and publish): what was not read by then shows as UNKNOWN,
    /// "timed out", and the report still goes out. `function_arn` (the Lambda context's
    /// invoked function ARN) names the account the function reads: a task of another account
    /// (an event forwarded from another account's bus, a pasted ARN) is refused with both
    /// accounts named, rather than diagnosed as "task not found".
    pub async fn handle_within(
        &self,
        event: Value,
        deadline: tokio::time::Instant,
        function_arn: &str,
    ) -> Result<Value, HandlerError> {
        if let Ok(Request::Diagnose(req)) = Request::from_value(event.clone())
            && let Ok(own) = crate::arn::Arn::parse(function_arn)
        {
            req.check_account(&own.account)?;
        }
        handle_with(
            &self.engine,
            self.publisher.as_ref(),
            Some(&self.recent),
            event,
            Some(deadline),
        )
        .await
    }
}

async fn handle_with(
    engine: &Engine,
    publisher: Option<&Publisher>,
    recent: Option<&RecentEvents>,
    event: Value,
    deadline: Option<tokio::time::Instant>,
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
            let diagnosis = match deadline {
                Some(d) => Box::pin(engine.diagnose_within(&req, d)).await?,
                None => Box::pin(engine.diagnose(&req)).await?,
            };
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
            let now = chrono::Utc::now();
            let summary = match deadline {
                Some(d) => Box::pin(engine.sweep_within(&sweep, now, d)).await?,
                None => Box::pin(engine.sweep(&sweep, now)).await?,
            };
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

/// The most an Automation step's output may hold: SSM Automation keeps about 200 KB of an
/// `aws:invokeLambdaFunction` step's payload, and a larger one fails the step (issue 7).
pub const AUTOMATION_PAYLOAD_MAX_BYTES: usize = 200 * 1024;

/// What [`automation_response`] aims for: the limit less a margin for what Lambda and SSM
/// wrap around the payload (`StatusCode`, `FunctionError`, the step's other outputs).
pub const AUTOMATION_PAYLOAD_BUDGET: usize = AUTOMATION_PAYLOAD_MAX_BYTES - 8 * 1024;

/// Where the whole report is when an Automation response had to be cut.
const FULL_REPORT_AT: &str = "`ecs-task-doctor diagnose --cluster <cluster> --task <task> --format json` prints the whole report, and the function's CloudWatch Logs hold it (the `report` field of the line that says the response was cut) when it fits one log event (256 KB).";

/// The largest report logged whole: CloudWatch Logs keeps at most 256 KB of one event.
const LOGGED_REPORT_MAX_BYTES: usize = 256 * 1024 - 1024;

/// The flat object an Automation step's output selectors read: for one stage, the stage
/// object itself with `status`, `summary` and `rootCause` at the top, plus
/// `applicableStages` (the stages the failure class points at) and the same list
/// comma-joined as `applicableStagesText`, which the document's `aws:branch` steps test
/// with `Contains` (documented for String variables; no stage name is part of another's);
/// for `all`, the report with `status` (the verdict) and its
/// Markdown rendering added, so the console shows a readable result. `rootCause` is `""`
/// rather than null, so a String output selector always resolves.
///
/// The answer always fits [`AUTOMATION_PAYLOAD_BUDGET`] when serialised: a report too large
/// for it (thousands of findings, long evidence, hostile stop reasons) is cut step by step,
/// least useful first (long evidence values, path hops, verified checks, long details,
/// findings past the first few, the Markdown's tail), and a `truncated` field (and, for
/// `all`, a last Markdown line) says what was cut and where the whole report is, which is
/// then written to the log. `status`, `summary`, `rootCause`, `verdict`, `applicableStages`
/// and `applicableStagesText` are never dropped.
pub fn automation_response(report: &Report, stage: StageSelection) -> Value {
    // The JSON alone first: the Markdown is about as large again, and rendering a report of
    // many megabytes only to measure it would cost seconds.
    let fits = |r: &Report, cuts: Option<&[String]>| {
        serialized_len(&automation_value(r, stage, cuts, false)) <= AUTOMATION_PAYLOAD_BUDGET
    };
    if fits(report, None) {
        let full = automation_value(report, stage, None, true);
        if serialized_len(&full) <= AUTOMATION_PAYLOAD_BUDGET {
            return full;
        }
    }
    let mut trimmed = report.clone();
    let mut cuts: Vec<String> = Vec::new();
    let mut fitted = None;
    for step in TRIM_STEPS {
        if let Some(what) = step(&mut trimmed) {
            cuts.push(what);
        }
        if !fits(&trimmed, Some(&cuts)) {
            continue;
        }
        let v = automation_value(&trimmed, stage, Some(&cuts), true);
        let done = serialized_len(&v) <= AUTOMATION_PAYLOAD_BUDGET;
        fitted = Some(v);
        if done {
            break;
        }
    }
    let mut value = fitted.unwrap_or_else(|| automation_value(&trimmed, stage, Some(&cuts), true));
    if let StageSelection::All = stage {
        fit_markdown(&mut value, &mut cuts);
    }
    // The last resort, for text no step above bounds (a stage summary of megabytes): every
    // string but the fields a selector reads is cut short.
    if serialized_len(&value) > AUTOMATION_PAYLOAD_BUDGET {
        let root = root_position(&trimmed);
        for (si, s) in trimmed.stages.iter_mut().enumerate() {
            let mut fi = 0;
            s.findings.retain(|_| {
                let keep = Some((si, fi)) == root;
                fi += 1;
                keep
            });
        }
        cuts.push("every finding but the root cause left out".into());
        cuts.push("every other text field cut to 200 characters".into());
        value = automation_value(&trimmed, stage, Some(&cuts), false);
        shorten_strings(&mut value, 200, &KEPT_WHOLE);
        if let StageSelection::All = stage {
            value["markdown"] = json!(format!(
                "{}\n\n{}",
                markdown_note(&cuts),
                shorten(&report.summary, 2000)
            ));
        }
        value["truncated"] = json!(truncation_note(&cuts));
        if serialized_len(&value) > AUTOMATION_PAYLOAD_BUDGET {
            value["summary"] = json!(shorten(&report.summary, 2000));
        }
    }
    match serde_json::to_string(report) {
        Ok(whole) if whole.len() <= LOGGED_REPORT_MAX_BYTES => tracing::info!(
            report = %whole,
            cut = %cuts.join("; "),
            "report (the Automation response was cut to fit its limit)"
        ),
        Ok(whole) => tracing::warn!(
            bytes = whole.len(),
            cut = %cuts.join("; "),
            "the Automation response was cut to fit its limit, and the report is too large for one log event"
        ),
        Err(e) => tracing::warn!(error = %e, "the whole report could not be logged"),
    }
    value
}

/// The answer's fields that are never cut: the ones the runbook's selectors and branches read.
const KEPT_WHOLE: [&str; 8] = [
    "status",
    "summary",
    "rootCause",
    "verdict",
    "applicableStages",
    "applicableStagesText",
    "truncated",
    "name",
];

/// Builds the answer for `stage` from `report`, with the `truncated` note when `cuts` is given.
fn automation_value(
    report: &Report,
    stage: StageSelection,
    cuts: Option<&[String]>,
    with_markdown: bool,
) -> Value {
    let root = report.root_cause.map(|c| c.as_str()).unwrap_or("");
    let applicable: Vec<&str> = report
        .task
        .failure_class
        .map(crate::judge::applicable_stages)
        .unwrap_or_default()
        .iter()
        .map(|s| s.as_str())
        .collect();
    let mut v = match stage {
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
            if with_markdown {
                let mut md = crate::render::markdown(report);
                if let Some(cuts) = cuts {
                    md.push_str("\n\n");
                    md.push_str(&markdown_note(cuts));
                    md.push('\n');
                }
                v["markdown"] = json!(md);
            } else {
                v["markdown"] = json!("");
            }
            v
        }
    };
    if let Some(cuts) = cuts {
        v["truncated"] = json!(truncation_note(cuts));
    }
    v
}

fn serialized_len(v: &Value) -> usize {
    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX)
}

fn truncation_note(cuts: &[String]) -> String {
    format!(
        "This answer was cut to fit the {} KB limit of an Automation step's output: {}. {FULL_REPORT_AT}",
        AUTOMATION_PAYLOAD_MAX_BYTES / 1024,
        cuts.join("; ")
    )
}

fn markdown_note(cuts: &[String]) -> String {
    format!("> **Truncated:** {}", truncation_note(cuts))
}

/// `s` cut to at most `max` characters, saying how many were cut.
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let kept: String = s.chars().take(max).collect();
    format!("{kept}… ({} characters cut)", n - max)
}

/// One way to make the report smaller: applies it and says what it cut, or `None` when it
/// had nothing to cut.
type TrimStep = fn(&mut Report) -> Option<String>;

/// The cuts, least useful first.
const TRIM_STEPS: [TrimStep; 6] = [
    |r| {
        let mut n = 0;
        for f in r.stages.iter_mut().flat_map(|s| s.findings.iter_mut()) {
            for v in f.evidence.values_mut() {
                let text = match &*v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if text.chars().count() > 256 {
                    *v = json!(shorten(&text, 256));
                    n += 1;
                }
            }
        }
        (n > 0).then(|| format!("{n} evidence values shortened to 256 characters"))
    },
    |r| {
        let n: usize = r.stages.iter().map(|s| s.paths.len()).sum();
        r.stages.iter_mut().for_each(|s| s.paths.clear());
        (n > 0).then(|| {
            format!("{n} network paths (hop by hop) left out; the findings name the blocking hop")
        })
    },
    |r| {
        let before: usize = r.stages.iter().map(|s| s.findings.len()).sum();
        r.stages.iter_mut().for_each(|s| {
            s.findings
                .retain(|f| f.status != crate::report::Status::Pass)
        });
        let n = before - r.stages.iter().map(|s| s.findings.len()).sum::<usize>();
        (n > 0).then(|| format!("{n} verified (PASS) findings left out"))
    },
    |r| {
        let mut n = 0;
        for f in r.stages.iter_mut().flat_map(|s| s.findings.iter_mut()) {
            for text in [&mut f.detail, &mut f.remediation, &mut f.title] {
                if text.chars().count() > 1000 {
                    *text = shorten(text, 1000);
                    n += 1;
                }
            }
        }
        (n > 0).then(|| format!("{n} details and remediations shortened to 1,000 characters"))
    },
    |r| {
        let root = root_position(r);
        let mut n = 0;
        for (si, s) in r.stages.iter_mut().enumerate() {
            let before = s.findings.len();
            let mut fi = 0;
            s.findings.retain(|_| {
                let keep = Some((si, fi)) == root || fi < 10;
                fi += 1;
                keep
            });
            n += before - s.findings.len();
        }
        (n > 0).then(|| format!("{n} findings past the first 10 of their stage left out"))
    },
    |r| {
        let mut n = 0;
        let t = &mut r.task;
        for text in [
            &mut t.stopped_reason,
            &mut t.arn,
            &mut t.cluster,
            &mut t.task_definition_arn,
        ]
        .into_iter()
        .flatten()
        {
            if text.chars().count() > 1000 {
                *text = shorten(text, 1000);
                n += 1;
            }
        }
        for s in &mut r.stages {
            if s.summary.chars().count() > 1000 {
                s.summary = shorten(&s.summary, 1000);
                n += 1;
            }
        }
        (n > 0)
            .then(|| format!("{n} task fields and stage summaries shortened to 1,000 characters"))
    },
];

/// Where the root-cause finding is (stage index, finding index): the first failing finding
/// with the root cause's code, as [`Report::root_finding`] picks it. Every cut keeps it.
fn root_position(r: &Report) -> Option<(usize, usize)> {
    let code = r.root_cause?;
    r.stages.iter().enumerate().find_map(|(si, s)| {
        s.findings
            .iter()
            .position(|f| f.code == code && f.status == crate::report::Status::Fail)
            .map(|fi| (si, fi))
    })
}

/// For `all`: when the answer is still too large, the Markdown keeps its head, cut at a line,
/// and ends with the note.
fn fit_markdown(value: &mut Value, cuts: &mut Vec<String>) {
    let size = serialized_len(value);
    if size <= AUTOMATION_PAYLOAD_BUDGET {
        return;
    }
    let Some(mut md) = value["markdown"].as_str().map(str::to_string) else {
        return;
    };
    // The note of the earlier cuts is replaced by one that names this cut too.
    if let Some(at) = md.rfind("\n\n> **Truncated:**") {
        md.truncate(at);
    }
    cuts.push("the Markdown's tail".into());
    let note = markdown_note(cuts);
    value["truncated"] = json!(truncation_note(cuts));
    value["markdown"] = json!("");
    // JSON escaping can make the Markdown longer in the answer than in bytes; room is
    // measured on the answer itself, with the note's own (escaped) size reserved.
    let room = AUTOMATION_PAYLOAD_BUDGET
        .saturating_sub(serialized_len(value))
        .saturating_sub(serialized_len(&json!(note)) + 16);
    let mut head = String::new();
    let mut used = 0;
    for line in md.split_inclusive('\n') {
        let cost = serialized_len(&json!(line)).saturating_sub(2);
        if used + cost > room {
            break;
        }
        used += cost;
        head.push_str(line);
    }
    value["markdown"] = json!(format!("{head}\n\n{note}\n"));
}

/// Cuts every string in `v` to `max` characters, except under the keys in `keep`.
fn shorten_strings(v: &mut Value, max: usize, keep: &[&str]) {
    match v {
        Value::String(s) if s.chars().count() > max => *s = shorten(s, max),
        Value::Array(items) => items.iter_mut().for_each(|i| shorten_strings(i, max, keep)),
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if !keep.contains(&k.as_str()) {
                    shorten_strings(item, max, keep);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;
    use crate::report::{
        FailureClass, Finding, Hop, PathView, SCHEMA_VERSION, Severity, StageResult, Status,
        TaskSummary,
    };
    use crate::stage::StageName;

    /// A report far over the limit: 600 network findings with long evidence and details,
    /// 200 paths of 20 hops, passing checks, and a long stop reason.
    fn huge_report(stage_summary: String) -> Report {
        let long = "x".repeat(1000);
        let findings: Vec<Finding> = (0..600)
            .map(|i| {
                let status = if i % 3 == 0 {
                    Status::Pass
                } else {
                    Status::Fail
                };
                Finding::new(
                    Code::NetSgEgressBlocked,
                    status,
                    Severity::Critical,
                    format!("rule {i}: {long}"),
                )
                .evidence("securityGroupId", format!("sg-{i:017x}"))
                .evidence("description", long.clone())
                .remediation(long.clone())
            })
            .collect();
        let root = Finding::new(
            Code::NetSgEgressS3PrefixListMissing,
            Status::Fail,
            Severity::Critical,
            "the root cause",
        )
        .remediation("aws ec2 authorize-security-group-egress ...");
        let mut network = StageResult::ran(
            StageName::Network,
            stage_summary,
            [findings, vec![root]].concat(),
        );
        network.paths = (0..200)
            .map(|p| PathView {
                destination: format!("destination {p}"),
                why: "layers".into(),
                via: "gateway endpoint vpce-1".into(),
                status: Status::Fail,
                hops: (0..20)
                    .map(|h| Hop {
                        layer: "sg-egress".into(),
                        status: Status::Fail,
                        detail: format!("hop {h} {long}"),
                        code: None,
                    })
                    .collect(),
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION.into(),
            task: TaskSummary {
                arn: Some("arn:aws:ecs:us-east-1:111122223333:task/prod/0123".into()),
                stopped_reason: Some(long.repeat(10)),
                failure_class: Some(FailureClass::ImagePullNetwork),
                ..TaskSummary::default()
            },
            verdict: Status::Fail,
            root_cause: Some(Code::NetSgEgressS3PrefixListMissing),
            summary: "The task security group does not allow HTTPS to the S3 prefix list".into(),
            stages: vec![network],
        }
    }

    fn size(v: &Value) -> usize {
        serde_json::to_vec(v).unwrap().len()
    }

    fn assert_kept(v: &Value, report: &Report) {
        assert_eq!(v["status"], json!(Status::Fail));
        assert_eq!(v["verdict"], json!(report.verdict));
        assert_eq!(
            v["rootCause"],
            json!("NET_SG_EGRESS_S3_PREFIX_LIST_MISSING")
        );
        assert!(
            v["applicableStages"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        );
        assert!(
            v["applicableStagesText"]
                .as_str()
                .unwrap()
                .contains("network")
        );
        assert!(v["summary"].as_str().is_some_and(|s| !s.is_empty()));
        let note = v["truncated"].as_str().expect("a truncation note");
        assert!(
            note.contains("200 KB") && note.contains("CloudWatch Logs"),
            "{note}"
        );
    }

    #[test]
    fn a_huge_stage_is_cut_to_the_limit_with_a_note() {
        let report = huge_report("Egress is blocked.".into());
        assert!(size(&serde_json::to_value(&report).unwrap()) > 5 * AUTOMATION_PAYLOAD_MAX_BYTES);
        let v = automation_response(&report, StageSelection::One(StageName::Network));
        assert!(size(&v) <= AUTOMATION_PAYLOAD_BUDGET, "{}", size(&v));
        assert_kept(&v, &report);
        assert_eq!(v["summary"], json!("Egress is blocked."));
        assert_eq!(v["name"], json!("network"));
        let note = v["truncated"].as_str().unwrap();
        assert!(note.contains("evidence values shortened"), "{note}");
        // The root cause survives every cut.
        let findings = v["findings"].as_array().unwrap();
        assert!(
            findings
                .iter()
                .any(|f| f["code"] == json!("NET_SG_EGRESS_S3_PREFIX_LIST_MISSING")),
            "{findings:?}"
        );
    }

    #[test]
    fn a_huge_report_for_all_keeps_markdown_with_a_last_line() {
        let report = huge_report("Egress is blocked.".into());
        let v = automation_response(&report, StageSelection::All);
        assert!(size(&v) <= AUTOMATION_PAYLOAD_BUDGET, "{}", size(&v));
        assert_kept(&v, &report);
        let md = v["markdown"].as_str().unwrap();
        assert!(md.starts_with("## ecs-task-doctor: FAIL"), "{}", &md[..200]);
        assert!(
            md.trim_end()
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("> **Truncated:**")),
            "{}",
            &md[md.len().saturating_sub(500)..]
        );
    }

    #[test]
    fn text_no_step_bounds_is_cut_last() {
        // A stage summary of 1 MB (hostile text copied into it) and one of 300 KB.
        for n in [1 << 20, 300 * 1024] {
            let report = huge_report("s".repeat(n));
            for stage in [StageSelection::All, StageSelection::One(StageName::Network)] {
                let v = automation_response(&report, stage);
                assert!(
                    size(&v) <= AUTOMATION_PAYLOAD_BUDGET,
                    "{n} {stage:?}: {}",
                    size(&v)
                );
                assert_kept(&v, &report);
            }
        }
    }

    #[test]
    fn a_report_that_fits_is_not_touched() {
        let mut report = huge_report("Egress is blocked.".into());
        report.stages[0].findings.truncate(3);
        report.stages[0].paths.truncate(1);
        report.task.stopped_reason = Some("CannotPullContainerError".into());
        for stage in [StageSelection::All, StageSelection::One(StageName::Network)] {
            let v = automation_response(&report, stage);
            assert!(v.get("truncated").is_none(), "{v}");
            assert_eq!(v, automation_value(&report, stage, None, true));
        }
        let all = automation_response(&report, StageSelection::All);
        assert_eq!(all["markdown"], json!(crate::render::markdown(&report)));
    }
}

#[cfg(test)]
mod account_tests {
    use super::*;

    fn app() -> App {
        let conf = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        App::new(Engine::new(&conf).unwrap(), None)
    }

    #[tokio::test]
    async fn a_task_of_another_account_is_refused_naming_both_accounts() {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        let event = json!({
            "ClusterName": "payments",
            "TaskId": "arn:aws:ecs:us-east-1:999988887777:task/payments/4b1d7c0e9a2f4e63b8d5a7c91e0f3b62",
            "Stage": "task"
        });
        let err = app()
            .handle_within(
                event,
                deadline,
                "arn:aws:lambda:us-east-1:123456789012:function:ecs-task-doctor",
            )
            .await
            .unwrap_err();
        let d: Diagnostic = err.into();
        assert_eq!(d.error_type, "InvalidEvent");
        assert!(
            d.error_message.contains("999988887777") && d.error_message.contains("123456789012"),
            "{}",
            d.error_message
        );
    }

    /// A rejected event may be quoted in the error (here a task ID that is a presigned URL):
    /// the credential never reaches the Lambda's error output.
    #[test]
    fn a_rejection_quoting_a_credential_is_redacted() {
        let event = json!({
            "ClusterName": "payments",
            "TaskId": "https://b.s3.amazonaws.com/x?X-Amz-Signature=deadbeefcafe1234",
            "Stage": "task"
        });
        let err = crate::request::Request::from_value(event).unwrap_err();
        assert!(err.to_string().contains("deadbeefcafe1234"), "{err}");
        let d: Diagnostic = HandlerError::from(err).into();
        assert_eq!(d.error_type, "InvalidEvent");
        assert!(
            !d.error_message.contains("deadbeefcafe1234"),
            "{}",
            d.error_message
        );
    }

    /// A rejected event's detail-type is quoted in the error: its escape sequences, C1,
    /// bidi and zero-width characters reach the Lambda's error output only as visible text.
    #[test]
    fn a_rejection_quoting_escape_sequences_is_terminal_safe() {
        let hostile = "\u{1b}[2J All checks PASSED \u{1b}[8m \u{9b}2J \u{202e}\u{2066}\u{200e}\u{61c}\u{200b}\u{2060}\u{feff}";
        let event = json!({
            "version": "0", "id": "e", "detail-type": hostile, "source": "aws.ecs",
            "account": "123456789012", "region": "us-east-1", "time": "2026-11-27T10:00:59Z",
            "resources": [], "detail": {}
        });
        let err = crate::request::Request::from_value(event).unwrap_err();
        assert!(err.to_string().contains(hostile), "{err}");
        let d: Diagnostic = HandlerError::from(err).into();
        for c in [
            '\u{1b}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200e}', '\u{61c}', '\u{200b}',
            '\u{2060}', '\u{feff}',
        ] {
            assert!(!d.error_message.contains(c), "{:?}", d.error_message);
        }
        assert!(
            d.error_message.contains("\\x1b[2J All checks PASSED")
                && d.error_message.contains("\\u{202e}"),
            "{}",
            d.error_message
        );
    }
}
