//! Where the person's Bluesky account lives: their PDS, found from their DID document, for
//! `createSession` and `createReport` ([`super::bluesky::BlueskyReporter`]) when the settings
//! name no PDS of their own.
//!
//! The handle becomes a DID through `com.atproto.identity.resolveHandle` on the entryway (the
//! default PDS, `https://bsky.social`, the server the app password went to before), the DID
//! document comes from the PLC directory (`did:plc`, `https://plc.directory/<did>`) or from the
//! DID's own host (`did:web`, `https://<host>/.well-known/did.json`), and the PDS is the
//! document's `#atproto_pds` service of type `AtprotoPersonalDataServer` (as
//! `getPdsEndpoint` in bluesky-social/atproto `packages/common-web/src/did-doc.ts` reads it;
//! the atproto DID specification, <https://atproto.com/specs/did>). A handle must come back in
//! the document's `alsoKnownAs` (`at://<handle>`), as the handle specification requires.
//!
//! The PDS named by a document gets the app password, so it must pass the guards every
//! remote-supplied URL passes ([`crate::net::guarded`]): https only, no user name or password,
//! never a loopback, private or otherwise non-public address (checked again on every
//! connection); plain-http loopback only for the fakes a test configures. Resolutions are kept
//! in memory for [`CACHE_TTL`] within the process (a filer is built per filing).
//!
//! Must never: take the PDS from profile data (an AppView's answer), send anything but the
//! lookups themselves to the servers it asks, or read more than [`MAX_ANSWER_BYTES`] of them.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::ReportError;
use crate::net::guarded::{guarded_api_client, FetchError, GuardedFetcher, Limits};

/// The PLC directory of `did:plc` documents.
pub const PLC_DIRECTORY: &str = "https://plc.directory";
/// How long a resolution is reused within one process.
pub const CACHE_TTL: Duration = Duration::from_secs(3600);
/// A DID document or a resolveHandle answer is a few kilobytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Resolutions kept at most (one person has a handful of accounts).
const CACHE_MAX: usize = 64;

/// The account's DID and the PDS it lives on (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPds {
    pub did: String,
    pub pds: String,
}

/// Finds a Bluesky account's PDS from its DID document.
pub struct PdsResolver {
    entryway: String,
    plc: String,
    fetcher: GuardedFetcher,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct HandleAnswer {
    did: String,
}

#[derive(Deserialize)]
struct DidDocument {
    id: String,
    #[serde(default, rename = "alsoKnownAs")]
    also_known_as: Vec<String>,
    #[serde(default)]
    service: Vec<Service>,
}

#[derive(Deserialize)]
struct Service {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "serviceEndpoint")]
    endpoint: serde_json::Value,
}

type Cache = Mutex<HashMap<String, (ResolvedPds, Instant)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn not_found(why: impl Into<String>) -> ReportError {
    ReportError::PdsNotFound { why: why.into() }
}

impl PdsResolver {
    /// A resolver asking `entryway` to resolve handles and `plc` for `did:plc` documents.
    /// `loopback_fakes` are the plain-http loopback origins tests allow (empty in real use).
    pub fn new(
        entryway: &str,
        plc: &str,
        loopback_fakes: &[String],
    ) -> Result<PdsResolver, ReportError> {
        let limits = Limits {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_redirects: 0,
        };
        let setup = |e: FetchError| not_found(format!("cannot set up the HTTP client: {e}"));
        Ok(PdsResolver {
            entryway: entryway.trim_end_matches('/').to_string(),
            plc: plc.trim_end_matches('/').to_string(),
            fetcher: GuardedFetcher::new(limits, loopback_fakes).map_err(setup)?,
            client: guarded_api_client(limits, loopback_fakes).map_err(setup)?,
        })
    }

    /// The client to talk to a resolved PDS with (guarded addresses, same-origin redirects).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn cache_key(&self, identifier: &str) -> String {
        format!(
            "{} {} {}",
            self.entryway,
            self.plc,
            identifier.to_ascii_lowercase()
        )
    }

    /// Forgets the resolution of `identifier` (its PDS refused the session: it may have moved).
    pub fn forget(&self, identifier: &str) {
        if let Ok(mut map) = cache().lock() {
            map.remove(&self.cache_key(identifier));
        }
    }

    /// The DID and PDS of `identifier` (a handle or a DID), from the cache when fresh.
    pub async fn resolve(&self, identifier: &str) -> Result<ResolvedPds, ReportError> {
        let key = self.cache_key(identifier);
        if let Some((found, at)) = cache().lock().ok().and_then(|m| m.get(&key).cloned()) {
            if at.elapsed() < CACHE_TTL {
                return Ok(found);
            }
        }
        let found = self.resolve_uncached(identifier).await?;
        if let Ok(mut map) = cache().lock() {
            if map.len() >= CACHE_MAX {
                map.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
                if map.len() >= CACHE_MAX {
                    map.clear();
                }
            }
            map.insert(key, (found.clone(), Instant::now()));
        }
        Ok(found)
    }

    async fn resolve_uncached(&self, identifier: &str) -> Result<ResolvedPds, ReportError> {
        let identifier = identifier.trim().trim_start_matches('@');
        let handle = (!identifier.starts_with("did:")).then(|| identifier.to_ascii_lowercase());
        let did = match &handle {
            Some(handle) => self.did_of(handle).await?,
            None => identifier.to_string(),
        };
        let document = self.document(&did).await?;
        if document.id != did {
            return Err(not_found(format!(
                "the DID document of {did} is about another DID"
            )));
        }
        if let Some(handle) = &handle {
            let claimed = format!("at://{handle}");
            if !document
                .also_known_as
                .iter()
                .any(|aka| aka.eq_ignore_ascii_case(&claimed))
            {
                return Err(not_found(format!(
                    "the DID document of {did} does not name the handle {handle}"
                )));
            }
        }
        let pds = self.pds_of(&did, &document)?;
        Ok(ResolvedPds { did, pds })
    }

    async fn did_of(&self, handle: &str) -> Result<String, ReportError> {
        let mut url = url::Url::parse(&format!(
            "{}/xrpc/com.atproto.identity.resolveHandle",
            self.entryway
        ))
        .map_err(|e| not_found(format!("the entryway address is not usable: {e}")))?;
        url.query_pairs_mut().append_pair("handle", handle);
        let bytes = self
            .fetcher
            .get(url.as_str(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| not_found(format!("the handle {handle} could not be resolved: {e}")))?;
        let answer: HandleAnswer = serde_json::from_slice(&bytes).map_err(|e| {
            not_found(format!(
                "the resolveHandle answer for {handle} is not understood: {e}"
            ))
        })?;
        if !is_supported_did(&answer.did) {
            return Err(not_found(format!(
                "the handle {handle} resolved to {:?}, which is not a did:plc or did:web",
                super::visible(&answer.did, 80)
            )));
        }
        Ok(answer.did)
    }

    /// The URL of `did`'s document: the PLC directory's, or the did:web host's well-known file
    /// (plain http only for a configured loopback fake).
    fn document_url(&self, did: &str) -> Result<String, ReportError> {
        if did.starts_with("did:plc:") && is_supported_did(did) {
            return Ok(format!("{}/{did}", self.plc));
        }
        let host = did
            .strip_prefix("did:web:")
            .filter(|_| is_supported_did(did))
            .map(|h| h.replace("%3A", ":").replace("%3a", ":"))
            .ok_or_else(|| not_found(format!("{did:?} is not a did:plc or did:web")))?;
        let plain = format!("http://{host}");
        let fake = url::Url::parse(&plain).is_ok_and(|u| self.fetcher.is_fake_origin(&u));
        Ok(if fake {
            format!("{plain}/.well-known/did.json")
        } else {
            format!("https://{host}/.well-known/did.json")
        })
    }

    async fn document(&self, did: &str) -> Result<DidDocument, ReportError> {
        let url = self.document_url(did)?;
        let bytes = self
            .fetcher
            .get(&url, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| not_found(format!("the DID document of {did} could not be read: {e}")))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| not_found(format!("the DID document of {did} is not understood: {e}")))
    }

    /// The `#atproto_pds` endpoint of `document`, when it passes the guards.
    fn pds_of(&self, did: &str, document: &DidDocument) -> Result<String, ReportError> {
        let full_id = format!("{did}#atproto_pds");
        let service = document
            .service
            .iter()
            .find(|s| s.id == "#atproto_pds" || s.id == full_id)
            .filter(|s| s.kind == "AtprotoPersonalDataServer")
            .ok_or_else(|| {
                not_found(format!(
                    "the DID document of {did} names no AtprotoPersonalDataServer"
                ))
            })?;
        let endpoint = service.endpoint.as_str().ok_or_else(|| {
            not_found(format!(
                "the PDS endpoint in the DID document of {did} is not an address"
            ))
        })?;
        let url = self.fetcher.check(endpoint).map_err(|e| {
            not_found(format!(
                "the PDS the DID document of {did} names is refused: {e}"
            ))
        })?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(not_found(format!(
                "the PDS the DID document of {did} names has a query or fragment"
            )));
        }
        Ok(url.as_str().trim_end_matches('/').to_string())
    }
}

/// A `did:plc:` of 24 base32 characters, or a `did:web:` of a host name (with an optional
/// `%3A` port; atproto supports no did:web paths).
pub fn is_supported_did(did: &str) -> bool {
    if let Some(id) = did.strip_prefix("did:plc:") {
        return id.len() == 24 && id.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'));
    }
    let Some(host) = did.strip_prefix("did:web:") else {
        return false;
    };
    let (name, port) = match host.split_once("%3A").or_else(|| host.split_once("%3a")) {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok = match port {
        Some(p) => !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    };
    name_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plc_and_host_level_web_dids_are_followed() {
        for ok in [
            "did:plc:ar7c4by46qjdydhdevvrndac",
            "did:web:example.com",
            "did:web:localhost%3A8080",
        ] {
            assert!(is_supported_did(ok), "{ok}");
        }
        for bad in [
            "did:plc:short",
            "did:plc:AR7C4BY46QJDYDHDEVVRNDAC",
            "did:web:example.com:user:alice",
            "did:web:example.com%2Fpath",
            "did:web:",
            "did:web:host%3A",
            "did:web:user@example.com",
            "did:key:z6Mk",
            "alice.bsky.social",
        ] {
            assert!(!is_supported_did(bad), "{bad}");
        }
    }

    #[test]
    fn the_pds_is_the_atproto_pds_service_and_must_pass_the_guards() {
        let resolver = PdsResolver::new("https://bsky.social", PLC_DIRECTORY, &[]).unwrap();
        let did = "did:plc:ar7c4by46qjdydhdevvrndac";
        let doc = |id: &str, kind: &str, endpoint: &str| -> DidDocument {
            serde_json::from_value(serde_json::json!({
                "id": did,
                "service": [
                    {"id": "#atproto_labeler", "type": "AtprotoLabeler",
                     "serviceEndpoint": "https://labeler.example"},
                    {"id": id, "type": kind, "serviceEndpoint": endpoint}
                ]
            }))
            .unwrap()
        };
        let pds = |d: &DidDocument| resolver.pds_of(did, d);
        assert_eq!(
            pds(&doc(
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://pds.example/"
            ))
            .unwrap(),
            "https://pds.example"
        );
        assert_eq!(
            pds(&doc(
                &format!("{did}#atproto_pds"),
                "AtprotoPersonalDataServer",
                "https://pds.example"
            ))
            .unwrap(),
            "https://pds.example"
        );
        for (id, kind, endpoint) in [
            ("#atproto_pds", "SomethingElse", "https://pds.example"),
            ("#other", "AtprotoPersonalDataServer", "https://pds.example"),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "http://pds.example",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://127.0.0.1",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://[::1]:8443",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://10.0.0.7",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://169.254.169.254",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://u:p@pds.example",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "https://pds.example/?x=1",
            ),
            (
                "#atproto_pds",
                "AtprotoPersonalDataServer",
                "file:///etc/passwd",
            ),
        ] {
            let err = pds(&doc(id, kind, endpoint)).unwrap_err();
            assert!(
                matches!(err, ReportError::PdsNotFound { .. }),
                "{endpoint}: {err}"
            );
        }
    }

    #[test]
    fn did_web_documents_are_fetched_over_https_unless_the_host_is_a_configured_fake() {
        let real = PdsResolver::new("https://bsky.social", PLC_DIRECTORY, &[]).unwrap();
        assert_eq!(
            real.document_url("did:web:example.com").unwrap(),
            "https://example.com/.well-known/did.json"
        );
        assert_eq!(
            real.document_url("did:web:localhost%3A4000").unwrap(),
            "https://localhost:4000/.well-known/did.json"
        );
        assert_eq!(
            real.document_url("did:plc:ar7c4by46qjdydhdevvrndac")
                .unwrap(),
            "https://plc.directory/did:plc:ar7c4by46qjdydhdevvrndac"
        );
        let test = PdsResolver::new(
            "http://127.0.0.1:1",
            "http://127.0.0.1:2",
            &["http://localhost:4000".into()],
        )
        .unwrap();
        assert_eq!(
            test.document_url("did:web:localhost%3A4000").unwrap(),
            "http://localhost:4000/.well-known/did.json"
        );
        assert_eq!(
            test.document_url("did:web:localhost%3A4001").unwrap(),
            "https://localhost:4001/.well-known/did.json"
        );
    }
}
