//! The real Mastodon client against two fake Mastodon servers over loopback.

mod faults_support;

use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::{sample_avatar_png, FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::mastodon::MastodonSource;
use doppelwatch::sources::{AccountRef, AccountState, Found, FoundBy, Source};
use faults_support::{logged_rate_limit_waits, LogCapture};

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::Mastodon,
            handle: "PalmerReport@social.example".into(),
        }],
        avatar: None,
        bio: None,
    }
}

/// The person's home server and another large server, with background accounts.
async fn servers() -> (FakeMastodon, FakeMastodon) {
    let home = FakeMastodon::start("social.example").await.unwrap();
    let other = FakeMastodon::start("other.example").await.unwrap();
    home.add_account(
        FakeAccount::new("PalmerReport")
            .name("Palmer Report")
            .bio("<p>Political news</p>")
            .followers(50_000),
    );
    for fake in [&home, &other] {
        for i in 0..20 {
            fake.add_account(FakeAccount::new(format!("user{i}")).name(format!("User {i}")));
        }
    }
    (home, other)
}

fn config_for(servers: &[&FakeMastodon]) -> Config {
    let mut config = Config::default();
    config.mastodon.servers = servers.iter().map(|s| s.base_url()).collect();
    config.allow_loopback_fakes();
    config
}

fn find<'a>(found: &'a [Found], handle: &str) -> Option<&'a Found> {
    found.iter().find(|f| f.profile.handle == handle)
}

#[tokio::test]
async fn search_lookup_and_directory_find_impostors_on_every_server() {
    let (home, other) = servers().await;
    // Display-name copy with an HTML bio, found by search.
    home.add_account(
        FakeAccount::new("palmer_news")
            .name("Palmer Report")
            .bio("<p>The <b>real</b> Palmer Report &amp; more<script>x()</script></p>")
            .avatar(sample_avatar_png(3)),
    );
    // The same username on another server, found by lookup.
    other.add_account(FakeAccount::new("PalmerReport").name("PR"));
    // A confusable name that word search misses, found in the directory of new accounts.
    other.add_account(FakeAccount::new("breaking2026").name("PaImer Report"));
    let source = MastodonSource::new(&config_for(&[&home, &other])).unwrap();
    let found = source.check(&palmer()).await.unwrap();

    let copy = find(&found, "palmer_news@social.example").expect("search hit");
    assert!(matches!(copy.found_by, FoundBy::Search { .. }));
    assert_eq!(
        copy.profile.bio.as_deref(),
        Some("The real Palmer Report & more")
    );
    assert_eq!(
        copy.avatar_image.as_deref(),
        Some(sample_avatar_png(3).as_slice())
    );
    assert_eq!(
        copy.profile.url.as_deref(),
        Some("https://social.example/@palmer_news")
    );

    let same = find(&found, "PalmerReport@other.example").expect("same username elsewhere");
    assert!(matches!(
        same.found_by,
        FoundBy::Probe { .. } | FoundBy::Search { .. }
    ));

    let new = find(&found, "breaking2026@other.example").expect("directory hit");
    assert_eq!(new.found_by, FoundBy::Directory);
    assert!(
        !found.iter().any(|f| f.profile.handle.starts_with("user")),
        "the directory is filtered to look-alikes"
    );
    assert!(
        home.request_count("/api/v1/directory") == 1
            && other.request_count("/api/v1/directory") == 1
    );
}

#[tokio::test]
async fn an_impostor_added_during_the_check_is_found() {
    let (home, other) = servers().await;
    other.misbehave(Misbehave::Slow(Duration::from_millis(100)));
    let source = MastodonSource::new(&config_for(&[&home, &other])).unwrap();
    let identity = palmer();
    let add = async {
        // Added once the check is under way (its first request reached that server).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while other.total_requests() == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the check never started"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        other.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    };
    let (found, ()) = tokio::join!(source.check(&identity), add);
    assert!(find(&found.unwrap(), "PalmerReport@other.example").is_some());
}

#[tokio::test]
async fn a_429_with_a_timestamp_reset_is_waited_out() {
    let (home, _other) = servers().await;
    home.add_account(FakeAccount::new("palmer_news").name("Palmer Report"));
    home.misbehave(Misbehave::RateLimit {
        requests: 2,
        reset_secs: 2,
    });
    let source = MastodonSource::new(&config_for(&[&home])).unwrap();
    let (logs, _guard) = LogCapture::install();
    let found = source.check(&palmer()).await.unwrap();
    let waits = logged_rate_limit_waits(&logs.text());
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(
        waits.iter().all(|&ms| ms >= 900),
        "the reset was honoured: {waits:?}"
    );
    assert!(find(&found, "palmer_news@social.example").is_some());
}

#[tokio::test]
async fn malformed_accounts_are_skipped_alone() {
    let (home, other) = servers().await;
    home.add_account(FakeAccount::new("palmer_news").name("Palmer Report"));
    other.add_account(FakeAccount::new("breaking2026").name("PaImer Report"));
    let source = MastodonSource::new(&config_for(&[&home, &other])).unwrap();
    let mut clean: Vec<String> = source
        .check(&palmer())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.profile.handle)
        .collect();
    home.misbehave(Misbehave::MalformedRecord);
    other.misbehave(Misbehave::MalformedRecord);
    let mut bad: Vec<String> = source
        .check(&palmer())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.profile.handle)
        .collect();
    clean.sort();
    bad.sort();
    assert_eq!(clean, bad);
}

#[tokio::test]
async fn a_server_that_needs_a_token_gets_it_and_only_it() {
    let (home, other) = servers().await;
    other.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    other.require_token(Some("s3cret-token"));
    let config = config_for(&[&home, &other]);
    // Without the token that server fails, the other still answers.
    let found = MastodonSource::new(&config)
        .unwrap()
        .check(&palmer())
        .await
        .unwrap();
    assert!(find(&found, "PalmerReport@other.example").is_none());
    // With it, both answer; the token never shows in the source's debug output.
    let source = MastodonSource::new(&config)
        .unwrap()
        .with_token(&other.base_url(), "s3cret-token".into());
    assert!(!format!("{source:?}").contains("s3cret"));
    let found = source.check(&palmer()).await.unwrap();
    assert!(find(&found, "PalmerReport@other.example").is_some());
    // Only other-server requests carried it: the home server never required one.
    let only_other = MastodonSource::new(&config_for(&[&other]))
        .unwrap()
        .with_token(&home.base_url(), "s3cret-token".into());
    let err = only_other.check(&palmer()).await.unwrap_err().to_string();
    assert!(err.contains("needs credentials"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}

#[tokio::test]
async fn lookup_tells_present_from_gone() {
    let (home, other) = servers().await;
    other.add_account(FakeAccount::new("PalmerReport").name("Palmer Report"));
    let source = MastodonSource::new(&config_for(&[&home, &other])).unwrap();
    let account = AccountRef {
        handle: "PalmerReport@other.example".into(),
        platform_id: None,
    };
    let states = source.lookup(std::slice::from_ref(&account)).await.unwrap();
    assert!(
        matches!(&states[0].1, AccountState::Present(p) if p.handle == "PalmerReport@other.example")
    );
    other.remove_account("PalmerReport");
    let states = source.lookup(&[account]).await.unwrap();
    assert_eq!(states[0].1, AccountState::Gone);
}

/// The lookups a fake answered, as the `acct` each asked for.
fn lookup_accts(fake: &FakeMastodon) -> Vec<String> {
    fake.request_queries("/api/v1/accounts/lookup")
}

/// The `q` of every search a fake answered.
fn search_terms(fake: &FakeMastodon) -> Vec<String> {
    fake.request_queries("/api/v2/search")
        .iter()
        .filter_map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_server_refusing_lookups_without_a_token_is_probed_through_search() {
    let (home, other) = servers().await;
    other.add_account(FakeAccount::new("PalmerReport").name("PR"));
    other.require_user_token_on_lookup(true);
    let source = MastodonSource::new(&config_for(&[&home, &other])).unwrap();
    let found = source.check(&palmer()).await.unwrap();

    let same = find(&found, "PalmerReport@other.example").expect("found through search");
    assert!(
        matches!(same.found_by, FoundBy::Probe { .. }),
        "{:?}",
        same.found_by
    );
    assert_eq!(
        lookup_accts(&other).len(),
        1,
        "one refused lookup, then search for every probe"
    );
    assert!(
        search_terms(&other).iter().any(|q| q == "PalmerReport"),
        "{:?}",
        search_terms(&other)
    );
    // No user token: search without `resolve`, which Mastodon refuses from anyone else.
    assert!(other
        .request_queries("/api/v2/search")
        .iter()
        .all(|q| !q.contains("resolve")));
    // The home server answers lookups: it is never searched for probes.
    assert!(lookup_accts(&home).len() > 1);

    // A recheck (`lookup`) on that server tells present from gone through search as well.
    let account = AccountRef {
        handle: "PalmerReport@other.example".into(),
        platform_id: None,
    };
    let states = source.lookup(std::slice::from_ref(&account)).await.unwrap();
    assert!(
        matches!(&states[0].1, AccountState::Present(p) if p.handle == "PalmerReport@other.example"),
        "{states:?}"
    );
    other.remove_account("PalmerReport");
    let states = source.lookup(&[account]).await.unwrap();
    assert_eq!(states[0].1, AccountState::Gone);
}

#[tokio::test]
async fn the_persons_token_opens_lookups_that_need_one() {
    let (home, other) = servers().await;
    other.add_account(FakeAccount::new("PalmerReport").name("PR"));
    other.require_user_token_on_lookup(true);
    other.add_user_token("user-token-77", "user1");
    let source = MastodonSource::new(&config_for(&[&home, &other]))
        .unwrap()
        .with_token(&other.base_url(), "user-token-77".into());
    let found = source.check(&palmer()).await.unwrap();

    let same = find(&found, "PalmerReport@other.example").expect("found by lookup");
    assert!(matches!(same.found_by, FoundBy::Probe { .. }));
    let probes = source.probe_usernames(&palmer()).len();
    assert_eq!(
        lookup_accts(&other).len(),
        probes,
        "every probe was a lookup"
    );
    assert!(
        !search_terms(&other).iter().any(|q| q == "PalmerReport"),
        "no probe went through search: {:?}",
        search_terms(&other)
    );
}

#[tokio::test]
async fn reports_need_a_user_token_and_are_recorded() {
    let (home, _other) = servers().await;
    let impostor = home.add_account(FakeAccount::new("palmer_news").name("Palmer Report"));
    home.add_user_token("user-token", "PalmerReport");
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/reports", home.base_url());
    let denied = http
        .post(&url)
        .form(&[("account_id", impostor.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    let answer = http
        .post(&url)
        .bearer_auth("user-token")
        .form(&[
            ("account_id", impostor.as_str()),
            ("comment", "Impersonates Palmer Report"),
            ("category", "other"),
            ("forward", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["target_account"]["id"], impostor.as_str());
    let too_long = http
        .post(&url)
        .bearer_auth("user-token")
        .json(&serde_json::json!({"account_id": impostor, "comment": "x".repeat(1001)}))
        .send()
        .await
        .unwrap();
    assert_eq!(too_long.status(), 422);
    let reports = home.received_reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].subject, impostor);
    assert_eq!(reports[0].reported_by, "PalmerReport");
    assert_eq!(reports[0].category, "other");
    assert_eq!(
        reports[0].comment.as_deref(),
        Some("Impersonates Palmer Report")
    );
    assert_eq!(reports[0].routing.as_deref(), Some("true"));
}

/// The `offset` of each `/api/v2/search` request the fake received (None: the first page).
fn search_offsets(fake: &FakeMastodon) -> Vec<Option<String>> {
    fake.request_queries("/api/v2/search")
        .iter()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

/// A server with `fans` accounts matching the name search, then one impostor after them.
async fn crowded_server(fans: usize) -> FakeMastodon {
    let home = FakeMastodon::start("social.example").await.unwrap();
    home.add_user_token("user-token", "watcher");
    for i in 0..fans {
        home.add_account(
            FakeAccount::new(format!("palmerfan{i}")).name(format!("Palmer Report fan {i}")),
        );
    }
    home.add_account(FakeAccount::new("breaking_2026").name("Palmer Report"));
    home
}

#[tokio::test]
async fn search_pages_with_a_token_find_an_impostor_on_page_two() {
    // 45 earlier matches: the impostor is the 46th result, on the second page of 40.
    let home = crowded_server(45).await;
    let source = MastodonSource::new(&config_for(&[&home]))
        .unwrap()
        .with_token(&home.base_url(), "user-token".into());
    let found = source.check(&palmer()).await.unwrap();
    let hit = find(&found, "breaking_2026@social.example").expect("impostor on page 2");
    assert_eq!(
        hit.found_by,
        FoundBy::Search {
            query: "Palmer Report".into()
        }
    );
    assert_eq!(
        found
            .iter()
            .filter(|f| f.profile.handle.starts_with("palmerfan"))
            .count(),
        45,
        "every result of both pages kept"
    );
    // The second page (6 accounts) was short: no third request.
    assert_eq!(search_offsets(&home), vec![None, Some("40".to_string())]);
}

#[tokio::test]
async fn search_paging_stops_at_the_configured_bound() {
    let home = crowded_server(200).await;
    let mut config = config_for(&[&home]);
    config.mastodon.search_pages = 3;
    let source = MastodonSource::new(&config)
        .unwrap()
        .with_token(&home.base_url(), "user-token".into());
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(
        search_offsets(&home),
        vec![None, Some("40".to_string()), Some("80".to_string())],
        "three full pages, then it stops"
    );
    let by_search = found
        .iter()
        .filter(|f| matches!(f.found_by, FoundBy::Search { .. }))
        .count();
    assert_eq!(by_search, 120);
    // An absurd setting is still bounded (10 pages, 400 accounts).
    let home = crowded_server(1_000).await;
    let mut config = config_for(&[&home]);
    config.mastodon.search_pages = 1_000_000;
    let source = MastodonSource::new(&config)
        .unwrap()
        .with_token(&home.base_url(), "user-token".into());
    source.check(&palmer()).await.unwrap();
    assert_eq!(search_offsets(&home).len(), 10);
}

#[tokio::test]
async fn without_a_token_search_reads_one_page_and_never_sends_an_offset() {
    let home = crowded_server(45).await;
    let source = MastodonSource::new(&config_for(&[&home])).unwrap();
    // Mastodon answers 401 to `offset` without a user token: it must not be asked.
    source.check(&palmer()).await.unwrap();
    assert_eq!(search_offsets(&home), vec![None]);
}

#[tokio::test]
async fn a_server_wide_token_still_searches_without_resolve_or_offset() {
    // The server requires a token for everything and we hold one, but it is not a user's
    // token: Mastodon refuses `resolve` and `offset` from it (401).
    let home = crowded_server(45).await;
    home.require_token(Some("server-token"));
    let source = MastodonSource::new(&config_for(&[&home]))
        .unwrap()
        .with_token(&home.base_url(), "server-token".into());
    let found = source.check(&palmer()).await.unwrap();
    // Regression: the refused search was lost (the fans, found only by search, missing).
    let by_search = found
        .iter()
        .filter(|f| matches!(f.found_by, FoundBy::Search { .. }))
        .count();
    assert_eq!(by_search, 40, "the first page, searched without resolve");
    let queries = home.request_queries("/api/v2/search");
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert!(queries[0].contains("resolve=true") && !queries[1].contains("resolve"));
    // Remembered: the next check does not ask with resolve again.
    source.check(&palmer()).await.unwrap();
    let queries = home.request_queries("/api/v2/search");
    assert_eq!(queries.len(), 3);
    assert!(!queries[2].contains("resolve") && !queries[2].contains("offset"));
}
