//! Bad and hostile input (issue 7): oversized events are refused before any work, and the
//! largest inputs a real account produces (a task definition with 10 containers and 100
//! secrets each; a VPC with 2,000 security group rules, 500 routes and 50 endpoints) are
//! judged to a sane report that still fits an Automation step. No wall-clock assertions but
//! what `--timeout` promises: the tests show that the work completes and is right; timings go
//! to stderr. Issue 16: input files with no length (`/dev/zero`, pipes, FIFOs) are read
//! within the size limits and the time budget, and the errors and the JSON that echo hostile
//! text never carry a raw escape or an invisible character.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ecs_task_doctor::facts::Facts;
use ecs_task_doctor::handler::{AUTOMATION_PAYLOAD_BUDGET, automation_response};
use ecs_task_doctor::report::{Report, Status};
use ecs_task_doctor::request::{MAX_EVENT_BYTES, Request, RequestError};
use ecs_task_doctor::stage::{StageName, StageSelection};
use serde_json::{Value, json};

#[path = "support/large_vpc.rs"]
mod large_vpc;

const EXAMPLE: &str = include_str!("../examples/fargate-cannot-pull.json");
const ACCOUNT: &str = "111122223333";

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

fn facts(v: &Value) -> Facts {
    let bytes = serde_json::to_vec(v).unwrap();
    ecs_task_doctor::snapshot::from_slice(&bytes, "hostile_input").unwrap()
}

fn judge(f: &Facts) -> Report {
    ecs_task_doctor::judge::judge(f, StageSelection::All)
}

fn stage(r: &Report, name: StageName) -> &ecs_task_doctor::report::StageResult {
    r.stages.iter().find(|s| s.name == name).unwrap()
}

/// Every rendering of the report, and the Automation answers, stay within their limits.
fn renders_within_limits(r: &Report) {
    let _ = ecs_task_doctor::render::text(r);
    let _ = ecs_task_doctor::render::markdown(r);
    for sel in [
        StageSelection::All,
        StageSelection::One(StageName::Network),
        StageSelection::One(StageName::Secrets),
    ] {
        if r.stages.iter().any(|s| match sel {
            StageSelection::One(n) => s.name == n,
            StageSelection::All => true,
        }) {
            let v = automation_response(r, sel);
            let size = serde_json::to_vec(&v).unwrap().len();
            assert!(size <= AUTOMATION_PAYLOAD_BUDGET, "{sel:?}: {size} bytes");
            assert!(v["status"].is_string() && v["rootCause"].is_string());
        }
    }
}

#[test]
fn a_six_megabyte_payload_is_refused_naming_the_limit() {
    let six_mb = 6 * 1024 * 1024;
    // As the Lambda runtime hands it over: already parsed.
    let started = Instant::now();
    let event = json!({"ClusterName": "prod", "TaskId": "a".repeat(six_mb)});
    let e = Request::from_value(event).unwrap_err();
    assert!(
        matches!(e, RequestError::TooLarge { limit, .. } if limit == MAX_EVENT_BYTES),
        "{e}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!("{MAX_EVENT_BYTES}-byte limit")),
        "{text}"
    );
    // As the CLI reads a file: refused before parsing.
    let mut bytes = br#"{"ClusterName": "prod", "TaskId": ""#.to_vec();
    bytes.resize(six_mb, b'a');
    bytes.extend_from_slice(b"\"}");
    let e = Request::from_slice(&bytes).unwrap_err();
    assert!(matches!(e, RequestError::TooLarge { .. }), "{e}");
    eprintln!("6 MB payloads refused in {:?}", started.elapsed());
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut bytes = vec![b'['; depth];
    bytes.extend(std::iter::repeat_n(b']', depth));
    let e = Request::from_slice(&bytes).unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    let nested = format!("{{\"Sweep\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    assert!(Request::from_slice(nested.as_bytes()).is_err());
}

/// The example task, now failing on its secrets, with 10 containers of 100 secrets each:
/// Secrets Manager ARNs (found, missing, pending deletion), SSM names and ARNs, and a few
/// malformed references.
fn secrets_heavy() -> Value {
    let mut v = example();
    let task = &mut v["task"]["value"]["task"];
    let reason = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue";
    task["stoppedReason"] = json!(reason);
    for c in task["containers"].as_array_mut().unwrap() {
        c["reason"] = Value::Null;
    }
    let template = v["taskDefinition"]["value"]["containerDefinitions"][0].clone();
    let mut containers = Vec::new();
    let mut references = Vec::new();
    for c in 0..10 {
        let mut def = template.clone();
        let name = format!("c{c}");
        def["name"] = json!(name);
        let mut secrets = Vec::new();
        for s in 0..100 {
            let (value_from, facts) = match s % 5 {
                0 | 1 => {
                    let arn = format!(
                        "arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app/c{c}/s{s}-AbCdEf"
                    );
                    let meta = if s % 10 == 0 {
                        json!({"state": "read", "value": {"result": "notFound"}})
                    } else {
                        json!({"state": "read", "value": {"result": "found", "arn": arn, "name": format!("app/c{c}/s{s}"), "deletedDate": if s % 20 == 1 { json!("2026-11-20T00:00:00Z") } else { Value::Null }, "kmsKeyId": null}})
                    };
                    (
                        arn.clone(),
                        json!({"valueFrom": arn, "containers": [name], "secret": meta}),
                    )
                }
                2 => {
                    let n = format!("/app/c{c}/p{s}");
                    (
                        n.clone(),
                        json!({"valueFrom": n, "containers": [name], "parameter": {"state": "read", "value": {"result": "found", "name": n, "region": "us-east-1"}}}),
                    )
                }
                3 => {
                    let arn = format!("arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/app/c{c}/p{s}");
                    (
                        arn.clone(),
                        json!({"valueFrom": arn, "containers": [name], "parameter": {"state": "read", "value": {"result": "notFound", "region": "eu-west-1"}}}),
                    )
                }
                _ => {
                    let bad = format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:c{c}s{s}");
                    (bad.clone(), json!({"valueFrom": bad, "containers": [name]}))
                }
            };
            secrets.push(json!({"name": format!("S{s}"), "valueFrom": value_from}));
            references.push(facts);
        }
        def["secrets"] = json!(secrets);
        containers.push(def);
    }
    v["taskDefinition"]["value"]["containerDefinitions"] = json!(containers);
    v["secrets"] = json!({"references": references});
    v
}

#[test]
fn ten_containers_with_a_hundred_secrets_each() {
    let v = secrets_heavy();
    let started = Instant::now();
    let f = facts(&v);
    let r = judge(&f);
    let judged = started.elapsed();
    let secrets = stage(&r, StageName::Secrets);
    assert_eq!(secrets.status, Status::Fail, "{}", secrets.summary);
    // Every reference is accounted for, and the findings grow with references, not faster.
    let findings = secrets.findings.len();
    assert!(
        (1000..=10 * 1000).contains(&findings),
        "{findings} findings"
    );
    for code in [
        "SECRET_NOT_FOUND",
        "SECRET_PENDING_DELETION",
        "SECRET_REFERENCE_MALFORMED",
    ] {
        assert!(
            secrets
                .findings
                .iter()
                .any(|f| f.code.as_str() == code && f.status == Status::Fail),
            "no failing {code}"
        );
    }
    let iam = stage(&r, StageName::Iam);
    assert_ne!(iam.status, Status::Skipped, "{}", iam.summary);
    assert!(
        iam.findings
            .iter()
            .any(|f| f.code.as_str() == "IAM_ACTION_DENIED" && f.detail.contains("app/c9/s96")),
        "every secret's permission is checked"
    );
    assert!(r.root_cause.is_some(), "{}", r.summary);
    // Rendered and capped: the secrets stage on its own (the whole report is the next test).
    let secrets_only = ecs_task_doctor::judge::judge(&f, StageSelection::One(StageName::Secrets));
    let started = Instant::now();
    renders_within_limits(&secrets_only);
    eprintln!(
        "10 x 100 secrets: judged in {judged:?} ({findings} secrets findings, {} iam findings), secrets stage rendered and capped in {:?}",
        iam.findings.len(),
        started.elapsed()
    );
}

/// The iam stage once repeated the combined policy for all missing permissions in every
/// IAM_ACTION_DENIED remediation: 1,000 denied secrets gave a 143 MB report.
#[test]
fn the_report_for_a_thousand_secrets_stays_small() {
    let r = judge(&facts(&secrets_heavy()));
    let size = serde_json::to_vec(&r).unwrap().len();
    assert!(size < 4 * 1024 * 1024, "{size} bytes");
    // One combined policy for a thousand secrets is over IAM's inline limit: the first denied
    // findings say so instead of offering a command that would fail.
    let denied: Vec<&str> = r
        .stages
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.code.as_str() == "IAM_ACTION_DENIED" && f.status.as_str() == "FAIL")
        .map(|f| f.remediation.as_str())
        .collect();
    assert!(denied.len() > 100, "{}", denied.len());
    assert!(
        denied
            .iter()
            .all(|d| d.contains("over IAM's 10240-character limit") && d.len() < 4096),
        "{}",
        denied[0]
    );
    renders_within_limits(&r);
}

#[test]
fn a_vpc_with_2000_rules_500_routes_and_50_endpoints() {
    let small = judge(&facts(&example()));
    let v = large_vpc::large_vpc();
    let started = Instant::now();
    let r = judge(&facts(&v));
    let judged = started.elapsed();
    // None of the additions carries HTTPS to S3: the diagnosis is the example's.
    assert_eq!(r.root_cause, small.root_cause);
    assert_eq!(
        r.root_cause.map(|c| c.as_str()),
        Some("NET_SG_EGRESS_S3_PREFIX_LIST_MISSING")
    );
    assert_eq!(r.verdict, Status::Fail);
    let network = stage(&r, StageName::Network);
    assert_eq!(network.status, Status::Fail);
    assert_eq!(
        network.paths.len(),
        stage(&small, StageName::Network).paths.len()
    );
    let started = Instant::now();
    renders_within_limits(&r);
    eprintln!(
        "2,000 SG rules, 500 routes, 50 endpoints: judged in {judged:?}, rendered and capped in {:?}",
        started.elapsed()
    );
}

// ---- Issue 16, items 4, 5 and 7: the release binary against hostile input files. ----
//
// These run the `ecs-task-doctor` binary itself: what a user's terminal shows, what exit
// status a script sees. Each child is killed if it outlives a generous deadline, so a test
// that regresses to "blocks forever" fails instead of hanging the suite.

/// Longer than any of these runs takes when it works, by far: only a hang reaches it.
const HANG: Duration = Duration::from_secs(45);

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ecs-task-doctor")
}

/// The CLI with no AWS endpoint that answers: nothing here may need one.
fn cli(args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(args);
    offline_env(&mut cmd);
    cmd
}

fn offline_env(cmd: &mut Command) -> &mut Command {
    cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("ECS_TASK_DOCTOR_LOG")
}

/// Runs `cmd` (standard input from `stdin`, if any, written on its own thread until the
/// child stops reading), killing it at [`HANG`]. Returns its output and how long it ran.
fn run(
    mut cmd: Command,
    stdin: Option<Box<dyn FnOnce(std::process::ChildStdin) + Send>>,
) -> (Output, Duration) {
    let started = Instant::now();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd.spawn().unwrap();
    let feeder = stdin.map(|f| {
        let pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || f(pipe))
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} still running after {HANG:?}: killed; stderr so far: {}",
                String::from_utf8_lossy(&err.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, elapsed)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory for this test.
fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The run was refused as bad input (exit 2) naming `needle`, with nothing on stdout.
fn assert_refused(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty(), "no output on bad input");
}

/// `/dev/zero` has a metadata length of 0 and no end: the limit must hold by reading, not by
/// asking the file its size. Run under a 4 GiB address-space limit, so reading it whole
/// (22 GB before the fix) fails within seconds instead of swapping the machine, while a
/// runtime with many worker threads (each reserving stack and allocator arenas) still starts.
#[test]
fn dev_zero_is_refused_at_the_limit_in_bounded_memory() {
    for (flag, needle) in [
        (
            "--snapshot",
            format!(
                "{}-byte snapshot limit",
                ecs_task_doctor::snapshot::MAX_SNAPSHOT_BYTES
            ),
        ),
        ("--event", format!("over the {MAX_EVENT_BYTES}-byte limit")),
    ] {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "ulimit -v 4194304 && exec \"$0\" \"$@\"", bin()])
            .args(["diagnose", flag, "/dev/zero", "--timeout", "40s"]);
        offline_env(&mut cmd);
        let (o, took) = run(cmd, None);
        assert_refused(&o, &needle);
        assert!(stderr(&o).contains("/dev/zero"), "{}", stderr(&o));
        eprintln!("{flag} /dev/zero refused in {took:?}");
    }
}

/// A FIFO nobody writes to blocks `open` itself: the input's reading is inside `--timeout`,
/// for an event and for a snapshot replay alike, and the error names the timeout.
#[test]
fn a_fifo_with_no_writer_ends_within_the_timeout() {
    let dir = scratch("fifo");
    let fifo = dir.join("never-written");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let timeout = Duration::from_secs(2);
    for flag in ["--event", "--snapshot"] {
        let (o, took) = run(
            cli(&["diagnose", flag, fifo.to_str().unwrap(), "--timeout", "2s"]),
            None,
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{flag}: {err}");
        assert!(err.contains("--timeout 2s"), "{flag}: {err}");
        assert!(err.contains("never-written"), "{flag}: {err}");
        assert!(o.stdout.is_empty(), "{flag}: no partial report");
        assert!(
            took >= timeout,
            "{flag}: ended before its timeout: {took:?}"
        );
        // The rest is process start and exit on a loaded machine, not more reading.
        assert!(took < timeout + Duration::from_secs(20), "{flag}: {took:?}");
        eprintln!("{flag} FIFO ended in {took:?}");
    }
}

/// A pipe has no length either: an endless one is cut at the limit (the writer sees the
/// pipe close), and one under the limit is read whole.
#[test]
fn piped_input_over_the_limit_is_refused_and_under_it_read_whole() {
    let endless = || -> Box<dyn FnOnce(std::process::ChildStdin) + Send> {
        Box::new(|mut pipe| {
            let chunk = vec![b' '; 64 * 1024];
            while pipe.write_all(&chunk).is_ok() {}
        })
    };
    let (o, _) = run(
        cli(&["diagnose", "--snapshot", "/dev/stdin"]),
        Some(endless()),
    );
    assert_refused(
        &o,
        &format!(
            "{}-byte snapshot limit",
            ecs_task_doctor::snapshot::MAX_SNAPSHOT_BYTES
        ),
    );
    let (o, _) = run(cli(&["diagnose", "--event", "/dev/stdin"]), Some(endless()));
    assert_refused(&o, &format!("over the {MAX_EVENT_BYTES}-byte limit"));
    // The shipped example through a pipe: the same report as from the file.
    let piped = run(
        cli(&["diagnose", "--snapshot", "/dev/stdin", "--format", "json"]),
        Some(Box::new(|mut pipe| {
            let _ = pipe.write_all(EXAMPLE.as_bytes());
        })),
    )
    .0;
    assert!(piped.status.success(), "{}", stderr(&piped));
    let example = repo_file("examples/fargate-cannot-pull.json");
    let file = run(
        cli(&[
            "diagnose",
            "--snapshot",
            example.to_str().unwrap(),
            "--format",
            "json",
        ]),
        None,
    )
    .0;
    assert!(file.status.success(), "{}", stderr(&file));
    assert_eq!(piped.stdout, file.stdout);
}

fn repo_file(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// The characters that act on a terminal or hide and reorder text: ESC and the C1 controls
/// (CSI U+009B among them), bidi embeddings, overrides, isolates and marks, zero-width
/// characters and the BOM.
fn deceptive() -> Vec<char> {
    let mut v = vec!['\u{1b}', '\u{7}', '\r'];
    v.extend('\u{80}'..='\u{9f}');
    v.extend('\u{202a}'..='\u{202e}');
    v.extend('\u{2066}'..='\u{2069}');
    v.extend(['\u{200e}', '\u{200f}', '\u{061c}']);
    v.extend('\u{200b}'..='\u{200d}');
    v.extend(['\u{2060}', '\u{feff}']);
    v
}

/// Clears the screen and prints a false all-clear, hidden and reordered every listed way.
fn hostile() -> String {
    let mut s = String::from("\u{1b}[2J\u{1b}[H All checks PASSED \u{1b}[8m");
    s.extend(deceptive());
    s.push_str("\u{9b}2Jend");
    s
}

/// No raw deceptive character, and the escape shown as text instead.
fn assert_escaped(what: &str, out: &str) {
    for c in deceptive() {
        assert!(
            !out.contains(c),
            "{what}: raw U+{:04X} in: {}",
            c as u32,
            out.escape_debug()
        );
    }
    assert!(
        out.contains("\\x1b[2J") && out.contains("\\u{202e}") && out.contains("\\u{feff}"),
        "{what}: the escaped text is not visible: {}",
        out.escape_debug()
    );
}

fn write(dir: &std::path::Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p
}

/// `error: …` on stderr echoes the input (an unknown enum variant through serde, an event's
/// detail-type, its clusterArn): escaped as the text report escapes, never raw.
#[test]
fn error_messages_escape_what_they_echo() {
    let dir = scratch("errors");
    let h = hostile();
    let mut snap = example();
    snap["request"]["source"] = json!(h);
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("events/task-state-change.json")).unwrap(),
    )
    .unwrap();
    let mut detail_type = event.clone();
    detail_type["detail-type"] = json!(h);
    let mut cluster = event.clone();
    cluster["detail"]["clusterArn"] = json!(h);
    let mut lookup = example();
    lookup["task"]["value"] = json!({"lookup": h});
    for (flag, name, v, needle) in [
        ("--snapshot", "source.json", &snap, "unknown variant"),
        ("--snapshot", "lookup.json", &lookup, "unknown variant"),
        ("--event", "detail-type.json", &detail_type, "detail-type"),
        ("--event", "cluster.json", &cluster, "clusterArn"),
    ] {
        let p = write(&dir, name, v);
        let (o, _) = run(cli(&["diagnose", flag, p.to_str().unwrap()]), None);
        assert_refused(&o, needle);
        assert_escaped(name, &stderr(&o));
    }
}

/// JSON output: serde_json escapes only C0; C1, bidi and zero-width characters in a report's
/// text are `\u` escapes too, and decode back to the text as given.
#[test]
fn json_output_holds_deceptive_characters_only_as_escapes() {
    let dir = scratch("json");
    let h = hostile();
    let mut snap = example();
    snap["task"]["value"]["task"]["stoppedReason"] =
        json!(format!("CannotPullContainerError: {h}"));
    snap["task"]["value"]["task"]["containers"][0]["reason"] = json!(h);
    let p = write(&dir, "report.json", &snap);
    for args in [
        vec![
            "diagnose",
            "--snapshot",
            p.to_str().unwrap(),
            "--format",
            "json",
        ],
        vec![
            "diagnose",
            "--snapshot",
            p.to_str().unwrap(),
            "--format",
            "json",
            "--stage",
            "task",
        ],
    ] {
        let (o, _) = run(cli(&args), None);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8(o.stdout.clone()).unwrap();
        for c in deceptive() {
            assert!(!out.contains(c), "raw U+{:04X} in the JSON", c as u32);
        }
        for esc in [
            "\\u001b[2J",
            "\\u009b",
            "\\u202e",
            "\\u2066",
            "\\u200b",
            "\\ufeff",
            "\\u061c",
        ] {
            assert!(out.contains(esc), "{esc} missing");
        }
        let r: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            r["task"]["stoppedReason"],
            json!(format!("CannotPullContainerError: {h}"))
        );
    }
}
