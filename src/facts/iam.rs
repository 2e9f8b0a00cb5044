//! IAM facts: the roles a start depends on, their trust and permission policies.
//!
//! Policy documents are kept as JSON text, already URL-decoded (IAM returns them
//! RFC 3986-encoded), so that judge can evaluate them and a snapshot shows them as written.

use serde::{Deserialize, Serialize};

use super::Readable;

/// Everything the iam stage reads (filled in by collect/iam.rs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IamFacts {
    /// The execution role ARN the task ran with (its overrides, else the task definition);
    /// `None`: the task had none.
    pub execution_role_arn: Option<String>,
    /// The execution role as read, when the task has one.
    pub execution_role: Option<Readable<RoleLookup>>,
    /// EC2 launch type: the container instance's instance-profile role, which pulls images
    /// when no execution role does.
    pub instance_role: Option<InstanceRoleFacts>,
    /// The KMS key of each secret and SecureString parameter the execution role reads
    /// (metadata only: DescribeSecret / DescribeParameters), to know when kms:Decrypt is needed.
    #[serde(default)]
    pub secret_keys: Vec<SecretKeyFacts>,
}

/// The KMS key that encrypts one referenced secret or parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyFacts {
    /// The reference as the task definition gives it (`valueFrom` or `credentialsParameter`).
    pub reference: String,
    /// The key: `None` inside when the AWS managed key encrypts it (no kms:Decrypt needed),
    /// else the key ID, key ARN, alias name or alias ARN the metadata names.
    pub key: Readable<Option<String>>,
}

/// The outcome of looking a role up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lookup", rename_all = "camelCase")]
pub enum RoleLookup {
    /// The role exists.
    Found {
        /// The role and its policies.
        role: Box<RoleFacts>,
    },
    /// IAM answered `NoSuchEntity`: the role does not exist (deleted, or a typo in the ARN).
    NotFound {
        /// The role name asked for.
        name: String,
    },
    /// There is no role to look up (an instance without an instance profile, a profile
    /// without a role); the text says which.
    Missing {
        /// Why there is no role.
        why: String,
    },
}

/// A role, its trust policy and every policy that decides what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleFacts {
    /// The role ARN.
    pub arn: String,
    /// The role name.
    pub name: String,
    /// The trust policy (`AssumeRolePolicyDocument`), decoded.
    pub trust_policy: Option<String>,
    /// Inline policies (ListRolePolicies + GetRolePolicy).
    pub inline_policies: Readable<Vec<InlinePolicyFacts>>,
    /// Attached managed policies, AWS-managed included (ListAttachedRolePolicies, then
    /// GetPolicy + GetPolicyVersion for the default version).
    pub attached_policies: Readable<Vec<ManagedPolicyFacts>>,
    /// The permissions boundary, when the role has one.
    pub permissions_boundary: Option<ManagedPolicyFacts>,
}

impl Default for Readable<Vec<InlinePolicyFacts>> {
    fn default() -> Self {
        Readable::Read { value: Vec::new() }
    }
}

impl Default for Readable<Vec<ManagedPolicyFacts>> {
    fn default() -> Self {
        Readable::Read { value: Vec::new() }
    }
}

/// One inline policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InlinePolicyFacts {
    /// The policy name.
    pub name: String,
    /// The document, decoded (or why it could not be read).
    pub document: Readable<String>,
}

/// One managed policy (attached, or the permissions boundary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedPolicyFacts {
    /// The policy ARN (`arn:aws:iam::aws:policy/...` for AWS-managed ones).
    pub arn: String,
    /// The default version's document, decoded (or why it could not be read).
    pub document: Readable<String>,
}

/// How the EC2 container instance's role was found, step by step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstanceRoleFacts {
    /// The container instance ARN (from the task).
    pub container_instance_arn: String,
    /// Its EC2 instance ID (DescribeContainerInstances).
    pub ec2_instance_id: Option<String>,
    /// The instance profile ARN (DescribeInstances).
    pub instance_profile_arn: Option<String>,
    /// The role (GetInstanceProfile, then the role's reads); an `Unreadable` from
    /// whichever step failed.
    pub role: Option<Readable<RoleLookup>>,
}
