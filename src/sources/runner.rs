//! Running the sources once: building them from the settings and credentials through the
//! platform registry ([`build_sources`]), one check of every source ([`check_all`]) and
//! judging what they found ([`assess_found`]) into `scan` lines ([`ScanFinding`]). The one
//! long-running pipeline (live stream, periodic checks, store, notifications) is
//! [`crate::watch`]; this module never loops, prints or stores anything itself.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::bluesky::BlueskySource;
use super::{CheckReport, Found, FoundBy, Source, SourceError};
use crate::config::Config;
use crate::detect::avatar::fingerprint;
use crate::detect::{Detector, Reason, Verdict};
use crate::identity::{Identity, Platform};
use crate::platforms::{self, SecretLookup};
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
/// Platforms whose ids are per server (Mastodon) use the `user@domain` handle.
pub fn finding_id(profile: &Profile) -> String {
    let per_server = platforms::module(&profile.platform).is_some_and(|m| m.ids_per_server());
    match &profile.platform_id {
        Some(id) if !per_server => format!("{}:{id}", profile.platform),
        _ => format!("{}:{}", profile.platform, profile.handle.to_lowercase()),
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
        profile_url: Some(crate::report::profile_url(&found.profile)),
        found_by: found.found_by,
        profile: found.profile,
        avatar_image: found.avatar_image,
    }
}

/// The sources to run, built from the settings.
#[derive(Default)]
pub struct Sources {
    /// The live stream to follow (Bluesky Jetstream), when selected and on in the settings.
    pub live: Option<Arc<BlueskySource>>,
    /// Every selected source that could be set up.
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

/// Builds, through the platform registry, the sources named in `selection` (every registered
/// platform when None) with the credentials `secrets` finds. A source that is off or lacks
/// credentials (X) is skipped with a reason rather than failing the others.
pub fn build_sources(
    config: &Config,
    selection: Option<&[Platform]>,
    secrets: SecretLookup<'_>,
) -> Result<Sources, SourceError> {
    let mut out = Sources::default();
    for module in platforms::ALL {
        let platform = module.platform();
        if selection.is_some_and(|s| !s.contains(&platform)) {
            continue;
        }
        match module.build_source(config, secrets)? {
            Ok(built) => {
                out.all.push(built.source);
                out.live = out.live.or(built.live);
            }
            Err(why) => out.skipped.push((platform, why)),
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
