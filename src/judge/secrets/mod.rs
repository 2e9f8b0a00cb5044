//! The `secrets` stage.

use crate::facts::Facts;
use crate::report::StageResult;
use crate::stage::StageName;

/// Judges the secrets facts.
pub fn judge(_facts: &Facts) -> StageResult {
    StageResult::skipped(StageName::Secrets, "not implemented yet")
}
