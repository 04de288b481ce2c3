//! Reading the platforms' rate-limit headers and deciding how long to wait.
//!
//! Bluesky sends `RateLimit-Limit/Remaining/Reset` (reset in unix seconds), Mastodon
//! `X-RateLimit-*` (reset as an ISO 8601 timestamp), X `x-rate-limit-*` (unix seconds), and any
//! of them may send `Retry-After` (seconds or an HTTP date). The IETF draft's `RateLimit-Reset`
//! is a delta in seconds: a small number is read as a delta, a large one as a timestamp.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use reqwest::header::HeaderMap;

/// What an answer's headers say about the rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitInfo {
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset_at: Option<SystemTime>,
    /// How long the server asked us to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
}

/// Values above this are unix timestamps, below it deltas in seconds (2001-09-09).
const TIMESTAMP_THRESHOLD: u64 = 1_000_000_000;

impl RateLimitInfo {
    /// Reads the headers of one answer received at `now`.
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> RateLimitInfo {
        let text = |names: &[&str]| {
            names.iter().find_map(|n| {
                headers
                    .get(*n)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.trim().to_string())
            })
        };
        let remaining = text(&[
            "ratelimit-remaining",
            "x-ratelimit-remaining",
            "x-rate-limit-remaining",
        ])
        .and_then(|v| v.parse::<u64>().ok());
        let reset_at = text(&["ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"])
            .and_then(|v| parse_reset(&v, now));
        let retry_after = text(&["retry-after"]).and_then(|v| parse_retry_after(&v, now));
        RateLimitInfo {
            remaining,
            reset_at,
            retry_after,
        }
    }

    /// How long to wait before the next request, if the headers say to wait at all:
    /// `Retry-After` first, else the time to the reset.
    pub fn wait(&self, now: SystemTime) -> Option<Duration> {
        self.retry_after.or_else(|| {
            self.reset_at
                .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
        })
    }

    /// True when the window is used up and the next request would be refused.
    pub fn exhausted(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// A reset too far ahead for the clock: about 31,700 years after 1970, far past any wait limit.
fn far_future() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_000_000_000_000)
}

/// A reset value: unix seconds, a delta in seconds, or an ISO 8601 timestamp.
fn parse_reset(value: &str, now: SystemTime) -> Option<SystemTime> {
    // Checked: a hostile or broken server may send any number (`u64::MAX` overflowed
    // `SystemTime` and panicked); a reset beyond what the clock can hold is treated as
    // "never", which the caller turns into a plain "retry after" error.
    if let Ok(n) = value.parse::<u64>() {
        let base = if n >= TIMESTAMP_THRESHOLD {
            UNIX_EPOCH
        } else {
            now
        };
        return Some(
            base.checked_add(Duration::from_secs(n))
                .unwrap_or_else(far_future),
        );
    }
    if let Ok(f) = value.parse::<f64>() {
        if f.is_finite() && f >= 0.0 {
            let d = Duration::from_secs_f64(f.min(1e12));
            let base = if f >= TIMESTAMP_THRESHOLD as f64 {
                UNIX_EPOCH
            } else {
                now
            };
            return Some(base.checked_add(d).unwrap_or_else(far_future));
        }
    }
    chrono::DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| system_time_from_unix_millis(t.timestamp_millis()))
}

/// `Retry-After`: delta seconds or an HTTP date.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(n) = value.parse::<u64>() {
        return Some(Duration::from_secs(n));
    }
    chrono::DateTime::parse_from_rfc2822(value).ok().map(|t| {
        system_time_from_unix_millis(t.timestamp_millis())
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
    })
}

fn system_time_from_unix_millis(ms: i64) -> SystemTime {
    if ms >= 0 {
        UNIX_EPOCH + Duration::from_millis(ms as u64)
    } else {
        UNIX_EPOCH
    }
}

/// How a backoff spreads its waits, so many clients (or sources) do not retry in step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Jitter {
    /// Anywhere between half and all of the wait ("full jitter" over the upper half): the
    /// retries of one request.
    Half,
    /// Up to this fraction either way ([`jittered`]): the checks of the watch schedule.
    Within(f64),
}

/// The one exponential backoff: the wait before retry `n` (0-based), `base` doubled per
/// retry, capped at `cap` and never under 100 ms, spread by `jitter`.
pub fn backoff(n: u32, base: Duration, cap: Duration, jitter: Jitter) -> Duration {
    let exp = base
        .saturating_mul(1u32 << n.min(20))
        .min(cap)
        .max(Duration::from_millis(100));
    match jitter {
        Jitter::Half => {
            let half = exp / 2;
            let jitter_ms = rand::thread_rng().gen_range(0..=half.as_millis().max(1) as u64);
            half + Duration::from_millis(jitter_ms)
        }
        Jitter::Within(fraction) => jittered(exp, fraction),
    }
}

/// `interval` spread by up to `jitter` (a fraction, at most 0.9) either way.
pub fn jittered(interval: Duration, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 0.9);
    if jitter == 0.0 {
        return interval;
    }
    let factor = 1.0 + rand::thread_rng().gen_range(-jitter..=jitter);
    interval.mul_f64(factor)
}

/// A wait the server asked for, plus a little jitter (up to 10% and at least 50 ms) so the
/// retry lands after the reset rather than on it.
pub fn with_jitter(wait: Duration) -> Duration {
    let extra_max = (wait.as_millis() as u64 / 10).max(50);
    wait + Duration::from_millis(rand::thread_rng().gen_range(50..=extra_max.max(51)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_static(k),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn bluesky_reset_is_unix_seconds() {
        let now = at(1_779_719_000);
        let info = RateLimitInfo::from_headers(
            &headers(&[
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "1779719030"),
            ]),
            now,
        );
        assert!(info.exhausted());
        assert_eq!(info.wait(now), Some(Duration::from_secs(30)));
    }

    #[test]
    fn mastodon_reset_is_a_timestamp() {
        let now = at(1_779_719_000);
        let info = RateLimitInfo::from_headers(
            &headers(&[
                ("x-ratelimit-remaining", "12"),
                ("x-ratelimit-reset", "2026-05-25T14:23:50.000Z"),
            ]),
            now,
        );
        assert_eq!(info.remaining, Some(12));
        assert!(!info.exhausted());
        let expected = chrono::DateTime::parse_from_rfc3339("2026-05-25T14:23:50Z")
            .unwrap()
            .timestamp() as u64;
        assert_eq!(
            info.wait(now),
            Some(Duration::from_secs(expected - 1_779_719_000))
        );
    }

    #[test]
    fn x_reset_and_retry_after() {
        let now = at(1_779_719_000);
        let info = RateLimitInfo::from_headers(
            &headers(&[("x-rate-limit-reset", "1779719900"), ("retry-after", "7")]),
            now,
        );
        assert_eq!(
            info.wait(now),
            Some(Duration::from_secs(7)),
            "Retry-After wins"
        );
        let delta = RateLimitInfo::from_headers(&headers(&[("ratelimit-reset", "42")]), now);
        assert_eq!(delta.wait(now), Some(Duration::from_secs(42)));
        let date = RateLimitInfo::from_headers(
            &headers(&[("retry-after", "Mon, 25 May 2026 14:24:20 GMT")]),
            at(1_779_719_000),
        );
        assert!(date.retry_after.is_some());
    }

    #[test]
    fn garbage_headers_are_ignored_and_past_resets_wait_nothing() {
        let now = at(1_779_719_000);
        let info = RateLimitInfo::from_headers(
            &headers(&[("ratelimit-remaining", "lots"), ("ratelimit-reset", "soon")]),
            now,
        );
        assert_eq!(info, RateLimitInfo::default());
        let past = RateLimitInfo::from_headers(&headers(&[("ratelimit-reset", "1779718000")]), now);
        assert_eq!(past.wait(now), Some(Duration::ZERO));
    }

    #[test]
    fn absurd_resets_do_not_overflow_the_clock() {
        // Regression (found by the ratelimit_headers fuzz target): u64::MAX panicked.
        let now = at(1_779_719_000);
        for value in ["18446744073709551615", "1e300", "999999999999999999"] {
            let info = RateLimitInfo::from_headers(&headers(&[("ratelimit-reset", value)]), now);
            let wait = info.wait(now).unwrap();
            assert!(wait > Duration::from_secs(1_000_000), "{value}: {wait:?}");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for n in 0..20 {
            let d = backoff(n, base, cap, Jitter::Half);
            assert!(d <= cap, "{d:?}");
            let floor = (base.saturating_mul(1 << n.min(16))).min(cap) / 2;
            assert!(d >= floor, "attempt {n}: {d:?} < {floor:?}");
        }
    }
}
