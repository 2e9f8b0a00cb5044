//! EC2 capacity, container instances and their agents, placement constraints, EFS mount targets.

use serde::{Deserialize, Serialize};

/// Everything the placement stage reads (filled in by collect).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlacementFacts {}
