//! Onboarding from the person's own profile (issue 12, item 4): given one handle, the app
//! facade fills the name, bio and picture from that profile and suggests the other handles it
//! links, through the real Bluesky source and guarded fetcher against the fake Bluesky on
//! loopback, with the demo's own person (so the desktop demo does the same).

use doppelwatch::app::App;
use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::demo::{demo_person, DEMO_PERSON_HANDLE};
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::identity::Platform;

fn config_for(fake: &FakeBluesky) -> Config {
    let mut config = Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.bluesky.jetstream_url = fake.jetstream_url();
    config.mastodon.enabled = false;
    config.x.enabled = false;
    config.http.timeout_secs = 10;
    config.allow_loopback_fakes();
    config
}

#[tokio::test]
async fn onboarding_from_the_demo_persons_handle_fills_the_form_and_suggests_linked_handles() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(demo_person());
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path().join("data"), config_for(&fake), None).unwrap();

    let filled = app
        .profile_for_onboarding("bluesky", &format!("@{DEMO_PERSON_HANDLE}"))
        .await
        .expect("the demo person's own profile");
    assert_eq!(filled.handle, DEMO_PERSON_HANDLE);
    assert_eq!(filled.name.as_deref(), Some("Palmer Report"));
    assert!(
        filled
            .bio
            .as_deref()
            .is_some_and(|b| b.starts_with("Independent political news")),
        "{:?}",
        filled.bio
    );
    assert!(
        filled
            .avatar
            .as_deref()
            .is_some_and(|a| a.starts_with("data:image/png;base64,")),
        "{:?}",
        filled.avatar_problem
    );
    assert_eq!(
        std::fs::read(app.avatar_path()).unwrap(),
        sample_avatar_png(11),
        "the profile's very picture is kept as the person's avatar"
    );
    let suggested: Vec<(Platform, &str)> = filled
        .suggestions
        .iter()
        .map(|s| (s.platform.clone(), s.handle.as_str()))
        .collect();
    assert_eq!(
        suggested,
        vec![
            (Platform::Mastodon, "palmerreport@mastodon.social"),
            (Platform::X, "PalmerReport"),
        ]
    );
    assert!(filled
        .suggestions
        .iter()
        .all(|s| !s.verified && s.found_in == "a link in your Bluesky profile"));
    assert!(
        app.identity().is_none(),
        "nothing is saved until the person confirms the form"
    );
}

#[tokio::test]
async fn a_profile_without_picture_or_links_still_fills_what_it_has_and_an_unknown_one_says_so() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("plain.bsky.social").name("Plain Person"));
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path().join("data"), config_for(&fake), None).unwrap();

    let filled = app
        .profile_for_onboarding("bluesky", "plain.bsky.social")
        .await
        .unwrap();
    assert_eq!(filled.name.as_deref(), Some("Plain Person"));
    assert_eq!(filled.avatar, None);
    assert!(
        filled
            .avatar_problem
            .as_deref()
            .is_some_and(|p| p.contains("has no picture")),
        "{:?}",
        filled.avatar_problem
    );
    assert!(filled.suggestions.is_empty());
    assert!(!app.avatar_path().exists());

    let err = app
        .profile_for_onboarding("bluesky", "nobody-here.bsky.social")
        .await
        .unwrap_err();
    assert!(err.message.contains("nobody-here.bsky.social"), "{err}");
    let err = app
        .profile_for_onboarding("bluesky", "not a handle")
        .await
        .unwrap_err();
    assert_eq!(err.kind, doppelwatch::app::ErrorKind::Invalid, "{err}");
}
