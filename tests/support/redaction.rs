//! Fake presigned-URL credentials for the redaction tests, the sinks a publisher writes to (a
//! bucket, a topic, and a queue subscribed to it) read back the way a person would, and a
//! log capture in the Lambda's format.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use serde_json::Value;

/// A fake access key ID (the `X-Amz-Credential`'s first part).
pub const KEY_ID: &str = "ASIAFAKECREDENTIAL01";
/// A fake old-style `AWSAccessKeyId`.
pub const OLD_KEY_ID: &str = "AKIAFAKECREDENTIAL02";
/// Pieces of the fake session token: its start, middle and end, so that a token cut short
/// or wrapped by a renderer is still caught.
pub const TOKEN_PARTS: [&str; 3] = [
    "IQoJb3JpZ2luX2VjEFAKETOKENSTART",
    "FAKETOKENMIDDLE7f3a9c2e1b",
    "FAKETOKENEND0042",
];
/// The fake signature (hex, as SigV4 writes it).
pub const SIGNATURE: &str = "deadbeeffakesignature0123456789abcdef0123456789abcdef0123456789";
/// The fake old-style (SigV2) signature, URL-encoded base64.
pub const OLD_SIGNATURE: &str = "FAKEOLDSIGNATUREb64%2Bx%2Fy%3D";

/// The whole fake session token: long, as real ones are (about 1 KB), URL-encoded.
pub fn token() -> String {
    format!(
        "{}%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQD{}{}{}",
        TOKEN_PARTS[0],
        "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2B".repeat(8),
        TOKEN_PARTS[1],
        "ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210%3D".repeat(8) + TOKEN_PARTS[2],
    )
}

/// Every string that must not appear in any output.
pub fn secrets() -> Vec<String> {
    let mut s: Vec<String> = vec![
        KEY_ID.into(),
        OLD_KEY_ID.into(),
        SIGNATURE.into(),
        OLD_SIGNATURE.into(),
        // The signature without its encoding, should a renderer decode it.
        "FAKEOLDSIGNATUREb64+x/y=".into(),
        token(),
    ];
    s.extend(TOKEN_PARTS.iter().map(|p| p.to_string()));
    s
}

/// The host of ECR's layer bucket in the scenario's Region.
pub const LAYER_HOST: &str = "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com";

/// A presigned SigV4 URL of an image layer, as `stoppedReason` quotes it.
pub fn presigned_layer_url() -> String {
    format!(
        "https://{LAYER_HOST}/7f3a-123456789012-2b1f3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/\
         0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0?X-Amz-Security-Token={}\
         &X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261203T101010Z&X-Amz-SignedHeaders=host\
         &X-Amz-Expires=3600&X-Amz-Credential={KEY_ID}%2F20261203%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Signature={SIGNATURE}",
        token()
    )
}

/// A presigned SigV2 URL (old-style `AWSAccessKeyId` and `Signature`).
pub fn old_style_layer_url() -> String {
    format!(
        "https://{LAYER_HOST}/7f3a-123456789012/layer?AWSAccessKeyId={OLD_KEY_ID}&Expires=1796300000&Signature={OLD_SIGNATURE}"
    )
}

/// The task's stop reason: a layer fetch that timed out, quoting the presigned URL.
pub fn stop_reason() -> String {
    format!(
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: \
         failed to do request: Get \"{}\": dial tcp 52.217.139.160:443: i/o timeout",
        presigned_layer_url()
    )
}

/// A container's reason quoting the old-style URL.
pub fn container_reason() -> String {
    format!(
        "CannotPullContainerError: error pulling image configuration: Get {}: dial tcp 52.217.139.160:443: i/o timeout",
        old_style_layer_url()
    )
}

/// Panics, naming `what` and the secret, when `text` holds any of [`secrets`].
pub fn assert_clean(what: &str, text: &str) {
    for s in secrets() {
        assert!(
            !text.contains(&s),
            "{what} holds the credential {s:?}:\n{}",
            excerpt(text, &s)
        );
    }
}

fn excerpt(text: &str, secret: &str) -> String {
    // The line that holds it, from its start (a log line names its level and target there).
    let at = text.find(secret).unwrap_or(0);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = (at + secret.len() + 200).min(text.len());
    let end = (end..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    let line = &text[start..end];
    match line.char_indices().nth(600) {
        Some((i, _)) => format!("{} [...]", &line[..i]),
        None => line.to_string(),
    }
}

/// The sinks a publisher writes to.
pub struct Sinks {
    /// The report bucket.
    pub bucket: String,
    /// The topic.
    pub topic: String,
    /// A queue subscribed to the topic.
    pub queue_url: String,
}

/// A bucket, a topic, and a queue subscribed to the topic.
pub async fn sinks(conf: &SdkConfig) -> Sinks {
    let s3 = aws_sdk_s3::Client::new(conf);
    let sns = aws_sdk_sns::Client::new(conf);
    let sqs = aws_sdk_sqs::Client::new(conf);
    let bucket = super::unique("reports");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let topic = sns
        .create_topic()
        .name(super::unique("doctor"))
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let queue_url = sqs
        .create_queue()
        .queue_name(super::unique("inbox"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .unwrap();
    Sinks {
        bucket,
        topic,
        queue_url,
    }
}

/// Every SNS envelope the queue holds, whole (subject, message and attributes), emptying it.
pub async fn notifications(conf: &SdkConfig, queue_url: &str) -> Vec<String> {
    let sqs = aws_sdk_sqs::Client::new(conf);
    let mut out = Vec::new();
    loop {
        let got = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let msgs = got.messages.unwrap_or_default();
        if msgs.is_empty() {
            return out;
        }
        for m in msgs {
            let body = m.body().unwrap().to_string();
            // The message as the subscriber reads it (the envelope escapes it once).
            let envelope: Value = serde_json::from_str(&body).unwrap();
            out.push(format!(
                "{body}\n{}",
                envelope["Message"].as_str().unwrap_or("")
            ));
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

/// Every object of the bucket: (key, body as text).
pub async fn objects(conf: &SdkConfig, bucket: &str) -> Vec<(String, String)> {
    let s3 = aws_sdk_s3::Client::new(conf);
    let listed = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    let mut out = Vec::new();
    for o in listed.contents() {
        let key = o.key().unwrap().to_string();
        let got = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        let body = got.body.collect().await.unwrap().into_bytes().to_vec();
        out.push((key, String::from_utf8_lossy(&body).into_owned()));
    }
    out.sort();
    out
}

/// A `tracing` writer that keeps what is written, for reading the logs a test produced.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The Lambda's log format (JSON lines, as `lambda_runtime`'s default subscriber writes them
/// with `AWS_LAMBDA_LOG_FORMAT=JSON`), at every level, for the current thread, into `into`.
/// With the filter the bootstrap installs (`redact::log_event_allowed`).
pub fn json_logs(into: &Captured) -> tracing::subscriber::DefaultGuard {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_target(false)
        .without_time()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(into.clone())
        .finish()
        .with(tracing_subscriber::filter::filter_fn(
            ecs_task_doctor::redact::log_event_allowed,
        ));
    tracing::subscriber::set_default(subscriber)
}
