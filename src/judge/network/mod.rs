//! The `network` stage: can the task reach everything its start needs?
//!
//! One small evaluator per layer (route, security group, NACL, DNS, endpoint, policy),
//! composed per destination into a path whose blocking hop is named. Internet (NAT, or
//! an internet gateway with a public IP) and VPC endpoints are alternatives: the path is
//! the one the traffic really takes (DNS and routes decide), and when it fails the
//! finding names what is missing on the design closest to working.

pub mod cidr;
pub(crate) mod context;
pub mod destinations;
pub mod nacl;
mod path;
pub mod route;
pub mod sg;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::codes::Code;
use crate::facts::{Facts, Readable};
use crate::report::{Finding, Severity, StageResult, Status};
use crate::stage::StageName;
use context::{Cx, Missing};

/// Judges the network facts.
pub fn judge(facts: &Facts) -> StageResult {
    let Some(net) = &facts.network else {
        return StageResult::skipped(
            StageName::Network,
            "The network facts were not collected (an older snapshot, or a task that is not stopped).",
        );
    };
    let Some(td) = facts.task_definition.as_ref().and_then(Readable::value) else {
        let f = super::name_unread(
            Finding::new(
                Code::NetNoPathToService,
                Status::Unknown,
                Severity::Medium,
                "Without the task definition the destinations of the start (registries, secrets, logs) are unknown.",
            ),
            facts
                .task_definition
                .as_ref()
                .and_then(Readable::unreadable),
            "ecs:DescribeTaskDefinition",
        );
        return StageResult::ran(
            StageName::Network,
            "The task definition could not be read, so the destinations are unknown.",
            vec![f],
        );
    };
    let cx = match Cx::new(facts, net) {
        Ok(cx) => cx,
        Err(missing) => {
            let f = match missing {
                Missing::Unreadable(u) => super::unreadable_finding(
                    Code::NetNoPathToService,
                    Severity::Medium,
                    "A fact of the network path",
                    &u,
                    "The paths cannot be followed.",
                ),
                Missing::Absent(what) => Finding::new(
                    Code::NetNoPathToService,
                    Status::Unknown,
                    Severity::Medium,
                    format!(
                        "{what} is not known (for a stopped task, its ENI and attachment may be gone), so the paths cannot be followed."
                    ),
                ),
            };
            return StageResult::ran(StageName::Network, f.detail.clone(), vec![f]);
        }
    };

    let mut findings = dns_findings(&cx);
    findings.extend(config_finding(&cx));
    let mut paths = Vec::new();
    for dest in destinations::needed(td, &facts.region) {
        let outcome = path::follow(&cx, &dest);
        findings.extend(outcome.findings);
        paths.push(outcome.view);
    }
    let reason = stop_reason_text(facts);
    let findings = rank(merge_passes(findings), &reason);
    let blocked: Vec<&str> = paths
        .iter()
        .filter(|p| p.status == Status::Fail)
        .map(|p| p.destination.as_str())
        .collect();
    let summary = if blocked.is_empty() {
        if paths.iter().any(|p| p.status == Status::Unknown) {
            "No blocked path found, but some hops could not be verified.".to_string()
        } else {
            format!(
                "Every destination the start needs is reachable ({} paths).",
                paths.len()
            )
        }
    } else {
        format!("Blocked: {}.", blocked.join(", "))
    };
    let mut stage = StageResult::ran(StageName::Network, summary, findings);
    stage.paths = paths;
    stage
}

/// Where the task's security groups and public-IP setting came from once AWS deleted its
/// ENI (the report says which source was used), or why they are not known. Nothing when
/// the ENI still exists or the snapshot does not say (older snapshots).
fn config_finding(cx: &Cx<'_>) -> Option<Finding> {
    if cx.eni.is_some() {
        return None;
    }
    let origin = &cx.net.origin;
    let code = Code::NetTaskConfigUnknown;
    if let Some(g) = &cx.task_groups_unknown {
        let f = Finding::new(
            code,
            Status::Unknown,
            Severity::Medium,
            format!(
                "The task's security groups are not known: {}. Every rule that depends on them cannot be decided.",
                g.why
            ),
        );
        return Some(match &g.unreadable {
            Some(u) => f
                .evidence("api", u.api.as_str())
                .evidence("errorCode", u.error_code.as_str())
                .evidence("cause", super::cause_of(u))
                .remediation(format!(
                    "Allow {} to the role running ecs-task-doctor (template.yaml's role has it), then run it again.",
                    u.api
                )),
            None => f.remediation(
                "Diagnose the task from its ECS Task State Change event soon after it stops, or run `ecs-task-doctor check` with the subnets and security groups it starts with.",
            ),
        });
    }
    let source = origin.config_source.as_ref()?.value()?;
    let groups = cx.task_group_ids.join(", ");
    let public = match origin.assign_public_ip {
        Some(true) => "ENABLED",
        Some(false) => "DISABLED",
        None => "not set",
    };
    let at = source
        .at
        .as_deref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    let id = source.id.as_deref().unwrap_or("");
    let (status, from) = match source.kind.as_str() {
        "deployment" => (
            Status::Pass,
            format!("the service deployment that started it ({id}{at})"),
        ),
        "taskSet" => (
            Status::Pass,
            format!("the task set that started it ({id}{at})"),
        ),
        "cloudTrail" => (
            Status::Pass,
            format!("the call that started it, CloudTrail event {id}{at}"),
        ),
        "service" => (
            Status::Warn,
            format!(
                "the service's current configuration ({})",
                source
                    .note
                    .as_deref()
                    .unwrap_or("it may have changed since the task started")
            ),
        ),
        _ => return None,
    };
    let f = Finding::new(
        code,
        status,
        if status == Status::Pass {
            Severity::Info
        } else {
            Severity::Low
        },
        format!(
            "The task's ENI is gone (AWS deletes it when the task stops): its security groups ({groups}) and assignPublicIp ({public}) come from {from}."
        ),
    )
    .evidence("source", source.kind.as_str())
    .evidence("sourceId", source.id.as_deref())
    .evidence("securityGroupIds", cx.task_group_ids.clone());
    Some(if status == Status::Warn {
        f.remediation(
            "If the service's network configuration changed after the task started, judge the configuration the task had: diagnose its ECS Task State Change event soon after the stop.",
        )
    } else {
        f
    })
}

/// VPC-wide DNS: resolution on, and custom resolvers flagged.
fn dns_findings(cx: &Cx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let vpc_id = cx.vpc.map(|v| v.id.as_str());
    let custom = cx.custom_dns_servers();
    if let Some(vpc) = cx.vpc {
        let attr = |a: &Option<Readable<bool>>| a.as_ref().and_then(Readable::value).copied();
        let text = |a: &Option<Readable<bool>>| attr(a).map_or("unknown".into(), |b| b.to_string());
        let f = match attr(&vpc.enable_dns_support) {
            Some(false) if custom.is_empty() => Finding::new(
                Code::NetVpcDnsDisabled,
                Status::Fail,
                Severity::Critical,
                format!("{} has enableDnsSupport off and uses the Amazon-provided DNS: no AWS service name resolves, so nothing the start needs can be reached.", vpc.id),
            )
            .remediation(format!("aws ec2 modify-vpc-attribute --vpc-id {} --enable-dns-support '{{\"Value\":true}}'", vpc.id)),
            Some(_) => Finding::new(
                Code::NetVpcDnsDisabled,
                Status::Pass,
                Severity::Info,
                format!(
                    "{}: enableDnsSupport {}, enableDnsHostnames {}.",
                    vpc.id,
                    text(&vpc.enable_dns_support),
                    text(&vpc.enable_dns_hostnames)
                ),
            ),
            None => super::name_unread(
                Finding::new(
                    Code::NetVpcDnsDisabled,
                    Status::Unknown,
                    Severity::Medium,
                    format!("The DNS attributes of {} could not be read, so whether AWS service names resolve in it is not known.", vpc.id),
                ),
                vpc.enable_dns_support.as_ref().and_then(Readable::unreadable),
                "ec2:DescribeVpcAttribute",
            ),
        };
        out.push(f.evidence("vpcId", vpc_id));
    }
    let dhcp_id = match &cx.net.dhcp_options {
        Some(Readable::Read { value }) => Some(value.id.clone()),
        _ => None,
    };
    let dhcp_read = match &cx.net.dhcp_options {
        Some(Readable::Read { .. }) => true,
        // A VPC without a DHCP options set ("default") uses the Amazon-provided DNS.
        None => cx.vpc.and_then(|v| v.dhcp_options_id.as_deref()) == Some("default"),
        Some(Readable::Unreadable(_)) => false,
    };
    let f = if !dhcp_read {
        let f = Finding::new(
            Code::NetCustomDnsServers,
            Status::Unknown,
            Severity::Medium,
            "The VPC's DHCP options were not read, so whether it uses custom DNS servers is not known.",
        );
        match &cx.net.dhcp_options {
            Some(Readable::Unreadable(u)) => f
                .evidence("api", u.api.as_str())
                .evidence("errorCode", u.error_code.as_str()),
            _ => f,
        }
    } else if custom.is_empty() {
        Finding::new(
            Code::NetCustomDnsServers,
            Status::Pass,
            Severity::Info,
            "The VPC uses the Amazon-provided DNS resolver, which security groups and NACLs never filter.",
        )
    } else {
        Finding::new(
            Code::NetCustomDnsServers,
            Status::Warn,
            Severity::Medium,
            format!(
                "The VPC's DHCP options name custom DNS servers ({}). They must resolve AWS service names (forwarding the endpoints' private zones to the Route 53 Resolver), and the task's security groups and NACLs must allow DNS (udp and tcp 53) to them.",
                custom.join(", ")
            ),
        )
        .evidence("dnsServers", custom.clone())
        .remediation("Forward amazonaws.com (and the endpoints' private hosted zones) to the VPC resolver (VPC CIDR base + 2) from the custom DNS servers, and allow udp/tcp 53 to them in the task's security groups and NACLs.")
    };
    out.push(
        f.evidence("dhcpOptionsId", dhcp_id)
            .evidence("vpcId", vpc_id),
    );
    out
}

/// PASS findings of one code become one finding listing every destination it covered.
fn merge_passes(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut passes: BTreeMap<Code, Finding> = BTreeMap::new();
    for f in findings {
        if f.status != Status::Pass {
            out.push(f);
            continue;
        }
        match passes.get_mut(&f.code) {
            None => {
                passes.insert(f.code, f);
            }
            Some(existing) => {
                if !existing.detail.contains(&f.detail) {
                    existing.detail.push(' ');
                    existing.detail.push_str(&f.detail);
                }
                let dest = f.evidence.get("destination").cloned();
                if let Some(d) = dest {
                    let entry = existing
                        .evidence
                        .entry("destination".into())
                        .or_insert(Value::Array(vec![]));
                    match entry {
                        Value::Array(list) => {
                            if !list.contains(&d) {
                                list.push(d)
                            }
                        }
                        other => {
                            let first = other.clone();
                            if first != d {
                                *other = Value::Array(vec![first, d]);
                            }
                        }
                    }
                }
            }
        }
    }
    out.extend(passes.into_values());
    out
}

pub(crate) fn stop_reason_text(facts: &Facts) -> String {
    let mut text = String::new();
    if let Some(crate::facts::TaskLookup::Found { task }) = facts.task.value() {
        text.push_str(task.stopped_reason.as_deref().unwrap_or(""));
        for c in &task.containers {
            text.push(' ');
            text.push_str(c.reason.as_deref().unwrap_or(""));
        }
    }
    text.to_lowercase()
}

/// Which destination a stop reason talks about, if it says.
pub(crate) fn destination_in_reason(reason: &str) -> Option<&'static str> {
    if reason.contains("starport-layer-bucket") || reason.contains(".s3.") {
        Some("s3 (ECR layers)")
    } else if reason.contains("api.ecr.")
        || reason.contains("registry auth")
        || reason.contains("getauthorizationtoken")
    {
        Some("ecr.api")
    } else if reason.contains(".dkr.ecr.") {
        Some("ecr.dkr")
    } else if reason.contains("secrets manager") || reason.contains("asm") {
        Some("secretsmanager")
    } else if reason.contains("ssm") || reason.contains("systems manager") {
        Some("ssm")
    } else if reason.contains("logger")
        || reason.contains("cloudwatch")
        || reason.contains("log group")
    {
        Some("logs")
    } else {
        None
    }
}

/// Whether the reason shows a connection to a public address timing out (then routes and
/// gateways are the suspects) rather than to a private one (security groups, NACLs, endpoints).
fn reason_dials_public_ip(reason: &str) -> Option<bool> {
    let at = reason.find("dial tcp ")?;
    let addr = reason[at + 9..]
        .split(|c: char| c == ':' || c.is_whitespace())
        .next()?;
    let ip: std::net::Ipv4Addr = addr.parse().ok()?;
    Some(!ip.is_private())
}

/// Orders findings so the first FAIL is the best explanation of this stop reason.
fn rank(mut findings: Vec<Finding>, reason: &str) -> Vec<Finding> {
    let dest = destination_in_reason(reason);
    let public = reason_dials_public_ip(reason);
    const SPECIFIC_FIRST: &[Code] = &[
        Code::NetVpcDnsDisabled,
        Code::NetEndpointPrivateDnsDisabled,
        Code::NetS3GatewayNotOnRouteTable,
        Code::NetS3InterfaceEndpointOnly,
        Code::NetEndpointMissing,
        Code::NetSgEgressS3PrefixListMissing,
        Code::NetEndpointNotAvailable,
        Code::NetSgEgressBlocked,
        Code::NetEndpointSgIngressBlocked,
        Code::NetNaclOutboundBlocked,
        Code::NetNaclInboundBlocked,
        Code::NetEndpointPolicyDenies,
        Code::NetRouteBlackhole,
        Code::NetNatGatewayUnavailable,
        Code::NetAwsvpcEc2PublicSubnet,
        Code::NetPublicIpMissing,
        Code::NetNoPathToService,
        Code::NetHopNotVerifiable,
        Code::NetCustomDnsServers,
        Code::NetTaskConfigUnknown,
    ];
    let route_codes = [
        Code::NetRouteBlackhole,
        Code::NetNatGatewayUnavailable,
        Code::NetAwsvpcEc2PublicSubnet,
        Code::NetPublicIpMissing,
        Code::NetNoPathToService,
    ];
    // Findings that explain *why* traffic took a path that fails (DNS that bypasses an
    // endpoint, an endpoint or gateway association that is missing) come before the failure
    // they cause on that path (no route, no NAT).
    let explaining = [
        Code::NetVpcDnsDisabled,
        Code::NetEndpointPrivateDnsDisabled,
        Code::NetS3GatewayNotOnRouteTable,
        Code::NetS3InterfaceEndpointOnly,
        Code::NetEndpointMissing,
    ];
    let key = |f: &Finding| {
        let status = 4 - f.status.severity_rank() as usize;
        let about_dest = match (dest, f.evidence.get("destination").and_then(Value::as_str)) {
            (Some(d), Some(fd)) if d == fd => 0,
            (Some(_), _) => 1,
            _ => 0,
        };
        let layer = match public {
            Some(true) if route_codes.contains(&f.code) => 0,
            _ => 1,
        };
        let specific = SPECIFIC_FIRST
            .iter()
            .position(|c| *c == f.code)
            .unwrap_or(SPECIFIC_FIRST.len());
        let explains = usize::from(!explaining.contains(&f.code));
        (status, about_dest, explains, layer, specific)
    };
    findings.sort_by_key(key);
    findings
}

#[cfg(test)]
mod tests;
