//! The `iam` stage: do the roles a start depends on allow what it needs?
//!
//! In order: is there an execution role where one is needed (`IAM_EXECUTION_ROLE_MISSING`),
//! does it exist (`IAM_EXECUTION_ROLE_NOT_FOUND`), does it trust `ecs-tasks.amazonaws.com`
//! (`IAM_EXECUTION_ROLE_TRUST`), and do its policies allow every (action, resource) the task
//! definition implies (`IAM_ACTION_DENIED`, `IAM_DECISION_UNKNOWN`)? On the EC2 launch type
//! without an execution role, the container instance's role must allow the ECR pull
//! (`IAM_INSTANCE_ROLE_ACTION_DENIED`). Decisions come from the local evaluator
//! ([`crate::judge::policy`]); unknown never becomes denied.

mod check;
mod required;
mod trust;

use crate::codes::Code;
use crate::facts::{Facts, Readable, RoleLookup, TaskLookup};
use crate::judge::policy::Verdict;
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, StageResult, Status};
use crate::stage::StageName;

pub use check::RolePolicies;
pub use required::{Need, Place, execution_needs, reasons_for_execution_role};

/// Judges the IAM facts.
pub fn judge(facts: &Facts) -> StageResult {
    let Some(iam) = &facts.iam else {
        return StageResult::skipped(StageName::Iam, "No IAM facts were collected for this task.");
    };
    let Some(TaskLookup::Found { task }) = facts.task.value() else {
        return StageResult::skipped(
            StageName::Iam,
            "The task was not found, so there is no role to check.",
        );
    };
    let mut findings = Vec::new();
    let td = match facts.task_definition.as_ref() {
        Some(Readable::Read { value }) => Some(value),
        Some(Readable::Unreadable(u)) => {
            findings.push(unreadable_finding(
                Code::IamExecutionRoleMissing,
                Severity::High,
                "The task definition",
                u,
                "Which roles and permissions the start needs cannot be computed.",
            ));
            None
        }
        None => None,
    };
    let place = Place::of(task, &facts.region);
    let on_ec2_launch_type = task.launch_type.as_deref() == Some("EC2");
    let reasons = td
        .map(|td| reasons_for_execution_role(td, on_ec2_launch_type))
        .unwrap_or_default();
    let needs = match (td, &place) {
        (Some(td), Some(p)) => {
            let mut needs = execution_needs(td, p);
            needs.extend(required::kms_needs(&iam.secret_keys, p));
            needs
        }
        _ => Vec::new(),
    };

    match (&iam.execution_role_arn, &iam.execution_role) {
        (None, _) if td.is_some() => {
            if reasons.is_empty() {
                let why = if on_ec2_launch_type {
                    "on the EC2 launch type the container instance role pulls from ECR and writes to awslogs, and no container uses secrets or registry credentials"
                } else {
                    "no private ECR image, no awslogs, no secrets, no registry credentials"
                };
                findings.push(Finding::new(
                    Code::IamExecutionRoleMissing,
                    Status::Pass,
                    Severity::Info,
                    format!("The task has no execution role and needs none: {why}."),
                ));
            } else {
                findings.push(
                    Finding::new(
                        Code::IamExecutionRoleMissing,
                        Status::Fail,
                        Severity::Critical,
                        format!(
                            "The task has no execution role, but the ECS agent needs one because {}.",
                            reasons.join("; ")
                        ),
                    )
                    .evidence("needs", reasons.clone())
                    .evidence("taskDefinitionArn", td.map(|t| t.task_definition_arn.clone()))
                    .remediation(format!(
                        "Create a role that trusts ecs-tasks.amazonaws.com and attach the AWS managed policy AmazonECSTaskExecutionRolePolicy, then register a new task definition revision with \"executionRoleArn\" set to it:\naws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document '{}'\naws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn arn:{}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                        trust::TRUST_POLICY,
                        place.as_ref().map(|p| p.partition.as_str()).unwrap_or("aws")
                    )),
                );
            }
        }
        (None, _) => {}
        (Some(arn), lookup) => {
            findings.push(
                Finding::new(
                    Code::IamExecutionRoleMissing,
                    Status::Pass,
                    Severity::Info,
                    format!("The task has an execution role: {arn}."),
                )
                .evidence("executionRoleArn", arn.as_str()),
            );
            match lookup {
                None => {}
                Some(Readable::Unreadable(u)) => findings.push(unreadable_finding(
                    Code::IamExecutionRoleNotFound,
                    Severity::High,
                    &format!("The execution role {arn}"),
                    u,
                    "Whether it exists, trusts ECS and allows the start cannot be decided.",
                )),
                Some(Readable::Read { value: RoleLookup::NotFound { name } }) => findings.push(
                    Finding::new(
                        Code::IamExecutionRoleNotFound,
                        Status::Fail,
                        Severity::Critical,
                        format!("The execution role {arn} does not exist: iam:GetRole answered NoSuchEntity for '{name}'."),
                    )
                    .evidence("executionRoleArn", arn.as_str())
                    .remediation(format!(
                        "Create the role (or fix the ARN in the task definition's executionRoleArn):\naws iam create-role --role-name {name} --assume-role-policy-document '{}'\naws iam attach-role-policy --role-name {name} --policy-arn arn:{}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                        trust::TRUST_POLICY,
                        place.as_ref().map(|p| p.partition.as_str()).unwrap_or("aws")
                    )),
                ),
                Some(Readable::Read { value: RoleLookup::Missing { why } }) => findings.push(
                    Finding::new(Code::IamExecutionRoleNotFound, Status::Unknown, Severity::Medium, why.clone())
                        .evidence("executionRoleArn", arn.as_str()),
                ),
                Some(Readable::Read { value: RoleLookup::Found { role } }) => {
                    findings.push(
                        Finding::new(
                            Code::IamExecutionRoleNotFound,
                            Status::Pass,
                            Severity::Info,
                            format!("The execution role {} exists.", role.arn),
                        )
                        .evidence("executionRoleArn", role.arn.as_str()),
                    );
                    findings.push(trust_finding(role, task, place.as_ref()));
                    findings.extend(check::findings(role, &needs, check::Which::Execution));
                    // A secret whose metadata could not be read may need kms:Decrypt on a key
                    // nobody could name: say so instead of passing over it.
                    for k in &iam.secret_keys {
                        if let Readable::Unreadable(u) = &k.key {
                            findings.push(
                                Finding::new(
                                    Code::IamDecisionUnknown,
                                    Status::Unknown,
                                    Severity::Medium,
                                    format!(
                                        "Whether the execution role needs kms:Decrypt for {} is unknown: {} returned {}, so its KMS key is not known.",
                                        k.reference, u.api, u.error_code
                                    ),
                                )
                                .evidence("reference", k.reference.as_str())
                                .evidence("api", u.api.as_str())
                                .evidence("errorCode", u.error_code.as_str()),
                            );
                        }
                    }
                }
            }
        }
    }

    // EC2 launch type without an execution role: the container agent pulls with the
    // instance's role.
    if iam.execution_role_arn.is_none()
        && let Some(inst) = &iam.instance_role
    {
        let ecr_needs: Vec<Need> = needs
            .iter()
            .filter(|n| n.action.starts_with("ecr:"))
            .cloned()
            .collect();
        if !ecr_needs.is_empty() {
            findings.extend(instance_findings(inst, &ecr_needs));
        }
    }

    let fails = findings.iter().filter(|f| f.status == Status::Fail).count();
    let unknowns = findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .count();
    let summary = match (fails, unknowns) {
        (0, 0) => {
            "The roles the start depends on exist, trust ECS and allow every permission checked."
                .to_string()
        }
        (0, u) => format!("{u} IAM check(s) could not be decided; none failed."),
        (f, _) => format!("{f} IAM check(s) failed."),
    };
    StageResult::ran(StageName::Iam, summary, findings)
}

fn trust_finding(
    role: &crate::facts::RoleFacts,
    task: &crate::facts::TaskFacts,
    place: Option<&Place>,
) -> Finding {
    let Some(doc) = &role.trust_policy else {
        return Finding::new(
            Code::IamExecutionRoleTrust,
            Status::Unknown,
            Severity::Medium,
            format!("iam:GetRole returned no trust policy for {}.", role.arn),
        );
    };
    let account = place.map(|p| p.account.as_str()).unwrap_or("");
    let mut sources: Vec<&str> = vec![task.task_arn.as_str()];
    if let Some(c) = &task.cluster_arn {
        sources.push(c);
    }
    let e = trust::evaluate(doc, &role.arn, account, &sources);
    let base = |status, severity, detail: String| {
        Finding::new(Code::IamExecutionRoleTrust, status, severity, detail)
            .evidence("executionRoleArn", role.arn.as_str())
            .evidence(
                "trustPolicy",
                serde_json::from_str::<serde_json::Value>(doc)
                    .unwrap_or_else(|_| doc.as_str().into()),
            )
    };
    match e.verdict {
        Verdict::Allowed => base(
            Status::Pass,
            Severity::Info,
            format!("The role's trust policy lets {} assume it ({}).", trust::ECS_TASKS, e.statement.as_deref().unwrap_or("trust policy")),
        ),
        Verdict::Denied => base(
            Status::Fail,
            Severity::Critical,
            format!("The role's trust policy does not let {} call sts:AssumeRole: {}", trust::ECS_TASKS, e.detail),
        )
        .remediation(format!(
            "Add this statement to the role's trust policy (update-assume-role-policy replaces the whole document, so merge it with the statements you keep):\n{}\n\naws iam update-assume-role-policy --role-name {} --policy-document '{}'",
            trust::TRUST_POLICY,
            role.name,
            trust::TRUST_POLICY
        )),
        Verdict::Unknown => base(
            Status::Unknown,
            Severity::Medium,
            format!("Whether the trust policy lets {} assume the role cannot be decided: {}", trust::ECS_TASKS, e.detail),
        ),
    }
}

fn instance_findings(inst: &crate::facts::InstanceRoleFacts, needs: &[Need]) -> Vec<Finding> {
    let code = Code::IamInstanceRoleActionDenied;
    match &inst.role {
        None => vec![],
        Some(Readable::Unreadable(u)) => vec![unreadable_finding(
            code,
            Severity::High,
            &format!("The role of container instance {}", inst.container_instance_arn),
            u,
            "Whether the instance role may pull from ECR cannot be decided.",
        )],
        Some(Readable::Read { value: RoleLookup::Found { role } }) => check::findings(role, needs, check::Which::Instance),
        Some(Readable::Read { value: RoleLookup::NotFound { name } }) => vec![
            Finding::new(code, Status::Fail, Severity::Critical, format!("The instance profile's role {name} does not exist, so the container agent cannot pull from ECR."))
                .evidence("instanceProfileArn", inst.instance_profile_arn.clone()),
        ],
        Some(Readable::Read { value: RoleLookup::Missing { why } }) => vec![
            Finding::new(code, Status::Fail, Severity::Critical, format!("The task has no execution role and {why}, so nothing lets the container agent pull from ECR."))
                .evidence("ec2InstanceId", inst.ec2_instance_id.clone())
                .remediation("Give the task an execution role with AmazonECSTaskExecutionRolePolicy, or attach an instance profile whose role has AmazonEC2ContainerServiceforEC2Role."),
        ],
    }
}

#[cfg(test)]
mod tests;
