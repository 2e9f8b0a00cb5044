//! The secrets stage on hand-built Facts: each test changes one thing about one reference.

use super::*;
use crate::facts::*;

const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn facts(refs: Vec<SecretReferenceFacts>, pv: Option<&str>, reason: &str) -> Facts {
    Facts {
        facts_version: FACTS_VERSION,
        region: "us-east-1".into(),
        request: RequestFacts {
            cluster: "prod".into(),
            task: TASK_ARN.into(),
            source: TaskSource::DescribeTasks,
        },
        task: Readable::Read {
            value: TaskLookup::Found {
                task: Box::new(TaskFacts {
                    task_arn: TASK_ARN.into(),
                    last_status: Some("STOPPED".into()),
                    stopped_reason: Some(reason.into()),
                    launch_type: Some("FARGATE".into()),
                    platform_version: pv.map(str::to_string),
                    ..Default::default()
                }),
            },
        },
        task_definition: None,
        network: None,
        image: None,
        iam: None,
        secrets: Some(SecretsFacts { references: refs }),
        logging: None,
        placement: None,
        changes: None,
    }
}

fn reference(v: &str) -> SecretReferenceFacts {
    SecretReferenceFacts {
        value_from: v.into(),
        containers: vec!["api".into()],
        ..Default::default()
    }
}

fn secret_found(deleted: Option<&str>, key: Option<&str>) -> Option<Readable<SecretMetadata>> {
    Some(Readable::Read {
        value: SecretMetadata::Found {
            arn: SECRET.into(),
            name: "db".into(),
            deleted_date: deleted.map(str::to_string),
            kms_key_id: key.map(str::to_string),
        },
    })
}

fn key(state: &str, account: &str) -> Option<Readable<KmsKeyLookup>> {
    Some(Readable::Read {
        value: KmsKeyLookup::Found {
            key_id: KEY.into(),
            arn: Some(KEY.into()),
            key_state: Some(state.into()),
            enabled: state == "Enabled",
            key_manager: Some("CUSTOMER".into()),
            account: Some(account.into()),
        },
    })
}

fn statuses(r: &StageResult, code: Code) -> Vec<Status> {
    r.findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.status)
        .collect()
}

#[test]
fn healthy_secret_passes_every_check() {
    let mut r = reference(SECRET);
    r.secret = secret_found(None, Some(KEY));
    r.kms_key = key("Enabled", "111122223333");
    let out = judge(&facts(vec![r], None, ""));
    assert_eq!(out.status, Status::Pass, "{out:#?}");
    for c in [
        Code::SecretReferenceMalformed,
        Code::SecretNotFound,
        Code::SecretPendingDeletion,
        Code::KmsKeyNotUsable,
    ] {
        assert_eq!(statuses(&out, c), vec![Status::Pass], "{c:?}");
    }
}

#[test]
fn missing_and_pending_deletion() {
    let mut gone = reference(SECRET);
    gone.secret = Some(Readable::Read {
        value: SecretMetadata::NotFound,
    });
    let mut deleted = reference("arn:aws:secretsmanager:us-east-1:111122223333:secret:old");
    deleted.secret = secret_found(Some("2026-11-20T00:00:00Z"), None);
    let out = judge(&facts(vec![gone, deleted], None, ""));
    assert_eq!(out.status, Status::Fail);
    assert_eq!(
        statuses(&out, Code::SecretNotFound),
        vec![Status::Fail, Status::Pass]
    );
    let f = out
        .findings
        .iter()
        .find(|f| f.code == Code::SecretPendingDeletion)
        .unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.remediation.contains("restore-secret"));
}

#[test]
fn malformed_and_platform_version() {
    let out = judge(&facts(
        vec![reference(&format!("{SECRET}:pw:AWSCURRENT:short"))],
        None,
        "",
    ));
    assert_eq!(
        statuses(&out, Code::SecretReferenceMalformed),
        vec![Status::Fail]
    );
    let mut r = reference(&format!("{SECRET}:pw::"));
    r.secret = secret_found(None, None);
    let out = judge(&facts(vec![r.clone()], Some("1.3.0"), ""));
    assert_eq!(
        statuses(&out, Code::SecretReferenceMalformed),
        vec![Status::Fail]
    );
    let out = judge(&facts(vec![r], Some("1.4.0"), ""));
    assert_eq!(
        statuses(&out, Code::SecretReferenceMalformed),
        vec![Status::Pass]
    );
}

#[test]
fn parameters() {
    let mut missing = reference("/app/missing");
    missing.parameter = Some(Readable::Read {
        value: ParameterLookup::NotFound {
            region: "us-east-1".into(),
        },
    });
    let mut elsewhere = reference("/app/elsewhere");
    elsewhere.parameter = missing.parameter.clone();
    elsewhere.found_in_other_regions = vec!["eu-west-1".into()];
    let out = judge(&facts(vec![missing, elsewhere], None, ""));
    assert_eq!(
        statuses(&out, Code::SsmParameterNotFound),
        vec![Status::Fail]
    );
    let f = out
        .findings
        .iter()
        .find(|f| f.code == Code::SsmParameterOtherRegionNeedsArn)
        .unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.remediation
            .contains("arn:aws:ssm:eu-west-1:111122223333:parameter/app/elsewhere")
    );
}

#[test]
fn keys() {
    for (state, account, want) in [
        ("Disabled", "111122223333", Status::Fail),
        ("PendingDeletion", "111122223333", Status::Fail),
        ("Enabled", "999999999999", Status::Warn),
    ] {
        let mut r = reference(SECRET);
        r.secret = secret_found(None, Some(KEY));
        r.kms_key = key(state, account);
        let out = judge(&facts(vec![r], None, ""));
        assert_eq!(statuses(&out, Code::KmsKeyNotUsable), vec![want], "{state}");
    }
    let mut r = reference(SECRET);
    r.secret = secret_found(None, Some("arn:aws:kms:us-east-1:999999999999:key/k"));
    r.kms_key = Some(Readable::Unreadable(Unreadable {
        api: "kms:DescribeKey".into(),
        error_code: "AccessDeniedException".into(),
        message: String::new(),
    }));
    let out = judge(&facts(vec![r], None, ""));
    let f = out
        .findings
        .iter()
        .find(|f| f.code == Code::KmsKeyNotUsable)
        .unwrap();
    assert_eq!(f.status, Status::Unknown);
    assert!(f.detail.contains("another account"));
}

#[test]
fn unreadable_is_unknown_never_pass() {
    let mut r = reference(SECRET);
    r.secret = Some(Readable::Unreadable(Unreadable {
        api: "secretsmanager:DescribeSecret".into(),
        error_code: "AccessDeniedException".into(),
        message: String::new(),
    }));
    let out = judge(&facts(vec![r], None, ""));
    assert_eq!(statuses(&out, Code::SecretNotFound), vec![Status::Unknown]);
    assert_eq!(out.status, Status::Unknown);
}

proptest::proptest! {
    /// Whatever a task definition holds, the stage judges it without panicking.
    #[test]
    fn any_value_from_is_judged(v in ".*") {
        let mut r = reference(&v);
        r.secret = Some(Readable::Read { value: SecretMetadata::NotFound });
        r.parameter = Some(Readable::Read {
            value: ParameterLookup::NotFound { region: "us-east-1".into() },
        });
        r.found_in_other_regions = vec!["eu-west-1".into()];
        let out = judge(&facts(vec![r], Some("1.3.0"), &v));
        proptest::prop_assert!(!out.findings.is_empty());
    }
}

#[test]
fn a_parameter_store_reference_to_a_secret_is_judged_as_the_secret() {
    let mut r = reference("/aws/reference/secretsmanager/db");
    r.secret = Some(Readable::Read {
        value: SecretMetadata::NotFound,
    });
    let out = judge(&facts(vec![r], None, ""));
    assert_eq!(statuses(&out, Code::SecretNotFound), vec![Status::Fail]);
    assert!(statuses(&out, Code::SsmParameterNotFound).is_empty());
}
