//! Demo mode (`--demo`): the watcher watches bundled fake platform servers on loopback, where
//! a namesake of the registered person (worth a look, no pop-up) and then impostors appear every
//! few seconds. No account or internet needed.
//! The fakes live in the watcher process, as long as it runs.

use std::sync::Arc;
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::detect::variants::variants;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::store::Store;

/// Seconds between two demo impostors.
const IMPOSTOR_EVERY: Duration = Duration::from_secs(6);
/// How many impostors the demo creates in all.
const IMPOSTORS: usize = 12;
/// The app password the fake Bluesky accepts for the person's account, so "file through
/// Bluesky" works in the demo (the window uses it instead of the keychain in demo mode).
pub const DEMO_APP_PASSWORD: &str = "demo-app-password";

/// The fake platforms of a demo, kept alive as long as the app.
pub struct DemoWorld {
    pub bluesky: FakeBluesky,
}

/// Starts the fake Bluesky and returns `config` pointed at it (other platforms off), with
/// short check intervals so the demo moves.
pub async fn start(mut config: Config) -> std::io::Result<(DemoWorld, Config)> {
    let bluesky = FakeBluesky::start().await?;
    config.bluesky.enabled = true;
    config.bluesky.base_url = bluesky.base_url();
    config.bluesky.pds_url = bluesky.base_url();
    config.bluesky.jetstream_url = bluesky.jetstream_url();
    config.mastodon.enabled = false;
    config.x.enabled = false;
    config.watch.check_interval_secs = 20;
    // The fake serves its avatars over plain http on loopback: the demo, and only the demo,
    // lets the guarded fetcher reach it.
    config.allow_loopback_fakes();
    // The demo's suggested person has a real-looking profile of their own, so onboarding's
    // "Take it from my profile" works in the demo too.
    bluesky.add_account(
        FakeAccount::new(DEMO_PERSON_HANDLE)
            .name("Palmer Report")
            .bio("Independent political news and analysis.")
            .avatar(doppelwatch::fake::sample_avatar_png(11)),
    );
    Ok((DemoWorld { bluesky }, config))
}

/// The Bluesky handle of the person the demo suggests registering (its profile, with a
/// picture, is on the demo's fake Bluesky).
pub const DEMO_PERSON_HANDLE: &str = "palmerreport.bsky.social";

/// The person's Bluesky handle, or one made from their name for the demo.
pub fn bluesky_handle(identity: &Identity) -> String {
    identity
        .handles
        .iter()
        .find(|h| h.platform == Platform::Bluesky)
        .map(|h| h.handle.clone())
        .unwrap_or_else(|| {
            let slug: String = identity
                .name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            format!(
                "{}.bsky.social",
                if slug.is_empty() { "person" } else { &slug }
            )
        })
}

/// The impostors the demo plants for `identity`, in order: look-alike handles with the
/// person's name, bio and avatar; one of them carries HTML and script in its name and bio
/// (which the app must show as inert text).
pub fn impostors(identity: &Identity, avatar: Option<Vec<u8>>) -> Vec<FakeAccount> {
    let handle = bluesky_handle(identity);
    let bio = identity
        .bio
        .clone()
        .unwrap_or_else(|| format!("Official account of {}.", identity.name));
    variants(&Platform::Bluesky, &handle, IMPOSTORS)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let mut account = FakeAccount::new(v.handle).name(identity.name.clone());
            account = if i == 1 {
                account
                    .name(format!(
                        "{} <img src=x onerror=\"window.__pwned=1\">",
                        identity.name
                    ))
                    .bio(format!(
                        "<script>window.__pwned=2</script>{bio} New account, follow here!"
                    ))
            } else {
                account.bio(bio.clone())
            };
            if let Some(bytes) = &avatar {
                account = account.avatar(bytes.clone());
            }
            account
        })
        .collect()
}

/// Plants the demo namesake, then the impostors one by one, once a person is registered in
/// `store`.
pub async fn plant(store: Arc<Store>, world: Arc<DemoWorld>) {
    let identity = loop {
        if let Some((_, identity)) = store.identities().ok().and_then(|mut ids| ids.pop()) {
            break identity;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let handle = bluesky_handle(&identity);
    world.bluesky.set_app_password(&handle, DEMO_APP_PASSWORD);
    let avatar = identity.avatar.as_ref().and_then(|p| {
        doppelwatch::files::input::read_regular(p, crate::avatar::MAX_AVATAR_BYTES as u64).ok()
    });
    tokio::time::sleep(IMPOSTOR_EVERY).await;
    let namesake = doppelwatch::fake::demo::namesake(&identity, &Platform::Bluesky);
    tracing::info!("demo: a namesake appears: {}", namesake.handle);
    world.bluesky.add_account(namesake);
    for account in impostors(&identity, avatar) {
        tokio::time::sleep(IMPOSTOR_EVERY).await;
        tracing::info!("demo: a new impostor appears: {}", account.handle);
        world.bluesky.add_account(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doppelwatch::identity::AccountHandle;

    #[test]
    fn impostors_copy_the_person_with_lookalike_handles() {
        let person = Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.bsky.social".into(),
            }],
            avatar: None,
            bio: None,
        };
        let list = impostors(&person, None);
        assert!(list.len() >= 3, "{}", list.len());
        assert!(list.iter().all(|a| a.handle != "palmerreport.bsky.social"));
        assert!(list.iter().all(|a| a
            .display_name
            .as_deref()
            .is_some_and(|n| n.contains("Palmer Report"))));
        assert!(list[1]
            .bio
            .as_deref()
            .is_some_and(|b| b.contains("<script>")));
    }

    #[test]
    fn a_handle_is_made_up_when_the_person_has_no_bluesky() {
        let person = Identity {
            name: "Ana María".into(),
            aliases: vec![],
            handles: vec![],
            avatar: None,
            bio: None,
        };
        assert_eq!(bluesky_handle(&person), "anamara.bsky.social");
    }
}
