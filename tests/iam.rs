//! The iam stage end to end on moto: roles built through the SDK, a task definition naming
//! them, a stopped task, then `ecs-task-doctor diagnose --stage iam --format json`.
//!
//! moto serves the AWS-managed AmazonECSTaskExecutionRolePolicy only with
//! `MOTO_IAM_LOAD_MANAGED_POLICIES=true`, which the harness sets. It does not implement
//! SimulatePrincipalPolicy, which the tool does not need: it evaluates the policies itself.
//!
//! moto differs from AWS on one encoding: like AWS it URL-encodes trust policies (GetRole) and
//! inline policies (GetRolePolicy), but it returns the AWS-managed policies' GetPolicyVersion
//! `Document` as plain JSON, where AWS URL-encodes it. The collector decodes percent-encoded
//! text and keeps text that is already JSON, so both pass through the same code; the AWS form
//! is unit-tested in src/collect/iam.rs.

mod support;

use serde_json::Value;
use support::iam::{
    DENY_BATCH_GET_IMAGE, EC2_TRUST, ECS_TRUST, IamScenario, LOGS_ONLY, MANAGED_EXECUTION_POLICY,
    Role,
};

async fn diagnose(s: IamScenario) -> (support::iam::BuiltIam, Value) {
    let conf = support::sdk_config().await;
    let built = s.build(&conf).await;
    let report = support::diagnose_json(
        &built.task.cluster,
        &built.task.task_id,
        &["--stage", "iam"],
    );
    (built, report)
}

fn iam(r: &Value) -> &Value {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "iam")
        .unwrap_or_else(|| panic!("no iam stage in {r:#}"))
}

/// (code, status) of every finding of the iam stage.
fn findings(r: &Value) -> Vec<(String, String)> {
    iam(r)["findings"]
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

fn has(r: &Value, code: &str, status: &str) -> bool {
    findings(r).iter().any(|(c, s)| c == code && s == status)
}

fn the(r: &Value, code: &str, status: &str) -> Value {
    iam(r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code && f["status"] == status)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} {status} in {:#}", iam(r)))
}

fn role(
    trust: &'static str,
    inline: Vec<(&'static str, &'static str)>,
    managed: Vec<&'static str>,
) -> Role {
    Role::Create {
        trust,
        inline,
        managed,
    }
}

#[tokio::test]
async fn the_aws_managed_execution_policy_passes() {
    let (_, r) = diagnose(IamScenario {
        role: role(ECS_TRUST, vec![], vec![MANAGED_EXECUTION_POLICY]),
        create_group: false,
        boundary: None,
    })
    .await;
    assert_eq!(iam(&r)["status"], "PASS", "{:#}", iam(&r));
    for code in [
        "IAM_EXECUTION_ROLE_MISSING",
        "IAM_EXECUTION_ROLE_NOT_FOUND",
        "IAM_EXECUTION_ROLE_TRUST",
        "IAM_ACTION_DENIED",
    ] {
        assert!(has(&r, code, "PASS"), "{code}: {:#}", iam(&r));
    }
    let pass = the(&r, "IAM_ACTION_DENIED", "PASS");
    assert!(
        pass["detail"]
            .as_str()
            .unwrap()
            .contains("AmazonECSTaskExecutionRolePolicy")
    );
}

#[tokio::test]
async fn a_role_with_no_ecr_actions_fails_on_each_ecr_action() {
    let (built, r) = diagnose(IamScenario {
        role: role(ECS_TRUST, vec![("logs", LOGS_ONLY)], vec![]),
        create_group: false,
        boundary: None,
    })
    .await;
    let denied: Vec<Value> = iam(&r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IAM_ACTION_DENIED" && f["status"] == "FAIL")
        .cloned()
        .collect();
    let actions: Vec<&str> = denied
        .iter()
        .map(|f| f["evidence"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage"
        ]
    );
    let name = built.role_name.unwrap();
    assert!(
        denied[3]["remediation"]
            .as_str()
            .unwrap()
            .contains(&format!("aws iam put-role-policy --role-name {name}"))
    );
    assert_eq!(
        denied[3]["evidence"]["resource"],
        format!(
            "arn:aws:ecr:{}:{}:repository/team/app",
            support::REGION,
            support::ACCOUNT
        )
    );
    // The logs actions are verified.
    assert!(has(&r, "IAM_ACTION_DENIED", "PASS"));
    assert_eq!(r["rootCause"], "IAM_ACTION_DENIED");
}

#[tokio::test]
async fn an_explicit_deny_on_batch_get_image_is_named() {
    let (_, r) = diagnose(IamScenario {
        role: role(
            ECS_TRUST,
            vec![("no-images", DENY_BATCH_GET_IMAGE)],
            vec![MANAGED_EXECUTION_POLICY],
        ),
        create_group: false,
        boundary: None,
    })
    .await;
    let f = the(&r, "IAM_ACTION_DENIED", "FAIL");
    assert_eq!(f["evidence"]["action"], "ecr:BatchGetImage");
    assert_eq!(
        f["evidence"]["decidedBy"],
        "inline policy no-images: NoImages"
    );
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("Narrow or remove")
    );
}

#[tokio::test]
async fn a_role_that_trusts_only_ec2_fails_trust() {
    let (_, r) = diagnose(IamScenario {
        role: role(EC2_TRUST, vec![], vec![MANAGED_EXECUTION_POLICY]),
        create_group: false,
        boundary: None,
    })
    .await;
    let f = the(&r, "IAM_EXECUTION_ROLE_TRUST", "FAIL");
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("ecs-tasks.amazonaws.com")
    );
    // Its permissions are fine.
    assert!(has(&r, "IAM_ACTION_DENIED", "PASS"));
    assert!(!has(&r, "IAM_ACTION_DENIED", "FAIL"));
}

#[tokio::test]
async fn a_missing_role_is_not_found() {
    let (_, r) = diagnose(IamScenario {
        role: Role::Missing,
        create_group: false,
        boundary: None,
    })
    .await;
    assert!(
        has(&r, "IAM_EXECUTION_ROLE_NOT_FOUND", "FAIL"),
        "{:#}",
        iam(&r)
    );
    assert_eq!(r["rootCause"], "IAM_EXECUTION_ROLE_NOT_FOUND");
}

#[tokio::test]
async fn a_role_of_another_account_is_unknown_not_missing() {
    // IAM answers only for the caller's own account: a role named in another account's ARN
    // cannot be read, so the tool says so instead of calling it missing.
    let (_, r) = diagnose(IamScenario {
        role: Role::OtherAccount,
        create_group: false,
        boundary: None,
    })
    .await;
    assert!(
        has(&r, "IAM_EXECUTION_ROLE_NOT_FOUND", "UNKNOWN"),
        "{:#}",
        iam(&r)
    );
    assert!(
        !has(&r, "IAM_EXECUTION_ROLE_NOT_FOUND", "FAIL"),
        "{:#}",
        iam(&r)
    );
}

#[tokio::test]
async fn a_task_that_needs_an_execution_role_and_has_none() {
    let (_, r) = diagnose(IamScenario {
        role: Role::None,
        create_group: false,
        boundary: None,
    })
    .await;
    let f = the(&r, "IAM_EXECUTION_ROLE_MISSING", "FAIL");
    let detail = f["detail"].as_str().unwrap();
    assert!(
        detail.contains("Amazon ECR") && detail.contains("awslogs"),
        "{detail}"
    );
}

#[tokio::test]
async fn awslogs_create_group_without_create_log_group() {
    let (_, r) = diagnose(IamScenario {
        role: role(ECS_TRUST, vec![], vec![MANAGED_EXECUTION_POLICY]),
        create_group: true,
        boundary: None,
    })
    .await;
    let f = the(&r, "IAM_ACTION_DENIED", "FAIL");
    assert_eq!(f["evidence"]["action"], "logs:CreateLogGroup");
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("logs:CreateLogGroup")
    );
}

#[tokio::test]
async fn a_permissions_boundary_without_ecr_limits_the_managed_policy() {
    let (_, r) = diagnose(IamScenario {
        role: role(ECS_TRUST, vec![], vec![MANAGED_EXECUTION_POLICY]),
        create_group: false,
        boundary: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#,
        ),
    })
    .await;
    let f = the(&r, "IAM_ACTION_DENIED", "FAIL");
    assert!(f["detail"].as_str().unwrap().contains("boundary"), "{f:#}");
    assert!(f["remediation"].as_str().unwrap().contains("boundary"));
    // The logs actions pass: the boundary allows them.
    assert!(has(&r, "IAM_ACTION_DENIED", "PASS"));
}

#[tokio::test]
async fn the_standard_execution_role_of_other_scenarios_passes() {
    // The role that scenarios of other stages create (tests/support/iam.rs), on the shared
    // task definition with a Secrets Manager secret and awslogs.
    let conf = support::sdk_config().await;
    let task = support::scenario::fargate_task(&conf, Some(support::scenario::PULL_TIMEOUT)).await;
    let family = task
        .task_definition_arn
        .rsplit('/')
        .next()
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .to_string();
    // The role is created after the task definition names it, as IAM is read at diagnosis time.
    support::iam::standard_execution_role(&conf, &format!("{family}-execution")).await;
    let r = support::diagnose_json(&task.cluster, &task.task_id, &["--stage", "iam"]);
    assert_eq!(iam(&r)["status"], "PASS", "{:#}", iam(&r));
    let pass = the(&r, "IAM_ACTION_DENIED", "PASS");
    assert!(
        pass["detail"]
            .as_str()
            .unwrap()
            .contains("secretsmanager:GetSecretValue")
    );
}

#[tokio::test]
async fn a_source_vpce_condition_is_unknown_not_denied() {
    const VIA_ENDPOINT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},{"Effect":"Allow","Action":["ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],"Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}}]}"#;
    let (_, r) = diagnose(IamScenario {
        role: role(ECS_TRUST, vec![("via-endpoint", VIA_ENDPOINT)], vec![]),
        create_group: false,
        boundary: None,
    })
    .await;
    assert_eq!(iam(&r)["status"], "UNKNOWN", "{:#}", iam(&r));
    assert!(!has(&r, "IAM_ACTION_DENIED", "FAIL"));
    let f = the(&r, "IAM_DECISION_UNKNOWN", "UNKNOWN");
    assert!(
        f["detail"].as_str().unwrap().contains("aws:SourceVpce"),
        "{f:#}"
    );
}

#[tokio::test]
async fn a_secret_under_a_customer_managed_key_needs_kms_decrypt() {
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode, Secret};
    let conf = support::sdk_config().await;
    // A role that may read the secret (support::ecr::execution_role) but has no kms:Decrypt.
    let role = support::ecr::execution_role(&conf).await;
    let key = format!(
        "arn:aws:kms:{}:{}:key/0b5e9d8c-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
        support::REGION,
        support::ACCOUNT
    );
    // moto does not check that the key exists; AWS would. Only the metadata's KmsKeyId matters.
    let secret = aws_sdk_secretsmanager::Client::new(&conf)
        .create_secret()
        .name(support::unique("payments/cmk"))
        .kms_key_id(&key)
        .secret_string("not-read-by-the-tool")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_string();
    let image = support::iam::image();
    let (repo, tag) = image.split_once('/').unwrap().1.rsplit_once(':').unwrap();
    support::ecr::ensure_image(&conf, repo, tag).await;
    let ecs = aws_sdk_ecs::Client::new(&conf);
    let cluster = support::unique("kms");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let td = ecs
        .register_task_definition()
        .family(support::unique("kms"))
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .execution_role_arn(&role)
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image(&image)
                .memory(512)
                .secrets(
                    Secret::builder()
                        .name("DB")
                        .value_from(&secret)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let td_arn = td
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string();
    let (subnet, sg) = support::scenario::vpc(&conf).await;
    let reason = format!(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {secret} from secrets manager: AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. status code: 400"
    );
    let (_, task_id) = support::scenario::run_fargate_task(
        &conf,
        &support::scenario::RunSpec {
            cluster: &cluster,
            task_definition_arn: &td_arn,
            subnet_id: &subnet,
            security_group_ids: &[sg],
            assign_public_ip: false,
            group: None,
            stop_reason: Some(&reason),
        },
    )
    .await;
    let r = support::diagnose_json(&cluster, &task_id, &["--stage", "iam"]);
    let denied = iam(&r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["code"] == "IAM_ACTION_DENIED"
                && f["status"] == "FAIL"
                && f["evidence"]["action"] == "kms:Decrypt"
        })
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(denied["evidence"]["resource"], key.as_str(), "{denied:#}");
    assert!(
        denied["remediation"]
            .as_str()
            .unwrap()
            .contains("kms:Decrypt")
    );
}
