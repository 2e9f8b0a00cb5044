//! Publishing from the EventBridge path and the sweep, on moto: the report and its Facts
//! snapshot in the bucket (replayable), one SNS notification per event, duplicates caught in
//! the container and across containers, and a failed publish that loses nothing.

mod support;

use ecs_task_doctor::engine::{self, Engine};
use ecs_task_doctor::handler::App;
use ecs_task_doctor::publish::{Destinations, Publisher};
use ecs_task_doctor::stage::StageSelection;
use serde_json::{Value, json};
use support::fault_proxy::{FaultProxy, access_denied, sdk_config_at};
use support::redaction::sinks;
use support::scenario::{self, PULL_TIMEOUT};

/// Every SNS envelope the queue holds (subject, message), emptying it.
async fn notifications(conf: &aws_config::SdkConfig, queue_url: &str) -> Vec<(String, String)> {
    let sqs = aws_sdk_sqs::Client::new(conf);
    let mut out = Vec::new();
    loop {
        let got = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let msgs = got.messages.unwrap_or_default();
        if msgs.is_empty() {
            return out;
        }
        for m in msgs {
            let envelope: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            out.push((
                envelope["Subject"].as_str().unwrap_or("").to_string(),
                envelope["Message"].as_str().unwrap().to_string(),
            ));
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

async fn object(conf: &aws_config::SdkConfig, bucket: &str, key: &str) -> Option<Vec<u8>> {
    let s3 = aws_sdk_s3::Client::new(conf);
    let got = s3.get_object().bucket(bucket).key(key).send().await.ok()?;
    Some(got.body.collect().await.unwrap().into_bytes().to_vec())
}

async fn keys(conf: &aws_config::SdkConfig, bucket: &str) -> Vec<String> {
    let s3 = aws_sdk_s3::Client::new(conf);
    let listed = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    let mut keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    keys.sort();
    keys
}

/// The EventBridge event ECS sends for a moto task that failed to start, at `version`.
fn stopped_event(t: &scenario::FargateTask, version: i64) -> Value {
    json!({
        "version": "0", "id": format!("0b5d9a3e-0000-4000-8000-{version:012}"),
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": support::ACCOUNT, "time": "2026-11-28T09:00:59Z", "region": support::REGION,
        "resources": [t.task_arn],
        "detail": {
            "taskArn": t.task_arn,
            "clusterArn": format!("arn:aws:ecs:{}:{}:cluster/{}", support::REGION, support::ACCOUNT, t.cluster),
            "taskDefinitionArn": t.task_definition_arn,
            "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "launchType": "FARGATE",
            "stopCode": "TaskFailedToStart",
            "stoppedReason": PULL_TIMEOUT,
            "stoppedAt": "2026-11-28T09:00:58.641Z",
            "containers": [{"name": "api", "lastStatus": "STOPPED"}],
            "attachments": [{"id": "a1", "type": "eni", "status": "DELETED",
                             "details": [{"name": "subnetId", "value": t.subnet_id}]}],
            "version": version
        }
    })
}

async fn app(conf: &aws_config::SdkConfig, to: Destinations) -> App {
    App::new(Engine::new(conf).unwrap(), Some(Publisher::new(conf, to)))
}

#[tokio::test]
async fn an_event_is_published_once_and_replays_from_the_bucket() {
    let conf = support::sdk_config().await;
    let sinks = sinks(&conf).await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let to = Destinations {
        topic_arn: Some(sinks.topic.clone()),
        bucket: Some(sinks.bucket.clone()),
    };
    let first = app(&conf, to.clone()).await;

    let report = first.handle(stopped_event(&t, 7)).await.unwrap();
    assert_eq!(report["rootCause"], "NET_NO_PATH_TO_SERVICE", "{report:#}");

    // The bucket holds the report and the facts, keyed by cluster, stop day, task, version.
    let dir = format!("reports/{}/2026-11-28/{}/v7", t.cluster, t.task_id);
    assert_eq!(
        keys(&conf, &sinks.bucket).await,
        [format!("{dir}/facts.json"), format!("{dir}/report.json")]
    );
    let stored: Value = serde_json::from_slice(
        &object(&conf, &sinks.bucket, &format!("{dir}/report.json"))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(stored, report, "the bucket's report is the returned report");
    let facts_bytes = object(&conf, &sinks.bucket, &format!("{dir}/facts.json"))
        .await
        .unwrap();
    let facts = ecs_task_doctor::snapshot::from_slice(&facts_bytes, "s3 facts").unwrap();
    assert_eq!(
        serde_json::to_value(engine::replay(&facts, StageSelection::All)).unwrap(),
        report,
        "the stored snapshot replays to the same report"
    );
    // ... and the CLI replays it offline, as the README says.
    let path = support::tmp_file(&format!("{}.json", t.task_id));
    std::fs::write(&path, &facts_bytes).unwrap();
    let out = support::cli()
        .args(["diagnose", "--snapshot"])
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replayed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(replayed["rootCause"], "NET_NO_PATH_TO_SERVICE");

    // One notification: a short subject, the Markdown report pointing at the bucket.
    let sent = notifications(&conf, &sinks.queue_url).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let (subject, body) = &sent[0];
    assert!(
        subject.starts_with(&format!("ECS task {} failed to start", t.task_id)),
        "{subject}"
    );
    assert!(subject.contains("NET_NO_PATH_TO_SERVICE"), "{subject}");
    assert!(body.contains("NET_NO_PATH_TO_SERVICE"), "{body}");
    assert!(
        body.starts_with('#'),
        "the body is the Markdown report: {body}"
    );

    // The same delivery again, same container: recognised without a second diagnosis.
    let again = first.handle(stopped_event(&t, 7)).await.unwrap();
    assert_eq!(
        again,
        json!({"duplicate": true, "taskArn": t.task_arn, "version": 7})
    );

    // The same delivery in another container: diagnosed, but the bucket's conditional write
    // says it was published already, so nobody is notified twice.
    let second = app(&conf, to.clone()).await;
    let report_again = second.handle(stopped_event(&t, 7)).await.unwrap();
    assert_eq!(report_again["rootCause"], "NET_NO_PATH_TO_SERVICE");
    assert!(notifications(&conf, &sinks.queue_url).await.is_empty());
    assert_eq!(keys(&conf, &sinks.bucket).await.len(), 2);

    // A later state change of the task (new version) is a new record and a new message.
    second.handle(stopped_event(&t, 8)).await.unwrap();
    assert_eq!(keys(&conf, &sinks.bucket).await.len(), 4);
    assert_eq!(notifications(&conf, &sinks.queue_url).await.len(), 1);
}

#[tokio::test]
async fn a_failed_publish_still_returns_the_report() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    // Neither destination exists: both writes fail after the SDK's retries.
    let to = Destinations {
        topic_arn: Some(format!(
            "arn:aws:sns:{}:{}:{}",
            support::REGION,
            support::ACCOUNT,
            support::unique("no-such-topic")
        )),
        bucket: Some(support::unique("no-such-bucket")),
    };
    let publisher = Publisher::new(&conf, to.clone());
    let out = app(&conf, to)
        .await
        .handle(stopped_event(&t, 1))
        .await
        .unwrap();
    assert_eq!(out["rootCause"], "NET_NO_PATH_TO_SERVICE", "{out:#}");

    // What the publisher says about each destination (the handler logs the same).
    let facts = {
        let ecs_task_doctor::request::Request::Diagnose(req) =
            ecs_task_doctor::request::Request::from_value(stopped_event(&t, 1)).unwrap()
        else {
            panic!("not a diagnosis")
        };
        Engine::new(&conf).unwrap().diagnose(&req).await.unwrap()
    };
    let published = publisher
        .publish_report(&facts.report, &facts.facts, Some(1))
        .await;
    let p = serde_json::to_value(&published).unwrap();
    assert_eq!(p["s3"]["outcome"], "failed", "{p:#}");
    assert!(
        p["s3"]["error"].as_str().unwrap().contains("NoSuchBucket"),
        "{p:#}"
    );
    assert_eq!(p["sns"]["outcome"], "failed", "{p:#}");
    assert!(
        p["sns"]["error"].as_str().unwrap().contains("sns:Publish"),
        "{p:#}"
    );
}

#[tokio::test]
async fn a_sweep_publishes_its_summary() {
    let conf = support::sdk_config().await;
    let sinks = sinks(&conf).await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let app = app(
        &conf,
        Destinations {
            topic_arn: Some(sinks.topic.clone()),
            bucket: Some(sinks.bucket.clone()),
        },
    )
    .await;
    let summary = app
        .handle(json!({"Sweep": {"Clusters": [t.cluster], "LookbackMinutes": 60}}))
        .await
        .unwrap();
    assert_eq!(
        summary["groups"].as_array().unwrap().len(),
        1,
        "{summary:#}"
    );
    let stored = keys(&conf, &sinks.bucket).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].starts_with("sweeps/"), "{stored:?}");
    let body: Value =
        serde_json::from_slice(&object(&conf, &sinks.bucket, &stored[0]).await.unwrap()).unwrap();
    assert_eq!(body, summary);
    let sent = notifications(&conf, &sinks.queue_url).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(
        sent[0]
            .0
            .starts_with("ECS sweep us-east-1: 1 failed start(s) in 1 group(s)"),
        "{}",
        sent[0].0
    );
    assert!(sent[0].1.contains(&t.task_id), "{}", sent[0].1);
    // The topic gets the Markdown table, like a report's Markdown, not the terminal text.
    assert!(
        sent[0]
            .1
            .contains("| # | count | root cause | failure class | first seen | last seen |"),
        "{}",
        sent[0].1
    );
}

/// Issue 16, item 3: a scheduled sweep that could not list is never published as all clear.
/// With ecs:ListTasks denied for one of two clusters (the fault proxy denies the first
/// ListTasks it sees, whichever cluster that is), the failed start of the other cluster is
/// still found, diagnosed and published, and the subject and the message say the sweep did
/// not read everything and which permission the role lacks. With ecs:ListClusters denied,
/// nothing is read: UNKNOWN, and no "0 failed starts" all clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_that_could_not_list_is_not_published_as_all_clear() {
    let conf = support::sdk_config().await;
    let sinks = sinks(&conf).await;
    let (a, b) = tokio::join!(
        scenario::fargate_task(&conf, Some(PULL_TIMEOUT)),
        scenario::fargate_task(&conf, Some(PULL_TIMEOUT))
    );
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    // The engine reads through the proxy; the publisher writes to moto directly.
    let app = App::new(
        Engine::new(&sdk_config_at(&proxy.endpoint).await).unwrap(),
        Some(Publisher::new(
            &conf,
            Destinations {
                topic_arn: Some(sinks.topic.clone()),
                bucket: None,
            },
        )),
    );

    proxy.fault("ecs:ListTasks", access_denied("ecs:ListTasks"), Some(1));
    let summary = app
        .handle(json!({"Sweep": {"Clusters": [a.cluster, b.cluster], "LookbackMinutes": 60}}))
        .await
        .unwrap();
    assert_eq!(proxy.faulted("ecs:ListTasks"), 1);
    // The found failure is reported, and its FAIL stays: not an all clear either way.
    assert_eq!(summary["status"], "FAIL", "{summary:#}");
    let groups = summary["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{summary:#}");
    assert_eq!(groups[0]["count"], 1, "{summary:#}");
    let read = if groups[0]["cluster"] == a.cluster.as_str() {
        &a
    } else {
        &b
    };
    let denied = if read.cluster == a.cluster { &b } else { &a };
    let headline = summary["summary"].as_str().unwrap();
    assert_eq!(
        headline,
        format!(
            "Incomplete sweep: could not list the stopped tasks of cluster {}: the function's \
             role lacks ecs:ListTasks. 1 of 2 clusters listed. 1 failed start in 1 group in \
             what was read in the last 60 minutes; what was not read may hold more.",
            denied.cluster
        ),
        "{summary:#}"
    );
    let sent = notifications(&conf, &sinks.queue_url).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let (subject, body) = &sent[0];
    assert_eq!(
        subject,
        "ECS sweep us-east-1 [FAIL]: not all read: role lacks ecs:ListTasks; 1 failed start(s) found"
    );
    assert!(
        body.contains("**FAIL** Incomplete sweep: could not list the stopped tasks of cluster"),
        "{body}"
    );
    assert!(
        body.contains("the function's role lacks ecs:ListTasks. 1 of 2 clusters listed."),
        "{body}"
    );
    assert!(
        body.contains(&read.task_id),
        "the failure found is in the table: {body}"
    );
    assert!(
        body.contains("unreadable: ecs:ListTasks: AccessDeniedException"),
        "{body}"
    );

    // ListClusters denied: nothing read at all.
    proxy.clear();
    proxy.fault("ecs:ListClusters", access_denied("ecs:ListClusters"), None);
    let summary = app
        .handle(json!({"Sweep": {"Clusters": [], "LookbackMinutes": 60}}))
        .await
        .unwrap();
    assert_eq!(summary["status"], "UNKNOWN", "{summary:#}");
    let sent = notifications(&conf, &sinks.queue_url).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let (subject, body) = &sent[0];
    assert_eq!(
        subject,
        "ECS sweep us-east-1 [UNKNOWN]: not all read: role lacks ecs:ListClusters; 0 failed start(s) found"
    );
    assert!(
        body.contains(
            "**UNKNOWN** Incomplete sweep: could not list the clusters: the function's role \
             lacks ecs:ListClusters. Nothing was read, so failed starts in the last 60 minutes \
             are unknown: this is not an all clear."
        ),
        "{body}"
    );
    for all_clear in ["0 failed starts in 0 groups", "SKIPPED"] {
        assert!(
            !subject.contains(all_clear) && !body.contains(all_clear),
            "{subject}\n{body}"
        );
    }
}

#[tokio::test]
async fn without_destinations_nothing_is_published() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let s3 = aws_sdk_s3::Client::new(&conf);
    let before = s3.list_buckets().send().await.unwrap().buckets().len();
    let app = app(&conf, Destinations::default()).await;
    let out = app.handle(stopped_event(&t, 3)).await.unwrap();
    assert_eq!(out["rootCause"], "NET_NO_PATH_TO_SERVICE");
    // The in-container memory still catches the repeat.
    assert_eq!(
        app.handle(stopped_event(&t, 3)).await.unwrap()["duplicate"],
        true
    );
    assert_eq!(
        s3.list_buckets().send().await.unwrap().buckets().len(),
        before
    );
}
