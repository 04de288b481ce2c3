//! What a platform shows of an account: the candidate the detector looks at.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::identity::Platform;

/// An account as seen on a platform. All text is untrusted: it was written by whoever owns
/// the account, possibly the impostor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Profile {
    pub platform: Platform,
    /// The handle as the platform displays it (case kept), without a leading `@`.
    pub handle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Bio as text; sources strip HTML before filling it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// Platform labels and flags (e.g. `parody`, `bot`, moderation labels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// The platform's stable id: a DID on Bluesky, the account id on Mastodon and X.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// Public URL of the profile page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform::Other(String::new())
    }
}
