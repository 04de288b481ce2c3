//! Marks the deceptive characters of a candidate handle, for highlighting where an alert is
//! shown: look-alikes from another script, characters confusable with the one at the same place
//! in the person's handle (UTS #39 skeletons, e.g. `I` for `l`), and invisible or bidi control
//! characters ([`is_invisible`], the detector's own definition). Each is named with its code
//! point so the person can quote it in a report.
//!
//! It owns only the marks (which characters, and the note on each); it must never judge the
//! account (the [`super::score`] detector does) nor decide how the marks are drawn.

use unicode_script::UnicodeScript;
use unicode_security::confusable_detection::skeleton;

use super::confusables::is_invisible;

/// One character of a handle as shown, with a note when it is deceptive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharMark {
    /// The character itself (an invisible one as a visible placeholder, so the mark has a width).
    pub ch: String,
    /// Set when the character is deceptive: e.g. `U+0406 (Cyrillic letter), looks like "I"`.
    pub note: Option<String>,
}

/// The handle of the person to compare `candidate` with: theirs on the candidate's platform
/// (`same_platform`), else the bare name of one of their other handles
/// (`palmerreport.bsky.social` -> `palmerreport`, `palmer@mastodon.social` -> `palmer`) of the
/// candidate's length that agrees with it at most places (at least half), so a look-alike of
/// a name the person uses elsewhere is marked too.
pub fn reference_handle(
    candidate: &str,
    same_platform: Option<&str>,
    others: &[&str],
) -> Option<String> {
    if let Some(own) = same_platform {
        return Some(own.to_string());
    }
    let cand: Vec<char> = candidate.chars().filter(|c| !is_invisible(*c)).collect();
    let same = |a: char, b: char| a.eq_ignore_ascii_case(&b) || skel(a) == skel(b);
    others
        .iter()
        .map(|h| {
            let h = h.trim_start_matches('@');
            match h.split_once('@') {
                Some((user, _)) => user,
                None => h.split('.').next().unwrap_or(h),
            }
        })
        .filter(|bare| bare.chars().count() == cand.len())
        .map(|bare| {
            let agree = bare
                .chars()
                .zip(&cand)
                .filter(|(a, b)| same(*a, **b))
                .count();
            // Between equals, the one that agrees letter for letter (case included).
            let exact = bare.chars().zip(&cand).filter(|(a, b)| a == *b).count();
            ((agree, exact), bare)
        })
        .filter(|((agree, _), _)| *agree * 2 >= cand.len())
        .max_by_key(|(key, _)| *key)
        .map(|(_, bare)| bare.to_string())
}

/// The characters of `candidate`, deceptive ones with a note; `reference` is the person's
/// handle on the same platform, when there is one.
pub fn handle_marks(candidate: &str, reference: Option<&str>) -> Vec<CharMark> {
    let cand: Vec<char> = candidate.chars().collect();
    let refc: Vec<char> = reference.map(|r| r.chars().collect()).unwrap_or_default();
    // Visible characters of the candidate, by position; invisible ones get their own note.
    let shown: Vec<(usize, char)> = cand
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| !is_invisible(*c))
        .collect();
    // The stretch where the two differ, between their common prefix and common suffix, where
    // look-alikes count as the same: "rn" for "m", an inserted or dropped letter.
    let same = |a: char, b: char| a.eq_ignore_ascii_case(&b) || skel(a) == skel(b);
    let prefix = shown
        .iter()
        .zip(&refc)
        .take_while(|((_, a), b)| same(*a, **b))
        .count();
    let max_suffix = shown.len().min(refc.len()) - prefix;
    let suffix = shown
        .iter()
        .rev()
        .zip(refc.iter().rev())
        .take(max_suffix)
        .take_while(|((_, a), b)| same(*a, **b))
        .count();
    let differing: Vec<usize> = if reference.is_some() {
        shown[prefix..shown.len() - suffix]
            .iter()
            .map(|(i, _)| *i)
            .collect()
    } else {
        Vec::new()
    };
    let theirs: String = refc[prefix.min(refc.len())
        ..refc
            .len()
            .saturating_sub(suffix)
            .max(prefix.min(refc.len()))]
        .iter()
        .collect();
    let aligned = shown.len() == refc.len();
    let mut position = 0;
    cand.iter()
        .enumerate()
        .map(|(i, &c)| {
            let same_place = if aligned && !is_invisible(c) {
                refc.get(position).copied()
            } else {
                None
            };
            if !is_invisible(c) {
                position += 1;
            }
            let mut note = note(c, same_place);
            if note.is_none() && differing.contains(&i) {
                note = Some(if theirs.is_empty() {
                    format!("U+{:04X} \"{c}\" is added to your handle here", c as u32)
                } else {
                    format!(
                        "U+{:04X} \"{c}\" where your handle has \"{theirs}\"",
                        c as u32
                    )
                });
            }
            CharMark {
                ch: visible(c),
                note,
            }
        })
        .collect()
}

/// Why `c` is deceptive, if it is.
fn note(c: char, same_place: Option<char>) -> Option<String> {
    let code = format!("U+{:04X}", c as u32);
    if is_invisible(c) {
        return Some(format!(
            "{code} is an invisible or text-direction control character"
        ));
    }
    let looks_like =
        |other: char| other != c && skel(other) == skel(c) && !other.eq_ignore_ascii_case(&c);
    if let Some(r) = same_place.filter(|&r| looks_like(r)) {
        return Some(format!(
            "{code} {} in place of \"{r}\" (U+{:04X}): they look alike",
            describe(c),
            r as u32
        ));
    }
    if !c.is_ascii() {
        let proto: String = skel(c);
        let like = if proto != c.to_string() {
            format!(", looks like \"{proto}\"")
        } else {
            String::new()
        };
        return Some(format!("{code} {}{like}", describe(c)));
    }
    None
}

fn skel(c: char) -> String {
    skeleton(&c.to_string()).collect()
}

/// "(Cyrillic letter)" and the like: the script says where the character comes from.
fn describe(c: char) -> String {
    let script = c.script().full_name();
    let kind = if c.is_alphabetic() {
        "letter"
    } else if c.is_numeric() {
        "digit"
    } else {
        "character"
    };
    format!("({} {kind})", script.replace('_', " "))
}

/// The character as shown: invisible ones as a visible placeholder so the mark has a width.
fn visible(c: char) -> String {
    if is_invisible(c) {
        "\u{2423}".to_string() // OPEN BOX
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_look_alike_of_a_handle_used_elsewhere_is_compared_with_it() {
        let others = [
            "palmerreport.bsky.social",
            "PalmerReport",
            "palmer@mastodon.social",
        ];
        assert_eq!(
            reference_handle("paImerreport", None, &others).as_deref(),
            Some("palmerreport")
        );
        assert_eq!(
            reference_handle("paImerreport", Some("PalmerReport"), &others).as_deref(),
            Some("PalmerReport")
        );
        // Nothing of that length and likeness: no reference.
        assert_eq!(reference_handle("somebodyelse", None, &others), None);
        let marks = handle_marks("paImerreport", Some("palmerreport"));
        assert!(marks[2].note.is_some(), "{marks:?}");
    }

    fn noted(marks: &[CharMark]) -> Vec<(String, String)> {
        marks
            .iter()
            .filter_map(|m| m.note.clone().map(|n| (m.ch.clone(), n)))
            .collect()
    }

    #[test]
    fn ascii_lookalike_in_place_of_the_persons_letter() {
        let marks = handle_marks("PaImerReport", Some("PalmerReport"));
        let n = noted(&marks);
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].0, "I");
        assert!(
            n[0].1.contains("U+0049") && n[0].1.contains("U+006C"),
            "{}",
            n[0].1
        );
    }

    #[test]
    fn other_script_and_invisible_characters() {
        let marks = handle_marks("p\u{0430}lmer\u{200B}report", Some("palmerreport"));
        let n = noted(&marks);
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(
            n[0].1.starts_with("U+0430") && n[0].1.contains("Cyrillic"),
            "{}",
            n[0].1
        );
        assert!(n[1].1.starts_with("U+200B") && n[1].1.contains("invisible"));
        assert_eq!(n[1].0, "\u{2423}");
    }

    #[test]
    fn multi_character_lookalikes_are_marked() {
        let marks = handle_marks(
            "palrnerreport.bsky.social",
            Some("palmerreport.bsky.social"),
        );
        let n = noted(&marks);
        assert_eq!(
            n.iter().map(|(c, _)| c.as_str()).collect::<String>(),
            "rn",
            "{n:?}"
        );
        assert!(
            n[0].1.contains("U+0072") && n[0].1.contains("\"m\""),
            "{}",
            n[0].1
        );
        let added = noted(&handle_marks("palmerreport1", Some("palmerreport")));
        assert_eq!(added.len(), 1);
        assert!(added[0].1.contains("added"), "{}", added[0].1);
    }

    #[test]
    fn the_persons_own_handle_has_no_marks() {
        assert!(noted(&handle_marks(
            "palmerreport.bsky.social",
            Some("palmerreport.bsky.social")
        ))
        .is_empty());
        assert!(noted(&handle_marks("PalmerReport", None)).is_empty());
    }
}
