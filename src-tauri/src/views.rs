//! Turns the core's alerts, profiles and reports into the shapes the UI shows.

use chrono::{DateTime, Utc};
use doppelwatch::files::input::read_regular;
use doppelwatch::identity::Identity;
use doppelwatch::posts::PostEvidence;
use doppelwatch::profile::Profile;
use doppelwatch::report::{self, ReportDraft};
use doppelwatch::sources::FoundBy;
use doppelwatch::store::{Alert, AlertState, ReportMethod, ReportRecord};

use crate::ipc::{
    AccountView, AlertDetail, AlertRow, AlertStateView, AlertSummary, FollowUpView, OutcomesView,
    OwnProfileView, PlatformOutcomesView, PostView, ReasonView, ReportView, SuggestedHandle,
    WeekView,
};
use crate::marks::handle_marks;
use doppelwatch::app::avatar;
use doppelwatch::app::OnboardingProfile;
use doppelwatch::store::{CaseFigures, CaseOutcome};

/// The core's alert state as the UI names it.
pub fn state_view(state: AlertState) -> AlertStateView {
    match state {
        AlertState::New => AlertStateView::New,
        AlertState::Seen => AlertStateView::Seen,
        AlertState::Reported => AlertStateView::Reported,
        AlertState::Resolved => AlertStateView::Resolved,
        AlertState::Dismissed => AlertStateView::Dismissed,
        AlertState::Allowed => AlertStateView::Allowed,
        AlertState::Snoozed => AlertStateView::Snoozed,
    }
}

/// A line of the inbox.
pub fn summary(alert: &Alert) -> AlertSummary {
    AlertSummary {
        id: alert.id,
        platform: alert.platform.to_string(),
        handle: alert.profile.handle.clone(),
        display_name: alert.profile.display_name.clone(),
        verdict: alert.verdict.as_str().to_string(),
        score: alert.score,
        state: state_view(alert.state),
        first_seen: alert.first_seen.to_rfc3339(),
        snoozed_until: alert.snoozed_until.map(|t| t.to_rfc3339()),
    }
}

/// A line of the alert list (and a tile of the wave grid): the summary, who it is about, the
/// handle with its look-alike characters marked, the account's age and followers.
pub fn row(alert: &Alert, now: DateTime<Utc>) -> AlertRow {
    let person_handle = marks_reference(alert);
    AlertRow {
        summary: summary(alert),
        person_id: alert.identity_id,
        person_name: alert.identity.name.clone(),
        wave_id: alert.wave_id,
        handle_marks: handle_marks(&alert.profile.handle, person_handle.as_deref()),
        age: alert.profile.created_at.map(|t| age_words(t, now)),
        followers: alert.profile.followers,
    }
}

/// How many of the impostor's posts the alert view shows.
const POSTS_SHOWN: usize = 5;

/// One kept post as the alert view shows it.
fn post_view(p: &PostEvidence) -> PostView {
    PostView {
        text: p.post.text.clone(),
        url: p.post.url.clone(),
        links: p.post.links.clone(),
        created_at: p.post.created_at.map(|t| t.to_rfc3339()),
        fetched_at: p.fetched_at.to_rfc3339(),
        flags: p
            .flags
            .iter()
            .map(report::evidence_posts::flag_words)
            .collect(),
        sha256: p.sha256.clone(),
    }
}

/// The alert view: `candidate_avatar` are the impostor's avatar bytes as stored, `posts` its
/// posts kept as evidence (newest first).
pub fn detail(
    alert: &Alert,
    candidate_avatar: Option<Vec<u8>>,
    posts: &[PostEvidence],
    now: DateTime<Utc>,
) -> AlertDetail {
    let person_handle = alert
        .identity
        .handles
        .iter()
        .find(|h| h.platform == alert.platform)
        .map(|h| h.handle.clone());
    AlertDetail {
        summary: summary(alert),
        candidate: candidate_view(
            &alert.profile,
            marks_reference(alert).as_deref(),
            candidate_avatar,
            now,
        ),
        person: person_view(&alert.identity, alert, person_handle),
        reasons: alert
            .reasons
            .iter()
            .map(|r| ReasonView {
                signal: serde_json::to_value(r.signal)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                detail: r.detail.clone(),
            })
            .collect(),
        found_by: found_by_words(alert.found_by.as_ref()),
        posts: posts.iter().take(POSTS_SHOWN).map(post_view).collect(),
    }
}

fn candidate_view(
    profile: &Profile,
    person_handle: Option<&str>,
    avatar_bytes: Option<Vec<u8>>,
    now: DateTime<Utc>,
) -> AccountView {
    AccountView {
        platform: profile.platform.to_string(),
        handle: profile.handle.clone(),
        handle_marks: handle_marks(&profile.handle, person_handle),
        display_name: profile.display_name.clone(),
        bio: profile.bio.clone(),
        created_at: profile.created_at.map(|t| t.to_rfc3339()),
        age: profile.created_at.map(|t| age_words(t, now)),
        followers: profile.followers,
        url: Some(report::profile_url(profile)),
        avatar: avatar_bytes.and_then(|b| avatar::png_data_url(&b).ok()),
    }
}

fn person_view(identity: &Identity, alert: &Alert, handle: Option<String>) -> AccountView {
    let handle = handle.unwrap_or_default();
    let own = Profile {
        platform: alert.platform.clone(),
        handle: handle.clone(),
        ..Profile::default()
    };
    AccountView {
        platform: alert.platform.to_string(),
        handle_marks: handle_marks(&handle, None),
        url: (!handle.is_empty()).then(|| report::profile_url(&own)),
        handle,
        display_name: Some(identity.name.clone()),
        bio: identity.bio.clone(),
        created_at: None,
        age: None,
        followers: None,
        avatar: identity
            .avatar
            .as_ref()
            .and_then(|p| read_regular(p, avatar::MAX_AVATAR_BYTES as u64).ok())
            .and_then(|b| avatar::png_data_url(&b).ok()),
    }
}

/// The person's handle the impostor's handle is marked against (core decides).
fn marks_reference(alert: &Alert) -> Option<String> {
    doppelwatch::app::alert_list::marks_reference(alert)
}

pub use doppelwatch::app::alert_list::age_words;

/// How the account was found, in words.
pub fn found_by_words(found_by: Option<&FoundBy>) -> String {
    match found_by {
        Some(FoundBy::Search { query }) => format!("a search for \"{query}\""),
        Some(FoundBy::Probe { variant }) => format!("a lookup of the look-alike handle {variant}"),
        Some(FoundBy::Directory) => "the directory of new accounts".into(),
        Some(FoundBy::Live) => "the live stream of new profiles".into(),
        None => "a check".into(),
    }
}

/// The report view: the core's draft (or the person's edit of it) and the case status.
pub fn report_view(
    alert: &Alert,
    draft: &ReportDraft,
    edited: Option<&str>,
    reports: &[ReportRecord],
) -> ReportView {
    ReportView {
        alert_id: alert.id,
        platform: draft.platform.to_string(),
        draft: edited
            .map(str::to_string)
            .unwrap_or_else(|| draft.text.clone()),
        form_url: draft.form_url.clone(),
        can_file: draft.api.is_some(),
        case_status: case_status(alert, reports),
    }
}

/// Where the case stands, in words.
pub fn case_status(alert: &Alert, reports: &[ReportRecord]) -> String {
    let last = reports.iter().max_by_key(|r| r.filed_at);
    let filed = last.map(|r| {
        let when = r.filed_at.format("%Y-%m-%d %H:%M UTC");
        match r.method {
            ReportMethod::Api => match &r.remote_id {
                Some(id) => format!(
                    "reported to {} through its API on {when} (report {id})",
                    r.platform
                ),
                None => format!("reported to {} through its API on {when}", r.platform),
            },
            ReportMethod::Form => format!("the official form was opened on {when}"),
        }
    });
    match (alert.state, filed) {
        (AlertState::Resolved, _) => format!(
            "closed: {}",
            alert
                .state_note
                .clone()
                .unwrap_or_else(|| "the account is gone".into())
        ),
        (AlertState::Allowed, _) => "marked as not an impostor".into(),
        (AlertState::Dismissed, _) => "dismissed: raised again if the account changes".into(),
        (AlertState::Snoozed, _) => match alert.snoozed_until {
            Some(until) => format!(
                "snoozed until {}; it comes back sooner if the account changes its name, bio or picture",
                until.format("%Y-%m-%d %H:%M UTC")
            ),
            None => "snoozed".into(),
        },
        (_, Some(f)) => format!("{f}; Doppelwatch re-checks the account until it is gone"),
        (_, None) => "not reported yet".into(),
    }
}

/// The outcomes' figures as the dashboard shows them (closed-otherwise outcomes as one).
pub fn outcomes(f: &CaseFigures) -> OutcomesView {
    OutcomesView {
        counts: f.counts.clone(),
        platforms: f
            .platforms
            .iter()
            .map(|p| PlatformOutcomesView {
                platform: p.platform.to_string(),
                reported: p.reported,
                taken_down: p.taken_down,
                median_days_to_takedown: p.median_days_to_takedown,
            })
            .collect(),
        weeks: f
            .weeks
            .iter()
            .map(|w| {
                let n = |o: CaseOutcome| w.counts.get(&o).copied().unwrap_or(0);
                WeekView {
                    week: w.week.clone(),
                    starts: w.starts.clone(),
                    open: n(CaseOutcome::Open),
                    reported: n(CaseOutcome::Reported),
                    taken_down: n(CaseOutcome::TakenDown),
                    closed: n(CaseOutcome::Gone)
                        + n(CaseOutcome::Renamed)
                        + n(CaseOutcome::Dismissed)
                        + n(CaseOutcome::Allowed),
                    total: w.total,
                }
            })
            .collect(),
    }
}

/// A follow-up draft for the alert view.
pub fn follow_up(draft: ReportDraft) -> FollowUpView {
    FollowUpView {
        subject: draft.subject,
        text: draft.text,
        form_url: draft.form_url,
    }
}

/// What onboarding fills from the person's own profile.
pub fn own_profile(own: OnboardingProfile) -> OwnProfileView {
    OwnProfileView {
        platform: own.platform.to_string(),
        handle: own.handle,
        name: own.name,
        bio: own.bio,
        avatar: own.avatar,
        avatar_problem: own.avatar_problem,
        suggestions: own
            .suggestions
            .into_iter()
            .map(|s| SuggestedHandle {
                platform: s.platform.to_string(),
                handle: s.handle,
                found_in: s.found_in,
                verified: s.verified,
            })
            .collect(),
    }
}

/// A batch of reports as the window shows it; `refused` are the alerts left out when it was
/// queued, with why.
pub fn report_batch(
    batch: &doppelwatch::store::Batch,
    refused: &[(i64, String)],
) -> crate::ipc::ReportBatchView {
    use doppelwatch::store::QueueState as S;
    let count = |state| u32::try_from(batch.count(state)).unwrap_or(u32::MAX);
    let notes = refused
        .iter()
        .map(|(id, why)| format!("alert {id} left out: {why}"))
        .chain(
            batch
                .entries
                .iter()
                .filter(|e| matches!(e.state, S::Failed | S::Skipped | S::Uncertain))
                .map(|e| format!("alert {}: {}", e.alert_id, e.note.as_deref().unwrap_or(""))),
        )
        .collect();
    crate::ipc::ReportBatchView {
        id: batch.id,
        send_after: batch.send_after.to_rfc3339(),
        queued: count(S::Queued),
        sending: count(S::Sending),
        sent: count(S::Sent),
        failed: count(S::Failed),
        cancelled: count(S::Cancelled),
        skipped: count(S::Skipped),
        uncertain: count(S::Uncertain),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        let now = Utc::now();
        assert_eq!(age_words(now - chrono::Duration::days(1), now), "1 day old");
        assert_eq!(
            age_words(now - chrono::Duration::hours(5), now),
            "5 hours old"
        );
        assert_eq!(
            age_words(now - chrono::Duration::days(900), now),
            "2 years old"
        );
    }
}
