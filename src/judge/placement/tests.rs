//! Stage-level tests with hand-built facts.

use super::*;
use crate::facts::{
    EfsFileSystemFacts, MountTargetFacts, NetworkFacts, OriginFacts, PlacementFacts,
    SecurityGroupFacts, SgRuleFacts, SubnetFacts,
};

fn rule(egress: bool, group: &str) -> SgRuleFacts {
    SgRuleFacts {
        rule_id: Some(format!("sgr-{group}-{egress}")),
        egress,
        protocol: "tcp".into(),
        from_port: Some(2049),
        to_port: Some(2049),
        referenced_group_id: Some(group.into()),
        ..Default::default()
    }
}

fn fs(az: &str, mt_rules: Vec<SgRuleFacts>) -> EfsFileSystemFacts {
    EfsFileSystemFacts {
        file_system_id: "fs-1".into(),
        mount_targets: Some(Readable::Read {
            value: vec![MountTargetFacts {
                mount_target_id: "fsmt-1".into(),
                subnet_id: Some("subnet-a".into()),
                availability_zone: Some(az.into()),
                ip_address: Some("10.0.1.9".into()),
                life_cycle_state: Some("available".into()),
                security_group_ids: Some(Readable::Read {
                    value: vec!["sg-mt".into()],
                }),
            }],
        }),
        security_groups: Some(Readable::Read {
            value: vec![SecurityGroupFacts {
                id: "sg-mt".into(),
                rules: mt_rules,
                ..Default::default()
            }],
        }),
        policy: Some(Readable::Read { value: None }),
    }
}

fn network() -> NetworkFacts {
    NetworkFacts {
        origin: OriginFacts {
            subnet_id: Some("subnet-a".into()),
            private_ip: Some("10.0.1.20".into()),
            security_group_ids: vec!["sg-task".into()],
            ..Default::default()
        },
        subnet: Some(Readable::Read {
            value: SubnetFacts {
                id: "subnet-a".into(),
                availability_zone: Some("us-east-1a".into()),
                cidr: Some("10.0.1.0/24".into()),
                ..Default::default()
            },
        }),
        security_groups: Some(Readable::Read {
            value: vec![SecurityGroupFacts {
                id: "sg-task".into(),
                rules: vec![rule(true, "sg-mt")],
                ..Default::default()
            }],
        }),
        ..Default::default()
    }
}

fn codes(findings: &[Finding]) -> Vec<(Code, Status)> {
    findings.iter().map(|f| (f.code, f.status)).collect()
}

#[test]
fn efs_mount_target_in_another_az_fails() {
    let net = network();
    let side = efs::TaskSide::new(None, Some(&net), None);
    let f = efs::check(&fs("us-east-1b", vec![rule(false, "sg-task")]), &side);
    assert_eq!(codes(&f), vec![(Code::EfsMountTargetMissing, Status::Fail)]);
}

#[test]
fn efs_2049_blocked_and_allowed() {
    let net = network();
    let side = efs::TaskSide::new(None, Some(&net), None);
    let f = efs::check(&fs("us-east-1a", vec![]), &side);
    assert_eq!(
        codes(&f),
        vec![
            (Code::EfsMountTargetMissing, Status::Pass),
            (Code::EfsNfsBlocked, Status::Fail)
        ]
    );
    let f = efs::check(&fs("us-east-1a", vec![rule(false, "sg-task")]), &side);
    assert_eq!(
        codes(&f),
        vec![
            (Code::EfsMountTargetMissing, Status::Pass),
            (Code::EfsNfsBlocked, Status::Pass)
        ]
    );
}

#[test]
fn fargate_says_ec2_checks_do_not_apply() {
    let task = TaskFacts {
        task_arn: "arn:aws:ecs:us-east-1:1:task/c/t".into(),
        launch_type: Some("FARGATE".into()),
        ..Default::default()
    };
    let facts = Facts {
        facts_version: 1,
        region: "us-east-1".into(),
        request: crate::facts::RequestFacts {
            cluster: "c".into(),
            task: "t".into(),
            source: crate::facts::TaskSource::Event,
        },
        task: Readable::Read {
            value: TaskLookup::Found {
                task: Box::new(task),
            },
        },
        task_definition: None,
        network: Some(network()),
        image: None,
        iam: None,
        secrets: None,
        logging: None,
        placement: Some(PlacementFacts {
            efs: vec![fs("us-east-1a", vec![rule(false, "sg-task")])],
            ..Default::default()
        }),
        changes: None,
    };
    let r = judge(&facts);
    assert!(r.summary.contains("do not apply"), "{}", r.summary);
    assert_eq!(r.status, Status::Pass);
}

#[test]
fn a_policy_denying_mounts_without_tls_fails_and_none_passes() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"TlsOnly","Effect":"Deny","Principal":{"AWS":"*"},"Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let mut f = fs("us-east-1a", vec![]);
    f.policy = Some(Readable::Read {
        value: Some(deny.into()),
    });
    let mut volume = crate::facts::EfsVolumeFacts {
        file_system_id: "fs-1".into(),
        access_point_id: Some("fsap-1".into()),
        transit_encryption: Some("DISABLED".into()),
        ..Default::default()
    };
    fn req(v: &crate::facts::EfsVolumeFacts) -> efs::MountRequest<'_> {
        efs::MountRequest {
            volume: v,
            task_role: None,
            region: "us-east-1",
            account: "123456789012",
        }
    }
    let got = efs::policy(&f, &req(&volume)).unwrap();
    assert_eq!(got.status, Status::Fail, "{}", got.detail);
    volume.transit_encryption = Some("ENABLED".into());
    assert_eq!(efs::policy(&f, &req(&volume)).unwrap().status, Status::Pass);
    f.policy = Some(Readable::Read { value: None });
    let none = efs::policy(&f, &req(&volume)).unwrap();
    assert_eq!(none.status, Status::Pass);
    // Every outcome of the policy check is reported under the policy's own code.
    assert_eq!(none.code, Code::EfsPolicyDeniesMount);
    assert_eq!(got.code, Code::EfsPolicyDeniesMount);
    volume.access_point_id = None;
    volume.transit_encryption = None;
    assert!(efs::policy(&f, &req(&volume)).is_none());
    f.policy = Some(Readable::Read {
        value: Some(deny.into()),
    });
    assert_eq!(efs::policy(&f, &req(&volume)).unwrap().status, Status::Fail);
}

#[test]
fn the_finding_the_reason_points_at_leads() {
    use crate::facts::{ContainerDefinitionFacts, ContainerInstanceFacts, TaskDefinitionFacts};
    let inst = |id: &str, connected: bool, mem: i64| ContainerInstanceFacts {
        container_instance_arn: format!("arn:aws:ecs:us-east-1:1:container-instance/c/{id}"),
        ec2_instance_id: Some(id.into()),
        status: Some("ACTIVE".into()),
        agent_connected: Some(connected),
        remaining_cpu: Some(2048),
        remaining_memory: Some(mem),
        ..Default::default()
    };
    let task = TaskFacts {
        task_arn: "arn:aws:ecs:us-east-1:1:task/c/t".into(),
        launch_type: Some("EC2".into()),
        stopped_reason: Some("TaskFailedToStart: RESOURCE:MEMORY".into()),
        ..Default::default()
    };
    let td = TaskDefinitionFacts {
        container_definitions: vec![ContainerDefinitionFacts {
            memory: Some(4096),
            ..Default::default()
        }],
        ..Default::default()
    };
    let facts = Facts {
        facts_version: 1,
        region: "us-east-1".into(),
        request: crate::facts::RequestFacts {
            cluster: "c".into(),
            task: "t".into(),
            source: crate::facts::TaskSource::Event,
        },
        task: Readable::Read {
            value: TaskLookup::Found {
                task: Box::new(task),
            },
        },
        task_definition: Some(Readable::Read { value: td }),
        network: None,
        image: None,
        iam: None,
        secrets: None,
        logging: None,
        placement: Some(PlacementFacts {
            container_instances: Some(Readable::Read {
                value: vec![inst("i-a", false, 8000), inst("i-b", true, 1000)],
            }),
            ..Default::default()
        }),
        changes: None,
    };
    let r = judge(&facts);
    let fails: Vec<Code> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.code)
        .collect();
    assert_eq!(
        fails,
        vec![Code::Ec2InsufficientResources, Code::Ec2AgentDisconnected]
    );
    // The disconnected instance's memory does not count.
    assert_eq!(r.findings[0].evidence["largestInstance"], "i-b");
}
