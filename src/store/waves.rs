//! Waves: alerts of one person that belong together because they arrived close together
//! ([`WAVE_ARRIVAL_MINUTES`]), share a picture (the same avatar bytes), a handle pattern
//! (`jane_doe_0412`, `jane_doe_0413`: the same handle but for its digits) or a creation time
//! (accounts created within [`WAVE_CREATION_MINUTES`] of each other). A new alert joins the
//! wave of the most recent related alert of the same person and verdict, or starts one with
//! it; an alert related to none stays alone (no wave).
//!
//! It owns the `waves` table and the alerts' `wave_id`; it never decides a verdict, never
//! notifies (the notifier reads [`Wave::notified_at`]) and never changes an alert's state.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::alerts::PersonRef;
use super::{from_json, parse_ts, ts, IdentityId, Store, StoreError};
use crate::detect::Verdict;
use crate::identity::Platform;
use crate::profile::Profile;

/// Alerts of one person raised within this many minutes of each other form a wave.
pub const WAVE_ARRIVAL_MINUTES: i64 = 30;
/// Accounts created within this many minutes of each other form a wave.
pub const WAVE_CREATION_MINUTES: i64 = 10;
/// Only alerts raised within this many days are looked at for a shared picture, handle
/// pattern or creation time.
pub const WAVE_HORIZON_DAYS: i64 = 7;
/// At most this many recent alerts are compared with a new one.
const WAVE_CANDIDATES: u32 = 500;

/// A wave of alerts about one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    pub id: i64,
    /// Who the accounts imitate.
    pub person: PersonRef,
    /// The verdict its alerts had when raised (impostor or suspicious).
    pub verdict: Verdict,
    /// How many alerts are in it.
    pub count: u32,
    /// How many of them are still open (new, seen or reported).
    pub open: u32,
    /// The platforms of its accounts.
    pub platforms: Vec<Platform>,
    pub started_at: DateTime<Utc>,
    pub last_alert_at: DateTime<Utc>,
    /// When a notification last announced it.
    pub notified_at: Option<DateTime<Utc>>,
}

/// What a new alert is compared on.
struct Member {
    alert_id: i64,
    wave_id: Option<i64>,
    raised: DateTime<Utc>,
    avatar: Option<String>,
    pattern: Option<String>,
    account_created: Option<DateTime<Utc>>,
}

/// `palmer-report12.bsky.social` -> `palmer-report#.bsky.social`; `None` without digits (a
/// pattern is a series of numbered handles).
pub fn handle_pattern(handle: &str) -> Option<String> {
    let mut out = String::with_capacity(handle.len());
    let (mut digits, mut in_run) = (false, false);
    for c in handle.trim().to_lowercase().chars() {
        if c.is_ascii_digit() {
            if !in_run {
                out.push('#');
            }
            (digits, in_run) = (true, true);
        } else {
            out.push(c);
            in_run = false;
        }
    }
    digits.then_some(out)
}

const MEMBER_SELECT: &str =
    "SELECT a.id, a.wave_id, a.created_at, pv.avatar_sha256, pv.profile_json
    FROM alerts a JOIN profile_versions pv ON pv.id = a.profile_version_id";

type RawMember = (i64, Option<i64>, String, Option<String>, String);

fn raw_member(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawMember> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn member(raw: RawMember) -> Result<Member, StoreError> {
    let profile: Profile = from_json(&raw.4, "profile")?;
    Ok(Member {
        alert_id: raw.0,
        wave_id: raw.1,
        raised: parse_ts(&raw.2)?,
        avatar: raw.3,
        pattern: handle_pattern(&profile.handle),
        account_created: profile.created_at,
    })
}

/// Whether two alerts of one person belong to one wave.
fn related(a: &Member, b: &Member) -> bool {
    let close = |x: DateTime<Utc>, y: DateTime<Utc>, minutes: i64| {
        (x - y).num_seconds().abs() <= minutes * 60
    };
    close(a.raised, b.raised, WAVE_ARRIVAL_MINUTES)
        || (a.avatar.is_some() && a.avatar == b.avatar)
        || (a.pattern.is_some() && a.pattern == b.pattern)
        || matches!((a.account_created, b.account_created),
            (Some(x), Some(y)) if close(x, y, WAVE_CREATION_MINUTES))
}

/// Puts the newly raised alert `alert_id` into the wave of the most recent related alert of
/// the same person and verdict (starting a wave with that alert when it had none). Returns
/// the wave, or `None` when nothing recent is related.
pub(crate) fn join_wave(
    tx: &Connection,
    alert_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let (identity_id, verdict): (i64, String) = tx.query_row(
        "SELECT identity_id, verdict FROM alerts WHERE id = ?1",
        [alert_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let me = member(tx.query_row(
        &format!("{MEMBER_SELECT} WHERE a.id = ?1"),
        [alert_id],
        raw_member,
    )?)?;
    let since = ts(now - chrono::Duration::days(WAVE_HORIZON_DAYS));
    let mut stmt = tx.prepare(&format!(
        "{MEMBER_SELECT} WHERE a.identity_id = ?1 AND a.verdict = ?2 AND a.id <> ?3
         AND a.created_at >= ?4 ORDER BY a.id DESC LIMIT {WAVE_CANDIDATES}"
    ))?;
    let others = stmt
        .query_map(params![identity_id, verdict, alert_id, since], raw_member)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut found = None;
    for raw in others {
        let other = member(raw)?;
        if related(&me, &other) {
            found = Some(other);
            break;
        }
    }
    let Some(other) = found else {
        return Ok(None);
    };
    let wave = match other.wave_id {
        Some(wave) => wave,
        None => {
            // The first alert may have popped up on its own already: the wave counts as
            // announced then, so the second one does not pop up again at once.
            let notified: Option<String> = tx
                .query_row(
                    "SELECT MAX(sent_at) FROM outbox WHERE alert_id = ?1 AND kind = 'new_alert'",
                    [other.alert_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            tx.execute(
                "INSERT INTO waves (identity_id, verdict, started_at, last_alert_at, notified_at)
                 VALUES (?1, ?2, ?3, ?3, ?4)",
                params![identity_id, verdict, ts(other.raised), notified],
            )?;
            let wave = tx.last_insert_rowid();
            tx.execute(
                "UPDATE alerts SET wave_id = ?2 WHERE id = ?1",
                params![other.alert_id, wave],
            )?;
            wave
        }
    };
    tx.execute(
        "UPDATE alerts SET wave_id = ?2 WHERE id = ?1",
        params![me.alert_id, wave],
    )?;
    tx.execute(
        "UPDATE waves SET last_alert_at = MAX(last_alert_at, ?2) WHERE id = ?1",
        params![wave, ts(now)],
    )?;
    Ok(Some(wave))
}

const WAVE_SELECT: &str = "SELECT w.id, w.identity_id, i.name, w.verdict, w.started_at,
    w.last_alert_at, w.notified_at, COUNT(a.id),
    SUM(CASE WHEN a.state IN ('new', 'seen', 'reported') THEN 1 ELSE 0 END),
    GROUP_CONCAT(DISTINCT ac.platform)
    FROM waves w
    JOIN identities i ON i.id = w.identity_id
    JOIN alerts a ON a.wave_id = w.id
    JOIN accounts ac ON ac.id = a.account_id";

/// The columns of a wave row ([`WAVE_SELECT`]), decoded outside rusqlite's closure.
struct WaveRow {
    id: i64,
    identity_id: i64,
    name: String,
    verdict: String,
    started_at: String,
    last_alert_at: String,
    notified_at: Option<String>,
    count: i64,
    open: i64,
    platforms: Option<String>,
}

fn raw_wave(r: &rusqlite::Row<'_>) -> rusqlite::Result<WaveRow> {
    let (id, identity_id, name, verdict, started_at, last_alert_at) =
        <(_, _, _, _, _, _)>::try_from(r)?;
    Ok(WaveRow {
        id,
        identity_id,
        name,
        verdict,
        started_at,
        last_alert_at,
        notified_at: r.get(6)?,
        count: r.get(7)?,
        open: r.get(8)?,
        platforms: r.get(9)?,
    })
}

fn decode_wave(raw: WaveRow) -> Result<Wave, StoreError> {
    let verdict = match raw.verdict.as_str() {
        "impostor" => Verdict::Impostor,
        "suspicious" => Verdict::Suspicious,
        other => return Err(StoreError::Corrupt(format!("wave verdict {other:?}"))),
    };
    let mut platforms: Vec<Platform> = raw
        .platforms
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
        .map(Platform::parse)
        .collect();
    platforms.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Ok(Wave {
        id: raw.id,
        person: PersonRef {
            id: raw.identity_id,
            name: raw.name,
        },
        verdict,
        count: u32::try_from(raw.count).unwrap_or(u32::MAX),
        open: u32::try_from(raw.open).unwrap_or(u32::MAX),
        platforms,
        started_at: parse_ts(&raw.started_at)?,
        last_alert_at: parse_ts(&raw.last_alert_at)?,
        notified_at: raw.notified_at.as_deref().map(parse_ts).transpose()?,
    })
}

impl Store {
    /// The waves (of one person, or of everyone), most recent first, with their counts.
    pub fn waves(&self, identity_id: Option<IdentityId>) -> Result<Vec<Wave>, StoreError> {
        let conn = self.lock();
        let (sql, args): (String, Vec<i64>) = match identity_id {
            Some(id) => (
                format!("{WAVE_SELECT} WHERE w.identity_id = ?1 GROUP BY w.id ORDER BY w.last_alert_at DESC, w.id DESC"),
                vec![id],
            ),
            None => (
                format!("{WAVE_SELECT} GROUP BY w.id ORDER BY w.last_alert_at DESC, w.id DESC"),
                vec![],
            ),
        };
        let mut stmt = conn.prepare(&sql)?;
        let raws = stmt
            .query_map(rusqlite::params_from_iter(args), raw_wave)?
            .collect::<Result<Vec<_>, _>>()?;
        raws.into_iter().map(decode_wave).collect()
    }

    /// One wave by id.
    pub fn wave(&self, id: i64) -> Result<Wave, StoreError> {
        let raw = self
            .lock()
            .query_row(
                &format!("{WAVE_SELECT} WHERE w.id = ?1 GROUP BY w.id"),
                [id],
                raw_wave,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("wave {id}"),
            })?;
        decode_wave(raw)
    }

    /// Records that a notification announced these waves at `now`.
    pub fn mark_waves_notified(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
        self.stamp_each("UPDATE waves SET notified_at = ?2 WHERE id = ?1", ids, now)
    }
}

#[cfg(test)]
mod tests {
    use super::handle_pattern;

    #[test]
    fn numbered_handles_share_a_pattern() {
        assert_eq!(
            handle_pattern("Jane_Doe_0412.bsky.social").as_deref(),
            Some("jane_doe_#.bsky.social")
        );
        assert_eq!(
            handle_pattern("jane_doe_0413.bsky.social"),
            handle_pattern("jane_doe_9.bsky.social")
        );
        assert_eq!(handle_pattern("janedoe.bsky.social"), None);
    }
}
