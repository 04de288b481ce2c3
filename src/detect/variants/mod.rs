//! Look-alike handles an impostor could register, most plausible first.
//!
//! The list feeds probing on platforms that can only look accounts up by handle, where every
//! lookup costs (X charges per read), so the order matters as much as the coverage. Fuzzers
//! follow dnstwist's, applied to handles instead of domains, plus the UTS #39 confusables a
//! platform accepts. Ranking, strongest first:
//!
//! 0. look-alike characters that read the same: capital I for l, 0 for O, rn for m, vv for w,
//!    cl for d; the same username on another big Mastodon server; a `*.bsky.social` copy of a
//!    custom-domain Bluesky handle;
//! 1. close look-alikes (i/l, nn/m) and a strong one applied to every occurrence at once;
//! 2. separators at word boundaries and affixes (`real`, `the`, `official`, `hq`, `news`, `tv`,
//!    digits, a trailing underscore);
//! 3. omission, repetition, transposition, a plural `s`, then glance look-alikes (5/S, g/q,
//!    e/c);
//! 4. other additions and separators inside words;
//! 5. vowel swaps and keyboard (qwerty) neighbours.
//!
//! Within a tier, edits away from the first character come first: readers check the start of
//! a word and skim its middle.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::identity::{validate_handle, Platform};

/// One look-alike handle and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub handle: String,
    /// The fuzzer that made it: `homoglyph`, `addition`, `omission`, `repetition`,
    /// `transposition`, `separator`, `affix`, `vowel_swap`, `keyboard`, `confusable`,
    /// `other_server` (Mastodon), `bsky_social` (Bluesky custom domain copied under bsky.social),
    /// `tld_swap` (Bluesky custom domain under another top-level domain).
    pub kind: String,
}

/// Longest handle (whole, with server or domain) that gets variants.
pub const MAX_HANDLE_CHARS: usize = 253;

/// Big Mastodon servers where an impostor would register the same username.
pub const BIG_MASTODON_SERVERS: &[&str] = &[
    "mastodon.social",
    "mastodon.online",
    "mas.to",
    "mstdn.social",
    "mastodon.world",
    "infosec.exchange",
    "hachyderm.io",
    "fosstodon.org",
    "universeodon.com",
    "masto.ai",
    "mstdn.party",
    "techhub.social",
];

/// Top-level domains tried for a Bluesky custom-domain handle (`palmerreport.com` →
/// `palmerreport.net`).
const SWAP_TLDS: &[&str] = &[
    "com", "net", "org", "co", "io", "news", "info", "us", "online",
];

/// Words impostors add to a handle to look official.
pub const AFFIX_WORDS: &[&str] = &["real", "the", "official", "hq", "news", "tv"];

/// Look-alike handles of `handle` valid under `platform`'s rules, most plausible first,
/// at most `limit`. An invalid handle gives no variants (check it with
/// [`validate_handle`] first to tell the person why).
pub fn variants(platform: &Platform, handle: &str, limit: usize) -> Vec<Variant> {
    let Ok(canonical) = validate_handle(platform, handle) else {
        return Vec::new();
    };
    // No platform has handles this long; the fuzzers are quadratic in the length.
    if limit == 0 || canonical.chars().count() > MAX_HANDLE_CHARS {
        return Vec::new();
    }
    let mut out = Ranked::default();
    match platform {
        Platform::Bluesky => bluesky_variants(&canonical, &mut out),
        Platform::Mastodon => mastodon_variants(&canonical, &mut out),
        other => {
            let rules = Rules::for_platform(other);
            for c in core_variants(&canonical, &rules) {
                out.push(c.rank, c.core, c.kind);
            }
        }
    }
    out.finish(platform, &canonical, limit)
}

/// Candidates with their rank; sorted, validated and deduplicated at the end.
#[derive(Default)]
struct Ranked {
    items: Vec<(u32, usize, String, &'static str)>,
}

impl Ranked {
    fn push(&mut self, rank: u32, handle: String, kind: &'static str) {
        let seq = self.items.len();
        self.items.push((rank, seq, handle, kind));
    }

    fn finish(mut self, platform: &Platform, original: &str, limit: usize) -> Vec<Variant> {
        self.items.sort_by_key(|(rank, seq, _, _)| (*rank, *seq));
        // Every supported platform treats handles case-insensitively when it checks that a
        // name is free, so two variants differing only in case are one account.
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(original.to_lowercase());
        let mut out = Vec::new();
        for (_, _, handle, kind) in self.items {
            if out.len() >= limit {
                break;
            }
            match validate_handle(platform, &handle) {
                Ok(valid) if valid == handle => {}
                _ => continue,
            }
            if seen.insert(handle.to_lowercase()) {
                out.push(Variant {
                    handle,
                    kind: kind.to_string(),
                });
            }
        }
        out
    }
}

/// What a platform accepts in the part of a handle we vary (X handle, Bluesky first label,
/// Mastodon username, ...).
#[derive(Debug, Clone, Copy)]
struct Rules {
    /// Capital letters can be registered (and are displayed as typed).
    upper: bool,
    min: usize,
    max: usize,
    /// Non-alphanumeric ASCII characters allowed.
    extra: &'static [u8],
    /// Separators an impostor would insert, preferred first.
    seps: &'static [u8],
    /// Non-alphanumeric characters allowed at the start or end.
    edge: &'static [u8],
    /// Non-ASCII characters are accepted (then UTS #39 confusables from other scripts apply).
    unicode: bool,
}

impl Rules {
    fn for_platform(platform: &Platform) -> Rules {
        let base = Rules {
            upper: true,
            min: 1,
            max: 30,
            extra: b"_.-",
            seps: b"_.-",
            edge: b"_",
            unicode: false,
        };
        match platform {
            Platform::X => Rules {
                max: 15,
                extra: b"_",
                seps: b"_",
                ..base
            },
            Platform::Bluesky => Rules {
                upper: false,
                max: 63,
                extra: b"-",
                seps: b"-",
                edge: b"",
                ..base
            },
            // Mastodon's sign-up form takes letters, digits and underscores.
            Platform::Mastodon => Rules {
                extra: b"_",
                seps: b"_",
                ..base
            },
            Platform::Instagram | Platform::Threads => Rules {
                upper: false,
                extra: b"._",
                seps: b"_.",
                ..base
            },
            Platform::Tiktok => Rules {
                upper: false,
                min: 2,
                max: 24,
                extra: b"._",
                seps: b"_.",
                ..base
            },
            Platform::Youtube => Rules { min: 3, ..base },
            Platform::Github => Rules {
                max: 39,
                extra: b"-",
                seps: b"-",
                edge: b"",
                ..base
            },
            Platform::Twitch => Rules {
                min: 4,
                max: 25,
                extra: b"_",
                seps: b"_",
                edge: b"",
                ..base
            },
            Platform::Other(_) => Rules {
                unicode: true,
                ..base
            },
        }
    }

    fn allows(&self, s: &[char]) -> bool {
        if s.len() < self.min || s.len() > self.max {
            return false;
        }
        let ok_char = |c: char| {
            if c.is_ascii_alphanumeric() {
                self.upper || !c.is_ascii_uppercase()
            } else if c.is_ascii() {
                self.extra.contains(&(c as u8))
            } else {
                self.unicode && !c.is_whitespace() && !c.is_control()
            }
        };
        let edge_ok =
            |c: char| !c.is_ascii() || c.is_ascii_alphanumeric() || self.edge.contains(&(c as u8));
        s.iter().all(|&c| ok_char(c))
            && s.first().is_some_and(|&c| edge_ok(c))
            && s.last().is_some_and(|&c| edge_ok(c))
    }
}

/// A variant of the varied part, before it is put back into a full handle.
struct CoreVariant {
    rank: u32,
    core: String,
    kind: &'static str,
}

const TIER: u32 = 10_000;

/// Look-alike ASCII substitutions that read the same (tier 0), most deceptive first.
const STRONG_HOMOGLYPHS: &[(&str, &str)] = &[
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
const CLOSE_WEAK_HOMOGLYPHS: usize = 8;

/// Look-alikes that fool a quick glance: the first [`CLOSE_WEAK_HOMOGLYPHS`] in tier 1, the
/// rest after the tier-3 edits.
const WEAK_HOMOGLYPHS: &[(&str, &str)] = &[
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
fn keyboard_neighbours(c: char) -> Vec<char> {
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

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u')
}

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

/// Pairs of ASCII strings that UTS #39 calls confusable (same skeleton), computed once from the
/// Unicode data in `unicode-security` so none is missed; see [`ascii_uts39_pairs`].
fn uts39_ascii_pairs() -> &'static Vec<(String, String)> {
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
fn uts39_foreign_lookalikes() -> &'static Vec<(char, Vec<char>)> {
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
fn core_variants(core: &str, rules: &Rules) -> Vec<CoreVariant> {
    let s: Vec<char> = core.chars().collect();
    let n = s.len();
    let mut out: Vec<CoreVariant> = Vec::new();
    let mut push = |rank: u32, v: Vec<char>, kind: &'static str| {
        if rules.allows(&v) {
            out.push(CoreVariant {
                rank,
                core: v.into_iter().collect(),
                kind,
            });
        }
    };

    // Tier 0: strong look-alikes, by table order then position.
    for (k, (from, to)) in STRONG_HOMOGLYPHS.iter().enumerate() {
        for (pos, v) in substitutions(&s, from, to) {
            push(
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
        for (pos, v) in substitutions(&s, from, to) {
            push(1_000 + position_penalty(pos, n), v, "confusable");
        }
    }
    // Other scripts' look-alikes, where the platform accepts them.
    if rules.unicode {
        for (i, &c) in s.iter().enumerate() {
            if let Some((_, foreign)) = uts39_foreign_lookalikes().iter().find(|(a, _)| *a == c) {
                for &f in foreign {
                    let mut v = s.clone();
                    v[i] = f;
                    push(2_000 + position_penalty(i, n), v, "confusable");
                }
            }
        }
    }

    // Tier 1: weaker look-alikes (i/l, nn/m), and a strong one applied everywhere at once.
    // Digit-for-letter and other glance look-alikes (5/S, g/q, e/c) read as a different
    // spelling: they rank after omission, repetition and transposition.
    for (k, (from, to)) in WEAK_HOMOGLYPHS.iter().enumerate() {
        let base = if k < CLOSE_WEAK_HOMOGLYPHS {
            TIER
        } else {
            3 * TIER + 5_000
        };
        for (pos, v) in substitutions(&s, from, to) {
            push(
                base + k as u32 * 20 + position_penalty(pos, n) / 40,
                v,
                "homoglyph",
            );
        }
    }
    for (k, (from, to)) in STRONG_HOMOGLYPHS.iter().enumerate() {
        if let Some(v) = replace_all(&s, from, to) {
            push(TIER + 5_000 + k as u32, v, "homoglyph");
        }
    }

    // Tier 2: separators at word boundaries, affixes.
    let camel = s.iter().any(|c| c.is_ascii_uppercase()) && rules.upper;
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
    let t2 = 2 * TIER;
    for (k, &sep) in rules.seps.iter().enumerate() {
        let sep = sep as char;
        for &b in &word_boundaries(&s) {
            let mut v = s.clone();
            v.insert(b, sep);
            push(t2 + 10 + k as u32 * 100, v, "separator");
        }
        // An edge separator: PalmerReport_ and _PalmerReport.
        let mut v = s.clone();
        v.push(sep);
        push(t2 + 20 + k as u32 * 100, v, "separator");
        let mut v = vec![sep];
        v.extend_from_slice(&s);
        push(t2 + 40 + k as u32 * 100, v, "separator");
    }
    // Existing separators removed or swapped.
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            let mut v = s.clone();
            v.remove(i);
            push(t2 + 15, v, "separator");
            for &sep in rules.seps {
                if sep as char != c {
                    let mut v = s.clone();
                    v[i] = sep as char;
                    push(t2 + 25, v, "separator");
                }
            }
        }
    }
    let sep0 = rules.seps.first().map(|&b| b as char);
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
        push(t2 + rank, joined, "affix");
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
            push(t2 + rank + 200, with_sep, "affix");
        }
    }

    // Tier 3: omission, repetition, transposition, plural.
    let t3 = 3 * TIER;
    for i in 0..n {
        let p = position_penalty(i, n) * 4;
        let mut v = s.clone();
        v.remove(i);
        if !v.is_empty() {
            push(t3 + p, v, "omission");
        }
        let mut v = s.clone();
        v.insert(i, s[i]);
        push(t3 + p + 1, v, "repetition");
        if i + 1 < n && s[i] != s[i + 1] {
            let mut v = s.clone();
            v.swap(i, i + 1);
            push(t3 + p + 2, v, "transposition");
        }
    }
    if s.last()
        .is_some_and(|c| c.is_ascii_alphabetic() && *c != 's')
    {
        let mut v = s.clone();
        v.push(if s.last().is_some_and(|c| c.is_ascii_uppercase()) {
            'S'
        } else {
            's'
        });
        push(t3 + 3, v, "addition");
    }

    // Tier 4: additions at the end, separators inside words.
    let t4 = 4 * TIER;
    let tail_upper = camel && s.last().is_some_and(|c| c.is_ascii_uppercase());
    for (k, c) in ('a'..='z').chain('0'..='9').enumerate() {
        let c = if tail_upper {
            c.to_ascii_uppercase()
        } else {
            c
        };
        let mut v = s.clone();
        v.push(c);
        push(t4 + k as u32, v, "addition");
    }
    for &sep in rules.seps {
        for i in 1..n {
            let mut v = s.clone();
            v.insert(i, sep as char);
            push(t4 + 100 + i as u32, v, "separator");
        }
    }

    // Tier 5: vowel swaps and keyboard neighbours.
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
                    let mut v = s.clone();
                    v[i] = r;
                    push(t5 + p, v, "vowel_swap");
                }
            }
        }
        for k in keyboard_neighbours(c) {
            let mut v = s.clone();
            v[i] = k;
            push(t5 + 2_000 + p, v, "keyboard");
            let mut v = s.clone();
            v.insert(i + 1, k);
            push(t5 + 4_000 + p, v, "keyboard");
        }
    }
    out
}

/// Bluesky: the first label varies; a custom domain is also copied under `bsky.social`, where
/// anyone can register for free, and its variants are tried there first.
fn bluesky_variants(handle: &str, out: &mut Ranked) {
    let (label, parent) = handle.split_once('.').unwrap_or((handle, ""));
    let label_rules = Rules::for_platform(&Platform::Bluesky);
    // bsky.social accepts 3 to 18 characters before the suffix.
    let social_rules = Rules {
        min: 3,
        max: 18,
        ..label_rules
    };
    let custom = parent != "bsky.social";
    if custom {
        out.push(0, format!("{label}.bsky.social"), "bsky_social");
    }
    for c in core_variants(label, &social_rules) {
        out.push(c.rank, format!("{}.bsky.social", c.core), c.kind);
    }
    if custom {
        // The same name under another top-level domain (dnstwist's tld-swap): a domain costs
        // a few dollars, so right after the separator and affix copies.
        if let Some((stem, tld)) = handle.rsplit_once('.') {
            for (k, other) in SWAP_TLDS.iter().enumerate() {
                if *other != tld {
                    out.push(
                        2 * TIER + 300 + k as u32,
                        format!("{stem}.{other}"),
                        "tld_swap",
                    );
                }
            }
        }
        // The same variants on the person's own parent domain need a domain purchase: less likely.
        for c in core_variants(label, &label_rules) {
            out.push(c.rank + TIER / 2, format!("{}.{parent}", c.core), c.kind);
        }
    }
}

/// Mastodon: username variants on the same server, and the same username on big servers.
fn mastodon_variants(handle: &str, out: &mut Ranked) {
    let Some((user, server)) = handle.split_once('@') else {
        return;
    };
    let rules = Rules::for_platform(&Platform::Mastodon);
    for (k, other) in BIG_MASTODON_SERVERS.iter().enumerate() {
        if *other != server {
            // After the I/l and rn/m look-alikes, before 0/O: an exact copy elsewhere is the
            // commonest Mastodon impersonation.
            out.push(75 + k as u32, format!("{user}@{other}"), "other_server");
        }
    }
    for c in core_variants(user, &rules) {
        out.push(c.rank, format!("{}@{server}", c.core), c.kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handles(p: &Platform, h: &str, limit: usize) -> Vec<String> {
        variants(p, h, limit)
            .into_iter()
            .map(|v| v.handle)
            .collect()
    }

    #[test]
    fn capital_i_for_l_comes_first_on_x() {
        let v = variants(&Platform::X, "PalmerReport", 50);
        assert_eq!(v[0].handle, "PaImerReport");
        assert_eq!(v[0].kind, "homoglyph");
        assert!(v.iter().any(|x| x.handle == "PalrnerReport"));
        assert!(v.iter().any(|x| x.handle == "PalmerRep0rt"));
    }

    #[test]
    fn uts39_ascii_pairs_include_the_classics() {
        let pairs = ascii_uts39_pairs();
        for (a, b) in [("I", "l"), ("1", "l"), ("0", "O"), ("m", "rn"), ("rn", "m")] {
            assert!(
                pairs.iter().any(|(x, y)| x == a && y == b),
                "{a}->{b} missing from {pairs:?}"
            );
        }
    }

    #[test]
    fn x_variants_are_valid_distinct_and_exclude_the_original() {
        let v = handles(&Platform::X, "PalmerReport", 10_000);
        assert!(v.len() > 200, "{}", v.len());
        let mut seen = HashSet::new();
        for h in &v {
            assert!(validate_handle(&Platform::X, h).is_ok(), "{h}");
            assert!(seen.insert(h.to_lowercase()), "duplicate {h}");
            assert_ne!(h.to_lowercase(), "palmerreport");
        }
    }

    #[test]
    fn bluesky_custom_domain_is_copied_under_bsky_social() {
        let v = variants(&Platform::Bluesky, "palmerreport.com", 100);
        assert_eq!(v[0].handle, "palmerreport.bsky.social");
        assert_eq!(v[0].kind, "bsky_social");
        assert!(v.iter().any(|x| x.handle == "palrnerreport.bsky.social"));
        assert!(v.iter().all(|x| x.handle == x.handle.to_lowercase()));
        assert!(v
            .iter()
            .all(|x| validate_handle(&Platform::Bluesky, &x.handle).is_ok()));
    }

    #[test]
    fn bluesky_custom_domain_gets_tld_swaps() {
        let v = variants(&Platform::Bluesky, "palmerreport.com", 400);
        assert!(v
            .iter()
            .any(|x| x.handle == "palmerreport.net" && x.kind == "tld_swap"));
        assert!(!v.iter().any(|x| x.handle == "palmerreport.com"));
        // A bsky.social handle has no domain of its own to swap.
        let v = variants(&Platform::Bluesky, "palmerreport.bsky.social", 400);
        assert!(!v
            .iter()
            .any(|x| x.kind == "tld_swap" || x.kind == "bsky_social"));
    }

    #[test]
    fn lowercase_platforms_get_no_capitals_and_their_own_separators() {
        let v = variants(&Platform::Instagram, "palmer.report", 500);
        assert!(!v.is_empty());
        for x in &v {
            assert!(!x.handle.chars().any(|c| c.is_ascii_uppercase()), "{x:?}");
            assert!(x.handle.len() <= 30);
            assert!(
                x.handle
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'),
                "{x:?}"
            );
        }
        assert!(v.iter().any(|x| x.handle == "palmer_report"));
        assert!(v.iter().any(|x| x.handle == "palmerreport"));
        let v = variants(&Platform::Github, "palmer-report", 500);
        assert!(v.iter().all(|x| !x.handle.starts_with('-')
            && !x.handle.ends_with('-')
            && !x.handle.contains('_')));
    }

    #[test]
    fn mastodon_copies_the_username_on_other_servers() {
        let v = variants(&Platform::Mastodon, "Palmer@mastodon.social", 60);
        assert!(v
            .iter()
            .any(|x| x.handle == "Palmer@mas.to" && x.kind == "other_server"));
        assert!(v.iter().any(|x| x.handle == "PaImer@mastodon.social"));
        assert!(!v.iter().any(|x| x.handle == "Palmer@mastodon.social"));
    }

    #[test]
    fn other_platforms_get_foreign_script_confusables() {
        let v = variants(&Platform::Other("forum".into()), "palmer", 1000);
        assert!(
            v.iter()
                .any(|x| x.kind == "confusable" && x.handle == "p\u{0430}lmer"),
            "{v:?}"
        );
    }

    #[test]
    fn limit_is_honoured() {
        assert_eq!(variants(&Platform::X, "PalmerReport", 7).len(), 7);
        assert!(variants(&Platform::X, "PalmerReport", 0).is_empty());
        assert!(variants(&Platform::X, "not valid!", 10).is_empty());
    }

    #[test]
    fn arbitrary_handles_never_panic() {
        let pieces: &[&str] = &[
            "a",
            "Z",
            "rn",
            "vv",
            "cl",
            "0",
            "1",
            "I",
            "_",
            ".",
            "-",
            "@",
            "é",
            "\u{0430}",
            "\u{200B}",
            "ß",
            "İ",
            "mastodon.social",
            "bsky.social",
            "com",
            "nn",
        ];
        let platforms = [
            Platform::X,
            Platform::Bluesky,
            Platform::Mastodon,
            Platform::Instagram,
            Platform::Github,
            Platform::Twitch,
            Platform::Other("forum".into()),
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..600 {
            let len = (next() % 12) as usize;
            let handle: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let platform = &platforms[(next() % platforms.len() as u64) as usize];
            let v = variants(platform, &handle, 50);
            assert!(v.len() <= 50);
            for x in &v {
                assert!(
                    validate_handle(platform, &x.handle).is_ok(),
                    "{platform} {x:?}"
                );
            }
        }
        assert!(variants(&Platform::Other("forum".into()), &"a".repeat(5000), 10).is_empty());
    }

    #[test]
    fn keyboard_neighbours_are_adjacent_keys() {
        let n = keyboard_neighbours('g');
        for k in ['f', 'h', 't', 'y', 'v', 'b'] {
            assert!(n.contains(&k), "{k} not in {n:?}");
        }
        assert!(keyboard_neighbours('G').contains(&'H'));
    }
}
