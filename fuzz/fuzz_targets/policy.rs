//! Fuzzes the IAM policy evaluator on arbitrary documents: parsing and evaluation never
//! panic, a document that does not parse is Unknown (never a denial), and the evaluator is
//! deterministic.

#![no_main]

use ecs_task_doctor_fuzz::policy::{Decision, Policy, Request, evaluate};
use libfuzzer_sys::fuzz_target;

const REQUESTS: &[(Option<&str>, &str, &str)] = &[
    (
        Some("arn:aws:iam::111122223333:role/exec"),
        "ecr:GetDownloadUrlForLayer",
        "arn:aws:ecr:us-east-1:111122223333:repository/web",
    ),
    (
        None,
        "s3:GetObject",
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/x",
    ),
    (
        Some("arn:aws:iam::444455556666:role/other"),
        "secretsmanager:GetSecretValue",
        "*",
    ),
];

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Policy::parse(doc);
    for (principal, action, resource) in REQUESTS {
        let request = Request {
            principal: *principal,
            action,
            resource,
        };
        let d = evaluate(doc, request);
        if let Err(why) = &parsed {
            assert!(!why.is_empty());
            assert!(matches!(d, Decision::Unknown { .. }), "{doc:?}: {d:?}");
        }
        assert_eq!(d, evaluate(doc, request));
    }
});
