//! The fuzzers: every variant of the varied part of a handle (X handle, Bluesky first label,
//! Mastodon username), each with its rank, one function a tier (see the parent module's
//! ranking). It must never validate full handles or deduplicate (the parent does both).

use super::tables::{
    is_vowel, keyboard_neighbours, uts39_ascii_pairs, uts39_foreign_lookalikes,
    CLOSE_WEAK_HOMOGLYPHS, STRONG_HOMOGLYPHS, WEAK_HOMOGLYPHS,
};
use crate::identity::Charset;

/// A variant of the varied part, before it is put back into a full handle.
pub(super) struct CoreVariant {
    pub(super) rank: u32,
    pub(super) core: String,
    pub(super) kind: &'static str,
}

/// The rank distance between two tiers.
pub(super) const TIER: u32 = 10_000;

/// Penalty within a tier for an edit at position `pos` of a `len`-character handle: the first
/// character is read most carefully, then the last.
fn position_penalty(pos: usize, len: usize) -> u32 {
    if pos == 0 {
        400
    } else if pos + 1 >= len {
        200
    } else {
        pos as u32
    }
}

/// Positions where a word boundary is visible: lower→upper (PalmerReport), letter↔digit.
fn word_boundaries(s: &[char]) -> Vec<usize> {
    (1..s.len())
        .filter(|&i| {
            let (a, b) = (s[i - 1], s[i]);
            (a.is_ascii_lowercase() && b.is_ascii_uppercase())
                || (a.is_ascii_alphabetic() && b.is_ascii_digit())
                || (a.is_ascii_digit() && b.is_ascii_alphabetic())
        })
        .collect()
}

/// Applies `from`→`to` at every position of `s` (one at a time).
fn substitutions(s: &[char], from: &str, to: &str) -> Vec<(usize, Vec<char>)> {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    let mut out = Vec::new();
    if from.is_empty() || from.len() > s.len() {
        return out;
    }
    for i in 0..=s.len() - from.len() {
        if s[i..i + from.len()] == from[..] {
            let mut v = Vec::with_capacity(s.len() + to.len());
            v.extend_from_slice(&s[..i]);
            v.extend_from_slice(&to);
            v.extend_from_slice(&s[i + from.len()..]);
            out.push((i, v));
        }
    }
    out
}

/// Replaces every occurrence of `from` with `to` at once.
fn replace_all(s: &[char], from: &str, to: &str) -> Option<Vec<char>> {
    let text: String = s.iter().collect();
    if text.matches(from).count() < 2 {
        return None;
    }
    Some(text.replace(from, to).chars().collect())
}

/// All variants of the varied part `core` under `rules`, ranked (not yet deduplicated).
pub(super) fn core_variants(core: &str, rules: &Charset) -> Vec<CoreVariant> {
    let s: Vec<char> = core.chars().collect();
    let mut fuzz = Fuzz {
        s: &s,
        rules,
        out: Vec::new(),
    };
    fuzz.strong_lookalikes();
    fuzz.weak_lookalikes();
    fuzz.separators();
    fuzz.affixes();
    fuzz.edits();
    fuzz.additions();
    fuzz.swaps();
    fuzz.out
}

/// The variants of one varied part, in the order they are made (the order breaks rank ties).
struct Fuzz<'a> {
    s: &'a [char],
    rules: &'a Charset,
    out: Vec<CoreVariant>,
}

impl Fuzz<'_> {
    /// Keeps `v` when the platform accepts it.
    fn push(&mut self, rank: u32, v: Vec<char>, kind: &'static str) {
        if self.rules.allows(&v) {
            self.out.push(CoreVariant {
                rank,
                core: v.into_iter().collect(),
                kind,
            });
        }
    }

    /// Capitals can be registered and the handle uses them (PalmerReport): added words are
    /// capitalised to match.
    fn camel(&self) -> bool {
        self.s.iter().any(|c| c.is_ascii_uppercase()) && self.rules.upper
    }

    /// Tier 0: strong look-alikes, by table order then position; UTS #39 pairs; other scripts'.
    fn strong_lookalikes(&mut self) {
        let s = self.s;
        let n = s.len();
        for (k, (from, to)) in STRONG_HOMOGLYPHS.iter().enumerate() {
            for (pos, v) in substitutions(s, from, to) {
                self.push(
                    k as u32 * 20 + position_penalty(pos, n) / 40,
                    v,
                    "homoglyph",
                );
            }
        }
        // UTS #39 ASCII pairs the table above lacks (none today; kept so a Unicode update that
        // adds one is picked up).
        for (from, to) in uts39_ascii_pairs() {
            if STRONG_HOMOGLYPHS.contains(&(from.as_str(), to.as_str())) {
                continue;
            }
            for (pos, v) in substitutions(s, from, to) {
                self.push(1_000 + position_penalty(pos, n), v, "confusable");
            }
        }
        // Other scripts' look-alikes, where the platform accepts them.
        if self.rules.unicode {
            for (i, &c) in s.iter().enumerate() {
                if let Some((_, foreign)) = uts39_foreign_lookalikes().iter().find(|(a, _)| *a == c)
                {
                    for &f in foreign {
                        let mut v = s.to_vec();
                        v[i] = f;
                        self.push(2_000 + position_penalty(i, n), v, "confusable");
                    }
                }
            }
        }
    }

    /// Tier 1: weaker look-alikes (i/l, nn/m), and a strong one applied everywhere at once.
    /// Digit-for-letter and other glance look-alikes (5/S, g/q, e/c) read as a different
    /// spelling: they rank after omission, repetition and transposition.
    fn weak_lookalikes(&mut self) {
        let s = self.s;
        let n = s.len();
        for (k, (from, to)) in WEAK_HOMOGLYPHS.iter().enumerate() {
            let base = if k < CLOSE_WEAK_HOMOGLYPHS {
                TIER
            } else {
                3 * TIER + 5_000
            };
            for (pos, v) in substitutions(s, from, to) {
                self.push(
                    base + k as u32 * 20 + position_penalty(pos, n) / 40,
                    v,
                    "homoglyph",
                );
            }
        }
        for (k, (from, to)) in STRONG_HOMOGLYPHS.iter().enumerate() {
            if let Some(v) = replace_all(s, from, to) {
                self.push(TIER + 5_000 + k as u32, v, "homoglyph");
            }
        }
    }

    /// Tier 2: separators at word boundaries and edges; existing separators removed or swapped.
    fn separators(&mut self) {
        let s = self.s;
        let t2 = 2 * TIER;
        for (k, &sep) in self.rules.seps.iter().enumerate() {
            let sep = sep as char;
            for &b in &word_boundaries(s) {
                let mut v = s.to_vec();
                v.insert(b, sep);
                self.push(t2 + 10 + k as u32 * 100, v, "separator");
            }
            // An edge separator: PalmerReport_ and _PalmerReport.
            let mut v = s.to_vec();
            v.push(sep);
            self.push(t2 + 20 + k as u32 * 100, v, "separator");
            let mut v = vec![sep];
            v.extend_from_slice(s);
            self.push(t2 + 40 + k as u32 * 100, v, "separator");
        }
        // Existing separators removed or swapped.
        for (i, &c) in s.iter().enumerate() {
            if c.is_ascii() && !c.is_ascii_alphanumeric() {
                let mut v = s.to_vec();
                v.remove(i);
                self.push(t2 + 15, v, "separator");
                for &sep in self.rules.seps {
                    if sep as char != c {
                        let mut v = s.to_vec();
                        v[i] = sep as char;
                        self.push(t2 + 25, v, "separator");
                    }
                }
            }
        }
    }

    /// Tier 2: affixes (`real`, `the`, `official`, digits), joined and with a separator.
    fn affixes(&mut self) {
        let s = self.s;
        let t2 = 2 * TIER;
        let camel = self.camel();
        let styled = |w: &str| -> String {
            if camel {
                if w.len() <= 2 {
                    w.to_ascii_uppercase()
                } else {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                }
            } else {
                w.to_string()
            }
        };
        let sep0 = self.rules.seps.first().map(|&b| b as char);
        // (word, as prefix?, rank)
        let affixes: &[(&str, bool, u32)] = &[
            ("real", true, 30),
            ("the", true, 35),
            ("official", false, 45),
            ("1", false, 50),
            ("hq", false, 55),
            ("news", false, 60),
            ("tv", false, 65),
            ("official", true, 70),
            ("real", false, 75),
            ("2", false, 80),
            ("0", false, 85),
            ("01", false, 90),
            ("123", false, 95),
            ("2026", false, 98),
        ];
        for &(word, prefix, rank) in affixes {
            let w: Vec<char> = styled(word).chars().collect();
            let joined: Vec<char> = if prefix {
                w.iter().chain(s.iter()).copied().collect()
            } else {
                s.iter().chain(w.iter()).copied().collect()
            };
            self.push(t2 + rank, joined, "affix");
            if let Some(sep) = sep0 {
                let with_sep: Vec<char> = if prefix {
                    w.iter()
                        .chain([sep].iter())
                        .chain(s.iter())
                        .copied()
                        .collect()
                } else {
                    s.iter()
                        .chain([sep].iter())
                        .chain(w.iter())
                        .copied()
                        .collect()
                };
                self.push(t2 + rank + 200, with_sep, "affix");
            }
        }
    }

    /// Tier 3: omission, repetition, transposition, plural.
    fn edits(&mut self) {
        let s = self.s;
        let n = s.len();
        let t3 = 3 * TIER;
        for i in 0..n {
            let p = position_penalty(i, n) * 4;
            let mut v = s.to_vec();
            v.remove(i);
            if !v.is_empty() {
                self.push(t3 + p, v, "omission");
            }
            let mut v = s.to_vec();
            v.insert(i, s[i]);
            self.push(t3 + p + 1, v, "repetition");
            if i + 1 < n && s[i] != s[i + 1] {
                let mut v = s.to_vec();
                v.swap(i, i + 1);
                self.push(t3 + p + 2, v, "transposition");
            }
        }
        if s.last()
            .is_some_and(|c| c.is_ascii_alphabetic() && *c != 's')
        {
            let mut v = s.to_vec();
            v.push(if s.last().is_some_and(|c| c.is_ascii_uppercase()) {
                'S'
            } else {
                's'
            });
            self.push(t3 + 3, v, "addition");
        }
    }

    /// Tier 4: additions at the end, separators inside words.
    fn additions(&mut self) {
        let s = self.s;
        let n = s.len();
        let t4 = 4 * TIER;
        let tail_upper = self.camel() && s.last().is_some_and(|c| c.is_ascii_uppercase());
        for (k, c) in ('a'..='z').chain('0'..='9').enumerate() {
            let c = if tail_upper {
                c.to_ascii_uppercase()
            } else {
                c
            };
            let mut v = s.to_vec();
            v.push(c);
            self.push(t4 + k as u32, v, "addition");
        }
        for &sep in self.rules.seps {
            for i in 1..n {
                let mut v = s.to_vec();
                v.insert(i, sep as char);
                self.push(t4 + 100 + i as u32, v, "separator");
            }
        }
    }

    /// Tier 5: vowel swaps and keyboard neighbours.
    fn swaps(&mut self) {
        let s = self.s;
        let n = s.len();
        let t5 = 5 * TIER;
        for (i, &c) in s.iter().enumerate() {
            let p = position_penalty(i, n) * 4;
            if is_vowel(c) {
                for v_ in ['a', 'e', 'i', 'o', 'u'] {
                    let r = if c.is_ascii_uppercase() {
                        v_.to_ascii_uppercase()
                    } else {
                        v_
                    };
                    if r != c {
                        let mut v = s.to_vec();
                        v[i] = r;
                        self.push(t5 + p, v, "vowel_swap");
                    }
                }
            }
            for k in keyboard_neighbours(c) {
                let mut v = s.to_vec();
                v[i] = k;
                self.push(t5 + 2_000 + p, v, "keyboard");
                let mut v = s.to_vec();
                v.insert(i + 1, k);
                self.push(t5 + 4_000 + p, v, "keyboard");
            }
        }
    }
}
