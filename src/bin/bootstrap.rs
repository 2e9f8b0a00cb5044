//! The Lambda entry point (`provided.al2023`): builds the AWS clients once, then serves
//! every invocation with the library's handler.
//!
//! Where reports go comes from the environment the template sets: `REPORT_TOPIC_ARN` and
//! `REPORT_BUCKET` (empty: not published).
//!
//! Each invocation's reads must end by the invocation's deadline minus
//! [`RENDER_AND_PUBLISH_MARGIN`], so the report, partial if need be, is always rendered,
//! published and returned before Lambda stops the function.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::handler::{App, HandlerError};
use ecs_task_doctor::publish::{Destinations, Publisher};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

/// Time kept after the reads for judging, rendering, publishing (an SNS message and two S3
/// objects, each a single fast call) and returning. Judging and rendering take
/// milliseconds; the rest is the publish calls' round trips with a retry. 10 s of the
/// function's 120 s.
const RENDER_AND_PUBLISH_MARGIN: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> Result<(), Error> {
    // JSON logs when the function's log format is JSON (see template.yaml).
    init_logging();
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let publisher = Publisher::new(&conf, Destinations::from_env());
    let app = App::new(Engine::new(&conf)?, Some(publisher));
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let budget = read_budget(event.context.deadline, SystemTime::now());
        let deadline = tokio::time::Instant::now() + budget;
        app.handle_within(event.payload, deadline, &event.context.invoked_function_arn)
            .await
            .inspect_err(|e: &HandlerError| {
                // Redacted and terminal-safe: a parse error can quote a value of the event.
                tracing::warn!(error = %e.safe_message(), "no report");
            })
    }))
    .await
}

/// `lambda_runtime::tracing::init_default_subscriber` (1.5.0), line for line: the level from
/// `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` (INFO), JSON when `AWS_LAMBDA_LOG_FORMAT` is JSON;
/// plus [`ecs_task_doctor::redact::log_event_allowed`], so that the SDK's TRACE events, which
/// print AWS answers whole (unredacted stop reasons), are never written.
fn init_logging() {
    use std::str::FromStr;
    use tracing_subscriber::filter::{EnvFilter, LevelFilter, filter_fn};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL").or_else(|_| std::env::var("RUST_LOG"));
    let level =
        LevelFilter::from_str(level.as_deref().unwrap_or("INFO")).unwrap_or(LevelFilter::INFO);
    let fmt = tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_env_filter(
            EnvFilter::builder()
                .with_default_directive(level.into())
                .from_env_lossy(),
        );
    let allowed = filter_fn(ecs_task_doctor::redact::log_event_allowed);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").unwrap_or_default();
    if json.eq_ignore_ascii_case("json") {
        fmt.json().finish().with(allowed).init();
    } else {
        fmt.finish().with(allowed).init();
    }
}

/// Lambda's longest timeout: no real deadline is further away, and one that claims to be
/// more than this far in the past is not a deadline at all.
const LAMBDA_MAX_TIMEOUT: Duration = Duration::from_secs(900);

/// The reads' budget when the runtime's deadline is not a point in time (see
/// [`read_budget`]): the template's timeout less the margin.
const FALLBACK_BUDGET: Duration = Duration::from_secs(110);

/// How long the reads may take: from now to the invocation's deadline (milliseconds since
/// the Unix epoch, from the Lambda context), less [`RENDER_AND_PUBLISH_MARGIN`]. A deadline
/// already inside the margin leaves no time to read: every fact is then "timed out" and the
/// report says so, rather than Lambda killing the run with nothing.
///
/// A "deadline" further in the past than any invocation can last is not a time: cargo-lambda
/// 1.9.2's emulator sends `Lambda-Runtime-Deadline-Ms: 600000` (a duration), where Lambda
/// sends an epoch time. Such a value gets [`FALLBACK_BUDGET`] rather than a run that times
/// out before it starts.
fn read_budget(deadline_ms: u64, now: SystemTime) -> Duration {
    let deadline = UNIX_EPOCH + Duration::from_millis(deadline_ms);
    match deadline.duration_since(now) {
        Ok(left) => left.saturating_sub(RENDER_AND_PUBLISH_MARGIN),
        Err(past) if past.duration() > LAMBDA_MAX_TIMEOUT => FALLBACK_BUDGET,
        Err(_) => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_the_remaining_time_less_the_margin() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let deadline_ms = 1_700_000_000_000 + 120_000;
        assert_eq!(read_budget(deadline_ms, now), Duration::from_secs(110));
        // Inside the margin, or past: nothing left to read with, no panic.
        assert_eq!(read_budget(1_700_000_000_000 + 5_000, now), Duration::ZERO);
        assert_eq!(read_budget(1_699_999_999_000, now), Duration::ZERO);
        // Not a point in time (cargo-lambda's emulator sends a duration): the fallback.
        assert_eq!(read_budget(600_000, now), FALLBACK_BUDGET);
    }
}
