//! The dashboard: each source's state in plain words, check now, pause (all answered by the
//! background watcher, which runs the sources).

use tauri::State;

use crate::error::CommandResult;
use crate::ipc::DashboardView;
use crate::state::AppState;
use crate::watching::dashboard as ask;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::Request;

/// Each source with its state in plain words.
#[tauri::command]
pub async fn dashboard(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
) -> CommandResult<DashboardView> {
    ask(&watcher, &state, Request::Dashboard).await
}

/// Runs every source's check now.
#[tauri::command]
pub async fn check_now(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
) -> CommandResult<DashboardView> {
    ask(&watcher, &state, Request::CheckNow).await
}

/// Pauses or resumes watching.
#[tauri::command]
pub async fn set_paused(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    paused: bool,
) -> CommandResult<DashboardView> {
    ask(&watcher, &state, Request::Pause { paused }).await
}
