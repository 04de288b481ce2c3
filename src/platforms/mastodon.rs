//! Mastodon: `user@server` handles (ids are per server, so findings are keyed by handle),
//! search, lookups and directories on the servers in the settings with optional per-server
//! user tokens ([`crate::sources::mastodon`]), reports through `/api/v1/reports` with the
//! person's token on their own server ([`crate::report::mastodon`]).

use std::sync::Arc;

use super::{
    own_handle, required, BuiltSource, CredentialForm, CredentialNeed, Declared, PlatformFacts,
    PlatformModule, SecretLookup,
};
use crate::config::Config;
use crate::identity::{
    check_domain, Charset, HandleError, HandleRules, HandleShape, Identity, Platform,
};
use crate::report::mastodon::MastodonReporter;
use crate::report::{ReportApi, ReportError, ReportFiler};
use crate::secrets::SecretKey;
use crate::sources::mastodon::MastodonSource;
use crate::sources::SourceError;
use crate::store::Alert;

pub struct Mastodon;

/// Big Mastodon servers where an impostor would register the same username.
const BIG_SERVERS: &[&str] = &[
    "mastodon.social",
    "mastodon.online",
    "mas.to",
    "mstdn.social",
    "mastodon.world",
    "infosec.exchange",
    "hachyderm.io",
    "fosstodon.org",
    "universeodon.com",
    "masto.ai",
    "mstdn.party",
    "techhub.social",
];

/// The server of `user@server` (the whole text when there is no `@`).
fn server_of(handle: &str) -> &str {
    handle.rsplit('@').next().unwrap_or_default()
}

/// The keychain name of the server at `url`: its host, with `:port` when the port is not the
/// scheme's default, so a token is only ever sent to the host and port it was stored for.
fn server_key(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The server a token typed for `account` belongs to: `host` or `host:port` from
/// `mastodon.social`, `me@mastodon.social` or `https://mastodon.social:8443/`. Anything else (a
/// path, a port out of range, a name that is no host) is refused: the token would be stored
/// under a server nobody can reach.
fn token_server(account: &str) -> Result<String, String> {
    let bare = account.trim().to_ascii_lowercase();
    let bare = bare
        .strip_prefix("https://")
        .or_else(|| bare.strip_prefix("http://"))
        .unwrap_or(&bare)
        .trim_end_matches('/');
    let server = server_of(bare);
    let refuse = |why: &str| {
        Err(format!(
            "{server:?} is not a Mastodon server: {why}; type it as mastodon.social (or \
             host:port)"
        ))
    };
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) if p > 0 => (host, Some(p)),
            _ => return refuse("the port is not a number from 1 to 65535"),
        },
        None => (server, None),
    };
    let is_host = check_domain(host).is_ok()
        || host == "localhost"
        || host.parse::<std::net::Ipv4Addr>().is_ok();
    if !is_host {
        return refuse("that is not a host name");
    }
    Ok(match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

impl Declared for Mastodon {
    const FACTS: &'static PlatformFacts = &PlatformFacts {
        aliases: &["fediverse"],
        in_app_path: Some("On the profile: ... -> Report -> Other"),
        report_api: Some(ReportApi::MastodonReports),
        credential_form: Some(CredentialForm {
            account_label: "Your server (e.g. mastodon.social)",
            secret_label: "Access token (Preferences → Development)",
        }),
        credential_advice: "a user access token for this Mastodon server",
        ..PlatformFacts::new(|| Platform::Mastodon, "mastodon", "Mastodon")
    };
}

impl PlatformModule for Mastodon {
    fn validate_handle(&self, bare: &str, typed: &str) -> Result<String, HandleError> {
        let invalid = |why: &str| HandleError::Mastodon {
            handle: typed.to_string(),
            why: why.into(),
        };
        let (user, server) = bare
            .split_once('@')
            .ok_or_else(|| invalid("the server part is missing"))?;
        if user.is_empty()
            || user.len() > 30
            || !user
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            return Err(invalid(
                "the username may only hold letters, digits and underscores",
            ));
        }
        let server = server.to_ascii_lowercase();
        check_domain(&server).map_err(|why| invalid(&format!("the server {why}")))?;
        Ok(format!("{user}@{server}"))
    }
    fn handle_rules(&self) -> HandleRules {
        HandleRules {
            big_servers: BIG_SERVERS,
            // Mastodon's sign-up form takes letters, digits and underscores.
            ..HandleRules::new(
                HandleShape::Fediverse,
                Charset {
                    extra: b"_",
                    seps: b"_",
                    ..Charset::BASE
                },
            )
        }
    }
    fn profile_url(&self, handle: &str) -> String {
        match handle.split_once('@') {
            Some((user, server)) => format!("https://{server}/@{user}"),
            None => format!("@{handle}"),
        }
    }
    fn credentials_for(&self, identity: &Identity) -> Vec<CredentialNeed> {
        identity
            .handles_on(&Platform::Mastodon)
            .map(|handle| {
                let server = server_of(handle).to_string();
                CredentialNeed {
                    what: format!("access token for {server}"),
                    key: SecretKey::MastodonToken { server },
                }
            })
            .collect()
    }
    fn credential_key(&self, account: &str) -> Result<SecretKey, String> {
        if account.is_empty() {
            return Err("type your Mastodon server: the token belongs to it".into());
        }
        Ok(SecretKey::MastodonToken {
            server: token_server(account)?,
        })
    }
    fn build_source(
        &self,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Result<Result<BuiltSource, String>, SourceError> {
        if !config.mastodon.enabled || config.mastodon.servers.is_empty() {
            return Ok(Err("disabled in settings or no server listed".into()));
        }
        let mut source = MastodonSource::new(config)?;
        // A user token per server (optional): more search pages where one is stored.
        for server in &config.mastodon.servers {
            let Some(key) = server_key(server) else {
                continue;
            };
            if let Some(token) = secrets(&SecretKey::MastodonToken { server: key }) {
                source = source.with_token(server, token.expose().to_string());
            }
        }
        Ok(Ok(BuiltSource {
            source: Arc::new(source),
            live: None,
        }))
    }
    fn filer(
        &self,
        alert: &Alert,
        config: &Config,
        secrets: SecretLookup<'_>,
    ) -> Option<Result<Box<dyn ReportFiler>, ReportError>> {
        Some((|| {
            let handle = own_handle(alert, &Platform::Mastodon)?;
            let server = server_of(&handle).to_string();
            let key = SecretKey::MastodonToken {
                server: server.clone(),
            };
            let token = required(secrets, key, format!("Mastodon access token for {server}"))?;
            let listed = config
                .mastodon
                .servers
                .iter()
                // Host and port: a token for `server` never goes to another port of it.
                .find(|s| server_key(s).as_deref() == Some(server.as_str()));
            // The demo's fake stands for the person's server (demo mode only).
            let demo = config
                .mastodon
                .demo_domain
                .as_deref()
                .filter(|d| listed.is_none() && *d == server)
                .and(config.mastodon.servers.first());
            let filer: Box<dyn ReportFiler> = match demo {
                Some(fake) => Box::new(MastodonReporter::new(fake, token)?.named(&server)),
                None => {
                    let base = listed
                        .cloned()
                        .unwrap_or_else(|| format!("https://{server}"));
                    Box::new(MastodonReporter::new(&base, token)?)
                }
            };
            Ok(filer)
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_belongs_to_the_host_and_port_typed() {
        for (typed, server) in [
            ("Mastodon.Social", "mastodon.social"),
            ("me@mastodon.social", "mastodon.social"),
            ("https://mastodon.social:8443/", "mastodon.social:8443"),
            ("127.0.0.1:4001", "127.0.0.1:4001"),
        ] {
            assert_eq!(token_server(typed).as_deref(), Ok(server), "{typed}");
        }
        for typed in ["a/b@c:99999999", "host.example:", "x.example/path", "nodot"] {
            assert!(token_server(typed).is_err(), "{typed}");
        }
    }
}
