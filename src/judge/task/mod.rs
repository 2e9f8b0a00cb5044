//! The `task` stage: does the task exist, did it fail to start, and what does its stop reason say?
//!
//! The answer decides everything after it: the failure class picks which stages apply,
//! and a task that never failed to start is not diagnosed further.

pub mod catalogue;
/// Which subjects a stop reason mentions, in one pass (the stages' ranking; issue 16).
pub(crate) mod mentions;

use crate::codes::Code;
use crate::facts::{Facts, Readable, TaskFacts, TaskLookup, Unreadable};
use crate::report::{FailureClass, Finding, Severity, StageResult, Status, TaskSummary};
use crate::stage::StageName;

use catalogue::{CATALOGUE_VERSION, Pattern};

/// What the task stage concluded, for the stages after it.
#[derive(Debug, Clone)]
pub struct TaskOutcome {
    /// The stage result for the report.
    pub stage: StageResult,
    /// The task as the report shows it.
    pub summary: TaskSummary,
    /// Set when the task failed to start: what kind of failure.
    pub failure_class: Option<FailureClass>,
}

/// Stop codes that say the task did start (or was stopped on purpose): never a start failure,
/// whatever the free text says.
const STOPPED_ON_PURPOSE: &[&str] = &[
    "UserInitiated",
    "ServiceSchedulerInitiated",
    "SpotInterruption",
    "TerminationNotice",
];

/// Judges the task.
pub fn judge(facts: &Facts) -> TaskOutcome {
    let mut summary = TaskSummary {
        arn: Some(facts.request.task.clone()),
        cluster: Some(facts.request.cluster.clone()),
        ..TaskSummary::default()
    };
    let finding = match &facts.task {
        Readable::Unreadable(u) => not_readable(facts, u),
        Readable::Read {
            value: TaskLookup::Missing { reason, arn },
        } => not_found(facts, reason, arn.as_deref()),
        Readable::Read {
            value: TaskLookup::Found { task },
        } => {
            summary = summarise(task);
            let (finding, class) = judge_found(task);
            summary.failure_class = class;
            let stage_summary = match class {
                Some(c) => format!("The task failed to start ({c})."),
                None => finding.detail.clone(),
            };
            let mut findings = vec![finding];
            if class.is_some() {
                findings.extend(task_definition_unreadable(facts));
            }
            findings.extend(super::changes::finding(facts));
            let stage = StageResult::ran(StageName::Task, stage_summary, findings);
            return TaskOutcome {
                stage,
                summary,
                failure_class: class,
            };
        }
    };
    let stage = StageResult::ran(StageName::Task, finding.detail.clone(), vec![finding]);
    TaskOutcome {
        stage,
        summary,
        failure_class: None,
    }
}

/// The later stages read the task definition: say so when it could not be read, rather
/// than let them judge from nothing.
fn task_definition_unreadable(facts: &Facts) -> Option<Finding> {
    let Some(Readable::Unreadable(u)) = &facts.task_definition else {
        return None;
    };
    Some(super::unreadable_finding(
        Code::TaskNotReadable,
        Severity::Medium,
        "The task definition",
        u,
        "The stages that check images, roles, secrets and logs need it.",
    ))
}

fn summarise(task: &TaskFacts) -> TaskSummary {
    TaskSummary {
        arn: Some(task.task_arn.clone()),
        cluster: task.cluster_arn.clone(),
        launch_type: task.launch_type.clone(),
        stop_code: task.stop_code.clone(),
        stopped_reason: task.stopped_reason.clone(),
        stopped_at: task.stopped_at.clone(),
        failure_class: None,
        last_status: task.last_status.clone(),
        task_definition_arn: task.task_definition_arn.clone(),
    }
}

fn not_readable(facts: &Facts, u: &Unreadable) -> Finding {
    if u.error_code == "ClusterNotFoundException" {
        return Finding::new(
            Code::TaskNotFound,
            Status::Unknown,
            Severity::High,
            format!(
                "ECS has no cluster '{}' in {}: {} said {}. Check the cluster name and the Region.",
                facts.request.cluster, facts.region, u.api, u.error_code
            ),
        )
        .evidence("api", u.api.as_str())
        .evidence("errorCode", u.error_code.as_str())
        .evidence("cluster", facts.request.cluster.as_str())
        .evidence("region", facts.region.as_str())
        .remediation(
            "Name the cluster the task ran in (its name or ARN), and run in that cluster's Region.",
        );
    }
    super::unreadable_finding(
        Code::TaskNotReadable,
        Severity::High,
        "The task",
        u,
        "Nothing about the task can be decided.",
    )
}

fn not_found(facts: &Facts, reason: &str, arn: Option<&str>) -> Finding {
    Finding::new(
        Code::TaskNotFound,
        Status::Unknown,
        Severity::High,
        format!(
            "ECS does not know task '{}' in cluster '{}' ({}: {}). Stopped tasks stay visible to DescribeTasks for only about one hour; \
             after that the EventBridge 'ECS Task State Change' event is the only record of why it stopped.",
            facts.request.task, facts.request.cluster, facts.region, reason
        ),
    )
    .evidence("task", facts.request.task.as_str())
    .evidence("cluster", facts.request.cluster.as_str())
    .evidence("region", facts.region.as_str())
    .evidence("failureReason", reason)
    .evidence("failureArn", arn)
    .remediation(
        "Check the task ID, cluster and Region. For a task that stopped more than an hour ago, diagnose its stopped-task event \
         (`ecs-task-doctor diagnose --event FILE`), or deploy the EventBridge rule in template.yaml so every failed start is \
         diagnosed from its event as it happens.",
    )
}

/// The best catalogue match over the task's reason and every container's reason.
fn best_match(task: &TaskFacts) -> Option<(usize, &'static Pattern, String, &str)> {
    let texts = task
        .containers
        .iter()
        .filter_map(|c| {
            c.reason
                .as_deref()
                .map(|r| (format!("container '{}'", c.name), r))
        })
        .chain(
            task.stopped_reason
                .as_deref()
                .map(|r| ("task".to_string(), r)),
        );
    texts
        .filter_map(|(source, text)| catalogue::classify(text).map(|(i, p)| (i, p, source, text)))
        .min_by_key(|(i, ..)| *i)
}

/// Whether the stop means a failed start: the stop code when it says so (or says the stop
/// was on purpose), else the catalogue's verdict on the reason text.
fn failed_to_start(stop_code: Option<&str>, pattern: Option<&Pattern>) -> bool {
    let on_purpose = stop_code.is_some_and(|c| STOPPED_ON_PURPOSE.contains(&c));
    !on_purpose
        && (stop_code == Some("TaskFailedToStart") || pattern.is_some_and(|p| p.start_failure))
}

/// The failure class of a task that failed to start, or None: the same decision the task stage
/// makes, for callers that look at many tasks at once (the sweep).
pub fn start_failure_class(task: &TaskFacts) -> Option<FailureClass> {
    if task.last_status.as_deref() != Some("STOPPED") {
        return None;
    }
    let matched = best_match(task).map(|(_, p, ..)| p);
    if !failed_to_start(task.stop_code.as_deref(), matched) {
        return None;
    }
    Some(matched.map_or(FailureClass::Other, |p| p.class))
}

fn judge_found(task: &TaskFacts) -> (Finding, Option<FailureClass>) {
    let last = task.last_status.as_deref().unwrap_or("UNKNOWN");
    if last != "STOPPED" {
        let f = Finding::new(
            Code::TaskNotStopped,
            Status::Warn,
            Severity::Low,
            format!(
                "The task is {last} (desired {}): it has not failed to start, so there is nothing to diagnose yet.",
                task.desired_status.as_deref().unwrap_or("unknown")
            ),
        )
        .evidence("taskArn", task.task_arn.as_str())
        .evidence("lastStatus", last)
        .evidence("desiredStatus", task.desired_status.as_deref())
        .remediation("If the task stays PROVISIONING or PENDING for minutes, run the diagnosis again once it has stopped.");
        return (f, None);
    }

    let stop_code = task.stop_code.as_deref();
    let matched = best_match(task);
    if !failed_to_start(stop_code, matched.as_ref().map(|(_, p, ..)| *p)) {
        let exited: Vec<String> = task
            .containers
            .iter()
            .filter_map(|c| {
                c.exit_code
                    .filter(|e| *e != 0)
                    .map(|e| format!("'{}' exited with code {e}", c.name))
            })
            .collect();
        let f = Finding::new(
            Code::TaskStoppedForOtherReason,
            Status::Warn,
            Severity::Low,
            format!(
                "The task stopped{}, but not because it failed to start: {}{}",
                stop_code.map(|c| format!(" ({c})")).unwrap_or_default(),
                task.stopped_reason.as_deref().unwrap_or("no stopped reason given"),
                if exited.is_empty() { ".".to_string() } else { format!("; {}.", exited.join(", ")) }
            ),
        )
        .evidence("taskArn", task.task_arn.as_str())
        .evidence("stopCode", stop_code)
        .evidence("stoppedReason", task.stopped_reason.as_deref())
        .evidence("pattern", matched.as_ref().map(|(_, p, ..)| p.id))
        .remediation(
            "This tool diagnoses tasks that fail to start. A task that started and then stopped is an application or \
             health-check matter: read the containers' logs and exit codes.",
        );
        return (f, None);
    }

    match matched {
        Some((_, p, source, text)) => {
            // What the stop reason says is the symptom, not a failed check of the
            // configuration: WARN, so an account in which nothing explains the stop is not
            // reported as failing (DESIGN §4).
            let f = Finding::new(
                Code::TaskStopReasonClassified,
                Status::Warn,
                Severity::High,
                format!(
                    "The task failed to start: {} (failure class {}, from the {source} reason).",
                    p.meaning, p.class
                ),
            )
            .evidence("taskArn", task.task_arn.as_str())
            .evidence("stopCode", stop_code)
            .evidence("matchedReason", text)
            .evidence("reasonSource", source.as_str())
            .evidence("failureClass", p.class.as_str())
            .evidence("pattern", p.id)
            .evidence("catalogueVersion", CATALOGUE_VERSION)
            .remediation(format!(
                "The stages that apply to failure class '{}' name the cause in this account; `ecs-task-doctor explain TASK_STOP_REASON_CLASSIFIED` lists what each class means.",
                p.class
            ));
            (f, Some(p.class))
        }
        None => {
            let f = Finding::new(
                Code::TaskStopReasonClassified,
                Status::Warn,
                Severity::High,
                format!(
                    "The task failed to start (stop code {}), but its reason matches no pattern in catalogue {CATALOGUE_VERSION}: {}. Every stage applies.",
                    stop_code.unwrap_or("absent"),
                    task.stopped_reason.as_deref().unwrap_or("no stopped reason given")
                ),
            )
            .evidence("taskArn", task.task_arn.as_str())
            .evidence("stopCode", stop_code)
            .evidence("stoppedReason", task.stopped_reason.as_deref())
            .evidence("failureClass", FailureClass::Other.as_str())
            .evidence("catalogueVersion", CATALOGUE_VERSION)
            .remediation("Please report this stop reason to the ecs-task-doctor project so the catalogue learns it.");
            (f, Some(FailureClass::Other))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ContainerFacts, FACTS_VERSION, RequestFacts, TaskSource};

    const ARN: &str =
        "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";

    fn facts(reason: &str, container_reason: &str) -> Facts {
        Facts {
            facts_version: FACTS_VERSION,
            region: "us-east-1".into(),
            request: RequestFacts {
                cluster: "prod".into(),
                task: ARN.into(),
                source: TaskSource::DescribeTasks,
            },
            task: Readable::Read {
                value: TaskLookup::Found {
                    task: Box::new(TaskFacts {
                        task_arn: ARN.into(),
                        last_status: Some("STOPPED".into()),
                        desired_status: Some("STOPPED".into()),
                        stop_code: Some("TaskFailedToStart".into()),
                        stopped_reason: Some(reason.into()),
                        containers: vec![ContainerFacts {
                            name: "web".into(),
                            reason: Some(container_reason.into()),
                            ..ContainerFacts::default()
                        }],
                        ..TaskFacts::default()
                    }),
                },
            },
            task_definition: None,
            network: None,
            image: None,
            iam: None,
            secrets: None,
            logging: None,
            placement: None,
            changes: None,
        }
    }

    proptest::proptest! {
        /// Any stop reason of a task that failed to start (the fuzz target `stop_reason`'s
        /// invariant): a failure class, never PASS, the reason kept as given.
        #[test]
        fn any_reason_of_a_failed_start_is_classified(reason in "\\PC{0,300}", container in "\\PC{0,300}") {
            let out = judge(&facts(&reason, &container));
            proptest::prop_assert!(out.failure_class.is_some());
            proptest::prop_assert_ne!(out.stage.status, Status::Pass);
            proptest::prop_assert_eq!(out.summary.stopped_reason.as_deref(), Some(reason.as_str()));
        }

        /// Classification ignores ASCII case, as ECS's wordings vary in it across agents.
        #[test]
        fn classification_ignores_case(reason in "[ -~]{0,200}") {
            let index = |s: &str| catalogue::classify(s).map(|(i, _)| i);
            proptest::prop_assert_eq!(index(&reason), index(&reason.to_ascii_uppercase()));
        }
    }
}
