//! Sweep reads: clusters, their stopped tasks, described in batches of 100, and the security
//! groups of the failed starts (DescribeTasks does not return them), read per service and per
//! batch of ENIs, never per task.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types::DesiredStatus;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use futures_util::{StreamExt, stream};

use super::ecs::task_facts;
use super::error::unreadable;
use super::{Cache, Clients};
use crate::event::timestamp;
use crate::facts::{
    ClusterStoppedFacts, EniGroupsFacts, LISTING_NOT_ENDING, Readable, ServiceGroupsFacts,
    SweepFacts, SweepSecurityGroupFacts, TaskFacts, Unreadable,
};

/// The most stopped tasks read per cluster: past it the sweep says it left tasks out.
pub const MAX_TASKS_PER_CLUSTER: usize = 1000;

/// The most clusters one sweep reads (each costs at least a ListTasks): past it the sweep
/// names the clusters it left out. Bounds the sweep's work with the per-cluster bound.
pub const MAX_CLUSTERS: usize = 50;

/// The most ListTasks pages read per cluster. [`MAX_TASKS_PER_CLUSTER`] is 10 full pages
/// (ListTasks answers up to 100 ARNs a page); five times that leaves room for short pages,
/// and a listing still paginating past it did not end: it is recorded as not fully read
/// ([`LISTING_NOT_ENDING`]) instead of looping until the deadline, or forever without one.
pub const MAX_TASK_PAGES: usize = 50;

/// The most ListClusters pages one sweep reads: 100 pages of up to 100 clusters is ECS's
/// default quota of 10,000 clusters per Region. Past it the cluster list did not end, and
/// the sweep says so instead of listing forever.
pub const MAX_CLUSTER_PAGES: usize = 100;

/// DescribeTasks' batch size.
const BATCH: usize = 100;

/// DescribeServices' batch size.
const SERVICE_BATCH: usize = 10;

/// ENI IDs per DescribeNetworkInterfaces filter.
const ENI_BATCH: usize = 100;

/// How many security-group reads run at once.
const CONCURRENT_READS: usize = 8;

/// Reads the stopped tasks of the given clusters (every cluster when none is given).
pub async fn stopped_tasks(
    clients: &Clients,
    region: &str,
    clusters: &[String],
    lookback_minutes: u32,
    now: DateTime<Utc>,
) -> SweepFacts {
    let (listed, clusters_incomplete) = if clusters.is_empty() {
        list_clusters(clients.ecs()).await
    } else {
        (
            Readable::Read {
                value: clusters.to_vec(),
            },
            None,
        )
    };
    let mut names = listed.value().cloned().unwrap_or_default();
    let clusters_left_out = if names.len() > MAX_CLUSTERS {
        names.split_off(MAX_CLUSTERS)
    } else {
        Vec::new()
    };
    let mut stopped = Vec::with_capacity(names.len());
    let reads = names.iter().map(|c| cluster_stopped(clients.ecs(), c));
    for r in join_all(reads).await {
        stopped.push(r);
    }
    SweepFacts {
        region: region.to_string(),
        collected_at: timestamp(now),
        lookback_minutes,
        clusters: listed,
        clusters_incomplete,
        stopped,
        clusters_left_out,
        security_groups: SweepSecurityGroupFacts::default(),
    }
}

/// Reads the security groups of the given services (cluster → service names; DescribeServices,
/// 10 per call) and ENIs (DescribeNetworkInterfaces filtered by ID, 100 per call: a filter
/// answers nothing for a deleted ENI where an ID list would fail the whole call), all
/// concurrently. The number of calls grows with services and with hundreds of ENIs, never
/// with each task.
///
/// Each service's configurations (deployments, task sets, current) go into `cache`, where a
/// diagnosis of one of its tasks finds them (see `collect::network`).
pub async fn security_groups(
    clients: &Clients,
    cache: &Cache,
    services: &BTreeMap<String, BTreeSet<String>>,
    enis: &[String],
) -> SweepSecurityGroupFacts {
    let service_calls = services.iter().flat_map(|(cluster, names)| {
        let names: Vec<String> = names.iter().cloned().collect();
        names
            .chunks(SERVICE_BATCH)
            .map(|batch| {
                let ecs = clients.ecs();
                let cluster = cluster.clone();
                let batch = batch.to_vec();
                async move {
                    let out = ecs
                        .describe_services()
                        .cluster(&cluster)
                        .set_services(Some(batch))
                        .send()
                        .await;
                    match out {
                        Ok(o) => {
                            for sv in o.services() {
                                if let Some(name) = sv.service_name() {
                                    super::network::prime_service_networks(
                                        cache, &cluster, name, sv,
                                    )
                                    .await;
                                }
                            }
                            Ok(o.services()
                                .iter()
                                .filter_map(|sv| {
                                    Some(ServiceGroupsFacts {
                                        cluster: cluster.clone(),
                                        service: sv.service_name()?.to_string(),
                                        security_group_ids: sv
                                            .network_configuration()
                                            .and_then(|n| n.awsvpc_configuration())
                                            .map(|a| a.security_groups().to_vec()),
                                    })
                                })
                                .collect::<Vec<_>>())
                        }
                        Err(e) => Err(unreadable("ecs:DescribeServices", &e)),
                    }
                }
            })
            .collect::<Vec<_>>()
    });
    let eni_calls = enis.chunks(ENI_BATCH).map(|batch| {
        let ec2 = clients.ec2();
        let filter = aws_sdk_ec2::types::Filter::builder()
            .name("network-interface-id")
            .set_values(Some(batch.to_vec()))
            .build();
        async move {
            let out: Result<Vec<_>, _> = ec2
                .describe_network_interfaces()
                .filters(filter)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await;
            match out {
                Ok(list) => Ok(list
                    .iter()
                    .filter_map(|n| {
                        Some(EniGroupsFacts {
                            id: n.network_interface_id()?.to_string(),
                            security_group_ids: n
                                .groups()
                                .iter()
                                .filter_map(|g| g.group_id().map(str::to_string))
                                .collect(),
                        })
                    })
                    .collect::<Vec<_>>()),
                Err(e) => Err(unreadable("ec2:DescribeNetworkInterfaces", &e)),
            }
        }
    });
    // Hundreds of ENI batches must not become hundreds of concurrent calls; answers keep
    // their order, so the facts do not depend on timing.
    let (service_answers, eni_answers): (Vec<_>, Vec<_>) = tokio::join!(
        stream::iter(service_calls)
            .buffered(CONCURRENT_READS)
            .collect(),
        stream::iter(eni_calls).buffered(CONCURRENT_READS).collect()
    );
    let mut facts = SweepSecurityGroupFacts::default();
    for answer in service_answers {
        match answer {
            Ok(found) => facts.services.extend(found),
            Err(u) => facts.unreadable.push(u),
        }
    }
    for answer in eni_answers {
        match answer {
            Ok(found) => facts.enis.extend(found),
            Err(u) => facts.unreadable.push(u),
        }
    }
    facts
}

/// What one paginated listing returned.
#[derive(Debug, Default, PartialEq)]
struct Pages {
    /// The items of every page that answered, in order.
    items: Vec<String>,
    /// How many pages answered.
    pages: usize,
    /// True when the listing stopped at the bound on items (more may exist).
    truncated: bool,
    /// Why the listing stopped before its end: a page that failed, or a listing that did
    /// not end ([`LISTING_NOT_ENDING`]). `None` when it ended (or stopped at the bound on
    /// items).
    stopped: Option<Unreadable>,
}

/// A listing of `api` that did not end, and how.
fn not_ending(api: &str, how: String) -> Unreadable {
    Unreadable {
        api: api.to_string(),
        error_code: LISTING_NOT_ENDING.to_string(),
        message: how,
    }
}

/// Reads a paginated listing page by page (`page` takes the page token and answers the
/// page's items and next token), bounded: at most `max_items` items (then `truncated`) and
/// `max_pages` pages. A listing still paginating at the page bound, or giving a page token
/// twice (the SDK's paginator would stop there silently, as if the listing had ended), is
/// stopped with [`LISTING_NOT_ENDING`]: a listing that never ends must end, and count as not
/// fully read. A failed page stops it with that page's error; what earlier pages listed is
/// kept.
async fn paginate<F, Fut>(
    api: &str,
    max_items: Option<usize>,
    max_pages: usize,
    mut page: F,
) -> Pages
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<String>, Option<String>), Unreadable>>,
{
    let mut out = Pages::default();
    let mut token: Option<String> = None;
    let mut tokens_given = BTreeSet::new();
    while out.pages < max_pages {
        let (items, next) = match page(token.take()).await {
            Ok(answer) => answer,
            Err(u) => {
                out.stopped = Some(u);
                return out;
            }
        };
        out.pages += 1;
        out.items.extend(items);
        if let Some(max) = max_items
            && out.items.len() >= max
        {
            out.items.truncate(max);
            out.truncated = true;
            return out;
        }
        match next.filter(|t| !t.is_empty()) {
            None => return out,
            Some(t) if !tokens_given.insert(t.clone()) => {
                out.stopped = Some(not_ending(
                    api,
                    format!(
                        "gave a page token it had already given, after {} pages ({} listed)",
                        out.pages,
                        out.items.len()
                    ),
                ));
                return out;
            }
            Some(t) => token = Some(t),
        }
    }
    out.stopped = Some(not_ending(
        api,
        format!(
            "was still paginating after {max_pages} pages ({} listed)",
            out.items.len()
        ),
    ));
    out
}

/// Every cluster of the Region (ListClusters, bounded by [`MAX_CLUSTER_PAGES`]), and why the
/// list stopped before its end when it did. Nothing listed at all is unreadable.
async fn list_clusters(ecs: &aws_sdk_ecs::Client) -> (Readable<Vec<String>>, Option<Unreadable>) {
    let listed = paginate("ecs:ListClusters", None, MAX_CLUSTER_PAGES, |token| {
        let request = ecs.list_clusters().set_next_token(token);
        async move {
            match request.send().await {
                Ok(p) => Ok((
                    p.cluster_arns().to_vec(),
                    p.next_token().map(str::to_string),
                )),
                Err(e) => Err(unreadable("ecs:ListClusters", &e)),
            }
        }
    })
    .await;
    match listed.stopped {
        Some(u) if listed.pages == 0 => (Readable::Unreadable(u), None),
        stopped => (
            Readable::Read {
                value: listed.items,
            },
            stopped,
        ),
    }
}

/// One cluster's stopped tasks: ListTasks (bounded by [`MAX_TASKS_PER_CLUSTER`] and
/// [`MAX_TASK_PAGES`]), then DescribeTasks in batches of 100. Nothing read at all is
/// unreadable; a listing or a description cut part way keeps what was read and says why in
/// `incomplete`.
async fn cluster_stopped(ecs: &aws_sdk_ecs::Client, cluster: &str) -> ClusterStoppedFacts {
    let listed = paginate(
        "ecs:ListTasks",
        Some(MAX_TASKS_PER_CLUSTER),
        MAX_TASK_PAGES,
        |token| {
            let request = ecs
                .list_tasks()
                .cluster(cluster)
                .desired_status(DesiredStatus::Stopped)
                .set_next_token(token);
            async move {
                match request.send().await {
                    Ok(p) => Ok((p.task_arns().to_vec(), p.next_token().map(str::to_string))),
                    Err(e) => Err(unreadable("ecs:ListTasks", &e)),
                }
            }
        },
    )
    .await;
    let mut incomplete = Vec::new();
    match listed.stopped {
        Some(u) if listed.pages == 0 => {
            return ClusterStoppedFacts {
                cluster: cluster.to_string(),
                tasks: Readable::Unreadable(u),
                truncated: false,
                incomplete,
            };
        }
        Some(u) => incomplete.push(u),
        None => {}
    }
    let arns = listed.items;
    let batches = arns.chunks(BATCH).map(|batch| {
        ecs.describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .send()
    });
    let mut tasks: Vec<TaskFacts> = Vec::with_capacity(arns.len());
    let mut described = false;
    let mut failed: Option<Unreadable> = None;
    for answer in join_all(batches).await {
        match answer {
            Ok(out) => {
                described = true;
                tasks.extend(out.tasks().iter().map(task_facts));
            }
            Err(e) => {
                failed.get_or_insert_with(|| unreadable("ecs:DescribeTasks", &e));
            }
        }
    }
    let tasks = match failed {
        Some(u) if !described => Readable::Unreadable(u),
        Some(u) => {
            incomplete.push(u);
            Readable::Read { value: tasks }
        }
        None => Readable::Read { value: tasks },
    };
    ClusterStoppedFacts {
        cluster: cluster.to_string(),
        tasks,
        truncated: listed.truncated,
        incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    type Page = Result<(Vec<String>, Option<String>), Unreadable>;

    fn items(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    #[tokio::test]
    async fn a_listing_that_never_ends_stops_at_the_page_bound() {
        // Every page empty with a fresh token: it would page until the deadline, or forever.
        let asked = Cell::new(0);
        let p = paginate("ecs:ListTasks", Some(1000), 7, |_| {
            asked.set(asked.get() + 1);
            let n = asked.get();
            async move { Page::Ok((items("t", 1), Some(format!("token-{n}")))) }
        })
        .await;
        assert_eq!(asked.get(), 7);
        assert_eq!((p.pages, p.items.len(), p.truncated), (7, 7, false));
        let u = p.stopped.expect("not an end");
        assert_eq!(
            (u.api.as_str(), u.error_code.as_str()),
            ("ecs:ListTasks", LISTING_NOT_ENDING)
        );
        assert_eq!(u.message, "was still paginating after 7 pages (7 listed)");
    }

    #[tokio::test]
    async fn a_page_token_given_twice_is_not_an_end() {
        // The SDK's paginator stops silently on a repeated token, as if the listing had ended.
        let asked = Cell::new(0);
        let p = paginate("ecs:ListClusters", None, 100, |token| {
            asked.set(asked.get() + 1);
            async move {
                let next = if token.is_none() { "a" } else { "b" };
                Page::Ok((items("c", 2), Some(next.to_string())))
            }
        })
        .await;
        // a, then b, then b again.
        assert_eq!(asked.get(), 3);
        assert_eq!(p.items.len(), 6);
        let u = p.stopped.expect("not an end");
        assert_eq!(u.error_code, LISTING_NOT_ENDING);
        assert!(
            u.message
                .starts_with("gave a page token it had already given"),
            "{u:?}"
        );
    }

    #[tokio::test]
    async fn a_failed_later_page_keeps_what_was_read() {
        let p = paginate("ecs:ListTasks", Some(1000), 50, |token| async move {
            match token {
                None => Page::Ok((items("t", 100), Some("2".into()))),
                Some(_) => Page::Err(Unreadable {
                    api: "ecs:ListTasks".into(),
                    error_code: "TimedOut".into(),
                    message: "timed out".into(),
                }),
            }
        })
        .await;
        assert_eq!((p.pages, p.items.len()), (1, 100));
        assert_eq!(
            p.stopped.map(|u| u.error_code),
            Some("TimedOut".to_string())
        );
    }

    #[tokio::test]
    async fn a_listing_that_ends_or_reaches_the_item_bound_is_read() {
        let p = paginate("ecs:ListTasks", Some(1000), 50, |token| async move {
            match token.as_deref() {
                None => Page::Ok((items("a", 100), Some("2".into()))),
                // An empty token is the end too.
                _ => Page::Ok((items("b", 3), Some(String::new()))),
            }
        })
        .await;
        assert_eq!((p.pages, p.items.len(), p.truncated), (2, 103, false));
        assert_eq!(p.stopped, None);
        let asked = Cell::new(0);
        let p = paginate("ecs:ListTasks", Some(250), 50, |_| {
            asked.set(asked.get() + 1);
            let n = asked.get();
            async move { Page::Ok((items(&format!("p{n}-"), 100), Some(format!("{n}")))) }
        })
        .await;
        assert_eq!((p.pages, p.items.len(), p.truncated), (3, 250, true));
        assert_eq!(
            p.stopped, None,
            "the bound on tasks is named as truncated, not unread"
        );
    }
}
