//! Onboarding takes the person's picture from their own profile: the real Bluesky source and
//! HTTP client against the fake Bluesky on loopback.

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::sources::own_profile::own_avatar;

fn config_for(fake: &FakeBluesky) -> Config {
    let mut config = Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.bluesky.jetstream_url = fake.jetstream_url();
    config.http.timeout_secs = 10;
    config.allow_loopback_fakes();
    config
}

#[tokio::test]
async fn the_picture_comes_from_the_persons_own_profile_or_a_clear_error_says_why_not() {
    let fake = FakeBluesky::start().await.unwrap();
    let picture = sample_avatar_png(7);
    fake.add_account(
        FakeAccount::new("palmerreport.bsky.social")
            .name("Palmer Report")
            .avatar(picture.clone()),
    );
    fake.add_account(FakeAccount::new("nopicture.bsky.social").name("No Picture"));
    let config = config_for(&fake);
    let source = BlueskySource::new(&config).unwrap();

    // The handle as people write it, with its @.
    let (profile, bytes) = own_avatar(&source, "@palmerreport.bsky.social", &config.http)
        .await
        .expect("the picture of the person's own profile");
    assert_eq!(profile.handle, "palmerreport.bsky.social");
    assert_eq!(bytes, picture, "the very bytes the profile shows");

    let err = own_avatar(&source, "nopicture.bsky.social", &config.http)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("has no picture") && err.contains("choose a file"),
        "{err}"
    );

    let err = own_avatar(&source, "nobody-here.bsky.social", &config.http)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no bluesky account nobody-here.bsky.social"),
        "{err}"
    );
}
