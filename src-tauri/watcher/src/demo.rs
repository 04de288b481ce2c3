//! Demo mode (`--demo`): the watcher watches bundled fake platform servers on loopback, where
//! a namesake of the registered person (worth a look, no pop-up) and then impostors appear every
//! few seconds; and a fake YouTube, where a look-alike channel (`@PaImerReport`, the person's
//! name and picture copied) is found by handle probe. After these, a clone wave of 118
//! look-alikes arrives at once on Bluesky (live stream), Mastodon and X (periodic checks)
//! (issue 11). Reports filed to the fakes are listed in `fake-reports.json` in the demo
//! folder ([`book`]), so a test can count what the platforms received. No account or internet
//! needed.
//!
//! The demo lives in its own folder (`demo` in the data folder) as a demo session
//! ([`session`]): a demo watcher that finds no open session empties that folder and begins
//! one; one started after a demo watcher died (killed, crashed; the window's supervisor or
//! the window opened again starts it) resumes it: the store, the report queue and the
//! settings stay, the fakes take the same loopback ports again, the accounts the demo had
//! placed are placed again unchanged (the same DIDs and ids, the same times; Bluesky's live
//! stream does not announce them again) and the fakes get back the reports they had
//! received, so "received" stays true across the restart. A watcher asked to stop ends the
//! session. The fakes live in the watcher process, as long as it runs; this module never
//! touches the keychain, a real platform or a folder other than the demo's.

pub mod book;
pub mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::demo::{
    demo_handle, demo_impostors, demo_namesake, demo_person, demo_wave, youtube_impostor,
    DEMO_PERSON_HANDLE as PERSON,
};
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::x::FakeX;
use doppelwatch::fake::youtube::FakeYoutube;
use doppelwatch::fake::FakeAccount;
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
pub use book::FAKE_REPORTS_FILE;
pub use session::Session;

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

/// Starts `start` on `port` again (a resumed session's), else on any free port.
async fn on_port<T, F, Fut>(name: &str, port: u16, start: F) -> std::io::Result<T>
where
    F: Fn(u16) -> Fut,
    Fut: Future<Output = std::io::Result<T>>,
{
    if port != 0 {
        match start(port).await {
            Ok(fake) => return Ok(fake),
            Err(e) => tracing::warn!(
                "demo: the fake {name} cannot take its port {port} again ({e}); it takes another, and the pictures the app saw there are seen anew"
            ),
        }
    }
    start(0).await
}

/// The port of a fake's `http://127.0.0.1:PORT` base URL.
fn port_of(base_url: &str) -> u16 {
    base_url
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or(0)
}

/// Starts the fake Bluesky, Mastodon, X and YouTube of `session` (on its ports when it is
/// resumed, with the accounts placed and the reports received so far) and returns `config`
/// pointed at them, with short check intervals so the demo moves.
pub async fn start(
    mut config: Config,
    session: &Session,
    store: &Store,
) -> std::io::Result<(DemoWorld, Config)> {
    let ports = session.ports();
    let bluesky = on_port("Bluesky", ports.bluesky, FakeBluesky::start_on).await?;
    let youtube = on_port("YouTube", ports.youtube, |p| {
        FakeYoutube::start_on(DEMO_YOUTUBE_KEY, p)
    })
    .await?;
    let mastodon = on_port("Mastodon", ports.mastodon, |p| {
        FakeMastodon::start_on(DEMO_MASTODON_DOMAIN, p)
    })
    .await?;
    let x = on_port("X", ports.x, |p| FakeX::start_on(DEMO_X_TOKEN, p)).await?;
    session.set_ports(session::Ports {
        bluesky: port_of(&bluesky.base_url()),
        youtube: port_of(&youtube.base_url()),
        mastodon: port_of(&mastodon.base_url()),
        x: port_of(&x.base_url()),
    })?;
    // Every report the fakes take is listed before they answer it; a resumed session's
    // fakes get back what they had received.
    let book = Arc::new(book::DemoBook::new(
        session.dir(),
        session.take_received(),
        book::hold_from_env(),
    ));
    bluesky.restore_reports(book.received_on(&Platform::Bluesky));
    mastodon.restore_reports(book.received_on(&Platform::Mastodon));
    bluesky.keep_reports_in(book.clone());
    mastodon.keep_reports_in(book.clone());
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
    bluesky.add_account_as(
        &doppelwatch::fake::bluesky::stable_did(DEMO_PERSON_HANDLE),
        demo_person(),
    );
    let world = DemoWorld {
        bluesky,
        youtube,
        mastodon,
        x,
    };
    // What the session placed before is there again before anything watches it.
    let done = session.planted_at();
    if !done.is_empty() {
        if let Some(identity) = demo_target(store) {
            let steps = script(&identity);
            for (step, at) in steps.into_iter().zip(done.iter().copied()) {
                place(&world, step, at, Placing::Again);
            }
        }
    }
    if session.resumed() {
        tracing::info!(
            "demo: the demo session goes on: {} step(s) of the demo placed again, {} report(s) the fakes had received",
            done.len(),
            book.len()
        );
    }
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

/// One step of the demo's script: accounts that appear together, and what the log says.
struct Step {
    says: String,
    accounts: Vec<(Platform, FakeAccount)>,
}

/// The demo's script for `identity`, in order: the namesake, the impostors one by one (the
/// look-alike YouTube channel with the third, so the first alert is one that can be
/// reported through an API), then the clone wave. The same every time for the same person.
fn script(identity: &Identity) -> Vec<Step> {
    let avatar = identity.avatar.as_ref().and_then(|p| {
        doppelwatch::files::input::read_regular(
            p,
            doppelwatch::app::avatar::MAX_AVATAR_BYTES as u64,
        )
        .ok()
    });
    let namesake = demo_namesake(identity);
    let mut steps = vec![Step {
        says: format!("a namesake appears: {}", namesake.handle),
        accounts: vec![(Platform::Bluesky, namesake)],
    }];
    let trickle = demo_impostors(identity, avatar.clone(), IMPOSTORS);
    for (i, account) in trickle.iter().cloned().enumerate() {
        let mut step = Step {
            says: format!("a new impostor appears: {}", account.handle),
            accounts: vec![(Platform::Bluesky, account)],
        };
        if i == 2 {
            let channel = youtube_impostor(identity, avatar.clone());
            step.says += &format!(", and a look-alike YouTube channel: {}", channel.handle);
            step.accounts.push((Platform::Youtube, channel));
        }
        steps.push(step);
    }
    let wave = demo_wave(identity, avatar, &trickle);
    steps.push(Step {
        says: format!(
            "a clone wave of {} look-alikes appears on Bluesky, Mastodon and X",
            wave.len()
        ),
        accounts: wave,
    });
    steps
}

/// Whether a step is placed for the first time or again (a resumed session).
#[derive(PartialEq)]
enum Placing {
    First,
    Again,
}

/// Places the accounts of `step`, made `at`, on the fakes: the same DIDs and ids each time
/// (Bluesky's from the handle, the others' from the order), announced on Bluesky's live
/// stream only the first time.
fn place(world: &DemoWorld, step: Step, at: DateTime<Utc>, placing: Placing) {
    if placing == Placing::First {
        tracing::info!("demo: {}", step.says);
    }
    for (platform, mut account) in step.accounts {
        account.created_at = account.created_at.or(Some(at));
        match platform {
            Platform::Mastodon => {
                world.mastodon.add_account(account);
            }
            Platform::X => {
                world.x.add_account(account);
            }
            Platform::Youtube => {
                world.youtube.add_account(account);
            }
            _ => {
                let did = doppelwatch::fake::bluesky::stable_did(&account.handle);
                if placing == Placing::First {
                    world.bluesky.add_account_as(&did, account);
                } else {
                    world.bluesky.restore_account_as(&did, account);
                }
            }
        }
    }
}

/// Plants the rest of the demo's script, a step every few seconds, once a person is
/// registered in `store`, recording each step in `session`.
pub async fn plant(store: Arc<Store>, world: Arc<DemoWorld>, session: Arc<Session>) {
    let identity = loop {
        if let Some(identity) = demo_target(&store) {
            break identity;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    world
        .bluesky
        .set_app_password(&demo_handle(&identity), DEMO_APP_PASSWORD);
    let every = pace();
    let done = session.planted_at().len();
    for step in script(&identity).into_iter().skip(done) {
        tokio::time::sleep(every).await;
        let at = Utc::now();
        place(&world, step, at, Placing::First);
        session.planted(at);
    }
}
