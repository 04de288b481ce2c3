//! Weighing the signals into a verdict.

use chrono::{DateTime, Utc};

use super::avatar::AvatarFingerprint;
use super::{Assessment, Verdict};
use crate::identity::Identity;
use crate::profile::Profile;

/// A detector prepared for one identity; cheap to call for many candidates.
#[derive(Debug, Clone)]
pub struct Detector {
    identity: Identity,
    avatar: Option<AvatarFingerprint>,
}

impl Detector {
    /// Prepares the detector for `identity`, with the fingerprint of its avatar if known.
    pub fn new(identity: Identity, avatar: Option<AvatarFingerprint>) -> Detector {
        Detector { identity, avatar }
    }

    /// The identity this detector protects.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Judges one candidate. `avatar` is the candidate's avatar fingerprint when it was fetched;
    /// `now` dates the account age.
    pub fn assess(
        &self,
        _profile: &Profile,
        _avatar: Option<&AvatarFingerprint>,
        _now: DateTime<Utc>,
    ) -> Assessment {
        let _ = &self.avatar;
        // TODO(issue 2): the real scorer.
        Assessment {
            verdict: Verdict::Clear,
            score: 0.0,
            reasons: vec![],
        }
    }
}
