//! The runbook's stages. Each is one Automation step and one module under `judge`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One stage of the diagnosis, in the order the Automation document runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageName {
    /// Does the task exist, did it fail to start, and what does its stop reason say?
    Task,
    /// Are the images valid, present, and pullable in principle?
    Image,
    /// Do the roles involved allow every action the start needs?
    Iam,
    /// Can the task reach every destination the start needs?
    Network,
    /// Do secret and parameter references resolve?
    Secrets,
    /// Does the awslogs log group exist, or may it be created?
    Logging,
    /// EC2 capacity, agents, constraints, EFS mount targets.
    Placement,
}

impl StageName {
    /// Every stage, in report order.
    pub const ALL: [StageName; 7] = [
        StageName::Task,
        StageName::Image,
        StageName::Iam,
        StageName::Network,
        StageName::Secrets,
        StageName::Logging,
        StageName::Placement,
    ];

    /// The lowercase name used in events, the CLI and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Task => "task",
            StageName::Image => "image",
            StageName::Iam => "iam",
            StageName::Network => "network",
            StageName::Secrets => "secrets",
            StageName::Logging => "logging",
            StageName::Placement => "placement",
        }
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which stages a request asks for: one, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageSelection {
    /// Every applicable stage in one run.
    #[default]
    All,
    /// A single stage, as one Automation step asks.
    #[serde(untagged)]
    One(StageName),
}

impl StageSelection {
    /// Whether this selection includes `stage`.
    pub fn includes(self, stage: StageName) -> bool {
        match self {
            StageSelection::All => true,
            StageSelection::One(s) => s == stage,
        }
    }
}

/// The words a user may type for a stage, for error messages.
pub const STAGE_CHOICES: &str = "task, image, iam, network, secrets, logging, placement or all";

impl FromStr for StageSelection {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if lower == "all" {
            return Ok(StageSelection::All);
        }
        StageName::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == lower)
            .map(StageSelection::One)
            .ok_or_else(|| format!("unknown stage '{s}': expected one of {STAGE_CHOICES}"))
    }
}
