//! Shared by the hardening tests (`hostile_*`, `faults_*`, `secrets_*`): a raw loopback HTTP
//! server that answers exactly the bytes a test gives it (invalid UTF-8, absurd headers, bodies
//! a well-behaved fake would never produce), the hostile fixtures, and a few checks.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the raw server saw it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    /// Path with query string.
    pub target: String,
    /// Header lines, names lowercased.
    pub headers: Vec<(String, String)>,
}

impl RawRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The answer to send, byte for byte.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> RawResponse {
        RawResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> RawResponse {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(&RawRequest) -> RawResponse + Send + Sync;

/// A loopback HTTP/1.1 server answering each request (one per connection) with its handler.
pub struct RawServer {
    pub base_url: String,
    pub requests: Arc<Mutex<Vec<RawRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RawServer {
    pub async fn start(
        handler: impl Fn(&RawRequest) -> RawResponse + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let handler: Arc<Handler> = Arc::new(handler);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        let Ok(n) = socket.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i;
                        }
                        if buf.len() > 1 << 20 {
                            return;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                    let mut lines = head.split("\r\n");
                    let mut first = lines.next().unwrap_or("").split(' ');
                    let request = RawRequest {
                        method: first.next().unwrap_or("").to_string(),
                        target: first.next().unwrap_or("").to_string(),
                        headers: lines
                            .filter_map(|l| l.split_once(':'))
                            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                            .collect(),
                    };
                    // Drain a request body, if any, so the client sees a clean answer.
                    let body_len: usize = request
                        .header("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let mut have = buf.len() - (head_end + 4);
                    while have < body_len {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => have += n,
                        }
                    }
                    let response = handler(&request);
                    log.lock().unwrap().push(request);
                    let mut out = format!("HTTP/1.1 {} X\r\n", response.status).into_bytes();
                    for (n, v) in &response.headers {
                        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
                    }
                    out.extend_from_slice(
                        format!(
                            "content-length: {}\r\nconnection: close\r\n\r\n",
                            response.body.len()
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(&response.body);
                    let _ = socket.write_all(&out).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        RawServer {
            base_url,
            requests,
            task,
        }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// A file of `tests/fixtures/hostile/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Bidi controls (overrides, embeddings, isolates, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// Text meant for a person (a reason, a notification, a report draft) must be bounded and
/// must not carry raw bidi controls or other control characters (newlines and tabs aside).
pub fn assert_inert_text(what: &str, text: &str, max_chars: usize) {
    let n = text.chars().count();
    assert!(n <= max_chars, "{what}: {n} characters (limit {max_chars})");
    if let Some(c) = text
        .chars()
        .find(|c| is_bidi_control(*c) || (c.is_control() && !matches!(c, '\n' | '\t')))
    {
        panic!("{what}: raw control U+{:04X} in {text:?}", c as u32);
    }
}

/// Peak resident memory of this process, in MiB (Linux `VmHWM`).
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
