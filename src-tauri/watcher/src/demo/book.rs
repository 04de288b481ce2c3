//! The demo's list of the reports its fake Bluesky and Mastodon received,
//! [`FAKE_REPORTS_FILE`] in the demo folder (0600): written whole before a fake answers each
//! report, so a report answered is a report listed, also when the watcher is killed right
//! after; read back when a demo session is resumed, so the fakes started again know what they
//! had received. `DOPPELWATCH_DEMO_HOLD_REPORT=N` (tests) has the fakes keep the N-th report
//! of the session and never answer it: a report that reached the platform while its sender
//! dies mid-request.
//!
//! It never sends anything and never reads a file outside the demo folder.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use doppelwatch::fake::{ReceivedReport, ReportAnswer, ReportBook};
use doppelwatch::identity::Platform;
use serde::{Deserialize, Serialize};

use super::session::replace_private;
use crate::lock;

/// The file in the demo folder listing the reports the fakes received.
pub const FAKE_REPORTS_FILE: &str = "fake-reports.json";
/// A demo's list stays far under this (a report's body is a few KiB).
const MAX_LIST_BYTES: u64 = 64 * 1024 * 1024;

/// One report a demo fake received, as [`FAKE_REPORTS_FILE`] lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// `bluesky` or `mastodon`.
    pub platform: String,
    /// The report (`subject`: a DID on Bluesky, the account id on Mastodon; `reported_by`).
    #[serde(flatten)]
    pub report: ReceivedReport,
}

/// The reports listed in `dir` (none when there is no list yet).
pub fn read(dir: &Path) -> Result<Vec<Received>, String> {
    let path = dir.join(FAKE_REPORTS_FILE);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(Vec::new());
    }
    let bytes = doppelwatch::files::input::read_regular(&path, MAX_LIST_BYTES)
        .map_err(|e| format!("cannot use {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{} is damaged: {e}", path.display()))
}

/// Writes `list` as the list of `dir`, whole.
pub fn write(dir: &Path, list: &[Received]) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(list).map_err(std::io::Error::other)?;
    replace_private(dir, FAKE_REPORTS_FILE, &bytes)
}

/// The `DOPPELWATCH_DEMO_HOLD_REPORT` number (1 to 100000), if set.
pub fn hold_from_env() -> Option<usize> {
    std::env::var("DOPPELWATCH_DEMO_HOLD_REPORT")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| (1..=100_000).contains(n))
}

/// The list the demo's fakes keep their reports in.
#[derive(Debug)]
pub struct DemoBook {
    dir: PathBuf,
    list: Mutex<Vec<Received>>,
    /// The report of the session (1-based) the fakes keep and never answer.
    hold: Option<usize>,
}

impl DemoBook {
    /// The list of `dir`, starting from `received` (what the session's fakes received
    /// before); the `hold`-th report of the session is never answered.
    pub fn new(dir: &Path, received: Vec<Received>, hold: Option<usize>) -> DemoBook {
        DemoBook {
            dir: dir.to_path_buf(),
            list: Mutex::new(received),
            hold,
        }
    }

    /// The reports each platform's fake received before, oldest first.
    pub fn received_on(&self, platform: &Platform) -> Vec<ReceivedReport> {
        let name = platform.to_string();
        lock(&self.list)
            .iter()
            .filter(|r| r.platform == name)
            .map(|r| r.report.clone())
            .collect()
    }

    /// How many reports are listed.
    pub fn len(&self) -> usize {
        lock(&self.list).len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReportBook for DemoBook {
    fn keep(&self, platform: &Platform, report: &ReceivedReport) -> std::io::Result<ReportAnswer> {
        let mut list = lock(&self.list);
        list.push(Received {
            platform: platform.to_string(),
            report: report.clone(),
        });
        if let Err(e) = write(&self.dir, &list) {
            list.pop();
            return Err(e);
        }
        Ok(if self.hold == Some(list.len()) {
            tracing::info!("demo: the fake {platform} holds its answer to report {} (DOPPELWATCH_DEMO_HOLD_REPORT)", list.len());
            ReportAnswer::Hold
        } else {
            ReportAnswer::Answer
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(subject: &str) -> ReceivedReport {
        ReceivedReport {
            reported_by: "did:plc:palmer".into(),
            subject: subject.into(),
            category: "com.atproto.moderation.defs#reasonMisleading".into(),
            comment: Some("impersonation".into()),
            body: serde_json::json!({"subject": {"did": subject}}),
            routing: None,
        }
    }

    #[test]
    fn each_report_is_listed_before_it_is_answered_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let book = DemoBook::new(dir.path(), Vec::new(), Some(2));
        let first = book.keep(&Platform::Bluesky, &report("did:plc:a")).unwrap();
        assert_eq!(first, ReportAnswer::Answer);
        assert_eq!(
            read(dir.path()).unwrap().len(),
            1,
            "listed before the answer"
        );
        let second = book.keep(&Platform::Mastodon, &report("1090001")).unwrap();
        assert_eq!(
            second,
            ReportAnswer::Hold,
            "the second of the session is held"
        );
        let listed = read(dir.path()).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1].platform, "mastodon");
        assert_eq!(listed[1].report, report("1090001"));
        // The file names the platform, the subject and the reporter (what tests count).
        let raw: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(FAKE_REPORTS_FILE)).unwrap())
                .unwrap();
        assert_eq!(raw[0]["platform"], "bluesky");
        assert_eq!(raw[0]["subject"], "did:plc:a");
        assert_eq!(raw[0]["reported_by"], "did:plc:palmer");

        // A resumed session starts from the list, per platform; its count goes on.
        let again = DemoBook::new(dir.path(), listed, Some(2));
        assert_eq!(
            again.received_on(&Platform::Bluesky),
            vec![report("did:plc:a")]
        );
        assert_eq!(
            again.received_on(&Platform::Mastodon),
            vec![report("1090001")]
        );
        let third = again
            .keep(&Platform::Bluesky, &report("did:plc:c"))
            .unwrap();
        assert_eq!(
            third,
            ReportAnswer::Answer,
            "the held number is not reached again"
        );
        assert_eq!(read(dir.path()).unwrap().len(), 3);
    }

    #[test]
    fn a_report_that_cannot_be_listed_is_refused_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let book = DemoBook::new(&gone, Vec::new(), None);
        assert!(book.keep(&Platform::Bluesky, &report("did:plc:a")).is_err());
        assert!(book.is_empty());
    }

    #[test]
    fn a_damaged_list_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
        std::fs::write(dir.path().join(FAKE_REPORTS_FILE), b"[{").unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(
            err.contains(FAKE_REPORTS_FILE) && err.contains("damaged"),
            "{err}"
        );
    }
}
