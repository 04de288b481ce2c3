//! The person's words to the platform: what the account copies, said in the first person
//! ("my name", "my photo", "a handle one character away from mine"), with the disguised
//! characters named plainly ("capital I in place of lowercase l"), and quotes of the
//! impostor's text cut on grapheme boundaries.
//!
//! It owns only phrasing; it must never judge the account (the detector's reasons say what was
//! copied) and never let the impostor's text act: everything quoted passes through
//! [`super::text::visible`] first.

use unicode_script::UnicodeScript;
use unicode_segmentation::UnicodeSegmentation;

use super::text::{is_hidden, visible};
use crate::detect::Signal;
use crate::posts::{PostEvidence, PostFlag};
use crate::store::Alert;

/// How one character reads in a sentence: "capital I", "lowercase l", "Cyrillic а (U+0430)",
/// "an invisible character (U+200B)".
pub fn describe_char(c: char) -> String {
    match c {
        'A'..='Z' => format!("capital {c}"),
        'a'..='z' => format!("lowercase {c}"),
        '0'..='9' => format!("the digit {c}"),
        '_' => "an underscore".into(),
        '-' => "a hyphen".into(),
        '.' => "a dot".into(),
        ' ' => "a space".into(),
        c if is_hidden(c) => format!("an invisible character (U+{:04X})", c as u32),
        c if c.is_alphanumeric() => format!(
            "{} {c} (U+{:04X})",
            c.script().full_name().replace('_', " "),
            c as u32
        ),
        c => format!("\"{c}\" (U+{:04X})", c as u32),
    }
}

fn describe_run(run: &[char]) -> String {
    match run {
        [] => String::new(),
        [c] => describe_char(*c),
        _ if run.iter().all(|c| c.is_ascii_graphic()) => {
            format!("\"{}\"", run.iter().collect::<String>())
        }
        _ => run
            .iter()
            .map(|c| describe_char(*c))
            .collect::<Vec<_>>()
            .join(" then "),
    }
}

/// How `theirs` differs from `mine`, in words ("capital I in place of lowercase l"), when
/// it differs by a short stretch; `None` when they are the same or too different to say.
pub fn difference(theirs: &str, mine: &str) -> Option<String> {
    difference_runs(theirs, mine).map(|(words, _)| words)
}

/// [`difference`] and the length of the longer differing stretch. Invisible characters are
/// said apart, wherever they are.
fn difference_runs(theirs: &str, mine: &str) -> Option<(String, usize)> {
    let hidden: Vec<String> = theirs
        .chars()
        .filter(|c| is_hidden(*c))
        .take(5)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    let plain: String = theirs.chars().filter(|c| !is_hidden(*c)).collect();
    let visible_part = visible_runs(&plain, mine);
    if hidden.is_empty() {
        return visible_part;
    }
    let added = if hidden.len() == 1 {
        format!("an invisible character ({})", hidden[0])
    } else {
        format!("invisible characters ({})", hidden.join(", "))
    };
    match visible_part {
        Some((words, n)) => Some((format!("{words}, and {added} hidden in it"), n)),
        None if plain == mine => Some((format!("with {added} added"), hidden.len())),
        None => None,
    }
}

/// How `theirs` differs from `mine` by a short stretch of visible characters.
fn visible_runs(theirs: &str, mine: &str) -> Option<(String, usize)> {
    let a: Vec<char> = theirs.chars().take(200).collect();
    let b: Vec<char> = mine.chars().take(200).collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let ours = &a[prefix..a.len() - suffix];
    let yours = &b[prefix..b.len() - suffix];
    let longest = ours.len().max(yours.len());
    if longest == 0 || longest > 4 {
        return None;
    }
    let words = match (ours.is_empty(), yours.is_empty()) {
        (false, false) => format!("{} in place of {}", describe_run(ours), describe_run(yours)),
        (false, true) => format!("with {} added", describe_run(ours)),
        _ => format!("with {} left out", describe_run(yours)),
    };
    Some((words, longest))
}

/// The person's handle on the alert's platform, if they registered one.
fn own_handle(alert: &Alert) -> Option<&str> {
    alert
        .identity
        .handles
        .iter()
        .find(|h| h.platform == alert.platform)
        .map(|h| h.handle.trim_start_matches('@'))
}

/// Which of the person's names the display name imitates most closely, and how it differs.
fn name_trick(alert: &Alert, display: &str) -> Option<String> {
    std::iter::once(&alert.identity.name)
        .chain(&alert.identity.aliases)
        .filter_map(|n| difference(display, n))
        .min_by_key(|d| d.len())
}

/// What the account copies, each in the person's words, most telling first.
pub fn copied_phrases(alert: &Alert) -> Vec<String> {
    let has = |s: Signal| alert.reasons.iter().any(|r| r.signal == s);
    let mut out = Vec::new();
    if has(Signal::DisplayName) {
        let display = alert.profile.display_name.as_deref().unwrap_or_default();
        let trick = name_trick(alert, display);
        out.push(match trick {
            Some(how) if !display.is_empty() => format!(
                "my name, written \"{}\" {}{how}",
                visible(display, 100),
                if how.starts_with("with ") {
                    ""
                } else {
                    "with "
                }
            ),
            _ => "my name".into(),
        });
    }
    if has(Signal::Avatar) {
        out.push("my photo".into());
    }
    if has(Signal::Bio) {
        out.push("my bio".into());
    }
    if has(Signal::ConfusableHandle) || has(Signal::NearHandle) {
        let theirs = alert.profile.handle.trim_start_matches('@');
        out.push(match own_handle(alert) {
            Some(mine) => {
                let mine_shown = visible(mine, 120);
                match difference_runs(theirs, mine) {
                    Some((how, 1)) => {
                        format!("a handle one character away from mine (@{mine_shown}): {how}")
                    }
                    Some((how, _)) => {
                        format!("a handle a few characters away from mine (@{mine_shown}): {how}")
                    }
                    None => format!("a handle made to look like mine (@{mine_shown})"),
                }
            }
            None => "a handle made to look like my name".into(),
        });
    }
    out
}

/// Other tricks worth a moderator's attention, as whole sentences.
pub fn trick_sentences(alert: &Alert) -> Vec<String> {
    let has = |s: Signal| alert.reasons.iter().any(|r| r.signal == s);
    let mut out = Vec::new();
    if has(Signal::HiddenCharacters) {
        out.push(
            "It hides invisible or text-direction characters in its name or handle (shown here as <U+...>).".into(),
        );
    }
    if has(Signal::FakeVerification) {
        out.push("It puts a fake verification mark in its name.".into());
    }
    out
}

/// `text` made visible (see [`visible`]) and cut to at most `budget` characters on a grapheme
/// boundary (with `…` when cut): a hidden character's `<U+XXXX>` is never split.
pub fn quote(text: &str, budget: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for g in flat.graphemes(true) {
        let shown = visible(g, usize::MAX);
        let n = shown.chars().count();
        if used + n + 1 > budget {
            out.push('…');
            return out;
        }
        used += n;
        out.push_str(&shown);
    }
    out
}

/// The posts to quote as examples: flagged ones first, then the latest, at most `max`.
pub fn example_posts(posts: &[PostEvidence], max: usize) -> Vec<&PostEvidence> {
    let mut picked: Vec<&PostEvidence> = posts
        .iter()
        .filter(|p| !p.flags.is_empty() && !p.post.text.trim().is_empty())
        .collect();
    picked.extend(
        posts
            .iter()
            .filter(|p| p.flags.is_empty() && !p.post.text.trim().is_empty()),
    );
    picked.truncate(max);
    picked
}

/// The hashtags the account pushes that the person never uses, across its posts.
pub fn foreign_hashtags(posts: &[PostEvidence]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for p in posts {
        for f in &p.flags {
            if let PostFlag::ForeignHashtags { tags: t, .. } = f {
                for tag in t {
                    if !tags.contains(tag) {
                        tags.push(tag.clone());
                    }
                }
            }
        }
    }
    tags.truncate(5);
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disguised_characters_are_named_plainly() {
        assert_eq!(
            difference("PaImerReport", "PalmerReport").as_deref(),
            Some("capital I in place of lowercase l")
        );
        assert_eq!(
            difference("p\u{0430}lmerreport", "palmerreport").as_deref(),
            Some("Cyrillic \u{0430} (U+0430) in place of lowercase a")
        );
        assert_eq!(
            difference("palmer\u{200B}report", "palmerreport").as_deref(),
            Some("with an invisible character (U+200B) added")
        );
        assert_eq!(
            difference("palrnerreport", "palmerreport").as_deref(),
            Some("\"rn\" in place of lowercase m")
        );
        assert_eq!(difference("same", "same"), None);
        assert_eq!(difference("completely other", "palmer"), None);
    }

    #[test]
    fn quotes_cut_on_graphemes_and_never_split_a_code_point_tag() {
        // "e" + combining acute is one grapheme: never cut between the two.
        let q = quote("cafe\u{0301} cafe\u{0301}", 6);
        assert!(!q.ends_with("e…"), "{q:?}");
        assert_eq!(quote("a\u{202E}b", 100), "a<U+202E>b");
        let q = quote("ab\u{202E}cd", 6);
        assert_eq!(q, "ab…", "the tag is kept whole or left out");
    }
}
