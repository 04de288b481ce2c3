//! The YouTube source against the fake YouTube Data API: a look-alike channel found by handle
//! probe (copied name, bio and thumbnail) and by name search, judged an impostor, alerted and
//! drafted; the daily quota counted, respected, said when it cuts a check, and kept across
//! restarts through the store; accounts looked up again.

mod support_watch;

use doppelwatch::config::Config;
use doppelwatch::detect::avatar::{fingerprint, fingerprint_reference};
use doppelwatch::detect::{Detector, Verdict};
use doppelwatch::fake::youtube::FakeYoutube;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::identity::Platform;
use doppelwatch::report;
use doppelwatch::sources::youtube::{ranked_probes, YoutubeSource};
use doppelwatch::sources::{spending, AccountRef, AccountState, FoundBy, Source};
use doppelwatch::store::{AlertChange, Finding, Store};
use support_watch::{palmer_on_youtube, t};

const KEY: &str = "AIzaSyFakeYoutubeSourcesKey0000000000";

/// The fake with the person's channel, the `PaImerReport` impostor (name, bio and picture
/// copied) and a clips channel only a name search finds.
async fn world() -> (FakeYoutube, String) {
    let fake = FakeYoutube::start(KEY).await.unwrap();
    let me = palmer_on_youtube();
    fake.add_account(
        FakeAccount::new("PalmerReport")
            .name("Palmer Report")
            .avatar(sample_avatar_png(11))
            .followers(90_000),
    );
    let mut copy = FakeAccount::new("PaImerReport")
        .name("Palmer Report")
        .bio(me.bio.clone().unwrap())
        .avatar(sample_avatar_png(11))
        .followers(12);
    copy.created_at = Some(chrono::Utc::now() - chrono::Duration::days(2));
    let impostor = fake.add_account(copy);
    fake.add_account(
        FakeAccount::new("clipsdaily")
            .name("Palmer Report Clips")
            .label("hidden_subscribers"),
    );
    (fake, impostor)
}

fn config_for(fake: &FakeYoutube, quota: u64) -> Config {
    let mut config = Config::default();
    config.youtube.base_url = fake.base_url();
    config.youtube.daily_quota_units = quota;
    config.youtube.probe_limit = 20;
    config.http.max_retries = 1;
    config.allow_loopback_fakes();
    config
}

#[tokio::test]
async fn a_lookalike_channel_is_found_by_probe_and_search_alerted_and_drafted() {
    let (fake, impostor_id) = world().await;
    let source = YoutubeSource::new(&config_for(&fake, 10_000), Some(KEY.into())).unwrap();
    let report = source.check_report(&palmer_on_youtube()).await.unwrap();
    assert_eq!(report.cut, None);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let impostor = report
        .found
        .iter()
        .find(|f| f.profile.handle == "PaImerReport")
        .expect("the I-for-l channel is probed");
    assert_eq!(
        impostor.found_by,
        FoundBy::Probe {
            variant: "PaImerReport".into()
        }
    );
    let p = &impostor.profile;
    assert_eq!(p.platform, Platform::Youtube);
    assert_eq!(p.platform_id.as_deref(), Some(impostor_id.as_str()));
    assert_eq!(p.display_name.as_deref(), Some("Palmer Report"));
    assert_eq!(p.followers, Some(12));
    assert_eq!(
        p.url.as_deref(),
        Some("https://www.youtube.com/@PaImerReport")
    );
    assert!(p.created_at.is_some());
    assert_eq!(
        impostor.avatar_image.as_deref(),
        Some(sample_avatar_png(11).as_slice()),
        "the thumbnail is fetched (through the guarded fetcher)"
    );
    let clips = report
        .found
        .iter()
        .find(|f| f.profile.handle == "clipsdaily")
        .expect("the name search finds the clips channel");
    assert!(matches!(&clips.found_by, FoundBy::Search { query } if query == "Palmer Report"));
    assert_eq!(
        clips.profile.followers, None,
        "a hidden count stays unknown"
    );
    assert!(
        !report
            .found
            .iter()
            .any(|f| f.profile.handle.eq_ignore_ascii_case("PalmerReport")),
        "the person's own channel is never a candidate (probed or found by the search)"
    );

    // Judged, alerted and drafted like any other platform's account.
    let me = palmer_on_youtube();
    let detector = Detector::new(
        me.clone(),
        fingerprint_reference(&sample_avatar_png(11)).ok(),
    );
    let avatar = impostor
        .avatar_image
        .as_deref()
        .and_then(|b| fingerprint(b).ok());
    let assessment = detector.assess(p, avatar.as_ref(), chrono::Utc::now());
    assert_eq!(assessment.verdict, Verdict::Impostor, "{assessment:?}");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&me).unwrap();
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: impostor,
                assessment: &assessment,
            },
            t(0),
        )
        .unwrap();
    let AlertChange::New(alert_id) = out.alert else {
        panic!("{:?}", out.alert)
    };
    let draft = report::draft(&store.alert(alert_id).unwrap(), None);
    assert_eq!(draft.platform, Platform::Youtube);
    assert_eq!(draft.impostor_url, "https://www.youtube.com/@PaImerReport");
    assert_eq!(
        draft.form_url.as_deref(),
        Some("https://support.google.com/youtube/answer/2801947")
    );
    assert!(
        draft.text.contains("https://www.youtube.com/@PalmerReport"),
        "{}",
        draft.text
    );
}

#[tokio::test]
async fn the_quota_is_counted_respected_and_its_cut_said() {
    let (fake, _) = world().await;
    let me = palmer_on_youtube();
    let probes = ranked_probes(&me, 20).len() as u64;
    // Enough for a full check: every probe (1 unit) and one search (100 + 1 to read).
    let source = YoutubeSource::new(&config_for(&fake, 10_000), Some(KEY.into())).unwrap();
    source.check(&me).await.unwrap();
    assert_eq!(fake.units_used(), probes + 101);
    assert_eq!(
        source.spent_today_units() as u64,
        fake.units_used(),
        "counted as YouTube counts"
    );
    // A second check within the windows asks nothing again (probes 6 h, searches 24 h).
    source.check(&me).await.unwrap();
    assert_eq!(fake.units_used(), probes + 101);

    // A quota of 12 units: 12 probes, no search, and the check says so.
    let (fake, _) = world().await;
    let source = YoutubeSource::new(&config_for(&fake, 12), Some(KEY.into())).unwrap();
    let report = source.check_report(&me).await.unwrap();
    assert_eq!(fake.units_used(), 12);
    assert_eq!(fake.request_count("/youtube/v3/search"), 0);
    let cut = report.cut.expect("the cut is said");
    assert!(cut.contains("quota of 12 units"), "{cut}");
    assert!(cut.contains(&format!("probed 12 of {probes}")), "{cut}");
    assert!(cut.contains("searched 0 of 1 names"), "{cut}");
    let err = source.check(&me).await.unwrap_err();
    assert!(
        err.to_string().contains("quota of 12 units is used up"),
        "{err}"
    );
    assert_eq!(fake.units_used(), 12, "nothing asked past the quota");
}

#[tokio::test]
async fn the_quota_spent_is_kept_across_restarts_in_the_store() {
    let (fake, _) = world().await;
    let me = palmer_on_youtube();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let config = config_for(&fake, 50);
    let first = YoutubeSource::new(&config, Some(KEY.into())).unwrap();
    spending::begin_check(&store, &first).unwrap();
    first.check(&me).await.unwrap();
    spending::end_check(&store, &first).unwrap();
    let spent = fake.units_used();
    assert_eq!(
        spent, 20,
        "the 20 probes; a search (101) does not fit in 50"
    );
    let stored = store.cursor("spending:youtube").unwrap().unwrap();
    assert!(stored.ends_with(" 20"), "{stored}");
    drop(first);

    // A restart (a new process's source): the day's units and recent probes come back.
    let second = YoutubeSource::new(&config, Some(KEY.into())).unwrap();
    spending::begin_check(&store, &second).unwrap();
    assert_eq!(second.spent_today_units(), 20.0);
    assert_eq!(second.room_left_usd(), Some(30.0));
    second.check(&me).await.unwrap();
    spending::end_check(&store, &second).unwrap();
    assert_eq!(
        fake.units_used(),
        20,
        "the probes were read within the window"
    );
    assert_eq!(second.spending_words(20.0), "20 quota units");
}

#[tokio::test]
async fn channels_are_looked_up_again_by_id() {
    let (fake, impostor) = world().await;
    let source = YoutubeSource::new(&config_for(&fake, 10_000), Some(KEY.into())).unwrap();
    let asked = AccountRef {
        handle: "PaImerReport".into(),
        platform_id: Some(impostor.clone()),
    };
    let now = source.lookup(std::slice::from_ref(&asked)).await.unwrap();
    assert!(
        matches!(&now[0].1, AccountState::Present(p) if p.handle == "PaImerReport"),
        "the case it was seen with is kept (customUrl is lowercased): {now:?}"
    );
    assert!(fake.remove_account(&impostor));
    let now = source.lookup(&[asked]).await.unwrap();
    assert_eq!(now[0].1, AccountState::Gone);
    assert_eq!(fake.units_used(), 2);
    // Without an id (the person's own channel, for onboarding's picture): by handle.
    let own = source
        .lookup(&[AccountRef {
            handle: "@PalmerReport".into(),
            platform_id: None,
        }])
        .await
        .unwrap();
    assert!(matches!(&own[0].1, AccountState::Present(p) if p.avatar_url.is_some()));
    assert_eq!(fake.units_used(), 3);
}
