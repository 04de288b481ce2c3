//! The SQLite store: one file under the platform data directory holding identities, source
//! settings (never secrets), every account seen with the history of its profile, alerts,
//! reports, the notification outbox and stream cursors.
//!
//! Durability: the file runs in WAL mode with `synchronous=FULL`, so a committed transaction
//! survives a power loss, not just a crash (with `NORMAL`, WAL commits since the last
//! checkpoint may be lost on power loss, which would lose alerts). Every finding is recorded in
//! one transaction together with its alert and its notification, so a crash at any moment
//! either keeps all of them or none (and the next check finds the account again).
//!
//! Opening (`open.rs`): the schema version is checked before anything changes, so a file from
//! a newer version is refused untouched; commands that only read open the file read-only
//! ([`Store::open_in_read_only`]: no migration, no journal change, works beside a writer and
//! on a read-only folder); errors name the file and tell a damaged file, a locked one, a full
//! disk and a read-only folder apart.
//!
//! Library API for the CLI and the desktop app:
//! - [`Store::open`] / [`Store::open_in`] / [`Store::open_read_only`] /
//!   [`Store::open_in_read_only`] / [`Store::explain`] / [`data_dir`]
//! - identities: [`Store::upsert_identity`] (by name, for identity files),
//!   [`Store::update_identity`] (by stable id: a rename keeps the alerts), [`Store::identities`],
//!   [`Store::person_alerts`], [`Store::remove_identity`] (never drops alerts unless told)
//! - waves (`waves.rs`): alerts of one person that came together; [`Store::waves`],
//!   [`Store::wave`], [`Store::mark_waves_notified`]; a new alert joins its wave when recorded
//! - findings: [`Store::record_finding`], [`Store::record_findings`] (dedups alerts by evidence)
//! - alerts: [`Store::alerts`], [`Store::alert`], [`Store::set_alert_state`], [`Store::close_case`],
//!   [`Store::snooze_alert`], [`Store::wake_due_snoozes`]
//! - the alert list (`alert_list.rs`): one page of a filtered list and its total
//!   ([`Store::alert_page`]), the ids of the whole filtered set ([`Store::alert_keys`])
//! - reports: [`Store::record_report`], [`Store::reports_for`], [`Store::api_reports_since`];
//!   edited drafts: [`Store::report_draft`], [`Store::set_report_draft`]
//! - the impostor's posts as evidence (`posts.rs`): [`Store::add_alert_posts`],
//!   [`Store::alert_posts`]
//! - outcomes (`cases.rs`): [`Store::cases`] (found, reported, gone, per alert) and
//!   [`CaseFigures::of`] (open, reported, taken down, median days to takedown, per week)
//! - notifications: [`Store::pending_notifications`], [`Store::mark_notified`],
//!   [`Store::mark_digest_shown`], [`Store::last_digest_at`]; [`Store::waiting_alerts`]
//! - the Jetstream cursor: [`Store::cursor`], [`Store::set_cursor`]; paid sources' spending:
//!   [`Store::update_cursors`]

mod alert_list;
mod alerts;
mod cases;
mod findings;
mod migrations;
pub use migrations::SCHEMA_VERSION;
mod open;
mod people;
mod posts;
mod queue;
mod reports;
mod waves;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};

use crate::identity::{Identity, Platform};

pub use alert_list::AlertPage;
pub use alerts::{
    Alert, AlertFilter, AlertId, AlertState, OutboxItem, OutboxKind, PersonRef, WaitingAlerts,
    MAX_SNOOZE_DAYS,
};
pub use cases::{
    iso_week, median, Case, CaseCounts, CaseFigures, CaseOutcome, PlatformOutcomes, WeekOutcomes,
    FOLLOW_UP_AFTER_DAYS,
};
pub use findings::{evidence_fingerprint, AlertChange, Finding, FindingOutcome, ProfileVersion};
pub use people::PersonAlerts;
pub use queue::{Batch, QueueEntry, QueueState};
pub use reports::{ReportMethod, ReportRecord};
pub use waves::{handle_pattern, Wave, WAVE_ARRIVAL_MINUTES, WAVE_CREATION_MINUTES};

/// Name of the database file inside the data directory.
pub const DB_FILE: &str = "doppelwatch.sqlite3";

/// Environment variable that overrides the data directory (tests, portable installs).
pub const DATA_DIR_ENV: &str = "DOPPELWATCH_DATA_DIR";

/// Row id of an identity in the store.
pub type IdentityId = i64;

/// Why the store could not do what was asked, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the database {path} is damaged or is not a Doppelwatch database ({detail}). Move it aside (keep it: `sqlite3 FILE .recover` may save its data); Doppelwatch then starts a new one")]
    Damaged { path: PathBuf, detail: String },
    #[error("the database {path} is locked by another program writing to it. Try again in a moment; if it stays locked, close the other Doppelwatch commands or apps using this file")]
    Locked { path: PathBuf },
    #[error("the disk holding the database {path} is full. Free some space on it and try again")]
    DiskFull { path: PathBuf },
    #[error("the database {path} cannot be written: it or its folder is read-only (or not yours). Make the folder writable, or use a writable one with --data-dir or DOPPELWATCH_DATA_DIR; commands that only read, such as `alerts`, still work")]
    ReadOnly { path: PathBuf },
    #[error("the database {path} must be created or upgraded by this version first, which needs writing to it")]
    NeedsUpgrade { path: PathBuf },
    #[error("the database {path} is {kind}, not a regular file. Move it aside (Doppelwatch then starts a new database there), or use another folder with --data-dir or DOPPELWATCH_DATA_DIR")]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no data directory could be determined for this user; pass --data-dir or set DOPPELWATCH_DATA_DIR")]
    NoDataDir,
    #[error("the database {path} was written by a newer Doppelwatch (schema {found}, this build knows up to {supported}); update Doppelwatch")]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{name} has {total} alert(s) ({open} open): removing them would lose that evidence. Export what you want to keep (`doppelwatch export ID FILE`), then remove the person together with their alerts (`--with-alerts`)")]
    HasAlerts { name: String, open: u32, total: u32 },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("alert {id} cannot go from {from} to {to}{}", transition_hint(*to))]
    InvalidTransition {
        id: i64,
        from: AlertState,
        to: AlertState,
    },
    #[error("cannot snooze alert {id}: {why}")]
    InvalidSnooze { id: i64, why: String },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// What to do instead, for refusals people run into.
fn transition_hint(to: AlertState) -> &'static str {
    match to {
        AlertState::Snoozed => ": only new or seen alerts can be snoozed",
        _ => "",
    }
}

/// The data directory: `override_dir` (the CLI's `--data-dir`), else `$DOPPELWATCH_DATA_DIR`,
/// else the platform's data directory (`~/.local/share/doppelwatch` on Linux).
pub fn data_dir(override_dir: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = override_dir {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "Doppelwatch", "doppelwatch")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(StoreError::NoDataDir)
}

/// Creates the database file as 0600 if it does not exist yet, and makes an existing one and
/// its companions 0600 (an older version left them 0644). Failures are logged, never fatal.
fn make_db_private(path: &Path) {
    use crate::files::private::{restrict_path, FILE_MODE};
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    if let Ok(file) = options.open(path) {
        crate::files::private::restrict_file(&file);
    }
    let name = path.as_os_str();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut companion = name.to_owned();
        companion.push(suffix);
        restrict_path(Path::new(&companion));
    }
}

/// The store: one SQLite connection behind a mutex, so one `Arc<Store>` can be shared by the
/// watch service, the notifier and the desktop app's commands.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, creating the directory too.
    pub fn open_in(dir: &Path) -> Result<Store, StoreError> {
        // The folder holds everything Doppelwatch knows: 0700, and tightened if an older
        // version left it 0755.
        crate::files::private::ensure_private_dir(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Store::open(&dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    /// A file from a newer version is refused before anything in it changes.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        // SQLite creates the WAL and SHM files with the database's own mode: a database made
        // 0600 here (whatever the umask) keeps all three private.
        make_db_private(path);
        Ok(Store {
            conn: Mutex::new(open::open_writable(path)?),
            path: path.to_path_buf(),
        })
    }

    /// Opens the database in `dir` for reading only (listing alerts, drafting a report,
    /// exporting evidence): no write lock, no journal change, no migration, so it works while
    /// another process writes and on a read-only folder. The group's and others' bits are
    /// taken off the folder and the database files where they can be. A missing or older file is created or
    /// upgraded once through [`Store::open_in`] first (that needs writing), then opened
    /// read-only.
    pub fn open_in_read_only(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE);
        // Tighten what an older version left open (0777 folder, 0666 files) without making
        // anything writable; the WAL and SHM files SQLite creates take the database's 0600.
        // Best effort: a read-only folder is still read.
        crate::files::private::drop_shared_bits(dir);
        let name = path.as_os_str();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = name.to_owned();
            file.push(suffix);
            crate::files::private::drop_shared_bits(Path::new(&file));
        }
        match Store::open_read_only(&path) {
            Err(StoreError::NeedsUpgrade { .. }) => {
                drop(Store::open_in(dir)?);
                Store::open_read_only(&path)
            }
            other => other,
        }
    }

    /// Opens an existing, up-to-date database file for reading only; writes through it fail.
    /// [`StoreError::NeedsUpgrade`] when it is missing or older, [`StoreError::TooNew`] when
    /// a newer version wrote it.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: Mutex::new(open::open_read_only(path)?),
            path: path.to_path_buf(),
        })
    }

    /// `e` in words for the person: a bare SQLite error of an operation on this store becomes
    /// one that names the file and says whether it is locked, damaged, on a full disk or in a
    /// read-only folder.
    pub fn explain(&self, e: StoreError) -> StoreError {
        open::in_file(e, &self.path)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `PRAGMA integrity_check`; returns `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.join("; "))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves a connection whose last transaction SQLite
        // already rolled back; the data is consistent, so keep using it.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores (or updates) an identity, keyed by its display name; returns its id.
    pub fn upsert_identity(&self, identity: &Identity) -> Result<IdentityId, StoreError> {
        let json = to_json(identity)?;
        let now = ts(Utc::now());
        let conn = self.lock();
        conn.execute(
            "INSERT INTO identities (name, json, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT(name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
             WHERE identities.json <> excluded.json",
            rusqlite::params![identity.name, json, now],
        )?;
        Ok(conn.query_row(
            "SELECT id FROM identities WHERE name = ?1",
            [&identity.name],
            |r| r.get(0),
        )?)
    }

    /// Changes the identity stored under `id` (its stable id): a new name, handles or bio keep
    /// the same row, so its alerts, reports and cursors stay with the person.
    pub fn update_identity(&self, id: IdentityId, identity: &Identity) -> Result<(), StoreError> {
        let json = to_json(identity)?;
        let now = ts(Utc::now());
        let changed = self.lock().execute(
            "UPDATE identities SET name = ?2, json = ?3, updated_at = ?4 WHERE id = ?1",
            rusqlite::params![id, identity.name, json, now],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("identity {id}"),
            });
        }
        Ok(())
    }

    /// All stored identities with their ids.
    pub fn identities(&self) -> Result<Vec<(IdentityId, Identity)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT id, json FROM identities ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, json)| Ok((id, from_json(&json, "identity")?)))
            .collect()
    }

    /// One identity by id.
    pub fn identity(&self, id: IdentityId) -> Result<Identity, StoreError> {
        let json: Option<String> = self
            .lock()
            .query_row("SELECT json FROM identities WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let json = json.ok_or_else(|| StoreError::NotFound {
            what: format!("identity {id}"),
        })?;
        from_json(&json, "identity")
    }

    /// Saves the settings of one source (base URL, interval, enabled...). Secrets never go
    /// here: they live in the OS keychain ([`crate::secrets`]).
    pub fn set_source_settings(
        &self,
        platform: &Platform,
        settings: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO source_settings (platform, json, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(platform) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at",
            rusqlite::params![platform.as_str(), settings.to_string(), ts(Utc::now())],
        )?;
        Ok(())
    }

    /// The saved settings of one source, if any.
    pub fn source_settings(
        &self,
        platform: &Platform,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let json: Option<String> = self
            .lock()
            .query_row(
                "SELECT json FROM source_settings WHERE platform = ?1",
                [platform.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| from_json(&j, "source settings")).transpose()
    }

    /// A stream cursor (e.g. `jetstream`: the last processed `time_us`).
    pub fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM cursors WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Saves a stream cursor. Prefer passing it to [`Store::record_findings`] so the cursor
    /// only moves together with the findings of the events before it.
    pub fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        set_cursor_in(&self.lock(), name, value)
    }
}

impl Store {
    /// Reads the cursors `names` and writes what `update` makes of them, in one IMMEDIATE
    /// transaction: a read-modify-write no other process can interleave with (paid sources'
    /// spending, see `sources::spending`).
    pub fn update_cursors(
        &self,
        names: &[String],
        update: impl FnOnce(&[Option<String>]) -> Vec<String>,
    ) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut old = Vec::with_capacity(names.len());
        for name in names {
            old.push(
                tx.query_row("SELECT value FROM cursors WHERE name = ?1", [name], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?,
            );
        }
        for (name, value) in names.iter().zip(update(&old)) {
            set_cursor_in(&tx, name, &value)?;
        }
        tx.commit()?;
        Ok(())
    }
}

pub(crate) fn set_cursor_in(conn: &Connection, name: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        rusqlite::params![name, value, ts(Utc::now())],
    )?;
    Ok(())
}

/// Timestamps are stored as RFC 3339 UTC with milliseconds, so text order is time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_ts(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp {text:?}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
