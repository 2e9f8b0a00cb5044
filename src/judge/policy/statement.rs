//! Whether one statement applies to a request: action, resource, principal and condition,
//! each three-valued, combined with AND.

use serde_json::Value;

use super::conditions::{self, substitute};
use super::context::{Caller, Context};
use std::borrow::Cow;

use super::matching::{Tri, fold, glob_match, string_list};
use super::parse::{Element, Policy, Statement};

/// How the `Principal` element is read, which depends on the kind of policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalMode {
    /// An identity policy (or a boundary): no principal element, it applies to its holder.
    Identity,
    /// A resource policy in the caller's own account: a statement naming the *account*
    /// grants nothing by itself (the account's IAM policies decide), but it does deny.
    SameAccount,
    /// A resource policy in another account: naming the caller's account trusts it.
    CrossAccount,
    /// A single document without account context (the original API): naming the account
    /// is undecidable.
    Standalone,
}

/// How a principal list matches the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Direct,
    Account,
    No,
    Unknown(String),
}

fn principal_list(p: &Value, ctx: &Context) -> Who {
    if p.as_str() == Some("*") {
        return Who::Direct;
    }
    let Some(obj) = p.as_object() else {
        return Who::Unknown(format!("principal {p} has an unexpected shape"));
    };
    let list = |k: &str| obj.get(k).map(|v| string_list(v).unwrap_or_default());
    match &ctx.caller {
        Caller::Service(name) => {
            let services = list("Service").unwrap_or_default();
            let aws = list("AWS").unwrap_or_default();
            if services.iter().any(|s| s.eq_ignore_ascii_case(name)) || aws.iter().any(|a| a == "*")
            {
                Who::Direct
            } else {
                Who::No
            }
        }
        Caller::Aws { arn } => {
            let Some(aws) = list("AWS") else {
                return Who::No;
            };
            if aws.iter().any(|a| a == "*" || a == arn) {
                return Who::Direct;
            }
            let account = ctx.caller_account().unwrap_or("");
            let partition = super::context::partition_of(arn).unwrap_or("aws");
            let root = format!("arn:{partition}:iam::{account}:root");
            if !account.is_empty() && aws.iter().any(|a| *a == account || *a == root) {
                return Who::Account;
            }
            if aws.iter().any(|a| !a.starts_with("arn:") && a.len() > 12) {
                return Who::Unknown(format!(
                    "principal {p} names a unique ID, which cannot be compared with {arn}"
                ));
            }
            Who::No
        }
        Caller::Unknown => Who::Unknown("the calling principal is not known".into()),
    }
}

fn principal(st: &Statement, ctx: &Context, mode: PrincipalMode, allow: bool) -> Tri {
    if mode == PrincipalMode::Identity {
        return Tri::Yes;
    }
    if let Some(p) = &st.principal {
        return match principal_list(p, ctx) {
            Who::Direct => Tri::Yes,
            Who::No => Tri::No,
            Who::Unknown(w) => Tri::Unknown(w),
            Who::Account => match (mode, allow) {
                (_, false) | (PrincipalMode::CrossAccount, true) => Tri::Yes,
                (PrincipalMode::SameAccount, true) => Tri::No,
                _ => Tri::Unknown(format!(
                    "principal {p} names the account: the account's IAM policies decide"
                )),
            },
        };
    }
    if let Some(p) = &st.not_principal {
        return match principal_list(p, ctx) {
            Who::Direct => Tri::No,
            Who::No => Tri::Yes,
            Who::Unknown(w) => Tri::Unknown(w),
            Who::Account => Tri::Unknown(format!(
                "NotPrincipal {p} names the caller's account; whether that exempts this role's session is not decided here"
            )),
        };
    }
    match mode {
        // A resource policy statement without a principal is invalid; say so.
        PrincipalMode::SameAccount | PrincipalMode::CrossAccount => {
            Tri::Unknown(format!("{} has neither Principal nor NotPrincipal", st.sid))
        }
        _ => Tri::Yes,
    }
}

fn element_matches(
    el: &Element,
    text: &str,
    case_insensitive: bool,
    ctx: &Context,
    variables: bool,
) -> Tri {
    let patterns = match el {
        Ok(p) => p,
        Err(why) => return Tri::Unknown(why.clone()),
    };
    let mut acc = Tri::No;
    // Actions: the request's action is folded to lower case once, not once per pattern.
    let text = if case_insensitive {
        fold(text)
    } else {
        Cow::Borrowed(text)
    };
    for p in patterns {
        let p = if case_insensitive {
            Ok(Some(fold(p)))
        } else {
            substitute(p, ctx, variables).map(|p| p.map(Cow::Owned))
        };
        match p {
            Ok(Some(p)) if glob_match(&p, &text) => return Tri::Yes,
            Ok(_) => {}
            Err(why) => acc = acc.or(Tri::Unknown(why)),
        }
    }
    acc
}

/// Does `st` apply to the request? For `Deny` and `Allow` alike (the caller reads the effect).
pub fn applies(
    st: &Statement,
    policy: &Policy,
    ctx: &Context,
    mode: PrincipalMode,
    allow: bool,
) -> Tri {
    let v = policy.variables;
    let action = match (&st.action, &st.not_action) {
        (Some(a), None) => element_matches(a, &ctx.action, true, ctx, v),
        (None, Some(na)) => element_matches(na, &ctx.action, true, ctx, v).negate(),
        _ => Tri::Unknown(format!(
            "{} must have exactly one of Action and NotAction",
            st.sid
        )),
    };
    if action == Tri::No {
        return Tri::No;
    }
    let resource = match (&st.resource, &st.not_resource) {
        (Some(r), None) => element_matches(r, &ctx.resource, false, ctx, v),
        (None, Some(nr)) => element_matches(nr, &ctx.resource, false, ctx, v).negate(),
        // Trust policies (and some resource policies) omit Resource: the policy's own resource.
        (None, None) => Tri::Yes,
        _ => Tri::Unknown(format!("{} has both Resource and NotResource", st.sid)),
    };
    let mut result = action.and(resource);
    if result == Tri::No {
        return Tri::No;
    }
    result = result.and(principal(st, ctx, mode, allow));
    if result == Tri::No {
        return Tri::No;
    }
    if let Some(c) = &st.condition {
        result = result.and(conditions::evaluate(c, ctx, v));
    }
    result
}
