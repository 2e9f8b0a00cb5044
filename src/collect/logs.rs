//! CloudWatch Logs reads for the logging stage.
//!
//! For every container whose log driver is awslogs, the group named by `awslogs-group` is
//! looked up in the Region the driver writes to (`awslogs-region`, else the task's Region):
//! DescribeLogGroups with `logGroupNamePrefix` = the group, paginated, then an exact-name
//! match, because the prefix also returns `/ecs/app-old` for `/ecs/app`. Each distinct
//! (group, Region) is read once, all concurrently; another Region gets a client built from
//! the shared one with only the Region changed. Every error becomes an `Unreadable` fact.
//!
//! The conversions are plain functions of SDK types, unit-tested with SDK builders.

use aws_sdk_cloudwatchlogs::config::Region;
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsOutput;
use tokio::task::JoinSet;

use super::Clients;
use super::error::unreadable;
use crate::facts::{
    AwslogsFacts, ContainerLogFacts, LogGroupLookup, LoggingFacts, Readable, TaskDefinitionFacts,
    TaskFacts,
};

/// Reads what the logging stage needs. Never fails: what could not be read is recorded as
/// unreadable; a task without a readable task definition has no log configuration to check.
pub(super) async fn logging(
    clients: &Clients,
    region: &str,
    _task: &TaskFacts,
    td: Option<&TaskDefinitionFacts>,
) -> LoggingFacts {
    let Some(td) = td else {
        return LoggingFacts::default();
    };
    let mut containers = containers(td, region);

    let mut wanted: Vec<(String, String)> = Vec::new();
    for c in &containers {
        if let Some(AwslogsFacts {
            group: Some(group),
            region,
            ..
        }) = &c.awslogs
        {
            let key = (group.clone(), region.clone());
            if !wanted.contains(&key) {
                wanted.push(key);
            }
        }
    }

    let mut set: JoinSet<(usize, Readable<LogGroupLookup>)> = JoinSet::new();
    for (i, (group, r)) in wanted.iter().enumerate() {
        let client = if r == region {
            clients.logs().clone()
        } else {
            regional_client(clients.logs(), r)
        };
        let group = group.clone();
        set.spawn(crate::collect::budget::carry(async move {
            (i, describe_group(&client, &group).await)
        }));
    }
    let mut answers: Vec<Option<Readable<LogGroupLookup>>> = vec![None; wanted.len()];
    for (i, lookup) in set.join_all().await {
        answers[i] = Some(lookup);
    }

    for c in &mut containers {
        if let Some(a) = &mut c.awslogs
            && let Some(group) = &a.group
        {
            a.lookup = wanted
                .iter()
                .position(|(g, r)| g == group && *r == a.region)
                .and_then(|i| answers[i].clone());
        }
    }
    LoggingFacts { containers }
}

/// The same client configuration (credentials, endpoint, retries) for another Region.
fn regional_client(
    logs: &aws_sdk_cloudwatchlogs::Client,
    region: &str,
) -> aws_sdk_cloudwatchlogs::Client {
    let conf = logs
        .config()
        .to_builder()
        .region(Region::new(region.to_string()))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(conf)
}

/// DescribeLogGroups by prefix, page by page, until the exact name is found.
async fn describe_group(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
) -> Readable<LogGroupLookup> {
    let mut pages = logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                if let Some(found) = exact_group(&p, group) {
                    return Readable::Read { value: found };
                }
            }
            Err(e) => return Readable::Unreadable(unreadable("logs:DescribeLogGroups", &e)),
        }
    }
    Readable::Read {
        value: LogGroupLookup::Missing,
    }
}

/// The group named exactly `name` in one page of a prefix search (`None`: not on this page).
pub fn exact_group(out: &DescribeLogGroupsOutput, name: &str) -> Option<LogGroupLookup> {
    out.log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name))
        .map(|g| LogGroupLookup::Exists {
            arn: g
                .log_group_arn()
                .or(g.arn())
                .filter(|a| !a.is_empty())
                .map(str::to_string),
        })
}

/// Every container with a log configuration, with its awslogs settings resolved (the Region
/// falls back to the task's; empty options count as absent). Lookups are filled in later.
pub fn containers(td: &TaskDefinitionFacts, task_region: &str) -> Vec<ContainerLogFacts> {
    td.container_definitions
        .iter()
        .filter_map(|c| {
            let l = c.log_configuration.as_ref()?;
            let opt = |k: &str| {
                l.options
                    .get(k)
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            let awslogs = (l.log_driver == "awslogs").then(|| {
                let region = opt("awslogs-region");
                AwslogsFacts {
                    group: opt("awslogs-group"),
                    region_from_options: region.is_some(),
                    region: region.unwrap_or_else(|| task_region.to_string()),
                    create_group: opt("awslogs-create-group"),
                    lookup: None,
                }
            });
            Some(ContainerLogFacts {
                container: c.name.clone(),
                log_driver: l.log_driver.clone(),
                awslogs,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ContainerDefinitionFacts, LogConfigurationFacts};
    use aws_sdk_cloudwatchlogs::types::LogGroup;

    #[test]
    fn exact_name_only() {
        let out = DescribeLogGroupsOutput::builder()
            .log_groups(
                LogGroup::builder()
                    .log_group_name("/ecs/app-old")
                    .arn("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app-old:*")
                    .build(),
            )
            .build();
        assert_eq!(exact_group(&out, "/ecs/app"), None);
        let out = DescribeLogGroupsOutput::builder()
            .log_groups(
                LogGroup::builder()
                    .log_group_name("/ecs/app")
                    .arn("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*")
                    .log_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app")
                    .build(),
            )
            .build();
        assert_eq!(
            exact_group(&out, "/ecs/app"),
            Some(LogGroupLookup::Exists {
                arn: Some("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app".into())
            })
        );
        let bare = DescribeLogGroupsOutput::builder()
            .log_groups(LogGroup::builder().log_group_name("/ecs/app").build())
            .build();
        assert_eq!(
            exact_group(&bare, "/ecs/app"),
            Some(LogGroupLookup::Exists { arn: None })
        );
    }

    fn container(name: &str, driver: &str, options: &[(&str, &str)]) -> ContainerDefinitionFacts {
        ContainerDefinitionFacts {
            name: name.into(),
            log_configuration: Some(LogConfigurationFacts::new(
                driver.into(),
                options.iter().map(|(k, v)| (k.to_string(), v.to_string())),
                vec![],
            )),
            ..ContainerDefinitionFacts::default()
        }
    }

    #[test]
    fn awslogs_settings_resolved() {
        let td = TaskDefinitionFacts {
            container_definitions: vec![
                container(
                    "app",
                    "awslogs",
                    &[
                        ("awslogs-group", "/ecs/app"),
                        ("awslogs-region", "eu-west-1"),
                        ("awslogs-create-group", "true"),
                    ],
                ),
                container("side", "awslogs", &[("awslogs-group", "/ecs/side")]),
                container("router", "awsfirelens", &[("Name", "cloudwatch")]),
                ContainerDefinitionFacts {
                    name: "quiet".into(),
                    ..ContainerDefinitionFacts::default()
                },
                container("broken", "awslogs", &[("awslogs-region", " ")]),
            ],
            ..TaskDefinitionFacts::default()
        };
        let c = containers(&td, "us-east-1");
        assert_eq!(c.len(), 4);
        let app = c[0].awslogs.as_ref().unwrap();
        assert_eq!(app.group.as_deref(), Some("/ecs/app"));
        assert_eq!(app.region, "eu-west-1");
        assert!(app.region_from_options);
        assert!(app.creates_group());
        let side = c[1].awslogs.as_ref().unwrap();
        assert_eq!(side.region, "us-east-1");
        assert!(!side.region_from_options);
        assert!(!side.creates_group());
        assert_eq!(c[2].log_driver, "awsfirelens");
        assert!(c[2].awslogs.is_none());
        let broken = c[3].awslogs.as_ref().unwrap();
        assert_eq!(broken.group, None);
        assert_eq!(broken.region, "us-east-1");
    }
}
