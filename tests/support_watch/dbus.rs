//! Real desktop services for tests: a private D-Bus session bus (`dbus-daemon`), a
//! gnome-keyring Secret Service unlocked on it, and a notification server owning
//! `org.freedesktop.Notifications` that records `Notify` calls and emits action signals.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A private session bus; killed on drop. Its configuration lists no service directories, so
/// nothing is started by D-Bus activation behind the test's back (a stray gnome-keyring or
/// dunst would take the names the test serves).
pub struct DbusSession {
    pub address: String,
    child: Child,
    _dir: tempfile::TempDir,
}

const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

impl DbusSession {
    pub fn start() -> DbusSession {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("session.conf");
        std::fs::write(
            &config,
            BUS_CONFIG.replace("DIR", &dir.path().display().to_string()),
        )
        .unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon must be installed (scripts/install-deps --test installs it)");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let address = line.trim().to_string();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed {address:?}"
        );
        DbusSession {
            address,
            child,
            _dir: dir,
        }
    }
}

impl Drop for DbusSession {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// gnome-keyring-daemon serving the Secret Service on `bus`, its login keyring unlocked;
/// its files live under `home`. Killed on drop.
pub struct GnomeKeyring {
    child: Child,
    pub home: PathBuf,
}

impl GnomeKeyring {
    pub fn start(bus: &DbusSession, home: &Path) -> GnomeKeyring {
        std::fs::create_dir_all(home.join("data")).unwrap();
        let mut child = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--foreground"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon must be installed (scripts/install-deps --test)");
        {
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(b"test-keyring-password").unwrap();
        }
        // Ready when the default collection answers.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let ok = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets/aliases/default",
                    "org.freedesktop.DBus.Properties.Get",
                    "string:org.freedesktop.Secret.Collection",
                    "string:Locked",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
                .output()
                .map(|o| {
                    o.status.success()
                        && String::from_utf8_lossy(&o.stdout).contains("boolean false")
                })
                .unwrap_or(false);
            if ok {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring did not come up unlocked"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        GnomeKeyring {
            child,
            home: home.to_path_buf(),
        }
    }
}

impl Drop for GnomeKeyring {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `Notify` call as received.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyCall {
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Flat list as on the wire: key, label, key, label...
    pub actions: Vec<String>,
}

struct Notifications {
    calls: Arc<Mutex<Vec<NotifyCall>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &mut self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut calls = self.calls.lock().unwrap();
        let id = calls.len() as u32 + 1;
        calls.push(NotifyCall {
            id,
            app_name,
            summary,
            body,
            actions,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "doppelwatch-test".into(),
            "doppelwatch".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

/// A notification server on a private bus.
pub struct NotificationServer {
    pub calls: Arc<Mutex<Vec<NotifyCall>>>,
    conn: zbus::Connection,
}

const PATH: &str = "/org/freedesktop/Notifications";

impl NotificationServer {
    pub async fn start(address: &str) -> NotificationServer {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::connection::Builder::address(address)
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at(
                PATH,
                Notifications {
                    calls: calls.clone(),
                },
            )
            .unwrap()
            .build()
            .await
            .unwrap();
        NotificationServer { calls, conn }
    }

    pub fn calls(&self) -> Vec<NotifyCall> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits until at least `n` notifications arrived.
    pub async fn wait_for_calls(&self, n: usize, timeout: Duration) -> Vec<NotifyCall> {
        let deadline = Instant::now() + timeout;
        loop {
            let calls = self.calls();
            if calls.len() >= n || Instant::now() > deadline {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Emits `ActionInvoked(id, key)`, as a desktop does when the person clicks a button.
    pub async fn invoke_action(&self, id: u32, key: &str) {
        let iface = self
            .conn
            .object_server()
            .interface::<_, Notifications>(PATH)
            .await
            .unwrap();
        Notifications::action_invoked(iface.signal_emitter(), id, key)
            .await
            .unwrap();
    }

    /// Emits `NotificationClosed(id, reason)` (1 = expired, 2 = dismissed by the user).
    pub async fn close(&self, id: u32, reason: u32) {
        let iface = self
            .conn
            .object_server()
            .interface::<_, Notifications>(PATH)
            .await
            .unwrap();
        Notifications::notification_closed(iface.signal_emitter(), id, reason)
            .await
            .unwrap();
    }
}
