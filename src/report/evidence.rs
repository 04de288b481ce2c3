//! The evidence bundle of a case: ONE zip file for a lawyer or the police, holding both
//! profiles as captured (every version of the impostor's profile), the avatars, the reasons,
//! the times, the reports, the impostor's recent posts (JSON and a text-only HTML page, see
//! [`super::evidence_posts`]), and `MANIFEST.sha256` (verify with `sha256sum -c MANIFEST.sha256`).
//!
//! Why zip and not tar: the people who receive it open it with a double click on Windows,
//! macOS and Linux alike; tar needs extra tools on many Windows machines.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::files::output::{write_new_file, OutputError, OutputPolicy};
use crate::store::{Alert, Store, StoreError};

/// The person's avatar is copied into the bundle only below this size.
const MAX_AVATAR_BYTES: u64 = 8 * 1024 * 1024;

/// Name of the checksum file inside the bundle.
pub const MANIFEST_NAME: &str = "MANIFEST.sha256";

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("wave {wave} has {count} accounts, more than one bundle holds ({max}); export its alerts one by one (`doppelwatch export ID FILE`)")]
    WaveTooLarge { wave: i64, count: usize, max: usize },
}

/// What went into a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleSummary {
    pub path: PathBuf,
    /// Every file in the bundle with its SHA-256 (the manifest's lines).
    pub files: Vec<(String, String)>,
    /// SHA-256 of the manifest itself: write it down to prove the bundle was not altered.
    pub manifest_sha256: String,
}

/// Writes the evidence bundle of `alert_id` to `out`, which must not exist yet (see
/// [`export_bundle_with`]).
pub fn export_bundle(
    store: &Store,
    alert_id: i64,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<BundleSummary, EvidenceError> {
    export_bundle_with(store, alert_id, out, now, false)
}

/// Writes the evidence bundle of `alert_id` to `out` through [`crate::files::output`]: an
/// existing file is replaced only when `replace` is set, the database and anything that is not
/// a regular file never; the bundle is written to a private (0600) temporary file in the same
/// folder and renamed into place only when complete. The summary names the absolute path.
pub fn export_bundle_with(
    store: &Store,
    alert_id: i64,
    out: &Path,
    now: DateTime<Utc>,
    replace: bool,
) -> Result<BundleSummary, EvidenceError> {
    let alert = store.alert(alert_id)?;
    let files = collect_files(store, &alert, now)?;
    write_bundle(store, files, out, now, replace)
}

/// Writes `files` and their `MANIFEST.sha256` as one zip at `out` through
/// [`crate::files::output`] (never replacing the database; another file only with `replace`).
pub(super) fn write_bundle(
    store: &Store,
    files: Vec<(String, Vec<u8>)>,
    out: &Path,
    now: DateTime<Utc>,
    replace: bool,
) -> Result<BundleSummary, EvidenceError> {
    let mut manifest = String::new();
    let mut listed = Vec::new();
    for (name, bytes) in &files {
        let sha = hex::encode(Sha256::digest(bytes));
        manifest.push_str(&format!("{sha}  {name}\n"));
        listed.push((name.clone(), sha));
    }
    let manifest_sha256 = hex::encode(Sha256::digest(manifest.as_bytes()));

    let stamp = zip::DateTime::from_date_and_time(
        now.year().clamp(1980, 2107) as u16,
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second().min(58) as u8,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(stamp);
    let policy = OutputPolicy {
        replace,
        protected: vec![store.path().to_path_buf()],
    };
    let path = write_new_file(out, &policy, |file| {
        let mut zip = zip::ZipWriter::new(file);
        for (name, bytes) in files.iter().chain(std::iter::once(&(
            MANIFEST_NAME.to_string(),
            manifest.into_bytes(),
        ))) {
            zip.start_file(name.as_str(), options)
                .map_err(std::io::Error::other)?;
            zip.write_all(bytes)?;
        }
        zip.finish().map_err(std::io::Error::other)?;
        Ok(())
    })?;
    Ok(BundleSummary {
        path,
        files: listed,
        manifest_sha256,
    })
}

fn collect_files(
    store: &Store,
    alert: &Alert,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Vec<u8>)>, EvidenceError> {
    let history_len = store.profile_history(alert.account_id)?.len();
    let mut files = vec![(
        "README.txt".to_string(),
        readme(alert, history_len, now).into_bytes(),
    )];
    files.extend(person_files(alert));
    files.extend(account_files(store, alert, "", "impostor/", now)?);
    Ok(files)
}

/// The person's registered identity and avatar (`person/`).
pub(super) fn person_files(alert: &Alert) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![("person/identity.json".to_string(), pretty(&alert.identity))];
    if let Some(path) = alert.identity.avatar.as_deref() {
        if let Some(bytes) = read_bounded(path) {
            let ext = image_ext(&bytes);
            files.push((format!("person/avatar.{ext}"), bytes));
        }
    }
    files
}

/// One account's case: `case.json` and `reports.json` under `case_dir`, its posts, every
/// captured profile version and its avatars under `impostor_dir` (both end with `/` or are
/// empty).
pub(super) fn account_files(
    store: &Store,
    alert: &Alert,
    case_dir: &str,
    impostor_dir: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Vec<u8>)>, EvidenceError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let history = store.profile_history(alert.account_id)?;
    let reports = store.reports_for(alert.id)?;
    files.push((
        format!("{case_dir}case.json"),
        pretty(&case_json(alert, now)),
    ));
    files.push((format!("{case_dir}reports.json"), pretty(&reports)));
    let posts = store.alert_posts(alert.id)?;
    if !posts.is_empty() {
        files.push((
            format!("{impostor_dir}posts.json"),
            super::evidence_posts::posts_json(&posts),
        ));
        files.push((
            format!("{impostor_dir}posts.html"),
            super::evidence_posts::posts_html(alert, &posts, now),
        ));
    }
    let mut avatars_done = std::collections::HashSet::new();
    for (index, version) in history.iter().enumerate() {
        files.push((
            format!("{impostor_dir}profile-{:03}.json", index + 1),
            pretty(version),
        ));
        if let Some(sha) = version.avatar_sha256.as_deref() {
            if avatars_done.insert(sha.to_string()) {
                if let Some(bytes) = store.avatar(sha)? {
                    let ext = image_ext(&bytes);
                    files.push((
                        format!("{impostor_dir}avatar-{}.{ext}", &sha[..12.min(sha.len())]),
                        bytes,
                    ));
                }
            }
        }
    }
    Ok(files)
}

/// The alert as `case.json` holds it: verdict, evidence (reasons) and times.
pub(super) fn case_json(alert: &Alert, now: DateTime<Utc>) -> serde_json::Value {
    json!({
        "alert_id": alert.id,
        "platform": alert.platform,
        "impostor_url": super::profile_url(&alert.profile),
        "verdict": alert.verdict,
        "score": alert.score,
        "reasons": alert.reasons,
        "state": alert.state,
        "state_note": alert.state_note,
        "found_by": alert.found_by,
        "first_seen": alert.first_seen,
        "alert_created_at": alert.created_at,
        "alert_updated_at": alert.updated_at,
        "account_gone_at": alert.gone_at,
        "exported_at": now,
    })
}

fn readme(alert: &Alert, versions: usize, now: DateTime<Utc>) -> String {
    format!(
        "Doppelwatch evidence bundle\n\
         ===========================\n\n\
         Case {id}: {handle} on {platform} impersonating {name}.\n\
         Exported {now} (UTC). First seen {first}.\n\n\
         case.json              the alert: verdict, evidence (reasons) and times\n\
         reports.json           reports filed to the platform\n\
         person/                the person's registered identity and avatar\n\
         impostor/profile-*.json every captured version of the impostor's profile ({versions})\n\
         impostor/avatar-*      the impostor's avatar as downloaded\n\
         impostor/posts.json    its recent posts when they could be read: each post's\n\
         \x20                      canonical JSON, SHA-256, flags and fetch time\n\
         impostor/posts.html    the same posts as a page to read (text only)\n\
         {manifest}        SHA-256 of every file above\n\n\
         Verify: sha256sum -c {manifest}\n",
        id = alert.id,
        handle = super::shown_handle(alert),
        platform = super::platform_name(&alert.platform),
        name = super::visible(&alert.identity.name, 100),
        now = now.format("%Y-%m-%d %H:%M:%S"),
        first = alert.first_seen.format("%Y-%m-%d %H:%M:%S UTC"),
        manifest = MANIFEST_NAME,
    )
}

pub(super) fn pretty<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    crate::files::input::read_regular(path, MAX_AVATAR_BYTES).ok()
}

/// File extension from the image's magic bytes.
fn image_ext(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else if bytes.starts_with(b"GIF8") {
        "gif"
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "webp"
    } else {
        "bin"
    }
}
