//! The alert list a window shows (issue 11: thousands of alerts): one page at a time of the
//! alerts a filter (person, platform, state, verdict) matches, with how many match in all, and
//! the ids of the whole filtered set for "select all". Each row carries what the list shows
//! beside the alert: who it imitates, the look-alike characters of the handle (only those,
//! each with its place: not one entry per character), the account's age and followers.
//!
//! It owns the query's validation and the rows' shape (they cross the desktop's IPC as they
//! are, feature `ts`); the store does the reading ([`Store::alert_page`]) and the detector the
//! marks ([`crate::detect::marks`]). It never changes an alert.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{App, AppError, AppResult};
use crate::detect::{marks, Verdict};
use crate::identity::Platform;
use crate::store::{Alert, AlertFilter, AlertState, Store};

/// The most rows one page holds.
pub const MAX_PAGE: u32 = 500;

/// Which alerts to list; a field left out (or blank) does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlertQuery {
    /// Only the alerts about this person (their id).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub person: Option<i64>,
    /// Only the alerts on this platform (`bluesky`, `x`, ...).
    #[serde(default)]
    pub platform: Option<String>,
    /// Only the alerts in this state (`new`, `seen`, `reported`, `snoozed`, ...).
    #[serde(default)]
    pub state: Option<String>,
    /// Only `impostor` or only `suspicious` (worth a look) alerts.
    #[serde(default)]
    pub verdict: Option<String>,
}

/// A character of a handle that deceives (a look-alike, a hidden character), by its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HandleMark {
    /// Its place in the handle, counted in Unicode code points (`Array.from(handle)` in a
    /// browser) from 0.
    pub at: u32,
    /// What to show there (an invisible character as a visible placeholder).
    pub ch: String,
    /// Why it deceives: e.g. `U+0406 (Cyrillic letter), looks like "I"`.
    pub note: String,
}

/// A line of the alert list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlertListRow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub platform: String,
    pub handle: String,
    pub display_name: Option<String>,
    /// `impostor` or `suspicious`.
    pub verdict: String,
    pub score: f64,
    pub state: AlertState,
    /// RFC 3339 time the account was first seen.
    pub first_seen: String,
    /// RFC 3339 time a snoozed alert comes back (only while snoozed).
    pub snoozed_until: Option<String>,
    /// The person the account imitates.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub person_id: i64,
    pub person_name: String,
    /// The wave it came in, if it came with others.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub wave_id: Option<i64>,
    /// The handle's deceptive characters only (none: nothing to mark).
    pub marks: Vec<HandleMark>,
    /// Account age in plain words ("3 days old"), when the platform tells it.
    pub age: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub followers: Option<u64>,
}

/// One page of the alert list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlertListPage {
    /// How many alerts the query matches in all.
    pub total: u32,
    /// Where this page starts in the whole list.
    pub offset: u32,
    /// The page's alerts: new first, then seen, reported, snoozed, dismissed, resolved and
    /// allowed; within a state the account seen most recently first.
    pub rows: Vec<AlertListRow>,
}

/// An alert of the filtered set as "select all" needs it: its id and platform (which decides
/// whether it is reported through an API or a form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlertKey {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub platform: String,
}

impl AlertQuery {
    /// The store's filter, or what is wrong with the query.
    pub fn filter(&self) -> AppResult<AlertFilter> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let state = given(&self.state)
            .map(|s| s.parse::<AlertState>())
            .transpose()
            .map_err(AppError::invalid)?;
        let verdict = match given(&self.verdict).as_deref() {
            None => None,
            Some("impostor") => Some(Verdict::Impostor),
            Some("suspicious") => Some(Verdict::Suspicious),
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "unknown verdict {other:?}: use impostor or suspicious"
                )))
            }
        };
        Ok(AlertFilter {
            states: state.into_iter().collect(),
            identity_id: self.person,
            platform: given(&self.platform).map(|p| Platform::parse(&p)),
            verdict,
            ..AlertFilter::default()
        })
    }
}

impl App {
    /// The page of the alert list from `offset` on, at most `limit` rows (at most
    /// [`MAX_PAGE`]), with how many alerts `query` matches in all.
    pub fn alert_list(
        &self,
        query: &AlertQuery,
        offset: u32,
        limit: u32,
    ) -> AppResult<AlertListPage> {
        alert_list(&self.store, query, offset, limit, Utc::now())
    }

    /// Every alert `query` matches, in the list's order, as id and platform.
    pub fn alert_keys(&self, query: &AlertQuery) -> AppResult<Vec<AlertKey>> {
        Ok(self
            .store
            .alert_keys(&query.filter()?)?
            .into_iter()
            .map(|(id, platform)| AlertKey {
                id,
                platform: platform.to_string(),
            })
            .collect())
    }
}

/// [`App::alert_list`] over `store`, ages counted at `now`.
pub fn alert_list(
    store: &Store,
    query: &AlertQuery,
    offset: u32,
    limit: u32,
    now: DateTime<Utc>,
) -> AppResult<AlertListPage> {
    if limit > MAX_PAGE {
        return Err(AppError::invalid(format!(
            "{limit} rows asked for at once: ask for at most {MAX_PAGE} (a page)"
        )));
    }
    let page = store.alert_page(&query.filter()?, offset, limit)?;
    Ok(AlertListPage {
        total: page.total,
        offset,
        rows: page.alerts.iter().map(|a| row(a, now)).collect(),
    })
}

fn row(alert: &Alert, now: DateTime<Utc>) -> AlertListRow {
    let reference = marks_reference(alert);
    let marks = marks::handle_marks(&alert.profile.handle, reference.as_deref())
        .into_iter()
        .enumerate()
        .filter_map(|(at, m)| {
            Some(HandleMark {
                at: u32::try_from(at).ok()?,
                ch: m.ch,
                note: m.note?,
            })
        })
        .collect();
    AlertListRow {
        id: alert.id,
        platform: alert.platform.to_string(),
        handle: alert.profile.handle.clone(),
        display_name: alert.profile.display_name.clone(),
        verdict: alert.verdict.as_str().to_string(),
        score: alert.score,
        state: alert.state,
        first_seen: alert.first_seen.to_rfc3339(),
        snoozed_until: alert.snoozed_until.map(|t| t.to_rfc3339()),
        person_id: alert.identity_id,
        person_name: alert.identity.name.clone(),
        wave_id: alert.wave_id,
        marks,
        age: alert.profile.created_at.map(|t| age_words(t, now)),
        followers: alert.profile.followers,
    }
}

/// The person's handle an alert's handle is marked against: theirs on its platform, else the
/// closest of their other handles' names (see [`marks::reference_handle`]).
pub fn marks_reference(alert: &Alert) -> Option<String> {
    let handles = &alert.identity.handles;
    let same = handles
        .iter()
        .find(|h| h.platform == alert.platform)
        .map(|h| h.handle.as_str());
    let others: Vec<&str> = handles.iter().map(|h| h.handle.as_str()).collect();
    marks::reference_handle(&alert.profile.handle, same, &others)
}

/// "3 days old", "2 hours old", "4 years old".
pub fn age_words(created: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now.signed_duration_since(created);
    let (n, unit) = if d.num_days() >= 730 {
        (d.num_days() / 365, "year")
    } else if d.num_days() >= 60 {
        (d.num_days() / 30, "month")
    } else if d.num_days() >= 1 {
        (d.num_days(), "day")
    } else if d.num_hours() >= 1 {
        (d.num_hours(), "hour")
    } else {
        (d.num_minutes().max(0), "minute")
    };
    format!("{n} {unit}{} old", if n == 1 { "" } else { "s" })
}
