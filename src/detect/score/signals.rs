//! Reading each signal of one candidate: avatar, bio, handle, display name, the account's
//! context, false claims, hidden characters, mentions and disclaimers.
//!
//! Each function looks at one signal and says what it found (a strength and the reasons a person
//! reads); none of them decides the verdict ([`super::weigh`] does) and none fetches anything.

use super::{Detector, ELEMENT, NAME_CLAIMS};
use crate::detect::avatar::{self, AvatarFingerprint};
use crate::detect::confusables::{
    describe_char, display_safe, max_combining_run, ordinal, suspicious_hidden_characters,
};
use crate::detect::handles::{compare_handle, HandleForm, HandleKind, HandleMatch};
use crate::detect::names::disguise::Disguise;
use crate::detect::names::{
    check_mark_reason, compare_name, spells_handle, NameForm, NameKind, NameMatch,
};
use crate::detect::text::{affiliation_claims, disclaimers, BioShingles};
use crate::detect::{Reason, Signal};
use crate::profile::Profile;

/// Days after which an account is old enough to be somebody's own long-standing account.
const ESTABLISHED_DAYS: i64 = 2 * 365;
/// Followers from which an old account has an audience of its own.
const ESTABLISHED_FOLLOWERS: u64 = 1_000;
/// Accounts younger than this are fresh (impostors are usually days old).
const FRESH_DAYS: i64 = 30;

/// Appends one reason.
pub(super) fn push(reasons: &mut Vec<Reason>, signal: Signal, detail: String) {
    reasons.push(Reason { signal, detail });
}

/// Account context: age and audience.
pub(super) struct AccountContext {
    pub age_days: Option<i64>,
    pub followers: Option<u64>,
    /// Younger than [`FRESH_DAYS`].
    pub fresh: bool,
    /// Years old with an audience of its own.
    pub established: bool,
}

impl AccountContext {
    pub fn of(profile: &Profile, now: chrono::DateTime<chrono::Utc>) -> AccountContext {
        let age_days = profile.created_at.map(|t| (now - t).num_days());
        let followers = profile.followers;
        AccountContext {
            age_days,
            followers,
            fresh: age_days.is_some_and(|d| d < FRESH_DAYS),
            established: age_days.is_some_and(|d| d >= ESTABLISHED_DAYS)
                && followers.is_some_and(|f| f >= ESTABLISHED_FOLLOWERS),
        }
    }

    /// The age reason: a fresh account, or an established one's years and audience.
    pub fn explain(&self, reasons: &mut Vec<Reason>) {
        match self.age_days {
            Some(d) if d < FRESH_DAYS => push(reasons, Signal::Context, created_phrase(d.max(0))),
            Some(d) if self.established => push(
                reasons,
                Signal::Context,
                format!(
                    "account is {} old with {} followers",
                    years_phrase(d),
                    self.followers.unwrap_or(0)
                ),
            ),
            _ => {}
        }
    }
}

/// A copied element (avatar or bio): its strength (0 when not copied) and the reason to show.
pub(super) struct Copied {
    pub strength: f64,
    pub reason: Option<String>,
}

impl Copied {
    const NONE: Copied = Copied {
        strength: 0.0,
        reason: None,
    };
}

impl Detector {
    /// Avatar: does the candidate's avatar match the person's?
    pub(super) fn avatar_signal(&self, avatar: Option<&AvatarFingerprint>) -> Copied {
        let (Some(reference), Some(candidate)) = (&self.avatar, avatar) else {
            return Copied::NONE;
        };
        let m = avatar::compare(reference, candidate);
        if !m.matched {
            return Copied::NONE;
        }
        let detail = if m.detail.is_empty() {
            format!(
                "avatar matches yours ({:.0}% similar)",
                m.similarity * 100.0
            )
        } else {
            m.detail
        };
        Copied {
            strength: f64::from(m.similarity).clamp(0.8, 1.0),
            reason: Some(detail),
        }
    }

    /// Bio: how much of the candidate's bio (`cand_bio`, plain text) copies the person's.
    pub(super) fn bio_signal(&self, cand_bio: &str) -> Copied {
        let Some(reference) = &self.bio else {
            return Copied::NONE;
        };
        if cand_bio.is_empty() {
            return Copied::NONE;
        }
        let share = reference.copied_share(&BioShingles::new(cand_bio));
        if share >= 0.8 {
            Copied {
                strength: 0.9,
                reason: Some(format!(
                    "bio copies yours ({:.0}% of its wording matches)",
                    share * 100.0
                )),
            }
        } else if share >= 0.55 {
            Copied {
                strength: 0.65,
                reason: Some(format!(
                    "bio nearly copies yours ({:.0}% of its wording matches)",
                    share * 100.0
                )),
            }
        } else {
            Copied::NONE
        }
    }

    /// Handle: the strongest match among the person's handles, or `Err` with the match when the
    /// candidate is one of the person's own accounts.
    pub(super) fn handle_signal(
        &self,
        cand_handle: &HandleForm,
    ) -> Result<Option<HandleMatch>, HandleMatch> {
        let mut best: Option<HandleMatch> = None;
        // Same-platform handles first, so a tie is explained against the handle on that platform.
        let same_platform = self
            .handles
            .iter()
            .filter(|r| r.form.platform == cand_handle.platform);
        let other_platforms = self
            .handles
            .iter()
            .filter(|r| r.form.platform != cand_handle.platform);
        for reference in same_platform.chain(other_platforms) {
            if let Some(m) = compare_handle(cand_handle, reference) {
                if m.kind == HandleKind::Own {
                    return Err(m);
                }
                if best.as_ref().map_or(true, |b| m.strength > b.strength) {
                    best = Some(m);
                }
            }
        }
        Ok(best)
    }

    /// Display name: the strongest match among the person's names, a name that copies the
    /// person's handle, and the name as displayed under a right-to-left override.
    pub(super) fn name_signal(
        &self,
        profile: &Profile,
        cand_name: Option<&NameForm>,
    ) -> Option<NameMatch> {
        let mut best_name: Option<NameMatch> = None;
        if let Some(name) = cand_name {
            for reference in &self.names {
                if let Some(m) = compare_name(name, reference) {
                    if best_name.as_ref().map_or(true, |b| m.strength > b.strength) {
                        best_name = Some(m);
                    }
                }
            }
            // A display name that is the person's handle ("PalmerReport" as a name).
            if best_name.as_ref().map_or(true, |b| b.strength < 0.9) {
                let joined = name.joined();
                if let Some(r) = self
                    .handles
                    .iter()
                    .find(|r| !joined.is_empty() && r.form.bare == joined)
                {
                    best_name = Some(NameMatch {
                        kind: NameKind::CopiesHandle,
                        strength: 0.9,
                        detail: format!(
                            "display name \"{}\" copies your handle {}",
                            display_safe(&name.raw),
                            r.form.handle
                        ),
                        extra_words: vec![],
                        disguise: Disguise::None,
                    });
                }
            }
        }

        // A right-to-left override shows text reversed: "Palmer \u{202E}tropeR" reads
        // "Palmer Report". The name as displayed is compared too.
        if let Some(shown) = profile.display_name.as_deref().and_then(displayed_order) {
            let shown = NameForm::new(&shown);
            for reference in &self.names {
                if let Some(mut m) = compare_name(&shown, reference) {
                    if best_name.as_ref().map_or(true, |b| m.strength > b.strength) {
                        m.detail.push_str(
                            " once displayed (a right-to-left override reverses part of it)",
                        );
                        best_name = Some(m);
                    }
                }
            }
        }
        best_name
    }

    /// Bio mentions of the person: talking about somebody is not impersonating them.
    pub(super) fn explain_mentions(&self, cand_bio: &str, reasons: &mut Vec<Reason>) {
        let lower_bio = cand_bio.to_lowercase();
        if let Some(m) = self.mentions.iter().find(|m| {
            lower_bio.match_indices(m.as_str()).any(|(i, _)| {
                let after = lower_bio[i + m.len()..].chars().next();
                !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        }) {
            push(
                reasons,
                Signal::Context,
                format!("bio mentions you ({m}); talking about you is not impersonation"),
            );
        }
    }

    /// Disclaimers: statements and labels, except words the person uses themselves. Their
    /// `text` is the cleaned name, the bio and the handle's affixes.
    pub(super) fn disclaimers(&self, text: &str, profile: &Profile) -> Vec<String> {
        let mut found: Vec<String> = disclaimers(text)
            .into_iter()
            .filter(|d| !self.own_disclaimers.contains(d))
            .collect();
        for label in &profile.labels {
            let l = label.to_lowercase();
            if ["parody", "satire", "fan", "fan-account", "commentary"].contains(&l.as_str())
                && !found.contains(&l)
            {
                found.push(format!("label {l}"));
            }
        }
        found
    }
}

/// The candidate's handle judged against what else the account shows. Explains and drops the
/// handle match where it is not a copy: a near handle that spells the account's own, different
/// name (a namesake, which also drops a name near only because the handle is); a near handle on
/// an established account of its own; a short neighbour with nothing else copied.
pub(super) struct HandleInContext<'a> {
    pub cand_handle: &'a HandleForm,
    pub cand_name: Option<&'a NameForm>,
    pub cand_bio: &'a str,
    pub context: &'a AccountContext,
    /// Strengths of the copied avatar and bio.
    pub avatar: f64,
    pub bio: f64,
}

impl HandleInContext<'_> {
    pub(super) fn apply(
        &self,
        best_handle: &mut Option<HandleMatch>,
        best_name: &mut Option<NameMatch>,
        reasons: &mut Vec<Reason>,
    ) {
        self.own_name_handle(best_handle, best_name, reasons);
        self.established_own_handle(best_handle, reasons);
        self.short_neighbour(best_handle, best_name.as_ref(), reasons);
    }

    /// A near handle that spells the account's own, different name is a namesake.
    fn own_name_handle(
        &self,
        best_handle: &mut Option<HandleMatch>,
        best_name: &mut Option<NameMatch>,
        reasons: &mut Vec<Reason>,
    ) {
        let (Some(h), Some(name)) = (best_handle.as_ref(), self.cand_name) else {
            return;
        };
        // A look-alike of ordinary letters (`ciaramoreau` for `claramoreau`) on a years-old
        // account with its own audience and bio is how another real name is spelled.
        let plain_lookalike = h.kind == HandleKind::Lookalike
            && self.context.established
            && !self.cand_bio.is_empty()
            && self.bio < ELEMENT
            && self.cand_handle.core.is_ascii();
        let own_name_handle = (h.kind == HandleKind::Near && h.letter_changed)
            || (h.kind == HandleKind::Lookalike && h.sequence_lookalike)
            || plain_lookalike;
        if own_name_handle
            && best_name
                .as_ref()
                .map_or(true, |m| m.strength < ELEMENT || m.kind == NameKind::Near)
            && spells_handle(name, &self.cand_handle.core)
        {
            push(
                reasons,
                Signal::Context,
                format!(
                    "handle {} resembles yours, but its display name \"{}\" spells that handle: \
                     a different name, not a copy of yours",
                    display_safe(&self.cand_handle.handle),
                    display_safe(&name.raw)
                ),
            );
            *best_handle = None;
            // Its name is near yours only because its handle is: that is the namesake.
            if best_name.as_ref().is_some_and(|m| m.kind == NameKind::Near) {
                *best_name = None;
            }
        }
    }

    /// A years-old account with its own audience, its own bio and not your avatar, whose handle
    /// is merely near yours or your username elsewhere (not a look-alike), is somebody else's:
    /// people with the same name pick the same handles.
    fn established_own_handle(
        &self,
        best_handle: &mut Option<HandleMatch>,
        reasons: &mut Vec<Reason>,
    ) {
        let own_bio = !self.cand_bio.is_empty() && self.bio < ELEMENT;
        if self.context.established
            && own_bio
            && self.avatar == 0.0
            && best_handle.as_ref().is_some_and(|m| {
                matches!(
                    m.kind,
                    HandleKind::Near
                        | HandleKind::Separators
                        | HandleKind::Affix
                        | HandleKind::CopiedElsewhere
                )
            })
        {
            if let Some(m) = best_handle.take() {
                push(
                    reasons,
                    Signal::Context,
                    format!(
                        "{}; on an established account of its own this alone is not a copy",
                        m.detail
                    ),
                );
            }
        }
    }

    /// Short handles one edit apart are often two people's own (`kimj` and `kimjh`): such a
    /// neighbour counts only beside a second copied element.
    fn short_neighbour(
        &self,
        best_handle: &mut Option<HandleMatch>,
        best_name: Option<&NameMatch>,
        reasons: &mut Vec<Reason>,
    ) {
        if best_handle.as_ref().is_some_and(|m| m.short_neighbour)
            && !best_name.is_some_and(|m| m.strength >= ELEMENT)
            && self.avatar == 0.0
            && self.bio < ELEMENT
        {
            if let Some(m) = best_handle.take() {
                push(
                    reasons,
                    Signal::Context,
                    format!(
                        "{}; short handles one edit apart are often two people's own, so this \
                         alone is not a copy",
                        m.detail
                    ),
                );
            }
        }
    }
}

/// False claims: the fake verification mark's reason, if any, and the affiliation claims in the
/// cleaned name and bio ("backup account"), with "official", "real" added to the person's name.
pub(super) fn claims(
    cand_name: Option<&NameForm>,
    cand_bio: &str,
    best_name: Option<&NameMatch>,
    reasons: &mut Vec<Reason>,
) -> (Option<String>, Vec<String>) {
    let fake_check = cand_name.and_then(check_mark_reason);
    if let Some(detail) = &fake_check {
        push(reasons, Signal::FakeVerification, detail.clone());
    }
    let claim_text = format!(
        "{} {}",
        cand_name.map_or("", |n| n.cleaned.as_str()),
        cand_bio
    );
    let mut claims = affiliation_claims(&claim_text);
    // "Official", "Real" added to the person's name claim to be the person.
    if let Some(m) = best_name {
        for word in &m.extra_words {
            if NAME_CLAIMS.contains(&word.as_str()) && !claims.iter().any(|c| c.contains(word)) {
                claims.push(word.clone());
            }
        }
    }
    if !claims.is_empty() {
        push(
            reasons,
            Signal::Context,
            format!("profile claims affiliation: \"{}\"", claims.join("\", \"")),
        );
    }
    (fake_check, claims)
}

/// Hidden characters in the handle and the display name; true when any were found.
pub(super) fn hidden_characters(profile: &Profile, reasons: &mut Vec<Reason>) -> bool {
    let mut hidden = false;
    for (what, text) in [
        ("handle", profile.handle.as_str()),
        (
            "display name",
            profile.display_name.as_deref().unwrap_or(""),
        ),
    ] {
        let found = suspicious_hidden_characters(text);
        if let Some((pos, c)) = found.first() {
            hidden = true;
            let more = if found.len() > 1 {
                format!(" and {} more", found.len() - 1)
            } else {
                String::new()
            };
            push(
                reasons,
                Signal::HiddenCharacters,
                format!(
                    "{what} hides {} at the {} character{more}",
                    describe_char(*c),
                    ordinal(*pos)
                ),
            );
        }
        let flood = max_combining_run(text);
        if flood >= 3 {
            hidden = true;
            push(
                reasons,
                Signal::HiddenCharacters,
                format!("{what} stacks {flood} combining marks on one character"),
            );
        }
    }
    hidden
}

/// Moderation labels a platform put on the account (Bluesky labels "impersonation").
pub(super) fn labelled_impersonation(profile: &Profile, reasons: &mut Vec<Reason>) -> bool {
    let labelled = profile
        .labels
        .iter()
        .any(|l| l.to_lowercase().contains("impersonat"));
    if labelled {
        push(
            reasons,
            Signal::Context,
            "the platform's moderation labels this account as impersonation".into(),
        );
    }
    labelled
}

fn created_phrase(d: i64) -> String {
    match d {
        0 => "account was created today".into(),
        1 => "account was created 1 day ago".into(),
        d => format!("account was created {d} days ago"),
    }
}

fn years_phrase(d: i64) -> String {
    let years = d / 365;
    if years == 1 {
        "1 year".into()
    } else {
        format!("{years} years")
    }
}

/// The order in which a name with a right-to-left override (U+202E) is displayed: the text
/// after it, up to a pop (U+202C), an isolate end (U+2069) or a line end, is shown reversed.
/// None when the name has no override. (A simplification of the Unicode bidi algorithm that
/// covers the spoof: Latin letters forced right-to-left.)
fn displayed_order(name: &str) -> Option<String> {
    if !name.contains('\u{202E}') {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut reversed: Vec<char> = Vec::new();
    let mut in_override = false;
    for c in name.chars() {
        match c {
            '\u{202E}' => in_override = true,
            '\u{202C}' | '\u{2069}' | '\n' if in_override => {
                out.extend(reversed.drain(..).rev());
                in_override = false;
            }
            _ if in_override => reversed.push(c),
            _ => out.push(c),
        }
    }
    out.extend(reversed.drain(..).rev());
    Some(out)
}
