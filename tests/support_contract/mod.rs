//! Contract-test support shared by every platform: a recording proxy that stands between a real
//! client and a fake server on loopback and keeps every exchange (method, path, query, headers,
//! body, answer), and the checkers of the platforms' official descriptions.
//!
//! A platform plugs in with one [`Contract`] (what its official description says of one
//! exchange: `lexicon` for Bluesky, `openapi` for X, `mastodon` for Mastodon) and one test module
//! in `tests/contract/` that runs its real clients against its fake through a [`Recorder`] and
//! calls [`assert_conform`]. It must never reach beyond loopback.
#![allow(dead_code)]

pub mod lexicon;
pub mod mastodon;
pub mod openapi;
pub mod schema;
pub mod youtube;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value;

/// Requests and answers larger than this are not recorded whole (nothing here is that big).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// One request a client sent and the answer it got.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Request headers, names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response: Vec<u8>,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    pub fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response_headers, name)
    }

    /// The request body as JSON, when it is JSON.
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The answer as JSON, when it is JSON.
    pub fn json_response(&self) -> Option<Value> {
        serde_json::from_slice(&self.response).ok()
    }

    /// `GET /xrpc/...?a=b`, for messages.
    pub fn line(&self) -> String {
        format!("{} {} -> {}", self.method, self.path, self.status)
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What a platform's official description says of an exchange.
pub trait Contract {
    /// The endpoint the exchange is for (e.g. `GET /api/v2/search`), or every way the request
    /// or its answer departs from the description (an undocumented endpoint is one).
    fn check(&self, exchange: &Exchange) -> Result<String, Vec<String>>;
}

/// Checks every exchange against `contract`, panicking with every mismatch found; returns the
/// endpoints the exchanges covered.
pub fn assert_conform(contract: &dyn Contract, exchanges: &[Exchange]) -> BTreeSet<String> {
    assert!(
        !exchanges.is_empty(),
        "no request went through the recorder"
    );
    let mut covered = BTreeSet::new();
    let mut problems = Vec::new();
    for ex in exchanges {
        match contract.check(ex) {
            Ok(endpoint) => {
                covered.insert(endpoint);
            }
            Err(errs) => problems.extend(errs.into_iter().map(|e| format!("{}: {e}", ex.line()))),
        }
    }
    assert!(
        problems.is_empty(),
        "departures from the official contract:\n{}",
        problems.join("\n")
    );
    covered
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// A JSON fixture under `tests/fixtures/`.
pub fn json_fixture(path: &str) -> Value {
    let file = fixture(path);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", file.display()))
}

#[derive(Clone)]
struct Upstream {
    base: String,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<Exchange>>>,
}

/// A recording proxy on `127.0.0.1:0` forwarding everything to one upstream (a fake).
pub struct Recorder {
    pub base_url: String,
    log: Arc<Mutex<Vec<Exchange>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str) -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Upstream {
            base: upstream.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            log: log.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Recorder {
            base_url,
            log,
            task,
        }
    }

    /// Every exchange so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }
}

async fn forward(State(up): State<Upstream>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);
    let url = match &raw_query {
        Some(q) => format!("{}{path}?{q}", up.base),
        None => format!("{}{path}", up.base),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut outgoing = up.client.request(parts.method.clone(), url);
    for (k, v) in parts.headers.iter() {
        if k != "host" && k != "content-length" {
            outgoing = outgoing.header(k, v);
        }
    }
    let answer = match outgoing.body(body.to_vec()).send().await {
        Ok(answer) => answer,
        Err(e) => {
            return Response::builder()
                .status(502)
                .body(Body::from(format!("recorder: upstream failed: {e}")))
                .unwrap()
        }
    };
    let status = answer.status();
    let answer_headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    up.log.lock().unwrap().push(Exchange {
        method: parts.method.to_string(),
        path,
        query: raw_query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        headers,
        body: body.to_vec(),
        status: status.as_u16(),
        response_headers: answer_headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        response: bytes.to_vec(),
    });
    let mut out = Response::builder().status(status);
    for (k, v) in answer_headers.iter() {
        if k != "content-length" && k != "transfer-encoding" {
            out = out.header(k, v);
        }
    }
    out.body(Body::from(bytes)).unwrap()
}
