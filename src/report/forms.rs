//! Official report forms and profile URLs per platform (see PLATFORMS.md in the reference
//! material: these links are the platforms' own).

use crate::identity::Platform;
use crate::profile::Profile;

/// The official impersonation form or policy page of `platform`, if it has a web one.
pub fn form_url(platform: &Platform) -> Option<&'static str> {
    match platform {
        Platform::X => Some("https://help.x.com/en/forms/authenticity/impersonation"),
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
    match platform {
        Platform::Youtube => Some("On the channel page: Report user -> Impersonation"),
        Platform::Twitch => Some("On the channel page: Report -> Impersonation"),
        Platform::Bluesky => {
            Some("On the profile: ... -> Report account -> Misleading -> Impersonation")
        }
        Platform::Mastodon => Some("On the profile: ... -> Report -> Other"),
        _ => None,
    }
}

/// The public URL of an account: the platform's own URL when the source gave an https one,
/// else built from the handle.
pub fn profile_url(profile: &Profile) -> String {
    if let Some(url) = profile.url.as_deref() {
        if url.starts_with("https://") || url.starts_with("http://") {
            return url.to_string();
        }
    }
    let handle = profile.handle.trim_start_matches('@');
    match &profile.platform {
        Platform::X => format!("https://x.com/{handle}"),
        Platform::Bluesky => format!("https://bsky.app/profile/{handle}"),
        Platform::Mastodon => match handle.split_once('@') {
            Some((user, server)) => format!("https://{server}/@{user}"),
            None => format!("@{handle}"),
        },
        Platform::Instagram => format!("https://www.instagram.com/{handle}/"),
        Platform::Threads => format!("https://www.threads.net/@{handle}"),
        Platform::Youtube => format!("https://www.youtube.com/@{handle}"),
        Platform::Tiktok => format!("https://www.tiktok.com/@{handle}"),
        Platform::Github => format!("https://github.com/{handle}"),
        Platform::Twitch => format!("https://www.twitch.tv/{handle}"),
        Platform::Other(_) => handle.to_string(),
    }
}
