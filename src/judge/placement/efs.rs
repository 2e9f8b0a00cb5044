//! The EFS checks, per file system of the task definition: a mount target in the task's
//! Availability Zone, and NFS (TCP 2049) allowed both ways between the task and it by the
//! security groups and the NACLs, judged with the network stage's own evaluators.

use crate::codes::Code;
use crate::facts::{
    EfsFileSystemFacts, MountTargetFacts, NetworkFacts, Readable, SecurityGroupFacts, TaskFacts,
};
use crate::judge::network::cidr::{self, Peer};
use crate::judge::network::nacl::{self, NaclVerdict};
use crate::judge::network::sg::{self, SgVerdict};
use crate::judge::unreadable_finding;
use crate::report::{Finding, Severity, Status};

const NFS: u16 = 2049;

/// Where the task is, as far as the facts tell.
pub struct TaskSide<'a> {
    /// Its Availability Zone.
    pub az: Option<String>,
    /// Its subnet.
    pub subnet_id: Option<String>,
    /// Its address (or its subnet's CIDR).
    pub net: Option<ipnet::IpNet>,
    /// Whether `net` is the task's own address, not just its subnet.
    pub exact: bool,
    /// Its security groups' IDs.
    pub group_ids: Vec<String>,
    /// Why its security groups are not known, when they are not (its ENI is gone).
    pub groups_unknown: Option<crate::judge::network::context::GroupsUnknown>,
    /// The network facts (groups, NACLs, prefix lists), when collected.
    pub network: Option<&'a NetworkFacts>,
}

fn list<T>(r: &Option<Readable<Vec<T>>>) -> &[T] {
    r.as_ref()
        .and_then(Readable::value)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

impl<'a> TaskSide<'a> {
    /// Resolves the task's side from the task (its AZ) and the network facts (subnet, ENI,
    /// groups), the same way the network stage does.
    pub fn new(
        task: Option<&TaskFacts>,
        network: Option<&'a NetworkFacts>,
        instance_az: Option<String>,
    ) -> TaskSide<'a> {
        let subnet = network
            .and_then(|n| n.subnet.as_ref())
            .and_then(Readable::value);
        let eni = network
            .and_then(|n| n.eni.as_ref())
            .and_then(Readable::value);
        let az = task
            .and_then(|t| t.availability_zone.clone())
            .or_else(|| subnet.and_then(|s| s.availability_zone.clone()))
            .or_else(|| eni.and_then(|e| e.availability_zone.clone()))
            .or(instance_az);
        let subnet_id = subnet
            .map(|s| s.id.clone())
            .or_else(|| network.and_then(|n| n.origin.subnet_id.clone()));
        let own = network
            .and_then(|n| n.origin.private_ip.as_deref())
            .or(eni.and_then(|e| e.private_ip.as_deref()))
            .and_then(cidr::net);
        let exact = own.is_some();
        let net = own.or_else(|| subnet.and_then(|s| s.cidr.as_deref()).and_then(cidr::net));
        let mut group_ids = network
            .map(|n| n.origin.security_group_ids.clone())
            .unwrap_or_default();
        if group_ids.is_empty() {
            group_ids = eni
                .map(|e| e.security_group_ids.clone())
                .unwrap_or_default();
        }
        let groups_unknown = network.and_then(|n| {
            let mut origin = n.origin.clone();
            origin.security_group_ids = group_ids.clone();
            crate::judge::network::context::groups_unknown(&origin)
        });
        TaskSide {
            az,
            subnet_id,
            net,
            exact,
            group_ids,
            groups_unknown,
            network,
        }
    }
}

/// The findings for one file system.
pub fn check(fs: &EfsFileSystemFacts, side: &TaskSide<'_>) -> Vec<Finding> {
    let id = fs.file_system_id.as_str();
    let targets = match &fs.mount_targets {
        Some(Readable::Read { value }) => value,
        Some(Readable::Unreadable(u)) => {
            return vec![unreadable_finding(
                Code::EfsMountTargetMissing,
                Severity::High,
                &format!("The mount targets of {id}"),
                u,
                "Whether the task's Availability Zone has one is unknown.",
            )];
        }
        None => return Vec::new(),
    };
    let Some(az) = side.az.as_deref() else {
        return vec![Finding::new(
            Code::EfsMountTargetMissing,
            Status::Unknown,
            Severity::Medium,
            format!("The task's Availability Zone is unknown, so whether {id} has a mount target there cannot be checked."),
        )
        .evidence("fileSystemId", id)];
    };
    let zones: Vec<String> = targets
        .iter()
        .filter_map(|t| t.availability_zone.clone())
        .collect();
    let Some(mt) = targets
        .iter()
        .filter(|t| t.availability_zone.as_deref() == Some(az))
        .min_by_key(|t| t.life_cycle_state.as_deref() != Some("available"))
    else {
        let subnet = side.subnet_id.as_deref().unwrap_or("<task-subnet>");
        return vec![Finding::new(
            Code::EfsMountTargetMissing,
            Status::Fail,
            Severity::Critical,
            format!(
                "EFS file system {id} has no mount target in the task's Availability Zone {az} (it has mount targets in: {}), so the mount times out.",
                if zones.is_empty() { "none".to_string() } else { zones.join(", ") }
            ),
        )
        .evidence("fileSystemId", id)
        .evidence("taskAvailabilityZone", az)
        .evidence("mountTargetZones", zones)
        .remediation(format!(
            "Create a mount target in {az}: aws efs create-mount-target --file-system-id {id} --subnet-id {subnet} --security-groups <sg-allowing-2049-from-the-task>"
        ))];
    };
    let mut out = vec![
        Finding::new(
            Code::EfsMountTargetMissing,
            Status::Pass,
            Severity::Info,
            format!(
                "{id} has mount target {} in {az} ({}).",
                mt.mount_target_id,
                mt.life_cycle_state.as_deref().unwrap_or("state unknown")
            ),
        )
        .evidence("fileSystemId", id)
        .evidence("mountTargetId", mt.mount_target_id.as_str())
        .evidence("taskAvailabilityZone", az),
    ];
    out.push(nfs(fs, mt, side));
    out
}

/// EFS_NFS_BLOCKED for the mount target in the task's AZ.
fn nfs(fs: &EfsFileSystemFacts, mt: &MountTargetFacts, side: &TaskSide<'_>) -> Finding {
    let id = fs.file_system_id.as_str();
    let unknown = |why: String| {
        Finding::new(
            Code::EfsNfsBlocked,
            Status::Unknown,
            Severity::Medium,
            format!(
                "Whether NFS (TCP 2049) reaches mount target {} of {id} is unknown: {why}.",
                mt.mount_target_id
            ),
        )
        .evidence("fileSystemId", id)
        .evidence("mountTargetId", mt.mount_target_id.as_str())
    };
    let mt_group_ids = match &mt.security_group_ids {
        Some(Readable::Read { value }) => value.clone(),
        Some(Readable::Unreadable(u)) => {
            return unreadable_finding(
                Code::EfsNfsBlocked,
                Severity::High,
                &format!("The security groups of mount target {}", mt.mount_target_id),
                u,
                "NFS access cannot be checked.",
            );
        }
        None => return unknown("its security groups were not read".into()),
    };
    let mt_groups_all: &[SecurityGroupFacts] = match &fs.security_groups {
        Some(Readable::Read { value }) => value,
        Some(Readable::Unreadable(u)) => {
            return unreadable_finding(
                Code::EfsNfsBlocked,
                Severity::High,
                "The mount target's security groups",
                u,
                "NFS access cannot be checked.",
            );
        }
        None => &[],
    };
    let Some(network) = side.network else {
        return unknown(
            "the task's network facts (its security groups and address) were not collected".into(),
        );
    };
    let Some(task_net) = side.net else {
        return unknown("the task's address is unknown".into());
    };
    let Some(mt_ip) = mt.ip_address.as_deref().and_then(cidr::ip) else {
        return unknown("the mount target's address is unknown".into());
    };
    let prefix_lists = list(&network.prefix_lists);
    let task_groups_all = list(&network.security_groups);
    let task_groups: Vec<&SecurityGroupFacts> = side
        .group_ids
        .iter()
        .filter_map(|g| task_groups_all.iter().find(|x| &x.id == g))
        .collect();

    let task_peer = Peer {
        nets: vec![task_net],
        groups_unknown: side.groups_unknown.is_some(),
        somewhere_in: !side.exact,
        ..Peer::default()
    }
    .with_groups(side.group_ids.clone());
    let mt_peer = Peer::host(mt_ip).with_groups(mt_group_ids.clone());
    let ingress = sg::evaluate_ids(
        &mt_group_ids,
        mt_groups_all,
        false,
        NFS,
        &task_peer,
        prefix_lists,
    );
    let egress = sg::evaluate_ids(
        &side.group_ids,
        task_groups_all,
        true,
        NFS,
        &mt_peer,
        prefix_lists,
    );

    let mut blocked: Vec<(String, String)> = Vec::new(); // (what, remediation)
    let mut doubts: Vec<String> = Vec::new();
    let mut allowed: Vec<String> = Vec::new();
    let task_sg = side
        .group_ids
        .first()
        .cloned()
        .unwrap_or_else(|| "<task-sg>".into());
    let mt_sg = mt_group_ids
        .first()
        .cloned()
        .unwrap_or_else(|| "<mount-target-sg>".into());
    match ingress {
        SgVerdict::Allowed { group_id, rule_id } => allowed.push(format!("ingress 2049 on {group_id} ({})", rule_id.unwrap_or_else(|| "rule".into()))),
        SgVerdict::Blocked { .. } => blocked.push((
            format!("the mount target's security group(s) {} allow no inbound TCP 2049 from the task", mt_group_ids.join(", ")),
            format!("aws ec2 authorize-security-group-ingress --group-id {mt_sg} --protocol tcp --port 2049 --source-group {task_sg}"),
        )),
        SgVerdict::Unknown { reason } => doubts.push(format!("mount target ingress: {reason}")),
    }
    match egress {
        SgVerdict::Allowed { group_id, rule_id } => allowed.push(format!("egress 2049 on {group_id} ({})", rule_id.unwrap_or_else(|| "rule".into()))),
        SgVerdict::Blocked { .. } => blocked.push((
            format!("the task's security group(s) {} allow no outbound TCP 2049 to the mount target", side.group_ids.join(", ")),
            format!("aws ec2 authorize-security-group-egress --group-id {task_sg} --ip-permissions 'IpProtocol=tcp,FromPort=2049,ToPort=2049,UserIdGroupPairs=[{{GroupId={mt_sg}}}]'"),
        )),
        SgVerdict::Unknown { reason } => doubts.push(format!(
            "task egress: {}",
            match &side.groups_unknown {
                Some(g) if task_groups.is_empty() => g.why.clone(),
                _ => reason,
            }
        )),
    }

    // NACLs apply only between subnets.
    let acls = list(&network.network_acls);
    match (side.subnet_id.as_deref(), mt.subnet_id.as_deref()) {
        (Some(a), Some(b)) if a == b => allowed.push("same subnet: no NACL in the way".into()),
        (Some(task_subnet), Some(mt_subnet)) if !acls.is_empty() => {
            let mt_net = ipnet::IpNet::from(mt_ip);
            let checks = [
                (task_subnet, true, NFS..=NFS, mt_net, "outbound 2049 from the task's subnet"),
                (task_subnet, false, 1024..=65535, mt_net, "inbound ephemeral replies to the task's subnet"),
                (mt_subnet, false, NFS..=NFS, task_net, "inbound 2049 to the mount target's subnet"),
                (mt_subnet, true, 1024..=65535, task_net, "outbound ephemeral replies from the mount target's subnet"),
            ];
            for (subnet, egress, ports, peer, what) in checks {
                // The task's own address may be known only as its subnet.
                let somewhere = peer == task_net && !side.exact;
                let verdict = |acl| {
                    if somewhere {
                        nacl::evaluate_somewhere(acl, egress, ports.clone(), peer)
                    } else {
                        nacl::evaluate(acl, egress, ports.clone(), peer)
                    }
                };
                match nacl::acl_for_subnet(acls, subnet) {
                    Some(acl) => match verdict(acl) {
                        NaclVerdict::Allowed { acl_id, .. } => allowed.push(format!("{what} ({acl_id})")),
                        NaclVerdict::Denied { acl_id, rule_number, ports } => blocked.push((
                            format!("NACL {acl_id} denies {what} (rule {rule_number}, ports {}-{})", ports.0, ports.1),
                            format!("aws ec2 create-network-acl-entry --network-acl-id {acl_id} --rule-number <below {rule_number}> --{} --protocol tcp --port-range From={},To={} --cidr-block {} --rule-action allow", if egress { "egress" } else { "ingress" }, ports.0, ports.1, peer),
                        )),
                        NaclVerdict::Unknown { reason, .. } => doubts.push(format!("{what}: {reason}")),
                    },
                    None => doubts.push(format!("no NACL known for subnet {subnet}")),
                }
            }
        }
        _ => doubts.push("the NACLs between the task and the mount target were not checked (subnets or NACLs unknown)".into()),
    }

    let base = |f: Finding| {
        f.evidence("fileSystemId", id)
            .evidence("mountTargetId", mt.mount_target_id.as_str())
            .evidence("mountTargetIp", mt.ip_address.clone())
            .evidence("mountTargetSecurityGroups", mt_group_ids.clone())
            .evidence("taskSecurityGroups", side.group_ids.clone())
    };
    if !blocked.is_empty() {
        let what: Vec<String> = blocked.iter().map(|b| b.0.clone()).collect();
        let fix: Vec<String> = blocked.iter().map(|b| b.1.clone()).collect();
        return base(Finding::new(
            Code::EfsNfsBlocked,
            Status::Fail,
            Severity::Critical,
            format!(
                "NFS (TCP 2049) from the task to mount target {} of {id} is blocked: {}.",
                mt.mount_target_id,
                what.join("; ")
            ),
        ))
        .evidence("blocked", what)
        .evidence("undecided", doubts)
        .remediation(fix.join(" ; "));
    }
    if !doubts.is_empty() {
        let f = base(unknown(doubts.join("; "))).evidence("allowed", allowed);
        // The read that would have named the task's groups, when it failed.
        return match side
            .groups_unknown
            .as_ref()
            .and_then(|g| g.unreadable.as_ref())
        {
            Some(u) => f
                .evidence("api", u.api.as_str())
                .evidence("errorCode", u.error_code.as_str())
                .evidence("cause", crate::judge::cause_of(u)),
            None => f,
        };
    }
    base(Finding::new(
        Code::EfsNfsBlocked,
        Status::Pass,
        Severity::Info,
        format!(
            "NFS (TCP 2049) between the task and mount target {} of {id} is allowed.",
            mt.mount_target_id
        ),
    ))
    .evidence("allowed", allowed)
}

/// What the task asks of a file system, for its policy.
pub struct MountRequest<'a> {
    /// The volume's configuration.
    pub volume: &'a crate::facts::EfsVolumeFacts,
    /// The task role (EFS IAM authorisation uses it).
    pub task_role: Option<&'a str>,
    /// The task's Region.
    pub region: &'a str,
    /// The task's account.
    pub account: &'a str,
}

/// The file system policy, evaluated like any resource policy for `elasticfilesystem:ClientMount`
/// with what the mount sends (TLS when transit encryption is on, the access point), because
/// a policy commonly denies mounts without TLS, without IAM or outside an access point. It is
/// checked when the file system has a policy, and its absence is reported when the volume uses
/// transit encryption, an access point or IAM. Only explicit denies are decided here: whether the task role's
/// own policies allow the mount is the iam stage's question. Every outcome (no policy, unreadable,
/// allowed, denied, undecided) is reported under EFS_POLICY_DENIES_MOUNT, so the code's PASS
/// covers exactly what its FAIL would name.
pub fn policy(fs: &EfsFileSystemFacts, req: &MountRequest<'_>) -> Option<Finding> {
    use crate::judge::policy::{
        Caller, Context, NamedPolicy, PolicySet, ResourcePolicy, Verdict, evaluate_set,
    };
    let v = req.volume;
    let tls = v
        .transit_encryption
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("ENABLED"));
    let iam = v
        .iam
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("ENABLED"));
    let has_policy = matches!(fs.policy, Some(Readable::Read { value: Some(_) }));
    if !tls && !iam && v.access_point_id.is_none() && !has_policy {
        return None;
    }
    let id = fs.file_system_id.as_str();
    let doc = match fs.policy.as_ref()? {
        Readable::Read { value: None } => {
            return Some(
                Finding::new(
                    Code::EfsPolicyDeniesMount,
                    Status::Pass,
                    Severity::Info,
                    format!(
                        "{id} has no file system policy, so no policy statement denies the mount."
                    ),
                )
                .evidence("fileSystemId", id),
            );
        }
        Readable::Read { value: Some(doc) } => doc,
        Readable::Unreadable(u) => {
            return Some(unreadable_finding(
                Code::EfsPolicyDeniesMount,
                Severity::Medium,
                &format!("The file system policy of {id}"),
                u,
                "Whether it denies the mount is unknown.",
            ));
        }
    };
    let arn = format!(
        "arn:aws:elasticfilesystem:{}:{}:file-system/{id}",
        req.region, req.account
    );
    let action = "elasticfilesystem:ClientMount";
    let mut ctx = match (iam, req.task_role) {
        (true, Some(role)) => Context::for_role(role, action, &arn),
        // Without IAM authorisation EFS treats the client as anonymous: only `"AWS": "*"`
        // statements apply to it.
        (false, _) => Context::bare(
            Caller::Aws {
                arn: "anonymous".to_string(),
            },
            action,
            &arn,
        ),
        (true, None) => Context::bare(Caller::Unknown, action, &arn),
    };
    ctx.set("aws:SecureTransport", [if tls { "true" } else { "false" }]);
    match &v.access_point_id {
        Some(ap) => {
            let ap_arn = format!(
                "arn:aws:elasticfilesystem:{}:{}:access-point/{ap}",
                req.region, req.account
            );
            ctx.set("elasticfilesystem:AccessPointArn", [ap_arn]);
        }
        None => {
            ctx.set_absent("elasticfilesystem:AccessPointArn");
        }
    }
    let everything =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let set = PolicySet {
        identity: vec![NamedPolicy {
            name: "identity (judged by the iam stage)",
            document: everything,
        }],
        boundary: None,
        resource: ResourcePolicy::Some(NamedPolicy {
            name: "file system policy",
            document: doc,
        }),
    };
    let e = evaluate_set(&set, &ctx);
    let f = match (e.verdict, e.explicit_deny) {
        (Verdict::Denied, true) => Finding::new(
            Code::EfsPolicyDeniesMount,
            Status::Fail,
            Severity::Critical,
            format!("The file system policy of {id} denies the task's mount ({action}): {}", e.detail),
        )
        .remediation(format!(
            "Change the statement {} of the policy (aws efs describe-file-system-policy --file-system-id {id}), or make the volume match it (transitEncryption ENABLED, the access point it names, authorizationConfig.iam ENABLED with a task role it allows), then apply it: aws efs put-file-system-policy --file-system-id {id} --policy file://policy.json",
            e.statement.as_deref().unwrap_or("that denies")
        )),
        (Verdict::Allowed, _) => Finding::new(
            Code::EfsPolicyDeniesMount,
            Status::Pass,
            Severity::Info,
            format!("No statement of the file system policy of {id} denies the task's mount."),
        ),
        _ => Finding::new(
            Code::EfsPolicyDeniesMount,
            Status::Unknown,
            Severity::Medium,
            format!("Whether the file system policy of {id} lets the task mount cannot be decided: {}", e.detail),
        ),
    };
    Some(
        f.evidence("fileSystemId", id)
            .evidence("action", action)
            .evidence("secureTransport", tls)
            .evidence("accessPointId", v.access_point_id.clone())
            .evidence("statement", e.statement.clone()),
    )
}
