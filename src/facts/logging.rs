//! Log groups the awslogs driver writes to, in their Regions.
//!
//! Only what the task definition names is looked up: the group comes from `awslogs-group`,
//! never from a naming convention, and it is looked up in the Region the driver writes to
//! (`awslogs-region`, else the task's own), because a group of the same name in another
//! Region does not help the driver.

use serde::{Deserialize, Serialize};

use super::Readable;

/// Everything the logging stage reads (filled in by collect/logs.rs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoggingFacts {
    /// Every container that has a log configuration, in task definition order. Containers
    /// without one log nowhere and cannot fail the start on logging.
    pub containers: Vec<ContainerLogFacts>,
}

/// One container's log driver, and for awslogs what the driver needs to exist.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerLogFacts {
    /// The container name.
    pub container: String,
    /// `awslogs`, `awsfirelens`, `splunk`, `fluentd`, ...: only awslogs needs a log group, so
    /// the other drivers are reported as not checked rather than silently passed.
    pub log_driver: String,
    /// The awslogs settings and the group's lookup (`None` for other drivers).
    pub awslogs: Option<AwslogsFacts>,
}

/// An awslogs configuration as the driver will use it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AwslogsFacts {
    /// `awslogs-group`; `None` when the option is missing (the driver cannot start without it).
    pub group: Option<String>,
    /// The Region the driver writes to: `awslogs-region`, else the task's Region.
    pub region: String,
    /// Whether the Region came from `awslogs-region` (true) or is the task's (false): the
    /// remediation names the option only when it is set.
    pub region_from_options: bool,
    /// `awslogs-create-group` as written (`"true"` turns creation at start on).
    pub create_group: Option<String>,
    /// DescribeLogGroups for exactly `group` in `region`; `None` when there is no group to
    /// look up.
    pub lookup: Option<Readable<LogGroupLookup>>,
}

impl AwslogsFacts {
    /// Whether the driver creates the group at start: ECS documents the value `true`; the
    /// comparison ignores case like the iam stage's, so both stages agree on it.
    pub fn creates_group(&self) -> bool {
        self.create_group
            .as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }
}

/// The answer for one exact group name in one Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lookup", rename_all = "camelCase")]
pub enum LogGroupLookup {
    /// The group exists.
    Exists {
        /// Its ARN as CloudWatch Logs gives it (`logGroupArn`, else `arn`).
        arn: Option<String>,
    },
    /// No group has exactly this name in the Region (names sharing the prefix do not count).
    Missing,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Unreadable;

    #[test]
    fn a_snapshot_round_trips_and_old_ones_still_load() {
        let facts = LoggingFacts {
            containers: vec![ContainerLogFacts {
                container: "app".into(),
                log_driver: "awslogs".into(),
                awslogs: Some(AwslogsFacts {
                    group: Some("/ecs/app".into()),
                    region: "eu-west-1".into(),
                    region_from_options: true,
                    create_group: Some("TRUE".into()),
                    lookup: Some(Readable::Unreadable(Unreadable {
                        api: "logs:DescribeLogGroups".into(),
                        error_code: "AccessDeniedException".into(),
                        message: String::new(),
                    })),
                }),
            }],
        };
        assert!(
            facts.containers[0]
                .awslogs
                .as_ref()
                .unwrap()
                .creates_group()
        );
        let json = serde_json::to_value(&facts).unwrap();
        assert_eq!(
            json["containers"][0]["awslogs"]["lookup"]["state"],
            "unreadable"
        );
        assert_eq!(serde_json::from_value::<LoggingFacts>(json).unwrap(), facts);
        let missing: Readable<LogGroupLookup> =
            serde_json::from_str(r#"{"state":"read","value":{"lookup":"missing"}}"#).unwrap();
        assert_eq!(
            missing,
            Readable::Read {
                value: LogGroupLookup::Missing
            }
        );
        assert_eq!(
            serde_json::from_str::<LoggingFacts>("{}").unwrap(),
            LoggingFacts::default()
        );
    }
}
