//! template.yaml: lints clean, and its role is read-only and covers every API collect calls.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn template() -> Value {
    let out = Command::new(support::python())
        .arg(repo().join("tests/support/template_json.py"))
        .arg(repo().join("template.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn role_actions(t: &Value) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for policy in t["Resources"]["DoctorRole"]["Properties"]["Policies"]
        .as_array()
        .unwrap()
    {
        for st in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
            assert_eq!(st["Effect"], "Allow");
            match &st["Action"] {
                Value::String(a) => {
                    actions.insert(a.clone());
                }
                Value::Array(list) => {
                    actions.extend(list.iter().map(|a| a.as_str().unwrap().to_string()))
                }
                other => panic!("unexpected Action {other}"),
            }
        }
    }
    actions
}

/// Every `"service:Operation"` literal in src/collect: the APIs the tool calls.
fn apis_called() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![repo().join("src/collect")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                let mut parts = piece.splitn(2, ':');
                let (Some(svc), Some(op)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let svc_ok = !svc.is_empty()
                    && svc
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                let op_ok = op.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && op.chars().all(|c| c.is_ascii_alphanumeric());
                if svc_ok && op_ok {
                    found.insert(piece.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn cfn_lint_passes() {
    let out = Command::new(support::venv_bin("cfn-lint"))
        .arg(repo().join("template.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cfn-lint found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_role_is_read_only() {
    let actions = role_actions(&template());
    assert!(!actions.is_empty());
    for a in &actions {
        let op = a.split_once(':').map(|(_, op)| op).unwrap_or("");
        let read_only = ["Describe", "List", "Get"]
            .iter()
            .any(|p| op.starts_with(p))
            && !op.contains('*');
        assert!(read_only, "{a} is not a read-only action");
        assert_ne!(
            a, "secretsmanager:GetSecretValue",
            "secret values are never read"
        );
        assert_ne!(a, "ssm:GetParameters", "parameter values are never read");
    }
}

#[test]
fn the_role_allows_every_api_collect_calls() {
    let called = apis_called();
    assert!(
        called.contains("ecs:DescribeTasks"),
        "the scan found {called:?}"
    );
    let actions = role_actions(&template());
    let missing: Vec<_> = called.difference(&actions).collect();
    assert!(missing.is_empty(), "template.yaml's role lacks {missing:?}");
}

#[test]
fn the_function_is_built_as_the_rust_bootstrap_for_al2023() {
    let t = template();
    let f = &t["Resources"]["DoctorFunction"];
    assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda");
    assert_eq!(f["Metadata"]["BuildProperties"]["Binary"], "bootstrap");
    assert_eq!(f["Properties"]["Runtime"], "provided.al2023");
    assert_eq!(f["Properties"]["Handler"], "bootstrap");
    assert_eq!(f["Properties"]["LoggingConfig"]["LogFormat"], "JSON");
    assert!(Path::new(env!("CARGO_BIN_EXE_bootstrap")).exists());
}

/// Whether an EventBridge pattern (exact-value lists, nested objects) matches an event.
fn pattern_matches(pattern: &Value, event: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields
            .iter()
            .all(|(k, p)| event.get(k).is_some_and(|e| pattern_matches(p, e))),
        Value::Array(allowed) => allowed.contains(event),
        _ => false,
    }
}

#[test]
fn the_stopped_task_rule_matches_the_shipped_event_and_only_failed_starts() {
    let t = template();
    let rule = &t["Resources"]["DoctorFunction"]["Properties"]["Events"]["TaskFailedToStart"];
    assert_eq!(rule["Type"], "EventBridgeRule");
    let pattern = &rule["Properties"]["Pattern"];
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("events/task-state-change.json")).unwrap(),
    )
    .unwrap();
    assert!(
        pattern_matches(pattern, &event),
        "the rule would not deliver events/task-state-change.json"
    );
    let mut other = event.clone();
    other["detail"]["stopCode"] = Value::String("EssentialContainerExited".into());
    assert!(
        !pattern_matches(pattern, &other),
        "the rule must not fire for tasks that started"
    );
    let mut running = event;
    running["detail"]["lastStatus"] = Value::String("RUNNING".into());
    assert!(!pattern_matches(pattern, &running));
}

#[test]
fn the_sweep_schedule_sends_input_the_handler_accepts() {
    let t = template();
    let sweep = &t["Resources"]["DoctorFunction"]["Properties"]["Events"]["Sweep"];
    assert_eq!(sweep["Type"], "Schedule");
    let input = sweep["Properties"]["Input"]["Fn::Sub"]
        .as_str()
        .expect("the input is a !Sub");
    let default = t["Parameters"]["SweepLookbackMinutes"]["Default"].to_string();
    let text = input.replace("${SweepLookbackMinutes}", default.trim_matches('"'));
    let value: Value = serde_json::from_str(&text).unwrap();
    match ecs_task_doctor::request::Request::from_value(value).unwrap() {
        ecs_task_doctor::request::Request::Sweep(s) => assert_eq!(s.lookback_minutes, 60),
        other => panic!("the schedule's input is not a sweep: {other:?}"),
    }
}
