//! When to check next: intervals with jitter, and backoff after failures. Pure functions, so
//! the pacing is tested without waiting.

use std::time::Duration;

/// Jitter and the exponential backoff are the sources' ([`crate::sources::ratelimit`]): one
/// implementation for request retries and for check failures.
pub use crate::sources::ratelimit::{backoff, jittered, Jitter};

/// The wait after the `failures`-th failed check in a row (1 for the first): `min` doubled per
/// failure, capped at `max` and at the normal `interval` (a failing source is never checked
/// less often than a healthy one), with up to 10% jitter.
pub fn failure_wait(failures: u32, min: Duration, max: Duration, interval: Duration) -> Duration {
    backoff(
        failures.saturating_sub(1),
        min,
        max.min(interval),
        Jitter::Within(0.1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_its_fraction() {
        let base = Duration::from_secs(100);
        for _ in 0..200 {
            let d = jittered(base, 0.1);
            assert!(
                d >= Duration::from_secs(90) && d <= Duration::from_secs(110),
                "{d:?}"
            );
        }
        assert_eq!(jittered(base, 0.0), base);
    }

    #[test]
    fn failure_wait_doubles_and_is_capped() {
        let min = Duration::from_secs(30);
        let max = Duration::from_secs(600);
        let interval = Duration::from_secs(1800);
        let near = |d: Duration, secs: f64| {
            let s = d.as_secs_f64();
            s >= secs * 0.89 && s <= secs * 1.11
        };
        assert!(near(failure_wait(1, min, max, interval), 30.0));
        assert!(near(failure_wait(2, min, max, interval), 60.0));
        assert!(near(failure_wait(3, min, max, interval), 120.0));
        assert!(near(failure_wait(10, min, max, interval), 600.0));
        assert!(near(failure_wait(50, min, max, interval), 600.0));
        // Never longer than the normal interval.
        assert!(near(
            failure_wait(10, min, max, Duration::from_secs(60)),
            60.0
        ));
    }
}
