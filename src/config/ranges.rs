//! The allowed range of every number in the settings, in one place: checked when settings are
//! read ([`super::Config::check_ranges`]), listed in the README (a test keeps the two in step)
//! and given to the desktop UI (its inputs and its save command use the same bounds).
//!
//! A range says what the code can honour safely: `watch.check_interval_secs` of 2^64-1 once
//! overflowed a worker's clock and 0 meant "every second"; an X cap of 1e308 at a cost of 0
//! meant no cap. To add a numeric setting: a constant here, a line in
//! [`super::Config::numbers`], and a line in the README's settings table.

use std::fmt;

use serde::Serialize;

/// The inclusive bounds of one numeric setting and what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    /// What the number counts: "seconds", "US dollars"... (empty for a plain count).
    pub unit: &'static str,
}

impl Range {
    pub const fn new(min: f64, max: f64, unit: &'static str) -> Range {
        Range { min, max, unit }
    }

    /// Whether `value` lies within the bounds (never for NaN or infinity).
    pub fn contains(&self, value: f64) -> bool {
        value.is_finite() && self.min <= value && value <= self.max
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "from {} to {}", self.min, self.max)?;
        if !self.unit.is_empty() {
            write!(f, " {}", self.unit)?;
        }
        Ok(())
    }
}

/// One setting's value as written, so a message repeats exactly what the person typed
/// (2^64-1 stays 18446744073709551615, not 1.8e19).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Whole(u64),
    Fraction(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Whole(n) => n as f64,
            Number::Fraction(x) => x,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Whole(n) => write!(f, "{n}"),
            // 1e308 stays short (plain `{}` would print 309 digits).
            Number::Fraction(x) if x.abs() >= 1e15 => write!(f, "{x:e}"),
            Number::Fraction(x) => write!(f, "{x}"),
        }
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Number {
        Number::Whole(n)
    }
}

impl From<usize> for Number {
    fn from(n: usize) -> Number {
        Number::Whole(n as u64)
    }
}

impl From<u32> for Number {
    fn from(n: u32) -> Number {
        Number::Whole(u64::from(n))
    }
}

impl From<f64> for Number {
    fn from(x: f64) -> Number {
        Number::Fraction(x)
    }
}

const SECONDS: &str = "seconds";
const BYTES: &str = "bytes";
const WEEK_SECS: f64 = 7.0 * 24.0 * 3600.0;

// http
pub const HTTP_TIMEOUT_SECS: Range = Range::new(1.0, 300.0, SECONDS);
pub const HTTP_CONNECT_TIMEOUT_SECS: Range = Range::new(1.0, 120.0, SECONDS);
pub const HTTP_MAX_JSON_BYTES: Range = Range::new(65_536.0, 67_108_864.0, BYTES);
pub const HTTP_MAX_AVATAR_BYTES: Range = Range::new(1_024.0, 16_777_216.0, BYTES);
pub const HTTP_MAX_REDIRECTS: Range = Range::new(0.0, 3.0, "");
pub const HTTP_MAX_RETRIES: Range = Range::new(0.0, 10.0, "");
pub const HTTP_MAX_RATE_LIMIT_WAIT_SECS: Range = Range::new(0.0, 3600.0, SECONDS);
pub const HTTP_MAX_AVATARS_PER_CHECK: Range = Range::new(0.0, 500.0, "");
// bluesky
pub const BLUESKY_SEARCH_PAGES: Range = Range::new(1.0, 10.0, "");
pub const BLUESKY_MAX_QUERIES: Range = Range::new(0.0, 50.0, "");
pub const BLUESKY_PROBE_LIMIT: Range = Range::new(0.0, 1000.0, "");
pub const BLUESKY_REWIND_SECS: Range = Range::new(0.0, 3600.0, SECONDS);
// mastodon
pub const MASTODON_PROBE_LIMIT: Range = Range::new(0.0, 200.0, "");
pub const MASTODON_DIRECTORY_LIMIT: Range = Range::new(1.0, 80.0, "");
pub const MASTODON_SEARCH_PAGES: Range = Range::new(1.0, 10.0, "");
// x
pub const X_DAILY_CAP_USD: Range = Range::new(0.0, 1000.0, "US dollars");
pub const X_COST_PER_USER_READ_USD: Range = Range::new(0.0001, 10.0, "US dollars");
pub const X_PROBE_LIMIT: Range = Range::new(0.0, 1000.0, "");
pub const X_SEARCH_MAX_RESULTS: Range = Range::new(1.0, 1000.0, "");
pub const X_REREAD_WINDOW_HOURS: Range = Range::new(0.0, 720.0, "hours");

pub const YOUTUBE_DAILY_QUOTA_UNITS: Range = Range::new(0.0, 1_000_000.0, "units");
pub const YOUTUBE_PROBE_LIMIT: Range = Range::new(0.0, 1000.0, "");
pub const YOUTUBE_REREAD_WINDOW_HOURS: Range = Range::new(0.0, 720.0, "hours");
pub const YOUTUBE_SEARCH_INTERVAL_HOURS: Range = Range::new(1.0, 720.0, "hours");
pub const YOUTUBE_SEARCH_MAX_RESULTS: Range = Range::new(1.0, 50.0, "");
// watch
/// Also each value of `watch.platform_interval_secs`. Under a minute only makes sense
/// against a self-hosted or fake server (tests, the demo).
pub const WATCH_CHECK_INTERVAL_SECS: Range = Range::new(1.0, WEEK_SECS, SECONDS);
pub const WATCH_JITTER: Range = Range::new(0.0, 0.9, "");
pub const WATCH_RECHECK_INTERVAL_SECS: Range = Range::new(1.0, WEEK_SECS, SECONDS);
pub const WATCH_MIN_BACKOFF_SECS: Range = Range::new(1.0, 86_400.0, SECONDS);
pub const WATCH_MAX_BACKOFF_SECS: Range = Range::new(1.0, 86_400.0, SECONDS);
pub const WATCH_NOTIFY_BATCH_SECS: Range = Range::new(0.0, 3600.0, SECONDS);
pub const WATCH_REPORT_DAILY_CAP: Range = Range::new(0.0, 100.0, "");
pub const WATCH_WAVE_UPDATE_SECS: Range = Range::new(0.0, 86_400.0, SECONDS);
pub const WATCH_REPORT_UNDO_SECS: Range = Range::new(0.0, 3_600.0, SECONDS);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_sentences() {
        assert_eq!(
            WATCH_CHECK_INTERVAL_SECS.to_string(),
            "from 1 to 604800 seconds"
        );
        assert_eq!(
            X_COST_PER_USER_READ_USD.to_string(),
            "from 0.0001 to 10 US dollars"
        );
        assert_eq!(HTTP_MAX_REDIRECTS.to_string(), "from 0 to 3");
        assert!(!X_DAILY_CAP_USD.contains(f64::NAN));
        assert!(!X_DAILY_CAP_USD.contains(f64::INFINITY));
        assert!(!WATCH_CHECK_INTERVAL_SECS.contains(Number::from(u64::MAX).as_f64()));
        assert_eq!(Number::from(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Number::from(1e308).to_string(), "1e308");
        assert_eq!(Number::from(0.25).to_string(), "0.25");
    }
}
