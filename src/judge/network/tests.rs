//! The network stage on hand-built Facts: every scenario of issue 3 as a variation of one
//! private VPC, so each test changes exactly the thing it is about.

use super::*;
use crate::facts::*;
use crate::judge::judge as judge_all;
use crate::report::{FailureClass, Report};
use crate::stage::StageSelection;

const ACCOUNT: &str = "111122223333";
const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
const PULL: &str = "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/x\": dial tcp 52.217.139.160:443: i/o timeout";

fn read<T>(value: T) -> Option<Readable<T>> {
    Some(Readable::Read { value })
}

fn rule(egress: bool, port: i32) -> SgRuleFacts {
    SgRuleFacts {
        egress,
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ..Default::default()
    }
}

fn allow_all_nacl(id: &str, subnets: &[&str]) -> NetworkAclFacts {
    let entry = |egress, rule_number, action: &str| NaclEntryFacts {
        rule_number,
        egress,
        protocol: "-1".into(),
        action: action.into(),
        cidr: Some("0.0.0.0/0".into()),
        ..Default::default()
    };
    NetworkAclFacts {
        id: id.into(),
        is_default: true,
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        entries: vec![
            entry(true, 100, "allow"),
            entry(false, 100, "allow"),
            entry(true, 32767, "deny"),
            entry(false, 32767, "deny"),
        ],
    }
}

fn interface_endpoint(id: &str, service: &str, eni: &str) -> VpcEndpointFacts {
    VpcEndpointFacts {
        id: id.into(),
        service_name: format!("com.amazonaws.us-east-1.{service}"),
        endpoint_type: "Interface".into(),
        state: Some("available".into()),
        private_dns_enabled: Some(true),
        subnet_ids: vec!["subnet-ep".into()],
        network_interface_ids: vec![eni.into()],
        security_group_ids: vec!["sg-endpoints".into()],
        route_table_ids: vec![],
        policy_document: Some(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#
                .into(),
        ),
    }
}

fn eni(id: &str, ip: &str, subnet: &str, groups: &[&str]) -> EniFacts {
    EniFacts {
        id: id.into(),
        subnet_id: Some(subnet.into()),
        vpc_id: Some("vpc-1".into()),
        private_ip: Some(ip.into()),
        security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
        ..Default::default()
    }
}

/// The seed's VPC: private subnets, no NAT, interface endpoints for ecr.api, ecr.dkr and logs,
/// an S3 gateway endpoint on the task's route table, and a task SG whose only egress is 443 to
/// the endpoints' SG.
fn seed() -> Facts {
    let mut task_egress = rule(true, 443);
    task_egress.rule_id = Some("sgr-task-to-endpoints".into());
    task_egress.referenced_group_id = Some("sg-endpoints".into());
    let mut ep_ingress = rule(false, 443);
    ep_ingress.rule_id = Some("sgr-endpoints-from-task".into());
    ep_ingress.referenced_group_id = Some("sg-task".into());
    let network = NetworkFacts {
        origin: OriginFacts {
            launch_type: Some("FARGATE".into()),
            network_mode: Some("awsvpc".into()),
            eni_id: Some("eni-task".into()),
            subnet_id: Some("subnet-task".into()),
            private_ip: Some("10.0.1.10".into()),
            assign_public_ip: Some(false),
            security_group_ids: vec!["sg-task".into()],
            found_by: Some("attachment".into()),
            instance_id: None,
            config_source: None,
        },
        eni: read(eni("eni-task", "10.0.1.10", "subnet-task", &["sg-task"])),
        subnet: read(SubnetFacts { id: "subnet-task".into(), vpc_id: "vpc-1".into(), cidr: Some("10.0.1.0/24".into()), ..Default::default() }),
        vpc: read(VpcFacts {
            id: "vpc-1".into(),
            cidrs: vec!["10.0.0.0/16".into()],
            enable_dns_support: Some(Readable::read(true)),
            enable_dns_hostnames: Some(Readable::read(true)),
            dhcp_options_id: Some("dopt-1".into()),
            ..Default::default()
        }),
        dhcp_options: read(DhcpOptionsFacts { id: "dopt-1".into(), domain_name_servers: vec!["AmazonProvidedDNS".into()] }),
        route_tables: read(vec![
            RouteTableFacts {
                id: "rtb-main".into(),
                main: true,
                routes: vec![RouteFacts { destination_cidr: Some("10.0.0.0/16".into()), target: RouteTarget::Local, state: Some("active".into()), ..Default::default() }],
                ..Default::default()
            },
            RouteTableFacts {
                id: "rtb-private".into(),
                subnet_ids: vec!["subnet-task".into(), "subnet-ep".into()],
                routes: vec![
                    RouteFacts { destination_cidr: Some("10.0.0.0/16".into()), target: RouteTarget::Local, state: Some("active".into()), ..Default::default() },
                    RouteFacts {
                        destination_prefix_list_id: Some("pl-s3".into()),
                        target: RouteTarget::VpcEndpoint("vpce-s3".into()),
                        state: Some("active".into()),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        ]),
        network_acls: read(vec![allow_all_nacl("acl-default", &["subnet-task", "subnet-ep"])]),
        security_groups: read(vec![
            SecurityGroupFacts { id: "sg-task".into(), rules: vec![task_egress], ..Default::default() },
            SecurityGroupFacts { id: "sg-endpoints".into(), rules: vec![ep_ingress], ..Default::default() },
        ]),
        vpc_endpoints: read(vec![
            interface_endpoint("vpce-api", "ecr.api", "eni-api"),
            interface_endpoint("vpce-dkr", "ecr.dkr", "eni-dkr"),
            interface_endpoint("vpce-logs", "logs", "eni-logs"),
            VpcEndpointFacts {
                id: "vpce-s3".into(),
                service_name: "com.amazonaws.us-east-1.s3".into(),
                endpoint_type: "Gateway".into(),
                state: Some("available".into()),
                route_table_ids: vec!["rtb-private".into()],
                policy_document: Some(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#.into()),
                ..Default::default()
            },
        ]),
        endpoint_enis: read(vec![
            eni("eni-api", "10.0.2.10", "subnet-ep", &["sg-endpoints"]),
            eni("eni-dkr", "10.0.2.11", "subnet-ep", &["sg-endpoints"]),
            eni("eni-logs", "10.0.2.12", "subnet-ep", &["sg-endpoints"]),
        ]),
        prefix_lists: read(vec![PrefixListFacts {
            id: "pl-s3".into(),
            name: Some("com.amazonaws.us-east-1.s3".into()),
            cidrs: Some(Readable::read(vec!["52.216.0.0/15".into(), "3.5.0.0/19".into()])),
        }]),
        nat_gateways: read(vec![]),
        internet_gateways: read(vec![]),
    };
    let td = TaskDefinitionFacts {
        task_definition_arn: "arn:aws:ecs:us-east-1:111122223333:task-definition/api:1".into(),
        network_mode: Some("awsvpc".into()),
        execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/exec")),
        container_definitions: vec![ContainerDefinitionFacts {
            name: "api".into(),
            image: Some(format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/api:1")),
            log_configuration: Some(LogConfigurationFacts::new(
                "awslogs".into(),
                [
                    ("awslogs-group".to_string(), "/ecs/api".to_string()),
                    ("awslogs-region".to_string(), "us-east-1".to_string()),
                ],
                vec![],
            )),
            ..Default::default()
        }],
        ..Default::default()
    };
    Facts {
        facts_version: FACTS_VERSION,
        region: "us-east-1".into(),
        request: RequestFacts {
            cluster: "prod".into(),
            task: TASK_ARN.into(),
            source: TaskSource::DescribeTasks,
        },
        task: Readable::Read {
            value: TaskLookup::Found {
                task: Box::new(TaskFacts {
                    task_arn: TASK_ARN.into(),
                    last_status: Some("STOPPED".into()),
                    launch_type: Some("FARGATE".into()),
                    stop_code: Some("TaskFailedToStart".into()),
                    stopped_reason: Some(PULL.into()),
                    ..Default::default()
                }),
            },
        },
        task_definition: read(td),
        network: Some(network),
        image: None,
        iam: None,
        secrets: None,
        logging: None,
        placement: None,
        changes: None,
    }
}

fn net(f: &mut Facts) -> &mut NetworkFacts {
    f.network.as_mut().unwrap()
}

fn vec_of<T>(v: &mut Option<Readable<Vec<T>>>) -> &mut Vec<T> {
    match v {
        Some(Readable::Read { value }) => value,
        _ => panic!("not read"),
    }
}

fn report(f: &Facts) -> Report {
    judge_all(f, StageSelection::All)
}

fn network_stage(r: &Report) -> &StageResult {
    r.stages
        .iter()
        .find(|s| s.name == StageName::Network)
        .unwrap()
}

fn fails(r: &Report) -> Vec<Code> {
    network_stage(r)
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.code)
        .collect()
}

#[test]
fn seed_case_names_the_missing_s3_prefix_list_egress() {
    let r = report(&seed());
    assert_eq!(r.task.failure_class, Some(FailureClass::ImagePullNetwork));
    assert_eq!(
        r.root_cause,
        Some(Code::NetSgEgressS3PrefixListMissing),
        "{:#?}",
        network_stage(&r)
    );
    let f = r.root_finding().unwrap();
    assert_eq!(f.evidence["prefixListId"], "pl-s3");
    assert!(
        f.remediation
            .contains("PrefixListIds=[{PrefixListId=pl-s3}]"),
        "{}",
        f.remediation
    );
    assert!(
        f.remediation.contains("--group-id sg-task"),
        "{}",
        f.remediation
    );
    // The ECR and logs endpoints themselves are fine.
    let stage = network_stage(&r);
    for dest in ["ecr.api", "ecr.dkr", "logs"] {
        let p = stage.paths.iter().find(|p| p.destination == dest).unwrap();
        assert_eq!(p.status, Status::Pass, "{p:#?}");
    }
    let s3 = stage
        .paths
        .iter()
        .find(|p| p.destination == "s3 (ECR layers)")
        .unwrap();
    assert_eq!(s3.status, Status::Fail);
    assert!(s3.via.contains("vpce-s3"), "{}", s3.via);
    assert_eq!(fails(&r), vec![Code::NetSgEgressS3PrefixListMissing]);
}

#[test]
fn seed_case_with_prefix_list_egress_has_no_failure() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    vec_of(&mut net(&mut f).security_groups)[0].rules.push(pl);
    let r = report(&f);
    assert!(fails(&r).is_empty(), "{:#?}", network_stage(&r));
    assert_eq!(network_stage(&r).status, Status::Pass);
    assert_eq!(r.root_cause, Some(Code::TaskStopReasonClassified));
}

#[test]
fn missing_s3_gateway_endpoint() {
    let mut f = seed();
    vec_of(&mut net(&mut f).vpc_endpoints).retain(|e| e.id != "vpce-s3");
    vec_of(&mut net(&mut f).route_tables)[1]
        .routes
        .retain(|r| r.destination_prefix_list_id.is_none());
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetEndpointMissing),
        "{:#?}",
        network_stage(&r)
    );
    assert!(
        r.root_finding()
            .unwrap()
            .remediation
            .contains("--vpc-endpoint-type Gateway")
    );
}

#[test]
fn s3_gateway_on_the_wrong_route_table() {
    let mut f = seed();
    vec_of(&mut net(&mut f).route_tables)[1]
        .routes
        .retain(|r| r.destination_prefix_list_id.is_none());
    vec_of(&mut net(&mut f).vpc_endpoints)
        .iter_mut()
        .find(|e| e.id == "vpce-s3")
        .unwrap()
        .route_table_ids = vec!["rtb-other".into()];
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetS3GatewayNotOnRouteTable),
        "{:#?}",
        network_stage(&r)
    );
    assert!(
        r.root_finding()
            .unwrap()
            .remediation
            .contains("--add-route-table-ids rtb-private")
    );
}

#[test]
fn endpoint_sg_without_ingress() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    let groups = vec_of(&mut net(&mut f).security_groups);
    groups[0].rules.push(pl);
    groups[1].rules.clear();
    let mut f2 = f.clone();
    f2.task.clone_from(&f.task);
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetEndpointSgIngressBlocked),
        "{:#?}",
        network_stage(&r)
    );
}

#[test]
fn private_dns_off_sends_ecr_to_the_missing_internet() {
    let mut f = seed();
    vec_of(&mut net(&mut f).vpc_endpoints)
        .iter_mut()
        .find(|e| e.id == "vpce-dkr")
        .unwrap()
        .private_dns_enabled = Some(false);
    set_reason(
        &mut f,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1: dial tcp 54.239.1.1:443: i/o timeout",
    );
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetEndpointPrivateDnsDisabled),
        "{:#?}",
        network_stage(&r)
    );
}

#[test]
fn dns_hostnames_off() {
    let mut f = seed();
    if let Some(Readable::Read { value }) = &mut net(&mut f).vpc {
        value.enable_dns_hostnames = Some(Readable::read(false));
    }
    set_reason(
        &mut f,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1: dial tcp 54.239.1.1:443: i/o timeout",
    );
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetVpcDnsDisabled),
        "{:#?}",
        network_stage(&r)
    );
}

#[test]
fn custom_dhcp_dns_is_a_warning_with_the_servers() {
    let mut f = seed();
    net(&mut f).dhcp_options = read(DhcpOptionsFacts {
        id: "dopt-2".into(),
        domain_name_servers: vec!["10.0.0.53".into()],
    });
    let r = report(&f);
    let w = network_stage(&r)
        .findings
        .iter()
        .find(|f| f.code == Code::NetCustomDnsServers)
        .unwrap();
    assert_eq!(w.status, Status::Warn);
    assert_eq!(w.evidence["dnsServers"][0], "10.0.0.53");
}

#[test]
fn nacl_blocking_the_ephemeral_return() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    vec_of(&mut net(&mut f).security_groups)[0].rules.push(pl);
    // The task subnet gets its own NACL: 443 out allowed, but inbound only 443 (no return ports).
    let entry = |egress, rule_number, from, to, action: &str| NaclEntryFacts {
        rule_number,
        egress,
        protocol: "6".into(),
        action: action.into(),
        cidr: Some("0.0.0.0/0".into()),
        from_port: Some(from),
        to_port: Some(to),
        ..Default::default()
    };
    let acls = vec_of(&mut net(&mut f).network_acls);
    acls[0].subnet_ids = vec!["subnet-ep".into()];
    acls.push(NetworkAclFacts {
        id: "acl-task".into(),
        is_default: false,
        subnet_ids: vec!["subnet-task".into()],
        entries: vec![
            entry(true, 100, 443, 443, "allow"),
            entry(false, 100, 443, 443, "allow"),
        ],
    });
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetNaclInboundBlocked),
        "{:#?}",
        network_stage(&r)
    );
    let rf = r.root_finding().unwrap();
    assert_eq!(rf.evidence["networkAclId"], "acl-task");
    assert_eq!(rf.evidence["ruleNumber"], 32767);
}

#[test]
fn endpoint_policy_denying_the_layer_bucket() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    vec_of(&mut net(&mut f).security_groups)[0].rules.push(pl);
    vec_of(&mut net(&mut f).vpc_endpoints).iter_mut().find(|e| e.id == "vpce-s3").unwrap().policy_document =
        Some(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/*"}]}"#.into());
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetEndpointPolicyDenies),
        "{:#?}",
        network_stage(&r)
    );
    assert_eq!(
        r.root_finding().unwrap().evidence["resource"],
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"
    );
}

fn set_reason(f: &mut Facts, reason: &str) {
    if let Readable::Read {
        value: TaskLookup::Found { task },
    } = &mut f.task
    {
        task.stopped_reason = Some(reason.into());
    }
}

/// The same task in a subnet whose default route is `target`, with no endpoints at all.
fn internet_design(target: RouteTarget, state: &str) -> Facts {
    let mut f = seed();
    let n = net(&mut f);
    vec_of(&mut n.vpc_endpoints).clear();
    vec_of(&mut n.endpoint_enis).clear();
    let table = &mut vec_of(&mut n.route_tables)[1];
    table
        .routes
        .retain(|r| r.destination_prefix_list_id.is_none());
    table.routes.push(RouteFacts {
        destination_cidr: Some("0.0.0.0/0".into()),
        target,
        state: Some(state.into()),
        ..Default::default()
    });
    let groups = vec_of(&mut n.security_groups);
    let mut all = rule(true, 443);
    all.cidr = Some("0.0.0.0/0".into());
    groups[0].rules = vec![all];
    f
}

#[test]
fn healthy_nat_has_no_failure() {
    let mut f = internet_design(RouteTarget::NatGateway("nat-1".into()), "active");
    vec_of(&mut net(&mut f).nat_gateways).push(NatGatewayFacts {
        id: "nat-1".into(),
        state: Some("available".into()),
        ..Default::default()
    });
    let r = report(&f);
    assert!(fails(&r).is_empty(), "{:#?}", network_stage(&r));
    assert_eq!(network_stage(&r).status, Status::Pass);
}

#[test]
fn a_nat_that_is_gone_or_a_blackhole() {
    let mut f = internet_design(RouteTarget::NatGateway("nat-1".into()), "active");
    vec_of(&mut net(&mut f).nat_gateways).push(NatGatewayFacts {
        id: "nat-1".into(),
        state: Some("deleted".into()),
        ..Default::default()
    });
    assert_eq!(report(&f).root_cause, Some(Code::NetNatGatewayUnavailable));
    let f = internet_design(RouteTarget::NatGateway("nat-1".into()), "blackhole");
    assert_eq!(report(&f).root_cause, Some(Code::NetRouteBlackhole));
}

#[test]
fn a_transit_gateway_is_unknown_never_pass_or_fail() {
    let f = internet_design(RouteTarget::TransitGateway("tgw-1".into()), "active");
    let r = report(&f);
    assert!(fails(&r).is_empty(), "{:#?}", network_stage(&r));
    assert_eq!(network_stage(&r).status, Status::Unknown);
    let hop = network_stage(&r)
        .findings
        .iter()
        .find(|f| f.code == Code::NetHopNotVerifiable)
        .unwrap();
    assert_eq!(hop.status, Status::Unknown);
    assert_eq!(hop.evidence["target"], "transit gateway tgw-1");
}

#[test]
fn public_subnet_without_public_ip() {
    let f = internet_design(RouteTarget::InternetGateway("igw-1".into()), "active");
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetPublicIpMissing),
        "{:#?}",
        network_stage(&r)
    );
    let mut f = internet_design(RouteTarget::InternetGateway("igw-1".into()), "active");
    net(&mut f).origin.assign_public_ip = Some(true);
    assert!(fails(&report(&f)).is_empty());
}

#[test]
fn ec2_awsvpc_in_a_public_subnet() {
    let mut f = internet_design(RouteTarget::InternetGateway("igw-1".into()), "active");
    net(&mut f).origin.launch_type = Some("EC2".into());
    net(&mut f).origin.assign_public_ip = None;
    assert_eq!(report(&f).root_cause, Some(Code::NetAwsvpcEc2PublicSubnet));
}

#[test]
fn private_subnet_with_neither_nat_nor_endpoints() {
    let mut f = seed();
    let n = net(&mut f);
    vec_of(&mut n.vpc_endpoints).clear();
    vec_of(&mut n.route_tables)[1]
        .routes
        .retain(|r| r.destination_prefix_list_id.is_none());
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetNoPathToService),
        "{:#?}",
        network_stage(&r)
    );
}

#[test]
fn docker_hub_image_with_endpoints_only() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    vec_of(&mut net(&mut f).security_groups)[0].rules.push(pl);
    if let Some(Readable::Read { value }) = &mut f.task_definition {
        value.container_definitions[0].image = Some("nginx:1.27".into());
    }
    set_reason(
        &mut f,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nginx:1.27: dial tcp 44.219.3.189:443: i/o timeout",
    );
    let r = report(&f);
    assert_eq!(
        r.root_cause,
        Some(Code::NetNoPathToService),
        "{:#?}",
        network_stage(&r)
    );
    let p = network_stage(&r)
        .paths
        .iter()
        .find(|p| p.destination == "registry-1.docker.io")
        .unwrap();
    assert_eq!(p.status, Status::Fail);
}

#[test]
fn missing_network_facts_skip_and_unreadable_ones_are_unknown() {
    let mut f = seed();
    f.network = None;
    assert_eq!(network_stage(&report(&f)).status, Status::Skipped);
    let mut f = seed();
    net(&mut f).route_tables = Some(Readable::Unreadable(Unreadable {
        api: "ec2:DescribeRouteTables".into(),
        error_code: "UnauthorizedOperation".into(),
        message: String::new(),
    }));
    let r = report(&f);
    assert_eq!(network_stage(&r).status, Status::Unknown);
    assert_eq!(
        network_stage(&r).findings[0].evidence["errorCode"],
        "UnauthorizedOperation"
    );
}

#[test]
fn the_text_view_marks_the_blocking_hop() {
    let text = crate::render::text(&report(&seed()));
    let line = text
        .lines()
        .find(|l| l.contains("<-- blocked here"))
        .expect("a marked hop");
    assert!(line.contains("sg-egress"), "{line}");
    assert!(
        text.contains("path to s3 (ECR layers) via gateway endpoint vpce-s3"),
        "{text}"
    );
}

#[test]
fn an_ecr_endpoint_policy_limited_to_another_repository_denies_the_pull() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    vec_of(&mut net(&mut f).security_groups)[0].rules.push(pl);
    vec_of(&mut net(&mut f).vpc_endpoints).iter_mut().find(|e| e.id == "vpce-dkr").unwrap().policy_document = Some(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"arn:aws:ecr:us-east-1:111122223333:repository/other"}]}"#.into(),
    );
    set_reason(
        &mut f,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1: unexpected status code 403 Forbidden",
    );
    let r = report(&f);
    let denied = network_stage(&r)
        .findings
        .iter()
        .find(|f| f.code == Code::NetEndpointPolicyDenies && f.status == Status::Fail)
        .unwrap_or_else(|| panic!("{:#?}", network_stage(&r)));
    assert_eq!(
        denied.evidence["resource"],
        "arn:aws:ecr:us-east-1:111122223333:repository/api"
    );
    assert_eq!(denied.evidence["vpcEndpointId"], "vpce-dkr");
}

#[test]
fn hops_follow_the_packet_not_the_order_of_the_checks() {
    let r = report(&seed());
    let stage = network_stage(&r);
    let layers = |destination: &str| -> Vec<(String, String)> {
        let p = stage
            .paths
            .iter()
            .find(|p| p.destination.starts_with(destination))
            .unwrap_or_else(|| panic!("no path to {destination}"));
        p.hops
            .iter()
            .map(|h| (h.layer.clone(), h.detail.clone()))
            .collect()
    };
    // The gateway path: the walk checks the route first (it decides which peer the security
    // group must allow), but the packet meets the security group and the NACL first.
    let s3: Vec<String> = layers("s3").into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        s3,
        [
            "dns",
            "sg-egress",
            "nacl-out",
            "route",
            "endpoint",
            "policy",
            "nacl-in"
        ],
    );
    // An interface endpoint in another subnet: out of the task's subnet, into the endpoint's,
    // its security group and policy, then the answer back the other way.
    let api = layers("ecr.api");
    let names: Vec<&str> = api.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        names,
        [
            "dns",
            "sg-egress",
            "nacl-out",
            "route",
            "endpoint",
            "nacl-in",
            "endpoint-sg",
            "policy",
            "nacl-out",
            "nacl-in"
        ],
    );
    let subnet_and_kind = |i: usize| {
        let d = &api[i].1;
        (
            if d.contains("subnet-task") {
                "task"
            } else {
                "endpoint"
            },
            if d.contains("return traffic") {
                "return"
            } else {
                "request"
            },
        )
    };
    assert_eq!(subnet_and_kind(2), ("task", "request"));
    assert_eq!(subnet_and_kind(5), ("endpoint", "request"));
    assert_eq!(subnet_and_kind(8), ("endpoint", "return"));
    assert_eq!(subnet_and_kind(9), ("task", "return"));
}

/// The seed as AWS leaves it after the stop: the ENI deleted, its groups unknown unless a
/// source recovered them.
fn eni_gone(source: Option<Readable<NetworkConfigSource>>, groups: &[&str]) -> Facts {
    let mut f = seed();
    let n = net(&mut f);
    n.eni = None;
    n.origin.found_by = Some("attachment".into());
    n.origin.security_group_ids = groups.iter().map(|g| g.to_string()).collect();
    n.origin.config_source = source;
    f
}

fn finding<'a>(r: &'a Report, code: Code) -> Vec<&'a Finding> {
    network_stage(r)
        .findings
        .iter()
        .filter(|f| f.code == code)
        .collect()
}

/// Issue 15: a standalone task whose ENI is gone and whose groups nothing recorded. The
/// endpoint's rule allows the task's group, which is unknown: that is UNKNOWN, never the
/// false "allow no ingress from the task (groups )" FAIL; the S3 egress the stop reason
/// names is the one hop that could not be verified, and is the root cause.
#[test]
fn unknown_task_groups_make_no_fail_and_the_reasons_hop_is_the_root_cause() {
    let r = report(&eni_gone(None, &[]));
    assert!(fails(&r).is_empty(), "{:#?}", network_stage(&r));
    for f in finding(&r, Code::NetEndpointSgIngressBlocked) {
        assert_eq!(f.status, Status::Unknown, "{f:#?}");
        assert!(f.detail.contains("not known"), "{}", f.detail);
    }
    let s3 = finding(&r, Code::NetSgEgressS3PrefixListMissing);
    assert_eq!(s3.len(), 1);
    assert_eq!(s3[0].status, Status::Unknown);
    assert!(s3[0].detail.contains("ENI is gone"), "{}", s3[0].detail);
    assert_eq!(r.root_cause, Some(Code::NetSgEgressS3PrefixListMissing));
    assert_eq!(r.root_finding().unwrap().status, Status::Unknown);
    assert_ne!(r.verdict, Status::Fail);
    assert!(
        r.summary.contains("could not be verified")
            && r.summary
                .contains("ecs-task-doctor explain NET_SG_EGRESS_S3_PREFIX_LIST_MISSING"),
        "{}",
        r.summary
    );
    let config = finding(&r, Code::NetTaskConfigUnknown);
    assert_eq!(config.len(), 1);
    assert_eq!(config[0].status, Status::Unknown);
}

/// The read that would have named the groups failed: every UNKNOWN it causes names the
/// API, the error and the permission the tool's role lacks.
#[test]
fn an_unreadable_source_is_named_where_the_groups_are_needed() {
    let u = Unreadable {
        api: "cloudtrail:LookupEvents".into(),
        error_code: "AccessDeniedException".into(),
        message: "not authorized".into(),
    };
    let r = report(&eni_gone(Some(Readable::Unreadable(u)), &[]));
    assert!(fails(&r).is_empty());
    let root = r.root_finding().unwrap();
    assert_eq!(root.evidence["api"], "cloudtrail:LookupEvents");
    assert_eq!(
        root.evidence["cause"],
        "the function's role lacks cloudtrail:LookupEvents"
    );
    let config = finding(&r, Code::NetTaskConfigUnknown)[0];
    assert_eq!(config.status, Status::Unknown);
    assert!(
        config.remediation.contains("Allow cloudtrail:LookupEvents"),
        "{}",
        config.remediation
    );
}

/// Recovered from the deployment that started the task (or CloudTrail): the seed's real
/// cause is found again, and the report says where the groups came from.
#[test]
fn recovered_groups_find_the_seed_cause_and_say_their_source() {
    for (kind, id, status) in [
        ("deployment", "ecs-svc/42", Status::Pass),
        ("taskSet", "ecs-svc/43", Status::Pass),
        ("cloudTrail", "0f1e-event", Status::Pass),
        ("service", "", Status::Warn),
    ] {
        let source = NetworkConfigSource {
            kind: kind.into(),
            id: (!id.is_empty()).then(|| id.to_string()),
            at: Some("2026-11-27T09:58:51.204Z".into()),
            note: None,
        };
        let r = report(&eni_gone(read(source).map(|x| x), &["sg-task"]));
        assert_eq!(
            r.root_cause,
            Some(Code::NetSgEgressS3PrefixListMissing),
            "{kind}"
        );
        assert_eq!(r.root_finding().unwrap().status, Status::Fail);
        let config = finding(&r, Code::NetTaskConfigUnknown);
        assert_eq!(config.len(), 1, "{kind}");
        assert_eq!(config[0].status, status, "{kind}");
        assert_eq!(config[0].evidence["source"], kind);
        assert!(config[0].detail.contains("sg-task"), "{}", config[0].detail);
    }
}

/// The task's address is unknown (only its subnet): an endpoint rule that allows part of
/// the subnet is UNKNOWN; one that allows all of it passes; one that allows none of it
/// fails, with or without the address.
#[test]
fn an_unknown_address_is_unknown_only_where_the_rules_split_its_subnet() {
    let with_cidr = |cidr: &str| {
        let mut f = eni_gone(None, &["sg-task"]);
        net(&mut f).origin.private_ip = None;
        let groups = vec_of(&mut net(&mut f).security_groups);
        let ep = groups.iter_mut().find(|g| g.id == "sg-endpoints").unwrap();
        let mut r = rule(false, 443);
        r.cidr = Some(cidr.into());
        ep.rules = vec![r];
        report(&f)
    };
    let status = |r: &Report| {
        finding(r, Code::NetEndpointSgIngressBlocked)
            .iter()
            .map(|f| f.status)
            .max_by_key(|s| s.severity_rank())
            .unwrap()
    };
    assert_eq!(status(&with_cidr("10.0.1.0/25")), Status::Unknown);
    assert_eq!(status(&with_cidr("10.0.0.0/16")), Status::Pass);
    assert_eq!(status(&with_cidr("192.168.0.0/16")), Status::Fail);
}

/// A group the task names but DescribeSecurityGroups did not return: its rules are unknown,
/// so the block it would make is UNKNOWN.
#[test]
fn a_named_group_that_was_not_returned_is_unknown() {
    let mut f = seed();
    net(&mut f).origin.security_group_ids = vec!["sg-task".into(), "sg-gone".into()];
    let r = report(&f);
    let s3 = finding(&r, Code::NetSgEgressS3PrefixListMissing);
    assert_eq!(s3[0].status, Status::Unknown, "{:#?}", s3[0]);
    assert!(s3[0].detail.contains("sg-gone"), "{}", s3[0].detail);
}

/// Issue 15's example of a root cause under uncertainty: an endpoint-only VPC whose DHCP
/// options name custom DNS servers, and nothing that fails. Whether those servers resolve
/// the endpoints' private names cannot be seen from the configuration: that warning, on
/// every path the stop reason's pull takes, is the root cause, and the summary says how to
/// check it by hand.
#[test]
fn custom_dns_in_an_endpoint_only_vpc_is_the_root_cause_when_nothing_fails() {
    let mut f = seed();
    let mut pl = rule(true, 443);
    pl.prefix_list_id = Some("pl-s3".into());
    vec_of(&mut net(&mut f).security_groups)[0].rules.push(pl);
    net(&mut f).dhcp_options = read(DhcpOptionsFacts {
        id: "dopt-2".into(),
        domain_name_servers: vec!["10.0.0.53".into()],
    });
    let r = report(&f);
    assert!(fails(&r).is_empty(), "{:#?}", network_stage(&r));
    assert_ne!(r.verdict, Status::Fail);
    assert_eq!(r.root_cause, Some(Code::NetCustomDnsServers));
    assert_eq!(r.root_finding().unwrap().status, Status::Warn);
    assert!(
        r.summary.contains("could not be verified")
            && r.summary.contains("10.0.0.53")
            && r.summary
                .contains("ecs-task-doctor explain NET_CUSTOM_DNS_SERVERS"),
        "{}",
        r.summary
    );
}
