//! Display names: identical, look-alike, reordered, extended, shortened or near copies of the
//! person's name (in any case, surname first, with initials), how deliberately their letters
//! disguise it ([`disguise`]), and fake verification marks. It compares names; it never weighs
//! them into a verdict.

pub mod disguise;

use super::confusables::{describe_lookalikes, display_safe, is_invisible};
use super::text::{folded_words, plain_words};
use disguise::{comparable, passes_for, Disguise, Passing};
use unicode_normalization::char::is_combining_mark;

/// Characters that imitate a platform's verification badge when put in a display name.
const CHECK_MARKS: &[char] = &[
    '\u{2713}',  // ✓ CHECK MARK
    '\u{2714}',  // ✔ HEAVY CHECK MARK
    '\u{2611}',  // ☑ BALLOT BOX WITH CHECK
    '\u{2705}',  // ✅ WHITE HEAVY CHECK MARK
    '\u{1F5F8}', // 🗸 LIGHT CHECK MARK
    '\u{1F5F9}', // 🗹 BALLOT BOX WITH BOLD CHECK
    '\u{221A}',  // √ SQUARE ROOT, used as a check
    '\u{10003}', // unlikely but cheap: LINEAR B SYLLABLE B030 MI looks like a tick in some fonts
];

/// Words impostors add to a copied name; a name plus only these is a copy, not a namesake.
const NAME_AFFIXES: &[&str] = &[
    "official", "real", "the", "news", "hq", "tv", "backup", "account", "team", "media", "updates",
    "live", "daily", "verified", "page", "fan", "fans", "club", "parody", "not", "of", "the",
    "original", "new", "second", "2", "2nd", "alt", "account", "x", "here", "is", "this",
    "support", "help", "helpdesk", "care", "service", "services", "customer", "info", "global",
    "staff", "admin", "desk", "press", "app",
];

/// Titles that may replace a first name ("Dr. Doe").
const TITLES: &[&str] = &[
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "prof",
    "professor",
    "sir",
    "dame",
    "sen",
    "senator",
    "rep",
    "gov",
    "governor",
    "president",
    "pres",
    "judge",
    "rev",
    "coach",
    "capt",
    "captain",
    "st",
];

/// A display name prepared for comparison.
#[derive(Debug, Clone, Default)]
pub struct NameForm {
    /// As given, trimmed and bounded.
    pub raw: String,
    /// Without check marks and invisible characters.
    pub cleaned: String,
    /// Look-alike-folded words.
    pub folded: Vec<String>,
    /// Lowercase words, no folding.
    pub plain: Vec<String>,
    /// Lowercase words with accents removed (`José` -> `jose`).
    pub unaccented: Vec<String>,
    /// Words as written (case kept), each with its lowercase unaccented form.
    pub words: Vec<(String, String)>,
    /// Fake check marks found.
    pub check_marks: Vec<char>,
}

impl NameForm {
    pub fn new(name: &str) -> NameForm {
        // Bounded by *visible* characters (and 4,000 in all): a flood of invisible or
        // combining characters must not push the copied name out of the detector's window.
        let mut visible = 0usize;
        let raw: String = name
            .trim()
            .chars()
            .take(4000)
            .take_while(|c| {
                if !is_invisible(*c) && !is_combining_mark(*c) {
                    visible += 1;
                }
                visible <= 200
            })
            .collect();
        let check_marks: Vec<char> = raw.chars().filter(|c| CHECK_MARKS.contains(c)).collect();
        let cleaned: String = raw
            .chars()
            .filter(|c| !CHECK_MARKS.contains(c) && !is_invisible(*c))
            .collect::<String>()
            .trim()
            .to_string();
        let words = split_words(&cleaned)
            .into_iter()
            .map(|w| {
                let plain = plain_words(&strip_accents(&w)).concat();
                (w, plain)
            })
            .filter(|(_, plain)| !plain.is_empty())
            .collect();
        NameForm {
            words,
            // A lone separator (`Name | Role`) is punctuation, not the letter `l` it looks like.
            folded: folded_words(&without_lone_punctuation(&cleaned)),
            plain: plain_words(&cleaned),
            unaccented: plain_words(&strip_accents(&cleaned)),
            raw,
            cleaned,
            check_marks,
        }
    }

    /// The folded words joined without spaces (`palmerreport`).
    pub fn joined(&self) -> String {
        self.folded.concat()
    }
}

/// How a display name copies the person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Identical,
    Lookalike,
    Reordered,
    ExtraWords,
    Shortened,
    Near,
    /// The display name is one of the person's handles.
    CopiesHandle,
}

/// A display name that copies one of the person's names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub kind: NameKind,
    /// 0..1: how strongly the name alone is a copy.
    pub strength: f64,
    pub detail: String,
    /// Words added to the person's name (lowercase).
    pub extra_words: Vec<String>,
    /// How deliberately its letters imitate the person's (see [`Disguise`]).
    pub disguise: Disguise,
}

/// The candidate's words (lowercase, unaccented) with each word that passes for one of the
/// person's words through look-alike or special letters replaced by that word, and what passed.
fn repaired(cand: &NameForm, reference: &NameForm) -> (Vec<String>, Passing) {
    let mut words = Vec::with_capacity(cand.words.len());
    let mut passing = Passing::default();
    for (raw, plain) in &cand.words {
        if reference.words.iter().any(|(_, r)| r == plain) {
            words.push(plain.clone());
            continue;
        }
        let found = reference.words.iter().find_map(|(r_raw, r_plain)| {
            // A special letter for a different one counts only in words long enough that the
            // rest of the word still says which word it is.
            let special = usize::from(r_plain.chars().count() >= 4);
            passes_for(&comparable(raw), &comparable(r_raw), special)
                .filter(|p| p.disguise > Disguise::None)
                .map(|p| (r_plain, p))
        });
        match found {
            Some((r_plain, p)) => {
                words.push(r_plain.clone());
                passing.disguise = passing.disguise.max(p.disguise);
                passing.parts.extend(
                    p.parts
                        .into_iter()
                        .map(|part| format!("{part} in \"{}\"", display_safe(raw))),
                );
            }
            None => words.push(plain.clone()),
        }
    }
    (words, passing)
}

/// Compares a candidate display name with one of the person's names.
pub fn compare_name(cand: &NameForm, reference: &NameForm) -> Option<NameMatch> {
    if cand.folded.is_empty() || reference.folded.is_empty() {
        return None;
    }
    let shown = display_safe(&cand.raw);
    let yours = display_safe(&reference.cleaned);
    let make = |kind, strength, detail: String, extra_words: Vec<String>| {
        Some(NameMatch {
            kind,
            strength,
            detail,
            extra_words,
            disguise: Disguise::None,
        })
    };
    if cand.plain == reference.plain {
        return make(
            NameKind::Identical,
            1.0,
            format!("display name \"{shown}\" is identical to your name \"{yours}\""),
            vec![],
        );
    }
    if cand.plain.concat() == reference.plain.concat() {
        return make(
            NameKind::Identical,
            1.0,
            format!("display name \"{shown}\" is your name \"{yours}\" with the spacing changed"),
            vec![],
        );
    }
    // Accents are how real names are written (José for Jose): the same name, not a disguise.
    if cand.unaccented == reference.unaccented {
        return make(
            NameKind::Identical,
            1.0,
            format!("display name \"{shown}\" is your name \"{yours}\" but for accents or marks"),
            vec![],
        );
    }
    let ref_words: Vec<String> = reference.words.iter().map(|(_, p)| p.clone()).collect();
    let (words, passing) = repaired(cand, reference);
    let mut found = if passing.disguise > Disguise::None && words == ref_words {
        make(
            NameKind::Lookalike,
            1.0,
            format!(
                "display name \"{shown}\" looks like your name \"{yours}\": {}",
                passing.parts.join("; ")
            ),
            vec![],
        )
    } else {
        structural(&words, &ref_words, &shown, &yours)
    };
    if let Some(m) = found.as_mut() {
        if passing.disguise > Disguise::None && m.kind != NameKind::Lookalike {
            m.detail = format!(
                "{}, and it uses look-alike letters: {}",
                m.detail,
                passing.parts.join("; ")
            );
        }
        m.disguise = passing.disguise;
        return found;
    }
    // Look-alikes across word boundaries (`PaImerReport` for "Palmer Report").
    if cand.folded == reference.folded || cand.joined() == reference.joined() {
        let joined =
            |f: &NameForm| -> String { f.words.iter().map(|(w, _)| comparable(w)).collect() };
        let disguise = passes_for(&joined(cand), &joined(reference), 0)
            .map_or(Disguise::Weak, |p| p.disguise.max(Disguise::Weak));
        let parts = describe_lookalikes(&cand.cleaned, &reference.cleaned);
        let how = if parts.is_empty() {
            String::from("it differs only in characters that look alike")
        } else {
            parts.join("; ")
        };
        return Some(NameMatch {
            kind: NameKind::Lookalike,
            strength: 1.0,
            detail: format!("display name \"{shown}\" looks like your name \"{yours}\": {how}"),
            extra_words: vec![],
            disguise,
        });
    }
    let (a, b) = (cand.joined(), reference.joined());
    if b.chars().count() >= 8 && strsim::damerau_levenshtein(&a, &b) == 1 {
        return make(
            NameKind::Near,
            0.7,
            format!("display name \"{shown}\" is one letter away from your name \"{yours}\""),
            vec![],
        );
    }
    None
}

/// The person's name with its words reordered, extended, shortened or initialled (`words` and
/// `reference` lowercase and unaccented).
fn structural(
    words: &[String],
    reference: &[String],
    shown: &str,
    yours: &str,
) -> Option<NameMatch> {
    let make = |kind, strength, detail: String, extra_words: Vec<String>| {
        Some(NameMatch {
            kind,
            strength,
            detail,
            extra_words,
            disguise: Disguise::None,
        })
    };
    if words == reference {
        return make(
            NameKind::Identical,
            1.0,
            format!("display name \"{shown}\" is your name \"{yours}\""),
            vec![],
        );
    }
    if words.len() >= 2 && words.len() == reference.len() {
        let mut a = words.to_vec();
        let mut b = reference.to_vec();
        a.sort();
        b.sort();
        if a == b {
            return make(
                NameKind::Reordered,
                0.9,
                format!("display name \"{shown}\" is your name \"{yours}\" reordered"),
                vec![],
            );
        }
    }
    let surname_first = surname_first(reference);
    let extra = extra_words(words, reference)
        .or_else(|| surname_first.as_ref().and_then(|r| extra_words(words, r)));
    if let Some(extra) = extra {
        let known = extra.iter().all(|w| {
            NAME_AFFIXES.contains(&w.as_str())
                || NAME_AFFIXES.contains(&super::confusables::confusable_skeleton(w).as_str())
        });
        let strength = if known { 0.85 } else { 0.5 };
        let quoted: Vec<String> = extra.iter().map(|w| format!("\"{w}\"")).collect();
        return make(
            NameKind::ExtraWords,
            strength,
            format!(
                "display name \"{shown}\" is your name \"{yours}\" with {} added",
                quoted.join(" and ")
            ),
            extra,
        );
    }
    if let Some(how) = shortened(words, reference).or_else(|| initialled(words, reference)) {
        return make(
            NameKind::Shortened,
            0.6,
            format!("display name \"{shown}\" is your name \"{yours}\" shortened ({how})"),
            vec![],
        );
    }
    None
}

/// The name written surname first (`haddad amira` for `amira haddad`), when it has two words
/// or more.
fn surname_first(reference: &[String]) -> Option<Vec<String>> {
    let (last, rest) = reference.split_last()?;
    if rest.is_empty() {
        return None;
    }
    let mut out = vec![last.clone()];
    out.extend_from_slice(rest);
    Some(out)
}

/// The words added around the person's name (contiguous), if the candidate is the name plus at
/// most three other words.
fn extra_words(cand: &[String], reference: &[String]) -> Option<Vec<String>> {
    if cand.len() <= reference.len() || cand.len() > reference.len() + 3 {
        return None;
    }
    let start = cand.windows(reference.len()).position(|w| w == reference)?;
    let mut extra: Vec<String> = cand[..start].to_vec();
    extra.extend_from_slice(&cand[start + reference.len()..]);
    Some(extra)
}

/// True when `short` is the initial of `word` (`j` of `jane`).
fn initial_of(short: &str, word: &str) -> bool {
    short.chars().count() == 1 && word.starts_with(short) && word.chars().count() > 1
}

/// How the candidate shortens the person's name: an initial, a title, or a dropped middle name.
fn shortened(cand: &[String], reference: &[String]) -> Option<&'static str> {
    let (n, m) = (cand.len(), reference.len());
    if m < 2 || n < 2 || n > m {
        return None;
    }
    let first = &reference[0];
    let last = &reference[m - 1];
    // The candidate's words after its first are the end of the person's name ("Doe", "Jong Fast").
    let rest_is_tail = cand[1..] == reference[m - (n - 1)..];
    if rest_is_tail && initial_of(&cand[0], first) {
        return Some("first name as an initial");
    }
    if rest_is_tail && TITLES.contains(&cand[0].as_str()) {
        return Some("a title instead of the first name");
    }
    if n == m && cand[..n - 1] == reference[..m - 1] && initial_of(&cand[n - 1], last) {
        return Some("last name as an initial");
    }
    if n == 2 && &cand[0] == last && initial_of(&cand[1], first) {
        return Some("last name first, first name as an initial");
    }
    if n == 2 && m >= 3 && &cand[0] == first && &cand[1] == last {
        return Some("middle name dropped");
    }
    None
}

/// The person's name with initials, in either order: every word of the candidate is a word of
/// the name or its initial, in order (or surname first), the first and last names are there,
/// middle names may be dropped or initialled, and one middle initial may be added
/// ("Amira K. Haddad", "Richardson, Heather C.", "HADDAD A.").
fn initialled(cand: &[String], reference: &[String]) -> Option<&'static str> {
    let m = reference.len();
    if m < 2 || cand.len() < 2 {
        return None;
    }
    let as_written = initialled_in_order(cand, reference);
    if as_written.is_some() {
        return as_written;
    }
    // Surname first: the candidate's first word goes last.
    let mut rotated = cand[1..].to_vec();
    rotated.push(cand[0].clone());
    initialled_in_order(&rotated, reference).map(|_| "surname first, with initials")
}

fn initialled_in_order(cand: &[String], reference: &[String]) -> Option<&'static str> {
    let (n, m) = (cand.len(), reference.len());
    let (mut i, mut j) = (0, 0);
    let (mut exact_long, mut initials, mut dropped, mut added) = (0, 0, 0, 0);
    while i < n && j < m {
        if cand[i] == reference[j] {
            exact_long += usize::from(cand[i].chars().count() > 1);
            i += 1;
            j += 1;
        } else if initial_of(&cand[i], &reference[j]) {
            initials += 1;
            i += 1;
            j += 1;
        } else if j > 0 && j < m - 1 {
            dropped += 1;
            j += 1;
        } else if i > 0 && i < n - 1 && cand[i].chars().count() == 1 && added == 0 {
            added += 1;
            i += 1;
        } else {
            return None;
        }
    }
    if i < n || j < m || exact_long == 0 || initials + dropped + added == 0 {
        return None;
    }
    Some(match (initials, dropped, added) {
        (_, _, 1) => "a middle initial added",
        (0, _, _) => "middle name dropped",
        _ => "with initials",
    })
}

/// `s` without combining marks after NFD, so accented letters become their base letters
/// (NFD, not NFKD: fullwidth and other compatibility forms stay a disguise).
fn strip_accents(s: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    s.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// The words of `text` as written (case and accents kept), split like [`plain_words`].
fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text without whitespace-separated tokens that hold no letter or digit (`|`, `-`, `·`).
fn without_lone_punctuation(text: &str) -> String {
    text.split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when the display name spells the account's own handle core (`Parker Report` for
/// `ParkerReport`, `Kate Silver` for `KateSilver538`): the name is the account's own, not
/// borrowed. `handle_core` is the raw username part.
pub fn spells_handle(name: &NameForm, handle_core: &str) -> bool {
    let joined = name.joined();
    if joined.is_empty() {
        return false;
    }
    let bare = |s: &str| -> String {
        super::confusables::confusable_skeleton(s)
            .chars()
            .filter(|c| !matches!(c, '_' | '.' | '-'))
            .collect()
    };
    let without_digits = handle_core.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    joined == bare(handle_core) || joined == bare(without_digits)
}

/// A sentence for fake check marks, or `None`.
pub fn check_mark_reason(name: &NameForm) -> Option<String> {
    let mark = name.check_marks.first()?;
    Some(format!(
        "display name \"{}\" carries a check mark {} (U+{:04X}) that imitates a verification badge",
        display_safe(&name.raw),
        mark,
        *mark as u32
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(c: &str, r: &str) -> Option<NameKind> {
        compare_name(&NameForm::new(c), &NameForm::new(r)).map(|m| m.kind)
    }

    #[test]
    fn name_families() {
        use NameKind::*;
        assert_eq!(kind("Palmer Report", "Palmer Report"), Some(Identical));
        assert_eq!(kind("palmer  report ✔", "Palmer Report"), Some(Identical));
        assert_eq!(
            kind("P\u{0430}lmer Rep\u{043E}rt", "Palmer Report"),
            Some(Lookalike)
        );
        assert_eq!(kind("PaImer Report", "Palmer Report"), Some(Lookalike));
        assert_eq!(kind("José Álvarez", "Jose Alvarez"), Some(Identical));
        assert_eq!(kind("Report Palmer", "Palmer Report"), Some(Reordered));
        assert_eq!(kind("Doe, Jane", "Jane Doe"), Some(Reordered));
        assert_eq!(kind("J. Doe", "Jane Doe"), Some(Shortened));
        assert_eq!(kind("Dr. Doe", "Jane Doe"), Some(Shortened));
        assert_eq!(kind("M. Jong-Fast", "Molly Jong-Fast"), Some(Shortened));
        assert_eq!(
            kind("H. Richardson", "Heather Cox Richardson"),
            Some(Shortened)
        );
        assert_eq!(kind("Jane D.", "Jane Doe"), Some(Shortened));
        assert_eq!(
            kind("Palmer Report Official", "Palmer Report"),
            Some(ExtraWords)
        );
        assert_eq!(kind("Palmer Reports", "Palmer Report"), Some(Near));
        assert_eq!(kind("Parker Report", "Palmer Report"), None);
        assert_eq!(kind("Jim Smith", "Palmer Report"), None);
    }

    #[test]
    fn check_marks_are_seen() {
        let n = NameForm::new("Palmer Report ✅");
        assert!(check_mark_reason(&n).unwrap().contains("U+2705"));
        assert!(check_mark_reason(&NameForm::new("Palmer Report")).is_none());
    }

    #[test]
    fn own_name_spells_handle() {
        assert!(spells_handle(
            &NameForm::new("Parker Report"),
            "parkerreport"
        ));
        assert!(!spells_handle(
            &NameForm::new("Palmer Report"),
            "parkerreport"
        ));
    }
}
