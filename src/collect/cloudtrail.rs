//! CloudTrail reads: `cloudtrail:LookupEvents`, the one primitive every CloudTrail question
//! of the tool goes through, and its conversion to our own types.
//!
//! LookupEvents (the 90-day management-event history) is limited to two requests per second
//! per account and per Region: "The rate of lookup requests is limited to two per second, per
//! account, per Region. If this limit is exceeded, a throttling error occurs."
//! (<https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html>).
//! So every page this process asks for takes a turn from one [`TurnLimiter`] per
//! [`Clients`] (per Lambda container): turns are at least [`LOOKUP_SPACING`] apart, and a turn
//! that would come at or after the run's deadline ([`budget::deadline`]) is not taken. The
//! call then returns an [`Unreadable`] with the code [`TIMED_OUT`] ("timed out: ..."), like a
//! read the deadline cut, or, when earlier pages were read, what they gave with
//! [`Lookup::complete`] false. The limiter spaces the calls this process makes; another
//! process in the same account (a second Lambda container, the console) shares the quota
//! unseen, and its throttling is retried like any other call's (the SDK's standard retry
//! mode, [`budget::CallPolicy`]).
//!
//! The event's `CloudTrailEvent` document is parsed into [`TrailEvent::record`] for the
//! caller to pick fields from. It carries the request parameters and response elements of
//! the call (which can hold container environment values and other secrets): it must never
//! reach Facts whole.
//!
//! The conversions are plain functions of SDK types, unit-tested with SDK builders.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::Clients;
use super::budget;
use super::error::unreadable;
use crate::event::timestamp;
use crate::facts::{TIMED_OUT, Unreadable};

/// The IAM action (and API name in facts) of a lookup.
pub(crate) const LOOKUP_EVENTS: &str = "cloudtrail:LookupEvents";

/// The least time between two LookupEvents requests of one process: two per second.
pub(crate) const LOOKUP_SPACING: Duration = Duration::from_millis(500);

/// The most events one LookupEvents page returns (also the default).
const PAGE_SIZE: i32 = 50;

/// The attribute a lookup filters on (LookupEvents takes exactly one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupKey {
    /// `EventName`, for example `RunTask`.
    EventName,
    /// `ResourceName`: an ID, name or ARN as CloudTrail records it for the resource.
    ResourceName,
    /// `ReadOnly`: `"true"` or `"false"`.
    #[allow(
        dead_code,
        reason = "part of the primitive's API; no caller filters on it yet"
    )]
    ReadOnly,
}

impl LookupKey {
    fn sdk(self) -> LookupAttributeKey {
        match self {
            LookupKey::EventName => LookupAttributeKey::EventName,
            LookupKey::ResourceName => LookupAttributeKey::ResourceName,
            LookupKey::ReadOnly => LookupAttributeKey::ReadOnly,
        }
    }
}

/// A resource an event names (its `Resources` list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrailResource {
    /// `ResourceType`, for example `AWS::EC2::SecurityGroup`.
    pub kind: Option<String>,
    /// `ResourceName`, for example `sg-0123456789abcdef0`.
    pub name: String,
}

/// One event of the history.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrailEvent {
    /// `EventId`.
    pub event_id: String,
    /// `EventName`, the API called (for example `AuthorizeSecurityGroupEgress`).
    pub event_name: String,
    /// `EventTime`, RFC 3339 UTC (milliseconds, `Z`), the way Facts store times.
    pub event_time: Option<String>,
    /// `Username`: the user or role (session) name of the caller.
    pub username: Option<String>,
    /// `EventSource`, for example `ec2.amazonaws.com`.
    pub event_source: Option<String>,
    /// `Resources`.
    pub resources: Vec<TrailResource>,
    /// The parsed `CloudTrailEvent` document. NEVER stored in Facts whole: its request
    /// parameters and response elements can carry secrets.
    pub record: Option<serde_json::Value>,
}

impl TrailEvent {
    /// Whether the event is a read: the record's `readOnly` (the event's own `ReadOnly` is
    /// put there by [`trail_event`] when the record lacks it); `None`: not said.
    pub fn read_only(&self) -> Option<bool> {
        match self.record.as_ref()?.get("readOnly")? {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// The caller's ARN (`userIdentity.arn` of the record), when the record says it.
    pub fn caller_arn(&self) -> Option<&str> {
        self.record
            .as_ref()?
            .get("userIdentity")?
            .get("arn")?
            .as_str()
    }
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lookup {
    /// The events, newest first (CloudTrail's order).
    pub events: Vec<TrailEvent>,
    /// False when more pages were left unread: `max_pages` reached, or the run's deadline
    /// came before the next page's turn.
    pub complete: bool,
}

/// Spaces calls at least `spacing` apart per Region (the quota is per account and Region),
/// in the order they ask, and refuses a turn that would come at or after the run's deadline.
#[derive(Debug)]
pub(crate) struct TurnLimiter {
    spacing: Duration,
    /// Per Region, the earliest time its next turn may be taken.
    next: Mutex<HashMap<String, Instant>>,
}

/// A turn that was not taken: it would have come at or after the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PastDeadline;

impl TurnLimiter {
    pub(crate) fn new(spacing: Duration) -> TurnLimiter {
        TurnLimiter {
            spacing,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Books the next turn in `region` for a caller asking at `now`: the time it may go, or
    /// [`PastDeadline`] (nothing booked) when that time is not before `deadline`.
    pub(crate) fn book(
        &self,
        region: &str,
        now: Instant,
        deadline: Option<Instant>,
    ) -> Result<Instant, PastDeadline> {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = match next.get(region) {
            Some(n) if *n > now => *n,
            _ => now,
        };
        if deadline.is_some_and(|d| at >= d) {
            return Err(PastDeadline);
        }
        next.insert(region.to_string(), at + self.spacing);
        Ok(at)
    }

    /// Waits for this task's turn in `region` (the run's deadline, [`budget::deadline`],
    /// applies).
    pub(crate) async fn turn(&self, region: &str) -> Result<(), PastDeadline> {
        let at = self.book(region, Instant::now(), budget::deadline())?;
        tokio::time::sleep_until(at).await;
        Ok(())
    }
}

impl Default for TurnLimiter {
    fn default() -> Self {
        TurnLimiter::new(LOOKUP_SPACING)
    }
}

/// The fact of a lookup whose turn would have come after the run's deadline.
pub(crate) fn turn_timed_out() -> Unreadable {
    Unreadable {
        api: LOOKUP_EVENTS.to_string(),
        error_code: TIMED_OUT.to_string(),
        message: format!(
            "timed out: the run's time budget ended before {LOOKUP_EVENTS} could be called (at most two lookups per second)"
        ),
    }
}

/// The events whose `key` is `value` between `start` and `end`, at most `max_pages` pages of
/// 50 (at least one), each page in its turn of the process's limiter. An error on the first
/// page is the error; a later page cut by the deadline (its turn after it, or the call timed
/// out) gives the pages already read with `complete` false; any other error on a later page is
/// the error.
pub(crate) async fn lookup_events(
    clients: &Clients,
    key: LookupKey,
    value: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_pages: usize,
) -> Result<Lookup, Unreadable> {
    lookup_events_in(clients, None, key, value, start, end, max_pages).await
}

/// [`lookup_events`] in another Region's event history (`None`: the clients' own Region).
///
/// Events of the global services (IAM, STS, CloudFront) are in US East (N. Virginia) only:
/// "As of November 22, 2021, AWS CloudTrail changed how trails capture global service
/// events. Now, events created by CloudFront, IAM, and AWS STS are recorded in the region in
/// which they were created, the US East (N. Virginia) region, us-east-1. [...] Also update the
/// region of your `lookup-events` API calls" (CloudTrail User Guide, "Viewing CloudTrail
/// events with the AWS CLI"); see [`global_events_region`]. Each Region has its own turns.
pub(crate) async fn lookup_events_in(
    clients: &Clients,
    region: Option<&str>,
    key: LookupKey,
    value: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_pages: usize,
) -> Result<Lookup, Unreadable> {
    let own = clients.cloudtrail();
    let own_region = own
        .config()
        .region()
        .map(|r| r.as_ref().to_string())
        .unwrap_or_default();
    let regional;
    let (client, region) = match region {
        Some(r) if r != own_region => {
            regional = regional_client(own, r);
            (&regional, r.to_string())
        }
        _ => (own, own_region),
    };
    let limiter = clients.lookup_limiter();
    let attribute = LookupAttribute::builder()
        .attribute_key(key.sdk())
        .attribute_value(value)
        .build()
        .map_err(|e| Unreadable {
            api: LOOKUP_EVENTS.to_string(),
            error_code: "ConstructionFailure".to_string(),
            message: e.to_string(),
        })?;
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    for page in 0..max_pages.max(1) {
        if limiter.turn(&region).await.is_err() {
            return if page == 0 {
                Err(turn_timed_out())
            } else {
                Ok(Lookup {
                    events,
                    complete: false,
                })
            };
        }
        let sent = client
            .lookup_events()
            .lookup_attributes(attribute.clone())
            .start_time(smithy_time(start))
            .end_time(smithy_time(end))
            .max_results(PAGE_SIZE)
            .set_next_token(token.take())
            .send()
            .await;
        match sent {
            Ok(out) => {
                events.extend(page_events(&out));
                match out.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => {
                        return Ok(Lookup {
                            events,
                            complete: true,
                        });
                    }
                }
            }
            Err(e) => {
                let u = unreadable(LOOKUP_EVENTS, &e);
                return if page > 0 && u.is_timed_out() {
                    Ok(Lookup {
                        events,
                        complete: false,
                    })
                } else {
                    Err(u)
                };
            }
        }
    }
    // The pages allowed were read and CloudTrail had more.
    Ok(Lookup {
        events,
        complete: false,
    })
}

/// The Region whose event history holds the global services' events (IAM) for a Region of
/// `partition`: us-east-1 in `aws` (documented, see [`lookup_events_in`]); for the China and
/// GovCloud partitions, our best reading is the partition's first Region (cn-north-1,
/// us-gov-west-1), where IAM's endpoint is.
pub(crate) fn global_events_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// The same client configuration (credentials, endpoint, retries) for another Region.
fn regional_client(own: &aws_sdk_cloudtrail::Client, region: &str) -> aws_sdk_cloudtrail::Client {
    let conf = own
        .config()
        .to_builder()
        .region(aws_sdk_cloudtrail::config::Region::new(region.to_string()))
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs_and_nanos(t.timestamp(), t.timestamp_subsec_nanos())
}

/// The events of one page.
pub(crate) fn page_events(out: &LookupEventsOutput) -> Vec<TrailEvent> {
    out.events().iter().map(trail_event).collect()
}

/// Converts one SDK event; the record is parsed when it is JSON (otherwise `None`).
pub(crate) fn trail_event(e: &Event) -> TrailEvent {
    let mut record: Option<serde_json::Value> = e
        .cloud_trail_event()
        .and_then(|s| serde_json::from_str(s).ok());
    // The event's `ReadOnly` ("true"/"false") where the record does not say it.
    let said = match e.read_only() {
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    if let Some(b) = said {
        match &mut record {
            Some(serde_json::Value::Object(m)) => {
                m.entry("readOnly").or_insert(serde_json::Value::Bool(b));
            }
            None => record = Some(serde_json::json!({ "readOnly": b })),
            Some(_) => {}
        }
    }
    TrailEvent {
        event_id: e.event_id().unwrap_or_default().to_string(),
        event_name: e.event_name().unwrap_or_default().to_string(),
        event_time: e
            .event_time()
            .and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
            .map(timestamp),
        username: e.username().map(str::to_string),
        event_source: e.event_source().map(str::to_string),
        resources: e
            .resources()
            .iter()
            .filter_map(|r| {
                Some(TrailResource {
                    kind: r.resource_type().map(str::to_string),
                    name: r.resource_name()?.to_string(),
                })
            })
            .collect(),
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudtrail::types::Resource;

    fn event() -> aws_sdk_cloudtrail::types::builders::EventBuilder {
        Event::builder()
            .event_id("0f1e2d3c-0000-4000-8000-000000000001")
            .event_name("AuthorizeSecurityGroupEgress")
            .event_time(aws_smithy_types::DateTime::from_millis(1_764_240_000_250))
            .username("alice")
            .event_source("ec2.amazonaws.com")
    }

    #[test]
    fn an_event_keeps_its_id_name_time_caller_source_and_resources() {
        let e = event()
            .read_only("false")
            .resources(
                Resource::builder()
                    .resource_type("AWS::EC2::SecurityGroup")
                    .resource_name("sg-0123456789abcdef0")
                    .build(),
            )
            .resources(Resource::builder().resource_type("AWS::EC2::VPC").build())
            .cloud_trail_event(
                r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice"},"readOnly":false,"requestParameters":{"groupId":"sg-0123456789abcdef0"}}"#,
            )
            .build();
        let t = trail_event(&e);
        assert_eq!(t.event_id, "0f1e2d3c-0000-4000-8000-000000000001");
        assert_eq!(t.event_name, "AuthorizeSecurityGroupEgress");
        assert_eq!(t.event_time.as_deref(), Some("2025-11-27T10:40:00.250Z"));
        assert_eq!(t.username.as_deref(), Some("alice"));
        assert_eq!(t.event_source.as_deref(), Some("ec2.amazonaws.com"));
        assert_eq!(t.read_only(), Some(false));
        // A resource without a name names nothing.
        assert_eq!(
            t.resources,
            vec![TrailResource {
                kind: Some("AWS::EC2::SecurityGroup".into()),
                name: "sg-0123456789abcdef0".into()
            }]
        );
        assert_eq!(
            t.caller_arn(),
            Some("arn:aws:sts::111122223333:assumed-role/Admin/alice")
        );
        assert_eq!(
            t.record.as_ref().unwrap()["requestParameters"]["groupId"],
            "sg-0123456789abcdef0"
        );
    }

    #[test]
    fn read_only_comes_from_the_event_else_from_the_record() {
        let t = trail_event(&event().read_only("true").build());
        assert_eq!(t.read_only(), Some(true));
        let t = trail_event(&event().cloud_trail_event(r#"{"readOnly":true}"#).build());
        assert_eq!(t.read_only(), Some(true));
        let t = trail_event(&event().cloud_trail_event(r#"{"readOnly":"false"}"#).build());
        assert_eq!(t.read_only(), Some(false));
        let t = trail_event(&event().build());
        assert_eq!(t.read_only(), None);
    }

    #[test]
    fn a_record_that_is_not_json_is_dropped_and_an_empty_event_converts() {
        let t = trail_event(&event().cloud_trail_event("not json {").build());
        assert_eq!(t.record, None);
        assert_eq!(t.caller_arn(), None);
        let t = trail_event(&Event::builder().build());
        assert_eq!(t.event_id, "");
        assert_eq!(t.event_time, None);
        assert!(t.resources.is_empty());
    }

    #[test]
    fn a_page_converts_every_event_in_order() {
        let out = LookupEventsOutput::builder()
            .events(event().event_id("b").build())
            .events(event().event_id("a").build())
            .next_token("t")
            .build();
        let ids: Vec<_> = page_events(&out).into_iter().map(|e| e.event_id).collect();
        assert_eq!(ids, ["b", "a"]);
    }

    #[test]
    fn the_spacing_is_two_per_second() {
        assert_eq!(LOOKUP_SPACING, Duration::from_millis(500));
        assert_eq!(TurnLimiter::default().spacing, LOOKUP_SPACING);
    }

    #[test]
    fn turns_are_spaced_in_order_and_a_gap_resets_them() {
        let l = TurnLimiter::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let ms = |n| Duration::from_millis(n);
        // Three callers at once: now, +500 ms, +1 s.
        assert_eq!(l.book("r", t0, None), Ok(t0));
        assert_eq!(l.book("r", t0, None), Ok(t0 + ms(500)));
        assert_eq!(l.book("r", t0 + ms(100), None), Ok(t0 + ms(1000)));
        // A caller after the queue has drained goes at once, and the next one 500 ms later.
        assert_eq!(l.book("r", t0 + ms(3000), None), Ok(t0 + ms(3000)));
        assert_eq!(l.book("r", t0 + ms(3000), None), Ok(t0 + ms(3500)));
    }

    #[test]
    fn a_turn_at_or_after_the_deadline_is_not_taken_and_books_nothing() {
        let l = TurnLimiter::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let ms = |n| Duration::from_millis(n);
        let deadline = Some(t0 + ms(1000));
        assert_eq!(l.book("r", t0, deadline), Ok(t0));
        assert_eq!(l.book("r", t0, deadline), Ok(t0 + ms(500)));
        // The third turn would be at the deadline itself.
        assert_eq!(l.book("r", t0, deadline), Err(PastDeadline));
        assert_eq!(l.book("r", t0, deadline), Err(PastDeadline));
        // The refusals booked nothing: a run with a later deadline gets the 1 s turn.
        assert_eq!(l.book("r", t0, Some(t0 + ms(5000))), Ok(t0 + ms(1000)));
        // A deadline already past refuses even an idle limiter.
        // Another Region has its own turns.
        assert_eq!(l.book("other", t0, deadline), Ok(t0));
        let idle = TurnLimiter::new(ms(500));
        assert_eq!(idle.book("r", t0, Some(t0)), Err(PastDeadline));
    }

    #[tokio::test]
    async fn concurrent_turns_wait_their_spacing_and_the_deadline_cuts_the_queue() {
        let l = std::sync::Arc::new(TurnLimiter::new(Duration::from_millis(60)));
        let start = Instant::now();
        let deadline = start + Duration::from_millis(150);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let l = l.clone();
            set.spawn(budget::carry(async move {
                l.turn("r").await.map(|()| Instant::now())
            }));
        }
        let results = budget::within(Some(deadline), async { set.join_all().await }).await;
        // Spawned outside `within`: the bare carry had no deadline, so all five went.
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
        let mut times: Vec<Instant> = results.into_iter().map(Result::unwrap).collect();
        times.sort();
        // The k-th turn never goes before k spacings from the first ask: at most one a
        // spacing, whatever the wake-up jitter of the turns before it.
        for (k, t) in times.iter().enumerate() {
            assert!(
                *t - start >= Duration::from_millis(60) * k as u32,
                "turn {k} after {:?}",
                *t - start
            );
        }

        // Inside the run: turns at 0, 60, 120 ms go; 180 and 240 ms are after the deadline.
        let l = std::sync::Arc::new(TurnLimiter::new(Duration::from_millis(60)));
        let start = Instant::now();
        let deadline = start + Duration::from_millis(150);
        let results = budget::within(Some(deadline), async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..5 {
                let l = l.clone();
                set.spawn(budget::carry(async move { l.turn("r").await }));
            }
            set.join_all().await
        })
        .await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 2);
        assert!(Instant::now() - start < Duration::from_millis(1000));
    }

    #[test]
    fn global_events_are_looked_up_in_the_partitions_first_region() {
        assert_eq!(global_events_region("aws"), "us-east-1");
        assert_eq!(global_events_region("aws-cn"), "cn-north-1");
        assert_eq!(global_events_region("aws-us-gov"), "us-gov-west-1");
    }

    #[test]
    fn a_refused_turn_reads_as_timed_out_for_lookup_events() {
        let u = turn_timed_out();
        assert_eq!(u.api, "cloudtrail:LookupEvents");
        assert!(u.is_timed_out());
        assert!(u.message.starts_with("timed out: "), "{}", u.message);
        assert_eq!(crate::judge::cause_of(&u), "timed out");
    }
}
