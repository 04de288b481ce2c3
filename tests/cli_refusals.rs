//! Small refusals of the command line (issue 14, hostile round F7): `secret` refuses account
//! names with control or invisible characters (they were echoed raw and stored); `alerts`,
//! `report` and `dismiss` on a data folder without a database say there is no data yet and
//! create nothing; a data folder that is a file is refused, not read as "no data yet".

mod support_watch;

use std::process::{Command, Output, Stdio};

fn run(args: &[&str], data: &std::path::Path) -> Output {
    Command::new(support_watch::doppelwatch_bin())
        .args(args)
        .arg("--data-dir")
        .arg(data)
        // No keychain is reached: the refusal comes first.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", data.parent().unwrap())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn secret_refuses_account_names_with_control_or_hidden_characters() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for account in [
        "social.example\n\x1b[31mred",
        "social.example\u{202E}",
        "social example",
    ] {
        for action in ["set", "check", "delete"] {
            let out = run(&["secret", action, "mastodon-token", account], &data);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{action} {account:?}: {stderr}");
            assert!(
                stderr.contains("control, space or invisible characters"),
                "{action} {account:?}: {stderr}"
            );
            assert!(
                !stderr.contains('\x1b') && !stderr.contains('\u{202E}'),
                "nothing raw echoed: {stderr:?}"
            );
        }
    }
}

#[test]
fn secret_refuses_a_mastodon_server_that_is_no_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for account in [
        "a/b@c:99999999",
        "social.example:0",
        "social.example/path",
        "nodot",
    ] {
        let out = run(&["secret", "check", "mastodon-token", account], &data);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{account:?}: {stderr}");
        assert!(
            stderr.contains("is not a Mastodon server"),
            "{account:?}: {stderr}"
        );
    }
}

#[test]
fn commands_on_a_folder_without_data_say_so_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("never-watched");
    let out = run(&["alerts"], &data);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list, serde_json::json!([]));
    assert!(stderr.contains("no data yet"), "{stderr}");
    let zip = dir.path().join("out.zip");
    let zip = zip.to_str().unwrap();
    for args in [
        vec!["report", "1"],
        vec!["dismiss", "1"],
        vec!["export", "1", zip],
    ] {
        let out = run(&args, &data);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("no data yet"), "{args:?}: {stderr}");
    }
    assert!(!data.exists(), "no data folder or database was created");
    assert!(!dir.path().join("out.zip").exists());
}

#[test]
fn a_data_folder_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alerts.db-by-mistake");
    std::fs::write(&file, "not a folder").unwrap();
    for args in [vec!["alerts"], vec!["report", "1"], vec!["dismiss", "1"]] {
        let out = run(&args, &file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is not a folder"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing listed");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}
