//! render: a [`Report`] as JSON (the contract), plain text, or Markdown.
//!
//! Text and Markdown are views of the JSON, never sources of extra facts. All three neutralise
//! the strings that come from the account (names, tags, descriptions, stop reasons), which
//! anyone who can name a resource or make a task fail controls: text through
//! [`terminal_safe`], Markdown by escaping (see `markdown.rs`), JSON by writing the
//! characters serde_json leaves raw (C1, bidi, zero-width) as `\u` escapes ([`json_pretty`]).

mod json;
mod markdown;
mod sweep;
mod text;

use std::str::FromStr;

use crate::report::Report;

pub use json::json_pretty;
pub use markdown::markdown;
pub use sweep::{sweep_markdown, sweep_text};
pub use text::terminal_safe;
pub use text::{TextOptions, text, text_with};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// DESIGN §4 JSON.
    Json,
    /// Plain text for a terminal.
    #[default]
    Text,
    /// Markdown for tickets and chat.
    Markdown,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format '{other}': expected json, text or markdown"
            )),
        }
    }
}

/// The report as pretty JSON with a final newline, through [`json_pretty`]: C1 controls,
/// bidi and zero-width characters in the account's text are `\u` escapes, not raw.
pub fn json(report: &Report) -> String {
    json_pretty(report)
}

/// The problems besides the root cause, for the top of a report: failures, then warnings, then
/// what could not be decided, each with its stage. With a root cause named, the task stage's
/// findings (the stop reason restated) are not other problems, nor are the root cause's own
/// code's findings at other destinations.
pub(crate) fn other_problems<'a>(
    r: &'a Report,
    root: Option<&'a crate::report::Finding>,
) -> Vec<(&'static str, &'a crate::report::Finding)> {
    use crate::report::Status;
    let mut others: Vec<(&'static str, &crate::report::Finding)> = r
        .stages
        .iter()
        .filter(|s| root.is_none() || s.name.as_str() != "task")
        .flat_map(|s| s.findings.iter().map(move |f| (s.name.as_str(), f)))
        .filter(|(_, f)| {
            matches!(f.status, Status::Fail | Status::Warn | Status::Unknown)
                && root.is_none_or(|rf| rf.code != f.code)
        })
        .collect();
    others.sort_by_key(|(_, f)| match f.status {
        Status::Fail => 0,
        Status::Warn => 1,
        _ => 2,
    });
    others
}

/// Renders in the chosen format.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => json(report),
        Format::Text => text(report),
        Format::Markdown => markdown(report),
    }
}

#[cfg(test)]
mod tests {
    //! Attacker-controlled strings (stop reasons, names, descriptions, tags, evidence) through
    //! the real judge and both human renderings: nothing they carry may act on a terminal or
    //! become Markdown structure.

    use super::*;
    use crate::codes::Code;
    use crate::facts::{
        ContainerFacts, FACTS_VERSION, Facts, Readable, RequestFacts, TaskDefinitionFacts,
        TaskFacts, TaskLookup, TaskSource,
    };
    use crate::report::{Finding, Hop, PathView, Severity, Status};
    use crate::stage::StageSelection;

    const ARN: &str =
        "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";

    /// Every trick in one string: an OSC 8 hyperlink, a colour (CSI), a bell, a carriage
    /// return overwrite, a bidi override, a zero-width space, Markdown links and images, raw
    /// HTML, an autolink, bare URLs and an e-mail, a table row, a heading after a line break,
    /// a code fence, a list item, a setext underline, an HTML entity for a bidi override.
    const HOSTILE: &str = "CannotPullContainerError: \u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7} \
        \u{1b}[31mred\u{1b}[0m \u{9b}2J\rOVERWRITTEN [x](http://evil.example) ![i](http://evil.example/i.png) \
        <img src=x onerror=alert(1)> <http://evil.example> https://evil.example www.evil.example me@evil.example \
        | a | b |\n# Heading\n```\nrm -rf /\n```\n- item\n===\n\u{202e}txt.exe\u{200b} &#x202e; $x$";

    fn hostile_report() -> crate::report::Report {
        let task = TaskFacts {
            task_arn: ARN.into(),
            last_status: Some("STOPPED".into()),
            desired_status: Some("STOPPED".into()),
            stop_code: Some("TaskFailedToStart".into()),
            stopped_reason: Some(HOSTILE.into()),
            containers: vec![ContainerFacts {
                name: "web".into(),
                reason: Some(HOSTILE.into()),
                ..ContainerFacts::default()
            }],
            ..TaskFacts::default()
        };
        let facts = Facts {
            facts_version: FACTS_VERSION,
            region: "us-east-1".into(),
            request: RequestFacts {
                cluster: "prod".into(),
                task: ARN.into(),
                source: TaskSource::Event,
            },
            task: Readable::Read {
                value: TaskLookup::Found {
                    task: Box::new(task),
                },
            },
            task_definition: Some(Readable::Read {
                value: TaskDefinitionFacts::default(),
            }),
            network: None,
            image: None,
            iam: None,
            secrets: None,
            logging: None,
            placement: None,
            changes: None,
        };
        let mut r = crate::judge::judge(&facts, StageSelection::All);
        assert!(
            r.task.stopped_reason.as_deref() == Some(HOSTILE),
            "the judge keeps the reason as given"
        );
        // What the other stages copy from the account: descriptions, tags, names, as
        // evidence, details, stage summaries and network paths.
        let stage = r.stages.last_mut().unwrap();
        stage.summary = HOSTILE.into();
        stage.findings.push(
            Finding::new(
                Code::NetSgEgressBlocked,
                Status::Fail,
                Severity::Critical,
                format!("The security group described as {HOSTILE:?} blocks it.\n{HOSTILE}"),
            )
            .evidence("securityGroupDescription", HOSTILE)
            .evidence("tags", serde_json::json!({"Name": HOSTILE}))
            .remediation(format!(
                "Fix {HOSTILE}\naws ec2 describe-security-groups --group-ids '{HOSTILE}'"
            )),
        );
        // A console path carries evidence too (a group's name, a log group's).
        stage.findings.last_mut().unwrap().console =
            format!("Amazon VPC console > Security groups > {HOSTILE}");
        stage.paths.push(PathView {
            destination: HOSTILE.into(),
            why: HOSTILE.into(),
            via: HOSTILE.into(),
            status: Status::Fail,
            hops: vec![Hop {
                layer: HOSTILE.into(),
                status: Status::Fail,
                detail: format!(
                    "sg-0a8 {HOSTILE} \"] --> evil[\"x\"] %% click n1 \"javascript:alert(1)\""
                ),
                code: None,
            }],
        });
        r.summary = HOSTILE.into();
        r
    }

    /// The tricks' raw forms, none of which may appear in either rendering.
    const RAW: [&str; 12] = [
        "\u{1b}",
        "\u{7}",
        "\u{9b}",
        "\r",
        "\u{202e}",
        "\u{200b}",
        "](http",
        "<img",
        "<http://evil",
        "://evil",
        "www.evil",
        "@evil",
    ];

    #[test]
    fn text_neutralises_terminal_escapes() {
        let out = text(&hostile_report());
        for bad in ["\u{1b}", "\u{7}", "\u{9b}", "\r", "\u{202e}", "\u{200b}"] {
            assert!(!out.contains(bad), "{bad:?} passed through:\n{out}");
        }
        assert!(
            out.chars().all(|c| c == '\n' || !c.is_control()),
            "a control character passed through"
        );
        // The reader still sees that something was there.
        assert!(
            out.contains("\\x1b]8;;http://evil.example\\x07click"),
            "{out}"
        );
        assert!(out.contains("\\u{202e}txt.exe"), "{out}");
        // An injected line break never starts a line of the renderer's own: every line the
        // hostile text starts is indented or is the renderer's.
        assert!(
            !out.lines()
                .any(|l| l.starts_with("# Heading") || l.starts_with("===")),
            "{out}"
        );
    }

    #[test]
    fn coloured_text_carries_only_its_own_escapes() {
        let r = hostile_report();
        let opts = TextOptions {
            color: true,
            verbose: true,
        };
        let out = text_with(&r, opts);
        // Every ESC is the start of one of the renderer's SGR sequences (ESC [ digits;... m);
        // the account's own escapes are visible text, as without colour.
        let mut rest = out.as_str();
        let mut sequences = 0;
        while let Some(i) = rest.find('\u{1b}') {
            let after = &rest[i + 1..];
            let end = after.find('m').expect("an SGR sequence");
            let params = &after[..end];
            assert!(
                params.starts_with('[')
                    && params[1..].chars().all(|c| c.is_ascii_digit() || c == ';'),
                "not an SGR sequence: {params:?}"
            );
            sequences += 1;
            rest = &after[end + 1..];
        }
        assert!(sequences > 5, "{out}");
        for bad in ["\u{7}", "\u{9b}", "\r", "\u{202e}", "\u{200b}"] {
            assert!(!out.contains(bad), "{bad:?} passed through");
        }
        assert!(out.contains("\\x1b]8;;http://evil.example\\x07click"));
        // Verbose text holds everything the collapsed text does.
        let short = text(&r);
        for line in short.lines().filter(|l| !l.contains("verified:")) {
            assert!(
                text_with(
                    &r,
                    TextOptions {
                        color: false,
                        verbose: true
                    }
                )
                .contains(line),
                "{line:?} missing from the verbose text"
            );
        }
    }

    /// The Markdown outside code spans and fenced blocks, where text is literal anyway.
    fn outside_code(md: &str) -> String {
        let mut out = String::new();
        let mut fenced = false;
        for line in md.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            let mut in_span = false;
            let mut prev = ' ';
            for c in line.chars() {
                if c == '`' && prev != '\\' {
                    in_span = !in_span;
                } else if !in_span {
                    out.push(c);
                }
                prev = c;
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn markdown_neutralises_links_html_and_structure() {
        let out = markdown(&hostile_report());
        let prose = outside_code(&out);
        for bad in RAW {
            // A backslash before it makes it text.
            let raw = prose
                .match_indices(bad)
                .any(|(i, _)| !prose[..i].ends_with('\\'));
            assert!(!raw, "{bad:?} passed through:\n{prose}");
        }
        // An entity outside code would be decoded (`&#x202e;` is a bidi override).
        assert!(
            !prose
                .match_indices("&#")
                .any(|(i, _)| !prose[..i].ends_with('\\')),
            "an entity passed through:\n{prose}"
        );
        for bad in &RAW[..6] {
            assert!(!out.contains(bad), "{bad:?} passed through:\n{out}");
        }
        assert!(
            out.chars().all(|c| c == '\n' || !c.is_control()),
            "a control character passed through"
        );
        for line in out.lines() {
            // No heading but the renderer's own (`## ecs-task-doctor`, `### <stage> — …`).
            if line.starts_with('#') {
                assert!(
                    line.starts_with("## ecs-task-doctor: ") || line.starts_with("### "),
                    "{line}"
                );
                assert!(
                    !line.contains("Heading") || line.contains("\\# Heading"),
                    "{line}"
                );
            }
            // Code fences only where the renderer opens and closes them.
            if line.contains("```") {
                assert!(
                    ["```", "```sh", "```mermaid"].contains(&line.trim()),
                    "an injected fence: {line}"
                );
            }
            // Table rows keep their two cells: three unescaped pipes.
            if line.starts_with('|') {
                let unescaped = line
                    .char_indices()
                    .filter(|(i, c)| *c == '|' && !line[..*i].ends_with('\\'))
                    .count();
                assert_eq!(unescaped, 3, "{line}");
            }
            // No injected list items or setext underlines at the start of a line.
            assert!(
                !line.starts_with("===") && !line.starts_with("- item"),
                "{line}"
            );
        }
        // The Mermaid block stays in the renderer's subset: one node per label, no breakout.
        let mermaid = out
            .split("```mermaid\n")
            .nth(1)
            .and_then(|m| m.split("```").next())
            .expect("a failing path is drawn");
        for line in mermaid.lines().skip(1) {
            let l = line.trim();
            assert!(
                l.starts_with('n') || l.starts_with("classDef") || l.starts_with("class "),
                "{l}"
            );
            assert!(!l.contains("click ") || l.contains("[\""), "{l}");
            assert!(
                !l.contains("%%") && !l.contains("\"]  -->") && !l.contains("evil["),
                "{l}"
            );
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        let plain = "CannotPullContainerError: pull image manifest has been retried 5 time(s)";
        assert_eq!(text::terminal_safe(plain), plain);
        assert_eq!(
            text::terminal_safe("a\u{1b}[31mb\tc\u{202e}"),
            "a\\x1b[31mb c\\u{202e}"
        );
    }
}
