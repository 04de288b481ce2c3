//! Near handles: how a candidate's handle imitates one of the person's handles.
//!
//! Handles are compared by their *core* (the username part: `alice` of `alice@mastodon.social`,
//! `alice` of `alice.bsky.social`, `alice` of the custom domain `alice.com`) so that the same
//! name copied across servers, domains and platforms is seen. Families recognised, strongest
//! first: look-alike characters, the same username elsewhere, added/removed separators, added
//! affixes (`real`, `official`, digits...), and one or two edits (including swapped neighbours).

use super::confusables::{
    align, confusable_skeleton, describe_char, describe_lookalikes, display_safe,
    hidden_characters, is_leet_for, is_mixed_script, letter_scripts, ordinal, Edit,
};
use crate::identity::{HandleShape, Platform};

mod affixes;

use affixes::affixes_around;

/// Most differences one handle reason lists; the rest are counted.
const MAX_LISTED: usize = 6;

/// Separators people add or remove between the words of a handle.
const SEPARATORS: &[char] = &['_', '.', '-'];

/// Words impostors glue to a copied handle. Compared in skeleton form.
pub(crate) const AFFIXES: &[&str] = &[
    "official", "real", "the", "its", "iam", "im", "hq", "news", "tv", "team", "backup", "media",
    "live", "daily", "updates", "account", "fan", "fans", "parody", "com", "net", "org", "x",
    "here", "now", "www", "support", "help", "helpdesk", "care", "service", "services", "customer",
    "info", "global", "staff", "admin", "desk", "press", "app", "1", "2",
];

/// A handle taken apart for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct HandleForm {
    pub platform: Platform,
    /// The handle as given (without a leading `@`), punycode decoded.
    pub handle: String,
    /// The username part, case kept.
    pub core: String,
    /// Mastodon server or Bluesky domain suffix (`bsky.social`, `com`), lowercase.
    pub server: Option<String>,
    /// True for a Bluesky handle under `bsky.social` (as opposed to a custom domain).
    pub hosted: bool,
    /// Look-alike skeleton of the core.
    pub skeleton: String,
    /// Skeleton of the core without separators.
    pub bare: String,
}

/// Splits `handle` on `platform` into its parts; lenient (any text is accepted).
pub fn handle_form(platform: &Platform, handle: &str) -> HandleForm {
    let trimmed = handle.trim();
    let bare_handle: String = trimmed
        .strip_prefix('@')
        .unwrap_or(trimmed)
        .chars()
        .take(256)
        .collect();
    let decoded = decode_punycode(&bare_handle);
    let (core, server, hosted) = if let Some((user, server)) = decoded.split_once('@') {
        (user.to_string(), Some(server.to_lowercase()), false)
    } else if decoded.contains('.') && platform.handle_rules().shape != HandleShape::Username {
        const HOSTED: &str = ".bsky.social";
        let split = decoded.len().checked_sub(HOSTED.len());
        let hosted_user = split
            .filter(|&at| decoded.is_char_boundary(at))
            .filter(|&at| decoded[at..].eq_ignore_ascii_case(HOSTED))
            .map(|at| &decoded[..at]);
        if let Some(user) = hosted_user {
            (user.to_string(), Some("bsky.social".to_string()), true)
        } else {
            match decoded.rsplit_once('.') {
                Some((name, tld)) if !name.is_empty() => {
                    (name.to_string(), Some(tld.to_lowercase()), false)
                }
                _ => (decoded.clone(), None, false),
            }
        }
    } else {
        (decoded.clone(), None, false)
    };
    let skeleton = confusable_skeleton(&core);
    let bare = skeleton
        .chars()
        .filter(|c| !SEPARATORS.contains(c))
        .collect();
    HandleForm {
        platform: platform.clone(),
        handle: decoded,
        core,
        server,
        hosted,
        skeleton,
        bare,
    }
}

/// Decodes `xn--` labels so an IDN homograph is compared by what it displays.
fn decode_punycode(handle: &str) -> String {
    if !handle.to_ascii_lowercase().contains("xn--") {
        return handle.to_string();
    }
    let (user, domain) = match handle.split_once('@') {
        Some((u, d)) => (Some(u), d),
        None => (None, handle),
    };
    let (unicode, result) = idna::domain_to_unicode(domain);
    let domain = if result.is_ok() {
        unicode
    } else {
        domain.to_string()
    };
    match user {
        Some(u) => format!("{u}@{domain}"),
        None => domain,
    }
}

/// What kind of imitation a handle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleKind {
    /// The person's own account.
    Own,
    /// Same look but different characters (homoglyphs, case look-alikes, hidden characters).
    Lookalike,
    /// The same username on another server, domain or platform.
    CopiedElsewhere,
    /// Separators added or removed.
    Separators,
    /// An affix added.
    Affix,
    /// One or two edits.
    Near,
}

/// How a candidate handle imitates one of the person's handles.
#[derive(Debug, Clone, PartialEq)]
pub struct HandleMatch {
    pub kind: HandleKind,
    /// 0..1, how strongly the handle alone points to impersonation.
    pub strength: f64,
    /// The sentence for the person.
    pub detail: String,
    /// True when the difference includes a letter replaced by a visibly different letter, so
    /// the handle may be somebody else's real name (`ParkerReport` for `PalmerReport`).
    pub letter_changed: bool,
    /// True when the difference is a sequence look-alike made of ordinary letters (`rn`/`m`,
    /// `cl`/`d`), which is also how some real names are spelled.
    pub sequence_lookalike: bool,
    /// Affix words found (e.g. `fan`, `parody`), lowercase.
    pub affixes: Vec<String>,
    /// One edit from a short handle (7 characters or fewer): two people's own short handles
    /// are often one letter apart, so this alone is no copy.
    pub short_neighbour: bool,
    /// The edits look like a typing slip of the person's handle (a character added, dropped,
    /// doubled or swapped, a letter replaced inside a word, two slips apart), not like another
    /// name: a different initial (`GBachelay`, `ABachelay`) or one word respelled (`MikeKaneMP`,
    /// `MikeLakeMP`; `jamesberrymp`, `JakeBerryMP`).
    pub typo: bool,
}

/// The person's handle prepared once.
#[derive(Debug, Clone)]
pub struct ReferenceHandle {
    pub form: HandleForm,
}

impl ReferenceHandle {
    pub fn new(platform: &Platform, handle: &str) -> ReferenceHandle {
        ReferenceHandle {
            form: handle_form(platform, handle),
        }
    }
}

/// Compares a candidate handle with one of the person's handles.
pub fn compare_handle(cand: &HandleForm, reference: &ReferenceHandle) -> Option<HandleMatch> {
    let r = &reference.form;
    if cand.core.is_empty() || r.core.is_empty() {
        return None;
    }
    let yours = format!("your {} handle {}", platform_name(&r.platform), r.handle);
    let shown = display_safe(&cand.handle);
    let same_core_text = cand.core.to_lowercase() == r.core.to_lowercase();

    if same_core_text && same_account(cand, r) {
        return Some(HandleMatch {
            kind: HandleKind::Own,
            strength: 0.0,
            detail: format!("this is {yours}, registered as yours"),
            letter_changed: false,
            sequence_lookalike: false,
            short_neighbour: false,
            typo: false,
            affixes: vec![],
        });
    }
    if same_core_text {
        let detail = if cand.platform == r.platform {
            match (cand.platform.handle_rules().shape, cand.hosted, r.hosted) {
                (HandleShape::Domain, true, false) => format!(
                    "handle {shown} copies {yours} (a custom domain) as a bsky.social handle"
                ),
                (HandleShape::Fediverse, _, _) => match &cand.server {
                    Some(server) => format!(
                        "handle {shown} is the same username as {yours}, on another server ({})",
                        display_safe(server)
                    ),
                    None => format!("handle {shown} is the same username as {yours}"),
                },
                _ => format!("handle {shown} is the same name as {yours} under another domain"),
            }
        } else {
            format!(
                "handle {shown} on {} copies {yours}",
                platform_name(&cand.platform)
            )
        };
        return Some(HandleMatch {
            kind: HandleKind::CopiedElsewhere,
            strength: 0.9,
            detail,
            letter_changed: false,
            sequence_lookalike: false,
            short_neighbour: false,
            typo: false,
            affixes: vec![],
        });
    }
    if cand.skeleton == r.skeleton {
        let mut parts = describe_lookalikes(&cand.core, &r.core);
        for (pos, c) in hidden_characters(&cand.core) {
            parts.push(format!(
                "hides {} at the {} character",
                describe_char(c),
                ordinal(pos)
            ));
        }
        if is_mixed_script(&cand.core) {
            let scripts: Vec<&str> = letter_scripts(&cand.core)
                .iter()
                .map(|s| s.full_name())
                .collect();
            parts.push(format!("mixes {} letters", scripts.join(" and ")));
        }
        if parts.is_empty() {
            parts.push("differs only in characters that look alike".into());
        }
        // A reason is read by a person: a handle stuffed with hidden characters must not make
        // it endless (found by the score fuzz target).
        if parts.len() > MAX_LISTED {
            let more = parts.len() - (MAX_LISTED - 1);
            parts.truncate(MAX_LISTED - 1);
            parts.push(format!("and {more} more differences"));
        }
        let sequence_lookalike = sequence_only(&cand.core, &r.core);
        return Some(HandleMatch {
            kind: HandleKind::Lookalike,
            strength: 1.0,
            detail: format!("handle {shown} looks like {yours}: {}", parts.join("; ")),
            letter_changed: false,
            sequence_lookalike,
            short_neighbour: false,
            typo: false,
            affixes: vec![],
        });
    }
    let found = if cand.bare == r.bare && !cand.bare.is_empty() {
        Some(HandleMatch {
            kind: HandleKind::Separators,
            strength: 0.85,
            detail: format!("handle {shown} is {yours} with separators added or removed"),
            letter_changed: false,
            sequence_lookalike: false,
            short_neighbour: false,
            typo: false,
            affixes: vec![],
        })
    } else if let Some((affixes, quoted)) = affixes_around(cand, r) {
        let lookalike = affixes.leet;
        Some(HandleMatch {
            kind: if lookalike {
                HandleKind::Lookalike
            } else {
                HandleKind::Affix
            },
            strength: if lookalike { 1.0 } else { 0.85 },
            detail: format!(
                "handle {shown} is {yours} with {} added{}",
                quoted.join(" and "),
                if lookalike {
                    " and digits written for letters"
                } else {
                    ""
                }
            ),
            letter_changed: false,
            sequence_lookalike: false,
            short_neighbour: false,
            typo: false,
            affixes: affixes.words,
        })
    } else if let Some((affix, kept)) = truncated_copy(cand, r) {
        Some(HandleMatch {
            kind: HandleKind::Affix,
            strength: 0.85,
            detail: format!(
                "handle {shown} is \"{affix}\" plus the first {kept} characters of {yours}, \
                 cut at the platform's 15-character limit"
            ),
            letter_changed: false,
            sequence_lookalike: false,
            short_neighbour: false,
            typo: false,
            affixes: vec![affix.to_string()],
        })
    } else {
        leet(cand, r, &shown, &yours)
            .or_else(|| near_edit(cand, r, &shown, &yours))
            .or_else(|| affix_and_edit(cand, r, &shown, &yours))
    };
    found.map(|m| with_lookalike_intent(m, cand, r))
}

/// The core in plain lowercase without separators (no look-alike folding).
fn plain_bare(form: &HandleForm) -> String {
    form.core
        .to_lowercase()
        .chars()
        .filter(|c| !SEPARATORS.contains(c))
        .collect()
}

/// A bare skeleton with the digits impostors write for letters folded back (`3` -> `e`).
/// (`0` and `1` already fold to `o` and `l` in skeletons.)
fn leet_folded(bare: &str) -> String {
    bare.chars()
        .map(|c| match c {
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            other => other,
        })
        .collect()
}

/// Handles that stop at a length (X's 15 characters, [`crate::identity::HandleRules::cut_at`])
/// cut "Real" + a long handle (`RealGideonAbern` for `GideonAbernathy`): a prefix affix followed
/// by at least 8 leading characters of the person's handle, filling the whole limit. Returns the
/// affix and how many characters were kept.
fn truncated_copy(cand: &HandleForm, r: &HandleForm) -> Option<(&'static str, usize)> {
    if cand.platform.handle_rules().cut_at != Some(cand.core.chars().count()) {
        return None;
    }
    AFFIXES.iter().find_map(|affix| {
        let rest = cand
            .bare
            .strip_prefix(confusable_skeleton(affix).as_str())?;
        let kept = rest.chars().count();
        (kept >= 8 && kept < r.bare.chars().count() && r.bare.starts_with(rest))
            .then_some((*affix, kept))
    })
}

/// A separator, affix or edit *beside* a look-alike character still shows the intent to pass
/// for the person: such a handle counts as a look-alike, with the characters named.
fn with_lookalike_intent(mut m: HandleMatch, cand: &HandleForm, r: &HandleForm) -> HandleMatch {
    if !matches!(
        m.kind,
        HandleKind::Separators | HandleKind::Affix | HandleKind::Near
    ) {
        return m;
    }
    let mut parts = describe_lookalikes(&cand.core, &r.core);
    // A foreign letter in place of one of yours (`ɐ` for `a`) is no typo either: handles are
    // typed in ASCII, so reaching for another script or an IPA letter is deliberate.
    if m.kind == HandleKind::Near {
        if let Some((_, edits)) = align(&cand.core, &r.core) {
            for e in &edits {
                if let Edit::Substitute { cand, reference } = e.edit {
                    if !cand.is_ascii() && cand.is_alphabetic() && reference.is_ascii_alphabetic() {
                        parts.push(format!(
                            "the unusual letter {} where yours has {}, {} character",
                            describe_char(cand),
                            describe_char(reference),
                            ordinal(e.position)
                        ));
                    }
                }
            }
        }
    }
    if parts.is_empty() {
        return m;
    }
    m.kind = HandleKind::Lookalike;
    m.strength = 1.0;
    m.letter_changed = false;
    m.short_neighbour = false;
    if m.detail.contains(" where yours has ") && !m.detail.contains("instead of") {
        // near_edit already named the look-alike characters.
        return m;
    }
    m.detail = format!(
        "{}, and it uses look-alikes: {}",
        m.detail,
        parts.join("; ")
    );
    m
}

/// Digits or symbols written for letters (`tw1tter`, `h4ck3r`), possibly with look-alikes.
fn leet(cand: &HandleForm, r: &HandleForm, shown: &str, yours: &str) -> Option<HandleMatch> {
    let (_, edits) = align(&cand.core, &r.core)?;
    let mut parts = Vec::new();
    let mut any_leet = false;
    for e in &edits {
        match &e.edit {
            Edit::Substitute { cand, reference } if is_leet_for(*cand, *reference) => {
                any_leet = true;
                parts.push(format!(
                    "{} for {} at the {} character",
                    describe_char(*cand),
                    describe_char(*reference),
                    ordinal(e.position)
                ));
            }
            Edit::Lookalike { cand, reference } => parts.push(format!(
                "{} where yours has {}, {} character",
                super::confusables::describe_seq(cand),
                super::confusables::describe_seq(reference),
                ordinal(e.position)
            )),
            _ => return None,
        }
    }
    if !any_leet {
        return None;
    }
    Some(HandleMatch {
        kind: HandleKind::Lookalike,
        strength: 1.0,
        detail: format!(
            "handle {shown} passes for {yours} with look-alike substitutions: {}",
            parts.join("; ")
        ),
        letter_changed: false,
        sequence_lookalike: false,
        short_neighbour: false,
        typo: false,
        affixes: vec![],
    })
}

/// True when the candidate is the registered account itself: same platform, same core, same
/// server or domain (handles are case-insensitive on every supported platform).
fn same_account(cand: &HandleForm, r: &HandleForm) -> bool {
    cand.platform == r.platform
        && cand.hosted == r.hosted
        && match (&cand.server, &r.server) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            // A Mastodon handle without a server is local to a server we cannot see: only the
            // server part can tell it apart, so treat it as the same account only on the same
            // platform with the same username (already checked) and no server on either side.
            _ => false,
        }
}

/// True when every look-alike difference is a letter sequence such as `rn`/`m` or `cl`/`d`.
fn sequence_only(cand: &str, reference: &str) -> bool {
    let Some((_, edits)) = align(cand, reference) else {
        return false;
    };
    let lookalikes: Vec<&Edit> = edits
        .iter()
        .map(|e| &e.edit)
        .filter(|e| matches!(e, Edit::Lookalike { .. }))
        .collect();
    !lookalikes.is_empty()
        && lookalikes.iter().all(|e| match e {
            Edit::Lookalike { cand, reference } => {
                (cand.chars().count() == 2 || reference.chars().count() == 2)
                    && cand.chars().all(|c| c.is_ascii_lowercase())
                    && reference.chars().all(|c| c.is_ascii_lowercase())
            }
            _ => false,
        })
}

/// Most edits a near handle may have from a handle of `len` key characters: none below five,
/// one up to eight, two from nine.
fn max_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The edits from `reference` to `cand` (raw text, separators dropped) when there are between
/// one and `max` of them: the cost, one phrase per edit quoting the candidate's own characters
/// (positions counted from `offset`), and whether a letter was replaced by another letter.
fn describe_edits(cand: &str, reference: &str, max: usize, offset: usize) -> Option<Edits> {
    let strip = |s: &str| -> String { s.chars().filter(|c| !SEPARATORS.contains(c)).collect() };
    let (cost, edits) = align(&strip(cand), &strip(reference))?;
    if cost == 0 || cost > max {
        return None;
    }
    // Where the candidate's words start: its first character, after a separator or a digit,
    // and a capital after a small letter (camel case).
    let mut word_start = Vec::new();
    let mut prev: Option<char> = None;
    for c in cand.chars() {
        if SEPARATORS.contains(&c) {
            prev = None;
            continue;
        }
        word_start.push(match prev {
            None => true,
            Some(p) => {
                p.is_ascii_digit() != c.is_ascii_digit() || (p.is_lowercase() && c.is_uppercase())
            }
        });
        prev = Some(c);
    }
    let positions: Vec<usize> = edits
        .iter()
        .filter(|e| !matches!(e.edit, Edit::Same | Edit::Lookalike { .. }))
        .map(|e| e.position)
        .collect();
    let spread = positions
        .iter()
        .max()
        .zip(positions.iter().min())
        .map_or(0, |(a, b)| a - b);
    let substitutions: Vec<usize> = edits
        .iter()
        .filter(|e| matches!(e.edit, Edit::Substitute { .. }))
        .map(|e| e.position)
        .collect();
    let typo = match (cost, substitutions.as_slice()) {
        (_, []) => true,
        (1, [at]) => !word_start
            .get(at.saturating_sub(1))
            .copied()
            .unwrap_or(true),
        _ => spread >= 4,
    };
    let mut letter_changed = false;
    let mut parts = Vec::new();
    for e in &edits {
        let pos = ordinal(e.position + offset);
        match &e.edit {
            Edit::Same => {}
            Edit::Lookalike { cand, reference } => parts.push(format!(
                "{} where yours has {}, {pos} character",
                super::confusables::describe_seq(cand),
                super::confusables::describe_seq(reference)
            )),
            Edit::Substitute { cand, reference } => {
                if cand.is_alphabetic() && reference.is_alphabetic() {
                    letter_changed = true;
                }
                parts.push(format!(
                    "{} instead of {} at the {pos} character",
                    describe_char(*cand),
                    describe_char(*reference)
                ));
            }
            Edit::Insert { cand } => parts.push(format!(
                "adds {} at the {pos} character",
                describe_char(*cand)
            )),
            Edit::Delete { reference } => parts.push(format!(
                "drops {} before the {pos} character",
                describe_char(*reference)
            )),
            Edit::Transpose { cand } => parts.push(format!(
                "swaps the neighbours {}{} at the {pos} character",
                cand[0], cand[1]
            )),
        }
    }
    Some(Edits {
        cost,
        parts,
        letter_changed,
        typo,
    })
}

/// What [`describe_edits`] found.
struct Edits {
    cost: usize,
    parts: Vec<String>,
    letter_changed: bool,
    typo: bool,
}

/// One or two edits (two only for long handles), swapped neighbours included.
fn near_edit(cand: &HandleForm, r: &HandleForm, shown: &str, yours: &str) -> Option<HandleMatch> {
    let len = r.bare.chars().count();
    let max = max_edits(len);
    if max == 0 || cand.bare.chars().count().abs_diff(len) > max {
        return None;
    }
    let Edits {
        cost,
        parts,
        letter_changed,
        typo,
    } = describe_edits(&cand.core, &r.core, max, 0)?;
    let edits_word = if cost == 1 { "one edit" } else { "two edits" };
    Some(HandleMatch {
        kind: HandleKind::Near,
        strength: if cost == 1 { 0.75 } else { 0.6 },
        detail: format!(
            "handle {shown} is {edits_word} from {yours}: {}",
            parts.join("; ")
        ),
        letter_changed,
        sequence_lookalike: false,
        short_neighbour: cost == 1 && len <= 7,
        typo,
        affixes: vec![],
    })
}

/// An affix beside one edit (`theAlanTudgMP`, `ALPIGHMP_real`): the affix words peeled from
/// either end of the candidate's key leave a handle one edit from yours.
fn affix_and_edit(
    cand: &HandleForm,
    r: &HandleForm,
    shown: &str,
    yours: &str,
) -> Option<HandleMatch> {
    let len = r.bare.chars().count();
    if max_edits(len) == 0 || !cand.bare.is_ascii() || !r.bare.is_ascii() {
        return None;
    }
    let key = cand.bare.as_str();
    let n = key.len();
    let mut starts = vec![(0, None)];
    let mut ends = vec![(n, None)];
    for affix in AFFIXES {
        let sk = confusable_skeleton(affix);
        if n > sk.len() + 4 && key.starts_with(sk.as_str()) {
            starts.push((sk.len(), Some(*affix)));
        }
        if n > sk.len() + 4 && key.ends_with(sk.as_str()) {
            ends.push((n - sk.len(), Some(*affix)));
        }
    }
    // Digits at the end as typed.
    let typed_digits = cand
        .core
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if typed_digits > 0 && typed_digits < n {
        ends.push((n - typed_digits, None));
    }
    // Raw characters by the key offset where each starts (ASCII keys: one byte per unit).
    let fold = |s: &str| -> String {
        confusable_skeleton(s)
            .chars()
            .filter(|c| !SEPARATORS.contains(c))
            .collect()
    };
    let starts_at: Vec<(char, usize)> = cand
        .core
        .char_indices()
        .map(|(i, c)| (c, fold(&cand.core[..i]).len()))
        .collect();
    for &(s, before) in &starts {
        for &(e, after) in &ends {
            if (s == 0 && e == n) || e <= s || (e - s).abs_diff(len) > 1 {
                continue;
            }
            let rest: String = starts_at
                .iter()
                .filter(|(_, at)| (s..e).contains(at))
                .map(|(c, _)| *c)
                .collect();
            let offset = starts_at.iter().filter(|(_, at)| *at < s).count();
            let Some(Edits {
                cost: 1,
                parts,
                letter_changed,
                typo,
            }) = describe_edits(&rest, &r.core, 1, offset)
            else {
                continue;
            };
            let mut added: Vec<String> = Vec::new();
            let raw_of = |range: std::ops::Range<usize>| -> String {
                starts_at
                    .iter()
                    .filter(|(c, at)| range.contains(at) && !SEPARATORS.contains(c))
                    .map(|(c, _)| *c)
                    .collect()
            };
            let mut affixes = Vec::new();
            if s > 0 {
                added.push(format!("\"{}\" in front", display_safe(&raw_of(0..s))));
                affixes.extend(before.map(str::to_string));
            }
            if e < n {
                added.push(format!("\"{}\" at the end", display_safe(&raw_of(e..n))));
                affixes.extend(after.map(str::to_string));
            }
            return Some(HandleMatch {
                kind: HandleKind::Near,
                strength: 0.75,
                detail: format!(
                    "handle {shown} is {yours} with {} added and one edit: {}",
                    added.join(" and "),
                    parts.join("; ")
                ),
                letter_changed,
                sequence_lookalike: false,
                short_neighbour: len <= 7,
                typo,
                affixes,
            });
        }
    }
    None
}

/// Platform name for sentences.
pub fn platform_name(p: &Platform) -> String {
    if let Some(name) = p.display_name() {
        return name.into();
    }
    match p {
        Platform::Instagram => "Instagram".into(),
        Platform::Threads => "Threads".into(),
        Platform::Youtube => "YouTube".into(),
        Platform::Tiktok => "TikTok".into(),
        Platform::Github => "GitHub".into(),
        Platform::Twitch => "Twitch".into(),
        Platform::Other(name) if name.is_empty() => "unknown platform".into(),
        Platform::Other(name) => display_safe(name),
        registered => registered.as_str().into(),
    }
}

#[cfg(test)]
mod tests;
