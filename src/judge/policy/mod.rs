//! A local, honest evaluator of IAM policy documents: identity policies, permissions
//! boundaries, resource policies (repository, endpoint, trust policies).
//!
//! Explicit deny wins, then allow, else implicit deny, combined across policy types as AWS
//! documents it (see `combine.rs`). The answer is three-valued: anything it cannot decide
//! (a condition key whose value is not known, an unsupported operator, a principal it
//! cannot compare, a policy it cannot parse) makes the answer unknown, never a denial:
//! peers that turned "unknown" into "denied" drew the most complaints
//! (shared/research/peers.md). The specification is the case folder `tests/policy-cases/`.
//!
//! Files: `parse.rs` (documents, string-or-array forms), `matching.rs` (globs, ARNs,
//! three-valued logic), `context.rs` (the request and its known keys), `conditions.rs`
//! (operators and policy variables), `statement.rs` (one statement), `combine.rs` (policy
//! types together).

mod combine;
mod conditions;
mod context;
mod matching;
mod parse;
mod statement;

pub use combine::{
    Evaluation, INVISIBLE, NamedPolicy, PolicyOutcome, PolicySet, ResourcePolicy, Verdict,
    evaluate_policy, evaluate_set,
};
pub use conditions::substitute;
pub use context::{Caller, Context, Lookup, account_of, partition_of};
pub use matching::{Tri, arn_match, wildcard_match};
pub use parse::{Effect, Policy, Statement};
pub use statement::PrincipalMode;

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

/// Evaluates `request` against one policy document (JSON text) on its own, with no account
/// context: a statement whose principal names the caller's account, or a condition on a
/// key the request does not establish, is [`Decision::Unknown`]. The network stage (endpoint
/// policies) and the image stage (repository policies) use it; the iam stage uses
/// [`evaluate_set`], which knows the accounts and combines policy types.
pub fn evaluate(document: &str, request: Request<'_>) -> Decision {
    let policy = match Policy::parse(document) {
        Ok(p) => p,
        Err(why) => return Decision::Unknown { why },
    };
    let ctx = match request.principal {
        Some(arn) => Context::for_role(arn, request.action, request.resource),
        None => Context::bare(Caller::Unknown, request.action, request.resource),
    };
    let out = evaluate_policy(&policy, &ctx, PrincipalMode::Standalone, "");
    match out {
        PolicyOutcome {
            deny: Some(statement),
            ..
        } => Decision::Denied { statement },
        PolicyOutcome {
            maybe_deny: Some(why),
            ..
        } => Decision::Unknown { why },
        PolicyOutcome {
            allow: Some(statement),
            ..
        } => Decision::Allowed { statement },
        PolicyOutcome {
            maybe_allow: Some(why),
            ..
        } => Decision::Unknown { why },
        _ => Decision::ImplicitDeny,
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
            Decision::Allowed { .. }
        ));
        assert_eq!(
            evaluate(doc, req("iam:PassRole", "*")),
            Decision::ImplicitDeny
        );
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
