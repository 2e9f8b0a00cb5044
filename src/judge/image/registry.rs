//! Registries no VPC endpoint serves (ECR Public, Docker Hub, other registries, ECR in another
//! Region): is there an internet path, as the network stage followed it? And private-registry
//! credentials: does the secret exist?

use std::collections::HashMap;

use crate::codes::Code;
use crate::facts::{Facts, ImageFacts, ImageLookupFacts, Readable, SecretLookup};
use crate::image_ref::{EcrRegistry, ImageRef, RegistryKind};
use crate::judge::unreadable_finding;
use crate::report::{Finding, PathView, Severity, Status};

/// The network stage's paths, computed once for every image.
pub(super) enum Paths {
    /// The network facts were not collected.
    NotCollected,
    /// The paths the network stage followed, and where the first path to each destination
    /// (ASCII lower case) is: one lookup per image instead of a scan of every path, which grew
    /// with images times registries (issue 16).
    Followed(Vec<PathView>, HashMap<String, usize>),
}

impl Paths {
    /// Follows the task's paths with the network stage's own logic.
    pub fn new(facts: &Facts) -> Paths {
        if facts.network.is_none() {
            return Paths::NotCollected;
        }
        Paths::followed(crate::judge::network::judge(facts).paths)
    }

    /// These paths, indexed by destination.
    pub fn followed(paths: Vec<PathView>) -> Paths {
        let mut first = HashMap::new();
        for (i, p) in paths.iter().enumerate() {
            first.entry(p.destination.to_ascii_lowercase()).or_insert(i);
        }
        Paths::Followed(paths, first)
    }

    fn to(&self, host: &str) -> Result<&PathView, &'static str> {
        match self {
            Paths::NotCollected => Err("the network facts were not collected"),
            Paths::Followed(paths, first) => first
                .get(&host.to_ascii_lowercase())
                .map(|&i| &paths[i])
                .ok_or("the network stage did not follow a path to it (its facts are incomplete)"),
        }
    }
}

/// The registry host the network stage names: Docker Hub's pull host, else the host without port.
fn destination_host(r: &ImageRef) -> String {
    if r.is_docker_hub() {
        crate::image_ref::DOCKER_HUB_REGISTRY.to_string()
    } else {
        r.host()
    }
}

fn blocking_hop(p: &PathView) -> Option<String> {
    p.hops
        .iter()
        .find(|h| h.status == Status::Fail)
        .map(|h| format!("{}: {}", h.layer, h.detail))
}

/// A registry that only the internet reaches: PASS with a path, FAIL without one.
pub(super) fn needs_internet(
    lookup: &ImageLookupFacts,
    r: &ImageRef,
    kind: &RegistryKind,
    region: &str,
    paths: &Paths,
) -> Finding {
    let host = destination_host(r);
    let what = match kind {
        RegistryKind::EcrPublic => "ECR Public",
        RegistryKind::DockerHub => "Docker Hub",
        _ => "a registry outside AWS",
    };
    let base = |status, severity, detail: String| {
        Finding::new(
            Code::ImgPublicRegistryNeedsInternet,
            status,
            severity,
            detail,
        )
        .evidence("image", lookup.image.as_str())
        .evidence("containers", lookup.containers.clone())
        .evidence("registry", host.as_str())
    };
    match paths.to(&host) {
        Err(why) => base(
            Status::Unknown,
            Severity::Medium,
            format!(
                "'{}' is on {what} ({host}), which needs an internet path; whether the task has one is not known: {why}.",
                lookup.image
            ),
        ),
        Ok(p) => {
            let b = |status, severity, detail| {
                base(status, severity, detail).evidence("via", p.via.as_str())
            };
            match p.status {
                Status::Fail => b(
                    Status::Fail,
                    Severity::Critical,
                    format!(
                        "'{}' is on {what} ({host}), which no VPC endpoint serves, and the task has no internet path to it{}.",
                        lookup.image,
                        blocking_hop(p).map(|h| format!(" ({h})")).unwrap_or_default()
                    ),
                )
                .evidence("blockingHop", blocking_hop(p))
                .remediation(format!(
                    "Either give the task's subnet an internet path (a NAT gateway route for a private subnet, or a public subnet with assignPublicIp=ENABLED; the network stage names what is missing), or serve the image from private ECR in {region}, which VPC endpoints reach: create the repository (aws ecr create-repository --repository-name {repo} --region {region}), then docker pull {image}, docker tag it as <account-id>.dkr.ecr.{region}.amazonaws.com/{repo}:<tag>, docker push it, and point the task definition at that image.",
                    repo = r.repository,
                    image = lookup.image,
                )),
                Status::Pass | Status::Warn => b(
                    Status::Pass,
                    Severity::Info,
                    format!("'{}' is on {what} ({host}); the task reaches it via {}.", lookup.image, p.via),
                ),
                _ => b(
                    Status::Unknown,
                    Severity::Medium,
                    format!("'{}' is on {what} ({host}), which needs an internet path; the network stage could not verify the path via {}.", lookup.image, p.via),
                ),
            }
        }
    }
}

/// A private ECR image in another Region: only an internet path reaches it.
pub(super) fn cross_region(
    lookup: &ImageLookupFacts,
    r: &ImageRef,
    e: &EcrRegistry,
    region: &str,
    paths: &Paths,
) -> Finding {
    let host = format!("api.ecr.{}.amazonaws.com", e.region);
    let base = |status, severity, detail: String| {
        Finding::new(Code::ImgCrossRegionRegistry, status, severity, detail)
            .evidence("image", lookup.image.as_str())
            .evidence("containers", lookup.containers.clone())
            .evidence("registryRegion", e.region.as_str())
            .evidence("taskRegion", region)
            .evidence("registryId", e.account.as_str())
    };
    let replicate = format!(
        "aws ecr put-replication-configuration --region {src} --replication-configuration '{{\"rules\":[{{\"destinations\":[{{\"region\":\"{region}\",\"registryId\":\"{a}\"}}]}}]}}' (replication copies images pushed after it is set up), then point the task definition at {a}.dkr.ecr.{region}.amazonaws.com/{repo}",
        src = e.region,
        a = e.account,
        repo = r.repository
    );
    let lead = format!(
        "'{}' is in ECR in {} while the task runs in {region}: VPC endpoints do not cross Regions, so only an internet path reaches it",
        lookup.image, e.region
    );
    match paths.to(&host) {
        Err(why) => base(
            Status::Unknown,
            Severity::Medium,
            format!("{lead}; whether the task has one is not known: {why}."),
        ),
        Ok(p) => match p.status {
            Status::Fail => base(
                Status::Fail,
                Severity::Critical,
                format!(
                    "{lead}, and the task has none{}.",
                    blocking_hop(p).map(|h| format!(" ({h})")).unwrap_or_default()
                ),
            )
            .evidence("via", p.via.as_str())
            .evidence("blockingHop", blocking_hop(p))
            .remediation(format!(
                "Serve the image from {region}: replicate the repository, {replicate}. Otherwise give the task's subnet an internet path (see the network stage)."
            )),
            Status::Pass | Status::Warn => base(
                Status::Warn,
                Severity::Low,
                format!("{lead}; the task has one (via {}). Pulls cross Regions (slower, with data transfer charges).", p.via),
            )
            .evidence("via", p.via.as_str())
            .remediation(format!("Prefer an image in {region}: {replicate}.")),
            _ => base(
                Status::Unknown,
                Severity::Medium,
                format!("{lead}; the network stage could not verify the path via {}.", p.via),
            )
            .evidence("via", p.via.as_str()),
        },
    }
}

/// Every `repositoryCredentials` secret: it must exist and not be scheduled for deletion.
pub(super) fn credentials(image: &ImageFacts, region: &str) -> Vec<Finding> {
    image
        .registry_credentials
        .iter()
        .map(|c| {
            let containers = c.containers.join(", ");
            let base = |status, severity, detail: String| {
                Finding::new(Code::ImgRegistryCredentialsMissing, status, severity, detail)
                    .evidence("secret", c.secret.as_str())
                    .evidence("containers", c.containers.clone())
            };
            let describe = format!(
                "aws secretsmanager describe-secret --secret-id {} --region {}",
                c.secret,
                secret_region(&c.secret).unwrap_or(region)
            );
            match &c.lookup {
                None => base(
                    Status::Unknown,
                    Severity::Medium,
                    format!("The registry credentials secret {} of container(s) {containers} is in another Region and was not read.", c.secret),
                )
                .remediation(format!("Check it: {describe}")),
                Some(Readable::Unreadable(u)) => unreadable_finding(
                    Code::ImgRegistryCredentialsMissing,
                    Severity::Medium,
                    &format!("The registry credentials secret {}", c.secret),
                    u,
                    "Whether it exists is not known.",
                )
                .evidence("secret", c.secret.as_str()),
                Some(Readable::Read { value: SecretLookup::NotFound { message } }) => base(
                    Status::Fail,
                    Severity::Critical,
                    format!(
                        "Container(s) {containers} name the registry credentials secret {} (repositoryCredentials.credentialsParameter), and Secrets Manager has no such secret{}.",
                        c.secret,
                        if message.is_empty() { String::new() } else { format!(" ({message})") }
                    ),
                )
                .remediation(format!(
                    "Check the name: {describe}. If it is missing, create it with the registry's username and password as JSON keys, from a file so the password stays out of your shell history: aws secretsmanager create-secret --name <secret-name> --secret-string file://credentials.json --region {region}; then put its full ARN in repositoryCredentials.credentialsParameter and allow the execution role secretsmanager:GetSecretValue on it."
                )),
                Some(Readable::Read { value: SecretLookup::Found { arn, deleted_date: Some(when), .. } }) => base(
                    Status::Fail,
                    Severity::Critical,
                    format!("The registry credentials secret {} is scheduled for deletion ({when}): it cannot be read.", c.secret),
                )
                .evidence("secretArn", arn.clone())
                .evidence("deletedDate", when.as_str())
                .remediation(format!(
                    "aws secretsmanager restore-secret --secret-id {} --region {}",
                    arn.as_deref().unwrap_or(&c.secret),
                    secret_region(&c.secret).unwrap_or(region)
                )),
                Some(Readable::Read { value: SecretLookup::Found { arn, kms_key_id, .. } }) => base(
                    Status::Pass,
                    Severity::Info,
                    format!("The registry credentials secret {} exists (whether the execution role may read it is the iam stage's check).", c.secret),
                )
                .evidence("secretArn", arn.clone())
                .evidence("kmsKeyId", kms_key_id.clone()),
            }
        })
        .collect()
}

fn secret_region(secret: &str) -> Option<&str> {
    secret
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty())
}
