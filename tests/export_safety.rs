//! `doppelwatch export` cannot destroy files (issue 14, finding 2): an existing file is kept
//! unless `--force`; the database, its companions, folders, FIFOs, devices and symlinks to
//! those are refused even with `--force`; a symlink planted where the old code put its
//! temporary file is never followed; the command says where it wrote. Real binary, real files.
//!
//! Run: `cargo test --test export_safety`.
#![cfg(unix)]

mod support_watch;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use doppelwatch::detect::Signal;
use doppelwatch::store::{AlertChange, Finding, Store, DB_FILE};
use support_watch::*;

/// A data folder whose store holds one alert; returns the folder and the alert id.
fn data_with_alert() -> (tempfile::TempDir, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let f = found(bsky_profile(
        "did:plc:imp",
        "imp.bsky.social",
        "PaImer Report",
    ));
    let a = impostor_assessment(&[Signal::DisplayName]);
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &f,
                assessment: &a,
            },
            t(0),
        )
        .unwrap();
    let AlertChange::New(id) = out.alert else {
        panic!("{:?}", out.alert)
    };
    (dir, id)
}

fn export(data: &Path, id: i64, out: &Path, force: bool) -> Output {
    let mut cmd = Command::new(doppelwatch_bin());
    cmd.arg("--data-dir")
        .arg(data)
        .arg("export")
        .arg(id.to_string())
        .arg(out);
    if force {
        cmd.arg("--force");
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_zip(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"PK\x03\x04"))
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .collect()
}

#[test]
fn an_existing_file_is_kept_unless_forced_and_the_command_says_where_it_wrote() {
    let (data, id) = data_with_alert();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("case.zip");
    std::fs::write(&out, b"my thesis, the only copy").unwrap();

    let refused = export(data.path(), id, &out, false);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains(&out.display().to_string()) && err.contains("--force"),
        "the error names the file and what to do: {err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"my thesis, the only copy");

    let forced = export(data.path(), id, &out, true);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(is_zip(&out));
    let summary: serde_json::Value = serde_json::from_slice(&forced.stdout).unwrap();
    let written = out.canonicalize().unwrap();
    assert_eq!(summary["path"], written.display().to_string());
    assert!(
        stderr(&forced).contains(&written.display().to_string()),
        "{}",
        stderr(&forced)
    );
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the bundle is private");
    assert!(leftovers(out_dir.path()).is_empty());

    // A new name is written without --force, relative to the working folder.
    let fresh = Command::new(doppelwatch_bin())
        .current_dir(out_dir.path())
        .arg("--data-dir")
        .arg(data.path())
        .args(["export", &id.to_string(), "fresh.zip"])
        .output()
        .unwrap();
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert!(is_zip(&out_dir.path().join("fresh.zip")));
}

#[test]
fn the_database_and_what_is_not_a_regular_file_are_refused_even_with_force() {
    let (data, id) = data_with_alert();
    let db = data.path().join(DB_FILE);
    let db_before = std::fs::read(&db).unwrap();
    let other = tempfile::tempdir().unwrap();
    let link_to_db = other.path().join("looks-harmless.zip");
    std::os::unix::fs::symlink(&db, &link_to_db).unwrap();
    let folder = other.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let fifo = other.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let link_to_fifo = other.path().join("to-fifo.zip");
    std::os::unix::fs::symlink(&fifo, &link_to_fifo).unwrap();
    let link_to_null = other.path().join("to-null.zip");
    std::os::unix::fs::symlink("/dev/null", &link_to_null).unwrap();
    let dangling = other.path().join("dangling.zip");
    std::os::unix::fs::symlink(other.path().join("nothing"), &dangling).unwrap();

    for (target, why) in [
        (db.clone(), "database"),
        (data.path().join(format!("{DB_FILE}-wal")), "database"),
        (data.path().join(format!("{DB_FILE}-shm")), "database"),
        (link_to_db.clone(), "database"),
        (folder.clone(), "folder"),
        (fifo.clone(), "FIFO"),
        (link_to_fifo.clone(), "not a file"),
        (link_to_null.clone(), "not a file"),
        (dangling.clone(), "symlink to nothing"),
    ] {
        let out = export(data.path(), id, &target, true);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", target.display());
        assert!(err.contains(why), "{}: {err}", target.display());
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        db_before,
        "the database is intact"
    );
    assert!(std::fs::symlink_metadata(&link_to_db)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(folder.is_dir());
    let store = Store::open_in(data.path()).unwrap();
    assert_eq!(store.alert(id).unwrap().id, id, "the database still opens");
    assert!(leftovers(other.path()).is_empty());
}

#[test]
fn a_device_is_never_replaced() {
    // Creating a device node needs root (the finding was reproduced as root); elsewhere the
    // FIFO and /dev/null cases above cover what is not a regular file.
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("full");
    let made = Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "7"])
        .output()
        .unwrap();
    if !made.status.success() {
        eprintln!("skipped: mknod needs root");
        return;
    }
    let (data, id) = data_with_alert();
    let out = export(data.path(), id, &device, true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("device"), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&device)
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn a_symlink_planted_at_the_temporary_name_is_not_followed() {
    let (data, id) = data_with_alert();
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, b"do not touch").unwrap();
    // Where the old code wrote its temporary file (OUT with extension .partial).
    std::os::unix::fs::symlink(&victim, dir.path().join("case.partial")).unwrap();
    let out = dir.path().join("case.zip");
    let done = export(data.path(), id, &out, false);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(is_zip(&out));
    assert!(
        std::fs::read(&victim).unwrap() == b"do not touch",
        "the file the planted symlink points to was overwritten"
    );
    assert_eq!(
        leftovers(dir.path()),
        vec![dir.path().join("case.partial")],
        "only the planted link remains"
    );
}
