//! The window's view of the background watcher: its events reach the webview (and open alerts
//! asked for), and the window's changes reach it.

use std::time::Duration;

use doppelwatch::log_limit::LogLimiter;
use tauri::{AppHandle, Emitter, Manager};

use crate::background::link::WatcherLink;
use crate::background::protocol::{Reply, Request, WatcherEvent};
use crate::error::{CommandError, CommandResult};
use crate::ipc::DashboardView;
use crate::state::AppState;

/// Follows the watcher's events for as long as the window process lives; starts the watcher
/// again if it dies (it is what watches), and closes the window when the person quits it.
pub fn follow(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let link = app.state::<WatcherLink>().inner().clone();
        // Tried every second while the watcher is away: said once, then summarised.
        let log = LogLimiter::default();
        loop {
            match link.subscribe().await {
                Ok(mut events) => {
                    log.recovered("watcher-link", "the watcher answers again");
                    while let Some(event) = events.next().await {
                        if on_event(&app, event) {
                            app.exit(0);
                            return;
                        }
                    }
                }
                Err(e) => log.warn("watcher-link", e),
            }
            let _ = app.emit("status-changed", ());
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Err(e) = link.ensure_running().await {
                log.warn(
                    "watcher-start",
                    format_args!("cannot start the watcher: {e}"),
                );
            }
        }
    });
}

/// Handles one event; true when the window should close (the watcher quit on request).
fn on_event(app: &AppHandle, event: WatcherEvent) -> bool {
    match event {
        WatcherEvent::Show { at } => crate::window::show_at(app, at),
        WatcherEvent::AlertsChanged { open } => {
            #[cfg(not(target_os = "linux"))]
            crate::tray::refresh(app);
            let _ = app.emit("alerts-changed", open);
        }
        WatcherEvent::StatusChanged => {
            let _ = app.emit("status-changed", ());
        }
        WatcherEvent::Quit => return true,
    }
    false
}

/// Asks the watcher for something that answers with the dashboard.
pub async fn dashboard(
    link: &WatcherLink,
    state: &AppState,
    request: Request,
) -> CommandResult<DashboardView> {
    match link.request(&request).await {
        Ok(Reply::Dashboard { dashboard }) => Ok(dashboard),
        Ok(Reply::Error { message }) => Err(CommandError::unavailable(message)),
        Ok(other) => Err(CommandError::internal(format!(
            "unexpected answer from the watcher: {other:?}"
        ))),
        Err(e) if request == Request::Dashboard => Ok(crate::background::status::not_watching(
            &e,
            state.open_alert_count(),
        )),
        Err(e) => Err(CommandError::unavailable(e)),
    }
}

/// Tells the watcher that the person acted on alerts (tray count, pending notifications).
pub async fn alerts_changed(link: &WatcherLink) {
    if let Err(e) = link.request(&Request::AlertsChanged).await {
        tracing::warn!("{e}");
    }
}
