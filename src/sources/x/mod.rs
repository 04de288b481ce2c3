//! X (API v2), only with the user's own credentials, and every user read costs money.
//!
//! A check probes ranked look-alike usernames with `/2/users/by` (100 per request) and, with a
//! user-context token, searches the person's names with `/2/users/search`. Spending is held
//! under the daily cap ([`budget::Budget`]): a check is cut to the reads the cap still allows,
//! most plausible variants first (and says so: [`super::CheckReport::cut`]), and a username read
//! within the re-read window is not read again. The budget counts what X bills: each user
//! returned, once per UTC day ($0.01, <https://docs.x.com/x-api/getting-started/pricing>).
//! The spending, the recent reads and the users billed today are kept in the store by every
//! process alike ([`super::spending`]). [`estimate_check_cost`] says what one check costs at
//! most, for the settings screen.

pub mod budget;
pub mod parse;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use url::Url;

use super::bluesky::push_unique;
use super::http::{Answer, Billed, Http};
use super::meter::{lock, Meter};
use super::{
    AccountRef, AccountState, CostEstimate, Found, FoundBy, Source, SourceError, Spending,
};
use crate::config::{Config, XConfig};
use crate::detect::variants::variants;
use crate::identity::{Identity, Platform};

/// `/2/users/by` takes at most this many usernames.
pub const USERS_BY_BATCH: usize = 100;

/// The user's X credentials (from the keychain; never logged, never stored by this module).
#[derive(Clone, Default)]
pub struct XCredentials {
    /// App-only bearer token: enough for `/2/users/by`.
    pub bearer_token: Option<String>,
    /// User-context OAuth 2.0 token: also allows `/2/users/search`.
    pub user_token: Option<String>,
}

impl fmt::Debug for XCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XCredentials")
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "user_token",
                &self.user_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The X source.
#[derive(Debug)]
pub struct XSource {
    http: Http,
    config: XConfig,
    credentials: XCredentials,
    /// Dollars spent today and when each username (lowercased) was last read, found or not.
    meter: Meter,
    /// Accounts a failed check had already paid for, per identity name: the next check of
    /// that identity returns them (they will not be read again within the re-read window).
    unreported: Mutex<HashMap<String, Vec<Found>>>,
    /// Users X already billed today: returned again the same UTC day, they cost nothing.
    billed: Mutex<BilledToday>,
}

/// The ids of the users X billed on `day` (a UTC day), by this process or (from the store)
/// another. X bills a user read once per UTC day: "All resources are deduplicated within a
/// 24-hour UTC day window ... This applies to all billable resources (Posts, users, etc.)"
/// (<https://docs.x.com/x-api/getting-started/pricing>, "Deduplication"). X calls it a soft
/// guarantee; a read it bills twice anyway is under-counted here at worst by the same user.
#[derive(Debug, Default)]
struct BilledToday {
    day: Option<NaiveDate>,
    ids: HashSet<String>,
}

/// User ids remembered per day at most; past it, a user is counted as billed every time (the
/// cap then over-counts, never under-counts).
pub const MAX_BILLED_IDS: usize = 100_000;

impl BilledToday {
    fn roll(&mut self, today: NaiveDate) {
        if self.day != Some(today) {
            self.day = Some(today);
            self.ids.clear();
        }
    }

    /// Whether `id` is billed now (not yet today): notes it.
    fn bill(&mut self, id: &str, today: NaiveDate) -> bool {
        self.roll(today);
        if self.ids.contains(id) {
            return false;
        }
        if self.ids.len() < MAX_BILLED_IDS {
            self.ids.insert(id.to_string());
        }
        true
    }
}

/// How much of one check the spending cap let through, to say plainly when it cut it.
#[derive(Debug, Default, Clone, Copy)]
struct Coverage {
    probes_wanted: usize,
    probes_read: usize,
    searches_wanted: usize,
    searches_run: usize,
    results_wanted: usize,
    results_asked: usize,
}

impl Coverage {
    /// The cut in words, None when the cap cut nothing.
    fn cut(&self, cap_usd: f64) -> Option<String> {
        crate::sources::spending::cut_words(&[
            ("probed", self.probes_read, self.probes_wanted, "look-alike usernames"),
            ("searched", self.searches_run, self.searches_wanted, "names"),
            ("asked", self.results_asked, self.results_wanted, "search results"),
        ])
        .map(|cut| {
            format!(
                "today's X spending cap of ${cap_usd:.2} cut this check: {cut}; the rest waits for the next UTC day"
            )
        })
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn valid_username(u: &str) -> bool {
    (1..=15).contains(&u.len()) && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A name as an X search query: ASCII letters, digits, `_`, `'` and spaces, at most 50.
fn search_query(name: &str) -> Option<String> {
    let q: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | ' '))
        .take(50)
        .collect();
    let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
    (!q.is_empty()).then_some(q)
}

/// Usernames to probe for `identity`, most plausible first: the person's handles from other
/// platforms as X usernames (the same name on X), then the detector's ranked look-alikes of
/// their X handles. The person's own X handles are never probed.
pub fn ranked_probes(identity: &Identity, limit: usize) -> Vec<(String, String)> {
    let own: HashSet<String> = identity
        .handles_on(&Platform::X)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |user: &str, kind: &str, out: &mut Vec<(String, String)>| {
        let lower = user.to_ascii_lowercase();
        if valid_username(user) && !own.contains(&lower) && seen.insert(lower) {
            out.push((user.to_string(), kind.to_string()));
        }
    };
    for h in &identity.handles {
        if h.platform != Platform::X {
            let user = h.handle.split(['@', '.']).next().unwrap_or(&h.handle);
            push(user, "same_handle", &mut out);
        }
    }
    for handle in identity.handles_on(&Platform::X) {
        for v in variants(&Platform::X, handle, limit) {
            push(&v.handle, &v.kind, &mut out);
        }
    }
    out.truncate(limit);
    out
}

/// What one X check of `identity` costs at most under `config` with a user token or not:
/// every probed username that exists and every search result is a paid read.
pub fn estimate_check_cost(
    identity: &Identity,
    config: &XConfig,
    user_token: bool,
) -> CostEstimate {
    let probes = ranked_probes(identity, config.probe_limit).len();
    let queries = if user_token {
        identity.names().filter_map(search_query).count()
    } else {
        0
    };
    let reads = probes + queries * config.search_max_results;
    let cap_reads = if config.cost_per_user_read_usd > 0.0 {
        (config.daily_cap_usd / config.cost_per_user_read_usd).floor() as usize
    } else {
        usize::MAX
    };
    let reads = reads.min(cap_reads);
    CostEstimate {
        requests: (probes.div_ceil(USERS_BY_BATCH) + queries) as u32,
        paid_reads: reads as u32,
        usd: reads as f64 * config.cost_per_user_read_usd,
    }
}

impl XSource {
    /// A source with the user's credentials; without any, checks say credentials are needed.
    pub fn new(config: &Config, credentials: XCredentials) -> Result<XSource, SourceError> {
        Ok(XSource {
            http: Http::new(Platform::X, &config.http)?,
            meter: Meter::new(
                config.x.daily_cap_usd,
                config.x.cost_per_user_read_usd,
                today,
                str::to_ascii_lowercase,
            ),
            config: config.x.clone(),
            credentials,
            unreported: Mutex::new(HashMap::new()),
            billed: Mutex::new(BilledToday::default()),
        })
    }

    /// Restores what every process spent on `day` (as stored) so none can exceed the cap.
    pub fn restore_spending(&self, day: NaiveDate, spent_usd: f64) {
        self.meter.budget().restore(day, spent_usd);
    }

    fn reread_window(&self) -> chrono::Duration {
        let hours = self.config.reread_window_hours.min(24 * 365 * 10);
        chrono::Duration::hours(i64::try_from(hours).unwrap_or(i64::MAX / 3600))
    }

    /// Dollars spent on X reads today (UTC), to store and to show.
    pub fn spent_today_usd(&self) -> f64 {
        self.meter.spent()
    }

    fn token(&self) -> Result<&str, SourceError> {
        self.credentials
            .user_token
            .as_deref()
            .or(self.credentials.bearer_token.as_deref())
            .ok_or_else(|| SourceError::NeedsCredentials {
                platform: Platform::X,
                what: "an X API bearer token (add it in settings; it is kept in the keychain)"
                    .into(),
            })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, SourceError> {
        super::http::api_url(&Platform::X, &self.config.base_url, path, query)
    }

    fn take_reads(&self, wanted: usize) -> usize {
        wanted.min(self.meter.reads_left() as usize)
    }

    fn charge(&self, reads: usize) {
        self.meter.charge(reads as u32);
    }

    /// GETs a billed endpoint. An answer that arrived but could not be read is not asked
    /// again (X already billed it) and counts as `worst_case` reads against the cap: the cap
    /// may only ever over-count, never under-count, what X charged.
    async fn get_billed(
        &self,
        url: Url,
        token: &str,
        worst_case: usize,
    ) -> Result<Answer, SourceError> {
        match self.http.get_json_billed(url, Some(token)).await {
            Ok(answer) => Ok(answer),
            Err(Billed::Free(e)) => Err(e),
            Err(Billed::MaybeCharged(e)) => {
                tracing::warn!(
                    platform = "x",
                    "an answer X may have billed could not be read; {worst_case} reads counted against the cap"
                );
                self.charge(worst_case);
                Err(e)
            }
        }
    }

    /// Charges the user objects of a readable answer that X bills: every entry of `data` whose
    /// user X did not bill yet today (X deduplicates a user within a UTC day), and every entry
    /// without a readable id (a malformed one was billed all the same).
    fn charge_answer(&self, answer: &serde_json::Value) {
        let Some(data) = answer.get("data").and_then(serde_json::Value::as_array) else {
            return;
        };
        let today = today();
        let new = {
            let mut billed = lock(&self.billed);
            data.iter()
                .filter(|user| {
                    match user
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .filter(|id| {
                            (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
                        }) {
                        Some(id) => billed.bill(id, today),
                        None => true,
                    }
                })
                .count()
        };
        self.charge(new);
    }

    fn cap_reached(&self) -> SourceError {
        SourceError::Api {
            platform: Platform::X,
            message: format!(
                "today's X spending cap of ${:.2} is reached; raise it in settings or wait for the next UTC day",
                self.meter.cap()
            ),
        }
    }

    /// One request for at most 100 users at `path` (`key=a,b,c`), charging each user
    /// returned; `None` when the endpoint is not there.
    async fn users_batch(
        &self,
        token: &str,
        (path, key): (&str, &str),
        batch: &[String],
    ) -> Result<Option<Vec<crate::profile::Profile>>, SourceError> {
        let list = batch.join(",");
        let url = self.url(path, &[(key, &list), ("user.fields", parse::USER_FIELDS)])?;
        Ok(match self.get_billed(url, token, batch.len()).await? {
            Answer::Json(v) => {
                self.charge_answer(&v);
                Some(parse::users_page(&v).0)
            }
            Answer::NotFound => None,
        })
    }

    /// Reads users by username (at most 100 a request), charging each user returned.
    pub async fn users_by(
        &self,
        usernames: &[String],
    ) -> Result<Vec<crate::profile::Profile>, SourceError> {
        let token = self.token()?;
        let mut out = Vec::new();
        for batch in usernames.chunks(USERS_BY_BATCH) {
            let Some(profiles) = self
                .users_batch(token, ("/2/users/by", "usernames"), batch)
                .await?
            else {
                return Err(SourceError::Api {
                    platform: Platform::X,
                    message: "/2/users/by is not available".into(),
                });
            };
            self.meter
                .note_reads(batch.iter().map(|name| name.to_ascii_lowercase()));
            out.extend(profiles);
        }
        Ok(out)
    }

    /// Reads users by id (at most 100 a request), charging each user returned.
    pub async fn users_by_id(
        &self,
        ids: &[String],
    ) -> Result<Vec<crate::profile::Profile>, SourceError> {
        let token = self.token()?;
        let mut out = Vec::new();
        for batch in ids.chunks(USERS_BY_BATCH) {
            let found = self.users_batch(token, ("/2/users", "ids"), batch).await?;
            out.extend(found.unwrap_or_default());
        }
        Ok(out)
    }

    async fn search(
        &self,
        query: &str,
        max: usize,
    ) -> Result<Vec<crate::profile::Profile>, SourceError> {
        let Some(token) = self.credentials.user_token.as_deref() else {
            return Ok(Vec::new());
        };
        let max = max.clamp(1, 1000);
        let url = self.url(
            "/2/users/search",
            &[
                ("query", query),
                ("max_results", &max.to_string()),
                ("user.fields", parse::USER_FIELDS),
            ],
        )?;
        match self.get_billed(url, token, max).await? {
            Answer::Json(v) => {
                self.charge_answer(&v);
                let (profiles, _) = parse::users_page(&v);
                Ok(profiles)
            }
            Answer::NotFound => Ok(Vec::new()),
        }
    }

    /// One check's probes and searches, adding to `out` as answers arrive (so what was paid
    /// for is still there when a later request fails).
    async fn check_into(
        &self,
        identity: &Identity,
        out: &mut Vec<Found>,
        seen: &mut HashSet<String>,
        coverage: &mut Coverage,
    ) -> Result<(), SourceError> {
        let probes: Vec<(String, String)> = ranked_probes(identity, self.config.probe_limit)
            .into_iter()
            .filter(|(u, _)| !self.read_recently(u))
            .collect();
        let queries: Vec<String> = if self.credentials.user_token.is_some() {
            identity.names().filter_map(search_query).collect()
        } else {
            Vec::new()
        };
        if probes.is_empty() && queries.is_empty() {
            return Ok(());
        }
        let affordable = self.take_reads(probes.len());
        coverage.probes_wanted = probes.len();
        coverage.probes_read = affordable;
        coverage.searches_wanted = queries.len();
        coverage.results_wanted = queries.len() * self.config.search_max_results;
        if affordable == 0 && (queries.is_empty() || self.take_reads(1) == 0) {
            // Results a failed check kept are still delivered; the next check says "cap".
            return if out.is_empty() {
                Err(self.cap_reached())
            } else {
                Ok(())
            };
        }
        let usernames: Vec<String> = probes[..affordable]
            .iter()
            .map(|(u, _)| u.clone())
            .collect();
        if !usernames.is_empty() {
            for p in self.users_by(&usernames).await? {
                let variant = p.handle.clone();
                push_unique(out, seen, Found::new(p, FoundBy::Probe { variant }));
            }
        }
        for query in queries {
            let max = self.take_reads(self.config.search_max_results);
            if max == 0 {
                tracing::warn!(
                    platform = "x",
                    "today's X spending cap is reached; the name search waits for the next UTC day"
                );
                break;
            }
            coverage.searches_run += 1;
            coverage.results_asked += max;
            for p in self.search(&query, max).await? {
                let found_by = FoundBy::Search {
                    query: query.clone(),
                };
                push_unique(out, seen, Found::new(p, found_by));
            }
        }
        Ok(())
    }

    fn read_recently(&self, username: &str) -> bool {
        self.meter
            .read_within(&username.to_ascii_lowercase(), self.reread_window())
    }
}

#[async_trait]
impl Source for XSource {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn unsaved_spending(&self) -> Option<Spending> {
        let mut spending = self.meter.unsaved(self.reread_window());
        let mut billed = lock(&self.billed);
        billed.roll(spending.day);
        spending.billed = billed.ids.iter().cloned().collect();
        Some(spending)
    }

    fn limit_check_spending(&self, usd: Option<f64>) {
        self.meter.limit(usd);
    }

    fn room_left_usd(&self) -> Option<f64> {
        Some(self.meter.room())
    }

    fn spending_saved(&self, handed: &Spending, stored: &Spending) {
        self.meter.saved(handed, stored);
        let mut billed = lock(&self.billed);
        billed.roll(today());
        if billed.day == Some(stored.day) {
            for id in &stored.billed {
                if billed.ids.len() >= MAX_BILLED_IDS {
                    break;
                }
                billed.ids.insert(id.clone());
            }
        }
    }

    async fn check(&self, identity: &Identity) -> Result<Vec<Found>, SourceError> {
        self.check_with_cut(identity)
            .await
            .map(|(found, _cut)| found)
    }

    /// One check, and what the spending cap cut of it in words (None when nothing).
    async fn check_with_cut(
        &self,
        identity: &Identity,
    ) -> Result<(Vec<Found>, Option<String>), SourceError> {
        self.token()?;
        // What a failed check already paid for comes first: those usernames are in the
        // re-read window, so dropping them would hide their accounts for a day.
        let mut out = lock(&self.unreported)
            .remove(&identity.name)
            .unwrap_or_default();
        let mut seen: HashSet<String> = HashSet::new();
        for f in &out {
            // The key push_unique uses for X: the account id, else the handle.
            seen.insert(
                f.profile
                    .platform_id
                    .clone()
                    .unwrap_or_else(|| f.profile.handle.to_lowercase()),
            );
        }
        let mut coverage = Coverage::default();
        match self
            .check_into(identity, &mut out, &mut seen, &mut coverage)
            .await
        {
            Ok(()) => {
                self.http.fetch_avatars(&mut out).await;
                let cut = coverage.cut(self.meter.cap());
                if let Some(cut) = &cut {
                    tracing::warn!(platform = "x", "{cut}");
                }
                Ok((out, cut))
            }
            Err(e) => {
                if !out.is_empty() {
                    tracing::info!(
                        platform = "x",
                        "check failed; {} paid results kept for the next check",
                        out.len()
                    );
                    lock(&self.unreported).insert(identity.name.clone(), out);
                }
                Err(e)
            }
        }
    }

    /// Looks accounts up by id when known (an impostor may rename itself), else by username.
    async fn lookup(
        &self,
        accounts: &[AccountRef],
    ) -> Result<Vec<(AccountRef, AccountState)>, SourceError> {
        let ids: Vec<String> = accounts
            .iter()
            .filter_map(|a| a.platform_id.clone())
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        let names: Vec<String> = accounts
            .iter()
            .filter(|a| a.platform_id.is_none())
            .map(|a| a.handle.trim_start_matches('@').to_string())
            .filter(|u| valid_username(u))
            .collect();
        if self.take_reads(names.len() + ids.len()) < names.len() + ids.len() {
            return Err(self.cap_reached());
        }
        let mut profiles = self.users_by(&names).await?;
        profiles.extend(self.users_by_id(&ids).await?);
        Ok(accounts
            .iter()
            .map(|a| {
                let hit = profiles.iter().find(|p| match &a.platform_id {
                    Some(id) => p.platform_id.as_deref() == Some(id),
                    None => p
                        .handle
                        .eq_ignore_ascii_case(a.handle.trim_start_matches('@')),
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
        estimate_check_cost(
            identity,
            &self.config,
            self.credentials.user_token.is_some(),
        )
    }
}
