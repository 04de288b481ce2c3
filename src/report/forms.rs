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

/// The public URL of an account: the platform's own URL when the source gave an https one,
/// else built from the handle.
pub fn profile_url(profile: &Profile) -> String {
    if let Some(url) = profile.url.as_deref() {
        if url.starts_with("https://") || url.starts_with("http://") {
            return url.to_string();
        }
    }
    let handle = profile.handle.trim_start_matches('@');
    if let Some(module) = platforms::module(&profile.platform) {
        return module.profile_url(handle);
    }
    match &profile.platform {
        Platform::Instagram => format!("https://www.instagram.com/{handle}/"),
        Platform::Threads => format!("https://www.threads.net/@{handle}"),
        Platform::Youtube => format!("https://www.youtube.com/@{handle}"),
        Platform::Tiktok => format!("https://www.tiktok.com/@{handle}"),
        Platform::Github => format!("https://github.com/{handle}"),
        Platform::Twitch => format!("https://www.twitch.tv/{handle}"),
        _ => handle.to_string(),
    }
}
