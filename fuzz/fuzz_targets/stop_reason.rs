//! Fuzzes stop-reason classification and the task stage on arbitrary `stoppedReason` and
//! container reasons: never a panic, a failed start always gets a failure class, and the
//! verdict is decided (the task stage never passes a task that failed to start).

#![no_main]

use ecs_task_doctor_fuzz::facts::{
    ContainerFacts, FACTS_VERSION, Facts, Readable, RequestFacts, TaskFacts, TaskLookup, TaskSource,
};
use ecs_task_doctor_fuzz::report::Status;
use ecs_task_doctor_fuzz::task::{catalogue::classify, judge};
use libfuzzer_sys::fuzz_target;

const ARN: &str = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = classify(s);
    // The stopped reason and a container's reason: the halves either side of the first NUL.
    let (reason, container) = s.split_once('\0').unwrap_or((s, s));
    let task = TaskFacts {
        task_arn: ARN.into(),
        last_status: Some("STOPPED".into()),
        desired_status: Some("STOPPED".into()),
        stop_code: Some("TaskFailedToStart".into()),
        stopped_reason: Some(reason.into()),
        containers: vec![ContainerFacts {
            name: "web".into(),
            reason: Some(container.into()),
            ..ContainerFacts::default()
        }],
        ..TaskFacts::default()
    };
    let facts = Facts {
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
        task_definition: None,
        network: None,
        image: None,
        iam: None,
        secrets: None,
        logging: None,
        placement: None,
        changes: None,
    };
    let out = judge(&facts);
    assert!(out.failure_class.is_some(), "{s:?}");
    assert_ne!(out.stage.status, Status::Pass, "{s:?}");
    assert_eq!(out.summary.stopped_reason.as_deref(), Some(reason));
});
