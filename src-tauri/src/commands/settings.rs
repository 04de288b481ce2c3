//! Settings: intervals, X spending cap, quiet hours, start at login, credentials, test notification.

use tauri::State;
use tauri_plugin_autostart::ManagerExt;

use crate::error::{CommandError, CommandResult};
use crate::ipc::{CredentialInput, CredentialStatus, SettingsView};
use crate::state::AppState;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::Request;

/// Current settings, with start-at-login read from the OS.
#[tauri::command]
pub fn get_settings(app: tauri::AppHandle, state: State<'_, AppState>) -> SettingsView {
    let mut settings = state.settings();
    settings.start_at_login = app.autolaunch().is_enabled().unwrap_or(false);
    settings
}

/// Saves settings; start at login is applied to the OS right away.
#[tauri::command]
pub async fn save_settings(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    settings: SettingsView,
) -> CommandResult<SettingsView> {
    let autostart = app.autolaunch();
    let result = if settings.start_at_login {
        autostart.enable()
    } else {
        autostart.disable()
    };
    result.map_err(|e| CommandError::io(format!("cannot change start at login: {e}")))?;
    state.save_settings(settings)?;
    reload(&watcher).await;
    Ok(get_settings(app, state))
}

/// Which credentials are in the keychain (never the secrets).
#[tauri::command]
pub fn credentials(state: State<'_, AppState>) -> CommandResult<Vec<CredentialStatus>> {
    state.credentials()
}

/// Stores a credential in the OS keychain.
#[tauri::command]
pub async fn store_credential(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    input: CredentialInput,
) -> CommandResult<Vec<CredentialStatus>> {
    state.store_credential(input)?;
    reload(&watcher).await;
    state.credentials()
}

/// The watcher reads settings and credentials when it (re)starts watching.
async fn reload(watcher: &WatcherLink) {
    if let Err(e) = watcher.request(&Request::Reload).await {
        tracing::warn!("{e}");
    }
}

/// Sends a test notification through the same path as real alerts.
#[tauri::command]
pub fn send_test_notification(state: State<'_, AppState>) -> CommandResult<()> {
    state.send_test_notification()
}
