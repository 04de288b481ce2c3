//! Timed snooze in the running watch service (issue 5), against the fake Bluesky over real
//! HTTP with a real SQLite store: a snooze that is not due stays quiet; a due one comes back
//! as a new alert with a notification again (once); a snoozed account that changes its name
//! comes back early through "check now". Times are injected into the store (a snooze set a
//! week ago for one day is due now) instead of waiting for them.

mod support_watch;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use support_watch::watching_fake_bluesky;

use chrono::Utc;
use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::notify::{Notice, NotificationSink, NotifyError};
use doppelwatch::store::{AlertState, Store};
use doppelwatch::watch::{Notifications, WatchEvent, WatchHandle, WatchService, WatchSetup};
use tokio::sync::broadcast::Receiver;

const IMPOSTOR: &str = "palmer-report-news.bsky.social";
const BIO: &str = "Independent political news and analysis since 2016";

#[derive(Default)]
struct Recorder(Mutex<Vec<Notice>>);

impl NotificationSink for Recorder {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(notice.clone());
        Ok(())
    }
}

impl Recorder {
    fn notices(&self) -> Vec<Notice> {
        self.0.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Notice> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let notices = self.notices();
            if notices.len() >= n {
                return notices;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no notice {n} in time: {notices:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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
        bio: Some(BIO.into()),
    }
}

fn config(fake: &FakeBluesky) -> Config {
    // Long intervals: after the first check, checks happen only through "check now".
    watching_fake_bluesky(fake)
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

/// Waits for a new-alert event (a new or woken alert) for `id` (any alert when `None`).
async fn wait_new_alert(events: &mut Receiver<WatchEvent>, id: Option<i64>) -> i64 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut other = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(WatchEvent::NewAlert { alert })) if id.map_or(true, |id| id == alert.id) => {
                return alert.id
            }
            Ok(Ok(e)) => other.push(e),
            Ok(Err(e)) => panic!("events: {e}"),
            Err(_) => panic!("no new alert {id:?} in time; other events: {other:?}"),
        }
    }
}

/// Runs two whole checks ("check now", each waited for by its `CheckDone` event).
async fn two_checks(handle: &WatchHandle) {
    for n in 0..2 {
        let mut events = handle.subscribe();
        handle.check_now();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Ok(WatchEvent::CheckDone { .. })) => break,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => panic!("events: {e}"),
                Err(_) => panic!("check {n} never completed"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_snooze_is_notified_again_and_a_changed_account_wakes_early() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new(IMPOSTOR).name("PaImer Report").bio(BIO));
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let recorder = Arc::new(Recorder::default());
    let handle = start(&config(&fake), store.clone(), recorder.clone());
    let mut events = handle.subscribe();

    let id = wait_new_alert(&mut events, None).await;
    let first = recorder.wait_for(1).await;
    assert_eq!(first[0].summary, "Possible impersonator on Bluesky");

    // Snoozed for 30 days: the notifier keeps ticking, nothing comes back.
    let now = Utc::now();
    store
        .snooze_alert(id, now + chrono::Duration::days(30), now)
        .unwrap();
    // Two whole checks see the snoozed account again, unchanged (waited for by their events,
    // not by a fixed wait): it stays asleep.
    two_checks(&handle).await;
    assert_eq!(recorder.notices().len(), 1, "{:?}", recorder.notices());
    assert_eq!(store.alert(id).unwrap().state, AlertState::Snoozed);

    // Snoozed a week ago for one day: due, so it comes back as a new alert, notified again.
    let week_ago = Utc::now() - chrono::Duration::days(7);
    store
        .snooze_alert(id, week_ago + chrono::Duration::days(1), week_ago)
        .unwrap();
    assert_eq!(wait_new_alert(&mut events, Some(id)).await, id);
    let notices = recorder.wait_for(2).await;
    assert_eq!(notices[1].summary, "Possible impersonator on Bluesky");
    assert!(notices[1].body.contains(IMPOSTOR), "{:?}", notices[1]);
    assert!(
        notices[1]
            .actions
            .iter()
            .any(|(key, _)| key == &format!("review:{id}")),
        "{:?}",
        notices[1].actions
    );
    let alert = store.alert(id).unwrap();
    assert_eq!(alert.state, AlertState::New);
    assert!(alert.state_note.unwrap().starts_with("back from snooze"));
    // Once: later ticks do not notify it again.
    two_checks(&handle).await;
    assert_eq!(recorder.notices().len(), 2, "{:?}", recorder.notices());

    // Snoozed for 30 days again; the account then changes its name: "check now" re-checks
    // it and it comes back early, notified.
    let now = Utc::now();
    store
        .snooze_alert(id, now + chrono::Duration::days(30), now)
        .unwrap();
    assert!(fake.update_account(
        IMPOSTOR,
        FakeAccount::new(IMPOSTOR).name("Palmer Report").bio(BIO)
    ));
    handle.check_now();
    assert_eq!(wait_new_alert(&mut events, Some(id)).await, id);
    let notices = recorder.wait_for(3).await;
    assert_eq!(notices[2].summary, "Possible impersonator on Bluesky");
    let alert = store.alert(id).unwrap();
    assert_eq!(alert.state, AlertState::New);
    assert_eq!(alert.profile.display_name.as_deref(), Some("Palmer Report"));
    let note = alert.state_note.unwrap();
    assert!(
        note.contains("back from snooze early") && note.contains("name"),
        "{note}"
    );
    handle.stop().await;
}
