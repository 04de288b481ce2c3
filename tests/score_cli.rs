//! The `score` CLI contract, run as a real process on fixture files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/score")
        .join(name)
}

fn score(identity: &Path, candidates: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .args(["score", "--identity"])
        .arg(identity)
        .arg("--candidates")
        .arg(candidates)
        .args(["--now", "2026-11-29T12:00:00Z"])
        .output()
        .expect("run doppelwatch")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("utf-8 stdout")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn seed_case_is_an_impostor_with_the_i_l_reason() {
    let out = score(&fixture("palmer.identity.json"), &fixture("seed.jsonl"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lines = lines(&out);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(keys(line), ["id", "reasons", "score", "verdict"]);
    assert_eq!(line["id"], "seed");
    assert_eq!(line["verdict"], "impostor");
    let score = line["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score) && score >= 0.7, "{score}");
    let reasons = line["reasons"].as_array().unwrap();
    for r in reasons {
        assert_eq!(keys(r), ["detail", "signal"]);
    }
    assert!(
        reasons.iter().any(|r| r["signal"] == "confusable_handle"
            && r["detail"]
                .as_str()
                .unwrap()
                .contains("handle PaImerReport looks like your X handle PalmerReport: capital I (U+0049) where yours has l (U+006C), 3rd character")),
        "{reasons:?}"
    );
}

#[test]
fn every_input_line_gets_one_output_line_in_order() {
    let out = score(&fixture("palmer.identity.json"), &fixture("contract.jsonl"));
    // Some lines fail, so the exit code is 1, but every line is answered.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines = lines(&out);
    assert_eq!(lines.len(), 8, "{lines:#?}");

    // Numeric id is echoed as a number; unknown keys are ignored.
    assert_eq!(lines[0]["id"], 7);
    assert_eq!(lines[0]["verdict"], "impostor");

    // Not JSON: error, no id.
    assert_eq!(keys(&lines[1]), ["error"]);
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("line 2 is not valid JSON"));

    // No id: error that names the field.
    assert_eq!(keys(&lines[2]), ["error"]);
    assert!(lines[2]["error"]
        .as_str()
        .unwrap()
        .contains("field id is missing"));

    // A blank line is answered with an error so output line N answers input line N.
    assert_eq!(keys(&lines[3]), ["error"]);
    assert!(lines[3]["error"]
        .as_str()
        .unwrap()
        .contains("line 4 is blank"));

    // The person's own account (X handles are case-insensitive) is never an alert.
    assert_eq!(lines[4]["id"], "own");
    assert_eq!(lines[4]["verdict"], "clear");
    assert_eq!(lines[4]["reasons"][0]["signal"], "own_account");

    // An unreadable date: error with the id.
    assert_eq!(keys(&lines[5]), ["error", "id"]);
    assert_eq!(lines[5]["id"], "bad-date");
    assert!(lines[5]["error"].as_str().unwrap().contains("created_at"));

    // A fan who mentions the person: clear, with the mention shown.
    assert_eq!(lines[6]["id"], "fan");
    assert_eq!(lines[6]["verdict"], "clear", "{}", lines[6]);

    // A missing avatar file is not a crash: the line is scored and says the avatar was skipped.
    assert_eq!(lines[7]["id"], "missing-avatar");
    assert_eq!(lines[7]["verdict"], "clear");
    assert!(
        lines[7]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["signal"] == "avatar"
                && r["detail"].as_str().unwrap().contains("not compared"))
    );
}

#[test]
fn unusable_arguments_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    let out = score(&missing, &fixture("seed.jsonl"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read identity file"), "{err}");
    assert!(out.stdout.is_empty());

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"name": "X", "handles": [{"platform": "x", "handle": "not valid!"}]}"#,
    )
    .unwrap();
    let out = score(&bad, &fixture("seed.jsonl"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("field handles[0]"), "{err}");

    let out = score(
        &fixture("palmer.identity.json"),
        &dir.path().join("none.jsonl"),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read candidates file"), "{err}");

    let out = score(&fixture("palmer.identity.json"), dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn identity_avatar_that_cannot_be_read_is_an_argument_error() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("id.json");
    std::fs::write(
        &id,
        r#"{"name": "Palmer Report", "handles": [{"platform": "x", "handle": "PalmerReport"}], "avatar": "missing.png"}"#,
    )
    .unwrap();
    let out = score(&id, &fixture("seed.jsonl"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.png") && err.contains("avatar"),
        "{err}"
    );
}

#[test]
fn hostile_text_is_escaped_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.jsonl");
    let long = "a".repeat(2 << 20);
    std::fs::write(
        &c,
        format!(
            "{}\n{}\n{}\n",
            r#"{"id": "bidi", "platform": "x", "handle": "Palmer\u202eReport", "display_name": "Palmer\u200bReport"}"#,
            format_args!(r#"{{"id": "long", "platform": "x", "handle": "{long}"}}"#),
            r#"{"id": "after", "platform": "x", "handle": "Someone", "display_name": "Someone"}"#,
        ),
    )
    .unwrap();
    let out = score(&fixture("palmer.identity.json"), &c);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines = lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["verdict"], "impostor");
    let text = lines[0].to_string();
    // The override itself never reaches a reason's text; it is named instead.
    for r in lines[0]["reasons"].as_array().unwrap() {
        assert!(!r["detail"].as_str().unwrap().contains('\u{202E}'), "{r}");
    }
    assert!(text.contains("RIGHT-TO-LEFT OVERRIDE"), "{text}");
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("longer than 1 MiB"));
    assert_eq!(lines[2]["id"], "after");
    assert_eq!(lines[2]["verdict"], "clear");
}
