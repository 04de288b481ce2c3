//! What the watcher's integration tests share: starting the real `doppelwatch-watcher` binary
//! on a temporary data folder, and waiting for it (with deadlines, never fixed sleeps).
#![allow(dead_code)] // each test file uses its own part

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::{Reply, Request};

pub const WATCHER: &str = env!("CARGO_BIN_EXE_doppelwatch-watcher");

/// A watcher started by a test: stopped (killed) when dropped, so a failing test leaves none
/// behind.
pub struct Running(Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts the watcher on data folder `base`, its log thrown away.
pub fn start_watcher(base: &Path, args: &[&str]) -> Running {
    start_watcher_logging(base, args, Stdio::null())
}

/// Starts the watcher on data folder `base`, its log (stderr) to `log`.
pub fn start_watcher_logging(base: &Path, args: &[&str], log: impl Into<Stdio>) -> Running {
    start_watcher_with(base, args, &[], log)
}

/// Starts the watcher on data folder `base` with these extra environment variables, its log
/// (stderr) to `log`.
pub fn start_watcher_with(
    base: &Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
    log: impl Into<Stdio>,
) -> Running {
    let child = Command::new(WATCHER)
        .args(args)
        .envs(env.iter().copied())
        .env("DOPPELWATCH_DATA_DIR", base)
        // No desktop here: notifications and the tray fail softly, watching goes on.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/doppelwatch-test-bus",
        )
        .env_remove("DOPPELWATCH_CONFIG")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the watcher binary starts");
    Running(child)
}

/// The watcher's greeting, waiting up to 30 s for it to answer.
pub async fn hello(link: &WatcherLink) -> Reply {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match link.request(&Request::Hello).await {
            Ok(reply) => return reply,
            Err(e) if Instant::now() > deadline => panic!("the watcher never answered: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

pub fn dashboard_words(reply: &Reply) -> String {
    match reply {
        Reply::Dashboard { dashboard } => dashboard
            .sources
            .iter()
            .map(|s| format!("{}: {} ({})", s.platform, s.words, s.state))
            .collect::<Vec<_>>()
            .join("; "),
        other => panic!("expected a dashboard, got {other:?}"),
    }
}

/// Waits up to 30 s for `child` to exit.
pub fn wait_exit(child: &mut Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still running after 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits up to 30 s until `log` holds a line containing `words`; returns the whole log.
pub async fn wait_for_log(log: &Path, words: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(words) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no {words:?} in the watcher's log within 30 s; the log:\n{}",
            tail(&text)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The last lines of a log, for a failure message.
pub fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
