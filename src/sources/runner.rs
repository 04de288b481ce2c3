//! Running the sources: one check of every source ([`check_all`]), judging what they found
//! ([`assess_found`]), and the watch loop ([`watch`]) that keeps the Bluesky live stream and the
//! periodic checks going until its receiver is dropped. The CLI's `scan` and `watch` and the
//! watcher service drive these; none of this prints or stores anything itself.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::mpsc;

use super::bluesky::live::{run_live, LiveEvent};
use super::bluesky::BlueskySource;
use super::mastodon::MastodonSource;
use super::x::{XCredentials, XSource};
use super::{CheckReport, Found, FoundBy, Source, SourceError};
use crate::config::Config;
use crate::detect::avatar::fingerprint;
use crate::detect::{Detector, Reason, Verdict};
use crate::identity::{Identity, Platform};
use crate::profile::Profile;

/// A candidate with the detector's judgement; its JSON is one line of `scan` output:
/// the `score` fields (`id`, `verdict`, `score`, `reasons`) plus where and how it was found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable id: `platform:platform_id`, or `platform:handle` when the platform has no id.
    pub id: String,
    pub verdict: Verdict,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub platform: Platform,
    pub handle: String,
    pub profile_url: Option<String>,
    pub found_by: FoundBy,
    /// The whole candidate profile (for the store and the evidence bundle).
    #[serde(skip)]
    pub profile: Profile,
    /// The candidate's avatar bytes when fetched (bounded), for the evidence bundle.
    #[serde(skip)]
    pub avatar_image: Option<Vec<u8>>,
}

/// The stable id of a profile: `platform:platform_id`, else `platform:handle` (lowercased).
/// Mastodon ids are per server, so Mastodon uses the `user@domain` handle.
pub fn finding_id(profile: &Profile) -> String {
    match (&profile.platform, &profile.platform_id) {
        (Platform::Mastodon, _) | (_, None) => {
            format!("{}:{}", profile.platform, profile.handle.to_lowercase())
        }
        (platform, Some(id)) => format!("{platform}:{id}"),
    }
}

/// Judges one found candidate: its avatar (when fetched) is fingerprinted for the detector.
pub fn assess_found(detector: &Detector, found: Found, now: DateTime<Utc>) -> Finding {
    let avatar = found
        .avatar_image
        .as_deref()
        .and_then(|bytes| match fingerprint(bytes) {
            Ok(fp) => Some(fp),
            Err(e) => {
                tracing::debug!(handle = %found.profile.handle, "avatar not fingerprinted: {e}");
                None
            }
        });
    let assessment = detector.assess(&found.profile, avatar.as_ref(), now);
    Finding {
        id: finding_id(&found.profile),
        verdict: assessment.verdict,
        score: assessment.score,
        reasons: assessment.reasons,
        platform: found.profile.platform.clone(),
        handle: found.profile.handle.clone(),
        profile_url: found.profile.url.clone(),
        found_by: found.found_by,
        profile: found.profile,
        avatar_image: found.avatar_image,
    }
}

/// Tokens for the sources that use them, read from the keychain by the caller.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Mastodon user tokens by server base URL.
    pub mastodon_tokens: Vec<(String, String)>,
    pub x: XCredentials,
}

/// The sources to run, built from the settings.
#[derive(Default)]
pub struct Sources {
    /// Bluesky, when selected: also drives the live stream.
    pub bluesky: Option<Arc<BlueskySource>>,
    /// Every selected source, Bluesky included.
    pub all: Vec<Arc<dyn Source>>,
    /// Selected sources that could not be set up, with why (e.g. X without credentials).
    pub skipped: Vec<(Platform, String)>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let platforms: Vec<Platform> = self.all.iter().map(|s| s.platform()).collect();
        f.debug_struct("Sources")
            .field("all", &platforms)
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Builds the sources named in `selection` (all supported ones when None) that are enabled in
/// `config`. X without credentials is skipped with a reason rather than failing the others.
pub fn build_sources(
    config: &Config,
    selection: Option<&[Platform]>,
    credentials: &Credentials,
) -> Result<Sources, SourceError> {
    let wanted = |p: &Platform| selection.map_or(true, |s| s.contains(p));
    let mut out = Sources::default();
    if wanted(&Platform::Bluesky) {
        if config.bluesky.enabled {
            let source = Arc::new(BlueskySource::new(config)?);
            out.all.push(source.clone());
            out.bluesky = Some(source);
        } else {
            out.skipped
                .push((Platform::Bluesky, "disabled in settings".into()));
        }
    }
    if wanted(&Platform::Mastodon) {
        if config.mastodon.enabled && !config.mastodon.servers.is_empty() {
            let mut source = MastodonSource::new(config)?;
            for (server, token) in &credentials.mastodon_tokens {
                source = source.with_token(server, token.clone());
            }
            out.all.push(Arc::new(source));
        } else {
            out.skipped.push((
                Platform::Mastodon,
                "disabled in settings or no server listed".into(),
            ));
        }
    }
    if wanted(&Platform::X) {
        let has_credentials =
            credentials.x.bearer_token.is_some() || credentials.x.user_token.is_some();
        if !config.x.enabled {
            out.skipped
                .push((Platform::X, "disabled in settings".into()));
        } else if !has_credentials {
            out.skipped.push((
                Platform::X,
                "needs your X API bearer token (X is paid per read; add it in settings)".into(),
            ));
        } else {
            out.all
                .push(Arc::new(XSource::new(config, credentials.x.clone())?));
        }
    }
    Ok(out)
}

/// Runs one check of every source at once; each source's result comes back on its own, so
/// one failing platform does not hide the others, and each report names the queries that
/// failed within a check that otherwise ran (a partial check).
pub async fn check_all(
    sources: &[Arc<dyn Source>],
    identity: &Identity,
) -> Vec<(Platform, Result<CheckReport, SourceError>)> {
    let checks = sources.iter().map(|s| async move {
        let result = s.check_report(identity).await;
        (s.platform(), result)
    });
    futures_util::future::join_all(checks).await
}

/// What the watch loop reports.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    /// A candidate, new or changed since it was last reported in this run.
    Finding(Box<Finding>),
    /// A periodic check of one platform finished with this many candidates; `failed_queries`
    /// of its queries failed (0: the check was complete).
    CheckDone {
        platform: Platform,
        candidates: usize,
        failed_queries: usize,
    },
    /// A source failed (the loop goes on; the next check retries).
    SourceFailed { platform: Platform, message: String },
    /// The Jetstream cursor to store: pass it back as `start_cursor` after a restart.
    LiveCursor(u64),
    /// The live stream connected or dropped (it reconnects by itself).
    LiveStatus { connected: bool, detail: String },
}

/// How the watch loop runs.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Time between periodic checks.
    pub check_interval: Duration,
    /// Follow Bluesky live (needs the Bluesky source).
    pub live: bool,
    /// The stored Jetstream cursor, if any.
    pub start_cursor: Option<u64>,
}

impl WatchOptions {
    /// Options from the settings, starting the live stream at `start_cursor`.
    pub fn from_config(config: &Config, start_cursor: Option<u64>) -> WatchOptions {
        WatchOptions {
            check_interval: Duration::from_secs(config.watch.check_interval_secs.max(10)),
            live: config.bluesky.live,
            start_cursor,
        }
    }
}

/// Keeps the live stream and the periodic checks running, sending [`WatchEvent`]s, until
/// `events`' receiver is dropped. Within one run a candidate is reported again only when its
/// profile changed.
pub async fn watch(
    sources: Sources,
    detector: Arc<Detector>,
    options: WatchOptions,
    events: mpsc::Sender<WatchEvent>,
) {
    let (found_tx, mut found_rx) = mpsc::channel::<(Found, bool)>(256);
    let mut tasks = Vec::new();
    if let (true, Some(bluesky)) = (options.live, sources.bluesky.clone()) {
        let identity = detector.identity().clone();
        let events = events.clone();
        let found_tx = found_tx.clone();
        let cursor = options.start_cursor;
        tasks.push(tokio::spawn(async move {
            let (live_tx, mut live_rx) = mpsc::channel(256);
            let stream = run_live(&bluesky, &identity, cursor, live_tx);
            let forward = async {
                while let Some(event) = live_rx.recv().await {
                    let sent = match event {
                        LiveEvent::Found(f) => found_tx.send((*f, true)).await.is_ok(),
                        LiveEvent::Cursor(c) => {
                            events.send(WatchEvent::LiveCursor(c)).await.is_ok()
                        }
                        LiveEvent::Connected { from_cursor } => events
                            .send(WatchEvent::LiveStatus {
                                connected: true,
                                detail: match from_cursor {
                                    Some(c) => format!("connected, replaying from {c}"),
                                    None => "connected".into(),
                                },
                            })
                            .await
                            .is_ok(),
                        LiveEvent::CoverageGap { from_us, to_us } => events
                            .send(WatchEvent::LiveStatus {
                                connected: true,
                                detail: format!("coverage gap from {from_us} to {to_us}"),
                            })
                            .await
                            .is_ok(),
                        LiveEvent::Disconnected { reason, retry_in } => events
                            .send(WatchEvent::LiveStatus {
                                connected: false,
                                detail: format!("{reason}; retrying in {} s", retry_in.as_secs()),
                            })
                            .await
                            .is_ok(),
                    };
                    if !sent {
                        return;
                    }
                }
            };
            // Whichever ends first (the receiver went away) ends both.
            tokio::select! {
                _ = stream => {}
                _ = forward => {}
            }
        }));
    }
    {
        let sources = sources.all.clone();
        let identity = detector.identity().clone();
        let events = events.clone();
        let found_tx = found_tx.clone();
        let interval = options.check_interval;
        tasks.push(tokio::spawn(async move {
            loop {
                for (platform, result) in check_all(&sources, &identity).await {
                    let event = match result {
                        Ok(report) => {
                            let candidates = report.found.len();
                            let failed_queries = report.failures.len();
                            for f in report.found {
                                if found_tx.send((f, false)).await.is_err() {
                                    return;
                                }
                            }
                            WatchEvent::CheckDone {
                                platform,
                                candidates,
                                failed_queries,
                            }
                        }
                        Err(e) => WatchEvent::SourceFailed {
                            platform,
                            message: e.to_string(),
                        },
                    };
                    if events.send(event).await.is_err() {
                        return;
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = events.closed() => return,
                }
            }
        }));
    }
    drop(found_tx);
    let mut last_seen: HashMap<String, Profile> = HashMap::new();
    loop {
        tokio::select! {
            _ = events.closed() => break,
            next = found_rx.recv() => {
                let Some((found, _live)) = next else { break };
                let id = finding_id(&found.profile);
                if last_seen.get(&id) == Some(&found.profile) {
                    continue;
                }
                last_seen.insert(id, found.profile.clone());
                let detector = detector.clone();
                // Fingerprinting decodes an image: keep it off the async workers.
                let finding = tokio::task::spawn_blocking(move || {
                    assess_found(&detector, found, Utc::now())
                })
                .await;
                match finding {
                    Ok(f) => {
                        if events.send(WatchEvent::Finding(Box::new(f))).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => tracing::error!("assessing a candidate failed: {e}"),
                }
            }
        }
    }
    for task in tasks {
        task.abort();
    }
}
