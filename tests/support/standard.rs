//! The standard scenarios of the performance work (issue 8), shared by benches/critical_path.rs
//! and tests/requests.rs: the seed network case, a NAT case, an EC2 launch-type case, and a case
//! with secrets, logs and EFS; and the EventBridge event ECS sends for a task.
//!
//! The two Fargate (awsvpc) cases can be built as a service's task or as a standalone RunTask
//! task ([`Launch`]): on AWS they differ in where the task's security groups and public IP
//! setting survive the stop (the deployment that started it, or CloudTrail's RunTask event).

use aws_config::SdkConfig;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};

use super::REGION;
use super::network::{NetworkScenario, ec2_bridge_task};
use super::placement::{self, Efs, PlacementScenario};

/// One standard scenario: its name and the task it stopped.
pub struct Case {
    /// What it is.
    pub name: &'static str,
    /// Its cluster.
    pub cluster: String,
    /// The stopped task.
    pub task_id: String,
}

/// How the awsvpc (Fargate) cases start their task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launch {
    /// A standalone RunTask task (`group` `family:...`, no `startedBy`): on AWS its network
    /// configuration is known after the stop only from CloudTrail's RunTask event.
    Standalone,
    /// A service's task (`group` `service:<name>`, `startedBy` its deployment's ID): its network
    /// configuration is the deployment's.
    Service,
}

/// The EventBridge event ECS sends for this task, from the task as the tool's facts (or
/// DescribeTasks, as JSON) hold it: attachment details as name/value pairs, and the
/// attachment as EventBridge shows it once the task stopped: type `eni`, status `DELETED`.
pub fn event_for(task: &Value) -> Value {
    let mut detail = task.clone();
    let stopped = detail["lastStatus"] == "STOPPED";
    if let Some(atts) = detail["attachments"].as_array_mut() {
        for a in atts {
            let details: Vec<Value> = match &a["details"] {
                Value::Object(m) => m
                    .iter()
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect(),
                Value::Array(pairs) => pairs.clone(),
                _ => Vec::new(),
            };
            a["details"] = json!(details);
            if a["type"] == "ElasticNetworkInterface" {
                a["type"] = json!("eni");
            }
            if stopped {
                a["status"] = json!("DELETED");
            }
        }
    }
    detail["version"] = json!(3);
    json!({
        "version": "0", "id": "5a0e8f21-0000-4000-8000-000000000001",
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": super::ACCOUNT, "time": "2026-11-28T09:00:59Z", "region": REGION,
        "resources": [task["taskArn"]],
        "detail": detail,
    })
}

fn iso(t: Option<&aws_smithy_types::DateTime>) -> Option<Value> {
    t.map(|t| json!(t.fmt(Format::DateTime).unwrap()))
}

/// The EventBridge "ECS Task State Change" event for a task, built from DescribeTasks the way
/// ECS delivers it (docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html):
/// the detail resembles the Task object, with timestamps as ISO strings, attachments of type
/// `eni` (status `DELETED` once the task stopped, details as name/value pairs), `version` an
/// integer, and the envelope's `time` the stop time.
pub async fn event_from_describe_tasks(conf: &SdkConfig, cluster: &str, task: &str) -> Value {
    let out = aws_sdk_ecs::Client::new(conf)
        .describe_tasks()
        .cluster(cluster)
        .tasks(task)
        .send()
        .await
        .unwrap();
    let t = out
        .tasks()
        .first()
        .unwrap_or_else(|| panic!("DescribeTasks returned no {task}"));
    let stopped = t.last_status() == Some("STOPPED");
    let mut d = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            d.insert(k.to_string(), v);
        }
    };
    let s = |v: Option<&str>| v.map(|v| json!(v));
    put("taskArn", s(t.task_arn()));
    put("clusterArn", s(t.cluster_arn()));
    put("taskDefinitionArn", s(t.task_definition_arn()));
    put("containerInstanceArn", s(t.container_instance_arn()));
    put("availabilityZone", s(t.availability_zone()));
    put("capacityProviderName", s(t.capacity_provider_name()));
    put("group", s(t.group()));
    put("startedBy", s(t.started_by()));
    put("lastStatus", s(t.last_status()));
    put("desiredStatus", s(t.desired_status()));
    put("launchType", t.launch_type().map(|l| json!(l.as_str())));
    put("platformVersion", s(t.platform_version()));
    put("cpu", s(t.cpu()));
    put("memory", s(t.memory()));
    put("stopCode", t.stop_code().map(|c| json!(c.as_str())));
    put("stoppedReason", s(t.stopped_reason()));
    put("createdAt", iso(t.created_at()));
    put("pullStartedAt", iso(t.pull_started_at()));
    put("pullStoppedAt", iso(t.pull_stopped_at()));
    put("startedAt", iso(t.started_at()));
    put("stoppingAt", iso(t.stopping_at()));
    put("stoppedAt", iso(t.stopped_at()));
    put("executionStoppedAt", iso(t.execution_stopped_at()));
    let attachments: Vec<Value> = t
        .attachments()
        .iter()
        .map(|a| {
            let kind = match a.r#type() {
                Some("ElasticNetworkInterface") | None => "eni",
                Some(other) => other,
            };
            let status = if stopped {
                Some("DELETED")
            } else {
                a.status()
            };
            json!({
                "id": a.id(),
                "type": kind,
                "status": status,
                "details": a.details().iter().map(|p| json!({"name": p.name(), "value": p.value()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    put("attachments", Some(json!(attachments)));
    let containers: Vec<Value> = t
        .containers()
        .iter()
        .map(|c| {
            let mut m = Map::new();
            for (k, v) in [
                ("containerArn", c.container_arn()),
                ("name", c.name()),
                ("image", c.image()),
                ("imageDigest", c.image_digest()),
                ("lastStatus", c.last_status()),
                ("reason", c.reason()),
                ("taskArn", t.task_arn()),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_string(), json!(v));
                }
            }
            if let Some(code) = c.exit_code() {
                m.insert("exitCode".into(), json!(code));
            }
            Value::Object(m)
        })
        .collect();
    put("containers", Some(json!(containers)));
    put("version", Some(json!(t.version().max(1) + 1)));
    let time = d
        .get("stoppedAt")
        .cloned()
        .unwrap_or_else(|| json!("2026-11-28T09:00:59Z"));
    json!({
        "version": "0", "id": "5a0e8f21-0000-4000-8000-000000000002",
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": super::ACCOUNT, "time": time, "region": REGION,
        "resources": [t.task_arn()],
        "detail": Value::Object(d),
    })
}

/// Builds the four standard scenarios, the Fargate ones as standalone tasks.
pub async fn cases(conf: &SdkConfig) -> Vec<Case> {
    cases_as(conf, Launch::Standalone).await
}

/// The seed case (Fargate, endpoints only, no S3 egress), launched as asked.
pub fn seed(launch: Launch) -> NetworkScenario {
    let s = NetworkScenario::private_with_endpoints().interface_endpoints(&[
        "ecr.api",
        "ecr.dkr",
        "logs",
        "secretsmanager",
    ]);
    match launch {
        Launch::Standalone => s,
        Launch::Service => s.as_service(),
    }
}

/// The NAT case (Fargate behind a NAT gateway), launched as asked.
pub fn nat(launch: Launch) -> NetworkScenario {
    let s = NetworkScenario::private_with_nat();
    match launch {
        Launch::Standalone => s,
        Launch::Service => s.as_service(),
    }
}

/// Builds the four standard scenarios, the two Fargate ones launched as `launch` says (the EC2
/// bridge-mode ones have no task ENI: their network is the container instance's).
pub async fn cases_as(conf: &SdkConfig, launch: Launch) -> Vec<Case> {
    let seed = seed(launch).build(conf).await;
    let nat = nat(launch).build(conf).await;
    let ec2 = ec2_bridge_task(conf).await;
    let mut full = PlacementScenario::new(1, 512, placement::EFS_TIMEOUT);
    full.efs = Some(Efs::Healthy);
    full.internet = true;
    full.secrets_and_logs = true;
    let full = full.build(conf).await;
    vec![
        Case {
            name: "seed: Fargate, endpoints only, no S3 egress",
            cluster: seed.task.cluster.clone(),
            task_id: seed.task.task_id.clone(),
        },
        Case {
            name: "NAT: Fargate behind a NAT gateway",
            cluster: nat.task.cluster.clone(),
            task_id: nat.task.task_id.clone(),
        },
        Case {
            name: "EC2 launch type, bridge mode",
            cluster: ec2.cluster.clone(),
            task_id: ec2.task_id.clone(),
        },
        Case {
            name: "EC2 with secrets, awslogs and EFS",
            cluster: full.cluster.clone(),
            task_id: full.task_id.clone(),
        },
    ]
}
