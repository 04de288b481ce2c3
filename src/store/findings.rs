//! Recording what the sources found: accounts, their profile history, and alerts deduplicated
//! by an evidence fingerprint.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::alerts::{insert_outbox, wake_in, AlertState, OutboxKind};
use super::{from_json, parse_ts, to_json, ts, IdentityId, Store, StoreError};
use crate::detect::{Assessment, Signal, Verdict};
use crate::profile::Profile;
use crate::sources::{Found, FoundBy};

/// Avatars larger than this are not kept as evidence (sources already bound downloads).
const MAX_AVATAR_BYTES: usize = 8 * 1024 * 1024;

/// One candidate the detector judged, for one identity.
#[derive(Debug, Clone, Copy)]
pub struct Finding<'a> {
    pub identity_id: IdentityId,
    pub found: &'a Found,
    pub assessment: &'a Assessment,
}

/// What recording a finding did to the alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    /// Nothing to alert (the account copies nothing).
    None,
    /// A new alert, or a snoozed one back early because the account changed: the person must
    /// be told.
    New(i64),
    /// An open alert for this account got new evidence (no second notification).
    Updated(i64),
    /// The same evidence was already raised (or allowed) before.
    Duplicate,
    /// The person allowed this account; the evidence is kept, no alert.
    Suppressed,
    /// An open alert's account no longer copies the person (renamed): the case closed.
    Resolved(i64),
}

/// The result of recording one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingOutcome {
    pub account_id: i64,
    /// True when this is a new account or its profile changed since last seen.
    pub profile_changed: bool,
    pub alert: AlertChange,
}

/// One version of an account's profile as captured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileVersion {
    pub id: i64,
    pub account_id: i64,
    pub profile: Profile,
    pub found_by: Option<FoundBy>,
    pub avatar_sha256: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// The stable key of an account: the platform's id when known (survives renames), else the
/// handle lowercased.
pub(crate) fn account_key(profile: &Profile) -> String {
    match profile.platform_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => profile.handle.trim().to_lowercase(),
    }
}

/// Hash of what the profile shows (not counters such as followers, which change all the time).
fn content_hash(profile: &Profile) -> String {
    let mut h = Sha256::new();
    for part in [
        Some(profile.handle.as_str()),
        profile.display_name.as_deref(),
        profile.bio.as_deref(),
        profile.avatar_url.as_deref(),
        profile.url.as_deref(),
    ] {
        feed(&mut h, part);
    }
    for label in &profile.labels {
        feed(&mut h, Some(label));
    }
    hex::encode(h.finalize())
}

fn feed(h: &mut Sha256, part: Option<&str>) {
    match part {
        // Length-prefixed so ("ab", "c") and ("a", "bc") differ.
        Some(text) => {
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        None => h.update(u64::MAX.to_le_bytes()),
    }
}

/// The evidence fingerprint of an alert: the kinds of evidence (signals) plus the profile
/// fields each kind is about. The same account showing the same copied name again has the
/// same fingerprint; changing its avatar to the person's adds a signal and a field, so it
/// alerts again.
pub fn evidence_fingerprint(profile: &Profile, assessment: &Assessment) -> String {
    let mut signals: Vec<Signal> = assessment
        .reasons
        .iter()
        .map(|r| r.signal)
        .filter(|s| !matches!(s, Signal::Context))
        .collect();
    signals.sort_by_key(|s| format!("{s:?}"));
    signals.dedup();
    let mut h = Sha256::new();
    feed(&mut h, Some(profile.platform.as_str()));
    feed(&mut h, Some(&account_key(profile)));
    for signal in &signals {
        feed(&mut h, Some(&format!("{signal:?}")));
        match signal {
            Signal::ConfusableHandle | Signal::NearHandle => {
                feed(&mut h, Some(&profile.handle.to_lowercase()))
            }
            Signal::DisplayName | Signal::FakeVerification | Signal::HiddenCharacters => {
                feed(&mut h, profile.display_name.as_deref());
                feed(&mut h, Some(&profile.handle));
            }
            Signal::Bio | Signal::Disclaimer => feed(&mut h, profile.bio.as_deref()),
            Signal::Avatar => feed(&mut h, profile.avatar_url.as_deref()),
            Signal::OwnAccount | Signal::Context => {}
        }
    }
    hex::encode(h.finalize())
}

impl Store {
    /// Records one finding; see [`Store::record_findings`].
    pub fn record_finding(
        &self,
        finding: Finding<'_>,
        now: DateTime<Utc>,
    ) -> Result<FindingOutcome, StoreError> {
        let mut out = self.record_findings(&[finding], None, now)?;
        out.pop()
            .ok_or_else(|| StoreError::Corrupt("no outcome recorded".into()))
    }

    /// Records findings in ONE transaction, together with `cursor` (name, value) when given:
    /// the accounts and their profile history, new or updated alerts, and the notifications to
    /// show. A crash before the commit keeps none of it (the cursor did not move either, so the
    /// events are seen again); after the commit all of it is on disk.
    ///
    /// Alert rules: a verdict other than clear raises an alert unless the same evidence
    /// ([`evidence_fingerprint`]) was already raised for this account and identity, or the
    /// person allowed the account. An account with an open alert gets its alert updated
    /// instead of a second one; when that update turns a `suspicious` alert into an `impostor`
    /// one, it is notified like a new alert. An open alert whose account no longer copies the
    /// person is resolved (renamed). A snoozed alert comes back early (as `new`, notified
    /// again) when the account changes its handle, name, bio or picture from what was snoozed,
    /// and otherwise stays asleep (no second alert); a snoozed account that no longer copies
    /// the person is resolved like an open one.
    pub fn record_findings(
        &self,
        findings: &[Finding<'_>],
        cursor: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<FindingOutcome>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let mut outcomes = Vec::with_capacity(findings.len());
        for finding in findings {
            outcomes.push(record_one(&tx, finding, now)?);
        }
        if let Some((name, value)) = cursor {
            super::set_cursor_in(&tx, name, value)?;
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// The profile history of an account, oldest first.
    pub fn profile_history(&self, account_id: i64) -> Result<Vec<ProfileVersion>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, account_id, profile_json, found_by_json, avatar_sha256, first_seen, last_seen
             FROM profile_versions WHERE account_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([account_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, account_id, p, f, a, first, last)| {
                Ok(ProfileVersion {
                    id,
                    account_id,
                    profile: from_json(&p, "profile")?,
                    found_by: f.map(|f| from_json(&f, "found_by")).transpose()?,
                    avatar_sha256: a,
                    first_seen: parse_ts(&first)?,
                    last_seen: parse_ts(&last)?,
                })
            })
            .collect()
    }

    /// The bytes of a stored avatar by its SHA-256.
    pub fn avatar(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT bytes FROM avatars WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Number of accounts ever seen (all platforms).
    pub fn account_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))?)
    }

    /// Marks an account as gone from its platform (suspended, deleted).
    pub fn mark_account_gone(&self, account_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE accounts SET gone_at = ?2 WHERE id = ?1 AND gone_at IS NULL",
            params![account_id, ts(now)],
        )?;
        Ok(())
    }
}

fn record_one(
    tx: &Connection,
    finding: &Finding<'_>,
    now: DateTime<Utc>,
) -> Result<FindingOutcome, StoreError> {
    let profile = &finding.found.profile;
    let key = account_key(profile);
    let now_s = ts(now);
    tx.execute(
        "INSERT INTO accounts (platform, account_key, handle, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT(platform, account_key) DO UPDATE
         SET handle = excluded.handle, last_seen = excluded.last_seen, gone_at = NULL",
        params![profile.platform.as_str(), key, profile.handle, now_s],
    )?;
    let account_id: i64 = tx.query_row(
        "SELECT id FROM accounts WHERE platform = ?1 AND account_key = ?2",
        params![profile.platform.as_str(), key],
        |r| r.get(0),
    )?;

    // Profile history: a new version when what it shows changed.
    let hash = content_hash(profile);
    let latest: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, content_hash FROM profile_versions WHERE account_id = ?1
             ORDER BY id DESC LIMIT 1",
            [account_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (version_id, profile_changed) = match latest {
        Some((id, latest_hash)) if latest_hash == hash => {
            tx.execute(
                "UPDATE profile_versions SET last_seen = ?2 WHERE id = ?1",
                params![id, now_s],
            )?;
            (id, false)
        }
        _ => {
            tx.execute(
                "INSERT INTO profile_versions
                 (account_id, content_hash, profile_json, found_by_json, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    account_id,
                    hash,
                    to_json(profile)?,
                    to_json(&finding.found.found_by)?,
                    now_s
                ],
            )?;
            (tx.last_insert_rowid(), true)
        }
    };

    let open_alert: Option<i64> = tx
        .query_row(
            "SELECT id FROM alerts WHERE identity_id = ?1 AND account_id = ?2
             AND state IN ('new', 'seen', 'reported') ORDER BY id DESC LIMIT 1",
            params![finding.identity_id, account_id],
            |r| r.get(0),
        )
        .optional()?;

    // A snoozed alert is followed like an open one, but sleeps until its time or a change.
    let snoozed: Option<(i64, i64)> = tx
        .query_row(
            "SELECT id, profile_version_id FROM alerts WHERE identity_id = ?1 AND account_id = ?2
             AND state = 'snoozed' ORDER BY id DESC LIMIT 1",
            params![finding.identity_id, account_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;

    let assessment = finding.assessment;
    if assessment.verdict == Verdict::Clear {
        let alert = match open_alert.or(snoozed.map(|(id, _)| id)) {
            Some(alert_id) if profile_changed => {
                tx.execute(
                    "UPDATE alerts SET state = 'resolved', profile_version_id = ?2,
                     state_note = ?3, updated_at = ?4, snoozed_until = NULL WHERE id = ?1",
                    params![
                        alert_id,
                        version_id,
                        "the account changed its profile and no longer copies you",
                        now_s
                    ],
                )?;
                insert_outbox(tx, OutboxKind::CaseClosed, alert_id, now)?;
                AlertChange::Resolved(alert_id)
            }
            _ => AlertChange::None,
        };
        return Ok(FindingOutcome {
            account_id,
            profile_changed,
            alert,
        });
    }

    let fingerprint = evidence_fingerprint(profile, assessment);
    let allowed: Option<i64> = tx
        .query_row(
            "SELECT id FROM alerts WHERE identity_id = ?1 AND account_id = ?2
             AND state = ?3 ORDER BY id DESC LIMIT 1",
            params![
                finding.identity_id,
                account_id,
                AlertState::Allowed.as_str()
            ],
            |r| r.get(0),
        )
        .optional()?;
    let seen: bool = tx
        .query_row(
            "SELECT 1 FROM evidence_seen WHERE identity_id = ?1 AND account_id = ?2
             AND fingerprint = ?3",
            params![finding.identity_id, account_id, fingerprint],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let reasons = to_json(&assessment.reasons)?;
    if let (Some((alert_id, snoozed_version)), None, None) = (snoozed, open_alert, allowed) {
        let before: String = tx.query_row(
            "SELECT profile_json FROM profile_versions WHERE id = ?1",
            [snoozed_version],
            |r| r.get(0),
        )?;
        let before: Profile = from_json(&before, "profile")?;
        let changed = changed_parts(&before, profile);
        // Only a change of what the account shows wakes it: a different fingerprint alone can
        // come from how it was looked at (a re-check fetches no avatar image, so the avatar
        // signal is missing) and must not end the snooze, nor open a second alert.
        if changed.is_empty() {
            return Ok(FindingOutcome {
                account_id,
                profile_changed,
                alert: AlertChange::Duplicate,
            });
        }
        let note = format!(
            "back from snooze early: the account changed its {}",
            changed.join(", ")
        );
        tx.execute(
            "UPDATE alerts SET profile_version_id = ?2, fingerprint = ?3, verdict = ?4,
             score = ?5, reasons_json = ?6 WHERE id = ?1",
            params![
                alert_id,
                version_id,
                fingerprint,
                assessment.verdict.as_str(),
                assessment.score,
                reasons
            ],
        )?;
        wake_in(tx, alert_id, &note, now)?;
        mark_evidence(
            tx,
            finding.identity_id,
            account_id,
            &fingerprint,
            alert_id,
            &now_s,
        )?;
        keep_avatar(tx, version_id, finding.found.avatar_image.as_deref())?;
        return Ok(FindingOutcome {
            account_id,
            profile_changed,
            alert: AlertChange::New(alert_id),
        });
    }
    if seen {
        return Ok(FindingOutcome {
            account_id,
            profile_changed,
            alert: AlertChange::Duplicate,
        });
    }
    let change = if let Some(alert_id) = allowed {
        mark_evidence(
            tx,
            finding.identity_id,
            account_id,
            &fingerprint,
            alert_id,
            &now_s,
        )?;
        AlertChange::Suppressed
    } else if let Some(alert_id) = open_alert {
        let was: String = tx.query_row(
            "SELECT verdict FROM alerts WHERE id = ?1",
            [alert_id],
            |r| r.get(0),
        )?;
        if assessment.verdict == Verdict::Impostor && was != Verdict::Impostor.as_str() {
            announce_escalation(tx, alert_id, now)?;
        }
        tx.execute(
            "UPDATE alerts SET profile_version_id = ?2, fingerprint = ?3, verdict = ?4,
             score = ?5, reasons_json = ?6, updated_at = ?7 WHERE id = ?1",
            params![
                alert_id,
                version_id,
                fingerprint,
                assessment.verdict.as_str(),
                assessment.score,
                reasons,
                now_s
            ],
        )?;
        mark_evidence(
            tx,
            finding.identity_id,
            account_id,
            &fingerprint,
            alert_id,
            &now_s,
        )?;
        AlertChange::Updated(alert_id)
    } else {
        tx.execute(
            "INSERT INTO alerts (identity_id, account_id, profile_version_id, fingerprint,
             verdict, score, reasons_json, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'new', ?8, ?8)",
            params![
                finding.identity_id,
                account_id,
                version_id,
                fingerprint,
                assessment.verdict.as_str(),
                assessment.score,
                reasons,
                now_s
            ],
        )?;
        let alert_id = tx.last_insert_rowid();
        mark_evidence(
            tx,
            finding.identity_id,
            account_id,
            &fingerprint,
            alert_id,
            &now_s,
        )?;
        insert_outbox(tx, OutboxKind::NewAlert, alert_id, now)?;
        AlertChange::New(alert_id)
    };
    if matches!(change, AlertChange::New(_) | AlertChange::Updated(_)) {
        keep_avatar(tx, version_id, finding.found.avatar_image.as_deref())?;
    }
    Ok(FindingOutcome {
        account_id,
        profile_changed,
        alert: change,
    })
}

/// An open alert that was only worth a look is an impostor now: its notification is queued like
/// a new alert's, unless one is still waiting to be shown (it then shows as the impostor).
fn announce_escalation(
    tx: &Connection,
    alert_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let waiting = tx
        .query_row(
            "SELECT 1 FROM outbox WHERE alert_id = ?1 AND kind = 'new_alert' AND sent_at IS NULL",
            [alert_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if waiting {
        return Ok(());
    }
    insert_outbox(tx, OutboxKind::NewAlert, alert_id, now)
}

/// What a person would call changed between the profile they snoozed and the one seen now.
fn changed_parts(before: &Profile, now: &Profile) -> Vec<&'static str> {
    let norm = |t: Option<&str>| {
        t.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let mut parts = Vec::new();
    if !before.handle.trim().eq_ignore_ascii_case(now.handle.trim()) {
        parts.push("handle");
    }
    if norm(before.display_name.as_deref()) != norm(now.display_name.as_deref()) {
        parts.push("name");
    }
    if norm(before.bio.as_deref()) != norm(now.bio.as_deref()) {
        parts.push("bio");
    }
    if norm(before.avatar_url.as_deref()) != norm(now.avatar_url.as_deref()) {
        parts.push("picture");
    }
    parts
}

fn mark_evidence(
    tx: &Connection,
    identity_id: IdentityId,
    account_id: i64,
    fingerprint: &str,
    alert_id: i64,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO evidence_seen (identity_id, account_id, fingerprint, alert_id, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![identity_id, account_id, fingerprint, alert_id, now],
    )?;
    Ok(())
}

/// Keeps the avatar bytes of an alerting profile version as evidence.
fn keep_avatar(tx: &Connection, version_id: i64, bytes: Option<&[u8]>) -> Result<(), StoreError> {
    let Some(bytes) = bytes.filter(|b| !b.is_empty() && b.len() <= MAX_AVATAR_BYTES) else {
        return Ok(());
    };
    let sha = hex::encode(Sha256::digest(bytes));
    tx.execute(
        "INSERT OR IGNORE INTO avatars (sha256, bytes) VALUES (?1, ?2)",
        params![sha, bytes],
    )?;
    tx.execute(
        "UPDATE profile_versions SET avatar_sha256 = ?2 WHERE id = ?1",
        params![version_id, sha],
    )?;
    Ok(())
}
