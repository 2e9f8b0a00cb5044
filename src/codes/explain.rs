//! The long story behind every finding code, printed by `ecs-task-doctor explain CODE`.
//!
//! A report line such as `NET_SG_EGRESS_S3_PREFIX_LIST_MISSING` is short by design: it is what
//! automation branches on and what dashboards count. The operator reading it in an outage needs more:
//! what the code names in AWS terms, why that condition stops an ECS task from starting (with the
//! `stoppedReason` text AWS prints for it, where it is known) and how to fix it, with an AWS CLI command
//! to start from. Like `rustc --explain`, that text lives here, one entry per [`Code`], in an exhaustive
//! `match`: adding a code without its explanation does not compile.
//!
//! The texts follow the project's research notes (`research/runbook.md`) and DESIGN §3. What those notes
//! mark as unconfirmed is not stated as fact here, and every documentation link is one the research
//! read: an AWS documentation page or an AWS re:Post Knowledge Center article.

use super::Code;

/// The long story of one finding code, printed by `ecs-task-doctor explain CODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// One line, sentence case, no trailing period, at most 90 characters. Used as the finding title in reports.
    pub title: &'static str,
    /// The full text: three sections headed `What it means`, `Why the task cannot start` and
    /// `How to fix`, separated by one blank line, prose wrapped at 100 columns (indented lines are
    /// commands or policy documents, to be copied as they are).
    pub text: &'static str,
    /// Documentation links (AWS docs / AWS re:Post Knowledge Center URLs taken from the research files; never invented).
    pub docs: &'static [&'static str],
}

const RUNBOOK: &str = "https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-troubleshootecstaskfailedtostart.html";
const CONTAINER_INSTANCE_RUNBOOK: &str = "https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-troubleshoot-ecs-container-instance.html";
const ECS_EVENTS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html";
const STOPPED_TASK_ERRORS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html";
const API_FAILURES: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html";
const CANNOT_PULL: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html";
const RESOURCE_INIT: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html";
const CANNOT_START: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cannot-start-container.html";
const FAILED_TO_START: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/failed-to-start-error.html";
const EXECUTION_ROLE: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html";
const AWSLOGS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html";
const ECS_ENDPOINTS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html";
const ECR_ENDPOINTS: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html";
const ECR_MANAGED_POLICIES: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html";
const FARGATE: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html";
const FARGATE_PLATFORM: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html";
const AWSVPC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html";
const VERIFY_CONNECTIVITY: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/verify-connectivity.html";
const VPC_DNS: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html";
const SG_RULES: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html";
const NACLS: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html";
const EFS_IAM: &str = "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html";
const MANAGED_PREFIX_LISTS: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html";
const GATEWAY_ENDPOINTS: &str =
    "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html";
const GUARDDUTY_ECS: &str =
    "https://docs.aws.amazon.com/guardduty/latest/ug/gdu-assess-coverage-ecs.html";
const IAM_POLICY_TESTING: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html";
const IAM_EVALUATION_RESULT: &str =
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html";
const REACHABILITY: &str =
    "https://docs.aws.amazon.com/vpc/latest/reachability/how-reachability-analyzer-works.html";
const KC_UNABLE_TO_PULL_SECRETS: &str =
    "https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets";
const KC_SECRETS_MANAGER_ISSUES: &str =
    "https://repost.aws/knowledge-center/ecs-secrets-manager-issues";
const KC_RATE_LIMIT: &str =
    "https://repost.aws/knowledge-center/ecs-pull-container-error-rate-limit";
const KC_TASK_STOPPED: &str = "https://repost.aws/knowledge-center/ecs-task-stopped";
const KC_FARGATE_PULL: &str =
    "https://repost.aws/knowledge-center/ecs-fargate-pull-container-error";
const KC_DOCKER_TIMEOUT: &str =
    "https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error";
const KC_PENDING: &str = "https://repost.aws/knowledge-center/ecs-fargate-tasks-pending-state";

pub(super) fn explanation(code: Code) -> Explanation {
    match code {
        Code::TaskNotFound => Explanation {
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

How to fix
1. Check the identifiers and the Region (a task ARN names both its Region and its cluster):
    aws ecs list-clusters --region <region>
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region>
    aws ecs list-tasks --cluster <cluster> --desired-status STOPPED --region <region>
2. If the task belongs to a service that keeps retrying, diagnose its most recent failed task
   instead.
3. For a task that stopped more than about an hour ago, use the event instead of the API: ECS
   publishes an "ECS Task State Change" event to EventBridge whose `detail` is the task itself, with
   its `stoppedReason` and `stopCode`. Save that event to a file and run `ecs-task-doctor diagnose
   --event FILE`. Better, deploy the ecs-task-doctor EventBridge rule: it diagnoses every task that
   stops with `TaskFailedToStart` at the moment it stops, from the event, and publishes the report,
   so the one-hour window no longer matters. (The network, IAM and other checks always read the
   account as it is when the diagnosis runs.)"#,
            docs: &[ECS_EVENTS, RUNBOOK, API_FAILURES, KC_TASK_STOPPED],
        },
        Code::TaskNotStopped => Explanation {
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

How to fix
Wait until the task has stopped, then diagnose it again:
    aws ecs wait tasks-stopped --cluster <cluster> --tasks <task-id> --region <region>
    ecs-task-doctor diagnose --cluster <cluster> --task <task-id>
With the ecs-task-doctor EventBridge rule deployed, a task that stops with `TaskFailedToStart` is
diagnosed automatically when it stops."#,
            docs: &[KC_PENDING, ECS_EVENTS, RUNBOOK],
        },
        Code::TaskStoppedForOtherReason => Explanation {
            title: "The task stopped, but not because it failed to start",
            text: r#"What it means
The task stopped, but not by failing to start: its `stopCode` says it was stopped on purpose
(`UserInitiated`, `ServiceSchedulerInitiated`, `SpotInterruption`, `TerminationNotice`), or its
`stopCode` is not `TaskFailedToStart` (for example `EssentialContainerExited`, or the newer
`InfrastructureHealth`; ECS may add more) and neither the task's nor any container's reason matches
a start failure of the catalogue. The evidence holds the task's `stopCode`, its `stoppedReason` and
the containers that exited with a non-zero code.

Why the task cannot start
It did start. Its containers got as far as running (or the task was stopped on purpose) and the task
ended later: an essential container exited, a user or the service scheduler stopped it (for example
during a deployment or scale-in), or the capacity under it went away. The image, IAM, network,
secrets and logging checks of this tool answer "could this task start?", which is not the question
here.

How to fix
Look at why the containers ended: their exit codes and reasons, then the application's own logs.
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].{stopCode:stopCode,reason:stoppedReason,containers:containers[].{name:name,exitCode:exitCode,reason:reason}}'
The AWS Knowledge Center article "Why is my Amazon ECS task stopped?" walks through the common
cases. To keep the details of stopped tasks beyond the hour ECS shows them, send the ECS Task State
Change events to a log group or to the ecs-task-doctor EventBridge rule."#,
            docs: &[KC_TASK_STOPPED, STOPPED_TASK_ERRORS, CANNOT_START],
        },
        Code::TaskStopReasonClassified => Explanation {
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
- disk-full: the EC2 host ran out of disk while pulling or creating a container (`no space left on
  device`, a full devmapper thin pool).
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
The task did fail to start, so this finding is reported as `FAIL`; but it records what AWS said, not
why it happened. The class decides which stages are relevant (an image pull failure runs the image,
IAM and network stages; a placement failure skips them), and the report's `rootCause` is the finding
of those stages that best explains the stop reason. For example, image-pull-network together with
`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING` says what blocked the pull.

How to fix
Nothing to fix for this code itself: follow the finding named as `rootCause` and run
`ecs-task-doctor explain <CODE>` for it. The evidence names the matched pattern and the catalogue
version. If the stop reason matched no pattern, read it against the ECS stopped-task error pages
linked below, and report it to the ecs-task-doctor project so the catalogue learns it."#,
            docs: &[
                STOPPED_TASK_ERRORS,
                CANNOT_PULL,
                RESOURCE_INIT,
                API_FAILURES,
                FAILED_TO_START,
            ],
        },
        Code::TaskNotReadable => Explanation {
            title: "The task or its task definition could not be read",
            text: r#"What it means
DescribeTasks or DescribeTaskDefinition returned an AWS error instead of the task or its task
definition. The evidence names the API and the error code, for example `AccessDeniedException` (the
identity ecs-task-doctor runs as may not call `ecs:DescribeTasks` or `ecs:DescribeTaskDefinition`),
`ClusterNotFoundException` (no such cluster in this account and Region), `InvalidParameterException`
(a malformed task ID or ARN), or throttling that lasted through the retries.

Why the task cannot start
This is a failure of the diagnosis, not of the task. Without the task and its definition the tool
does not know the images, roles, secrets, log configuration or network of the task, so the other
stages report `UNKNOWN` or `SKIPPED` rather than guess. It says nothing about why the task failed.

How to fix
Act on the error code in the evidence:
- AccessDeniedException: give the identity that runs ecs-task-doctor (the deployed function's role,
  or your own credentials for the CLI) read-only `ecs:DescribeTasks` and
  `ecs:DescribeTaskDefinition`. Check who that identity is with `aws sts get-caller-identity`.
- ClusterNotFoundException: pass the cluster's name or ARN and run in the cluster's Region (set
  `AWS_REGION`; the AWS runbook must also run in the task's Region):
    aws ecs list-clusters --region <region>
- Throttling or another transient error: run the diagnosis again.
Then confirm that the same identity can read the task:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region>"#,
            docs: &[RUNBOOK, API_FAILURES],
        },
        Code::ImgReferenceInvalid => Explanation {
            title: "An image reference in the task definition does not parse",
            text: r#"What it means
The `image` of a container definition is not a valid image reference of the form
`[registry/]repository[:tag][@digest]`. Typical causes are an empty tag (`repo:`) left by a template
variable that was not filled in, upper-case letters in the repository path, spaces or a trailing
newline, or a digest that is not `sha256:` followed by 64 hex digits. A private ECR image looks like
`<account-id>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`.

Why the task cannot start
The container runtime cannot resolve a reference that does not parse, so the pull fails before any
registry is contacted and the task stops with a `CannotPullContainerError`. No network or IAM change
can fix it.

How to fix
Correct the `image` in the task definition, register a new revision and deploy it:
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.containerDefinitions[].image'
    aws ecs register-task-definition --cli-input-json file://<task-definition>.json
    aws ecs update-service --cluster <cluster> --service <service> --task-definition <family>:<new-revision>
If you start from the output of describe-task-definition, remove the read-only fields it adds
(`taskDefinitionArn`, `revision`, `status`, `requiresAttributes`, `compatibilities`, `registeredAt`,
`registeredBy`) before registering."#,
            docs: &[CANNOT_PULL, STOPPED_TASK_ERRORS],
        },
        Code::ImgRepositoryNotFound => Explanation {
            title: "The ECR repository in the image reference does not exist",
            text: r#"What it means
The image names a private ECR registry (account and Region come from the host name
`<account-id>.dkr.ecr.<region>.amazonaws.com`), but that registry has no repository with the name in
the reference. The repository name is the whole path after the host and may contain slashes
(`team/app`).

Why the task cannot start
The registry answers that the repository does not exist and the pull fails. The stop reason reads
for example `CannotPullContainerError: API error (404): repository <uri> not found`; ECS agents
since 2024 add a sentence about a broken or non-existent repository URL. The ECS documentation lists
a wrong repository URI or image name as the cause, and also suggests checking the task execution
role.

How to fix
Check the account ID, Region and repository path in the image URI against what exists:
    aws ecr describe-repositories --registry-id <account-id> --repository-names <repository> --region <region>
Then either correct the image URI in a new task definition revision, or create the repository and
push the image to it:
    aws ecr create-repository --repository-name <repository> --region <region>"#,
            docs: &[CANNOT_PULL, KC_FARGATE_PULL],
        },
        Code::ImgTagNotFound => Explanation {
            title: "The image tag does not exist in the ECR repository",
            text: r#"What it means
The ECR repository exists, but no image in it carries the tag of the image reference (DescribeImages
answers `ImageNotFoundException`). Typical causes: the build or push never happened or failed, a
typo, a lifecycle policy expired the image, or someone deleted it.

Why the task cannot start
The container runtime cannot resolve the tag to a manifest, so the pull fails. Recent agents report
it as a `CannotPullContainerError` ending in `<image-reference>: not found`.

How to fix
See which tags exist (here the five most recently pushed images):
    aws ecr describe-images --repository-name <repository> --registry-id <account-id> --region <region> --query 'sort_by(imageDetails,&imagePushedAt)[-5:].imageTags'
Push the missing tag, or point the task definition at a tag or digest that exists. If a lifecycle
policy removed the image, check its rules:
    aws ecr get-lifecycle-policy --repository-name <repository> --region <region>
Deploying by digest, or with immutable tags, keeps a running service's image from disappearing or
changing under it:
    aws ecr put-image-tag-mutability --repository-name <repository> --image-tag-mutability IMMUTABLE --region <region>"#,
            docs: &[CANNOT_PULL, KC_FARGATE_PULL],
        },
        Code::ImgDigestNotFound => Explanation {
            title: "The image digest does not exist in the ECR repository",
            text: r#"What it means
The image reference pins a digest (`@sha256:...`) and the ECR repository exists, but it holds no
image with that digest (DescribeImages answers `ImageNotFoundException`). Either the image was
deleted (by hand or by a lifecycle policy), it was pushed to another repository or Region, or the
digest is not a registry digest: the local image ID that `docker images` shows is not the manifest
digest the registry knows.

Why the task cannot start
The container runtime cannot fetch a manifest that does not exist, so the pull fails with a
`CannotPullContainerError` ending in `not found`.

How to fix
Check the digest against the repository:
    aws ecr describe-images --repository-name <repository> --registry-id <account-id> --region <region> --image-ids imageDigest=<sha256:digest>
    aws ecr describe-images --repository-name <repository> --registry-id <account-id> --region <region> --query 'imageDetails[].{digest:imageDigest,tags:imageTags,pushed:imagePushedAt}'
Use the `imageDigest` the registry reports (for example as printed by `docker push`) in a new task
definition revision, or push the image again."#,
            docs: &[CANNOT_PULL, KC_FARGATE_PULL],
        },
        Code::ImgRepoPolicyDenies => Explanation {
            title: "The ECR repository policy does not allow the pulling principal",
            text: r#"What it means
The repository's resource policy does not grant the principal that pulls the image (the task
execution role, or on the EC2 launch type possibly the container instance role) the pull actions
`ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` (and `ecr:BatchCheckLayerAvailability`), or it
denies them explicitly. This matters above all when the repository is in another account: then the
repository policy must allow the role, and the role's own policies must allow the actions on the
repository too. In the same account a repository policy only blocks when it denies.
`ecr:GetAuthorizationToken` is not a repository action: only the role's identity policy grants it.

Why the task cannot start
The registry refuses the pull. Typical stop reasons: `CannotPullContainerError: ... failed to
resolve reference: unexpected status code 403 Forbidden`, or `ref pull has been retried 1 time(s):
failed to copy: httpReaderSeeker: failed open: unexpected status code`. The agent never gets the
image.

How to fix
In the account that owns the repository, add a statement for the pulling role.
`set-repository-policy` replaces the whole policy, so start from the current one:
    aws ecr get-repository-policy --repository-name <repository> --region <region> --query policyText --output text
    aws ecr set-repository-policy --repository-name <repository> --region <region> --policy-text file://policy.json
The statement to add:
    {"Sid":"AllowTaskPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::<task-account-id>:role/<execution-role>"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}
Remove or narrow any `Deny` that matches the role. If the policy shows the principal as an ID such
as `AROA...` instead of an ARN, the role was deleted and recreated after the policy was written: put
the role's ARN back."#,
            docs: &[
                ECR_MANAGED_POLICIES,
                EXECUTION_ROLE,
                CANNOT_PULL,
                KC_FARGATE_PULL,
            ],
        },
        Code::ImgCrossRegionRegistry => Explanation {
            title: "The image is in an ECR registry of another Region",
            text: r#"What it means
The image's registry host `<account-id>.dkr.ecr.<registry-region>.amazonaws.com` names a Region
other than the task's. Pulling from another Region is not an error in itself, but it changes which
network path the pull can use.

Why the task cannot start
VPC endpoints serve their own Region only: ECR interface endpoints do not work across Regions, and
an S3 gateway endpoint only reaches S3 in its own Region, while the image layers of the other
Region's registry come from that Region's bucket (`prod-<registry-region>-starport-layer-bucket`). A
task that relies on the VPC's endpoints therefore has no path to this registry: the pull times out,
even though every endpoint check for the task's own Region passes. Only an internet path (a NAT
gateway, or an internet gateway with a public IP) reaches it.

How to fix
Prefer an image in the task's Region: push it there, or let ECR replicate the repository (run in the
source Region; replication only copies images pushed after it is set up):
    aws ecr put-replication-configuration --region <registry-region> --replication-configuration '{"rules":[{"destinations":[{"region":"<task-region>","registryId":"<account-id>"}]}]}'
Then point the task definition at
`<account-id>.dkr.ecr.<task-region>.amazonaws.com/<repository>:<tag>`. Otherwise give the task's
subnets an internet path (see `NET_NO_PATH_TO_SERVICE`)."#,
            docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS, CANNOT_PULL],
        },
        Code::ImgPublicRegistryNeedsInternet => Explanation {
            title: "The image is on a public or third-party registry, which needs an internet path",
            text: r#"What it means
The image is not in a private ECR registry of the task's Region: it is on ECR Public
(`public.ecr.aws`), Docker Hub (including short references such as `nginx:latest`), another public
registry (for example `ghcr.io` or `quay.io`), or a self-hosted registry. VPC endpoints do not serve
these registries (ECR's endpoints explicitly do not serve ECR Public), so the pull needs a route to
the registry: for a public registry, the internet. The evidence says whether the task has such a
path.

Why the task cannot start
Without a NAT gateway route, or an internet gateway route plus a public IP on the ENI, the
connection to the registry times out and the task stops with a `CannotPullContainerError` (`i/o
timeout`, `request canceled while waiting for connection`, `context canceled`). Docker Hub also
rate-limits pulls, anonymous ones most: `toomanyrequests: You have reached your pull rate limit`
(failure class registry-rate-limit).

How to fix
Choose one:
- Give the task an internet path: a NAT gateway route for a private subnet, or (Fargate) a public
  subnet with `assignPublicIp=ENABLED` (see `NET_NO_PATH_TO_SERVICE`).
- Serve the image from private ECR in the task's Region, which VPC endpoints can reach: copy it
  (`docker pull`, `docker tag`, `docker push`), or create a pull-through cache rule. The first pull
  through the cache fetches from the upstream registry and needs a NAT path; Docker Hub as upstream
  also needs credentials stored in Secrets Manager (`--credential-arn`).
    aws ecr create-pull-through-cache-rule --ecr-repository-prefix <prefix> --upstream-registry-url public.ecr.aws --region <region>
- For Docker Hub rate limits, pull with credentials (`repositoryCredentials`) or move the image to
  ECR."#,
            docs: &[ECR_ENDPOINTS, CANNOT_PULL, KC_RATE_LIMIT, FARGATE],
        },
        Code::ImgRegistryCredentialsMissing => Explanation {
            title: "The private registry credentials secret cannot be read",
            text: r#"What it means
A container definition has `repositoryCredentials.credentialsParameter`, naming the Secrets Manager
secret that holds the username and password for a private registry, and that secret cannot be read:
it does not exist, it is scheduled for deletion, or the execution role may not read it. The evidence
names the secret and what was found; the tool reads only the secret's metadata (DescribeSecret),
never its value.

Why the task cannot start
Before it can pull from the private registry, the ECS agent fetches this secret with the task
execution role. When that fails the task stops before the pull: `ResourceInitializationError: unable
to pull secrets or registry auth: ...`, or in older wording `unable to get registry auth from asm:
... asm fetching secret from the service for <secret-name>: RequestError`.

How to fix
Check the secret in the task's Region:
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region>
If it is missing, create it with the registry credentials as JSON with the keys `username` and
`password`, from a file so the password stays out of your shell history:
    aws secretsmanager create-secret --name <secret-name> --secret-string file://<credentials>.json --region <region>
Reference it by its full ARN in `credentialsParameter`, and allow the execution role
`secretsmanager:GetSecretValue` on it (plus `kms:Decrypt` on its KMS key if that is a customer
managed key)."#,
            docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS, RESOURCE_INIT],
        },
        Code::IamExecutionRoleMissing => Explanation {
            title: "The task needs an execution role and has none",
            text: r#"What it means
The task definition has no `executionRoleArn`, but the task does something the ECS agent can only do
with an execution role: on Fargate (and external instances), pull from a private ECR repository or
send logs with the `awslogs` driver; on any launch type, pull with private registry authentication
(`repositoryCredentials`) or inject `secrets` from Secrets Manager or SSM Parameter Store. (On the
EC2 launch type, ECR pulls and awslogs can use the container instance role instead.)

Why the task cannot start
These calls (`ecr:GetAuthorizationToken`, `secretsmanager:GetSecretValue`, `ssm:GetParameters`,
`logs:CreateLogStream`, ...) are made by the agent with the execution role's credentials. Without a
role there are no credentials, so the start fails at the first step that needs them.

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
            docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
        },
        Code::IamExecutionRoleNotFound => Explanation {
            title: "The execution role ARN names a role that does not exist",
            text: r#"What it means
The task definition's `executionRoleArn` is set, but IAM has no role with that ARN (GetRole answers
`NoSuchEntity`): the role was deleted, the ARN has a typo or the wrong path
(`role/service-role/<name>` versus `role/<name>`), or it names a role of another account.

Why the task cannot start
ECS cannot assume a role that does not exist, so the agent has no credentials for the image pull,
the secrets or the logs, and the start fails at the first step that needs them.

How to fix
Find the role you meant, or recreate it (see `IAM_EXECUTION_ROLE_MISSING` for the trust policy and
managed policy):
    aws iam get-role --role-name <role-name>
    aws iam list-roles --query "Roles[?contains(RoleName,'<part-of-name>')].Arn"
Put the correct ARN in a new task definition revision and deploy it. A recreated role is a new
principal: resource policies that named the old one (ECR repository policies, KMS key policies,
secret policies) now show an ID such as `AROA...` in its place and must be edited back to the role's
ARN."#,
            docs: &[EXECUTION_ROLE],
        },
        Code::IamExecutionRoleTrust => Explanation {
            title: "The execution role does not trust ecs-tasks.amazonaws.com",
            text: r#"What it means
The execution role's trust policy has no statement that allows the service principal
`ecs-tasks.amazonaws.com` to call `sts:AssumeRole`, or it denies it. A common mistake is a role
copied from elsewhere that trusts `ec2.amazonaws.com` (an instance role) or `ecs.amazonaws.com` (the
ECS service itself, not its tasks). A trust condition the tool cannot decide is reported as
`IAM_DECISION_UNKNOWN`, not here.

Why the task cannot start
Tasks get the execution role's credentials by assuming it as `ecs-tasks.amazonaws.com`. If the trust
policy does not allow that, there are no credentials for the image pull, the secrets or the logs,
and the start fails.

How to fix
Look at the trust policy, then set one that allows ECS tasks. `update-assume-role-policy` replaces
the whole trust policy, so keep any other principal the role still needs as a further statement:
    aws iam get-role --role-name <role-name> --query Role.AssumeRolePolicyDocument
    aws iam update-assume-role-policy --role-name <role-name> --policy-document file://trust.json
with trust.json:
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            docs: &[EXECUTION_ROLE],
        },
        Code::IamActionDenied => Explanation {
            title: "The execution role is not allowed an action the task start needs",
            text: r#"What it means
The local policy evaluator decided `denied` for an action the start needs, on the exact resource: no
statement allows it (implicit deny), or a statement denies it (an explicit deny always wins). It
evaluates the role's inline and attached policies and its permissions boundary, plus the resource
policies it can read (ECR repository policy, VPC endpoint policy, secret policy, KMS key policy).
The evidence names the action, the resource and the deciding policy or statement. The actions a
start can need:
- Image from private ECR: `ecr:GetAuthorizationToken` (resource `*`),
  `ecr:BatchCheckLayerAvailability`, `ecr:GetDownloadUrlForLayer`, `ecr:BatchGetImage` (the
  repository).
- awslogs: `logs:CreateLogStream`, `logs:PutLogEvents`, and `logs:CreateLogGroup` when
  `awslogs-create-group` is `true`.
- Secrets: `secretsmanager:GetSecretValue` (Secrets Manager secrets, private registry credentials,
  SSM parameters that reference secrets), `ssm:GetParameters` (SSM parameters), `kms:Decrypt` only
  when the secret or parameter uses a customer managed KMS key.
The tool reports `denied` only when the policies decide it; when a condition, an SCP or another
account leaves it open, the finding is `IAM_DECISION_UNKNOWN` instead.

Why the task cannot start
The agent makes these calls with the execution role's credentials while starting the task, and the
first `AccessDeniedException` stops it. Typical stop reasons: `ResourceInitializationError: unable
to pull secrets or registry auth: ... AccessDeniedException: User:
arn:aws:sts::<account-id>:assumed-role/<execution-role>/<id> is not authorized to perform:
ecr:GetAuthorizationToken on resource: *`, or `... unable to retrieve secrets from ssm: ... is not
authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:... because no identity-based
policy allows the ssm:GetParameters action`.

How to fix
Allow the action on the exact resource in the execution role, for example:
    aws iam put-role-policy --role-name <execution-role> --policy-name <policy-name> --policy-document file://policy.json
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"<secret-arn>"},{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:<region>:<account-id>:parameter/<name>"},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"<kms-key-arn>"}]}
For the ECR and logs actions, attaching
`arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy` is enough. If the evidence
shows an explicit deny, change the policy that holds it: it may be a permissions boundary, or a
resource policy such as a KMS key policy (`aws kms get-key-policy --key-id <key-id> --policy-name
default`). Do not put `aws:sourceVpc` or `aws:sourceVpce` conditions on `ecr:GetAuthorizationToken`:
AWS documents that this call does not go through the task's network interface, so such a condition
never matches it."#,
            docs: &[
                EXECUTION_ROLE,
                ECR_MANAGED_POLICIES,
                KC_UNABLE_TO_PULL_SECRETS,
                AWSLOGS,
            ],
        },
        Code::IamDecisionUnknown => Explanation {
            title: "A permission could not be decided from the policies the tool can read",
            text: r#"What it means
The local policy evaluator could neither allow nor deny an action the start needs. Typical reasons:
a condition key whose value is only known when the real request is made (for example
`aws:SourceVpce`, `aws:SourceVpc`, `aws:RequestedRegion`, tags), a service control policy or other
organization policy the tool cannot see, a principal or resource in another account whose policies
it cannot read, or a policy it was not allowed to read. The evidence names the action, the resource
and what was undecidable.

Why the task cannot start
It may not be the reason. `unknown` is not a denial: the start can be fine. The tool reports what it
could not verify instead of guessing, because tools that turned undecidable cases into denials sent
operators after permissions that were never missing. If the stop reason shows an
`AccessDeniedException` for this very action, the undecided policy is the likely culprit; otherwise
look at the other findings first.

How to fix
Settle the question where the missing context is:
- Compare with the stop reason: an `AccessDeniedException` naming this action and role confirms a
  denial.
- Ask IAM for a second opinion, passing the context keys the evaluator could not know:
    aws iam simulate-principal-policy --policy-source-arn <execution-role-arn> --action-names <action> --resource-arns <resource-arn> --context-entries 'ContextKeyName=aws:SourceVpce,ContextKeyValues=<vpce-id>,ContextKeyType=string'
- For SCPs, ask the organization's administrators which policies apply to the account.
- If the tool could not read a policy, grant its role read access (for example `iam:GetRolePolicy`,
  `iam:GetPolicyVersion`, `kms:GetKeyPolicy`) and run the diagnosis again.
The simulator has blind spots too: it does not evaluate SCPs that have global conditions and does
not support cross-account access, so it is a second opinion, not the answer."#,
            docs: &[IAM_POLICY_TESTING, IAM_EVALUATION_RESULT, EXECUTION_ROLE],
        },
        Code::IamInstanceRoleActionDenied => Explanation {
            title: "The container instance role is not allowed an action the agent needs",
            text: r#"What it means
EC2 launch type: the IAM role of the container instance's instance profile may not perform an action
the ECS agent needs for this task. For ECR pulls that is `ecr:GetAuthorizationToken`,
`ecr:BatchCheckLayerAvailability`, `ecr:GetDownloadUrlForLayer` and `ecr:BatchGetImage` (all in the
managed policy `AmazonEC2ContainerServiceforEC2Role`); with `awslogs-create-group` set it is also
`logs:CreateLogGroup`. Which role the agent uses for an ECR pull when the task also has an execution
role is not confirmed by the documentation this tool follows, so when the task has an execution
role, treat this finding as a lead rather than the answer.

Why the task cannot start
When the agent's call is denied, the pull (or the log setup) fails and the task stops. The
`assumed-role/<role>` in an `AccessDeniedException` of the stop reason tells which role the agent
actually used: if it is the instance role, this finding is the cause.

How to fix
Find the instance's role and attach the managed policy (or add the missing actions):
    aws ec2 describe-iam-instance-profile-associations --filters Name=instance-id,Values=<instance-id> --region <region>
    aws iam get-instance-profile --instance-profile-name <instance-profile> --query 'InstanceProfile.Roles[].RoleName'
    aws iam attach-role-policy --role-name <instance-role> --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
IAM changes can take a short while to take effect; then start the task again. The AWS runbook
AWSSupport-TroubleshootECSContainerInstance checks the instance profile as well."#,
            docs: &[
                EXECUTION_ROLE,
                ECR_MANAGED_POLICIES,
                AWSLOGS,
                CONTAINER_INSTANCE_RUNBOOK,
            ],
        },
        Code::NetNoPathToService => Explanation {
            title: "No route, endpoint or gateway carries traffic to a service the start needs",
            text: r#"What it means
For a destination the start needs (the ECR API `api.ecr.<region>.amazonaws.com`, the registry
`<account-id>.dkr.ecr.<region>.amazonaws.com`, the S3 layer bucket
`prod-<region>-starport-layer-bucket`, CloudWatch Logs, Secrets Manager, SSM Parameter Store, or a
registry outside ECR) neither way in works. There is no usable VPC endpoint for it (an interface
endpoint with private DNS, or for S3 a gateway endpoint on the route table), and the subnet's route
table (its explicit association, else the VPC's main route table) has no usable route to the
internet: to an `available` NAT gateway, or to an internet gateway with a public IP on the ENI. The
evidence names the route table and destination, and which of the two paths is closer to working; a
more specific finding (`NET_ENDPOINT_MISSING`, `NET_PUBLIC_IP_MISSING`, ...) names the missing
piece.
For Fargate (platform version 1.4.0 and later) this is the task's own network interface: the image
pull, the secrets and the log traffic go through it. For the EC2 launch type, the evidence says
whether the task ENI or the container instance was evaluated.

Why the task cannot start
The connection times out and the task stops. Typical stop reasons: `CannotPullContainerError: ...
net/http: request canceled while waiting for connection`, `... dial tcp <ip>:443: i/o timeout`, `...
There is a connection issue between the task and Amazon ECR. Check your task network
configuration.`, or on Fargate `DockerTimeoutError: Could not transition to started; timed out after
waiting 3m0s`.

How to fix
Internet access and VPC endpoints are alternatives; complete one of them:
- Private subnet with a NAT gateway (the gateway sits in a public subnet):
    aws ec2 create-route --route-table-id <rtb-id> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>
- Fargate only: a public subnet (default route to an internet gateway) with `assignPublicIp=ENABLED`
  (see `NET_PUBLIC_IP_MISSING`).
- No internet: interface endpoints for `ecr.api` and `ecr.dkr` with private DNS, an S3 gateway
  endpoint on this route table, and endpoints for `logs`, `secretsmanager` and `ssm` as the task
  needs them (see `NET_ENDPOINT_MISSING`).
A registry outside ECR needs the internet path (or a route to a self-hosted registry)."#,
            docs: &[
                FARGATE,
                ECR_ENDPOINTS,
                ECS_ENDPOINTS,
                KC_FARGATE_PULL,
                KC_DOCKER_TIMEOUT,
                VERIFY_CONNECTIVITY,
            ],
        },
        Code::NetPublicIpMissing => Explanation {
            title: "The subnet routes to an internet gateway but the ENI has no public IP",
            text: r#"What it means
The route that matches the destination targets an internet gateway (`igw-...`), but the network
interface the traffic leaves from has no public IPv4 address. For a Fargate task that is the task
ENI, whose public IP is decided at launch by `assignPublicIp` in `awsvpcConfiguration` (default
`DISABLED`). For the EC2 launch type with bridge or host networking it is the container instance's
interface.

Why the task cannot start
An internet gateway only carries traffic for interfaces that have a public IP; packets from a
private-only address get no answer, so the pull times out (`CannotPullContainerError: ... request
canceled while waiting for connection`). The ECS documentation: "For a Fargate task in a public
subnet to pull container images, a public IP address needs to be assigned to the task's elastic
network interface, with a route to the internet or a NAT gateway".

How to fix
An existing task cannot be changed; start new tasks with a public IP. For a service (this starts a
new deployment):
    aws ecs update-service --cluster <cluster> --service <service> --network-configuration 'awsvpcConfiguration={subnets=[<subnet-id>],securityGroups=[<task-sg-id>],assignPublicIp=ENABLED}'
`aws ecs run-task` takes the same `--network-configuration`. Alternatively run the tasks in private
subnets with a NAT gateway, or give them VPC endpoints. EC2-launch-type awsvpc tasks can never get a
public IP (see `NET_AWSVPC_EC2_PUBLIC_SUBNET`); for bridge or host networking, give the container
instance a public IP or an Elastic IP:
    aws ec2 associate-address --instance-id <instance-id> --allocation-id <eipalloc-id>"#,
            docs: &[FARGATE, KC_FARGATE_PULL, KC_PENDING],
        },
        Code::NetAwsvpcEc2PublicSubnet => Explanation {
            title: "An EC2-launch-type awsvpc task is in a public subnet, where its ENI gets no public IP",
            text: r#"What it means
The task uses the EC2 launch type with the `awsvpc` network mode, and its ENI is in a subnet whose
route to the internet is an internet gateway. The ECS documentation: on the EC2 launch type, "task
ENIs aren't given public IP addresses. To access the internet, tasks must be launched in a private
subnet that's configured to use a NAT gateway".

Why the task cannot start
An internet gateway needs a public IP on the interface, and this task's ENI can never have one, so
traffic that leaves through the task ENI has no way to the internet: "Tasks that are launched within
public subnets do not have access to the internet." On the EC2 launch type some start-up work (the
image pull, possibly the secrets) may be done by the ECS agent through the container instance's own
network rather than the task ENI; the documentation this tool follows does not confirm which, so
compare with the stop reason: a network timeout in it points here.

How to fix
Run the tasks in private subnets whose route table sends `0.0.0.0/0` to a NAT gateway (or give those
subnets the VPC endpoints the task needs). `assignPublicIp=ENABLED` is not supported for the EC2
launch type, so keep it `DISABLED`:
    aws ecs update-service --cluster <cluster> --service <service> --network-configuration 'awsvpcConfiguration={subnets=[<private-subnet-id>],securityGroups=[<task-sg-id>],assignPublicIp=DISABLED}'"#,
            docs: &[AWSVPC, FARGATE],
        },
        Code::NetRouteBlackhole => Explanation {
            title: "The matching route is a blackhole",
            text: r#"What it means
The most specific route for the destination in the subnet's route table has the state `blackhole`:
its target no longer exists (a deleted NAT gateway, a detached internet gateway, a deleted network
interface or instance, a deleted peering connection or transit gateway attachment). The route is
still the match, so a less specific route does not take over.

Why the task cannot start
Traffic to that destination is dropped. The start fails with connection timeouts, as described under
`NET_NO_PATH_TO_SERVICE`.

How to fix
Find the blackhole routes, then point the route at a working target or delete it:
    aws ec2 describe-route-tables --route-table-ids <rtb-id> --query 'RouteTables[].Routes[?State==`blackhole`]'
    aws ec2 replace-route --route-table-id <rtb-id> --destination-cidr-block <cidr> --nat-gateway-id <nat-gateway-id>
    aws ec2 delete-route --route-table-id <rtb-id> --destination-cidr-block <cidr>
For a route whose destination is a prefix list, use `--destination-prefix-list-id <pl-id>` instead
of `--destination-cidr-block`."#,
            docs: &[FARGATE, KC_FARGATE_PULL],
        },
        Code::NetNatGatewayUnavailable => Explanation {
            title: "The matching route targets a NAT gateway that is not available",
            text: r#"What it means
The route that carries the traffic targets a NAT gateway whose state is not `available`: it is
`pending`, `failed`, `deleting` or `deleted`.

Why the task cannot start
Only an available NAT gateway forwards traffic; through any other the connections time out and the
start fails as described under `NET_NO_PATH_TO_SERVICE`.

How to fix
Look at the gateway's state and failure message:
    aws ec2 describe-nat-gateways --nat-gateway-ids <nat-gateway-id> --query 'NatGateways[].{state:State,code:FailureCode,message:FailureMessage}'
If it is `pending`, wait and try again. Otherwise create a new NAT gateway in a public subnet, with
an Elastic IP, and point the route at it:
    aws ec2 create-nat-gateway --subnet-id <public-subnet-id> --allocation-id <eipalloc-id>
    aws ec2 replace-route --route-table-id <rtb-id> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <new-nat-gateway-id>
For internet access the NAT gateway's own subnet must route `0.0.0.0/0` to an internet gateway."#,
            docs: &[FARGATE, KC_FARGATE_PULL],
        },
        Code::NetEndpointMissing => Explanation {
            title: "Without internet access, a needed VPC endpoint is missing",
            text: r#"What it means
The task has no internet path, and the VPC lacks an endpoint for a service the start needs. The
endpoints, by need:
- `com.amazonaws.<region>.ecr.dkr` (interface, private DNS on): any image from private ECR.
- `com.amazonaws.<region>.ecr.api` (interface, private DNS on): private ECR on Fargate Linux
  platform version 1.4.0 and later, Fargate Windows, and EC2.
- `com.amazonaws.<region>.s3` (gateway, on the task subnet's route table): any image from private
  ECR, because the layers are stored in S3.
- `com.amazonaws.<region>.logs` (interface): the `awslogs` driver.
- `com.amazonaws.<region>.secretsmanager` (interface): Secrets Manager secrets, including private
  registry credentials.
- `com.amazonaws.<region>.ssm` (interface): SSM parameters.
- `com.amazonaws.<region>.ecs-agent`, `.ecs-telemetry` and `.ecs` (interface): container instances
  of the EC2 launch type (Fargate does not need them).
Whether a KMS endpoint is ever needed for the secrets is not confirmed, so it is not demanded.

Why the task cannot start
Without the endpoint the service's name resolves to its public addresses, and without internet
access nothing routes there: the call times out and the task stops (for ECR:
`CannotPullContainerError` or `unable to retrieve ecr registry auth ... i/o timeout`; for logs:
`failed to validate logger args: ... There is a connection issue between the task and Amazon
CloudWatch`; for secrets: `unable to retrieve secret from asm: There is a connection issue between
the task and AWS Secrets Manager`).

How to fix
Create the missing endpoint, in the Availability Zones your tasks use; for interface endpoints give
them a security group that allows TCP 443 from the tasks:
    aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Interface --service-name com.amazonaws.<region>.ecr.dkr --subnet-ids <subnet-id> --security-group-ids <endpoint-sg-id> --private-dns-enabled
    aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Gateway --service-name com.amazonaws.<region>.s3 --route-table-ids <rtb-id>
Then the task's security group must allow egress TCP 443 to the interface endpoints and to the S3
prefix list (see `NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`). A NAT gateway instead of endpoints is the
other complete solution."#,
            docs: &[
                ECR_ENDPOINTS,
                ECS_ENDPOINTS,
                FARGATE_PLATFORM,
                GATEWAY_ENDPOINTS,
            ],
        },
        Code::NetS3GatewayNotOnRouteTable => Explanation {
            title: "The S3 gateway endpoint is not on the task subnet's route table",
            text: r#"What it means
The VPC has a gateway endpoint for `com.amazonaws.<region>.s3`, but the route table the task's
subnet actually uses (its explicit association, else the VPC's main route table) has no route to the
S3 prefix list (`pl-...`) through it. A gateway endpoint works only through the route tables it is
associated with. A frequent cause is a subnet without an explicit association that silently uses the
main route table, while the endpoint was associated with the others.

Why the task cannot start
ECR stores image layers in S3 (`prod-<region>-starport-layer-bucket`). Without the endpoint's route,
layer downloads follow the subnet's other routes; with no internet path they time out, typically
after the manifest was fetched through the `ecr.dkr` endpoint (a reported form: `error pulling image
configuration: Get https://prod-<region>-starport-layer-bucket.s3.amazonaws.com/...`). Note also
that a more specific route to S3's addresses beats the endpoint's prefix-list route.

How to fix
Find the route table of the subnet (if the first command returns nothing, the subnet uses the main
route table) and associate the endpoint with it:
    aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet-id> --query 'RouteTables[].RouteTableId'
    aws ec2 describe-route-tables --filters Name=vpc-id,Values=<vpc-id> Name=association.main,Values=true --query 'RouteTables[].RouteTableId'
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --add-route-table-ids <rtb-id>
Then make sure the task's security group allows egress TCP 443 to the S3 prefix list
(`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`)."#,
            docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS, MANAGED_PREFIX_LISTS],
        },
        Code::NetS3InterfaceEndpointOnly => Explanation {
            title: "Only an S3 interface endpoint exists, and ECR layer downloads cannot use it",
            text: r#"What it means
The VPC has an interface endpoint for S3, but no S3 gateway endpoint on the task subnet's route
table, and the task has no internet path. The ECR documentation is explicit: "The interface
endpoints for Amazon S3 can't be used with Amazon ECR."

Why the task cannot start
Image layers are downloaded from S3, and for ECR that path works without internet only through an S3
gateway endpoint. With only the interface endpoint, layer downloads have no path and the pull fails,
usually after the manifest was already fetched.

How to fix
Create an S3 gateway endpoint on the task subnet's route table; the interface endpoint can stay, the
two kinds can exist side by side:
    aws ec2 create-vpc-endpoint --vpc-id <vpc-id> --vpc-endpoint-type Gateway --service-name com.amazonaws.<region>.s3 --route-table-ids <rtb-id>
Then allow egress TCP 443 to the S3 prefix list in the task's security group
(`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`)."#,
            docs: &[ECR_ENDPOINTS, ECS_ENDPOINTS, GATEWAY_ENDPOINTS],
        },
        Code::NetEndpointPrivateDnsDisabled => Explanation {
            title: "An interface endpoint has private DNS turned off",
            text: r#"What it means
An interface endpoint for a service the start needs (for example `ecr.dkr`, `ecr.api`, `logs`,
`secretsmanager`, `ssm`) exists, but its private DNS is off (`PrivateDnsEnabled` false). The
service's default name (such as `api.ecr.<region>.amazonaws.com`) then still resolves to the
service's public addresses; only the endpoint's own `vpce-...` names lead to the endpoint. For
`ecr.dkr` the ECR documentation requires private DNS.

Why the task cannot start
ECS calls the services by their default names, so with private DNS off the traffic goes to public
addresses. Without an internet path it times out and the task stops, as if the endpoint did not
exist.

How to fix
Turn private DNS on (it needs `enableDnsSupport` and `enableDnsHostnames` on the VPC, see
`NET_VPC_DNS_DISABLED`):
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --private-dns-enabled"#,
            docs: &[ECR_ENDPOINTS, VPC_DNS, ECS_ENDPOINTS],
        },
        Code::NetVpcDnsDisabled => Explanation {
            title: "DNS support or DNS hostnames is turned off on the VPC",
            text: r#"What it means
The VPC attribute `enableDnsSupport` or `enableDnsHostnames` is false. With `enableDnsSupport` off,
the Amazon-provided resolver does not answer for the VPC. Private DNS for interface endpoints
requires both attributes to be true. Defaults: `enableDnsSupport` is true; `enableDnsHostnames` is
false except in a default VPC.

Why the task cannot start
The agent cannot resolve the ECR, S3, Logs or Secrets Manager names, or they resolve to public
addresses because endpoint private DNS cannot take effect; either way the start fails. The ECS
documentation on `ResourceInitializationError`: "A common cause for this error is using a VPC that
doesn't have DNS resolution enabled."

How to fix
Turn both on, one attribute per call, DNS support first:
    aws ec2 modify-vpc-attribute --vpc-id <vpc-id> --enable-dns-support '{"Value":true}'
    aws ec2 modify-vpc-attribute --vpc-id <vpc-id> --enable-dns-hostnames '{"Value":true}'
    aws ec2 describe-vpc-attribute --vpc-id <vpc-id> --attribute enableDnsHostnames
Then check that the interface endpoints have private DNS on (`NET_ENDPOINT_PRIVATE_DNS_DISABLED`)."#,
            docs: &[VPC_DNS, STOPPED_TASK_ERRORS, RESOURCE_INIT, GUARDDUTY_ECS],
        },
        Code::NetCustomDnsServers => Explanation {
            title: "The VPC's DHCP options name custom DNS servers",
            text: r#"What it means
The DHCP option set of the VPC lists `domain-name-servers` other than `AmazonProvidedDNS`, so tasks
resolve names through those servers. The tool cannot see what those servers answer; it reports what
they must do.

Why the task cannot start
Two things must hold, or names fail to resolve or resolve to the wrong addresses and the start times
out:
- The servers must be reachable. Security groups and network ACLs never filter the Amazon-provided
  resolver, but traffic to your own DNS servers is filtered like any other: the task's security
  group needs egress UDP and TCP 53 to them, both subnets' network ACLs must pass the queries and
  answers, and a route must lead there.
- They must resolve AWS names correctly. Interface endpoints with private DNS answer only through
  the Amazon-provided resolver; the ECR documentation: "VPC endpoints only support AWS provided DNS
  through Amazon Route 53. If you want to use your own DNS, you can use conditional DNS forwarding."
  Without forwarding, the service names resolve to public addresses that the task may not reach.

How to fix
Inspect the option set:
    aws ec2 describe-vpcs --vpc-ids <vpc-id> --query 'Vpcs[].DhcpOptionsId'
    aws ec2 describe-dhcp-options --dhcp-options-ids <dopt-id>
Forward `amazonaws.com` (at least the service names the task uses) from your DNS servers to the
VPC's Amazon-provided resolver (the VPC CIDR base address plus two, or 169.254.169.253 from inside
the VPC). Allow DNS in the task's security group:
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=<dns-server-ip>/32}]' 'IpProtocol=tcp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=<dns-server-ip>/32}]'
Or return the VPC to the Amazon-provided resolver:
    aws ec2 create-dhcp-options --dhcp-configurations 'Key=domain-name-servers,Values=AmazonProvidedDNS'
    aws ec2 associate-dhcp-options --dhcp-options-id <new-dopt-id> --vpc-id <vpc-id>"#,
            docs: &[VPC_DNS, ECR_ENDPOINTS, GATEWAY_ENDPOINTS],
        },
        Code::NetSgEgressBlocked => Explanation {
            title: "The task security group does not allow the outbound traffic",
            text: r#"What it means
None of the security groups on the task's network interface has an egress rule that allows TCP 443
to the destination: the private IPs of an interface endpoint (its security group or a CIDR that
contains them), or the internet (`0.0.0.0/0`, or the destination's CIDR) through a NAT or internet
gateway. The rules of all the groups on an interface add up; one allowing rule is enough. A group
with no outbound rules allows no outbound traffic. The S3 gateway endpoint case has its own code,
`NET_SG_EGRESS_S3_PREFIX_LIST_MISSING`. DNS to the Amazon-provided resolver needs no rule: security
groups cannot filter it.

Why the task cannot start
The connection is dropped as it leaves the task, so the pull, the secret fetch or the log setup
times out. A private IP in the stop reason, for example `dial tcp 10.0.3.17:443: i/o timeout`, means
the name resolved to an interface endpoint and the connection to it was blocked. The AWS runbook
words it as "The IP's [...] resolved from domain name [...] is not allowed in the egress of Security
Group/s [...]".

How to fix
Allow HTTPS out of the task's security group, to the endpoint's security group:
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=<endpoint-sg-id>}]'
or to a CIDR: `IpRanges=[{CidrIp=<vpc-cidr>}]` for interface endpoints,
`IpRanges=[{CidrIp=0.0.0.0/0}]` through a NAT or internet gateway. Security groups are stateful: the
replies need no inbound rule on the task's group. For the S3 layer downloads through a gateway
endpoint, add the S3 prefix-list rule as well."#,
            docs: &[SG_RULES, FARGATE_PLATFORM, VERIFY_CONNECTIVITY],
        },
        Code::NetSgEgressS3PrefixListMissing => Explanation {
            title: "The task security group does not allow HTTPS to the S3 prefix list",
            text: r#"What it means
Image layers reach the task through the S3 gateway endpoint, the task's security group restricts
egress, and none of its rules allows TCP 443 to the S3 prefix list (`pl-...`, named
`com.amazonaws.<region>.s3`) or to S3's CIDRs. A rule to the VPC CIDR or to an endpoint's security
group does not count: a gateway endpoint puts no interface in the VPC, the packets keep S3's public
IPs as their destination and only the prefix-list route steers them, so such rules never match. The
AWS documentation: "For a gateway endpoint, if your security group's outbound rules are restricted,
you must add a rule that allows outbound traffic from your VPC to the service that's specified in
your endpoint. To do this, you can use the service's AWS prefix list ID as the destination in the
outbound rule."

Why the task cannot start
The manifest is fetched through the `ecr.dkr` interface endpoint, whose private IPs the VPC-CIDR
rule allows, but the layer downloads from `prod-<region>-starport-layer-bucket` are dropped by the
security group and time out, so the pull fails. Everything else looks right, which makes this cause
easy to miss; the other findings of the network stage can all pass.

How to fix
Find the S3 prefix list of the Region and allow HTTPS to it:
    aws ec2 describe-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3 --query 'PrefixLists[].PrefixListId'
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=<s3-pl-id>}]'
Network ACLs cannot name prefix lists; if one restricts traffic, it needs S3's CIDRs instead:
    aws ec2 get-managed-prefix-list-entries --prefix-list-id <s3-pl-id>"#,
            docs: &[
                GATEWAY_ENDPOINTS,
                MANAGED_PREFIX_LISTS,
                GUARDDUTY_ECS,
                ECR_ENDPOINTS,
                SG_RULES,
            ],
        },
        Code::NetEndpointSgIngressBlocked => Explanation {
            title: "The VPC endpoint's security group does not allow HTTPS from the task",
            text: r#"What it means
An interface endpoint the task uses (for example `ecr.dkr`, `ecr.api`, `logs`, `secretsmanager`,
`ssm`) has security groups, and none of them allows inbound TCP 443 from the task: from its security
group, its private IP or a CIDR that contains it. The ECR documentation says the endpoint's security
group "must allow incoming connections on port 443 from the private subnet of the VPC". An endpoint
created without a security group gets the VPC's default group, which allows inbound traffic only
from its own members.

Why the task cannot start
The name resolves to the endpoint, but the endpoint drops the connection, so the call times out with
the endpoint's private IP in the stop reason (for example `dial tcp 10.0.3.17:443: i/o timeout`).
The AWS runbook words it as "VPC Endpoint (ecr.dkr) Security Group (sg-...) is not allowing the
Inbound traffic".

How to fix
Allow HTTPS from the task's security group (or its subnet's CIDR) into the endpoint's group:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].Groups'
    aws ec2 authorize-security-group-ingress --group-id <endpoint-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=<task-sg-id>}]'
Security groups are stateful: the endpoint's replies need no outbound rule."#,
            docs: &[ECR_ENDPOINTS, FARGATE_PLATFORM, SG_RULES],
        },
        Code::NetNaclOutboundBlocked => Explanation {
            title: "A network ACL blocks the outbound traffic",
            text: r#"What it means
A network ACL on the path denies traffic leaving a subnet that the start needs: usually the request
leaving the task's subnet (TCP 443 to the destination's address); where an interface endpoint sits
in another subnet, possibly also the endpoint's reply leaving that subnet toward the task's
ephemeral port. Network ACLs are stateless and evaluate rules in rule-number order, lowest first:
the first rule that matches decides, and the final `*` rule denies. The evidence names the ACL, the
direction and the deciding rule. Network ACLs cannot name prefix lists, so traffic to S3 through a
gateway endpoint must be allowed by S3's CIDRs. They never filter the Amazon-provided DNS resolver.

Why the task cannot start
The packet is dropped at the subnet boundary and the pull, secret fetch or log setup times out, as
with a security group, but no security group change can fix it.

How to fix
Add an allow rule with a rule number lower than the rule that denies, for example for HTTPS out of
the task's subnet:
    aws ec2 create-network-acl-entry --network-acl-id <acl-id> --egress --rule-number <n> --protocol tcp --port-range From=443,To=443 --cidr-block <destination-cidr> --rule-action allow
For S3 through a gateway endpoint, add one rule per CIDR of the prefix list (`aws ec2
get-managed-prefix-list-entries --prefix-list-id <s3-pl-id>`), minding the ACL's rule quota. For
replies leaving an endpoint's subnet, allow the ephemeral ports toward the task's subnet (1024-65535
covers every client):
    aws ec2 create-network-acl-entry --network-acl-id <endpoint-subnet-acl-id> --egress --rule-number <n> --protocol tcp --port-range From=1024,To=65535 --cidr-block <task-subnet-cidr> --rule-action allow
Because ACLs are stateless, check the inbound side as well (`NET_NACL_INBOUND_BLOCKED`)."#,
            docs: &[NACLS, GATEWAY_ENDPOINTS, MANAGED_PREFIX_LISTS, KC_PENDING],
        },
        Code::NetNaclInboundBlocked => Explanation {
            title: "A network ACL blocks the request or its reply on the way in",
            text: r#"What it means
A network ACL on the path denies traffic entering a subnet: the reply to the task's request entering
the task's subnet (from port 443 to the task's ephemeral port), or, for an interface endpoint in
another subnet, the request entering the endpoint's subnet on TCP 443. Network ACLs are stateless
("responses to allowed inbound traffic are subject to the rules for outbound traffic", and the
reverse), evaluate rules in rule-number order (first match decides, the final `*` rule denies) and
cannot name prefix lists. The evidence names the ACL and the deciding rule. They never filter the
Amazon-provided DNS resolver.

Why the task cannot start
Either the request never reaches the endpoint or the reply never reaches the task; both look like a
timeout, and the start fails.

How to fix
Add an allow rule with a rule number lower than the rule that denies. For replies into the task's
subnet, allow the ephemeral ports from the destination (1024-65535 covers every client; for S3
through a gateway endpoint, one rule per CIDR of the S3 prefix list):
    aws ec2 create-network-acl-entry --network-acl-id <acl-id> --ingress --rule-number <n> --protocol tcp --port-range From=1024,To=65535 --cidr-block <source-cidr> --rule-action allow
For requests into an endpoint's subnet:
    aws ec2 create-network-acl-entry --network-acl-id <endpoint-subnet-acl-id> --ingress --rule-number <n> --protocol tcp --port-range From=443,To=443 --cidr-block <task-subnet-cidr> --rule-action allow
Check the outbound side as well (`NET_NACL_OUTBOUND_BLOCKED`)."#,
            docs: &[NACLS, GATEWAY_ENDPOINTS, MANAGED_PREFIX_LISTS, KC_PENDING],
        },
        Code::NetEndpointPolicyDenies => Explanation {
            title: "A VPC endpoint policy does not allow what the task start needs",
            text: r#"What it means
The policy of a VPC endpoint on the path does not allow (or denies) an action or resource the start
needs. The S3 gateway endpoint must allow `s3:GetObject` on
`arn:aws:s3:::prod-<region>-starport-layer-bucket/*`, the bucket that holds ECR's image layers; the
ECR endpoints must allow the pull actions (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`,
`ecr:GetAuthorizationToken`); the Logs, Secrets Manager and SSM endpoints must allow the calls the
agent makes through them. The default endpoint policy allows everything, so this only happens with a
custom policy. An endpoint policy grants nothing by itself: IAM and the endpoint policy must both
allow.

Why the task cannot start
The request reaches the endpoint and is refused as access denied, so the pull (or the secret or log
call) fails. For the S3 layer bucket the stop reason typically points at
`prod-<region>-starport-layer-bucket.s3.amazonaws.com`.

How to fix
Read the policy, then add the missing statement or restore the default full-access policy:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].PolicyDocument' --output text
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --policy-document file://policy.json
    aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpce-id> --reset-policy
The minimum statement the ECR documentation gives for the S3 gateway endpoint (use your partition's
ARN prefix outside the standard partition):
    {"Sid":"Access-to-specific-bucket-only","Principal":"*","Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::prod-<region>-starport-layer-bucket/*"]}"#,
            docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS, ECS_ENDPOINTS],
        },
        Code::NetEndpointNotAvailable => Explanation {
            title: "A VPC endpoint on the path is not available",
            text: r#"What it means
A VPC endpoint the task's traffic depends on is not in the `available` state: it is, for example,
`pending`, `pendingAcceptance`, `rejected`, `failed`, `expired`, `deleting` or `deleted`.

Why the task cannot start
An endpoint that is not available does not carry the traffic meant for it, so the calls to that
service fail or time out and the start fails as if the endpoint were missing.

How to fix
Look at the endpoint's state:
    aws ec2 describe-vpc-endpoints --vpc-endpoint-ids <vpce-id> --query 'VpcEndpoints[].{state:State,service:ServiceName}'
If it is `pending`, wait and try again. If it failed, was rejected or is being deleted, create a new
endpoint (see `NET_ENDPOINT_MISSING`) and delete the broken one:
    aws ec2 delete-vpc-endpoints --vpc-endpoint-ids <vpce-id>"#,
            docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS],
        },
        Code::NetHopNotVerifiable => Explanation {
            title: "The route leads to a hop the tool cannot see past",
            text: r#"What it means
The route that matches the destination targets something whose far side the tool cannot evaluate: a
transit gateway, a VPC peering connection, a firewall or Gateway Load Balancer endpoint, a network
interface or instance acting as an appliance, or a virtual private gateway. Routing and filtering
beyond that hop happen in another VPC, account or network. The result is `UNKNOWN`, neither a pass
nor a failure.

Why the task cannot start
It may or may not be the cause. If the far side (a central egress VPC's NAT gateway, a firewall's
rules, an on-premises proxy, a missing return route) drops the traffic, the start fails with
timeouts like any other missing path. Note that gateway endpoints cannot be used across a transit
gateway, peering or VPN: S3 layer downloads need either a gateway endpoint in the task's own VPC or
the internet path through the hop.

How to fix
Verify the path beyond the hop where it is configured: the transit gateway's route tables, the
firewall's rules for the ECR, S3 and other AWS names the task needs, the peer VPC's routes back. For
example:
    aws ec2 search-transit-gateway-routes --transit-gateway-route-table-id <tgw-rtb-id> --filters Name=type,Values=static,propagated
VPC Flow Logs on the task's ENI show whether the connections leave and whether replies come back.
Reachability Analyzer can analyse the path from the task's ENI from configuration; note that it
creates a resource in the account and is charged per analysis:
    aws ec2 create-network-insights-path --source <eni-id> --destination-ip <destination-ip> --protocol tcp --destination-port 443
    aws ec2 start-network-insights-analysis --network-insights-path-id <nip-id>"#,
            docs: &[REACHABILITY, GATEWAY_ENDPOINTS, VERIFY_CONNECTIVITY],
        },
        Code::SecretNotFound => Explanation {
            title: "A referenced Secrets Manager secret does not exist",
            text: r#"What it means
A `secrets[].valueFrom` of a container definition names a Secrets Manager secret that does not exist
(DescribeSecret answers `ResourceNotFoundException`): the name or ARN is wrong, it points to another
Region or account, or the secret was deleted after its recovery window. A full secret ARN ends in
the secret's name, a hyphen and six random characters; a partial ARN without them is resolved by
name, which misbehaves when the name itself ends in a hyphen and six characters. If the tool could
not look (its own role was denied), the finding is `UNKNOWN`, not this code.

Why the task cannot start
Before the containers start, the agent fetches every secret with the execution role; a missing one
stops the task. Typical stop reason: `ResourceInitializationError: unable to pull secrets or
registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call
has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:...`, naming
`ResourceNotFoundException` in newer agent wording.

How to fix
Find the secret's real ARN in the task's Region and use it in a new task definition revision (append
`:<json-key>::` to select one JSON key):
    aws secretsmanager list-secrets --region <region> --filters Key=name,Values=<name-prefix> --query 'SecretList[].ARN'
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region>
Or create the secret under the name the task expects. Values are never read by this tool; only the
secret's metadata is."#,
            docs: &[
                KC_UNABLE_TO_PULL_SECRETS,
                KC_SECRETS_MANAGER_ISSUES,
                EXECUTION_ROLE,
            ],
        },
        Code::SecretReferenceMalformed => Explanation {
            title: "A secret reference is not a well-formed name or ARN",
            text: r#"What it means
A `secrets[].valueFrom` (or `repositoryCredentials.credentialsParameter`) is not a well-formed
reference. The accepted forms:
- Secrets Manager: the secret's ARN, optionally followed by a JSON key, a version stage and a
  version ID, as below. The three fields are optional, but their colons are required when a later
  field is given. Selecting a JSON key or a version needs Fargate platform version 1.4.0 or later.
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>:<json-key>:<version-stage>:<version-id>
- SSM Parameter Store: the parameter name, or its full ARN
  `arn:aws:ssm:<region>:<account-id>:parameter/<name>` (a hierarchical name such as `/app/db`
  becomes `parameter/app/db`, with one slash).
Frequent errors: missing colons after a JSON key, a version ID that is not a full version ID, a
truncated ARN.

Why the task cannot start
The agent cannot fetch what the reference does not name, and the start fails. Example from the AWS
Knowledge Center for a malformed version ID: `failed to fetch secret <arn> from secrets manager:
InvalidParameter: 1 validation error(s) found. - minimum field size of 32,
GetSecretValueInput.VersionId.`

How to fix
Rewrite the reference in one of these forms and register a new task definition revision:
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-<6-characters>
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-<6-characters>:<json-key>::
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-<6-characters>::<version-stage>:
    arn:aws:ssm:<region>:<account-id>:parameter/<parameter-name>
Copy the exact ARN from the service rather than typing it:
    aws secretsmanager describe-secret --secret-id <secret-name> --region <region> --query ARN --output text"#,
            docs: &[
                EXECUTION_ROLE,
                KC_UNABLE_TO_PULL_SECRETS,
                KC_SECRETS_MANAGER_ISSUES,
            ],
        },
        Code::SecretPendingDeletion => Explanation {
            title: "A referenced secret is scheduled for deletion",
            text: r#"What it means
A Secrets Manager secret the task references still exists, but it is scheduled for deletion:
DescribeSecret shows a `DeletedDate`. At the end of its recovery window it is deleted for good.

Why the task cannot start
Secrets Manager does not return the value of a secret that is marked for deletion, so the agent's
fetch fails and the task stops with an `unable to retrieve secret from asm` error.

How to fix
If the deletion was a mistake, restore the secret (this works only until the recovery window ends):
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region> --query DeletedDate
    aws secretsmanager restore-secret --secret-id <secret-arn> --region <region>
If it was meant, point the task definition at the secret that replaces it."#,
            docs: &[KC_UNABLE_TO_PULL_SECRETS, KC_SECRETS_MANAGER_ISSUES],
        },
        Code::SsmParameterNotFound => Explanation {
            title: "A referenced SSM parameter does not exist",
            text: r#"What it means
A `secrets[].valueFrom` names an SSM Parameter Store parameter that does not exist in the task's
Region and account (DescribeParameters finds no such name). Parameter names are case-sensitive, and
hierarchical names start with a slash (`/app/db/password`). A parameter in another Region referenced
by name is `SSM_PARAMETER_OTHER_REGION_NEEDS_ARN`.

Why the task cannot start
The agent asks SSM for all the task's parameters with `ssm:GetParameters`; SSM returns the unknown
name as invalid and the task stops: `ResourceInitializationError: unable to pull secrets or registry
auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has
been retried 1 time(s): invalid ssm parameters: <name>`.

How to fix
Look for the parameter, then correct the reference or create the parameter (from a file, so the
value stays out of your shell history):
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Values=<name>
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Option=BeginsWith,Values=<name-prefix>
    aws ssm put-parameter --region <region> --name <name> --type SecureString --value file://<value-file>"#,
            docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
        },
        Code::SsmParameterOtherRegionNeedsArn => Explanation {
            title: "An SSM parameter in another Region is referenced by name instead of full ARN",
            text: r#"What it means
A `secrets[].valueFrom` names an SSM parameter by its name, and that parameter exists in another
Region, not in the task's. The ECS documentation: a parameter in the same Region can be referenced
by name or full ARN; a parameter in another Region must be referenced by its full ARN.

Why the task cannot start
A bare name is looked up in the task's own Region, where the parameter does not exist, so the fetch
fails: `unable to retrieve secrets from ssm: ... invalid ssm parameters: <name>`.

How to fix
Use the full ARN, with the parameter's Region, in a new task definition revision, and allow the
execution role `ssm:GetParameters` on that ARN:
    arn:aws:ssm:<parameter-region>:<account-id>:parameter/<name>
If the task reaches AWS services only through VPC endpoints, note that endpoints serve their own
Region; copying the parameter into the task's Region avoids the cross-Region call."#,
            docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
        },
        Code::KmsKeyNotUsable => Explanation {
            title: "The KMS key that encrypts a secret or parameter is not usable",
            text: r#"What it means
The KMS key that encrypts a referenced secret or SecureString parameter (from DescribeSecret or
DescribeParameters) is not usable: `kms:DescribeKey` shows it `Disabled`, `PendingDeletion`,
`PendingImport` or `Unavailable`, or the key no longer exists. The evidence has the key and its
state. (A key that is fine but that the execution role may not use is `IAM_ACTION_DENIED` for
`kms:Decrypt`.)

Why the task cannot start
The secret's value can only be returned decrypted, and KMS refuses to decrypt with a key in these
states, so the agent's fetch fails and the task stops with a secrets retrieval error. Secrets and
parameters encrypted with the AWS managed keys (`aws/secretsmanager`, `aws/ssm`) are not affected.

How to fix
Check the key, then re-enable it, or cancel its deletion (a key whose deletion is cancelled stays
disabled until you enable it):
    aws kms describe-key --key-id <key-arn> --query 'KeyMetadata.{state:KeyState,deletion:DeletionDate}'
    aws kms enable-key --key-id <key-arn>
    aws kms cancel-key-deletion --key-id <key-arn>
For `PendingImport`, import the key material again. If the key is gone, what it encrypted cannot be
decrypted any more: store the secret again under a usable key and reference it."#,
            docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
        },
        Code::LogGroupMissing => Explanation {
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

How to fix
Create the log group in `awslogs-region` (optionally with a retention period):
    aws logs create-log-group --log-group-name <log-group> --region <awslogs-region>
    aws logs put-retention-policy --log-group-name <log-group> --retention-in-days 30 --region <awslogs-region>
Or correct `awslogs-group` or `awslogs-region` in a new task definition revision, or set
`awslogs-create-group` to `true` and allow `logs:CreateLogGroup` (`LOG_GROUP_CREATE_NOT_PERMITTED`)."#,
            docs: &[AWSLOGS, EXECUTION_ROLE, RESOURCE_INIT],
        },
        Code::LogGroupCreateNotPermitted => Explanation {
            title: "Log group creation is on, but logs:CreateLogGroup is not allowed",
            text: r#"What it means
A container's `awslogs` options set `awslogs-create-group` to `true`, and the role that creates the
group (the task execution role; on the EC2 launch type possibly the container instance role) is not
allowed `logs:CreateLogGroup`. The managed policy `AmazonECSTaskExecutionRolePolicy` does not
include this action.

Why the task cannot start
When the log group does not exist yet, the log driver tries to create it at start; the call is
denied and the task stops with a logging error (`failed to validate logger args` or `failed to
initialize logging driver`).

How to fix
Allow the action on the log group in the role that creates it:
    aws iam put-role-policy --role-name <execution-role> --policy-name <policy-name> --policy-document file://policy.json
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":["arn:aws:logs:<region>:<account-id>:log-group:<log-group>","arn:aws:logs:<region>:<account-id>:log-group:<log-group>:*"]}]}
Or create the log group once and drop `awslogs-create-group`:
    aws logs create-log-group --log-group-name <log-group> --region <awslogs-region>"#,
            docs: &[AWSLOGS, EXECUTION_ROLE],
        },
        Code::Ec2InsufficientResources => Explanation {
            title: "No container instance has the CPU or memory the task asks for",
            text: r#"What it means
EC2 launch type: no registered container instance has enough unreserved CPU or memory for the task
(the task-level or container-level `cpu` and `memory` of the task definition). What counts is what
the instance registered minus what running tasks reserve, and an instance registers less memory than
its instance type has, because the agent and the operating system keep some.

Why the task cannot start
ECS cannot place the task anywhere, so it never starts. The failure reason reads `RESOURCE:CPU` or
`RESOURCE:MEMORY`; the ECS documentation says the task definition typically asks for more than the
instance type of the capacity provider's Auto Scaling group offers.

How to fix
Compare what the task asks for with what the instances have left:
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-id> --query 'containerInstances[].{registered:registeredResources,remaining:remainingResources}'
Then scale the cluster out, use a larger instance type in the Auto Scaling group, or lower the
task's `cpu` and `memory` in a new task definition revision."#,
            docs: &[API_FAILURES, KC_TASK_STOPPED],
        },
        Code::Ec2AgentDisconnected => Explanation {
            title: "The container instance's ECS agent is disconnected",
            text: r#"What it means
EC2 launch type: the container instance chosen for the task (or every instance of the cluster)
reports `agentConnected: false`: its ECS agent is not connected to the ECS service.

Why the task cannot start
ECS cannot hand a task to an instance whose agent it cannot reach; the failure reason reads `AGENT`.
Common causes are an agent that stopped or crashed, an instance that cannot reach the ECS endpoints
(no NAT route, or in a private VPC the `ecs-agent`, `ecs-telemetry` and `ecs` interface endpoints
missing), or an instance role without the permissions the agent needs.

How to fix
Check the instance and its agent:
    aws ecs describe-container-instances --cluster <cluster> --container-instances <container-instance-id> --query 'containerInstances[].{connected:agentConnected,status:status,agent:versionInfo.agentVersion,ec2:ec2InstanceId}'
On the instance (ECS-optimized Amazon Linux), look at the agent's log `/var/log/ecs/ecs-agent.log`
and restart it:
    sudo systemctl restart ecs
Or replace the instance. The AWS runbook AWSSupport-TroubleshootECSContainerInstance checks the
instance's user data, instance profile and network."#,
            docs: &[API_FAILURES, CONTAINER_INSTANCE_RUNBOOK, ECS_ENDPOINTS],
        },
        Code::Ec2NoContainerInstances => Explanation {
            title: "The cluster has no registered container instances",
            text: r#"What it means
EC2 launch type: the cluster has no registered container instances, so there is nowhere to place the
task.

Why the task cannot start
A task of the EC2 launch type runs on a container instance of its cluster; with none registered it
cannot be placed at all. Typical causes: the Auto Scaling group is scaled to zero, the instances'
user data names another cluster (or none, so they join `default`), the instance role lacks the
permissions to register, or the instances cannot reach the ECS endpoints.

How to fix
Check what is registered and what should be:
    aws ecs list-container-instances --cluster <cluster> --region <region>
    aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names <asg-name> --query 'AutoScalingGroups[].{desired:DesiredCapacity,instances:Instances[].InstanceId}'
Instances join the cluster named in `/etc/ecs/ecs.config` (user data such as `echo
ECS_CLUSTER=<cluster> >> /etc/ecs/ecs.config`). The AWS runbook
AWSSupport-TroubleshootECSContainerInstance diagnoses instances that fail to register."#,
            docs: &[CONTAINER_INSTANCE_RUNBOOK, API_FAILURES, ECS_ENDPOINTS],
        },
        Code::Ec2PlacementConstraintUnsatisfied => Explanation {
            title: "No container instance satisfies the placement constraints",
            text: r#"What it means
EC2 launch type: every registered container instance fails at least one placement constraint of the
task or its service: a `memberOf` expression (on attributes such as `ecs.instance-type`,
`ecs.availability-zone`, `ecs.os-type` or custom attributes), `distinctInstance`, or an attribute
the task definition requires of the agent (`requiresAttributes`). The evidence names the constraint.

Why the task cannot start
ECS can place the task only on an instance that meets all constraints; with none, the task is not
placed. The failure reason reads for example `MemberOf placement constraint unsatisfied`.

How to fix
Compare the constraints with the instances' attributes:
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.{constraints:placementConstraints,requires:requiresAttributes}'
    aws ecs describe-services --cluster <cluster> --services <service> --query 'services[].placementConstraints'
    aws ecs list-attributes --cluster <cluster> --target-type container-instance --attribute-name <attribute-name>
Then relax the constraint, launch instances that satisfy it, or add a missing custom attribute:
    aws ecs put-attributes --cluster <cluster> --attributes name=<attribute-name>,value=<value>,targetId=<container-instance-arn>
A missing `ecs.capability.*` attribute usually means the agent is too old: update it or replace the
instance with a current ECS-optimized AMI."#,
            docs: &[API_FAILURES, KC_TASK_STOPPED],
        },
        Code::EfsMountTargetMissing => Explanation {
            title: "The EFS file system has no mount target in the task's Availability Zone",
            text: r#"What it means
The task mounts an EFS volume, and the file system has no mount target in the Availability Zone of
the task (or of its subnet). A file system needs one mount target per Availability Zone in which it
is mounted.

Why the task cannot start
Without a mount target in its zone the volume cannot be mounted, so the task cannot start. On
Fargate platform version 1.4.0 and later, failures to create a volume mount are reported with the
`CannotCreateVolumeError` prefix.

How to fix
List the mount targets and create one in the task's zone, in a subnet of that zone, with a security
group that allows NFS from the task:
    aws efs describe-mount-targets --file-system-id <fs-id> --query 'MountTargets[].{az:AvailabilityZoneName,subnet:SubnetId,state:LifeCycleState}'
    aws efs create-mount-target --file-system-id <fs-id> --subnet-id <subnet-id> --security-groups <efs-sg-id>
Or run the task only in subnets of zones that have a mount target."#,
            docs: &[STOPPED_TASK_ERRORS, RUNBOOK],
        },
        Code::EfsNfsBlocked => Explanation {
            title: "NFS (TCP 2049) between the task and the EFS mount target is blocked",
            text: r#"What it means
The task mounts an EFS volume, and the traffic between the task and the mount target on TCP 2049
(NFS) is not allowed: the mount target's security groups allow no inbound 2049 from the task, the
task's security groups allow no outbound 2049 to the mount target, or a network ACL of either subnet
denies the request or its reply. The evidence names the rule or its absence.

Why the task cannot start
The NFS mount times out, the volume cannot be created, and the task fails to start.

How to fix
Allow NFS from the task's security group into the mount target's security group, and out of the
task's group if it restricts egress:
    aws efs describe-mount-target-security-groups --mount-target-id <fsmt-id>
    aws ec2 authorize-security-group-ingress --group-id <efs-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{GroupId=<task-sg-id>}]'
    aws ec2 authorize-security-group-egress --group-id <task-sg-id> --ip-permissions 'IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{GroupId=<efs-sg-id>}]'
If a network ACL restricts traffic, allow TCP 2049 toward the mount target's subnet and the replies
back to the task's subnet; ACLs are stateless, so both directions need rules."#,
            docs: &[SG_RULES, NACLS, STOPPED_TASK_ERRORS],
        },
        Code::EfsPolicyDeniesMount => Explanation {
            title: "The EFS file system policy denies the task's mount",
            text: r#"What it means
The task mounts an EFS volume, and the file system's policy (its resource policy) has a Deny
statement that matches the task's mount, elasticfilesystem:ClientMount: most often a statement that
denies clients not using TLS (aws:SecureTransport false) while the volume's transitEncryption is
DISABLED, or one that only allows a given access point or an IAM-authorised principal. The evidence
names the statement and the request as the tool evaluated it (TLS on or off, the access point, the
principal).

Why the task cannot start
EFS evaluates the file system policy when the client mounts; a denied mount fails, the volume cannot
be created, and the task fails to start. Whether the task role's own policies allow the mount is
the iam stage's question; this code is about an explicit Deny in the file system policy.

How to fix
Make the volume match the policy, or change the policy:
    aws efs describe-file-system-policy --file-system-id <fs-id>
Set "transitEncryption": "ENABLED" (and, where the policy requires it, the access point and
"authorizationConfig": {"iam": "ENABLED"} with a task role the policy allows) in the task
definition's efsVolumeConfiguration and register a new revision; or narrow the Deny and apply it:
    aws efs put-file-system-policy --file-system-id <fs-id> --policy file://policy.json"#,
            docs: &[EFS_IAM, STOPPED_TASK_ERRORS],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const HEADINGS: [&str; 3] = ["What it means", "Why the task cannot start", "How to fix"];

    #[test]
    fn every_title_is_one_short_sentence_case_line() {
        for &code in Code::ALL {
            let title = explanation(code).title;
            let len = title.chars().count();
            assert!((1..=90).contains(&len), "{code}: title is {len} characters");
            assert!(!title.ends_with('.'), "{code}: title ends with a period");
            assert!(!title.contains('\n'), "{code}: title spans lines");
            assert_eq!(title.trim(), title, "{code}: title has outer whitespace");
            let first = title.chars().next().unwrap();
            assert!(
                first.is_uppercase(),
                "{code}: title does not start with a capital"
            );
        }
    }

    #[test]
    fn titles_are_unique() {
        let mut seen = HashSet::new();
        for &code in Code::ALL {
            let title = explanation(code).title;
            assert!(seen.insert(title), "{code}: title {title:?} is used twice");
        }
    }

    #[test]
    fn every_text_has_the_three_sections_in_order() {
        for &code in Code::ALL {
            let text = explanation(code).text;
            let sections: Vec<&str> = text.split("\n\n").collect();
            assert_eq!(
                sections.len(),
                3,
                "{code}: expected 3 sections, got {}",
                sections.len()
            );
            for (section, heading) in sections.iter().zip(HEADINGS) {
                let (first, body) = section.split_once('\n').unwrap_or((section, ""));
                assert_eq!(first, heading, "{code}: section heading");
                assert!(
                    !body.trim().is_empty(),
                    "{code}: section {heading:?} is empty"
                );
            }
            assert!(!text.ends_with('\n'), "{code}: trailing newline");
        }
    }

    #[test]
    fn prose_is_wrapped_at_100_columns() {
        for &code in Code::ALL {
            for line in explanation(code).text.lines() {
                assert_eq!(
                    line.trim_end(),
                    line,
                    "{code}: trailing whitespace in {line:?}"
                );
                assert!(!line.contains('\t'), "{code}: tab in {line:?}");
                if !line.starts_with("    ") {
                    let width = line.chars().count();
                    assert!(width <= 100, "{code}: {width} columns: {line:?}");
                }
            }
        }
    }

    #[test]
    fn every_code_links_only_aws_documentation() {
        for &code in Code::ALL {
            let docs = explanation(code).docs;
            assert!(!docs.is_empty(), "{code}: no docs link");
            let mut seen = HashSet::new();
            for &url in docs {
                assert!(
                    url.starts_with("https://docs.aws.amazon.com/")
                        || url.starts_with("https://repost.aws/"),
                    "{code}: {url} is not AWS documentation or re:Post"
                );
                assert!(
                    !url.contains(char::is_whitespace),
                    "{code}: whitespace in {url}"
                );
                assert!(seen.insert(url), "{code}: {url} listed twice");
            }
        }
    }

    #[test]
    fn the_text_names_no_other_code_that_does_not_exist() {
        // Cross-references such as `NET_ENDPOINT_MISSING` must name real codes.
        for &code in Code::ALL {
            let text = explanation(code).text;
            for word in
                text.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            {
                let looks_like_code = word.len() > 6
                    && word.contains('_')
                    && [
                        "TASK_", "IMG_", "IAM_", "NET_", "SECRET_", "SSM_", "KMS_", "LOG_", "EC2_",
                        "EFS_",
                    ]
                    .iter()
                    .any(|p| word.starts_with(p));
                if looks_like_code {
                    assert!(
                        Code::parse(word).is_some(),
                        "{code}: mentions unknown code {word}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_texts_keep_the_promises_of_the_design() {
        // Compare with whitespace collapsed, so wrapping cannot hide a phrase.
        let text = |c: Code| {
            explanation(c)
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(text(Code::TaskNotFound).contains("ecs-task-doctor diagnose --event"));
        assert!(text(Code::IamDecisionUnknown).contains("not a denial"));
        let classes = [
            "image-pull-network",
            "image-not-found",
            "image-access-denied",
            "registry-rate-limit",
            "secrets-network",
            "secrets-access-denied",
            "secret-not-found",
            "ssm-parameter-invalid",
            "logging",
            "placement-resources",
            "placement-constraint",
            "agent",
            "efs",
            "disk-full",
            "timeout",
            "platform-mismatch",
            "other",
        ];
        for class in classes {
            let line = format!(" - {class}: ");
            assert!(
                text(Code::TaskStopReasonClassified).contains(&line),
                "failure class {class} is not explained"
            );
        }
        assert!(text(Code::NetSgEgressS3PrefixListMissing).contains("PrefixListIds"));
        assert!(text(Code::NetS3InterfaceEndpointOnly).contains("can't be used with Amazon ECR"));
    }
}
