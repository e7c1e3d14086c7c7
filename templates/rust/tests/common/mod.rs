//! A tiny HTTP/1.1 test server on 127.0.0.1 (random port) and client helpers.
//!
//! Every connection serves one request and is then closed (`Connection: close`), so each
//! attempt of the client is one recorded request. Replies can be delayed, streamed in steps, or
//! dropped without an answer.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_runtime_harness::runtime::{Client, ClientBuilder, ClientConfig};
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The config a generated crate would pass.
pub const CONFIG: ClientConfig = ClientConfig {
    sdk_name: "test-sdk",
    sdk_version: "1.2.3",
    default_base_url: "http://127.0.0.1:9",
    api_key_header: Some("X-API-Key"),
    api_key_env: Some("SDK_HARNESS_UNSET_API_KEY"),
    bearer_token_env: Some("SDK_HARNESS_UNSET_BEARER_TOKEN"),
    base_url_env: Some("SDK_HARNESS_UNSET_BASE_URL"),
    api_key_in: None,
    username_env: None,
    password_env: None,
    oauth2: None,
    client_id_env: None,
    client_secret_env: None,
    idempotency_header: Some("Idempotency-Key"),
};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap()
    }
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
    pub fn query_values(&self, name: &str) -> Vec<String> {
        self.query()
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
            .collect()
    }
}

/// A step of a streamed body.
#[derive(Debug, Clone)]
pub enum Step {
    Write(Vec<u8>),
    Sleep(Duration),
}

/// What the server answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    Stream {
        status: u16,
        headers: Vec<(String, String)>,
        steps: Vec<Step>,
    },
    /// Close the connection without answering.
    Drop,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }
    pub fn problem(status: u16, code: &str, request_id: &str) -> Reply {
        let body = serde_json::json!({
            "type": format!("urn:test:problem:{}", code.to_lowercase()),
            "title": "Something failed",
            "status": status,
            "detail": format!("detail of {code}"),
            "code": code,
            "request_id": request_id,
        });
        Reply::Full {
            status,
            headers: vec![
                ("content-type".into(), "application/problem+json".into()),
                ("x-request-id".into(), request_id.into()),
            ],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16) -> Reply {
        Reply::Full {
            status,
            headers: vec![],
            body: vec![],
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        match &mut self {
            Reply::Full { headers, .. } | Reply::Stream { headers, .. } => {
                headers.push((name.into(), value.into()))
            }
            Reply::Drop => {}
        }
        self
    }
    pub fn delayed(mut self, by: Duration) -> Reply {
        if let Reply::Full { delay, .. } = &mut self {
            *delay = by;
        }
        self
    }
    pub fn sse(steps: Vec<Step>) -> Reply {
        Reply::Stream {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            steps,
        }
    }
}

type Handler = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// The running server; it stops when the test's runtime ends.
pub struct TestServer {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
}

impl TestServer {
    /// Starts a server; `handler` gets each request and its 0-based index.
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let recorded = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let handler = handler.clone();
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, handler, recorded).await;
                });
            }
        });
        TestServer { url, requests }
    }

    /// Starts a server answering the replies in order (the last one repeats).
    pub async fn sequence(replies: Vec<Reply>) -> TestServer {
        TestServer::start(move |_, i| replies[i.min(replies.len() - 1)].clone()).await
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// A client for this server without environment, fast retries.
    pub fn client(&self) -> ClientBuilder<Client> {
        Client::builder(CONFIG)
            .read_env(false)
            .base_url(&self.url)
            .api_key("test-key")
            .initial_retry_delay(Duration::from_millis(1))
            .max_retry_delay(Duration::from_millis(5))
    }
}

async fn serve(
    mut socket: TcpStream,
    handler: Handler,
    recorded: Arc<Mutex<Vec<Recorded>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let request = Recorded {
        method,
        target,
        headers,
        body,
    };
    let index = {
        let mut all = recorded.lock().unwrap();
        all.push(request.clone());
        all.len() - 1
    };
    match handler(&request, index) {
        Reply::Drop => Ok(()),
        Reply::Full {
            status,
            headers,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            let mut out = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (n, v) in headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            socket.write_all(out.as_bytes()).await?;
            socket.write_all(&body).await?;
            socket.shutdown().await
        }
        Reply::Stream {
            status,
            headers,
            steps,
        } => {
            let mut out = format!("HTTP/1.1 {status} X\r\nconnection: close\r\n");
            for (n, v) in headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            socket.write_all(out.as_bytes()).await?;
            for step in steps {
                match step {
                    Step::Write(bytes) => {
                        socket.write_all(&bytes).await?;
                        socket.flush().await?;
                    }
                    Step::Sleep(d) => tokio::time::sleep(d).await,
                }
            }
            socket.shutdown().await
        }
    }
}

/// A local address with nothing listening.
pub async fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A resource the tests decode answers into.
#[derive(Debug, Deserialize, PartialEq)]
pub struct Item {
    pub id: String,
    #[serde(default)]
    pub status: Option<Status>,
}

sdk_runtime_harness::open_enum! {
    /// A test enum.
    pub enum Status {
        /// Active.
        Active = "active",
        /// Archived.
        Archived = "archived",
    }
}

/// A 200 answer with an `Item`.
pub fn ok_item() -> Reply {
    Reply::json(200, json!({"id": "x1", "status": "active"}))
}
