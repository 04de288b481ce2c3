//! `GET /api/v1/accounts/:id/statuses` answers (an array of `Status`) into [`Post`]s (pure,
//! tested on fixtures). `content` is HTML: it is stripped to text here and never kept raw;
//! links (`href`s) are kept as text, never followed. Boosts (`reblog` set) are someone else's
//! words and are skipped; a content warning (`spoiler_text`) is kept before the text.

use serde_json::Value;

use crate::identity::Platform;
use crate::posts::{hashtags_in, Post, MAX_POSTS, MAX_POST_CHARS, MAX_TAGS};
use crate::sources::text::{bound, html_to_text};

/// The `href`s of an HTML fragment, as text.
fn hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        let tail = &rest[at + 6..];
        let Some(end) = tail.find('"') else { break };
        let mut link = String::new();
        crate::detect::text::decode_entities_into(&tail[..end.min(2000)], &mut link);
        out.push(link.chars().take(1000).collect());
        if out.len() >= MAX_TAGS {
            break;
        }
        rest = &tail[end..];
    }
    out
}

/// One `Status` into a [`Post`]; `None` for a boost or a malformed status.
fn post_of(status: &Value) -> Option<Post> {
    if status.get("reblog").is_some_and(|r| !r.is_null()) {
        return None;
    }
    let id = status.get("id")?.as_str()?;
    let content = status.get("content").and_then(Value::as_str).unwrap_or("");
    let mut end = content.len().min(64 * 1024);
    while !content.is_char_boundary(end) {
        end -= 1;
    }
    let content = &content[..end];
    let spoiler = status
        .get("spoiler_text")
        .and_then(Value::as_str)
        .unwrap_or("");
    let body = html_to_text(content);
    let text: String = if spoiler.trim().is_empty() {
        body
    } else {
        format!("[CW: {}] {body}", bound(spoiler))
    }
    .chars()
    .take(MAX_POST_CHARS)
    .collect();
    let mut hashtags = hashtags_in(&text);
    for tag in status
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
    {
        hashtags.push(bound(tag).to_lowercase());
    }
    hashtags.sort();
    hashtags.dedup();
    hashtags.truncate(MAX_TAGS);
    Some(Post {
        platform: Platform::Mastodon,
        id: bound(id),
        url: status
            .get("url")
            .and_then(Value::as_str)
            .and_then(crate::report::sane_profile_url),
        text,
        created_at: status
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(crate::sources::bluesky::parse::parse_time),
        hashtags,
        links: hrefs(content),
    })
}

/// The posts of a statuses answer (at most `max`); an answer that is not an array is an error.
pub fn statuses(answer: &Value, max: usize) -> Result<Vec<Post>, String> {
    let list = answer
        .as_array()
        .ok_or("the statuses answer is not an array")?;
    Ok(list
        .iter()
        .filter_map(post_of)
        .take(max.min(MAX_POSTS))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_become_plain_text_posts_and_boosts_are_skipped() {
        let answer = json!([
            {"id": "1", "created_at": "2026-11-29T10:00:00.000Z", "url": "https://evil.example/@palmer/1",
             "content": "<p>Done with them <a href=\"javascript:alert(1)\" class=\"mention hashtag\">#<span>WalkAway</span></a><script>x</script></p>",
             "spoiler_text": "", "reblog": null, "tags": [{"name": "WalkAway", "url": "https://evil.example/tags/walkaway"}]},
            {"id": "2", "content": "<p>boost</p>", "reblog": {"id": "9"}},
            {"content": "no id"},
            {"id": "3", "content": "<p>second</p>", "spoiler_text": "politics", "url": "javascript:alert(1)"}
        ]);
        let posts = statuses(&answer, 10).unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].text, "Done with them #WalkAway");
        assert_eq!(posts[0].hashtags, vec!["walkaway".to_string()]);
        assert_eq!(posts[0].links, vec!["javascript:alert(1)".to_string()]);
        assert_eq!(
            posts[0].url.as_deref(),
            Some("https://evil.example/@palmer/1")
        );
        assert_eq!(posts[1].text, "[CW: politics] second");
        assert_eq!(posts[1].url, None, "a javascript: URL is dropped");
        assert!(statuses(&json!({"error": "x"}), 10).is_err());
    }
}
