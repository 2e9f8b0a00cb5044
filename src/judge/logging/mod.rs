//! The `logging` stage.

use crate::facts::Facts;
use crate::report::StageResult;
use crate::stage::StageName;

/// Judges the logging facts.
pub fn judge(_facts: &Facts) -> StageResult {
    StageResult::skipped(StageName::Logging, "not implemented yet")
}
