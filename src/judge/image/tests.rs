//! The image stage on hand-built Facts: each test changes one thing about one image.

use super::registry::Paths;
use super::*;
use crate::facts::*;
use crate::report::{Hop, PathView};

const ACCOUNT: &str = "111122223333";
const OTHER: &str = "999999999999";
const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
const IMAGE: &str = "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1.2";
const REPO_ARN: &str = "arn:aws:ecr:us-east-1:111122223333:repository/team/app";
const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn read<T>(value: T) -> Option<Readable<T>> {
    Some(Readable::Read { value })
}

fn denied(api: &str) -> Option<Readable<RepositoryPolicy>> {
    Some(Readable::Unreadable(Unreadable {
        api: api.into(),
        error_code: "AccessDeniedException".into(),
        message: String::new(),
    }))
}

fn found(digest: &str) -> Option<Readable<ImageLookup>> {
    read(ImageLookup::Found {
        digest: Some(digest.into()),
        tags: vec!["1.2".into()],
        pushed_at: None,
    })
}

fn not_found() -> Option<Readable<ImageLookup>> {
    read(ImageLookup::NotFound {
        message: "The image requested does not exist".into(),
    })
}

/// An existing repository, tag found, no policy.
fn healthy(image: &str) -> ImageLookupFacts {
    ImageLookupFacts {
        image: image.into(),
        containers: vec!["api".into()],
        repository: read(RepositoryLookup::Exists {
            arn: Some(REPO_ARN.into()),
            uri: None,
            registry_id: Some(ACCOUNT.into()),
        }),
        tag_lookup: found(DIGEST),
        digest_lookup: None,
        repository_policy: read(RepositoryPolicy::None),
    }
}

fn facts(images: Vec<ImageLookupFacts>, role: Option<&str>, reason: &str) -> Facts {
    let image_names: Vec<String> = images.iter().map(|i| i.image.clone()).collect();
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
                    stop_code: Some("TaskFailedToStart".into()),
                    stopped_reason: Some(reason.into()),
                    launch_type: Some("FARGATE".into()),
                    ..Default::default()
                }),
            },
        },
        task_definition: Some(Readable::Read {
            value: TaskDefinitionFacts {
                task_definition_arn: "arn:aws:ecs:us-east-1:111122223333:task-definition/app:1"
                    .into(),
                execution_role_arn: role.map(str::to_string),
                container_definitions: image_names
                    .iter()
                    .map(|i| ContainerDefinitionFacts {
                        name: "api".into(),
                        image: Some(i.clone()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
        }),
        network: None,
        image: Some(ImageFacts {
            images,
            registry_credentials: vec![],
        }),
        iam: None,
        secrets: None,
        logging: None,
        placement: None,
        changes: None,
    }
}

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/exec")
}

fn status_of(stage: &StageResult, code: Code) -> Vec<Status> {
    stage
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.status)
        .collect()
}

fn first_fail(stage: &StageResult) -> Option<&Finding> {
    stage.findings.iter().find(|f| f.status == Status::Fail)
}

#[test]
fn a_healthy_same_account_image_passes_every_check() {
    let r = judge(&facts(vec![healthy(IMAGE)], Some(&role(ACCOUNT)), ""));
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    for code in [
        Code::ImgReferenceInvalid,
        Code::ImgRepositoryNotFound,
        Code::ImgTagNotFound,
        Code::ImgRepoPolicyDenies,
        Code::ImgCrossRegionRegistry,
    ] {
        assert_eq!(status_of(&r, code), vec![Status::Pass], "{code:?}");
    }
    assert!(r.summary.starts_with("Every image (1)"));
}

#[test]
fn an_invalid_reference_fails_and_names_the_problem() {
    let mut img = healthy("team/App:");
    img.repository = None;
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    let f = first_fail(&r).unwrap();
    assert_eq!(f.code, Code::ImgReferenceInvalid);
    assert!(f.detail.contains("empty"), "{}", f.detail);
    assert_eq!(f.evidence["image"], "team/App:");
    assert!(f.remediation.contains("register-task-definition"));
    assert_eq!(r.findings.len(), 1);
}

#[test]
fn a_missing_repository_fails_and_skips_tag_and_policy() {
    let mut img = healthy(IMAGE);
    img.repository = read(RepositoryLookup::NotFound {
        message: "The repository with name 'team/app' does not exist".into(),
    });
    img.tag_lookup = Some(Readable::Unreadable(Unreadable {
        api: "ecr:DescribeImages".into(),
        error_code: "RepositoryNotFoundException".into(),
        message: String::new(),
    }));
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    let f = first_fail(&r).unwrap();
    assert_eq!(f.code, Code::ImgRepositoryNotFound);
    assert_eq!(f.evidence["repositoryName"], "team/app");
    assert_eq!(f.evidence["registryId"], ACCOUNT);
    assert!(
        f.remediation.contains(
            "aws ecr describe-repositories --registry-id 111122223333 --region us-east-1"
        )
    );
    assert!(status_of(&r, Code::ImgTagNotFound).is_empty());
    assert!(status_of(&r, Code::ImgRepoPolicyDenies).is_empty());
}

#[test]
fn a_missing_tag_fails_with_the_describe_images_command() {
    let mut img = healthy(IMAGE);
    img.tag_lookup = not_found();
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    let f = first_fail(&r).unwrap();
    assert_eq!(f.code, Code::ImgTagNotFound);
    assert!(
        f.remediation.contains(
            "aws ecr describe-images --registry-id 111122223333 --region us-east-1 --repository-name team/app --image-ids imageTag=1.2"
        ),
        "{}",
        f.remediation
    );
}

#[test]
fn no_tag_and_no_digest_means_latest() {
    let mut img = healthy("111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app");
    img.tag_lookup = not_found();
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    let f = first_fail(&r).unwrap();
    assert_eq!(f.code, Code::ImgTagNotFound);
    assert_eq!(f.evidence["imageTag"], "latest");
    assert!(f.detail.contains("implied"));
}

#[test]
fn a_missing_digest_fails_and_a_missing_tag_beside_a_found_digest_only_warns() {
    let with_both = format!("{IMAGE}@{DIGEST}");
    let mut img = healthy(&with_both);
    img.digest_lookup = not_found();
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    let f = first_fail(&r).unwrap();
    assert_eq!(f.code, Code::ImgDigestNotFound);
    assert!(
        f.remediation
            .contains(&format!("--image-ids imageDigest={DIGEST}"))
    );

    let mut img = healthy(&with_both);
    img.tag_lookup = not_found();
    img.digest_lookup = found(DIGEST);
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    assert_eq!(status_of(&r, Code::ImgTagNotFound), vec![Status::Warn]);
    assert_eq!(status_of(&r, Code::ImgDigestNotFound), vec![Status::Pass]);
    assert_eq!(r.status, Status::Warn);
}

#[test]
fn unreadable_lookups_are_unknown_never_pass() {
    let mut img = healthy(IMAGE);
    img.repository = Some(Readable::Unreadable(Unreadable {
        api: "ecr:DescribeRepositories".into(),
        error_code: "AccessDeniedException".into(),
        message: "no".into(),
    }));
    img.repository_policy = denied("ecr:GetRepositoryPolicy");
    let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
    assert_eq!(
        status_of(&r, Code::ImgRepositoryNotFound),
        vec![Status::Unknown]
    );
    assert_eq!(
        status_of(&r, Code::ImgRepoPolicyDenies),
        vec![Status::Unknown]
    );
    assert_eq!(r.status, Status::Unknown);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::ImgRepositoryNotFound)
        .unwrap();
    assert_eq!(f.evidence["api"], "ecr:DescribeRepositories");
}

#[test]
fn cross_account_without_a_policy_fails_with_the_statement_to_add() {
    let r = judge(&facts(vec![healthy(IMAGE)], Some(&role(OTHER)), ""));
    let f = first_fail(&r).unwrap();
    assert_eq!(f.code, Code::ImgRepoPolicyDenies);
    assert!(
        f.remediation
            .contains("aws ecr set-repository-policy --repository-name team/app")
    );
    assert!(
        f.remediation
            .contains(r#""Principal":{"AWS":"arn:aws:iam::999999999999:role/exec"}"#)
    );
    assert_eq!(f.evidence["principalAccount"], OTHER);
}

#[test]
fn cross_account_policy_allow_deny_and_unknown() {
    let allow = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Pull","Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}}]}}"#,
        role(OTHER)
    );
    let deny = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"NoPull","Effect":"Deny","Principal":{{"AWS":"{}"}},"Action":"ecr:BatchGetImage"}}]}}"#,
        role(OTHER)
    );
    let other_role = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/ci"},"Action":"ecr:*"}]}"#;
    let conditional = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Pull","Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"ecr:*","Condition":{{"StringEquals":{{"aws:SourceVpce":"vpce-1"}}}}}}]}}"#,
        role(OTHER)
    );
    let case = |text: &str| {
        let mut img = healthy(IMAGE);
        img.repository_policy = read(RepositoryPolicy::Text { text: text.into() });
        let r = judge(&facts(vec![img], Some(&role(OTHER)), ""));
        r.findings
            .iter()
            .find(|f| f.code == Code::ImgRepoPolicyDenies)
            .unwrap()
            .clone()
    };
    assert_eq!(case(&allow).status, Status::Pass);
    let d = case(&deny);
    assert_eq!(d.status, Status::Fail);
    assert_eq!(d.evidence["statement"], "NoPull");
    assert!(d.remediation.contains("Remove or narrow statement NoPull"));
    let o = case(other_role);
    assert_eq!(o.status, Status::Fail);
    assert!(o.remediation.contains("AllowTaskPull"));
    assert_eq!(case(&conditional).status, Status::Unknown);
}

#[test]
fn same_account_policy_only_fails_on_an_explicit_deny() {
    let deny =
        r#"{"Statement":[{"Sid":"Freeze","Effect":"Deny","Principal":"*","Action":"ecr:*"}]}"#;
    let unrelated = r#"{"Statement":[{"Sid":"Push","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/ci"},"Action":"ecr:PutImage"}]}"#;
    for (text, want) in [(deny, Status::Fail), (unrelated, Status::Pass)] {
        let mut img = healthy(IMAGE);
        img.repository_policy = read(RepositoryPolicy::Text { text: text.into() });
        let r = judge(&facts(vec![img], Some(&role(ACCOUNT)), ""));
        assert_eq!(
            status_of(&r, Code::ImgRepoPolicyDenies),
            vec![want],
            "{text}"
        );
    }
}

#[test]
fn ec2_without_execution_role_pulls_as_the_instance_role_of_the_task_account() {
    let mut f = facts(vec![healthy(IMAGE)], None, "");
    if let Readable::Read {
        value: TaskLookup::Found { task },
    } = &mut f.task
    {
        task.launch_type = Some("EC2".into());
    }
    let p = super::ecr::Puller::of(
        &f,
        match f.task.value() {
            Some(TaskLookup::Found { task }) => Some(task.as_ref()),
            _ => None,
        },
    );
    assert_eq!(p.account.as_deref(), Some(ACCOUNT));
    assert_eq!(p.arn, None);
    let r = judge(&f);
    assert_eq!(status_of(&r, Code::ImgRepoPolicyDenies), vec![Status::Pass]);
}

#[test]
fn an_execution_role_override_is_the_puller() {
    let mut f = facts(vec![healthy(IMAGE)], Some(&role(ACCOUNT)), "");
    if let Readable::Read {
        value: TaskLookup::Found { task },
    } = &mut f.task
    {
        task.overrides = Some(TaskOverrideFacts {
            execution_role_arn: Some(role(OTHER)),
            ..Default::default()
        });
    }
    let r = judge(&f);
    assert_eq!(status_of(&r, Code::ImgRepoPolicyDenies), vec![Status::Fail]);
}

fn path(dest: &str, status: Status) -> PathView {
    PathView {
        destination: dest.into(),
        why: String::new(),
        via: "no route".into(),
        status,
        hops: vec![Hop {
            layer: "route".into(),
            status,
            detail: "rtb-1 has no default route".into(),
            code: None,
        }],
    }
}

fn lookup(image: &str) -> ImageLookupFacts {
    ImageLookupFacts {
        image: image.into(),
        containers: vec!["web".into()],
        ..Default::default()
    }
}

#[test]
fn public_registries_follow_the_network_path() {
    for (image, host) in [
        ("nginx:1.27", "registry-1.docker.io"),
        ("docker.io/library/nginx", "registry-1.docker.io"),
        ("public.ecr.aws/nginx/nginx:1", "public.ecr.aws"),
        ("ghcr.io/org/app:1", "ghcr.io"),
        ("registry.example.com:5000/app:1", "registry.example.com"),
    ] {
        let r = ImageRef::parse(image).unwrap();
        let kind = r.registry_kind();
        let l = lookup(image);
        let fail = registry::needs_internet(
            &l,
            &r,
            &kind,
            "us-east-1",
            &Paths::followed(vec![path(host, Status::Fail)]),
        );
        assert_eq!(fail.status, Status::Fail, "{image}");
        assert_eq!(fail.evidence["registry"], host);
        assert!(fail.detail.contains("rtb-1"), "{}", fail.detail);
        assert!(fail.remediation.contains("NAT gateway"));
        let pass = registry::needs_internet(
            &l,
            &r,
            &kind,
            "us-east-1",
            &Paths::followed(vec![path(host, Status::Pass)]),
        );
        assert_eq!(pass.status, Status::Pass, "{image}");
        let unknown = registry::needs_internet(&l, &r, &kind, "us-east-1", &Paths::NotCollected);
        assert_eq!(unknown.status, Status::Unknown, "{image}");
        let other = registry::needs_internet(
            &l,
            &r,
            &kind,
            "us-east-1",
            &Paths::followed(vec![path("somewhere.else", Status::Pass)]),
        );
        assert_eq!(other.status, Status::Unknown, "{image}");
    }
}

#[test]
fn cross_region_ecr_needs_internet() {
    let image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:1";
    let r = ImageRef::parse(image).unwrap();
    let e = r.ecr().unwrap();
    let l = lookup(image);
    let host = "api.ecr.eu-west-1.amazonaws.com";
    let fail = registry::cross_region(
        &l,
        &r,
        &e,
        "us-east-1",
        &Paths::followed(vec![path(host, Status::Fail)]),
    );
    assert_eq!(fail.status, Status::Fail);
    assert!(
        fail.remediation
            .contains("put-replication-configuration --region eu-west-1")
    );
    assert_eq!(fail.evidence["registryRegion"], "eu-west-1");
    let ok = registry::cross_region(
        &l,
        &r,
        &e,
        "us-east-1",
        &Paths::followed(vec![path(host, Status::Pass)]),
    );
    assert_eq!(ok.status, Status::Warn);
    // Through judge: no network facts, no ECR call, UNKNOWN.
    let st = judge(&facts(vec![lookup(image)], Some(&role(ACCOUNT)), ""));
    assert_eq!(
        status_of(&st, Code::ImgCrossRegionRegistry),
        vec![Status::Unknown]
    );
    assert!(status_of(&st, Code::ImgRepositoryNotFound).is_empty());
}

#[test]
fn registry_credentials() {
    let mut f = facts(
        vec![lookup("registry.example.com/app:1")],
        Some(&role(ACCOUNT)),
        "",
    );
    let creds = |secret: &str, lookup| RegistryCredentialsFacts {
        secret: secret.into(),
        containers: vec!["web".into()],
        lookup,
    };
    f.image.as_mut().unwrap().registry_credentials = vec![
        creds(
            "hub-missing",
            read(SecretLookup::NotFound {
                message: "Secrets Manager can't find the specified secret.".into(),
            }),
        ),
        creds(
            "hub-ok",
            read(SecretLookup::Found {
                arn: Some(
                    "arn:aws:secretsmanager:us-east-1:111122223333:secret:hub-ok-AbCdEf".into(),
                ),
                name: Some("hub-ok".into()),
                deleted_date: None,
                kms_key_id: None,
            }),
        ),
        creds(
            "hub-deleted",
            read(SecretLookup::Found {
                arn: None,
                name: None,
                deleted_date: Some("2026-01-01T00:00:00Z".into()),
                kms_key_id: None,
            }),
        ),
        creds(
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x",
            None,
        ),
    ];
    let r = judge(&f);
    let mut got = status_of(&r, Code::ImgRegistryCredentialsMissing);
    got.sort_by_key(|s| s.severity_rank());
    assert_eq!(
        got,
        vec![Status::Pass, Status::Unknown, Status::Fail, Status::Fail]
    );
    let missing = r
        .findings
        .iter()
        .find(|f| f.evidence.get("secret").and_then(|v| v.as_str()) == Some("hub-missing"))
        .unwrap();
    assert!(
        missing.remediation.contains(
            "aws secretsmanager describe-secret --secret-id hub-missing --region us-east-1"
        )
    );
}

#[test]
fn the_stop_reason_orders_the_failures() {
    let mut missing_tag = healthy(IMAGE);
    missing_tag.tag_lookup = not_found();
    let other_image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/other:2";
    let mut missing_repo = healthy(other_image);
    missing_repo.repository = read(RepositoryLookup::NotFound {
        message: String::new(),
    });
    let images = vec![missing_tag, missing_repo];
    // Without a reason: the most specific code first (the repository).
    let r = judge(&facts(images.clone(), Some(&role(ACCOUNT)), ""));
    assert_eq!(first_fail(&r).unwrap().code, Code::ImgRepositoryNotFound);
    // The reason names the first image: its finding comes first.
    let reason = format!("CannotPullContainerError: failed to resolve ref {IMAGE}: not found");
    let r = judge(&facts(images, Some(&role(ACCOUNT)), &reason));
    assert_eq!(first_fail(&r).unwrap().code, Code::ImgTagNotFound);
}

#[test]
fn no_image_facts_is_skipped_and_no_images_is_unknown() {
    let mut f = facts(vec![], Some(&role(ACCOUNT)), "");
    assert_eq!(judge(&f).status, Status::Unknown);
    f.image = None;
    assert_eq!(judge(&f).status, Status::Skipped);
}

#[test]
fn image_facts_round_trip_through_json() {
    let f = facts(vec![healthy(IMAGE)], Some(&role(ACCOUNT)), "");
    let text = serde_json::to_string(&f.image).unwrap();
    let back: Option<ImageFacts> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, f.image);
    // Every field defaults: an older or partial snapshot still reads.
    let partial: ImageFacts = serde_json::from_str(r#"{"images":[{"image":"nginx"}]}"#).unwrap();
    assert_eq!(partial.images[0].repository, None);
}

/// Issue 16: a registry's path is found through an index by destination (ASCII case
/// ignored) instead of a search of every path per image. Same answer as the search: the
/// first path whose destination matches, on many paths with repeated and re-cased
/// destinations.
#[test]
fn a_registry_path_is_the_first_matching_destination_as_a_search_finds() {
    let hosts = [
        "ghcr.io",
        "GHCR.io",
        "registry.example.com",
        "Registry.Example.COM",
        "quay.io",
    ];
    let paths: Vec<PathView> = (0..500)
        .map(|i| {
            let status = [Status::Pass, Status::Fail, Status::Unknown][i % 3];
            let mut p = path(hosts[(i * 7) % hosts.len()], status);
            p.via = format!("path {i}");
            p
        })
        .collect();
    let image = "ghcr.io/org/app:1";
    let r = ImageRef::parse(image).unwrap();
    let kind = r.registry_kind();
    let indexed = Paths::followed(paths.clone());
    for host in ["ghcr.io", "registry.example.com", "quay.io"] {
        let searched = paths
            .iter()
            .find(|p| p.destination.eq_ignore_ascii_case(host))
            .unwrap();
        let image = format!("{host}/org/app:1");
        let r = ImageRef::parse(&image).unwrap();
        let f = registry::needs_internet(
            &lookup(&image),
            &r,
            &r.registry_kind(),
            "us-east-1",
            &indexed,
        );
        assert_eq!(f.evidence["via"], searched.via.as_str(), "{host}");
    }
    let none = registry::needs_internet(
        &lookup(image),
        &r,
        &kind,
        "us-east-1",
        &Paths::followed(vec![]),
    );
    assert_eq!(none.status, Status::Unknown);
}
