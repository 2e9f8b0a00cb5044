//! Counting the AWS API calls a test makes, from moto's request recorder.
//!
//! moto records every request it serves while recording is on (`/moto-api/recorder/...`, one
//! JSON object per line: `method`, `url`, `headers`, `body`, `body_encoded` when the body is
//! base64). The recorder is global to the server, so a test that counts calls must be the only
//! one talking to its moto while it records: give it its own test binary (each test binary has
//! its own moto server) and record around one step at a time.
//!
//! An operation is named `service:Operation` (`ecs:DescribeTasks`, `ec2:DescribeSubnets`), the
//! service taken from the SigV4 credential scope and the operation from `X-Amz-Target` (JSON
//! protocols), the `/operation/<Op>` path (Smithy RPC v2), `Action=` (query protocols: EC2,
//! IAM), or else the method and path (REST protocols such as EFS: `efs:GET /2015-02-01/...`).

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde_json::Value;

/// One HTTP/1.1 request to the moto server's own API; returns the body.
pub fn moto_api(method: &str, path: &str) -> String {
    let host = super::moto_endpoint().trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).expect("connect to moto");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{method} {path}: {out}");
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    if out
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(&body)
    } else {
        body
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// A recording in progress: reset and started on creation, stopped by [`Recording::stop`] (or
/// on drop, so a failing test does not leave moto recording).
pub struct Recording {
    stopped: bool,
}

/// Starts counting: clears moto's recording and turns recording on.
pub fn start() -> Recording {
    moto_api("POST", "/moto-api/recorder/stop-recording");
    moto_api("POST", "/moto-api/recorder/reset-recording");
    moto_api("POST", "/moto-api/recorder/start-recording");
    Recording { stopped: false }
}

impl Recording {
    /// Stops recording and counts what was recorded.
    pub fn stop(mut self) -> Calls {
        moto_api("POST", "/moto-api/recorder/stop-recording");
        self.stopped = true;
        let recording = moto_api("GET", "/moto-api/recorder/download-recording");
        moto_api("POST", "/moto-api/recorder/reset-recording");
        Calls::from_recording(&recording)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = std::panic::catch_unwind(|| {
                moto_api("POST", "/moto-api/recorder/stop-recording");
                moto_api("POST", "/moto-api/recorder/reset-recording");
            });
        }
    }
}

/// API calls counted per operation (`ecs:DescribeTasks` → n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls(pub BTreeMap<String, usize>);

impl Calls {
    /// Counts a recording (moto's JSON objects, one a line).
    ///
    /// Read as a stream of JSON values, not line by line: moto writes an entry longer than
    /// Python's 8 KiB file buffer (a DescribeTasks of 100 ARNs) in one write and its newline in
    /// another, so under concurrent requests two entries can share a line.
    pub fn from_recording(recording: &str) -> Calls {
        let mut counts = BTreeMap::new();
        for entry in serde_json::Deserializer::from_str(recording).into_iter::<Value>() {
            let entry = entry.unwrap_or_else(|e| {
                panic!(
                    "the recording is not a stream of JSON objects ({e}): {}",
                    &recording[..recording.len().min(500)]
                )
            });
            *counts.entry(operation(&entry)).or_insert(0) += 1;
        }
        Calls(counts)
    }

    /// Calls of one operation (`ecs:DescribeTasks`).
    pub fn get(&self, op: &str) -> usize {
        self.0.get(op).copied().unwrap_or(0)
    }

    /// Calls of every operation whose name starts with `prefix` (`ec2:`, `iam:`).
    pub fn prefixed(&self, prefix: &str) -> usize {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }

    /// Every call.
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// The counts without the operations named (to compare the rest).
    pub fn without(&self, ops: &[&str]) -> Calls {
        Calls(
            self.0
                .iter()
                .filter(|(k, _)| !ops.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        )
    }
}

fn header<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// The service of a request, from its SigV4 credential scope (`.../us-east-1/ecs/aws4_request`).
fn service(entry: &Value) -> String {
    let scope = header(entry, "authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split([',', ' ']).next())
        .and_then(|c| c.split('/').nth(3));
    match scope {
        Some("elasticfilesystem") => "efs".into(),
        Some(s) => s.to_string(),
        None => "unknown".into(),
    }
}

fn body(entry: &Value) -> String {
    let raw = entry["body"].as_str().unwrap_or("");
    if entry["body_encoded"].as_bool() == Some(true) {
        aws_smithy_types::base64::decode(raw)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    } else {
        raw.to_string()
    }
}

/// `Action=` of a form-encoded body or query string.
fn action(form: &str) -> Option<String> {
    form.split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(str::to_string)
}

/// The `service:Operation` of one recorded request.
pub fn operation(entry: &Value) -> String {
    let service = service(entry);
    if let Some(target) = header(entry, "x-amz-target") {
        let op = target.rsplit('.').next().unwrap_or(target);
        return format!("{service}:{op}");
    }
    let url = entry["url"].as_str().unwrap_or("");
    let path_and_query = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url);
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    if let Some((_, op)) = path.rsplit_once("/operation/") {
        return format!("{service}:{op}");
    }
    if let Some(op) = action(&body(entry)).or_else(|| action(query)) {
        return format!("{service}:{op}");
    }
    let method = entry["method"].as_str().unwrap_or("?");
    format!("{service}:{method} {path}")
}
