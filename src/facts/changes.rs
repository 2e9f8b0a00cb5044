//! What changed since the failure: the write events CloudTrail recorded on the resources the
//! diagnosis depended on, between the task's start and the diagnosis.
//!
//! Only these fields are kept from an event: its ID, name, time, caller, source and the
//! resource it was found under. A CloudTrail record also carries the call's request
//! parameters and response elements, which can hold container environment values, secret
//! strings and policy documents: they never reach Facts.

use serde::{Deserialize, Serialize};

use super::Readable;

/// The write events on the resources the start depended on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeFacts {
    /// Start of the window searched (RFC 3339): the task's `createdAt`, else the earliest time
    /// its facts give.
    pub since: String,
    /// End of the window searched: when the lookups were made.
    pub until: String,
    /// When the task stopped (RFC 3339), if known: a change after it can be what fixed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<String>,
    /// Every resource searched, most relevant first, with what its lookup gave.
    pub searched: Vec<SearchedResource>,
    /// The resources the start depended on that were not searched (over the cap), most
    /// relevant first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsearched: Vec<ChangeResource>,
    /// The write events found, newest first, each once.
    pub events: Vec<ChangeEvent>,
}

/// A resource the start depended on, named as CloudTrail names it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeResource {
    /// What it is, for a person: `security group`, `route table`, `network ACL`,
    /// `VPC endpoint`, `execution role`, `IAM policy`, `ECR repository`, `secret`,
    /// `SSM parameter`, `log group`.
    pub kind: String,
    /// The name it is looked up by (`sg-…`, a role name, a secret ARN, a log group name).
    pub name: String,
    /// The Region whose event history was searched.
    pub region: String,
}

/// One resource's lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchedResource {
    /// The resource.
    #[serde(flatten)]
    pub resource: ChangeResource,
    /// `cloudtrail:LookupEvents` by `ResourceName`: whether every page was read, or why not.
    pub lookup: Readable<ResourceSearch>,
}

/// What one resource's lookup read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceSearch {
    /// False when pages were left unread (the page cap, or the run's deadline).
    pub complete: bool,
    /// How many write events it found.
    pub writes: usize,
}

/// One write event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeEvent {
    /// CloudTrail's `EventId`.
    pub event_id: String,
    /// The API called, for example `AuthorizeSecurityGroupEgress`.
    pub event_name: String,
    /// When (RFC 3339 UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// Who: the record's `userIdentity.arn`, else the event's `Username`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The service called, for example `ec2.amazonaws.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_source: Option<String>,
    /// The resource's type as CloudTrail gives it (`AWS::EC2::SecurityGroup`), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The resource searched that the event names.
    pub resource_name: String,
    /// What the resource is, for a person (the searched resource's [`ChangeResource::kind`]).
    pub resource_kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Unreadable;

    #[test]
    fn changes_round_trip_and_an_empty_section_loads() {
        let c = ChangeFacts {
            since: "2026-12-01T10:00:00.000Z".into(),
            until: "2026-12-01T11:00:00.000Z".into(),
            stopped_at: Some("2026-12-01T10:01:00.000Z".into()),
            searched: vec![SearchedResource {
                resource: ChangeResource {
                    kind: "security group".into(),
                    name: "sg-1".into(),
                    region: "eu-west-1".into(),
                },
                lookup: Readable::Unreadable(Unreadable {
                    api: "cloudtrail:LookupEvents".into(),
                    error_code: "AccessDeniedException".into(),
                    message: String::new(),
                }),
            }],
            unsearched: vec![],
            events: vec![ChangeEvent {
                event_id: "e".into(),
                event_name: "AuthorizeSecurityGroupEgress".into(),
                resource_name: "sg-1".into(),
                resource_kind: "security group".into(),
                ..ChangeEvent::default()
            }],
        };
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(r#""kind":"security group","name":"sg-1""#),
            "{json}"
        );
        assert!(!json.contains("unsearched"), "{json}");
        assert_eq!(serde_json::from_str::<ChangeFacts>(&json).unwrap(), c);
        assert_eq!(
            serde_json::from_str::<ChangeFacts>("{}").unwrap(),
            ChangeFacts::default()
        );
    }
}
