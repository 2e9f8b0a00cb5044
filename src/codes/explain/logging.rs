//! The explanations of the logging stage: awslogs log groups.

use super::Explanation;
use super::links::*;

/// `LOG_GROUP_MISSING`.
pub(super) const LOG_GROUP_MISSING: Explanation = Explanation {
    title: "The awslogs log group does not exist in its Region",
    text: r#"What it means
A container uses the `awslogs` log driver, the log group named by `awslogs-group` does not exist in
the Region named by `awslogs-region`, and `awslogs-create-group` is not `true`, so nothing creates
it. A group that exists in another Region does not count. The ECS documentation: "Make sure that the
specified log group exists in the Region that you specify".

Why the task cannot start
The log driver is set up before the container starts, and fails without its log group. Typical stop
reason: `ResourceInitializationError: failed to validate logger args: The task cannot find the
Amazon CloudWatch log group defined in the task definition. There is a connection issue between the
task and Amazon CloudWatch. Check your network configuration. signal: killed` (older: `failed to
validate logger args: : signal: killed`). The same text appears when CloudWatch Logs is unreachable,
so check the network stage's findings as well.

How to confirm by hand
Read the containers' log options (the evidence gives `logGroup`, `region` and `regionSource`, which
says whether `awslogs-region` was set or the task's Region was used):
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.containerDefinitions[].{name:name,driver:logConfiguration.logDriver,options:logConfiguration.options}'
Then list the log groups with that name in that Region:
    aws logs describe-log-groups --log-group-name-prefix <log-group> --region <awslogs-region> --query 'logGroups[].logGroupName'
The finding holds when the list does not contain the exact name (names are case-sensitive); a name
found only with another `--region` is in the wrong Region.

How to fix
Create the log group in `awslogs-region` (optionally with a retention period):
    aws logs create-log-group --log-group-name <log-group> --region <awslogs-region>
    aws logs put-retention-policy --log-group-name <log-group> --retention-in-days 30 --region <awslogs-region>
Or correct `awslogs-group` or `awslogs-region` in a new task definition revision, or set
`awslogs-create-group` to `true` and allow `logs:CreateLogGroup` (`LOG_GROUP_CREATE_NOT_PERMITTED`)."#,
    console: "CloudWatch console ({region|the awslogs-region}) > Logs > Log groups > Create log group: Log group name {logGroup|the awslogs-group name} > Create",
    docs: &[AWSLOGS, EXECUTION_ROLE, RESOURCE_INIT],
};

/// `LOG_GROUP_CREATE_NOT_PERMITTED`.
pub(super) const LOG_GROUP_CREATE_NOT_PERMITTED: Explanation = Explanation {
    title: "Log group creation is on, but logs:CreateLogGroup is not allowed",
    text: r#"What it means
A container's `awslogs` options set `awslogs-create-group` to `true`, and the role that creates the
group (the task execution role; on the EC2 launch type possibly the container instance role) is not
allowed `logs:CreateLogGroup`. The managed policy `AmazonECSTaskExecutionRolePolicy` does not
include this action. The tool evaluates the execution role's policies only.

Why the task cannot start
When the log group does not exist yet, the log driver tries to create it at start; the call is
denied and the task stops with a logging error (`failed to validate logger args` or `failed to
initialize logging driver`).

How to confirm by hand
Check that the group is missing, then ask the IAM policy simulator whether the execution role may
create it. The evidence gives the `roleArn`, the log group's ARN as `resource`, and the statement
that decided (`decidedBy`):
    aws logs describe-log-groups --log-group-name-prefix <log-group> --region <awslogs-region> --query 'logGroups[].logGroupName'
    aws iam simulate-principal-policy --policy-source-arn <execution-role-arn> --action-names logs:CreateLogGroup --resource-arns arn:aws:logs:<region>:<account-id>:log-group:<log-group> --query 'EvaluationResults[].{action:EvalActionName,decision:EvalDecision,matched:MatchedStatements[].SourcePolicyId}'
The finding holds when the group is not listed and the decision is `implicitDeny` (nothing allows
it) or `explicitDeny` (a Deny statement, named under `matched`). A group that exists makes this
only a warning: the driver creates nothing then.

How to fix
Allow the action on the log group in the role that creates it:
    aws iam put-role-policy --role-name <execution-role> --policy-name <policy-name> --policy-document file://policy.json
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":["arn:aws:logs:<region>:<account-id>:log-group:<log-group>","arn:aws:logs:<region>:<account-id>:log-group:<log-group>:*"]}]}
Or create the log group once and drop `awslogs-create-group`:
    aws logs create-log-group --log-group-name <log-group> --region <awslogs-region>"#,
    console: "IAM console > Roles > {roleArn|the task execution role} > Permissions > Add permissions > Create inline policy: allow logs:CreateLogGroup on {resource|the log group's ARN} > Create policy (or CloudWatch console > Logs > Log groups > Create log group: {logGroup|the awslogs-group name} in {region|the awslogs-region})",
    docs: &[AWSLOGS, EXECUTION_ROLE],
};
