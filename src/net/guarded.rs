//! The guarded fetcher: the ONE way to fetch a URL taken from remote data (avatars now; posts
//! and media later), so a hostile server cannot make the app reach the person's own network.
//!
//! A URL is fetched only when:
//! - it is https. Plain http is allowed only to the origins of loopback fakes that tests and
//!   the demo configure explicitly ([`crate::config::HttpConfig::loopback_fakes`]), never by
//!   default, never to another host or port, loopback or not;
//! - it carries no credentials (`user:pass@`);
//! - every address it connects to is public ([`super::addr::is_public`]): a literal IP host
//!   (in any spelling the URL parser accepts: `2130706433`, `0x7f.1`, `[::ffff:7f00:1]`) is
//!   checked before the request, a name is checked as it resolves, by the client's own DNS
//!   resolver, on every new connection — so a name that resolves to a public address once and
//!   to 127.0.0.1 the next time (DNS rebinding) still never reaches loopback;
//! - every redirect passes the same checks, and there are at most [`MAX_REDIRECTS`] of them.
//!
//! No Referer is sent, no proxy is used (a proxy would resolve names where we cannot check
//! them), the whole exchange has a timeout and the body a size bound.
//!
//! Must never: fetch a URL it did not check, follow a redirect it did not check, or put a URL's
//! query in an error or a log (it may carry someone's token).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Origin, Url};

use super::addr::is_public;

/// Redirects followed at most, whatever the settings say.
pub const MAX_REDIRECTS: usize = 3;

/// Why a URL was not fetched; says what was wrong, never the URL's query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    BadUrl(String),
    #[error("{host}: only https addresses are fetched")]
    NotHttps { host: String },
    #[error("{host}: the address carries a user name or password, which are never sent")]
    Credentials { host: String },
    #[error(
        "{host} is not a public address ({addr}): addresses on the local network are never fetched"
    )]
    NotPublic { host: String, addr: String },
    #[error("{host}: more than {max} redirects")]
    TooManyRedirects { host: String, max: usize },
    #[error("{host} answered HTTP {status}")]
    Status { host: String, status: u16 },
    #[error("{host} sent more than the {limit} bytes allowed")]
    TooLarge { host: String, limit: usize },
    #[error("{host}: {problem}")]
    Network { host: String, problem: String },
}

/// Time and redirect bounds of a fetcher.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole exchange, redirects and body included.
    pub timeout: Duration,
    /// Each TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Redirects followed (at most [`MAX_REDIRECTS`]).
    pub max_redirects: usize,
}

/// Resolves a host name to addresses (the system resolver; tests give their own table).
pub trait Lookup: Send + Sync + 'static {
    /// All addresses of `host`.
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;
}

/// The operating system's resolver.
#[derive(Debug, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// What may be reached besides public https: the loopback fakes' origins (tests, demo).
#[derive(Debug, Default)]
struct Allowed {
    fakes: Vec<Origin>,
    /// Host names (not IP literals) of the fakes: only these may resolve to loopback.
    fake_names: Vec<String>,
}

impl Allowed {
    fn new(loopback_fakes: &[String]) -> Allowed {
        let mut allowed = Allowed::default();
        for url in loopback_fakes.iter().filter_map(|u| Url::parse(u).ok()) {
            if !is_loopback_host(&url) {
                continue;
            }
            if let Some(Host::Domain(name)) = url.host() {
                allowed.fake_names.push(name.to_ascii_lowercase());
            }
            allowed.fakes.push(url.origin());
        }
        allowed
    }

    fn is_fake(&self, url: &Url) -> bool {
        self.fakes.contains(&url.origin())
    }

    fn is_fake_name(&self, name: &str) -> bool {
        self.fake_names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}

/// Whether `url`'s host is loopback (127.0.0.0/8, ::1, or `localhost`).
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// The host of `url` for messages (never its path or query).
fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or("(no host)").to_string()
}

/// The checks a URL passes before any request to it (the first and every redirect target).
fn check_url(url: &Url, allowed: &Allowed) -> Result<(), FetchError> {
    let host = host_of(url);
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Credentials { host });
    }
    let fake = allowed.is_fake(url);
    match url.scheme() {
        "https" => {}
        "http" if fake => {}
        "http" => return Err(FetchError::NotHttps { host }),
        other => {
            return Err(FetchError::BadUrl(format!(
                "{host}: scheme {other:?} is never fetched"
            )))
        }
    }
    match url.host() {
        None => Err(FetchError::BadUrl("the address has no host".into())),
        Some(Host::Ipv4(ip)) if !fake && !is_public(IpAddr::V4(ip)) => Err(FetchError::NotPublic {
            host,
            addr: ip.to_string(),
        }),
        Some(Host::Ipv6(ip)) if !fake && !is_public(IpAddr::V6(ip)) => Err(FetchError::NotPublic {
            host,
            addr: ip.to_string(),
        }),
        // A fake's name on another port or scheme is another host.
        Some(Host::Domain(name)) if !fake && allowed.is_fake_name(name) => {
            Err(FetchError::NotPublic {
                host,
                addr: "loopback".into(),
            })
        }
        Some(_) => Ok(()),
    }
}

/// The client's DNS resolver: only public addresses (and loopback for a fake's own name) are
/// handed to the connector; a name with none left fails to resolve.
struct GuardedResolver {
    lookup: Arc<dyn Lookup>,
    allowed: Arc<Allowed>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let lookup = self.lookup.clone();
        let fake = self.allowed.is_fake_name(&host);
        Box::pin(async move {
            let found = lookup.lookup(host.clone()).await?;
            let kept: Vec<SocketAddr> = found
                .iter()
                .filter(|ip| is_public(**ip) || (fake && ip.is_loopback()))
                .map(|ip| SocketAddr::new(*ip, 0))
                .collect();
            if kept.is_empty() {
                let addr = found
                    .first()
                    .map_or_else(|| "no address".to_string(), IpAddr::to_string);
                return Err(FetchError::NotPublic { host, addr }.into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// An HTTP client that fetches only what the module docs allow.
#[derive(Clone)]
pub struct GuardedFetcher {
    client: reqwest::Client,
    allowed: Arc<Allowed>,
}

impl std::fmt::Debug for GuardedFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedFetcher")
            .field("fakes", &self.allowed.fakes)
            .finish()
    }
}

impl GuardedFetcher {
    /// A fetcher with the system resolver. `loopback_fakes` are base URLs of loopback fakes
    /// (tests, demo) that may be fetched over plain http; empty in real use.
    pub fn new(limits: Limits, loopback_fakes: &[String]) -> Result<GuardedFetcher, FetchError> {
        GuardedFetcher::with_lookup(limits, loopback_fakes, Arc::new(SystemLookup))
    }

    /// A fetcher whose names resolve through `lookup` (tests: a name that resolves to
    /// 127.0.0.1 without touching the system's DNS).
    pub fn with_lookup(
        limits: Limits,
        loopback_fakes: &[String],
        lookup: Arc<dyn Lookup>,
    ) -> Result<GuardedFetcher, FetchError> {
        let allowed = Arc::new(Allowed::new(loopback_fakes));
        let max = limits.max_redirects.min(MAX_REDIRECTS);
        let policy_allowed = allowed.clone();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max {
                let host = host_of(attempt.url());
                return attempt.error(FetchError::TooManyRedirects { host, max });
            }
            match check_url(attempt.url(), &policy_allowed) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(concat!("doppelwatch/", env!("CARGO_PKG_VERSION")))
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            .redirect(policy)
            .referer(false)
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                lookup,
                allowed: allowed.clone(),
            }))
            .build()
            .map_err(|e| FetchError::BadUrl(format!("cannot set up the HTTP client: {e}")))?;
        Ok(GuardedFetcher { client, allowed })
    }

    /// Parses and checks `url` as a fetch would (nothing is sent).
    pub fn check(&self, url: &str) -> Result<Url, FetchError> {
        let parsed = Url::parse(url.trim())
            .map_err(|e| FetchError::BadUrl(format!("not a usable address: {e}")))?;
        check_url(&parsed, &self.allowed)?;
        Ok(parsed)
    }

    /// Whether `url` is one of the configured loopback fakes' origins.
    pub fn is_fake_origin(&self, url: &Url) -> bool {
        self.allowed.is_fake(url)
    }

    /// GETs `url` and returns its body when the answer is a 2xx of at most `max_bytes` bytes.
    pub async fn get(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
        let url = self.check(url)?;
        let host = host_of(&url);
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| explain(&host, &e))?;
        let status = response.status();
        // The answer may come from a redirect target: name the host that answered.
        let host = host_of(response.url());
        if !status.is_success() {
            return Err(FetchError::Status {
                host,
                status: status.as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            host: host.clone(),
            limit: max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|n| n > max_bytes as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| explain(&host, &e))?;
            if body.len() + chunk.len() > max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// An API client (POSTs with a session token or an app password) for a server whose address
/// came from remote data (a Bluesky PDS named by a DID document): the guarded resolver (only
/// public addresses, loopback only for the configured fakes' names), redirects only to the same
/// origin ([`super::api::same_origin_redirects`]), no Referer, no proxy. Callers check the URL
/// with [`GuardedFetcher::check`] before each request.
pub fn guarded_api_client(
    limits: Limits,
    loopback_fakes: &[String],
) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .user_agent(concat!("Doppelwatch/", env!("CARGO_PKG_VERSION")))
        .timeout(limits.timeout)
        .connect_timeout(limits.connect_timeout)
        .redirect(super::api::same_origin_redirects())
        .referer(false)
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver {
            lookup: Arc::new(SystemLookup),
            allowed: Arc::new(Allowed::new(loopback_fakes)),
        }))
        .build()
        .map_err(|e| FetchError::BadUrl(format!("cannot set up the HTTP client: {e}")))
}

/// A reqwest error in words: our own refusal when one is behind it (a redirect or a resolved
/// address refused), else what failed, without the URL.
fn explain(host: &str, e: &reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<FetchError>() {
            return refused.clone();
        }
        source = err.source();
    }
    let problem = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "a redirect could not be followed"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    FetchError::Network {
        host: host.to_string(),
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Allowed {
        Allowed::new(&[
            "http://127.0.0.1:4000".into(),
            "http://localhost:4001/".into(),
            // Not loopback: never allowed over http, even when configured.
            "http://example.org:4002".into(),
        ])
    }

    fn check(url: &str) -> Result<(), FetchError> {
        check_url(&Url::parse(url).unwrap(), &allowed())
    }

    #[test]
    fn public_https_passes_and_http_only_to_a_fakes_origin() {
        assert_eq!(
            check("https://cdn.bsky.app/img/avatar/plain/x/y@jpeg"),
            Ok(())
        );
        assert_eq!(check("http://127.0.0.1:4000/a.png"), Ok(()));
        assert_eq!(check("http://localhost:4001/a.png"), Ok(()));
        // The fake's own address in another spelling is the fake.
        assert_eq!(check("http://2130706433:4000/a.png"), Ok(()));
        for refused in [
            "http://cdn.bsky.app/a.png",
            "http://example.org:4002/a.png",
            "http://127.0.0.1:4001/a.png",
            "http://127.0.0.2:4000/a.png",
            "http://localhost:4000/a.png",
            "https://127.0.0.1:4000/a.png",
            "https://localhost:4002/a.png",
            "http://2130706434:4000/a.png",
        ] {
            assert!(check(refused).is_err(), "{refused} must be refused");
        }
    }

    #[test]
    fn every_spelling_of_a_private_address_is_refused() {
        for url in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://127.1/",
            "https://0x7f.1/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/",
            "https://[fd00::1]/",
        ] {
            assert!(
                matches!(check(url), Err(FetchError::NotPublic { .. })),
                "{url}: {:?}",
                check(url)
            );
        }
    }

    #[test]
    fn credentials_and_other_schemes_are_refused() {
        assert!(matches!(
            check("https://user:secret@cdn.example/a.png"),
            Err(FetchError::Credentials { .. })
        ));
        assert!(matches!(
            check("http://user@127.0.0.1:4000/a.png"),
            Err(FetchError::Credentials { .. })
        ));
        assert!(matches!(
            check("file:///etc/passwd"),
            Err(FetchError::BadUrl(_))
        ));
        assert!(matches!(
            check("ftp://cdn.example/a.png"),
            Err(FetchError::BadUrl(_))
        ));
    }
}
