//! YouTube: `@handle` channels (3 to 30 characters; letters of many scripts, digits, `_`, `-`,
//! `.`), read through the Data API with the person's own API key within a daily quota
//! ([`crate::sources::youtube`]); no report API, so reports go through YouTube's impersonation
//! form.

use std::sync::Arc;

use unicode_script::Script;

use super::{
    BudgetForm, BuiltSource, CredentialForm, DailyBudget, Declared, PlatformFacts, PlatformKey,
    PlatformModule, SecretLookup,
};
use crate::config::ranges::YOUTUBE_DAILY_QUOTA_UNITS;
use crate::config::Config;
use crate::identity::{Charset, HandleError, HandleRules, HandleShape, Platform};
use crate::secrets::SecretKey;
use crate::sources::youtube::YoutubeSource;
use crate::sources::SourceError;

pub struct Youtube;

/// YouTube's handle rules in words, for the error a refused handle gets. From "Handle naming
/// guidelines", <https://support.google.com/youtube/answer/11585688>: 3 to 30 characters;
/// letters and digits (A–Z, a–z, 0–9, and since 2023 the letters of some 75 languages'
/// scripts, one script per handle); underscores, hyphens and periods (and the middle dot of
/// some scripts), though not at the start or end; not URL-like or phone-number-like; not case
/// sensitive.
const RULES: &str = "YouTube handles are 3 to 30 letters (of one script) or digits, with _ - . allowed inside but not at the start or end, e.g. @PalmerReport";

/// Whether `bare` follows YouTube's handle rules.
fn allowed(bare: &str) -> bool {
    let chars: Vec<char> = bare.chars().collect();
    let seps = |c: char| matches!(c, '_' | '-' | '.' | '·');
    let ok_chars = chars
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || seps(c) || (!c.is_ascii() && c.is_alphanumeric()));
    let edges = chars.first().is_some_and(|&c| !seps(c)) && chars.last().is_some_and(|&c| !seps(c));
    // One script per handle (Latin never mixes with Cyrillic...); Japanese and Korean
    // writing mix their own scripts with Han.
    let scripts = crate::detect::confusables::letter_scripts(bare);
    let east_asian = scripts.iter().all(|s| {
        matches!(
            s,
            Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul
        )
    });
    let one_script = scripts.len() <= 1 || east_asian;
    (3..=30).contains(&chars.len()) && ok_chars && edges && one_script
}

impl Declared for Youtube {
    const FACTS: &'static PlatformFacts = &PlatformFacts {
    aliases: &["yt"],
    // YouTube's impersonation policy and reporting route,
    // <https://support.google.com/youtube/answer/2801947> (the link the project's reference
    // list gives for YouTube): it sends an impersonated person to the channel's "Report user"
    // > "Impersonation" and to YouTube's impersonation complaint webform. The webform's own
    // address (cited in public code as
    // `https://support.google.com/youtube/contact/impersonation`) could not be confirmed on
    // the help page with the search tools (2026-12), so the draft links the help page.
    form_url: Some("https://support.google.com/youtube/answer/2801947"),
    in_app_path: Some("the channel's page > About (or ⋮) > Report user > Impersonation"),
    credential_advice: "the YouTube Data API key",
    credential_form: Some(CredentialForm {
        account_label: "Label for this key",
        secret_label: "YouTube Data API key (Google Cloud console > APIs & Services > Credentials)",
    }),
    platform_key: Some(PlatformKey {
        what: "YouTube Data API key",
        key: || SecretKey::YoutubeApiKey,
    }),
    budget: Some(DailyBudget {
        form: BudgetForm {
            key: "youtube.daily_quota_units",
            label: "YouTube API quota per day (units: a handle probe costs 1, a name search 100)",
            hint: "Checks on YouTube stop for the day when it is used up (YouTube gives a key 10,000 units a day; the day ends at midnight Pacific Time).",
            min: YOUTUBE_DAILY_QUOTA_UNITS.min,
            max: YOUTUBE_DAILY_QUOTA_UNITS.max,
            step: 100.0,
            whole: true,
        },
        get: |config| config.youtube.daily_quota_units as f64,
        set: |config, value| config.youtube.daily_quota_units = value as u64,
    }),
    ..PlatformFacts::new(|| Platform::Youtube, "youtube", "YouTube")
    };
}

impl PlatformModule for Youtube {
    fn validate_handle(&self, bare: &str, typed: &str) -> Result<String, HandleError> {
        if allowed(bare) {
            Ok(bare.to_string())
        } else {
            Err(HandleError::Rules {
                platform: Platform::Youtube,
                handle: typed.to_string(),
                rules: RULES,
            })
        }
    }
    fn handle_rules(&self) -> HandleRules {
        HandleRules::new(
            HandleShape::Username,
            Charset {
                min: 3,
                max: 30,
                extra: b"_.-",
                seps: b"_.-",
                edge: b"",
                // Handles may be written in many scripts, so a Cyrillic `а` in a handle is
                // something an impostor can register (UTS #39 confusables apply).
                unicode: true,
                ..Charset::BASE
            },
        )
    }
    fn profile_url(&self, handle: &str) -> String {
        format!("https://www.youtube.com/@{handle}")
    }
    fn report_instructions(&self, copied: &[&str]) -> Option<String> {
        Some(format!(
            "\nThis channel impersonates me: it copies my {} to pass itself off as my channel. I am the person impersonated (or their authorised representative) and can confirm my identity.\n",
            crate::report::text::join_words(copied)
        ))
    }
    fn build_source(
        &self,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Result<Result<BuiltSource, String>, SourceError> {
        if !config.youtube.enabled {
            return Ok(Err("disabled in settings".into()));
        }
        let Some(key) = secrets(&SecretKey::YoutubeApiKey).map(|s| s.expose().to_string()) else {
            return Ok(Err(
                "needs your YouTube Data API key (free, with a daily quota; add it in settings)"
                    .into(),
            ));
        };
        Ok(Ok(BuiltSource {
            source: Arc::new(YoutubeSource::new(config, Some(key))?),
            live: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_follow_youtubes_rules() {
        let m = Youtube;
        for ok in [
            "PalmerReport",
            "palmer.report",
            "a_b",
            "ПалмерРепорт",
            "Ана2024",
            "paimer-report",
        ] {
            assert_eq!(m.validate_handle(ok, ok).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "ab",
            "_palmer",
            "palmer.",
            "palmer report",
            "Pаlmer", // Cyrillic а among Latin letters: scripts never mix
            "a234567890123456789012345678901",
            "pal/mer",
        ] {
            let e = m.validate_handle(bad, bad).unwrap_err();
            assert!(e.to_string().contains("3 to 30"), "{bad}: {e}");
        }
        assert_eq!(
            m.profile_url("PalmerReport"),
            "https://www.youtube.com/@PalmerReport"
        );
    }
}
