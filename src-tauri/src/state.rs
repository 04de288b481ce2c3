//! The one managed state of the app: the store, settings, keychain and (once a person is
//! registered) the watch service. Commands are thin adapters over these methods, which are in
//! turn thin adapters over the core.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use doppelwatch::config::Config;
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::notify::{DesktopNotifier, Notice, NotificationSink};
use doppelwatch::report;
use doppelwatch::secrets::{Keychain, Secret, SecretKey};
use doppelwatch::sources::own_profile::own_avatar;
use doppelwatch::store::{AlertFilter, AlertState, IdentityId, Store, StoreError};
use doppelwatch::watch::WatchSetup;

use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::ipc::{
    AlertAction, AlertDetail, AlertSummary, CredentialInput, CredentialStatus, EvidenceExport,
    QuietHours, ReportView, SettingsRanges, SettingsView,
};
use crate::views;

/// Everything the commands share.
pub struct AppState {
    /// Running against the bundled fake platforms (`--demo`).
    pub demo: bool,
    /// Where the database and the person's avatar live.
    pub data_dir: PathBuf,
    pub store: Arc<Store>,
    pub keychain: Keychain,
    /// Where settings are saved; `None` in demo mode (nothing is written outside the demo).
    config_path: Option<PathBuf>,
    config: Mutex<Config>,
    /// The person's edits of report drafts, per alert (kept while the app runs).
    drafts: Mutex<HashMap<i64, String>>,
    /// Secrets demo mode uses instead of the keychain (the fake platforms' passwords).
    demo_secrets: Mutex<HashMap<String, String>>,
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => CommandError::not_found(e.to_string()),
            StoreError::InvalidTransition { .. } | StoreError::InvalidSnooze { .. } => {
                CommandError::invalid(e.to_string())
            }
            other => CommandError::io(other.to_string()),
        }
    }
}

impl AppState {
    /// Opens the store in `data_dir` and loads settings (`config` already resolved).
    pub fn open(
        data_dir: PathBuf,
        demo: bool,
        config: Config,
        config_path: Option<PathBuf>,
    ) -> CommandResult<AppState> {
        doppelwatch::files::private::ensure_private_dir(&data_dir).map_err(|e| {
            CommandError::io(format!(
                "cannot create data folder {}: {e}",
                data_dir.display()
            ))
        })?;
        let store = Arc::new(Store::open_in(&data_dir)?);
        Ok(AppState {
            demo,
            data_dir,
            store,
            keychain: Keychain::new(),
            config_path,
            config: Mutex::new(config),
            drafts: Mutex::new(HashMap::new()),
            demo_secrets: Mutex::new(HashMap::new()),
        })
    }

    /// The registered person (the most recently registered identity), with its id.
    pub fn identity(&self) -> Option<(IdentityId, Identity)> {
        self.store.identities().ok().and_then(|mut ids| ids.pop())
    }

    /// Keeps a validated identity in the store; returns its id.
    pub fn set_identity(&self, identity: &Identity) -> CommandResult<IdentityId> {
        Ok(self.store.upsert_identity(identity)?)
    }

    /// Where the person's avatar (original bytes, for fingerprinting) is kept.
    pub fn avatar_path(&self) -> PathBuf {
        self.data_dir.join("avatar.img")
    }

    /// The core settings.
    pub fn config(&self) -> Config {
        lock(&self.config).clone()
    }

    /// Changes the core settings in memory (demo mode points the sources at the fakes).
    pub fn set_config(&self, config: Config) {
        *lock(&self.config) = config;
    }

    /// Remembers a secret for demo mode only.
    pub fn set_demo_secret(&self, key: &SecretKey, value: &str) {
        lock(&self.demo_secrets).insert(key.account(), value.to_string());
    }

    /// A secret: from demo memory in demo mode, else from the OS keychain.
    pub fn secret(&self, key: &SecretKey) -> CommandResult<Option<Secret>> {
        if self.demo {
            // The fake Bluesky of the demo takes the demo's app password for the person.
            let demo_default = matches!(key, SecretKey::BlueskyAppPassword { .. })
                .then_some(crate::background::demo::DEMO_APP_PASSWORD);
            return Ok(lock(&self.demo_secrets)
                .get(&key.account())
                .map(String::as_str)
                .or(demo_default)
                .map(Secret::new));
        }
        self.keychain
            .get(key)
            .map_err(|e| CommandError::new(ErrorKind::Keychain, e.to_string()))
    }

    /// The picture of the person's own profile on `platform` (a network read through that
    /// platform's source; on X a paid read).
    pub async fn own_avatar(&self, platform: &str, handle: &str) -> CommandResult<Vec<u8>> {
        let platform = Platform::parse(platform);
        let handle = doppelwatch::identity::validate_handle(&platform, handle)
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        let config = self.config();
        let keychain = (!self.demo).then_some(&self.keychain);
        let setup =
            WatchSetup::from_config(&config, Some(std::slice::from_ref(&platform)), keychain)
                .map_err(|e| CommandError::unavailable(e.to_string()))?;
        let source = setup
            .sources
            .into_iter()
            .find(|s| s.platform() == platform)
            .ok_or_else(|| {
                CommandError::unavailable(format!(
                    "{platform} is off in the settings or needs credentials: choose a file instead"
                ))
            })?;
        own_avatar(source.as_ref(), &handle, &config.http)
            .await
            .map(|(_, bytes)| bytes)
            .map_err(|e| CommandError::unavailable(e.to_string()))
    }

    // --- alerts ---

    /// Alerts, newest first (the UI puts new ones first).
    pub fn alerts(&self) -> CommandResult<Vec<AlertSummary>> {
        Ok(self
            .store
            .alerts(&AlertFilter::default())?
            .iter()
            .map(views::summary)
            .collect())
    }

    /// One alert in full, with the impostor's avatar from the store.
    pub fn alert(&self, id: i64) -> CommandResult<AlertDetail> {
        let alert = self.store.alert(id)?;
        let avatar = match &alert.avatar_sha256 {
            Some(sha) => self.store.avatar(sha)?,
            None => None,
        };
        Ok(views::detail(&alert, avatar, Utc::now()))
    }

    /// Applies the person's decision to an alert.
    pub fn act_on_alert(&self, id: i64, action: AlertAction) -> CommandResult<AlertSummary> {
        self.act_on_alert_at(id, action, Utc::now())
    }

    /// [`AppState::act_on_alert`] at `now` (a snooze lasts from `now`).
    pub fn act_on_alert_at(
        &self,
        id: i64,
        action: AlertAction,
        now: chrono::DateTime<Utc>,
    ) -> CommandResult<AlertSummary> {
        let (state, note) = match action {
            AlertAction::NotImpostor => {
                (AlertState::Allowed, "the person says it is not an impostor")
            }
            AlertAction::Snooze(length) => {
                let until = now + chrono::Duration::days(length.days());
                return Ok(views::summary(&self.store.snooze_alert(id, until, now)?));
            }
            AlertAction::Seen => (AlertState::Seen, "opened in the app"),
        };
        Ok(views::summary(&self.store.set_alert_state(
            id,
            state,
            Some(note),
        )?))
    }

    /// Alerts waiting for the person (new or seen; not snoozed, reported or closed),
    /// impostors and worth-a-look apart.
    pub fn open_alert_count(&self) -> crate::ipc::OpenAlerts {
        crate::background::open_alerts(&self.store)
    }

    // --- reports ---

    /// The report for an alert: the core's draft or the person's edit, and the case status.
    pub fn report(&self, alert_id: i64) -> CommandResult<ReportView> {
        let alert = self.store.alert(alert_id)?;
        let draft = report::draft(&alert, None);
        let reports = self.store.reports_for(alert_id)?;
        let edited = lock(&self.drafts).get(&alert_id).cloned();
        Ok(views::report_view(
            &alert,
            &draft,
            edited.as_deref(),
            &reports,
        ))
    }

    /// Keeps an edited draft.
    pub fn save_report_draft(&self, alert_id: i64, draft: String) -> CommandResult<ReportView> {
        lock(&self.drafts).insert(alert_id, draft);
        self.report(alert_id)
    }

    /// Records that the official form was opened with the draft; returns the form's URL.
    pub fn record_form_opened(&self, alert_id: i64) -> CommandResult<String> {
        let alert = self.store.alert(alert_id)?;
        let url = report::draft(&alert, None).form_url.ok_or_else(|| {
            CommandError::unavailable(
                "this platform has no official web form; file the report through the app",
            )
        })?;
        report::record_form_report(&self.store, alert_id, &alert.platform, Utc::now())
            .map_err(|e| CommandError::io(e.to_string()))?;
        Ok(url)
    }

    /// Files a report through the platform's API with the person's credentials.
    pub async fn file_report(&self, alert_id: i64) -> CommandResult<ReportView> {
        let alert = self.store.alert(alert_id)?;
        let filer = crate::filing::filer_for(self, &alert)?;
        let edited = lock(&self.drafts).get(&alert_id).cloned();
        report::file_report_with_text(
            &self.store,
            alert_id,
            filer.as_ref(),
            edited.as_deref(),
            self.config().watch.report_daily_cap,
            Utc::now(),
        )
        .await
        .map_err(crate::filing::report_error)?;
        self.report(alert_id)
    }

    /// Writes the evidence bundle (one zip) to `dir` under a new name: an existing file is
    /// never replaced (a second export in the same second gets `-2`, `-3`, ...).
    pub fn export_evidence(&self, alert_id: i64, dir: &Path) -> CommandResult<EvidenceExport> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CommandError::io(format!("cannot create {}: {e}", dir.display())))?;
        let now = Utc::now();
        let stem = format!(
            "doppelwatch-evidence-alert-{alert_id}-{}",
            now.format("%Y%m%d-%H%M%S")
        );
        for n in 1..=100 {
            let name = if n == 1 {
                format!("{stem}.zip")
            } else {
                format!("{stem}-{n}.zip")
            };
            match report::evidence::export_bundle(&self.store, alert_id, &dir.join(name), now) {
                Ok(bundle) => {
                    return Ok(EvidenceExport {
                        path: bundle.path.display().to_string(),
                        files: bundle.files.into_iter().map(|(name, _)| name).collect(),
                    })
                }
                Err(report::evidence::EvidenceError::Output(
                    doppelwatch::files::output::OutputError::Exists { .. },
                )) => continue,
                Err(e) => return Err(CommandError::io(e.to_string())),
            }
        }
        Err(CommandError::io(format!(
            "{} already holds 100 bundles of alert {alert_id} from this second; try again",
            dir.display()
        )))
    }

    // --- settings ---

    /// Current settings (start at login is filled in by the command, from the OS).
    pub fn settings(&self) -> SettingsView {
        let config = self.config();
        SettingsView {
            check_interval_minutes: (config.watch.check_interval_secs / 60).max(1) as u32,
            x_spending_cap_usd: config.x.daily_cap_usd,
            quiet_hours: config.watch.quiet_hours.map(|q| QuietHours {
                start: q.start.format("%H:%M").to_string(),
                end: q.end.format("%H:%M").to_string(),
            }),
            start_at_login: false,
            worth_a_look_digest: config.watch.worth_a_look_digest,
        }
    }

    /// Saves settings: the core's into its settings file, the app's beside it.
    pub fn save_settings(&self, settings: SettingsView) -> CommandResult<()> {
        let ranges = SettingsRanges::get();
        let minutes = ranges.check_interval_minutes;
        if !minutes.contains(f64::from(settings.check_interval_minutes)) {
            return Err(CommandError::invalid(format!(
                "check interval: type a whole number of minutes from {} to {}",
                minutes.min, minutes.max
            )));
        }
        let cap = ranges.x_spending_cap_usd;
        if !cap.contains(settings.x_spending_cap_usd) {
            return Err(CommandError::invalid(format!(
                "X spending cap: type an amount in dollars from {} to {}",
                cap.min, cap.max
            )));
        }
        let quiet_hours = match &settings.quiet_hours {
            Some(q) => {
                let time = |t: &str| {
                    chrono::NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
                        CommandError::invalid(format!(
                            "quiet hours: {t:?} is not a time like 22:00"
                        ))
                    })
                };
                Some(doppelwatch::notify::QuietHours {
                    start: time(&q.start)?,
                    end: time(&q.end)?,
                })
            }
            None => None,
        };
        let apply = |config: &mut Config| {
            config.watch.check_interval_secs = u64::from(settings.check_interval_minutes) * 60;
            config.x.daily_cap_usd = settings.x_spending_cap_usd;
            config.watch.quiet_hours = quiet_hours;
            config.watch.worth_a_look_digest = settings.worth_a_look_digest;
        };
        // Nothing out of range is kept, in memory or on disk.
        let in_range = |config: &Config| {
            config
                .check_ranges()
                .map_err(|e| CommandError::invalid(e.to_string()))
        };
        let mut in_memory = self.config();
        apply(&mut in_memory);
        in_range(&in_memory)?;
        let Some(path) = &self.config_path else {
            self.set_config(in_memory);
            return Ok(()); // demo: settings live in memory only
        };
        // Start from the file as written (not the env-overridden config) and change our fields.
        let mut on_disk = if path.exists() {
            Config::read_file(path).map_err(|e| CommandError::io(e.to_string()))?
        } else {
            Config::default()
        };
        apply(&mut on_disk);
        in_range(&on_disk)?;
        if let Some(dir) = path.parent() {
            private_config_dir(dir)?;
        }
        let json = serde_json::to_vec_pretty(&on_disk)
            .map_err(|e| CommandError::internal(e.to_string()))?;
        write_atomically(path, &json)?;
        self.set_config(in_memory);
        Ok(())
    }

    /// The keychain entries the person's accounts can use, and whether each is stored.
    pub fn credentials(&self) -> CommandResult<Vec<CredentialStatus>> {
        let mut wanted = Vec::new();
        if let Some((_, identity)) = self.identity() {
            for h in &identity.handles {
                match h.platform {
                    Platform::Bluesky => wanted.push((
                        "bluesky",
                        format!("app password for {}", h.handle),
                        SecretKey::BlueskyAppPassword {
                            handle: h.handle.clone(),
                        },
                    )),
                    Platform::Mastodon => {
                        let server = h.handle.rsplit('@').next().unwrap_or_default().to_string();
                        wanted.push((
                            "mastodon",
                            format!("access token for {server}"),
                            SecretKey::MastodonToken { server },
                        ))
                    }
                    _ => {}
                }
            }
        }
        wanted.push(("x", "API bearer token".into(), SecretKey::XBearerToken));
        Ok(wanted
            .into_iter()
            .map(|(platform, what, key)| {
                let stored = self.secret(&key).ok().flatten().is_some();
                CredentialStatus {
                    platform: platform.into(),
                    what,
                    stored,
                }
            })
            .collect())
    }

    /// Stores a credential in the keychain (in memory in demo mode).
    pub fn store_credential(&self, input: CredentialInput) -> CommandResult<()> {
        if input.secret.trim().is_empty() {
            return Err(CommandError::invalid(
                "the secret is empty: paste the password or token",
            ));
        }
        let account = input
            .account
            .trim()
            .trim_start_matches('@')
            .to_ascii_lowercase();
        let key =
            match Platform::parse(&input.platform) {
                Platform::Bluesky if !account.is_empty() => {
                    SecretKey::BlueskyAppPassword { handle: account }
                }
                Platform::Mastodon if !account.is_empty() => SecretKey::MastodonToken {
                    server: account.rsplit('@').next().unwrap_or_default().to_string(),
                },
                Platform::X => SecretKey::XBearerToken,
                Platform::Bluesky | Platform::Mastodon => return Err(CommandError::invalid(
                    "type the account (Bluesky handle or Mastodon server) the secret belongs to",
                )),
                other => {
                    return Err(CommandError::invalid(format!(
                        "{other} has no credentials in Doppelwatch"
                    )))
                }
            };
        if self.demo {
            self.set_demo_secret(&key, input.secret.trim());
            return Ok(());
        }
        self.keychain
            .set(&key, &Secret::new(input.secret.trim()))
            .map_err(|e| CommandError::new(ErrorKind::Keychain, e.to_string()))
    }

    /// Sends a test notification through the same notifier as real alerts.
    pub fn send_test_notification(&self) -> CommandResult<()> {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        DesktopNotifier::new(tx)
            .show(&Notice {
                summary: "Doppelwatch test notification".into(),
                body: "Notifications work. You will get one like this when an account copies you."
                    .into(),
                actions: Vec::new(),
                outbox_ids: Vec::new(),
            })
            .map_err(|e| {
                CommandError::unavailable(format!(
                    "{e}. Check that your desktop shows notifications."
                ))
            })
    }
}

pub use crate::background::lock;

/// Writes `bytes` to `path` through a private (0600) temporary file, created afresh, and a
/// rename, so a crash never leaves a half-written file and the result is private.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> CommandResult<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(doppelwatch::files::private::FILE_MODE);
    }
    options
        .open(&tmp)
        .and_then(|mut file| {
            doppelwatch::files::private::restrict_file(&file);
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CommandError::io(format!("cannot write {}: {e}", path.display()))
        })
}

/// The settings file's folder: created 0700; the default folder is also tightened if an older
/// version left it 0755 (a folder the person chose through `DOPPELWATCH_CONFIG` keeps its mode).
fn private_config_dir(dir: &Path) -> CommandResult<()> {
    let is_default = Config::default_path()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .is_some_and(|d| d == dir);
    let made = if is_default || !dir.exists() {
        doppelwatch::files::private::ensure_private_dir(dir)
    } else {
        Ok(())
    };
    made.map_err(|e| CommandError::io(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::{AlertStateView, SnoozeLength};
    use chrono::{DateTime, TimeZone};
    use doppelwatch::detect::{Assessment, Reason, Signal, Verdict};
    use doppelwatch::identity::AccountHandle;
    use doppelwatch::profile::Profile;
    use doppelwatch::sources::{Found, FoundBy};
    use doppelwatch::store::{AlertChange, Finding};

    /// A data dir of its own under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + secs, 0).unwrap()
    }

    /// An app over a real store file holding `n` new alerts; returns their ids.
    fn app_with_alerts(name: &str, n: usize) -> (TempDir, AppState, Vec<i64>) {
        let dir = TempDir(
            std::env::temp_dir().join(format!("doppelwatch-desktop-{name}-{}", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&dir.0);
        let app = AppState::open(dir.0.clone(), false, Config::default(), None).unwrap();
        let identity = Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.com".into(),
            }],
            avatar: None,
            bio: None,
        };
        let identity_id = app.store.upsert_identity(&identity).unwrap();
        let assessment = Assessment {
            verdict: Verdict::Impostor,
            score: 0.9,
            reasons: vec![Reason {
                signal: Signal::DisplayName,
                detail: "display name copies yours".into(),
            }],
        };
        let ids = (0..n)
            .map(|i| {
                let found = Found {
                    profile: Profile {
                        platform: Platform::Bluesky,
                        handle: format!("palmer-{i}.bsky.social"),
                        display_name: Some("PaImer Report".into()),
                        platform_id: Some(format!("did:plc:imp{i}")),
                        ..Profile::default()
                    },
                    found_by: FoundBy::Live,
                    avatar_image: None,
                };
                let finding = Finding {
                    identity_id,
                    found: &found,
                    assessment: &assessment,
                };
                match app.store.record_finding(finding, t(0)).unwrap().alert {
                    AlertChange::New(id) => id,
                    other => panic!("expected a new alert, got {other:?}"),
                }
            })
            .collect();
        (dir, app, ids)
    }

    #[test]
    fn settings_out_of_range_are_never_saved() {
        let dir = TempDir(
            std::env::temp_dir().join(format!("doppelwatch-desktop-ranges-{}", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&dir.0);
        let path = dir.0.join("config").join("config.json");
        let app = AppState::open(
            dir.0.join("data"),
            false,
            Config::default(),
            Some(path.clone()),
        )
        .unwrap();
        let view = |minutes, cap| SettingsView {
            check_interval_minutes: minutes,
            x_spending_cap_usd: cap,
            quiet_hours: None,
            start_at_login: false,
            worth_a_look_digest: true,
        };
        for (minutes, cap) in [
            (0, 1.0),
            (10_081, 1.0),
            (60, 1e308),
            (60, -1.0),
            (60, f64::NAN),
        ] {
            let err = app.save_settings(view(minutes, cap)).unwrap_err();
            assert_eq!(
                err.kind,
                crate::error::ErrorKind::Invalid,
                "{minutes} {cap}"
            );
            assert!(!path.exists(), "{minutes} {cap} was not written");
        }
        assert_eq!(app.config(), Config::default(), "nor kept in memory");
        app.save_settings(view(60, 2.5)).unwrap();
        let saved = Config::read_file(&path).unwrap();
        assert_eq!(saved.watch.check_interval_secs, 3600);
        assert_eq!(saved.x.daily_cap_usd, 2.5);
        // A file edited out of range by hand is not written back with the bad value in it.
        let edited = r#"{"watch": {"jitter": 5}}"#;
        std::fs::write(&path, edited).unwrap();
        let err = app.save_settings(view(30, 1.0)).unwrap_err();
        assert!(err.message.contains("watch.jitter is 5"), "{}", err.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
        assert_eq!(
            app.config().watch.check_interval_secs,
            3600,
            "memory as last saved"
        );
    }

    #[test]
    fn snooze_choices_map_to_timed_snoozes_that_leave_the_open_count() {
        let (_dir, app, ids) = app_with_alerts("snooze-map", 4);
        assert_eq!(app.open_alert_count().impostors, 4);
        let now = t(100);
        for (id, length, days) in [
            (ids[0], SnoozeLength::OneDay, 1),
            (ids[1], SnoozeLength::OneWeek, 7),
            (ids[2], SnoozeLength::ThirtyDays, 30),
        ] {
            let summary = app
                .act_on_alert_at(id, AlertAction::Snooze(length), now)
                .unwrap();
            assert_eq!(summary.state, AlertStateView::Snoozed);
            let until = summary
                .snoozed_until
                .expect("a snoozed alert says until when");
            let until = DateTime::parse_from_rfc3339(&until).unwrap();
            assert_eq!(until, now + chrono::Duration::days(days), "{length:?}");
            // The alert view's case status says until when, in words.
            let report = app.report(id).unwrap();
            assert!(
                report.case_status.starts_with("snoozed until ")
                    && report
                        .case_status
                        .contains("changes its name, bio or picture"),
                "{}",
                report.case_status
            );
        }
        // Snoozed alerts do not wait for the person: only the fourth counts.
        assert_eq!(app.open_alert_count().impostors, 1);
        // The other actions still map as before.
        let seen = app.act_on_alert_at(ids[3], AlertAction::Seen, now).unwrap();
        assert_eq!(seen.state, AlertStateView::Seen);
        assert_eq!(seen.snoozed_until, None);
        let allowed = app
            .act_on_alert_at(ids[3], AlertAction::NotImpostor, now)
            .unwrap();
        assert_eq!(allowed.state, AlertStateView::Allowed);
        assert_eq!(app.open_alert_count().impostors, 0);
        // An allowed alert cannot be snoozed: a clear "invalid" error, not an I/O one.
        let err = app
            .act_on_alert_at(ids[3], AlertAction::Snooze(SnoozeLength::OneDay), now)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid, "{err:?}");
        assert!(
            err.message
                .contains("only new or seen alerts can be snoozed"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_digest_setting_is_saved_with_the_others_and_read_back() {
        let dir = TempDir(std::env::temp_dir().join(format!(
            "doppelwatch-desktop-digest-setting-{}",
            std::process::id()
        )));
        let _ = std::fs::remove_dir_all(&dir.0);
        let config_path = dir.0.join("config").join("config.json");
        let app = AppState::open(
            dir.0.join("data"),
            false,
            Config::default(),
            Some(config_path.clone()),
        )
        .unwrap();
        let mut settings = app.settings();
        assert!(settings.worth_a_look_digest, "on by default");
        settings.worth_a_look_digest = false;
        app.save_settings(settings).unwrap();
        assert!(!app.settings().worth_a_look_digest);
        // In the settings file, where the watcher reads it when it restarts.
        let on_disk = Config::read_file(&config_path).unwrap();
        assert!(!on_disk.watch.worth_a_look_digest);
        let reopened =
            AppState::open(dir.0.join("data"), false, on_disk, Some(config_path)).unwrap();
        assert!(!reopened.settings().worth_a_look_digest);
    }

    #[test]
    fn alert_actions_serialize_as_the_ui_sends_them() {
        let snooze: AlertAction = serde_json::from_str(r#"{"snooze":"one_week"}"#).unwrap();
        assert_eq!(snooze, AlertAction::Snooze(SnoozeLength::OneWeek));
        assert_eq!(
            serde_json::to_string(&AlertAction::Snooze(SnoozeLength::ThirtyDays)).unwrap(),
            r#"{"snooze":"thirty_days"}"#
        );
        assert_eq!(
            serde_json::from_str::<AlertAction>(r#""seen""#).unwrap(),
            AlertAction::Seen
        );
        // The old bare "snooze" (no length) is refused rather than guessed.
        assert!(serde_json::from_str::<AlertAction>(r#""snooze""#).is_err());
    }
}
