//! Container image references: `[registry[:port]/]namespace/repo[:tag][@digest]`.
//!
//! (A minimal version; the full parser with exhaustive tests and a fuzz target replaces it.)

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port), `registry-1.docker.io` for Docker Hub.
    pub registry: String,
    /// Repository path (`library/nginx`, `team/app`).
    pub repository: String,
    /// Tag, if any (`latest` is not implied here).
    pub tag: Option<String>,
    /// Digest (`sha256:...`), if any.
    pub digest: Option<String>,
}

/// A private ECR registry's coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRegistry {
    /// The registry's account.
    pub account: String,
    /// The registry's Region.
    pub region: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
}

/// Why a reference does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{reference}' is not a valid image reference: {problem}")]
pub struct ImageRefError {
    /// The reference as given.
    pub reference: String,
    /// What is wrong.
    pub problem: String,
}

impl ImageRef {
    /// Parses a reference.
    pub fn parse(s: &str) -> Result<ImageRef, ImageRefError> {
        let bad = |p: &str| ImageRefError {
            reference: s.to_string(),
            problem: p.to_string(),
        };
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), path.to_string())
            }
            _ => ("registry-1.docker.io".to_string(), rest.to_string()),
        };
        let (path, tag) = match path.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p.to_string(), Some(t.to_string())),
            _ => (path, None),
        };
        let repository = if registry == "registry-1.docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if repository.is_empty() {
            return Err(bad("the repository is empty"));
        }
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The ECR registry, for a private ECR reference.
    pub fn ecr(&self) -> Option<EcrRegistry> {
        let host = self.registry.split(':').next()?;
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() >= 6
            && labels[1] == "dkr"
            && labels[2].starts_with("ecr")
            && labels[4] == "amazonaws"
        {
            let partition = if host.ends_with(".com.cn") {
                "aws-cn"
            } else if labels[3].starts_with("us-gov-") {
                "aws-us-gov"
            } else {
                "aws"
            };
            return Some(EcrRegistry {
                account: labels[0].to_string(),
                region: labels[3].to_string(),
                partition: partition.to_string(),
            });
        }
        None
    }

    /// The repository ARN, for a private ECR reference.
    pub fn repository_arn(&self) -> Option<String> {
        let e = self.ecr()?;
        Some(format!(
            "arn:{}:ecr:{}:{}:repository/{}",
            e.partition, e.region, e.account, self.repository
        ))
    }
}
