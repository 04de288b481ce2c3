//! The real X client against the fake X API over loopback: credentials, ranked probes,
//! search with a user token, the spending cap, the re-read window and rate limits.

mod faults_support;

use doppelwatch::config::Config;
use doppelwatch::fake::x::FakeX;
use doppelwatch::fake::{FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::x::{estimate_check_cost, ranked_probes, XCredentials, XSource};
use doppelwatch::sources::{AccountRef, AccountState, FoundBy, Source, SourceError};
use faults_support::{logged_rate_limit_waits, LogCapture};

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
    config.allow_loopback_fakes();
    config
}

fn app_only() -> XCredentials {
    XCredentials {
        bearer_token: Some("app-token".into()),
        user_token: None,
    }
}

async fn populated() -> FakeX {
    let fake = FakeX::start("app-token").await.unwrap();
    fake.add_account(
        FakeAccount::new("PalmerReport")
            .name("Palmer Report")
            .followers(90_000),
    );
    for i in 0..20 {
        fake.add_account(FakeAccount::new(format!("user{i}")).name(format!("User {i}")));
    }
    fake
}

#[tokio::test]
async fn without_credentials_nothing_is_sent() {
    let fake = populated().await;
    let source = XSource::new(&config_for(&fake, 1.0), XCredentials::default()).unwrap();
    let err = source.check(&palmer()).await.unwrap_err();
    assert!(matches!(err, SourceError::NeedsCredentials { .. }), "{err}");
    assert_eq!(fake.request_count("/2/users/by"), 0);
    let wrong = XSource::new(
        &config_for(&fake, 1.0),
        XCredentials {
            bearer_token: Some("not-the-token".into()),
            user_token: None,
        },
    )
    .unwrap();
    let err = wrong.check(&palmer()).await.unwrap_err().to_string();
    assert!(err.contains("needs credentials"), "{err}");
    assert!(!err.contains("not-the-token"), "{err}");
}

#[tokio::test]
async fn ranked_probes_find_look_alikes_placed_before_the_check() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("PaImerReport").name("Palmer Report"));
    fake.add_account(FakeAccount::new("PalmerNews").name("Palmer News"));
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    let found = source.check(&palmer()).await.unwrap();
    let handles: Vec<&str> = found.iter().map(|f| f.profile.handle.as_str()).collect();
    assert!(handles.contains(&"PaImerReport"), "{handles:?}");
    assert!(
        handles.contains(&"PalmerNews"),
        "the Mastodon username on X: {handles:?}"
    );
    assert!(
        !handles.contains(&"PalmerReport"),
        "own handle is not probed"
    );
    let copy = found
        .iter()
        .find(|f| f.profile.handle == "PaImerReport")
        .unwrap();
    assert!(matches!(copy.found_by, FoundBy::Probe { .. }));
    assert_eq!(
        copy.profile.url.as_deref(),
        Some("https://x.com/PaImerReport")
    );
    // One request of at most 100 usernames; the search needs a user token, so none was sent.
    assert_eq!(fake.request_count("/2/users/by"), 1);
    assert_eq!(fake.request_count("/2/users/search"), 0);
    // Paid reads: the users that exist.
    assert_eq!(fake.users_returned(), 2);
    assert!((source.spent_today_usd() - 0.02).abs() < 1e-9);
}

#[tokio::test]
async fn the_spending_cap_holds_and_the_most_plausible_go_first() {
    let fake = populated().await;
    let probes = ranked_probes(&palmer(), 40);
    // Every probed username exists: each read costs.
    for (user, _) in &probes {
        fake.add_account(FakeAccount::new(user.clone()).name("Palmer Report"));
    }
    let source = XSource::new(&config_for(&fake, 0.05), app_only()).unwrap();
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(fake.users_returned(), 5, "$0.05 buys 5 reads at $0.01");
    let mut got: Vec<String> = found.iter().map(|f| f.profile.handle.clone()).collect();
    let mut top: Vec<String> = probes[..5].iter().map(|(u, _)| u.clone()).collect();
    got.sort();
    top.sort();
    assert_eq!(got, top, "the top-ranked variants were the ones read");
    let err = source.check(&palmer()).await.unwrap_err().to_string();
    assert!(err.contains("spending cap"), "{err}");
    assert_eq!(fake.users_returned(), 5, "nothing more was read");
}

#[tokio::test]
async fn a_check_cut_by_the_cap_says_so_in_its_report() {
    let fake = populated().await;
    let probes = ranked_probes(&palmer(), 40);
    for (user, _) in &probes {
        fake.add_account(FakeAccount::new(user.clone()).name("Palmer Report"));
    }
    let source = XSource::new(&config_for(&fake, 0.05), app_only()).unwrap();
    let report = source.check_report(&palmer()).await.unwrap();
    assert_eq!(report.found.len(), 5);
    let cut = report.cut.expect("the cut is said");
    assert!(
        cut.contains(&format!(
            "probed 5 of {} look-alike usernames",
            probes.len()
        )) && cut.contains("$0.05"),
        "{cut}"
    );
    // A check the cap did not cut says nothing.
    let roomy = XSource::new(&config_for(&fake, 10.0), app_only()).unwrap();
    assert_eq!(roomy.check_report(&palmer()).await.unwrap().cut, None);
}

#[tokio::test]
async fn a_user_returned_twice_in_a_day_is_billed_once() {
    let fake = populated().await;
    fake.add_user_token("user-token");
    // Look-alikes that both the probes and the name search return.
    let probes = ranked_probes(&palmer(), 40);
    for (user, _) in probes.iter().take(4) {
        fake.add_account(FakeAccount::new(user.clone()).name("Palmer Report"));
    }
    let credentials = XCredentials {
        bearer_token: None,
        user_token: Some("user-token".into()),
    };
    let source = XSource::new(&config_for(&fake, 1.0), credentials).unwrap();
    source.check(&palmer()).await.unwrap();
    assert!(
        fake.users_returned() > fake.users_billed(),
        "the search returned users the probes had read: {} returned, {} billed",
        fake.users_returned(),
        fake.users_billed()
    );
    let billed_usd = fake.users_billed() as f64 * 0.01;
    assert!(
        (source.spent_today_usd() - billed_usd).abs() < 1e-9,
        "the budget counts what X bills: ${} counted, ${billed_usd} billed",
        source.spent_today_usd()
    );
    // Looking them up again the same day costs nothing more.
    let refs: Vec<AccountRef> = probes
        .iter()
        .take(4)
        .map(|(u, _)| AccountRef {
            handle: u.clone(),
            platform_id: None,
        })
        .collect();
    source.lookup(&refs).await.unwrap();
    assert!((source.spent_today_usd() - billed_usd).abs() < 1e-9);
}

#[tokio::test]
async fn accounts_read_within_the_window_are_not_read_again() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("PaImerReport").name("Palmer Report"));
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    source.check(&palmer()).await.unwrap();
    let requests = fake.request_count("/2/users/by");
    let found = source.check(&palmer()).await.unwrap();
    assert!(found.is_empty());
    assert_eq!(fake.request_count("/2/users/by"), requests);
    assert_eq!(fake.users_returned(), 1);
}

#[tokio::test]
async fn search_runs_with_a_user_token_and_finds_name_copies() {
    let fake = populated().await;
    fake.add_user_token("user-token");
    fake.add_account(FakeAccount::new("breaking_2026").name("Palmer Report"));
    let source = XSource::new(
        &config_for(&fake, 1.0),
        XCredentials {
            bearer_token: None,
            user_token: Some("user-token".into()),
        },
    )
    .unwrap();
    let found = source.check(&palmer()).await.unwrap();
    let hit = found
        .iter()
        .find(|f| f.profile.handle == "breaking_2026")
        .expect("search hit");
    assert_eq!(
        hit.found_by,
        FoundBy::Search {
            query: "Palmer Report".into()
        }
    );
    assert_eq!(fake.request_count("/2/users/search"), 1);
}

#[tokio::test]
async fn a_429_is_waited_out() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("PaImerReport").name("Palmer Report"));
    fake.misbehave(Misbehave::RateLimit {
        requests: 1,
        reset_secs: 2,
    });
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    let (logs, _guard) = LogCapture::install();
    let found = source.check(&palmer()).await.unwrap();
    let waits = logged_rate_limit_waits(&logs.text());
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] >= 900, "the reset was honoured: {waits:?}");
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn malformed_users_are_skipped_alone() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("PaImerReport").name("Palmer Report"));
    fake.misbehave(Misbehave::MalformedRecord);
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].profile.handle, "PaImerReport");
}

#[tokio::test]
async fn lookup_by_id_and_by_username() {
    let fake = populated().await;
    let id = fake.add_account(FakeAccount::new("PaImerReport").name("Palmer Report"));
    let source = XSource::new(&config_for(&fake, 1.0), app_only()).unwrap();
    let refs = vec![
        AccountRef {
            handle: "PaImerReport".into(),
            platform_id: Some(id.clone()),
        },
        AccountRef {
            handle: "nobody_here".into(),
            platform_id: None,
        },
    ];
    let states = source.lookup(&refs).await.unwrap();
    assert!(
        matches!(&states[0].1, AccountState::Present(p) if p.platform_id.as_deref() == Some(id.as_str()))
    );
    assert_eq!(states[1].1, AccountState::Gone);
    fake.remove_account(&id);
    assert_eq!(
        source.lookup(&refs[..1]).await.unwrap()[0].1,
        AccountState::Gone
    );
}

#[test]
fn the_cost_estimate_is_visible_and_capped() {
    let identity = palmer();
    let mut config = Config::default();
    config.x.probe_limit = 40;
    let app = estimate_check_cost(&identity, &config.x, false);
    let probes = ranked_probes(&identity, 40).len() as u32;
    assert_eq!(app.paid_reads, probes);
    assert!((app.usd - f64::from(probes) * 0.01).abs() < 1e-9);
    assert_eq!(app.requests, 1);
    let user = estimate_check_cost(&identity, &config.x, true);
    assert_eq!(user.paid_reads, probes + 20);
    config.x.daily_cap_usd = 0.10;
    let capped = estimate_check_cost(&identity, &config.x, true);
    assert_eq!(capped.paid_reads, 10);
    assert!((capped.usd - 0.10).abs() < 1e-9);
}

#[test]
fn the_default_price_is_xs_published_user_read_price() {
    // https://docs.x.com/x-api/getting-started/pricing: "User: Read $0.010 per resource",
    // billed per resource returned, once per resource per UTC day. Change both together.
    assert_eq!(Config::default().x.cost_per_user_read_usd, 0.01);
    assert_eq!(doppelwatch::sources::x::MAX_BILLED_IDS, 100_000);
}
