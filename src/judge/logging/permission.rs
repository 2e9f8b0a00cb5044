//! May the execution role create a missing log group? Decided with the policy evaluator over
//! the role's policies as the iam stage collected them, for the exact `logs:CreateLogGroup`
//! need the iam stage computes ([`crate::judge::iam::execution_needs`]); when those facts are
//! absent or the policies cannot decide, the answer is unknown, never denied.

use serde_json::json;

use crate::facts::{
    ContainerDefinitionFacts, Facts, Readable, RoleFacts, RoleLookup, TaskDefinitionFacts,
    TaskFacts,
};
use crate::judge::iam::{Need, Place, RolePolicies, execution_needs};
use crate::judge::policy::{Evaluation, Verdict};

/// The action the awslogs driver calls when its group is missing and creation is on.
pub const CREATE_LOG_GROUP: &str = "logs:CreateLogGroup";

/// The answer for one container's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The role's policies allow it.
    Allowed {
        /// The role asked about.
        role_arn: String,
        /// The need (its resource is the group's ARN).
        need: Need,
        /// What allowed it and what the tool cannot see.
        eval: Evaluation,
    },
    /// The role's policies refuse it (explicitly, or nothing allows it).
    Denied {
        /// The role asked about.
        role: Box<RoleFacts>,
        /// The need.
        need: Need,
        /// What decided it.
        eval: Evaluation,
    },
    /// Cannot be decided; the text says why.
    Unknown {
        /// Why not.
        why: String,
        /// The need, when it could be computed.
        need: Option<Need>,
    },
}

/// Decides whether the task's execution role may create the log group of `container`.
pub fn decide(facts: &Facts, task: &TaskFacts, container: &ContainerDefinitionFacts) -> Decision {
    let Some(place) = Place::of(task, &facts.region) else {
        return Decision::Unknown {
            why: format!(
                "The task ARN {} does not name its partition and account, so the log group's ARN is not known.",
                task.task_arn
            ),
            need: None,
        };
    };
    let one = TaskDefinitionFacts {
        container_definitions: vec![container.clone()],
        ..TaskDefinitionFacts::default()
    };
    let Some(need) = execution_needs(&one, &place)
        .into_iter()
        .find(|n| n.action == CREATE_LOG_GROUP)
    else {
        return Decision::Unknown {
            why: format!(
                "No logs:CreateLogGroup permission could be derived for container '{}'.",
                container.name
            ),
            need: None,
        };
    };
    let unknown = |why: String| Decision::Unknown {
        why,
        need: Some(need.clone()),
    };
    let Some(iam) = &facts.iam else {
        return unknown(
            "The execution role's policies were not read in this run (the iam stage's facts were not collected), so whether it may call logs:CreateLogGroup is not known. Run the iam stage, or all stages, to decide it.".into(),
        );
    };
    let Some(arn) = &iam.execution_role_arn else {
        return unknown(
            "The task has no execution role; the iam stage reports whether it needs one (IAM_EXECUTION_ROLE_MISSING). On the EC2 launch type the container instance role may create the group, which this stage does not evaluate.".into(),
        );
    };
    match &iam.execution_role {
        None => unknown(format!("The execution role {arn} was not read.")),
        Some(Readable::Unreadable(u)) => unknown(format!(
            "The execution role {arn} could not be read: {} returned {}.",
            u.api, u.error_code
        )),
        Some(Readable::Read {
            value: RoleLookup::NotFound { .. },
        }) => unknown(format!(
            "The execution role {arn} does not exist (the iam stage reports IAM_EXECUTION_ROLE_NOT_FOUND), so no policy of it can allow anything; fix the role first."
        )),
        Some(Readable::Read {
            value: RoleLookup::Missing { why },
        }) => unknown(why.clone()),
        Some(Readable::Read {
            value: RoleLookup::Found { role },
        }) => {
            let eval = evaluate(role, &need);
            match eval.verdict {
                Verdict::Allowed => Decision::Allowed {
                    role_arn: role.arn.clone(),
                    need,
                    eval,
                },
                Verdict::Denied => Decision::Denied {
                    role: role.clone(),
                    need,
                    eval,
                },
                Verdict::Unknown => Decision::Unknown {
                    why: format!(
                        "Whether the execution role {} may call logs:CreateLogGroup on {} cannot be decided from its policies: {}",
                        role.name, need.resource, eval.detail
                    ),
                    need: Some(need),
                },
            }
        }
    }
}

/// Evaluates the need with the role's identity policies and boundary, exactly as the iam
/// stage does (the group's ARN, then its alternative form).
pub fn evaluate(role: &RoleFacts, need: &Need) -> Evaluation {
    RolePolicies::of(role).evaluate(&role.arn, need)
}

/// The minimal grant: logs:CreateLogGroup on the group in both ARN forms IAM may match.
pub fn grant(need: &Need) -> serde_json::Value {
    let mut resources = vec![need.resource.clone()];
    resources.extend(need.alternatives.iter().cloned());
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": CREATE_LOG_GROUP,
            "Resource": resources,
        }]
    })
}
