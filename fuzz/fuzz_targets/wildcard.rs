//! Differential fuzzing of the IAM wildcard matcher (issue 16 item 6): `wildcard_match`, the
//! linear segment algorithm of `src/judge/policy/matching.rs`, gives the same answer as the
//! definition (a dynamic programme over pattern and text positions) on arbitrary patterns and
//! texts, case-sensitive and case-insensitive, and never panics. The input is the pattern,
//! a NUL byte, then the text; patterns and texts are capped at 2,000 characters so that the
//! reference (`O(pattern * text)`) stays fast. libFuzzer's `-timeout` reports any input on
//! which the matcher itself is slow.

#![no_main]

use ecs_task_doctor_fuzz::policy::{arn_match, wildcard_match};
use libfuzzer_sys::fuzz_target;

/// Whether `text` matches `pattern` (`*` any run, `?` any one character), by definition.
fn reference(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if case_insensitive {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // row[j]: the pattern's first i characters match the text's first j.
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for pc in &p {
        let mut next = vec![false; t.len() + 1];
        if *pc == '*' {
            next[0] = row[0];
            for j in 1..=t.len() {
                next[j] = row[j] || next[j - 1];
            }
        } else {
            for j in 1..=t.len() {
                next[j] = row[j - 1] && (*pc == '?' || *pc == t[j - 1]);
            }
        }
        row = next;
    }
    row[t.len()]
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, text) = s.split_once('\0').unwrap_or((s, ""));
    if pattern.chars().count() > 2_000 || text.chars().count() > 2_000 {
        return;
    }
    for ci in [false, true] {
        assert_eq!(
            wildcard_match(pattern, text, ci),
            reference(pattern, text, ci),
            "{pattern:?} {text:?} case-insensitive={ci}"
        );
    }
    let _ = arn_match(pattern, text);
});
