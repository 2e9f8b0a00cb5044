//! template.yaml: lints clean (cfn-lint and `sam validate --lint`), its function's role is
//! read-only except for publishing to the template's own topic and bucket, and covers every
//! API collect calls; its rule and schedule send what the handler accepts; and its Automation
//! document is well formed, which cfn-lint does not check (it only knows `schemaVersion`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

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

/// The statements of one role's inline policies, each with the template condition it is
/// under: `Fn::If [Cond, statement, AWS::NoValue]` gives `(Some(Cond), statement)`.
fn role_statements(t: &Value, role: &str) -> Vec<(Option<String>, Value)> {
    let mut out = Vec::new();
    for policy in t["Resources"][role]["Properties"]["Policies"]
        .as_array()
        .unwrap()
    {
        for st in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
            match st.get("Fn::If") {
                Some(branches) => {
                    let b = branches.as_array().unwrap();
                    assert_eq!(b.len(), 3, "{st}");
                    assert_eq!(
                        b[2],
                        json!({"Ref": "AWS::NoValue"}),
                        "a conditional statement adds nothing when its condition is false"
                    );
                    out.push((Some(b[0].as_str().unwrap().to_string()), b[1].clone()));
                }
                None => out.push((None, st.clone())),
            }
        }
    }
    out
}

fn statement_actions(st: &Value) -> Vec<String> {
    match &st["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect(),
        other => panic!("unexpected Action {other}"),
    }
}

/// Every action the function's role allows, conditional statements included.
fn role_actions(t: &Value) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for (_, st) in role_statements(t, "DoctorRole") {
        assert_eq!(st["Effect"], "Allow");
        actions.extend(statement_actions(&st));
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

/// Whether a policy `Resource` names the template resource `logical_id` itself (a `Ref`, a
/// `GetAtt` or a `Sub` of it), never `*` or a pattern; returns the `Sub` text, if any.
fn names_resource(resource: &Value, logical_id: &str) -> Option<String> {
    if resource == &json!({"Ref": logical_id}) {
        return Some(String::new());
    }
    if let Some(att) = resource.get("Fn::GetAtt") {
        let first = att
            .as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .or_else(|| att.as_str().and_then(|s| s.split('.').next()));
        return (first == Some(logical_id)).then(String::new);
    }
    if let Some(sub) = resource.get("Fn::Sub").and_then(Value::as_str) {
        let starts = sub.starts_with(&format!("${{{logical_id}}}"))
            || sub.starts_with(&format!("${{{logical_id}.Arn}}"));
        return starts.then(|| sub.to_string());
    }
    None
}

#[test]
fn the_role_is_read_only_except_publishing_to_its_own_topic_and_bucket() {
    let t = template();
    let statements = role_statements(&t, "DoctorRole");
    assert!(!statements.is_empty());
    let mut publishers = BTreeSet::new();
    for (condition, st) in &statements {
        assert_eq!(st["Effect"], "Allow", "{st}");
        for a in statement_actions(st) {
            let op = a.split_once(':').map(|(_, op)| op).unwrap_or("");
            // `Lookup`: cloudtrail:LookupEvents, a read of the event history.
            let read_only = ["Describe", "List", "Get", "Lookup"]
                .iter()
                .any(|p| op.starts_with(p))
                && !op.contains('*');
            for value_reader in [
                "secretsmanager:GetSecretValue",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParametersByPath",
                "ssm:GetParameterHistory",
            ] {
                assert_ne!(
                    a, value_reader,
                    "secret and parameter values are never read"
                );
            }
            if read_only {
                continue;
            }
            // The only writes: to the template's own topic and bucket, each in a statement of
            // its own that exists only when the template creates that topic or bucket.
            let (owner, owner_condition) = match a.as_str() {
                "sns:Publish" => ("ReportTopic", "PublishReportsToSns"),
                "s3:PutObject" => ("ReportBucket", "PublishReportsToS3"),
                _ => panic!("{a} is neither read-only nor publishing a report"),
            };
            assert_eq!(
                condition.as_deref(),
                Some(owner_condition),
                "{a} must be granted only when {owner} exists"
            );
            assert_eq!(
                t["Resources"][owner]["Condition"], owner_condition,
                "{owner} is created under the same condition"
            );
            assert_eq!(
                statement_actions(st),
                vec![a.clone()],
                "{a} has its own statement"
            );
            let sub = names_resource(&st["Resource"], owner)
                .unwrap_or_else(|| panic!("{a} must be scoped to {owner}, not {}", st["Resource"]));
            if a == "s3:PutObject" {
                assert!(
                    sub.ends_with("/*") && !sub[..sub.len() - 2].contains('*'),
                    "s3:PutObject on the bucket's objects only, got {sub:?}"
                );
            }
            publishers.insert(a);
        }
    }
    assert_eq!(
        publishers,
        BTreeSet::from(["s3:PutObject".to_string(), "sns:Publish".to_string()])
    );
    // Its managed policy is the Lambda basic one only (its own logs).
    let managed = &t["Resources"]["DoctorRole"]["Properties"]["ManagedPolicyArns"];
    assert_eq!(managed.as_array().unwrap().len(), 1, "{managed}");
    assert!(
        managed[0]["Fn::Sub"]
            .as_str()
            .unwrap()
            .ends_with(":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    );
}

#[test]
fn the_least_privilege_check_rejects_wildcards_and_foreign_resources() {
    let stmt = |resource: Value| json!({"Effect": "Allow", "Action": "s3:PutObject", "Resource": resource});
    assert!(names_resource(&stmt(json!("*"))["Resource"], "ReportBucket").is_none());
    assert!(
        names_resource(
            &stmt(json!({"Ref": "OtherBucket"}))["Resource"],
            "ReportBucket"
        )
        .is_none()
    );
    assert!(
        names_resource(
            &stmt(json!({"Fn::Sub": "arn:aws:s3:::*/*"}))["Resource"],
            "ReportBucket"
        )
        .is_none()
    );
    assert_eq!(
        names_resource(
            &stmt(json!({"Fn::Sub": "${ReportBucket.Arn}/*"}))["Resource"],
            "ReportBucket"
        )
        .as_deref(),
        Some("${ReportBucket.Arn}/*")
    );
    assert!(
        names_resource(
            &json!({"Fn::GetAtt": ["ReportTopic", "TopicArn"]}),
            "ReportTopic"
        )
        .is_some()
    );
}

#[test]
fn the_automation_role_can_only_invoke_the_function() {
    let t = template();
    let role = &t["Resources"]["DoctorAutomationRole"]["Properties"];
    let trust = role["AssumeRolePolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(trust.len(), 1);
    assert_eq!(
        trust[0]["Principal"],
        json!({"Service": "ssm.amazonaws.com"})
    );
    assert_eq!(trust[0]["Action"], "sts:AssumeRole");
    // Only automations of this account (the confused-deputy guard).
    assert_eq!(
        trust[0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert!(role.get("ManagedPolicyArns").is_none());
    let statements = role_statements(&t, "DoctorAutomationRole");
    assert_eq!(statements.len(), 1);
    let (condition, st) = &statements[0];
    assert!(condition.is_none());
    assert_eq!(
        statement_actions(st),
        vec!["lambda:InvokeFunction".to_string()]
    );
    assert_eq!(
        st["Resource"],
        json!({"Fn::GetAtt": ["DoctorFunction", "Arn"]})
    );
    // Users are told about it.
    assert_eq!(
        t["Outputs"]["AutomationRoleArn"]["Value"],
        json!({"Fn::GetAtt": ["DoctorAutomationRole", "Arn"]})
    );
    let doc = document(&t);
    let described = doc["parameters"]["AutomationAssumeRole"]["description"]
        .as_str()
        .unwrap();
    assert!(described.contains("AutomationRoleArn"), "{described}");
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

/// The parameter values of a stack: each parameter's default, overridden by `overrides`.
/// A `CommaDelimitedList` is a list of strings, as `Ref` gives it (`''` is `[""]`).
fn parameters(t: &Value, overrides: &[(&str, &str)]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (name, p) in t["Parameters"].as_object().unwrap() {
        let raw = overrides
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_string())
            .or_else(|| {
                p.get("Default").map(|d| match d {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            });
        let Some(raw) = raw else { continue };
        let value = if p["Type"] == "CommaDelimitedList" {
            Value::Array(raw.split(',').map(|s| Value::String(s.into())).collect())
        } else {
            Value::String(raw)
        };
        out.insert(name.clone(), value);
    }
    out
}

/// Evaluates the intrinsic functions the template uses outside resources' own attributes
/// (`Ref` to a parameter, `Fn::Join`, `Fn::Sub` in both forms, `Fn::If`, `Fn::Equals`), with
/// the template's conditions, as CloudFormation would for these parameter values.
fn evaluate(t: &Value, v: &Value, params: &BTreeMap<String, Value>) -> Value {
    let text = |v: &Value| match evaluate(t, v, params) {
        Value::String(s) => s,
        other => panic!("expected a string, got {other}"),
    };
    let Value::Object(map) = v else {
        return v.clone();
    };
    if map.len() != 1 {
        return v.clone();
    }
    let (f, arg) = map.iter().next().unwrap();
    match f.as_str() {
        "Ref" => params
            .get(arg.as_str().unwrap())
            .unwrap_or_else(|| panic!("Ref to {arg}, which is not a parameter"))
            .clone(),
        "Fn::Join" => {
            let sep = arg[0].as_str().unwrap();
            let list = evaluate(t, &arg[1], params);
            let items: Vec<String> = list.as_array().unwrap().iter().map(&text).collect();
            Value::String(items.join(sep))
        }
        "Fn::Sub" => {
            let (mut s, vars) = match arg {
                Value::String(s) => (s.clone(), serde_json::Map::new()),
                Value::Array(a) => (
                    a[0].as_str().unwrap().to_string(),
                    a[1].as_object().unwrap().clone(),
                ),
                other => panic!("bad Fn::Sub {other}"),
            };
            for (name, value) in &vars {
                s = s.replace(&format!("${{{name}}}"), &text(value));
            }
            for (name, value) in params {
                if let Value::String(value) = value {
                    s = s.replace(&format!("${{{name}}}"), value);
                }
            }
            assert!(!s.contains("${"), "unresolved variable in {s}");
            Value::String(s)
        }
        "Fn::If" => {
            let cond = arg[0].as_str().unwrap();
            if evaluate(t, &t["Conditions"][cond], params) == Value::Bool(true) {
                evaluate(t, &arg[1], params)
            } else {
                evaluate(t, &arg[2], params)
            }
        }
        "Fn::Equals" => Value::Bool(evaluate(t, &arg[0], params) == evaluate(t, &arg[1], params)),
        _ => v.clone(),
    }
}

#[test]
fn the_sweep_schedule_sends_input_the_handler_accepts() {
    use ecs_task_doctor::request::Request;
    let t = template();
    let sweep = &t["Resources"]["DoctorFunction"]["Properties"]["Events"]["Sweep"];
    assert_eq!(sweep["Type"], "Schedule");
    assert_eq!(
        t["Parameters"]["SweepClusters"]["Type"],
        "CommaDelimitedList"
    );
    // (parameter overrides, the clusters the handler then sweeps, its lookback)
    type Case<'a> = (&'a [(&'a str, &'a str)], Vec<&'a str>, u32);
    let cases: [Case; 4] = [
        // The default: every cluster.
        (&[], vec![], 60),
        (&[("SweepClusters", "payments")], vec!["payments"], 60),
        (
            &[
                ("SweepClusters", "payments,orders"),
                ("SweepLookbackMinutes", "30"),
            ],
            vec!["payments", "orders"],
            30,
        ),
        (
            &[(
                "SweepClusters",
                "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
            )],
            vec!["arn:aws:ecs:us-east-1:123456789012:cluster/prod"],
            60,
        ),
    ];
    for (overrides, clusters, minutes) in cases {
        let params = parameters(&t, overrides);
        let input = evaluate(&t, &sweep["Properties"]["Input"], &params);
        let text = input.as_str().expect("the schedule's input is a string");
        let value: Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("{overrides:?} gives input that is not JSON ({e}): {text}"));
        match Request::from_value(value) {
            Ok(Request::Sweep(s)) => {
                assert_eq!(s.clusters, clusters, "{overrides:?}: {text}");
                assert_eq!(s.lookback_minutes, minutes, "{overrides:?}: {text}");
            }
            other => panic!("{overrides:?}: the schedule's input {text} is not a sweep: {other:?}"),
        }
    }
}

#[test]
fn reports_go_to_the_templates_own_topic_and_bucket_only_when_asked() {
    use ecs_task_doctor::publish::{BUCKET_ENV, TOPIC_ENV};
    let t = template();
    let vars = &t["Resources"]["DoctorFunction"]["Properties"]["Environment"]["Variables"];
    for (toggle, condition, env, resource) in [
        (
            "PublishToSns",
            "PublishReportsToSns",
            TOPIC_ENV,
            "ReportTopic",
        ),
        (
            "PublishToS3",
            "PublishReportsToS3",
            BUCKET_ENV,
            "ReportBucket",
        ),
    ] {
        let p = &t["Parameters"][toggle];
        assert_eq!(p["Default"], "false", "{toggle} is off by default");
        assert_eq!(p["AllowedValues"], json!(["true", "false"]));
        assert_eq!(
            t["Conditions"][condition],
            json!({"Fn::Equals": [{"Ref": toggle}, "true"]})
        );
        assert_eq!(t["Resources"][resource]["Condition"], condition);
        assert_eq!(
            vars[env],
            json!({"Fn::If": [condition, {"Ref": resource}, ""]}),
            "the handler reads {env}: the {resource} name or ''"
        );
    }
    let topic = &t["Resources"]["ReportTopic"]["Properties"];
    assert_eq!(topic["KmsMasterKeyId"], "alias/aws/sns");

    let bucket = &t["Resources"]["ReportBucket"]["Properties"];
    let sse = &bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert!(sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"].is_string());
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][flag], true,
            "{flag}"
        );
    }
    assert_eq!(
        bucket["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
        "BucketOwnerEnforced"
    );
    let rule = &bucket["LifecycleConfiguration"]["Rules"][0];
    assert_eq!(rule["Status"], "Enabled");
    assert!(rule["ExpirationInDays"].as_u64().unwrap() > 0);
    let policy = &t["Resources"]["ReportBucketPolicy"];
    assert_eq!(policy["Condition"], "PublishReportsToS3");
    assert_eq!(
        policy["Properties"]["Bucket"],
        json!({"Ref": "ReportBucket"})
    );
    let deny_http = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Effect"] == "Deny")
        .expect("a statement denying plain HTTP");
    assert_eq!(deny_http["Principal"], "*");
    assert_eq!(
        deny_http["Condition"]["Bool"]["aws:SecureTransport"],
        "false"
    );

    // The stack says where reports went, and what the runbook is called.
    assert_eq!(
        t["Outputs"]["ReportTopicArn"]["Condition"],
        "PublishReportsToSns"
    );
    assert_eq!(
        t["Outputs"]["ReportBucketName"]["Condition"],
        "PublishReportsToS3"
    );
    assert_eq!(
        t["Outputs"]["DocumentName"]["Value"],
        json!({"Ref": "DoctorDocument"})
    );
}

fn sam_validate(args: &[&str]) {
    let out = support::sam::sam()
        .arg("validate")
        .args(args)
        .arg("-t")
        .arg(repo().join("template.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sam validate {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sam_validate_lint_passes() {
    sam_validate(&["--lint"]);
}

#[test]
fn sam_validate_passes() {
    sam_validate(&[]);
}

// ---------------------------------------------------------------------------------------
// The Automation document. cfn-lint's schema for SSM documents checks `schemaVersion` only
// (research/tooling.md §5), so the rules below come from the Systems Manager user guide:
// automation-actions.md (properties shared by all actions), automation-action-lamb.md,
// automation-action-branch.md and automation-branchdocs.md.
// ---------------------------------------------------------------------------------------

/// The document's content, as the template gives it to AWS::SSM::Document.
fn document(t: &Value) -> Value {
    let d = &t["Resources"]["DoctorDocument"]["Properties"];
    assert_eq!(d["DocumentType"], "Automation");
    d["Content"].clone()
}

/// Every Automation action the user guide lists.
const AUTOMATION_ACTIONS: &[&str] = &[
    "aws:approve",
    "aws:assertAwsResourceProperty",
    "aws:branch",
    "aws:changeInstanceState",
    "aws:copyImage",
    "aws:createImage",
    "aws:createStack",
    "aws:createTags",
    "aws:deleteImage",
    "aws:deleteStack",
    "aws:executeAutomation",
    "aws:executeAwsApi",
    "aws:executeScript",
    "aws:executeStateMachine",
    "aws:invokeLambdaFunction",
    "aws:invokeWebhook",
    "aws:loop",
    "aws:pause",
    "aws:runCommand",
    "aws:runInstances",
    "aws:sleep",
    "aws:updateVariable",
    "aws:waitForAwsResourceProperty",
];

/// What the checker knows of an action this document uses.
struct ActionSpec {
    action: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    /// The fields of the action's response a `Selector` may start from.
    response: &'static [&'static str],
    /// Output names the action reserves (SSM refuses custom outputs with these names).
    reserved: &'static [&'static str],
}

/// The inputs of the actions this document uses (automation-action-lamb.md,
/// automation-action-branch.md).
const ACTION_INPUTS: &[ActionSpec] = &[
    ActionSpec {
        action: "aws:invokeLambdaFunction",
        required: &["FunctionName"],
        optional: &[
            "Qualifier",
            "InvocationType",
            "LogType",
            "ClientContext",
            "InputPayload",
            "Payload",
        ],
        response: &["Payload", "StatusCode", "FunctionError", "LogResult"],
        reserved: &[
            "LogResult",
            "OutputPayload",
            "FunctionError",
            "Payload",
            "StatusCode",
        ],
    },
    ActionSpec {
        action: "aws:branch",
        required: &["Choices"],
        optional: &["Default"],
        response: &[],
        reserved: &[],
    },
];

/// The properties every step may have.
const STEP_PROPERTIES: &[&str] = &[
    "name",
    "action",
    "inputs",
    "outputs",
    "description",
    "maxAttempts",
    "timeoutSeconds",
    "onFailure",
    "onCancel",
    "isEnd",
    "isCritical",
    "nextStep",
];

const OUTPUT_TYPES: &[&str] = &[
    "String",
    "Integer",
    "Boolean",
    "StringList",
    "StringMap",
    "MapList",
];

/// aws:branch operators, with the operand JSON type and the variable types each applies to.
const BRANCH_OPERATORS: &[(&str, &str, &[&str])] = &[
    ("StringEquals", "string", &["String"]),
    ("EqualsIgnoreCase", "string", &["String"]),
    ("StartsWith", "string", &["String"]),
    ("EndsWith", "string", &["String"]),
    ("Contains", "string", &["String", "StringList"]),
    ("NumericEquals", "number", &["Integer"]),
    ("NumericGreater", "number", &["Integer"]),
    ("NumericLesser", "number", &["Integer"]),
    ("NumericGreaterOrEquals", "number", &["Integer"]),
    ("NumericLesserOrEquals", "number", &["Integer"]),
    ("BooleanEquals", "boolean", &["Boolean"]),
];

/// The parameters the document must take: those of AWSSupport-TroubleshootECSTaskFailedToStart.
const DOCUMENT_PARAMETERS: &[&str] = &["AutomationAssumeRole", "ClusterName", "TaskId"];

const SYSTEM_VARIABLES: &[&str] = &[
    "automation:EXECUTION_ID",
    "automation:DOCUMENT_EXECUTION_ID",
    "global:ACCOUNT_ID",
    "global:AWS_PARTITION",
    "global:DATE",
    "global:DATE_TIME",
    "global:REGION",
    "global:AWS_URL_SUFFIX",
];

/// Every `{{ name }}` in a string, trimmed.
fn references(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push(after[..close].trim().to_string());
        rest = &after[close + 2..];
    }
    out
}

/// Every string in a JSON value.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

struct Checker<'a> {
    doc: &'a Value,
    problems: Vec<String>,
    /// Step name → (index, action, output name → type).
    steps: BTreeMap<String, (usize, String, BTreeMap<String, String>)>,
}

impl Checker<'_> {
    fn problem(&mut self, p: String) {
        self.problems.push(p);
    }

    /// The type of `{{ reference }}` as seen from step number `at` (None: the document level),
    /// or a problem.
    fn reference_type(
        &mut self,
        reference: &str,
        at: Option<usize>,
        context: &str,
    ) -> Option<String> {
        if SYSTEM_VARIABLES.contains(&reference) {
            return Some("String".into());
        }
        if let Some((step, output)) = reference.split_once('.') {
            let Some((index, _, outputs)) = self.steps.get(step) else {
                self.problem(format!(
                    "{context}: '{{{{ {reference} }}}}' names no step '{step}'"
                ));
                return None;
            };
            if at.is_some_and(|at| *index >= at) {
                self.problem(format!(
                    "{context}: '{{{{ {reference} }}}}' is not an earlier step's output"
                ));
                return None;
            }
            let Some(ty) = outputs.get(output).cloned() else {
                self.problem(format!(
                    "{context}: '{{{{ {reference} }}}}': step {step} has no output '{output}'"
                ));
                return None;
            };
            return Some(ty);
        }
        match self.doc["parameters"].get(reference) {
            Some(p) => Some(p["type"].as_str().unwrap_or("String").to_string()),
            None => {
                self.problem(format!(
                    "{context}: '{{{{ {reference} }}}}' names no parameter '{reference}'"
                ));
                None
            }
        }
    }

    fn step_exists(&mut self, target: &str, context: &str) {
        if !self.steps.contains_key(target) {
            self.problem(format!("{context} names an unknown step '{target}'"));
        }
    }

    /// One aws:branch condition: `Variable` with one operator, or `And`/`Or` (lists of
    /// conditions) or `Not` (one condition). `NextStep` only at the top.
    fn condition(&mut self, c: &Value, at: usize, top: bool, context: &str) {
        let Some(map) = c.as_object() else {
            self.problem(format!("{context}: a choice must be a map, got {c}"));
            return;
        };
        let mut keys: BTreeSet<&str> = map.keys().map(String::as_str).collect();
        if top {
            match map.get("NextStep").and_then(Value::as_str) {
                Some(next) => self.step_exists(next, &format!("{context}: NextStep")),
                None => self.problem(format!("{context}: a choice needs a NextStep")),
            }
            keys.remove("NextStep");
        }
        for op in ["And", "Or"] {
            if let Some(list) = map.get(op) {
                keys.remove(op);
                match list.as_array() {
                    Some(list) if !list.is_empty() => {
                        for c in list {
                            self.condition(c, at, false, &format!("{context}: {op}"));
                        }
                    }
                    _ => self.problem(format!("{context}: {op} needs a list of conditions")),
                }
            }
        }
        if let Some(inner) = map.get("Not") {
            keys.remove("Not");
            self.condition(inner, at, false, &format!("{context}: Not"));
        }
        if let Some(variable) = map.get("Variable") {
            keys.remove("Variable");
            let refs = variable.as_str().map(references).unwrap_or_default();
            let var_type = match refs.as_slice() {
                [one]
                    if variable.as_str().unwrap().trim() == format!("{{{{ {one} }}}}")
                        || variable.as_str().unwrap().trim() == format!("{{{{{one}}}}}") =>
                {
                    self.reference_type(one, Some(at), context)
                }
                _ => {
                    self.problem(format!(
                        "{context}: Variable must be one '{{{{ reference }}}}', got {variable}"
                    ));
                    None
                }
            };
            let ops: Vec<&str> = keys.iter().copied().collect();
            match ops.as_slice() {
                [op] => match BRANCH_OPERATORS.iter().find(|(name, ..)| name == op) {
                    Some((_, operand, types)) => {
                        let value = &map[*op];
                        let ok = match *operand {
                            "string" => value.is_string(),
                            "number" => value.is_number(),
                            _ => value.is_boolean(),
                        };
                        if !ok {
                            self.problem(format!("{context}: {op} needs a {operand}, got {value}"));
                        }
                        if let Some(t) = var_type
                            && !types.contains(&t.as_str())
                        {
                            self.problem(format!(
                                "{context}: {op} does not apply to a {t} variable ({variable})"
                            ));
                        }
                    }
                    None => self.problem(format!("{context}: unknown branch operator '{op}'")),
                },
                _ => self.problem(format!(
                    "{context}: a Variable needs exactly one operator, got {ops:?}"
                )),
            }
            return;
        }
        if !keys.is_empty() {
            self.problem(format!("{context}: unknown keys {keys:?} in a choice"));
        }
        if !["And", "Or", "Not"].iter().any(|k| map.contains_key(*k)) {
            self.problem(format!(
                "{context}: a choice needs a Variable, And, Or or Not"
            ));
        }
    }
}

/// Everything wrong with an Automation document, empty when it is well formed.
fn document_problems(doc: &Value) -> Vec<String> {
    let mut c = Checker {
        doc,
        problems: Vec::new(),
        steps: BTreeMap::new(),
    };
    for key in doc
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<String>>())
        .unwrap_or_default()
    {
        if ![
            "schemaVersion",
            "description",
            "assumeRole",
            "parameters",
            "mainSteps",
            "outputs",
            "files",
        ]
        .contains(&key.as_str())
        {
            c.problem(format!("unknown top-level key '{key}'"));
        }
    }
    if doc["schemaVersion"] != "0.3" {
        c.problem(format!(
            "an Automation document has schemaVersion '0.3', got {}",
            doc["schemaVersion"]
        ));
    }

    // Parameters: exactly the runbook's, with valid types; AutomationAssumeRole optional.
    let params: BTreeSet<&str> = doc["parameters"]
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if params != DOCUMENT_PARAMETERS.iter().copied().collect() {
        c.problem(format!(
            "the parameters must be exactly {DOCUMENT_PARAMETERS:?}, got {params:?}"
        ));
    }
    if let Some(map) = doc["parameters"].as_object() {
        for (name, p) in map {
            let ty = p["type"].as_str().unwrap_or("");
            if !OUTPUT_TYPES.contains(&ty) && !ty.starts_with("AWS::") {
                c.problem(format!("parameter {name}: unknown type '{ty}'"));
            }
            for key in p
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<String>>())
                .unwrap_or_default()
            {
                if ![
                    "type",
                    "description",
                    "default",
                    "allowedValues",
                    "allowedPattern",
                    "displayType",
                    "minItems",
                    "maxItems",
                    "maxChars",
                ]
                .contains(&key.as_str())
                {
                    c.problem(format!("parameter {name}: unknown key '{key}'"));
                }
            }
        }
    }
    if doc["parameters"]["AutomationAssumeRole"]["default"] != "" {
        c.problem("AutomationAssumeRole must be optional (default '')".into());
    }
    for required in ["ClusterName", "TaskId"] {
        if doc["parameters"][required].get("default").is_some() {
            c.problem(format!("{required} is required: it has no default"));
        }
    }

    // Steps: names, actions, properties, outputs.
    let empty = Vec::new();
    let steps = doc["mainSteps"].as_array().unwrap_or(&empty);
    if steps.is_empty() {
        c.problem("mainSteps is empty".into());
    }
    for (i, step) in steps.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("").to_string();
        if name.is_empty() {
            c.problem(format!("step {i} has no name"));
        }
        let action = step["action"].as_str().unwrap_or("").to_string();
        let mut outputs = BTreeMap::new();
        for o in step["outputs"].as_array().unwrap_or(&empty) {
            let oname = o["Name"].as_str().unwrap_or("").to_string();
            let ty = o["Type"].as_str().unwrap_or("").to_string();
            if !OUTPUT_TYPES.contains(&ty.as_str()) {
                c.problem(format!(
                    "{name}: output {oname} has an invalid output type '{ty}'"
                ));
            }
            for key in o
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<String>>())
                .unwrap_or_default()
            {
                if !["Name", "Selector", "Type"].contains(&key.as_str()) {
                    c.problem(format!("{name}: output {oname}: unknown key '{key}'"));
                }
            }
            if outputs.insert(oname.clone(), ty).is_some() {
                c.problem(format!("{name}: output {oname} is declared twice"));
            }
        }
        if c.steps.insert(name.clone(), (i, action, outputs)).is_some() {
            c.problem(format!("step name '{name}' is used twice"));
        }
    }
    for (i, step) in steps.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("").to_string();
        let action = step["action"].as_str().unwrap_or("");
        for key in step
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<String>>())
            .unwrap_or_default()
        {
            if !STEP_PROPERTIES.contains(&key.as_str()) {
                c.problem(format!("{name}: unknown step property '{key}'"));
            }
        }
        if !AUTOMATION_ACTIONS.contains(&action) {
            c.problem(format!("{name}: unknown action '{action}'"));
            continue;
        }
        let Some(ActionSpec {
            required,
            optional,
            response,
            reserved,
            ..
        }) = ACTION_INPUTS.iter().find(|s| s.action == action)
        else {
            c.problem(format!(
                "{name}: {action} has no input specification in this checker; add one"
            ));
            continue;
        };
        let inputs = step["inputs"].as_object();
        if inputs.is_none() {
            c.problem(format!("{name}: inputs must be a map"));
        }
        let given: BTreeSet<String> = inputs
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for r in *required {
            if !given.contains(*r) {
                c.problem(format!("{name}: missing required input {r} of {action}"));
            }
        }
        for g in &given {
            if !required.contains(&g.as_str()) && !optional.contains(&g.as_str()) {
                c.problem(format!("{name}: unknown input {g} for {action}"));
            }
        }
        for o in step["outputs"].as_array().unwrap_or(&empty) {
            let oname = o["Name"].as_str().unwrap_or("");
            if reserved.contains(&oname) {
                c.problem(format!(
                    "{name}: output name {oname} is reserved by {action}"
                ));
            }
            let selector = o["Selector"].as_str().unwrap_or("");
            let root = selector
                .strip_prefix("$.")
                .map(|s| s.split(['.', '[']).next().unwrap_or(""))
                .unwrap_or("");
            if !response.contains(&root) {
                c.problem(format!(
                    "{name}: output {oname}'s Selector '{selector}' does not start at a field of {action}'s response {response:?}"
                ));
            }
        }
        if let Some(m) = step.get("maxAttempts")
            && m.as_u64().is_none_or(|n| n < 1)
        {
            c.problem(format!(
                "{name}: maxAttempts must be an integer >= 1, got {m}"
            ));
        }
        if let Some(s) = step.get("timeoutSeconds") {
            let limit = if action == "aws:invokeLambdaFunction" {
                300
            } else {
                u64::MAX
            };
            if !s.as_u64().is_some_and(|n| (1..=limit).contains(&n)) {
                c.problem(format!(
                    "{name}: timeoutSeconds must be an integer in 1..={limit}, got {s}"
                ));
            }
        }
        for flag in ["isEnd", "isCritical"] {
            if let Some(v) = step.get(flag)
                && !v.is_boolean()
            {
                c.problem(format!("{name}: {flag} must be true or false, got {v}"));
            }
        }
        for prop in ["onFailure", "onCancel"] {
            if let Some(v) = step.get(prop) {
                match v.as_str() {
                    Some("Abort") | Some("Continue") => {}
                    Some(s) if s.starts_with("step:") => {
                        c.step_exists(&s[5..], &format!("{name}: {prop}"))
                    }
                    _ => c.problem(format!(
                        "{name}: {prop} must be Abort, Continue or step:<name>, got {v}"
                    )),
                }
            }
        }
        if let Some(next) = step.get("nextStep") {
            match next.as_str() {
                Some(n) => c.step_exists(n, &format!("{name}: nextStep")),
                None => c.problem(format!("{name}: nextStep must be a step name, got {next}")),
            }
        }
        // References in the inputs (the branch's Variables are checked with their operators).
        if action == "aws:branch" {
            match step["inputs"]["Choices"].as_array() {
                Some(choices) if !choices.is_empty() => {
                    for (k, choice) in choices.iter().enumerate() {
                        c.condition(choice, i, true, &format!("{name}: choice {k}"));
                    }
                }
                _ => c.problem(format!("{name}: Choices must be a non-empty list")),
            }
            if let Some(d) = step["inputs"].get("Default") {
                match d.as_str() {
                    Some(d) => c.step_exists(d, &format!("{name}: Default")),
                    None => c.problem(format!("{name}: Default must be a step name, got {d}")),
                }
            }
            if step.get("outputs").is_some() {
                c.problem(format!("{name}: aws:branch has no outputs"));
            }
        } else {
            let mut texts = Vec::new();
            strings(&step["inputs"], &mut texts);
            for s in texts {
                for r in references(&s) {
                    c.reference_type(&r, Some(i), &format!("{name}: inputs"));
                }
            }
        }
    }

    // The document's own references.
    if let Some(role) = doc.get("assumeRole") {
        for r in references(role.as_str().unwrap_or("")) {
            c.reference_type(&r, None, "assumeRole");
        }
    }
    for o in doc["outputs"].as_array().unwrap_or(&empty) {
        let o = o.as_str().unwrap_or("");
        match o.split_once('.') {
            Some(_) => {
                c.reference_type(o, None, "document outputs");
            }
            None => c.problem(format!("document output '{o}' is not Step.Output")),
        }
    }

    // The flow: every step reachable from the first, and no loop (Automation refuses both).
    if c.problems.is_empty() && !steps.is_empty() {
        let index: BTreeMap<&str, usize> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s["name"].as_str().unwrap(), i))
            .collect();
        let successors = |i: usize| -> Vec<usize> {
            let s = &steps[i];
            let mut out = Vec::new();
            let fallthrough = (i + 1 < steps.len() && s["isEnd"] != true).then_some(i + 1);
            if s["action"] == "aws:branch" {
                for choice in s["inputs"]["Choices"].as_array().unwrap() {
                    out.push(index[choice["NextStep"].as_str().unwrap()]);
                }
                match s["inputs"]["Default"].as_str() {
                    Some(d) => out.push(index[d]),
                    None => out.extend(fallthrough),
                }
            } else if s["isEnd"] != true {
                match s["nextStep"].as_str() {
                    Some(n) => out.push(index[n]),
                    None => out.extend(fallthrough),
                }
            }
            if let Some(f) = s["onFailure"]
                .as_str()
                .and_then(|f| f.strip_prefix("step:"))
            {
                out.push(index[f]);
            }
            out
        };
        // Depth-first search with colours: grey on the stack, black done.
        let mut colour = vec![0u8; steps.len()];
        fn visit(
            i: usize,
            colour: &mut Vec<u8>,
            successors: &dyn Fn(usize) -> Vec<usize>,
            steps: &[Value],
            problems: &mut Vec<String>,
        ) {
            colour[i] = 1;
            for j in successors(i) {
                match colour[j] {
                    0 => visit(j, colour, successors, steps, problems),
                    1 => problems.push(format!(
                        "a loop: {} leads back to {}",
                        steps[i]["name"], steps[j]["name"]
                    )),
                    _ => {}
                }
            }
            colour[i] = 2;
        }
        visit(0, &mut colour, &successors, steps, &mut c.problems);
        for (i, seen) in colour.iter().enumerate() {
            if *seen == 0 {
                c.problems
                    .push(format!("step {} is unreachable", steps[i]["name"]));
            }
        }
    }
    c.problems
}

#[test]
fn the_automation_document_is_well_formed() {
    let doc = document(&template());
    let problems = document_problems(&doc);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Applies `change` to the shipped document and returns what the checker says.
fn problems_after(change: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut doc = document(&template());
    change(&mut doc);
    document_problems(&doc)
}

fn step_mut<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    doc["mainSteps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name}"))
}

#[test]
fn the_document_checker_rejects_each_kind_of_mistake() {
    type Change = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "misspelled action",
            Box::new(|d| step_mut(d, "CheckTask")["action"] = json!("aws:invokeLambdaFunctionX")),
            "unknown action 'aws:invokeLambdaFunctionX'",
        ),
        (
            "action the checker has no inputs for",
            Box::new(|d| step_mut(d, "CheckTask")["action"] = json!("aws:sleep")),
            "no input specification",
        ),
        (
            "misspelled required input",
            Box::new(|d| {
                let inputs = step_mut(d, "CheckImage")["inputs"].as_object_mut().unwrap();
                let f = inputs.remove("FunctionName").unwrap();
                inputs.insert("FunctionNme".into(), f);
            }),
            "missing required input FunctionName",
        ),
        (
            "unknown input",
            Box::new(|d| step_mut(d, "CheckImage")["inputs"]["Paylod"] = json!("{}")),
            "unknown input Paylod",
        ),
        (
            "branch without Choices",
            Box::new(|d| {
                step_mut(d, "NextAfterTask")["inputs"]
                    .as_object_mut()
                    .unwrap()
                    .remove("Choices");
            }),
            "missing required input Choices",
        ),
        (
            "bad output type",
            Box::new(|d| step_mut(d, "CheckTask")["outputs"][0]["Type"] = json!("Strng")),
            "invalid output type 'Strng'",
        ),
        (
            "reserved output name",
            Box::new(|d| step_mut(d, "CheckTask")["outputs"][0]["Name"] = json!("Payload")),
            "reserved",
        ),
        (
            "selector outside the response",
            Box::new(|d| {
                step_mut(d, "CheckTask")["outputs"][0]["Selector"] = json!("$.Body.status")
            }),
            "does not start at a field",
        ),
        (
            "dangling parameter reference",
            Box::new(|d| {
                step_mut(d, "CheckIam")["inputs"]["InputPayload"]["TaskId"] = json!("{{ TaskID }}")
            }),
            "names no parameter 'TaskID'",
        ),
        (
            "dangling output reference",
            Box::new(|d| {
                step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]["Variable"] =
                    json!("{{ CheckTask.applicableStage }}")
            }),
            "has no output 'applicableStage'",
        ),
        (
            "reference to a later step",
            Box::new(|d| {
                step_mut(d, "CheckTask")["inputs"]["InputPayload"]["Stage"] =
                    json!("{{ Report.verdict }}")
            }),
            "not an earlier step",
        ),
        (
            "reference to no step",
            Box::new(|d| {
                step_mut(d, "CheckImage")["inputs"]["InputPayload"]["Stage"] =
                    json!("{{ Nope.status }}")
            }),
            "names no step 'Nope'",
        ),
        (
            "NextStep to no step",
            Box::new(|d| {
                step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]["NextStep"] =
                    json!("CheckImag")
            }),
            "unknown step 'CheckImag'",
        ),
        (
            "Default to no step",
            Box::new(|d| step_mut(d, "NextAfterTask")["inputs"]["Default"] = json!("Reprt")),
            "unknown step 'Reprt'",
        ),
        (
            "nextStep to no step",
            Box::new(|d| step_mut(d, "CheckTask")["nextStep"] = json!("NextAfterTsk")),
            "unknown step 'NextAfterTsk'",
        ),
        (
            "onFailure to no step",
            Box::new(|d| step_mut(d, "CheckImage")["onFailure"] = json!("step:Reprt")),
            "unknown step 'Reprt'",
        ),
        (
            "bad onFailure",
            Box::new(|d| step_mut(d, "CheckImage")["onFailure"] = json!("Retry")),
            "onFailure must be",
        ),
        (
            "unknown branch operator",
            Box::new(|d| {
                let c = step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]
                    .as_object_mut()
                    .unwrap();
                let v = c.remove("Contains").unwrap();
                c.insert("Contain".into(), v);
            }),
            "unknown branch operator 'Contain'",
        ),
        (
            "operator for another variable type",
            Box::new(|d| {
                let c = step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]
                    .as_object_mut()
                    .unwrap();
                c.remove("Contains");
                c.insert("NumericEquals".into(), json!(3));
            }),
            "NumericEquals does not apply to a String variable",
        ),
        (
            "operand of the wrong type",
            Box::new(|d| {
                step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]["Contains"] = json!(3)
            }),
            "Contains needs a string",
        ),
        (
            "Variable that is not a reference",
            Box::new(|d| {
                step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]["Variable"] =
                    json!("CheckTask.applicableStagesText")
            }),
            "Variable must be one",
        ),
        (
            "choice without NextStep",
            Box::new(|d| {
                step_mut(d, "NextAfterTask")["inputs"]["Choices"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("NextStep");
            }),
            "a choice needs a NextStep",
        ),
        (
            "document output of no step output",
            Box::new(|d| d["outputs"][0] = json!("Report.verdic")),
            "has no output 'verdic'",
        ),
        (
            "renamed parameter",
            Box::new(|d| {
                let p = d["parameters"].as_object_mut().unwrap();
                let v = p.remove("TaskId").unwrap();
                p.insert("TaskArn".into(), v);
            }),
            "the parameters must be exactly",
        ),
        (
            "required assume role",
            Box::new(|d| {
                d["parameters"]["AutomationAssumeRole"]
                    .as_object_mut()
                    .unwrap()
                    .remove("default");
            }),
            "AutomationAssumeRole must be optional",
        ),
        (
            "bad parameter type",
            Box::new(|d| d["parameters"]["ClusterName"]["type"] = json!("Str")),
            "unknown type 'Str'",
        ),
        (
            "maxAttempts not a number",
            Box::new(|d| step_mut(d, "CheckTask")["maxAttempts"] = json!("one")),
            "maxAttempts must be an integer",
        ),
        (
            "timeout over the action's limit",
            Box::new(|d| step_mut(d, "CheckTask")["timeoutSeconds"] = json!(600)),
            "timeoutSeconds must be an integer in 1..=300",
        ),
        (
            "isEnd not a boolean",
            Box::new(|d| step_mut(d, "Report")["isEnd"] = json!("yes")),
            "isEnd must be true or false",
        ),
        (
            "misspelled step property",
            Box::new(|d| step_mut(d, "CheckTask")["nextstep"] = json!("NextAfterTask")),
            "unknown step property 'nextstep'",
        ),
        (
            "duplicate step name",
            Box::new(|d| step_mut(d, "CheckIam")["name"] = json!("CheckImage")),
            "used twice",
        ),
        (
            "wrong schema version",
            Box::new(|d| d["schemaVersion"] = json!("2.2")),
            "schemaVersion '0.3'",
        ),
        (
            "a loop",
            Box::new(|d| step_mut(d, "CheckPlacement")["nextStep"] = json!("CheckTask")),
            "a loop",
        ),
        (
            "an unreachable step",
            Box::new(|d| {
                let mut extra = step_mut(d, "CheckPlacement").clone();
                extra["name"] = json!("Orphan");
                d["mainSteps"].as_array_mut().unwrap().push(extra);
            }),
            "step \"Orphan\" is unreachable",
        ),
    ];
    for (what, change, expected) in cases {
        let problems = problems_after(change);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{what}: expected a problem containing {expected:?}, got {problems:#?}"
        );
    }
}

#[test]
fn the_document_runs_one_step_per_stage_in_runbook_order_then_the_report() {
    use ecs_task_doctor::stage::{StageName, StageSelection};
    let t = template();
    let doc = document(&t);
    let steps = doc["mainSteps"].as_array().unwrap();
    let invokes: Vec<&Value> = steps
        .iter()
        .filter(|s| s["action"] == "aws:invokeLambdaFunction")
        .collect();
    let stages: Vec<&str> = invokes
        .iter()
        .map(|s| s["inputs"]["InputPayload"]["Stage"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = StageName::ALL.iter().map(|s| s.as_str()).collect();
    expected.push("all");
    assert_eq!(
        stages, expected,
        "one step per stage, in src/stage.rs's order, then the report"
    );
    let function_timeout = t["Resources"]["DoctorFunction"]["Properties"]["Timeout"]
        .as_u64()
        .unwrap();
    for s in &invokes {
        let stage = s["inputs"]["InputPayload"]["Stage"].as_str().unwrap();
        stage
            .parse::<StageSelection>()
            .unwrap_or_else(|e| panic!("{}: {e}", s["name"]));
        assert_eq!(
            s["inputs"]["FunctionName"],
            json!({"Ref": "DoctorFunction"})
        );
        assert_eq!(
            s["inputs"]["InputPayload"],
            json!({"ClusterName": "{{ ClusterName }}", "TaskId": "{{ TaskId }}", "Stage": stage}),
            "DESIGN §1: the payload is ClusterName, TaskId and Stage"
        );
        let timeout = s["timeoutSeconds"].as_u64().unwrap();
        assert!(
            timeout > function_timeout && timeout <= 300,
            "{}: the step waits longer than the function may run ({function_timeout} s)",
            s["name"]
        );
        let outputs: BTreeMap<&str, (&str, &str)> = s["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["Name"].as_str().unwrap(),
                    (o["Selector"].as_str().unwrap(), o["Type"].as_str().unwrap()),
                )
            })
            .collect();
        let status = if stage == "all" { "verdict" } else { "status" };
        for field in [status, "rootCause", "summary"] {
            assert_eq!(
                outputs.get(field),
                Some(&(format!("$.Payload.{field}").as_str(), "String")),
                "{}: output {field}",
                s["name"]
            );
        }
    }
    // The task step feeds the branches; the report step the console.
    assert_eq!(invokes[0]["name"], "CheckTask");
    assert!(
        invokes[0]["outputs"]
            .as_array()
            .unwrap()
            .contains(&json!({"Name": "applicableStagesText", "Selector": "$.Payload.applicableStagesText", "Type": "String"}))
    );
    // The branches test the comma-joined String with Contains, so no stage name may be a
    // substring of another.
    for a in ecs_task_doctor::stage::StageName::ALL {
        for b in ecs_task_doctor::stage::StageName::ALL {
            assert!(
                a == b || !b.as_str().contains(a.as_str()),
                "{a:?} is part of {b:?}"
            );
        }
    }
    let report = invokes.last().unwrap();
    assert_eq!(report["name"], "Report");
    assert_eq!(report["isEnd"], true);
    assert_eq!(steps.last().unwrap()["name"], "Report");
    assert_eq!(
        doc["outputs"],
        json!([
            "Report.verdict",
            "Report.rootCause",
            "Report.summary",
            "Report.markdown"
        ])
    );
    assert_eq!(doc["assumeRole"], "{{ AutomationAssumeRole }}");
    // Every stage step but the task's is reached only through a branch that tests it.
    for s in &invokes[1..invokes.len() - 1] {
        let stage = s["inputs"]["InputPayload"]["Stage"].as_str().unwrap();
        let guards: Vec<&Value> = steps
            .iter()
            .filter(|b| b["action"] == "aws:branch")
            .flat_map(|b| b["inputs"]["Choices"].as_array().unwrap())
            .filter(|c| c["NextStep"] == s["name"])
            .collect();
        assert!(!guards.is_empty(), "{} is never branched to", s["name"]);
        for g in guards {
            assert_eq!(g["Contains"], stage, "{g}");
            assert_eq!(g["Variable"], "{{ CheckTask.applicableStagesText }}", "{g}");
        }
        assert!(
            steps.iter().all(|o| o["nextStep"] != s["name"]),
            "{} is reached only through a branch",
            s["name"]
        );
    }
}

/// Whether `pattern` (an Automation `allowedPattern`) matches `value`, by Python's `re`,
/// whose syntax these simple patterns share with Automation's.
fn pattern_accepts(pattern: &str, value: &str) -> bool {
    let out = Command::new(support::python())
        .args([
            "-c",
            "import re, sys; sys.exit(0 if re.search(sys.argv[1], sys.argv[2]) else 1)",
            pattern,
            value,
        ])
        .output()
        .unwrap();
    out.status.success()
}

#[test]
fn the_document_parameters_accept_names_ids_and_arns_and_nothing_else() {
    let doc = document(&template());
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("events/automation.json")).unwrap(),
    )
    .unwrap();
    let pattern = |p: &str| {
        doc["parameters"][p]["allowedPattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{p} has an allowedPattern"))
            .to_string()
    };
    let cluster = pattern("ClusterName");
    for ok in [
        shipped["ClusterName"].as_str().unwrap(),
        "arn:aws:ecs:us-east-1:111122223333:cluster/payments",
        "my_cluster-2",
    ] {
        assert!(pattern_accepts(&cluster, ok), "ClusterName {ok}");
    }
    let task = pattern("TaskId");
    for ok in [
        shipped["TaskId"].as_str().unwrap(),
        "4b1d7c0e9a2f4e63b8d5a7c91e0f3b62",
        "arn:aws-us-gov:ecs:us-gov-west-1:111122223333:task/0b69d5c0-d655-4695-98cd-5d2d526d9d5a",
    ] {
        assert!(pattern_accepts(&task, ok), "TaskId {ok}");
    }
    for bad in ["", "payments\"}", "a b", "{{ x }}"] {
        assert!(!pattern_accepts(&cluster, bad), "ClusterName {bad:?}");
        assert!(!pattern_accepts(&task, bad), "TaskId {bad:?}");
    }
    let role = pattern("AutomationAssumeRole");
    assert!(pattern_accepts(&role, ""), "the role is optional");
    assert!(pattern_accepts(
        &role,
        "arn:aws:iam::111122223333:role/service-role/ecs-task-doctor-DoctorAutomationRole-AbC123"
    ));
    assert!(!pattern_accepts(&role, "ecs-task-doctor-role"));
    assert!(!pattern_accepts(
        &role,
        "arn:aws:iam::111122223333:user/alice"
    ));
}

/// The harness's allowlist of the tool's operations (tests/support/tool-operations.txt, which
/// every moto server enforces) is exactly the function's role: neither can drift.
#[test]
fn the_harness_allowlist_is_the_role() {
    let listed: BTreeSet<String> =
        std::fs::read_to_string(repo().join("tests/support/tool-operations.txt"))
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
    assert_eq!(listed, role_actions(&template()));
}
