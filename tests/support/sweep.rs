//! Sweep scenarios, shared by tests/sweep.rs and benches/sweep.rs: many stopped Fargate tasks
//! in a few clusters, from causes that share one VPC, one execution role and one ECR
//! repository (so the sweep's fact cache has something to share), and the `sweep` command run
//! through the CLI with its requests counted by moto's recorder.
//!
//! moto differences met here (besides those in tests/support):
//! - StopTask sets no stopCode or stoppedAt; the harness's `moto-stop:` reason prefix sets them
//!   as AWS does (tests/support/moto_server.py), so the window and the stop codes are real.
//! - ListTasks does not paginate (one page whatever the count; AWS pages by 100) and matches
//!   the cluster by substring of the task's cluster ARN, so cluster names here never contain
//!   one another ([`clusters`] adds an `-x` suffix).
//! - A stopped task's ENI stays in moto (AWS deletes a Fargate task's ENI soon after the
//!   stop), so the sweep finds the security groups of non-service tasks from their ENIs.

use std::process::Output;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_ecs::types::{
    AwsVpcConfiguration, Compatibility, ContainerDefinition, LaunchType, LogConfiguration,
    LogDriver, NetworkConfiguration, NetworkMode, Secret,
};
use futures_util::future::join_all;
use serde_json::Value;

use super::calls::{self, Calls};
use super::scenario::{self, RunSpec};
use super::{ACCOUNT, REGION, logging, unique};

/// The sweep's window (`--since 60m`).
pub const LOOKBACK_MINUTES: u64 = 60;

/// How many tasks are run (and stopped) at once while a scenario is built: moto serves one
/// request at a time per thread, and this many keeps it busy.
pub const RUN_AT_ONCE: usize = 25;

/// What every cause shares, so that the cache has something to share: one VPC (its subnet and
/// security group), one execution role, one ECR repository.
pub struct Shared {
    pub subnet_id: String,
    pub sg_id: String,
    pub execution_role: String,
    /// `payments-api:1.2.3` in the shared repository (it exists).
    pub image: String,
}

/// Builds what every cause shares.
pub async fn shared(conf: &SdkConfig) -> Shared {
    // A private VPC with no route out: a layer pull times out, which the network stage blames.
    let (subnet_id, sg_id) = scenario::vpc(conf).await;
    super::ecr::ensure_image(conf, "payments-api", "1.2.3").await;
    Shared {
        subnet_id,
        sg_id,
        execution_role: super::ecr::execution_role(conf).await,
        image: format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments-api:1.2.3"),
    }
}

/// Creates one cluster per prefix, each named `<unique(prefix)>-x` so that no name contains
/// another (moto's ListTasks matches clusters by substring); returns their names.
pub async fn clusters(conf: &SdkConfig, prefixes: &[&str]) -> Vec<String> {
    let ecs = aws_sdk_ecs::Client::new(conf);
    let names: Vec<String> = prefixes
        .iter()
        .map(|p| format!("{}-x", unique(p)))
        .collect();
    for c in &names {
        ecs.create_cluster().cluster_name(c).send().await.unwrap();
    }
    names
}

/// A Fargate task definition on the shared role and image: `secrets` as given, awslogs to
/// `/ecs/<family>`, which is created unless `log_group_missing`.
pub async fn task_definition(
    conf: &SdkConfig,
    s: &Shared,
    family: &str,
    secrets: &[(&str, &str)],
    log_group_missing: bool,
) -> String {
    task_definition_with_image(conf, s, family, &s.image, secrets, log_group_missing).await
}

/// [`task_definition`] with another image (in the shared repository or elsewhere).
pub async fn task_definition_with_image(
    conf: &SdkConfig,
    s: &Shared,
    family: &str,
    image: &str,
    secrets: &[(&str, &str)],
    log_group_missing: bool,
) -> String {
    let group = format!("/ecs/{family}");
    if !log_group_missing {
        logging::create_group(conf, REGION, &group).await;
    }
    let container = ContainerDefinition::builder()
        .name("api")
        .image(image)
        .essential(true)
        // moto needs container memory to run the task (MOTO-NOTES.md).
        .memory(1024)
        .set_secrets(Some(
            secrets
                .iter()
                .map(|(n, v)| Secret::builder().name(*n).value_from(*v).build().unwrap())
                .collect(),
        ))
        .log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", &group)
                .options("awslogs-region", REGION)
                .options("awslogs-stream-prefix", "api")
                .build()
                .unwrap(),
        )
        .build();
    aws_sdk_ecs::Client::new(conf)
        .register_task_definition()
        .family(family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("1024")
        .execution_role_arn(&s.execution_role)
        .container_definitions(container)
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string()
}

/// A service (desired count 0) whose awsvpc configuration names the shared subnet and group;
/// returns its name (its tasks' group is `service:<name>`).
pub async fn service(conf: &SdkConfig, s: &Shared, cluster: &str, td: &str) -> String {
    let name = unique("billing");
    aws_sdk_ecs::Client::new(conf)
        .create_service()
        .cluster(cluster)
        .service_name(&name)
        .task_definition(td)
        .desired_count(0)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .subnets(&s.subnet_id)
                        .security_groups(&s.sg_id)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    name
}

/// In-window stops spread over the last 50 minutes.
pub fn ago(i: usize) -> u64 {
    60 + (i as u64 * 37) % 2940
}

/// One batch of identical stopped tasks.
pub struct Batch {
    /// Index of the cluster (in the slice given to [`run_batches`]).
    pub cluster: usize,
    /// Task definition ARN.
    pub td: String,
    /// The tasks' group (`service:<name>`); moto's default (`family:<name>`) when `None`.
    pub group: Option<String>,
    pub count: usize,
    /// Builds the i-th task's stop reason.
    pub reason: Box<dyn Fn(usize) -> String + Send + Sync>,
}

/// Runs and stops every task of `batches` in the shared subnet and security group,
/// [`RUN_AT_ONCE`] at a time; returns how many tasks each cluster got.
pub async fn run_batches(
    conf: &SdkConfig,
    s: &Shared,
    clusters: &[String],
    batches: &[Batch],
) -> Vec<usize> {
    let mut per_cluster = vec![0; clusters.len()];
    for b in batches {
        per_cluster[b.cluster] += b.count;
    }
    let runs: Vec<_> = batches
        .iter()
        .flat_map(|b| (0..b.count).map(move |i| (b, i)))
        .collect();
    let sg = [s.sg_id.clone()];
    for chunk in runs.chunks(RUN_AT_ONCE) {
        join_all(chunk.iter().map(|(b, i)| {
            let reason = (b.reason)(*i);
            let cluster = &clusters[b.cluster];
            let sg = &sg;
            async move {
                scenario::run_fargate_task(
                    conf,
                    &RunSpec {
                        cluster,
                        task_definition_arn: &b.td,
                        subnet_id: &s.subnet_id,
                        security_group_ids: sg,
                        assign_public_ip: false,
                        group: b.group.as_deref(),
                        stop_reason: Some(&reason),
                    },
                )
                .await
            }
        }))
        .await;
    }
    per_cluster
}

/// One sweep through the CLI.
pub struct Swept {
    /// The JSON summary.
    pub summary: Value,
    /// The requests moto served while the sweep ran.
    pub calls: Calls,
    /// The CLI's wall time (process start to exit).
    pub wall: Duration,
}

/// Runs `ecs-task-doctor sweep --since 60m --format json --cluster ...` over `clusters`
/// against moto with the request recorder on; panics unless it exits 0 with JSON.
pub fn sweep(clusters: &[String]) -> Swept {
    let recording = calls::start();
    let mut cmd = super::cli();
    let started = Instant::now();
    let out: Output = super::cli_env(&mut cmd)
        .args([
            "sweep",
            "--since",
            &format!("{LOOKBACK_MINUTES}m"),
            "--format",
            "json",
        ])
        .args(clusters.iter().flat_map(|c| ["--cluster", c.as_str()]))
        .output()
        .unwrap();
    let wall = started.elapsed();
    let calls = recording.stop();
    assert!(
        out.status.success(),
        "sweep failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout)));
    Swept {
        summary,
        calls,
        wall,
    }
}

/// An ECS endpoint whose listings never end: every ListClusters and ListTasks answer is an
/// empty page with a new page token, as a paginating-forever API would answer. moto
/// paginates neither listing, and the fault proxy can only refuse or delay a call, so this
/// small server on a free loopback port stands in for ECS. It answers every other request
/// with an empty JSON object and counts the requests per operation.
pub struct EndlessPages {
    /// `http://127.0.0.1:<port>`: the endpoint to give the SDK.
    pub endpoint: String,
    served: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>>,
}

impl EndlessPages {
    /// Starts the server on the current Tokio runtime; it serves until the runtime ends.
    pub async fn start() -> EndlessPages {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let served: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>> =
            std::sync::Arc::default();
        let counts = std::sync::Arc::clone(&served);
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let counts = std::sync::Arc::clone(&counts);
                tokio::spawn(async move {
                    let mut buf: Vec<u8> = Vec::new();
                    let mut chunk = [0u8; 8192];
                    loop {
                        // One request: its head, then a Content-Length body.
                        let head_end = loop {
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4;
                            }
                            match conn.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        };
                        let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
                        let header = |name: &str| {
                            head.lines()
                                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                        };
                        let length: usize = header("content-length:")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        while buf.len() < head_end + length {
                            match conn.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buf.drain(..head_end + length);
                        let operation = header("x-amz-target:")
                            .and_then(|t| t.rsplit('.').next().map(str::to_string))
                            .unwrap_or_default();
                        let n = {
                            let mut c = counts.lock().unwrap();
                            let n = c.entry(operation.clone()).or_insert(0);
                            *n += 1;
                            *n
                        };
                        let body = match operation.as_str() {
                            "listclusters" => {
                                format!("{{\"clusterArns\":[],\"nextToken\":\"clusters-{n}\"}}")
                            }
                            "listtasks" => {
                                format!("{{\"taskArns\":[],\"nextToken\":\"tasks-{n}\"}}")
                            }
                            _ => "{}".to_string(),
                        };
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: endless-{n}\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if conn.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        EndlessPages { endpoint, served }
    }

    /// How many requests of `operation` (for example `ListTasks`) were answered.
    pub fn served(&self, operation: &str) -> usize {
        self.served
            .lock()
            .unwrap()
            .get(&operation.to_lowercase())
            .copied()
            .unwrap_or(0)
    }
}
