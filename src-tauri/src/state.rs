//! The one managed state of the window: the core's app facade ([`doppelwatch::app::App`]),
//! which holds the store, settings, keychain, drafts and credential rules. The methods here
//! only turn the facade's answers into the IPC views the UI reads; nothing is decided here.

use std::ops::Deref;
use std::path::{Path, PathBuf};

use chrono::Utc;
use doppelwatch::app::{App, ReportCase, Settings};
use doppelwatch::config::Config;
use doppelwatch::notify::{DesktopNotifier, Notice, NotificationSink};
use doppelwatch::store::AlertState;

use crate::error::{CommandError, CommandResult};
use crate::ipc::{
    AlertAction, AlertDetail, AlertSummary, CredentialInput, CredentialStatus, EvidenceExport,
    QuietHours, ReportView, SettingsView,
};
use crate::views;

/// Everything the commands share: the core facade.
pub struct AppState {
    app: App,
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// Opens the facade over `data_dir` (`config` already resolved); demo mode keeps secrets
    /// in memory, with the fake Bluesky's app password for the person.
    pub fn open(
        data_dir: PathBuf,
        demo: bool,
        config: Config,
        config_path: Option<PathBuf>,
    ) -> CommandResult<AppState> {
        let app = App::open(data_dir, config, config_path)?;
        let app = if demo {
            app.into_demo(Box::new(doppelwatch_watcher::demo::demo_secret))
        } else {
            app
        };
        Ok(AppState { app })
    }

    // --- alerts ---

    /// One alert in full, with the impostor's avatar from the store.
    pub fn alert(&self, id: i64) -> CommandResult<AlertDetail> {
        let alert = self.store.alert(id)?;
        let avatar = match &alert.avatar_sha256 {
            Some(sha) => self.store.avatar(sha)?,
            None => None,
        };
        let posts = self.store.alert_posts(id)?;
        Ok(views::detail(&alert, avatar, &posts, Utc::now()))
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
        doppelwatch_watcher::open_alerts(&self.store)
    }

    // --- reports ---

    /// The report for an alert: the core's draft or the person's stored edit, and the status.
    pub fn report(&self, alert_id: i64) -> CommandResult<ReportView> {
        Ok(report_view(&self.app.report(alert_id)?))
    }

    /// Keeps an edited draft (in the store: it survives closing the window).
    pub fn save_report_draft(&self, alert_id: i64, draft: String) -> CommandResult<ReportView> {
        Ok(report_view(&self.app.save_report_draft(alert_id, &draft)?))
    }

    /// Files a report through the platform's API with the person's credentials.
    pub async fn file_report(&self, alert_id: i64) -> CommandResult<ReportView> {
        Ok(report_view(&self.app.file_report(alert_id).await?))
    }

    /// Writes the evidence bundle (one zip) to `dir` under a new name: an existing file is
    /// never replaced (a second export in the same second gets `-2`, `-3`, ...).
    pub fn export_evidence(&self, alert_id: i64, dir: &Path) -> CommandResult<EvidenceExport> {
        Ok(evidence_export(self.app.export_evidence(alert_id, dir)?))
    }

    /// Writes the evidence bundle of a whole wave to `dir` under a new name, likewise.
    pub fn export_wave_evidence(&self, wave_id: i64, dir: &Path) -> CommandResult<EvidenceExport> {
        Ok(evidence_export(
            self.app.export_wave_evidence(wave_id, dir)?,
        ))
    }

    // --- settings ---

    /// Current settings (start at login is filled in by the command, from the OS).
    pub fn settings(&self) -> SettingsView {
        let s = self.app.settings();
        SettingsView {
            check_interval_minutes: s.check_interval_minutes,
            budgets: s.budgets,
            quiet_hours: s.quiet_hours.map(|(start, end)| QuietHours { start, end }),
            start_at_login: false,
            worth_a_look_digest: s.worth_a_look_digest,
        }
    }

    /// Saves settings through the core, which checks them against the settings ranges.
    pub fn save_settings(&self, settings: SettingsView) -> CommandResult<()> {
        self.app.save_settings(&Settings {
            check_interval_minutes: settings.check_interval_minutes,
            budgets: settings.budgets,
            quiet_hours: settings.quiet_hours.map(|q| (q.start, q.end)),
            worth_a_look_digest: settings.worth_a_look_digest,
        })
    }

    /// The keychain entries the person's accounts can use, and whether each is stored.
    pub fn credentials(&self) -> CommandResult<Vec<CredentialStatus>> {
        Ok(self
            .app
            .credentials()
            .into_iter()
            .map(|c| CredentialStatus {
                platform: c.platform.to_string(),
                what: c.what,
                stored: c.stored,
            })
            .collect())
    }

    /// Stores a credential in the keychain (in memory in demo mode).
    pub fn store_credential(&self, input: CredentialInput) -> CommandResult<()> {
        self.app
            .store_credential(input.platform.as_str(), &input.account, &input.secret)
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

/// A report case as the UI shows it.
fn evidence_export(bundle: doppelwatch::report::evidence::BundleSummary) -> EvidenceExport {
    EvidenceExport {
        path: bundle.path.display().to_string(),
        files: bundle.files.into_iter().map(|(name, _)| name).collect(),
    }
}

fn report_view(case: &ReportCase) -> ReportView {
    views::report_view(
        &case.alert,
        &case.draft,
        case.edited.as_deref(),
        &case.reports,
    )
}

pub use doppelwatch_watcher::lock;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ipc::{AlertStateView, SnoozeLength};
    use chrono::{DateTime, TimeZone};
    use doppelwatch::detect::{Assessment, Reason, Signal, Verdict};
    use doppelwatch::identity::{AccountHandle, Identity, Platform};
    use doppelwatch::profile::Profile;
    use doppelwatch::sources::{Found, FoundBy};
    use doppelwatch::store::{AlertChange, Finding};

    /// A data dir of its own under the system temp dir, removed when dropped.
    pub(crate) struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + secs, 0).unwrap()
    }

    /// An app over a real store file holding `n` new alerts; returns their ids.
    pub(crate) fn app_with_alerts(name: &str, n: usize) -> (TempDir, AppState, Vec<i64>) {
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
            budgets: [("x".to_string(), cap)].into(),
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
        assert_eq!(err.kind, crate::error::ErrorKind::Invalid, "{err:?}");
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
