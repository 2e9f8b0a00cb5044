//! A fact cache for one run: a diagnosis, or all the diagnoses of one sweep.
//!
//! Within one diagnosis, stages share resources (the secrets and iam stages both describe
//! each secret; the network, iam and placement stages the container instance and its EC2
//! instance); a stage may also start a read early, before it knows it needs the answer, and
//! pick the answer up later through the same key. A sweep diagnoses one task per group,
//! concurrently, and the groups' example tasks often share a VPC, an execution role or an ECR
//! repository. Without a cache each would be read again; with one, the first reader reads and
//! every other one waits for that answer and gets a copy. The cache lives for one run only (a
//! fact read now is fresh enough for the rest of the same run, never for the next one).
//!
//! Answers are kept whatever they are, an `Unreadable` one included: the diagnoses of one
//! sweep then agree with each other, and a throttled API is not asked again.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// One slot: a `OnceCell<T>` behind `Any`, keyed by `T`'s `TypeId` so the downcast matches.
type Slot = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Inner {
    slots: Mutex<HashMap<(TypeId, String), Slot>>,
    reads: AtomicUsize,
    hits: AtomicUsize,
}

/// Memoised reads, keyed by what they read (`"ec2:vpc-wide/vpc-0abc"`, `"iam:role/exec"`).
/// Concurrency-safe: when two diagnoses ask for the same key at once, one reads and the other
/// awaits its answer. Cloning shares the cache.
#[derive(Clone, Default)]
pub struct Cache {
    inner: Option<Arc<Inner>>,
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            None => f.write_str("Cache(disabled)"),
            Some(_) => write!(f, "Cache(reads: {}, hits: {})", self.reads(), self.hits()),
        }
    }
}

impl Cache {
    /// A fresh, empty cache (one per sweep).
    pub fn new() -> Cache {
        Cache {
            inner: Some(Arc::new(Inner::default())),
        }
    }

    /// No caching: every read is made, each time it is asked for (for tests that count them).
    pub fn disabled() -> Cache {
        Cache { inner: None }
    }

    /// The answer for `key`: read now by `read` the first time, a copy of that answer after.
    pub async fn get_or_read<T, F, Fut>(&self, key: impl Into<String>, read: F) -> T
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let Some(inner) = &self.inner else {
            return read().await;
        };
        let cell = {
            let mut slots = inner.slots.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = slots
                .entry((TypeId::of::<T>(), key.into()))
                .or_insert_with(|| Arc::new(OnceCell::<T>::new()));
            match Arc::clone(slot).downcast::<OnceCell<T>>() {
                Ok(cell) => cell,
                // Unreachable (the key holds T's TypeId), but never a panic: start afresh.
                Err(_) => {
                    let cell = Arc::new(OnceCell::<T>::new());
                    *slot = cell.clone();
                    cell
                }
            }
        };
        let mut fresh = false;
        let value = cell
            .get_or_init(|| {
                fresh = true;
                read()
            })
            .await
            .clone();
        let counter = if fresh { &inner.reads } else { &inner.hits };
        counter.fetch_add(1, Ordering::Relaxed);
        value
    }

    /// How many reads were made through the cache (0 when disabled).
    pub fn reads(&self) -> usize {
        self.inner
            .as_ref()
            .map_or(0, |i| i.reads.load(Ordering::Relaxed))
    }

    /// How many reads were answered from the cache (0 when disabled).
    pub fn hits(&self) -> usize {
        self.inner
            .as_ref()
            .map_or(0, |i| i.hits.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[tokio::test]
    async fn one_read_per_key_even_when_asked_concurrently() {
        let cache = Cache::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let ask = |key: &'static str| {
            let cache = cache.clone();
            let calls = calls.clone();
            async move {
                cache
                    .get_or_read(key, || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        // Slow enough that the other askers arrive while it is in flight.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        format!("facts of {key}")
                    })
                    .await
            }
        };
        let answers = futures_util::future::join_all([
            ask("vpc-1"),
            ask("vpc-1"),
            ask("vpc-1"),
            ask("vpc-2"),
        ])
        .await;
        assert_eq!(
            answers,
            [
                "facts of vpc-1",
                "facts of vpc-1",
                "facts of vpc-1",
                "facts of vpc-2"
            ]
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!((cache.reads(), cache.hits()), (2, 2));
    }

    #[tokio::test]
    async fn the_same_key_of_another_type_is_another_fact() {
        let cache = Cache::new();
        let n: u32 = cache.get_or_read("k", || async { 7 }).await;
        let s: String = cache
            .get_or_read("k", || async { "seven".to_string() })
            .await;
        let again: u32 = cache.get_or_read("k", || async { 8 }).await;
        assert_eq!((n, s.as_str(), again), (7, "seven", 7));
        assert_eq!(cache.reads(), 2);
    }

    #[tokio::test]
    async fn disabled_reads_every_time_and_clones_share() {
        let off = Cache::disabled();
        let a: u32 = off.get_or_read("k", || async { 1 }).await;
        let b: u32 = off.get_or_read("k", || async { 2 }).await;
        assert_eq!((a, b, off.reads(), off.hits()), (1, 2, 0, 0));

        let on = Cache::new();
        let shared = on.clone();
        let _: u32 = on.get_or_read("k", || async { 1 }).await;
        let c: u32 = shared.get_or_read("k", || async { 2 }).await;
        assert_eq!((c, shared.hits()), (1, 1));
    }

    #[tokio::test]
    async fn a_cancelled_read_is_made_again() {
        let cache = Cache::new();
        // The first reader is dropped mid-read: the slot stays empty, the next asker reads.
        let slow = cache.get_or_read("k", || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            1u32
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(10), slow)
                .await
                .is_err()
        );
        let v: u32 = cache.get_or_read("k", || async { 2 }).await;
        assert_eq!(v, 2);
    }
}
