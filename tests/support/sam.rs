//! `sam` (AWS SAM CLI) from its own pinned venv. Owned by the template tests.
//!
//! aws-sam-cli pins boto3 to another version than moto does, so it cannot share the test
//! venv: it is installed from `tests/support/requirements-sam.txt` into
//! `target/tmp/sam-venv` on first use, serialised across test binaries with a file lock,
//! and reinstalled only when that file changes (its contents are the stamp), like
//! [`super::python`].

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const REQUIREMENTS: &str = "tests/support/requirements-sam.txt";

fn venv_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sam-venv")
}

/// The `sam` executable of the SAM venv, installed on first use.
pub fn sam_bin() -> PathBuf {
    static SAM: OnceLock<PathBuf> = OnceLock::new();
    SAM.get_or_init(|| {
        let venv = venv_dir();
        let py = venv.join("bin").join("python");
        let reqs = std::fs::read_to_string(super::repo().join(REQUIREMENTS)).unwrap();
        let stamp = venv.join(".installed");
        std::fs::create_dir_all(venv.parent().unwrap()).unwrap();
        let lock = std::fs::File::create(venv.with_extension("lock")).unwrap();
        lock.lock().expect("lock the sam venv");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(reqs.as_str()) {
            let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
            super::run(Command::new(&system_python).args(["-m", "venv"]).arg(&venv));
            super::run(
                Command::new(&py)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "-r",
                    ])
                    .arg(super::repo().join(REQUIREMENTS)),
            );
            std::fs::write(&stamp, &reqs).unwrap();
        }
        venv.join("bin").join("sam")
    })
    .clone()
}

/// A `sam` command that runs offline and leaves no trace outside target/: no telemetry, a
/// Region for plain `sam validate` (no credentials are needed), a fresh HOME (sam writes its
/// settings there) and no AWS profile or config from the developer's environment.
pub fn sam() -> Command {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sam-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(sam_bin());
    cmd.env("SAM_CLI_TELEMETRY", "0")
        .env("AWS_DEFAULT_REGION", super::REGION)
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    cmd
}
