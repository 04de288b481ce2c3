//! Platform sources: where candidate accounts come from.
//!
//! Every platform is one module here behind the [`Source`] trait; each keeps parsing (pure,
//! tested on fixtures) apart from I/O. Adding a platform means adding one module.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::identity::{Identity, Platform};
use crate::profile::Profile;

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

/// Why a check failed, in plain words for the status line.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{platform} is rate limiting us; retry after {retry_after_secs} s")]
    RateLimited {
        platform: Platform,
        retry_after_secs: u64,
    },
    #[error("{platform} needs credentials: {what}")]
    NeedsCredentials { platform: Platform, what: String },
    #[error("{platform} could not be reached: {message}")]
    Unreachable { platform: Platform, message: String },
    #[error("{platform} answered with an error: {message}")]
    Api { platform: Platform, message: String },
}

/// One platform's way of finding accounts that may copy an identity.
#[async_trait]
pub trait Source: Send + Sync {
    /// The platform this source covers.
    fn platform(&self) -> Platform;

    /// Runs one periodic check (search, probes, directory) for `identity` and returns every
    /// candidate seen. A malformed record is skipped and logged, not fatal to the check.
    async fn check(&self, identity: &Identity) -> Result<Vec<Found>, SourceError>;
}
