//! The explanations of the task stage: whether the task exists, stopped, and what its stop reason says.

use super::Explanation;
use super::links::*;

/// `TASK_NOT_FOUND`.
pub(super) const TASK_NOT_FOUND: Explanation = Explanation {
    title: "The task is not known to DescribeTasks",
    text: r#"What it means
DescribeTasks, called with the cluster and task that were given, returned the task in its `failures`
list (reason `MISSING`) instead of in `tasks`: ECS does not know a task with that ID or ARN in that
cluster, account and Region. The same code is used when ECS has no such cluster at all
(`ClusterNotFoundException`); the evidence then names the API and the error code.

Why the task cannot start
This code does not say why the task failed; it says there is nothing left to diagnose through the
API. Either the identifiers are wrong (another cluster, another Region, another account, a mistyped
ID), or the task stopped too long ago: ECS keeps a stopped task visible to DescribeTasks and
ListTasks for only about one hour after it stops (the API reference says "at least one hour"). After
that its `stoppedReason`, `stopCode` and container reasons are gone from the API. The AWS runbook
AWSSupport-TroubleshootECSTaskFailedToStart has the same limit and asks for the most recently failed
task for this reason.

How to confirm by hand
The evidence gives the `task`, `cluster` and `region` that were asked for and the `failureReason`
ECS answered (for a missing cluster, the `api` and its `errorCode`). Ask ECS the same question in
the Region the task ARN names (`arn:aws:ecs:<region>:<account-id>:task/<cluster>/<task-id>`):
    aws sts get-caller-identity --query Account
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query '{tasks:tasks[].lastStatus,failures:failures[].{arn:arn,reason:reason}}'
    aws ecs describe-clusters --clusters <cluster> --region <region> --query '{clusters:clusters[].{name:clusterName,status:status},failures:failures[].reason}'
    aws ecs list-tasks --cluster <cluster> --desired-status STOPPED --region <region>
The finding holds when `tasks` is empty and `failures` says `MISSING`, or when describe-tasks
answers `ClusterNotFoundException` and describe-clusters reports the cluster `MISSING` (or
`INACTIVE`: deleted). The first call shows which account you asked: a task of another account is
never found. If you know the task ran and list-tasks no longer shows it, it stopped more than about
an hour ago.

How to fix
1. Name the cluster and task as the task ARN shows them, and run in its Region and account:
    aws ecs list-clusters --region <region>
2. If the task belongs to a service that keeps retrying, diagnose its most recent failed task
   instead.
3. For a task that stopped more than about an hour ago, use the event instead of the API: ECS
   publishes an "ECS Task State Change" event to EventBridge whose `detail` is the task itself, with
   its `stoppedReason` and `stopCode`. Save that event to a file and run `ecs-task-doctor diagnose
   --event FILE`. Better, deploy the ecs-task-doctor EventBridge rule: it diagnoses every task that
   stops with `TaskFailedToStart` at the moment it stops, from the event, and publishes the report,
   so the one-hour window no longer matters. (The network, IAM and other checks always read the
   account as it is when the diagnosis runs.)"#,
    console: "Amazon ECS console ({region|the task's Region}) > Clusters > {cluster|the task's cluster} > Tasks > Filter desired status: Any desired status > look for {task|the task ID} (stopped tasks are listed for about an hour)",
    docs: &[ECS_EVENTS, RUNBOOK, API_FAILURES, KC_TASK_STOPPED],
};

/// `TASK_NOT_STOPPED`.
pub(super) const TASK_NOT_STOPPED: Explanation = Explanation {
    title: "The task has not stopped, so it has not failed to start",
    text: r#"What it means
The task's `lastStatus` is not `STOPPED`: it is still on its way up (for example `PROVISIONING` or
`PENDING`), `RUNNING`, or on its way down (for example `STOPPING` or `DEPROVISIONING`).

Why the task cannot start
It may not be failing. A task that is still starting can still succeed, and a running task has
started. Until the task has stopped there is no stop code and no stop reason to explain, so this
tool has no failure to diagnose and does not guess one. A Fargate task that stays in `PENDING` for a
long time is often held up by the same things that make tasks fail to start (no route to the
registry, outbound HTTPS blocked by a security group or network ACL); the AWS Knowledge Center
article on tasks stuck in `PENDING` lists those checks.

How to confirm by hand
The evidence gives the task's `lastStatus` and `desiredStatus`. Read them with the timestamps that
show how far the start got:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{last:lastStatus,desired:desiredStatus,created:createdAt,pullStarted:pullStartedAt,pullStopped:pullStoppedAt,started:startedAt,containers:containers[].{name:name,last:lastStatus}}'
The finding holds while `last` is anything but `STOPPED`. A `desired` of `STOPPED` means ECS is
already stopping the task; a `pullStarted` without a `pullStopped` means the image pull has not
finished; a `started` time means the task reached `RUNNING`.

How to fix
Wait until the task has stopped, then diagnose it again:
    aws ecs wait tasks-stopped --cluster <cluster> --tasks <task-id> --region <region>
    ecs-task-doctor diagnose --cluster <cluster> --task <task-id>
With the ecs-task-doctor EventBridge rule deployed, a task that stops with `TaskFailedToStart` is
diagnosed automatically when it stops."#,
    console: "Amazon ECS console > Clusters > the task's cluster > Tasks > Filter desired status: Any desired status > {taskArn|the task} > Last status and Desired status (refresh until it is STOPPED)",
    docs: &[KC_PENDING, ECS_EVENTS, RUNBOOK],
};

/// `TASK_STOPPED_FOR_OTHER_REASON`.
pub(super) const TASK_STOPPED_FOR_OTHER_REASON: Explanation = Explanation {
    title: "The task stopped, but not because it failed to start",
    text: r#"What it means
The task stopped, but not by failing to start: its `stopCode` says it was stopped on purpose
(`UserInitiated`, `ServiceSchedulerInitiated`, `SpotInterruption`, `TerminationNotice`), or its
`stopCode` is not `TaskFailedToStart` (for example `EssentialContainerExited`, or the newer
`InfrastructureHealth`; ECS may add more) and neither the task's nor any container's reason matches
a start failure of the catalogue. The evidence holds the task's `stopCode`, its `stoppedReason` and
the catalogue `pattern` if one matched; the finding's detail names the containers that exited with a
non-zero code.

Why the task cannot start
It did start. Its containers got as far as running (or the task was stopped on purpose) and the task
ended later: an essential container exited, a user or the service scheduler stopped it (for example
during a deployment or scale-in), or the capacity under it went away. The image, IAM, network,
secrets and logging checks of this tool answer "could this task start?", which is not the question
here.

How to confirm by hand
Read the stop code, the reasons and the exit codes (within about an hour of the stop):
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{stopCode:stopCode,reason:stoppedReason,started:startedAt,containers:containers[].{name:name,exitCode:exitCode,reason:reason}}'
The finding holds when `stopCode` is one of the on-purpose codes above, or is not
`TaskFailedToStart` while no reason names a start failure (such as `CannotPullContainerError` or
`ResourceInitializationError`). A `started` time (the task reached `RUNNING`) and containers with an
`exitCode` show that the containers did run.

How to fix
Look at why the containers ended: their exit codes and reasons (above), then the application's own
logs. The AWS Knowledge Center article "Why is my Amazon ECS task stopped?" walks through the common
cases. To keep the details of stopped tasks beyond the hour ECS shows them, send the ECS Task State
Change events to a log group or to the ecs-task-doctor EventBridge rule."#,
    console: "Amazon ECS console > Clusters > the task's cluster > Tasks > Filter desired status: Stopped > {taskArn|the task} > its stopped reason and the containers' exit codes, then the Logs tab",
    docs: &[KC_TASK_STOPPED, STOPPED_TASK_ERRORS, CANNOT_START],
};

/// `TASK_STOP_REASON_CLASSIFIED`.
pub(super) const TASK_STOP_REASON_CLASSIFIED: Explanation = Explanation {
    title: "The stop reason was classified",
    text: r#"What it means
The `task` stage matched the task's `stoppedReason` (and its containers' `reason`) against its
versioned catalogue of stop reasons, which knows both the older ECS agent wording and the longer
wording agents use since 2024, and assigned the failure class shown in the report as `failureClass`.
The evidence holds the matched text. The classes:
- image-pull-network: the image could not be fetched because the registry or the S3 layer bucket
  could not be reached (`CannotPullContainerError` with `i/o timeout`, `request canceled while
  waiting for connection`, `context canceled`, or "There is a connection issue between the task and
  Amazon ECR").
- image-not-found: the repository, tag or digest does not exist (`repository ... not found`, `...:
  not found`).
- image-access-denied: the registry refused the pull or the registry token: missing ECR permissions,
  a repository or endpoint policy, or registry credentials (`403 Forbidden`, `AccessDeniedException`
  on `ecr:GetAuthorizationToken`, `httpReaderSeeker: failed open`).
- registry-rate-limit: the registry throttled the pull (`toomanyrequests`, the Docker Hub pull rate
  limit).
- secrets-network: Secrets Manager or SSM Parameter Store could not be reached (`unable to retrieve
  secret from asm` or `unable to retrieve secrets from ssm` with "connection issue", `service call
  has been retried`, `i/o timeout`; also the generic `unable to pull secrets or registry auth`, most
  often a missing network path).
- secrets-access-denied: reading a secret, a parameter or its KMS key was denied
  (`AccessDeniedException` on `secretsmanager:GetSecretValue`, `ssm:GetParameters` or
  `kms:Decrypt`).
- secret-not-found: a Secrets Manager secret does not exist (`ResourceNotFoundException`), or its
  reference is malformed (a version ID shorter than 32 characters).
- ssm-parameter-invalid: SSM rejected a parameter name: it does not exist, or it is in another
  Region and not referenced by full ARN (`invalid ssm parameters: <name>`).
- logging: the log driver could not start, because the log group is missing or CloudWatch Logs is
  unreachable (`failed to validate logger args`, `failed to initialize logging driver`).
- placement-resources: no container instance has the CPU, memory, ports, ENIs or GPUs the task asks
  for, or there is no container instance at all (`RESOURCE:CPU`, `RESOURCE:MEMORY`).
- placement-constraint: no container instance satisfies the placement constraints (`MemberOf
  placement constraint unsatisfied`).
- agent: the ECS agent of the chosen container instance is disconnected (`AGENT`).
- efs: an EFS volume could not be mounted (the stop reason mentions EFS, `amazon-efs-utils` or
  `mount.nfs`).
- disk-full: the host ran out of disk while pulling or creating a container (`no space left on
  device`, a full devmapper thin pool); on Fargate, the task's ephemeral storage (`failed to extract
  layer ... no space left on device`), on Windows `hcsshim::ImportLayer ... not enough space on the
  disk`.
- infrastructure-role: ECS could not assume or use the ECS infrastructure role the task's volumes or
  service need (`ECS was unable to assume the configured ECS Infrastructure Role`).
- subnet-addresses: the task's subnet had no free IP address for its ENI
  (`InsufficientFreeAddressesInSubnet`).
- timeout: a container did not reach `RUNNING` in time (`ContainerRuntimeTimeoutError`,
  `DockerTimeoutError`, `Could not transition to running`; on Fargate often a network path that
  hangs), or the bare reason `Task failed to start`, which has been reported when a `dependsOn`
  container's `startTimeout` expires.
- platform-mismatch: the image has no variant for the task's operating system or CPU architecture,
  or its binaries are built for another architecture (`exec format error`).
- other: a start failure with no more specific class (for example `CannotStartContainerError`,
  `CannotCreateContainerError`, `CannotCreateVolumeError`, a bare `ResourceInitializationError`), or
  a stop reason the catalogue does not know; then every stage applies.

Why the task cannot start
The task did fail to start, but classifying what AWS said is not a failed check of the
configuration, so this finding is a `WARN`: it records what AWS said, not why it happened. When no
check of the stages that apply fails, the report's verdict is therefore not `FAIL`, and its summary
says that the current configuration does not explain the failure, what was verified, and what
configuration cannot show (a transient outage, a change made and undone, capacity). A stop reason
cut by ECS at 255 characters (ending in `...`) is matched on what survives the cut. The class
decides which stages are relevant (an image pull failure runs the image, IAM and network stages; a
placement failure skips them), and the report's `rootCause` is the finding of those stages that best
explains the stop reason. For example, image-pull-network together with
`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING` says what blocked the pull.

How to confirm by hand
The evidence gives the text that matched (`matchedReason`), where it came from (`reasonSource`: the
task or a named container), the `pattern`, the `failureClass` and the `catalogueVersion` (when no
pattern matched, the whole `stoppedReason` and the class other). Read the same texts from ECS
(within about an hour of the stop):
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{stopCode:stopCode,reason:stoppedReason,containers:containers[].{name:name,reason:reason}}'
The finding holds when `stopCode` is `TaskFailedToStart` (or, without one, a reason reads as a start
failure) and `matchedReason` is the task's `reason` or the named container's. For an older task,
the `detail.stoppedReason` of its ECS Task State Change event holds the same text. The class is the
tool's reading of that text; the finding named as `rootCause` is the claim to confirm next.

How to fix
Nothing to fix for this code itself: follow the finding named as `rootCause` and run
`ecs-task-doctor explain <CODE>` for it. The evidence names the matched pattern and the catalogue
version. If the stop reason matched no pattern, read it against the ECS stopped-task error pages
linked below, and report it to the ecs-task-doctor project so the catalogue learns it."#,
    console: "Amazon ECS console > Clusters > the task's cluster > Tasks > Filter desired status: Stopped > {taskArn|the task} > its stopped reason and the containers' status reasons",
    docs: &[
        STOPPED_TASK_ERRORS,
        CANNOT_PULL,
        RESOURCE_INIT,
        API_FAILURES,
        FAILED_TO_START,
    ],
};

/// `TASK_NOT_READABLE`.
pub(super) const TASK_NOT_READABLE: Explanation = Explanation {
    title: "The task or its task definition could not be read",
    text: r#"What it means
DescribeTasks or DescribeTaskDefinition returned an AWS error instead of the task or its task
definition. The evidence names the API, the error code and the `cause`, for example
`AccessDeniedException` (the identity ecs-task-doctor runs as may not call `ecs:DescribeTasks` or
`ecs:DescribeTaskDefinition`), `InvalidParameterException` (a malformed task ID or ARN), or
throttling that lasted through the retries. A cluster that does not exist
(`ClusterNotFoundException`) is reported as `TASK_NOT_FOUND` instead.

Why the task cannot start
This is a failure of the diagnosis, not of the task. Without the task and its definition the tool
does not know the images, roles, secrets, log configuration or network of the task, so the other
stages report `UNKNOWN` or `SKIPPED` rather than guess. It says nothing about why the task failed.

How to confirm by hand
Repeat the call as the identity the tool ran as (the deployed function's role; in a shell, your own
credentials, so check who you are first):
    aws sts get-caller-identity --query Arn
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].taskDefinitionArn'
    aws ecs describe-task-definition --task-definition <task-definition-arn> --region <region> --query 'taskDefinition.revision'
The same error code as the evidence's `errorCode` confirms it. For an access denial, ask IAM about
the role (`get-caller-identity` shows it as `assumed-role/<role-name>/<session>`; the simulator
wants the role's own ARN, which the first command below prints):
    aws iam get-role --role-name <role-name> --query Role.Arn
    aws iam simulate-principal-policy --policy-source-arn <role-arn> --action-names ecs:DescribeTasks ecs:DescribeTaskDefinition --query 'EvaluationResults[].{action:EvalActionName,decision:EvalDecision}'
`implicitDeny` (nothing allows it) or `explicitDeny` (a Deny matches) confirms the denial.

How to fix
Act on the error code in the evidence:
- AccessDeniedException: give the identity that runs ecs-task-doctor (the deployed function's role,
  or your own credentials for the CLI) read-only `ecs:DescribeTasks` and
  `ecs:DescribeTaskDefinition`. Check who that identity is with `aws sts get-caller-identity`.
- InvalidParameterException: pass the task's ID or full ARN and the cluster's name or ARN, and run
  in the cluster's Region (set `AWS_REGION`; the AWS runbook must also run in the task's Region).
- Throttling or another transient error: run the diagnosis again.
Then confirm that the same identity can read the task:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region>"#,
    console: "IAM console > Roles > the role that runs ecs-task-doctor > Permissions > Add permissions > Create inline policy: allow {api|ecs:DescribeTasks and ecs:DescribeTaskDefinition} on * > Create policy",
    docs: &[RUNBOOK, API_FAILURES],
};

/// CloudTrail's LookupEvents (event history, its rate limit).
const CLOUDTRAIL_LOOKUP_EVENTS: &str =
    "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html";
/// Event history from the AWS CLI (and where global services' events are: us-east-1).
const CLOUDTRAIL_EVENTS_CLI: &str =
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-cli.html";

/// `TASK_CHANGED_SINCE_FAILURE`.
pub(super) const TASK_CHANGED_SINCE_FAILURE: Explanation = Explanation {
    title: "Resources the start depended on changed since the task was created",
    text: r#"What it means
ecs-task-doctor looked up CloudTrail's event history (`cloudtrail:LookupEvents`, the last 90 days of
management events, read-only) for each resource this task's start depended on: its security
groups, its subnet's route table and network ACL, the execution role and its customer-managed
policies, the ECR repository, the secrets and SSM parameters, the log groups, the VPC endpoints and
their security groups. It kept the write events (read-only calls and refused calls are dropped)
between the task's `createdAt` and the diagnosis, and lists each with its time, caller, resource
and event name, marking those after the task's `stoppedAt`. WARN: changes were found. PASS: every
resource was searched to the end and none was written to. UNKNOWN: the history could not be read
(the evidence names the API, the error and, for a denial, the missing permission), or not all of
it: at most 12 resources and 2 pages of 50 events each are searched, at CloudTrail's limit of two
lookups per second, inside the run's time budget; what was not searched is named.

Why the task cannot start
A change is not a cause by itself: it is the context that explains a report. A change after the
failure is often the fix someone already made (a new egress rule, an attached policy, a created log
group): when every other check passes now, the report names the latest one as the probable fix, and
a new task should start. It can also hide the cause, because the checks read the configuration as
it is now, not as it was at the failure. A change before the failure, inside the task's short life,
may be what broke it. The event history only holds what CloudTrail logged in this account: IAM
events are in US East (N. Virginia) whatever the task's Region, and changes made by another
account or before the task was created are not shown.

How to confirm by hand
Look a resource up the same way (an ID such as `sg-...`, a role name, a secret ARN, a log group
name), from the task's `createdAt`, and read one event in full by its ID:
    aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<resource> --start-time <createdAt> --region <region> --query 'Events[].{time:EventTime,event:EventName,user:Username}'
    aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<role-name> --start-time <createdAt> --region us-east-1 --query 'Events[].{time:EventTime,event:EventName,user:Username}'
    aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue=<event-id> --region <region> --query 'Events[0].CloudTrailEvent'
The same event names and times as the finding confirm it.

How to fix
Nothing to fix in the finding itself. Read each change against the other findings: if the
configuration passes now and a change came after the failure, start the task again (or let the
service do it) to confirm that the change fixed it; if a change came before the failure, undo or
correct it. For UNKNOWN, allow `cloudtrail:LookupEvents` to the role running ecs-task-doctor
(template.yaml's role has it, on Resource `*`: a lookup names no resource of its own), or give
the CLI a longer `--timeout`, and run the diagnosis again."#,
    console: "CloudTrail console > Event history > Lookup attributes: Resource name = {resourceName|the resource} > the event > Event record",
    docs: &[CLOUDTRAIL_LOOKUP_EVENTS, CLOUDTRAIL_EVENTS_CLI],
};
