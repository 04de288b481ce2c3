//! The store on a real SQLite file: profile history, alert dedup by evidence across restarts,
//! the alert life cycle, reports, the cursor moving with its findings, and the outbox.

mod support_watch;

use doppelwatch::detect::Signal;
use doppelwatch::identity::Platform;
use doppelwatch::store::{
    AlertChange, AlertFilter, AlertState, Finding, ReportMethod, Store, StoreError,
};
use support_watch::*;

#[test]
fn opening_creates_a_wal_database_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(&dir.path().join("nested")).unwrap();
    assert!(store.path().exists());
    assert_eq!(store.schema_version().unwrap(), 3);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("update Doppelwatch"), "{err}");
}

#[test]
fn the_same_evidence_alerts_once_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let imp = found(bsky_profile(
        "did:plc:imp1",
        "palmer-report.bsky.social",
        "PaImer Report",
    ));
    let assessment = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    let first_id = {
        let store = Store::open_in(dir.path()).unwrap();
        let identity_id = store.upsert_identity(&palmer()).unwrap();
        let finding = Finding {
            identity_id,
            found: &imp,
            assessment: &assessment,
        };
        let out = store.record_finding(finding, t(0)).unwrap();
        let AlertChange::New(id) = out.alert else {
            panic!("expected a new alert, got {:?}", out.alert)
        };
        assert!(out.profile_changed);
        assert_eq!(
            store.record_finding(finding, t(10)).unwrap().alert,
            AlertChange::Duplicate
        );
        id
    };
    // Restart: a new process opens the same file.
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &imp,
                assessment: &assessment,
            },
            t(100),
        )
        .unwrap();
    assert_eq!(out.alert, AlertChange::Duplicate);
    assert!(!out.profile_changed);
    let alerts = store.alerts(&AlertFilter::default()).unwrap();
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.id, first_id);
    assert_eq!(alert.state, AlertState::New);
    assert_eq!(alert.platform, Platform::Bluesky);
    assert_eq!(alert.profile.display_name.as_deref(), Some("PaImer Report"));
    assert_eq!(alert.first_seen, t(0));
    assert_eq!(alert.reasons.len(), 2);
    assert!(
        alert.avatar_sha256.is_some(),
        "the avatar is kept as evidence"
    );
    // One notification was queued, not two.
    assert_eq!(store.pending_notifications().unwrap().len(), 1);
}

#[test]
fn an_account_that_later_copies_the_person_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let before = found(bsky_profile(
        "did:plc:sleeper",
        "sleeper.bsky.social",
        "Gardening tips",
    ));
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &before,
                assessment: &clear(),
            },
            t(0),
        )
        .unwrap();
    assert_eq!(out.alert, AlertChange::None);
    assert!(store.alerts(&AlertFilter::default()).unwrap().is_empty());

    // Same DID, new name: the account now copies the person.
    let after = found(bsky_profile(
        "did:plc:sleeper",
        "sleeper.bsky.social",
        "PaImer Report",
    ));
    let assessment = impostor_assessment(&[Signal::DisplayName]);
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &after,
                assessment: &assessment,
            },
            t(60),
        )
        .unwrap();
    assert!(matches!(out.alert, AlertChange::New(_)), "{:?}", out.alert);
    assert!(out.profile_changed);
    let history = store.profile_history(out.account_id).unwrap();
    assert_eq!(history.len(), 2, "both versions of the profile are kept");
    assert_eq!(
        history[0].profile.display_name.as_deref(),
        Some("Gardening tips")
    );
    assert_eq!(
        history[1].profile.display_name.as_deref(),
        Some("PaImer Report")
    );
    let alert = &store.alerts(&AlertFilter::default()).unwrap()[0];
    assert_eq!(
        alert.first_seen,
        t(0),
        "first seen is when the account was first seen"
    );

    // Later it also copies the avatar: the open alert is updated, no second alert.
    let more = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &after,
                assessment: &more,
            },
            t(120),
        )
        .unwrap();
    assert!(
        matches!(out.alert, AlertChange::Updated(_)),
        "{:?}",
        out.alert
    );
    assert_eq!(store.alerts(&AlertFilter::default()).unwrap().len(), 1);
    assert_eq!(store.pending_notifications().unwrap().len(), 1);
}

#[test]
fn allowed_accounts_stay_quiet_and_dismissed_ones_alert_on_new_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let fan = found(bsky_profile(
        "did:plc:fan",
        "palmerfan.bsky.social",
        "Palmer Report fan",
    ));
    let name_only = impostor_assessment(&[Signal::DisplayName]);
    let record = |f: &doppelwatch::sources::Found, a, at| {
        store
            .record_finding(
                Finding {
                    identity_id,
                    found: f,
                    assessment: a,
                },
                at,
            )
            .unwrap()
    };
    let AlertChange::New(fan_alert) = record(&fan, &name_only, t(0)).alert else {
        panic!()
    };
    store
        .set_alert_state(fan_alert, AlertState::Allowed, Some("a fan"))
        .unwrap();
    // New evidence on an allowed account: kept, but no alert.
    let both = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    assert_eq!(record(&fan, &both, t(10)).alert, AlertChange::Suppressed);

    let other = found(bsky_profile(
        "did:plc:other",
        "other.bsky.social",
        "Palmer Report",
    ));
    let AlertChange::New(other_alert) = record(&other, &name_only, t(0)).alert else {
        panic!()
    };
    store
        .set_alert_state(other_alert, AlertState::Dismissed, None)
        .unwrap();
    assert_eq!(
        record(&other, &name_only, t(20)).alert,
        AlertChange::Duplicate
    );
    assert!(matches!(
        record(&other, &both, t(30)).alert,
        AlertChange::New(_)
    ));
    assert_eq!(store.alerts(&AlertFilter::default()).unwrap().len(), 3);
    let open = store
        .alerts(&AlertFilter {
            states: vec![AlertState::New],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(open.len(), 1);
}

#[test]
fn the_life_cycle_refuses_impossible_moves() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let imp = found(bsky_profile(
        "did:plc:imp",
        "imp.bsky.social",
        "PaImer Report",
    ));
    let a = impostor_assessment(&[Signal::DisplayName]);
    let AlertChange::New(id) = store
        .record_finding(
            Finding {
                identity_id,
                found: &imp,
                assessment: &a,
            },
            t(0),
        )
        .unwrap()
        .alert
    else {
        panic!()
    };
    store.set_alert_state(id, AlertState::Seen, None).unwrap();
    let err = store
        .set_alert_state(id, AlertState::New, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot go from seen to new"),
        "{err}"
    );
    let rec = store
        .record_report(
            id,
            &Platform::Bluesky,
            ReportMethod::Api,
            Some("42"),
            None,
            t(5),
        )
        .unwrap();
    assert_eq!(rec.remote_id.as_deref(), Some("42"));
    assert_eq!(store.alert(id).unwrap().state, AlertState::Reported);
    assert!(store.set_alert_state(id, AlertState::Seen, None).is_err());
    assert_eq!(store.api_reports_since(t(0)).unwrap(), 1);
    assert_eq!(store.api_reports_since(t(6)).unwrap(), 0);

    let closed = store
        .close_case(id, "the account was removed by Bluesky", t(100))
        .unwrap();
    assert_eq!(closed.state, AlertState::Resolved);
    assert_eq!(closed.gone_at, Some(t(100)));
    let pending = store.pending_notifications().unwrap();
    assert!(pending
        .iter()
        .any(|p| p.kind == doppelwatch::store::OutboxKind::CaseClosed && p.alert.id == id));
}

#[test]
fn an_open_alert_resolves_when_the_account_renames_away() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let imp = found(bsky_profile(
        "did:plc:imp",
        "imp.bsky.social",
        "PaImer Report",
    ));
    let a = impostor_assessment(&[Signal::DisplayName]);
    let record = |f, a, at| {
        store
            .record_finding(
                Finding {
                    identity_id,
                    found: f,
                    assessment: a,
                },
                at,
            )
            .unwrap()
    };
    let AlertChange::New(id) = record(&imp, &a, t(0)).alert else {
        panic!()
    };
    let renamed = found(bsky_profile("did:plc:imp", "imp.bsky.social", "Just Bob"));
    assert_eq!(
        record(&renamed, &clear(), t(50)).alert,
        AlertChange::Resolved(id)
    );
    let alert = store.alert(id).unwrap();
    assert_eq!(alert.state, AlertState::Resolved);
    assert_eq!(alert.profile.display_name.as_deref(), Some("Just Bob"));
}

#[test]
fn the_cursor_moves_only_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    assert_eq!(store.cursor("jetstream").unwrap(), None);
    let imp = found(bsky_profile(
        "did:plc:imp",
        "imp.bsky.social",
        "PaImer Report",
    ));
    let a = impostor_assessment(&[Signal::DisplayName]);
    store
        .record_findings(
            &[Finding {
                identity_id,
                found: &imp,
                assessment: &a,
            }],
            Some(("jetstream", "1725911162329308")),
            t(0),
        )
        .unwrap();
    assert_eq!(
        store.cursor("jetstream").unwrap().as_deref(),
        Some("1725911162329308")
    );
    // A failing batch (unknown identity: foreign key) moves nothing.
    let err = store.record_findings(
        &[Finding {
            identity_id: 999,
            found: &imp,
            assessment: &a,
        }],
        Some(("jetstream", "1725911999999999")),
        t(1),
    );
    assert!(err.is_err());
    assert_eq!(
        store.cursor("jetstream").unwrap().as_deref(),
        Some("1725911162329308")
    );
}

#[test]
fn source_settings_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let settings = serde_json::json!({"pds": "https://bsky.social", "interval_secs": 900});
    store
        .set_source_settings(&Platform::Bluesky, &settings)
        .unwrap();
    assert_eq!(
        store.source_settings(&Platform::Bluesky).unwrap(),
        Some(settings)
    );
    assert_eq!(store.source_settings(&Platform::X).unwrap(), None);
}
