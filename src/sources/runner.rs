//! Running the sources once: building them from the settings and credentials through the
//! platform registry ([`build_sources`]), one check of every source ([`check_all`]) and
//! judging what they found ([`assess_found`]) into `scan` lines ([`ScanFinding`]). The one
//! long-running pipeline (live stream, periodic checks, store, notifications) is
//! [`crate::watch`]; this module never loops, prints or stores anything itself.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

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
pub struct ScanFinding {
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
pub fn assess_found(detector: &Detector, found: Found, now: DateTime<Utc>) -> ScanFinding {
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
    ScanFinding {
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
