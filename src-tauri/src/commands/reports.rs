//! The report view: draft, official form, filing through the API, evidence bundle; and
//! batches of reports (queued, undone, followed) for the list and the wave grid.

use tauri::{Manager, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, CommandResult};
use crate::ipc::{EvidenceExport, FollowUpView, ReportBatchView, ReportView};
use crate::state::AppState;
use crate::views;
use doppelwatch_watcher::link::WatcherLink;

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
pub async fn file_report(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    alert_id: i64,
) -> CommandResult<ReportView> {
    let report = state.file_report(alert_id).await?;
    crate::watching::alerts_changed(&watcher).await;
    Ok(report)
}

/// Opens the platform's official impersonation form in the default browser and records it.
#[tauri::command]
pub async fn open_report_form(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    alert_id: i64,
) -> CommandResult<()> {
    let url = state.record_form_opened(alert_id)?;
    crate::watching::alerts_changed(&watcher).await;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| CommandError::unavailable(format!("cannot open the browser: {e}")))
}

/// Writes the evidence bundle (one zip with a SHA-256 manifest) to the Downloads folder.
#[tauri::command]
pub fn export_evidence(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    alert_id: i64,
) -> CommandResult<EvidenceExport> {
    state.export_evidence(alert_id, &evidence_dir(&app, &state))
}

/// Where evidence goes: the Downloads folder, else `evidence/` in the data folder.
fn evidence_dir(app: &tauri::AppHandle, state: &AppState) -> std::path::PathBuf {
    app.path()
        .download_dir()
        .unwrap_or_else(|_| state.data_dir.join("evidence"))
}

/// Writes one evidence bundle of a whole wave (every account, one manifest) to the Downloads
/// folder.
#[tauri::command]
pub fn export_wave_evidence(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    wave_id: i64,
) -> CommandResult<EvidenceExport> {
    state.export_wave_evidence(wave_id, &evidence_dir(&app, &state))
}

/// The follow-up draft of a report still unanswered a week later, when one is offered.
#[tauri::command]
pub fn get_follow_up(
    state: State<'_, AppState>,
    alert_id: i64,
) -> CommandResult<Option<FollowUpView>> {
    Ok(state.follow_up(alert_id)?.map(crate::views::follow_up))
}

/// Queues the reports of the ticked alerts as one batch, sent by the background watcher after
/// `undo_secs` (at most an hour); alerts that cannot be filed through an API are left out.
#[tauri::command]
pub fn queue_reports(
    state: State<'_, AppState>,
    ids: Vec<i64>,
    undo_secs: u32,
) -> CommandResult<ReportBatchView> {
    let undo = std::time::Duration::from_secs(undo_secs.min(3600).into());
    let queued = state.queue_reports(&ids, undo)?;
    Ok(views::report_batch(&queued.batch, &queued.refused))
}

/// Cancels what a batch has not sent yet.
#[tauri::command]
pub fn undo_report_batch(state: State<'_, AppState>, id: i64) -> CommandResult<ReportBatchView> {
    Ok(views::report_batch(&state.undo_batch(id)?, &[]))
}

/// Where a batch's reports stand.
#[tauri::command]
pub fn report_batch(state: State<'_, AppState>, id: i64) -> CommandResult<ReportBatchView> {
    Ok(views::report_batch(&state.store.batch(id)?, &[]))
}

/// The batches still sending or interrupted, newest first (a window opened mid-batch).
#[tauri::command]
pub fn open_report_batches(state: State<'_, AppState>) -> CommandResult<Vec<ReportBatchView>> {
    let open = state.open_report_batches()?;
    Ok(open.iter().map(|b| views::report_batch(b, &[])).collect())
}

/// Sends a batch's interrupted reports again, once the person checked they did not arrive.
#[tauri::command]
pub fn retry_report_batch(state: State<'_, AppState>, id: i64) -> CommandResult<ReportBatchView> {
    Ok(views::report_batch(&state.retry_batch(id)?, &[]))
}
