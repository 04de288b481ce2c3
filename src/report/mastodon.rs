//! Filing reports on Mastodon (and servers speaking its API): the account is looked up on the
//! person's own server first (a report names the account by *that* server's id), then
//! `POST /api/v1/reports` with category `other` (there is no impersonation category) and
//! `forward=true` when the account lives on another server, so its moderators see it too.
//! The lookup's answer must name the account asked for (its `acct`), or nothing is filed.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::http::{body, client, error_text, interrupted, report_body, retry_after, unreachable};
use super::{FiledReport, ReportDraft, ReportError, ReportFiler};
use crate::identity::Platform;
use crate::secrets::Secret;
use crate::store::Alert;

/// Mastodon's limit on a report comment.
const COMMENT_MAX_CHARS: usize = 1000;

#[derive(Deserialize)]
struct IdAnswer {
    id: serde_json::Value,
}

#[derive(Deserialize)]
struct AcctAnswer {
    #[serde(default)]
    acct: Option<String>,
}

/// Files reports as the person's Mastodon account on their own server.
pub struct MastodonReporter {
    client: reqwest::Client,
    base: String,
    host: String,
    token: Secret,
}

impl MastodonReporter {
    /// A reporter on the server at `base` (e.g. `https://mastodon.social`) with an access
    /// token that has the `write:reports` scope.
    pub fn new(base: &str, token: Secret) -> Result<MastodonReporter, ReportError> {
        let url = url::Url::parse(base)
            .map_err(|e| ReportError::BadAlert(format!("server address {base:?}: {e}")))?;
        let host = url
            .host_str()
            .ok_or_else(|| ReportError::BadAlert(format!("server address {base:?} has no host")))?
            .to_ascii_lowercase();
        Ok(MastodonReporter {
            client: client(),
            base: base.trim_end_matches('/').to_string(),
            host,
            token,
        })
    }

    /// The server's own name when its address does not say it (the demo's loopback fake
    /// standing for `mastodon.social`): its local accounts are `user@name`.
    pub fn named(mut self, name: &str) -> MastodonReporter {
        self.host = name.to_ascii_lowercase();
        self
    }

    fn check(
        &self,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        bytes: &[u8],
    ) -> Result<(), ReportError> {
        match status {
            200..=299 => Ok(()),
            401 | 403 => Err(ReportError::Auth {
                platform: Platform::Mastodon,
                why: error_text(bytes, &[self.token.expose()]),
            }),
            429 => Err(ReportError::RateLimited {
                platform: Platform::Mastodon,
                retry_after_secs: retry_after(headers),
            }),
            _ => Err(ReportError::Refused {
                platform: Platform::Mastodon,
                status,
                why: error_text(bytes, &[self.token.expose()]),
            }),
        }
    }

    fn parse_id(status: u16, bytes: &[u8], what: &str) -> Result<String, ReportError> {
        let answer: IdAnswer = serde_json::from_slice(bytes).map_err(|e| ReportError::Refused {
            platform: Platform::Mastodon,
            status,
            why: format!("{what} answer is not understood: {e}"),
        })?;
        match answer.id {
            serde_json::Value::String(s) if !s.is_empty() => Ok(s),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            _ => Err(ReportError::Refused {
                platform: Platform::Mastodon,
                status,
                why: format!("{what} answer has no id"),
            }),
        }
    }

    /// The account's `acct` as the person's server names it, and whether it is remote.
    fn acct_of(&self, handle: &str) -> (String, bool) {
        let bare = handle.trim().trim_start_matches('@');
        match bare.split_once('@') {
            Some((user, server)) if server.eq_ignore_ascii_case(&self.host) => {
                (user.to_string(), false)
            }
            Some(_) => (bare.to_string(), true),
            None => (bare.to_string(), false),
        }
    }
}

#[async_trait]
impl ReportFiler for MastodonReporter {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }

    async fn file(&self, alert: &Alert, draft: &ReportDraft) -> Result<FiledReport, ReportError> {
        let (acct, remote) = self.acct_of(&alert.profile.handle);
        let lookup = self
            .client
            .get(format!("{}/api/v1/accounts/lookup", self.base))
            .query(&[("acct", acct.as_str())])
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| unreachable(&Platform::Mastodon, e))?;
        let status = lookup.status().as_u16();
        let headers = lookup.headers().clone();
        let bytes = body(&Platform::Mastodon, lookup).await?;
        if status == 404 {
            return Err(ReportError::AccountNotFound {
                handle: acct,
                server: self.host.clone(),
            });
        }
        self.check(status, &headers, &bytes)?;
        let account_id = Self::parse_id(status, &bytes, "account lookup")?;
        // The report is filed against the account the server answers with: it must be the
        // one reported, never another (say, the person's own account).
        let answered = serde_json::from_slice::<AcctAnswer>(&bytes)
            .ok()
            .and_then(|a| a.acct)
            .unwrap_or_default();
        if !answered.trim_start_matches('@').eq_ignore_ascii_case(&acct) {
            let shown: String = answered
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            return Err(ReportError::Refused {
                platform: Platform::Mastodon,
                status,
                why: format!(
                    "{} answered the lookup of {acct} with another account ({shown:?}); nothing was filed",
                    self.host
                ),
            });
        }

        let comment: String = draft.text.chars().take(COMMENT_MAX_CHARS).collect();
        let response = self
            .client
            .post(format!("{}/api/v1/reports", self.base))
            .bearer_auth(self.token.expose())
            .json(&json!({
                "account_id": account_id,
                "comment": comment,
                "forward": remote,
                "category": "other",
            }))
            .send()
            .await
            .map_err(|e| interrupted(&Platform::Mastodon, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = report_body(&Platform::Mastodon, response).await?;
        self.check(status, &headers, &bytes)?;
        let report_id = Self::parse_id(status, &bytes, "report")?;
        Ok(FiledReport {
            platform: Platform::Mastodon,
            remote_id: Some(report_id),
            detail: format!(
                "category other about account {account_id} ({acct}){}",
                if remote {
                    ", forwarded to its server"
                } else {
                    ""
                }
            ),
        })
    }
}
