//! Less knowledge never makes a FAIL (issue 15, item 3; RELIABILITY.md guarantee 9).
//!
//! Over the shipped example and the standard scenarios (their Facts, saved from moto in
//! tests/golden/), any fact taken away (a read answered by an error, a section not collected,
//! the task's ENI gone with its groups, address and public-IP setting, a security group or
//! prefix list not returned) must not create a FAIL finding that the full snapshot does not
//! have. A FAIL is a claim about the account; a fact the tool did not read cannot support one.
//! The same holds for any combination of removals (the property test).
//!
//! "Removing" never changes what a fact says (a rule list that allows less, an execution role
//! that is not there): that is another account, not less knowledge of this one.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};

use ecs_task_doctor::facts::Facts;
use ecs_task_doctor::judge;
use ecs_task_doctor::report::{Report, Status};
use ecs_task_doctor::stage::StageSelection;

const SNAPSHOTS: &[&str] = &[
    "examples/fargate-cannot-pull.json",
    "tests/golden/seed.json",
    "tests/golden/nat.json",
    "tests/golden/ec2-bridge.json",
    "tests/golden/ec2-secrets-logs-efs.json",
];

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn report(v: &Value) -> Report {
    let facts: Facts = serde_json::from_value(v.clone()).expect("a mutated snapshot still loads");
    judge::judge(&facts, StageSelection::All)
}

/// The FAIL findings of a report, by code and the resources they name.
fn fails(r: &Report) -> BTreeSet<String> {
    r.stages
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.code.as_str().to_string())
        .collect()
}

/// One way of knowing less, at a JSON pointer.
#[derive(Debug, Clone)]
enum Removal {
    /// The read at this pointer answered with an error (timed out).
    Unread(String),
    /// The value at this pointer was not collected (`null`), or is empty: only where the
    /// model reads absence as "unknown" (Option<Readable> sections, the origin's fields).
    Absent(String, Value),
    /// One element of a list of resources looked up by ID was not returned.
    Missing(String, usize),
}

fn apply(v: &mut Value, removal: &Removal) {
    match removal {
        Removal::Unread(at) => {
            if let Some(x) = v.pointer_mut(at) {
                *x = json!({
                    "state": "unreadable",
                    "api": "test:Removed",
                    "errorCode": "TimedOut",
                    "message": "timed out: removed by the test",
                });
            }
        }
        Removal::Absent(at, empty) => {
            if let Some(x) = v.pointer_mut(at) {
                *x = empty.clone();
            }
        }
        Removal::Missing(at, i) => {
            if let Some(Value::Array(a)) = v.pointer_mut(at)
                && *i < a.len()
            {
                a.remove(*i);
            }
        }
    }
}

/// Every removal a snapshot allows.
fn removals(v: &Value) -> Vec<Removal> {
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    for (at, empty) in [
        ("/network/origin/securityGroupIds", json!([])),
        ("/network/origin/privateIp", Value::Null),
        ("/network/origin/assignPublicIp", Value::Null),
        ("/network/origin/eniId", Value::Null),
        ("/network/origin/configSource", Value::Null),
        ("/network/eni", Value::Null),
        ("/network", Value::Null),
        ("/image", Value::Null),
        ("/iam", Value::Null),
        ("/secrets", Value::Null),
        ("/logging", Value::Null),
        ("/placement", Value::Null),
        ("/taskDefinition", Value::Null),
    ] {
        if v.pointer(at).is_some() {
            out.push(Removal::Absent(at.to_string(), empty));
        }
    }
    // Resources the judge resolves by ID: one not returned is unknown, not "no rules".
    for list in [
        "/network/securityGroups/value",
        "/network/prefixLists/value",
        "/network/endpointEnis/value",
    ] {
        if let Some(Value::Array(a)) = v.pointer(list) {
            for i in 0..a.len() {
                out.push(Removal::Missing(list.to_string(), i));
            }
        }
    }
    out
}

/// Every `{"state": "read"}` object, and every Option<Readable> that could be absent.
fn walk(v: &Value, at: String, out: &mut Vec<Removal>) {
    match v {
        Value::Object(m) => {
            if m.get("state") == Some(&Value::from("read")) {
                out.push(Removal::Unread(at.clone()));
            }
            for (k, x) in m {
                walk(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn new_fails(full: &Report, less: &Report) -> BTreeSet<String> {
    fails(less).difference(&fails(full)).cloned().collect()
}

/// Each removal alone, over every snapshot.
#[test]
fn no_single_removal_creates_a_fail() {
    let mut broken = Vec::new();
    let mut tried = 0;
    for path in SNAPSHOTS {
        let original = load(path);
        let full = report(&original);
        for removal in removals(&original) {
            let mut v = original.clone();
            apply(&mut v, &removal);
            tried += 1;
            let created = new_fails(&full, &report(&v));
            if !created.is_empty() {
                broken.push(format!("{path} {removal:?}: new FAIL {created:?}"));
            }
        }
    }
    assert!(tried > 100, "only {tried} removals tried");
    assert!(
        broken.is_empty(),
        "{} removals created a FAIL:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// The test can fail: a removal that changes what a fact says (the task's security group
/// loses its egress rules) is another account, and does create a FAIL.
#[test]
fn changing_a_fact_is_not_removing_it() {
    let original = load("examples/fargate-cannot-pull.json");
    let full = report(&original);
    let mut v = original.clone();
    let groups = v
        .pointer_mut("/network/securityGroups/value")
        .and_then(Value::as_array_mut)
        .unwrap();
    for g in groups.iter_mut() {
        g["rules"] = json!([]);
    }
    // The example already fails on S3; with no rules at all, the ECR paths fail too.
    assert!(!new_fails(&full, &report(&v)).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any combination of removals, over every snapshot.
    #[test]
    fn no_combination_of_removals_creates_a_fail(
        which in 0..SNAPSHOTS.len(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        let original = load(SNAPSHOTS[which]);
        let full = report(&original);
        let all = removals(&original);
        let mut v = original.clone();
        let mut applied = Vec::new();
        for p in picks {
            let r = all[p.index(all.len())].clone();
            apply(&mut v, &r);
            applied.push(r);
        }
        let created = new_fails(&full, &report(&v));
        prop_assert!(created.is_empty(), "{} {:?}: new FAIL {:?}", SNAPSHOTS[which], applied, created);
    }
}
