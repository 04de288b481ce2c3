//! The words of a report draft. Everything written by the impostor passes through [`visible`]
//! before it lands in a draft, so hidden characters show instead of acting.

use crate::detect::Signal;
use crate::identity::Platform;
use crate::store::Alert;

use super::forms::{form_url, in_app_path, profile_url};
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

pub(super) fn draft_for(alert: &Alert, platform: Platform) -> ReportDraft {
    let name = visible(&alert.identity.name, 100);
    let impostor_url = profile_url(&alert.profile);
    let handle = shown_handle(alert);
    let where_ = platform_name(&alert.platform);
    let copied = copied_elements(alert);

    let mut text = String::new();
    text.push_str(&format!(
        "The account {handle} on {where_} ({impostor_url}) impersonates me, {name}.\n"
    ));
    if !copied.is_empty() {
        text.push_str(&format!("It copies my {}.\n", join_words(&copied)));
    }
    let own: Vec<String> = alert
        .identity
        .handles
        .iter()
        .map(|h| {
            let p = crate::profile::Profile {
                platform: h.platform.clone(),
                handle: h.handle.clone(),
                ..Default::default()
            };
            format!("- {}: {}", platform_name(&h.platform), profile_url(&p))
        })
        .collect();
    if !own.is_empty() {
        text.push_str("\nMy real accounts:\n");
        text.push_str(&own.join("\n"));
        text.push('\n');
    }
    if !alert.reasons.is_empty() {
        text.push_str("\nEvidence:\n");
        for reason in &alert.reasons {
            if matches!(reason.signal, Signal::OwnAccount) {
                continue;
            }
            text.push_str(&format!("- {}\n", visible(&reason.detail, 300)));
        }
    }
    let mut shown = Vec::new();
    if let Some(display) = alert.profile.display_name.as_deref() {
        shown.push(format!("display name \"{}\"", visible(display, 100)));
    }
    if let Some(bio) = alert
        .profile
        .bio
        .as_deref()
        .filter(|b| !b.trim().is_empty())
    {
        shown.push(format!("bio \"{}\"", visible(bio, QUOTE_MAX_CHARS)));
    }
    if !shown.is_empty() {
        text.push_str(&format!("\nThe account shows: {}.\n", shown.join("; ")));
    }
    text.push_str(&format!(
        "First seen: {}.",
        alert.first_seen.format("%Y-%m-%d %H:%M UTC")
    ));
    if let Some(created) = alert.profile.created_at {
        text.push_str(&format!(
            " Account created: {}.",
            created.format("%Y-%m-%d")
        ));
    }
    text.push('\n');

    // A report API files only about accounts on its own platform.
    let module = crate::platforms::module(&platform);
    let (api, limit) = match module.and_then(|m| m.report_api()) {
        Some((api, limit)) if alert.platform == platform => (Some(api), Some(limit)),
        _ => (None, None),
    };
    if let Some(words) = module.and_then(|m| m.report_instructions(&copied)) {
        text.push_str(&words);
    }
    match platform {
        Platform::Instagram | Platform::Threads => text.push_str(
            "\nInstagram asks for a photo of a government ID with this form: have it ready.\n",
        ),
        _ => {}
    }
    if let Some(limit) = limit {
        text = text.chars().take(limit).collect();
    }

    let subject = format!("Impersonation: {handle} on {where_} impersonates {name}");
    let own_first = alert
        .identity
        .handles
        .iter()
        .find(|h| h.platform == platform)
        .or_else(|| alert.identity.handles.first())
        .map(|h| h.handle.clone())
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
