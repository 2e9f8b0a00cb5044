//! The sweep summary as text: one line per group, then what was left out.

use std::fmt::Write;

use crate::report::SweepSummary;

/// The sweep summary for a terminal.
pub fn sweep_text(s: &SweepSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ecs-task-doctor sweep ({}): {}", s.region, s.summary);
    let _ = writeln!(
        out,
        "window: {} .. {}",
        s.from.as_deref().unwrap_or("?"),
        s.to
    );
    if !s.groups.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:>5}  {:<22} {:<40} {:<24} {:<24} example task",
            "count", "failure class", "root cause", "first seen", "last seen"
        );
        for g in &s.groups {
            let _ = writeln!(
                out,
                "{:>5}  {:<22} {:<40} {:<24} {:<24} {}",
                g.count,
                g.failure_class.as_str(),
                g.root_cause.map(|c| c.as_str()).unwrap_or("-"),
                g.first_seen.as_deref().unwrap_or("-"),
                g.last_seen.as_deref().unwrap_or("-"),
                g.example_task
            );
            let _ = writeln!(out, "       {}", g.summary);
        }
    }
    let l = &s.left_out;
    let mut notes = Vec::new();
    if l.groups_not_diagnosed > 0 {
        notes.push(format!(
            "{} groups not diagnosed (bound)",
            l.groups_not_diagnosed
        ));
    }
    if l.stopped_for_other_reasons > 0 {
        notes.push(format!(
            "{} tasks stopped for other reasons",
            l.stopped_for_other_reasons
        ));
    }
    if l.outside_window > 0 {
        notes.push(format!(
            "{} failed starts before the window",
            l.outside_window
        ));
    }
    if l.undated > 0 {
        notes.push(format!(
            "{} failed starts without a stop time (kept)",
            l.undated
        ));
    }
    if !l.truncated_clusters.is_empty() {
        notes.push(format!(
            "listing cut at the bound in {}",
            l.truncated_clusters.join(", ")
        ));
    }
    if !l.unreadable.is_empty() {
        notes.push(format!("unreadable: {}", l.unreadable.join(", ")));
    }
    if !notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "left out: {}", notes.join("; "));
    }
    out
}
