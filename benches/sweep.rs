//! The sweep benchmark of issue 8: how many AWS requests `ecs-task-doctor sweep` makes over
//! 1,000 stopped tasks in 5 clusters from 10 distinct causes, and how that number grows when
//! the tasks double (2,000 tasks, the same 10 causes) and when the causes double (1,000 tasks,
//! 20 causes).
//!
//! The scenarios are built on moto through the SDK with tests/support/sweep.rs, like
//! tests/sweep.rs: one private VPC with no route out (its subnet and security group), one
//! execution role and one ECR repository are shared by every cause, so the sweep's fact cache
//! has something to share. A cause is one task definition with one way of failing to start
//! (a layer pull that times out, an SSM parameter or a secret that does not exist, a log
//! group that does not exist, an image tag that does not exist, a secret scheduled for
//! deletion), so it is one group of the sweep. 10 causes are 2 of each of the first four
//! kinds and 1 of each of the last two; 20 causes are twice that. Cause sizes are uneven
//! (from 1 to 5 parts in 30), and a cause that is not a service's spreads over two clusters.
//!
//! Each sweep runs the CLI (`sweep --since 60m --format json --cluster ...`) with moto's
//! request recorder on (tests/support/calls.rs) and prints: tasks, clusters, causes, groups
//! found, total requests, requests by operation, wall time. The summary is checked (one group
//! per cause, each with its cause's count, failure class, a FAIL verdict and a root cause,
//! nothing left out); a wrong summary makes the benchmark exit non-zero. Last come Markdown
//! tables for BENCHMARKS.md.
//!
//! moto's ListTasks does not paginate; AWS returns at most 100 task ARNs a page, so the sweep
//! makes ceil(n/100) ListTasks calls for a cluster of n stopped tasks. The tables add those
//! pages to moto's count ("AWS estimate"). Every other listing read (DescribeTasks and
//! DescribeNetworkInterfaces by 100, DescribeServices by 10) batches the same way on both.
//!
//! Run: `cargo bench --profile dev --bench sweep` (the dev profile shares the test build; the
//! wall times are moto's on loopback, so the profile hardly matters). `BENCH_SWEEP_TASKS`
//! sets the base task count (default 1000; the doubled run has twice as many) and
//! `BENCH_RUNS` the sweeps per scenario (default 3; the wall time is their median, and the
//! request counts must be the same every time). Without `--bench` (`cargo test --benches`)
//! it is a smoke run: 100 tasks, one sweep each, the same checks.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use serde_json::Value;

use support::calls::Calls;
use support::sweep::{self as sw, Batch, Shared};
use support::{ecr, logging, scenario, secrets, unique};

/// Clusters of every scenario.
const CLUSTERS: usize = 5;
/// Causes of the base scenario (and of the doubled-tasks one); the doubled-causes one has 2×.
const CAUSES: usize = 10;
/// ListTasks' page size in AWS (moto does not paginate).
const AWS_LIST_PAGE: usize = 100;

/// One way of failing to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    PullTimeout,
    SsmParameterMissing,
    SecretMissing,
    LogGroupMissing,
    ImageTagMissing,
    SecretPendingDeletion,
}

/// The kind of the i-th cause is `KINDS[i % 10]`.
const KINDS: [Kind; CAUSES] = [
    Kind::PullTimeout,
    Kind::SsmParameterMissing,
    Kind::SecretMissing,
    Kind::LogGroupMissing,
    Kind::ImageTagMissing,
    Kind::PullTimeout,
    Kind::SsmParameterMissing,
    Kind::SecretMissing,
    Kind::LogGroupMissing,
    Kind::SecretPendingDeletion,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::PullTimeout => "image pull timeout (no route to S3)",
            Kind::SsmParameterMissing => "SSM parameter missing",
            Kind::SecretMissing => "secret missing",
            Kind::LogGroupMissing => "log group missing (service)",
            Kind::ImageTagMissing => "image tag missing",
            Kind::SecretPendingDeletion => "secret scheduled for deletion",
        }
    }

    /// The failure class the sweep must give its group.
    fn class(self) -> &'static str {
        match self {
            Kind::PullTimeout => "image-pull-network",
            Kind::SsmParameterMissing => "ssm-parameter-invalid",
            Kind::SecretMissing => "secret-not-found",
            Kind::LogGroupMissing => "logging",
            Kind::ImageTagMissing => "image-not-found",
            Kind::SecretPendingDeletion => "secret-not-found",
        }
    }

    /// The root cause its example's diagnosis must name.
    fn root_cause(self) -> &'static str {
        match self {
            // The VPC has no route out: the layer timeout is the network's doing.
            Kind::PullTimeout => "NET_NO_PATH_TO_SERVICE",
            Kind::SsmParameterMissing => "SSM_PARAMETER_NOT_FOUND",
            Kind::SecretMissing => "SECRET_NOT_FOUND",
            Kind::LogGroupMissing => "LOG_GROUP_MISSING",
            Kind::ImageTagMissing => "IMG_TAG_NOT_FOUND",
            Kind::SecretPendingDeletion => "SECRET_PENDING_DELETION",
        }
    }
}

/// One cause: a task definition that fails to start one way.
struct Cause {
    kind: Kind,
    td: String,
    /// `service:<name>` for a service's tasks.
    group: Option<String>,
    /// The clusters its tasks run in (indexes), alternately.
    clusters: Vec<usize>,
    /// The agent's stop reason.
    reason: String,
}

/// Creates the i-th cause's resources and task definition.
async fn cause(conf: &SdkConfig, s: &Shared, clusters: &[String], i: usize) -> Cause {
    let kind = KINDS[i % CAUSES];
    let home = i % CLUSTERS;
    let spread = vec![home, (home + 2) % CLUSTERS];
    let family = unique(&format!("bench-{kind:?}").to_lowercase());
    let (td, reason) = match kind {
        Kind::PullTimeout => (
            sw::task_definition(conf, s, &family, &[], false).await,
            scenario::PULL_TIMEOUT.to_string(),
        ),
        Kind::SsmParameterMissing => {
            let name = format!("/{}/db-url", unique("payments"));
            let td = sw::task_definition(conf, s, &family, &[("DB_URL", &name)], false).await;
            (td, secrets::ssm_invalid_reason(&name))
        }
        Kind::SecretMissing => {
            let arn = secrets::missing_secret_arn(&unique("payments/api-key"));
            let td = sw::task_definition(conf, s, &family, &[("API_KEY", &arn)], false).await;
            (td, secrets::asm_not_found_reason(&arn))
        }
        Kind::LogGroupMissing => (
            sw::task_definition(conf, s, &family, &[], true).await,
            logging::LOGGER_ARGS.to_string(),
        ),
        Kind::ImageTagMissing => {
            let image = format!("{}/payments-api:{}", ecr::registry(), unique("build"));
            let td = sw::task_definition_with_image(conf, s, &family, &image, &[], false).await;
            (td, ecr::not_found_reason(&image))
        }
        Kind::SecretPendingDeletion => {
            let arn = secrets::secret(conf, &unique("payments/old-key"), None).await;
            secrets::schedule_deletion(conf, &arn).await;
            let td = sw::task_definition(conf, s, &family, &[("API_KEY", &arn)], false).await;
            (td, secrets::asm_deleted_reason(&arn))
        }
    };
    if kind == Kind::LogGroupMissing {
        let svc = sw::service(conf, s, &clusters[home], &td).await;
        return Cause {
            kind,
            td,
            group: Some(format!("service:{svc}")),
            clusters: vec![home],
            reason,
        };
    }
    Cause {
        kind,
        td,
        group: None,
        clusters: spread,
        reason,
    }
}

/// `total` tasks over `causes` causes, unevenly (weights 1 to 5; what rounding leaves goes one
/// by one to the first causes).
fn sizes(total: usize, causes: usize) -> Vec<usize> {
    let weights: Vec<usize> = (0..causes).map(|i| 1 + (i * 7) % 5).collect();
    let sum: usize = weights.iter().sum();
    let mut n: Vec<usize> = weights.iter().map(|w| total * w / sum).collect();
    let rest = total - n.iter().sum::<usize>();
    for k in n.iter_mut().take(rest) {
        *k += 1;
    }
    n
}

/// Stops spread over the last 16 minutes, so that tasks built at the start of a long run are
/// still in the 60-minute window at its end.
fn ago(i: usize) -> u64 {
    60 + (i as u64 * 37) % 900
}

/// A scenario: its clusters, causes, and what the sweep must find.
struct Scenario {
    clusters: Vec<String>,
    causes: Vec<Cause>,
    /// Tasks per cause (same order as `causes`).
    counts: Vec<usize>,
    /// Tasks per cluster.
    per_cluster: Vec<usize>,
    /// Time spent building it on moto.
    build: Duration,
}

impl Scenario {
    async fn new(conf: &SdkConfig, s: &Shared, causes: usize) -> Scenario {
        let started = Instant::now();
        let prefixes = [
            "bench-east",
            "bench-west",
            "bench-batch",
            "bench-edge",
            "bench-jobs",
        ];
        let clusters = sw::clusters(conf, &prefixes[..CLUSTERS]).await;
        let mut made = Vec::with_capacity(causes);
        // A few at a time: each creates a log group, a task definition, a secret or a service.
        for chunk in (0..causes).collect::<Vec<_>>().chunks(5) {
            let part =
                futures_util::future::join_all(chunk.iter().map(|i| cause(conf, s, &clusters, *i)))
                    .await;
            made.extend(part);
        }
        Scenario {
            per_cluster: vec![0; clusters.len()],
            counts: vec![0; causes],
            clusters,
            causes: made,
            build: started.elapsed(),
        }
    }

    /// Runs (and stops) `total` more failed starts over the causes.
    async fn add_tasks(&mut self, conf: &SdkConfig, s: &Shared, total: usize) {
        let started = Instant::now();
        let n = sizes(total, self.causes.len());
        let mut batches = Vec::new();
        for (c, count) in self.causes.iter().zip(&n) {
            let k = c.clusters.len();
            for (slot, cluster) in c.clusters.iter().enumerate() {
                // Alternately: this cluster gets the tasks whose index is `slot` modulo `k`.
                let share = count / k + usize::from(slot < count % k);
                let reason = c.reason.clone();
                batches.push(Batch {
                    cluster: *cluster,
                    td: c.td.clone(),
                    group: c.group.clone(),
                    count: share,
                    reason: Box::new(move |i| {
                        scenario::failed_to_start(ago(i * k + slot), &reason)
                    }),
                });
            }
        }
        let per_cluster = sw::run_batches(conf, s, &self.clusters, &batches).await;
        for (a, b) in self.per_cluster.iter_mut().zip(per_cluster) {
            *a += b;
        }
        for (a, b) in self.counts.iter_mut().zip(n) {
            *a += b;
        }
        self.build += started.elapsed();
    }

    fn tasks(&self) -> usize {
        self.counts.iter().sum()
    }

    /// ListTasks pages AWS would serve for these clusters (at least one a cluster).
    fn aws_list_pages(&self) -> usize {
        self.per_cluster
            .iter()
            .map(|n| n.div_ceil(AWS_LIST_PAGE).max(1))
            .sum()
    }

    /// The listing's DescribeTasks (100 ARNs a call, per cluster) and DescribeNetworkInterfaces
    /// (the ENIs of tasks no service names, 100 a call) calls: the requests that grow with
    /// tasks (tests/sweep.rs checks these formulas).
    fn listing_batches(&self) -> (usize, usize) {
        let described = self.per_cluster.iter().map(|n| n.div_ceil(100)).sum();
        let enis: usize = self
            .causes
            .iter()
            .zip(&self.counts)
            .filter(|(c, _)| c.group.is_none())
            .map(|(_, n)| n)
            .sum();
        (described, enis.div_ceil(100))
    }
}

/// What one scenario's sweeps measured.
struct Measured {
    name: &'static str,
    tasks: usize,
    clusters: usize,
    causes: usize,
    groups: usize,
    calls: Calls,
    /// Median wall time of the sweeps.
    wall: Duration,
    /// ListTasks pages AWS would serve.
    aws_list_pages: usize,
    /// The listing's DescribeTasks and DescribeNetworkInterfaces calls.
    listing_batches: (usize, usize),
    build: Duration,
    /// Causes per kind.
    kinds: BTreeMap<Kind, usize>,
}

impl Measured {
    fn total(&self) -> usize {
        self.calls.total()
    }

    /// moto's count with ListTasks paged as AWS pages it.
    fn aws_total(&self) -> usize {
        self.total() - self.calls.get("ecs:ListTasks") + self.aws_list_pages
    }

    /// The listing's requests in AWS: ListTasks pages, DescribeTasks and ENI batches,
    /// DescribeServices. They grow with tasks (by the hundred) and clusters.
    fn listing(&self) -> usize {
        self.aws_list_pages
            + self.listing_batches.0
            + self.listing_batches.1
            + self.calls.get("ecs:DescribeServices")
    }

    /// The diagnoses' requests (one diagnosis a group, sharing a cache): everything else.
    fn diagnoses(&self) -> usize {
        self.aws_total() - self.listing()
    }
}

/// Checks a sweep's summary against the scenario; returns what is wrong.
fn check(s: &Value, sc: &Scenario) -> Vec<String> {
    let mut wrong = Vec::new();
    let Some(groups) = s["groups"].as_array() else {
        return vec![format!("no groups in the summary: {s:#}")];
    };
    if groups.len() != sc.causes.len() {
        wrong.push(format!(
            "{} groups found for {} causes",
            groups.len(),
            sc.causes.len()
        ));
    }
    let by_td: BTreeMap<&str, (&Cause, usize)> = sc
        .causes
        .iter()
        .zip(&sc.counts)
        .map(|(c, n)| (c.td.as_str(), (c, *n)))
        .collect();
    let mut seen = BTreeSet::new();
    for g in groups {
        let td = g["taskDefinition"].as_str().unwrap_or("?");
        let Some((cause, count)) = by_td.get(td) else {
            wrong.push(format!("a group of no cause: {g:#}"));
            continue;
        };
        if !seen.insert(td) {
            wrong.push(format!("two groups for {td}"));
        }
        if g["count"].as_u64() != Some(*count as u64) {
            wrong.push(format!("{td}: count {} for {count} tasks", g["count"]));
        }
        if g["failureClass"] != cause.kind.class() {
            wrong.push(format!(
                "{td}: failure class {} for a {} (expected {})",
                g["failureClass"],
                cause.kind.label(),
                cause.kind.class()
            ));
        }
        if !g["rootCause"].is_string() {
            wrong.push(format!("{td}: no root cause: {g:#}"));
        } else if g["rootCause"] != cause.kind.root_cause() {
            wrong.push(format!(
                "{td}: root cause {} for a {} (expected {})",
                g["rootCause"],
                cause.kind.label(),
                cause.kind.root_cause()
            ));
        }
        if g["verdict"] != "FAIL" {
            wrong.push(format!("{td}: verdict {}", g["verdict"]));
        }
    }
    // The sweep's order: largest first, then by task definition.
    let counts: Vec<u64> = groups.iter().filter_map(|g| g["count"].as_u64()).collect();
    if counts.windows(2).any(|w| w[0] < w[1]) {
        wrong.push(format!("groups not largest first: {counts:?}"));
    }
    let left = &s["leftOut"];
    for zero in [
        "groupsNotDiagnosed",
        "stoppedForOtherReasons",
        "outsideWindow",
        "undated",
    ] {
        if left[zero] != 0 {
            wrong.push(format!("leftOut.{zero} = {}", left[zero]));
        }
    }
    for empty in ["truncatedClusters", "clustersNotSwept", "unreadable"] {
        if left[empty].as_array().is_some_and(|a| !a.is_empty()) {
            wrong.push(format!("leftOut.{empty} = {}", left[empty]));
        }
    }
    let line = format!(
        "{} failed starts in {} groups across {} clusters",
        sc.tasks(),
        sc.causes.len(),
        sc.clusters.len()
    );
    if !s["summary"].as_str().unwrap_or("").starts_with(&line) {
        wrong.push(format!(
            "summary {} does not start with {line:?}",
            s["summary"]
        ));
    }
    wrong
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Sweeps a scenario `runs` times, prints what it measured, and records what is wrong.
fn measure(name: &'static str, sc: &Scenario, runs: usize, wrong: &mut Vec<String>) -> Measured {
    let mut walls = Vec::new();
    let mut calls: Option<Calls> = None;
    let mut last = Value::Null;
    for run in 0..runs {
        let swept = sw::sweep(&sc.clusters);
        for w in check(&swept.summary, sc) {
            wrong.push(format!("{name}, sweep {}: {w}", run + 1));
        }
        match &calls {
            None => calls = Some(swept.calls),
            Some(first) if *first != swept.calls => wrong.push(format!(
                "{name}, sweep {}: {} requests, the first sweep made {} ({:?} then {:?})",
                run + 1,
                swept.calls.total(),
                first.total(),
                first.0,
                swept.calls.0
            )),
            Some(_) => {}
        }
        walls.push(swept.wall);
        last = swept.summary;
    }
    walls.sort();
    let mut kinds = BTreeMap::new();
    for c in &sc.causes {
        *kinds.entry(c.kind).or_insert(0) += 1;
    }
    let m = Measured {
        name,
        tasks: sc.tasks(),
        clusters: sc.clusters.len(),
        causes: sc.causes.len(),
        groups: last["groups"].as_array().map_or(0, Vec::len),
        calls: calls.unwrap_or_default(),
        wall: walls[walls.len() / 2],
        aws_list_pages: sc.aws_list_pages(),
        listing_batches: sc.listing_batches(),
        build: sc.build,
        kinds,
    };
    println!(
        "\n== {name}: {} tasks, {} clusters, {} causes ==",
        thousands(m.tasks),
        m.clusters,
        m.causes
    );
    println!(
        "built on moto in {} (stopped tasks per cluster: {:?})",
        secs(m.build),
        sc.per_cluster
    );
    println!(
        "groups found: {} (expected {}); summary: {}",
        m.groups,
        m.causes,
        last["summary"].as_str().unwrap_or("?")
    );
    println!(
        "requests: {} on moto; ListTasks: {} on moto (one page a cluster), {} in AWS (ceil(n/100) a cluster) -> {} in AWS (+{})",
        m.total(),
        m.calls.get("ecs:ListTasks"),
        m.aws_list_pages,
        m.aws_total(),
        m.aws_total() - m.total()
    );
    println!(
        "of which listing (grows with tasks): {} (ListTasks {}, DescribeTasks batches {}, ENI batches {}, DescribeServices {}); diagnoses of {} groups: {} ({:.1} a group)",
        m.listing(),
        m.aws_list_pages,
        m.listing_batches.0,
        m.listing_batches.1,
        m.calls.get("ecs:DescribeServices"),
        m.groups,
        m.diagnoses(),
        m.diagnoses() as f64 / m.groups.max(1) as f64
    );
    println!(
        "wall time: {} (median of {runs}; all: {})",
        secs(m.wall),
        walls
            .iter()
            .map(|w| secs(*w))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("requests by operation:");
    for (op, n) in &m.calls.0 {
        println!("  {op:<40} {n:>5}");
    }
    println!("groups (count, cause, failure class, root cause):");
    let kind_of: BTreeMap<&str, Kind> = sc.causes.iter().map(|c| (c.td.as_str(), c.kind)).collect();
    if let Some(groups) = last["groups"].as_array() {
        for g in groups {
            let td = g["taskDefinition"].as_str().unwrap_or("?");
            println!(
                "  {:>5}  {:<36} {:<24} {}",
                g["count"],
                kind_of.get(td).map_or("?", |k| k.label()),
                g["failureClass"].as_str().unwrap_or("?"),
                g["rootCause"].as_str().unwrap_or("(none)")
            );
        }
    }
    m
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// `a → b` as `+d (+p%)`.
fn growth(a: usize, b: usize) -> String {
    let d = b as i64 - a as i64;
    let p = if a == 0 {
        0.0
    } else {
        100.0 * d as f64 / a as f64
    };
    format!("{d:+} ({p:+.0}%)")
}

fn main() {
    // `cargo bench` passes `--bench`. Without it (`cargo test --benches`), a smoke run: the
    // same checks on a tenth of the tasks, one sweep each.
    let bench = std::env::args().any(|a| a == "--bench");
    let tasks = env_usize("BENCH_SWEEP_TASKS", if bench { 1000 } else { 100 });
    let runs = env_usize("BENCH_RUNS", if bench { 3 } else { 1 }).max(1);
    if !bench {
        println!(
            "smoke run (no --bench): {tasks} tasks, {runs} sweep(s) each; `cargo bench --profile dev --bench sweep` runs the benchmark"
        );
    }
    let started = Instant::now();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(support::sdk_config());
    let s = rt.block_on(sw::shared(&conf));
    // How many Regions the secrets stage searches for a parameter missing from the task's.
    let regions = rt.block_on(async {
        aws_sdk_ec2::Client::new(&conf)
            .describe_regions()
            .send()
            .await
            .unwrap()
            .regions()
            .len()
    });
    let mut wrong = Vec::new();

    let mut base = rt.block_on(Scenario::new(&conf, &s, CAUSES));
    rt.block_on(base.add_tasks(&conf, &s, tasks));
    let m1 = measure("base", &base, runs, &mut wrong);
    // The same clusters and causes, as many tasks again.
    rt.block_on(base.add_tasks(&conf, &s, tasks));
    let m2 = measure("tasks x2", &base, runs, &mut wrong);
    // New clusters, twice the causes, the base number of tasks.
    let mut more = rt.block_on(Scenario::new(&conf, &s, 2 * CAUSES));
    rt.block_on(more.add_tasks(&conf, &s, tasks));
    let m3 = measure("causes x2", &more, runs, &mut wrong);
    let all = [&m1, &m2, &m3];

    println!("\n== growth ==");
    println!(
        "tasks x2:  requests {} on moto, {} in AWS",
        growth(m1.total(), m2.total()),
        growth(m1.aws_total(), m2.aws_total())
    );
    println!(
        "causes x2: requests {} on moto, {} in AWS; {:.1} requests per added cause",
        growth(m1.total(), m3.total()),
        growth(m1.aws_total(), m3.aws_total()),
        (m3.total() as f64 - m1.total() as f64) / (m3.causes - m1.causes) as f64
    );
    let kinds: BTreeSet<Kind> = m3.kinds.keys().copied().collect();
    println!(
        "causes by kind (base -> causes x2): {}",
        kinds
            .iter()
            .map(|k| format!(
                "{} {} -> {}",
                k.label(),
                m1.kinds.get(k).unwrap_or(&0),
                m3.kinds.get(k).unwrap_or(&0)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let ssm = |m: &Measured| {
        m.kinds
            .get(&Kind::SsmParameterMissing)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "moto's DescribeRegions lists {regions} Regions (an AWS account lists its enabled Regions: 17 unless it opted in to more)"
    );
    for m in all {
        println!(
            "{}: ssm:DescribeParameters {} for {} missing SSM parameters ({:.1} each), ec2:DescribeRegions {}",
            m.name,
            m.calls.get("ssm:DescribeParameters"),
            ssm(m),
            m.calls.get("ssm:DescribeParameters") as f64 / ssm(m).max(1) as f64,
            m.calls.get("ec2:DescribeRegions")
        );
    }

    println!("\n== Markdown (BENCHMARKS.md) ==\n");
    println!(
        "| sweep | tasks | clusters | causes | groups found | requests (moto) | ListTasks pages in AWS | requests (AWS estimate) | listing | diagnoses | diagnosis requests per group | wall (median of {runs}) |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for m in all {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} (moto: {}) | {} | {} | {} | {:.1} | {} |",
            m.name,
            thousands(m.tasks),
            m.clusters,
            m.causes,
            m.groups,
            m.total(),
            m.aws_list_pages,
            m.calls.get("ecs:ListTasks"),
            m.aws_total(),
            m.listing(),
            m.diagnoses(),
            m.diagnoses() as f64 / m.groups.max(1) as f64,
            secs(m.wall)
        );
    }
    println!();
    println!(
        "| operation | base | tasks x2 | causes x2 | growth with tasks | growth with causes | per added cause |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|");
    let ops: BTreeSet<&String> = all.iter().flat_map(|m| m.calls.0.keys()).collect();
    let added = (m3.causes - m1.causes) as f64;
    for op in ops {
        let (a, b, c) = (m1.calls.get(op), m2.calls.get(op), m3.calls.get(op));
        println!(
            "| `{op}` | {a} | {b} | {c} | {:+} | {:+} | {:.1} |",
            b as i64 - a as i64,
            c as i64 - a as i64,
            (c as f64 - a as f64) / added
        );
    }
    println!(
        "| **total (moto)** | {} | {} | {} | {:+} | {:+} | {:.1} |",
        m1.total(),
        m2.total(),
        m3.total(),
        m2.total() as i64 - m1.total() as i64,
        m3.total() as i64 - m1.total() as i64,
        (m3.total() as f64 - m1.total() as f64) / added
    );
    println!(
        "\nmoto's ListTasks does not paginate: AWS pages by 100, so a cluster of n stopped tasks costs ceil(n/100) ListTasks calls there; the AWS estimate adds them. Wall times are the CLI's (process start to exit) against moto on loopback; AWS adds a round trip per sequential request."
    );
    println!(
        "\nReproduce: cargo bench --profile dev --bench sweep   (BENCH_SWEEP_TASKS={tasks} BENCH_RUNS={runs}; whole run {})",
        secs(started.elapsed())
    );

    if !wrong.is_empty() {
        eprintln!("\nTHE SWEEP'S SUMMARY IS WRONG ({} problems):", wrong.len());
        for w in &wrong {
            eprintln!("- {w}");
        }
        std::process::exit(1);
    }
}
