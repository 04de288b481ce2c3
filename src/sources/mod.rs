//! Platform sources: where candidate accounts come from.
//!
//! Every platform is one module here behind the [`Source`] trait; each keeps parsing (pure,
//! tested on fixtures) apart from I/O. Adding a platform means adding its source module here
//! and its platform module in [`crate::platforms`] (one registration line in
//! [`crate::platforms::ALL`]); nothing else names a platform.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::identity::{Identity, Platform};
use crate::profile::Profile;

/// Found candidates and how they were found live in the model ([`crate::profile`]), so the
/// store needs no source module; re-exported here for the sources.
pub use crate::profile::{Found, FoundBy};

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

/// One query of a check that failed (a search term, a batch of look-alike lookups, a server's
/// directory), in plain words for the status line and the `scan` output. Never holds a secret:
/// tokens travel in headers and [`http`](crate::sources::http) cuts them out of error texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryFailure {
    /// What was asked: `search "Palmer Report"`, `look-alike lookup of 25 handles (...)`.
    pub query: String,
    /// The server asked (its host name), e.g. `mastodon.social`.
    pub server: String,
    /// Why it failed, e.g. `searchActors failed after retries: HTTP 503 Service Unavailable`.
    pub error: String,
}

impl QueryFailure {
    /// A failure of `query` at `server` because of `error` (its words without the platform,
    /// which the status line already names).
    pub fn new(query: impl Into<String>, server: impl Into<String>, error: &SourceError) -> Self {
        QueryFailure {
            query: query.into(),
            server: server.into(),
            error: error.reason(),
        }
    }
}

/// What one check did: every candidate found, how many queries it sent, and the ones that
/// failed. A check with failures is partial: what the other queries found still counts, but
/// the net had holes and the person must be told.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub found: Vec<Found>,
    /// Queries sent, failed ones included (0 when a source does not count them).
    pub queries: usize,
    /// The queries that failed, in the order they were sent.
    pub failures: Vec<QueryFailure>,
    /// What a spending cap (X) left out of this check, in words: the check ran, but with
    /// less coverage than asked, and the person must be told. None when nothing was cut.
    pub cut: Option<String>,
}

impl CheckReport {
    /// The report of a check that says what its daily budget cut (X, YouTube): what it found
    /// and the cut, with the queries it sent and those that failed.
    pub(crate) async fn with_cut(
        check: impl std::future::Future<Output = Result<(Vec<Found>, Option<String>), SourceError>>,
    ) -> Result<CheckReport, SourceError> {
        let (result, log) = querylog::record_queries(check).await;
        result.map(|(found, cut)| CheckReport {
            found,
            queries: log.sent,
            failures: log.failures,
            cut,
        })
    }

    /// A check in which nothing failed.
    pub fn complete(found: Vec<Found>) -> CheckReport {
        CheckReport {
            found,
            queries: 0,
            failures: Vec::new(),
            cut: None,
        }
    }

    /// Whether some queries failed.
    pub fn is_partial(&self) -> bool {
        !self.failures.is_empty()
    }

    /// The holes in plain words, e.g. `missed 2 of 10 queries (search "Jane Doe" at
    /// bsky.social: server error; and 1 more)`; None when nothing failed.
    pub fn missed_summary(&self) -> Option<String> {
        let first = self.failures.first()?;
        let missed = self.failures.len();
        let of = if self.queries >= missed {
            format!("{missed} of {}", self.queries)
        } else {
            missed.to_string()
        };
        let noun = if self.queries == 1 || (self.queries == 0 && missed == 1) {
            "query"
        } else {
            "queries"
        };
        let more = match missed - 1 {
            0 => String::new(),
            n => format!("; and {n} more"),
        };
        Some(format!(
            "missed {of} {noun} ({} at {}: {}{more})",
            first.query, first.server, first.error
        ))
    }
}

impl SourceError {
    /// The reason in plain words without the platform name (the caller names it).
    pub fn reason(&self) -> String {
        match self {
            SourceError::RateLimited {
                retry_after_secs, ..
            } => format!("rate limited; retry after {retry_after_secs} s"),
            SourceError::NeedsCredentials { what, .. } => format!("needs credentials: {what}"),
            SourceError::Unreachable { message, .. } => format!("not reachable: {message}"),
            SourceError::Api { message, .. } => message.clone(),
        }
    }
}

/// A paid source's spending as the store keeps it (see [`Source::unsaved_spending`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Spending {
    /// The UTC day `usd` was spent on.
    pub day: chrono::NaiveDate,
    /// Dollars (YouTube: quota units, see [`Source::spending_words`]): from
    /// [`Source::unsaved_spending`], what is not in the store yet; from the store, the day's
    /// total.
    pub usd: f64,
    /// Accounts read (lowercased names) and when: not read again within the re-read window.
    pub reads: Vec<(String, chrono::DateTime<chrono::Utc>)>,
    /// Who holds room under the cap for a running check ([`spending::begin_check`]): one
    /// name per source in a process, never shared by two.
    pub holder: String,
    /// The daily cap in dollars: a check holds at most what it leaves.
    pub cap_usd: f64,
    /// Ids of the users billed on `day`: X bills a user once per UTC day, so one returned
    /// again that day (by any process) costs nothing.
    pub billed: Vec<String>,
}

/// One platform's way of finding accounts that may copy an identity.
#[async_trait]
pub trait Source: Send + Sync {
    /// The platform this source covers.
    fn platform(&self) -> Platform;

    /// Runs one periodic check (search, probes, directory) for `identity` and returns every
    /// candidate seen. A malformed record is skipped and logged, not fatal to the check.
    async fn check(&self, identity: &Identity) -> Result<Vec<Found>, SourceError>;

    /// Runs one check like [`Source::check`] and also says which queries failed, so a check
    /// where some searches failed is reported as partial rather than as plain success. An
    /// error still means nothing could be done at all (offline, bad credentials, rate limited
    /// from the start). By default the queries are noted as [`Source::check`] sends them
    /// ([`querylog`]), so a source that goes on past a failed query is still reported as
    /// partial; a source that knows its queries better (Bluesky) says them itself.
    async fn check_report(&self, identity: &Identity) -> Result<CheckReport, SourceError> {
        CheckReport::with_cut(self.check_with_cut(identity)).await
    }

    /// Runs one check like [`Source::check`] and also says in words what a daily spending cap
    /// or quota cut from it (X, YouTube), for [`CheckReport::cut`]. By default nothing is cut.
    async fn check_with_cut(
        &self,
        identity: &Identity,
    ) -> Result<(Vec<Found>, Option<String>), SourceError> {
        self.check(identity).await.map(|found| (found, None))
    }

    /// For sources that cost money (X): what this source spent and has not handed to the
    /// store yet, and the accounts it read within its re-read window, for the store to add to
    /// what every process spent ([`spending::sync`]), so neither a restart nor a `scan` beside
    /// the watcher can pass the daily cap. `None` for free sources.
    fn unsaved_spending(&self) -> Option<Spending> {
        None
    }

    /// `handed` (from [`Source::unsaved_spending`]) is in the store, whose state is now
    /// `stored` (today's total over every process, the recent reads of all).
    fn spending_saved(&self, _handed: &Spending, _stored: &Spending) {}

    /// For paid sources: the next checks may spend at most `usd` more (`None`: up to the daily
    /// cap), so several people share one day's room ([`spending::share_room`]). Free sources
    /// ignore it.
    fn limit_check_spending(&self, _usd: Option<f64>) {}

    /// For paid sources: dollars the daily cap still allows, as far as this process knows
    /// (other processes' spending and holds as of the last sync). `None` for free sources.
    fn room_left_usd(&self) -> Option<f64> {
        None
    }

    /// For paid sources: `amount` of what [`Spending::usd`] counts, in words with its unit
    /// (`$0.05` for X; a quota source names its units).
    fn spending_words(&self, amount: f64) -> String {
        format!("${amount:.2}")
    }

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

    /// The account's latest public posts (at most `max`, newest first), where the platform
    /// serves them at no extra cost; `Ok(None)` when this source does not read posts (X: each
    /// post read is billed).
    async fn recent_posts(
        &self,
        account: &AccountRef,
        max: usize,
    ) -> Result<Option<Vec<crate::posts::Post>>, SourceError> {
        let _ = (account, max);
        Ok(None)
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
mod meter;
pub mod own_links;
pub mod own_profile;
pub mod querylog;
pub mod ratelimit;
pub mod runner;
pub mod spending;
pub mod text;
pub mod x;
pub mod youtube;
