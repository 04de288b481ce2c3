//! Identities have a stable id: renaming the person keeps their alerts, in the store and
//! through the app facade (which every front end uses to save the person).

mod support_watch;

use doppelwatch::app::App;
use doppelwatch::config::Config;
use doppelwatch::store::{AlertChange, AlertFilter, Finding, Store};
use support_watch::{bsky_profile, found, impostor_assessment, palmer, t};

fn raise_alert(store: &Store, identity_id: i64) -> i64 {
    let found = found(bsky_profile(
        "did:plc:imp",
        "palmer-report.bsky.social",
        "PaImer Report",
    ));
    let assessment = impostor_assessment(&[doppelwatch::detect::Signal::DisplayName]);
    let outcome = store
        .record_finding(
            Finding {
                identity_id,
                found: &found,
                assessment: &assessment,
            },
            t(0),
        )
        .unwrap();
    match outcome.alert {
        AlertChange::New(id) => id,
        other => panic!("expected a new alert, got {other:?}"),
    }
}

#[test]
fn renaming_in_the_store_keeps_the_id_and_the_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let id = store.upsert_identity(&palmer()).unwrap();
    let alert = raise_alert(&store, id);
    let renamed = doppelwatch::identity::Identity {
        name: "Palmer Report News".into(),
        ..palmer()
    };
    store.update_identity(id, &renamed).unwrap();
    let all = store.identities().unwrap();
    assert_eq!(all.len(), 1, "no second identity row: {all:?}");
    assert_eq!(all[0], (id, renamed.clone()));
    let alerts = store.alerts(&AlertFilter::default()).unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].id, alert);
    assert_eq!(alerts[0].identity_id, id);
    assert_eq!(alerts[0].identity.name, "Palmer Report News");
    // An id that does not exist is an error, not a silent insert.
    assert!(store.update_identity(id + 100, &renamed).is_err());
}

#[test]
fn renaming_through_the_app_keeps_the_alerts_and_needs_a_handle() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path().join("data"), Config::default(), None).unwrap();
    let (id, _) = app.save_identity(palmer()).unwrap();
    let alert = raise_alert(&app.store, id);
    let (same, saved) = app
        .save_identity(doppelwatch::identity::Identity {
            name: "Palmer Report News".into(),
            ..palmer()
        })
        .unwrap();
    assert_eq!(same, id, "the person keeps their stable id");
    assert_eq!(saved.name, "Palmer Report News");
    assert_eq!(
        app.identity().map(|(i, p)| (i, p.name)),
        Some((id, saved.name))
    );
    let alerts = app.store.alerts(&AlertFilter::default()).unwrap();
    assert_eq!(alerts.iter().map(|a| a.id).collect::<Vec<_>>(), vec![alert]);
    // The "at least one handle" rule lives in the core.
    let err = app
        .save_identity(doppelwatch::identity::Identity {
            handles: vec![],
            ..palmer()
        })
        .unwrap_err();
    assert!(err.message.contains("at least one"), "{}", err.message);
}

#[test]
fn an_edited_draft_is_kept_in_the_store_across_openings() {
    let dir = tempfile::tempdir().unwrap();
    let alert = {
        let app = App::open(dir.path().to_path_buf(), Config::default(), None).unwrap();
        let (id, _) = app.save_identity(palmer()).unwrap();
        let alert = raise_alert(&app.store, id);
        assert_eq!(app.report(alert).unwrap().edited, None);
        app.save_report_draft(alert, "my own words").unwrap();
        alert
    };
    let reopened = App::open(dir.path().to_path_buf(), Config::default(), None).unwrap();
    assert_eq!(
        reopened.report(alert).unwrap().edited.as_deref(),
        Some("my own words")
    );
}
