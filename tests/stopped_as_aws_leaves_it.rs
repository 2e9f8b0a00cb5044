//! Issue 15's "done means": on moto with every stopped task's ENI deleted, as AWS deletes it,
//! each scenario gives the same root cause whether the task was a service's (its groups from
//! the deployment that started it), a standalone RunTask task (its groups from CloudTrail's
//! RunTask event, served by the harness from the request moto really received), or diagnosed
//! from its EventBridge event; and every healthy configuration gets a verdict of PASS or WARN,
//! with no FAIL.

mod support;

use serde_json::Value;
use support::network::{NetworkScenario, TaskEgress};
use support::standard::{self, Launch};

const ALL_ENDPOINTS: &[&str] = &["ecr.api", "ecr.dkr", "logs", "secretsmanager"];

/// One scenario's three reports: by task ID, and from the event ECS would send.
async fn reports(scenario: NetworkScenario) -> (Value, Value) {
    let conf = support::sdk_config().await;
    let built = scenario.build(&conf).await;
    let by_id = support::diagnose_json(&built.task.cluster, &built.task.task_id, &[]);
    let event =
        standard::event_from_describe_tasks(&conf, &built.task.cluster, &built.task.task_id).await;
    let dir = std::env::temp_dir().join(format!("ecs-doctor-aws-state-{}", built.task.task_id));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("event.json");
    std::fs::write(&file, serde_json::to_vec(&event).unwrap()).unwrap();
    let out = support::cli_env(&mut support::cli())
        .args([
            "diagnose",
            "--event",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_event: Value = serde_json::from_slice(&out.stdout).unwrap();
    (by_id, from_event)
}

fn fails(r: &Value) -> Vec<String> {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .filter(|f| f["status"] == "FAIL")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Where the network stage says the task's groups came from.
fn source(r: &Value) -> Option<String> {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .find(|f| f["code"] == "NET_TASK_CONFIG_UNKNOWN")
        .and_then(|f| f["evidence"]["source"].as_str().map(str::to_string))
}

/// Every launch of a scenario, with the source the groups must come from.
fn launches(base: fn() -> NetworkScenario) -> Vec<(&'static str, NetworkScenario, &'static str)> {
    vec![
        ("standalone", base(), "cloudTrail"),
        ("service", base().as_service(), "deployment"),
    ]
}

async fn same_root_cause_every_way(name: &str, base: fn() -> NetworkScenario, want: &str) {
    for (launch, scenario, from) in launches(base) {
        let (by_id, from_event) = reports(scenario).await;
        for (how, r) in [("task ID", &by_id), ("event", &from_event)] {
            assert_eq!(
                r["rootCause"], want,
                "{name}, {launch} task, from its {how}: {:#}",
                r["stages"]
            );
            assert_eq!(r["verdict"], "FAIL", "{name}, {launch}, {how}");
            assert_eq!(
                source(r).as_deref(),
                Some(from),
                "{name}, {launch}, {how}: the report says where the groups came from"
            );
        }
    }
}

#[tokio::test]
async fn the_seed_case_is_found_every_way() {
    same_root_cause_every_way(
        "seed",
        || NetworkScenario::private_with_endpoints().interface_endpoints(ALL_ENDPOINTS),
        "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING",
    )
    .await;
}

#[tokio::test]
async fn an_endpoint_group_without_ingress_is_found_every_way() {
    same_root_cause_every_way(
        "endpoint SG",
        || {
            NetworkScenario::private_with_endpoints()
                .interface_endpoints(ALL_ENDPOINTS)
                .task_egress(TaskEgress::EndpointsAndS3)
                .endpoint_sg_allows_task(false)
        },
        "NET_ENDPOINT_SG_INGRESS_BLOCKED",
    )
    .await;
}

/// The healthy configurations: nothing outside the task stage fails, so the verdict is not
/// FAIL and the summary says the configuration does not explain the failure.
#[tokio::test]
async fn healthy_configurations_are_not_failures() {
    let healthy: [(&str, fn() -> NetworkScenario); 2] = [
        ("endpoints with S3 egress", || {
            NetworkScenario::private_with_endpoints()
                .interface_endpoints(ALL_ENDPOINTS)
                .task_egress(TaskEgress::EndpointsAndS3)
        }),
        ("NAT", NetworkScenario::private_with_nat),
    ];
    for (name, base) in healthy {
        for (launch, scenario, _) in launches(base) {
            let (by_id, from_event) = reports(scenario).await;
            for (how, r) in [("task ID", &by_id), ("event", &from_event)] {
                assert!(
                    fails(r).is_empty(),
                    "{name}, {launch}, {how}: {:?}",
                    fails(r)
                );
                let verdict = r["verdict"].as_str().unwrap();
                assert!(
                    verdict == "PASS" || verdict == "WARN",
                    "{name}, {launch}, {how}: verdict {verdict}: {:#}",
                    r["stages"]
                );
                let summary = r["summary"].as_str().unwrap();
                assert!(
                    summary.contains("does not explain it") && summary.contains("Verified:"),
                    "{name}, {launch}, {how}: {summary}"
                );
            }
        }
    }
}

/// A service whose network configuration changed after the task started: the task is
/// judged with the groups of the deployment that started it, not the service's new ones.
#[tokio::test]
async fn the_deployment_that_started_the_task_wins_over_the_services_current_configuration() {
    let (by_id, _) = reports(
        NetworkScenario::private_with_endpoints()
            .interface_endpoints(ALL_ENDPOINTS)
            .as_service()
            .service_network_changed_after_start(),
    )
    .await;
    assert_eq!(by_id["rootCause"], "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING");
    assert_eq!(source(&by_id).as_deref(), Some("deployment"));
}

/// A task set's task (EXTERNAL deployment controller): its groups come from the task set.
#[tokio::test]
async fn a_task_sets_task_is_judged_with_the_task_sets_configuration() {
    let (by_id, _) = reports(
        NetworkScenario::private_with_endpoints()
            .interface_endpoints(ALL_ENDPOINTS)
            .as_task_set(),
    )
    .await;
    assert_eq!(by_id["rootCause"], "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING");
    assert_eq!(source(&by_id).as_deref(), Some("taskSet"));
}

/// The standard scenarios both ways: none reports a FAIL it could only have found from
/// moto's surviving ENI (the same FAIL codes as a service's task and as a standalone one).
#[tokio::test]
async fn the_standard_scenarios_agree_as_service_and_standalone() {
    let conf = support::sdk_config().await;
    let standalone = standard::cases_as(&conf, Launch::Standalone).await;
    let service = standard::cases_as(&conf, Launch::Service).await;
    for (a, b) in standalone.iter().zip(&service) {
        let ra = support::diagnose_json(&a.cluster, &a.task_id, &[]);
        let rb = support::diagnose_json(&b.cluster, &b.task_id, &[]);
        assert_eq!(ra["rootCause"], rb["rootCause"], "{}", a.name);
        let (mut fa, mut fb) = (fails(&ra), fails(&rb));
        fa.sort();
        fb.sort();
        assert_eq!(fa, fb, "{}", a.name);
    }
}
