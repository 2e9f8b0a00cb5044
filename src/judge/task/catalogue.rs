//! The stop-reason catalogue: data, not a chain of ifs.
//!
//! ECS explains a failed start in free text (`stoppedReason`, and each container's
//! `reason`), and the wording changed over the years: Docker-era messages, containerd
//! messages from Fargate platform 1.4.0, and the agent's 2024+ wording that adds "There
//! is a connection issue between the task and ..." or "The task can’t pull the image.
//! Check ...". Each [`Pattern`] recognises one documented or observed message family
//! (sources: `shared/research/runbook.md` §2, `shared/research/field-2026-12.md` §2.4–2.8,
//! §3.6–3.9, and the comment beside each newer pattern).
//!
//! Patterns are ordered from most to least specific: the first match wins, and across
//! several texts (the task's reason and its containers') the earliest pattern wins, so a
//! container's precise "CannotPullContainerError ... toomanyrequests" beats the task's
//! bare "Task failed to start". Patterns that describe tasks which *did* start (an
//! essential container exited, a health check failed) sit at the end with
//! `start_failure: false`.
//!
//! What a pattern is matched against is the reason's *known text* ([`known_text`]):
//! lowercased, with typographic apostrophes made ASCII (the EC2 agent writes `can’t`,
//! U+2019), and, for a reason ECS cut short, without the cut word. ECS cuts reasons at
//! 255 characters: the first 252, then `...` (aws/containers-roadmap#1332). The last word
//! before the `...` may be the start of a longer word (`context ca...` was "context
//! canceled", `toomanyreq...` was "toomanyrequests"), so it is unknown text: no needle may
//! match on it, even a needle it happens to spell. A reason that ends in `...` but is
//! shorter than 255 characters was not cut, and is read whole.

use crate::report::FailureClass;
use FailureClass::*;

/// Bumped whenever a pattern is added, removed or reordered; shown in the evidence.
pub const CATALOGUE_VERSION: &str = "2026-12-03.1";

/// The length (in characters; bytes are accepted too, as AWS does not say which) of a
/// reason ECS cut short, `...` included.
pub const CUT_LENGTH: usize = 255;

/// What ECS appends to a reason it cut.
pub const CUT_MARK: &str = "...";

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
    /// Whether this pattern recognises a reason's known text ([`KnownText`]).
    fn matches(&self, known: &KnownText) -> bool {
        let lower = known.text.as_str();
        // A cut reason is never a whole message.
        if !known.cut && self.whole.contains(&lower.trim()) {
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

/// The part of a reason the catalogue reads: see [`known_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownText {
    /// Lowercased, apostrophes normalised, the cut tail removed.
    pub text: String,
    /// Whether ECS cut the reason short ([`is_cut`]).
    pub cut: bool,
}

/// Whether ECS cut `reason` short: it ends in [`CUT_MARK`] and is [`CUT_LENGTH`] long
/// (in characters or in bytes). A reason whose presigned-URL credentials were redacted
/// ([`crate::redact`]) was longer before, so when such a reason ends in `...` and is no
/// longer than [`CUT_LENGTH`] it is taken as cut: treating a whole word as unknown only
/// loses a match, treating a cut one as whole could invent one.
pub fn is_cut(reason: &str) -> bool {
    if !reason.ends_with(CUT_MARK) {
        return false;
    }
    let chars = reason.chars().count();
    chars == CUT_LENGTH
        || reason.len() == CUT_LENGTH
        || (chars <= CUT_LENGTH && crate::redact::was_redacted(reason))
}

/// Apostrophes the agents and consoles write, made ASCII: U+2019 (’, the EC2 agent's
/// `can’t`), U+2018 (‘), U+02BC (ʼ) and U+FF07 (＇).
pub fn normalise_apostrophes(text: &str) -> std::borrow::Cow<'_, str> {
    const CURLY: [char; 4] = ['\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}'];
    if text.contains(CURLY) {
        std::borrow::Cow::Owned(text.replace(CURLY, "'"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text patterns are matched against. For a cut reason ([`is_cut`]): the text before
/// the `...`, less its last word when nothing separates that word from the cut (the
/// trailing run of letters, digits and `_`), since it may be the start of a longer word.
/// Then apostrophes are normalised and the text lowercased.
pub fn known_text(reason: &str) -> KnownText {
    let cut = is_cut(reason);
    let kept = if cut {
        let head = &reason[..reason.len() - CUT_MARK.len()];
        head.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
    } else {
        reason
    };
    KnownText {
        text: normalise_apostrophes(kept).to_lowercase(),
        cut,
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
    // The EC2 agent's Docker-era ECR prefix (aws/amazon-ecs-agent#498:
    // "CannotPullECRContainerError: ThrottlingException: Rate exceeded").
    "cannotpullecrcontainererror",
    "pull image manifest has been retried",
    "ref pull has been retried",
    "inspect image has been retried",
    "error pulling image",
    // A container's reason can be the daemon's message alone, without a prefix
    // (`pull access denied for ..., repository does not exist or may require 'docker login'`).
    "pull access denied",
    // The 2024+ augmented pull messages: EC2 agent `The task can’t pull the image. Check ...`
    // (aws/amazon-ecs-agent agent/api/errormessages/error_messages.go @8dfceca), Fargate
    // `The task cannot pull ...` (field-2026-12.md §3.6).
    "the task can't pull the image",
    "the task cannot pull the image",
];
/// The 2024+ augmented pull messages only.
const PULL_2024: &[&str] = &[
    "the task can't pull the image",
    "the task cannot pull the image",
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
    // agent/asm/asm.go: "... The task can't retrieve the secret with ARN '<arn>' from AWS Secrets Manager."
    "from aws secrets manager",
    "connection issue between the task and aws secrets manager",
    "secretsmanager:getsecretvalue",
];
const SSM: &[&str] = &[
    "secrets from ssm",
    "secret from ssm",
    "connection issue between the task and aws systems manager",
    "ssm:getparameters",
    // agent/taskresource/ssmsecret/ssmsecret.go: "fetching secret data from SSM Parameter Store in <region>: <err>".
    "from ssm parameter store",
    "pull secrets from aws systems manager",
];
/// ECR answering a pull or a registry-auth call with "slow down": the API error
/// (`ThrottlingException: Rate exceeded`, aws/amazon-ecs-agent#498) or the registry's
/// (`TOOMANYREQUESTS: Rate exceeded`, ECR user guide "common errors", error 429).
const THROTTLED: &[&str] = &["throttlingexception", "rate exceeded", "throttling:"];

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
    // --- ECS's own role (before everything: its wording names other resources too) ---
    // docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-ebs-volumes-scenarios.html:
    // "ECS was unable to assume the configured ECS Infrastructure Role 'arn:...'. Please verify
    // that the role being passed has the proper trust relationship with Amazon ECS". The same
    // role serves EBS volumes, Service Connect TLS, VPC Lattice, Managed Instances and Express
    // services (infrastructure_IAM_role.html).
    // The role's session names (infrastructure_IAM_role.html) name it in an assumed-role ARN
    // of an AccessDenied message, whatever the role is called.
    p!("infrastructure-role.unusable", markers: &["infrastructure role", "infrastructurerole", "ecstaskvolumesforebs",
                                                  "ecsmanagedinstancesforcompute", "ecsserviceconnectfortls", "ecsnetworkingwithvpclattice"],
       details: &["unable to assume", "could not assume", "cannot assume", "can't assume", "failed to assume",
                  "trust relationship", "not authorized", "accessdenied", "access denied", "iam:passrole"],
       InfrastructureRole, true, Wording::Any,
       "ECS could not assume or use the cluster's infrastructure role (EBS volumes, Service Connect TLS, VPC Lattice, Managed Instances, Express services)"),
    // --- Permissions (before network: a denied call also "failed to fetch") ---
    p!("registry-auth-asm.access-denied", markers: &["registry auth from asm"], details: DENIED,
       SecretsAccessDenied, true, Wording::Classic,
       "the execution role may not read the private-registry credentials secret"),
    p!("kms.access-denied", markers: &["kms:decrypt"], details: &[],
       SecretsAccessDenied, true, Wording::Any,
       "the execution role may not use the KMS key that encrypts a secret or parameter"),
    // agent/taskresource/{asmsecret,ssmsecret,asmauth}: "... resource: unable to find execution role credentials".
    p!("execution-role.missing", markers: &["unable to find execution role credentials"], details: &[],
       SecretsAccessDenied, true, Wording::Any,
       "the task references secrets or registry credentials but has no usable task execution role"),
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
    // The EC2 agent: "fetching secret data from SSM Parameter Store in <region>: invalid parameters: <names>"
    // (agent/taskresource/ssmsecret/ssmsecret.go and agent/ssm/ssm.go @8dfceca).
    p!("ssm.invalid-parameters-ec2", markers: SSM, details: &["invalid parameters", "parameternotfound"],
       SsmParameterInvalid, true, Wording::Any,
       "an SSM parameter named in the task definition does not exist (or is in another Region without a full ARN)"),
    p!("asm.version-id-invalid", markers: &["getsecretvalueinput.versionid", "minimum field size of 32"], details: &[],
       SecretNotFound, true, Wording::Classic,
       "a Secrets Manager valueFrom has a malformed version-id field"),
    // agent/taskresource/asmsecret/asmsecret.go: "an invalid ARN format for the AWS Secrets Manager
    // secret was specified. Specify a valid ARN and try again."
    p!("asm.invalid-arn", markers: &["invalid arn format for the aws secrets manager secret"], details: &[],
       SecretNotFound, true, Wording::Any,
       "a Secrets Manager valueFrom is not a valid secret ARN"),
    // agent/asm/asm.go: "retrieved secret from Secrets Manager did not contain json key <key>".
    p!("asm.json-key", markers: &["did not contain json key"], details: &[],
       SecretNotFound, true, Wording::Any,
       "a Secrets Manager valueFrom names a JSON key the secret does not have"),
    // agent/asm/asm.go: "asm fetching authorization data: unable to unmarshal secret value, invalid
    // schema", "asm fetching username: AuthorizationData is malformed, empty field", "... empty secrets value".
    p!("registry-auth-asm.malformed", markers: &["asm fetching authorization data", "authorizationdata is malformed"], details: &[],
       SecretNotFound, true, Wording::Any,
       "the private-registry credentials secret is not JSON with non-empty \"username\" and \"password\""),
    // agent/asm/asm.go: "ResourceNotFoundException: The task can't retrieve the secret with ARN '<arn>'
    // from AWS Secrets Manager. Check whether the secret exists in the specified Region".
    p!("asm.not-found", markers: &["secret from asm", "secrets from asm", "from secrets manager", "from aws secrets manager",
                                   "registry auth from asm", "secrets manager can", "the task can't retrieve the secret"],
       details: &["resourcenotfoundexception", "can't find the specified secret", "check whether the secret exists"],
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
    // --- ECR throttling (before the network patterns: a throttled call also "failed") ---
    // aws/amazon-ecs-agent#498 ("CannotPullECRContainerError: ThrottlingException: Rate exceeded",
    // GetAuthorizationToken); ECR user guide, common errors ("TOOMANYREQUESTS: Rate exceeded").
    p!("ecr.throttled", markers: &["ecr registry auth", "registry auth from amazon ecr", "ecr: getauthorizationtoken", "ecr:getauthorizationtoken",
                                   "cannotpullecrcontainererror", "cannotpullcontainererror", "cannotpullimagemanifesterror",
                                   "pull image manifest has been retried", "ref pull has been retried", "inspect image has been retried",
                                   "the task can't pull the image", "the task cannot pull the image"],
       details: THROTTLED,
       RegistryRateLimit, true, Wording::Any,
       "ECR throttled the pull or the registry-token call (too many pulls or GetAuthorizationToken calls at once)"),
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
    // The 2024+ augmented messages say what they mean (error_messages.go @8dfceca); their raw
    // tail repeats the daemon's text, which alone would read otherwise ("Check whether the
    // image exists" carries "pull access denied ... denied: requested access ...").
    p!("pull.2024-access-denied", markers: PULL_2024, details: &["check that the role has the permissions"],
       ImageAccessDenied, true, Wording::Agent2024,
       "the execution role (or instance role) may not pull the image: ecr:BatchGetImage is denied"),
    p!("pull.2024-not-found", markers: PULL_2024, details: &["check whether the image exists"],
       ImageNotFound, true, Wording::Agent2024,
       "the repository does not exist, or the image URI has a typo"),
    p!("pull.2024-network", markers: PULL_2024, details: &["check your network configuration", "check your task network configuration"],
       ImagePullNetwork, true, Wording::Agent2024,
       "the pull could not reach the registry"),
    // Pull-through cache (aws/containers-roadmap#2354): "denied: The authentication to the upstream
    // registry failed. Verify that the credentials provided in the pull through cache rule are correct".
    p!("pull.upstream-auth", markers: &["authentication to the upstream registry failed", "credentials provided in the pull through cache rule"],
       details: &[], ImageAccessDenied, true, Wording::Any,
       "ECR's pull-through cache could not log in to the upstream registry: the rule's Secrets Manager credentials are wrong"),
    p!("pull.invalid-reference", markers: PULL, details: &["invalid reference format"],
       ImageNotFound, true, Wording::Any,
       "the image reference does not parse, so it names no image at all"),
    p!("pull.rate-limit", markers: PULL, details: &["toomanyrequests", "too many requests", "pull rate limit"],
       RegistryRateLimit, true, Wording::Any,
       "the registry (usually Docker Hub) rate-limited anonymous or free-tier pulls"),
    // A container's reason can be the registry's answer alone: "toomanyrequests: You have reached
    // your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit".
    p!("registry.rate-limit", markers: &["toomanyrequests", "you have reached your pull rate limit"], details: &[],
       RegistryRateLimit, true, Wording::Any,
       "the registry (usually Docker Hub) rate-limited anonymous or free-tier pulls"),
    // Fargate ephemeral storage (field-2026-12.md §2.8, §3.6): "ref pull has been retried 1 time(s): failed to
    // extract layer sha256:…: write /var/lib/containerd/…: no space left on device: unknown" (anomalyco/sst#3542);
    // Windows "hcsshim::ImportLayer - failed failed in Win32: There is not enough space on the disk. (0x70)"
    // (aws/containers-roadmap#1598).
    p!("pull.storage-full", markers: &["failed to extract layer", "hcsshim::importlayer", "failed to register layer"],
       details: &["no space left on device", "not enough space on the disk"],
       DiskFull, true, Wording::Any,
       "the task's storage (Fargate ephemeral storage, or the host's disk) filled up while unpacking the image layers"),
    p!("pull.disk-full", markers: PULL, details: &["no space left on device", "not enough space on the disk"],
       DiskFull, true, Wording::Classic,
       "the host ran out of disk while writing image layers"),
    p!("pull.platform", markers: PULL, details: &["no matching manifest", "does not contain descriptor matching platform", "matching platform",
                                                  "cannot be used on this platform"],
       PlatformMismatch, true, Wording::Any,
       "the image has no variant for the task's CPU architecture or operating system"),
    // The daemon's "denied: requested access to the resource is denied" is what the agent
    // augments to "Check whether the image exists" (error_messages.go @8dfceca): the repository
    // is missing or misspelled.
    p!("pull.repository-missing", markers: PULL, details: &["requested access to the resource is denied"],
       ImageNotFound, true, Wording::Any,
       "the repository does not exist, or the image URI has a typo"),
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
    // containerd renamed httpReaderSeeker to httpReadSeeker; both are seen.
    p!("pull.reader-failed", markers: PULL, details: &["httpreaderseeker: failed open", "httpreadseeker: failed open"],
       ImageAccessDenied, true, Wording::Classic,
       "the registry answered the layer request with an error status: usually no access to the image"),
    p!("pull.generic", markers: PULL, details: &[],
       ImagePullNetwork, true, Wording::Any,
       "the image could not be pulled (documented generic form: the ECR endpoint could not be reached)"),
    // --- The host ---
    p!("host.thin-pool", markers: &["thin pool", "devmapper"], details: &[],
       DiskFull, true, Wording::Classic,
       "the EC2 host's Docker thin pool is full"),
    p!("host.no-space", markers: &["no space left on device", "not enough space on the disk"], details: &[],
       DiskFull, true, Wording::Any,
       "the EC2 host ran out of disk"),
    // --- The task's subnet ---
    // field-2026-12.md §3.9 (nabu #1259): Fargate tasks that reach PROVISIONING in a subnet with no
    // free address stop with "InsufficientFreeAddressesInSubnet" (the EC2 error code; full wording UNCONFIRMED).
    p!("subnet.no-free-addresses", markers: &["insufficientfreeaddressesinsubnet", "insufficient free addresses in subnet",
                                              "no free addresses in subnet", "not enough free addresses"],
       details: &[], SubnetAddresses, true, Wording::Any,
       "the task's subnet has no free IP address left for the task's network interface"),
    // aws/amazon-ecs-agent#4825: "Timeout waiting for network interface provisioning to complete."
    // (the task ENI was not attached and acknowledged in time).
    p!("eni.provisioning-timeout", markers: &["waiting for network interface provisioning"], details: &[],
       Timeout, true, Wording::Any,
       "the task's network interface was not provisioned and attached in time"),
    // --- Placement (RunTask failures and service events) ---
    p!("placement.resources", markers: &["resource:cpu", "resource:memory", "resource:ports", "resource:eni", "resource:gpu", "resource:fargate",
                                         "no container instance met all of its requirements", "no container instances were found",
                                         "capacity is unavailable at this time"],
       details: &[], PlacementResources, true, Wording::Any,
       "no container instance (or Fargate capacity) had the CPU, memory, ports or ENIs the task needs"),
    // Fargate and account quotas (service event messages, field-2026-12.md §3.1).
    p!("placement.quota", markers: &["reached the limit on the number of tasks you can run concurrently",
                                     "reached the limit on the number of vcpus you can run concurrently",
                                     "cpu configuration is above your limit", "memory configuration is above your limit",
                                     "tasks provisioning capacity limit was exceeded"],
       details: &[], PlacementResources, true, Wording::Any,
       "an account quota (concurrent tasks or vCPUs, Fargate CPU or memory, tasks in PROVISIONING) stopped the launch"),
    p!("placement.constraint", markers: &["placement constraint unsatisfied", "placement constraint"], details: &[],
       PlacementConstraint, true, Wording::Any,
       "no container instance satisfies the placement constraints"),
    // api_failures_messages.html: "ATTRIBUTE (container instance ID)": no instance has an
    // attribute the task requires.
    Pattern {
        id: "placement.attribute",
        markers: &["taskfailedtostart: attribute", "missing required attribute"],
        details: &[],
        whole: &["attribute"],
        class: PlacementConstraint,
        start_failure: true,
        wording: Wording::Any,
        meaning: "no container instance has an attribute the task requires (a platform capability, or the awsvpc subnet)",
    },
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
    // --- EBS volumes ECS manages (troubleshoot-ebs-volumes-scenarios.html) ---
    p!("ebs.setup", markers: &["ecs failed to set up the ebs volume", "timed out while configuring the ebs volume attachment"], details: &[],
       Other, true, Wording::Any,
       "ECS could not create or attach the task's EBS volume (an unusable KMS key, or a file system type the task's OS cannot mount)"),
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
/// The text is read as [`known_text`] makes it: apostrophes normalised, lowercased, and
/// the cut word of a reason ECS cut short left out.
pub fn classify(text: &str) -> Option<(usize, &'static Pattern)> {
    let known = known_text(text);
    PATTERNS.iter().enumerate().find(|(_, p)| p.matches(&known))
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
        // field-2026-12.md §3.6: the EC2 agent's augmented pull messages, verbatim from
        // aws/amazon-ecs-agent agent/api/errormessages/error_messages_test.go @8dfceca (U+2019).
        (
            "CannotPullContainerError: The task can\u{2019}t pull the image. Check that the role has the permissions to pull images from the registry. Error response from daemon: pull access denied for 123123123123.dkr.ecr.us-east-1.amazonaws.com/my_image, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123123123123:assumed-role/MyBrokenRole/xyz is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123123123123:repository/test_image because no identity-based policy allows the ecr:BatchGetImage action",
            ImageAccessDenied,
        ),
        (
            "CannotPullContainerError: The task can\u{2019}t pull the image. Check whether the image exists. Error response from daemon: pull access denied for some/nonsense, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
            ImageNotFound,
        ),
        (
            "CannotPullContainerError: The task can\u{2019}t pull the image. Check your network configuration. RequestError: send request failed\ncaused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
            ImagePullNetwork,
        ),
        // The same as a container's reason without the prefix, and Fargate's "cannot".
        (
            "The task can\u{2019}t pull the image. Check whether the image exists. Error response from daemon: pull access denied for some/nonsense, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
            ImageNotFound,
        ),
        (
            "The task cannot pull the image. Check that the role has the permissions to pull images from the registry. denied: User: arn:aws:sts::123456789012:assumed-role/execRole/abc is not authorized to perform: ecr:BatchGetImage",
            ImageAccessDenied,
        ),
        (
            "CannotPullContainerError: The task cannot pull the image. Check your network configuration. dial tcp 10.0.1.5:443: i/o timeout",
            ImagePullNetwork,
        ),
        // Curly apostrophes of other kinds, and the plain one.
        (
            "The task can\u{2018}t pull the image. Check whether the image exists. x",
            ImageNotFound,
        ),
        (
            "The task can\u{02BC}t pull the image. Check your network configuration. x",
            ImagePullNetwork,
        ),
        (
            "The task can't pull the image. Check that the role has the permissions to pull images from the registry. x",
            ImageAccessDenied,
        ),
        // Older agents: the daemon's "requested access ... denied" is a missing repository.
        (
            "CannotPullContainerError: Error response from daemon: pull access denied for some/nonsense, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
            ImageNotFound,
        ),
        // A container's reason can be the daemon's or the registry's text alone.
        (
            "pull access denied for 123456789012.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123456789012:assumed-role/r/x is not authorized to perform: ecr:BatchGetImage",
            ImageAccessDenied,
        ),
        (
            "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
            RegistryRateLimit,
        ),
        (
            "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
            RegistryRateLimit,
        ),
        // ECR throttling: aws/amazon-ecs-agent#498; ECR user guide "common errors" (429).
        (
            "CannotPullECRContainerError: ThrottlingException: Rate exceeded\n\tstatus code: 400, request id: 75567eb3-6abb-11e6-9d4c-cb4ccd1cee97",
            RegistryRateLimit,
        ),
        (
            "CannotPullContainerError: Error response from daemon: toomanyrequests: Rate exceeded",
            RegistryRateLimit,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): ThrottlingException: Rate exceeded",
            RegistryRateLimit,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3, https response error StatusCode: 400, RequestID: 1, api error ThrottlingException: Rate exceeded",
            RegistryRateLimit,
        ),
        // ASM and SSM, agent source @8dfceca (field-2026-12.md §3.6).
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): ResourceNotFoundException: The task can't retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' from AWS Secrets Manager. Check whether the secret exists in the specified Region",
            SecretNotFound,
        ),
        (
            "ResourceNotFoundException: The task can't retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' from AWS Secrets Manager. Check whether the secret exists in the specified Region",
            SecretNotFound,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key password",
            SecretNotFound,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching authorization data: unable to unmarshal secret value, invalid schema",
            SecretNotFound,
        ),
        (
            "asm fetching username: AuthorizationData is malformed, empty field",
            SecretNotFound,
        ),
        (
            "an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.",
            SecretNotFound,
        ),
        (
            "fetching secret data from SSM Parameter Store in us-east-1: invalid parameters: /app/db-password",
            SsmParameterInvalid,
        ),
        (
            "fetching secret data from SSM Parameter Store in us-east-1: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/execRole/abc is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123456789012:parameter/app/db",
            SecretsAccessDenied,
        ),
        (
            "fetching secret data from SSM Parameter Store in us-east-1: RequestError: send request failed caused by: Post \"https://ssm.us-east-1.amazonaws.com/\": dial tcp 10.0.0.9:443: i/o timeout",
            SecretsNetwork,
        ),
        (
            "ssm secret resource: unable to find execution role credentials",
            SecretsAccessDenied,
        ),
        // Storage (field-2026-12.md §2.8, §3.6).
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to extract layer sha256:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/54/fs/usr/lib/libx.so: no space left on device: unknown",
            DiskFull,
        ),
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to extract layer sha256:abc: hcsshim::ImportLayer - failed failed in Win32: There is not enough space on the disk. (0x70)",
            DiskFull,
        ),
        // Pull-through cache (aws/containers-roadmap#2354).
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/org/app:1: unexpected status from HEAD request: denied: The authentication to the upstream registry failed. Verify that the credentials provided in the pull through cache rule are correct, and try again.",
            ImageAccessDenied,
        ),
        (
            "denied: The authentication to the upstream registry failed. Verify that the credentials provided in the pull through cache rule are correct, and try again.",
            ImageAccessDenied,
        ),
        // Subnet exhaustion (field-2026-12.md §3.9) and ENI provisioning (aws/amazon-ecs-agent#4825).
        ("InsufficientFreeAddressesInSubnet", SubnetAddresses),
        // EC2's own message for the code (the stop reason's full wording is UNCONFIRMED).
        (
            "TaskFailedToStart: InsufficientFreeAddressesInSubnet: There are not enough free addresses in subnet 'subnet-0abc' to satisfy the requested number of instances.",
            SubnetAddresses,
        ),
        (
            "Timeout waiting for network interface provisioning to complete.",
            Timeout,
        ),
        // The ECS infrastructure role (troubleshoot-ebs-volumes-scenarios.html).
        (
            "ECS was unable to assume the configured ECS Infrastructure Role 'arn:aws:iam::111122223333:role/ecsInfrastructureRole'. Please verify that the role being passed has the proper trust relationship with Amazon ECS",
            InfrastructureRole,
        ),
        (
            "ECS failed to set up the EBS volume. Encountered IdempotentParameterMismatch\"; \"The client token you have provided is associated with a resource that is already deleted. Please use a different client token.\"",
            Other,
        ),
        (
            "ECS timed out while configuring the EBS volume attachment to your Task",
            Other,
        ),
        // Fargate capacity (field-2026-12.md §3.1, §3.3).
        (
            "Capacity is unavailable at this time. Please try again later or in a different availability zone",
            PlacementResources,
        ),
        // Quotas and attributes (field-2026-12.md §3.1; api_failures_messages.html).
        (
            "You\u{2019}ve reached the limit on the number of vCPUs you can run concurrently",
            PlacementResources,
        ),
        (
            "You've reached the limit on the number of tasks you can run concurrently",
            PlacementResources,
        ),
        ("ATTRIBUTE", PlacementConstraint),
        ("TaskFailedToStart: ATTRIBUTE", PlacementConstraint),
        // The infrastructure role named by its session in an AccessDenied (infrastructure_IAM_role.html).
        (
            "User: arn:aws:sts::123456789012:assumed-role/my-infra/ECSManagedInstancesForCompute is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app-instance-role",
            InfrastructureRole,
        ),
        (
            "TaskFailedToStart: Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet 'subnet-0abc': InsufficientFreeAddressesInSubnet",
            SubnetAddresses,
        ),
        // containerd's newer spelling of httpReaderSeeker.
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: unexpected status code https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/blobs/sha256:abc: 400 Bad Request",
            ImageAccessDenied,
        ),
        (
            "CannotPullContainerError: image operating system \"windows\" cannot be used on this platform",
            PlatformMismatch,
        ),
        // A presigned layer URL, redacted at collect time, still classifies.
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/abc?X-Amz-Security-Token=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED\": dial tcp 52.217.139.160:443: i/o timeout",
            ImagePullNetwork,
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

    /// `start`, spaces, then `end`, cut as ECS cuts: 252 characters and `...`.
    fn cut(start: &str, end: &str) -> String {
        let pad = 252 - start.chars().count() - end.chars().count();
        let text = format!("{start}{}{end}...", " ".repeat(pad));
        assert_eq!(text.chars().count(), CUT_LENGTH);
        text
    }

    fn id_of(text: &str) -> Option<&'static str> {
        classify(text).map(|(_, p)| p.id)
    }

    #[test]
    fn the_cut_word_of_a_cut_reason_makes_no_match() {
        // field-2026-12.md §3.7's observed cut reason: "context ca..." was "context canceled".
        let r = cut(
            "CannotPullContainerError: containerd: pull command failed: ",
            "error=\"failed to extract layer sha256:0f0f: context ca",
        );
        assert!(is_cut(&r));
        assert_eq!(id_of(&r), Some("pull.generic"), "not pull.network");
        assert!(known_text(&r).text.ends_with("context "));
        // Even a word that happens to be whole is unknown once cut: it could go on.
        let r = cut("CannotPullContainerError: ", "context canceled");
        assert_eq!(id_of(&r), Some("pull.generic"));
        let r = cut("CannotPullContainerError: ", "toomanyreq");
        assert_ne!(class_of(&r).0, RegistryRateLimit);
        let r = cut("CannotPullContainerError: ", "toomanyrequests");
        assert_ne!(class_of(&r).0, RegistryRateLimit);
        let r = cut("", "toomanyreq");
        assert_eq!(id_of(&r), None);
        // What is before the cut word still counts, punctuation included.
        let r = cut(
            "CannotPullContainerError: toomanyrequests: ",
            "You have reached your pu",
        );
        assert_eq!(class_of(&r).0, RegistryRateLimit);
        let r = cut(
            "CannotPullContainerError: error pulling image configuration: Get https://prod-us-east-1-starport-layer-bucket.s3.amaz",
            "",
        );
        assert_eq!(id_of(&r), Some("pull.layer-bucket"));
    }

    #[test]
    fn only_a_reason_of_exactly_the_cut_length_ending_in_the_mark_is_cut() {
        // Short reasons that merely end in "..." are read whole.
        let short = "CannotPullContainerError: context canceled...";
        assert!(!is_cut(short));
        assert_eq!(id_of(short), Some("pull.network"));
        assert_eq!(
            class_of("CannotPullContainerError: toomanyrequests...").0,
            RegistryRateLimit
        );
        assert_eq!(class_of("Task failed to start").0, Timeout);
        // 255 characters not ending in "...": whole.
        let whole = format!(
            "{}context canceled",
            "CannotPullContainerError: ".to_string() + &" ".repeat(255 - 26 - 16)
        );
        assert_eq!(whole.chars().count(), 255);
        assert!(!is_cut(&whole));
        assert_eq!(id_of(&whole), Some("pull.network"));
        // 254 and 256 characters ending in "...": not what ECS writes, read whole.
        for n in [254, 256] {
            let t = format!(
                "CannotPullContainerError: {}context canceled...",
                " ".repeat(n - 26 - 19)
            );
            assert_eq!(t.chars().count(), n);
            assert!(!is_cut(&t), "{n}");
            assert_eq!(id_of(&t), Some("pull.network"), "{n}");
        }
        // 255 bytes with fewer characters (AWS does not say which it counts): cut too.
        let t = format!(
            "CannotPullContainerError: can\u{2019}t {}context canceled...",
            " ".repeat(255 - 26 - 8 - 19)
        );
        assert_eq!(t.len(), 255);
        assert!(t.chars().count() < 255);
        assert!(is_cut(&t));
        assert_eq!(id_of(&t), Some("pull.generic"));
        // A cut reason is never a whole message.
        let t = cut("", "task failed to start");
        assert_eq!(id_of(&t), None);
    }

    #[test]
    fn a_redacted_reason_ending_in_the_mark_may_have_been_cut() {
        // The token was cut, then redacted: the text is now short, but its last word is still unknown.
        let t = "CannotPullContainerError: error pulling image configuration: Get https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/abc?X-Amz-Security-Token=REDACTED...";
        assert!(t.chars().count() < CUT_LENGTH);
        assert!(is_cut(t));
        assert_eq!(id_of(t), Some("pull.layer-bucket"));
        // Not redacted: read whole.
        assert!(!is_cut(
            "CannotPullContainerError: Get https://x/abc?X-Amz-Date=1..."
        ));
    }

    #[test]
    fn apostrophes_are_normalised_before_matching() {
        for a in ['\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}', '\''] {
            let text =
                format!("The task can{a}t pull the image. Check whether the image exists. x");
            assert_eq!(class_of(&text).0, ImageNotFound, "{a:?}");
            assert_eq!(
                normalise_apostrophes(&text),
                "The task can't pull the image. Check whether the image exists. x"
            );
        }
        assert!(matches!(
            normalise_apostrophes("plain"),
            std::borrow::Cow::Borrowed("plain")
        ));
    }

    #[test]
    fn no_needle_holds_a_typographic_apostrophe() {
        // The text is normalised to ASCII apostrophes, so such a needle could never match.
        for p in PATTERNS {
            for n in p.markers.iter().chain(p.details).chain(p.whole) {
                assert!(
                    !n.contains(['\u{2019}', '\u{2018}', '\u{02BC}', '\u{FF07}']),
                    "{}: {n:?}",
                    p.id
                );
            }
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

        /// Cutting a reason never creates a match: whatever pattern recognises the cut text
        /// also recognises the whole one.
        #[test]
        fn a_cut_reason_matches_nothing_its_whole_text_does_not(
            words in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("CannotPullContainerError:".to_string()),
                proptest::strategy::Just("context canceled".to_string()),
                proptest::strategy::Just("toomanyrequests".to_string()),
                proptest::strategy::Just("no space left on device".to_string()),
                proptest::strategy::Just("unable to retrieve secret from asm".to_string()),
                proptest::strategy::Just("AccessDeniedException".to_string()),
                proptest::strategy::Just("not found".to_string()),
                proptest::strategy::Just("i/o timeout".to_string()),
                "[a-z0-9:/.\"' ]{1,12}",
            ], 20..80),
        ) {
            let full = words.join(" ");
            proptest::prop_assume!(full.chars().count() > CUT_LENGTH);
            let head: String = full.chars().take(CUT_LENGTH - CUT_MARK.len()).collect();
            let cut = format!("{head}{CUT_MARK}");
            proptest::prop_assert!(is_cut(&cut));
            if let Some((_, p)) = classify(&cut) {
                proptest::prop_assert!(p.matches(&known_text(&full)), "{} matches the cut {cut:?} but not {full:?}", p.id);
            }
        }

        #[test]
        fn a_pull_error_with_rate_limit_text_is_always_rate_limit(prefix in "[a-z :]{0,40}", suffix in "[a-z :]{0,40}") {
            let text = format!("CannotPullContainerError: {prefix} toomanyrequests {suffix}");
            proptest::prop_assert_eq!(class_of(&text).0, RegistryRateLimit);
        }
    }
}
