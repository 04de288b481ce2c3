//! Secrets in the OS keychain (`keyring`): the Bluesky app password, Mastodon access tokens and
//! X API keys. They are stored there and nowhere else: never in the SQLite store, the config
//! or logs. [`Secret`] never prints its value (`Debug`/`Display` are redacted), and errors
//! never carry it.
//!
//! Backends: Secret Service over D-Bus on Linux/BSD (gnome-keyring, KeePassXC), the macOS
//! Keychain, the Windows Credential Manager (chosen by `keyring`'s features in Cargo.toml).
//!
//! It never starts anything: on Linux/BSD the keychain is only used through a session bus that
//! already runs (`DBUS_SESSION_BUS_ADDRESS`, or `$XDG_RUNTIME_DIR/bus`). Without one, libdbus
//! would "autolaunch" a bus (and the bus a gnome-keyring) that outlive the command; instead
//! every call fails at once with [`SecretError::NoSessionBus`].

use std::fmt;

/// The keychain service name under which all Doppelwatch secrets are filed.
pub const SERVICE: &str = "org.doppelwatch.Doppelwatch";

/// Which secret: one keychain entry each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretKey {
    /// A Bluesky app password for the person's account `handle` (used to file reports).
    BlueskyAppPassword { handle: String },
    /// A Mastodon access token (scope `write:reports`) for the person's account on `server`.
    MastodonToken { server: String },
    /// The X app bearer token (user lookups).
    XBearerToken,
    /// The X user-context access token (user search).
    XUserToken,
    /// The YouTube Data API key (channel lookups and search).
    YoutubeApiKey,
}

impl SecretKey {
    /// The keychain account name of this entry, e.g. `bluesky-app-password:alice.bsky.social`.
    pub fn account(&self) -> String {
        match self {
            SecretKey::BlueskyAppPassword { handle } => {
                format!("bluesky-app-password:{}", handle.to_ascii_lowercase())
            }
            SecretKey::MastodonToken { server } => {
                format!("mastodon-token:{}", server.to_ascii_lowercase())
            }
            SecretKey::XBearerToken => "x-bearer-token".into(),
            SecretKey::XUserToken => "x-user-token".into(),
            SecretKey::YoutubeApiKey => "youtube-api-key".into(),
        }
    }
}

/// A secret value. It prints as `[redacted]`; read it with [`Secret::expose`] only where it
/// goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret text, for an `Authorization` header or a login body.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why the keychain could not be used; never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the OS keychain is not available ({0}). On Linux start and unlock a Secret Service such as gnome-keyring or KeePassXC; on macOS and Windows it is built in")]
    Unavailable(String),
    #[error("the keychain entry {account} holds data that is not text; delete it and enter the secret again")]
    NotText { account: String },
    #[error("the keychain refused the entry {account}: {why}")]
    Rejected { account: String, why: String },
    #[error("an empty secret cannot be stored for {account}")]
    Empty { account: String },
    #[error("no session D-Bus, so the OS keychain cannot be reached (DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus). Start your desktop session's keyring (log in to the desktop), or run Doppelwatch inside a session bus, e.g. `dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock && doppelwatch ...'`; Doppelwatch never starts a bus or keyring itself")]
    NoSessionBus,
}

/// The keychain, under one service name ([`SERVICE`], or another one for tests).
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain::new()
    }
}

impl Keychain {
    /// The keychain under Doppelwatch's service name.
    pub fn new() -> Keychain {
        Keychain::with_service(SERVICE)
    }

    /// The keychain under another service name (tests keep their entries apart).
    pub fn with_service(service: &str) -> Keychain {
        Keychain {
            service: service.to_string(),
        }
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring::Entry, SecretError> {
        session_bus_running(|name| std::env::var_os(name))?;
        keyring::Entry::new(&self.service, &key.account()).map_err(|e| map_err(e, key))
    }

    /// Stores (or replaces) a secret.
    pub fn set(&self, key: &SecretKey, secret: &Secret) -> Result<(), SecretError> {
        if secret.expose().is_empty() {
            return Err(SecretError::Empty {
                account: key.account(),
            });
        }
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(|e| map_err(e, key))?;
        tracing::info!(account = %key.account(), "secret stored in the keychain");
        Ok(())
    }

    /// Reads a secret; `None` when it was never stored.
    pub fn get(&self, key: &SecretKey) -> Result<Option<Secret>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Secret(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e, key)),
        }
    }

    /// Deletes a secret; returns whether there was one.
    pub fn delete(&self, key: &SecretKey) -> Result<bool, SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_err(e, key)),
        }
    }
}

/// Whether a session bus runs that the Secret Service can be reached on (`env` reads one
/// variable). Linux/BSD only: the other keychains need no bus.
#[cfg(all(unix, not(target_os = "macos")))]
fn session_bus_running(
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<(), SecretError> {
    use std::os::unix::fs::FileTypeExt;
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    if set("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return Ok(());
    }
    // Where systemd-style sessions put the bus; libdbus looks there when the variable is unset.
    let runtime_bus = set("XDG_RUNTIME_DIR").map(|dir| std::path::PathBuf::from(dir).join("bus"));
    match runtime_bus.and_then(|bus| std::fs::metadata(bus).ok()) {
        Some(meta) if meta.file_type().is_socket() => Ok(()),
        _ => Err(SecretError::NoSessionBus),
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn session_bus_running(
    _env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<(), SecretError> {
    Ok(())
}

/// Maps keyring errors to ours without ever copying secret bytes (`BadEncoding` holds them).
fn map_err(error: keyring::Error, key: &SecretKey) -> SecretError {
    let account = key.account();
    match error {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            SecretError::Unavailable(e.to_string())
        }
        keyring::Error::BadEncoding(_) => SecretError::NotText { account },
        keyring::Error::TooLong(what, limit) => SecretError::Rejected {
            account,
            why: format!("{what} is longer than {limit}"),
        },
        keyring::Error::Invalid(what, why) => SecretError::Rejected {
            account,
            why: format!("{what}: {why}"),
        },
        keyring::Error::Ambiguous(_) => SecretError::Rejected {
            account,
            why: "several entries match; delete the duplicates in your keychain app".into(),
        },
        other => SecretError::Unavailable(format!("{other:?}").chars().take(200).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2-app-pass");
        assert_eq!(format!("{s}"), "[redacted]");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2-app-pass");
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn without_a_session_bus_the_keychain_is_not_tried() {
        use std::ffi::OsString;
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().as_os_str().to_os_string();
        let none = |_: &str| None::<OsString>;
        assert!(matches!(
            session_bus_running(none),
            Err(SecretError::NoSessionBus)
        ));
        // A runtime folder without a bus socket is no bus either (a plain file is not one).
        std::fs::write(dir.path().join("bus"), "").unwrap();
        let runtime_only = |name: &str| (name == "XDG_RUNTIME_DIR").then(|| runtime.clone());
        assert!(session_bus_running(runtime_only).is_err());
        let address = |name: &str| {
            (name == "DBUS_SESSION_BUS_ADDRESS").then(|| OsString::from("unix:path=/run/bus"))
        };
        assert!(session_bus_running(address).is_ok());
        std::fs::remove_file(dir.path().join("bus")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("bus")).unwrap();
        assert!(session_bus_running(runtime_only).is_ok());
        let said = SecretError::NoSessionBus.to_string();
        assert!(
            said.starts_with("no session D-Bus") && said.contains("keyring"),
            "{said}"
        );
    }

    #[test]
    fn account_names_are_stable_and_lowercase() {
        let key = SecretKey::BlueskyAppPassword {
            handle: "Alice.BSKY.social".into(),
        };
        assert_eq!(key.account(), "bluesky-app-password:alice.bsky.social");
        assert_eq!(
            SecretKey::MastodonToken {
                server: "Mastodon.Social".into()
            }
            .account(),
            "mastodon-token:mastodon.social"
        );
    }
}
