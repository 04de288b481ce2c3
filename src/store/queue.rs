//! The batch report queue's rows (issue 11): batches of alerts to file through the platforms'
//! report APIs, each entry moving `queued` -> `sending` -> `sent` (or `failed`, `cancelled`,
//! `skipped`, `uncertain`). Claiming an entry commits `sending` before anything is sent, and
//! a sent report is recorded together with its entry's `sent`, so after a crash nothing is
//! sent twice: an entry found `sending` at start-up becomes `uncertain` and is never sent
//! again unless the person asks ([`Store::requeue_uncertain`]).
//!
//! It owns the `report_batches` and `report_queue` tables; it never talks to a platform and
//! never decides when to send (that is [`crate::report::queue`]).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::alerts::AlertId;
use super::reports::insert_report;
use super::{parse_ts, ts, ReportMethod, ReportRecord, Store, StoreError};
use crate::identity::Platform;

/// Where one queued report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueState {
    /// Waiting for its batch's undo window to end (or for the cap or a rate limit).
    Queued,
    /// Being sent now.
    Sending,
    /// Filed: the platform took it.
    Sent,
    /// The platform refused it or it could not be sent; `note` says why.
    Failed,
    /// The person undid it before it was sent.
    Cancelled,
    /// Not sent because it no longer needs a report (the alert was closed or reported).
    Skipped,
    /// Sending was interrupted (the app stopped mid-request): it may have reached the
    /// platform. Never sent again on its own.
    Uncertain,
}

impl QueueState {
    const ALL: [QueueState; 7] = [
        QueueState::Queued,
        QueueState::Sending,
        QueueState::Sent,
        QueueState::Failed,
        QueueState::Cancelled,
        QueueState::Skipped,
        QueueState::Uncertain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Queued => "queued",
            QueueState::Sending => "sending",
            QueueState::Sent => "sent",
            QueueState::Failed => "failed",
            QueueState::Cancelled => "cancelled",
            QueueState::Skipped => "skipped",
            QueueState::Uncertain => "uncertain",
        }
    }

    fn parse(text: &str) -> Result<QueueState, StoreError> {
        QueueState::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("report queue state {text:?}")))
    }
}

/// One alert in a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub id: i64,
    pub batch_id: i64,
    pub alert_id: AlertId,
    pub platform: Platform,
    pub state: QueueState,
    /// Not sent before this time (the undo window, a rate limit, the daily cap).
    pub not_before: DateTime<Utc>,
    pub attempts: u32,
    /// Why it failed, was skipped or waits.
    pub note: Option<String>,
    /// The report recorded when it was sent.
    pub report_id: Option<i64>,
}

/// A batch with its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// Nothing is sent before this time: until then the whole batch can be undone.
    pub send_after: DateTime<Utc>,
    pub entries: Vec<QueueEntry>,
}

impl Batch {
    /// How many entries are in `state`.
    pub fn count(&self, state: QueueState) -> usize {
        self.entries.iter().filter(|e| e.state == state).count()
    }
}

const ENTRY_SELECT: &str = "SELECT q.id, q.batch_id, q.alert_id, ac.platform, q.state,
    q.not_before, q.attempts, q.note, q.report_id
    FROM report_queue q
    JOIN alerts a ON a.id = q.alert_id
    JOIN accounts ac ON ac.id = a.account_id";

/// The columns of a queue row ([`ENTRY_SELECT`]), decoded outside rusqlite's closure.
struct EntryRow {
    id: i64,
    batch_id: i64,
    alert_id: i64,
    platform: String,
    state: String,
    not_before: String,
    attempts: i64,
    note: Option<String>,
    report_id: Option<i64>,
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    let (id, batch_id, alert_id, platform, state, not_before) = <(_, _, _, _, _, _)>::try_from(r)?;
    Ok(EntryRow {
        id,
        batch_id,
        alert_id,
        platform,
        state,
        not_before,
        attempts: r.get(6)?,
        note: r.get(7)?,
        report_id: r.get(8)?,
    })
}

fn entry(raw: EntryRow) -> Result<QueueEntry, StoreError> {
    Ok(QueueEntry {
        id: raw.id,
        batch_id: raw.batch_id,
        alert_id: raw.alert_id,
        platform: Platform::parse(&raw.platform),
        state: QueueState::parse(&raw.state)?,
        not_before: parse_ts(&raw.not_before)?,
        attempts: u32::try_from(raw.attempts).unwrap_or(u32::MAX),
        note: raw.note,
        report_id: raw.report_id,
    })
}

fn entries(
    conn: &rusqlite::Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<QueueEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!("{ENTRY_SELECT} {filter}"))?;
    let raws = stmt
        .query_map(args, entry_row)?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter().map(entry).collect()
}

impl Store {
    /// Queues `alert_ids` as one batch sent from `send_after` on. An alert already queued
    /// (in a live entry of any batch) is left out; returns the batch and the alerts left out.
    pub fn queue_batch(
        &self,
        alert_ids: &[AlertId],
        send_after: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(Batch, Vec<AlertId>), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO report_batches (created_at, send_after) VALUES (?1, ?2)",
            params![ts(now), ts(send_after)],
        )?;
        let batch_id = tx.last_insert_rowid();
        let mut left_out = Vec::new();
        for &alert_id in alert_ids {
            super::alerts::load_alert(&tx, alert_id)?;
            let added = tx.execute(
                "INSERT OR IGNORE INTO report_queue
                 (batch_id, alert_id, state, not_before, updated_at)
                 VALUES (?1, ?2, 'queued', ?3, ?4)",
                params![batch_id, alert_id, ts(send_after), ts(now)],
            )?;
            if added == 0 {
                left_out.push(alert_id);
            }
        }
        tx.commit()?;
        drop(conn);
        Ok((self.batch(batch_id)?, left_out))
    }

    /// One batch with its entries.
    pub fn batch(&self, id: i64) -> Result<Batch, StoreError> {
        let conn = self.lock();
        let (created, send_after): (String, String) = conn
            .query_row(
                "SELECT created_at, send_after FROM report_batches WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("report batch {id}"),
            })?;
        Ok(Batch {
            id,
            created_at: parse_ts(&created)?,
            send_after: parse_ts(&send_after)?,
            entries: entries(&conn, "WHERE q.batch_id = ?1 ORDER BY q.id", [id])?,
        })
    }

    /// Every batch, newest first.
    pub fn batches(&self) -> Result<Vec<Batch>, StoreError> {
        let ids: Vec<i64> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT id FROM report_batches ORDER BY id DESC")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<_>, _>>()?;
            ids
        };
        ids.into_iter().map(|id| self.batch(id)).collect()
    }

    /// Cancels the entries of batch `id` that are still queued; returns how many.
    pub fn cancel_batch(&self, id: i64, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.batch(id)?;
        Ok(self.lock().execute(
            "UPDATE report_queue SET state = 'cancelled', note = 'undone', updated_at = ?2
             WHERE batch_id = ?1 AND state = 'queued'",
            params![id, ts(now)],
        )?)
    }

    /// Takes the next entry due at `now` (oldest first; `platforms`: only those) and marks
    /// it `sending` before anything is sent.
    pub fn claim_due(
        &self,
        now: DateTime<Utc>,
        skip_platforms: &[Platform],
    ) -> Result<Option<QueueEntry>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let due = entries(
            &tx,
            "WHERE q.state = 'queued' AND q.not_before <= ?1 ORDER BY q.not_before, q.id",
            [ts(now)],
        )?;
        let Some(mut next) = due
            .into_iter()
            .find(|e| !skip_platforms.contains(&e.platform))
        else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE report_queue SET state = 'sending', attempts = attempts + 1, updated_at = ?2
             WHERE id = ?1",
            params![next.id, ts(now)],
        )?;
        tx.commit()?;
        next.state = QueueState::Sending;
        next.attempts += 1;
        Ok(Some(next))
    }

    /// Records the report sent for `entry_id` and marks the entry `sent`, in one transaction.
    pub fn finish_sent(
        &self,
        entry_id: i64,
        platform: &Platform,
        (remote_id, detail): (Option<&str>, Option<&str>),
        now: DateTime<Utc>,
    ) -> Result<ReportRecord, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let alert_id: AlertId = tx.query_row(
            "SELECT alert_id FROM report_queue WHERE id = ?1",
            [entry_id],
            |r| r.get(0),
        )?;
        let record = insert_report(
            &tx,
            alert_id,
            platform,
            ReportMethod::Api,
            (remote_id, detail),
            now,
        )?;
        tx.execute(
            "UPDATE report_queue SET state = 'sent', report_id = ?2, note = NULL, updated_at = ?3
             WHERE id = ?1",
            params![entry_id, record.id, ts(now)],
        )?;
        tx.commit()?;
        Ok(record)
    }

    /// Moves a `sending` entry to `state` (queued again from `not_before`, failed, skipped)
    /// with a note.
    pub fn finish_entry(
        &self,
        entry_id: i64,
        state: QueueState,
        note: &str,
        not_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE report_queue SET state = ?2, note = ?3, not_before = ?4, updated_at = ?5
             WHERE id = ?1",
            params![entry_id, state.as_str(), note, ts(not_before), ts(now)],
        )?;
        Ok(())
    }

    /// At start-up: entries left `sending` by a stopped sender may have reached the platform;
    /// they become `uncertain` and are not sent again on their own. Returns how many.
    pub fn mark_interrupted_uncertain(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.lock().execute(
            "UPDATE report_queue SET state = 'uncertain', updated_at = ?1,
             note = 'sending was interrupted: it may have reached the platform; check there before sending it again'
             WHERE state = 'sending'",
            [ts(now)],
        )?)
    }

    /// The batch whose report of `alert_id` was interrupted mid-send (`uncertain`), if any: such
    /// an alert is not queued again in a new batch, or a report that may have arrived would be
    /// sent twice; the person checks on the platform, then retries that batch.
    pub fn uncertain_batch_of(&self, alert_id: AlertId) -> Result<Option<i64>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT batch_id FROM report_queue WHERE alert_id = ?1 AND state = 'uncertain'
                 ORDER BY id DESC LIMIT 1",
                [alert_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Queues the uncertain (or failed) entries of batch `id` again, once the person checked
    /// they did not reach the platform; returns how many.
    pub fn requeue_uncertain(&self, id: i64, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.batch(id)?;
        Ok(self.lock().execute(
            "UPDATE report_queue SET state = 'queued', note = NULL, not_before = ?2,
             updated_at = ?2
             WHERE batch_id = ?1 AND state IN ('uncertain', 'failed')
             AND NOT EXISTS (SELECT 1 FROM report_queue o WHERE o.alert_id = report_queue.alert_id
                             AND o.state IN ('queued', 'sending'))",
            params![id, ts(now)],
        )?)
    }
}
