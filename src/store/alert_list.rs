//! The alert list as a window shows it: one page of a filtered list in the list's order (new
//! first, then seen, reported, snoozed, dismissed, resolved, allowed; within a state the
//! account seen most recently first), how many alerts the filter matches in all, and the ids
//! of the whole filtered set (what "select all" acts on).
//!
//! It owns only these queries: the SQL reads the ids of one page (sorting ids, not whole
//! rows) and decodes those rows alone, each person's identity once. It never decides what
//! the list shows beside each alert (the app facade's [`crate::app::alert_list`] does) and
//! never changes an alert.

use rusqlite::types::Value;

use super::alerts::{decode_alerts, filter_sql, raw_alert, ALERT_SELECT};
use super::{Alert, AlertFilter, AlertId, Store, StoreError};
use crate::identity::Platform;

/// The list's order, as SQL over `alerts a` joined with `accounts ac`.
const LIST_ORDER: &str = "CASE a.state WHEN 'new' THEN 0 WHEN 'seen' THEN 1 WHEN 'reported' THEN 2
    WHEN 'snoozed' THEN 3 WHEN 'dismissed' THEN 4 WHEN 'resolved' THEN 5 WHEN 'allowed' THEN 6
    ELSE 9 END, ac.first_seen DESC, a.id DESC";

/// One page of the alert list and how many alerts the filter matches in all.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPage {
    /// Every alert the filter matches (not only this page's).
    pub total: u32,
    /// The alerts of the page, in the list's order.
    pub alerts: Vec<Alert>,
}

impl Store {
    /// The alerts matching `filter` from `offset` on, at most `limit` of them, in the list's
    /// order (see the module's comment), with the number matching in all. `filter.limit` is
    /// not used (`limit` is).
    pub fn alert_page(
        &self,
        filter: &AlertFilter,
        offset: u32,
        limit: u32,
    ) -> Result<AlertPage, StoreError> {
        let mut args: Vec<Value> = Vec::new();
        let conditions = filter_sql(filter, &mut args);
        let conn = self.lock();
        let total: i64 = conn.query_row(
            &format!(
                "SELECT count(*) FROM alerts a JOIN accounts ac ON ac.id = a.account_id
                 WHERE {conditions}"
            ),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        // The page's ids first (a sort over small keys), then those rows in full.
        let sql = format!(
            "{ALERT_SELECT} WHERE a.id IN (
                SELECT a.id FROM alerts a JOIN accounts ac ON ac.id = a.account_id
                WHERE {conditions} ORDER BY {LIST_ORDER} LIMIT {limit} OFFSET {offset})
             ORDER BY {LIST_ORDER}"
        );
        let mut stmt = conn.prepare(&sql)?;
        let raws = stmt
            .query_map(rusqlite::params_from_iter(args), raw_alert)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AlertPage {
            total: u32::try_from(total).unwrap_or(u32::MAX),
            alerts: decode_alerts(raws)?,
        })
    }

    /// The id and platform of every alert matching `filter`, in the list's order (nothing
    /// else is read or decoded): what "select all" acts on, however long the list.
    pub fn alert_keys(&self, filter: &AlertFilter) -> Result<Vec<(AlertId, Platform)>, StoreError> {
        let mut args: Vec<Value> = Vec::new();
        let conditions = filter_sql(filter, &mut args);
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT a.id, ac.platform FROM alerts a JOIN accounts ac ON ac.id = a.account_id
             WHERE {conditions} ORDER BY {LIST_ORDER}"
        ))?;
        let keys = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .map(|k| k.map(|(id, platform)| (id, Platform::parse(&platform))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(keys)
    }
}
