//! The impostor's posts in the evidence bundle: `impostor/posts.json` (each post's canonical
//! JSON, its SHA-256, its flags and when it was fetched, so each post's hash can be checked on
//! its own) and `impostor/posts.html`, a page to read them.
//!
//! The page must never run or load anything from the posts: every text is HTML-escaped, links
//! are shown as text (never as anchors), and a Content-Security-Policy of `default-src 'none'`
//! forbids scripts, images and requests even if escaping failed.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::posts::{Basis, PostEvidence, PostFlag};
use crate::store::Alert;

/// `text` escaped for HTML text and attribute values; hidden characters shown as `<U+XXXX>`.
pub fn escape_html(text: &str) -> String {
    let shown = super::text::visible(text, usize::MAX);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The flags of a post in words.
pub fn flag_words(flag: &PostFlag) -> String {
    match flag {
        PostFlag::CopiesOwn {
            basis: Basis::OwnPosts,
            ..
        } => "copies one of the person's own posts".into(),
        PostFlag::CopiesOwn { .. } => "copies the person's bio".into(),
        PostFlag::ForeignHashtags {
            basis: Basis::OwnPosts,
            tags,
        } => format!(
            "hashtags the person never uses in their recent posts: #{}",
            tags.join(", #")
        ),
        PostFlag::ForeignHashtags { tags, .. } => format!(
            "hashtags that appear nowhere in the person's profile (their own posts could not be read): #{}",
            tags.join(", #")
        ),
    }
}

/// The JSON file of the posts.
pub fn posts_json(posts: &[PostEvidence]) -> Vec<u8> {
    let list: Vec<_> = posts
        .iter()
        .map(|p| {
            json!({
                "fetched_at": p.fetched_at,
                "sha256": p.sha256,
                "canonical_json": p.post.canonical_json(),
                "post": p.post,
                "flags": p.flags,
            })
        })
        .collect();
    serde_json::to_vec_pretty(&list).unwrap_or_default()
}

/// The readable page of the posts.
pub fn posts_html(alert: &Alert, posts: &[PostEvidence], now: DateTime<Utc>) -> Vec<u8> {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>Posts of the impersonating account</title>\n\
         <style>body{font-family:sans-serif;max-width:50em;margin:2em auto}\
         article{border:1px solid #999;padding:.5em 1em;margin:1em 0}\
         .meta,.hash{color:#444;font-size:.9em}.hash{font-family:monospace;word-break:break-all}\
         .flag{color:#900}</style></head><body>\n",
    );
    html.push_str(&format!(
        "<h1>Posts of {} on {}</h1>\n<p>Impersonating {}. Exported {} (UTC). Texts are shown as \
         plain text; links are shown, not followed.</p>\n",
        escape_html(&super::shown_handle(alert)),
        escape_html(&super::platform_name(&alert.platform)),
        escape_html(&alert.identity.name),
        now.format("%Y-%m-%d %H:%M:%S"),
    ));
    for p in posts {
        html.push_str("<article>\n");
        html.push_str(&format!(
            "<p class=\"meta\">Posted {} &middot; fetched {} UTC</p>\n",
            p.post
                .created_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "(time unknown)".into()),
            p.fetched_at.format("%Y-%m-%d %H:%M:%S"),
        ));
        html.push_str(&format!(
            "<p style=\"white-space:pre-wrap\">{}</p>\n",
            escape_html(&p.post.text)
        ));
        if let Some(url) = &p.post.url {
            html.push_str(&format!(
                "<p class=\"meta\">Address: {}</p>\n",
                escape_html(url)
            ));
        }
        for link in &p.post.links {
            html.push_str(&format!(
                "<p class=\"meta\">Link in the post: {}</p>\n",
                escape_html(link)
            ));
        }
        for flag in &p.flags {
            html.push_str(&format!(
                "<p class=\"flag\">Flagged: {}</p>\n",
                escape_html(&flag_words(flag))
            ));
        }
        html.push_str(&format!(
            "<p class=\"hash\">SHA-256 of the post's canonical JSON: {}</p>\n</article>\n",
            escape_html(&p.sha256)
        ));
    }
    html.push_str("</body></html>\n");
    html.into_bytes()
}
