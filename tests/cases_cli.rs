//! `doppelwatch cases` (issue 12): `--csv` reads back through a real CSV parser (RFC 4180),
//! hostile handles and names included (commas, quotes, newlines, a leading `=` never run as a
//! formula); the table and `--json`; `report ID --follow-up` prints the follow-up or says when
//! one is offered.

mod support_watch;

use std::process::{Command, Output, Stdio};

use chrono::{Duration, Utc};
use doppelwatch::app::cases::CSV_COLUMNS;
use doppelwatch::detect::Signal;
use doppelwatch::profile::Profile;
use doppelwatch::store::{ReportMethod, Store};
use support_watch::*;

fn run(args: &[&str], data: &std::path::Path) -> Output {
    Command::new(doppelwatch_bin())
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

const HOSTILE_HANDLE: &str = "=HYPERLINK(\"https://evil.example\",\"x\"), \"quoted\"\r\nnext line";
const HOSTILE_NAME: &str = "+cmd|' /C calc'!A0";

/// Two cases: a hostile one reported 9 days ago and still up, and a plain one taken down.
fn data_with_cases(data: &std::path::Path) -> (i64, i64) {
    let store = Store::open_in(data).unwrap();
    let me = store.upsert_identity(&palmer()).unwrap();
    let impostor = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    let now = Utc::now();
    let hostile = Profile {
        handle: HOSTILE_HANDLE.into(),
        display_name: Some(HOSTILE_NAME.into()),
        ..bsky_profile("did:plc:hostile", "x", "x")
    };
    let a = alert_at(&store, me, hostile, &impostor, now - Duration::days(10));
    store
        .record_report(
            a,
            &doppelwatch::identity::Platform::Bluesky,
            ReportMethod::Api,
            Some("@report-7"),
            Some("impersonation"),
            now - Duration::days(9),
        )
        .unwrap();
    let plain = bsky_profile(
        "did:plc:plain",
        "palmer-report.bsky.social",
        "PaImer Report",
    );
    let b = alert_at(&store, me, plain, &impostor, now - Duration::days(5));
    store
        .record_report(
            b,
            &doppelwatch::identity::Platform::Bluesky,
            ReportMethod::Api,
            None,
            None,
            now - Duration::days(4),
        )
        .unwrap();
    store
        .close_case(b, "removed", now - Duration::days(2))
        .unwrap();
    (a, b)
}

#[test]
fn cases_csv_round_trips_through_a_csv_parser_and_never_starts_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let (hostile, plain) = data_with_cases(dir.path());
    let out = run(&["cases", "--csv"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("alert_id,person,platform,handle,"),
        "{text}"
    );
    assert!(text.ends_with("\r\n"), "RFC 4180 lines end in CRLF");

    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let col = |row: &csv::StringRecord, name: &str| {
        let i = CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        row.get(i).unwrap().to_string()
    };
    let row = rows
        .iter()
        .find(|r| col(r, "alert_id") == hostile.to_string())
        .unwrap();
    // Read back whole (commas, quotes, CR LF), with the apostrophe that keeps it text.
    assert_eq!(col(row, "handle"), format!("'{HOSTILE_HANDLE}"));
    assert_eq!(col(row, "display_name"), format!("'{HOSTILE_NAME}"));
    assert_eq!(col(row, "report_reference"), "'@report-7");
    assert_eq!(col(row, "outcome"), "reported");
    assert_eq!(col(row, "days_up_since_report"), "9");
    assert_eq!(col(row, "follow_up_due"), "true");
    for field in row.iter() {
        assert!(
            !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a field a spreadsheet would run: {field:?}"
        );
    }
    let row = rows
        .iter()
        .find(|r| col(r, "alert_id") == plain.to_string())
        .unwrap();
    assert_eq!(col(row, "outcome"), "taken_down");
    assert_eq!(col(row, "days_to_takedown"), "2.0");
    assert_eq!(col(row, "handle"), "palmer-report.bsky.social");
    assert_eq!(
        col(row, "profile_url"),
        "https://bsky.app/profile/palmer-report.bsky.social"
    );
    assert!(col(row, "found_at").ends_with('Z'));
}

#[test]
fn cases_prints_a_table_with_the_figures_and_json_with_both() {
    let dir = tempfile::tempdir().unwrap();
    let (hostile, _) = data_with_cases(dir.path());
    let out = run(&["cases"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID  PLATFORM  HANDLE"), "{table}");
    assert!(
        table.contains("reported, still up 9 days: follow up"),
        "{table}"
    );
    assert!(table.contains("taken down"), "{table}");
    assert!(
        !table.contains('\r'),
        "the hostile handle's CR is not printed raw"
    );
    assert!(
        table.contains("2 impostor case(s): 0 waiting for a report, 2 reported, 1 taken down"),
        "{table}"
    );
    assert!(
        table.contains("Bluesky: 2 reported, 1 taken down, median 2.0 days"),
        "{table}"
    );

    let out = run(&["cases", "--json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["cases"].as_array().unwrap().len(), 2);
    assert_eq!(json["figures"]["taken_down"], 1);
    let case = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["alert_id"] == hostile)
        .unwrap();
    assert_eq!(
        case["handle"], HOSTILE_HANDLE,
        "JSON keeps the handle as it is"
    );

    let out = run(&["cases", "--csv", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2), "one format at a time");
}

#[test]
fn report_follow_up_cites_the_first_report_or_says_when() {
    let dir = tempfile::tempdir().unwrap();
    let (hostile, plain) = data_with_cases(dir.path());
    let out = run(&["report", &hostile.to_string(), "--follow-up"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Follow-up:"), "{text}");
    assert!(text.contains("9 days later it is still up"), "{text}");
    assert!(text.contains("report reference @report-7"), "{text}");

    let out = run(&["report", &plain.to_string(), "--follow-up"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing to follow up"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &["report", &hostile.to_string(), "--follow-up", "--file"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a follow-up is printed, not filed"
    );
}

#[test]
fn cases_on_a_folder_without_data_lists_none_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nothing-here");
    let out = run(&["cases", "--csv"], &data);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, format!("{}\r\n", CSV_COLUMNS.join(",")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data yet"));
    assert!(!data.exists());
}
