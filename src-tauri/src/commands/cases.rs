//! Outcomes (issue 12): the dashboard's figures and weekly chart, and every case exported as
//! CSV to the Downloads folder under a new name (never over an existing file).

use tauri::{Manager, State};

use crate::error::CommandResult;
use crate::ipc::OutcomesView;
use crate::state::AppState;

/// Open, reported and taken-down cases, median days to a takedown per platform, and the
/// impostors found per week by outcome.
#[tauri::command]
pub fn outcomes(state: State<'_, AppState>) -> CommandResult<OutcomesView> {
    Ok(crate::views::outcomes(&state.case_figures()?))
}

/// Writes every case as CSV (private, a new file) to the Downloads folder; its path.
#[tauri::command]
pub fn export_cases(app: tauri::AppHandle, state: State<'_, AppState>) -> CommandResult<String> {
    let dir = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| state.data_dir.join("exports"));
    Ok(state.export_cases_csv(&dir)?.display().to_string())
}
