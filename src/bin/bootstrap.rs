//! The Lambda entry point (`provided.al2023`): builds the AWS clients once, then serves
//! every invocation with the library's handler.

use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::handler::{self, HandlerError};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // JSON logs when the function's log format is JSON (see template.yaml).
    lambda_runtime::tracing::init_default_subscriber();
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let engine = Engine::new(&conf)?;
    let engine = &engine;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler::handle(engine, event.payload)
            .await
            .map_err(|e: HandlerError| {
                tracing::warn!(error = %e, "no report");
                e
            })
    }))
    .await
}
