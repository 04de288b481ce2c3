//! The CLI fails like a good Unix tool (issue 14, finding 5), tested on the real binary:
//! - output whose reader went away (`alerts | head -1`, `report 1 | true`, `variants | head`,
//!   `scan-handles | head`): the command ends quietly with status 141 (128 + SIGPIPE), never a
//!   panic (101);
//! - output that cannot be written (`> /dev/full`): a message naming the problem and status 1,
//!   never a silent 0;
//! - `watch | head -1`: the watch stops once its output is closed.
//!
//! "Closed" is made deterministic: the child's stdout is a pipe whose read end is closed
//! before the child starts, so its first write fails.
#![cfg(unix)]

mod support_watch;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use doppelwatch::fake::bluesky::FakeBluesky;

/// A pipe nobody reads: its read end is already closed.
fn closed_pipe() -> Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills two new descriptors, each owned exactly once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    Stdio::from(writer)
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// Runs the binary on `data` with `stdout`, feeding `stdin`.
fn run(data: &Path, args: &[&str], stdin: &[u8], stdout: Stdio) -> Output {
    let mut child = Command::new(support_watch::doppelwatch_bin())
        .args(args)
        .env("DOPPELWATCH_DATA_DIR", data)
        .env("DOPPELWATCH_CONFIG", data.join("no-config.json"))
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may stop reading early (its output is gone): a failed write here is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// A data folder with alerts, an identity file and enough input for every command to print.
struct Setup {
    _tmp: tempfile::TempDir,
    data: std::path::PathBuf,
    identity: String,
    handles: Vec<u8>,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support_watch::data_dir_with_alerts(&data, 40);
    let identity = tmp.path().join("me.json");
    std::fs::write(
        &identity,
        serde_json::to_string(&support_watch::palmer()).unwrap(),
    )
    .unwrap();
    let handles = "PaImerReport\npalmerreport_\nPalmerRepport\n".repeat(2000);
    Setup {
        identity: identity.to_str().unwrap().to_string(),
        data,
        handles: handles.into_bytes(),
        _tmp: tmp,
    }
}

/// Every command that prints, with what it reads on stdin.
fn commands(s: &Setup) -> Vec<(Vec<&str>, &[u8])> {
    vec![
        (vec!["alerts"], b"".as_slice()),
        (vec!["report", "1"], b""),
        (vec!["report", "2", "--json"], b""),
        (vec!["variants", "--platform", "x", "PalmerReport"], b""),
        (vec!["scan-handles", "--identity", &s.identity], &s.handles),
        (vec!["snooze", "3", "--days", "2"], b""),
        (vec!["dismiss", "4"], b""),
    ]
}

#[test]
fn a_closed_pipe_ends_each_command_quietly_with_status_141() {
    let s = setup();
    for (args, stdin) in commands(&s) {
        let out = run(&s.data, &args, stdin, closed_pipe());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(
            stderr.is_empty(),
            "{args:?} is quiet on a closed pipe: {stderr}"
        );
    }
}

#[test]
fn a_full_disk_is_an_error_naming_the_problem() {
    let s = setup();
    for (args, stdin) in commands(&s) {
        let out = run(&s.data, &args, stdin, dev_full());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write the output") && stderr.contains("disk is full"),
            "{args:?} says what failed: {stderr}"
        );
    }
}

#[test]
fn watch_stops_when_its_output_is_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeBluesky::start()).unwrap();
    let identity = tmp.path().join("me.json");
    std::fs::write(
        &identity,
        serde_json::to_string(&support_watch::palmer()).unwrap(),
    )
    .unwrap();
    let config = tmp.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"mastodon": {"enabled": false}, "x": {"enabled": false},
            "http": {"fetch_avatars": false},
            "bluesky": {"search_pages": 1, "max_queries": 1, "probe_limit": 1}}"#,
    )
    .unwrap();
    let mut child = Command::new(support_watch::doppelwatch_bin())
        .args(["watch", "--source", "bluesky", "--identity"])
        .arg(&identity)
        .arg("--config")
        .arg(&config)
        .env("DOPPELWATCH_DATA_DIR", tmp.path().join("data"))
        .env("DOPPELWATCH_BLUESKY_URL", fake.base_url())
        .env("DOPPELWATCH_JETSTREAM_URL", fake.jetstream_url())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // `watch | head -1`: read one event line, then close the pipe.
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    assert!(first.starts_with('{'), "an event line: {first:?}");
    drop(reader);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("watch went on after its output was closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(141), "{status:?}");
    drop(fake);
}

/// Hidden characters (bidi overrides, zero-width, C1 controls, tags) in JSON output are
/// written as `\uXXXX` escapes: valid JSON that reads back the same, but nothing reorders or
/// hides text in a terminal (`alerts` printed a stored note or profile text raw).
#[test]
fn hidden_characters_in_json_output_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "Palmer\u{202E}tropeR\u{200B}\u{0085}\u{E0041}";
    let data = tmp.path().join("data");
    let ids = support_watch::data_dir_with_alerts(&data, 2);
    let store = doppelwatch::store::Store::open_in(&data).unwrap();
    store
        .set_alert_state(ids[0], doppelwatch::store::AlertState::Seen, Some(name))
        .unwrap();
    // DEL in otherwise plain ASCII text (which is written without a look at each character).
    let ascii = "Palmer\u{7F}Report";
    store
        .set_alert_state(ids[1], doppelwatch::store::AlertState::Seen, Some(ascii))
        .unwrap();
    drop(store);
    let out = run(&data, &["alerts"], b"", Stdio::piped());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for hidden in ['\u{202E}', '\u{200B}', '\u{0085}', '\u{E0041}', '\u{7F}'] {
        assert!(!text.contains(hidden), "{hidden:?} raw in {text}");
    }
    assert!(
        text.contains("\\u202e") && text.contains("\\udb40\\udc41") && text.contains("\\u007f"),
        "{text}"
    );
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    let note = |id: i64| {
        back.as_array()
            .and_then(|all| all.iter().find(|a| a["id"] == id))
            .map(|a| a["state_note"].clone())
    };
    assert_eq!(note(ids[0]), Some(name.into()), "reads back the same");
    assert_eq!(note(ids[1]), Some(ascii.into()));
}

/// `--help` and `--version` are output like any other: a full disk is status 1 with a
/// message, a closed pipe a quiet 141 (clap wrote them with `println!`-like calls, ignoring
/// the error, and exited 0).
#[test]
fn help_and_version_fail_when_they_cannot_be_written() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["--version"],
        &["alerts", "--help"],
        &["help"],
    ] {
        let out = run(tmp.path(), args, b"", dev_full());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} > /dev/full: {stderr}");
        assert!(
            stderr.contains("cannot write the output"),
            "{args:?}: {stderr}"
        );
        let out = run(tmp.path(), args, b"", closed_pipe());
        assert_eq!(out.status.code(), Some(141), "{args:?} | closed");
        let out = run(tmp.path(), args, b"", Stdio::piped());
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
}
