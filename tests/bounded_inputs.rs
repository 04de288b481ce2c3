//! Every read of a file the person names is bounded (issue 14, findings 4 and 12): `score`
//! answers an over-long line with an error line and goes on (or stops, with memory bounded,
//! when the "line" never ends: `/dev/zero`); `scan-handles` drops over-long lines the same way;
//! a FIFO or a device given as an image is refused at once instead of hanging `avatar-hash`
//! and `score`. Real processes, real files; each run has a deadline so a hang fails the test.
//!
//! Run: `cargo test --test bounded_inputs`.
#![cfg(unix)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Memory a bounded run never needs (virtual memory, KiB); the unbounded reads grew past it.
const MEMORY_LIMIT_KIB: u64 = 256 << 10;

fn bin() -> PathBuf {
    std::env::var_os("DOPPELWATCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_doppelwatch").into())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/score")
        .join(name)
}

/// `doppelwatch ARGS` under a virtual-memory limit, with stdin from `stdin_cmd` (a shell
/// pipeline) when given.
fn limited(args: &[&str], stdin_cmd: Option<&str>) -> Child {
    let feed = stdin_cmd.map_or(String::new(), |c| format!("{c} | "));
    let script = format!("ulimit -v {MEMORY_LIMIT_KIB}; {feed}exec \"$0\" \"$@\"");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child`, killing it (and failing) when it has not ended by the deadline.
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not end: it hangs or reads without end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn score_answers_a_line_without_end_and_stops_in_bounded_memory() {
    let identity = fixture("palmer.identity.json");
    let child = limited(
        &[
            "score",
            "--identity",
            identity.to_str().unwrap(),
            "--candidates",
            "/dev/zero",
        ],
        None,
    );
    let out = finish(child, "score --candidates /dev/zero");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "one answer for the one line read");
    assert_eq!(lines[0]["error"], "line 1 is longer than 1 MiB");
    assert!(lines[0].get("id").is_none());
    assert!(
        stderr(&out).contains("did not end within 64 MiB"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn score_skips_an_over_long_line_and_answers_every_other() {
    let dir = tempfile::tempdir().unwrap();
    let candidates = dir.path().join("c.jsonl");
    let mut file = std::fs::File::create(&candidates).unwrap();
    // 40 MiB on one line: skipped without being kept.
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..40 {
        file.write_all(&chunk).unwrap();
    }
    file.write_all(b"\n").unwrap();
    file.write_all(br#"{"id": "seed", "platform": "x", "handle": "PaImerReport", "display_name": "Palmer Report"}"#)
        .unwrap();
    file.write_all(b"\n\n").unwrap();
    drop(file);
    let identity = fixture("palmer.identity.json");
    let child = limited(
        &[
            "score",
            "--identity",
            identity.to_str().unwrap(),
            "--candidates",
            candidates.to_str().unwrap(),
            "--now",
            "2026-11-29",
        ],
        None,
    );
    let out = finish(child, "score");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "output line N answers input line N");
    assert_eq!(lines[0]["error"], "line 1 is longer than 1 MiB");
    assert_eq!(lines[1]["id"], "seed");
    assert_eq!(lines[1]["verdict"], "impostor");
    assert_eq!(lines[2]["error"], "line 3 is blank");
}

#[test]
fn scan_handles_drops_over_long_lines_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let identity = fixture("palmer.identity.json");
    // 400 MiB without a newline, then a look-alike handle: both scan paths must drop the
    // first "line" without keeping it and still find the second.
    let feed = "{ head -c 419430400 /dev/zero; printf '\\nPaImerReport\\n'; }";
    for naive in [false, true] {
        let mut args = vec!["scan-handles", "--identity", identity.to_str().unwrap()];
        if naive {
            args.push("--naive");
        }
        let out = finish(limited(&args, Some(feed)), "scan-handles");
        assert!(out.status.success(), "naive={naive}: {}", stderr(&out));
        let lines = json_lines(&out);
        assert!(
            lines.iter().any(|l| l["handle"] == "PaImerReport"),
            "naive={naive}: {lines:?}"
        );
    }
    drop(dir);
}

#[test]
fn a_fifo_or_a_device_given_as_an_image_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("avatar.png");
    mkfifo(&fifo);

    for image in [
        fifo.to_str().unwrap(),
        "/dev/zero",
        dir.path().to_str().unwrap(),
    ] {
        let out = finish(limited(&["avatar-hash", image], None), "avatar-hash");
        assert_eq!(out.status.code(), Some(2), "{image}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file") && stderr(&out).contains(image),
            "{image}: {}",
            stderr(&out)
        );
    }

    // A candidate's avatar: the line is scored, and a reason says why the avatar was not.
    let candidates = dir.path().join("c.jsonl");
    std::fs::write(
        &candidates,
        r#"{"id": 1, "platform": "x", "handle": "PaImerReport", "display_name": "Palmer Report", "avatar": "avatar.png"}
"#,
    )
    .unwrap();
    let identity = fixture("palmer.identity.json");
    let out = finish(
        limited(
            &[
                "score",
                "--identity",
                identity.to_str().unwrap(),
                "--candidates",
                candidates.to_str().unwrap(),
            ],
            None,
        ),
        "score with a FIFO avatar",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["id"], 1);
    assert!(
        lines[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["detail"].as_str().unwrap().contains("FIFO")),
        "{lines:?}"
    );

    // The person's own avatar: the identity is unusable, and the message says why.
    let person = dir.path().join("me.json");
    std::fs::write(
        &person,
        r#"{"name": "Palmer Report", "handles": [{"platform": "x", "handle": "PalmerReport"}], "avatar": "avatar.png"}"#,
    )
    .unwrap();
    let out = finish(
        limited(
            &[
                "score",
                "--identity",
                person.to_str().unwrap(),
                "--candidates",
                candidates.to_str().unwrap(),
            ],
            None,
        ),
        "score with a FIFO as the person's avatar",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("FIFO"), "{}", stderr(&out));
}
