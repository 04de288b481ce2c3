//! The real Bluesky client against the fake Bluesky over loopback: search, probes, rate limits,
//! malformed data, avatars, the Jetstream live stream with its cursor, and the report endpoints.

mod faults_support;

use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{sample_avatar_png, FakeAccount, Misbehave};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::bluesky::live::{run_live, LiveEvent};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::sources::{AccountRef, AccountState, Found, FoundBy, Source};
use faults_support::{logged_rate_limit_waits, LogCapture};
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
                platform: Platform::X,
                handle: "PalmerReport".into(),
            },
        ],
        avatar: None,
        bio: None,
    }
}

fn config_for(fake: &FakeBluesky) -> Config {
    let mut config = Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.bluesky.jetstream_url = fake.jetstream_url();
    config.http.timeout_secs = 10;
    config.allow_loopback_fakes();
    config
}

/// A fake with the real person, a namesake and background accounts.
async fn populated() -> FakeBluesky {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(
        FakeAccount::new("palmerreport.com")
            .name("Palmer Report")
            .avatar(sample_avatar_png(1))
            .followers(90_000),
    );
    fake.add_account(FakeAccount::new("arnoldpalmer.bsky.social").name("Arnold Palmer"));
    for i in 0..30 {
        fake.add_account(
            FakeAccount::new(format!("user{i}.bsky.social")).name(format!("User {i}")),
        );
    }
    fake
}

fn handles(found: &[Found]) -> Vec<String> {
    let mut h: Vec<String> = found.iter().map(|f| f.profile.handle.clone()).collect();
    h.sort();
    h
}

#[tokio::test]
async fn impostors_placed_before_the_check_are_found_by_search_and_probe() {
    let fake = populated().await;
    // A display-name copy, found by search.
    fake.add_account(
        FakeAccount::new("news-daily.bsky.social")
            .name("Palmer Report")
            .avatar(sample_avatar_png(1)),
    );
    // The person's handle under .bsky.social with no matching display name: found by probe.
    fake.add_account(FakeAccount::new("palmerreport.bsky.social").name("Official"));
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let found = source.check(&palmer()).await.unwrap();
    let names = handles(&found);
    assert!(
        names.contains(&"news-daily.bsky.social".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"palmerreport.bsky.social".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"palmerreport.com".to_string()),
        "own account is a candidate the detector marks: {names:?}"
    );
    assert!(!names.iter().any(|h| h.starts_with("user")), "{names:?}");
    let copy = found
        .iter()
        .find(|f| f.profile.handle == "news-daily.bsky.social")
        .unwrap();
    assert!(matches!(copy.found_by, FoundBy::Search { .. }));
    assert_eq!(
        copy.avatar_image.as_deref(),
        Some(sample_avatar_png(1).as_slice()),
        "avatar fetched"
    );
    assert_eq!(copy.profile.platform, Platform::Bluesky);
    assert!(copy
        .profile
        .platform_id
        .as_deref()
        .unwrap()
        .starts_with("did:plc:"));
    assert_eq!(
        copy.profile.url.as_deref(),
        Some("https://bsky.app/profile/news-daily.bsky.social")
    );

    // Probes alone (no search) still find the look-alike handle.
    let mut config = config_for(&fake);
    config.bluesky.max_queries = 0;
    let found = BlueskySource::new(&config)
        .unwrap()
        .check(&palmer())
        .await
        .unwrap();
    let probe = found
        .iter()
        .find(|f| f.profile.handle == "palmerreport.bsky.social")
        .unwrap();
    assert_eq!(
        probe.found_by,
        FoundBy::Probe {
            variant: "palmerreport.bsky.social".into()
        }
    );
    // Both checks probed in batches of 25 look-alikes.
    let probes = BlueskySource::new(&config)
        .unwrap()
        .probe_handles(&palmer())
        .len();
    assert!(
        probes > 25,
        "the detector's variants are probed too: {probes}"
    );
    assert_eq!(
        fake.request_count("/xrpc/app.bsky.actor.getProfiles"),
        2 * probes.div_ceil(25)
    );
}

#[tokio::test]
async fn search_reads_every_page_up_to_the_bound() {
    let fake = FakeBluesky::start().await.unwrap();
    for i in 0..250 {
        fake.add_account(
            FakeAccount::new(format!("p{i}.bsky.social")).name(format!("Palmer Report {i}")),
        );
    }
    let mut config = config_for(&fake);
    config.bluesky.search_pages = 2;
    let source = BlueskySource::new(&config).unwrap();
    assert_eq!(
        source
            .search_actors("Palmer Report", 2)
            .await
            .unwrap()
            .len(),
        200
    );
    assert_eq!(
        source
            .search_actors("Palmer Report", 5)
            .await
            .unwrap()
            .len(),
        250
    );
}

#[tokio::test]
async fn an_impostor_added_during_the_check_is_found() {
    let fake = populated().await;
    fake.misbehave(Misbehave::Slow(Duration::from_millis(120)));
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let identity = palmer();
    let check = source.check(&identity);
    let add = async {
        // Added once the check is under way (its first request reached the server).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while fake.total_requests() == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the check never started"
            );
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        fake.add_account(FakeAccount::new("palmerreport.bsky.social").name("Palmer Report ✓"));
    };
    let (found, ()) = tokio::join!(check, add);
    let names = handles(&found.unwrap());
    assert!(
        names.contains(&"palmerreport.bsky.social".to_string()),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_check_completes() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("palmer-report.bsky.social").name("Palmer Report"));
    fake.misbehave(Misbehave::RateLimit {
        requests: 1,
        reset_secs: 2,
    });
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let (logs, _guard) = LogCapture::install();
    let found = source.check(&palmer()).await.unwrap();
    // The reset is a whole unix second 2 s ahead: the client decided to wait at least 1 s.
    let waits = logged_rate_limit_waits(&logs.text());
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] >= 1000, "waited for the reset: {waits:?}");
    assert!(fake.request_count("/xrpc/app.bsky.actor.searchActors") > 1);
    assert!(handles(&found).contains(&"palmer-report.bsky.social".to_string()));
}

#[tokio::test]
async fn a_rate_limit_longer_than_allowed_is_reported_not_waited() {
    let fake = populated().await;
    fake.misbehave(Misbehave::RateLimit {
        requests: 100,
        reset_secs: 3600,
    });
    let mut config = config_for(&fake);
    config.http.max_rate_limit_wait_secs = 60;
    let source = BlueskySource::new(&config).unwrap();
    let (logs, _guard) = LogCapture::install();
    let err = source.check(&palmer()).await.unwrap_err();
    let waits = logged_rate_limit_waits(&logs.text());
    assert!(waits.is_empty(), "an hour is not waited: {waits:?}");
    assert!(err.to_string().contains("rate limiting"), "{err}");
}

#[tokio::test]
async fn server_errors_and_truncated_json_are_retried() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("palmer-report.bsky.social").name("Palmer Report"));
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let before = fake.total_requests();
    source.check(&palmer()).await.unwrap();
    let per_check = fake.total_requests() - before;
    fake.misbehave(Misbehave::ServerError { requests: 2 });
    fake.misbehave(Misbehave::Truncate { requests: 2 });
    let before = fake.total_requests();
    let found = source.check(&palmer()).await.unwrap();
    assert_eq!(
        fake.total_requests() - before,
        per_check + 4,
        "each failed answer was asked again once"
    );
    assert!(handles(&found).contains(&"palmer-report.bsky.social".to_string()));
}

#[tokio::test]
async fn malformed_data_loses_only_the_bad_record() {
    let fake = populated().await;
    fake.add_account(FakeAccount::new("palmer-report.bsky.social").name("Palmer Report"));
    fake.add_account(FakeAccount::new("palmerreport.bsky.social").name("Palmer"));
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let clean = handles(&source.check(&palmer()).await.unwrap());
    fake.misbehave(Misbehave::MalformedRecord);
    let with_bad = handles(&source.check(&palmer()).await.unwrap());
    assert_eq!(clean, with_bad);
    assert!(with_bad.len() >= 3, "{with_bad:?}");
}

#[tokio::test]
async fn oversized_and_looping_avatars_are_skipped_not_fatal() {
    let fake = populated().await;
    fake.add_account(
        FakeAccount::new("palmer-report.bsky.social")
            .name("Palmer Report")
            .avatar(sample_avatar_png(1)),
    );
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    for m in [Misbehave::OversizedAvatars, Misbehave::AvatarRedirectLoop] {
        fake.misbehave(Misbehave::Behave);
        fake.misbehave(m.clone());
        let found = source.check(&palmer()).await.unwrap();
        let copy = found
            .iter()
            .find(|f| f.profile.handle == "palmer-report.bsky.social")
            .unwrap_or_else(|| panic!("{m:?}: impostor missing"));
        assert!(copy.profile.avatar_url.is_some());
        assert_eq!(copy.avatar_image, None, "{m:?}");
    }
}

#[tokio::test]
async fn lookup_tells_present_from_gone() {
    let fake = populated().await;
    let did = fake.add_account(FakeAccount::new("palmer-report.bsky.social").name("Palmer Report"));
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let refs = vec![
        AccountRef {
            handle: "palmer-report.bsky.social".into(),
            platform_id: Some(did.clone()),
        },
        AccountRef {
            handle: "nobody.bsky.social".into(),
            platform_id: None,
        },
    ];
    let states = source.lookup(&refs).await.unwrap();
    assert!(
        matches!(&states[0].1, AccountState::Present(p) if p.display_name.as_deref() == Some("Palmer Report"))
    );
    assert_eq!(states[1].1, AccountState::Gone);
    fake.remove_account(&did);
    let states = source.lookup(&refs[..1]).await.unwrap();
    assert_eq!(states[0].1, AccountState::Gone);
}

/// Receives live events until a Found for `handle` arrives; returns the last cursor seen too.
async fn wait_for_found(
    rx: &mut mpsc::Receiver<LiveEvent>,
    handle: &str,
    cursor: &mut Option<u64>,
) -> Found {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{handle} not found live in time"))
            .expect("live stream ended");
        match event {
            LiveEvent::Found(f) if f.profile.handle == handle => return *f,
            LiveEvent::Cursor(c) => *cursor = Some(c),
            _ => {}
        }
    }
}

async fn wait_connected(rx: &mut mpsc::Receiver<LiveEvent>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(LiveEvent::Connected { .. })) => return,
            Ok(Some(_)) => {}
            _ => panic!("live stream did not connect"),
        }
    }
}

#[tokio::test]
async fn live_stream_finds_a_new_impostor_and_ignores_others() {
    let fake = populated().await;
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let identity = palmer();
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { run_live(&source, &identity, None, tx).await });
    wait_connected(&mut rx).await;
    fake.add_account(FakeAccount::new("someone.bsky.social").name("Someone Else"));
    // Exact avatar copy under an unrelated name: only the blob CID gives it away.
    fake.add_account(
        FakeAccount::new("cats.bsky.social")
            .name("Cat pictures")
            .avatar(sample_avatar_png(1)),
    );
    let mut cursor = None;
    let found = wait_for_found(&mut rx, "cats.bsky.social", &mut cursor).await;
    assert_eq!(found.found_by, FoundBy::Live);
    assert!(found.avatar_image.is_some());
    fake.add_account(FakeAccount::new("breaking-news.bsky.social").name("Palmer Report"));
    let found = wait_for_found(&mut rx, "breaking-news.bsky.social", &mut cursor).await;
    assert_eq!(found.profile.display_name.as_deref(), Some("Palmer Report"));
    // A profile changed to copy the person is seen too.
    fake.update_account(
        "someone.bsky.social",
        FakeAccount::new("someone.bsky.social").name("PaImer Report"),
    );
    wait_for_found(&mut rx, "someone.bsky.social", &mut cursor).await;
    drop(rx);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the stream stops when its receiver is dropped")
        .unwrap();
}

#[tokio::test]
async fn jetstream_cursor_resumes_after_a_restart_without_missing_an_impostor() {
    let fake = populated().await;
    let config = config_for(&fake);
    let identity = palmer();

    // First run: sees impostor A, and reports a cursor.
    let source = BlueskySource::new(&config).unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let id = identity.clone();
    let task = tokio::spawn(async move { run_live(&source, &id, None, tx).await });
    wait_connected(&mut rx).await;
    fake.add_account(FakeAccount::new("impostor-a.bsky.social").name("Palmer Report"));
    let mut cursor = None;
    wait_for_found(&mut rx, "impostor-a.bsky.social", &mut cursor).await;
    // The cursor that covers the candidate follows it.
    let cursor = loop {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(LiveEvent::Cursor(c))) => break c,
            Ok(Some(_)) => {}
            _ => panic!("no cursor after the candidate"),
        }
    };
    drop(rx);
    task.await.unwrap();

    // While down: impostor B appears, plus noise.
    fake.add_account(FakeAccount::new("impostor-b.bsky.social").name("Palmer  Report"));
    for i in 0..5 {
        fake.add_account(FakeAccount::new(format!("late{i}.bsky.social")).name("Late"));
    }

    // Restart from the stored cursor: B is replayed and found.
    let source = BlueskySource::new(&config).unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { run_live(&source, &identity, Some(cursor), tx).await });
    let mut c2 = None;
    wait_for_found(&mut rx, "impostor-b.bsky.social", &mut c2).await;
    drop(rx);
    task.await.unwrap();
}

#[tokio::test]
async fn dropped_websockets_and_malformed_messages_lose_nothing_else() {
    let fake = populated().await;
    fake.misbehave(Misbehave::DropWebSocket { after_messages: 2 });
    fake.misbehave(Misbehave::MalformedRecord);
    let source = BlueskySource::new(&config_for(&fake)).unwrap();
    let identity = palmer();
    let (tx, mut rx) = mpsc::channel(256);
    let task = tokio::spawn(async move { run_live(&source, &identity, None, tx).await });
    wait_connected(&mut rx).await;
    for i in 0..4 {
        fake.add_account(FakeAccount::new(format!("noise{i}.bsky.social")).name("Noise"));
        fake.add_account(FakeAccount::new(format!("copy{i}.bsky.social")).name("Palmer Report"));
    }
    let mut cursor = None;
    let mut seen = std::collections::HashSet::new();
    let mut disconnects = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while seen.len() < 4 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(LiveEvent::Found(f))) => {
                seen.insert(f.profile.handle.clone());
            }
            Ok(Some(LiveEvent::Disconnected { .. })) => disconnects += 1,
            Ok(Some(LiveEvent::Cursor(c))) => cursor = Some(c),
            Ok(Some(_)) => {}
            _ => panic!("only found {seen:?} after {disconnects} disconnects"),
        }
    }
    assert!(
        disconnects >= 2,
        "the fake dropped the socket {disconnects} times"
    );
    assert!(cursor.is_some());
    drop(rx);
    task.await.unwrap();
}

#[tokio::test]
async fn report_endpoints_authenticate_and_record_reports() {
    let fake = populated().await;
    let impostor =
        fake.add_account(FakeAccount::new("palmer-report.bsky.social").name("Palmer Report"));
    fake.set_app_password("palmerreport.com", "abcd-efgh-ijkl-mnop");
    let http = reqwest::Client::new();
    let url = |nsid: &str| format!("{}/xrpc/{nsid}", fake.base_url());
    let bad = http
        .post(url("com.atproto.server.createSession"))
        .json(&serde_json::json!({"identifier": "palmerreport.com", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let session: serde_json::Value = http
        .post(url("com.atproto.server.createSession"))
        .json(&serde_json::json!({"identifier": "palmerreport.com", "password": "abcd-efgh-ijkl-mnop"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["accessJwt"].as_str().unwrap();
    let unauth = http
        .post(url("com.atproto.moderation.createReport"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    let answer = http
        .post(url("com.atproto.moderation.createReport"))
        .bearer_auth(token)
        .header(
            "atproto-proxy",
            "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler",
        )
        .json(&serde_json::json!({
            "reasonType": "tools.ozone.report.defs#reasonMisleadingImpersonation",
            "reason": "Impersonates Palmer Report",
            "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": impostor}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let out: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(out["reportedBy"], session["did"]);
    let reports = fake.received_reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].subject, impostor);
    assert_eq!(
        reports[0].category,
        "tools.ozone.report.defs#reasonMisleadingImpersonation"
    );
    assert_eq!(
        reports[0].routing.as_deref(),
        Some("did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler")
    );
    assert_eq!(
        fake.request_count("/xrpc/com.atproto.server.createSession"),
        2
    );
}
