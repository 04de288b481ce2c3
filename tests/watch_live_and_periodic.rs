//! The one watch pipeline (the watch service, formerly also a second loop in the source runner)
//! against the fakes: an impostor appears live on Bluesky and one between periodic checks on
//! Mastodon; each raises one alert, and later checks that see the same accounts raise none.

mod support_watch;

use std::sync::Arc;
use std::time::Duration;

use doppelwatch::config::{Config, WatchConfig};
use doppelwatch::detect::Verdict;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::store::{Alert, AlertFilter, Store};
use doppelwatch::watch::{Notifications, WatchEvent, WatchService, WatchSetup};
use support_watch::RecordingSink;
use tokio::sync::broadcast::Receiver;

fn palmer_on_both() -> Identity {
    Identity {
        handles: vec![
            AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.com".into(),
            },
            AccountHandle {
                platform: Platform::Mastodon,
                handle: "PalmerReport@social.example".into(),
            },
        ],
        ..support_watch::palmer()
    }
}

async fn next_alert(events: &mut Receiver<WatchEvent>, handle: &str) -> Alert {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(WatchEvent::NewAlert { alert })) if alert.profile.handle == handle => {
                return *alert
            }
            Ok(Ok(_)) => {}
            other => panic!("no alert for {handle} in time: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_and_periodic_impostors_raise_one_alert_each() {
    let bluesky = FakeBluesky::start().await.unwrap();
    bluesky.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    let mastodon = FakeMastodon::start("social.example").await.unwrap();
    mastodon.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    let mut config = Config::default();
    config.bluesky.base_url = bluesky.base_url();
    config.bluesky.jetstream_url = bluesky.jetstream_url();
    config.bluesky.live = true;
    config.mastodon.servers = vec![mastodon.base_url()];
    config.allow_loopback_fakes();
    config.watch = WatchConfig {
        check_interval_secs: 1,
        min_backoff_secs: 1,
        max_backoff_secs: 1,
        notify_batch_secs: 0,
        jitter: 0.0,
        ..WatchConfig::default()
    };
    let setup = WatchSetup::from_config(
        &config,
        Some(&[Platform::Bluesky, Platform::Mastodon]),
        None,
    )
    .unwrap();
    assert!(setup.skipped.is_empty(), "{:?}", setup.skipped);
    assert!(setup.live.is_some(), "Bluesky live is followed");
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let identity = palmer_on_both();
    let id = store.upsert_identity(&identity).unwrap();
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let handle = WatchService::start(
        config.watch.clone(),
        store.clone(),
        vec![(id, identity)],
        setup,
        Notifications {
            sink: Arc::new(RecordingSink::default()),
            actions,
        },
    );
    let mut events = handle.subscribe();

    // An impostor appears on Bluesky (the live stream or the next search finds it).
    bluesky.add_account(FakeAccount::new("breaking-news.bsky.social").name("Palmer Report"));
    let live = next_alert(&mut events, "breaking-news.bsky.social").await;
    assert_ne!(live.verdict, Verdict::Clear);
    assert_eq!(live.platform, Platform::Bluesky);

    // A Mastodon impostor shows up at a later periodic check.
    mastodon.add_account(FakeAccount::new("PalmerReport_").name("Palmer Report"));
    let periodic = next_alert(&mut events, "PalmerReport_@social.example").await;
    assert_eq!(periodic.platform, Platform::Mastodon);

    // Two more whole Mastodon checks (counted by their events, not by waiting a while) see the
    // same account again and raise nothing new.
    let mut repeats = 0;
    let mut checks = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while checks < 2 {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("two more checks in time")
            .expect("the service goes on");
        match event {
            WatchEvent::NewAlert { alert } if alert.profile.handle.starts_with("PalmerReport_") => {
                repeats += 1
            }
            WatchEvent::CheckDone {
                platform: Platform::Mastodon,
                ..
            } => checks += 1,
            _ => {}
        }
    }
    assert_eq!(repeats, 0);
    let mastodon_alerts = store
        .alerts(&AlertFilter::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.platform == Platform::Mastodon)
        .count();
    assert_eq!(mastodon_alerts, 1);
    handle.stop().await;
}
