//! Matching of actions, resources and ARNs: IAM globs (`*`, `?`), case-insensitive for
//! actions and case-sensitive for resources, and the three-valued answer every part of
//! the evaluator shares.

use serde_json::Value;

/// A three-valued answer: a statement (or one of its parts) applies, does not apply, or
/// cannot be decided from what is known. `Unknown` carries the reason, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    /// Decided: yes.
    Yes,
    /// Decided: no.
    No,
    /// Not decidable here; the reason says why.
    Unknown(String),
}

impl Tri {
    /// `a AND b` in Kleene's logic: a definite `No` wins over `Unknown`.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown(w), _) | (_, Tri::Unknown(w)) => Tri::Unknown(w),
            _ => Tri::Yes,
        }
    }

    /// `a OR b` in Kleene's logic: a definite `Yes` wins over `Unknown`.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown(w), _) | (_, Tri::Unknown(w)) => Tri::Unknown(w),
            _ => Tri::No,
        }
    }

    /// Logical negation; `Unknown` stays unknown.
    pub fn negate(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            u => u,
        }
    }

    /// From a plain boolean.
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }
}

/// Matches `text` against an IAM pattern with `*` and `?`, case-insensitively for actions.
///
/// Why it is built this way: a policy and its request come from a snapshot, which is
/// untrusted input, and the classic "backtrack to the last star" loop takes `|pattern| *
/// |text|` steps on `*<long literal>b` (issue 16: 26-29 s for one 413 KB snapshot). This is
/// the segment algorithm instead, linear in `|pattern| + |text|` for patterns without `?`:
///
/// - the pattern is cut at every `*` into segments; the first is anchored at the start of the
///   text, the last at its end, and the ones between are found leftmost-first, each after the
///   one before. Taking the leftmost occurrence is never wrong for a glob: any match that uses
///   a later occurrence can use the leftmost one instead, leaving more text for the rest;
/// - a segment without `?` is found with `str::find`, the standard library's Two-Way search,
///   which is `O(|haystack| + |segment|)` in the worst case;
/// - a segment with `?` is found with the bit-parallel Shift-And algorithm over `u64` words:
///   `O(|haystack| * ceil(|segment| / 64))` time and `O(|segment|)` memory. That is the honest
///   bound: linear in the text for segments of up to 64 characters, and 64 times cheaper than
///   backtracking for longer ones.
///
/// Semantics are exactly the previous matcher's (and IAM's): `?` is any one character, `*`
/// any run of characters including none; a `*` or `?` in the pattern is always a wildcard,
/// even where the text has the same character; for actions, pattern and text are compared
/// after `str::to_lowercase`, character by character.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        glob_match(&fold(pattern), &fold(text))
    } else {
        glob_match(pattern, text)
    }
}

/// `s.to_lowercase()`, without the copy when it cannot change anything (ASCII without an
/// upper-case letter): how actions are compared. The statement evaluator folds the request's
/// action once for all the patterns of an element.
pub(super) fn fold(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// The segment algorithm of [`wildcard_match`], case-sensitive (strings already [`fold`]ed
/// for actions): what the statement evaluator calls with a text folded once.
pub(super) fn glob_match(pattern: &str, text: &str) -> bool {
    let (Some(first), Some(last)) = (pattern.find('*'), pattern.rfind('*')) else {
        // No star: the whole text, character for character.
        return strip_prefix(text, pattern).is_some_and(str::is_empty);
    };
    let head = &pattern[..first];
    let tail = &pattern[last + 1..];
    let middle = if first < last {
        &pattern[first + 1..last]
    } else {
        ""
    };
    let Some(rest) = strip_prefix(text, head) else {
        return false;
    };
    // The tail is matched against what the head left, so the two never overlap.
    let Some(mut hay) = strip_suffix(rest, tail) else {
        return false;
    };
    for segment in middle.split('*').filter(|s| !s.is_empty()) {
        match find_segment(hay, segment) {
            Some(end) => hay = &hay[end..],
            None => return false,
        }
    }
    true
}

/// `text` without a leading match of `segment` (a star-free piece of a pattern), if it has one.
fn strip_prefix<'t>(text: &'t str, segment: &str) -> Option<&'t str> {
    if !segment.contains('?') {
        count(segment.len());
        return text.strip_prefix(segment);
    }
    let mut chars = text.char_indices();
    for p in segment.chars() {
        count(1);
        match chars.next() {
            Some((_, c)) if p == '?' || p == c => {}
            _ => return None,
        }
    }
    Some(chars.as_str())
}

/// `text` without a trailing match of `segment`, if it has one.
fn strip_suffix<'t>(text: &'t str, segment: &str) -> Option<&'t str> {
    if !segment.contains('?') {
        count(segment.len());
        return text.strip_suffix(segment);
    }
    let mut chars = text.chars();
    for p in segment.chars().rev() {
        count(1);
        match chars.next_back() {
            Some(c) if p == '?' || p == c => {}
            _ => return None,
        }
    }
    Some(chars.as_str())
}

/// The byte offset just after the leftmost occurrence of `segment` (non-empty, star-free) in
/// `hay`, if there is one. Every occurrence of a segment has the same number of characters,
/// so the leftmost one is also the one that ends first.
fn find_segment(hay: &str, segment: &str) -> Option<usize> {
    if !segment.contains('?') {
        // Two-Way: at most a constant times |hay| + |segment| comparisons.
        let found = hay.find(segment);
        count(found.map_or(hay.len(), |i| i + segment.len()) + segment.len());
        return found.map(|i| i + segment.len());
    }
    ShiftAnd::new(segment).find_end(hay)
}

/// Shift-And (Baeza-Yates and Gonnet) for a segment with `?`: bit `j` of the state says that
/// the segment's first `j + 1` characters end at the current character of the text.
///
/// A character's mask (the positions it may stand at: its own and every `?`) is kept dense,
/// one bit per position, only for characters that occur at least once per word of the
/// segment; at most 64 characters can, so the dense masks take `O(|segment|)` memory
/// together. A rarer character keeps the list of its positions, shorter than the number of
/// words, so every step of the text costs `O(ceil(|segment| / 64))` either way.
struct ShiftAnd {
    /// Words per mask: `ceil(|segment| / 64)`.
    words: usize,
    /// The bit of the segment's last position, in the last word.
    last: u64,
    /// The positions of `?`, which every character may stand at.
    any: Vec<u64>,
    /// Each character of the segment (other than `?`): where it may stand.
    masks: std::collections::HashMap<char, Mask>,
}

/// Where one character may stand in a segment.
enum Mask {
    /// A bit per position, `?` positions included.
    Dense(Vec<u64>),
    /// The character's own positions (fewer than the segment has words); add [`ShiftAnd::any`].
    Sparse(Vec<usize>),
}

impl ShiftAnd {
    fn new(segment: &str) -> ShiftAnd {
        let mut len = 0usize;
        let mut positions: std::collections::HashMap<char, Vec<usize>> =
            std::collections::HashMap::new();
        let mut wild = Vec::new();
        for (j, c) in segment.chars().enumerate() {
            if c == '?' {
                wild.push(j);
            } else {
                positions.entry(c).or_default().push(j);
            }
            len = j + 1;
        }
        let words = len.div_ceil(64);
        count(len + words);
        let bits = |list: &[usize], into: &mut Vec<u64>| {
            for &j in list {
                into[j / 64] |= 1 << (j % 64);
            }
        };
        let mut any = vec![0u64; words];
        bits(&wild, &mut any);
        let masks = positions
            .into_iter()
            .map(|(c, list)| {
                let mask = if list.len() >= words {
                    let mut m = any.clone();
                    bits(&list, &mut m);
                    Mask::Dense(m)
                } else {
                    Mask::Sparse(list)
                };
                (c, mask)
            })
            .collect();
        ShiftAnd {
            words,
            last: 1 << ((len - 1) % 64),
            any,
            masks,
        }
    }

    /// The byte offset just after the first (leftmost) match in `hay`.
    fn find_end(&self, hay: &str) -> Option<usize> {
        let w = self.words;
        let mut state = vec![0u64; w];
        let mut next = vec![0u64; w];
        for (i, c) in hay.char_indices() {
            count(w);
            // Every partial match extends by one character, and one starts here.
            let mut carry = 1u64;
            for word in state.iter_mut() {
                let shifted = (*word << 1) | carry;
                carry = *word >> 63;
                *word = shifted;
            }
            match self.masks.get(&c) {
                Some(Mask::Dense(m)) => state.iter_mut().zip(m).for_each(|(s, m)| *s &= m),
                Some(Mask::Sparse(list)) => {
                    for (n, (s, a)) in next.iter_mut().zip(state.iter().zip(&self.any)) {
                        *n = s & a;
                    }
                    for &j in list {
                        next[j / 64] |= state[j / 64] & (1 << (j % 64));
                    }
                    std::mem::swap(&mut state, &mut next);
                }
                None => state.iter_mut().zip(&self.any).for_each(|(s, a)| *s &= a),
            }
            if state[w - 1] & self.last != 0 {
                return Some(i + c.len_utf8());
            }
        }
        None
    }
}

/// Adds `n` to the test-only count of the matcher's elementary steps (characters compared,
/// scanned or shifted), so that tests can check the work is linear without timing anything.
/// Nothing in a build that is not a test.
#[inline(always)]
fn count(n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

#[cfg(test)]
thread_local! {
    /// The steps [`count`] has added on this thread.
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// What `f` returns and the matcher steps it took on this thread (test-only; see [`count`]).
#[cfg(test)]
pub(crate) fn counting_steps<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = STEPS.with(|s| s.get());
    let r = f();
    (r, STEPS.with(|s| s.get()) - before)
}

/// The steps one [`wildcard_match`] call takes (test-only; see [`count`]).
#[cfg(test)]
pub(crate) fn steps_of(pattern: &str, text: &str, case_insensitive: bool) -> (bool, u64) {
    counting_steps(|| wildcard_match(pattern, text, case_insensitive))
}

/// Matches an ARN against an ARN pattern the way the `Arn*` condition operators do: six
/// colon-separated parts, each matched with wildcards (the resource part keeps its colons).
pub fn arn_match(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() != 6 || a.len() != 6 {
        // Not an ARN: AWS compares nothing (the condition does not match), except "*".
        return pattern == "*";
    }
    p.iter()
        .zip(&a)
        .all(|(pp, aa)| wildcard_match(pp, aa, false))
}

/// A string-or-array policy element as a list of strings (numbers and booleans written as
/// text, which is what IAM does with them). `None` when the element has another shape.
pub fn string_list(v: &Value) -> Option<Vec<String>> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|s| vec![s]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matcher this file had before issue 16 (greedy, backtracking to the last star):
    /// `O(|pattern| * |text|)`, but its answers are the semantics to keep. Returns the answer
    /// and the number of loop iterations it took.
    fn backtracking(pattern: &str, text: &str, case_insensitive: bool) -> (bool, u64) {
        let (p, t): (Vec<char>, Vec<char>) = if case_insensitive {
            (
                pattern.to_lowercase().chars().collect(),
                text.to_lowercase().chars().collect(),
            )
        } else {
            (pattern.chars().collect(), text.chars().collect())
        };
        let (mut pi, mut ti, mut iterations) = (0usize, 0usize, 0u64);
        let (mut star, mut mark) = (None::<usize>, 0usize);
        while ti < t.len() {
            iterations += 1;
            if pi < p.len() && p[pi] == '*' {
                star = Some(pi);
                mark = ti;
                pi += 1;
            } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if let Some(s) = star {
                pi = s + 1;
                mark += 1;
                ti = mark;
            } else {
                return (false, iterations);
            }
        }
        while pi < p.len() && p[pi] == '*' {
            pi += 1;
        }
        (pi == p.len(), iterations)
    }

    /// The definition, as a memoised recursion over (pattern position, text position):
    /// obviously right, and too slow for anything but short strings.
    fn reference(pattern: &str, text: &str, case_insensitive: bool) -> bool {
        let (p, t): (Vec<char>, Vec<char>) = if case_insensitive {
            (
                pattern.to_lowercase().chars().collect(),
                text.to_lowercase().chars().collect(),
            )
        } else {
            (pattern.chars().collect(), text.chars().collect())
        };
        fn go(p: &[char], t: &[char], i: usize, j: usize, memo: &mut Vec<Option<bool>>) -> bool {
            let k = i * (t.len() + 1) + j;
            if let Some(v) = memo[k] {
                return v;
            }
            let v = match p.get(i) {
                None => j == t.len(),
                Some('*') => go(p, t, i + 1, j, memo) || (j < t.len() && go(p, t, i, j + 1, memo)),
                Some(c) => j < t.len() && (*c == '?' || *c == t[j]) && go(p, t, i + 1, j + 1, memo),
            };
            memo[k] = Some(v);
            v
        }
        let mut memo = vec![None; (p.len() + 1) * (t.len() + 1)];
        go(&p, &t, 0, 0, &mut memo)
    }

    /// The examples every matcher must agree on, hostile ones included.
    #[test]
    fn agrees_with_the_reference_on_edge_cases() {
        let long = "a".repeat(300);
        let cases: Vec<(String, String)> = vec![
            ("".into(), "".into()),
            ("".into(), "a".into()),
            ("*".into(), "".into()),
            ("?".into(), "".into()),
            ("?".into(), "é".into()),
            ("**".into(), "ab".into()),
            ("a*a".into(), "a".into()),
            ("a*a".into(), "aa".into()),
            ("*a*".into(), "bab".into()),
            ("ab*ba".into(), "aba".into()),
            ("*?*?*".into(), "a".into()),
            ("*?*?*".into(), "ab".into()),
            ("a?c*".into(), "abc".into()),
            ("*b?".into(), "abba".into()),
            ("*?b".into(), "b".into()),
            ("*ab?ab*".into(), "abcababxab".into()),
            ("*".into(), "*".into()),
            ("a*".into(), "*".into()),
            ("?".into(), "*".into()),
            (format!("*{long}b"), format!("{long}{long}")),
            (format!("*{long}b"), format!("{long}{long}b")),
            (format!("*a?{long}b*"), format!("{long}x{long}b")),
            (format!("*?{long}?*"), format!("{long}")),
            (format!("{long}*{long}"), long.clone()),
            (format!("*{}*b", "?".repeat(70)), "a".repeat(200)),
            (
                format!("*{}*b", "?".repeat(70)),
                format!("{}b", "a".repeat(200)),
            ),
            ("ECR:Get*".into(), "ecr:GetAuthorizationToken".into()),
            ("İ*".into(), "i\u{307}x".into()),
        ];
        for (p, t) in &cases {
            for ci in [false, true] {
                let want = reference(p, t, ci);
                assert_eq!(wildcard_match(p, t, ci), want, "{p:?} {t:?} ci={ci}");
                assert_eq!(backtracking(p, t, ci).0, want, "{p:?} {t:?} ci={ci}");
            }
        }
    }

    /// Issue 16: `*`, a long literal and `b`, against a long text made of the literal's
    /// character. The backtracking matcher takes `len * len` steps; this one a small multiple
    /// of the input's length, at every size (counted, not timed).
    #[test]
    fn the_pathological_wildcard_takes_linear_steps() {
        let mut previous = None;
        for len in [1_000usize, 2_000, 4_000, 8_000, 16_000] {
            let (pattern, text) = crate::judge::secrets::hostile::pathological_wildcard(len);
            let size = (pattern.len() + text.len()) as u64;
            let (matched, steps) = steps_of(&pattern, &text, false);
            assert!(!matched);
            assert!(steps <= 4 * size, "{len}: {steps} steps for {size} bytes");
            if let Some(p) = previous {
                assert!(steps <= 2 * p + 64, "{len}: {steps} after {p}");
            }
            previous = Some(steps);
            if len <= 2_000 {
                // The input is pathological: the old matcher needs quadratic work on it.
                let (old, iterations) = backtracking(&pattern, &text, false);
                assert!(!old);
                assert!(iterations >= (len * len) as u64, "{len}: {iterations}");
            }
        }
    }

    /// The same with `?` in the long segment: Shift-And, `ceil(m / 64)` words per character.
    #[test]
    fn a_long_segment_with_question_marks_takes_text_times_words_steps() {
        for len in [100usize, 1_000, 4_000] {
            let segment: String = "a?".repeat(len / 2);
            let pattern = format!("*{segment}b*");
            let text = "a".repeat(4 * len);
            let (matched, steps) = steps_of(&pattern, &text, false);
            assert!(!matched);
            let words = len.div_ceil(64) as u64;
            let bound = 2 * (text.len() as u64 + 1) * words + 4 * (pattern.len() as u64);
            assert!(steps <= bound, "{len}: {steps} > {bound}");
            // A segment made of one repeated character (dense mask) and of many distinct
            // ones (sparse lists) alike.
            let distinct: String = (0..len as u32)
                .map(|i| char::from_u32(0x4e00 + i).unwrap())
                .collect();
            let pattern = format!("*?{distinct}*");
            let text: String = distinct.repeat(3);
            let (matched, steps) = steps_of(&pattern, &text, false);
            assert!(matched);
            let chars = 3 * len as u64;
            assert!(
                steps <= 2 * (chars + 1) * words + 4 * (pattern.len() as u64),
                "{len}: {steps}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// Random patterns and texts over a small alphabet (so that matches are common), with
        /// `*` and `?` in both, a non-ASCII letter, and upper case for the case-insensitive
        /// side: the same answer as the definition and as the old matcher.
        #[test]
        fn agrees_with_the_reference_and_the_old_matcher(
            pattern in "[ab*?AéÉ]{0,14}",
            text in "[abAéÉ*?]{0,18}",
            ci in proptest::bool::ANY,
        ) {
            let want = reference(&pattern, &text, ci);
            proptest::prop_assert_eq!(wildcard_match(&pattern, &text, ci), want);
            proptest::prop_assert_eq!(backtracking(&pattern, &text, ci).0, want);
        }

        /// Hostile shapes: long runs, many stars, long `?` segments (over one u64 word).
        #[test]
        fn hostile_shapes_agree_with_the_old_matcher(
            runs in proptest::collection::vec((0usize..4, 0usize..90), 0..8),
            text in proptest::collection::vec((0usize..3, 0usize..150), 0..6),
            ci in proptest::bool::ANY,
        ) {
            let piece = ["a", "b", "?", "*"];
            let pattern: String = runs.iter().map(|(k, n)| piece[*k].repeat(*n)).collect();
            let text: String = text.iter().map(|(k, n)| ["a", "b", "é"][*k].repeat(*n)).collect();
            let (old, _) = backtracking(&pattern, &text, ci);
            proptest::prop_assert_eq!(wildcard_match(&pattern, &text, ci), old, "{} / {}", pattern, text);
        }

        /// ARN matching (per part, six parts) agrees with the old matcher part by part.
        #[test]
        fn arn_parts_agree(parts in proptest::collection::vec(("[ab*?:]{0,5}", "[ab:]{0,6}"), 6)) {
            let pattern: Vec<&str> = parts.iter().map(|(p, _)| p.as_str()).collect();
            let arn: Vec<&str> = parts.iter().map(|(_, a)| a.as_str()).collect();
            let (pattern, arn) = (pattern.join(":"), arn.join(":"));
            let p: Vec<&str> = pattern.splitn(6, ':').collect();
            let a: Vec<&str> = arn.splitn(6, ':').collect();
            let want = if p.len() != 6 || a.len() != 6 {
                pattern == "*"
            } else {
                p.iter().zip(&a).all(|(pp, aa)| backtracking(pp, aa, false).0)
            };
            proptest::prop_assert_eq!(arn_match(&pattern, &arn), want);
        }
    }

    #[test]
    fn kleene_logic() {
        let u = || Tri::Unknown("u".into());
        assert_eq!(Tri::No.and(u()), Tri::No);
        assert_eq!(Tri::Yes.and(u()), u());
        assert_eq!(Tri::Yes.or(u()), Tri::Yes);
        assert_eq!(Tri::No.or(u()), u());
        assert_eq!(u().negate(), u());
    }

    #[test]
    fn arns() {
        assert!(arn_match(
            "arn:aws:ecs:*:123456789012:cluster/*",
            "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
        ));
        assert!(!arn_match(
            "arn:aws:ecs:*:123456789012:cluster/*",
            "arn:aws:ecs:us-east-1:999999999999:cluster/prod"
        ));
        assert!(arn_match(
            "arn:aws:logs:*:*:log-group:g:*",
            "arn:aws:logs:us-east-1:1:log-group:g:log-stream:x"
        ));
        assert!(!arn_match("arn:aws:s3:::b", "not-an-arn"));
    }
}
