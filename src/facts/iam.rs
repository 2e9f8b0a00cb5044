//! IAM facts: the roles a start depends on, their trust and permission policies.

use serde::{Deserialize, Serialize};

/// Everything the iam stage reads (filled in by collect/iam.rs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IamFacts {}
