//! The fake AppView's `app.bsky.feed.getAuthorFeed`: an account's posts as
//! `{feed: [app.bsky.feed.defs#feedViewPost]}`, each `postView` with `uri`, `cid`, `author`
//! (`profileViewBasic`), `record` (an `app.bsky.feed.post` with `text`, `createdAt`, `langs`
//! a tag facet per hashtag and a link facet per `http(s)://` or `javascript:` address, indexed in
//! UTF-8 bytes as the richtext lexicon says, under a TID record key as the post lexicon
//! declares) and `indexedAt`. (Real clients make link facets of web addresses only, but a
//! hostile client may give a facet any URI: the demo's hostile post carries a `javascript:`
//! one.) `limit` is 1 to 100 (default 50), as in the lexicon.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, SecondsFormat};
use serde_json::{json, Value};

use super::{xrpc_error, Account, BskyState};
use crate::fake::http::{param, query_pairs};
use crate::fake::json_response;
use crate::sources::bluesky::cid::blob_cid;

/// Tag facets of `text`: `#word` runs, with their byte ranges.
fn tag_facets(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (start, _) in text.match_indices('#') {
        let tag: String = text[start + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if tag.chars().any(char::is_alphabetic) {
            out.push(json!({
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": start, "byteEnd": start + 1 + tag.len()},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }));
        }
    }
    out
}

/// A TID record key (atproto spec, "Record Key Type: tid"), as `app.bsky.feed.post` records
/// are keyed: microseconds since the epoch in 11 base32-sortable characters, then a 10-bit
/// clock id in 2.
fn tid(micros: u64, clock_id: u16) -> String {
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    let digits = |n: u64, width: u32| -> String {
        (0..width)
            .rev()
            .map(|i| char::from(ALPHABET[((n >> (5 * i)) & 31) as usize]))
            .collect()
    };
    let micros = micros & ((1 << 53) - 1);
    format!(
        "{}{}",
        digits(micros, 11),
        digits(u64::from(clock_id) & 1023, 2)
    )
}

/// Link facets of `text`: `http://`, `https://` and `javascript:` runs up to a space, a quote or
/// an angle bracket, with their byte ranges.
fn link_facets(text: &str) -> Vec<Value> {
    let mut starts: Vec<usize> = ["https://", "http://", "javascript:"]
        .iter()
        .flat_map(|scheme| text.match_indices(scheme).map(|(i, _)| i))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
        .into_iter()
        .map(|start| {
            let len = text[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
                .unwrap_or(text.len() - start);
            json!({
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": start, "byteEnd": start + len},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": &text[start..start + len]}],
            })
        })
        .collect()
}

/// The `feedViewPost` of the account's `n`-th post (0: newest).
fn feed_item(st: &BskyState, acc: &Account, n: usize, text: &str) -> Value {
    let when = acc.created_at + Duration::hours(1 + (acc.posts.len() - n) as i64);
    let at = when.to_rfc3339_opts(SecondsFormat::Millis, true);
    let rkey = tid(when.timestamp_micros().max(0) as u64, 0);
    let mut author = json!({"did": acc.did, "handle": acc.handle, "labels": []});
    if let Some(name) = &acc.display_name {
        author["displayName"] = json!(name);
    }
    if let Some(url) = st.avatar_url(acc) {
        author["avatar"] = json!(url);
    }
    let mut record = json!({
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": at,
        "langs": ["en"],
    });
    let mut facets = tag_facets(text);
    facets.extend(link_facets(text));
    if !facets.is_empty() {
        record["facets"] = json!(facets);
    }
    json!({"post": {
        "uri": format!("at://{}/app.bsky.feed.post/{rkey}", acc.did),
        "cid": blob_cid(text.as_bytes()),
        "author": author,
        "record": record,
        "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
        "indexedAt": at,
        "labels": [],
    }})
}

pub(super) async fn get_author_feed(
    State(st): State<Arc<BskyState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = query_pairs(&raw);
    let actor = param(&pairs, "actor").unwrap_or_default();
    let limit = match param(&pairs, "limit").map(|l| l.parse::<usize>()) {
        None => 50,
        Some(Ok(l)) if (1..=100).contains(&l) => l,
        Some(_) => {
            return xrpc_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                "limit must be an integer from 1 to 100",
            )
        }
    };
    let Some(acc) = st.find(&actor) else {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Profile not found",
        );
    };
    let feed: Vec<Value> = acc
        .posts
        .iter()
        .enumerate()
        .take(limit)
        .map(|(n, text)| feed_item(&st, &acc, n, text))
        .collect();
    json_response(StatusCode::OK, json!({ "feed": feed }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_are_tids_as_the_spec_writes_them() {
        // The example TID of the atproto spec ("Record Key Type: tid").
        assert_eq!(tid(1_688_137_381_887_007, 6), "3jzfcijpj2z2a");
        assert_eq!(tid(0, 0), "2222222222222");
    }

    #[test]
    fn link_facets_cover_web_and_javascript_addresses_in_utf8_bytes() {
        let text = "é <a href=\"javascript:x=1\">go</a> see https://example.org/a?b now";
        let facets = link_facets(text);
        let uris: Vec<&str> = facets
            .iter()
            .map(|f| f["features"][0]["uri"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(uris, ["javascript:x=1", "https://example.org/a?b"]);
        let start = facets[0]["index"]["byteStart"].as_u64().unwrap_or_default() as usize;
        let end = facets[0]["index"]["byteEnd"].as_u64().unwrap_or_default() as usize;
        assert_eq!(&text[start..end], "javascript:x=1");
        assert!(link_facets("no address here").is_empty());
    }
}
