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
//!
//! This module owns the [`Detector`] and the order of the reasons it gives; [`signals`] reads
//! each signal (one function a signal) and [`weigh`] turns what they found into the verdict and
//! score. It must never fetch anything or keep state between candidates: it judges what it is
//! given.

mod signals;
mod weigh;

use chrono::{DateTime, Utc};

use super::avatar::AvatarFingerprint;
use super::handles::{handle_form, HandleKind, ReferenceHandle};
use super::names::{NameForm, NameKind};
use super::text::{disclaimers, strip_html, BioShingles};
use super::{Assessment, Reason, Signal, Verdict};
use crate::identity::Identity;
use crate::profile::Profile;
use signals::{push, AccountContext, HandleInContext};

/// A copied element counts towards the verdict from this strength on.
const ELEMENT: f64 = 0.6;

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
        let context = AccountContext::of(profile, now);
        let avatar = self.avatar_signal(avatar);
        let cand_bio = profile.bio.as_deref().map(strip_html).unwrap_or_default();
        let bio = self.bio_signal(&cand_bio);
        let cand_handle = handle_form(&profile.platform, &profile.handle);
        let mut best_handle = match self.handle_signal(&cand_handle) {
            Ok(best) => best,
            Err(own) => {
                return Assessment {
                    verdict: Verdict::Clear,
                    score: 0.0,
                    reasons: vec![Reason {
                        signal: Signal::OwnAccount,
                        detail: own.detail,
                    }],
                }
            }
        };
        let cand_name = profile.display_name.as_deref().map(NameForm::new);
        let mut best_name = self.name_signal(profile, cand_name.as_ref());
        HandleInContext {
            cand_handle: &cand_handle,
            cand_name: cand_name.as_ref(),
            cand_bio: &cand_bio,
            context: &context,
            avatar: avatar.strength,
            bio: bio.strength,
        }
        .apply(&mut best_handle, &mut best_name, &mut reasons);

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
            push(&mut reasons, signal, m.detail.clone());
        }
        let mut name_strength = best_name.as_ref().map_or(0.0, |m| m.strength);
        // Your name with words of its own added ("Sophie Draycott | Journalist") is weak alone,
        // but beside a copied bio it is part of the same copy: a second element.
        if bio.strength >= 0.9
            && best_name
                .as_ref()
                .is_some_and(|m| m.kind == NameKind::ExtraWords)
        {
            name_strength = name_strength.max(ELEMENT);
        }
        if let Some(m) = &best_name {
            push(&mut reasons, Signal::DisplayName, m.detail.clone());
        }
        if let Some(detail) = avatar.reason {
            push(&mut reasons, Signal::Avatar, detail);
        }
        if let Some(detail) = bio.reason {
            push(&mut reasons, Signal::Bio, detail);
        }

        let (fake_check, claims) = signals::claims(
            cand_name.as_ref(),
            &cand_bio,
            best_name.as_ref(),
            &mut reasons,
        );
        let hidden = signals::hidden_characters(profile, &mut reasons);
        context.explain(&mut reasons);
        self.explain_mentions(&cand_bio, &mut reasons);
        let disclaimer_text = format!(
            "{} {} {}",
            cand_name.as_ref().map_or("", |n| n.cleaned.as_str()),
            cand_bio,
            best_handle
                .as_ref()
                .map_or(String::new(), |m| m.affixes.join(" "))
        );
        let found = self.disclaimers(&disclaimer_text, profile);
        let labelled_impersonation = signals::labelled_impersonation(profile, &mut reasons);
        let disclaimed = !found.is_empty();
        if disclaimed {
            push(
                &mut reasons,
                Signal::Disclaimer,
                format!(
                    "profile says it is not you: \"{}\" (lowers the verdict)",
                    found.join("\", \"")
                ),
            );
        }

        let found = weigh::Found {
            handle: best_handle.as_ref().map_or(0.0, |m| m.strength),
            name: name_strength,
            avatar: avatar.strength,
            bio: bio.strength,
            lookalike_handle,
            typo_handle,
            best_name: best_name.as_ref(),
            name_text: profile.display_name.as_deref().unwrap_or(""),
            cand_bio: &cand_bio,
            context: &context,
            fake_check: fake_check.is_some(),
            claims: !claims.is_empty(),
            labelled_impersonation,
            hidden,
            disclaimed,
        };
        let (verdict, score) = weigh::weigh(&found, &mut reasons);
        Assessment {
            verdict,
            score,
            reasons,
        }
    }
}
