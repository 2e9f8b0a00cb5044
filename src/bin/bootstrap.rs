//! The Lambda entry point (`provided.al2023`): builds the AWS clients once, then serves
//! every invocation with the library's handler.
//!
//! Where reports go comes from the environment the template sets: `REPORT_TOPIC_ARN` and
//! `REPORT_BUCKET` (empty: not published).

use ecs_task_doctor::engine::Engine;
use ecs_task_doctor::handler::{App, HandlerError};
use ecs_task_doctor::publish::{Destinations, Publisher};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // JSON logs when the function's log format is JSON (see template.yaml).
    lambda_runtime::tracing::init_default_subscriber();
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let publisher = Publisher::new(&conf, Destinations::from_env());
    let app = App::new(Engine::new(&conf)?, Some(publisher));
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        app.handle(event.payload).await.map_err(|e: HandlerError| {
            tracing::warn!(error = %e, "no report");
            e
        })
    }))
    .await
}
