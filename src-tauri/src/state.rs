//! The one managed state of the app: where data lives, the registered person, and (as the core
//! grows) the store and the watch service. Commands are thin adapters over this.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use doppelwatch::identity::Identity;

use crate::error::{CommandError, CommandResult};
use crate::ipc::SettingsView;

/// Everything the commands share.
pub struct AppState {
    /// Running against the bundled fake platforms (`--demo`).
    pub demo: bool,
    /// Where the identity, avatar and database live.
    pub data_dir: PathBuf,
    identity: Mutex<Option<Identity>>,
    settings: Mutex<SettingsView>,
}

impl AppState {
    /// Opens the state in `data_dir`, loading a previously registered identity if there is one.
    pub fn open(data_dir: PathBuf, demo: bool) -> CommandResult<AppState> {
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            CommandError::io(format!(
                "cannot create data folder {}: {e}",
                data_dir.display()
            ))
        })?;
        let identity_path = data_dir.join("identity.json");
        let identity = if identity_path.is_file() {
            Some(Identity::load(&identity_path)?)
        } else {
            None
        };
        Ok(AppState {
            demo,
            data_dir,
            identity: Mutex::new(identity),
            settings: Mutex::new(SettingsView {
                check_interval_minutes: 15,
                x_spending_cap_usd: 5.0,
                quiet_hours: None,
                start_at_login: false,
            }),
        })
    }

    /// The registered person, if any.
    pub fn identity(&self) -> Option<Identity> {
        lock(&self.identity).clone()
    }

    /// Keeps a validated identity and writes it to `identity.json` atomically.
    pub fn set_identity(&self, identity: Identity) -> CommandResult<()> {
        let json = serde_json::to_vec_pretty(&identity)
            .map_err(|e| CommandError::internal(format!("cannot serialise identity: {e}")))?;
        write_atomically(&self.data_dir.join("identity.json"), &json)?;
        *lock(&self.identity) = Some(identity);
        Ok(())
    }

    /// Where the person's avatar (original bytes, for fingerprinting) is kept.
    pub fn avatar_path(&self) -> PathBuf {
        self.data_dir.join("avatar.img")
    }

    /// Current settings.
    pub fn settings(&self) -> SettingsView {
        lock(&self.settings).clone()
    }

    /// Replaces the settings.
    pub fn set_settings(&self, settings: SettingsView) {
        *lock(&self.settings) = settings;
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the data is plain
/// values, still consistent).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves a
/// half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> CommandResult<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| CommandError::io(format!("cannot write {}: {e}", path.display())))
}

// Adapters over the watcher's store and service (issue 4). Until those land in the core, the
// app has no alerts and says plainly that watching is not available yet.
use crate::ipc::{
    AlertAction, AlertDetail, AlertSummary, CredentialInput, CredentialStatus, DashboardView,
    EvidenceExport, ReportView,
};

const NOT_YET: &str = "watching is not available in this build yet (the watch service is missing)";

impl AppState {
    /// Alerts, new first.
    pub fn alerts(&self) -> CommandResult<Vec<AlertSummary>> {
        Ok(Vec::new())
    }

    /// One alert in full.
    pub fn alert(&self, _id: i64) -> CommandResult<Option<AlertDetail>> {
        Ok(None)
    }

    /// Applies the person's decision to an alert.
    pub fn act_on_alert(&self, id: i64, _action: AlertAction) -> CommandResult<AlertSummary> {
        Err(CommandError::not_found(format!(
            "alert {id} does not exist"
        )))
    }

    /// Alerts waiting for the person.
    pub fn open_alert_count(&self) -> u32 {
        0
    }

    /// The report for an alert.
    pub fn report(&self, alert_id: i64) -> CommandResult<ReportView> {
        Err(CommandError::not_found(format!(
            "alert {alert_id} does not exist"
        )))
    }

    /// Keeps an edited draft.
    pub fn save_report_draft(&self, alert_id: i64, _draft: String) -> CommandResult<ReportView> {
        self.report(alert_id)
    }

    /// Files a report through the platform's API.
    pub async fn file_report(&self, alert_id: i64) -> CommandResult<ReportView> {
        self.report(alert_id)
    }

    /// Writes the evidence bundle.
    pub fn export_evidence(&self, alert_id: i64) -> CommandResult<EvidenceExport> {
        Err(CommandError::not_found(format!(
            "alert {alert_id} does not exist"
        )))
    }

    /// The dashboard.
    pub fn dashboard(&self) -> CommandResult<DashboardView> {
        Ok(DashboardView {
            paused: false,
            sources: Vec::new(),
            open_alerts: 0,
        })
    }

    /// Runs every check now.
    pub async fn check_now(&self) -> CommandResult<()> {
        Err(CommandError::unavailable(NOT_YET))
    }

    /// Pauses or resumes watching.
    pub fn set_paused(&self, _paused: bool) -> CommandResult<()> {
        Err(CommandError::unavailable(NOT_YET))
    }

    /// Saves settings.
    pub fn save_settings(&self, settings: SettingsView) -> CommandResult<()> {
        self.set_settings(settings);
        Ok(())
    }

    /// Which credentials are stored.
    pub fn credentials(&self) -> CommandResult<Vec<CredentialStatus>> {
        Ok(Vec::new())
    }

    /// Stores a credential in the keychain.
    pub fn store_credential(&self, _input: CredentialInput) -> CommandResult<()> {
        Err(CommandError::unavailable(NOT_YET))
    }

    /// Sends a test notification.
    pub fn send_test_notification(&self) -> CommandResult<()> {
        Err(CommandError::unavailable(NOT_YET))
    }
}
