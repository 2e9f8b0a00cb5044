//! Plain text: the verdict first, then each stage and its findings.
//!
//! Names, tags, descriptions and stop reasons come from the account, so anyone who can name
//! a resource or make a task fail can put text in this report. Every such string goes
//! through [`terminal_safe`] before it reaches the terminal: no escape sequence (colours,
//! cursor moves, OSC 8 hyperlinks, title changes), bell, carriage-return overwrite or bidi
//! override survives. The only line breaks are the renderer's own.

use std::borrow::Cow;
use std::fmt::Write;

use crate::report::{Finding, PathView, Report, Status};

/// Evidence longer than this is shortened in text (the JSON report keeps it whole).
const EVIDENCE_WIDTH: usize = 160;

/// Whether `c` is an invisible Unicode format character that reorders or hides text:
/// bidi embeddings, overrides and isolates (the "Trojan Source" characters), the Arabic
/// letter mark, zero-width characters, line and paragraph separators, the BOM.
pub(crate) fn is_deceptive_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// One line of account-controlled text made safe for a terminal, because a stop reason or
/// a security group description can carry escape sequences that recolour the screen, hide
/// text, plant a clickable OSC 8 link, overwrite a line with `\r` or reorder it with a
/// bidi override. Every control character (C0 including ESC, BEL, CR and LF; DEL; C1) and
/// every [`is_deceptive_format`] character is shown as a visible escape (`\x1b`,
/// `\u{202e}`) instead, so the reader sees that something was there; a tab becomes a space.
/// Text without any is returned as is.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || is_deceptive_format(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if (c as u32) < 0x100 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || is_deceptive_format(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Multi-line text the judge wrote (details, remediations), for an indented block: split at
/// its own line breaks, each line made [`terminal_safe`]. An injected line break therefore
/// starts another indented line of the same block, never a line of the renderer's own.
fn safe_lines(s: &str) -> impl Iterator<Item = Cow<'_, str>> {
    s.lines().map(terminal_safe)
}

fn value_text(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => terminal_safe(s).into_owned(),
        other => terminal_safe(&other.to_string()).into_owned(),
    };
    let n = s.chars().count();
    if n > EVIDENCE_WIDTH {
        let cut: String = s.chars().take(EVIDENCE_WIDTH).collect();
        format!(
            "{cut}… ({} more characters in the JSON report)",
            n - EVIDENCE_WIDTH
        )
    } else {
        s
    }
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "  {:<7} {}  {}",
        f.status.as_str(),
        f.code,
        terminal_safe(&f.title)
    );
    for line in safe_lines(&f.detail) {
        let _ = writeln!(out, "          {line}");
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "          evidence:");
        for (k, v) in &f.evidence {
            let _ = writeln!(out, "            {}: {}", terminal_safe(k), value_text(v));
        }
    }
    if !f.remediation.is_empty() && f.status != Status::Pass {
        let mut lines = safe_lines(&f.remediation);
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "          fix: {first}");
        }
        for line in lines {
            let _ = writeln!(out, "               {line}");
        }
    }
}

/// A network path, hop by hop, with the first blocking hop marked.
fn path(out: &mut String, p: &PathView) {
    if p.status == Status::Pass {
        let _ = writeln!(
            out,
            "  path to {} via {}: PASS ({} hops verified)",
            terminal_safe(&p.destination),
            terminal_safe(&p.via),
            p.hops.len()
        );
        return;
    }
    let _ = writeln!(
        out,
        "  path to {} via {}: {}  ({})",
        terminal_safe(&p.destination),
        terminal_safe(&p.via),
        p.status,
        terminal_safe(&p.why)
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
            terminal_safe(&h.layer),
            terminal_safe(&h.detail)
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
        terminal_safe(t.arn.as_deref().unwrap_or("(unknown task)"))
    );
    if let Some(reason) = &t.stopped_reason {
        let _ = writeln!(out, "stopped reason: {}", terminal_safe(reason));
    }
    let mut line = format!("verdict: {}", r.verdict);
    if let Some(c) = &t.failure_class {
        let _ = write!(line, "   failure class: {c}");
    }
    if let Some(rc) = r.root_cause {
        let _ = write!(line, "   root cause: {rc}");
    }
    let _ = writeln!(out, "{line}");
    let _ = writeln!(out, "{}", terminal_safe(&r.summary));
    // What broke, where, and the change that fixes it, before any detail.
    if let Some(f) = r.root_finding().filter(|f| !f.remediation.is_empty()) {
        let _ = writeln!(out);
        let _ = writeln!(out, "ROOT CAUSE  {}: {}", f.code, terminal_safe(&f.title));
        for line in safe_lines(&f.detail) {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "FIX");
        for line in safe_lines(&f.remediation) {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(doc) = f.docs.first() {
            let _ = writeln!(out, "DOCS  {}", terminal_safe(doc));
        }
    }
    for s in &r.stages {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[{}] {} - {}",
            s.name,
            s.status,
            terminal_safe(&s.summary)
        );
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
