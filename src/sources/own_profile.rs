//! The person's own profile on a platform, read through that platform's [`Source`]: onboarding
//! takes the person's avatar from it, so they need not find the picture file, and (issue 12)
//! fills their name and bio from it and suggests the other handles it links
//! ([`super::own_links`], to confirm). Pictures only through the guarded fetcher.

use crate::config::HttpConfig;
use crate::profile::Profile;

use super::http::Http;
use super::own_links::{suggested_handles, HandleSuggestion};
use super::{AccountRef, AccountState, Source, SourceError};

/// The person's own profile as onboarding uses it.
#[derive(Debug, Clone)]
pub struct OwnProfile {
    pub profile: Profile,
    /// The picture's bytes, when the profile has one and it could be downloaded.
    pub picture: Option<Vec<u8>>,
    /// Why there is no picture, in words, when there is none.
    pub picture_problem: Option<String>,
    /// The other handles the profile links, for the person to confirm.
    pub suggestions: Vec<HandleSuggestion>,
}

/// Looks up the person's own account `handle` with `source`: its name, bio, picture (through
/// the guarded fetcher; a missing or unreadable picture is said, not an error) and the other
/// handles it links. An account that cannot be found is an error saying so.
pub async fn own_profile(
    source: &dyn Source,
    handle: &str,
    http: &HttpConfig,
) -> Result<OwnProfile, SourceError> {
    let profile = lookup_own(source, handle).await?;
    let suggestions = suggested_handles(&profile);
    let (picture, picture_problem) = match picture_of(&profile, http).await {
        Ok(bytes) => (Some(bytes), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(OwnProfile {
        profile,
        picture,
        picture_problem,
        suggestions,
    })
}

/// The person's own account, or an error naming the handle.
async fn lookup_own(source: &dyn Source, handle: &str) -> Result<Profile, SourceError> {
    let platform = source.platform();
    let wanted = AccountRef {
        handle: handle.trim().trim_start_matches('@').to_string(),
        platform_id: None,
    };
    let answer = source.lookup(std::slice::from_ref(&wanted)).await?;
    match answer.into_iter().next() {
        Some((_, AccountState::Present(profile))) => Ok(*profile),
        _ => Err(SourceError::Api {
            message: format!("no {platform} account {}: check the handle", wanted.handle),
            platform,
        }),
    }
}

/// The picture of the person's own `profile`, or why not (in words saying what to do).
async fn picture_of(profile: &Profile, http: &HttpConfig) -> Result<Vec<u8>, SourceError> {
    let platform = profile.platform.clone();
    let problem = |message: String| SourceError::Api {
        platform: platform.clone(),
        message,
    };
    if profile.avatar_url.is_none() {
        return Err(problem(format!(
            "your {platform} profile {} has no picture: choose a file instead",
            profile.handle
        )));
    }
    Http::new(platform.clone(), http)?
        .fetch_avatar_of(profile)
        .await
        .map_err(|e| {
            problem(format!(
                "the picture of your {platform} profile could not be downloaded ({e}): choose a file instead"
            ))
        })
}

/// Looks up the person's own account `handle` with `source` and downloads its picture through
/// the guarded fetcher, like any avatar ([`crate::net::guarded`]: public https only, redirects
/// checked, a size cap). Returns the profile and
/// the picture's bytes; an error says what is missing in words.
pub async fn own_avatar(
    source: &dyn Source,
    handle: &str,
    http: &HttpConfig,
) -> Result<(Profile, Vec<u8>), SourceError> {
    let profile = lookup_own(source, handle).await?;
    let bytes = picture_of(&profile, http).await?;
    Ok((profile, bytes))
}
