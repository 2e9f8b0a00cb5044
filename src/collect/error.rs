//! Turning SDK errors into facts.

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

use super::budget::{self, TIMED_OUT};
use crate::facts::Unreadable;

/// Records an SDK error as an unreadable fact: the API, the AWS error code (or the kind
/// of transport failure) and the message. Works for every service's errors.
///
/// A read that timed out, or that failed in any way other than an AWS answer once the run's
/// deadline had passed, is recorded with the code [`TIMED_OUT`] and a message starting
/// "timed out", so the report says plainly that time, not AWS, is why it is unknown.
pub fn unreadable<E, R>(api: &str, err: &SdkError<E, R>) -> Unreadable
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let context = || DisplayErrorContext(err).to_string();
    let timed_out = |why: String| (TIMED_OUT.to_string(), format!("timed out: {why}"));
    let (code, message) = match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            (
                e.code().unwrap_or("UnknownServiceError").to_string(),
                e.message()
                    .map(str::to_string)
                    .unwrap_or_else(|| DisplayErrorContext(e).to_string()),
            )
        }
        _ if budget::spent() => {
            timed_out(format!("the run's time budget ended before {api} answered"))
        }
        SdkError::TimeoutError(_) => timed_out(format!(
            "{api} did not answer within the call's timeouts ({})",
            context()
        )),
        SdkError::DispatchFailure(d) if d.is_timeout() => timed_out(format!(
            "{api} could not connect within the connect timeout ({})",
            context()
        )),
        SdkError::DispatchFailure(_) => ("DispatchFailure".to_string(), context()),
        SdkError::ResponseError(_) => ("ResponseError".to_string(), context()),
        SdkError::ConstructionFailure(_) => ("ConstructionFailure".to_string(), context()),
        _ => ("Unknown".to_string(), context()),
    };
    Unreadable {
        api: api.to_string(),
        error_code: code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::config::http::HttpResponse;
    use aws_sdk_ecs::operation::describe_tasks::DescribeTasksError;
    use std::time::Duration;
    use tokio::time::Instant;

    type Err = SdkError<DescribeTasksError, HttpResponse>;

    #[test]
    fn a_timeout_is_recorded_as_timed_out_with_the_api() {
        let e: Err = SdkError::timeout_error(
            "operation timeout (all attempts including retries) occurred after 30s",
        );
        let u = unreadable("ecs:DescribeTasks", &e);
        assert_eq!(u.error_code, TIMED_OUT);
        assert!(
            u.message
                .starts_with("timed out: ecs:DescribeTasks did not answer"),
            "{}",
            u.message
        );
    }

    #[tokio::test]
    async fn any_transport_failure_after_the_deadline_is_timed_out() {
        let past = Instant::now() - Duration::from_millis(1);
        let u = budget::within(Some(past), async {
            let e: Err = SdkError::timeout_error("cut");
            unreadable("ecs:DescribeTasks", &e)
        })
        .await;
        assert_eq!(u.error_code, TIMED_OUT);
        assert_eq!(
            u.message,
            "timed out: the run's time budget ended before ecs:DescribeTasks answered"
        );
    }

    #[test]
    fn a_service_error_keeps_its_code() {
        let e: Err = SdkError::service_error(
            DescribeTasksError::generic(
                aws_sdk_ecs::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform: ecs:DescribeTasks")
                    .build(),
            ),
            HttpResponse::new(
                400u16.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::empty(),
            ),
        );
        let u = unreadable("ecs:DescribeTasks", &e);
        assert_eq!(u.error_code, "AccessDeniedException");
    }
}
