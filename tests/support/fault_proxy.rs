//! A small latency and fault proxy in front of moto: an SDK pointed at it sees moto's
//! answers, except for the operations a rule names, which get the rule's fault instead
//! (a delay, a connection reset, an HTTP 500 or 503, an AWS error such as throttling or an
//! access denial, each in the operation's own wire protocol).
//!
//! It speaks just enough HTTP/1.1 for the SDK's requests (Content-Length bodies, no
//! chunking), forwards each request on a fresh connection to moto, and names each request
//! `service:Operation` the way IAM does (`ecs:DescribeTasks`, `elasticfilesystem:...`): the
//! service from the SigV4 credential scope, the operation from `X-Amz-Target` (JSON
//! protocols), `Action=` (EC2 and IAM query protocols) or the path (EFS).
//!
//! The benchmark reuses it for latency; the fault matrix (tests/faults.rs) for the rest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a rule does to a request it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Waits this long, then forwards.
    Delay(Duration),
    /// Resets the connection (TCP RST) without answering.
    Reset,
    /// Answers with this HTTP status and the service's generic error for it (500:
    /// internal failure, 503: service unavailable).
    Status(u16),
    /// Answers with this AWS error code (HTTP 400), in the operation's protocol. The
    /// helpers [`throttling`] and [`access_denied`] pick each service's own code.
    Error(String),
}

/// One rule: `fault` for requests to `operation`, the first `times` of them (None: all).
#[derive(Debug, Clone)]
struct Rule {
    operation: String,
    fault: Fault,
    times: Option<usize>,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<Rule>,
    seen: HashMap<String, usize>,
    faulted: HashMap<String, usize>,
    /// Added to every request before it is forwarded (a network round trip to AWS).
    latency: Duration,
    /// Every request answered, in the order they arrived.
    log: Vec<Served>,
    /// Replay mode: answers recorded by (operation, what was asked).
    replay: Option<HashMap<(String, String), Vec<u8>>>,
}

/// One request the proxy answered: what it was, and when it arrived and was answered.
#[derive(Debug, Clone)]
pub struct Served {
    /// `service:Operation`.
    pub operation: String,
    /// What the request asked for: the body (query and JSON protocols) or the path (REST).
    /// Two requests with the same operation and the same `asked` read the same thing.
    pub asked: String,
    /// When the whole request had arrived.
    pub arrived: Instant,
    /// When its answer was ready to send.
    pub answered: Instant,
}

/// A running proxy. It serves until the test binary exits.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    /// `http://127.0.0.1:<port>`: give it to the SDK as the endpoint.
    pub endpoint: String,
    upstream: String,
    state: Arc<Mutex<State>>,
    /// Held while a request is served in serial mode: one request in flight at a time.
    serial: Arc<tokio::sync::Mutex<bool>>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = FaultProxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            upstream: upstream
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string(),
            state: Arc::default(),
            serial: Arc::default(),
        };
        let p = proxy.clone();
        tokio::spawn(async move {
            loop {
                let Ok((conn, _)) = listener.accept().await else {
                    return;
                };
                let p = p.clone();
                tokio::spawn(async move { p.serve(conn).await });
            }
        });
        proxy
    }

    /// Adds a rule: `fault` for `operation` (`service:Operation`), for its first `times`
    /// requests (None: every request).
    pub fn fault(&self, operation: &str, fault: Fault, times: Option<usize>) -> &Self {
        self.state.lock().unwrap().rules.push(Rule {
            operation: operation.to_string(),
            fault,
            times,
        });
        self
    }

    /// Adds `latency` to every request (on top of any rule's delay): what a round trip to
    /// AWS costs.
    pub fn latency(&self, latency: Duration) -> &Self {
        self.state.lock().unwrap().latency = latency;
        self
    }

    /// Serial mode: requests are served one at a time, in arrival order, each waiting for
    /// the one before it to be answered. The client's code is unchanged; its requests simply
    /// cannot overlap, which is what the same code with a concurrency of one would cost.
    pub async fn serial(&self, on: bool) -> &Self {
        *self.serial.lock().await = on;
        self
    }

    /// Replay mode: the first answer to each distinct request (same operation, same
    /// parameters) comes from moto and is recorded; every later one is the recording, sent
    /// without asking moto. moto answers one request at a time (it is Python), several
    /// milliseconds each; AWS answers in parallel. Replayed, a request costs only the proxy's
    /// latency, so a benchmark measures the client, not the emulator.
    pub fn replay(&self, on: bool) -> &Self {
        self.state.lock().unwrap().replay = on.then(HashMap::new);
        self
    }

    /// Every request answered since the start (or the last [`FaultProxy::take_log`]).
    pub fn take_log(&self) -> Vec<Served> {
        std::mem::take(&mut self.state.lock().unwrap().log)
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.state.lock().unwrap().rules.clear();
    }

    /// The operations seen so far (faulted or not), with their request counts.
    pub fn seen(&self) -> HashMap<String, usize> {
        self.state.lock().unwrap().seen.clone()
    }

    /// How many requests to `operation` got a fault.
    pub fn faulted(&self, operation: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .faulted
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    async fn serve(&self, mut conn: TcpStream) {
        loop {
            let Some(request) = read_request(&mut conn).await else {
                return;
            };
            let arrived = Instant::now();
            let op = operation(&request);
            let guard = self.serial.lock().await;
            let serial = if *guard {
                Some(guard)
            } else {
                drop(guard);
                None
            };
            let fault = {
                let mut s = self.state.lock().unwrap();
                *s.seen.entry(op.clone()).or_default() += 1;
                let hit = s
                    .rules
                    .iter_mut()
                    .find(|r| r.operation == op && r.times.is_none_or(|n| n > 0));
                let fault = hit.map(|r| {
                    if let Some(n) = r.times.as_mut() {
                        *n -= 1;
                    }
                    r.fault.clone()
                });
                if fault.is_some() {
                    *s.faulted.entry(op.clone()).or_default() += 1;
                }
                fault
            };
            let latency = self.state.lock().unwrap().latency;
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let response = match fault {
                Some(Fault::Reset) => {
                    // SO_LINGER 0: close() sends RST, the client sees "connection reset".
                    // (Deprecated because a non-zero linger blocks on drop; zero does not.)
                    #[allow(deprecated)]
                    let _ = conn.set_linger(Some(Duration::ZERO));
                    return;
                }
                Some(Fault::Delay(d)) => {
                    tokio::time::sleep(d).await;
                    self.forward(&request).await
                }
                Some(Fault::Status(status)) => {
                    let code = match status {
                        503 => "ServiceUnavailable",
                        _ => "InternalFailure",
                    };
                    error_response(&request, &op, status, code)
                }
                Some(Fault::Error(code)) => error_response(&request, &op, 400, &code),
                None => {
                    let key = (op.clone(), asked(&request));
                    let recorded = {
                        let s = self.state.lock().unwrap();
                        s.replay.as_ref().map(|r| r.get(&key).cloned())
                    };
                    match recorded {
                        Some(Some(answer)) => Some(answer),
                        Some(None) => {
                            let answer = self.forward(&request).await;
                            if let (Some(a), Some(r)) =
                                (&answer, self.state.lock().unwrap().replay.as_mut())
                            {
                                r.insert(key, a.clone());
                            }
                            answer
                        }
                        None => self.forward(&request).await,
                    }
                }
            };
            drop(serial);
            self.state.lock().unwrap().log.push(Served {
                operation: op,
                asked: asked(&request),
                arrived,
                answered: Instant::now(),
            });
            let Some(response) = response else { return };
            if conn.write_all(&response).await.is_err() {
                return;
            }
        }
    }

    /// Sends the request to moto on a fresh connection and returns the whole answer, with
    /// the connection header rewritten so the client may keep its connection to the proxy.
    async fn forward(&self, request: &Request) -> Option<Vec<u8>> {
        let mut up = TcpStream::connect(&self.upstream).await.ok()?;
        let mut head = String::new();
        for (i, line) in request.head.split("\r\n").enumerate() {
            if i > 0 && line.to_ascii_lowercase().starts_with("connection:") {
                continue;
            }
            if line.is_empty() {
                continue;
            }
            head.push_str(line);
            head.push_str("\r\n");
        }
        head.push_str("Connection: close\r\n\r\n");
        up.write_all(head.as_bytes()).await.ok()?;
        up.write_all(&request.body).await.ok()?;
        let mut answer = Vec::new();
        up.read_to_end(&mut answer).await.ok()?;
        // The answer's own framing (Content-Length) stays; only "Connection: close" goes, so
        // the SDK reuses its connection to the proxy like it would with AWS.
        let split = find(&answer, b"\r\n\r\n")? + 4;
        let head = String::from_utf8_lossy(&answer[..split]).to_string();
        let mut out = String::new();
        let mut has_length = false;
        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("connection:") {
                continue;
            }
            has_length |= lower.starts_with("content-length:");
            out.push_str(line);
            out.push_str("\r\n");
        }
        if !has_length {
            out.push_str(&format!("Content-Length: {}\r\n", answer.len() - split));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&answer[split..]);
        Some(bytes)
    }
}

/// SDK configuration like `support::sdk_config()` (moto's Region and test credentials),
/// pointed at `endpoint`: a proxy's, to put it between the SDK and moto.
pub async fn sdk_config_at(endpoint: &str) -> aws_config::SdkConfig {
    super::sdk_config()
        .await
        .to_builder()
        .endpoint_url(endpoint)
        .build()
}

/// The throttling error code `operation`'s service uses.
pub fn throttling(operation: &str) -> Fault {
    Fault::Error(
        match service(operation) {
            "ec2" => "RequestLimitExceeded",
            "iam" => "Throttling",
            _ => "ThrottlingException",
        }
        .to_string(),
    )
}

/// The access-denied error code `operation`'s service uses.
pub fn access_denied(operation: &str) -> Fault {
    Fault::Error(
        match service(operation) {
            "ec2" => "UnauthorizedOperation",
            "iam" => "AccessDenied",
            _ => "AccessDeniedException",
        }
        .to_string(),
    )
}

fn service(operation: &str) -> &str {
    operation.split(':').next().unwrap_or("")
}

/// One request as read from the client.
#[derive(Debug)]
struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn path(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("")
    }
}

async fn read_request(conn: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let split = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut body = buf[split + 4..].to_vec();
    let request = Request {
        head,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while body.len() < length {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request { body, ..request })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `service:Operation` of a request, IAM style.
fn operation(request: &Request) -> String {
    let service = request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or("unknown")
        .to_string();
    let op = if let Some(target) = request.header("x-amz-target") {
        target.rsplit('.').next().unwrap_or(target).to_string()
    } else if let Some(action) = String::from_utf8_lossy(&request.body)
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
    {
        action.to_string()
    } else {
        efs_operation(request.path())
    };
    format!("{service}:{op}")
}

/// What a request asks for, to tell two reads of the same thing: the body for the query and
/// JSON protocols, the path with its query for REST. The query protocols' signature-free body
/// is stable, and the JSON bodies are the SDK's own serialisation of the same input.
fn asked(request: &Request) -> String {
    if request.body.is_empty() {
        request.path().to_string()
    } else {
        String::from_utf8_lossy(&request.body).to_string()
    }
}

/// EFS (REST): the operation from the path, for the three calls collect makes.
fn efs_operation(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    if path.ends_with("/security-groups") {
        "DescribeMountTargetSecurityGroups"
    } else if path.ends_with("/policy") {
        "DescribeFileSystemPolicy"
    } else if path.contains("/mount-targets") {
        "DescribeMountTargets"
    } else if path.contains("/file-systems") {
        "DescribeFileSystems"
    } else {
        "Unknown"
    }
    .to_string()
}

/// An AWS error answer in the request's protocol: JSON (`X-Amz-Target`, and EFS's REST
/// JSON) with the code in `x-amzn-ErrorType` and `__type`; EC2's query XML; IAM's query XML.
fn error_response(request: &Request, op: &str, status: u16, code: &str) -> Option<Vec<u8>> {
    let message = format!("injected by the fault proxy: {code} for {op}");
    let reason = match status {
        400 => "Bad Request",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let (content_type, body) = match service(op) {
        "ec2" => (
            "text/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
            ),
        ),
        "iam" => (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
            ),
        ),
        _ => (
            if request.header("x-amz-target").is_some() {
                "application/x-amz-json-1.1"
            } else {
                "application/json"
            },
            format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"),
        ),
    };
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nx-amzn-ErrorType: {code}\r\nx-amzn-RequestId: fault-proxy\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}
