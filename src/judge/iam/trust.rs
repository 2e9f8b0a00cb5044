//! The execution role's trust policy: may `ecs-tasks.amazonaws.com` call `sts:AssumeRole`?
//!
//! Conditions are evaluated with what the task tells us: `aws:SourceAccount` is the task's
//! account. `aws:SourceArn` is evaluated with the task's ARN and with its cluster's ARN; when
//! both agree the answer stands, otherwise it is unknown (which ARN ECS sends is not
//! documented precisely).

use crate::judge::policy::{
    Context, Evaluation, NamedPolicy, PolicySet, ResourcePolicy, Verdict, evaluate_set,
};

/// The service principal ECS tasks use.
pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";

/// The trust statement ECS documents for a task execution role.
pub const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Evaluates the trust policy of `role_arn` for ECS tasks of `task_arn` in `cluster_arn`.
pub fn evaluate(trust: &str, role_arn: &str, account: &str, source_arns: &[&str]) -> Evaluation {
    let set = PolicySet {
        identity: vec![],
        boundary: None,
        resource: ResourcePolicy::Some(NamedPolicy {
            name: "trust policy",
            document: trust,
        }),
    };
    let mut results = Vec::new();
    for arn in source_arns {
        let mut ctx = Context::for_service(ECS_TASKS, "sts:AssumeRole", role_arn);
        ctx.set("aws:SourceAccount", [account]);
        ctx.set("aws:SourceArn", [*arn]);
        results.push(evaluate_set(&set, &ctx));
    }
    if results.is_empty() {
        let mut ctx = Context::for_service(ECS_TASKS, "sts:AssumeRole", role_arn);
        ctx.set("aws:SourceAccount", [account]);
        return evaluate_set(&set, &ctx);
    }
    let first = results.remove(0);
    if results.iter().all(|r| r.verdict == first.verdict) {
        first
    } else {
        Evaluation {
            verdict: Verdict::Unknown,
            explicit_deny: false,
            statement: None,
            detail: format!(
                "The trust policy's aws:SourceArn condition allows the task's ARN or the cluster's ARN but not both ({}), and which one ECS sends is not documented.",
                source_arns.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::111122223333:role/exec";
    const TASK: &str = "arn:aws:ecs:us-east-1:111122223333:task/prod/abc";
    const CLUSTER: &str = "arn:aws:ecs:us-east-1:111122223333:cluster/prod";

    #[test]
    fn documented_trust_policies() {
        assert_eq!(
            evaluate(TRUST_POLICY, ROLE, "111122223333", &[TASK, CLUSTER]).verdict,
            Verdict::Allowed
        );
        let ec2 = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}}"#;
        assert_eq!(
            evaluate(ec2, ROLE, "111122223333", &[TASK, CLUSTER]).verdict,
            Verdict::Denied
        );
        let confused_deputy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
            "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:111122223333:*"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}"#;
        assert_eq!(
            evaluate(confused_deputy, ROLE, "111122223333", &[TASK, CLUSTER]).verdict,
            Verdict::Allowed
        );
        let only_cluster = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
            "Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:ecs:us-east-1:111122223333:cluster/prod"}}}]}"#;
        assert_eq!(
            evaluate(only_cluster, ROLE, "111122223333", &[TASK, CLUSTER]).verdict,
            Verdict::Unknown
        );
        let other_account = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}}]}"#;
        assert_eq!(
            evaluate(other_account, ROLE, "111122223333", &[TASK, CLUSTER]).verdict,
            Verdict::Denied
        );
    }
}
