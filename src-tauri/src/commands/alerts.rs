//! The alerts inbox and the alert view.

use tauri::State;

use crate::background::link::WatcherLink;
use crate::error::CommandResult;
use crate::ipc::{AlertAction, AlertDetail, AlertSummary};
use crate::state::AppState;

/// Alerts, new first.
#[tauri::command]
pub fn list_alerts(state: State<'_, AppState>) -> CommandResult<Vec<AlertSummary>> {
    state.alerts()
}

/// One alert with both accounts side by side and the reasons.
#[tauri::command]
pub fn get_alert(state: State<'_, AppState>, id: i64) -> CommandResult<AlertDetail> {
    state.alert(id)
}

/// Records what the person decided: not an impostor, snooze, or seen.
#[tauri::command]
pub async fn act_on_alert(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    id: i64,
    action: AlertAction,
) -> CommandResult<AlertSummary> {
    let summary = state.act_on_alert(id, action)?;
    crate::watching::alerts_changed(&watcher).await;
    Ok(summary)
}

/// Alerts still waiting for the person (new or seen, not reported, dismissed or snoozed),
/// impostors and worth-a-look apart.
pub fn open_alert_count(state: &AppState) -> crate::ipc::OpenAlerts {
    state.open_alert_count()
}
