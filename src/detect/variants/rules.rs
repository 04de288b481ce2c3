//! What each platform accepts in the part of a handle that is varied: length, case, separators
//! and which characters may stand at its edges. It must never make variants itself.

use crate::identity::Platform;

/// What a platform accepts in the part of a handle we vary (X handle, Bluesky first label,
/// Mastodon username, ...).
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    /// Capital letters can be registered (and are displayed as typed).
    pub(super) upper: bool,
    pub(super) min: usize,
    pub(super) max: usize,
    /// Non-alphanumeric ASCII characters allowed.
    pub(super) extra: &'static [u8],
    /// Separators an impostor would insert, preferred first.
    pub(super) seps: &'static [u8],
    /// Non-alphanumeric characters allowed at the start or end.
    pub(super) edge: &'static [u8],
    /// Non-ASCII characters are accepted (then UTS #39 confusables from other scripts apply).
    pub(super) unicode: bool,
}

impl Rules {
    pub(super) fn for_platform(platform: &Platform) -> Rules {
        let base = Rules {
            upper: true,
            min: 1,
            max: 30,
            extra: b"_.-",
            seps: b"_.-",
            edge: b"_",
            unicode: false,
        };
        match platform {
            Platform::X => Rules {
                max: 15,
                extra: b"_",
                seps: b"_",
                ..base
            },
            Platform::Bluesky => Rules {
                upper: false,
                max: 63,
                extra: b"-",
                seps: b"-",
                edge: b"",
                ..base
            },
            // Mastodon's sign-up form takes letters, digits and underscores.
            Platform::Mastodon => Rules {
                extra: b"_",
                seps: b"_",
                ..base
            },
            Platform::Instagram | Platform::Threads => Rules {
                upper: false,
                extra: b"._",
                seps: b"_.",
                ..base
            },
            Platform::Tiktok => Rules {
                upper: false,
                min: 2,
                max: 24,
                extra: b"._",
                seps: b"_.",
                ..base
            },
            Platform::Youtube => Rules { min: 3, ..base },
            Platform::Github => Rules {
                max: 39,
                extra: b"-",
                seps: b"-",
                edge: b"",
                ..base
            },
            Platform::Twitch => Rules {
                min: 4,
                max: 25,
                extra: b"_",
                seps: b"_",
                edge: b"",
                ..base
            },
            Platform::Other(_) => Rules {
                unicode: true,
                ..base
            },
        }
    }

    pub(super) fn allows(&self, s: &[char]) -> bool {
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
