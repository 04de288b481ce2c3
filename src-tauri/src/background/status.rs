//! Each source's state in plain words, as the dashboard shows it.

use chrono::{DateTime, Local, Utc};
use doppelwatch::watch::{RunState, SourceMode, SourceStatus, WatchHandle};

use crate::ipc::{DashboardView, SourceStatusView};

/// The dashboard of a watcher: its sources in words, or why it is not watching.
pub fn dashboard(
    handle: Option<&WatchHandle>,
    problem: Option<&str>,
    open_alerts: u32,
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
pub fn not_watching(words: &str, open_alerts: u32) -> DashboardView {
    DashboardView {
        paused: false,
        sources: vec![SourceStatusView {
            platform: "all".into(),
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
    let (state, words) = match s.state {
        RunState::Connected => ("live", "watching live".to_string()),
        RunState::Reconnecting => (
            "offline",
            format!("live stream down, reconnecting{}", error_suffix(s)),
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
