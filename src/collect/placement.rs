//! ECS capacity and EFS reads for the placement stage.

use super::Clients;
use crate::facts::{PlacementFacts, TaskDefinitionFacts, TaskFacts};

/// Reads what the placement stage needs.
pub(super) async fn placement(
    _clients: &Clients,
    _region: &str,
    _task: &TaskFacts,
    _td: Option<&TaskDefinitionFacts>,
) -> PlacementFacts {
    PlacementFacts::default()
}
