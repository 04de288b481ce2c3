//! Gaps in live coverage are said and closed (issue 14). Jetstream replays about 36 hours: v1
//! silently clamps an older cursor to the oldest event it kept, v2 refuses it (`CursorTooOld`).
//! After the watcher was off (or the stream unreachable) for longer, the stream reports the
//! span it could not replay, and the watch service shows it and runs a full check at once.
//!
//! Real WebSocket and HTTP against the fake Bluesky on loopback, a real SQLite store.

mod support_watch;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use doppelwatch::config::{Config, WatchConfig};
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::notify::{Notice, NotificationSink, NotifyError};
use doppelwatch::sources::bluesky::live::{run_live, LiveEvent};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::store::Store;
use doppelwatch::watch::{
    Notifications, SourceMode, WatchEvent, WatchHandle, WatchService, WatchSetup,
};
use support_watch::palmer;
use tokio::sync::mpsc;

const HOUR_US: u64 = 3_600_000_000;

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

fn config(fake: &FakeBluesky) -> Config {
    let mut config = Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.bluesky.jetstream_url = fake.jetstream_url();
    config.bluesky.rewind_secs = 0;
    config.bluesky.search_pages = 1;
    config.bluesky.max_queries = 2;
    config.bluesky.probe_limit = 5;
    config.mastodon.enabled = false;
    config.x.enabled = false;
    config.http.max_retries = 0;
    config.http.fetch_avatars = false;
    config
}

/// What the stream said until it found `impostor`, added once it connected for the
/// `connection`th time.
async fn follow_until_found(
    fake: &FakeBluesky,
    start_cursor: u64,
    connection: usize,
    impostor: &str,
) -> Vec<LiveEvent> {
    let source = BlueskySource::new(&config(fake)).unwrap();
    let identity = palmer();
    let (tx, mut rx) = mpsc::channel(256);
    let live = run_live(&source, &identity, Some(start_cursor), tx);
    let watch = async {
        let mut seen = Vec::new();
        let mut connections = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let event = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("{impostor} never found; events: {seen:?}"))
                .expect("the stream goes on");
            if matches!(event, LiveEvent::Connected { .. }) {
                connections += 1;
                if connections == connection {
                    fake.add_account(FakeAccount::new(impostor).name("PaImer Report"));
                }
            }
            let found = matches!(&event, LiveEvent::Found(f) if f.profile.handle == impostor);
            seen.push(event);
            if found {
                break;
            }
        }
        drop(rx);
        seen
    };
    let ((), seen) = tokio::join!(live, watch);
    seen
}

fn gaps(events: &[LiveEvent]) -> Vec<(u64, u64)> {
    events
        .iter()
        .filter_map(|e| match e {
            LiveEvent::CoverageGap { from_us, to_us } => Some((*from_us, *to_us)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_stream_that_clamps_an_old_cursor_reports_the_gap_and_goes_on() {
    let fake = FakeBluesky::start().await.unwrap();
    // A v1 server that keeps one hour of events; the watcher was off for two.
    fake.misbehave(Misbehave::JetstreamRetention {
        secs: 3600,
        refuse: false,
    });
    let before_kept = now_us();
    fake.add_account(FakeAccount::new("jane.bsky.social").name("Jane"));
    let kept_to = fake.latest_time_us();
    let cursor = now_us() - 2 * HOUR_US;
    let events = follow_until_found(&fake, cursor, 1, "palmer-report-1.bsky.social").await;
    let gaps = gaps(&events);
    assert_eq!(gaps.len(), 1, "{events:?}");
    let (from, to) = gaps[0];
    assert_eq!(from, cursor, "from the cursor");
    assert!(
        (before_kept..=kept_to).contains(&to),
        "to the oldest event the server replayed: {to}"
    );
}

#[tokio::test]
async fn a_stream_that_refuses_an_old_cursor_reports_the_gap_and_restarts_from_now() {
    let fake = FakeBluesky::start().await.unwrap();
    // A v2 server that keeps one hour and refuses older cursors with CursorTooOld.
    fake.misbehave(Misbehave::JetstreamRetention {
        secs: 3600,
        refuse: true,
    });
    let cursor = now_us() - 2 * HOUR_US;
    let before = now_us();
    let events = follow_until_found(&fake, cursor, 2, "palmer-report-2.bsky.social").await;
    let gaps = gaps(&events);
    assert_eq!(gaps.len(), 1, "{events:?}");
    assert_eq!(gaps[0].0, cursor);
    assert!(
        gaps[0].1 >= before,
        "up to the moment it was refused: {gaps:?}"
    );
    let connections: Vec<Option<u64>> = events
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Connected { from_cursor } => Some(*from_cursor),
            _ => None,
        })
        .collect();
    assert_eq!(
        connections,
        vec![Some(cursor), None],
        "refused at the old cursor, then followed from now"
    );
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Notice>>);

impl NotificationSink for Recorder {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(notice.clone());
        Ok(())
    }
}

fn start_service(config: &Config, store: Arc<Store>) -> WatchHandle {
    let identity = palmer();
    let id = store.upsert_identity(&identity).unwrap();
    let setup = WatchSetup::from_config(config, None, None).unwrap();
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let mut watch = config.watch.clone();
    watch.check_interval_secs = 3600;
    watch.recheck_interval_secs = 3600;
    watch.jitter = 0.0;
    WatchService::start(
        watch,
        store,
        vec![(id, identity)],
        setup,
        Notifications {
            sink: Arc::new(Recorder::default()),
            actions,
        },
    )
}

/// Waits for a coverage gap event and then a whole check; returns the gap.
async fn wait_gap_then_check(
    events: &mut tokio::sync::broadcast::Receiver<WatchEvent>,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut gap = None;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("gap {gap:?} and no whole check after it in time"))
            .unwrap();
        match event {
            WatchEvent::CoverageGap { from, to, .. } => gap = Some((from, to)),
            WatchEvent::CheckDone { .. } if gap.is_some() => return gap.unwrap(),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_found_on_reconnecting_runs_a_check_that_was_not_due() {
    let fake = FakeBluesky::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    // Each stream connection drops after one message (read when the connection is made).
    fake.misbehave(Misbehave::DropWebSocket { after_messages: 1 });
    let handle = start_service(&config(&fake), store.clone());
    let mut events = handle.subscribe();
    // The first check runs and completes; the next is an hour away.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(WatchEvent::CheckDone { .. })) => break,
            Ok(Ok(_)) => {}
            other => panic!("no first check: {other:?}"),
        }
    }
    // The stream drops and, on reconnecting, its cursor is refused as too old: a gap. Only the
    // gap can bring a check now (the interval is an hour).
    fake.misbehave(Misbehave::JetstreamRetention {
        secs: 0,
        refuse: true,
    });
    fake.add_account(FakeAccount::new("jane.bsky.social").name("Jane"));
    let (from, to) = wait_gap_then_check(&mut events).await;
    assert!(from <= to, "{from} .. {to}");
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_off_for_longer_than_the_replay_window_says_so_and_checks_at_once() {
    let fake = FakeBluesky::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let id = store.upsert_identity(&palmer()).unwrap();
    // The watcher last ran 40 hours ago: more than Jetstream replays.
    let cursor = now_us() - 40 * HOUR_US;
    store
        .set_cursor(&format!("jetstream:{id}"), &cursor.to_string())
        .unwrap();
    let mut config = config(&fake);
    config.watch = WatchConfig::default();
    let handle = start_service(&config, store.clone());
    let mut events = handle.subscribe();

    // The gap is announced, and a whole check completes after it (whether it is the first
    // check, brought forward, or the one asked for after a check already under way).
    let (from, to) = wait_gap_then_check(&mut events).await;
    assert_eq!(from.timestamp_micros() as u64, cursor);
    let hours = (to - from).num_minutes() as f64 / 60.0;
    assert!(
        (3.9..=4.1).contains(&hours),
        "40 h off, 36 h replayed: {hours} h"
    );

    // The dashboard's source status keeps it, and so does the store across a restart.
    let live = handle
        .status()
        .into_iter()
        .find(|s| s.mode == SourceMode::Live)
        .unwrap();
    assert_eq!(live.coverage_gap.map(|g| (g.from, g.to)), Some((from, to)));
    handle.stop().await;
    // Restarted with a recent cursor (no new gap): the last gap is still shown.
    store
        .set_cursor(&format!("jetstream:{id}"), &now_us().to_string())
        .unwrap();
    let handle = start_service(&config, store.clone());
    let live = handle
        .status()
        .into_iter()
        .find(|s| s.mode == SourceMode::Live)
        .unwrap();
    assert_eq!(live.coverage_gap.map(|g| (g.from, g.to)), Some((from, to)));
    handle.stop().await;
}
