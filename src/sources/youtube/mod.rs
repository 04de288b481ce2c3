//! YouTube (Data API v3), only with the person's own API key, within a daily quota.
//!
//! A check probes ranked look-alike handles with `channels.list?forHandle=` (1 unit each) and,
//! at most once per name per `search_interval_hours`, searches the person's names with
//! `search.list?type=channel` (100 units) and reads the channels found with
//! `channels.list?id=` (1 unit). Quota costs:
//! <https://developers.google.com/youtube/v3/determine_quota_cost>; every request costs its
//! units whatever it answers ("All API requests, including invalid requests, incur a quota
//! cost of at least one point", <https://developers.google.com/youtube/v3/getting-started#quota>),
//! so units are counted before each request is sent.
//!
//! The units spent are held under the daily quota (`youtube.daily_quota_units`) with the
//! same machinery as X's spending cap ([`super::spending`], store keys `spending:youtube`,
//! `reads:youtube`, `holds:youtube`): counted by every process alike, kept across restarts,
//! shared fairly between people. There, [`Spending::usd`] holds quota units. A check the
//! quota cut says so ([`super::CheckReport::cut`]). YouTube resets quotas at midnight Pacific Time;
//! the quota day here is UTC−8 ([`quota_day`]), which never starts before YouTube's.
//!
//! The key travels in the `key` query parameter (as documented); it never appears in errors,
//! logs or the status line ([`YoutubeSource::explain`] cuts it out). This module never
//! stores anything itself.

pub mod parse;

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use reqwest::Method;
use url::Url;

use super::bluesky::push_unique;
use super::http::{Answer, Http};
use super::meter::Meter;
use super::ratelimit::{backoff, Jitter};
use super::{
    querylog, AccountRef, AccountState, CostEstimate, Found, FoundBy, Source, SourceError, Spending,
};
use crate::config::{Config, HttpConfig, YoutubeConfig};
use crate::detect::variants::variants;
use crate::identity::{Identity, Platform};
use crate::profile::Profile;

/// Units a `channels.list` costs.
pub const CHANNELS_LIST_UNITS: u32 = 1;
/// Units a `search.list` costs.
pub const SEARCH_LIST_UNITS: u32 = 100;
/// `channels.list?id=` takes at most this many ids.
pub const IDS_BATCH: usize = 50;

/// The YouTube quota day of now: YouTube resets quotas at midnight Pacific Time; UTC−8 is
/// midnight PST, an hour after midnight PDT, so the day counted here never starts before
/// YouTube's.
pub fn quota_day() -> NaiveDate {
    (Utc::now() - chrono::Duration::hours(8)).date_naive()
}

/// A name as a search query: letters, digits, spaces and `'`, at most 100 characters.
fn search_query(name: &str) -> Option<String> {
    let q: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '\'' | ' '))
        .take(100)
        .collect();
    let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
    (q.chars().count() >= 2).then_some(q)
}

/// Handles to probe for `identity`, most plausible first: the person's handles from other
/// platforms as YouTube handles, then the detector's ranked look-alikes of their YouTube
/// handles (of those other handles when they have no YouTube channel: an impostor copies the
/// name they are known by). The person's own YouTube handles are never probed.
pub fn ranked_probes(identity: &Identity, limit: usize) -> Vec<(String, String)> {
    let own: HashSet<String> = identity
        .handles_on(&Platform::Youtube)
        .map(str::to_lowercase)
        .collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |handle: &str, kind: &str, out: &mut Vec<(String, String)>| {
        let lower = handle.to_lowercase();
        let allowed = crate::identity::validate_handle(&Platform::Youtube, handle).is_ok();
        if allowed && !own.contains(&lower) && seen.insert(lower) {
            out.push((handle.to_string(), kind.to_string()));
        }
    };
    let mut elsewhere = Vec::new();
    for h in &identity.handles {
        if h.platform != Platform::Youtube {
            let user = h.handle.split(['@', '.']).next().unwrap_or(&h.handle);
            push(user, "same_handle", &mut out);
            elsewhere.push(user.to_string());
        }
    }
    let mut bases: Vec<String> = identity
        .handles_on(&Platform::Youtube)
        .map(String::from)
        .collect();
    if bases.is_empty() {
        bases = elsewhere;
    }
    for handle in &bases {
        for v in variants(&Platform::Youtube, handle, limit) {
            push(&v.handle, &v.kind, &mut out);
        }
    }
    out.truncate(limit);
    out
}

/// How much of one check the quota let through, to say plainly when it cut it.
#[derive(Debug, Default, Clone, Copy)]
struct Coverage {
    probes_wanted: usize,
    probes_sent: usize,
    searches_wanted: usize,
    searches_run: usize,
}

impl Coverage {
    /// The cut in words, None when the quota cut nothing.
    fn cut(&self, quota: f64) -> Option<String> {
        crate::sources::spending::cut_words(&[
            ("probed", self.probes_sent, self.probes_wanted, "look-alike handles"),
            ("searched", self.searches_run, self.searches_wanted, "names"),
        ])
        .map(|cut| {
            format!(
                "today's YouTube quota of {quota:.0} units cut this check: {cut}; the rest waits for the next quota day (midnight Pacific Time)"
            )
        })
    }
}

/// The YouTube source.
pub struct YoutubeSource {
    http: Http,
    config: YoutubeConfig,
    api_key: Option<String>,
    /// Quota units (one unit costs 1 in the budget's money), and when each handle
    /// (`h:<lowercase>`) was last probed and each name (`q:<lowercase>`) last searched.
    meter: Meter,
    /// Attempts after the first for a request that failed in a way worth retrying.
    retries: u32,
}

impl fmt::Debug for YoutubeSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YoutubeSource")
            .field("config", &self.config)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Whether asking again may help: no answer at all, a server error, a 429 waited out, an
/// answer cut off or not JSON (`Http` says "failed after" for those); never a refusal.
fn retryable(e: &SourceError) -> bool {
    match e {
        SourceError::Unreachable { .. } => true,
        SourceError::Api { message, .. } => message.contains(" failed after "),
        _ => false,
    }
}

/// Whether a failed request stops the whole check (nothing more can succeed today).
fn fatal(e: &SourceError) -> bool {
    matches!(e, SourceError::NeedsCredentials { .. })
        || matches!(e, SourceError::Api { message, .. } if message.contains("quota"))
}

impl YoutubeSource {
    /// A source with the person's API key; without one, checks say a key is needed.
    pub fn new(config: &Config, api_key: Option<String>) -> Result<YoutubeSource, SourceError> {
        let single = HttpConfig {
            max_retries: 0,
            ..config.http.clone()
        };
        Ok(YoutubeSource {
            http: Http::new(Platform::Youtube, &single)?,
            retries: config.http.max_retries,
            meter: Meter::new(
                config.youtube.daily_quota_units as f64,
                1.0,
                quota_day,
                str::to_lowercase,
            ),
            config: config.youtube.clone(),
            api_key: api_key.filter(|k| !k.trim().is_empty()),
        })
    }

    /// Quota units spent on the current quota day, as far as this process knows.
    pub fn spent_today_units(&self) -> f64 {
        self.meter.spent()
    }

    fn key(&self) -> Result<&str, SourceError> {
        self.api_key
            .as_deref()
            .ok_or_else(|| SourceError::NeedsCredentials {
                platform: Platform::Youtube,
                what: "a YouTube Data API key (add it in settings; it is kept in the keychain)"
                    .into(),
            })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, SourceError> {
        super::http::api_url(&Platform::Youtube, &self.config.base_url, path, query)
    }

    fn units_left(&self) -> u32 {
        self.meter.reads_left()
    }

    fn charge(&self, units: u32) {
        self.meter.charge(units);
    }

    fn window(hours: u64) -> chrono::Duration {
        chrono::Duration::hours(i64::try_from(hours.min(24 * 365)).unwrap_or(24))
    }

    fn read_recently(&self, key: &str, hours: u64) -> bool {
        self.meter.read_within(key, Self::window(hours))
    }

    fn note_read(&self, key: String) {
        self.meter.note_reads([key]);
    }

    /// The error in plain words: the key cut out of every text, YouTube's reasons said as
    /// what to do (`quotaExceeded`: the day's quota is used up; `keyInvalid`: the key is
    /// refused). A used-up quota also uses up the local budget, so no more is asked today.
    pub fn explain(&self, e: SourceError) -> SourceError {
        let key = self.api_key.as_deref().unwrap_or_default();
        let clean = |text: String| {
            if key.len() >= 4 {
                text.replace(key, "[redacted]")
            } else {
                text
            }
        };
        let text = clean(e.reason());
        let has = |reasons: &[&str]| reasons.iter().any(|r| text.contains(&format!("[{r}]")));
        if has(&["quotaExceeded", "dailyLimitExceeded", "RATE_LIMIT_EXCEEDED"]) {
            // The whole day's room (not only this person's share): every process stops.
            let room = self.meter.room();
            self.charge(room.ceil().min(f64::from(u32::MAX)) as u32);
            return SourceError::Api {
                platform: Platform::Youtube,
                message: "YouTube says the daily quota of this API key is used up (quotaExceeded); checks resume after midnight Pacific Time, when YouTube resets it (or ask Google for more quota)".into(),
            };
        }
        if has(&[
            "keyInvalid",
            "API_KEY_INVALID",
            "keyExpired",
            "API_KEY_EXPIRED",
        ]) {
            return SourceError::NeedsCredentials {
                platform: Platform::Youtube,
                what: "YouTube refused the API key as not valid (keyInvalid): check the YouTube API key in settings (it is kept in the keychain) and replace it if it was deleted or restricted".into(),
            };
        }
        match e {
            SourceError::RateLimited { .. } => e,
            SourceError::NeedsCredentials { platform, what } => SourceError::NeedsCredentials {
                platform,
                what: clean(what),
            },
            SourceError::Unreachable { platform, message } => SourceError::Unreachable {
                platform,
                message: clean(message),
            },
            SourceError::Api { platform, message } => SourceError::Api {
                platform,
                message: clean(message),
            },
        }
    }

    /// GETs `path` with the key after charging `units` (YouTube charges every request).
    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        units: u32,
    ) -> Result<Answer, SourceError> {
        let key = self.key()?;
        let mut pairs = query.to_vec();
        pairs.push(("key", key));
        let url = self.url(path, &pairs)?;
        // Retried here, not in `Http`: YouTube charges every attempt, so each is counted.
        // The check's query log notes the query once, with its final outcome.
        let mut attempt = 0;
        let result = loop {
            self.charge(units);
            match self
                .http
                .request_json(Method::GET, url.clone(), None, None)
                .await
            {
                Ok(answer) => break Ok(answer),
                Err(e) if attempt < self.retries && retryable(&e) => {
                    tokio::time::sleep(backoff(
                        attempt,
                        Duration::from_millis(250),
                        Duration::from_secs(30),
                        Jitter::Half,
                    ))
                    .await;
                    attempt += 1;
                }
                Err(e) => break Err(self.explain(e)),
            }
        };
        querylog::note(&url, &result);
        result
    }

    /// The channel whose handle is `handle` (1 unit), if any.
    pub async fn channel_by_handle(&self, handle: &str) -> Result<Vec<Profile>, SourceError> {
        let at = format!("@{}", handle.trim_start_matches('@'));
        let answer = self
            .get(
                "/youtube/v3/channels",
                &[("part", parse::CHANNEL_PARTS), ("forHandle", &at)],
                CHANNELS_LIST_UNITS,
            )
            .await?;
        Ok(match answer {
            Answer::Json(v) => parse::channel_list(&v, Some(handle)),
            Answer::NotFound => Vec::new(),
        })
    }

    /// The channels of `ids` (1 unit per 50).
    pub async fn channels_by_id(&self, ids: &[String]) -> Result<Vec<Profile>, SourceError> {
        let mut out = Vec::new();
        for batch in ids.chunks(IDS_BATCH) {
            let list = batch.join(",");
            let max = batch.len().to_string();
            let answer = self
                .get(
                    "/youtube/v3/channels",
                    &[
                        ("part", parse::CHANNEL_PARTS),
                        ("id", &list),
                        ("maxResults", &max),
                    ],
                    CHANNELS_LIST_UNITS,
                )
                .await?;
            if let Answer::Json(v) = answer {
                out.extend(parse::channel_list(&v, None));
            }
        }
        Ok(out)
    }

    /// Channels a search for `query` finds (100 units, then 1 to read them).
    pub async fn search(&self, query: &str) -> Result<Vec<Profile>, SourceError> {
        let max = self.config.search_max_results.clamp(1, 50).to_string();
        let answer = self
            .get(
                "/youtube/v3/search",
                &[
                    ("part", "snippet"),
                    ("type", "channel"),
                    ("q", query),
                    ("maxResults", &max),
                ],
                SEARCH_LIST_UNITS,
            )
            .await?;
        let ids = match answer {
            Answer::Json(v) => parse::search_channel_ids(&v),
            Answer::NotFound => Vec::new(),
        };
        if ids.is_empty() || self.units_left() < CHANNELS_LIST_UNITS {
            return Ok(Vec::new());
        }
        self.channels_by_id(&ids).await
    }

    /// One check's probes and searches, adding to `out` as answers arrive. A failed query is
    /// noted (the check is partial) and the next is tried, unless nothing more can succeed
    /// today (quota used up, key refused): then the error stops the check.
    async fn check_into(
        &self,
        identity: &Identity,
        out: &mut Vec<Found>,
        coverage: &mut Coverage,
    ) -> Result<(), SourceError> {
        // The person's own channels are never candidates (a name search finds them too).
        let mut seen: HashSet<String> = HashSet::new();
        let own: Vec<String> = identity
            .handles_on(&Platform::Youtube)
            .map(str::to_lowercase)
            .collect();
        let mine = |p: &Profile| own.contains(&p.handle.to_lowercase());
        let probes: Vec<(String, String)> = ranked_probes(identity, self.config.probe_limit)
            .into_iter()
            .filter(|(h, _)| {
                !self.read_recently(
                    &format!("h:{}", h.to_lowercase()),
                    self.config.reread_window_hours,
                )
            })
            .collect();
        let queries: Vec<String> = identity
            .names()
            .filter_map(search_query)
            .filter(|q| {
                !self.read_recently(
                    &format!("q:{}", q.to_lowercase()),
                    self.config.search_interval_hours,
                )
            })
            .collect::<Vec<_>>();
        let mut queries_unique: Vec<String> = Vec::new();
        for q in queries {
            if !queries_unique.iter().any(|u| u.eq_ignore_ascii_case(&q)) {
                queries_unique.push(q);
            }
        }
        coverage.probes_wanted = probes.len();
        coverage.searches_wanted = queries_unique.len();
        if probes.is_empty() && queries_unique.is_empty() {
            return Ok(());
        }
        if self.units_left() == 0 {
            return Err(self.quota_reached());
        }
        for (handle, _kind) in &probes {
            if self.units_left() < CHANNELS_LIST_UNITS {
                break;
            }
            coverage.probes_sent += 1;
            match self.channel_by_handle(handle).await {
                Ok(found) => {
                    self.note_read(format!("h:{}", handle.to_lowercase()));
                    for p in found {
                        let variant = handle.clone();
                        push_unique(out, &mut seen, Found::new(p, FoundBy::Probe { variant }));
                    }
                }
                Err(e) if fatal(&e) => return Err(e),
                Err(_) => {}
            }
        }
        for query in queries_unique {
            if self.units_left() < SEARCH_LIST_UNITS + CHANNELS_LIST_UNITS {
                break;
            }
            coverage.searches_run += 1;
            match self.search(&query).await {
                Ok(found) => {
                    self.note_read(format!("q:{}", query.to_lowercase()));
                    for p in found.into_iter().filter(|p| !mine(p)) {
                        let found_by = FoundBy::Search {
                            query: query.clone(),
                        };
                        push_unique(out, &mut seen, Found::new(p, found_by));
                    }
                }
                Err(e) if fatal(&e) => return Err(e),
                Err(_) => {}
            }
        }
        Ok(())
    }

    fn quota_reached(&self) -> SourceError {
        SourceError::Api {
            platform: Platform::Youtube,
            message: format!(
                "today's YouTube quota of {} units is used up; raise youtube.daily_quota_units in settings or wait for the next quota day (midnight Pacific Time)",
                self.config.daily_quota_units
            ),
        }
    }
}

#[async_trait]
impl Source for YoutubeSource {
    fn platform(&self) -> Platform {
        Platform::Youtube
    }

    fn unsaved_spending(&self) -> Option<Spending> {
        let longest = self
            .config
            .reread_window_hours
            .max(self.config.search_interval_hours);
        Some(self.meter.unsaved(Self::window(longest)))
    }

    fn spending_saved(&self, handed: &Spending, stored: &Spending) {
        self.meter.saved(handed, stored);
    }

    fn limit_check_spending(&self, units: Option<f64>) {
        self.meter.limit(units);
    }

    fn room_left_usd(&self) -> Option<f64> {
        Some(self.meter.room())
    }

    fn spending_words(&self, amount: f64) -> String {
        format!("{amount:.0} quota units")
    }

    async fn check(&self, identity: &Identity) -> Result<Vec<Found>, SourceError> {
        self.check_with_cut(identity)
            .await
            .map(|(found, _cut)| found)
    }

    /// One check, and what the quota cut of it in words (None when nothing).
    async fn check_with_cut(
        &self,
        identity: &Identity,
    ) -> Result<(Vec<Found>, Option<String>), SourceError> {
        self.key()?;
        let mut out = Vec::new();
        let mut coverage = Coverage::default();
        let result = self.check_into(identity, &mut out, &mut coverage).await;
        match result {
            // Nothing found and nothing more possible: the check failed.
            Err(e) if out.is_empty() => Err(e),
            // What was found still counts; the failed query is in the check's query log.
            _ => {
                self.http.fetch_avatars(&mut out).await;
                let cut = coverage.cut(self.meter.cap());
                if let Some(cut) = &cut {
                    tracing::warn!(platform = "youtube", "{cut}");
                }
                Ok((out, cut))
            }
        }
    }

    /// Looks channels up again by id (1 unit per 50), or by handle when the id is unknown
    /// (1 unit each: the person's own channel, for onboarding's picture).
    async fn lookup(
        &self,
        accounts: &[AccountRef],
    ) -> Result<Vec<(AccountRef, AccountState)>, SourceError> {
        let ids: Vec<String> = accounts
            .iter()
            .filter_map(|a| a.platform_id.clone())
            .filter(|id| parse::valid_channel_id(id))
            .collect();
        let handles: Vec<&str> = accounts
            .iter()
            .filter(|a| a.platform_id.is_none())
            .map(|a| a.handle.trim_start_matches('@'))
            .filter(|h| crate::identity::validate_handle(&Platform::Youtube, h).is_ok())
            .collect();
        let units = ids.len().div_ceil(IDS_BATCH) as u32 + handles.len() as u32;
        if self.units_left() < units * CHANNELS_LIST_UNITS {
            return Err(self.quota_reached());
        }
        let mut profiles = self.channels_by_id(&ids).await?;
        for handle in handles {
            profiles.extend(self.channel_by_handle(handle).await?);
        }
        Ok(accounts
            .iter()
            .map(|a| {
                let hit = profiles.iter().find(|p| match &a.platform_id {
                    Some(_) => p.platform_id == a.platform_id,
                    None => {
                        p.handle.to_lowercase() == a.handle.trim_start_matches('@').to_lowercase()
                    }
                });
                let state = match hit {
                    Some(p) => {
                        // `customUrl` is lowercased: the handle keeps the case it was seen
                        // with, so a case-only difference is no rename.
                        let mut p = p.clone();
                        if p.handle.to_lowercase() == a.handle.to_lowercase() {
                            p.handle = a.handle.clone();
                        }
                        AccountState::Present(Box::new(p))
                    }
                    None => AccountState::Gone,
                };
                (a.clone(), state)
            })
            .collect())
    }

    fn cost_estimate(&self, identity: &Identity) -> CostEstimate {
        let probes = ranked_probes(identity, self.config.probe_limit).len() as u32;
        let searches = identity.names().filter_map(search_query).count() as u32;
        CostEstimate {
            requests: probes + searches * 2,
            paid_reads: probes * CHANNELS_LIST_UNITS
                + searches * (SEARCH_LIST_UNITS + CHANNELS_LIST_UNITS),
            usd: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::AccountHandle;

    #[test]
    fn probes_are_valid_handles_and_never_the_persons_own() {
        let identity = Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![
                AccountHandle {
                    platform: Platform::Youtube,
                    handle: "PalmerReport".into(),
                },
                AccountHandle {
                    platform: Platform::Bluesky,
                    handle: "palmer.bsky.social".into(),
                },
            ],
            avatar: None,
            bio: None,
        };
        let probes = ranked_probes(&identity, 30);
        assert_eq!(probes[0], ("palmer".to_string(), "same_handle".to_string()));
        assert!(
            probes.iter().any(|(h, _)| h == "PaImerReport"),
            "{probes:?}"
        );
        assert!(probes.iter().all(|(h, _)| crate::identity::validate_handle(
            &Platform::Youtube,
            h
        )
        .is_ok()));
        assert!(!probes
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case("palmerreport")));
        assert_eq!(probes.len(), 30);
    }

    #[test]
    fn the_cut_is_said_in_words() {
        let c = Coverage {
            probes_wanted: 40,
            probes_sent: 12,
            searches_wanted: 1,
            searches_run: 0,
        };
        let said = c.cut(10_000.0).unwrap();
        assert!(said.contains("quota of 10000 units"), "{said}");
        assert!(
            said.contains("probed 12 of 40 look-alike handles"),
            "{said}"
        );
        assert!(said.contains("searched 0 of 1 names"), "{said}");
        assert_eq!(Coverage::default().cut(1.0), None);
    }

    #[test]
    fn search_queries_keep_letters_of_every_script() {
        assert_eq!(search_query("Ana María  <b>"), Some("Ana María b".into()));
        assert_eq!(search_query("!"), None);
    }
}
