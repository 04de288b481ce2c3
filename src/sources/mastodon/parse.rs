//! Mastodon `Account` entities into Doppelwatch profiles (pure, tested on fixtures).
//!
//! `note` and field values are HTML: they are stripped to text here and never kept raw.

use serde::Deserialize;
use serde_json::Value;

use crate::identity::Platform;
use crate::profile::Profile;
use crate::sources::bluesky::parse::parse_time;
use crate::sources::text::{bound, html_to_text};

#[derive(Debug, Deserialize)]
struct AccountWire {
    id: String,
    username: String,
    acct: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    avatar_static: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    followers_count: Option<u64>,
    #[serde(default)]
    bot: Option<bool>,
    #[serde(default)]
    fields: Vec<FieldWire>,
}

#[derive(Debug, Deserialize)]
struct FieldWire {
    name: String,
    value: String,
    #[serde(default)]
    verified_at: Option<String>,
}

/// The beginning of the label naming a field the server verified (`verified_at` set):
/// `verified_link:Website`.
pub const VERIFIED_FIELD_LABEL: &str = "verified_link:";

/// One `Account` as seen from the server whose domain is `server_domain`. The handle is
/// `user@domain` (a local account's `acct` has no domain: it is the server's).
pub fn profile_from_account(value: &Value, server_domain: &str) -> Result<Profile, String> {
    let wire = AccountWire::deserialize(value).map_err(|e| e.to_string())?;
    if wire.username.is_empty() || wire.id.is_empty() {
        return Err("the username or id is empty".into());
    }
    // The handle by Mastodon's rules: `acct` is the username, or `username@domain` for a
    // remote account; a server naming another user in `acct` (say, the person's own account)
    // is not believed.
    let handle = match wire.acct.split_once('@') {
        Some((user, _)) if !user.eq_ignore_ascii_case(&wire.username) => {
            return Err(format!(
                "acct {:?} does not name username {:?}",
                crate::sources::text::bound(&wire.acct),
                crate::sources::text::bound(&wire.username)
            ));
        }
        Some(_) => wire.acct.clone(),
        None if wire.acct.eq_ignore_ascii_case(&wire.username) => {
            format!("{}@{}", wire.username, server_domain)
        }
        None => return Err("acct does not match the username".into()),
    };
    let handle = crate::platforms::module(&Platform::Mastodon)
        .ok_or("Mastodon is not registered")?
        .validate_handle(&handle, &handle)
        .map_err(|e| e.to_string())?;
    let mut bio = wire.note.as_deref().map(html_to_text).unwrap_or_default();
    for field in &wire.fields {
        let line = format!(
            "{}: {}",
            html_to_text(&field.name),
            html_to_text(&field.value)
        );
        if !bio.is_empty() {
            bio.push('\n');
        }
        bio.push_str(&line);
    }
    let mut labels = Vec::new();
    if wire.bot == Some(true) {
        labels.push("bot".to_string());
    }
    if wire.fields.iter().any(|f| f.verified_at.is_some()) {
        labels.push("verified_link".to_string());
    }
    // Which fields the server verified (their page links back with rel="me"), by name: the
    // person's own profile suggests their other accounts from them (onboarding).
    for field in wire.fields.iter().filter(|f| f.verified_at.is_some()) {
        labels.push(format!(
            "{VERIFIED_FIELD_LABEL}{}",
            bound(&html_to_text(&field.name))
        ));
    }
    let avatar_url = wire
        .avatar_static
        .or(wire.avatar)
        .filter(|u| !u.ends_with("/missing.png"));
    Ok(Profile {
        platform: Platform::Mastodon,
        handle: bound(&handle),
        display_name: wire
            .display_name
            .filter(|n| !n.is_empty())
            .map(|n| bound(&n)),
        bio: Some(bound(&bio)).filter(|b| !b.is_empty()),
        created_at: wire.created_at.as_deref().and_then(parse_time),
        followers: wire.followers_count,
        labels,
        platform_id: Some(wire.id),
        url: wire
            .url
            .as_deref()
            .and_then(crate::report::sane_profile_url),
        avatar_url,
    })
}

/// A list of accounts (search `accounts`, or the directory's bare array); malformed ones are
/// skipped and counted.
pub fn account_list(list: &[Value], server_domain: &str) -> (Vec<Profile>, usize) {
    let mut out = Vec::new();
    let mut skipped = 0;
    for v in list {
        match profile_from_account(v, server_domain) {
            Ok(p) => out.push(p),
            Err(e) => {
                skipped += 1;
                tracing::warn!(
                    platform = "mastodon",
                    server = server_domain,
                    "skipped a malformed account: {e}"
                );
            }
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../../tests/fixtures/mastodon/search_accounts.json");

    #[test]
    fn search_fixture_parses_with_html_stripped() {
        let answer: Value = serde_json::from_str(SEARCH).unwrap();
        let list = answer["accounts"].as_array().unwrap();
        let (profiles, skipped) = account_list(list, "mastodon.social");
        assert_eq!(skipped, 1);
        assert_eq!(profiles.len(), 2);
        let local = &profiles[0];
        assert_eq!(local.handle, "PalmerReport@mastodon.social");
        assert_eq!(local.display_name.as_deref(), Some("Palmer Report"));
        assert_eq!(
            local.bio.as_deref(),
            Some("Political news & commentary <script>\n\nFollow us\nWebsite: https://palmerreport.com")
        );
        assert_eq!(local.avatar_url, None, "the default avatar is no avatar");
        assert_eq!(local.labels, vec!["verified_link", "verified_link:Website"]);
        let remote = &profiles[1];
        assert_eq!(remote.handle, "palmer_report@mstdn.example");
        assert_eq!(remote.labels, vec!["bot"]);
        assert_eq!(remote.followers, Some(3));
        assert!(remote.created_at.is_some());
        assert_eq!(remote.platform_id.as_deref(), Some("110000000000000002"));
    }
}
