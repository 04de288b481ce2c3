//! The alerts inbox and the alert view.

use tauri::State;

use crate::error::CommandResult;
use crate::ipc::{
    AlertAction, AlertDetail, AlertKey, AlertListPage, AlertPicture, AlertQuery, AlertSummary,
    BatchResult,
};
use crate::state::AppState;
use doppelwatch_watcher::link::WatcherLink;

/// A page of the alert list: the alerts `query` matches from `offset` on (at most `limit`),
/// new first, with how many match in all. (Async, as the list's other commands: off the
/// window's main thread, so a page is not kept waiting behind the pictures of the last one.)
#[tauri::command]
pub async fn list_alerts(
    state: State<'_, AppState>,
    query: AlertQuery,
    offset: u32,
    limit: u32,
) -> CommandResult<AlertListPage> {
    state.alert_list(&query, offset, limit)
}

/// Every alert `query` matches, as id and platform (what "select all" acts on).
#[tauri::command]
pub async fn list_alert_keys(
    state: State<'_, AppState>,
    query: AlertQuery,
) -> CommandResult<Vec<AlertKey>> {
    state.alert_keys(&query)
}

/// The small pictures of these alerts' accounts (the rows on screen).
#[tauri::command]
pub async fn alert_pictures(
    state: State<'_, AppState>,
    ids: Vec<i64>,
) -> CommandResult<Vec<AlertPicture>> {
    state.alert_pictures(&ids)
}

/// The same decision on many alerts (a selection, a wave): each that can take it does.
#[tauri::command]
pub async fn act_on_alerts(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    ids: Vec<i64>,
    action: AlertAction,
) -> CommandResult<BatchResult> {
    let result = state.act_on_alerts(&ids, action)?;
    crate::watching::alerts_changed(&watcher).await;
    Ok(result)
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
