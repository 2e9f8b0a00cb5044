//! Builders for the secrets stage's scenarios: secrets, parameters and KMS keys created
//! through the SDK, and the stop reasons the ECS agent writes when it cannot fetch them.

use aws_config::SdkConfig;
use aws_sdk_ssm::types::ParameterType;

use super::{ACCOUNT, REGION};

/// A customer managed KMS key; returns its ARN.
pub async fn kms_key(conf: &SdkConfig) -> String {
    aws_sdk_kms::Client::new(conf)
        .create_key()
        .description("ecs-task-doctor test key")
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .arn()
        .unwrap()
        .to_string()
}

/// Disables a KMS key (given by ARN).
pub async fn disable_key(conf: &SdkConfig, key: &str) {
    // moto answers DisableKey with a 500 (KeyError) when KeyId is the key's ARN; AWS accepts
    // an ARN. Send the bare key ID, which both accept.
    let id = key.rsplit('/').next().unwrap_or(key);
    aws_sdk_kms::Client::new(conf)
        .disable_key()
        .key_id(id)
        .send()
        .await
        .unwrap();
}

/// A Secrets Manager secret, encrypted with `kms_key` when given; returns its full ARN.
pub async fn secret(conf: &SdkConfig, name: &str, kms_key: Option<&str>) -> String {
    aws_sdk_secretsmanager::Client::new(conf)
        .create_secret()
        .name(name)
        .set_kms_key_id(kms_key.map(str::to_string))
        .secret_string("not-a-real-password")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_string()
}

/// Schedules a secret for deletion (7-day recovery window, the shortest).
pub async fn schedule_deletion(conf: &SdkConfig, arn: &str) {
    aws_sdk_secretsmanager::Client::new(conf)
        .delete_secret()
        .secret_id(arn)
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
}

/// A SecureString parameter in `region`; returns its ARN.
pub async fn parameter(conf: &SdkConfig, region: &str, name: &str) -> String {
    let conf = conf
        .to_builder()
        .region(aws_config::Region::new(region.to_string()))
        .build();
    aws_sdk_ssm::Client::new(&conf)
        .put_parameter()
        .name(name)
        .value("not-a-real-value")
        .r#type(ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    format!(
        "arn:aws:ssm:{region}:{ACCOUNT}:parameter/{}",
        name.trim_start_matches('/')
    )
}

/// A Secrets Manager ARN in moto's account and the scenarios' Region for a secret that was
/// never created.
pub fn missing_secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf")
}

/// The agent's reason when a secret does not exist (research/runbook.md §2.5).
pub fn asm_not_found_reason(arn: &str) -> String {
    format!(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret {arn} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret."
    )
}

/// The agent's reason when a secret is scheduled for deletion (GetSecretValue answers
/// InvalidRequestException for a deleted secret).
pub fn asm_deleted_reason(arn: &str) -> String {
    format!(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret {arn} from secrets manager: InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion."
    )
}

/// The agent's reason for a version-id shorter than 32 characters (research §2.5).
pub fn asm_version_id_reason(arn: &str) -> String {
    format!(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret {arn} from secrets manager: InvalidParameter: 1 validation error(s) found. - minimum field size of 32, GetSecretValueInput.VersionId."
    )
}

/// The agent's reason when SSM parameters do not exist (research §2.5).
pub fn ssm_invalid_reason(name: &str) -> String {
    format!(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: {name}"
    )
}

/// The agent's reason when the KMS key of a secret cannot be used.
pub fn asm_kms_reason(arn: &str) -> String {
    format!(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret {arn} from secrets manager: DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key."
    )
}
