//! Impostors of a person, ready to place on the fakes: what the desktop demo mode shows
//! appearing every few seconds, and what tests use when any plausible copy will do.

use super::FakeAccount;
use crate::detect::variants::variants;
use crate::identity::{Identity, Platform};

/// Ways impostors dress up a copied display name.
fn decorated_name(name: &str, n: usize) -> String {
    match n % 5 {
        // Capital I for lowercase l: the classic.
        0 if name.contains('l') => name.replacen('l', "I", 1),
        1 => format!("{name} ✓"),
        // Cyrillic а for Latin a.
        2 if name.contains('a') => name.replacen('a', "\u{0430}", 1),
        3 => format!("{name} (Official)"),
        _ => name.to_string(),
    }
}

/// Up to `count` look-alike accounts of `identity` on `platform` (Bluesky, Mastodon or X):
/// a look-alike handle from the detector's variants, a decorated copy of the name, the bio
/// copied. Handles follow the platform's rules (a username on Mastodon and X).
pub fn impostors(identity: &Identity, platform: &Platform, count: usize) -> Vec<FakeAccount> {
    let own: Vec<String> = identity.handles_on(platform).map(String::from).collect();
    // The person's own usernames anywhere: an impostor needs a handle the fake can hold
    // beside the person's own account.
    let own_users: Vec<String> = identity
        .handles
        .iter()
        .map(|h| {
            h.handle
                .split(['@', '.'])
                .next()
                .unwrap_or(&h.handle)
                .to_ascii_lowercase()
        })
        .collect();
    let base = own.first().cloned().unwrap_or_else(|| {
        let stem: String = identity
            .name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        match platform {
            Platform::Bluesky => format!("{}.bsky.social", stem.to_ascii_lowercase()),
            Platform::Mastodon => format!("{stem}@mastodon.social"),
            _ => stem.chars().take(15).collect(),
        }
    });
    // Mastodon variants mostly change the server; ask for plenty and keep distinct usernames.
    let mut seen = std::collections::HashSet::new();
    variants(platform, &base, count * 20)
        .into_iter()
        .map(|v| match platform {
            Platform::Mastodon => v.handle.split('@').next().unwrap_or(&v.handle).to_string(),
            _ => v.handle,
        })
        .filter(|h| {
            let user = h.split(['@', '.']).next().unwrap_or(h).to_ascii_lowercase();
            !own.iter().any(|o| o.eq_ignore_ascii_case(h))
                && !own_users.contains(&user)
                && seen.insert(h.to_ascii_lowercase())
        })
        .take(count)
        .enumerate()
        .map(|(n, handle)| {
            let mut account = FakeAccount::new(handle).name(decorated_name(&identity.name, n));
            if let Some(bio) = &identity.bio {
                account = account.bio(bio.clone());
            }
            account.followers(n as u64 * 7 % 50)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::AccountHandle;

    #[test]
    fn impostors_follow_platform_rules_and_copy_the_name() {
        let identity = Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::X,
                handle: "PalmerReport".into(),
            }],
            avatar: None,
            bio: Some("News".into()),
        };
        for platform in [Platform::X, Platform::Bluesky, Platform::Mastodon] {
            let list = impostors(&identity, &platform, 5);
            assert_eq!(list.len(), 5, "{platform}");
            for a in &list {
                assert_ne!(a.handle.to_ascii_lowercase(), "palmerreport");
                let check = match platform {
                    Platform::Mastodon => format!("{}@mastodon.social", a.handle),
                    _ => a.handle.clone(),
                };
                crate::identity::validate_handle(&platform, &check)
                    .unwrap_or_else(|e| panic!("{platform}: {e}"));
                assert_eq!(a.bio.as_deref(), Some("News"));
            }
            assert!(list
                .iter()
                .any(|a| a.display_name.as_deref() == Some("PaImer Report")));
        }
    }
}
