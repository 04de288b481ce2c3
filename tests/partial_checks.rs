//! Checks where only some queries fail (issue 3/4 gap): the fake Bluesky answers 503 to two
//! named searches while the others answer (and a fake Mastodon fails one search). Asserted: the source reports what the other
//! searches found AND names the two failed searches; the watch service records and alerts the
//! impostor at once, shows the check as partial, re-runs it sooner than a whole interval, and
//! the next complete check clears the partial state; `scan` says the failures on stderr, prints
//! them as JSON lines only when asked, and keeps its exit code. An X check the spending cap
//! cut short is shown the same way in the status, without the sooner retry.
//!
//! Run: `cargo test --test partial_checks`.

mod support_watch;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use support_watch::watching_fake_bluesky;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::notify::{Notice, NotificationSink, NotifyError};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::sources::mastodon::MastodonSource;
use doppelwatch::sources::{FoundBy, Source};
use doppelwatch::store::{AlertFilter, Store};
use doppelwatch::watch::{
    Notifications, RunState, SourceMode, SourceStatus, WatchEvent, WatchHandle, WatchService,
    WatchSetup,
};
use serde_json::Value;
use tokio::sync::broadcast::Receiver;

/// Found only by searching "Palmer Report" (its handle is no look-alike the probes try).
const IMPOSTOR: &str = "palmer-newsdesk.bsky.social";
/// The two searches the fake fails.
const FAILING: [&str; 2] = ["PalmerReport", "The Palmer Report"];

fn person() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec!["The Palmer Report".into(), "Palmer Daily".into()],
        handles: vec![AccountHandle {
            platform: Platform::Bluesky,
            handle: "palmerreport.bsky.social".into(),
        }],
        avatar: None,
        bio: Some("Independent political news and analysis since 2016".into()),
    }
}

async fn fake_with_impostor() -> FakeBluesky {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(
        FakeAccount::new(IMPOSTOR)
            .name("Palmer Report")
            .bio("Independent political news and analysis since 2016"),
    );
    fake
}

fn config(fake: &FakeBluesky, interval_secs: u64) -> Config {
    let mut config = watching_fake_bluesky(fake);
    config.bluesky.max_queries = 10;
    config.watch.check_interval_secs = interval_secs;
    config
}

#[tokio::test]
async fn bluesky_check_keeps_what_other_searches_found_and_names_the_failed_ones() {
    let fake = fake_with_impostor().await;
    let source = BlueskySource::new(&config(&fake, 3600)).unwrap();
    let searches = source.search_queries(&person());
    assert_eq!(searches.len(), 6, "{searches:?}");
    fake.fail_searches_for(&FAILING);

    let report = source.check_report(&person()).await.unwrap();
    let impostor = report
        .found
        .iter()
        .find(|f| f.profile.handle == IMPOSTOR)
        .unwrap_or_else(|| panic!("impostor kept: {:?}", report.found));
    assert_eq!(
        impostor.found_by,
        FoundBy::Search {
            query: "Palmer Report".into()
        }
    );
    let failed: Vec<&str> = report.failures.iter().map(|f| f.query.as_str()).collect();
    assert_eq!(
        failed,
        ["search \"PalmerReport\"", "search \"The Palmer Report\""]
    );
    for failure in &report.failures {
        assert_eq!(failure.server, "127.0.0.1");
        assert!(failure.error.contains("503"), "{failure:?}");
    }
    // 6 searches and 1 batch of look-alike lookups.
    assert_eq!(report.queries, 7);
    let summary = report.missed_summary().unwrap();
    assert!(
        summary.starts_with("missed 2 of 7 queries (search \"PalmerReport\" at 127.0.0.1: "),
        "{summary}"
    );
    assert!(summary.ends_with("; and 1 more)"), "{summary}");
    // The plain `check` still answers with what was found.
    let found = source.check(&person()).await.unwrap();
    assert!(found.iter().any(|f| f.profile.handle == IMPOSTOR));

    fake.fail_searches_for(&[]);
    let report = source.check_report(&person()).await.unwrap();
    assert!(!report.is_partial(), "{:?}", report.failures);
    assert_eq!(report.missed_summary(), None);
    assert!(report.found.iter().any(|f| f.profile.handle == IMPOSTOR));
}

#[tokio::test]
async fn a_check_where_every_query_failed_is_still_an_error() {
    let fake = fake_with_impostor().await;
    let mut config = config(&fake, 3600);
    // Only the searches, all failing: nothing could be done at all.
    config.bluesky.probe_limit = 0;
    let source = BlueskySource::new(&config).unwrap();
    let searches = source.search_queries(&person());
    let all: Vec<&str> = searches.iter().map(String::as_str).collect();
    fake.fail_searches_for(&all);
    let err = source.check_report(&person()).await.unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
}

/// Mastodon goes on past a failed query by itself; the query log names what it missed.
#[tokio::test]
async fn mastodon_check_with_a_failed_search_is_partial() {
    let home = FakeMastodon::start("social.example").await.unwrap();
    let other = FakeMastodon::start("other.example").await.unwrap();
    home.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    // The same username on another server: found by lookup, not by search.
    other.add_account(FakeAccount::new("PalmerReport").name("PR"));
    let mut config = Config::default();
    config.mastodon.servers = vec![home.base_url(), other.base_url()];
    config.http.max_retries = 0;
    config.allow_loopback_fakes();
    let source = MastodonSource::new(&config).unwrap();
    let identity = Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::Mastodon,
            handle: "PalmerReport@social.example".into(),
        }],
        avatar: None,
        bio: None,
    };
    // A first complete check (it also learns each server's domain).
    let report = source.check_report(&identity).await.unwrap();
    assert!(!report.is_partial(), "{:?}", report.failures);
    assert!(report.queries >= 4, "{}", report.queries);
    let complete_queries = report.queries;

    // The next request to the other server, its search, fails with a 500 (existing knob).
    other.misbehave(Misbehave::ServerError { requests: 1 });
    let report = source.check_report(&identity).await.unwrap();
    assert!(
        report
            .found
            .iter()
            .any(|f| f.profile.handle == "PalmerReport@other.example"),
        "{:?}",
        report.found
    );
    assert_eq!(report.queries, complete_queries);
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert_eq!(report.failures[0].query, "search \"Palmer Report\"");
    assert_eq!(report.failures[0].server, "127.0.0.1");
    assert!(
        report.failures[0].error.contains("500"),
        "{:?}",
        report.failures
    );
    assert!(report
        .missed_summary()
        .unwrap()
        .starts_with(&format!("missed 1 of {complete_queries} queries (search")));
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Notice>>);

impl NotificationSink for Recorder {
    fn show(&self, notice: &Notice) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(notice.clone());
        Ok(())
    }
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

fn periodic_status(handle: &WatchHandle) -> SourceStatus {
    handle
        .status()
        .into_iter()
        .find(|s| s.mode == SourceMode::Periodic && s.platform == Platform::Bluesky)
        .unwrap_or_else(|| panic!("{:?}", handle.status()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_alerts_at_once_shows_partial_retries_sooner_and_clears_on_success() {
    let fake = fake_with_impostor().await;
    fake.fail_searches_for(&FAILING);
    // An hour between checks: only the sooner retry of a partial check can run a second one
    // within the test's minute.
    // The first backoff step is 5 s: long enough to read the status between the checks.
    let mut config = config(&fake, 3600);
    config.watch.min_backoff_secs = 5;
    config.watch.max_backoff_secs = 5;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("state.sqlite3")).unwrap());
    let identity = person();
    let id = store.upsert_identity(&identity).unwrap();
    let setup = WatchSetup::from_config(&config, None, None).unwrap();
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let recorder = Arc::new(Recorder::default());
    let handle = WatchService::start(
        config.watch.clone(),
        store.clone(),
        vec![(id, identity)],
        setup,
        Notifications {
            sink: recorder.clone(),
            actions,
        },
    );
    let mut events = handle.subscribe();

    // The impostor found by the searches that worked is alerted from the partial check.
    let alert = wait_event(
        &mut events,
        "the impostor's alert",
        |e| matches!(e, WatchEvent::NewAlert { alert } if alert.profile.handle == IMPOSTOR),
    )
    .await;
    let done = wait_event(&mut events, "the partial check's end", |e| {
        matches!(e, WatchEvent::CheckDone { .. })
    })
    .await;
    let WatchEvent::CheckDone {
        failed_queries,
        new_alerts,
        ..
    } = done
    else {
        unreachable!()
    };
    assert_eq!(failed_queries, 2);
    assert_eq!(new_alerts, 1, "{alert:?}");
    let status = periodic_status(&handle);
    let partial = status
        .partial
        .clone()
        .unwrap_or_else(|| panic!("{status:?}"));
    assert!(partial.contains("missed 2 of 7 queries"), "{partial}");
    assert!(partial.contains("search \"PalmerReport\""), "{partial}");
    assert!(partial.contains("503"), "{partial}");
    assert_eq!(status.last_error, None);
    assert_eq!(status.state, RunState::Waiting);
    // Retried at the backoff's first step (5 s), not in an hour.
    let next = status.next_check.expect("a next check is planned");
    let last = status.last_check.expect("the check ran");
    assert!(next - last < chrono::Duration::seconds(30), "{status:?}");

    // The server heals: the next check is complete and clears the partial state.
    fake.fail_searches_for(&[]);
    let done = wait_event(&mut events, "a complete check", |e| {
        matches!(
            e,
            WatchEvent::CheckDone {
                failed_queries: 0,
                ..
            }
        )
    })
    .await;
    assert!(matches!(done, WatchEvent::CheckDone { new_alerts: 0, .. }));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        let s = periodic_status(&handle);
        if s.partial.is_none() || tokio::time::Instant::now() > deadline {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.partial, None, "{status:?}");
    assert_eq!(status.last_error, None);
    // Back to the normal interval.
    let next = status.next_check.expect("a next check is planned");
    assert!(
        next - status.last_check.unwrap() > chrono::Duration::minutes(30),
        "{status:?}"
    );
    // One alert for the impostor, not one per check.
    let alerts = store.alerts(&AlertFilter::default()).unwrap();
    assert_eq!(
        alerts
            .iter()
            .filter(|a| a.profile.handle == IMPOSTOR)
            .count(),
        1
    );
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_shows_an_x_check_cut_by_the_cap_and_does_not_retry_it_sooner() {
    use doppelwatch::fake::x::FakeX;
    use doppelwatch::sources::x::{ranked_probes, XCredentials, XSource};
    let fake = FakeX::start("app-token").await.unwrap();
    let identity = Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::X,
            handle: "PalmerReport".into(),
        }],
        avatar: None,
        bio: None,
    };
    for (user, _) in ranked_probes(&identity, 40) {
        fake.add_account(FakeAccount::new(user).name("Palmer Report"));
    }
    let mut config = Config::default();
    config.x.base_url = fake.base_url();
    config.x.daily_cap_usd = 0.05;
    config.allow_loopback_fakes();
    config.watch.check_interval_secs = 3600;
    config.watch.min_backoff_secs = 5;
    config.watch.max_backoff_secs = 5;
    let credentials = XCredentials {
        bearer_token: Some("app-token".into()),
        user_token: None,
    };
    let source: Arc<dyn Source> = Arc::new(XSource::new(&config, credentials).unwrap());
    let setup = WatchSetup {
        sources: vec![source],
        live: None,
        skipped: Vec::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("state.sqlite3")).unwrap());
    let id = store.upsert_identity(&identity).unwrap();
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let handle = WatchService::start(
        config.watch.clone(),
        store.clone(),
        vec![(id, identity)],
        setup,
        Notifications {
            sink: Arc::new(Recorder::default()),
            actions,
        },
    );
    let mut events = handle.subscribe();
    wait_event(&mut events, "the X check's end", |e| {
        matches!(e, WatchEvent::CheckDone { .. })
    })
    .await;
    let status = handle
        .status()
        .into_iter()
        .find(|s| s.platform == Platform::X)
        .unwrap_or_else(|| panic!("{:?}", handle.status()));
    let partial = status
        .partial
        .clone()
        .unwrap_or_else(|| panic!("{status:?}"));
    assert!(
        partial.contains("today's X spending cap of $0.05 cut this check: probed 5 of"),
        "{partial}"
    );
    assert_eq!(fake.users_returned(), 5);
    // The cap would cut a sooner retry again: the next check waits the whole interval.
    let next = status.next_check.expect("a next check is planned");
    assert!(
        next - status.last_check.unwrap() > chrono::Duration::minutes(30),
        "{status:?}"
    );
    handle.stop().await;
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_says_failed_queries_and_prints_them_only_when_asked() {
    let fake = fake_with_impostor().await;
    fake.fail_searches_for(&FAILING);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("id.json"),
        serde_json::to_string(&person()).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"http": {"timeout_secs": 10, "max_retries": 0},
            "bluesky": {"max_queries": 10, "probe_limit": 5, "search_pages": 1}}"#,
    )
    .unwrap();
    let scan = |extra: &[&str]| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_doppelwatch"));
        cmd.args(["scan", "--source", "bluesky", "--no-keychain"])
            .args(extra)
            .arg("--identity")
            .arg(dir.path().join("id.json"))
            .env("DOPPELWATCH_CONFIG", dir.path().join("config.json"))
            .env("DOPPELWATCH_BLUESKY_URL", fake.base_url())
            .env("DOPPELWATCH_JETSTREAM_URL", fake.jetstream_url())
            .env("DOPPELWATCH_LOOPBACK_FAKES", "1")
            .env("RUST_LOG", "error")
            .kill_on_drop(true);
        cmd
    };

    // Default: the finding lines exactly as before, the failures on stderr, exit 0.
    let out = scan(&[]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let found = lines(&out.stdout);
    assert!(found.iter().any(|f| f["handle"] == IMPOSTOR), "{found:?}");
    assert!(found.iter().all(|f| f["id"].is_string()), "{found:?}");
    for query in FAILING {
        let said = format!("bluesky: missed search \"{query}\" at 127.0.0.1: ");
        assert!(stderr.contains(&said), "{stderr}");
    }

    // Asked for: one JSON line per failed query, after the findings.
    let out = scan(&["--report-failures"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(0));
    let all = lines(&out.stdout);
    let failures: Vec<&Value> = all
        .iter()
        .filter(|l| l["kind"] == "query_failure")
        .collect();
    assert_eq!(failures.len(), 2, "{all:?}");
    assert_eq!(failures[0]["platform"], "bluesky");
    assert_eq!(failures[0]["query"], "search \"PalmerReport\"");
    assert_eq!(failures[1]["query"], "search \"The Palmer Report\"");
    assert_eq!(failures[0]["server"], "127.0.0.1");
    assert!(failures[0]["error"].as_str().unwrap().contains("503"));
    assert!(all.iter().any(|f| f["handle"] == IMPOSTOR));
}
