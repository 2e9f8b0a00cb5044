//! Credentials in text AWS hands us, removed before anything keeps or shows that text.
//!
//! A `stoppedReason` (or a container's `reason`) can quote the presigned URL of an image
//! layer in ECR's S3 bucket (`https://prod-us-east-1-starport-layer-bucket.s3...?...`), and
//! such a URL carries credentials "enough for others to also potentially pull the container"
//! (aws/containers-roadmap#1133; shared/research/field-2026-12.md §3.7). DESIGN §7: the
//! values of those query parameters are redacted at collect time, before any output.
//!
//! [`redact`] replaces the *value* of every `X-Amz-Credential`, `X-Amz-Security-Token`,
//! `X-Amz-Signature`, and old-style `Signature` and `AWSAccessKeyId` parameter with
//! [`REDACTED`], and keeps everything else (the host, the path, the other parameters), so
//! the reason still classifies and still names the layer bucket. Names match in any case,
//! the `=` may be URL-encoded (`%3D`, or twice: `%253D`), and a value runs to the first
//! `&` (or `%26`, `%2526`), whitespace, quote, backquote, `\`, `)`, `]`, `}`, `>`, `<`, `,`, `;`, `#`
//! or the end of the text: none of these occurs in a credential, key ID, token or signature
//! (base64, hex or their URL encoding). A `...` that ends the text is kept after
//! [`REDACTED`]: it is ECS's mark of a reason it cut short, not part of the value. A value
//! with no letter or digit (an elided `...`) holds no credential and is left as it is.
//!
//! The function is pure and total: any text in, the same text with at most
//! `REDACTED.len()` bytes more per parameter out (never more than twice the input), and
//! redacting twice is redacting once.

use std::borrow::Cow;

use crate::facts::{TaskFacts, TaskLookup};

/// What a credential value becomes.
pub const REDACTED: &str = "REDACTED";

/// The query parameters whose values are credentials (lowercase; matched in any case).
/// `x-amz-signature` before `signature`, so the longer name wins where both match.
const NAMES: &[&str] = &[
    "x-amz-security-token",
    "x-amz-credential",
    "x-amz-signature",
    "awsaccesskeyid",
    "signature",
];

/// What may join a name to its value: `=`, URL-encoded once or twice.
const SEPARATORS: &[&str] = &["%253d", "%3d", "="];

/// The cut mark ECS appends to a reason it shortened (see the task catalogue).
const CUT_MARK: &str = "...";

/// Whether `b` ends a value.
fn ends_value(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'&' | b'"'
                | b'\''
                | b'`'
                | b'\\'
                | b')'
                | b']'
                | b'}'
                | b'>'
                | b'<'
                | b','
                | b';'
                | b'#'
        )
}

/// One credential parameter found in a text: the byte range of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Value {
    start: usize,
    end: usize,
}

/// Whether `haystack[at..]` starts with `needle`, ASCII case ignored.
fn starts_with_ignore_case(haystack: &[u8], at: usize, needle: &str) -> bool {
    haystack
        .get(at..at + needle.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The values of every credential parameter in `text`, in order, not overlapping.
fn values(text: &str) -> Vec<Value> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let Some(name) = NAMES.iter().find(|n| starts_with_ignore_case(bytes, i, n)) else {
            i += 1;
            continue;
        };
        let after_name = i + name.len();
        let Some(sep) = SEPARATORS
            .iter()
            .find(|s| starts_with_ignore_case(bytes, after_name, s))
        else {
            i += 1;
            continue;
        };
        let start = after_name + sep.len();
        let mut end = start;
        while end < bytes.len()
            && !ends_value(bytes[end])
            && !starts_with_ignore_case(bytes, end, "%26")
            && !starts_with_ignore_case(bytes, end, "%2526")
        {
            end += 1;
        }
        // A value that runs to the end of a text ending in `...` leaves the mark out.
        if end == bytes.len() && text[start..end].ends_with(CUT_MARK) {
            end -= CUT_MARK.len();
        }
        out.push(Value { start, end });
        i = end.max(i + 1);
    }
    out
}

/// Whether a value can hold a credential: it is not [`REDACTED`] already, and it has a
/// letter or a digit (every credential does; `...`, an elision people write, does not).
fn holds_a_secret(value: &str) -> bool {
    value != REDACTED && value.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// `text` with every credential value replaced by [`REDACTED`] (borrowed when there was
/// none to replace).
pub fn redact(text: &str) -> Cow<'_, str> {
    let found: Vec<Value> = values(text)
        .into_iter()
        .filter(|v| holds_a_secret(&text[v.start..v.end]))
        .collect();
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for v in found {
        out.push_str(&text[at..v.start]);
        out.push_str(REDACTED);
        at = v.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Redacts a string in place.
pub fn redact_string(text: &mut String) {
    if let Cow::Owned(r) = redact(text) {
        *text = r;
    }
}

/// Redacts an optional string in place.
pub fn redact_option(text: &mut Option<String>) {
    if let Some(t) = text {
        redact_string(t);
    }
}

/// Whether `text` holds a credential parameter whose value [`redact`] replaced: the text
/// was longer before (the task catalogue needs to know, to tell a cut reason).
pub fn was_redacted(text: &str) -> bool {
    values(text)
        .iter()
        .any(|v| &text[v.start..v.end] == REDACTED)
}

/// The log targets whose TRACE events print AWS answers whole: the SDK's orchestrator logs
/// every deserialized response (`output_or_error = Ok(Output(... DescribeTasksOutput { ...
/// stopped_reason: Some("...X-Amz-Signature=...") ...`) before any Facts exist to redact.
const RAW_ANSWER_TARGETS: &[&str] = &["aws_smithy_runtime", "aws_smithy_http", "aws_sdk_"];

/// Whether a log event may be written: every event but the SDK's TRACE events that print
/// AWS answers whole ([`RAW_ANSWER_TARGETS`]), which would carry the unredacted stop
/// reason. Every subscriber the binaries install filters with it (`filter_fn`).
pub fn log_event_allowed(meta: &tracing::Metadata<'_>) -> bool {
    *meta.level() != tracing::Level::TRACE
        || !RAW_ANSWER_TARGETS
            .iter()
            .any(|t| meta.target().starts_with(t))
}

/// Redacts every text of a task that AWS wrote and may quote a URL: its stop reason and
/// each container's reason.
pub fn redact_task(task: &mut TaskFacts) {
    redact_option(&mut task.stopped_reason);
    for c in &mut task.containers {
        redact_option(&mut c.reason);
    }
}

/// Redacts a task lookup: the found task's texts ([`redact_task`]), or the failure reason.
pub fn redact_lookup(lookup: &mut TaskLookup) {
    match lookup {
        TaskLookup::Found { task } => redact_task(task),
        TaskLookup::Missing { reason, .. } => redact_string(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOKEN: &str =
        "IQoJb3JpZ2luX2VjEFAKEFAKEFAKE%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIFAKEtoken%2BAbC%3D";
    const SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdeffakesignature00";
    const CRED: &str = "ASIAFAKECREDENTIAL01%2F20261203%2Fus-east-1%2Fs3%2Faws4_request";

    fn layer_url() -> String {
        format!(
            "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/abcd-123456789012-0f0f/\
             11111111-2222-3333-4444-555555555555?X-Amz-Security-Token={TOKEN}&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Date=20261203T101010Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600\
             &X-Amz-Credential={CRED}&X-Amz-Signature={SIG}"
        )
    }

    #[test]
    fn a_presigned_layer_url_keeps_everything_but_the_credentials() {
        let reason = format!(
            "CannotPullContainerError: error pulling image configuration: download failed after attempts=1: \
             Get \"{}\": dial tcp 52.216.1.1:443: i/o timeout",
            layer_url()
        );
        let out = redact(&reason);
        for secret in [TOKEN, SIG, CRED] {
            assert!(!out.contains(secret), "{out}");
        }
        assert!(out.contains("X-Amz-Security-Token=REDACTED&X-Amz-Algorithm=AWS4-HMAC-SHA256"));
        assert!(out.contains("X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED\": dial tcp"));
        assert!(
            out.contains("prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/abcd-")
        );
        assert!(out.contains("X-Amz-Date=20261203T101010Z&X-Amz-SignedHeaders=host"));
        assert!(was_redacted(&out));
        assert!(!was_redacted(&reason));
        // Still the reason it was.
        assert_eq!(
            crate::judge::task::catalogue::classify(&out).unwrap().1.id,
            "pull.layer-bucket"
        );
    }

    #[test]
    fn old_style_signatures_and_any_case_and_encoding() {
        let text = "Get https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIAFAKECREDENTIAL01&Expires=1700000000&Signature=abc%2Bdef%3D failed";
        assert_eq!(
            redact(text),
            "Get https://b.s3.amazonaws.com/k?AWSAccessKeyId=REDACTED&Expires=1700000000&Signature=REDACTED failed"
        );
        assert_eq!(
            redact("x-amz-signature=abc&X-AMZ-CREDENTIAL=def"),
            "x-amz-signature=REDACTED&X-AMZ-CREDENTIAL=REDACTED"
        );
        // The whole URL encoded inside another one.
        assert_eq!(
            redact(
                "next=https%3A%2F%2Fb%2Fk%3FX-Amz-Credential%3DAKIAFAKE%252F2026%26X-Amz-Date%3D1"
            ),
            "next=https%3A%2F%2Fb%2Fk%3FX-Amz-Credential%3DREDACTED%26X-Amz-Date%3D1"
        );
        assert_eq!(
            redact("u=X-Amz-Signature%253Dabcdef%2526x"),
            "u=X-Amz-Signature%253DREDACTED%2526x"
        );
    }

    #[test]
    fn values_end_where_a_credential_cannot_go_on() {
        for (text, want) in [
            ("(Signature=abc) x", "(Signature=REDACTED) x"),
            ("'Signature=abc' x", "'Signature=REDACTED' x"),
            ("\"Signature=abc\"", "\"Signature=REDACTED\""),
            ("Signature=abc\tx", "Signature=REDACTED\tx"),
            ("Signature=abc\\\"}", "Signature=REDACTED\\\"}"),
            ("Signature=abc", "Signature=REDACTED"),
        ] {
            assert_eq!(redact(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_cut_reason_keeps_its_cut_mark() {
        let cut = "Get https://b/k?X-Amz-Security-Token=IQoJb3JpZ2luX2Vj...";
        assert_eq!(
            redact(cut),
            "Get https://b/k?X-Amz-Security-Token=REDACTED..."
        );
        assert!(was_redacted(&redact(cut)));
    }

    #[test]
    fn text_without_credentials_is_borrowed_unchanged() {
        for text in [
            "",
            "CannotPullContainerError: context canceled",
            "Signature",
            "a signature = b",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=1",
            "Signature=&x",
            // An elided value (the shipped example's) holds nothing.
            "?X-Amz-Security-Token=...\": dial tcp",
        ] {
            assert!(
                matches!(redact(text), Cow::Borrowed(t) if t == text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_task_is_redacted_everywhere_a_url_can_be() {
        let mut task = TaskFacts {
            stopped_reason: Some(format!("x {}", layer_url())),
            containers: vec![crate::facts::ContainerFacts {
                reason: Some(format!("y {}", layer_url())),
                ..Default::default()
            }],
            ..TaskFacts::default()
        };
        redact_task(&mut task);
        let all = format!("{task:?}");
        for secret in [TOKEN, SIG, CRED] {
            assert!(!all.contains(secret));
        }
        let mut missing = TaskLookup::Missing {
            reason: "MISSING Signature=abc".into(),
            arn: None,
        };
        redact_lookup(&mut missing);
        assert!(format!("{missing:?}").contains("Signature=REDACTED"));
    }

    fn name() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "X-Amz-Credential",
                "X-Amz-Security-Token",
                "X-Amz-Signature",
                "Signature",
                "AWSAccessKeyId",
            ]),
            prop::collection::vec(any::<bool>(), 24),
        )
            .prop_map(|(n, upper)| {
                n.chars()
                    .zip(upper)
                    .map(|(c, u)| {
                        if u {
                            c.to_ascii_uppercase()
                        } else {
                            c.to_ascii_lowercase()
                        }
                    })
                    .collect()
            })
    }

    /// A credential value: what AWS puts there (base64, hex, key IDs, their URL encoding),
    /// long enough to be told from chance.
    fn credential() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                "[A-Za-z0-9+/=_-]",
                Just("%2F".to_string()),
                Just("%2B".to_string()),
                Just("%3D".to_string())
            ],
            12..60,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn no_credential_value_survives(
            prefix in "\\PC{0,60}",
            suffix in "\\PC{0,60}",
            params in prop::collection::vec((name(), prop::sample::select(vec!["=", "%3D", "%3d", "%253D"]), credential(),
                                              prop::sample::select(vec!["&", "%26", " ", "\"", "'", ")", "\\", ""])), 1..4),
        ) {
            let mut text = prefix.clone();
            for (n, sep, value, end) in &params {
                text.push_str(&format!("{n}{sep}{value}{end}"));
            }
            text.push_str(&suffix);
            let out = redact(&text);
            for (_, _, value, _) in &params {
                // Unless the text had it elsewhere by chance.
                if !prefix.contains(value.as_str()) && !suffix.contains(value.as_str()) {
                    prop_assert!(!out.contains(value.as_str()), "{value} in {out}");
                }
            }
        }

        #[test]
        fn redacting_is_idempotent_total_and_bounded(text in "\\PC{0,300}") {
            let once = redact(&text).into_owned();
            prop_assert_eq!(redact(&once).into_owned(), once.clone());
            prop_assert!(once.len() <= text.len() * 2);
        }

        #[test]
        fn redacting_url_like_text_is_idempotent_and_bounded(
            text in "([a-zA-Z0-9%&=?/.: \"')\\\\-]|Signature|X-Amz-Credential|x-amz-security-token|X-Amz-Signature|AWSAccessKeyId|%3D|%26|\\.\\.\\.){0,60}"
        ) {
            let once = redact(&text).into_owned();
            prop_assert_eq!(redact(&once).into_owned(), once.clone());
            prop_assert!(once.len() <= text.len() * 2, "{} -> {}", text.len(), once.len());
        }

        #[test]
        fn text_without_a_credential_name_is_unchanged(text in "\\PC{0,300}") {
            let lower = text.to_ascii_lowercase();
            prop_assume!(!lower.contains("signature") && !lower.contains("x-amz-credential")
                && !lower.contains("x-amz-security-token") && !lower.contains("awsaccesskeyid"));
            prop_assert!(matches!(redact(&text), Cow::Borrowed(_)));
        }
    }
}
