//! Removing a person from the store, and what would be lost by it. Adding and changing people
//! are [`Store::upsert_identity`] and [`Store::update_identity`]; deciding whether a removal
//! may take the alerts with it is the caller's (the app facade asks the person): this module
//! never removes alerts unless told to.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{IdentityId, Store, StoreError};

/// How many alerts a person has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAlerts {
    /// New, seen or reported.
    pub open: u32,
    /// Every alert, closed ones included.
    pub total: u32,
}

fn count(conn: &rusqlite::Connection, id: IdentityId) -> Result<PersonAlerts, StoreError> {
    let (open, total): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(CASE WHEN state IN ('new', 'seen', 'reported') THEN 1 ELSE 0 END), 0),
         COUNT(*) FROM alerts WHERE identity_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(PersonAlerts {
        open: u32::try_from(open).unwrap_or(u32::MAX),
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

impl Store {
    /// How many alerts the person `id` has, open and in all.
    pub fn person_alerts(&self, id: IdentityId) -> Result<PersonAlerts, StoreError> {
        count(&self.lock(), id)
    }

    /// Removes the person `id`. A person with alerts is removed only `with_alerts`: then their
    /// alerts, reports, drafts, waves, notifications and stream cursors go too, in one
    /// transaction (the accounts seen and their history stay: other people may share them).
    /// Without it, [`StoreError::HasAlerts`] and nothing changes. Returns what was removed.
    pub fn remove_identity(
        &self,
        id: IdentityId,
        with_alerts: bool,
    ) -> Result<PersonAlerts, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let name: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT name FROM identities WHERE id = ?1",
            [id],
            |r| r.get(0),
        ))?;
        let name = name.ok_or_else(|| StoreError::NotFound {
            what: format!("person {id}"),
        })?;
        let alerts = count(&tx, id)?;
        if alerts.total > 0 && !with_alerts {
            return Err(StoreError::HasAlerts {
                name,
                open: alerts.open,
                total: alerts.total,
            });
        }
        let of_person = "(SELECT id FROM alerts WHERE identity_id = ?1)";
        for table in ["report_drafts", "reports", "outbox", "alert_posts"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE alert_id IN {of_person}"),
                [id],
            )?;
        }
        tx.execute("DELETE FROM evidence_seen WHERE identity_id = ?1", [id])?;
        tx.execute("DELETE FROM alerts WHERE identity_id = ?1", [id])?;
        tx.execute("DELETE FROM waves WHERE identity_id = ?1", [id])?;
        tx.execute(
            "DELETE FROM cursors WHERE name IN (?1, ?2)",
            params![
                format!("jetstream:{id}"),
                format!("coverage_gap:jetstream:{id}")
            ],
        )?;
        tx.execute("DELETE FROM identities WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(alerts)
    }
}
