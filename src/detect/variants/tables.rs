//! The tables the fuzzers draw on: ASCII look-alikes ranked by how well they fool a reader, the
//! UTS #39 confusables (ASCII pairs and other scripts' letters) and the qwerty keyboard. It
//! must never rank or build variants (see [`super::fuzzers`]).

use std::sync::OnceLock;

/// Look-alike ASCII substitutions that read the same (tier 0), most deceptive first.
pub(super) const STRONG_HOMOGLYPHS: &[(&str, &str)] = &[
    ("l", "I"),
    ("I", "l"),
    ("m", "rn"),
    ("rn", "m"),
    ("O", "0"),
    ("0", "O"),
    ("o", "0"),
    ("0", "o"),
    ("l", "1"),
    ("1", "l"),
    ("I", "1"),
    ("1", "I"),
    ("w", "vv"),
    ("vv", "w"),
    ("d", "cl"),
    ("cl", "d"),
];

/// How many of [`WEAK_HOMOGLYPHS`] (the first) are close enough for tier 1.
pub(super) const CLOSE_WEAK_HOMOGLYPHS: usize = 8;

/// Look-alikes that fool a quick glance: the first [`CLOSE_WEAK_HOMOGLYPHS`] in tier 1, the
/// rest after the tier-3 edits.
pub(super) const WEAK_HOMOGLYPHS: &[(&str, &str)] = &[
    ("i", "l"),
    ("l", "i"),
    ("i", "1"),
    ("1", "i"),
    ("nn", "m"),
    ("m", "nn"),
    ("i", "j"),
    ("j", "i"),
    ("S", "5"),
    ("5", "S"),
    ("s", "5"),
    ("B", "8"),
    ("8", "B"),
    ("Z", "2"),
    ("2", "Z"),
    ("g", "q"),
    ("q", "g"),
    ("g", "9"),
    ("9", "g"),
    ("u", "v"),
    ("v", "u"),
    ("e", "c"),
    ("c", "e"),
    ("G", "6"),
    ("6", "G"),
    ("b", "6"),
    ("h", "b"),
    ("E", "3"),
    ("A", "4"),
    ("a", "@"),
];

const QWERTY_ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// Keys next to `c` on a qwerty keyboard (same case as `c`).
pub(super) fn keyboard_neighbours(c: char) -> Vec<char> {
    let lower = c.to_ascii_lowercase();
    let rows: Vec<Vec<char>> = QWERTY_ROWS.iter().map(|r| r.chars().collect()).collect();
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let Some(col) = row.iter().position(|&k| k == lower) else {
            continue;
        };
        let col = col as isize;
        for (dr, dc) in [(0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)] {
            let rr = r as isize + dr;
            let cc = col + dc;
            if rr < 0 || rr >= rows.len() as isize || cc < 0 {
                continue;
            }
            if let Some(&k) = rows[rr as usize].get(cc as usize) {
                out.push(if c.is_ascii_uppercase() {
                    k.to_ascii_uppercase()
                } else {
                    k
                });
            }
        }
    }
    out
}

pub(super) fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Pairs of ASCII strings that UTS #39 calls confusable (same skeleton), computed once from the
/// Unicode data in `unicode-security` so none is missed; see [`ascii_uts39_pairs`].
pub(super) fn uts39_ascii_pairs() -> &'static Vec<(String, String)> {
    static PAIRS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    PAIRS.get_or_init(ascii_uts39_pairs)
}

/// Every pair (a, b) of ASCII alphanumeric strings of one or two characters, with a ≠ b and
/// equal UTS #39 skeletons, where b has one character or a has one (the substitutions a
/// handle can undergo).
pub fn ascii_uts39_pairs() -> Vec<(String, String)> {
    let singles: Vec<String> = (b'0'..=b'z')
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| (b as char).to_string())
        .collect();
    let skel = |s: &str| unicode_security::skeleton(s).collect::<String>();
    let mut forms: Vec<(String, String)> = singles.iter().map(|s| (s.clone(), skel(s))).collect();
    for a in &singles {
        for b in &singles {
            let pair = format!("{a}{b}");
            let sk = skel(&pair);
            forms.push((pair, sk));
        }
    }
    let mut out = Vec::new();
    for (a, ska) in forms.iter().filter(|(s, _)| s.len() == 1) {
        for (b, skb) in &forms {
            if a != b && ska == skb {
                out.push((a.clone(), b.clone()));
                if b.len() > 1 {
                    out.push((b.clone(), a.clone()));
                }
            }
        }
    }
    out
}

/// Non-ASCII characters (Cyrillic, Greek) whose UTS #39 skeleton equals that of an ASCII
/// letter or digit, at most two per ASCII character, computed once from `unicode-security`.
pub(super) fn uts39_foreign_lookalikes() -> &'static Vec<(char, Vec<char>)> {
    static TABLE: OnceLock<Vec<(char, Vec<char>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let skel = |s: &str| unicode_security::skeleton(s).collect::<String>();
        let mut table: Vec<(char, Vec<char>)> = Vec::new();
        for b in (b'0'..=b'z').filter(|b| b.is_ascii_alphanumeric()) {
            let ascii = b as char;
            let target = skel(&ascii.to_string());
            let mut found = Vec::new();
            // Cyrillic first (the most used in attacks), then Greek.
            for cp in (0x0400u32..=0x04FF).chain(0x0370..=0x03FF) {
                let Some(c) = char::from_u32(cp) else {
                    continue;
                };
                if found.len() < 2 && skel(&c.to_string()) == target {
                    found.push(c);
                }
            }
            if !found.is_empty() {
                table.push((ascii, found));
            }
        }
        table
    })
}
