//! Demo mode (`--demo`): the watcher watches bundled fake platform servers on loopback, where
//! a namesake of the registered person (worth a look, no pop-up) and then impostors appear every
//! few seconds; and a fake YouTube, where a look-alike channel (`@PaImerReport`, the person's
//! name and picture copied) is found by handle probe. After these, a clone wave of 110
//! look-alikes arrives at once on Bluesky (live stream), Mastodon and X (periodic checks)
//! (issue 11). Reports filed to the fakes are listed in `fake-reports.json` in the demo
//! folder, so a test can count what the platforms received. No account or internet needed.
//! The fakes live in the watcher process, as long as it runs; this module never touches the
//! keychain or a real platform.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::demo::{
    demo_handle, demo_impostors, demo_namesake, demo_person, demo_wave, youtube_impostor,
    DEMO_PERSON_HANDLE as PERSON,
};
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::x::FakeX;
use doppelwatch::fake::youtube::FakeYoutube;
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::secrets::SecretKey;
use doppelwatch::store::Store;

/// Seconds between two demo impostors (`DOPPELWATCH_DEMO_PACE_MS` changes it, for tests).
const IMPOSTOR_EVERY: Duration = Duration::from_secs(6);
/// How many impostors the demo creates in all.
const IMPOSTORS: usize = 12;
/// The app password the fake Bluesky accepts for the person's account, so "file through
/// Bluesky" works in the demo (the window uses it instead of the keychain in demo mode).
pub const DEMO_APP_PASSWORD: &str = "demo-app-password";
/// The API key the demo's fake YouTube accepts.
pub const DEMO_YOUTUBE_KEY: &str = "demo-youtube-api-key";
/// The user token the demo's fake Mastodon accepts for the person's account there.
pub const DEMO_MASTODON_TOKEN: &str = "demo-mastodon-token";
/// The bearer (and user-context) token the demo's fake X accepts.
pub const DEMO_X_TOKEN: &str = "demo-x-token";
/// The server the demo's fake Mastodon stands for (the person's `user@mastodon.social`).
pub const DEMO_MASTODON_DOMAIN: &str = "mastodon.social";
/// The file in the demo folder listing the reports the fakes received.
pub const FAKE_REPORTS_FILE: &str = "fake-reports.json";

/// The secrets of the demo's fakes (the demo never touches the keychain).
pub fn demo_secret(key: &SecretKey) -> Option<&'static str> {
    match key {
        SecretKey::BlueskyAppPassword { .. } => Some(DEMO_APP_PASSWORD),
        SecretKey::YoutubeApiKey => Some(DEMO_YOUTUBE_KEY),
        SecretKey::MastodonToken { .. } => Some(DEMO_MASTODON_TOKEN),
        SecretKey::XBearerToken | SecretKey::XUserToken => Some(DEMO_X_TOKEN),
    }
}

/// What a demo's settings need beyond what travels to the window: the fake Mastodon stands
/// for the person's server (so reports go to it). The watcher and the window both call it.
pub fn point_at_fakes(config: &mut Config) {
    config.mastodon.demo_domain = Some(DEMO_MASTODON_DOMAIN.to_string());
}

/// The fake platforms of a demo, kept alive as long as the app.
pub struct DemoWorld {
    pub bluesky: FakeBluesky,
    pub youtube: FakeYoutube,
    pub mastodon: FakeMastodon,
    pub x: FakeX,
}

/// Starts the fake Bluesky, Mastodon, X and YouTube and returns `config` pointed at them,
/// with short check intervals so the demo moves.
pub async fn start(mut config: Config) -> std::io::Result<(DemoWorld, Config)> {
    let bluesky = FakeBluesky::start().await?;
    let youtube = FakeYoutube::start(DEMO_YOUTUBE_KEY).await?;
    let mastodon = FakeMastodon::start(DEMO_MASTODON_DOMAIN).await?;
    let x = FakeX::start(DEMO_X_TOKEN).await?;
    // The person's own Mastodon account files reports with the demo token; X searches too.
    mastodon.add_user_token(DEMO_MASTODON_TOKEN, "palmerreport");
    x.add_user_token(DEMO_X_TOKEN);
    config.youtube.enabled = true;
    config.youtube.base_url = youtube.base_url();
    // The demo's look-alike channel appears after the first check probed its handle: probe
    // again at every check (a real quota re-probes a handle after 6 hours).
    config.youtube.reread_window_hours = 0;
    config.bluesky.enabled = true;
    config.bluesky.base_url = bluesky.base_url();
    config.bluesky.pds_url = bluesky.base_url();
    config.bluesky.jetstream_url = bluesky.jetstream_url();
    config.mastodon.enabled = true;
    config.mastodon.servers = vec![mastodon.base_url()];
    // The directory of new accounts (one page of 80) holds the whole Mastodon part of a wave.
    config.mastodon.directory_limit = 80;
    config.x.enabled = true;
    config.x.base_url = x.base_url();
    // Enough probes for the X part of the wave, and a cap its reads stay far under (fake
    // dollars: the fake bills as X does).
    config.x.probe_limit = 4 * doppelwatch::fake::demo::WAVE_X;
    config.x.daily_cap_usd = 100.0;
    config.watch.check_interval_secs = 20;
    // Every platform at the demo's pace (X is checked less often by default: paid reads).
    config.watch.platform_interval_secs.clear();
    // The demo's impostors arrive seconds apart, all in one wave: its updates come half a
    // minute apart (not a quarter of an hour) so they can be seen.
    config.watch.wave_update_secs = 30;
    // A demo wave can be filed as one batch (the fakes take any number of reports).
    config.watch.report_daily_cap = 100;
    // The fake serves its avatars over plain http on loopback: the demo, and only the demo,
    // lets the guarded fetcher reach it.
    config.allow_loopback_fakes();
    point_at_fakes(&mut config);
    // The demo's suggested person has a real-looking profile of their own, so onboarding's
    // "Take it from my profile" works in the demo too.
    // Its description links the person's Mastodon and X accounts, which onboarding suggests.
    bluesky.add_account(demo_person());
    let world = DemoWorld {
        bluesky,
        youtube,
        mastodon,
        x,
    };
    Ok((world, config))
}

/// The Bluesky handle of the person the demo suggests registering (its profile, with a
/// picture, is on the demo's fake Bluesky).
pub use doppelwatch::fake::demo::DEMO_PERSON_HANDLE;

/// The person the demo plants look-alikes of: the demo's suggested person once registered,
/// else the first person registered.
fn demo_target(store: &Store) -> Option<Identity> {
    let people = store.identities().ok()?;
    people
        .iter()
        .find(|(_, p)| p.handles_on(&Platform::Bluesky).any(|h| h == PERSON))
        .or_else(|| people.first())
        .map(|(_, p)| p.clone())
}

/// The pace of the demo's first impostors: [`IMPOSTOR_EVERY`], or
/// `DOPPELWATCH_DEMO_PACE_MS` milliseconds (100 to 60000) for a test in a hurry.
fn pace() -> Duration {
    std::env::var("DOPPELWATCH_DEMO_PACE_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map_or(IMPOSTOR_EVERY, |ms| {
            Duration::from_millis(ms.clamp(100, 60_000))
        })
}

/// Plants the demo namesake, then the impostors one by one, then the clone wave, once a
/// person is registered in `store`; and keeps [`FAKE_REPORTS_FILE`] in `dir` up to date.
pub async fn plant(store: Arc<Store>, world: Arc<DemoWorld>, dir: PathBuf) {
    tokio::spawn(list_reports(world.clone(), dir));
    let identity = loop {
        if let Some(identity) = demo_target(&store) {
            break identity;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let every = pace();
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
    tokio::time::sleep(every).await;
    let namesake = demo_namesake(&identity);
    tracing::info!("demo: a namesake appears: {}", namesake.handle);
    world.bluesky.add_account(namesake);
    let trickle = demo_impostors(&identity, avatar.clone(), IMPOSTORS);
    for (i, account) in trickle.iter().cloned().enumerate() {
        tokio::time::sleep(every).await;
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
    tokio::time::sleep(every).await;
    let wave = demo_wave(&identity, avatar, &trickle);
    tracing::info!(
        "demo: a clone wave of {} look-alikes appears on Bluesky, Mastodon and X",
        wave.len()
    );
    for (platform, account) in wave {
        match platform {
            Platform::Mastodon => {
                world.mastodon.add_account(account);
            }
            Platform::X => {
                world.x.add_account(account);
            }
            _ => {
                world.bluesky.add_account(account);
            }
        }
    }
}

/// One report a demo fake received, as [`FAKE_REPORTS_FILE`] lists it.
#[derive(serde::Serialize, PartialEq)]
struct Received {
    platform: &'static str,
    /// The reported account (a DID on Bluesky, the account id on Mastodon).
    subject: String,
    reported_by: String,
}

/// Writes the reports the fakes received to [`FAKE_REPORTS_FILE`] in `dir` whenever they
/// change (a private file, replaced whole), for as long as the demo runs.
async fn list_reports(world: Arc<DemoWorld>, dir: PathBuf) {
    let mut last: Option<Vec<Received>> = None;
    loop {
        let received: Vec<Received> = (world.bluesky.received_reports().into_iter())
            .map(|r| ("bluesky", r))
            .chain(
                world
                    .mastodon
                    .received_reports()
                    .into_iter()
                    .map(|r| ("mastodon", r)),
            )
            .map(|(platform, r)| Received {
                platform,
                subject: r.subject,
                reported_by: r.reported_by,
            })
            .collect();
        if last.as_ref() != Some(&received) {
            match serde_json::to_vec_pretty(&received) {
                Ok(bytes) => {
                    let path = dir.join(FAKE_REPORTS_FILE);
                    let tmp = dir.join(format!("{FAKE_REPORTS_FILE}.tmp"));
                    let written = doppelwatch::files::private::create_private(&tmp)
                        .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
                        .and_then(|()| std::fs::rename(&tmp, &path));
                    if let Err(e) = written {
                        tracing::warn!("demo: cannot write {}: {e}", path.display());
                    }
                }
                Err(e) => tracing::warn!("demo: cannot list the fakes' reports: {e}"),
            }
            last = Some(received);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
