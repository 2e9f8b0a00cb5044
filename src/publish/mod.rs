//! publish: where a report goes after it is made (DESIGN §6), for the callers nobody waits
//! on (the EventBridge rule and the sweep schedule).
//!
//! Both destinations are optional and the template's own: an SNS topic gets a short
//! subject and the Markdown body; an S3 bucket gets the report and the Facts snapshot,
//! which `diagnose --snapshot` replays later. A failed publish is logged and never loses
//! the report: the report is also the function's return value and in its logs. The SDK
//! retries throttling and transient errors with its standard backoff.

pub mod dedupe;
pub mod message;

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde::Serialize;

use crate::facts::Facts;
use crate::report::{Report, SweepSummary};

/// The environment variable naming the report topic (empty or absent: no SNS).
pub const TOPIC_ENV: &str = "REPORT_TOPIC_ARN";
/// The environment variable naming the report bucket (empty or absent: no S3).
pub const BUCKET_ENV: &str = "REPORT_BUCKET";

/// Where reports go. Both optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destinations {
    /// The SNS topic ARN.
    pub topic_arn: Option<String>,
    /// The S3 bucket name.
    pub bucket: Option<String>,
}

impl Destinations {
    /// Reads [`TOPIC_ENV`] and [`BUCKET_ENV`]; an empty value means "not configured", which
    /// is what the template passes when a destination is turned off.
    pub fn from_env() -> Destinations {
        Destinations::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Destinations::from_env`] over any lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Destinations {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Destinations {
            topic_arn: get(TOPIC_ENV),
            bucket: get(BUCKET_ENV),
        }
    }

    /// True when there is somewhere to publish.
    pub fn any(&self) -> bool {
        self.topic_arn.is_some() || self.bucket.is_some()
    }
}

/// What happened to one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Delivery {
    /// Written or sent; `to` is the S3 URI or the SNS message ID.
    Delivered {
        /// Where.
        to: String,
    },
    /// Not sent because this event was already published (another container, same event).
    Duplicate {
        /// The record already there.
        existing: String,
    },
    /// The destination refused or could not be reached, after the SDK's retries.
    Failed {
        /// The error, with its code.
        error: String,
    },
}

/// What a publish did, destination by destination (absent: not configured).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Published {
    /// The report bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3: Option<Delivery>,
    /// The report topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns: Option<Delivery>,
}

/// Publishes reports and sweep summaries to the configured destinations.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// The configuration the clients are built from, on first use: a function that publishes
    /// nowhere, or only to S3, never builds the SNS client (or either).
    conf: aws_config::SdkConfig,
    sns: std::sync::Arc<std::sync::OnceLock<aws_sdk_sns::Client>>,
    s3: std::sync::Arc<std::sync::OnceLock<aws_sdk_s3::Client>>,
    to: Destinations,
}

impl Publisher {
    /// A publisher for the given destinations; each client is built once (per Lambda
    /// container), when it is first needed.
    pub fn new(conf: &SdkConfig, to: Destinations) -> Publisher {
        Publisher {
            conf: crate::collect::with_app_name(conf),
            sns: Default::default(),
            s3: Default::default(),
            to,
        }
    }

    fn sns(&self) -> &aws_sdk_sns::Client {
        self.sns
            .get_or_init(|| aws_sdk_sns::Client::new(&self.conf))
    }

    fn s3(&self) -> &aws_sdk_s3::Client {
        self.s3.get_or_init(|| aws_sdk_s3::Client::new(&self.conf))
    }

    /// The destinations.
    pub fn destinations(&self) -> &Destinations {
        &self.to
    }

    /// Publishes one task's report. With a bucket, the report is written only if its key
    /// (which carries the event's `detail.version`) is new: when another container already
    /// wrote it, this is a duplicate delivery and the topic is not notified again.
    pub async fn publish_report(
        &self,
        report: &Report,
        facts: &Facts,
        version: Option<i64>,
    ) -> Published {
        let mut out = Published::default();
        let mut full_at = "in the function's logs".to_string();
        if let Some(bucket) = &self.to.bucket {
            // A task without a stop time is filed under the day it was published.
            let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
            let keys = message::report_keys(report, version, &today);
            let uri = format!("s3://{bucket}/{}", keys.report);
            // The snapshot first: rewriting it on a duplicate is harmless (same task, same
            // event), and the conditional write of the report then decides who notifies.
            let snapshot = crate::snapshot::to_string(facts);
            let facts_written = self.put(bucket, &keys.facts, snapshot, false).await;
            let json = crate::render::json(report);
            let delivery = match (
                self.put(bucket, &keys.report, json, true).await,
                facts_written,
            ) {
                (Err(PutError::Exists), _) => Delivery::Duplicate {
                    existing: uri.clone(),
                },
                (Err(PutError::Failed(error)), _) => Delivery::Failed { error },
                (Ok(()), Err(PutError::Failed(error))) => Delivery::Failed {
                    error: format!("the report was written to {uri}, its facts were not: {error}"),
                },
                (Ok(()), _) => Delivery::Delivered { to: uri.clone() },
            };
            if matches!(delivery, Delivery::Duplicate { .. }) {
                out.s3 = Some(delivery);
                if self.to.topic_arn.is_some() {
                    out.sns = Some(Delivery::Duplicate { existing: uri });
                }
                return out;
            }
            if matches!(delivery, Delivery::Delivered { .. }) {
                full_at = format!("at {uri}");
            }
            out.s3 = Some(delivery);
        }
        if let Some(topic) = &self.to.topic_arn {
            let body = message::fit_body(&crate::render::markdown(report), &full_at);
            out.sns = Some(
                self.notify(topic, &message::report_subject(report), body)
                    .await,
            );
        }
        log_failures(&out);
        out
    }

    /// Publishes a sweep's summary: its JSON to the bucket, its Markdown table to the topic (like a
    /// report, which goes to the topic as Markdown, so chat and email show the same layout).
    pub async fn publish_sweep(&self, summary: &SweepSummary) -> Published {
        let mut out = Published::default();
        let mut full_at = "in the function's logs".to_string();
        if let Some(bucket) = &self.to.bucket {
            let key = message::sweep_key(summary);
            // The safe writer (C1, bidi and zero-width characters escaped), as every report;
            // without its final newline, as this object always was.
            let json = crate::render::json_pretty(summary).trim_end().to_string();
            out.s3 = Some(match self.put(bucket, &key, json, false).await {
                Ok(()) | Err(PutError::Exists) => {
                    full_at = format!("at s3://{bucket}/{key}");
                    Delivery::Delivered {
                        to: format!("s3://{bucket}/{key}"),
                    }
                }
                Err(PutError::Failed(error)) => Delivery::Failed { error },
            });
        }
        if let Some(topic) = &self.to.topic_arn {
            let body = message::fit_body(&crate::render::sweep_markdown(summary), &full_at);
            out.sns = Some(
                self.notify(topic, &message::sweep_subject(summary), body)
                    .await,
            );
        }
        log_failures(&out);
        out
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: String,
        only_if_new: bool,
    ) -> Result<(), PutError> {
        let mut req = self
            .s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body.into_bytes()));
        if only_if_new {
            // S3 conditional write: refused with 412 when the key exists.
            req = req.if_none_match("*");
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let status = e.raw_response().map(|r| r.status().as_u16());
                let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&e);
                if only_if_new && (status == Some(412) || code == Some("PreconditionFailed")) {
                    Err(PutError::Exists)
                } else {
                    Err(PutError::Failed(format!(
                        "s3:PutObject s3://{bucket}/{key}: {}",
                        DisplayErrorContext(&e)
                    )))
                }
            }
        }
    }

    async fn notify(&self, topic: &str, subject: &str, body: String) -> Delivery {
        match self
            .sns()
            .publish()
            .topic_arn(topic)
            .subject(subject)
            .message(body)
            .send()
            .await
        {
            Ok(o) => Delivery::Delivered {
                to: o.message_id().unwrap_or(topic).to_string(),
            },
            Err(e) => Delivery::Failed {
                error: format!("sns:Publish {topic}: {}", DisplayErrorContext(&e)),
            },
        }
    }
}

enum PutError {
    Exists,
    Failed(String),
}

fn log_failures(p: &Published) {
    for (dest, d) in [("s3", &p.s3), ("sns", &p.sns)] {
        if let Some(Delivery::Failed { error }) = d {
            tracing::error!(destination = dest, error = %error, "publish failed; the report is in this log and the return value");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_absent_variables_mean_not_configured() {
        let none = Destinations::from_lookup(|_| None);
        assert!(!none.any());
        let blank = Destinations::from_lookup(|_| Some("  ".into()));
        assert_eq!(blank, Destinations::default());
        let both = Destinations::from_lookup(|n| match n {
            TOPIC_ENV => Some("arn:aws:sns:us-east-1:123456789012:doctor".into()),
            BUCKET_ENV => Some("reports-bucket\n".into()),
            _ => None,
        });
        assert_eq!(
            both.topic_arn.as_deref(),
            Some("arn:aws:sns:us-east-1:123456789012:doctor")
        );
        assert_eq!(both.bucket.as_deref(), Some("reports-bucket"));
        assert!(both.any());
    }
}
