//! The Automation document in template.yaml against the real handler: every step's payload,
//! with the document's `{{ }}` parameters filled in, is run through
//! `ecs_task_doctor::handler::handle` against moto, every output `Selector` must resolve in
//! the answer to a value of its declared `Type`, and the document's `aws:branch` steps,
//! evaluated on the task step's real outputs, must visit exactly the stages that apply.
//!
//! What Automation does is modelled from the Systems Manager user guide: the step's response
//! is `{"Payload": <the function's return value>, "StatusCode": 200}` and selectors are
//! JSONPath into it (automation-action-lamb.md); a branch takes the first true choice, else
//! `Default`, else the next step (automation-action-branch.md). `Contains` on a StringList is
//! taken as "the list has this element", on a String as "has this substring"; the stage
//! names are chosen so that both readings give the same answer (no name contains another).

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::handler;
use ecs_task_doctor::report::FailureClass;
use ecs_task_doctor::stage::{StageName, StageSelection};
use serde_json::{Value, json};
use support::placement::{PlacementScenario, RESOURCE_MEMORY};
use support::scenario::{self, PULL_TIMEOUT};

fn template() -> Value {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(support::python())
        .arg(repo.join("tests/support/template_json.py"))
        .arg(repo.join("template.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn document() -> Value {
    template()["Resources"]["DoctorDocument"]["Properties"]["Content"].clone()
}

fn steps(doc: &Value) -> &Vec<Value> {
    doc["mainSteps"].as_array().unwrap()
}

/// A tiny JSONPath: `$`, then `.name` and `[index]` segments.
fn resolve<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut rest = path.strip_prefix('$')?;
    let mut at = root;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            at = at.get(&r[..end])?;
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            at = at.get(r[..end].trim().parse::<usize>().ok()?)?;
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(at)
}

/// Whether a JSON value is of an Automation output type.
fn has_type(v: &Value, ty: &str) -> bool {
    match ty {
        "String" => v.is_string(),
        "Integer" => v.is_i64() || v.is_u64(),
        "Boolean" => v.is_boolean(),
        "StringList" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "StringMap" => v.is_object(),
        "MapList" => v.as_array().is_some_and(|a| a.iter().all(Value::is_object)),
        other => panic!("not an Automation output type: {other}"),
    }
}

/// `{{ Name }}` replaced by the parameter's value, in every string of `v`.
fn substitute(v: &Value, params: &BTreeMap<&str, String>) -> Value {
    match v {
        Value::String(s) => {
            let mut s = s.clone();
            for (name, value) in params {
                s = s.replace(&format!("{{{{ {name} }}}}"), value);
                s = s.replace(&format!("{{{{{name}}}}}"), value);
            }
            assert!(!s.contains("{{"), "an unresolved reference is left in {s}");
            Value::String(s)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, params)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), substitute(x, params)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A step's declared outputs, resolved in its response; panics when one does not resolve
/// to its type.
fn outputs_of(step: &Value, response: &Value) -> BTreeMap<String, Value> {
    let wrapped = json!({"Payload": response, "StatusCode": 200});
    let mut out = BTreeMap::new();
    for o in step["outputs"].as_array().into_iter().flatten() {
        let name = o["Name"].as_str().unwrap();
        let selector = o["Selector"].as_str().unwrap();
        let ty = o["Type"].as_str().unwrap();
        let value = resolve(&wrapped, selector).unwrap_or_else(|| {
            panic!(
                "{}: output {name}: {selector} does not resolve in the handler's answer:\n{response:#}",
                step["name"]
            )
        });
        assert!(
            has_type(value, ty),
            "{}: output {name}: {selector} is {value}, not a {ty}",
            step["name"]
        );
        out.insert(
            format!("{}.{name}", step["name"].as_str().unwrap()),
            value.clone(),
        );
    }
    out
}

/// Whether an aws:branch condition holds, given the outputs so far.
fn holds(c: &Value, outputs: &BTreeMap<String, Value>) -> bool {
    if let Some(all) = c.get("And") {
        return all.as_array().unwrap().iter().all(|x| holds(x, outputs));
    }
    if let Some(any) = c.get("Or") {
        return any.as_array().unwrap().iter().any(|x| holds(x, outputs));
    }
    if let Some(inner) = c.get("Not") {
        return !holds(inner, outputs);
    }
    let variable = c["Variable"].as_str().unwrap();
    let name = variable
        .trim()
        .trim_start_matches("{{")
        .trim_end_matches("}}")
        .trim();
    let value = outputs
        .get(name)
        .unwrap_or_else(|| panic!("{variable} has no value yet (outputs: {outputs:?})"));
    let (op, operand) = c
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| !["Variable", "NextStep"].contains(&k.as_str()))
        .expect("an operator");
    let text = || value.as_str().unwrap_or_else(|| panic!("{op} on {value}"));
    let s = || operand.as_str().unwrap();
    match op.as_str() {
        "Contains" => match value {
            Value::Array(items) => items.contains(operand),
            _ => text().contains(s()),
        },
        "StringEquals" => text() == s(),
        "EqualsIgnoreCase" => text().eq_ignore_ascii_case(s()),
        "StartsWith" => text().starts_with(s()),
        "EndsWith" => text().ends_with(s()),
        "BooleanEquals" => value == operand,
        "NumericEquals" => value.as_f64() == operand.as_f64(),
        other => panic!("the simulation does not know {other}"),
    }
}

/// Runs the document as Automation would, with each invoke step answered from `responses`
/// (by step name); returns the steps visited, in order, and every output produced.
fn walk(
    doc: &Value,
    responses: &BTreeMap<String, Value>,
) -> (Vec<String>, BTreeMap<String, Value>) {
    let steps = steps(doc);
    let index = |name: &str| {
        steps
            .iter()
            .position(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    };
    let mut visited = Vec::new();
    let mut outputs = BTreeMap::new();
    let mut at = Some(0);
    while let Some(i) = at {
        let step = &steps[i];
        let name = step["name"].as_str().unwrap().to_string();
        assert!(
            !visited.contains(&name),
            "{name} visited twice: {visited:?}"
        );
        visited.push(name.clone());
        let next_in_order = (i + 1 < steps.len()).then_some(i + 1);
        at = if step["action"] == "aws:branch" {
            let chosen = step["inputs"]["Choices"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| holds(c, &outputs))
                .map(|c| c["NextStep"].as_str().unwrap().to_string())
                .or_else(|| step["inputs"]["Default"].as_str().map(str::to_string));
            match chosen {
                Some(n) => Some(index(&n)),
                None => next_in_order,
            }
        } else {
            let response = responses
                .get(&name)
                .unwrap_or_else(|| panic!("no response for {name}"));
            outputs.extend(outputs_of(step, response));
            if step["isEnd"] == true {
                None
            } else {
                match step["nextStep"].as_str() {
                    Some(n) => Some(index(n)),
                    None => next_in_order,
                }
            }
        };
    }
    (visited, outputs)
}

/// Runs every invoke step of the document through the real handler for one task, checks
/// its `Stage` and every output selector, then walks the document on those answers.
async fn run_document(cluster: &str, task: &str) -> (Vec<String>, BTreeMap<String, Value>) {
    let doc = document();
    let engine = Engine::new(&support::sdk_config().await).unwrap();
    let params = BTreeMap::from([
        ("ClusterName", cluster.to_string()),
        ("TaskId", task.to_string()),
        ("AutomationAssumeRole", String::new()),
    ]);
    let mut responses = BTreeMap::new();
    for step in steps(&doc) {
        if step["action"] != "aws:invokeLambdaFunction" {
            continue;
        }
        let name = step["name"].as_str().unwrap();
        let stage = step["inputs"]["InputPayload"]["Stage"].as_str().unwrap();
        stage
            .parse::<StageSelection>()
            .unwrap_or_else(|e| panic!("{name}: Stage {stage:?}: {e}"));
        let payload = substitute(&step["inputs"]["InputPayload"], &params);
        let response = handler::handle(&engine, payload.clone())
            .await
            .unwrap_or_else(|e| panic!("{name}: the handler refused {payload}: {e}"));
        // Every selector resolves to its type, whether or not the walk visits the step.
        outputs_of(step, &response);
        responses.insert(name.to_string(), response);
    }
    let (visited, outputs) = walk(&doc, &responses);
    // The document's outputs are among what the run produced.
    for o in doc["outputs"].as_array().unwrap() {
        assert!(
            outputs.contains_key(o.as_str().unwrap()),
            "document output {o} was not produced (visited {visited:?})"
        );
    }
    (visited, outputs)
}

/// The stages of the invoke steps among `visited`.
fn stages_visited(doc: &Value, visited: &[String]) -> Vec<String> {
    visited
        .iter()
        .filter_map(|name| {
            steps(doc)
                .iter()
                .find(|s| s["name"] == name.as_str())
                .and_then(|s| s["inputs"]["InputPayload"]["Stage"].as_str())
                .map(str::to_string)
        })
        .collect()
}

#[tokio::test]
async fn an_image_pull_network_failure_visits_the_network_stage() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let (visited, outputs) = run_document(&t.cluster, &t.task_id).await;
    let doc = document();
    assert_eq!(
        stages_visited(&doc, &visited),
        ["task", "image", "iam", "network", "all"],
        "{visited:?}"
    );
    assert!(visited.contains(&"CheckNetwork".to_string()));
    assert_eq!(
        outputs["CheckTask.applicableStages"],
        json!(["network", "image", "iam"])
    );
    assert_eq!(
        outputs["CheckTask.rootCause"],
        "TASK_STOP_REASON_CLASSIFIED"
    );
    assert_eq!(outputs["CheckNetwork.status"], "FAIL");
    assert_eq!(outputs["CheckNetwork.rootCause"], "NET_NO_PATH_TO_SERVICE");
    // The console's result: the verdict, the root cause and the report as Markdown.
    assert_eq!(outputs["Report.verdict"], "FAIL");
    assert_eq!(outputs["Report.rootCause"], "NET_NO_PATH_TO_SERVICE");
    let md = outputs["Report.markdown"].as_str().unwrap();
    assert!(md.contains("NET_NO_PATH_TO_SERVICE"), "{md}");
    assert_eq!(outputs["Report.report"]["schemaVersion"], "1");
}

#[tokio::test]
async fn a_placement_failure_skips_the_network_stage() {
    let conf = support::sdk_config().await;
    let built = PlacementScenario::new(1, 512, RESOURCE_MEMORY)
        .build(&conf)
        .await;
    let (visited, outputs) = run_document(&built.cluster, &built.task_id).await;
    let doc = document();
    assert_eq!(
        stages_visited(&doc, &visited),
        ["task", "placement", "all"],
        "{visited:?}"
    );
    assert!(!visited.contains(&"CheckNetwork".to_string()));
    assert_eq!(outputs["CheckTask.applicableStages"], json!(["placement"]));
    assert!(
        outputs["Report.summary"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}

#[tokio::test]
async fn a_task_that_did_not_fail_to_start_goes_straight_to_the_report() {
    let conf = support::sdk_config().await;
    let running = scenario::fargate_task(&conf, None).await;
    let (visited, outputs) = run_document(&running.cluster, &running.task_arn).await;
    assert_eq!(visited, ["CheckTask", "NextAfterTask", "Report"]);
    assert_eq!(outputs["CheckTask.applicableStages"], json!([]));
    assert_eq!(outputs["Report.rootCause"], "");

    // A task ECS does not know (forgotten after about an hour, or a typo) likewise.
    let (visited, outputs) =
        run_document(&running.cluster, "0123456789abcdef0123456789abcdef").await;
    assert_eq!(visited, ["CheckTask", "NextAfterTask", "Report"]);
    // UNKNOWN, not FAIL: the task may simply have been forgotten.
    assert_eq!(outputs["CheckTask.status"], "UNKNOWN");
    assert_eq!(outputs["CheckTask.rootCause"], "");
    assert!(
        outputs["Report.summary"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}

/// The branches for every failure class, without AWS: the task step answers with the
/// class's applicable stages (as the handler does), and the walk must visit exactly those
/// stages, in the document's order, then the report.
#[test]
fn for_every_failure_class_the_branches_visit_exactly_the_applicable_stages() {
    let doc = document();
    let mut cases: Vec<(String, Vec<&str>)> = FailureClass::ALL
        .iter()
        .map(|c| {
            let stages = ecs_task_doctor::judge::applicable_stages(*c)
                .iter()
                .map(|s| s.as_str())
                .collect();
            (c.to_string(), stages)
        })
        .collect();
    cases.push(("the task did not fail to start".into(), vec![]));
    for (class, applicable) in cases {
        let task_answer = json!({
            "name": "task", "status": "FAIL", "summary": "s", "rootCause": "",
            "applicableStagesText": applicable.join(","),
            "applicableStages": applicable,
        });
        let stage_answer = json!({"name": "x", "status": "PASS", "summary": "s", "rootCause": ""});
        let report_answer = json!({
            "verdict": "FAIL", "status": "FAIL", "summary": "s", "rootCause": "",
            "markdown": "# report", "stages": [], "schemaVersion": "1",
        });
        let responses: BTreeMap<String, Value> = steps(&doc)
            .iter()
            .filter(|s| s["action"] == "aws:invokeLambdaFunction")
            .map(|s| {
                let answer = match s["inputs"]["InputPayload"]["Stage"].as_str().unwrap() {
                    "task" => task_answer.clone(),
                    "all" => report_answer.clone(),
                    _ => stage_answer.clone(),
                };
                (s["name"].as_str().unwrap().to_string(), answer)
            })
            .collect();
        let (visited, _) = walk(&doc, &responses);
        let mut expected: Vec<&str> = vec!["task"];
        expected.extend(
            StageName::ALL
                .iter()
                .map(|s| s.as_str())
                .filter(|s| applicable.contains(s)),
        );
        expected.push("all");
        assert_eq!(
            stages_visited(&doc, &visited),
            expected,
            "{class}: visited {visited:?}"
        );
    }
}

#[test]
fn the_jsonpath_resolver_and_the_type_check_are_strict() {
    let v = json!({"Payload": {"a": {"b": [1, {"c": "x"}]}, "s": "t", "l": ["p"], "e": []}});
    assert_eq!(resolve(&v, "$.Payload.s"), Some(&json!("t")));
    assert_eq!(resolve(&v, "$.Payload.a.b[1].c"), Some(&json!("x")));
    assert_eq!(resolve(&v, "$"), Some(&v));
    assert_eq!(resolve(&v, "$.Payload.missing"), None);
    assert_eq!(resolve(&v, "$.Payload.a.b[5]"), None);
    assert_eq!(resolve(&v, "Payload.s"), None);
    assert_eq!(resolve(&v, "$..s"), None);
    assert!(has_type(&json!("x"), "String"));
    assert!(!has_type(&json!(null), "String"), "null is not a String");
    assert!(!has_type(&json!(["a", 1]), "StringList"));
    assert!(has_type(&json!([]), "StringList"));
    assert!(!has_type(&json!([1]), "MapList"));
    assert!(!has_type(&json!("{}"), "StringMap"));
    // Contains: list membership, or substring of a String.
    let outputs = BTreeMap::from([
        ("T.l".to_string(), json!(["network", "iam"])),
        ("T.s".to_string(), json!("network,iam")),
    ]);
    let choice = |var: &str, op: &str, value: &str| json!({"Variable": format!("{{{{ {var} }}}}"), op: value});
    assert!(holds(&choice("T.l", "Contains", "iam"), &outputs));
    assert!(!holds(&choice("T.l", "Contains", "image"), &outputs));
    assert!(holds(&choice("T.s", "Contains", "iam"), &outputs));
    assert!(!holds(
        &json!({"Not": choice("T.s", "StartsWith", "network")}),
        &outputs
    ));
}
