//! The report: the contract of DESIGN §4. Field names are stable: add, never rename.
//!
//! Every key is always present (absent values are `null`), so a consumer's JSON path
//! never silently disappears. Maps are `BTreeMap`s so that the same Facts give the
//! same bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

use crate::codes::Code;
use crate::stage::StageName;

/// The report layout version.
pub const SCHEMA_VERSION: &str = "1";

/// The outcome of a check, a stage or the whole diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Verified to be fine.
    Pass,
    /// Verified to be broken.
    Fail,
    /// Worth attention, not by itself a cause.
    Warn,
    /// Could not be decided (the detail says why). Never reported as PASS.
    Unknown,
    /// Did not run (the summary says why).
    Skipped,
}

impl Status {
    /// How bad a status is, for "the worst finding decides": FAIL > UNKNOWN > WARN > PASS > SKIPPED.
    /// UNKNOWN ranks above WARN because an undecided check must never let a stage look healthy.
    pub fn severity_rank(self) -> u8 {
        match self {
            Status::Skipped => 0,
            Status::Pass => 1,
            Status::Warn => 2,
            Status::Unknown => 3,
            Status::Fail => 4,
        }
    }

    /// The worst of several statuses; SKIPPED when there are none.
    pub fn worst(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses
            .into_iter()
            .max_by_key(|s| s.severity_rank())
            .unwrap_or(Status::Skipped)
    }

    /// The uppercase word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Unknown => "UNKNOWN",
            Status::Skipped => "SKIPPED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding matters to getting the task started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the task from starting.
    Critical,
    /// Very likely part of the failure.
    High,
    /// May contribute.
    Medium,
    /// Worth knowing.
    Low,
    /// Informational (passed checks).
    Info,
}

/// What the stop reason says went wrong: the `failureClass` vocabulary of DESIGN §4.
/// Classes may be added; none is renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureClass {
    /// The image pull could not reach the registry (or S3 for ECR layers).
    ImagePullNetwork,
    /// The repository, tag or digest does not exist.
    ImageNotFound,
    /// The registry refused the pull (403, AccessDenied, no credentials).
    ImageAccessDenied,
    /// Docker Hub (or another registry) rate-limited the pull.
    RegistryRateLimit,
    /// Secrets Manager or SSM could not be reached.
    SecretsNetwork,
    /// The execution role may not read a secret, parameter or its KMS key.
    SecretsAccessDenied,
    /// A referenced secret does not exist (or the reference is malformed).
    SecretNotFound,
    /// SSM said "invalid ssm parameters": a parameter is missing or misnamed.
    SsmParameterInvalid,
    /// The log driver could not start (log group missing, or CloudWatch unreachable).
    Logging,
    /// No container instance had the CPU, memory, ports or ENIs.
    PlacementResources,
    /// Placement constraints could not be met.
    PlacementConstraint,
    /// The container agent was disconnected.
    Agent,
    /// An EFS volume could not be mounted.
    Efs,
    /// The host (EC2) ran out of disk.
    DiskFull,
    /// A container did not reach RUNNING in time.
    Timeout,
    /// The image has no variant for the task's CPU architecture or OS.
    PlatformMismatch,
    /// ECS could not assume or use the cluster's infrastructure role (EBS volumes, Service
    /// Connect TLS, VPC Lattice, Managed Instances, Express services).
    InfrastructureRole,
    /// The task's subnet has no free IP address for its network interface
    /// (`InsufficientFreeAddressesInSubnet`).
    SubnetAddresses,
    /// Anything else, including reasons the catalogue does not know.
    Other,
}

impl FailureClass {
    /// Every class, for `explain` and for tests.
    pub const ALL: [FailureClass; 19] = [
        FailureClass::ImagePullNetwork,
        FailureClass::ImageNotFound,
        FailureClass::ImageAccessDenied,
        FailureClass::RegistryRateLimit,
        FailureClass::SecretsNetwork,
        FailureClass::SecretsAccessDenied,
        FailureClass::SecretNotFound,
        FailureClass::SsmParameterInvalid,
        FailureClass::Logging,
        FailureClass::PlacementResources,
        FailureClass::PlacementConstraint,
        FailureClass::Agent,
        FailureClass::Efs,
        FailureClass::DiskFull,
        FailureClass::Timeout,
        FailureClass::PlatformMismatch,
        FailureClass::InfrastructureRole,
        FailureClass::SubnetAddresses,
        FailureClass::Other,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::ImagePullNetwork => "image-pull-network",
            FailureClass::ImageNotFound => "image-not-found",
            FailureClass::ImageAccessDenied => "image-access-denied",
            FailureClass::RegistryRateLimit => "registry-rate-limit",
            FailureClass::SecretsNetwork => "secrets-network",
            FailureClass::SecretsAccessDenied => "secrets-access-denied",
            FailureClass::SecretNotFound => "secret-not-found",
            FailureClass::SsmParameterInvalid => "ssm-parameter-invalid",
            FailureClass::Logging => "logging",
            FailureClass::PlacementResources => "placement-resources",
            FailureClass::PlacementConstraint => "placement-constraint",
            FailureClass::Agent => "agent",
            FailureClass::Efs => "efs",
            FailureClass::DiskFull => "disk-full",
            FailureClass::Timeout => "timeout",
            FailureClass::PlatformMismatch => "platform-mismatch",
            FailureClass::InfrastructureRole => "infrastructure-role",
            FailureClass::SubnetAddresses => "subnet-addresses",
            FailureClass::Other => "other",
        }
    }
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One checked condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// What the check found.
    pub status: Status,
    /// How much it matters.
    pub severity: Severity,
    /// One line (the code's title).
    pub title: String,
    /// What exactly was found, in this account.
    pub detail: String,
    /// Resource and rule IDs that prove it.
    pub evidence: BTreeMap<String, Value>,
    /// The exact change to make (empty when nothing is to be done).
    pub remediation: String,
    /// Where to make the same change in the AWS Management Console, with this finding's resource IDs
    /// (`Console > page > ... > action`). Present beside every remediation of a finding that is not a
    /// PASS; absent otherwise (and in reports older than it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub console: String,
    /// Documentation links.
    pub docs: Vec<String>,
}

impl Finding {
    /// A finding with the code's own title and docs; detail, evidence and remediation are the caller's.
    pub fn new(
        code: Code,
        status: Status,
        severity: Severity,
        detail: impl Into<String>,
    ) -> Finding {
        let ex = code.explanation();
        Finding {
            code,
            status,
            severity,
            title: ex.title.to_string(),
            detail: detail.into(),
            evidence: BTreeMap::new(),
            remediation: String::new(),
            console: String::new(),
            docs: ex.docs.iter().map(|d| d.to_string()).collect(),
        }
    }

    /// Adds one piece of evidence (skipped when the value is null).
    pub fn evidence(mut self, key: &str, value: impl Into<Value>) -> Finding {
        let value = value.into();
        if !value.is_null() {
            self.evidence.insert(key.to_string(), value);
        }
        self
    }

    /// Sets the remediation.
    pub fn remediation(mut self, text: impl Into<String>) -> Finding {
        self.remediation = text.into();
        self
    }
}

/// One stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageResult {
    /// The stage.
    pub name: StageName,
    /// Its worst finding's status, or SKIPPED.
    pub status: Status,
    /// One sentence: what the stage concluded, or why it did not run.
    pub summary: String,
    /// The checks it made.
    pub findings: Vec<Finding>,
    /// Network stage: each destination's path, hop by hop (absent for other stages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathView>,
}

/// One destination's path as the network stage followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathView {
    /// The destination (`ecr.dkr`, `s3 (ECR layers)`, `registry-1.docker.io`).
    pub destination: String,
    /// Why the start needs it.
    pub why: String,
    /// How the traffic goes (`interface endpoint vpce-...`, `NAT gateway nat-...`).
    pub via: String,
    /// The worst hop.
    pub status: Status,
    /// The hops, in the order a packet meets them.
    pub hops: Vec<Hop>,
}

/// One hop of a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hop {
    /// `dns`, `route`, `sg-egress`, `nacl-out`, `endpoint-sg`, `nacl-return`, `gateway`, `policy`...
    pub layer: String,
    /// What this hop does to the traffic.
    pub status: Status,
    /// What was found, with the resource IDs.
    pub detail: String,
    /// The finding code this hop reports under, if any.
    pub code: Option<Code>,
}

impl StageResult {
    /// A stage that ran: its status is its worst finding's. Each finding with a fix gets its console
    /// path here, once its evidence is complete, so no judge has to remember it.
    pub fn ran(
        name: StageName,
        summary: impl Into<String>,
        mut findings: Vec<Finding>,
    ) -> StageResult {
        for f in &mut findings {
            if f.status != Status::Pass && !f.remediation.is_empty() && f.console.is_empty() {
                f.console = f.code.explanation().console_for(&f.evidence);
            }
        }
        let status = Status::worst(findings.iter().map(|f| f.status));
        StageResult {
            name,
            status,
            summary: summary.into(),
            findings,
            paths: vec![],
        }
    }

    /// A stage that did not run, and why.
    pub fn skipped(name: StageName, why: impl Into<String>) -> StageResult {
        StageResult {
            name,
            status: Status::Skipped,
            summary: why.into(),
            findings: vec![],
            paths: vec![],
        }
    }
}

/// The task as the report shows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSummary {
    /// Task ARN (or the reference given, when the task was not found).
    pub arn: Option<String>,
    /// Cluster ARN or name.
    pub cluster: Option<String>,
    /// Launch type.
    pub launch_type: Option<String>,
    /// Stop code.
    pub stop_code: Option<String>,
    /// Stopped reason.
    pub stopped_reason: Option<String>,
    /// Stop time.
    pub stopped_at: Option<String>,
    /// The class of failure the stop reason names (null when the task did not fail to start).
    pub failure_class: Option<FailureClass>,
    /// Last status.
    pub last_status: Option<String>,
    /// Task definition ARN.
    pub task_definition_arn: Option<String>,
}

/// The whole diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// The task.
    pub task: TaskSummary,
    /// The worst stage status.
    pub verdict: Status,
    /// The single finding that best explains the stop reason, if one was found.
    pub root_cause: Option<Code>,
    /// One sentence a person reads first.
    pub summary: String,
    /// The stages that were asked for, in order.
    pub stages: Vec<StageResult>,
}

impl Report {
    /// The finding named as root cause: the first finding of that code with the worst
    /// status (a FAIL; when nothing failed, the UNKNOWN or WARN finding that could not be
    /// verified, or the task stage's classification of the stop reason).
    pub fn root_finding(&self) -> Option<&Finding> {
        let code = self.root_cause?;
        let mut best: Option<&Finding> = None;
        for f in self.stages.iter().flat_map(|s| &s.findings) {
            if f.code == code
                && f.status != Status::Pass
                && best.is_none_or(|b| f.status.severity_rank() > b.status.severity_rank())
            {
                best = Some(f);
            }
        }
        best
    }
}

/// The sweep's summary: one line per group of repeated failed starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepSummary {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// The Region swept.
    pub region: String,
    /// The window's start (RFC 3339).
    pub from: Option<String>,
    /// The window's end (RFC 3339).
    pub to: String,
    /// The worst verdict of the groups diagnosed (SKIPPED when there was nothing to diagnose).
    pub status: Status,
    /// One sentence a person reads first.
    pub summary: String,
    /// The groups, largest first.
    pub groups: Vec<SweepGroupSummary>,
    /// What the sweep did not look at, and why: never silently.
    pub left_out: SweepLeftOut,
}

/// One group of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepGroupSummary {
    /// How many failed starts.
    pub count: usize,
    /// The earliest stop.
    pub first_seen: Option<String>,
    /// The latest stop.
    pub last_seen: Option<String>,
    /// The cluster of the example.
    pub cluster: String,
    /// The task diagnosed for the group.
    pub example_task: String,
    /// The shared task definition.
    pub task_definition: String,
    /// The shared failure class.
    pub failure_class: FailureClass,
    /// The shared subnets.
    pub subnet_ids: Vec<String>,
    /// The shared security groups, sorted; absent when unknown (DescribeTasks does not
    /// return them: they come from the service that started the tasks, or from a task ENI
    /// that still exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<Vec<String>>,
    /// The example's verdict (null when the group was not diagnosed).
    pub verdict: Option<Status>,
    /// The example's root cause.
    pub root_cause: Option<Code>,
    /// The example's summary, or why it was not diagnosed.
    pub summary: String,
}

/// What a sweep left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepLeftOut {
    /// Groups listed but not diagnosed (over the per-run bound).
    pub groups_not_diagnosed: usize,
    /// Stopped tasks that did not fail to start.
    pub stopped_for_other_reasons: usize,
    /// Failed starts before the window.
    pub outside_window: usize,
    /// Failed starts without a stop time (kept in their groups).
    pub undated: usize,
    /// Clusters whose stopped-task listing was cut at the bound.
    pub truncated_clusters: Vec<String>,
    /// Clusters listed but not swept at all (over the bound on clusters per sweep).
    #[serde(default)]
    pub clusters_not_swept: Vec<String>,
    /// Reads that failed, as `api: errorCode`.
    pub unreadable: Vec<String>,
}
