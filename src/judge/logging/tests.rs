//! The logging stage with hand-built Facts: each code as PASS, FAIL and UNKNOWN, and the
//! drivers it does not check.

use super::*;
use crate::facts::{
    ContainerDefinitionFacts, ContainerLogFacts, IamFacts, InlinePolicyFacts,
    LogConfigurationFacts, LoggingFacts, RoleFacts, RoleLookup, TaskDefinitionFacts, Unreadable,
};

const TASK: &str = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef";
const ROLE: &str = "arn:aws:iam::111122223333:role/exec";
const GROUP: &str = "/ecs/app";
const CREATE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Create","Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:*"}]}"#;
const STREAMS_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#;
const DENY_CREATE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"},{"Sid":"NoGroups","Effect":"Deny","Action":"logs:CreateLogGroup","Resource":"*"}]}"#;

fn options(create: bool) -> Vec<(String, String)> {
    let mut o = vec![
        ("awslogs-group".to_string(), GROUP.to_string()),
        ("awslogs-region".to_string(), "eu-west-1".to_string()),
        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
    ];
    if create {
        o.push(("awslogs-create-group".to_string(), "true".to_string()));
    }
    o
}

fn td(driver: &str, create: bool) -> TaskDefinitionFacts {
    TaskDefinitionFacts {
        task_definition_arn: "arn:aws:ecs:us-east-1:111122223333:task-definition/app:1".into(),
        container_definitions: vec![ContainerDefinitionFacts {
            name: "app".into(),
            log_configuration: Some(LogConfigurationFacts::new(
                driver.into(),
                options(create),
                vec![],
            )),
            ..ContainerDefinitionFacts::default()
        }],
        ..TaskDefinitionFacts::default()
    }
}

fn lookup(l: Readable<LogGroupLookup>, create: bool) -> LoggingFacts {
    LoggingFacts {
        containers: vec![ContainerLogFacts {
            container: "app".into(),
            log_driver: "awslogs".into(),
            awslogs: Some(AwslogsFacts {
                group: Some(GROUP.into()),
                region: "eu-west-1".into(),
                region_from_options: true,
                create_group: create.then(|| "true".to_string()),
                lookup: Some(l),
            }),
        }],
    }
}

fn exists() -> Readable<LogGroupLookup> {
    Readable::Read {
        value: LogGroupLookup::Exists {
            arn: Some("arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app".into()),
        },
    }
}

fn missing() -> Readable<LogGroupLookup> {
    Readable::Read {
        value: LogGroupLookup::Missing,
    }
}

fn role_with(policy: &str) -> IamFacts {
    IamFacts {
        execution_role_arn: Some(ROLE.into()),
        execution_role: Some(Readable::Read {
            value: RoleLookup::Found {
                role: Box::new(RoleFacts {
                    arn: ROLE.into(),
                    name: "exec".into(),
                    inline_policies: Readable::Read {
                        value: vec![InlinePolicyFacts {
                            name: "logs".into(),
                            document: Readable::Read {
                                value: policy.into(),
                            },
                        }],
                    },
                    ..RoleFacts::default()
                }),
            },
        }),
        ..IamFacts::default()
    }
}

fn facts(td: TaskDefinitionFacts, logging: LoggingFacts, iam: Option<IamFacts>) -> Facts {
    let mut f: Facts = serde_json::from_value(serde_json::json!({
        "factsVersion": 1,
        "region": "us-east-1",
        "request": {"cluster": "prod", "task": TASK, "source": "describeTasks"},
        "task": {"state": "read", "value": {"lookup": "found", "task": {"taskArn": TASK, "lastStatus": "STOPPED"}}}
    }))
    .unwrap();
    f.task_definition = Some(Readable::Read { value: td });
    f.logging = Some(logging);
    f.iam = iam;
    f
}

fn only(r: &StageResult, code: Code) -> &Finding {
    let all: Vec<&Finding> = r.findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(all.len(), 1, "{r:#?}");
    all[0]
}

#[test]
fn an_existing_group_passes() {
    let r = judge(&facts(td("awslogs", false), lookup(exists(), false), None));
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let f = only(&r, Code::LogGroupMissing);
    assert_eq!(f.status, Status::Pass);
    assert_eq!(f.evidence["region"], "eu-west-1");
    assert_eq!(f.evidence["regionSource"], "awslogs-region");
    assert!(r.findings.iter().all(|f| f.code == Code::LogGroupMissing));
}

#[test]
fn a_missing_group_fails_with_the_create_command() {
    let r = judge(&facts(td("awslogs", false), lookup(missing(), false), None));
    assert_eq!(r.status, Status::Fail);
    let f = only(&r, Code::LogGroupMissing);
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.remediation
            .contains("aws logs create-log-group --log-group-name /ecs/app --region eu-west-1"),
        "{}",
        f.remediation
    );
    assert_eq!(f.evidence["containers"], serde_json::json!(["app"]));
}

#[test]
fn an_unreadable_lookup_is_unknown() {
    let u = Readable::Unreadable(Unreadable {
        api: "logs:DescribeLogGroups".into(),
        error_code: "AccessDeniedException".into(),
        message: String::new(),
    });
    let r = judge(&facts(td("awslogs", false), lookup(u, false), None));
    assert_eq!(r.status, Status::Unknown);
    let f = only(&r, Code::LogGroupMissing);
    assert_eq!(f.evidence["api"], "logs:DescribeLogGroups");
    assert_eq!(f.evidence["logGroup"], GROUP);
}

#[test]
fn create_group_allowed_passes_on_the_star_form() {
    let r = judge(&facts(
        td("awslogs", true),
        lookup(missing(), true),
        Some(role_with(CREATE)),
    ));
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let f = only(&r, Code::LogGroupCreateNotPermitted);
    assert_eq!(f.status, Status::Pass);
    assert_eq!(f.evidence["allowedBy"], "inline policy logs: Create");
    assert!(r.findings.iter().all(|f| f.code != Code::LogGroupMissing));
}

#[test]
fn create_group_without_permission_fails_with_the_grant() {
    let r = judge(&facts(
        td("awslogs", true),
        lookup(missing(), true),
        Some(role_with(STREAMS_ONLY)),
    ));
    assert_eq!(r.status, Status::Fail);
    let f = only(&r, Code::LogGroupCreateNotPermitted);
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.evidence["resource"],
        "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app"
    );
    assert!(
        f.remediation
            .contains("aws iam put-role-policy --role-name exec")
    );
    assert!(
        f.remediation
            .contains("arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:*")
    );
}

#[test]
fn an_explicit_deny_is_named() {
    let r = judge(&facts(
        td("awslogs", true),
        lookup(missing(), true),
        Some(role_with(DENY_CREATE)),
    ));
    let f = only(&r, Code::LogGroupCreateNotPermitted);
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.evidence["decidedBy"], "inline policy logs: NoGroups");
    assert!(f.remediation.contains("Narrow or remove"));
}

#[test]
fn create_group_without_iam_facts_is_unknown_never_fail() {
    let r = judge(&facts(td("awslogs", true), lookup(missing(), true), None));
    assert_eq!(r.status, Status::Unknown, "{r:#?}");
    let f = only(&r, Code::LogGroupCreateNotPermitted);
    assert!(f.detail.contains("iam stage"));
    let no_role = IamFacts::default();
    let r = judge(&facts(
        td("awslogs", true),
        lookup(missing(), true),
        Some(no_role),
    ));
    assert_eq!(r.status, Status::Unknown);
    let undecidable = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#;
    let r = judge(&facts(
        td("awslogs", true),
        lookup(missing(), true),
        Some(role_with(undecidable)),
    ));
    assert_eq!(r.status, Status::Unknown, "{r:#?}");
}

#[test]
fn an_existing_group_with_creation_denied_only_warns() {
    let r = judge(&facts(
        td("awslogs", true),
        lookup(exists(), true),
        Some(role_with(STREAMS_ONLY)),
    ));
    assert_eq!(r.status, Status::Warn, "{r:#?}");
    assert_eq!(only(&r, Code::LogGroupMissing).status, Status::Pass);
    assert_eq!(
        only(&r, Code::LogGroupCreateNotPermitted).status,
        Status::Warn
    );
}

#[test]
fn other_drivers_are_skipped_with_the_reason() {
    let l = LoggingFacts {
        containers: vec![ContainerLogFacts {
            container: "app".into(),
            log_driver: "awsfirelens".into(),
            awslogs: None,
        }],
    };
    let r = judge(&facts(td("awsfirelens", false), l, None));
    assert_eq!(r.status, Status::Skipped);
    assert!(
        r.summary.contains("'app' uses awsfirelens"),
        "{}",
        r.summary
    );
    let r = judge(&facts(
        TaskDefinitionFacts::default(),
        LoggingFacts::default(),
        None,
    ));
    assert_eq!(r.status, Status::Skipped);
    assert!(r.summary.contains("No container has a log configuration"));
}

#[test]
fn a_missing_group_option_fails() {
    let mut l = lookup(missing(), false);
    if let Some(a) = &mut l.containers[0].awslogs {
        a.group = None;
        a.lookup = None;
    }
    let r = judge(&facts(td("awslogs", false), l, None));
    let f = only(&r, Code::LogGroupMissing);
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("without the awslogs-group option"));
}

#[test]
fn containers_sharing_a_group_get_one_finding() {
    let mut l = lookup(missing(), false);
    let mut second = l.containers[0].clone();
    second.container = "sidecar".into();
    l.containers.push(second);
    let r = judge(&facts(td("awslogs", false), l, None));
    let f = only(&r, Code::LogGroupMissing);
    assert_eq!(
        f.evidence["containers"],
        serde_json::json!(["app", "sidecar"])
    );
}

#[test]
fn no_logging_facts_is_skipped() {
    let mut f = facts(td("awslogs", false), LoggingFacts::default(), None);
    f.logging = None;
    assert_eq!(judge(&f).status, Status::Skipped);
}

proptest::proptest! {
    /// Issue 16: entries are grouped through a map, and each entry's definition found through
    /// an index, instead of searching the lists. Same entries, same order, same definitions as
    /// the searches: on many containers whose groups, Regions and creation settings repeat,
    /// with container names that repeat or have no definition.
    #[test]
    fn entries_group_and_find_definitions_as_the_searches_did(
        containers in proptest::collection::vec(
            (0usize..5, proptest::option::of(0usize..3), 0usize..2, proptest::bool::ANY, proptest::bool::ANY),
            0..40,
        ),
    ) {
        let defs: Vec<ContainerDefinitionFacts> = containers
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 4 != 3)
            .map(|(i, (name, ..))| ContainerDefinitionFacts {
                name: format!("c{name}"),
                image: Some(format!("image-{i}")),
                ..ContainerDefinitionFacts::default()
            })
            .collect();
        let logging = LoggingFacts {
            containers: containers
                .iter()
                .map(|(name, group, region, create, awslogs)| ContainerLogFacts {
                    container: format!("c{name}"),
                    log_driver: if *awslogs { "awslogs" } else { "splunk" }.into(),
                    awslogs: awslogs.then(|| AwslogsFacts {
                        group: group.map(|g| format!("/ecs/g{g}")),
                        region: ["us-east-1", "eu-west-1"][*region].into(),
                        region_from_options: true,
                        create_group: create.then(|| "TRUE".to_string()),
                        lookup: None,
                    }),
                })
                .collect(),
        };
        let f = facts(
            TaskDefinitionFacts { container_definitions: defs.clone(), ..TaskDefinitionFacts::default() },
            logging.clone(),
            None,
        );
        // The searches, as before.
        let mut before: Vec<(Vec<&str>, &AwslogsFacts)> = Vec::new();
        for c in &logging.containers {
            let Some(a) = &c.awslogs else { continue };
            match before.iter_mut().find(|(_, e)| {
                e.group == a.group && e.region == a.region && e.creates_group() == a.creates_group()
            }) {
                Some((names, _)) => names.push(&c.container),
                None => before.push((vec![&c.container], a)),
            }
        }
        let now = entries(&f);
        proptest::prop_assert_eq!(now.len(), before.len());
        for (e, (names, a)) in now.iter().zip(&before) {
            proptest::prop_assert_eq!(&e.containers, names);
            proptest::prop_assert_eq!(e.awslogs, *a);
            let searched = defs.iter().find(|d| names.first() == Some(&d.name.as_str()));
            proptest::prop_assert_eq!(e.definition, searched);
        }
    }
}

/// Issue 16 item 6 in a whole judgement: the execution role carries a policy whose Resource
/// is `*`, a literal of `len` characters and `b`, and the log group's name is twice as long,
/// so every permission of the iam and logging stages runs the matcher on it. The matcher's
/// steps over the whole judgement grow linearly with the length (counted, not timed; the
/// backtracking matcher needed `len * len` per permission), and the answer is right: the
/// hostile statement allows nothing, so creating the missing group is not permitted.
#[test]
fn the_pathological_wildcard_policy_takes_linear_matcher_steps_over_a_whole_judgement() {
    let mut previous = None;
    for len in [1_000usize, 2_000, 4_000, 8_000] {
        let v = crate::judge::secrets::hostile::pathological_policy_json(len);
        let bytes = serde_json::to_vec(&v).unwrap();
        let f = crate::snapshot::from_slice(&bytes, "hostile").unwrap();
        let (r, steps) = crate::judge::policy::counting_steps(|| {
            crate::judge::judge(&f, crate::stage::StageSelection::All)
        });
        let logging = r
            .stages
            .iter()
            .find(|s| s.name == StageName::Logging)
            .unwrap();
        assert!(
            logging
                .findings
                .iter()
                .any(|f| f.code == Code::LogGroupCreateNotPermitted && f.status == Status::Fail),
            "{len}: {logging:#?}"
        );
        assert!(
            steps <= 40 * bytes.len() as u64,
            "{len}: {steps} steps for {} bytes",
            bytes.len()
        );
        if let Some(p) = previous {
            assert!(steps <= 2 * p + 10_000, "{len}: {steps} after {p}");
        }
        previous = Some(steps);
    }
}
