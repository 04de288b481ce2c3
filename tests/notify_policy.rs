//! The verdict policy of notifications (issue 9, item 4), on a real store file with a clock the
//! test controls: an `impostor` alert pops up at once; a `suspicious` one (worth a look, e.g. a
//! namesake) never does; at most one worth-a-look digest a day, also across restarts, and none
//! when the person turned it off; a suspicious alert that turns impostor pops up; the closed
//! case of a quiet alert stays quiet unless the person reported it; `doppelwatch alerts` lists
//! impostors and the worth-a-look list apart.

mod support_watch;

use std::sync::Arc;

use chrono::{Duration, NaiveTime};
use doppelwatch::detect::{Assessment, Signal, Verdict};
use doppelwatch::notify::{
    digest_due, Dispatcher, Notice, NotificationAction, NotifyConfig, DIGEST_EVERY_HOURS,
    DIGEST_GATHER_MINUTES,
};
use doppelwatch::store::{
    AlertChange, AlertFilter, AlertState, Finding, ReportMethod, Store, WaitingAlerts,
};
use support_watch::*;

fn noon() -> NaiveTime {
    NaiveTime::from_hms_opt(12, 0, 0).unwrap()
}

fn minutes(m: i64) -> i64 {
    m * 60
}

fn hours(h: i64) -> i64 {
    h * 3600
}

/// Records `assessment` for the Bluesky account `did`/`handle` at `at` seconds; the change.
fn record(store: &Store, did: &str, handle: &str, a: &Assessment, at: i64) -> AlertChange {
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let f = found(bsky_profile(did, handle, "Palmer Report"));
    store
        .record_finding(
            Finding {
                identity_id,
                found: &f,
                assessment: a,
            },
            t(at),
        )
        .unwrap()
        .alert
}

fn new_alert(store: &Store, did: &str, handle: &str, a: &Assessment, at: i64) -> i64 {
    match record(store, did, handle, a, at) {
        AlertChange::New(id) => id,
        other => panic!("expected a new alert for {handle}, got {other:?}"),
    }
}

fn namesake(store: &Store, n: u32, at: i64) -> i64 {
    new_alert(
        store,
        &format!("did:plc:namesake{n}"),
        &format!("namesake{n}.bsky.social"),
        &suspicious_assessment(),
        at,
    )
}

fn impostor(store: &Store, n: u32, at: i64) -> i64 {
    new_alert(
        store,
        &format!("did:plc:impostor{n}"),
        &format!("impostor{n}.bsky.social"),
        &impostor_assessment(&[Signal::DisplayName, Signal::Avatar]),
        at,
    )
}

struct Setup {
    dir: tempfile::TempDir,
    store: Arc<Store>,
    sink: Arc<RecordingSink>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    Setup {
        dir,
        store,
        sink: Arc::new(RecordingSink::default()),
    }
}

fn dispatcher(store: &Arc<Store>, sink: &Arc<RecordingSink>, digest: bool) -> Dispatcher {
    Dispatcher::new(
        store.clone(),
        sink.clone(),
        NotifyConfig {
            batch_window_secs: 0,
            quiet_hours: None,
            worth_a_look_digest: digest,
            ..NotifyConfig::default()
        },
    )
}

fn mentions(notice: &Notice, handle: &str) -> bool {
    notice.summary.contains(handle) || notice.body.contains(handle)
}

#[test]
fn an_impostor_pops_up_at_once_and_a_namesake_never_does() {
    let s = setup();
    let mut d = dispatcher(&s.store, &s.sink, true);
    let quiet = namesake(&s.store, 1, 0);
    let loud = impostor(&s.store, 1, 0);
    assert_eq!(d.tick(t(1), noon()).unwrap(), 1);
    let notices = s.sink.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].summary, "Possible impersonator on Bluesky");
    assert!(mentions(&notices[0], "@impostor1.bsky.social"));
    assert_eq!(notices[0].actions[0].0, format!("review:{loud}"));
    // Until the digest gathers, the namesake shows nowhere, however often the dispatcher runs.
    for m in 0..DIGEST_GATHER_MINUTES {
        assert_eq!(d.tick(t(minutes(m)), noon()).unwrap(), 0, "minute {m}");
    }
    assert!(s.sink.notices().iter().all(|n| !mentions(n, "namesake1")));
    // It waits in the worth-a-look list, and both are counted apart.
    let list = s
        .store
        .alerts(&AlertFilter {
            verdict: Some(Verdict::Suspicious),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(list.iter().map(|a| a.id).collect::<Vec<_>>(), [quiet]);
    assert_eq!(list[0].state, AlertState::New);
    let impostors = s
        .store
        .alerts(&AlertFilter {
            verdict: Some(Verdict::Impostor),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(impostors.iter().map(|a| a.id).collect::<Vec<_>>(), [loud]);
    assert_eq!(
        s.store.waiting_alerts().unwrap(),
        WaitingAlerts {
            impostors: 1,
            worth_a_look: 1
        }
    );
}

#[test]
fn the_digest_comes_at_most_once_a_day_even_across_restarts() {
    let s = setup();
    let mut d = dispatcher(&s.store, &s.sink, true);
    let first = namesake(&s.store, 1, 0);
    assert_eq!(
        d.tick(t(minutes(DIGEST_GATHER_MINUTES) - 1), noon())
            .unwrap(),
        0
    );
    assert_eq!(
        d.tick(t(minutes(DIGEST_GATHER_MINUTES)), noon()).unwrap(),
        1
    );
    let digest = s.sink.notices().pop().unwrap();
    assert_eq!(digest.summary, "1 account worth a look");
    assert!(
        mentions(&digest, "@namesake1.bsky.social on Bluesky"),
        "{digest:?}"
    );
    assert_eq!(
        digest.actions,
        vec![(format!("worth-a-look:{first}"), "Have a look".to_string())]
    );
    assert_eq!(
        NotificationAction::parse(&digest.actions[0].0),
        Some(NotificationAction::WorthALook)
    );
    assert_eq!(
        s.store.last_digest_at().unwrap(),
        Some(t(minutes(DIGEST_GATHER_MINUTES)))
    );

    // Two more the same day: nothing until a day after the first digest, even after a restart.
    let second = namesake(&s.store, 2, hours(2));
    let third = namesake(&s.store, 3, hours(3));
    for h in 3..=12 {
        assert_eq!(d.tick(t(hours(h)), noon()).unwrap(), 0, "hour {h}");
    }
    drop(d);
    let reopened = Arc::new(Store::open_in(s.dir.path()).unwrap());
    let mut d = dispatcher(&reopened, &s.sink, true);
    let day_after_first = minutes(DIGEST_GATHER_MINUTES) + hours(DIGEST_EVERY_HOURS);
    for h in 13..DIGEST_EVERY_HOURS {
        assert_eq!(d.tick(t(hours(h)), noon()).unwrap(), 0, "hour {h}");
    }
    assert_eq!(d.tick(t(day_after_first - 1), noon()).unwrap(), 0);
    assert_eq!(s.sink.notices().len(), 1, "{:?}", s.sink.notices());
    assert_eq!(d.tick(t(day_after_first), noon()).unwrap(), 1);
    let digest = s.sink.notices().pop().unwrap();
    assert_eq!(digest.summary, "2 accounts worth a look");
    assert!(mentions(&digest, "@namesake2.bsky.social"));
    assert!(mentions(&digest, "@namesake3.bsky.social"));
    assert!(
        !mentions(&digest, "namesake1"),
        "announced once: {digest:?}"
    );
    assert_eq!(
        digest.actions[0].0,
        format!("worth-a-look:{second},{third}")
    );
    // Nothing left to announce.
    assert_eq!(d.tick(t(day_after_first + hours(30)), noon()).unwrap(), 0);
}

#[test]
fn accounts_already_opened_are_left_out_of_the_digest() {
    let s = setup();
    let mut d = dispatcher(&s.store, &s.sink, true);
    let opened = namesake(&s.store, 1, 0);
    namesake(&s.store, 2, 0);
    s.store
        .set_alert_state(opened, AlertState::Seen, None)
        .unwrap();
    assert_eq!(d.tick(t(hours(2)), noon()).unwrap(), 1);
    let digest = s.sink.notices().pop().unwrap();
    assert_eq!(digest.summary, "1 account worth a look");
    assert!(mentions(&digest, "namesake2") && !mentions(&digest, "namesake1"));
}

#[test]
fn with_the_digest_off_nothing_is_shown_and_nothing_piles_up() {
    let s = setup();
    let mut d = dispatcher(&s.store, &s.sink, false);
    let quiet = namesake(&s.store, 1, 0);
    for at in [0, hours(2), hours(30), hours(100)] {
        assert_eq!(d.tick(t(at), noon()).unwrap(), 0);
    }
    assert!(s.sink.notices().is_empty(), "{:?}", s.sink.notices());
    assert!(s.store.pending_notifications().unwrap().is_empty());
    assert_eq!(s.store.last_digest_at().unwrap(), None);
    // The account is still in the worth-a-look list.
    assert_eq!(s.store.alert(quiet).unwrap().state, AlertState::New);
    // Impostors still pop up.
    impostor(&s.store, 1, hours(101));
    assert_eq!(d.tick(t(hours(101)), noon()).unwrap(), 1);
    // Turned back on later: accounts settled while it was off are not announced after all.
    let mut on = dispatcher(&s.store, &s.sink, true);
    assert_eq!(on.tick(t(hours(200)), noon()).unwrap(), 0);
    assert_eq!(s.sink.notices().len(), 1);
}

#[test]
fn a_namesake_that_turns_impostor_pops_up_once() {
    let s = setup();
    let mut d = dispatcher(&s.store, &s.sink, true);
    let copycat = impostor_assessment(&[Signal::DisplayName, Signal::Avatar, Signal::Bio]);
    // Before its digest: the waiting notification shows as the impostor it now is.
    let early = namesake(&s.store, 1, 0);
    assert_eq!(d.tick(t(10), noon()).unwrap(), 0);
    assert_eq!(
        record(
            &s.store,
            "did:plc:namesake1",
            "namesake1.bsky.social",
            &copycat,
            20
        ),
        AlertChange::Updated(early)
    );
    assert_eq!(d.tick(t(30), noon()).unwrap(), 1);
    let notices = s.sink.notices();
    assert_eq!(notices.len(), 1, "one notice, not two: {notices:?}");
    assert_eq!(notices[0].summary, "Possible impersonator on Bluesky");
    assert_eq!(notices[0].actions[0].0, format!("review:{early}"));

    // After its digest: announced anew.
    let late = namesake(&s.store, 2, hours(1));
    assert_eq!(d.tick(t(hours(3)), noon()).unwrap(), 1);
    assert_eq!(s.sink.notices()[1].summary, "1 account worth a look");
    assert_eq!(
        record(
            &s.store,
            "did:plc:namesake2",
            "namesake2.bsky.social",
            &copycat,
            hours(4)
        ),
        AlertChange::Updated(late)
    );
    assert_eq!(d.tick(t(hours(4) + 1), noon()).unwrap(), 1);
    let notices = s.sink.notices();
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert_eq!(notices[2].summary, "Possible impersonator on Bluesky");
    assert_eq!(notices[2].actions[0].0, format!("review:{late}"));
    // New evidence on an impostor alert is not announced twice.
    let more = impostor_assessment(&[
        Signal::DisplayName,
        Signal::Avatar,
        Signal::Bio,
        Signal::ConfusableHandle,
    ]);
    assert_eq!(
        record(
            &s.store,
            "did:plc:namesake2",
            "namesake2.bsky.social",
            &more,
            hours(5)
        ),
        AlertChange::Updated(late)
    );
    assert_eq!(d.tick(t(hours(5) + 1), noon()).unwrap(), 0);
}

#[test]
fn the_closed_case_of_a_quiet_alert_is_quiet_unless_it_was_reported() {
    let s = setup();
    let mut d = dispatcher(&s.store, &s.sink, false);
    let ignored = namesake(&s.store, 1, 0);
    let reported = namesake(&s.store, 2, 0);
    assert_eq!(d.tick(t(1), noon()).unwrap(), 0);
    s.store
        .record_report(
            reported,
            &doppelwatch::identity::Platform::Bluesky,
            ReportMethod::Form,
            None,
            None,
            t(2),
        )
        .unwrap();
    for id in [ignored, reported] {
        s.store
            .close_case(id, "the account was removed by Bluesky", t(3))
            .unwrap();
    }
    assert_eq!(d.tick(t(4), noon()).unwrap(), 1);
    let notices = s.sink.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].summary, "Case closed on Bluesky");
    assert!(mentions(&notices[0], "@namesake2.bsky.social"));
    assert!(s.store.pending_notifications().unwrap().is_empty());
}

#[test]
fn the_digest_is_due_after_gathering_and_a_day_of_rest() {
    let now = t(hours(100));
    let gathered = now - Duration::minutes(DIGEST_GATHER_MINUTES);
    assert!(digest_due(None, gathered, now));
    assert!(!digest_due(None, gathered + Duration::seconds(1), now));
    let a_day = Duration::hours(DIGEST_EVERY_HOURS);
    assert!(digest_due(Some(now - a_day), gathered, now));
    assert!(!digest_due(
        Some(now - a_day + Duration::seconds(1)),
        gathered,
        now
    ));
    // A clock set back does not silence the digest for good.
    assert!(digest_due(Some(now + a_day * 30), gathered, now));
}

#[test]
fn the_cli_lists_impostors_and_worth_a_look_apart() {
    let s = setup();
    let quiet = namesake(&s.store, 1, 0);
    let opened = namesake(&s.store, 2, 0);
    s.store
        .set_alert_state(opened, AlertState::Seen, None)
        .unwrap();
    let dismissed = namesake(&s.store, 3, 0);
    s.store
        .set_alert_state(dismissed, AlertState::Dismissed, None)
        .unwrap();
    let loud = impostor(&s.store, 1, 0);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(doppelwatch_bin())
            .arg("--data-dir")
            .arg(s.dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let ids = |out: &str| -> Vec<(i64, String)> {
        let list: serde_json::Value = serde_json::from_str(out).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_i64().unwrap(),
                    a["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (code, out, err) = run(&["alerts"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        ids(&out).len(),
        4,
        "every alert, each with its verdict: {out}"
    );
    let (code, out, err) = run(&["alerts", "--verdict", "impostor"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(ids(&out), [(loud, "impostor".to_string())]);
    let (code, out, err) = run(&["alerts", "--verdict", "suspicious", "--state", "new"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(ids(&out), [(quiet, "suspicious".to_string())]);
    // The worth-a-look list: suspicious alerts waiting for the person (new or seen).
    let (code, out, err) = run(&["alerts", "--worth-a-look"]);
    assert_eq!(code, Some(0), "{err}");
    let mut listed: Vec<i64> = ids(&out).into_iter().map(|(id, _)| id).collect();
    listed.sort();
    assert_eq!(listed, [quiet, opened]);
    // Bad input: a clear error naming the choices, exit 2.
    let (code, _, err) = run(&["alerts", "--verdict", "namesake"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("impostor") && err.contains("suspicious"),
        "{err}"
    );
    let (code, _, err) = run(&["alerts", "--worth-a-look", "--verdict", "impostor"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--worth-a-look"), "{err}");
}
