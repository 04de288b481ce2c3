//! Bluesky, the default source (no account needed): `searchActors` over the person's names and
//! handle words, `getProfiles` probes over look-alike handles, and the Jetstream live stream
//! ([`live`]). Parsing lives in [`parse`], the live matcher in [`matcher`].

pub mod cid;
pub mod feed;
pub mod live;
pub mod matcher;
pub mod parse;

use std::collections::HashSet;

use async_trait::async_trait;
use url::Url;

use super::http::{Answer, Http};
use super::{
    AccountRef, AccountState, CheckReport, CostEstimate, Found, FoundBy, QueryFailure, Source,
    SourceError,
};
use crate::config::{BlueskyConfig, Config};
use crate::detect::variants::variants;
use crate::identity::{Identity, Platform};
use crate::posts::Post;
use crate::profile::Profile;

/// `getProfiles` takes at most this many actors.
pub const GET_PROFILES_BATCH: usize = 25;
/// `searchActors` pages are asked this large.
const SEARCH_PAGE_SIZE: usize = 100;

/// The Bluesky source.
#[derive(Debug)]
pub struct BlueskySource {
    http: Http,
    config: BlueskyConfig,
}

impl BlueskySource {
    /// A source using the Bluesky settings and HTTP limits of `config`.
    pub fn new(config: &Config) -> Result<BlueskySource, SourceError> {
        Ok(BlueskySource {
            http: Http::new(Platform::Bluesky, &config.http)?,
            config: config.bluesky.clone(),
        })
    }

    /// The AppView's host name, naming the server in failures.
    pub fn server_name(&self) -> String {
        Url::parse(&self.config.base_url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_else(|| self.config.base_url.clone())
    }

    /// The settings in force.
    pub fn config(&self) -> &BlueskyConfig {
        &self.config
    }

    /// The HTTP client (shared with the live stream for confirmations and avatars).
    pub fn http(&self) -> &Http {
        &self.http
    }

    fn xrpc(&self, nsid: &str) -> Result<Url, SourceError> {
        let base = self.config.base_url.trim_end_matches('/');
        Url::parse(&format!("{base}/xrpc/{nsid}")).map_err(|e| SourceError::Unreachable {
            platform: Platform::Bluesky,
            message: format!("bad Bluesky base URL {base:?}: {e}"),
        })
    }

    /// Searches actors for `query`, reading up to `pages` pages of 100.
    pub async fn search_actors(
        &self,
        query: &str,
        pages: usize,
    ) -> Result<Vec<Profile>, SourceError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..pages.max(1) {
            let mut url = self.xrpc("app.bsky.actor.searchActors")?;
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("q", query);
                q.append_pair("limit", &SEARCH_PAGE_SIZE.to_string());
                if let Some(c) = &cursor {
                    q.append_pair("cursor", c);
                }
            }
            let page = match self.http.get_json(url, None).await? {
                Answer::Json(v) => parse::profile_page(&v, "actors").map_err(|m| api_error(&m))?,
                Answer::NotFound => return Err(api_error("searchActors is not available")),
            };
            out.extend(page.profiles);
            match page.cursor {
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                _ => break,
            }
        }
        Ok(out)
    }

    /// The latest posts of `actor` (a DID or handle) from `app.bsky.feed.getAuthorFeed` on the
    /// public AppView: one request, at most `max` (bounded by [`crate::posts::MAX_POSTS`]),
    /// replies and reposts left out.
    pub async fn author_feed(&self, actor: &str, max: usize) -> Result<Vec<Post>, SourceError> {
        let max = max.clamp(1, crate::posts::MAX_POSTS);
        let mut url = self.xrpc("app.bsky.feed.getAuthorFeed")?;
        url.query_pairs_mut()
            .append_pair("actor", actor)
            .append_pair("limit", &max.to_string())
            .append_pair("filter", "posts_no_replies");
        match self.http.get_json(url, None).await? {
            Answer::Json(v) => feed::author_posts(&v, actor, max).map_err(|m| api_error(&m)),
            Answer::NotFound => Ok(Vec::new()),
        }
    }

    /// Profiles of `actors` (handles or DIDs), asked in batches of 25; absent ones do not exist.
    pub async fn get_profiles(&self, actors: &[String]) -> Result<Vec<Profile>, SourceError> {
        let mut out = Vec::new();
        for batch in actors.chunks(GET_PROFILES_BATCH) {
            let mut url = self.xrpc("app.bsky.actor.getProfiles")?;
            {
                let mut q = url.query_pairs_mut();
                for actor in batch {
                    q.append_pair("actors", actor);
                }
            }
            match self.http.get_json(url, None).await? {
                Answer::Json(v) => {
                    let page = parse::profile_page(&v, "profiles").map_err(|m| api_error(&m))?;
                    out.extend(page.profiles);
                }
                Answer::NotFound => return Err(api_error("getProfiles is not available")),
            }
        }
        Ok(out)
    }

    /// The search queries for `identity`: each name, each name without spaces (search matches
    /// words, so "Jane Doe" does not find "janedoe"), and the stems of the person's handles.
    pub fn search_queries(&self, identity: &Identity) -> Vec<String> {
        let mut queries = Vec::new();
        for name in identity.names() {
            queries.push(name.to_string());
            let joined: String = name.split_whitespace().collect();
            queries.push(joined);
        }
        for h in &identity.handles {
            let stem = h
                .handle
                .split(['@', '.'])
                .next()
                .unwrap_or(&h.handle)
                .to_string();
            queries.push(stem);
        }
        let mut seen = HashSet::new();
        queries.retain(|q| q.chars().count() >= 3 && seen.insert(q.to_lowercase()));
        queries.truncate(self.config.max_queries);
        queries
    }

    /// Look-alike handles to probe, most plausible first, with how each was made: the
    /// detector's variants of the person's Bluesky handles, and the person's handles from other
    /// platforms placed under `.bsky.social` (an account the person never made).
    pub fn probe_handles(&self, identity: &Identity) -> Vec<(String, String)> {
        let own: HashSet<String> = identity
            .handles_on(&Platform::Bluesky)
            .map(str::to_ascii_lowercase)
            .collect();
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        let mut push = |handle: String, kind: String, out: &mut Vec<(String, String)>| {
            let handle = handle.to_ascii_lowercase();
            let handle = if handle.contains('.') {
                handle
            } else {
                format!("{handle}.bsky.social")
            };
            if !own.contains(&handle) && seen.insert(handle.clone()) {
                out.push((handle, kind));
            }
        };
        for h in &identity.handles {
            let stem = h.handle.split(['@', '.']).next().unwrap_or(&h.handle);
            push(
                format!("{stem}.bsky.social"),
                "same_handle".into(),
                &mut out,
            );
        }
        let limit = self.config.probe_limit;
        for handle in own.iter() {
            for v in variants(&Platform::Bluesky, handle, limit) {
                push(v.handle, v.kind, &mut out);
            }
        }
        out.truncate(limit);
        out
    }
}

/// A query of a look-alike batch in words: `look-alike lookup of 25 handles (a.bsky.social, ...)`.
fn probe_batch_words(actors: &[String]) -> String {
    let first = actors.first().map(String::as_str).unwrap_or_default();
    match actors.len() {
        1 => format!("look-alike lookup of {first}"),
        n => format!("look-alike lookup of {n} handles ({first}, ...)"),
    }
}

/// A query left unsent because the platform is rate limiting us.
fn not_sent(query: String, server: &str, limit: &SourceError) -> QueryFailure {
    QueryFailure {
        query,
        server: server.to_string(),
        error: format!("not sent: {}", limit.reason()),
    }
}

fn api_error(message: &str) -> SourceError {
    SourceError::Api {
        platform: Platform::Bluesky,
        message: message.to_string(),
    }
}

/// Adds `found` unless its account is already in `out` (first way of finding it wins).
/// Accounts are told apart by their handle, lowercased, plus the platform id when there is one
/// (Mastodon ids are only unique within one server; `user@domain` is unique everywhere).
pub(crate) fn push_unique(out: &mut Vec<Found>, seen: &mut HashSet<String>, found: Found) {
    let key = match (&found.profile.platform, &found.profile.platform_id) {
        (Platform::Mastodon, _) | (_, None) => found.profile.handle.to_lowercase(),
        (_, Some(id)) => id.clone(),
    };
    if seen.insert(key) {
        out.push(found);
    }
}

#[async_trait]
impl Source for BlueskySource {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    async fn check(&self, identity: &Identity) -> Result<Vec<Found>, SourceError> {
        self.check_report(identity).await.map(|report| report.found)
    }

    /// Every search and every probe batch is one query: a failed one is recorded and the
    /// others go on. Once Bluesky rate-limits us past our patience, the queries left are not
    /// sent (they would only be refused) and are recorded as missed. The check is an error
    /// only when no query got an answer.
    async fn check_report(&self, identity: &Identity) -> Result<CheckReport, SourceError> {
        let server = self.server_name();
        let mut report = CheckReport::default();
        let mut seen = HashSet::new();
        let mut first_error: Option<SourceError> = None;
        let mut rate_limited: Option<SourceError> = None;
        let mut requests_ok = 0usize;
        let mut failed = |query: String,
                          e: SourceError,
                          report: &mut CheckReport,
                          rate: &mut Option<SourceError>| {
            tracing::warn!(platform = "bluesky", "{query} failed: {e}");
            report
                .failures
                .push(QueryFailure::new(query, server.clone(), &e));
            if matches!(e, SourceError::RateLimited { .. }) {
                *rate = Some(e);
            } else if first_error.is_none() {
                first_error = Some(e);
            }
        };
        for query in self.search_queries(identity) {
            report.queries += 1;
            let what = format!("search {query:?}");
            if let Some(limit) = &rate_limited {
                report.failures.push(not_sent(what, &server, limit));
                continue;
            }
            match self.search_actors(&query, self.config.search_pages).await {
                Ok(profiles) => {
                    requests_ok += 1;
                    for profile in profiles {
                        let found_by = FoundBy::Search {
                            query: query.clone(),
                        };
                        push_unique(&mut report.found, &mut seen, Found::new(profile, found_by));
                    }
                }
                Err(e) => failed(what, e, &mut report, &mut rate_limited),
            }
        }
        let probes = self.probe_handles(identity);
        for batch in probes.chunks(GET_PROFILES_BATCH) {
            report.queries += 1;
            let actors: Vec<String> = batch.iter().map(|(h, _)| h.clone()).collect();
            let what = probe_batch_words(&actors);
            if let Some(limit) = &rate_limited {
                report.failures.push(not_sent(what, &server, limit));
                continue;
            }
            match self.get_profiles(&actors).await {
                Ok(profiles) => {
                    requests_ok += 1;
                    for profile in profiles {
                        let variant = profile.handle.to_ascii_lowercase();
                        push_unique(
                            &mut report.found,
                            &mut seen,
                            Found::new(profile, FoundBy::Probe { variant }),
                        );
                    }
                }
                Err(e) => failed(what, e, &mut report, &mut rate_limited),
            }
        }
        if requests_ok == 0 {
            if let Some(e) = rate_limited.or(first_error) {
                return Err(e);
            }
        }
        self.http.fetch_avatars(&mut report.found).await;
        Ok(report)
    }

    async fn recent_posts(
        &self,
        account: &AccountRef,
        max: usize,
    ) -> Result<Option<Vec<Post>>, SourceError> {
        let actor = account.platform_id.as_deref().unwrap_or(&account.handle);
        self.author_feed(actor, max).await.map(Some)
    }

    async fn lookup(
        &self,
        accounts: &[AccountRef],
    ) -> Result<Vec<(AccountRef, AccountState)>, SourceError> {
        let actors: Vec<String> = accounts
            .iter()
            .map(|a| a.platform_id.clone().unwrap_or_else(|| a.handle.clone()))
            .collect();
        let profiles = self.get_profiles(&actors).await?;
        Ok(accounts
            .iter()
            .map(|a| {
                let hit = profiles.iter().find(|p| match &a.platform_id {
                    Some(id) => p.platform_id.as_deref() == Some(id),
                    None => p.handle.eq_ignore_ascii_case(&a.handle),
                });
                let state = match hit {
                    Some(p) => AccountState::Present(Box::new(p.clone())),
                    None => AccountState::Gone,
                };
                (a.clone(), state)
            })
            .collect())
    }

    fn cost_estimate(&self, identity: &Identity) -> CostEstimate {
        let searches = self.search_queries(identity).len() * self.config.search_pages.max(1);
        let probes = self
            .probe_handles(identity)
            .len()
            .div_ceil(GET_PROFILES_BATCH);
        CostEstimate {
            requests: (searches + probes) as u32,
            paid_reads: 0,
            usd: 0.0,
        }
    }
}
