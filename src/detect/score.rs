//! Weighing the signals into a verdict.
//!
//! The weighing follows how platforms judge impersonation (X's policy asks for two copied
//! identity elements): the *copied elements* are the handle, the display name, the avatar and the
//! bio. Two of them make an impostor; so does a look-alike handle on its own (nobody types a
//! Cyrillic `а` or a capital `I` for `l` by accident), or one copied element plus a false claim
//! (a fake check mark, "my backup account"). One copied element is worth a look, except a shared
//! name on an established account, which is a namesake. Parody, fan and "not affiliated"
//! statements lower the verdict by one step and are shown. The person's own accounts are never
//! alerts.

use chrono::{DateTime, Utc};

use super::avatar::{self, AvatarFingerprint};
use super::confusables::{
    describe_char, display_safe, max_combining_run, ordinal, suspicious_hidden_characters,
};
use super::handles::{compare_handle, handle_form, HandleKind, HandleMatch, ReferenceHandle};
use super::names::disguise::Disguise;
use super::names::{check_mark_reason, compare_name, spells_handle, NameForm, NameKind, NameMatch};
use super::text::{affiliation_claims, disclaimers, strip_html, BioShingles};
use super::{Assessment, Reason, Signal, Verdict};
use crate::identity::Identity;
use crate::profile::Profile;

/// A copied element counts towards the verdict from this strength on.
const ELEMENT: f64 = 0.6;
/// Days after which an account is old enough to be somebody's own long-standing account.
const ESTABLISHED_DAYS: i64 = 2 * 365;
/// Followers from which an old account has an audience of its own.
const ESTABLISHED_FOLLOWERS: u64 = 1_000;
/// Accounts younger than this are fresh (impostors are usually days old).
const FRESH_DAYS: i64 = 30;

/// Words added to a copied name that claim to be the person.
const NAME_CLAIMS: &[&str] = &["official", "real", "verified", "backup", "original"];

/// A detector prepared for one identity; cheap to call for many candidates.
#[derive(Debug, Clone)]
pub struct Detector {
    identity: Identity,
    avatar: Option<AvatarFingerprint>,
    handles: Vec<ReferenceHandle>,
    names: Vec<NameForm>,
    bio: Option<BioShingles>,
    /// Disclaimer words the person uses themselves ("commentary"), which a copied bio repeats.
    own_disclaimers: Vec<String>,
    /// `@handle` forms (lowercase) a bio uses to mention the person.
    mentions: Vec<String>,
}

impl Detector {
    /// Prepares the detector for `identity`, with the fingerprint of its avatar if known.
    pub fn new(identity: Identity, avatar: Option<AvatarFingerprint>) -> Detector {
        let handles: Vec<ReferenceHandle> = identity
            .handles
            .iter()
            .map(|h| ReferenceHandle::new(&h.platform, &h.handle))
            .collect();
        let names = identity.names().map(NameForm::new).collect();
        let bio = identity.bio.as_deref().map(BioShingles::new);
        let mut own_text = identity.names().collect::<Vec<_>>().join(" ");
        if let Some(bio) = &identity.bio {
            own_text.push(' ');
            own_text.push_str(&strip_html(bio));
        }
        let own_disclaimers = disclaimers(&own_text);
        let mut mentions: Vec<String> = Vec::new();
        for h in &handles {
            for m in [
                format!("@{}", h.form.handle.to_lowercase()),
                format!("@{}", h.form.core.to_lowercase()),
            ] {
                if !mentions.contains(&m) {
                    mentions.push(m);
                }
            }
        }
        Detector {
            identity,
            avatar,
            handles,
            names,
            bio,
            own_disclaimers,
            mentions,
        }
    }

    /// The identity this detector protects.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Judges one candidate. `avatar` is the candidate's avatar fingerprint when it was fetched;
    /// `now` dates the account age.
    pub fn assess(
        &self,
        profile: &Profile,
        avatar: Option<&AvatarFingerprint>,
        now: DateTime<Utc>,
    ) -> Assessment {
        let mut reasons: Vec<Reason> = Vec::new();
        let mut push = |signal: Signal, detail: String| reasons.push(Reason { signal, detail });

        // Account context: age and audience.
        let age_days = profile.created_at.map(|t| (now - t).num_days());
        let followers = profile.followers;
        let fresh = age_days.is_some_and(|d| d < FRESH_DAYS);
        let established = age_days.is_some_and(|d| d >= ESTABLISHED_DAYS)
            && followers.is_some_and(|f| f >= ESTABLISHED_FOLLOWERS);

        // Avatar.
        let mut a = 0.0;
        let mut avatar_reason = None;
        if let (Some(reference), Some(candidate)) = (&self.avatar, avatar) {
            let m = avatar::compare(reference, candidate);
            if m.matched {
                a = f64::from(m.similarity).clamp(0.8, 1.0);
                let detail = if m.detail.is_empty() {
                    format!(
                        "avatar matches yours ({:.0}% similar)",
                        m.similarity * 100.0
                    )
                } else {
                    m.detail
                };
                avatar_reason = Some(detail);
            }
        }

        // Bio.
        let cand_bio = profile.bio.as_deref().map(strip_html).unwrap_or_default();
        let mut b = 0.0;
        let mut bio_reason = None;
        if let Some(reference) = &self.bio {
            if !cand_bio.is_empty() {
                let share = reference.copied_share(&BioShingles::new(&cand_bio));
                if share >= 0.8 {
                    b = 0.9;
                    bio_reason = Some(format!(
                        "bio copies yours ({:.0}% of its wording matches)",
                        share * 100.0
                    ));
                } else if share >= 0.55 {
                    b = 0.65;
                    bio_reason = Some(format!(
                        "bio nearly copies yours ({:.0}% of its wording matches)",
                        share * 100.0
                    ));
                }
            }
        }

        // Handle.
        let cand_handle = handle_form(&profile.platform, &profile.handle);
        let mut best_handle: Option<HandleMatch> = None;
        // Same-platform handles first, so a tie is explained against the handle on that platform.
        let same_platform = self
            .handles
            .iter()
            .filter(|r| r.form.platform == profile.platform);
        let other_platforms = self
            .handles
            .iter()
            .filter(|r| r.form.platform != profile.platform);
        for reference in same_platform.chain(other_platforms) {
            if let Some(m) = compare_handle(&cand_handle, reference) {
                if m.kind == HandleKind::Own {
                    return Assessment {
                        verdict: Verdict::Clear,
                        score: 0.0,
                        reasons: vec![Reason {
                            signal: Signal::OwnAccount,
                            detail: m.detail,
                        }],
                    };
                }
                if best_handle.as_ref().is_none_or_weaker(&m) {
                    best_handle = Some(m);
                }
            }
        }

        // Display name.
        let cand_name = profile.display_name.as_deref().map(NameForm::new);
        let mut best_name: Option<NameMatch> = None;
        if let Some(name) = &cand_name {
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

        // A near handle that spells the account's own, different name is a namesake.
        if let (Some(h), Some(name)) = (&best_handle, &cand_name) {
            // A look-alike of ordinary letters (`ciaramoreau` for `claramoreau`) on a years-old
            // account with its own audience and bio is how another real name is spelled.
            let plain_lookalike = h.kind == HandleKind::Lookalike
                && established
                && !cand_bio.is_empty()
                && b < ELEMENT
                && cand_handle.core.is_ascii();
            let own_name_handle = (h.kind == HandleKind::Near && h.letter_changed)
                || (h.kind == HandleKind::Lookalike && h.sequence_lookalike)
                || plain_lookalike;
            if own_name_handle
                && best_name
                    .as_ref()
                    .map_or(true, |m| m.strength < ELEMENT || m.kind == NameKind::Near)
                && spells_handle(name, &cand_handle.core)
            {
                push(
                    Signal::Context,
                    format!(
                        "handle {} resembles yours, but its display name \"{}\" spells that handle: \
                         a different name, not a copy of yours",
                        display_safe(&cand_handle.handle),
                        display_safe(&name.raw)
                    ),
                );
                best_handle = None;
                // Its name is near yours only because its handle is: that is the namesake.
                if best_name.as_ref().is_some_and(|m| m.kind == NameKind::Near) {
                    best_name = None;
                }
            }
        }

        // A years-old account with its own audience, its own bio and not your avatar, whose handle
        // is merely near yours or your username elsewhere (not a look-alike), is somebody else's:
        // people with the same name pick the same handles.
        let own_bio = !cand_bio.is_empty() && b < ELEMENT;
        if established
            && own_bio
            && a == 0.0
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
                    Signal::Context,
                    format!(
                        "{}; on an established account of its own this alone is not a copy",
                        m.detail
                    ),
                );
            }
        }
        // Short handles one edit apart are often two people's own (`kimj` and `kimjh`): such a
        // neighbour counts only beside a second copied element.
        if best_handle.as_ref().is_some_and(|m| m.short_neighbour)
            && !best_name.as_ref().is_some_and(|m| m.strength >= ELEMENT)
            && a == 0.0
            && b < ELEMENT
        {
            if let Some(m) = best_handle.take() {
                push(
                    Signal::Context,
                    format!(
                        "{}; short handles one edit apart are often two people's own, so this \
                         alone is not a copy",
                        m.detail
                    ),
                );
            }
        }
        let h = best_handle.as_ref().map_or(0.0, |m| m.strength);
        let lookalike_handle = best_handle
            .as_ref()
            .is_some_and(|m| m.kind == HandleKind::Lookalike);
        // A long handle with a typing slip of yours (a letter added, dropped, doubled, swapped
        // or replaced inside a word: `AlannTudgeMP`) is squatted: nobody's own name is spelled
        // so. A different initial or one word respelled may be another person's name
        // (`MikeKaneMP`, `MikeLakeMP`): worth a look, not an alarm.
        let typo_handle = best_handle
            .as_ref()
            .is_some_and(|m| m.kind == HandleKind::Near && m.typo && !m.short_neighbour);
        if let Some(m) = &best_handle {
            let signal = if m.kind == HandleKind::Lookalike {
                Signal::ConfusableHandle
            } else {
                Signal::NearHandle
            };
            push(signal, m.detail.clone());
        }
        let mut n = best_name.as_ref().map_or(0.0, |m| m.strength);
        // Your name with words of its own added ("Sophie Draycott | Journalist") is weak alone,
        // but beside a copied bio it is part of the same copy: a second element.
        if b >= 0.9
            && best_name
                .as_ref()
                .is_some_and(|m| m.kind == NameKind::ExtraWords)
        {
            n = n.max(ELEMENT);
        }
        if let Some(m) = &best_name {
            push(Signal::DisplayName, m.detail.clone());
        }
        if let Some(detail) = avatar_reason {
            push(Signal::Avatar, detail);
        }
        if let Some(detail) = bio_reason {
            push(Signal::Bio, detail);
        }

        // False claims: fake verification marks and "backup account" talk.
        let fake_check = cand_name.as_ref().and_then(check_mark_reason);
        if let Some(detail) = &fake_check {
            push(Signal::FakeVerification, detail.clone());
        }
        let claim_text = format!(
            "{} {}",
            cand_name.as_ref().map_or("", |n| n.cleaned.as_str()),
            cand_bio
        );
        let mut claims = affiliation_claims(&claim_text);
        // "Official", "Real" added to the person's name claim to be the person.
        if let Some(m) = &best_name {
            for word in &m.extra_words {
                if NAME_CLAIMS.contains(&word.as_str()) && !claims.iter().any(|c| c.contains(word))
                {
                    claims.push(word.clone());
                }
            }
        }
        if !claims.is_empty() {
            push(
                Signal::Context,
                format!("profile claims affiliation: \"{}\"", claims.join("\", \"")),
            );
        }

        // Hidden characters.
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
                    Signal::HiddenCharacters,
                    format!("{what} stacks {flood} combining marks on one character"),
                );
            }
        }

        // Context: age and audience.
        match age_days {
            Some(d) if d < FRESH_DAYS => push(Signal::Context, created_phrase(d.max(0))),
            Some(d) if established => push(
                Signal::Context,
                format!(
                    "account is {} old with {} followers",
                    years_phrase(d),
                    followers.unwrap_or(0)
                ),
            ),
            _ => {}
        }

        // Bio mentions of the person.
        let lower_bio = cand_bio.to_lowercase();
        if let Some(m) = self.mentions.iter().find(|m| {
            lower_bio.match_indices(m.as_str()).any(|(i, _)| {
                let after = lower_bio[i + m.len()..].chars().next();
                !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        }) {
            push(
                Signal::Context,
                format!("bio mentions you ({m}); talking about you is not impersonation"),
            );
        }

        // Disclaimers: statements and labels, except words the person uses themselves.
        let disclaimer_text = format!(
            "{} {} {}",
            cand_name.as_ref().map_or("", |n| n.cleaned.as_str()),
            cand_bio,
            best_handle
                .as_ref()
                .map_or(String::new(), |m| m.affixes.join(" "))
        );
        let mut found: Vec<String> = disclaimers(&disclaimer_text)
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
        // Moderation labels a platform put on the account (Bluesky labels "impersonation").
        let labelled_impersonation = profile
            .labels
            .iter()
            .any(|l| l.to_lowercase().contains("impersonat"));
        if labelled_impersonation {
            push(
                Signal::Context,
                "the platform's moderation labels this account as impersonation".into(),
            );
        }
        let disclaimed = !found.is_empty();
        if disclaimed {
            push(
                Signal::Disclaimer,
                format!(
                    "profile says it is not you: \"{}\" (lowers the verdict)",
                    found.join("\", \"")
                ),
            );
        }

        // Verdict.
        let copies = [h >= ELEMENT, n >= ELEMENT, a > 0.0, b >= ELEMENT]
            .iter()
            .filter(|x| **x)
            .count();
        let name_only = copies == 1 && n >= ELEMENT;
        // A display name spelled with letters no namesake would type (another script's
        // look-alikes, a special letter for a different one, hidden characters) is disguised on
        // purpose, whatever the account's age: an old account so renamed has been repurposed.
        // Ordinary letters that read alike (`Clara` for `Dara`) and styled forms of the same
        // letters only on a fresh account.
        let name_text = profile.display_name.as_deref().unwrap_or("");
        let disguised_name = best_name.as_ref().is_some_and(|m| {
            m.disguise == Disguise::Deliberate
                || (m.disguise == Disguise::Weak && !established)
                || (m.kind == NameKind::Lookalike && !established)
                || (m.strength >= ELEMENT
                    && (max_combining_run(name_text) >= 3
                        || !suspicious_hidden_characters(name_text).is_empty()))
        });
        let mut level: u8 = if lookalike_handle || typo_handle || copies >= 2 || disguised_name {
            2
        } else if copies == 1 && fake_check.is_some() {
            // A fake verification mark beside a copied element is a claim no namesake makes.
            2
        } else if copies == 1 && (!claims.is_empty() || labelled_impersonation) {
            if name_only && established {
                1
            } else {
                2
            }
        } else if copies == 1 {
            // The person's name alone, on an account with years and an audience of its own or
            // with a bio of its own saying who it is, is somebody else's name.
            if name_only && (established || bio_of_its_own(&cand_bio, b)) {
                0
            } else {
                1
            }
        } else {
            0
        };
        if name_only && level == 0 {
            let whose = if established {
                "on an established account of its own"
            } else {
                "on an account whose bio is its own"
            };
            push(
                Signal::Context,
                format!("only the name is shared, {whose}: likely a namesake"),
            );
        }
        if disclaimed {
            level = level.saturating_sub(1);
        }

        let weights = [
            h,
            n,
            a * 0.95,
            b,
            if fake_check.is_some() { 0.3 } else { 0.0 },
            if claims.is_empty() { 0.0 } else { 0.3 },
            if hidden { 0.2 } else { 0.0 },
            if fresh { 0.1 } else { 0.0 },
        ];
        let base = 1.0
            - weights
                .iter()
                .fold(1.0, |acc, w| acc * (1.0 - w.clamp(0.0, 1.0)));
        let (verdict, score) = match level {
            2 => (Verdict::Impostor, 0.7 + 0.3 * base),
            1 => (Verdict::Suspicious, 0.4 + 0.29 * base),
            _ => (Verdict::Clear, 0.39 * base),
        };
        Assessment {
            verdict,
            score: (score * 1000.0).round() / 1000.0,
            reasons,
        }
    }
}

/// A bio that says who the account is, in words of its own: three words or more, not copied
/// from the person's (`copied` below [`ELEMENT`]), and no word that claims to be the person
/// ("official", "real", "verified", "backup", "original").
fn bio_of_its_own(bio: &str, copied: f64) -> bool {
    let words = super::text::plain_words(bio);
    copied < ELEMENT && words.len() >= 3 && !words.iter().any(|w| NAME_CLAIMS.contains(&w.as_str()))
}

/// Small helper so "keep the strongest handle match" reads plainly.
trait WeakerThan {
    fn is_none_or_weaker(&self, other: &HandleMatch) -> bool;
}

impl WeakerThan for Option<&HandleMatch> {
    fn is_none_or_weaker(&self, other: &HandleMatch) -> bool {
        match self {
            None => true,
            Some(current) => other.strength > current.strength,
        }
    }
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
