//! The placement stage end to end: each placement and EFS scenario of issue 5 is built in moto
//! through the SDK, the task is stopped with the reason ECS gives, then
//! `ecs-task-doctor diagnose --format json` must name the right finding and root cause.
//!
//! moto differences (the code follows AWS): moto places a task whatever its placement
//! constraints and releases its resources on StopTask, so the RESOURCE:MEMORY scenario uses
//! the memory up with other tasks after the stop; moto always reports `agentConnected: true`,
//! so the disconnected-agent scenario edits the saved snapshot and replays it.

mod support;

use serde_json::Value;
use support::placement::{
    BuiltPlacement, EFS_TIMEOUT, Efs, MEMBER_OF, PlacementScenario, RESOURCE_MEMORY,
};

async fn diagnose(
    s: PlacementScenario,
    snapshot: Option<&std::path::Path>,
) -> (BuiltPlacement, Value) {
    let conf = support::sdk_config().await;
    let built = s.build(&conf).await;
    let mut cmd = support::cli();
    let mut args = vec![
        "diagnose".to_string(),
        "--cluster".into(),
        built.cluster.clone(),
        "--task".into(),
        built.task_id.clone(),
        "--format".into(),
        "json".into(),
    ];
    if let Some(p) = snapshot {
        args.push("--save-snapshot".into());
        args.push(p.display().to_string());
    }
    let out = support::cli_env(&mut cmd).args(&args).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (built, report)
}

fn stage<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name}: {report:#}"))
}

fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    stage(report, "placement")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {:#}", stage(report, "placement")))
}

fn no_fail(report: &Value) {
    for s in report["stages"].as_array().unwrap() {
        if s["name"] == "task" {
            continue;
        }
        for f in s["findings"].as_array().into_iter().flatten() {
            assert_ne!(f["status"], "FAIL", "{f:#}");
        }
    }
}

#[tokio::test]
async fn resource_memory_with_two_instances_names_the_largest_and_the_shortfall() {
    // Each m5.large registers 7482 MiB in moto; the fillers leave 3482 MiB on each.
    let mut s = PlacementScenario::new(2, 4000, RESOURCE_MEMORY);
    s.filler_memory = Some(4000);
    let (built, report) = diagnose(s, None).await;
    assert_eq!(
        report["rootCause"], "EC2_INSUFFICIENT_RESOURCES",
        "{report:#}"
    );
    let f = finding(&report, "EC2_INSUFFICIENT_RESOURCES");
    assert_eq!(f["status"], "FAIL");
    assert_eq!(f["evidence"]["shortMemory"], 518);
    assert_eq!(f["evidence"]["taskMemory"], 4000);
    assert!(
        built.instance_ids.contains(
            &f["evidence"]["largestInstance"]
                .as_str()
                .unwrap()
                .to_string()
        )
    );
    assert_eq!(finding(&report, "EC2_AGENT_DISCONNECTED")["status"], "PASS");
    assert_eq!(
        finding(&report, "EC2_NO_CONTAINER_INSTANCES")["status"],
        "PASS"
    );
}

#[tokio::test]
async fn resource_memory_with_room_now_passes() {
    let (_, report) = diagnose(PlacementScenario::new(2, 512, RESOURCE_MEMORY), None).await;
    assert_eq!(
        finding(&report, "EC2_INSUFFICIENT_RESOURCES")["status"],
        "PASS"
    );
}

#[tokio::test]
async fn a_disconnected_agent_is_named() {
    // moto cannot disconnect an agent: the facts are collected from moto, then the snapshot's
    // agentConnected is set to false the way AWS would report it, and replayed.
    let path = support::tmp_file("placement-agent.json");
    let (built, _) = diagnose(
        PlacementScenario::new(1, 256, "TaskFailedToStart: AGENT"),
        Some(&path),
    )
    .await;
    let mut facts: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let instances = facts["placement"]["containerInstances"]["value"]
        .as_array_mut()
        .unwrap();
    assert_eq!(instances.len(), 1);
    instances[0]["agentConnected"] = Value::Bool(false);
    std::fs::write(&path, facts.to_string()).unwrap();
    let mut cmd = support::cli();
    let out = support::cli_env(&mut cmd)
        .args([
            "diagnose",
            "--snapshot",
            path.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["rootCause"], "EC2_AGENT_DISCONNECTED", "{report:#}");
    let f = finding(&report, "EC2_AGENT_DISCONNECTED");
    assert_eq!(f["status"], "FAIL");
    assert_eq!(
        f["evidence"]["disconnectedInstances"][0],
        built.instance_ids[0].as_str()
    );
}

#[tokio::test]
async fn an_unsatisfied_member_of_constraint_names_the_instances() {
    let mut s = PlacementScenario::new(2, 256, MEMBER_OF);
    s.member_of = Some("attribute:ecs.instance-type in [t3.large, c5.xlarge] and attribute:ecs.availability-zone == us-east-1a".into());
    let (built, report) = diagnose(s, None).await;
    assert_eq!(
        report["rootCause"], "EC2_PLACEMENT_CONSTRAINT_UNSATISFIED",
        "{report:#}"
    );
    let f = finding(&report, "EC2_PLACEMENT_CONSTRAINT_UNSATISFIED");
    assert_eq!(f["status"], "FAIL");
    assert_eq!(
        f["evidence"]["failing"].as_array().unwrap().len(),
        built.instance_ids.len()
    );
}

#[tokio::test]
async fn a_satisfied_member_of_constraint_passes() {
    let mut s = PlacementScenario::new(1, 256, MEMBER_OF);
    s.member_of = Some("attribute:ecs.instance-type == m5.large".into());
    let (_, report) = diagnose(s, None).await;
    assert_eq!(
        finding(&report, "EC2_PLACEMENT_CONSTRAINT_UNSATISFIED")["status"],
        "PASS"
    );
}

#[tokio::test]
async fn efs_without_a_mount_target_in_the_task_az_fails() {
    let mut s = PlacementScenario::new(1, 256, EFS_TIMEOUT);
    s.efs = Some(Efs::OtherAz);
    let (_, report) = diagnose(s, None).await;
    assert_eq!(
        report["rootCause"], "EFS_MOUNT_TARGET_MISSING",
        "{report:#}"
    );
    let f = finding(&report, "EFS_MOUNT_TARGET_MISSING");
    assert_eq!(f["evidence"]["taskAvailabilityZone"], "us-east-1a");
    assert_eq!(f["evidence"]["mountTargetZones"][0], "us-east-1b");
}

#[tokio::test]
async fn efs_with_2049_blocked_fails() {
    let mut s = PlacementScenario::new(1, 256, EFS_TIMEOUT);
    s.efs = Some(Efs::Blocked);
    let (_, report) = diagnose(s, None).await;
    assert_eq!(report["rootCause"], "EFS_NFS_BLOCKED", "{report:#}");
    assert_eq!(
        finding(&report, "EFS_MOUNT_TARGET_MISSING")["status"],
        "PASS"
    );
    let f = finding(&report, "EFS_NFS_BLOCKED");
    assert_eq!(f["status"], "FAIL");
    assert!(
        f["remediation"].as_str().unwrap().contains("--port 2049"),
        "{f:#}"
    );
}

#[tokio::test]
async fn a_healthy_task_with_secrets_logs_and_efs_has_no_fail_in_any_stage() {
    // A stop reason of class `other`, so that every stage applies and runs: nothing may fail.
    let reason = "CannotStartContainerError: Error response from daemon: failed to create task for container: OCI runtime create failed";
    let mut s = PlacementScenario::new(1, 256, reason);
    s.efs = Some(Efs::Healthy);
    s.internet = true;
    s.secrets_and_logs = true;
    let (_, report) = diagnose(s, None).await;
    no_fail(&report);
    for name in ["image", "iam", "network", "secrets", "logging", "placement"] {
        let st = stage(&report, name);
        assert_ne!(st["status"], "SKIPPED", "{name} did not run: {st:#}");
    }
    assert_eq!(
        finding_in(&report, "secrets", "SECRET_NOT_FOUND")["status"],
        "PASS"
    );
    assert_eq!(
        finding_in(&report, "logging", "LOG_GROUP_MISSING")["status"],
        "PASS"
    );
    assert_eq!(finding(&report, "EFS_NFS_BLOCKED")["status"], "PASS");
}

fn finding_in<'a>(report: &'a Value, stage_name: &str, code: &str) -> &'a Value {
    stage(report, stage_name)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {stage_name}: {report:#}"))
}

#[tokio::test]
async fn a_healthy_efs_task_has_no_fail() {
    let mut s = PlacementScenario::new(1, 256, EFS_TIMEOUT);
    s.efs = Some(Efs::Healthy);
    s.internet = true;
    let (_, report) = diagnose(s, None).await;
    no_fail(&report);
    assert_eq!(
        finding(&report, "EFS_MOUNT_TARGET_MISSING")["status"],
        "PASS"
    );
    assert_eq!(finding(&report, "EFS_NFS_BLOCKED")["status"], "PASS");
}

#[tokio::test]
async fn an_efs_policy_denying_mounts_without_tls_fails_and_tls_passes() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"TlsOnly","Effect":"Deny","Principal":{"AWS":"*"},"Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let mut s = PlacementScenario::new(1, 256, EFS_TIMEOUT);
    s.efs = Some(Efs::Healthy);
    s.internet = true;
    s.efs_policy = Some(deny.to_string());
    let (_, report) = diagnose(s.clone(), None).await;
    no_fail(&report);
    s.efs_tls = false;
    let (_, report) = diagnose(s, None).await;
    assert_eq!(report["rootCause"], "EFS_POLICY_DENIES_MOUNT", "{report:#}");
    let f = stage(&report, "placement")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "EFS_POLICY_DENIES_MOUNT" && f["status"] == "FAIL")
        .expect("a failing policy finding");
    assert_eq!(
        f["evidence"]["statement"], "file system policy: TlsOnly",
        "{f:#}"
    );
}

#[tokio::test]
async fn a_cluster_without_instances_fails() {
    // moto places nothing without an instance (AWS: RunTask answers with a failure, and a
    // service's task never starts): the facts are collected with one instance, then the
    // snapshot's instance list is emptied and replayed.
    let path = support::tmp_file("placement-empty.json");
    let reason = "No Container Instances were found in your cluster.";
    diagnose(PlacementScenario::new(1, 256, reason), Some(&path)).await;
    let mut facts: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    facts["placement"]["containerInstances"]["value"] = Value::Array(vec![]);
    std::fs::write(&path, facts.to_string()).unwrap();
    let mut cmd = support::cli();
    let out = support::cli_env(&mut cmd)
        .args([
            "diagnose",
            "--snapshot",
            path.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(
        report["rootCause"], "EC2_NO_CONTAINER_INSTANCES",
        "{report:#}"
    );
    assert_eq!(
        finding(&report, "EC2_NO_CONTAINER_INSTANCES")["status"],
        "FAIL"
    );
}
