//! The keychain never starts a D-Bus session bus or a keyring (issue 14, finding 10): with an X
//! display (a real Xvfb, so libdbus *could* autolaunch one through dbus-launch) and no session
//! bus (DBUS_SESSION_BUS_ADDRESS unset, no $XDG_RUNTIME_DIR/bus), `doppelwatch secret ...`
//! fails at once with "no session D-Bus" and leaves no process behind.
//!
//! Leftovers are found exactly: the command runs with a marker in its environment, which every
//! process it starts inherits (dbus-launch, dbus-daemon, and the keyring the bus activates);
//! afterwards no process on the machine may carry it (other tests' buses do not).
#![cfg(target_os = "linux")]

mod support_watch;

use std::process::Command;

/// Processes whose environment holds `marker`, as (pid, name).
fn processes_with(marker: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|b| *b == 0)
            .any(|var| var == marker.as_bytes())
        {
            let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            found.push((pid, name.trim().to_string()));
        }
    }
    found
}

#[test]
fn secret_commands_without_a_session_bus_fail_at_once_and_start_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let runtime_dir = tmp.path().join("run");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    let marker = format!("DOPPELWATCH_TEST_MARKER={}", std::process::id());
    for args in [
        &["secret", "check", "x-bearer-token"][..],
        &["secret", "delete", "mastodon-token", "mastodon.example"],
    ] {
        // xvfb-run gives the command a real display (DISPLAY and XAUTHORITY) on a free number.
        // The marker goes to the command only (through env), not to xvfb-run and Xvfb.
        let out = Command::new("xvfb-run")
            .args(["-a", "-s", "-nolisten tcp", "env", &marker])
            .arg(support_watch::doppelwatch_bin())
            .args(args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .env("HOME", tmp.path())
            .output()
            .expect("xvfb-run (Debian package xvfb) runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let leftovers = processes_with(&marker);
        for (pid, _) in &leftovers {
            // Ours (started by this test's command): stop them before failing.
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        assert!(
            leftovers.is_empty(),
            "{args:?} left processes running: {leftovers:?}"
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no session D-Bus") && stderr.contains("keyring"),
            "{args:?}: {stderr}"
        );
    }
}
