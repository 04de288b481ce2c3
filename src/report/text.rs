//! The words of a report draft. Everything written by the impostor passes through [`visible`]
//! before it lands in a draft, so hidden characters show instead of acting.

use crate::detect::Signal;
use crate::identity::Platform;
use crate::posts::{Basis, PostEvidence, PostFlag};
use crate::store::Alert;

use super::forms::{form_url, in_app_path, profile_url};
use super::voice;
use super::{DraftField, ReportDraft};

/// How much of untrusted text (bio) to quote.
const QUOTE_MAX_CHARS: usize = 200;

/// The platform's name as people write it.
pub fn platform_name(platform: &Platform) -> String {
    if let Some(module) = crate::platforms::module(platform) {
        return module.display_name().into();
    }
    match platform {
        Platform::Instagram => "Instagram".into(),
        Platform::Threads => "Threads".into(),
        Platform::Youtube => "YouTube".into(),
        Platform::Tiktok => "TikTok".into(),
        Platform::Github => "GitHub".into(),
        Platform::Twitch => "Twitch".into(),
        other => other.as_str().to_string(),
    }
}

/// Untrusted text made safe and legible: control, bidi and zero-width characters are shown
/// as `<U+XXXX>` (a moderator sees the trick), newlines become spaces, and the text is cut at
/// `max` characters.
pub fn visible(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count >= max {
            out.push('…');
            break;
        }
        if c == '\n' || c == '\r' || c == '\t' {
            out.push(' ');
        } else if is_hidden(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Control, bidi, zero-width and other invisible characters.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}' | '\u{180E}'
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

/// What the account copies, as short words ("name", "photo"), in a stable order.
pub fn copied_elements(alert: &Alert) -> Vec<&'static str> {
    let mut out = Vec::new();
    let has = |s: Signal| alert.reasons.iter().any(|r| r.signal == s);
    if has(Signal::DisplayName) {
        out.push("name");
    }
    if has(Signal::Avatar) {
        out.push("photo");
    }
    if has(Signal::ConfusableHandle) || has(Signal::NearHandle) {
        out.push("handle");
    }
    if has(Signal::Bio) {
        out.push("bio");
    }
    out
}

/// "name and photo", "name, photo and bio".
pub fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The impostor's handle as shown, with `@` where the platform writes one.
pub fn shown_handle(alert: &Alert) -> String {
    let handle = visible(alert.profile.handle.trim_start_matches('@'), 120);
    // Every supported platform writes handles with an `@`.
    match crate::platforms::module(&alert.platform) {
        Some(_) => format!("@{handle}"),
        None => handle,
    }
}

/// Longest description put in a web form's field. The platforms do not publish their forms'
/// limits; 2,000 characters reads in a minute and fits every form tried.
pub(super) const FORM_TEXT_MAX: usize = 2000;
/// How many of the impostor's posts a draft quotes.
const EXAMPLE_POSTS: usize = 2;

/// How much a draft holds: level 0 says everything, each next level leaves more out so the
/// text fits the platform's limit.
#[derive(Clone, Copy)]
struct Level(u8);

impl Level {
    const LAST: u8 = 4;
    fn post_chars(self) -> usize {
        if self.0 == 0 {
            240
        } else {
            120
        }
    }
    fn posts(self) -> usize {
        match self.0 {
            0 | 1 => EXAMPLE_POSTS,
            2 => 1,
            _ => 0,
        }
    }
    fn bio_chars(self) -> Option<usize> {
        match self.0 {
            0 => Some(QUOTE_MAX_CHARS),
            1 => Some(QUOTE_MAX_CHARS / 2),
            _ => None,
        }
    }
    fn own_accounts(self) -> usize {
        if self.0 >= 4 {
            1
        } else {
            20
        }
    }
    fn extras(self) -> bool {
        self.0 < 4
    }
}

/// The person's real accounts as list lines (`- Bluesky: https://...`).
fn own_accounts(alert: &Alert, max: usize) -> Vec<String> {
    alert
        .identity
        .handles
        .iter()
        .take(max)
        .map(|h| {
            let p = crate::profile::Profile {
                platform: h.platform.clone(),
                handle: h.handle.clone(),
                ..Default::default()
            };
            format!("- {}: {}", platform_name(&h.platform), profile_url(&p))
        })
        .collect()
}

/// What the posts show, in whole sentences (examples quoted, links kept whole).
fn posts_paragraph(posts: &[PostEvidence], level: Level) -> String {
    let mut text = String::new();
    let examples = voice::example_posts(posts, level.posts());
    if !examples.is_empty() {
        text.push_str("It posts as if it were me, for example:\n");
        for p in examples {
            text.push_str(&format!(
                "- \"{}\"",
                voice::quote(&p.post.text, level.post_chars())
            ));
            if let Some(url) = p.post.url.as_deref().and_then(super::sane_profile_url) {
                text.push_str(&format!(" {url}"));
            }
            text.push('\n');
        }
    }
    let copies_own = posts.iter().flat_map(|p| &p.flags).find_map(|f| match f {
        PostFlag::CopiesOwn { basis, .. } => Some(*basis),
        _ => None,
    });
    match copies_own {
        Some(Basis::OwnPosts) => text.push_str("It reposts my own posts as its own.\n"),
        Some(Basis::BioOnly) => text.push_str("It posts my bio as its own words.\n"),
        None => {}
    }
    let tags = voice::foreign_hashtags(posts);
    if !tags.is_empty() {
        let shown: Vec<String> = tags
            .iter()
            .map(|t| format!("#{}", visible(t, 60)))
            .collect();
        let basis = posts.iter().flat_map(|p| &p.flags).find_map(|f| match f {
            PostFlag::ForeignHashtags { basis, .. } => Some(*basis),
            _ => None,
        });
        text.push_str(&match basis {
            Some(Basis::BioOnly) => format!(
                "It pushes hashtags that appear nowhere in my profile: {}.\n",
                shown.join(", ")
            ),
            _ => format!(
                "In my name it pushes hashtags I never use: {}.\n",
                shown.join(", ")
            ),
        });
    }
    text
}

/// The draft's text at `level`.
fn compose(alert: &Alert, posts: &[PostEvidence], platform: &Platform, level: Level) -> String {
    let name = visible(&alert.identity.name, 100);
    let handle = shown_handle(alert);
    let where_ = platform_name(&alert.platform);
    let mut text = format!(
        "This account impersonates me, {name}: {handle} on {where_}.\nAccount: {}\n",
        profile_url(&alert.profile)
    );
    let copied = voice::copied_phrases(alert);
    if !copied.is_empty() {
        if copied.iter().any(|p| p.contains([',', ':'])) {
            text.push_str("It uses:\n");
            for phrase in &copied {
                text.push_str(&format!("- {phrase}\n"));
            }
        } else {
            let copied: Vec<&str> = copied.iter().map(String::as_str).collect();
            text.push_str(&format!("It uses {}.\n", join_words(&copied)));
        }
    }
    if level.extras() {
        for sentence in voice::trick_sentences(alert) {
            text.push_str(&sentence);
            text.push('\n');
        }
    }
    text.push_str(&posts_paragraph(posts, level));
    let own = own_accounts(alert, level.own_accounts());
    if !own.is_empty() {
        text.push_str("My real accounts:\n");
        text.push_str(&own.join("\n"));
        text.push('\n');
    }
    if let Some(bio_chars) = level.bio_chars() {
        let mut shown = Vec::new();
        if let Some(display) = alert.profile.display_name.as_deref() {
            shown.push(format!("the name \"{}\"", voice::quote(display, 100)));
        }
        if let Some(bio) = alert
            .profile
            .bio
            .as_deref()
            .filter(|b| !b.trim().is_empty())
        {
            shown.push(format!("the bio \"{}\"", voice::quote(bio, bio_chars)));
        }
        if !shown.is_empty() {
            text.push_str(&format!("Its profile shows {}.\n", shown.join(" and ")));
        }
    }
    if level.extras() {
        text.push_str(&format!(
            "I first saw it on {}",
            alert.first_seen.format("%Y-%m-%d")
        ));
        if let Some(created) = alert.profile.created_at {
            text.push_str(&format!(
                "; it was created on {}",
                created.format("%Y-%m-%d")
            ));
        }
        text.push_str(".\n");
    }
    text.push_str("Please remove it.\n");
    let words: Vec<&str> = voice::copied_phrases(alert)
        .iter()
        .map(|p| short_word(p))
        .collect();
    if let Some(words) =
        crate::platforms::module(platform).and_then(|m| m.report_instructions(&words))
    {
        text.push_str(&words);
    }
    if matches!(platform, Platform::Instagram | Platform::Threads) {
        text.push_str(
            "\nInstagram asks for a photo of a government ID with this form: I have it ready.\n",
        );
    }
    text
}

/// "name" for "my name, written ...": the one word a form's checklist uses.
fn short_word(phrase: &str) -> &'static str {
    if phrase.starts_with("my name") {
        "name"
    } else if phrase.starts_with("my photo") {
        "photo"
    } else if phrase.starts_with("my bio") {
        "bio"
    } else {
        "handle"
    }
}

/// `text` cut to at most `limit` characters after a whole line or sentence (a line holding a
/// URL is kept whole or left out).
fn cut_sentences(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out = String::new();
    let mut count = 0;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        if count + n <= limit {
            out.push_str(line);
            count += n;
            continue;
        }
        // The sentences of the line that fit, never inside a URL (URLs hold no ". ").
        let mut taken = String::new();
        for sentence in line.split_inclusive(". ") {
            if count + taken.chars().count() + sentence.chars().count() > limit {
                break;
            }
            taken.push_str(sentence);
        }
        out.push_str(taken.trim_end());
        break;
    }
    out
}

pub(super) fn draft_for(alert: &Alert, platform: Platform, posts: &[PostEvidence]) -> ReportDraft {
    let name = visible(&alert.identity.name, 100);
    let impostor_url = profile_url(&alert.profile);
    let handle = shown_handle(alert);
    let where_ = platform_name(&alert.platform);

    // A report API files only about accounts on its own platform.
    let module = crate::platforms::module(&platform);
    let (api, limit) = match module.and_then(|m| m.report_api()) {
        Some((api, limit)) if alert.platform == platform => (Some(api), limit),
        _ => (None, FORM_TEXT_MAX),
    };
    let mut text = String::new();
    for level in 0..=Level::LAST {
        text = compose(alert, posts, &platform, Level(level));
        if text.chars().count() <= limit {
            break;
        }
    }
    let text = cut_sentences(&text, limit);

    let subject = format!("Impersonation: {handle} on {where_} impersonates me, {name}");
    let own_first = alert
        .identity
        .handles
        .iter()
        .find(|h| h.platform == platform)
        .or_else(|| alert.identity.handles.first())
        .map(|h| visible(&h.handle, 120))
        .unwrap_or_default();
    let fields = vec![
        DraftField {
            label: "Account to report".into(),
            value: impostor_url.clone(),
        },
        DraftField {
            label: "Account being impersonated".into(),
            value: if own_first.is_empty() {
                name.clone()
            } else {
                format!("{name} ({own_first})")
            },
        },
        DraftField {
            label: "Description".into(),
            value: text.clone(),
        },
    ];
    ReportDraft {
        alert_id: alert.id,
        form_url: form_url(&platform).map(str::to_string),
        in_app_path: in_app_path(&platform).map(str::to_string),
        platform,
        impostor_url,
        api,
        subject,
        text,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_show_as_code_points() {
        assert_eq!(
            visible("Pal\u{200B}mer\u{202E}x", 100),
            "Pal<U+200B>mer<U+202E>x"
        );
        assert_eq!(visible("a\nb", 100), "a b");
        assert_eq!(visible("abcdef", 3), "abc…");
    }

    #[test]
    fn words_join_like_prose() {
        assert_eq!(join_words(&["name"]), "name");
        assert_eq!(join_words(&["name", "photo"]), "name and photo");
        assert_eq!(join_words(&["name", "photo", "bio"]), "name, photo and bio");
    }
}
