//! X: `@name` handles (letters, digits, underscore, at most 15), paid reads through the
//! person's own API keys with a daily spending cap ([`crate::sources::x`]); no report API, so
//! reports go through X's impersonation form.

use std::sync::Arc;

use super::{
    BudgetForm, BuiltSource, CredentialForm, DailyBudget, Declared, PlatformFacts, PlatformKey,
    PlatformModule, SecretLookup,
};
use crate::config::ranges::X_DAILY_CAP_USD;
use crate::config::Config;
use crate::identity::{Charset, HandleError, HandleRules, HandleShape, Platform};
use crate::secrets::SecretKey;
use crate::sources::x::{XCredentials, XSource};
use crate::sources::SourceError;

pub struct X;

impl Declared for X {
    const FACTS: &'static PlatformFacts = &PlatformFacts {
        aliases: &["twitter"],
        // Every read is paid: every six hours unless the person asks for more.
        default_interval_secs: Some(6 * 60 * 60),
        form_url: Some("https://help.x.com/en/forms/authenticity/impersonation"),
        credential_form: Some(CredentialForm {
            account_label: "Label for this key",
            secret_label: "API bearer token (your own developer account)",
        }),
        credential_advice: "the X API bearer token (or user token for search)",
        platform_key: Some(PlatformKey {
            what: "API bearer token",
            key: || SecretKey::XBearerToken,
        }),
        budget: Some(DailyBudget {
            form: BudgetForm {
                key: "x.daily_cap_usd",
                label: "X API spending cap per day (US dollars)",
                hint: "Checks on X stop for the day when the cap is reached.",
                min: X_DAILY_CAP_USD.min,
                max: X_DAILY_CAP_USD.max,
                step: 0.5,
                whole: false,
            },
            get: |config| config.x.daily_cap_usd,
            set: |config, value| config.x.daily_cap_usd = value,
        }),
        ..PlatformFacts::new(|| Platform::X, "x", "X")
    };
}

impl PlatformModule for X {
    fn validate_handle(&self, bare: &str, typed: &str) -> Result<String, HandleError> {
        let ok = bare.len() <= 15 && bare.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            Ok(bare.to_string())
        } else {
            Err(HandleError::X {
                handle: typed.to_string(),
            })
        }
    }
    fn handle_rules(&self) -> HandleRules {
        HandleRules {
            // "Real" + a long handle loses its end at the 15-character limit.
            cut_at: Some(15),
            ..HandleRules::new(
                HandleShape::Username,
                Charset {
                    max: 15,
                    extra: b"_",
                    seps: b"_",
                    ..Charset::BASE
                },
            )
        }
    }
    fn profile_url(&self, handle: &str) -> String {
        format!("https://x.com/{handle}")
    }
    fn report_instructions(&self, copied: &[&str]) -> Option<String> {
        Some(format!(
            "\nX treats an account as impersonation when it copies two or more identity elements; this one copies {} ({}). I am the person impersonated (or their authorised representative) and can confirm my identity.\n",
            copied.len(),
            crate::report::text::join_words(copied)
        ))
    }
    fn build_source(
        &self,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Result<Result<BuiltSource, String>, SourceError> {
        if !config.x.enabled {
            return Ok(Err("disabled in settings".into()));
        }
        let read = |key| secrets(&key).map(|s| s.expose().to_string());
        let credentials = XCredentials {
            bearer_token: read(SecretKey::XBearerToken),
            user_token: read(SecretKey::XUserToken),
        };
        if credentials.bearer_token.is_none() && credentials.user_token.is_none() {
            return Ok(Err(
                "needs your X API bearer token (X is paid per read; add it in settings)".into(),
            ));
        }
        Ok(Ok(BuiltSource {
            source: Arc::new(XSource::new(config, credentials)?),
            live: None,
        }))
    }
}
