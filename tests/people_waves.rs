//! Several people and waves (issue 11), on real SQLite files and the real CLI: a schema-3
//! single-person database made by the previous code opens with every alert kept and
//! attributed; two people registered with `people add`, `alerts --person` and `--wave`
//! filter, `people remove` refuses to drop alerts unless told; a wave of impostors found in
//! one check makes one notification, and one joining it soon after waits for its update.

mod support_watch;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::NaiveTime;
use doppelwatch::detect::{Assessment, Signal};
use doppelwatch::identity::Identity;
use doppelwatch::notify::{Dispatcher, NotifyConfig, WAVE_UPDATE_MINUTES};
use doppelwatch::store::{AlertChange, AlertFilter, AlertState, Finding, Store};
use support_watch::*;

fn cli(data: &Path, args: &[&str]) -> Output {
    Command::new(doppelwatch_bin())
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Registers `identity` through the CLI; its id.
fn add_person(dir: &Path, data: &Path, identity: &Identity) -> i64 {
    let file = identity_file(dir, identity);
    let added = json(&cli(data, &["people", "add", file.to_str().unwrap()]));
    assert_eq!(added["name"], identity.name.as_str());
    added["id"].as_i64().unwrap()
}

/// Records, in one transaction (one check), Bluesky impostors `first..first+n` of `person`
/// with distinct pictures (only arriving together groups them); the new alert ids.
fn check_finds(
    store: &Store,
    person: i64,
    name: &str,
    first: usize,
    n: usize,
    at: i64,
) -> Vec<i64> {
    let assessment: Assessment = impostor_assessment(&[Signal::DisplayName]);
    let found: Vec<_> = (first..first + n)
        .map(|i| {
            let mut f = found(bsky_profile(
                &format!("did:plc:{}{i}", name.len()),
                &format!(
                    "{}-{}.bsky.social",
                    name.to_lowercase().replace(' ', "-"),
                    [
                        "news", "real", "official", "team", "hq", "daily", "info", "live", "now",
                        "media", "press", "desk", "feed", "wire"
                    ][i % 14]
                ),
                name,
            ));
            f.avatar_image = Some(format!("picture {name} {i}").into_bytes());
            f
        })
        .collect();
    let findings: Vec<Finding<'_>> = found
        .iter()
        .map(|f| Finding {
            identity_id: person,
            found: f,
            assessment: &assessment,
        })
        .collect();
    store
        .record_findings(&findings, None, t(at))
        .unwrap()
        .into_iter()
        .map(|o| match o.alert {
            AlertChange::New(id) => id,
            other => panic!("not a new alert: {other:?}"),
        })
        .collect()
}

#[test]
fn a_single_person_database_of_the_previous_schema_keeps_every_alert() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let db = data.join(doppelwatch::store::DB_FILE);
    std::fs::copy("tests/fixtures/store_v3/doppelwatch.sqlite3", &db).unwrap();

    // The CLI upgrades it on first use and lists every alert with its person.
    let alerts = json(&cli(&data, &["alerts"]));
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 4, "{alerts:?}");
    for alert in alerts {
        assert_eq!(alert["person"]["id"], 1);
        assert_eq!(alert["person"]["name"], "Palmer Report");
        assert_eq!(alert["identity_id"], 1);
    }
    let people = json(&cli(&data, &["people"]));
    assert_eq!(people[0]["name"], "Palmer Report");
    assert_eq!(people[0]["alerts"]["total"], 4);

    let store = Store::open_in(&data).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        doppelwatch::store::SCHEMA_VERSION
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let all = store.alerts(&AlertFilter::default()).unwrap();
    let mut states: Vec<AlertState> = all.iter().map(|a| a.state).collect();
    states.sort_by_key(|s| s.as_str());
    assert_eq!(
        states,
        [
            AlertState::Dismissed,
            AlertState::New,
            AlertState::New,
            AlertState::Reported
        ]
    );
    let reported = all
        .iter()
        .find(|a| a.state == AlertState::Reported)
        .unwrap();
    assert_eq!(
        store.reports_for(reported.id).unwrap().len(),
        1,
        "the form report is kept"
    );
    let drafted = all
        .iter()
        .filter(|a| store.report_draft(a.id).unwrap().is_some())
        .count();
    assert_eq!(drafted, 1, "the edited draft is kept");
    assert_eq!(
        store.cursor("jetstream:1").unwrap().as_deref(),
        Some("1790000000000000")
    );
    assert!(
        store.pending_notifications().unwrap().is_empty(),
        "nothing pops up again"
    );
    assert!(
        all.iter().all(|a| a.wave_id.is_none()),
        "old alerts are not regrouped"
    );
}

#[test]
fn two_people_alerts_by_person_and_removal_never_loses_alerts_silently() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let palmer_id = add_person(dir.path(), &data, &palmer());
    let jane_id = add_person(dir.path(), &data, &jane());
    assert_ne!(palmer_id, jane_id);
    // Adding the same person again updates them (same id).
    assert_eq!(add_person(dir.path(), &data, &palmer()), palmer_id);
    {
        let store = Store::open_in(&data).unwrap();
        check_finds(&store, palmer_id, "Palmer Report", 0, 2, 0);
        check_finds(&store, jane_id, "Jane Doe", 0, 3, 0);
    }
    let jane_alerts = json(&cli(&data, &["alerts", "--person", "Jane Doe"]));
    assert_eq!(jane_alerts.as_array().unwrap().len(), 3);
    assert!(jane_alerts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["person"]["name"] == "Jane Doe"));
    let by_id = json(&cli(&data, &["alerts", "--person", &palmer_id.to_string()]));
    assert_eq!(by_id.as_array().unwrap().len(), 2);
    assert!(by_id
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["person"]["id"] == palmer_id));
    let unknown = cli(&data, &["alerts", "--person", "Nobody"]);
    assert_eq!(unknown.status.code(), Some(2), "an unusable argument");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no person \"Nobody\""));

    let people = json(&cli(&data, &["people"]));
    assert_eq!(people.as_array().unwrap().len(), 2);
    assert_eq!(people[1]["alerts"]["open"], 3);

    // Refused while Jane has alerts: nothing changes.
    let refused = cli(&data, &["people", "remove", "Jane Doe"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        why.contains("3 alert(s) (3 open)") && why.contains("--with-alerts"),
        "{why}"
    );
    assert_eq!(json(&cli(&data, &["alerts"])).as_array().unwrap().len(), 5);
    // Told to: Jane and her alerts go, Palmer's stay.
    let removed = json(&cli(
        &data,
        &["people", "remove", "jane doe", "--with-alerts"],
    ));
    assert_eq!(removed["removed"]["id"], jane_id);
    assert_eq!(removed["alerts_removed"], 3);
    let left = json(&cli(&data, &["alerts"]));
    assert_eq!(left.as_array().unwrap().len(), 2);
    assert!(left
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["person"]["id"] == palmer_id));
    assert_eq!(json(&cli(&data, &["people"])).as_array().unwrap().len(), 1);
}

#[test]
fn a_wave_of_impostors_is_one_notification_and_a_late_joiner_updates_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let palmer_id = add_person(dir.path(), &data, &palmer());
    let jane_id = add_person(dir.path(), &data, &jane());
    let store = Arc::new(Store::open_in(&data).unwrap());
    let sink = Arc::new(RecordingSink::default());
    let mut dispatcher = Dispatcher::new(store.clone(), sink.clone(), NotifyConfig::default());
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();

    // One check finds 12 impostors of Jane, another one of Palmer.
    let wave = check_finds(&store, jane_id, "Jane Doe", 0, 12, 0);
    check_finds(&store, palmer_id, "Palmer Report", 0, 1, 0);
    assert_eq!(dispatcher.tick(t(1), noon).unwrap(), 2);
    let notices = sink.notices();
    let summaries: Vec<&str> = notices.iter().map(|n| n.summary.as_str()).collect();
    assert!(
        summaries.contains(&"12 accounts imitating Jane Doe on Bluesky"),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&"Possible impersonator on Bluesky"),
        "{summaries:?}"
    );
    let jane_notice = notices.iter().find(|n| n.summary.contains("Jane")).unwrap();
    assert_eq!(jane_notice.outbox_ids.len(), 12);

    // The wave, from the CLI.
    let waves = json(&cli(&data, &["waves"]));
    let waves = waves.as_array().unwrap();
    assert_eq!(waves.len(), 1, "Palmer's lone alert is no wave: {waves:?}");
    assert_eq!(waves[0]["count"], 12);
    assert_eq!(waves[0]["person"]["name"], "Jane Doe");
    let wave_id = waves[0]["id"].as_i64().unwrap();
    assert_eq!(
        jane_notice.actions[0].0,
        format!(
            "review:wave:{wave_id}:{}",
            wave.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    );
    let members = json(&cli(&data, &["alerts", "--wave", &wave_id.to_string()]));
    let mut ids: Vec<i64> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, wave);
    assert_eq!(
        json(&cli(&data, &["waves", "--person", "Palmer Report"])),
        serde_json::json!([])
    );

    // Two more arrive five minutes later: they join the wave and wait (no pop-up) until the
    // wave's quiet window ends, then come as one update.
    check_finds(&store, jane_id, "Jane Doe", 12, 2, 300);
    assert_eq!(
        dispatcher.tick(t(400), noon).unwrap(),
        0,
        "{:?}",
        sink.notices()
    );
    assert_eq!(store.wave(wave_id).unwrap().count, 14);
    let later = t(1 + WAVE_UPDATE_MINUTES * 60 + 1);
    assert_eq!(dispatcher.tick(later, noon).unwrap(), 1);
    let update = sink.notices().last().unwrap().clone();
    assert_eq!(
        update.summary,
        "2 more accounts imitating Jane Doe on Bluesky"
    );
    assert_eq!(update.outbox_ids.len(), 2);
    assert!(store.pending_notifications().unwrap().is_empty());
}

#[test]
fn the_wave_update_period_is_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let jane_id = add_person(dir.path(), &data, &jane());
    let store = Arc::new(Store::open_in(&data).unwrap());
    let sink = Arc::new(RecordingSink::default());
    // The demo's pace: a wave's newcomers are announced half a minute after the wave.
    let config = NotifyConfig {
        batch_window_secs: 5,
        wave_update_secs: 30,
        ..NotifyConfig::default()
    };
    let mut dispatcher = Dispatcher::new(store.clone(), sink.clone(), config);
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    check_finds(&store, jane_id, "Jane Doe", 0, 3, 0);
    assert_eq!(dispatcher.tick(t(1), noon).unwrap(), 1);
    check_finds(&store, jane_id, "Jane Doe", 3, 2, 10);
    // Past the batch window but within the wave's period: held.
    assert_eq!(dispatcher.tick(t(20), noon).unwrap(), 0);
    assert_eq!(dispatcher.tick(t(32), noon).unwrap(), 1);
    assert_eq!(
        sink.notices().last().unwrap().summary,
        "2 more accounts imitating Jane Doe on Bluesky"
    );
    assert!(store.pending_notifications().unwrap().is_empty());
}

#[test]
fn a_wave_exports_as_one_bundle_with_one_manifest_and_every_account_inside() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let palmer_id = add_person(dir.path(), &data, &palmer());
    let jane_id = add_person(dir.path(), &data, &jane());
    let store = Store::open_in(&data).unwrap();
    let wave = check_finds(&store, jane_id, "Jane Doe", 0, 6, 0);
    let lone = check_finds(&store, palmer_id, "Palmer Report", 0, 1, 0);
    let wave_id = store.alert(wave[0]).unwrap().wave_id.unwrap();
    drop(store);

    let out = dir.path().join("wave.zip");
    let written = cli(
        &data,
        &["export-wave", &wave_id.to_string(), out.to_str().unwrap()],
    );
    let summary = json(&written);
    assert!(
        String::from_utf8_lossy(&written.stderr).contains("evidence bundle of wave"),
        "{written:?}"
    );
    let files = read_verified_bundle(&out);
    assert_eq!(
        summary["files"].as_array().unwrap().len(),
        files.len() - 1,
        "the summary lists every file but the manifest"
    );
    // One folder per account of the wave, each with its case; nothing of the lone alert.
    let index: serde_json::Value = serde_json::from_slice(&files["wave.json"]).unwrap();
    assert_eq!(index["wave"]["id"], wave_id);
    assert_eq!(index["wave"]["count"], 6);
    let accounts = index["accounts"].as_array().unwrap();
    let mut ids: Vec<i64> = accounts
        .iter()
        .map(|a| a["alert_id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, wave);
    for account in accounts {
        let folder = account["folder"].as_str().unwrap();
        let case: serde_json::Value =
            serde_json::from_slice(&files[&format!("{folder}case.json")]).unwrap();
        assert_eq!(case["alert_id"], account["alert_id"]);
        assert!(files.contains_key(&format!("{folder}reports.json")));
        assert!(files.contains_key(&format!("{folder}profile-001.json")));
        assert!(
            files
                .keys()
                .any(|n| n.starts_with(&format!("{folder}avatar-"))),
            "{folder} holds the account's picture"
        );
    }
    assert!(!files
        .keys()
        .any(|n| n.starts_with(&format!("accounts/{}-", lone[0]))));
    let identity: serde_json::Value =
        serde_json::from_slice(&files["person/identity.json"]).unwrap();
    assert_eq!(identity["name"], "Jane Doe");
    let readme = String::from_utf8(files["README.txt"].clone()).unwrap();
    assert!(readme.contains("6 accounts imitating Jane Doe"), "{readme}");

    // The file is never replaced unless asked; a wave that does not exist says so.
    let before = std::fs::read(&out).unwrap();
    let again = cli(
        &data,
        &["export-wave", &wave_id.to_string(), out.to_str().unwrap()],
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("--force"),
        "{again:?}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let forced = cli(
        &data,
        &[
            "export-wave",
            &wave_id.to_string(),
            out.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(forced.status.success(), "{forced:?}");
    let missing = cli(
        &data,
        &[
            "export-wave",
            "999",
            dir.path().join("x.zip").to_str().unwrap(),
        ],
    );
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("wave 999 not found"),
        "{missing:?}"
    );
    assert!(!dir.path().join("x.zip").exists());
    let not_a_number = cli(&data, &["export-wave", "first", "y.zip"]);
    assert_eq!(not_a_number.status.code(), Some(2), "{not_a_number:?}");
}

/// The watch service restarts when a person is added; its new notifier must keep the batch
/// window of the one before (the last notification is in the store), or a wave arriving then
/// pops up half counted at once and its rest comes as an "N more" update (what the wave e2e
/// saw once: 112 accounts announced, 5 of the same wave left for later).
#[test]
fn a_restarted_notifier_keeps_the_batch_window_so_a_wave_is_announced_once_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let palmer_id = add_person(dir.path(), &data, &palmer());
    let jane_id = add_person(dir.path(), &data, &jane());
    let store = Arc::new(Store::open_in(&data).unwrap());
    let sink = Arc::new(RecordingSink::default());
    let config = NotifyConfig {
        batch_window_secs: 45,
        wave_update_secs: 30,
        ..NotifyConfig::default()
    };
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    let mut before = Dispatcher::new(store.clone(), sink.clone(), config.clone());
    check_finds(&store, palmer_id, "Palmer Report", 0, 1, 0);
    assert_eq!(before.tick(t(1), noon).unwrap(), 1, "the lone impostor");
    check_finds(&store, jane_id, "Jane Doe", 0, 4, 10);
    drop(before);

    // The service restarted (Jane was added); her wave goes on arriving.
    let mut after = Dispatcher::new(store.clone(), sink.clone(), config);
    assert_eq!(
        after.tick(t(12), noon).unwrap(),
        0,
        "within the batch window of the last notification"
    );
    check_finds(&store, jane_id, "Jane Doe", 4, 3, 20);
    assert_eq!(after.tick(t(47), noon).unwrap(), 1);
    let notices = sink.notices();
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert_eq!(
        notices[1].summary,
        "7 accounts imitating Jane Doe on Bluesky"
    );
    assert!(store.pending_notifications().unwrap().is_empty());
}
