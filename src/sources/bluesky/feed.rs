//! `app.bsky.feed.getAuthorFeed` answers into [`Post`]s (pure, tested on fixtures): the
//! account's own posts only (reposts of others' posts are left out), text bounded, hashtags
//! from the text and the record's tag facets and `tags`, links from link facets (as text).
//!
//! Lexicon: params `actor` (at-identifier, required), `limit` (1-100, default 50), `cursor`,
//! `filter` (`posts_no_replies`, ...); output `{cursor?, feed: [app.bsky.feed.defs#feedViewPost]}`,
//! where `feedViewPost` is `{post: postView, reply?, reason?}` and `postView` carries `uri`,
//! `cid`, `author`, `record` (an `app.bsky.feed.post`: `text`, `createdAt`, `facets`, `tags`)
//! and `indexedAt`. A post of the feed with a `reason` (`#reasonRepost`, `#reasonPin`) is a
//! repost or a pin; reposts are someone else's words and are skipped.

use serde_json::Value;

use super::parse::parse_time;
use crate::identity::Platform;
use crate::posts::{hashtags_in, Post, MAX_POSTS, MAX_POST_CHARS, MAX_TAGS};
use crate::sources::text::bound;

/// The posts of a `getAuthorFeed` answer written by `actor` (its DID or handle; at most `max`,
/// newest first as served); a malformed item is skipped. An answer without a `feed` array is
/// an error.
pub fn author_posts(answer: &Value, actor: &str, max: usize) -> Result<Vec<Post>, String> {
    let feed = answer
        .get("feed")
        .and_then(Value::as_array)
        .ok_or("getAuthorFeed answer has no feed array")?;
    Ok(feed
        .iter()
        .filter(|item| {
            item.get("reason")
                .and_then(|r| r.get("$type"))
                .and_then(Value::as_str)
                .map_or(true, |t| !t.ends_with("#reasonRepost"))
        })
        .filter_map(|item| post_of(item.get("post")?, actor))
        .take(max.min(MAX_POSTS))
        .collect())
}

fn post_of(view: &Value, actor: &str) -> Option<Post> {
    let uri = view.get("uri")?.as_str()?;
    let author = view.get("author")?;
    let did = author.get("did")?.as_str()?;
    let by_actor = did == actor
        || author
            .get("handle")
            .and_then(Value::as_str)
            .is_some_and(|h| h.eq_ignore_ascii_case(actor.trim_start_matches('@')));
    if !by_actor {
        return None;
    }
    let record = view.get("record")?;
    let text: String = record
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(MAX_POST_CHARS)
        .collect();
    let rkey = uri
        .strip_prefix(&format!("at://{did}/app.bsky.feed.post/"))
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))?;
    let handle = author.get("handle").and_then(Value::as_str).unwrap_or(did);
    let handle: String = handle
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        .take(253)
        .collect();
    let mut hashtags = hashtags_in(&text);
    let mut links = Vec::new();
    for feature in record
        .get("facets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("features").and_then(Value::as_array))
        .flatten()
    {
        let kind = feature.get("$type").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("#tag") {
            if let Some(tag) = feature.get("tag").and_then(Value::as_str) {
                hashtags.push(bound(tag).to_lowercase());
            }
        } else if kind.ends_with("#link") {
            if let Some(uri) = feature.get("uri").and_then(Value::as_str) {
                links.push(uri.chars().take(1000).collect());
            }
        }
    }
    for tag in record
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        hashtags.push(bound(tag).to_lowercase());
    }
    hashtags.sort();
    hashtags.dedup();
    hashtags.truncate(MAX_TAGS);
    links.truncate(MAX_TAGS);
    Some(Post {
        platform: Platform::Bluesky,
        id: bound(uri),
        url: Some(format!("https://bsky.app/profile/{handle}/post/{rkey}")),
        text,
        created_at: record
            .get("createdAt")
            .and_then(Value::as_str)
            .and_then(parse_time),
        hashtags,
        links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(did: &str, rkey: &str, text: &str) -> Value {
        json!({"post": {
            "uri": format!("at://{did}/app.bsky.feed.post/{rkey}"),
            "cid": "bafyreib2rxk3rh6kzwq",
            "author": {"did": did, "handle": "imp.bsky.social"},
            "record": {"$type": "app.bsky.feed.post", "text": text,
                       "createdAt": "2026-11-29T10:00:00.000Z",
                       "facets": [{"index": {"byteStart": 0, "byteEnd": 9},
                                   "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "WalkAway"},
                                                {"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(1)"}]}]},
            "indexedAt": "2026-11-29T10:00:01.000Z"}})
    }

    #[test]
    fn own_posts_are_kept_and_reposts_skipped() {
        let mut repost = item("did:plc:other", "3kaaa", "someone else");
        repost["reason"] = json!({"$type": "app.bsky.feed.defs#reasonRepost"});
        let answer = json!({"feed": [
            item("did:plc:imp", "3kabc", "#WalkAway with me"),
            repost,
            {"post": {"uri": 7}},
            item("did:plc:imp", "3kdef", "second"),
        ]});
        let posts = author_posts(&answer, "did:plc:imp", 10).unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(
            posts[0].url.as_deref(),
            Some("https://bsky.app/profile/imp.bsky.social/post/3kabc")
        );
        assert_eq!(posts[0].hashtags, vec!["walkaway".to_string()]);
        assert_eq!(posts[0].links, vec!["javascript:alert(1)".to_string()]);
        assert!(posts[0].created_at.is_some());
        assert_eq!(author_posts(&answer, "did:plc:imp", 1).unwrap().len(), 1);
        assert!(author_posts(&json!({"nope": 1}), "did:plc:imp", 10).is_err());
    }
}
