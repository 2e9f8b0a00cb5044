//! Security groups with their rule IDs (and the groups their rules reference), and prefix lists with their entries.

use super::*;

/// Reads the given groups, then the groups their rules reference (one level: enough to name
/// a peer group and see whether it exists).
pub(crate) async fn security_groups(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
) -> Readable<Vec<SecurityGroupFacts>> {
    if ids.is_empty() {
        return read(Vec::new());
    }
    let mut groups = match read_groups(ec2, ids).await {
        Ok(g) => g,
        Err(u) => return Readable::Unreadable(u),
    };
    let referenced: Vec<String> = groups
        .iter()
        .flat_map(|g| &g.rules)
        .filter_map(|r| r.referenced_group_id.clone())
        .filter(|id| !ids.contains(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !referenced.is_empty() {
        match read_groups(ec2, &referenced).await {
            Ok(more) => groups.extend(more),
            Err(u) => return Readable::Unreadable(u),
        }
    }
    read(groups)
}

/// DescribeSecurityGroups (name, VPC, existence) and DescribeSecurityGroupRules (each rule
/// with its `sgr-` ID), concurrently.
pub(super) async fn read_groups(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
) -> Result<Vec<SecurityGroupFacts>, Unreadable> {
    let groups = ec2
        .describe_security_groups()
        .filters(filter("group-id", ids))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let rules = ec2
        .describe_security_group_rules()
        .filters(filter("group-id", ids))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let (groups, rules) = tokio::join!(groups, rules);
    let groups = groups.map_err(|e| unreadable("ec2:DescribeSecurityGroups", &e))?;
    let rules = rules.map_err(|e| unreadable("ec2:DescribeSecurityGroupRules", &e))?;
    Ok(security_group_facts(ids, &groups, &rules))
}

/// Joins groups and their rules, in the order the IDs were asked for. A group that does not
/// exist (any more) is absent.
pub(super) fn security_group_facts(
    ids: &[String],
    groups: &[SecurityGroup],
    rules: &[SecurityGroupRule],
) -> Vec<SecurityGroupFacts> {
    ids.iter()
        .filter_map(|id| groups.iter().find(|g| g.group_id() == Some(id.as_str())))
        .map(|g| {
            let id = g.group_id().unwrap_or_default();
            SecurityGroupFacts {
                id: id.to_string(),
                name: s(g.group_name()),
                vpc_id: s(g.vpc_id()),
                rules: rules
                    .iter()
                    .filter(|r| r.group_id() == Some(id))
                    .map(sg_rule_facts)
                    .collect(),
            }
        })
        .collect()
}

/// Converts one security group rule.
pub(super) fn sg_rule_facts(r: &SecurityGroupRule) -> SgRuleFacts {
    SgRuleFacts {
        rule_id: s(r.security_group_rule_id()),
        egress: r.is_egress().unwrap_or(false),
        protocol: r.ip_protocol().unwrap_or("-1").to_string(),
        from_port: r.from_port(),
        to_port: r.to_port(),
        cidr: s(r.cidr_ipv4()),
        ipv6_cidr: s(r.cidr_ipv6()),
        prefix_list_id: s(r.prefix_list_id()),
        referenced_group_id: r.referenced_group_info().and_then(|g| s(g.group_id())),
        description: s(r.description()),
    }
}

// ---------------------------------------------------------------------------------------
// Prefix lists
// ---------------------------------------------------------------------------------------

pub(super) async fn describe_prefix_lists(
    ec2: &aws_sdk_ec2::Client,
    f: Filter,
) -> Result<Vec<ManagedPrefixList>, Unreadable> {
    ec2.describe_managed_prefix_lists()
        .filters(f)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unreadable("ec2:DescribeManagedPrefixLists", &e))
}

pub(super) async fn prefix_list_entries(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Option<Vec<String>> {
    let entries: Result<Vec<_>, _> = ec2
        .get_managed_prefix_list_entries()
        .prefix_list_id(id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    // The type has no room for this error: `cidrs: None` says the entries are unknown.
    entries
        .ok()
        .map(|list| list.iter().filter_map(|e| s(e.cidr())).collect())
}

/// The Region's S3 list (found by name: its ID differs per Region, and per server in moto)
/// plus every list a route or rule names, each with its CIDRs.
pub(super) async fn prefix_lists(
    ec2: &aws_sdk_ec2::Client,
    s3_lists: Result<Vec<ManagedPrefixList>, Unreadable>,
    referenced: BTreeSet<String>,
) -> Readable<Vec<PrefixListFacts>> {
    let mut lists: Vec<PrefixListFacts> = match s3_lists {
        Ok(l) => l.iter().map(prefix_list_head).collect(),
        Err(u) => return Readable::Unreadable(u),
    };
    let unknown: Vec<&String> = referenced
        .iter()
        .filter(|id| !lists.iter().any(|l| &l.id == *id))
        .collect();
    if !unknown.is_empty() {
        match describe_prefix_lists(ec2, filter("prefix-list-id", unknown.iter().copied())).await {
            Ok(found) => lists.extend(found.iter().map(prefix_list_head)),
            Err(u) => return Readable::Unreadable(u),
        }
    }
    // A list a route or rule names but that cannot be described is kept by ID.
    for id in unknown {
        if !lists.iter().any(|l| &l.id == id) {
            lists.push(PrefixListFacts {
                id: id.clone(),
                ..PrefixListFacts::default()
            });
        }
    }

    let mut set = JoinSet::new();
    for (i, l) in lists.iter().enumerate() {
        let ec2 = ec2.clone();
        let id = l.id.clone();
        set.spawn(crate::collect::budget::carry(async move {
            (i, prefix_list_entries(&ec2, &id).await)
        }));
    }
    while let Some(done) = set.join_next().await {
        if let Ok((i, cidrs)) = done {
            lists[i].cidrs = cidrs;
        }
    }
    read(lists)
}

pub(super) fn prefix_list_head(l: &ManagedPrefixList) -> PrefixListFacts {
    PrefixListFacts {
        id: l.prefix_list_id().unwrap_or_default().to_string(),
        name: s(l.prefix_list_name()),
        cidrs: None,
    }
}
