//! The follow-up to a report the platform has not acted on (issue 12): once an account is
//! still up [`FOLLOW_UP_AFTER_DAYS`] days after its first report, the person is offered a
//! draft, in their own voice, that cites that report (its date, what was reported, how, and
//! the platform's reference when it gave one) and asks again.
//!
//! It only writes words: it never files, records or changes anything (the draft has no `api`:
//! the person sends it; its text stays within the platform's report API limit all the same). Everything the impostor
//! wrote passes through [`visible`] like in every draft.

use chrono::{DateTime, Duration, Utc};

use super::text::{copied_elements, join_words, platform_name, shown_handle, visible};
use super::{DraftField, ReportDraft};
use crate::store::{Alert, AlertState, ReportMethod, ReportRecord, FOLLOW_UP_AFTER_DAYS};

/// Why no follow-up is offered (yet), in words that say when one will be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    #[error("alert {id} has not been reported yet: report it first (`doppelwatch report {id}`)")]
    NotReported { id: i64 },
    #[error("alert {id} is closed ({state}): there is nothing to follow up")]
    Closed { id: i64, state: AlertState },
    #[error("alert {id} was reported on {reported} ({days} day(s) ago); a follow-up is offered once the account is still up {FOLLOW_UP_AFTER_DAYS} days after the report, from {due}")]
    NotDue {
        id: i64,
        reported: String,
        days: i64,
        due: String,
    },
}

/// The follow-up draft of `alert`, whose reports are `reports` (oldest first), at `now`.
pub fn follow_up_draft(
    alert: &Alert,
    reports: &[ReportRecord],
    now: DateTime<Utc>,
) -> Result<ReportDraft, FollowUpError> {
    let id = alert.id;
    let first = reports.first().ok_or(FollowUpError::NotReported { id })?;
    if alert.state != AlertState::Reported || alert.gone_at.is_some() {
        return Err(FollowUpError::Closed {
            id,
            state: alert.state,
        });
    }
    let days = (now - first.filed_at).num_days();
    if days < FOLLOW_UP_AFTER_DAYS {
        return Err(FollowUpError::NotDue {
            id,
            reported: day(first.filed_at),
            days: days.max(0),
            due: day(first.filed_at + Duration::days(FOLLOW_UP_AFTER_DAYS)),
        });
    }
    let mut draft = super::draft(alert, Some(&first.platform));
    let text = follow_up_text(alert, first, &draft.impostor_url, days);
    let limit = crate::platforms::module(&draft.platform)
        .and_then(|m| m.report_api())
        .filter(|_| draft.api.is_some())
        .map(|(_, limit)| limit);
    draft.text = match limit {
        Some(limit) => text.chars().take(limit).collect(),
        None => text,
    };
    // Sent by the person through the platform's form or in-app report, never filed here.
    draft.api = None;
    draft.subject = format!(
        "Follow-up: {} on {} still impersonates me, {days} days after my report of {}",
        shown_handle(alert),
        platform_name(&alert.platform),
        day(first.filed_at)
    );
    draft.fields = vec![
        DraftField {
            label: "Account to report".into(),
            value: draft.impostor_url.clone(),
        },
        DraftField {
            label: "First report".into(),
            value: first_report_words(first),
        },
        DraftField {
            label: "Description".into(),
            value: draft.text.clone(),
        },
    ];
    Ok(draft)
}

fn follow_up_text(alert: &Alert, first: &ReportRecord, url: &str, days: i64) -> String {
    let name = visible(&alert.identity.name, 100);
    let handle = shown_handle(alert);
    let where_ = platform_name(&alert.platform);
    let mut text = format!(
        "On {} I reported the account {handle} on {where_} ({url}) for impersonating me, {name}. \
         {days} days later it is still up.\n",
        day(first.filed_at)
    );
    let copied = copied_elements(alert);
    if !copied.is_empty() {
        text.push_str(&format!(
            "It still uses my {}, as I reported.\n",
            join_words(&copied)
        ));
    }
    text.push_str("Please review my report again and remove the account.\n");
    text.push_str(&format!(
        "\nMy first report: {}.\n",
        first_report_words(first)
    ));
    let own: Vec<String> = alert
        .identity
        .handles
        .iter()
        .map(|h| {
            let p = crate::profile::Profile {
                platform: h.platform.clone(),
                handle: h.handle.clone(),
                ..Default::default()
            };
            format!(
                "- {}: {}",
                platform_name(&h.platform),
                super::profile_url(&p)
            )
        })
        .collect();
    if !own.is_empty() {
        text.push_str("\nMy real accounts:\n");
        text.push_str(&own.join("\n"));
        text.push('\n');
    }
    text
}

/// "2026-11-28, through Bluesky's report API, reference 3kx..., about did:plc:..".
fn first_report_words(first: &ReportRecord) -> String {
    let mut words = format!("{}", first.filed_at.format("%Y-%m-%d %H:%M UTC"));
    match first.method {
        ReportMethod::Api => words.push_str(&format!(
            ", filed through {}'s reporting system",
            platform_name(&first.platform)
        )),
        ReportMethod::Form => words.push_str(&format!(
            ", sent with {}'s official form",
            platform_name(&first.platform)
        )),
    }
    if let Some(reference) = first.remote_id.as_deref().filter(|r| !r.trim().is_empty()) {
        words.push_str(&format!(", report reference {}", visible(reference, 80)));
    }
    if let Some(detail) = first.detail.as_deref().filter(|d| !d.trim().is_empty()) {
        words.push_str(&format!(" ({})", visible(detail, 200)));
    }
    words
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}
