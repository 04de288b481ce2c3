//! A demo session: what lets a demo survive a restart of its own watcher.
//!
//! A demo session begins when a demo watcher starts and finds no open session in the demo
//! folder: the folder is emptied and [`SESSION_FILE`] (0600) is written there. It ends when
//! that watcher is asked to stop (Quit in the tray or the window, `doppelwatch-watcher --demo
//! --quit`, SIGTERM, Ctrl-C): the file is removed, so the next demo start is a new session. A
//! watcher that dies instead (killed, crashed) leaves the file behind; the next demo watcher
//! (started again by the window's supervisor, or by the window opened again) resumes that
//! session: the store, its report queue and the settings stay, the fakes take the same
//! loopback ports again (others if those are taken) and the steps of the demo's script done
//! so far, and the reports the fakes received, are given back to them.
//!
//! The file holds the fakes' ports and when each step of the script was done; never a secret.
//! This module touches nothing but the demo folder it is given (a folder named `demo`): never
//! a real data folder.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::book::{self, Received};
use crate::lock;

/// The demo session's marker in the demo folder (its presence means a session is open).
pub const SESSION_FILE: &str = "demo-session.json";
/// The marker is small; anything larger is not ours.
const MAX_SESSION_BYTES: u64 = 64 * 1024;

/// The loopback ports of the demo's fakes (`0`: not started yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ports {
    pub bluesky: u16,
    pub youtube: u16,
    pub mastodon: u16,
    pub x: u16,
}

/// What [`SESSION_FILE`] holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Saved {
    ports: Ports,
    /// When each step of the demo's script was done, in order.
    planted_at: Vec<DateTime<Utc>>,
}

/// The open demo session of one demo folder.
#[derive(Debug)]
pub struct Session {
    dir: PathBuf,
    saved: Mutex<Saved>,
    /// The reports the fakes received in this session before this watcher started.
    received: Mutex<Vec<Received>>,
    resumed: bool,
}

impl Session {
    /// Resumes the session left open in the demo folder `dir` by a watcher that died, or
    /// begins a new one: the folder emptied (created if needed, 0700) and the marker written.
    /// A marker or report list that cannot be read begins a new session (said in the log).
    pub fn open(dir: &Path) -> Result<Session, String> {
        if dir.file_name().and_then(|n| n.to_str()) != Some("demo") {
            return Err(format!(
                "{} is not a demo folder; the demo never touches another folder",
                dir.display()
            ));
        }
        match resume(dir) {
            Ok(Some((saved, received))) => {
                return Ok(Session {
                    dir: dir.to_path_buf(),
                    saved: Mutex::new(saved),
                    received: Mutex::new(received),
                    resumed: true,
                })
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(
                "demo: the last demo session cannot be resumed ({e}); a new one begins"
            ),
        }
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .map_err(|e| format!("cannot empty the demo folder {}: {e}", dir.display()))?;
        }
        doppelwatch::files::private::ensure_private_dir(dir)
            .map_err(|e| format!("cannot create the demo folder {}: {e}", dir.display()))?;
        let session = Session {
            dir: dir.to_path_buf(),
            saved: Mutex::new(Saved::default()),
            received: Mutex::new(Vec::new()),
            resumed: false,
        };
        session
            .save()
            .map_err(|e| format!("cannot begin a demo session in {}: {e}", dir.display()))?;
        book::write(dir, &[])
            .map_err(|e| format!("cannot begin a demo session in {}: {e}", dir.display()))?;
        Ok(session)
    }

    /// Whether this session was begun by an earlier watcher.
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// The demo folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The fakes' ports of this session (all `0` in a new one).
    pub fn ports(&self) -> Ports {
        lock(&self.saved).ports
    }

    /// Records the ports the fakes took.
    pub fn set_ports(&self, ports: Ports) -> std::io::Result<()> {
        lock(&self.saved).ports = ports;
        self.save()
    }

    /// When each step of the demo's script done so far was done.
    pub fn planted_at(&self) -> Vec<DateTime<Utc>> {
        lock(&self.saved).planted_at.clone()
    }

    /// Records that the next step of the demo's script was done `at`.
    pub fn planted(&self, at: DateTime<Utc>) {
        lock(&self.saved).planted_at.push(at);
        if let Err(e) = self.save() {
            tracing::warn!("demo: cannot save the session's progress: {e}");
        }
    }

    /// The reports the fakes received before this watcher started (once; then empty).
    pub fn take_received(&self) -> Vec<Received> {
        std::mem::take(&mut *lock(&self.received))
    }

    /// Ends the session (the watcher was asked to stop): the next demo start begins anew.
    pub fn end(&self) {
        let path = self.dir.join(SESSION_FILE);
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("demo: cannot end the session ({}): {e}", path.display());
            }
        }
    }

    fn save(&self) -> std::io::Result<()> {
        let bytes =
            serde_json::to_vec_pretty(&*lock(&self.saved)).map_err(std::io::Error::other)?;
        replace_private(&self.dir, SESSION_FILE, &bytes)
    }
}

/// The session left open in `dir` with the reports its fakes received; `None` when there is
/// none (no marker).
fn resume(dir: &Path) -> Result<Option<(Saved, Vec<Received>)>, String> {
    let path = dir.join(SESSION_FILE);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let bytes = doppelwatch::files::input::read_regular(&path, MAX_SESSION_BYTES)
        .map_err(|e| format!("cannot use {}: {e}", path.display()))?;
    let saved: Saved = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is damaged: {e}", path.display()))?;
    let received = book::read(dir)?;
    Ok(Some((saved, received)))
}

/// Replaces the file `name` in `dir` with `bytes` whole (a private file written beside it,
/// then renamed over it), so a watcher killed meanwhile leaves the old or the new, never half.
pub(crate) fn replace_private(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.tmp"));
    let mut file = doppelwatch::files::private::create_private(&tmp)?;
    std::io::Write::write_all(&mut file, bytes)?;
    drop(file);
    std::fs::rename(&tmp, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_dir() -> (tempfile::TempDir, PathBuf) {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("demo");
        (base, dir)
    }

    #[test]
    fn a_new_session_empties_the_folder_and_an_open_one_is_resumed() {
        let (_base, dir) = demo_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("old.sqlite3"), b"an earlier demo").unwrap();
        // No marker: a new session, the folder emptied.
        let first = Session::open(&dir).unwrap();
        assert!(!first.resumed());
        assert!(!dir.join("old.sqlite3").exists());
        let ports = Ports {
            bluesky: 40001,
            youtube: 40002,
            mastodon: 40003,
            x: 40004,
        };
        first.set_ports(ports).unwrap();
        let at = Utc::now();
        first.planted(at);
        std::fs::write(dir.join("doppelwatch.sqlite3"), b"the store").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(SESSION_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The watcher died (no end): the next one resumes it, the store kept.
        drop(first);
        let again = Session::open(&dir).unwrap();
        assert!(again.resumed());
        assert_eq!(again.ports(), ports);
        assert_eq!(again.planted_at(), vec![at]);
        assert!(dir.join("doppelwatch.sqlite3").exists());
        // Asked to stop: the session ends, and the next start is a new one.
        again.end();
        let fresh = Session::open(&dir).unwrap();
        assert!(!fresh.resumed());
        assert_eq!(fresh.ports(), Ports::default());
        assert!(fresh.planted_at().is_empty());
        assert!(!dir.join("doppelwatch.sqlite3").exists());
    }

    #[test]
    fn a_damaged_marker_begins_a_new_session() {
        let (_base, dir) = demo_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(SESSION_FILE), b"{not json").unwrap();
        std::fs::write(dir.join("doppelwatch.sqlite3"), b"the store").unwrap();
        let session = Session::open(&dir).unwrap();
        assert!(!session.resumed());
        assert!(!dir.join("doppelwatch.sqlite3").exists());
    }

    #[test]
    fn only_a_folder_named_demo_is_ever_emptied() {
        let base = tempfile::tempdir().unwrap();
        std::fs::write(base.path().join("doppelwatch.sqlite3"), b"real alerts").unwrap();
        let err = Session::open(base.path()).unwrap_err();
        assert!(err.contains("not a demo folder"), "{err}");
        assert!(base.path().join("doppelwatch.sqlite3").exists());
    }
}
