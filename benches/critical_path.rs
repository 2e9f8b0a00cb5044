//! The critical-path benchmark of issue 8: how many AWS requests one diagnosis makes, how many
//! sequential rounds they take, and what that costs in wall time when every request pays a
//! round trip, against the same collect code with its requests forced one at a time.
//!
//! Each scenario is built on moto through the SDK, like the integration tests. The tool then
//! talks to moto through the latency proxy of tests/support/fault_proxy.rs, which adds a fixed
//! delay to every request and logs when each request arrived and was answered. From that log:
//!
//! - **requests**: how many the diagnosis sent;
//! - **rounds**: the length of the longest chain of requests where each one was sent only after
//!   the one before it had been answered (a request's round is one more than the highest round
//!   among the requests answered before it arrived). At 50 ms per request, two requests that do
//!   not depend on each other start within a millisecond or two of each other, so this is the
//!   dependency depth the code actually achieved;
//! - **repeats**: requests identical to an earlier one of the same diagnosis (same operation,
//!   same parameters): a resource described twice;
//! - **wall**: the median of the runs' times, with the engine (and its SDK clients and
//!   connections) built once beforehand, as a Lambda container does.
//!
//! The sequential baseline is the proxy's serial mode: the same binary and the same code, but
//! the proxy serves one request at a time, so the diagnosis costs the sum of its requests.
//!
//! Run: `cargo bench --bench critical_path` (release). `BENCH_RUNS` sets the runs per cell
//! (default 5). The figures of BENCHMARKS.md come from this output.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use serde_json::{Value, json};

use ecs_task_doctor::collect::Clients;
use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::request::{Caller, DiagnoseRequest, Request};
use ecs_task_doctor::stage::StageSelection;

use support::fault_proxy::{FaultProxy, Served};
use support::network::{NetworkScenario, ec2_bridge_task};
use support::placement::{Efs, PlacementScenario};
use support::{REGION, placement};

/// One standard scenario: its name and the task it stopped.
struct Case {
    name: &'static str,
    cluster: String,
    task_id: String,
}

/// What one cell of the table measured.
struct Cell {
    requests: usize,
    rounds: usize,
    repeats: Vec<String>,
    wall: Duration,
    root_cause: Option<String>,
    /// The operations of each round (of the last run), for the per-round listing.
    by_round: BTreeMap<usize, Vec<String>>,
}

/// The round of each request: one more than the highest round among the requests answered
/// before it arrived.
fn rounds(log: &[Served]) -> Vec<usize> {
    let mut round = vec![0usize; log.len()];
    let mut order: Vec<usize> = (0..log.len()).collect();
    order.sort_by_key(|&i| log[i].arrived);
    for (k, &i) in order.iter().enumerate() {
        let before = order[..k]
            .iter()
            .filter(|&&j| log[j].answered <= log[i].arrived)
            .map(|&j| round[j])
            .max()
            .unwrap_or(0);
        round[i] = before + 1;
    }
    round
}

/// Requests that repeat an earlier one: same operation, same parameters.
fn repeats(log: &[Served]) -> Vec<String> {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for s in log {
        *seen.entry((&s.operation, &s.asked)).or_default() += 1;
    }
    let mut out: Vec<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|((op, asked), n)| {
            format!("{op} x{n}: {}", asked.chars().take(160).collect::<String>())
        })
        .collect();
    out.sort();
    out
}

/// The EventBridge event ECS sends for this task: its detail is the task as DescribeTasks
/// returns it, with attachment details as name/value pairs.
fn event_for(task: &Value) -> Value {
    let mut detail = task.clone();
    if let Some(atts) = detail["attachments"].as_array_mut() {
        for a in atts {
            let details: Vec<Value> = a["details"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| json!({"name": k, "value": v}))
                        .collect()
                })
                .unwrap_or_default();
            a["details"] = json!(details);
        }
    }
    detail["version"] = json!(3);
    json!({
        "version": "0", "id": "5a0e8f21-0000-4000-8000-000000000001",
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": support::ACCOUNT, "time": "2026-11-28T09:00:59Z", "region": REGION,
        "resources": [task["taskArn"]],
        "detail": detail,
    })
}

async fn cases(conf: &SdkConfig) -> Vec<Case> {
    let seed = NetworkScenario::private_with_endpoints()
        .interface_endpoints(&["ecr.api", "ecr.dkr", "logs", "secretsmanager"])
        .build(conf)
        .await;
    let nat = NetworkScenario::private_with_nat().build(conf).await;
    let ec2 = ec2_bridge_task(conf).await;
    let mut full = PlacementScenario::new(1, 512, placement::EFS_TIMEOUT);
    full.efs = Some(Efs::Healthy);
    full.internet = true;
    full.secrets_and_logs = true;
    let full = full.build(conf).await;
    vec![
        Case {
            name: "seed: Fargate, endpoints only, no S3 egress",
            cluster: seed.task.cluster.clone(),
            task_id: seed.task.task_id.clone(),
        },
        Case {
            name: "NAT: Fargate behind a NAT gateway",
            cluster: nat.task.cluster.clone(),
            task_id: nat.task.task_id.clone(),
        },
        Case {
            name: "EC2 launch type, bridge mode",
            cluster: ec2.cluster.clone(),
            task_id: ec2.task_id.clone(),
        },
        Case {
            name: "EC2 with secrets, awslogs and EFS",
            cluster: full.cluster.clone(),
            task_id: full.task_id.clone(),
        },
    ]
}

async fn measure(
    engine: &Engine,
    proxy: &FaultProxy,
    request: &DiagnoseRequest,
    runs: usize,
) -> Cell {
    // One warm-up: the connections a Lambda container would already hold.
    engine.diagnose(request).await.expect("diagnosis");
    let mut walls = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        proxy.take_log();
        let started = Instant::now();
        let d = engine.diagnose(request).await.expect("diagnosis");
        walls.push(started.elapsed());
        last = Some((d, proxy.take_log()));
    }
    walls.sort();
    let (d, log) = last.expect("at least one run");
    let r = rounds(&log);
    let mut by_round: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (s, k) in log.iter().zip(&r) {
        by_round.entry(*k).or_default().push(s.operation.clone());
    }
    for ops in by_round.values_mut() {
        ops.sort();
    }
    Cell {
        requests: log.len(),
        rounds: r.into_iter().max().unwrap_or(0),
        repeats: repeats(&log),
        wall: walls[walls.len() / 2],
        root_cause: d.report.root_cause.map(|c| c.as_str().to_string()),
        by_round,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let direct = support::sdk_config().await;
    let built = cases(&direct).await;
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    let conf = support::fault_proxy::sdk_config_at(&proxy.endpoint).await;
    let engine = Engine::from_clients(Clients::new(&conf), REGION);
    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    };
    println!("# critical path: {runs} runs per cell, median wall, {profile} build\n");
    let mut table = Vec::new();
    let mut failed = false;
    for case in &built {
        let Request::Diagnose(by_id) = Request::lookup(
            &case.cluster,
            &case.task_id,
            StageSelection::All,
            Caller::Cli,
        )
        .unwrap() else {
            unreachable!()
        };
        // The event for the same task, from the task as collect read it.
        let d = engine.diagnose(&by_id).await.expect("diagnosis");
        let task = serde_json::to_value(&d.facts.task).unwrap();
        let task = &task["value"]["task"];
        let Request::Diagnose(by_event) = Request::from_value(event_for(task))
            .unwrap_or_else(|e| panic!("the event for {} is refused: {e}", case.name))
        else {
            unreachable!()
        };
        for (from, request) in [("task ID", &by_id), ("event", &by_event)] {
            let mut cells = Vec::new();
            for latency in [0u64, 50] {
                proxy.latency(Duration::from_millis(latency));
                for serial in [false, true] {
                    proxy.serial(serial).await;
                    cells.push(measure(&engine, &proxy, request, runs).await);
                }
            }
            proxy.serial(false).await;
            let [c0, s0, c50, s50] = <[Cell; 4]>::try_from(cells).ok().unwrap();
            if c50.requests != s50.requests || c50.root_cause != s50.root_cause {
                eprintln!("{}: the concurrent and serial runs differ", case.name);
                failed = true;
            }
            println!("## {} — from the {from}", case.name);
            println!(
                "root cause: {}",
                c50.root_cause.as_deref().unwrap_or("none")
            );
            for (k, ops) in &c50.by_round {
                println!("  round {k}: {}", ops.join(", "));
            }
            for r in &c50.repeats {
                println!("  REPEAT {r}");
            }
            println!();
            table.push(format!(
                "| {} | {from} | {} | {} | {} | {} / {} | {} / {} | {:.1}× |",
                case.name,
                c50.requests,
                c50.rounds,
                c50.repeats.len(),
                ms(c0.wall),
                ms(s0.wall),
                ms(c50.wall),
                ms(s50.wall),
                s50.wall.as_secs_f64() / c50.wall.as_secs_f64()
            ));
        }
    }
    println!(
        "| scenario | from | requests | rounds | repeats | wall at 0 ms, ms (concurrent / serial) | wall at 50 ms, ms (concurrent / serial) | serial ÷ concurrent at 50 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in table {
        println!("{row}");
    }
    if failed {
        std::process::exit(1);
    }
}
