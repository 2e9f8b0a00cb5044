//! One destination's path, hop by hop: DNS, route, gateway, security groups, NACLs, policy.
//!
//! Each layer is evaluated by its own small evaluator (`route`, `sg`, `nacl`,
//! `judge::policy`); this module only follows the packet and writes down what each
//! hop does to it, with the IDs that prove it.

use std::ops::RangeInclusive;

use ipnet::IpNet;

use super::cidr::{self, Peer};
use super::context::{Cx, GroupsUnknown};
use super::destinations::{Destination, Service};
use super::nacl::{self, NaclVerdict};
use super::route::{self, RouteLookup};
use super::sg::{self, SgVerdict};
use crate::codes::Code;
use crate::facts::{Readable, RouteFacts, RouteTarget, VpcEndpointFacts};
use crate::judge::policy::{self, Decision};
use crate::report::{Finding, Hop, PathView, Severity, Status};

/// HTTPS: every destination of a start.
const HTTPS: u16 = 443;

/// A path and the findings it produced.
pub struct PathOutcome {
    /// The path for the report.
    pub view: PathView,
    /// Its findings (PASS included).
    pub findings: Vec<Finding>,
}

struct Walk<'c, 'a> {
    cx: &'c Cx<'a>,
    dest: &'c Destination,
    hops: Vec<Hop>,
    /// Each hop's place on the wire ([`packet_rank`]), for the order the report shows.
    ranks: Vec<u8>,
    findings: Vec<Finding>,
}

/// Where a layer sits on the way of a request and its answer. The walk checks hops in the order
/// its reasoning needs (the route decides which peer the security group must allow), but a
/// reader follows a packet: name resolution, the task's security group, its subnet's NACL, the
/// route table, the gateway or endpoint, the endpoint's own subnet and security group, the
/// endpoint policy, then the return traffic.
fn packet_rank(layer: &str) -> u8 {
    match layer {
        "dns" => 0,
        "sg-egress" => 1,
        "nacl" | "nacl-out" => 2,
        "route" => 3,
        "gateway" | "endpoint" => 4,
        "nacl-in" => 5,
        "endpoint-sg" => 6,
        "policy" => 7,
        _ => 10,
    }
}

/// Return traffic, after the request's hops: first out of the endpoint's subnet, then into the task's.
const RETURN_OUT_RANK: u8 = 8;
const RETURN_IN_RANK: u8 = 9;

impl<'c, 'a> Walk<'c, 'a> {
    fn hop(&mut self, layer: &str, status: Status, detail: String, code: Option<Code>) {
        self.ranks.push(packet_rank(layer));
        self.hops.push(Hop {
            layer: layer.to_string(),
            status,
            detail,
            code,
        });
    }

    /// The hops in packet order (a stable sort: hops of one layer keep the walk's order).
    fn hops_on_the_wire(&mut self) -> Vec<Hop> {
        let mut ranked: Vec<(u8, Hop)> = self.ranks.drain(..).zip(self.hops.drain(..)).collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked.into_iter().map(|(_, hop)| hop).collect()
    }

    /// An UNKNOWN hop and its UNKNOWN finding, which names the read it needed (its API, error
    /// and, for a denial, the permission the caller lacks), so no hop is unknown silently.
    fn unknown_hop(
        &mut self,
        layer: &str,
        code: Code,
        detail: String,
        unread: Option<&crate::facts::Unreadable>,
        api: &str,
    ) {
        let f = self.finding(code, Status::Unknown, detail);
        let f = crate::judge::name_unread(f, unread, api);
        self.check(layer, f);
    }

    /// Records a hop and its finding together.
    fn check(&mut self, layer: &str, f: Finding) {
        self.hop(layer, f.status, f.detail.clone(), Some(f.code));
        self.findings.push(f);
    }

    fn finding(&self, code: Code, status: Status, detail: String) -> Finding {
        let severity = match status {
            Status::Fail => Severity::Critical,
            Status::Unknown | Status::Warn => Severity::Medium,
            _ => Severity::Info,
        };
        Finding::new(code, status, severity, detail)
            .evidence("destination", self.dest.service.label())
            .evidence("subnetId", self.cx.subnet.id.as_str())
            .evidence("eniId", self.cx.eni.map(|e| e.id.as_str()))
    }

    fn worst(&self) -> Status {
        Status::worst(self.hops.iter().map(|h| h.status))
    }

    fn blocked(&self) -> bool {
        self.hops.iter().any(|h| h.status == Status::Fail)
    }

    fn ephemeral(&self) -> RangeInclusive<u16> {
        let windows = self
            .cx
            .td
            .and_then(|t| t.operating_system_family.as_deref())
            .is_some_and(|f| f.to_ascii_uppercase().starts_with("WINDOWS"));
        // The ports the task's kernel picks for its side of the connection.
        if windows {
            49152..=65535
        } else {
            32768..=60999
        }
    }

    /// An UNKNOWN finding that depends on the task's unknown groups names the read that
    /// would have named them, when one failed (its API, error and, for a denial, the
    /// missing permission), and otherwise says where the groups were looked for.
    fn with_groups_cause(&self, f: Finding) -> Finding {
        match &self.cx.task_groups_unknown {
            Some(GroupsUnknown {
                unreadable: Some(u),
                ..
            }) => f
                .evidence("api", u.api.as_str())
                .evidence("errorCode", u.error_code.as_str())
                .evidence("cause", crate::judge::cause_of(u)),
            Some(g) => f.evidence("taskGroupsUnknown", g.why.as_str()),
            None => f,
        }
    }

    fn task_sg_ids(&self) -> String {
        self.cx.task_group_ids.join(", ")
    }

    /// Security-group egress from the task to `peer`.
    fn sg_egress(&mut self, peer: &Peer, peer_text: &str, s3_gateway: Option<&str>) {
        let cx = self.cx;
        let first_sg = cx
            .task_group_ids
            .first()
            .cloned()
            .unwrap_or_else(|| "<task-sg-id>".into());
        let code = if s3_gateway.is_some() {
            Code::NetSgEgressS3PrefixListMissing
        } else {
            Code::NetSgEgressBlocked
        };
        let f = match sg::evaluate_ids(
            &cx.task_group_ids,
            cx.all_groups(),
            true,
            HTTPS,
            peer,
            cx.prefix_lists(),
        ) {
            SgVerdict::Allowed { group_id, rule_id } => self
                .finding(
                    code,
                    Status::Pass,
                    format!("{group_id} allows egress tcp/443 to {peer_text}."),
                )
                .evidence("securityGroupId", group_id)
                .evidence("ruleId", rule_id),
            SgVerdict::Blocked { uncovered } => {
                let (detail, fix) = match s3_gateway {
                    Some(pl) => (
                        format!(
                            "The task's security groups ({}) allow no egress tcp/443 to the S3 prefix list {pl}. ECR layers come from S3 through the gateway endpoint at S3's public addresses, so rules to the VPC CIDR or to an endpoint's security group never match them.",
                            self.task_sg_ids()
                        ),
                        // A sentence first: the reader may never have heard of prefix lists.
                        format!(
                            "Add an outbound rule to {first_sg}: HTTPS (TCP 443) to the prefix list {pl}, the AWS-managed list of S3's addresses in this Region:\naws ec2 authorize-security-group-egress --group-id {first_sg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{{PrefixListId={pl}}}]'"
                        ),
                    ),
                    None => {
                        let fix = match peer.group_ids.first() {
                            Some(g) => format!(
                                "Add an outbound rule to {first_sg}: HTTPS (TCP 443) to the security group {g} of {peer_text}:\naws ec2 authorize-security-group-egress --group-id {first_sg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{{GroupId={g}}}]'"
                            ),
                            None => format!(
                                "Add an outbound rule to {first_sg}: HTTPS (TCP 443) to {peer_text} (0.0.0.0/0 below; narrow it to the addresses you trust):\naws ec2 authorize-security-group-egress --group-id {first_sg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{{CidrIp=0.0.0.0/0}}]'"
                            ),
                        };
                        (
                            format!(
                                "The task's security groups ({}) allow no egress tcp/443 to {peer_text} (not covered: {}).",
                                self.task_sg_ids(),
                                uncovered
                                    .iter()
                                    .take(4)
                                    .map(|n| n.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            fix,
                        )
                    }
                };
                self.finding(code, Status::Fail, detail)
                    .evidence("securityGroupIds", cx.task_group_ids.clone())
                    .evidence("prefixListId", s3_gateway)
                    .remediation(fix)
            }
            SgVerdict::Unknown { reason } => {
                let reason = match &cx.task_groups_unknown {
                    Some(g) if cx.task_groups.is_empty() => g.why.clone(),
                    _ => reason,
                };
                self.with_groups_cause(
                    self.finding(
                        code,
                        Status::Unknown,
                        format!("Egress tcp/443 to {peer_text} cannot be decided: {reason}."),
                    )
                    .evidence("securityGroupIds", cx.task_group_ids.clone())
                    .evidence("prefixListId", s3_gateway),
                )
            }
        };
        self.check("sg-egress", f);
    }

    /// NACL checks at one subnet boundary: the request in one direction, the return in the other.
    /// `somewhere`: `peer` is only where the remote's one address is (the task's subnet,
    /// its own address being unknown), see [`nacl::evaluate_somewhere`].
    fn nacl_pair(
        &mut self,
        subnet_id: &str,
        outbound: bool,
        peer: IpNet,
        request: bool,
        somewhere: bool,
    ) {
        self.nacl_check(subnet_id, outbound, &[peer], request, somewhere);
    }

    /// One NACL direction for every range of a destination: the first denial is the finding.
    fn nacl_check(
        &mut self,
        subnet_id: &str,
        outbound: bool,
        peers: &[IpNet],
        request: bool,
        somewhere: bool,
    ) {
        // On the wire: the request leaves the task's subnet (outbound) before the route and
        // enters the endpoint's (inbound) after it; the return traffic comes last.
        let rank = match (request, outbound) {
            (true, true) => packet_rank("nacl-out"),
            (true, false) => packet_rank("nacl-in"),
            (false, true) => RETURN_OUT_RANK,
            (false, false) => RETURN_IN_RANK,
        };
        let Some(acl) = self.cx.acl_of(subnet_id) else {
            let code = if outbound {
                Code::NetNaclOutboundBlocked
            } else {
                Code::NetNaclInboundBlocked
            };
            let unread = self
                .cx
                .net
                .network_acls
                .as_ref()
                .and_then(Readable::unreadable);
            self.unknown_hop(
                "nacl",
                code,
                format!("The NACL of {subnet_id} was not read."),
                unread,
                "ec2:DescribeNetworkAcls",
            );
            self.rank_last(rank);
            return;
        };
        let (ports, what) = if request {
            (HTTPS..=HTTPS, "tcp/443 request".to_string())
        } else {
            let r = self.ephemeral();
            (
                r.clone(),
                format!("tcp/{}-{} return traffic", r.start(), r.end()),
            )
        };
        let code = if outbound {
            Code::NetNaclOutboundBlocked
        } else {
            Code::NetNaclInboundBlocked
        };
        let dir = if outbound { "outbound" } else { "inbound" };
        let layer = if outbound { "nacl-out" } else { "nacl-in" };
        let peer_text = match peers {
            [one] => one.to_string(),
            many => format!("{} ranges", many.len()),
        };
        let mut allowed_by: Vec<i32> = Vec::new();
        let mut denied = None;
        let mut undecided = None;
        for peer in peers {
            let verdict = if somewhere {
                nacl::evaluate_somewhere(acl, outbound, ports.clone(), *peer)
            } else {
                nacl::evaluate(acl, outbound, ports.clone(), *peer)
            };
            match verdict {
                NaclVerdict::Allowed { rule_numbers, .. } => allowed_by.extend(rule_numbers),
                NaclVerdict::Denied {
                    acl_id,
                    rule_number,
                    ports,
                } => {
                    denied = Some((acl_id, rule_number, ports, *peer));
                    break;
                }
                NaclVerdict::Unknown { reason, .. } => {
                    undecided.get_or_insert(reason);
                }
            }
        }
        allowed_by.sort_unstable();
        allowed_by.dedup();
        let f = match denied {
            None if undecided.is_some() => self
                .finding(
                    code,
                    Status::Unknown,
                    format!(
                        "Whether {} ({subnet_id}) allows {dir} {what} with the task cannot be decided: {}.",
                        acl.id,
                        undecided.unwrap_or_default()
                    ),
                )
                .evidence("networkAclId", acl.id.as_str()),
            None => self
                .finding(
                    code,
                    Status::Pass,
                    format!(
                        "{} ({subnet_id}) allows {dir} {what} with {peer_text}.",
                        acl.id
                    ),
                )
                .evidence("networkAclId", acl.id.as_str())
                .evidence("ruleNumbers", allowed_by),
            Some((acl_id, rule_number, ports, peer)) => {
                let rule = if rule_number == 32767 {
                    "the implicit deny (*)".to_string()
                } else {
                    format!("rule {rule_number}")
                };
                let (from, to) = if request { (443, 443) } else { (1024, 65535) };
                let flag = if outbound { "--egress" } else { "--ingress" };
                self.finding(
                    code,
                    Status::Fail,
                    format!(
                        "{acl_id} on {subnet_id} denies {dir} {what} with {peer} (ports {}-{}) by {rule}. NACLs are stateless: the request and its return each need an allow.",
                        ports.0, ports.1
                    ),
                )
                .evidence("networkAclId", acl_id.as_str())
                .evidence("ruleNumber", rule_number)
                .evidence("peer", peer.to_string())
                .remediation(format!(
                    "aws ec2 create-network-acl-entry --network-acl-id {acl_id} {flag} --rule-number <a number below {rule_number}> --protocol tcp --port-range From={from},To={to} --cidr-block {peer} --rule-action allow"
                ))
            }
        };
        self.check(layer, f);
        self.rank_last(rank);
    }

    /// Places the hop just recorded where its layer name alone cannot say (NACLs, both ways).
    fn rank_last(&mut self, rank: u8) {
        if let Some(last) = self.ranks.last_mut() {
            *last = rank;
        }
    }

    /// The endpoint or gateway policy must allow what the start calls through it.
    fn endpoint_policy(&mut self, ep: &VpcEndpointFacts) {
        let calls = required_calls(self.cx, &self.dest.service);
        let Some(doc) = ep.policy_document.as_deref() else {
            self.hop(
                "policy",
                Status::Pass,
                format!("{} has no policy document (full access).", ep.id),
                None,
            );
            return;
        };
        let principal = self.cx.execution_role.as_deref();
        let mut verdict: Option<Finding> = None;
        for (action, resource) in &calls {
            let d = policy::evaluate(
                doc,
                policy::Request {
                    principal,
                    action,
                    resource,
                },
            );
            let f = match d {
                Decision::Allowed { .. } => continue,
                Decision::Denied { statement } => self
                    .finding(
                        Code::NetEndpointPolicyDenies,
                        Status::Fail,
                        format!("The policy of {} denies {action} on {resource} (statement {statement}).", ep.id),
                    )
                    .evidence("vpcEndpointId", ep.id.as_str())
                    .evidence("action", action.as_str())
                    .evidence("resource", resource.as_str()),
                Decision::ImplicitDeny => self
                    .finding(
                        Code::NetEndpointPolicyDenies,
                        Status::Fail,
                        format!("The policy of {} allows no {action} on {resource}.", ep.id),
                    )
                    .evidence("vpcEndpointId", ep.id.as_str())
                    .evidence("action", action.as_str())
                    .evidence("resource", resource.as_str()),
                Decision::Unknown { why } => self
                    .finding(
                        Code::NetEndpointPolicyDenies,
                        Status::Unknown,
                        format!("Whether the policy of {} allows {action} on {resource} cannot be decided: {why}.", ep.id),
                    )
                    .evidence("vpcEndpointId", ep.id.as_str()),
            };
            let f = f.remediation(format!(
                "Add to the policy of {} a statement allowing {action} on {resource}: aws ec2 modify-vpc-endpoint --vpc-endpoint-id {} --policy-document file://policy.json",
                ep.id, ep.id
            ));
            if verdict.as_ref().is_none_or(|v| v.status != Status::Fail) {
                verdict = Some(f);
            }
        }
        let f = verdict.unwrap_or_else(|| {
            self.finding(
                Code::NetEndpointPolicyDenies,
                Status::Pass,
                format!(
                    "The policy of {} allows {}.",
                    ep.id,
                    calls
                        .iter()
                        .map(|(a, _)| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .evidence("vpcEndpointId", ep.id.as_str())
        });
        self.check("policy", f);
    }

    fn endpoint_state(&mut self, ep: &VpcEndpointFacts) -> bool {
        let state = ep
            .state
            .as_deref()
            .unwrap_or("unknown")
            .to_ascii_lowercase();
        let ok = state == "available";
        let f = self
            .finding(
                Code::NetEndpointNotAvailable,
                if ok { Status::Pass } else { Status::Fail },
                format!("{} ({}) is {state}.", ep.id, ep.service_name),
            )
            .evidence("vpcEndpointId", ep.id.as_str());
        let f = if ok {
            f
        } else {
            f.remediation(format!(
                "Recreate or repair {}: a {state} endpoint carries nothing.",
                ep.id
            ))
        };
        self.check("endpoint", f);
        ok
    }

    /// Through an interface endpoint's ENIs.
    fn via_interface_endpoint(&mut self, ep: &VpcEndpointFacts) {
        if !self.endpoint_state(ep) {
            return;
        }
        let enis = self.cx.endpoint_enis(ep);
        if enis.is_empty() {
            let unread = self
                .cx
                .net
                .endpoint_enis
                .as_ref()
                .and_then(Readable::unreadable);
            self.unknown_hop(
                "endpoint",
                Code::NetEndpointSgIngressBlocked,
                format!("The ENIs of {} were not read, so the endpoint's security groups and subnets are unknown.", ep.id),
                unread,
                "ec2:DescribeNetworkInterfaces",
            );
            return;
        }
        self.hop(
            "route",
            Status::Pass,
            format!(
                "{}'s ENIs are in the VPC: the local route of {} carries the traffic.",
                ep.id, self.cx.table.id
            ),
            None,
        );
        // Every ENI the name resolves to must be reachable: clients pick any of them.
        let eni = enis[0];
        let Some(eni_net) = eni.private_ip.as_deref().and_then(cidr::net) else {
            self.unknown_hop(
                "endpoint",
                Code::NetEndpointSgIngressBlocked,
                format!("{} has no private IP on record.", eni.id),
                None,
                "ec2:DescribeNetworkInterfaces",
            );
            return;
        };
        let ips: Vec<String> = enis.iter().filter_map(|e| e.private_ip.clone()).collect();
        let peer = Peer {
            nets: vec![eni_net],
            group_ids: ep.security_group_ids.clone(),
            ..Peer::default()
        };
        self.sg_egress(
            &peer,
            &format!(
                "{} ({}; groups {})",
                ep.id,
                ips.join(", "),
                ep.security_group_ids.join(", ")
            ),
            None,
        );

        // The endpoint's security groups must let the task in.
        let task_peer = self.cx.task_peer();
        let first_ep_sg = ep
            .security_group_ids
            .first()
            .cloned()
            .unwrap_or_else(|| "<endpoint-sg-id>".into());
        let first_task_sg = self
            .cx
            .task_group_ids
            .first()
            .cloned()
            .unwrap_or_else(|| "<task-sg-id>".into());
        let f = match sg::evaluate_ids(
            &ep.security_group_ids,
            self.cx.all_groups(),
            false,
            HTTPS,
            &task_peer,
            self.cx.prefix_lists(),
        ) {
            SgVerdict::Allowed { group_id, rule_id } => self
                .finding(Code::NetEndpointSgIngressBlocked, Status::Pass, format!("{group_id} of {} allows ingress tcp/443 from the task.", ep.id))
                .evidence("securityGroupId", group_id)
                .evidence("ruleId", rule_id)
                .evidence("vpcEndpointId", ep.id.as_str()),
            SgVerdict::Blocked { .. } => self
                .finding(
                    Code::NetEndpointSgIngressBlocked,
                    Status::Fail,
                    format!(
                        "The security groups of {} ({}) allow no ingress tcp/443 from the task (groups {}).",
                        ep.id,
                        ep.security_group_ids.join(", "),
                        self.task_sg_ids()
                    ),
                )
                .evidence("vpcEndpointId", ep.id.as_str())
                .evidence("securityGroupIds", ep.security_group_ids.clone())
                .remediation(format!(
                    "aws ec2 authorize-security-group-ingress --group-id {first_ep_sg} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{{GroupId={first_task_sg}}}]'"
                )),
            SgVerdict::Unknown { reason } => self.with_groups_cause(
                self.finding(Code::NetEndpointSgIngressBlocked, Status::Unknown, format!("Ingress tcp/443 from the task to {} cannot be decided: {reason}.", ep.id))
                    .evidence("vpcEndpointId", ep.id.as_str())
                    .evidence("securityGroupIds", ep.security_group_ids.clone()),
            ),
        };
        self.check("endpoint-sg", f);

        // NACLs apply only where the traffic crosses a subnet boundary.
        let task_subnet = self.cx.subnet.id.clone();
        match (eni.subnet_id.as_deref(), self.cx.task_net) {
            (Some(s), _) if s == task_subnet => self.hop(
                "nacl",
                Status::Pass,
                format!("{} is in the task's subnet: no NACL on the way.", eni.id),
                None,
            ),
            (Some(ep_subnet), Some(task_net)) => {
                let ep_subnet = ep_subnet.to_string();
                let somewhere = !self.cx.task_address_exact;
                self.nacl_pair(&task_subnet, true, eni_net, true, false);
                self.nacl_pair(&ep_subnet, false, task_net, true, somewhere);
                self.nacl_pair(&ep_subnet, true, task_net, false, somewhere);
                self.nacl_pair(&task_subnet, false, eni_net, false, false);
            }
            _ => self.unknown_hop(
                "nacl",
                Code::NetNaclInboundBlocked,
                format!("The subnets between the task and {} are not known, so the NACLs on the way cannot be checked.", eni.id),
                None,
                "ec2:DescribeNetworkInterfaces",
            ),
        }
        self.endpoint_policy(ep);
    }

    /// Out of the VPC by the route for `dest`, to `peer`.
    fn via_route(&mut self, dest: IpNet, peer: &Peer, peer_text: &str, s3_pl: Option<&str>) {
        let cx = self.cx;
        let table = cx.table;
        let r = match route::lookup(table, dest, cx.prefix_lists()) {
            RouteLookup::Matched { route, .. } => route,
            RouteLookup::NoRoute => {
                let f = self
                    .finding(
                        Code::NetNoPathToService,
                        Status::Fail,
                        format!("{} has no route to {peer_text}: neither a NAT gateway, an internet gateway nor an endpoint carries it.", table.id),
                    )
                    .evidence("routeTableId", table.id.as_str())
                    .remediation(format!(
                        "Add a default route to a NAT gateway (private subnet): aws ec2 create-route --route-table-id {} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-id>; or create the VPC endpoints the task needs.",
                        table.id
                    ));
                self.check("route", f);
                return;
            }
            RouteLookup::Undecidable { prefix_list_id } => {
                let list = cx.prefix_lists().iter().find(|l| l.id == prefix_list_id);
                let f = self
                    .finding(
                        Code::NetNoPathToService,
                        Status::Unknown,
                        format!("The entries of prefix list {prefix_list_id}, which a route of {} names, are not known, so the route to {peer_text} cannot be chosen.", table.id),
                    )
                    .evidence("routeTableId", table.id.as_str())
                    .evidence("prefixListId", prefix_list_id.as_str());
                let unread = match list {
                    Some(l) => l.cidrs.as_ref().and_then(Readable::unreadable),
                    None => cx.net.prefix_lists.as_ref().and_then(Readable::unreadable),
                };
                let f = crate::judge::name_unread(f, unread, "ec2:GetManagedPrefixListEntries");
                self.check("route", f);
                return;
            }
        };
        let dest_text = route_destination(r);
        if r.state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("blackhole"))
        {
            let f = self
                .finding(
                    Code::NetRouteBlackhole,
                    Status::Fail,
                    format!("The route {dest_text} in {} is a blackhole: its target ({}) is gone, so it carries nothing.", table.id, target_text(&r.target)),
                )
                .evidence("routeTableId", table.id.as_str())
                .evidence("route", dest_text.as_str())
                .remediation(format!(
                    "aws ec2 replace-route --route-table-id {} --destination-cidr-block {dest_text} --nat-gateway-id <available-nat-id>",
                    table.id
                ));
            self.check("route", f);
            return;
        }
        let f = self
            .finding(
                Code::NetRouteBlackhole,
                Status::Pass,
                format!(
                    "{} sends {dest_text} to {} (active).",
                    table.id,
                    target_text(&r.target)
                ),
            )
            .evidence("routeTableId", table.id.as_str())
            .evidence("route", dest_text.as_str());
        self.check("route", f);
        let gateway_ok = match &r.target {
            RouteTarget::NatGateway(id) if cx.nat(id).is_none() && !cx.nats_read() => {
                // The NAT gateways were not read: its state is unknown, not "missing".
                let f = self
                    .finding(
                        Code::NetNatGatewayUnavailable,
                        Status::Unknown,
                        format!(
                            "NAT gateway {id}'s state is unknown: the VPC's NAT gateways were not read."
                        ),
                    )
                    .evidence("natGatewayId", id.as_str())
                    .evidence("routeTableId", table.id.as_str());
                let f = crate::judge::name_unread(
                    f,
                    cx.net.nat_gateways.as_ref().and_then(Readable::unreadable),
                    "ec2:DescribeNatGateways",
                );
                self.check("gateway", f);
                false
            }
            RouteTarget::NatGateway(id) => {
                let state = cx
                    .nat(id)
                    .and_then(|n| n.state.clone())
                    .unwrap_or_else(|| "missing".into());
                let ok = state.eq_ignore_ascii_case("available");
                let mut f = self
                    .finding(
                        Code::NetNatGatewayUnavailable,
                        if ok { Status::Pass } else { Status::Fail },
                        format!("NAT gateway {id} is {state}."),
                    )
                    .evidence("natGatewayId", id.as_str())
                    .evidence("routeTableId", table.id.as_str());
                if !ok {
                    f = f.remediation(format!(
                        "Point the route at an available NAT gateway: aws ec2 replace-route --route-table-id {} --destination-cidr-block {dest_text} --nat-gateway-id <available-nat-id>",
                        table.id
                    ));
                }
                self.check("gateway", f);
                ok
            }
            RouteTarget::InternetGateway(id) => self.internet_gateway(id),
            RouteTarget::VpcEndpoint(id) if s3_pl.is_some() => {
                // The S3 gateway endpoint (the route is its prefix-list route).
                match cx.endpoints().iter().find(|e| &e.id == id) {
                    Some(ep) => {
                        let ok = self.endpoint_state(ep);
                        if ok {
                            self.endpoint_policy(ep);
                        }
                        ok
                    }
                    None => {
                        let f = self
                            .finding(
                                Code::NetEndpointNotAvailable,
                                Status::Unknown,
                                format!("The route sends S3 to {id}, which was not among the VPC endpoints read, so its state and policy are unknown."),
                            )
                            .evidence("vpcEndpointId", id.as_str());
                        let f = crate::judge::name_unread(
                            f,
                            cx.net.vpc_endpoints.as_ref().and_then(Readable::unreadable),
                            "ec2:DescribeVpcEndpoints",
                        );
                        self.check("gateway", f);
                        false
                    }
                }
            }
            other => {
                let f = self
                    .finding(
                        Code::NetHopNotVerifiable,
                        Status::Unknown,
                        format!(
                            "The route {dest_text} in {} leads to {}: what happens past it (its route tables, firewall rules, the far side) is not visible from this VPC.",
                            table.id,
                            target_text(other)
                        ),
                    )
                    .evidence("routeTableId", table.id.as_str())
                    .evidence("target", target_text(other))
                    .remediation("Check the path past this hop (transit gateway route tables, inspection firewall rules, the peer VPC) for egress to the destination on tcp/443, for example with VPC Reachability Analyzer.");
                self.check("gateway", f);
                true
            }
        };
        if !gateway_ok {
            return;
        }
        self.sg_egress(peer, peer_text, s3_pl);
        // Each of the destination's ranges must pass both ways.
        let subnet = cx.subnet.id.clone();
        self.nacl_check(&subnet, true, &peer.nets, true, false);
        self.nacl_check(&subnet, false, &peer.nets, false, false);
    }

    fn internet_gateway(&mut self, igw: &str) -> bool {
        let cx = self.cx;
        let (status, code, detail, fix) = match (cx.ec2_awsvpc, cx.public_ip) {
            (true, _) => (
                Status::Fail,
                Code::NetAwsvpcEc2PublicSubnet,
                format!("The route goes to internet gateway {igw}, but an EC2-launch-type awsvpc task ENI never gets a public IP."),
                "Run the task in private subnets whose default route is a NAT gateway, or give it VPC endpoints for every service it needs.".to_string(),
            ),
            (false, Some(true)) => (
                Status::Pass,
                Code::NetPublicIpMissing,
                format!("The route goes to internet gateway {igw} and the ENI has a public IP."),
                String::new(),
            ),
            (false, Some(false)) => (
                Status::Fail,
                Code::NetPublicIpMissing,
                format!("The route goes to internet gateway {igw}, but the task ENI has no public IP, so nothing it sends comes back."),
                "Set assignPublicIp=ENABLED in the task's or service's awsvpcConfiguration (aws ecs update-service --network-configuration 'awsvpcConfiguration={subnets=[...],securityGroups=[...],assignPublicIp=ENABLED}'), or run it in a private subnet with a NAT gateway.".to_string(),
            ),
            (false, None) => (
                Status::Unknown,
                Code::NetPublicIpMissing,
                format!("The route goes to internet gateway {igw}; whether the ENI had a public IP is not known (the ENI is gone and assignPublicIp was not found)."),
                String::new(),
            ),
        };
        let f = self
            .finding(code, status, detail)
            .evidence("internetGatewayId", igw)
            .evidence("routeTableId", cx.table.id.as_str())
            .remediation(fix);
        self.check("gateway", f);
        status != Status::Fail
    }
}

fn route_destination(r: &RouteFacts) -> String {
    r.destination_cidr
        .clone()
        .or_else(|| r.destination_ipv6_cidr.clone())
        .or_else(|| r.destination_prefix_list_id.clone())
        .unwrap_or_else(|| "?".into())
}

fn target_text(t: &RouteTarget) -> String {
    match t {
        RouteTarget::Local => "local".into(),
        RouteTarget::InternetGateway(id) => format!("internet gateway {id}"),
        RouteTarget::EgressOnlyInternetGateway(id) => format!("egress-only internet gateway {id}"),
        RouteTarget::NatGateway(id) => format!("NAT gateway {id}"),
        RouteTarget::VpcEndpoint(id) => format!("VPC endpoint {id}"),
        RouteTarget::TransitGateway(id) => format!("transit gateway {id}"),
        RouteTarget::VpcPeering(id) => format!("peering connection {id}"),
        RouteTarget::VirtualPrivateGateway(id) => format!("virtual private gateway {id}"),
        RouteTarget::NetworkInterface(id) => format!("network interface {id}"),
        RouteTarget::Instance(id) => format!("instance {id}"),
        RouteTarget::Other(id) => id.clone(),
        RouteTarget::Unknown => "an unknown target".into(),
    }
}

/// The calls a service sees from the start, as (action, resource) for endpoint policies.
fn required_calls(cx: &Cx<'_>, service: &Service) -> Vec<(String, String)> {
    let region = cx.region;
    let account = &cx.account;
    let mut calls = Vec::new();
    let td = cx.td;
    match service {
        Service::EcrApi => calls.push(("ecr:GetAuthorizationToken".to_string(), "*".to_string())),
        Service::EcrDkr => {
            for image in td
                .into_iter()
                .flat_map(|t| &t.container_definitions)
                .filter_map(|c| c.image.as_deref())
            {
                let arn = crate::image_ref::ImageRef::parse(image)
                    .ok()
                    .filter(|r| r.ecr().is_some_and(|e| e.region == region))
                    .and_then(|r| r.repository_arn());
                if let Some(arn) = arn {
                    calls.push(("ecr:BatchGetImage".to_string(), arn.clone()));
                    calls.push(("ecr:GetDownloadUrlForLayer".to_string(), arn));
                }
            }
        }
        Service::S3Layers => {
            calls.push((
                "s3:GetObject".to_string(),
                format!("arn:aws:s3:::prod-{region}-starport-layer-bucket/*"),
            ));
        }
        Service::Logs => {
            for c in td.into_iter().flat_map(|t| &t.container_definitions) {
                if let Some(group) = c
                    .log_configuration
                    .as_ref()
                    .and_then(|l| l.options.get("awslogs-group"))
                {
                    let arn =
                        format!("arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:*");
                    calls.push(("logs:CreateLogStream".to_string(), arn.clone()));
                    calls.push(("logs:PutLogEvents".to_string(), arn));
                }
            }
        }
        Service::SecretsManager => {
            for c in td.into_iter().flat_map(|t| &t.container_definitions) {
                for s in c
                    .secrets
                    .iter()
                    .filter(|s| s.value_from.contains(":secretsmanager:"))
                {
                    let arn: String = s
                        .value_from
                        .split(':')
                        .take(7)
                        .collect::<Vec<_>>()
                        .join(":");
                    calls.push(("secretsmanager:GetSecretValue".to_string(), arn));
                }
                if let Some(rc) = &c.repository_credentials {
                    calls.push(("secretsmanager:GetSecretValue".to_string(), rc.clone()));
                }
            }
        }
        Service::Ssm => {
            for c in td.into_iter().flat_map(|t| &t.container_definitions) {
                for s in c
                    .secrets
                    .iter()
                    .filter(|s| !s.value_from.contains(":secretsmanager:"))
                {
                    let arn = if s.value_from.starts_with("arn:") {
                        s.value_from.clone()
                    } else {
                        format!(
                            "arn:aws:ssm:{region}:{account}:parameter/{}",
                            s.value_from.trim_start_matches('/')
                        )
                    };
                    calls.push(("ssm:GetParameters".to_string(), arn));
                }
            }
        }
        Service::InternetOnly(_) => {}
    }
    calls.dedup();
    calls
}

/// The S3 path when S3's addresses are unknown (the list's entries unread, empty or not
/// CIDRs): the route cannot be chosen, so that hop is UNKNOWN and names the read. The task's
/// egress can still be judged, because S3 is in no security group: with no rule naming the
/// list, no rule for every address and no other CIDR rule, it is blocked whatever the
/// entries are (the seed's own root cause survives an unread list).
fn s3_addresses_unknown(w: &mut Walk<'_, '_>, pl: &crate::facts::PrefixListFacts) -> String {
    let cx = w.cx;
    let api = "ec2:GetManagedPrefixListEntries";
    let why = match &pl.cidrs {
        Some(Readable::Unreadable(u)) => {
            format!(
                "its entries could not be read ({api}: {})",
                crate::judge::cause_of(u)
            )
        }
        None => "its entries are not in the facts".to_string(),
        Some(Readable::Read { value }) if value.is_empty() => {
            "it answered no entries (AWS's S3 list always has some)".to_string()
        }
        Some(Readable::Read { value }) => format!(
            "some of its entries are not CIDRs ({})",
            value
                .iter()
                .filter(|c| cidr::net(c).is_none())
                .take(3)
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let f = w
        .finding(
            Code::NetS3GatewayNotOnRouteTable,
            Status::Unknown,
            format!(
                "S3's addresses are unknown: {why} for {}, so the route layer downloads take cannot be chosen.",
                pl.id
            ),
        )
        .evidence("prefixListId", pl.id.as_str());
    let f = match &pl.cidrs {
        Some(Readable::Read { .. }) => f
            .evidence("api", api)
            .evidence("cause", why.as_str())
            .remediation(format!(
                "Check the entries of {}: aws ec2 get-managed-prefix-list-entries --prefix-list-id {}",
                pl.id, pl.id
            )),
        other => crate::judge::name_unread(f, other.as_ref().and_then(Readable::unreadable), api),
    };
    w.check("route", f);
    // A route naming the list sends S3 to the gateway endpoint: then a missing egress rule is
    // the prefix-list rule; otherwise it is plain egress to S3.
    let gateway = cx.table.routes.iter().any(|r| {
        r.destination_prefix_list_id.as_deref() == Some(pl.id.as_str())
            && matches!(r.target, RouteTarget::VpcEndpoint(_))
    });
    let peer = Peer {
        prefix_list_id: Some(pl.id.clone()),
        addresses_unknown: true,
        ..Peer::default()
    };
    w.sg_egress(
        &peer,
        &format!("S3 ({})", pl.id),
        gateway.then_some(pl.id.as_str()),
    );
    "unknown".into()
}

/// Follows one destination's path.
pub fn follow(cx: &Cx<'_>, dest: &Destination) -> PathOutcome {
    let mut w = Walk {
        cx,
        dest,
        hops: vec![],
        ranks: vec![],
        findings: vec![],
    };
    let via = match &dest.service {
        Service::S3Layers => s3(&mut w),
        Service::InternetOnly(host) => {
            let internet = cidr::net("0.0.0.0/0").expect("constant");
            let peer = Peer {
                nets: vec![internet],
                ..Peer::default()
            };
            w.hop(
                "dns",
                Status::Pass,
                format!("{host} resolves to public addresses; no VPC endpoint serves it."),
                None,
            );
            w.via_route(internet, &peer, &format!("{host} (internet)"), None);
            if w.blocked() && cx.uses_interface_endpoints() {
                w.hop("note", Status::Fail, format!("VPC endpoints cannot serve {host}: this destination needs a NAT gateway or a public IP."), None);
            }
            "internet".to_string()
        }
        service => interface(&mut w, service),
    };
    // Structural (issue 16): every hop worse than PASS has a finding with its status, so the
    // stage cannot pass a path that was not verified hop by hop.
    let hops = w.hops.clone();
    for hop in hops.iter().filter(|h| h.status != Status::Pass) {
        if !w.findings.iter().any(|f| f.status == hop.status) {
            let f = w.finding(
                hop.code.unwrap_or(Code::NetHopNotVerifiable),
                hop.status,
                format!(
                    "{} ({} hop): {}",
                    dest.service.label(),
                    hop.layer,
                    hop.detail
                ),
            );
            w.findings.push(f);
        }
    }
    let status = w.worst();
    if status == Status::Pass {
        // The whole path was verified: say so under the code that would name its absence.
        let f = w.finding(
            Code::NetNoPathToService,
            Status::Pass,
            format!("{} is reachable via {via}.", dest.service.label()),
        );
        w.findings.push(f);
    }
    PathOutcome {
        view: PathView {
            destination: dest.service.label(),
            why: dest.why.clone(),
            via,
            status,
            hops: w.hops_on_the_wire(),
        },
        findings: w.findings,
    }
}

fn interface(w: &mut Walk<'_, '_>, service: &Service) -> String {
    let cx = w.cx;
    let suffix = service.endpoint_suffix().unwrap_or_default();
    let service_name = format!("com.amazonaws.{}.{suffix}", cx.region);
    let internet = cidr::net("0.0.0.0/0").expect("constant");
    let public_peer = Peer {
        nets: vec![internet],
        ..Peer::default()
    };
    // Which way the name resolves depends on the endpoints and the VPC's DNS attributes:
    // without them the path is not known, and nothing on it can be blamed.
    if let Some(unread) = cx.unread_endpoints() {
        let f = w
            .finding(
                Code::NetEndpointMissing,
                Status::Unknown,
                format!(
                    "Whether {service_name} is served by an interface endpoint is unknown: the VPC's endpoints were not read ({} {}).",
                    unread.api,
                    crate::judge::cause_of(unread)
                ),
            )
            .evidence("serviceName", service_name.as_str())
            .evidence("api", unread.api.as_str())
            .evidence("errorCode", unread.error_code.as_str())
            .evidence("cause", crate::judge::cause_of(unread));
        w.check("dns", f);
        return "unknown".into();
    }
    match cx.endpoint(suffix, "Interface") {
        Some(ep) if ep.private_dns_enabled == Some(true) && cx.vpc_dns_on().is_none() => {
            let f = w
                .finding(
                    Code::NetVpcDnsDisabled,
                    Status::Unknown,
                    format!(
                        "{} has private DNS on, but whether it takes effect is unknown: the VPC's enableDnsSupport and enableDnsHostnames were not read.",
                        ep.id
                    ),
                )
                .evidence("vpcEndpointId", ep.id.as_str());
            let f = crate::judge::name_unread(f, cx.vpc_dns_unread(), "ec2:DescribeVpcAttribute");
            w.check("dns", f);
            format!("unknown (endpoint {} or the internet)", ep.id)
        }
        Some(ep) if ep.private_dns_enabled == Some(true) && cx.vpc_dns_on() == Some(true) => {
            let f = w
                .finding(
                    Code::NetEndpointPrivateDnsDisabled,
                    Status::Pass,
                    format!(
                        "Private DNS of {} answers for {service_name}: traffic goes to its ENIs.",
                        ep.id
                    ),
                )
                .evidence("vpcEndpointId", ep.id.as_str());
            w.check("dns", f);
            w.via_interface_endpoint(ep);
            format!("interface endpoint {}", ep.id)
        }
        Some(ep) => {
            let (code, why, fix) = if ep.private_dns_enabled != Some(true) {
                (
                    Code::NetEndpointPrivateDnsDisabled,
                    format!(
                        "{} serves {service_name} but its private DNS is off, so the name resolves to public addresses and the traffic takes the internet route.",
                        ep.id
                    ),
                    format!(
                        "aws ec2 modify-vpc-endpoint --vpc-endpoint-id {} --private-dns-enabled",
                        ep.id
                    ),
                )
            } else {
                let vpc = cx
                    .vpc
                    .map(|v| v.id.clone())
                    .unwrap_or_else(|| "<vpc-id>".into());
                (
                    Code::NetVpcDnsDisabled,
                    format!(
                        "{} has private DNS on, but the VPC's enableDnsSupport and enableDnsHostnames are not both true, so the private name does not take effect.",
                        ep.id
                    ),
                    format!(
                        "aws ec2 modify-vpc-attribute --vpc-id {vpc} --enable-dns-hostnames '{{\"Value\":true}}' (and --enable-dns-support likewise)"
                    ),
                )
            };
            w.hop("dns", Status::Warn, why.clone(), Some(code));
            w.via_route(
                internet,
                &public_peer,
                &format!("{service_name} (public)"),
                None,
            );
            let status = if w.blocked() {
                Status::Fail
            } else {
                Status::Warn
            };
            let f = w
                .finding(code, status, why)
                .evidence("vpcEndpointId", ep.id.as_str())
                .remediation(fix);
            w.findings.push(f);
            format!("internet (endpoint {} bypassed)", ep.id)
        }
        None => {
            w.hop("dns", Status::Pass, format!("No interface endpoint for {service_name}: the name resolves to public addresses."), None);
            w.via_route(
                internet,
                &public_peer,
                &format!("{service_name} (public)"),
                None,
            );
            let missing = w.blocked() && cx.uses_interface_endpoints();
            let f = w
                .finding(
                    Code::NetEndpointMissing,
                    if missing { Status::Fail } else { Status::Pass },
                    if missing {
                        format!("The VPC reaches AWS through interface endpoints, but has none for {service_name}, and the internet route does not work either.")
                    } else {
                        format!("{service_name} is reached over the internet route.")
                    },
                )
                .evidence("serviceName", service_name.as_str());
            let f = if missing {
                let vpc = cx
                    .vpc
                    .map(|v| v.id.clone())
                    .unwrap_or_else(|| "<vpc-id>".into());
                f.remediation(format!(
                    "aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type Interface --service-name {service_name} --subnet-ids {} --security-group-ids <endpoint-sg-id> --private-dns-enabled",
                    cx.subnet.id
                ))
            } else {
                f
            };
            if missing {
                w.hop(
                    "endpoint",
                    Status::Fail,
                    f.detail.clone(),
                    Some(Code::NetEndpointMissing),
                );
            }
            w.findings.push(f);
            "internet".to_string()
        }
    }
}

fn s3(w: &mut Walk<'_, '_>) -> String {
    let cx = w.cx;
    let Some(pl) = cx.s3_prefix_list() else {
        let f = w
            .finding(
                Code::NetS3GatewayNotOnRouteTable,
                Status::Unknown,
                format!(
                    "The prefix list com.amazonaws.{}.s3 was not read, so S3's addresses, and the route layer downloads take, are unknown.",
                    cx.region
                ),
            );
        let f = crate::judge::name_unread(
            f,
            cx.net.prefix_lists.as_ref().and_then(Readable::unreadable),
            "ec2:DescribeManagedPrefixLists",
        );
        w.check("route", f);
        return "unknown".into();
    };
    let parsed: Option<Vec<IpNet>> = pl
        .entries()
        .and_then(|c| {
            c.iter()
                .map(|s| cidr::net(s))
                .collect::<Option<Vec<IpNet>>>()
        })
        .filter(|n| !n.is_empty());
    let Some(nets) = parsed else {
        return s3_addresses_unknown(w, pl);
    };
    let first = nets[0];
    let peer = Peer {
        nets: nets.clone(),
        prefix_list_id: Some(pl.id.clone()),
        ..Peer::default()
    };
    let gateway_route = match route::lookup(cx.table, first, cx.prefix_lists()) {
        RouteLookup::Matched { route, .. } => match &route.target {
            RouteTarget::VpcEndpoint(id) => Some(id.clone()),
            _ => None,
        },
        _ => None,
    };
    w.hop(
        "dns",
        Status::Pass,
        format!(
            "prod-{}-starport-layer-bucket resolves to S3's public addresses ({}).",
            cx.region, pl.id
        ),
        None,
    );
    match gateway_route {
        Some(vpce) => {
            let f = w
                .finding(
                    Code::NetS3GatewayNotOnRouteTable,
                    Status::Pass,
                    format!(
                        "{} routes S3 ({}) to the gateway endpoint {vpce}.",
                        cx.table.id, pl.id
                    ),
                )
                .evidence("vpcEndpointId", vpce.as_str())
                .evidence("routeTableId", cx.table.id.as_str())
                .evidence("prefixListId", pl.id.as_str());
            w.findings.push(f);
            w.via_route(first, &peer, &format!("S3 ({})", pl.id), Some(&pl.id));
            format!("gateway endpoint {vpce}")
        }
        None => {
            let internet_peer = peer.clone();
            w.via_route(first, &internet_peer, &format!("S3 ({})", pl.id), None);
            if w.blocked() {
                let gateway = cx.endpoint("s3", "Gateway");
                let interface = cx.endpoint("s3", "Interface");
                let vpc = cx
                    .vpc
                    .map(|v| v.id.clone())
                    .unwrap_or_else(|| "<vpc-id>".into());
                let f = match (gateway, interface) {
                    (Some(g), _) => w
                        .finding(
                            Code::NetS3GatewayNotOnRouteTable,
                            Status::Fail,
                            format!("The S3 gateway endpoint {} is not associated with {}, the task subnet's route table, so layer downloads take a route that does not work.", g.id, cx.table.id),
                        )
                        .evidence("vpcEndpointId", g.id.as_str())
                        .evidence("routeTableId", cx.table.id.as_str())
                        .remediation(format!("aws ec2 modify-vpc-endpoint --vpc-endpoint-id {} --add-route-table-ids {}", g.id, cx.table.id)),
                    (None, Some(i)) => w
                        .finding(
                            Code::NetS3InterfaceEndpointOnly,
                            Status::Fail,
                            format!("The VPC has only an S3 interface endpoint ({}); ECR's layer downloads cannot use it and need the S3 gateway endpoint.", i.id),
                        )
                        .evidence("vpcEndpointId", i.id.as_str())
                        .remediation(format!("aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type Gateway --service-name com.amazonaws.{}.s3 --route-table-ids {}", cx.region, cx.table.id)),
                    (None, None) if cx.uses_interface_endpoints() => w
                        .finding(
                            Code::NetEndpointMissing,
                            Status::Fail,
                            "The VPC reaches ECR through interface endpoints, but has no S3 gateway endpoint for the image layers.".to_string(),
                        )
                        .evidence("serviceName", format!("com.amazonaws.{}.s3", cx.region))
                        .remediation(format!("aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type Gateway --service-name com.amazonaws.{}.s3 --route-table-ids {}", cx.region, cx.table.id)),
                    (None, None) => return "internet".into(),
                };
                w.hop("endpoint", Status::Fail, f.detail.clone(), Some(f.code));
                w.findings.push(f);
            }
            "internet".into()
        }
    }
}
