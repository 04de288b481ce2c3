//! Crash safety, many times over: the real `doppelwatch watch` binary is killed with SIGKILL
//! at random moments (`DOPPELWATCH_KILL_ROUNDS`, default 20) while impostors keep appearing on
//! the fake Bluesky, including while it is down, and restarted each time.
//!
//! Periodic checks are switched off (no search queries, no probes), so an impostor can only be
//! found on the Jetstream live stream: one created while the watcher was dead is found only if
//! the stored cursor resumes the stream without a gap. After every kill the SQLite file must
//! pass `PRAGMA integrity_check`, no account may have two alerts and the stored cursor may never
//! move backwards; at the end every impostor has exactly one alert and at least one
//! notification on the real D-Bus notification server (a private session bus).
//!
//! Run: `cargo test --test crash_watch_kill9 -- --nocapture` (prints the figures).
#![cfg(all(unix, not(target_os = "macos")))]

mod support_watch;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::store::{AlertFilter, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support_watch::dbus::{DbusSession, NotificationServer, NotifyCall};

const OWN_HANDLE: &str = "palmerreport.bsky.social";
const BIO: &str = "Independent political news and analysis since 2016";

struct Env {
    bus: String,
    data: PathBuf,
    config_file: PathBuf,
    config_home: PathBuf,
    bluesky: String,
    jetstream: String,
    identity: PathBuf,
    logs: PathBuf,
}

impl Env {
    fn start_watcher(&self, run: usize) -> Watcher {
        let log = std::fs::File::create(self.logs.join(format!("watch-{run}.log"))).unwrap();
        let child = Command::new(support_watch::doppelwatch_bin())
            .args(["watch", "--source", "bluesky", "--identity"])
            .arg(&self.identity)
            .arg("--data-dir")
            .arg(&self.data)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("DOPPELWATCH_CONFIG", &self.config_file)
            .env("XDG_CONFIG_HOME", &self.config_home)
            .env("DOPPELWATCH_BLUESKY_URL", &self.bluesky)
            .env("DOPPELWATCH_JETSTREAM_URL", &self.jetstream)
            .env("DOPPELWATCH_LOOPBACK_FAKES", "1")
            .env("RUST_LOG", "doppelwatch=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("the doppelwatch binary runs");
        Watcher(child)
    }
}

/// A running watcher; killed (SIGKILL) when dropped, so a failing test leaves none behind.
struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kill9(watcher: Watcher) {
    // SIGKILL: no chance to clean up, like a power cut for the process (Drop sends it).
    drop(watcher);
}

/// Alert ids per impostor DID.
fn alerts_by_account(data: &Path) -> HashMap<String, Vec<i64>> {
    let store = Store::open_in(data).unwrap();
    let mut map: HashMap<String, Vec<i64>> = HashMap::new();
    for alert in store.alerts(&AlertFilter::default()).unwrap() {
        let key = alert.profile.platform_id.clone().unwrap_or_default();
        map.entry(key).or_default().push(alert.id);
    }
    map
}

fn stored_cursor(data: &Path) -> Option<u64> {
    let store = Store::open_in(data).ok()?;
    let id = store.identities().ok()?.first()?.0;
    store
        .cursor(&format!("jetstream:{id}"))
        .ok()
        .flatten()
        .and_then(|c| c.parse().ok())
}

/// Prints the watchers' logs when the test fails, so CI shows why.
struct LogsOnFailure(PathBuf);

impl Drop for LogsOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let mut entries: Vec<_> = std::fs::read_dir(&self.0)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries.iter().rev().take(3) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            eprintln!("--- {} (last lines)\n{tail}", path.display());
        }
    }
}

#[test]
fn kill_9_at_random_moments_loses_nothing_and_duplicates_nothing() {
    let rounds: usize = std::env::var("DOPPELWATCH_KILL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("DOPPELWATCH_KILL_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!("kill -9 rounds: {rounds}, seed {seed} (DOPPELWATCH_KILL_SEED to replay)");
    let mut rng = StdRng::seed_from_u64(seed);

    let bus = DbusSession::start();
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let notifications = NotificationServer::start(&bus.address).await;
        let fake = Arc::new(FakeBluesky::start().await.unwrap());
        fake.add_account(
            FakeAccount::new(OWN_HANDLE)
                .name("Palmer Report")
                .bio(BIO)
                .avatar(sample_avatar_png(7))
                .followers(250_000),
        );
        let logs = tmp.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        let _show_logs = LogsOnFailure(logs.clone());
        let identity = tmp.path().join("identity.json");
        std::fs::write(
            &identity,
            serde_json::json!({
                "name": "Palmer Report",
                "handles": [{"platform": "bluesky", "handle": OWN_HANDLE}],
                "bio": BIO,
            })
            .to_string(),
        )
        .unwrap();
        let config_file = tmp.path().join("config.json");
        std::fs::write(
            &config_file,
            serde_json::json!({
                "http": {"fetch_avatars": false, "timeout_secs": 5},
                "watch": {"check_interval_secs": 3600, "recheck_interval_secs": 3600,
                          "min_backoff_secs": 1, "max_backoff_secs": 2,
                          "notify_batch_secs": 0, "jitter": 0.0},
                // Only the live stream finds impostors: no searches, no probes, no rewind.
                "bluesky": {"search_pages": 1, "max_queries": 0, "probe_limit": 0, "rewind_secs": 0},
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
            identity,
            logs: logs.clone(),
        };

        // A first run stores a cursor; from then on nothing may be missed.
        let first = env.start_watcher(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut bystanders = 0;
        while stored_cursor(&env.data).is_none() {
            assert!(Instant::now() < deadline, "the first run never stored a cursor");
            // The cursor moves with events: unrelated accounts give it some.
            bystanders += 1;
            fake.add_account(FakeAccount::new(format!("jane{bystanders}.bsky.social")).name("Jane"));
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        kill9(first);

        // Impostors keep appearing, whether the watcher is up or down.
        let dids: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let down = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let producer = {
            let fake = fake.clone();
            let dids = dids.clone();
            let down = down.clone();
            let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED);
            tokio::spawn(async move {
                let mut n = 0;
                loop {
                    let wait = Duration::from_millis(rng.gen_range(80..600));
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stop_rx.changed() => return,
                    }
                    n += 1;
                    let did = fake.add_account(
                        FakeAccount::new(format!("palmer-report-{n}.bsky.social"))
                            .name("PaImer Report")
                            .bio(BIO),
                    );
                    let while_down = down.load(std::sync::atomic::Ordering::SeqCst);
                    dids.lock().unwrap().push((did, while_down));
                }
            })
        };

        let mut last_cursor = stored_cursor(&env.data).unwrap_or(0);
        for run in 1..=rounds {
            // Some impostors arrive while it is down.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..700))).await;
            down.store(false, std::sync::atomic::Ordering::SeqCst);
            let child = env.start_watcher(run);
            tokio::time::sleep(Duration::from_millis(rng.gen_range(150..2500))).await;
            kill9(child);
            down.store(true, std::sync::atomic::Ordering::SeqCst);
            {
                let store = Store::open_in(&env.data).unwrap();
                assert_eq!(
                    store.integrity_check().unwrap(),
                    "ok",
                    "round {run}: the file is damaged"
                );
            }
            for (did, ids) in alerts_by_account(&env.data) {
                assert_eq!(ids.len(), 1, "round {run}: {did} alerted twice: {ids:?}");
            }
            let cursor = stored_cursor(&env.data).unwrap_or(0);
            assert!(
                cursor >= last_cursor,
                "round {run}: the cursor went back from {last_cursor} to {cursor}"
            );
            last_cursor = cursor;
        }
        let _ = stop_tx.send(true);
        producer.await.unwrap();
        let dids = dids.lock().unwrap().clone();
        let while_down = dids.iter().filter(|(_, d)| *d).count();

        // A last run catches up: every impostor alerted exactly once.
        let last = env.start_watcher(rounds + 1);
        let wanted: HashSet<&String> = dids.iter().map(|(d, _)| d).collect();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let by_account = alerts_by_account(&env.data);
            let missing: Vec<_> = wanted
                .iter()
                .filter(|d| !by_account.contains_key(d.as_str()))
                .collect();
            if missing.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "impostors never alerted (lost): {missing:?}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // A marker impostor after everything: the stream handles events in order, so once the
        // marker has alerted, every earlier event (a replayed duplicate included) was handled.
        let marker = fake.add_account(
            FakeAccount::new("palmer-report-marker.bsky.social")
                .name("PaImer Report")
                .bio(BIO),
        );
        let deadline = Instant::now() + Duration::from_secs(90);
        while !alerts_by_account(&env.data).contains_key(&marker) {
            assert!(Instant::now() < deadline, "the marker impostor never alerted");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let mut by_account = alerts_by_account(&env.data);
        assert_eq!(by_account.remove(&marker).map(|a| a.len()), Some(1));
        kill9(last);
        for did in &wanted {
            assert_eq!(by_account[*did].len(), 1, "{did}: {:?}", by_account[*did]);
        }
        assert_eq!(
            by_account.len(),
            wanted.len(),
            "only impostors alerted: {by_account:?}"
        );
        let store = Store::open_in(&env.data).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
        assert!(stored_cursor(&env.data).unwrap_or(0) >= last_cursor);

        // Every alert reached the notification server at least once (waited for: the last
        // notices may still be on their way when the marker's alert is committed).
        let alert_ids: Vec<i64> = by_account.values().flatten().copied().collect();
        let deadline = Instant::now() + Duration::from_secs(60);
        let (calls, notified) = loop {
            let calls = notifications.calls();
            let notified = notified_alerts(&calls);
            if alert_ids.iter().all(|id| notified.contains_key(id)) || Instant::now() > deadline {
                break (calls, notified);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        let unnotified: Vec<_> = alert_ids
            .iter()
            .filter(|id| !notified.contains_key(id))
            .collect();
        assert!(
            unnotified.is_empty(),
            "alerts never notified: {unnotified:?} (calls: {})",
            calls.len()
        );
        let repeated = notified.values().filter(|n| **n > 1).count();
        eprintln!(
            "kill -9: {rounds} rounds survived; {} impostors ({while_down} created while the \
             watcher was down), {} alerts, 0 lost, 0 duplicated, integrity ok after every kill; \
             {} notification calls, {repeated} alerts notified more than once",
            wanted.len(),
            alert_ids.len(),
            calls.len()
        );
    });
}

/// How often each alert id was named by a notification's actions (`review:N`, or a summary's
/// `review:all:3,4,5`).
fn notified_alerts(calls: &[NotifyCall]) -> HashMap<i64, usize> {
    let mut notified: HashMap<i64, usize> = HashMap::new();
    for call in calls {
        for key in call.actions.iter().step_by(2) {
            if let Some(id) = key.strip_prefix("review:").and_then(|i| i.parse().ok()) {
                *notified.entry(id).or_default() += 1;
            }
            // A summary of several alerts lists them: `review:all:3,4,5`; a wave's notice
            // too, after the wave: `review:wave:2:3,4,5`.
            let wave = key
                .strip_prefix("review:wave:")
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, list)| list);
            if let Some(list) = key.strip_prefix("review:all:").or(wave) {
                for id in list.split(',').filter_map(|i| i.parse().ok()) {
                    *notified.entry(id).or_default() += 1;
                }
            }
        }
    }
    notified
}
