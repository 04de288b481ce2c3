//! A demo watcher killed mid-batch and started again (issue 11): the real
//! `doppelwatch-watcher` binary on a temporary data folder, its real SQLite store and report
//! queue, its fakes on loopback. The session goes on (the same store, the same fake ports, the
//! reports received given back); the report that was mid-request when the watcher died is
//! not sent again; a watcher asked to stop ends the session, and the next start is new.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use doppelwatch::config::Config;
use doppelwatch::detect::Verdict;
use doppelwatch::identity::Platform;
use doppelwatch::store::{QueueState, Store};
use doppelwatch_watcher::demo::book;
use doppelwatch_watcher::demo::session::SESSION_FILE;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::Reply;

mod common;

use common::{hello, start_watcher_with, wait_exit, Running, WATCHER};

const PERSON: &str = r#"{"name": "Palmer Report", "aliases": [],
  "handles": [{"platform": "bluesky", "handle": "palmerreport.bsky.social"}],
  "bio": "Independent political news and analysis."}"#;

/// A demo watcher of `base` whose fakes hold their answer to the session's second report.
fn demo_watcher(base: &Path, person: &Path) -> Running {
    start_watcher_with(
        base,
        &["--demo"],
        &[
            ("DOPPELWATCH_DEMO_IDENTITY", person.as_os_str()),
            ("DOPPELWATCH_DEMO_PACE_MS", OsStr::new("100")),
            ("DOPPELWATCH_DEMO_HOLD_REPORT", OsStr::new("2")),
        ],
        Stdio::null(),
    )
}

/// The demo settings the watcher greets with.
async fn demo_config(link: &WatcherLink) -> Config {
    match hello(link).await {
        Reply::Hello {
            demo_config: Some(config),
            ..
        } => *config,
        other => panic!("no demo greeting: {other:?}"),
    }
}

/// Waits up to 90 s for `f` to give something.
async fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(Instant::now() < deadline, "no {what} within 90 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn quit(base: &Path, watcher: &mut Running) {
    let status = Command::new(WATCHER)
        .args(["--demo", "--quit"])
        .env("DOPPELWATCH_DATA_DIR", base)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(wait_exit(watcher, "the watcher after --quit").success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_demo_watcher_goes_on_with_its_session_and_sends_nothing_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("data");
    let demo = base.join("demo");
    let person = tmp.path().join("person.json");
    std::fs::write(&person, PERSON).unwrap();
    let link = WatcherLink::new(base.clone(), true);

    let mut first = demo_watcher(&base, &person);
    let before = demo_config(&link).await;
    let store = Store::open_in(&demo).unwrap();
    // Three of the demo's Bluesky impostors, filed as one batch at once.
    let ids: Vec<i64> = until("three Bluesky impostor alerts", || {
        let ids: Vec<i64> = store
            .alerts(&Default::default())
            .ok()?
            .into_iter()
            .filter(|a| a.platform == Platform::Bluesky && a.verdict == Verdict::Impostor)
            .map(|a| a.id)
            .take(3)
            .collect();
        (ids.len() == 3).then_some(ids)
    })
    .await;
    let batch =
        doppelwatch::report::queue::enqueue(&store, &ids, Duration::ZERO, chrono::Utc::now())
            .unwrap()
            .batch;
    // The first is sent; the fake took the second and holds its answer: mid-request.
    until("one report sent and one mid-request", || {
        let now = store.batch(batch.id).ok()?;
        let listed = book::read(&demo).ok()?.len();
        (now.count(QueueState::Sent) == 1 && now.count(QueueState::Sending) == 1 && listed == 2)
            .then_some(())
    })
    .await;
    let alerts_before = store.alerts(&Default::default()).unwrap().len();
    // Killed (SIGKILL): the session stays open.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(demo.join(SESSION_FILE).exists());

    // Started again: the same session, the same fakes' addresses.
    let mut second = demo_watcher(&base, &person);
    let after = demo_config(&link).await;
    assert_eq!(after.bluesky.base_url, before.bluesky.base_url);
    assert_eq!(after.bluesky.jetstream_url, before.bluesky.jetstream_url);
    assert_eq!(after.mastodon.servers, before.mastodon.servers);
    assert_eq!(after.x.base_url, before.x.base_url);
    assert_eq!(after.youtube.base_url, before.youtube.base_url);
    // The batch finishes: the interrupted one is uncertain (never sent again on its own),
    // the third is sent; the fakes received each report exactly once.
    let done = until("the batch finished", || {
        let now = store.batch(batch.id).ok()?;
        (now.count(QueueState::Sent) == 2 && now.count(QueueState::Uncertain) == 1).then_some(now)
    })
    .await;
    assert_eq!(
        done.count(QueueState::Queued) + done.count(QueueState::Sending),
        0
    );
    let listed = book::read(&demo).unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let subjects: HashSet<&str> = listed.iter().map(|r| r.report.subject.as_str()).collect();
    assert_eq!(subjects.len(), 3, "a report received twice: {listed:?}");
    assert!(listed.iter().all(|r| r.platform == "bluesky"));
    // The store was kept, alerts and all.
    assert!(store.alerts(&Default::default()).unwrap().len() >= alerts_before);

    // Asked to stop, the session ends: the next demo start is a new one.
    drop(store);
    quit(&base, &mut second);
    assert!(!demo.join(SESSION_FILE).exists());
    let mut third = demo_watcher(&base, &person);
    demo_config(&link).await;
    let fresh = Store::open_in(&demo).unwrap();
    assert!(
        fresh.batches().unwrap().is_empty(),
        "a new session's queue is empty"
    );
    assert!(book::read(&demo).unwrap().is_empty());
    drop(fresh);
    quit(&base, &mut third);
}
