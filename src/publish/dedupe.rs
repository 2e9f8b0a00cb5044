//! EventBridge delivers at least once: the same task state change can arrive twice. A Lambda
//! container remembers the events it has handled, so a repeat costs nothing and notifies no
//! one. (Another container is caught by the report bucket's conditional write.)

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

/// How many events a container remembers: far more than arrive between two deliveries of
/// one event, few enough to be a few hundred kilobytes.
pub const REMEMBERED_EVENTS: usize = 4096;

/// The recently handled `(task ARN, detail.version)` pairs, oldest forgotten first.
#[derive(Debug)]
pub struct RecentEvents {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    order: VecDeque<(String, i64)>,
    seen: HashSet<(String, i64)>,
}

impl Default for RecentEvents {
    fn default() -> Self {
        RecentEvents::with_capacity(REMEMBERED_EVENTS)
    }
}

impl RecentEvents {
    /// A memory of at most `capacity` events (at least one).
    pub fn with_capacity(capacity: usize) -> RecentEvents {
        RecentEvents {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records the event; false when it was already recorded (a duplicate delivery).
    pub fn first_time(&self, task_arn: &str, version: i64) -> bool {
        let key = (task_arn.to_string(), version);
        // A poisoned lock only means another invocation panicked mid-insert; the set is
        // still a valid set, so keep using it.
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.seen.contains(&key) {
            return false;
        }
        if inner.order.len() == self.capacity
            && let Some(old) = inner.order.pop_front()
        {
            inner.seen.remove(&old);
        }
        inner.seen.insert(key.clone());
        inner.order.push_back(key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_repeat_is_caught_and_a_new_version_is_not() {
        let r = RecentEvents::default();
        assert!(r.first_time("arn:t/1", 3));
        assert!(!r.first_time("arn:t/1", 3));
        assert!(r.first_time("arn:t/1", 4));
        assert!(r.first_time("arn:t/2", 3));
    }

    #[test]
    fn the_oldest_is_forgotten_first() {
        let r = RecentEvents::with_capacity(2);
        assert!(r.first_time("a", 1));
        assert!(r.first_time("b", 1));
        assert!(r.first_time("c", 1));
        // "a" fell out; "b" and "c" are remembered.
        assert!(!r.first_time("c", 1));
        assert!(!r.first_time("b", 1));
        assert!(r.first_time("a", 1));
    }

    proptest! {
        /// Against a model: an event is a duplicate exactly when it is among the last
        /// `capacity` distinct events recorded.
        #[test]
        fn matches_a_model(cap in 1usize..8, events in proptest::collection::vec((0u8..6, 0i64..3), 0..60)) {
            let r = RecentEvents::with_capacity(cap);
            let mut model: VecDeque<(String, i64)> = VecDeque::new();
            for (t, v) in events {
                let key = (format!("t{t}"), v);
                let expected_new = !model.contains(&key);
                prop_assert_eq!(r.first_time(&key.0, key.1), expected_new);
                if expected_new {
                    if model.len() == cap {
                        model.pop_front();
                    }
                    model.push_back(key);
                }
            }
        }
    }
}
