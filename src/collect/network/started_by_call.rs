//! The call that started a standalone task, from CloudTrail's event history: once AWS has
//! deleted a stopped task's ENI, the `RunTask` (or `StartTask`) request is the only record
//! of the security groups and public-IP setting it was started with.
//!
//! The search is bounded three ways: by time (a window around the task's `createdAt`), by
//! pages (CloudTrail returns at most 50 events a page), and by the run's deadline, under
//! CloudTrail's own limit of 2 LookupEvents requests per second (`collect::cloudtrail`).
//! Only the network configuration is taken from the event: its request parameters can also
//! carry container overrides (environment values), which never leave this function.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::collect::cloudtrail::{self, Lookup, LookupKey, TrailEvent};
use crate::collect::{Cache, Clients};
use crate::facts::{NetworkConfigSource, TaskFacts, Unreadable};

/// The calls that start a task by hand, searched in this order.
const START_CALLS: &[&str] = &["RunTask", "StartTask"];

/// Pages read per call name: 250 events around one task's start.
const MAX_PAGES: usize = 5;

/// How long before the task's `createdAt` the call may have been made (the call comes
/// first; clocks and the API's own latency add a little).
const BEFORE: i64 = 10;
/// And after it (a retried or slow call is logged at its start).
const AFTER: i64 = 5;

/// The `awsvpcConfiguration` of the call that started the task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct TrailNetwork {
    /// Its subnets.
    pub(crate) subnets: Vec<String>,
    /// Its security groups.
    pub(crate) security_groups: Vec<String>,
    /// `assignPublicIp`, when the call set it.
    pub(crate) assign_public_ip: Option<bool>,
}

/// What the search found: where the configuration comes from (or `notFound`, with what was
/// searched), and the configuration itself.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) source: NetworkConfigSource,
    pub(crate) configuration: Option<TrailNetwork>,
}

/// Searches CloudTrail for the call that started `task`. The window is aligned to a
/// quarter-hour grid and each page read is kept in the run's fact cache, so the diagnoses of
/// a sweep's groups (tasks started in the same quarter-hour) share one search instead of
/// each waiting its turn under CloudTrail's two requests a second.
pub(crate) async fn find(
    clients: &Clients,
    cache: &Cache,
    task: &TaskFacts,
) -> Result<Found, Unreadable> {
    let Some((start, end)) = window(task) else {
        return Ok(not_found(
            "the task has no createdAt or stoppedAt to bound a CloudTrail search".into(),
        ));
    };
    let mut read = 0usize;
    let mut complete = true;
    for call in START_CALLS {
        let key = format!(
            "cloudtrail:EventName/{call}/{}/{}",
            start.timestamp(),
            end.timestamp()
        );
        let lookup: Lookup = cache
            .get_or_read(key, || {
                cloudtrail::lookup_events(
                    clients,
                    LookupKey::EventName,
                    call,
                    start,
                    end,
                    MAX_PAGES,
                )
            })
            .await?;
        read += lookup.events.len();
        complete &= lookup.complete;
        if let Some((event, cfg)) = lookup
            .events
            .iter()
            .find_map(|e| started(e, &task.task_arn).map(|cfg| (e, cfg)))
        {
            return Ok(Found {
                source: NetworkConfigSource {
                    kind: "cloudTrail".into(),
                    id: Some(event.event_id.clone()),
                    at: event.event_time.clone(),
                    note: Some(format!(
                        "the {} call that started the task",
                        event.event_name
                    )),
                },
                configuration: Some(cfg),
            });
        }
    }
    let window = format!(
        "{} to {}",
        crate::event::timestamp(start),
        crate::event::timestamp(end)
    );
    let mut note = format!(
        "no {} event in CloudTrail's event history from {window} names the task ({read} events read)",
        START_CALLS.join(" or ")
    );
    if !complete {
        note.push_str(
            "; the search stopped before the end of the window (page limit or time budget)",
        );
    }
    Ok(not_found(note))
}

fn not_found(note: String) -> Found {
    Found {
        source: NetworkConfigSource {
            kind: "notFound".into(),
            note: Some(note),
            ..NetworkConfigSource::default()
        },
        configuration: None,
    }
}

/// The grid windows are aligned to, in minutes.
const GRID: i64 = 15;

/// The time window the starting call falls in: from [`BEFORE`] minutes before `createdAt`
/// to at least [`AFTER`] after it (else the hour before the stop), widened to the
/// quarter-hour grid so that tasks started close together share one search.
pub(crate) fn window(task: &TaskFacts) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let (from, to) = match parse(&task.created_at) {
        Some(created) => (
            created - Duration::minutes(BEFORE),
            created + Duration::minutes(AFTER),
        ),
        None => {
            let stopped = parse(&task.stopped_at)?;
            (
                stopped - Duration::hours(1) - Duration::minutes(BEFORE),
                stopped,
            )
        }
    };
    let grid = GRID * 60;
    let floor = |t: DateTime<Utc>| t.timestamp().div_euclid(grid) * grid;
    let start = DateTime::from_timestamp(floor(from), 0)?;
    let end = DateTime::from_timestamp(floor(to) + grid, 0)?;
    Some((start, end))
}

/// The network configuration of `event` when its response names `task_arn` among the tasks
/// it started.
pub(crate) fn started(event: &TrailEvent, task_arn: &str) -> Option<TrailNetwork> {
    let record = event.record.as_ref()?;
    let named = record
        .pointer("/responseElements/tasks")
        .and_then(Value::as_array)?
        .iter()
        .any(|t| t.get("taskArn").and_then(Value::as_str) == Some(task_arn));
    if !named {
        return None;
    }
    let cfg = record.pointer("/requestParameters/networkConfiguration/awsvpcConfiguration");
    let strings = |k: &str| -> Vec<String> {
        cfg.and_then(|c| c.get(k))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let assign_public_ip = cfg
        .and_then(|c| c.get("assignPublicIp"))
        .and_then(Value::as_str)
        .and_then(|v| match v.to_ascii_uppercase().as_str() {
            "ENABLED" => Some(true),
            "DISABLED" => Some(false),
            _ => None,
        })
        // Omitted, RunTask's default is DISABLED.
        .or_else(|| cfg.map(|_| false));
    Some(TrailNetwork {
        subnets: strings("subnets"),
        security_groups: strings("securityGroups"),
        assign_public_ip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::cloudtrail::TrailEvent;

    const TASK: &str = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef";

    fn event(record: Value) -> TrailEvent {
        TrailEvent {
            event_id: "ev-1".into(),
            event_name: "RunTask".into(),
            event_time: Some("2026-12-01T10:00:00Z".into()),
            username: Some("deployer".into()),
            event_source: Some("ecs.amazonaws.com".into()),
            resources: vec![],
            record: Some(record),
        }
    }

    #[test]
    fn the_event_whose_response_names_the_task_gives_its_configuration() {
        let e = event(serde_json::json!({
            "requestParameters": {
                "cluster": "prod",
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": ["subnet-a"], "securityGroups": ["sg-1", "sg-2"], "assignPublicIp": "ENABLED"
                }},
                "overrides": {"containerOverrides": [{"environment": [{"name": "X", "value": "secret"}]}]}
            },
            "responseElements": {"tasks": [{"taskArn": "arn:other"}, {"taskArn": TASK}], "failures": []}
        }));
        assert_eq!(
            started(&e, TASK),
            Some(TrailNetwork {
                subnets: vec!["subnet-a".into()],
                security_groups: vec!["sg-1".into(), "sg-2".into()],
                assign_public_ip: Some(true),
            })
        );
        assert_eq!(
            started(&e, "arn:aws:ecs:us-east-1:123456789012:task/prod/ffff"),
            None
        );
    }

    #[test]
    fn an_omitted_public_ip_is_runtasks_default_and_no_response_names_nothing() {
        let e = event(serde_json::json!({
            "requestParameters": {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-1"]}}},
            "responseElements": {"tasks": [{"taskArn": TASK}]}
        }));
        assert_eq!(started(&e, TASK).unwrap().assign_public_ip, Some(false));
        // CloudTrail omits responseElements it could not record: nothing is assumed.
        let e = event(serde_json::json!({"requestParameters": {}, "responseElements": null}));
        assert_eq!(started(&e, TASK), None);
        let mut e = event(serde_json::json!({}));
        e.record = None;
        assert_eq!(started(&e, TASK), None);
    }

    #[test]
    fn the_window_is_around_created_at_else_the_hour_before_the_stop_on_a_quarter_hour_grid() {
        let t = TaskFacts {
            created_at: Some("2026-12-01T10:00:00.000Z".into()),
            stopped_at: Some("2026-12-01T10:05:00.000Z".into()),
            ..TaskFacts::default()
        };
        let (a, b) = window(&t).unwrap();
        assert_eq!(crate::event::timestamp(a), "2026-12-01T09:45:00.000Z");
        assert_eq!(crate::event::timestamp(b), "2026-12-01T10:15:00.000Z");
        // A task created a few minutes later shares the same window (one search for both).
        let later = TaskFacts {
            created_at: Some("2026-12-01T10:04:59.000Z".into()),
            ..TaskFacts::default()
        };
        assert_eq!(window(&later), Some((a, b)));
        let t = TaskFacts {
            stopped_at: Some("2026-12-01T10:05:00.000Z".into()),
            ..TaskFacts::default()
        };
        let (a, b) = window(&t).unwrap();
        assert_eq!(crate::event::timestamp(a), "2026-12-01T08:45:00.000Z");
        assert_eq!(crate::event::timestamp(b), "2026-12-01T10:15:00.000Z");
        assert_eq!(window(&TaskFacts::default()), None);
    }
}
