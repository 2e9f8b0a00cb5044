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
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if case_insensitive {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative glob match with backtracking on the last '*'.
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        // A '*' in the pattern is always a wildcard, even where the text has a '*'.
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
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
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
