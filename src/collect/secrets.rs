//! Secrets Manager, SSM and KMS metadata reads for the secrets stage (never a value).
//!
//! Only DescribeSecret, DescribeParameters (exact Name filter) and kms:DescribeKey are called:
//! GetSecretValue and GetParameter(s) return values and are never sent. Each distinct reference
//! is read once, all of them concurrently; a parameter or key in another Region is read with a
//! client for that Region built from the existing one.

use futures_util::future::join_all;

use super::error::unreadable;
use super::{Cache, Clients};
use crate::facts::{
    KmsKeyLookup, ParameterLookup, Readable, SecretMetadata, SecretReferenceFacts, SecretsFacts,
    TaskDefinitionFacts, TaskFacts, Unreadable,
};
use crate::judge::secrets::reference::Reference;

/// Reads what the secrets stage needs.
pub(super) async fn secrets(
    clients: &Clients,
    cache: &Cache,
    scope: super::Scope,
    region: &str,
    _task: &TaskFacts,
    td: Option<&TaskDefinitionFacts>,
) -> SecretsFacts {
    let Some(td) = td else {
        return SecretsFacts::default();
    };
    let reads = references(td).into_iter().map(|(value_from, containers)| {
        read(clients, cache, scope, region, value_from, containers)
    });
    SecretsFacts {
        references: join_all(reads).await,
    }
}

/// Every distinct reference (environment secrets, log-driver secret options, registry
/// credentials) with the containers that use it, in the order first met.
pub fn references(td: &TaskDefinitionFacts) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut add =
        |value_from: &str, user: String| match out.iter_mut().find(|(v, _)| v == value_from) {
            Some((_, users)) if !users.contains(&user) => users.push(user),
            Some(_) => {}
            None => out.push((value_from.to_string(), vec![user])),
        };
    for c in &td.container_definitions {
        for s in &c.secrets {
            add(&s.value_from, c.name.clone());
        }
        for s in c.log_configuration.iter().flat_map(|l| &l.secret_options) {
            add(&s.value_from, format!("{} (logging)", c.name));
        }
        if let Some(r) = &c.repository_credentials {
            add(r, format!("{} (registry credentials)", c.name));
        }
    }
    out
}

/// What Secrets Manager or Parameter Store says about one reference (metadata only).
#[derive(Debug, Clone)]
pub(super) enum Metadata {
    /// DescribeSecret, in the secret's Region.
    Secret {
        lookup: Readable<SecretMetadata>,
        region: String,
    },
    /// DescribeParameters, in the parameter's Region.
    Parameter {
        lookup: Readable<ParameterLookup>,
        region: String,
    },
}

/// Reads the metadata `reference` points at, through the run's cache: the secrets stage and
/// the iam stage (which needs the KMS key) both ask, and one request answers both.
pub(super) async fn metadata(
    clients: &Clients,
    cache: &Cache,
    region: &str,
    reference: &Reference,
) -> Metadata {
    // `/aws/reference/secretsmanager/<secret>` parameters are Secrets Manager secrets seen
    // through Parameter Store: DescribeParameters never lists them, so describe the secret.
    let reference = match reference.referenced_secret() {
        Some(mut s) => {
            if s.region.is_empty() {
                s.region = region.to_string();
            }
            Reference::Secret(s)
        }
        None => reference.clone(),
    };
    match &reference {
        Reference::Secret(s) => {
            let lookup = cache
                .get_or_read(
                    format!("secretsmanager:secret/{}/{}", s.region, s.secret_id),
                    || async {
                        let sm = if s.region == region {
                            clients.secretsmanager().clone()
                        } else {
                            aws_sdk_secretsmanager::Client::from_conf(
                                clients
                                    .secretsmanager()
                                    .config()
                                    .to_builder()
                                    .region(aws_sdk_secretsmanager::config::Region::new(
                                        s.region.clone(),
                                    ))
                                    .build(),
                            )
                        };
                        describe_secret(&sm, &s.secret_id).await
                    },
                )
                .await;
            Metadata::Secret {
                lookup,
                region: s.region.clone(),
            }
        }
        Reference::ParameterArn {
            region: r, name, ..
        } => Metadata::Parameter {
            lookup: cached_parameter(clients, cache, region, r, name).await,
            region: r.clone(),
        },
        Reference::ParameterName { name } => Metadata::Parameter {
            lookup: cached_parameter(clients, cache, region, region, name).await,
            region: region.to_string(),
        },
    }
}

/// DescribeParameters for `name` in `region`, once per run.
async fn cached_parameter(
    clients: &Clients,
    cache: &Cache,
    task_region: &str,
    region: &str,
    name: &str,
) -> Readable<ParameterLookup> {
    cache
        .get_or_read(format!("ssm:parameter/{region}/{name}"), || async {
            describe_parameter(&ssm_in(clients, task_region, region), name, region).await
        })
        .await
}

async fn read(
    clients: &Clients,
    cache: &Cache,
    scope: super::Scope,
    region: &str,
    value_from: String,
    containers: Vec<String>,
) -> SecretReferenceFacts {
    let mut facts = SecretReferenceFacts {
        value_from,
        containers,
        ..Default::default()
    };
    // A reference that does not parse is judged from its text alone: nothing to read.
    let Ok(reference) = Reference::parse(&facts.value_from) else {
        return facts;
    };
    let (key, key_region) = match metadata(clients, cache, region, &reference).await {
        Metadata::Secret { lookup, region } => {
            let key = match lookup.value() {
                Some(SecretMetadata::Found { kms_key_id, .. }) => kms_key_id.clone(),
                _ => None,
            };
            facts.secret = Some(lookup);
            (key, region)
        }
        Metadata::Parameter { lookup, region: r } => {
            if scope.other_regions
                && matches!(reference, Reference::ParameterName { .. })
                && matches!(
                    lookup,
                    Readable::Read {
                        value: ParameterLookup::NotFound { .. }
                    }
                )
            {
                if let Reference::ParameterName { name } = &reference {
                    facts.found_in_other_regions =
                        other_regions(clients, cache, region, name).await;
                }
            }
            let key = parameter_key(&lookup);
            facts.parameter = Some(lookup);
            (key, r)
        }
    };
    if let Some(key) = key.filter(|k| !is_aws_managed_alias(k)) {
        let kms_region = arn_region(&key).unwrap_or(&key_region).to_string();
        let kms = if kms_region == region {
            clients.kms().clone()
        } else {
            aws_sdk_kms::Client::from_conf(
                clients
                    .kms()
                    .config()
                    .to_builder()
                    .region(aws_sdk_kms::config::Region::new(kms_region))
                    .build(),
            )
        };
        facts.kms_key = Some(describe_key(&kms, &key).await);
    }
    facts
}

fn ssm_in(clients: &Clients, task_region: &str, region: &str) -> aws_sdk_ssm::Client {
    if region == task_region {
        clients.ssm().clone()
    } else {
        aws_sdk_ssm::Client::from_conf(
            clients
                .ssm()
                .config()
                .to_builder()
                .region(aws_sdk_ssm::config::Region::new(region.to_string()))
                .build(),
        )
    }
}

/// The Regions (other than the task's) where a parameter of this exact name exists: the
/// evidence that a name reference should have been a full ARN. Regions that cannot be read
/// are left out (this only adds a hint to a NOT_FOUND that stands anyway).
async fn other_regions(
    clients: &Clients,
    cache: &Cache,
    task_region: &str,
    name: &str,
) -> Vec<String> {
    let regions = cache
        .get_or_read("ec2:regions", || async {
            clients
                .ec2()
                .describe_regions()
                .send()
                .await
                .ok()
                .map(|out| {
                    out.regions()
                        .iter()
                        .filter_map(|r| r.region_name())
                        .map(str::to_string)
                        .collect::<Vec<String>>()
                })
        })
        .await
        .unwrap_or_default();
    let regions: Vec<&String> = regions.iter().filter(|r| *r != task_region).collect();
    let reads = regions.iter().map(|r| async move {
        match cached_parameter(clients, cache, task_region, r, name).await {
            Readable::Read {
                value: ParameterLookup::Found { .. },
            } => Some(r.to_string()),
            _ => None,
        }
    });
    let mut found: Vec<String> = join_all(reads).await.into_iter().flatten().collect();
    found.sort();
    found
}

async fn describe_secret(
    sm: &aws_sdk_secretsmanager::Client,
    id: &str,
) -> Readable<SecretMetadata> {
    match sm.describe_secret().secret_id(id).send().await {
        Ok(out) => Readable::Read {
            value: SecretMetadata::Found {
                arn: out.arn().unwrap_or(id).to_string(),
                name: out.name().unwrap_or_default().to_string(),
                deleted_date: out.deleted_date().map(|d| d.to_string()),
                kms_key_id: out.kms_key_id().map(str::to_string),
            },
        },
        Err(e) => {
            let u = unreadable("secretsmanager:DescribeSecret", &e);
            if u.error_code == "ResourceNotFoundException" {
                Readable::Read {
                    value: SecretMetadata::NotFound,
                }
            } else {
                Readable::Unreadable(u)
            }
        }
    }
}

async fn describe_parameter(
    ssm: &aws_sdk_ssm::Client,
    name: &str,
    region: &str,
) -> Readable<ParameterLookup> {
    use aws_sdk_ssm::types::ParameterStringFilter;
    let filter = match ParameterStringFilter::builder()
        .key("Name")
        .option("Equals")
        .values(name)
        .build()
    {
        Ok(f) => f,
        Err(e) => {
            return Readable::Unreadable(Unreadable {
                api: "ssm:DescribeParameters".into(),
                error_code: "InvalidFilter".into(),
                message: e.to_string(),
            });
        }
    };
    match ssm
        .describe_parameters()
        .parameter_filters(filter)
        .send()
        .await
    {
        Ok(out) => Readable::Read {
            value: parameter_lookup(out.parameters(), name, region),
        },
        Err(e) => Readable::Unreadable(unreadable("ssm:DescribeParameters", &e)),
    }
}

/// DescribeParameters' answer for one exact name (the filter is exact, but check the name).
pub fn parameter_lookup(
    found: &[aws_sdk_ssm::types::ParameterMetadata],
    name: &str,
    region: &str,
) -> ParameterLookup {
    let norm = |n: &str| n.trim_start_matches('/').to_string();
    match found
        .iter()
        .find(|p| p.name().is_some_and(|n| norm(n) == norm(name)))
    {
        Some(p) => ParameterLookup::Found {
            name: p.name().unwrap_or(name).to_string(),
            r#type: p.r#type().map(|t| t.as_str().to_string()),
            key_id: p.key_id().map(str::to_string),
            region: region.to_string(),
        },
        None => ParameterLookup::NotFound {
            region: region.to_string(),
        },
    }
}

fn parameter_key(lookup: &Readable<ParameterLookup>) -> Option<String> {
    match lookup.value() {
        Some(ParameterLookup::Found {
            r#type: Some(t),
            key_id,
            ..
        }) if t == "SecureString" => key_id.clone(),
        _ => None,
    }
}

async fn describe_key(kms: &aws_sdk_kms::Client, key: &str) -> Readable<KmsKeyLookup> {
    match kms.describe_key().key_id(key).send().await {
        Ok(out) => Readable::Read {
            value: key_lookup(key, out.key_metadata()),
        },
        Err(e) => {
            let u = unreadable("kms:DescribeKey", &e);
            if u.error_code == "NotFoundException" {
                Readable::Read {
                    value: KmsKeyLookup::NotFound {
                        key_id: key.to_string(),
                    },
                }
            } else {
                Readable::Unreadable(u)
            }
        }
    }
}

/// kms:DescribeKey's metadata as our fact.
pub fn key_lookup(key: &str, meta: Option<&aws_sdk_kms::types::KeyMetadata>) -> KmsKeyLookup {
    match meta {
        Some(m) => KmsKeyLookup::Found {
            key_id: key.to_string(),
            arn: m.arn().map(str::to_string),
            key_state: m.key_state().map(|s| s.as_str().to_string()),
            enabled: m.enabled(),
            key_manager: m.key_manager().map(|k| k.as_str().to_string()),
            account: m.aws_account_id().map(str::to_string),
        },
        None => KmsKeyLookup::NotFound {
            key_id: key.to_string(),
        },
    }
}

/// `alias/aws/...`: an AWS managed key, which the service uses on the role's behalf.
fn is_aws_managed_alias(key: &str) -> bool {
    key.starts_with("alias/aws/") || key.contains(":alias/aws/")
}

fn arn_region(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")
        .and_then(|_| arn.split(':').nth(3))
        .filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ContainerDefinitionFacts, LogConfigurationFacts, SecretRefFacts};
    use aws_sdk_kms::types::{KeyManagerType, KeyMetadata, KeyState};
    use aws_sdk_ssm::types::{ParameterMetadata, ParameterType};

    fn secret(name: &str, v: &str) -> SecretRefFacts {
        SecretRefFacts {
            name: name.into(),
            value_from: v.into(),
        }
    }

    #[test]
    fn references_are_distinct_with_their_users() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![
                ContainerDefinitionFacts {
                    name: "api".into(),
                    secrets: vec![secret("A", "/a"), secret("B", "/b")],
                    repository_credentials: Some("arn:x".into()),
                    ..Default::default()
                },
                ContainerDefinitionFacts {
                    name: "worker".into(),
                    secrets: vec![secret("A", "/a")],
                    log_configuration: Some(LogConfigurationFacts {
                        log_driver: "splunk".into(),
                        secret_options: vec![secret("token", "/b")],
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            references(&td),
            vec![
                ("/a".into(), vec!["api".to_string(), "worker".into()]),
                (
                    "/b".into(),
                    vec!["api".to_string(), "worker (logging)".into()]
                ),
                (
                    "arn:x".into(),
                    vec!["api (registry credentials)".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn parameter_conversion() {
        let p = ParameterMetadata::builder()
            .name("/app/db")
            .r#type(ParameterType::SecureString)
            .key_id("arn:aws:kms:us-east-1:123456789012:key/k")
            .build();
        assert_eq!(
            parameter_lookup(&[p], "/app/db", "us-east-1"),
            ParameterLookup::Found {
                name: "/app/db".into(),
                r#type: Some("SecureString".into()),
                key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
                region: "us-east-1".into(),
            }
        );
        assert_eq!(
            parameter_lookup(&[], "/app/db", "us-east-1"),
            ParameterLookup::NotFound {
                region: "us-east-1".into()
            }
        );
    }

    #[test]
    fn key_conversion() {
        let m = KeyMetadata::builder()
            .key_id("k")
            .arn("arn:aws:kms:us-east-1:123456789012:key/k")
            .key_state(KeyState::Disabled)
            .enabled(false)
            .key_manager(KeyManagerType::Customer)
            .aws_account_id("123456789012")
            .build()
            .unwrap();
        assert_eq!(
            key_lookup("k", Some(&m)),
            KmsKeyLookup::Found {
                key_id: "k".into(),
                arn: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
                key_state: Some("Disabled".into()),
                enabled: false,
                key_manager: Some("CUSTOMER".into()),
                account: Some("123456789012".into()),
            }
        );
        assert!(is_aws_managed_alias("alias/aws/ssm"));
        assert_eq!(
            arn_region("arn:aws:kms:eu-west-1:1:key/k"),
            Some("eu-west-1")
        );
        assert_eq!(arn_region("alias/mine"), None);
    }
}
