//! Which of many subjects (secret references, images) a stop reason mentions, in one pass.
//!
//! Why: the stages order their findings by whether the stop reason names the finding's
//! subject ([`crate::judge::rank_by_reason`]). The reason text joins the task's reason and
//! every container's, so it grows with the containers, and the subjects grow with the
//! references and images: asking `reason.contains(subject)` for each subject is
//! `O(subjects * reason)`, quadratic for a hostile snapshot (issue 16). This is the
//! Aho-Corasick automaton over the subjects instead: built in `O(total subject length)`,
//! then one scan of the reason, `O(reason + total subject length)` in all. Pure std, so the
//! fuzz crate (which compiles the task stage from source) needs nothing more.

use std::collections::HashSet;

/// No node: the end of a dictionary-suffix chain.
const NONE: usize = usize::MAX;

/// One node of the automaton: a prefix of some subject.
struct Node {
    /// Children by next byte, sorted by byte (at most 256: a binary search is constant).
    next: Vec<(u8, usize)>,
    /// The longest proper suffix of this prefix that is also a prefix of a subject.
    fail: usize,
    /// The nearest node on the `fail` chain (this one excluded) that is a whole subject.
    dict: usize,
    /// Whether this prefix is a whole subject.
    whole: bool,
    /// Whether the text contains this whole subject (set while scanning).
    found: bool,
}

impl Node {
    fn new() -> Node {
        Node {
            next: Vec::new(),
            fail: 0,
            dict: NONE,
            whole: false,
            found: false,
        }
    }

    fn child(&self, b: u8) -> Option<usize> {
        self.next
            .binary_search_by_key(&b, |(k, _)| *k)
            .ok()
            .map(|i| self.next[i].1)
    }
}

/// The subjects that occur in `text` as substrings, exactly as `text.contains(subject)`
/// answers for each (the empty subject occurs in every text).
pub(crate) fn mentioned<'s, I>(text: &str, subjects: I) -> HashSet<&'s str>
where
    I: IntoIterator<Item = &'s str>,
{
    let mut nodes = vec![Node::new()];
    let mut ends: Vec<(&'s str, usize)> = Vec::new();
    for s in subjects {
        let mut at = 0;
        for &b in s.as_bytes() {
            count(1);
            at = match nodes[at].child(b) {
                Some(n) => n,
                None => {
                    let n = nodes.len();
                    nodes.push(Node::new());
                    let i = nodes[at].next.partition_point(|(k, _)| *k < b);
                    nodes[at].next.insert(i, (b, n));
                    n
                }
            };
        }
        nodes[at].whole = true;
        ends.push((s, at));
    }
    // Failure and dictionary links, breadth first (a node's links are shorter prefixes).
    let mut queue = std::collections::VecDeque::new();
    for i in 0..nodes[0].next.len() {
        let (_, c) = nodes[0].next[i];
        nodes[c].fail = 0;
        queue.push_back(c);
    }
    while let Some(u) = queue.pop_front() {
        for i in 0..nodes[u].next.len() {
            let (b, v) = nodes[u].next[i];
            let mut f = nodes[u].fail;
            let fail = loop {
                count(1);
                if let Some(n) = nodes[f].child(b) {
                    break n;
                }
                if f == 0 {
                    break 0;
                }
                f = nodes[f].fail;
            };
            nodes[v].fail = fail;
            nodes[v].dict = if nodes[fail].whole {
                fail
            } else {
                nodes[fail].dict
            };
            queue.push_back(v);
        }
    }
    // The scan: each byte follows failure links (amortised constant) and marks the subjects
    // ending there, stopping at one already marked (its chain was marked with it).
    nodes[0].found = true; // the empty subject
    let mut at = 0;
    for &b in text.as_bytes() {
        loop {
            count(1);
            if let Some(n) = nodes[at].child(b) {
                at = n;
                break;
            }
            if at == 0 {
                break;
            }
            at = nodes[at].fail;
        }
        let mut t = if nodes[at].whole { at } else { nodes[at].dict };
        while t != NONE && !nodes[t].found {
            count(1);
            nodes[t].found = true;
            t = nodes[t].dict;
        }
    }
    ends.into_iter()
        .filter(|(_, n)| nodes[*n].found)
        .map(|(s, _)| s)
        .collect()
}

/// Adds `n` to the test-only count of the automaton's steps (bytes inserted, links followed,
/// subjects marked), so that tests check the work is linear without timing anything.
#[inline(always)]
fn count(n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

#[cfg(test)]
thread_local! {
    /// The steps [`count`] has added on this thread.
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps<R>(f: impl FnOnce() -> R) -> (R, u64) {
        let before = STEPS.with(|s| s.get());
        let r = f();
        (r, STEPS.with(|s| s.get()) - before)
    }

    fn naive<'s>(text: &str, subjects: &[&'s str]) -> HashSet<&'s str> {
        subjects
            .iter()
            .copied()
            .filter(|s| text.contains(s))
            .collect()
    }

    #[test]
    fn examples() {
        let subjects = [
            "", "he", "she", "his", "hers", "é", "ers", "x", "hershe", "s",
        ];
        for text in ["", "ushers", "é", "hishershe", "xxxx", "h", "sh"] {
            assert_eq!(
                mentioned(text, subjects),
                naive(text, &subjects),
                "{text:?}"
            );
        }
    }

    /// Hostile shapes for a substring search: one letter repeated, every length of it as a
    /// subject, and the text made of thousands of container reasons. The steps grow with
    /// the text plus the subjects (counted, not timed); a search per subject would take
    /// subjects times text.
    #[test]
    fn the_work_is_linear_in_text_plus_subjects() {
        let mut previous = None;
        for n in [1_000usize, 2_000, 4_000, 8_000] {
            let text: String = (0..n)
                .map(|i| format!(" container c{i} was waiting on a dependency"))
                .collect();
            let subjects: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/c{i}/s{i}-abcdef"
                    )
                })
                .chain((0..n).map(|i| format!("c{i} was")))
                .collect();
            let refs: Vec<&str> = subjects.iter().map(String::as_str).collect();
            let (found, work) = steps(|| mentioned(&text, refs.iter().copied()));
            assert_eq!(found.len(), n, "the 'c<i> was' subjects only");
            let size = (text.len() + refs.iter().map(|s| s.len()).sum::<usize>()) as u64;
            assert!(work <= 4 * size, "{n}: {work} steps for {size} bytes");
            if let Some(p) = previous {
                assert!(work <= 3 * p, "{n}: {work} after {p}");
            }
            previous = Some(work);
        }
        let text = "a".repeat(20_000);
        let subjects: Vec<String> = (0..200).map(|k| "a".repeat(k)).collect();
        let refs: Vec<&str> = subjects.iter().map(String::as_str).collect();
        let (found, work) = steps(|| mentioned(&text, refs.iter().copied()));
        assert_eq!(found.len(), 200);
        let size = (text.len() + refs.iter().map(|s| s.len()).sum::<usize>()) as u64;
        assert!(work <= 4 * size, "{work} steps for {size} bytes");
    }

    /// `crate::judge::rank_by_reason` as it was before issue 16: a `reason.contains` per key,
    /// recomputed at every comparison of the sort. Its order is the one to keep.
    fn rank_as_before(
        mut findings: Vec<crate::report::Finding>,
        reason: &str,
        preferred: &[crate::codes::Code],
        order: &[crate::codes::Code],
    ) -> Vec<crate::report::Finding> {
        let position = |list: &[crate::codes::Code], c| {
            list.iter().position(|x| *x == c).unwrap_or(list.len())
        };
        findings.sort_by_key(|f| {
            let status = 4 - usize::from(f.status.severity_rank());
            let named = f
                .evidence
                .get("valueFrom")
                .and_then(|v| v.as_str())
                .is_some_and(|v| !reason.is_empty() && reason.contains(&v.to_lowercase()));
            (
                status,
                usize::from(!named),
                position(preferred, f.code),
                position(order, f.code),
            )
        });
        findings
    }

    proptest::proptest! {
        /// The ranking that now looks every subject up in one pass orders findings exactly as
        /// the one that searched the reason per comparison: random findings (status, code,
        /// subject from a small pool, upper case included, some without one) and reasons.
        #[test]
        fn rank_by_reason_orders_as_before(
            items in proptest::collection::vec((0usize..5, 0usize..6, proptest::option::of("[aAbé/]{0,4}")), 0..40),
            reason in "[abé/ ]{0,30}",
        ) {
            use crate::codes::Code;
            use crate::report::{Finding, Severity, Status};
            let statuses = [Status::Pass, Status::Warn, Status::Unknown, Status::Fail, Status::Skipped];
            let codes = [
                Code::SecretReferenceMalformed,
                Code::SecretNotFound,
                Code::SecretPendingDeletion,
                Code::SsmParameterNotFound,
                Code::KmsKeyNotUsable,
                Code::ImgTagNotFound,
            ];
            let findings: Vec<Finding> = items
                .iter()
                .enumerate()
                .map(|(i, (s, c, v))| {
                    Finding::new(codes[*c], statuses[*s], Severity::Info, format!("finding {i}"))
                        .evidence("valueFrom", v.clone())
                })
                .collect();
            let preferred = [Code::SecretPendingDeletion, Code::SecretNotFound];
            let order = [Code::SecretReferenceMalformed, Code::SecretNotFound, Code::KmsKeyNotUsable];
            let now = crate::judge::rank_by_reason(findings.clone(), &reason, "valueFrom", &preferred, &order);
            let before = rank_as_before(findings, &reason, &preferred, &order);
            let titles = |v: &[Finding]| v.iter().map(|f| f.detail.clone()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(titles(&now), titles(&before));
        }

        /// The same answer as `str::contains`, subject by subject, over a small alphabet
        /// (overlaps and nested subjects are common) with a multi-byte letter.
        #[test]
        fn agrees_with_contains(
            text in "[abé ]{0,40}",
            subjects in proptest::collection::vec("[abé]{0,5}", 0..12),
        ) {
            let refs: Vec<&str> = subjects.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(mentioned(&text, refs.iter().copied()), naive(&text, &refs));
        }
    }
}
