//! The `iam` stage: do the roles a start depends on allow what it needs?

use crate::facts::Facts;
use crate::report::StageResult;
use crate::stage::StageName;

/// Judges the IAM facts.
pub fn judge(_facts: &Facts) -> StageResult {
    StageResult::skipped(StageName::Iam, "not implemented yet")
}
