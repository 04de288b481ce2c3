//! Faults injected into the fake Bluesky (HTTP and Jetstream) while the real client checks:
//! 429 with and without reset headers, 500 storms, answers that hang past the client timeout,
//! answers cut mid-body, a WebSocket that drops every few messages, DNS failure (a `.invalid`
//! host fails locally), and the clock jumping (rate-limit resets in the past or a day ahead,
//! a reset no clock can hold, a Jetstream cursor ahead of the server or from long ago).
//!
//! Asserted each time: the client keeps working (no panic, no hang), backs off, surfaces a
//! plain error when it must give up, and misses no impostor the fake holds once it recovers.
//!
//! Run: `cargo test --test faults_bluesky -- --nocapture` (prints the fault count).

mod faults_support;
mod hostile_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::bluesky::live::{run_live, LiveEvent};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::sources::{Found, Source, SourceError};
use faults_support::{logged_rate_limit_waits, LogCapture};
use hostile_support::{RawResponse, RawServer};
use tokio::sync::mpsc;

/// Faults injected by this file (each test adds its own), printed at the end of each test.
static FAULTS: AtomicUsize = AtomicUsize::new(0);

fn fault(what: &str) {
    let n = FAULTS.fetch_add(1, Ordering::SeqCst) + 1;
    eprintln!("fault {n}: {what}");
}

const IMPOSTOR: &str = "palmer-report.bsky.social";

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::Bluesky,
            handle: "palmerreport.com".into(),
        }],
        avatar: None,
        bio: None,
    }
}

fn config_for(base: &str, jetstream: &str) -> Config {
    let mut config = Config::default();
    config.bluesky.base_url = base.into();
    config.bluesky.pds_url = base.into();
    config.bluesky.jetstream_url = jetstream.into();
    config.bluesky.max_queries = 2;
    config.bluesky.probe_limit = 10;
    config.bluesky.search_pages = 1;
    config.bluesky.rewind_secs = 0;
    config.http.timeout_secs = 2;
    config.http.connect_timeout_secs = 2;
    config.http.max_retries = 2;
    config.http.max_rate_limit_wait_secs = 60;
    config.http.fetch_avatars = false;
    config
}

async fn fake_with_impostor() -> FakeBluesky {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    fake.add_account(FakeAccount::new(IMPOSTOR).name("Palmer Report"));
    fake
}

fn has_impostor(found: &[Found]) -> bool {
    found.iter().any(|f| f.profile.handle == IMPOSTOR)
}

/// The fault is gone: the next check finds the impostor.
async fn recovers(fake: &FakeBluesky, source: &BlueskySource) {
    fake.misbehave(Misbehave::Behave);
    let found = source
        .check(&palmer())
        .await
        .expect("the check works again once the server recovers");
    assert!(has_impostor(&found), "impostor missed after recovery");
}

/// A plain error: names the platform, says what happened, no debug dump or internals.
fn assert_plain(e: &SourceError, says: &[&str]) {
    let text = e.to_string();
    assert!(text.starts_with("bluesky "), "{text}");
    assert!(
        says.iter().any(|s| text.contains(s)),
        "{text:?} says none of {says:?}"
    );
    assert!(
        !text.contains("reqwest::") && !text.contains("{ "),
        "{text}"
    );
    assert!(text.len() < 400, "{text}");
}

#[tokio::test]
async fn rate_limits_with_and_without_headers_are_waited_out() {
    let fake = fake_with_impostor().await;
    let source = BlueskySource::new(&config_for(&fake.base_url(), "ws://unused")).unwrap();
    fault("429 with RateLimit-* reset headers (2 s)");
    fake.misbehave(Misbehave::RateLimit {
        requests: 1,
        reset_secs: 2,
    });
    let found = source.check(&palmer()).await.unwrap();
    assert!(has_impostor(&found));

    fault("429 with no headers at all, twice");
    fake.misbehave(Misbehave::RateLimitWithoutHeaders { requests: 2 });
    let (logs, _guard) = LogCapture::install();
    let found = source.check(&palmer()).await.unwrap();
    assert!(has_impostor(&found));
    // It backed off rather than hammering: each refusal is waited out (the client's decision,
    // as logged: the 0.5 s and 1 s backoffs of the next attempts, less at most half for jitter).
    let waits = logged_rate_limit_waits(&logs.text());
    assert_eq!(waits.len(), 2, "one wait per refusal: {waits:?}");
    assert!(waits.iter().all(|&ms| ms >= 500), "{waits:?}");
}

#[tokio::test]
async fn a_500_storm_gives_a_plain_error_then_nothing_is_missed() {
    let fake = fake_with_impostor().await;
    let source = BlueskySource::new(&config_for(&fake.base_url(), "ws://unused")).unwrap();
    fault("500 storm (every request for a whole check)");
    fake.misbehave(Misbehave::ServerError { requests: 10_000 });
    let err = source.check(&palmer()).await.unwrap_err();
    assert_plain(&err, &["500"]);
    recovers(&fake, &source).await;
}

#[tokio::test]
async fn a_hanging_server_trips_the_client_timeout() {
    let fake = fake_with_impostor().await;
    let mut config = config_for(&fake.base_url(), "ws://unused");
    config.http.timeout_secs = 1;
    config.http.max_retries = 0;
    config.bluesky.max_queries = 1;
    config.bluesky.probe_limit = 1;
    let source = BlueskySource::new(&config).unwrap();
    fault("answers that hang for 30 s (client timeout 1 s)");
    fake.misbehave(Misbehave::Slow(Duration::from_secs(30)));
    // The client's own timeout ends it (the error says so); the outer deadline only turns a
    // hang into a failure instead of a stuck test run.
    let err = tokio::time::timeout(Duration::from_secs(120), source.check(&palmer()))
        .await
        .expect("the check hung past its client timeout")
        .unwrap_err();
    assert_plain(&err, &["timed out"]);
    recovers(&fake, &source).await;
}

#[tokio::test]
async fn answers_cut_mid_body_are_retried() {
    let fake = fake_with_impostor().await;
    let source = BlueskySource::new(&config_for(&fake.base_url(), "ws://unused")).unwrap();
    // Two in a row: within the client's two retries (a third would cost that query; the check
    // still succeeds on the others, see the note in issue-6-harden.md).
    let before = fake.total_requests();
    source.check(&palmer()).await.unwrap();
    let per_check = fake.total_requests() - before;
    fault("answers cut in the middle of their JSON (2 in a row)");
    fake.misbehave(Misbehave::Truncate { requests: 2 });
    let before = fake.total_requests();
    let found = source.check(&palmer()).await.unwrap();
    assert!(has_impostor(&found));
    assert_eq!(
        fake.total_requests() - before,
        per_check + 2,
        "each cut answer was asked again once"
    );
    fault("every answer cut mid-body");
    fake.misbehave(Misbehave::Truncate { requests: 10_000 });
    let err = source.check(&palmer()).await.unwrap_err();
    assert_plain(&err, &["not valid JSON", "broke off"]);
    recovers(&fake, &source).await;
}

#[tokio::test]
async fn an_unresolvable_host_is_a_plain_error_and_the_stream_keeps_retrying() {
    fault("DNS failure (doppelwatch-fake.invalid)");
    let mut config = config_for(
        "http://doppelwatch-fake.invalid",
        "ws://doppelwatch-fake.invalid/subscribe",
    );
    config.http.max_retries = 1;
    let source = BlueskySource::new(&config).unwrap();
    let err = source.check(&palmer()).await.unwrap_err();
    assert_plain(
        &err,
        &["could not connect", "could not be reached", "failed"],
    );
    // The live stream reports the failure and schedules a retry instead of giving up.
    let identity = palmer();
    let (tx, mut rx) = mpsc::channel(16);
    let live = run_live(&source, &identity, None, tx);
    let watch = async {
        let mut disconnects = 0;
        while let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            if let LiveEvent::Disconnected { reason, retry_in } = event {
                assert!(retry_in < Duration::from_secs(120), "{retry_in:?}");
                assert!(!reason.is_empty());
                disconnects += 1;
                if disconnects == 2 {
                    break;
                }
            }
        }
        drop(rx);
        disconnects
    };
    let ((), disconnects) = tokio::join!(live, watch);
    assert_eq!(disconnects, 2, "the stream retried after the DNS failure");
}

#[tokio::test]
async fn clock_jumps_and_absurd_resets_do_not_stall_or_crash_the_client() {
    let fake = fake_with_impostor().await;
    let source = BlueskySource::new(&config_for(&fake.base_url(), "ws://unused")).unwrap();

    fault("clock jump: the server is a day behind (429 reset in the past)");
    fake.misbehave(Misbehave::ClockSkew { secs: -86_400 });
    fake.misbehave(Misbehave::RateLimit {
        requests: 2,
        reset_secs: 5,
    });
    let (logs, guard) = LogCapture::install();
    let found = source.check(&palmer()).await.unwrap();
    assert!(has_impostor(&found));
    let waits = logged_rate_limit_waits(&logs.text());
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(
        waits.iter().all(|&ms| ms < 5_000),
        "a reset in the past is not waited for: {waits:?}"
    );
    drop(guard);

    fault("clock jump: the server is a day ahead (429 reset a day away)");
    fake.misbehave(Misbehave::Behave);
    fake.misbehave(Misbehave::ClockSkew { secs: 86_400 });
    fake.misbehave(Misbehave::RateLimit {
        requests: 1_000,
        reset_secs: 5,
    });
    let (logs, guard) = LogCapture::install();
    let err = source.check(&palmer()).await.unwrap_err();
    let waits = logged_rate_limit_waits(&logs.text());
    assert!(waits.is_empty(), "not waited a day: {waits:?}");
    drop(guard);
    assert!(
        matches!(err, SourceError::RateLimited { retry_after_secs, .. } if retry_after_secs > 3_600),
        "{err}"
    );
    assert_plain(&err, &["rate limiting"]);
    recovers(&fake, &source).await;

    // A reset no clock can hold (regression of the ratelimit_headers fuzz crash) and a
    // Retry-After of the same size, through the whole client.
    for (header, value) in [
        ("ratelimit-reset", "18446744073709551615"),
        ("retry-after", "18446744073709551615"),
        ("x-rate-limit-reset", "1e300"),
    ] {
        fault(&format!("429 with {header}: {value}"));
        let server = RawServer::start(move |_| {
            RawResponse::json(429, "{\"error\":\"RateLimitExceeded\"}")
                .header(header, value)
                .header("ratelimit-remaining", "0")
        })
        .await;
        let raw = BlueskySource::new(&config_for(&server.base_url, "ws://unused")).unwrap();
        let err = raw.check(&palmer()).await.unwrap_err();
        assert!(matches!(err, SourceError::RateLimited { .. }), "{err}");
        assert_plain(&err, &["rate limiting"]);
    }
}

/// Follows the live stream until every DID in `wanted` was found (or 60 s), adding the
/// impostors with `add` once connected; returns the connections seen and what was found.
async fn follow_live(
    source: &BlueskySource,
    start: Option<u64>,
    expect: Vec<String>,
    add: impl Fn(usize) -> Option<String>,
) -> (Vec<Option<u64>>, Vec<String>, Vec<String>) {
    let identity = palmer();
    let (tx, mut rx) = mpsc::channel(256);
    let live = run_live(source, &identity, start, tx);
    let drive = async {
        let mut connections = Vec::new();
        let mut wanted: Vec<String> = expect;
        let mut found: Vec<String> = Vec::new();
        let mut added = 0;
        let mut exhausted = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let next = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await;
            match next {
                Ok(Some(LiveEvent::Connected { from_cursor })) => connections.push(from_cursor),
                Ok(Some(LiveEvent::Found(f))) => {
                    found.extend(f.profile.platform_id.clone());
                }
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => break,
            }
            if !connections.is_empty() && !exhausted {
                match add(added) {
                    Some(did) => {
                        wanted.push(did);
                        added += 1;
                    }
                    None => exhausted = true,
                }
            }
            let done = exhausted && wanted.iter().all(|d| found.contains(d));
            if done || tokio::time::Instant::now() > deadline {
                break;
            }
        }
        drop(rx);
        (connections, wanted, found)
    };
    let ((), result) = tokio::join!(live, drive);
    result
}

#[tokio::test]
async fn a_websocket_dropping_every_few_messages_misses_no_impostor() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    let source = BlueskySource::new(&config_for(&fake.base_url(), &fake.jetstream_url())).unwrap();
    fault("Jetstream drops the connection after every 3 messages");
    fake.misbehave(Misbehave::DropWebSocket { after_messages: 3 });
    let start = fake.latest_time_us();
    let (connections, wanted, found) = follow_live(&source, Some(start), vec![], |n| {
        // Ten impostors, each with an unrelated account around it.
        (n < 10).then(|| {
            fake.add_account(FakeAccount::new(format!("bystander{n}.bsky.social")).name("Jane"));
            fake.add_account(
                FakeAccount::new(format!("palmer-report-{n}.bsky.social")).name("Palmer Report"),
            )
        })
    })
    .await;
    let missed: Vec<_> = wanted.iter().filter(|d| !found.contains(d)).collect();
    assert!(missed.is_empty(), "missed {missed:?}");
    assert!(connections.len() >= 4, "reconnected: {connections:?}");
    // Each reconnection resumes from a cursor that never moves back.
    let cursors: Vec<u64> = connections
        .iter()
        .skip(1)
        .map(|c| c.expect("a cursor"))
        .collect();
    assert!(cursors.windows(2).all(|w| w[0] <= w[1]), "{cursors:?}");
    eprintln!(
        "websocket drops: {} connections, {} impostors, all found",
        connections.len(),
        wanted.len()
    );
}

#[tokio::test]
async fn a_cursor_from_the_future_or_the_distant_past_still_finds_impostors() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    let early =
        fake.add_account(FakeAccount::new("palmer-report-early.bsky.social").name("Palmer Report"));
    let source = BlueskySource::new(&config_for(&fake.base_url(), &fake.jetstream_url())).unwrap();

    fault("clock jump: stored cursor a day ahead of the server");
    let ahead = fake.latest_time_us() + 86_400 * 1_000_000;
    let (_, wanted, found) = follow_live(&source, Some(ahead), vec![], |n| {
        (n == 0).then(|| {
            fake.add_account(
                FakeAccount::new("palmer-report-late.bsky.social").name("Palmer Report"),
            )
        })
    })
    .await;
    assert!(
        wanted.iter().all(|d| found.contains(d)),
        "{wanted:?} {found:?}"
    );

    fault("clock jump: stored cursor from 1970");
    let (_, _, found) = follow_live(&source, Some(1), vec![early.clone()], |_| None).await;
    // Nothing to add: the replay from the beginning holds the early impostor.
    assert!(found.contains(&early), "{found:?}");
}
