//! Plain text: the verdict first, then each stage and its findings.

use std::fmt::Write;

use crate::report::{Finding, PathView, Report, Status};

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

/// A network path, hop by hop, with the first blocking hop marked.
fn path(out: &mut String, p: &PathView) {
    if p.status == Status::Pass {
        let _ = writeln!(
            out,
            "  path to {} via {}: PASS ({} hops verified)",
            p.destination,
            p.via,
            p.hops.len()
        );
        return;
    }
    let _ = writeln!(
        out,
        "  path to {} via {}: {}  ({})",
        p.destination, p.via, p.status, p.why
    );
    let mut marked = false;
    for h in &p.hops {
        let mark = if h.status == Status::Fail && !marked {
            marked = true;
            "   <-- blocked here"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {:<7} {:<12} {}{mark}",
            h.status.as_str(),
            h.layer,
            h.detail
        );
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
    // What broke, where, and the change that fixes it, before any detail.
    if let Some(f) = r.root_finding().filter(|f| !f.remediation.is_empty()) {
        let _ = writeln!(out);
        let _ = writeln!(out, "ROOT CAUSE  {}: {}", f.code, f.title);
        for line in f.detail.lines() {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "FIX");
        for line in f.remediation.lines() {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(doc) = f.docs.first() {
            let _ = writeln!(out, "DOCS  {doc}");
        }
    }
    for s in &r.stages {
        let _ = writeln!(out);
        let _ = writeln!(out, "[{}] {} - {}", s.name, s.status, s.summary);
        for p in &s.paths {
            path(&mut out, p);
        }
        for f in s.findings.iter().filter(|f| f.status != Status::Pass) {
            finding(&mut out, f);
        }
        let passed: Vec<String> = s
            .findings
            .iter()
            .filter(|f| f.status == Status::Pass)
            .map(|f| f.code.to_string())
            .collect();
        if !passed.is_empty() {
            // Verified checks, one line: their titles name the failure, not the pass.
            let _ = writeln!(out, "  verified: {}", passed.join(", "));
        }
    }
    if let Some(rc) = r.root_cause {
        let _ = writeln!(out);
        let _ = writeln!(out, "more: ecs-task-doctor explain {rc}");
    }
    out
}
