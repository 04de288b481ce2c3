//! Each source's state in plain words, as the dashboard shows it.

use chrono::{DateTime, Local, Utc};
use doppelwatch::watch::{RunState, SourceMode, SourceStatus, WatchHandle};

use crate::protocol::{DashboardView, OpenAlerts, SourceStatusView};

/// The dashboard of a watcher: its sources in words, or why it is not watching.
pub fn dashboard(
    handle: Option<&WatchHandle>,
    problem: Option<&str>,
    open_alerts: OpenAlerts,
) -> DashboardView {
    let Some(handle) = handle else {
        return not_watching(
            problem.unwrap_or("not watching yet: tell Doppelwatch who you are first"),
            open_alerts,
        );
    };
    DashboardView {
        paused: handle.is_paused(),
        sources: handle
            .status()
            .iter()
            .map(|s| status_view(s, Utc::now()))
            .collect(),
        open_alerts,
    }
}

/// A dashboard that says why nothing is watched.
pub fn not_watching(words: &str, open_alerts: OpenAlerts) -> DashboardView {
    DashboardView {
        paused: false,
        sources: vec![SourceStatusView {
            platform: "all".into(),
            person: String::new(),
            state: "stopped".into(),
            words: words.to_string(),
        }],
        open_alerts,
    }
}

/// One source's state in plain words.
pub fn status_view(s: &SourceStatus, now: DateTime<Utc>) -> SourceStatusView {
    let at = |t: DateTime<Utc>| t.with_timezone(&Local).format("%H:%M").to_string();
    let last = s.last_check.map(|t| format!("last check {}", at(t)));
    let next = s.next_check.map(|t| format!("next check {}", at(t)));
    let checks = [last, next]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    // A span the live stream could not replay (off or unreachable for too long): said with
    // the live source's state, and that a full check covered it.
    let gap = s
        .coverage_gap
        .map(|g| {
            let day = |t: DateTime<Utc>| t.with_timezone(&Local).format("%b %-d %H:%M").to_string();
            format!(
                "; live coverage had a gap from {} to {} (a full check ran)",
                day(g.from),
                day(g.to)
            )
        })
        .unwrap_or_default();
    let (state, words) = match s.state {
        RunState::Connected => ("live", format!("watching live{gap}")),
        RunState::Reconnecting => (
            "offline",
            format!("live stream down, reconnecting{}{gap}", error_suffix(s)),
        ),
        RunState::Paused => ("paused", "paused".to_string()),
        RunState::Checking => ("checking", "checking now".to_string()),
        RunState::Starting => ("starting", "starting".to_string()),
        RunState::RateLimited => (
            "rate_limited",
            match s.rate_limited_until {
                Some(t) if t > now => format!("rate-limited until {}", at(t)),
                _ => "rate-limited, waiting".to_string(),
            },
        ),
        RunState::BackingOff => {
            let needs_credentials = s.last_error.as_deref().is_some_and(|e| {
                e.contains("credentials") || e.contains("token") || e.contains("password")
            });
            if needs_credentials {
                (
                    "needs_credentials",
                    format!("needs credentials{}", error_suffix(s)),
                )
            } else {
                ("offline", format!("offline{}; {checks}", error_suffix(s)))
            }
        }
        // Not running: X without a key, or a source turned off in the settings.
        RunState::NotSetUp => {
            if s.last_error.as_deref().is_some_and(|e| e.contains("needs")) {
                (
                    "needs_credentials",
                    format!("needs credentials{}", error_suffix(s)),
                )
            } else {
                ("paused", format!("off{}", error_suffix(s)))
            }
        }
        // The last check ran but some queries failed: say which, and when it is tried again.
        RunState::Waiting if s.partial.is_some() => {
            let missed = s.partial.as_deref().unwrap_or_default();
            let last = s
                .last_check
                .map(|t| format!("last check {} ", at(t)))
                .unwrap_or_default();
            let retry = s
                .next_check
                .map(|t| format!("; retrying {}", at(t)))
                .unwrap_or_default();
            ("partial", format!("{last}{missed}{retry}"))
        }
        RunState::Waiting => (
            "idle",
            if checks.is_empty() {
                "waiting".into()
            } else {
                checks.clone()
            },
        ),
    };
    let mode = match s.mode {
        SourceMode::Live => " (live stream)",
        SourceMode::Periodic => " (search and look-alike lookups)",
    };
    SourceStatusView {
        platform: s.platform.to_string(),
        person: s.identity.clone(),
        state: state.into(),
        words: format!("{words}{mode}"),
    }
}

fn error_suffix(s: &SourceStatus) -> String {
    s.last_error
        .as_deref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use doppelwatch::identity::Platform;

    fn waiting(partial: Option<&str>) -> SourceStatus {
        SourceStatus {
            platform: Platform::Mastodon,
            identity: "Jane Doe".into(),
            mode: SourceMode::Periodic,
            state: RunState::Waiting,
            last_check: Some(Utc.with_ymd_and_hms(2026, 3, 1, 12, 3, 0).unwrap()),
            next_check: Some(Utc.with_ymd_and_hms(2026, 3, 1, 12, 5, 0).unwrap()),
            last_error: None,
            rate_limited_until: None,
            last_candidates: 4,
            partial: partial.map(String::from),
            coverage_gap: None,
        }
    }

    fn local(h: u32, m: u32) -> String {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0)
            .unwrap()
            .with_timezone(&Local)
            .format("%H:%M")
            .to_string()
    }

    #[test]
    fn a_live_coverage_gap_is_said_with_its_span() {
        let mut s = waiting(None);
        s.mode = SourceMode::Live;
        s.state = RunState::Connected;
        s.coverage_gap = Some(doppelwatch::watch::CoverageGap {
            from: Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2026, 3, 2, 20, 0, 0).unwrap(),
        });
        let view = status_view(&s, Utc::now());
        assert_eq!(view.state, "live");
        assert!(
            view.words.contains("live coverage had a gap from"),
            "{}",
            view.words
        );
        assert!(view.words.contains("a full check ran"), "{}", view.words);
    }

    #[test]
    fn a_partial_check_says_what_it_missed_and_when_it_retries() {
        let missed = "missed 3 of 10 queries (search \"Jane Doe\" at mastodon.social: \
                      /api/v2/search answered 503 Service Unavailable; and 2 more)";
        let s = waiting(Some(missed));
        let view = status_view(&s, Utc::now());
        assert_eq!(view.state, "partial");
        assert_eq!(
            view.words,
            format!(
                "last check {} {missed}; retrying {} (search and look-alike lookups)",
                local(12, 3),
                local(12, 5)
            )
        );
    }

    #[test]
    fn a_full_success_reads_as_idle_again() {
        let view = status_view(&waiting(None), Utc::now());
        assert_eq!(view.state, "idle");
        assert!(!view.words.contains("missed"), "{}", view.words);
        assert_eq!(
            view.words,
            format!(
                "last check {}, next check {} (search and look-alike lookups)",
                local(12, 3),
                local(12, 5)
            )
        );
    }
}
