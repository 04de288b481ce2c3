//! The HTTP client every source uses: timeouts, bounded bodies, rate limits and retries.
//!
//! A 429 is waited out (the platform's reset headers, with jitter) unless the wait is longer
//! than the configured maximum; 5xx, timeouts and unreadable JSON are retried with exponential
//! backoff; when a window is used up (`remaining: 0`) the next request waits for its reset.
//! Tokens are passed per request and never appear in errors or logs. Avatars, whose URLs come
//! from the platforms' data, go through [`crate::net::guarded`] only.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use super::ratelimit::{backoff, with_jitter, Jitter, RateLimitInfo};
use super::{Found, SourceError};
use crate::config::HttpConfig;
use crate::identity::Platform;
use crate::net::{FetchError, GuardedFetcher, Limits};
use crate::profile::Profile;

/// The first retry waits about this long after a 5xx or a broken answer.
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Retries never wait longer than this for a 5xx.
const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// The wait before retry `attempt` (0-based) of a request.
fn retry_wait(attempt: u32) -> Duration {
    backoff(attempt, BACKOFF_BASE, BACKOFF_CAP, Jitter::Half)
}

/// What a JSON request came back with.
#[derive(Debug)]
pub enum Answer {
    /// A 2xx with parseable JSON.
    Json(Value),
    /// A 404: the thing asked for does not exist.
    NotFound,
}

/// An HTTP client for one platform (one rate-limit state per platform host).
#[derive(Debug)]
pub struct Http {
    platform: Platform,
    config: HttpConfig,
    api: reqwest::Client,
    /// Every avatar (a URL the platform's data names) goes through the guarded fetcher.
    avatars: GuardedFetcher,
    /// No request before this instant (a used-up window or a 429 seen).
    not_before: Mutex<Option<Instant>>,
}

impl Http {
    /// A client obeying `config`'s limits.
    pub fn new(platform: Platform, config: &HttpConfig) -> Result<Http, SourceError> {
        let setup_failed = |message: String| SourceError::Unreachable {
            platform: platform.clone(),
            message: format!("cannot set up the HTTP client: {message}"),
        };
        let connect_timeout = Duration::from_secs(config.connect_timeout_secs.max(1));
        // Redirects only on the platform's own server, no Referer ([`crate::net::api`]).
        let api = crate::net::api::builder()
            .user_agent(concat!("doppelwatch/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout())
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|e| setup_failed(e.to_string()))?;
        let avatars = GuardedFetcher::new(
            Limits {
                timeout: config.timeout(),
                connect_timeout,
                max_redirects: config.max_redirects,
            },
            &config.loopback_fakes,
        )
        .map_err(|e| setup_failed(e.to_string()))?;
        Ok(Http {
            api,
            avatars,
            platform,
            config: config.clone(),
            not_before: Mutex::new(None),
        })
    }

    /// The limits in force.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// GETs JSON with an optional bearer token, retrying as described in the module docs.
    /// Each call is noted as one query in the check's [`super::querylog`], if one is kept.
    pub async fn get_json(&self, url: Url, bearer: Option<&str>) -> Result<Answer, SourceError> {
        let result = self
            .request_json(Method::GET, url.clone(), bearer, None)
            .await;
        super::querylog::note(&url, &result);
        result
    }

    /// GETs JSON from an endpoint that bills what it answers (X user reads): like
    /// [`Http::get_json`], except that a 2xx answer that could not be read (cut off, too large,
    /// not JSON) is not asked again — the platform already charged for it, and asking again
    /// would pay twice. Such a failure comes back as [`Billed::MaybeCharged`] so the caller can
    /// count the worst case against its spending cap.
    /// Noted in the check's [`super::querylog`] like [`Http::get_json`].
    pub async fn get_json_billed(&self, url: Url, bearer: Option<&str>) -> Result<Answer, Billed> {
        let result = self
            .send(Method::GET, url.clone(), bearer, None, false)
            .await;
        let noted = match &result {
            Ok(_) => Ok(()),
            Err(Billed::Free(e) | Billed::MaybeCharged(e)) => Err(e),
        };
        super::querylog::note(&url, &noted);
        result
    }

    /// Sends a request with an optional JSON body and bearer token; returns the JSON answer.
    pub async fn request_json(
        &self,
        method: Method,
        url: Url,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, SourceError> {
        self.send(method, url, bearer, body, true)
            .await
            .map_err(Billed::into_error)
    }

    /// The error for an answer the server refused (a 4xx other than 404 and 429):
    /// credentials refused are said as such, with what to do.
    fn refusal(
        &self,
        what: &str,
        status: StatusCode,
        body: &[u8],
        bearer: Option<&str>,
    ) -> SourceError {
        let message = error_message(body, bearer);
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => SourceError::NeedsCredentials {
                platform: self.platform.clone(),
                what: format!(
                    "{what} answered {status}: {message}. {}",
                    credentials_advice(&self.platform, bearer.is_some())
                ),
            },
            _ => SourceError::Api {
                platform: self.platform.clone(),
                message: format!("{what} answered {status}: {message}"),
            },
        }
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        bearer: Option<&str>,
        body: Option<&Value>,
        retry_unreadable_success: bool,
    ) -> Result<Answer, Billed> {
        let what = endpoint_name(&url);
        let mut last_problem = String::new();
        // Whether the last failure was the network (no answer at all), not the server's answer.
        let mut unreachable = false;
        for attempt in 0..=self.config.max_retries {
            self.wait_for_window().await;
            let mut request = self.api.request(method.clone(), url.clone());
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(r) => r,
                // A redirect off the platform's server (or too many) is an answer, not a
                // network failure: asking again gets the same.
                Err(e) if e.is_redirect() => {
                    return Err(Billed::Free(SourceError::Api {
                        platform: self.platform.clone(),
                        message: format!("{what}: {}", describe_reqwest_error(&e)),
                    }));
                }
                Err(e) => {
                    last_problem = describe_reqwest_error(&e);
                    unreachable = true;
                    tracing::warn!(platform = %self.platform, endpoint = %what, attempt, "request failed: {last_problem}");
                    tokio::time::sleep(retry_wait(attempt)).await;
                    continue;
                }
            };
            unreachable = false;
            let status = response.status();
            let limits = RateLimitInfo::from_headers(response.headers(), SystemTime::now());
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = limits
                    .wait(SystemTime::now())
                    .unwrap_or_else(|| retry_wait(attempt + 2));
                if wait > Duration::from_secs(self.config.max_rate_limit_wait_secs) {
                    return Err(Billed::Free(SourceError::RateLimited {
                        platform: self.platform.clone(),
                        retry_after_secs: wait.as_secs(),
                    }));
                }
                let wait = with_jitter(wait);
                tracing::info!(platform = %self.platform, endpoint = %what, "rate limited; waiting {} ms", wait.as_millis());
                self.hold_until(Instant::now() + wait);
                last_problem = "rate limited (429)".into();
                continue;
            }
            if limits.exhausted() {
                if let Some(wait) = limits.wait(SystemTime::now()) {
                    let wait = wait.min(Duration::from_secs(self.config.max_rate_limit_wait_secs));
                    self.hold_until(Instant::now() + with_jitter(wait));
                }
            }
            if status.is_server_error() {
                last_problem = format!("HTTP {status}");
                tracing::warn!(platform = %self.platform, endpoint = %what, attempt, "server error {status}");
                tokio::time::sleep(retry_wait(attempt)).await;
                continue;
            }
            if status == StatusCode::NOT_FOUND {
                return Ok(Answer::NotFound);
            }
            let body = match read_bounded(response, self.config.max_json_bytes).await {
                Ok(b) => b,
                Err(Unreadable::TooLarge) => {
                    // Asking again would only fetch the same flood: refuse it at once.
                    let message = format!(
                        "{what} sent an answer larger than the {} KiB allowed; it was refused \
                         unread (raise http.max_json_bytes in settings if this server is trusted)",
                        self.config.max_json_bytes / 1024
                    );
                    tracing::warn!(platform = %self.platform, endpoint = %what, attempt, "{message}");
                    let error = SourceError::Api {
                        platform: self.platform.clone(),
                        message,
                    };
                    return Err(if status.is_success() {
                        Billed::MaybeCharged(error)
                    } else {
                        Billed::Free(error)
                    });
                }
                Err(Unreadable::BrokeOff(problem)) => {
                    last_problem = problem;
                    tracing::warn!(platform = %self.platform, endpoint = %what, attempt, "{last_problem}");
                    if status.is_success() && !retry_unreadable_success {
                        return Err(Billed::MaybeCharged(SourceError::Api {
                            platform: self.platform.clone(),
                            message: format!(
                                "{what}: {last_problem} (not asked again: it is billed)"
                            ),
                        }));
                    }
                    tokio::time::sleep(retry_wait(attempt)).await;
                    continue;
                }
            };
            if !status.is_success() {
                return Err(Billed::Free(self.refusal(&what, status, &body, bearer)));
            }
            // Invalid UTF-8 in one field must not cost the whole answer (serde_json refuses
            // the raw bytes outright): bad bytes become U+FFFD and every record is kept.
            match serde_json::from_str::<Value>(&String::from_utf8_lossy(&body)) {
                Ok(v) => return Ok(Answer::Json(v)),
                Err(e) => {
                    last_problem = format!("the answer is not valid JSON ({e})");
                    tracing::warn!(platform = %self.platform, endpoint = %what, attempt, "{last_problem}");
                    if !retry_unreadable_success {
                        return Err(Billed::MaybeCharged(SourceError::Api {
                            platform: self.platform.clone(),
                            message: format!(
                                "{what}: {last_problem} (not asked again: it is billed)"
                            ),
                        }));
                    }
                    tokio::time::sleep(retry_wait(attempt)).await;
                }
            }
        }
        let retries = self.config.max_retries;
        Err(Billed::Free(if unreachable {
            // No answer at all (timeouts, refused connections): the server is down or hanging,
            // which callers treat differently from a server that answers errors.
            SourceError::Unreachable {
                platform: self.platform.clone(),
                message: format!(
                    "{what} {last_problem} after {} attempt{}",
                    retries + 1,
                    if retries == 0 { "" } else { "s" }
                ),
            }
        } else {
            SourceError::Api {
                platform: self.platform.clone(),
                message: format!("{what} failed after {retries} retries: {last_problem}"),
            }
        }))
    }

    /// Fetches an avatar image through the guarded fetcher ([`crate::net::guarded`]: public
    /// https addresses only, every redirect checked, at most `max_avatar_bytes`). Any failure
    /// is logged and yields `None`: a missing avatar never fails a check.
    pub async fn fetch_avatar(&self, url: &str) -> Option<Vec<u8>> {
        match self.avatars.get(url, self.config.max_avatar_bytes).await {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                tracing::warn!(platform = %self.platform, "avatar skipped: {e}");
                None
            }
        }
    }

    /// Fetches the avatar `profile` shows, from the platform's own image host where it has a
    /// known one ([`Http::avatar_url_of`]); the error says why there is none.
    pub async fn fetch_avatar_of(&self, profile: &Profile) -> Result<Vec<u8>, FetchError> {
        let url = self.avatar_url_of(profile)?;
        self.avatars.get(&url, self.config.max_avatar_bytes).await
    }

    /// The address to fetch `profile`'s avatar from. A platform that serves every avatar from
    /// one host (Bluesky's CDN, [`crate::platforms::PlatformModule::avatar_host`]) gets an
    /// address elsewhere rebuilt on that host from the account's id and the image's name (and
    /// refused when it names none); the fakes of tests and the demo serve their own. Other
    /// platforms' URLs are used as given (the fetcher checks them).
    pub fn avatar_url_of(&self, profile: &Profile) -> Result<String, FetchError> {
        let url = profile
            .avatar_url
            .clone()
            .ok_or_else(|| FetchError::BadUrl("the profile has no picture".into()))?;
        let Some((name, host)) = crate::platforms::module(&self.platform)
            .and_then(|m| Some((m.display_name(), m.avatar_host()?)))
        else {
            return Ok(url);
        };
        let parsed = self.avatars.check(&url);
        if let Ok(parsed) = &parsed {
            if self.avatars.is_fake_origin(parsed) || parsed.host_str() == Some(host.host) {
                return Ok(url);
            }
        }
        (host.rebuild)(profile.platform_id.as_deref(), &url).ok_or_else(|| {
            parsed.err().unwrap_or_else(|| {
                FetchError::BadUrl(format!(
                    "the {name} avatar is not on the {name} CDN and names no image to fetch there"
                ))
            })
        })
    }

    /// Fetches the avatars of `found` (those with an avatar URL and no image yet), a few at a
    /// time, at most `max_avatars_per_check`, when avatar fetching is on.
    pub async fn fetch_avatars(&self, found: &mut [Found]) {
        if !self.config.fetch_avatars {
            return;
        }
        let wanted: Vec<(usize, Profile)> = found
            .iter()
            .enumerate()
            .filter(|(_, f)| f.avatar_image.is_none() && f.profile.avatar_url.is_some())
            .map(|(i, f)| (i, f.profile.clone()))
            .take(self.config.max_avatars_per_check)
            .collect();
        let fetched: Vec<(usize, Option<Vec<u8>>)> = futures_util::stream::iter(wanted)
            .map(|(i, profile)| async move {
                let bytes = match self.fetch_avatar_of(&profile).await {
                    Ok(bytes) => Some(bytes),
                    Err(e) => {
                        tracing::warn!(platform = %self.platform, "avatar skipped: {e}");
                        None
                    }
                };
                (i, bytes)
            })
            .buffer_unordered(4)
            .collect()
            .await;
        for (i, bytes) in fetched {
            if let Some(f) = found.get_mut(i) {
                f.avatar_image = bytes;
            }
        }
    }

    fn hold_until(&self, until: Instant) {
        let mut nb = self
            .not_before
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if nb.map_or(true, |t| t < until) {
            *nb = Some(until);
        }
    }

    async fn wait_for_window(&self) {
        let until = *self
            .not_before
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                tokio::time::sleep(until - now).await;
            }
        }
    }
}

/// A failed request, and whether the platform may have charged for it (see
/// [`Http::get_json_billed`]).
#[derive(Debug)]
pub enum Billed {
    /// Nothing was delivered, so nothing was billed (refused, rate limited, 5xx, no answer).
    Free(SourceError),
    /// A 2xx answer arrived but could not be read: the platform may have billed all of it.
    MaybeCharged(SourceError),
}

impl Billed {
    /// The error, whether or not it was billed.
    pub fn into_error(self) -> SourceError {
        match self {
            Billed::Free(e) | Billed::MaybeCharged(e) => e,
        }
    }
}

/// Why a body could not be read.
#[derive(Debug)]
enum Unreadable {
    /// More than the bound: refused, never retried.
    TooLarge,
    /// The connection broke or timed out mid-body.
    BrokeOff(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::TooLarge => f.write_str("the answer is larger than allowed"),
            Unreadable::BrokeOff(problem) => f.write_str(problem),
        }
    }
}

/// Reads a body of at most `limit` bytes; a larger one is refused without reading it all.
async fn read_bounded(response: reqwest::Response, limit: usize) -> Result<Vec<u8>, Unreadable> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Unreadable::TooLarge);
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Unreadable::BrokeOff(format!(
                "the answer broke off: {}",
                describe_reqwest_error(&e)
            ))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(Unreadable::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What to do when a platform refuses the credentials (401/403), by platform.
fn credentials_advice(platform: &Platform, sent_a_token: bool) -> String {
    let what = crate::platforms::module(platform)
        .map_or("the credentials for this platform", |m| {
            m.credential_advice()
        });
    if sent_a_token {
        format!(
            "The token sent was refused or lacks access: check {what} in settings (it is kept \
             in the keychain) and replace it if it was revoked or expired"
        )
    } else {
        format!(
            "This server needs credentials: add {what} in settings (it is kept in the keychain)"
        )
    }
}

/// The API's own error text (XRPC `message`, Mastodon `error`, X `detail`), bounded and
/// stripped of control characters.
fn error_message(body: &[u8], token: Option<&str>) -> String {
    // A server may echo the token it refused ("invalid token abc..."): it is cut out of the
    // whole body before anything is shortened, so no prefix of it survives either.
    let redacted;
    let body = match token {
        Some(t) if t.len() >= 4 && contains(body, t.as_bytes()) => {
            redacted = String::from_utf8_lossy(body).replace(t, "[redacted]");
            redacted.as_bytes()
        }
        _ => body,
    };
    let text = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            ["message", "error", "detail", "title"]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_str).map(String::from))
                .or_else(|| google_error(&v))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let clean: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.is_empty() {
        "(no details)".into()
    } else {
        clean
    }
}

/// A Google API error (`{"error": {"message", "errors": [{"reason"}], "details":
/// [{"reason"}]}}`, <https://developers.google.com/youtube/v3/docs/errors>): its message
/// without HTML tags, then its reasons in brackets (`[quotaExceeded]`) for the caller to act on.
fn google_error(v: &Value) -> Option<String> {
    let error = v.get("error").filter(|e| e.is_object())?;
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    let message: String = message.chars().take(2000).collect();
    // Short enough that the reasons survive the 200 characters an error text is cut to.
    let mut text: String = crate::sources::text::html_to_text(&message)
        .chars()
        .take(110)
        .collect();
    for list in ["errors", "details"] {
        let reasons = error
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for reason in reasons
            .filter_map(|e| e.get("reason").and_then(Value::as_str))
            .take(4)
        {
            let reason: String = reason
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            text.push_str(&format!(" [{reason}]"));
        }
    }
    Some(text)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The endpoint path for logs and errors (never the query: it may hold search terms).
fn endpoint_name(url: &Url) -> String {
    format!("{}{}", url.host_str().unwrap_or(""), url.path())
}

/// A reqwest error in words, without the URL (which may hold a token in a query string).
fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else if e.is_redirect() {
        // The API redirect rule's own words (origins only, never a query or a token).
        std::error::Error::source(e)
            .map_or_else(|| "too many redirects".into(), ToString::to_string)
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".into()
    } else {
        match e.status() {
            Some(status) => format!("HTTP {status}"),
            None => "the request failed".into(),
        }
    }
}

/// The address `path` under the platform's API `base`, with `query` appended (each pair
/// encoded); an unusable base (from the settings) is said with the platform's name.
pub fn api_url(
    platform: &Platform,
    base: &str,
    path: &str,
    query: &[(&str, &str)],
) -> Result<Url, SourceError> {
    let base = base.trim_end_matches('/');
    let mut url = Url::parse(&format!("{base}{path}")).map_err(|e| SourceError::Api {
        platform: platform.clone(),
        message: format!(
            "bad {} base URL {base:?}: {e}",
            platform.display_name().unwrap_or(platform.as_str())
        ),
    })?;
    url.query_pairs_mut().extend_pairs(query);
    Ok(url)
}
