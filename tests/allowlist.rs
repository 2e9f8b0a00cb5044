//! The read-only proof, suite-wide: every moto server of the suite refuses and announces any
//! operation the tool sends outside tests/support/tool-operations.txt, and the harness then
//! fails its whole test binary (tests/support/mod.rs). This test shows the guard itself works,
//! on a private server so that its deliberate violation does not end another test binary.

mod support;

use std::io::BufRead;

use aws_config::BehaviorVersion;
use aws_sdk_ecs::config::{Credentials, Region};

#[tokio::test]
async fn a_value_read_by_the_tool_is_refused_and_announced() {
    let (mut child, port, mut out) = support::spawn_moto();
    let base = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(support::REGION))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await;
    // The tool's clients carry its app name; a scenario builder's do not.
    let tool = aws_sdk_secretsmanager::Client::new(&ecs_task_doctor::collect::with_app_name(&base));
    let builder = aws_sdk_secretsmanager::Client::new(&base);

    // Allowed: the builder may do anything, the tool may describe.
    builder
        .create_secret()
        .name("payments/db")
        .secret_string("hunter2")
        .send()
        .await
        .unwrap();
    let described = tool.describe_secret().secret_id("payments/db").send().await;
    assert!(described.is_ok(), "{described:?}");

    // Forbidden: the tool reading the value.
    let read = tool
        .get_secret_value()
        .secret_id("payments/db")
        .send()
        .await;
    assert!(read.is_err(), "the guard let a value read through");
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "FORBIDDEN secretsmanager:GetSecretValue");
    let _ = child.kill();
    let _ = child.wait();
}
