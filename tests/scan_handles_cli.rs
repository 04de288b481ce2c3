//! The `doppelwatch scan-handles` contract: handles on stdin, one JSON line per match
//! `{"handle", "identity", "verdict", "reasons": [{"signal", "detail"}]}`, in input order, with the
//! verdict `score` gives the handle alone; the person's own handles and unrelated handles are not
//! matches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn write_identity(dir: &Path, file: &str, json: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, json).expect("write identity");
    path
}

fn scan(identities: &[&Path], input: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doppelwatch"));
    cmd.arg("scan-handles");
    for id in identities {
        cmd.arg("--identity").arg(id);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn doppelwatch");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait");
    // A run that refuses its arguments never reads stdin: a broken pipe is expected then.
    let _ = writer.join().expect("writer thread");
    out
}

/// One output line: handle, identity, verdict, reasons as (signal, detail).
type Match = (String, String, String, Vec<(String, String)>);

/// Parses the output; every line must be exactly the contract's object.
fn matches(out: &Output) -> Vec<Match> {
    String::from_utf8(out.stdout.clone())
        .expect("UTF-8")
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("JSON line");
            let o = v.as_object().expect("object");
            let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["handle", "identity", "reasons", "verdict"], "{line}");
            let reasons = o["reasons"]
                .as_array()
                .expect("reasons array")
                .iter()
                .map(|r| {
                    let r = r.as_object().expect("reason object");
                    assert_eq!(r.len(), 2, "{line}");
                    (
                        r["signal"].as_str().expect("signal").to_string(),
                        r["detail"].as_str().expect("detail").to_string(),
                    )
                })
                .collect::<Vec<_>>();
            assert!(!reasons.is_empty(), "a match says why: {line}");
            (
                o["handle"].as_str().expect("handle").to_string(),
                o["identity"].as_str().expect("identity").to_string(),
                o["verdict"].as_str().expect("verdict").to_string(),
                reasons,
            )
        })
        .collect()
}

const PALMER: &str = r#"{"name": "Palmer Report", "handles": [
    {"platform": "x", "handle": "PalmerReport"},
    {"platform": "bluesky", "handle": "palmerreport.com"},
    {"platform": "mastodon", "handle": "PalmerReport@mastodon.social"}]}"#;
const GUARDIAN: &str = r#"{"name": "Jane Guardian", "handles": [
    {"platform": "x", "handle": "JaneGuardian"}]}"#;

#[test]
fn every_attack_family_is_found_and_namesakes_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let palmer = write_identity(dir.path(), "palmer.json", PALMER);
    // (handle, expected verdict or None for no match)
    let cases: &[(&str, Option<&str>)] = &[
        ("PaImerReport", Some("impostor")),  // capital I for l
        ("PalmerRep0rt", Some("impostor")),  // zero for o
        ("PalrnerReport", Some("impostor")), // rn for m
        ("Pa1merReport", Some("impostor")),  // one for l
        ("p\u{0430}lmerreport.bsky.social", Some("impostor")), // Cyrillic a
        ("Palmer\u{200B}Report", Some("impostor")), // zero-width space
        ("ＰａｌｍｅｒReport", Some("impostor")), // fullwidth
        ("pálmerreport", Some("impostor")),  // diacritic
        ("palmerreport.bsky.social", Some("suspicious")), // custom domain copied (alone: maybe theirs)
        ("PalmerReport@mas.to", Some("suspicious")),      // same username, other server
        ("Palmer_Report", Some("suspicious")),            // separator
        ("palmer-report.bsky.social", Some("suspicious")),
        ("RealPalmerReport", Some("suspicious")), // affix
        ("PalmerReportHQ", Some("suspicious")),
        ("PalmerReport2024", Some("suspicious")), // digits
        ("PalmerReprt", Some("impostor")),        // typing slips of a long handle: omission
        ("PalmerRepport", Some("impostor")),      // repetition
        ("PalmerRepotr", Some("impostor")),       // transposition
        ("PalmerReports", Some("impostor")),      // addition
        ("PalmerRepert", Some("impostor")),       // vowel swap
        ("PalmerRepirt", Some("impostor")),       // keyboard neighbour (o->i)
        // Two letters of one word respelled may be another name: worth a look (as score says).
        ("ParkerReport", Some("suspicious")),
        ("PalmerReporter", Some("impostor")), // two letters added
        // Not matches: the person's own handles (any case, with @), namesakes, unrelated.
        ("PalmerReport", None),
        ("@palmerreport", None),
        ("palmerreport.com", None),
        ("PalmerReport@mastodon.social", None),
        ("WeatherReport", None),
        ("jane_doe", None),
        ("palmer", None),
        ("", None),
    ];
    let mut input = Vec::new();
    for (h, _) in cases {
        input.extend_from_slice(h.as_bytes());
        input.push(b'\n');
    }
    // Hostile lines: not UTF-8, CRLF endings, blanks; none may stop the scan.
    input.extend_from_slice(b"\xff\xfePalmerReport\n\r\n   \nPaImerReport\r\n");
    let out = scan(&[&palmer], &input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = matches(&out);
    let expected: Vec<(&str, &str)> = cases
        .iter()
        .filter_map(|(h, v)| v.map(|v| (*h, v)))
        .chain([("PaImerReport", "impostor")])
        .collect();
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|(h, _, v, _)| (h.as_str(), v.as_str()))
        .collect();
    assert_eq!(got, expected, "matches in input order");
    for (h, identity, _, reasons) in &found {
        assert_eq!(identity, "Palmer Report");
        for (signal, detail) in reasons {
            assert!(
                ["confusable_handle", "near_handle", "hidden_characters"]
                    .contains(&signal.as_str()),
                "{signal}"
            );
            assert!(!detail.is_empty(), "{h}");
        }
    }
    let capital_i = &found[0].3;
    assert_eq!(capital_i[0].0, "confusable_handle");
    assert!(
        capital_i[0]
            .1
            .contains("capital I (U+0049) where yours has l (U+006C), 3rd character"),
        "{capital_i:?}"
    );
    let zw = found
        .iter()
        .find(|m| m.0.contains('\u{200B}'))
        .expect("zero-width match");
    assert!(zw
        .3
        .iter()
        .any(|(s, d)| s == "hidden_characters" && d.contains("U+200B")));
}

#[test]
fn several_identities_are_told_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let palmer = write_identity(dir.path(), "palmer.json", PALMER);
    let jane = write_identity(dir.path(), "jane.json", GUARDIAN);
    let out = scan(
        // The same identity twice counts once.
        &[&palmer, &jane, &palmer],
        b"JaneGuardlan\nPaImerReport\nnobody\nJaneGuardian\nJane_Guardian\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let got: Vec<(String, String)> = matches(&out)
        .into_iter()
        .map(|(h, i, _, _)| (h, i))
        .collect();
    assert_eq!(
        got,
        [
            ("JaneGuardlan".to_string(), "Jane Guardian".to_string()),
            ("PaImerReport".to_string(), "Palmer Report".to_string()),
            ("Jane_Guardian".to_string(), "Jane Guardian".to_string()),
        ]
    );
}

#[test]
fn a_long_stream_without_trailing_newline_is_read_to_the_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let palmer = write_identity(dir.path(), "palmer.json", PALMER);
    let mut input = Vec::new();
    for i in 0..300_000 {
        writeln!(input, "user_{i}").expect("write");
    }
    // An over-long garbage line bigger than the read block, then the attack, no final newline.
    input.extend(std::iter::repeat(b'x').take(3 << 20));
    input.extend_from_slice(b"\nPaImerReport");
    let out = scan(&[&palmer], &input);
    assert_eq!(out.status.code(), Some(0));
    let found = matches(&out);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "PaImerReport");
}

#[test]
fn unusable_identity_exits_2_naming_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write_identity(
        dir.path(),
        "bad.json",
        r#"{"name": "X", "handles": [{"platform": "x", "handle": "not valid!"}]}"#,
    );
    let out = scan(&[&bad], b"whatever\n");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("handles[0]"), "{err}");
    let out = scan(&[&dir.path().join("missing.json")], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_variant_the_variants_command_lists_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let palmer = write_identity(dir.path(), "palmer.json", PALMER);
    let mut listed = Vec::new();
    for (platform, handle) in [
        ("x", "PalmerReport"),
        ("bluesky", "palmerreport.com"),
        ("mastodon", "PalmerReport@mastodon.social"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
            .args([
                "variants",
                "--platform",
                platform,
                handle,
                "--limit",
                "2000",
            ])
            .output()
            .expect("run variants");
        assert_eq!(out.status.code(), Some(0));
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let v: Value = serde_json::from_str(line).expect("JSON");
            listed.push(v["handle"].as_str().expect("handle").to_string());
        }
    }
    assert!(listed.len() > 500, "{}", listed.len());
    let input = listed.join("\n").into_bytes();
    let out = scan(&[&palmer], &input);
    assert_eq!(out.status.code(), Some(0));
    let found: std::collections::HashSet<String> =
        matches(&out).into_iter().map(|(h, _, _, _)| h).collect();
    let missed: Vec<&String> = listed.iter().filter(|h| !found.contains(*h)).collect();
    assert!(
        missed.is_empty(),
        "variants scan-handles does not report: {missed:?}"
    );
}
