//! The service's tasks: periodic checks, the live stream, re-checks of open alerts and the
//! notification dispatcher (the notification buttons are [`super::notify_actions`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::schedule::{failure_wait, jittered};
use super::{CoverageGap, RunState, Shared, Target, WatchEvent};
use crate::detect::avatar::fingerprint;
use crate::detect::Assessment;
use crate::identity::Platform;
use crate::notify::{Dispatcher, NotificationSink, NotifyConfig};
use crate::sources::bluesky::live::{run_live, LiveEvent};
use crate::sources::bluesky::BlueskySource;
use crate::sources::{AccountRef, AccountState, Found, FoundBy, Source, SourceError};
use crate::store::{AlertChange, AlertFilter, AlertState, Finding, IdentityId, StoreError};

/// A check that takes longer than this is abandoned and counted as a failure.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Accounts looked up per `lookup` call (Bluesky's getProfiles takes 25).
const LOOKUP_BATCH: usize = 25;
/// Kinds of warnings the loops below can repeat, for [`Shared::log`].
const LOG_NOTIFY: &str = "notify";
const LOG_SNOOZE: &str = "snooze";
const LOG_CURSOR: &str = "jetstream-cursor";

/// Judges what a source found and records it in one transaction (with `cursor` when given);
/// emits events and wakes the notifier; new or updated alerts get their account's posts
/// fetched from `posts_from` ([`super::posts`]). Returns the number of new alerts.
pub(crate) async fn record(
    shared: &Arc<Shared>,
    target: &Target,
    found: Vec<Found>,
    cursor: Option<(String, String)>,
    posts_from: Option<&Arc<dyn Source>>,
) -> Result<usize, StoreError> {
    let now = Utc::now();
    let assessments: Vec<Assessment> = found
        .iter()
        .map(|f| {
            // A candidate's avatar is compared only when it decodes (bounded by the source).
            let avatar = f.avatar_image.as_deref().and_then(|b| fingerprint(b).ok());
            target.detector.assess(&f.profile, avatar.as_ref(), now)
        })
        .collect();
    let store = shared.store.clone();
    let identity_id = target.identity_id;
    let outcomes = tokio::task::spawn_blocking(move || {
        let findings: Vec<Finding<'_>> = found
            .iter()
            .zip(&assessments)
            .map(|(found, assessment)| Finding {
                identity_id,
                found,
                assessment,
            })
            .collect();
        store.record_findings(
            &findings,
            cursor.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
            now,
        )
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("the store task failed: {e}")))??;
    let mut new_alerts = 0;
    let mut wake = false;
    let mut raised = Vec::new();
    for outcome in outcomes {
        if let AlertChange::New(id) | AlertChange::Updated(id) = outcome.alert {
            raised.push(id);
        }
        match outcome.alert {
            AlertChange::New(id) => {
                new_alerts += 1;
                wake = true;
                if let Ok(alert) = shared.store.alert(id) {
                    shared.emit(WatchEvent::NewAlert {
                        alert: Box::new(alert),
                    });
                }
            }
            AlertChange::Updated(id) => {
                // A suspicious alert that turned impostor has its notification queued.
                wake = true;
                shared.emit(WatchEvent::AlertUpdated { alert_id: id });
            }
            AlertChange::Resolved(id) => {
                wake = true;
                if let Ok(alert) = shared.store.alert(id) {
                    shared.emit(WatchEvent::CaseClosed {
                        alert: Box::new(alert),
                    });
                }
            }
            AlertChange::None | AlertChange::Duplicate | AlertChange::Suppressed => {}
        }
    }
    if wake {
        shared.wake_notifier.notify_one();
    }
    if let Some(source) = posts_from {
        super::posts::spawn_fetch(shared, source.clone(), target, raised);
    }
    Ok(new_alerts)
}

/// Waits while paused; returns false when the service stops.
async fn wait_unpaused(shared: &Arc<Shared>, slot: Option<usize>) -> bool {
    let mut paused = shared.paused.subscribe();
    let mut stop = shared.stop.subscribe();
    loop {
        if *stop.borrow() {
            return false;
        }
        if !*paused.borrow_and_update() {
            return true;
        }
        if let Some(slot) = slot {
            shared.update_status(slot, |s| {
                s.state = RunState::Paused;
                s.next_check = None;
            });
        }
        tokio::select! {
            _ = paused.changed() => {}
            _ = stop.changed() => return false,
        }
    }
}

/// What a check that ran came back with.
struct Checked {
    candidates: usize,
    new_alerts: usize,
    /// The failed queries in words when the check was partial.
    missed: Option<String>,
    failed_queries: usize,
    /// What a spending cap cut of the check, in words (shown like a partial check, but not
    /// tried again early: the cap would cut it again).
    cut: Option<String>,
}

/// Hands a paid source's (X) spending to the store and takes every process's total back
/// (the same path `scan` uses: [`crate::sources::spending::begin_check`] before a check, which
/// holds the room left under the cap, and [`crate::sources::spending::end_check`] after), so a
/// restart or a `scan` beside the watcher keeps the daily cap.
async fn sync_spending(shared: &Arc<Shared>, source: &Arc<dyn Source>, begin: bool) {
    let store = shared.store.clone();
    let source = source.clone();
    let synced = tokio::task::spawn_blocking(move || {
        if begin {
            crate::sources::spending::begin_check(&store, source.as_ref())
        } else {
            crate::sources::spending::end_check(&store, source.as_ref())
        }
    })
    .await;
    if !matches!(synced, Ok(Ok(()))) {
        tracing::warn!("could not store today's spending; it is kept and stored at the next check");
    }
}

/// The turn of a paid source's check (X), none for free sources.
type PaidTurn<'a> = Option<tokio::sync::MutexGuard<'a, HashMap<String, HashSet<IdentityId>>>>;

/// Before a check: paid checks take turns, and each may spend the day's room left divided by
/// the people still to check in the round; what other processes (a `scan`) spent since
/// counts against it. The turn and what the source had spent so far.
async fn begin_turn<'a>(
    shared: &'a Arc<Shared>,
    source: &Arc<dyn Source>,
    target: &Target,
) -> (PaidTurn<'a>, Option<f64>) {
    let mut turn = match source.unsaved_spending() {
        Some(_) => Some(shared.paid_turn.lock().await),
        None => None,
    };
    sync_spending(shared, source, true).await;
    let spent_before = source.unsaved_spending().map(|s| s.usd);
    if let Some(round) = turn.as_mut() {
        let checked = round.entry(source.platform().to_string()).or_default();
        if !checked.insert(target.identity_id) {
            // Everyone had their turn: a new round.
            checked.clear();
            checked.insert(target.identity_id);
        }
        let left = (shared.people() + 1).saturating_sub(checked.len()).max(1);
        crate::sources::spending::share_room(source.as_ref(), left);
    }
    (turn, spent_before)
}

/// After a check: lifts the share, hands the spending to the store and ends the turn; what
/// the check cost (paid sources only).
async fn end_turn(
    shared: &Arc<Shared>,
    source: &Arc<dyn Source>,
    turn: PaidTurn<'_>,
    spent_before: Option<f64>,
) -> Option<f64> {
    let cost = spent_before.map(|before| {
        let after = source.unsaved_spending().map_or(before, |s| s.usd);
        (after - before).max(0.0)
    });
    if turn.is_some() {
        crate::sources::spending::end_share(source.as_ref());
    }
    sync_spending(shared, source, false).await;
    drop(turn);
    cost
}

/// Tells the app a check of `target` on `platform` failed, and why.
fn check_failed(shared: &Shared, target: &Target, platform: &Platform, error: String) {
    shared.emit(WatchEvent::CheckFailed {
        platform: platform.clone(),
        identity: target.identity.name.clone(),
        error,
    });
}

/// Periodic checks of one source for one identity.
pub(crate) async fn periodic(
    shared: Arc<Shared>,
    slot: usize,
    source: Arc<dyn Source>,
    target: Target,
) {
    let platform = source.platform();
    let interval = shared.config.interval_for(&platform);
    let min_backoff = Duration::from_secs(shared.config.min_backoff_secs.max(1));
    let max_backoff = Duration::from_secs(shared.config.max_backoff_secs.max(1));
    let mut check_now = shared.check_now.subscribe();
    let mut paused = shared.paused.subscribe();
    let mut stop = shared.stop.subscribe();
    let mut failures: u32 = 0;
    // The first check comes soon, spread a little so sources do not start in one burst.
    let mut next = Instant::now() + jittered(Duration::from_millis(500), 0.9);
    loop {
        if !wait_unpaused(&shared, Some(slot)).await {
            return;
        }
        let wait = next.saturating_duration_since(Instant::now());
        shared.update_status(slot, |s| {
            if s.state != RunState::BackingOff && s.state != RunState::RateLimited {
                s.state = RunState::Waiting;
            }
            s.next_check = Some(Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default());
        });
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = check_now.changed() => {}
            _ = paused.changed() => continue,
            _ = stop.changed() => return,
        }
        if *paused.borrow() {
            continue;
        }
        shared.update_status(slot, |s| {
            s.state = RunState::Checking;
            s.next_check = None;
        });
        let (turn, spent_before) = begin_turn(&shared, &source, &target).await;
        let result = tokio::select! {
            r = tokio::time::timeout(CHECK_TIMEOUT, source.check_report(&target.identity)) => r,
            _ = stop.changed() => {
                // A check stopped midway (the service restarts: a person was added) still
                // gives back its hold on the day's room, or the next service's checks would
                // find the cap reached until the hold lapses.
                end_turn(&shared, &source, turn, spent_before).await;
                return;
            }
        };
        let cost_usd = end_turn(&shared, &source, turn, spent_before).await;
        let now = Utc::now();
        let outcome = match result {
            Ok(Ok(report)) => {
                let candidates = report.found.len();
                let missed = report.missed_summary();
                let failed_queries = report.failures.len();
                let cut = report.cut.clone();
                // What the other queries found is judged and alerted now, partial or not.
                match record(&shared, &target, report.found, None, Some(&source)).await {
                    Ok(new_alerts) => Ok(Checked {
                        candidates,
                        new_alerts,
                        missed,
                        failed_queries,
                        cut,
                    }),
                    Err(e) => Err(format!("could not save the findings: {e}")),
                }
            }
            Ok(Err(SourceError::RateLimited {
                retry_after_secs, ..
            })) => {
                let until = now + chrono::Duration::seconds(retry_after_secs as i64);
                let message = format!(
                    "{} asked us to slow down; next try at {}",
                    crate::report::platform_name(&platform),
                    until.format("%H:%M UTC")
                );
                shared.update_status(slot, |s| {
                    s.state = RunState::RateLimited;
                    s.rate_limited_until = Some(until);
                    s.last_error = Some(message.clone());
                    s.partial = None;
                });
                check_failed(&shared, &target, &platform, message);
                next =
                    Instant::now() + jittered(Duration::from_secs(retry_after_secs.max(1)), 0.05);
                continue;
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "the check took longer than {} minutes and was abandoned",
                CHECK_TIMEOUT.as_secs() / 60
            )),
        };
        match outcome {
            Ok(checked) => {
                failures = 0;
                let wait = match &checked.missed {
                    // Holes in the net: try again at the backoff's first step, not in a whole
                    // interval (a partial check does not count as a failure).
                    Some(missed) => {
                        tracing::warn!(platform = %platform, "partial check: {missed}");
                        failure_wait(1, min_backoff, max_backoff, interval)
                    }
                    None => jittered(interval, shared.config.jitter),
                };
                next = Instant::now() + wait;
                shared.update_status(slot, |s| {
                    s.state = RunState::Waiting;
                    s.last_check = Some(now);
                    // Said with the outcome, so the status read on CheckDone has it.
                    s.next_check = Some(now + chrono::Duration::from_std(wait).unwrap_or_default());
                    s.last_error = None;
                    s.rate_limited_until = None;
                    s.last_candidates = checked.candidates;
                    s.partial = match (&checked.missed, &checked.cut) {
                        (Some(missed), Some(cut)) => Some(format!("{missed}; {cut}")),
                        (missed, cut) => missed.clone().or_else(|| cut.clone()),
                    };
                });
                shared.emit(WatchEvent::CheckDone {
                    platform: platform.clone(),
                    identity: target.identity.name.clone(),
                    candidates: checked.candidates,
                    new_alerts: checked.new_alerts,
                    failed_queries: checked.failed_queries,
                    cost_usd,
                });
            }
            Err(message) => {
                failures = failures.saturating_add(1);
                let wait = failure_wait(failures, min_backoff, max_backoff, interval);
                next = Instant::now() + wait;
                tracing::warn!(platform = %platform, "check failed ({failures} in a row): {message}");
                shared.update_status(slot, |s| {
                    s.state = RunState::BackingOff;
                    s.last_check = Some(now);
                    s.last_error = Some(message.clone());
                    s.partial = None;
                });
                check_failed(&shared, &target, &platform, message);
            }
        }
    }
}

/// The Bluesky Jetstream stream for one identity, resuming from the stored cursor. The cursor
/// is stored only after every candidate before it was recorded.
pub(crate) async fn live(
    shared: Arc<Shared>,
    slot: usize,
    source: Arc<BlueskySource>,
    target: Target,
) {
    let cursor_name = format!("jetstream:{}", target.identity_id);
    let mut paused = shared.paused.subscribe();
    let mut stop = shared.stop.subscribe();
    loop {
        if !wait_unpaused(&shared, Some(slot)).await {
            return;
        }
        let start = shared
            .store
            .cursor(&cursor_name)
            .ok()
            .flatten()
            .and_then(|c| c.parse::<u64>().ok());
        let (tx, mut rx) = mpsc::channel(256);
        let stream = {
            let source = source.clone();
            let identity = target.identity.clone();
            tokio::spawn(async move { run_live(&source, &identity, start, tx).await })
        };
        let stopped = loop {
            let event = tokio::select! {
                e = rx.recv() => e,
                _ = paused.changed() => if *paused.borrow() { break false } else { continue },
                _ = stop.changed() => break true,
            };
            let Some(event) = event else {
                // The stream gave up (a bad URL): say so and stop this task.
                shared.update_status(slot, |s| s.state = RunState::Reconnecting);
                return;
            };
            match event {
                LiveEvent::Connected { .. } => shared.update_status(slot, |s| {
                    s.state = RunState::Connected;
                    s.last_error = None;
                }),
                LiveEvent::Found(found) => {
                    let mut found = *found;
                    found.found_by = FoundBy::Live;
                    let posts_from: Arc<dyn Source> = source.clone();
                    match record(&shared, &target, vec![found], None, Some(&posts_from)).await {
                        Ok(_) => shared.update_status(slot, |s| s.last_check = Some(Utc::now())),
                        Err(e) => {
                            // Not stored: do not move the cursor past it; restart from it.
                            tracing::error!("could not save a live finding: {e}");
                            break false;
                        }
                    }
                }
                LiveEvent::Cursor(time_us) => {
                    let store = shared.store.clone();
                    let name = cursor_name.clone();
                    let saved = tokio::task::spawn_blocking(move || {
                        store.set_cursor(&name, &time_us.to_string())
                    })
                    .await;
                    if matches!(saved, Ok(Ok(()))) {
                        shared
                            .log
                            .recovered(LOG_CURSOR, "the Jetstream cursor is saved again");
                    } else {
                        shared
                            .log
                            .warn(LOG_CURSOR, "could not save the Jetstream cursor");
                    }
                }
                LiveEvent::CoverageGap { from_us, to_us } => {
                    coverage_gap(&shared, slot, &target, source.platform(), from_us, to_us).await;
                }
                LiveEvent::Disconnected { reason, retry_in } => shared.update_status(slot, |s| {
                    s.state = RunState::Reconnecting;
                    s.last_error = Some(reason.clone());
                    s.next_check =
                        Some(Utc::now() + chrono::Duration::from_std(retry_in).unwrap_or_default());
                }),
            }
        };
        stream.abort();
        if stopped {
            return;
        }
    }
}

/// The stored coverage gap of an identity's live stream (`from_us to_us`), if any.
fn gap_key(target: &Target) -> String {
    format!("coverage_gap:jetstream:{}", target.identity_id)
}

/// The gap last stored for this stream, shown again after a restart.
pub(crate) fn restore_coverage_gap(shared: &Shared, slot: usize, target: &Target) {
    let stored = shared.store.cursor(&gap_key(target)).ok().flatten();
    let parsed = stored.as_deref().and_then(|v| {
        let (from, to) = v.split_once(' ')?;
        gap_span(from.parse().ok()?, to.parse().ok()?)
    });
    if let Some(gap) = parsed {
        shared.update_status(slot, |s| s.coverage_gap = Some(gap));
    }
}

fn gap_span(from_us: u64, to_us: u64) -> Option<CoverageGap> {
    let at = |us: u64| DateTime::<Utc>::from_timestamp_micros(i64::try_from(us).ok()?);
    Some(CoverageGap {
        from: at(from_us)?,
        to: at(to_us)?,
    })
}

/// The live stream could not replay a span: record it where the person sees it (status,
/// event, store) and run every periodic check now, which finds what the stream missed.
async fn coverage_gap(
    shared: &Arc<Shared>,
    slot: usize,
    target: &Target,
    platform: Platform,
    from_us: u64,
    to_us: u64,
) {
    let Some(gap) = gap_span(from_us, to_us) else {
        return;
    };
    tracing::warn!(
        identity = %target.identity.name,
        "live coverage had a gap from {} to {}: running a full check now",
        gap.from,
        gap.to
    );
    shared.update_status(slot, |s| s.coverage_gap = Some(gap));
    let store = shared.store.clone();
    let (key, value) = (gap_key(target), format!("{from_us} {to_us}"));
    if !matches!(
        tokio::task::spawn_blocking(move || store.set_cursor(&key, &value)).await,
        Ok(Ok(()))
    ) {
        tracing::warn!("could not save the live coverage gap");
    }
    shared.emit(WatchEvent::CoverageGap {
        platform,
        identity: target.identity.name.clone(),
        from: gap.from,
        to: gap.to,
    });
    shared.check_now.send_modify(|n| *n = n.wrapping_add(1));
}

/// Re-checks the accounts of open and snoozed alerts: a gone account closes its case; a
/// changed one is judged again (a rename away resolves it; a snoozed one that changed its
/// name, bio or picture comes back early).
pub(crate) async fn recheck(shared: Arc<Shared>, sources: Vec<Arc<dyn Source>>) {
    let interval = Duration::from_secs(shared.config.recheck_interval_secs.max(1));
    let mut check_now = shared.check_now.subscribe();
    let mut stop = shared.stop.subscribe();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(jittered(interval, shared.config.jitter)) => {}
            _ = check_now.changed() => {}
            _ = stop.changed() => return,
        }
        if *shared.paused.borrow() {
            continue;
        }
        let targets = shared
            .targets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for source in &sources {
            if let Err(e) = recheck_source(&shared, source.as_ref(), &targets).await {
                tracing::warn!(platform = %source.platform(), "re-check failed: {e}");
            }
        }
    }
}

async fn recheck_source(
    shared: &Arc<Shared>,
    source: &dyn Source,
    targets: &[Target],
) -> Result<(), String> {
    let platform = source.platform();
    let open = shared
        .store
        .alerts(&AlertFilter {
            states: vec![
                AlertState::New,
                AlertState::Seen,
                AlertState::Reported,
                AlertState::Snoozed,
            ],
            platform: Some(platform.clone()),
            ..Default::default()
        })
        .map_err(|e| e.to_string())?;
    for batch in open.chunks(LOOKUP_BATCH) {
        let refs: Vec<AccountRef> = batch.iter().map(|a| AccountRef::of(&a.profile)).collect();
        let answers = source.lookup(&refs).await.map_err(|e| e.to_string())?;
        for (alert, (_, state)) in batch.iter().zip(answers) {
            match state {
                AccountState::Gone => {
                    let why = format!(
                        "the account was removed by {}",
                        crate::report::platform_name(&platform)
                    );
                    let closed = shared
                        .store
                        .close_case(alert.id, &why, Utc::now())
                        .map_err(|e| e.to_string())?;
                    shared.emit(WatchEvent::CaseClosed {
                        alert: Box::new(closed),
                    });
                    shared.wake_notifier.notify_one();
                }
                AccountState::Present(profile) => {
                    let Some(target) = targets.iter().find(|t| t.identity_id == alert.identity_id)
                    else {
                        continue;
                    };
                    let found = Found {
                        profile: *profile,
                        found_by: alert.found_by.clone().unwrap_or(FoundBy::Directory),
                        avatar_image: None,
                    };
                    record(shared, target, vec![found], None, None)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    Ok(())
}

/// Brings back snoozed alerts whose time has come (as new alerts, with their notifications
/// queued in the same transaction) and tells the app like for a new alert.
async fn wake_due_snoozes(shared: &Arc<Shared>) {
    let store = shared.store.clone();
    match tokio::task::spawn_blocking(move || store.wake_due_snoozes(Utc::now())).await {
        Ok(Ok(woken)) => {
            shared
                .log
                .recovered(LOG_SNOOZE, "snoozed alerts are woken again");
            for alert in woken {
                shared.emit(WatchEvent::NewAlert {
                    alert: Box::new(alert),
                });
            }
        }
        Ok(Err(e)) => shared.log.warn(
            LOG_SNOOZE,
            format_args!("snoozed alerts not woken yet: {e}"),
        ),
        Err(e) => shared
            .log
            .warn(LOG_SNOOZE, format_args!("the snooze task failed: {e}")),
    }
}

/// Shows pending notifications: after each new finding and at least every second (so a
/// batch window or quiet hours that end are noticed); after a failure (no notification
/// service) the once-a-second round only when [`NotifyRetry`] allows. Each round first wakes the snoozed alerts that
/// are due, so they are notified in the same round.
pub(crate) async fn dispatch(shared: Arc<Shared>, sink: Arc<dyn NotificationSink>) {
    let dispatcher = Arc::new(std::sync::Mutex::new(Dispatcher::new(
        shared.store.clone(),
        sink,
        NotifyConfig {
            batch_window_secs: shared.config.notify_batch_secs,
            quiet_hours: shared.config.quiet_hours,
            worth_a_look_digest: shared.config.worth_a_look_digest,
            wave_update_secs: shared.config.wave_update_secs,
        },
    )));
    let mut stop = shared.stop.subscribe();
    let mut retry = NotifyRetry::default();
    // A new finding is always tried at once; the once-a-second round only when the backoff
    // allows.
    let mut new_finding = true;
    loop {
        wake_due_snoozes(&shared).await;
        if new_finding || retry.ready(Instant::now()) {
            let d = dispatcher.clone();
            // Showing a notification is a blocking D-Bus call.
            let shown = tokio::task::spawn_blocking(move || {
                d.lock().unwrap_or_else(|p| p.into_inner()).tick_now()
            })
            .await;
            match shown {
                Ok(Ok(0)) => retry.shown(),
                Ok(Ok(_)) => {
                    retry.shown();
                    shared
                        .log
                        .recovered(LOG_NOTIFY, "notifications are shown again");
                }
                Ok(Err(e)) => {
                    retry.failed(Instant::now());
                    shared
                        .log
                        .warn(LOG_NOTIFY, format_args!("notification not shown yet: {e}"));
                }
                Err(e) => {
                    retry.failed(Instant::now());
                    shared.log.warn(
                        LOG_NOTIFY,
                        format_args!("the notification task failed: {e}"),
                    );
                }
            }
        }
        new_finding = tokio::select! {
            _ = shared.wake_notifier.notified() => true,
            _ = tokio::time::sleep(Duration::from_secs(1)) => false,
            _ = stop.changed() => return,
        };
    }
}

/// Longest wait between tries to show notifications while the service fails.
const NOTIFY_RETRY_MAX: Duration = Duration::from_secs(60);

/// When notifications may be tried again: at once while they are shown; after a failure in
/// 2 s, then 4, 8... up to [`NOTIFY_RETRY_MAX`], so a failing notification service (each try
/// a new bus connection and a service activation) is not asked every second.
#[derive(Debug, Default)]
struct NotifyRetry {
    failures: u32,
    next: Option<Instant>,
}

impl NotifyRetry {
    fn ready(&self, now: Instant) -> bool {
        !matches!(self.next, Some(next) if now < next)
    }

    fn failed(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        let wait = failure_wait(
            self.failures,
            Duration::from_secs(2),
            NOTIFY_RETRY_MAX,
            NOTIFY_RETRY_MAX,
        );
        self.next = Some(now + wait);
    }

    fn shown(&mut self) {
        *self = NotifyRetry::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_notification_service_is_tried_ever_less_often() {
        let start = Instant::now();
        let mut retry = NotifyRetry::default();
        assert!(retry.ready(start));
        let mut now = start;
        let mut waits = Vec::new();
        for _ in 0..12 {
            retry.failed(now);
            assert!(!retry.ready(now), "not tried again at once");
            assert!(
                !retry.ready(now + Duration::from_secs(1)),
                "not every second"
            );
            let next = retry.next.expect("a failure sets when to try again");
            assert!(retry.ready(next));
            waits.push(next - now);
            now = next;
        }
        assert!(waits[1] > waits[0] && waits[2] > waits[1], "{waits:?}");
        assert!(waits
            .iter()
            .all(|w| *w <= NOTIFY_RETRY_MAX + NOTIFY_RETRY_MAX / 5));
        assert!(waits[11] >= NOTIFY_RETRY_MAX - NOTIFY_RETRY_MAX / 5);
        retry.shown();
        assert!(retry.ready(now), "shown again: back to every round");
    }
}
