//! Secrets Manager, SSM and KMS metadata reads for the secrets stage (never a value).

use super::Clients;
use crate::facts::{SecretsFacts, TaskDefinitionFacts, TaskFacts};

/// Reads what the secrets stage needs.
pub(super) async fn secrets(
    _clients: &Clients,
    _region: &str,
    _task: &TaskFacts,
    _td: Option<&TaskDefinitionFacts>,
) -> SecretsFacts {
    SecretsFacts::default()
}
