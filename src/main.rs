//! The `ecs-task-doctor` command line: the same engine as the Lambda.
//!
//! Exit status: 0 whenever a report was produced (whatever its verdict), 2 for bad
//! input, 1 when no report could be made.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ecs_task_doctor::codes::Code;
use ecs_task_doctor::engine::{self, Engine};
use ecs_task_doctor::facts::Facts;
use ecs_task_doctor::input;
use ecs_task_doctor::render::{self, Format};
use ecs_task_doctor::report::Report;
use ecs_task_doctor::request::{Caller, DiagnoseRequest, Request, RequestError, Target};
use ecs_task_doctor::snapshot;
use ecs_task_doctor::stage::{StageName, StageSelection};

#[derive(Parser)]
#[command(
    name = "ecs-task-doctor",
    version,
    about = "Why did this Amazon ECS task fail to start, and what exactly do I change? Read-only."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Diagnose one task: from AWS (--cluster and --task), from a stopped-task event (--event), or offline (--snapshot).
    Diagnose(DiagnoseArgs),
    /// Diagnose recent start failures across clusters: group repeats, diagnose one task per group.
    Sweep {
        /// Cluster to sweep (repeatable); default: every cluster in the Region.
        #[arg(long = "cluster")]
        clusters: Vec<String>,
        /// How far back to look, like 60m or 2h (ECS lists stopped tasks for about an hour).
        #[arg(long, default_value = "60m")]
        since: String,
        /// Output format: json, text or markdown (a table of groups).
        #[arg(long, default_value = "text")]
        format: Format,
        /// Time allowed for the AWS reads, like 30s, 2m or 90 (seconds); what is not read by then shows as UNKNOWN, "timed out".
        #[arg(long, default_value = DEFAULT_TIMEOUT, value_parser = parse_timeout)]
        timeout: Duration,
    },
    /// Print the full explanation of a finding code, like `rustc --explain`.
    Explain {
        /// The code, for example NET_SG_EGRESS_S3_PREFIX_LIST_MISSING.
        code: String,
    },
    /// List every finding code with its stage and title.
    Codes,
}

#[derive(Args)]
struct DiagnoseArgs {
    /// Cluster name or ARN.
    #[arg(long, requires = "task", conflicts_with_all = ["event", "snapshot"])]
    cluster: Option<String>,
    /// Task ID or ARN.
    #[arg(long, requires = "cluster")]
    task: Option<String>,
    /// An ECS Task State Change event, as EventBridge delivers it.
    #[arg(long, conflicts_with = "snapshot")]
    event: Option<PathBuf>,
    /// Saved facts to replay offline (no AWS access).
    #[arg(long)]
    snapshot: Option<PathBuf>,
    /// One stage, or all.
    #[arg(long, default_value = "all")]
    stage: StageSelection,
    /// Output format: json, text or markdown.
    #[arg(long, default_value = "text")]
    format: Format,
    /// Write the collected facts to this file for offline replay.
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Time allowed for the AWS reads, like 30s, 2m or 90 (seconds); what is not read by then shows as UNKNOWN, "timed out".
    #[arg(long, default_value = DEFAULT_TIMEOUT, value_parser = parse_timeout)]
    timeout: Duration,
    /// Text output: every passing check and path in full, not one line per stage.
    #[arg(long, short)]
    verbose: bool,
    /// Text output colours: auto (when standard output is a terminal and NO_COLOR is not set),
    /// always or never.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

/// When the text report is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    /// When standard output is a terminal and NO_COLOR is unset or empty (no-color.org).
    Auto,
    /// Always, even into a pipe.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    fn colored(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// The default `--timeout`: a diagnosis reads in a few seconds; a minute leaves room for
/// retries of a throttled account and still answers a person waiting at a terminal.
const DEFAULT_TIMEOUT: &str = "60s";

/// The longest `--timeout`: past an hour ECS has forgotten the stopped task anyway.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Parses `--timeout`: a whole number with the unit s, m or h (no unit: seconds), from 1 s
/// to [`MAX_TIMEOUT`].
fn parse_timeout(s: &str) -> Result<Duration, String> {
    let bad = || format!("expected a duration like 30s, 2m or 1h (1s to 1h), not '{s}'");
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "" | "s" | "sec" => Some(n),
        "m" | "min" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    }
    .ok_or_else(bad)?;
    let d = Duration::from_secs(secs);
    if d.is_zero() || d > MAX_TIMEOUT {
        return Err(bad());
    }
    Ok(d)
}

/// A failure with the exit status it deserves. Its message may quote the input (a path, a
/// serde error naming an unknown variant, an event's detail-type): [`print_error`] makes it
/// safe for the terminal.
enum Failure {
    BadInput(String),
    NoReport(String),
}

#[tokio::main]
async fn main() -> ExitCode {
    {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("ECS_TASK_DOCTOR_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .finish()
            // The SDK's TRACE events print AWS answers whole, credentials included.
            .with(tracing_subscriber::filter::filter_fn(
                ecs_task_doctor::redact::log_event_allowed,
            ))
            .init();
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Diagnose(args) => diagnose(args).await,
        Command::Sweep {
            clusters,
            since,
            format,
            timeout,
        } => sweep(clusters, &since, format, timeout).await,
        Command::Explain { code } => explain(&code),
        Command::Codes => Ok(codes()),
    };
    match result {
        Ok(text) => write_stdout(&text),
        Err(Failure::BadInput(m)) => {
            print_error(&m);
            ExitCode::from(2)
        }
        Err(Failure::NoReport(m)) => {
            print_error(&m);
            ExitCode::from(1)
        }
    }
}

/// Prints `error: …` with the message made [`render::terminal_safe`], as the text report
/// makes the account's text: an error echoes its input, and a snapshot or event whose text
/// holds `ESC[2J … All checks PASSED` would otherwise clear the screen and lie (issue 16).
fn print_error(message: &str) {
    eprintln!("error: {}", render::terminal_safe(message));
}

/// `--timeout` as the error names it.
fn timeout_flag(timeout: Duration) -> String {
    format!("--timeout {}s", timeout.as_secs())
}

/// Runs blocking input work (opening and reading a file that may be a FIFO, judging a
/// snapshot) within the run's deadline: `--timeout` bounds the whole run, not only the AWS
/// reads. See [`ecs_task_doctor::input::within`].
async fn within<T: Send + 'static>(
    deadline: tokio::time::Instant,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, input::Unfinished> {
    let deadline = deadline.into_std();
    tokio::task::spawn_blocking(move || input::within(deadline, work))
        .await
        .unwrap_or(Err(input::Unfinished::Failed))
}

/// Writes the output; a closed pipe (`| head`) is not an error worth a panic.
fn write_stdout(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(1)
        }
    }
}

async fn diagnose(args: DiagnoseArgs) -> Result<String, Failure> {
    let deadline = tokio::time::Instant::now() + args.timeout;
    let bad = |e: RequestError| Failure::BadInput(e.to_string());
    let (facts, report) = if let Some(path) = &args.snapshot {
        replay_within(path, args.stage, deadline, args.timeout, engine::replay).await?
    } else {
        let request = match (&args.cluster, &args.task, &args.event) {
            (Some(c), Some(t), None) => {
                match Request::lookup(c, t, args.stage, Caller::Cli).map_err(bad)? {
                    Request::Diagnose(d) => d,
                    Request::Sweep(_) => unreachable!("a lookup is never a sweep"),
                }
            }
            (None, None, Some(path)) => {
                let (file, stage) = (path.clone(), args.stage);
                match within(deadline, move || event_request(&file, stage)).await {
                    Ok(request) => request?,
                    Err(input::Unfinished::Deadline) => {
                        return Err(Failure::NoReport(format!(
                            "{}: not read within {}; no report",
                            path.display(),
                            timeout_flag(args.timeout)
                        )));
                    }
                    Err(input::Unfinished::Failed) => {
                        return Err(Failure::NoReport(format!(
                            "{}: the event could not be read; no report",
                            path.display()
                        )));
                    }
                }
            }
            _ => {
                return Err(Failure::BadInput(
                    "say which task: --cluster C --task T, --event FILE, or --snapshot FILE".into(),
                ));
            }
        };
        let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let engine = Engine::new(&conf).map_err(|e| Failure::NoReport(e.to_string()))?;
        let d = engine
            .diagnose_within(&request, deadline)
            .await
            .map_err(|e| match e {
                engine::EngineError::Request(r) => bad(r),
                other => Failure::NoReport(other.to_string()),
            })?;
        (d.facts, d.report)
    };
    if let Some(path) = &args.save_snapshot {
        snapshot::save(path, &facts).map_err(|e| Failure::NoReport(e.to_string()))?;
    }
    Ok(match args.format {
        Format::Text => render::text_with(
            &report,
            render::TextOptions {
                color: args.color.colored(),
                verbose: args.verbose,
            },
        ),
        other => render::render(&report, other),
    })
}

/// Replays a snapshot (reading it and judging it) within the deadline, because a snapshot is
/// untrusted input: a FIFO that is never written, or facts that take the judge too long, end
/// at `--timeout` with an error naming it, never with a partial report. `judge` is
/// [`engine::replay`]; a parameter so that a test can stand in a slow one.
async fn replay_within(
    path: &Path,
    stage: StageSelection,
    deadline: tokio::time::Instant,
    timeout: Duration,
    judge: fn(&Facts, StageSelection) -> Report,
) -> Result<(Facts, Report), Failure> {
    let read = Arc::new(AtomicBool::new(false));
    let (file, done_reading) = (path.to_path_buf(), Arc::clone(&read));
    let replayed = within(deadline, move || {
        let facts = snapshot::load(&file)?;
        done_reading.store(true, Ordering::Release);
        let report = judge(&facts, stage);
        Ok::<_, snapshot::SnapshotError>((facts, report))
    })
    .await;
    match replayed {
        Ok(r) => r.map_err(|e| Failure::BadInput(e.to_string())),
        Err(input::Unfinished::Deadline) if read.load(Ordering::Acquire) => {
            Err(Failure::NoReport(format!(
                "{}: judging the snapshot did not finish within {}; no report",
                path.display(),
                timeout_flag(timeout)
            )))
        }
        Err(input::Unfinished::Deadline) => Err(Failure::NoReport(format!(
            "{}: not read within {}; no report",
            path.display(),
            timeout_flag(timeout)
        ))),
        Err(input::Unfinished::Failed) => Err(Failure::NoReport(format!(
            "{}: the replay stopped without a report",
            path.display()
        ))),
    }
}

/// Reads and parses an `--event` file through [`input::read_file`], so that
/// [`ecs_task_doctor::request::MAX_EVENT_BYTES`] holds for a pipe or a device too (their
/// metadata length is 0). Blocking: run it [`within`] the deadline.
fn event_request(path: &Path, stage: StageSelection) -> Result<DiagnoseRequest, Failure> {
    let limit = ecs_task_doctor::request::MAX_EVENT_BYTES as u64;
    let bytes = input::read_file(path, limit).map_err(|e| match e {
        input::ReadError::TooLarge { .. } => Failure::BadInput(format!(
            "{}: {e} (EventBridge's maximum event size)",
            path.display()
        )),
        input::ReadError::Io(e) => Failure::BadInput(format!("{}: {e}", path.display())),
    })?;
    let request = Request::from_slice(&bytes)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
    match request {
        Request::Diagnose(mut d) if matches!(d.target, Target::Event(_)) => {
            d.stage = stage;
            d.caller = Caller::Cli;
            Ok(d)
        }
        _ => Err(Failure::BadInput(format!(
            "{}: --event expects an EventBridge 'ECS Task State Change' event; use --cluster and --task for a task by name",
            path.display()
        ))),
    }
}

async fn sweep(
    clusters: Vec<String>,
    since: &str,
    format: Format,
    timeout: Duration,
) -> Result<String, Failure> {
    let deadline = tokio::time::Instant::now() + timeout;
    for c in &clusters {
        ecs_task_doctor::arn::ClusterRef::parse(c)
            .map_err(|e| Failure::BadInput(format!("--cluster: {e}")))?;
    }
    let lookback_minutes = parse_minutes(since).map_err(Failure::BadInput)?;
    let request = ecs_task_doctor::request::SweepRequest {
        clusters,
        lookback_minutes,
    };
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let engine = Engine::new(&conf).map_err(|e| Failure::NoReport(e.to_string()))?;
    let summary = engine
        .sweep_within(&request, chrono::Utc::now(), deadline)
        .await
        .map_err(|e| match e {
            engine::EngineError::Request(r) => Failure::BadInput(r.to_string()),
            other => Failure::NoReport(other.to_string()),
        })?;
    Ok(match format {
        Format::Json => render::json_pretty(&summary),
        Format::Markdown => render::sweep_markdown(&summary),
        Format::Text => render::sweep_text(&summary),
    })
}

fn parse_minutes(s: &str) -> Result<u32, String> {
    let bad = || format!("--since '{s}': expected minutes or hours like 60m or 2h, at most 24h");
    let (num, unit) = s.trim().split_at(
        s.trim()
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(s.trim().len()),
    );
    let n: u32 = num.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "" | "m" | "min" => n,
        "h" => n.checked_mul(60).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if (1..=1440).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(bad())
    }
}

fn explain(code: &str) -> Result<String, Failure> {
    let c = Code::parse(code).ok_or_else(|| {
        Failure::BadInput(format!(
            "unknown code '{code}'; `ecs-task-doctor codes` lists them all"
        ))
    })?;
    let ex = c.explanation();
    let mut out = format!(
        "{c} ({} stage): {}\n\n{}\n",
        c.stage(),
        ex.title,
        ex.text.trim_end()
    );
    // The generic words stand where a report would name this account's resources.
    let console = ex.console_for(&Default::default());
    if !console.is_empty() {
        out.push_str(&format!("\nIn the console\n  {console}\n"));
    }
    if !ex.docs.is_empty() {
        out.push_str("\nDocumentation\n");
        for d in ex.docs {
            out.push_str(&format!("  {d}\n"));
        }
    }
    Ok(out)
}

fn codes() -> String {
    let mut out = String::new();
    for stage in StageName::ALL {
        for c in Code::ALL.iter().filter(|c| c.stage() == stage) {
            out.push_str(&format!(
                "{:<38} {:<10} {}\n",
                c.as_str(),
                stage.as_str(),
                c.title()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<(Facts, Report), Failure>) -> (u8, String) {
        match r {
            Ok(_) => panic!("a report"),
            Err(Failure::BadInput(m)) => (2, m),
            Err(Failure::NoReport(m)) => (1, m),
        }
    }

    /// A judge that outlasts any test's timeout: the replay must not wait for it.
    fn slow_judge(facts: &Facts, stage: StageSelection) -> Report {
        std::thread::sleep(Duration::from_secs(30));
        engine::replay(facts, stage)
    }

    #[tokio::test]
    async fn a_replay_is_bounded_by_the_timeout_reading_and_judging() {
        let dir = std::env::temp_dir().join(format!("replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("example.json");
        std::fs::write(&file, include_str!("../examples/fargate-cannot-pull.json")).unwrap();
        let timeout = Duration::from_secs(1);
        let at = |t| tokio::time::Instant::now() + t;
        // Within the budget: the report.
        let (_, report) = replay_within(
            &file,
            StageSelection::All,
            at(Duration::from_secs(30)),
            Duration::from_secs(30),
            engine::replay,
        )
        .await
        .unwrap_or_else(|_| panic!("no report"));
        assert_eq!(
            report.root_cause.map(|c| c.as_str()),
            Some("NET_SG_EGRESS_S3_PREFIX_LIST_MISSING")
        );
        // A judge too slow: cut at the timeout, named, no partial report.
        let started = std::time::Instant::now();
        let r = replay_within(&file, StageSelection::All, at(timeout), timeout, slow_judge).await;
        let took = started.elapsed();
        let (status, m) = message(r);
        assert_eq!(status, 1, "{m}");
        assert!(
            m.contains("judging the snapshot did not finish within --timeout 1s")
                && m.contains("example.json"),
            "{m}"
        );
        assert!(
            took >= timeout && took < Duration::from_secs(15),
            "{took:?}"
        );
        // A snapshot that is never written (a FIFO): cut while reading.
        let fifo = dir.join("fifo");
        let _ = std::fs::remove_file(&fifo);
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let r = replay_within(
                &fifo,
                StageSelection::All,
                at(timeout),
                timeout,
                engine::replay,
            )
            .await;
            let (status, m) = message(r);
            assert_eq!(status, 1, "{m}");
            assert!(m.contains("not read within --timeout 1s"), "{m}");
        }
        // Bad input stays bad input, not a timeout.
        std::fs::write(&file, "{}").unwrap();
        let r = replay_within(&file, StageSelection::All, at(timeout), timeout, slow_judge).await;
        let (status, m) = message(r);
        assert_eq!(status, 2, "{m}");
        assert!(m.contains("not an ecs-task-doctor snapshot"), "{m}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn timeouts_parse_with_units_and_bad_ones_say_why() {
        assert_eq!(parse_timeout("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_timeout(DEFAULT_TIMEOUT), Ok(Duration::from_secs(60)));
        for bad in [
            "",
            "0s",
            "2h",
            "-5s",
            "1.5s",
            "30 seconds",
            "s",
            "99999999999999999999h",
        ] {
            let e = parse_timeout(bad).unwrap_err();
            assert!(e.contains("like 30s, 2m or 1h"), "{bad}: {e}");
        }
    }
}
