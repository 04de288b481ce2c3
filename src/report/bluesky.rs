//! Filing impersonation reports on Bluesky: `com.atproto.server.createSession` with the
//! person's app password (from the keychain; the session is cached because createSession is
//! limited to 30 per 5 minutes), then `com.atproto.moderation.createReport` proxied to the
//! Bluesky moderation service.
//!
//! The PDS is the one the settings name (`bluesky.pds_url`, `DOPPELWATCH_BLUESKY_PDS_URL`,
//! `report --pds`), or, when they keep the default, the one the account's DID document names
//! ([`super::bluesky_pds`], guarded like any remote-supplied address). It is never taken from
//! the AppView's URL or from profile data.
//!
//! The reason is `tools.ozone.report.defs#reasonMisleadingImpersonation`; a labeler that does
//! not accept it (400 `InvalidRequest` "Invalid reason type: ...", as Ozone's
//! `validateReasonType` answers in bluesky-social/atproto
//! `packages/ozone/src/mod-service/profile.ts`) gets the same report once more with
//! `com.atproto.moderation.defs#reasonMisleading`, the older reason Ozone maps it to
//! (`NEW_TO_OLD_REASON_MAPPING` there; the Bluesky app's report dialog sends that older reason
//! to labelers that declare only it). Both strings are in the lexicons
//! `com/atproto/moderation/defs.json` and `tools/ozone/report/defs.json`.
//!
//! Must never: send the app password anywhere but the PDS chosen as above, or show a secret
//! the server echoed back.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use super::bluesky_pds::{PdsResolver, PLC_DIRECTORY};
use super::http::{body, client, error_text, interrupted, report_body, retry_after, unreachable};
use super::{FiledReport, ReportDraft, ReportError, ReportFiler};
use crate::identity::Platform;
use crate::secrets::Secret;
use crate::store::Alert;

/// The Bluesky moderation service the PDS forwards reports to.
pub const LABELER_PROXY: &str = "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler";
/// The impersonation reason of the Ozone moderation lexicon (`tools/ozone/report/defs.json`).
pub const REASON_IMPERSONATION: &str = "tools.ozone.report.defs#reasonMisleadingImpersonation";
/// The older reason a labeler that refuses [`REASON_IMPERSONATION`] gets instead
/// (`com/atproto/moderation/defs.json`: "Misleading identity, affiliation, or content").
pub const REASON_MISLEADING: &str = "com.atproto.moderation.defs#reasonMisleading";
/// The default PDS of Bluesky-hosted accounts (the entryway): with this in the settings, the
/// PDS is found from the DID document.
pub const DEFAULT_PDS: &str = "https://bsky.social";

/// Where the reporter signs in.
enum Route {
    /// The PDS the settings (or `--pds`) name.
    Fixed(String),
    /// The PDS of the account's DID document.
    Resolved(PdsResolver),
}

struct Session {
    access_jwt: Secret,
    did: String,
    /// The PDS this session belongs to.
    pds: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionAnswer {
    access_jwt: String,
    did: String,
}

#[derive(Deserialize)]
struct ReportAnswer {
    id: serde_json::Value,
}

/// Files reports as the person's Bluesky account.
pub struct BlueskyReporter {
    client: reqwest::Client,
    route: Route,
    identifier: String,
    password: Secret,
    session: Mutex<Option<Session>>,
}

/// What a `createReport` request got back.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl BlueskyReporter {
    /// A reporter for the account `identifier` (handle or DID) on `pds` (e.g.
    /// [`DEFAULT_PDS`]) with its app password.
    pub fn new(pds: &str, identifier: &str, app_password: Secret) -> BlueskyReporter {
        BlueskyReporter::with_route(
            Route::Fixed(pds.trim_end_matches('/').to_string()),
            identifier,
            app_password,
        )
    }

    /// A reporter for `identifier` on the PDS its DID document names, found with `resolver`.
    pub fn resolving(
        resolver: PdsResolver,
        identifier: &str,
        app_password: Secret,
    ) -> BlueskyReporter {
        BlueskyReporter::with_route(Route::Resolved(resolver), identifier, app_password)
    }

    /// The reporter the settings ask for: on `pds` when it is not [`DEFAULT_PDS`], else on the
    /// PDS of the account's DID document (handles resolved by [`DEFAULT_PDS`], documents from
    /// [`PLC_DIRECTORY`] or the did:web host). `loopback_fakes`: see
    /// [`crate::config::HttpConfig::loopback_fakes`].
    pub fn for_settings(
        pds: &str,
        identifier: &str,
        app_password: Secret,
        loopback_fakes: &[String],
    ) -> Result<BlueskyReporter, ReportError> {
        if pds.trim().trim_end_matches('/') != DEFAULT_PDS {
            return Ok(BlueskyReporter::new(pds.trim(), identifier, app_password));
        }
        let resolver = PdsResolver::new(DEFAULT_PDS, PLC_DIRECTORY, loopback_fakes)?;
        Ok(BlueskyReporter::resolving(
            resolver,
            identifier,
            app_password,
        ))
    }

    fn with_route(route: Route, identifier: &str, app_password: Secret) -> BlueskyReporter {
        BlueskyReporter {
            client: client(),
            route,
            identifier: identifier.to_string(),
            password: app_password,
            session: Mutex::new(None),
        }
    }

    /// Whether the PDS comes from the DID document (not from the settings).
    pub fn resolves_pds(&self) -> bool {
        matches!(self.route, Route::Resolved(_))
    }

    /// The client for the route: a resolved PDS is reached only on public addresses.
    fn http(&self) -> &reqwest::Client {
        match &self.route {
            Route::Fixed(_) => &self.client,
            Route::Resolved(resolver) => resolver.client(),
        }
    }

    /// The PDS to sign in on, and the DID the session must be for (resolved route).
    async fn target(&self) -> Result<(String, Option<String>), ReportError> {
        match &self.route {
            Route::Fixed(pds) => Ok((pds.clone(), None)),
            Route::Resolved(resolver) => {
                let found = resolver.resolve(&self.identifier).await?;
                Ok((found.pds, Some(found.did)))
            }
        }
    }

    fn forget_route(&self) {
        if let Route::Resolved(resolver) = &self.route {
            resolver.forget(&self.identifier);
        }
    }

    async fn create_session(&self) -> Result<Session, ReportError> {
        let (pds, expected_did) = self.target().await?;
        let url = format!("{pds}/xrpc/com.atproto.server.createSession");
        let response = self
            .http()
            .post(url)
            .json(&json!({"identifier": self.identifier, "password": self.password.expose()}))
            .send()
            .await
            .map_err(|e| unreachable(&Platform::Bluesky, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = body(&Platform::Bluesky, response).await?;
        if status.as_u16() == 429 {
            return Err(ReportError::RateLimited {
                platform: Platform::Bluesky,
                retry_after_secs: retry_after(&headers),
            });
        }
        if !status.is_success() {
            // The account may have moved to another PDS since it was resolved.
            self.forget_route();
        }
        if status.as_u16() == 401 || status.as_u16() == 400 {
            return Err(ReportError::Auth {
                platform: Platform::Bluesky,
                why: error_text(&bytes, &[self.password.expose()]),
            });
        }
        if !status.is_success() {
            return Err(ReportError::Refused {
                platform: Platform::Bluesky,
                status: status.as_u16(),
                why: error_text(&bytes, &[self.password.expose()]),
            });
        }
        let answer: SessionAnswer =
            serde_json::from_slice(&bytes).map_err(|e| ReportError::Refused {
                platform: Platform::Bluesky,
                status: status.as_u16(),
                why: format!("createSession answer is not understood: {e}"),
            })?;
        if let Some(expected) = expected_did.filter(|d| *d != answer.did) {
            self.forget_route();
            return Err(ReportError::Auth {
                platform: Platform::Bluesky,
                why: format!(
                    "{pds} signed in {} instead of {expected}, the account of {}",
                    super::visible(&answer.did, 80),
                    self.identifier
                ),
            });
        }
        Ok(Session {
            access_jwt: Secret::new(answer.access_jwt),
            did: answer.did,
            pds,
        })
    }

    /// The DID of the logged-in account (creates the session if needed).
    pub async fn reporter_did(&self) -> Result<String, ReportError> {
        let mut guard = self.session.lock().await;
        if guard.is_none() {
            *guard = Some(self.create_session().await?);
        }
        Ok(guard.as_ref().map(|s| s.did.clone()).unwrap_or_default())
    }

    async fn send_report(
        &self,
        session: &Session,
        subject_did: &str,
        reason_type: &str,
        reason: &str,
    ) -> Result<Answer, ReportError> {
        let url = format!("{}/xrpc/com.atproto.moderation.createReport", session.pds);
        let response = self
            .http()
            .post(url)
            .bearer_auth(session.access_jwt.expose())
            .header("atproto-proxy", LABELER_PROXY)
            .json(&json!({
                "reasonType": reason_type,
                "reason": reason,
                "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": subject_did},
            }))
            .send()
            .await
            .map_err(|e| interrupted(&Platform::Bluesky, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = report_body(&Platform::Bluesky, response).await?;
        Ok(Answer {
            status,
            headers,
            bytes,
        })
    }

    /// The error of a `createReport` answer that is not a success (`secrets` cut from it).
    fn refusal(answer: &Answer, expired: bool, secrets: &[&str]) -> ReportError {
        if answer.status == 429 {
            return ReportError::RateLimited {
                platform: Platform::Bluesky,
                retry_after_secs: retry_after(&answer.headers),
            };
        }
        let why = error_text(&answer.bytes, secrets);
        if expired {
            return ReportError::Auth {
                platform: Platform::Bluesky,
                why,
            };
        }
        ReportError::Refused {
            platform: Platform::Bluesky,
            status: answer.status,
            why,
        }
    }
}

/// Whether a `createReport` answer is the labeler refusing the reason type (Ozone: 400
/// `InvalidRequest`, "Invalid reason type: <type>").
fn refuses_reason_type(answer: &Answer) -> bool {
    #[derive(Deserialize)]
    struct XrpcError {
        error: Option<String>,
        message: Option<String>,
    }
    answer.status == 400
        && serde_json::from_slice::<XrpcError>(&answer.bytes).is_ok_and(|e| {
            e.error.as_deref() == Some("InvalidRequest")
                && e.message
                    .as_deref()
                    .is_some_and(|m| m.starts_with("Invalid reason type"))
        })
}

fn subject_did(alert: &Alert) -> Result<String, ReportError> {
    alert
        .profile
        .platform_id
        .as_deref()
        .filter(|d| d.starts_with("did:"))
        .map(str::to_string)
        .ok_or_else(|| {
            ReportError::BadAlert(
                "the Bluesky account's DID was not captured; use the form instead".into(),
            )
        })
}

#[async_trait]
impl ReportFiler for BlueskyReporter {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    async fn file(&self, alert: &Alert, draft: &ReportDraft) -> Result<FiledReport, ReportError> {
        let did = subject_did(alert)?;
        let mut guard = self.session.lock().await;
        let mut reason_type = REASON_IMPERSONATION;
        let mut refreshed = false;
        // At most one fresh session (the cached one expired) and one older reason type (the
        // labeler refused the new one): four requests at most.
        loop {
            if guard.is_none() {
                *guard = Some(self.create_session().await?);
            }
            let Some(session) = guard.as_ref() else {
                return Err(ReportError::BadAlert("no session".into()));
            };
            let answer = self
                .send_report(session, &did, reason_type, &draft.text)
                .await?;
            let secrets = [self.password.expose(), session.access_jwt.expose()];
            let expired = answer.status == 401
                || (answer.status == 400
                    && error_text(&answer.bytes, &secrets).starts_with("ExpiredToken"));
            if expired && !refreshed {
                refreshed = true;
                *guard = None;
                continue;
            }
            if reason_type == REASON_IMPERSONATION && refuses_reason_type(&answer) {
                tracing::info!(
                    "the labeler refused {REASON_IMPERSONATION}; filing with {REASON_MISLEADING}"
                );
                reason_type = REASON_MISLEADING;
                continue;
            }
            if !(200..300).contains(&answer.status) {
                return Err(Self::refusal(&answer, expired, &secrets));
            }
            let parsed: ReportAnswer =
                serde_json::from_slice(&answer.bytes).map_err(|e| ReportError::Refused {
                    platform: Platform::Bluesky,
                    status: answer.status,
                    why: format!("createReport answer is not understood: {e}"),
                })?;
            let remote_id = match parsed.id {
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::String(s) => Some(s),
                _ => None,
            };
            return Ok(FiledReport {
                platform: Platform::Bluesky,
                remote_id,
                detail: format!("{reason_type} about {did}"),
            });
        }
    }
}
