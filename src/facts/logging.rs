//! Log groups the awslogs driver writes to, in their Regions.

use serde::{Deserialize, Serialize};

/// Everything the logging stage reads (filled in by collect).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoggingFacts {}
