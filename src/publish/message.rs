//! What gets published, decided without I/O: SNS subjects and bodies within SNS limits,
//! and the S3 keys a later `diagnose --snapshot` finds the record under.

use crate::report::{Report, SweepSummary};

/// SNS refuses a subject of 100 characters or more, with line breaks or control characters.
pub const SNS_SUBJECT_MAX_CHARS: usize = 99;

/// SNS refuses a message over 256 KiB (UTF-8 bytes, the whole message).
pub const SNS_MESSAGE_MAX_BYTES: usize = 256 * 1024;

/// Makes `text` a valid SNS subject: ASCII printable only (others become `?`), one line,
/// under the length limit with an ellipsis when cut.
pub fn subject(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= SNS_SUBJECT_MAX_CHARS {
        return clean.to_string();
    }
    let mut cut: String = clean.chars().take(SNS_SUBJECT_MAX_CHARS - 3).collect();
    cut.push_str("...");
    cut
}

/// The subject of a task's report: verdict, root cause (or the verdict alone), task.
pub fn report_subject(report: &Report) -> String {
    let task = report
        .task
        .arn
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("task");
    let cause = report
        .root_cause
        .map(|c| c.as_str())
        .unwrap_or("no root cause found");
    subject(&format!(
        "ECS task {task} failed to start: {cause} [{}]",
        report.verdict
    ))
}

/// The subject of a sweep's summary: the failed starts found, or, when the sweep could not
/// read its whole listing, that it did not (first, so a cut subject keeps it) and why, so
/// that a sweep that read nothing never reads as all clear in a mailbox (issue 16).
pub fn sweep_subject(summary: &SweepSummary) -> String {
    let failed: usize = summary.groups.iter().map(|g| g.count).sum();
    let unread = crate::judge::sweep::listing_unread(&summary.left_out);
    if unread.is_empty() {
        return subject(&format!(
            "ECS sweep {}: {failed} failed start(s) in {} group(s) [{}]",
            summary.region,
            summary.groups.len(),
            summary.status
        ));
    }
    let mut causes: Vec<String> = Vec::new();
    for u in &unread {
        let cause = short_cause(u);
        if !causes.contains(&cause) {
            causes.push(cause);
        }
    }
    subject(&format!(
        "ECS sweep {} [{}]: not all read: {}; {failed} failed start(s) found",
        summary.region,
        summary.status,
        causes.join(", ")
    ))
}

/// Why a listing read failed, short enough for a subject: the permission the role lacks,
/// "timed out", or the error code, each with the API.
fn short_cause(u: &crate::facts::Unreadable) -> String {
    if u.is_access_denied() {
        format!("role lacks {}", u.api)
    } else if u.is_timed_out() {
        format!("{} timed out", u.api)
    } else {
        format!("{} {}", u.api, u.error_code)
    }
}

/// Fits `body` into an SNS message: unchanged when it fits, else cut at the last line
/// break that leaves room for a note saying where the whole text is.
pub fn fit_body(body: &str, full_at: &str) -> String {
    if body.len() <= SNS_MESSAGE_MAX_BYTES {
        return body.to_string();
    }
    let note = format!("\n\n_(Truncated to fit an SNS message. The full report is {full_at}.)_\n");
    let budget = SNS_MESSAGE_MAX_BYTES - note.len();
    let mut end = budget;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let end = body[..end].rfind('\n').unwrap_or(end);
    format!("{}{note}", &body[..end])
}

/// Where one task's record goes in the report bucket. Keys sort by cluster, then day, then
/// task, so a person finds a failure by browsing, and carry the event's `detail.version`,
/// so a duplicate delivery writes to the same key (and is detected) while a later state
/// change of the same task is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportKeys {
    /// The report JSON (DESIGN §4).
    pub report: String,
    /// The Facts snapshot (`diagnose --snapshot` replays it).
    pub facts: String,
}

/// The keys of a task's record: `reports/<cluster>/<YYYY-MM-DD>/<task-id>/v<version>/`.
/// The day is the task's stop day (UTC), else `fallback_day`, so keys never depend on when
/// the function happened to run for a task that has a stop time.
pub fn report_keys(report: &Report, version: Option<i64>, fallback_day: &str) -> ReportKeys {
    let cluster = report
        .task
        .cluster
        .as_deref()
        .map(|c| c.rsplit('/').next().unwrap_or(c))
        .map(key_safe)
        .unwrap_or_else(|| "unknown-cluster".into());
    let task = report
        .task
        .arn
        .as_deref()
        .map(|a| a.rsplit('/').next().unwrap_or(a))
        .map(key_safe)
        .unwrap_or_else(|| "unknown-task".into());
    let day = report
        .task
        .stopped_at
        .as_deref()
        .and_then(|t| t.get(..10))
        .filter(|d| is_day(d))
        .unwrap_or(fallback_day);
    let version = match version {
        Some(v) => format!("v{v}"),
        None => "unversioned".into(),
    };
    let dir = format!("reports/{cluster}/{day}/{task}/{version}");
    ReportKeys {
        report: format!("{dir}/report.json"),
        facts: format!("{dir}/facts.json"),
    }
}

/// The key of a sweep's summary: `sweeps/<YYYY-MM-DD>/<window end>.json`.
pub fn sweep_key(summary: &SweepSummary) -> String {
    let day = summary
        .to
        .get(..10)
        .filter(|d| is_day(d))
        .unwrap_or("unknown-day");
    format!("sweeps/{day}/{}.json", key_safe(&summary.to))
}

fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Keeps a key segment to S3's safe characters (names and IDs from ARNs already are).
fn key_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn subject_is_one_ascii_line_under_the_limit() {
        assert_eq!(subject("a\nb\tc"), "a b c");
        assert_eq!(subject("café"), "caf?");
        let long = subject(&"x".repeat(300));
        assert_eq!(long.chars().count(), SNS_SUBJECT_MAX_CHARS);
        assert!(long.ends_with("..."));
    }

    proptest! {
        #[test]
        fn any_subject_is_valid_for_sns(s in ".{0,400}") {
            let out = subject(&s);
            prop_assert!(out.chars().count() <= SNS_SUBJECT_MAX_CHARS);
            prop_assert!(out.chars().all(|c| c.is_ascii_graphic() || c == ' '));
        }

        #[test]
        fn any_body_fits_an_sns_message(lines in proptest::collection::vec("[a-zé€ ]{0,200}", 0..3000)) {
            let body = lines.join("\n");
            let out = fit_body(&body, "in S3");
            prop_assert!(out.len() <= SNS_MESSAGE_MAX_BYTES);
            if body.len() <= SNS_MESSAGE_MAX_BYTES {
                prop_assert_eq!(out, body);
            } else {
                prop_assert!(out.contains("The full report is in S3"));
            }
        }
    }

    #[test]
    fn a_big_body_is_cut_at_a_line_break() {
        let line = "| finding | evidence |\n";
        let body = line.repeat(SNS_MESSAGE_MAX_BYTES / line.len() + 10);
        let out = fit_body(&body, "at s3://b/k");
        assert!(out.len() <= SNS_MESSAGE_MAX_BYTES);
        let kept = out.split("\n\n_(Truncated").next().unwrap();
        assert!(kept.lines().all(|l| l == line.trim_end()), "a line was cut");
        assert!(out.ends_with("The full report is at s3://b/k.)_\n"));
    }

    fn sweep(status: crate::report::Status, unreadable: &[&str]) -> SweepSummary {
        SweepSummary {
            schema_version: "1".into(),
            region: "us-east-1".into(),
            from: None,
            to: "2026-11-27T12:00:00.000Z".into(),
            status,
            summary: String::new(),
            groups: vec![],
            left_out: crate::report::SweepLeftOut {
                unreadable: unreadable.iter().map(|u| u.to_string()).collect(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_sweep_that_could_not_list_says_so_in_its_subject() {
        use crate::report::Status;
        let s = sweep_subject(&sweep(
            Status::Unknown,
            &["ecs:ListClusters: AccessDeniedException"],
        ));
        assert_eq!(
            s,
            "ECS sweep us-east-1 [UNKNOWN]: not all read: role lacks ecs:ListClusters; 0 failed start(s) found"
        );
        let s = sweep_subject(&sweep(
            Status::Unknown,
            &[
                "ecs:ListTasks: TimedOut",
                "ecs:ListTasks: TimedOut",
                "ecs:DescribeTasks: InternalFailure",
            ],
        ));
        assert!(
            s.starts_with("ECS sweep us-east-1 [UNKNOWN]: not all read: ecs:ListTasks timed out, ecs:DescribeTasks Intern"),
            "{s}"
        );
        assert!(s.chars().count() <= SNS_SUBJECT_MAX_CHARS);
        // A cluster that does not exist, or a security-group read, is not a listing unread.
        let s = sweep_subject(&sweep(
            Status::Skipped,
            &[
                "ecs:ListTasks: ClusterNotFoundException",
                "ec2:DescribeNetworkInterfaces: UnauthorizedOperation",
            ],
        ));
        assert_eq!(
            s,
            "ECS sweep us-east-1: 0 failed start(s) in 0 group(s) [SKIPPED]"
        );
    }

    #[test]
    fn day_check() {
        assert!(is_day("2026-11-28"));
        assert!(!is_day("2026-11-2x"));
        assert!(!is_day("20261128"));
    }

    #[test]
    fn key_segments_are_safe() {
        assert_eq!(key_safe("a/b c"), "a_b_c");
        assert_eq!(key_safe("prod-cluster_1"), "prod-cluster_1");
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;
    use crate::stage::StageSelection;

    fn example() -> Report {
        let facts = crate::snapshot::from_slice(
            include_bytes!("../../examples/fargate-cannot-pull.json"),
            "example",
        )
        .unwrap();
        crate::engine::replay(&facts, StageSelection::All)
    }

    #[test]
    fn keys_sort_by_cluster_day_task_and_version() {
        let r = example();
        let cluster = r.task.cluster.clone().unwrap();
        let cluster = cluster.rsplit('/').next().unwrap();
        let task = r.task.arn.clone().unwrap();
        let task = task.rsplit('/').next().unwrap();
        let day = &r.task.stopped_at.clone().unwrap()[..10];
        let k = report_keys(&r, Some(7), "1999-01-01");
        assert_eq!(
            k.report,
            format!("reports/{cluster}/{day}/{task}/v7/report.json")
        );
        assert_eq!(
            k.facts,
            format!("reports/{cluster}/{day}/{task}/v7/facts.json")
        );
    }

    #[test]
    fn without_stop_time_or_version_the_fallbacks_are_used() {
        let mut r = example();
        r.task.stopped_at = None;
        let k = report_keys(&r, None, "1999-01-01");
        assert!(k.report.contains("/1999-01-01/"), "{}", k.report);
        assert!(
            k.report.ends_with("/unversioned/report.json"),
            "{}",
            k.report
        );
    }

    #[test]
    fn the_subject_names_the_task_and_root_cause() {
        let r = example();
        let s = report_subject(&r);
        assert!(s.starts_with("ECS task "), "{s}");
        assert!(s.contains(r.root_cause.unwrap().as_str()), "{s}");
        assert!(s.chars().count() <= SNS_SUBJECT_MAX_CHARS);
    }
}
