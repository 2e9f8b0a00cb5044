//! collect: the only code that talks to AWS.
//!
//! It reads what the selected stages need and turns every answer, error included, into
//! [`Facts`]. An AWS error is never a crash and never a silent gap: it becomes a
//! [`Readable::Unreadable`](crate::facts::Readable) fact with the API and the error code,
//! which judge reports as UNKNOWN.

pub mod budget;
mod cache;
mod changes;
pub(crate) mod cloudtrail;
mod ecr;
mod ecs;
mod error;
mod iam;
mod logs;
mod network;
mod placement;
mod secrets;
mod shared;
pub mod sweep;

use std::sync::{Arc, OnceLock};

use aws_config::SdkConfig;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use crate::facts::{FACTS_VERSION, Facts, Readable, RequestFacts, TaskLookup, TaskSource};
use crate::request::{DiagnoseRequest, Target};
use crate::stage::StageName;

pub use cache::Cache;
pub use ecs::{task_definition_facts, task_facts, task_lookup};
pub use error::unreadable;

/// The SDK app name every request of the tool carries in its user agent
/// (`app/ecs-task-doctor`): CloudTrail's `userAgent` then tells the tool's reads apart from
/// everything else in the account, and the test harness checks each of them against the
/// read-only allowlist (tests/support/tool-operations.txt).
pub const APP_NAME: &str = "ecs-task-doctor";

/// `conf` with [`APP_NAME`] as its app name.
pub fn with_app_name(conf: &SdkConfig) -> SdkConfig {
    conf.to_builder()
        .app_name(aws_config::AppName::new(APP_NAME).expect("a valid app name"))
        .build()
}

/// The AWS clients, built once per process (per Lambda container) and shared by every run.
///
/// Each service's client is built on first use, from one configuration: a run that never
/// needs EFS or KMS never builds their clients, and a Lambda container's init does not pay for
/// any of them (benches/process.rs measures both). Cloning shares the clients.
#[derive(Debug, Clone)]
pub struct Clients(Arc<ClientsInner>);

#[derive(Debug)]
struct ClientsInner {
    /// The configuration every client is built from: the caller's, with the call policy and
    /// the app name applied.
    conf: SdkConfig,
    ecs: OnceLock<aws_sdk_ecs::Client>,
    ec2: OnceLock<aws_sdk_ec2::Client>,
    ssm: OnceLock<aws_sdk_ssm::Client>,
    ecr: OnceLock<aws_sdk_ecr::Client>,
    iam: OnceLock<aws_sdk_iam::Client>,
    secretsmanager: OnceLock<aws_sdk_secretsmanager::Client>,
    kms: OnceLock<aws_sdk_kms::Client>,
    logs: OnceLock<aws_sdk_cloudwatchlogs::Client>,
    efs: OnceLock<aws_sdk_efs::Client>,
    cloudtrail: OnceLock<aws_sdk_cloudtrail::Client>,
    /// The turns of `cloudtrail:LookupEvents` (two per second per account and Region): one
    /// limiter for every run this process makes.
    lookup_limiter: cloudtrail::TurnLimiter,
    /// Documents of IAM managed-policy versions already read by this process.
    policy_versions: PolicyVersions,
}

/// Documents of IAM managed-policy versions, kept for the life of the process (a Lambda
/// container serves many invocations). A version never changes once created (IAM makes a new
/// version for every edit), so a document read once is the document: the next diagnosis still
/// asks GetPolicy which version is the default, but reads the document only for a version it
/// has not seen, which takes GetPolicyVersion off its critical path. Bounded: at most
/// [`PolicyVersions::CAPACITY`] documents (IAM caps a document at 6,144 characters).
#[derive(Debug, Clone, Default)]
pub struct PolicyVersions(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
);

impl PolicyVersions {
    /// How many documents are kept; when full, new ones are not added.
    pub const CAPACITY: usize = 512;

    fn key(arn: &str, version: &str) -> String {
        format!("{arn}#{version}")
    }

    /// The document of `arn` at `version`, if this process has read it.
    pub fn get(&self, arn: &str, version: &str) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&Self::key(arn, version))
            .cloned()
    }

    /// Keeps the document of `arn` at `version`.
    pub fn put(&self, arn: &str, version: &str, document: &str) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() < Self::CAPACITY {
            map.insert(Self::key(arn, version), document.to_string());
        }
    }
}

/// Builds one service's client from `conf`, with its own retry quota (see
/// [`Clients::with_policy`]).
macro_rules! client {
    ($sdk:ident, $conf:expr) => {{
        use $sdk::config::retry::{RetryPartition, TokenBucket};
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($conf)
                .retry_partition(
                    RetryPartition::custom(stringify!($sdk))
                        .token_bucket(TokenBucket::default())
                        .build(),
                )
                .build(),
        )
    }};
}

impl Clients {
    /// Builds every client from one shared configuration (Region, credentials, endpoint),
    /// with the stated retry and timeout policy ([`budget::CallPolicy::STANDARD`]) and the
    /// budget-aware sleep that keeps every call inside a run's deadline.
    pub fn new(conf: &SdkConfig) -> Clients {
        Clients::with_policy(conf, &budget::CallPolicy::STANDARD)
    }

    /// [`Clients::new`] with another call policy (a test's shorter timeouts). The deadline
    /// still applies: every client sleeps through [`budget::BudgetSleep`].
    ///
    /// Each client also gets its own retry quota (the SDK's standard token bucket: 500
    /// tokens, 5 per retry, 10 per retry after a timeout, refilled by successes) instead of the
    /// process-wide one the SDK shares by service name: when an account's API is failing,
    /// retries stop once this run's quota is spent rather than multiplying the load, and two
    /// engines in one process (a test's, or a future multi-Region sweep's) cannot spend each
    /// other's quota.
    pub fn with_policy(conf: &SdkConfig, policy: &budget::CallPolicy) -> Clients {
        Clients(Arc::new(ClientsInner {
            conf: with_app_name(&policy.apply(conf)),
            ecs: OnceLock::new(),
            ec2: OnceLock::new(),
            ssm: OnceLock::new(),
            ecr: OnceLock::new(),
            iam: OnceLock::new(),
            secretsmanager: OnceLock::new(),
            kms: OnceLock::new(),
            logs: OnceLock::new(),
            efs: OnceLock::new(),
            cloudtrail: OnceLock::new(),
            lookup_limiter: cloudtrail::TurnLimiter::default(),
            policy_versions: PolicyVersions::default(),
        }))
    }

    /// Amazon ECS.
    pub fn ecs(&self) -> &aws_sdk_ecs::Client {
        self.0
            .ecs
            .get_or_init(|| client!(aws_sdk_ecs, &self.0.conf))
    }

    /// Amazon EC2 (the network stage).
    pub fn ec2(&self) -> &aws_sdk_ec2::Client {
        self.0
            .ec2
            .get_or_init(|| client!(aws_sdk_ec2, &self.0.conf))
    }

    /// Systems Manager (parameters referenced by the task).
    pub fn ssm(&self) -> &aws_sdk_ssm::Client {
        self.0
            .ssm
            .get_or_init(|| client!(aws_sdk_ssm, &self.0.conf))
    }

    /// Amazon ECR (repositories, images, repository policies).
    pub fn ecr(&self) -> &aws_sdk_ecr::Client {
        self.0
            .ecr
            .get_or_init(|| client!(aws_sdk_ecr, &self.0.conf))
    }

    /// IAM (roles and their policies).
    pub fn iam(&self) -> &aws_sdk_iam::Client {
        self.0
            .iam
            .get_or_init(|| client!(aws_sdk_iam, &self.0.conf))
    }

    /// Secrets Manager (secret metadata only: DescribeSecret, never GetSecretValue).
    pub fn secretsmanager(&self) -> &aws_sdk_secretsmanager::Client {
        self.0
            .secretsmanager
            .get_or_init(|| client!(aws_sdk_secretsmanager, &self.0.conf))
    }

    /// KMS (key metadata only: DescribeKey).
    pub fn kms(&self) -> &aws_sdk_kms::Client {
        self.0
            .kms
            .get_or_init(|| client!(aws_sdk_kms, &self.0.conf))
    }

    /// CloudWatch Logs (log groups).
    pub fn logs(&self) -> &aws_sdk_cloudwatchlogs::Client {
        self.0
            .logs
            .get_or_init(|| client!(aws_sdk_cloudwatchlogs, &self.0.conf))
    }

    /// EFS (mount targets, their security groups, file system policies).
    pub fn efs(&self) -> &aws_sdk_efs::Client {
        self.0
            .efs
            .get_or_init(|| client!(aws_sdk_efs, &self.0.conf))
    }

    /// CloudTrail (LookupEvents only, through [`cloudtrail::lookup_events`], which keeps to
    /// its rate limit).
    pub fn cloudtrail(&self) -> &aws_sdk_cloudtrail::Client {
        self.0
            .cloudtrail
            .get_or_init(|| client!(aws_sdk_cloudtrail, &self.0.conf))
    }

    /// The limiter every LookupEvents call of this process takes its turn from.
    pub(crate) fn lookup_limiter(&self) -> &cloudtrail::TurnLimiter {
        &self.0.lookup_limiter
    }

    /// The IAM policy versions this process has read.
    fn policy_versions(&self) -> &PolicyVersions {
        &self.0.policy_versions
    }
}

/// Reads everything the request needs. The request must already be validated for this Region.
///
/// One run gets one fact cache, so a resource two stages need (a secret's metadata, the
/// container instance, a security group) is described once.
pub async fn collect(clients: &Clients, region: &str, request: &DiagnoseRequest) -> Facts {
    collect_with(clients, &Cache::new(), Scope::DIAGNOSIS, region, request).await
}

/// How far one diagnosis' reads go beyond what decides the root cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// For an SSM parameter name that does not exist, look for the name in every other Region
    /// (the evidence that the reference should have been a full ARN): one DescribeRegions and
    /// one DescribeParameters per Region. A diagnosis does; a sweep, whose summary carries
    /// each group's root cause and not this hint, does not, so a sweep's cost stays a few
    /// requests per cause instead of one per Region per missing parameter.
    pub other_regions: bool,
    /// Look up, in CloudTrail, the write events on the resources the diagnosis depended on
    /// since the task's start (what changed since the failure): up to 12 resources at two
    /// LookupEvents a second. A diagnosis does; a sweep, whose summary does not carry them,
    /// does not.
    pub changes: bool,
}

impl Scope {
    /// A diagnosis: everything the report can use.
    pub const DIAGNOSIS: Scope = Scope {
        other_regions: true,
        changes: true,
    };
    /// A sweep's diagnosis of a group's example task.
    pub const SWEEP: Scope = Scope {
        other_regions: false,
        changes: false,
    };
}

/// The cache key of the task a lookup describes.
fn task_key(cluster: &crate::arn::ClusterRef, task: &crate::arn::TaskRef) -> String {
    format!("ecs:task/{}/{}", cluster.for_api(), task.for_api())
}

/// Puts a task already described (by a sweep's listing) into `cache`, so that the diagnosis of
/// `request` starts from it instead of describing it again. A request that is not a lookup is
/// left alone.
pub async fn prime_task(cache: &Cache, request: &DiagnoseRequest, task: &crate::facts::TaskFacts) {
    if let Target::Lookup { cluster, task: id } = &request.target {
        let found = Readable::Read {
            value: TaskLookup::Found {
                task: Box::new(task.clone()),
            },
        };
        let _ = cache
            .get_or_read(task_key(cluster, id), || async { found })
            .await;
    }
}

/// The task definition read, shared by every stage: each awaits it only where it needs it,
/// so the reads that depend on the task alone (its ENI, subnet, service, container instance,
/// cluster) go out in the same round as DescribeTaskDefinition instead of after it.
pub(crate) type TaskDefinitionRead<'a> =
    Shared<BoxFuture<'a, Option<Readable<crate::facts::TaskDefinitionFacts>>>>;

/// [`collect`] with a fact cache shared with other diagnoses (a sweep's groups): the VPC, IAM
/// and ECR reads that another diagnosis of the same sweep already made are not made again.
///
/// The critical path is the dependency depth of the facts: the task; then its task definition
/// with everything the task alone names; then what those name (the VPC's resources, the role,
/// repository, secrets, log group); then the endpoints' groups and the prefix lists. Every
/// stage runs concurrently with the others and starts each read as soon as its inputs are
/// known (benches/critical_path.rs measures the rounds).
pub async fn collect_with(
    clients: &Clients,
    cache: &Cache,
    scope: Scope,
    region: &str,
    request: &DiagnoseRequest,
) -> Facts {
    let (request_facts, task) = match &request.target {
        Target::Lookup { cluster, task } => {
            let facts = RequestFacts {
                cluster: cluster.for_api(),
                task: task.for_api(),
                source: TaskSource::DescribeTasks,
            };
            let described = cache
                .get_or_read(task_key(cluster, task), || {
                    ecs::describe_task(clients.ecs(), cluster, task)
                })
                .await;
            (facts, described)
        }
        Target::Event(event) => {
            let detail = &event.detail;
            let facts = RequestFacts {
                cluster: detail.cluster_arn.clone(),
                task: detail.task_arn.clone(),
                source: TaskSource::Event,
            };
            let task = TaskLookup::Found {
                task: Box::new(detail.to_facts()),
            };
            (facts, Readable::Read { value: task })
        }
    };

    let td_arn = match task.value() {
        Some(TaskLookup::Found { task }) => task.task_definition_arn.clone(),
        _ => None,
    };
    let task_definition: TaskDefinitionRead<'_> = async move {
        match td_arn {
            Some(arn) => Some(ecs::describe_task_definition(clients.ecs(), &arn).await),
            None => None,
        }
    }
    .boxed()
    .shared();
    let td = &task_definition;

    // The later stages matter only for a task that stopped (a running task has no failed
    // start to explain), and only when they were asked for. Their reads are independent, so
    // they run concurrently.
    let from_event = matches!(request.target, Target::Event(_));
    let stopped_task = match task.value() {
        Some(TaskLookup::Found { task })
            if from_event || task.last_status.as_deref() == Some("STOPPED") =>
        {
            Some(task.as_ref())
        }
        _ => None,
    };
    let wants = |stage| stopped_task.is_some() && request.stage.includes(stage);
    /// Runs a stage that needs the task definition once it is read.
    macro_rules! after_td {
        ($t:ident, $td:ident, $body:expr) => {{
            let read = td.clone().await;
            let $td = read.as_ref().and_then(Readable::value);
            let $t = $t;
            $body.await
        }};
    }
    let want_changes = scope.changes && wants(StageName::Task);
    let now = chrono::Utc::now();
    let (task_definition, network, image, iam, secrets, logging, placement, window) = tokio::join!(
        td.clone(),
        async {
            match stopped_task {
                Some(t) if wants(StageName::Network) => {
                    Some(network::network(clients, cache, t, td).await)
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Image) => {
                    Some(after_td!(t, d, ecr::image(clients, cache, region, t, d)))
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Iam) => {
                    Some(after_td!(t, d, iam::iam(clients, cache, region, t, d)))
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Secrets) => Some(after_td!(
                    t,
                    d,
                    secrets::secrets(clients, cache, scope, region, t, d)
                )),
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Logging) => {
                    Some(after_td!(t, d, logs::logging(clients, region, t, d)))
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Placement) => {
                    Some(placement::placement(clients, cache, region, t, td).await)
                }
                _ => None,
            }
        },
        // What changed since the failure: the window's write events in the task's Region
        // (and IAM's) need only the task's times, so they are read in the first round.
        async {
            match stopped_task {
                Some(t) if want_changes => Some(changes::window(clients, t, region, now).await),
                _ => None,
            }
        },
    );

    let mut facts = Facts {
        facts_version: FACTS_VERSION,
        region: region.to_string(),
        request: request_facts,
        task,
        task_definition,
        network,
        image,
        iam,
        secrets,
        logging,
        placement,
        changes: None,
    };
    // Which of those changes matter needs the resources every other stage found, so it is
    // decided last (with a lookup by resource where the window held too many writes).
    if let Some(window) = window {
        facts.changes = changes::changes(clients, &facts, window).await;
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::PolicyVersions;

    #[test]
    fn policy_versions_are_kept_by_arn_and_version_and_bounded() {
        let v = PolicyVersions::default();
        let arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        assert_eq!(v.get(arn, "v1"), None);
        v.put(arn, "v1", "{\"Version\":\"2012-10-17\"}");
        assert_eq!(
            v.get(arn, "v1").as_deref(),
            Some("{\"Version\":\"2012-10-17\"}")
        );
        // Another version of the same policy is another document.
        assert_eq!(v.get(arn, "v2"), None);
        // Clones share the store (one per process, whatever clones the clients).
        let shared = v.clone();
        shared.put(arn, "v2", "{}");
        assert_eq!(v.get(arn, "v2").as_deref(), Some("{}"));
        for i in 0..PolicyVersions::CAPACITY * 2 {
            v.put(
                &format!("arn:aws:iam::111122223333:policy/p{i}"),
                "v1",
                "{}",
            );
        }
        let kept = (0..PolicyVersions::CAPACITY * 2)
            .filter(|i| {
                v.get(&format!("arn:aws:iam::111122223333:policy/p{i}"), "v1")
                    .is_some()
            })
            .count();
        assert_eq!(
            kept,
            PolicyVersions::CAPACITY - 2,
            "bounded, the first ones kept"
        );
    }
}
