//! Opening the SQLite file, for writing or only for reading, and saying why it failed.
//!
//! Order matters (issue 14): the schema version is read *before* anything could change the
//! file, so a file from a newer Doppelwatch is refused untouched (still in its journal mode);
//! an up-to-date file is opened without any write transaction, so a command that only reads
//! works while another process holds the write lock. A read-only open never writes: no
//! journal-mode switch, no migration; on a read-only folder or a full disk, where SQLite
//! cannot create the shared-memory file WAL readers need, a file without pending WAL content
//! is read as immutable.
//!
//! Errors name the file and tell apart a damaged file, a locked one, a full disk and a
//! read-only folder, each with what to do ([`explain`]). This module never deletes or moves
//! a database file, even a damaged one: that is the person's call.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::migrations::{self, SCHEMA_VERSION};
use super::StoreError;

/// How long a statement waits for another process's write lock before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens `path` for reading and writing (creating it), refusing a newer file before any
/// change, then switches it to WAL and brings its schema up to date.
pub(super) fn open_writable(path: &Path) -> Result<Connection, StoreError> {
    let explain = |e| explain(path, e);
    let mut conn = Connection::open(path).map_err(explain)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(explain)?;
    // Before WAL, before any transaction: a newer file is refused untouched.
    let version = schema_version(&conn).map_err(explain)?;
    refuse_newer(path, version)?;
    // WAL: readers (the desktop app) never block the watcher's writes. FULL: a commit is on
    // disk before it returns, so power loss cannot drop an alert.
    // Switching a new file to WAL needs it alone, and SQLite answers "busy" at once (the
    // busy handler is not used) while another process opens the same new file: retry for
    // up to 2 s (found by tests/crash_store_concurrent_open.rs).
    let mut tries = 0;
    let mode: String = loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::DatabaseBusy && tries < 100 =>
            {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => break other.map_err(explain)?,
        }
    };
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!("SQLite refused WAL mode (got {mode}); continuing in {mode}");
    }
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        .map_err(explain)?;
    if version < SCHEMA_VERSION {
        migrations::migrate(&mut conn, path).map_err(|e| in_file(e, path))?;
    }
    Ok(conn)
}

/// Opens an existing, up-to-date `path` only for reading: nothing in the file changes.
/// [`StoreError::NeedsUpgrade`] when the file is missing, empty or older (it must be written
/// once first), [`StoreError::TooNew`] when a newer Doppelwatch wrote it.
pub(super) fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    if !path.exists() {
        return Err(StoreError::NeedsUpgrade {
            path: path.to_path_buf(),
        });
    }
    let explain = |e| explain(path, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(explain)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(explain)?;
    let (conn, version) = match schema_version(&conn) {
        Ok(version) => (conn, version),
        Err(e) if shared_memory_unavailable(&e, path) => {
            // A WAL reader needs the -shm file; a read-only folder or a full disk cannot
            // hold one. With no pending WAL content the main file is complete: read it as
            // immutable (no locks, no side files).
            let flags = flags | OpenFlags::SQLITE_OPEN_URI;
            let conn =
                Connection::open_with_flags(immutable_uri(path), flags).map_err(|_| explain(e))?;
            let version = schema_version(&conn).map_err(explain)?;
            (conn, version)
        }
        Err(e) => return Err(explain(e)),
    };
    refuse_newer(path, version)?;
    if version < SCHEMA_VERSION {
        return Err(StoreError::NeedsUpgrade {
            path: path.to_path_buf(),
        });
    }
    Ok(conn)
}

fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

fn refuse_newer(path: &Path, found: i64) -> Result<(), StoreError> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Whether a read-only open failed only for want of the WAL shared-memory file, and the
/// main file alone holds everything (no WAL content waiting to be checkpointed).
fn shared_memory_unavailable(e: &rusqlite::Error, path: &Path) -> bool {
    let shm_trouble = matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure | ErrorCode::ReadOnly)
    );
    let wal_empty = std::fs::metadata(side_file(path, "-wal")).map_or(true, |m| m.len() == 0);
    let dir = folder_of(path);
    shm_trouble && wal_empty && (!folder_writable(&dir) || disk_full(&dir))
}

/// `path` plus a suffix (`-wal`, `-shm`).
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A `file:` URI opening `path` read-only and immutable (every byte outside the unreserved
/// set percent-encoded, so `?`, `#` and `%` in folder names stay part of the path).
fn immutable_uri(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut uri = String::from("file:");
    for byte in path_bytes(path, &text) {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(char::from(*byte))
            }
            b'\\' if cfg!(windows) => uri.push('/'),
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

#[cfg(unix)]
fn path_bytes<'a>(path: &'a Path, _text: &'a str) -> &'a [u8] {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn path_bytes<'a>(_path: &'a Path, text: &'a str) -> &'a [u8] {
    text.as_bytes()
}

/// Whether this process may create files in `dir` (false on a read-only mount too).
#[cfg(unix)]
fn folder_writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return true;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn folder_writable(dir: &Path) -> bool {
    std::fs::metadata(dir).map_or(true, |m| !m.permissions().readonly())
}

/// Whether the file system holding `dir` has (almost) no space left for us.
#[cfg(unix)]
fn disk_full(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    /// Less than this is full for SQLite, whose WAL index alone takes 32 KiB.
    const NEARLY_FULL: u64 = 64 * 1024;
    let Ok(c_path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: statvfs is plain data, zero-initialised and filled by statvfs(3), which only
    // reads the NUL-terminated path.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return false;
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    let free = (stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64);
    free < NEARLY_FULL
}

#[cfg(not(unix))]
fn disk_full(_dir: &Path) -> bool {
    false
}

/// What went wrong with the file `path`, told apart for the person: damaged, locked, full
/// disk, read-only folder; anything else keeps SQLite's words, with the file named.
pub(super) fn explain(path: &Path, e: rusqlite::Error) -> StoreError {
    let path_buf = path.to_path_buf();
    let dir = folder_of(path);
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Locked { path: path_buf }
        }
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: path_buf },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path: path_buf,
            detail: e.to_string(),
        },
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            StoreError::ReadOnly { path: path_buf }
        }
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) if disk_full(&dir) => {
            StoreError::DiskFull { path: path_buf }
        }
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) if !folder_writable(&dir) => {
            StoreError::ReadOnly { path: path_buf }
        }
        _ => StoreError::Open {
            path: path_buf,
            source: e,
        },
    }
}

/// `e` with the file named when it is a bare SQLite error.
pub(super) fn in_file(e: StoreError, path: &Path) -> StoreError {
    match e {
        StoreError::Sql(sql) => explain(path, sql),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_error(code: std::os::raw::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn each_kind_of_trouble_is_told_apart_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doppelwatch.sqlite3");
        let said = |code| explain(&path, sqlite_error(code)).to_string();
        let locked = said(rusqlite::ffi::SQLITE_BUSY);
        assert!(locked.contains("locked by another program"), "{locked}");
        let full = said(rusqlite::ffi::SQLITE_FULL);
        assert!(
            full.contains("disk") && full.contains("full") && full.contains("Free"),
            "{full}"
        );
        let damaged = said(rusqlite::ffi::SQLITE_NOTADB);
        assert!(
            damaged.contains("damaged") && damaged.contains("Move it aside"),
            "{damaged}"
        );
        let read_only = said(rusqlite::ffi::SQLITE_READONLY);
        assert!(
            read_only.contains("read-only") && read_only.contains("--data-dir"),
            "{read_only}"
        );
        for text in [locked, full, damaged, read_only] {
            assert!(
                text.contains(&path.display().to_string()),
                "names the file: {text}"
            );
        }
    }

    #[test]
    fn the_immutable_uri_keeps_odd_folder_names_as_path() {
        let uri = immutable_uri(Path::new("/tmp/a b?c#d%e/doppelwatch.sqlite3"));
        assert_eq!(
            uri,
            "file:/tmp/a%20b%3Fc%23d%25e/doppelwatch.sqlite3?mode=ro&immutable=1"
        );
    }
}
