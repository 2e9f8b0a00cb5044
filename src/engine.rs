//! The engine: the one library function both shells call.
//!
//! The Lambda builds an [`Engine`] once per container and reuses it for every
//! invocation; the CLI builds one per run. Both then call [`Engine::diagnose`].

use aws_config::SdkConfig;

use crate::collect::{self, Clients};
use crate::facts::Facts;
use crate::judge;
use crate::report::Report;
use crate::report::{Status, SweepGroupSummary, SweepLeftOut, SweepSummary};
use crate::request::{Caller, DiagnoseRequest, RequestError, SweepRequest};
use crate::stage::StageSelection;

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The request is invalid (bad field, ARN of another Region, ...).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The SDK configuration has no Region, so no AWS call can be made.
    #[error(
        "no AWS Region is configured: set AWS_REGION (or a profile's region) to the Region the task ran in"
    )]
    NoRegion,
}

/// A diagnosis: the facts read and the report judged from them.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// What was read.
    pub facts: Facts,
    /// What it means.
    pub report: Report,
}

/// Clients plus the Region they talk to.
#[derive(Debug, Clone)]
pub struct Engine {
    clients: Clients,
    region: String,
}

impl Engine {
    /// Builds the engine from an SDK configuration (Region, credentials, optional endpoint).
    pub fn new(conf: &SdkConfig) -> Result<Engine, EngineError> {
        let region = conf
            .region()
            .map(|r| r.as_ref().to_string())
            .ok_or(EngineError::NoRegion)?;
        Ok(Engine {
            clients: Clients::new(conf),
            region,
        })
    }

    /// An engine over clients built elsewhere ([`Clients::with_policy`], or clients a test
    /// instruments), for `region`.
    pub fn from_clients(clients: Clients, region: impl Into<String>) -> Engine {
        Engine {
            clients,
            region: region.into(),
        }
    }

    /// The Region this engine reads.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The AWS clients (for shells that need one directly).
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Validates the request for this Region, collects the facts and judges them. No run
    /// deadline: each call is still bounded by the clients' [`collect::budget::CallPolicy`].
    pub async fn diagnose(&self, request: &DiagnoseRequest) -> Result<Diagnosis, EngineError> {
        self.diagnose_with(request, &collect::Cache::new(), collect::Scope::DIAGNOSIS)
            .await
    }

    /// [`Engine::diagnose`] that returns by `deadline`: every read still unanswered then is
    /// cut and recorded as unreadable with the code [`collect::budget::TIMED_OUT`] (judged
    /// UNKNOWN, "timed out"), and the facts already read are kept. The caller keeps its own
    /// margin after the deadline to render and deliver the report.
    pub async fn diagnose_within(
        &self,
        request: &DiagnoseRequest,
        deadline: tokio::time::Instant,
    ) -> Result<Diagnosis, EngineError> {
        collect::budget::within(
            Some(deadline),
            self.diagnose_with(request, &collect::Cache::new(), collect::Scope::DIAGNOSIS),
        )
        .await
    }

    /// [`Engine::diagnose`] sharing a fact cache with the other diagnoses of one sweep.
    async fn diagnose_with(
        &self,
        request: &DiagnoseRequest,
        cache: &collect::Cache,
        scope: collect::Scope,
    ) -> Result<Diagnosis, EngineError> {
        request.check_region(&self.region)?;
        let facts = collect::collect_with(&self.clients, cache, scope, &self.region, request).await;
        let report = judge::judge(&facts, request.stage);
        Ok(Diagnosis { facts, report })
    }
}

/// How many groups one sweep diagnoses in full; the others are listed, and counted as left out.
pub const MAX_GROUPS_DIAGNOSED: usize = 20;

impl Engine {
    /// Sweeps recent failed starts: lists stopped tasks, reads the failed starts' security
    /// groups (per service and per batch of ENIs), groups repeats, diagnoses one task per
    /// group (concurrently, at most [`MAX_GROUPS_DIAGNOSED`], sharing one fact cache so a VPC,
    /// role or repository several groups use is read once).
    ///
    /// Its work is bounded whatever the number of failures: at most
    /// [`collect::sweep::MAX_CLUSTERS`] clusters, [`collect::sweep::MAX_TASKS_PER_CLUSTER`]
    /// tasks per cluster and [`MAX_GROUPS_DIAGNOSED`] diagnoses; what a bound cut is named in
    /// `leftOut`. A listing not read in full (ListClusters, ListTasks or DescribeTasks
    /// denied, timed out, failing, or paginating without end) is never an all clear: the
    /// status is at least UNKNOWN and the summary says what could not be read and why
    /// ([`judge::sweep::outcome`]).
    pub async fn sweep(
        &self,
        request: &SweepRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SweepSummary, EngineError> {
        self.sweep_inner(request, now).await
    }

    /// [`Engine::sweep`] that returns by `deadline`: a listing or a group's diagnosis cut by
    /// the deadline shows as unreadable ("timed out") in `leftOut` or in the group's report,
    /// and what was read before is kept.
    pub async fn sweep_within(
        &self,
        request: &SweepRequest,
        now: chrono::DateTime<chrono::Utc>,
        deadline: tokio::time::Instant,
    ) -> Result<SweepSummary, EngineError> {
        collect::budget::within(Some(deadline), self.sweep_inner(request, now)).await
    }

    async fn sweep_inner(
        &self,
        request: &SweepRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SweepSummary, EngineError> {
        for c in &request.clusters {
            let cluster =
                crate::arn::ClusterRef::parse(c).map_err(|source| RequestError::BadReference {
                    field: "Sweep.Clusters",
                    source,
                })?;
            if let Some(arn) = cluster.arn.as_ref().filter(|a| a.region != self.region) {
                return Err(RequestError::OtherRegion {
                    what: "the cluster ARN",
                    arn: arn.to_string(),
                    arn_region: arn.region.clone(),
                    client_region: self.region.clone(),
                }
                .into());
            }
        }
        let mut facts = collect::sweep::stopped_tasks(
            &self.clients,
            &self.region,
            &request.clusters,
            request.lookback_minutes,
            now,
        )
        .await;
        let sources = judge::sweep::security_group_sources(&facts);
        // One fact cache for the whole sweep: the services described for the listing's
        // security groups are the ones the groups' diagnoses recover a task's network
        // configuration from (its ENI being gone), so they are not described again.
        let cache = collect::Cache::new();
        let cache = &cache;
        facts.security_groups =
            collect::sweep::security_groups(&self.clients, cache, &sources.services, &sources.enis)
                .await;
        let plan = judge::sweep::plan(&facts);
        let listed = &facts;
        let diagnoses =
            futures_util::future::join_all(plan.groups.iter().take(MAX_GROUPS_DIAGNOSED).map(
                |g| async move {
                    let target = crate::request::Request::lookup(
                        &g.cluster,
                        &g.example_task_arn,
                        StageSelection::All,
                        Caller::Automation,
                    );
                    match target {
                        Ok(crate::request::Request::Diagnose(req)) => {
                            // The listing already described the example task.
                            if let Some(task) = described(listed, &g.example_task_arn) {
                                collect::prime_task(cache, &req, task).await;
                            }
                            self.diagnose_with(&req, cache, collect::Scope::SWEEP)
                                .await
                                .ok()
                                .map(|d| d.report)
                        }
                        _ => None,
                    }
                },
            ))
            .await;
        let groups: Vec<SweepGroupSummary> = plan
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let report = diagnoses.get(i).and_then(Option::as_ref);
                SweepGroupSummary {
                    count: g.count,
                    first_seen: g.first_seen.clone(),
                    last_seen: g.last_seen.clone(),
                    cluster: g.cluster.clone(),
                    example_task: g.example_task_arn.clone(),
                    task_definition: g.key.task_definition_arn.clone(),
                    failure_class: g.key.failure_class,
                    subnet_ids: g.key.subnet_ids.clone(),
                    security_group_ids: g.key.security_group_ids.clone(),
                    verdict: report.map(|r| r.verdict),
                    root_cause: report.and_then(|r| r.root_cause),
                    summary: match report {
                        Some(r) => r.summary.clone(),
                        None if i >= MAX_GROUPS_DIAGNOSED => format!("Not diagnosed: over the bound of {MAX_GROUPS_DIAGNOSED} groups per sweep."),
                        None => "The example task could not be diagnosed.".to_string(),
                    },
                }
            })
            .collect();
        // Unknown is never PASS or SKIPPED: a listing not read in full is at least UNKNOWN,
        // and its headline says what could not be read and why (judge::sweep::outcome).
        let verdicts: Vec<Option<Status>> = groups.iter().map(|g| g.verdict).collect();
        let outcome = judge::sweep::outcome(&facts, &plan, &verdicts);
        let left_out = SweepLeftOut {
            groups_not_diagnosed: groups.len().saturating_sub(MAX_GROUPS_DIAGNOSED),
            stopped_for_other_reasons: plan.stopped_for_other_reasons,
            outside_window: plan.outside_window,
            undated: plan.undated,
            truncated_clusters: plan.truncated_clusters.clone(),
            clusters_not_swept: facts.clusters_left_out.clone(),
            unreadable: plan
                .unreadable
                .iter()
                .map(|u| format!("{}: {}", u.api, u.error_code))
                .collect(),
        };
        Ok(SweepSummary {
            schema_version: crate::report::SCHEMA_VERSION.to_string(),
            region: self.region.clone(),
            from: Some(crate::event::timestamp(
                now - chrono::Duration::minutes(i64::from(request.lookback_minutes)),
            )),
            to: facts.collected_at.clone(),
            status: outcome.status,
            summary: outcome.summary,
            groups,
            left_out,
        })
    }
}

/// The task a sweep's listing described, by ARN.
fn described<'a>(
    facts: &'a crate::facts::SweepFacts,
    task_arn: &str,
) -> Option<&'a crate::facts::TaskFacts> {
    facts
        .stopped
        .iter()
        .filter_map(|c| c.tasks.value())
        .flatten()
        .find(|t| t.task_arn == task_arn)
}

/// Replays saved facts: no AWS access at all.
pub fn replay(facts: &Facts, stage: StageSelection) -> Report {
    judge::judge(facts, stage)
}
