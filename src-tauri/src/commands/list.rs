// The one list of the app's IPC surface: every command the webview may call, with its
// arguments and result as Rust types (`State`/`AppHandle` parameters left out), and every event
// the shell emits to the window, with its payload. Read by build.rs (one permission per command)
// and by commands/mod.rs (the invoke handler, the capability file, the TypeScript wrappers in
// ui/src/bindings/commands.ts and the event names).
//
// Adding a command: write it in its module, add its line here, then run
// `cargo test -p doppelwatch-desktop export_bindings` (regenerates the wrappers and
// capabilities/main.json; the test command fails when they drift from this list).
ipc! {
    commands {
        identity::app_info() -> AppInfo;
        identity::get_identity() -> Option<IdentityView>;
        identity::check_handle(platform: PlatformId, handle: String) -> HandleCheck;
        identity::handle_variants(platform: PlatformId, handle: String) -> Vec<VariantView>;
        identity::save_identity(input: IdentityInput) -> IdentityView;
        identity::set_avatar(bytes: Vec<u8>) -> String;
        identity::fetch_own_avatar(platform: PlatformId, handle: String) -> String;
        people::list_people() -> Vec<PersonView>;
        people::add_person(input: IdentityInput) -> PersonView;
        people::update_person(id: i64, input: IdentityInput) -> PersonView;
        people::remove_person(id: i64, with_alerts: bool) -> ();
        people::set_person_avatar(id: i64, bytes: Vec<u8>) -> String;
        alerts::list_alerts(query: AlertQuery, offset: u32, limit: u32) -> AlertListPage;
        alerts::list_alert_keys(query: AlertQuery) -> Vec<AlertKey>;
        alerts::alert_pictures(ids: Vec<i64>) -> Vec<AlertPicture>;
        alerts::act_on_alerts(ids: Vec<i64>, action: AlertAction) -> BatchResult;
        waves::get_wave(id: i64) -> WaveView;
        identity::profile_for_onboarding(platform: PlatformId, handle: String) -> OwnProfileView;
        alerts::get_alert(id: i64) -> AlertDetail;
        alerts::act_on_alert(id: i64, action: AlertAction) -> AlertSummary;
        reports::get_report(alert_id: i64) -> ReportView;
        reports::save_report_draft(alert_id: i64, draft: String) -> ReportView;
        reports::file_report(alert_id: i64) -> ReportView;
        reports::open_report_form(alert_id: i64) -> ();
        reports::export_evidence(alert_id: i64) -> EvidenceExport;
        reports::export_wave_evidence(wave_id: i64) -> EvidenceExport;
        reports::get_follow_up(alert_id: i64) -> Option<FollowUpView>;
        reports::queue_reports(ids: Vec<i64>, undo_secs: u32) -> ReportBatchView;
        reports::undo_report_batch(id: i64) -> ReportBatchView;
        reports::report_batch(id: i64) -> ReportBatchView;
        reports::open_report_batches() -> Vec<ReportBatchView>;
        reports::retry_report_batch(id: i64) -> ReportBatchView;
        cases::outcomes() -> OutcomesView;
        cases::export_cases() -> String;
        sources::dashboard() -> DashboardView;
        sources::check_now() -> DashboardView;
        sources::set_paused(paused: bool) -> DashboardView;
        settings::get_settings() -> SettingsView;
        settings::save_settings(settings: SettingsView) -> SettingsView;
        settings::credentials() -> Vec<CredentialStatus>;
        settings::store_credential(input: CredentialInput) -> Vec<CredentialStatus>;
        settings::send_test_notification() -> ();
    }
    events {
        /// A new alert arrived or one changed: the payload is the open alerts, impostors and
        /// worth-a-look apart.
        ALERTS_CHANGED = "alerts-changed": OpenAlerts;
        /// A source's state changed (a check finished or failed).
        STATUS_CHANGED = "status-changed": ();
        /// A notification (or the tray) asks to open an alert: its id.
        OPEN_ALERT = "open-alert": i64;
        /// A notification that announced several alerts asks to open the alert list.
        OPEN_INBOX = "open-inbox": ();
        /// The worth-a-look digest asks to open the worth-a-look list.
        OPEN_WORTH_A_LOOK = "open-worth-a-look": ();
        /// A wave's notification asks to open the wave: its id.
        OPEN_WAVE = "open-wave": i64;
    }
}
