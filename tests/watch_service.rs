//! The watch service in-process against the fake Bluesky over real HTTP and WebSocket, with a
//! real SQLite store: the status the UI shows (last/next check, errors in words, rate-limited
//! until), "check now", pause and resume, backoff when the server fails, and one notice per
//! new alert. Notices go to a recording sink here; the D-Bus path is tested in notify_dbus
//! and e2e_watch.

mod support_watch;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use support_watch::watching_fake_bluesky;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::notify::{Notice, NotificationSink, NotifyError};
use doppelwatch::store::{AlertFilter, Store};
use doppelwatch::watch::{
    Notifications, RunState, SourceMode, SourceStatus, WatchEvent, WatchHandle, WatchService,
    WatchSetup,
};
use tokio::sync::broadcast::Receiver;

const SEARCH: &str = "/xrpc/app.bsky.actor.searchActors";

#[derive(Default)]
struct Recorder(Mutex<Vec<Notice>>);

impl NotificationSink for Recorder {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(notice.clone());
        Ok(())
    }
}

fn person() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::Bluesky,
            handle: "palmerreport.bsky.social".into(),
        }],
        avatar: None,
        bio: Some("Independent political news and analysis since 2016".into()),
    }
}

fn config(fake: &FakeBluesky, interval_secs: u64, live: bool) -> Config {
    let mut config = watching_fake_bluesky(fake);
    config.bluesky.live = live;
    config.watch.check_interval_secs = interval_secs;
    config
}

fn start(config: &Config, store: Arc<Store>, recorder: Arc<Recorder>) -> WatchHandle {
    let identity = person();
    let id = store.upsert_identity(&identity).unwrap();
    let setup = WatchSetup::from_config(config, None, None).unwrap();
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    WatchService::start(
        config.watch.clone(),
        store,
        vec![(id, identity)],
        setup,
        Notifications {
            sink: recorder,
            actions,
        },
    )
}

async fn wait_event(
    events: &mut Receiver<WatchEvent>,
    what: &str,
    pred: impl Fn(&WatchEvent) -> bool,
) -> WatchEvent {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut other = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) if pred(&e) => return e,
            Ok(Ok(e)) => other.push(e),
            Ok(Err(e)) => panic!("events: {e}"),
            Err(_) => panic!("no {what} in time; other events: {other:?}"),
        }
    }
}

async fn wait_status(
    handle: &WatchHandle,
    what: &str,
    pred: impl Fn(&SourceStatus) -> bool,
) -> SourceStatus {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(s) = handle
            .status()
            .into_iter()
            .find(|s| s.mode == SourceMode::Periodic && pred(s))
        {
            return s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no status {what}: {:?}",
            handle.status()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the live stream has handled every event the fake Jetstream holds (its stored
/// cursor reached the fake's newest event).
async fn live_caught_up(store: &Store, fake: &FakeBluesky) {
    let id = store.upsert_identity(&person()).unwrap();
    let name = format!("jetstream:{id}");
    let latest = fake.latest_time_us();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let stored: u64 = store
            .cursor(&name)
            .unwrap()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if stored >= latest {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the live stream never caught up: cursor {stored}, newest event {latest}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_check_now_pause_and_one_notice_per_alert() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(
        FakeAccount::new("palmerreport.bsky.social")
            .name("Palmer Report")
            .followers(90_000),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let recorder = Arc::new(Recorder::default());
    // A long interval: anything after the first check happens only through "check now".
    let config = config(&fake, 3600, true);
    let handle = start(&config, store.clone(), recorder.clone());
    let mut events = handle.subscribe();
    let running = handle
        .status()
        .into_iter()
        .filter(|s| s.state != RunState::NotSetUp)
        .count();
    assert_eq!(running, 2, "periodic and live for one identity");
    let x = handle
        .status()
        .into_iter()
        .find(|s| s.platform == Platform::X)
        .unwrap();
    assert_eq!(
        x.state,
        RunState::NotSetUp,
        "X is shown, with why it is off"
    );
    assert!(x.last_error.unwrap().contains("disabled"));

    wait_event(&mut events, "first check", |e| {
        matches!(e, WatchEvent::CheckDone { .. })
    })
    .await;
    let status = wait_status(&handle, "waiting", |s| {
        s.state == RunState::Waiting && s.next_check.is_some()
    })
    .await;
    assert!(status.last_check.is_some());
    assert_eq!(status.last_error, None);
    let next_in = status.next_check.unwrap() - status.last_check.unwrap();
    assert!(
        next_in > chrono::Duration::seconds(3500),
        "next check an interval later: {next_in}"
    );
    let live = handle
        .status()
        .into_iter()
        .find(|s| s.mode == SourceMode::Live)
        .unwrap();
    assert_eq!(live.platform, Platform::Bluesky);

    // Idle now (the next check is an interval away): one asked-for check is one whole check's
    // worth of searches, the measure for "none while paused" below.
    let mut events = handle.subscribe();
    let before = fake.request_count(SEARCH);
    handle.check_now();
    wait_event(&mut events, "a check asked for while idle", |e| {
        matches!(e, WatchEvent::CheckDone { .. })
    })
    .await;
    let per_check = fake.request_count(SEARCH) - before;
    assert!(per_check > 0, "a check searches");

    // An impostor appears; "check now" finds it without waiting an hour.
    fake.add_account(
        FakeAccount::new("palmer-report-news.bsky.social")
            .name("PaImer Report")
            .bio("Independent political news and analysis since 2016"),
    );
    let searches = fake.request_count(SEARCH);
    handle.check_now();
    let alert = wait_event(&mut events, "new alert", |e| {
        matches!(e, WatchEvent::NewAlert { .. })
    })
    .await;
    let WatchEvent::NewAlert { alert } = alert else {
        unreachable!()
    };
    assert_eq!(alert.profile.handle, "palmer-report-news.bsky.social");
    // The live stream may have told first; the check asked for searches all the same.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while fake.request_count(SEARCH) <= searches {
        assert!(
            std::time::Instant::now() < deadline,
            "the check asked for never searched"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The live stream and further checks see it again: still one alert, one notice.
    // (The alert may come from the live stream after that check already ended, so no wait
    // for the first check's end here: it may have gone by.)
    // Two more whole checks (waited for by their events) and the live stream caught up with
    // the fake's last event: every path has seen the impostor again by then.
    for n in 0..2 {
        let mut events = handle.subscribe();
        let before = fake.request_count(SEARCH);
        handle.check_now();
        // A check that was already running may end first (its searches came before `before`):
        // ask again until a whole check has searched since.
        loop {
            wait_event(&mut events, &format!("check {n} after the alert"), |e| {
                matches!(e, WatchEvent::CheckDone { .. })
            })
            .await;
            if fake.request_count(SEARCH) > before {
                break;
            }
            handle.check_now();
        }
    }
    live_caught_up(&store, &fake).await;
    assert_eq!(store.alerts(&AlertFilter::default()).unwrap().len(), 1);
    let notices = recorder.0.lock().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].summary, "Possible impersonator on Bluesky");

    // Paused: nothing is checked, even when asked; resumed: checks again.
    handle.pause(true);
    assert!(handle.is_paused());
    wait_status(&handle, "paused", |s| s.state == RunState::Paused).await;
    let searches = fake.request_count(SEARCH);
    handle.check_now();
    // No fixed wait for "nothing happened": after resuming, the first check that completes
    // must account for every search since the pause. A check run while paused would show up
    // as a second check's worth of searches.
    let mut events = handle.subscribe();
    handle.pause(false);
    handle.check_now();
    wait_event(&mut events, "check after resume", |e| {
        matches!(e, WatchEvent::CheckDone { .. })
    })
    .await;
    assert_eq!(
        fake.request_count(SEARCH) - searches,
        per_check,
        "one check after resuming, none while paused"
    );
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_back_off_and_rate_limits_show_until_when() {
    let fake = FakeBluesky::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let recorder = Arc::new(Recorder::default());
    // Every request fails for a while: the check fails, backs off (1 s), and retries soon
    // although the interval is an hour.
    fake.misbehave(Misbehave::ServerError { requests: 1000 });
    let handle = start(&config(&fake, 3600, false), store.clone(), recorder);
    let failed = wait_status(&handle, "backing off", |s| s.state == RunState::BackingOff).await;
    let error = failed.last_error.clone().unwrap();
    assert!(
        error.contains("bluesky"),
        "the error names the platform: {error}"
    );
    let retry_in = failed.next_check.map(|n| n - chrono::Utc::now());
    assert!(
        retry_in.map_or(true, |d| d < chrono::Duration::seconds(5)),
        "retried soon, not after the interval: {retry_in:?}"
    );
    // Retried after the 1 s backoff: a second failed check is seen (a count, waited for).
    let first = fake.request_count(SEARCH);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while fake.request_count(SEARCH) <= first {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never retried after the backoff"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Back online: the next retry succeeds and clears the error.
    fake.misbehave(Misbehave::Behave);
    let ok = wait_status(&handle, "recovered", |s| {
        s.state == RunState::Waiting && s.last_error.is_none() && s.last_check.is_some()
    })
    .await;
    assert!(ok.rate_limited_until.is_none());

    // Rate limited: the status says until when, in words and as a time.
    fake.misbehave(Misbehave::RateLimit {
        requests: 1000,
        reset_secs: 120,
    });
    handle.check_now();
    let limited = wait_status(&handle, "rate limited", |s| {
        s.state == RunState::RateLimited
    })
    .await;
    let until = limited.rate_limited_until.unwrap();
    assert!(
        until > chrono::Utc::now() + chrono::Duration::seconds(60),
        "{until}"
    );
    assert!(limited.last_error.unwrap().contains("slow down"));
    handle.stop().await;
}
