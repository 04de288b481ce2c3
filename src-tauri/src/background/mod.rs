//! Watching in the background, in its own process.
//!
//! The window (a Tauri webview, with GTK and WebKit) is opened on demand and exits when closed;
//! watching goes on in `doppelwatch-watcher`, a small process without any of that: it runs the
//! core's watch service, raises notifications, shows the tray icon, and starts the window when a
//! notification's action or the tray asks for it. The two share the SQLite store (alerts,
//! reports, the person) and talk over the watcher's local socket ([`protocol`]) for what lives
//! only in the watcher: source states, check now, pause, reload, events.
//!
//! Nothing in this module uses Tauri, so the watcher binary links none of it.

pub mod demo;
pub mod link;
pub mod protocol;
pub mod socket;
pub mod status;
#[cfg(target_os = "linux")]
pub mod tray;
pub mod watcher;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};

use doppelwatch::store::Store;

use crate::ipc::OpenAlerts;

/// Alerts waiting for the person (new or seen), impostors and worth-a-look apart: the tray's
/// and the dashboard's counts.
pub fn open_alerts(store: &Store) -> OpenAlerts {
    match store.waiting_alerts() {
        Ok(w) => OpenAlerts {
            impostors: w.impostors,
            worth_a_look: w.worth_a_look,
        },
        Err(e) => {
            tracing::warn!("cannot count the open alerts: {e}");
            OpenAlerts::default()
        }
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (plain values, still
/// consistent).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The path of another Doppelwatch program: `$env_override` if set, else the file named `name`
/// beside the running program (both are installed side by side).
pub fn sibling_exe(name: &str, env_override: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_override).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&file)))
        .unwrap_or_else(|| PathBuf::from(file))
}

/// Starts `exe` on its own: in its own process group (a Ctrl-C or a signal to the starter's
/// group does not reach it), stdin and stdout closed, stderr to `log` if given. The child is
/// reaped by a thread, so it never lingers as a zombie.
pub fn spawn_detached(exe: &Path, args: &[String], log: Option<&Path>) -> std::io::Result<()> {
    let mut command = Command::new(exe);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    // Logs may name accounts and alerts: private (0600), whatever the umask.
    match log.map(doppelwatch::files::private::create_private) {
        Some(Ok(file)) => {
            command.stderr(file);
        }
        _ => {
            command.stderr(Stdio::null());
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn()?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}
