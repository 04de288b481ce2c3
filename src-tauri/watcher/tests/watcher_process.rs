//! The background watcher as the window meets it: the real `doppelwatch-watcher` binary, its
//! real socket, a real SQLite store in a temporary data folder, watching the demo's fake
//! Bluesky on loopback.

use std::process::Command;
use std::time::{Duration, Instant};

use doppelwatch::detect::Verdict;
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::store::Store;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::{OpenAlerts, Reply, Request, WatcherEvent};

mod common;

use common::{dashboard_words, hello, start_watcher, wait_exit, WATCHER};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_watcher_watches_reports_events_and_runs_once() {
    let base = tempfile::tempdir().unwrap();
    let mut watcher = start_watcher(base.path(), &["--demo"]);
    let link = WatcherLink::new(base.path().to_path_buf(), true);

    // It greets with the demo settings, pointed at its fake Bluesky on loopback.
    let Reply::Hello {
        pid,
        demo,
        demo_config,
    } = hello(&link).await
    else {
        panic!("no greeting")
    };
    assert_eq!(pid, watcher.id());
    assert!(demo);
    let config = demo_config.expect("demo settings");
    assert!(
        config.bluesky.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        config.bluesky.base_url
    );

    // A second watcher of the same folder leaves at once, successfully: one watcher per folder.
    let mut second = start_watcher(base.path(), &["--demo"]);
    assert!(wait_exit(&mut second, "the second watcher").success());

    // Nobody registered yet: the dashboard says so (once started), and check-now explains why
    // it cannot.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let words = dashboard_words(&link.request(&Request::Dashboard).await.unwrap());
        if words.contains("tell Doppelwatch who you are") {
            break;
        }
        assert!(
            words.contains("starting") && Instant::now() < deadline,
            "{words}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    match link.request(&Request::CheckNow).await.unwrap() {
        Reply::Error { message } => assert!(message.contains("not watching yet"), "{message}"),
        other => panic!("check now without a person: {other:?}"),
    }

    // The window registers the person in the shared store and asks for a reload.
    let mut events = link.subscribe().await.expect("subscribe");
    let first = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .unwrap();
    assert_eq!(
        first,
        Some(WatcherEvent::AlertsChanged {
            open: OpenAlerts::default()
        })
    );
    let store = Store::open_in(&base.path().join("demo")).unwrap();
    store
        .upsert_identity(&Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.bsky.social".into(),
            }],
            avatar: None,
            bio: None,
        })
        .unwrap();
    let words = dashboard_words(&link.request(&Request::Reload).await.unwrap());
    assert!(words.contains("bluesky"), "{words}");

    // Pausing is reflected on the dashboard.
    match link
        .request(&Request::Pause { paused: true })
        .await
        .unwrap()
    {
        Reply::Dashboard { dashboard } => assert!(dashboard.paused),
        other => panic!("{other:?}"),
    }
    match link
        .request(&Request::Pause { paused: false })
        .await
        .unwrap()
    {
        Reply::Dashboard { dashboard } => assert!(!dashboard.paused),
        other => panic!("{other:?}"),
    }

    // The demo's namesake and first impostor appear on the fake Jetstream; the subscribed window
    // hears of them, counted apart.
    let open = tokio::time::timeout(Duration::from_secs(90), async {
        loop {
            match events.next().await {
                Some(WatcherEvent::AlertsChanged { open })
                    if open.impostors > 0 && open.worth_a_look > 0 =>
                {
                    return open
                }
                Some(_) => {}
                None => panic!("the watcher went away"),
            }
        }
    })
    .await
    .expect("a namesake and an impostor within 90 s");
    assert!(open.impostors >= 1 && open.worth_a_look == 1, "{open:?}");
    let alerts = store.alerts(&Default::default()).unwrap();
    let namesake: Vec<_> = alerts
        .iter()
        .filter(|a| a.verdict == Verdict::Suspicious)
        .collect();
    assert_eq!(namesake.len(), 1, "{alerts:?}");
    assert_eq!(namesake[0].profile.handle, "adelaideplumber.bsky.social");
    assert_eq!(
        namesake[0].profile.display_name.as_deref(),
        Some("Palmer Report")
    );

    // A request it does not understand gets an error in words, and it keeps serving.
    // (`--quit` asks it to stop: the subscriber hears Quit and the process ends.)
    let quit = Command::new(WATCHER)
        .args(["--demo", "--quit"])
        .env("DOPPELWATCH_DATA_DIR", base.path())
        .status()
        .unwrap();
    assert!(quit.success());
    let last = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.next().await {
                Some(WatcherEvent::Quit) => return true,
                Some(_) => {}
                None => return false,
            }
        }
    })
    .await
    .unwrap();
    assert!(last, "the window hears that the watcher quits");
    assert!(wait_exit(&mut watcher, "the watcher after --quit").success());
    assert!(
        !base.path().join("watcher-demo.sock").exists(),
        "the socket is removed"
    );
    // Without a watcher, a request says so in words.
    let err = link.request(&Request::Dashboard).await.unwrap_err();
    assert!(err.contains("not running"), "{err}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn garbage_on_the_socket_gets_an_error_not_a_crash() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let base = tempfile::tempdir().unwrap();
    let mut watcher = start_watcher(base.path(), &[]);
    let link = WatcherLink::new(base.path().to_path_buf(), false);
    assert!(matches!(
        hello(&link).await,
        Reply::Hello { demo: false, .. }
    ));
    // Only the person may talk to their watcher.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(base.path().join("watcher.sock"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "socket mode {mode:o}");
    }
    let mut raw = tokio::net::UnixStream::connect(base.path().join("watcher.sock"))
        .await
        .unwrap();
    raw.write_all(b"{\"request\":\"format_disk\"}\n")
        .await
        .unwrap();
    let mut answer = String::new();
    raw.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.contains("\"reply\":\"error\"") && answer.contains("not a message"),
        "{answer}"
    );
    // Still serving.
    assert!(matches!(hello(&link).await, Reply::Hello { .. }));
    let _ = link.request(&Request::Quit).await;
    assert!(wait_exit(&mut watcher, "the watcher after quit").success());
}

/// A symlink planted at `watcher.lock` is never followed (hostile round 3, N3): the watcher
/// refuses to start instead of emptying, rewriting and chmodding the link's target.
#[cfg(unix)]
#[test]
fn a_symlink_at_the_lock_file_is_refused_and_its_target_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("data");
    std::fs::create_dir(&base).unwrap();
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o700)).unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "precious line 1\nprecious line 2\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&victim, base.join("watcher.lock")).unwrap();

    let mut watcher = start_watcher(&base, &[]);
    let status = wait_exit(&mut watcher, "a watcher whose lock file is a symlink");
    assert!(!status.success(), "{status:?}");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "precious line 1\nprecious line 2\n"
    );
    assert_eq!(
        std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

/// The watcher reads its settings as the CLI does (hostile round 3, N4): `/dev/zero` or a
/// FIFO as `DOPPELWATCH_CONFIG` is refused at once, never read without end or waited on.
#[cfg(unix)]
#[test]
fn a_device_or_fifo_as_the_settings_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("settings.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for settings in [std::path::Path::new("/dev/zero"), fifo.as_path()] {
        let mut watcher = Command::new(WATCHER)
            .env("DOPPELWATCH_DATA_DIR", tmp.path().join("data"))
            .env("DOPPELWATCH_CONFIG", settings)
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/doppelwatch-test-bus",
            )
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_exit(&mut watcher, "a watcher given a device or FIFO as settings");
        let mut said = String::new();
        std::io::Read::read_to_string(&mut watcher.stderr.take().unwrap(), &mut said).unwrap();
        assert_eq!(status.code(), Some(1), "{}: {said}", settings.display());
        assert!(
            said.contains("not a regular file"),
            "{}: {said}",
            settings.display()
        );
    }
}
