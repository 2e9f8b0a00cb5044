//! Markdown: the same content as text, for tickets and chat.

use std::fmt::Write;

use crate::report::Report;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let t = &r.task;
    let _ = writeln!(out, "## ecs-task-doctor: {}\n", r.verdict);
    let _ = writeln!(out, "{}\n", r.summary);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| Task | `{}` |",
        cell(t.arn.as_deref().unwrap_or("unknown"))
    );
    if let Some(reason) = &t.stopped_reason {
        let _ = writeln!(out, "| Stopped reason | {} |", cell(reason));
    }
    if let Some(c) = &t.failure_class {
        let _ = writeln!(out, "| Failure class | `{c}` |");
    }
    if let Some(rc) = r.root_cause {
        let _ = writeln!(out, "| Root cause | `{rc}` |");
    }
    for s in &r.stages {
        let _ = writeln!(
            out,
            "\n### {} — {}\n\n{}\n",
            s.name,
            s.status,
            cell(&s.summary)
        );
        for f in &s.findings {
            let _ = writeln!(out, "- **{}** `{}` {}", f.status, f.code, cell(&f.title));
            let _ = writeln!(out, "  - {}", cell(&f.detail));
            for (k, v) in &f.evidence {
                let _ = writeln!(
                    out,
                    "  - {k}: `{}`",
                    cell(&v.to_string().trim_matches('"').to_string())
                );
            }
            if !f.remediation.is_empty() {
                let _ = writeln!(out, "  - Fix: {}", cell(&f.remediation));
            }
        }
    }
    out
}
