//! Rate-limited log lines for warnings that can repeat in a loop (no notification server, a
//! store that stays locked, a watcher that does not answer): the first occurrence is logged,
//! later ones within the period are counted, and the first one after the period is logged with
//! a summary "N more like this in the last M minutes". Once the trouble ends, a last line
//! says how many more there were. So a warning twice a second costs a few lines an hour, not
//! 45 MB a day, and the log still says when it started, that it went on, and when it ended.
//! Trouble that flaps (it ends, and comes back within the period: out of file descriptors, one
//! accept works and the next fails) is the same trouble: counted, not said again until the
//! period is over.
//!
//! Decisions are pure ([`LogLimiter::decide`], [`LogLimiter::recover`] take the time), so
//! they are tested with a controlled clock; [`LogLimiter::warn`] reads the real one. It owns no
//! logging setup and never drops the first occurrence of a kind.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a repeating warning is logged again, with its count: every 10 minutes.
pub const DEFAULT_PERIOD: Duration = Duration::from_secs(10 * 60);

/// What to do with one occurrence of a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Log it: the first of its kind (or the first after a quiet period).
    Log,
    /// Log it with "`suppressed` more like this in the last `minutes` minutes".
    LogWithSummary { suppressed: u64, minutes: u64 },
    /// Count it; a later line says how many.
    Suppress,
}

/// Per kind of warning: when its current period began, how many were not logged since, and
/// whether the log said it goes on (a warning not yet followed by a recovery line).
#[derive(Debug)]
struct Window {
    since: Instant,
    suppressed: u64,
    open: bool,
}

/// Limits repeated log lines per kind (a `&'static str` naming the warning, so the set of
/// kinds is bounded by the code). One limiter can serve many loops.
#[derive(Debug)]
pub struct LogLimiter {
    period: Duration,
    windows: Mutex<HashMap<&'static str, Window>>,
}

impl Default for LogLimiter {
    fn default() -> Self {
        LogLimiter::new(DEFAULT_PERIOD)
    }
}

impl LogLimiter {
    /// A limiter that logs each kind at most once per `period` (plus the summary).
    pub fn new(period: Duration) -> LogLimiter {
        LogLimiter {
            period,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Decides about one occurrence of `kind` at `now`.
    pub fn decide(&self, kind: &'static str, now: Instant) -> Decision {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let Some(window) = windows.get_mut(kind) else {
            windows.insert(
                kind,
                Window {
                    since: now,
                    suppressed: 0,
                    open: true,
                },
            );
            return Decision::Log;
        };
        let elapsed = now.saturating_duration_since(window.since);
        if elapsed < self.period {
            // Within the period of the last line (a warning, or a recovery when it flaps).
            window.suppressed += 1;
            return Decision::Suppress;
        }
        let suppressed = std::mem::take(&mut window.suppressed);
        window.since = now;
        window.open = true;
        if suppressed == 0 {
            Decision::Log
        } else {
            Decision::LogWithSummary {
                suppressed,
                minutes: minutes(elapsed),
            }
        }
    }

    /// The trouble of `kind` ended at `now`. `Some((not yet told, minutes since the last
    /// line))` when the log said it goes on; `None` when there is nothing to say (no trouble,
    /// or a flap already told ended). A recurrence within the period after this is counted,
    /// and told with the first line after the period; later than that it is logged at once.
    pub fn recover(&self, kind: &'static str, now: Instant) -> Option<(u64, u64)> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.get_mut(kind)?;
        if !window.open {
            return None;
        }
        let told = (
            std::mem::take(&mut window.suppressed),
            minutes(now.saturating_duration_since(window.since)),
        );
        window.open = false;
        window.since = now;
        Some(told)
    }

    /// Logs `message` as a warning of `kind`, as [`LogLimiter::decide`] says, now.
    pub fn warn(&self, kind: &'static str, message: impl Display) {
        match self.decide(kind, Instant::now()) {
            Decision::Log => tracing::warn!("{message}"),
            Decision::LogWithSummary {
                suppressed,
                minutes,
            } => tracing::warn!(
                "{message} ({suppressed} more like this in the last {minutes} minutes)"
            ),
            Decision::Suppress => {}
        }
    }

    /// Says that the trouble of `kind` ended (`what`: e.g. "notifications are shown again"),
    /// once, when it had been warned about, with the count of warnings not logged.
    pub fn recovered(&self, kind: &'static str, what: impl Display) {
        match self.recover(kind, Instant::now()) {
            None => {}
            Some((0, _)) => tracing::info!("{what}"),
            Some((suppressed, minutes)) => tracing::info!(
                "{what} (after {suppressed} more warnings like the last in {minutes} minutes)"
            ),
        }
    }
}

/// Whole minutes, at least 1 (a summary never says "in the last 0 minutes").
fn minutes(d: Duration) -> u64 {
    (d.as_secs() / 60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two warnings a second for an hour (the notification server that is not running).
    #[test]
    fn a_warning_twice_a_second_logs_once_then_a_summary_per_period() {
        let limiter = LogLimiter::new(Duration::from_secs(600));
        let start = Instant::now();
        let mut logged = Vec::new();
        for tick in 0..(2 * 3600) {
            let now = start + Duration::from_millis(500 * tick);
            match limiter.decide("notify", now) {
                Decision::Suppress => {}
                other => logged.push((tick / 2, other)),
            }
        }
        // The first at once, then one line per 10 minutes counting the ones in between.
        assert_eq!(logged.len(), 6, "{logged:?}");
        assert_eq!(logged[0], (0, Decision::Log));
        assert_eq!(
            logged[1],
            (
                600,
                Decision::LogWithSummary {
                    suppressed: 1199,
                    minutes: 10
                }
            )
        );
        assert!(logged[2..].iter().all(|(_, d)| *d
            == Decision::LogWithSummary {
                suppressed: 1199,
                minutes: 10
            }));
    }

    #[test]
    fn kinds_are_limited_apart_and_recovery_resets() {
        let limiter = LogLimiter::new(Duration::from_secs(60));
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        assert_eq!(limiter.decide("a", at(0)), Decision::Log);
        assert_eq!(
            limiter.decide("b", at(1)),
            Decision::Log,
            "another kind is its own"
        );
        assert_eq!(limiter.decide("a", at(2)), Decision::Suppress);
        assert_eq!(limiter.decide("a", at(3)), Decision::Suppress);
        // The trouble ends: the two not logged are told, once.
        assert_eq!(limiter.recover("a", at(30)), Some((2, 1)));
        assert_eq!(limiter.recover("a", at(31)), None);
        // Well after the period, a new occurrence is a plain line at once.
        assert_eq!(limiter.decide("a", at(100)), Decision::Log);
        assert_eq!(limiter.recover("a", at(101)), Some((0, 1)));
        // After a quiet period with nothing suppressed, a new occurrence is a plain line.
        assert_eq!(limiter.decide("b", at(200)), Decision::Log);
        assert_eq!(limiter.recover("b", at(201)), Some((0, 1)));
        assert_eq!(limiter.recover("never", at(202)), None, "nothing to say");
    }

    /// Out of file descriptors, accepting flaps: one accept works when a descriptor frees, the
    /// next fails. A thousand flaps in ten seconds are two lines, not two thousand; the flaps
    /// are counted into the first line after the period.
    #[test]
    fn trouble_that_flaps_is_told_once_and_counted() {
        let limiter = LogLimiter::new(Duration::from_secs(60));
        let t0 = Instant::now();
        let ms = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(limiter.decide("accept", ms(0)), Decision::Log);
        assert_eq!(limiter.recover("accept", ms(5)), Some((0, 1)));
        let mut told = 0;
        for n in 1..=1000 {
            told += usize::from(limiter.decide("accept", ms(n * 10)) != Decision::Suppress);
            told += usize::from(limiter.recover("accept", ms(n * 10 + 5)).is_some());
        }
        assert_eq!(told, 0);
        assert_eq!(
            limiter.decide("accept", ms(70_000)),
            Decision::LogWithSummary {
                suppressed: 1000,
                minutes: 1
            }
        );
        assert_eq!(limiter.recover("accept", ms(70_001)), Some((0, 1)));
    }
}
