//! The evidence bundle of a whole wave (issue 11): ONE zip with one manifest for every account
//! of the wave, so a person who reports a hundred clones hands a platform, a lawyer or the
//! police one file. Inside: `README.txt` (the accounts, one line each), `wave.json` (the wave
//! and an index of its accounts), `person/` (the person's identity and avatar, once), and
//! `accounts/<alert id>-<handle>/` per account, laid out as a single alert's bundle is
//! (`case.json`, `reports.json`, posts, every captured profile version and avatar), then
//! `MANIFEST.sha256` over all of it.
//!
//! It reads the store and writes one new file through [`crate::files::output`]; it never
//! changes an alert and never fetches anything.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::evidence::{
    account_files, person_files, pretty, write_bundle, BundleSummary, EvidenceError,
};
use crate::store::{AlertFilter, Store, StoreError};

/// A wave bundle holds at most this many accounts (every file is assembled in memory first).
pub const MAX_WAVE_ACCOUNTS: usize = 5_000;

/// Writes the evidence bundle of wave `wave_id` to `out` (which must not exist unless
/// `replace`; the database is never replaced).
pub fn export_wave_bundle(
    store: &Store,
    wave_id: i64,
    out: &Path,
    now: DateTime<Utc>,
    replace: bool,
) -> Result<BundleSummary, EvidenceError> {
    let mut wave = store.wave(wave_id)?;
    let mut alerts = store.alerts(&AlertFilter {
        wave_id: Some(wave_id),
        ..AlertFilter::default()
    })?;
    // An account may join the wave between the two reads: the bundle counts what it holds.
    wave.count = u32::try_from(alerts.len()).unwrap_or(u32::MAX);
    wave.open =
        u32::try_from(alerts.iter().filter(|a| a.state.is_open()).count()).unwrap_or(u32::MAX);
    if alerts.len() > MAX_WAVE_ACCOUNTS {
        return Err(EvidenceError::WaveTooLarge {
            wave: wave_id,
            count: alerts.len(),
            max: MAX_WAVE_ACCOUNTS,
        });
    }
    alerts.sort_by_key(|a| a.id);
    let Some(first) = alerts.first() else {
        return Err(EvidenceError::Store(StoreError::NotFound {
            what: format!("any alert in wave {wave_id}"),
        }));
    };
    let mut files = vec![(String::new(), Vec::new())]; // README.txt, written last
    files.extend(person_files(first));
    let mut index = Vec::new();
    let mut lines = String::new();
    for alert in &alerts {
        let dir = format!("accounts/{}/", folder_name(alert.id, &alert.profile.handle));
        files.extend(account_files(store, alert, &dir, &dir, now)?);
        index.push(json!({
            "alert_id": alert.id,
            "platform": alert.platform,
            "handle": alert.profile.handle,
            "impostor_url": super::profile_url(&alert.profile),
            "verdict": alert.verdict,
            "score": alert.score,
            "state": alert.state,
            "folder": dir,
        }));
        lines.push_str(&format!(
            "  {:<8} {:<10} {:<10} {}\n",
            alert.id,
            super::platform_name(&alert.platform),
            alert.state.as_str(),
            super::shown_handle(alert),
        ));
    }
    files.push((
        "wave.json".into(),
        pretty(&json!({ "wave": wave, "exported_at": now, "accounts": index })),
    ));
    files[0] = (
        "README.txt".into(),
        readme(&wave, &first.identity.name, &lines, now).into_bytes(),
    );
    write_bundle(store, files, out, now, replace)
}

/// `<alert id>-<handle>` with anything but ASCII letters, digits, `.`, `-` and `_` replaced,
/// so a hostile handle names no other folder (the id prefix keeps `..` from being a name).
fn folder_name(alert_id: i64, handle: &str) -> String {
    let safe: String = handle
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    format!("{alert_id}-{safe}")
}

fn readme(wave: &crate::store::Wave, person: &str, lines: &str, now: DateTime<Utc>) -> String {
    format!(
        "Doppelwatch evidence bundle of a wave\n\
         =====================================\n\n\
         Wave {id}: {count} accounts imitating {name}, found {start} to {last} (UTC).\n\
         Exported {now} (UTC).\n\n\
         wave.json                   the wave and an index of its accounts\n\
         person/                     the person's registered identity and avatar\n\
         accounts/<alert>-<handle>/  one folder per account: case.json (verdict, evidence,\n\
         \x20                           times), reports.json, profile-*.json (every captured\n\
         \x20                           version), avatar-*, posts.json and posts.html\n\
         {manifest}             SHA-256 of every file above\n\n\
         Verify: sha256sum -c {manifest}\n\n\
         Accounts (alert, platform, state, handle):\n{lines}",
        id = wave.id,
        count = wave.count,
        name = super::visible(person, 100),
        start = wave.started_at.format("%Y-%m-%d %H:%M"),
        last = wave.last_alert_at.format("%Y-%m-%d %H:%M"),
        now = now.format("%Y-%m-%d %H:%M:%S"),
        manifest = super::evidence::MANIFEST_NAME,
    )
}

#[cfg(test)]
mod tests {
    use super::folder_name;

    #[test]
    fn a_hostile_handle_names_no_other_folder() {
        assert_eq!(folder_name(7, "../../etc"), "7-.._.._etc");
        assert_eq!(folder_name(8, "a/b\\c\u{202e}d"), "8-a_b_c_d");
        assert_eq!(folder_name(9, "palmer.bsky.social"), "9-palmer.bsky.social");
        assert_eq!(folder_name(1, &"x".repeat(500)).len(), 2 + 64);
    }
}
