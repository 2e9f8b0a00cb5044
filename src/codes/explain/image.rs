//! The explanations of the image stage: references, repositories, tags, digests and registry access.

use super::Explanation;
use super::links::*;

/// `IMG_REFERENCE_INVALID`.
pub(super) const IMG_REFERENCE_INVALID: Explanation = Explanation {
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

How to confirm by hand
The evidence gives the `image` as written, the `containers` that use it and the `problem` found.
Print the images of the task definition the task ran; JSON output shows hidden characters, such as
a trailing `\n` or a space, inside the quotes:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].taskDefinitionArn'
    aws ecs describe-task-definition --task-definition <task-definition-arn> --region <region> --query 'taskDefinition.containerDefinitions[].{name:name,image:image}' --output json
The finding holds when that `image` has, for example, nothing after the `:` of a tag, upper-case
letters in the repository path, whitespace, or an `@sha256:` not followed by exactly 64 hex digits.

How to fix
Correct the `image` in the task definition, register a new revision and deploy it:
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.containerDefinitions[].image'
    aws ecs register-task-definition --cli-input-json file://<task-definition>.json
    aws ecs update-service --cluster <cluster> --service <service> --task-definition <family>:<new-revision>
If you start from the output of describe-task-definition, remove the read-only fields it adds
(`taskDefinitionArn`, `revision`, `status`, `requiresAttributes`, `compatibilities`, `registeredAt`,
`registeredBy`) before registering."#,
    console: "Amazon ECS console > Task definitions > the task's task definition > its revision > Create new revision > Create new revision > container {containers|the container} > Image URI: a valid reference in place of {image|the invalid image} > Create, then update the service to the new revision",
    docs: &[CANNOT_PULL, STOPPED_TASK_ERRORS],
};

/// `IMG_REPOSITORY_NOT_FOUND`.
pub(super) const IMG_REPOSITORY_NOT_FOUND: Explanation = Explanation {
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

How to confirm by hand
The evidence gives the `image`, the `registryId` (the account in its host name) and the
`repositoryName`. Ask that registry, in the Region of the host name and with credentials of the
registry's account if it is not yours:
    aws ecr describe-repositories --registry-id <account-id> --repository-names <repository> --region <region>
    aws ecr describe-repositories --registry-id <account-id> --region <region> --query 'repositories[].repositoryName'
`RepositoryNotFoundException` from the first confirms the finding; the second lists the names that
do exist (look for another spelling, case or path).

How to fix
Either correct the image URI in a new task definition revision, or create the repository and
push the image to it:
    aws ecr create-repository --repository-name <repository> --region <region>"#,
    console: "Amazon ECR console (account {registryId|of the image's registry}, the Region in the image's host name) > Private registry > Repositories > Create repository: name {repositoryName|the image's repository path} > Create, then push the image; or correct the Image URI in a new task definition revision",
    docs: &[CANNOT_PULL, KC_FARGATE_PULL],
};

/// `IMG_TAG_NOT_FOUND`.
pub(super) const IMG_TAG_NOT_FOUND: Explanation = Explanation {
    title: "The image tag does not exist in the ECR repository",
    text: r#"What it means
The ECR repository exists, but no image in it carries the tag of the image reference (DescribeImages
answers `ImageNotFoundException`). Typical causes: the build or push never happened or failed, a
typo, a lifecycle policy expired the image, or someone deleted it.

Why the task cannot start
The container runtime cannot resolve the tag to a manifest, so the pull fails. Recent agents report
it as a `CannotPullContainerError` ending in `<image-reference>: not found`.

How to confirm by hand
The evidence gives `registryId`, `repositoryName` and `imageTag` (a reference without a tag means
`latest`). Ask the registry for that tag, then list the tags of the five images pushed last:
    aws ecr describe-images --registry-id <account-id> --repository-name <repository> --image-ids imageTag=<tag> --region <region>
    aws ecr describe-images --registry-id <account-id> --repository-name <repository> --region <region> --query 'sort_by(imageDetails,&imagePushedAt)[-5:].imageTags'
`ImageNotFoundException` from the first confirms the finding. ECR records every deletion in
CloudTrail, whose event history keeps 90 days: `BatchDeleteImage` for a deletion by someone,
`PolicyExecutionEvent` for images a lifecycle policy expired:
    aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=BatchDeleteImage --region <region> --query 'Events[].{time:EventTime,user:Username,resources:Resources[].ResourceName}'

How to fix
Push the missing tag, or point the task definition at a tag or digest that exists. If a lifecycle
policy removed the image, check its rules:
    aws ecr get-lifecycle-policy --repository-name <repository> --region <region>
Deploying by digest, or with immutable tags, keeps a running service's image from disappearing or
changing under it:
    aws ecr put-image-tag-mutability --repository-name <repository> --image-tag-mutability IMMUTABLE --region <region>"#,
    console: "Amazon ECR console (account {registryId|of the image's registry}) > Private registry > Repositories > {repositoryName|the repository} > Images: check for tag {imageTag|the image's tag}; push it, or point the Image URI at an existing tag in a new task definition revision (Amazon ECS console > Task definitions > Create new revision)",
    docs: &[CANNOT_PULL, KC_FARGATE_PULL],
};

/// `IMG_DIGEST_NOT_FOUND`.
pub(super) const IMG_DIGEST_NOT_FOUND: Explanation = Explanation {
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

How to confirm by hand
The evidence gives `registryId`, `repositoryName` and the reference's `imageDigest`. Ask the
registry for that digest, then list the digests it holds:
    aws ecr describe-images --registry-id <account-id> --repository-name <repository> --image-ids imageDigest=<sha256:digest> --region <region>
    aws ecr describe-images --registry-id <account-id> --repository-name <repository> --region <region> --query 'imageDetails[].{digest:imageDigest,tags:imageTags,pushed:imagePushedAt}'
`ImageNotFoundException` from the first confirms the finding. A deleted image shows in CloudTrail
(see `IMG_TAG_NOT_FOUND`):
    aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=BatchDeleteImage --region <region> --query 'Events[].{time:EventTime,user:Username,resources:Resources[].ResourceName}'

How to fix
Use the `imageDigest` the registry reports (for example as printed by `docker push`) in a new task
definition revision, or push the image again."#,
    console: "Amazon ECR console (account {registryId|of the image's registry}) > Private registry > Repositories > {repositoryName|the repository} > Images: look for digest {imageDigest|the reference's digest}; use a digest listed there in a new task definition revision (Amazon ECS console > Task definitions > Create new revision), or push the image again",
    docs: &[CANNOT_PULL, KC_FARGATE_PULL],
};

/// `IMG_REPO_POLICY_DENIES`.
pub(super) const IMG_REPO_POLICY_DENIES: Explanation = Explanation {
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

How to confirm by hand
The evidence gives the `repositoryArn`, the pulling `principal` and its `principalAccount`, the
`policyText` the tool read and, for a Deny, the `statement` and `action`. Read the policy in the
account that owns the repository:
    aws ecr get-repository-policy --registry-id <account-id> --repository-name <repository> --region <region> --query policyText --output text
`RepositoryPolicyNotFoundException` means there is no policy, which blocks only a pull from another
account. Otherwise the finding holds when a `Deny` statement whose `Principal` covers the role (its
ARN, its account or `*`) names `ecr:BatchGetImage` or `ecr:GetDownloadUrlForLayer` (or `ecr:*`),
or, for a role of another account, when no `Allow` statement grants both actions to the role, its
account or `*`. A principal shown as an ID (`AROA...`) instead of an ARN names a deleted role; the
current role has another `RoleId`:
    aws iam get-role --role-name <role-name> --query 'Role.{arn:Arn,id:RoleId}'
The IAM policy simulator cannot settle this: it evaluates a resource policy (`--resource-policy`)
only with an IAM user as the caller, never a role.

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
    console: "Amazon ECR console (account {registryId|that owns the repository}) > Private registry > Repositories > {repositoryName|the repository} > Permissions > Edit policy JSON: allow ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability to {principal|the pulling role}, and remove or narrow any Deny that matches it > Save",
    docs: &[
        ECR_MANAGED_POLICIES,
        EXECUTION_ROLE,
        CANNOT_PULL,
        KC_FARGATE_PULL,
    ],
};

/// `IMG_CROSS_REGION_REGISTRY`.
pub(super) const IMG_CROSS_REGION_REGISTRY: Explanation = Explanation {
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

How to confirm by hand
The evidence gives `registryRegion`, `taskRegion` and `registryId`, the `via` the network stage
followed to `api.ecr.<registry-region>.amazonaws.com` and, when there is none, the `blockingHop`.
List the VPC's endpoints; the Region in each service name is the one it serves:
    aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=<vpc-id> --region <task-region> --query 'VpcEndpoints[].{service:ServiceName,type:VpcEndpointType,state:State}'
Then the default route of the task's subnet (a subnet with no explicitly associated route table
uses the VPC's main one):
    aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet-id> --region <task-region> --query 'RouteTables[].Routes[?DestinationCidrBlock==`0.0.0.0/0`].{nat:NatGatewayId,gateway:GatewayId,state:State}'
No `0.0.0.0/0` route to a NAT gateway (`nat-...`), or to an internet gateway (`igw-...`) with a
public IP on the task, confirms there is no path. Whether the image already exists in the task's
Region:
    aws ecr describe-images --registry-id <account-id> --repository-name <repository> --image-ids imageTag=<tag> --region <task-region>

How to fix
Prefer an image in the task's Region: push it there, or let ECR replicate the repository (run in the
source Region; replication only copies images pushed after it is set up):
    aws ecr put-replication-configuration --region <registry-region> --replication-configuration '{"rules":[{"destinations":[{"region":"<task-region>","registryId":"<account-id>"}]}]}'
Then point the task definition at
`<account-id>.dkr.ecr.<task-region>.amazonaws.com/<repository>:<tag>`. Otherwise give the task's
subnets an internet path (see `NET_NO_PATH_TO_SERVICE`)."#,
    console: "Amazon ECR console ({registryRegion|the registry's Region}) > Private registry > Settings > Replication configuration: Edit > Add replication rule > Cross-Region replication > Destination regions: {taskRegion|the task's Region} > Submit, push the image again, then use the image in {taskRegion|the task's Region} in a new task definition revision",
    docs: &[ECR_ENDPOINTS, GATEWAY_ENDPOINTS, CANNOT_PULL],
};

/// `IMG_PUBLIC_REGISTRY_NEEDS_INTERNET`.
pub(super) const IMG_PUBLIC_REGISTRY_NEEDS_INTERNET: Explanation = Explanation {
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

How to confirm by hand
The evidence gives the `registry` host, the `via` the network stage followed (a NAT gateway or an
internet gateway) and, when there is no path, the `blockingHop`. For a task in awsvpc mode, find
its subnet, that subnet's default route (no explicitly associated route table means the VPC's main
one) and, for a service, whether its tasks get a public IP:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --region <region> --query 'tasks[0].attachments[].details[?name==`subnetId`].value'
    aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet-id> --region <region> --query 'RouteTables[].Routes[?DestinationCidrBlock==`0.0.0.0/0`].{nat:NatGatewayId,gateway:GatewayId,state:State}'
    aws ecs describe-services --cluster <cluster> --services <service> --region <region> --query 'services[0].networkConfiguration.awsvpcConfiguration.{subnets:subnets,publicIp:assignPublicIp}'
The finding holds when there is no `0.0.0.0/0` route to a NAT gateway (`nat-...`), and no route to
an internet gateway (`igw-...`) together with `assignPublicIp` `ENABLED`. Security groups and
network ACLs must allow outbound HTTPS as well (see `NET_SG_EGRESS_BLOCKED` and
`NET_NACL_OUTBOUND_BLOCKED`).

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
    console: "Amazon VPC console > Route tables > the route table of the task's subnet > Actions > Edit routes > Add route: Destination 0.0.0.0/0, Target NAT Gateway (one in a public subnet) > Save changes; or copy {image|the image} to a private Amazon ECR repository in the task's Region and use it in a new task definition revision",
    docs: &[ECR_ENDPOINTS, CANNOT_PULL, KC_RATE_LIMIT, FARGATE],
};

/// `IMG_REGISTRY_CREDENTIALS_MISSING`.
pub(super) const IMG_REGISTRY_CREDENTIALS_MISSING: Explanation = Explanation {
    title: "The private registry credentials secret cannot be read",
    text: r#"What it means
A container definition has `repositoryCredentials.credentialsParameter`, naming the Secrets Manager
secret that holds the username and password for a private registry, and that secret cannot be read:
it does not exist, or it is scheduled for deletion. (Whether the execution role may read it is the
iam stage's check, reported as `IAM_ACTION_DENIED`.) The evidence names the `secret` and, when it
was found, its `secretArn` and `deletedDate`; the tool reads only the secret's metadata
(DescribeSecret), never its value.

Why the task cannot start
Before it can pull from the private registry, the ECS agent fetches this secret with the task
execution role. When that fails the task stops before the pull: `ResourceInitializationError: unable
to pull secrets or registry auth: ...`, or in older wording `unable to get registry auth from asm:
... asm fetching secret from the service for <secret-name>: RequestError`.

How to confirm by hand
Read which secret each container names, then the secret's metadata (never its value) in the Region
its ARN names:
    aws ecs describe-task-definition --task-definition <task-definition-arn> --region <region> --query 'taskDefinition.containerDefinitions[].{name:name,credentials:repositoryCredentials.credentialsParameter}'
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region> --query '{arn:ARN,deleted:DeletedDate,kmsKey:KmsKeyId}'
`ResourceNotFoundException` confirms a missing secret; a `deleted` date confirms one scheduled for
deletion, which cannot be read until it is restored.

How to fix
A secret scheduled for deletion can be restored until its recovery window ends:
    aws secretsmanager restore-secret --secret-id <secret-arn> --region <region>
If it is missing, create it with the registry credentials as JSON with the keys `username` and
`password`, from a file so the password stays out of your shell history:
    aws secretsmanager create-secret --name <secret-name> --secret-string file://<credentials>.json --region <region>
Reference it by its full ARN in `credentialsParameter`, and allow the execution role
`secretsmanager:GetSecretValue` on it (plus `kms:Decrypt` on its KMS key if that is a customer
managed key)."#,
    console: "Secrets Manager console > Secrets > {secret|the registry credentials secret} > Cancel deletion (if it is hidden: Preferences > Show secrets scheduled for deletion); if it does not exist: Store a new secret > Other type of secret, keys username and password, then put its ARN in repositoryCredentials in a new task definition revision",
    docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS, RESOURCE_INIT],
};
