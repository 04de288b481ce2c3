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
//!
//! This module owns the public list ([`variants`]) and how a full handle is put back together
//! per handle shape; what each platform accepts comes from its handle rules
//! ([`Platform::handle_rules`], supplied by the platform's module), [`fuzzers`] makes the ranked
//! variants of the varied part and [`tables`] holds the look-alike and keyboard tables. It must
//! never look anything up: it only makes candidate handles.

mod fuzzers;
mod tables;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::identity::{validate_handle, HandleRules, HandleShape, Platform};
use fuzzers::{core_variants, TIER};
pub use tables::ascii_uts39_pairs;

/// One look-alike handle and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub handle: String,
    /// The fuzzer that made it: `homoglyph`, `addition`, `omission`, `repetition`,
    /// `transposition`, `separator`, `affix`, `vowel_swap`, `keyboard`, `confusable`,
    /// `other_server` (Mastodon), `bsky_social` (Bluesky custom domain copied under bsky.social:
    /// the hosting's kind from the platform's rules), `tld_swap` (Bluesky custom domain under
    /// another top-level domain).
    pub kind: String,
}

/// Longest handle (whole, with server or domain) that gets variants.
pub const MAX_HANDLE_CHARS: usize = 253;

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
    let rules = platform.handle_rules();
    match rules.shape {
        HandleShape::Domain => domain_variants(&canonical, &rules, &mut out),
        HandleShape::Fediverse => fediverse_variants(&canonical, &rules, &mut out),
        HandleShape::Username | HandleShape::Loose => {
            for c in core_variants(&canonical, &rules.charset) {
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

/// Domain handles (Bluesky): the first label varies; a custom domain is also copied under the
/// platform's free hosting domain (`bsky.social`), where anyone can register, and its variants
/// are tried there first.
fn domain_variants(handle: &str, rules: &HandleRules, out: &mut Ranked) {
    let (label, parent) = handle.split_once('.').unwrap_or((handle, ""));
    let label_rules = rules.charset;
    let custom = !rules.hosted.is_some_and(|hosted| parent == hosted.suffix);
    if let Some(hosted) = rules.hosted {
        if custom {
            out.push(0, format!("{label}.{}", hosted.suffix), hosted.kind);
        }
        for c in core_variants(label, &hosted.charset) {
            out.push(c.rank, format!("{}.{}", c.core, hosted.suffix), c.kind);
        }
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

/// Fediverse handles (Mastodon): username variants on the same server, and the same username
/// on the platform's big servers.
fn fediverse_variants(handle: &str, rules: &HandleRules, out: &mut Ranked) {
    let Some((user, server)) = handle.split_once('@') else {
        return;
    };
    for (k, other) in rules.big_servers.iter().enumerate() {
        if *other != server {
            // After the I/l and rn/m look-alikes, before 0/O: an exact copy elsewhere is the
            // commonest Mastodon impersonation.
            out.push(75 + k as u32, format!("{user}@{other}"), "other_server");
        }
    }
    for c in core_variants(user, &rules.charset) {
        out.push(c.rank, format!("{}@{server}", c.core), c.kind);
    }
}
