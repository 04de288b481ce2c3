//! Timed snooze (issue 5) on a real SQLite file: an alert snoozed until a time stays asleep
//! until then, wakes back to `new` exactly once with a notification, wakes early when the
//! account changes its name, bio or picture, and refuses snoozes that make no sense. All
//! times are injected: nothing sleeps.

mod support_watch;

use std::process::Command;

use chrono::Duration;
use doppelwatch::detect::Signal;
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::store::{
    AlertChange, AlertFilter, AlertState, Finding, OutboxKind, ReportMethod, Store, StoreError,
};
use support_watch::*;

/// A store with one new alert for an impostor copying the name; returns the store, the
/// identity id, the impostor's profile and the alert id.
fn store_with_alert(dir: &std::path::Path) -> (Store, i64, Profile, i64) {
    let store = Store::open_in(dir).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let profile = bsky_profile("did:plc:imp", "imp.bsky.social", "PaImer Report");
    let id = match record(&store, identity_id, &profile, t(0)) {
        AlertChange::New(id) => id,
        other => panic!("expected a new alert, got {other:?}"),
    };
    // The first notification was shown.
    let pending = store.pending_notifications().unwrap();
    store
        .mark_notified(&pending.iter().map(|p| p.id).collect::<Vec<_>>(), t(1))
        .unwrap();
    (store, identity_id, profile, id)
}

fn record(
    store: &Store,
    identity_id: i64,
    profile: &Profile,
    now: chrono::DateTime<chrono::Utc>,
) -> AlertChange {
    let found = found(profile.clone());
    let assessment = impostor_assessment(&[Signal::DisplayName]);
    store
        .record_finding(
            Finding {
                identity_id,
                found: &found,
                assessment: &assessment,
            },
            now,
        )
        .unwrap()
        .alert
}

fn new_alert_notices(store: &Store, id: i64) -> usize {
    store
        .pending_notifications()
        .unwrap()
        .iter()
        .filter(|p| p.kind == OutboxKind::NewAlert && p.alert.id == id)
        .count()
}

#[test]
fn a_snooze_sleeps_until_its_time_then_wakes_to_new_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _, id) = store_with_alert(dir.path());
    store.set_alert_state(id, AlertState::Seen, None).unwrap();

    let until = t(100) + Duration::days(7);
    let snoozed = store.snooze_alert(id, until, t(100)).unwrap();
    assert_eq!(snoozed.state, AlertState::Snoozed);
    assert_eq!(snoozed.snoozed_until, Some(until));
    assert!(
        snoozed
            .state_note
            .as_deref()
            .unwrap()
            .contains("snoozed until"),
        "{:?}",
        snoozed.state_note
    );
    // It is kept across a restart, and listed under its own state.
    drop(store);
    let store = Store::open_in(dir.path()).unwrap();
    let listed = store
        .alerts(&AlertFilter {
            states: vec![AlertState::Snoozed],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].snoozed_until, Some(until));
    assert!(
        !listed[0].state.is_open(),
        "a snoozed alert waits for nobody"
    );

    // Not yet due: one second before the time, nothing wakes.
    assert!(store
        .wake_due_snoozes(until - Duration::seconds(1))
        .unwrap()
        .is_empty());
    assert_eq!(store.alert(id).unwrap().state, AlertState::Snoozed);
    assert_eq!(new_alert_notices(&store, id), 0);

    // Due: back to new, with a note and a new-alert notification.
    let woken = store.wake_due_snoozes(until).unwrap();
    assert_eq!(woken.len(), 1);
    assert_eq!(woken[0].id, id);
    assert_eq!(woken[0].state, AlertState::New);
    assert_eq!(woken[0].snoozed_until, None);
    assert!(
        woken[0]
            .state_note
            .as_deref()
            .unwrap()
            .starts_with("back from snooze"),
        "{:?}",
        woken[0].state_note
    );
    assert_eq!(new_alert_notices(&store, id), 1);

    // Exactly once: later wakes find nothing more.
    assert!(store
        .wake_due_snoozes(until + Duration::days(1))
        .unwrap()
        .is_empty());
    assert_eq!(new_alert_notices(&store, id), 1);
    assert_eq!(store.alerts(&AlertFilter::default()).unwrap().len(), 1);
}

#[test]
fn the_same_account_seen_again_unchanged_stays_snoozed_and_raises_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, identity_id, profile, id) = store_with_alert(dir.path());
    store
        .snooze_alert(id, t(10) + Duration::days(1), t(10))
        .unwrap();
    assert_eq!(
        record(&store, identity_id, &profile, t(20)),
        AlertChange::Duplicate
    );
    // A re-check fetches no avatar image, so the evidence looks different: still asleep, and
    // no second alert for the same account.
    let mut rechecked = found(profile.clone());
    rechecked.avatar_image = None;
    let other_evidence = impostor_assessment(&[Signal::DisplayName, Signal::Bio]);
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &rechecked,
                assessment: &other_evidence,
            },
            t(30),
        )
        .unwrap();
    assert_eq!(out.alert, AlertChange::Duplicate);
    assert_eq!(store.alert(id).unwrap().state, AlertState::Snoozed);
    assert_eq!(store.alerts(&AlertFilter::default()).unwrap().len(), 1);
    assert_eq!(new_alert_notices(&store, id), 0);
}

#[test]
fn a_change_of_name_bio_or_picture_wakes_a_snooze_early() {
    type Change = fn(&mut Profile);
    let changes: [(&str, Change); 3] = [
        ("name", |p| {
            p.display_name = Some("Palmer Report News".into())
        }),
        ("bio", |p| {
            p.bio = Some("The real Palmer Report. DM for deals".into())
        }),
        ("picture", |p| {
            p.avatar_url = Some("https://cdn.example/did:plc:imp/new-avatar.jpg".into())
        }),
    ];
    for (what, change) in changes {
        let dir = tempfile::tempdir().unwrap();
        let (store, identity_id, profile, id) = store_with_alert(dir.path());
        let until = t(10) + Duration::days(30);
        store.snooze_alert(id, until, t(10)).unwrap();
        let mut changed = profile.clone();
        change(&mut changed);
        assert_eq!(
            record(&store, identity_id, &changed, t(20)),
            AlertChange::New(id),
            "{what}: the snoozed alert itself comes back"
        );
        let alert = store.alert(id).unwrap();
        assert_eq!(alert.state, AlertState::New, "{what}");
        assert_eq!(alert.snoozed_until, None, "{what}");
        assert_eq!(
            alert.profile, changed,
            "{what}: the alert shows the new profile"
        );
        let note = alert.state_note.unwrap();
        assert!(
            note.contains("back from snooze early") && note.contains(what),
            "{what}: {note}"
        );
        assert_eq!(new_alert_notices(&store, id), 1, "{what}");
        assert_eq!(store.alerts(&AlertFilter::default()).unwrap().len(), 1);
        // Its time passing later wakes nothing: it is awake already.
        assert!(store.wake_due_snoozes(until).unwrap().is_empty(), "{what}");
        assert_eq!(new_alert_notices(&store, id), 1, "{what}");
    }
}

#[test]
fn a_snoozed_account_that_stops_copying_closes_its_case() {
    let dir = tempfile::tempdir().unwrap();
    let (store, identity_id, _, id) = store_with_alert(dir.path());
    store
        .snooze_alert(id, t(10) + Duration::days(7), t(10))
        .unwrap();
    let renamed = found(bsky_profile(
        "did:plc:imp",
        "imp.bsky.social",
        "Gardening tips",
    ));
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &renamed,
                assessment: &clear(),
            },
            t(20),
        )
        .unwrap();
    assert_eq!(out.alert, AlertChange::Resolved(id));
    let alert = store.alert(id).unwrap();
    assert_eq!(alert.state, AlertState::Resolved);
    assert_eq!(alert.snoozed_until, None);
    assert!(store
        .wake_due_snoozes(t(10) + Duration::days(8))
        .unwrap()
        .is_empty());
}

#[test]
fn impossible_snoozes_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _, id) = store_with_alert(dir.path());

    // A time in the past, or too far away.
    let err = store.snooze_alert(id, t(50), t(100)).unwrap_err();
    assert!(matches!(err, StoreError::InvalidSnooze { .. }), "{err}");
    assert!(err.to_string().contains("not in the future"), "{err}");
    let err = store
        .snooze_alert(id, t(100) + Duration::days(400), t(100))
        .unwrap_err();
    assert!(err.to_string().contains("at most 366 days"), "{err}");
    // Snoozing needs a time: the plain state change refuses it.
    let err = store
        .set_alert_state(id, AlertState::Snoozed, None)
        .unwrap_err();
    assert!(err.to_string().contains("needs the time"), "{err}");
    assert_eq!(store.alert(id).unwrap().state, AlertState::New);

    // A reported case is followed until it is gone: it cannot be snoozed.
    store
        .record_report(id, &Platform::Bluesky, ReportMethod::Form, None, None, t(5))
        .unwrap();
    let err = store
        .snooze_alert(id, t(100) + Duration::days(1), t(100))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidTransition {
                from: AlertState::Reported,
                to: AlertState::Snoozed,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("cannot go from reported to snoozed: only new or seen alerts can be snoozed"),
        "{err}"
    );
    // Closed ones neither.
    for (state, note) in [
        (AlertState::Dismissed, "dismissed"),
        (AlertState::Allowed, "allowed"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (store, _, _, id) = store_with_alert(dir.path());
        store.set_alert_state(id, state, Some(note)).unwrap();
        let err = store
            .snooze_alert(id, t(100) + Duration::days(1), t(100))
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::InvalidTransition {
                    to: AlertState::Snoozed,
                    ..
                }
            ),
            "{state}: {err}"
        );
        assert_eq!(store.alert(id).unwrap().state, state);
    }
}

#[test]
fn the_person_can_act_on_a_snoozed_alert_and_its_time_is_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _, id) = store_with_alert(dir.path());
    let until = t(10) + Duration::days(1);
    store.snooze_alert(id, until, t(10)).unwrap();
    // Moving the time: snoozing a snoozed alert again.
    let later = t(10) + Duration::days(30);
    assert_eq!(
        store.snooze_alert(id, later, t(20)).unwrap().snoozed_until,
        Some(later)
    );
    assert!(store.wake_due_snoozes(until).unwrap().is_empty());
    // Reporting it while snoozed is allowed, and a reported case never wakes as new.
    store
        .record_report(
            id,
            &Platform::Bluesky,
            ReportMethod::Form,
            None,
            None,
            t(30),
        )
        .unwrap();
    let alert = store.alert(id).unwrap();
    assert_eq!(alert.state, AlertState::Reported);
    assert_eq!(alert.snoozed_until, None);
    assert!(store.wake_due_snoozes(later).unwrap().is_empty());
    assert_eq!(store.alert(id).unwrap().state, AlertState::Reported);
}

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let id = {
        let (store, _, _, id) = store_with_alert(dir.path());
        drop(store);
        // Make it look like a file from the previous build.
        let conn =
            rusqlite::Connection::open(dir.path().join(doppelwatch::store::DB_FILE)).unwrap();
        conn.execute_batch(
            "DROP INDEX alerts_list; DROP TABLE alert_posts;
             DROP TABLE report_queue; DROP TABLE report_batches;
             DROP INDEX alerts_snoozed; ALTER TABLE alerts DROP COLUMN snoozed_until;
             DROP TABLE report_drafts;
             DROP INDEX alerts_wave; DROP INDEX alerts_identity_created;
             ALTER TABLE alerts DROP COLUMN wave_id; DROP TABLE waves;
             PRAGMA user_version = 1;",
        )
        .unwrap();
        id
    };
    let _ = path;
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        doppelwatch::store::SCHEMA_VERSION
    );
    assert_eq!(store.alert(id).unwrap().state, AlertState::New);
    store
        .snooze_alert(id, t(10) + Duration::days(1), t(10))
        .unwrap();
    assert_eq!(store.alert(id).unwrap().state, AlertState::Snoozed);
}

#[test]
fn the_cli_snoozes_and_lists_snoozed_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _, id) = store_with_alert(dir.path());
    drop(store);
    let run = |args: &[&str]| {
        let out = Command::new(doppelwatch_bin())
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // Alerts in other states print as before: no snooze field.
    let (code, out, err) = run(&["alerts"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("snoozed_until"), "{out}");

    let before = chrono::Utc::now();
    let (code, out, err) = run(&["snooze", &id.to_string(), "--days", "30"]);
    assert_eq!(code, Some(0), "{err}");
    let alert: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(alert["state"], "snoozed");
    let until =
        chrono::DateTime::parse_from_rfc3339(alert["snoozed_until"].as_str().unwrap()).unwrap();
    let days = (until.with_timezone(&chrono::Utc) - before).num_hours();
    assert!((30 * 24 - 1..=30 * 24).contains(&days), "{days} hours");

    let (code, out, err) = run(&["alerts", "--state", "snoozed"]);
    assert_eq!(code, Some(0), "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    let (_, out, _) = run(&["alerts", "--state", "new"]);
    assert_eq!(out.trim(), "[]");

    // Bad input: a clear error and nothing changed.
    let (code, _, err) = run(&["snooze", &id.to_string(), "--days", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--days"), "{err}");
    let (code, _, err) = run(&["alerts", "--state", "sleeping"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("snoozed"), "{err}");
    let (code, _, err) = run(&["dismiss", &id.to_string()]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&["snooze", &id.to_string()]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("only new or seen alerts can be snoozed"),
        "{err}"
    );
}
