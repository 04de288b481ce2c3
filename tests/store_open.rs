//! Opening the store (issue 14, findings 6 and 9), with real SQLite files and the real binary:
//! - a database from a newer version is refused before anything in it changes (byte-identical,
//!   still in rollback-journal mode);
//! - commands that only read (`alerts`) open the file read-only: they work while another
//!   process holds the write lock, in a read-only folder and on a full disk;
//! - errors name the file and tell a damaged file, a locked one, a full disk and a read-only
//!   folder apart, each with what to do.
//!
//! The read-only folder and the full disk are real: a read-only bind mount and a tiny tmpfs,
//! made in a private mount namespace (`unshare`) that disappears with the command.
#![cfg(target_os = "linux")]

mod support_watch;

use std::path::Path;
use std::process::{Command, Output};

use rusqlite::Connection;

const DB_FILE: &str = "doppelwatch.sqlite3";

fn cli(data: &Path, args: &[&str]) -> Output {
    Command::new(support_watch::doppelwatch_bin())
        .args(args)
        .env("DOPPELWATCH_DATA_DIR", data)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn listed(out: &Output) -> usize {
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array().unwrap().len()
}

#[test]
fn a_newer_database_is_refused_before_anything_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let path = data.join(DB_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE from_the_future (x); INSERT INTO from_the_future VALUES (1);
             PRAGMA user_version = 999;",
        )
        .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "made in rollback-journal mode");
    }
    let before = std::fs::read(&path).unwrap();
    for args in [&["alerts"][..], &["dismiss", "1"], &["report", "1"]] {
        let out = cli(&data, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = stderr(&out);
        assert!(
            said.contains("written by a newer Doppelwatch")
                && said.contains(&path.display().to_string()),
            "{args:?}: {said}"
        );
        assert!(
            std::fs::read(&path).unwrap() == before,
            "{args:?} changed the file"
        );
    }
    let err = doppelwatch::store::Store::open(&path).unwrap_err();
    assert!(err.to_string().contains("newer Doppelwatch"), "{err}");
    assert!(
        std::fs::read(&path).unwrap() == before,
        "Store::open changed the file"
    );
    // Byte 18 of the header is the write version: 1 rollback journal, 2 WAL.
    assert_eq!(before[18], 1);
    let names: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![DB_FILE.to_string()],
        "no WAL or journal file appeared"
    );
}

#[test]
fn a_reader_works_while_another_process_holds_the_write_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support_watch::data_dir_with_alerts(&data, 3);
    let writer = Connection::open(data.join(DB_FILE)).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; UPDATE alerts SET state_note = 'being written';")
        .unwrap();

    let out = cli(&data, &["alerts"]);
    assert!(
        out.status.success(),
        "alerts beside a writer: {}",
        stderr(&out)
    );
    assert_eq!(listed(&out), 3);
    let out = cli(&data, &["report", "2", "--json"]);
    assert!(
        out.status.success(),
        "report beside a writer: {}",
        stderr(&out)
    );

    // A command that writes waits for the lock, then says so, naming the file.
    let out = cli(&data, &["dismiss", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains("is locked by another program")
            && said.contains(&data.join(DB_FILE).display().to_string())
            && said.contains("Try again"),
        "{said}"
    );
    writer.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_damaged_file_is_called_damaged() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join(DB_FILE),
        "these are not the pages you are looking for\n".repeat(200),
    )
    .unwrap();
    for args in [&["alerts"][..], &["dismiss", "1"]] {
        let out = cli(&data, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = stderr(&out);
        assert!(
            said.contains("is damaged or is not a Doppelwatch database")
                && said.contains("Move it aside")
                && said.contains(&data.join(DB_FILE).display().to_string()),
            "{args:?}: {said}"
        );
    }
}

/// Runs `script` (sh) in a private mount namespace, with `$BIN` the binary under test.
/// `None` when this machine allows no mount namespace (neither root nor user namespaces).
fn in_mount_namespace(script: &str) -> Option<Output> {
    // As root a plain mount namespace; otherwise a user namespace maps us to root in it.
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = Command::new("unshare");
    if !root {
        cmd.arg("--map-root-user");
    }
    let out = cmd
        .args(["--mount", "sh", "-euc", script])
        .env("BIN", support_watch::doppelwatch_bin())
        .output()
        .unwrap();
    let said = stderr(&out);
    if said.starts_with("unshare:") {
        eprintln!("SKIPPED: no mount namespace on this machine: {said}");
        return None;
    }
    Some(out)
}

/// The output of the lines between `--- name` markers the scripts print.
fn section<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text.find(&format!("--- {name}\n")).unwrap() + name.len() + 5;
    let end = text[start..].find("--- ").map_or(text.len(), |i| start + i);
    &text[start..end]
}

#[test]
fn reading_works_in_a_read_only_folder_and_writing_says_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support_watch::data_dir_with_alerts(&data, 4);
    let d = data.display();
    let script = format!(
        "mount --bind '{d}' '{d}' && mount -o remount,ro,bind '{d}'
         echo '--- alerts'; DOPPELWATCH_DATA_DIR='{d}' \"$BIN\" alerts 2>&1 || echo \"status $?\"
         echo '--- dismiss'; DOPPELWATCH_DATA_DIR='{d}' \"$BIN\" dismiss 1 2>&1 || echo \"status $?\""
    );
    let Some(out) = in_mount_namespace(&script) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let alerts: serde_json::Value = serde_json::from_str(section(&text, "alerts"))
        .unwrap_or_else(|e| panic!("alerts on a read-only folder: {e}: {text}"));
    assert_eq!(alerts.as_array().unwrap().len(), 4);
    let dismiss = section(&text, "dismiss");
    assert!(
        dismiss.contains("cannot be written: it or its folder is read-only")
            && dismiss.contains(&data.join(DB_FILE).display().to_string())
            && dismiss.contains("--data-dir")
            && dismiss.contains("status 1"),
        "{dismiss}"
    );
}

#[test]
fn reading_works_on_a_full_disk_and_writing_says_the_disk_is_full() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support_watch::data_dir_with_alerts(&data, 4);
    let full = tmp.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    let (d, f) = (data.display(), full.display());
    let script = format!(
        "mount -t tmpfs -o size=1m tmpfs '{f}' && cp '{d}/{DB_FILE}' '{f}/'
         dd if=/dev/zero of='{f}/filler' bs=4k 2>/dev/null || true
         echo '--- alerts'; DOPPELWATCH_DATA_DIR='{f}' \"$BIN\" alerts 2>&1 || echo \"status $?\"
         echo '--- dismiss'; DOPPELWATCH_DATA_DIR='{f}' \"$BIN\" dismiss 1 2>&1 || echo \"status $?\""
    );
    let Some(out) = in_mount_namespace(&script) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let alerts: serde_json::Value = serde_json::from_str(section(&text, "alerts"))
        .unwrap_or_else(|e| panic!("alerts on a full disk: {e}: {text}"));
    assert_eq!(alerts.as_array().unwrap().len(), 4);
    let dismiss = section(&text, "dismiss");
    assert!(
        dismiss.contains("the disk holding the database")
            && dismiss.contains("is full")
            && dismiss.contains("Free some space")
            && dismiss.contains("status 1"),
        "{dismiss}"
    );
}
