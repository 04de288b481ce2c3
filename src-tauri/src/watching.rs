//! Background watching: runs the core's watch service for the registered person while the app
//! lives (window open or not), forwards its events to the window and the tray, and turns a
//! notification's "Review and report" into "open the app at this alert".

use std::sync::Mutex;

use chrono::{DateTime, Local, Utc};
use doppelwatch::identity::Identity;
use doppelwatch::store::IdentityId;
use doppelwatch::watch::{
    Notifications, RunState, SourceMode, SourceStatus, WatchEvent, WatchHandle, WatchService,
    WatchSetup,
};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::error::{CommandError, CommandResult};
use crate::ipc::{DashboardView, SourceStatusView};
use crate::state::{lock, AppState};

/// The running watch service, once a person is registered.
#[derive(Default)]
pub struct Watching {
    handle: Mutex<Option<WatchHandle>>,
    /// Why watching could not start, shown on the dashboard.
    problem: Mutex<Option<String>>,
}

impl Watching {
    /// The dashboard: each source's state in words.
    pub fn dashboard(&self, open_alerts: u32) -> DashboardView {
        let guard = lock(&self.handle);
        let Some(handle) = guard.as_ref() else {
            let words = lock(&self.problem)
                .clone()
                .unwrap_or_else(|| "not watching yet: tell Doppelwatch who you are first".into());
            return DashboardView {
                paused: false,
                sources: vec![SourceStatusView {
                    platform: "all".into(),
                    state: "stopped".into(),
                    words,
                }],
                open_alerts,
            };
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

    /// Runs every check now.
    pub fn check_now(&self) -> CommandResult<()> {
        self.with(|h| h.check_now())
    }

    /// Pauses or resumes.
    pub fn pause(&self, paused: bool) -> CommandResult<()> {
        self.with(|h| h.pause(paused))
    }

    /// Shows pending notifications now (after the person acted on alerts).
    pub fn wake_notifier(&self) {
        let _ = self.with(|h| h.wake_notifier());
    }

    fn with(&self, f: impl FnOnce(&WatchHandle)) -> CommandResult<()> {
        match lock(&self.handle).as_ref() {
            Some(handle) => {
                f(handle);
                Ok(())
            }
            None => Err(CommandError::unavailable(
                "not watching yet: tell Doppelwatch who you are first",
            )),
        }
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

/// (Re)starts watching for `identity` (after onboarding, or at launch).
pub fn restart(app: &AppHandle, id: IdentityId, identity: Identity) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let watching = app.state::<Watching>();
        let old = lock(&watching.handle).take();
        if let Some(old) = old {
            old.stop().await;
        }
        let state = app.state::<AppState>();
        let config = state.config();
        // Demo mode uses no keychain (the fakes need no credentials to be read).
        let keychain = (!state.demo).then_some(&state.keychain);
        let setup = match WatchSetup::from_config(&config, None, keychain) {
            Ok(setup) => setup,
            Err(e) => {
                tracing::error!("cannot start watching: {e}");
                *lock(&watching.problem) = Some(format!("cannot start watching: {e}"));
                return;
            }
        };
        let handle = WatchService::start(
            config.watch.clone(),
            state.store.clone(),
            vec![(id, identity)],
            setup,
            Notifications::desktop(),
        );
        let mut events = handle.subscribe();
        *lock(&watching.handle) = Some(handle);
        *lock(&watching.problem) = None;
        loop {
            match events.recv().await {
                Ok(event) => on_event(&app, event),
                Err(RecvError::Lagged(_)) => crate::tray::refresh(&app),
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Keeps the tray and the window in step with the watch, and opens alerts asked for.
fn on_event(app: &AppHandle, event: WatchEvent) {
    match event {
        WatchEvent::Review { alert_id } => crate::window::show(app, alert_id),
        WatchEvent::NewAlert { .. }
        | WatchEvent::AlertUpdated { .. }
        | WatchEvent::CaseClosed { .. }
        | WatchEvent::Allowed { .. } => alerts_changed(app),
        WatchEvent::CheckDone { .. } | WatchEvent::CheckFailed { .. } => {
            let _ = app.emit("status-changed", ());
        }
    }
}

/// Tells the tray and the window that alerts changed.
pub fn alerts_changed(app: &AppHandle) {
    crate::tray::refresh(app);
    app.state::<Watching>().wake_notifier();
    let count = app.state::<AppState>().open_alert_count();
    let _ = app.emit("alerts-changed", count);
}
