//! Official report forms and profile URLs per platform: supported platforms declare theirs in
//! [`crate::platforms`]; the others are listed here (see PLATFORMS.md in the reference
//! material: these links are the platforms' own).

use crate::identity::Platform;
use crate::platforms;
use crate::profile::Profile;

/// The official impersonation form or policy page of `platform`, if it has a web one.
pub fn form_url(platform: &Platform) -> Option<&'static str> {
    if let Some(module) = platforms::module(platform) {
        return module.form_url();
    }
    match platform {
        Platform::Instagram | Platform::Threads => {
            Some("https://help.instagram.com/contact/636276399721841")
        }
        Platform::Youtube => Some("https://support.google.com/youtube/answer/2801947"),
        Platform::Tiktok => Some(
            "https://support.tiktok.com/en/safety-hc/report-a-problem/report-an-impersonation-account",
        ),
        Platform::Github => Some("https://github.com/contact/report-abuse"),
        _ => None,
    }
}

/// Where the report lives inside the app when there is no web form (or besides it).
pub(crate) fn in_app_path(platform: &Platform) -> Option<&'static str> {
    if let Some(module) = platforms::module(platform) {
        return module.in_app_path();
    }
    match platform {
        Platform::Youtube => Some("On the channel page: Report user -> Impersonation"),
        Platform::Twitch => Some("On the channel page: Report -> Impersonation"),
        _ => None,
    }
}

/// The public URL of an account, built from the platform's own rules for its handle. A URL the
/// source gave is used instead only when it is https, without credentials, and on the host
/// the platform's rules give for that account (a hostile server cannot point a report at
/// someone else's profile, or at `javascript:`). Control, hidden and space characters are
/// never part of the result (a newline cannot start a new paragraph of a draft).
pub fn profile_url(profile: &Profile) -> String {
    let handle = url_safe(profile.handle.trim_start_matches('@'));
    let built = built_profile_url(&profile.platform, &handle);
    let built = match url::Url::parse(&built) {
        Ok(url) => url.to_string(),
        Err(_) => built,
    };
    if let Some(given) = profile.url.as_deref().and_then(|u| accepted_url(u, &built)) {
        return given;
    }
    built
}

fn built_profile_url(platform: &Platform, handle: &str) -> String {
    if let Some(module) = platforms::module(platform) {
        return module.profile_url(handle);
    }
    match platform {
        Platform::Instagram => format!("https://www.instagram.com/{handle}/"),
        Platform::Threads => format!("https://www.threads.net/@{handle}"),
        Platform::Youtube => format!("https://www.youtube.com/@{handle}"),
        Platform::Tiktok => format!("https://www.tiktok.com/@{handle}"),
        Platform::Github => format!("https://github.com/{handle}"),
        Platform::Twitch => format!("https://www.twitch.tv/{handle}"),
        _ => handle.to_string(),
    }
}

/// `text` without control, hidden (bidi, zero-width) or space characters.
fn url_safe(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !super::text::is_hidden(*c))
        .take(300)
        .collect()
}

/// `given` when it is an https URL without credentials on the host of `built`.
fn accepted_url(given: &str, built: &str) -> Option<String> {
    if given.chars().any(|c| c.is_control() || c.is_whitespace()) || given.len() > 1000 {
        return None;
    }
    let given = url::Url::parse(given).ok()?;
    let built = url::Url::parse(built).ok()?;
    let same_host = given.host_str().map(str::to_ascii_lowercase)
        == built.host_str().map(str::to_ascii_lowercase);
    (given.scheme() == "https"
        && given.username().is_empty()
        && given.password().is_none()
        && given.port().is_none()
        && same_host)
        .then(|| url_safe(given.as_str()))
}

/// A source's profile URL worth keeping: https, no credentials, no control or space
/// characters (anything else, `javascript:` and `data:` included, is dropped; the report then
/// builds the URL from the handle).
pub fn sane_profile_url(given: &str) -> Option<String> {
    if given.chars().any(|c| c.is_control() || c.is_whitespace()) || given.len() > 1000 {
        return None;
    }
    let url = url::Url::parse(given).ok()?;
    (url.scheme() == "https" && url.username().is_empty() && url.password().is_none())
        .then(|| url.to_string())
}
