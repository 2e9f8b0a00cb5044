//! judge with hand-built Facts: every branch of the task stage, the stage selection, the
//! verdict and root-cause rules, and properties over arbitrary tasks.

use proptest::prelude::*;

use super::*;
use crate::codes::Code;
use crate::facts::{
    ContainerFacts, FACTS_VERSION, Readable, RequestFacts, TaskDefinitionFacts, TaskFacts,
    TaskLookup, TaskSource, Unreadable,
};
use crate::report::Finding;

const ARN: &str = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";

fn facts_with(task: TaskFacts) -> Facts {
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
                task: Box::new(task),
            },
        },
        task_definition: Some(Readable::Read {
            value: TaskDefinitionFacts::default(),
        }),
        network: None,
        image: None,
        iam: None,
        secrets: None,
        logging: None,
        placement: None,
        changes: None,
    }
}

fn stopped(stop_code: Option<&str>, reason: &str, container_reason: Option<&str>) -> TaskFacts {
    TaskFacts {
        task_arn: ARN.into(),
        last_status: Some("STOPPED".into()),
        desired_status: Some("STOPPED".into()),
        stop_code: stop_code.map(str::to_string),
        stopped_reason: Some(reason.into()),
        containers: vec![ContainerFacts {
            name: "web".into(),
            reason: container_reason.map(str::to_string),
            ..ContainerFacts::default()
        }],
        ..TaskFacts::default()
    }
}

fn task_findings(r: &Report) -> &[Finding] {
    &r.stages
        .iter()
        .find(|s| s.name == StageName::Task)
        .unwrap()
        .findings
}

fn all(f: &Facts) -> Report {
    judge(f, StageSelection::All)
}

#[test]
fn a_classified_pull_failure() {
    let r = all(&facts_with(stopped(
        Some("TaskFailedToStart"),
        "CannotPullContainerError: context canceled",
        None,
    )));
    assert_eq!(r.task.failure_class, Some(FailureClass::ImagePullNetwork));
    // Classifying the stop reason is not a failed check: nothing here failed.
    assert_eq!(r.verdict, Status::Warn);
    assert_eq!(r.root_cause, Some(Code::TaskStopReasonClassified));
    assert!(r.summary.contains("image-pull-network"), "{}", r.summary);
    let f = &task_findings(&r)[0];
    assert_eq!(
        (f.code, f.status),
        (Code::TaskStopReasonClassified, Status::Warn)
    );
    assert_eq!(f.evidence["stopCode"], "TaskFailedToStart");
    assert_eq!(f.evidence["reasonSource"], "task");
}

#[test]
fn a_container_reason_beats_the_bare_task_reason() {
    let r = all(&facts_with(stopped(
        Some("TaskFailedToStart"),
        "Task failed to start",
        Some("CannotPullContainerError: toomanyrequests: Too Many Requests"),
    )));
    assert_eq!(r.task.failure_class, Some(FailureClass::RegistryRateLimit));
    assert_eq!(
        task_findings(&r)[0].evidence["reasonSource"],
        "container 'web'"
    );
}

#[test]
fn unknown_reason_with_task_failed_to_start_is_class_other_and_every_stage_applies() {
    let r = all(&facts_with(stopped(
        Some("TaskFailedToStart"),
        "Something ECS will say in 2027",
        None,
    )));
    assert_eq!(r.task.failure_class, Some(FailureClass::Other));
    assert_eq!(task_findings(&r)[0].status, Status::Warn);
    for s in r.stages.iter().filter(|s| s.name != StageName::Task) {
        assert_eq!(s.status, Status::Skipped, "{s:?}");
        assert!(!s.summary.contains("Does not apply"), "{s:?}");
    }
}

#[test]
fn stop_codes_that_mean_on_purpose_win_over_text() {
    for code in [
        "UserInitiated",
        "ServiceSchedulerInitiated",
        "SpotInterruption",
        "TerminationNotice",
    ] {
        let r = all(&facts_with(stopped(
            Some(code),
            "CannotPullContainerError: context canceled",
            None,
        )));
        assert_eq!(
            task_findings(&r)[0].code,
            Code::TaskStoppedForOtherReason,
            "{code}"
        );
        assert_eq!(r.task.failure_class, None);
        assert_eq!(r.root_cause, None);
    }
}

#[test]
fn essential_container_exit_is_another_reason_unless_a_container_failed_to_start() {
    let mut t = stopped(
        Some("EssentialContainerExited"),
        "Essential container in task exited",
        None,
    );
    t.containers[0].exit_code = Some(1);
    let r = all(&facts_with(t.clone()));
    let f = &task_findings(&r)[0];
    assert_eq!(
        (f.code, f.status),
        (Code::TaskStoppedForOtherReason, Status::Warn)
    );
    assert!(
        f.detail.contains("'web' exited with code 1"),
        "{}",
        f.detail
    );
    assert_eq!(r.verdict, Status::Warn);

    t.containers[0].reason =
        Some("CannotStartContainerError: failed to get container status".into());
    let r = all(&facts_with(t));
    assert_eq!(task_findings(&r)[0].code, Code::TaskStopReasonClassified);
}

#[test]
fn unknown_stop_code_and_no_text_is_another_reason() {
    let mut t = stopped(Some("InfrastructureHealth"), "", None);
    t.stopped_reason = None;
    let r = all(&facts_with(t));
    assert_eq!(task_findings(&r)[0].code, Code::TaskStoppedForOtherReason);
}

#[test]
fn a_task_not_stopped_is_warned_and_nothing_else_runs() {
    for status in ["PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING"] {
        let t = TaskFacts {
            task_arn: ARN.into(),
            last_status: Some(status.into()),
            stopped_reason: Some("CannotPullContainerError: x".into()),
            ..TaskFacts::default()
        };
        let r = all(&facts_with(t));
        let f = &task_findings(&r)[0];
        assert_eq!(
            (f.code, f.status),
            (Code::TaskNotStopped, Status::Warn),
            "{status}"
        );
        assert!(f.detail.contains(status));
        assert_eq!(r.verdict, Status::Warn);
    }
}

#[test]
fn missing_task_and_unreadable_task() {
    let mut f = facts_with(TaskFacts::default());
    f.task = Readable::Read {
        value: TaskLookup::Missing {
            reason: "MISSING".into(),
            arn: Some(ARN.into()),
        },
    };
    f.task_definition = None;
    let r = all(&f);
    let finding = &task_findings(&r)[0];
    assert_eq!(
        (finding.code, finding.status),
        (Code::TaskNotFound, Status::Unknown)
    );
    assert_eq!(finding.evidence["failureReason"], "MISSING");
    assert_eq!(r.task.arn.as_deref(), Some(ARN));
    assert_eq!(r.verdict, Status::Unknown);

    f.task = Readable::Unreadable(Unreadable {
        api: "ecs:DescribeTasks".into(),
        error_code: "AccessDeniedException".into(),
        message: "User is not authorized".into(),
    });
    let r = all(&f);
    let finding = &task_findings(&r)[0];
    assert_eq!(
        (finding.code, finding.status),
        (Code::TaskNotReadable, Status::Unknown)
    );
    assert_eq!(finding.evidence["errorCode"], "AccessDeniedException");
    assert!(finding.remediation.contains("ecs:DescribeTasks"));
}

#[test]
fn an_unreadable_task_definition_is_reported_for_a_failed_start() {
    let mut f = facts_with(stopped(
        Some("TaskFailedToStart"),
        "CannotPullContainerError: context canceled",
        None,
    ));
    f.task_definition = Some(Readable::Unreadable(Unreadable {
        api: "ecs:DescribeTaskDefinition".into(),
        error_code: "ClientException".into(),
        message: "Unable to describe task definition.".into(),
    }));
    let r = all(&f);
    let codes: Vec<(Code, Status)> = task_findings(&r)
        .iter()
        .map(|f| (f.code, f.status))
        .collect();
    assert_eq!(
        codes,
        [
            (Code::TaskStopReasonClassified, Status::Warn),
            (Code::TaskNotReadable, Status::Unknown)
        ]
    );
    // The classification is still the root cause; the stage is UNKNOWN (its worst finding).
    assert_eq!(r.root_cause, Some(Code::TaskStopReasonClassified));
    assert_eq!(r.stages[0].status, Status::Unknown);
}

#[test]
fn one_stage_selection_reports_that_stage_only() {
    let f = facts_with(stopped(
        Some("TaskFailedToStart"),
        "CannotPullContainerError: context canceled",
        None,
    ));
    let r = judge(&f, StageSelection::One(StageName::Network));
    assert_eq!(r.stages.len(), 1);
    assert_eq!(r.stages[0].name, StageName::Network);
    assert_eq!(r.verdict, Status::Skipped);
    // The task stage still ran, so the class is known and the root cause is the classification.
    assert_eq!(r.task.failure_class, Some(FailureClass::ImagePullNetwork));
    let r = judge(&f, StageSelection::One(StageName::Placement));
    assert!(
        r.stages[0]
            .summary
            .contains("Does not apply to failure class 'image-pull-network'")
    );
}

#[test]
fn every_class_applies_to_at_least_one_stage_and_never_to_task() {
    for c in FailureClass::ALL {
        let stages = applicable_stages(c);
        assert!(!stages.is_empty(), "{c}");
        assert!(!stages.contains(&StageName::Task), "{c}");
    }
}

#[test]
fn status_order_is_fail_unknown_warn_pass_skipped() {
    use Status::*;
    assert_eq!(Status::worst([Pass, Warn, Skipped]), Warn);
    assert_eq!(Status::worst([Warn, Unknown]), Unknown);
    assert_eq!(Status::worst([Unknown, Fail, Pass]), Fail);
    assert_eq!(Status::worst([]), Skipped);
}

fn arb_text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("CannotPullContainerError: pull image manifest has been retried 5 time(s): i/o timeout".to_string())),
        Just(Some("ResourceInitializationError: unable to pull secrets or registry auth: invalid ssm parameters: /x".to_string())),
        Just(Some("Essential container in task exited".to_string())),
        Just(Some("Task failed to start".to_string())),
        Just(Some("RESOURCE:MEMORY".to_string())),
        "\\PC{0,60}".prop_map(Some),
    ]
}

prop_compose! {
    fn arb_task()(
        last in prop::option::of(prop_oneof![Just("STOPPED".to_string()), Just("RUNNING".to_string()), Just("PENDING".to_string()), "[A-Z]{0,12}"]),
        code in prop::option::of(prop_oneof![Just("TaskFailedToStart".to_string()), Just("EssentialContainerExited".to_string()), Just("UserInitiated".to_string()), "[A-Za-z]{0,20}"]),
        reason in arb_text(),
        containers in prop::collection::vec((arb_text(), prop::option::of(-1i32..256)), 0..4),
    ) -> TaskFacts {
        TaskFacts {
            task_arn: ARN.into(),
            last_status: last,
            stop_code: code,
            stopped_reason: reason,
            containers: containers
                .into_iter()
                .enumerate()
                .map(|(i, (reason, exit_code))| ContainerFacts { name: format!("c{i}"), reason, exit_code, ..ContainerFacts::default() })
                .collect(),
            ..TaskFacts::default()
        }
    }
}

fn arb_selection() -> impl Strategy<Value = StageSelection> {
    prop_oneof![
        Just(StageSelection::All),
        prop::sample::select(StageName::ALL.to_vec()).prop_map(StageSelection::One)
    ]
}

proptest! {
    #[test]
    fn judging_is_deterministic_and_consistent(task in arb_task(), sel in arb_selection()) {
        let class = task::start_failure_class(&task);
        let facts = facts_with(task);
        let r = judge(&facts, sel);
        prop_assert_eq!(&r, &judge(&facts, sel));
        // The verdict is the worst stage status.
        prop_assert_eq!(r.verdict, Status::worst(r.stages.iter().map(|s| s.status)));
        // Each stage's status is its worst finding's (or SKIPPED with none).
        for s in &r.stages {
            if s.findings.is_empty() {
                prop_assert_eq!(s.status, Status::Skipped);
            } else {
                prop_assert_eq!(s.status, Status::worst(s.findings.iter().map(|f| f.status)));
            }
        }
        // The root cause, when named, is a finding of the report that is not a PASS; a
        // task that failed to start always names one, and a FAIL anywhere is the root
        // cause's status. Classifying the stop reason is never a FAIL.
        let full = judge(&facts, StageSelection::All);
        if let Some(code) = full.root_cause {
            prop_assert!(full.root_finding().is_some(), "{:?} is not a finding", code);
        }
        prop_assert_eq!(full.task.failure_class.is_some(), full.root_cause.is_some());
        let any_fail = full.stages.iter().flat_map(|s| &s.findings).any(|f| f.status == Status::Fail);
        prop_assert_eq!(any_fail, full.root_finding().is_some_and(|f| f.status == Status::Fail));
        prop_assert!(!task_findings(&full).iter().any(|f| f.status == Status::Fail));
        // A failure class exactly when the task stage classified a failed start.
        let classified = task_findings(&full).iter().any(|f| f.code == Code::TaskStopReasonClassified);
        prop_assert_eq!(classified, full.task.failure_class.is_some());
        // The sweep's quick classification agrees with the task stage.
        prop_assert_eq!(class, full.task.failure_class);
        // Nothing passes that was not verified: no stage beyond task is built yet.
        for s in full.stages.iter().filter(|s| s.name != StageName::Task) {
            prop_assert_eq!(s.status, Status::Skipped);
        }
        // The selection is honoured.
        match sel {
            StageSelection::All => prop_assert_eq!(r.stages.len(), StageName::ALL.len()),
            StageSelection::One(n) => {
                prop_assert_eq!(r.stages.len(), 1);
                prop_assert_eq!(r.stages[0].name, n);
            }
        }
    }

    #[test]
    fn reports_always_serialise_and_render(task in arb_task()) {
        let r = all(&facts_with(task));
        let json = crate::render::json(&r);
        let back: Report = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, r.clone());
        prop_assert!(crate::render::text(&r).contains(r.verdict.as_str()));
        prop_assert!(crate::render::markdown(&r).contains(r.verdict.as_str()));
    }
}

fn found(code: Code, status: Status, evidence: &[(&str, &str)]) -> Finding {
    let mut f = Finding::new(code, status, crate::report::Severity::High, "detail.");
    for (k, v) in evidence {
        f = f.evidence(k, *v);
    }
    f
}

/// Between stages, the finding that says why no path can exist (a public registry with no
/// internet) explains a stop better than the generic "no path" to the same registry, even
/// though the failure class asks the network stage first.
#[test]
fn why_a_path_cannot_exist_beats_no_path_to_the_same_registry() {
    let network = StageResult::ran(
        StageName::Network,
        "Blocked.",
        vec![found(
            Code::NetNoPathToService,
            Status::Fail,
            &[("destination", "registry-1.docker.io")],
        )],
    );
    let image = |registry: &str| {
        StageResult::ran(
            StageName::Image,
            "x",
            vec![found(
                Code::ImgPublicRegistryNeedsInternet,
                Status::Fail,
                &[("registry", registry), ("image", "nginx:1.27")],
            )],
        )
    };
    let task = StageResult::ran(StageName::Task, "x", vec![]);
    let class = Some(FailureClass::ImagePullNetwork);
    let root = |stages: &[StageResult]| root_cause(stages, &task, class, "").map(|f| f.code);
    assert_eq!(
        root(&[network.clone(), image("registry-1.docker.io")]),
        Some(Code::ImgPublicRegistryNeedsInternet)
    );
    // Another registry's finding does not explain this path.
    assert_eq!(
        root(&[network, image("ghcr.io")]),
        Some(Code::NetNoPathToService)
    );
}

/// Nothing failed: the verdict is not FAIL, the classification is the root cause (a WARN),
/// and the summary says the configuration does not explain the failure, what was verified
/// and what configuration cannot show.
#[test]
fn nothing_found_is_an_answer() {
    let mut network = StageResult::ran(
        StageName::Network,
        "Every destination the start needs is reachable (1 paths).",
        vec![found(
            Code::NetNoPathToService,
            Status::Pass,
            &[("destination", "ecr.dkr")],
        )],
    );
    network.paths = vec![crate::report::PathView {
        destination: "ecr.dkr".into(),
        why: "image".into(),
        via: "interface endpoint vpce-1".into(),
        status: Status::Pass,
        hops: vec![],
    }];
    let iam = StageResult::ran(
        StageName::Iam,
        "ok",
        vec![found(
            Code::IamExecutionRoleNotFound,
            Status::Pass,
            &[("executionRoleArn", "arn:aws:iam::111122223333:role/exec")],
        )],
    );
    let f = facts_with(stopped(
        Some("TaskFailedToStart"),
        "CannotPullContainerError: context canceled",
        None,
    ));
    let outcome = task::judge(&f);
    let stages = vec![outcome.stage.clone(), network, iam];
    let root = root_cause(&stages, &outcome.stage, outcome.failure_class, "");
    assert_eq!(
        root.as_ref().map(|f| (f.code, f.status)),
        Some((Code::TaskStopReasonClassified, Status::Warn))
    );
    let s = summarise(&outcome, root.as_ref(), &stages, None);
    assert!(s.contains("does not explain it"), "{s}");
    assert!(s.contains("the network paths to ecr.dkr"), "{s}");
    assert!(s.contains("the role exec"), "{s}");
    assert!(s.contains("transient outage"), "{s}");
    let s = summarise(
        &outcome,
        root.as_ref(),
        &stages,
        Some("sg-1 changed after the failure.".into()),
    );
    assert!(s.ends_with("sg-1 changed after the failure."), "{s}");
    assert!(!s.contains("transient outage"), "{s}");
}
