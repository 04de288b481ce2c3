//! Schema migrations, numbered by `PRAGMA user_version`. Each step runs in one transaction
//! with the version bump, so a crash mid-migration leaves the previous version intact.
//! Never edit a released step: add a new one.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration steps; step `i` takes the schema from version `i` to `i + 1`.
const STEPS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE identities (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        json        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    -- Per-source settings (base URL, interval, enabled). Never secrets: those are in the keychain.
    CREATE TABLE source_settings (
        platform    TEXT PRIMARY KEY,
        json        TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    -- Every account seen, keyed by the platform's stable id (DID, account id) or its handle.
    CREATE TABLE accounts (
        id          INTEGER PRIMARY KEY,
        platform    TEXT NOT NULL,
        account_key TEXT NOT NULL,
        handle      TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        gone_at     TEXT,
        UNIQUE (platform, account_key)
    );
    -- The history of each account's profile: a new row when what it shows changes.
    CREATE TABLE profile_versions (
        id            INTEGER PRIMARY KEY,
        account_id    INTEGER NOT NULL REFERENCES accounts(id),
        content_hash  TEXT NOT NULL,
        profile_json  TEXT NOT NULL,
        found_by_json TEXT,
        avatar_sha256 TEXT REFERENCES avatars(sha256),
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL
    );
    CREATE INDEX profile_versions_account ON profile_versions(account_id, id);
    -- Avatar images kept as evidence (only for accounts that raised an alert), deduplicated.
    CREATE TABLE avatars (
        sha256      TEXT PRIMARY KEY,
        bytes       BLOB NOT NULL
    );
    CREATE TABLE alerts (
        id                 INTEGER PRIMARY KEY,
        identity_id        INTEGER NOT NULL REFERENCES identities(id),
        account_id         INTEGER NOT NULL REFERENCES accounts(id),
        profile_version_id INTEGER NOT NULL REFERENCES profile_versions(id),
        fingerprint        TEXT NOT NULL,
        verdict            TEXT NOT NULL,
        score              REAL NOT NULL,
        reasons_json       TEXT NOT NULL,
        state              TEXT NOT NULL,
        state_note         TEXT,
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL
    );
    CREATE INDEX alerts_account ON alerts(identity_id, account_id);
    CREATE INDEX alerts_state ON alerts(state);
    -- Every evidence fingerprint ever raised or suppressed for an account and identity: the
    -- same evidence never alerts twice, across restarts.
    CREATE TABLE evidence_seen (
        identity_id  INTEGER NOT NULL REFERENCES identities(id),
        account_id   INTEGER NOT NULL REFERENCES accounts(id),
        fingerprint  TEXT NOT NULL,
        alert_id     INTEGER REFERENCES alerts(id),
        seen_at      TEXT NOT NULL,
        PRIMARY KEY (identity_id, account_id, fingerprint)
    );
    CREATE TABLE reports (
        id          INTEGER PRIMARY KEY,
        alert_id    INTEGER NOT NULL REFERENCES alerts(id),
        platform    TEXT NOT NULL,
        method      TEXT NOT NULL,
        remote_id   TEXT,
        detail      TEXT,
        filed_at    TEXT NOT NULL
    );
    CREATE INDEX reports_alert ON reports(alert_id);
    CREATE INDEX reports_filed ON reports(method, filed_at);
    -- Notifications to show, written in the same transaction as what they announce.
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        alert_id    INTEGER NOT NULL REFERENCES alerts(id),
        created_at  TEXT NOT NULL,
        sent_at     TEXT
    );
    CREATE INDEX outbox_pending ON outbox(sent_at);
    CREATE TABLE cursors (
        name        TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    "#,
    // 2: timed snooze (issue 5). A snoozed alert keeps the time it comes back; the watcher
    // looks for due ones every second, hence the index.
    r#"
    ALTER TABLE alerts ADD COLUMN snoozed_until TEXT;
    CREATE INDEX alerts_snoozed ON alerts(state, snoozed_until);
    "#,
    // 3: report drafts the person edited, kept per alert so an edit survives closing the
    // window (issue 10). Existing data is untouched.
    r#"
    CREATE TABLE report_drafts (
        alert_id    INTEGER PRIMARY KEY REFERENCES alerts(id),
        text        TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    "#,
    // 4: several people and waves (issue 11). Alerts already name their identity, so a
    // single-person database keeps every alert with that person; a wave groups alerts of one
    // person that came close together or share a picture, a handle pattern or a creation
    // time. `notified_at` is when a notification last announced the wave (a new member
    // joining soon after updates it instead of popping up again).
    r#"
    CREATE TABLE waves (
        id             INTEGER PRIMARY KEY,
        identity_id    INTEGER NOT NULL REFERENCES identities(id),
        verdict        TEXT NOT NULL,
        started_at     TEXT NOT NULL,
        last_alert_at  TEXT NOT NULL,
        notified_at    TEXT
    );
    CREATE INDEX waves_identity ON waves(identity_id, last_alert_at);
    ALTER TABLE alerts ADD COLUMN wave_id INTEGER REFERENCES waves(id);
    CREATE INDEX alerts_wave ON alerts(wave_id);
    CREATE INDEX alerts_identity_created ON alerts(identity_id, created_at);
    "#,
    // 5: the batch report queue (issue 11). A batch is filed after its undo window
    // (`send_after`); each entry moves queued -> sending -> sent (or failed, cancelled,
    // skipped, uncertain). An alert is in at most one live entry (queued or sending), so a
    // batch filed twice sends each report once.
    r#"
    CREATE TABLE report_batches (
        id          INTEGER PRIMARY KEY,
        created_at  TEXT NOT NULL,
        send_after  TEXT NOT NULL
    );
    CREATE TABLE report_queue (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES report_batches(id),
        alert_id    INTEGER NOT NULL REFERENCES alerts(id),
        state       TEXT NOT NULL,
        not_before  TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        note        TEXT,
        report_id   INTEGER REFERENCES reports(id),
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX report_queue_due ON report_queue(state, not_before);
    CREATE INDEX report_queue_batch ON report_queue(batch_id);
    CREATE UNIQUE INDEX report_queue_live ON report_queue(alert_id)
        WHERE state IN ('queued', 'sending');
    "#,
    // 6: the impostor's recent posts kept with its alert as evidence (issue 12): the post's
    // canonical JSON, its SHA-256, its flags and when it was fetched. Existing data untouched.
    r#"
    CREATE TABLE alert_posts (
        id          INTEGER PRIMARY KEY,
        alert_id    INTEGER NOT NULL REFERENCES alerts(id),
        post_key    TEXT NOT NULL,
        post_json   TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        flags_json  TEXT NOT NULL,
        fetched_at  TEXT NOT NULL,
        UNIQUE (alert_id, post_key)
    );
    "#,
    // 7: the alert list a page at a time (issue 11: 10,000 alerts). Its two sections each ask
    // for one verdict (impostors, worth a look), often with a state or a person: counted and
    // paged from this index alone (it holds every column they filter on and the account to
    // sort by) instead of reading every alert; on 10,000 alerts a section's count and page
    // took 4.5 ms instead of 6 (impostors) and 1.2 instead of 3.6 (worth a look), where an
    // index on (verdict, state) alone made the impostors' 3x slower. Existing data untouched.
    r#"
    CREATE INDEX IF NOT EXISTS alerts_list ON alerts(verdict, state, account_id, identity_id);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a file from a newer build.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    // Two processes may open a new file at once (the watcher and a CLI command or the app):
    // each step reads the version *inside* an IMMEDIATE transaction, so the second one waits
    // for the first (busy timeout) and then skips the step already done, instead of failing
    // with "table identities already exists" (found by tests/crash_watch_kill9.rs).
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(step) = usize::try_from(current).ok().and_then(|i| STEPS.get(i)) else {
            return Ok(());
        };
        tx.execute_batch(step)?;
        // user_version takes no bound parameter; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", current + 1))?;
        tx.commit()?;
    }
}
