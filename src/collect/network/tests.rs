//! Conversions from SDK types to network facts, checked with SDK builders.

use super::*;
use crate::facts::AttachmentFacts;
use aws_sdk_ec2::types::{
    AttachmentStatus, DhcpConfiguration, GroupIdentifier, InstanceNetworkInterfaceAttachment,
    InternetGatewayAttachment, NatGatewayState, NetworkInterfaceAssociation, NetworkInterfaceType,
    PortRange, ReferencedSecurityGroup, RouteState, RouteTableAssociation, RuleAction,
    SecurityGroupIdentifier, State, VpcEndpointType,
};

fn route() -> aws_sdk_ec2::types::builders::RouteBuilder {
    Route::builder().destination_cidr_block("0.0.0.0/0")
}

#[test]
fn route_targets_are_told_apart() {
    let cases = [
        (route().gateway_id("local").build(), RouteTarget::Local),
        (
            route().gateway_id("igw-1").build(),
            RouteTarget::InternetGateway("igw-1".into()),
        ),
        (
            route().gateway_id("vpce-1").build(),
            RouteTarget::VpcEndpoint("vpce-1".into()),
        ),
        (
            route().gateway_id("vgw-1").build(),
            RouteTarget::VirtualPrivateGateway("vgw-1".into()),
        ),
        (
            route().nat_gateway_id("nat-1").build(),
            RouteTarget::NatGateway("nat-1".into()),
        ),
        (
            route().transit_gateway_id("tgw-1").build(),
            RouteTarget::TransitGateway("tgw-1".into()),
        ),
        (
            route().vpc_peering_connection_id("pcx-1").build(),
            RouteTarget::VpcPeering("pcx-1".into()),
        ),
        (
            route().egress_only_internet_gateway_id("eigw-1").build(),
            RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
        ),
        (
            route().network_interface_id("eni-1").build(),
            RouteTarget::NetworkInterface("eni-1".into()),
        ),
        (
            route().instance_id("i-1").build(),
            RouteTarget::Instance("i-1".into()),
        ),
        (
            route().carrier_gateway_id("cagw-1").build(),
            RouteTarget::Other("cagw-1".into()),
        ),
        (
            route().gateway_id("lgw-1").build(),
            RouteTarget::Other("lgw-1".into()),
        ),
        (route().build(), RouteTarget::Unknown),
    ];
    for (r, want) in cases {
        assert_eq!(route_target(&r), want, "{r:?}");
    }
}

#[test]
fn blackhole_and_prefix_list_routes_keep_their_state_and_destination() {
    let r = Route::builder()
        .destination_prefix_list_id("pl-63a5400a")
        .gateway_id("vpce-0abc")
        .state(RouteState::Active)
        .build();
    let f = route_facts(&r);
    assert_eq!(f.destination_prefix_list_id.as_deref(), Some("pl-63a5400a"));
    assert_eq!(f.destination_cidr, None);
    assert_eq!(f.state.as_deref(), Some("active"));
    let dead = route()
        .nat_gateway_id("nat-1")
        .state(RouteState::Blackhole)
        .build();
    assert_eq!(route_facts(&dead).state.as_deref(), Some("blackhole"));
}

#[test]
fn route_table_main_flag_and_explicit_subnets() {
    let rt = RouteTable::builder()
        .route_table_id("rtb-1")
        .vpc_id("vpc-1")
        .associations(RouteTableAssociation::builder().main(true).build())
        .associations(
            RouteTableAssociation::builder()
                .main(false)
                .subnet_id("subnet-a")
                .build(),
        )
        .routes(
            Route::builder()
                .destination_cidr_block("10.0.0.0/16")
                .gateway_id("local")
                .build(),
        )
        .build();
    let f = route_table_facts(&rt);
    assert!(f.main);
    assert_eq!(f.subnet_ids, vec!["subnet-a".to_string()]);
    assert_eq!(f.routes[0].target, RouteTarget::Local);
}

#[test]
fn endpoint_state_is_lowercased_whatever_the_sdk_enum_says() {
    // aws-sdk-ec2's shared State enum knows only "Available": the wire's "available" is Unknown.
    let wire = VpcEndpoint::builder()
        .vpc_endpoint_id("vpce-1")
        .service_name("com.amazonaws.us-east-1.ecr.dkr")
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .state(State::from("available"))
        .private_dns_enabled(true)
        .subnet_ids("subnet-a")
        .network_interface_ids("eni-e")
        .groups(SecurityGroupIdentifier::builder().group_id("sg-ep").build())
        .policy_document("{}")
        .build();
    let f = vpc_endpoint_facts(&wire);
    assert_eq!(f.state.as_deref(), Some("available"));
    assert_eq!(f.endpoint_type, "Interface");
    assert_eq!(f.security_group_ids, vec!["sg-ep".to_string()]);
    assert_eq!(f.network_interface_ids, vec!["eni-e".to_string()]);
    assert_eq!(f.private_dns_enabled, Some(true));
    let modelled = VpcEndpoint::builder().state(State::Available).build();
    assert_eq!(
        vpc_endpoint_facts(&modelled).state.as_deref(),
        Some("available")
    );
    let pending = VpcEndpoint::builder()
        .state(State::PendingAcceptance)
        .build();
    assert_eq!(
        vpc_endpoint_facts(&pending).state.as_deref(),
        Some("pendingacceptance")
    );
}

#[test]
fn sg_rules_keep_their_ids_and_peers() {
    let to_group = SecurityGroupRule::builder()
        .security_group_rule_id("sgr-1")
        .group_id("sg-task")
        .is_egress(true)
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .referenced_group_info(ReferencedSecurityGroup::builder().group_id("sg-ep").build())
        .build();
    let to_pl = SecurityGroupRule::builder()
        .security_group_rule_id("sgr-2")
        .group_id("sg-task")
        .is_egress(true)
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .prefix_list_id("pl-1")
        .description("S3")
        .build();
    let other = SecurityGroupRule::builder()
        .security_group_rule_id("sgr-3")
        .group_id("sg-ep")
        .is_egress(false)
        .ip_protocol("-1")
        .from_port(-1)
        .to_port(-1)
        .cidr_ipv4("10.0.0.0/16")
        .build();
    let groups = [
        SecurityGroup::builder()
            .group_id("sg-ep")
            .group_name("endpoints")
            .vpc_id("vpc-1")
            .build(),
        SecurityGroup::builder()
            .group_id("sg-task")
            .group_name("task")
            .vpc_id("vpc-1")
            .build(),
    ];
    let ids = ["sg-task".to_string(), "sg-gone".into(), "sg-ep".into()];
    let f = security_group_facts(&ids, &groups, &[to_group, to_pl, other]);
    assert_eq!(f.len(), 2, "a deleted group is absent");
    assert_eq!(f[0].id, "sg-task");
    assert_eq!(f[0].name.as_deref(), Some("task"));
    assert_eq!(f[0].rules.len(), 2);
    let r = &f[0].rules[0];
    assert_eq!(r.rule_id.as_deref(), Some("sgr-1"));
    assert!(r.egress);
    assert_eq!(r.referenced_group_id.as_deref(), Some("sg-ep"));
    assert_eq!((r.from_port, r.to_port), (Some(443), Some(443)));
    assert_eq!(f[0].rules[1].prefix_list_id.as_deref(), Some("pl-1"));
    assert_eq!(f[0].rules[1].description.as_deref(), Some("S3"));
    assert_eq!(f[1].rules[0].cidr.as_deref(), Some("10.0.0.0/16"));
    assert_eq!(f[1].rules[0].protocol, "-1");
    assert!(!f[1].rules[0].egress);
}

#[test]
fn nacl_entries_keep_order_fields_and_lowercase_actions() {
    let acl = NetworkAcl::builder()
        .network_acl_id("acl-1")
        .is_default(false)
        .associations(
            aws_sdk_ec2::types::NetworkAclAssociation::builder()
                .subnet_id("subnet-a")
                .build(),
        )
        .entries(
            NetworkAclEntry::builder()
                .rule_number(100)
                .egress(true)
                .protocol("6")
                .rule_action(RuleAction::Allow)
                .cidr_block("0.0.0.0/0")
                .port_range(PortRange::builder().from(443).to(443).build())
                .build(),
        )
        .entries(
            NetworkAclEntry::builder()
                .rule_number(32767)
                .egress(false)
                .protocol("-1")
                .rule_action(RuleAction::Deny)
                .cidr_block("0.0.0.0/0")
                .build(),
        )
        .build();
    let f = network_acl_facts(&acl);
    assert_eq!(f.subnet_ids, vec!["subnet-a".to_string()]);
    assert_eq!(f.entries[0].action, "allow");
    assert_eq!(f.entries[0].protocol, "6");
    assert_eq!(
        (f.entries[0].from_port, f.entries[0].to_port),
        (Some(443), Some(443))
    );
    assert!(f.entries[0].egress);
    assert_eq!(f.entries[1].action, "deny");
    assert_eq!(f.entries[1].rule_number, 32767);
    assert_eq!(f.entries[1].from_port, None);
}

#[test]
fn eni_keeps_public_ip_groups_and_type() {
    let n = NetworkInterface::builder()
        .network_interface_id("eni-1")
        .subnet_id("subnet-a")
        .vpc_id("vpc-1")
        .private_ip_address("10.0.1.5")
        .association(
            NetworkInterfaceAssociation::builder()
                .public_ip("3.3.3.3")
                .build(),
        )
        .groups(GroupIdentifier::builder().group_id("sg-1").build())
        .interface_type(NetworkInterfaceType::VpcEndpoint)
        .description("")
        .build();
    let f = eni_facts(&n);
    assert_eq!(f.public_ip.as_deref(), Some("3.3.3.3"));
    assert_eq!(f.security_group_ids, vec!["sg-1".to_string()]);
    assert_eq!(f.interface_type.as_deref(), Some("vpc_endpoint"));
    assert_eq!(
        f.description, None,
        "an empty description is no description"
    );
}

#[test]
fn eni_attachment_from_describe_tasks_or_event() {
    let mut details = std::collections::BTreeMap::new();
    details.insert("networkInterfaceId".to_string(), "eni-1".to_string());
    details.insert("subnetId".to_string(), "subnet-a".to_string());
    details.insert("privateIPv4Address".to_string(), "10.0.1.5".to_string());
    for kind in ["ElasticNetworkInterface", "eni"] {
        let task = TaskFacts {
            attachments: vec![
                AttachmentFacts {
                    kind: Some("ServiceConnect".into()),
                    ..AttachmentFacts::default()
                },
                AttachmentFacts {
                    id: Some("att-1".into()),
                    kind: Some(kind.into()),
                    status: Some("DELETED".into()),
                    details: details.clone(),
                },
            ],
            ..TaskFacts::default()
        };
        let a = eni_attachment(&task).unwrap();
        assert_eq!(a.eni_id.as_deref(), Some("eni-1"));
        assert_eq!(a.subnet_id.as_deref(), Some("subnet-a"));
        assert_eq!(a.private_ip.as_deref(), Some("10.0.1.5"));
        assert_eq!(a.attachment_id.as_deref(), Some("att-1"));
    }
    assert_eq!(eni_attachment(&TaskFacts::default()), None);
}

#[test]
fn service_group_and_cluster_names() {
    assert_eq!(service_name(Some("service:web")), Some("web"));
    assert_eq!(service_name(Some("family:web")), None);
    assert_eq!(service_name(Some("service:")), None);
    let task = TaskFacts {
        task_arn: "arn:aws:ecs:us-east-1:123456789012:task/prod/0123".into(),
        ..TaskFacts::default()
    };
    assert_eq!(cluster_of(&task).as_deref(), Some("prod"));
}

#[test]
fn service_network_fills_groups_and_public_ip() {
    let cfg = AwsVpcConfiguration::builder()
        .subnets("subnet-a")
        .security_groups("sg-1")
        .assign_public_ip(AssignPublicIp::Enabled)
        .build()
        .unwrap();
    let current = ServiceNetwork {
        kind: "service",
        id: None,
        at: None,
        cfg,
    };
    let mut o = OriginFacts::default();
    apply_service_network(&mut o, &current, Some("ecs-svc/1"));
    assert_eq!(o.security_group_ids, vec!["sg-1".to_string()]);
    assert_eq!(o.assign_public_ip, Some(true));
    assert_eq!(o.subnet_id.as_deref(), Some("subnet-a"));
    assert_eq!(o.found_by.as_deref(), Some("service"));
    let source = o.config_source.as_ref().and_then(Readable::value).unwrap();
    assert_eq!(source.kind, "service");
    assert!(
        source.note.as_deref().unwrap().contains("ecs-svc/1"),
        "{source:?}"
    );
    // The attachment's subnet wins over the service's list.
    let mut o = OriginFacts {
        subnet_id: Some("subnet-b".into()),
        ..OriginFacts::default()
    };
    apply_service_network(&mut o, &current, None);
    assert_eq!(o.subnet_id.as_deref(), Some("subnet-b"));
}

/// The deployment (or task set) that started the task wins over the service's current
/// configuration, which may have changed since; an unknown `startedBy` falls back to it.
#[test]
fn the_deployment_that_started_the_task_wins() {
    use aws_sdk_ecs::types::{Deployment, NetworkConfiguration, Service, TaskSet};
    let net = |sg: &str| {
        NetworkConfiguration::builder()
            .awsvpc_configuration(
                AwsVpcConfiguration::builder()
                    .subnets("subnet-a")
                    .security_groups(sg)
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let sv = Service::builder()
        .service_name("web")
        .network_configuration(net("sg-now"))
        .deployments(
            Deployment::builder()
                .id("ecs-svc/new")
                .network_configuration(net("sg-now"))
                .build(),
        )
        .deployments(
            Deployment::builder()
                .id("ecs-svc/old")
                .created_at(aws_smithy_types::DateTime::from_secs(1_764_583_200))
                .network_configuration(net("sg-then"))
                .build(),
        )
        .task_sets(
            TaskSet::builder()
                .id("ecs-svc/set")
                .network_configuration(net("sg-set"))
                .build(),
        )
        .build();
    let networks = service_networks(&sv);
    let pick = |by: Option<&str>| {
        let n = network_for_task(&networks, by).unwrap();
        (n.kind, n.cfg.security_groups()[0].clone())
    };
    assert_eq!(pick(Some("ecs-svc/old")), ("deployment", "sg-then".into()));
    assert_eq!(pick(Some("ecs-svc/set")), ("taskSet", "sg-set".into()));
    assert_eq!(pick(Some("ecs-svc/gone")), ("service", "sg-now".into()));
    assert_eq!(pick(None), ("service", "sg-now".into()));
    let old = network_for_task(&networks, Some("ecs-svc/old")).unwrap();
    assert_eq!(old.at.as_deref(), Some("2025-12-01T10:00:00.000Z"));
    let mut o = OriginFacts::default();
    apply_service_network(&mut o, old, Some("ecs-svc/old"));
    let source = o.config_source.as_ref().and_then(Readable::value).unwrap();
    assert_eq!(
        (
            source.kind.as_str(),
            source.id.as_deref(),
            source.note.as_deref()
        ),
        ("deployment", Some("ecs-svc/old"), None)
    );
}

#[test]
fn instance_primary_eni_is_device_zero() {
    let nic = |id: &str, idx: i32| {
        InstanceNetworkInterface::builder()
            .network_interface_id(id)
            .subnet_id(format!("subnet-{id}"))
            .vpc_id("vpc-1")
            .groups(GroupIdentifier::builder().group_id("sg-host").build())
            .attachment(
                InstanceNetworkInterfaceAttachment::builder()
                    .device_index(idx)
                    .build(),
            )
            .build()
    };
    let i = Instance::builder()
        .instance_id("i-1")
        .network_interfaces(nic("eni-b", 1))
        .network_interfaces(nic("eni-a", 0))
        .placement(
            aws_sdk_ec2::types::Placement::builder()
                .availability_zone("us-east-1a")
                .build(),
        )
        .build();
    let f = primary_eni_facts(&i).unwrap();
    assert_eq!(f.id, "eni-a");
    assert_eq!(f.subnet_id.as_deref(), Some("subnet-eni-a"));
    assert_eq!(f.security_group_ids, vec!["sg-host".to_string()]);
    assert_eq!(f.availability_zone.as_deref(), Some("us-east-1a"));
    assert_eq!(primary_eni_facts(&Instance::builder().build()), None);
}

#[test]
fn vpc_dhcp_nat_and_igw_conversions() {
    let v = Vpc::builder()
        .vpc_id("vpc-1")
        .cidr_block("10.0.0.0/16")
        .cidr_block_association_set(
            aws_sdk_ec2::types::VpcCidrBlockAssociation::builder()
                .cidr_block("10.1.0.0/16")
                .build(),
        )
        .dhcp_options_id("dopt-1")
        .build();
    let f = vpc_facts(&v, Some(Readable::read(true)), None);
    assert_eq!(
        f.cidrs,
        vec!["10.0.0.0/16".to_string(), "10.1.0.0/16".into()]
    );
    assert_eq!(f.enable_dns_support, Some(Readable::read(true)));
    assert_eq!(f.enable_dns_hostnames, None);
    assert_eq!(f.dhcp_options_id.as_deref(), Some("dopt-1"));

    let d = DhcpOptions::builder()
        .dhcp_options_id("dopt-1")
        .dhcp_configurations(
            DhcpConfiguration::builder()
                .key("domain-name")
                .values(
                    aws_sdk_ec2::types::AttributeValue::builder()
                        .value("corp")
                        .build(),
                )
                .build(),
        )
        .dhcp_configurations(
            DhcpConfiguration::builder()
                .key("domain-name-servers")
                .values(
                    aws_sdk_ec2::types::AttributeValue::builder()
                        .value("10.0.0.2")
                        .build(),
                )
                .values(
                    aws_sdk_ec2::types::AttributeValue::builder()
                        .value("10.0.0.3")
                        .build(),
                )
                .build(),
        )
        .build();
    assert_eq!(
        dhcp_options_facts(&d).domain_name_servers,
        vec!["10.0.0.2".to_string(), "10.0.0.3".into()]
    );

    let n = NatGateway::builder()
        .nat_gateway_id("nat-1")
        .state(NatGatewayState::Available)
        .subnet_id("subnet-pub")
        .connectivity_type(aws_sdk_ec2::types::ConnectivityType::Public)
        .build();
    let f = nat_gateway_facts(&n);
    assert_eq!(f.state.as_deref(), Some("available"));
    assert_eq!(f.connectivity_type.as_deref(), Some("public"));

    let g = InternetGateway::builder()
        .internet_gateway_id("igw-1")
        .attachments(
            InternetGatewayAttachment::builder()
                .vpc_id("vpc-1")
                .state(AttachmentStatus::from("available"))
                .build(),
        )
        .attachments(
            InternetGatewayAttachment::builder()
                .vpc_id("vpc-2")
                .state(AttachmentStatus::Detached)
                .build(),
        )
        .build();
    assert_eq!(
        internet_gateway_facts(&g).attached_vpc_ids,
        vec!["vpc-1".to_string()]
    );
}
