//! What a platform shows of an account: the candidate the detector looks at, and a found
//! candidate ([`Found`]) with how it was found ([`FoundBy`]), as sources hand it to the
//! watch service and the store keeps it. Pure data: no I/O here.

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

/// How a candidate was found, shown to the person and stored with the alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FoundBy {
    /// A platform search for this query.
    Search { query: String },
    /// A direct lookup of a look-alike handle.
    Probe { variant: String },
    /// A directory of newly listed accounts.
    Directory,
    /// A live event stream (Bluesky Jetstream).
    Live,
}

/// A candidate account a source found, with its avatar bytes when fetched (bounded in size).
#[derive(Debug, Clone)]
pub struct Found {
    pub profile: Profile,
    pub found_by: FoundBy,
    pub avatar_image: Option<Vec<u8>>,
}

impl Found {
    /// A candidate without its avatar image (fetched later, if at all).
    pub fn new(profile: Profile, found_by: FoundBy) -> Found {
        Found {
            profile,
            found_by,
            avatar_image: None,
        }
    }
}
