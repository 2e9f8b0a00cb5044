//! The test harness shows AWS's state after a failed start, not moto's (issue 15): proven through
//! plain SDK clients, never the tool. What each difference is: tests/support/README.md.

mod support;

use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use serde_json::Value;
use support::network::NetworkScenario;
use support::scenario::{self, PULL_TIMEOUT};

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn attribute(key: LookupAttributeKey, value: &str) -> LookupAttribute {
    LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .unwrap()
}

/// Every event LookupEvents returns for one attribute in [start, end], following NextToken.
async fn lookup_all(
    conf: &aws_config::SdkConfig,
    key: LookupAttributeKey,
    value: &str,
    window: Option<(i64, i64)>,
) -> Vec<aws_sdk_cloudtrail::types::Event> {
    let ct = aws_sdk_cloudtrail::Client::new(conf);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut req = ct
            .lookup_events()
            .lookup_attributes(attribute(key.clone(), value))
            .set_next_token(token.clone());
        if let Some((start, end)) = window {
            req = req
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end));
        }
        let page = req.send().await.unwrap();
        out.extend(page.events().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

fn record(e: &aws_sdk_cloudtrail::types::Event) -> Value {
    serde_json::from_str(e.cloud_trail_event().expect("CloudTrailEvent")).unwrap()
}

async fn describe_task(
    conf: &aws_config::SdkConfig,
    cluster: &str,
    task: &str,
) -> aws_sdk_ecs::types::Task {
    aws_sdk_ecs::Client::new(conf)
        .describe_tasks()
        .cluster(cluster)
        .tasks(task)
        .send()
        .await
        .unwrap()
        .tasks()[0]
        .clone()
}

fn detail<'a>(a: &'a aws_sdk_ecs::types::Attachment, name: &str) -> Option<&'a str> {
    a.details()
        .iter()
        .find(|d| d.name() == Some(name))
        .and_then(|d| d.value())
}

async fn eni_exists(conf: &aws_config::SdkConfig, eni: &str) -> bool {
    match aws_sdk_ec2::Client::new(conf)
        .describe_network_interfaces()
        .network_interface_ids(eni)
        .send()
        .await
    {
        Ok(out) => !out.network_interfaces().is_empty(),
        Err(e) => {
            let code = e.into_service_error();
            let code = aws_sdk_ec2::error::ProvideErrorMetadata::code(&code).map(str::to_string);
            assert_eq!(
                code.as_deref(),
                Some("InvalidNetworkInterfaceID.NotFound"),
                "DescribeNetworkInterfaces failed for another reason"
            );
            false
        }
    }
}

#[tokio::test]
async fn after_a_stop_the_eni_is_gone_and_the_attachment_says_deleted() {
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let task = describe_task(&conf, &t.cluster, &t.task_arn).await;
    let a = &task.attachments()[0];
    assert_eq!(a.r#type(), Some("ElasticNetworkInterface"));
    assert_eq!(a.status(), Some("DELETED"));
    // The details stay, as in AWS.
    assert_eq!(detail(a, "subnetId"), Some(t.subnet_id.as_str()));
    assert!(detail(a, "macAddress").is_some());
    assert!(detail(a, "privateIPv4Address").is_some());
    let eni = detail(a, "networkInterfaceId")
        .expect("networkInterfaceId")
        .to_string();
    assert!(!eni_exists(&conf, &eni).await, "{eni} survived the stop");
    // Nothing else in the subnet either (moto's ENI was the only one).
    let left = aws_sdk_ec2::Client::new(&conf)
        .describe_network_interfaces()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("subnet-id")
                .values(&t.subnet_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(left.network_interfaces().is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_running_task_keeps_its_eni_until_it_stops() {
    // The patch acts on the stop, not on the run: this is what makes the test above able to fail.
    let conf = support::sdk_config().await;
    let t = scenario::fargate_task(&conf, None).await;
    let task = describe_task(&conf, &t.cluster, &t.task_arn).await;
    let a = &task.attachments()[0];
    assert_eq!(a.status(), Some("ATTACHED"));
    let eni = detail(a, "networkInterfaceId").unwrap().to_string();
    assert!(eni_exists(&conf, &eni).await);
    assert!(task.stop_code().is_none());
    scenario::stop_task(&conf, &t.cluster, &t.task_arn, PULL_TIMEOUT).await;
    assert!(!eni_exists(&conf, &eni).await);
}

#[tokio::test]
async fn stop_code_stop_times_and_created_at_are_set() {
    let conf = support::sdk_config().await;
    let before = now_secs() - 1;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let task = describe_task(&conf, &t.cluster, &t.task_arn).await;
    assert_eq!(
        task.stop_code(),
        Some(&aws_sdk_ecs::types::TaskStopCode::TaskFailedToStart)
    );
    assert_eq!(task.stopped_reason(), Some(PULL_TIMEOUT));
    assert_eq!(task.containers()[0].reason(), Some(PULL_TIMEOUT));
    assert_eq!(task.containers()[0].last_status(), Some("STOPPED"));
    let created = task.created_at().expect("createdAt").secs();
    let stopped = task.stopped_at().expect("stoppedAt").secs();
    assert!(task.stopping_at().is_some() && task.execution_stopped_at().is_some());
    assert!(
        created >= before && created <= stopped,
        "{created} {stopped}"
    );
    assert!(stopped <= now_secs() + 1);

    // A user's StopTask without the harness prefix: UserInitiated, as AWS sets it.
    let u = scenario::fargate_task(&conf, None).await;
    aws_sdk_ecs::Client::new(&conf)
        .stop_task()
        .cluster(&u.cluster)
        .task(&u.task_arn)
        .reason("deploy rollback")
        .send()
        .await
        .unwrap();
    let task = describe_task(&conf, &u.cluster, &u.task_arn).await;
    assert_eq!(
        task.stop_code(),
        Some(&aws_sdk_ecs::types::TaskStopCode::UserInitiated)
    );
    assert_eq!(task.stopped_reason(), Some("deploy rollback"));
    assert!(task.stopped_at().is_some());
    assert_eq!(task.attachments()[0].status(), Some("DELETED"));
}

#[tokio::test]
async fn a_backdated_stop_moves_the_tasks_life_and_its_run_task_event() {
    let conf = support::sdk_config().await;
    let t =
        scenario::fargate_task(&conf, Some(&scenario::failed_to_start(7200, PULL_TIMEOUT))).await;
    let task = describe_task(&conf, &t.cluster, &t.task_arn).await;
    let now = now_secs();
    let created = task.created_at().unwrap().secs();
    let stopped = task.stopped_at().unwrap().secs();
    assert!(
        (now - 7200 - 60..=now - 7200 + 1).contains(&stopped),
        "{stopped}"
    );
    assert!(created <= stopped);
    let runs = lookup_all(
        &conf,
        LookupAttributeKey::ResourceName,
        &t.task_arn,
        Some((created - 5, stopped + 5)),
    )
    .await;
    assert_eq!(
        runs.iter()
            .filter_map(|e| e.event_name())
            .collect::<Vec<_>>(),
        ["RunTask"],
        "the task's RunTask inside [createdAt, stoppedAt]"
    );
}

#[tokio::test]
async fn run_task_event_names_the_task_and_carries_its_awsvpc_configuration() {
    let conf = support::sdk_config().await;
    let start = now_secs() - 1;
    let t = scenario::fargate_task(&conf, Some(PULL_TIMEOUT)).await;
    let end = now_secs() + 1;
    let events = lookup_all(
        &conf,
        LookupAttributeKey::EventName,
        "RunTask",
        Some((start, end)),
    )
    .await;
    let ours: Vec<_> = events
        .iter()
        .filter(|e| {
            record(e)["responseElements"]["tasks"]
                .as_array()
                .is_some_and(|ts| ts.iter().any(|x| x["taskArn"] == t.task_arn.as_str()))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one RunTask names {}", t.task_arn);
    let e = ours[0];
    assert_eq!(e.event_source(), Some("ecs.amazonaws.com"));
    assert_eq!(e.read_only(), Some("false"));
    assert_eq!(e.access_key_id(), Some("testing"));
    let at = e.event_time().unwrap().secs();
    assert!((start..=end).contains(&at));
    assert!(
        e.resources()
            .iter()
            .any(|r| r.resource_type() == Some("AWS::ECS::Task")
                && r.resource_name() == Some(t.task_arn.as_str()))
    );
    let r = record(e);
    for field in [
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "requestID",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
        "recipientAccountId",
    ] {
        assert!(r.get(field).is_some(), "{field} missing from {r}");
    }
    assert_eq!(r["eventID"], e.event_id().unwrap());
    let vpc = &r["requestParameters"]["networkConfiguration"]["awsvpcConfiguration"];
    assert_eq!(vpc["subnets"], serde_json::json!([t.subnet_id]));
    assert_eq!(vpc["assignPublicIp"], "DISABLED");
    let sg = vpc["securityGroups"][0].as_str().unwrap();
    assert!(sg.starts_with("sg-"));

    // A window that ends before the run does not return it.
    let earlier = lookup_all(
        &conf,
        LookupAttributeKey::ResourceName,
        &t.task_arn,
        Some((start - 3600, start - 10)),
    )
    .await;
    assert!(earlier.is_empty());
}

#[tokio::test]
async fn a_security_groups_events_are_found_by_its_id() {
    let conf = support::sdk_config().await;
    // The seed case: the task group's default egress is revoked, then 443 to the endpoints.
    let b = NetworkScenario::private_with_endpoints().build(&conf).await;
    let events = lookup_all(&conf, LookupAttributeKey::ResourceName, &b.task_sg_id, None).await;
    let names: Vec<_> = events.iter().filter_map(|e| e.event_name()).collect();
    assert!(names.contains(&"AuthorizeSecurityGroupEgress"), "{names:?}");
    assert!(names.contains(&"RevokeSecurityGroupEgress"), "{names:?}");
    assert!(names.contains(&"CreateSecurityGroup"), "{names:?}");
    let egress = events
        .iter()
        .find(|e| e.event_name() == Some("AuthorizeSecurityGroupEgress"))
        .unwrap();
    assert_eq!(egress.event_source(), Some("ec2.amazonaws.com"));
    assert!(egress.resources().iter().any(|r| {
        r.resource_type() == Some("AWS::EC2::SecurityGroup")
            && r.resource_name() == Some(b.task_sg_id.as_str())
    }));
    let r = record(egress);
    assert_eq!(r["requestParameters"]["groupId"], b.task_sg_id.as_str());
    let rule = &r["requestParameters"]["ipPermissions"]["items"][0];
    assert_eq!(rule["fromPort"], 443);
    assert_eq!(
        rule["groups"]["items"][0]["groupId"],
        b.endpoint_sg_id.as_deref().unwrap()
    );
    // Newest first.
    let times: Vec<_> = events
        .iter()
        .map(|e| e.event_time().unwrap().secs())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    // The route tables, the NACL-free subnet's table and the endpoints are found the same way.
    let rt = lookup_all(
        &conf,
        LookupAttributeKey::ResourceName,
        &b.private_route_table_id,
        None,
    )
    .await;
    assert!(
        rt.iter()
            .any(|e| e.event_name() == Some("AssociateRouteTable")),
        "{rt:?}"
    );
}

#[tokio::test]
async fn more_than_one_lookup_attribute_is_refused_like_aws() {
    let conf = support::sdk_config().await;
    let ct = aws_sdk_cloudtrail::Client::new(&conf);
    let err = ct
        .lookup_events()
        .lookup_attributes(attribute(LookupAttributeKey::EventName, "RunTask"))
        .lookup_attributes(attribute(LookupAttributeKey::ReadOnly, "false"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_lookup_attributes_exception(), "{err:?}");
    let err = ct
        .lookup_events()
        .max_results(51)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_max_results_exception(), "{err:?}");
    let err = ct
        .lookup_events()
        .start_time(DateTime::from_secs(now_secs()))
        .end_time(DateTime::from_secs(now_secs() - 60))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_time_range_exception(), "{err:?}");
}

#[tokio::test]
async fn lookup_pages_with_next_token() {
    let conf = support::sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&conf);
    let (_, sg) = scenario::vpc(&conf).await;
    let rule = || {
        aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(8443)
            .to_port(8443)
            .ip_ranges(
                aws_sdk_ec2::types::IpRange::builder()
                    .cidr_ip("10.9.0.0/16")
                    .build(),
            )
            .build()
    };
    for _ in 0..30 {
        ec2.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(rule())
            .send()
            .await
            .unwrap();
        ec2.revoke_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(rule())
            .send()
            .await
            .unwrap();
    }
    // 60 rule changes and the CreateSecurityGroup: 61 events, two pages of 50 and 11.
    let ct = aws_sdk_cloudtrail::Client::new(&conf);
    let first = ct
        .lookup_events()
        .lookup_attributes(attribute(LookupAttributeKey::ResourceName, &sg))
        .send()
        .await
        .unwrap();
    assert_eq!(first.events().len(), 50);
    let token = first
        .next_token()
        .expect("a NextToken after 50")
        .to_string();
    let second = ct
        .lookup_events()
        .lookup_attributes(attribute(LookupAttributeKey::ResourceName, &sg))
        .next_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.events().len(), 11);
    assert!(second.next_token().is_none());
    let mut ids: Vec<_> = first
        .events()
        .iter()
        .chain(second.events())
        .map(|e| e.event_id().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 61);
    assert_eq!(
        second.events().last().unwrap().event_name(),
        Some("CreateSecurityGroup"),
        "oldest last"
    );
    // Smaller pages reach the same events.
    let all = lookup_all(&conf, LookupAttributeKey::ResourceName, &sg, None).await;
    assert_eq!(all.len(), 61);
    // The token is only good with the parameters it came from.
    let err = ct
        .lookup_events()
        .lookup_attributes(attribute(LookupAttributeKey::EventName, "RunTask"))
        .next_token(&token)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_next_token_exception(), "{err:?}");
}

#[tokio::test]
async fn a_test_can_date_an_event_with_a_header() {
    let conf = support::sdk_config().await;
    let (_, sg) = scenario::vpc(&conf).await;
    let two_hours_ago = now_secs() - 7200;
    aws_sdk_ec2::Client::new(&conf)
        .authorize_security_group_egress()
        .group_id(&sg)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("10.1.0.0/16")
                        .build(),
                )
                .build(),
        )
        .customize()
        .mutate_request(move |r| {
            r.headers_mut()
                .insert("X-Test-Event-Time", two_hours_ago.to_string());
        })
        .send()
        .await
        .unwrap();
    let window = lookup_all(
        &conf,
        LookupAttributeKey::ResourceName,
        &sg,
        Some((two_hours_ago - 60, two_hours_ago + 60)),
    )
    .await;
    assert_eq!(
        window
            .iter()
            .filter_map(|e| e.event_name())
            .collect::<Vec<_>>(),
        ["AuthorizeSecurityGroupEgress"]
    );
    assert_eq!(window[0].event_time().unwrap().secs(), two_hours_ago);
}

#[tokio::test]
async fn a_service_task_is_started_by_its_deployment() {
    let conf = support::sdk_config().await;
    let b = NetworkScenario::private_with_nat()
        .as_service()
        .build(&conf)
        .await;
    let name = b.service_name.as_deref().unwrap();
    let task = describe_task(&conf, &b.task.cluster, &b.task.task_arn).await;
    assert_eq!(task.group(), Some(format!("service:{name}").as_str()));
    let services = aws_sdk_ecs::Client::new(&conf)
        .describe_services()
        .cluster(&b.task.cluster)
        .services(name)
        .send()
        .await
        .unwrap();
    let deployments = services.services()[0].deployments();
    assert_eq!(deployments.len(), 1);
    let id = deployments[0].id().unwrap();
    assert!(id.starts_with("ecs-svc/"), "{id}");
    assert_eq!(task.started_by(), Some(id));
    assert_eq!(b.deployment_id.as_deref(), Some(id));
    let groups = deployments[0]
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .map(|a| a.security_groups().to_vec());
    assert_eq!(groups, Some(vec![b.task_sg_id.clone()]));
    // The scheduler started it: no user's RunTask names it.
    let runs = lookup_all(
        &conf,
        LookupAttributeKey::ResourceName,
        &b.task.task_arn,
        None,
    )
    .await;
    assert!(
        runs.iter().all(|e| e.event_name() != Some("RunTask")),
        "{runs:?}"
    );
}

#[tokio::test]
async fn a_service_updated_after_the_start_keeps_the_old_deployment() {
    let conf = support::sdk_config().await;
    let b = NetworkScenario::private_with_nat()
        .service_network_changed_after_start()
        .build(&conf)
        .await;
    let name = b.service_name.as_deref().unwrap();
    let changed = b.changed_service_sg_id.clone().unwrap();
    let task = describe_task(&conf, &b.task.cluster, &b.task.task_arn).await;
    let service = aws_sdk_ecs::Client::new(&conf)
        .describe_services()
        .cluster(&b.task.cluster)
        .services(name)
        .send()
        .await
        .unwrap()
        .services()[0]
        .clone();
    let sgs = |n: Option<&aws_sdk_ecs::types::NetworkConfiguration>| {
        n.and_then(|n| n.awsvpc_configuration())
            .map(|a| a.security_groups().to_vec())
            .unwrap_or_default()
    };
    assert_eq!(sgs(service.network_configuration()), vec![changed.clone()]);
    let deployments = service.deployments();
    assert_eq!(deployments.len(), 2);
    let primary = deployments
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .unwrap();
    assert_eq!(sgs(primary.network_configuration()), vec![changed]);
    assert_ne!(primary.id(), task.started_by());
    let old = deployments
        .iter()
        .find(|d| d.id() == task.started_by())
        .expect("the deployment that started the task is still listed");
    assert_eq!(old.status(), Some("ACTIVE"));
    assert_eq!(sgs(old.network_configuration()), vec![b.task_sg_id.clone()]);
}

#[tokio::test]
async fn a_task_sets_task_is_started_by_the_task_set() {
    let conf = support::sdk_config().await;
    let b = NetworkScenario::private_with_nat()
        .as_task_set()
        .build(&conf)
        .await;
    let name = b.service_name.as_deref().unwrap();
    let task = describe_task(&conf, &b.task.cluster, &b.task.task_arn).await;
    let sets = aws_sdk_ecs::Client::new(&conf)
        .describe_task_sets()
        .cluster(&b.task.cluster)
        .service(name)
        .send()
        .await
        .unwrap();
    let set = &sets.task_sets()[0];
    assert_eq!(set.task_set_arn(), b.task_set_arn.as_deref());
    assert!(set.id().unwrap().starts_with("ecs-svc/"));
    assert_eq!(task.started_by(), set.id());
    assert_eq!(task.group(), Some(format!("service:{name}").as_str()));
    assert_eq!(task.attachments()[0].status(), Some("DELETED"));
    assert_eq!(
        task.stop_code(),
        Some(&aws_sdk_ecs::types::TaskStopCode::TaskFailedToStart)
    );
}

#[tokio::test]
async fn the_eventbridge_event_is_built_as_aws_delivers_it() {
    let conf = support::sdk_config().await;
    let b = support::standard::seed(support::standard::Launch::Service)
        .build(&conf)
        .await;
    let event =
        support::standard::event_from_describe_tasks(&conf, &b.task.cluster, &b.task.task_arn)
            .await;
    assert_eq!(event["detail-type"], "ECS Task State Change");
    let d = &event["detail"];
    assert_eq!(d["lastStatus"], "STOPPED");
    assert_eq!(d["stopCode"], "TaskFailedToStart");
    assert_eq!(d["startedBy"], b.deployment_id.as_deref().unwrap());
    assert!(d["createdAt"].as_str().unwrap().ends_with('Z'));
    let a = &d["attachments"][0];
    assert_eq!(a["type"], "eni");
    assert_eq!(a["status"], "DELETED");
    let pairs = a["details"].as_array().unwrap();
    assert!(
        pairs
            .iter()
            .any(|p| p["name"] == "subnetId" && p["value"] == b.private_subnet_id.as_str())
    );
    assert!(
        pairs
            .iter()
            .any(|p| p["name"] == "networkInterfaceId" && p["value"] == b.task_eni_id.as_str())
    );
    // event_for (from the tool's facts or DescribeTasks JSON) says the same.
    let from_json = support::standard::event_for(&serde_json::json!({
        "taskArn": b.task.task_arn, "lastStatus": "STOPPED",
        "attachments": [{"type": "ElasticNetworkInterface", "status": "ATTACHED",
                         "details": {"subnetId": b.private_subnet_id}}]
    }));
    assert_eq!(from_json["detail"]["attachments"][0]["type"], "eni");
    assert_eq!(from_json["detail"]["attachments"][0]["status"], "DELETED");
}

#[test]
fn reset_clears_the_records() {
    // On a server of its own: a reset would wipe the other tests' scenarios.
    use std::io::{Read, Write};
    let (mut child, port, _out) = support::spawn_moto();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_sdk_ecs::config::Region::new(support::REGION))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await;
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        ec2.create_vpc().cidr_block("10.7.0.0/16").send().await.unwrap();
        let ct = aws_sdk_cloudtrail::Client::new(&conf);
        let before = ct.lookup_events().send().await.unwrap();
        assert_eq!(
            before
                .events()
                .iter()
                .filter_map(|e| e.event_name())
                .collect::<Vec<_>>(),
            ["CreateVpc"]
        );
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let after = ct.lookup_events().send().await.unwrap();
        assert!(after.events().is_empty(), "{:?}", after.events());
    });
    let _ = child.kill();
}
