//! Hostile Facts for issue 16 item 7: the shipped example grown to `containers` containers and
//! `references` secret references, as a snapshot attached to a support ticket could be. Real
//! AWS limits keep live data small (10 containers, a 64 KiB task definition); a snapshot is
//! untrusted input, so judging it must grow linearly (or n log n) with both counts.
//!
//! Shared, as JSON, by the unit tests that count the work of each stage
//! (`crate::judge::secrets::tests`, `iam`, `logging`, `image`) and by `benches/judge.rs`
//! (which includes this file with `#[path]`), so the benchmark measures exactly the inputs
//! the tests check. It needs nothing but `serde_json`.

use serde_json::{Value, json};

/// The example's account.
const ACCOUNT: &str = "111122223333";

/// The shipped example (`examples/fargate-cannot-pull.json`), the base of every hostile input.
const EXAMPLE: &str = include_str!("../../../examples/fargate-cannot-pull.json");

/// The example task with `containers` containers (at least one) and `references` secret
/// references spread over them round-robin, stopped with the bare "Task failed to start"
/// (failure class `timeout`, so the network, image, iam, secrets and logging stages all run).
///
/// Why each part is there, so that every per-container and per-reference step runs:
/// - each container has its own private ECR image (the image stage looks each up, the iam
///   stage needs three ECR actions per repository) and its own awslogs group, every other one
///   with `awslogs-create-group` (the logging stage evaluates logs:CreateLogGroup against the
///   role's policies), every third group missing;
/// - each task container has a reason of its own (the stages rank findings against the whole
///   stop-reason text, which grows with the containers);
/// - the references cycle through found, missing and pending-deletion Secrets Manager secrets,
///   SSM parameters by name and by ARN, and malformed ARNs (as `tests/hostile_input.rs`'s
///   `secrets_heavy`), every tenth secret encrypted with a customer managed key;
/// - the execution role allows only the example's one secret, so almost every reference is an
///   IAM_ACTION_DENIED finding (the largest report).
pub fn facts_json(containers: usize, references: usize) -> Value {
    let containers = containers.max(1);
    let mut v: Value = serde_json::from_str(EXAMPLE).expect("the shipped example");
    let task = &mut v["task"]["value"]["task"];
    task["stoppedReason"] = json!("Task failed to start");
    task["stopCode"] = json!("TaskFailedToStart");
    let template_task_container = task["containers"][0].clone();
    let template = v["taskDefinition"]["value"]["containerDefinitions"][0].clone();

    let mut definitions = Vec::with_capacity(containers);
    let mut task_containers = Vec::with_capacity(containers);
    let mut images = Vec::with_capacity(containers);
    let mut logging = Vec::with_capacity(containers);
    let mut secrets_of: Vec<Vec<Value>> = vec![Vec::new(); containers];
    let mut reference_facts = Vec::with_capacity(references);
    let mut secret_keys = Vec::new();

    for s in 0..references {
        let c = s % containers;
        let name = format!("c{c}");
        let (value_from, facts) = match s % 5 {
            0 | 1 => {
                let arn = format!(
                    "arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app/c{c}/s{s}-AbCdEf"
                );
                let key = (s % 10 == 1)
                    .then(|| format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/0000-{s:08}"));
                let meta = if s % 10 == 0 {
                    json!({"state": "read", "value": {"result": "notFound"}})
                } else {
                    json!({"state": "read", "value": {"result": "found", "arn": arn, "name": format!("app/c{c}/s{s}"), "deletedDate": if s % 20 == 6 { json!("2026-11-20T00:00:00Z") } else { Value::Null }, "kmsKeyId": key}})
                };
                let mut facts = json!({"valueFrom": arn, "containers": [name], "secret": meta});
                if let Some(k) = &key {
                    facts["kmsKey"] = json!({"state": "read", "value": {"result": "found", "keyId": k, "arn": k, "keyState": "Enabled", "enabled": true, "keyManager": "CUSTOMER", "account": ACCOUNT}});
                }
                if s % 10 != 0 {
                    secret_keys
                        .push(json!({"reference": arn, "key": {"state": "read", "value": key}}));
                }
                (arn, facts)
            }
            2 => {
                let n = format!("/app/c{c}/p{s}");
                (
                    n.clone(),
                    json!({"valueFrom": n, "containers": [name], "parameter": {"state": "read", "value": {"result": "found", "name": n, "region": "us-east-1"}}}),
                )
            }
            3 => {
                let arn = format!("arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/app/c{c}/p{s}");
                (
                    arn.clone(),
                    json!({"valueFrom": arn, "containers": [name], "parameter": {"state": "read", "value": {"result": "notFound", "region": "eu-west-1"}}}),
                )
            }
            _ => {
                let bad = format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:c{c}s{s}");
                (bad.clone(), json!({"valueFrom": bad, "containers": [name]}))
            }
        };
        secrets_of[c].push(json!({"name": format!("S{s}"), "valueFrom": value_from}));
        reference_facts.push(facts);
    }

    for (c, secrets) in secrets_of.into_iter().enumerate() {
        let name = format!("c{c}");
        let image = format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app-{c}:1");
        let group = format!("/ecs/app-{c}");
        let creates = c % 2 == 1;
        let mut def = template.clone();
        def["name"] = json!(name);
        def["image"] = json!(image);
        def["secrets"] = json!(secrets);
        let mut options = json!({"awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"});
        if creates {
            options["awslogs-create-group"] = json!("true");
        }
        def["logConfiguration"]["options"] = options;
        definitions.push(def);

        let mut tc = template_task_container.clone();
        tc["name"] = json!(name);
        tc["image"] = json!(image);
        tc["reason"] = json!(format!("container {name} was waiting on a dependency"));
        task_containers.push(tc);

        images.push(json!({
            "image": image,
            "containers": [name],
            "repository": {"state": "read", "value": {"lookup": "exists", "arn": format!("arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app-{c}"), "uri": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app-{c}"), "registry_id": null}},
            "tagLookup": {"state": "read", "value": {"lookup": "found", "digest": format!("sha256:{c:064x}"), "tags": ["1"], "pushed_at": null}},
            "digestLookup": null,
            "repositoryPolicy": {"state": "read", "value": {"policy": "none"}},
        }));

        let lookup = if c % 3 == 2 {
            json!({"state": "read", "value": {"lookup": "missing"}})
        } else {
            json!({"state": "read", "value": {"lookup": "exists", "arn": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}:*")}})
        };
        logging.push(json!({
            "container": name,
            "logDriver": "awslogs",
            "awslogs": {"group": group, "region": "us-east-1", "regionFromOptions": true, "createGroup": if creates { json!("true") } else { Value::Null }, "lookup": lookup},
        }));
    }

    v["task"]["value"]["task"]["containers"] = json!(task_containers);
    v["taskDefinition"]["value"]["containerDefinitions"] = json!(definitions);
    v["image"]["images"] = json!(images);
    v["logging"] = json!({"containers": logging});
    v["secrets"] = json!({"references": reference_facts});
    v["iam"]["secretKeys"] = json!(secret_keys);
    v
}

/// The pathological IAM wildcard of issue 16 item 6: `*`, a literal of `len` characters and a
/// `b`, as a policy resource; and a log-group ARN of about `2 * len` characters that the
/// literal occurs in everywhere but that does not end in `b`. A backtracking glob matcher
/// retries the literal at every position of the text: `len * len` steps.
pub fn pathological_wildcard(len: usize) -> (String, String) {
    let pattern = format!("*{}b", "a".repeat(len));
    let text = format!(
        "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{}:log-stream:x",
        "a".repeat(2 * len)
    );
    (pattern, text)
}

/// The example, stopped with "Task failed to start" (so the iam and logging stages both run),
/// with one more inline policy on its execution role whose only statement allows everything
/// on the [`pathological_wildcard`] resource, and a missing log group of the matching length
/// that the driver would create: every permission the iam and logging stages evaluate runs
/// the matcher on it.
pub fn pathological_policy_json(len: usize) -> Value {
    let mut v: Value = serde_json::from_str(EXAMPLE).expect("the shipped example");
    // Failure class `timeout`, so that the logging stage runs beside the iam stage.
    let task = &mut v["task"]["value"]["task"];
    task["stoppedReason"] = json!("Task failed to start");
    task["stopCode"] = json!("TaskFailedToStart");
    task["containers"][0]["reason"] = Value::Null;
    let (pattern, _) = pathological_wildcard(len);
    let group = format!("/ecs/{}", "a".repeat(2 * len));
    let def = &mut v["taskDefinition"]["value"]["containerDefinitions"][0];
    def["logConfiguration"]["options"]["awslogs-group"] = json!(group);
    def["logConfiguration"]["options"]["awslogs-create-group"] = json!("true");
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Hostile", "Effect": "Allow", "Action": "*", "Resource": pattern}]});
    let role = &mut v["iam"]["executionRole"]["value"]["role"];
    role["inlinePolicies"]["value"]
        .as_array_mut()
        .expect("the example's inline policies")
        .push(json!({"name": "hostile", "document": {"state": "read", "value": doc.to_string()}}));
    v["logging"] = json!({"containers": [{
        "container": "api",
        "logDriver": "awslogs",
        "awslogs": {"group": group, "region": "us-east-1", "regionFromOptions": true, "createGroup": "true", "lookup": {"state": "read", "value": {"lookup": "missing"}}},
    }]});
    v
}

/// [`facts_json`] with every secret and parameter lookup unreadable, each with an error code
/// of its own: the most distinct unread facts a snapshot can hold, for the rule that names
/// every unread fact in a finding (`not_passed_unread` in `src/judge/mod.rs`).
pub fn unreadable_json(containers: usize, references: usize) -> Value {
    let mut v = facts_json(containers, references);
    let refs = v["secrets"]["references"]
        .as_array_mut()
        .expect("the references");
    for (s, r) in refs.iter_mut().enumerate() {
        let (field, api) = if r.get("parameter").is_some() {
            ("parameter", "ssm:DescribeParameters")
        } else {
            ("secret", "secretsmanager:DescribeSecret")
        };
        r[field] = json!({"state": "unreadable", "api": api, "errorCode": format!("Throttling{s}"), "message": "rate exceeded"});
    }
    v
}

/// [`facts_json`] with each container's image on a registry host of its own outside AWS (a
/// destination of its own for the network and image stages), as a snapshot could say.
pub fn public_registries_json(containers: usize, references: usize) -> Value {
    let mut v = facts_json(containers, references);
    let rename = |c: usize| format!("r{c}.registry.example/app-{c}:1");
    for (c, def) in v["taskDefinition"]["value"]["containerDefinitions"]
        .as_array_mut()
        .expect("the definitions")
        .iter_mut()
        .enumerate()
    {
        def["image"] = json!(rename(c));
    }
    for (c, tc) in v["task"]["value"]["task"]["containers"]
        .as_array_mut()
        .expect("the containers")
        .iter_mut()
        .enumerate()
    {
        tc["image"] = json!(rename(c));
    }
    for (c, image) in v["image"]["images"]
        .as_array_mut()
        .expect("the images")
        .iter_mut()
        .enumerate()
    {
        *image = json!({"image": rename(c), "containers": [format!("c{c}")]});
    }
    v
}
