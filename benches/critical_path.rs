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
//!   connections) built once beforehand, as a Lambda container does;
//! - **cold / warm**: the first diagnosis of a fresh engine (a new Lambda container), and the
//!   later ones. A warm process has the IAM policy versions it has read (a version never
//!   changes), so it skips GetPolicyVersion for them.
//!
//! The sequential baseline is the proxy's serial mode: the same binary and the same code, but
//! the proxy serves one request at a time, so the diagnosis costs the sum of its requests.
//!
//! moto answers one request at a time (it is Python) and takes several milliseconds for each,
//! where AWS answers concurrent requests in parallel; live, moto's own time would be measured
//! as much as the tool's. So the timed runs are made twice: **replayed** (the proxy answers
//! each distinct request from moto's first answer to it, after the added latency, so a
//! request costs only that latency; the rounds and requests come from these runs) and **moto
//! live** (every request answered by moto).
//!
//! Run: `cargo bench --bench critical_path` (release). `BENCH_RUNS` sets the runs per cell
//! (default 5). The figures of BENCHMARKS.md come from this output.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use ecs_task_doctor::collect::Clients;
use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::request::{Caller, DiagnoseRequest, Request};
use ecs_task_doctor::stage::StageSelection;

use support::REGION;
use support::fault_proxy::{FaultProxy, Served};
use support::standard::{cases, event_for};

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
            // A cold container first: a fresh engine, nothing read yet in this process.
            let engine = Engine::from_clients(Clients::new(&conf), REGION);
            proxy.replay(true);
            proxy.latency(Duration::from_millis(50));
            proxy.take_log();
            engine.diagnose(request).await.expect("diagnosis");
            let cold = proxy.take_log();
            let cold_rounds = rounds(&cold).into_iter().max().unwrap_or(0);
            // Then warm (see `measure`): replayed answers (see the module doc), then moto
            // answering live.
            let mut replayed = Vec::new();
            for latency in [0u64, 50] {
                proxy.latency(Duration::from_millis(latency));
                for serial in [false, true] {
                    proxy.serial(serial).await;
                    replayed.push(measure(&engine, &proxy, request, runs).await);
                }
            }
            proxy.replay(false);
            let mut live = Vec::new();
            for serial in [false, true] {
                proxy.serial(serial).await;
                live.push(measure(&engine, &proxy, request, runs).await);
            }
            proxy.serial(false).await;
            proxy.latency(Duration::ZERO);
            let [c0, s0, c50, s50] = <[Cell; 4]>::try_from(replayed).ok().unwrap();
            let [lc50, ls50] = <[Cell; 2]>::try_from(live).ok().unwrap();
            for other in [&c0, &s0, &s50, &lc50, &ls50] {
                if other.requests != c50.requests || other.root_cause != c50.root_cause {
                    eprintln!("{} from the {from}: the runs differ", case.name);
                    failed = true;
                }
            }
            if !c50.repeats.is_empty() {
                eprintln!("{} from the {from}: repeated requests", case.name);
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
                "| {} | {from} | {} / {} | {} / {} | {} | {} / {} | {} / {} | **{:.1}×** | {} / {} | {:.1}× |",
                case.name,
                cold.len(),
                c50.requests,
                cold_rounds,
                c50.rounds,
                c50.repeats.len(),
                ms(c0.wall),
                ms(s0.wall),
                ms(c50.wall),
                ms(s50.wall),
                s50.wall.as_secs_f64() / c50.wall.as_secs_f64(),
                ms(lc50.wall),
                ms(ls50.wall),
                ls50.wall.as_secs_f64() / lc50.wall.as_secs_f64()
            ));
        }
    }
    println!(
        "| scenario | from | requests, cold / warm | rounds, cold / warm | repeats | replayed, 0 ms: concurrent / serial (ms) | replayed, 50 ms: concurrent / serial (ms) | serial ÷ concurrent | moto live, 50 ms: concurrent / serial (ms) | serial ÷ concurrent |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in table {
        println!("{row}");
    }
    if failed {
        std::process::exit(1);
    }
}
