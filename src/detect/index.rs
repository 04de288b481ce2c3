//! The skeleton index behind `scan-handles`: finds, in a stream of millions of handles, those
//! that imitate one of the protected identities, at a cost per handle that does not grow with
//! the number of identities.
//!
//! Every handle is reduced to its *core* (an X handle, a Bluesky handle's first label, a
//! Mastodon username) and the core to a *key*: lowercase, look-alikes folded (`I`/`1`→`l`,
//! `0`→`o`, `rn`→`m`, `vv`→`w`, `cl`→`d`, other scripts through UTS #39), separators dropped.
//! The index maps hashes of the identities' keys, and of each key with one character deleted
//! (the symmetric-delete neighbourhood), to the handles they come from. A scanned handle then
//! needs `len + 1` hash lookups, whatever the number of identities: its own key (same key, or
//! one character omitted) and its key with each character deleted (one character added,
//! substituted, or two neighbours swapped), plus a few for affixes (`real`, `official`, digits).
//! Hashes of all deletions come from one prefix-hash pass (polynomial hashing), so no string is
//! built per deletion; only hits are verified byte by byte and explained. Two extra key forms
//! catch what the merges hide: the key without `rn`/`vv`/`cl` merges (an `e` → `c` before `l`
//! is one edit there), looked up only for handles whose key merged a pair, and `nn` read as `m`.
//!
//! Verdicts: a key equal to the person's with look-alike or hidden characters is an
//! `impostor`; so is the person's exact name on another Mastodon server or Bluesky domain
//! (`palmerreport.com` → `palmerreport.bsky.social`), and an affix or edit beside a look-alike
//! character (`Real_PaImerReport`). Separators, affixes, one edit and `nn` for `m` alone are
//! `suspicious`: a different real name one letter away (`PalmerRepart`) deserves a look, not an
//! alarm. Cores shorter than [`MIN_EDIT_LEN`] match only on an equal key, or every short word
//! would flood the person.

use std::io::{self, Read, Write};

use super::confusables::{
    confusable_skeleton, describe_lookalikes, describe_seq, display_safe, fold_char, is_invisible,
    ordinal,
};
use super::{Reason, Signal, Verdict};
use crate::identity::{Identity, Platform};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Keys shorter than this match only when equal (no edits, no affixes).
pub const MIN_EDIT_LEN: usize = 5;
/// Keys longer than this match only when equal (no handle platform allows longer cores
/// except Bluesky domains; it also bounds the hash tables below).
pub const MAX_EDIT_LEN: usize = 64;

/// Lines longer than this are no handle (domain names stop at 253 bytes): skipped unread, so a
/// hostile line cannot make one handle cost more than a few microseconds.
pub const MAX_LINE: usize = 1024;

/// Polynomial hash base: odd, so powers never vanish modulo 2^64.
const BASE: u64 = 0x9E37_79B9_7F4A_7C15;
const NO_DELETE: u8 = u8::MAX;

/// `POW[i] = BASE^i`.
const POW: [u64; MAX_EDIT_LEN + 2] = {
    let mut t = [1u64; MAX_EDIT_LEN + 2];
    let mut i = 1;
    while i < t.len() {
        t[i] = t[i - 1].wrapping_mul(BASE);
        i += 1;
    }
    t
};

/// Per-byte fold of ASCII: lowercase, `I`/`1`/`|` → `l`, `0` → `o`, separators → 0 (dropped).
/// Bytes of non-ASCII UTF-8 pass unchanged. Matches the UTS #39 skeleton of ASCII letters and
/// digits followed by lowercasing (`tests::ascii_fold_agrees_with_uts39`).
const FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'I' | b'1' | b'|' => b'l',
            b'0' | b'O' => b'o',
            b'A'..=b'Z' => c + 32,
            b'_' | b'.' | b'-' => 0,
            _ => c,
        };
        b += 1;
    }
    t
};

/// Appends the look-alike key of `s` (ASCII, or the UTF-8 output of a Unicode fold) to `out`:
/// [`FOLD`] per byte, then `rn`→`m`, `vv`→`w`, `cl`→`d` left to right.
#[inline]
pub fn fold_ascii_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let mut merges = false;
    for &b in s {
        let f = FOLD[b as usize];
        if f == 0 {
            continue;
        }
        if out.len() > start {
            let last = out.len() - 1;
            let merged = match (out[last], f) {
                (b'r', b'n') => b'm',
                (b'v', b'v') => b'w',
                (b'c', b'l') => b'd',
                _ => 0,
            };
            if merged != 0 {
                out[last] = merged;
                merges = true;
                continue;
            }
        }
        out.push(f);
    }
    merges
}

/// The key of ASCII `s` without the `rn`/`vv`/`cl` merges: an edit that creates or breaks such
/// a pair (`Wenzel` → `Wenzcl`, e for c) is one edit here but two on the merged key.
#[inline]
pub fn fold_ascii_unmerged_into(s: &[u8], out: &mut Vec<u8>) {
    out.extend(s.iter().map(|&b| FOLD[b as usize]).filter(|&f| f != 0));
}

/// Positions of `nn` in `key` (overlapping ones included): each may be a weak look-alike of
/// `m` that UTS #39 does not list. Read one at a time: `knninnix` is `kminnix` or `knnimix`.
fn nn_positions(key: &[u8]) -> impl Iterator<Item = usize> + '_ {
    key.windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] == b'n' && w[1] == b'n')
        .map(|(i, _)| i)
}

/// `key` with the `nn` at `pos` read as `m`, into `out` (cleared first).
fn nn_as_m_at(key: &[u8], pos: usize, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&key[..pos]);
    out.push(b'm');
    out.extend_from_slice(&key[pos + 2..]);
}

/// Appends the look-alike key of any string to `out` (slow path for non-ASCII handles): the
/// detector's [`confusable_skeleton`] (UTS #39 plus case, diacritics, fullwidth, invisible
/// characters), then the same separator drop and merges as the ASCII path, so a handle and the
/// detector agree on what looks the same.
pub fn fold_unicode_into(s: &str, out: &mut Vec<u8>) {
    let _ = fold_ascii_into(confusable_skeleton(s).as_bytes(), out);
}

/// The look-alike key of `s` as a string.
pub fn handle_key(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    if s.is_ascii() {
        let _ = fold_ascii_into(s.as_bytes(), &mut out);
    } else {
        fold_unicode_into(s, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How a handle is written, which tells its platform family in a list of handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `PalmerReport`: X and most platforms.
    Plain,
    /// `palmerreport.bsky.social`, `palmerreport.com`: Bluesky.
    Domain,
    /// `PalmerReport@mastodon.social`: Mastodon and the fediverse.
    Fediverse,
}

/// Splits a handle (no leading `@`) into its core and shape.
pub fn core_of(handle: &[u8]) -> (&[u8], Shape) {
    if let Some(at) = memchr::memchr(b'@', handle) {
        (&handle[..at], Shape::Fediverse)
    } else if let Some(dot) = memchr::memchr(b'.', handle) {
        (&handle[..dot], Shape::Domain)
    } else {
        (handle, Shape::Plain)
    }
}

fn shape_of_platform(p: &Platform) -> Shape {
    match p {
        Platform::Bluesky => Shape::Domain,
        Platform::Mastodon => Shape::Fediverse,
        _ => Shape::Plain,
    }
}

fn shape_bit(shape: Shape) -> u8 {
    match shape {
        Shape::Plain => 1,
        Shape::Domain => 2,
        Shape::Fediverse => 4,
    }
}

/// Prefixes impostors put before a name, as folded keys, longest first.
const PREFIX_WORDS: &[&[u8]] = &[b"official", b"thereal", b"real", b"the", b"its", b"iam"];
/// Suffixes impostors put after a name, as folded keys.
const SUFFIX_WORDS: &[&[u8]] = &[
    b"official",
    b"updates",
    b"news",
    b"real",
    b"hq",
    b"tv",
    b"team",
    b"daily",
];

/// Which form of a key: the look-alike key, the key without `rn`/`vv`/`cl` merges, or the key
/// with `nn` read as `m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Merged,
    Unmerged,
    NnAsM,
}

/// One of the person's handles, as the index knows it (one entry per key form).
#[derive(Debug, Clone)]
struct Target {
    form: Form,
    identity: u32,
    platform: Platform,
    handle: String,
    core: String,
    key: Vec<u8>,
    shape: Shape,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    target: u32,
    /// Position of the deleted key byte, or [`NO_DELETE`] for the whole key.
    deleted: u8,
}

/// How a scanned key relates to a target key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Same,
    /// The scanned key lacks the target's byte at `pos`.
    Omission {
        pos: u8,
    },
    /// The scanned key has an extra byte at `pos`.
    Insertion {
        pos: u8,
    },
    Substitution {
        pos: u8,
    },
    /// Bytes `pos` and `pos + 1` swapped.
    Transposition {
        pos: u8,
    },
    /// Equal once an affix is stripped: `start..end` of the scanned key is the target key;
    /// `digits` when trailing digits were dropped from the raw handle first.
    Affix {
        start: u8,
        end: u8,
        digits: bool,
    },
    /// Equal once `nn` is read as `m` on one side.
    NnForM,
}

impl Relation {
    /// Lower is a stronger match.
    fn strength(self) -> u8 {
        match self {
            Relation::Same => 0,
            Relation::Affix { .. } | Relation::NnForM => 1,
            _ => 2,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    target: u32,
    relation: Relation,
    /// The form of the scanned key that hit.
    form: Form,
}

/// Reusable buffers so scanning allocates nothing per handle.
#[derive(Default)]
pub struct Scratch {
    key: Vec<u8>,
    alt: Vec<u8>,
    unmerged: Vec<u8>,
    prefix: Vec<u64>,
    hits: Vec<Hit>,
}

/// A handle that imitates one of the identities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandleMatch {
    pub handle: String,
    /// The identity's name.
    pub identity: String,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
}

/// Counts from one [`HandleIndex::scan_stream`] run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub lines: u64,
    pub matches: u64,
    /// Lines that were not UTF-8, or longer than the read buffer: skipped.
    pub skipped: u64,
}

/// The index over the identities' handle keys; build once, scan many handles.
pub struct HandleIndex {
    names: Vec<String>,
    /// Per identity, its handles lowercased: scanning one of them is not a match.
    own: Vec<Vec<String>>,
    targets: Vec<Target>,
    /// Per identity, the shapes (bits of [`shape_bit`]) it has handles in.
    shapes: Vec<u8>,
    /// Hash → range in `postings`. Fx: the keys are already uniformly mixed u64 hashes of the
    /// person's own handles (not attacker-chosen), so SipHash's flood resistance buys nothing
    /// and costs several times the lookup time.
    table: FxHashMap<u64, (u32, u32)>,
    postings: Vec<Posting>,
}

/// Polynomial hashes of all prefixes of `key`: `prefix[i]` hashes `key[..i]`.
#[inline]
fn prefix_hashes(key: &[u8], prefix: &mut Vec<u64>) {
    prefix.clear();
    prefix.push(0);
    let mut h = 0u64;
    for &b in key {
        h = h.wrapping_mul(BASE).wrapping_add(b as u64);
        prefix.push(h);
    }
}

/// Hash of `key[a..b]` from its prefix hashes.
#[inline]
fn range_hash(prefix: &[u64], a: usize, b: usize) -> u64 {
    prefix[b].wrapping_sub(prefix[a].wrapping_mul(POW[b - a]))
}

/// Hash of `key` without byte `i` (key length `n = prefix.len() - 1`).
#[inline]
fn deletion_hash(prefix: &[u64], i: usize) -> u64 {
    let n = prefix.len() - 1;
    prefix[i]
        .wrapping_mul(POW[n - 1 - i])
        .wrapping_add(range_hash(prefix, i + 1, n))
}

/// Mixes the key length in, so that keys of different lengths never share a bucket by accident.
#[inline]
fn table_key(hash: u64, len: usize) -> u64 {
    hash ^ ((len as u64) << 57)
}

/// `a` without byte `i` equals `b` without byte `j` (`usize::MAX` = nothing removed).
fn equal_without(a: &[u8], i: usize, b: &[u8], j: usize) -> bool {
    let la = a.len() - usize::from(i != usize::MAX);
    let lb = b.len() - usize::from(j != usize::MAX);
    if la != lb {
        return false;
    }
    let mut x = a
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != i)
        .map(|(_, v)| v);
    let mut y = b
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != j)
        .map(|(_, v)| v);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p == q => {}
            _ => return false,
        }
    }
}

impl HandleIndex {
    /// Indexes every handle of every identity.
    pub fn new(identities: &[Identity]) -> HandleIndex {
        let mut targets = Vec::new();
        let mut names = Vec::new();
        let mut own = Vec::new();
        for (i, identity) in identities.iter().enumerate() {
            names.push(identity.name.clone());
            own.push(
                identity
                    .handles
                    .iter()
                    .map(|h| h.handle.trim_start_matches('@').to_lowercase())
                    .collect(),
            );
            for account in &identity.handles {
                let handle = account.handle.trim_start_matches('@').to_string();
                let (core, shape) = core_of(handle.as_bytes());
                let core = String::from_utf8_lossy(core).into_owned();
                let key = handle_key(&core).into_bytes();
                if key.is_empty() {
                    continue;
                }
                let mut forms = Vec::new();
                if core.is_ascii() {
                    let mut unmerged = Vec::new();
                    fold_ascii_unmerged_into(core.as_bytes(), &mut unmerged);
                    if unmerged != key {
                        forms.push((Form::Unmerged, unmerged));
                    }
                }
                if key.len() > MIN_EDIT_LEN {
                    for pos in nn_positions(&key) {
                        let mut nn = Vec::new();
                        nn_as_m_at(&key, pos, &mut nn);
                        forms.push((Form::NnAsM, nn));
                    }
                }
                forms.insert(0, (Form::Merged, key));
                for (form, key) in forms {
                    targets.push(Target {
                        form,
                        identity: i as u32,
                        platform: account.platform.clone(),
                        shape: if matches!(account.platform, Platform::Other(_)) {
                            shape
                        } else {
                            shape_of_platform(&account.platform)
                        },
                        handle: handle.clone(),
                        core: core.clone(),
                        key,
                    });
                }
            }
        }
        let mut entries: Vec<(u64, Posting)> = Vec::new();
        let mut prefix = Vec::new();
        for (t, target) in targets.iter().enumerate() {
            let key = &target.key;
            prefix_hashes(key, &mut prefix);
            let n = key.len();
            entries.push((
                table_key(prefix[n], n),
                Posting {
                    target: t as u32,
                    deleted: NO_DELETE,
                },
            ));
            if (MIN_EDIT_LEN..=MAX_EDIT_LEN).contains(&n) && target.form != Form::NnAsM {
                for j in 0..n {
                    entries.push((
                        table_key(deletion_hash(&prefix, j), n - 1),
                        Posting {
                            target: t as u32,
                            deleted: j as u8,
                        },
                    ));
                }
            }
        }
        entries.sort_by_key(|(h, p)| (*h, p.target, p.deleted));
        let mut table = FxHashMap::default();
        table.reserve(entries.len());
        let mut postings = Vec::with_capacity(entries.len());
        let mut k = 0;
        while k < entries.len() {
            let h = entries[k].0;
            let start = postings.len() as u32;
            while k < entries.len() && entries[k].0 == h {
                postings.push(entries[k].1);
                k += 1;
            }
            table.insert(h, (start, postings.len() as u32 - start));
        }
        let mut shapes = vec![0u8; names.len()];
        for t in &targets {
            shapes[t.identity as usize] |= shape_bit(t.shape);
        }
        HandleIndex {
            names,
            own,
            shapes,
            targets,
            table,
            postings,
        }
    }

    /// Number of indexed handles.
    pub fn handle_count(&self) -> usize {
        self.targets.len()
    }

    #[inline]
    fn postings(&self, hash: u64, len: usize) -> &[Posting] {
        match self.table.get(&table_key(hash, len)) {
            Some(&(start, count)) => &self.postings[start as usize..(start + count) as usize],
            None => &[],
        }
    }

    /// Looks `key` (in `scratch.key`) up: same key, one edit. Pushes verified hits.
    #[inline]
    fn lookup_edits(&self, key: &[u8], form: Form, prefix: &mut Vec<u64>, hits: &mut Vec<Hit>) {
        let n = key.len();
        prefix_hashes(key, prefix);
        for p in self.postings(prefix[n], n) {
            let target = &self.targets[p.target as usize];
            // `nn`-as-`m` forms only ever match the other side's plain key, exactly.
            let nn = (form == Form::NnAsM) as u8 + (target.form == Form::NnAsM) as u8;
            if nn > 0 && (nn > 1 || p.deleted != NO_DELETE || form == Form::Unmerged) {
                continue;
            }
            if p.deleted == NO_DELETE {
                if target.key == key {
                    hits.push(Hit {
                        target: p.target,
                        relation: if nn > 0 {
                            Relation::NnForM
                        } else {
                            Relation::Same
                        },
                        form,
                    });
                }
            } else if equal_without(key, usize::MAX, &target.key, p.deleted as usize) {
                hits.push(Hit {
                    target: p.target,
                    relation: Relation::Omission { pos: p.deleted },
                    form,
                });
            }
        }
        if form == Form::NnAsM {
            return;
        }
        if !(MIN_EDIT_LEN - 1..=MAX_EDIT_LEN).contains(&n) {
            return;
        }
        for i in 0..n {
            for p in self.postings(deletion_hash(prefix, i), n - 1) {
                let target = &self.targets[p.target as usize];
                if target.key.len() < MIN_EDIT_LEN || target.form == Form::NnAsM {
                    continue;
                }
                let j = if p.deleted == NO_DELETE {
                    usize::MAX
                } else {
                    p.deleted as usize
                };
                if !equal_without(key, i, &target.key, j) {
                    continue;
                }
                let relation = if j == usize::MAX {
                    Relation::Insertion { pos: i as u8 }
                } else if i == j {
                    Relation::Substitution { pos: i as u8 }
                } else if i.abs_diff(j) == 1 && key[i] == target.key[j] && key[j] == target.key[i] {
                    Relation::Transposition {
                        pos: i.min(j) as u8,
                    }
                } else {
                    // Deleting different bytes on each side: two edits, not one.
                    continue;
                };
                hits.push(Hit {
                    target: p.target,
                    relation,
                    form,
                });
            }
        }
    }

    /// Looks up the key with known affixes stripped; `digits` says trailing digits were
    /// already dropped from the raw handle to make `key`.
    #[inline]
    fn lookup_affixes(&self, key: &[u8], prefix: &mut Vec<u64>, digits: bool, hits: &mut Vec<Hit>) {
        let n = key.len();
        // Affixes only on handle-sized keys (range hashes need powers up to the length).
        if n > MAX_EDIT_LEN {
            return;
        }
        prefix_hashes(key, prefix);
        let try_range = |a: usize, b: usize, hits: &mut Vec<Hit>| {
            // Keys longer than MAX_EDIT_LEN have no powers in POW (an over-long line such as
            // "real_palmerrepor</script>..." indexed past it and panicked; found by the
            // scan_handles fuzz target) and match only when equal anyway.
            if b <= a
                || b - a < MIN_EDIT_LEN
                || b - a > MAX_EDIT_LEN
                || (a == 0 && b == n && !digits)
            {
                return;
            }
            for p in self.postings(range_hash(prefix, a, b), b - a) {
                let target = &self.targets[p.target as usize];
                if p.deleted == NO_DELETE
                    && target.form != Form::NnAsM
                    && target.key[..] == key[a..b]
                {
                    hits.push(Hit {
                        form: Form::Merged,
                        target: p.target,
                        relation: Relation::Affix {
                            start: a as u8,
                            end: b as u8,
                            digits,
                        },
                    });
                }
            }
        };
        if digits {
            try_range(0, n, hits);
        }
        let mut starts = [0usize; 2];
        let mut ns = 1;
        for w in PREFIX_WORDS {
            if key.len() > w.len() && key.starts_with(w) {
                starts[1] = w.len();
                ns = 2;
                break;
            }
        }
        let mut ends = [n; 2];
        let mut ne = 1;
        for w in SUFFIX_WORDS {
            if key.len() > w.len() && key.ends_with(w) {
                ends[1] = n - w.len();
                ne = 2;
                break;
            }
        }
        for &a in &starts[..ns] {
            for &b in &ends[..ne] {
                if a != 0 || b != n {
                    try_range(a, b, hits);
                }
            }
        }
    }

    /// Scans one line (a handle, maybe with a leading `@` and surrounding spaces) and appends
    /// its matches to `out`. Non-UTF-8 lines give nothing.
    pub fn scan_line(&self, line: &[u8], scratch: &mut Scratch, out: &mut Vec<HandleMatch>) {
        let mut line = line;
        while let [rest @ .., last] = line {
            if last.is_ascii_whitespace() {
                line = rest;
            } else {
                break;
            }
        }
        while let [first, rest @ ..] = line {
            if first.is_ascii_whitespace() || *first == b'@' {
                line = rest;
            } else {
                break;
            }
        }
        if line.is_empty() || line.len() > MAX_LINE {
            return;
        }
        scratch.hits.clear();
        scratch.key.clear();
        let ascii = line.is_ascii();
        if !ascii && std::str::from_utf8(line).is_err() {
            return;
        }
        // An IDN homograph arrives as punycode (`xn--pImer-...`): judge what it displays.
        if ascii && memchr::memmem::find(line, b"xn--").is_some() {
            if let Some(decoded) = decode_punycode(line) {
                return self.scan_line(decoded.as_bytes(), scratch, out);
            }
        }
        let (core, shape) = core_of(line);
        let merges = if ascii {
            fold_ascii_into(core, &mut scratch.key)
        } else {
            fold_unicode_into(&String::from_utf8_lossy(core), &mut scratch.key);
            false
        };
        if scratch.key.is_empty() {
            return;
        }
        {
            let Scratch {
                key,
                alt,
                unmerged,
                prefix,
                hits,
            } = &mut *scratch;
            self.lookup_edits(key, Form::Merged, prefix, hits);
            if key.len() > MIN_EDIT_LEN {
                for pos in nn_positions(key) {
                    nn_as_m_at(key, pos, alt);
                    self.lookup_edits(alt, Form::NnAsM, prefix, hits);
                }
            }
            if merges {
                unmerged.clear();
                fold_ascii_unmerged_into(core, unmerged);
                self.lookup_edits(unmerged, Form::Unmerged, prefix, hits);
                // `rnn` merges to `mn`: read the `nn` before merging too.
                if unmerged.len() > MIN_EDIT_LEN {
                    for pos in nn_positions(unmerged) {
                        nn_as_m_at(unmerged, pos, alt);
                        self.lookup_edits(alt, Form::NnAsM, prefix, hits);
                    }
                }
            }
        }
        // Affixes: only when the raw core ends in digits or the key carries an affix word.
        let digits_end = core
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        let has_digits = digits_end < core.len() && digits_end > 0;
        let key_has_word = |key: &[u8]| {
            PREFIX_WORDS.iter().any(|w| key.starts_with(w))
                || SUFFIX_WORDS.iter().any(|w| key.ends_with(w))
        };
        let Scratch {
            key,
            alt,
            prefix,
            hits,
            ..
        } = scratch;
        if key.len() > MIN_EDIT_LEN && key_has_word(key) {
            self.lookup_affixes(key, prefix, false, hits);
        }
        if has_digits {
            alt.clear();
            let stem = &core[..digits_end];
            if ascii {
                let _ = fold_ascii_into(stem, alt);
            } else {
                fold_unicode_into(&String::from_utf8_lossy(stem), alt);
            }
            if alt.len() >= MIN_EDIT_LEN {
                self.lookup_affixes(alt, prefix, true, hits);
            }
        }
        if hits.is_empty() {
            return;
        }
        // Hits are rare: from here on, clarity over speed.
        let text = String::from_utf8_lossy(line).into_owned();
        let core = String::from_utf8_lossy(core).into_owned();
        let key = key.clone();
        let hits = hits.clone();
        self.judge(&text, &core, shape, &key, &hits, out);
    }

    /// Turns verified hits into at most one match per identity.
    fn judge(
        &self,
        handle: &str,
        core: &str,
        shape: Shape,
        key: &[u8],
        hits: &[Hit],
        out: &mut Vec<HandleMatch>,
    ) {
        let lower = handle.to_lowercase();
        let mut unmerged = Vec::new();
        fold_ascii_unmerged_into(core.as_bytes(), &mut unmerged);
        let key_of = |form: Form| -> &[u8] {
            match form {
                Form::Unmerged => &unmerged,
                _ => key,
            }
        };
        let mut identities: Vec<u32> = hits
            .iter()
            .map(|h| self.targets[h.target as usize].identity)
            .collect();
        identities.sort_unstable();
        identities.dedup();
        for identity in identities {
            if self.own[identity as usize].contains(&lower) {
                continue;
            }
            let mut best: Option<(Verdict, u8, Vec<Reason>)> = None;
            for hit in hits
                .iter()
                .filter(|h| self.targets[h.target as usize].identity == identity)
            {
                let target = &self.targets[hit.target as usize];
                let Some((verdict, reasons)) =
                    self.explain(handle, core, shape, key_of(hit.form), target, hit, identity)
                else {
                    continue;
                };
                let rank = (verdict, u8::MAX - hit.relation.strength());
                let better = match &best {
                    None => true,
                    Some((v, s, _)) => rank > (*v, *s),
                };
                if better {
                    best = Some((verdict, rank.1, reasons));
                }
            }
            if let Some((verdict, _, reasons)) = best {
                out.push(HandleMatch {
                    handle: handle.to_string(),
                    identity: self.names[identity as usize].clone(),
                    verdict,
                    reasons,
                });
            }
        }
    }

    /// The verdict and reasons for one hit, or `None` when it is no match after all.
    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        handle: &str,
        core: &str,
        shape: Shape,
        key: &[u8],
        target: &Target,
        hit: &Hit,
        identity: u32,
    ) -> Option<(Verdict, Vec<Reason>)> {
        let relation = hit.relation;
        // Unit-by-unit look-alike details need both keys in their merged form.
        let merged_keys = hit.form == Form::Merged && target.form == Form::Merged;
        let yours = format!("your {} handle {}", target.platform, target.handle);
        let shown = display_safe(handle);
        let mut reasons = Vec::new();
        let hidden: Vec<String> = core
            .chars()
            .enumerate()
            .filter(|(_, c)| is_invisible(*c))
            .map(|(i, c)| format!("U+{:04X} at the {} character", c as u32, ordinal(i + 1)))
            .collect();
        if !hidden.is_empty() {
            // Bounded: a handle stuffed with hidden characters must not make an endless reason.
            let listed = hidden
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let more = match hidden.len().saturating_sub(5) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            reasons.push(Reason {
                signal: Signal::HiddenCharacters,
                detail: format!("handle {shown} hides invisible characters: {listed}{more}"),
            });
        }
        match relation {
            Relation::Same => {
                let (a, b) = (units(core), units(&target.core));
                let lookalikes = if a.len() == b.len() {
                    lookalike_details(&a, &b)
                } else {
                    describe_lookalikes(core, &target.core)
                };
                if !lookalikes.is_empty() {
                    for l in lookalikes {
                        reasons.push(Reason {
                            signal: Signal::ConfusableHandle,
                            detail: format!("handle {shown} shows {l} ({yours})"),
                        });
                    }
                    return Some((Verdict::Impostor, reasons));
                }
                let plain = |s: &str| -> String {
                    s.chars()
                        .filter(|c| !matches!(c, '_' | '.' | '-') && !is_invisible(*c))
                        .flat_map(char::to_lowercase)
                        .collect()
                };
                let separators_only =
                    core.to_lowercase() != target.core.to_lowercase() && hidden.is_empty();
                if separators_only && plain(core) == plain(&target.core) {
                    reasons.push(Reason {
                        signal: Signal::NearHandle,
                        detail: format!(
                            "handle {shown} is {yours} with separators (_ . -) added, removed or moved"
                        ),
                    });
                    return Some((Verdict::Suspicious, reasons));
                }
                if !hidden.is_empty() {
                    return Some((Verdict::Impostor, reasons));
                }
                if plain(core) != plain(&target.core) {
                    // Same key, different characters, none named above: accents, combining
                    // marks or compatibility forms that display like yours.
                    reasons.push(Reason {
                        signal: Signal::ConfusableHandle,
                        detail: format!(
                            "handle {shown} displays like {yours} once accents, combining marks and look-alike forms are folded"
                        ),
                    });
                    return Some((Verdict::Impostor, reasons));
                }
                // The very name, elsewhere.
                if shape == target.shape {
                    let detail = match shape {
                        Shape::Fediverse => format!(
                            "handle {shown} copies the username of {yours} on another server"
                        ),
                        Shape::Domain if handle.to_lowercase().ends_with(".bsky.social") => {
                            format!("handle {shown} copies {yours} under bsky.social")
                        }
                        Shape::Domain => {
                            format!(
                                "handle {shown} copies the name of {yours} under another domain"
                            )
                        }
                        Shape::Plain => format!("handle {shown} is the name of {yours}"),
                    };
                    reasons.push(Reason {
                        signal: Signal::NearHandle,
                        detail,
                    });
                    return Some((Verdict::Impostor, reasons));
                }
                // Same name on a kind of platform where the person registered nothing with it:
                // maybe theirs, maybe not.
                let registered_there = self.shapes[identity as usize] & shape_bit(shape) != 0;
                reasons.push(Reason {
                    signal: Signal::NearHandle,
                    detail: format!(
                        "handle {shown} uses the name of {yours}; it is not one of your registered handles{}",
                        if registered_there { "" } else { " (none registered on this network)" }
                    ),
                });
                Some((Verdict::Suspicious, reasons))
            }
            Relation::NnForM => {
                let (cand, yours_has) = if hit.form == Form::NnAsM {
                    ("\"nn\"", "m")
                } else {
                    ("m", "\"nn\"")
                };
                reasons.push(Reason {
                    signal: Signal::NearHandle,
                    detail: format!(
                        "handle {shown} reads like {yours}: it shows {cand} where yours has {yours_has} (look-alike)"
                    ),
                });
                Some((Verdict::Suspicious, reasons))
            }
            Relation::Affix { start, end, digits } => {
                let (a, b) = (start as usize, end as usize);
                // With digits, start..end index the key of the core without its trailing digits.
                let stem_end = if digits {
                    core.bytes()
                        .rposition(|c| !c.is_ascii_digit())
                        .map_or(0, |p| p + 1)
                } else {
                    core.len()
                };
                let base = if digits {
                    handle_key(&core[..stem_end]).into_bytes()
                } else {
                    key.to_vec()
                };
                let mut added = Vec::new();
                if a > 0 && a <= base.len() {
                    added.push(format!(
                        "\"{}\" added in front",
                        String::from_utf8_lossy(&base[..a])
                    ));
                }
                if b < base.len() {
                    added.push(format!(
                        "\"{}\" added at the end",
                        String::from_utf8_lossy(&base[b..])
                    ));
                }
                if digits {
                    added.push(format!("digits {} added at the end", &core[stem_end..]));
                }
                reasons.push(Reason {
                    signal: Signal::NearHandle,
                    detail: format!("handle {shown} is {yours} with {}", added.join(" and ")),
                });
                let lookalikes = costly_lookalikes(core, &target.core);
                let verdict = if lookalikes.is_empty() {
                    Verdict::Suspicious
                } else {
                    Verdict::Impostor
                };
                for l in lookalikes {
                    reasons.push(Reason {
                        signal: Signal::ConfusableHandle,
                        detail: format!("handle {shown} also shows {l}"),
                    });
                }
                Some((verdict, reasons))
            }
            edit => {
                let ch = |s: &[u8], i: usize| s.get(i).map(|&b| b as char).unwrap_or('?');
                let tk = &target.key;
                let what = match edit {
                    Relation::Omission { pos } => format!(
                        "drops the {} ({} character of yours)",
                        ch(tk, pos as usize),
                        ordinal(pos as usize + 1)
                    ),
                    Relation::Insertion { pos } => {
                        let i = pos as usize;
                        let c = ch(key, i);
                        let repeated = (i > 0 && key[i - 1] == key[i])
                            || key.get(i + 1).is_some_and(|&n| n == key[i]);
                        format!(
                            "adds {}{c} at the {} character",
                            if repeated { "a repeated " } else { "" },
                            ordinal(i + 1)
                        )
                    }
                    Relation::Substitution { pos } => {
                        let i = pos as usize;
                        let (a, b) = (ch(key, i), ch(tk, i));
                        format!(
                            "has {a} where yours has {b}, {} character{}",
                            ordinal(i + 1),
                            substitution_kind(a, b)
                        )
                    }
                    Relation::Transposition { pos } => {
                        let i = pos as usize;
                        format!(
                            "swaps {}{} at the {} character",
                            ch(tk, i),
                            ch(tk, i + 1),
                            ordinal(i + 1)
                        )
                    }
                    _ => return None,
                };
                reasons.push(Reason {
                    signal: Signal::NearHandle,
                    detail: format!("handle {shown} is one edit from {yours}: it {what}"),
                });
                // Look-alikes beside the edit: align the units around it (ASCII keys only,
                // where a key byte is a unit).
                let lookalikes = if merged_keys && core.is_ascii() && target.core.is_ascii() {
                    let mut a = units(core);
                    let mut b = units(&target.core);
                    match edit {
                        Relation::Omission { pos } if (pos as usize) < b.len() => {
                            b.remove(pos as usize);
                        }
                        Relation::Insertion { pos } if (pos as usize) < a.len() => {
                            a.remove(pos as usize);
                        }
                        Relation::Substitution { pos } if (pos as usize) < a.len().min(b.len()) => {
                            a.remove(pos as usize);
                            b.remove(pos as usize);
                        }
                        Relation::Transposition { pos }
                            if (pos as usize + 1) < a.len().min(b.len()) =>
                        {
                            a.drain(pos as usize..pos as usize + 2);
                            b.drain(pos as usize..pos as usize + 2);
                        }
                        _ => {}
                    }
                    if a.len() == b.len() {
                        lookalike_details(&a, &b)
                    } else {
                        Vec::new()
                    }
                } else {
                    Vec::new()
                };
                // A look-alike character beside the edit shows the intent to deceive.
                let verdict = if lookalikes.is_empty() {
                    Verdict::Suspicious
                } else {
                    Verdict::Impostor
                };
                for l in lookalikes {
                    reasons.push(Reason {
                        signal: Signal::ConfusableHandle,
                        detail: format!("handle {shown} also shows {l}"),
                    });
                }
                Some((verdict, reasons))
            }
        }
    }

    /// Streams handles, one per line, from `input` and writes each match as a JSON line
    /// `{"handle", "identity", "verdict", "reasons"}` to `output`. Reads in large blocks and
    /// allocates nothing per non-matching line; skips lines that are not UTF-8 or longer than
    /// the 1 MiB block.
    pub fn scan_stream<R: Read, W: Write>(&self, mut input: R, output: W) -> io::Result<ScanStats> {
        const BLOCK: usize = 1 << 20;
        let mut out = io::BufWriter::with_capacity(1 << 16, output);
        let mut buf = vec![0u8; BLOCK];
        let mut filled = 0usize;
        let mut skipping = false;
        let mut stats = ScanStats::default();
        let mut scratch = Scratch::default();
        let mut matches = Vec::new();
        let mut emit =
            |line: &[u8], stats: &mut ScanStats, out: &mut io::BufWriter<W>| -> io::Result<()> {
                stats.lines += 1;
                if line.len() > MAX_LINE || (!line.is_ascii() && std::str::from_utf8(line).is_err())
                {
                    stats.skipped += 1;
                    return Ok(());
                }
                self.scan_line(line, &mut scratch, &mut matches);
                for m in matches.drain(..) {
                    stats.matches += 1;
                    serde_json::to_writer(&mut *out, &m)?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            };
        loop {
            let n = match input.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                if filled > 0 && !skipping {
                    emit(&buf[..filled], &mut stats, &mut out)?;
                }
                break;
            }
            let end = filled + n;
            let mut start = 0;
            for nl in memchr::memchr_iter(b'\n', &buf[filled..end]) {
                let nl = filled + nl;
                if skipping {
                    skipping = false;
                } else {
                    emit(&buf[start..nl], &mut stats, &mut out)?;
                }
                start = nl + 1;
            }
            buf.copy_within(start..end, 0);
            filled = end - start;
            if filled == BLOCK {
                // A "line" longer than the block is no handle: drop it up to its newline.
                stats.lines += 1;
                stats.skipped += 1;
                skipping = true;
                filled = 0;
            }
        }
        out.flush()?;
        Ok(stats)
    }
}

/// The Unicode form of a handle with `xn--` labels, or `None` when nothing decodes to
/// non-ASCII (then the ASCII form is what is displayed).
fn decode_punycode(line: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(line).ok()?;
    let (user, domain) = match text.split_once('@') {
        Some((u, d)) => (Some(u), d),
        None => (None, text),
    };
    let (unicode, result) = idna::domain_to_unicode(domain);
    if result.is_err() || unicode.is_ascii() {
        return None;
    }
    Some(match user {
        Some(u) => format!("{u}@{unicode}"),
        None => unicode,
    })
}

/// Why a one-character substitution is notable, as a parenthesised remark (or empty).
fn substitution_kind(a: char, b: char) -> &'static str {
    const WEAK_LOOKALIKES: &[(char, char)] = &[
        ('i', 'l'),
        ('i', 'j'),
        ('5', 's'),
        ('8', 'b'),
        ('2', 'z'),
        ('g', 'q'),
        ('9', 'g'),
        ('u', 'v'),
        ('e', 'c'),
        ('6', 'g'),
        ('6', 'b'),
        ('n', 'h'),
        ('3', 'e'),
        ('4', 'a'),
    ];
    let pair =
        |x: char, y: char| WEAK_LOOKALIKES.contains(&(x, y)) || WEAK_LOOKALIKES.contains(&(y, x));
    if pair(a, b) {
        " (look-alike)"
    } else if "aeiou".contains(a) && "aeiou".contains(b) {
        " (vowel swap)"
    } else if keyboard_adjacent(a, b) {
        " (keyboard neighbour)"
    } else {
        ""
    }
}

fn keyboard_adjacent(a: char, b: char) -> bool {
    const ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let pos = |c: char| {
        ROWS.iter()
            .enumerate()
            .find_map(|(r, row)| row.find(c).map(|col| (r as i32, col as i32)))
    };
    match (pos(a), pos(b)) {
        (Some((ra, ca)), Some((rb, cb))) => {
            (ra == rb && (ca - cb).abs() == 1)
                || (ra - rb == 1 && (cb - ca == 0 || cb - ca == 1))
                || (rb - ra == 1 && (ca - cb == 0 || ca - cb == 1))
        }
        _ => false,
    }
}

/// Look-alike details between strings whose keys do not align unit by unit (affixes): the
/// detector's full alignment, ~100 µs, so only run when `cand` holds a character that can be a
/// look-alike at all (non-ASCII, `I`, `1`, `0`, `|`, or a pair the key merges).
fn costly_lookalikes(cand: &str, reference: &str) -> Vec<String> {
    let mut merged = Vec::new();
    let suspicious_chars = !cand.is_ascii()
        || cand.bytes().any(|b| matches!(b, b'I' | b'1' | b'0' | b'|'))
        || fold_ascii_into(cand.as_bytes(), &mut merged);
    if suspicious_chars {
        describe_lookalikes(cand, reference)
    } else {
        Vec::new()
    }
}

/// One unit of a handle's key: the folded character and the raw characters that made it.
struct Unit {
    folded: char,
    raw: String,
    /// 1-based position of the first raw character.
    position: usize,
}

/// The key of `s` unit by unit, keeping which raw characters made each unit: the detector's
/// per-character fold ([`fold_char`]), separators dropped, then the `rn`/`vv`/`cl` merges, as
/// in [`handle_key`]. Linear, unlike a full alignment: hits can be many when a network is
/// flooded with copies.
fn units(s: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    for (i, c) in s.chars().enumerate() {
        let folded = fold_char(c);
        let mut first = true;
        for fc in folded.chars() {
            if matches!(fc, '_' | '.' | '-') {
                continue;
            }
            let merged = out.last().and_then(|last| match (last.folded, fc) {
                ('r', 'n') => Some('m'),
                ('v', 'v') => Some('w'),
                ('c', 'l') => Some('d'),
                _ => None,
            });
            match (merged, out.last_mut()) {
                (Some(m), Some(last)) => {
                    last.folded = m;
                    if first {
                        last.raw.push(c);
                    }
                }
                _ => out.push(Unit {
                    folded: fc,
                    raw: if first { c.to_string() } else { String::new() },
                    position: i + 1,
                }),
            }
            first = false;
        }
    }
    out
}

/// `capital I (U+0049) where yours has l (U+006C), 3rd character` for each aligned unit whose
/// raw characters differ other than by case (platforms ignore case).
fn lookalike_details(cand: &[Unit], reference: &[Unit]) -> Vec<String> {
    cand.iter()
        .zip(reference)
        .filter(|(x, y)| x.folded == y.folded && !x.raw.is_empty() && !y.raw.is_empty())
        .filter(|(x, y)| x.raw.to_lowercase() != y.raw.to_lowercase())
        .map(|(x, y)| {
            format!(
                "{} where yours has {}, {} character",
                describe_seq(&x.raw),
                describe_seq(&y.raw),
                ordinal(x.position)
            )
        })
        .collect()
}

/// The naive baseline for benchmarks: Damerau-Levenshtein (strsim) of every handle against
/// every identity handle, at most one edit. Only `scripts/bench-scan-handles` uses it.
pub struct NaiveScanner {
    cores: Vec<(usize, String)>,
    names: Vec<String>,
}

impl NaiveScanner {
    pub fn new(identities: &[Identity]) -> NaiveScanner {
        let mut cores = Vec::new();
        for (i, identity) in identities.iter().enumerate() {
            for h in &identity.handles {
                let (core, _) = core_of(h.handle.as_bytes());
                cores.push((i, String::from_utf8_lossy(core).to_lowercase()));
            }
        }
        NaiveScanner {
            cores,
            names: identities.iter().map(|i| i.name.clone()).collect(),
        }
    }

    /// Scans `input` line by line (a `String` per line, a loop over all identities).
    pub fn scan_stream<R: io::BufRead, W: Write>(
        &self,
        input: R,
        output: W,
    ) -> io::Result<ScanStats> {
        use io::BufRead as _;
        let mut out = io::BufWriter::new(output);
        let mut stats = ScanStats::default();
        let mut input = input;
        let mut line = Vec::new();
        loop {
            line.clear();
            // Bounded like the index's scan: a "line" longer than MAX_LINE is no handle and is
            // dropped up to its newline without being kept.
            let n = (&mut input)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            if line.len() > MAX_LINE && line.last() != Some(&b'\n') {
                skip_to_newline(&mut input)?;
                stats.lines += 1;
                stats.skipped += 1;
                continue;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            stats.lines += 1;
            let Ok(text) = String::from_utf8(std::mem::take(&mut line)) else {
                stats.skipped += 1;
                continue;
            };
            let text = text.trim().trim_start_matches('@').to_string();
            let (core, _) = core_of(text.as_bytes());
            let core = String::from_utf8_lossy(core).to_lowercase();
            for (identity, own) in &self.cores {
                if strsim::damerau_levenshtein(&core, own) <= 1 {
                    stats.matches += 1;
                    let m = HandleMatch {
                        handle: text.clone(),
                        identity: self.names[*identity].clone(),
                        verdict: Verdict::Suspicious,
                        reasons: vec![Reason {
                            signal: Signal::NearHandle,
                            detail: format!("within one edit of {own}"),
                        }],
                    };
                    serde_json::to_writer(&mut out, &m)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        out.flush()?;
        Ok(stats)
    }
}

/// Drops input up to and including the next newline (or the end), keeping nothing.
fn skip_to_newline<R: io::BufRead>(input: &mut R) -> io::Result<()> {
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(());
        }
        if let Some(at) = memchr::memchr(b'\n', chunk) {
            input.consume(at + 1);
            return Ok(());
        }
        let n = chunk.len();
        input.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::AccountHandle;

    fn identity(name: &str, handles: &[(Platform, &str)]) -> Identity {
        Identity {
            name: name.into(),
            aliases: vec![],
            handles: handles
                .iter()
                .map(|(p, h)| AccountHandle {
                    platform: p.clone(),
                    handle: h.to_string(),
                })
                .collect(),
            avatar: None,
            bio: None,
        }
        .validated()
        .unwrap()
    }

    fn scan(index: &HandleIndex, line: &str) -> Vec<HandleMatch> {
        let mut out = Vec::new();
        index.scan_line(line.as_bytes(), &mut Scratch::default(), &mut out);
        out
    }

    #[test]
    fn ascii_fold_agrees_with_uts39() {
        // Every ASCII letter and digit: FOLD equals the UTS #39 skeleton, lowercased, with the
        // digit look-alikes (0 -> o) and separators dropped.
        for b in (b'0'..=b'z').filter(|b| b.is_ascii_alphanumeric()) {
            let c = b as char;
            let mut fast = Vec::new();
            fold_ascii_into(&[b], &mut fast);
            let mut slow = Vec::new();
            let skel: String = unicode_security::skeleton(&c.to_string())
                .flat_map(char::to_lowercase)
                .collect();
            fold_ascii_into(skel.as_bytes(), &mut slow);
            assert_eq!(fast, slow, "{c}");
        }
        assert_eq!(handle_key("PaImer_Rep0rt"), "palmerreport");
        assert_eq!(handle_key("PalrnerReport"), "palmerreport");
        assert_eq!(handle_key("\u{0440}\u{0430}lmerreport"), "palmerreport");
        assert_eq!(handle_key("Ｐａｌｍｅｒ\u{200B}Report"), "palmerreport");
        assert_eq!(handle_key("pálmerreport"), "palmerreport");
        // The fast ASCII path and the detector's skeleton agree.
        for s in [
            "PaImerReport",
            "Pa1mer_Rep0rt",
            "rnvvcl",
            "CLASSIC",
            "vvv",
            "r_n",
            "x.y-z",
            "Il1|0O",
        ] {
            let mut slow = Vec::new();
            fold_unicode_into(s, &mut slow);
            assert_eq!(handle_key(s).as_bytes(), &slow[..], "{s}");
        }
    }

    #[test]
    fn punycode_homographs_are_decoded() {
        let idx = HandleIndex::new(&[identity(
            "Palmer Report",
            &[(Platform::Bluesky, "palmerreport.com")],
        )]);
        let puny = idna::domain_to_ascii("p\u{0430}lmerreport.com").unwrap();
        assert!(puny.starts_with("xn--"), "{puny}");
        let m = scan(&idx, &puny);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].verdict, Verdict::Impostor);
        assert!(
            m[0].reasons.iter().any(|r| r.detail.contains("U+0430")),
            "{m:?}"
        );
        // Decomposed accent (a + U+0301): a combining mark, no look-alike character.
        let m = scan(&idx, "pa\u{0301}lmerreport.bsky.social");
        assert_eq!(m[0].verdict, Verdict::Impostor);
        assert_eq!(m[0].reasons[0].signal, Signal::ConfusableHandle, "{m:?}");
    }

    #[test]
    fn deletion_hashes_match_built_strings() {
        let key = b"palmerreport";
        let mut prefix = Vec::new();
        prefix_hashes(key, &mut prefix);
        for i in 0..key.len() {
            let mut d = key.to_vec();
            d.remove(i);
            let mut p2 = Vec::new();
            prefix_hashes(&d, &mut p2);
            assert_eq!(deletion_hash(&prefix, i), p2[d.len()]);
        }
    }

    #[test]
    fn attack_families_are_found_with_readable_reasons() {
        let idx = HandleIndex::new(&[identity(
            "Palmer Report",
            &[
                (Platform::X, "PalmerReport"),
                (Platform::Bluesky, "palmerreport.com"),
            ],
        )]);
        let m = scan(&idx, "PaImerReport");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].verdict, Verdict::Impostor);
        assert!(
            m[0].reasons[0]
                .detail
                .contains("capital I (U+0049) where yours has l (U+006C), 3rd character"),
            "{m:?}"
        );
        assert_eq!(
            scan(&idx, "palmerreport.bsky.social")[0].verdict,
            Verdict::Impostor
        );
        assert_eq!(scan(&idx, "PalrnerReport")[0].verdict, Verdict::Impostor);
        assert_eq!(scan(&idx, "Palmer_Report")[0].verdict, Verdict::Suspicious);
        assert_eq!(
            scan(&idx, "RealPalmerReport")[0].verdict,
            Verdict::Suspicious
        );
        let m = scan(&idx, "PalmerReport2024");
        assert_eq!(m[0].verdict, Verdict::Suspicious);
        assert!(
            m[0].reasons[0]
                .detail
                .ends_with("with digits 2024 added at the end"),
            "{m:?}"
        );
        // An affix or an edit beside a look-alike character: the intent shows.
        let m = scan(&idx, "Real_PaImerReport");
        assert_eq!(m[0].verdict, Verdict::Impostor, "{m:?}");
        assert!(
            m[0].reasons[1].detail.contains("capital I (U+0049)"),
            "{m:?}"
        );
        assert_eq!(scan(&idx, "PaImerReportt")[0].verdict, Verdict::Impostor);
        assert_eq!(scan(&idx, "PalmerRepotr")[0].verdict, Verdict::Suspicious);
        assert_eq!(scan(&idx, "PalmerReprt")[0].verdict, Verdict::Suspicious);
        assert_eq!(scan(&idx, "PalmerReportt")[0].verdict, Verdict::Suspicious);
        assert_eq!(scan(&idx, "PalmerRepart")[0].verdict, Verdict::Suspicious);
        // Own handles, unrelated and two-edit names are no match.
        assert!(scan(&idx, "@PalmerReport").is_empty());
        assert!(scan(&idx, "palmerreport").is_empty());
        assert!(scan(&idx, "palmerreport.com").is_empty());
        assert!(scan(&idx, "ParkerReport").is_empty());
        assert!(scan(&idx, "jane_doe").is_empty());
        // A line far longer than any handle is skipped, not folded.
        assert!(scan(&idx, &format!("PaImerReport.{}", "a".repeat(MAX_LINE))).is_empty());
    }

    #[test]
    fn edits_that_make_or_break_merged_pairs_are_one_edit() {
        let idx = HandleIndex::new(&[
            identity("Wenzel", &[(Platform::X, "FenriWenzel")]),
            identity("Clara", &[(Platform::X, "ClaraPalmer")]),
            identity("Zormin", &[(Platform::X, "ZorminKavo")]),
            identity("Johnny", &[(Platform::X, "JohnnyDepp")]),
        ]);
        // e for c before l makes "cl", which the look-alike key reads as d.
        let m = scan(&idx, "FenriWenzcl");
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].verdict, Verdict::Suspicious);
        assert!(
            m[0].reasons[0].detail.contains("has c where yours has e"),
            "{m:?}"
        );
        // l for x breaks "cl".
        assert_eq!(scan(&idx, "CxaraPalmer")[0].identity, "Clara");
        // The look-alike itself still reads the same.
        assert_eq!(scan(&idx, "DaraPalmer")[0].verdict, Verdict::Impostor);
        // nn for m and m for nn: a weak look-alike.
        let m = scan(&idx, "ZornninKavo");
        assert_eq!(m[0].verdict, Verdict::Suspicious, "{m:?}");
        assert!(
            m[0].reasons[0].detail.contains("\"nn\" where yours has m"),
            "{m:?}"
        );
        let m = scan(&idx, "JohmyDepp");
        assert_eq!(m[0].identity, "Johnny", "{m:?}");
        assert!(
            m[0].reasons[0].detail.contains("m where yours has \"nn\""),
            "{m:?}"
        );
        assert!(scan(&idx, "JohnnyDepp").is_empty());
        // Another nn nearby must not spoil the reading ("knninnix": only the first is m).
        let idx = HandleIndex::new(&[identity("K", &[(Platform::X, "KaeskminNixdun")])]);
        assert_eq!(scan(&idx, "KaesknninNixdun").len(), 1);
    }

    #[test]
    fn arbitrary_lines_never_panic() {
        let idx = HandleIndex::new(&[
            identity(
                "Palmer Report",
                &[
                    (Platform::X, "PalmerReport"),
                    (Platform::Bluesky, "palmerreport.com"),
                    (Platform::Mastodon, "PalmerReport@mastodon.social"),
                ],
            ),
            identity(
                "Long",
                &[(Platform::Other("forum".into()), &"n".repeat(300))],
            ),
        ]);
        let pieces: &[&str] = &[
            "official",
            "real",
            "the",
            "hq",
            "PaImer",
            "Report",
            "rn",
            "nn",
            "cl",
            "vv",
            "0",
            "1",
            "2024",
            "_",
            ".",
            "-",
            "@",
            "xn--",
            "\u{0430}",
            "\u{200B}",
            "\u{0301}",
            "Ｐ",
            "bsky.social",
            "n",
            "\u{202E}",
            "é",
        ];
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let mut line = String::new();
            for _ in 0..len {
                line.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            if next() % 50 == 0 {
                line = line.repeat(30);
            }
            index_line(&idx, &line, &mut scratch, &mut out);
        }
        // Byte soup, including invalid UTF-8.
        for _ in 0..5_000 {
            let len = (next() % 64) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            idx.scan_line(&bytes, &mut scratch, &mut out);
        }
    }

    fn index_line(
        idx: &HandleIndex,
        line: &str,
        scratch: &mut Scratch,
        out: &mut Vec<HandleMatch>,
    ) {
        idx.scan_line(line.as_bytes(), scratch, out);
        out.clear();
    }

    #[test]
    fn short_handles_match_only_on_equal_keys() {
        let idx = HandleIndex::new(&[identity("CNN", &[(Platform::X, "CNN")])]);
        assert_eq!(scan(&idx, "CNN").len(), 0);
        assert_eq!(scan(&idx, "CNM").len(), 0);
        assert_eq!(scan(&idx, "CNNN").len(), 0);
        assert_eq!(scan(&idx, "CNN1").len(), 0);
        assert_eq!(scan(&idx, "C_NN")[0].verdict, Verdict::Suspicious);
    }
}
