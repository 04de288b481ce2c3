//! The person's own profile on a platform, read through that platform's [`Source`]: onboarding
//! takes the person's avatar from it, so they need not find the picture file.

use crate::config::HttpConfig;
use crate::profile::Profile;

use super::http::Http;
use super::{AccountRef, AccountState, Source, SourceError};

/// Looks up the person's own account `handle` with `source` and downloads its picture through
/// the guarded fetcher, like any avatar ([`crate::net::guarded`]: public https only, redirects
/// checked, a size cap). Returns the profile and
/// the picture's bytes; an error says what is missing in words.
pub async fn own_avatar(
    source: &dyn Source,
    handle: &str,
    http: &HttpConfig,
) -> Result<(Profile, Vec<u8>), SourceError> {
    let platform = source.platform();
    let wanted = AccountRef {
        handle: handle.trim().trim_start_matches('@').to_string(),
        platform_id: None,
    };
    let problem = |message: String| SourceError::Api {
        platform: platform.clone(),
        message,
    };
    let answer = source.lookup(std::slice::from_ref(&wanted)).await?;
    let profile = match answer.into_iter().next() {
        Some((_, AccountState::Present(profile))) => *profile,
        _ => {
            return Err(problem(format!(
                "no {platform} account {}: check the handle",
                wanted.handle
            )))
        }
    };
    if profile.avatar_url.is_none() {
        return Err(problem(format!(
            "your {platform} profile {} has no picture: choose a file instead",
            wanted.handle
        )));
    }
    let bytes = Http::new(platform.clone(), http)?
        .fetch_avatar_of(&profile)
        .await
        .map_err(|e| {
            problem(format!(
                "the picture of your {platform} profile could not be downloaded ({e}): choose a file instead"
            ))
        })?;
    Ok((profile, bytes))
}
