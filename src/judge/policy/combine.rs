//! Combining policies the way AWS does ("Policy evaluation logic", IAM User Guide):
//!
//! 1. An explicit `Deny` in any policy (identity, boundary, resource) wins.
//! 2. Same account: the request is allowed when an identity policy **or** the resource
//!    policy allows it; a permissions boundary must also allow it (a boundary limits what a
//!    role's identity policies grant, and also what a resource policy grants to the role's
//!    ARN, which is how resource policies name roles).
//! 3. Cross-account: the identity side (with its boundary) **and** the resource policy must
//!    both allow it.
//! 4. A service principal (a trust policy's `sts:AssumeRole`) is decided by the resource
//!    policy alone.
//!
//! Every step is three-valued: an undecidable Allow can still be the one that grants, and an
//! undecidable Deny can still be the one that refuses; neither turns into a denial. Service
//! control policies and resource control policies are not visible to the tool: an "allowed"
//! says so in its detail instead of becoming unknown for every request.

use super::context::{Caller, Context};
use super::matching::Tri;
use super::parse::{Effect, Policy};
use super::statement::{PrincipalMode, applies};

/// A policy document with the name a report uses for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedPolicy<'a> {
    /// For example `inline:ecr-pull` or the managed policy's ARN.
    pub name: &'a str,
    /// The JSON document (already URL-decoded).
    pub document: &'a str,
}

/// What is known about the resource's own policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePolicy<'a> {
    /// The resource has no policy, or the service has none (ECR `GetAuthorizationToken`).
    None,
    /// The resource may have a policy, but it was not read (the reason says why).
    NotRead(String),
    /// The resource's policy.
    Some(NamedPolicy<'a>),
}

/// Every policy that takes part in one decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySet<'a> {
    /// The principal's identity policies (inline and attached).
    pub identity: Vec<NamedPolicy<'a>>,
    /// The principal's permissions boundary.
    pub boundary: Option<NamedPolicy<'a>>,
    /// The resource's policy (a trust policy, for `sts:AssumeRole`).
    pub resource: ResourcePolicy<'a>,
}

/// The three possible answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Allowed by the policies the tool can see.
    Allowed,
    /// Denied: explicitly, or because nothing allows it.
    Denied,
    /// Not decidable from what is known.
    Unknown,
}

/// The combined decision, with what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The answer.
    pub verdict: Verdict,
    /// Whether a Deny statement decided it (as opposed to no Allow).
    pub explicit_deny: bool,
    /// The deciding statement, as `<policy>: <sid>`, when one decided.
    pub statement: Option<String>,
    /// One or two sentences a person reads: why this verdict.
    pub detail: String,
}

/// What one policy says: a definite or possible Deny, a definite or possible Allow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyOutcome {
    /// A Deny statement that applies.
    pub deny: Option<String>,
    /// A Deny statement that may apply (why).
    pub maybe_deny: Option<String>,
    /// An Allow statement that applies.
    pub allow: Option<String>,
    /// An Allow statement that may apply (why).
    pub maybe_allow: Option<String>,
}

impl PolicyOutcome {
    /// The allow side as a three-valued answer.
    pub fn allows(&self) -> Tri {
        if self.allow.is_some() {
            Tri::Yes
        } else if let Some(w) = &self.maybe_allow {
            Tri::Unknown(w.clone())
        } else {
            Tri::No
        }
    }
}

/// Evaluates one parsed policy. `label` prefixes statement names (empty: the bare Sid).
pub fn evaluate_policy(
    policy: &Policy,
    ctx: &Context,
    mode: PrincipalMode,
    label: &str,
) -> PolicyOutcome {
    let mut out = PolicyOutcome::default();
    for st in &policy.statements {
        let name = if label.is_empty() {
            st.sid.clone()
        } else {
            format!("{label}: {}", st.sid)
        };
        let allow = st.effect == Effect::Allow;
        match (&st.effect, applies(st, policy, ctx, mode, allow)) {
            (_, Tri::No) => {}
            (Effect::Deny, Tri::Yes) => {
                out.deny.get_or_insert(name);
            }
            (Effect::Deny, Tri::Unknown(why)) => {
                out.maybe_deny
                    .get_or_insert(format!("{name} may deny ({why})"));
            }
            (Effect::Allow, Tri::Yes) => {
                out.allow.get_or_insert(name);
            }
            (Effect::Allow, Tri::Unknown(why)) => {
                out.maybe_allow.get_or_insert(format!(
                    "{name} allows only if undecidable parts hold ({why})"
                ));
            }
            (Effect::Other(e), _) => {
                out.maybe_deny.get_or_insert(format!(
                    "{name} may deny (its Effect '{e}' is not Allow or Deny)"
                ));
            }
        }
    }
    out
}

fn outcome(p: &ParsedPolicy<'_>, ctx: &Context, mode: PrincipalMode) -> PolicyOutcome {
    match p.policy {
        Ok(policy) => evaluate_policy(policy, ctx, mode, p.name),
        Err(why) => PolicyOutcome {
            maybe_deny: Some(format!("{} may deny ({why})", p.name)),
            maybe_allow: Some(format!("{}: {why}", p.name)),
            ..PolicyOutcome::default()
        },
    }
}

/// A policy document already parsed (or why it does not parse), with the name a report uses.
///
/// Why: the iam stage evaluates every permission a task needs against the same few role
/// policies; parsing each document once per permission was a fifth of judging a snapshot
/// with tens of thousands of secret references (issue 16). [`evaluate_parsed_set`] takes
/// these; [`evaluate_set`] parses and calls it, so both answer the same.
#[derive(Debug, Clone, Copy)]
pub struct ParsedPolicy<'a> {
    /// As [`NamedPolicy::name`].
    pub name: &'a str,
    /// [`Policy::parse`] of the document.
    pub policy: &'a Result<Policy, String>,
}

/// What is known about the resource's own policy, parsed: as [`ResourcePolicy`].
#[derive(Debug, Clone)]
pub enum ParsedResourcePolicy<'a> {
    /// As [`ResourcePolicy::None`].
    None,
    /// As [`ResourcePolicy::NotRead`].
    NotRead(String),
    /// As [`ResourcePolicy::Some`], parsed.
    Some(ParsedPolicy<'a>),
}

/// Every policy that takes part in one decision, parsed: as [`PolicySet`].
#[derive(Debug, Clone)]
pub struct ParsedPolicySet<'a> {
    /// The principal's identity policies.
    pub identity: Vec<ParsedPolicy<'a>>,
    /// The principal's permissions boundary.
    pub boundary: Option<ParsedPolicy<'a>>,
    /// The resource's policy.
    pub resource: ParsedResourcePolicy<'a>,
}

/// The note every "allowed" carries: what the tool cannot see.
pub const INVISIBLE: &str = "Service control policies and resource control policies of AWS Organizations are not visible to this tool and could still deny.";

/// Evaluates a request against a policy set with AWS's combination rules.
pub fn evaluate_set(set: &PolicySet<'_>, ctx: &Context) -> Evaluation {
    let identity: Vec<Result<Policy, String>> = set
        .identity
        .iter()
        .map(|p| Policy::parse(p.document))
        .collect();
    let boundary = set.boundary.map(|b| Policy::parse(b.document));
    let resource = match &set.resource {
        ResourcePolicy::Some(p) => Some(Policy::parse(p.document)),
        _ => None,
    };
    let parsed = ParsedPolicySet {
        identity: set
            .identity
            .iter()
            .zip(&identity)
            .map(|(p, policy)| ParsedPolicy {
                name: p.name,
                policy,
            })
            .collect(),
        boundary: set
            .boundary
            .zip(boundary.as_ref())
            .map(|(b, policy)| ParsedPolicy {
                name: b.name,
                policy,
            }),
        resource: match (&set.resource, &resource) {
            (ResourcePolicy::Some(p), Some(policy)) => ParsedResourcePolicy::Some(ParsedPolicy {
                name: p.name,
                policy,
            }),
            (ResourcePolicy::NotRead(why), _) => ParsedResourcePolicy::NotRead(why.clone()),
            _ => ParsedResourcePolicy::None,
        },
    };
    evaluate_parsed_set(&parsed, ctx)
}

/// [`evaluate_set`] on policies parsed once, for a caller that evaluates many requests
/// against the same policies (see [`ParsedPolicy`]).
pub fn evaluate_parsed_set(set: &ParsedPolicySet<'_>, ctx: &Context) -> Evaluation {
    let cross = match (ctx.caller_account(), ctx.resource_account.as_deref()) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    };
    let resource_mode = if cross {
        PrincipalMode::CrossAccount
    } else {
        PrincipalMode::SameAccount
    };
    let service = matches!(ctx.caller, Caller::Service(_));

    let identity: Vec<PolicyOutcome> = if service {
        Vec::new()
    } else {
        set.identity
            .iter()
            .map(|p| outcome(p, ctx, PrincipalMode::Identity))
            .collect()
    };
    let boundary = match (service, &set.boundary) {
        (false, Some(b)) => Some(outcome(b, ctx, PrincipalMode::Identity)),
        _ => None,
    };
    let resource = match &set.resource {
        ParsedResourcePolicy::Some(p) => Some(outcome(p, ctx, resource_mode)),
        _ => None,
    };

    let all = identity
        .iter()
        .chain(boundary.iter())
        .chain(resource.iter());
    let mut maybe_deny: Option<String> = None;
    for o in all {
        if let Some(st) = &o.deny {
            return Evaluation {
                verdict: Verdict::Denied,
                explicit_deny: true,
                statement: Some(st.clone()),
                detail: format!(
                    "Explicitly denied by {st}; an explicit Deny overrides every Allow."
                ),
            };
        }
        if maybe_deny.is_none() {
            maybe_deny = o.maybe_deny.clone();
        }
    }

    let identity_allows = identity
        .iter()
        .map(PolicyOutcome::allows)
        .fold(Tri::No, Tri::or);
    let boundary_allows = boundary
        .as_ref()
        .map(PolicyOutcome::allows)
        .unwrap_or(Tri::Yes);
    let resource_allows = match (&resource, &set.resource) {
        (Some(o), _) => o.allows(),
        (None, ParsedResourcePolicy::NotRead(why)) if cross => Tri::Unknown(format!(
            "the resource is in account {} and its resource policy, which must also allow cross-account access, was not read ({why})",
            ctx.resource_account.as_deref().unwrap_or("?")
        )),
        _ => Tri::No,
    };
    let combined = if service {
        resource_allows.clone()
    } else if cross {
        identity_allows
            .clone()
            .and(boundary_allows.clone())
            .and(resource_allows.clone())
    } else {
        identity_allows
            .clone()
            .or(resource_allows.clone())
            .and(boundary_allows.clone())
    };

    let first = |outs: &[&PolicyOutcome]| outs.iter().find_map(|o| o.allow.clone());
    match (combined, maybe_deny) {
        (Tri::No, _) => {
            let why = if boundary_allows == Tri::No && identity_allows != Tri::No {
                "the permissions boundary does not allow it (a boundary only limits, it never grants)".to_string()
            } else if service {
                "the policy has no statement that allows this principal".to_string()
            } else if cross && identity_allows != Tri::No {
                "the resource is in another account and its resource policy does not allow this principal".to_string()
            } else {
                "no statement allows it".to_string()
            };
            Evaluation {
                verdict: Verdict::Denied,
                explicit_deny: false,
                statement: None,
                detail: format!("Implicitly denied: {why}."),
            }
        }
        (Tri::Unknown(why), _) => Evaluation {
            verdict: Verdict::Unknown,
            explicit_deny: false,
            statement: None,
            detail: format!("Cannot decide: {why}."),
        },
        (Tri::Yes, Some(why)) => Evaluation {
            verdict: Verdict::Unknown,
            explicit_deny: false,
            statement: None,
            detail: format!("Allowed unless a Deny applies, and that cannot be decided: {why}."),
        },
        (Tri::Yes, None) => {
            let mut grants: Vec<&PolicyOutcome> = Vec::new();
            if identity_allows == Tri::Yes && !service {
                grants.extend(identity.iter());
            }
            if resource_allows == Tri::Yes {
                grants.extend(resource.iter());
            }
            let st = first(&grants);
            let mut detail = format!("Allowed by {}.", st.as_deref().unwrap_or("the policies"));
            if let ParsedResourcePolicy::NotRead(why) = &set.resource {
                detail.push_str(&format!(
                    " The resource's own policy was not read ({why}); it could still deny."
                ));
            }
            if !service {
                detail.push(' ');
                detail.push_str(INVISIBLE);
            }
            Evaluation {
                verdict: Verdict::Allowed,
                explicit_deny: false,
                statement: st,
                detail,
            }
        }
    }
}
