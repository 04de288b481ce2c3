//! Affixes around a copied handle (`Real`, `official`, `2024`): found on the look-alike key,
//! quoted from the characters the account typed. It finds affixes; it never weighs them.

use super::{leet_folded, plain_bare, HandleForm, AFFIXES, SEPARATORS};
use crate::detect::confusables::{confusable_skeleton, display_safe};

/// Affix words found around the person's handle.
pub(super) struct Affixes {
    /// The words, lowercase as listed (`fan`, `official`) or the digits as typed.
    pub(super) words: Vec<String>,
    /// True when digits stand for letters in the copied part (`Re4lKofiMB`).
    pub(super) leet: bool,
}

/// The affixes that turn the person's handle into the candidate's, tried on the look-alike
/// keys, then on plain lowercase (skeletons fold across the seam between handle and affix:
/// `ledger`+`news` reads `ledgemews`, rn -> m), then with digits written for letters folded
/// back; with each affix quoted as the account typed it ("56591705", never its folded form).
pub(super) fn affixes_around(cand: &HandleForm, r: &HandleForm) -> Option<(Affixes, Vec<String>)> {
    let skeleton_bare = |s: &str| -> String {
        confusable_skeleton(s)
            .chars()
            .filter(|c| !SEPARATORS.contains(c))
            .collect()
    };
    let plain = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(|c| !SEPARATORS.contains(c))
            .collect()
    };
    let leet = |s: &str| leet_folded(&skeleton_bare(s));
    type Fold<'a> = &'a dyn Fn(&str) -> String;
    let tries: [(Fold, String, bool); 3] = [
        (&skeleton_bare, r.bare.clone(), false),
        (&plain, plain_bare(r), false),
        (&leet, r.bare.clone(), true),
    ];
    for (fold, reference, is_leet) in tries {
        let Some(found) = strip_affixes(&fold(&cand.core), &reference) else {
            continue;
        };
        if let Some(quoted) = quote_affixes(&cand.core, fold, &found) {
            let words = found.into_iter().map(|(w, _)| w).collect();
            return Some((
                Affixes {
                    words,
                    leet: is_leet,
                },
                quoted,
            ));
        }
    }
    None
}

/// The candidate's own characters behind each affix (`fold` maps a raw prefix to its key, whose
/// byte offsets the spans use), quoted; `None` when a number in the key is no number as typed
/// (the `o` and `l` that `0` and `1` fold to are letters in the handle).
fn quote_affixes(
    core: &str,
    fold: &dyn Fn(&str) -> String,
    found: &[(String, std::ops::Range<usize>)],
) -> Option<Vec<String>> {
    // Key length of each raw prefix: the key offset where each raw character starts.
    let mut starts = Vec::with_capacity(core.len());
    for (i, _) in core.char_indices() {
        starts.push((i, fold(&core[..i]).len()));
    }
    let mut quoted = Vec::with_capacity(found.len());
    for (word, span) in found {
        let raw: String = core
            .char_indices()
            .zip(&starts)
            .filter(|(_, (_, at))| span.contains(at))
            .map(|((_, c), _)| c)
            .filter(|c| !SEPARATORS.contains(c))
            .collect();
        let listed = AFFIXES.contains(&word.as_str());
        if !listed && !raw.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let shown = if raw.is_empty() { word.clone() } else { raw };
        quoted.push(format!("\"{}\"", display_safe(&shown)));
    }
    Some(quoted)
}

/// The affixes that turn `reference` into `cand` (both keys), if any: up to three affix words
/// or runs of digits on either end, each with its byte span in `cand`.
fn strip_affixes(cand: &str, reference: &str) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    if cand.len() <= reference.len() || !cand.contains(reference) || reference.len() < 3 {
        return None;
    }
    let start = cand.find(reference)?;
    let end = start + reference.len();
    let mut found = Vec::new();
    for (part, offset) in [(&cand[..start], 0), (&cand[end..], end)] {
        if part.is_empty() {
            continue;
        }
        found.extend(split_affixes(part, offset)?);
    }
    if found.is_empty() || found.len() > 3 {
        None
    } else {
        Some(found)
    }
}

/// Splits an affix string into known affix words and digit runs, with their spans (shifted by
/// `offset`); `None` if something else is left (then it is not an affix but a different name).
fn split_affixes(whole: &str, offset: usize) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let mut words = Vec::new();
    let mut at = 0;
    'outer: while at < whole.len() {
        let part = &whole[at..];
        let take = |len: usize, word: String, words: &mut Vec<_>| {
            words.push((word, offset + at..offset + at + len));
            len
        };
        if part.starts_with(|c: char| c.is_ascii_digit()) {
            let digits = digit_run(part);
            at += take(digits, part[..digits].to_string(), &mut words);
            continue;
        }
        // Longest affix word first so "official" wins over partial matches; words before digit
        // runs so the "o" of "official" is not read as a zero.
        let mut best: Option<(&str, usize)> = None;
        for affix in AFFIXES {
            let sk = confusable_skeleton(affix);
            if part.starts_with(sk.as_str()) && best.map_or(true, |(_, len)| sk.len() > len) {
                best = Some((affix, sk.len()));
            }
        }
        if let Some((affix, len)) = best {
            at += take(len, affix.to_string(), &mut words);
            continue 'outer;
        }
        // Digits fold to letters in skeletons (0 -> o, 1 -> l), so a run of digits shows as
        // digits, `o` and `l`; up to four of them are taken as a number ("2024", "10").
        let digits = digit_run(part);
        if digits > 0 && digits <= 4 {
            at += take(digits, part[..digits].to_string(), &mut words);
            continue;
        }
        return None;
    }
    Some(words)
}

/// Length of the run of digits at the start of a skeleton, where `0` and `1` show as `o`/`l`.
fn digit_run(part: &str) -> usize {
    part.chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, 'o' | 'l'))
        .count()
}
