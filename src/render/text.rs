//! Plain text: the verdict first, then each stage and its findings.

use std::fmt::Write;

use crate::report::{Finding, Report, Status};

/// Evidence longer than this is shortened in text (the JSON report keeps it whole).
const EVIDENCE_WIDTH: usize = 160;

fn value_text(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > EVIDENCE_WIDTH {
        let cut: String = s.chars().take(EVIDENCE_WIDTH).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(out, "  {:<7} {}  {}", f.status.as_str(), f.code, f.title);
    for line in f.detail.lines() {
        let _ = writeln!(out, "          {line}");
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "          evidence:");
        for (k, v) in &f.evidence {
            let _ = writeln!(out, "            {k}: {}", value_text(v));
        }
    }
    if !f.remediation.is_empty() && f.status != Status::Pass {
        let _ = writeln!(out, "          fix: {}", f.remediation);
    }
}

/// The report for a terminal.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let t = &r.task;
    let _ = writeln!(
        out,
        "ecs-task-doctor: {}",
        t.arn.as_deref().unwrap_or("(unknown task)")
    );
    if let Some(reason) = &t.stopped_reason {
        let _ = writeln!(out, "stopped reason: {reason}");
    }
    let mut line = format!("verdict: {}", r.verdict);
    if let Some(c) = &t.failure_class {
        let _ = write!(line, "   failure class: {c}");
    }
    if let Some(rc) = r.root_cause {
        let _ = write!(line, "   root cause: {rc}");
    }
    let _ = writeln!(out, "{line}");
    let _ = writeln!(out, "{}", r.summary);
    for s in &r.stages {
        let _ = writeln!(out);
        let _ = writeln!(out, "[{}] {} - {}", s.name, s.status, s.summary);
        for f in &s.findings {
            finding(&mut out, f);
        }
    }
    if let Some(rc) = r.root_cause {
        let _ = writeln!(out);
        let _ = writeln!(out, "more: ecs-task-doctor explain {rc}");
    }
    out
}
