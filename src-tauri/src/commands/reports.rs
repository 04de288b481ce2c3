//! The report view: draft, official form, filing through the API, evidence bundle.

use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, CommandResult};
use crate::ipc::{EvidenceExport, ReportView};
use crate::state::AppState;

/// The report draft and case status for an alert.
#[tauri::command]
pub fn get_report(state: State<'_, AppState>, alert_id: i64) -> CommandResult<ReportView> {
    state.report(alert_id)
}

/// Keeps the person's edits to the draft.
#[tauri::command]
pub fn save_report_draft(
    state: State<'_, AppState>,
    alert_id: i64,
    draft: String,
) -> CommandResult<ReportView> {
    state.save_report_draft(alert_id, draft)
}

/// Files the report through the platform's API (the UI asks for confirmation first).
#[tauri::command]
pub async fn file_report(state: State<'_, AppState>, alert_id: i64) -> CommandResult<ReportView> {
    state.file_report(alert_id).await
}

/// Opens the platform's official impersonation form in the default browser.
#[tauri::command]
pub fn open_report_form(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    alert_id: i64,
) -> CommandResult<()> {
    let url = state.report(alert_id)?.form_url.ok_or_else(|| {
        CommandError::unavailable(
            "this platform has no official web form; file the report through the app",
        )
    })?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| CommandError::internal(format!("cannot open the browser: {e}")))
}

/// Writes the evidence bundle (profile, screenshots of the data, hashes) to the Downloads folder.
#[tauri::command]
pub fn export_evidence(state: State<'_, AppState>, alert_id: i64) -> CommandResult<EvidenceExport> {
    state.export_evidence(alert_id)
}
