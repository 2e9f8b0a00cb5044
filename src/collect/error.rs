//! Turning SDK errors into facts.

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::facts::Unreadable;

/// Records an SDK error as an unreadable fact: the API, the AWS error code (or the kind
/// of transport failure) and the message. Works for every service's errors.
pub fn unreadable<E, R>(api: &str, err: &SdkError<E, R>) -> Unreadable
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
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
        SdkError::TimeoutError(_) => ("Timeout".to_string(), DisplayErrorContext(err).to_string()),
        SdkError::DispatchFailure(_) => (
            "DispatchFailure".to_string(),
            DisplayErrorContext(err).to_string(),
        ),
        SdkError::ResponseError(_) => (
            "ResponseError".to_string(),
            DisplayErrorContext(err).to_string(),
        ),
        SdkError::ConstructionFailure(_) => (
            "ConstructionFailure".to_string(),
            DisplayErrorContext(err).to_string(),
        ),
        _ => ("Unknown".to_string(), DisplayErrorContext(err).to_string()),
    };
    Unreadable {
        api: api.to_string(),
        error_code: code,
        message,
    }
}
