//! The shapes that cross IPC, with TypeScript bindings generated from them.
//!
//! Why ts-rs and not tauri-specta: ts-rs is a stable, widely used crate that only derives
//! TypeScript from serde types, with no coupling to a Tauri release (tauri-specta for Tauri 2
//! is still a release candidate pinned to a pre-release specta). The command wrappers in
//! `ui/src/api.ts` are typed with these bindings, so a renamed field breaks `tsc`; the test
//! command regenerates them and fails on drift (`git diff --exit-code ui/src/bindings`).
//!
//! All text in these types may come from an impostor: the UI sets it as text, never as HTML.

use doppelwatch::store::CaseCounts;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The dashboard crosses the watcher's socket too, so the watcher crate owns its shape.
pub use doppelwatch_watcher::protocol::{DashboardView, OpenAlerts, SourceStatusView};

/// The alert list's query, its pages and the keys "select all" acts on are the core's (issue 11:
/// a page at a time, marks by place), crossing IPC as they are.
pub use doppelwatch::app::alert_list::{AlertKey, AlertListPage, AlertQuery};

/// A platform the app watches, as the webview names it: the id of a registered platform
/// (`doppelwatch::platforms::ALL`). In TypeScript it is `Platform`, the union of those ids,
/// generated from the registry, so a typo is a type error; here any other name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformId(&'static str);

impl PlatformId {
    /// The registered platform named exactly `id`, if any.
    pub fn from_id(id: &str) -> Option<PlatformId> {
        doppelwatch::platforms::ALL
            .iter()
            .find(|m| m.id() == id)
            .map(|m| PlatformId(m.id()))
    }

    /// Every registered platform, in the registry's order.
    pub fn all() -> impl Iterator<Item = PlatformId> {
        doppelwatch::platforms::ALL
            .iter()
            .map(|m| PlatformId(m.id()))
    }

    /// The platform's name (`bluesky`, `mastodon`, `x`).
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl From<PlatformId> for doppelwatch::identity::Platform {
    fn from(p: PlatformId) -> Self {
        doppelwatch::identity::Platform::parse(p.as_str())
    }
}

impl Serialize for PlatformId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for PlatformId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        PlatformId::from_id(&name).ok_or_else(|| {
            let ids: Vec<&str> = PlatformId::all().map(PlatformId::as_str).collect();
            serde::de::Error::custom(format!(
                "unknown platform {name:?}: expected one of {}",
                ids.join(", ")
            ))
        })
    }
}

/// `type Platform = "bluesky" | "mastodon" | "x";`, written from the registry.
impl TS for PlatformId {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn docs() -> Option<String> {
        Some(
            "/**\n * A platform the app watches: the id of a registered platform (generated from the\n \
             * core's registry). The command arguments that pick a platform take it, so a typo is a\n \
             * type error.\n */\n"
                .into(),
        )
    }
    fn name(_: &ts_rs::Config) -> String {
        "Platform".into()
    }
    fn inline(_: &ts_rs::Config) -> String {
        let ids: Vec<String> = PlatformId::all().map(|p| format!("\"{}\"", p.0)).collect();
        ids.join(" | ")
    }
    fn decl(cfg: &ts_rs::Config) -> String {
        format!("type Platform = {};", Self::inline(cfg))
    }
    fn decl_concrete(cfg: &ts_rs::Config) -> String {
        Self::decl(cfg)
    }
    fn output_path() -> Option<std::path::PathBuf> {
        Some(std::path::PathBuf::from("Platform.ts"))
    }
}

/// One of the person's handles as typed in onboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandleInput {
    /// `x`, `bluesky`, `mastodon`, ...
    pub platform: String,
    pub handle: String,
}

/// What onboarding sends: the person as typed. Validated by the core before it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IdentityInput {
    pub name: String,
    pub aliases: Vec<String>,
    pub handles: Vec<HandleInput>,
    pub bio: Option<String>,
}

/// The registered person, as shown in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IdentityView {
    pub name: String,
    pub aliases: Vec<String>,
    /// Canonical handles (validated, `@` stripped).
    pub handles: Vec<HandleInput>,
    pub bio: Option<String>,
    /// The avatar re-encoded by Rust as a `data:image/png;base64,` URL, if one was set.
    pub avatar: Option<String>,
}

/// A handle checked as it is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HandleCheck {
    /// The canonical form when valid.
    pub canonical: Option<String>,
    /// Why it is not valid and what to type instead.
    pub error: Option<String>,
}

/// A look-alike handle an impostor could register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VariantView {
    pub handle: String,
    /// How it was made: `homoglyph`, `omission`, `separator`, ...
    pub kind: String,
}

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertStateView {
    New,
    Seen,
    Reported,
    Resolved,
    /// Dismissed: raised again only if the account shows new evidence.
    Dismissed,
    /// Marked "not an impostor": never raised again.
    Allowed,
    /// Snoozed until `snoozed_until`, or until the account changes its name, bio or picture.
    Snoozed,
}

/// A line of the alerts inbox.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub platform: String,
    pub handle: String,
    pub display_name: Option<String>,
    /// `impostor` or `suspicious`.
    pub verdict: String,
    pub score: f64,
    pub state: AlertStateView,
    /// RFC 3339 time the account was first seen.
    pub first_seen: String,
    /// RFC 3339 time a snoozed alert comes back (only while snoozed).
    pub snoozed_until: Option<String>,
}

/// One character of a candidate handle, marked when it is a look-alike or hidden character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CharMark {
    /// The character itself (shown as text).
    pub ch: String,
    /// Set when the character is deceptive: e.g. `U+0406 CYRILLIC (looks like "I")`.
    pub note: Option<String>,
}

/// An account side of the alert view: the impostor or the person.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AccountView {
    pub platform: String,
    pub handle: String,
    /// The handle character by character, deceptive ones marked.
    pub handle_marks: Vec<CharMark>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    /// RFC 3339 creation time, when the platform tells it.
    pub created_at: Option<String>,
    /// Account age in plain words ("3 days old").
    pub age: Option<String>,
    #[ts(type = "number | null")]
    pub followers: Option<u64>,
    /// Public profile URL (shown as text and opened through Rust, never loaded in the webview).
    pub url: Option<String>,
    /// PNG data URL re-encoded by Rust.
    pub avatar: Option<String>,
}

/// One reason, phrased for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReasonView {
    /// `confusable_handle`, `display_name`, `avatar`, ...
    pub signal: String,
    pub detail: String,
}

/// One of the impostor's recent posts, shown as text only (links as text, never followed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PostView {
    pub text: String,
    /// The post's public address (shown as text, opened through Rust, never loaded).
    pub url: Option<String>,
    /// Links in the post, as text.
    pub links: Vec<String>,
    /// RFC 3339 time of the post, when known.
    pub created_at: Option<String>,
    /// RFC 3339 time it was fetched.
    pub fetched_at: String,
    /// Why it is suspicious, in words ("hashtags the person never uses ...").
    pub flags: Vec<String>,
    /// SHA-256 of the post's canonical JSON (as in the evidence bundle).
    pub sha256: String,
}

/// The alert view: impostor and person side by side, with the reasons.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertDetail {
    pub summary: AlertSummary,
    pub candidate: AccountView,
    pub person: AccountView,
    pub reasons: Vec<ReasonView>,
    /// How it was found, in words ("live stream", "search for \"Palmer\"").
    pub found_by: String,
    /// The impostor's latest posts kept as evidence (at most 5, newest first).
    pub posts: Vec<PostView>,
}

/// How long the person snoozes an alert: the choices the alert view offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SnoozeLength {
    OneDay,
    OneWeek,
    ThirtyDays,
}

impl SnoozeLength {
    /// The length in days.
    pub fn days(self) -> i64 {
        match self {
            SnoozeLength::OneDay => 1,
            SnoozeLength::OneWeek => 7,
            SnoozeLength::ThirtyDays => 30,
        }
    }
}

/// What the person decided about an alert. Serialized as `"not_impostor"`, `"seen"` or
/// `{"snooze": "one_week"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertAction {
    /// "Not an impostor": never raise this account again.
    NotImpostor,
    /// Put it aside for a while: it comes back as new then, or sooner if the account
    /// changes its name, bio or picture.
    Snooze(SnoozeLength),
    /// Opened: no longer new.
    Seen,
}

/// The report view for one alert.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportView {
    #[ts(type = "number")]
    pub alert_id: i64,
    pub platform: String,
    /// The editable draft text.
    pub draft: String,
    /// The platform's official impersonation form, opened in the browser by Rust.
    pub form_url: Option<String>,
    /// True when the report can be filed through the platform's API (Bluesky, Mastodon).
    pub can_file: bool,
    /// The case status in words ("not reported yet", "filed on ... as #123").
    pub case_status: String,
}

/// Where an evidence bundle was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EvidenceExport {
    pub path: String,
    pub files: Vec<String>,
}

/// Whether a credential is stored in the keychain (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CredentialStatus {
    pub platform: String,
    /// What the credential is, e.g. "app password", "access token", "API bearer token".
    pub what: String,
    pub stored: bool,
}

/// Quiet hours, local time, `HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuietHours {
    pub start: String,
    pub end: String,
}

/// The settings the person can change (secrets excluded: they go to the keychain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    /// Minutes between periodic checks.
    pub check_interval_minutes: u32,
    /// The daily budget of each platform that has one, by platform id (`x`: the spending
    /// cap in US dollars; `youtube`: the quota in units). The fields, their words and ranges
    /// come from the registry (`PLATFORMS[..].budget`); one left out is kept as it is.
    pub budgets: std::collections::BTreeMap<String, f64>,
    pub quiet_hours: Option<QuietHours>,
    pub start_at_login: bool,
    /// One notification a day at most saying how many accounts are worth a look (they never
    /// pop up one by one); false: none.
    pub worth_a_look_digest: bool,
}

/// The bounds of one number typed in settings, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct NumberRange {
    pub min: f64,
    pub max: f64,
}

impl NumberRange {
    /// Whether `value` lies within the bounds (never for NaN or infinity).
    pub fn contains(&self, value: f64) -> bool {
        value.is_finite() && self.min <= value && value <= self.max
    }
}

/// The ranges of the numbers in [`SettingsView`], made from the core's settings ranges
/// (`doppelwatch::config::ranges`), so the window's inputs, its checks and the save command
/// accept exactly what the settings file accepts. The UI gets them as the generated constant
/// `SETTINGS_RANGES` (`ui/src/bindings/settingsRangeValues.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct SettingsRanges {
    /// Whole minutes. (The daily budgets' ranges come with the platforms,
    /// `PLATFORMS[..].budget`.)
    pub check_interval_minutes: NumberRange,
}

impl SettingsRanges {
    /// The ranges, from the core's.
    pub fn get() -> SettingsRanges {
        use doppelwatch::config::ranges::WATCH_CHECK_INTERVAL_SECS;
        SettingsRanges {
            // Whole minutes that stay inside the range in seconds.
            check_interval_minutes: NumberRange {
                min: (WATCH_CHECK_INTERVAL_SECS.min / 60.0).ceil().max(1.0),
                max: (WATCH_CHECK_INTERVAL_SECS.max / 60.0).floor(),
            },
        }
    }
}

/// A secret typed in settings, on its way to the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct CredentialInput {
    pub platform: PlatformId,
    /// e.g. the Bluesky handle or the Mastodon server; not secret.
    pub account: String,
    pub secret: String,
}

/// The outcomes on the dashboard (issue 12): figures over the impostor cases and the
/// impostors found per ISO week by outcome, for the chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutcomesView {
    // The headline figures, as the core counts them.
    #[serde(flatten)]
    #[ts(flatten)]
    pub counts: CaseCounts,
    pub platforms: Vec<PlatformOutcomesView>,
    /// Oldest first, quiet weeks included.
    pub weeks: Vec<WeekView>,
}

/// One platform's reports and takedowns.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlatformOutcomesView {
    pub platform: String,
    pub reported: u32,
    pub taken_down: u32,
    /// Median days from the report to the account gone, when one was taken down.
    pub median_days_to_takedown: Option<f64>,
}

/// Impostors found in one ISO week, by outcome.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WeekView {
    /// `2026-W49`.
    pub week: String,
    /// The Monday it starts, `YYYY-MM-DD`.
    pub starts: String,
    /// Not reported yet.
    pub open: u32,
    /// Reported, still up.
    pub reported: u32,
    pub taken_down: u32,
    /// Closed otherwise: gone before a report, renamed away, dismissed or allowed.
    pub closed: u32,
    pub total: u32,
}

/// The follow-up to a report still unanswered after a week, for the alert view.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FollowUpView {
    pub subject: String,
    /// The text, citing the first report.
    pub text: String,
    /// The platform's official form, when it has one.
    pub form_url: Option<String>,
}

/// A handle the person's own profile links, to confirm in onboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SuggestedHandle {
    pub platform: String,
    pub handle: String,
    /// Where it was found, in words.
    pub found_in: String,
    /// The platform verified the link (a Mastodon field's `verified_at`).
    pub verified: bool,
}

/// What onboarding fills from the person's own profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OwnProfileView {
    pub platform: String,
    pub handle: String,
    pub name: Option<String>,
    pub bio: Option<String>,
    /// The picture, re-encoded by Rust as a PNG data URL (kept as the person's avatar).
    pub avatar: Option<String>,
    /// Why there is no picture, when there is none.
    pub avatar_problem: Option<String>,
    pub suggestions: Vec<SuggestedHandle>,
}

/// What the UI needs at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    /// True when running against the bundled fake platforms (`--demo`).
    pub demo: bool,
    pub has_identity: bool,
    pub open_alerts: OpenAlerts,
    /// Seconds a batch of reports waits before it is sent (`watch.report_undo_secs`).
    pub report_undo_secs: u32,
}

/// A watched person as the People screen lists them (issue 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PersonView {
    /// The stable id (a rename keeps it).
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub aliases: Vec<String>,
    /// Canonical handles (validated, `@` stripped).
    pub handles: Vec<HandleInput>,
    pub bio: Option<String>,
    /// Their own picture re-encoded by Rust as a `data:image/png;base64,` URL, if one was set.
    pub avatar: Option<String>,
    /// Alerts about them that are new, seen or reported.
    pub open_alerts: u32,
    /// All their alerts, closed ones included (what removing them would take along).
    pub total_alerts: u32,
}

/// A line of the alert list: the summary, who it is about and what the list shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertRow {
    #[serde(flatten)]
    #[ts(flatten)]
    pub summary: AlertSummary,
    /// The person the account imitates.
    #[ts(type = "number")]
    pub person_id: i64,
    pub person_name: String,
    /// The wave it came in, if it came with others.
    #[ts(type = "number | null")]
    pub wave_id: Option<i64>,
    /// The handle character by character, look-alike characters marked.
    pub handle_marks: Vec<CharMark>,
    /// Account age in plain words ("3 days old"), when the platform tells it.
    pub age: Option<String>,
    #[ts(type = "number | null")]
    pub followers: Option<u64>,
}

/// The small picture of an alert's account, fetched for the rows on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AlertPicture {
    #[ts(type = "number")]
    pub id: i64,
    /// PNG data URL re-encoded by Rust; `None` when the account has no (readable) picture.
    pub avatar: Option<String>,
}

/// A wave: alerts about one person that arrived together, for the grid view.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WaveView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub person_id: i64,
    pub person_name: String,
    /// `impostor` or `suspicious`.
    pub verdict: String,
    pub count: u32,
    /// How many are still new, seen or reported.
    pub open: u32,
    pub platforms: Vec<String>,
    /// RFC 3339 times of its first and latest alert.
    pub started_at: String,
    pub last_alert_at: String,
    pub alerts: Vec<AlertRow>,
}

/// One alert a batch action could not change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BatchFailure {
    #[ts(type = "number")]
    pub id: i64,
    pub message: String,
}

/// What an action on many alerts did: the alerts changed and those that could not be.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BatchResult {
    pub done: Vec<AlertSummary>,
    pub failed: Vec<BatchFailure>,
}

/// A batch of reports filed through the platforms' APIs (issue 11): when it is sent and where
/// its reports stand. The background watcher sends it once the undo window is over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportBatchView {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339: nothing is sent before this time; until then the whole batch can be undone.
    pub send_after: String,
    /// Reports waiting (for the undo window, the daily limit or a rate limit).
    pub queued: u32,
    pub sending: u32,
    pub sent: u32,
    pub failed: u32,
    pub cancelled: u32,
    /// Not sent because the alert was closed or reported meanwhile.
    pub skipped: u32,
    /// Interrupted mid-request: may have reached the platform; never sent again on its own.
    pub uncertain: u32,
    /// Why alerts were left out or reports failed, in words ("alert 12: ...").
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CommandError;
    use std::path::PathBuf;

    /// Writes the TypeScript bindings to `ui/src/bindings/`. The test command runs this and
    /// then `git diff --exit-code ui/src/bindings` to catch drift between Rust and the UI.
    #[test]
    fn open_alert_counts_read_as_words() {
        let words = |impostors, worth_a_look| {
            OpenAlerts {
                impostors,
                worth_a_look,
            }
            .words()
        };
        assert_eq!(words(0, 0), "No open alerts");
        assert_eq!(words(1, 0), "1 impostor alert");
        assert_eq!(words(12, 0), "12 impostor alerts");
        assert_eq!(words(0, 3), "3 worth a look");
        assert_eq!(words(2, 1), "2 impostor alerts, 1 worth a look");
    }

    #[test]
    fn export_bindings() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        let cfg = ts_rs::Config::new().with_out_dir(&dir);
        macro_rules! export {
            ($($t:ty),* $(,)?) => { $( <$t as TS>::export_all(&cfg).expect(stringify!($t)); )* };
        }
        export!(
            CommandError,
            IdentityInput,
            IdentityView,
            HandleCheck,
            VariantView,
            AlertSummary,
            AlertDetail,
            AlertAction,
            ReportView,
            EvidenceExport,
            DashboardView,
            SettingsView,
            SettingsRanges,
            CredentialStatus,
            CredentialInput,
            AppInfo,
            PlatformId,
            PersonView,
            AlertRow,
            AlertQuery,
            AlertListPage,
            AlertKey,
            AlertPicture,
            WaveView,
            BatchResult,
            ReportBatchView,
            OutcomesView,
            FollowUpView,
            OwnProfileView,
        );
        assert!(dir.join("AlertDetail.ts").is_file());
        // Values, not only types: the settings ranges as a constant the UI imports.
        let ranges = serde_json::to_string_pretty(&SettingsRanges::get()).expect("ranges");
        std::fs::write(
            dir.join("settingsRangeValues.ts"),
            format!(
                "// Generated by `cargo test -p doppelwatch-desktop export_bindings` from the core's settings\n\
                 // ranges (src/config/ranges.rs). Do not edit this file manually.\n\
                 import type {{ SettingsRanges }} from \"./SettingsRanges\";\n\n\
                 export const SETTINGS_RANGES: SettingsRanges = {ranges};\n"
            ),
        )
        .expect("settingsRangeValues.ts");
        // The registered platforms as the UI lists them (onboarding, settings, labels).
        let platforms =
            serde_json::to_string_pretty(&doppelwatch::platforms::infos()).expect("platforms");
        std::fs::write(
            dir.join("platforms.ts"),
            format!(
                "// Generated by `cargo test -p doppelwatch-desktop export_bindings` from the core's platform\n\
                 // registry (src/platforms). Do not edit this file manually.\n\
                 import type {{ Platform }} from \"./Platform\";\n\n\
                 /** How the settings ask for a platform's credential. */\n\
                 export type CredentialForm = {{ account_label: string; secret_label: string }};\n\n\
                 /** A platform's daily budget field in settings (spending cap, quota). */\n\
                 export type BudgetForm = {{\n  key: string;\n  label: string;\n  hint: string;\n  \
                 min: number;\n  max: number;\n  step: number;\n  whole: boolean;\n}};\n\n\
                 /** A registered platform as the UI shows it. */\n\
                 export type PlatformInfo = {{\n  id: Platform;\n  label: string;\n  example: string;\n  \
                 credential: CredentialForm | null;\n  live: boolean;\n  paid_reads: boolean;\n  \
                 budget: BudgetForm | null;\n  report_api: boolean;\n  web_form: boolean;\n}};\n\n\
                 /** Every registered platform, in the registry's order. */\n\
                 export const PLATFORMS: PlatformInfo[] = {platforms};\n"
            ),
        )
        .expect("platforms.ts");
        // The command wrappers and the window's capability, from the one IPC list.
        std::fs::write(dir.join("commands.ts"), crate::commands::typescript()).unwrap();
        let capability = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json");
        std::fs::write(capability, crate::commands::capability()).unwrap();
    }

    #[test]
    fn platform_names_are_the_cores() {
        // The webview's union of platform names is exactly the registry's ids, in its order.
        let ids: Vec<&str> = doppelwatch::platforms::ALL.iter().map(|m| m.id()).collect();
        let ours: Vec<&str> = PlatformId::all().map(PlatformId::as_str).collect();
        assert_eq!(ours, ids);
        let cfg = ts_rs::Config::new();
        let union: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
        assert_eq!(
            PlatformId::decl(&cfg),
            format!("type Platform = {};", union.join(" | "))
        );
        for p in PlatformId::all() {
            let core = doppelwatch::identity::Platform::from(p);
            assert_eq!(core.as_str(), p.as_str());
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<PlatformId>(&json).unwrap(), p);
        }
        // Only the exact ids cross IPC: no alias, no other case, no unknown platform.
        for refused in ["\"bsky\"", "\"X\"", "\"instagram\"", "\"\"", "3"] {
            let err = serde_json::from_str::<PlatformId>(refused).unwrap_err();
            assert!(
                refused == "3" || err.to_string().contains("expected one of"),
                "{refused}: {err}"
            );
        }
    }
}
