//! Detection: how much a candidate account copies the person, with evidence a person can read.
//!
//! Each signal lives in its own module and yields [`Reason`]s; [`score`] weighs them into an
//! [`Assessment`]. [`marks`] names the deceptive characters of a handle for highlighting where
//! an alert is shown.

pub mod avatar;
pub mod confusables;
pub mod handles;
pub mod index;
pub mod marks;
pub mod names;
pub mod score;
pub mod text;
pub mod variants;

use serde::{Deserialize, Serialize};

pub use score::Detector;

/// What to do about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Clear of suspicion: a namesake, a fan, an unrelated account.
    Clear,
    /// Worth a look by the person.
    Suspicious,
    /// Copies the person: act (report).
    Impostor,
}

impl Verdict {
    /// Lowercase name as used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clear => "clear",
            Verdict::Suspicious => "suspicious",
            Verdict::Impostor => "impostor",
        }
    }
}

/// The kind of evidence behind a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// The handle is a look-alike of one of the person's handles (confusable characters).
    ConfusableHandle,
    /// The handle is a near edit, affix or separator variant of one of the person's handles.
    NearHandle,
    /// The display name copies the person's name (identical, confusable, reordered, decorated).
    DisplayName,
    /// The bio copies the person's bio.
    Bio,
    /// The avatar matches the person's avatar.
    Avatar,
    /// Hidden or deceptive characters: zero-width, bidi controls, mixed scripts.
    HiddenCharacters,
    /// A fake verification mark in the name.
    FakeVerification,
    /// Account context: age, followers, platform labels.
    Context,
    /// A parody, fan or "not affiliated" statement.
    Disclaimer,
    /// One of the person's own registered accounts.
    OwnAccount,
}

/// One piece of evidence, phrased for the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub signal: Signal,
    pub detail: String,
}

/// The detector's judgement of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub verdict: Verdict,
    /// 0 (nothing copied) to 1 (certain copy).
    pub score: f64,
    pub reasons: Vec<Reason>,
}
