//! Disguised letters in a display name: characters that make a name pass for the person's name
//! although no namesake would type them (a Cyrillic `а`, a capital `I` for `l`, a digit for a
//! letter, a special letter standing in for a different one: `ç` in "Keçly" for "Kelly").
//!
//! It only classifies what [`align`] finds; it never decides a verdict. An accent on the same
//! letter (`José` for `Jose`) is a spelling, never a disguise.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::detect::confusables::{align, describe_seq, Edit};

/// How deliberately a name's characters imitate the person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Disguise {
    /// Nothing but the person's own letters (accents on the same letter are spellings).
    #[default]
    None,
    /// Ordinary letters that read alike (`rn` for `m`, `cl` for `d`: another real name may be
    /// spelled so) or styled forms of the same letters (fullwidth, mathematical bold): a
    /// disguise on a fresh account, a spelling or a decoration on an established one.
    Weak,
    /// Letters from another script, special letters standing in for a different letter
    /// (`ł` or `ǐ` for `l`, `ı` for `i`, `ç` for `l`), digits for letters, a capital `I` for
    /// `l`: no namesake writes their own name so.
    Deliberate,
}

/// The letter without accents, lowercase: `é` -> `e`, `Ł` -> `ł` (a letter of its own).
fn base(c: char) -> String {
    c.to_lowercase()
        .collect::<String>()
        .nfd()
        .filter(|d| !is_combining_mark(*d))
        .collect()
}

/// The compatibility form of `s` without accents, lowercase (`Ｐ` and `𝐏` -> `p`).
fn compatible(s: &str) -> String {
    s.nfkd()
        .filter(|d| !is_combining_mark(*d))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How strongly one look-alike pair (candidate's characters for the reference's) disguises.
fn lookalike_kind(cand: &str, reference: &str) -> Disguise {
    let mut c = cand.chars();
    let mut r = reference.chars();
    if let (Some(a), None, Some(b), None) = (c.next(), c.next(), r.next(), r.next()) {
        if base(a) == base(b) {
            return Disguise::None;
        }
    }
    if compatible(cand) == compatible(reference) {
        return Disguise::Weak;
    }
    let ordinary = |s: &str| s.chars().all(|c| c.is_ascii_lowercase());
    if ordinary(cand)
        && ordinary(reference)
        && (cand.chars().count() == 2 || reference.chars().count() == 2)
    {
        return Disguise::Weak;
    }
    Disguise::Deliberate
}

/// What a candidate word or name shows where the reference has its letters: the strongest
/// disguise and one phrase per disguised character (quoting the candidate's own characters).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Passing {
    pub disguise: Disguise,
    pub parts: Vec<String>,
}

/// Whether `cand` passes for `reference` by look-alike characters and at most `max_special`
/// special letters standing in for a different letter, with nothing else changed. `None` when
/// some visible difference remains (then it is another name, or a plain typo).
pub fn passes_for(cand: &str, reference: &str, max_special: usize) -> Option<Passing> {
    let (_, edits) = align(cand, reference)?;
    let mut out = Passing::default();
    let mut special = 0;
    for e in &edits {
        let (kind, phrase) = match &e.edit {
            Edit::Same => continue,
            Edit::Lookalike { cand, reference } => (
                lookalike_kind(cand, reference),
                format!(
                    "{} where yours has {}",
                    describe_seq(cand),
                    describe_seq(reference)
                ),
            ),
            Edit::Substitute { cand, reference }
                if !cand.is_ascii()
                    && cand.is_alphabetic()
                    && reference.is_alphabetic()
                    && base(*cand) != base(*reference) =>
            {
                special += 1;
                (
                    Disguise::Deliberate,
                    format!(
                        "the special letter {} where yours has {}",
                        describe_seq(&cand.to_string()),
                        describe_seq(&reference.to_string())
                    ),
                )
            }
            _ => return None,
        };
        if special > max_special {
            return None;
        }
        if kind > Disguise::None {
            out.parts.push(phrase);
        }
        out.disguise = out.disguise.max(kind);
    }
    Some(out)
}

/// A word as compared for disguises: a word in capitals (`AMIRA`) is lowered, so its capital
/// `I` is read as the `i` it is; elsewhere case stays (a capital `I` inside `PaImer` is an `l`).
pub fn comparable(word: &str) -> String {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = word.chars().all(|c| !c.is_lowercase());
    if letters >= 3 && capitals {
        word.to_lowercase()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(c: &str, r: &str) -> Option<Disguise> {
        passes_for(c, r, 1).map(|p| p.disguise)
    }

    #[test]
    fn disguises_are_graded() {
        assert_eq!(kind("Jos\u{e9}", "Jose"), Some(Disguise::None));
        assert_eq!(kind("Ke\u{e7}ly", "Kelly"), Some(Disguise::Deliberate));
        assert_eq!(kind("Pa\u{1d0}mer", "Palmer"), Some(Disguise::Deliberate));
        assert_eq!(kind("Pa\u{142}mer", "Palmer"), Some(Disguise::Deliberate));
        assert_eq!(kind("Sm\u{131}th", "Smith"), Some(Disguise::Deliberate));
        assert_eq!(kind("PaImer", "Palmer"), Some(Disguise::Deliberate));
        assert_eq!(kind("P\u{0430}lmer", "Palmer"), Some(Disguise::Deliberate));
        assert_eq!(kind("Palrner", "Palmer"), Some(Disguise::Weak));
        assert_eq!(kind("\u{FF30}almer", "Palmer"), Some(Disguise::Weak));
        assert_eq!(kind("Parker", "Palmer"), None);
        // Two special letters for different letters: another name, not a disguise.
        assert_eq!(kind("K\u{e9}\u{e7}\u{e7}y", "Kelly"), None);
        assert_eq!(comparable("AMIRA"), "amira");
        assert_eq!(comparable("PaImer"), "PaImer");
    }

    #[test]
    fn parts_quote_the_candidate_characters() {
        let p = passes_for("Ke\u{e7}ly", "Kelly", 1).unwrap();
        assert_eq!(p.parts.len(), 1);
        assert!(p.parts[0].contains("\u{e7}"), "{p:?}");
        assert!(p.parts[0].contains("where yours has l"), "{p:?}");
    }
}
