//! Outcomes (issue 12): each alert as a case followed from found to reported to gone, with
//! the dates, and the figures a newsroom keeps (open, reported, taken down, median days from
//! report to takedown per platform, impostors found per ISO week split by outcome).
//!
//! Everything here is read from what the store already keeps (an alert's `created_at`, its
//! reports' `filed_at`, the account's `gone_at`): no table of its own, nothing written. The
//! figures ([`CaseFigures::of`]) are computed from the cases apart from the database, so they
//! are tested on their own. It must never change an alert, a report or an account.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::alerts::{AlertFilter, AlertId, AlertState, PersonRef};
use super::reports::{ReportMethod, ReportRecord};
use super::{parse_ts, IdentityId, Store, StoreError};
use crate::detect::Verdict;
use crate::identity::Platform;

/// Days after its first report a case still up is offered a follow-up draft.
pub const FOLLOW_UP_AFTER_DAYS: i64 = 7;

/// What came of a case, as far as Doppelwatch knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// Not reported yet, still open (new, seen or snoozed).
    Open,
    /// Reported, the account still up.
    Reported,
    /// Gone from its platform after it was reported.
    TakenDown,
    /// Gone before any report (removed by the platform, or deleted by its owner).
    Gone,
    /// Closed without being gone: the account was renamed away or no longer copies the person.
    Renamed,
    /// The person dismissed it.
    Dismissed,
    /// The person said it is theirs, a fan's, or fine.
    Allowed,
}

impl CaseOutcome {
    /// Every outcome, in the order the figures and the chart list them.
    pub const ALL: [CaseOutcome; 7] = [
        CaseOutcome::Open,
        CaseOutcome::Reported,
        CaseOutcome::TakenDown,
        CaseOutcome::Gone,
        CaseOutcome::Renamed,
        CaseOutcome::Dismissed,
        CaseOutcome::Allowed,
    ];

    /// The lowercase name as in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseOutcome::Open => "open",
            CaseOutcome::Reported => "reported",
            CaseOutcome::TakenDown => "taken_down",
            CaseOutcome::Gone => "gone",
            CaseOutcome::Renamed => "renamed",
            CaseOutcome::Dismissed => "dismissed",
            CaseOutcome::Allowed => "allowed",
        }
    }

    /// In plain words, for tables and the chart's legend.
    pub fn words(self) -> &'static str {
        match self {
            CaseOutcome::Open => "not reported yet",
            CaseOutcome::Reported => "reported, still up",
            CaseOutcome::TakenDown => "taken down",
            CaseOutcome::Gone => "gone before a report",
            CaseOutcome::Renamed => "renamed away",
            CaseOutcome::Dismissed => "dismissed",
            CaseOutcome::Allowed => "allowed",
        }
    }

    /// The outcome of an alert in `state`, first reported at `reported_at`, its account gone
    /// at `gone_at`. An account gone is what counts most; then what the person decided.
    pub fn of(
        state: AlertState,
        reported_at: Option<DateTime<Utc>>,
        gone_at: Option<DateTime<Utc>>,
    ) -> CaseOutcome {
        match (gone_at, reported_at) {
            (Some(gone), Some(reported)) if gone >= reported => return CaseOutcome::TakenDown,
            (Some(_), _) => return CaseOutcome::Gone,
            (None, _) => {}
        }
        match state {
            AlertState::Dismissed => CaseOutcome::Dismissed,
            AlertState::Allowed => CaseOutcome::Allowed,
            AlertState::Resolved => CaseOutcome::Renamed,
            _ if reported_at.is_some() => CaseOutcome::Reported,
            _ => CaseOutcome::Open,
        }
    }
}

/// One case: an alert followed from found to reported to gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub alert_id: AlertId,
    pub person: PersonRef,
    pub platform: Platform,
    /// The impostor's handle and display name as last captured (untrusted text).
    pub handle: String,
    pub display_name: Option<String>,
    /// `impostor` or `suspicious` (worth a look).
    pub verdict: Verdict,
    /// The alert's state now.
    pub state: AlertState,
    pub outcome: CaseOutcome,
    /// When the alert was raised.
    pub found_at: DateTime<Utc>,
    /// The first report: when, how, and the platform's reference for it.
    pub reported_at: Option<DateTime<Utc>>,
    pub report_method: Option<ReportMethod>,
    pub report_reference: Option<String>,
    /// How many reports were recorded (a follow-up sent through the form counts too).
    pub reports: u32,
    /// When the account was found gone from its platform.
    pub gone_at: Option<DateTime<Utc>>,
    /// Days from the first report to the account found gone (taken-down cases only).
    pub days_to_takedown: Option<f64>,
    /// Whole days the account has stayed up since its first report (reported cases only).
    pub days_up_since_report: Option<i64>,
    /// Still up [`FOLLOW_UP_AFTER_DAYS`] days after the first report: a follow-up is offered.
    pub follow_up_due: bool,
}

impl Case {
    /// Whether the case counts in the figures and the chart: impostors, and any account the
    /// person reported (a worth-a-look alert they reported is an impostor to them).
    pub fn counts(&self) -> bool {
        self.verdict == Verdict::Impostor || self.reported_at.is_some()
    }
}

/// Per platform: reports and how long takedowns took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformOutcomes {
    pub platform: Platform,
    pub reported: u32,
    pub taken_down: u32,
    /// Median days from the first report to the account gone, over its taken-down cases.
    pub median_days_to_takedown: Option<f64>,
}

/// Impostors found in one ISO week, by outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekOutcomes {
    /// ISO week, e.g. `2026-W49`.
    pub week: String,
    /// The Monday the week starts on, `YYYY-MM-DD`.
    pub starts: String,
    /// Cases found that week, per outcome (every outcome present, zeros included).
    pub counts: BTreeMap<CaseOutcome, u32>,
    pub total: u32,
}

/// How the cases that count stand ([`Case::counts`]): the headline figures, which the
/// desktop's dashboard shows as they are (so they cross its IPC as is, feature `ts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseCounts {
    /// Every case that counts.
    pub cases: u32,
    /// Not reported yet and still open: waiting for the person.
    pub open: u32,
    /// Reported at least once (whatever came of it).
    pub reported: u32,
    /// Reported and gone since.
    pub taken_down: u32,
    /// Reported, still up.
    pub still_up: u32,
    /// Reported, still up after [`FOLLOW_UP_AFTER_DAYS`] days: a follow-up is offered.
    pub follow_up_due: u32,
}

/// The figures over the cases that count ([`Case::counts`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFigures {
    #[serde(flatten)]
    pub counts: CaseCounts,
    /// Per platform that had a case, by platform name.
    pub platforms: Vec<PlatformOutcomes>,
    /// Per ISO week with a case found, oldest first, without gaps.
    pub weeks: Vec<WeekOutcomes>,
}

impl CaseFigures {
    /// The figures of `cases` (those that do not count are left out).
    pub fn of(cases: &[Case]) -> CaseFigures {
        let counted: Vec<&Case> = cases.iter().filter(|c| c.counts()).collect();
        let is = |o: CaseOutcome| counted.iter().filter(|c| c.outcome == o).count() as u32;
        let mut per_platform: BTreeMap<String, (Platform, u32, Vec<f64>)> = BTreeMap::new();
        for case in &counted {
            let entry = per_platform
                .entry(case.platform.as_str().to_string())
                .or_insert_with(|| (case.platform.clone(), 0, Vec::new()));
            if case.reported_at.is_some() {
                entry.1 += 1;
            }
            if let Some(days) = case.days_to_takedown {
                entry.2.push(days);
            }
        }
        CaseFigures {
            counts: CaseCounts {
                cases: counted.len() as u32,
                open: is(CaseOutcome::Open),
                reported: counted.iter().filter(|c| c.reported_at.is_some()).count() as u32,
                taken_down: is(CaseOutcome::TakenDown),
                still_up: is(CaseOutcome::Reported),
                follow_up_due: counted.iter().filter(|c| c.follow_up_due).count() as u32,
            },
            platforms: per_platform
                .into_values()
                .map(|(platform, reported, mut days)| PlatformOutcomes {
                    platform,
                    reported,
                    taken_down: days.len() as u32,
                    median_days_to_takedown: median(&mut days),
                })
                .collect(),
            weeks: weeks(&counted),
        }
    }
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// The ISO week of `day` as `2026-W49`.
pub fn iso_week(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Cases per ISO week of their finding, every week from the first to the last (so a chart
/// shows quiet weeks as zeros).
fn weeks(cases: &[&Case]) -> Vec<WeekOutcomes> {
    let monday = |t: DateTime<Utc>| {
        let day = t.date_naive();
        day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
    };
    let mut by_week: BTreeMap<NaiveDate, BTreeMap<CaseOutcome, u32>> = BTreeMap::new();
    for case in cases {
        *by_week
            .entry(monday(case.found_at))
            .or_default()
            .entry(case.outcome)
            .or_default() += 1;
    }
    let (Some(first), Some(last)) = (
        by_week.keys().next().copied(),
        by_week.keys().next_back().copied(),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let found = by_week.remove(&start).unwrap_or_default();
        let counts: BTreeMap<CaseOutcome, u32> = CaseOutcome::ALL
            .into_iter()
            .map(|o| (o, found.get(&o).copied().unwrap_or(0)))
            .collect();
        out.push(WeekOutcomes {
            week: iso_week(start),
            starts: start.format("%Y-%m-%d").to_string(),
            total: counts.values().sum(),
            counts,
        });
        start += Duration::days(7);
    }
    out
}

impl Store {
    /// Every case (all alerts, or one person's), newest first, as it stands at `now`.
    pub fn cases(
        &self,
        identity_id: Option<IdentityId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>, StoreError> {
        let alerts = self.alerts(&AlertFilter {
            identity_id,
            ..Default::default()
        })?;
        let mut reports = self.all_reports()?;
        Ok(alerts
            .into_iter()
            .map(|alert| {
                let filed = reports.remove(&alert.id).unwrap_or_default();
                let first = filed.first();
                let reported_at = first.map(|r| r.filed_at);
                let outcome = CaseOutcome::of(alert.state, reported_at, alert.gone_at);
                let days_to_takedown = match (outcome, reported_at, alert.gone_at) {
                    (CaseOutcome::TakenDown, Some(reported), Some(gone)) => Some(
                        ((gone - reported).num_seconds() as f64 / 86_400.0 * 10.0).round() / 10.0,
                    ),
                    _ => None,
                };
                let days_up_since_report = match (outcome, reported_at) {
                    (CaseOutcome::Reported, Some(reported)) => {
                        Some((now - reported).num_days().max(0))
                    }
                    _ => None,
                };
                Case {
                    alert_id: alert.id,
                    person: alert.person,
                    platform: alert.platform,
                    handle: alert.profile.handle,
                    display_name: alert.profile.display_name,
                    verdict: alert.verdict,
                    state: alert.state,
                    outcome,
                    found_at: alert.created_at,
                    reported_at,
                    report_method: first.map(|r| r.method),
                    report_reference: first.and_then(|r| r.remote_id.clone()),
                    reports: filed.len() as u32,
                    gone_at: alert.gone_at,
                    days_to_takedown,
                    follow_up_due: alert.state == AlertState::Reported
                        && days_up_since_report.is_some_and(|d| d >= FOLLOW_UP_AFTER_DAYS),
                    days_up_since_report,
                }
            })
            .collect())
    }

    /// Every report, per alert, oldest first.
    fn all_reports(&self) -> Result<HashMap<AlertId, Vec<ReportRecord>>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, alert_id, platform, method, remote_id, detail, filed_at FROM reports
             ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out: HashMap<AlertId, Vec<ReportRecord>> = HashMap::new();
        for (id, alert_id, platform, method, remote_id, detail, filed) in rows {
            out.entry(alert_id).or_default().push(ReportRecord {
                id,
                alert_id,
                platform: Platform::parse(&platform),
                method: ReportMethod::parse(&method),
                remote_id,
                detail,
                filed_at: parse_ts(&filed)?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_takes_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5.0]), Some(5.0));
        assert_eq!(median(&mut [9.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median(&mut [9.0, 1.0, 4.0, 2.0]), Some(3.0));
    }

    #[test]
    fn outcomes_put_an_account_gone_first_then_the_persons_decision() {
        let t = |d: i64| DateTime::<Utc>::from_timestamp(1_790_000_000 + d * 86_400, 0);
        use AlertState::*;
        assert_eq!(CaseOutcome::of(New, None, None), CaseOutcome::Open);
        assert_eq!(CaseOutcome::of(Reported, t(1), None), CaseOutcome::Reported);
        assert_eq!(
            CaseOutcome::of(Resolved, t(1), t(3)),
            CaseOutcome::TakenDown
        );
        assert_eq!(CaseOutcome::of(Resolved, None, t(3)), CaseOutcome::Gone);
        assert_eq!(CaseOutcome::of(Resolved, t(4), t(3)), CaseOutcome::Gone);
        assert_eq!(CaseOutcome::of(Resolved, None, None), CaseOutcome::Renamed);
        assert_eq!(
            CaseOutcome::of(Dismissed, t(1), None),
            CaseOutcome::Dismissed
        );
        assert_eq!(CaseOutcome::of(Allowed, None, None), CaseOutcome::Allowed);
    }

    #[test]
    fn iso_weeks_cross_the_year_as_iso_does() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(iso_week(day(2026, 12, 7)), "2026-W50");
        assert_eq!(iso_week(day(2027, 1, 1)), "2026-W53");
        assert_eq!(iso_week(day(2024, 12, 30)), "2025-W01");
    }
}
