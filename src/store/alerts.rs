//! Alerts and their life cycle, and the notification outbox.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{from_json, parse_ts, ts, IdentityId, Store, StoreError};
use crate::detect::{Reason, Verdict};
use crate::identity::{Identity, Platform};
use crate::profile::FoundBy;
use crate::profile::Profile;

/// Row id of an alert.
pub type AlertId = i64;

/// Where an alert stands: `new -> seen -> reported -> resolved`, or `dismissed` / `allowed`
/// at any point before it is resolved; `new` or `seen` alerts may be `snoozed` until a time,
/// after which (or sooner, when the account changes) they come back as `new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Raised, not yet looked at.
    New,
    /// The person opened it.
    Seen,
    /// A report was filed or the form was opened; the account is re-checked until it is gone.
    Reported,
    /// Closed: the account is gone (removed by the platform) or renamed away.
    Resolved,
    /// The person decided it is not worth acting on.
    Dismissed,
    /// The person says the account is theirs, a fan's, or fine: it never alerts again.
    Allowed,
    /// Put aside until [`Alert::snoozed_until`]; it comes back as `new` then, or sooner when
    /// the account changes its name, bio or picture.
    Snoozed,
}

impl AlertState {
    /// All states, in life-cycle order.
    pub const ALL: [AlertState; 7] = [
        AlertState::New,
        AlertState::Seen,
        AlertState::Reported,
        AlertState::Resolved,
        AlertState::Dismissed,
        AlertState::Allowed,
        AlertState::Snoozed,
    ];

    /// Lowercase name as stored and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::New => "new",
            AlertState::Seen => "seen",
            AlertState::Reported => "reported",
            AlertState::Resolved => "resolved",
            AlertState::Dismissed => "dismissed",
            AlertState::Allowed => "allowed",
            AlertState::Snoozed => "snoozed",
        }
    }

    /// True while the case needs the person or is being followed (a snoozed alert does not
    /// need the person until it comes back).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AlertState::New | AlertState::Seen | AlertState::Reported
        )
    }

    /// Whether the life cycle allows going from `self` to `to`. Closed cases may be reopened
    /// (`seen`) when the person changes their mind. Only `new` and `seen` alerts may be
    /// snoozed (a reported case is followed until it is gone; a closed one has nothing to
    /// remind of); a snoozed alert comes back as `new`, or the person acts on it.
    pub fn can_become(self, to: AlertState) -> bool {
        use AlertState::*;
        if self == to {
            return true;
        }
        match self {
            New => true,
            Seen => to != New,
            Reported => matches!(to, Resolved | Dismissed | Allowed),
            Resolved | Dismissed | Allowed => to == Seen,
            Snoozed => true,
        }
    }
}

impl fmt::Display for AlertState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlertState::ALL
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown alert state {s:?}: use new, seen, reported, resolved, dismissed, allowed or snoozed")
            })
    }
}

/// Who an alert or a wave is about: the person's stable id and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: IdentityId,
    pub name: String,
}

/// An alert: one account that copies one identity, with the evidence as captured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub identity_id: IdentityId,
    /// The person being copied (their real accounts go into the report).
    pub identity: Identity,
    pub account_id: i64,
    pub platform: Platform,
    /// The impostor's profile as captured when the alert was raised or last updated.
    pub profile: Profile,
    pub profile_version_id: i64,
    pub found_by: Option<FoundBy>,
    /// SHA-256 of the impostor's avatar as kept in the store, if it was fetched.
    pub avatar_sha256: Option<String>,
    pub verdict: Verdict,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub fingerprint: String,
    pub state: AlertState,
    /// Why the state last changed, in words (e.g. "removed by Bluesky").
    pub state_note: Option<String>,
    /// When the account was first seen by Doppelwatch.
    pub first_seen: DateTime<Utc>,
    /// When the account was found gone, if it was.
    pub gone_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When a snoozed alert comes back (set only while the state is `snoozed`). Left out of
    /// JSON when unset, so alerts in other states print exactly as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Who the alert is about (the same as `identity_id` and `identity.name`, said plainly).
    #[serde(default)]
    pub person: PersonRef,
    /// The wave the alert belongs to, if it came with others (see `doppelwatch waves`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave_id: Option<i64>,
}

/// Which alerts to list; the default lists all, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AlertFilter {
    /// Only these states (empty: all).
    #[serde(default)]
    pub states: Vec<AlertState>,
    #[serde(default)]
    pub identity_id: Option<IdentityId>,
    #[serde(default)]
    pub platform: Option<Platform>,
    /// Only alerts with this verdict: `impostor` (notified at once) or `suspicious` (the quiet
    /// worth-a-look list).
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// Only the alerts of this wave.
    #[serde(default)]
    pub wave_id: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Alerts waiting for the person (new or seen), by verdict: impostors are announced one by
/// one, the suspicious ones wait quietly in the worth-a-look list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingAlerts {
    pub impostors: u32,
    pub worth_a_look: u32,
}

/// What a notification announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    /// A new alert.
    NewAlert,
    /// A case closed (account removed or renamed).
    CaseClosed,
}

impl OutboxKind {
    fn as_str(self) -> &'static str {
        match self {
            OutboxKind::NewAlert => "new_alert",
            OutboxKind::CaseClosed => "case_closed",
        }
    }
}

/// A notification waiting to be shown, with its alert as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub kind: OutboxKind,
    pub alert: Alert,
    pub created_at: DateTime<Utc>,
}

pub(super) const ALERT_SELECT: &str =
    "SELECT a.id, a.identity_id, i.json, a.account_id, ac.platform,
    pv.profile_json, a.profile_version_id, pv.found_by_json, pv.avatar_sha256, a.verdict, a.score,
    a.reasons_json, a.fingerprint, a.state, a.state_note, ac.first_seen, ac.gone_at,
    a.created_at, a.updated_at, a.snoozed_until, a.wave_id
    FROM alerts a
    JOIN identities i ON i.id = a.identity_id
    JOIN accounts ac ON ac.id = a.account_id
    JOIN profile_versions pv ON pv.id = a.profile_version_id";

/// Raw columns of an alert row, decoded outside rusqlite's closure so JSON errors are ours.
pub(super) type RawAlert = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    f64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<i64>,
);

pub(super) fn raw_alert(r: &Row<'_>) -> rusqlite::Result<RawAlert> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
        r.get(15)?,
        r.get(16)?,
        r.get(17)?,
        r.get(18)?,
        r.get(19)?,
        r.get(20)?,
    ))
}

/// The conditions of `filter` as SQL over `alerts a` joined with `accounts ac`, its values
/// pushed onto `args` (`1 = 1` when it has none). `filter.limit` is left to the caller.
pub(super) fn filter_sql(filter: &AlertFilter, args: &mut Vec<rusqlite::types::Value>) -> String {
    let mut sql = String::from("1 = 1");
    if !filter.states.is_empty() {
        let marks: Vec<String> = filter
            .states
            .iter()
            .map(|s| {
                args.push(s.as_str().to_string().into());
                format!("?{}", args.len())
            })
            .collect();
        sql.push_str(&format!(" AND a.state IN ({})", marks.join(", ")));
    }
    if let Some(id) = filter.identity_id {
        args.push(id.into());
        sql.push_str(&format!(" AND a.identity_id = ?{}", args.len()));
    }
    if let Some(platform) = &filter.platform {
        args.push(platform.as_str().to_string().into());
        sql.push_str(&format!(" AND ac.platform = ?{}", args.len()));
    }
    if let Some(verdict) = filter.verdict {
        args.push(verdict.as_str().to_string().into());
        sql.push_str(&format!(" AND a.verdict = ?{}", args.len()));
    }
    if let Some(wave) = filter.wave_id {
        args.push(wave.into());
        sql.push_str(&format!(" AND a.wave_id = ?{}", args.len()));
    }
    sql
}

/// Decodes rows of [`ALERT_SELECT`], each person's identity JSON once (alerts about the same
/// person share it: thousands of alerts, a handful of people).
pub(super) fn decode_alerts(raws: Vec<RawAlert>) -> Result<Vec<Alert>, StoreError> {
    let mut identities: HashMap<IdentityId, Identity> = HashMap::new();
    raws.into_iter()
        .map(|raw| {
            let identity = match identities.get(&raw.1) {
                Some(identity) => identity.clone(),
                None => {
                    let identity: Identity = from_json(&raw.2, "identity")?;
                    identities.insert(raw.1, identity.clone());
                    identity
                }
            };
            decode_alert_of(raw, identity)
        })
        .collect()
}

fn decode_alert(raw: RawAlert) -> Result<Alert, StoreError> {
    let identity: Identity = from_json(&raw.2, "identity")?;
    decode_alert_of(raw, identity)
}

/// An alert from its raw columns, with its person's identity already decoded.
fn decode_alert_of(raw: RawAlert, identity: Identity) -> Result<Alert, StoreError> {
    let verdict = match raw.9.as_str() {
        "impostor" => Verdict::Impostor,
        "suspicious" => Verdict::Suspicious,
        "clear" => Verdict::Clear,
        other => return Err(StoreError::Corrupt(format!("unknown verdict {other:?}"))),
    };
    let state: AlertState = raw.13.parse().map_err(StoreError::Corrupt)?;
    // Only a snoozed alert has a wake time; a stale column (the state moved on through a path
    // that did not clear it) means nothing.
    let snoozed_until = match state {
        AlertState::Snoozed => raw.19.as_deref().map(parse_ts).transpose()?,
        _ => None,
    };
    Ok(Alert {
        id: raw.0,
        identity_id: raw.1,
        person: PersonRef {
            id: raw.1,
            name: identity.name.clone(),
        },
        identity,
        account_id: raw.3,
        platform: Platform::parse(&raw.4),
        profile: from_json(&raw.5, "profile")?,
        profile_version_id: raw.6,
        found_by: raw.7.map(|f| from_json(&f, "found_by")).transpose()?,
        avatar_sha256: raw.8,
        verdict,
        score: raw.10,
        reasons: from_json(&raw.11, "reasons")?,
        fingerprint: raw.12,
        state,
        state_note: raw.14,
        first_seen: parse_ts(&raw.15)?,
        gone_at: raw.16.as_deref().map(parse_ts).transpose()?,
        created_at: parse_ts(&raw.17)?,
        updated_at: parse_ts(&raw.18)?,
        snoozed_until,
        wave_id: raw.20,
    })
}

pub(crate) fn load_alert(conn: &Connection, id: AlertId) -> Result<Alert, StoreError> {
    let raw = conn
        .query_row(&format!("{ALERT_SELECT} WHERE a.id = ?1"), [id], raw_alert)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("alert {id}"),
        })?;
    decode_alert(raw)
}

/// The store key of the time the last worth-a-look digest was shown.
const LAST_DIGEST_KEY: &str = "notify:last_digest";

/// The longest snooze [`Store::snooze_alert`] accepts, in days.
pub const MAX_SNOOZE_DAYS: i64 = 366;

/// Wakes a snoozed alert inside `tx`: back to `new` with `note`, and a new-alert notification.
pub(crate) fn wake_in(
    tx: &Connection,
    id: AlertId,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE alerts SET state = 'new', snoozed_until = NULL, state_note = ?2, updated_at = ?3
         WHERE id = ?1",
        params![id, note, ts(now)],
    )?;
    insert_outbox(tx, OutboxKind::NewAlert, id, now)
}

pub(crate) fn insert_outbox(
    conn: &Connection,
    kind: OutboxKind,
    alert_id: AlertId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO outbox (kind, alert_id, created_at) VALUES (?1, ?2, ?3)",
        params![kind.as_str(), alert_id, ts(now)],
    )?;
    Ok(())
}

impl Store {
    /// Alerts matching `filter`, newest first. Each person's identity is decoded once per call,
    /// not once per alert.
    pub fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, StoreError> {
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut sql = format!(
            "{ALERT_SELECT} WHERE {} ORDER BY a.id DESC",
            filter_sql(filter, &mut args)
        );
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let conn = self.lock();
        let mut stmt = conn.prepare(&sql)?;
        let raws = stmt
            .query_map(rusqlite::params_from_iter(args), raw_alert)?
            .collect::<Result<Vec<_>, _>>()?;
        decode_alerts(raws)
    }

    /// One alert by id.
    pub fn alert(&self, id: AlertId) -> Result<Alert, StoreError> {
        load_alert(&self.lock(), id)
    }

    /// Moves an alert along its life cycle (see [`AlertState::can_become`]); `note` says why,
    /// in words. Returns the alert as it is now. Snoozing needs a time: use
    /// [`Store::snooze_alert`].
    pub fn set_alert_state(
        &self,
        id: AlertId,
        state: AlertState,
        note: Option<&str>,
    ) -> Result<Alert, StoreError> {
        if state == AlertState::Snoozed {
            return Err(StoreError::InvalidSnooze {
                id,
                why: "a snooze needs the time the alert should come back".into(),
            });
        }
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let current = load_alert(&tx, id)?;
        if !current.state.can_become(state) {
            return Err(StoreError::InvalidTransition {
                id,
                from: current.state,
                to: state,
            });
        }
        tx.execute(
            "UPDATE alerts SET state = ?2, state_note = ?3, updated_at = ?4, snoozed_until = NULL
             WHERE id = ?1",
            params![id, state.as_str(), note, ts(Utc::now())],
        )?;
        let alert = load_alert(&tx, id)?;
        tx.commit()?;
        Ok(alert)
    }

    /// Snoozes a `new` or `seen` alert (or moves the time of a snoozed one) until `until`,
    /// which must be after `now` and at most [`MAX_SNOOZE_DAYS`] days later. It comes back as
    /// `new`, with a notification, through [`Store::wake_due_snoozes`] once `until` has passed,
    /// or sooner when the account changes its name, bio or picture (see
    /// [`Store::record_findings`]). Returns the alert as it is now.
    pub fn snooze_alert(
        &self,
        id: AlertId,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Alert, StoreError> {
        if until <= now {
            return Err(StoreError::InvalidSnooze {
                id,
                why: format!(
                    "the time to come back ({}) is not in the future",
                    until.format("%Y-%m-%d %H:%M UTC")
                ),
            });
        }
        if until - now > chrono::Duration::days(MAX_SNOOZE_DAYS) {
            return Err(StoreError::InvalidSnooze {
                id,
                why: format!("a snooze lasts at most {MAX_SNOOZE_DAYS} days"),
            });
        }
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let current = load_alert(&tx, id)?;
        if !matches!(
            current.state,
            AlertState::New | AlertState::Seen | AlertState::Snoozed
        ) {
            return Err(StoreError::InvalidTransition {
                id,
                from: current.state,
                to: AlertState::Snoozed,
            });
        }
        let note = format!(
            "snoozed until {}; comes back sooner if the account changes its name, bio or picture",
            until.format("%Y-%m-%d %H:%M UTC")
        );
        tx.execute(
            "UPDATE alerts SET state = 'snoozed', snoozed_until = ?2, state_note = ?3,
             updated_at = ?4 WHERE id = ?1",
            params![id, ts(until), note, ts(now)],
        )?;
        let alert = load_alert(&tx, id)?;
        tx.commit()?;
        Ok(alert)
    }

    /// Brings back every snoozed alert whose time has come (at or before `now`): each becomes
    /// `new` again with a note saying so, and gets a new-alert notification, in one
    /// transaction. Returns the alerts woken, each exactly once (a woken alert is no longer
    /// snoozed).
    pub fn wake_due_snoozes(&self, now: DateTime<Utc>) -> Result<Vec<Alert>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let due: Vec<(AlertId, String)> = {
            let mut stmt = tx.prepare(
                "SELECT id, snoozed_until FROM alerts
                 WHERE state = 'snoozed' AND snoozed_until <= ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([ts(now)], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut woken = Vec::with_capacity(due.len());
        for (id, until) in due {
            let until = parse_ts(&until)?;
            wake_in(
                &tx,
                id,
                &format!(
                    "back from snooze: you snoozed it until {}",
                    until.format("%Y-%m-%d %H:%M UTC")
                ),
                now,
            )?;
            woken.push(load_alert(&tx, id)?);
        }
        tx.commit()?;
        Ok(woken)
    }

    /// Closes a case because the account is gone from its platform: marks the account gone,
    /// resolves the alert with `why`, and queues a notification telling the person.
    pub fn close_case(
        &self,
        id: AlertId,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Alert, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let current = load_alert(&tx, id)?;
        if current.state == AlertState::Resolved {
            return Ok(current);
        }
        tx.execute(
            "UPDATE accounts SET gone_at = ?2 WHERE id = ?1 AND gone_at IS NULL",
            params![current.account_id, ts(now)],
        )?;
        tx.execute(
            "UPDATE alerts SET state = 'resolved', state_note = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, why, ts(now)],
        )?;
        insert_outbox(&tx, OutboxKind::CaseClosed, id, now)?;
        let alert = load_alert(&tx, id)?;
        tx.commit()?;
        Ok(alert)
    }

    /// Notifications not shown yet, oldest first. New-alert notifications whose alert the person
    /// already handled (allowed, dismissed) are dropped here.
    pub fn pending_notifications(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, kind, alert_id, created_at FROM outbox WHERE sent_at IS NULL ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut items = Vec::new();
        for (id, kind, alert_id, created) in rows {
            let kind = match kind.as_str() {
                "new_alert" => OutboxKind::NewAlert,
                "case_closed" => OutboxKind::CaseClosed,
                other => return Err(StoreError::Corrupt(format!("outbox kind {other:?}"))),
            };
            let alert = load_alert(&conn, alert_id)?;
            if kind == OutboxKind::NewAlert && !alert.state.is_open() {
                conn.execute(
                    "UPDATE outbox SET sent_at = ?2 WHERE id = ?1",
                    params![id, ts(Utc::now())],
                )?;
                continue;
            }
            items.push(OutboxItem {
                id,
                kind,
                alert,
                created_at: parse_ts(&created)?,
            });
        }
        Ok(items)
    }

    /// Marks notifications as shown.
    pub fn mark_notified(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
        self.stamp_each(
            "UPDATE outbox SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL",
            ids,
            now,
        )
    }

    /// Runs `sql` (`?1`: an id, `?2`: the time) for each of `ids`, in one transaction.
    pub(super) fn stamp_each(
        &self,
        sql: &str,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(sql, params![id, ts(now)])?;
        }
        tx.commit()?;
        Ok(())
    }
    /// How many alerts wait for the person (new or seen), impostors and worth-a-look apart.
    pub fn waiting_alerts(&self) -> Result<WaitingAlerts, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT verdict, COUNT(*) FROM alerts WHERE state IN ('new', 'seen') GROUP BY verdict",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut waiting = WaitingAlerts::default();
        for (verdict, n) in rows {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            match verdict.as_str() {
                "impostor" => waiting.impostors = n,
                "suspicious" => waiting.worth_a_look = n,
                _ => {}
            }
        }
        Ok(waiting)
    }

    /// When the last worth-a-look digest was shown, if ever (kept across restarts, so the
    /// digest stays once a day).
    pub fn last_digest_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let value: Option<String> = self
            .lock()
            .query_row(
                "SELECT value FROM cursors WHERE name = ?1",
                [LAST_DIGEST_KEY],
                |r| r.get(0),
            )
            .optional()?;
        value.as_deref().map(parse_ts).transpose()
    }

    /// Marks the notifications a worth-a-look digest covered as shown and records when the
    /// digest went out, in one transaction.
    pub fn mark_digest_shown(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL",
                params![id, ts(now)],
            )?;
        }
        super::set_cursor_in(&tx, LAST_DIGEST_KEY, &ts(now))?;
        tx.commit()?;
        Ok(())
    }

    /// When the last notification was shown, if ever.
    pub fn last_notified_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let last: Option<String> =
            self.lock()
                .query_row("SELECT MAX(sent_at) FROM outbox", [], |r| r.get(0))?;
        last.as_deref().map(parse_ts).transpose()
    }
}
