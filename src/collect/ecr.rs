//! ECR reads for the image stage.

use super::Clients;
use crate::facts::{ImageFacts, TaskDefinitionFacts, TaskFacts};

/// Reads what the image stage needs.
pub(super) async fn image(
    _clients: &Clients,
    _region: &str,
    _task: &TaskFacts,
    _td: Option<&TaskDefinitionFacts>,
) -> ImageFacts {
    ImageFacts::default()
}
