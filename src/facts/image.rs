//! Image facts: what ECR says about the task's repositories, images and repository policies.

use serde::{Deserialize, Serialize};

/// Everything the image stage reads (filled in by collect/ecr.rs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImageFacts {}
