//! Evaluating a role's policies for each needed permission, and turning the answers into
//! findings: a FAIL per denied (action, resource) with the statement to add, an UNKNOWN per
//! undecidable one, and one merged PASS for everything verified.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::required::{Need, ResourceSide};
use crate::codes::Code;
use crate::facts::{Readable, RoleFacts};
use crate::judge::policy::{
    Context, Evaluation, ParsedPolicy, ParsedPolicySet, ParsedResourcePolicy, Policy, Verdict,
    evaluate_parsed_set,
};
use crate::report::{Finding, Severity, Status};

/// A role's policies as (name, parsed document) pairs; a policy that could not be read
/// becomes a document that does not parse, which the evaluator treats as "might allow, might
/// deny". Each document is parsed once, here, not once per permission evaluated (issue 16:
/// tens of thousands of secret references are as many evaluations against the same policies).
pub struct RolePolicies {
    identity: Vec<(String, Result<Policy, String>)>,
    boundary: Option<(String, Result<Policy, String>)>,
}

fn readable_doc(r: &Readable<String>) -> String {
    match r {
        Readable::Read { value } => value.clone(),
        Readable::Unreadable(u) => format!("unreadable: {} returned {}", u.api, u.error_code),
    }
}

impl RolePolicies {
    /// Gathers inline, attached and boundary policies of a role.
    pub fn of(role: &RoleFacts) -> RolePolicies {
        let mut identity = Vec::new();
        match &role.inline_policies {
            Readable::Read { value } => {
                for p in value {
                    identity.push((
                        format!("inline policy {}", p.name),
                        readable_doc(&p.document),
                    ));
                }
            }
            Readable::Unreadable(u) => identity.push((
                "the inline policies".to_string(),
                format!("unreadable: {} returned {}", u.api, u.error_code),
            )),
        }
        match &role.attached_policies {
            Readable::Read { value } => {
                for p in value {
                    identity.push((
                        format!("managed policy {}", p.arn),
                        readable_doc(&p.document),
                    ));
                }
            }
            Readable::Unreadable(u) => identity.push((
                "the attached policies".to_string(),
                format!("unreadable: {} returned {}", u.api, u.error_code),
            )),
        }
        let boundary = role.permissions_boundary.as_ref().map(|b| {
            (
                format!("permissions boundary {}", b.arn),
                readable_doc(&b.document),
            )
        });
        let parse = |(name, doc): (String, String)| {
            let policy = Policy::parse(&doc);
            (name, policy)
        };
        RolePolicies {
            identity: identity.into_iter().map(parse).collect(),
            boundary: boundary.map(parse),
        }
    }

    /// Evaluates one need (the main resource, then its alternatives when it is denied).
    pub fn evaluate(&self, role_arn: &str, need: &Need) -> Evaluation {
        let mut best: Option<Evaluation> = None;
        for resource in std::iter::once(&need.resource).chain(need.alternatives.iter()) {
            let set = ParsedPolicySet {
                identity: self
                    .identity
                    .iter()
                    .map(|(n, p)| ParsedPolicy { name: n, policy: p })
                    .collect(),
                boundary: self
                    .boundary
                    .as_ref()
                    .map(|(n, p)| ParsedPolicy { name: n, policy: p }),
                resource: match need.resource_side {
                    ResourceSide::None => ParsedResourcePolicy::None,
                    ResourceSide::NotRead(why) => ParsedResourcePolicy::NotRead(why.to_string()),
                },
            };
            let e = evaluate_parsed_set(&set, &context(role_arn, &need.action, resource));
            let better = match (&best, e.verdict) {
                (None, _) => true,
                (Some(b), v) => rank(v) > rank(b.verdict) && !b.explicit_deny,
            };
            if better {
                best = Some(e);
            }
        }
        best.expect("at least the main resource")
    }
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Denied => 0,
        Verdict::Unknown => 1,
        Verdict::Allowed => 2,
    }
}

/// The request context of the ECS agent calling with the role: what is known of it.
pub fn context(role_arn: &str, action: &str, resource: &str) -> Context {
    let mut ctx = Context::for_role(role_arn, action, resource);
    ctx.set("aws:SecureTransport", ["true"]);
    ctx.set("aws:PrincipalIsAWSService", ["false"]);
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    if let Some(region) = parts.get(3).filter(|r| !r.is_empty()) {
        ctx.set("aws:RequestedRegion", [*region]);
    }
    if let Some(acct) = parts.get(4).filter(|a| !a.is_empty()) {
        ctx.set("aws:ResourceAccount", [*acct]);
    }
    ctx
}

/// The minimal statement that grants `need`, as a policy document.
pub fn statement_for(needs: &[&Need]) -> serde_json::Value {
    let mut actions: Vec<&str> = needs.iter().map(|n| n.action.as_str()).collect();
    actions.dedup();
    let mut resources: Vec<&str> = needs.iter().map(|n| n.resource.as_str()).collect();
    resources.sort();
    resources.dedup();
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": if actions.len() == 1 { json!(actions[0]) } else { json!(actions) },
            "Resource": if resources.len() == 1 { json!(resources[0]) } else { json!(resources) },
        }]
    })
}

/// One policy document granting every need, one statement per resource (so that no action
/// is granted on a resource it was not needed on).
pub fn policy_for_all(needs: &[&Need]) -> serde_json::Value {
    // Both groupings keep first-seen order; the maps only say where each group is, so that
    // grouping tens of thousands of needs is linear, not quadratic (issue 16). A resource's
    // actions stay a list: needs are distinct (action, resource) pairs, so it holds one entry
    // per distinct action (a handful).
    let mut by_resource: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut resource_at: HashMap<&str, usize> = HashMap::new();
    for n in needs {
        match resource_at.get(n.resource.as_str()) {
            Some(&i) => {
                let actions = &mut by_resource[i].1;
                if !actions.contains(&n.action.as_str()) {
                    actions.push(&n.action)
                }
            }
            None => {
                resource_at.insert(&n.resource, by_resource.len());
                by_resource.push((&n.resource, vec![&n.action]));
            }
        }
    }
    // Resources that need the same actions share one statement, so a thousand secrets make
    // one statement with a thousand resources, not a thousand statements.
    let mut by_actions: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    let mut actions_at: HashMap<Vec<&str>, usize> = HashMap::new();
    for (r, a) in by_resource {
        match actions_at.get(&a) {
            Some(&i) => by_actions[i].1.push(r),
            None => {
                actions_at.insert(a.clone(), by_actions.len());
                by_actions.push((a, vec![r]));
            }
        }
    }
    let one_or_list = |v: &[&str]| if v.len() == 1 { json!(v[0]) } else { json!(v) };
    let statements: Vec<serde_json::Value> = by_actions
        .iter()
        .map(|(a, r)| {
            json!({
                "Effect": "Allow",
                "Action": one_or_list(a),
                "Resource": one_or_list(r),
            })
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// IAM's limit on the total size of a role's inline policies (characters, whitespace not
/// counted): a combined policy over it would make the suggested command fail.
pub const INLINE_POLICY_MAX_CHARS: usize = 10_240;

/// Up to this size the combined policy is repeated in every denied finding (each finding
/// stands alone); above it only the first carries it, the others point there, so a task
/// with a thousand denied secrets does not repeat the policy a thousand times.
const REPEAT_POLICY_MAX_CHARS: usize = 2_048;

/// The remediation text for a denied need.
pub fn remediation(role_name: &str, need: &Need, eval: &Evaluation) -> String {
    if eval.explicit_deny {
        return format!(
            "An explicit Deny ({}) refuses {} on {}; adding an Allow cannot override it. Narrow or remove that Deny statement (or its condition) so it no longer matches this action and resource.",
            eval.statement.as_deref().unwrap_or("a Deny statement"),
            need.action,
            need.resource
        );
    }
    let doc = statement_for(&[need]);
    let policy_name = format!("ecs-task-start-{}", need.action.replace(':', "-"));
    format!(
        "Add this statement to the role (it is the minimal grant):\n{doc}\n\naws iam put-role-policy --role-name {role_name} --policy-name {policy_name} --policy-document '{doc}'{}",
        if eval.detail.contains("boundary") {
            "\n\nThe permissions boundary must allow it too: add the same action and resource to the boundary policy."
        } else {
            ""
        }
    )
}

/// Which role the findings are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The task execution role.
    Execution,
    /// The EC2 container instance role.
    Instance,
}

/// Evaluates every need against a role and returns its findings.
pub fn findings(role: &RoleFacts, needs: &[Need], which: Which) -> Vec<Finding> {
    let code = match which {
        Which::Execution => Code::IamActionDenied,
        Which::Instance => Code::IamInstanceRoleActionDenied,
    };
    let label = match which {
        Which::Execution => "execution role",
        Which::Instance => "container instance role",
    };
    let policies = RolePolicies::of(role);
    let mut out = Vec::new();
    let mut passed = Vec::new();
    for need in needs {
        let mut eval = policies.evaluate(&role.arn, need);
        if let (Verdict::Denied, false, Some(why)) =
            (eval.verdict, eval.explicit_deny, need.inexact)
        {
            eval.verdict = Verdict::Unknown;
            eval.detail = format!(
                "No statement allows every possible resource ({why}); a statement for the actual resource may still allow it."
            );
        }
        match eval.verdict {
            Verdict::Allowed => passed.push((need, eval)),
            Verdict::Denied => {
                let decided_by = match &eval.statement {
                    Some(s) => format!("explicitly denied by {s}"),
                    None => "no statement of its policies allows it".to_string(),
                };
                out.push(
                    Finding::new(
                        code,
                        Status::Fail,
                        Severity::Critical,
                        format!(
                            "The {label} {} may not call {} on {} ({}): {decided_by}. {}",
                            role.name, need.action, need.resource, need.why, eval.detail
                        ),
                    )
                    .evidence("roleArn", role.arn.as_str())
                    .evidence("action", need.action.as_str())
                    .evidence("resource", need.resource.as_str())
                    .evidence(
                        "decidedBy",
                        eval.statement
                            .clone()
                            .unwrap_or_else(|| "implicit deny (no Allow)".into()),
                    )
                    .remediation(remediation(&role.name, need, &eval)),
                );
            }
            Verdict::Unknown => {
                out.push(
                    Finding::new(
                        Code::IamDecisionUnknown,
                        Status::Unknown,
                        Severity::Medium,
                        format!(
                            "Whether the {label} {} may call {} on {} ({}) cannot be decided from its policies. {}",
                            role.name, need.action, need.resource, need.why, eval.detail
                        ),
                    )
                    .evidence("roleArn", role.arn.as_str())
                    .evidence("action", need.action.as_str())
                    .evidence("resource", need.resource.as_str())
                    .remediation(
                        "Check the condition or policy named in the detail against how the task really runs (VPC endpoint, source IP, tags); if it cannot hold, grant the action without it.",
                    ),
                );
            }
        }
    }
    // Several missing grants: offer one policy that adds them all. The implicitly denied
    // (action, resource) pairs are collected once, so that picking the needs among them is
    // one lookup per need, not a scan of every finding (quadratic with many secrets).
    let implicitly_denied: HashSet<(&str, &str)> = out
        .iter()
        .filter(|f| {
            f.status == Status::Fail
                && f.evidence.get("decidedBy").and_then(|v| v.as_str())
                    == Some("implicit deny (no Allow)")
        })
        .filter_map(|f| {
            let text = |k: &str| f.evidence.get(k).and_then(|v| v.as_str());
            Some((text("action")?, text("resource")?))
        })
        .collect();
    let missing: Vec<&Need> = needs
        .iter()
        .filter(|n| implicitly_denied.contains(&(n.action.as_str(), n.resource.as_str())))
        .collect();
    if missing.len() > 1 {
        let doc = policy_for_all(&missing).to_string();
        let all = if doc.len() > INLINE_POLICY_MAX_CHARS {
            format!(
                "\n\nAll {} missing permissions in one policy would be {} characters, over IAM's {INLINE_POLICY_MAX_CHARS}-character limit for a role's inline policies: grant them by resource prefix (for example arn:...:secret:app/*) or split them across managed policies.",
                missing.len(),
                doc.len()
            )
        } else {
            format!(
                "\n\nOr add all {} missing permissions at once:\naws iam put-role-policy --role-name {} --policy-name ecs-task-start --policy-document '{doc}'",
                missing.len(),
                role.name
            )
        };
        let pointer = format!(
            "\n\nOr add all {} missing permissions at once: see the first IAM_ACTION_DENIED finding of this role.",
            missing.len()
        );
        let repeat = all.len() <= REPEAT_POLICY_MAX_CHARS;
        for (i, f) in out
            .iter_mut()
            .filter(|f| {
                f.status == Status::Fail
                    && f.evidence.get("decidedBy").and_then(|v| v.as_str())
                        == Some("implicit deny (no Allow)")
            })
            .enumerate()
        {
            f.remediation
                .push_str(if i == 0 || repeat { &all } else { &pointer });
        }
    }
    if !passed.is_empty() {
        let list: Vec<String> = passed
            .iter()
            .map(|(n, e)| {
                format!(
                    "{} on {} (allowed by {})",
                    n.action,
                    n.resource,
                    e.statement.as_deref().unwrap_or("its policies")
                )
            })
            .collect();
        let notes: Vec<&str> = {
            let mut v: Vec<&str> = passed
                .iter()
                .filter_map(|(n, _)| match n.resource_side {
                    ResourceSide::NotRead(w) => Some(w),
                    ResourceSide::None => None,
                })
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let mut detail = format!(
            "The {label} {} is allowed every permission checked: {}. {}",
            role.name,
            list.join("; "),
            crate::judge::policy::INVISIBLE
        );
        if !notes.is_empty() {
            detail.push_str(&format!(" Not evaluated here: {}.", notes.join("; ")));
        }
        out.push(
            Finding::new(code, Status::Pass, Severity::Info, detail)
                .evidence("roleArn", role.arn.as_str())
                .evidence(
                    "allowed",
                    passed
                        .iter()
                        .map(|(n, e)| json!({"action": n.action, "resource": n.resource, "statement": e.statement}))
                        .collect::<Vec<_>>(),
                ),
        );
    }
    out
}
