//! Filing impersonation reports on Bluesky: `com.atproto.server.createSession` with the
//! person's app password (from the keychain; the session is cached because createSession is
//! limited to 30 per 5 minutes), then `com.atproto.moderation.createReport` proxied to the
//! Bluesky moderation service.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use super::http::{body, client, error_text, retry_after, unreachable};
use super::{FiledReport, ReportDraft, ReportError, ReportFiler};
use crate::identity::Platform;
use crate::secrets::{Keychain, Secret, SecretKey};
use crate::store::Alert;

/// The Bluesky moderation service the PDS forwards reports to.
pub const LABELER_PROXY: &str = "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler";
/// The impersonation reason of the Ozone moderation lexicon.
pub const REASON_IMPERSONATION: &str = "tools.ozone.report.defs#reasonMisleadingImpersonation";
/// The default PDS of Bluesky-hosted accounts.
pub const DEFAULT_PDS: &str = "https://bsky.social";

struct Session {
    access_jwt: Secret,
    did: String,
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
    pds: String,
    identifier: String,
    password: Secret,
    session: Mutex<Option<Session>>,
}

impl BlueskyReporter {
    /// A reporter for the account `identifier` (handle or DID) on `pds` (e.g.
    /// [`DEFAULT_PDS`]) with its app password.
    pub fn new(pds: &str, identifier: &str, app_password: Secret) -> BlueskyReporter {
        BlueskyReporter {
            client: client(),
            pds: pds.trim_end_matches('/').to_string(),
            identifier: identifier.to_string(),
            password: app_password,
            session: Mutex::new(None),
        }
    }

    /// A reporter whose app password is read from the keychain.
    pub fn from_keychain(
        pds: &str,
        identifier: &str,
        keychain: &Keychain,
    ) -> Result<BlueskyReporter, ReportError> {
        let key = SecretKey::BlueskyAppPassword {
            handle: identifier.to_string(),
        };
        let password = keychain
            .get(&key)
            .map_err(|e| ReportError::MissingCredential {
                what: format!("Bluesky app password ({e})"),
            })?
            .ok_or_else(|| ReportError::MissingCredential {
                what: format!("Bluesky app password for {identifier}"),
            })?;
        Ok(BlueskyReporter::new(pds, identifier, password))
    }

    async fn create_session(&self) -> Result<Session, ReportError> {
        let url = format!("{}/xrpc/com.atproto.server.createSession", self.pds);
        let response = self
            .client
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
        Ok(Session {
            access_jwt: Secret::new(answer.access_jwt),
            did: answer.did,
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
        access: &Secret,
        subject_did: &str,
        reason: &str,
    ) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>), ReportError> {
        let url = format!("{}/xrpc/com.atproto.moderation.createReport", self.pds);
        let response = self
            .client
            .post(url)
            .bearer_auth(access.expose())
            .header("atproto-proxy", LABELER_PROXY)
            .json(&json!({
                "reasonType": REASON_IMPERSONATION,
                "reason": reason,
                "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": subject_did},
            }))
            .send()
            .await
            .map_err(|e| unreachable(&Platform::Bluesky, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Ok((status, headers, body(&Platform::Bluesky, response).await?))
    }
}

#[async_trait]
impl ReportFiler for BlueskyReporter {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    async fn file(&self, alert: &Alert, draft: &ReportDraft) -> Result<FiledReport, ReportError> {
        let did = alert
            .profile
            .platform_id
            .as_deref()
            .filter(|d| d.starts_with("did:"))
            .ok_or_else(|| {
                ReportError::BadAlert(
                    "the Bluesky account's DID was not captured; use the form instead".into(),
                )
            })?
            .to_string();
        let mut guard = self.session.lock().await;
        // One retry with a fresh session when the cached one expired.
        for attempt in 0..2 {
            if guard.is_none() {
                *guard = Some(self.create_session().await?);
            }
            let access = guard
                .as_ref()
                .map(|s| s.access_jwt.clone())
                .ok_or_else(|| ReportError::BadAlert("no session".into()))?;
            let (status, headers, bytes) = self.send_report(&access, &did, &draft.text).await?;
            let expired = status == 401
                || (status == 400
                    && error_text(&bytes, &[self.password.expose(), access.expose()])
                        .starts_with("ExpiredToken"));
            if expired && attempt == 0 {
                *guard = None;
                continue;
            }
            if status == 429 {
                return Err(ReportError::RateLimited {
                    platform: Platform::Bluesky,
                    retry_after_secs: retry_after(&headers),
                });
            }
            if expired {
                return Err(ReportError::Auth {
                    platform: Platform::Bluesky,
                    why: error_text(&bytes, &[self.password.expose(), access.expose()]),
                });
            }
            if !(200..300).contains(&status) {
                return Err(ReportError::Refused {
                    platform: Platform::Bluesky,
                    status,
                    why: error_text(&bytes, &[self.password.expose(), access.expose()]),
                });
            }
            let answer: ReportAnswer =
                serde_json::from_slice(&bytes).map_err(|e| ReportError::Refused {
                    platform: Platform::Bluesky,
                    status,
                    why: format!("createReport answer is not understood: {e}"),
                })?;
            let remote_id = match answer.id {
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::String(s) => Some(s),
                _ => None,
            };
            return Ok(FiledReport {
                platform: Platform::Bluesky,
                remote_id,
                detail: format!("{REASON_IMPERSONATION} about {did}"),
            });
        }
        Err(ReportError::Auth {
            platform: Platform::Bluesky,
            why: "the session expired twice in a row".into(),
        })
    }
}
