//! Settings: where each source lives, how often and how much it checks, and the X spending cap.
//!
//! No secrets here: tokens and app passwords live in the OS keychain and are handed to the
//! sources as parameters. The settings file is JSON (`config.json` in the platform config dir,
//! or the path in `DOPPELWATCH_CONFIG`); every field is optional and falls back to the defaults
//! below. Base URLs can also be set through `DOPPELWATCH_BLUESKY_URL` (the AppView, never
//! the PDS), `DOPPELWATCH_BLUESKY_PDS_URL`, `DOPPELWATCH_JETSTREAM_URL`, `DOPPELWATCH_MASTODON_URL` (comma-separated server URLs) and
//! `DOPPELWATCH_X_URL` and `DOPPELWATCH_YOUTUBE_URL`, which win over the file (tests and self-hosted servers use them).
//!
//! Every number has a range ([`ranges`], said in each field's doc and in the README), checked
//! when the settings are read: a value outside it is an error naming the key, the value and
//! the range, never silently clamped. A settings file must be a JSON object of objects.
//!
//! `DOPPELWATCH_LOOPBACK_FAKES=1` (tests only) lets avatar URLs name those base URLs when they
//! are plain-http loopback fakes; no settings file can do that.

pub mod ranges;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use ranges::{Number, Range};
/// Set to `1` (tests only) to let avatar URLs name the loopback fakes given as base URLs: see
/// [`Config::allow_loopback_fakes`].
pub const LOOPBACK_FAKES_ENV: &str = "DOPPELWATCH_LOOPBACK_FAKES";

/// Largest settings file read (a real one is a few hundred bytes).
const MAX_SETTINGS_FILE_BYTES: u64 = 1024 * 1024;

/// All settings of the sources and the watch loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub http: HttpConfig,
    pub bluesky: BlueskyConfig,
    pub mastodon: MastodonConfig,
    pub x: XConfig,
    pub youtube: YoutubeConfig,
    pub watch: WatchConfig,
}

/// Limits every HTTP exchange obeys: everything from the network is hostile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Whole-request timeout, seconds (1 to 300).
    pub timeout_secs: u64,
    /// TCP/TLS connect timeout, seconds (1 to 120).
    pub connect_timeout_secs: u64,
    /// Largest JSON answer read; a larger one is cut off and treated as malformed (64 KiB to
    /// 64 MiB).
    pub max_json_bytes: usize,
    /// Largest avatar image fetched; a larger one is skipped (1 KiB to 16 MiB).
    pub max_avatar_bytes: usize,
    /// Redirects followed when fetching an avatar (0 to 3).
    pub max_redirects: usize,
    /// Retries after a 429, a 5xx or an unreadable answer, per request (0 to 10).
    pub max_retries: u32,
    /// Longest wait for a rate limit to reset before giving up on the request, seconds (0 to
    /// 3600).
    pub max_rate_limit_wait_secs: u64,
    /// Fetch candidates' avatars so the detector can compare them.
    pub fetch_avatars: bool,
    /// At most this many avatars fetched per check and platform (0 to 500).
    pub max_avatars_per_check: usize,
    /// Base URLs of loopback fakes (tests, the demo) whose origins remote-supplied URLs may
    /// name over plain http (see [`crate::net::guarded`]). Never read from nor written to the
    /// settings file, empty in real use: only [`Config::allow_loopback_fakes`] fills it.
    #[serde(skip)]
    pub loopback_fakes: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout_secs: 20,
            connect_timeout_secs: 10,
            max_json_bytes: 4 * 1024 * 1024,
            max_avatar_bytes: 2 * 1024 * 1024,
            max_redirects: 3,
            max_retries: 4,
            max_rate_limit_wait_secs: 900,
            fetch_avatars: true,
            max_avatars_per_check: 60,
            loopback_fakes: Vec::new(),
        }
    }
}

impl HttpConfig {
    /// The whole-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}

/// Bluesky: public AppView for search and lookups, Jetstream for live profile changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlueskyConfig {
    pub enabled: bool,
    /// Public read host (no account needed).
    pub base_url: String,
    /// The user's PDS, for authenticated calls (reports). At the default
    /// (`https://bsky.social`) the PDS is found from the account's DID document instead
    /// ([`crate::report::bluesky_pds`]); any other value is used as is.
    pub pds_url: String,
    /// Jetstream `subscribe` endpoint.
    pub jetstream_url: String,
    /// Pages of `searchActors` read per query, 100 actors a page (1 to 10).
    pub search_pages: usize,
    /// Search queries sent per check: names, handle words, name variants (0 to 50).
    pub max_queries: usize,
    /// Look-alike handles probed with `getProfiles` per check (0 to 1000).
    pub probe_limit: usize,
    /// Follow Jetstream in `watch`.
    pub live: bool,
    /// How far back a resumed stream starts before the stored cursor, seconds (0 to 3600).
    pub rewind_secs: u64,
}

impl Default for BlueskyConfig {
    fn default() -> Self {
        BlueskyConfig {
            enabled: true,
            base_url: "https://public.api.bsky.app".into(),
            pds_url: "https://bsky.social".into(),
            jetstream_url: "wss://jetstream2.us-east.bsky.network/subscribe".into(),
            search_pages: 3,
            max_queries: 8,
            probe_limit: 100,
            live: true,
            rewind_secs: 5,
        }
    }
}

/// Mastodon: the servers to search, probe and read the directory of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MastodonConfig {
    pub enabled: bool,
    /// Base URLs of the servers checked.
    pub servers: Vec<String>,
    /// Look-alike usernames probed per server and check (0 to 200).
    pub probe_limit: usize,
    /// Accounts read from each server's directory of new accounts per check (1 to 80, one
    /// page).
    pub directory_limit: usize,
    /// Pages of 40 read from `/api/v2/search` per name and server (1 to 10). Paging
    /// (`offset`) needs a user token on that server; without one only the first page is read.
    pub search_pages: usize,
    /// Demo mode only, never read from or written to a settings file: the server name
    /// (`mastodon.social`) that the one listed server, the demo's loopback fake, stands for,
    /// so reports of the person's `user@mastodon.social` go to the fake.
    #[serde(skip)]
    pub demo_domain: Option<String>,
}

impl Default for MastodonConfig {
    fn default() -> Self {
        MastodonConfig {
            enabled: true,
            servers: vec![
                "https://mastodon.social".into(),
                "https://mastodon.online".into(),
                "https://mstdn.social".into(),
            ],
            probe_limit: 15,
            directory_limit: 80,
            search_pages: 3,
            demo_domain: None,
        }
    }
}

/// X: only with the user's own credentials, and it costs money per user read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct XConfig {
    pub enabled: bool,
    pub base_url: String,
    /// Spending cap per UTC day, in US dollars (0 to 1000).
    pub daily_cap_usd: f64,
    /// What X charges for one user read, in US dollars (0.0001 to 10: never free, or the cap
    /// would mean nothing).
    pub cost_per_user_read_usd: f64,
    /// Look-alike handles probed per check, most plausible first (each a paid read when it
    /// exists) (0 to 1000).
    pub probe_limit: usize,
    /// Results asked from `/2/users/search` per query, user-context token only (1 to 1000).
    pub search_max_results: usize,
    /// An account read within this window is not read again, hours (0 to 720).
    pub reread_window_hours: u64,
}

impl Default for XConfig {
    fn default() -> Self {
        XConfig {
            enabled: true,
            base_url: "https://api.x.com".into(),
            daily_cap_usd: 1.0,
            // "User: Read $0.010 per resource", "Charged per resource returned in the
            // response", each resource once per UTC day ("Deduplication"):
            // https://docs.x.com/x-api/getting-started/pricing (pay-per-usage, read 2026-12).
            cost_per_user_read_usd: 0.01,
            probe_limit: 40,
            search_max_results: 20,
            reread_window_hours: 24,
        }
    }
}

/// YouTube: the Data API v3 with the person's own API key, within a daily quota of units
/// (a handle probe costs 1, a name search 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct YoutubeConfig {
    pub enabled: bool,
    pub base_url: String,
    /// Quota units spent per day at most (0 to 1000000): YouTube gives a project 10,000 a day
    /// by default (<https://developers.google.com/youtube/v3/getting-started#quota>).
    pub daily_quota_units: u64,
    /// Look-alike handles probed per check, most plausible first, 1 unit each (0 to 1000).
    pub probe_limit: usize,
    /// A handle probed within this window is not probed again, hours (0 to 720).
    pub reread_window_hours: u64,
    /// A name searched within this window is not searched again (100 units a search), hours
    /// (1 to 720).
    pub search_interval_hours: u64,
    /// Channels asked per name search, `maxResults` (1 to 50).
    pub search_max_results: usize,
}

impl Default for YoutubeConfig {
    fn default() -> Self {
        YoutubeConfig {
            enabled: true,
            base_url: "https://www.googleapis.com".into(),
            daily_quota_units: 10_000,
            probe_limit: 40,
            reread_window_hours: 6,
            search_interval_hours: 24,
            search_max_results: 10,
        }
    }
}

/// The watch loop's pace, notifications and the report cap (issue 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchConfig {
    /// Seconds between periodic checks (search, probes, directory) of each source (1 to
    /// 604800, a week; under a minute only against a self-hosted or fake server).
    pub check_interval_secs: u64,
    /// Per-platform intervals that win over `check_interval_secs`, e.g. `{"x": 21600}`: X
    /// charges per read, so it is checked less often by default. Keys: bluesky, mastodon, x;
    /// values as `check_interval_secs`.
    pub platform_interval_secs: std::collections::BTreeMap<String, u64>,
    /// Random spread of every interval, as a fraction (0.1: up to 10% earlier or later), so
    /// checks never fall into lockstep with a platform's rate-limit windows (0 to 0.9).
    pub jitter: f64,
    /// Seconds between re-checks of accounts with an open alert: taken down? renamed? (1 to
    /// 604800).
    pub recheck_interval_secs: u64,
    /// First wait after a failed check (offline, server error), doubled per failure, seconds
    /// (1 to 86400).
    pub min_backoff_secs: u64,
    /// Longest wait between retries after failures (never longer than the interval), seconds
    /// (1 to 86400).
    pub max_backoff_secs: u64,
    /// Alerts within this many seconds of the last notification come as one summary (0 to
    /// 3600).
    pub notify_batch_secs: u64,
    /// No notifications between these local times (`{"start": "22:00:00", "end": "07:00:00"}`).
    pub quiet_hours: Option<crate::notify::QuietHours>,
    /// At most this many reports filed through APIs per 24 hours (0 to 100).
    pub report_daily_cap: u32,
    /// Seconds a batch of reports queued in the app waits before anything is sent: time to
    /// undo (0 to 3600).
    pub report_undo_secs: u64,
    /// `suspicious` accounts (worth a look, maybe namesakes) never pop up one by one; with
    /// this on, one notification a day at most says how many are waiting ("3 accounts worth a
    /// look"). Off: none; they wait in the worth-a-look list. `impostor` alerts always notify.
    pub worth_a_look_digest: bool,
    /// Impostors joining a wave announced less than this many seconds ago wait and come as
    /// one update of the wave ("3 more accounts imitating ...") (0 to 86400; 0: at once).
    pub wave_update_secs: u64,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            check_interval_secs: 30 * 60,
            // Platforms that ask for a longer interval by default (X: paid reads).
            platform_interval_secs: crate::platforms::ALL
                .iter()
                .filter_map(|m| Some((m.id().to_string(), m.default_interval_secs()?)))
                .collect(),
            jitter: 0.1,
            recheck_interval_secs: 60 * 60,
            min_backoff_secs: 30,
            max_backoff_secs: 30 * 60,
            notify_batch_secs: 60,
            quiet_hours: None,
            report_daily_cap: crate::report::DEFAULT_DAILY_CAP,
            report_undo_secs: crate::report::queue::DEFAULT_UNDO_SECS,
            worth_a_look_digest: true,
            wave_update_secs: crate::notify::WAVE_UPDATE_MINUTES as u64 * 60,
        }
    }
}

impl WatchConfig {
    /// The check interval of `platform`.
    pub fn interval_for(&self, platform: &crate::identity::Platform) -> Duration {
        let secs = self
            .platform_interval_secs
            .get(platform.as_str())
            .copied()
            .unwrap_or(self.check_interval_secs);
        Duration::from_secs(secs.max(1))
    }
}

/// Why the settings could not be used; says which file and what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("settings file {path} is not valid: {source}. Fix or delete it to use the defaults")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{what} {value:?} is not an http(s) or ws(s) URL: {why}")]
    BadUrl {
        what: String,
        value: String,
        why: String,
    },
    #[error("settings{}: {key} is {value}, but it must be {range} (the default is {default}). Fix it, or remove it to use the default", in_file(path))]
    OutOfRange {
        path: Option<PathBuf>,
        key: String,
        value: Number,
        range: Range,
        default: Number,
    },
    #[error(
        "settings{}: {key} names no source; use bluesky, mastodon, x or youtube",
        in_file(path)
    )]
    UnknownPlatform { path: Option<PathBuf>, key: String },
    #[error("settings{}: watch.min_backoff_secs is {min}, more than watch.max_backoff_secs ({max}); the shortest wait after a failure cannot be longer than the longest. Lower the first or raise the second", in_file(path))]
    BackoffOrder {
        path: Option<PathBuf>,
        min: u64,
        max: u64,
    },
    #[error("settings file {path}: {what} must be a JSON object ({{...}}), not {found}. Fix or delete it to use the defaults")]
    NotAnObject {
        path: PathBuf,
        what: String,
        found: &'static str,
    },
}

/// " file PATH" when the settings came from a file.
fn in_file(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!(" file {}", p.display()))
        .unwrap_or_default()
}

impl Config {
    /// The default settings file: `config.json` in the platform's config dir.
    pub fn default_path() -> Option<PathBuf> {
        // Same qualifiers as the store's data directory, so both sit under one app folder on
        // macOS and Windows too.
        directories::ProjectDirs::from("org", "Doppelwatch", "doppelwatch")
            .map(|dirs| dirs.config_dir().join("config.json"))
    }

    /// Loads settings: `path`, else `DOPPELWATCH_CONFIG`, else the default file if it exists,
    /// else the defaults; then applies the `DOPPELWATCH_*_URL` overrides and checks the URLs.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let explicit = path
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("DOPPELWATCH_CONFIG").map(PathBuf::from));
        let mut config = match explicit {
            Some(path) => Config::read_file(&path)?,
            None => match Config::default_path() {
                Some(path) if path.exists() => Config::read_file(&path)?,
                _ => Config::default(),
            },
        };
        config.apply_env(|name| std::env::var(name).ok());
        config.check_urls()?;
        Ok(config)
    }

    /// Reads one settings file: a JSON object of objects whose numbers are all in range.
    pub fn read_file(path: &Path) -> Result<Config, ConfigError> {
        // Only a regular file, and a bounded read (`/dev/zero` or a FIFO must not hang).
        let text =
            crate::files::input::read_regular_text(path, MAX_SETTINGS_FILE_BYTES).map_err(|e| {
                ConfigError::Read {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(e.to_string()),
                }
            })?;
        let parse = |source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        };
        // serde would read `[]` (or `"http": [20]`) as a struct's fields in order.
        let value: serde_json::Value = serde_json::from_str(&text).map_err(parse)?;
        require_objects(&value, path)?;
        let config: Config = serde_json::from_str(&text).map_err(parse)?;
        config.check_ranges_in(Some(path))?;
        Ok(config)
    }

    /// Every numeric setting with its key, value and allowed range. Adding a number to the
    /// settings means adding it here (and its range in [`ranges`]).
    pub fn numbers(&self) -> Vec<(String, Number, Range)> {
        use ranges::*;
        let (h, b, m, x, w) = (
            &self.http,
            &self.bluesky,
            &self.mastodon,
            &self.x,
            &self.watch,
        );
        let y = &self.youtube;
        #[rustfmt::skip]
        let table: [(&str, Number, Range); 34] = [
            ("http.timeout_secs", h.timeout_secs.into(), HTTP_TIMEOUT_SECS),
            ("http.connect_timeout_secs", h.connect_timeout_secs.into(), HTTP_CONNECT_TIMEOUT_SECS),
            ("http.max_json_bytes", h.max_json_bytes.into(), HTTP_MAX_JSON_BYTES),
            ("http.max_avatar_bytes", h.max_avatar_bytes.into(), HTTP_MAX_AVATAR_BYTES),
            ("http.max_redirects", h.max_redirects.into(), HTTP_MAX_REDIRECTS),
            ("http.max_retries", h.max_retries.into(), HTTP_MAX_RETRIES),
            ("http.max_rate_limit_wait_secs", h.max_rate_limit_wait_secs.into(), HTTP_MAX_RATE_LIMIT_WAIT_SECS),
            ("http.max_avatars_per_check", h.max_avatars_per_check.into(), HTTP_MAX_AVATARS_PER_CHECK),
            ("bluesky.search_pages", b.search_pages.into(), BLUESKY_SEARCH_PAGES),
            ("bluesky.max_queries", b.max_queries.into(), BLUESKY_MAX_QUERIES),
            ("bluesky.probe_limit", b.probe_limit.into(), BLUESKY_PROBE_LIMIT),
            ("bluesky.rewind_secs", b.rewind_secs.into(), BLUESKY_REWIND_SECS),
            ("mastodon.probe_limit", m.probe_limit.into(), MASTODON_PROBE_LIMIT),
            ("mastodon.directory_limit", m.directory_limit.into(), MASTODON_DIRECTORY_LIMIT),
            ("mastodon.search_pages", m.search_pages.into(), MASTODON_SEARCH_PAGES),
            ("x.daily_cap_usd", x.daily_cap_usd.into(), X_DAILY_CAP_USD),
            ("x.cost_per_user_read_usd", x.cost_per_user_read_usd.into(), X_COST_PER_USER_READ_USD),
            ("x.probe_limit", x.probe_limit.into(), X_PROBE_LIMIT),
            ("x.search_max_results", x.search_max_results.into(), X_SEARCH_MAX_RESULTS),
            ("x.reread_window_hours", x.reread_window_hours.into(), X_REREAD_WINDOW_HOURS),
            ("youtube.daily_quota_units", y.daily_quota_units.into(), YOUTUBE_DAILY_QUOTA_UNITS),
            ("youtube.probe_limit", y.probe_limit.into(), YOUTUBE_PROBE_LIMIT),
            ("youtube.reread_window_hours", y.reread_window_hours.into(), YOUTUBE_REREAD_WINDOW_HOURS),
            ("youtube.search_interval_hours", y.search_interval_hours.into(), YOUTUBE_SEARCH_INTERVAL_HOURS),
            ("youtube.search_max_results", y.search_max_results.into(), YOUTUBE_SEARCH_MAX_RESULTS),
            ("watch.check_interval_secs", w.check_interval_secs.into(), WATCH_CHECK_INTERVAL_SECS),
            ("watch.jitter", w.jitter.into(), WATCH_JITTER),
            ("watch.recheck_interval_secs", w.recheck_interval_secs.into(), WATCH_RECHECK_INTERVAL_SECS),
            ("watch.min_backoff_secs", w.min_backoff_secs.into(), WATCH_MIN_BACKOFF_SECS),
            ("watch.max_backoff_secs", w.max_backoff_secs.into(), WATCH_MAX_BACKOFF_SECS),
            ("watch.notify_batch_secs", w.notify_batch_secs.into(), WATCH_NOTIFY_BATCH_SECS),
            ("watch.report_daily_cap", w.report_daily_cap.into(), WATCH_REPORT_DAILY_CAP),
            ("watch.wave_update_secs", w.wave_update_secs.into(), WATCH_WAVE_UPDATE_SECS),
            ("watch.report_undo_secs", w.report_undo_secs.into(), WATCH_REPORT_UNDO_SECS),
        ];
        let mut list: Vec<(String, Number, Range)> = table
            .into_iter()
            .map(|(key, value, range)| (key.to_string(), value, range))
            .collect();
        for (platform, secs) in &w.platform_interval_secs {
            list.push((
                format!("watch.platform_interval_secs.{platform}"),
                (*secs).into(),
                WATCH_CHECK_INTERVAL_SECS,
            ));
        }
        list
    }

    /// Checks every number against its range (and the per-platform interval keys); the
    /// error names the key, the value, the range and the default. Run on every settings file
    /// read and before any settings are saved.
    pub fn check_ranges(&self) -> Result<(), ConfigError> {
        self.check_ranges_in(None)
    }

    fn check_ranges_in(&self, path: Option<&Path>) -> Result<(), ConfigError> {
        for platform in self.watch.platform_interval_secs.keys() {
            if !crate::platforms::ALL.iter().any(|m| m.id() == platform) {
                return Err(ConfigError::UnknownPlatform {
                    path: path.map(Path::to_path_buf),
                    key: format!("watch.platform_interval_secs.{platform}"),
                });
            }
        }
        let defaults = Config::default().numbers();
        for (key, value, range) in self.numbers() {
            if !range.contains(value.as_f64()) {
                let default = defaults
                    .iter()
                    .find(|(k, _, _)| *k == key)
                    .map_or(Number::Whole(0), |(_, d, _)| *d);
                return Err(ConfigError::OutOfRange {
                    path: path.map(Path::to_path_buf),
                    key,
                    value,
                    range,
                    default,
                });
            }
        }
        if self.watch.min_backoff_secs > self.watch.max_backoff_secs {
            return Err(ConfigError::BackoffOrder {
                path: path.map(Path::to_path_buf),
                min: self.watch.min_backoff_secs,
                max: self.watch.max_backoff_secs,
            });
        }
        Ok(())
    }

    /// Applies the base-URL overrides from the environment (`get` reads one variable).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        if let Some(url) = non_empty("DOPPELWATCH_BLUESKY_URL") {
            // The AppView only: the app password goes to the PDS alone (the settings'
            // `pds_url` or `DOPPELWATCH_BLUESKY_PDS_URL`), never to this URL.
            self.bluesky.base_url = url.trim().to_string();
        }
        if let Some(url) = non_empty("DOPPELWATCH_BLUESKY_PDS_URL") {
            self.bluesky.pds_url = url.trim().to_string();
        }
        if let Some(url) = non_empty("DOPPELWATCH_JETSTREAM_URL") {
            self.bluesky.jetstream_url = url.trim().to_string();
        }
        if let Some(urls) = non_empty("DOPPELWATCH_MASTODON_URL") {
            self.mastodon.servers = urls
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(url) = non_empty("DOPPELWATCH_X_URL") {
            self.x.base_url = url.trim().to_string();
        }
        if let Some(url) = non_empty("DOPPELWATCH_YOUTUBE_URL") {
            self.youtube.base_url = url.trim().to_string();
        }
        if get(LOOPBACK_FAKES_ENV).is_some_and(|v| v.trim() == "1") {
            self.allow_loopback_fakes();
        }
    }

    /// Lets remote-supplied URLs (avatars) name the configured base URLs that are plain-http
    /// loopback fakes (tests, the demo): their origins, nothing else. Real use never calls it.
    pub fn allow_loopback_fakes(&mut self) {
        let bases = [
            &self.bluesky.base_url,
            &self.bluesky.pds_url,
            &self.x.base_url,
            &self.youtube.base_url,
        ]
        .into_iter()
        .chain(&self.mastodon.servers);
        let fakes: Vec<String> = bases
            .filter(|base| {
                url::Url::parse(base).is_ok_and(|u| {
                    u.scheme() == "http" && crate::net::guarded::is_loopback_host(&u)
                })
            })
            .cloned()
            .collect();
        self.http.loopback_fakes = fakes;
    }

    /// Checks that every base URL parses with a usable scheme.
    pub fn check_urls(&self) -> Result<(), ConfigError> {
        let check = |what: &str, value: &str, schemes: &[&str]| -> Result<(), ConfigError> {
            let bad = |why: String| ConfigError::BadUrl {
                what: what.to_string(),
                value: value.to_string(),
                why,
            };
            let url = url::Url::parse(value).map_err(|e| bad(e.to_string()))?;
            if !schemes.contains(&url.scheme()) {
                return Err(bad(format!("the scheme must be one of {schemes:?}")));
            }
            Ok(())
        };
        check(
            "bluesky.base_url",
            &self.bluesky.base_url,
            &["http", "https"],
        )?;
        check("bluesky.pds_url", &self.bluesky.pds_url, &["http", "https"])?;
        check(
            "bluesky.jetstream_url",
            &self.bluesky.jetstream_url,
            &["ws", "wss"],
        )?;
        for server in &self.mastodon.servers {
            check("mastodon.servers", server, &["http", "https"])?;
        }
        check("x.base_url", &self.x.base_url, &["http", "https"])?;
        check(
            "youtube.base_url",
            &self.youtube.base_url,
            &["http", "https"],
        )?;
        Ok(())
    }
}

/// Refuses a settings file that is not an object, or whose sections are not objects.
fn require_objects(value: &serde_json::Value, path: &Path) -> Result<(), ConfigError> {
    use serde_json::Value;
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    let not_object = |what: &str, v: &Value| ConfigError::NotAnObject {
        path: path.to_path_buf(),
        what: what.to_string(),
        found: kind(v),
    };
    let Value::Object(sections) = value else {
        return Err(not_object("the whole file", value));
    };
    for (name, section) in sections {
        if !section.is_object() {
            return Err(not_object(&format!("section {name:?}"), section));
        }
        if let Some(quiet) = section.get("quiet_hours").filter(|q| !q.is_null()) {
            if !quiet.is_object() {
                return Err(not_object(&format!("{name}.quiet_hours"), quiet));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
