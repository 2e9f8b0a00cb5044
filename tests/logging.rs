//! The logging stage end to end on moto: a log group created (or not) through the SDK in the
//! Region the test asks, a task definition whose container logs with awslogs (or FireLens),
//! an execution role that may or may not create log groups, a task stopped with the logger
//! error of the modern agent, then `ecs-task-doctor diagnose --format json` (all stages, so
//! that the iam stage's facts, which decide `logs:CreateLogGroup`, are collected).
//!
//! moto differences that matter here (shared/MOTO-NOTES.md): `StopTask` sets no `stopCode`, so
//! the task stage classifies by the reason text, as it does for AWS events without one. The
//! scenario VPC has no path to CloudWatch Logs; the network stage reports that, and it becomes
//! the root cause only when the logging stage finds nothing wrong, as it would in AWS (the
//! logger error names both causes).

mod support;

use serde_json::Value;
use support::REGION;
use support::logging::{Driver, FIRELENS_DOWN, LOGGER_ARGS, LoggingScenario};

async fn diagnose(s: LoggingScenario) -> (support::logging::BuiltLogging, Value) {
    diagnose_stage(s, "all").await
}

async fn diagnose_stage(
    s: LoggingScenario,
    stage: &str,
) -> (support::logging::BuiltLogging, Value) {
    let conf = support::sdk_config().await;
    let built = s.build(&conf).await;
    let report = support::diagnose_json(
        &built.task.cluster,
        &built.task.task_id,
        &["--stage", stage],
    );
    (built, report)
}

fn stage(r: &Value) -> &Value {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "logging")
        .unwrap_or_else(|| panic!("no logging stage in {r:#}"))
}

/// (code, status) of every finding of the logging stage.
fn findings(r: &Value) -> Vec<(String, String)> {
    stage(r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn the(r: &Value, code: &str, status: &str) -> Value {
    stage(r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code && f["status"] == status)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} {status} in {:#}", stage(r)))
}

fn pair(code: &str, status: &str) -> (String, String) {
    (code.to_string(), status.to_string())
}

fn awslogs(create_group: bool) -> Driver {
    Driver::Awslogs {
        create_group,
        region: None,
    }
}

#[tokio::test]
async fn a_missing_log_group_is_the_root_cause() {
    let (built, r) = diagnose(LoggingScenario {
        driver: awslogs(false),
        group_in: None,
        sibling: true,
        may_create: false,
        stop_reason: LOGGER_ARGS,
    })
    .await;
    assert_eq!(r["task"]["failureClass"], "logging", "{r:#}");
    assert_eq!(findings(&r), vec![pair("LOG_GROUP_MISSING", "FAIL")]);
    let f = the(&r, "LOG_GROUP_MISSING", "FAIL");
    assert_eq!(f["evidence"]["logGroup"], built.group.as_str());
    assert_eq!(f["evidence"]["region"], REGION);
    // `<group>-old` exists and matches the prefix: only the exact name counts.
    assert!(
        f["remediation"].as_str().unwrap().contains(&format!(
            "aws logs create-log-group --log-group-name {} --region {REGION}",
            built.group
        )),
        "{f:#}"
    );
    assert_eq!(r["rootCause"], "LOG_GROUP_MISSING");
    assert_eq!(r["verdict"], "FAIL");
}

#[tokio::test]
async fn an_existing_log_group_passes() {
    let (built, r) = diagnose(LoggingScenario {
        driver: awslogs(false),
        group_in: Some(REGION),
        sibling: false,
        may_create: false,
        stop_reason: LOGGER_ARGS,
    })
    .await;
    assert_eq!(stage(&r)["status"], "PASS", "{:#}", stage(&r));
    let f = the(&r, "LOG_GROUP_MISSING", "PASS");
    assert!(
        f["evidence"]["logGroupArn"]
            .as_str()
            .unwrap()
            .contains(&format!(":log-group:{}", built.group)),
        "{f:#}"
    );
    // The group is fine, so the logger error's other half (no path to CloudWatch Logs from
    // this private subnet) is what the report blames.
    let root = r["rootCause"].as_str().unwrap_or_default();
    assert!(!root.starts_with("LOG_"), "{r:#}");
}

#[tokio::test]
async fn create_group_without_permission_fails() {
    let (built, r) = diagnose(LoggingScenario {
        driver: awslogs(true),
        group_in: None,
        sibling: false,
        may_create: false,
        stop_reason: LOGGER_ARGS,
    })
    .await;
    assert_eq!(
        findings(&r),
        vec![pair("LOG_GROUP_CREATE_NOT_PERMITTED", "FAIL")],
        "{:#}",
        stage(&r)
    );
    let f = the(&r, "LOG_GROUP_CREATE_NOT_PERMITTED", "FAIL");
    assert_eq!(
        f["evidence"]["resource"],
        format!(
            "arn:aws:logs:{REGION}:{}:log-group:{}",
            support::ACCOUNT,
            built.group
        )
    );
    assert_eq!(f["evidence"]["decidedBy"], "implicit deny (no Allow)");
    assert!(
        f["remediation"].as_str().unwrap().contains(&format!(
            "aws iam put-role-policy --role-name {}",
            built.role_name
        )),
        "{f:#}"
    );
    assert_eq!(r["rootCause"], "LOG_GROUP_CREATE_NOT_PERMITTED");
}

#[tokio::test]
async fn create_group_with_permission_passes() {
    let (_, r) = diagnose(LoggingScenario {
        driver: awslogs(true),
        group_in: None,
        sibling: false,
        may_create: true,
        stop_reason: LOGGER_ARGS,
    })
    .await;
    assert_eq!(stage(&r)["status"], "PASS", "{:#}", stage(&r));
    let f = the(&r, "LOG_GROUP_CREATE_NOT_PERMITTED", "PASS");
    assert_eq!(
        f["evidence"]["allowedBy"],
        "inline policy create-log-group: CreateAppLogGroup"
    );
    assert!(
        !r["rootCause"]
            .as_str()
            .unwrap_or_default()
            .starts_with("LOG_")
    );
}

#[tokio::test]
async fn a_group_in_the_awslogs_region_passes() {
    let (_, r) = diagnose(LoggingScenario {
        driver: Driver::Awslogs {
            create_group: false,
            region: Some("eu-west-1"),
        },
        group_in: Some("eu-west-1"),
        sibling: false,
        may_create: false,
        stop_reason: LOGGER_ARGS,
    })
    .await;
    let f = the(&r, "LOG_GROUP_MISSING", "PASS");
    assert_eq!(f["evidence"]["region"], "eu-west-1");
    assert_eq!(f["evidence"]["regionSource"], "awslogs-region");
    assert!(
        f["evidence"]["logGroupArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:logs:eu-west-1:"),
        "{f:#}"
    );
}

#[tokio::test]
async fn a_group_only_in_the_task_region_does_not_count() {
    let (built, r) = diagnose(LoggingScenario {
        driver: Driver::Awslogs {
            create_group: false,
            region: Some("eu-west-1"),
        },
        group_in: Some(REGION),
        sibling: false,
        may_create: false,
        stop_reason: LOGGER_ARGS,
    })
    .await;
    let f = the(&r, "LOG_GROUP_MISSING", "FAIL");
    assert_eq!(f["evidence"]["region"], "eu-west-1");
    assert!(f["remediation"].as_str().unwrap().contains(&format!(
        "--log-group-name {} --region eu-west-1",
        built.group
    )));
    assert_eq!(r["rootCause"], "LOG_GROUP_MISSING");
}

#[tokio::test]
async fn firelens_is_skipped_with_the_reason() {
    let (_, r) = diagnose(LoggingScenario {
        driver: Driver::Firelens,
        group_in: None,
        sibling: false,
        may_create: false,
        stop_reason: FIRELENS_DOWN,
    })
    .await;
    assert_eq!(r["task"]["failureClass"], "logging", "{r:#}");
    let s = stage(&r);
    assert_eq!(s["status"], "SKIPPED", "{s:#}");
    assert!(findings(&r).is_empty());
    let summary = s["summary"].as_str().unwrap();
    assert!(summary.contains("'app' uses awsfirelens"), "{summary}");
    assert!(
        !r["rootCause"]
            .as_str()
            .unwrap_or_default()
            .starts_with("LOG_")
    );
}

#[tokio::test]
async fn the_logging_step_alone_cannot_decide_creation() {
    // An Automation step that runs only `logging` has no IAM facts: the permission is
    // UNKNOWN with the reason, never FAIL (and never PASS).
    let (_, r) = diagnose_stage(
        LoggingScenario {
            driver: awslogs(true),
            group_in: None,
            sibling: false,
            may_create: false,
            stop_reason: LOGGER_ARGS,
        },
        "logging",
    )
    .await;
    assert_eq!(
        findings(&r),
        vec![pair("LOG_GROUP_CREATE_NOT_PERMITTED", "UNKNOWN")],
        "{:#}",
        stage(&r)
    );
    let f = the(&r, "LOG_GROUP_CREATE_NOT_PERMITTED", "UNKNOWN");
    assert!(f["detail"].as_str().unwrap().contains("iam stage"), "{f:#}");
}
