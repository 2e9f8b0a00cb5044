//! The fault matrix (issue 7): every operation collect calls × every fault an account in
//! trouble produces, each injected into a real diagnosis of a moto scenario, and the report
//! checked: no panic, back within the budget, the stage that needs the read not PASS, and an
//! UNKNOWN finding that names the API and the cause ("timed out", the throttling or server
//! error code, or, for an access denial, the exact permission the function's role lacks).
//! Throttling that ends before the retries do gives the same report as no fault at all.
//!
//! Every fault is injected on the wire by `support::fault_proxy` in front of moto: delays,
//! resets, 500/503, and AWS error answers (throttling, access denied, not found) in each
//! service's own protocol, so the SDK's real deserializers and retry classifiers see them.
//! (aws-smithy-mocks was tried and dropped: its `test-util` features switch on serde_json's
//! `preserve_order`, which changes the key order of JSON the tool prints; see RELIABILITY.md.)

// The tests hold a std mutex across awaits on purpose: each has its own runtime, and the lock
// only orders whole tests (see `one_at_a_time`).
#![allow(clippy::await_holding_lock)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_config::SdkConfig;
use ecs_task_doctor::collect::Clients;
use ecs_task_doctor::collect::budget::CallPolicy;
use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::request::{Caller, DiagnoseRequest, Request, SweepRequest};
use ecs_task_doctor::stage::{StageName, StageSelection};
use futures_util::StreamExt;
use serde_json::Value;
use support::fault_proxy::{Fault, FaultProxy, access_denied, sdk_config_at, throttling};
use support::network::{self, NetworkScenario};
use support::placement::{Efs, PlacementScenario};
use support::{REGION, scenario, secrets, unique};
use tokio::time::Instant;

/// The run's budget in the matrix: short, so a slow read costs little test time.
const BUDGET: Duration = Duration::from_millis(2500);
/// The budget of the fault-free baselines and of the "throttling, then success" cells, whose
/// report must equal the baseline's: long enough for every read to finish, the CloudTrail
/// searches included (two a second, so a diagnosis's search of what changed can take a few
/// seconds), so that no read is cut at a point that depends on the machine's load.
const STEADY_BUDGET: Duration = Duration::from_secs(20);
/// The budget a cell runs with.
fn budget_of(kind: Kind) -> Duration {
    match kind {
        Kind::ThrottleThenOk => STEADY_BUDGET,
        _ => BUDGET,
    }
}
/// What a report may take past the budget: judging and the last cut calls unwinding, on a
/// loaded CI machine (the slowest seen: 0.45 s over, with 6 cells at once on 2 cores).
const SLACK: Duration = Duration::from_secs(1);
/// Cells run at once (each with its own proxy).
const PARALLEL: usize = 6;

/// The tests of this binary share one moto, and the matrix's sweep lists every cluster in it:
/// a test creating clusters meanwhile would change the sweep between its baseline and a
/// faulted run. So they run one at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The stated policy with short backoffs, so the retries of a throttled call take
/// milliseconds here instead of seconds. Attempts and timeouts are the real ones.
fn fast_retries() -> CallPolicy {
    CallPolicy {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        ..CallPolicy::STANDARD
    }
}

/// Retries that never give up before the budget does: "throttling until the budget is spent".
fn endless_retries() -> CallPolicy {
    CallPolicy {
        max_attempts: 1_000,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(100),
        ..CallPolicy::STANDARD
    }
}

/// The faults of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Two throttling answers, then moto's: the retries absorb it.
    ThrottleThenOk,
    /// Throttling on every attempt, retried until the budget ends.
    ThrottleUntilBudget,
    /// HTTP 500 on every attempt.
    Http500,
    /// HTTP 503 on every attempt.
    Http503,
    /// The connection reset on every attempt.
    Reset,
    /// An answer slower than the whole budget.
    Slow,
    /// The function's role may not call the operation.
    AccessDenied,
    /// The resource is gone by the time this call asks (the service's not-found answer).
    Vanish,
}

const KINDS: [Kind; 8] = [
    Kind::ThrottleThenOk,
    Kind::ThrottleUntilBudget,
    Kind::Http500,
    Kind::Http503,
    Kind::Reset,
    Kind::Slow,
    Kind::AccessDenied,
    Kind::Vanish,
];

/// The stage whose verdict depends on the operation's answer.
fn stage_of(op: &str) -> StageName {
    use StageName::*;
    match op {
        // What changed since the failure (the task stage) reads CloudTrail; so does the
        // network origin of a standalone task whose ENI is gone, whose UNKNOWN also lands
        // in the network stage.
        "ecs:DescribeTasks" | "ecs:DescribeTaskDefinition" | "cloudtrail:LookupEvents" => Task,
        "ecs:DescribeClusters"
        | "ecs:ListContainerInstances"
        | "ecs:DescribeContainerInstances" => Placement,
        "ec2:DescribeInstances" | "iam:GetInstanceProfile" => Iam,
        _ if op.starts_with("ec2:") || op == "ecs:DescribeServices" => Network,
        _ if op.starts_with("elasticfilesystem:") => Placement,
        _ if op.starts_with("ecr:") => Image,
        _ if op.starts_with("iam:") => Iam,
        _ if op.starts_with("logs:") => Logging,
        _ => Secrets,
    }
}

/// The not-found answer of the operation's service: what a call sees when the resource it
/// asks about was deleted after an earlier call named it.
fn vanished(op: &str) -> Fault {
    let code = match op {
        "ecs:DescribeTaskDefinition" | "ecs:DescribeTasks" | "ecs:DescribeServices" => {
            "ClientException"
        }
        "ecs:DescribeClusters"
        | "ecs:ListContainerInstances"
        | "ecs:DescribeContainerInstances"
        | "ecs:ListTasks" => "ClusterNotFoundException",
        "ec2:DescribeSubnets" => "InvalidSubnetID.NotFound",
        "ec2:DescribeVpcs" => "InvalidVpcID.NotFound",
        "ec2:DescribeSecurityGroups" | "ec2:DescribeSecurityGroupRules" => "InvalidGroup.NotFound",
        "ec2:DescribeNetworkInterfaces" => "InvalidNetworkInterfaceID.NotFound",
        "ec2:DescribeInstances" => "InvalidInstanceID.NotFound",
        "ec2:DescribeRouteTables" => "InvalidRouteTableID.NotFound",
        "ec2:DescribeManagedPrefixLists" => "InvalidPrefixListID.NotFound",
        _ if op.starts_with("ec2:") => "InvalidParameterValue",
        "iam:GetRole"
        | "iam:GetRolePolicy"
        | "iam:GetPolicy"
        | "iam:GetPolicyVersion"
        | "iam:ListRolePolicies"
        | "iam:ListAttachedRolePolicies"
        | "iam:GetInstanceProfile" => "NoSuchEntity",
        "ecr:DescribeRepositories" | "ecr:GetRepositoryPolicy" => "RepositoryNotFoundException",
        "ecr:DescribeImages" => "ImageNotFoundException",
        "kms:DescribeKey" => "NotFoundException",
        // A search has no resource to vanish; the closest is a page token that expired.
        "cloudtrail:LookupEvents" => "InvalidNextTokenException",
        "elasticfilesystem:DescribeMountTargets" => "FileSystemNotFound",
        "elasticfilesystem:DescribeMountTargetSecurityGroups" => "MountTargetNotFound",
        "elasticfilesystem:DescribeFileSystemPolicy" => "FileSystemNotFound",
        _ => "ResourceNotFoundException",
    };
    Fault::Error(code.to_string())
}

/// What a cell injects, and the retry policy it runs with.
fn injection(kind: Kind, op: &str) -> (Fault, Option<usize>, CallPolicy) {
    match kind {
        Kind::ThrottleThenOk => (throttling(op), Some(2), fast_retries()),
        Kind::ThrottleUntilBudget => (throttling(op), None, endless_retries()),
        Kind::Http500 => (Fault::Status(500), None, fast_retries()),
        Kind::Http503 => (Fault::Status(503), None, fast_retries()),
        Kind::Reset => (Fault::Reset, None, fast_retries()),
        Kind::Slow => (Fault::Delay(BUDGET * 4), None, fast_retries()),
        Kind::AccessDenied => (access_denied(op), None, fast_retries()),
        Kind::Vanish => (vanished(op), None, fast_retries()),
    }
}

/// The cause an UNKNOWN finding about the faulted API must name (evidence `cause`).
fn expected_cause(kind: Kind, op: &str) -> Option<Vec<String>> {
    let one = |s: &str| Some(vec![s.to_string()]);
    match kind {
        Kind::ThrottleThenOk | Kind::Vanish => None,
        Kind::Slow => one("timed out"),
        // The budget ends the retries, or this run's retry quota does first.
        Kind::ThrottleUntilBudget => match throttling(op) {
            Fault::Error(code) => Some(vec!["timed out".into(), code]),
            _ => unreachable!(),
        },
        Kind::Http500 => one("InternalFailure"),
        Kind::Http503 => one("ServiceUnavailable"),
        // A reset is a transport failure; retried until the attempts run out.
        Kind::Reset => Some(vec!["DispatchFailure".into(), "timed out".into()]),
        Kind::AccessDenied => Some(vec![format!("the function's role lacks {op}")]),
    }
}

/// What a scenario runs.
#[derive(Debug, Clone)]
enum Run {
    Diagnose(DiagnoseRequest),
    Sweep(SweepRequest),
}

fn engine(conf: &SdkConfig, policy: &CallPolicy) -> Engine {
    Engine::from_clients(Clients::with_policy(conf, policy), REGION)
}

/// Runs `run` through `proxy` with `policy` and the matrix budget; the report as JSON and
/// the time it took.
async fn run_through(
    proxy: &FaultProxy,
    policy: &CallPolicy,
    run: &Run,
    budget: Duration,
) -> (Value, Duration) {
    let conf = sdk_config_at(&proxy.endpoint).await;
    let engine = engine(&conf, policy);
    let start = Instant::now();
    let deadline = start + budget;
    let value = match run {
        Run::Diagnose(req) => {
            let d = Box::pin(engine.diagnose_within(req, deadline))
                .await
                .expect("a report");
            serde_json::to_value(&d.report).unwrap()
        }
        Run::Sweep(req) => {
            let s = Box::pin(engine.sweep_within(req, chrono::Utc::now(), deadline))
                .await
                .expect("a summary");
            let mut v = serde_json::to_value(&s).unwrap();
            // The window moves with the clock; the rest must not.
            v["from"] = Value::Null;
            v["to"] = Value::Null;
            v
        }
    };
    (value, start.elapsed())
}

fn lookup(cluster: &str, task: &str, stage: StageSelection) -> DiagnoseRequest {
    match Request::lookup(cluster, task, stage, Caller::Cli).unwrap() {
        Request::Diagnose(d) => d,
        Request::Sweep(_) => unreachable!(),
    }
}

/// A stop reason of class `other`, so every stage applies and reads.
const OTHER: &str = "CannotStartContainerError: Error response from daemon: failed to create task for container: OCI runtime create failed";

/// The scenarios, richest first: an EC2-launch-type task with EFS, secrets and logs (every
/// stage runs); a Fargate task with a KMS-encrypted secret and an SSM parameter; a service's
/// task whose ENI is gone, in a VPC with custom DNS; an EC2 bridge-mode task on an instance
/// with an instance profile; a sweep of every cluster (the listings). Each operation is
/// faulted in the first scenario that calls it.
async fn scenarios(conf: &SdkConfig) -> Vec<(String, Run)> {
    let mut s = PlacementScenario::new(1, 256, OTHER);
    s.efs = Some(Efs::Healthy);
    s.internet = true;
    s.secrets_and_logs = true;
    let ec2 = s.build(conf).await;

    let key = secrets::kms_key(conf).await;
    let secret = secrets::secret(conf, &unique("faults/db"), Some(&key)).await;
    let parameter = secrets::parameter(conf, REGION, &unique("/faults/token")).await;
    let fargate = scenario::fargate_task_with_secrets(
        conf,
        &[("DB", secret.as_str()), ("TOKEN", parameter.as_str())],
        Some(&scenario::failed_to_start(60, OTHER)),
    )
    .await;
    // A service's task whose ENI is gone (the network stage falls back on the service's
    // network configuration) in a VPC with custom DNS servers.
    let service = NetworkScenario::private_with_endpoints()
        .dhcp_dns_servers(&["10.0.0.2"])
        .as_service()
        .delete_task_eni()
        .build(conf)
        .await;
    // An EC2-launch-type task on an instance with an instance profile (its role is checked).
    let bridge = network::ec2_bridge_task(conf).await;
    let iam = aws_sdk_iam::Client::new(conf);
    let role = unique("instance-role");
    iam.create_role()
        .role_name(&role)
        .assume_role_policy_document(support::iam::EC2_TRUST)
        .send()
        .await
        .unwrap();
    let profile = unique("instance-profile");
    iam.create_instance_profile()
        .instance_profile_name(&profile)
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name(&profile)
        .role_name(&role)
        .send()
        .await
        .unwrap();
    aws_sdk_ec2::Client::new(conf)
        .associate_iam_instance_profile()
        .instance_id(&bridge.instance_id)
        .iam_instance_profile(
            aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                .name(&profile)
                .build(),
        )
        .send()
        .await
        .unwrap();
    vec![
        (
            "ec2+efs".into(),
            Run::Diagnose(lookup(&ec2.cluster, &ec2.task_id, StageSelection::All)),
        ),
        (
            "fargate+secrets".into(),
            Run::Diagnose(lookup(
                &fargate.cluster,
                &fargate.task_id,
                StageSelection::All,
            )),
        ),
        (
            "service-without-eni".into(),
            Run::Diagnose(lookup(
                &service.task.cluster,
                &service.task.task_id,
                StageSelection::All,
            )),
        ),
        (
            "ec2-bridge+instance-profile".into(),
            Run::Diagnose(lookup(
                &bridge.cluster,
                &bridge.task_id,
                StageSelection::All,
            )),
        ),
        (
            "sweep".into(),
            Run::Sweep(SweepRequest {
                clusters: vec![],
                lookback_minutes: 60,
            }),
        ),
    ]
}

/// The `service:Operation` literals in src/collect: the APIs collect calls (as
/// tests/template.rs finds them for the role).
fn apis_called() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/collect")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                let Some((svc, op)) = piece.split_once(':') else {
                    continue;
                };
                let svc_ok = !svc.is_empty()
                    && svc
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                let op_ok = op.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && op.chars().all(|c| c.is_ascii_alphanumeric());
                if svc_ok && op_ok {
                    found.insert(piece.to_string());
                }
            }
        }
    }
    found
}

/// Operations collect can call that no scenario here reaches, and why. The matrix fails on
/// any other operation it does not cover.
const NOT_REACHED: &[(&str, &str)] = &[];

fn findings(report: &Value) -> Vec<&Value> {
    let stages: Vec<&Value> = match report.get("stages") {
        Some(s) => s.as_array().unwrap().iter().collect(),
        None => vec![],
    };
    stages
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap().iter())
        .collect()
}

fn stage_status<'a>(report: &'a Value, stage: StageName) -> Option<&'a str> {
    report["stages"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == stage.as_str())
        .and_then(|s| s["status"].as_str())
}

/// The checks of one cell; each problem as a line.
fn check(
    kind: Kind,
    op: &str,
    baseline: &Value,
    report: &Value,
    took: Duration,
    faulted: usize,
) -> Vec<String> {
    let mut problems = Vec::new();
    if faulted == 0 {
        problems.push("the fault was never injected (no request matched)".to_string());
    }
    if took > budget_of(kind) + SLACK {
        problems.push(format!(
            "took {took:?}, over the budget {:?} + {SLACK:?}",
            budget_of(kind)
        ));
    }
    if kind == Kind::ThrottleThenOk {
        if report != baseline {
            problems.push(format!(
                "throttling then success changed the report:\nbaseline {baseline:#}\nfaulted {report:#}"
            ));
        }
        return problems;
    }
    let is_sweep = report.get("groups").is_some();
    if is_sweep {
        // A sweep names what it could not list in leftOut.unreadable as "api: code".
        let listed = report["leftOut"]["unreadable"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|u| u.starts_with(&format!("{op}:")))
            })
            .unwrap_or(false);
        if !listed {
            problems.push(format!(
                "the sweep does not name {op} in leftOut.unreadable: {:#}",
                report["leftOut"]
            ));
        }
        return problems;
    }
    let stage = stage_of(op);
    match stage_status(report, stage) {
        Some("PASS") => problems.push(format!("stage {stage} is PASS without {op}")),
        None => problems.push(format!("stage {stage} missing from the report")),
        Some(_) => {}
    }
    if let Some(causes) = expected_cause(kind, op) {
        let named = findings(report).into_iter().any(|f| {
            f["status"] == "UNKNOWN"
                && f["evidence"]["api"] == op
                && causes.iter().any(|c| f["evidence"]["cause"] == c.as_str())
        });
        if !named {
            let about: Vec<String> = findings(report)
                .into_iter()
                .filter(|f| f["status"] == "UNKNOWN")
                .map(|f| {
                    format!(
                        "{} {} {}",
                        f["code"], f["evidence"]["api"], f["evidence"]["cause"]
                    )
                })
                .collect();
            problems.push(format!(
                "no UNKNOWN finding names {op} with cause {causes:?}; UNKNOWN findings: {about:?}"
            ));
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_under_every_fault_still_gives_a_correct_report() {
    let _serial = one_at_a_time();
    let started = std::time::Instant::now();
    let moto = support::moto_endpoint();
    let conf = support::sdk_config().await;
    let runs = scenarios(&conf).await;

    // Baselines, through a recording proxy with no rule: which operations each scenario
    // calls, and the report the faulted runs are compared with.
    let mut first_caller: BTreeMap<String, usize> = BTreeMap::new();
    let mut baselines = Vec::new();
    for (i, (_, run)) in runs.iter().enumerate() {
        let proxy = FaultProxy::start(moto).await;
        let (report, took) = run_through(&proxy, &fast_retries(), run, STEADY_BUDGET).await;
        eprintln!(
            "baseline {}: {took:?}, {} requests: {:?}",
            runs[i].0,
            proxy.seen().values().sum::<usize>(),
            proxy.seen().get("cloudtrail:LookupEvents")
        );
        assert!(
            took < STEADY_BUDGET,
            "the fault-free {} run took {took:?}",
            runs[i].0
        );
        for op in proxy.seen().into_keys() {
            first_caller.entry(op).or_insert(i);
        }
        baselines.push(report);
    }

    // Coverage: every API collect names is faulted by some scenario, or listed as not reached.
    let apis = apis_called();
    let not_reached: BTreeSet<&str> = NOT_REACHED.iter().map(|(op, _)| *op).collect();
    let uncovered: Vec<&String> = apis
        .iter()
        .filter(|op| !first_caller.contains_key(*op) && !not_reached.contains(op.as_str()))
        .collect();

    let cells: Vec<(String, usize, Kind)> = apis
        .iter()
        .filter_map(|op| first_caller.get(op).map(|i| (op.clone(), *i)))
        .flat_map(|(op, i)| KINDS.iter().map(move |k| (op.clone(), i, *k)))
        .collect();
    let count = cells.len();
    let results: Vec<(String, Kind, Vec<String>, Duration)> = futures_util::stream::iter(cells)
        .map(|(op, i, kind)| {
            let runs = &runs;
            let baselines = &baselines;
            async move {
                let proxy = FaultProxy::start(moto).await;
                let (fault, times, policy) = injection(kind, &op);
                proxy.fault(&op, fault, times);
                let (report, took) =
                    run_through(&proxy, &policy, &runs[i].1, budget_of(kind)).await;
                let problems = check(kind, &op, &baselines[i], &report, took, proxy.faulted(&op));
                (format!("{op} [{}]", runs[i].0), kind, problems, took)
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let slowest = results.iter().map(|r| r.3).max().unwrap_or_default();
    let mut failures: Vec<String> = results
        .into_iter()
        .filter(|(_, _, p, _)| !p.is_empty())
        .map(|(cell, kind, p, _)| format!("{cell} × {kind:?}:\n  {}", p.join("\n  ")))
        .collect();
    failures.sort();
    eprintln!(
        "fault matrix: {count} cells ({} operations × {} faults) in {:?}; slowest report {slowest:?} (budget {BUDGET:?})",
        count / KINDS.len(),
        KINDS.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        uncovered.is_empty(),
        "no scenario calls these operations, so the matrix does not cover them: {uncovered:?}"
    );
}

/// A fault-free run under a deadline that has already passed: every read is "timed out", the
/// report still comes back at once, and nothing is PASS.
#[tokio::test]
async fn a_spent_budget_gives_a_report_with_nothing_passed() {
    let _serial = one_at_a_time();
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(&scenario::failed_to_start(60, OTHER))).await;
    let engine = engine(&conf, &CallPolicy::STANDARD);
    let req = lookup(&t.cluster, &t.task_id, StageSelection::All);
    let start = Instant::now();
    let d = engine.diagnose_within(&req, start).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    let report = serde_json::to_value(&d.report).unwrap();
    assert_eq!(report["verdict"], "UNKNOWN", "{report:#}");
    let f = &findings(&report)[0];
    assert_eq!(f["evidence"]["api"], "ecs:DescribeTasks");
    assert_eq!(f["evidence"]["cause"], "timed out");
    assert!(findings(&report).iter().all(|f| f["status"] != "PASS"));
}

/// A read in flight when the budget ends is cut there, and what was read before is kept:
/// the task and its definition are known, only the slow stage's read is "timed out".
#[tokio::test]
async fn a_slow_read_is_cut_at_the_deadline_and_earlier_facts_are_kept() {
    let _serial = one_at_a_time();
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(&scenario::failed_to_start(60, OTHER))).await;
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    proxy.fault(
        "logs:DescribeLogGroups",
        Fault::Delay(Duration::from_secs(60)),
        None,
    );
    let engine = engine(&sdk_config_at(&proxy.endpoint).await, &CallPolicy::STANDARD);
    let req = lookup(&t.cluster, &t.task_id, StageSelection::All);
    let start = Instant::now();
    let d = engine
        .diagnose_within(&req, start + Duration::from_secs(2))
        .await
        .unwrap();
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_millis(2700),
        "{took:?}"
    );
    assert!(
        d.facts.task.value().is_some(),
        "the task read before the deadline is kept"
    );
    assert!(
        d.facts
            .task_definition
            .as_ref()
            .and_then(|t| t.value())
            .is_some()
    );
    let u = d
        .facts
        .logging
        .as_ref()
        .map(|l| serde_json::to_value(l).unwrap());
    let text = serde_json::to_string(&u).unwrap();
    assert!(text.contains("TimedOut"), "{text}");
    let report = serde_json::to_value(&d.report).unwrap();
    assert_ne!(stage_status(&report, StageName::Logging), Some("PASS"));
}

/// The CLI's `--timeout` is the run's budget: with DescribeTasks slower than it, the report
/// comes back (exit 0) at the timeout, saying the task could not be read: timed out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_timeout_is_the_budget() {
    let _serial = one_at_a_time();
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(&scenario::failed_to_start(60, OTHER))).await;
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    proxy.fault(
        "ecs:DescribeTasks",
        Fault::Delay(Duration::from_secs(30)),
        None,
    );
    let endpoint = proxy.endpoint.clone();
    let start = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = support::cli();
        support::cli_env(&mut cmd)
            .env("AWS_ENDPOINT_URL", &endpoint)
            .args(["diagnose", "--cluster", &t.cluster, "--task", &t.task_id])
            .args(["--format", "json", "--timeout", "1s"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = findings(&report)[0];
    assert_eq!(f["evidence"]["api"], "ecs:DescribeTasks");
    assert_eq!(f["evidence"]["cause"], "timed out");
    assert_eq!(report["verdict"], "UNKNOWN");
}
