//! CloudWatch Logs reads for the logging stage.

use super::Clients;
use crate::facts::{LoggingFacts, TaskDefinitionFacts, TaskFacts};

/// Reads what the logging stage needs.
pub(super) async fn logging(
    _clients: &Clients,
    _region: &str,
    _task: &TaskFacts,
    _td: Option<&TaskDefinitionFacts>,
) -> LoggingFacts {
    LoggingFacts::default()
}
