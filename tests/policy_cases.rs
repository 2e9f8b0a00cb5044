//! Runs the policy evaluator's specification, `tests/policy-cases/*.json` (see its README),
//! and checks with proptest that adding an explicit Deny never turns a denied or unknown
//! answer into an allowed one.

use std::path::PathBuf;

use ecs_task_doctor::judge::policy::{
    Context, NamedPolicy, PolicySet, ResourcePolicy, Verdict, evaluate_set,
};
use serde_json::Value;

fn doc_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Case {
    file: String,
    description: String,
    identity: Vec<String>,
    boundary: Option<String>,
    resource: Option<String>,
    resource_not_read: Option<String>,
    request: Value,
    expected: String,
    statement: Option<String>,
}

fn load() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/policy-cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.display()));
        for c in v["cases"].as_array().expect("a `cases` array") {
            let p = &c["policies"];
            let opt = |k: &str| p.get(k).filter(|v| !v.is_null()).map(doc_text);
            out.push(Case {
                file: f.file_name().unwrap().to_string_lossy().into_owned(),
                description: c["description"]
                    .as_str()
                    .expect("a description")
                    .to_string(),
                identity: p
                    .get("identity")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(doc_text).collect())
                    .unwrap_or_default(),
                boundary: opt("boundary"),
                resource: opt("resource"),
                resource_not_read: p
                    .get("resourceNotRead")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                request: c["request"].clone(),
                expected: c["expected"].as_str().expect("expected").to_string(),
                statement: c
                    .get("statement")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
    }
    out
}

fn context(r: &Value) -> Context {
    let action = r["action"].as_str().expect("request.action");
    let resource = r["resource"].as_str().expect("request.resource");
    let mut ctx = match (
        r.get("principal").and_then(Value::as_str),
        r.get("service").and_then(Value::as_str),
    ) {
        (Some(p), _) => Context::for_role(p, action, resource),
        (None, Some(s)) => Context::for_service(s, action, resource),
        _ => panic!("request needs principal or service"),
    };
    if let Some(obj) = r.get("context").and_then(Value::as_object) {
        for (k, v) in obj {
            let vals: Vec<String> = match v {
                Value::Array(a) => a.iter().map(doc_text).collect(),
                other => vec![doc_text(other)],
            };
            ctx.set(k, vals);
        }
    }
    if let Some(a) = r.get("absent").and_then(Value::as_array) {
        for k in a {
            ctx.set_absent(k.as_str().unwrap());
        }
    }
    ctx
}

fn run(case: &Case) -> ecs_task_doctor::judge::policy::Evaluation {
    let names: Vec<String> = (0..case.identity.len())
        .map(|i| format!("identity[{i}]"))
        .collect();
    let set = PolicySet {
        identity: case
            .identity
            .iter()
            .zip(&names)
            .map(|(d, n)| NamedPolicy {
                name: n,
                document: d,
            })
            .collect(),
        boundary: case.boundary.as_deref().map(|d| NamedPolicy {
            name: "boundary",
            document: d,
        }),
        resource: match (&case.resource, &case.resource_not_read) {
            (Some(d), _) => ResourcePolicy::Some(NamedPolicy {
                name: "resource",
                document: d,
            }),
            (None, Some(why)) => ResourcePolicy::NotRead(why.clone()),
            (None, None) => ResourcePolicy::None,
        },
    };
    evaluate_set(&set, &context(&case.request))
}

#[test]
fn every_case_in_the_folder() {
    let cases = load();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(case);
        let verdict = match got.verdict {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        };
        if verdict != case.expected {
            failures.push(format!(
                "{}: {}\n  expected {}, got {verdict}: {}",
                case.file, case.description, case.expected, got.detail
            ));
        } else if let Some(st) = &case.statement
            && got.statement.as_deref() != Some(st.as_str())
        {
            failures.push(format!(
                "{}: {}\n  expected statement {st}, got {:?}",
                case.file, case.description, got.statement
            ));
        }
        if got.verdict == Verdict::Allowed && case.request.get("principal").is_some() {
            assert!(
                got.detail.contains("not visible"),
                "{}: the SCP note is missing",
                case.description
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

mod adding_a_deny {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("ecr:BatchGetImage".to_string()),
            Just("ecr:*".to_string()),
            Just("*".to_string()),
            Just("logs:PutLogEvents".to_string()),
            Just("ECR:Batch*".to_string()),
        ]
    }
    fn resource() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("*".to_string()),
            Just("arn:aws:ecr:us-east-1:111122223333:repository/app".to_string()),
            Just("arn:aws:ecr:*:*:repository/a*".to_string()),
            Just("arn:aws:logs:*".to_string()),
        ]
    }
    fn condition() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(
                serde_json::json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}})
            )),
            Just(Some(
                serde_json::json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
            )),
            Just(Some(
                serde_json::json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/e*"}})
            )),
            Just(Some(serde_json::json!({"Bogus": {"aws:x": "y"}}))),
        ]
    }
    fn statement() -> impl Strategy<Value = Value> {
        (any::<bool>(), any::<bool>(), action(), resource(), condition()).prop_map(|(allow, not, a, r, c)| {
            let mut st = serde_json::json!({"Effect": if allow { "Allow" } else { "Deny" }, "Resource": r});
            st[if not { "NotAction" } else { "Action" }] = Value::String(a);
            if let Some(c) = c {
                st["Condition"] = c;
            }
            st
        })
    }
    fn policy() -> impl Strategy<Value = Value> {
        proptest::collection::vec(statement(), 0..4)
            .prop_map(|s| serde_json::json!({"Version": "2012-10-17", "Statement": s}))
    }

    proptest! {
        #[test]
        fn never_turns_denied_or_unknown_into_allowed(
            identity in proptest::collection::vec(policy(), 0..3),
            boundary in proptest::option::of(policy()),
            deny in statement(),
            target in 0usize..3,
            vpce in proptest::option::of(Just("vpce-1")),
        ) {
            let mut deny = deny;
            deny["Effect"] = Value::String("Deny".into());
            let eval = |identity: &[Value], boundary: &Option<Value>| {
                let docs: Vec<String> = identity.iter().map(Value::to_string).collect();
                let b = boundary.as_ref().map(Value::to_string);
                let set = PolicySet {
                    identity: docs.iter().map(|d| NamedPolicy { name: "p", document: d }).collect(),
                    boundary: b.as_deref().map(|d| NamedPolicy { name: "b", document: d }),
                    resource: ResourcePolicy::None,
                };
                let mut ctx = Context::for_role(
                    "arn:aws:iam::111122223333:role/exec",
                    "ecr:BatchGetImage",
                    "arn:aws:ecr:us-east-1:111122223333:repository/app",
                );
                if let Some(v) = vpce {
                    ctx.set("aws:SourceVpce", [v]);
                }
                evaluate_set(&set, &ctx).verdict
            };
            let before = eval(&identity, &boundary);
            let mut identity2 = identity.clone();
            let mut boundary2 = boundary.clone();
            match (target, identity2.first_mut(), boundary2.as_mut()) {
                (1, _, Some(b)) => b["Statement"].as_array_mut().unwrap().push(deny),
                (_, Some(p), _) => p["Statement"].as_array_mut().unwrap().push(deny),
                _ => identity2.push(serde_json::json!({"Version": "2012-10-17", "Statement": [deny]})),
            }
            let after = eval(&identity2, &boundary2);
            if before != Verdict::Allowed {
                prop_assert_ne!(after, Verdict::Allowed);
            }
        }

        #[test]
        fn never_panics_on_arbitrary_documents(doc in "\\PC{0,300}", json in arbitrary_json()) {
            for d in [doc, json.to_string()] {
                let set = PolicySet {
                    identity: vec![NamedPolicy { name: "p", document: &d }],
                    boundary: Some(NamedPolicy { name: "b", document: &d }),
                    resource: ResourcePolicy::Some(NamedPolicy { name: "r", document: &d }),
                };
                let ctx = Context::for_role("arn:aws:iam::1:role/r", "a:b", "arn:aws:s3:::x");
                let _ = evaluate_set(&set, &ctx);
            }
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            prop_oneof![
                Just("Allow"),
                Just("Deny"),
                Just("*"),
                Just("ecr:*"),
                Just("${aws:username}"),
                Just("StringEquals"),
                Just("ForAnyValue:StringLikeIfExists"),
                Just("Null"),
                Just("aws:SourceVpce"),
                Just("IpAddress"),
                Just("10.0.0.0/8"),
                Just("arn:aws:iam::1:root"),
                Just("${"),
            ]
            .prop_map(|s| Value::String(s.to_string())),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("Statement"),
                            Just("Effect"),
                            Just("Action"),
                            Just("NotAction"),
                            Just("Resource"),
                            Just("NotResource"),
                            Just("Principal"),
                            Just("NotPrincipal"),
                            Just("Condition"),
                            Just("AWS"),
                            Just("Service"),
                            Just("Version"),
                            Just("StringEquals"),
                            Just("aws:SourceVpce"),
                            Just("Null"),
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|kv| Value::Object(
                    kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                )),
            ]
        })
    }
}
