//! The explanations of the iam stage: the execution role, its trust and its permissions, and the instance role.

use super::Explanation;
use super::links::*;

/// `IAM_EXECUTION_ROLE_MISSING`.
pub(super) const IAM_EXECUTION_ROLE_MISSING: Explanation = Explanation {
    title: "The task needs an execution role and has none",
    text: r#"What it means
The task definition has no `executionRoleArn`, but the task does something the ECS agent can only do
with an execution role: on Fargate (and on Amazon ECS Managed Instances and external instances),
pull from a private ECR repository or send logs with the `awslogs` driver; on any launch type, pull
with private registry authentication (`repositoryCredentials`) or inject `secrets` from Secrets
Manager or SSM Parameter Store. (On the EC2 launch type, ECR pulls and awslogs can use the container
instance role instead.) The evidence lists what needs the role (`needs`) and names the
`taskDefinitionArn`.

Why the task cannot start
These calls (`ecr:GetAuthorizationToken`, `secretsmanager:GetSecretValue`, `ssm:GetParameters`,
`logs:CreateLogStream`, ...) are made by the agent with the execution role's credentials. Without a
role there are no credentials, so the start fails at the first step that needs them.

How to confirm by hand
Read the task definition's role and what needs one, and the task's own override (RunTask can set
`executionRoleArn` for one task, and the tool counts it):
    aws ecs describe-task-definition --task-definition <task-definition-arn> --region <region> --query 'taskDefinition.{executionRole:executionRoleArn,compatibilities:requiresCompatibilities,containers:containerDefinitions[].{name:name,image:image,logDriver:logConfiguration.logDriver,secrets:secrets[].valueFrom,credentials:repositoryCredentials.credentialsParameter}}'
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{launchType:launchType,overrideRole:overrides.executionRoleArn}'
The finding holds when `executionRole` and `overrideRole` are both null while a container has
`secrets` or `credentials`, or, outside the EC2 launch type, pulls from
`<account-id>.dkr.ecr.<region>.amazonaws.com` or logs with `awslogs`.

How to fix
Create the role with the trust policy ECS needs, attach the managed policy, and add what the managed
policy lacks:
    aws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document file://trust.json
    aws iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
with trust.json:
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}
`AmazonECSTaskExecutionRolePolicy` allows the ECR pull actions and `logs:CreateLogStream` and
`logs:PutLogEvents`; it does not allow `logs:CreateLogGroup`, `secretsmanager:GetSecretValue`,
`ssm:GetParameters` or `kms:Decrypt`: add those as an inline policy on the exact resources if the
task needs them. Then set `executionRoleArn` in a new task definition revision and deploy it.
Whoever starts the task (you, the service, the pipeline) needs `iam:PassRole` on the role."#,
    console: "Amazon ECS console > Task definitions > {taskDefinitionArn|the task definition} > Create new revision > Create new revision > Task execution role: a role with AmazonECSTaskExecutionRolePolicy (IAM console > Roles > Create role > AWS service: Elastic Container Service, use case Elastic Container Service Task) > Create, then update the service to the new revision",
    docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
};

/// `IAM_EXECUTION_ROLE_NOT_FOUND`.
pub(super) const IAM_EXECUTION_ROLE_NOT_FOUND: Explanation = Explanation {
    title: "The execution role ARN names a role that does not exist",
    text: r#"What it means
The task definition's `executionRoleArn` is set, but IAM has no role with that ARN (GetRole answers
`NoSuchEntity`): the role was deleted, the ARN has a typo or the wrong path
(`role/service-role/<name>` versus `role/<name>`), or it names a role of another account. The
evidence gives the `executionRoleArn`.

Why the task cannot start
ECS cannot assume a role that does not exist, so the agent has no credentials for the image pull,
the secrets or the logs, and the start fails at the first step that needs them.

How to confirm by hand
Ask IAM, with credentials of the account the ARN names, for the role named by the ARN's last path
segment, then for roles with a similar name:
    aws iam get-role --role-name <role-name> --query 'Role.{arn:Arn,id:RoleId,created:CreateDate}'
    aws iam list-roles --query "Roles[?contains(RoleName,'<part-of-name>')].Arn"
`NoSuchEntity` from the first confirms the finding. If it does return a role, compare its `arn`
with `executionRoleArn`: a different path or account in the ARN is the mistake.

How to fix
Find the role you meant, or recreate it (see `IAM_EXECUTION_ROLE_MISSING` for the trust policy and
managed policy). Put the correct ARN in a new task definition revision and deploy it. A recreated
role is a new principal: resource policies that named the old one (ECR repository policies, KMS key
policies, secret policies) now show an ID such as `AROA...` in its place and must be edited back to
the role's ARN."#,
    console: "IAM console > Roles > Create role > AWS service: Elastic Container Service, use case Elastic Container Service Task > Add permissions: AmazonECSTaskExecutionRolePolicy > Role name: the last part of {executionRoleArn|the executionRoleArn} > Create role (or put an existing role's ARN in a new task definition revision)",
    docs: &[EXECUTION_ROLE],
};

/// `IAM_EXECUTION_ROLE_TRUST`.
pub(super) const IAM_EXECUTION_ROLE_TRUST: Explanation = Explanation {
    title: "The execution role does not trust ecs-tasks.amazonaws.com",
    text: r#"What it means
The execution role's trust policy has no statement that allows the service principal
`ecs-tasks.amazonaws.com` to call `sts:AssumeRole`, or it denies it. A common mistake is a role
copied from elsewhere that trusts `ec2.amazonaws.com` (an instance role) or `ecs.amazonaws.com` (the
ECS service itself, not its tasks). A trust condition the tool cannot decide (for example an
`aws:SourceArn` that matches the task's ARN but not its cluster's) is reported under this code as
`UNKNOWN`, not as a failure. The evidence gives the `executionRoleArn` and the `trustPolicy` read.

Why the task cannot start
Tasks get the execution role's credentials by assuming it as `ecs-tasks.amazonaws.com`. If the trust
policy does not allow that, there are no credentials for the image pull, the secrets or the logs,
and the start fails.

How to confirm by hand
Read the trust policy (the role name is the last part of the role's ARN):
    aws iam get-role --role-name <role-name> --query Role.AssumeRolePolicyDocument
The finding holds when no statement with `"Effect": "Allow"` names `ecs-tasks.amazonaws.com` under
`Principal.Service` together with `sts:AssumeRole` under `Action`, or when a `Deny` statement
matches that principal. Look at any `Condition` too: `aws:SourceAccount` must be the task's
account, and an `aws:SourceArn` is tried by the tool with both the task's and the cluster's ARN.
The IAM policy simulator cannot check a trust policy: it accepts no service principal as the caller.

How to fix
Set a trust policy that allows ECS tasks. `update-assume-role-policy` replaces the whole trust
policy, so keep any other principal the role still needs as a further statement:
    aws iam update-assume-role-policy --role-name <role-name> --policy-document file://trust.json
with trust.json:
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    console: "IAM console > Roles > {executionRoleArn|the task execution role} > Trust relationships > Edit trust policy: allow the service principal ecs-tasks.amazonaws.com to call sts:AssumeRole > Update policy",
    docs: &[EXECUTION_ROLE],
};

/// `IAM_ACTION_DENIED`.
pub(super) const IAM_ACTION_DENIED: Explanation = Explanation {
    title: "The execution role is not allowed an action the task start needs",
    text: r#"What it means
The local policy evaluator decided `denied` for an action the start needs, on the exact resource: no
statement allows it (implicit deny), or a statement denies it (an explicit deny always wins). It
evaluates the role's inline and attached policies and its permissions boundary. Resource policies
are judged elsewhere or not at all: an ECR repository policy under `IMG_REPO_POLICY_DENIES`, VPC
endpoint policies under `NET_ENDPOINT_POLICY_DENIES`; secret and KMS key policies are not read, so
they can still deny what the role's policies allow. The evidence names the role (`roleArn`), the
`action`, the `resource` and what decided (`decidedBy`: a Deny statement, or `implicit deny (no
Allow)`). The actions a start can need:
- Image from private ECR: `ecr:GetAuthorizationToken` (resource `*`),
  `ecr:BatchCheckLayerAvailability`, `ecr:GetDownloadUrlForLayer`, `ecr:BatchGetImage` (the
  repository).
- awslogs: `logs:CreateLogStream`, `logs:PutLogEvents`, and `logs:CreateLogGroup` when
  `awslogs-create-group` is `true`.
- Secrets: `secretsmanager:GetSecretValue` (Secrets Manager secrets, private registry credentials,
  SSM parameters that reference secrets), `ssm:GetParameters` (SSM parameters), `kms:Decrypt` only
  when the secret or parameter uses a customer managed KMS key.
The tool reports `denied` only when the policies decide it; when a condition, an unread resource
policy of another account or an unreadable policy leaves it open, the finding is
`IAM_DECISION_UNKNOWN` instead.

Why the task cannot start
The agent makes these calls with the execution role's credentials while starting the task, and the
first `AccessDeniedException` stops it. Typical stop reasons: `ResourceInitializationError: unable
to pull secrets or registry auth: ... AccessDeniedException: User:
arn:aws:sts::<account-id>:assumed-role/<execution-role>/<id> is not authorized to perform:
ecr:GetAuthorizationToken on resource: *`, or `... unable to retrieve secrets from ssm: ... is not
authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:... because no identity-based
policy allows the ssm:GetParameters action`.

How to confirm by hand
Ask the IAM policy simulator the same question, with the evidence's `roleArn`, `action` and
`resource` (leave out `--resource-arns` for `ecr:GetAuthorizationToken`, whose resource is `*`):
    aws iam simulate-principal-policy --policy-source-arn <role-arn> --action-names <action> --resource-arns <resource> --query 'EvaluationResults[].{action:EvalActionName,decision:EvalDecision,matched:MatchedStatements[].SourcePolicyId,boundary:PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary,scp:OrganizationsDecisionDetail.AllowedByOrganizations}'
`implicitDeny` means no statement allows it; `explicitDeny` means a Deny matched, and `matched`
names its policy; `boundary` false means the permissions boundary does not allow it; `scp` false
means a service control policy denies it. `allowed` means the role's policies allow it now: they
may have changed since the diagnosis, so run it again. The simulator makes no real request, does
not evaluate SCPs that have global conditions, and takes a resource policy only with an IAM user as
the caller, never a role. The stop reason, while ECS still shows it, names the same action:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{reason:stoppedReason,containers:containers[].reason}'

How to fix
Allow the action on the exact resource in the execution role, for example:
    aws iam put-role-policy --role-name <execution-role> --policy-name <policy-name> --policy-document file://policy.json
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"<secret-arn>"},{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:<region>:<account-id>:parameter/<name>"},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"<kms-key-arn>"}]}
For the ECR and logs actions, attaching
`arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy` is enough (it has no
`logs:CreateLogGroup`). If `decidedBy` names a Deny statement, change the policy that holds it (an
inline or managed policy of the role, or its permissions boundary): an added Allow cannot override
it. For `kms:Decrypt` on a customer managed key, the key policy must allow the role too, directly
or through a statement that delegates to the account's IAM policies (`aws kms get-key-policy
--key-id <key-id> --policy-name default`). Do not put `aws:sourceVpc` or `aws:sourceVpce`
conditions on `ecr:GetAuthorizationToken`: AWS documents that this call does not go through the
task's network interface, so such a condition never matches it."#,
    console: "IAM console > Roles > {roleArn|the task execution role} > Permissions > Add permissions > Create inline policy > JSON: allow {action|the denied action} on {resource|the resource} > Next > Create policy (for an explicit Deny, edit the policy or permissions boundary that holds it instead)",
    docs: &[
        EXECUTION_ROLE,
        ECR_MANAGED_POLICIES,
        KC_UNABLE_TO_PULL_SECRETS,
        AWSLOGS,
    ],
};

/// `IAM_DECISION_UNKNOWN`.
pub(super) const IAM_DECISION_UNKNOWN: Explanation = Explanation {
    title: "A permission could not be decided from the policies the tool can read",
    text: r#"What it means
The local policy evaluator could neither allow nor deny an action the start needs. Typical reasons:
a condition key whose value is only known when the real request is made (for example
`aws:SourceVpce`, `aws:SourceVpc`, `aws:SourceIp`, tags); a resource in another account, whose
resource policy must allow the access too and is not read; a policy the tool could not read or
parse; a resource it cannot name exactly (the log stream of an `awslogs` configuration without
`awslogs-stream-prefix`, a KMS key named by an alias); or a secret whose metadata, and so whose KMS
key, could not be read. Service control policies and resource control policies are invisible to
the tool: they never make a decision unknown, and they can deny what it allows. The evidence names
the role (`roleArn`), the `action` and the `resource`; when a fact could not be read, the `api`, its
`errorCode` and the `cause`; for a secret whose KMS key is not known, the secret's `reference`.

Why the task cannot start
It may not be the reason. `unknown` is not a denial: the start can be fine. The tool reports what it
could not verify instead of guessing, because tools that turned undecidable cases into denials sent
operators after permissions that were never missing. If the stop reason shows an
`AccessDeniedException` for this very action, the undecided policy is the likely culprit; otherwise
look at the other findings first.

How to confirm by hand
First the stop reason, while ECS still shows it:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{reason:stoppedReason,containers:containers[].reason}'
An `AccessDeniedException` naming this action and role confirms a denial; a failure of another kind
says this permission was not what stopped the task. Then ask the IAM policy simulator for a second
opinion, passing the context keys the evaluator could not know:
    aws iam simulate-principal-policy --policy-source-arn <execution-role-arn> --action-names <action> --resource-arns <resource-arn> --context-entries 'ContextKeyName=aws:SourceVpce,ContextKeyValues=<vpce-id>,ContextKeyType=string' --query 'EvaluationResults[].{decision:EvalDecision,matched:MatchedStatements[].SourcePolicyId,missing:ResourceSpecificResults[].MissingContextValues}'
`allowed`, `implicitDeny` (nothing allows it) or `explicitDeny` (a Deny matched, named under
`matched`) is its answer; keys listed under `missing` were needed and not given, and without them
the answer is not reliable. The simulator has blind spots too: it does not evaluate SCPs that have
global conditions and does not support cross-account access, so it is a second opinion, not the
answer. For a secret whose KMS key is not known, read its metadata (no `KmsKeyId` means the AWS
managed key, which needs no grant on the role):
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region> --query KmsKeyId

How to fix
Settle the question where the missing context is:
- If the stop reason shows the denial, or the simulator answers `implicitDeny` or `explicitDeny`
  with the real context values, treat it as `IAM_ACTION_DENIED`.
- If a condition cannot hold for how the task really runs (VPC endpoint, source IP, tags), grant
  the action without it.
- For a resource in another account, read its resource policy there (for example
  `aws ecr get-repository-policy` or `aws kms get-key-policy`) and make it allow the role.
- If the tool could not read a policy, grant its role read access (for example `iam:GetRolePolicy`,
  `iam:GetPolicyVersion`, `kms:GetKeyPolicy`) and run the diagnosis again."#,
    console: "IAM console > Roles > {roleArn|the task execution role} > Permissions > the policy that would grant {action|the action} on {resource|the resource}: check its Condition against how the task runs > Edit",
    docs: &[IAM_POLICY_TESTING, IAM_EVALUATION_RESULT, EXECUTION_ROLE],
};

/// `IAM_INSTANCE_ROLE_ACTION_DENIED`.
pub(super) const IAM_INSTANCE_ROLE_ACTION_DENIED: Explanation = Explanation {
    title: "The container instance role is not allowed an action the agent needs",
    text: r#"What it means
EC2 launch type, task without an execution role: the ECS agent pulls private ECR images with the
IAM role of the container instance's instance profile, and that role may not perform an action the
pull needs: `ecr:GetAuthorizationToken`, `ecr:BatchCheckLayerAvailability`,
`ecr:GetDownloadUrlForLayer` or `ecr:BatchGetImage` (all in the managed policy
`AmazonEC2ContainerServiceforEC2Role`). The tool checks the instance role only for tasks without
an execution role: which role the agent uses for an ECR pull when the task has one is not confirmed
by the documentation this tool follows. The evidence names the role (`roleArn`), the `action`, the
`resource` and what decided (`decidedBy`); when the instance has no usable role, it names the
`instanceProfileArn` or the `ec2InstanceId` instead.

Why the task cannot start
When the agent's call is denied, the pull fails and the task stops. The
`assumed-role/<role>` in an `AccessDeniedException` of the stop reason tells which role the agent
actually used: if it is the instance role, this finding is the cause.

How to confirm by hand
Find the container instance, its EC2 instance, its instance profile and the profile's role (the
evidence's `ec2InstanceId` or `instanceProfileArn` skips steps):
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].containerInstanceArn'
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-arn> --region <region> --query 'containerInstances[0].ec2InstanceId'
    aws ec2 describe-iam-instance-profile-associations --filters Name=instance-id,Values=<instance-id> --region <region> --query 'IamInstanceProfileAssociations[].{profile:IamInstanceProfile.Arn,state:State}'
    aws iam get-instance-profile --instance-profile-name <instance-profile> --query 'InstanceProfile.Roles[].Arn'
No association, or a profile without a role, leaves the agent no credentials at all. Otherwise ask
the IAM policy simulator about the pull (the token's resource is `*`):
    aws iam simulate-principal-policy --policy-source-arn <instance-role-arn> --action-names ecr:GetAuthorizationToken --query 'EvaluationResults[].{action:EvalActionName,decision:EvalDecision}'
    aws iam simulate-principal-policy --policy-source-arn <instance-role-arn> --action-names ecr:BatchCheckLayerAvailability ecr:GetDownloadUrlForLayer ecr:BatchGetImage --resource-arns arn:aws:ecr:<region>:<account-id>:repository/<repository> --query 'EvaluationResults[].{action:EvalActionName,decision:EvalDecision,matched:MatchedStatements[].SourcePolicyId}'
`implicitDeny` (nothing allows it) or `explicitDeny` (a Deny matched, named under `matched`) for any
action confirms the finding.

How to fix
Attach the managed policy to the instance's role (or add the missing actions):
    aws iam attach-role-policy --role-name <instance-role> --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
IAM changes can take a short while to take effect; then start the task again. The AWS runbook
AWSSupport-TroubleshootECSContainerInstance checks the instance profile as well."#,
    console: "IAM console > Roles > {roleArn|the container instance role} > Permissions > Add permissions > Attach policies > AmazonEC2ContainerServiceforEC2Role > Add permissions (an instance without a role: Amazon EC2 console > Instances > {ec2InstanceId|the container instance} > Actions > Security > Modify IAM role)",
    docs: &[
        EXECUTION_ROLE,
        ECR_MANAGED_POLICIES,
        AWSLOGS,
        CONTAINER_INSTANCE_RUNBOOK,
    ],
};
