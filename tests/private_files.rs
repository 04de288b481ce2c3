//! Private files whatever the umask (issue 14, finding 11): the data folder is 0700, the
//! database and its WAL and SHM companions 0600, under a permissive umask (0002) and when an
//! older version left them 0755/0644; the CLI's own store and exported bundles too.
//!
//! One test function: the umask is process-wide state.
//!
//! Run: `cargo test --test private_files`.
#![cfg(unix)]

mod support_watch;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use doppelwatch::detect::Signal;
use doppelwatch::store::{AlertChange, Finding, Store, DB_FILE};
use support_watch::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn companion(dir: &Path, suffix: &str) -> std::path::PathBuf {
    dir.join(format!("{DB_FILE}{suffix}"))
}

/// Checks the folder and every database file that exists while `store` is open.
fn assert_private(dir: &Path, what: &str) {
    assert_eq!(mode(dir), 0o700, "{what}: data folder");
    assert_eq!(mode(&companion(dir, "")), 0o600, "{what}: database");
    for suffix in ["-wal", "-shm"] {
        let path = companion(dir, suffix);
        assert!(
            path.exists(),
            "{what}: {suffix} exists while the store is open"
        );
        assert_eq!(mode(&path), 0o600, "{what}: {suffix}");
    }
}

fn record_alert(store: &Store) -> i64 {
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
    id
}

#[test]
fn data_folder_database_and_bundles_are_private_under_a_permissive_umask() {
    // SAFETY: umask only changes this process's file creation mask; this file has one test.
    unsafe {
        libc::umask(0o002);
    }
    let root = tempfile::tempdir().unwrap();

    // A new data folder (and a missing parent).
    let fresh = root.path().join("new/doppelwatch");
    let store = Store::open_in(&fresh).unwrap();
    let id = record_alert(&store);
    assert_private(&fresh, "new store");

    // An exported bundle.
    let bundle = root.path().join("case.zip");
    doppelwatch::report::evidence::export_bundle(&store, id, &bundle, t(10)).unwrap();
    assert_eq!(mode(&bundle), 0o600, "exported bundle");
    drop(store);

    // What an older version left: folder 0755, database and companions 0644.
    let old = root.path().join("old");
    drop(Store::open_in(&old).unwrap());
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(companion(&old, ""), std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = Store::open_in(&old).unwrap();
    record_alert(&store);
    assert_private(&old, "store left world-readable by an older version");
    drop(store);

    // The CLI under the same umask creates its store private too (`watch` creates it; the
    // commands that only read or change alerts never create one).
    let cli_dir = root.path().join("cli");
    let identity = root.path().join("me.json");
    std::fs::write(&identity, serde_json::to_string(&palmer()).unwrap()).unwrap();
    std::fs::write(root.path().join("config.json"), "{}").unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("umask 0002; exec \"$0\" \"$@\"")
        .arg(doppelwatch_bin())
        .arg("--data-dir")
        .arg(&cli_dir)
        .args(["watch", "--source", "bluesky", "--identity"])
        .arg(&identity)
        // Nothing listens there: the store is all this run is about.
        .env("DOPPELWATCH_BLUESKY_URL", "http://127.0.0.1:9")
        .env("DOPPELWATCH_JETSTREAM_URL", "ws://127.0.0.1:9/subscribe")
        .env("DOPPELWATCH_CONFIG", root.path().join("config.json"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !companion(&cli_dir, "").exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("watch ended ({status}) before creating its store");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "watch created no store"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(mode(&cli_dir), 0o700, "CLI data folder");
    assert_eq!(mode(&companion(&cli_dir, "")), 0o600, "CLI database");

    // Read-only commands (`alerts`, `report`, `export`) tighten an older 0777/0666 folder
    // too, and the WAL/SHM files they make SQLite create are 0600 (hostile round 3, N6).
    let open = root.path().join("open");
    let store = Store::open_in(&open).unwrap();
    let id = record_alert(&store);
    drop(store);
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(companion(&open, ""), std::fs::Permissions::from_mode(0o666)).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(companion(&open, suffix));
    }
    let store = Store::open_in_read_only(&open).unwrap();
    assert!(store.alert(id).is_ok());
    assert_private(&open, "store read by a read-only command");
    drop(store);
}
