//! The person's other accounts, as their own profile links them (onboarding, issue 12): links
//! and addresses in a Bluesky description or a Mastodon note (`x.com/NAME`,
//! `bsky.app/profile/HANDLE`, `https://server/@user`, `@user@server`, "X: @NAME"), and
//! Mastodon profile fields, those the server verified (`verified_at`, their page links back)
//! marked so; a verified website's domain is suggested as a Bluesky custom-domain handle.
//!
//! Pure: text in, suggestions out, no I/O. The text is the platform's and untrusted: every
//! suggestion is a handle valid by its platform's rules (anything else is dropped), and the
//! person confirms each one before it is used.

use serde::Serialize;

use crate::identity::{validate_handle, Platform};
use crate::profile::Profile;
use crate::sources::mastodon::parse::VERIFIED_FIELD_LABEL;

/// At most this many suggestions from one profile.
pub const MAX_SUGGESTIONS: usize = 10;

/// A handle the person's profile links, for them to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandleSuggestion {
    pub platform: Platform,
    /// Canonical by the platform's rules.
    pub handle: String,
    /// Where it was found, in words ("a link in your Bluesky description", "your Mastodon
    /// profile field \"X\"").
    pub found_in: String,
    /// The platform verified the link (a Mastodon field with `verified_at`).
    pub verified: bool,
}

/// Hosts whose `/@name` pages are not Mastodon accounts.
const NOT_MASTODON: [&str; 8] = [
    "youtube.com",
    "www.youtube.com",
    "medium.com",
    "tiktok.com",
    "www.tiktok.com",
    "threads.net",
    "www.threads.net",
    "bsky.app",
];

/// Paths on x.com that are no account.
const X_RESERVED: [&str; 8] = [
    "home", "i", "intent", "share", "search", "explore", "hashtag", "settings",
];

/// The other handles `profile` (the person's own, on its platform) links, verified first.
pub fn suggested_handles(profile: &Profile) -> Vec<HandleSuggestion> {
    let where_ = crate::report::platform_name(&profile.platform);
    let mut out: Vec<HandleSuggestion> = Vec::new();
    let bio = profile.bio.as_deref().unwrap_or_default();
    for line in bio.lines() {
        // Mastodon fields arrive as "Name: value" lines after the note.
        let field = match profile.platform {
            Platform::Mastodon => line.split_once(": ").map(|(n, v)| (n.trim(), v)),
            _ => None,
        };
        let verified = field.is_some_and(|(name, _)| {
            profile
                .labels
                .iter()
                .any(|l| l.strip_prefix(VERIFIED_FIELD_LABEL) == Some(name))
        });
        let found_in = match field {
            Some((name, _)) => format!(
                "your {where_} profile field \"{}\"",
                crate::report::visible(name, 40)
            ),
            None => format!("a link in your {where_} profile"),
        };
        for (platform, handle) in handles_in(line, field.map(|(n, _)| n)) {
            push(&mut out, profile, platform, handle, &found_in, verified);
        }
        // A verified website: its domain can be the person's Bluesky handle.
        if let (true, Some((_, value))) = (verified, field) {
            if let Some(domain) = bare_domain(value.trim()) {
                let found_in = format!("your verified website {domain}");
                push(
                    &mut out,
                    profile,
                    Platform::Bluesky,
                    domain,
                    &found_in,
                    true,
                );
            }
        }
    }
    out.sort_by_key(|s| !s.verified);
    out.truncate(MAX_SUGGESTIONS);
    out
}

fn push(
    out: &mut Vec<HandleSuggestion>,
    own: &Profile,
    platform: Platform,
    handle: String,
    found_in: &str,
    verified: bool,
) {
    let Ok(handle) = validate_handle(&platform, &handle) else {
        return;
    };
    let same = |p: &Platform, h: &str| *p == platform && h.eq_ignore_ascii_case(&handle);
    if same(&own.platform, &own.handle) {
        return;
    }
    match out.iter_mut().find(|s| same(&s.platform, &s.handle)) {
        Some(known) => known.verified |= verified,
        None => out.push(HandleSuggestion {
            platform,
            handle,
            found_in: found_in.to_string(),
            verified,
        }),
    }
}

/// The handles one line names. `field` is the Mastodon field's name, when the line is one.
fn handles_in(line: &str, field: Option<&str>) -> Vec<(Platform, String)> {
    let mut found = Vec::new();
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '·' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_end_matches(['.', ';', '!']);
        if let Some(hit) = link_handle(word) {
            found.push(hit);
            continue;
        }
        // `@user@server.tld`: a fediverse address.
        let bare = word.trim_start_matches('@');
        if word.starts_with('@') && bare.contains('@') {
            found.push((Platform::Mastodon, bare.to_string()));
            continue;
        }
        // "X: @Name", "Twitter @Name", or a field named X whose value is @Name.
        let before = match i {
            0 => field.unwrap_or_default(),
            _ => words[i - 1],
        };
        let before = before.trim_end_matches(':').to_ascii_lowercase();
        if word.starts_with('@')
            && ["x", "twitter", "x.com", "twitter.com"].contains(&before.as_str())
        {
            found.push((Platform::X, bare.to_string()));
        }
    }
    found
}

/// The account a profile link names: `x.com/NAME`, `bsky.app/profile/HANDLE`,
/// `https://server/@user`.
fn link_handle(word: &str) -> Option<(Platform, String)> {
    let rest = word
        .strip_prefix("https://")
        .or_else(|| word.strip_prefix("http://"))
        .unwrap_or(word);
    let (host, path) = rest.split_once('/')?;
    let host = host.to_ascii_lowercase();
    let first = path.split(['/', '?', '#']).next().unwrap_or_default();
    match host.as_str() {
        "x.com" | "www.x.com" | "twitter.com" | "www.twitter.com" | "mobile.twitter.com" => {
            (!first.is_empty() && !X_RESERVED.contains(&first.to_ascii_lowercase().as_str()))
                .then(|| (Platform::X, first.to_string()))
        }
        "bsky.app" => {
            let handle = path
                .strip_prefix("profile/")?
                .split(['/', '?', '#'])
                .next()?;
            (!handle.starts_with("did:")).then(|| (Platform::Bluesky, handle.to_string()))
        }
        _ if host.contains('.') && !NOT_MASTODON.contains(&host.as_str()) => {
            let user = first.strip_prefix('@')?;
            (!user.is_empty() && !user.contains('@'))
                .then(|| (Platform::Mastodon, format!("{user}@{host}")))
        }
        _ => None,
    }
}

/// `palmerreport.com` for `https://palmerreport.com` or `https://palmerreport.com/`: a
/// website with no path, whose domain can be a Bluesky handle.
fn bare_domain(value: &str) -> Option<String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let host = rest.strip_suffix('/').unwrap_or(rest);
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.') && !host.contains(['/', '?', '#', '@', ':']))
        .then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(platform: Platform, handle: &str, bio: &str, labels: &[&str]) -> Profile {
        Profile {
            platform,
            handle: handle.into(),
            bio: Some(bio.into()),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            ..Default::default()
        }
    }

    fn pairs(s: &[HandleSuggestion]) -> Vec<(String, String, bool)> {
        s.iter()
            .map(|s| (s.platform.to_string(), s.handle.clone(), s.verified))
            .collect()
    }

    #[test]
    fn a_bluesky_description_links_x_mastodon_and_bluesky_accounts() {
        let p = profile(
            Platform::Bluesky,
            "palmerreport.bsky.social",
            "News. Also on https://mastodon.social/@palmerreport and X: @PalmerReport.\n\
             Old: twitter.com/intent/tweet, bsky.app/profile/palmerreport.bsky.social, \
             youtube.com/@palmer, @palmer@mstdn.example",
            &[],
        );
        assert_eq!(
            pairs(&suggested_handles(&p)),
            vec![
                (
                    "mastodon".into(),
                    "palmerreport@mastodon.social".into(),
                    false
                ),
                ("x".into(), "PalmerReport".into(), false),
                ("mastodon".into(), "palmer@mstdn.example".into(), false),
            ],
            "its own handle, intents and YouTube are no suggestions"
        );
    }

    #[test]
    fn mastodon_fields_the_server_verified_come_first_and_their_website_is_a_bluesky_domain() {
        let p = profile(
            Platform::Mastodon,
            "palmer@mastodon.social",
            "Political news\nX: @PalmerReport\nWebsite: https://palmerreport.com\nBluesky: https://bsky.app/profile/palmerreport.com",
            &["verified_link", "verified_link:Website"],
        );
        assert_eq!(
            pairs(&suggested_handles(&p)),
            vec![
                ("bluesky".into(), "palmerreport.com".into(), true),
                ("x".into(), "PalmerReport".into(), false),
            ]
        );
        let s = suggested_handles(&p);
        assert_eq!(s[0].found_in, "your verified website palmerreport.com");
        assert_eq!(s[1].found_in, "your Mastodon profile field \"X\"");
    }

    #[test]
    fn hostile_text_gives_only_valid_handles() {
        let p = profile(
            Platform::Bluesky,
            "me.bsky.social",
            "x.com/<script> https://evil.example/@a@b @@ @x@ x.com/javascript:alert(1) \
             https://127.0.0.1/@root",
            &[],
        );
        for s in suggested_handles(&p) {
            assert!(validate_handle(&s.platform, &s.handle).is_ok(), "{s:?}");
            assert!(!s.handle.contains(['<', ':', '(']), "{s:?}");
        }
    }
}
