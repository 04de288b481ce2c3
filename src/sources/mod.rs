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

    /// What this source spent today (UTC) on paid reads, for sources that cost money (X).
    /// The watcher stores it so a restart cannot reset the daily spending cap.
    fn spending_today(&self) -> Option<(chrono::NaiveDate, f64)> {
        None
    }

    /// Restores the spending stored by [`Source::spending_today`] before a restart.
    fn restore_spending(&self, _day: chrono::NaiveDate, _spent_usd: f64) {}

    /// Looks known accounts up again: does each still exist, and what does it show now?
    /// The watcher uses it to follow reported accounts. Answers in the order asked; an account
    /// the platform no longer shows (deleted, suspended, taken down) is [`AccountState::Gone`].
    async fn lookup(
        &self,
        accounts: &[AccountRef],
    ) -> Result<Vec<(AccountRef, AccountState)>, SourceError> {
        let _ = accounts;
        Err(SourceError::Api {
            platform: self.platform(),
            message: "looking accounts up again is not supported".into(),
        })
    }

    /// What one [`Source::check`] of `identity` is expected to cost, for the settings screen.
    fn cost_estimate(&self, identity: &Identity) -> CostEstimate {
        let _ = identity;
        CostEstimate::default()
    }
}

/// An account found earlier, to look up again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountRef {
    /// The handle as last seen (`user@server` on Mastodon).
    pub handle: String,
    /// The platform's stable id when known (a DID on Bluesky); preferred over the handle,
    /// which the owner can change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
}

impl AccountRef {
    /// The reference of a found profile.
    pub fn of(profile: &Profile) -> AccountRef {
        AccountRef {
            handle: profile.handle.clone(),
            platform_id: profile.platform_id.clone(),
        }
    }
}

/// What a platform shows of an account now.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountState {
    /// Still there, as it looks now.
    Present(Box<Profile>),
    /// Gone: deleted, suspended or taken down (the platform no longer shows it).
    Gone,
}

/// The expected cost of one check: requests sent, paid reads, and dollars.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CostEstimate {
    /// Requests one check sends at most.
    pub requests: u32,
    /// Paid user reads at most (X only).
    pub paid_reads: u32,
    /// US dollars at most.
    pub usd: f64,
}

pub mod bluesky;
pub mod http;
pub mod mastodon;
pub mod ratelimit;
pub mod runner;
pub mod text;
pub mod x;
