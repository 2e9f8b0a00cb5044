//! What a caller asks for, parsed and validated before any AWS call.
//!
//! One handler serves four callers, and the event's shape alone says which (DESIGN §1):
//! - an SSM Automation step sends `{"ClusterName", "TaskId", "Stage"}`;
//! - an EventBridge rule sends an `ECS Task State Change` envelope whose `detail` is the task;
//! - an EventBridge schedule sends a `Scheduled Event` envelope, or only its constant
//!   input `{"Sweep": {...}}` when the rule target sets one;
//! - anything else gets a [`RequestError`] that names the field and the problem.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::Deserialize;
use serde_json::Value;

use crate::arn::{ArnError, ClusterRef, TaskRef};
use crate::event::{TASK_STATE_CHANGE, TaskStateChange};
use crate::stage::{STAGE_CHOICES, StageSelection};

/// The largest event we accept: EventBridge's own limit on an event's size.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// The `detail-type` of EventBridge schedule events.
pub const SCHEDULED_EVENT: &str = "Scheduled Event";

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Diagnose one task.
    Diagnose(DiagnoseRequest),
    /// Sweep recent failures (scheduled).
    Sweep(SweepRequest),
}

/// Diagnose one task, named or carried by an event.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnoseRequest {
    /// Which task, and where its description comes from.
    pub target: Target,
    /// Which stages to run.
    pub stage: StageSelection,
    /// Who asked: decides the shape of the answer.
    pub caller: Caller,
}

/// The task to diagnose.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Look the task up with DescribeTasks.
    Lookup {
        /// The cluster.
        cluster: ClusterRef,
        /// The task.
        task: TaskRef,
    },
    /// Use the task carried by an EventBridge event as-is (no DescribeTasks call).
    Event(Box<EventBridgeEvent<TaskStateChange>>),
}

/// Who sent the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// An SSM Automation step (`aws:invokeLambdaFunction`), which reads flat JSON.
    Automation,
    /// An EventBridge rule on stopped tasks.
    EventBridge,
    /// The command line.
    Cli,
}

/// Sweep recent start failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepRequest {
    /// Clusters to sweep; empty means every cluster in the Region.
    pub clusters: Vec<String>,
    /// How far back to look.
    pub lookback_minutes: u32,
}

/// The default sweep window: stopped tasks stay listed for about an hour.
pub const DEFAULT_LOOKBACK_MINUTES: u32 = 60;

/// A request the tool cannot serve, with the field and the problem named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The event is larger than any real event.
    #[error(
        "the event is {bytes} bytes, over the {limit}-byte limit (EventBridge's maximum event size)"
    )]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The event is not JSON at all.
    #[error("the event is not valid JSON: {0}")]
    NotJson(String),
    /// The event is JSON but not an object.
    #[error("the event must be a JSON object, got {0}")]
    NotAnObject(&'static str),
    /// The event is `{}`.
    #[error("the event is an empty JSON object; {EXPECTED}")]
    Empty,
    /// The event is an object of no known shape.
    #[error("unrecognised event with keys [{0}]; {EXPECTED}")]
    Unrecognised(String),
    /// An EventBridge event of a type we do not handle.
    #[error(
        "unsupported EventBridge event: detail-type '{detail_type}' from source '{source_name}'; expected '{TASK_STATE_CHANGE}' from 'aws.ecs' or '{SCHEDULED_EVENT}' from 'aws.events'"
    )]
    UnsupportedEventBridge {
        /// Its `detail-type`.
        detail_type: String,
        /// Its `source`.
        source_name: String,
    },
    /// A required field is missing.
    #[error("{caller}: the field '{field}' is missing")]
    MissingField {
        /// Which event shape.
        caller: &'static str,
        /// Which field.
        field: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("{caller}: the field '{field}' must be {expected}, got {found}")]
    WrongType {
        /// Which event shape.
        caller: &'static str,
        /// Which field.
        field: String,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// A field we do not know (most often a typo).
    #[error("{caller}: unknown field '{field}'; the fields are {expected}")]
    UnknownField {
        /// Which event shape.
        caller: &'static str,
        /// The unknown field.
        field: String,
        /// The known fields.
        expected: &'static str,
    },
    /// A cluster or task reference that is not a valid name, ID or ARN.
    #[error("{field}: {source}")]
    BadReference {
        /// Which field.
        field: &'static str,
        /// The problem.
        source: ArnError,
    },
    /// A stage name we do not know.
    #[error("{field}: {message}")]
    BadStage {
        /// Which field.
        field: &'static str,
        /// The problem.
        message: String,
    },
    /// An event that has the right shape but invalid content (the path names the field).
    #[error("{caller}: {message}")]
    Invalid {
        /// Which event shape.
        caller: &'static str,
        /// The problem, with the JSON path of the field.
        message: String,
    },
    /// The task ARN names a different cluster than the one given.
    #[error(
        "the task ARN '{task}' belongs to cluster '{task_cluster}', but the cluster given is '{cluster}'"
    )]
    ClusterMismatch {
        /// The task ARN.
        task: String,
        /// The cluster in the task ARN.
        task_cluster: String,
        /// The cluster given.
        cluster: String,
    },
    /// The task ARN and the cluster ARN name different accounts, Regions or partitions: a
    /// task always lives in its cluster's account and Region, so one of the two is wrong.
    #[error(
        "the task ARN '{task}' is in {part} {task_value}, but the cluster ARN '{cluster}' is in {part} {cluster_value}; a task is always in its cluster's {part}, so one of the two ARNs is wrong"
    )]
    ArnMismatch {
        /// What differs: `account`, `Region` or `partition`.
        part: &'static str,
        /// The task ARN.
        task: String,
        /// The task ARN's value of that part.
        task_value: String,
        /// The cluster ARN.
        cluster: String,
        /// The cluster ARN's value of that part.
        cluster_value: String,
    },
    /// An ARN from an account other than the one the tool's credentials belong to.
    #[error(
        "{what} '{arn}' is in account {arn_account}, but this run's credentials are for account {client_account}; run ecs-task-doctor with credentials for account {arn_account} (ECS describes only its own account's tasks)"
    )]
    OtherAccount {
        /// What the ARN names.
        what: &'static str,
        /// The ARN.
        arn: String,
        /// Its account.
        arn_account: String,
        /// The account of the credentials in use.
        client_account: String,
    },
    /// An ARN from a Region other than the one the tool runs in.
    #[error(
        "{what} '{arn}' is in Region {arn_region}, but this run is in {client_region}; run ecs-task-doctor in {arn_region} (for example AWS_REGION={arn_region}): ECS answers only for its own Region"
    )]
    OtherRegion {
        /// What the ARN names.
        what: &'static str,
        /// The ARN.
        arn: String,
        /// Its Region.
        arn_region: String,
        /// The Region the clients use.
        client_region: String,
    },
}

const EXPECTED: &str = "expected an SSM Automation payload {\"ClusterName\", \"TaskId\", \"Stage\"}, an EventBridge 'ECS Task State Change' event, or a 'Scheduled Event' (optionally with {\"Sweep\": {...}})";

const AUTOMATION: &str = "Automation payload";
const AUTOMATION_FIELDS: &str = "ClusterName, TaskId and Stage";
const TASK_EVENT: &str = "ECS Task State Change event";
const SWEEP: &str = "Sweep input";

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Request {
    /// Parses raw bytes (a file given to the CLI), refusing oversized input before parsing it.
    pub fn from_slice(bytes: &[u8]) -> Result<Request, RequestError> {
        if bytes.len() > MAX_EVENT_BYTES {
            return Err(RequestError::TooLarge {
                bytes: bytes.len(),
                limit: MAX_EVENT_BYTES,
            });
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| RequestError::NotJson(e.to_string()))?;
        Request::from_value(value)
    }

    /// Parses an event as the Lambda runtime hands it over.
    pub fn from_value(value: Value) -> Result<Request, RequestError> {
        let size = serde_json::to_vec(&value)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_EVENT_BYTES {
            return Err(RequestError::TooLarge {
                bytes: size,
                limit: MAX_EVENT_BYTES,
            });
        }
        let Value::Object(map) = &value else {
            return Err(RequestError::NotAnObject(json_type(&value)));
        };
        if map.is_empty() {
            return Err(RequestError::Empty);
        }
        if map.contains_key("detail-type") || map.contains_key("source") {
            return parse_eventbridge(value);
        }
        if map.contains_key("Sweep") && map.len() == 1 {
            return parse_sweep(map.get("Sweep")).map(Request::Sweep);
        }
        if ["ClusterName", "TaskId", "Stage"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
            return parse_automation(map).map(Request::Diagnose);
        }
        let mut keys: Vec<&str> = map.keys().map(String::as_str).take(10).collect();
        keys.sort_unstable();
        Err(RequestError::Unrecognised(keys.join(", ")))
    }

    /// A CLI lookup: `--cluster C --task T [--stage S]`.
    pub fn lookup(
        cluster: &str,
        task: &str,
        stage: StageSelection,
        caller: Caller,
    ) -> Result<Request, RequestError> {
        Ok(Request::Diagnose(DiagnoseRequest {
            target: lookup_target(cluster, task)?,
            stage,
            caller,
        }))
    }
}

fn lookup_target(cluster: &str, task: &str) -> Result<Target, RequestError> {
    let cluster = ClusterRef::parse(cluster).map_err(|source| RequestError::BadReference {
        field: "cluster",
        source,
    })?;
    let task = TaskRef::parse(task).map_err(|source| RequestError::BadReference {
        field: "task",
        source,
    })?;
    if let Some(tc) = &task.cluster_in_arn {
        if *tc != cluster.name {
            return Err(RequestError::ClusterMismatch {
                task: task.for_api(),
                task_cluster: tc.clone(),
                cluster: cluster.for_api(),
            });
        }
    }
    if let (Some(ta), Some(ca)) = (&task.arn, &cluster.arn) {
        let differ = [
            ("partition", &ta.partition, &ca.partition),
            ("account", &ta.account, &ca.account),
            ("Region", &ta.region, &ca.region),
        ]
        .into_iter()
        .find(|(_, t, c)| t != c);
        if let Some((part, task_value, cluster_value)) = differ {
            return Err(RequestError::ArnMismatch {
                part,
                task: task.for_api(),
                task_value: task_value.clone(),
                cluster: cluster.for_api(),
                cluster_value: cluster_value.clone(),
            });
        }
    }
    Ok(Target::Lookup { cluster, task })
}

/// Reads a string field that may also arrive as a one-element list (Automation `StringList`).
fn string_field(
    map: &serde_json::Map<String, Value>,
    caller: &'static str,
    field: &'static str,
) -> Result<Option<String>, RequestError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(items)) if items.len() == 1 && items[0].is_string() => {
            Ok(items[0].as_str().map(str::to_string))
        }
        Some(other) => Err(RequestError::WrongType {
            caller,
            field: field.to_string(),
            expected: "a string",
            found: json_type(other),
        }),
    }
}

fn parse_automation(map: &serde_json::Map<String, Value>) -> Result<DiagnoseRequest, RequestError> {
    if let Some(unknown) = map
        .keys()
        .find(|k| !["ClusterName", "TaskId", "Stage"].contains(&k.as_str()))
    {
        return Err(RequestError::UnknownField {
            caller: AUTOMATION,
            field: unknown.clone(),
            expected: AUTOMATION_FIELDS,
        });
    }
    let cluster =
        string_field(map, AUTOMATION, "ClusterName")?.ok_or(RequestError::MissingField {
            caller: AUTOMATION,
            field: "ClusterName",
        })?;
    let task = string_field(map, AUTOMATION, "TaskId")?.ok_or(RequestError::MissingField {
        caller: AUTOMATION,
        field: "TaskId",
    })?;
    let stage = match string_field(map, AUTOMATION, "Stage")? {
        None => StageSelection::All,
        Some(s) if s.trim().is_empty() => StageSelection::All,
        Some(s) => s.parse().map_err(|message| RequestError::BadStage {
            field: "Stage",
            message,
        })?,
    };
    let target = lookup_target(&cluster, &task).map_err(|e| match e {
        RequestError::BadReference {
            field: "cluster",
            source,
        } => RequestError::BadReference {
            field: "ClusterName",
            source,
        },
        RequestError::BadReference {
            field: "task",
            source,
        } => RequestError::BadReference {
            field: "TaskId",
            source,
        },
        other => other,
    })?;
    Ok(DiagnoseRequest {
        target,
        stage,
        caller: Caller::Automation,
    })
}

fn parse_eventbridge(value: Value) -> Result<Request, RequestError> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let detail_type = text(value.get("detail-type"));
    let source_name = text(value.get("source"));
    match (detail_type.as_str(), source_name.as_str()) {
        (TASK_STATE_CHANGE, "aws.ecs") => {
            let event: EventBridgeEvent<TaskStateChange> = serde_path_to_error::deserialize(value)
                .map_err(|e| RequestError::Invalid {
                    caller: TASK_EVENT,
                    message: describe_path_error(&e),
                })?;
            // The event's own task and cluster must agree (a hand-edited or forged event
            // otherwise diagnoses one task with another's cluster).
            lookup_target(&event.detail.cluster_arn, &event.detail.task_arn).map_err(
                |e| match e {
                    RequestError::BadReference {
                        field: "cluster",
                        source,
                    } => RequestError::BadReference {
                        field: "detail.clusterArn",
                        source,
                    },
                    RequestError::BadReference {
                        field: "task",
                        source,
                    } => RequestError::BadReference {
                        field: "detail.taskArn",
                        source,
                    },
                    other => other,
                },
            )?;
            // The envelope says where the event happened; the task must be from there.
            if let Ok(arn) = crate::arn::Arn::parse(&event.detail.task_arn) {
                for (field, envelope, own) in [
                    ("account", event.account.as_deref(), &arn.account),
                    ("region", event.region.as_deref(), &arn.region),
                ] {
                    if let Some(envelope) = envelope.filter(|e| !e.is_empty() && *e != own) {
                        return Err(RequestError::Invalid {
                            caller: TASK_EVENT,
                            message: format!(
                                "the event's '{field}' is '{envelope}', but its detail.taskArn '{}' is in {field} '{own}'; EventBridge never sends such an event, so it was edited",
                                event.detail.task_arn
                            ),
                        });
                    }
                }
            }
            Ok(Request::Diagnose(DiagnoseRequest {
                target: Target::Event(Box::new(event)),
                stage: StageSelection::All,
                caller: Caller::EventBridge,
            }))
        }
        (SCHEDULED_EVENT, "aws.events") => parse_sweep(value.get("Sweep")).map(Request::Sweep),
        _ => Err(RequestError::UnsupportedEventBridge {
            detail_type,
            source_name,
        }),
    }
}

fn describe_path_error(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let inner = e.inner().to_string();
    if path == "." || path.is_empty() {
        inner
    } else {
        format!("at '{path}': {inner}")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SweepInput {
    #[serde(default)]
    clusters: Vec<String>,
    #[serde(default)]
    lookback_minutes: Option<u32>,
}

fn parse_sweep(value: Option<&Value>) -> Result<SweepRequest, RequestError> {
    let input = match value {
        None | Some(Value::Null) => SweepInput {
            clusters: vec![],
            lookback_minutes: None,
        },
        Some(v @ Value::Object(_)) => {
            serde_path_to_error::deserialize(v.clone()).map_err(|e| RequestError::Invalid {
                caller: SWEEP,
                message: describe_path_error(&e),
            })?
        }
        Some(other) => {
            return Err(RequestError::WrongType {
                caller: SWEEP,
                field: "Sweep".into(),
                expected: "an object",
                found: json_type(other),
            });
        }
    };
    for c in &input.clusters {
        ClusterRef::parse(c).map_err(|source| RequestError::BadReference {
            field: "Sweep.Clusters",
            source,
        })?;
    }
    let lookback_minutes = input.lookback_minutes.unwrap_or(DEFAULT_LOOKBACK_MINUTES);
    if !(1..=1440).contains(&lookback_minutes) {
        return Err(RequestError::Invalid {
            caller: SWEEP,
            message: format!("LookbackMinutes must be between 1 and 1440, got {lookback_minutes}"),
        });
    }
    Ok(SweepRequest {
        clusters: input.clusters,
        lookback_minutes,
    })
}

impl DiagnoseRequest {
    /// Refuses a task or cluster ARN of an account other than the one the tool's credentials
    /// belong to, once that account is known (the Lambda's own function ARN names it): ECS
    /// answers "task not found" for another account's task, which would hide the real
    /// problem (the tool runs in the wrong account, or needs a cross-account role).
    pub fn check_account(&self, client_account: &str) -> Result<(), RequestError> {
        let other =
            |what: &'static str, arn: String, arn_account: &str| RequestError::OtherAccount {
                what,
                arn,
                arn_account: arn_account.to_string(),
                client_account: client_account.to_string(),
            };
        match &self.target {
            Target::Lookup { cluster, task } => {
                if let Some(a) = task.arn.as_ref().filter(|a| a.account != client_account) {
                    return Err(other("the task ARN", a.to_string(), &a.account));
                }
                if let Some(a) = cluster.arn.as_ref().filter(|a| a.account != client_account) {
                    return Err(other("the cluster ARN", a.to_string(), &a.account));
                }
            }
            Target::Event(event) => {
                if let Ok(a) = crate::arn::Arn::parse(&event.detail.task_arn)
                    && a.account != client_account
                {
                    return Err(other("the event's task ARN", a.to_string(), &a.account));
                }
            }
        }
        Ok(())
    }

    /// Refuses ARNs of another Region: ECS, EC2 and IAM answers there would be about other resources.
    pub fn check_region(&self, client_region: &str) -> Result<(), RequestError> {
        let other = |what: &'static str, arn: String, arn_region: &str| RequestError::OtherRegion {
            what,
            arn,
            arn_region: arn_region.to_string(),
            client_region: client_region.to_string(),
        };
        match &self.target {
            Target::Lookup { cluster, task } => {
                if let Some(a) = cluster.arn.as_ref().filter(|a| a.region != client_region) {
                    return Err(other("the cluster ARN", a.to_string(), &a.region));
                }
                if let Some(a) = task.arn.as_ref().filter(|a| a.region != client_region) {
                    return Err(other("the task ARN", a.to_string(), &a.region));
                }
            }
            Target::Event(event) => {
                let arn = crate::arn::Arn::parse(&event.detail.task_arn).map_err(|source| {
                    RequestError::BadReference {
                        field: "detail.taskArn",
                        source,
                    }
                })?;
                if arn.region != client_region {
                    return Err(other("the event's task ARN", arn.to_string(), &arn.region));
                }
            }
        }
        Ok(())
    }
}

/// The words a user may type for a stage (re-exported for the CLI's help).
pub const STAGES: &str = STAGE_CHOICES;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::StageName;
    use serde_json::json;

    fn err(v: Value) -> String {
        Request::from_value(v).unwrap_err().to_string()
    }

    #[test]
    fn automation_payload_with_id_and_stage() {
        let r = Request::from_value(json!({"ClusterName": "prod", "TaskId": "0123456789abcdef0123456789abcdef", "Stage": "network"})).unwrap();
        let Request::Diagnose(d) = r else {
            panic!("not a diagnosis")
        };
        assert_eq!(d.caller, Caller::Automation);
        assert_eq!(d.stage, StageSelection::One(StageName::Network));
        let Target::Lookup { cluster, task } = d.target else {
            panic!("not a lookup")
        };
        assert_eq!(cluster.name, "prod");
        assert_eq!(task.id, "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn automation_payload_with_arns_and_string_lists() {
        let r = Request::from_value(json!({
            "ClusterName": ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"],
            "TaskId": "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef",
            "Stage": "ALL"})).unwrap();
        let Request::Diagnose(d) = r else { panic!() };
        assert_eq!(d.stage, StageSelection::All);
        assert!(d.check_region("us-east-1").is_ok());
        let e = d.check_region("eu-west-1").unwrap_err().to_string();
        assert!(
            e.contains("Region us-east-1, but this run is in eu-west-1"),
            "{e}"
        );
    }

    #[test]
    fn automation_errors_name_the_field() {
        assert!(err(json!({"ClusterName": "prod"})).contains("'TaskId' is missing"));
        assert!(err(json!({"TaskId": "abc"})).contains("'ClusterName' is missing"));
        assert!(
            err(json!({"ClusterName": 5, "TaskId": "abc"}))
                .contains("'ClusterName' must be a string, got a number")
        );
        assert!(
            err(json!({"ClusterName": "prod", "TaskId": "abc", "Stage": "netwrk"}))
                .contains("unknown stage 'netwrk'")
        );
        assert!(
            err(json!({"ClusterName": "prod", "TaskID": "abc"})).contains("unknown field 'TaskID'")
        );
        let e = err(
            json!({"ClusterName": "prod", "TaskId": "arn:aws:ecs:us-east-1:123456789012:task/other/abc"}),
        );
        assert!(e.contains("belongs to cluster 'other'"), "{e}");
        let e = err(
            json!({"ClusterName": "arn:aws:ecs:us-east-1:123456789012:service/prod/web", "TaskId": "abc"}),
        );
        assert!(
            e.starts_with("ClusterName:") && e.contains("service ARN"),
            "{e}"
        );
    }

    #[test]
    fn shapes_that_are_not_events() {
        assert!(err(json!({})).contains("empty JSON object"));
        assert!(err(json!([1, 2])).contains("must be a JSON object, got an array"));
        assert!(err(json!("hello")).contains("got a string"));
        assert!(err(json!(null)).contains("got null"));
        assert!(
            err(json!({"foo": 1, "bar": 2})).contains("unrecognised event with keys [bar, foo]")
        );
        assert!(
            Request::from_slice(b"{not json")
                .unwrap_err()
                .to_string()
                .contains("not valid JSON")
        );
    }

    #[test]
    fn oversized_events_are_refused_before_parsing() {
        let big = vec![b' '; MAX_EVENT_BYTES + 1];
        assert!(matches!(
            Request::from_slice(&big),
            Err(RequestError::TooLarge { .. })
        ));
        let huge = json!({"ClusterName": "x".repeat(MAX_EVENT_BYTES), "TaskId": "abc"});
        assert!(matches!(
            Request::from_value(huge),
            Err(RequestError::TooLarge { .. })
        ));
    }

    fn task_event() -> Value {
        json!({
            "version": "0", "id": "e1", "detail-type": "ECS Task State Change", "source": "aws.ecs",
            "account": "123456789012", "time": "2026-11-27T10:00:05Z", "region": "us-east-1",
            "resources": ["arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"],
            "detail": {
                "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef",
                "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
                "lastStatus": "STOPPED", "stopCode": "TaskFailedToStart",
                "stoppedAt": "2026-11-27T10:00:04.512Z",
                "someFutureField": {"x": 1},
                "containers": [{"name": "web", "reason": "CannotPullContainerError: x", "newThing": 3}],
                "overrides": {"containerOverrides": [{"name": "web", "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}]}
            }
        })
    }

    #[test]
    fn task_state_change_tolerates_unknown_fields_and_parses_timestamps() {
        let Request::Diagnose(d) = Request::from_value(task_event()).unwrap() else {
            panic!()
        };
        assert_eq!(d.caller, Caller::EventBridge);
        let Target::Event(ev) = &d.target else {
            panic!()
        };
        let facts = ev.detail.to_facts();
        assert_eq!(
            facts.stopped_at.as_deref(),
            Some("2026-11-27T10:00:04.512Z")
        );
        assert_eq!(
            facts.containers[0].reason.as_deref(),
            Some("CannotPullContainerError: x")
        );
        let text = serde_json::to_string(&facts).unwrap();
        assert!(
            text.contains("DB_PASSWORD") && !text.contains("hunter2"),
            "{text}"
        );
    }

    #[test]
    fn task_state_change_errors_carry_the_path() {
        let mut ev = task_event();
        ev["detail"]["stoppedAt"] = json!("yesterday");
        let e = err(ev);
        assert!(e.contains("detail.stoppedAt"), "{e}");
        let mut ev = task_event();
        ev["detail"].as_object_mut().unwrap().remove("taskArn");
        assert!(err(ev).contains("taskArn"));
        let mut ev = task_event();
        ev["detail-type"] = json!("ECS Container Instance State Change");
        assert!(err(ev).contains(
            "unsupported EventBridge event: detail-type 'ECS Container Instance State Change'"
        ));
    }

    #[test]
    fn task_and_cluster_arns_of_different_accounts_or_regions_are_refused() {
        let task = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
        let e = err(
            json!({"ClusterName": "arn:aws:ecs:us-east-1:444455556666:cluster/prod", "TaskId": task}),
        );
        assert!(
            e.contains("is in account 111122223333")
                && e.contains("is in account 444455556666")
                && e.contains(task),
            "{e}"
        );
        let e = err(
            json!({"ClusterName": "arn:aws:ecs:eu-west-1:111122223333:cluster/prod", "TaskId": task}),
        );
        assert!(
            e.contains("is in Region us-east-1") && e.contains("is in Region eu-west-1"),
            "{e}"
        );
        // A cluster/task mismatch names both clusters.
        let e = err(
            json!({"ClusterName": "a", "TaskId": "arn:aws:ecs:us-east-1:111122223333:task/b/0123456789abcdef0123456789abcdef"}),
        );
        assert!(
            e.contains("belongs to cluster 'b'") && e.contains("the cluster given is 'a'"),
            "{e}"
        );
        // The CLI's lookup gives the same answers.
        let e = Request::lookup(
            "arn:aws:ecs:us-east-1:444455556666:cluster/prod",
            task,
            StageSelection::All,
            Caller::Cli,
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                RequestError::ArnMismatch {
                    part: "account",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn a_task_of_another_account_is_refused_once_the_account_is_known() {
        let task = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
        let Request::Diagnose(d) =
            Request::from_value(json!({"ClusterName": "prod", "TaskId": task})).unwrap()
        else {
            panic!()
        };
        assert!(d.check_account("111122223333").is_ok());
        let e = d.check_account("444455556666").unwrap_err().to_string();
        assert!(
            e.contains("account 111122223333")
                && e.contains("account 444455556666")
                && e.contains(task),
            "{e}"
        );
        let Request::Diagnose(d) = Request::from_value(task_event()).unwrap() else {
            panic!()
        };
        assert!(d.check_account("123456789012").is_ok());
        assert!(
            d.check_account("444455556666")
                .unwrap_err()
                .to_string()
                .contains("event's task ARN")
        );
        // A task given by ID cannot be placed in an account before ECS answers.
        let Request::Diagnose(d) =
            Request::from_value(json!({"ClusterName": "prod", "TaskId": "abc"})).unwrap()
        else {
            panic!()
        };
        assert!(d.check_account("444455556666").is_ok());
    }

    #[test]
    fn an_event_whose_envelope_and_task_disagree_is_refused() {
        let mut ev = task_event();
        ev["account"] = json!("999999999999");
        let e = err(ev);
        assert!(
            e.contains("'account' is '999999999999'") && e.contains("account '123456789012'"),
            "{e}"
        );
        let mut ev = task_event();
        ev["region"] = json!("eu-west-1");
        let e = err(ev);
        assert!(e.contains("'region' is 'eu-west-1'"), "{e}");
    }

    #[test]
    fn an_event_whose_task_and_cluster_disagree_is_refused() {
        let mut ev = task_event();
        ev["detail"]["clusterArn"] = json!("arn:aws:ecs:us-east-1:123456789012:cluster/other");
        let e = err(ev);
        assert!(
            e.contains("belongs to cluster 'prod'") && e.contains("cluster/other"),
            "{e}"
        );
        let mut ev = task_event();
        ev["detail"]["clusterArn"] = json!("arn:aws:ecs:us-east-1:999999999999:cluster/prod");
        let e = err(ev);
        assert!(
            e.contains("account 123456789012") && e.contains("account 999999999999"),
            "{e}"
        );
        let mut ev = task_event();
        ev["detail"]["taskArn"] = json!("arn:aws:ecs:us-east-1:123456789012:service/prod/web");
        let e = err(ev);
        assert!(
            e.starts_with("detail.taskArn:") && e.contains("service ARN"),
            "{e}"
        );
    }

    #[test]
    fn event_from_another_region_is_refused() {
        let Request::Diagnose(d) = Request::from_value(task_event()).unwrap() else {
            panic!()
        };
        assert!(d.check_region("us-east-1").is_ok());
        assert!(
            d.check_region("ap-south-1")
                .unwrap_err()
                .to_string()
                .contains("event's task ARN")
        );
    }

    #[test]
    fn scheduled_event_and_bare_sweep_input() {
        let sched = json!({"version": "0", "id": "s", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-27T10:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep"], "detail": {}});
        assert_eq!(
            Request::from_value(sched).unwrap(),
            Request::Sweep(SweepRequest {
                clusters: vec![],
                lookback_minutes: 60
            })
        );
        let bare = json!({"Sweep": {"Clusters": ["prod", "staging"], "LookbackMinutes": 30}});
        assert_eq!(
            Request::from_value(bare).unwrap(),
            Request::Sweep(SweepRequest {
                clusters: vec!["prod".into(), "staging".into()],
                lookback_minutes: 30
            })
        );
        assert!(err(json!({"Sweep": {"Clusters": "prod"}})).contains("Clusters"));
        assert!(err(json!({"Sweep": {"LookbackMinutes": 0}})).contains("between 1 and 1440"));
        assert!(err(json!({"Sweep": {"Cluster": ["x"]}})).contains("unknown field"));
        assert!(err(json!({"Sweep": 3})).contains("must be an object"));
    }

    /// Any JSON value, small: what a caller could put in any field.
    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "\\PC{0,40}".prop_map(Value::String),
            Just(json!(
                "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"
            )),
            Just(json!("2026-11-27T10:00:04.512Z")),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z-]{1,12}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// The four callers' events, each a real shape.
    fn caller_events() -> Vec<Value> {
        vec![
            json!({"ClusterName": "prod", "TaskId": "0123456789abcdef0123456789abcdef", "Stage": "network"}),
            task_event(),
            json!({"version": "0", "id": "s", "detail-type": "Scheduled Event", "source": "aws.events",
                "account": "123456789012", "time": "2026-11-27T10:00:00Z", "region": "us-east-1",
                "resources": [], "detail": {}, "Sweep": {"Clusters": ["prod"], "LookbackMinutes": 30}}),
            json!({"Sweep": {"Clusters": ["prod"], "LookbackMinutes": 30}}),
        ]
    }

    /// Every path to a value in `v` (object keys and array indices).
    fn paths(v: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let mut p = prefix.clone();
                    p.push(k.clone());
                    out.push(p.clone());
                    paths(x, p, out);
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    let mut p = prefix.clone();
                    p.push(i.to_string());
                    out.push(p.clone());
                    paths(x, p, out);
                }
            }
            _ => {}
        }
    }

    fn at<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
        path.iter().fold(v, |v, k| match v {
            Value::Array(items) => &mut items[k.parse::<usize>().unwrap()],
            other => &mut other[k.as_str()],
        })
    }

    proptest::proptest! {
        #[test]
        fn any_field_of_any_callers_event_replaced_never_panics(
            which in 0usize..4,
            pick in proptest::prelude::any::<proptest::sample::Index>(),
            replacement in any_json(),
            remove in proptest::prelude::any::<bool>(),
        ) {
            let mut event = caller_events().swap_remove(which);
            let mut all = Vec::new();
            paths(&event, vec![], &mut all);
            let path = pick.get(&all).clone();
            if remove && !path.is_empty() {
                let (last, parent) = path.split_last().unwrap();
                match at(&mut event, parent) {
                    Value::Object(m) => { m.remove(last); }
                    Value::Array(items) => { items.remove(last.parse::<usize>().unwrap()); }
                    _ => {}
                }
            } else {
                *at(&mut event, &path) = replacement.clone();
            }
            match Request::from_value(event.clone()) {
                Err(e) => {
                    let text = e.to_string();
                    proptest::prop_assert!(!text.is_empty());
                    // An Automation payload's bad field is named.
                    if which == 0 && path.len() == 1 && !remove && !replacement.is_string() && !replacement.is_null() {
                        proptest::prop_assert!(text.contains(path[0].as_str()), "{text}");
                    }
                }
                Ok(Request::Diagnose(d)) => {
                    let _ = d.check_region("us-east-1");
                    if let Target::Event(ev) = &d.target {
                        let _ = ev.detail.to_facts();
                    }
                }
                Ok(Request::Sweep(s)) => proptest::prop_assert!((1..=1440).contains(&s.lookback_minutes)),
            }
        }

        #[test]
        fn arbitrary_json_never_panics(s in "\\PC{0,300}") {
            let _ = Request::from_slice(s.as_bytes());
        }

        #[test]
        fn arbitrary_automation_values_never_panic(c in "\\PC{0,80}", t in "\\PC{0,80}", st in "\\PC{0,12}") {
            let _ = Request::from_value(json!({"ClusterName": c, "TaskId": t, "Stage": st}));
        }
    }
}
