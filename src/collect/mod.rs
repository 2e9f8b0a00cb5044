//! collect: the only code that talks to AWS.
//!
//! It reads what the selected stages need and turns every answer, error included, into
//! [`Facts`]. An AWS error is never a crash and never a silent gap: it becomes a
//! [`Readable::Unreadable`](crate::facts::Readable) fact with the API and the error code,
//! which judge reports as UNKNOWN.

pub mod budget;
mod cache;
mod ecr;
mod ecs;
mod error;
mod iam;
mod logs;
mod network;
mod placement;
mod secrets;
pub mod sweep;

use aws_config::SdkConfig;

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
#[derive(Debug, Clone)]
pub struct Clients {
    /// Amazon ECS.
    pub ecs: aws_sdk_ecs::Client,
    /// Amazon EC2 (the network stage).
    pub ec2: aws_sdk_ec2::Client,
    /// Systems Manager (parameters referenced by the task).
    pub ssm: aws_sdk_ssm::Client,
    /// Amazon ECR (repositories, images, repository policies).
    pub ecr: aws_sdk_ecr::Client,
    /// IAM (roles and their policies).
    pub iam: aws_sdk_iam::Client,
    /// Secrets Manager (secret metadata only: DescribeSecret, never GetSecretValue).
    pub secretsmanager: aws_sdk_secretsmanager::Client,
    /// KMS (key metadata only: DescribeKey).
    pub kms: aws_sdk_kms::Client,
    /// CloudWatch Logs (log groups).
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// EFS (mount targets, their security groups, file system policies).
    pub efs: aws_sdk_efs::Client,
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
        let conf = &with_app_name(&policy.apply(conf));
        macro_rules! client {
            ($sdk:ident) => {{
                use $sdk::config::retry::{RetryPartition, TokenBucket};
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(conf)
                        .retry_partition(
                            RetryPartition::custom(stringify!($sdk))
                                .token_bucket(TokenBucket::default())
                                .build(),
                        )
                        .build(),
                )
            }};
        }
        Clients {
            ecs: client!(aws_sdk_ecs),
            ec2: client!(aws_sdk_ec2),
            ssm: client!(aws_sdk_ssm),
            ecr: client!(aws_sdk_ecr),
            iam: client!(aws_sdk_iam),
            secretsmanager: client!(aws_sdk_secretsmanager),
            kms: client!(aws_sdk_kms),
            logs: client!(aws_sdk_cloudwatchlogs),
            efs: client!(aws_sdk_efs),
        }
    }
}

/// Reads everything the request needs. The request must already be validated for this Region.
pub async fn collect(clients: &Clients, region: &str, request: &DiagnoseRequest) -> Facts {
    collect_with(clients, &Cache::disabled(), region, request).await
}

/// [`collect`] with a fact cache shared with other diagnoses (a sweep's groups): the VPC, IAM
/// and ECR reads that another diagnosis of the same sweep already made are not made again.
pub async fn collect_with(
    clients: &Clients,
    cache: &Cache,
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
            (facts, ecs::describe_task(&clients.ecs, cluster, task).await)
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

    let task_definition = match task.value() {
        Some(TaskLookup::Found { task }) => match task.task_definition_arn.as_deref() {
            Some(arn) => Some(ecs::describe_task_definition(&clients.ecs, arn).await),
            None => None,
        },
        _ => None,
    };

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
    let td = task_definition.as_ref().and_then(Readable::value);
    let wants = |stage| stopped_task.is_some() && request.stage.includes(stage);
    let (network, image, iam, secrets, logging, placement) = tokio::join!(
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
                    Some(ecr::image(clients, cache, region, t, td).await)
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Iam) => {
                    Some(iam::iam(clients, cache, region, t, td).await)
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Secrets) => {
                    Some(secrets::secrets(clients, region, t, td).await)
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Logging) => {
                    Some(logs::logging(clients, region, t, td).await)
                }
                _ => None,
            }
        },
        async {
            match stopped_task {
                Some(t) if wants(StageName::Placement) => {
                    Some(placement::placement(clients, region, t, td).await)
                }
                _ => None,
            }
        },
    );

    Facts {
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
    }
}
