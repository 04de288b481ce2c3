//! YouTube Data API v3 answers into Doppelwatch profiles (pure, tested on fixtures): channel
//! resources (`channels.list`, `part=snippet,statistics`), search results (`search.list`,
//! `type=channel`) and the API's error objects. Shapes as documented at
//! <https://developers.google.com/youtube/v3/docs/channels#resource-representation>,
//! <https://developers.google.com/youtube/v3/docs/search#resource-representation> and
//! <https://developers.google.com/youtube/v3/docs/errors>.

use serde::Deserialize;
use serde_json::Value;

use crate::identity::Platform;
use crate::profile::Profile;
use crate::sources::bluesky::parse::parse_time;
use crate::sources::text::bound;

/// The parts asked for on every `channels.list`.
pub const CHANNEL_PARTS: &str = "snippet,statistics";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelWire {
    id: String,
    #[serde(default)]
    snippet: Option<SnippetWire>,
    #[serde(default)]
    statistics: Option<StatisticsWire>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnippetWire {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// The handle with its `@` (`@palmerreport`), or a legacy custom URL.
    #[serde(default)]
    custom_url: Option<String>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    thumbnails: Option<ThumbnailsWire>,
}

#[derive(Debug, Deserialize)]
struct ThumbnailsWire {
    #[serde(default)]
    default: Option<ThumbnailWire>,
    #[serde(default)]
    medium: Option<ThumbnailWire>,
}

#[derive(Debug, Deserialize)]
struct ThumbnailWire {
    url: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatisticsWire {
    /// An unsigned long sent as a JSON string (`"1200"`).
    #[serde(default)]
    subscriber_count: Option<Value>,
    #[serde(default)]
    hidden_subscriber_count: Option<bool>,
}

/// A channel id as YouTube gives them (`UC` + 22 characters of base64url).
pub fn valid_channel_id(id: &str) -> bool {
    id.len() == 24
        && id.starts_with("UC")
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A count YouTube sends as a string (or, leniently, as a number).
fn count(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// One `youtube#channel` resource into a [`Profile`]: title as name, description as bio, the
/// medium (else default) thumbnail as avatar, `publishedAt` as creation time, the subscriber
/// count unless the channel hides it. `handle_asked` is the handle a probe asked for, used
/// when the channel's `customUrl` is missing.
pub fn profile_from_channel(value: &Value, handle_asked: Option<&str>) -> Result<Profile, String> {
    let wire = ChannelWire::deserialize(value).map_err(|e| e.to_string())?;
    if !valid_channel_id(&wire.id) {
        return Err(format!(
            "the channel id {:?} is not a channel id",
            bound(&wire.id)
        ));
    }
    let snippet = wire.snippet.ok_or("the channel has no snippet")?;
    // `customUrl` gives the handle lowercased (handles ignore case); the handle a probe asked
    // for keeps the case the impostor shows (`PaImerReport`), so it wins when they agree.
    let asked = handle_asked.map(|h| h.trim_start_matches('@'));
    let custom = snippet
        .custom_url
        .as_deref()
        .map(|u| u.trim_start_matches('@'))
        .filter(|h| !h.is_empty() && !h.contains('/'));
    let handle = match (custom, asked) {
        (Some(c), Some(a)) if c.to_lowercase() == a.to_lowercase() => bound(a),
        (Some(c), _) => bound(c),
        (None, Some(a)) => bound(a),
        (None, None) => wire.id.clone(),
    };
    let url = if handle == wire.id {
        format!("https://www.youtube.com/channel/{}", wire.id)
    } else {
        format!("https://www.youtube.com/@{handle}")
    };
    let followers = wire.statistics.and_then(|s| {
        if s.hidden_subscriber_count == Some(true) {
            None
        } else {
            s.subscriber_count.as_ref().and_then(count)
        }
    });
    let avatar_url = snippet
        .thumbnails
        .and_then(|t| t.medium.or(t.default))
        .map(|t| t.url)
        .filter(|u| !u.is_empty());
    Ok(Profile {
        platform: Platform::Youtube,
        handle,
        display_name: snippet.title.filter(|t| !t.is_empty()).map(|t| bound(&t)),
        bio: snippet
            .description
            .filter(|d| !d.is_empty())
            .map(|d| bound(&d)),
        created_at: snippet.published_at.as_deref().and_then(parse_time),
        followers,
        labels: Vec::new(),
        platform_id: Some(wire.id),
        url: Some(url),
        avatar_url,
    })
}

/// The channels of a `youtube#channelListResponse` (`items` is absent when none matched);
/// malformed ones are skipped and logged.
pub fn channel_list(answer: &Value, handle_asked: Option<&str>) -> Vec<Profile> {
    let mut out = Vec::new();
    if let Some(items) = answer.get("items").and_then(Value::as_array) {
        for item in items {
            match profile_from_channel(item, handle_asked) {
                Ok(p) => out.push(p),
                Err(e) => tracing::warn!(platform = "youtube", "skipped a malformed channel: {e}"),
            }
        }
    }
    out
}

/// The channel ids of a `youtube#searchListResponse` (`type=channel`), in order, without
/// repeats; results that are not channels or carry no valid id are skipped.
pub fn search_channel_ids(answer: &Value) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(items) = answer.get("items").and_then(Value::as_array) {
        for item in items {
            let id = item.get("id");
            let kind = id.and_then(|i| i.get("kind")).and_then(Value::as_str);
            let channel = id
                .and_then(|i| i.get("channelId"))
                .and_then(Value::as_str)
                .filter(|c| valid_channel_id(c));
            match (kind, channel) {
                (Some("youtube#channel"), Some(c)) if !ids.iter().any(|i| i == c) => {
                    ids.push(c.to_string())
                }
                (Some("youtube#channel"), None) => {
                    tracing::warn!(platform = "youtube", "skipped a malformed search result")
                }
                _ => {}
            }
        }
    }
    ids
}

/// The `reason` codes of an error answer (`{"error": {"errors": [{"reason"}], "details":
/// [{"reason"}]}}`), e.g. `quotaExceeded`, `keyInvalid`, `API_KEY_INVALID`.
pub fn error_reasons(answer: &Value) -> Vec<String> {
    let error = answer.get("error");
    let listed = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("reason").and_then(Value::as_str))
            .map(|r| r.chars().take(64).collect::<String>())
            .collect::<Vec<_>>()
    };
    let mut reasons = listed("errors");
    reasons.extend(listed("details"));
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNELS: &str = include_str!("../../../tests/fixtures/youtube/channels_list.json");
    const SEARCH: &str = include_str!("../../../tests/fixtures/youtube/search_list.json");

    #[test]
    fn channels_fixture_parses() {
        let answer: Value = serde_json::from_str(CHANNELS).unwrap();
        let profiles = channel_list(&answer, Some("PaImerReport"));
        assert_eq!(profiles.len(), 2, "the malformed channel is skipped");
        let p = &profiles[0];
        assert_eq!(p.handle, "PaImerReport");
        assert_eq!(p.display_name.as_deref(), Some("Palmer Report"));
        assert_eq!(
            p.bio.as_deref(),
            Some("Independent political news and analysis.")
        );
        assert_eq!(p.followers, Some(1200));
        assert_eq!(p.platform_id.as_deref(), Some("UCx1a2b3c4d5e6f7g8h9i0jk"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://www.youtube.com/@PaImerReport")
        );
        assert_eq!(
            p.avatar_url.as_deref(),
            Some("https://yt3.ggpht.com/abc=s240-c-k-c0x00ffffff-no-rj")
        );
        assert_eq!(
            p.created_at.map(|t| t.to_rfc3339()),
            Some("2026-11-30T09:15:00+00:00".into())
        );
        assert_eq!(profiles[1].followers, None, "a hidden count stays unknown");
    }

    #[test]
    fn an_empty_answer_has_no_channels_and_search_ids_are_channels_only() {
        let empty = serde_json::json!({"kind": "youtube#channelListResponse", "etag": "x",
            "pageInfo": {"totalResults": 0, "resultsPerPage": 5}});
        assert!(channel_list(&empty, Some("nobody")).is_empty());
        let answer: Value = serde_json::from_str(SEARCH).unwrap();
        assert_eq!(
            search_channel_ids(&answer),
            vec!["UCx1a2b3c4d5e6f7g8h9i0jk", "UCzzzzzzzzzzzzzzzzzzzzzz"]
        );
    }

    #[test]
    fn error_reasons_are_read_from_both_lists() {
        let quota = serde_json::json!({"error": {"code": 403, "message": "m",
            "errors": [{"message": "m", "domain": "youtube.quota", "reason": "quotaExceeded"}]}});
        assert_eq!(error_reasons(&quota), vec!["quotaExceeded"]);
        let key = serde_json::json!({"error": {"code": 400, "message": "API key not valid.",
            "errors": [{"reason": "badRequest"}], "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]}});
        assert_eq!(error_reasons(&key), vec!["badRequest", "API_KEY_INVALID"]);
        assert!(error_reasons(&serde_json::json!([])).is_empty());
    }
}
