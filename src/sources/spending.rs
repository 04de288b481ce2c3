//! What paid sources (X) spent, kept in the store so that every process holds the same daily
//! cap and re-read window: the watch service and `scan` both call [`sync`] before and after
//! each check. It owns the store keys `spending:<platform>` (`YYYY-MM-DD USD`, the day's total
//! over every process) and `reads:<platform>` (JSON `{username: RFC 3339}`).
//!
//! A sync adds what the source spent since its last sync to the stored total in one IMMEDIATE
//! transaction, so two processes spending at once both count; it never replaces the total
//! with one process's own figure. It never runs a check or talks to a platform.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

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

/// Most recent reads kept (a check reads at most a few thousand accounts).
const MAX_READS: usize = 20_000;

/// Hands what `source` spent since its last sync to the store and gives it back the stored
/// total of every process. Free sources (no spending) are left alone. On an error nothing
/// counts as handed over (the next sync tries again) and the cap still holds in this process.
pub fn sync(store: &Store, source: &dyn Source) -> Result<(), StoreError> {
    let Some(mine) = source.unsaved_spending() else {
        return Ok(());
    };
    let keys = [spending_key(source), reads_key(source)];
    let mut merged = None;
    store.update_cursors(&keys, |stored| {
        let total = merge(stored, &mine);
        let values = vec![
            format!("{} {}", total.day, total.usd),
            reads_json(&total.reads),
        ];
        merged = Some(total);
        values
    })?;
    if let Some(total) = merged {
        source.spending_saved(&mine, &total);
    }
    Ok(())
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
    Spending { day, usd, reads }
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
