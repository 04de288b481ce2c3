//! The source runner's watch loop (the library behind live + periodic checks) against the
//! fakes: impostors appear live on Bluesky and between periodic checks on Mastodon.

use std::sync::Arc;
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::detect::{Detector, Verdict};
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::runner::{
    build_sources, watch, Credentials, Finding, WatchEvent, WatchOptions,
};
use doppelwatch::sources::FoundBy;
use tokio::sync::mpsc;

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
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
        avatar: None,
        bio: None,
    }
}

async fn next_finding(rx: &mut mpsc::Receiver<WatchEvent>, handle: &str) -> Finding {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(WatchEvent::Finding(f))) if f.handle == handle => return *f,
            Ok(Some(_)) => {}
            _ => panic!("{handle} not reported in time"),
        }
    }
}

#[tokio::test]
async fn the_watch_loop_reports_live_and_periodic_impostors_once() {
    let bluesky = FakeBluesky::start().await.unwrap();
    bluesky.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    let mastodon = FakeMastodon::start("social.example").await.unwrap();
    mastodon.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    let mut config = Config::default();
    config.bluesky.base_url = bluesky.base_url();
    config.bluesky.jetstream_url = bluesky.jetstream_url();
    config.mastodon.servers = vec![mastodon.base_url()];
    config.allow_loopback_fakes();
    let sources = build_sources(
        &config,
        Some(&[Platform::Bluesky, Platform::Mastodon]),
        &Credentials::default(),
    )
    .unwrap();
    assert!(sources.skipped.is_empty());
    let detector = Arc::new(Detector::new(palmer(), None));
    let options = WatchOptions {
        check_interval: Duration::from_secs(1),
        live: true,
        start_cursor: None,
    };
    let (tx, mut rx) = mpsc::channel(256);
    let task = tokio::spawn(watch(sources, detector, options, tx));

    // Wait until the live stream is up, then an impostor appears on Bluesky.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(WatchEvent::LiveStatus {
                connected: true, ..
            })) => break,
            Ok(Some(_)) => {}
            _ => panic!("live stream did not connect"),
        }
    }
    bluesky.add_account(FakeAccount::new("breaking-news.bsky.social").name("Palmer Report"));
    let live = next_finding(&mut rx, "breaking-news.bsky.social").await;
    assert_ne!(live.verdict, Verdict::Clear);
    assert!(live.id.starts_with("bluesky:did:plc:"));
    assert!(matches!(
        live.found_by,
        FoundBy::Live | FoundBy::Search { .. }
    ));

    // A Mastodon impostor shows up at the next periodic check.
    mastodon.add_account(FakeAccount::new("PalmerReport_").name("Palmer Report"));
    let periodic = next_finding(&mut rx, "PalmerReport_@social.example").await;
    assert_eq!(periodic.platform, Platform::Mastodon);
    assert_eq!(periodic.id, "mastodon:palmerreport_@social.example");

    // Later checks do not report unchanged candidates again: two more whole Mastodon checks
    // (counted by their CheckDone events, not by waiting a while) report nothing new.
    let mut repeats = 0;
    let mut checks = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while checks < 2 {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("two more checks in time")
            .expect("the loop goes on");
        match event {
            WatchEvent::Finding(f) if f.handle == "PalmerReport_@social.example" => repeats += 1,
            WatchEvent::CheckDone {
                platform: Platform::Mastodon,
                ..
            } => checks += 1,
            _ => {}
        }
    }
    assert_eq!(repeats, 0);
    drop(rx);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the loop stops when its receiver is dropped")
        .unwrap();
}
