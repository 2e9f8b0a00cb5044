//! What one diagnosis asks AWS (issue 8), on the four standard scenarios, from the task ID and
//! from the EventBridge event: no request repeats another of the same run (no resource is
//! described twice), and a warm process does not read again an IAM policy version it has read.
//!
//! The requests are counted at the latency proxy of tests/support/fault_proxy.rs, which names
//! each one by its operation and what it asks for. The number of rounds and the wall time are
//! measured by benches/critical_path.rs, not here: they are timings.

mod support;

use std::collections::BTreeMap;

use ecs_task_doctor::collect::Clients;
use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::request::{Caller, DiagnoseRequest, Request};
use ecs_task_doctor::stage::StageSelection;

use support::REGION;
use support::fault_proxy::{FaultProxy, Served};
use support::standard::{cases, event_for};

/// Requests of `log` that repeat an earlier one, with how many times each was sent.
fn repeats(log: &[Served]) -> BTreeMap<String, usize> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for s in log {
        *seen
            .entry(format!("{} {}", s.operation, s.asked))
            .or_default() += 1;
    }
    seen.retain(|_, n| *n > 1);
    seen
}

fn count(log: &[Served], operation: &str) -> usize {
    log.iter().filter(|s| s.operation == operation).count()
}

#[tokio::test]
async fn no_resource_is_described_twice_in_one_diagnosis() {
    let conf = support::sdk_config().await;
    let built = cases(&conf).await;
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    let through_proxy = support::fault_proxy::sdk_config_at(&proxy.endpoint).await;
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
        // A fresh engine for each: a cold process, which reads everything.
        let engine = Engine::from_clients(Clients::new(&through_proxy), REGION);
        proxy.take_log();
        let d = engine.diagnose(&by_id).await.unwrap();
        let from_id = proxy.take_log();
        let task = serde_json::to_value(&d.facts.task).unwrap();
        let Request::Diagnose(by_event) = Request::from_value(event_for(&task["value"]["task"]))
            .unwrap_or_else(|e| panic!("{}: the event is refused: {e}", case.name))
        else {
            unreachable!()
        };
        let engine = Engine::from_clients(Clients::new(&through_proxy), REGION);
        let from_event = {
            engine.diagnose(&by_event).await.unwrap();
            proxy.take_log()
        };
        for (from, log) in [("task ID", &from_id), ("event", &from_event)] {
            assert!(
                log.len() > 10,
                "{} from the {from}: {} requests",
                case.name,
                log.len()
            );
            assert_eq!(
                repeats(log),
                BTreeMap::new(),
                "{} from the {from}: a request repeats",
                case.name
            );
        }
        // The event already holds the task: the same reads less DescribeTasks.
        assert_eq!(count(&from_id, "ecs:DescribeTasks"), 1, "{}", case.name);
        assert_eq!(count(&from_event, "ecs:DescribeTasks"), 0, "{}", case.name);
        assert_eq!(from_event.len(), from_id.len() - 1, "{}", case.name);
    }
}

#[tokio::test]
async fn a_warm_process_reads_a_policy_version_once() {
    let conf = support::sdk_config().await;
    // The seed case's execution role has the AWS managed AmazonECSTaskExecutionRolePolicy.
    let seed = support::network::NetworkScenario::private_with_endpoints()
        .build(&conf)
        .await;
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    let through_proxy = support::fault_proxy::sdk_config_at(&proxy.endpoint).await;
    let Request::Diagnose(req): Request = Request::lookup(
        &seed.task.cluster,
        &seed.task.task_id,
        StageSelection::All,
        Caller::Cli,
    )
    .unwrap() else {
        unreachable!()
    };
    let req: DiagnoseRequest = req;
    let engine = Engine::from_clients(Clients::new(&through_proxy), REGION);
    proxy.take_log();
    let cold = engine.diagnose(&req).await.unwrap();
    let cold_log = proxy.take_log();
    let warm = engine.diagnose(&req).await.unwrap();
    let warm_log = proxy.take_log();
    assert!(
        count(&cold_log, "iam:GetPolicyVersion") >= 1,
        "{cold_log:#?}"
    );
    // GetPolicy still says which version is the default today; its document is known.
    assert_eq!(
        count(&warm_log, "iam:GetPolicy"),
        count(&cold_log, "iam:GetPolicy")
    );
    assert_eq!(count(&warm_log, "iam:GetPolicyVersion"), 0);
    // Same facts, same report.
    assert_eq!(
        serde_json::to_value(&cold.facts.iam).unwrap(),
        serde_json::to_value(&warm.facts.iam).unwrap()
    );
    assert_eq!(cold.report.root_cause, warm.report.root_cause);
}
