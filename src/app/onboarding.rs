//! Onboarding from the person's own profile (issue 12): given one handle, the name, bio and
//! picture that profile shows, and the other handles it links, for the person to confirm.
//! The reading and parsing are the core's ([`crate::sources::own_profile`],
//! [`crate::sources::own_links`]); this keeps the picture like a picked file and shapes the
//! answer. It never saves the person: the form does, once they confirm.

use serde::Serialize;

use super::{App, AppError, AppResult};
use crate::identity::{validate_handle, Platform};
use crate::sources::own_links::HandleSuggestion;
use crate::sources::own_profile;

/// What onboarding fills from the person's own profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnboardingProfile {
    pub platform: Platform,
    /// The handle, canonical.
    pub handle: String,
    pub name: Option<String>,
    pub bio: Option<String>,
    /// The picture's thumbnail (a PNG data URL), kept as the person's avatar.
    pub avatar: Option<String>,
    /// Why there is no picture, when there is none.
    pub avatar_problem: Option<String>,
    /// Other handles the profile links, each for the person to confirm.
    pub suggestions: Vec<HandleSuggestion>,
}

impl App {
    /// Reads the person's own profile `handle` on `platform` (on X a paid read): its name,
    /// bio and picture (kept like a picked file), and the other handles it links.
    pub async fn profile_for_onboarding(
        &self,
        platform: &str,
        handle: &str,
    ) -> AppResult<OnboardingProfile> {
        let platform = Platform::parse(platform);
        let handle =
            validate_handle(&platform, handle).map_err(|e| AppError::invalid(e.to_string()))?;
        let source = self.own_source(&platform, "fill in the form instead")?;
        let own = own_profile::own_profile(source.as_ref(), &handle, &self.config().http)
            .await
            .map_err(|e| AppError::unavailable(e.to_string()))?;
        let (avatar, avatar_problem) = match own.picture.as_deref().map(|b| self.set_avatar(b)) {
            Some(Ok(url)) => (Some(url), None),
            Some(Err(e)) => (None, Some(e.message)),
            None => (None, own.picture_problem),
        };
        let text = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
        Ok(OnboardingProfile {
            platform,
            handle,
            name: text(own.profile.display_name),
            bio: text(own.profile.bio),
            avatar,
            avatar_problem,
            suggestions: own.suggestions,
        })
    }
}
