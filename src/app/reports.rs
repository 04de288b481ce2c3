//! Reports through the facade: the draft with the person's edit (kept in the store, so it
//! survives closing the window), filing through the platform's filer, recording that the
//! official form was sent, and the evidence bundle.

use std::path::Path;

use chrono::Utc;

use super::{App, AppError, AppResult, ErrorKind};
use crate::platforms;
use crate::posts::PostEvidence;
use crate::report::{self, evidence::BundleSummary, ReportDraft, ReportError};
use crate::secrets::SecretKey;
use crate::store::{Alert, ReportRecord};

/// An alert's report: the core's draft, the person's edit of it, and what was filed.
#[derive(Debug, Clone)]
pub struct ReportCase {
    pub alert: Alert,
    pub draft: ReportDraft,
    pub edited: Option<String>,
    pub reports: Vec<ReportRecord>,
    /// The impostor's recent posts kept as evidence, newest first.
    pub posts: Vec<PostEvidence>,
}

impl From<ReportError> for AppError {
    fn from(e: ReportError) -> Self {
        let kind = match &e {
            ReportError::Auth { .. } | ReportError::MissingCredential { .. } => ErrorKind::Keychain,
            ReportError::Unreachable { .. }
            | ReportError::Interrupted { .. }
            | ReportError::RateLimited { .. }
            | ReportError::Refused { .. }
            | ReportError::PdsNotFound { .. } => ErrorKind::Network,
            ReportError::NoApi { .. } | ReportError::DailyCap { .. } => ErrorKind::Unavailable,
            ReportError::AccountNotFound { .. } => ErrorKind::NotFound,
            ReportError::BadAlert(_) => ErrorKind::Invalid,
            ReportError::Store(_) => ErrorKind::Io,
        };
        AppError::new(kind, e.to_string())
    }
}

impl App {
    /// The report for an alert: the core's draft, the person's stored edit, and the reports.
    pub fn report(&self, alert_id: i64) -> AppResult<ReportCase> {
        let alert = self.store.alert(alert_id)?;
        let posts = self.store.alert_posts(alert_id)?;
        Ok(ReportCase {
            draft: report::draft_with_posts(&alert, None, &posts),
            edited: self.store.report_draft(alert_id)?,
            reports: self.store.reports_for(alert_id)?,
            posts,
            alert,
        })
    }

    /// Keeps the person's edit of the draft in the store.
    pub fn save_report_draft(&self, alert_id: i64, text: &str) -> AppResult<ReportCase> {
        self.store.set_report_draft(alert_id, text, Utc::now())?;
        self.report(alert_id)
    }

    /// Records that the official form was opened with the draft; returns the form's URL.
    pub fn record_form_opened(&self, alert_id: i64) -> AppResult<String> {
        let alert = self.store.alert(alert_id)?;
        let url = report::draft(&alert, None).form_url.ok_or_else(|| {
            AppError::unavailable(
                "this platform has no official web form; file the report through the app",
            )
        })?;
        report::record_form_report(&self.store, alert_id, &alert.platform, Utc::now())
            .map_err(|e| AppError::io(e.to_string()))?;
        Ok(url)
    }

    /// Files the report (the person's edit, else the draft) through the platform's API as the
    /// person's own account there.
    pub async fn file_report(&self, alert_id: i64) -> AppResult<ReportCase> {
        let alert = self.store.alert(alert_id)?;
        let config = self.config();
        let secrets = |key: &SecretKey| self.secret(key).ok().flatten();
        let filer = platforms::filer_for(&alert, &config, &secrets)?;
        let edited = self.store.report_draft(alert_id)?;
        report::file_report_with_text(
            &self.store,
            alert_id,
            filer.as_ref(),
            edited.as_deref(),
            config.watch.report_daily_cap,
            Utc::now(),
        )
        .await?;
        self.report(alert_id)
    }

    /// Writes the evidence bundle (one zip) for an alert into `dir` under a new name: an
    /// existing file is never replaced (a second export in the same second gets `-2`, ...).
    pub fn export_evidence(&self, alert_id: i64, dir: &Path) -> AppResult<BundleSummary> {
        let what = format!("alert-{alert_id}");
        new_bundle_in(dir, &what, |path, now| {
            report::evidence::export_bundle(&self.store, alert_id, path, now)
        })
    }

    /// Writes the evidence bundle of a whole wave (one zip, one manifest, every account
    /// inside) into `dir` under a new name, as [`App::export_evidence`] does for one alert.
    pub fn export_wave_evidence(&self, wave_id: i64, dir: &Path) -> AppResult<BundleSummary> {
        let what = format!("wave-{wave_id}");
        new_bundle_in(dir, &what, |path, now| {
            report::evidence_wave::export_wave_bundle(&self.store, wave_id, path, now, false)
        })
    }
}

/// Writes a bundle with `write` under `doppelwatch-evidence-<what>-<time>.zip` in `dir`,
/// taking `-2`, `-3`, ... when a file of that name exists (never replacing one).
fn new_bundle_in(
    dir: &Path,
    what: &str,
    write: impl Fn(
        &Path,
        chrono::DateTime<Utc>,
    ) -> Result<BundleSummary, report::evidence::EvidenceError>,
) -> AppResult<BundleSummary> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::io(format!("cannot create {}: {e}", dir.display())))?;
    let now = Utc::now();
    let stem = format!(
        "doppelwatch-evidence-{what}-{}",
        now.format("%Y%m%d-%H%M%S")
    );
    for n in 1..=100 {
        let name = if n == 1 {
            format!("{stem}.zip")
        } else {
            format!("{stem}-{n}.zip")
        };
        match write(&dir.join(name), now) {
            Ok(bundle) => return Ok(bundle),
            Err(report::evidence::EvidenceError::Output(
                crate::files::output::OutputError::Exists { .. },
            )) => continue,
            Err(report::evidence::EvidenceError::Store(e)) => return Err(e.into()),
            Err(e) => return Err(AppError::io(e.to_string())),
        }
    }
    Err(AppError::io(format!(
        "{} already holds 100 bundles of {what} from this second; try again",
        dir.display()
    )))
}

impl App {
    /// Queues the reports of `alert_ids` as one batch sent after `undo` (issue 11); the
    /// background watcher sends it. Alerts that cannot be filed through an API are left out
    /// with why.
    pub fn queue_reports(
        &self,
        alert_ids: &[i64],
        undo: std::time::Duration,
    ) -> AppResult<report::queue::Enqueued> {
        Ok(report::queue::enqueue(
            &self.store,
            alert_ids,
            undo,
            Utc::now(),
        )?)
    }

    /// Cancels what batch `id` has not sent yet; the batch as it is then.
    pub fn undo_batch(&self, id: i64) -> AppResult<crate::store::Batch> {
        self.store.cancel_batch(id, Utc::now())?;
        Ok(self.store.batch(id)?)
    }

    /// Every batch of reports, newest first, with where each report stands.
    pub fn report_batches(&self) -> AppResult<Vec<crate::store::Batch>> {
        Ok(self.store.batches()?)
    }

    /// The batches that still need the person or the watcher, newest first: reports waiting
    /// to be sent, or interrupted mid-send (they may have arrived: the person checks, then
    /// [`App::retry_batch`]). What a window opened after a restart shows.
    pub fn open_report_batches(&self) -> AppResult<Vec<crate::store::Batch>> {
        use crate::store::QueueState as S;
        let mut open = self.store.batches()?;
        open.retain(|b| b.count(S::Queued) + b.count(S::Sending) + b.count(S::Uncertain) > 0);
        Ok(open)
    }

    /// Queues batch `id`'s interrupted (and failed) reports again, once the person checked on
    /// the platform that they did not arrive; the batch as it is then.
    pub fn retry_batch(&self, id: i64) -> AppResult<crate::store::Batch> {
        self.store.requeue_uncertain(id, Utc::now())?;
        Ok(self.store.batch(id)?)
    }
}
