//! Bluesky: domain handles (lowercased), DIDs as stable ids, search + look-alike probes + the
//! Jetstream live stream ([`crate::sources::bluesky`]), reports through `createReport` as the
//! person's account with an app password ([`crate::report::bluesky`]).

use std::sync::Arc;

use super::{
    own_handle, required, AvatarHost, BuiltSource, CredentialForm, CredentialNeed, Declared,
    PlatformFacts, PlatformModule, SecretLookup,
};
use crate::config::Config;
use crate::identity::{
    check_domain, Charset, HandleError, HandleRules, HandleShape, HostedDomain, Identity, Platform,
};
use crate::report::bluesky::BlueskyReporter;
use crate::report::{ReportApi, ReportError, ReportFiler};
use crate::secrets::SecretKey;
use crate::sources::bluesky::{cid, BlueskySource};
use crate::sources::SourceError;
use crate::store::Alert;

pub struct Bluesky;

impl Declared for Bluesky {
    const FACTS: &'static PlatformFacts = &PlatformFacts {
        aliases: &["bsky"],
        watched_live: true,
        in_app_path: Some("On the profile: ... -> Report account -> Misleading -> Impersonation"),
        report_api: Some(ReportApi::BlueskyCreateReport),
        credential_form: Some(CredentialForm {
            account_label: "Your handle",
            secret_label: "App password (Settings → Privacy → App passwords)",
        }),
        credential_advice: "the Bluesky app password",
        ..PlatformFacts::new(|| Platform::Bluesky, "bluesky", "Bluesky")
    };
}

impl PlatformModule for Bluesky {
    fn validate_handle(&self, bare: &str, typed: &str) -> Result<String, HandleError> {
        let lower = bare.to_ascii_lowercase();
        check_domain(&lower).map_err(|why| HandleError::Bluesky {
            handle: typed.to_string(),
            why,
        })?;
        Ok(lower)
    }
    fn handle_rules(&self) -> HandleRules {
        // The first label of a domain name: lowercase letters, digits and inner hyphens.
        let label = Charset {
            upper: false,
            max: 63,
            extra: b"-",
            seps: b"-",
            edge: b"",
            ..Charset::BASE
        };
        HandleRules {
            hosted: Some(HostedDomain {
                suffix: "bsky.social",
                // bsky.social accepts 3 to 18 characters before the suffix.
                charset: Charset {
                    min: 3,
                    max: 18,
                    ..label
                },
                kind: "bsky_social",
            }),
            ..HandleRules::new(HandleShape::Domain, label)
        }
    }
    fn profile_url(&self, handle: &str) -> String {
        format!("https://bsky.app/profile/{handle}")
    }
    fn avatar_host(&self) -> Option<AvatarHost> {
        // Every Bluesky avatar is on its CDN, named by the account's DID and the image's CID.
        Some(AvatarHost {
            host: cid::BLUESKY_CDN_HOST,
            rebuild: cid::cdn_avatar_url,
        })
    }
    fn credentials_for(&self, identity: &Identity) -> Vec<CredentialNeed> {
        identity
            .handles_on(&Platform::Bluesky)
            .map(|handle| CredentialNeed {
                what: format!("app password for {handle}"),
                key: SecretKey::BlueskyAppPassword {
                    handle: handle.to_string(),
                },
            })
            .collect()
    }
    fn credential_key(&self, account: &str) -> Result<SecretKey, String> {
        if account.is_empty() {
            return Err("type your Bluesky handle: the app password belongs to it".into());
        }
        Ok(SecretKey::BlueskyAppPassword {
            handle: account.to_string(),
        })
    }
    fn build_source(
        &self,
        config: &Config,
        _secrets: SecretLookup<'_>,
    ) -> Result<Result<BuiltSource, String>, SourceError> {
        if !config.bluesky.enabled {
            return Ok(Err("disabled in settings".into()));
        }
        let source = Arc::new(BlueskySource::new(config)?);
        Ok(Ok(BuiltSource {
            live: config.bluesky.live.then(|| source.clone()),
            source,
        }))
    }
    fn filer(
        &self,
        alert: &Alert,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Option<Result<Box<dyn ReportFiler>, ReportError>> {
        Some((|| {
            let handle = own_handle(alert, &Platform::Bluesky)?;
            let key = SecretKey::BlueskyAppPassword {
                handle: handle.clone(),
            };
            let password = required(secrets, key, format!("Bluesky app password for {handle}"))?;
            let filer: Box<dyn ReportFiler> = Box::new(BlueskyReporter::for_settings(
                &config.bluesky.pds_url,
                &handle,
                password,
                &config.http.loopback_fakes,
            )?);
            Ok(filer)
        })())
    }
}
