//! ECR reads for the image stage, and the metadata of private-registry credentials.
//!
//! Each distinct image of the task is looked up once. Only private ECR images in the task's
//! own Region are read (the clients are regional; another Region's registry needs no ECR call
//! to judge): DescribeRepositories with `registryId` = the image's account, DescribeImages by
//! tag and by digest, and GetRepositoryPolicy, all concurrently for all images. Secrets named
//! by `repositoryCredentials` are read with DescribeSecret only: their values are never
//! requested. Every error becomes an `Unreadable` fact, except the answers that *are* the
//! fact (`RepositoryNotFoundException`, `ImageNotFoundException`,
//! `RepositoryPolicyNotFoundException`, `ResourceNotFoundException`).
//!
//! The conversions are plain functions of SDK types, unit-tested with SDK builders.

use aws_sdk_ecr::operation::describe_images::DescribeImagesOutput;
use aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesOutput;
use aws_sdk_ecr::operation::get_repository_policy::GetRepositoryPolicyOutput;
use aws_sdk_ecr::types::ImageIdentifier;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
use chrono::DateTime;
use tokio::task::JoinSet;

use super::error::unreadable;
use super::{Cache, Clients};
use crate::event::timestamp;
use crate::facts::{
    ImageFacts, ImageLookup, ImageLookupFacts, Readable, RegistryCredentialsFacts,
    RepositoryLookup, RepositoryPolicy, SecretLookup, TaskDefinitionFacts, TaskFacts,
};
use crate::image_ref::ImageRef;

/// Reads what the image stage needs. Never fails: what could not be read is recorded as
/// unreadable, what needs no call is left `None`.
pub(super) async fn image(
    clients: &Clients,
    cache: &Cache,
    region: &str,
    task: &TaskFacts,
    td: Option<&TaskDefinitionFacts>,
) -> ImageFacts {
    let (mut images, mut creds) = (Vec::new(), Vec::new());
    for (container, image, credentials) in containers(task, td) {
        if let Some(image) = image {
            add_user(&mut images, image, container.clone());
        }
        if let Some(secret) = credentials {
            match creds
                .iter_mut()
                .find(|c: &&mut RegistryCredentialsFacts| c.secret == secret)
            {
                Some(c) => c.containers.push(container),
                None => creds.push(RegistryCredentialsFacts {
                    secret,
                    containers: vec![container],
                    lookup: None,
                }),
            }
        }
    }

    let mut set: JoinSet<(usize, Lookups)> = JoinSet::new();
    for (i, facts) in images.iter().enumerate() {
        let Ok(r) = ImageRef::parse(&facts.image) else {
            continue;
        };
        match r.ecr() {
            Some(e) if e.region == region => {
                let ecr = clients.ecr().clone();
                let cache = cache.clone();
                set.spawn(crate::collect::budget::carry(async move {
                    (i, ecr_lookups(ecr, cache, e.account, r).await)
                }));
            }
            _ => {}
        }
    }
    let mut secrets: JoinSet<(usize, Readable<SecretLookup>)> = JoinSet::new();
    for (i, c) in creds.iter().enumerate() {
        if secret_region(&c.secret).is_some_and(|r| r != region) {
            // The agent reads it in its own Region; our regional client cannot.
            continue;
        }
        let sm = clients.secretsmanager().clone();
        let id = c.secret.clone();
        secrets.spawn(crate::collect::budget::carry(async move {
            (i, describe_secret(&sm, &id).await)
        }));
    }
    let (ecr_results, secret_results) = tokio::join!(set.join_all(), secrets.join_all());
    for (i, l) in ecr_results {
        let f = &mut images[i];
        f.repository = Some(l.repository);
        f.tag_lookup = l.tag;
        f.digest_lookup = l.digest;
        f.repository_policy = Some(l.policy);
    }
    for (i, l) in secret_results {
        creds[i].lookup = Some(l);
    }
    ImageFacts {
        images,
        registry_credentials: creds,
    }
}

/// (container name, image, repositoryCredentials) of every container: from the task
/// definition, else from the task itself (which has no credentials).
fn containers(
    task: &TaskFacts,
    td: Option<&TaskDefinitionFacts>,
) -> Vec<(String, Option<String>, Option<String>)> {
    match td {
        Some(td) => td
            .container_definitions
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.image.clone(),
                    c.repository_credentials.clone().filter(|s| !s.is_empty()),
                )
            })
            .collect(),
        None => task
            .containers
            .iter()
            .map(|c| (c.name.clone(), c.image.clone(), None))
            .collect(),
    }
}

fn add_user(images: &mut Vec<ImageLookupFacts>, image: String, container: String) {
    match images.iter_mut().find(|f| f.image == image) {
        Some(f) => f.containers.push(container),
        None => images.push(ImageLookupFacts {
            image,
            containers: vec![container],
            ..ImageLookupFacts::default()
        }),
    }
}

/// The Region of a secret given as an ARN.
fn secret_region(secret: &str) -> Option<&str> {
    secret
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty())
}

struct Lookups {
    repository: Readable<RepositoryLookup>,
    tag: Option<Readable<ImageLookup>>,
    digest: Option<Readable<ImageLookup>>,
    policy: Readable<RepositoryPolicy>,
}

/// The repository, the image by tag and by digest, and the repository policy, each read once
/// per sweep (through `cache`, keyed by registry, repository and image).
async fn ecr_lookups(
    ecr: aws_sdk_ecr::Client,
    cache: Cache,
    account: String,
    r: ImageRef,
) -> Lookups {
    let repo = format!("{account}/{}", r.repository);
    let tag = r.effective_tag().map(str::to_string);
    let id_tag = tag.map(|t| ImageIdentifier::builder().image_tag(t).build());
    let id_digest = r
        .digest
        .clone()
        .map(|d| ImageIdentifier::builder().image_digest(d).build());
    let image = |id: ImageIdentifier| {
        let key = format!(
            "ecr:image/{repo}@{}{}",
            id.image_tag().unwrap_or_default(),
            id.image_digest().unwrap_or_default()
        );
        let (ecr, cache, account, name) = (&ecr, &cache, &account, &r.repository);
        async move {
            cache
                .get_or_read(key, || describe_image(ecr, account, name, id))
                .await
        }
    };
    let (repository, tag, digest, policy) = tokio::join!(
        cache.get_or_read(format!("ecr:repository/{repo}"), || {
            describe_repository(&ecr, &account, &r.repository)
        }),
        async {
            match id_tag {
                Some(id) => Some(image(id).await),
                None => None,
            }
        },
        async {
            match id_digest {
                Some(id) => Some(image(id).await),
                None => None,
            }
        },
        cache.get_or_read(format!("ecr:repository-policy/{repo}"), || {
            repository_policy(&ecr, &account, &r.repository)
        }),
    );
    Lookups {
        repository,
        tag,
        digest,
        policy,
    }
}

async fn describe_repository(
    ecr: &aws_sdk_ecr::Client,
    account: &str,
    name: &str,
) -> Readable<RepositoryLookup> {
    match ecr
        .describe_repositories()
        .registry_id(account)
        .repository_names(name)
        .send()
        .await
    {
        Ok(out) => Readable::Read {
            value: repository_lookup(&out, name),
        },
        Err(e) => match e.as_service_error() {
            Some(se) if se.is_repository_not_found_exception() => Readable::Read {
                value: RepositoryLookup::NotFound {
                    message: se.meta().message().unwrap_or_default().to_string(),
                },
            },
            _ => Readable::Unreadable(unreadable("ecr:DescribeRepositories", &e)),
        },
    }
}

async fn describe_image(
    ecr: &aws_sdk_ecr::Client,
    account: &str,
    name: &str,
    id: ImageIdentifier,
) -> Readable<ImageLookup> {
    match ecr
        .describe_images()
        .registry_id(account)
        .repository_name(name)
        .image_ids(id)
        .send()
        .await
    {
        Ok(out) => Readable::Read {
            value: image_lookup(&out),
        },
        Err(e) => match e.as_service_error() {
            Some(se) if se.is_image_not_found_exception() => Readable::Read {
                value: ImageLookup::NotFound {
                    message: se.meta().message().unwrap_or_default().to_string(),
                },
            },
            // RepositoryNotFoundException stays unreadable here: the repository lookup says it.
            _ => Readable::Unreadable(unreadable("ecr:DescribeImages", &e)),
        },
    }
}

async fn repository_policy(
    ecr: &aws_sdk_ecr::Client,
    account: &str,
    name: &str,
) -> Readable<RepositoryPolicy> {
    match ecr
        .get_repository_policy()
        .registry_id(account)
        .repository_name(name)
        .send()
        .await
    {
        Ok(out) => Readable::Read {
            value: policy(&out),
        },
        Err(e) => match e.as_service_error() {
            Some(se) if se.is_repository_policy_not_found_exception() => Readable::Read {
                value: RepositoryPolicy::None,
            },
            _ => Readable::Unreadable(unreadable("ecr:GetRepositoryPolicy", &e)),
        },
    }
}

async fn describe_secret(sm: &aws_sdk_secretsmanager::Client, id: &str) -> Readable<SecretLookup> {
    // Metadata only: DescribeSecret never returns the value.
    match sm.describe_secret().secret_id(id).send().await {
        Ok(out) => Readable::Read {
            value: secret_lookup(&out),
        },
        Err(e) => match e.as_service_error() {
            Some(se) if se.is_resource_not_found_exception() => Readable::Read {
                value: SecretLookup::NotFound {
                    message: se.meta().message().unwrap_or_default().to_string(),
                },
            },
            _ => Readable::Unreadable(unreadable("secretsmanager:DescribeSecret", &e)),
        },
    }
}

fn ts(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        .map(timestamp)
}

fn s(v: Option<&str>) -> Option<String> {
    v.filter(|x| !x.is_empty()).map(str::to_string)
}

/// The repository named `name` in a DescribeRepositories answer (an answer without it is
/// "not found": the API was asked for exactly that name).
pub fn repository_lookup(out: &DescribeRepositoriesOutput, name: &str) -> RepositoryLookup {
    match out
        .repositories()
        .iter()
        .find(|r| r.repository_name() == Some(name))
    {
        Some(r) => RepositoryLookup::Exists {
            arn: s(r.repository_arn()),
            uri: s(r.repository_uri()),
            registry_id: s(r.registry_id()),
        },
        None => RepositoryLookup::NotFound {
            message: format!("DescribeRepositories did not return '{name}'"),
        },
    }
}

/// The image in a DescribeImages answer for one image ID.
pub fn image_lookup(out: &DescribeImagesOutput) -> ImageLookup {
    match out.image_details().first() {
        Some(d) => ImageLookup::Found {
            digest: s(d.image_digest()),
            tags: d.image_tags().to_vec(),
            pushed_at: ts(d.image_pushed_at()),
        },
        None => ImageLookup::NotFound {
            message: "DescribeImages returned no image".into(),
        },
    }
}

/// The policy text of a GetRepositoryPolicy answer.
pub fn policy(out: &GetRepositoryPolicyOutput) -> RepositoryPolicy {
    match out.policy_text() {
        Some(t) if !t.trim().is_empty() => RepositoryPolicy::Text {
            text: t.to_string(),
        },
        _ => RepositoryPolicy::None,
    }
}

/// A secret's metadata from DescribeSecret (which never carries the value).
pub fn secret_lookup(out: &DescribeSecretOutput) -> SecretLookup {
    SecretLookup::Found {
        arn: s(out.arn()),
        name: s(out.name()),
        deleted_date: ts(out.deleted_date()),
        kms_key_id: s(out.kms_key_id()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ContainerDefinitionFacts;
    use aws_sdk_ecr::types::{ImageDetail, Repository};

    #[test]
    fn repository_found_by_name() {
        let out = DescribeRepositoriesOutput::builder()
            .repositories(
                Repository::builder()
                    .repository_name("team/app")
                    .repository_arn("arn:aws:ecr:us-east-1:123456789012:repository/team/app")
                    .registry_id("123456789012")
                    .repository_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app")
                    .build(),
            )
            .build();
        assert_eq!(
            repository_lookup(&out, "team/app"),
            RepositoryLookup::Exists {
                arn: Some("arn:aws:ecr:us-east-1:123456789012:repository/team/app".into()),
                uri: Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app".into()),
                registry_id: Some("123456789012".into()),
            }
        );
        assert!(matches!(
            repository_lookup(&out, "team/other"),
            RepositoryLookup::NotFound { .. }
        ));
    }

    #[test]
    fn image_found_with_digest_and_tags() {
        let out = DescribeImagesOutput::builder()
            .image_details(
                ImageDetail::builder()
                    .image_digest("sha256:abc")
                    .image_tags("1.2")
                    .image_tags("latest")
                    .image_pushed_at(aws_smithy_types::DateTime::from_secs(1_700_000_000))
                    .build(),
            )
            .build();
        assert_eq!(
            image_lookup(&out),
            ImageLookup::Found {
                digest: Some("sha256:abc".into()),
                tags: vec!["1.2".into(), "latest".into()],
                pushed_at: Some("2023-11-14T22:13:20.000Z".into()),
            }
        );
        let empty = DescribeImagesOutput::builder().build();
        assert!(matches!(image_lookup(&empty), ImageLookup::NotFound { .. }));
    }

    #[test]
    fn policy_text_or_none() {
        let out = GetRepositoryPolicyOutput::builder()
            .policy_text("{\"Statement\":[]}")
            .build();
        assert_eq!(
            policy(&out),
            RepositoryPolicy::Text {
                text: "{\"Statement\":[]}".into()
            }
        );
        assert_eq!(
            policy(&GetRepositoryPolicyOutput::builder().build()),
            RepositoryPolicy::None
        );
    }

    #[test]
    fn secret_metadata_only() {
        let out = DescribeSecretOutput::builder()
            .arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:hub-AbCdEf")
            .name("hub")
            .deleted_date(aws_smithy_types::DateTime::from_secs(1_700_000_000))
            .build();
        assert_eq!(
            secret_lookup(&out),
            SecretLookup::Found {
                arn: Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:hub-AbCdEf".into()),
                name: Some("hub".into()),
                deleted_date: Some("2023-11-14T22:13:20.000Z".into()),
                kms_key_id: None,
            }
        );
    }

    #[test]
    fn containers_share_one_lookup_per_image() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![
                ContainerDefinitionFacts {
                    name: "a".into(),
                    image: Some("nginx".into()),
                    repository_credentials: Some("hub".into()),
                    ..Default::default()
                },
                ContainerDefinitionFacts {
                    name: "b".into(),
                    image: Some("nginx".into()),
                    repository_credentials: Some(String::new()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let list = containers(&TaskFacts::default(), Some(&td));
        let mut images = Vec::new();
        for (c, i, _) in &list {
            add_user(&mut images, i.clone().unwrap(), c.clone());
        }
        assert_eq!(images.len(), 1);
        assert_eq!(images[0].containers, vec!["a", "b"]);
        assert_eq!(list[1].2, None);
    }

    #[test]
    fn secret_regions() {
        assert_eq!(
            secret_region("arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"),
            Some("eu-west-1")
        );
        assert_eq!(secret_region("hub-credentials"), None);
    }
}
