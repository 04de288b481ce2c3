//! Demo mode (`--demo`): the watcher watches bundled fake platform servers on loopback, where
//! a namesake of the registered person (worth a look, no pop-up) and then impostors appear every
//! few seconds; and a fake YouTube, where a look-alike channel (`@PaImerReport`, the person's
//! name and picture copied) is found by handle probe. No account or internet needed.
//! The fakes live in the watcher process, as long as it runs.

use std::sync::Arc;
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::demo::{
    demo_handle, demo_impostors, demo_namesake, demo_person, youtube_impostor,
};
use doppelwatch::fake::youtube::FakeYoutube;
use doppelwatch::secrets::SecretKey;
use doppelwatch::store::Store;

/// Seconds between two demo impostors.
const IMPOSTOR_EVERY: Duration = Duration::from_secs(6);
/// How many impostors the demo creates in all.
const IMPOSTORS: usize = 12;
/// The app password the fake Bluesky accepts for the person's account, so "file through
/// Bluesky" works in the demo (the window uses it instead of the keychain in demo mode).
pub const DEMO_APP_PASSWORD: &str = "demo-app-password";
/// The API key the demo's fake YouTube accepts.
pub const DEMO_YOUTUBE_KEY: &str = "demo-youtube-api-key";

/// The secrets of the demo's fakes (the demo never touches the keychain).
pub fn demo_secret(key: &SecretKey) -> Option<&'static str> {
    match key {
        SecretKey::BlueskyAppPassword { .. } => Some(DEMO_APP_PASSWORD),
        SecretKey::YoutubeApiKey => Some(DEMO_YOUTUBE_KEY),
        _ => None,
    }
}

/// The fake platforms of a demo, kept alive as long as the app.
pub struct DemoWorld {
    pub bluesky: FakeBluesky,
    pub youtube: FakeYoutube,
}

/// Starts the fake Bluesky and YouTube and returns `config` pointed at them (other platforms
/// off), with short check intervals so the demo moves.
pub async fn start(mut config: Config) -> std::io::Result<(DemoWorld, Config)> {
    let bluesky = FakeBluesky::start().await?;
    let youtube = FakeYoutube::start(DEMO_YOUTUBE_KEY).await?;
    config.youtube.enabled = true;
    config.youtube.base_url = youtube.base_url();
    // The demo's look-alike channel appears after the first check probed its handle: probe
    // again at every check (a real quota re-probes a handle after 6 hours).
    config.youtube.reread_window_hours = 0;
    config.bluesky.enabled = true;
    config.bluesky.base_url = bluesky.base_url();
    config.bluesky.pds_url = bluesky.base_url();
    config.bluesky.jetstream_url = bluesky.jetstream_url();
    config.mastodon.enabled = false;
    config.x.enabled = false;
    config.watch.check_interval_secs = 20;
    // The demo's impostors arrive seconds apart, all in one wave: its updates come half a
    // minute apart (not a quarter of an hour) so they can be seen.
    config.watch.wave_update_secs = 30;
    // A demo wave can be filed as one batch (the fakes take any number of reports).
    config.watch.report_daily_cap = 100;
    // The fake serves its avatars over plain http on loopback: the demo, and only the demo,
    // lets the guarded fetcher reach it.
    config.allow_loopback_fakes();
    // The demo's suggested person has a real-looking profile of their own, so onboarding's
    // "Take it from my profile" works in the demo too.
    // Its description links the person's Mastodon and X accounts, which onboarding suggests.
    bluesky.add_account(demo_person());
    Ok((DemoWorld { bluesky, youtube }, config))
}

/// The Bluesky handle of the person the demo suggests registering (its profile, with a
/// picture, is on the demo's fake Bluesky).
pub use doppelwatch::fake::demo::DEMO_PERSON_HANDLE;

/// Plants the demo namesake, then the impostors one by one, once a person is registered in
/// `store`.
pub async fn plant(store: Arc<Store>, world: Arc<DemoWorld>) {
    let identity = loop {
        if let Some((_, identity)) = store.identities().ok().and_then(|mut ids| ids.pop()) {
            break identity;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let handle = demo_handle(&identity);
    world.bluesky.set_app_password(&handle, DEMO_APP_PASSWORD);
    let avatar = identity.avatar.as_ref().and_then(|p| {
        doppelwatch::files::input::read_regular(
            p,
            doppelwatch::app::avatar::MAX_AVATAR_BYTES as u64,
        )
        .ok()
    });
    // On YouTube, a channel one look-alike letter away copies the name, bio and picture;
    // the periodic check's handle probes find it. It appears a few Bluesky impostors in, so
    // the first alert is one that can be reported through an API.
    let mut channel = Some(youtube_impostor(&identity, avatar.clone()));
    tokio::time::sleep(IMPOSTOR_EVERY).await;
    let namesake = demo_namesake(&identity);
    tracing::info!("demo: a namesake appears: {}", namesake.handle);
    world.bluesky.add_account(namesake);
    for (i, account) in demo_impostors(&identity, avatar, IMPOSTORS)
        .into_iter()
        .enumerate()
    {
        tokio::time::sleep(IMPOSTOR_EVERY).await;
        tracing::info!("demo: a new impostor appears: {}", account.handle);
        world.bluesky.add_account(account);
        if i == 2 {
            if let Some(channel) = channel.take() {
                tracing::info!(
                    "demo: a look-alike YouTube channel appears: {}",
                    channel.handle
                );
                world.youtube.add_account(channel);
            }
        }
    }
}
