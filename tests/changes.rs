//! What changed since the failure (issue 15, item 6), end to end: the seed scenario fails on
//! its security group's missing S3 prefix-list egress; after the task stopped, someone adds the
//! rule. The report, from CloudTrail's LookupEvents (moto_server.py serves it from the requests
//! moto received), lists the change with its caller, time and resource, the configuration
//! passes now, and the change is named as the probable fix.

mod support;

use serde_json::Value;
use support::network::NetworkScenario;

const ALL_ENDPOINTS: &[&str] = &["ecr.api", "ecr.dkr", "logs", "secretsmanager"];

fn stage<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} stage in {r:#}"))
}

fn changes_finding(r: &Value) -> &Value {
    stage(r, "task")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TASK_CHANGED_SINCE_FAILURE")
        .unwrap_or_else(|| panic!("no TASK_CHANGED_SINCE_FAILURE in {:#}", stage(r, "task")))
}

#[tokio::test]
async fn an_egress_rule_added_after_the_failure_is_listed_and_named_the_probable_fix() {
    let conf = support::sdk_config().await;
    let b = NetworkScenario::private_with_endpoints()
        .interface_endpoints(ALL_ENDPOINTS)
        .build(&conf)
        .await;
    // The failure is in the past, then the fix: the egress rule to the S3 prefix list.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    aws_sdk_ec2::Client::new(&conf)
        .authorize_security_group_egress()
        .group_id(&b.task_sg_id)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .prefix_list_ids(
                    aws_sdk_ec2::types::PrefixListId::builder()
                        .prefix_list_id(&b.s3_prefix_list_id)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    let snapshot = support::tmp_file(&format!("{}.changes.json", support::unique("facts")));
    let r = support::diagnose_json(
        &b.task.cluster,
        &b.task.task_id,
        &["--save-snapshot", snapshot.to_str().unwrap()],
    );

    // Everything passes now: the network stage (which failed before the rule) included.
    assert_eq!(
        stage(&r, "network")["status"],
        "PASS",
        "{:#}",
        stage(&r, "network")
    );
    assert!(
        !r["stages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["findings"].as_array().unwrap())
            .any(|f| f["status"] == "FAIL"),
        "{r:#}"
    );

    let f = changes_finding(&r);
    assert_eq!(f["status"], "WARN", "{f:#}");
    let change = f["evidence"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["eventName"] == "AuthorizeSecurityGroupEgress"
                && c["resource"] == b.task_sg_id.as_str()
        })
        .unwrap_or_else(|| panic!("the egress rule is not listed: {f:#}"));
    assert_eq!(
        change["caller"],
        format!("arn:aws:iam::{}:user/moto", support::ACCOUNT)
    );
    assert_eq!(change["resourceKind"], "security group");
    assert_eq!(change["resourceType"], "AWS::EC2::SecurityGroup");
    assert_eq!(change["afterStop"], true, "{f:#}");
    let time = change["time"].as_str().unwrap();
    assert!(time.ends_with('Z') && time.len() == 24, "{time}");
    assert!(
        time > f["evidence"]["stoppedAt"].as_str().unwrap(),
        "{time} is not after the stop"
    );
    let detail = f["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "{time} AuthorizeSecurityGroupEgress on security group {} by arn:aws:iam::{}:user/moto (after the task stopped)",
            b.task_sg_id,
            support::ACCOUNT
        )),
        "{detail}"
    );
    // The task's security group was searched, with the rest of what the start depended on.
    let searched: Vec<&str> = f["evidence"]["searched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        searched
            .iter()
            .any(|s| s.starts_with(&format!("security group {}", b.task_sg_id))),
        "{searched:?}"
    );
    assert!(
        searched
            .iter()
            .any(|s| s.starts_with(&format!("route table {}", b.private_route_table_id))),
        "{searched:?}"
    );

    // The facts keep no record, request parameters or response elements.
    let saved = std::fs::read_to_string(&snapshot).unwrap();
    for leak in [
        "requestParameters",
        "responseElements",
        "CloudTrailEvent",
        "userAgent",
    ] {
        assert!(!saved.contains(leak), "{leak} in the snapshot");
    }
    // Named as the probable fix, from the saved facts (replayed offline).
    let facts = ecs_task_doctor::snapshot::load(&snapshot).unwrap();
    let fix = ecs_task_doctor::judge::changes::probable_fix(&facts).expect("a probable fix");
    assert_eq!(
        fix,
        format!(
            "AuthorizeSecurityGroupEgress on security group {} at {time} by arn:aws:iam::{}:user/moto, after the task stopped, is probably what fixed it: start the task again to confirm.",
            b.task_sg_id,
            support::ACCOUNT
        )
    );
}

#[tokio::test]
async fn without_the_change_the_rule_is_still_missing_and_no_fix_is_named() {
    let conf = support::sdk_config().await;
    let b = NetworkScenario::private_with_endpoints()
        .interface_endpoints(ALL_ENDPOINTS)
        .build(&conf)
        .await;
    let snapshot = support::tmp_file(&format!("{}.changes.json", support::unique("facts")));
    let r = support::diagnose_json(
        &b.task.cluster,
        &b.task.task_id,
        &["--save-snapshot", snapshot.to_str().unwrap()],
    );
    assert_eq!(r["rootCause"], "NET_SG_EGRESS_S3_PREFIX_LIST_MISSING");
    let f = changes_finding(&r);
    // The scenario's resources were all made before the task: nothing was written to them
    // since, and every one was searched (here in one lookup of the window's writes).
    assert_eq!(f["status"], "PASS", "{f:#}");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .starts_with("No write event on the "),
        "{f:#}"
    );
    assert!(f["evidence"].get("notSearched").is_none(), "{f:#}");
    let facts = ecs_task_doctor::snapshot::load(&snapshot).unwrap();
    assert_eq!(ecs_task_doctor::judge::changes::probable_fix(&facts), None);
}
