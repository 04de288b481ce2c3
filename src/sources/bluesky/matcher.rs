//! The live matcher: is this Jetstream profile record worth confirming for this identity?
//!
//! It runs on every profile event of the network, so it is cheap and deliberately generous:
//! a hit only costs one `getProfiles` call, after which the real detector judges. Names are
//! compared as *folded* text (UTS #39 confusable skeleton, lowercased, letters and digits only),
//! so `PaImer Report`, `Palmer  Report ✓` and `Pаlmer Report` (Cyrillic а) all fold to the same
//! string as `Palmer Report`.

use std::collections::HashSet;

use unicode_security::confusable_detection::skeleton;

use super::parse::ProfileRecord;
use crate::identity::Identity;

/// Why a record is worth confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveHint {
    /// The avatar blob is byte-identical to the person's own (same CID).
    AvatarCopy,
    /// The display name folds to (or closely to, or contains) one of the person's names.
    Name,
    /// The description copies the start of the person's bio.
    Bio,
    /// A new handle looks like one of the person's handles.
    Handle,
}

/// Folded names shorter than this are only matched exactly (a 3-letter name is everywhere).
const MIN_CONTAINED_LEN: usize = 6;
/// Folded bio prefix that a copied description must contain.
const BIO_PREFIX_CHARS: usize = 32;

/// A matcher prepared for one identity.
#[derive(Debug, Clone, Default)]
pub struct LiveMatcher {
    own_dids: HashSet<String>,
    own_avatar_cids: HashSet<String>,
    /// Folded names and handle stems.
    names: Vec<String>,
    /// Folded start of the bio, when the bio is long enough to be distinctive.
    bio_prefix: Option<String>,
    /// Folded stems of the person's handles on any platform (`palmerreport`).
    handle_stems: Vec<String>,
}

/// Letters and digits of the confusable skeleton, lowercased, with `i` read as `l`: what a
/// reader's eye sees. (The skeleton is case-sensitive, `I` becomes `l` but `i` stays, so
/// `BILL` and `Bill` only meet once `i` is folded too.)
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in skeleton(text) {
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                out.push(if lower == 'i' { 'l' } else { lower });
            }
        }
    }
    out
}

/// The first label of a domain handle, or a username: the part a look-alike imitates.
fn handle_stem(handle: &str) -> &str {
    let bare = handle.trim_start_matches('@');
    let user = bare.split('@').next().unwrap_or(bare);
    user.split('.').next().unwrap_or(user)
}

impl LiveMatcher {
    /// Prepares a matcher; `own_dids` and `own_avatar_cids` are the person's own Bluesky
    /// accounts and their avatar blob CIDs (never reported as copies).
    pub fn new(
        identity: &Identity,
        own_dids: impl IntoIterator<Item = String>,
        own_avatar_cids: impl IntoIterator<Item = String>,
    ) -> LiveMatcher {
        let mut handle_stems: Vec<String> = identity
            .handles
            .iter()
            .map(|h| fold(handle_stem(&h.handle)))
            .filter(|s| s.len() >= 4)
            .collect();
        handle_stems.sort();
        handle_stems.dedup();
        let mut names: Vec<String> = identity
            .names()
            .map(fold)
            .filter(|n| n.chars().count() >= 3)
            .collect();
        names.extend(handle_stems.iter().cloned());
        names.sort();
        names.dedup();
        let bio_prefix = identity
            .bio
            .as_deref()
            .map(fold)
            .filter(|b| b.chars().count() >= BIO_PREFIX_CHARS / 2)
            .map(|b| b.chars().take(BIO_PREFIX_CHARS).collect());
        LiveMatcher {
            own_dids: own_dids.into_iter().collect(),
            own_avatar_cids: own_avatar_cids.into_iter().collect(),
            names,
            bio_prefix,
            handle_stems,
        }
    }

    /// Adds the person's own Bluesky account and its avatar CID once they are known.
    pub fn add_own_account(&mut self, did: String, avatar_cid: Option<String>) {
        self.own_dids.insert(did);
        self.own_avatar_cids.extend(avatar_cid);
    }

    /// True when `did` is one of the person's own accounts.
    pub fn is_own(&self, did: &str) -> bool {
        self.own_dids.contains(did)
    }

    /// Checks a profile record of account `did`.
    pub fn check_record(&self, did: &str, record: &ProfileRecord) -> Option<LiveHint> {
        if self.own_dids.contains(did) {
            return None;
        }
        if record
            .avatar_cid
            .as_ref()
            .is_some_and(|cid| self.own_avatar_cids.contains(cid))
        {
            return Some(LiveHint::AvatarCopy);
        }
        if let Some(name) = record.display_name.as_deref() {
            if self.name_matches(name) {
                return Some(LiveHint::Name);
            }
        }
        if let (Some(prefix), Some(description)) = (&self.bio_prefix, &record.description) {
            if fold(description).contains(prefix.as_str()) {
                return Some(LiveHint::Bio);
            }
        }
        None
    }

    /// Checks a new handle (Jetstream identity event) of account `did`.
    pub fn check_handle(&self, did: &str, handle: &str) -> Option<LiveHint> {
        if self.own_dids.contains(did) {
            return None;
        }
        let stem = fold(handle_stem(handle));
        let hit = self.handle_stems.iter().any(|own| {
            stem == *own
                || (own.len() >= MIN_CONTAINED_LEN && stem.contains(own.as_str()))
                || close(&stem, own)
        });
        hit.then_some(LiveHint::Handle)
    }

    fn name_matches(&self, display_name: &str) -> bool {
        // Cheap reject: a name with no letter or digit cannot copy anyone.
        if !display_name.chars().any(char::is_alphanumeric) {
            return false;
        }
        let folded = fold(display_name);
        if folded.is_empty() {
            return false;
        }
        self.names.iter().any(|own| {
            folded == *own
                || (own.len() >= MIN_CONTAINED_LEN && folded.contains(own.as_str()))
                || close(&folded, own)
        })
    }
}

/// Within a small edit distance, for strings long enough that this is not a coincidence.
fn close(a: &str, b: &str) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if lb < MIN_CONTAINED_LEN || la.abs_diff(lb) > 2 {
        return false;
    }
    let allowed = if lb >= 10 { 2 } else { 1 };
    strsim::levenshtein(a, b) <= allowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::palmer;

    fn record(name: Option<&str>, description: Option<&str>, cid: Option<&str>) -> ProfileRecord {
        ProfileRecord {
            display_name: name.map(String::from),
            description: description.map(String::from),
            avatar_cid: cid.map(String::from),
        }
    }

    #[test]
    fn copies_are_hits() {
        let m = LiveMatcher::new(&palmer(), ["did:plc:me".into()], ["bafkreime".into()]);
        let hit = |r: ProfileRecord| m.check_record("did:plc:other", &r);
        assert_eq!(
            hit(record(Some("Palmer Report"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("PaImer Report"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("P\u{0430}lmer  Report ✓"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("Pal\u{200B}mer Report"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("Palmer Reprot"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("The Palmer Report Fans"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("BILL PALMER"), None, None)),
            Some(LiveHint::Name)
        );
        assert_eq!(
            hit(record(Some("Cat pics"), None, Some("bafkreime"))),
            Some(LiveHint::AvatarCopy)
        );
        assert_eq!(
            hit(record(
                Some("News"),
                Some("Political news and commentary from Palmer Report, since 2016!"),
                None
            )),
            Some(LiveHint::Bio)
        );
    }

    #[test]
    fn unrelated_and_own_records_are_not() {
        let m = LiveMatcher::new(&palmer(), ["did:plc:me".into()], ["bafkreime".into()]);
        let hit = |r: ProfileRecord| m.check_record("did:plc:other", &r);
        assert_eq!(hit(record(Some("Arnold Palmer"), None, None)), None);
        assert_eq!(
            hit(record(
                Some("Multiversal Lokis Unit🔞"),
                Some("Loki stan"),
                Some("bafkreiother")
            )),
            None
        );
        assert_eq!(hit(record(None, None, None)), None);
        assert_eq!(hit(record(Some("🔥🔥🔥"), None, None)), None);
        assert_eq!(
            m.check_record(
                "did:plc:me",
                &record(Some("Palmer Report"), None, Some("bafkreime"))
            ),
            None
        );
    }

    #[test]
    fn look_alike_handles_are_hits() {
        let m = LiveMatcher::new(&palmer(), ["did:plc:me".into()], Vec::<String>::new());
        assert_eq!(
            m.check_handle("did:plc:x", "palmerreport.bsky.social"),
            Some(LiveHint::Handle)
        );
        assert_eq!(
            m.check_handle("did:plc:x", "palmer-report.bsky.social"),
            Some(LiveHint::Handle)
        );
        assert_eq!(
            m.check_handle("did:plc:x", "realpalmerreport.com"),
            Some(LiveHint::Handle)
        );
        assert_eq!(
            m.check_handle("did:plc:x", "palmerrepor.bsky.social"),
            Some(LiveHint::Handle)
        );
        assert_eq!(
            m.check_handle("did:plc:x", "arnoldpalmer.bsky.social"),
            None
        );
        assert_eq!(m.check_handle("did:plc:me", "palmerreport.com"), None);
    }
}
