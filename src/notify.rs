//! Native desktop notifications (notify-rust): one per new alert saying who copies whom and on
//! which network, with the actions "Review and report" and "Not an impostor"; several alerts
//! within a short window come as one summary; nothing shows during quiet hours (the alerts wait
//! and come as a summary afterwards). A closed case is announced too.
//!
//! The verdict decides what interrupts the person ([`route`]): an `impostor` alert pops up at
//! once; a `suspicious` one (worth a look, often a namesake) never does. Suspicious alerts wait
//! in the app's worth-a-look list, and at most one digest a day ("3 accounts worth a look",
//! whose action opens that list) says how many arrived, unless the person turned it off. When
//! the last digest went out is kept in the store, so a restart does not send a second one. The
//! closed case of an alert that never popped up stays quiet too, unless the person reported it.
//!
//! Waves (issue 11): impostor alerts of one wave shown together make one notice ("12 accounts
//! imitating NAME on Bluesky") whose action opens the wave (`review:wave:<id>:<alert ids>`);
//! an alert that joins a wave announced less than [`NotifyConfig::wave_update_secs`] ago
//! (default [`WAVE_UPDATE_MINUTES`]) waits, and then comes with the others that joined
//! meanwhile as one update ("3 more accounts imitating NAME ..."), unless batching is off (a
//! batch window of 0 shows everything at once).
//!
//! Notifications are durable: the store writes each one to its outbox in the same transaction
//! as the alert, and [`Dispatcher::tick`] shows what is pending and marks it shown. After a
//! crash, unshown notifications are shown on restart.
//!
//! On Linux and the BSDs this speaks the freedesktop D-Bus notification protocol, where actions
//! come back as `ActionInvoked` signals; they arrive on the channel given to
//! [`DesktopNotifier::new`] as [`NotificationAction`]s. Elsewhere notifications show without
//! actions (clicking opens the app).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Local, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use crate::detect::Verdict;
use crate::report::{copied_elements, join_words, platform_name, shown_handle, visible};
use crate::store::{AlertState, OutboxItem, OutboxKind, Store, StoreError};

/// Action key of "Review and report" (followed by `:<alert id>`, or `:all:<ids>` on a summary).
pub const ACTION_REVIEW: &str = "review";
/// Action key of "Not an impostor" (followed by `:<alert id>`).
pub const ACTION_ALLOW: &str = "allow";
/// Action key of the worth-a-look digest's "Have a look" (followed by `:<alert ids>`).
pub const ACTION_WORTH_A_LOOK: &str = "worth-a-look";

/// At most one worth-a-look digest per this many hours.
pub const DIGEST_EVERY_HOURS: i64 = 24;
/// A digest waits until the oldest account it announces has waited this many minutes, so a
/// namesake never pops up as it is found, and the ones found close together come as one.
pub const DIGEST_GATHER_MINUTES: i64 = 60;

/// By default, an alert joining a wave announced less than this many minutes ago does not pop
/// up on its own: it comes in the wave's next update.
pub const WAVE_UPDATE_MINUTES: i64 = 15;

/// Notification settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyConfig {
    /// Alerts arriving within this many seconds of the last notification are gathered into
    /// one summary.
    pub batch_window_secs: u64,
    /// No notification between these local times; alerts wait until the end.
    pub quiet_hours: Option<QuietHours>,
    /// One digest a day at most of the `suspicious` alerts (which never pop up one by one);
    /// false: none.
    pub worth_a_look_digest: bool,
    /// Alerts joining a wave announced less than this many seconds ago wait for the wave's
    /// next update (0: each batch of newcomers is announced at once).
    pub wave_update_secs: u64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            batch_window_secs: 60,
            quiet_hours: None,
            worth_a_look_digest: true,
            wave_update_secs: WAVE_UPDATE_MINUTES as u64 * 60,
        }
    }
}

/// A daily quiet period in local time; may wrap past midnight (22:00-07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether `time` falls in the quiet period.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

/// What the person chose on a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum NotificationAction {
    /// "Review and report": open the app at this alert (`None`: at the alert list).
    Review { alert_id: Option<i64> },
    /// "Review the wave": open the app at this wave (`review:wave:<id>:<alert ids>`).
    ReviewWave { wave_id: i64 },
    /// "Not an impostor": allow the account.
    Allow { alert_id: i64 },
    /// "Have a look" on the worth-a-look digest: open the app at the worth-a-look list.
    WorthALook,
}

impl NotificationAction {
    /// Parses an action key sent back by the notification server.
    pub fn parse(key: &str) -> Option<NotificationAction> {
        let (kind, id) = key.split_once(':')?;
        match kind {
            ACTION_REVIEW => match id.split_once(':') {
                Some(("wave", rest)) => {
                    let wave = rest.split_once(':').map_or(rest, |(wave, _)| wave);
                    wave.parse()
                        .ok()
                        .map(|wave_id| NotificationAction::ReviewWave { wave_id })
                }
                _ => Some(NotificationAction::Review {
                    alert_id: id.parse().ok(),
                }),
            },
            ACTION_ALLOW => id
                .parse()
                .ok()
                .map(|alert_id| NotificationAction::Allow { alert_id }),
            ACTION_WORTH_A_LOOK => Some(NotificationAction::WorthALook),
            _ => None,
        }
    }
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    /// (action key, label) pairs.
    pub actions: Vec<(String, String)>,
    /// The outbox entries this notice covers.
    pub outbox_ids: Vec<i64>,
}

/// Escapes text for notification servers that read a subset of HTML in bodies.
fn markup_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What the verdict policy does with a pending notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Show it now (an impostor, or a case the person reported).
    Now,
    /// Wait for the worth-a-look digest (a suspicious alert nobody looked at yet).
    Digest,
    /// Never show it: the app's lists have it (a suspicious alert already opened, or the closed
    /// case of one that was never reported).
    Quiet,
}

/// Where a pending notification goes: an `impostor` alert is shown at once; a `suspicious` one
/// waits for the digest while it is new; a closed case is shown when its alert was an impostor
/// or `reported` by the person.
pub fn route(item: &OutboxItem, reported: bool) -> Route {
    match (item.kind, item.alert.verdict) {
        (_, Verdict::Impostor) => Route::Now,
        (OutboxKind::NewAlert, _) if item.alert.state == AlertState::New => Route::Digest,
        (OutboxKind::CaseClosed, _) if reported => Route::Now,
        _ => Route::Quiet,
    }
}

/// Whether a worth-a-look digest may go out at `now`: the oldest account it would announce has
/// waited [`DIGEST_GATHER_MINUTES`], and the last digest (`last`) is [`DIGEST_EVERY_HOURS`]
/// old or more (or in the future: the clock was set back).
pub fn digest_due(last: Option<DateTime<Utc>>, oldest: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let gathered = now - oldest >= chrono::Duration::minutes(DIGEST_GATHER_MINUTES);
    let rested = match last {
        None => true,
        Some(last) => last > now || now - last >= chrono::Duration::hours(DIGEST_EVERY_HOURS),
    };
    gathered && rested
}

/// The first five alerts of `items` as "handle on Platform" lines, and "and N more" after them.
fn first_five<I: std::borrow::Borrow<OutboxItem>>(items: &[I]) -> String {
    let lines: Vec<String> = items
        .iter()
        .take(5)
        .map(|item| {
            let item = item.borrow();
            format!(
                "{} on {}",
                shown_handle(&item.alert),
                platform_name(&item.alert.platform)
            )
        })
        .collect();
    let more = if items.len() > 5 {
        format!("\nand {} more", items.len() - 5)
    } else {
        String::new()
    };
    format!("{}{more}", lines.join("\n"))
}

/// The worth-a-look digest of `items` (new `suspicious` alerts): how many, which, and an action
/// that opens the worth-a-look list.
pub fn compose_digest(items: &[OutboxItem]) -> Notice {
    let n = items.len();
    let listed = first_five(items);
    Notice {
        summary: if n == 1 {
            "1 account worth a look".into()
        } else {
            format!("{n} accounts worth a look")
        },
        body: markup_escape(&format!(
            "{listed}\nThey may be namesakes, so they did not pop up one by one."
        )),
        actions: vec![(
            format!(
                "{ACTION_WORTH_A_LOOK}:{}",
                items
                    .iter()
                    .map(|i| i.alert.id.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            "Have a look".into(),
        )],
        outbox_ids: items.iter().map(|i| i.id).collect(),
    }
}

/// Turns pending outbox entries into notices: the new alerts of one wave as one notice, else
/// one per entry when there is one new alert, one summary for several; a closed case gets its
/// own notice. It announces whatever it is given: [`Dispatcher::tick`] gives it only what
/// [`route`] says to show now.
pub fn compose(items: &[OutboxItem]) -> Vec<Notice> {
    compose_waves(items, &HashSet::new())
}

/// [`compose`], where the waves in `announced` were announced before (their notice says "more").
pub fn compose_waves(items: &[OutboxItem], announced: &HashSet<i64>) -> Vec<Notice> {
    let (new, closed): (Vec<&OutboxItem>, Vec<&OutboxItem>) = items
        .iter()
        .partition(|item| item.kind == OutboxKind::NewAlert);
    let mut waves: BTreeMap<i64, Vec<&OutboxItem>> = BTreeMap::new();
    for item in &new {
        if let Some(wave) = item.alert.wave_id {
            waves.entry(wave).or_default().push(item);
        }
    }
    // A lone newcomer pops up like any alert (with its "Not an impostor" action).
    waves.retain(|_, members| members.len() > 1);
    let new: Vec<&OutboxItem> = new
        .into_iter()
        .filter(|item| !item.alert.wave_id.is_some_and(|w| waves.contains_key(&w)))
        .collect();
    let mut notices: Vec<Notice> = waves
        .iter()
        .map(|(wave, members)| wave_notice(*wave, members, announced.contains(wave)))
        .collect();
    match new.as_slice() {
        [] => {}
        [item] => notices.push(one_alert(item)),
        many => {
            let listed = first_five(many);
            notices.push(Notice {
                summary: format!("{} possible impersonators", many.len()),
                body: markup_escape(&listed),
                // The key lists the alerts the summary covers (`review:all:3,4,5`), so the
                // notice says which alerts it announced; the button opens the alert list.
                actions: vec![(
                    format!(
                        "{ACTION_REVIEW}:all:{}",
                        many.iter()
                            .map(|i| i.alert.id.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                    "Review and report".into(),
                )],
                outbox_ids: many.iter().map(|i| i.id).collect(),
            });
        }
    }
    for item in closed {
        let alert = &item.alert;
        notices.push(Notice {
            summary: format!("Case closed on {}", platform_name(&alert.platform)),
            body: markup_escape(&format!(
                "{}: {}",
                shown_handle(alert),
                visible(
                    alert.state_note.as_deref().unwrap_or("the case is closed"),
                    160
                )
            )),
            actions: vec![(format!("{ACTION_REVIEW}:{}", alert.id), "Open".into())],
            outbox_ids: vec![item.id],
        });
    }
    notices
}

/// The notice of one new alert: who copies whom, on which network.
fn one_alert(item: &OutboxItem) -> Notice {
    let alert = &item.alert;
    let copied = copied_elements(alert);
    let what = if copied.is_empty() {
        "looks like you".to_string()
    } else {
        format!("uses your {}", join_words(&copied))
    };
    Notice {
        summary: format!(
            "Possible impersonator on {}",
            platform_name(&alert.platform)
        ),
        body: markup_escape(&format!(
            "{} {what} ({})",
            shown_handle(alert),
            visible(&alert.identity.name, 60)
        )),
        actions: vec![
            (
                format!("{ACTION_REVIEW}:{}", alert.id),
                "Review and report".into(),
            ),
            (
                format!("{ACTION_ALLOW}:{}", alert.id),
                "Not an impostor".into(),
            ),
        ],
        outbox_ids: vec![item.id],
    }
}

/// One notice for the new alerts of a wave: "12 accounts imitating NAME on Bluesky" ("3 more
/// accounts ..." when the wave was announced before); its action opens the wave.
fn wave_notice(wave: i64, members: &[&OutboxItem], again: bool) -> Notice {
    let n = members.len();
    let name = members
        .first()
        .map(|item| visible(&item.alert.identity.name, 60))
        .unwrap_or_default();
    let mut platforms: Vec<String> = Vec::new();
    for item in members {
        let platform = platform_name(&item.alert.platform).to_string();
        if !platforms.contains(&platform) {
            platforms.push(platform);
        }
    }
    let words: Vec<&str> = platforms.iter().map(String::as_str).collect();
    let accounts = if n == 1 { "account" } else { "accounts" };
    let more = if again { " more" } else { "" };
    Notice {
        summary: format!(
            "{n}{more} {accounts} imitating {name} on {}",
            join_words(&words)
        ),
        body: markup_escape(&first_five(members)),
        // `review:wave:<wave>:<alert ids>`: the wave to open and the alerts announced.
        actions: vec![(
            format!(
                "{ACTION_REVIEW}:wave:{wave}:{}",
                members
                    .iter()
                    .map(|i| i.alert.id.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            "Review the wave".into(),
        )],
        outbox_ids: members.iter().map(|i| i.id).collect(),
    }
}

/// Why a notification could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the desktop notification service is not available: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where notices go: the desktop ([`DesktopNotifier`]) or, in tests, a recorder.
pub trait NotificationSink: Send + Sync {
    /// Shows one notice; actions chosen later arrive on the sink's own channel.
    fn show(&self, notice: &Notice) -> Result<(), NotifyError>;
}

/// The OS notification service through notify-rust.
pub struct DesktopNotifier {
    app_name: String,
    #[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
    actions: UnboundedSender<NotificationAction>,
}

impl DesktopNotifier {
    /// A notifier whose notifications' actions are sent to `actions`.
    pub fn new(actions: UnboundedSender<NotificationAction>) -> DesktopNotifier {
        DesktopNotifier {
            app_name: "Doppelwatch".into(),
            actions,
        }
    }
}

impl NotificationSink for DesktopNotifier {
    #[cfg(all(unix, not(target_os = "macos")))]
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname(&self.app_name)
            .summary(&notice.summary)
            .body(&notice.body)
            .icon("dialog-warning");
        for (key, label) in &notice.actions {
            notification.action(key, label);
        }
        let handle = notification
            .show()
            .map_err(|e| NotifyError::Unavailable(e.to_string()))?;
        if notice.actions.is_empty() {
            return Ok(());
        }
        // Actions come back as D-Bus signals: wait on a thread of its own so the watcher never
        // blocks. The thread ends when the notification is acted on or closed.
        let actions = self.actions.clone();
        let spawned = std::thread::Builder::new()
            .name("notification-actions".into())
            .spawn(move || {
                handle.wait_for_action(|key| {
                    if let Some(action) = NotificationAction::parse(key) {
                        let _ = actions.send(action);
                    }
                });
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot wait for notification actions: {e}");
        }
        Ok(())
    }

    #[cfg(not(all(unix, not(target_os = "macos"))))]
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        // macOS and Windows: no action round trip through notify-rust; the app opens on click.
        notify_rust::Notification::new()
            .appname(&self.app_name)
            .summary(&notice.summary)
            .body(&notice.body)
            .show()
            .map(|_| ())
            .map_err(|e| NotifyError::Unavailable(e.to_string()))
    }
}

/// Shows pending notifications from the store's outbox, batching and holding them per
/// [`NotifyConfig`].
pub struct Dispatcher {
    store: Arc<Store>,
    sink: Arc<dyn NotificationSink>,
    config: NotifyConfig,
    last_shown: Option<DateTime<Utc>>,
}

impl Dispatcher {
    pub fn new(store: Arc<Store>, sink: Arc<dyn NotificationSink>, config: NotifyConfig) -> Self {
        // The batch window runs from the last notification of any dispatcher before this one
        // (the watch service restarts when a person is added): a wave arriving across the
        // restart is still announced once, whole.
        let last_shown = store.last_notified_at().unwrap_or_else(|e| {
            tracing::warn!("cannot read when the last notification was shown: {e}");
            None
        });
        Dispatcher {
            store,
            sink,
            config,
            last_shown,
        }
    }

    /// How long to wait before the next [`Dispatcher::tick`] can show something.
    pub fn batch_window(&self) -> Duration {
        Duration::from_secs(self.config.batch_window_secs)
    }

    /// Shows what is pending unless it is quiet hours (`local` is the local wall-clock time)
    /// or the last notification was less than a batch window ago: what [`route`] says to show
    /// now, and the worth-a-look digest when it is due ([`digest_due`]; with the digest off,
    /// suspicious alerts are settled without a notice). Returns how many notices were shown.
    /// A notice that cannot be shown stays pending.
    pub fn tick(&mut self, now: DateTime<Utc>, local: NaiveTime) -> Result<usize, NotifyError> {
        if self
            .config
            .quiet_hours
            .is_some_and(|quiet| quiet.contains(local))
        {
            return Ok(0);
        }
        if let Some(last) = self.last_shown {
            let window = chrono::Duration::seconds(self.config.batch_window_secs as i64);
            // A last notification "in the future" (the clock was set back) holds nothing.
            if last <= now && now < last + window {
                return Ok(0);
            }
        }
        let pending = self.store.pending_notifications()?;
        if pending.is_empty() {
            return Ok(0);
        }
        let (mut now_items, mut digest, mut quiet) = (Vec::new(), Vec::new(), Vec::new());
        for item in pending {
            let reported = item.kind == OutboxKind::CaseClosed
                && item.alert.verdict != Verdict::Impostor
                && !self.store.reports_for(item.alert.id)?.is_empty();
            match route(&item, reported) {
                Route::Now => now_items.push(item),
                Route::Digest => digest.push(item),
                Route::Quiet => quiet.push(item.id),
            }
        }
        if !quiet.is_empty() {
            self.store.mark_notified(&quiet, now)?;
        }
        let (now_items, announced) = self.hold_wave_updates(now_items, now)?;
        let mut shown = 0;
        for notice in compose_waves(&now_items, &announced) {
            self.show(&notice)?;
            self.store.mark_notified(&notice.outbox_ids, now)?;
            let waves: HashSet<i64> = now_items
                .iter()
                .filter(|item| notice.outbox_ids.contains(&item.id))
                .filter(|item| item.kind == OutboxKind::NewAlert)
                .filter_map(|item| item.alert.wave_id)
                .collect();
            let waves: Vec<i64> = waves.into_iter().collect();
            self.store.mark_waves_notified(&waves, now)?;
            shown += 1;
        }
        shown += self.digest(&digest, now)?;
        // Suspicious alerts waiting for the digest do not hold back the next impostor.
        if shown > 0 {
            self.last_shown = Some(now);
        }
        Ok(shown)
    }

    /// Keeps back the new alerts of waves announced less than the wave update period ago
    /// (they stay pending and come in the wave's next update); returns the others and the
    /// waves among them that were announced before.
    fn hold_wave_updates(
        &self,
        items: Vec<OutboxItem>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<OutboxItem>, HashSet<i64>), NotifyError> {
        let mut notified: HashMap<i64, Option<DateTime<Utc>>> = HashMap::new();
        let mut shown = Vec::with_capacity(items.len());
        let mut announced = HashSet::new();
        for item in items {
            let wave = match (item.kind, item.alert.wave_id) {
                (OutboxKind::NewAlert, Some(wave)) => wave,
                _ => {
                    shown.push(item);
                    continue;
                }
            };
            let at = match notified.get(&wave) {
                Some(at) => *at,
                None => {
                    let at = self.store.wave(wave)?.notified_at;
                    notified.insert(wave, at);
                    at
                }
            };
            // With batching off (a batch window of 0), nothing is held.
            let hold = self.config.batch_window_secs > 0;
            let period =
                chrono::Duration::seconds(self.config.wave_update_secs.min(i64::MAX as u64) as i64);
            match at {
                Some(at) if hold && at <= now && now - at < period => {}
                Some(_) => {
                    announced.insert(wave);
                    shown.push(item);
                }
                None => shown.push(item),
            }
        }
        Ok((shown, announced))
    }

    /// Shows the worth-a-look digest of `items` when it is due; with the digest off, marks them
    /// settled without a notice (the worth-a-look list has them). Returns the notices shown.
    fn digest(&mut self, items: &[OutboxItem], now: DateTime<Utc>) -> Result<usize, NotifyError> {
        let Some(oldest) = items.iter().map(|i| i.created_at).min() else {
            return Ok(0);
        };
        if !self.config.worth_a_look_digest {
            let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
            self.store.mark_notified(&ids, now)?;
            return Ok(0);
        }
        if !digest_due(self.store.last_digest_at()?, oldest, now) {
            return Ok(0);
        }
        let notice = compose_digest(items);
        self.show(&notice)?;
        self.store.mark_digest_shown(&notice.outbox_ids, now)?;
        Ok(1)
    }

    /// A failure is said by the caller, who knows how often it tries (rate-limited there).
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        self.sink.show(notice)
    }

    /// [`Dispatcher::tick`] at the current time.
    pub fn tick_now(&mut self) -> Result<usize, NotifyError> {
        self.tick(Utc::now(), Local::now().time())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_wrap_past_midnight() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let night = QuietHours {
            start: t(22, 0),
            end: t(7, 0),
        };
        assert!(night.contains(t(23, 30)));
        assert!(night.contains(t(3, 0)));
        assert!(!night.contains(t(7, 0)));
        assert!(!night.contains(t(12, 0)));
        let lunch = QuietHours {
            start: t(12, 0),
            end: t(13, 0),
        };
        assert!(lunch.contains(t(12, 30)));
        assert!(!lunch.contains(t(13, 30)));
    }

    #[test]
    fn action_keys_round_trip() {
        assert_eq!(
            NotificationAction::parse("review:12"),
            Some(NotificationAction::Review { alert_id: Some(12) })
        );
        assert_eq!(
            NotificationAction::parse("review:all:3,4"),
            Some(NotificationAction::Review { alert_id: None })
        );
        assert_eq!(
            NotificationAction::parse("review:wave:5:3,4,9"),
            Some(NotificationAction::ReviewWave { wave_id: 5 })
        );
        assert_eq!(
            NotificationAction::parse("review:wave:12"),
            Some(NotificationAction::ReviewWave { wave_id: 12 })
        );
        assert_eq!(NotificationAction::parse("review:wave:x:3"), None);
        assert_eq!(
            NotificationAction::parse("allow:7"),
            Some(NotificationAction::Allow { alert_id: 7 })
        );
        assert_eq!(
            NotificationAction::parse("worth-a-look:3,4"),
            Some(NotificationAction::WorthALook)
        );
        assert_eq!(NotificationAction::parse("allow:x"), None);
        assert_eq!(NotificationAction::parse("__closed"), None);
    }
}
