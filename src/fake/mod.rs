//! Fake platform servers in the official API shapes, for tests and the desktop demo mode.
//!
//! Each fake is a real HTTP (and, for Jetstream, WebSocket) server bound to `127.0.0.1:0`,
//! holding a set of accounts that can change while it runs (impostors appear mid-test), and
//! that can be told to misbehave the way real platforms do: 429 with reset headers, 500s, slow
//! answers, truncated JSON, a malformed record among good ones, oversized avatars, avatar
//! redirect loops, dropped WebSockets. They record the reports they receive so tests can
//! assert them, and can keep each in a [`ReportBook`] before answering it, so that a fake
//! started again (on the same port, [`bluesky::FakeBluesky::start_on`]) is given back what it
//! had received, as the desktop demo does when its watcher restarts. Shapes follow the lexicons, the X OpenAPI document, Mastodon's entities and
//! the YouTube Data API's resources.

mod accounts;
pub mod bluesky;
pub mod demo;
mod http;
pub mod mastodon;
#[cfg(test)]
mod restart_tests;
pub mod x;
pub mod youtube;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// One way a fake server can misbehave; switches add up until [`Misbehave::Behave`].
#[derive(Debug, Clone, PartialEq)]
pub enum Misbehave {
    /// The next `requests` API requests answer 429 with the platform's rate-limit headers,
    /// saying the limit resets in `reset_secs`.
    RateLimit { requests: u32, reset_secs: u64 },
    /// The next `requests` API requests answer 500.
    ServerError { requests: u32 },
    /// Every API answer waits this long first.
    Slow(Duration),
    /// The next `requests` API answers are cut off in the middle of their JSON.
    Truncate { requests: u32 },
    /// List answers (search, lookups, directory) carry one malformed record among the good ones;
    /// Jetstream sends a malformed message before each good one.
    MalformedRecord,
    /// Avatars are 3 MiB of bytes.
    OversizedAvatars,
    /// Avatars redirect to themselves forever.
    AvatarRedirectLoop,
    /// Jetstream closes each connection after this many messages.
    DropWebSocket { after_messages: usize },
    /// Jetstream keeps only the last `secs` of events: an older cursor is clamped to the
    /// oldest event kept (as v1 does, silently), or refused with `CursorTooOld` when `refuse`
    /// (as v2 does: an error message, then a close frame naming it).
    JetstreamRetention { secs: u64, refuse: bool },
    /// The next `requests` API requests answer 429 with no rate-limit or `Retry-After`
    /// headers at all (the client must pick its own backoff).
    RateLimitWithoutHeaders { requests: u32 },
    /// The server's clock is off by this many seconds (negative: behind): every reset time
    /// it sends is shifted, as after a clock jump on either side.
    ClockSkew { secs: i64 },
    /// The next `requests` API requests answer 503 Service Unavailable, as a platform behind a
    /// load balancer does during an outage (Mastodon: nginx's HTML page; X: a problem JSON).
    ServiceUnavailable { requests: u32 },
    /// The next `requests` API answers are padded with whitespace to `bytes` (still valid
    /// JSON) and streamed without a `Content-Length`, so only a bound on what was read stops them.
    OversizedAnswer { requests: u32, bytes: usize },
    /// JSON answers carry invalid UTF-8 (bytes `FF FE`) at the start of the first display
    /// name in them (Mastodon `display_name`, X `name`, Bluesky `displayName`).
    InvalidUtf8,
    /// Back to normal.
    Behave,
}

/// The current misbehaviour switches of one fake server.
#[derive(Debug, Clone, Default)]
pub(crate) struct Switches {
    pub rate_limit_left: u32,
    pub rate_limit_reset_secs: u64,
    pub server_errors_left: u32,
    pub delay: Option<Duration>,
    pub truncate_left: u32,
    pub malformed_record: bool,
    pub oversized_avatars: bool,
    pub avatar_redirect_loop: bool,
    pub drop_websocket_after: Option<usize>,
    /// Seconds of events Jetstream replays, and whether an older cursor is refused.
    pub jetstream_retention: Option<(u64, bool)>,
    pub bare_rate_limit_left: u32,
    pub clock_skew_secs: i64,
    pub unavailable_left: u32,
    pub oversized_left: u32,
    pub oversized_bytes: usize,
    pub invalid_utf8: bool,
}

impl Switches {
    fn apply(&mut self, m: Misbehave) {
        match m {
            Misbehave::RateLimit {
                requests,
                reset_secs,
            } => {
                self.rate_limit_left += requests;
                self.rate_limit_reset_secs = reset_secs;
            }
            Misbehave::ServerError { requests } => self.server_errors_left += requests,
            Misbehave::Slow(d) => self.delay = Some(d),
            Misbehave::Truncate { requests } => self.truncate_left += requests,
            Misbehave::MalformedRecord => self.malformed_record = true,
            Misbehave::OversizedAvatars => self.oversized_avatars = true,
            Misbehave::AvatarRedirectLoop => self.avatar_redirect_loop = true,
            Misbehave::DropWebSocket { after_messages } => {
                self.drop_websocket_after = Some(after_messages)
            }
            Misbehave::JetstreamRetention { secs, refuse } => {
                self.jetstream_retention = Some((secs, refuse))
            }
            Misbehave::RateLimitWithoutHeaders { requests } => {
                self.bare_rate_limit_left += requests
            }
            Misbehave::ClockSkew { secs } => self.clock_skew_secs = secs,
            Misbehave::ServiceUnavailable { requests } => self.unavailable_left += requests,
            Misbehave::OversizedAnswer { requests, bytes } => {
                self.oversized_left += requests;
                self.oversized_bytes = bytes;
            }
            Misbehave::InvalidUtf8 => self.invalid_utf8 = true,
            Misbehave::Behave => *self = Switches::default(),
        }
    }
}

/// Which platform's rate-limit headers and error bodies a fake speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Bluesky,
    Mastodon,
    X,
    Youtube,
}

/// State every fake shares: switches and a request log.
#[derive(Debug)]
pub(crate) struct Common {
    flavor: Flavor,
    switches: Mutex<Switches>,
    requests: Mutex<HashMap<String, usize>>,
    /// Query strings received, per path, oldest first (capped so a long run stays small).
    queries: Mutex<HashMap<String, Vec<String>>>,
}

impl Common {
    pub fn new(flavor: Flavor) -> Arc<Common> {
        Arc::new(Common {
            flavor,
            switches: Mutex::new(Switches::default()),
            requests: Mutex::new(HashMap::new()),
            queries: Mutex::new(HashMap::new()),
        })
    }

    pub fn switches(&self) -> MutexGuard<'_, Switches> {
        lock(&self.switches)
    }

    pub fn misbehave(&self, m: Misbehave) {
        self.switches().apply(m);
    }

    pub fn request_count(&self, path: &str) -> usize {
        lock(&self.requests).get(path).copied().unwrap_or(0)
    }

    /// How many API requests reached the server in all, whatever their path.
    pub fn total_requests(&self) -> usize {
        lock(&self.requests).values().sum()
    }

    /// The query strings requests to `path` carried, oldest first (the first 10,000).
    pub fn request_queries(&self, path: &str) -> Vec<String> {
        lock(&self.queries).get(path).cloned().unwrap_or_default()
    }

    fn count(&self, path: &str, query: Option<&str>) {
        *lock(&self.requests).entry(path.to_string()).or_insert(0) += 1;
        let mut queries = lock(&self.queries);
        let list = queries.entry(path.to_string()).or_default();
        if list.len() < 10_000 {
            list.push(query.unwrap_or("").to_string());
        }
    }
}

/// Locks a mutex, recovering the data if a panicking test thread poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Middleware on every API route: counts the request, then applies the misbehaviour switches
/// (delay, 429, 500, truncation) and adds the platform's normal rate-limit headers.
pub(crate) async fn misbehaviour_layer(
    State(common): State<Arc<Common>>,
    request: Request,
    next: Next,
) -> Response {
    common.count(request.uri().path(), request.uri().query());
    let (delay, rate_limited, reset_secs, server_error, bare, now, unavailable, rewrite) = {
        let mut s = common.switches();
        let rate_limited = s.rate_limit_left > 0;
        if rate_limited {
            s.rate_limit_left -= 1;
        }
        let bare = !rate_limited && s.bare_rate_limit_left > 0;
        if bare {
            s.bare_rate_limit_left -= 1;
        }
        let now = unix_now().saturating_add_signed(s.clock_skew_secs);
        let rate_limited = rate_limited || bare;
        let server_error = !rate_limited && s.server_errors_left > 0;
        if server_error {
            s.server_errors_left -= 1;
        }
        let unavailable = !rate_limited && !server_error && s.unavailable_left > 0;
        if unavailable {
            s.unavailable_left -= 1;
        }
        let failed = rate_limited || server_error || unavailable;
        let truncate = !failed && s.truncate_left > 0;
        if truncate {
            s.truncate_left -= 1;
        }
        let oversized = !failed && s.oversized_left > 0;
        if oversized {
            s.oversized_left -= 1;
        }
        let rewrite = BodyRewrite {
            truncate,
            pad_to: oversized.then_some(s.oversized_bytes),
            invalid_utf8: !failed && s.invalid_utf8,
        };
        (
            s.delay,
            rate_limited,
            s.rate_limit_reset_secs,
            server_error,
            bare,
            now,
            unavailable,
            rewrite,
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if rate_limited {
        let reset_unix = (!bare).then_some(now + reset_secs);
        return rate_limited_response(common.flavor, reset_unix);
    }
    if server_error {
        let body = match common.flavor {
            Flavor::Bluesky => {
                r#"{"error":"InternalServerError","message":"Internal Server Error"}"#
            }
            Flavor::Mastodon => r#"{"error":"We're sorry, but something went wrong on our end."}"#,
            Flavor::X => {
                r#"{"title":"Internal Server Error","detail":"Internal Server Error","type":"about:blank","status":500}"#
            }
            Flavor::Youtube => {
                r#"{"error":{"code":500,"message":"Backend Error","errors":[{"message":"Backend Error","domain":"global","reason":"backendError"}]}}"#
            }
        };
        return json_response(StatusCode::INTERNAL_SERVER_ERROR, body.to_string());
    }
    if unavailable {
        return service_unavailable(common.flavor);
    }
    let mut response = next.run(request).await;
    add_rate_limit_headers(common.flavor, &mut response, 100, 99, now + 300);
    if rewrite.truncate || rewrite.pad_to.is_some() || rewrite.invalid_utf8 {
        return rewrite.apply(common.flavor, response).await;
    }
    response
}

/// How the misbehaviour switches change one answer's body.
#[derive(Debug, Clone, Copy)]
struct BodyRewrite {
    /// Cut in the middle.
    truncate: bool,
    /// Padded with whitespace to this many bytes, streamed without a length.
    pad_to: Option<usize>,
    /// Invalid UTF-8 at the start of the first display name.
    invalid_utf8: bool,
}

impl BodyRewrite {
    async fn apply(self, flavor: Flavor, response: Response) -> Response {
        let (mut parts, body) = response.into_parts();
        let mut bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
            .await
            .unwrap_or_default()
            .to_vec();
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        if self.invalid_utf8 {
            let marker: &[u8] = match flavor {
                Flavor::Bluesky => b"\"displayName\":\"",
                Flavor::Mastodon => b"\"display_name\":\"",
                Flavor::X => b"\"name\":\"",
                Flavor::Youtube => b"\"title\":\"",
            };
            if let Some(at) = bytes.windows(marker.len()).position(|w| w == marker) {
                let at = at + marker.len();
                bytes.splice(at..at, [0xFF, 0xFE]);
            }
        }
        if self.truncate {
            bytes.truncate(bytes.len() / 2);
        }
        if let Some(pad_to) = self.pad_to {
            // Whitespace after the JSON value is still valid JSON: only the size is wrong.
            // Sent in 64 KiB chunks with no Content-Length, as a streaming server would.
            let pad = pad_to.saturating_sub(bytes.len());
            let head = futures_util::stream::once(async move {
                Ok::<_, std::io::Error>(axum::body::Bytes::from(bytes))
            });
            let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
            let chunks = pad.div_ceil(64 * 1024);
            let tail = futures_util::stream::iter(
                (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
            );
            let stream = futures_util::StreamExt::chain(head, tail);
            return Response::from_parts(parts, Body::from_stream(stream));
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

/// A 503 during an outage: Mastodon servers answer nginx's HTML page, X a problem JSON.
fn service_unavailable(flavor: Flavor) -> Response {
    match flavor {
        Flavor::Mastodon => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::CONTENT_TYPE, "text/html")],
            "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>",
        )
            .into_response(),
        Flavor::X => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}"#.to_string(),
        ),
        Flavor::Bluesky => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"UpstreamFailure","message":"Service Unavailable"}"#.to_string(),
        ),
        Flavor::Youtube => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":{"code":503,"message":"The service is currently unavailable.","errors":[{"message":"The service is currently unavailable.","domain":"global","reason":"backendError"}],"status":"UNAVAILABLE"}}"#.to_string(),
        ),
    }
}

/// A 429; with the platform's rate-limit headers saying the window resets at `reset_unix`,
/// or with no headers at all when it is None.
fn rate_limited_response(flavor: Flavor, reset_unix: Option<u64>) -> Response {
    let body = match flavor {
        Flavor::Bluesky => r#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#,
        Flavor::Mastodon => r#"{"error":"Too many requests"}"#,
        Flavor::X => {
            r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#
        }
        Flavor::Youtube => {
            r#"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","errors":[{"message":"Resource has been exhausted (e.g. check quota).","domain":"global","reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}"#
        }
    };
    let mut response = json_response(StatusCode::TOO_MANY_REQUESTS, body.to_string());
    if let Some(reset_unix) = reset_unix {
        add_rate_limit_headers(flavor, &mut response, 100, 0, reset_unix);
    }
    response
}

/// The platform's rate-limit headers: Bluesky `RateLimit-*` (reset in unix seconds), Mastodon
/// `X-RateLimit-*` (reset as an ISO 8601 timestamp), X `x-rate-limit-*` (unix seconds).
fn add_rate_limit_headers(
    flavor: Flavor,
    response: &mut Response,
    limit: u64,
    remaining: u64,
    reset_unix: u64,
) {
    let headers = response.headers_mut();
    let mut put = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    match flavor {
        Flavor::Bluesky => {
            put("ratelimit-limit", limit.to_string());
            put("ratelimit-remaining", remaining.to_string());
            put("ratelimit-reset", reset_unix.to_string());
            put("ratelimit-policy", format!("{limit};w=300"));
        }
        Flavor::Mastodon => {
            let reset = chrono::DateTime::from_timestamp(reset_unix as i64, 0)
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            put("x-ratelimit-limit", limit.to_string());
            put("x-ratelimit-remaining", remaining.to_string());
            put("x-ratelimit-reset", reset);
        }
        Flavor::X => {
            put("x-rate-limit-limit", limit.to_string());
            put("x-rate-limit-remaining", remaining.to_string());
            put("x-rate-limit-reset", reset_unix.to_string());
        }
        // Google APIs send no rate-limit headers; a 429 may carry Retry-After.
        Flavor::Youtube => {
            if remaining == 0 {
                put(
                    "retry-after",
                    reset_unix.saturating_sub(unix_now()).to_string(),
                );
            }
        }
    }
}

/// A JSON answer with a status.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Serves an avatar image, honouring the avatar misbehaviours.
pub(crate) fn avatar_response(common: &Common, self_path: &str, bytes: Option<&[u8]>) -> Response {
    let (oversized, redirect_loop) = {
        let s = common.switches();
        (s.oversized_avatars, s.avatar_redirect_loop)
    };
    if redirect_loop {
        return (
            StatusCode::FOUND,
            [(axum::http::header::LOCATION, self_path.to_string())],
        )
            .into_response();
    }
    let Some(bytes) = bytes else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = if oversized {
        vec![0u8; 3 * 1024 * 1024]
    } else {
        bytes.to_vec()
    };
    let kind = if body.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else {
        "image/jpeg"
    };
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, kind)],
        body,
    )
        .into_response()
}

/// Serves a router on an already bound listener on a background task until the returned
/// guard is dropped.
pub(crate) fn serve(listener: tokio::net::TcpListener, router: axum::Router) -> Server {
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!("fake server stopped: {e}");
        }
    });
    Server { task }
}

/// A running fake platform (`FakeX`, `FakeMastodon`): the state its handlers share and the
/// server task, which stops when this is dropped.
#[derive(Debug)]
pub struct Running<S> {
    pub(crate) state: Arc<S>,
    pub(crate) _server: Server,
}

/// Keeps a fake server running; dropping it stops the server.
#[derive(Debug)]
pub struct Server {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A small, valid PNG of one flat colour, for fake avatars (`seed` picks the colour) and a
/// pattern so perceptual hashes have something to work with.
pub fn sample_avatar_png(seed: u8) -> Vec<u8> {
    let mut img = image::RgbImage::new(64, 64);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let v = ((x as u16 * 4 + y as u16 * (seed as u16 % 7 + 1)) % 256) as u8;
        *px = image::Rgb([v ^ seed, v.wrapping_mul(3), seed.wrapping_add(y as u8 * 2)]);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB image to PNG cannot fail short of running out of memory.
    let _ = image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// The person tests, benches and fuzz targets watch when any will do: Palmer Report (also
/// Bill Palmer) on Bluesky (`palmerreport.com`) and X (`PalmerReport`), with a bio and no
/// picture. One definition, so a fixture change reaches every user.
pub fn palmer() -> crate::identity::Identity {
    use crate::identity::{AccountHandle, Identity, Platform};
    let on = |platform, handle: &str| AccountHandle {
        platform,
        handle: handle.into(),
    };
    Identity {
        name: "Palmer Report".into(),
        aliases: vec!["Bill Palmer".into()],
        handles: vec![
            on(Platform::Bluesky, "palmerreport.com"),
            on(Platform::X, "PalmerReport"),
        ],
        avatar: None,
        bio: Some("Political news and commentary from Palmer Report, since 2016.".into()),
    }
}

/// An account to place on a fake server. `handle` is the platform's handle: a domain on
/// Bluesky (`jane.bsky.social`), a username on Mastodon and X (`jane`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeAccount {
    pub handle: String,
    pub display_name: Option<String>,
    /// Bio; on Mastodon this is the HTML `note` as served.
    pub bio: Option<String>,
    /// Avatar image bytes, served by the fake.
    pub avatar: Option<Vec<u8>>,
    /// An avatar URL the fake names instead of its own (Mastodon fake): what a hostile server
    /// may put there (loopback, credentials, redirect chains).
    pub avatar_url: Option<String>,
    pub followers: u64,
    /// Labels: Bluesky label values; `parody` marks an X parody account; `bot` a Mastodon bot.
    pub labels: Vec<String>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The account's public posts as text, newest first (served by `getAuthorFeed` and
    /// `/api/v1/accounts/:id/statuses`).
    pub posts: Vec<String>,
}

impl FakeAccount {
    /// An account with this handle and nothing else.
    pub fn new(handle: impl Into<String>) -> FakeAccount {
        FakeAccount {
            handle: handle.into(),
            ..FakeAccount::default()
        }
    }

    /// Sets the display name.
    pub fn name(mut self, display_name: impl Into<String>) -> FakeAccount {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets the bio.
    pub fn bio(mut self, bio: impl Into<String>) -> FakeAccount {
        self.bio = Some(bio.into());
        self
    }

    /// Sets the avatar image bytes.
    pub fn avatar(mut self, bytes: Vec<u8>) -> FakeAccount {
        self.avatar = Some(bytes);
        self
    }

    /// Names this avatar URL instead of the fake's own (Mastodon fake).
    pub fn avatar_url(mut self, url: impl Into<String>) -> FakeAccount {
        self.avatar_url = Some(url.into());
        self
    }

    /// Sets the follower count.
    pub fn followers(mut self, followers: u64) -> FakeAccount {
        self.followers = followers;
        self
    }

    /// Adds a public post (the newest so far).
    pub fn post(mut self, text: impl Into<String>) -> FakeAccount {
        self.posts.insert(0, text.into());
        self
    }

    /// Adds a label.
    pub fn label(mut self, label: impl Into<String>) -> FakeAccount {
        self.labels.push(label.into());
        self
    }
}

/// A report a fake server received, as the platform would see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReceivedReport {
    /// Who filed it: the reporter's DID on Bluesky, the token's account on Mastodon.
    pub reported_by: String,
    /// The reported account: a DID on Bluesky, the account id on Mastodon.
    pub subject: String,
    /// Bluesky `reasonType`, Mastodon `category`.
    pub category: String,
    /// Bluesky `reason`, Mastodon `comment`.
    pub comment: Option<String>,
    /// The whole request body as received (JSON, or form fields as a JSON object).
    pub body: serde_json::Value,
    /// Bluesky `atproto-proxy` header, Mastodon `forward` flag as "true"/"false".
    pub routing: Option<String>,
}

/// What a fake does once a [`ReportBook`] kept a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAnswer {
    /// Answer as the platform does.
    Answer,
    /// Never answer (until the fake stops): the report reached the platform and its answer
    /// was lost, as when the sender dies mid-request.
    Hold,
}

/// Keeps the reports a fake Bluesky or Mastodon receives beyond the fake's own memory (the
/// desktop demo's list in its folder), so that a fake started again can be given them back
/// ([`bluesky::FakeBluesky::restore_reports`], [`mastodon::FakeMastodon::restore_reports`]).
pub trait ReportBook: Send + Sync + std::fmt::Debug {
    /// Called with each report the fake accepts, before it answers: a report answered is a
    /// report kept. An error makes the fake answer 503 and forget the report (it was not
    /// received).
    fn keep(
        &self,
        platform: &crate::identity::Platform,
        report: &ReceivedReport,
    ) -> std::io::Result<ReportAnswer>;
}

/// Records `report` in `reports`, after `book` (if any) kept it; `None` when the book could
/// not (the fake answers 503), else what to do next and the report's number (1-based).
pub(crate) fn receive_report(
    reports: &Mutex<Vec<ReceivedReport>>,
    book: &Mutex<Option<Arc<dyn ReportBook>>>,
    platform: &crate::identity::Platform,
    report: ReceivedReport,
) -> Option<(ReportAnswer, usize)> {
    let book = lock(book).clone();
    let mut reports = lock(reports);
    let kept = match book.map(|b| b.keep(platform, &report)) {
        None => ReportAnswer::Answer,
        Some(Ok(kept)) => kept,
        Some(Err(e)) => {
            tracing::warn!("fake {platform}: the report could not be kept: {e}");
            return None;
        }
    };
    reports.push(report);
    Some((kept, reports.len()))
}
