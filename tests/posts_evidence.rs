//! Posts as evidence (issue 12 item 1): the impostor's recent posts read from the fake
//! Bluesky (`getAuthorFeed`) and Mastodon (`/api/v1/accounts/:id/statuses`) over loopback,
//! bounded and parsed as text; kept with the alert by the watcher, flagged against the
//! person's own posts; and in the evidence bundle (JSON and a text-only page) with hashes that
//! verify.

mod support_watch;

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::notify::{Notice, NotificationSink, NotifyError};
use doppelwatch::posts::{Basis, PostFlag};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::sources::mastodon::MastodonSource;
use doppelwatch::sources::{AccountRef, Source};
use doppelwatch::store::{AlertFilter, Store};
use doppelwatch::watch::{Notifications, WatchService, WatchSetup};
use sha2::{Digest, Sha256};
use support_watch::*;

fn bluesky_config(fake: &FakeBluesky) -> Config {
    watching_fake_bluesky(fake)
}

#[tokio::test]
async fn bluesky_posts_come_from_get_author_feed_bounded_and_as_text() {
    let fake = FakeBluesky::start().await.unwrap();
    let mut impostor = FakeAccount::new("palmer-report.bsky.social").name("Palmer Report");
    for i in 0..14 {
        impostor = impostor.post(format!("older post {i}"));
    }
    impostor = impostor.post(HOSTILE_POST);
    let did = fake.add_account(impostor);
    let source = BlueskySource::new(&bluesky_config(&fake)).unwrap();
    let account = AccountRef {
        handle: "palmer-report.bsky.social".into(),
        platform_id: Some(did.clone()),
    };
    let posts = source.recent_posts(&account, 50).await.unwrap().unwrap();
    assert_eq!(posts.len(), 10, "the latest 10 posts at most");
    assert_eq!(
        posts[0].text, HOSTILE_POST,
        "kept as text, never interpreted"
    );
    assert_eq!(posts[0].hashtags, vec!["walkaway".to_string()]);
    assert!(posts[0]
        .id
        .starts_with(&format!("at://{did}/app.bsky.feed.post/")));
    assert!(posts[0]
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://bsky.app/profile/palmer-report.bsky.social/post/"));
    // By handle too (the person's own account is asked by handle).
    let by_handle = AccountRef {
        handle: "palmer-report.bsky.social".into(),
        platform_id: None,
    };
    assert_eq!(
        source
            .recent_posts(&by_handle, 3)
            .await
            .unwrap()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn mastodon_posts_come_from_statuses_with_html_stripped() {
    let home = FakeMastodon::start("social.example").await.unwrap();
    home.add_account(
        FakeAccount::new("palmer")
            .name("Palmer Report")
            .post("Welcome to my new page")
            .post("<b>bold</b> & more #WalkAway"),
    );
    let mut config = Config::default();
    config.mastodon.servers = vec![home.base_url()];
    config.allow_loopback_fakes();
    let source = MastodonSource::new(&config).unwrap();
    let account = AccountRef {
        handle: "palmer@social.example".into(),
        platform_id: None,
    };
    let posts = source.recent_posts(&account, 10).await.unwrap().unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].text, "<b>bold</b> & more #WalkAway",
        "escaped HTML read back as text"
    );
    assert_eq!(posts[0].hashtags, vec!["walkaway".to_string()]);
    assert!(posts[0]
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://social.example/@palmer/"));
    assert_eq!(posts[1].text, "Welcome to my new page");
}

#[derive(Default)]
struct Quiet;

impl NotificationSink for Quiet {
    fn show(&self, _notice: &Notice) -> Result<(), NotifyError> {
        Ok(())
    }
}

#[tokio::test]
async fn the_watcher_keeps_an_impostors_posts_flagged_against_the_persons_own() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(
        FakeAccount::new("palmerreport.bsky.social")
            .name("Palmer Report")
            .bio("Independent political news and analysis since 2016")
            .post("Breaking: the Senate vote on the budget is delayed again #news"),
    );
    fake.add_account(
        FakeAccount::new("palmerreport-news.bsky.social")
            .name("Palmer Report")
            .bio("Independent political news and analysis since 2016")
            .post("Breaking: the Senate vote on the budget is delayed again")
            .post("I was a progressive for twenty years. Not anymore. #WalkAway"),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let person = Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::Bluesky,
            handle: "palmerreport.bsky.social".into(),
        }],
        avatar: None,
        bio: Some("Independent political news and analysis since 2016".into()),
    };
    let id = store.upsert_identity(&person).unwrap();
    let config = bluesky_config(&fake);
    let setup = WatchSetup::from_config(&config, None, None).unwrap();
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let handle = WatchService::start(
        config.watch.clone(),
        store.clone(),
        vec![(id, person)],
        setup,
        Notifications {
            sink: Arc::new(Quiet),
            actions,
        },
    );
    // Wait (with a deadline) for the alert and its posts.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let posts = loop {
        let alerts = store.alerts(&AlertFilter::default()).unwrap();
        let found = alerts
            .iter()
            .find(|a| a.profile.handle == "palmerreport-news.bsky.social");
        if let Some(alert) = found {
            let posts = store.alert_posts(alert.id).unwrap();
            if !posts.is_empty() {
                break posts;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no posts kept in time; alerts: {alerts:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    handle.stop().await;
    assert_eq!(posts.len(), 2);
    let walk = posts
        .iter()
        .find(|p| p.post.text.contains("#WalkAway"))
        .unwrap();
    assert_eq!(
        walk.flags,
        vec![PostFlag::ForeignHashtags {
            basis: Basis::OwnPosts,
            tags: vec!["walkaway".into()]
        }]
    );
    let copy = posts
        .iter()
        .find(|p| p.post.text.starts_with("Breaking"))
        .unwrap();
    assert!(
        matches!(
            copy.flags.as_slice(),
            [PostFlag::CopiesOwn {
                basis: Basis::OwnPosts,
                ..
            }]
        ),
        "{:?}",
        copy.flags
    );
    for p in &posts {
        assert_eq!(
            p.sha256,
            hex::encode(Sha256::digest(p.post.canonical_json()))
        );
    }
}

#[test]
fn the_evidence_bundle_holds_the_posts_as_json_and_an_inert_page() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(&dir.path().join("data")).unwrap();
    let alert_id = alert_for(
        &store,
        bsky_profile("did:plc:imp", "imp.bsky.social", "PaImer Report"),
    );
    let posts = impostor_posts();
    store.add_alert_posts(alert_id, &posts).unwrap();
    // Seen again: one record per post.
    store.add_alert_posts(alert_id, &posts).unwrap();
    assert_eq!(store.alert_posts(alert_id).unwrap().len(), 3);

    let out = dir.path().join("case.zip");
    let summary =
        doppelwatch::report::evidence::export_bundle(&store, alert_id, &out, t(600)).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let manifest = read("MANIFEST.sha256");
    assert_eq!(
        hex::encode(Sha256::digest(manifest.as_bytes())),
        summary.manifest_sha256
    );
    let json = read("impostor/posts.json");
    let html = read("impostor/posts.html");
    for (name, text) in [
        ("impostor/posts.json", &json),
        ("impostor/posts.html", &html),
    ] {
        let line = format!("{}  {name}", hex::encode(Sha256::digest(text.as_bytes())));
        assert!(
            manifest.lines().any(|l| l == line),
            "{name} is in the manifest"
        );
    }
    let list: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(list.len(), 3);
    for item in &list {
        let canonical = item["canonical_json"].as_str().unwrap();
        assert_eq!(
            item["sha256"],
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        assert!(item["fetched_at"].is_string());
    }
    // The page shows the hostile post as text: no markup of its own, no link, no script.
    assert!(html.contains("default-src 'none'"));
    assert!(!html.contains("<script") && !html.contains("<a ") && !html.contains("href=\""));
    assert!(
        html.contains("&lt;a href=&quot;javascript:alert(1)&quot;&gt;click&lt;/a&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;U+202E&gt;") && !html.contains('\u{202E}'));
    assert!(html.contains("Flagged: hashtags the person never uses"));
    for p in &posts {
        assert!(html.contains(&p.sha256));
    }
}
