//! The secrets stage end to end: each scenario of issue 5 is built in moto through the SDK, the
//! task is stopped with the agent's real wording (research/runbook.md §2.5), then
//! `ecs-task-doctor diagnose --format json` must report the right secrets findings and, where
//! the task stage's catalogue sends the reason to the secrets stage first, the right root cause.
//!
//! And the safety proof of issue 5: moto's request recorder captures every request a full
//! diagnosis sends, and no GetSecretValue, GetParameter(s) or kms:Decrypt may be among them.

mod support;

use serde_json::Value;
use support::scenario::{FargateTask, fargate_task_with_secrets};
use support::secrets::*;
use support::{ACCOUNT, REGION, unique};

fn diagnose(task: &FargateTask) -> Value {
    support::diagnose_json(&task.cluster, &task.task_id, &[])
}

fn stage(r: &Value) -> &Value {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "secrets")
        .unwrap_or_else(|| panic!("no secrets stage: {r:#}"))
}

/// The one finding of `code` with `status` in the secrets stage.
fn finding<'a>(r: &'a Value, code: &str, status: &str) -> &'a Value {
    let hits: Vec<&Value> = stage(r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code && f["status"] == status)
        .collect();
    assert_eq!(hits.len(), 1, "{code} {status} in {:#}", stage(r));
    hits[0]
}

fn fails(r: &Value) -> Vec<String> {
    stage(r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_missing_secret() {
    let conf = support::sdk_config().await;
    let arn = missing_secret_arn(&unique("payments/db"));
    let reason = asm_not_found_reason(&arn);
    let task = fargate_task_with_secrets(&conf, &[("DB", &arn)], Some(&reason)).await;
    let r = diagnose(&task);
    let f = finding(&r, "SECRET_NOT_FOUND", "FAIL");
    assert_eq!(f["evidence"]["valueFrom"], arn.as_str());
    assert!(f["remediation"].as_str().unwrap().contains("create-secret"));
    assert_eq!(fails(&r), ["SECRET_NOT_FOUND"]);
    assert_eq!(r["rootCause"], "SECRET_NOT_FOUND", "{r:#}");
}

#[tokio::test]
async fn a_secret_scheduled_for_deletion() {
    let conf = support::sdk_config().await;
    let arn = secret(&conf, &unique("payments/old"), None).await;
    schedule_deletion(&conf, &arn).await;
    let task =
        fargate_task_with_secrets(&conf, &[("DB", &arn)], Some(&asm_deleted_reason(&arn))).await;
    let r = diagnose(&task);
    finding(&r, "SECRET_NOT_FOUND", "PASS");
    let f = finding(&r, "SECRET_PENDING_DELETION", "FAIL");
    assert!(f["remediation"].as_str().unwrap().contains(&format!(
        "aws secretsmanager restore-secret --region {REGION} --secret-id {arn}"
    )));
    assert!(f["evidence"]["deletedDate"].is_string());
    // The task stage's catalogue files "marked for deletion" under secrets-network (network
    // first), so the root cause is not asserted here; the secrets stage's verdict is.
    assert_eq!(stage(&r)["status"], "FAIL");
}

#[tokio::test]
async fn a_malformed_value_from() {
    let conf = support::sdk_config().await;
    let arn = secret(&conf, &unique("payments/db"), None).await;
    let value_from = format!("{arn}:password:AWSCURRENT:v1");
    let task = fargate_task_with_secrets(
        &conf,
        &[("DB", &value_from)],
        Some(&asm_version_id_reason(&arn)),
    )
    .await;
    let r = diagnose(&task);
    let f = finding(&r, "SECRET_REFERENCE_MALFORMED", "FAIL");
    assert!(f["detail"].as_str().unwrap().contains("32"), "{f:#}");
    assert_eq!(fails(&r), ["SECRET_REFERENCE_MALFORMED"]);
    assert_eq!(r["rootCause"], "SECRET_REFERENCE_MALFORMED", "{r:#}");
}

#[tokio::test]
async fn a_missing_ssm_parameter() {
    let conf = support::sdk_config().await;
    let name = format!("/{}/db-password", unique("payments"));
    let task =
        fargate_task_with_secrets(&conf, &[("DB", &name)], Some(&ssm_invalid_reason(&name))).await;
    let r = diagnose(&task);
    let f = finding(&r, "SSM_PARAMETER_NOT_FOUND", "FAIL");
    assert_eq!(f["evidence"]["region"], REGION);
    assert_eq!(fails(&r), ["SSM_PARAMETER_NOT_FOUND"]);
    assert_eq!(r["rootCause"], "SSM_PARAMETER_NOT_FOUND", "{r:#}");
}

#[tokio::test]
async fn a_cross_region_parameter_given_by_name() {
    let conf = support::sdk_config().await;
    let name = format!("/{}/api-key", unique("payments"));
    parameter(&conf, "us-west-2", &name).await;
    let task =
        fargate_task_with_secrets(&conf, &[("KEY", &name)], Some(&ssm_invalid_reason(&name))).await;
    let r = diagnose(&task);
    let f = finding(&r, "SSM_PARAMETER_OTHER_REGION_NEEDS_ARN", "FAIL");
    assert_eq!(f["evidence"]["foundInRegions"][0], "us-west-2");
    let arn = format!(
        "arn:aws:ssm:us-west-2:{ACCOUNT}:parameter/{}",
        name.trim_start_matches('/')
    );
    assert!(f["remediation"].as_str().unwrap().contains(&arn), "{f:#}");
    assert_eq!(fails(&r), ["SSM_PARAMETER_OTHER_REGION_NEEDS_ARN"]);
    assert_eq!(
        r["rootCause"], "SSM_PARAMETER_OTHER_REGION_NEEDS_ARN",
        "{r:#}"
    );
}

#[tokio::test]
async fn a_disabled_kms_key() {
    let conf = support::sdk_config().await;
    let key = kms_key(&conf).await;
    let arn = secret(&conf, &unique("payments/db"), Some(&key)).await;
    disable_key(&conf, &key).await;
    let task = fargate_task_with_secrets(&conf, &[("DB", &arn)], Some(&asm_kms_reason(&arn))).await;
    let r = diagnose(&task);
    let f = finding(&r, "KMS_KEY_NOT_USABLE", "FAIL");
    assert_eq!(f["evidence"]["keyState"], "Disabled");
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("aws kms enable-key")
    );
    assert_eq!(fails(&r), ["KMS_KEY_NOT_USABLE"]);
}

#[tokio::test]
async fn a_healthy_task_with_secrets_has_no_fail() {
    let conf = support::sdk_config().await;
    let key = kms_key(&conf).await;
    let with_key = secret(&conf, &unique("payments/db"), Some(&key)).await;
    let plain = secret(&conf, &unique("payments/api"), None).await;
    let json_key = format!("{plain}:password::");
    let by_name = format!("/{}/flag", unique("payments"));
    parameter(&conf, REGION, &by_name).await;
    let by_arn = parameter(&conf, REGION, &format!("/{}/token", unique("payments"))).await;
    // A network reason, so the secrets stage runs (secrets-network) without pointing at a secret.
    let reason = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration.";
    let task = fargate_task_with_secrets(
        &conf,
        &[
            ("DB", &with_key),
            ("API", &json_key),
            ("FLAG", &by_name),
            ("TOKEN", &by_arn),
        ],
        Some(reason),
    )
    .await;
    let r = diagnose(&task);
    assert!(fails(&r).is_empty(), "{:#}", stage(&r));
    assert_eq!(stage(&r)["status"], "PASS", "{:#}", stage(&r));
    for code in [
        "SECRET_NOT_FOUND",
        "SECRET_PENDING_DELETION",
        "SSM_PARAMETER_NOT_FOUND",
        "SECRET_REFERENCE_MALFORMED",
    ] {
        assert!(
            stage(&r)["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == code && f["status"] == "PASS"),
            "{code}"
        );
    }
    finding(&r, "SSM_PARAMETER_OTHER_REGION_NEEDS_ARN", "PASS");
    finding(&r, "KMS_KEY_NOT_USABLE", "PASS");
}

/// The operations among `calls` that return or decrypt a secret value. Prefixes:
/// `ssm:GetParameter` covers GetParameters, GetParametersByPath and GetParameterHistory (all
/// return values); BatchGetSecretValue returns values too.
fn value_reads(calls: &support::calls::Calls) -> Vec<String> {
    const FORBIDDEN: [&str; 4] = [
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "ssm:GetParameter",
        "kms:Decrypt",
    ];
    calls
        .0
        .keys()
        .filter(|op| FORBIDDEN.iter().any(|f| op.starts_with(f)))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_full_diagnosis_never_reads_a_secret_value() {
    let conf = support::sdk_config().await;
    // Every kind of reference: a secret with a customer managed key, a SecureString parameter
    // by name and by ARN, and one that does not exist.
    let key = kms_key(&conf).await;
    let with_key = secret(&conf, &unique("payments/db"), Some(&key)).await;
    let by_name = format!("/{}/flag", unique("payments"));
    parameter(&conf, REGION, &by_name).await;
    let by_arn = parameter(&conf, REGION, &format!("/{}/token", unique("payments"))).await;
    let missing = missing_secret_arn(&unique("payments/gone"));
    let task = fargate_task_with_secrets(
        &conf,
        &[
            ("DB", &with_key),
            ("FLAG", &by_name),
            ("TOKEN", &by_arn),
            ("GONE", &missing),
        ],
        Some(&asm_not_found_reason(&missing)),
    )
    .await;

    let recording = support::calls::start();
    let r = diagnose(&task);
    let calls = recording.stop();
    assert_eq!(r["rootCause"], "SECRET_NOT_FOUND", "{r:#}");
    // The recorder saw the diagnosis (so an empty result below means something).
    assert!(
        calls.get("secretsmanager:DescribeSecret") > 0
            && calls.get("ssm:DescribeParameters") > 0
            && calls.get("kms:DescribeKey") > 0,
        "the recorder did not capture the diagnosis: {calls:?}"
    );
    assert_eq!(
        value_reads(&calls),
        Vec::<String>::new(),
        "a diagnosis must never request a secret or parameter value"
    );

    // The detector itself can fail: a value read sent now is caught.
    let recording = support::calls::start();
    let _ = aws_sdk_secretsmanager::Client::new(&conf)
        .get_secret_value()
        .secret_id(&with_key)
        .send()
        .await;
    assert_eq!(
        value_reads(&recording.stop()),
        ["secretsmanager:GetSecretValue"]
    );
}
