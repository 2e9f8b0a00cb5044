//! Secrets and parameters the task references: existence, deletion, KMS keys (metadata only).

use serde::{Deserialize, Serialize};

/// Everything the secrets stage reads (filled in by collect).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretsFacts {}
