//! Image facts: what ECR says about the task's repositories, images and repository policies,
//! and what Secrets Manager says about private-registry credentials (metadata only).
//!
//! Only images in a private ECR registry of the task's own Region are looked up: an image in
//! another Region or on another registry needs no ECR call to judge (the reference and the
//! network path decide). A lookup that was not made is `None`; one that failed is
//! [`Readable::Unreadable`], never mistaken for "not found".

use serde::{Deserialize, Serialize};

use super::Readable;

/// Everything the image stage reads (filled in by collect/ecr.rs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImageFacts {
    /// One entry per distinct image reference of the task, in container order.
    pub images: Vec<ImageLookupFacts>,
    /// One entry per distinct `repositoryCredentials.credentialsParameter`.
    pub registry_credentials: Vec<RegistryCredentialsFacts>,
}

/// What ECR says about one image reference.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImageLookupFacts {
    /// The reference exactly as the task definition gives it.
    pub image: String,
    /// The containers that use it.
    pub containers: Vec<String>,
    /// `ecr:DescribeRepositories` (registryId = the image's account); `None` when not asked.
    pub repository: Option<Readable<RepositoryLookup>>,
    /// `ecr:DescribeImages` by the reference's tag (`latest` when it names neither tag nor digest).
    pub tag_lookup: Option<Readable<ImageLookup>>,
    /// `ecr:DescribeImages` by the reference's digest.
    pub digest_lookup: Option<Readable<ImageLookup>>,
    /// `ecr:GetRepositoryPolicy`.
    pub repository_policy: Option<Readable<RepositoryPolicy>>,
}

/// Whether a repository exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lookup", rename_all = "camelCase")]
pub enum RepositoryLookup {
    /// The repository exists.
    Exists {
        /// Its ARN as ECR reports it.
        #[serde(default)]
        arn: Option<String>,
        /// Its URI (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`).
        #[serde(default)]
        uri: Option<String>,
        /// The owning account.
        #[serde(default)]
        registry_id: Option<String>,
    },
    /// ECR answered `RepositoryNotFoundException`.
    NotFound {
        /// ECR's message.
        #[serde(default)]
        message: String,
    },
}

/// Whether an image (by tag or digest) exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lookup", rename_all = "camelCase")]
pub enum ImageLookup {
    /// The image exists.
    Found {
        /// The manifest digest ECR reports.
        #[serde(default)]
        digest: Option<String>,
        /// Every tag the image carries.
        #[serde(default)]
        tags: Vec<String>,
        /// When it was pushed (RFC 3339).
        #[serde(default)]
        pushed_at: Option<String>,
    },
    /// ECR answered `ImageNotFoundException` (or an empty list).
    NotFound {
        /// ECR's message.
        #[serde(default)]
        message: String,
    },
}

/// A repository's resource policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "camelCase")]
pub enum RepositoryPolicy {
    /// The repository has no policy (`RepositoryPolicyNotFoundException`).
    None,
    /// The policy document.
    Text {
        /// The JSON text as ECR returns it.
        text: String,
    },
}

/// A private-registry credentials secret, by metadata only (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistryCredentialsFacts {
    /// `credentialsParameter` as given (an ARN or a name).
    pub secret: String,
    /// The containers that use it.
    pub containers: Vec<String>,
    /// `secretsmanager:DescribeSecret`; `None` when not asked (a secret in another Region).
    pub lookup: Option<Readable<SecretLookup>>,
}

/// Whether a secret exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lookup", rename_all = "camelCase")]
pub enum SecretLookup {
    /// The secret exists.
    Found {
        /// Its ARN.
        #[serde(default)]
        arn: Option<String>,
        /// Its name.
        #[serde(default)]
        name: Option<String>,
        /// When it is scheduled for deletion (RFC 3339), if it is.
        #[serde(default)]
        deleted_date: Option<String>,
        /// Its KMS key, when not the AWS managed one.
        #[serde(default)]
        kms_key_id: Option<String>,
    },
    /// Secrets Manager answered `ResourceNotFoundException`.
    NotFound {
        /// The service's message.
        #[serde(default)]
        message: String,
    },
}
