//! `cases` (issue 12): every case from found to reported to gone, as a readable table with
//! the figures (default), as JSON (`--json`) or as CSV (`--csv`, RFC 4180, safe to open in a
//! spreadsheet). A thin adapter over [`doppelwatch::store::Store::cases`],
//! [`doppelwatch::store::CaseFigures`] and [`doppelwatch::app::cases::cases_csv`]; it opens
//! the store read-only and never creates it.

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use doppelwatch::app::cases::cases_csv;
use doppelwatch::report::{platform_name, visible};
use doppelwatch::store::{Case, CaseFigures};

use super::alerts::{existing_data_dir, fail, open_store_read_only};
use super::out::Out;

#[derive(Args)]
pub struct CasesArgs {
    /// Print every case as CSV (RFC 4180; a field starting with = + - @ gets a leading ').
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print `{"cases": [...], "figures": {...}}` as JSON.
    #[arg(long)]
    pub json: bool,
    /// Only the cases about this person (id or name; see `doppelwatch people`).
    #[arg(long)]
    pub person: Option<String>,
}

#[derive(Serialize)]
struct CasesJson<'a> {
    cases: &'a [Case],
    figures: &'a CaseFigures,
}

pub fn cases(args: CasesArgs) -> i32 {
    let cases = match load(args.person.as_deref()) {
        Ok(cases) => cases,
        Err(code) => return code,
    };
    let figures = CaseFigures::of(&cases);
    let mut out = Out::stdout();
    let written = if args.csv {
        out.emit_raw(&cases_csv(&cases))
    } else if args.json {
        out.emit_pretty_json(&CasesJson {
            cases: &cases,
            figures: &figures,
        })
    } else {
        table(&mut out, &cases, &figures)
    };
    match written.and_then(|()| out.finish()) {
        Ok(()) => 0,
        Err(status) => status,
    }
}

/// The cases, or none (said on stderr) where nothing was watched yet.
fn load(person: Option<&str>) -> Result<Vec<Case>, i32> {
    if let Err(Ok(no_data)) = existing_data_dir() {
        super::out::eprintln_quiet(&format!("doppelwatch: {no_data}"));
        return Ok(Vec::new());
    }
    let store = open_store_read_only()?;
    let identity = match person {
        Some(person) => match doppelwatch::app::people::find_person(&store, person) {
            Ok((id, _)) => Some(id),
            Err(e) => return Err(super::usage_error(e)),
        },
        None => None,
    };
    store
        .cases(identity, Utc::now())
        .map_err(|e| fail(store.explain(e)))
}

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "-".into())
}

/// The cases as aligned columns, then the figures in words.
fn table(out: &mut Out, cases: &[Case], figures: &CaseFigures) -> Result<(), i32> {
    if cases.is_empty() {
        return out.emit_line("No cases yet.");
    }
    let header = [
        "ID", "PLATFORM", "HANDLE", "OUTCOME", "FOUND", "REPORTED", "GONE",
    ];
    let rows: Vec<[String; 7]> = cases
        .iter()
        .map(|c| {
            let outcome = match (c.days_up_since_report, c.follow_up_due) {
                (Some(days), true) => format!("reported, still up {days} days: follow up"),
                (Some(days), false) => format!("reported, still up {days} days"),
                _ => c.outcome.words().to_string(),
            };
            [
                c.alert_id.to_string(),
                platform_name(&c.platform),
                // Untrusted: hidden and control characters shown, never acted on.
                visible(&c.handle, 40),
                outcome,
                day(Some(c.found_at)),
                day(c.reported_at),
                day(c.gone_at),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell}{}", " ".repeat(w - cell.chars().count())))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    out.emit_line(&line(&header.map(String::from)))?;
    for row in &rows {
        out.emit_line(&line(row))?;
    }
    out.emit_line("")?;
    let c = &figures.counts;
    out.emit_line(&format!(
        "{} impostor case(s): {} waiting for a report, {} reported, {} taken down, {} still up ({} due a follow-up).",
        c.cases, c.open, c.reported, c.taken_down, c.still_up, c.follow_up_due
    ))?;
    for p in &figures.platforms {
        let median = p
            .median_days_to_takedown
            .map(|d| format!("median {d:.1} days from report to takedown"))
            .unwrap_or_else(|| "no takedown yet".into());
        out.emit_line(&format!(
            "{}: {} reported, {} taken down, {median}.",
            platform_name(&p.platform),
            p.reported,
            p.taken_down
        ))?;
    }
    Ok(())
}
