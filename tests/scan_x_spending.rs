//! `scan --source x` spends against the same daily cap and re-read window as the watcher:
//! the spending is kept in the database, so repeated scans (separate processes) stop at the
//! cap and say so, and accounts read within the re-read window are not paid for again.
//! Several registered people share the day's room evenly, and each check says what it cost.
//! The X bearer token comes from a real Secret Service (gnome-keyring on a private bus).
#![cfg(all(unix, not(target_os = "macos")))]

mod support_watch;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use doppelwatch::fake::x::FakeX;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::Identity;
use doppelwatch::sources::x::ranked_probes;
use support_watch::dbus::{DbusSession, GnomeKeyring};

const TOKEN: &str = "x-app-token-for-scan";
const IDENTITY: &str =
    r#"{"name": "Palmer Report", "handles": [{"platform": "x", "handle": "PalmerReport"}]}"#;

struct World {
    bus: DbusSession,
    _keyring: GnomeKeyring,
    dir: tempfile::TempDir,
    x: FakeX,
}

impl World {
    /// A fake X holding the `accounts` most plausible look-alikes, settings with `x` values.
    async fn start(accounts: usize, x_settings: &str) -> World {
        let bus = DbusSession::start();
        let dir = tempfile::tempdir().unwrap();
        let keyring = GnomeKeyring::start(&bus, &dir.path().join("keyring-home"));
        let x = FakeX::start(TOKEN).await.unwrap();
        let identity: Identity = serde_json::from_str(IDENTITY).unwrap();
        for (username, _) in ranked_probes(&identity, 40).into_iter().take(accounts) {
            x.add_account(FakeAccount::new(username).name("Palmer Report"));
        }
        std::fs::write(dir.path().join("me.json"), IDENTITY).unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            format!(r#"{{"x": {x_settings}}}"#),
        )
        .unwrap();
        let world = World {
            bus,
            _keyring: keyring,
            dir,
            x,
        };
        let set = world.cli(&["secret", "set", "x-bearer-token"], Some(TOKEN));
        assert!(set.status.success(), "secret set: {set:?}");
        world
    }

    fn cli(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let dir: &Path = self.dir.path();
        let mut child = Command::new(support_watch::doppelwatch_bin())
            .args(args)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus.address)
            .env("DOPPELWATCH_CONFIG", dir.join("config.json"))
            .env("DOPPELWATCH_X_URL", self.x.base_url())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    fn scan(&self) -> Output {
        let identity = self.dir.path().join("me.json");
        self.cli(
            &[
                "scan",
                "--identity",
                identity.to_str().unwrap(),
                "--source",
                "x",
            ],
            None,
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_scans_stop_at_the_stored_daily_cap_and_say_so() {
    // $0.05 a day at $0.01 a read: 5 paid reads in all, whatever the number of scans.
    let world = World::start(
        30,
        r#"{"daily_cap_usd": 0.05, "cost_per_user_read_usd": 0.01, "reread_window_hours": 0}"#,
    )
    .await;
    let first = world.scan();
    assert!(first.status.success(), "first scan: {first:?}");
    assert_eq!(world.x.users_returned(), 5, "the first scan spends the cap");
    for run in 2..=4 {
        let again = world.scan();
        let stderr = String::from_utf8_lossy(&again.stderr);
        assert_eq!(again.status.code(), Some(1), "scan {run}: {stderr}");
        assert!(
            stderr.contains("today's X spending cap of $0.05 is reached"),
            "scan {run} says the cap is reached: {stderr}"
        );
        assert_eq!(
            world.x.users_returned(),
            5,
            "scan {run} read no user beyond the cap"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_scan_does_not_reread_accounts_within_the_window() {
    let world = World::start(
        3,
        r#"{"daily_cap_usd": 1, "cost_per_user_read_usd": 0.01, "reread_window_hours": 24}"#,
    )
    .await;
    let first = world.scan();
    assert!(first.status.success(), "first scan: {first:?}");
    let requests = world.x.total_requests();
    assert!(requests > 0);
    assert_eq!(world.x.users_returned(), 3);
    let second = world.scan();
    assert!(second.status.success(), "second scan: {second:?}");
    assert_eq!(
        world.x.total_requests(),
        requests,
        "every look-alike was read within the re-read window: nothing is asked again"
    );
    assert_eq!(world.x.users_returned(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_scans_together_never_pass_the_daily_cap() {
    // $0.05 a day at $0.01 a read: 5 paid reads in all, however many scans run at once.
    let world = World::start(
        30,
        r#"{"daily_cap_usd": 0.05, "cost_per_user_read_usd": 0.01, "reread_window_hours": 0}"#,
    )
    .await;
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..6).map(|_| scope.spawn(|| world.scan())).collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert!(
        outputs.iter().any(|o| o.status.success()),
        "some scan read: {outputs:?}"
    );
    assert!(
        world.x.users_returned() <= 5,
        "6 parallel scans read {} users against a cap that allows 5",
        world.x.users_returned()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_cut_by_the_cap_says_so_on_stderr_and_in_its_json() {
    let world = World::start(
        30,
        r#"{"daily_cap_usd": 0.05, "cost_per_user_read_usd": 0.01, "reread_window_hours": 0}"#,
    )
    .await;
    let scan = world.scan();
    assert!(scan.status.success(), "{scan:?}");
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert!(
        stderr.contains("x: coverage reduced: today's X spending cap of $0.05 cut this check")
            && stderr.contains("probed 5 of"),
        "{stderr}"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&scan.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty(), "the 5 reads were printed");
    for line in &lines {
        let cut = line["coverage_cut"].as_str().unwrap_or_default();
        assert!(cut.contains("probed 5 of"), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_read_again_the_same_day_is_not_paid_again_by_any_scan() {
    // $0.45 leaves room for the 40 probes a scan may read; 3 look-alikes read by 4 scans (no
    // re-read window) are 12 reads of 3 users, which X bills once each per UTC day. Counted
    // 12 times, the third scan would find room for only 39 probes and be cut.
    let world = World::start(
        3,
        r#"{"daily_cap_usd": 0.45, "cost_per_user_read_usd": 0.01, "reread_window_hours": 0}"#,
    )
    .await;
    for run in 1..=4 {
        let scan = world.scan();
        assert!(scan.status.success(), "scan {run}: {scan:?}");
        assert!(
            !String::from_utf8_lossy(&scan.stderr).contains("coverage reduced"),
            "scan {run} was not cut: {scan:?}"
        );
    }
    assert_eq!(world.x.users_returned(), 12, "every scan read the 3 users");
    assert_eq!(world.x.users_billed(), 3);
    let store = doppelwatch::store::Store::open_in(&world.dir.path().join("data")).unwrap();
    let spent = store.cursor("spending:x").unwrap().unwrap_or_default();
    let usd: f64 = spent.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(
        (usd - 0.03).abs() < 1e-9,
        "the stored spending is what X billed: {spent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_people_share_the_daily_cap_evenly_and_each_check_says_its_cost() {
    // $0.10 a day at $0.01 a read: 10 reads for two people, 5 each, although the first
    // person alone has 20 look-alikes to read.
    let world = World::start(
        0,
        r#"{"daily_cap_usd": 0.10, "cost_per_user_read_usd": 0.01, "reread_window_hours": 0}"#,
    )
    .await;
    for person in [support_watch::palmer(), support_watch::jane()] {
        for (username, _) in ranked_probes(&person, 40).into_iter().take(20) {
            world
                .x
                .add_account(FakeAccount::new(username).name(person.name.clone()));
        }
        let file = support_watch::identity_file(world.dir.path(), &person);
        let added = world.cli(&["people", "add", file.to_str().unwrap()], None);
        assert!(added.status.success(), "people add: {added:?}");
    }
    let scan = world.cli(&["scan", "--source", "x", "--all"], None);
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert!(scan.status.success(), "scan: {scan:?}");
    assert_eq!(world.x.users_returned(), 10, "the cap is spent, not passed");
    let stdout = String::from_utf8_lossy(&scan.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for name in ["Palmer Report", "Jane Doe"] {
        let found = lines.iter().filter(|l| l["person"]["name"] == name).count();
        assert_eq!(found, 5, "{name} had half the day's room: {stdout}");
        assert!(
            stderr.contains(&format!("x: checking {name} cost $0.05")),
            "the cost of {name}'s check is said: {stderr}"
        );
    }
    assert!(
        stderr.contains("its share of today's room: $0.05"),
        "{stderr}"
    );
}
