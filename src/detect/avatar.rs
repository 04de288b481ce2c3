//! Avatar fingerprints: perceptual hashes of the avatar that survive re-encoding, resizing,
//! tone changes, mirroring, small crops and round-avatar screenshots.
//!
//! How it works (details in the submodules):
//! 1. [`decode`]: untrusted bytes are decoded under strict bounds and reduced to a small luma plane.
//! 2. [`canonical`]: the region hashed is the square inside the circle inside the image's centre
//!    square, which a round mask never touches; the protected avatar is also hashed at a grid of
//!    shifted and scaled regions, so a candidate cropped by up to ~10% still lands on one of them.
//! 3. [`phash`]: each region gives a 192-bit DCT hash (low frequencies above their median).
//! 4. [`quality`]: flat logos and default silhouettes get a low quality, and [`compare`] refuses to
//!    call a match on them.
//!
//! ## Hash layout
//! Each form is [`FORM_WORDS`] consecutive 64-bit words: two luma words (128 DCT bits, lowest
//! frequencies first) and a colour word (the lowest frequencies of the two colour differences;
//! 0 for a colourless image, whose forms are then compared on luma alone).
//! Form 0 is the canonical region, form 1 the same region mirrored left to right.
//! [`fingerprint`] stops there (candidates: four words to store per account);
//! [`fingerprint_reference`] appends the shifted and scaled forms of
//! `canonical::reference_regions` (the person's own avatar, hashed once).

mod canonical;
mod decode;
mod forms;
mod phash;
mod quality;

use serde::{Deserialize, Serialize};

pub use decode::{MAX_DECODE_ALLOC, MAX_DIMENSION, MAX_INPUT_BYTES, MIN_DIMENSION};
pub use quality::QUALITY_GATE;

use canonical::{Integral, Region};
use forms::CANDIDATE_FORMS;

/// Perceptual fingerprint of an avatar image, with a quality figure used to gate flat logos
/// and default avatars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarFingerprint {
    /// Hashes of canonical forms of the image; layout in the module documentation.
    pub hashes: Vec<u64>,
    /// 0 (flat, featureless) to 1 (rich detail).
    pub quality: f32,
}

/// Why an image could not be fingerprinted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AvatarError {
    #[error("the image could not be decoded: {0}")]
    Decode(String),
    #[error("the image is empty (0 bytes)")]
    Empty,
    #[error("the image is {bytes} bytes, more than the {max} accepted for an avatar")]
    InputTooLarge { bytes: usize, max: usize },
    #[error("the image claims {width}x{height} pixels, more than the {max}x{max} accepted for an avatar")]
    TooLarge { width: u32, height: u32, max: u32 },
    #[error("the image is only {width}x{height} pixels; at least {min}x{min} are needed to compare avatars")]
    TooSmall { width: u32, height: u32, min: u32 },
    #[error("unsupported image: {0}")]
    Unsupported(String),
}

/// How closely a candidate's avatar matches the person's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarMatch {
    /// True when the images are perceptually the same picture (and distinctive enough to say so).
    pub matched: bool,
    /// 0 (unrelated) to 1 (identical). 0 when either image is too plain to compare.
    pub similarity: f32,
    /// Evidence in words, e.g. "avatar matches yours (mirrored, 94% similar)".
    pub detail: String,
}

/// A fingerprint plus what the image header said, for the `avatar-hash` CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvatarInfo {
    pub fingerprint: AvatarFingerprint,
    pub width: u32,
    pub height: u32,
    /// "png", "jpeg", "gif", "webp" or "bmp".
    pub format: &'static str,
}

/// 64-bit words per form in [`AvatarFingerprint::hashes`]: two luma words and one colour word.
pub const FORM_WORDS: usize = forms::FORM_WORDS;

/// Bits per form.
pub const FORM_BITS: u32 = 64 * FORM_WORDS as u32;

/// Largest Hamming distance (of [`FORM_BITS`]) between the best pair of forms still called a
/// match. Unrelated pictures sit near half the bits; `tests/avatar_eval.rs` prints the margin.
pub const MATCH_DISTANCE: u32 = 30;

/// The same limit when either side is colourless (black-and-white photos): luma alone separates
/// copies from unrelated pictures by less, so the bar is higher (21 of 192 scaled = 14 of the
/// 128 luma bits).
pub const MATCH_DISTANCE_COLOURLESS: u32 = 21;

/// Decodes an image (bounded in size) and computes its fingerprint: the canonical region and its
/// mirror. Use this for candidates' avatars.
pub fn fingerprint(bytes: &[u8]) -> Result<AvatarFingerprint, AvatarError> {
    inspect(bytes, false).map(|info| info.fingerprint)
}

/// Fingerprint of the person's own avatar: the candidate forms plus shifted and scaled forms, so
/// a cropped copy still matches. Pass it as `reference` to [`compare`].
pub fn fingerprint_reference(bytes: &[u8]) -> Result<AvatarFingerprint, AvatarError> {
    inspect(bytes, true).map(|info| info.fingerprint)
}

/// Decodes and fingerprints an image, returning its dimensions and format too. `reference`
/// selects the extended set of forms of [`fingerprint_reference`].
pub fn inspect(bytes: &[u8], reference: bool) -> Result<AvatarInfo, AvatarError> {
    let plane = decode::decode_luma(bytes)?;
    let hashes = forms::build(&plane, reference);
    let luma = Integral::new(&plane, &plane.data);
    let coefficients = phash::low_frequencies(&luma.sample(Region::canonical(), phash::GRID));
    let quality_grid = luma.sample(Region::canonical(), quality::QUALITY_GRID);
    let robust = &coefficients[..64];
    let measures = quality::measure(&quality_grid, robust, phash::median(robust));
    let quality = quality::score(measures);

    Ok(AvatarInfo {
        fingerprint: AvatarFingerprint { hashes, quality },
        width: plane.source_width,
        height: plane.source_height,
        format: decode::format_name(plane.format),
    })
}

/// Best distances between a reference and a candidate: over whole forms (any region of the
/// reference against the candidate's canonical region or its mirror), and over corner-masked
/// forms (the same corner masked on both sides). Each is (distance, limit, reference form,
/// candidate form).
#[doc(hidden)]
pub fn closest_forms(reference: &[u64], candidate: &[u64]) -> Option<[(u32, u32, usize, usize); 2]> {
    let r: Vec<&[u64]> = reference.chunks_exact(FORM_WORDS).collect();
    let c: Vec<&[u64]> = candidate.chunks_exact(FORM_WORDS).collect();
    if r.len() < CANDIDATE_FORMS || c.len() < CANDIDATE_FORMS {
        return None;
    }
    let limit = |a: &[u64], b: &[u64]| {
        if is_colourless(a) || is_colourless(b) {
            MATCH_DISTANCE_COLOURLESS
        } else {
            MATCH_DISTANCE
        }
    };
    let better = |best: &mut (u32, u32, usize, usize), d: u32, l: u32, i: usize, j: usize| {
        if i64::from(l) - i64::from(d) > i64::from(best.1) - i64::from(best.0) {
            *best = (d, l, i, j);
        }
    };
    let mut whole = (u32::MAX, 0, 0, 0);
    for (i, rf) in r.iter().enumerate() {
        if (2..CANDIDATE_FORMS).contains(&i) {
            continue;
        }
        for (j, cf) in c.iter().enumerate().take(2) {
            better(&mut whole, form_distance(rf, cf), limit(rf, cf), i, j);
        }
    }
    let mut masked = (u32::MAX, 0, 0, 0);
    for corner in 0..forms::CORNERS {
        let i = 2 + corner;
        for mirror in 0..2 {
            let j = 2 + mirror * forms::CORNERS + corner;
            better(&mut masked, form_distance(r[i], c[j]), limit(r[i], c[j]), i, j);
        }
    }
    Some([whole, masked])
}

fn is_colourless(form: &[u64]) -> bool {
    form[phash::LUMA_WORDS] == phash::NO_COLOUR
}

/// Hamming distance between two forms, over [`FORM_BITS`]. When either side is colourless the
/// colour word says nothing, so the luma distance is scaled up to the full width instead.
fn form_distance(a: &[u64], b: &[u64]) -> u32 {
    let luma: u32 = a[..phash::LUMA_WORDS]
        .iter()
        .zip(&b[..phash::LUMA_WORDS])
        .map(|(x, y)| (x ^ y).count_ones())
        .sum();
    if is_colourless(a) || is_colourless(b) {
        luma * FORM_WORDS as u32 / phash::LUMA_WORDS as u32
    } else {
        luma + (a[phash::LUMA_WORDS] ^ b[phash::LUMA_WORDS]).count_ones()
    }
}

/// 1 for identical hashes, 0 at half the bits differing (what unrelated pictures show) or more.
fn similarity_of(distance: u32) -> f32 {
    (1.0 - distance as f32 / (FORM_BITS / 2) as f32).max(0.0)
}

/// Compares the person's avatar with a candidate's.
///
/// `reference` should come from [`fingerprint_reference`] (a plain [`fingerprint`] works but only
/// tolerates smaller crops). No match is called when either image is below [`QUALITY_GATE`].
pub fn compare(reference: &AvatarFingerprint, candidate: &AvatarFingerprint) -> AvatarMatch {
    let Some([whole, masked]) = closest_forms(&reference.hashes, &candidate.hashes) else {
        return AvatarMatch {
            matched: false,
            similarity: 0.0,
            detail: "avatar not compared: no avatar hash on one side".into(),
        };
    };
    let (distance, limit, r, c) = if whole.0 <= whole.1 || whole.0 <= masked.0 { whole } else { masked };
    let similarity = similarity_of(distance);
    let percent = (similarity * 100.0).round();
    if distance > limit {
        return AvatarMatch {
            matched: false,
            similarity,
            detail: format!("avatar differs from yours ({percent}% similar)"),
        };
    }
    let mut how = Vec::new();
    if c == 1 || c >= 2 + forms::CORNERS {
        how.push("mirrored");
    }
    if r >= CANDIDATE_FORMS {
        how.push("cropped or zoomed");
    }
    if (2..CANDIDATE_FORMS).contains(&r) {
        how.push("with a corner covered");
    }
    how.push("");
    let how = how.join(", ");
    AvatarMatch {
        matched: true,
        similarity,
        detail: format!("avatar matches yours ({how}{percent}% similar)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(hashes: Vec<u64>, quality: f32) -> AvatarFingerprint {
        AvatarFingerprint { hashes, quality }
    }

    #[test]
    fn identical_hashes_match_fully() {
        let a = fp(vec![0xDEAD_BEEF_0123_4567, 0x1111, 5, 6, 7, 8], 0.9);
        let m = compare(&a, &a);
        assert!(m.matched);
        assert_eq!(m.similarity, 1.0);
        assert_eq!(m.detail, "avatar matches yours (100% similar)");
    }

    #[test]
    fn a_match_on_the_mirror_form_says_mirrored() {
        let reference = fp(vec![0, 0, 1, u64::MAX, u64::MAX, 1], 0.9);
        let candidate = fp(vec![u64::MAX, u64::MAX, 1, 0, 0, 1], 0.9);
        let m = compare(&reference, &candidate);
        assert!(m.matched);
        assert!(m.detail.contains("mirrored"), "{}", m.detail);
    }

    #[test]
    fn plain_images_are_refused_and_say_why() {
        let rich = fp(vec![42, 43, 44], 0.9);
        let plain = fp(vec![42, 43, 44], 0.1);
        let m = compare(&rich, &plain);
        assert!(!m.matched);
        assert_eq!(m.similarity, 0.0);
        assert!(m.detail.contains("too plain"), "{}", m.detail);
        assert!(!compare(&plain, &rich).matched);
        assert!(!compare(&fp(vec![42, 43, 44], f32::NAN), &rich).matched);
    }

    #[test]
    fn empty_or_truncated_hashes_never_match() {
        let m = compare(&fp(vec![], 1.0), &fp(vec![1, 2, 3], 1.0));
        assert!(!m.matched);
        assert!(m.detail.contains("not compared"));
        assert!(!compare(&fp(vec![1, 2], 1.0), &fp(vec![1, 2], 1.0)).matched);
    }

    #[test]
    fn a_colourless_side_is_compared_on_luma_alone() {
        let colour = fp(vec![0, 0, 0xFFFF_FFFF], 0.9);
        let grey = fp(vec![0, 0, phash::NO_COLOUR], 0.9);
        let m = compare(&colour, &grey);
        assert!(m.matched);
        assert_eq!(m.similarity, 1.0);
        let far_grey = fp(vec![u64::MAX, 0, phash::NO_COLOUR], 0.9);
        assert_eq!(form_distance(&colour.hashes, &far_grey.hashes), 96);
        // 14 luma bits (21 scaled) still match without colour, 15 (22) do not.
        assert!(compare(&colour, &fp(vec![0x3FFF, 0, phash::NO_COLOUR], 0.9)).matched);
        assert!(!compare(&colour, &fp(vec![0x7FFF, 0, phash::NO_COLOUR], 0.9)).matched);
    }

    #[test]
    fn distant_hashes_do_not_match() {
        let m = compare(&fp(vec![0, 0, 1], 0.9), &fp(vec![u64::MAX, 0, 2], 0.9));
        assert!(!m.matched);
        assert!(m.similarity < 0.5, "{}", m.similarity);
        assert!(m.detail.starts_with("avatar differs"), "{}", m.detail);
    }
}
