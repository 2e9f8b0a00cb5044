//! What changed since the failure (`TASK_CHANGED_SINCE_FAILURE`, in the task stage): the write
//! events CloudTrail recorded on the resources the start depended on, from the task's start to
//! the diagnosis. Pure: it reads [`ChangeFacts`] only.
//!
//! - PASS: every resource was searched to the end and none was written to.
//! - WARN: changes were found; each is listed with its time, caller, resource and event, and
//!   those after the task stopped are marked (a change after the failure may be what fixed
//!   it, or what now hides the cause; one before it may be the cause).
//! - UNKNOWN: the history could not be read, or not all of it (a page cap, the deadline, a
//!   resource over the cap, a lookup refused), and nothing was found in what was read.

use crate::codes::Code;
use crate::facts::{ChangeEvent, ChangeFacts, Facts, Readable};
use crate::report::{Finding, Severity, Status};

/// How many changes the detail lists (the evidence keeps them all).
const LISTED: usize = 20;

/// The finding, when the changes were looked up.
pub fn finding(facts: &Facts) -> Option<Finding> {
    match facts.changes.as_ref()? {
        Readable::Unreadable(u) => Some(super::unreadable_finding(
            Code::TaskChangedSinceFailure,
            Severity::Low,
            "The CloudTrail event history of the resources this start depended on",
            u,
            "Whether any of them changed since the failure is not known.",
        )),
        Readable::Read { value } => Some(judge(value)),
    }
}

/// Whether an event came after the task stopped (times share one RFC 3339 form, so they
/// compare as text; an unknown time is not after).
fn after_stop(c: &ChangeFacts, e: &ChangeEvent) -> bool {
    match (&c.stopped_at, &e.event_time) {
        (Some(stop), Some(t)) => t.as_str() > stop.as_str(),
        _ => false,
    }
}

/// One change, for a person: `<time> <event> on <kind> <name> by <caller>`.
fn line(c: &ChangeFacts, e: &ChangeEvent) -> String {
    format!(
        "{} {} on {} {} by {}{}",
        e.event_time.as_deref().unwrap_or("(time unknown)"),
        e.event_name,
        e.resource_kind,
        e.resource_name,
        e.caller.as_deref().unwrap_or("(caller unknown)"),
        if after_stop(c, e) {
            " (after the task stopped)"
        } else {
            ""
        }
    )
}

/// What was not (fully) searched, each with why.
fn gaps(c: &ChangeFacts) -> Vec<String> {
    let mut out = Vec::new();
    for s in &c.searched {
        let r = &s.resource;
        match &s.lookup {
            Readable::Read { value } if value.complete => {}
            Readable::Read { .. } => out.push(format!(
                "{} {}: only the newest events were read (page cap or time budget)",
                r.kind, r.name
            )),
            Readable::Unreadable(u) => out.push(format!(
                "{} {}: {} ({})",
                r.kind,
                r.name,
                super::cause_of(u),
                u.api
            )),
        }
    }
    for r in &c.unsearched {
        out.push(format!(
            "{} {}: not searched (at most {} resources are)",
            r.kind,
            r.name,
            c.searched.len()
        ));
    }
    out
}

fn judge(c: &ChangeFacts) -> Finding {
    let searched: Vec<String> = c
        .searched
        .iter()
        .map(|s| {
            format!(
                "{} {} ({})",
                s.resource.kind, s.resource.name, s.resource.region
            )
        })
        .collect();
    let gaps = gaps(c);
    let unread = c.searched.iter().find_map(|s| match &s.lookup {
        Readable::Unreadable(u) => Some(u),
        Readable::Read { .. } => None,
    });
    let changes: Vec<serde_json::Value> = c
        .events
        .iter()
        .map(|e| {
            serde_json::json!({
                "time": e.event_time,
                "eventName": e.event_name,
                "caller": e.caller,
                "resource": e.resource_name,
                "resourceKind": e.resource_kind,
                "resourceType": e.resource_type,
                "eventSource": e.event_source,
                "eventId": e.event_id,
                "afterStop": after_stop(c, e),
            })
        })
        .collect();
    let base = |f: Finding| {
        // Not `until`: it is when the diagnosis ran, and two runs on the same account must
        // give the same report.
        f.evidence("since", c.since.as_str())
            .evidence("stoppedAt", c.stopped_at.clone())
            .evidence("searched", searched.clone())
            .evidence(
                "notSearched",
                if gaps.is_empty() {
                    serde_json::Value::Null
                } else {
                    gaps.clone().into()
                },
            )
    };
    let with_cause = |f: Finding| match unread {
        Some(u) => f
            .evidence("api", u.api.as_str())
            .evidence("errorCode", u.error_code.as_str())
            .evidence("cause", super::cause_of(u)),
        None => f,
    };
    let gap_text = if gaps.is_empty() {
        String::new()
    } else {
        format!(
            "\nNot searched to the end ({}):\n- {}",
            gaps.len(),
            gaps.join("\n- ")
        )
    };

    if c.events.is_empty() {
        if gaps.is_empty() {
            return base(Finding::new(
                Code::TaskChangedSinceFailure,
                Status::Pass,
                Severity::Info,
                format!(
                    "No write event on the {} resources this start depended on since {} (CloudTrail event history): {}.",
                    searched.len(),
                    c.since,
                    searched.join(", ")
                ),
            ));
        }
        let read = c
            .searched
            .iter()
            .filter(|s| matches!(&s.lookup, Readable::Read { value } if value.complete))
            .count();
        let f = Finding::new(
            Code::TaskChangedSinceFailure,
            Status::Unknown,
            Severity::Low,
            format!(
                "No write event found since {} on the {read} resources searched to the end, but not every resource this start depended on could be searched, so a change may have been missed.{gap_text}",
                c.since
            ),
        )
        .remediation(
            "Look the missed resources up by hand (below), or run the diagnosis again with a longer budget (the CLI's --timeout) and with cloudtrail:LookupEvents allowed to the role running ecs-task-doctor.\naws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<resource> --start-time <since> --query 'Events[].{time:EventTime,event:EventName,user:Username}'",
        );
        return with_cause(base(f));
    }

    let after = c.events.iter().filter(|e| after_stop(c, e)).count();
    let mut listed: Vec<String> = c.events.iter().take(LISTED).map(|e| line(c, e)).collect();
    if c.events.len() > LISTED {
        listed.push(format!(
            "... and {} more (all in the JSON report's evidence)",
            c.events.len() - LISTED
        ));
    }
    let after_text = match (after, c.stopped_at.as_deref()) {
        (0, Some(stop)) => format!(" None came after the task stopped ({stop})."),
        (n, Some(stop)) => format!(" {n} came after the task stopped ({stop})."),
        (_, None) => String::new(),
    };
    let latest = c.events.first().map(|e| e.resource_name.clone());
    let f = Finding::new(
        Code::TaskChangedSinceFailure,
        Status::Warn,
        Severity::Medium,
        format!(
            "{} write event(s) since {} on the resources this start depended on.{after_text}\nChanges (newest first):\n- {}{gap_text}",
            c.events.len(),
            c.since,
            listed.join("\n- ")
        ),
    )
    .evidence("changes", changes)
    .evidence("resourceName", latest)
    .remediation(
        "Review each change (CloudTrail > Event history, by its event ID). A change after the task stopped may be what fixed the start, or what hides the cause today: when every other check passes now, start the task again to confirm. A change before the failure may be its cause: compare it with the failing check.\naws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue=<event-id> --query 'Events[0].CloudTrailEvent'",
    );
    with_cause(base(f))
}

/// A sentence naming the latest change after the task stopped (event, resource, time,
/// caller): the probable fix when nothing else fails now. `None` when no change came after
/// the stop (or the stop time is unknown).
pub fn probable_fix(facts: &Facts) -> Option<String> {
    let c = facts.changes.as_ref()?.value()?;
    let e = c.events.iter().find(|e| after_stop(c, e))?;
    Some(format!(
        "{} on {} {} at {} by {}, after the task stopped, is probably what fixed it: start the task again to confirm.",
        e.event_name,
        e.resource_kind,
        e.resource_name,
        e.event_time.as_deref().unwrap_or("an unknown time"),
        e.caller.as_deref().unwrap_or("an unknown caller"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ChangeResource, ResourceSearch, SearchedResource, Unreadable};

    fn facts(changes: Option<Readable<ChangeFacts>>) -> Facts {
        let mut f: Facts =
            serde_json::from_str(include_str!("../../examples/fargate-cannot-pull.json")).unwrap();
        f.changes = changes;
        f
    }

    fn resource(kind: &str, name: &str) -> ChangeResource {
        ChangeResource {
            kind: kind.into(),
            name: name.into(),
            region: "us-east-1".into(),
        }
    }

    fn done(kind: &str, name: &str, writes: usize) -> SearchedResource {
        SearchedResource {
            resource: resource(kind, name),
            lookup: Readable::Read {
                value: ResourceSearch {
                    complete: true,
                    writes,
                },
            },
        }
    }

    fn change(id: &str, name: &str, time: &str) -> ChangeEvent {
        ChangeEvent {
            event_id: id.into(),
            event_name: name.into(),
            event_time: Some(time.into()),
            caller: Some("arn:aws:sts::111122223333:assumed-role/Admin/alice".into()),
            event_source: Some("ec2.amazonaws.com".into()),
            resource_type: Some("AWS::EC2::SecurityGroup".into()),
            resource_name: "sg-0a8f2c41d6b7e9031".into(),
            resource_kind: "security group".into(),
        }
    }

    fn section(events: Vec<ChangeEvent>) -> ChangeFacts {
        ChangeFacts {
            since: "2026-11-27T09:58:51.204Z".into(),
            until: "2026-11-27T12:00:00.000Z".into(),
            stopped_at: Some("2026-11-27T10:00:58.641Z".into()),
            searched: vec![
                done("security group", "sg-0a8f2c41d6b7e9031", events.len()),
                done("execution role", "payments-api-execution", 0),
            ],
            unsearched: vec![],
            events,
        }
    }

    fn read(c: ChangeFacts) -> Option<Readable<ChangeFacts>> {
        Some(Readable::Read { value: c })
    }

    #[test]
    fn not_looked_up_no_finding() {
        assert_eq!(finding(&facts(None)), None);
        assert_eq!(probable_fix(&facts(None)), None);
    }

    #[test]
    fn nothing_written_on_resources_searched_to_the_end_passes_and_names_them() {
        let f = finding(&facts(read(section(vec![])))).unwrap();
        assert_eq!(f.code, Code::TaskChangedSinceFailure);
        assert_eq!(f.status, Status::Pass);
        assert!(
            f.detail.starts_with(
                "No write event on the 2 resources this start depended on since 2026-11-27T09:58:51.204Z"
            ),
            "{}",
            f.detail
        );
        assert!(
            f.detail
                .contains("security group sg-0a8f2c41d6b7e9031 (us-east-1)")
        );
        assert!(f.detail.contains("execution role payments-api-execution"));
        assert_eq!(f.evidence["searched"].as_array().unwrap().len(), 2);
        assert!(!f.evidence.contains_key("notSearched"));
    }

    #[test]
    fn a_change_after_the_failure_warns_lists_it_and_is_the_probable_fix() {
        let c = section(vec![
            change(
                "e2",
                "AuthorizeSecurityGroupEgress",
                "2026-11-27T11:30:00.000Z",
            ),
            change(
                "e1",
                "RevokeSecurityGroupEgress",
                "2026-11-27T09:59:30.000Z",
            ),
        ]);
        let fx = facts(read(c));
        let f = finding(&fx).unwrap();
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.detail.contains(
                "2026-11-27T11:30:00.000Z AuthorizeSecurityGroupEgress on security group sg-0a8f2c41d6b7e9031 by arn:aws:sts::111122223333:assumed-role/Admin/alice (after the task stopped)"
            ),
            "{}",
            f.detail
        );
        // The one before the stop is listed, not marked.
        assert!(
            f.detail.ends_with(
                "\n- 2026-11-27T09:59:30.000Z RevokeSecurityGroupEgress on security group sg-0a8f2c41d6b7e9031 by arn:aws:sts::111122223333:assumed-role/Admin/alice"
            ),
            "{}",
            f.detail
        );
        assert!(
            f.detail
                .contains("1 came after the task stopped (2026-11-27T10:00:58.641Z).")
        );
        let changes = f.evidence["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["afterStop"], true);
        assert_eq!(changes[1]["afterStop"], false);
        assert_eq!(
            changes[0]["caller"],
            "arn:aws:sts::111122223333:assumed-role/Admin/alice"
        );
        assert_eq!(f.evidence["resourceName"], "sg-0a8f2c41d6b7e9031");
        assert_eq!(
            probable_fix(&fx).as_deref(),
            Some(
                "AuthorizeSecurityGroupEgress on security group sg-0a8f2c41d6b7e9031 at 2026-11-27T11:30:00.000Z by arn:aws:sts::111122223333:assumed-role/Admin/alice, after the task stopped, is probably what fixed it: start the task again to confirm."
            )
        );
    }

    #[test]
    fn a_change_only_before_the_failure_is_no_probable_fix() {
        let fx = facts(read(section(vec![change(
            "e1",
            "RevokeSecurityGroupEgress",
            "2026-11-27T09:59:30.000Z",
        )])));
        assert_eq!(finding(&fx).unwrap().status, Status::Warn);
        assert!(
            finding(&fx)
                .unwrap()
                .detail
                .contains("None came after the task stopped")
        );
        assert_eq!(probable_fix(&fx), None);
    }

    #[test]
    fn a_denied_lookup_is_unknown_naming_the_permission() {
        let u = Unreadable {
            api: "cloudtrail:LookupEvents".into(),
            error_code: "AccessDeniedException".into(),
            message: "not authorized to perform: cloudtrail:LookupEvents".into(),
        };
        let f = finding(&facts(Some(Readable::Unreadable(u.clone())))).unwrap();
        assert_eq!(f.status, Status::Unknown);
        assert_eq!(f.evidence["api"], "cloudtrail:LookupEvents");
        assert_eq!(f.evidence["errorCode"], "AccessDeniedException");
        assert_eq!(
            f.evidence["cause"],
            "the function's role lacks cloudtrail:LookupEvents"
        );
        assert!(f.remediation.contains("Allow cloudtrail:LookupEvents"));

        // One resource's lookup refused, nothing found elsewhere: UNKNOWN, naming it.
        let mut c = section(vec![]);
        c.searched[1].lookup = Readable::Unreadable(u);
        let f = finding(&facts(read(c))).unwrap();
        assert_eq!(f.status, Status::Unknown);
        assert_eq!(
            f.evidence["cause"],
            "the function's role lacks cloudtrail:LookupEvents"
        );
        assert!(f.detail.contains(
            "execution role payments-api-execution: the function's role lacks cloudtrail:LookupEvents (cloudtrail:LookupEvents)"
        ), "{}", f.detail);
    }

    #[test]
    fn a_timed_out_or_incomplete_lookup_is_unknown_and_says_what_was_not_searched() {
        let t = Unreadable {
            api: "cloudtrail:LookupEvents".into(),
            error_code: crate::facts::TIMED_OUT.into(),
            message: "timed out: the run's time budget ended".into(),
        };
        let f = finding(&facts(Some(Readable::Unreadable(t.clone())))).unwrap();
        assert_eq!(f.status, Status::Unknown);
        assert_eq!(f.evidence["cause"], "timed out");

        let mut c = section(vec![]);
        c.searched[0].lookup = Readable::Read {
            value: ResourceSearch {
                complete: false,
                writes: 0,
            },
        };
        c.searched[1].lookup = Readable::Unreadable(t);
        c.unsearched = vec![resource("log group", "/ecs/payments-api")];
        let f = finding(&facts(read(c))).unwrap();
        assert_eq!(f.status, Status::Unknown);
        let gaps = f.evidence["notSearched"].as_array().unwrap();
        assert_eq!(gaps.len(), 3);
        assert!(
            f.detail
                .contains("security group sg-0a8f2c41d6b7e9031: only the newest events were read")
        );
        assert!(
            f.detail
                .contains("execution role payments-api-execution: timed out")
        );
        assert!(
            f.detail
                .contains("log group /ecs/payments-api: not searched")
        );
        assert_eq!(f.evidence["cause"], "timed out");

        // Changes found with gaps: still WARN (the changes are what matter), gaps named.
        let mut c = section(vec![change("e", "CreateRoute", "2026-11-27T11:00:00.000Z")]);
        c.unsearched = vec![resource("log group", "/ecs/payments-api")];
        let f = finding(&facts(read(c))).unwrap();
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("Not searched to the end (1)"));
    }

    #[test]
    fn the_finding_carries_no_secret_bearing_field() {
        let fx = facts(read(section(vec![change(
            "e",
            "AuthorizeSecurityGroupEgress",
            "2026-11-27T11:30:00.000Z",
        )])));
        let f = finding(&fx).unwrap();
        let json = serde_json::to_string(&f).unwrap();
        for key in [
            "requestParameters",
            "responseElements",
            "userAgent",
            "sourceIPAddress",
        ] {
            assert!(!json.contains(key), "{key} in {json}");
        }
        assert!(!f.evidence.contains_key("record"));
        let facts_json = serde_json::to_string(&fx.changes).unwrap();
        for key in ["requestParameters", "responseElements", "record"] {
            assert!(!facts_json.contains(key), "{key} in {facts_json}");
        }
    }
}
