//! The image stage end to end: each scenario of issue 4 is built in moto through the SDK, then
//! `ecs-task-doctor diagnose --format json` must report the right image findings and, where the
//! stop reason points at the image, the right root cause.
//!
//! moto has one account (123456789012): a cross-account pull is built from the registry's side
//! (the repository in moto's account, the execution role ARN in another). Digests are read back
//! from moto, never computed (moto's digest is not the sha256 of the manifest sent).

mod support;

use serde_json::Value;
use support::ecr::{self, ImageTask};
use support::network::{NetworkScenario, TaskEgress};
use support::{ACCOUNT, REGION};

fn diagnose_args(cluster: &str, task: &str) -> Value {
    support::diagnose_json(cluster, task, &[])
}

async fn diagnose(spec: ImageTask) -> Value {
    let conf = support::sdk_config().await;
    let task = ecr::run(&conf, &spec).await;
    diagnose_args(&task.cluster, &task.task_id)
}

fn stage(r: &Value) -> &Value {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "image")
        .unwrap_or_else(|| panic!("no image stage: {r:#}"))
}

/// The image stage's findings of one code.
fn findings<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    stage(r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The one finding of `code` with `status`.
fn finding<'a>(r: &'a Value, code: &str, status: &str) -> &'a Value {
    let all = findings(r, code);
    let hits: Vec<&&Value> = all.iter().filter(|f| f["status"] == status).collect();
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

/// A private subnet with every endpoint the network scenarios' task definition needs (it has a
/// Secrets Manager secret and awslogs) and egress to them and to the S3 prefix list: only a
/// registry that needs the internet is unreachable.
fn endpoints_only() -> NetworkScenario {
    NetworkScenario::private_with_endpoints()
        .interface_endpoints(&["ecr.api", "ecr.dkr", "logs", "secretsmanager"])
        .task_egress(TaskEgress::EndpointsAndS3)
}

/// The root cause is about `host`: the image stage's code, or (for image-pull-network, where
/// the network stage ranks first) the network stage's finding on the path to that host.
fn assert_root_names(r: &Value, image_code: &str, host: &str) {
    let code = r["rootCause"].as_str().unwrap_or_default();
    let root = r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .find(|f| f["code"] == code && f["status"] == "FAIL")
        .unwrap_or_else(|| panic!("no root finding in {r:#}"));
    if code == image_code {
        return;
    }
    assert!(code.starts_with("NET_"), "root cause {code}: {r:#}");
    let destination = root["evidence"]["destination"].to_string();
    assert!(
        destination.contains(host),
        "root cause {code} is about {destination}: {root:#}"
    );
}

async fn role() -> String {
    ecr::execution_role(&support::sdk_config().await).await
}

#[tokio::test]
async fn a_namespaced_repository_with_its_tag_passes() {
    let conf = support::sdk_config().await;
    let repo = ecr::repository(&conf, "team/app").await;
    let digest = ecr::put_image(&conf, &repo, "1.2").await;
    // Pushing it again (what other scenarios do to have a real image) changes nothing.
    assert_eq!(ecr::ensure_image(&conf, &repo, "1.2").await, digest);
    let fresh = support::unique("fresh/repo");
    assert!(
        ecr::ensure_image(&conf, &fresh, "v1")
            .await
            .starts_with("sha256:")
    );
    let image = format!("{}/{repo}:1.2", ecr::registry());
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: role().await,
        repository_credentials: None,
        // A failure elsewhere (the S3 layer bucket) leaves the image itself to be verified.
        stop_reason: support::scenario::PULL_TIMEOUT.into(),
    })
    .await;
    assert_eq!(stage(&r)["status"], "PASS", "{:#}", stage(&r));
    for code in [
        "IMG_REFERENCE_INVALID",
        "IMG_REPOSITORY_NOT_FOUND",
        "IMG_TAG_NOT_FOUND",
        "IMG_REPO_POLICY_DENIES",
        "IMG_CROSS_REGION_REGISTRY",
    ] {
        finding(&r, code, "PASS");
    }
    let tag = finding(&r, "IMG_TAG_NOT_FOUND", "PASS");
    assert_eq!(tag["evidence"]["imageDigest"], digest.as_str());
    assert_eq!(tag["evidence"]["repositoryName"], repo.as_str());
    assert_eq!(
        finding(&r, "IMG_REPOSITORY_NOT_FOUND", "PASS")["evidence"]["repositoryArn"],
        format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repo}").as_str()
    );
}

#[tokio::test]
async fn a_missing_tag_is_the_root_cause() {
    let conf = support::sdk_config().await;
    let repo = ecr::repository(&conf, "team/app").await;
    ecr::put_image(&conf, &repo, "1.2").await;
    let image = format!("{}/{repo}:9.9", ecr::registry());
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: role().await,
        repository_credentials: None,
        stop_reason: ecr::not_found_reason(&image),
    })
    .await;
    assert_eq!(r["task"]["failureClass"], "image-not-found");
    assert_eq!(r["rootCause"], "IMG_TAG_NOT_FOUND", "{:#}", stage(&r));
    let f = finding(&r, "IMG_TAG_NOT_FOUND", "FAIL");
    let fix = f["remediation"].as_str().unwrap();
    assert!(
        fix.contains(&format!(
            "aws ecr describe-images --registry-id {ACCOUNT} --region {REGION} --repository-name {repo} --image-ids imageTag=9.9"
        )),
        "{fix}"
    );
    finding(&r, "IMG_REPOSITORY_NOT_FOUND", "PASS");
    assert_eq!(fails(&r), vec!["IMG_TAG_NOT_FOUND"]);
}

#[tokio::test]
async fn a_missing_digest_is_the_root_cause() {
    let conf = support::sdk_config().await;
    let repo = ecr::repository(&conf, "team/app").await;
    let digest = ecr::put_image(&conf, &repo, "1.2").await;
    // A well-formed digest that is not the pushed image's.
    let other = if digest.ends_with('0') {
        format!("{}1", &digest[..digest.len() - 1])
    } else {
        format!("{}0", &digest[..digest.len() - 1])
    };
    let image = format!("{}/{repo}@{other}", ecr::registry());
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: role().await,
        repository_credentials: None,
        stop_reason: ecr::not_found_reason(&image),
    })
    .await;
    assert_eq!(r["rootCause"], "IMG_DIGEST_NOT_FOUND", "{:#}", stage(&r));
    let f = finding(&r, "IMG_DIGEST_NOT_FOUND", "FAIL");
    assert_eq!(f["evidence"]["imageDigest"], other.as_str());
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains(&format!("--image-ids imageDigest={other}"))
    );
    // A digest without a tag: no tag is looked up.
    assert!(findings(&r, "IMG_TAG_NOT_FOUND").is_empty());

    // The same digest with a tag that exists: the digest still decides the pull.
    let image = format!("{}/{repo}:1.2@{digest}", ecr::registry());
    let r = diagnose(ImageTask {
        image,
        execution_role_arn: role().await,
        repository_credentials: None,
        stop_reason: support::scenario::PULL_TIMEOUT.into(),
    })
    .await;
    finding(&r, "IMG_DIGEST_NOT_FOUND", "PASS");
    finding(&r, "IMG_TAG_NOT_FOUND", "PASS");
}

#[tokio::test]
async fn a_missing_repository_is_the_root_cause() {
    let image = format!(
        "{}/{}:1.0",
        ecr::registry(),
        support::unique("team/never-created")
    );
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: role().await,
        repository_credentials: None,
        stop_reason: format!(
            "CannotPullContainerError: API error (404): repository {image} not found"
        ),
    })
    .await;
    assert_eq!(
        r["rootCause"],
        "IMG_REPOSITORY_NOT_FOUND",
        "{:#}",
        stage(&r)
    );
    let f = finding(&r, "IMG_REPOSITORY_NOT_FOUND", "FAIL");
    assert_eq!(f["evidence"]["registryId"], ACCOUNT);
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("aws ecr create-repository --repository-name team/never-created")
    );
    // Tag and policy are moot without the repository.
    assert_eq!(fails(&r), vec!["IMG_REPOSITORY_NOT_FOUND"]);
    assert!(findings(&r, "IMG_TAG_NOT_FOUND").is_empty());
}

#[tokio::test]
async fn a_cross_account_repository_whose_policy_does_not_allow_the_role() {
    let conf = support::sdk_config().await;
    let repo = ecr::repository(&conf, "shared/base").await;
    ecr::put_image(&conf, &repo, "2024.1").await;
    // The policy lets a CI role of yet another account pull, not the task's role.
    ecr::set_policy(
        &conf,
        &repo,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"CiPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/ci"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}"#,
    )
    .await;
    let image = format!("{}/{repo}:2024.1", ecr::registry());
    // moto has a single account: the role's ARN names another one, so from the registry's
    // point of view the pull is cross-account (the role itself does not exist in moto).
    let foreign_role = "arn:aws:iam::999999999999:role/app-execution";
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: foreign_role.into(),
        repository_credentials: None,
        stop_reason: ecr::forbidden_reason(&image),
    })
    .await;
    assert_eq!(r["task"]["failureClass"], "image-access-denied");
    // The image stage names the repository policy first. The report's rootCause is not asserted
    // here: for image-access-denied the iam stage ranks first, and in moto's single account the
    // role of account 999999999999 cannot exist, so iam reports IAM_EXECUTION_ROLE_NOT_FOUND
    // (in AWS the role lives in the task's own account and exists).
    assert_eq!(fails(&r)[0], "IMG_REPO_POLICY_DENIES", "{:#}", stage(&r));
    let f = finding(&r, "IMG_REPO_POLICY_DENIES", "FAIL");
    assert_eq!(f["evidence"]["principal"], foreign_role);
    assert_eq!(f["evidence"]["principalAccount"], "999999999999");
    let fix = f["remediation"].as_str().unwrap();
    assert!(
        fix.contains(&format!(
            "aws ecr set-repository-policy --repository-name {repo} --region {REGION} --policy-text file://policy.json"
        )),
        "{fix}"
    );
    assert!(
        fix.contains(&format!(r#""Principal":{{"AWS":"{foreign_role}"}}"#)),
        "{fix}"
    );

    // An explicit Deny for the role: FAIL naming the statement.
    ecr::set_policy(
        &conf,
        &repo,
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AllowOrg","Effect":"Allow","Principal":{{"AWS":"{foreign_role}"}},"Action":"ecr:*"}},{{"Sid":"Frozen","Effect":"Deny","Principal":"*","Action":"ecr:BatchGetImage"}}]}}"#
        ),
    )
    .await;
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: foreign_role.into(),
        repository_credentials: None,
        stop_reason: ecr::forbidden_reason(&image),
    })
    .await;
    let f = finding(&r, "IMG_REPO_POLICY_DENIES", "FAIL");
    assert_eq!(f["evidence"]["statement"], "Frozen");

    // The policy allows the role: PASS.
    ecr::set_policy(
        &conf,
        &repo,
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"TaskPull","Effect":"Allow","Principal":{{"AWS":"{foreign_role}"}},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}}]}}"#
        ),
    )
    .await;
    let r = diagnose(ImageTask {
        image,
        execution_role_arn: foreign_role.into(),
        repository_credentials: None,
        stop_reason: ecr::forbidden_reason("x"),
    })
    .await;
    finding(&r, "IMG_REPO_POLICY_DENIES", "PASS");
}

#[tokio::test]
async fn a_public_registry_image_without_internet() {
    let image = "public.ecr.aws/nginx/nginx:1.27";
    let conf = support::sdk_config().await;
    // Private subnet, every endpoint the task needs and egress to them and to S3, no NAT:
    // everything is reachable except public.ecr.aws.
    let built = endpoints_only()
        .image(image)
        .stop_reason(&ecr::timeout_reason(image, "public.ecr.aws"))
        .build(&conf)
        .await;
    let r = diagnose_args(&built.task.cluster, &built.task.task_id);
    assert_eq!(r["task"]["failureClass"], "image-pull-network");
    assert_root_names(&r, "IMG_PUBLIC_REGISTRY_NEEDS_INTERNET", "public.ecr.aws");
    assert_eq!(fails(&r), vec!["IMG_PUBLIC_REGISTRY_NEEDS_INTERNET"]);
    let f = finding(&r, "IMG_PUBLIC_REGISTRY_NEEDS_INTERNET", "FAIL");
    assert_eq!(f["evidence"]["registry"], "public.ecr.aws");
    assert!(f["remediation"].as_str().unwrap().contains("NAT gateway"));
    // ECR is not asked about an image it does not hold.
    assert!(findings(&r, "IMG_REPOSITORY_NOT_FOUND").is_empty());

    // The same image behind a NAT gateway: PASS.
    let built = NetworkScenario::private_with_nat()
        .image("nginx:1.27")
        .build(&conf)
        .await;
    let r = diagnose_args(&built.task.cluster, &built.task.task_id);
    let f = finding(&r, "IMG_PUBLIC_REGISTRY_NEEDS_INTERNET", "PASS");
    assert_eq!(f["evidence"]["registry"], "registry-1.docker.io");
}

#[tokio::test]
async fn a_cross_region_ecr_image() {
    let image = format!("{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2");
    let conf = support::sdk_config().await;
    // Endpoints serve us-east-1 only, and there is no NAT.
    let built = endpoints_only()
        .image(&image)
        .stop_reason(&ecr::timeout_reason(
            &image,
            &format!("{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"),
        ))
        .build(&conf)
        .await;
    let r = diagnose_args(&built.task.cluster, &built.task.task_id);
    assert_root_names(
        &r,
        "IMG_CROSS_REGION_REGISTRY",
        "api.ecr.eu-west-1.amazonaws.com",
    );
    assert_eq!(fails(&r), vec!["IMG_CROSS_REGION_REGISTRY"]);
    let f = finding(&r, "IMG_CROSS_REGION_REGISTRY", "FAIL");
    assert_eq!(f["evidence"]["registryRegion"], "eu-west-1");
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("put-replication-configuration --region eu-west-1")
    );
    // Another Region's registry is not read with this Region's client.
    assert!(findings(&r, "IMG_REPOSITORY_NOT_FOUND").is_empty());
}

#[tokio::test]
async fn registry_credentials_naming_a_missing_secret() {
    let conf = support::sdk_config().await;
    let missing = format!(
        "arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{}-AbCdEf",
        support::unique("registry/never-created")
    );
    let image = "registry.example.com/team/app:3.1";
    let reason = "CannotPullContainerError: pull access denied for registry.example.com/team/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied";
    let r = diagnose(ImageTask {
        image: image.into(),
        execution_role_arn: role().await,
        repository_credentials: Some(missing.clone()),
        stop_reason: reason.into(),
    })
    .await;
    let f = finding(&r, "IMG_REGISTRY_CREDENTIALS_MISSING", "FAIL");
    assert_eq!(f["evidence"]["secret"], missing.as_str());
    assert!(f["remediation"].as_str().unwrap().contains(&format!(
        "aws secretsmanager describe-secret --secret-id {missing} --region {REGION}"
    )));
    assert_eq!(
        r["rootCause"],
        "IMG_REGISTRY_CREDENTIALS_MISSING",
        "{:#}",
        stage(&r)
    );

    // The secret exists: PASS (its value is never read).
    let name = support::unique("registry/creds");
    let arn = ecr::secret(&conf, &name).await;
    let r = diagnose(ImageTask {
        image: image.into(),
        execution_role_arn: role().await,
        repository_credentials: Some(arn.clone()),
        stop_reason: reason.into(),
    })
    .await;
    let f = finding(&r, "IMG_REGISTRY_CREDENTIALS_MISSING", "PASS");
    assert_eq!(f["evidence"]["secretArn"], arn.as_str());
    assert!(
        !serde_json::to_string(&r)
            .unwrap()
            .contains("not-a-real-password")
    );
}

#[tokio::test]
async fn an_invalid_reference_fails_before_any_registry_check() {
    let image = format!("{}/Team/App:", ecr::registry());
    let r = diagnose(ImageTask {
        image: image.clone(),
        execution_role_arn: role().await,
        repository_credentials: None,
        stop_reason: format!(
            "CannotPullContainerError: failed to resolve ref {image}: invalid reference format"
        ),
    })
    .await;
    let f = finding(&r, "IMG_REFERENCE_INVALID", "FAIL");
    assert_eq!(f["evidence"]["image"], image.as_str());
    assert!(f["detail"].as_str().unwrap().contains("empty"), "{f:#}");
    // The report's rootCause is not asserted: the task catalogue has no pattern for
    // "invalid reference format" and classifies it image-pull-network, for which the network
    // stage ranks first (and this scenario's bare VPC has no path anywhere).
    assert_eq!(fails(&r), vec!["IMG_REFERENCE_INVALID"]);
}
