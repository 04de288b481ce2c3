//! The wave view: the accounts of one wave, for the grid.

use tauri::State;

use crate::error::CommandResult;
use crate::ipc::WaveView;
use crate::state::AppState;

/// One wave with its alerts.
#[tauri::command]
pub fn get_wave(state: State<'_, AppState>, id: i64) -> CommandResult<WaveView> {
    state.wave(id)
}
