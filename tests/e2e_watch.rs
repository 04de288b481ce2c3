//! End to end: the real `doppelwatch watch` binary against the fake Bluesky (HTTP and
//! Jetstream), a real D-Bus notification server and a real gnome-keyring, all on a private
//! session bus. A namesake appears -> an alert worth a look and no notification; an impostor
//! appears -> exactly one notification; clicking "Review and report"
//! yields the report draft; the report filed to the fake Bluesky carries the impersonation
//! reason, the labeler proxy and the impostor's DID; `kill -9` at random moments and restarts
//! lose no alert and duplicate none (PRAGMA integrity_check ok); the taken-down account closes
//! the case and the person is told.
//!
//! One test function: the session bus address is process-wide state.
#![cfg(all(unix, not(target_os = "macos")))]

mod support_watch;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::demo::namesake;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::report::bluesky::{LABELER_PROXY, REASON_IMPERSONATION};
use doppelwatch::store::{AlertFilter, AlertState, Store};
use rand::Rng;
use serde_json::Value;
use support_watch::dbus::{DbusSession, GnomeKeyring, NotificationServer};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const APP_PASSWORD: &str = "e2e1-app2-pass-word";
const OWN_HANDLE: &str = "palmerreport.bsky.social";
const BIO: &str = "Independent political news and analysis since 2016";

struct Env {
    bus: String,
    data: PathBuf,
    config_file: PathBuf,
    config_home: PathBuf,
    bluesky: String,
    jetstream: String,
    logs: PathBuf,
}

impl Env {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(support_watch::doppelwatch_bin());
        cmd.args(args)
            .arg("--data-dir")
            .arg(&self.data)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("DOPPELWATCH_CONFIG", &self.config_file)
            .env("XDG_CONFIG_HOME", &self.config_home)
            .env("DOPPELWATCH_BLUESKY_URL", &self.bluesky)
            .env("DOPPELWATCH_BLUESKY_PDS_URL", &self.bluesky)
            .env("DOPPELWATCH_JETSTREAM_URL", &self.jetstream)
            .env("DOPPELWATCH_LOOPBACK_FAKES", "1")
            .env("RUST_LOG", "doppelwatch=debug");
        cmd
    }
}

/// A running `doppelwatch watch`, its stdout lines parsed as JSON.
struct Watcher {
    child: Child,
    lines: UnboundedReceiver<Value>,
}

impl Watcher {
    fn start(env: &Env, identity: &Path, run: usize) -> Watcher {
        let log = std::fs::File::create(env.logs.join(format!("watch-{run}.log"))).unwrap();
        let mut child = env
            .command(&[
                "watch",
                "--source",
                "bluesky",
                "--identity",
                identity.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    if tx.send(value).is_err() {
                        break;
                    }
                }
            }
        });
        Watcher { child, lines }
    }

    async fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(v)) if pred(&v) => return v,
                Ok(Some(_)) => {}
                Ok(None) => panic!("watch exited while waiting for {what}"),
                Err(_) => panic!("no {what} within {timeout:?}"),
            }
        }
    }

    fn kill9(mut self) {
        // SIGKILL: no chance to clean up, like a power cut for the process.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // A failing test must not leave a watcher running (kill on an exited child is a no-op).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn alerts_by_account(data: &Path) -> HashMap<String, Vec<(i64, AlertState)>> {
    let store = Store::open_in(data).unwrap();
    let mut map: HashMap<String, Vec<(i64, AlertState)>> = HashMap::new();
    for alert in store.alerts(&AlertFilter::default()).unwrap() {
        let key = alert.profile.platform_id.clone().unwrap_or_default();
        map.entry(key).or_default().push((alert.id, alert.state));
    }
    map
}

fn impostor(handle: &str) -> FakeAccount {
    FakeAccount::new(handle)
        .name("PaImer Report")
        .bio(BIO)
        .avatar(sample_avatar_png(7))
}

/// Prints the watchers' logs when the test fails, so CI shows why.
struct LogsOnFailure(PathBuf);

impl Drop for LogsOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.0) else {
            return;
        };
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let tail: String = text
                .lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            eprintln!("--- {} (last lines)\n{tail}", entry.path().display());
        }
    }
}

#[test]
fn watch_end_to_end() {
    let bus = DbusSession::start();
    let tmp = tempfile::tempdir().unwrap();
    let _keyring = GnomeKeyring::start(&bus, &tmp.path().join("keyring"));
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let notifications = NotificationServer::start(&bus.address).await;
        let fake = FakeBluesky::start().await.unwrap();
        fake.add_account(
            FakeAccount::new(OWN_HANDLE)
                .name("Palmer Report")
                .bio(BIO)
                .avatar(sample_avatar_png(7))
                .followers(250_000),
        );
        fake.set_app_password(OWN_HANDLE, APP_PASSWORD);

        let logs = tmp.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        let _show_logs = LogsOnFailure(logs.clone());
        let avatar = tmp.path().join("me.png");
        std::fs::write(&avatar, sample_avatar_png(7)).unwrap();
        let identity = tmp.path().join("identity.json");
        let person_json = serde_json::json!({
            "name": "Palmer Report",
            "handles": [{"platform": "bluesky", "handle": OWN_HANDLE}],
            "avatar": avatar,
            "bio": BIO,
        });
        std::fs::write(&identity, person_json.to_string()).unwrap();
        let person: Identity = serde_json::from_value(person_json).unwrap();
        let config_file = tmp.path().join("config.json");
        std::fs::write(
            &config_file,
            serde_json::json!({
                "watch": {"check_interval_secs": 1, "recheck_interval_secs": 1,
                          "min_backoff_secs": 1, "max_backoff_secs": 2,
                          "notify_batch_secs": 0, "jitter": 0.2},
                "bluesky": {"search_pages": 1, "max_queries": 3, "probe_limit": 10, "rewind_secs": 1},
            })
            .to_string(),
        )
        .unwrap();
        let env = Env {
            bus: bus.address.clone(),
            data: tmp.path().join("data"),
            config_file,
            config_home: tmp.path().join("config"),
            bluesky: fake.base_url(),
            jetstream: fake.jetstream_url(),
            logs: logs.clone(),
        };

        // The app password goes into the keychain through the CLI.
        let mut set = env
            .command(&["secret", "set", "bluesky-app-password", OWN_HANDLE])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        set.stdin.take().unwrap().write_all(APP_PASSWORD.as_bytes()).unwrap();
        assert!(set.wait().unwrap().success());

        // 1. Watching; an impostor appears: exactly one notification.
        let mut watcher = Watcher::start(&env, &identity, 0);
        watcher
            .wait_for("a first check", Duration::from_secs(30), |v| v["event"] == "check_done")
            .await;
        assert!(notifications.calls().is_empty(), "the person's own account alerts nothing");
        // A namesake (the exact name on someone else's new account, with its own face and bio)
        // is worth a look: an alert, and no pop-up.
        let namesake_did = fake.add_account(namesake(&person, &Platform::Bluesky));
        let quiet_alert = watcher
            .wait_for("the namesake's alert", Duration::from_secs(30), |v| {
                v["event"] == "new_alert"
            })
            .await;
        assert_eq!(quiet_alert["alert"]["profile"]["platform_id"], namesake_did.as_str());
        assert_eq!(quiet_alert["alert"]["verdict"], "suspicious");
        let impostor_did = fake.add_account(impostor("palmerreport-news.bsky.social"));
        let new_alert = watcher
            .wait_for("the impostor's alert", Duration::from_secs(30), |v| {
                v["event"] == "new_alert"
            })
            .await;
        let alert_id = new_alert["alert"]["id"].as_i64().unwrap();
        assert_eq!(new_alert["alert"]["profile"]["platform_id"], impostor_did.as_str());
        let calls = notifications.wait_for_calls(1, Duration::from_secs(10)).await;
        // Several more periodic checks and the live stream see it again: still one. (Three whole
        // checks after the alert, counted by their events, not a wait of some seconds.)
        for n in 1..=3 {
            watcher
                .wait_for(&format!("check {n} after the alert"), Duration::from_secs(60), |v| {
                    v["event"] == "check_done"
                })
                .await;
        }
        let calls_after = notifications.calls();
        assert_eq!(calls_after.len(), 1, "exactly one notification, none for the namesake: {calls_after:?}");
        let call = &calls[0];
        assert_eq!(call.summary, "Possible impersonator on Bluesky");
        assert!(
            call.body.starts_with("@palmerreport-news.bsky.social uses your name"),
            "{}",
            call.body
        );
        assert_eq!(call.actions[0], format!("review:{alert_id}"));
        assert_eq!(call.actions[1], "Review and report");
        assert_eq!(call.actions[3], "Not an impostor");

        // 2. "Review and report" -> the draft.
        let review = {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                notifications.invoke_action(call.id, &call.actions[0]).await;
                if let Ok(Some(v)) =
                    tokio::time::timeout(Duration::from_millis(200), watcher.lines.recv()).await
                {
                    if v["event"] == "review" {
                        break v;
                    }
                }
                assert!(Instant::now() < deadline, "the review action never came back");
            }
        };
        assert_eq!(review["alert_id"], alert_id);
        let draft = &review["draft"];
        assert_eq!(
            draft["impostor_url"],
            "https://bsky.app/profile/palmerreport-news.bsky.social"
        );
        assert_eq!(draft["api"], "bluesky_create_report");
        assert!(draft["text"].as_str().unwrap().contains("impersonates me, Palmer Report"));

        // 3. Filed to the fake Bluesky after confirming.
        let filed = env
            .command(&["report", &alert_id.to_string(), "--file", "--yes"])
            .output()
            .unwrap();
        assert!(filed.status.success(), "{}", String::from_utf8_lossy(&filed.stderr));
        let reports = fake.received_reports();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].category, REASON_IMPERSONATION);
        assert_eq!(reports[0].subject, impostor_did);
        assert_eq!(reports[0].routing.as_deref(), Some(LABELER_PROXY));
        assert_eq!(reports[0].body["subject"]["$type"], "com.atproto.admin.defs#repoRef");

        // 4. kill -9 at random moments while impostors keep appearing.
        watcher.kill9();
        let mut dids = vec![impostor_did.clone()];
        let mut rng = rand::thread_rng();
        for run in 1..=5 {
            dids.push(fake.add_account(impostor(&format!("palmer-report{run}.bsky.social"))));
            let w = Watcher::start(&env, &identity, run);
            tokio::time::sleep(Duration::from_millis(rng.gen_range(150..2500))).await;
            w.kill9();
        }
        let mut watcher = Watcher::start(&env, &identity, 99);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let by_account = alerts_by_account(&env.data);
            if dids.iter().all(|d| by_account.contains_key(d)) {
                break;
            }
            assert!(Instant::now() < deadline, "not every impostor alerted: {by_account:?}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // Two whole checks after every impostor alerted (counted by their events) add nothing.
        for n in 1..=2 {
            watcher
                .wait_for(&format!("check {n} after the last alert"), Duration::from_secs(60), |v| {
                    v["event"] == "check_done"
                })
                .await;
        }
        let by_account = alerts_by_account(&env.data);
        for did in &dids {
            assert_eq!(by_account[did].len(), 1, "one alert for {did}: {by_account:?}");
        }
        assert_eq!(by_account[&namesake_did].len(), 1, "{by_account:?}");
        assert_eq!(by_account.len(), dids.len() + 1, "nothing else alerted: {by_account:?}");
        assert_eq!(by_account[&impostor_did][0].1, AlertState::Reported, "nothing lost");
        {
            let store = Store::open_in(&env.data).unwrap();
            assert_eq!(store.integrity_check().unwrap(), "ok");
            assert_eq!(store.reports_for(alert_id).unwrap().len(), 1);
        }

        // 5. The platform takes the reported account down: the case closes, the person is told.
        let before = notifications.calls().len();
        assert!(fake.remove_account(&impostor_did));
        let closed = watcher
            .wait_for("the closed case", Duration::from_secs(30), |v| {
                v["event"] == "case_closed" && v["alert"]["id"] == alert_id
            })
            .await;
        assert_eq!(closed["alert"]["state"], "resolved");
        assert_eq!(
            closed["alert"]["state_note"],
            "the account was removed by Bluesky"
        );
        let calls = notifications
            .wait_for_calls(before + 1, Duration::from_secs(10))
            .await;
        assert!(
            calls[before..]
                .iter()
                .any(|c| c.summary == "Case closed on Bluesky"
                    && c.body.contains("removed by Bluesky")),
            "{calls:?}"
        );
        // A clean stop on SIGTERM.
        let pid = watcher.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = watcher.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    });
}
