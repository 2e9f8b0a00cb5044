//! IAM reads for the iam stage.

use super::Clients;
use crate::facts::{IamFacts, TaskDefinitionFacts, TaskFacts};

/// Reads what the iam stage needs.
pub(super) async fn iam(
    _clients: &Clients,
    _region: &str,
    _task: &TaskFacts,
    _td: Option<&TaskDefinitionFacts>,
) -> IamFacts {
    IamFacts::default()
}
