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

/// Why an image could not be fingerprinted.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    #[error("the image could not be decoded: {0}")]
    Decode(String),
}

/// How closely a candidate's avatar matches the person's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarMatch {
    /// True when the images are perceptually the same picture (and distinctive enough to say so).
    pub matched: bool,
    /// 0 (unrelated) to 1 (identical).
    pub similarity: f32,
    /// Evidence in words, e.g. "avatar matches yours (mirrored, 94% similar)".
    pub detail: String,
}

/// Decodes an image (bounded in size) and computes its fingerprint.
pub fn fingerprint(_bytes: &[u8]) -> Result<AvatarFingerprint, AvatarError> {
    Err(AvatarError::Decode("not built yet (issue 2)".into()))
}

/// Compares the person's avatar with a candidate's.
pub fn compare(_reference: &AvatarFingerprint, _candidate: &AvatarFingerprint) -> AvatarMatch {
    AvatarMatch {
        matched: false,
        similarity: 0.0,
        detail: String::new(),
    }
}
