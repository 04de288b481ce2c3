//! The keychain against a REAL Secret Service: gnome-keyring-daemon, unlocked, on a private
//! D-Bus session. Secrets round-trip through it, and after the CLI stored an app password and
//! filed a report with it, the secret is nowhere in the data directory (SQLite file, WAL),
//! the config directory, or the program's output and logs.
//!
//! One test function: the session bus address is process-wide state.
#![cfg(all(unix, not(target_os = "macos")))]

mod support_watch;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::{Json, Router};
use doppelwatch::secrets::{Keychain, Secret, SecretKey};
use doppelwatch::store::{AlertState, Store};
use serde_json::{json, Value};
use support_watch::dbus::{DbusSession, GnomeKeyring};
use support_watch::*;

const APP_PASSWORD: &str = "zq7x-secret-app-pass-9k2m";

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|b| contains(&b, needle)) {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[test]
fn secrets_live_in_the_secret_service_and_nowhere_else() {
    let bus = DbusSession::start();
    let tmp = tempfile::tempdir().unwrap();
    let _keyring = GnomeKeyring::start(&bus, &tmp.path().join("keyring-home"));
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);

    // Library round trip under a test service name.
    let keychain = Keychain::with_service("org.doppelwatch.Test");
    let key = SecretKey::MastodonToken {
        server: "mastodon.example".into(),
    };
    assert_eq!(keychain.get(&key).unwrap(), None);
    keychain.set(&key, &Secret::new("token-one")).unwrap();
    assert_eq!(keychain.get(&key).unwrap().unwrap().expose(), "token-one");
    keychain.set(&key, &Secret::new("token-two")).unwrap();
    assert_eq!(keychain.get(&key).unwrap().unwrap().expose(), "token-two");
    assert!(keychain.delete(&key).unwrap());
    assert!(!keychain.delete(&key).unwrap());
    assert_eq!(keychain.get(&key).unwrap(), None);
    assert!(keychain.set(&key, &Secret::new("")).is_err());

    // The CLI stores the app password from stdin, then files a report with it.
    let data = tmp.path().join("data");
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let store = Store::open_in(&data).unwrap();
    let alert_id = alert_for(
        &store,
        bsky_profile("did:plc:imp", "palmer-report.bsky.social", "PaImer Report"),
    );
    drop(store);

    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let base = runtime.block_on(async {
        let seen_session = seen.clone();
        let seen_report = seen.clone();
        let app = Router::new()
            .route(
                "/xrpc/com.atproto.server.createSession",
                post(move |Json(body): Json<Value>| async move {
                    seen_session.lock().unwrap().push(body.clone());
                    if body["password"] == APP_PASSWORD {
                        (axum::http::StatusCode::OK, Json(json!({"accessJwt": "acc", "refreshJwt": "ref", "did": "did:plc:palmer", "handle": "palmerreport.com"})))
                    } else {
                        (axum::http::StatusCode::UNAUTHORIZED, Json(json!({"error": "AuthenticationRequired"})))
                    }
                }),
            )
            .route(
                "/xrpc/com.atproto.moderation.createReport",
                post(move |Json(body): Json<Value>| async move {
                    seen_report.lock().unwrap().push(body.clone());
                    Json(json!({"id": 7, "reasonType": body["reasonType"], "subject": body["subject"], "reportedBy": "did:plc:palmer", "createdAt": "2026-11-29T12:00:00Z"}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    });

    let cli = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(support_watch::doppelwatch_bin())
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("XDG_CONFIG_HOME", &config)
            .env("RUST_LOG", "trace")
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
    };
    let set = cli(
        &["secret", "set", "bluesky-app-password", "palmerreport.com"],
        Some(&format!("{APP_PASSWORD}\n")),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let check = cli(
        &[
            "secret",
            "check",
            "bluesky-app-password",
            "palmerreport.com",
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&check.stderr).contains("is stored"));
    // It really is in gnome-keyring, under Doppelwatch's service name.
    let stored = Keychain::new()
        .get(&SecretKey::BlueskyAppPassword {
            handle: "palmerreport.com".into(),
        })
        .unwrap()
        .unwrap();
    assert_eq!(stored.expose(), APP_PASSWORD);

    let filed = runtime.block_on(async {
        let data = data.clone();
        let config = config.clone();
        let address = bus.address.clone();
        let id = alert_id.to_string();
        let base = base.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(support_watch::doppelwatch_bin())
                .args([
                    "report",
                    &id,
                    "--file",
                    "--yes",
                    "--pds",
                    &base,
                    "--as",
                    "palmerreport.com",
                ])
                .arg("--data-dir")
                .arg(&data)
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .env("XDG_CONFIG_HOME", &config)
                .env("RUST_LOG", "trace")
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    });
    let stderr = String::from_utf8_lossy(&filed.stderr);
    assert!(filed.status.success(), "{stderr}");
    assert!(
        stderr.contains("filed to Bluesky (report id 7)"),
        "{stderr}"
    );
    {
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen[0]["password"], APP_PASSWORD,
            "the keychain's secret was used"
        );
        assert_eq!(seen[1]["subject"]["did"], "did:plc:imp");
    }
    let store = Store::open_in(&data).unwrap();
    assert_eq!(store.alert(alert_id).unwrap().state, AlertState::Reported);
    drop(store);

    // Nowhere else: not in the database (incl. WAL), config, or any output.
    assert_eq!(files_containing(&data, APP_PASSWORD), Vec::<String>::new());
    assert_eq!(
        files_containing(&config, APP_PASSWORD),
        Vec::<String>::new()
    );
    for out in [&set, &check, &filed] {
        assert!(!contains(&out.stdout, APP_PASSWORD));
        assert!(!contains(&out.stderr, APP_PASSWORD));
    }
    // A wrong secret's error does not echo it either.
    let wrong = cli(
        &["secret", "set", "bluesky-app-password", "palmerreport.com"],
        Some("wrong-pass-4455\n"),
    );
    assert!(wrong.status.success());
    let failed = cli(
        &[
            "report",
            &alert_id.to_string(),
            "--file",
            "--yes",
            "--pds",
            &base,
        ],
        None,
    );
    assert!(!failed.status.success());
    assert!(!contains(&failed.stderr, "wrong-pass-4455"));

    // `DOPPELWATCH_BLUESKY_URL` names the AppView only: with the PDS elsewhere (settings),
    // the app password is never sent to it (hostile round 3, N2).
    let settings = tmp.path().join("pds-elsewhere.json");
    std::fs::write(
        &settings,
        r#"{"bluesky": {"pds_url": "http://127.0.0.1:1"}}"#,
    )
    .unwrap();
    let sessions_before = seen.lock().unwrap().len();
    let appview = Command::new(support_watch::doppelwatch_bin())
        .args(["report", &alert_id.to_string(), "--file", "--yes"])
        .arg("--data-dir")
        .arg(&data)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("XDG_CONFIG_HOME", &config)
        .env("DOPPELWATCH_CONFIG", &settings)
        .env("DOPPELWATCH_BLUESKY_URL", &base)
        .output()
        .unwrap();
    assert!(!appview.status.success(), "{appview:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        sessions_before,
        "the AppView got no createSession (no app password)"
    );
    // `--server http://HOST:PORT` files on that server, scheme and port kept, with the token
    // stored for that host and port (hostile round 3, N8: the port was dropped and the report
    // went to https://HOST).
    mastodon_report_goes_to_the_server_named_with_its_port(&runtime, &cli, &data);
}

fn mastodon_report_goes_to_the_server_named_with_its_port(
    runtime: &tokio::runtime::Runtime,
    cli: &dyn Fn(&[&str], Option<&str>) -> std::process::Output,
    data: &Path,
) {
    let fake = runtime
        .block_on(doppelwatch::fake::mastodon::FakeMastodon::start(
            "mastodon.example",
        ))
        .unwrap();
    let impostor = doppelwatch::fake::FakeAccount {
        handle: "palmer".into(),
        display_name: Some("PaImer Report".into()),
        ..Default::default()
    };
    let impostor_id = fake.add_remote_account(impostor, "evil.example");
    fake.add_user_token("masto-user-token-31", "palmer");
    let store = Store::open_in(data).unwrap();
    let mut profile = bsky_profile("x", "palmer@evil.example", "PaImer Report");
    profile.platform = doppelwatch::identity::Platform::Mastodon;
    profile.platform_id = Some(impostor_id.clone());
    let alert_id = alert_for(&store, profile);
    drop(store);
    let base = fake.base_url();
    let server = base.trim_start_matches("http://").to_string();
    let set = cli(
        &["secret", "set", "mastodon-token", &server],
        Some("masto-user-token-31\n"),
    );
    assert!(set.status.success(), "{set:?}");
    let filed = cli(
        &[
            "report",
            &alert_id.to_string(),
            "--file",
            "--yes",
            "--server",
            &base,
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&filed.stderr);
    assert!(filed.status.success(), "{stderr}");
    let reports = fake.received_reports();
    assert_eq!(reports.len(), 1, "{stderr}");
    assert_eq!(reports[0].subject, impostor_id);
    assert_eq!(reports[0].reported_by, "palmer");
}
