//! Filing many reports as one batch (issue 11): the person picks the alerts, [`enqueue`]
//! checks each (still open, on a platform with a report API) and queues them in the store with
//! an undo window; whichever watcher runs (the app's background watcher or `doppelwatch
//! watch`) sends them with [`run`] once the window is over, one at a time, within the daily
//! cap of API reports and the platforms' rate limits, and records each as it is sent.
//!
//! The queue lives in the store, so closing the app mid-batch loses nothing; and since an
//! entry is marked `sending` before its request and `sent` together with its report, a
//! report is never sent twice: one interrupted mid-request becomes `uncertain` and waits for
//! the person (see [`crate::store::QueueState`]). This module never sends without an entry
//! claimed from the store, and never holds a secret beyond the filer it builds.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::{draft, ReportError, ReportFiler};
use crate::config::Config;
use crate::identity::Platform;
use crate::platforms::{self, SecretLookup};
use crate::secrets::{Secret, SecretKey};
use crate::sources::ratelimit::{backoff, Jitter};
use crate::store::{AlertId, AlertState, Batch, IdentityId, QueueEntry, QueueState, Store};

/// How long a batch waits before anything is sent, unless the person chooses otherwise: time
/// to look at the list once more and undo.
pub const DEFAULT_UNDO_SECS: u64 = 180;
/// Entries that could not reach the platform are tried this many times in all.
const MAX_ATTEMPTS: u32 = 5;
/// How often [`run`] looks for due entries.
const POLL: Duration = Duration::from_secs(1);

/// What [`enqueue`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enqueued {
    pub batch: Batch,
    /// The alerts left out, with why.
    pub refused: Vec<(AlertId, String)>,
}

/// Queues `alert_ids` as one batch sent after `undo`. An alert that is not open (new or
/// seen), whose platform has no report API (its form is the way), that is queued already, or
/// whose last report was interrupted mid-send (it may have arrived) is left out with the reason.
pub fn enqueue(
    store: &Store,
    alert_ids: &[AlertId],
    undo: Duration,
    now: DateTime<Utc>,
) -> Result<Enqueued, ReportError> {
    let mut refused = Vec::new();
    let mut accepted = Vec::new();
    let mut seen = HashSet::new();
    for &id in alert_ids {
        if !seen.insert(id) {
            continue;
        }
        let alert = store.alert(id)?;
        if !matches!(alert.state, AlertState::New | AlertState::Seen) {
            refused.push((id, format!("it is {} already", alert.state)));
        } else if platforms::module(&alert.platform)
            .and_then(|m| m.report_api())
            .is_none()
        {
            let form = draft(&alert, None).form_url;
            refused.push((
                id,
                format!(
                    "{} has no report API: use its form ({})",
                    super::platform_name(&alert.platform),
                    form.as_deref().unwrap_or("in the app")
                ),
            ));
        } else if let Some(batch) = store.uncertain_batch_of(id)? {
            refused.push((
                id,
                format!(
                    "its report in batch {batch} was interrupted mid-send and may have reached {}: \
                     check there, then send it again with `doppelwatch batch retry {batch}`",
                    super::platform_name(&alert.platform)
                ),
            ));
        } else {
            accepted.push(id);
        }
    }
    let send_after = now + chrono::Duration::from_std(undo).unwrap_or(chrono::Duration::zero());
    let (batch, queued_already) = store.queue_batch(&accepted, send_after, now)?;
    refused.extend(
        queued_already
            .into_iter()
            .map(|id| (id, "it is queued in another batch already".to_string())),
    );
    Ok(Enqueued { batch, refused })
}

/// Builds the filer for an alert (its platform, signed in as the person's own account there).
pub type FilerFor<'a> =
    &'a (dyn Fn(&crate::store::Alert) -> Result<Box<dyn ReportFiler>, ReportError> + Send + Sync);

/// One round's outcome.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
    /// The daily cap stopped the round.
    pub capped: bool,
}

/// The filers built so far, per platform and person (a Bluesky filer keeps its session, so
/// a batch signs in once, not once per report).
#[derive(Default)]
pub struct Filers {
    built: HashMap<(Platform, IdentityId), Arc<dyn ReportFiler>>,
}

impl Filers {
    fn get(
        &mut self,
        alert: &crate::store::Alert,
        build: FilerFor<'_>,
    ) -> Result<Arc<dyn ReportFiler>, ReportError> {
        let key = (alert.platform.clone(), alert.identity_id);
        if let Some(filer) = self.built.get(&key) {
            return Ok(filer.clone());
        }
        let filer: Arc<dyn ReportFiler> = Arc::from(build(alert)?);
        self.built.insert(key, filer.clone());
        Ok(filer)
    }
}

/// Sends the entries due now, one at a time, until none is due, the daily cap of API reports
/// (`daily_cap` in 24 hours) is reached or `should_stop` says so (checked between reports,
/// so a report being sent is always finished and recorded). A platform that rate-limits is
/// left alone for the rest of the round (its entry waits the time it asked).
pub async fn send_due(
    store: &Store,
    filers: &mut Filers,
    build: FilerFor<'_>,
    daily_cap: u32,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Result<Round, ReportError> {
    let mut round = Round::default();
    let mut resting: Vec<Platform> = Vec::new();
    loop {
        if should_stop() {
            return Ok(round);
        }
        let now = Utc::now();
        let Some(entry) = store.claim_due(now, &resting)? else {
            return Ok(round);
        };
        if store.api_reports_since(now - chrono::Duration::hours(24))? >= daily_cap {
            let wait = now + chrono::Duration::hours(1);
            let note = format!(
                "the daily limit of {daily_cap} reports filed through APIs is reached; it waits (the limit is in the settings)"
            );
            store.finish_entry(entry.id, QueueState::Queued, &note, wait, now)?;
            round.capped = true;
            return Ok(round);
        }
        match send_one(store, filers, build, &entry).await? {
            Sent::Yes => round.sent += 1,
            Sent::No => round.failed += 1,
            Sent::RateLimited => resting.push(entry.platform.clone()),
        }
    }
}

enum Sent {
    Yes,
    No,
    RateLimited,
}

/// Sends one claimed entry and records what came of it.
async fn send_one(
    store: &Store,
    filers: &mut Filers,
    build: FilerFor<'_>,
    entry: &QueueEntry,
) -> Result<Sent, ReportError> {
    let now = Utc::now();
    let alert = store.alert(entry.alert_id)?;
    if !matches!(alert.state, AlertState::New | AlertState::Seen) {
        let note = format!("not sent: the alert is {} now", alert.state);
        store.finish_entry(entry.id, QueueState::Skipped, &note, now, now)?;
        return Ok(Sent::No);
    }
    let filer = match filers.get(&alert, build) {
        Ok(filer) => filer,
        Err(e) => {
            store.finish_entry(entry.id, QueueState::Failed, &e.to_string(), now, now)?;
            return Ok(Sent::No);
        }
    };
    let mut report = draft(&alert, Some(&filer.platform()));
    if let Some(text) = store
        .report_draft(alert.id)?
        .filter(|t| !t.trim().is_empty())
    {
        report.text = text;
    }
    let outcome = filer.file(&alert, &report).await;
    let now = Utc::now();
    let (state, note, not_before, sent) = match outcome {
        Ok(filed) => {
            let detail = Some(filed.detail.as_str());
            store.finish_sent(
                entry.id,
                &filed.platform,
                (filed.remote_id.as_deref(), detail),
                now,
            )?;
            return Ok(Sent::Yes);
        }
        Err(ReportError::RateLimited {
            retry_after_secs, ..
        }) => {
            let wait = chrono::Duration::seconds(retry_after_secs.clamp(1, 86_400) as i64);
            let note = format!("rate limited: tried again after {retry_after_secs} s");
            (QueueState::Queued, note, now + wait, Sent::RateLimited)
        }
        Err(e @ ReportError::Unreachable { .. }) if entry.attempts < MAX_ATTEMPTS => {
            let wait = backoff(
                entry.attempts,
                Duration::from_secs(5),
                Duration::from_secs(300),
                Jitter::Half,
            );
            let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(5));
            (QueueState::Queued, e.to_string(), now + wait, Sent::No)
        }
        // Sent, and its answer lost: it may have been filed, so never sent again on its own.
        Err(e @ ReportError::Interrupted { .. }) => {
            (QueueState::Uncertain, e.to_string(), now, Sent::No)
        }
        Err(e @ ReportError::AccountNotFound { .. }) => {
            (QueueState::Skipped, e.to_string(), now, Sent::No)
        }
        Err(e) => (QueueState::Failed, e.to_string(), now, Sent::No),
    };
    store.finish_entry(entry.id, state, &note, not_before, now)?;
    Ok(sent)
}

/// Reads a secret for the filers (the keychain, or the demo's memory).
pub type Secrets = Arc<dyn Fn(&SecretKey) -> Option<Secret> + Send + Sync>;

/// Sends queued reports until `stop` turns true: first marks entries an earlier run left
/// mid-request as uncertain, then looks for due entries every second.
pub async fn run(
    store: Arc<Store>,
    config: Config,
    secrets: Secrets,
    mut stop: watch::Receiver<bool>,
) {
    match store.mark_interrupted_uncertain(Utc::now()) {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            "{n} queued report(s) were being sent when the app stopped; they may have reached the platform and are not sent again unless you say so"
        ),
        Err(e) => tracing::warn!("cannot look at the report queue: {e}"),
    }
    let mut filers = Filers::default();
    let daily_cap = config.watch.report_daily_cap;
    let lookup = move |key: &SecretKey| secrets(key);
    let build = move |alert: &crate::store::Alert| {
        let secrets: SecretLookup<'_> = &lookup;
        platforms::filer_for(alert, &config, secrets)
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let stopping = || *stop.borrow();
        if let Err(e) = send_due(&store, &mut filers, &build, daily_cap, &stopping).await {
            tracing::warn!("the report queue could not be sent: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
}
