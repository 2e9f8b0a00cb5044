//! The engine against moto: scenarios built through the SDK, diagnosed through the library.

mod support;

use ecs_task_doctor::codes::Code;
use ecs_task_doctor::engine::{self, Engine};
use ecs_task_doctor::facts::{Readable, TaskLookup};
use ecs_task_doctor::report::{FailureClass, Report, Status};
use ecs_task_doctor::request::{Caller, Request};
use ecs_task_doctor::snapshot;
use ecs_task_doctor::stage::{StageName, StageSelection};
use serde_json::json;
use support::scenario::{self, PULL_TIMEOUT, SECRET_ENV_VALUE};

async fn engine() -> Engine {
    Engine::new(&support::sdk_config().await).unwrap()
}

async fn diagnose(cluster: &str, task: &str) -> engine::Diagnosis {
    let Request::Diagnose(req) =
        Request::lookup(cluster, task, StageSelection::All, Caller::Cli).unwrap()
    else {
        unreachable!()
    };
    engine().await.diagnose(&req).await.unwrap()
}

/// The task stage's own finding about the task (the first; what changed since follows it).
fn task_finding(r: &Report) -> &ecs_task_doctor::report::Finding {
    let stage = r.stages.iter().find(|s| s.name == StageName::Task).unwrap();
    assert!(
        stage
            .findings
            .iter()
            .skip(1)
            .all(|f| f.code == Code::TaskChangedSinceFailure),
        "{stage:?}"
    );
    &stage.findings[0]
}

#[tokio::test]
async fn stopped_task_with_cannot_pull_is_classified() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let d = diagnose(&t.cluster, &t.task_id).await;
    let r = &d.report;

    // The harness stops the task as AWS does, with stopCode TaskFailedToStart.
    assert_eq!(r.task.stop_code.as_deref(), Some("TaskFailedToStart"));
    assert_eq!(r.task.arn.as_deref(), Some(t.task_arn.as_str()));
    assert_eq!(r.task.failure_class, Some(FailureClass::ImagePullNetwork));
    assert_eq!(r.verdict, Status::Fail);
    // The scenario's VPC has no NAT, no internet gateway and no endpoints: nothing the
    // pull needs is reachable, and the network stage says so.
    assert_eq!(
        r.root_cause,
        Some(Code::NetNoPathToService),
        "{:#?}",
        r.stages
    );
    let f = task_finding(r);
    // Classifying the stop reason is not a failed check.
    assert_eq!(f.status, Status::Warn);
    assert_eq!(f.evidence["pattern"], json!("pull.layer-bucket"));
    let network = r
        .stages
        .iter()
        .find(|s| s.name == StageName::Network)
        .unwrap();
    assert_eq!(network.status, Status::Fail);
    assert!(
        network
            .paths
            .iter()
            .any(|p| p.destination == "s3 (ECR layers)" && p.status == Status::Fail)
    );
    // The scenario's image exists and its execution role may pull it: those stages pass, so
    // the network is the only thing the report blames.
    for s in r
        .stages
        .iter()
        .filter(|s| matches!(s.name, StageName::Image | StageName::Iam))
    {
        assert_eq!(s.status, Status::Pass, "{s:#?}");
    }
    let placement = r
        .stages
        .iter()
        .find(|s| s.name == StageName::Placement)
        .unwrap();
    assert!(
        placement.summary.contains("Does not apply"),
        "{placement:?}"
    );

    // The task definition was read, and its environment value never stored.
    let td = d
        .facts
        .task_definition
        .as_ref()
        .and_then(Readable::value)
        .expect("task definition read");
    assert_eq!(td.task_definition_arn, t.task_definition_arn);
    assert_eq!(
        td.container_definitions[0].environment_names,
        vec!["DB_PASSWORD".to_string()]
    );
    let all = format!(
        "{}{}",
        snapshot::to_string(&d.facts),
        serde_json::to_string(r).unwrap()
    );
    assert!(
        !all.contains(SECRET_ENV_VALUE),
        "an environment value leaked"
    );
}

#[tokio::test]
async fn unknown_task_id_is_task_not_found() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let d = diagnose(&t.cluster, "0123456789abcdef0123456789abcdef").await;
    let f = task_finding(&d.report);
    assert_eq!(f.code, Code::TaskNotFound);
    assert_eq!(f.status, Status::Unknown);
    assert!(f.detail.contains("about one hour"), "{}", f.detail);
    assert!(f.remediation.contains("--event"), "{}", f.remediation);
    assert_eq!(d.report.verdict, Status::Unknown);
    assert_eq!(d.report.root_cause, None);
    assert!(
        d.facts.task_definition.is_none(),
        "nothing to read without a task"
    );
}

#[tokio::test]
async fn a_prefix_of_a_real_task_id_is_not_that_task() {
    // moto matches task IDs by substring; ECS does not. The answer is checked.
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let prefix = &t.task_id[..8];
    let d = diagnose(&t.cluster, prefix).await;
    assert_eq!(task_finding(&d.report).code, Code::TaskNotFound);
}

#[tokio::test]
async fn running_task_is_not_stopped() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, None).await;
    let d = diagnose(&t.cluster, &t.task_arn).await;
    let f = task_finding(&d.report);
    assert_eq!(f.code, Code::TaskNotStopped);
    assert_eq!(f.status, Status::Warn);
    assert_eq!(d.report.task.failure_class, None);
    assert_eq!(d.report.root_cause, None);
    for s in d.report.stages.iter().filter(|s| s.name != StageName::Task) {
        assert_eq!(s.status, Status::Skipped);
        assert!(s.summary.contains("did not fail to start"), "{s:?}");
    }
}

#[tokio::test]
async fn task_stopped_for_another_reason() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some("Essential container in task exited")).await;
    let d = diagnose(&t.cluster, &t.task_id).await;
    let f = task_finding(&d.report);
    assert_eq!(f.code, Code::TaskStoppedForOtherReason);
    assert_eq!(f.status, Status::Warn);
}

#[tokio::test]
async fn unknown_cluster_is_reported_not_crashed() {
    let d = diagnose("no-such-cluster", "0123456789abcdef0123456789abcdef").await;
    let f = task_finding(&d.report);
    assert_eq!(f.code, Code::TaskNotFound);
    assert_eq!(f.evidence["errorCode"], json!("ClusterNotFoundException"));
    let Readable::Unreadable(u) = &d.facts.task else {
        panic!("expected an unreadable fact")
    };
    assert_eq!(u.api, "ecs:DescribeTasks");
}

/// An EventBridge event for a task ECS no longer knows: the event alone carries it.
fn stopped_task_event(task_definition_arn: &str, cluster: &str) -> serde_json::Value {
    let task_arn = format!(
        "arn:aws:ecs:us-east-1:123456789012:task/{cluster}/f00dfeedf00dfeedf00dfeedf00dfeed"
    );
    json!({
        "version": "0", "id": "3317b2af-7005-947d-b652-f55e762e571a",
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": "123456789012", "time": "2026-11-27T10:00:59Z", "region": "us-east-1",
        "resources": [task_arn],
        "detail": {
            "taskArn": task_arn,
            "clusterArn": format!("arn:aws:ecs:us-east-1:123456789012:cluster/{cluster}"),
            "taskDefinitionArn": task_definition_arn,
            "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "launchType": "FARGATE",
            "stopCode": "TaskFailedToStart",
            "stoppedReason": "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration.",
            "stoppedAt": "2026-11-27T10:00:58.641Z",
            "containers": [{"name": "api", "lastStatus": "STOPPED"}],
            "attachments": [{"id": "a1", "type": "eni", "status": "DELETED",
                             "details": [{"name": "subnetId", "value": "subnet-0c4d5e6f7a8b9c0d1"}]}],
            "version": 4
        }
    })
}

#[tokio::test]
async fn diagnosis_from_an_eventbridge_event_alone() {
    let conf = support::sdk_config().await;
    let family = support::unique("from-event");
    let td = scenario::task_definition(&conf, &family).await;
    let cluster = support::unique("gone");
    // Neither the cluster nor the task exists in moto: a DescribeTasks call would fail.
    let Request::Diagnose(req) = Request::from_value(stopped_task_event(&td, &cluster)).unwrap()
    else {
        panic!("not a diagnosis")
    };
    let d = engine().await.diagnose(&req).await.unwrap();
    let Readable::Read {
        value: TaskLookup::Found { task },
    } = &d.facts.task
    else {
        panic!("{:?}", d.facts.task)
    };
    assert_eq!(task.stop_code.as_deref(), Some("TaskFailedToStart"));
    assert_eq!(
        task.attachments[0].details["subnetId"],
        "subnet-0c4d5e6f7a8b9c0d1"
    );
    assert_eq!(
        d.report.task.failure_class,
        Some(FailureClass::SecretsNetwork)
    );
    assert_eq!(
        d.report.task.stop_code.as_deref(),
        Some("TaskFailedToStart")
    );
    assert_eq!(d.report.root_cause, Some(Code::TaskStopReasonClassified));
    assert!(
        d.facts
            .task_definition
            .as_ref()
            .and_then(Readable::value)
            .is_some(),
        "{:?}",
        d.facts.task_definition
    );
}

#[tokio::test]
async fn snapshot_replays_to_the_identical_report() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let d = diagnose(&t.cluster, &t.task_id).await;
    let path = support::tmp_file(&format!("{}.json", support::unique("snap")));
    snapshot::save(&path, &d.facts).unwrap();
    let facts = snapshot::load(&path).unwrap();
    assert_eq!(facts, d.facts);
    let replayed = engine::replay(&facts, StageSelection::All);
    assert_eq!(
        ecs_task_doctor::render::json(&replayed),
        ecs_task_doctor::render::json(&d.report),
        "replay differs"
    );
}

#[tokio::test]
async fn requests_for_another_region_are_refused_before_any_call() {
    let Request::Diagnose(req) = Request::lookup(
        "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
        "0123456789abcdef0123456789abcdef",
        StageSelection::All,
        Caller::Cli,
    )
    .unwrap() else {
        unreachable!()
    };
    let e = engine().await.diagnose(&req).await.unwrap_err().to_string();
    assert!(e.contains("eu-west-1") && e.contains("us-east-1"), "{e}");
}
