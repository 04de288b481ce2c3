//! Text from the network, made safe to keep: HTML bios stripped to plain text, lengths bounded.
//!
//! The output is plain text for the detector and for display *escaped*; hidden characters
//! (zero-width, bidi controls) are kept on purpose: they are evidence the detector reports.
//! Character references are decoded by the detector's decoder ([`decode_entities_into`]), so the
//! two read HTML alike.

use crate::detect::text::decode_entities_into;

/// Longest text kept from one field (a bio is at most 2,560 bytes on Bluesky, 500 chars on
/// Mastodon; anything longer is hostile or broken).
pub const MAX_FIELD_CHARS: usize = 4000;

/// Plain text of an HTML fragment (a Mastodon `note`): tags dropped, `<br>` and paragraph ends
/// turned into line breaks, character references decoded, `<script>`/`<style>` content dropped.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(MAX_FIELD_CHARS));
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    while let Some(lt) = rest.find('<') {
        let (text, after) = rest.split_at(lt);
        if skip_until.is_none() {
            decode_entities_into(text, &mut out);
        }
        let Some(gt) = after.find('>') else {
            // An unclosed tag: the rest is not text.
            rest = "";
            break;
        };
        let tag = after[1..gt].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let closing = tag.starts_with('/');
        match skip_until {
            Some(end) if closing && name == end => skip_until = None,
            Some(_) => {}
            None => match name.as_str() {
                "script" | "style" if !closing => {
                    skip_until = Some(if name == "script" { "script" } else { "style" })
                }
                "br" => out.push('\n'),
                "p" | "div" | "li" if closing => out.push_str("\n\n"),
                _ => {}
            },
        }
        rest = &after[gt + 1..];
    }
    if skip_until.is_none() {
        decode_entities_into(rest, &mut out);
    }
    let trimmed = out.trim();
    bound(trimmed)
}

/// Cuts a text to [`MAX_FIELD_CHARS`] characters.
pub fn bound(text: &str) -> String {
    text.chars().take(MAX_FIELD_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_notes_become_text() {
        let note = "<p>Official account of <a href=\"https://x.example\" rel=\"nofollow\"><span>Palmer</span> Report</a> &amp; friends</p><p>Line<br />two &#x1F600; &lt;b&gt;</p>";
        assert_eq!(
            html_to_text(note),
            "Official account of Palmer Report & friends\n\nLine\ntwo 😀 <b>"
        );
    }

    #[test]
    fn scripts_and_broken_markup_do_not_leak() {
        assert_eq!(
            html_to_text("hi<script>alert(1)</script> there"),
            "hi there"
        );
        assert_eq!(html_to_text("a < b"), "a");
        assert_eq!(
            html_to_text("AT&T &bogus; &#0; &#99999999;"),
            "AT&T &bogus; &#0; &#99999999;"
        );
    }

    #[test]
    fn hidden_characters_are_kept_as_evidence_and_length_is_bounded() {
        assert_eq!(html_to_text("Pal\u{200B}mer"), "Pal\u{200B}mer");
        let long = "x".repeat(MAX_FIELD_CHARS * 2);
        assert_eq!(html_to_text(&long).chars().count(), MAX_FIELD_CHARS);
    }
}
