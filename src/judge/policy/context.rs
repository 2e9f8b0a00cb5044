//! The request context: who calls, what, on which resource, and what is known about the
//! condition keys. A key the context neither gives a value for nor declares absent is
//! *unknowable*: a condition on it makes the answer unknown, never denied.

use std::collections::{BTreeMap, BTreeSet};

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An IAM principal (for us: a role's session), by the role (or user) ARN.
    Aws {
        /// The role or user ARN.
        arn: String,
    },
    /// An AWS service principal such as `ecs-tasks.amazonaws.com` (trust policies).
    Service(String),
    /// Not known: any principal comparison is undecidable.
    Unknown,
}

/// One request to evaluate, with what is known about its condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The caller.
    pub caller: Caller,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// The account that owns the resource, when known (cross-account needs both sides).
    pub resource_account: Option<String>,
    /// Known values of condition keys, by lower-case key.
    pub values: BTreeMap<String, Vec<String>>,
    /// Keys known to be absent from the request, lower-case.
    pub absent: BTreeSet<String>,
}

/// What the context says about one condition key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Present, with these values.
    Values(&'a [String]),
    /// Known not to be in the request.
    Absent,
    /// Not known either way.
    Unknown,
}

impl Context {
    /// A request by a role's session. Fills the keys a role session always has
    /// (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`), declares absent the
    /// ones a role never has (`aws:username`), and takes the resource's account from its ARN.
    pub fn for_role(role_arn: &str, action: &str, resource: &str) -> Context {
        let mut ctx = Context::bare(
            Caller::Aws {
                arn: role_arn.to_string(),
            },
            action,
            resource,
        );
        ctx.set("aws:PrincipalArn", [role_arn]);
        if let Some(acct) = account_of(role_arn) {
            ctx.set("aws:PrincipalAccount", [acct]);
        }
        ctx.set("aws:PrincipalType", ["AssumedRole"]);
        ctx.set_absent("aws:username");
        ctx
    }

    /// A request by a service principal (as in a trust policy's `sts:AssumeRole`).
    pub fn for_service(service: &str, action: &str, resource: &str) -> Context {
        let mut ctx = Context::bare(Caller::Service(service.to_string()), action, resource);
        ctx.set("aws:PrincipalServiceName", [service]);
        ctx.set_absent("aws:PrincipalArn");
        ctx.set_absent("aws:PrincipalAccount");
        ctx
    }

    /// A request with no known keys at all.
    pub fn bare(caller: Caller, action: &str, resource: &str) -> Context {
        Context {
            caller,
            action: action.to_string(),
            resource: resource.to_string(),
            resource_account: account_of(resource).map(str::to_string),
            values: BTreeMap::new(),
            absent: BTreeSet::new(),
        }
    }

    /// Records the values of a condition key (keys are case-insensitive).
    pub fn set<I, S>(&mut self, key: &str, values: I) -> &mut Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let k = key.to_ascii_lowercase();
        self.absent.remove(&k);
        self.values
            .insert(k, values.into_iter().map(Into::into).collect());
        self
    }

    /// Records that a condition key is not in the request.
    pub fn set_absent(&mut self, key: &str) -> &mut Context {
        let k = key.to_ascii_lowercase();
        self.values.remove(&k);
        self.absent.insert(k);
        self
    }

    /// What is known about `key`.
    pub fn lookup(&self, key: &str) -> Lookup<'_> {
        let k = key.to_ascii_lowercase();
        if let Some(v) = self.values.get(&k) {
            Lookup::Values(v)
        } else if self.absent.contains(&k) {
            Lookup::Absent
        } else {
            Lookup::Unknown
        }
    }

    /// The caller's account, when the caller is an IAM principal with an ARN.
    pub fn caller_account(&self) -> Option<&str> {
        match &self.caller {
            Caller::Aws { arn } => account_of(arn),
            _ => None,
        }
    }
}

/// The account field of an ARN (`arn:partition:service:region:ACCOUNT:resource`), if any.
pub fn account_of(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, _, _, acct, _] if !acct.is_empty() => Some(acct),
        _ => None,
    }
}

/// The partition field of an ARN (`aws`, `aws-cn`, `aws-us-gov`), if it is one.
pub fn partition_of(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", p, _, _, _, _] if !p.is_empty() => Some(p),
        _ => None,
    }
}
