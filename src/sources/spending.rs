//! What paid sources (X) spent, kept in the store so that every process holds the same daily
//! cap and re-read window: the watch service and `scan` both call [`sync`] before and after
//! each check. It owns the store keys `spending:<platform>` (`YYYY-MM-DD USD`, the day's total
//! over every process), `reads:<platform>` (JSON `{username: RFC 3339}`) and
//! `billed:<platform>` (JSON `{"day": "YYYY-MM-DD", "ids": [..]}`: the users X billed that
//! UTC day, which it does not bill again that day).
//!
//! A sync adds what the source spent since its last sync to the stored total in one IMMEDIATE
//! transaction, so two processes spending at once both count; it never replaces the total
//! with one process's own figure. It never runs a check or talks to a platform.
//!
//! A check reserves before it spends ([`begin_check`]): in the same transaction it holds
//! all the room the cap still leaves (key `holds:<platform>`, JSON `{holder: {day, usd,
//! until}}`), and every other process counts that hold as spent, so checks in parallel
//! processes can never together pass the cap. [`end_check`] hands the spending over and
//! gives the hold back; a hold whose process died lapses after [`HOLD_LIFETIME`].
//!
//! Several people share one day's room fairly ([`share_room`]): before each person's check,
//! the room left is split evenly between the people still to be checked in that round, so
//! the first person checked can never take the whole budget (issue 11).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Source, Spending};
use crate::store::{Store, StoreError};

/// The store key of a paid source's spending today: `spending:<platform>`.
pub fn spending_key(source: &dyn Source) -> String {
    format!("spending:{}", source.platform())
}

/// The store key of a paid source's recent reads: `reads:<platform>`.
pub fn reads_key(source: &dyn Source) -> String {
    format!("reads:{}", source.platform())
}

/// The store key of the users a paid source was billed for today: `billed:<platform>`.
pub fn billed_key(source: &dyn Source) -> String {
    format!("billed:{}", source.platform())
}

/// The store key of the paid source's holds on the day's room: `holds:<platform>`.
pub fn holds_key(source: &dyn Source) -> String {
    format!("holds:{}", source.platform())
}

/// How long a hold lasts when its process never gives it back (it died): longer than a
/// check may run (15 minutes).
pub const HOLD_LIFETIME: chrono::Duration = chrono::Duration::minutes(20);

/// Checks running now per holder in this process: a source shared by several checks (the
/// watcher's targets) gives its hold back only when the last of them ends.
static RUNNING: Mutex<BTreeMap<String, u32>> = Mutex::new(BTreeMap::new());

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Hold {
    day: NaiveDate,
    usd: f64,
    until: DateTime<Utc>,
}

/// What a sync does with this source's hold on the day's room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldChange {
    Keep,
    Take,
    GiveBack,
}

/// Most recent reads kept (a check reads at most a few thousand accounts).
const MAX_READS: usize = 20_000;

/// Hands what `source` spent since its last sync to the store and gives it back the stored
/// total of every process (and their holds). Free sources (no spending) are left alone. On
/// an error nothing counts as handed over (the next sync tries again) and the cap still
/// holds in this process.
pub fn sync(store: &Store, source: &dyn Source) -> Result<(), StoreError> {
    exchange(store, source, HoldChange::Keep)
}

/// Before a check: [`sync`], and hold all the room the cap still leaves today, so that no
/// other process can spend it while this check runs. Pair it with [`end_check`].
pub fn begin_check(store: &Store, source: &dyn Source) -> Result<(), StoreError> {
    let Some(mine) = source.unsaved_spending() else {
        return Ok(());
    };
    *running().entry(mine.holder).or_insert(0) += 1;
    exchange(store, source, HoldChange::Take)
}

/// After a check: [`sync`], and give back the hold when no other check of this source runs.
pub fn end_check(store: &Store, source: &dyn Source) -> Result<(), StoreError> {
    let Some(mine) = source.unsaved_spending() else {
        return Ok(());
    };
    let last = {
        let mut running = running();
        let count = running.entry(mine.holder.clone()).or_insert(0);
        *count = count.saturating_sub(1);
        let last = *count == 0;
        if last {
            running.remove(&mine.holder);
        }
        last
    };
    exchange(
        store,
        source,
        if last {
            HoldChange::GiveBack
        } else {
            HoldChange::Keep
        },
    )
}

/// Before one person's check of a paid source, when `people_left` people (this one included)
/// are still to be checked in this round: this check may spend at most the room the cap
/// leaves divided by `people_left` (what a person leaves unspent goes to the next). Returns
/// that share in dollars, or `None` for free sources. Call [`end_share`] after the check.
pub fn share_room(source: &dyn Source, people_left: usize) -> Option<f64> {
    let room = source.room_left_usd()?;
    let share = room / people_left.max(1) as f64;
    source.limit_check_spending(Some(share));
    Some(share)
}

/// After one person's check: no share limit any more (only the daily cap).
pub fn end_share(source: &dyn Source) {
    source.limit_check_spending(None);
}

fn running() -> std::sync::MutexGuard<'static, BTreeMap<String, u32>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

fn exchange(store: &Store, source: &dyn Source, change: HoldChange) -> Result<(), StoreError> {
    let Some(mine) = source.unsaved_spending() else {
        return Ok(());
    };
    let keys = [
        spending_key(source),
        reads_key(source),
        holds_key(source),
        billed_key(source),
    ];
    let mut merged = None;
    store.update_cursors(&keys, |stored| {
        let total = merge(stored, &mine);
        let holds = update_holds(
            stored.get(2).and_then(|v| v.as_deref()),
            &mine,
            &total,
            change,
        );
        let others: f64 = holds
            .iter()
            .filter(|(holder, _)| **holder != mine.holder)
            .map(|(_, h)| h.usd)
            .sum();
        let values = vec![
            format!("{} {}", total.day, total.usd),
            reads_json(&total.reads),
            serde_json::to_string(&holds).unwrap_or_else(|_| "{}".into()),
            billed_json(total.day, &total.billed),
        ];
        merged = Some(Spending {
            usd: total.usd + others,
            ..total
        });
        values
    })?;
    if let Some(total) = merged {
        source.spending_saved(&mine, &total);
    }
    Ok(())
}

/// The stored holds, without lapsed ones or other days', with this source's hold changed.
fn update_holds(
    stored: Option<&str>,
    mine: &Spending,
    total: &Spending,
    change: HoldChange,
) -> HashMap<String, Hold> {
    let now = Utc::now();
    let mut holds: HashMap<String, Hold> = stored
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    holds.retain(|_, h| h.day == total.day && h.until > now && h.usd.is_finite() && h.usd >= 0.0);
    match change {
        HoldChange::Keep => {}
        HoldChange::GiveBack => {
            holds.remove(&mine.holder);
        }
        HoldChange::Take => {
            let others: f64 = holds
                .iter()
                .filter(|(holder, _)| **holder != mine.holder)
                .map(|(_, h)| h.usd)
                .sum();
            let room = (mine.cap_usd - total.usd - others).max(0.0);
            holds.insert(
                mine.holder.clone(),
                Hold {
                    day: total.day,
                    usd: room,
                    until: now + HOLD_LIFETIME,
                },
            );
        }
    }
    holds
}

/// The stored state (`[spending, reads]` values) plus `mine`.
fn merge(stored: &[Option<String>], mine: &Spending) -> Spending {
    let (day, usd) = stored
        .first()
        .and_then(|v| v.as_deref())
        .and_then(parse_spending)
        .unwrap_or((mine.day, 0.0));
    let (day, usd) = if day == mine.day {
        (day, usd + mine.usd)
    } else if day < mine.day {
        (mine.day, mine.usd)
    } else {
        // Stored by a clock already on the next day: keep it.
        (day, usd)
    };
    let mut reads: BTreeMap<String, DateTime<Utc>> = stored
        .get(1)
        .and_then(|v| v.as_deref())
        .and_then(|v| serde_json::from_str::<BTreeMap<String, DateTime<Utc>>>(v).ok())
        .unwrap_or_default();
    for (name, at) in &mine.reads {
        let entry = reads.entry(name.to_ascii_lowercase()).or_insert(*at);
        if *at > *entry {
            *entry = *at;
        }
    }
    // The longest re-read window is 30 days (`x.reread_window_hours`).
    let oldest = Utc::now() - chrono::Duration::days(31);
    reads.retain(|_, t| *t >= oldest);
    let mut reads: Vec<(String, DateTime<Utc>)> = reads.into_iter().collect();
    if reads.len() > MAX_READS {
        reads.sort_by_key(|r| std::cmp::Reverse(r.1));
        reads.truncate(MAX_READS);
    }
    let billed = merge_billed(stored.get(3).and_then(|v| v.as_deref()), mine, day);
    Spending {
        day,
        usd,
        reads,
        billed,
        ..mine.clone()
    }
}

/// Users billed on `day` at most kept (as [`crate::sources::x::MAX_BILLED_IDS`]).
const MAX_BILLED: usize = crate::sources::x::MAX_BILLED_IDS;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Billed {
    day: Option<NaiveDate>,
    ids: Vec<String>,
}

/// The users billed on `day`: the stored ones of that day and `mine`'s (when of that day).
fn merge_billed(stored: Option<&str>, mine: &Spending, day: NaiveDate) -> Vec<String> {
    let stored: Billed = stored
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    let mut ids: std::collections::BTreeSet<String> = if stored.day == Some(day) {
        stored.ids.into_iter().take(MAX_BILLED).collect()
    } else {
        Default::default()
    };
    if mine.day == day {
        for id in &mine.billed {
            if ids.len() >= MAX_BILLED {
                break;
            }
            ids.insert(id.clone());
        }
    }
    ids.into_iter().collect()
}

fn billed_json(day: NaiveDate, ids: &[String]) -> String {
    serde_json::to_string(&Billed {
        day: Some(day),
        ids: ids.to_vec(),
    })
    .unwrap_or_else(|_| "{}".into())
}

fn parse_spending(value: &str) -> Option<(NaiveDate, f64)> {
    let mut parts = value.split_whitespace();
    let day = parts.next()?.parse::<NaiveDate>().ok()?;
    let usd = parts.next()?.parse::<f64>().ok()?;
    (usd.is_finite() && usd >= 0.0).then_some((day, usd))
}

fn reads_json(reads: &[(String, DateTime<Utc>)]) -> String {
    let map: BTreeMap<&str, String> = reads
        .iter()
        .map(|(n, t)| (n.as_str(), t.to_rfc3339()))
        .collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

/// What a daily budget let through of one check, in words ("probed 10 of 40 look-alike
/// usernames, searched 1 of 2 names"); `None` when it cut nothing. Each part is (verb, done,
/// wanted, what).
pub fn cut_words(parts: &[(&str, usize, usize, &str)]) -> Option<String> {
    let said: Vec<String> = parts
        .iter()
        .filter(|(_, done, wanted, _)| done < wanted)
        .map(|(verb, done, wanted, what)| format!("{verb} {done} of {wanted} {what}"))
        .collect();
    (!said.is_empty()).then(|| said.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::sources::x::{XCredentials, XSource};

    fn x() -> XSource {
        let credentials = XCredentials {
            bearer_token: Some("t".into()),
            user_token: None,
        };
        XSource::new(&Config::default(), credentials).unwrap()
    }

    #[test]
    fn stored_spending_is_restored_and_added_to() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite3")).unwrap();
        let today = Utc::now().date_naive();
        let first = x();
        store
            .set_cursor(&spending_key(&first), &format!("{today} 0.37"))
            .unwrap();
        sync(&store, &first).unwrap();
        assert!((first.spent_today_usd() - 0.37).abs() < 1e-9);

        // Another process stores more; the next sync counts it.
        store
            .set_cursor(&spending_key(&first), &format!("{today} 0.50"))
            .unwrap();
        sync(&store, &first).unwrap();
        assert!((first.spent_today_usd() - 0.50).abs() < 1e-9);

        // A garbled value is ignored rather than trusted.
        store
            .set_cursor(&spending_key(&first), "yesterday lots")
            .unwrap();
        let third = x();
        sync(&store, &third).unwrap();
        assert_eq!(third.spent_today_usd(), 0.0);
    }
}
