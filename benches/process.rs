//! The process figures of issue 8: binary sizes, the Lambda bootstrap's init (process start
//! to its first request for work) and first invocation, and the peak RSS of one diagnosis.
//!
//! The bootstrap runs against a small stand-in for the Lambda Runtime API served here (the
//! three calls a runtime makes: next invocation, response, error), with the environment Lambda
//! sets, and diagnoses the seed scenario on moto from an Automation payload. Its peak RSS is
//! VmHWM from /proc when the first answer has arrived. The CLI's peak RSS is `/usr/bin/time -v`
//! around one `diagnose` of the same task, and around a replay of the shipped example.
//!
//! Run: `cargo build --release && mkdir -p target/shipped && cp target/release/bootstrap
//! target/release/ecs-task-doctor target/shipped/ && cargo bench --bench process`. `BENCH_RUNS`
//! sets the cold starts (default 10); `BENCH_BIN_DIR` another directory of binaries (an older
//! build's, to compare).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use support::network::NetworkScenario;

/// Where the measured binaries are: `BENCH_BIN_DIR`, else `target/shipped`, where the
/// release build's binaries are copied before the run (see the module doc). They cannot be
/// measured in place: `cargo bench` writes its own build of the binaries (bench profile, no
/// LTO) to the same `target/release`, over the release build's.
fn binary(name: &str) -> String {
    let dir = std::env::var("BENCH_BIN_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/shipped").to_string());
    let path = format!("{dir}/{name}");
    if !Path::new(&path).exists() {
        eprintln!(
            "{path} is missing: run `cargo build --release && mkdir -p target/shipped && cp target/release/bootstrap target/release/ecs-task-doctor target/shipped/` first (or set BENCH_BIN_DIR)"
        );
        std::process::exit(2);
    }
    path
}

/// Reads one HTTP/1.1 request (head and Content-Length body); returns its request line.
async fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let split = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[split + 4..].to_vec();
    while body.len() < length {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head.lines().next().unwrap_or("").to_string(), body))
}

async fn respond(conn: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = conn.write_all(out.as_bytes()).await;
    let _ = conn.write_all(body).await;
}

/// One cold start: (init, first invocation, peak RSS in KiB, the answer).
async fn cold_start(event: &Value) -> (Duration, Duration, u64, Value) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = listener.local_addr().unwrap().to_string();
    let mut cmd = Command::new(binary("bootstrap"));
    support::cli_env(&mut cmd)
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "ecs-task-doctor")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start the bootstrap");
    let pid = child.id();
    let (mut init, mut first, mut answer) = (None, None, Value::Null);
    let mut asked_at = started;
    while first.is_none() {
        let (mut conn, _) = tokio::time::timeout(Duration::from_secs(60), listener.accept())
            .await
            .expect("the bootstrap called the runtime API")
            .unwrap();
        while let Some((line, body)) = read_request(&mut conn).await {
            if line.starts_with("GET") && line.contains("/invocation/next") {
                if init.is_some() {
                    // The second request for work: the first invocation is answered.
                    break;
                }
                asked_at = Instant::now();
                init = Some(asked_at - started);
                let deadline = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis()
                    + 120_000;
                let body = serde_json::to_vec(event).unwrap();
                respond(
                    &mut conn,
                    "200 OK",
                    &[
                        ("Content-Type", "application/json".into()),
                        ("Lambda-Runtime-Aws-Request-Id", "bench-1".into()),
                        ("Lambda-Runtime-Deadline-Ms", deadline.to_string()),
                        (
                            "Lambda-Runtime-Invoked-Function-Arn",
                            format!(
                                "arn:aws:lambda:{}:{}:function:ecs-task-doctor",
                                support::REGION,
                                support::ACCOUNT
                            ),
                        ),
                        (
                            "Lambda-Runtime-Trace-Id",
                            "Root=1-00000000-000000000000000000000000".into(),
                        ),
                    ],
                    &body,
                )
                .await;
            } else if line.starts_with("POST") {
                first = Some(asked_at.elapsed());
                answer = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if line.contains("/error") {
                    panic!("the bootstrap answered with an error: {answer}");
                }
                respond(&mut conn, "202 Accepted", &[], b"{}").await;
                break;
            }
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    (init.unwrap(), first.unwrap(), hwm, answer)
}

/// Peak RSS (KiB) of one CLI run, from `/usr/bin/time -v`.
fn cli_peak_rss(args: &[&str]) -> u64 {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-v").arg(binary("ecs-task-doctor")).args(args);
    let out = support::cli_env(&mut cmd).output().expect("/usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // diagnose exits 1 when the verdict is FAIL; only a crash (or time's absence) is an error.
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "{args:?} failed: {stderr}"
    );
    stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .expect("time -v printed the peak RSS")
}

fn size(path: &str) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let stripped = std::env::temp_dir().join(format!(
        "stripped-{}-{}",
        std::process::id(),
        Path::new(path).file_name().unwrap().to_string_lossy()
    ));
    let stripped_bytes = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(path)
        .status()
        .ok()
        .filter(|s| s.success())
        .and_then(|_| std::fs::metadata(&stripped).ok())
        .map(|m| m.len());
    let _ = std::fs::remove_file(&stripped);
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    format!(
        "{} ({} stripped)",
        mb(bytes),
        stripped_bytes
            .map(mb)
            .unwrap_or_else(|| "strip unavailable:".into())
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    println!(
        "# process: the binaries of {}, {} ({})\n",
        binary("bootstrap"),
        std::env::consts::ARCH,
        std::env::consts::OS
    );
    println!("| binary | size |\n|---|---|");
    println!(
        "| ecs-task-doctor (CLI) | {} |",
        size(&binary("ecs-task-doctor"))
    );
    println!("| bootstrap (Lambda) | {} |\n", size(&binary("bootstrap")));

    let conf = support::sdk_config().await;
    // What building the clients costs, in this process: nothing at init (they are built on
    // first use), and this much in all when a diagnosis has used every one of them.
    let mut inits = Vec::new();
    let mut builds = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let clients = ecs_task_doctor::collect::Clients::new(&conf);
        inits.push(started.elapsed());
        let started = Instant::now();
        let _ = (
            clients.ecs(),
            clients.ec2(),
            clients.ssm(),
            clients.ecr(),
            clients.iam(),
        );
        let _ = (
            clients.secretsmanager(),
            clients.kms(),
            clients.logs(),
            clients.efs(),
        );
        builds.push(started.elapsed());
    }
    println!(
        "Clients::new: median {:.3} ms; then building all 9 service clients on first use: median {:.3} ms (50 times each)\n",
        median(inits).as_secs_f64() * 1000.0,
        median(builds).as_secs_f64() * 1000.0
    );
    let seed = NetworkScenario::private_with_endpoints()
        .interface_endpoints(&["ecr.api", "ecr.dkr", "logs", "secretsmanager"])
        .build(&conf)
        .await;
    let event =
        json!({"ClusterName": seed.task.cluster, "TaskId": seed.task.task_id, "Stage": "all"});

    let mut inits = Vec::new();
    let mut firsts = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..runs {
        let (init, first, hwm, answer) = cold_start(&event).await;
        assert_eq!(
            answer["rootCause"], "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING",
            "the first invocation's answer: {answer:#}"
        );
        inits.push(init);
        firsts.push(first);
        peaks.push(hwm);
    }
    peaks.sort();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!("| bootstrap, {runs} cold starts | median | min | max |\n|---|---|---|---|");
    println!(
        "| init: process start to the first request for work | {} | {} | {} |",
        ms(median(inits.clone())),
        ms(*inits.iter().min().unwrap()),
        ms(*inits.iter().max().unwrap())
    );
    println!(
        "| first invocation: event to answer (seed case on moto, no added latency) | {} | {} | {} |",
        ms(median(firsts.clone())),
        ms(*firsts.iter().min().unwrap()),
        ms(*firsts.iter().max().unwrap())
    );
    println!(
        "| peak RSS after the first invocation | {} MB | {} MB | {} MB |\n",
        peaks[peaks.len() / 2] / 1024,
        peaks[0] / 1024,
        peaks[peaks.len() - 1] / 1024
    );

    let diagnose = cli_peak_rss(&[
        "diagnose",
        "--cluster",
        &seed.task.cluster,
        "--task",
        &seed.task.task_id,
    ]);
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/fargate-cannot-pull.json"
    );
    let replay = cli_peak_rss(&["diagnose", "--snapshot", example]);
    println!("| CLI, one run | peak RSS |\n|---|---|");
    println!(
        "| diagnose the seed case on moto | {:.1} MB |",
        diagnose as f64 / 1024.0
    );
    println!(
        "| diagnose --snapshot of the shipped example | {:.1} MB |",
        replay as f64 / 1024.0
    );
}
