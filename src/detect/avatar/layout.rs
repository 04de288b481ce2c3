//! How a fingerprint's words are laid out, and which format version wrote them.
//!
//! `hashes[0]` is a header: a tag and the format version (so a fingerprint written by an older
//! version is recognised and never compared bit for bit with a new one), the kind of picture,
//! and the number of forms. Then come the forms ([`super::forms`]), the candidate thumbnail
//! ([`super::verify::thumbnail`]) and, for the protected avatar only, its stored plane
//! ([`super::verify::reference_plane`]).

use super::forms::FORM_WORDS;
use super::kind::Kind;
use super::verify::{PLANE_BYTES, THUMB_BYTES};

/// Tag in the header's top 16 bits.
const TAG: u64 = 0xD0A7;
/// Format version of this layout. Version 1 (no header: forms only, 2 or 149 of them) is
/// recognised by the missing tag.
pub const VERSION: u64 = 2;

/// Words of the candidate thumbnail.
pub const THUMB_WORDS: usize = THUMB_BYTES.div_ceil(8);
/// Words of the protected avatar's stored plane.
pub const PLANE_WORDS: usize = PLANE_BYTES.div_ceil(8);

/// The parts of a fingerprint's words.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    pub kind: Kind,
    /// Whether the picture is a round screenshot (flat corners outside the circle).
    pub round: bool,
    pub forms: &'a [u64],
    pub thumbnail: &'a [u64],
    /// Empty for a candidate.
    pub plane: &'a [u64],
}

/// The header word.
pub fn header(kind: Kind, forms: usize, reference: bool, transparent: bool, round: bool) -> u64 {
    (TAG << 48)
        | (VERSION << 40)
        | (u64::from(kind.code()) << 32)
        | ((forms as u64 & 0xFFFF) << 16)
        | u64::from(reference)
        | (u64::from(transparent) << 1)
        | (u64::from(round) << 2)
}

/// Why words cannot be read as a fingerprint of this version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// No words at all.
    Empty,
    /// Written by another format version (an older build): recompute from the image.
    OtherVersion,
    /// Cut short or inconsistent.
    Damaged,
}

/// Splits fingerprint words into their parts.
pub fn parts(words: &[u64]) -> Result<Parts<'_>, Unreadable> {
    let Some(&head) = words.first() else {
        return Err(Unreadable::Empty);
    };
    if head >> 48 != TAG || (head >> 40) & 0xFF != VERSION {
        return Err(Unreadable::OtherVersion);
    }
    let kind = Kind::from_code(((head >> 32) & 0xFF) as u8).ok_or(Unreadable::Damaged)?;
    let forms = ((head >> 16) & 0xFFFF) as usize;
    let reference = head & 1 == 1;
    let round = head & 4 == 4;
    let rest = &words[1..];
    let form_words = forms * FORM_WORDS;
    let plane_words = if reference { PLANE_WORDS } else { 0 };
    if rest.len() != form_words + THUMB_WORDS + plane_words || forms < super::forms::CANDIDATE_FORMS
    {
        return Err(Unreadable::Damaged);
    }
    let (forms, rest) = rest.split_at(form_words);
    let (thumbnail, plane) = rest.split_at(THUMB_WORDS);
    Ok(Parts {
        kind,
        round,
        forms,
        thumbnail,
        plane,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::avatar::forms::CANDIDATE_FORMS;

    fn words(kind: Kind, reference: bool) -> Vec<u64> {
        let forms = CANDIDATE_FORMS + usize::from(reference) * 3;
        let mut words = vec![header(kind, forms, reference, reference, !reference)];
        words.extend(std::iter::repeat(7).take(forms * FORM_WORDS + THUMB_WORDS));
        if reference {
            words.extend(std::iter::repeat(9).take(PLANE_WORDS));
        }
        words
    }

    #[test]
    fn the_header_says_what_follows() {
        let candidate = words(Kind::Flat, false);
        let read = parts(&candidate).expect("readable");
        assert_eq!(read.kind, Kind::Flat);
        assert_eq!(read.forms.len(), CANDIDATE_FORMS * FORM_WORDS);
        assert_eq!(read.thumbnail.len(), THUMB_WORDS);
        assert!(read.plane.is_empty() && read.round);

        let reference = words(Kind::Rich, true);
        let read = parts(&reference).expect("readable");
        assert_eq!(read.forms.len(), (CANDIDATE_FORMS + 3) * FORM_WORDS);
        assert_eq!(read.plane.len(), PLANE_WORDS);
        assert!(!read.round);
    }

    #[test]
    fn older_and_damaged_fingerprints_are_recognised() {
        assert_eq!(parts(&[]).err(), Some(Unreadable::Empty));
        // Version 1: forms only, the first word a DCT hash.
        let old = [0x0123_4567_89AB_CDEF, 0x42, 0x1_0000_0001, 0, 0, 1];
        assert_eq!(parts(&old).err(), Some(Unreadable::OtherVersion));
        let mut later = words(Kind::Rich, false);
        later[0] = (later[0] & !(0xFF << 40)) | ((VERSION + 1) << 40);
        assert_eq!(parts(&later).err(), Some(Unreadable::OtherVersion));
        let mut cut = words(Kind::Rich, false);
        cut.pop();
        assert_eq!(parts(&cut).err(), Some(Unreadable::Damaged));
        let mut unknown_kind = words(Kind::Rich, false);
        unknown_kind[0] |= 0xFF << 32;
        assert_eq!(parts(&unknown_kind).err(), Some(Unreadable::Damaged));
    }
}
