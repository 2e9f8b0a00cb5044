//! Facts: everything read from AWS for one task, as one serialisable snapshot.
//!
//! This is the boundary between collect (the only AWS I/O) and judge (pure). It uses
//! our own types, never SDK types, so that a snapshot saved today replays offline
//! tomorrow, and so that judge can be tested with hand-built values. A fact that
//! could not be read is kept as [`Readable::Unreadable`] with the API and the error
//! code: never silently absent, never mistaken for "fine".

mod changes;
mod ecs;
mod iam;
mod image;
mod logging;
mod network;
mod placement;
mod secrets;
mod sweep;

use serde::{Deserialize, Serialize};

pub use changes::*;
pub use ecs::*;
pub use iam::*;
pub use image::*;
pub use logging::*;
pub use network::*;
pub use placement::*;
pub use secrets::*;
pub use sweep::*;

/// The version of the Facts layout. Bumped only when an old snapshot can no longer be read as-is.
pub const FACTS_VERSION: u32 = 1;

/// Everything collected for one diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    /// Layout version of this snapshot ([`FACTS_VERSION`] when written by this build).
    pub facts_version: u32,
    /// The Region the facts were read in.
    pub region: String,
    /// What was asked, as the caller said it.
    pub request: RequestFacts,
    /// The task itself, from DescribeTasks or from the EventBridge event.
    pub task: Readable<TaskLookup>,
    /// The task definition the task ran, when the task was found.
    #[serde(default)]
    pub task_definition: Option<Readable<TaskDefinitionFacts>>,
    /// The network path, when the network stage applies (absent in older snapshots).
    #[serde(default)]
    pub network: Option<NetworkFacts>,
    /// ECR repositories, images and policies, when the image stage applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageFacts>,
    /// Roles and policies, when the iam stage applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<IamFacts>,
    /// Secret and parameter metadata, when the secrets stage applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<SecretsFacts>,
    /// Log groups, when the logging stage applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<LoggingFacts>,
    /// Capacity, instances, constraints and EFS, when the placement stage applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementFacts>,
    /// The write events CloudTrail recorded, since the task's start, on the resources the
    /// diagnosis depended on (absent when not looked up, and in older snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Readable<ChangeFacts>>,
}

/// What the caller asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestFacts {
    /// The cluster as given (name or ARN).
    pub cluster: String,
    /// The task as given (ID or ARN).
    pub task: String,
    /// Where the task's description came from.
    pub source: TaskSource,
}

/// Where the task's description came from: it changes what "not found" can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TaskSource {
    /// `ecs:DescribeTasks`, which forgets stopped tasks after about an hour.
    DescribeTasks,
    /// An EventBridge `ECS Task State Change` event, used as-is.
    Event,
}

/// A fact that was read, or the AWS error that prevented reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Readable<T> {
    /// Read successfully.
    Read {
        /// The value read.
        value: T,
    },
    /// AWS answered with an error (or did not answer).
    Unreadable(Unreadable),
}

impl<T> Readable<T> {
    /// The value, when it was read.
    pub fn value(&self) -> Option<&T> {
        match self {
            Readable::Read { value } => Some(value),
            Readable::Unreadable(_) => None,
        }
    }

    /// A value that was read: shorter than the struct literal where facts are built.
    pub fn read(value: T) -> Readable<T> {
        Readable::Read { value }
    }

    /// Why it was not read, when it was not.
    pub fn unreadable(&self) -> Option<&Unreadable> {
        match self {
            Readable::Read { .. } => None,
            Readable::Unreadable(u) => Some(u),
        }
    }
}

/// Serde for a nested fact that older snapshots kept as a plain value (`true`, a list) with
/// `null` for "not read", and that is now a [`Readable`], so the cause of a failed read is
/// kept: both shapes load, and the new one is written. (Issue 16: an unread VPC attribute or
/// prefix-list entry list had no room for its API and error.)
pub mod readable_or_plain {
    use super::Readable;
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Tagged(Readable<T>),
        Plain(T),
    }

    /// Reads `null` (absent), a plain value (read) or a tagged [`Readable`].
    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Readable<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(match Option::<Either<T>>::deserialize(d)? {
            None => None,
            Some(Either::Tagged(r)) => Some(r),
            Some(Either::Plain(v)) => Some(Readable::Read { value: v }),
        })
    }
}

/// The error code of a read cut short by a timeout or by the run's deadline: the report's
/// reason "timed out". (Snapshots written before this code existed say `Timeout`.)
pub const TIMED_OUT: &str = "TimedOut";

/// The AWS error codes that mean the caller lacks a permission, across the services read:
/// `AccessDenied` (IAM, S3), `AccessDeniedException` (ECS, ECR, Secrets Manager, SSM, KMS,
/// CloudWatch Logs, EFS), `UnauthorizedOperation` (EC2), and rarer spellings.
pub const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "UnauthorizedAccess",
    "NotAuthorized",
];

/// Why a fact could not be read: enough to tell a missing permission from a missing resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unreadable {
    /// The API that failed, as `service:Operation` (for example `ecs:DescribeTasks`).
    pub api: String,
    /// The AWS error code (for example `AccessDeniedException`), or a transport category.
    pub error_code: String,
    /// The error message AWS returned, if any.
    pub message: String,
}

impl Unreadable {
    /// True when AWS refused the read for lack of permission: then the missing permission is
    /// [`Unreadable::api`] itself (every `api` is recorded as the IAM action that authorises
    /// it, `elasticfilesystem:` for EFS, `logs:` for CloudWatch Logs).
    pub fn is_access_denied(&self) -> bool {
        ACCESS_DENIED_CODES.contains(&self.error_code.as_str())
    }

    /// True when AWS answered that the resource does not exist (`...NotFound...`,
    /// `NoSuchEntity`): an answer about the account, not trouble with the read.
    pub fn is_not_found(&self) -> bool {
        self.error_code.contains("NotFound") || self.error_code == "NoSuchEntity"
    }

    /// True when the read was cut by a timeout or by the run's deadline.
    pub fn is_timed_out(&self) -> bool {
        self.error_code == TIMED_OUT || self.error_code == "Timeout"
    }

    /// A fact the facts should hold but do not (an older, edited or cut snapshot): no AWS
    /// error, but just as unknown, so it is judged like any other unread fact, under the API
    /// that reads it.
    pub fn not_collected(api: &str) -> Unreadable {
        Unreadable {
            api: api.to_string(),
            error_code: NOT_COLLECTED.to_string(),
            message: "the facts do not hold it (not collected, or missing from the snapshot)"
                .to_string(),
        }
    }

    /// True for [`Unreadable::not_collected`].
    pub fn is_not_collected(&self) -> bool {
        self.error_code == NOT_COLLECTED
    }
}

/// The error code of [`Unreadable::not_collected`].
pub const NOT_COLLECTED: &str = "NotCollected";
