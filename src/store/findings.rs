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
use crate::profile::{Found, FoundBy};

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
    let now_s = ts(now);
    let account_id = upsert_account(tx, profile, &now_s)?;
    let (version_id, profile_changed) = record_version(tx, finding, account_id, &now_s)?;
    let rec = Recording {
        tx,
        finding,
        account_id,
        version_id,
        profile_changed,
        now,
        now_s,
    };
    let alert = rec.follow_alerts()?;
    Ok(FindingOutcome {
        account_id,
        profile_changed,
        alert,
    })
}

/// The account row of `profile`, created or refreshed (seen now, not gone); its id.
fn upsert_account(tx: &Connection, profile: &Profile, now_s: &str) -> Result<i64, StoreError> {
    let key = account_key(profile);
    tx.execute(
        "INSERT INTO accounts (platform, account_key, handle, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT(platform, account_key) DO UPDATE
         SET handle = excluded.handle, last_seen = excluded.last_seen, gone_at = NULL",
        params![profile.platform.as_str(), key, profile.handle, now_s],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM accounts WHERE platform = ?1 AND account_key = ?2",
        params![profile.platform.as_str(), key],
        |r| r.get(0),
    )?)
}

/// Profile history: a new version when what the account shows changed. The version's id and
/// whether it is new.
fn record_version(
    tx: &Connection,
    finding: &Finding<'_>,
    account_id: i64,
    now_s: &str,
) -> Result<(i64, bool), StoreError> {
    let profile = &finding.found.profile;
    let hash = content_hash(profile);
    let latest: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, content_hash FROM profile_versions WHERE account_id = ?1
             ORDER BY id DESC LIMIT 1",
            [account_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match latest {
        Some((id, latest_hash)) if latest_hash == hash => {
            tx.execute(
                "UPDATE profile_versions SET last_seen = ?2 WHERE id = ?1",
                params![id, now_s],
            )?;
            Ok((id, false))
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
            Ok((tx.last_insert_rowid(), true))
        }
    }
}

/// One finding whose account and profile version are recorded; what it does to the alerts.
struct Recording<'a> {
    tx: &'a Connection,
    finding: &'a Finding<'a>,
    account_id: i64,
    version_id: i64,
    profile_changed: bool,
    now: DateTime<Utc>,
    now_s: String,
}

/// The new evidence of a finding that copies the person.
struct Evidence {
    fingerprint: String,
    /// The reasons as JSON.
    reasons: String,
}

impl Recording<'_> {
    /// Follows the account's alerts: closes an open case the account no longer copies, wakes a
    /// snoozed one that changed, or raises, updates or suppresses an alert.
    fn follow_alerts(&self) -> Result<AlertChange, StoreError> {
        let open_alert: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM alerts WHERE identity_id = ?1 AND account_id = ?2
                 AND state IN ('new', 'seen', 'reported') ORDER BY id DESC LIMIT 1",
                params![self.finding.identity_id, self.account_id],
                |r| r.get(0),
            )
            .optional()?;
        // A snoozed alert is followed like an open one, but sleeps until its time or a change.
        let snoozed: Option<(i64, i64)> = self
            .tx
            .query_row(
                "SELECT id, profile_version_id FROM alerts WHERE identity_id = ?1 AND account_id = ?2
                 AND state = 'snoozed' ORDER BY id DESC LIMIT 1",
                params![self.finding.identity_id, self.account_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;

        let assessment = self.finding.assessment;
        if assessment.verdict == Verdict::Clear {
            return self.close_if_changed(open_alert.or(snoozed.map(|(id, _)| id)));
        }

        let evidence = Evidence {
            fingerprint: evidence_fingerprint(&self.finding.found.profile, assessment),
            reasons: to_json(&assessment.reasons)?,
        };
        let allowed: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM alerts WHERE identity_id = ?1 AND account_id = ?2
                 AND state = ?3 ORDER BY id DESC LIMIT 1",
                params![
                    self.finding.identity_id,
                    self.account_id,
                    AlertState::Allowed.as_str()
                ],
                |r| r.get(0),
            )
            .optional()?;
        let seen: bool = self
            .tx
            .query_row(
                "SELECT 1 FROM evidence_seen WHERE identity_id = ?1 AND account_id = ?2
                 AND fingerprint = ?3",
                params![
                    self.finding.identity_id,
                    self.account_id,
                    evidence.fingerprint
                ],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if let (Some((alert_id, snoozed_version)), None, None) = (snoozed, open_alert, allowed) {
            return self.wake_snoozed(alert_id, snoozed_version, &evidence);
        }
        if seen {
            return Ok(AlertChange::Duplicate);
        }
        let change = if let Some(alert_id) = allowed {
            self.mark_evidence(&evidence, alert_id)?;
            AlertChange::Suppressed
        } else if let Some(alert_id) = open_alert {
            self.update_open(alert_id, &evidence)?
        } else {
            self.raise(&evidence)?
        };
        if matches!(change, AlertChange::New(_) | AlertChange::Updated(_)) {
            self.keep_avatar()?;
        }
        if let AlertChange::New(alert_id) = change {
            // A newly raised alert (its avatar kept above): into the wave it came with.
            super::waves::join_wave(self.tx, alert_id, self.now)?;
        }
        Ok(change)
    }

    /// The account copies nothing: an open or snoozed case whose profile changed is closed.
    fn close_if_changed(&self, alert: Option<i64>) -> Result<AlertChange, StoreError> {
        match alert {
            Some(alert_id) if self.profile_changed => {
                self.tx.execute(
                    "UPDATE alerts SET state = 'resolved', profile_version_id = ?2,
                     state_note = ?3, updated_at = ?4, snoozed_until = NULL WHERE id = ?1",
                    params![
                        alert_id,
                        self.version_id,
                        "the account changed its profile and no longer copies you",
                        self.now_s
                    ],
                )?;
                insert_outbox(self.tx, OutboxKind::CaseClosed, alert_id, self.now)?;
                Ok(AlertChange::Resolved(alert_id))
            }
            _ => Ok(AlertChange::None),
        }
    }

    /// A snoozed alert wakes early when what the account shows changed since it was snoozed.
    fn wake_snoozed(
        &self,
        alert_id: i64,
        snoozed_version: i64,
        evidence: &Evidence,
    ) -> Result<AlertChange, StoreError> {
        let before: String = self.tx.query_row(
            "SELECT profile_json FROM profile_versions WHERE id = ?1",
            [snoozed_version],
            |r| r.get(0),
        )?;
        let before: Profile = from_json(&before, "profile")?;
        let changed = changed_parts(&before, &self.finding.found.profile);
        // Only a change of what the account shows wakes it: a different fingerprint alone can
        // come from how it was looked at (a re-check fetches no avatar image, so the avatar
        // signal is missing) and must not end the snooze, nor open a second alert.
        if changed.is_empty() {
            return Ok(AlertChange::Duplicate);
        }
        let note = format!(
            "back from snooze early: the account changed its {}",
            changed.join(", ")
        );
        let assessment = self.finding.assessment;
        self.tx.execute(
            "UPDATE alerts SET profile_version_id = ?2, fingerprint = ?3, verdict = ?4,
             score = ?5, reasons_json = ?6 WHERE id = ?1",
            params![
                alert_id,
                self.version_id,
                evidence.fingerprint,
                assessment.verdict.as_str(),
                assessment.score,
                evidence.reasons
            ],
        )?;
        wake_in(self.tx, alert_id, &note, self.now)?;
        self.mark_evidence(evidence, alert_id)?;
        self.keep_avatar()?;
        Ok(AlertChange::New(alert_id))
    }

    /// An open alert gets the new evidence; one that becomes an impostor is announced again.
    fn update_open(&self, alert_id: i64, evidence: &Evidence) -> Result<AlertChange, StoreError> {
        let assessment = self.finding.assessment;
        let was: String = self.tx.query_row(
            "SELECT verdict FROM alerts WHERE id = ?1",
            [alert_id],
            |r| r.get(0),
        )?;
        if assessment.verdict == Verdict::Impostor && was != Verdict::Impostor.as_str() {
            announce_escalation(self.tx, alert_id, self.now)?;
        }
        self.tx.execute(
            "UPDATE alerts SET profile_version_id = ?2, fingerprint = ?3, verdict = ?4,
             score = ?5, reasons_json = ?6, updated_at = ?7 WHERE id = ?1",
            params![
                alert_id,
                self.version_id,
                evidence.fingerprint,
                assessment.verdict.as_str(),
                assessment.score,
                evidence.reasons,
                self.now_s
            ],
        )?;
        self.mark_evidence(evidence, alert_id)?;
        Ok(AlertChange::Updated(alert_id))
    }

    /// A new alert, queued for notification.
    fn raise(&self, evidence: &Evidence) -> Result<AlertChange, StoreError> {
        let assessment = self.finding.assessment;
        self.tx.execute(
            "INSERT INTO alerts (identity_id, account_id, profile_version_id, fingerprint,
             verdict, score, reasons_json, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'new', ?8, ?8)",
            params![
                self.finding.identity_id,
                self.account_id,
                self.version_id,
                evidence.fingerprint,
                assessment.verdict.as_str(),
                assessment.score,
                evidence.reasons,
                self.now_s
            ],
        )?;
        let alert_id = self.tx.last_insert_rowid();
        self.mark_evidence(evidence, alert_id)?;
        insert_outbox(self.tx, OutboxKind::NewAlert, alert_id, self.now)?;
        Ok(AlertChange::New(alert_id))
    }

    fn mark_evidence(&self, evidence: &Evidence, alert_id: i64) -> Result<(), StoreError> {
        mark_evidence(
            self.tx,
            self.finding.identity_id,
            self.account_id,
            &evidence.fingerprint,
            alert_id,
            &self.now_s,
        )
    }

    fn keep_avatar(&self) -> Result<(), StoreError> {
        keep_avatar(
            self.tx,
            self.version_id,
            self.finding.found.avatar_image.as_deref(),
        )
    }
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
