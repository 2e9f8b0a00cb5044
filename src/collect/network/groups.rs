//! Security groups with their rule IDs (and the groups their rules reference), and prefix lists with their entries.

use super::*;

/// The groups `ids` with their rules, then the groups their rules reference (one level: a
/// rule that references a group matches by membership, so those groups' own rules are never
/// needed, only their existence and names). Both reads go through the run's cache under the
/// key the network stage uses, so a group both stages need is read once.
pub(crate) async fn security_groups(
    ec2: &aws_sdk_ec2::Client,
    cache: &Cache,
    ids: &[String],
) -> Readable<Vec<SecurityGroupFacts>> {
    if ids.is_empty() {
        return read(Vec::new());
    }
    let mut groups = match cached_groups(ec2, cache, ids).await {
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
        match cached_groups(ec2, cache, &referenced).await {
            Ok(more) => groups.extend(more),
            Err(u) => return Readable::Unreadable(u),
        }
    }
    read(groups)
}

/// [`read_groups`] once per run for the same list of IDs.
pub(super) async fn cached_groups(
    ec2: &aws_sdk_ec2::Client,
    cache: &Cache,
    ids: &[String],
) -> Result<Vec<SecurityGroupFacts>, Unreadable> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cache
        .get_or_read(format!("ec2:security-groups/{}", ids.join(",")), || {
            read_groups(ec2, ids)
        })
        .await
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
) -> Readable<Vec<String>> {
    let entries: Result<Vec<_>, _> = ec2
        .get_managed_prefix_list_entries()
        .prefix_list_id(id)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match entries {
        Ok(list) => read(list.iter().filter_map(|e| s(e.cidr())).collect()),
        Err(e) => Readable::Unreadable(unreadable("ec2:GetManagedPrefixListEntries", &e)),
    }
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
    let unknown: Vec<String> = referenced
        .iter()
        .filter(|id| !lists.iter().any(|l| &l.id == *id))
        .cloned()
        .collect();
    // The entries need only the IDs: read them alongside the names of the lists not yet
    // described, not after.
    let ids: Vec<String> = lists
        .iter()
        .map(|l| l.id.clone())
        .chain(unknown.iter().cloned())
        .collect();
    let heads = async {
        if unknown.is_empty() {
            Ok(Vec::new())
        } else {
            describe_prefix_lists(ec2, filter("prefix-list-id", unknown.iter())).await
        }
    };
    let entries = async {
        let mut set = JoinSet::new();
        for (i, id) in ids.iter().enumerate() {
            let ec2 = ec2.clone();
            let id = id.clone();
            set.spawn(crate::collect::budget::carry(async move {
                (i, prefix_list_entries(&ec2, &id).await)
            }));
        }
        let mut out = vec![None; ids.len()];
        while let Some(done) = set.join_next().await {
            if let Ok((i, cidrs)) = done {
                out[i] = Some(cidrs);
            }
        }
        out
    };
    let (heads, entries) = tokio::join!(heads, entries);
    match heads {
        Ok(found) => lists.extend(found.iter().map(prefix_list_head)),
        Err(u) => return Readable::Unreadable(u),
    }
    // A list a route or rule names but that cannot be described is kept by ID.
    for id in &unknown {
        if !lists.iter().any(|l| &l.id == id) {
            lists.push(PrefixListFacts {
                id: id.clone(),
                ..PrefixListFacts::default()
            });
        }
    }
    for l in &mut lists {
        if let Some(i) = ids.iter().position(|id| *id == l.id) {
            l.cidrs.clone_from(&entries[i]);
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
