//! No credential leaves: a task stopped with a reason that quotes presigned ECR layer URLs
//! (fake SigV4 and SigV2 credentials, tests/support/redaction.rs), diagnosed on moto, and
//! every output read back: the report as JSON, text and Markdown, the saved snapshot, the
//! Lambda's JSON logs, the Automation answer, the SNS message and the S3 objects, from both
//! the DescribeTasks path and the EventBridge event path (DESIGN §7; field-2026-12.md §3.7).
//!
//! Each test also checks that the redacted reason still says what it said (the layer bucket's
//! host, the failure class), and each fails when `redact::redact` returns its input (the
//! sweep's, when `redact::log_event_allowed` lets the SDK's TRACE events through; the CLI's
//! log checks, run at TRACE, fail then too).
//!
//! moto differences that matter here (shared/MOTO-NOTES.md): `StopTask` sets no `stopCode`
//! or container reasons; the harness's `moto-stop:` prefix sets them as ECS does
//! ([`scenario::failed_to_start`]). Nothing here reads the task's ENI.

mod support;

use std::process::Output;

use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::handler::App;
use ecs_task_doctor::publish::{Destinations, Publisher};
use serde_json::{Value, json};
use support::redaction::{self as r, assert_clean};
use support::scenario::{self, FargateTask};

/// A Fargate task that failed to start with the credential-bearing reason (task and containers).
async fn stopped_task(conf: &aws_config::SdkConfig) -> FargateTask {
    scenario::fargate_task(conf, Some(&scenario::failed_to_start(0, &r::stop_reason()))).await
}

/// The redacted reason still names the layer bucket and the parameters, and classifies.
fn assert_still_says_what_it_said(report: &Value) {
    let reason = report["task"]["stoppedReason"].as_str().unwrap_or_default();
    assert!(reason.contains(r::LAYER_HOST), "{reason}");
    assert!(
        reason.contains("X-Amz-Security-Token=REDACTED&X-Amz-Algorithm=AWS4-HMAC-SHA256")
            && reason.contains("X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED\""),
        "{reason}"
    );
    assert_eq!(
        report["task"]["failureClass"], "image-pull-network",
        "{report:#}"
    );
}

fn diagnose(t: &FargateTask, extra: &[&str]) -> Output {
    let mut cmd = support::cli();
    let out = support::cli_env(&mut cmd)
        .env("ECS_TASK_DOCTOR_LOG", "trace")
        .env("RUST_LOG", "debug")
        .args(["diagnose", "--cluster", &t.cluster, "--task", &t.task_id])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The CLI's own log lines, at every level, whatever the format.
    assert_clean(
        "the CLI's log (stderr)",
        &String::from_utf8_lossy(&out.stderr),
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[tokio::test]
async fn the_json_report_holds_no_credential() {
    let conf = support::sdk_config().await;
    let t = stopped_task(&conf).await;
    let out = stdout(&diagnose(&t, &["--format", "json"]));
    assert_clean("the JSON report", &out);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_still_says_what_it_said(&report);
}

#[tokio::test]
async fn the_text_report_holds_no_credential() {
    let conf = support::sdk_config().await;
    let t = stopped_task(&conf).await;
    let out = stdout(&diagnose(&t, &["--format", "text"]));
    assert_clean("the text report", &out);
    assert!(out.contains(r::LAYER_HOST), "{out}");
}

#[tokio::test]
async fn the_markdown_report_holds_no_credential() {
    let conf = support::sdk_config().await;
    let t = stopped_task(&conf).await;
    let out = stdout(&diagnose(&t, &["--format", "markdown"]));
    assert_clean("the Markdown report", &out);
    assert!(out.contains(r::LAYER_HOST), "{out}");
}

#[tokio::test]
async fn the_saved_snapshot_holds_no_credential() {
    let conf = support::sdk_config().await;
    let t = stopped_task(&conf).await;
    let path = support::tmp_file(&format!("redaction-{}.json", t.task_id));
    let out = diagnose(
        &t,
        &[
            "--format",
            "json",
            "--save-snapshot",
            path.to_str().unwrap(),
        ],
    );
    assert_clean("the JSON report", &stdout(&out));
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_clean("the saved snapshot", &saved);
    let facts: Value = serde_json::from_str(&saved).unwrap();
    let task = &facts["task"]["value"]["task"];
    assert!(
        task["stoppedReason"]
            .as_str()
            .is_some_and(|s| s.contains(r::LAYER_HOST) && s.contains("X-Amz-Signature=REDACTED")),
        "{task:#}"
    );
    assert!(
        task["containers"][0]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("X-Amz-Signature=REDACTED")),
        "{task:#}"
    );
}

/// A snapshot is untrusted input: one holding raw credentials (written by hand, or before
/// redaction existed) replays to a report without them.
#[tokio::test]
async fn a_snapshot_with_credentials_replays_without_them() {
    let conf = support::sdk_config().await;
    let t = stopped_task(&conf).await;
    let path = support::tmp_file(&format!("redaction-raw-{}.json", t.task_id));
    diagnose(&t, &["--save-snapshot", path.to_str().unwrap()]);
    let mut facts: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    facts["task"]["value"]["task"]["stoppedReason"] = json!(r::stop_reason());
    facts["task"]["value"]["task"]["containers"][0]["reason"] = json!(r::container_reason());
    std::fs::write(&path, serde_json::to_string_pretty(&facts).unwrap()).unwrap();
    for format in ["json", "text", "markdown"] {
        let out = support::cli()
            .args(["diagnose", "--snapshot", path.to_str().unwrap()])
            .args(["--format", format])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_clean(
            &format!("the {format} report of a raw snapshot"),
            &stdout(&out),
        );
    }
}

/// The EventBridge event ECS sends for the task, its reasons quoting the presigned URLs.
fn stopped_event(t: &FargateTask, version: i64) -> Value {
    json!({
        "version": "0", "id": format!("7e1d9a3e-0000-4000-8000-{version:012}"),
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": support::ACCOUNT, "time": "2026-12-03T10:10:59Z", "region": support::REGION,
        "resources": [t.task_arn],
        "detail": {
            "taskArn": t.task_arn,
            "clusterArn": format!("arn:aws:ecs:{}:{}:cluster/{}", support::REGION, support::ACCOUNT, t.cluster),
            "taskDefinitionArn": t.task_definition_arn,
            "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "launchType": "FARGATE",
            "stopCode": "TaskFailedToStart",
            "stoppedReason": r::stop_reason(),
            "stoppedAt": "2026-12-03T10:10:58.641Z",
            "containers": [{"name": "api", "lastStatus": "STOPPED", "reason": r::container_reason()}],
            "attachments": [{"id": "a1", "type": "eni", "status": "DELETED",
                             "details": [{"name": "subnetId", "value": t.subnet_id}]}],
            "version": version
        }
    })
}

#[tokio::test]
async fn the_report_of_an_event_holds_no_credential() {
    let conf = support::sdk_config().await;
    let t = stopped_task(&conf).await;
    let event = support::tmp_file(&format!("redaction-event-{}.json", t.task_id));
    std::fs::write(&event, stopped_event(&t, 3).to_string()).unwrap();
    let snapshot = support::tmp_file(&format!("redaction-event-{}.facts.json", t.task_id));
    for format in ["json", "text", "markdown"] {
        let mut cmd = support::cli();
        let out = support::cli_env(&mut cmd)
            .env("ECS_TASK_DOCTOR_LOG", "trace")
            .args(["diagnose", "--event", event.to_str().unwrap()])
            .args(["--format", format])
            .args(["--save-snapshot", snapshot.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_clean(&format!("the {format} report of the event"), &stdout(&out));
        assert_clean(
            "the CLI's log (stderr)",
            &String::from_utf8_lossy(&out.stderr),
        );
        assert_clean(
            "the event's snapshot",
            &std::fs::read_to_string(&snapshot).unwrap(),
        );
        if format == "json" {
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_still_says_what_it_said(&report);
        }
    }
}

async fn app(conf: &aws_config::SdkConfig, sinks: &r::Sinks) -> App {
    let to = Destinations {
        topic_arn: Some(sinks.topic.clone()),
        bucket: Some(sinks.bucket.clone()),
    };
    App::new(Engine::new(conf).unwrap(), Some(Publisher::new(conf, to)))
}

#[tokio::test]
async fn the_lambdas_logs_hold_no_credential() {
    let conf = support::sdk_config().await;
    let sinks = r::sinks(&conf).await;
    let t = stopped_task(&conf).await;
    let app = app(&conf, &sinks).await;
    let logs = r::Captured::default();
    let report = {
        let _logging = r::json_logs(&logs);
        app.handle(stopped_event(&t, 5)).await.unwrap()
    };
    let text = logs.text();
    // The handler logs the whole report (it is the record when a publish fails).
    assert!(
        text.contains(&t.task_arn) && text.contains("\"report\""),
        "the report is not in the logs:\n{text}"
    );
    assert_clean("the Lambda's JSON logs", &text);
    assert_clean("the Lambda's answer", &report.to_string());
    assert_still_says_what_it_said(&report);
}

#[tokio::test]
async fn the_automation_answer_and_its_logs_hold_no_credential() {
    let conf = support::sdk_config().await;
    let sinks = r::sinks(&conf).await;
    let t = stopped_task(&conf).await;
    let app = app(&conf, &sinks).await;
    let logs = r::Captured::default();
    let answer = {
        let _logging = r::json_logs(&logs);
        app.handle(json!({"ClusterName": t.cluster, "TaskId": t.task_id, "Stage": "all"}))
            .await
            .unwrap()
    };
    let text = answer.to_string();
    assert!(text.contains(r::LAYER_HOST), "{text}");
    assert_clean("the Automation answer", &text);
    assert_clean("the Lambda's JSON logs", &logs.text());
    assert_still_says_what_it_said(&answer);
}

#[tokio::test]
async fn the_sns_message_holds_no_credential() {
    let conf = support::sdk_config().await;
    let sinks = r::sinks(&conf).await;
    let t = stopped_task(&conf).await;
    app(&conf, &sinks)
        .await
        .handle(stopped_event(&t, 6))
        .await
        .unwrap();
    let sent = r::notifications(&conf, &sinks.queue_url).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(sent[0].contains(r::LAYER_HOST), "{}", sent[0]);
    assert_clean("the SNS message", &sent[0]);
}

#[tokio::test]
async fn the_s3_objects_hold_no_credential() {
    let conf = support::sdk_config().await;
    let sinks = r::sinks(&conf).await;
    let t = stopped_task(&conf).await;
    app(&conf, &sinks)
        .await
        .handle(stopped_event(&t, 7))
        .await
        .unwrap();
    let objects = r::objects(&conf, &sinks.bucket).await;
    assert_eq!(objects.len(), 2, "the report and the facts: {objects:#?}");
    for (key, body) in &objects {
        assert!(body.contains(r::LAYER_HOST), "{key}: {body}");
        assert_clean(&format!("s3://{}/{key}", sinks.bucket), body);
    }
}

/// The sweep reads the same answers (ListTasks, DescribeTasks), logged at TRACE by the SDK;
/// it fails when `redact::log_event_allowed` lets those events through (its outputs hold no
/// reason text, so it does not depend on `redact::redact`).
#[tokio::test]
async fn the_sweep_and_its_trace_logs_hold_no_credential() {
    let conf = support::sdk_config().await;
    let sinks = r::sinks(&conf).await;
    let t = stopped_task(&conf).await;
    let app = app(&conf, &sinks).await;
    let logs = r::Captured::default();
    let summary = {
        let _logging = r::json_logs(&logs);
        app.handle(json!({"Sweep": {"Clusters": [t.cluster], "LookbackMinutes": 60}}))
            .await
            .unwrap()
    };
    let text = summary.to_string();
    assert_clean("the sweep summary", &text);
    let logs = logs.text();
    assert_clean("the Lambda's JSON logs", &logs);
    let sent = r::notifications(&conf, &sinks.queue_url).await;
    for body in &sent {
        assert_clean("the sweep's SNS message", body);
    }
    let objects = r::objects(&conf, &sinks.bucket).await;
    for (key, body) in &objects {
        assert_clean(&format!("s3://{}/{key}", sinks.bucket), body);
    }
    // The sweep's outputs keep no reason text; what could leak is the SDK's TRACE logging of
    // the DescribeTasks answers it read (redact::log_event_allowed drops those events).
    assert!(
        logs.contains("DescribeTasks"),
        "the SDK's logs were not captured:\n{logs}"
    );
    assert!(
        !sent.is_empty() && !objects.is_empty(),
        "nothing was published"
    );
}
