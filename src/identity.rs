//! The person being protected: names, real handles per platform, avatar and bio.
//!
//! Input is validated against each platform's handle rules so a typo is caught when the person
//! registers, not silently ignored during a scan. What a platform's handles look like (their
//! shape, what they may hold, the quirks impostors use) is data in [`rules`] that each
//! registered platform supplies and the detector reads through [`Platform::handle_rules`], so
//! the detector names no platform.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod rules;

pub use rules::{Charset, HandleRules, HandleShape, HostedDomain};

/// A social network. Known platforms have their own handle rules, report forms and sources;
/// any other name is kept as [`Platform::Other`] so an identity file can list it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    X,
    Bluesky,
    Mastodon,
    Instagram,
    Threads,
    Youtube,
    Tiktok,
    Github,
    Twitch,
    /// Lowercased name of a platform without dedicated support.
    Other(String),
}

impl Platform {
    /// The stable lowercase name used in JSON and the CLI (`x`, `bluesky`, `mastodon`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Threads => "threads",
            Platform::Youtube => "youtube",
            Platform::Tiktok => "tiktok",
            Platform::Github => "github",
            Platform::Twitch => "twitch",
            Platform::Other(name) => name,
            // Supported platforms name themselves in their module.
            supported => crate::platforms::module(supported).map_or("", |m| m.id()),
        }
    }

    /// Parses a platform name, case-insensitively; `twitter` is X and `bsky` is Bluesky.
    pub fn parse(name: &str) -> Platform {
        if let Some(module) = crate::platforms::by_name(name) {
            return module.platform();
        }
        let lower = name.trim().to_ascii_lowercase();
        match lower.as_str() {
            "instagram" => Platform::Instagram,
            "threads" => Platform::Threads,
            "youtube" => Platform::Youtube,
            "tiktok" => Platform::Tiktok,
            "github" => Platform::Github,
            "twitch" => Platform::Twitch,
            _ => Platform::Other(lower),
        }
    }

    /// The name on screen of a registered platform (`Bluesky`); `None` for the others.
    pub fn display_name(&self) -> Option<&'static str> {
        crate::platforms::module(self).map(|m| m.display_name())
    }

    /// What this platform's handles look like: the registered platform's own rules, or the
    /// generic ones of a platform known only by name.
    pub fn handle_rules(&self) -> HandleRules {
        crate::platforms::module(self)
            .map_or_else(|| rules::unsupported(self), |m| m.handle_rules())
    }

    /// The first registered platform whose handles have `shape`, if any.
    pub fn with_handle_shape(shape: HandleShape) -> Option<Platform> {
        crate::platforms::ALL
            .iter()
            .find(|m| m.handle_rules().shape == shape)
            .map(|m| m.platform())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if name.trim().is_empty() {
            return Err(serde::de::Error::custom("platform must not be empty"));
        }
        Ok(Platform::parse(&name))
    }
}

/// One of the person's real accounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountHandle {
    pub platform: Platform,
    pub handle: String,
}

/// Why a handle is not valid on its platform; the message says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("{platform} handle is empty")]
    Empty { platform: Platform },
    #[error("X handle {handle:?} is not valid: X handles are 1 to 15 letters, digits or underscores (A-Z, a-z, 0-9, _)")]
    X { handle: String },
    #[error("Bluesky handle {handle:?} is not valid: {why}. A Bluesky handle is a domain name such as alice.bsky.social or example.com")]
    Bluesky { handle: String, why: String },
    #[error("Mastodon handle {handle:?} is not valid: {why}. Write it as user@server, e.g. alice@mastodon.social")]
    Mastodon { handle: String, why: String },
    #[error(
        "{platform} handle {handle:?} contains spaces, control characters or a second leading @"
    )]
    Other { platform: Platform, handle: String },
    /// A registered platform's own rules refused it; `rules` says them in words (the module
    /// supplies them, so adding a platform adds no variant here).
    #[error("{platform} handle {handle:?} is not valid: {rules}")]
    Rules {
        platform: Platform,
        handle: String,
        rules: &'static str,
    },
}

/// Checks `handle` against the platform's rules and returns it in canonical form:
/// without a leading `@`, Bluesky lowercased (the service lowercases handles), X and Mastodon
/// with their case kept (it is displayed, and the I/l attack lives in it).
pub fn validate_handle(platform: &Platform, handle: &str) -> Result<String, HandleError> {
    let trimmed = handle.trim();
    // One leading `@` is how people write handles; more than one is never part of a handle,
    // and stripping them all keeps the canonical form a fixed point (found by fuzzing).
    let bare = trimmed.trim_start_matches('@');
    if bare.is_empty() {
        return Err(HandleError::Empty {
            platform: platform.clone(),
        });
    }
    if let Some(module) = crate::platforms::module(platform) {
        return module.validate_handle(bare, handle);
    }
    // A second leading `@` would survive as part of the canonical handle, which then
    // validates to something else (found by the handles fuzz target).
    // Invisible characters (bidi overrides, zero-width) are never part of a real handle
    // and would be quoted raw in reasons (found by the score fuzz target).
    if bare.starts_with('@')
        || bare
            .chars()
            .any(|c| c.is_whitespace() || crate::detect::confusables::is_invisible(c))
    {
        Err(HandleError::Other {
            platform: platform.clone(),
            handle: handle.to_string(),
        })
    } else {
        Ok(bare.to_string())
    }
}

/// Domain-name rules shared by Bluesky handles and Mastodon servers; returns why it fails.
pub(crate) fn check_domain(domain: &str) -> Result<(), String> {
    if domain.len() > 253 {
        return Err("is longer than 253 characters".into());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("needs at least one dot".into());
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err("has an empty or over-long part between dots".into());
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("may only hold letters a-z, digits, hyphens and dots".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("has a part that starts or ends with a hyphen".into());
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("ends in a numeric top-level domain".into());
    }
    Ok(())
}

/// The person: display name and aliases, real handles, avatar and bio.
///
/// This is also the identity JSON of the CLI:
/// `{"name", "aliases"?: [..], "handles": [{"platform", "handle"}], "avatar"?: path, "bio"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub handles: Vec<AccountHandle>,
    /// Path of the avatar image; in an identity file it is relative to that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
}

/// Why an identity cannot be used, naming the field at fault.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read identity file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("identity file {path} is not valid identity JSON: {source}. Expected {{\"name\": .., \"aliases\"?: [..], \"handles\": [{{\"platform\": \"x\", \"handle\": \"..\"}}], \"avatar\"?: \"path\", \"bio\"?: \"..\"}}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("field name: the display name is empty")]
    EmptyName,
    #[error("field aliases[{index}]: the alias is empty")]
    EmptyAlias { index: usize },
    #[error("field handles[{index}]: {source}")]
    Handle { index: usize, source: HandleError },
}

impl Identity {
    /// Checks every field and puts handles in canonical form (see [`validate_handle`]).
    pub fn validated(mut self) -> Result<Identity, IdentityError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            return Err(IdentityError::EmptyName);
        }
        for (index, alias) in self.aliases.iter_mut().enumerate() {
            *alias = alias.trim().to_string();
            if alias.is_empty() {
                return Err(IdentityError::EmptyAlias { index });
            }
        }
        for (index, account) in self.handles.iter_mut().enumerate() {
            account.handle = validate_handle(&account.platform, &account.handle)
                .map_err(|source| IdentityError::Handle { index, source })?;
        }
        Ok(self)
    }

    /// Reads and validates an identity JSON file; a relative avatar path is resolved against
    /// the file's directory.
    pub fn load(path: &Path) -> Result<Identity, IdentityError> {
        let text = read_bounded_text(path, MAX_IDENTITY_FILE_BYTES).map_err(|source| {
            IdentityError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let mut identity: Identity =
            serde_json::from_str(&text).map_err(|source| IdentityError::Parse {
                path: path.to_path_buf(),
                source,
            })?;
        if let Some(avatar) = identity.avatar.take() {
            let base = path.parent().unwrap_or(Path::new("."));
            identity.avatar = Some(if avatar.is_absolute() {
                avatar
            } else {
                base.join(avatar)
            });
        }
        identity.validated()
    }

    /// The person's own handles on `platform`.
    pub fn handles_on<'a>(&'a self, platform: &'a Platform) -> impl Iterator<Item = &'a str> + 'a {
        self.handles
            .iter()
            .filter(move |h| &h.platform == platform)
            .map(|h| h.handle.as_str())
    }

    /// All display names: the name first, then aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Largest identity file read (a real one is a few hundred bytes).
const MAX_IDENTITY_FILE_BYTES: u64 = 1024 * 1024;

/// The text of the regular file at `path`, at most `max` bytes (a FIFO or a device is refused
/// at once, never read: `/dev/zero` or a FIFO without a writer must not hang).
fn read_bounded_text(path: &Path, max: u64) -> std::io::Result<String> {
    crate::files::input::read_regular_text(path, max).map_err(|e| match e {
        crate::files::input::InputError::TooLarge(_) => std::io::Error::other(format!(
            "it is larger than {} KiB; an identity file is a small JSON object",
            max / 1024
        )),
        other => std::io::Error::other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_handles_follow_x_rules() {
        assert_eq!(
            validate_handle(&Platform::X, "@PalmerReport").unwrap(),
            "PalmerReport"
        );
        assert!(validate_handle(&Platform::X, "Palmer.Report").is_err());
        assert!(validate_handle(&Platform::X, "a_very_long_handle_16").is_err());
    }

    #[test]
    fn bluesky_handles_are_lowercased_domains() {
        assert_eq!(
            validate_handle(&Platform::Bluesky, "PalmerReport.bsky.social").unwrap(),
            "palmerreport.bsky.social"
        );
        let err = validate_handle(&Platform::Bluesky, "palmer").unwrap_err();
        assert!(err.to_string().contains("needs at least one dot"), "{err}");
        assert!(validate_handle(&Platform::Bluesky, "-bad.example.com").is_err());
    }

    #[test]
    fn mastodon_handles_need_a_server() {
        assert_eq!(
            validate_handle(&Platform::Mastodon, "@Palmer@Mastodon.Social").unwrap(),
            "Palmer@mastodon.social"
        );
        let err = validate_handle(&Platform::Mastodon, "palmer").unwrap_err();
        assert!(err.to_string().contains("server part is missing"), "{err}");
    }

    #[test]
    fn canonical_handles_are_fixed_points() {
        for platform in [Platform::X, Platform::Other("forum".into())] {
            for raw in ["@@NL~NVN", "@@PalmerReport", "PalmerReport"] {
                if let Ok(once) = validate_handle(&platform, raw) {
                    assert_eq!(validate_handle(&platform, &once).unwrap(), once, "{raw}");
                    assert!(!once.starts_with('@'), "{raw} -> {once}");
                }
            }
        }
    }

    #[test]
    fn identity_errors_name_the_field() {
        let id = Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![
                AccountHandle {
                    platform: Platform::X,
                    handle: "PalmerReport".into(),
                },
                AccountHandle {
                    platform: Platform::X,
                    handle: "bad handle".into(),
                },
            ],
            avatar: None,
            bio: None,
        };
        let err = id.validated().unwrap_err().to_string();
        assert!(err.starts_with("field handles[1]"), "{err}");
    }
}
