//! What a platform's handles look like, as data the detector reads: how a handle is put
//! together ([`HandleShape`]), what the part people choose may hold ([`Charset`]) and the
//! platform's own quirks an impostor exploits (a free hosting domain, big servers, a length
//! cut). Registered platforms supply theirs ([`crate::platforms::PlatformModule::handle_rules`]);
//! the others known by name get theirs from [`unsupported`]. Pure data: it never does I/O and
//! never makes or judges handles itself.

use super::Platform;

/// How a platform's handles are put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleShape {
    /// A bare username (`PalmerReport`): a dot never separates a domain.
    Username,
    /// A domain name whose first label is the username (`alice.bsky.social`, `alice.com`).
    Domain,
    /// `user@server`.
    Fediverse,
    /// No known structure: a dot may start a domain and an `@` a server.
    Loose,
}

/// What a platform accepts in the part of a handle people choose (X handle, Bluesky first
/// label, Mastodon username, ...): length, case, separators and which characters may stand at
/// its edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charset {
    /// Capital letters can be registered (and are displayed as typed).
    pub upper: bool,
    pub min: usize,
    pub max: usize,
    /// Non-alphanumeric ASCII characters allowed.
    pub extra: &'static [u8],
    /// Separators an impostor would insert, preferred first.
    pub seps: &'static [u8],
    /// Non-alphanumeric characters allowed at the start or end.
    pub edge: &'static [u8],
    /// Non-ASCII characters are accepted (then UTS #39 confusables from other scripts apply).
    pub unicode: bool,
}

impl Charset {
    /// The rules most platforms share: 1 to 30 letters, digits, `_`, `.` and `-`.
    pub const BASE: Charset = Charset {
        upper: true,
        min: 1,
        max: 30,
        extra: b"_.-",
        seps: b"_.-",
        edge: b"_",
        unicode: false,
    };

    /// True when `s` is a name the platform accepts.
    pub fn allows(&self, s: &[char]) -> bool {
        if s.len() < self.min || s.len() > self.max {
            return false;
        }
        let ok_char = |c: char| {
            if c.is_ascii_alphanumeric() {
                self.upper || !c.is_ascii_uppercase()
            } else if c.is_ascii() {
                self.extra.contains(&(c as u8))
            } else {
                self.unicode && !c.is_whitespace() && !c.is_control()
            }
        };
        let edge_ok =
            |c: char| !c.is_ascii() || c.is_ascii_alphanumeric() || self.edge.contains(&(c as u8));
        s.iter().all(|&c| ok_char(c))
            && s.first().is_some_and(|&c| edge_ok(c))
            && s.last().is_some_and(|&c| edge_ok(c))
    }
}

/// A domain where anyone registers `<name>.<suffix>` for free (Bluesky's `bsky.social`): an
/// impostor of a custom-domain handle copies it there first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostedDomain {
    /// The suffix, without the leading dot (`bsky.social`).
    pub suffix: &'static str,
    /// What the hosting accepts before the suffix.
    pub charset: Charset,
    /// The variant kind of a custom domain copied under the suffix (`bsky_social`).
    pub kind: &'static str,
}

/// A platform's handle rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandleRules {
    pub shape: HandleShape,
    /// What the part people choose may hold.
    pub charset: Charset,
    /// The free hosting domain of a [`HandleShape::Domain`] platform, if it has one.
    pub hosted: Option<HostedDomain>,
    /// Big servers where an impostor would register the same username
    /// ([`HandleShape::Fediverse`]), most used first.
    pub big_servers: &'static [&'static str],
    /// Handles stop at this many characters, so `Real` + a long handle gets cut there.
    pub cut_at: Option<usize>,
}

impl HandleRules {
    /// Rules of `shape` with the given charset and no quirks.
    pub const fn new(shape: HandleShape, charset: Charset) -> HandleRules {
        HandleRules {
            shape,
            charset,
            hosted: None,
            big_servers: &[],
            cut_at: None,
        }
    }
}

/// The rules of a platform known by name but without a module (no source, no filer): only
/// what look-alike variants need.
pub(super) fn unsupported(platform: &Platform) -> HandleRules {
    let base = Charset::BASE;
    let charset = match platform {
        Platform::Instagram | Platform::Threads => Charset {
            upper: false,
            extra: b"._",
            seps: b"_.",
            ..base
        },
        Platform::Tiktok => Charset {
            upper: false,
            min: 2,
            max: 24,
            extra: b"._",
            seps: b"_.",
            ..base
        },
        Platform::Youtube => Charset { min: 3, ..base },
        Platform::Github => Charset {
            max: 39,
            extra: b"-",
            seps: b"-",
            edge: b"",
            ..base
        },
        Platform::Twitch => Charset {
            min: 4,
            max: 25,
            extra: b"_",
            seps: b"_",
            edge: b"",
            ..base
        },
        // A platform we know nothing about may hold any visible character.
        _ => Charset {
            unicode: true,
            ..base
        },
    };
    HandleRules::new(HandleShape::Loose, charset)
}
