//! Avatar fingerprints: perceptual hashes of the avatar that survive re-encoding, resizing,
//! tone changes, mirroring, small crops and round-avatar screenshots.

use serde::{Deserialize, Serialize};

/// Perceptual fingerprint of an avatar image, with a quality figure used to gate flat logos
/// and default avatars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarFingerprint {
    /// Hashes of canonical forms of the image (implementation-defined set).
    pub hashes: Vec<u64>,
    /// 0 (flat, featureless) to 1 (rich detail).
    pub quality: f32,
}
