//! Which destinations a task's start needs, derived from its task definition.
//!
//! ECR images need the ECR API (auth token), ECR DKR (manifests) and S3 (the layers, from
//! `prod-<region>-starport-layer-bucket`). Other registries, and ECR in another Region,
//! need the internet: VPC endpoints neither serve them nor cross Regions. awslogs needs
//! CloudWatch Logs; `secrets` and `repositoryCredentials` need Secrets Manager or SSM.

use std::fmt;

use crate::facts::TaskDefinitionFacts;
use crate::image_ref::ImageRef;

/// A service the start talks to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    /// `api.ecr.<region>.amazonaws.com` (GetAuthorizationToken).
    EcrApi,
    /// `<account>.dkr.ecr.<region>.amazonaws.com` (manifests).
    EcrDkr,
    /// ECR's layer bucket in S3.
    S3Layers,
    /// CloudWatch Logs (awslogs).
    Logs,
    /// Secrets Manager.
    SecretsManager,
    /// SSM Parameter Store.
    Ssm,
    /// A registry no VPC endpoint serves (Docker Hub, ECR Public, quay, ECR in another Region).
    InternetOnly(String),
}

impl Service {
    /// The endpoint service suffix (`ecr.api`), for `com.amazonaws.<region>.<suffix>`.
    pub fn endpoint_suffix(&self) -> Option<&'static str> {
        match self {
            Service::EcrApi => Some("ecr.api"),
            Service::EcrDkr => Some("ecr.dkr"),
            Service::S3Layers => Some("s3"),
            Service::Logs => Some("logs"),
            Service::SecretsManager => Some("secretsmanager"),
            Service::Ssm => Some("ssm"),
            Service::InternetOnly(_) => None,
        }
    }

    /// A short name for reports.
    pub fn label(&self) -> String {
        match self {
            Service::S3Layers => "s3 (ECR layers)".to_string(),
            Service::InternetOnly(host) => host.clone(),
            other => other.endpoint_suffix().unwrap_or_default().to_string(),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// One destination and why the start needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The service.
    pub service: Service,
    /// Why it is needed ("image of container 'api'").
    pub why: String,
}

/// Where an image lives, as far as the network is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registry {
    /// Private ECR in the given Region.
    Ecr {
        /// The registry's Region.
        region: String,
    },
    /// Any other registry host.
    Other(String),
}

/// Where an image is pulled from, as far as the network is concerned (`nginx` →
/// `registry-1.docker.io`). None for a reference that does not parse: the image stage reports
/// it, and there is no destination to follow.
pub fn registry_of(image: &str) -> Option<Registry> {
    let r = ImageRef::parse(image).ok()?;
    Some(match r.ecr() {
        Some(e) => Registry::Ecr { region: e.region },
        None if r.is_docker_hub() => Registry::Other("registry-1.docker.io".into()),
        None => Registry::Other(r.host()),
    })
}

/// The destinations the task definition's start needs, in a stable order, each once.
pub fn needed(td: &TaskDefinitionFacts, region: &str) -> Vec<Destination> {
    let mut out: Vec<Destination> = Vec::new();
    // A set beside the list: each destination once in first-seen order, without scanning the
    // list for every container (quadratic in a hostile snapshot's registry hosts, issue 16).
    let mut seen: std::collections::BTreeSet<Service> = std::collections::BTreeSet::new();
    let mut add = |service: Service, why: String| {
        if seen.insert(service.clone()) {
            out.push(Destination { service, why });
        }
    };
    for c in &td.container_definitions {
        if let Some(registry) = c.image.as_deref().and_then(registry_of) {
            match registry {
                Registry::Ecr { region: r } if r == region => {
                    add(
                        Service::EcrApi,
                        format!("image of container '{}' is in ECR", c.name),
                    );
                    add(
                        Service::EcrDkr,
                        format!("image of container '{}' is in ECR", c.name),
                    );
                    add(
                        Service::S3Layers,
                        format!("ECR serves the layers of '{}' from S3", c.name),
                    );
                }
                Registry::Ecr { region: r } => add(
                    Service::InternetOnly(format!("api.ecr.{r}.amazonaws.com")),
                    format!(
                        "image of container '{}' is in ECR in {r}; endpoints do not cross Regions",
                        c.name
                    ),
                ),
                Registry::Other(host) => add(
                    Service::InternetOnly(host.clone()),
                    format!("image of container '{}' is on {host}", c.name),
                ),
            }
        }
        for s in c.secrets.iter().chain(
            c.log_configuration
                .iter()
                .flat_map(|l| l.secret_options.iter()),
        ) {
            if s.value_from.starts_with("arn:")
                && s.value_from.split(':').nth(2) == Some("secretsmanager")
            {
                add(
                    Service::SecretsManager,
                    format!("secret '{}' of container '{}'", s.name, c.name),
                );
            } else {
                add(
                    Service::Ssm,
                    format!("parameter '{}' of container '{}'", s.name, c.name),
                );
            }
        }
        if c.repository_credentials.is_some() {
            add(
                Service::SecretsManager,
                format!("registry credentials of container '{}'", c.name),
            );
        }
        if let Some(log) = c
            .log_configuration
            .as_ref()
            .filter(|l| l.log_driver == "awslogs")
        {
            match log.options.get("awslogs-region").map(String::as_str) {
                Some(r) if r != region => add(
                    Service::InternetOnly(format!("logs.{r}.amazonaws.com")),
                    format!("awslogs of container '{}' writes to {r}", c.name),
                ),
                _ => add(Service::Logs, format!("awslogs of container '{}'", c.name)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ContainerDefinitionFacts, LogConfigurationFacts, SecretRefFacts};

    #[test]
    fn registries() {
        let other = |h: &str| Some(Registry::Other(h.to_string()));
        let ecr = |r: &str| {
            Some(Registry::Ecr {
                region: r.to_string(),
            })
        };
        assert_eq!(registry_of("nginx"), other("registry-1.docker.io"));
        assert_eq!(
            registry_of("library/nginx:1"),
            other("registry-1.docker.io")
        );
        assert_eq!(
            registry_of("docker.io/library/nginx"),
            other("registry-1.docker.io")
        );
        assert_eq!(
            registry_of("public.ecr.aws/nginx/nginx:1"),
            other("public.ecr.aws")
        );
        assert_eq!(
            registry_of("quay.io/prometheus/node-exporter"),
            other("quay.io")
        );
        assert_eq!(registry_of("localhost:5000/app"), other("localhost"));
        let digest = format!(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:{}",
            "a".repeat(64)
        );
        assert_eq!(registry_of(&digest), ecr("eu-west-1"));
        assert_eq!(
            registry_of("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1"),
            ecr("cn-north-1")
        );
        assert_eq!(
            registry_of("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/app:1"),
            ecr("us-east-1")
        );
        assert_eq!(
            registry_of("UPPER/Case:tag"),
            None,
            "an invalid reference names no destination"
        );
    }

    #[test]
    fn destinations_of_a_typical_task() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![
                ContainerDefinitionFacts {
                    name: "api".into(),
                    image: Some("111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1".into()),
                    secrets: vec![
                        SecretRefFacts {
                            name: "DB".into(),
                            value_from:
                                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
                                    .into(),
                        },
                        SecretRefFacts {
                            name: "FLAG".into(),
                            value_from: "/app/flag".into(),
                        },
                    ],
                    log_configuration: Some(LogConfigurationFacts::new(
                        "awslogs".into(),
                        [("awslogs-region".to_string(), "us-east-1".to_string())],
                        vec![],
                    )),
                    ..Default::default()
                },
                ContainerDefinitionFacts {
                    name: "proxy".into(),
                    image: Some("envoyproxy/envoy:v1".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let services: Vec<Service> = needed(&td, "us-east-1")
            .into_iter()
            .map(|d| d.service)
            .collect();
        assert_eq!(
            services,
            [
                Service::EcrApi,
                Service::EcrDkr,
                Service::S3Layers,
                Service::SecretsManager,
                Service::Ssm,
                Service::Logs,
                Service::InternetOnly("registry-1.docker.io".into())
            ]
        );
    }

    #[test]
    fn other_region_ecr_and_logs_need_the_internet() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![ContainerDefinitionFacts {
                name: "api".into(),
                image: Some("111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1".into()),
                log_configuration: Some(LogConfigurationFacts::new(
                    "awslogs".into(),
                    [("awslogs-region".to_string(), "eu-west-1".to_string())],
                    vec![],
                )),
                ..Default::default()
            }],
            ..Default::default()
        };
        let services: Vec<Service> = needed(&td, "us-east-1")
            .into_iter()
            .map(|d| d.service)
            .collect();
        assert_eq!(
            services,
            [
                Service::InternetOnly("api.ecr.eu-west-1.amazonaws.com".into()),
                Service::InternetOnly("logs.eu-west-1.amazonaws.com".into())
            ]
        );
    }
}
