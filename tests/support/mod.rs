//! The integration-test harness: a real moto server per test binary, and scenario builders
//! that create resources through the AWS SDK the way a real account is built.
//!
//! moto is installed from pinned versions (tests/support/requirements.txt) into
//! `target/tmp/test-venv` on first use, then started on a loopback port the kernel picks.
//! It exits when the test binary does (it watches its standard input).

#![allow(dead_code)]

pub mod calls;
pub mod ecr;
pub mod fault_proxy;
pub mod iam;
pub mod logging;
pub mod network;
pub mod placement;
pub mod redaction;
pub mod sam;
pub mod scenario;
pub mod secrets;
pub mod standard;
pub mod sweep;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_ecs::config::{Credentials, Region};

/// The Region every scenario uses.
pub const REGION: &str = "us-east-1";
/// moto's fixed account.
pub const ACCOUNT: &str = "123456789012";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-venv")
}

/// The Python interpreter of the test venv, installed on first use (serialised across
/// test binaries with a file lock).
pub fn python() -> PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = venv_dir();
        let py = venv.join("bin").join("python");
        let reqs = std::fs::read_to_string(repo().join("tests/support/requirements.txt")).unwrap();
        let stamp = venv.join(".installed");
        std::fs::create_dir_all(venv.parent().unwrap()).unwrap();
        let lock = std::fs::File::create(venv.with_extension("lock")).unwrap();
        lock.lock().expect("lock the test venv");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(reqs.as_str()) {
            let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
            run(Command::new(&system_python).args(["-m", "venv"]).arg(&venv));
            run(Command::new(&py)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(repo().join("tests/support/requirements.txt")));
            std::fs::write(&stamp, &reqs).unwrap();
        }
        py
    })
    .clone()
}

/// A program installed in the test venv (cfn-lint, for example).
pub fn venv_bin(name: &str) -> PathBuf {
    python().parent().unwrap().join(name)
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Server {
    endpoint: String,
    // Held so the server's stdin stays open; moto exits when this process does.
    _child: Mutex<Child>,
}

/// Starts a moto server (tests/support/moto_server.py); returns it, its port, and its
/// standard output after the port line.
pub fn spawn_moto() -> (Child, u16, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(python())
        .arg(repo().join("tests/support/moto_server.py"))
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).expect("read moto's port");
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("moto printed {line:?} instead of a port"));
    (child, port, out)
}

/// The endpoint of this test binary's moto server, started on first use.
///
/// The server announces every operation of the tool outside the read-only allowlist
/// (tests/support/tool-operations.txt) with a `FORBIDDEN` line: this test binary then exits
/// at once with a failure, whichever test sent it and whatever that test asserts.
pub fn moto_endpoint() -> &'static str {
    static SERVER: OnceLock<Server> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let (child, port, out) = spawn_moto();
            std::thread::spawn(move || {
                for line in out.lines().map_while(Result::ok) {
                    if line.starts_with("FORBIDDEN") {
                        // Straight to the file descriptor: the test harness captures
                        // eprintln! in threads spawned by a test, and would drop it on exit.
                        use std::io::Write;
                        let _ = writeln!(
                            std::io::stderr(),
                            "ecs-task-doctor sent an operation outside tests/support/tool-operations.txt: {line}"
                        );
                        std::process::exit(101);
                    }
                }
            });
            Server {
                endpoint: format!("http://127.0.0.1:{port}"),
                _child: Mutex::new(child),
            }
        })
        .endpoint
}

/// SDK configuration pointed at moto.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(moto_endpoint())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

/// The environment for running the CLI binary against moto.
pub fn cli_env(cmd: &mut Command) -> &mut Command {
    cmd.env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_ENDPOINT_URL", moto_endpoint())
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}

/// The CLI binary.
pub fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ecs-task-doctor"))
}

/// A name unique within this test binary's moto server.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A path under the target tmp dir for files a test writes.
pub fn tmp_file(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("files");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `ecs-task-doctor diagnose --cluster C --task T --format json` (plus `extra`
/// arguments) against moto, checks it exited 0, and returns the parsed report.
pub fn diagnose_json(cluster: &str, task: &str, extra: &[&str]) -> serde_json::Value {
    let mut cmd = cli();
    let out = cli_env(&mut cmd)
        .args([
            "diagnose",
            "--cluster",
            cluster,
            "--task",
            task,
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .expect("run ecs-task-doctor");
    assert!(
        out.status.success(),
        "diagnose failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout)))
}
