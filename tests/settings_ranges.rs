//! Settings out of range stop the command before it starts (issue 14, finding 7), on the real
//! binary: `watch.check_interval_secs` of 2^64-1 once panicked a worker while `watch` ran on
//! without checking; 0 meant a check every second; `[]` was taken as a settings file. Now each
//! is a usage error (exit 2) naming the key, the value and the range.
#![cfg(unix)]

mod support_watch;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn bad_settings_stop_scan_and_watch_with_the_key_value_and_range() {
    let tmp = tempfile::tempdir().unwrap();
    let identity = tmp.path().join("me.json");
    std::fs::write(
        &identity,
        serde_json::to_string(&support_watch::palmer()).unwrap(),
    )
    .unwrap();
    let cases = [
        (
            r#"{"watch": {"check_interval_secs": 18446744073709551615}}"#,
            "watch.check_interval_secs is 18446744073709551615, but it must be from 1 to 604800 seconds",
        ),
        (
            r#"{"watch": {"check_interval_secs": 0}}"#,
            "watch.check_interval_secs is 0, but it must be from 1 to 604800 seconds",
        ),
        (
            r#"{"x": {"daily_cap_usd": 1e308, "cost_per_user_read_usd": 0}}"#,
            "x.daily_cap_usd is 1e308, but it must be from 0 to 1000 US dollars",
        ),
        ("[]", "must be a JSON object"),
    ];
    for (n, (json, said)) in cases.iter().enumerate() {
        let config = tmp.path().join(format!("config-{n}.json"));
        std::fs::write(&config, json).unwrap();
        for command in ["scan", "watch"] {
            let mut child = Command::new(support_watch::doppelwatch_bin())
                .args([command, "--source", "bluesky", "--identity"])
                .arg(&identity)
                .arg("--config")
                .arg(&config)
                .env("DOPPELWATCH_DATA_DIR", tmp.path().join("data"))
                // Nothing listens there: a command that wrongly starts fails its checks.
                .env("DOPPELWATCH_BLUESKY_URL", "http://127.0.0.1:9")
                .env("DOPPELWATCH_JETSTREAM_URL", "ws://127.0.0.1:9/subscribe")
                .env_remove("DBUS_SESSION_BUS_ADDRESS")
                .env("XDG_RUNTIME_DIR", tmp.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("{command} with {json} started instead of refusing the settings");
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(status.code(), Some(2), "{command} {json}: {stderr}");
            assert!(stderr.contains(said), "{command} {json}: {stderr}");
        }
    }
}
