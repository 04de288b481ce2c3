//! The watch service: per source and identity, periodic checks at the platform's interval with
//! jitter, the live stream where there is one (Bluesky Jetstream), "check now", pause, backoff
//! when offline, re-checks of accounts with open alerts (a taken-down account closes its case),
//! notifications from the store's outbox (an impostor at once, the suspicious ones in a daily
//! digest at most: see [`crate::notify`]), and the notification actions.
//!
//! Several people (issue 11): every person is checked on every enabled source.
//! [`WatchService::start`] watches a fixed list; [`WatchService::start_following`] watches
//! everyone registered in the store and picks up people added, changed or removed while it
//! runs (`people.rs`, looked at every few seconds and at "check now"). Checks of a paid
//! source (X) take turns and share the day's room evenly between the people still to check
//! in the round ([`crate::sources::spending::share_room`]); `CheckDone` says what each cost.
//!
//! Library API (the CLI's `watch` and the desktop app both use it):
//! ```no_run
//! # async fn demo(store: std::sync::Arc<doppelwatch::store::Store>,
//! #               identity: doppelwatch::identity::Identity) -> Result<(), Box<dyn std::error::Error>> {
//! use doppelwatch::watch::{Notifications, WatchService, WatchSetup};
//! let config = doppelwatch::config::Config::default();
//! let identity_id = store.upsert_identity(&identity)?;
//! let keychain = doppelwatch::secrets::Keychain::new();
//! let setup = WatchSetup::from_config(&config, None, Some(&keychain))?;
//! let handle = WatchService::start(config.watch.clone(), store, vec![(identity_id, identity)],
//!                                  setup, Notifications::desktop());
//! let mut events = handle.subscribe();      // WatchEvent: new alerts, "review" clicks, ...
//! handle.check_now();                       // every source, now
//! handle.pause(true);                       // and resume with pause(false)
//! let status = handle.status();             // Vec<SourceStatus> for the status screen
//! # let _ = (events.recv().await, status);
//! handle.stop().await;
//! # Ok(()) }
//! ```

mod notify_actions;
mod people;
mod posts;
mod schedule;
mod tasks;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch, Notify};

use crate::config::{Config, WatchConfig};
use crate::detect::avatar::{fingerprint_reference, AvatarFingerprint};
use crate::detect::Detector;
use crate::identity::{Identity, Platform};
use crate::log_limit::LogLimiter;
use crate::notify::{DesktopNotifier, NotificationAction, NotificationSink};
use crate::secrets::{Keychain, SecretKey};
use crate::sources::bluesky::BlueskySource;
use crate::sources::runner::build_sources;
use crate::sources::{Source, SourceError};
use crate::store::{Alert, IdentityId, Store};

pub use schedule::{failure_wait, jittered};

/// The person's avatar is read for its fingerprint only below this size.
const MAX_OWN_AVATAR_BYTES: u64 = 8 * 1024 * 1024;

/// Where notifications go and where their actions come back.
pub struct Notifications {
    pub sink: Arc<dyn NotificationSink>,
    pub actions: mpsc::UnboundedReceiver<NotificationAction>,
}

impl Notifications {
    /// The OS notification service.
    pub fn desktop() -> Notifications {
        let (tx, rx) = mpsc::unbounded_channel();
        Notifications {
            sink: Arc::new(DesktopNotifier::new(tx)),
            actions: rx,
        }
    }
}

/// The sources to run: periodic ones, the Bluesky source whose Jetstream stream to follow,
/// and the selected sources that could not be set up (shown in the status with why).
pub struct WatchSetup {
    pub sources: Vec<Arc<dyn Source>>,
    pub live: Option<Arc<BlueskySource>>,
    pub skipped: Vec<(Platform, String)>,
}

impl WatchSetup {
    /// Every enabled source of `config` (optionally only the platforms in `only`), built by the
    /// platform registry with the credentials each platform finds in `keychain` (a platform
    /// that needs some and finds none is skipped with why).
    pub fn from_config(
        config: &Config,
        only: Option<&[Platform]>,
        keychain: Option<&Keychain>,
    ) -> Result<Self, SourceError> {
        let secret = |key: &SecretKey| match keychain?.get(key) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        };
        Self::with_secrets(config, only, &secret)
    }

    /// Like [`WatchSetup::from_config`], with the credentials `secrets` finds (the demo's
    /// fakes' keys, which live in memory, never in the keychain).
    pub fn with_secrets(
        config: &Config,
        only: Option<&[Platform]>,
        secrets: crate::platforms::SecretLookup<'_>,
    ) -> Result<Self, SourceError> {
        let built = build_sources(config, only, secrets)?;
        Ok(WatchSetup {
            live: built.live,
            sources: built.all,
            skipped: built.skipped,
        })
    }
}

/// What the service tells the app, as it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatchEvent {
    /// A new alert was raised (and its notification queued).
    NewAlert { alert: Box<Alert> },
    /// An open alert got new evidence.
    AlertUpdated { alert_id: i64 },
    /// A case closed: the account is gone or no longer copies the person.
    CaseClosed { alert: Box<Alert> },
    /// The person clicked "Review and report": open the app at this alert (None: the list).
    Review { alert_id: Option<i64> },
    /// The person clicked "Review the wave" on a wave's notification: open the app at it.
    ReviewWave { wave_id: i64 },
    /// The person clicked the worth-a-look digest: open the app at the worth-a-look list.
    WorthALook,
    /// The person clicked "Not an impostor": the alert is now allowed.
    Allowed { alert_id: i64 },
    /// A periodic check finished. `failed_queries` of its queries failed (0: complete); what
    /// the others found was recorded all the same, and a partial check is re-run sooner.
    CheckDone {
        platform: Platform,
        identity: String,
        candidates: usize,
        new_alerts: usize,
        failed_queries: usize,
        /// What the check cost in US dollars, for paid sources (X).
        #[serde(skip_serializing_if = "Option::is_none")]
        cost_usd: Option<f64>,
    },
    /// A check failed; the status says when the next try is.
    CheckFailed {
        platform: Platform,
        identity: String,
        error: String,
    },
    /// The live stream could not replay `from`..`to`; a full check of every source was
    /// started at once to cover it.
    CoverageGap {
        platform: Platform,
        identity: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// What a source is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Starting,
    Waiting,
    Checking,
    Paused,
    /// Failed; retrying after a backoff.
    BackingOff,
    /// The platform asked us to wait.
    RateLimited,
    /// Live stream connected.
    Connected,
    /// Live stream down; reconnecting.
    Reconnecting,
    /// Not running: disabled, or missing credentials (`last_error` says which).
    NotSetUp,
}

/// How a source finds accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceMode {
    Periodic,
    Live,
}

/// One line of the status screen: a source for an identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceStatus {
    pub platform: Platform,
    pub identity: String,
    pub mode: SourceMode,
    pub state: RunState,
    pub last_check: Option<DateTime<Utc>>,
    pub next_check: Option<DateTime<Utc>>,
    /// The last error in plain words; cleared by the next success.
    pub last_error: Option<String>,
    pub rate_limited_until: Option<DateTime<Utc>>,
    /// Candidates seen by the last check.
    pub last_candidates: usize,
    /// When the last check ran but some of its queries failed: which, in plain words
    /// (`missed 2 of 10 queries (search "Jane Doe" at bsky.social: ...)`), and what a spending
    /// cap (X) cut of it (`today's X spending cap of $1.00 cut this check: ...`). Cleared by
    /// the next check that misses nothing.
    pub partial: Option<String>,
    /// The live stream's last coverage gap: a time span whose events the stream could not
    /// replay (the watcher was off, or the stream unreachable, for longer than the platform
    /// keeps events). A full check ran when it was found.
    pub coverage_gap: Option<CoverageGap>,
}

/// A span of time the live stream did not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CoverageGap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// State shared by the service's tasks.
pub(crate) struct Shared {
    pub store: Arc<Store>,
    pub config: WatchConfig,
    pub events: broadcast::Sender<WatchEvent>,
    pub status: Mutex<Vec<SourceStatus>>,
    pub wake_notifier: Notify,
    pub check_now: watch::Sender<u64>,
    pub paused: watch::Sender<bool>,
    pub stop: watch::Sender<bool>,
    /// Warnings the loops can repeat (every second while no notification server runs) are
    /// logged once, then as a summary every few minutes.
    pub log: LogLimiter,
    /// The people being watched now (the re-checks follow their alerts).
    pub targets: Mutex<Vec<Target>>,
    /// Checks of paid sources take turns; per paid platform, the people checked in the
    /// current round (a round ends when someone is checked a second time).
    pub paid_turn: tokio::sync::Mutex<HashMap<String, HashSet<IdentityId>>>,
    /// Status slots of people no longer watched (left out of [`WatchHandle::status`]).
    pub retired: Mutex<HashSet<usize>>,
}

impl Shared {
    pub fn emit(&self, event: WatchEvent) {
        // No subscriber is fine: the store has everything.
        let _ = self.events.send(event);
    }

    /// How many people are watched now.
    pub fn people(&self) -> usize {
        self.targets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn update_status(&self, slot: usize, f: impl FnOnce(&mut SourceStatus)) {
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = status.get_mut(slot) {
            f(s);
        }
    }
}

/// One identity prepared for checking.
#[derive(Clone)]
pub(crate) struct Target {
    pub identity_id: IdentityId,
    pub identity: Arc<Identity>,
    pub detector: Arc<Detector>,
}

/// The running service; dropping it without [`WatchHandle::stop`] stops it too.
pub struct WatchHandle {
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Starts and stops the watch.
pub struct WatchService;

impl WatchService {
    /// Starts watching `identities` with `setup`'s sources, recording into `store` and
    /// notifying through `notifications`. Must be called inside a tokio runtime.
    pub fn start(
        config: WatchConfig,
        store: Arc<Store>,
        identities: Vec<(IdentityId, Identity)>,
        setup: WatchSetup,
        notifications: Notifications,
    ) -> WatchHandle {
        let (shared, mut tasks) = Self::launch(config, store, &setup, notifications);
        for (identity_id, identity) in identities {
            let target = Target::new(identity_id, identity);
            let (spawned, _) = people::spawn_person(&shared, &setup, &target);
            tasks.extend(spawned);
            shared
                .targets
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(target);
        }
        WatchHandle { shared, tasks }
    }

    /// Starts watching everyone registered in `store`, and follows the people added, changed
    /// or removed while it runs (looked at every few seconds and at "check now").
    pub fn start_following(
        config: WatchConfig,
        store: Arc<Store>,
        setup: WatchSetup,
        notifications: Notifications,
    ) -> WatchHandle {
        let (shared, mut tasks) = Self::launch(config, store, &setup, notifications);
        let running = people::start_all(&shared, &setup);
        tasks.push(tokio::spawn(people::follow(shared.clone(), setup, running)));
        WatchHandle { shared, tasks }
    }

    /// The shared state and the tasks that serve every person: re-checks, notifications and
    /// their actions.
    fn launch(
        config: WatchConfig,
        store: Arc<Store>,
        setup: &WatchSetup,
        notifications: Notifications,
    ) -> (Arc<Shared>, Vec<tokio::task::JoinHandle<()>>) {
        let (events, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            store,
            config,
            events,
            status: Mutex::new(Vec::new()),
            wake_notifier: Notify::new(),
            check_now: watch::channel(0).0,
            paused: watch::channel(false).0,
            stop: watch::channel(false).0,
            log: LogLimiter::default(),
            targets: Mutex::new(Vec::new()),
            paid_turn: tokio::sync::Mutex::new(HashMap::new()),
            retired: Mutex::new(HashSet::new()),
        });
        // A restart must not reset what paid sources (X) already spent today.
        for source in &setup.sources {
            if let Err(e) = crate::sources::spending::sync(&shared.store, source.as_ref()) {
                tracing::warn!("could not read what paid sources spent today: {e}");
            }
        }
        let tasks = vec![
            tokio::spawn(tasks::recheck(shared.clone(), setup.sources.clone())),
            tokio::spawn(tasks::dispatch(shared.clone(), notifications.sink)),
            tokio::spawn(notify_actions::actions(
                shared.clone(),
                notifications.actions,
            )),
        ];
        (shared, tasks)
    }
}

impl Target {
    /// A person prepared for checking: their detector, with their avatar when readable.
    pub(crate) fn new(identity_id: IdentityId, identity: Identity) -> Target {
        let avatar = own_avatar(&identity);
        Target {
            identity_id,
            detector: Arc::new(Detector::new(identity.clone(), avatar)),
            identity: Arc::new(identity),
        }
    }
}

impl WatchHandle {
    /// Runs every periodic check and re-check now (a running check finishes first).
    pub fn check_now(&self) {
        self.shared
            .check_now
            .send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Pauses (`true`) or resumes (`false`) all checks and the live stream.
    pub fn pause(&self, paused: bool) {
        self.shared.paused.send_replace(paused);
    }

    /// Whether the watch is paused.
    pub fn is_paused(&self) -> bool {
        *self.shared.paused.borrow()
    }

    /// The status of every source and identity watched.
    pub fn status(&self) -> Vec<SourceStatus> {
        let retired = self
            .shared
            .retired
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        self.shared
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .enumerate()
            .filter(|(slot, _)| !retired.contains(slot))
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// Events from now on (new alerts, review clicks, closed cases, checks).
    pub fn subscribe(&self) -> broadcast::Receiver<WatchEvent> {
        self.shared.events.subscribe()
    }

    /// Shows pending notifications now (e.g. after the app marked alerts).
    pub fn wake_notifier(&self) {
        self.shared.wake_notifier.notify_one();
    }

    /// Stops every task; a check in flight is abandoned (its findings were not committed, so
    /// nothing is half-written).
    pub async fn stop(mut self) {
        self.shared.stop.send_replace(true);
        for task in self.tasks.drain(..) {
            if tokio::time::timeout(Duration::from_secs(5), &mut Box::pin(task))
                .await
                .is_err()
            {
                tracing::warn!("a watch task did not stop in time");
            }
        }
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.shared.stop.send_replace(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The fingerprint of the person's avatar, when it is set and readable.
fn own_avatar(identity: &Identity) -> Option<AvatarFingerprint> {
    let path = identity.avatar.as_ref()?;
    // A regular file only: a FIFO there would block the watcher.
    let bytes = match crate::files::input::read_regular(path, MAX_OWN_AVATAR_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!("your avatar {} cannot be compared: {e}", path.display());
            return None;
        }
    };
    // The reference form set tolerates 5-10% crops of the person's own avatar.
    match fingerprint_reference(&bytes) {
        Ok(fp) => Some(fp),
        Err(e) => {
            tracing::warn!("your avatar {} cannot be compared: {e}", path.display());
            None
        }
    }
}
