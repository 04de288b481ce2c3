//! The skeleton index behind `scan-handles`: finds, in a stream of millions of handles, those
//! that imitate one of the protected identities, at a cost per handle that does not grow with
//! the number of identities.
//!
//! Every handle is reduced to its *core* (an X handle, a Bluesky handle's first label, a
//! Mastodon username) and the core to a *key*: lowercase, look-alikes folded (`I`/`1`→`l`,
//! `0`→`o`, `rn`→`m`, `vv`→`w`, `cl`→`d`, other scripts through UTS #39), separators dropped.
//! The index maps hashes of the identities' keys, of each key with one character deleted and of
//! long keys with two deleted (the symmetric-delete neighbourhood) to the handles they come
//! from. A scanned key is looked up as it is, with each character deleted and, when long enough
//! to be two edits from a long handle, with each pair deleted (a bit filter in cache turns most
//! of those away before the table is touched), whatever the number of identities; then without
//! the affix words of [`super::handles`] and trailing digits, with digits written for letters
//! read back, without the `rn`/`vv`/`cl` merges, and with `nn` read as `m`. Hashes of all
//! deletions come from one prefix-hash pass (polynomial hashing), so no string is built per
//! deletion; a hit is confirmed by a bounded edit distance on the keys.
//!
//! The index only finds candidates. Every confirmed candidate is judged by the same
//! [`Detector`] that `score` uses, on the handle alone, so `scan-handles` and `score` give the
//! same verdict and the same reasons for the same handle; clear ones are not printed. Cores
//! shorter than [`MIN_EDIT_LEN`] match only on an equal key.

use std::io::{self, Read, Write};

use chrono::Utc;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::confusables::confusable_skeleton;
use super::handles::AFFIXES;
use super::score::Detector;
use super::{Reason, Signal, Verdict};
use crate::identity::{Identity, Platform};
use crate::profile::Profile;

/// Keys shorter than this match only when equal (no edits, no affixes).
pub const MIN_EDIT_LEN: usize = 5;
/// Keys from this length on are looked up two edits away (as `score` allows two edits from
/// handles of nine characters or more).
pub const TWO_EDIT_LEN: usize = 9;
/// Keys longer than this match only when equal (no handle platform allows longer cores
/// except Bluesky domains; it also bounds the hash tables below).
pub const MAX_EDIT_LEN: usize = 64;

/// Lines longer than this are no handle (domain names stop at 253 bytes): skipped unread, so a
/// hostile line cannot make one handle cost more than a few microseconds.
pub const MAX_LINE: usize = 1024;

/// Polynomial hash base: odd, so powers never vanish modulo 2^64.
const BASE: u64 = 0x9E37_79B9_7F4A_7C15;
/// X's handle length limit: a copy with an affix gets cut there.
const TRUNCATED_LEN: usize = 15;
/// Marks table entries that hold a key's leading characters (for cut copies).
const PREFIX_TAG: u64 = 1 << 56;
/// Bits of the filter in front of the table (2^22 bits = 512 KiB).
const FILTER_BITS: u32 = 22;

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

/// Which form of a key an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The look-alike key.
    Merged,
    /// The key without `rn`/`vv`/`cl` merges (an `e` → `c` before `l` is one edit there).
    Unmerged,
    /// The key with one `nn` read as `m`: matched exactly only.
    NnAsM,
    /// The key with digits and symbols written for letters read back (`p4lm3r` → `palmer`) and
    /// `i`/`l`, `q`/`g` made one: matched exactly only.
    Leet,
}

/// One of the person's handles as the index knows it (one entry per key form).
#[derive(Debug, Clone)]
struct Target {
    identity: u32,
    key: Vec<u8>,
    form: Form,
}

/// Reusable buffers so scanning allocates nothing per handle.
#[derive(Default)]
pub struct Scratch {
    key: Vec<u8>,
    alt: Vec<u8>,
    leet: Vec<u8>,
    sub: Vec<u8>,
    prefix: Vec<u64>,
    hits: Vec<u32>,
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

/// One identity: the detector that judges candidates, and the platform a plain handle (no
/// domain, no server) is taken to be on.
struct Judge {
    name: String,
    detector: Detector,
    plain_platform: Platform,
}

/// The index over the identities' handle keys; build once, scan many handles.
pub struct HandleIndex {
    judges: Vec<Judge>,
    targets: Vec<Target>,
    /// Hash → range in `postings`. Fx: the keys are already uniformly mixed u64 hashes of the
    /// person's own handles (not attacker-chosen), so SipHash's flood resistance buys nothing
    /// and costs several times the lookup time.
    table: FxHashMap<u64, (u32, u32)>,
    /// Target indices.
    postings: Vec<u32>,
    /// One bit per table key (hashed): most lookups of a scanned handle end here, in cache.
    filter: Vec<u64>,
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

/// Hash of `key` without bytes `i < j`.
#[inline]
fn pair_deletion_hash(prefix: &[u64], i: usize, j: usize) -> u64 {
    let n = prefix.len() - 1;
    let mid = range_hash(prefix, i + 1, j);
    let tail = range_hash(prefix, j + 1, n);
    prefix[i]
        .wrapping_mul(POW[n - 2 - i])
        .wrapping_add(mid.wrapping_mul(POW[n - 1 - j]))
        .wrapping_add(tail)
}

/// Mixes the key length in, so that keys of different lengths never share a bucket by accident.
#[inline]
fn table_key(hash: u64, len: usize) -> u64 {
    hash ^ ((len as u64) << 57)
}

#[inline]
fn filter_bit(key: u64) -> (usize, u64) {
    let h = key.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> (64 - FILTER_BITS);
    ((h >> 6) as usize, 1u64 << (h & 63))
}

/// True when the optimal string alignment distance of `a` and `b` is at most `max` (banded).
fn within(a: &[u8], b: &[u8], max: usize) -> bool {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return false;
    }
    const FAR: usize = usize::MAX / 2;
    let mut prev2 = vec![FAR; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![FAR; m + 1];
    for i in 1..=n {
        cur.iter_mut().for_each(|c| *c = FAR);
        cur[0] = i;
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        let mut best = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            best = best.min(v);
        }
        if best > max {
            return false;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= max
}

/// The key with digits and symbols written for letters read back, and the letter pairs fonts
/// draw alike made one (`i`/`l`, `q`/`g`), into `out` (cleared first).
fn leet_into(key: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(key.iter().map(|&b| match b {
        b'3' => b'e',
        b'4' | b'@' => b'a',
        b'5' | b'$' => b's',
        b'7' => b't',
        b'8' | b'6' => b'b',
        b'9' | b'q' => b'g',
        b'i' | b'!' => b'l',
        other => other,
    }));
}

/// The affix words as folded keys, by their first byte and by their last byte.
struct AffixKeys {
    by_first: Vec<Vec<Vec<u8>>>,
    by_last: Vec<Vec<Vec<u8>>>,
}

fn affix_keys() -> &'static AffixKeys {
    static KEYS: std::sync::OnceLock<AffixKeys> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = AffixKeys {
            by_first: vec![Vec::new(); 256],
            by_last: vec![Vec::new(); 256],
        };
        for affix in AFFIXES {
            let k = handle_key(affix).into_bytes();
            if let (Some(&first), Some(&last)) = (k.first(), k.last()) {
                keys.by_first[first as usize].push(k.clone());
                keys.by_last[last as usize].push(k);
            }
        }
        keys
    })
}

impl HandleIndex {
    /// Indexes every handle of every identity.
    pub fn new(identities: &[Identity]) -> HandleIndex {
        let mut targets = Vec::new();
        let mut judges = Vec::new();
        for (i, identity) in identities.iter().enumerate() {
            let plain_platform = identity
                .handles
                .iter()
                .map(|h| h.platform.clone())
                .find(|p| !matches!(p, Platform::Bluesky | Platform::Mastodon))
                .unwrap_or(Platform::X);
            judges.push(Judge {
                name: identity.name.clone(),
                detector: Detector::new(identity.clone(), None),
                plain_platform,
            });
            for account in &identity.handles {
                let handle = account.handle.trim_start_matches('@');
                let (core, _) = core_of(handle.as_bytes());
                let core = String::from_utf8_lossy(core).into_owned();
                let key = handle_key(&core).into_bytes();
                if key.is_empty() {
                    continue;
                }
                let mut forms = vec![(Form::Merged, key.clone())];
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
                let mut leet = Vec::new();
                leet_into(&key, &mut leet);
                forms.push((Form::Leet, leet));
                for (form, key) in forms {
                    targets.push(Target {
                        identity: i as u32,
                        key,
                        form,
                    });
                }
            }
        }
        let mut entries: Vec<(u64, u32)> = Vec::new();
        let mut prefix = Vec::new();
        for (t, target) in targets.iter().enumerate() {
            let key = &target.key;
            let n = key.len();
            prefix_hashes(key, &mut prefix);
            entries.push((table_key(prefix[n], n), t as u32));
            let edits = matches!(target.form, Form::Merged | Form::Unmerged);
            if !edits || !(MIN_EDIT_LEN..=MAX_EDIT_LEN).contains(&n) {
                continue;
            }
            for i in 0..n {
                entries.push((table_key(deletion_hash(&prefix, i), n - 1), t as u32));
            }
            if target.form == Form::Merged {
                for (len, &hash) in prefix.iter().enumerate().take(n).skip(8) {
                    entries.push((table_key(hash, len) ^ PREFIX_TAG, t as u32));
                }
            }
            if n >= TWO_EDIT_LEN {
                for i in 0..n {
                    for j in i + 1..n {
                        entries.push((
                            table_key(pair_deletion_hash(&prefix, i, j), n - 2),
                            t as u32,
                        ));
                    }
                }
            }
        }
        entries.sort_unstable();
        entries.dedup();
        let mut table = FxHashMap::default();
        let mut postings = Vec::with_capacity(entries.len());
        let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
        let mut k = 0;
        while k < entries.len() {
            let h = entries[k].0;
            let start = postings.len() as u32;
            while k < entries.len() && entries[k].0 == h {
                postings.push(entries[k].1);
                k += 1;
            }
            table.insert(h, (start, postings.len() as u32 - start));
            let (word, bit) = filter_bit(h);
            filter[word] |= bit;
        }
        HandleIndex {
            judges,
            targets,
            table,
            postings,
            filter,
        }
    }

    /// Number of indexed key forms.
    pub fn handle_count(&self) -> usize {
        self.targets.len()
    }

    /// Targets stored under `hash` of a key of `len` bytes.
    #[inline]
    fn postings(&self, hash: u64, len: usize) -> &[u32] {
        let key = table_key(hash, len);
        let (word, bit) = filter_bit(key);
        if self.filter[word] & bit == 0 {
            return &[];
        }
        match self.table.get(&key) {
            Some(&(start, count)) => &self.postings[start as usize..(start + count) as usize],
            None => &[],
        }
    }

    /// Pushes the targets whose key is within `max` edits of `key` (`max` 0, 1 or 2; forms
    /// other than the plain key and the unmerged one only ever match exactly).
    fn lookup(&self, key: &[u8], max: usize, prefix: &mut Vec<u64>, hits: &mut Vec<u32>) {
        let n = key.len();
        if n == 0 || n > MAX_EDIT_LEN + 2 {
            return;
        }
        prefix_hashes(key, prefix);
        let confirm = |t: u32, hits: &mut Vec<u32>| {
            let target = &self.targets[t as usize];
            let exact = target.key == key;
            let edits_allowed = matches!(target.form, Form::Merged | Form::Unmerged)
                && target.key.len() >= MIN_EDIT_LEN
                && max > 0;
            let allowed = if target.key.len() >= TWO_EDIT_LEN {
                max
            } else {
                max.min(1)
            };
            if (exact || (edits_allowed && within(key, &target.key, allowed))) && !hits.contains(&t)
            {
                hits.push(t);
            }
        };
        for &t in self.postings(prefix[n], n) {
            confirm(t, hits);
        }
        if max == 0 || n + 1 < MIN_EDIT_LEN || n > MAX_EDIT_LEN {
            return;
        }
        for i in 0..n {
            for &t in self.postings(deletion_hash(prefix, i), n - 1) {
                confirm(t, hits);
            }
        }
        if max < 2 || n < TWO_EDIT_LEN {
            return;
        }
        for i in 0..n {
            for j in i + 1..n {
                for &t in self.postings(pair_deletion_hash(prefix, i, j), n - 2) {
                    confirm(t, hits);
                }
            }
        }
    }

    /// Looks the key up without affix words at either end and without trailing digits as typed
    /// (`digits` bytes of the key), exactly and one edit away.
    fn lookup_affixes(
        &self,
        key: &[u8],
        digits: usize,
        sub: &mut Vec<u8>,
        prefix: &mut Vec<u64>,
        hits: &mut Vec<u32>,
    ) {
        let n = key.len();
        if !(4..=MAX_EDIT_LEN).contains(&n) {
            return;
        }
        let mut starts = [0usize; 3];
        let mut ns = 1;
        let mut ends = [n; 6];
        let mut ne = 1;
        let words = affix_keys();
        for w in &words.by_first[key[0] as usize] {
            if ns < starts.len() && n >= w.len() + 3 && key.starts_with(w) {
                starts[ns] = w.len();
                ns += 1;
            }
        }
        for w in &words.by_last[key[n - 1] as usize] {
            if ne < 3 && n >= w.len() + 3 && key.ends_with(w) {
                ends[ne] = n - w.len();
                ne += 1;
            }
        }
        if digits > 0 && digits < n {
            ends[ne] = n - digits;
            ne += 1;
        }
        // A number before a stripped word (`ben9-team`): digits show as digits, `o` and `l`.
        for k in 1..ne.min(3) {
            let e = ends[k];
            let run = key[..e]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_digit() || matches!(b, b'o' | b'l'))
                .count()
                .min(4);
            if run > 0 && e - run >= 3 && ne < ends.len() {
                ends[ne] = e - run;
                ne += 1;
            }
        }
        for &a in &starts[..ns] {
            for &b in &ends[..ne] {
                if (a == 0 && b == n) || b <= a || b - a < 3 {
                    continue;
                }
                sub.clear();
                sub.extend_from_slice(&key[a..b]);
                self.lookup(sub, 1, prefix, hits);
            }
        }
    }

    /// X cuts handles at 15 characters: an affix word before the first 8 or more characters of
    /// a long handle fills the limit (`RealGideonAbern`).
    fn lookup_truncated(&self, key: &[u8], prefix: &mut Vec<u64>, hits: &mut Vec<u32>) {
        let n = key.len();
        let words = affix_keys();
        prefix_hashes(key, prefix);
        for w in &words.by_first[key[0] as usize] {
            if !key.starts_with(w) || n < w.len() + 8 {
                continue;
            }
            let a = w.len();
            for &t in self.postings(range_hash(prefix, a, n) ^ PREFIX_TAG, n - a) {
                let target = &self.targets[t as usize];
                if target.key.starts_with(&key[a..]) && !hits.contains(&t) {
                    hits.push(t);
                }
            }
        }
    }

    /// Scans one line (a handle, maybe with a leading `@` and surrounding spaces) and appends
    /// the identities it imitates, as `score` judges them, to `out`. Non-UTF-8 lines give
    /// nothing.
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
        let ascii = line.is_ascii();
        if !ascii && std::str::from_utf8(line).is_err() {
            return;
        }
        // An IDN homograph arrives as punycode (`xn--pImer-...`): judge what it displays.
        if ascii && memchr::memmem::find(line, b"xn--").is_some() {
            if let Some(decoded) = decode_punycode(line) {
                let start = out.len();
                self.scan_line(decoded.as_bytes(), scratch, out);
                // Printed as it was read, so it can be found in the input.
                for m in &mut out[start..] {
                    m.handle = String::from_utf8_lossy(line).into_owned();
                }
                return;
            }
        }
        let (core, shape) = core_of(line);
        let Scratch {
            key,
            alt,
            leet,
            sub,
            prefix,
            hits,
        } = scratch;
        hits.clear();
        key.clear();
        let merges = if ascii {
            fold_ascii_into(core, key)
        } else {
            fold_unicode_into(&String::from_utf8_lossy(core), key);
            false
        };
        if key.is_empty() {
            return;
        }
        self.lookup(key, 2, prefix, hits);
        if key.len() > MIN_EDIT_LEN {
            for pos in nn_positions(key) {
                nn_as_m_at(key, pos, alt);
                self.lookup(alt, 0, prefix, hits);
            }
        }
        let digits = core.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        self.lookup_affixes(key, digits.min(key.len()), sub, prefix, hits);
        if merges {
            // Merges hide edits and affix seams (`ledger`+`news` reads `ledgemews`).
            alt.clear();
            fold_ascii_unmerged_into(core, alt);
            self.lookup(alt, 2, prefix, hits);
            self.lookup_affixes(alt, digits.min(alt.len()), sub, prefix, hits);
        }
        if shape == Shape::Plain && core.len() == TRUNCATED_LEN {
            self.lookup_truncated(key, prefix, hits);
        }
        leet_into(key, leet);
        if leet != key {
            self.lookup(leet, 0, prefix, hits);
            if key.iter().any(|b| matches!(b, b'3'..=b'9' | b'@' | b'$')) {
                self.lookup_affixes(leet, 0, sub, prefix, hits);
            }
        }
        if hits.is_empty() {
            return;
        }
        // Hits are rare: from here on, clarity over speed.
        let text = String::from_utf8_lossy(line).into_owned();
        let mut identities: Vec<u32> = hits
            .iter()
            .map(|&t| self.targets[t as usize].identity)
            .collect();
        identities.sort_unstable();
        identities.dedup();
        for identity in identities {
            if let Some(m) = self.judge(&text, shape, identity) {
                out.push(m);
            }
        }
    }

    /// What `score` says of `handle` alone against one identity; `None` when it is clear.
    fn judge(&self, handle: &str, shape: Shape, identity: u32) -> Option<HandleMatch> {
        let judge = &self.judges[identity as usize];
        let platform = match shape {
            Shape::Plain => judge.plain_platform.clone(),
            Shape::Domain => Platform::Bluesky,
            Shape::Fediverse => Platform::Mastodon,
        };
        let profile = Profile {
            platform,
            handle: handle.to_string(),
            ..Profile::default()
        };
        let assessment = judge.detector.assess(&profile, None, Utc::now());
        (assessment.verdict != Verdict::Clear).then(|| HandleMatch {
            handle: handle.to_string(),
            identity: judge.name.clone(),
            verdict: assessment.verdict,
            reasons: assessment.reasons,
        })
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
    use crate::detect::Signal;
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

    /// What `score` says of the handle alone (platform from its shape), as scan-handles does.
    fn scored(identity: &Identity, handle: &str) -> Verdict {
        let handle = handle.trim_start_matches('@');
        let platform = match core_of(handle.as_bytes()).1 {
            Shape::Plain => Platform::X,
            Shape::Domain => Platform::Bluesky,
            Shape::Fediverse => Platform::Mastodon,
        };
        let profile = Profile {
            platform,
            handle: handle.to_string(),
            ..Profile::default()
        };
        Detector::new(identity.clone(), None)
            .assess(&profile, None, Utc::now())
            .verdict
    }

    fn verdict(index: &HandleIndex, handle: &str) -> Verdict {
        let m = scan(index, handle);
        assert!(m.len() <= 1, "{m:?}");
        m.first().map_or(Verdict::Clear, |m| m.verdict)
    }

    #[test]
    fn attack_families_are_found_and_judged_as_score_judges_them() {
        let palmer = identity(
            "Palmer Report",
            &[
                (Platform::X, "PalmerReport"),
                (Platform::Bluesky, "palmerreport.com"),
            ],
        );
        let idx = HandleIndex::new(std::slice::from_ref(&palmer));
        let m = scan(&idx, "PaImerReport");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].verdict, Verdict::Impostor);
        assert!(
            m[0].reasons[0]
                .detail
                .contains("capital I (U+0049) where yours has l (U+006C), 3rd character"),
            "{m:?}"
        );
        let m = scan(&idx, "PalmerReport56591705");
        assert!(
            m[0].reasons[0].detail.contains("\"56591705\" added"),
            "{m:?}"
        );
        for (handle, expected) in [
            ("palmerreport.bsky.social", Verdict::Suspicious),
            ("PalrnerReport", Verdict::Impostor),
            ("Palmer_Report", Verdict::Suspicious),
            ("RealPalmerReport", Verdict::Suspicious),
            ("PalmerReport2024", Verdict::Suspicious),
            ("Real_PaImerReport", Verdict::Impostor),
            ("PaImerReportt", Verdict::Impostor),
            // Typing slips, one or two, and an affix beside one.
            ("PalmerRepotr", Verdict::Impostor),
            ("PalmerReprt", Verdict::Impostor),
            ("PalmerReportt", Verdict::Impostor),
            ("PalmreRepprt", Verdict::Impostor),
            ("ThePalmerRepot", Verdict::Impostor),
            ("P4lm3rR3port", Verdict::Impostor),
            // Another initial may be another person: worth a look.
            ("TalmerReport", Verdict::Suspicious),
            // Own handles, unrelated and far names are no match.
            ("@PalmerReport", Verdict::Clear),
            ("palmerreport", Verdict::Clear),
            ("palmerreport.com", Verdict::Clear),
            ("jane_doe", Verdict::Clear),
        ] {
            assert_eq!(verdict(&idx, handle), expected, "{handle}");
            assert_eq!(scored(&palmer, handle), expected, "score on {handle}");
        }
        // A line far longer than any handle is skipped, not folded.
        assert!(scan(&idx, &format!("PaImerReport.{}", "a".repeat(MAX_LINE))).is_empty());
    }

    #[test]
    fn edits_that_make_or_break_merged_pairs_are_found() {
        let ids = [
            identity("Wenzel", &[(Platform::X, "FenriWenzel")]),
            identity("Clara", &[(Platform::X, "ClaraPalmer")]),
            identity("Zormin", &[(Platform::X, "ZorminKavo")]),
            identity("Johnny", &[(Platform::X, "JohnnyDepp")]),
            identity("K", &[(Platform::X, "KaeskminNixdun")]),
        ];
        let idx = HandleIndex::new(&ids);
        for (handle, who) in [
            ("FenriWenzcl", 0),
            ("CxaraPalmer", 1),
            ("DaraPalmer", 1),
            ("ZornninKavo", 2),
            ("JohmyDepp", 3),
            ("KaesknninNixdun", 4),
        ] {
            let m = scan(&idx, handle);
            let expected = scored(&ids[who], handle);
            assert_ne!(expected, Verdict::Clear, "{handle}");
            assert_eq!(m.len(), 1, "{handle}: {m:?}");
            assert_eq!(
                (m[0].identity.as_str(), m[0].verdict),
                (ids[who].name.as_str(), expected),
                "{handle}"
            );
        }
        assert!(scan(&idx, "JohnnyDepp").is_empty());
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
    fn short_handles_match_only_on_equal_keys_or_affixes() {
        let idx = HandleIndex::new(&[identity("CNN", &[(Platform::X, "CNN")])]);
        assert_eq!(scan(&idx, "CNN").len(), 0);
        assert_eq!(scan(&idx, "CNM").len(), 0);
        assert_eq!(scan(&idx, "CNNN").len(), 0);
        // A number added is an affix, as score sees it.
        assert_eq!(scan(&idx, "CNN1")[0].verdict, Verdict::Suspicious);
        assert_eq!(scan(&idx, "C_NN")[0].verdict, Verdict::Suspicious);
    }

    #[test]
    fn within_counts_optimal_string_alignment_edits() {
        assert!(within(b"palmerreport", b"palmerreport", 0));
        assert!(within(b"palmerrepotr", b"palmerreport", 1));
        assert!(within(b"palmrerepprt", b"palmerreport", 2));
        assert!(!within(b"parkerreport", b"palmerreport", 1));
        assert!(within(b"parkerreport", b"palmerreport", 2));
        assert!(!within(b"jane", b"palmerreport", 2));
    }

    #[test]
    fn pair_deletion_hashes_match_built_strings() {
        let key = b"palmerreport";
        let mut prefix = Vec::new();
        prefix_hashes(key, &mut prefix);
        for i in 0..key.len() {
            for j in i + 1..key.len() {
                let d: Vec<u8> = key
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i && *k != j)
                    .map(|(_, b)| *b)
                    .collect();
                let mut p2 = Vec::new();
                prefix_hashes(&d, &mut p2);
                assert_eq!(pair_deletion_hash(&prefix, i, j), p2[d.len()], "{i} {j}");
            }
        }
    }
}
