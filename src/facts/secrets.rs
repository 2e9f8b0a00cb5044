//! Secrets and parameters the task references: existence, deletion, KMS keys (metadata only).
//!
//! Only metadata is kept (DescribeSecret, DescribeParameters, kms:DescribeKey): a value is
//! never requested, so a snapshot can be shared without leaking one.

use serde::{Deserialize, Serialize};

use super::Readable;

/// Everything the secrets stage reads (filled in by collect).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretsFacts {
    /// Each distinct reference of the task definition, once, in the order first met.
    pub references: Vec<SecretReferenceFacts>,
}

/// One `valueFrom` / `credentialsParameter` and what was read about its target, so the judge
/// can tell a typo from a deleted secret from an unusable key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretReferenceFacts {
    /// The reference exactly as written in the task definition.
    pub value_from: String,
    /// The containers that use it (with `(logging)` or `(registry credentials)` when it is
    /// not an environment secret), so a finding names where to fix it.
    pub containers: Vec<String>,
    /// DescribeSecret's answer, for a Secrets Manager reference that parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Readable<SecretMetadata>>,
    /// DescribeParameters' answer, for an SSM reference that parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<Readable<ParameterLookup>>,
    /// For a parameter referenced by name and missing from the task's Region: the other
    /// Regions where a parameter of that name exists (name references only resolve locally).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub found_in_other_regions: Vec<String>,
    /// kms:DescribeKey's answer, when the secret or parameter names a customer managed key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<Readable<KmsKeyLookup>>,
}

/// A Secrets Manager secret, or the fact that it does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum SecretMetadata {
    /// DescribeSecret found it.
    #[serde(rename_all = "camelCase")]
    Found {
        /// Full ARN (with the 6-character suffix).
        arn: String,
        /// Name.
        name: String,
        /// When the secret was scheduled for deletion (RFC 3339); set means GetSecretValue fails.
        #[serde(skip_serializing_if = "Option::is_none")]
        deleted_date: Option<String>,
        /// The KMS key as Secrets Manager reports it; absent for the AWS managed key.
        #[serde(skip_serializing_if = "Option::is_none")]
        kms_key_id: Option<String>,
    },
    /// ResourceNotFoundException.
    NotFound,
}

/// An SSM parameter (metadata only), or the fact that it does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum ParameterLookup {
    /// DescribeParameters returned the exact name.
    #[serde(rename_all = "camelCase")]
    Found {
        /// Name.
        name: String,
        /// `String`, `StringList` or `SecureString`.
        #[serde(skip_serializing_if = "Option::is_none")]
        r#type: Option<String>,
        /// The KMS key of a SecureString.
        #[serde(skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
        /// The Region it was looked up in.
        region: String,
    },
    /// No parameter of that exact name in `region`.
    #[serde(rename_all = "camelCase")]
    NotFound {
        /// The Region it was looked up in.
        region: String,
    },
}

/// A KMS key's metadata, or the fact that it does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum KmsKeyLookup {
    /// kms:DescribeKey answered.
    #[serde(rename_all = "camelCase")]
    Found {
        /// The key as the secret or parameter names it.
        key_id: String,
        /// The key's ARN.
        #[serde(skip_serializing_if = "Option::is_none")]
        arn: Option<String>,
        /// `Enabled`, `Disabled`, `PendingDeletion`, ...
        #[serde(skip_serializing_if = "Option::is_none")]
        key_state: Option<String>,
        /// Whether the key is enabled.
        enabled: bool,
        /// `AWS` or `CUSTOMER`.
        #[serde(skip_serializing_if = "Option::is_none")]
        key_manager: Option<String>,
        /// The key's account.
        #[serde(skip_serializing_if = "Option::is_none")]
        account: Option<String>,
    },
    /// NotFoundException.
    #[serde(rename_all = "camelCase")]
    NotFound {
        /// The key as the secret or parameter names it.
        key_id: String,
    },
}
