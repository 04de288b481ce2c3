//! Look-alike handles an impostor could register, most plausible first.

use serde::{Deserialize, Serialize};

use crate::identity::Platform;

/// One look-alike handle and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub handle: String,
    /// The fuzzer that made it: `homoglyph`, `addition`, `omission`, `repetition`,
    /// `transposition`, `separator`, `affix`, `vowel_swap`, `keyboard`, `confusable`, ...
    pub kind: String,
}

/// Look-alike handles of `handle` valid under `platform`'s rules, most plausible first,
/// at most `limit`.
pub fn variants(_platform: &Platform, _handle: &str, _limit: usize) -> Vec<Variant> {
    // TODO(issue 2)
    Vec::new()
}
