//! Small HTTP helpers for the report APIs: bounded bodies and readable errors.

use std::time::Duration;

use futures_util::StreamExt;

use crate::identity::Platform;

use super::ReportError;

/// Report API answers are small; anything larger is refused.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// A client with bounded time for the report APIs: redirects only on the platform's own
/// server, no Referer ([`crate::net::api`]).
pub(crate) fn client() -> reqwest::Client {
    crate::net::api::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("Doppelwatch/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
                .build()
                .unwrap_or_default()
        })
}

pub(crate) fn unreachable(platform: &Platform, e: reqwest::Error) -> ReportError {
    // reqwest errors carry the URL but never headers or bodies: no secret leaks here.
    ReportError::Unreachable {
        platform: platform.clone(),
        why: e.without_url().to_string(),
    }
}

/// The error of a report's own request (the one that files it). Only a connection that could
/// not be made means nothing went out ([`ReportError::Unreachable`]: safe to send again);
/// after that (a timeout, a dropped connection, an answer cut off) the platform may have taken
/// the report and its answer was lost ([`ReportError::Interrupted`]: never sent again on its
/// own, or it could be filed twice).
pub(crate) fn interrupted(platform: &Platform, e: reqwest::Error) -> ReportError {
    if e.is_connect() {
        return unreachable(platform, e);
    }
    ReportError::Interrupted {
        platform: platform.clone(),
        why: e.without_url().to_string(),
    }
}

/// [`body`] of the answer to a report's own request: an answer that cannot be read came from
/// a platform that took the request ([`ReportError::Interrupted`]).
pub(crate) async fn report_body(
    platform: &Platform,
    response: reqwest::Response,
) -> Result<Vec<u8>, ReportError> {
    body(platform, response).await.map_err(|e| match e {
        ReportError::Unreachable { platform, why } => ReportError::Interrupted { platform, why },
        other => other,
    })
}

/// Reads at most [`MAX_BODY_BYTES`] of a response body.
pub(crate) async fn body(
    platform: &Platform,
    response: reqwest::Response,
) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| unreachable(platform, e))?;
        if out.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ReportError::Unreachable {
                platform: platform.clone(),
                why: format!("the answer is larger than {MAX_BODY_BYTES} bytes"),
            });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Seconds to wait from a 429 answer's headers, read by the sources' one rate-limit parser
/// ([`crate::sources::ratelimit::RateLimitInfo`]): `Retry-After` as given, else the time to
/// the window's reset (`RateLimit-Reset`, `X-RateLimit-Reset`) between 1 s and an hour; 60
/// when they say nothing.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> u64 {
    let now = std::time::SystemTime::now();
    let info = crate::sources::ratelimit::RateLimitInfo::from_headers(headers, now);
    if let Some(wait) = info.retry_after {
        return wait.as_secs();
    }
    info.reset_at.map_or(60, |at| {
        at.duration_since(now)
            .unwrap_or_default()
            .as_secs()
            .clamp(1, 3600)
    })
}

/// The `error`/`message` of a JSON error answer, made safe to show: any of `secrets` the
/// server echoed back (a refused token or password) is cut out before anything is kept, so it
/// cannot reach a stored status, a log or the screen.
pub(crate) fn error_text(body: &[u8], secrets: &[&str]) -> String {
    let mut raw = String::from_utf8_lossy(body).into_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        raw = raw.replace(secret, "[redacted]");
    }
    let body = raw.as_bytes();
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let text = parsed
        .as_ref()
        .and_then(|v| {
            let error = v.get("error").and_then(|e| e.as_str());
            let message = v
                .get("message")
                .or_else(|| v.get("error_description"))
                .and_then(|m| m.as_str());
            match (error, message) {
                (Some(e), Some(m)) => Some(format!("{e}: {m}")),
                (Some(e), None) => Some(e.to_string()),
                (None, Some(m)) => Some(m.to_string()),
                (None, None) => None,
            }
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    super::visible(&text, 300)
}

#[cfg(test)]
mod redaction_tests {
    use super::error_text;

    #[test]
    fn echoed_secrets_never_reach_the_error_text() {
        let body = br#"{"error":"AuthFailed","message":"bad password hunter2-app-pass for alice"}"#;
        let text = error_text(body, &["hunter2-app-pass"]);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("[redacted]") && text.contains("AuthFailed"),
            "{text}"
        );
        let plain = error_text(b"token tok_12345678 refused", &["tok_12345678"]);
        assert!(!plain.contains("tok_12345678"), "{plain}");
    }
}

#[cfg(test)]
mod lost_answer_tests {
    use super::*;

    #[tokio::test]
    async fn a_report_sent_and_unanswered_may_have_arrived_one_never_sent_did_not() {
        // A server that reads the request and hangs up without answering.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
            }
        });
        let url = format!("http://{addr}/xrpc/com.atproto.moderation.createReport");
        let lost = client().post(url).body("{}").send().await.unwrap_err();
        let e = interrupted(&Platform::Bluesky, lost);
        assert!(matches!(e, ReportError::Interrupted { .. }), "{e}");
        assert!(e.to_string().contains("check there"), "{e}");

        // Nothing listens: the request never went out, and may be sent again.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let refused = client()
            .post(format!("http://{closed}/api/v1/reports"))
            .send()
            .await
            .unwrap_err();
        let e = interrupted(&Platform::Mastodon, refused);
        assert!(matches!(e, ReportError::Unreachable { .. }), "{e}");
    }
}
