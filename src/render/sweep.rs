//! The sweep summary as text (one line per group, then what was left out) and as Markdown (a
//! table of groups, for the SNS message, a ticket or chat).

use std::fmt::Write;

use crate::report::SweepSummary;

use super::markdown::cell;
use super::terminal_safe;

/// Writes one line with every character an attacker could plant in a cluster, task or
/// reason (ESC, BEL, CR, LF, bidi overrides) shown as a visible escape.
fn line(out: &mut String, text: &str) {
    out.push_str(&terminal_safe(text));
    out.push('\n');
}

/// The sweep summary for a terminal.
pub fn sweep_text(s: &SweepSummary) -> String {
    let mut out = String::new();
    // The status leads, as in the Markdown: a sweep that could not read its listing says
    // UNKNOWN here, never a bare "0 failed starts" that reads as all clear.
    line(
        &mut out,
        &format!(
            "ecs-task-doctor sweep ({}): {}  {}",
            s.region, s.status, s.summary
        ),
    );
    line(
        &mut out,
        &format!("window: {} .. {}", s.from.as_deref().unwrap_or("?"), s.to),
    );
    if !s.groups.is_empty() {
        line(&mut out, "");
        line(
            &mut out,
            &format!(
                "{:>5}  {:<22} {:<40} {:<24} {:<24} example task",
                "count", "failure class", "root cause", "first seen", "last seen"
            ),
        );
        for g in &s.groups {
            line(
                &mut out,
                &format!(
                    "{:>5}  {:<22} {:<40} {:<24} {:<24} {}",
                    g.count,
                    g.failure_class.as_str(),
                    g.root_cause.map(|c| c.as_str()).unwrap_or("-"),
                    g.first_seen.as_deref().unwrap_or("-"),
                    g.last_seen.as_deref().unwrap_or("-"),
                    g.example_task
                ),
            );
            if let Some(groups) = g.security_group_ids.as_ref().filter(|v| !v.is_empty()) {
                line(
                    &mut out,
                    &format!("       security groups: {}", groups.join(", ")),
                );
            }
            line(&mut out, &format!("       {}", g.summary));
        }
    }
    let notes = left_out_notes(s);
    if !notes.is_empty() {
        line(&mut out, "");
        line(&mut out, &format!("left out: {}", notes.join("; ")));
    }
    out
}

/// What a bound or an error left out of the sweep, one phrase each.
fn left_out_notes(s: &SweepSummary) -> Vec<String> {
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
    if !l.clusters_not_swept.is_empty() {
        notes.push(format!(
            "{} clusters not swept (bound): {}",
            l.clusters_not_swept.len(),
            l.clusters_not_swept.join(", ")
        ));
    }
    if !l.unreadable.is_empty() {
        notes.push(format!("unreadable: {}", l.unreadable.join(", ")));
    }
    notes
}

/// The sweep summary in Markdown: the summary line, one table row per group (count, root
/// cause, failure class, first and last seen, example task, cluster), each group's one-line
/// summary below the table, and what was left out. Account text is escaped as in the report.
pub fn sweep_markdown(s: &SweepSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## ecs-task-doctor sweep ({})", cell(&s.region));
    let _ = writeln!(out);
    let _ = writeln!(out, "**{}** {}  ", s.status.as_str(), cell(&s.summary));
    let _ = writeln!(
        out,
        "Window: {} to {}",
        cell(s.from.as_deref().unwrap_or("?")),
        cell(&s.to)
    );
    if !s.groups.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| # | count | root cause | failure class | first seen | last seen | example task | cluster |"
        );
        let _ = writeln!(out, "|--:|--:|---|---|---|---|---|---|");
        for (i, g) in s.groups.iter().enumerate() {
            let task_id = g.example_task.rsplit('/').next().unwrap_or(&g.example_task);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | `{}` | {} |",
                i + 1,
                g.count,
                g.root_cause
                    .map(|c| format!("`{c}`"))
                    .unwrap_or_else(|| "-".into()),
                g.failure_class.as_str(),
                cell(g.first_seen.as_deref().unwrap_or("-")),
                cell(g.last_seen.as_deref().unwrap_or("-")),
                task_id.replace('`', ""),
                cell(&g.cluster)
            );
        }
        let _ = writeln!(out);
        for (i, g) in s.groups.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, cell(&g.summary));
        }
    }
    let notes = left_out_notes(s);
    if !notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Left out: {}",
            notes.iter().map(|n| cell(n)).collect::<Vec<_>>().join("; ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FailureClass, Status, SweepGroupSummary, SweepLeftOut};

    fn summary(security_group_ids: Option<Vec<String>>) -> SweepSummary {
        SweepSummary {
            schema_version: "1".into(),
            region: "us-east-1".into(),
            from: Some("2026-11-27T11:00:00.000Z".into()),
            to: "2026-11-27T12:00:00.000Z".into(),
            status: Status::Fail,
            summary: "3 failed starts in 1 group across 1 cluster in the last 60 minutes.".into(),
            groups: vec![SweepGroupSummary {
                count: 3,
                first_seen: None,
                last_seen: None,
                cluster: "prod".into(),
                example_task: "arn:aws:ecs:us-east-1:111122223333:task/prod/a".into(),
                task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:1".into(),
                failure_class: FailureClass::ImagePullNetwork,
                subnet_ids: vec!["subnet-1".into()],
                security_group_ids,
                verdict: Some(Status::Fail),
                root_cause: None,
                summary: "The pull timed out.".into(),
            }],
            left_out: SweepLeftOut {
                clusters_not_swept: vec!["c51".into(), "c52".into()],
                ..SweepLeftOut::default()
            },
        }
    }

    #[test]
    fn planted_control_characters_are_shown_not_obeyed() {
        let mut s = summary(None);
        s.groups[0].summary =
            "pull failed\x1b]8;;http://evil\x07click\x1b]8;;\x07\r\nforged line\u{202e}".into();
        s.left_out.clusters_not_swept = vec!["c\x1b[2Jx".into()];
        let text = sweep_text(&s);
        assert!(!text.contains('\x1b') && !text.contains('\x07') && !text.contains('\r'));
        assert!(!text.contains('\u{202e}'));
        assert!(
            !text.lines().any(|l| l.starts_with("forged line")),
            "{text}"
        );
        assert!(text.contains("\\x1b"), "{text}");
    }

    #[test]
    fn groups_show_their_security_groups_and_left_out_clusters_are_named() {
        let text = sweep_text(&summary(Some(vec!["sg-1".into(), "sg-2".into()])));
        assert!(text.contains("security groups: sg-1, sg-2"), "{text}");
        assert!(
            text.contains("2 clusters not swept (bound): c51, c52"),
            "{text}"
        );
        // Unknown groups are not shown as an empty list, and the JSON leaves them out.
        let unknown = summary(None);
        assert!(!sweep_text(&unknown).contains("security groups"));
        let json = serde_json::to_value(&unknown).unwrap();
        assert!(
            json["groups"][0].get("securityGroupIds").is_none(),
            "{json:#}"
        );
        assert_eq!(
            json["groups"][0]["subnetIds"],
            serde_json::json!(["subnet-1"])
        );
    }

    #[test]
    fn a_sweep_that_could_not_list_leads_with_unknown_in_text_and_markdown() {
        let mut s = summary(None);
        s.groups.clear();
        s.status = Status::Unknown;
        s.summary = "Incomplete sweep: could not list the clusters: the function's role lacks ecs:ListClusters. Nothing was read, so failed starts in the last 60 minutes are unknown: this is not an all clear.".into();
        s.left_out.unreadable = vec!["ecs:ListClusters: AccessDeniedException".into()];
        let text = sweep_text(&s);
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("ecs-task-doctor sweep (us-east-1): UNKNOWN  Incomplete sweep:"),
            "{text}"
        );
        assert!(first.contains("lacks ecs:ListClusters"), "{text}");
        assert!(
            text.contains("unreadable: ecs:ListClusters: AccessDeniedException"),
            "{text}"
        );
        let md = sweep_markdown(&s);
        assert!(
            md.contains("**UNKNOWN** Incomplete sweep: could not list the clusters"),
            "{md}"
        );
    }

    #[test]
    fn markdown_sweep_is_a_table_of_groups() {
        let mut s = summary(Some(vec!["sg-1".into()]));
        s.groups[0].root_cause = Some(crate::codes::Code::NetSgEgressS3PrefixListMissing);
        s.groups[0].first_seen = Some("2026-11-27T11:05:00.000Z".into());
        s.groups[0].last_seen = Some("2026-11-27T11:55:00.000Z".into());
        let mut second = s.groups[0].clone();
        second.count = 1;
        second.cluster = "batch | x".into();
        second.summary = "broken [link](http://evil.example)\n# heading".into();
        s.groups.push(second);
        let md = sweep_markdown(&s);
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 2 + 2, "{md}");
        // Every row has the header's 8 cells: an account's `|` cannot add one.
        for r in &rows {
            let chars: Vec<char> = r.chars().collect();
            let pipes = (0..chars.len())
                .filter(|&i| chars[i] == '|' && (i == 0 || chars[i - 1] != '\\'))
                .count();
            assert_eq!(pipes, 9, "{r}");
        }
        assert!(rows[2].contains("| 1 | 3 | `NET_SG_EGRESS_S3_PREFIX_LIST_MISSING` | image-pull-network | 2026-11-27T11:05:00.000Z | 2026-11-27T11:55:00.000Z | `a` | prod |"), "{md}");
        assert!(md.contains("batch \\| x"), "{md}");
        assert!(!md.contains("](http"), "a link survived: {md}");
        assert!(!md.lines().any(|l| l.starts_with("# heading")), "{md}");
        assert!(
            md.contains("Left out: 2 clusters not swept \\(bound\\): c51, c52"),
            "{md}"
        );
    }
}
