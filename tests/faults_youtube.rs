//! Faults injected into the fake YouTube Data API while the real YouTube source checks: the
//! day's quota used up on YouTube's side (`403 quotaExceeded`, in the documented error shape),
//! a refused key (`400 keyInvalid`), a 500/503 storm, a 429 with `Retry-After`, a server
//! hanging past the client timeout, answers cut mid-JSON, a malformed channel among good ones,
//! an oversized answer and invalid UTF-8 in one title.
//!
//! On top of "no panic, no hang, plain errors, only the broken record lost", each fault checks
//! the quota: the units counted are never fewer than YouTube charged, and the API key (sent in
//! the query string) never appears in an error or in anything logged.
//!
//! Run: `cargo test --test faults_youtube -- --nocapture` (prints each fault injected).

mod faults_support;
mod support_watch;

use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::youtube::FakeYoutube;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::sources::youtube::{ranked_probes, YoutubeSource};
use doppelwatch::sources::{Source, SourceError};
use faults_support::{assert_plain, fault, LogCapture};
use support_watch::palmer_on_youtube;

const KEY: &str = "AIzaSyFaultsYoutubeKey9q2Lm7Tk3Vx0000";

/// The fake with the person's channel and the three most plausible look-alikes.
async fn fake() -> FakeYoutube {
    let fake = FakeYoutube::start(KEY).await.unwrap();
    fake.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    for (handle, _) in ranked_probes(&palmer_on_youtube(), 10).into_iter().take(3) {
        fake.add_account(FakeAccount::new(handle).name("Palmer Report"));
    }
    fake
}

fn config_for(fake: &FakeYoutube) -> Config {
    let mut config = Config::default();
    config.youtube.base_url = fake.base_url();
    config.youtube.probe_limit = 10;
    config.http.timeout_secs = 1;
    config.http.connect_timeout_secs = 1;
    config.http.max_retries = 1;
    config.http.max_rate_limit_wait_secs = 60;
    config.http.fetch_avatars = false;
    config
}

fn source(fake: &FakeYoutube, key: &str) -> YoutubeSource {
    YoutubeSource::new(&config_for(fake), Some(key.into())).unwrap()
}

/// The units counted cover what YouTube charged, and the key is nowhere in `text`.
fn assert_counted_and_secret(fake: &FakeYoutube, source: &YoutubeSource, text: &str) {
    assert!(
        source.spent_today_units() >= fake.units_used() as f64,
        "counted {} but YouTube charged {}",
        source.spent_today_units(),
        fake.units_used()
    );
    assert!(!text.contains(KEY), "the key leaked: {text}");
}

#[tokio::test]
async fn youtube_saying_the_quota_is_used_up_stops_the_day_plainly() {
    let fake = fake().await;
    fault("youtube", "403 quotaExceeded from the first request");
    fake.set_quota(0);
    let source = source(&fake, KEY);
    let (logs, guard) = LogCapture::install();
    let err = source.check(&palmer_on_youtube()).await.unwrap_err();
    drop(guard);
    assert_plain("youtube", &err, &["quota of this API key is used up"]);
    assert!(err.to_string().contains("midnight Pacific Time"), "{err}");
    assert_eq!(fake.request_count("/youtube/v3/channels"), 1, "not retried");
    assert_counted_and_secret(&fake, &source, &format!("{err} {}", logs.text()));
    // The local budget took the day as spent: the next check asks nothing.
    let again = source.check(&palmer_on_youtube()).await.unwrap_err();
    assert!(again.to_string().contains("used up"), "{again}");
    assert_eq!(fake.request_count("/youtube/v3/channels"), 1);

    fault(
        "youtube",
        "403 quotaExceeded after 2 probes: what was found is kept",
    );
    let fake = self::fake().await;
    fake.set_quota(2);
    let source = self::source(&fake, KEY);
    let report = source.check_report(&palmer_on_youtube()).await.unwrap();
    assert_eq!(
        report.found.len(),
        2,
        "the two channels read before the refusal"
    );
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert!(
        report.failures[0].error.contains("quotaExceeded"),
        "{:?}",
        report.failures
    );
    assert_eq!(
        fake.request_count("/youtube/v3/channels"),
        3,
        "stopped at the refusal"
    );
}

#[tokio::test]
async fn a_refused_key_says_which_key_and_what_to_do() {
    let fake = fake().await;
    fault("youtube", "400 keyInvalid");
    let wrong = "AIzaSyWrongKeyThatYouTubeRefuses00000";
    let source = source(&fake, wrong);
    let (logs, guard) = LogCapture::install();
    let err = source.check(&palmer_on_youtube()).await.unwrap_err();
    drop(guard);
    assert!(matches!(err, SourceError::NeedsCredentials { .. }), "{err}");
    assert_plain("youtube", &err, &["refused the API key as not valid"]);
    assert_eq!(fake.request_count("/youtube/v3/channels"), 1, "not retried");
    let text = format!("{err} {}", logs.text());
    assert!(!text.contains(wrong), "the key leaked: {text}");
    assert_eq!(fake.units_used(), 0);
}

#[tokio::test]
async fn storms_timeouts_and_broken_answers_give_plain_errors_and_lose_only_what_broke() {
    for (what, storm, says) in [
        (
            "500 storm",
            Misbehave::ServerError { requests: 10_000 },
            "500",
        ),
        (
            "503 storm",
            Misbehave::ServiceUnavailable { requests: 10_000 },
            "503",
        ),
        (
            "hangs past the 1 s timeout",
            Misbehave::Slow(Duration::from_secs(3)),
            "timed out",
        ),
        (
            "every answer cut mid-JSON",
            Misbehave::Truncate { requests: 10_000 },
            "JSON",
        ),
        (
            "every answer padded to 5 MiB",
            Misbehave::OversizedAnswer {
                requests: 10_000,
                bytes: 5 * 1024 * 1024,
            },
            "larger than",
        ),
    ] {
        let fake = fake().await;
        let source = source(&fake, KEY);
        fault("youtube", what);
        fake.misbehave(storm);
        let (logs, guard) = LogCapture::install();
        let report = source.check_report(&palmer_on_youtube()).await;
        drop(guard);
        // Every query failed (10 probes, 1 search): the check reports each failure.
        let report = report.unwrap();
        assert!(report.found.is_empty(), "{what}");
        assert_eq!(report.failures.len(), 11, "{what}: {:?}", report.failures);
        let said = &report.failures[0].error;
        assert!(said.contains(says), "{what}: {said}");
        assert!(
            report.failures[0].query.starts_with("lookup of "),
            "{:?}",
            report.failures[0]
        );
        assert_counted_and_secret(
            &fake,
            &source,
            &format!("{:?} {}", report.failures, logs.text()),
        );
        fake.misbehave(Misbehave::Behave);
        let found = source.check(&palmer_on_youtube()).await.unwrap();
        assert_eq!(found.len(), 3, "{what}: nothing missed once it behaves");
    }
}

#[tokio::test]
async fn a_429_is_waited_out_and_a_malformed_channel_or_bad_utf8_loses_only_itself() {
    let fake = fake().await;
    let source = source(&fake, KEY);
    fault("youtube", "429 rateLimitExceeded with Retry-After 1 s");
    fake.misbehave(Misbehave::RateLimit {
        requests: 1,
        reset_secs: 1,
    });
    let found = source.check(&palmer_on_youtube()).await.unwrap();
    assert_eq!(found.len(), 3);

    fault("youtube", "a malformed channel before the good one");
    let fake = self::fake().await;
    let source = self::source(&fake, KEY);
    fake.misbehave(Misbehave::MalformedRecord);
    let found = source.check(&palmer_on_youtube()).await.unwrap();
    assert_eq!(found.len(), 3, "only the malformed record is lost");

    fault("youtube", "invalid UTF-8 in a channel title");
    let fake = self::fake().await;
    let source = self::source(&fake, KEY);
    fake.misbehave(Misbehave::InvalidUtf8);
    // The bad bytes land in the first `"title"` of each answer: read as U+FFFD, nothing lost.
    let found = source.check(&palmer_on_youtube()).await.unwrap();
    assert_eq!(found.len(), 3);
}
