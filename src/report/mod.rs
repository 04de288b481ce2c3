//! Turning an alert into a report: a per-platform draft in the form that platform asks for
//! ([`draft`]), filing through the API where there is one after the person confirms
//! ([`file_report`] with [`bluesky::BlueskyReporter`] or [`mastodon::MastodonReporter`], under a
//! daily cap), the evidence bundle of a case ([`evidence::export_bundle`]) or of a whole wave
//! ([`evidence_wave::export_wave_bundle`]), and the follow-up
//! to a report still unanswered after a week ([`follow_up::follow_up_draft`]).

pub mod bluesky;
pub mod bluesky_pds;
pub mod evidence;
pub mod evidence_posts;
pub mod evidence_wave;
pub mod follow_up;
mod forms;
mod http;
pub mod mastodon;
pub mod queue;
pub(crate) mod text;
mod voice;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::identity::Platform;
use crate::posts::PostEvidence;
use crate::store::{Alert, ReportMethod, ReportRecord, Store, StoreError};

pub use follow_up::{follow_up_draft, FollowUpError};
pub use forms::{form_url, profile_url, sane_profile_url};
pub use text::{copied_elements, is_hidden, join_words, platform_name, shown_handle, visible};

/// Default number of reports Doppelwatch files through APIs per 24 hours: enough for a real
/// wave of impostors, low enough that a bug or a false-positive storm cannot spam moderators.
pub const DEFAULT_DAILY_CAP: u32 = 20;

/// Which API can file the report without a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportApi {
    /// `com.atproto.moderation.createReport` on the person's PDS.
    BlueskyCreateReport,
    /// `POST /api/v1/reports` on the person's Mastodon server.
    MastodonReports,
}

impl ReportApi {
    /// The longest report text the API takes, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            // `reason` is at most 2000 graphemes; a char is never more than one grapheme.
            ReportApi::BlueskyCreateReport => 2000,
            // The report `comment` is at most 1000 characters.
            ReportApi::MastodonReports => 1000,
        }
    }
}

/// A report, ready to paste into the platform's form or to file through its API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    pub alert_id: i64,
    /// The platform the report goes to.
    pub platform: Platform,
    /// The impersonating account's public URL.
    pub impostor_url: String,
    /// The official form (or policy page) to open, when the platform has one.
    pub form_url: Option<String>,
    /// How to find the form in the app when there is no web form (YouTube, Twitch).
    pub in_app_path: Option<String>,
    /// The API that can file this report, if any.
    pub api: Option<ReportApi>,
    /// One-line summary.
    pub subject: String,
    /// The full text to paste (within the platform's length limit for API reports).
    pub text: String,
    /// What the form asks, field by field (label, value to enter).
    pub fields: Vec<DraftField>,
}

/// One field of a platform's form and what to enter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftField {
    pub label: String,
    pub value: String,
}

/// Drafts the report of `alert` for `platform` (default: where the impostor is), in the
/// person's voice, within the platform's limit.
pub fn draft(alert: &Alert, platform: Option<&Platform>) -> ReportDraft {
    draft_with_posts(alert, platform, &[])
}

/// Like [`draft`], quoting one or two of the impostor's `posts` as examples and naming the
/// hashtags it pushes that the person never uses.
pub fn draft_with_posts(
    alert: &Alert,
    platform: Option<&Platform>,
    posts: &[PostEvidence],
) -> ReportDraft {
    let platform = platform.cloned().unwrap_or_else(|| alert.platform.clone());
    text::draft_for(alert, platform, posts)
}

/// Why a report could not be filed, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{platform} has no report API: open {form} and paste the draft")]
    NoApi { platform: Platform, form: String },
    #[error("the daily limit of {cap} reports filed through APIs is reached; file this one through the form or try again tomorrow")]
    DailyCap { cap: u32 },
    #[error(
        "{platform} refused the credentials: {why}. Check the app password or token in Settings"
    )]
    Auth { platform: Platform, why: String },
    #[error(
        "no {what} in the keychain: add it in Settings (it is stored only in the OS keychain)"
    )]
    MissingCredential { what: String },
    #[error("{platform} could not be reached: {why}")]
    Unreachable { platform: Platform, why: String },
    /// The report was sent and its answer lost (a timeout, a dropped connection): it may
    /// have reached the platform, so it is never sent again on its own.
    #[error("the report may have reached {platform} though its answer was lost ({why}): check there before filing it again")]
    Interrupted { platform: Platform, why: String },
    #[error("{platform} is rate limiting reports; try again in {retry_after_secs} s")]
    RateLimited {
        platform: Platform,
        retry_after_secs: u64,
    },
    #[error("{platform} refused the report ({status}): {why}")]
    Refused {
        platform: Platform,
        status: u16,
        why: String,
    },
    #[error("the account {handle} was not found on your server {server}; it may already be gone")]
    AccountNotFound { handle: String, server: String },
    #[error("your Bluesky PDS could not be found from your DID document: {why}. Try again later, or set bluesky.pds_url in the settings to your PDS (https://bsky.social for Bluesky-hosted accounts)")]
    PdsNotFound { why: String },
    #[error("the report cannot be filed from this alert: {0}")]
    BadAlert(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the platform answered when a report was filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledReport {
    pub platform: Platform,
    /// The platform's id of the report.
    pub remote_id: Option<String>,
    /// What was sent, in words (e.g. "reasonMisleadingImpersonation about did:plc:..").
    pub detail: String,
}

/// Something that files reports through a platform API.
#[async_trait]
pub trait ReportFiler: Send + Sync {
    /// The platform this filer reports to.
    fn platform(&self) -> Platform;
    /// Files the report of `alert` with `draft`'s text.
    async fn file(&self, alert: &Alert, draft: &ReportDraft) -> Result<FiledReport, ReportError>;
}

/// Files `alert` through `filer` after the person confirmed: checks the daily cap of API
/// reports, files, and records the report (the alert becomes `reported`).
pub async fn file_report(
    store: &Store,
    alert_id: i64,
    filer: &dyn ReportFiler,
    daily_cap: u32,
    now: DateTime<Utc>,
) -> Result<ReportRecord, ReportError> {
    file_report_with_text(store, alert_id, filer, None, daily_cap, now).await
}

/// Like [`file_report`], sending `text` (the person's edit of the draft, from the desktop app's
/// report view) instead of the drafted text when given.
pub async fn file_report_with_text(
    store: &Store,
    alert_id: i64,
    filer: &dyn ReportFiler,
    text: Option<&str>,
    daily_cap: u32,
    now: DateTime<Utc>,
) -> Result<ReportRecord, ReportError> {
    let alert = store.alert(alert_id)?;
    let filed_today = store.api_reports_since(now - Duration::hours(24))?;
    if filed_today >= daily_cap {
        return Err(ReportError::DailyCap { cap: daily_cap });
    }
    let posts = store.alert_posts(alert_id)?;
    let mut report_draft = draft_with_posts(&alert, Some(&filer.platform()), &posts);
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        report_draft.text = text.to_string();
    }
    let filed = filer.file(&alert, &report_draft).await?;
    Ok(store.record_report(
        alert_id,
        &filed.platform,
        ReportMethod::Api,
        filed.remote_id.as_deref(),
        Some(&filed.detail),
        now,
    )?)
}

/// Records that the person sent the platform's form with the draft (the alert becomes
/// `reported` and is re-checked from then on).
pub fn record_form_report(
    store: &Store,
    alert_id: i64,
    platform: &Platform,
    now: DateTime<Utc>,
) -> Result<ReportRecord, ReportError> {
    let alert = store.alert(alert_id)?;
    let form = draft(&alert, Some(platform))
        .form_url
        .unwrap_or_else(|| "in-app report".into());
    Ok(store.record_report(
        alert_id,
        platform,
        ReportMethod::Form,
        None,
        Some(&form),
        now,
    )?)
}
