//! Image scenarios built through the SDK: ECR repositories with images pushed by `PutImage`,
//! repository policies, Secrets Manager secrets, and a stopped Fargate task running a chosen
//! image with a chosen execution role and `repositoryCredentials`.
//!
//! moto differences that shape this builder (shared/research/tooling.md, MOTO-NOTES.md):
//! - moto has one account (123456789012). A cross-account pull is built from the registry's
//!   side: the repository is in moto's account and the task's execution role ARN names
//!   another account. The ECS task itself still lives in moto's account.
//! - The digest moto reports for `PutImage` is not the sha256 of the manifest sent, so digests
//!   are read back from moto, never computed here.

use aws_config::SdkConfig;
use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode, RepositoryCredentials};

use super::scenario::{self, FargateTask, RunSpec};
use super::{ACCOUNT, REGION, unique};

/// The registry host of moto's account in the test Region.
pub fn registry() -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com")
}

/// Creates a private repository (a unique name under `prefix`, which may contain slashes)
/// and returns its name.
pub async fn repository(conf: &SdkConfig, prefix: &str) -> String {
    let name = unique(prefix);
    aws_sdk_ecr::Client::new(conf)
        .create_repository()
        .repository_name(&name)
        .send()
        .await
        .unwrap();
    name
}

/// Pushes an image with `tag` (its manifest made unique by `tag`) and returns the digest moto
/// reports for it.
pub async fn put_image(conf: &SdkConfig, repository: &str, tag: &str) -> String {
    let ecr = aws_sdk_ecr::Client::new(conf);
    // A Docker v2 manifest; its config digest varies with the tag so every image differs.
    let config = format!("{:0>64}", hex(tag));
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":1470,"digest":"sha256:{config}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3370706,"digest":"sha256:{}"}}]}}"#,
        "c".repeat(64)
    );
    let put = ecr
        .put_image()
        .repository_name(repository)
        .image_manifest(manifest)
        .image_manifest_media_type("application/vnd.docker.distribution.manifest.v2+json")
        .image_tag(tag)
        .send()
        .await;
    if let Err(e) = put {
        // Another test pushed the same image first: read its digest below.
        let exists = e
            .as_service_error()
            .is_some_and(|se| se.is_image_already_exists_exception());
        assert!(exists, "put_image {repository}:{tag}: {e:?}");
    }
    let out = ecr
        .describe_images()
        .repository_name(repository)
        .image_ids(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_tag(tag)
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.image_details()[0].image_digest().unwrap().to_string()
}

/// Makes sure `repository:tag` exists (creating the repository and pushing the image when they
/// are missing), so that scenarios about something else run an image ECR really has; returns
/// the image's digest as moto reports it. Safe to call from concurrent tests.
pub async fn ensure_image(conf: &SdkConfig, repository: &str, tag: &str) -> String {
    let ecr = aws_sdk_ecr::Client::new(conf);
    if let Err(e) = ecr
        .create_repository()
        .repository_name(repository)
        .send()
        .await
    {
        let exists = e
            .as_service_error()
            .is_some_and(|se| se.is_repository_already_exists_exception());
        assert!(exists, "create_repository {repository}: {e:?}");
    }
    let id = aws_sdk_ecr::types::ImageIdentifier::builder()
        .image_tag(tag)
        .build();
    let found = ecr
        .describe_images()
        .repository_name(repository)
        .image_ids(id.clone())
        .send()
        .await;
    match found {
        Ok(out) if !out.image_details().is_empty() => {
            out.image_details()[0].image_digest().unwrap().to_string()
        }
        _ => put_image(conf, repository, tag).await,
    }
}

fn hex(s: &str) -> String {
    let mut out: String = s.bytes().map(|b| format!("{b:02x}")).collect();
    out.truncate(64);
    out
}

/// Sets a repository policy.
pub async fn set_policy(conf: &SdkConfig, repository: &str, policy: &str) {
    aws_sdk_ecr::Client::new(conf)
        .set_repository_policy()
        .repository_name(repository)
        .policy_text(policy)
        .send()
        .await
        .unwrap();
}

/// Creates a Secrets Manager secret (registry credentials) and returns its ARN.
pub async fn secret(conf: &SdkConfig, name: &str) -> String {
    let out = aws_sdk_secretsmanager::Client::new(conf)
        .create_secret()
        .name(name)
        .secret_string(r#"{"username":"ci","password":"not-a-real-password"}"#)
        .send()
        .await
        .unwrap();
    out.arn().unwrap().to_string()
}

/// An execution role in moto's account that trusts ECS tasks, has the AWS managed execution
/// policy and may read the Region's secrets (so the iam stage has a real, sufficient role to
/// read and the image stage's finding is the one that explains the stop); returns its ARN.
pub async fn execution_role(conf: &SdkConfig) -> String {
    let iam = aws_sdk_iam::Client::new(conf);
    let name = unique("exec");
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let out = iam
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name(&name)
        .policy_arn("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
        .send()
        .await
        .unwrap();
    // Registry credentials are read with the execution role: let it read this Region's secrets.
    let read_secrets = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:*"}}]}}"#
    );
    iam.put_role_policy()
        .role_name(&name)
        .policy_name("registry-credentials")
        .policy_document(read_secrets)
        .send()
        .await
        .unwrap();
    out.role().unwrap().arn().to_string()
}

/// One image task: what its only container runs and with which credentials.
#[derive(Debug, Clone)]
pub struct ImageTask {
    /// The container image.
    pub image: String,
    /// The task definition's execution role ARN.
    pub execution_role_arn: String,
    /// `repositoryCredentials.credentialsParameter`.
    pub repository_credentials: Option<String>,
    /// The stop reason.
    pub stop_reason: String,
}

/// Registers a task definition with one container and runs it in a new cluster and VPC,
/// stopped with the scenario's reason.
pub async fn run(conf: &SdkConfig, spec: &ImageTask) -> FargateTask {
    let ecs = aws_sdk_ecs::Client::new(conf);
    let cluster = unique("img-cluster");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let (subnet_id, sg_id) = scenario::vpc(conf).await;
    let family = unique("img");
    let container = ContainerDefinition::builder()
        .name("app")
        .image(&spec.image)
        .essential(true)
        // moto answers RunTask with a 500 unless every container has memory (MOTO-NOTES.md).
        .memory(512)
        .set_repository_credentials(spec.repository_credentials.as_ref().map(|c| {
            RepositoryCredentials::builder()
                .credentials_parameter(c)
                .build()
                .unwrap()
        }))
        .build();
    let td = ecs
        .register_task_definition()
        .family(&family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .execution_role_arn(&spec.execution_role_arn)
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    let td_arn = td
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string();
    let (task_arn, task_id) = scenario::run_fargate_task(
        conf,
        &RunSpec {
            cluster: &cluster,
            task_definition_arn: &td_arn,
            subnet_id: &subnet_id,
            security_group_ids: std::slice::from_ref(&sg_id),
            assign_public_ip: false,
            group: None,
            stop_reason: Some(&spec.stop_reason),
        },
    )
    .await;
    FargateTask {
        cluster,
        task_arn,
        task_id,
        task_definition_arn: td_arn,
        subnet_id,
    }
}

/// A stop reason as the agent writes it for a reference the registry does not know.
pub fn not_found_reason(image: &str) -> String {
    format!(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: {image}: not found"
    )
}

/// A stop reason as the agent writes it for a registry that refused the pull.
pub fn forbidden_reason(image: &str) -> String {
    format!(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: failed to resolve reference: unexpected status code 403 Forbidden"
    )
}

/// A stop reason as the agent writes it for a registry it could not connect to.
pub fn timeout_reason(image: &str, host: &str) -> String {
    format!(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: failed to do request: Head \"https://{host}/v2/\": dial tcp 54.198.86.24:443: i/o timeout"
    )
}
