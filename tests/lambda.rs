//! The Lambda handler, called as the runtime calls it, with each caller's event.

mod support;

use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::handler::{self, HandlerError};
use lambda_runtime::Diagnostic;
use serde_json::{Value, json};
use support::scenario::{self, PULL_TIMEOUT};

async fn engine() -> Engine {
    Engine::new(&support::sdk_config().await).unwrap()
}

fn event_file(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn bad(event: Value) -> Diagnostic {
    let err: HandlerError = handler::handle(&engine().await, event).await.unwrap_err();
    Diagnostic::from(err)
}

#[tokio::test]
async fn automation_single_stage_is_flat_for_selectors() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let out = handler::handle(
        &engine().await,
        json!({"ClusterName": t.cluster, "TaskId": t.task_arn, "Stage": "task"}),
    )
    .await
    .unwrap();
    // `$.Payload.status`, `$.Payload.rootCause`, `$.Payload.summary` are what the document reads.
    assert_eq!(out["name"], "task");
    // Classifying the stop reason is not a failed check.
    assert_eq!(out["status"], "WARN");
    assert_eq!(out["rootCause"], "TASK_STOP_REASON_CLASSIFIED");
    assert_eq!(out["failureClass"], "image-pull-network");
    assert!(out["summary"].as_str().unwrap().contains("failed to start"));
    assert_eq!(out["findings"][0]["code"], "TASK_STOP_REASON_CLASSIFIED");

    let network = handler::handle(
        &engine().await,
        json!({"ClusterName": t.cluster, "TaskId": t.task_id, "Stage": "network"}),
    )
    .await
    .unwrap();
    // No NAT, no internet gateway, no endpoints in the scenario's VPC.
    assert_eq!(network["status"], "FAIL");
    assert_eq!(network["rootCause"], "NET_NO_PATH_TO_SERVICE");
    assert!(network["paths"].as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn automation_all_stages_returns_the_report_with_status() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, None).await;
    let out = handler::handle(
        &engine().await,
        json!({"ClusterName": t.cluster, "TaskId": t.task_id}),
    )
    .await
    .unwrap();
    assert_eq!(out["schemaVersion"], "1");
    assert_eq!(out["status"], out["verdict"]);
    assert_eq!(
        out["rootCause"], "",
        "no root cause is an empty string for Automation selectors"
    );
    assert_eq!(out["stages"][0]["findings"][0]["code"], "TASK_NOT_STOPPED");
}

#[tokio::test]
async fn the_shipped_events_are_understood() {
    // events/automation.json names a task in another account: moto does not know it.
    let out = handler::handle(&engine().await, event_file("automation.json"))
        .await
        .unwrap();
    assert_eq!(out["findings"][0]["code"], "TASK_NOT_FOUND");

    // events/task-state-change.json is diagnosed from the event itself.
    let out = handler::handle(&engine().await, event_file("task-state-change.json"))
        .await
        .unwrap();
    assert_eq!(out["task"]["failureClass"], "image-pull-network");
    assert_eq!(out["task"]["stopCode"], "TaskFailedToStart");
    // The event's account (111122223333) has nothing in moto: its subnet is unknown (network
    // UNKNOWN), and its ECR repository does not exist, which the image stage reports.
    assert_eq!(out["rootCause"], "IMG_REPOSITORY_NOT_FOUND", "{out:#}");

    let out = handler::handle(&engine().await, event_file("scheduled-sweep.json"))
        .await
        .unwrap();
    // The schedule sweeps every cluster of the Region (here: whatever the other tests of
    // this binary built); the answer is the sweep summary.
    assert!(out["groups"].is_array(), "{out:#}");
    assert!(
        out["summary"].as_str().unwrap().contains("failed start"),
        "{out:#}"
    );
    assert_eq!(out["schemaVersion"], "1");

    // A bare {"Sweep": ...} constant input names its clusters.
    let out = handler::handle(
        &engine().await,
        json!({"Sweep": {"Clusters": ["no-such-cluster"], "LookbackMinutes": 30}}),
    )
    .await
    .unwrap();
    assert_eq!(out["groups"].as_array().unwrap().len(), 0, "{out:#}");
    assert_eq!(out["status"], "SKIPPED");
    assert_eq!(
        out["leftOut"]["unreadable"][0], "ecs:ListTasks: ClusterNotFoundException",
        "{out:#}"
    );
}

#[tokio::test]
async fn bad_events_get_clear_errors() {
    let cases = [
        (json!({}), "empty JSON object"),
        (json!(null), "got null"),
        (json!([]), "got an array"),
        (
            json!({"ClusterName": 42, "TaskId": "abc"}),
            "'ClusterName' must be a string, got a number",
        ),
        (
            json!({"ClusterName": "prod", "TaskId": {"id": 1}}),
            "'TaskId' must be a string, got an object",
        ),
        (json!({"ClusterName": "prod"}), "'TaskId' is missing"),
        (
            json!({"ClusterName": "arn:aws:ecs:us-east-1:123456789012:cluster", "TaskId": "abc"}),
            "ClusterName:",
        ),
        (
            json!({"ClusterName": "prod", "TaskId": "arn:aws:ecs::123456789012:task/prod/abc"}),
            "Region",
        ),
        (
            json!({"ClusterName": "arn:aws:ecs:ap-southeast-2:123456789012:cluster/prod", "TaskId": "abc"}),
            "Region ap-southeast-2, but this run is in us-east-1",
        ),
        (
            json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}}),
            "unsupported EventBridge event",
        ),
        (
            json!({"detail-type": "ECS Task State Change", "source": "aws.ecs", "detail": {"taskArn": 1}}),
            "detail.taskArn",
        ),
        (
            json!({"ClusterName": "x".repeat(300 * 1024), "TaskId": "abc"}),
            "over the 262144-byte limit",
        ),
    ];
    for (event, needle) in cases {
        let d = bad(event.clone()).await;
        assert_eq!(d.error_type, "InvalidEvent", "{event}");
        assert!(
            d.error_message.contains(needle),
            "{needle:?} not in {:?}",
            d.error_message
        );
    }
}

#[tokio::test]
async fn an_event_from_another_region_is_refused() {
    let mut ev = event_file("task-state-change.json");
    let text = ev.to_string().replace("us-east-1", "eu-central-1");
    ev = serde_json::from_str(&text).unwrap();
    let d = bad(ev).await;
    assert!(
        d.error_message.contains("eu-central-1"),
        "{}",
        d.error_message
    );
}
