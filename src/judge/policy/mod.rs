//! A small, honest evaluator of IAM-style policy documents (endpoint policies, and later
//! identity and resource policies).
//!
//! Explicit deny wins, then allow, else implicit deny. Anything it cannot decide from
//! the document alone (a `Condition`, `NotAction`, `NotPrincipal`, a principal it cannot
//! compare) makes the answer [`Decision::Unknown`], never a denial: peers that turned
//! "unknown" into "denied" drew the most complaints (shared/research/peers.md).

use serde_json::Value;

/// What a policy says about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An Allow statement matches and no Deny does.
    Allowed {
        /// The matching statement's Sid (or its index).
        statement: String,
    },
    /// A Deny statement matches.
    Denied {
        /// The matching statement's Sid (or its index).
        statement: String,
    },
    /// No statement matches: denied by default.
    ImplicitDeny,
    /// The document alone cannot decide.
    Unknown {
        /// Why.
        why: String,
    },
}

/// One request to evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The calling principal's ARN (a role ARN), when known.
    pub principal: Option<&'a str>,
    /// `service:Action`.
    pub action: &'a str,
    /// The resource ARN (or `*`).
    pub resource: &'a str,
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

fn strings(v: Option<&Value>) -> Option<Vec<&str>> {
    match v? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

enum Match {
    Yes,
    No,
    Unknown(String),
}

fn principal_matches(st: &Value, principal: Option<&str>) -> Match {
    let Some(p) = st.get("Principal") else {
        // Identity policies have no Principal: they apply to their holder.
        return Match::Yes;
    };
    if p == "*" {
        return Match::Yes;
    }
    let Some(aws) = strings(p.get("AWS")) else {
        return Match::Unknown(format!("principal {p} cannot be compared"));
    };
    if aws.contains(&"*") {
        return Match::Yes;
    }
    match principal {
        Some(arn) if aws.iter().any(|a| *a == arn) => Match::Yes,
        Some(arn) => {
            let account = arn.split(':').nth(4).unwrap_or("");
            if aws
                .iter()
                .any(|a| *a == account || *a == format!("arn:aws:iam::{account}:root"))
            {
                Match::Unknown(format!(
                    "principal {p} names the account: the account's IAM policies decide"
                ))
            } else {
                Match::No
            }
        }
        None => Match::Unknown("the calling principal is not known".into()),
    }
}

/// Evaluates `request` against one policy document (JSON text).
pub fn evaluate(document: &str, request: Request<'_>) -> Decision {
    let doc: Value = match serde_json::from_str(document) {
        Ok(v) => v,
        Err(e) => {
            return Decision::Unknown {
                why: format!("the policy is not valid JSON: {e}"),
            };
        }
    };
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => {
            return Decision::Unknown {
                why: "the policy has no Statement".into(),
            };
        }
    };
    let mut allowed: Option<String> = None;
    let mut unknown: Option<String> = None;
    for (i, st) in statements.iter().enumerate() {
        let sid = st
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("statement {i}"));
        let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("");
        if st.get("NotAction").is_some()
            || st.get("NotResource").is_some()
            || st.get("NotPrincipal").is_some()
        {
            unknown.get_or_insert(format!("{sid} uses NotAction/NotResource/NotPrincipal"));
            continue;
        }
        let actions = strings(st.get("Action")).unwrap_or_default();
        if !actions
            .iter()
            .any(|a| wildcard_match(a, request.action, true))
        {
            continue;
        }
        let resources = strings(st.get("Resource")).unwrap_or_else(|| vec!["*"]);
        if !resources
            .iter()
            .any(|r| wildcard_match(r, request.resource, false))
        {
            continue;
        }
        let principal = principal_matches(st, request.principal);
        let conditional = st
            .get("Condition")
            .is_some_and(|c| c.as_object().is_some_and(|o| !o.is_empty()));
        match (effect, principal, conditional) {
            (_, Match::No, _) => {}
            ("Deny", Match::Yes, false) => return Decision::Denied { statement: sid },
            ("Deny", Match::Yes, true) | ("Deny", Match::Unknown(_), _) => {
                unknown.get_or_insert(format!(
                    "{sid} may deny (its condition or principal cannot be decided here)"
                ));
            }
            ("Allow", Match::Yes, false) => {
                allowed.get_or_insert(sid);
            }
            ("Allow", Match::Yes, true) => {
                unknown.get_or_insert(format!(
                    "{sid} allows only under a condition that cannot be decided here"
                ));
            }
            ("Allow", Match::Unknown(why), _) => {
                unknown.get_or_insert(format!("{sid}: {why}"));
            }
            _ => {
                unknown.get_or_insert(format!("{sid} has an unknown Effect '{effect}'"));
            }
        }
    }
    match (allowed, unknown) {
        // An undecidable Deny could still override the allow.
        (Some(_), Some(why)) if why.contains("may deny") => Decision::Unknown { why },
        (Some(statement), _) => Decision::Allowed { statement },
        (None, Some(why)) => Decision::Unknown { why },
        (None, None) => Decision::ImplicitDeny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::111122223333:role/exec";

    fn req<'a>(action: &'a str, resource: &'a str) -> Request<'a> {
        Request {
            principal: Some(ROLE),
            action,
            resource,
        }
    }

    #[test]
    fn the_default_endpoint_policy_allows_everything() {
        let doc = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
        assert!(matches!(
            evaluate(
                doc,
                req(
                    "s3:GetObject",
                    "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/x"
                )
            ),
            Decision::Allowed { .. }
        ));
    }

    #[test]
    fn a_bucket_restricted_policy_denies_the_layer_bucket_implicitly() {
        let doc = r#"{"Statement":[{"Sid":"OnlyOurBucket","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::our-artifacts/*"]}]}"#;
        assert_eq!(
            evaluate(
                doc,
                req(
                    "s3:GetObject",
                    "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/x"
                )
            ),
            Decision::ImplicitDeny
        );
        assert!(matches!(
            evaluate(doc, req("s3:GetObject", "arn:aws:s3:::our-artifacts/a")),
            Decision::Allowed { .. }
        ));
    }

    #[test]
    fn explicit_deny_wins() {
        let doc = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Sid":"NoLayers","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::prod-*-starport-layer-bucket/*"}]}"#;
        assert_eq!(
            evaluate(
                doc,
                req(
                    "s3:GetObject",
                    "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/x"
                )
            ),
            Decision::Denied {
                statement: "NoLayers".into()
            }
        );
    }

    #[test]
    fn conditions_and_not_elements_are_unknown_not_denied() {
        let doc = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]}"#;
        assert!(matches!(
            evaluate(doc, req("ecr:BatchGetImage", "*")),
            Decision::Unknown { .. }
        ));
        let doc = r#"{"Statement":[{"Effect":"Allow","Principal":"*","NotAction":"iam:*","Resource":"*"}]}"#;
        assert!(matches!(
            evaluate(doc, req("ecr:BatchGetImage", "*")),
            Decision::Unknown { .. }
        ));
        assert!(matches!(
            evaluate("not json", req("a:b", "*")),
            Decision::Unknown { .. }
        ));
    }

    #[test]
    fn principals() {
        let doc = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"ecr:*","Resource":"*"}}]}}"#
        );
        assert!(matches!(
            evaluate(&doc, req("ecr:BatchGetImage", "*")),
            Decision::Allowed { .. }
        ));
        let other = Request {
            principal: Some("arn:aws:iam::111122223333:role/other"),
            action: "ecr:BatchGetImage",
            resource: "*",
        };
        assert_eq!(evaluate(&doc, other), Decision::ImplicitDeny);
        let none = Request {
            principal: None,
            action: "ecr:BatchGetImage",
            resource: "*",
        };
        assert!(matches!(evaluate(&doc, none), Decision::Unknown { .. }));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "ecr:Get*",
            "ecr:GetDownloadUrlForLayer",
            true
        ));
        assert!(wildcard_match(
            "ECR:batchgetimage",
            "ecr:BatchGetImage",
            true
        ));
        assert!(!wildcard_match("ecr:Get*", "ecr:BatchGetImage", true));
        assert!(wildcard_match(
            "arn:aws:s3:::prod-?s-east-1-*/*",
            "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/a/b",
            false
        ));
        assert!(!wildcard_match("arn:aws:s3:::A*", "arn:aws:s3:::a", false));
        assert!(wildcard_match("*", "", false));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(doc in "\\PC{0,200}", action in "\\PC{0,30}", resource in "\\PC{0,30}") {
            let _ = evaluate(&doc, Request { principal: Some(ROLE), action: &action, resource: &resource });
        }

        #[test]
        fn star_matches_everything(text in "\\PC{0,40}") {
            proptest::prop_assert!(wildcard_match("*", &text, false));
            proptest::prop_assert!(wildcard_match(&text.replace(['*', '?'], ""), &text.replace(['*', '?'], ""), false));
        }
    }
}
