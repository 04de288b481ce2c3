//! Faults injected into the fake X API v2 while the real X source checks: 429 with
//! `x-rate-limit-reset` (epoch seconds), 500 and 503 storms, a server hanging past the client
//! timeout, answers cut mid-JSON, a malformed user among good ones, an oversized answer,
//! invalid UTF-8 in one user, hostile names and bios, and a bad or missing token (401/403).
//!
//! X bills every user object it returns (each user once per UTC day), so on top of "no panic,
//! no hang, plain errors, only the broken record lost", each fault asserts the spending cap:
//! what the fake billed (`users_billed`) never exceeds the cap, a billed answer is never bought twice, and what
//! the source counted is never less than what was billed. The bearer token never appears in
//! an error or in anything logged.
//!
//! Run: `cargo test --test faults_x -- --nocapture` (prints each fault injected).

mod faults_support;

use std::collections::BTreeSet;
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::x::FakeX;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::x::{ranked_probes, XCredentials, XSource};
use doppelwatch::sources::{Found, FoundBy, Source, SourceError};
use faults_support::{
    assert_plain, fault, hostile_names, logged_rate_limit_waits, LogCapture, HOSTILE_BIO,
};

const TOKEN: &str = "AAAAAAAAAAAAAAAAAAAAAFaultsXBearer%2Fk9q2Lm7TOKEN";
const USER_TOKEN: &str = "x-user-context-token-Rb4nV8wQ2sE6";
const COST: f64 = 0.01;

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![
            AccountHandle {
                platform: Platform::X,
                handle: "PalmerReport".into(),
            },
            AccountHandle {
                platform: Platform::Mastodon,
                handle: "PalmerNews@social.example".into(),
            },
        ],
        avatar: None,
        bio: None,
    }
}

fn config_for(fake: &FakeX, cap_usd: f64) -> Config {
    let mut config = Config::default();
    config.x.base_url = fake.base_url();
    config.x.daily_cap_usd = cap_usd;
    config.x.cost_per_user_read_usd = COST;
    config.x.probe_limit = 20;
    config.http.timeout_secs = 2;
    config.http.connect_timeout_secs = 2;
    config.http.max_retries = 2;
    config.http.max_rate_limit_wait_secs = 60;
    config.http.fetch_avatars = false;
    config
}

fn app_only() -> XCredentials {
    XCredentials {
        bearer_token: Some(TOKEN.into()),
        user_token: None,
    }
}

/// The fake with the person and `look_alikes` of the top-ranked probes existing (each a
/// paid read when probed).
async fn fake_with(look_alikes: usize) -> FakeX {
    let fake = FakeX::start(TOKEN).await.unwrap();
    fake.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    for (user, _) in ranked_probes(&palmer(), 20).into_iter().take(look_alikes) {
        fake.add_account(FakeAccount::new(user).name("Palmer Report"));
    }
    for i in 0..5 {
        fake.add_account(FakeAccount::new(format!("user{i}")).name(format!("User {i}")));
    }
    fake
}

fn handles(found: &[Found]) -> BTreeSet<String> {
    found.iter().map(|f| f.profile.handle.clone()).collect()
}

/// Dollars the fake billed (every user it returned, once per UTC day).
fn billed_usd(fake: &FakeX) -> f64 {
    fake.users_billed() as f64 * COST
}

/// The cap held: X billed no more than the cap, and the source counted at least what X billed.
fn assert_cap_held(fake: &FakeX, source: &XSource, cap_usd: f64) {
    let billed = billed_usd(fake);
    let counted = source.spent_today_usd();
    assert!(
        billed <= cap_usd + 1e-9,
        "billed ${billed} over the ${cap_usd} cap"
    );
    assert!(
        counted + 1e-9 >= billed,
        "counted ${counted} but X billed ${billed}"
    );
    assert!(counted <= cap_usd + 1e-9, "counted ${counted} over the cap");
}

#[tokio::test]
async fn a_429_with_an_epoch_reset_is_waited_out_and_billed_once() {
    let fake = fake_with(3).await;
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    fault("x", "429 with x-rate-limit-reset 2 s ahead (epoch seconds)");
    fake.misbehave(Misbehave::RateLimit {
        requests: 1,
        reset_secs: 2,
    });
    let (logs, guard) = LogCapture::install();
    let found = source.check(&palmer()).await.unwrap();
    let waits = logged_rate_limit_waits(&logs.text());
    drop(guard);
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] >= 900, "the reset was honoured: {waits:?}");
    assert_eq!(found.len(), 3);
    assert_eq!(fake.users_returned(), 3, "the refused request cost nothing");
    assert!((source.spent_today_usd() - 0.03).abs() < 1e-9);

    fault("x", "429 whose reset is an hour away");
    let fake = fake_with(3).await;
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    fake.misbehave(Misbehave::RateLimit {
        requests: 1_000,
        reset_secs: 3_600,
    });
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(matches!(err, SourceError::RateLimited { .. }), "{err}");
    assert_plain("x", &err, &["rate limiting"]);
    assert_eq!(fake.request_count("/2/users/by"), 1);
    assert_eq!(source.spent_today_usd(), 0.0);
}

#[tokio::test]
async fn a_500_or_503_storm_gives_a_plain_error_and_costs_nothing() {
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
    ] {
        let fake = fake_with(3).await;
        let mut config = config_for(&fake, 1.0);
        config.http.max_retries = 1;
        let source = XSource::new(&config, app_only()).unwrap();
        fault("x", what);
        fake.misbehave(storm);
        let err = source.check(&palmer()).await.unwrap_err();
        assert_plain("x", &err, &[says]);
        assert_eq!(
            fake.request_count("/2/users/by"),
            2,
            "one request, one retry"
        );
        assert_eq!(source.spent_today_usd(), 0.0, "errors are not billed");
        fake.misbehave(Misbehave::Behave);
        let found = source.check(&palmer()).await.unwrap();
        assert_eq!(found.len(), 3, "nothing missed after the storm");
        assert_cap_held(&fake, &source, 1.0);
    }
}

#[tokio::test]
async fn errors_before_the_answer_never_buy_more_than_the_cap() {
    // Ten look-alikes exist; $0.05 buys five. A 429 and a 500 come before the answer.
    let fake = fake_with(10).await;
    let source = XSource::new(&config_for(&fake, 0.05), app_only()).unwrap();
    fault(
        "x",
        "a 429 (reset 1 s) then a 500 before the answer, $0.05 cap",
    );
    fake.misbehave(Misbehave::RateLimit {
        requests: 1,
        reset_secs: 1,
    });
    fake.misbehave(Misbehave::ServerError { requests: 1 });
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(fake.request_count("/2/users/by"), 3, "429, 500, answer");
    assert_eq!(found.len(), 5, "the five reads the cap allows");
    assert_eq!(fake.users_returned(), 5, "only the answer was billed");
    assert!(
        (source.spent_today_usd() - 0.05).abs() < 1e-9,
        "counted once"
    );
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(err.to_string().contains("spending cap"), "{err}");
    assert_eq!(
        fake.request_count("/2/users/by"),
        3,
        "a spent cap sends nothing"
    );
    assert_cap_held(&fake, &source, 0.05);
}

#[tokio::test]
async fn a_billed_answer_cut_mid_json_is_not_bought_twice() {
    let fake = fake_with(10).await;
    let source = XSource::new(&config_for(&fake, 0.05), app_only()).unwrap();
    fault("x", "the billed answer is cut mid-JSON, $0.05 cap");
    fake.misbehave(Misbehave::Truncate { requests: 1 });
    let err = source.check(&palmer()).await.unwrap_err();
    assert_plain("x", &err, &["not valid JSON", "broke off"]);
    // Regression: the cut answer (5 users, billed) used to be asked again and billed again:
    // $0.10 spent under a $0.05 cap while the source counted $0.05.
    assert_eq!(fake.request_count("/2/users/by"), 1, "not asked again");
    assert_eq!(fake.users_returned(), 5);
    assert_cap_held(&fake, &source, 0.05);
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(err.to_string().contains("spending cap"), "{err}");
    assert_eq!(fake.request_count("/2/users/by"), 1);
}

#[tokio::test]
async fn a_malformed_user_loses_only_itself_and_is_still_counted() {
    let fake = fake_with(3).await;
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    fault("x", "a malformed user object among good ones");
    fake.misbehave(Misbehave::MalformedRecord);
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(found.len(), 3, "the three good users kept");
    // Regression: the malformed object (billed by X) was not counted against the cap.
    assert_eq!(fake.users_returned(), 4);
    assert!((source.spent_today_usd() - 0.04).abs() < 1e-9);
    assert_cap_held(&fake, &source, 1.0);
}

#[tokio::test]
async fn a_hanging_server_is_bounded_by_the_timeout() {
    let fake = fake_with(3).await;
    let mut config = config_for(&fake, 1.0);
    config.http.timeout_secs = 1;
    config.http.max_retries = 1;
    let source = XSource::new(&config, app_only()).unwrap();
    fault("x", "answers that hang for 30 s (client timeout 1 s)");
    fake.misbehave(Misbehave::Slow(Duration::from_secs(30)));
    // The client's timeout ends it (the error says "timed out"); the outer deadline only turns
    // a hang into a failure instead of a stuck run.
    let err = tokio::time::timeout(Duration::from_secs(120), source.check(&palmer()))
        .await
        .expect("the check hung past its client timeout")
        .unwrap_err();
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err}");
    assert_plain("x", &err, &["timed out"]);
    assert_eq!(source.spent_today_usd(), 0.0);
    fake.misbehave(Misbehave::Behave);
    assert_eq!(source.check(&palmer()).await.unwrap().len(), 3);
}

#[tokio::test]
async fn an_oversized_answer_is_refused_once_and_counted_as_the_worst_case() {
    let fake = fake_with(3).await;
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    fault(
        "x",
        "a 6 MiB answer (4 MiB allowed), streamed without a length",
    );
    fake.misbehave(Misbehave::OversizedAnswer {
        requests: 10_000,
        bytes: 6 * 1024 * 1024,
    });
    let err = source.check(&palmer()).await.unwrap_err();
    assert_plain("x", &err, &["larger than the 4096 KiB allowed"]);
    assert_eq!(fake.request_count("/2/users/by"), 1, "not asked again");
    // X billed 3; the source cannot know and counts every username it asked for.
    assert_cap_held(&fake, &source, 1.0);
    let asked = ranked_probes(&palmer(), 20).len() as f64;
    assert!((source.spent_today_usd() - asked * COST).abs() < 1e-9);
}

#[tokio::test]
async fn invalid_utf8_in_one_user_costs_nothing_else() {
    let fake = fake_with(3).await;
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    fault("x", "bytes FF FE inside the first name of the answer");
    fake.misbehave(Misbehave::InvalidUtf8);
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(found.len(), 3, "every user kept");
    let damaged: Vec<&Found> = found
        .iter()
        .filter(|f| {
            f.profile
                .display_name
                .as_deref()
                .is_some_and(|n| n.contains('\u{FFFD}'))
        })
        .collect();
    assert_eq!(damaged.len(), 1, "{:?}", handles(&found));
    assert_eq!(
        damaged[0].profile.display_name.as_deref(),
        Some("\u{FFFD}\u{FFFD}Palmer Report")
    );
    assert_cap_held(&fake, &source, 1.0);
}

#[tokio::test]
async fn hostile_names_and_bios_pass_through_without_breaking_parsing() {
    let fake = fake_with(1).await;
    fake.add_user_token(USER_TOKEN);
    let names = hostile_names();
    for (i, name) in names.iter().enumerate() {
        fake.add_account(
            FakeAccount::new(format!("hostile{i}"))
                .name(name.clone())
                .bio(HOSTILE_BIO),
        );
    }
    let source = XSource::new(
        &config_for(&fake, 1.0),
        XCredentials {
            bearer_token: None,
            user_token: Some(USER_TOKEN.into()),
        },
    )
    .unwrap();
    fault(
        "x",
        "hostile names (bidi, zero-width, HTML, JSON, floods) in search results",
    );
    let found = source.check(&palmer()).await.unwrap();
    for (i, name) in names.iter().enumerate() {
        let handle = format!("hostile{i}");
        let f = found
            .iter()
            .find(|f| f.profile.handle == handle)
            .unwrap_or_else(|| panic!("{handle} missing from {:?}", handles(&found)));
        let expected: String = name.chars().take(4000).collect();
        assert_eq!(f.profile.display_name.as_deref(), Some(expected.as_str()));
        // X descriptions are plain text: kept as text (bounded), never interpreted.
        assert_eq!(f.profile.bio.as_deref(), Some(HOSTILE_BIO));
    }
    assert_cap_held(&fake, &source, 1.0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_bad_or_missing_token_says_what_to_do_and_is_never_shown_or_logged() {
    let fake = fake_with(3).await;
    let (logs, _guard) = LogCapture::install();

    fault("x", "401: the bearer token is refused");
    let mut config = config_for(&fake, 1.0);
    config.http.max_retries = 3;
    let wrong = XCredentials {
        bearer_token: Some(format!("{TOKEN}-revoked")),
        user_token: None,
    };
    let source = XSource::new(&config, wrong).unwrap();
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(matches!(err, SourceError::NeedsCredentials { .. }), "{err}");
    assert_plain("x", &err, &["401"]);
    assert!(
        err.to_string().contains("settings"),
        "says what to do: {err}"
    );
    assert_eq!(
        fake.request_count("/2/users/by"),
        1,
        "a refused token is not retried"
    );
    assert_eq!(source.spent_today_usd(), 0.0);
    let mut shown = format!("{err} {err:?} {source:?}");

    fault(
        "x",
        "403: an app-only token used where a user token is needed",
    );
    let app_as_user = XCredentials {
        bearer_token: None,
        user_token: Some(TOKEN.into()),
    };
    let source = XSource::new(&config, app_as_user).unwrap();
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(matches!(err, SourceError::NeedsCredentials { .. }), "{err}");
    assert_plain("x", &err, &["403"]);
    assert!(
        err.to_string().contains("user token"),
        "says which token: {err}"
    );
    shown.push_str(&format!(" {err} {err:?} {source:?}"));

    fault("x", "no token at all");
    let source = XSource::new(&config, XCredentials::default()).unwrap();
    let before = fake.request_count("/2/users/by");
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(matches!(err, SourceError::NeedsCredentials { .. }), "{err}");
    assert!(err.to_string().contains("settings"), "{err}");
    assert_eq!(fake.request_count("/2/users/by"), before, "nothing sent");

    let logged = logs.text();
    assert!(!logged.is_empty(), "the capture saw the HTTP stack's logs");
    for secret in [TOKEN, &TOKEN[..16], "FaultsXBearer"] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
        assert!(!logged.contains(secret), "{secret} logged");
    }
}

#[tokio::test]
async fn a_failed_search_does_not_lose_the_probes_already_paid_for() {
    let fake = FakeX::start(TOKEN).await.unwrap();
    // Look-alike usernames whose names the search for "Palmer Report" does not match: only
    // the (paid) probes can find them.
    let look_alikes: Vec<String> = ranked_probes(&palmer(), 20)
        .into_iter()
        .take(3)
        .map(|(u, _)| u)
        .collect();
    for user in &look_alikes {
        fake.add_account(FakeAccount::new(user.clone()).name("Breaking News"));
    }
    // The app token used as a user token: /2/users/by answers, /2/users/search refuses (403).
    let source = XSource::new(
        &config_for(&fake, 1.0),
        XCredentials {
            bearer_token: None,
            user_token: Some(TOKEN.into()),
        },
    )
    .unwrap();
    fault("x", "search refused (403) after the paid probes answered");
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(matches!(err, SourceError::NeedsCredentials { .. }), "{err}");
    assert_eq!(fake.users_returned(), 3, "the probes were paid for");
    // The user fixes the app's access; the same source checks again.
    fake.add_user_token(TOKEN);
    let found = source.check(&palmer()).await.unwrap();
    let probed: BTreeSet<String> = found
        .iter()
        .filter(|f| matches!(f.found_by, FoundBy::Probe { .. }))
        .map(|f| f.profile.handle.clone())
        .collect();
    // Regression: the paid results were dropped with the failed check, and the usernames,
    // read within the 24 h window, were not probed again: the look-alikes vanished for a day.
    assert_eq!(probed, look_alikes.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(fake.request_count("/2/users/by"), 1, "not bought again");
    assert_cap_held(&fake, &source, 1.0);
    // Delivered once: the next check does not repeat them.
    let again = source.check(&palmer()).await.unwrap();
    assert!(
        again
            .iter()
            .all(|f| !matches!(f.found_by, FoundBy::Probe { .. })),
        "{:?}",
        handles(&again)
    );
}
