//! An account's recent public posts kept as evidence: the post as the platform showed it
//! ([`Post`], plain text, bounded), the record kept with an alert ([`PostEvidence`]: when it was
//! fetched, the SHA-256 of its canonical JSON, and what is suspicious about it), and the flags
//! ([`flag_posts`]): a post that copies the person's own recent posts (or, when those are not
//! available, their bio), hashtags the person never uses.
//!
//! Pure data and comparisons: no I/O here, and nothing written by the impostor is ever
//! interpreted (post text is text; links are kept as text, never followed).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::identity::{Identity, Platform};

/// How many recent posts are kept per account.
pub const MAX_POSTS: usize = 10;
/// Longest post text kept (Bluesky posts are 300 graphemes, Mastodon's default 500 characters;
/// anything longer is cut).
pub const MAX_POST_CHARS: usize = 3000;
/// Most hashtags and links kept per post.
pub const MAX_TAGS: usize = 30;

/// One public post, as plain text (HTML already stripped by the source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub platform: Platform,
    /// The platform's id of the post: an `at://` URI on Bluesky, the status id on Mastodon.
    pub id: String,
    /// The post's public https URL, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Hashtags, lowercase, without `#`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashtags: Vec<String>,
    /// Links in the post, as text (never followed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
}

impl Post {
    /// The post's canonical JSON (fields in declaration order, no whitespace): what the hash
    /// covers, and what the evidence bundle stores.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 (hex) of [`Post::canonical_json`].
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_json().as_bytes()))
    }
}

/// What the person's posts were compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The person's own recent posts on that platform.
    OwnPosts,
    /// Only the registered name and bio (the person's own posts were not available).
    BioOnly,
}

/// Why a post is suspicious.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PostFlag {
    /// The post repeats one of the person's own posts (or their bio, with [`Basis::BioOnly`]).
    CopiesOwn {
        basis: Basis,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        own_url: Option<String>,
    },
    /// Hashtags the person never uses (in the posts or bio compared with).
    ForeignHashtags { basis: Basis, tags: Vec<String> },
}

/// A post kept with an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostEvidence {
    pub post: Post,
    pub fetched_at: DateTime<Utc>,
    /// SHA-256 (hex) of the post's canonical JSON.
    pub sha256: String,
    #[serde(default)]
    pub flags: Vec<PostFlag>,
}

/// Hashtags of `text` (`#word`, lowercase, without `#`), at most [`MAX_TAGS`].
pub fn hashtags_in(text: &str) -> Vec<String> {
    let mut tags = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .map_or(true, |c| !c.is_alphanumeric() && c != '&');
        let tail = &rest[at + 1..];
        let tag: String = tail
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .take(100)
            .collect();
        if before_ok && tag.chars().any(|c| c.is_alphabetic()) {
            tags.insert(tag.to_lowercase());
        }
        rest = tail;
    }
    tags.into_iter().take(MAX_TAGS).collect()
}

/// Lowercase words of `text`, links and hashtags' `#` left out: what "copies" compares.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| !w.contains("://"))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `text` repeats `original` (the same words, or all of a long original's words in a
/// row): short texts ("thanks!") never count.
fn copies(text: &str, original: &str) -> bool {
    let (mine, theirs) = (words(original), words(text));
    if mine.len() < 5 || theirs.is_empty() {
        return false;
    }
    if mine == theirs {
        return true;
    }
    let joined = format!(" {} ", theirs.join(" "));
    joined.contains(&format!(" {} ", mine.join(" ")))
        || (theirs.len() >= 5 && format!(" {} ", mine.join(" ")).contains(&joined))
}

/// Flags each of the impostor's `posts` against the person: their own recent posts on that
/// platform when known (`own`), else their registered bio and name only.
pub fn flag_posts(posts: &[Post], own: Option<&[Post]>, identity: &Identity) -> Vec<Vec<PostFlag>> {
    let basis = if own.is_some() {
        Basis::OwnPosts
    } else {
        Basis::BioOnly
    };
    let bio = identity.bio.clone().unwrap_or_default();
    let used: BTreeSet<String> = match own {
        Some(own) => own.iter().flat_map(|p| p.hashtags.clone()).collect(),
        None => hashtags_in(&format!("{bio} {}", identity.name))
            .into_iter()
            .collect(),
    };
    posts
        .iter()
        .map(|post| {
            let mut flags = Vec::new();
            let copied = match own {
                Some(own) => own
                    .iter()
                    .find(|o| copies(&post.text, &o.text))
                    .map(|o| Some(o.url.clone())),
                None => copies(&post.text, &bio).then_some(None),
            };
            if let Some(own_url) = copied {
                flags.push(PostFlag::CopiesOwn {
                    basis,
                    own_url: own_url.flatten(),
                });
            }
            let tags: Vec<String> = post
                .hashtags
                .iter()
                .filter(|t| !used.contains(*t))
                .cloned()
                .collect();
            if !tags.is_empty() {
                flags.push(PostFlag::ForeignHashtags { basis, tags });
            }
            flags
        })
        .collect()
}

/// The evidence records of `posts` fetched at `fetched_at`, flagged (see [`flag_posts`]).
pub fn evidence(
    posts: Vec<Post>,
    own: Option<&[Post]>,
    identity: &Identity,
    fetched_at: DateTime<Utc>,
) -> Vec<PostEvidence> {
    let flags = flag_posts(&posts, own, identity);
    posts
        .into_iter()
        .zip(flags)
        .map(|(post, flags)| PostEvidence {
            sha256: post.sha256(),
            post,
            fetched_at,
            flags,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(text: &str) -> Post {
        Post {
            platform: Platform::Bluesky,
            id: "at://did:plc:x/app.bsky.feed.post/1".into(),
            url: None,
            text: text.into(),
            created_at: None,
            hashtags: hashtags_in(text),
            links: Vec::new(),
        }
    }

    fn person() -> Identity {
        Identity {
            name: "Palmer Report".into(),
            aliases: Vec::new(),
            handles: Vec::new(),
            avatar: None,
            bio: Some("Independent progressive news and analysis, every day".into()),
        }
    }

    #[test]
    fn hashtags_are_words_after_a_hash() {
        assert_eq!(
            hashtags_in("Join #WalkAway now #MAGA2028 &#39; #1 a#b"),
            vec!["maga2028".to_string(), "walkaway".to_string()]
        );
    }

    #[test]
    fn a_copied_post_and_a_foreign_hashtag_are_flagged() {
        let own = vec![post(
            "Breaking: the Senate vote on the budget is delayed again #news",
        )];
        let theirs = vec![
            post("Breaking: the Senate vote on the budget is delayed again"),
            post("I am done with them. #WalkAway #news"),
            post("thanks!"),
        ];
        let flags = flag_posts(&theirs, Some(&own), &person());
        assert!(matches!(
            flags[0].as_slice(),
            [PostFlag::CopiesOwn {
                basis: Basis::OwnPosts,
                ..
            }]
        ));
        assert_eq!(
            flags[1],
            vec![PostFlag::ForeignHashtags {
                basis: Basis::OwnPosts,
                tags: vec!["walkaway".into()]
            }]
        );
        assert!(flags[2].is_empty());
    }

    #[test]
    fn without_own_posts_the_bio_is_the_basis() {
        let theirs = vec![post(
            "Independent progressive news and analysis, every day #WalkAway",
        )];
        let flags = flag_posts(&theirs, None, &person());
        assert_eq!(flags[0].len(), 2, "{:?}", flags[0]);
        assert!(flags[0].iter().all(|f| matches!(
            f,
            PostFlag::CopiesOwn {
                basis: Basis::BioOnly,
                ..
            } | PostFlag::ForeignHashtags {
                basis: Basis::BioOnly,
                ..
            }
        )));
    }

    #[test]
    fn the_hash_covers_the_canonical_json() {
        let p = post("hello #x");
        assert_eq!(p.sha256(), hex::encode(Sha256::digest(p.canonical_json())));
        let mut q = p.clone();
        q.text.push('!');
        assert_ne!(p.sha256(), q.sha256());
    }
}
