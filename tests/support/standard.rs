//! The standard scenarios of the performance work (issue 8), shared by benches/critical_path.rs
//! and tests/requests.rs: the seed network case, a NAT case, an EC2 launch-type case, and a case
//! with secrets, logs and EFS; and the EventBridge event ECS sends for a task.

use aws_config::SdkConfig;
use serde_json::{Value, json};

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

/// The EventBridge event ECS sends for this task: its detail is the task as DescribeTasks
/// returns it, with attachment details as name/value pairs.
pub fn event_for(task: &Value) -> Value {
    let mut detail = task.clone();
    if let Some(atts) = detail["attachments"].as_array_mut() {
        for a in atts {
            let details: Vec<Value> = a["details"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| json!({"name": k, "value": v}))
                        .collect()
                })
                .unwrap_or_default();
            a["details"] = json!(details);
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

/// Builds the four standard scenarios.
pub async fn cases(conf: &SdkConfig) -> Vec<Case> {
    let seed = NetworkScenario::private_with_endpoints()
        .interface_endpoints(&["ecr.api", "ecr.dkr", "logs", "secretsmanager"])
        .build(conf)
        .await;
    let nat = NetworkScenario::private_with_nat().build(conf).await;
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
