//! The platform registry: every supported platform is one module here implementing
//! [`PlatformModule`], listed once in [`ALL`]. A module declares everything that differs per
//! platform: its name in JSON and on screen, its handle rules, its profile URLs and report form,
//! which credentials it needs (keychain keys, and the words the UI asks for them with), how its
//! source is built from the settings and those credentials, and its report filer.
//!
//! Everything else (the CLI's `scan` and `alerts`, the watch setup, the app facade, the desktop
//! commands and the UI's lists) iterates over [`ALL`] or looks a platform up with [`module`];
//! nothing outside these modules names a platform. This module never does I/O itself.
//!
//! Adding a platform: write `src/platforms/<name>.rs` declaring its [`PlatformFacts`]
//! ([`Declared`]) and implementing [`PlatformModule`] (its source under
//! `src/sources/<name>/`, its filer under `src/report/` if it has a report API), then add one
//! line to [`ALL`].

mod bluesky;
mod mastodon;
mod x;
mod youtube;

use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::identity::{HandleError, HandleRules, HandleShape, Identity, Platform};
use crate::report::{ReportApi, ReportError, ReportFiler};
use crate::secrets::{Secret, SecretKey};
use crate::sources::bluesky::BlueskySource;
use crate::sources::{Source, SourceError};
use crate::store::Alert;

/// Every supported platform, in the order the UI lists them. Adding a platform is one module
/// plus one line here.
pub static ALL: &[&dyn PlatformModule] = &[
    &bluesky::Bluesky,
    &mastodon::Mastodon,
    &x::X,
    &youtube::Youtube,
];

/// The module of `platform`, if it is supported.
pub fn module(platform: &Platform) -> Option<&'static dyn PlatformModule> {
    ALL.iter().copied().find(|m| m.platform() == *platform)
}

/// The module whose id or alias is `name` (case-insensitive), if any.
pub fn by_name(name: &str) -> Option<&'static dyn PlatformModule> {
    let lower = name.trim().to_ascii_lowercase();
    ALL.iter()
        .copied()
        .find(|m| m.id() == lower || m.aliases().contains(&lower.as_str()))
}

/// Reads a secret from wherever the caller keeps them (the keychain, demo memory); `None`
/// when it is not stored or cannot be read (the caller logs why).
pub type SecretLookup<'a> = &'a dyn Fn(&SecretKey) -> Option<Secret>;

/// A credential a platform can use for one of the person's accounts, for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialNeed {
    /// What it is, e.g. `app password for alice.bsky.social`.
    pub what: String,
    pub key: SecretKey,
}

/// How the UI asks for a platform's credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CredentialForm {
    /// Label of the account field, e.g. `Your handle`.
    pub account_label: &'static str,
    /// Label of the secret field, with where to find it.
    pub secret_label: &'static str,
}

/// A platform's daily budget as the settings ask for it (X's spending cap in dollars,
/// YouTube's quota in units): the field's words and the range the settings file accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetForm {
    /// The settings key it is kept under (`x.daily_cap_usd`).
    pub key: &'static str,
    /// Label of the field, with its unit.
    pub label: &'static str,
    /// What happens when it is reached.
    pub hint: &'static str,
    pub min: f64,
    pub max: f64,
    /// The step of the number input.
    pub step: f64,
    /// Whole numbers only.
    pub whole: bool,
}

/// A credential that is one for a whole platform (an API key), whatever the accounts.
#[derive(Debug, Clone, Copy)]
pub struct PlatformKey {
    /// What it is called, e.g. `API bearer token`.
    pub what: &'static str,
    /// Its keychain entry (a function, so the facts stay a constant).
    pub key: fn() -> SecretKey,
}

/// A platform's daily budget: the settings field, and where its value lives in the settings.
#[derive(Debug, Clone, Copy)]
pub struct DailyBudget {
    pub form: BudgetForm,
    /// The value in `config`, in the form's unit.
    pub get: fn(&Config) -> f64,
    /// Sets it in `config` (checked against [`BudgetForm::accepts`] first).
    pub set: fn(&mut Config, f64),
}

impl BudgetForm {
    /// Whether `value` may be saved.
    pub fn accepts(&self, value: f64) -> bool {
        value.is_finite()
            && self.min <= value
            && value <= self.max
            && (!self.whole || value.fract() == 0.0)
    }
}

/// What the UI shows of a platform. Its lists (onboarding's handles, the settings'
/// credentials and daily budgets, platform names on every page) are built from these, in
/// registry order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformInfo {
    /// The name in JSON (`bluesky`).
    pub id: &'static str,
    /// The name on screen (`Bluesky`).
    pub label: &'static str,
    /// An example handle for onboarding.
    pub example: String,
    /// How the settings ask for its credential; `None` when it takes none.
    pub credential: Option<CredentialForm>,
    /// Watched live as well as by periodic checks.
    pub live: bool,
    /// Reading from it costs money (or a daily quota).
    pub paid_reads: bool,
    /// Its daily budget field in settings; `None` when reading is free.
    pub budget: Option<BudgetForm>,
    /// Reports can be filed through its API (so in a batch).
    pub report_api: bool,
    /// Reports go through an official web form, one account at a time.
    pub web_form: bool,
}

/// Every registered platform as the UI shows it, in registry order.
pub fn infos() -> Vec<PlatformInfo> {
    ALL.iter()
        .map(|m| PlatformInfo {
            id: m.id(),
            label: m.display_name(),
            example: m.handle_example(),
            credential: m.credential_form(),
            live: m.watched_live(),
            paid_reads: m.paid_reads(),
            budget: m.budget_form(),
            report_api: m.report_api().is_some(),
            web_form: m.form_url().is_some(),
        })
        .collect()
}

/// The one host a platform serves every avatar from (Bluesky's CDN): an avatar address found
/// elsewhere is rebuilt there, never fetched where the data points.
#[derive(Debug, Clone, Copy)]
pub struct AvatarHost {
    /// The host name (`cdn.bsky.app`).
    pub host: &'static str,
    /// The address on that host of the image `url` names for the account with the platform's
    /// id `account_id`; `None` when it names no image there.
    pub rebuild: fn(account_id: Option<&str>, url: &str) -> Option<String>,
}

/// A platform's source as built from the settings: periodic checks, plus a live stream when
/// the platform has one and the settings follow it.
pub struct BuiltSource {
    pub source: Arc<dyn Source>,
    pub live: Option<Arc<BlueskySource>>,
}

/// The plain facts of a platform: its names, how it is read and where its reports go. A
/// module declares them as one constant ([`Declared::FACTS`]: [`PlatformFacts::new`] plus
/// what differs from the defaults); its behaviour (handle rules, sources, filers) stays in
/// [`PlatformModule`].
#[derive(Debug)]
pub struct PlatformFacts {
    /// The model's variant (a function, so the facts stay a constant: the model also has
    /// an owned variant for unsupported platforms).
    pub platform: fn() -> Platform,
    /// The lowercase name in JSON, the CLI and the keychain (`bluesky`).
    pub id: &'static str,
    /// Other names accepted when parsing (`bsky`).
    pub aliases: &'static [&'static str],
    /// The name as people write it (`Bluesky`).
    pub display_name: &'static str,
    /// Also watched live (a stream), not only by periodic checks.
    pub watched_live: bool,
    /// The check interval it gets by default when it differs from the general one.
    pub default_interval_secs: Option<u64>,
    /// The official web form for impersonation reports, if any.
    pub form_url: Option<&'static str>,
    /// Where the report lives inside the platform's own app.
    pub in_app_path: Option<&'static str>,
    /// The report API, when the platform has one (its text limit: [`ReportApi::max_chars`]).
    pub report_api: Option<ReportApi>,
    /// What to say when the platform refuses the credentials sent.
    pub credential_advice: &'static str,
    /// How the UI asks for its credential (`None`: it takes none).
    pub credential_form: Option<CredentialForm>,
    /// The one keychain entry its credential is kept in when that is one for the whole
    /// platform (an API key); `None` when each of the person's accounts has its own (the
    /// module says which: [`PlatformModule::credentials_for`]).
    pub platform_key: Option<PlatformKey>,
    /// Its daily budget, when its reads cost money or quota.
    pub budget: Option<DailyBudget>,
}

impl PlatformFacts {
    /// A platform's names, with the rest at their defaults (no aliases, periodic checks only,
    /// free reads, no form, no report API, no credential); a module sets at least its
    /// credential advice (a registry test checks).
    pub const fn new(
        platform: fn() -> Platform,
        id: &'static str,
        display_name: &'static str,
    ) -> Self {
        PlatformFacts {
            platform,
            id,
            aliases: &[],
            display_name,
            watched_live: false,
            default_interval_secs: None,
            form_url: None,
            in_app_path: None,
            report_api: None,
            credential_advice: "",
            credential_form: None,
            platform_key: None,
            budget: None,
        }
    }
}

/// A platform module's plain facts, declared once as a constant; [`Facts::facts`] (and so
/// every fact [`PlatformModule`] answers) comes with it.
pub trait Declared {
    const FACTS: &'static PlatformFacts;
}

/// The plain facts of a platform module, readable through `dyn PlatformModule`.
pub trait Facts {
    /// The platform's plain facts.
    fn facts(&self) -> &'static PlatformFacts;
}

impl<T: Declared> Facts for T {
    fn facts(&self) -> &'static PlatformFacts {
        T::FACTS
    }
}

/// Everything that differs per platform: its [`PlatformFacts`] (through [`Declared`]) and its
/// behaviour.
pub trait PlatformModule: Facts + Send + Sync {
    /// The model's variant.
    fn platform(&self) -> Platform {
        (self.facts().platform)()
    }
    /// The lowercase name in JSON, the CLI and the keychain (`bluesky`).
    fn id(&self) -> &'static str {
        self.facts().id
    }
    /// Other names accepted when parsing (`bsky`).
    fn aliases(&self) -> &'static [&'static str] {
        self.facts().aliases
    }
    /// The name as people write it (`Bluesky`).
    fn display_name(&self) -> &'static str {
        self.facts().display_name
    }
    /// An example handle for the onboarding form, put together as the handle rules say
    /// (`alice`, `alice.bsky.social`, `alice@mastodon.social`).
    fn handle_example(&self) -> String {
        let rules = self.handle_rules();
        match (rules.shape, rules.hosted, rules.big_servers.first()) {
            (HandleShape::Domain, Some(hosted), _) => format!("alice.{}", hosted.suffix),
            (HandleShape::Domain, None, _) => "alice.com".into(),
            (HandleShape::Fediverse, _, server) => {
                format!("alice@{}", server.unwrap_or(&"mastodon.social"))
            }
            (HandleShape::Username | HandleShape::Loose, ..) => "alice".into(),
        }
    }
    /// Checks a handle against the platform's rules; returns its canonical form.
    fn validate_handle(&self, bare: &str, typed: &str) -> Result<String, HandleError>;
    /// What its handles look like, for the detector: their shape, what the chosen part may
    /// hold and the quirks impostors use (how look-alike variants are made here).
    fn handle_rules(&self) -> HandleRules;
    /// The public profile URL of `handle` (no leading `@`).
    fn profile_url(&self, handle: &str) -> String;
    /// True when the platform is also watched live (a stream), not only by periodic checks.
    fn watched_live(&self) -> bool {
        self.facts().watched_live
    }
    /// True when reading from the platform costs money or a daily quota (it has a daily
    /// budget: X's paid API, YouTube's quota): the UI asks there last.
    fn paid_reads(&self) -> bool {
        self.facts().budget.is_some()
    }
    /// The daily budget the settings show, for platforms whose reads cost (money or quota).
    fn budget_form(&self) -> Option<BudgetForm> {
        self.facts().budget.map(|b| b.form)
    }
    /// The daily budget in `config`, in [`BudgetForm`]'s unit.
    fn budget(&self, config: &Config) -> Option<f64> {
        self.facts().budget.map(|b| (b.get)(config))
    }
    /// Sets the daily budget in `config` (checked against [`BudgetForm::accepts`] first).
    fn set_budget(&self, config: &mut Config, value: f64) {
        if let Some(budget) = self.facts().budget {
            (budget.set)(config, value);
        }
    }
    /// The one host the platform serves avatars from, if it has one; `None`: avatar addresses
    /// are fetched as given (through the guarded fetcher).
    fn avatar_host(&self) -> Option<AvatarHost> {
        None
    }
    /// The check interval this platform gets by default when it differs from the general one.
    fn default_interval_secs(&self) -> Option<u64> {
        self.facts().default_interval_secs
    }
    /// Account ids are per server (`user@server` handles: Mastodon), so a finding's stable id
    /// uses the handle instead.
    fn ids_per_server(&self) -> bool {
        self.handle_rules().shape == HandleShape::Fediverse
    }
    /// The official web form for impersonation reports, if any.
    fn form_url(&self) -> Option<&'static str> {
        self.facts().form_url
    }
    /// Where the report lives inside the platform's own app.
    fn in_app_path(&self) -> Option<&'static str> {
        self.facts().in_app_path
    }
    /// The report API and the longest report text it takes, when the platform has one.
    fn report_api(&self) -> Option<(ReportApi, usize)> {
        self.facts().report_api.map(|api| (api, api.max_chars()))
    }
    /// Words the platform's form asks for, added to the draft (`copied`: what the account
    /// copies, e.g. `name`, `photo`).
    fn report_instructions(&self, copied: &[&str]) -> Option<String> {
        let _ = copied;
        None
    }
    /// What to say when the platform refuses the credentials sent.
    fn credential_advice(&self) -> &'static str {
        self.facts().credential_advice
    }
    /// How the UI asks for this platform's credential (None: it takes none).
    fn credential_form(&self) -> Option<CredentialForm> {
        self.facts().credential_form
    }
    /// The credentials the person's accounts on this platform can use; by default the
    /// platform's one key ([`PlatformFacts::platform_key`]) whatever the accounts.
    fn credentials_for(&self, identity: &Identity) -> Vec<CredentialNeed> {
        let _ = identity;
        let key = self.facts().platform_key;
        key.into_iter()
            .map(|k| CredentialNeed {
                what: k.what.to_string(),
                key: (k.key)(),
            })
            .collect()
    }
    /// The keychain key of a credential typed for `account` (already trimmed and lowercased,
    /// without a leading `@`); an error in words when the account is needed and missing. By
    /// default the platform's one key, whatever the account.
    fn credential_key(&self, account: &str) -> Result<SecretKey, String> {
        let _ = account;
        let key = self.facts().platform_key.map(|k| (k.key)());
        key.ok_or_else(|| format!("{} takes no credential", self.display_name()))
    }
    /// Builds the source from the settings and credentials: `Ok(Err(why))` when it is off or
    /// lacks what it needs (shown on the status screen), `Err` when the settings are unusable.
    fn build_source(
        &self,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Result<Result<BuiltSource, String>, SourceError>;
    /// The filer that reports `alert` as the person's own account here; `None` when the
    /// platform has no report API (the person uses the form).
    fn filer(
        &self,
        alert: &Alert,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Option<Result<Box<dyn ReportFiler>, ReportError>> {
        let _ = (alert, config, secrets);
        None
    }
}

/// The filer for `alert`'s platform, signed in as the person's account there.
pub fn filer_for(
    alert: &Alert,
    config: &Config,
    secrets: SecretLookup<'_>,
) -> Result<Box<dyn ReportFiler>, ReportError> {
    module(&alert.platform)
        .and_then(|m| m.filer(alert, config, secrets))
        .unwrap_or_else(|| {
            Err(ReportError::NoApi {
                platform: alert.platform.clone(),
                form: crate::report::form_url(&alert.platform)
                    .unwrap_or("the in-app report")
                    .to_string(),
            })
        })
}

/// The person's own handle on `platform` to file with, or an error saying to add one.
pub(crate) fn own_handle(alert: &Alert, platform: &Platform) -> Result<String, ReportError> {
    alert
        .identity
        .handles_on(platform)
        .next()
        .map(String::from)
        .ok_or_else(|| ReportError::MissingCredential {
            what: format!(
                "your own {platform} account (add it to your identity to file on {platform})"
            ),
        })
}

/// A secret that must be there, or the error saying what to add.
pub(crate) fn required(
    secrets: SecretLookup<'_>,
    key: SecretKey,
    what: String,
) -> Result<Secret, ReportError> {
    secrets(&key).ok_or(ReportError::MissingCredential { what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_sees_every_registered_platform_once_in_order() {
        let infos = infos();
        assert_eq!(infos.len(), ALL.len());
        for (info, m) in infos.iter().zip(ALL) {
            assert_eq!(info.id, m.id());
            assert_eq!(by_name(info.id).map(|m| m.id()), Some(info.id));
            assert!(!info.label.is_empty() && !info.example.is_empty());
            assert!(!m.credential_advice().is_empty(), "{}", info.id);
            // The example handle is one the platform's own rules accept.
            let m = module(&m.platform()).expect("registered");
            assert!(
                m.validate_handle(&info.example, &info.example).is_ok(),
                "{}: example {:?} is refused by its own rules",
                info.id,
                info.example
            );
        }
        let mut ids: Vec<_> = infos.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), infos.len(), "two platforms share an id");
    }
}
