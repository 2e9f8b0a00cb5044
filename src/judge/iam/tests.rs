//! The iam stage with hand-built Facts: every code as PASS, FAIL and UNKNOWN.

use super::*;
use crate::facts::{
    ContainerDefinitionFacts, IamFacts, InlinePolicyFacts, InstanceRoleFacts,
    LogConfigurationFacts, ManagedPolicyFacts, RoleFacts, SecretRefFacts, TaskDefinitionFacts,
    Unreadable,
};

const TASK: &str = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef";
const ROLE: &str = "arn:aws:iam::111122223333:role/exec";
const IMAGE: &str = "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1";
const EXEC_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#;

fn td(awslogs: bool, create_group: bool) -> TaskDefinitionFacts {
    let mut options = vec![
        ("awslogs-group".to_string(), "/ecs/app".to_string()),
        ("awslogs-region".to_string(), "us-east-1".to_string()),
        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
    ];
    if create_group {
        options.push(("awslogs-create-group".to_string(), "true".to_string()));
    }
    TaskDefinitionFacts {
        task_definition_arn: "arn:aws:ecs:us-east-1:111122223333:task-definition/app:1".into(),
        container_definitions: vec![ContainerDefinitionFacts {
            name: "app".into(),
            image: Some(IMAGE.into()),
            log_configuration: awslogs
                .then(|| LogConfigurationFacts::new("awslogs".into(), options, vec![])),
            ..ContainerDefinitionFacts::default()
        }],
        ..TaskDefinitionFacts::default()
    }
}

fn role(inline: &[&str], trust: &str) -> RoleFacts {
    RoleFacts {
        arn: ROLE.into(),
        name: "exec".into(),
        trust_policy: Some(trust.into()),
        inline_policies: Readable::Read {
            value: inline
                .iter()
                .enumerate()
                .map(|(i, d)| InlinePolicyFacts {
                    name: format!("p{i}"),
                    document: Readable::Read {
                        value: d.to_string(),
                    },
                })
                .collect(),
        },
        ..RoleFacts::default()
    }
}

fn facts(td: TaskDefinitionFacts, iam: IamFacts) -> Facts {
    let mut f: Facts = serde_json::from_value(serde_json::json!({
        "factsVersion": 1,
        "region": "us-east-1",
        "request": {"cluster": "prod", "task": TASK, "source": "describeTasks"},
        "task": {"state": "read", "value": {"lookup": "found", "task": {"taskArn": TASK, "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/prod", "lastStatus": "STOPPED"}}}
    }))
    .unwrap();
    f.task_definition = Some(Readable::Read { value: td });
    f.iam = Some(iam);
    f
}

fn with_role(r: RoleFacts) -> IamFacts {
    IamFacts {
        execution_role_arn: Some(ROLE.into()),
        execution_role: Some(Readable::Read {
            value: RoleLookup::Found { role: Box::new(r) },
        }),
        instance_role: None,
        secret_keys: vec![],
    }
}

fn statuses(r: &StageResult, code: Code) -> Vec<Status> {
    r.findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.status)
        .collect()
}

#[test]
fn the_managed_execution_policy_passes_everything() {
    let r = judge(&facts(
        td(true, false),
        with_role(role(&[EXEC_POLICY], trust::TRUST_POLICY)),
    ));
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(statuses(&r, Code::IamActionDenied), vec![Status::Pass]);
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleTrust),
        vec![Status::Pass]
    );
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleNotFound),
        vec![Status::Pass]
    );
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleMissing),
        vec![Status::Pass]
    );
}

#[test]
fn a_role_without_ecr_actions_fails_each_with_the_statement_to_add() {
    let logs = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}}"#;
    let r = judge(&facts(
        td(true, false),
        with_role(role(&[logs], trust::TRUST_POLICY)),
    ));
    let fails: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::IamActionDenied && f.status == Status::Fail)
        .collect();
    assert_eq!(fails.len(), 4, "{r:#?}");
    let pull = fails
        .iter()
        .find(|f| f.evidence["action"] == "ecr:BatchGetImage")
        .unwrap();
    assert_eq!(
        pull.evidence["resource"],
        "arn:aws:ecr:us-east-1:111122223333:repository/team/app"
    );
    assert!(
        pull.remediation
            .contains("aws iam put-role-policy --role-name exec")
    );
    assert!(
        pull.remediation.contains(r#""Action":"ecr:BatchGetImage""#),
        "{}",
        pull.remediation
    );
    assert!(pull.detail.contains("no statement"));
    assert_eq!(r.status, Status::Fail);
}

#[test]
fn an_explicit_deny_is_named_and_not_fixed_by_an_allow() {
    let deny = r#"{"Version":"2012-10-17","Statement":{"Sid":"NoPull","Effect":"Deny","Action":"ecr:BatchGetImage","Resource":"*"}}"#;
    let r = judge(&facts(
        td(false, false),
        with_role(role(&[EXEC_POLICY, deny], trust::TRUST_POLICY)),
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    assert_eq!(f.code, Code::IamActionDenied);
    assert_eq!(f.evidence["decidedBy"], "inline policy p1: NoPull");
    assert!(f.remediation.contains("Narrow or remove"));
}

#[test]
fn a_source_vpce_condition_is_unknown_not_denied() {
    let cond = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},{"Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#;
    let r = judge(&facts(
        td(false, false),
        with_role(role(&[cond], trust::TRUST_POLICY)),
    ));
    assert_eq!(statuses(&r, Code::IamDecisionUnknown).len(), 3);
    assert_eq!(r.status, Status::Unknown);
}

#[test]
fn trust_for_ec2_only_fails() {
    let ec2 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let r = judge(&facts(
        td(false, false),
        with_role(role(&[EXEC_POLICY], ec2)),
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::IamExecutionRoleTrust)
        .unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.remediation.contains("update-assume-role-policy"));
}

#[test]
fn create_group_needs_create_log_group() {
    let r = judge(&facts(
        td(true, true),
        with_role(role(&[EXEC_POLICY], trust::TRUST_POLICY)),
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    assert_eq!(f.evidence["action"], "logs:CreateLogGroup");
    let with = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"arn:aws:logs:*:*:log-group:/ecs/*:*"}}"#;
    let r = judge(&facts(
        td(true, true),
        with_role(role(&[EXEC_POLICY, with], trust::TRUST_POLICY)),
    ));
    assert_eq!(r.status, Status::Pass, "{r:#?}");
}

#[test]
fn missing_role_not_found_role_and_unreadable_role() {
    let none = IamFacts::default();
    let r = judge(&facts(td(true, false), none.clone()));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::IamExecutionRoleMissing)
        .unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("awslogs"));
    // A public image without logs or secrets needs no execution role.
    let mut plain = TaskDefinitionFacts::default();
    plain.container_definitions.push(ContainerDefinitionFacts {
        name: "web".into(),
        image: Some("nginx:latest".into()),
        ..ContainerDefinitionFacts::default()
    });
    let r = judge(&facts(plain, none));
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleMissing),
        vec![Status::Pass]
    );

    let nf = IamFacts {
        execution_role_arn: Some(ROLE.into()),
        execution_role: Some(Readable::Read {
            value: RoleLookup::NotFound {
                name: "exec".into(),
            },
        }),
        instance_role: None,
        secret_keys: vec![],
    };
    let r = judge(&facts(td(true, false), nf));
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleNotFound),
        vec![Status::Fail]
    );

    let unreadable = IamFacts {
        execution_role_arn: Some(ROLE.into()),
        execution_role: Some(Readable::Unreadable(Unreadable {
            api: "iam:GetRole".into(),
            error_code: "AccessDenied".into(),
            message: String::new(),
        })),
        instance_role: None,
        secret_keys: vec![],
    };
    let r = judge(&facts(td(true, false), unreadable));
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleNotFound),
        vec![Status::Unknown]
    );
}

#[test]
fn unreadable_policies_and_boundaries() {
    let mut r0 = role(&[EXEC_POLICY], trust::TRUST_POLICY);
    r0.attached_policies = Readable::Unreadable(Unreadable {
        api: "iam:ListAttachedRolePolicies".into(),
        error_code: "AccessDenied".into(),
        message: String::new(),
    });
    let r = judge(&facts(td(false, false), with_role(r0)));
    assert!(statuses(&r, Code::IamActionDenied).is_empty(), "{r:#?}");
    assert_eq!(statuses(&r, Code::IamDecisionUnknown).len(), 4);

    let mut r1 = role(&[EXEC_POLICY], trust::TRUST_POLICY);
    r1.permissions_boundary = Some(ManagedPolicyFacts {
        arn: "arn:aws:iam::111122223333:policy/boundary".into(),
        document: Readable::Read {
            value: r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*"}}"#.into(),
        },
    });
    let r = judge(&facts(td(false, false), with_role(r1)));
    let f = r
        .findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    assert!(f.detail.contains("boundary"), "{}", f.detail);
    assert!(f.remediation.contains("boundary"));
}

#[test]
fn secrets_and_parameters_are_checked() {
    let mut t = td(false, false);
    t.container_definitions[0].secrets = vec![
        SecretRefFacts {
            name: "DB".into(),
            value_from: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf:password::"
                .into(),
        },
        SecretRefFacts {
            name: "URL".into(),
            value_from: "/prod/url".into(),
        },
    ];
    let r = judge(&facts(
        t,
        with_role(role(&[EXEC_POLICY], trust::TRUST_POLICY)),
    ));
    let fails: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let actions: Vec<String> = fails
        .iter()
        .map(|f| f.evidence["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        vec!["secretsmanager:GetSecretValue", "ssm:GetParameters"]
    );
    // No KMS key is on record for these references, so no kms:Decrypt is demanded
    // (customer_managed_keys_need_kms_decrypt_and_unknown_keys_say_so covers the keys).
    assert!(!fails.iter().any(|f| f.detail.contains("kms:Decrypt")));
}

#[test]
fn instance_role_on_ec2_without_an_execution_role() {
    let mut t = td(false, false);
    t.container_definitions[0].log_configuration = None;
    let inst = |r: RoleFacts| IamFacts {
        execution_role_arn: None,
        execution_role: None,
        instance_role: Some(InstanceRoleFacts {
            container_instance_arn: "arn:aws:ecs:us-east-1:111122223333:container-instance/prod/1"
                .into(),
            ec2_instance_id: Some("i-1".into()),
            instance_profile_arn: Some("arn:aws:iam::111122223333:instance-profile/ecs".into()),
            role: Some(Readable::Read {
                value: RoleLookup::Found { role: Box::new(r) },
            }),
        }),
        secret_keys: vec![],
    };
    let r = judge(&facts(t.clone(), inst(role(&[EXEC_POLICY], "{}"))));
    assert_eq!(
        statuses(&r, Code::IamInstanceRoleActionDenied),
        vec![Status::Pass]
    );
    let r = judge(&facts(t, inst(role(&[], "{}"))));
    assert!(statuses(&r, Code::IamInstanceRoleActionDenied).contains(&Status::Fail));
}

#[test]
fn an_unknown_log_stream_name_is_unknown_not_denied() {
    let mut t = td(true, false);
    let log = t.container_definitions[0]
        .log_configuration
        .as_mut()
        .unwrap();
    log.options.remove("awslogs-stream-prefix");
    let narrow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:*"],"Resource":"*"},{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:/ecs/app:log-stream:abc*"}]}"#;
    let r = judge(&facts(t, with_role(role(&[narrow], trust::TRUST_POLICY))));
    assert_eq!(statuses(&r, Code::IamDecisionUnknown).len(), 2, "{r:#?}");
    assert!(!statuses(&r, Code::IamActionDenied).contains(&Status::Fail));
}

#[test]
fn iam_facts_round_trip_and_old_snapshots_read() {
    let f = facts(
        td(true, false),
        with_role(role(&[EXEC_POLICY], trust::TRUST_POLICY)),
    );
    let text = serde_json::to_string(&f).unwrap();
    let back: Facts = serde_json::from_str(&text).unwrap();
    assert_eq!(back, f);
    let old: IamFacts = serde_json::from_str("{}").unwrap();
    assert_eq!(old, IamFacts::default());
    let role: RoleFacts = serde_json::from_str(r#"{"arn":"a","name":"n"}"#).unwrap();
    assert_eq!(role.inline_policies, Readable::Read { value: vec![] });
}

#[test]
fn several_missing_grants_get_one_policy_per_resource() {
    let r = judge(&facts(
        td(false, false),
        with_role(role(&[], trust::TRUST_POLICY)),
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.status == Status::Fail && f.code == Code::IamActionDenied)
        .unwrap();
    assert!(
        f.remediation
            .contains("Or add all 4 missing permissions at once"),
        "{}",
        f.remediation
    );
    assert!(
        f.remediation
            .contains(r#"{"Action":"ecr:GetAuthorizationToken","Effect":"Allow","Resource":"*"}"#),
        "{}",
        f.remediation
    );
    assert!(f.remediation.contains(r#"{"Action":["ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],"Effect":"Allow","Resource":"arn:aws:ecr:us-east-1:111122223333:repository/team/app"}"#), "{}", f.remediation);
}

#[test]
fn customer_managed_keys_need_kms_decrypt_and_unknown_keys_say_so() {
    use crate::facts::{SecretKeyFacts, SecretRefFacts};
    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";
    const SECRET_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-*"}]}"#;
    let key_arn = "arn:aws:kms:us-east-1:111122223333:key/0b5e9d8c-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    let mut t = td(false, false);
    t.container_definitions[0].secrets = vec![SecretRefFacts {
        name: "DB".into(),
        value_from: SECRET.into(),
    }];
    let with_key = |policies: &[&str], key: Readable<Option<String>>| {
        let mut i = with_role(role(policies, trust::TRUST_POLICY));
        i.secret_keys = vec![SecretKeyFacts {
            reference: SECRET.into(),
            key,
        }];
        i
    };
    let kms_findings = |r: &StageResult| -> Vec<(Code, Status)> {
        r.findings
            .iter()
            .filter(|f| f.detail.contains("kms:Decrypt"))
            .map(|f| (f.code, f.status))
            .collect()
    };

    let r = judge(&facts(
        t.clone(),
        with_key(
            &[EXEC_POLICY, SECRET_POLICY],
            Readable::Read {
                value: Some(key_arn.into()),
            },
        ),
    ));
    let denied = r
        .findings
        .iter()
        .find(|f| {
            f.code == Code::IamActionDenied
                && f.status == Status::Fail
                && f.detail.contains("kms:Decrypt")
        })
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert!(
        denied.detail.contains(key_arn) || denied.evidence.values().any(|v| v == key_arn),
        "{denied:#?}"
    );

    // With a grant on the key, nothing about kms:Decrypt fails.
    let kms = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/0b5e9d8c-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}]}"#;
    let r = judge(&facts(
        t.clone(),
        with_key(
            &[EXEC_POLICY, SECRET_POLICY, kms],
            Readable::Read {
                value: Some(key_arn.into()),
            },
        ),
    ));
    assert!(
        !kms_findings(&r).iter().any(|(_, s)| *s == Status::Fail),
        "{:#?}",
        r.findings
    );

    // The AWS managed key (no key in the metadata) needs no grant.
    let r = judge(&facts(
        t.clone(),
        with_key(
            &[EXEC_POLICY, SECRET_POLICY],
            Readable::Read { value: None },
        ),
    ));
    assert!(kms_findings(&r).is_empty(), "{:#?}", r.findings);

    // Metadata that could not be read: unknown, never denied.
    let unreadable = Readable::Unreadable(Unreadable {
        api: "secretsmanager:DescribeSecret".into(),
        error_code: "AccessDeniedException".into(),
        message: String::new(),
    });
    let r = judge(&facts(
        t,
        with_key(&[EXEC_POLICY, SECRET_POLICY], unreadable),
    ));
    assert_eq!(
        kms_findings(&r),
        vec![(Code::IamDecisionUnknown, Status::Unknown)],
        "{:#?}",
        r.findings
    );
}

fn need(action: &str, resource: &str) -> required::Need {
    required::Need {
        action: action.into(),
        resource: resource.into(),
        alternatives: vec![],
        why: "test".into(),
        resource_side: required::ResourceSide::None,
        inexact: None,
    }
}

#[test]
fn resources_that_need_the_same_actions_share_a_statement() {
    let needs = [
        need("secretsmanager:GetSecretValue", "arn:s:1"),
        need("secretsmanager:GetSecretValue", "arn:s:2"),
        need("kms:Decrypt", "arn:k:1"),
        need("ecr:BatchGetImage", "arn:r"),
        need("ecr:GetDownloadUrlForLayer", "arn:r"),
    ];
    let refs: Vec<&required::Need> = needs.iter().collect();
    assert_eq!(
        check::policy_for_all(&refs)["Statement"],
        serde_json::json!([
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": ["arn:s:1", "arn:s:2"]},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:k:1"},
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "arn:r"},
        ])
    );
}

#[test]
fn on_ec2_the_instance_role_pulls_and_logs_so_no_execution_role_is_needed() {
    // Private ECR image and awslogs, no execution role: Fargate needs one, EC2 does not
    // (its container instance role pulls and logs; AWS, task_execution_IAM_role).
    let no_role = || IamFacts {
        execution_role_arn: None,
        execution_role: None,
        instance_role: None,
        secret_keys: vec![],
    };
    let mut fargate = facts(td(true, false), no_role());
    let mut ec2 = facts(td(true, false), no_role());
    let set_launch_type = |f: &mut Facts, lt: &str| {
        if let Readable::Read {
            value: TaskLookup::Found { task },
        } = &mut f.task
        {
            task.launch_type = Some(lt.into());
        }
    };
    set_launch_type(&mut fargate, "FARGATE");
    set_launch_type(&mut ec2, "EC2");
    assert_eq!(
        statuses(&judge(&fargate), Code::IamExecutionRoleMissing),
        vec![Status::Fail]
    );
    let r = judge(&ec2);
    assert_eq!(
        statuses(&r, Code::IamExecutionRoleMissing),
        vec![Status::Pass]
    );
    let pass = r
        .findings
        .iter()
        .find(|f| f.code == Code::IamExecutionRoleMissing)
        .unwrap();
    assert!(
        pass.detail.contains("container instance role"),
        "{}",
        pass.detail
    );
    // A secret still needs the execution role on EC2.
    let mut with_secret = td(true, false);
    with_secret.container_definitions[0].secrets = vec![SecretRefFacts {
        name: "DB".into(),
        value_from: "arn:aws:ssm:us-east-1:111122223333:parameter/db".into(),
    }];
    let mut ec2 = facts(with_secret, no_role());
    set_launch_type(&mut ec2, "EC2");
    assert_eq!(
        statuses(&judge(&ec2), Code::IamExecutionRoleMissing),
        vec![Status::Fail]
    );
}

/// `check::policy_for_all` as it was before issue 16 (a linear search per need for its
/// resource, and per resource for its actions): the grouping to keep.
fn policy_for_all_as_before(needs: &[&required::Need]) -> serde_json::Value {
    let mut by_resource: Vec<(&str, Vec<&str>)> = Vec::new();
    for n in needs {
        match by_resource.iter_mut().find(|(r, _)| *r == n.resource) {
            Some((_, actions)) => {
                if !actions.contains(&n.action.as_str()) {
                    actions.push(&n.action)
                }
            }
            None => by_resource.push((&n.resource, vec![&n.action])),
        }
    }
    let mut by_actions: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for (r, a) in by_resource {
        match by_actions.iter_mut().find(|(actions, _)| *actions == a) {
            Some((_, resources)) => resources.push(r),
            None => by_actions.push((a, vec![r])),
        }
    }
    let one_or_list = |v: &[&str]| {
        if v.len() == 1 {
            serde_json::json!(v[0])
        } else {
            serde_json::json!(v)
        }
    };
    let statements: Vec<serde_json::Value> = by_actions
        .iter()
        .map(|(a, r)| serde_json::json!({"Effect": "Allow", "Action": one_or_list(a), "Resource": one_or_list(r)}))
        .collect();
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

/// A task definition of `containers` containers whose secrets are drawn (with repeats) from
/// a small pool, so that most needs are duplicates; images and log groups repeat too.
fn hostile_td(picks: &[(usize, usize, usize)]) -> TaskDefinitionFacts {
    let pool = |k: usize| match k % 4 {
        0 => format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:s{k}-AbCdEf"),
        1 => format!(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:s{}-AbCdEf:key::",
            k - 1
        ),
        2 => format!("/p/{}", k / 2),
        _ => format!("arn:aws:ssm:us-east-1:111122223333:parameter/p/{}", k / 2),
    };
    TaskDefinitionFacts {
        container_definitions: picks
            .iter()
            .enumerate()
            .map(|(i, (image, group, secret))| ContainerDefinitionFacts {
                name: format!("c{}", i % 3),
                image: Some(format!(
                    "111122223333.dkr.ecr.us-east-1.amazonaws.com/app{}:1",
                    image % 3
                )),
                log_configuration: Some(LogConfigurationFacts::new(
                    "awslogs".into(),
                    [
                        ("awslogs-group".to_string(), format!("/ecs/g{}", group % 2)),
                        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
                        ("awslogs-create-group".to_string(), "true".to_string()),
                    ],
                    vec![],
                )),
                secrets: (0..3)
                    .map(|j| SecretRefFacts {
                        name: format!("S{j}"),
                        value_from: pool(secret + j),
                    })
                    .collect(),
                ..ContainerDefinitionFacts::default()
            })
            .collect(),
        ..TaskDefinitionFacts::default()
    }
}

proptest::proptest! {
    /// Issue 16: the needs are kept with a set beside the list instead of a search of the
    /// list. Same needs, same order: exactly a plain first-occurrence dedup of everything
    /// pushed, on task definitions where most needs repeat.
    #[test]
    fn needs_are_each_pair_once_in_first_pushed_order(
        picks in proptest::collection::vec((0usize..6, 0usize..4, 0usize..12), 0..40),
    ) {
        let place = required::Place::of(
            &crate::facts::TaskFacts { task_arn: TASK.into(), ..Default::default() },
            "us-east-1",
        )
        .unwrap();
        let collected = required::collect_execution_needs(&hostile_td(&picks), &place);
        let mut expected: Vec<required::Need> = Vec::new();
        for n in &collected.pushed {
            if !expected.iter().any(|m| m.action == n.action && m.resource == n.resource) {
                expected.push(n.clone());
            }
        }
        proptest::prop_assert_eq!(collected.into_list(), expected);
    }

    /// Issue 16: `policy_for_all` groups through maps instead of searches; the document is
    /// the one the searches built, on needs with many repeated resources and action sets.
    #[test]
    fn policy_for_all_groups_as_the_searches_did(
        pairs in proptest::collection::vec((0usize..4, 0usize..8), 0..60),
    ) {
        let actions = ["secretsmanager:GetSecretValue", "ssm:GetParameters", "kms:Decrypt", "ecr:BatchGetImage"];
        let mut seen = std::collections::HashSet::new();
        let needs: Vec<required::Need> = pairs
            .iter()
            .filter(|p| seen.insert(**p))
            .map(|(a, r)| need(actions[*a], &format!("arn:r:{r}")))
            .collect();
        let refs: Vec<&required::Need> = needs.iter().collect();
        proptest::prop_assert_eq!(check::policy_for_all(&refs), policy_for_all_as_before(&refs));
    }
}

/// Issue 16: the combined policy of the implicitly denied needs is chosen with a set of the
/// denied (action, resource) pairs, not a scan of every finding per need. With thousands of
/// secrets, some explicitly denied and some allowed, the note counts exactly the implicit
/// denials and only they carry it.
#[test]
fn thousands_of_secrets_offer_one_policy_for_exactly_the_implicit_denials() {
    let n = 3_000;
    let td = TaskDefinitionFacts {
        container_definitions: vec![ContainerDefinitionFacts {
            name: "app".into(),
            secrets: (0..n)
                .map(|i| SecretRefFacts {
                    name: format!("S{i}"),
                    value_from: format!(
                        "arn:aws:secretsmanager:us-east-1:111122223333:secret:s{i}-AbCdEf"
                    ),
                })
                .collect(),
            ..ContainerDefinitionFacts::default()
        }],
        ..TaskDefinitionFacts::default()
    };
    // s1* secrets are allowed, s2* explicitly denied, the rest implicitly denied.
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:s1*"},
        {"Sid":"No2","Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:s2*"}]}"#;
    let f = facts(td, with_role(role(&[policy], trust::TRUST_POLICY)));
    let r = judge(&f);
    let starts = |d: char| (0..n).filter(|i| i.to_string().starts_with(d)).count();
    let implicit = n - starts('1') - starts('2');
    let denied: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::IamActionDenied && f.status == Status::Fail)
        .collect();
    assert_eq!(denied.len(), implicit + starts('2'));
    let note = format!("All {implicit} missing permissions in one policy");
    let pointer = format!("Or add all {implicit} missing permissions at once: see the first");
    let with_note = denied
        .iter()
        .filter(|f| f.remediation.contains(&note) || f.remediation.contains(&pointer))
        .count();
    assert_eq!(with_note, implicit);
    let explicit: Vec<&&Finding> = denied
        .iter()
        .filter(|f| {
            f.remediation
                .starts_with("An explicit Deny (inline policy p0: No2)")
        })
        .collect();
    assert_eq!(explicit.len(), starts('2'));
    assert!(
        explicit
            .iter()
            .all(|f| !f.remediation.contains(&note) && !f.remediation.contains(&pointer))
    );
}
