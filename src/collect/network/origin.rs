//! Where the traffic starts: the task ENI (from its attachment, its address or its
//! description); when AWS has deleted it (a stopped task's final state), the configuration
//! the task was started with: the service deployment or task set named by its `startedBy`,
//! the service's current configuration, or for a standalone task the RunTask/StartTask call
//! in CloudTrail; or the EC2 host's primary ENI.

use super::*;

/// The ENI attachment of an awsvpc task, as DescribeTasks (`ElasticNetworkInterface`) or the
/// EventBridge event (`eni`) gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct EniAttachment {
    pub(super) attachment_id: Option<String>,
    pub(super) eni_id: Option<String>,
    pub(super) subnet_id: Option<String>,
    pub(super) private_ip: Option<String>,
    /// `DELETED` once ECS has deleted the ENI (a stopped task's final state).
    pub(super) status: Option<String>,
}

pub(super) fn eni_attachment(task: &TaskFacts) -> Option<EniAttachment> {
    let a = task.attachments.iter().find(|a| {
        a.kind.as_deref().is_some_and(|k| {
            k.eq_ignore_ascii_case("ElasticNetworkInterface") || k.eq_ignore_ascii_case("eni")
        })
    })?;
    let detail = |k: &str| s(a.details.get(k).map(String::as_str));
    Some(EniAttachment {
        attachment_id: s(a.id.as_deref()),
        eni_id: detail("networkInterfaceId"),
        subnet_id: detail("subnetId"),
        private_ip: detail("privateIPv4Address"),
        status: s(a.status.as_deref()),
    })
}

/// The service name of a task started by a service (`service:<name>`).
pub(super) fn service_name(group: Option<&str>) -> Option<&str> {
    group
        .and_then(|g| g.strip_prefix("service:"))
        .filter(|n| !n.is_empty())
}

pub(super) use crate::collect::shared::cluster_of;

pub(super) async fn describe_enis(
    ec2: &aws_sdk_ec2::Client,
    filters: Vec<Filter>,
) -> Result<Vec<NetworkInterface>, Unreadable> {
    ec2.describe_network_interfaces()
        .set_filters(Some(filters))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unreadable("ec2:DescribeNetworkInterfaces", &e))
}

/// Fargate or EC2 awsvpc: the task's own ENI. On AWS a stopped task's ENI is deleted, so the
/// attachment's subnet is kept and, for a service's task, the service's network configuration
/// names the security groups.
pub(super) async fn awsvpc_origin(
    clients: &Clients,
    cache: &Cache,
    task: &TaskFacts,
    attachment: Option<EniAttachment>,
    origin: &mut OriginFacts,
) -> OriginRead {
    let att = attachment.unwrap_or_default();
    let mut out = OriginRead::default();

    let lookup = if let Some(id) = &att.eni_id {
        Some(("attachment", vec![filter("network-interface-id", [id])]))
    } else if let Some(ip) = &att.private_ip {
        let mut f = vec![filter("addresses.private-ip-address", [ip])];
        if let Some(subnet) = &att.subnet_id {
            f.push(filter("subnet-id", [subnet]));
        }
        Some(("privateIp", f))
    } else {
        att.attachment_id.as_ref().map(|id| {
            // ECS describes a task ENI as `arn:aws:ecs:<region>:<account>:attachment/<id>`.
            (
                "description",
                vec![filter("description", [format!("*attachment/{id}")])],
            )
        })
    };

    // An attachment ECS reports DELETED names an ENI that no longer exists (AWS deletes a
    // task's ENI soon after the stop): asking for it would only cost a round before the
    // service's configuration is read, and a lookup by address could find another ENI that
    // reuses it.
    let deleted = att
        .status
        .as_deref()
        .is_some_and(|st| st.eq_ignore_ascii_case("DELETED"));
    let eni_answer = match lookup {
        Some((how, filters)) if !deleted => {
            Some((how, describe_enis(clients.ec2(), filters).await))
        }
        _ => None,
    };
    if let Some((how, answer)) = eni_answer {
        match answer {
            // Only an unambiguous answer identifies the task's ENI.
            Ok(enis) if enis.len() == 1 => {
                let eni = eni_facts(&enis[0]);
                origin.eni_id = Some(eni.id.clone());
                origin.subnet_id = eni.subnet_id.clone().or(att.subnet_id.clone());
                origin.private_ip = eni.private_ip.clone().or(att.private_ip.clone());
                origin.security_group_ids = eni.security_group_ids.clone();
                origin.found_by = Some(how.to_string());
                origin.config_source = Some(read(NetworkConfigSource {
                    kind: "eni".into(),
                    id: Some(eni.id.clone()),
                    ..NetworkConfigSource::default()
                }));
                out.eni = Some(read(eni));
                return out;
            }
            Ok(_) => {}
            Err(u) => out.eni = Some(Readable::Unreadable(u)),
        }
    }

    // The ENI is gone (AWS deletes it when the task stops) or could not be read: what it
    // carried (the task's security groups and public IP) must come from the record of how
    // the task was started.
    origin.eni_id = att.eni_id.clone();
    origin.subnet_id = att.subnet_id.clone();
    origin.private_ip = att.private_ip.clone();
    if origin.subnet_id.is_some() {
        origin.found_by = Some("attachment".into());
    }
    if let (Some(name), Some(cluster)) = (service_name(task.group.as_deref()), cluster_of(task)) {
        let service = cache
            .get_or_read(super::service_networks_key(&cluster, name), || {
                describe_service_networks(clients.ecs(), &cluster, name)
            })
            .await;
        match service {
            Ok(networks) => match network_for_task(&networks, task.started_by.as_deref()) {
                Some(n) => apply_service_network(origin, n, task.started_by.as_deref()),
                None => {
                    origin.config_source = Some(read(NetworkConfigSource {
                        kind: "notFound".into(),
                        note: Some(format!(
                            "service {name} lists no awsvpc configuration (no deployment, task set or current one)"
                        )),
                        ..NetworkConfigSource::default()
                    }))
                }
            },
            Err(u) => {
                origin.config_source = Some(Readable::Unreadable(u.clone()));
                out.groups_unreadable = Some(u);
            }
        }
        // A service's tasks are started by ECS itself, not by a RunTask call of anyone's:
        // CloudTrail has no request of theirs to search.
        return out;
    }
    // A standalone task (or a service that no longer names it): the RunTask or StartTask
    // call that started it, from CloudTrail.
    match super::started_by_call::find(clients, cache, task).await {
        Ok(found) => {
            if let Some(cfg) = &found.configuration {
                apply_trail_network(origin, cfg);
            }
            origin.config_source = Some(read(found.source));
        }
        Err(u) => {
            origin.config_source = Some(Readable::Unreadable(u));
        }
    }
    out
}

/// One awsvpc configuration a service holds: one of a deployment or a task set (each keeps
/// the configuration its tasks were started with), or the service's current one.
#[derive(Debug, Clone)]
pub(super) struct ServiceNetwork {
    /// `deployment`, `taskSet` or `service`.
    pub(super) kind: &'static str,
    /// The deployment or task set ID (`ecs-svc/…`).
    pub(super) id: Option<String>,
    /// When the deployment or task set was created.
    pub(super) at: Option<String>,
    /// The configuration.
    pub(super) cfg: AwsVpcConfiguration,
}

/// Every awsvpc configuration of a service: its deployments', its task sets' (EXTERNAL and
/// CODE_DEPLOY controllers) and its current one, in that order.
pub(super) async fn describe_service_networks(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
) -> Result<Vec<ServiceNetwork>, Unreadable> {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .map_err(|e| unreadable("ecs:DescribeServices", &e))?;
    Ok(out
        .services()
        .iter()
        .find(|sv| sv.service_name() == Some(name))
        .map(service_networks)
        .unwrap_or_default())
}

/// A described service's configurations (see [`describe_service_networks`]).
pub(super) fn service_networks(sv: &aws_sdk_ecs::types::Service) -> Vec<ServiceNetwork> {
    let time = |t: Option<&aws_smithy_types::DateTime>| {
        t.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
            .map(crate::event::timestamp)
    };
    let awsvpc = |n: Option<&aws_sdk_ecs::types::NetworkConfiguration>| {
        n.and_then(|n| n.awsvpc_configuration()).cloned()
    };
    let deployments = sv.deployments().iter().filter_map(|d| {
        Some(ServiceNetwork {
            kind: "deployment",
            id: s(d.id()),
            at: time(d.created_at()),
            cfg: awsvpc(d.network_configuration())?,
        })
    });
    let task_sets = sv.task_sets().iter().filter_map(|t| {
        Some(ServiceNetwork {
            kind: "taskSet",
            id: s(t.id()),
            at: time(t.created_at()),
            cfg: awsvpc(t.network_configuration())?,
        })
    });
    let current = awsvpc(sv.network_configuration()).map(|cfg| ServiceNetwork {
        kind: "service",
        id: None,
        at: None,
        cfg,
    });
    deployments.chain(task_sets).chain(current).collect()
}

/// The configuration that started a task: the deployment or task set whose ID is its
/// `startedBy` (exact), else the service's current one (which may have changed since).
pub(super) fn network_for_task<'a>(
    networks: &'a [ServiceNetwork],
    started_by: Option<&str>,
) -> Option<&'a ServiceNetwork> {
    started_by
        .and_then(|by| networks.iter().find(|n| n.id.as_deref() == Some(by)))
        .or_else(|| networks.iter().find(|n| n.kind == "service"))
}

/// Fills the origin from a service's configuration (the task's ENI being gone).
pub(super) fn apply_service_network(
    origin: &mut OriginFacts,
    n: &ServiceNetwork,
    started_by: Option<&str>,
) {
    let cfg = &n.cfg;
    origin.security_group_ids = cfg.security_groups().to_vec();
    origin.assign_public_ip = cfg.assign_public_ip().and_then(|a| match a {
        AssignPublicIp::Enabled => Some(true),
        AssignPublicIp::Disabled => Some(false),
        _ => None,
    });
    if origin.subnet_id.is_none() && cfg.subnets().len() == 1 {
        origin.subnet_id = Some(cfg.subnets()[0].clone());
    }
    origin.found_by = Some(n.kind.to_string());
    let note = (n.kind == "service").then(|| match started_by {
        Some(by) => format!(
            "the deployment that started the task ({by}) is no longer listed by the service: its current configuration is used, and may have changed since the task started"
        ),
        None => "the task names no deployment (startedBy): the service's current configuration is used, and may have changed since the task started".to_string(),
    });
    origin.config_source = Some(read(NetworkConfigSource {
        kind: n.kind.to_string(),
        id: n.id.clone(),
        at: n.at.clone(),
        note,
    }));
}

/// Fills the origin from the `awsvpcConfiguration` of the call that started the task.
pub(super) fn apply_trail_network(
    origin: &mut OriginFacts,
    cfg: &super::started_by_call::TrailNetwork,
) {
    origin.security_group_ids = cfg.security_groups.clone();
    origin.assign_public_ip = cfg.assign_public_ip;
    if origin.subnet_id.is_none() && cfg.subnets.len() == 1 {
        origin.subnet_id = Some(cfg.subnets[0].clone());
    }
    origin.found_by = Some("cloudTrail".into());
}

/// EC2 bridge/host mode: the agent pulls through the container instance's primary ENI.
pub(super) async fn instance_origin(
    clients: &Clients,
    cache: &Cache,
    task: &TaskFacts,
    origin: &mut OriginFacts,
) -> OriginRead {
    let mut out = OriginRead::default();
    let Some(ci_arn) = task.container_instance_arn.as_deref() else {
        return out;
    };
    let cluster = crate::collect::shared::task_cluster(task);
    let described = crate::collect::shared::container_instances(
        clients,
        cache,
        &cluster,
        &[ci_arn.to_string()],
    )
    .await;
    let instance_id = match described {
        Ok(o) => match o
            .container_instances()
            .iter()
            .find_map(|c| s(c.ec2_instance_id()))
        {
            Some(id) => id,
            None => {
                out.eni = Some(Readable::Unreadable(Unreadable {
                    api: "ecs:DescribeContainerInstances".into(),
                    error_code: o
                        .failures()
                        .first()
                        .and_then(|f| s(f.reason()))
                        .unwrap_or_else(|| "MISSING".into()),
                    message: format!("container instance {ci_arn} was not returned"),
                }));
                return out;
            }
        },
        Err(u) => {
            out.eni = Some(Readable::Unreadable(u));
            return out;
        }
    };
    origin.instance_id = Some(instance_id.clone());
    origin.found_by = Some("containerInstance".into());

    let instances = crate::collect::shared::instance(clients, cache, &instance_id).await;
    let eni = match instances {
        Ok(reservations) => reservations
            .iter()
            .flat_map(|r| r.instances())
            .find(|i| i.instance_id() == Some(instance_id.as_str()))
            .and_then(primary_eni_facts)
            .ok_or_else(|| Unreadable {
                api: "ec2:DescribeInstances".into(),
                error_code: "InvalidInstanceID.NotFound".into(),
                message: format!(
                    "instance {instance_id} or its primary network interface was not returned"
                ),
            }),
        Err(u) => Err(u),
    };
    match eni {
        Ok(eni) => {
            origin.eni_id = Some(eni.id.clone());
            origin.subnet_id = eni.subnet_id.clone();
            origin.private_ip = eni.private_ip.clone();
            origin.security_group_ids = eni.security_group_ids.clone();
            out.eni = Some(read(eni));
        }
        Err(u) => out.eni = Some(Readable::Unreadable(u)),
    }
    out
}

/// The instance's primary ENI (device index 0) as an ENI fact.
pub(super) fn primary_eni_facts(i: &Instance) -> Option<EniFacts> {
    let nics = i.network_interfaces();
    let primary = nics
        .iter()
        .find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0))
        .or_else(|| {
            nics.iter().find(|n| {
                n.private_ip_address().is_some() && n.private_ip_address() == i.private_ip_address()
            })
        })
        .or(nics.first())?;
    Some(instance_eni_facts(i, primary))
}

pub(super) fn instance_eni_facts(i: &Instance, n: &InstanceNetworkInterface) -> EniFacts {
    EniFacts {
        id: n.network_interface_id().unwrap_or_default().to_string(),
        subnet_id: s(n.subnet_id()).or(s(i.subnet_id())),
        vpc_id: s(n.vpc_id()).or(s(i.vpc_id())),
        private_ip: s(n.private_ip_address()),
        public_ip: n.association().and_then(|a| s(a.public_ip())),
        ipv6_addresses: n
            .ipv6_addresses()
            .iter()
            .filter_map(|a| s(a.ipv6_address()))
            .collect(),
        security_group_ids: n.groups().iter().filter_map(|g| s(g.group_id())).collect(),
        interface_type: s(n.interface_type()),
        description: s(n.description()),
        status: n.status().map(|x| x.as_str().to_string()),
        availability_zone: i.placement().and_then(|p| s(p.availability_zone())),
    }
}

/// Converts an ENI.
pub(super) fn eni_facts(n: &NetworkInterface) -> EniFacts {
    EniFacts {
        id: n.network_interface_id().unwrap_or_default().to_string(),
        subnet_id: s(n.subnet_id()),
        vpc_id: s(n.vpc_id()),
        private_ip: s(n.private_ip_address()),
        public_ip: n.association().and_then(|a| s(a.public_ip())),
        ipv6_addresses: n
            .ipv6_addresses()
            .iter()
            .filter_map(|a| s(a.ipv6_address()))
            .collect(),
        security_group_ids: n.groups().iter().filter_map(|g| s(g.group_id())).collect(),
        interface_type: n.interface_type().map(|x| x.as_str().to_string()),
        description: s(n.description()),
        status: n.status().map(|x| x.as_str().to_string()),
        availability_zone: s(n.availability_zone()),
    }
}

// ---------------------------------------------------------------------------------------
// Subnet and VPC
// ---------------------------------------------------------------------------------------
