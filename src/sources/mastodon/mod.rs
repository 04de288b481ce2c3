//! Mastodon, on the servers the user lists: account search, lookups of look-alike usernames
//! and of the person's own username on other servers (a classic impersonation), and each
//! server's directory of newly listed accounts. A user token is optional and per server; it is
//! only ever sent to its own server and never logged.

pub mod parse;
pub mod statuses;

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::OnceCell;
use url::Url;

use super::bluesky::matcher::LiveMatcher;
use super::bluesky::parse::ProfileRecord;
use super::bluesky::push_unique;
use super::http::{Answer, Http};
use super::{AccountRef, AccountState, CostEstimate, Found, FoundBy, Source, SourceError};
use crate::config::{Config, MastodonConfig};
use crate::detect::variants::variants;
use crate::identity::{Identity, Platform};
use crate::profile::Profile;

/// `/api/v2/search` answers at most this many accounts a page.
const SEARCH_LIMIT: usize = 40;
/// Search pages read per name and server at most, whatever the settings say (400 accounts).
const SEARCH_PAGES_MAX: usize = 10;
/// A server whose requests failed this many times in a row is left for the rest of the check:
/// it is down or broken, and every further request would only wait out its retries again.
const CONSECUTIVE_FAILURES_MAX: usize = 3;
/// `/api/v1/directory` answers at most this many accounts.
const DIRECTORY_MAX: usize = 80;

/// One Mastodon server.
struct Server {
    base: String,
    http: Http,
    domain: OnceCell<String>,
    token: Option<String>,
    /// The server refused `resolve`/`offset` with our token: it is not a user token (some
    /// servers hand out server-wide tokens), so search goes without them from then on.
    not_a_user_token: AtomicBool,
    /// The server answered 401 to `/api/v1/accounts/lookup` (the API documentation says it
    /// needs a user token; most servers answer it without one): usernames are looked up
    /// through search from then on.
    lookup_refused: AtomicBool,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The Mastodon source.
#[derive(Debug)]
pub struct MastodonSource {
    servers: Vec<Server>,
    config: MastodonConfig,
}

fn error(message: String) -> SourceError {
    SourceError::Api {
        platform: Platform::Mastodon,
        message,
    }
}

impl MastodonSource {
    /// A source over the servers listed in `config`, without tokens.
    pub fn new(config: &Config) -> Result<MastodonSource, SourceError> {
        let servers = config
            .mastodon
            .servers
            .iter()
            .map(|base| {
                Ok(Server {
                    base: base.trim_end_matches('/').to_string(),
                    http: Http::new(Platform::Mastodon, &config.http)?,
                    domain: OnceCell::new(),
                    token: None,
                    not_a_user_token: AtomicBool::new(false),
                    lookup_refused: AtomicBool::new(false),
                })
            })
            .collect::<Result<Vec<_>, SourceError>>()?;
        Ok(MastodonSource {
            servers,
            config: config.mastodon.clone(),
        })
    }

    /// Uses a user token on the server with this base URL (from the keychain; never logged).
    pub fn with_token(mut self, server_base_url: &str, token: String) -> MastodonSource {
        let wanted = server_base_url.trim_end_matches('/');
        for server in &mut self.servers {
            if server.base == wanted {
                server.token = Some(token.clone());
            }
        }
        self
    }

    fn url(server: &Server, path: &str, query: &[(&str, &str)]) -> Result<Url, SourceError> {
        let mut url = Url::parse(&format!("{}{path}", server.base))
            .map_err(|e| error(format!("bad server URL {:?}: {e}", server.base)))?;
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }

    async fn get(
        server: &Server,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Answer, SourceError> {
        let url = Self::url(server, path, query)?;
        server.http.get_json(url, server.token.as_deref()).await
    }

    /// The server's domain (`/api/v2/instance`), or its host if it will not say.
    async fn domain(server: &Server) -> String {
        match Self::try_domain(server).await {
            Ok(domain) => domain,
            Err(_) => Self::host(server),
        }
    }

    fn host(server: &Server) -> String {
        Url::parse(&server.base)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_default()
    }

    /// The server's domain as `/api/v2/instance` says, kept once the server answered. A server
    /// that has no such endpoint (404) or names no domain is known by its host. A failed request
    /// is NOT remembered: a server that was down once must not be known by its host forever
    /// (its local accounts, the person's own among them, would get the wrong `user@domain`).
    /// Err when the request failed; the caller may fall back to the host for this check.
    async fn try_domain(server: &Server) -> Result<String, SourceError> {
        server
            .domain
            .get_or_try_init(|| async {
                match Self::get(server, "/api/v2/instance", &[]).await? {
                    Answer::Json(v) => Ok(v
                        .get("domain")
                        .and_then(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .unwrap_or_else(|| Self::host(server))),
                    Answer::NotFound => Ok(Self::host(server)),
                }
            })
            .await
            .cloned()
    }

    /// Searches accounts for `query`, page after page while pages come back full: at most
    /// `search_pages` pages (bounded by [`SEARCH_PAGES_MAX`]) when the server holds a user
    /// token (Mastodon refuses `offset` without one), else the first page only. Returns what
    /// the pages read so far held, and the error that stopped it, if any.
    async fn search(
        &self,
        server: &Server,
        domain: &str,
        query: &str,
    ) -> (Vec<Profile>, Option<SourceError>) {
        let user_token = server.token.is_some() && !server.not_a_user_token.load(Ordering::Relaxed);
        let mut pages = if user_token {
            self.config.search_pages.clamp(1, SEARCH_PAGES_MAX)
        } else {
            1
        };
        let mut resolve = user_token;
        let limit = SEARCH_LIMIT.to_string();
        let mut out = Vec::new();
        let mut ids = HashSet::new();
        let mut page = 0;
        while page < pages {
            let offset = (page * SEARCH_LIMIT).to_string();
            let mut params = vec![
                ("q", query),
                ("type", "accounts"),
                ("limit", limit.as_str()),
            ];
            if resolve {
                params.push(("resolve", "true"));
            }
            if page > 0 {
                params.push(("offset", offset.as_str()));
            }
            let list = match Self::get(server, "/api/v2/search", &params).await {
                Ok(Answer::Json(mut v)) => match v.get_mut("accounts").map(Value::take) {
                    Some(Value::Array(list)) => list,
                    _ => {
                        let e = error("search answered without \"accounts\"".into());
                        return (out, Some(e));
                    }
                },
                Ok(Answer::NotFound) => {
                    let e = error(format!("{} has no search API", server.base));
                    return (out, Some(e));
                }
                // Mastodon answers 401 to `resolve` and `offset` from a token that is not a
                // user's: search without them (one page) rather than lose the search.
                Err(SourceError::NeedsCredentials { .. }) if resolve || page > 0 => {
                    tracing::info!(platform = "mastodon", server = %server.base, "resolve/offset refused: the token is not a user token; searching one page without them");
                    server.not_a_user_token.store(true, Ordering::Relaxed);
                    if page > 0 {
                        break;
                    }
                    resolve = false;
                    pages = 1;
                    continue;
                }
                Err(e) => return (out, Some(e)),
            };
            let (profiles, _skipped) = parse::account_list(&list, domain);
            let mut new = 0;
            for p in profiles {
                let key = p.platform_id.clone().unwrap_or_else(|| p.handle.clone());
                if ids.insert(key) {
                    new += 1;
                    out.push(p);
                }
            }
            // A short page is the last one; a page with nothing new means the server ignores
            // `offset` (it would answer the same page forever).
            if list.len() < SEARCH_LIMIT || new == 0 {
                break;
            }
            page += 1;
        }
        (out, None)
    }

    /// The server to ask about `handle` (its own server when configured, else the first),
    /// that server's domain, and the `acct` to ask it for.
    async fn server_for(&self, handle: &str) -> Result<(&Server, String, String), SourceError> {
        let domain = handle.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
        let mut server = None;
        for s in &self.servers {
            if Some(Self::domain(s).await) == domain {
                server = Some(s);
                break;
            }
        }
        let Some(server) = server.or(self.servers.first()) else {
            return Err(error("no Mastodon server is configured".into()));
        };
        let home = Self::domain(server).await;
        let acct = match handle.rsplit_once('@') {
            Some((user, d)) if d.eq_ignore_ascii_case(&home) => user.to_string(),
            _ => handle.to_string(),
        };
        Ok((server, home, acct))
    }

    /// The account `acct` (`user` on this server, or `user@domain`): `/api/v1/accounts/lookup`
    /// (with the person's token for this server when there is one), or, on a server that
    /// refuses it (401), an account search for exactly that `acct`.
    async fn lookup_acct(
        server: &Server,
        domain: &str,
        acct: &str,
    ) -> Result<Option<Profile>, SourceError> {
        if !server.lookup_refused.load(Ordering::Relaxed) {
            match Self::get(server, "/api/v1/accounts/lookup", &[("acct", acct)]).await {
                Ok(Answer::Json(v)) => return Ok(Self::account(&v, domain)),
                Ok(Answer::NotFound) => return Ok(None),
                Err(SourceError::NeedsCredentials { .. }) => {
                    tracing::info!(platform = "mastodon", server = %server.base, "account lookup refused (401); looking usernames up through search");
                    server.lookup_refused.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
        Self::search_acct(server, domain, acct).await
    }

    fn account(value: &Value, domain: &str) -> Option<Profile> {
        match parse::profile_from_account(value, domain) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(platform = "mastodon", "skipped a malformed account: {e}");
                None
            }
        }
    }

    /// `acct` through `/api/v2/search?type=accounts` (with `resolve=true` when the server holds
    /// a user token, so a remote account the server has not seen yet is fetched): the result
    /// whose handle is exactly `acct`, None when there is none.
    async fn search_acct(
        server: &Server,
        domain: &str,
        acct: &str,
    ) -> Result<Option<Profile>, SourceError> {
        let wanted = match acct.split_once('@') {
            Some(_) => acct.to_ascii_lowercase(),
            None => format!("{acct}@{domain}").to_ascii_lowercase(),
        };
        let mut resolve =
            server.token.is_some() && !server.not_a_user_token.load(Ordering::Relaxed);
        loop {
            // Mastodon ranks an exact username match first; a few more leave room for
            // servers that do not.
            let mut params = vec![("q", acct), ("type", "accounts"), ("limit", "10")];
            if resolve {
                params.push(("resolve", "true"));
            }
            let list = match Self::get(server, "/api/v2/search", &params).await {
                Ok(Answer::Json(mut v)) => match v.get_mut("accounts").map(Value::take) {
                    Some(Value::Array(list)) => list,
                    _ => return Err(error("search answered without \"accounts\"".into())),
                },
                Ok(Answer::NotFound) => {
                    return Err(error(format!("{} has no search API", server.base)))
                }
                // `resolve` refused: the token is not a user's; search what the server knows.
                Err(SourceError::NeedsCredentials { .. }) if resolve => {
                    server.not_a_user_token.store(true, Ordering::Relaxed);
                    resolve = false;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let (profiles, _skipped) = parse::account_list(&list, domain);
            return Ok(profiles
                .into_iter()
                .find(|p| p.handle.eq_ignore_ascii_case(&wanted)));
        }
    }

    async fn directory(
        server: &Server,
        domain: &str,
        limit: usize,
    ) -> Result<Option<Vec<Profile>>, SourceError> {
        let limit = limit.clamp(1, DIRECTORY_MAX).to_string();
        let params = [
            ("order", "new"),
            ("local", "true"),
            ("limit", limit.as_str()),
        ];
        match Self::get(server, "/api/v1/directory", &params).await? {
            Answer::Json(Value::Array(list)) => Ok(Some(parse::account_list(&list, domain).0)),
            Answer::Json(_) => Err(error("the directory is not a list".into())),
            // No directory: not an answer with content (a server answering only 404 has not
            // been checked).
            Answer::NotFound => Ok(None),
        }
    }

    /// Search queries: the person's names.
    fn queries(&self, identity: &Identity) -> Vec<String> {
        let mut seen = HashSet::new();
        identity
            .names()
            .map(String::from)
            .filter(|q| seen.insert(q.to_lowercase()))
            .collect()
    }

    /// Usernames to look up on every server, most plausible first: the person's own usernames
    /// from every platform, then the detector's look-alikes of their Mastodon usernames.
    pub fn probe_usernames(&self, identity: &Identity) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut push = |user: &str, kind: &str, out: &mut Vec<(String, String)>| {
            let ok = !user.is_empty()
                && user.len() <= 30
                && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if ok && seen.insert(user.to_ascii_lowercase()) {
                out.push((user.to_string(), kind.to_string()));
            }
        };
        for h in &identity.handles {
            let user = h.handle.split(['@', '.']).next().unwrap_or(&h.handle);
            push(user, "same_handle", &mut out);
        }
        for own in identity.handles_on(&Platform::Mastodon) {
            for v in variants(&Platform::Mastodon, own, self.config.probe_limit) {
                let user = v.handle.split('@').next().unwrap_or(&v.handle);
                push(user, &v.kind, &mut out);
            }
        }
        out.truncate(self.config.probe_limit.max(identity.handles.len()));
        out
    }

    async fn check_server(
        &self,
        server: &Server,
        identity: &Identity,
        filter: &LiveMatcher,
        out: &mut Vec<Found>,
        seen: &mut HashSet<String>,
    ) -> Result<(), SourceError> {
        let mut tally = Tally::default();
        let domain = match Self::try_domain(server).await {
            Ok(domain) => domain,
            Err(e) => {
                if let Some(end) = tally.note(server, Err(e)) {
                    return end;
                }
                tracing::warn!(platform = "mastodon", server = %server.base, "the server did not say its domain; using its host for this check");
                Self::host(server)
            }
        };
        for query in self.queries(identity) {
            let (profiles, failure) = self.search(server, &domain, &query).await;
            for p in profiles {
                let found_by = FoundBy::Search {
                    query: query.clone(),
                };
                push_unique(out, seen, Found::new(p, found_by));
            }
            if let Some(end) = tally.note(server, failure.map_or(Ok(true), Err)) {
                return end;
            }
        }
        let own: HashSet<String> = identity
            .handles_on(&Platform::Mastodon)
            .map(str::to_ascii_lowercase)
            .collect();
        for (user, _kind) in self.probe_usernames(identity) {
            if own.contains(&format!("{}@{domain}", user.to_ascii_lowercase())) {
                continue;
            }
            let r = Self::lookup_acct(server, &domain, &user).await.map(|hit| {
                let answered = hit.is_some();
                if let Some(p) = hit {
                    let variant = p.handle.clone();
                    push_unique(out, seen, Found::new(p, FoundBy::Probe { variant }));
                }
                answered
            });
            if let Some(end) = tally.note(server, r) {
                return end;
            }
        }
        let r = Self::directory(server, &domain, self.config.directory_limit)
            .await
            .map(|profiles| {
                let Some(profiles) = profiles else {
                    return false;
                };
                for p in profiles {
                    // The directory lists everyone new: keep only those that look like the person.
                    let record = ProfileRecord {
                        display_name: p.display_name.clone(),
                        description: p.bio.clone(),
                        avatar_cid: None,
                    };
                    let id = p.platform_id.clone().unwrap_or_default();
                    if filter.check_record(&id, &record).is_some()
                        || filter.check_handle(&id, &p.handle).is_some()
                    {
                        push_unique(out, seen, Found::new(p, FoundBy::Directory));
                    }
                }
                true
            });
        if let Some(end) = tally.note(server, r) {
            return end;
        }
        tally.finish()
    }
}

/// How one server's requests went during a check, and when to stop asking it.
#[derive(Debug, Default)]
struct Tally {
    /// Requests answered with content (an account, a list). A 404 for a probed username
    /// does not count: a server that answers only "not found" while its search and directory
    /// fail has not been checked, and must say so.
    ok: usize,
    failures_in_a_row: usize,
    last_error: Option<SourceError>,
}

impl Tally {
    /// Records one request's outcome; Some(outcome of the server's check) when the server
    /// should be left for this check:
    /// it is rate limiting us, cannot be reached (down, or hanging past the timeout), or
    /// failed [`CONSECUTIVE_FAILURES_MAX`] requests in a row (a 5xx storm, refused tokens). What it already
    /// answered is kept by the caller when some request succeeded.
    fn note(
        &mut self,
        server: &Server,
        r: Result<bool, SourceError>,
    ) -> Option<Result<(), SourceError>> {
        let e = match r {
            Ok(with_content) => {
                self.ok += usize::from(with_content);
                self.failures_in_a_row = 0;
                return None;
            }
            Err(e) => e,
        };
        tracing::warn!(platform = "mastodon", server = %server.base, "{e}");
        self.failures_in_a_row += 1;
        // A refused token is not a reason to leave at once: a server-wide (non-user) token
        // is refused for `resolve` in search but still opens lookups and the directory.
        let give_up = matches!(
            e,
            SourceError::RateLimited { .. } | SourceError::Unreachable { .. }
        ) || self.failures_in_a_row >= CONSECUTIVE_FAILURES_MAX;
        if give_up {
            tracing::warn!(platform = "mastodon", server = %server.base, "server left for this check after {} failures in a row", self.failures_in_a_row);
            return Some(match e {
                // Rate limits always surface, so the watcher can wait them out.
                e @ SourceError::RateLimited { .. } => Err(e),
                e if self.ok == 0 => Err(e),
                // Some requests worked: keep what they found (logged above).
                _ => Ok(()),
            });
        }
        self.last_error = Some(e);
        None
    }

    fn finish(self) -> Result<(), SourceError> {
        match (self.ok, self.last_error) {
            (0, Some(e)) => Err(e),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl Source for MastodonSource {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }

    async fn check(&self, identity: &Identity) -> Result<Vec<Found>, SourceError> {
        let filter = LiveMatcher::new(identity, Vec::new(), Vec::new());
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut failures = Vec::new();
        for server in &self.servers {
            if let Err(e) = self
                .check_server(server, identity, &filter, &mut out, &mut seen)
                .await
            {
                tracing::warn!(platform = "mastodon", server = %server.base, "check failed: {e}");
                failures.push(e);
            }
        }
        if !self.servers.is_empty() && failures.len() == self.servers.len() {
            if let Some(e) = failures.into_iter().next() {
                return Err(e);
            }
        }
        if let Some(server) = self.servers.first() {
            server.http.fetch_avatars(&mut out).await;
        }
        Ok(out)
    }

    async fn recent_posts(
        &self,
        account: &AccountRef,
        max: usize,
    ) -> Result<Option<Vec<crate::posts::Post>>, SourceError> {
        let (server, home, acct) = self.server_for(&account.handle).await?;
        // The id on the server asked (an account's id differs from server to server).
        let Some(found) = Self::lookup_acct(server, &home, &acct).await? else {
            return Ok(Some(Vec::new()));
        };
        let id: String = found
            .platform_id
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect();
        if id.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let max = max.clamp(1, crate::posts::MAX_POSTS).to_string();
        let query = [
            ("limit", max.as_str()),
            ("exclude_reblogs", "true"),
            ("exclude_replies", "true"),
        ];
        match Self::get(server, &format!("/api/v1/accounts/{id}/statuses"), &query).await? {
            Answer::Json(v) => statuses::statuses(&v, crate::posts::MAX_POSTS)
                .map(Some)
                .map_err(error),
            Answer::NotFound => Ok(Some(Vec::new())),
        }
    }

    async fn lookup(
        &self,
        accounts: &[AccountRef],
    ) -> Result<Vec<(AccountRef, AccountState)>, SourceError> {
        let mut out = Vec::new();
        for account in accounts {
            let (server, home, acct) = self.server_for(&account.handle).await?;
            let state = match Self::lookup_acct(server, &home, &acct).await? {
                Some(p) => AccountState::Present(Box::new(p)),
                None => AccountState::Gone,
            };
            out.push((account.clone(), state));
        }
        Ok(out)
    }

    fn cost_estimate(&self, identity: &Identity) -> CostEstimate {
        let queries = self.queries(identity).len();
        let probes = self.probe_usernames(identity).len();
        let pages = self.config.search_pages.clamp(1, SEARCH_PAGES_MAX);
        let requests: usize = self
            .servers
            .iter()
            .map(|s| queries * if s.token.is_some() { pages } else { 1 } + probes + 2)
            .sum();
        CostEstimate {
            requests: requests as u32,
            paid_reads: 0,
            usd: 0.0,
        }
    }
}
