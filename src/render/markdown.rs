//! Markdown: the same content and order as text, for the Automation console, SNS and chat.
//!
//! Every string that comes from the account (names, descriptions, stop reasons) is escaped:
//! it must not become a link, a heading or a table cell boundary in someone's ticket.

use std::fmt::Write;

use super::text::is_deceptive_format;
use crate::report::{Finding, Hop, PathView, Report, Status};

/// Escapes account-controlled text for a Markdown paragraph, list item or table cell, so
/// that it stays text wherever the Markdown is shown (GitHub, chat, the Automation console):
///
/// - Markdown and HTML punctuation is backslash-escaped, so no link, image, emphasis, code
///   span, HTML tag, entity (`&#x202e;`), table cell boundary or heading starts in it;
/// - GFM's bare-URL and e-mail autolinks are broken (`http\://`, `www\.`, `\@`), because
///   GitHub and most chat tools link them without any punctuation;
/// - a leading `-`, `+`, `=` or `1.` cannot start a list or a setext heading;
/// - line breaks become spaces (a break would end the list item or the table row), and
///   other control characters and invisible bidi or zero-width characters are dropped.
pub(crate) fn cell(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut at_start = true;
    // Digits only so far (after leading spaces), and at least one.
    let mut leading_digits = 0usize;
    let mut only_digits = true;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '>' | '<'
            | '&' | '@' | '$' => true,
            // `scheme://` autolinks.
            ':' => next == Some('/'),
            // `www.` autolinks, whatever the case.
            '.' => {
                i >= 3
                    && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w'))
                    && (i == 3 || !chars[i - 4].is_alphanumeric())
            }
            // List markers and setext underlines at the start of the text.
            '-' | '+' | '=' => at_start,
            _ => false,
        };
        // `1.` at the start would begin an ordered list.
        let ordered = c == '.' && only_digits && leading_digits > 0;
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_deceptive_format(c) => {}
            c => {
                if escape || ordered {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        if !c.is_whitespace() {
            at_start = false;
            if c.is_ascii_digit() && only_digits {
                leading_digits += 1;
            } else {
                only_digits = false;
            }
        }
    }
    out
}

/// Text for inside a code span: backticks cannot be escaped there, so they are replaced;
/// line breaks become spaces, other control and invisible bidi characters are dropped.
fn code(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '`' => Some('\''),
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() || is_deceptive_format(c) => None,
            c => Some(c),
        })
        .collect()
}

/// A code span's text for a table cell: [`code`], and a pipe escaped, because GFM splits
/// table cells at a pipe even inside a code span.
fn code_cell(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A label for a Mermaid node: quotes, brackets and pipes would end it early; `#` and `&`
/// start entity codes (`#quot;`) that Mermaid decodes after parsing; `%` starts directives.
fn mermaid_label(s: &str) -> String {
    s.chars()
        .filter(|c| !is_deceptive_format(*c))
        .map(|c| match c {
            '"' | '[' | ']' | '|' | '<' | '>' | '{' | '}' | '`' | ';' | '#' | '&' | '%' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// The resource IDs a hop names (`sg-…`, `rtb-…`, `pl-…`), for short diagram labels.
fn ids(detail: &str) -> Vec<&str> {
    const PREFIXES: [&str; 10] = [
        "sg-", "rtb-", "acl-", "vpce-", "nat-", "igw-", "pl-", "tgw-", "eni-", "pcx-",
    ];
    let mut found: Vec<&str> = detail
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| {
            PREFIXES
                .iter()
                .any(|p| w.starts_with(p) && w.len() > p.len())
        })
        .collect();
    found.dedup();
    found.truncate(2);
    found
}

/// What stops the packet at a blocking hop, in a few words: the NACL rule that denies it, or the
/// security-group rule that is missing, or else the finding's code.
fn blocking_rule(h: &Hop) -> String {
    let d = &h.detail;
    if h.layer.starts_with("nacl") {
        if d.contains("implicit deny") {
            return "denied by rule *".into();
        }
        if let Some(n) = d
            .split("by rule ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .filter(|n| !n.is_empty())
        {
            return format!("denied by rule {n}");
        }
    }
    match (h.layer.as_str(), h.code) {
        ("sg-egress", _) => "no egress rule allows tcp/443".into(),
        ("endpoint-sg", _) => "no ingress rule allows tcp/443 from the task".into(),
        (_, Some(code)) => code.to_string(),
        (layer, None) => format!("{layer} blocks it"),
    }
}

/// A Mermaid flowchart of one path: the task, each hop, the service; the blocking hop marked.
pub fn mermaid(p: &PathView) -> String {
    let mut out = String::from("flowchart LR\n");
    let _ = writeln!(out, "  n0[\"task\"]");
    let mut blocked = None;
    for (i, h) in p.hops.iter().enumerate() {
        let mut label = format!("{} {}", h.layer, h.status.as_str());
        let named = ids(&h.detail);
        if !named.is_empty() {
            label.push(' ');
            label.push_str(&named.join(" "));
        }
        if h.status == Status::Fail && blocked.is_none() {
            blocked = Some(i + 1);
            label.push_str(": ");
            label.push_str(&blocking_rule(h));
        }
        let _ = writeln!(out, "  n{}[\"{}\"]", i + 1, mermaid_label(&label));
        let _ = writeln!(out, "  n{} --> n{}", i, i + 1);
    }
    let last = p.hops.len() + 1;
    let _ = writeln!(out, "  n{last}[\"{}\"]", mermaid_label(&p.destination));
    let _ = writeln!(out, "  n{} --> n{last}", last - 1);
    if let Some(b) = blocked {
        let _ = writeln!(
            out,
            "  classDef blocked fill:#fdd,stroke:#c00,stroke-width:2px"
        );
        let _ = writeln!(out, "  class n{b} blocked");
    }
    out
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(out, "- **{}** `{}` {}", f.status, f.code, cell(&f.title));
    // A detail of several lines (a list of changes) keeps its lines: the first as the
    // detail, the others nested under it, `- ` items one level deeper.
    let mut lines = f.detail.lines();
    let _ = writeln!(out, "  - {}", cell(lines.next().unwrap_or("")));
    for line in lines.filter(|l| !l.trim().is_empty()) {
        match line.strip_prefix("- ") {
            Some(item) => writeln!(out, "      - {}", cell(item)),
            None => writeln!(out, "    - {}", cell(line)),
        }
        .ok();
    }
    for (k, v) in &f.evidence {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(out, "  - {}: `{}`", cell(k), code(&text));
    }
    if !f.remediation.is_empty() {
        // Prose stays prose; the AWS CLI commands go in a block a person can copy.
        let (commands, prose): (Vec<&str>, Vec<&str>) = f
            .remediation
            .lines()
            .partition(|l| l.trim_start().starts_with("aws "));
        if !prose.is_empty() {
            let _ = writeln!(out, "  - Fix: {}", cell(&prose.join(" ")));
        }
        if !commands.is_empty() {
            let block: Vec<String> = commands
                .iter()
                .map(|c| format!("    {}", code(c.trim())))
                .collect();
            let _ = writeln!(out, "\n    ```sh\n{}\n    ```", block.join("\n"));
        }
        if !f.console.is_empty() {
            // A code span: the path's `>` steps stay literal in a raw e-mail and in chat alike.
            let _ = writeln!(out, "  - In the console: `{}`", code(&f.console));
        }
    }
}

/// The report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let t = &r.task;
    let _ = writeln!(out, "## ecs-task-doctor: {}\n", r.verdict);
    let _ = writeln!(out, "{}\n", cell(&r.summary));
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| Task | `{}` |",
        code_cell(t.arn.as_deref().unwrap_or("unknown"))
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
    if let Some(f) = r.root_finding() {
        let _ = writeln!(out, "\n### Root cause: {}\n", cell(&f.title));
        finding(&mut out, f);
        if let Some(doc) = f.docs.first() {
            let _ = writeln!(out, "\nDocs: <{doc}>");
        }
    }
    // As in the text report: every other problem, failures first, before the stages.
    let root = r.root_finding().filter(|f| !f.remediation.is_empty());
    let others = super::other_problems(r, root);
    if !others.is_empty() {
        let _ = writeln!(out, "\n### Also\n");
        for (stage, f) in others {
            let _ = writeln!(
                out,
                "- **{}** `{}` {} \\({stage}\\)",
                f.status,
                f.code,
                cell(&f.title)
            );
        }
    }
    for s in &r.stages {
        let _ = writeln!(
            out,
            "\n### {} — {}\n\n{}\n",
            s.name,
            s.status,
            cell(&s.summary)
        );
        if let Some(p) = s.paths.iter().find(|p| p.status == Status::Fail) {
            let _ = writeln!(
                out,
                "Path to {} via {}:\n",
                cell(&p.destination),
                cell(&p.via)
            );
            let _ = writeln!(out, "```mermaid\n{}```\n", mermaid(p));
        }
        for f in s.findings.iter().filter(|f| f.status != Status::Pass) {
            finding(&mut out, f);
        }
        let verified: Vec<String> = s
            .findings
            .iter()
            .filter(|f| f.status == Status::Pass)
            .map(|f| format!("`{}`", f.code))
            .collect();
        if !verified.is_empty() {
            let _ = writeln!(out, "- verified: {}", verified.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Hop;

    fn path(details: &[(&str, Status, &str)]) -> PathView {
        PathView {
            destination: "s3 (ECR layers)".into(),
            why: "layers".into(),
            via: "gateway endpoint vpce-1".into(),
            status: Status::Fail,
            hops: details
                .iter()
                .map(|(layer, status, detail)| Hop {
                    layer: layer.to_string(),
                    status: *status,
                    detail: detail.to_string(),
                    code: None,
                })
                .collect(),
        }
    }

    /// The small Mermaid subset the renderer emits: a header, node declarations with quoted
    /// labels, edges, one classDef and one class line.
    fn assert_mermaid_subset(m: &str) {
        let mut lines = m.lines();
        assert_eq!(lines.next(), Some("flowchart LR"));
        for l in lines {
            let l = l.trim();
            let node = l.split_once("[\"").is_some_and(|(id, rest)| {
                id.starts_with('n')
                    && id[1..].chars().all(|c| c.is_ascii_digit())
                    && rest.ends_with("\"]")
                    && !rest[..rest.len() - 2].contains(['"', '[', ']'])
            });
            let edge = l.split_once(" --> ").is_some_and(|(a, b)| {
                [a, b].iter().all(|x| {
                    x.starts_with('n') && x.len() > 1 && x[1..].chars().all(|c| c.is_ascii_digit())
                })
            });
            let class = l.starts_with("classDef blocked ")
                || (l.starts_with("class n") && l.ends_with(" blocked"));
            assert!(node || edge || class, "not in the subset: {l:?}");
        }
    }

    #[test]
    fn the_blocking_hop_is_marked_and_named() {
        let p = path(&[
            (
                "route",
                Status::Pass,
                "rtb-0b2 sends pl-63a to VPC endpoint vpce-0d9 (active).",
            ),
            (
                "sg-egress",
                Status::Fail,
                "The task's security groups (sg-0a8) allow no egress tcp/443 to pl-63a.",
            ),
            ("nacl-out", Status::Pass, "acl-0e1 allows it."),
        ]);
        let m = mermaid(&p);
        assert_mermaid_subset(&m);
        assert!(
            m.contains("n2[\"sg-egress FAIL sg-0a8 pl-63a: no egress rule allows tcp/443\"]"),
            "{m}"
        );
        assert!(m.contains("class n2 blocked"), "{m}");
        assert!(m.contains("n4[\"s3 (ECR layers)\"]"), "{m}");
    }

    #[test]
    fn a_blocking_nacl_names_its_rule() {
        for (detail, named) in [
            (
                "acl-0e1 on subnet-1 denies inbound tcp/32768-60999 return traffic with 0.0.0.0/0 (ports 1024-65535) by rule 90. NACLs are stateless.",
                "nacl-in FAIL acl-0e1: denied by rule 90",
            ),
            (
                "acl-0e1 on subnet-1 denies outbound tcp/443 request with 52.216.0.0/15 (ports 443-443) by the implicit deny (*). NACLs are stateless.",
                "nacl-out FAIL acl-0e1: denied by rule *",
            ),
        ] {
            let layer = named.split(' ').next().unwrap();
            let m = mermaid(&path(&[(layer, Status::Fail, detail)]));
            assert_mermaid_subset(&m);
            assert!(m.contains(&format!("n1[\"{named}\"]")), "{m}");
        }
    }

    #[test]
    fn hostile_strings_cannot_break_out() {
        let p = path(&[(
            "dns",
            Status::Fail,
            "\"] --> evil[\"x\" ; click n1 \"javascript:alert(1)\"",
        )]);
        assert_mermaid_subset(&mermaid(&p));
        let esc = cell("[link](https://evil.example) <script> # heading | cell\n* list");
        assert!(
            !esc.contains("](") && !esc.contains("<script>") && !esc.contains('\n'),
            "{esc}"
        );
    }

    proptest::proptest! {
        /// Whatever the account puts in a string, the escaped text has no line break, no
        /// unescaped pipe, bracket, angle bracket or backtick, and no control character.
        #[test]
        fn any_text_stays_one_inert_line(s in "\\PC{0,200}|[\\[\\]()<>|`#!*_\n\r\u{1b}\u{202e}a-z:/.@w-]{0,60}") {
            let out = cell(&s);
            proptest::prop_assert!(!out.chars().any(|c| c.is_control() || is_deceptive_format(c)), "{out:?}");
            for (i, c) in out.char_indices() {
                if matches!(c, '|' | '[' | ']' | '<' | '>' | '`' | '@' | '&') {
                    // Preceded by an odd number of backslashes: escaped.
                    let run = out[..i].chars().rev().take_while(|b| *b == '\\').count();
                    proptest::prop_assert!(run % 2 == 1, "{c:?} unescaped at {i} in {out:?}");
                }
            }
            let code_text = code_cell(&s);
            proptest::prop_assert!(!code_text.contains('`') && !code_text.contains('\n'), "{code_text:?}");
            proptest::prop_assert!(!code_text.chars().any(|c| c.is_control() || is_deceptive_format(c)));
        }

        #[test]
        fn any_hop_text_stays_in_the_subset(details in proptest::collection::vec(("\\PC{0,40}", 0u8..2, "\\PC{0,80}"), 0..6)) {
            let hops: Vec<(&str, Status, &str)> = details
                .iter()
                .map(|(l, s, d)| (l.as_str(), if *s == 0 { Status::Pass } else { Status::Fail }, d.as_str()))
                .collect();
            let mut p = path(&hops);
            p.destination = details.first().map(|d| d.2.clone()).unwrap_or_default();
            assert_mermaid_subset(&mermaid(&p));
        }
    }
}
