//! The built `bootstrap` binary under cargo-lambda's local Lambda runtime emulator, against
//! moto: every file in events/ goes through the real Lambda Runtime API, the real
//! `lambda_runtime` loop and the real entry point, exactly as `cargo lambda invoke` sends it.
//!
//! The emulator runs with `--only-lambda-apis`: it serves the Runtime API and the invoke
//! API, and the test starts the binary cargo already built for the tests (no second build).
//! Emulator difference: it sends `Lambda-Runtime-Deadline-Ms: 600000`, a duration, where
//! Lambda sends an epoch time; the bootstrap treats a "deadline" that far in the past as no
//! deadline (its unit tests pin that), so the reads here get the fallback budget.
//!
//! Its log goes to the system temp dir: a log inside the crate would make `cargo lambda
//! watch` reload on every write (research/tooling.md §4).

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::scenario::{self, PULL_TIMEOUT};

/// Child processes killed when the test ends, even when it panics.
struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the test venv first, so `cargo lambda` finds the pinned cargo-lambda.
fn path_with_venv() -> String {
    let bin = support::venv_bin("cargo-lambda");
    let dir = bin.parent().unwrap().display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn log_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-task-doctor-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn read(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    s
}

/// Starts the emulator's Runtime API on a free port; returns the child and the port.
fn start_emulator() -> (Child, u16) {
    for _ in 0..5 {
        let port = free_port();
        let log = log_file(&format!("watch-{port}.log"));
        let child = Command::new("cargo")
            .current_dir(repo())
            .env("PATH", path_with_venv())
            .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
            .args(["-A", "127.0.0.1", "-P", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
            .spawn()
            .expect("start cargo lambda watch");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            let text = read(&log) + &read(&log.with_extension("err"));
            if text.contains("starting Runtime server") {
                return (child, port);
            }
            if text.contains("rror") {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut child = child;
        let _ = child.kill();
    }
    panic!(
        "cargo lambda watch did not start; see {}",
        log_file("").display()
    );
}

/// Starts the built bootstrap against the emulator and moto, with extra environment.
fn start_function(port: u16, env: &[(&str, &str)], log: &Path) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bootstrap"));
    support::cli_env(&mut cmd)
        // What cargo lambda watch prints as the variables a function must have.
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        // The template's LoggingConfig: JSON logs.
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        // DEBUG: more than the template's default INFO, so more chances for a leak to show.
        .env("AWS_LAMBDA_LOG_LEVEL", "DEBUG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
        .spawn()
        .expect("start bootstrap")
}

/// `cargo lambda invoke _ --data-file FILE --output-format json`.
fn invoke(port: u16, data_file: &Path) -> Output {
    Command::new("cargo")
        .current_dir(repo())
        .env("PATH", path_with_venv())
        .args([
            "lambda",
            "invoke",
            "_",
            "-A",
            "127.0.0.1",
            "-P",
            &port.to_string(),
        ])
        .arg("--data-file")
        .arg(data_file)
        .args(["--output-format", "json"])
        .output()
        .expect("run cargo lambda invoke")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "invoke failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn every_shipped_event_through_the_lambda_runtime_emulator() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(support::sdk_config());
    // A bucket to publish into, so the EventBridge path's publish runs for real too.
    let bucket = support::unique("emulator-reports");
    let failed = rt.block_on(async {
        aws_sdk_s3::Client::new(&conf)
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await
    });

    let (emulator, port) = start_emulator();
    let function_log = log_file(&format!("bootstrap-{port}.log"));
    let function = start_function(port, &[("REPORT_BUCKET", bucket.as_str())], &function_log);
    let _running = Running(vec![emulator, function]);

    // events/automation.json: one stage for a task in another account, which moto does
    // not know: the flat stage object says so.
    let out = json_of(&invoke(port, &repo().join("events/automation.json")));
    assert_eq!(out["findings"][0]["code"], "TASK_NOT_FOUND", "{out:#}");
    assert!(
        out["status"].is_string() && out["summary"].is_string(),
        "{out:#}"
    );

    // events/task-state-change.json: diagnosed from the event alone.
    let out = json_of(&invoke(port, &repo().join("events/task-state-change.json")));
    assert_eq!(out["task"]["failureClass"], "image-pull-network", "{out:#}");
    assert_eq!(out["rootCause"], "IMG_REPOSITORY_NOT_FOUND", "{out:#}");

    // events/scheduled-sweep.json: every cluster of the Region, here the scenario's.
    let out = json_of(&invoke(port, &repo().join("events/scheduled-sweep.json")));
    let groups = out["groups"].as_array().expect("a sweep summary");
    assert!(
        groups
            .iter()
            .any(|g| g["exampleTask"] == failed.task_arn.as_str()),
        "{out:#}"
    );

    // An Automation payload for the scenario's task, as the document's steps send it.
    let payload = support::tmp_file("emulator-automation.json");
    std::fs::write(
        &payload,
        serde_json::json!({"ClusterName": failed.cluster, "TaskId": failed.task_id, "Stage": "network"})
            .to_string(),
    )
    .unwrap();
    let out = json_of(&invoke(port, &payload));
    assert_eq!(out["name"], "network");
    assert_eq!(out["status"], "FAIL", "{out:#}");
    assert_eq!(out["rootCause"], "NET_NO_PATH_TO_SERVICE", "{out:#}");

    // A malformed event: a Lambda error with the handler's error type and a message that
    // names the problem, and the function keeps serving.
    let bad = support::tmp_file("emulator-bad.json");
    std::fs::write(&bad, r#"{"bad": 1}"#).unwrap();
    let out = invoke(port, &bad);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("InvalidEvent"), "{err}");
    assert!(err.contains("unrecognised event with keys [bad]"), "{err}");
    let out = json_of(&invoke(port, &repo().join("events/task-state-change.json")));
    assert_eq!(
        out["duplicate"], true,
        "the same delivery again is recognised: {out:#}"
    );

    // The scenario's own stopped-task event: its task definition holds an environment value,
    // which must reach neither the report nor the logs.
    let event = support::tmp_file("emulator-stopped-event.json");
    std::fs::write(
        &event,
        serde_json::json!({
            "version": "0", "id": "5d1c6a9e-0000-4000-8000-000000000001",
            "detail-type": "ECS Task State Change", "source": "aws.ecs",
            "account": support::ACCOUNT, "time": "2026-11-28T09:00:59Z", "region": support::REGION,
            "resources": [failed.task_arn],
            "detail": {
                "taskArn": failed.task_arn,
                "clusterArn": format!("arn:aws:ecs:{}:{}:cluster/{}", support::REGION, support::ACCOUNT, failed.cluster),
                "taskDefinitionArn": failed.task_definition_arn,
                "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "launchType": "FARGATE",
                "stopCode": "TaskFailedToStart", "stoppedReason": PULL_TIMEOUT,
                "stoppedAt": "2026-11-28T09:00:58.641Z",
                "containers": [{"name": "api", "lastStatus": "STOPPED"}],
                "attachments": [{"id": "a1", "type": "eni", "status": "DELETED",
                                 "details": [{"name": "subnetId", "value": failed.subnet_id}]}],
                "version": 3
            }
        })
        .to_string(),
    )
    .unwrap();
    let out = json_of(&invoke(port, &event));
    assert_eq!(out["rootCause"], "NET_NO_PATH_TO_SERVICE", "{out:#}");
    assert!(!out.to_string().contains(scenario::SECRET_ENV_VALUE));

    // The function's logs are JSON (the template's LogFormat) and hold the report itself,
    // so a failed publish never loses it.
    let logs = read(&function_log) + &read(&function_log.with_extension("err"));
    let lines: Vec<Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON log line: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "report" && l["fields"]["report"].is_string()),
        "{logs}"
    );
    assert!(
        logs.contains(failed.task_arn.as_str()),
        "the scenario's report is in the logs"
    );
    assert!(
        !logs.contains(scenario::SECRET_ENV_VALUE),
        "an environment value reached the logs"
    );
    // ... and the publish wrote the report where `diagnose --snapshot` can replay it.
    let keys = rt.block_on(async {
        aws_sdk_s3::Client::new(&conf)
            .list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .unwrap()
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect::<Vec<_>>()
    });
    assert!(
        keys.iter()
            .any(|k| k.starts_with("reports/payments/") && k.ends_with("/facts.json")),
        "{keys:?}"
    );
    // Passed: the logs are not needed (a failure keeps them for reading).
    drop(_running);
    let _ = std::fs::remove_dir_all(function_log.parent().unwrap());
}
