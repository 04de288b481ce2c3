//! Notifications against a REAL D-Bus notification service: a private `dbus-daemon` and a zbus
//! server owning `org.freedesktop.Notifications`. Asserts the `Notify` call (summary, body,
//! actions), the action round trip (`ActionInvoked` -> [`NotificationAction`]), a wave's
//! update as one notice, quiet hours, the closed-case notice, and the verdict policy: a namesake
//! (`suspicious`) sends nothing to the server, an impostor does, and the worth-a-look digest's
//! action comes back.
//!
//! One test function: the session bus address is process-wide state.
#![cfg(all(unix, not(target_os = "macos")))]

mod support_watch;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use doppelwatch::detect::{Assessment, Signal};
use doppelwatch::notify::{
    DesktopNotifier, Dispatcher, NotificationAction, NotifyConfig, QuietHours,
    DIGEST_GATHER_MINUTES, WAVE_UPDATE_MINUTES,
};
use doppelwatch::store::{AlertChange, Finding, Store};
use support_watch::dbus::{DbusSession, NotificationServer};
use support_watch::*;
use tokio::sync::mpsc::UnboundedReceiver;

fn add_alert(store: &Store, did: &str, handle: &str) -> i64 {
    let a = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    add_alert_as(store, did, handle, &a, t(0))
}

fn add_alert_as(store: &Store, did: &str, handle: &str, a: &Assessment, at: DateTime<Utc>) -> i64 {
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let f = found(bsky_profile(did, handle, "PaImer Report"));
    match store
        .record_finding(
            Finding {
                identity_id,
                found: &f,
                assessment: a,
            },
            at,
        )
        .unwrap()
        .alert
    {
        AlertChange::New(id) => id,
        other => panic!("{other:?}"),
    }
}

/// Clicks `key` on notification `id` until the app reports the action (the app subscribes to
/// the signal just after `Notify` returns, so the first click may come too early).
async fn click(
    server: &NotificationServer,
    id: u32,
    key: &str,
    actions: &mut UnboundedReceiver<NotificationAction>,
) -> NotificationAction {
    for _ in 0..100 {
        server.invoke_action(id, key).await;
        if let Ok(Some(action)) =
            tokio::time::timeout(Duration::from_millis(100), actions.recv()).await
        {
            return action;
        }
    }
    panic!("the action {key} never came back");
}

fn noon() -> NaiveTime {
    NaiveTime::from_hms_opt(12, 0, 0).unwrap()
}

#[test]
fn notifications_round_trip_through_a_real_dbus_server() {
    let bus = DbusSession::start();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let server = NotificationServer::start(&bus.address).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open_in(dir.path()).unwrap());
        let (tx, mut actions) = tokio::sync::mpsc::unbounded_channel();
        let sink = Arc::new(DesktopNotifier::new(tx));
        let mut dispatcher = Dispatcher::new(
            store.clone(),
            sink.clone(),
            NotifyConfig {
                batch_window_secs: 60,
                quiet_hours: None,
                worth_a_look_digest: true,
                ..NotifyConfig::default()
            },
        );

        // One impostor: one notification saying who copies whom, where, with both actions.
        let first = add_alert(&store, "did:plc:imp1", "palmer-report.bsky.social");
        assert_eq!(dispatcher.tick(t(0), noon()).unwrap(), 1);
        assert_eq!(dispatcher.tick(t(300), noon()).unwrap(), 0, "nothing twice");
        let calls = server.wait_for_calls(1, Duration::from_secs(5)).await;
        assert_eq!(calls.len(), 1);
        let call = &calls[0];
        assert_eq!(call.app_name, "Doppelwatch");
        assert_eq!(call.summary, "Possible impersonator on Bluesky");
        assert_eq!(
            call.body,
            "@palmer-report.bsky.social uses your name and photo (Palmer Report)"
        );
        assert_eq!(
            call.actions,
            vec![
                format!("review:{first}"),
                "Review and report".to_string(),
                format!("allow:{first}"),
                "Not an impostor".to_string(),
            ]
        );
        let action = click(&server, call.id, &format!("review:{first}"), &mut actions).await;
        assert_eq!(
            action,
            NotificationAction::Review {
                alert_id: Some(first)
            }
        );

        // Three alerts within the window join the first one's wave (close together, the same
        // picture): held inside the batch window, and while the wave was announced less than
        // WAVE_UPDATE_MINUTES ago; then one update for the three.
        let mut ids = Vec::new();
        for n in 2..=4 {
            ids.push(add_alert(
                &store,
                &format!("did:plc:imp{n}"),
                &format!("imp{n}.bsky.social"),
            ));
        }
        assert_eq!(
            dispatcher.tick(t(30), noon()).unwrap(),
            0,
            "inside the batch window"
        );
        assert_eq!(
            dispatcher.tick(t(400), noon()).unwrap(),
            0,
            "the wave was announced minutes ago"
        );
        assert_eq!(
            dispatcher
                .tick(t(WAVE_UPDATE_MINUTES * 60), noon())
                .unwrap(),
            1
        );
        let calls = server.wait_for_calls(2, Duration::from_secs(5)).await;
        assert_eq!(calls.len(), 2);
        assert_eq!(
            calls[1].summary,
            "3 more accounts imitating Palmer Report on Bluesky"
        );
        assert!(
            calls[1].body.contains("@imp2.bsky.social on Bluesky"),
            "{}",
            calls[1].body
        );
        let wave = store.alert(ids[0]).unwrap().wave_id.unwrap();
        assert_eq!(store.alert(first).unwrap().wave_id, Some(wave));
        let summary_key = format!("review:wave:{wave}:{}", {
            let mut ids = ids.clone();
            ids.sort();
            ids.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        });
        assert_eq!(
            calls[1].actions,
            vec![summary_key.as_str(), "Review the wave"]
        );
        let action = click(&server, calls[1].id, &summary_key, &mut actions).await;
        // The wave's action opens that wave (issue 11), not the whole list.
        assert_eq!(action, NotificationAction::ReviewWave { wave_id: wave });

        // Quiet hours hold notifications; they come after.
        let mut quiet = Dispatcher::new(
            store.clone(),
            sink.clone(),
            NotifyConfig {
                batch_window_secs: 0,
                quiet_hours: Some(QuietHours {
                    start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
                }),
                worth_a_look_digest: true,
                ..NotifyConfig::default()
            },
        );
        let late = add_alert(&store, "did:plc:late", "late.bsky.social");
        assert_eq!(
            quiet
                .tick(t(500), NaiveTime::from_hms_opt(23, 0, 0).unwrap())
                .unwrap(),
            0
        );
        assert_eq!(server.calls().len(), 2);
        assert_eq!(
            quiet
                .tick(t(600), NaiveTime::from_hms_opt(7, 30, 0).unwrap())
                .unwrap(),
            1
        );
        let calls = server.wait_for_calls(3, Duration::from_secs(5)).await;
        assert_eq!(calls[2].actions[2], format!("allow:{late}"));
        // "Not an impostor" comes back as Allow for that alert.
        let action = click(&server, calls[2].id, &format!("allow:{late}"), &mut actions).await;
        assert_eq!(action, NotificationAction::Allow { alert_id: late });

        // A closed case is announced.
        store
            .close_case(first, "the account was removed by Bluesky", t(700))
            .unwrap();
        assert_eq!(quiet.tick(t(800), noon()).unwrap(), 1);
        let calls = server.wait_for_calls(4, Duration::from_secs(5)).await;
        assert_eq!(calls[3].summary, "Case closed on Bluesky");
        assert_eq!(
            calls[3].body,
            "@palmer-report.bsky.social: the account was removed by Bluesky"
        );
        // A notification closed without an action sends nothing back.
        server.close(calls[3].id, 2).await;
        assert!(
            tokio::time::timeout(Duration::from_millis(300), actions.recv())
                .await
                .is_err()
        );
        let _ = ids;

        // A namesake (suspicious) sends nothing to the server; an impostor found after it does.
        let before = server.calls().len();
        let namesake = add_alert_as(
            &store,
            "did:plc:namesake",
            "adelaideplumber.bsky.social",
            &suspicious_assessment(),
            t(900),
        );
        assert_eq!(quiet.tick(t(901), noon()).unwrap(), 0);
        let impostor = add_alert(&store, "did:plc:after", "after.bsky.social");
        assert_eq!(quiet.tick(t(902), noon()).unwrap(), 1);
        let calls = server
            .wait_for_calls(before + 1, Duration::from_secs(5))
            .await;
        assert_eq!(calls.len(), before + 1, "only the impostor: {calls:?}");
        assert_eq!(calls[before].actions[0], format!("review:{impostor}"));
        assert!(
            calls
                .iter()
                .all(|c| !c.body.contains("adelaideplumber")
                    && !c.summary.contains("adelaideplumber"))
        );

        // Once gathered, the daily digest says how many are worth a look; its action comes back
        // as "open the worth-a-look list".
        let gathered = t(900 + DIGEST_GATHER_MINUTES * 60);
        assert_eq!(quiet.tick(gathered, noon()).unwrap(), 1);
        let calls = server
            .wait_for_calls(before + 2, Duration::from_secs(5))
            .await;
        let digest = &calls[before + 1];
        assert_eq!(digest.summary, "1 account worth a look");
        assert!(
            digest
                .body
                .contains("@adelaideplumber.bsky.social on Bluesky"),
            "{}",
            digest.body
        );
        let key = format!("worth-a-look:{namesake}");
        assert_eq!(digest.actions, vec![key.as_str(), "Have a look"]);
        let action = click(&server, digest.id, &key, &mut actions).await;
        assert_eq!(action, NotificationAction::WorthALook);
    });
}
