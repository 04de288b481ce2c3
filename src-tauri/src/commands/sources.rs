//! The dashboard: each source's state in plain words, check now, pause.

use tauri::State;

use crate::error::CommandResult;
use crate::ipc::DashboardView;
use crate::state::AppState;
use crate::watching::Watching;

/// Each source with its state in plain words.
#[tauri::command]
pub fn dashboard(state: State<'_, AppState>, watching: State<'_, Watching>) -> DashboardView {
    watching.dashboard(state.open_alert_count())
}

/// Runs every source's check now.
#[tauri::command]
pub fn check_now(
    state: State<'_, AppState>,
    watching: State<'_, Watching>,
) -> CommandResult<DashboardView> {
    watching.check_now()?;
    Ok(watching.dashboard(state.open_alert_count()))
}

/// Pauses or resumes watching.
#[tauri::command]
pub fn set_paused(
    state: State<'_, AppState>,
    watching: State<'_, Watching>,
    paused: bool,
) -> CommandResult<DashboardView> {
    watching.pause(paused)?;
    Ok(watching.dashboard(state.open_alert_count()))
}
