//! The sweep of issue 6 on moto: 3 clusters, about 250 stopped tasks from 4 distinct causes,
//! plus failed starts outside the window and tasks stopped for other reasons. The sweep must
//! find exactly 4 groups with the right counts, diagnose one task per group, and make a number
//! of API calls that grows with groups, not with tasks.
//!
//! This is its own test binary so that its moto server, and the request recorder that counts
//! the calls, serve only this test. The scenario builders are in tests/support/sweep.rs
//! (benches/sweep.rs builds larger sweeps with them).
//!
//! moto differences met here (besides those in tests/support):
//! - StopTask sets no stopCode or stoppedAt; the harness's `moto-stop:` reason prefix sets them
//!   as AWS does (tests/support/moto_server.py), so the window and the stop codes are real.
//! - ListTasks does not paginate (one page whatever the count; AWS pages by 100) and matches
//!   the cluster by substring of the task's cluster ARN, so cluster names here never contain
//!   one another (the `-x` suffix).
//! - A stopped task's ENI stays in moto (AWS deletes a Fargate task's ENI soon after the
//!   stop), so the sweep finds the security groups of non-service tasks from their ENIs.
//! - DescribeTasks ignores the cluster and matches task IDs by substring; harmless here.
//! - moto's request recorder can put two entries on one line under concurrent requests (an
//!   entry over 8 KiB and its newline are two writes); `support::calls` reads it as a stream.

mod support;

use std::collections::BTreeMap;
use std::time::Instant;

use aws_config::SdkConfig;
use futures_util::future::join_all;
use serde_json::Value;

use support::calls::{self, Calls};
use support::fault_proxy::{FaultProxy, access_denied, sdk_config_at};
use support::scenario::{self, PULL_TIMEOUT};
use support::sweep::{self as sw, Batch, LOOKBACK_MINUTES, Shared, ago};
use support::{logging, secrets, unique};

/// What one scenario built, and what the sweep must find in it.
struct Built {
    clusters: [String; 3],
    /// Stopped tasks per cluster.
    per_cluster: [usize; 3],
    /// Expected groups, largest first: (count, task definition).
    groups: Vec<(usize, String)>,
    outside_window: usize,
    other_reasons: usize,
    /// ENIs of the non-service failed starts in the window (the sweep reads them in batches).
    enis_read: usize,
}

/// How many of each kind of task a scenario has.
#[derive(Clone, Copy)]
struct Sizes {
    /// Image pull timeouts in clusters 1 and 2 (one cause over two clusters: one group).
    pull: [usize; 2],
    /// Pull timeouts stopped before the window (cluster 1).
    pull_old: usize,
    /// Missing SSM parameter (cluster 2).
    ssm: usize,
    /// Missing secret (cluster 3).
    secret: usize,
    /// Missing log group, tasks of a service (cluster 3).
    logs: usize,
    /// Essential container exited: clusters 1 and 3.
    other: [usize; 2],
}

const BIG: Sizes = Sizes {
    pull: [60, 50],
    pull_old: 8,
    ssm: 60,
    secret: 40,
    logs: 25,
    other: [4, 3],
};

const SMALL: Sizes = Sizes {
    pull: [3, 2],
    pull_old: 1,
    ssm: 2,
    secret: 2,
    logs: 2,
    other: [1, 1],
};

async fn build(conf: &SdkConfig, s: &Shared, n: Sizes) -> Built {
    let clusters: [String; 3] = sw::clusters(conf, &["sweep-east", "sweep-west", "sweep-batch"])
        .await
        .try_into()
        .unwrap();
    let parameter = format!("/{}/db-url", unique("payments"));
    let secret = secrets::missing_secret_arn(&unique("payments/api-key"));
    let families = [
        unique("sweep-pull"),
        unique("sweep-ssm"),
        unique("sweep-asm"),
        unique("sweep-logs"),
    ];
    let ssm_secrets = [("DB_URL", parameter.as_str())];
    let asm_secrets = [("API_KEY", secret.as_str())];
    let (pull, ssm, asm, logs) = tokio::join!(
        sw::task_definition(conf, s, &families[0], &[], false),
        sw::task_definition(conf, s, &families[1], &ssm_secrets, false),
        sw::task_definition(conf, s, &families[2], &asm_secrets, false),
        sw::task_definition(conf, s, &families[3], &[], true),
    );
    let svc = sw::service(conf, s, &clusters[2], &logs).await;

    let ssm_reason = secrets::ssm_invalid_reason(&parameter);
    let asm_reason = secrets::asm_not_found_reason(&secret);
    let outside = LOOKBACK_MINUTES * 60 + 3600;
    let batches = vec![
        Batch {
            cluster: 0,
            td: pull.clone(),
            group: None,
            count: n.pull[0],
            reason: Box::new(|i| scenario::failed_to_start(ago(i), PULL_TIMEOUT)),
        },
        Batch {
            cluster: 1,
            td: pull.clone(),
            group: None,
            count: n.pull[1],
            reason: Box::new(|i| scenario::failed_to_start(ago(i + 1000), PULL_TIMEOUT)),
        },
        Batch {
            cluster: 0,
            td: pull.clone(),
            group: None,
            count: n.pull_old,
            reason: Box::new(move |i| scenario::failed_to_start(outside + i as u64, PULL_TIMEOUT)),
        },
        Batch {
            cluster: 1,
            td: ssm.clone(),
            group: None,
            count: n.ssm,
            reason: Box::new(move |i| scenario::failed_to_start(ago(i), &ssm_reason)),
        },
        Batch {
            cluster: 2,
            td: asm.clone(),
            group: None,
            count: n.secret,
            reason: Box::new(move |i| scenario::failed_to_start(ago(i), &asm_reason)),
        },
        Batch {
            cluster: 2,
            td: logs.clone(),
            group: Some(format!("service:{svc}")),
            count: n.logs,
            reason: Box::new(|i| scenario::failed_to_start(ago(i), logging::LOGGER_ARGS)),
        },
        Batch {
            cluster: 0,
            td: pull.clone(),
            group: None,
            count: n.other[0],
            reason: Box::new(|i| scenario::essential_exited(ago(i))),
        },
        Batch {
            cluster: 2,
            td: asm.clone(),
            group: None,
            count: n.other[1],
            reason: Box::new(|i| scenario::essential_exited(ago(i))),
        },
    ];
    let per_cluster: [usize; 3] = sw::run_batches(conf, s, &clusters, &batches)
        .await
        .try_into()
        .unwrap();
    let mut groups = vec![
        (n.pull[0] + n.pull[1], pull),
        (n.ssm, ssm),
        (n.secret, asm),
        (n.logs, logs),
    ];
    // The sweep's order: largest first, then by task definition.
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Built {
        clusters,
        per_cluster,
        groups,
        outside_window: n.pull_old,
        other_reasons: n.other[0] + n.other[1],
        enis_read: n.pull[0] + n.pull[1] + n.ssm + n.secret,
    }
}

fn sweep(b: &Built) -> (Value, Calls) {
    let swept = sw::sweep(&b.clusters);
    (swept.summary, swept.calls)
}

/// Checks the summary against what the scenario built; returns the failure classes found.
fn check_summary(s: &Value, b: &Built) -> Vec<String> {
    let groups = s["groups"].as_array().unwrap();
    let found: Vec<(u64, &str)> = groups
        .iter()
        .map(|g| {
            (
                g["count"].as_u64().unwrap(),
                g["taskDefinition"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(u64, &str)> = b
        .groups
        .iter()
        .map(|(n, td)| (*n as u64, td.as_str()))
        .collect();
    assert_eq!(found, expected, "{s:#}");
    for g in groups {
        // Each group's example was diagnosed in full and a root cause named.
        assert!(g["rootCause"].is_string(), "no root cause: {g:#}");
        assert_eq!(g["verdict"], "FAIL", "{g:#}");
        // DescribeTasks does not return security groups: they come from the service, or from
        // the task ENIs. AWS (and the harness) delete a stopped task's ENI, so a standalone
        // task's groups are unknown to the listing (null, never a guess); the diagnosis of
        // the group's example recovers them from CloudTrail.
        match g["securityGroupIds"].as_array() {
            Some(ids) => assert_eq!(ids.len(), 1, "{g:#}"),
            None => assert!(g["securityGroupIds"].is_null(), "{g:#}"),
        }
        assert!(g["firstSeen"].as_str() <= g["lastSeen"].as_str(), "{g:#}");
        assert!(
            b.clusters
                .iter()
                .any(|c| c == g["cluster"].as_str().unwrap())
        );
    }
    let left = &s["leftOut"];
    assert_eq!(left["outsideWindow"], b.outside_window as u64, "{left:#}");
    assert_eq!(
        left["stoppedForOtherReasons"], b.other_reasons as u64,
        "{left:#}"
    );
    assert_eq!(left["undated"], 0, "{left:#}");
    assert_eq!(left["groupsNotDiagnosed"], 0, "{left:#}");
    assert_eq!(left["unreadable"], serde_json::json!([]), "{left:#}");
    let failed: usize = b.groups.iter().map(|g| g.0).sum();
    assert!(
        s["summary"].as_str().unwrap().starts_with(&format!(
            "{failed} failed starts in 4 groups across 3 clusters"
        )),
        "{}",
        s["summary"]
    );
    groups
        .iter()
        .map(|g| g["failureClass"].as_str().unwrap().to_string())
        .collect()
}

/// The reads of listing and describing the stopped tasks, which grow (by the hundred) with
/// the number of tasks; every other call grows with groups.
const LISTING: [&str; 3] = [
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "ec2:DescribeNetworkInterfaces",
];

fn batches(n: usize) -> usize {
    n.div_ceil(100)
}

#[test]
fn sweep_finds_four_causes_in_250_tasks_with_calls_that_grow_with_groups() {
    let started = Instant::now();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conf = rt.block_on(support::sdk_config());
    let (big, small) = rt.block_on(async {
        let s = sw::shared(&conf).await;
        let big = build(&conf, &s, BIG).await;
        let small = build(&conf, &s, SMALL).await;
        (big, small)
    });
    assert_eq!(big.per_cluster.iter().sum::<usize>(), 250);
    let built = started.elapsed();

    let (big_summary, big_calls) = sweep(&big);
    let classes = check_summary(&big_summary, &big);
    assert_eq!(
        classes,
        [
            "image-pull-network",
            "ssm-parameter-invalid",
            "secret-not-found",
            "logging"
        ],
        "{big_summary:#}"
    );
    let roots: Vec<&str> = big_summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rootCause"].as_str().unwrap())
        .collect();
    // The VPC has no route out: the layer timeout is the network's doing.
    assert_eq!(roots[0], "NET_NO_PATH_TO_SERVICE", "{big_summary:#}");
    assert_eq!(roots[2], "SECRET_NOT_FOUND", "{big_summary:#}");

    let (small_summary, small_calls) = sweep(&small);
    check_summary(&small_summary, &small);
    let elapsed = started.elapsed();
    eprintln!(
        "scenario built in {built:?}, whole test {elapsed:?}\nbig sweep ({} tasks) calls: {big_calls:#?}\nsmall sweep ({} tasks) calls: {small_calls:#?}",
        big.per_cluster.iter().sum::<usize>(),
        small.per_cluster.iter().sum::<usize>()
    );

    // Listing: one ListTasks page per cluster (moto does not paginate), DescribeTasks in
    // batches of 100 per cluster (the groups' diagnoses start from the tasks the listing
    // described: no DescribeTasks of their own), and the ENIs of non-service failed starts in
    // batches of 100 (their security groups).
    for (b, c) in [(&big, &big_calls), (&small, &small_calls)] {
        assert_eq!(c.get("ecs:ListTasks"), 3, "{c:#?}");
        let described: usize = b.per_cluster.iter().map(|n| batches(*n)).sum();
        assert_eq!(c.get("ecs:DescribeTasks"), described, "{c:#?}");
        // One service, one DescribeServices for all its tasks' security groups.
        assert_eq!(c.get("ecs:DescribeServices"), 1, "{c:#?}");
    }
    assert_eq!(
        big_calls.get("ec2:DescribeNetworkInterfaces")
            - small_calls.get("ec2:DescribeNetworkInterfaces"),
        batches(big.enis_read) - batches(small.enis_read),
        "only the batched ENI reads differ"
    );
    // Everything else is per group: the same for 5 tasks a group as for 110.
    assert_eq!(
        big_calls.without(&LISTING),
        small_calls.without(&LISTING),
        "per-group reads must not grow with tasks"
    );
    // The four groups share a VPC, an execution role and an ECR repository: the cache reads
    // each once across the four diagnoses, which each still read their own task and task
    // definition.
    for c in [&big_calls, &small_calls] {
        assert_eq!(c.get("ecs:DescribeTaskDefinition"), 4, "{c:#?}");
        for shared_read in [
            "ec2:DescribeVpcs",
            "ec2:DescribeRouteTables",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "iam:GetRole",
            "iam:ListAttachedRolePolicies",
            "ecr:DescribeRepositories",
            "ecr:DescribeImages",
            "ecr:GetRepositoryPolicy",
        ] {
            assert_eq!(c.get(shared_read), 1, "{shared_read} is shared: {c:#?}");
        }
    }
    let per_group: usize = big_calls.without(&LISTING).total();
    assert!(
        per_group < 4 * 40,
        "per-group reads: {per_group} for 4 groups ({big_calls:#?})"
    );

    // Bounds: with more clusters than a sweep reads, the others are named, not silently
    // skipped. Every cluster of this server (the 6 above and 50 empty ones) is listed.
    rt.block_on(async {
        let ecs = aws_sdk_ecs::Client::new(&conf);
        join_all((0..50).map(|_| {
            let ecs = &ecs;
            async move {
                let name = format!("{}-x", unique("sweep-empty"));
                ecs.create_cluster()
                    .cluster_name(name)
                    .send()
                    .await
                    .unwrap();
            }
        }))
        .await;
    });
    let recording = calls::start();
    let mut cmd = support::cli();
    let out = support::cli_env(&mut cmd)
        .args(["sweep", "--since", "60m", "--format", "json"])
        .output()
        .unwrap();
    let every = recording.stop();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let not_swept = s["leftOut"]["clustersNotSwept"].as_array().unwrap();
    assert_eq!(not_swept.len(), 56 - 50, "{:#}", s["leftOut"]);
    assert_eq!(every.get("ecs:ListClusters"), 1, "{every:#?}");
    assert_eq!(every.get("ecs:ListTasks"), 50, "{every:#?}");
    // The swept clusters are the first listed: the 6 with tasks, so their 8 groups.
    assert_eq!(s["groups"].as_array().unwrap().len(), 8, "{s:#}");

    let elapsed = started.elapsed();
    assert!(
        elapsed.as_secs() < 120,
        "the sweep test took {elapsed:?}; it should stay around a minute"
    );
}

/// Runs `ecs-task-doctor sweep --since 60m --format <format> [--cluster ...]` with its AWS
/// endpoint at `proxy`, and returns its standard output (it must exit 0: a sweep that read
/// nothing is still a report).
async fn sweep_through(proxy: &FaultProxy, clusters: &[String], format: &str) -> String {
    let endpoint = proxy.endpoint.clone();
    let clusters = clusters.to_vec();
    let format = format.to_string();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = support::cli();
        support::cli_env(&mut cmd)
            .env("AWS_ENDPOINT_URL", &endpoint)
            .args(["sweep", "--since", "60m", "--format", &format])
            .args(clusters.iter().flat_map(|c| ["--cluster", c.as_str()]))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Issue 16, item 3: a sweep whose role may not list is UNKNOWN, its headline names the
/// permission the role lacks, and no format reads as all clear ("0 failed starts in 0
/// groups", SKIPPED). The denials come from the fault proxy in front of moto, in ECS's own
/// wire format; no cluster is created, so the other test's count of this moto's clusters
/// is not disturbed (a denied request never reaches moto).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_listing_is_unknown_and_names_the_permission() {
    // ListClusters denied: nothing at all was read.
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    proxy.fault("ecs:ListClusters", access_denied("ecs:ListClusters"), None);
    let s: Value = serde_json::from_str(&sweep_through(&proxy, &[], "json").await).unwrap();
    assert_eq!(s["status"], "UNKNOWN", "{s:#}");
    assert_eq!(
        s["summary"],
        "Incomplete sweep: could not list the clusters: the function's role lacks \
         ecs:ListClusters. Nothing was read, so failed starts in the last 60 minutes are \
         unknown: this is not an all clear.",
        "{s:#}"
    );
    assert_eq!(
        s["leftOut"]["unreadable"],
        serde_json::json!(["ecs:ListClusters: AccessDeniedException"])
    );
    assert_eq!(s["groups"], serde_json::json!([]));
    let text = sweep_through(&proxy, &[], "text").await;
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains("UNKNOWN") && first.contains("the function's role lacks ecs:ListClusters"),
        "{text}"
    );
    let md = sweep_through(&proxy, &[], "markdown").await;
    assert!(
        md.contains("**UNKNOWN** Incomplete sweep: could not list the clusters: the function's role lacks ecs:ListClusters."),
        "{md}"
    );
    for out in [&text, &md] {
        assert!(!out.contains("0 failed starts in 0 groups"), "{out}");
        assert!(!out.contains("SKIPPED"), "{out}");
    }

    // ListTasks denied on the clusters given: the clusters are known, none was listed.
    let proxy = FaultProxy::start(support::moto_endpoint()).await;
    proxy.fault("ecs:ListTasks", access_denied("ecs:ListTasks"), None);
    let clusters = [unique("denied-a"), unique("denied-b")];
    let s: Value = serde_json::from_str(&sweep_through(&proxy, &clusters, "json").await).unwrap();
    assert_eq!(s["status"], "UNKNOWN", "{s:#}");
    assert_eq!(
        s["summary"],
        format!(
            "Incomplete sweep: could not list the stopped tasks of clusters {} and {}: the \
             function's role lacks ecs:ListTasks. 0 of 2 clusters listed. Nothing was read, so \
             failed starts in the last 60 minutes are unknown: this is not an all clear.",
            clusters[0], clusters[1]
        ),
        "{s:#}"
    );
    assert_eq!(
        s["leftOut"]["unreadable"],
        serde_json::json!([
            "ecs:ListTasks: AccessDeniedException",
            "ecs:ListTasks: AccessDeniedException"
        ])
    );
    // One ListTasks per cluster: a denial is not retried, and the listing stops there.
    assert_eq!(proxy.faulted("ecs:ListTasks"), 2);
}

/// A ListTasks (or ListClusters) that paginates forever ends at the sweep's bound on pages,
/// even without a run deadline, and counts as not fully read: UNKNOWN, its headline naming
/// the API and that it was still paginating. (The SDK's paginator would loop for as long as
/// the tokens change.) ECS is played by `support::sweep::EndlessPages`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_that_never_ends_is_cut_and_not_fully_read() {
    use ecs_task_doctor::collect::sweep::{MAX_CLUSTER_PAGES, MAX_TASK_PAGES};
    use ecs_task_doctor::engine::Engine;
    use ecs_task_doctor::request::SweepRequest;
    let ecs = sw::EndlessPages::start().await;
    let engine = Engine::new(&sdk_config_at(&ecs.endpoint).await).unwrap();
    let sweep = |clusters: Vec<String>| {
        let engine = engine.clone();
        async move {
            let request = SweepRequest {
                clusters,
                lookback_minutes: 60,
            };
            // No run deadline: only the bound on pages can end it.
            let s = tokio::time::timeout(
                std::time::Duration::from_secs(120),
                engine.sweep(&request, chrono::Utc::now()),
            )
            .await
            .expect("a listing that never ends must still end")
            .unwrap();
            serde_json::to_value(&s).unwrap()
        }
    };

    let s = sweep(vec!["prod".into()]).await;
    assert_eq!(ecs.served("ListTasks"), MAX_TASK_PAGES);
    assert_eq!(s["status"], "UNKNOWN", "{s:#}");
    assert_eq!(
        s["summary"],
        format!(
            "Incomplete sweep: listed only part of the stopped tasks of cluster prod: \
             ecs:ListTasks was still paginating after {MAX_TASK_PAGES} pages (0 listed). 0 of 1 \
             cluster listed, 1 more in part. No failed start in what was read in the last 60 \
             minutes, but this is not an all clear."
        ),
        "{s:#}"
    );
    assert_eq!(
        s["leftOut"]["unreadable"],
        serde_json::json!(["ecs:ListTasks: ListingNotEnding"])
    );

    let s = sweep(vec![]).await;
    assert_eq!(ecs.served("ListClusters"), MAX_CLUSTER_PAGES);
    assert_eq!(s["status"], "UNKNOWN", "{s:#}");
    assert!(
        s["summary"].as_str().unwrap().starts_with(&format!(
            "Incomplete sweep: listed only part of the clusters: ecs:ListClusters was still \
             paginating after {MAX_CLUSTER_PAGES} pages (0 listed)."
        )),
        "{s:#}"
    );
}

#[test]
fn recorded_requests_are_named_by_service_and_operation() {
    let auth = |svc: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential=x/20261128/us-east-1/{svc}/aws4_request, SignedHeaders=host, Signature=0"
        )
    };
    let entry = |headers: Value, url: &str, body: &str, encoded: bool| serde_json::json!({"headers": headers, "method": "POST", "url": url, "body": body, "body_encoded": encoded});
    let json = entry(
        serde_json::json!({"Authorization": auth("ecs"), "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeTasks"}),
        "http://127.0.0.1:1/",
        "",
        false,
    );
    // "Action=DescribeSubnets&Version=2016-11-15", base64 as moto records bytes.
    let query = entry(
        serde_json::json!({"authorization": auth("ec2")}),
        "http://127.0.0.1:1/",
        "QWN0aW9uPURlc2NyaWJlU3VibmV0cyZWZXJzaW9uPTIwMTYtMTEtMTU=",
        true,
    );
    let rest = entry(
        serde_json::json!({"Authorization": auth("elasticfilesystem")}),
        "http://127.0.0.1:1/2015-02-01/mount-targets?FileSystemId=fs-1",
        "",
        false,
    );
    let cbor = entry(
        serde_json::json!({"Authorization": auth("monitoring")}),
        "http://127.0.0.1:1/service/GraniteServiceVersion20100801/operation/GetMetricData",
        "",
        false,
    );
    assert_eq!(calls::operation(&json), "ecs:DescribeTasks");
    assert_eq!(calls::operation(&query), "ec2:DescribeSubnets");
    assert_eq!(
        calls::operation(&rest),
        "efs:POST /2015-02-01/mount-targets"
    );
    assert_eq!(calls::operation(&cbor), "monitoring:GetMetricData");
    // Two entries on one line, as moto's recorder writes them under concurrent requests.
    let lines = format!("{json}\n{json}{query}\n");
    let counted = Calls::from_recording(&lines);
    assert_eq!(counted.get("ecs:DescribeTasks"), 2);
    assert_eq!(counted.prefixed("ec2:"), 1);
    assert_eq!(counted.total(), 3);
    let expected: BTreeMap<String, usize> = [("ecs:DescribeTasks".to_string(), 2)].into();
    assert_eq!(counted.without(&["ec2:DescribeSubnets"]).0, expected);
}
