//! Is the customer managed KMS key that encrypts a secret or parameter usable? (Whether the
//! execution role may call kms:Decrypt on it is the iam stage's question.)

use super::{Context, account_of};
use crate::codes::Code;
use crate::facts::{KmsKeyLookup, Readable, SecretReferenceFacts};
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, Status};

/// The key check of one reference, when its secret or parameter names a customer managed key.
pub(super) fn check(r: &SecretReferenceFacts, who: &str, ctx: &Context) -> Vec<Finding> {
    let Some(lookup) = &r.kms_key else {
        return vec![];
    };
    let v = r.value_from.as_str();
    let f = match lookup {
        Readable::Unreadable(u) => {
            let mut f = unreadable_finding(
                Code::KmsKeyNotUsable,
                Severity::High,
                "The KMS key of this secret or parameter",
                u,
                "Whether it is enabled is not known.",
            );
            if let Some(arn) = key_from_unreadable(r) {
                let other = account_of(&arn).zip(ctx.account.clone()).is_some_and(|(k, t)| k != t);
                if other {
                    f.detail.push_str(" The key is in another account than the task: it is usable only if that key's policy grants kms:Decrypt to the execution role, which cannot be verified from here.");
                }
            }
            f
        }
        Readable::Read {
            value: KmsKeyLookup::NotFound { key_id },
        } => Finding::new(
            Code::KmsKeyNotUsable,
            Status::Fail,
            Severity::Critical,
            format!("The KMS key {key_id} that encrypts '{v}' (container(s) {who}) does not exist; the value cannot be decrypted."),
        )
        .evidence("keyId", key_id.as_str())
        .remediation(
            "Re-create the secret or parameter encrypted with an existing key (aws secretsmanager update-secret --secret-id <arn> --kms-key-id <key>, or aws ssm put-parameter --overwrite --key-id <key> ...); a deleted key cannot be restored.",
        ),
        Readable::Read {
            value:
                KmsKeyLookup::Found {
                    key_id,
                    arn,
                    key_state,
                    enabled,
                    key_manager,
                    account,
                },
        } => {
            let arn_s = arn.clone().unwrap_or_else(|| key_id.clone());
            let state = key_state.as_deref().unwrap_or(if *enabled { "Enabled" } else { "Disabled" });
            let other_account = account
                .as_ref()
                .zip(ctx.account.as_ref())
                .is_some_and(|(k, t)| k != t);
            let base = |status, severity, title: String| {
                Finding::new(Code::KmsKeyNotUsable, status, severity, title)
                    .evidence("keyId", key_id.as_str())
                    .evidence("keyArn", arn_s.as_str())
                    .evidence("keyState", state)
                    .evidence("keyManager", key_manager.as_deref().unwrap_or("unknown"))
            };
            if state == "PendingDeletion" || state == "PendingReplicaDeletion" {
                base(
                    Status::Fail,
                    Severity::Critical,
                    format!("The KMS key {arn_s} that encrypts '{v}' (container(s) {who}) is pending deletion; nothing can be decrypted with it."),
                )
                .remediation(format!(
                    "Cancel the deletion and re-enable the key: aws kms cancel-key-deletion --key-id {arn_s} && aws kms enable-key --key-id {arn_s}"
                ))
            } else if !enabled || state != "Enabled" {
                base(
                    Status::Fail,
                    Severity::Critical,
                    format!("The KMS key {arn_s} that encrypts '{v}' (container(s) {who}) is {state}; the value cannot be decrypted."),
                )
                .remediation(format!("Enable the key: aws kms enable-key --key-id {arn_s}"))
            } else if other_account {
                base(
                    Status::Warn,
                    Severity::Medium,
                    format!("The KMS key {arn_s} that encrypts '{v}' is enabled but in account {}, not the task's ({}): it is usable only if that key's policy grants kms:Decrypt to the execution role, which is not verified here.", account.as_deref().unwrap_or("?"), ctx.account.as_deref().unwrap_or("?")),
                )
                .evidence("keyAccount", account.as_deref().unwrap_or(""))
                .remediation(format!(
                    "In account {}, make sure the key policy of {arn_s} allows kms:Decrypt for the task execution role (or re-encrypt with a key in the task's account).",
                    account.as_deref().unwrap_or("?")
                ))
            } else {
                base(
                    Status::Pass,
                    Severity::Info,
                    format!("The KMS key {arn_s} that encrypts '{v}' is enabled."),
                )
            }
        }
    };
    vec![f.evidence("valueFrom", v).evidence("containers", who)]
}

/// The key named by the secret's or parameter's metadata, when its DescribeKey failed.
fn key_from_unreadable(r: &SecretReferenceFacts) -> Option<String> {
    use crate::facts::{ParameterLookup, SecretMetadata};
    match (&r.secret, &r.parameter) {
        (
            Some(Readable::Read {
                value: SecretMetadata::Found { kms_key_id, .. },
            }),
            _,
        ) => kms_key_id.clone(),
        (
            _,
            Some(Readable::Read {
                value: ParameterLookup::Found { key_id, .. },
            }),
        ) => key_id.clone(),
        _ => None,
    }
}
