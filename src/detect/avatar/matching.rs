//! Matching one candidate against the protected avatar: the hashes find the best alignments
//! (the closest few of the whole picture, the closest with one corner masked), then
//! [`super::verify`] checks the detail there, only as far as the decision needs it.
//!
//! It only gathers evidence; [`super::compare`] turns it into a verdict and words.

use std::cell::OnceCell;

use super::canonical::Region;
use super::forms::{self, CANDIDATE_FORMS, CORNERS, FORM_WORDS};
use super::layout::Parts;
use super::phash;
use super::verify::{self, Reference};

/// Hash distance (of [`FORM_BITS`](super::FORM_BITS)) up to which an alignment is worth
/// verifying. Unrelated photographs sit near half the bits; copies of any kind within ~24.
pub const WORTH_VERIFYING: u32 = 52;

/// The best alignment of one family of forms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alignment {
    /// Hash distance (colourless sides scaled to the full width).
    pub distance: u32,
    /// Index of the reference form.
    pub reference_form: usize,
    /// Index of the candidate form.
    pub candidate_form: usize,
}

/// What the comparison found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Best whole-picture alignment (the verified one when one was verified).
    pub whole: Alignment,
    /// Best alignment with one corner masked on both sides.
    pub masked: Alignment,
    /// Verification at the whole alignment, when its distance was worth it.
    pub whole_check: Option<verify::Verdict>,
    /// Verification at the masked alignment, when its distance was worth it.
    pub masked_check: Option<verify::Verdict>,
}

impl Alignment {
    /// True when the candidate matched through its mirror image.
    pub fn mirrored(&self) -> bool {
        self.candidate_form == 1 || self.candidate_form >= 2 + CORNERS
    }

    /// The masked corner (reference coordinates), for a masked alignment.
    pub fn corner(&self) -> Option<usize> {
        (2..CANDIDATE_FORMS)
            .contains(&self.reference_form)
            .then(|| self.reference_form - 2)
    }

    /// The reference region of this alignment, and whether it is one of the extra (shifted or
    /// scaled) regions.
    pub fn region(&self, regions: &[Region]) -> (Region, bool) {
        if self.reference_form < CANDIDATE_FORMS {
            return (Region::canonical(), false);
        }
        let extra = self.reference_form - CANDIDATE_FORMS;
        let count = regions.len();
        // Over white: the extra regions; over black (transparent references): the canonical
        // region, then the extra regions again.
        let index = if extra < count {
            Some(extra)
        } else {
            (extra - count).checked_sub(1)
        };
        match index.and_then(|i| regions.get(i)) {
            Some(&region) => (region, true),
            None => (Region::canonical(), false),
        }
    }
}

fn is_colourless(form: &[u64]) -> bool {
    form[phash::LUMA_WORDS] == phash::NO_COLOUR
}

/// Hamming distance between two forms, over [`FORM_BITS`](super::FORM_BITS). When either side
/// is colourless the colour word says nothing, so the luma distance is scaled up to the full
/// width instead.
pub fn form_distance(a: &[u64], b: &[u64]) -> u32 {
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

/// Whole-picture alignments verified at most, closest first: the hash grid's best point is
/// not always the one whose neighbourhood holds the true alignment.
pub const STARTS: usize = 3;

/// The closest whole alignments (up to [`STARTS`], closest first) and the closest masked one,
/// by hash distance.
pub fn closest(reference: &[u64], candidate: &[u64]) -> (Vec<Alignment>, Alignment) {
    let r: Vec<&[u64]> = reference.chunks_exact(FORM_WORDS).collect();
    let c: Vec<&[u64]> = candidate.chunks_exact(FORM_WORDS).collect();
    let mut wholes: Vec<Alignment> = Vec::with_capacity(STARTS + 1);
    for (i, rf) in r.iter().enumerate() {
        // The reference's own mirror and masked forms are not whole alignments.
        if (1..CANDIDATE_FORMS).contains(&i) {
            continue;
        }
        for (j, cf) in c.iter().enumerate().take(2) {
            let distance = form_distance(rf, cf);
            if wholes.len() == STARTS && wholes.last().is_some_and(|a| a.distance <= distance) {
                continue;
            }
            let at = wholes.partition_point(|a| a.distance <= distance);
            wholes.insert(
                at,
                Alignment {
                    distance,
                    reference_form: i,
                    candidate_form: j,
                },
            );
            wholes.truncate(STARTS);
        }
    }
    let mut masked = Alignment {
        distance: u32::MAX,
        reference_form: 0,
        candidate_form: 0,
    };
    for corner in 0..CORNERS {
        let i = 2 + corner;
        for mirror in 0..2 {
            let j = 2 + mirror * CORNERS + corner;
            if let (Some(rf), Some(cf)) = (r.get(i), c.get(j)) {
                let distance = form_distance(rf, cf);
                if distance < masked.distance {
                    masked = Alignment {
                        distance,
                        reference_form: i,
                        candidate_form: j,
                    };
                }
            }
        }
    }
    (wholes, masked)
}

/// One comparison under way: the alignments the hashes found, and what verification needs.
/// Each alignment is verified only when asked (a copy found whole needs no masked check).
pub struct Matcher<'a> {
    /// Best whole-picture alignment.
    pub whole: Alignment,
    /// The next best whole alignments, verified when the best is no clear copy.
    others: Vec<Alignment>,
    /// Best alignment with one corner masked on both sides.
    pub masked: Alignment,
    plane: &'a [u64],
    thumbnail: &'a [u64],
    /// Unpacked at the first check (most candidates are too far to verify at all).
    ready: OnceCell<Option<(Reference, Vec<[f64; 3]>)>>,
}

impl<'a> Matcher<'a> {
    /// Finds the alignments (the reference must carry its plane to be verified; without it,
    /// every check is `None`).
    pub fn new(reference: &Parts<'a>, candidate: &Parts<'a>) -> Matcher<'a> {
        let (mut wholes, masked) = closest(reference.forms, candidate.forms);
        let none = Alignment {
            distance: u32::MAX,
            reference_form: 0,
            candidate_form: 0,
        };
        let whole = if wholes.is_empty() {
            none
        } else {
            wholes.remove(0)
        };
        Matcher {
            whole,
            others: wholes,
            masked,
            plane: reference.plane,
            thumbnail: candidate.thumbnail,
            ready: OnceCell::new(),
        }
    }

    /// The best verified whole alignment: the closest by hash first, then the next ones
    /// unless a residual at or under `enough` was already found.
    pub fn check_whole(&self, enough: f64) -> Option<(Alignment, verify::Verdict)> {
        let mut best = self.check(&self.whole).map(|v| (self.whole, v));
        for alignment in &self.others {
            if best.is_some_and(|(_, v)| v.residual <= enough) {
                break;
            }
            if let Some(v) = self.check(alignment) {
                if best.map_or(true, |(_, b)| v.residual < b.residual) {
                    best = Some((*alignment, v));
                }
            }
        }
        best
    }

    /// Verification at `alignment`, when its distance is worth it.
    pub fn check(&self, alignment: &Alignment) -> Option<verify::Verdict> {
        if alignment.distance > WORTH_VERIFYING {
            return None;
        }
        let (stored, cells) = self
            .ready
            .get_or_init(|| {
                Some((
                    Reference::new(self.plane)?,
                    verify::candidate_cells(self.thumbnail)?,
                ))
            })
            .as_ref()?;
        let (region, _) = alignment.region(&forms::reference_regions());
        let mirror = alignment.mirrored();
        // The mask is in reference coordinates; verification compares in the candidate's, where
        // a mirrored reference has its corners swapped left to right.
        let mask = alignment.corner().map(|k| if mirror { k ^ 1 } else { k });
        Some(verify::verify(stored, cells, region, mirror, mask))
    }
}

/// Compares the parts of two fingerprints, verifying both alignments (for the evaluation
/// tables; [`super::compare`] verifies only what it needs).
pub fn evidence(reference: &Parts<'_>, candidate: &Parts<'_>) -> Evidence {
    let matcher = Matcher::new(reference, candidate);
    let (whole, whole_check) = match matcher.check_whole(0.0) {
        Some((alignment, v)) => (alignment, Some(v)),
        None => (matcher.whole, None),
    };
    Evidence {
        whole,
        masked: matcher.masked,
        whole_check,
        masked_check: matcher.check(&matcher.masked),
    }
}
