//! The app facade: what a person does with Doppelwatch, in one place for every front end (the
//! desktop commands are thin adapters over [`App`]; the CLI uses the same pieces). It owns
//! who the person is (saved under a stable id: renaming keeps the alerts, at least one real
//! handle), settings validation and saving, which credentials each platform wants (from the
//! platform registry) and storing them, the person's avatar (a bounded thumbnail; fetched from
//! their own profile), report drafts (edits persisted in the store), filing through the
//! platform's filer and recording form reports. Several people (issue 11): [`people`] lists,
//! adds, finds and removes them (the CLI's `people` commands call it too); [`pictures`] keeps
//! each person's own picture (and moves the single avatar of earlier versions to the first).
//! Outcomes (issue 12): [`cases`] lists the cases with their dates, the figures, the CSV
//! export and the follow-up draft of a report unanswered after a week. The alert list
//! ([`alert_list`]): a page of a filtered list at a time, its total and the whole set's ids.
//!
//! It never shows anything or knows about windows, IPC or the watcher process; errors carry a
//! kind ([`ErrorKind`]) and words for the person ([`AppError`], which the desktop commands
//! return as is: it serialises as `{kind, message}`).

pub mod alert_list;
pub mod avatar;
pub mod cases;
mod onboarding;
pub mod people;
mod pictures;
mod reports;
mod settings;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::config::Config;
use crate::identity::{
    validate_handle, AccountHandle, HandleError, Identity, IdentityError, Platform,
};
use crate::platforms;
use crate::secrets::{Keychain, Secret, SecretKey};
use crate::sources::own_profile;
use crate::sources::runner::build_sources;
use crate::store::{IdentityId, Store, StoreError};

pub use onboarding::OnboardingProfile;
pub use reports::ReportCase;
pub use settings::{Settings, CHECK_INTERVAL_MINUTES};

/// What went wrong, for a front end to choose how to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is not valid; the message says which field and what to type instead.
    Invalid,
    /// The alert or identity asked for does not exist.
    NotFound,
    /// Something needed is not there (no identity, a platform off or without an API).
    Unavailable,
    /// The OS keychain refused, or a credential is missing.
    Keychain,
    /// Reading or writing local files failed.
    Io,
    /// A platform could not be reached or refused the request.
    Network,
    /// A bug.
    Internal,
}

/// An error phrased for the person, of the facade and of every desktop command (there named
/// `CommandError`). It crosses IPC as `{ "kind": "invalid", "message": "field name: ..." }`, so
/// the UI branches on `kind` and shows `message` as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CommandError"))]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> AppError {
        AppError {
            kind,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Invalid, message)
    }
    pub fn unavailable(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Unavailable, message)
    }
    pub fn io(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Io, message)
    }
    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::NotFound, message)
    }
    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Internal, message)
    }
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> Self {
        AppError::invalid(e.to_string())
    }
}

impl From<HandleError> for AppError {
    fn from(e: HandleError) -> Self {
        AppError::invalid(e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let kind = match e {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::InvalidTransition { .. } | StoreError::InvalidSnooze { .. } => {
                ErrorKind::Invalid
            }
            _ => ErrorKind::Io,
        };
        AppError::new(kind, e.to_string())
    }
}

/// The result of every facade call.
pub type AppResult<T> = Result<T, AppError>;

/// Secrets a demo uses instead of the keychain when none was typed (the fakes' passwords).
pub type DemoDefault = Box<dyn Fn(&SecretKey) -> Option<&'static str> + Send + Sync>;

/// One person's Doppelwatch: the store, the settings and the keychain.
pub struct App {
    /// Running against the bundled fake platforms: secrets stay in memory, settings unsaved.
    pub demo: bool,
    /// Where the database and the person's avatar live.
    pub data_dir: PathBuf,
    pub store: Arc<Store>,
    keychain: Keychain,
    /// Where settings are saved; `None` in demo mode (nothing is written outside the demo).
    config_path: Option<PathBuf>,
    config: Mutex<Config>,
    demo_secrets: Mutex<HashMap<String, String>>,
    demo_default: Option<DemoDefault>,
}

impl App {
    /// Opens the store in `data_dir` (created if needed) with `config` already resolved.
    pub fn open(data_dir: PathBuf, config: Config, config_path: Option<PathBuf>) -> AppResult<App> {
        crate::files::private::ensure_private_dir(&data_dir).map_err(|e| {
            AppError::io(format!(
                "cannot create data folder {}: {e}",
                data_dir.display()
            ))
        })?;
        let store = Arc::new(Store::open_in(&data_dir)?);
        let app = App {
            demo: false,
            data_dir,
            store,
            keychain: Keychain::new(),
            config_path,
            config: Mutex::new(config),
            demo_secrets: Mutex::new(HashMap::new()),
            demo_default: None,
        };
        // A picture that cannot be moved stays where it was and is still used: say so only.
        if let Err(e) = app.migrate_single_avatar() {
            tracing::warn!("the person's picture stays in the old place: {e}");
        }
        Ok(app)
    }

    /// Demo mode: secrets in memory (with `defaults` for the fakes), settings never written.
    pub fn into_demo(mut self, defaults: DemoDefault) -> App {
        self.demo = true;
        self.config_path = None;
        self.demo_default = Some(defaults);
        self
    }

    /// The core settings as they are now.
    pub fn config(&self) -> Config {
        lock(&self.config).clone()
    }

    /// Changes the settings in memory only (demo mode points the sources at the fakes).
    pub fn set_config(&self, config: Config) {
        *lock(&self.config) = config;
    }

    // --- the person ---

    /// The registered person (the most recently registered identity), with its stable id.
    pub fn identity(&self) -> Option<(IdentityId, Identity)> {
        self.store.identities().ok().and_then(|mut ids| ids.pop())
    }

    /// Validates and keeps the person as typed: blank aliases and handles dropped, each handle
    /// checked against its platform's rules, at least one handle, the avatar picked earlier.
    /// A registered person is changed in place (same id), so a rename keeps their alerts.
    pub fn save_identity(&self, typed: Identity) -> AppResult<(IdentityId, Identity)> {
        let picked = self.avatar_path();
        let registered = self.identity();
        let avatar = if picked.is_file() {
            Some(picked)
        } else {
            registered.as_ref().and_then(|(_, i)| i.avatar.clone())
        };
        let identity = Identity {
            avatar,
            ..people::tidy(typed)
        }
        .validated()
        .map_err(|e| AppError::invalid(e.to_string()))?;
        if identity.handles.is_empty() {
            return Err(AppError::invalid(
                "field handles: add at least one of your real handles so we know what to watch",
            ));
        }
        let id = match registered {
            Some((id, _)) => {
                self.store.update_identity(id, &identity)?;
                id
            }
            None => self.store.upsert_identity(&identity)?,
        };
        let identity = self.adopt_avatar(id, identity)?;
        Ok((id, identity))
    }

    /// Every registered person with their alert counts ([`people::people`]).
    pub fn people(&self) -> AppResult<Vec<people::Person>> {
        people::people(&self.store)
    }

    /// Registers a person as typed (blank fields dropped), or updates the one of the same
    /// name, who keeps their picture ([`people::add_person`]).
    pub fn add_person(&self, typed: Identity) -> AppResult<people::Added> {
        let name = typed.name.trim().to_string();
        let existing = self
            .store
            .identities()?
            .into_iter()
            .find(|(_, known)| known.name == name)
            .and_then(|(_, known)| known.avatar);
        people::add_person(
            &self.store,
            Identity {
                avatar: existing,
                ..people::tidy(typed)
            },
        )
    }

    /// Changes the person `id` as typed (same rules as adding; a rename keeps their alerts and
    /// their picture).
    pub fn update_person(&self, id: IdentityId, typed: Identity) -> AppResult<Identity> {
        let known = self.store.identity(id)?;
        people::update_person(
            &self.store,
            id,
            Identity {
                avatar: known.avatar,
                ..people::tidy(typed)
            },
        )
    }

    /// Removes a person (and their picture); one with alerts only `with_alerts`
    /// ([`people::remove_person`]).
    pub fn remove_person(
        &self,
        name_or_id: &str,
        with_alerts: bool,
    ) -> AppResult<(IdentityId, String, crate::store::PersonAlerts)> {
        let removed = people::remove_person(&self.store, name_or_id, with_alerts)?;
        self.forget_person_avatar(removed.0);
        Ok(removed)
    }

    /// Checks one handle as typed; its canonical form.
    pub fn check_handle(platform: &str, handle: &str) -> AppResult<String> {
        validate_handle(&Platform::parse(platform), handle)
            .map_err(|e| AppError::invalid(e.to_string()))
    }

    /// Where the person's avatar (original bytes, for fingerprinting) is kept.
    pub fn avatar_path(&self) -> PathBuf {
        self.data_dir.join("avatar.img")
    }

    /// Keeps the person's avatar from bytes they picked (or their own profile's); returns its
    /// thumbnail as a PNG data URL. Bytes that are not a readable image are refused.
    pub fn set_avatar(&self, bytes: &[u8]) -> AppResult<String> {
        let url = avatar::png_data_url(bytes).map_err(|e| AppError::invalid(e.to_string()))?;
        write_atomically(&self.avatar_path(), bytes)?;
        Ok(url)
    }

    /// The picture of the person's own profile on `platform`, fetched through that platform's
    /// source (on X a paid read) and kept like a picked file; its thumbnail.
    pub async fn fetch_own_avatar(&self, platform: &str, handle: &str) -> AppResult<String> {
        let platform = Platform::parse(platform);
        let handle =
            validate_handle(&platform, handle).map_err(|e| AppError::invalid(e.to_string()))?;
        let source = self.own_source(&platform, "choose a file instead")?;
        let (_, bytes) = own_profile::own_avatar(source.as_ref(), &handle, &self.config().http)
            .await
            .map_err(|e| AppError::unavailable(e.to_string()))?;
        self.set_avatar(&bytes)
    }

    /// The source that reads the person's own profile on `platform`; `otherwise` says what
    /// to do when there is none.
    fn own_source(
        &self,
        platform: &Platform,
        otherwise: &str,
    ) -> AppResult<Arc<dyn crate::sources::Source>> {
        let config = self.config();
        let secrets = |key: &SecretKey| self.secret(key).ok().flatten();
        let built = build_sources(&config, Some(std::slice::from_ref(platform)), &secrets)
            .map_err(|e| AppError::unavailable(e.to_string()))?;
        built.all.into_iter().next().ok_or_else(|| {
            AppError::unavailable(format!(
                "{platform} is off in the settings or needs credentials: {otherwise}"
            ))
        })
    }

    // --- credentials ---

    /// A secret: from demo memory in demo mode, else from the OS keychain.
    pub fn secret(&self, key: &SecretKey) -> AppResult<Option<Secret>> {
        if self.demo {
            let typed = lock(&self.demo_secrets).get(&key.account()).cloned();
            let default = self.demo_default.as_ref().and_then(|d| d(key));
            return Ok(typed.or(default.map(String::from)).map(Secret::new));
        }
        self.keychain
            .get(key)
            .map_err(|e| AppError::new(ErrorKind::Keychain, e.to_string()))
    }

    /// The credentials the person's accounts can use, per registered platform, and whether
    /// each is stored (never the secrets).
    pub fn credentials(&self) -> Vec<CredentialState> {
        let identity = self.identity().map(|(_, i)| i).unwrap_or_else(|| Identity {
            name: String::new(),
            aliases: Vec::new(),
            handles: Vec::new(),
            avatar: None,
            bio: None,
        });
        platforms::ALL
            .iter()
            .flat_map(|m| {
                m.credentials_for(&identity)
                    .into_iter()
                    .map(move |need| (m.platform(), need))
            })
            .map(|(platform, need)| CredentialState {
                stored: self.secret(&need.key).ok().flatten().is_some(),
                platform,
                what: need.what,
            })
            .collect()
    }

    /// Stores a credential typed for `account` on `platform` in the keychain (in memory in
    /// demo mode).
    pub fn store_credential(&self, platform: &str, account: &str, secret: &str) -> AppResult<()> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(AppError::invalid(
                "the secret is empty: paste the password or token",
            ));
        }
        let platform = Platform::parse(platform);
        let module = platforms::module(&platform)
            .filter(|m| m.credential_form().is_some())
            .ok_or_else(|| {
                AppError::invalid(format!("{platform} has no credentials in Doppelwatch"))
            })?;
        let account = account.trim().trim_start_matches('@').to_ascii_lowercase();
        let key = module.credential_key(&account).map_err(AppError::invalid)?;
        if self.demo {
            lock(&self.demo_secrets).insert(key.account(), secret.to_string());
            return Ok(());
        }
        self.keychain
            .set(&key, &Secret::new(secret))
            .map_err(|e| AppError::new(ErrorKind::Keychain, e.to_string()))
    }
}

/// A credential one of the person's accounts can use, and whether it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialState {
    pub platform: Platform,
    /// What it is, e.g. `app password for alice.bsky.social`.
    pub what: String,
    pub stored: bool,
}

/// The person's handles as typed in a form: `(platform, handle)` pairs into the model.
pub fn handles_from(typed: impl IntoIterator<Item = (String, String)>) -> Vec<AccountHandle> {
    typed
        .into_iter()
        .map(|(platform, handle)| AccountHandle {
            platform: Platform::parse(&platform),
            handle,
        })
        .collect()
}

/// Locks a mutex, going on after a panic elsewhere (the data is plain values).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes `bytes` to `path` through a private (0600) temporary file, created afresh, and a
/// rename, so a crash never leaves a half-written file and the result is private.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(crate::files::private::FILE_MODE);
    }
    options
        .open(&tmp)
        .and_then(|mut file| {
            crate::files::private::restrict_file(&file);
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            AppError::io(format!("cannot write {}: {e}", path.display()))
        })
}
