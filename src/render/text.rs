//! Plain text: the verdict first, then each stage and its findings.
//!
//! Names, tags, descriptions and stop reasons come from the account, so anyone who can name
//! a resource or make a task fail can put text in this report. Every such string goes
//! through [`terminal_safe`] before it reaches the terminal: no escape sequence (colours,
//! cursor moves, OSC 8 hyperlinks, title changes), bell, carriage-return overwrite or bidi
//! override survives. The only line breaks are the renderer's own.

use std::borrow::Cow;
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::report::{Finding, PathView, Report, Status};

/// How the text report is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours: statuses, the root cause, the fix, the blocked hop. Only the renderer's
    /// own escapes: account text stays [`terminal_safe`] either way.
    pub color: bool,
    /// Every passing check in full (its detail and evidence) and every passing path hop by
    /// hop, instead of one `verified:` line per stage.
    pub verbose: bool,
}

/// Wraps text in a style when colour is on.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn style(self, style: Style, s: &str) -> String {
        if self.0 {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }

    fn status(self, status: Status, s: &str) -> String {
        let color = match status {
            Status::Fail => AnsiColor::Red,
            Status::Warn => AnsiColor::Yellow,
            Status::Unknown => AnsiColor::Magenta,
            Status::Pass => AnsiColor::Green,
            _ => return self.style(Style::new().dimmed(), s),
        };
        self.style(Style::new().fg_color(Some(color.into())).bold(), s)
    }

    fn bold(self, s: &str) -> String {
        self.style(Style::new().bold(), s)
    }
}

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

fn finding(out: &mut String, paint: Paint, f: &Finding) {
    let _ = writeln!(
        out,
        "  {} {}  {}",
        paint.status(f.status, &format!("{:<7}", f.status.as_str())),
        paint.bold(f.code.as_str()),
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
        if !f.console.is_empty() {
            let _ = writeln!(out, "          console: {}", terminal_safe(&f.console));
        }
    }
}

/// A network path, hop by hop, with the first blocking hop marked.
fn path(out: &mut String, paint: Paint, verbose: bool, p: &PathView) {
    if p.status == Status::Pass && !verbose {
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
        paint.status(p.status, p.status.as_str()),
        terminal_safe(&p.why)
    );
    let mut marked = false;
    for h in &p.hops {
        let mark = if h.status == Status::Fail && !marked {
            marked = true;
            paint.status(Status::Fail, "   <-- blocked here")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "    {} {:<12} {}{mark}",
            paint.status(h.status, &format!("{:<7}", h.status.as_str())),
            terminal_safe(&h.layer),
            terminal_safe(&h.detail)
        );
    }
}

/// The report for a terminal: no colour, passing checks collapsed.
pub fn text(r: &Report) -> String {
    text_with(r, TextOptions::default())
}

/// The report for a terminal, drawn with `options`. First what broke, where, and the change
/// that fixes it; then every other problem, failures first; then each stage in detail.
pub fn text_with(r: &Report, options: TextOptions) -> String {
    let paint = Paint(options.color);
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
    let mut line = format!("verdict: {}", paint.status(r.verdict, r.verdict.as_str()));
    if let Some(c) = &t.failure_class {
        let _ = write!(line, "   failure class: {c}");
    }
    if let Some(rc) = r.root_cause {
        let _ = write!(line, "   root cause: {}", paint.bold(rc.as_str()));
    }
    let _ = writeln!(out, "{line}");
    let _ = writeln!(out, "{}", terminal_safe(&r.summary));
    // What broke, where, and the change that fixes it, before any detail.
    let root = r.root_finding().filter(|f| !f.remediation.is_empty());
    if let Some(f) = root {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {}: {}",
            paint.status(Status::Fail, "ROOT CAUSE"),
            paint.bold(f.code.as_str()),
            terminal_safe(&f.title)
        );
        for line in safe_lines(&f.detail) {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "{}", paint.bold("FIX"));
        for line in safe_lines(&f.remediation) {
            let _ = writeln!(out, "  {line}");
        }
        if !f.console.is_empty() {
            let _ = writeln!(out, "{}", paint.bold("IN THE CONSOLE"));
            let _ = writeln!(out, "  {}", terminal_safe(&f.console));
        }
        if let Some(doc) = f.docs.first() {
            let _ = writeln!(out, "{}  {}", paint.bold("DOCS"), terminal_safe(doc));
        }
    }
    // Every other problem, one line each; the stages below give the detail.
    let others = super::other_problems(r, root);
    if !others.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", paint.bold("ALSO"));
        for (stage, f) in others {
            let _ = writeln!(
                out,
                "  {} [{stage}] {}  {}",
                paint.status(f.status, &format!("{:<7}", f.status.as_str())),
                f.code,
                terminal_safe(&f.title)
            );
        }
    }
    for s in &r.stages {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[{}] {} - {}",
            s.name,
            paint.status(s.status, s.status.as_str()),
            terminal_safe(&s.summary)
        );
        for p in &s.paths {
            path(&mut out, paint, options.verbose, p);
        }
        for f in s
            .findings
            .iter()
            .filter(|f| options.verbose || f.status != Status::Pass)
        {
            finding(&mut out, paint, f);
        }
        let passed: Vec<String> = s
            .findings
            .iter()
            .filter(|f| f.status == Status::Pass)
            .map(|f| f.code.to_string())
            .collect();
        if !passed.is_empty() && !options.verbose {
            // Verified checks, one line: their titles name the failure, not the pass.
            let _ = writeln!(
                out,
                "  verified: {} (--verbose shows each)",
                passed.join(", ")
            );
        }
    }
    if let Some(rc) = r.root_cause {
        let _ = writeln!(out);
        let _ = writeln!(out, "more: ecs-task-doctor explain {rc}");
    }
    out
}
