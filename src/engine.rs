//! The engine: the one library function both shells call.
//!
//! The Lambda builds an [`Engine`] once per container and reuses it for every
//! invocation; the CLI builds one per run. Both then call [`Engine::diagnose`].

use aws_config::SdkConfig;

use crate::collect::{self, Clients};
use crate::facts::Facts;
use crate::judge;
use crate::report::Report;
use crate::request::{DiagnoseRequest, RequestError};
use crate::stage::StageSelection;

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The request is invalid (bad field, ARN of another Region, ...).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The SDK configuration has no Region, so no AWS call can be made.
    #[error(
        "no AWS Region is configured: set AWS_REGION (or a profile's region) to the Region the task ran in"
    )]
    NoRegion,
}

/// A diagnosis: the facts read and the report judged from them.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// What was read.
    pub facts: Facts,
    /// What it means.
    pub report: Report,
}

/// Clients plus the Region they talk to.
#[derive(Debug, Clone)]
pub struct Engine {
    clients: Clients,
    region: String,
}

impl Engine {
    /// Builds the engine from an SDK configuration (Region, credentials, optional endpoint).
    pub fn new(conf: &SdkConfig) -> Result<Engine, EngineError> {
        let region = conf
            .region()
            .map(|r| r.as_ref().to_string())
            .ok_or(EngineError::NoRegion)?;
        Ok(Engine {
            clients: Clients::new(conf),
            region,
        })
    }

    /// The Region this engine reads.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The AWS clients (for shells that need one directly).
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Validates the request for this Region, collects the facts and judges them.
    pub async fn diagnose(&self, request: &DiagnoseRequest) -> Result<Diagnosis, EngineError> {
        request.check_region(&self.region)?;
        let facts = collect::collect(&self.clients, &self.region, request).await;
        let report = judge::judge(&facts, request.stage);
        Ok(Diagnosis { facts, report })
    }
}

/// Replays saved facts: no AWS access at all.
pub fn replay(facts: &Facts, stage: StageSelection) -> Report {
    judge::judge(facts, stage)
}
