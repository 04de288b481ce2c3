//! When to check next: intervals with jitter, and backoff after failures. Pure functions, so
//! the pacing is tested without waiting.

use std::time::Duration;

use rand::Rng;

/// `interval` spread by up to `jitter` (a fraction) either way.
pub fn jittered(interval: Duration, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 0.9);
    if jitter == 0.0 {
        return interval;
    }
    let factor = 1.0 + rand::thread_rng().gen_range(-jitter..=jitter);
    interval.mul_f64(factor)
}

/// The wait after the `failures`-th failure in a row (1 for the first): `min` doubled per
/// failure, capped at `max` and at the normal `interval` (a failing source is never checked
/// less often than a healthy one), with up to 10% jitter.
pub fn backoff(failures: u32, min: Duration, max: Duration, interval: Duration) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let wait = min
        .saturating_mul(1u32 << exp)
        .min(max)
        .min(interval)
        .max(Duration::from_millis(100));
    jittered(wait, 0.1)
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
    fn backoff_doubles_and_is_capped() {
        let min = Duration::from_secs(30);
        let max = Duration::from_secs(600);
        let interval = Duration::from_secs(1800);
        let near = |d: Duration, secs: f64| {
            let s = d.as_secs_f64();
            s >= secs * 0.89 && s <= secs * 1.11
        };
        assert!(near(backoff(1, min, max, interval), 30.0));
        assert!(near(backoff(2, min, max, interval), 60.0));
        assert!(near(backoff(3, min, max, interval), 120.0));
        assert!(near(backoff(10, min, max, interval), 600.0));
        assert!(near(backoff(50, min, max, interval), 600.0));
        // Never longer than the normal interval.
        assert!(near(backoff(10, min, max, Duration::from_secs(60)), 60.0));
    }
}
