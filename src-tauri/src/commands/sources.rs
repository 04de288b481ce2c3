//! The dashboard: each source's state, check now, pause.

use tauri::State;

use crate::error::CommandResult;
use crate::ipc::DashboardView;
use crate::state::AppState;

/// Each source with its state in plain words.
#[tauri::command]
pub fn dashboard(state: State<'_, AppState>) -> CommandResult<DashboardView> {
    state.dashboard()
}

/// Runs every source's check now.
#[tauri::command]
pub async fn check_now(state: State<'_, AppState>) -> CommandResult<DashboardView> {
    state.check_now().await?;
    state.dashboard()
}

/// Pauses or resumes watching.
#[tauri::command]
pub fn set_paused(state: State<'_, AppState>, paused: bool) -> CommandResult<DashboardView> {
    state.set_paused(paused)?;
    state.dashboard()
}
