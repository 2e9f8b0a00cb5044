//! The stop-reason catalogue: data, not a chain of ifs.
//!
//! ECS explains a failed start in free text (`stoppedReason`, and each container's
//! `reason`), and the wording changed over the years: Docker-era messages, containerd
//! messages from Fargate platform 1.4.0, and the agent's 2024+ wording that adds "There
//! is a connection issue between the task and ...". Each [`Pattern`] recognises one
//! documented or observed message family (sources: `shared/research/runbook.md` §2).
//!
//! Patterns are ordered from most to least specific: the first match wins, and across
//! several texts (the task's reason and its containers') the earliest pattern wins, so a
//! container's precise "CannotPullContainerError ... toomanyrequests" beats the task's
//! bare "Task failed to start". Patterns that describe tasks which *did* start (an
//! essential container exited, a health check failed) sit at the end with
//! `start_failure: false`.

use crate::report::FailureClass;
use FailureClass::*;

/// Bumped whenever a pattern is added, removed or reordered; shown in the evidence.
pub const CATALOGUE_VERSION: &str = "2026-11-28.2";

/// Which generation of ECS wording a pattern was written from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// Docker-era and containerd-era messages (before mid-2024).
    Classic,
    /// The agent's 2024+ messages ("There is a connection issue between the task and ...").
    Agent2024,
    /// Both.
    Any,
}

/// One family of stop-reason messages.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    /// Stable identifier, shown in the evidence (`pull.rate-limit`).
    pub id: &'static str,
    /// The text must contain one of these (lowercase) markers; empty means no requirement.
    pub markers: &'static [&'static str],
    /// And one of these (lowercase) details; empty means no requirement.
    pub details: &'static [&'static str],
    /// Or the whole text (trimmed, lowercase) must equal one of these.
    pub whole: &'static [&'static str],
    /// The failure class the message names.
    pub class: FailureClass,
    /// False for messages of tasks that started and then stopped.
    pub start_failure: bool,
    /// Which wording generation.
    pub wording: Wording,
    /// What the message means, in one line.
    pub meaning: &'static str,
}

impl Pattern {
    /// Whether this pattern recognises `lower` (already lowercased).
    fn matches(&self, lower: &str) -> bool {
        let trimmed = lower.trim();
        if self.whole.contains(&trimmed) {
            return true;
        }
        if self.markers.is_empty() && self.details.is_empty() {
            return false;
        }
        let any =
            |needles: &[&str]| needles.is_empty() || needles.iter().any(|n| lower.contains(n));
        any(self.markers) && any(self.details)
    }
}

const DENIED: &[&str] = &[
    "accessdenied",
    "access denied",
    "not authorized to perform",
    "is not authorized",
];
const PULL: &[&str] = &[
    "cannotpullcontainererror",
    "cannotpullimagemanifesterror",
    "pull image manifest has been retried",
    "ref pull has been retried",
    "inspect image has been retried",
    "error pulling image",
];
const ECR_AUTH: &[&str] = &[
    "ecr registry auth",
    "registry auth from amazon ecr",
    "connection issue between the task and amazon ecr",
    "ecr: getauthorizationtoken",
    "ecr:getauthorizationtoken",
];
const ASM: &[&str] = &[
    "secret from asm",
    "secrets from asm",
    "from secrets manager",
    "connection issue between the task and aws secrets manager",
    "secretsmanager:getsecretvalue",
];
const SSM: &[&str] = &[
    "secrets from ssm",
    "secret from ssm",
    "connection issue between the task and aws systems manager",
    "ssm:getparameters",
];

macro_rules! p {
    ($id:literal, markers: $m:expr, details: $d:expr, $class:expr, $start:expr, $w:expr, $meaning:literal) => {
        Pattern {
            id: $id,
            markers: $m,
            details: $d,
            whole: &[],
            class: $class,
            start_failure: $start,
            wording: $w,
            meaning: $meaning,
        }
    };
}

/// The catalogue, most specific first.
pub static PATTERNS: &[Pattern] = &[
    // --- Permissions (before network: a denied call also "failed to fetch") ---
    p!("registry-auth-asm.access-denied", markers: &["registry auth from asm"], details: DENIED,
       SecretsAccessDenied, true, Wording::Classic,
       "the execution role may not read the private-registry credentials secret"),
    p!("kms.access-denied", markers: &["kms:decrypt"], details: &[],
       SecretsAccessDenied, true, Wording::Any,
       "the execution role may not use the KMS key that encrypts a secret or parameter"),
    p!("ecr-auth.access-denied", markers: ECR_AUTH, details: DENIED,
       ImageAccessDenied, true, Wording::Any,
       "the execution role may not call ecr:GetAuthorizationToken"),
    p!("ssm.access-denied", markers: SSM, details: DENIED,
       SecretsAccessDenied, true, Wording::Any,
       "the execution role may not call ssm:GetParameters on a referenced parameter"),
    p!("asm.access-denied", markers: ASM, details: DENIED,
       SecretsAccessDenied, true, Wording::Any,
       "the execution role may not call secretsmanager:GetSecretValue on a referenced secret"),
    // --- References that do not resolve ---
    p!("ssm.invalid-parameters", markers: &["invalid ssm parameters"], details: &[],
       SsmParameterInvalid, true, Wording::Any,
       "an SSM parameter named in the task definition does not exist (or is in another Region without a full ARN)"),
    p!("asm.version-id-invalid", markers: &["getsecretvalueinput.versionid", "minimum field size of 32"], details: &[],
       SecretNotFound, true, Wording::Classic,
       "a Secrets Manager valueFrom has a malformed version-id field"),
    p!("asm.not-found", markers: &["secret from asm", "secrets from asm", "from secrets manager", "registry auth from asm", "secrets manager can"],
       details: &["resourcenotfoundexception", "can't find the specified secret", "can\u{2019}t find the specified secret"],
       SecretNotFound, true, Wording::Any,
       "a Secrets Manager secret named in the task definition does not exist"),
    p!("asm.pending-deletion", markers: &["secret from asm", "secrets from asm", "from secrets manager", "registry auth from asm"],
       details: &["marked for deletion", "scheduled for deletion"],
       SecretNotFound, true, Wording::Any,
       "a Secrets Manager secret the task references is scheduled for deletion"),
    p!("kms.key-state", markers: &["decryptionfailure", "kmsinvalidstateexception", "kmsdisabledexception", "kms key is disabled", "is pending deletion"],
       details: &[],
       SecretsAccessDenied, true, Wording::Any,
       "the KMS key that encrypts a secret or parameter is disabled, pending deletion or unusable"),
    // --- Logging ---
    p!("logs.logger-args", markers: &["failed to validate logger args", "failed to initialize logging driver", "cannot find the amazon cloudwatch log group", "connection issue between the task and amazon cloudwatch"],
       details: &[], Logging, true, Wording::Any,
       "the awslogs driver could not start: the log group is missing, or CloudWatch Logs is unreachable"),
    // --- Network to the agent's own dependencies ---
    p!("ecr-auth.network", markers: ECR_AUTH, details: &[],
       ImagePullNetwork, true, Wording::Any,
       "the task could not reach the ECR API to get a registry token"),
    p!("asm.network", markers: &["secret from asm", "secrets from asm", "registry auth from asm", "connection issue between the task and aws secrets manager"],
       details: &[], SecretsNetwork, true, Wording::Any,
       "the task could not reach Secrets Manager"),
    p!("ssm.network", markers: SSM, details: &[],
       SecretsNetwork, true, Wording::Any,
       "the task could not reach SSM Parameter Store"),
    p!("secrets-or-auth.generic", markers: &["unable to pull secrets or registry auth", "execution resource retrieval failed"], details: &[],
       SecretsNetwork, true, Wording::Classic,
       "the agent could not fetch secrets or registry credentials, most often for lack of a network path"),
    // --- EFS ---
    p!("efs.mount", markers: &["efs utils", "efs volume", "mount.nfs", "elasticfilesystem", "amazon-efs-utils"], details: &[],
       Efs, true, Wording::Any,
       "an EFS volume could not be mounted"),
    // --- Image pulls, by what went wrong ---
    p!("pull.invalid-reference", markers: PULL, details: &["invalid reference format"],
       ImageNotFound, true, Wording::Any,
       "the image reference does not parse, so it names no image at all"),
    p!("pull.rate-limit", markers: PULL, details: &["toomanyrequests", "too many requests", "pull rate limit"],
       RegistryRateLimit, true, Wording::Any,
       "the registry (usually Docker Hub) rate-limited anonymous or free-tier pulls"),
    p!("pull.disk-full", markers: PULL, details: &["no space left on device"],
       DiskFull, true, Wording::Classic,
       "the host ran out of disk while writing image layers"),
    p!("pull.platform", markers: PULL, details: &["no matching manifest", "does not contain descriptor matching platform", "matching platform"],
       PlatformMismatch, true, Wording::Any,
       "the image has no variant for the task's CPU architecture or operating system"),
    p!("pull.access-denied", markers: PULL,
       details: &["403 forbidden", "status code 403", "api error (403)", "accessdenied", "access denied", "not authorized", "no basic auth credentials", "pull access denied", "unauthorized", "denied: "],
       ImageAccessDenied, true, Wording::Any,
       "the registry refused the pull: missing ECR permissions, a repository policy, an endpoint policy, or registry credentials"),
    p!("pull.not-found", markers: PULL,
       details: &["not found", "api error (404)", "status code 404", "manifest unknown", "name unknown", "repository does not exist"],
       ImageNotFound, true, Wording::Any,
       "the repository, tag or digest does not exist"),
    p!("pull.layer-bucket", markers: PULL, details: &["starport-layer-bucket"],
       ImagePullNetwork, true, Wording::Classic,
       "the image layers could not be fetched from ECR's S3 layer bucket"),
    p!("pull.network", markers: PULL,
       details: &["i/o timeout", "request canceled while waiting for connection", "context canceled", "context deadline exceeded",
                  "dial tcp", "connection refused", "connection reset", "no such host", "tls handshake timeout", "connection issue",
                  "network is unreachable", "timeout"],
       ImagePullNetwork, true, Wording::Any,
       "the pull could not reach the registry"),
    p!("pull.reader-failed", markers: PULL, details: &["httpreaderseeker: failed open"],
       ImageAccessDenied, true, Wording::Classic,
       "the registry answered the layer request with an error status: usually no access to the image"),
    p!("pull.generic", markers: PULL, details: &[],
       ImagePullNetwork, true, Wording::Any,
       "the image could not be pulled (documented generic form: the ECR endpoint could not be reached)"),
    // --- The host ---
    p!("host.thin-pool", markers: &["thin pool", "devmapper"], details: &[],
       DiskFull, true, Wording::Classic,
       "the EC2 host's Docker thin pool is full"),
    p!("host.no-space", markers: &["no space left on device"], details: &[],
       DiskFull, true, Wording::Any,
       "the EC2 host ran out of disk"),
    // --- Placement (RunTask failures and service events) ---
    p!("placement.resources", markers: &["resource:cpu", "resource:memory", "resource:ports", "resource:eni", "resource:gpu", "no container instance met all of its requirements", "no container instances were found"],
       details: &[], PlacementResources, true, Wording::Any,
       "no container instance had the CPU, memory, ports or ENIs the task needs"),
    p!("placement.constraint", markers: &["placement constraint unsatisfied", "placement constraint"], details: &[],
       PlacementConstraint, true, Wording::Any,
       "no container instance satisfies the placement constraints"),
    Pattern {
        id: "placement.agent",
        markers: &[
            "taskfailedtostart: agent",
            "agent is disconnected",
            "agent disconnected",
        ],
        details: &[],
        whole: &["agent"],
        class: Agent,
        start_failure: true,
        wording: Wording::Any,
        meaning: "the target container instance's agent is disconnected",
    },
    // --- Timeouts ---
    p!("timeout.runtime", markers: &["containerruntimetimeouterror", "dockertimeouterror", "could not transition to"], details: &[],
       Timeout, true, Wording::Any,
       "a container did not reach RUNNING in time (on Fargate, often a network path that hangs)"),
    p!("platform.exec-format", markers: &["exec format error"], details: &[],
       PlatformMismatch, true, Wording::Any,
       "the image's binaries are for another CPU architecture"),
    // --- Other start failures ---
    p!("start.container", markers: &["cannotstartcontainererror"], details: &[],
       Other, true, Wording::Any,
       "the runtime could not start a container (memory limits, port conflicts, bad entrypoint)"),
    p!("create.container", markers: &["cannotcreatecontainererror"], details: &[],
       Other, true, Wording::Any,
       "the runtime could not create a container"),
    p!("volume.create", markers: &["cannotcreatevolumeerror"], details: &[],
       Other, true, Wording::Any,
       "the agent could not create a volume mount"),
    p!("inspect.container", markers: &["cannotinspectcontainererror"], details: &[],
       Other, true, Wording::Any,
       "the runtime could not describe a container"),
    p!("resource-init.generic", markers: &["resourceinitializationerror"], details: &[],
       Other, true, Wording::Any,
       "the agent could not bootstrap the task's resources (a common cause: a VPC without DNS resolution)"),
    p!("runtime.generic", markers: &["containerruntimeerror", "internalerror"], details: &[],
       Other, true, Wording::Any,
       "the container runtime reported an error"),
    Pattern {
        id: "task.failed-to-start",
        markers: &[],
        details: &[],
        whole: &["task failed to start"],
        class: Timeout,
        start_failure: true,
        wording: Wording::Any,
        meaning: "the bare reason ECS gives when a dependsOn container's startTimeout expires",
    },
    // --- Tasks that started, then stopped: not this tool's case ---
    p!("stopped.cannot-stop", markers: &["cannotstopcontainererror"], details: &[],
       Other, false, Wording::Any,
       "a container could not be stopped"),
    p!("stopped.essential-exit", markers: &["essential container in task exited"], details: &[],
       Other, false, Wording::Any,
       "the task started and an essential container exited"),
    p!("stopped.oom", markers: &["outofmemoryerror", "outofmemory"], details: &[],
       Other, false, Wording::Any,
       "a container was killed for using more memory than its limit"),
    p!("stopped.spot", markers: &["spotinterruption", "spot interruption"], details: &[],
       Other, false, Wording::Any,
       "the Fargate Spot capacity was reclaimed"),
    p!("stopped.health", markers: &["health check"], details: &[],
       Other, false, Wording::Any,
       "the task failed its load balancer or container health checks"),
    p!("stopped.scaling", markers: &["scaling activity initiated by", "deployment"], details: &[],
       Other, false, Wording::Any,
       "the service scheduler stopped the task (scale-in or deployment)"),
    p!("stopped.user", markers: &["stopped by user", "task stopped by"], details: &[],
       Other, false, Wording::Any,
       "someone stopped the task"),
    p!("stopped.maintenance", markers: &["ecs is performing maintenance", "underlying infrastructure"], details: &[],
       Other, false, Wording::Any,
       "AWS replaced the task during infrastructure maintenance"),
];

/// The first pattern that recognises `text`, with its position (lower is more specific).
pub fn classify(text: &str) -> Option<(usize, &'static Pattern)> {
    let lower = text.to_lowercase();
    PATTERNS.iter().enumerate().find(|(_, p)| p.matches(&lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_of(text: &str) -> (FailureClass, &'static str) {
        let (_, p) = classify(text).unwrap_or_else(|| panic!("no pattern for {text:?}"));
        (p.class, p.id)
    }

    /// Every stop-reason string quoted in shared/research/runbook.md §2, with the class it names.
    const RESEARCH_STRINGS: &[(&str, FailureClass)] = &[
        // §2.2 placement-level reasons
        ("RESOURCE:CPU", PlacementResources),
        ("RESOURCE:MEMORY", PlacementResources),
        ("TaskFailedToStart: RESOURCE:MEMORY", PlacementResources),
        ("AGENT", Agent),
        ("TaskFailedToStart: AGENT", Agent),
        (
            "TaskFailedToStart: MemberOf placement constraint unsatisfied",
            PlacementConstraint,
        ),
        // §2.3 prefixes, both platform generations
        (
            "ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 1m: x",
            Timeout,
        ),
        (
            "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s",
            Timeout,
        ),
        (
            "CannotStartContainerError: failed to get container status: x",
            Other,
        ),
        ("CannotInspectContainerError: x", Other),
        (
            "ResourceInitializationError: failed to initialize logging driver: x",
            Logging,
        ),
        ("ResourceInitializationError: something new", Other),
        ("CannotPullContainerError: API error", ImagePullNetwork),
        ("CannotCreateVolumeError: x", Other),
        ("CannotPullImageManifestError: x", ImagePullNetwork),
        ("ContainerRuntimeError: x", Other),
        ("InternalError: x", Other),
        (
            "CannotCreateContainerError: API error (500): devmapper: Thin Pool has 4350 free data blocks which is less than minimum required 4454 free data blocks",
            DiskFull,
        ),
        ("Task failed to start", Timeout),
        // §2.4 CannotPullContainerError variants
        (
            "CannotPullContainerError: API error (500): Get https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request canceled while waiting for connection",
            ImagePullNetwork,
        ),
        (
            "CannotPullContainerError: context canceled",
            ImagePullNetwork,
        ),
        (
            "CannotPullContainerError: API error (404): repository 123456789012.dkr.ecr.us-east-1.amazonaws.com/app not found",
            ImageNotFound,
        ),
        (
            "CannotPullContainerError: invalid reference format",
            ImageNotFound,
        ),
        (
            "CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111: no space left on device",
            DiskFull,
        ),
        (
            "CannotPullContainerError: toomanyrequests: Too Many Requests",
            RegistryRateLimit,
        ),
        (
            "CannotPullContainerError: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading",
            RegistryRateLimit,
        ),
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/blobs/sha256:abc: 400 Bad Request",
            ImageAccessDenied,
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref \"123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v42\": failed to do request: Head \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/api/manifests/v42\": dial tcp 10.0.3.17:443: i/o timeout",
            ImagePullNetwork,
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v42: failed to resolve reference: unexpected status code 403 Forbidden",
            ImageAccessDenied,
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/app:v9: docker.io/library/app:v9: not found",
            ImageNotFound,
        ),
        (
            "CannotPullContainerError: inspect image has been retried 5 time(s): httpReaderSeeker: failed open: unexpected status code Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit",
            RegistryRateLimit,
        ),
        (
            "CannotPullContainerError: error pulling image configuration: Get https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/abc/def: dial tcp 52.216.1.1:443: i/o timeout",
            ImagePullNetwork,
        ),
        // §2.5 ResourceInitializationError variants, classic wording
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed",
            SecretsNetwork,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
            SecretsNetwork,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.46.1.1:443: i/o timeout. Please check your task network configuration.",
            ImagePullNetwork,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager: InvalidParameter: 1 validation error(s) found. - minimum field size of 32, GetSecretValueInput.VersionId.",
            SecretNotFound,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
            SecretNotFound,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for dockerhub-creds: RequestError: send request failed",
            SecretsNetwork,
        ),
        // §2.5 permission variants
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/execRole/abc is not authorized to perform: ecr:GetAuthorizationToken on resource: * status code: 400",
            ImageAccessDenied,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/execRole/abc is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123456789012:parameter/app/db because no identity-based policy allows the ssm:GetParameters action",
            SecretsAccessDenied,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/execRole/abc is not authorized to perform: secretsmanager:GetSecretValue",
            SecretsAccessDenied,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /wishkit/parsing-engine/gemini-api-key",
            SsmParameterInvalid,
        ),
        // §2.5 2024+ agent wording
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 10.0.1.5:443: i/o timeout.",
            ImagePullNetwork,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded",
            SecretsNetwork,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: The task cannot pull secrets from AWS Systems Manager. There is a connection issue between the task and AWS Systems Manager Parameter Store. Check your task network configuration.",
            SecretsNetwork,
        ),
        (
            "ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed",
            Logging,
        ),
        (
            "ResourceInitializationError: failed to validate logger args: : signal: killed",
            Logging,
        ),
        // Secrets that exist but cannot be read (not in §2; AWS error names)
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager: InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.",
            SecretNotFound,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager: DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
            SecretsAccessDenied,
        ),
        // §2.6 CannotStartContainerError
        (
            "CannotStartContainerError: Error response from daemon: driver failed programming external connectivity on endpoint web: Bind for 0.0.0.0:8080 failed: port is already allocated",
            Other,
        ),
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: CredentialsEndpointError: failed to load credentials caused by: Get http://169.254.170.2/v2/credentials/abc: dial tcp 169.254.170.2:80: connect: connection refused",
            Logging,
        ),
    ];

    #[test]
    fn every_research_string_maps_to_its_class() {
        let mut wrong = vec![];
        for (text, want) in RESEARCH_STRINGS {
            let (got, id) = class_of(text);
            if got != *want {
                wrong.push(format!("{text:?}: got {got} via {id}, want {want}"));
            }
        }
        assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
    }

    #[test]
    fn start_failures_and_other_stops_are_told_apart() {
        for text in [
            "Essential container in task exited",
            "OutOfMemoryError: Container killed due to memory usage",
            "Task stopped by user",
            "Scaling activity initiated by (deployment ecs-svc/123)",
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:...)",
            "SpotInterruption: Your Spot Task was interrupted.",
        ] {
            let (_, p) = classify(text).unwrap();
            assert!(
                !p.start_failure,
                "{text:?} matched {} as a start failure",
                p.id
            );
        }
        for (text, _) in RESEARCH_STRINGS {
            assert!(classify(text).unwrap().1.start_failure, "{text:?}");
        }
    }

    #[test]
    fn matching_ignores_case() {
        assert_eq!(
            class_of("cannotpullcontainererror: TOOMANYREQUESTS").0,
            RegistryRateLimit
        );
    }

    #[test]
    fn unknown_text_matches_nothing() {
        assert!(classify("").is_none());
        assert!(classify("the moon is made of cheese").is_none());
    }

    #[test]
    fn pattern_ids_are_unique_and_every_pattern_can_match() {
        let mut ids: Vec<&str> = PATTERNS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate pattern ids");
        for p in PATTERNS {
            assert!(
                !p.markers.is_empty() || !p.whole.is_empty(),
                "{} matches nothing",
                p.id
            );
            assert!(
                p.markers
                    .iter()
                    .chain(p.details)
                    .chain(p.whole)
                    .all(|n| *n == n.to_lowercase()),
                "{} has uppercase needles",
                p.id
            );
        }
    }

    #[test]
    fn each_pattern_is_reachable() {
        // A pattern shadowed by an earlier, broader one would never be reported.
        for (i, p) in PATTERNS.iter().enumerate() {
            let sample = match (p.whole.first(), p.markers.first(), p.details.first()) {
                (Some(w), _, _) => w.to_string(),
                (None, Some(m), Some(d)) => format!("{m} {d}"),
                (None, Some(m), None) => m.to_string(),
                _ => unreachable!(),
            };
            let (j, q) = classify(&sample).unwrap();
            assert_eq!(
                i, j,
                "{:?} (pattern {}) is caught first by {}",
                sample, p.id, q.id
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn classify_never_panics(s in "\\PC{0,400}") {
            let _ = classify(&s);
        }

        #[test]
        fn a_pull_error_with_rate_limit_text_is_always_rate_limit(prefix in "[a-z :]{0,40}", suffix in "[a-z :]{0,40}") {
            let text = format!("CannotPullContainerError: {prefix} toomanyrequests {suffix}");
            proptest::prop_assert_eq!(class_of(&text).0, RegistryRateLimit);
        }
    }
}
