//! Avatar fingerprints and matching: is a candidate's avatar a copy of the person's, whatever
//! kind of picture it is (photograph, illustration, logo or wordmark, emoji) and whatever the
//! copy went through (re-encoding, downscaling, crops up to ~15%, round screenshots, mirroring,
//! tone and saturation changes, an added border or padding, a badge over a corner)?
//!
//! How it works (details in the submodules):
//! 1. [`decode`]: untrusted bytes are decoded under strict bounds and reduced to small luma,
//!    colour-difference and opacity planes.
//! 2. [`canonical`] and [`forms`]: the region hashed is the square inside the circle inside the
//!    image's centre square, which a round mask never touches, mirrored and not, and with each
//!    corner masked (a badge spoils one corner only). The protected avatar is also hashed at a
//!    grid of shifted and scaled regions (crops, borders), and over black when it is
//!    transparent.
//! 3. [`phash`]: each form is a 192-bit DCT hash (low frequencies above their median); the hashes
//!    find the best alignment cheaply.
//! 4. [`verify`]: at that alignment, the candidate's small colour thumbnail is compared with the
//!    protected avatar resampled there, after the best tone fit: the detail has to agree, which
//!    tells two smileys or two flat logos apart.
//! 5. [`kind`]: single colours, near-empty pictures, gradients and platforms' default avatars are
//!    recognised and never match; flat pictures (logos, drawings) match on a stricter rule.
//!
//! [`layout`] says how the words are stored and which format version wrote them: a fingerprint
//! of an older version is never compared with a new one (recompute it from the image).

mod canonical;
mod decode;
mod forms;
mod kind;
mod layout;
mod matching;
mod phash;
mod quality;
mod verify;

use serde::{Deserialize, Serialize};

pub use decode::{decode_image, MAX_DECODE_ALLOC, MAX_DIMENSION, MAX_INPUT_BYTES, MIN_DIMENSION};
pub use matching::Evidence;
pub use verify::Verdict;

use canonical::{Integral, Region};
use kind::Kind;
use layout::Unreadable;

/// Perceptual fingerprint of an avatar image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarFingerprint {
    /// Header, hash forms and thumbnails; layout in [`layout`].
    pub hashes: Vec<u64>,
    /// 0 (a picture that identifies nobody: a single colour, a near-empty picture, a default
    /// avatar) to 1 (rich detail). Flat logos and drawings sit low but above 0.
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
    /// True when the images are the same picture (and the picture identifies someone).
    pub matched: bool,
    /// 0 (unrelated) to 1 (identical). 0 when either picture identifies nobody.
    pub similarity: f32,
    /// Evidence in words, e.g. "avatar matches yours: the same picture, mirrored and cropped
    /// (94% similar)".
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
    /// The kind of picture in words ("a flat picture (logo, drawing or emoji)", "a default
    /// avatar ...").
    pub kind: &'static str,
    /// Number of hash forms (each [`FORM_WORDS`] words, after the header word).
    pub forms: usize,
}

/// 64-bit words per hash form: two luma words and one colour word.
pub const FORM_WORDS: usize = forms::FORM_WORDS;

/// Bits per form.
pub const FORM_BITS: u32 = 64 * FORM_WORDS as u32;

/// Largest verification residual (0 = identical, ~1 = unrelated) at which a detailed picture
/// (photograph, shaded illustration) is called a copy. `tests/avatar_eval.rs` prints the margin.
pub const MATCH_RESIDUAL: f64 = 0.2;

/// The same for flat pictures (logos, drawings, emoji): distinct flat pictures share large
/// areas of one colour, so the detail that differs weighs less and the bar is stricter.
pub const MATCH_RESIDUAL_FLAT: f64 = 0.3;

/// The same when one corner is left out (a badge or sticker over it): less of the picture
/// is compared, so the bar is stricter still.
pub const MATCH_RESIDUAL_MASKED: f64 = 0.25;

/// Residual up to which a whole-picture match needs no look at the masked alignment.
const CLEAR_COPY: f64 = 0.1;

/// A masked alignment that leaves at most this share of the whole picture's residual says the
/// copy has a badge or sticker over that corner.
const BADGE_FIT: f64 = 0.6;

/// Decodes an image (bounded in size) and computes its fingerprint. Use this for candidates'
/// avatars.
pub fn fingerprint(bytes: &[u8]) -> Result<AvatarFingerprint, AvatarError> {
    inspect(bytes, false).map(|info| info.fingerprint)
}

/// Fingerprint of the person's own avatar: the candidate forms plus shifted and scaled forms and
/// the stored plane that verification resamples. Pass it as `reference` to [`compare`].
pub fn fingerprint_reference(bytes: &[u8]) -> Result<AvatarFingerprint, AvatarError> {
    inspect(bytes, true).map(|info| info.fingerprint)
}

/// Decodes and fingerprints an image, returning its dimensions, format and kind too.
/// `reference` selects the extended fingerprint of [`fingerprint_reference`].
pub fn inspect(bytes: &[u8], reference: bool) -> Result<AvatarInfo, AvatarError> {
    let plane = decode::decode_luma(bytes)?;
    let forms = forms::build(&plane, reference);
    let luma = Integral::new(&plane, &plane.data);
    let coefficients = phash::low_frequencies(&luma.sample(Region::canonical(), phash::GRID));
    let quality_grid = luma.sample(Region::canonical(), quality::QUALITY_GRID);
    let robust = &coefficients[..64];
    let measures = quality::measure(&quality_grid, robust, phash::median(robust));
    let detail = quality::score(measures);
    let cells = kind::cells(&plane);
    let kind = kind::classify(
        &cells,
        detail < quality::FLAT_BELOW,
        kind::is_elephant(&forms),
    );
    let transparent = reference && forms::is_transparent(&plane);
    let count = forms.len() / FORM_WORDS;

    let mut hashes = Vec::with_capacity(1 + forms.len() + layout::THUMB_WORDS);
    hashes.push(layout::header(
        kind,
        count,
        reference,
        transparent,
        kind::is_round(&cells),
    ));
    hashes.extend(forms);
    hashes.extend(verify::thumbnail(&plane));
    if reference {
        hashes.extend(verify::reference_plane(&plane));
    }
    let quality = if kind.identifies_nobody() {
        0.0
    } else {
        detail.max(0.01)
    };
    Ok(AvatarInfo {
        fingerprint: AvatarFingerprint { hashes, quality },
        width: plane.source_width,
        height: plane.source_height,
        format: decode::format_name(plane.format),
        kind: kind.describe(),
        forms: count,
    })
}

/// The comparison's evidence, for the evaluation tables: `None` when either fingerprint cannot
/// be read.
#[doc(hidden)]
pub fn evidence(reference: &AvatarFingerprint, candidate: &AvatarFingerprint) -> Option<Evidence> {
    let (r, c) = (
        layout::parts(&reference.hashes).ok()?,
        layout::parts(&candidate.hashes).ok()?,
    );
    Some(matching::evidence(&r, &c))
}

/// A refusal to compare, with the reason.
fn not_compared(detail: String) -> AvatarMatch {
    AvatarMatch {
        matched: false,
        similarity: 0.0,
        detail,
    }
}

fn unreadable(whose: &str, why: Unreadable) -> AvatarMatch {
    not_compared(match why {
        Unreadable::Empty => format!("avatar not compared: no avatar fingerprint for {whose}"),
        Unreadable::OtherVersion => format!(
            "avatar not compared: the fingerprint of {whose} was made by another version of \
             Doppelwatch; it is recomputed from the picture"
        ),
        Unreadable::Damaged => {
            format!("avatar not compared: the fingerprint of {whose} is damaged")
        }
    })
}

/// Compares the person's avatar with a candidate's.
///
/// `reference` should come from [`fingerprint_reference`]: a plain [`fingerprint`] carries no
/// stored plane, so nothing can be verified and nothing matches. Pictures that identify nobody
/// (single colours, near-empty pictures, default avatars) never match.
pub fn compare(reference: &AvatarFingerprint, candidate: &AvatarFingerprint) -> AvatarMatch {
    let r = match layout::parts(&reference.hashes) {
        Ok(parts) => parts,
        Err(why) => return unreadable("your avatar", why),
    };
    let c = match layout::parts(&candidate.hashes) {
        Ok(parts) => parts,
        Err(why) => return unreadable("this account's avatar", why),
    };
    for (whose, kind) in [
        ("your avatar is", r.kind),
        ("this account's avatar is", c.kind),
    ] {
        if kind.identifies_nobody() {
            return not_compared(format!(
                "avatar not compared: {whose} {}, which identifies nobody",
                kind.describe()
            ));
        }
    }
    let matcher = matching::Matcher::new(&r, &c);
    let flat = r.kind == Kind::Flat || c.kind == Kind::Flat;
    let whole_limit = if flat {
        MATCH_RESIDUAL_FLAT
    } else {
        MATCH_RESIDUAL
    };
    let passes = |check: Option<verify::Verdict>, limit: f64| check.filter(|v| v.residual <= limit);
    // The masked alignment is verified only when the whole picture is not a copy.
    // The masked alignment is verified only when the whole picture is no clear copy (a copy
    // with a badge may pass whole, but fits far better with the badge's corner left out).
    let whole_found = matcher.check_whole(CLEAR_COPY);
    let whole_check = whole_found.map(|(_, v)| v);
    let whole = whole_found.filter(|(_, v)| v.residual <= whole_limit);
    let masked_check = match whole {
        Some((_, v)) if v.residual <= CLEAR_COPY => None,
        _ => matcher.check(&matcher.masked),
    };
    let masked =
        passes(masked_check, MATCH_RESIDUAL_MASKED.min(whole_limit)).map(|v| (matcher.masked, v));
    let found = match (whole, masked) {
        (Some(w), Some(m)) if m.1.residual < w.1.residual * BADGE_FIT => Some(m),
        (Some(w), _) => Some(w),
        (None, m) => m,
    };
    let Some((alignment, verdict)) = found else {
        let best = [whole_check, masked_check]
            .into_iter()
            .flatten()
            .map(|v| v.residual)
            .fold(f64::MAX, f64::min);
        let similarity = if best < f64::MAX {
            similarity_of_residual(best)
        } else {
            (1.0 - matcher.whole.distance as f32 / (FORM_BITS / 2) as f32).clamp(0.0, 0.5)
        };
        return AvatarMatch {
            matched: false,
            similarity,
            detail: format!(
                "avatar differs from yours ({:.0}% similar)",
                similarity * 100.0
            ),
        };
    };
    let similarity = similarity_of_residual(verdict.residual);
    AvatarMatch {
        matched: true,
        similarity,
        detail: format!(
            "avatar matches yours: {} ({:.0}% similar)",
            describe_copy(&alignment, &verdict, flat, &r, &c),
            similarity * 100.0
        ),
    }
}

/// 1 for a zero residual, 0.5 at a residual of 1 (what unrelated pictures show).
fn similarity_of_residual(residual: f64) -> f32 {
    (1.0 - residual / 2.0).clamp(0.0, 1.0) as f32
}

/// The kind of copy in words: "the same picture, mirrored and cropped".
fn describe_copy(
    alignment: &matching::Alignment,
    verdict: &verify::Verdict,
    flat: bool,
    reference: &layout::Parts<'_>,
    candidate: &layout::Parts<'_>,
) -> String {
    let mut how: Vec<&str> = Vec::new();
    if alignment.mirrored() {
        how.push("mirrored");
    }
    let (region, extra) = alignment.region(&forms::reference_regions());
    if extra {
        let scale = region.side / Region::canonical().side;
        let shift = (region.centre_x - 0.5)
            .abs()
            .max((region.centre_y - 0.5).abs());
        if scale < 0.97 {
            how.push("cropped");
        } else if scale > 1.03 {
            how.push("with a border or padding added");
        } else if shift > 0.01 {
            how.push("cropped on one side");
        }
    }
    if alignment.corner().is_some() {
        how.push("with a badge or sticker over a corner");
    }
    if candidate.round && !reference.round {
        how.push("as a round screenshot");
    }
    if verdict.dark_background {
        how.push("on a dark background");
    }
    if verdict.tone_changed {
        how.push("with brightness or contrast changed");
    }
    if verdict.colour_changed {
        how.push("with its colours made stronger or paler");
    }
    let what = if flat {
        "your logo or drawing copied"
    } else {
        "the same picture"
    };
    match how.split_last() {
        None => what.to_string(),
        Some((last, [])) => format!("{what}, {last}"),
        Some((last, rest)) => format!("{what}, {} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: &image::RgbImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("PNG encoding");
        out.into_inner()
    }

    fn textured(seed: f32) -> image::RgbImage {
        image::RgbImage::from_fn(160, 160, |x, y| {
            let (u, v) = (x as f32 / 160.0, y as f32 / 160.0);
            image::Rgb([
                (128.0 + 90.0 * (u * (9.0 + seed)).sin() * (v * 5.0).cos()) as u8,
                (110.0 + 70.0 * ((u + 2.0 * v) * (4.0 + seed)).sin()) as u8,
                (100.0 + 80.0 * (u * v * (30.0 + seed)).cos()) as u8,
            ])
        })
    }

    #[test]
    fn a_copy_matches_and_says_how_and_another_picture_does_not() {
        let reference = fingerprint_reference(&encoded(&textured(1.0))).expect("reference");
        let mirrored = image::imageops::flip_horizontal(&textured(1.0));
        let m = compare(
            &reference,
            &fingerprint(&encoded(&mirrored)).expect("candidate"),
        );
        assert!(m.matched, "{}", m.detail);
        assert!(
            m.detail
                .starts_with("avatar matches yours: the same picture, mirrored"),
            "{}",
            m.detail
        );
        let m = compare(
            &reference,
            &fingerprint(&encoded(&textured(4.0))).expect("candidate"),
        );
        assert!(!m.matched, "{}", m.detail);
        assert!(m.detail.starts_with("avatar differs"), "{}", m.detail);
    }

    #[test]
    fn the_reason_says_when_the_tone_or_the_colours_were_changed() {
        let original = textured(1.0);
        let reference = fingerprint_reference(&encoded(&original)).expect("reference");
        let detail = |f: &dyn Fn([f32; 3]) -> [f32; 3]| {
            let copy = image::RgbImage::from_fn(160, 160, |x, y| {
                let p = original.get_pixel(x, y).0.map(f32::from);
                image::Rgb(f(p).map(|v| v.round().clamp(0.0, 255.0) as u8))
            });
            let m = compare(
                &reference,
                &fingerprint(&encoded(&copy)).expect("candidate"),
            );
            assert!(m.matched, "{}", m.detail);
            m.detail
        };
        let same = detail(&|p| p);
        assert!(
            !same.contains("brightness") && !same.contains("colours"),
            "{same}"
        );
        let brighter = detail(&|p| p.map(|v| v * 1.15));
        assert!(
            brighter.contains("with brightness or contrast changed"),
            "{brighter}"
        );
        let paler = detail(&|p| {
            let grey = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            p.map(|v| grey + 0.8 * (v - grey))
        });
        assert!(
            paler.contains("with its colours made stronger or paler"),
            "{paler}"
        );
        assert!(!paler.contains("brightness"), "{paler}");
    }

    #[test]
    fn fingerprints_of_another_version_or_damaged_are_not_compared() {
        let reference = fingerprint_reference(&encoded(&textured(1.0))).expect("reference");
        // What version 1 stored: two forms of three words, no header.
        let old = AvatarFingerprint {
            hashes: vec![0xDEAD_BEEF_0123_4567, 0x1111, 5, 6, 7, 8],
            quality: 0.9,
        };
        let m = compare(&reference, &old);
        assert!(!m.matched);
        assert!(m.detail.contains("another version"), "{}", m.detail);
        let m = compare(&old, &reference);
        assert!(m.detail.contains("your avatar") && m.detail.contains("another version"));
        let mut cut = reference.clone();
        cut.hashes.truncate(40);
        assert!(compare(&cut, &reference).detail.contains("damaged"));
        let empty = AvatarFingerprint {
            hashes: vec![],
            quality: 0.0,
        };
        assert!(!compare(&empty, &reference).matched);
    }

    #[test]
    fn a_single_colour_identifies_nobody_even_against_itself() {
        let plain = image::RgbImage::from_pixel(100, 100, image::Rgb([29, 161, 242]));
        let bytes = encoded(&plain);
        let info = inspect(&bytes, true).expect("fingerprint");
        assert_eq!(info.fingerprint.quality, 0.0);
        assert_eq!(info.kind, "a single colour");
        let m = compare(&info.fingerprint, &fingerprint(&bytes).expect("candidate"));
        assert!(!m.matched);
        assert_eq!(m.similarity, 0.0);
        assert!(m.detail.contains("identifies nobody"), "{}", m.detail);
    }
}
