//! The weighing: from the strengths and flags the signals found to a verdict and a score.
//!
//! It owns the rules that turn copied elements, claims and disclaimers into a verdict (see the
//! parent module) and the score's formula; it must never look at a profile's text itself (the
//! signals in [`super::signals`] do that).

use super::signals::{push, AccountContext};
use super::{ELEMENT, NAME_CLAIMS};
use crate::detect::confusables::{max_combining_run, suspicious_hidden_characters};
use crate::detect::names::disguise::Disguise;
use crate::detect::names::{NameKind, NameMatch};
use crate::detect::{Reason, Signal, Verdict};

/// What the signals found, ready to be weighed.
pub(super) struct Found<'a> {
    /// Strengths of the copied handle, display name, avatar and bio.
    pub handle: f64,
    pub name: f64,
    pub avatar: f64,
    pub bio: f64,
    /// The handle is a look-alike of the person's.
    pub lookalike_handle: bool,
    /// The handle is a long handle of the person's with a typing slip.
    pub typo_handle: bool,
    pub best_name: Option<&'a NameMatch>,
    /// The display name as given.
    pub name_text: &'a str,
    /// The candidate's bio, plain text.
    pub cand_bio: &'a str,
    pub context: &'a AccountContext,
    pub fake_check: bool,
    pub claims: bool,
    pub labelled_impersonation: bool,
    pub hidden: bool,
    pub disclaimed: bool,
}

/// The verdict and its score (rounded to three decimals); adds the namesake reason when only the
/// name is shared.
pub(super) fn weigh(f: &Found, reasons: &mut Vec<Reason>) -> (Verdict, f64) {
    let established = f.context.established;
    let copies = [
        f.handle >= ELEMENT,
        f.name >= ELEMENT,
        f.avatar > 0.0,
        f.bio >= ELEMENT,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let name_only = copies == 1 && f.name >= ELEMENT;
    // A display name spelled with letters no namesake would type (another script's
    // look-alikes, a special letter for a different one, hidden characters) is disguised on
    // purpose, whatever the account's age: an old account so renamed has been repurposed.
    // Ordinary letters that read alike (`Clara` for `Dara`) and styled forms of the same
    // letters only on a fresh account.
    let disguised_name = f.best_name.is_some_and(|m| {
        m.disguise == Disguise::Deliberate
            || (m.disguise == Disguise::Weak && !established)
            || (m.kind == NameKind::Lookalike && !established)
            || (m.strength >= ELEMENT
                && (max_combining_run(f.name_text) >= 3
                    || !suspicious_hidden_characters(f.name_text).is_empty()))
    });
    let mut level: u8 = if f.lookalike_handle || f.typo_handle || copies >= 2 || disguised_name {
        2
    } else if copies == 1 && f.fake_check {
        // A fake verification mark beside a copied element is a claim no namesake makes.
        2
    } else if copies == 1 && (f.claims || f.labelled_impersonation) {
        if name_only && established {
            1
        } else {
            2
        }
    } else if copies == 1 {
        // The person's name alone, on an account with years and an audience of its own or
        // with a bio of its own saying who it is, is somebody else's name.
        if name_only && (established || bio_of_its_own(f.cand_bio, f.bio)) {
            0
        } else {
            1
        }
    } else {
        0
    };
    if name_only && level == 0 {
        let whose = if established {
            "on an established account of its own"
        } else {
            "on an account whose bio is its own"
        };
        push(
            reasons,
            Signal::Context,
            format!("only the name is shared, {whose}: likely a namesake"),
        );
    }
    if f.disclaimed {
        level = level.saturating_sub(1);
    }

    let weights = [
        f.handle,
        f.name,
        f.avatar * 0.95,
        f.bio,
        if f.fake_check { 0.3 } else { 0.0 },
        if f.claims { 0.3 } else { 0.0 },
        if f.hidden { 0.2 } else { 0.0 },
        if f.context.fresh { 0.1 } else { 0.0 },
    ];
    let base = 1.0
        - weights
            .iter()
            .fold(1.0, |acc, w| acc * (1.0 - w.clamp(0.0, 1.0)));
    let (verdict, score) = match level {
        2 => (Verdict::Impostor, 0.7 + 0.3 * base),
        1 => (Verdict::Suspicious, 0.4 + 0.29 * base),
        _ => (Verdict::Clear, 0.39 * base),
    };
    (verdict, (score * 1000.0).round() / 1000.0)
}

/// A bio that says who the account is, in words of its own: three words or more, not copied
/// from the person's (`copied` below [`ELEMENT`]), and no word that claims to be the person
/// ("official", "real", "verified", "backup", "original").
fn bio_of_its_own(bio: &str, copied: f64) -> bool {
    let words = crate::detect::text::plain_words(bio);
    copied < ELEMENT && words.len() >= 3 && !words.iter().any(|w| NAME_CLAIMS.contains(&w.as_str()))
}
