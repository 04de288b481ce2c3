//! Outcomes through the facade (issue 12): the cases with their dates, the figures, all cases
//! as CSV (for the CLI's `cases --csv` and the app's export), and the follow-up draft of a
//! report still unanswered after a week.
//!
//! CSV follows RFC 4180 (CRLF line ends; a field holding a comma, a quote, CR or LF is quoted,
//! its quotes doubled) and is safe to open in a spreadsheet: handles and names come from the
//! network, so a field starting with `=`, `+`, `-`, `@`, a tab or CR gets a leading apostrophe
//! and is never run as a formula. The export never replaces a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use super::{App, AppError, AppResult};
use crate::files::output::{write_new_file, OutputError, OutputPolicy};
use crate::report::{self, ReportDraft};
use crate::store::{Case, CaseFigures, IdentityId};

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 18] = [
    "alert_id",
    "person",
    "platform",
    "handle",
    "display_name",
    "profile_url",
    "verdict",
    "state",
    "outcome",
    "found_at",
    "reported_at",
    "report_method",
    "report_reference",
    "reports",
    "gone_at",
    "days_to_takedown",
    "days_up_since_report",
    "follow_up_due",
];

/// One CSV field: neutralised against formulas, then quoted when it must be (RFC 4180).
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Every case as CSV: a header line, then one line per case, each ending in CRLF.
pub fn cases_csv(cases: &[Case]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for case in cases {
        let profile = crate::profile::Profile {
            platform: case.platform.clone(),
            handle: case.handle.clone(),
            ..Default::default()
        };
        let row = [
            case.alert_id.to_string(),
            case.person.name.clone(),
            case.platform.to_string(),
            case.handle.clone(),
            case.display_name.clone().unwrap_or_default(),
            report::profile_url(&profile),
            case.verdict.as_str().to_string(),
            case.state.to_string(),
            case.outcome.as_str().to_string(),
            time(Some(case.found_at)),
            time(case.reported_at),
            case.report_method
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            case.report_reference.clone().unwrap_or_default(),
            case.reports.to_string(),
            time(case.gone_at),
            case.days_to_takedown
                .map(|d| format!("{d:.1}"))
                .unwrap_or_default(),
            case.days_up_since_report
                .map(|d| d.to_string())
                .unwrap_or_default(),
            case.follow_up_due.to_string(),
        ];
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

impl App {
    /// Every case (one person's when `person` is given), newest first.
    pub fn cases(&self, person: Option<IdentityId>) -> AppResult<Vec<Case>> {
        Ok(self.store.cases(person, Utc::now())?)
    }

    /// The figures over every case: open, reported, taken down, median days to a takedown
    /// per platform, impostors found per week by outcome.
    pub fn case_figures(&self) -> AppResult<CaseFigures> {
        Ok(CaseFigures::of(&self.cases(None)?))
    }

    /// The follow-up draft of an alert still up a week after its report; `None` when none is
    /// offered (not reported, closed, or not a week yet).
    pub fn follow_up(&self, alert_id: i64) -> AppResult<Option<ReportDraft>> {
        let alert = self.store.alert(alert_id)?;
        let reports = self.store.reports_for(alert_id)?;
        Ok(report::follow_up_draft(&alert, &reports, Utc::now()).ok())
    }

    /// Writes every case as CSV into `dir` under a new name (`doppelwatch-cases-<time>.csv`,
    /// private): an existing file is never replaced (a second export in the same second gets
    /// `-2`, ...). Returns the path written.
    pub fn export_cases_csv(&self, dir: &Path) -> AppResult<PathBuf> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::io(format!("cannot create {}: {e}", dir.display())))?;
        let csv = cases_csv(&self.cases(None)?);
        let now = Utc::now();
        let stem = format!("doppelwatch-cases-{}", now.format("%Y%m%d-%H%M%S"));
        let policy = OutputPolicy {
            replace: false,
            protected: vec![self.store.path().to_path_buf()],
        };
        for n in 1..=100 {
            let name = match n {
                1 => format!("{stem}.csv"),
                n => format!("{stem}-{n}.csv"),
            };
            match write_new_file(&dir.join(name), &policy, |f| f.write_all(csv.as_bytes())) {
                Ok(path) => return Ok(path),
                Err(OutputError::Exists { .. }) => continue,
                Err(e) => return Err(AppError::io(e.to_string())),
            }
        }
        Err(AppError::io(format!(
            "{} already holds 100 case exports from this second; try again",
            dir.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed_and_never_start_a_formula() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("@sum"), "'@sum");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(csv_field(""), "");
    }
}
