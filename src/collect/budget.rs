//! The call policy every AWS call follows, and the run's time budget.
//!
//! Two limits apply to every call collect makes:
//!
//! - the [`CallPolicy`]: the SDK's standard retry mode (exponential backoff with jitter,
//!   throttling and transient errors retried) with stated attempts, backoff and timeouts per
//!   attempt and per operation, so one slow or throttled API cannot hold the run;
//! - the run's deadline, when the caller gives one ([`within`]): no call, retry backoff or
//!   attempt outlives it. A read cut by the deadline becomes an `Unreadable` fact with the
//!   error code [`TIMED_OUT`], which judge reports as UNKNOWN, and the facts already read are
//!   kept, so the report comes back, partial, before the deadline.
//!
//! How the deadline reaches every call: it is a task-local value set around the run, and
//! the SDK clients are built with [`BudgetSleep`] as their sleep implementation. The SDK
//! sleeps through that one trait for its operation timeout, its attempt timeout, its connect
//! timeout and its retry backoff; [`BudgetSleep`] never sleeps past the deadline. So a call
//! in flight at the deadline ends there with a timeout error, and a call started after it
//! ends at once. Nothing at a call site has to remember the budget, and a paginated read is
//! cut between (or inside) pages like any other call.

use std::future::Future;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_ecs::config::{AsyncSleep, SharedAsyncSleep, Sleep};
use tokio::time::Instant;

/// The error code of a read the run's deadline or a timeout cut short (defined with the
/// facts, which record it): the reason shown as "timed out" in the report.
pub use crate::facts::TIMED_OUT;

/// Attempts per call, the first included (the SDK's standard mode uses 3). One more than the
/// default because throttling is the usual trouble of an account in trouble, and a
/// diagnosis makes few calls (about 40 to 90), so a fourth try costs little and turns most
/// throttled reads into answers.
pub const MAX_ATTEMPTS: u32 = 4;

/// The first retry waits up to this long (full jitter: a random time up to the bound), then
/// the bound doubles per retry. Half the SDK default of 1 s: the retries of a call fit in a
/// few seconds (at most 0.5 + 1 + 2 s), well inside a Lambda run.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// No backoff is longer than this (the SDK default is 20 s, longer than a useful diagnosis
/// can wait).
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Time to open a connection. A regional endpoint answers a TCP/TLS handshake in well under
/// a second; 3 s tells a black-holed route from a slow one without eating the budget.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Time for one attempt (request sent to response read). Describe and List calls answer in
/// well under 2 s; 10 s allows the tail (a big DescribeSecurityGroupRules page) and still
/// leaves room for a retry inside [`OPERATION_TIMEOUT`].
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Time for one call, every attempt and backoff included. A quarter of the function's
/// 120 s timeout: a single stuck API costs at most this, and the stages' reads run
/// concurrently, so the others go on meanwhile.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// How every AWS call of a run retries and times out. [`CallPolicy::STANDARD`] is what the
/// shells use; a test may shorten it to keep a fault matrix fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Upper bound of the first retry's jittered wait.
    pub initial_backoff: Duration,
    /// Upper bound of any retry's wait.
    pub max_backoff: Duration,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for one attempt.
    pub attempt_timeout: Duration,
    /// Time for one call, all attempts included.
    pub operation_timeout: Duration,
}

impl CallPolicy {
    /// The stated policy: see the constants for why each number.
    pub const STANDARD: CallPolicy = CallPolicy {
        max_attempts: MAX_ATTEMPTS,
        initial_backoff: INITIAL_BACKOFF,
        max_backoff: MAX_BACKOFF,
        connect_timeout: CONNECT_TIMEOUT,
        attempt_timeout: ATTEMPT_TIMEOUT,
        operation_timeout: OPERATION_TIMEOUT,
    };

    /// The SDK configuration with this policy and the budget-aware sleep applied; Region,
    /// credentials and endpoint come from `conf` unchanged.
    pub fn apply(&self, conf: &SdkConfig) -> SdkConfig {
        conf.to_builder()
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(self.max_attempts)
                    .with_initial_backoff(self.initial_backoff)
                    .with_max_backoff(self.max_backoff),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_attempt_timeout(self.attempt_timeout)
                    .operation_timeout(self.operation_timeout)
                    .build(),
            )
            .sleep_impl(SharedAsyncSleep::new(BudgetSleep))
            .build()
    }
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy::STANDARD
    }
}

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `fut` (a run's reads) with `deadline` as the budget of every AWS call it makes; no
/// deadline: only the [`CallPolicy`] limits apply.
pub async fn within<F: Future>(deadline: Option<Instant>, fut: F) -> F::Output {
    match deadline {
        Some(d) => DEADLINE.scope(d, fut).await,
        None => fut.await,
    }
}

/// The deadline of the run this task belongs to, if it has one.
pub fn deadline() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// True once the run's deadline has passed: a failed read is then reported as timed out.
pub fn spent() -> bool {
    deadline().is_some_and(|d| Instant::now() >= d)
}

/// Wraps a future that will run on another task (`JoinSet::spawn`) so it keeps this run's
/// deadline: a task-local value does not follow a spawn by itself.
pub fn carry<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    within(deadline(), fut)
}

/// The SDK's sleep, cut at the run's deadline. The SDK sleeps through this for its
/// timeouts and its retry backoff, so no call outlives the deadline (see the module doc).
/// Outside a run with a deadline it is a plain tokio sleep.
#[derive(Debug, Clone, Copy, Default)]
pub struct BudgetSleep;

impl AsyncSleep for BudgetSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        let now = Instant::now();
        // A huge duration (an "infinite" timeout) saturates instead of overflowing.
        let until = now
            .checked_add(duration)
            .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365));
        let until = match deadline() {
            Some(d) if d < until => d,
            _ => until,
        };
        Sleep::new(tokio::time::sleep_until(until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sleep_never_outlasts_the_deadline() {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(200);
        within(Some(deadline), async {
            BudgetSleep.sleep(Duration::from_secs(30)).await;
        })
        .await;
        let took = Instant::now() - start;
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(2),
            "{took:?}"
        );
        // Outside the run, the sleep is the full duration.
        let t = Instant::now();
        BudgetSleep.sleep(Duration::from_millis(300)).await;
        assert!(Instant::now() - t >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_spawned_task_keeps_the_deadline_only_when_carried() {
        let deadline = Instant::now() + Duration::from_millis(100);
        within(Some(deadline), async {
            let carried = tokio::spawn(carry(async { deadline_now() })).await.unwrap();
            let bare = tokio::spawn(async { deadline_now() }).await.unwrap();
            assert_eq!(carried, Some(deadline));
            assert_eq!(bare, None);
            assert!(!spent());
            tokio::time::sleep_until(deadline).await;
            assert!(spent());
        })
        .await;
    }

    fn deadline_now() -> Option<Instant> {
        deadline()
    }

    #[test]
    fn the_standard_policy_is_what_reliability_md_states() {
        let p = CallPolicy::STANDARD;
        assert_eq!(p.max_attempts, 4);
        assert_eq!(p.initial_backoff, Duration::from_millis(500));
        assert_eq!(p.max_backoff, Duration::from_secs(5));
        assert_eq!(p.connect_timeout, Duration::from_secs(3));
        assert_eq!(p.attempt_timeout, Duration::from_secs(10));
        assert_eq!(p.operation_timeout, Duration::from_secs(30));
    }

    #[tokio::test]
    async fn the_policy_reaches_the_sdk_config() {
        let conf = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let tuned = CallPolicy::STANDARD.apply(&conf);
        let retry = tuned.retry_config().unwrap();
        assert_eq!(retry.max_attempts(), MAX_ATTEMPTS);
        assert_eq!(retry.initial_backoff(), INITIAL_BACKOFF);
        assert_eq!(retry.max_backoff(), MAX_BACKOFF);
        let t = tuned.timeout_config().unwrap();
        assert_eq!(t.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(t.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(t.operation_timeout(), Some(OPERATION_TIMEOUT));
        assert!(tuned.sleep_impl().is_some());
    }
}
