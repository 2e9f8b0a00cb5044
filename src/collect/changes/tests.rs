//! The resources a diagnosis depended on, and the reduction of CloudTrail events to facts.

use super::*;
use crate::collect::cloudtrail::TrailResource;
use crate::facts::{
    AwslogsFacts, ContainerLogFacts, LoggingFacts, SecretReferenceFacts, SecretsFacts,
};

fn example() -> Facts {
    serde_json::from_str(include_str!("../../../examples/fargate-cannot-pull.json")).unwrap()
}

fn task(f: &Facts) -> TaskFacts {
    match f.task.value() {
        Some(TaskLookup::Found { task }) => task.as_ref().clone(),
        _ => panic!("the example has its task"),
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn names(rs: &[ChangeResource]) -> Vec<(String, String, String)> {
    rs.iter()
        .map(|r| (r.kind.clone(), r.name.clone(), r.region.clone()))
        .collect()
}

#[test]
fn the_resources_are_the_ones_the_start_depended_on_most_relevant_first() {
    let mut f = example();
    f.secrets = Some(SecretsFacts {
        references: vec![
            SecretReferenceFacts {
                value_from: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf".into(),
                containers: vec!["api".into()],
                secret: Some(Readable::Read {
                    value: SecretMetadata::Found {
                        arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
                            .into(),
                        name: "db".into(),
                        deleted_date: None,
                        kms_key_id: None,
                    },
                }),
                parameter: None,
                found_in_other_regions: vec![],
                kms_key: None,
            },
            SecretReferenceFacts {
                value_from: "arn:aws:ssm:eu-west-1:111122223333:parameter/app/token".into(),
                containers: vec!["api".into()],
                secret: None,
                parameter: Some(Readable::Read {
                    value: ParameterLookup::NotFound {
                        region: "eu-west-1".into(),
                    },
                }),
                found_in_other_regions: vec![],
                kms_key: None,
            },
        ],
    });
    f.logging = Some(LoggingFacts {
        containers: vec![ContainerLogFacts {
            container: "api".into(),
            log_driver: "awslogs".into(),
            awslogs: Some(AwslogsFacts {
                group: Some("/ecs/payments-api".into()),
                region: "us-east-1".into(),
                ..AwslogsFacts::default()
            }),
        }],
    });
    let got = names(&resources(&f));
    let want = |k: &str, n: &str, r: &str| (k.to_string(), n.to_string(), r.to_string());
    let e = "us-east-1";
    assert_eq!(
        got[..9],
        [
            want("security group", "sg-0a8f2c41d6b7e9031", e),
            // The subnet's own table, not the main one; its ACL.
            want("route table", "rtb-0b2c3d4e5f6a7b8c9", e),
            want("network ACL", "acl-0e1f2a3b4c5d6e7f8", e),
            // IAM's events are in the partition's global-events Region.
            want("execution role", "payments-api-execution", e),
            want("ECR repository", "payments-api", e),
            want(
                "secret",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
                e
            ),
            // A parameter that is not found is still searched (created after the failure?).
            want("SSM parameter", "/app/token", "eu-west-1"),
            want("log group", "/ecs/payments-api", e),
            // The endpoints' (one, shared) group before the endpoints themselves.
            want("security group", "sg-07d3e5b9c1a2f4e68", e),
        ]
    );
    let rest = &got[9..];
    assert_eq!(rest.len(), 5);
    assert!(rest.iter().all(|r| r.0 == "VPC endpoint"), "{rest:?}");
    // AWS managed policies are not the account's changes.
    assert!(
        !got.iter().any(|r| r.1.contains(":iam::aws:policy/")),
        "{got:?}"
    );
    let mut seen = std::collections::HashSet::new();
    assert!(got.iter().all(|r| seen.insert((r.1.clone(), r.2.clone()))));
}

#[test]
fn no_facts_no_resources() {
    let mut f = example();
    f.network = None;
    f.image = None;
    f.iam = None;
    assert!(resources(&f).is_empty());
}

#[test]
fn a_customer_managed_policy_is_searched_by_arn_in_the_global_region() {
    let mut f = example();
    f.region = "cn-north-1".into();
    let iam = f.iam.as_mut().unwrap();
    iam.execution_role_arn = Some("arn:aws-cn:iam::111122223333:role/exec".into());
    if let Some(Readable::Read {
        value: RoleLookup::Found { role },
    }) = iam.execution_role.as_mut()
    {
        role.name = "exec".into();
        role.attached_policies = Readable::Read {
            value: vec![crate::facts::ManagedPolicyFacts {
                arn: "arn:aws-cn:iam::111122223333:policy/pull".into(),
                document: Readable::Read { value: "{}".into() },
            }],
        };
    }
    let got = names(&resources(&f));
    assert!(got.contains(&("execution role".into(), "exec".into(), "cn-north-1".into())));
    assert_eq!(
        got.last().unwrap(),
        &(
            "IAM policy".to_string(),
            "arn:aws-cn:iam::111122223333:policy/pull".to_string(),
            "cn-north-1".to_string()
        )
    );
}

#[test]
fn the_window_starts_at_created_at_else_the_earliest_time() {
    let f = example();
    let mut t = task(&f);
    assert_eq!(window_start(&t), Some(utc("2026-11-27T09:58:51.204Z")));
    t.created_at = None;
    assert_eq!(window_start(&t), Some(utc("2026-11-27T09:59:02.877Z")));
    t.pull_started_at = None;
    t.pull_stopped_at = None;
    assert_eq!(window_start(&t), Some(utc("2026-11-27T10:00:58.641Z")));
    t.stopped_at = None;
    assert_eq!(window_start(&t), None);
}

fn trail(id: &str, name: &str, time: &str, record: serde_json::Value) -> TrailEvent {
    TrailEvent {
        event_id: id.into(),
        event_name: name.into(),
        event_time: Some(time.into()),
        username: Some("alice".into()),
        event_source: Some("ec2.amazonaws.com".into()),
        resources: vec![TrailResource {
            kind: Some("AWS::EC2::SecurityGroup".into()),
            name: "sg-1".into(),
        }],
        record: Some(record),
    }
}

fn sg() -> ChangeResource {
    ChangeResource {
        kind: "security group".into(),
        name: "sg-1".into(),
        region: "us-east-1".into(),
    }
}

#[test]
fn only_effective_writes_are_kept_and_only_the_safe_fields() {
    let secret_bearing = serde_json::json!({
        "readOnly": false,
        "userIdentity": {"arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice"},
        "requestParameters": {"containerDefinitions": [{"environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}]},
        "responseElements": {"secretString": "s3cr3t"}
    });
    let lookup = Lookup {
        events: vec![
            trail(
                "w",
                "AuthorizeSecurityGroupEgress",
                "2026-11-27T10:30:00.000Z",
                secret_bearing,
            ),
            trail(
                "r",
                "DescribeSecurityGroups",
                "2026-11-27T10:31:00.000Z",
                serde_json::json!({"readOnly": true}),
            ),
            // No readOnly said: the name decides.
            trail(
                "n",
                "DescribeSecurityGroupRules",
                "2026-11-27T10:32:00.000Z",
                serde_json::json!({}),
            ),
            // Refused: changed nothing.
            trail(
                "d",
                "RevokeSecurityGroupEgress",
                "2026-11-27T10:33:00.000Z",
                serde_json::json!({"readOnly": false, "errorCode": "Client.UnauthorizedOperation"}),
            ),
        ],
        complete: true,
    };
    let w = writes(&sg(), &lookup);
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0],
        ChangeEvent {
            event_id: "w".into(),
            event_name: "AuthorizeSecurityGroupEgress".into(),
            event_time: Some("2026-11-27T10:30:00.000Z".into()),
            caller: Some("arn:aws:sts::111122223333:assumed-role/Admin/alice".into()),
            event_source: Some("ec2.amazonaws.com".into()),
            resource_type: Some("AWS::EC2::SecurityGroup".into()),
            resource_name: "sg-1".into(),
            resource_kind: "security group".into(),
        }
    );
    let f = example();
    let facts = change_facts(
        &task(&f),
        utc("2026-11-27T09:58:51.204Z"),
        utc("2026-11-27T11:00:00Z"),
        vec![sg()],
        vec![],
        vec![Ok(lookup)],
    );
    let json = serde_json::to_string(&facts).unwrap();
    for leak in [
        "hunter2",
        "s3cr3t",
        "DB_PASSWORD",
        "requestParameters",
        "responseElements",
    ] {
        assert!(!json.contains(leak), "{leak} in {json}");
    }
    // Without a userIdentity, the caller is the Username.
    let mut e = trail(
        "u",
        "CreateRoute",
        "2026-11-27T10:30:00.000Z",
        serde_json::json!({"readOnly": false}),
    );
    e.resources.clear();
    let w = writes(
        &sg(),
        &Lookup {
            events: vec![e],
            complete: true,
        },
    );
    assert_eq!(w[0].caller.as_deref(), Some("alice"));
    assert_eq!(w[0].resource_type, None);
}

#[test]
fn events_are_kept_once_newest_first_and_every_outcome_is_recorded() {
    let f = example();
    let rtb = ChangeResource {
        kind: "route table".into(),
        name: "rtb-1".into(),
        region: "us-east-1".into(),
    };
    let w = |id: &str, t: &str| trail(id, "CreateRoute", t, serde_json::json!({"readOnly": false}));
    let denied = Unreadable {
        api: "cloudtrail:LookupEvents".into(),
        error_code: "AccessDeniedException".into(),
        message: "no".into(),
    };
    let facts = change_facts(
        &task(&f),
        utc("2026-11-27T09:58:51.204Z"),
        utc("2026-11-27T11:00:00Z"),
        vec![sg(), rtb.clone(), rtb.clone()],
        vec![rtb.clone()],
        vec![
            Ok(Lookup {
                events: vec![
                    w("b", "2026-11-27T10:10:00.000Z"),
                    w("a", "2026-11-27T10:05:00.000Z"),
                ],
                complete: false,
            }),
            // The same event found again under another resource is kept once.
            Ok(Lookup {
                events: vec![
                    w("c", "2026-11-27T10:20:00.000Z"),
                    w("a", "2026-11-27T10:05:00.000Z"),
                ],
                complete: true,
            }),
            Err(denied.clone()),
        ],
    );
    let c = facts.value().unwrap();
    assert_eq!(c.since, "2026-11-27T09:58:51.204Z");
    assert_eq!(c.until, "2026-11-27T11:00:00.000Z");
    assert_eq!(c.stopped_at.as_deref(), Some("2026-11-27T10:00:58.641Z"));
    let ids: Vec<_> = c.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["c", "b", "a"]);
    assert_eq!(c.events[2].resource_kind, "security group");
    assert_eq!(
        c.searched[0].lookup,
        Readable::Read {
            value: ResourceSearch {
                complete: false,
                writes: 2
            }
        }
    );
    assert_eq!(c.searched[2].lookup, Readable::Unreadable(denied.clone()));
    assert_eq!(c.unsearched, vec![rtb]);

    // Every lookup failed: the section itself is unreadable.
    let all = change_facts(
        &task(&f),
        utc("2026-11-27T09:58:51.204Z"),
        utc("2026-11-27T11:00:00Z"),
        vec![sg()],
        vec![],
        vec![Err(denied.clone())],
    );
    assert_eq!(all, Readable::Unreadable(denied));
}

#[test]
fn a_whole_window_answers_for_each_resource_it_names() {
    let mut other = trail(
        "o",
        "CreateRoute",
        "2026-11-27T10:00:00.000Z",
        serde_json::json!({}),
    );
    other.resources = vec![TrailResource {
        kind: Some("AWS::EC2::RouteTable".into()),
        name: "rtb-1".into(),
    }];
    let w = Lookup {
        events: vec![
            trail(
                "s",
                "AuthorizeSecurityGroupEgress",
                "2026-11-27T10:01:00.000Z",
                serde_json::json!({}),
            ),
            other,
        ],
        complete: true,
    };
    let sg = naming(&w, "sg-1");
    assert_eq!(sg.events.len(), 1);
    assert_eq!(sg.events[0].event_id, "s");
    assert!(sg.complete);
    assert!(naming(&w, "acl-1").events.is_empty());
}

#[test]
fn parameter_names_come_from_their_arns() {
    assert_eq!(
        parameter_name("arn:aws:ssm:us-east-1:111122223333:parameter/a/b"),
        "/a/b"
    );
    assert_eq!(
        parameter_name("arn:aws:ssm:us-east-1:111122223333:parameter/token"),
        "token"
    );
    assert_eq!(parameter_name("/plain/name"), "/plain/name");
}
