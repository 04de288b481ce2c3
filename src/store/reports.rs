//! Reports filed (through an API) or drafted for a form, per alert.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::alerts::{load_alert, AlertId, AlertState};
use super::{parse_ts, ts, Store, StoreError};
use crate::identity::Platform;

/// How a report reached the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportMethod {
    /// Filed through the platform's API (Bluesky, Mastodon): counts toward the daily cap.
    Api,
    /// The person sent the platform's official form with the draft.
    Form,
}

impl ReportMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportMethod::Api => "api",
            ReportMethod::Form => "form",
        }
    }

    /// The method as stored (anything but `api` was recorded as a form report).
    pub(crate) fn parse(stored: &str) -> ReportMethod {
        if stored == "api" {
            ReportMethod::Api
        } else {
            ReportMethod::Form
        }
    }
}

/// A report as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRecord {
    pub id: i64,
    pub alert_id: AlertId,
    pub platform: Platform,
    pub method: ReportMethod,
    /// The platform's id of the report, when it gave one.
    pub remote_id: Option<String>,
    /// What was sent or where, in words.
    pub detail: Option<String>,
    pub filed_at: DateTime<Utc>,
}

/// Records a report and moves the alert to `reported`, inside the caller's transaction.
pub(super) fn insert_report(
    tx: &rusqlite::Connection,
    alert_id: AlertId,
    platform: &Platform,
    method: ReportMethod,
    (remote_id, detail): (Option<&str>, Option<&str>),
    now: DateTime<Utc>,
) -> Result<ReportRecord, StoreError> {
    let alert = load_alert(tx, alert_id)?;
    if !alert.state.can_become(AlertState::Reported) {
        return Err(StoreError::InvalidTransition {
            id: alert_id,
            from: alert.state,
            to: AlertState::Reported,
        });
    }
    tx.execute(
        "INSERT INTO reports (alert_id, platform, method, remote_id, detail, filed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            alert_id,
            platform.as_str(),
            method.as_str(),
            remote_id,
            detail,
            ts(now)
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE alerts SET state = 'reported', state_note = ?2, updated_at = ?3 WHERE id = ?1",
        params![
            alert_id,
            format!("reported to {platform} ({})", method.as_str()),
            ts(now)
        ],
    )?;
    Ok(ReportRecord {
        id,
        alert_id,
        platform: platform.clone(),
        method,
        remote_id: remote_id.map(str::to_string),
        detail: detail.map(str::to_string),
        filed_at: now,
    })
}

impl Store {
    /// Records a report and moves the alert to `reported` (in one transaction).
    pub fn record_report(
        &self,
        alert_id: AlertId,
        platform: &Platform,
        method: ReportMethod,
        remote_id: Option<&str>,
        detail: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ReportRecord, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let record = insert_report(&tx, alert_id, platform, method, (remote_id, detail), now)?;
        tx.commit()?;
        Ok(record)
    }

    /// The reports of one alert, oldest first.
    pub fn reports_for(&self, alert_id: AlertId) -> Result<Vec<ReportRecord>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, platform, method, remote_id, detail, filed_at FROM reports
             WHERE alert_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([alert_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, platform, method, remote_id, detail, filed)| {
                Ok(ReportRecord {
                    id,
                    alert_id,
                    platform: Platform::parse(&platform),
                    method: ReportMethod::parse(&method),
                    remote_id,
                    detail,
                    filed_at: parse_ts(&filed)?,
                })
            })
            .collect()
    }

    /// Number of reports filed through an API since `since` (for the daily cap).
    pub fn api_reports_since(&self, since: DateTime<Utc>) -> Result<u32, StoreError> {
        Ok(self.lock().query_row(
            "SELECT COUNT(*) FROM reports WHERE method = 'api' AND filed_at >= ?1",
            [ts(since)],
            |r| r.get(0),
        )?)
    }
}

impl Store {
    /// The person's edited report draft for `alert_id`, if they edited one.
    pub fn report_draft(&self, alert_id: AlertId) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .lock()
            .query_row(
                "SELECT text FROM report_drafts WHERE alert_id = ?1",
                [alert_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Keeps the person's edited draft for `alert_id` (replacing an earlier edit).
    pub fn set_report_draft(
        &self,
        alert_id: AlertId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let conn = self.lock();
        load_alert(&conn, alert_id)?;
        conn.execute(
            "INSERT INTO report_drafts (alert_id, text, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(alert_id) DO UPDATE SET text = excluded.text,
                                                 updated_at = excluded.updated_at",
            params![alert_id, text, ts(now)],
        )?;
        Ok(())
    }
}
