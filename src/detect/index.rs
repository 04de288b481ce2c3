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
//! deletions come from one pass over the key (polynomial hashing, one multiply-add per
//! deletion: [`probes`]), so no string is built per deletion; a hit is confirmed by a bounded
//! edit distance on the keys.
//!
//! The index only finds candidates. Every confirmed candidate is judged by the same
//! [`Detector`] that `score` uses, on the handle alone, so `scan-handles` and `score` give the
//! same verdict and the same reasons for the same handle; clear ones are not printed. Cores
//! shorter than [`MIN_EDIT_LEN`] match only on an equal key.

use std::io::{self, Read, Write};

use chrono::Utc;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::handles::AFFIXES;
use super::score::Detector;
use super::{Reason, Verdict};
use crate::identity::{HandleShape, Identity, Platform};
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
/// The filter's 64-bit words.
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);
/// The bit filter: a fixed size, so its indices need no bounds check.
type Filter = [u64; FILTER_WORDS];

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

mod keys;
mod probes;
pub use keys::{fold_ascii_into, fold_ascii_unmerged_into, fold_unicode_into, handle_key};
use keys::{leet_into, nn_as_m_at, nn_positions};
use probes::Probes;

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

/// The registered platform whose handles have `shape` (an unnamed one when none has).
fn platform_of(shape: HandleShape) -> Platform {
    Platform::with_handle_shape(shape).unwrap_or_else(|| Platform::Other(String::new()))
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
    probes: Probes,
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
    filter: Box<Filter>,
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
                .find(|p| {
                    !matches!(
                        p.handle_rules().shape,
                        HandleShape::Domain | HandleShape::Fediverse
                    )
                })
                .unwrap_or_else(|| platform_of(HandleShape::Username));
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
        let mut filter: Box<Filter> = Box::new([0u64; FILTER_WORDS]);
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
        self.postings_of(key)
    }

    /// Targets stored under a table key (past the filter).
    #[inline]
    fn postings_of(&self, key: u64) -> &[u32] {
        match self.table.get(&key) {
            Some(&(start, count)) => &self.postings[start as usize..(start + count) as usize],
            None => &[],
        }
    }

    /// Pushes the targets whose key is within `max` edits of `key` (`max` 0, 1 or 2; forms
    /// other than the plain key and the unmerged one only ever match exactly).
    fn lookup(&self, key: &[u8], max: usize, probes: &mut Probes, hits: &mut Vec<u32>) {
        let n = key.len();
        if n == 0 || n > MAX_EDIT_LEN + 2 {
            return;
        }
        let singles = max > 0 && n + 1 >= MIN_EDIT_LEN && n <= MAX_EDIT_LEN;
        let pairs = singles && max >= 2 && n >= TWO_EDIT_LEN;
        for &probe in probes.collect(key, singles, pairs, &self.filter) {
            for &t in self.postings_of(probe) {
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
                if (exact || (edits_allowed && within(key, &target.key, allowed)))
                    && !hits.contains(&t)
                {
                    hits.push(t);
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
        probes: &mut Probes,
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
                self.lookup(sub, 1, probes, hits);
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
            probes,
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
        self.lookup(key, 2, probes, hits);
        if key.len() > MIN_EDIT_LEN {
            for pos in nn_positions(key) {
                nn_as_m_at(key, pos, alt);
                self.lookup(alt, 0, probes, hits);
            }
        }
        let digits = core.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        self.lookup_affixes(key, digits.min(key.len()), sub, probes, hits);
        if merges {
            // Merges hide edits and affix seams (`ledger`+`news` reads `ledgemews`).
            alt.clear();
            fold_ascii_unmerged_into(core, alt);
            self.lookup(alt, 2, probes, hits);
            self.lookup_affixes(alt, digits.min(alt.len()), sub, probes, hits);
        }
        if shape == Shape::Plain && core.len() == TRUNCATED_LEN {
            self.lookup_truncated(key, prefix, hits);
        }
        leet_into(key, leet);
        if leet != key {
            self.lookup(leet, 0, probes, hits);
            if key.iter().any(|b| matches!(b, b'3'..=b'9' | b'@' | b'$')) {
                self.lookup_affixes(leet, 0, sub, probes, hits);
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
            Shape::Domain => platform_of(HandleShape::Domain),
            Shape::Fediverse => platform_of(HandleShape::Fediverse),
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

mod naive;
pub use naive::NaiveScanner;

#[cfg(test)]
mod tests;
