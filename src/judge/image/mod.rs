//! The `image` stage: are the images valid, present, and pullable in principle?

use crate::facts::Facts;
use crate::report::StageResult;
use crate::stage::StageName;

/// Judges the image facts.
pub fn judge(_facts: &Facts) -> StageResult {
    StageResult::skipped(StageName::Image, "not implemented yet")
}
