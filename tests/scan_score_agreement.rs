//! `scan-handles` and `score` agree on every handle-only input of the evaluation sets: each
//! candidate's handle, alone on its platform, gets from `scan-handles` the verdict `score` gives
//! it (`clear` when `scan-handles` prints nothing), for every identity of tests/fixtures/eval,
//! tests/fixtures/blind-eval and tests/fixtures/real-names (dev and holdout; a disagreement in
//! the holdout is reported by line id only, never by its content).
//!
//! `cargo test --test scan_score_agreement -- --nocapture` prints the counts per set.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (identity file, candidates file) pairs of one set.
fn pairs(set: &str) -> Vec<(PathBuf, PathBuf)> {
    let dir = fixtures().join(set);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|candidates| {
            let stem = candidates
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("file stem")
                .to_string();
            let beside = dir.join(format!("{stem}.identity.json"));
            let identity = if beside.exists() {
                beside
            } else {
                dir.join("identities").join(format!("{stem}.json"))
            };
            (identity, candidates)
        })
        .collect()
}

/// True when the handle is written as scan-handles reads that platform's handles (a plain
/// username for X, a domain for Bluesky, `user@server` for Mastodon).
fn shaped_for(platform: &str, handle: &str) -> bool {
    let handle = handle.trim().trim_start_matches('@');
    match platform {
        "x" => !handle.contains('@') && !handle.contains('.'),
        "bluesky" => !handle.contains('@') && handle.contains('.'),
        "mastodon" => handle.contains('@'),
        _ => false,
    }
}

/// The distinct (platform, handle) inputs of one candidates file.
fn handle_inputs(candidates: &Path) -> BTreeSet<(String, String)> {
    std::fs::read_to_string(candidates)
        .expect("read candidates")
        .lines()
        .filter_map(|line| {
            let v: Value = serde_json::from_str(line).ok()?;
            let platform = v["platform"].as_str()?.to_string();
            let handle = v["handle"].as_str()?.trim().to_string();
            (shaped_for(&platform, &handle) && !handle.contains('\n')).then_some((platform, handle))
        })
        .collect()
}

/// `score`'s verdict for each handle alone.
fn score_verdicts(identity: &Path, inputs: &[(String, String)]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("handles.jsonl");
    let mut text = String::new();
    for (i, (platform, handle)) in inputs.iter().enumerate() {
        let line = serde_json::json!({"id": i, "platform": platform, "handle": handle});
        text.push_str(&format!("{line}\n"));
    }
    std::fs::write(&file, text).expect("write candidates");
    let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .args(["score", "--now", "2026-11-29T12:00:00Z", "--identity"])
        .arg(identity)
        .arg("--candidates")
        .arg(&file)
        .output()
        .expect("run score");
    assert!(out.status.success(), "score failed: {out:?}");
    let verdicts: Vec<String> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON line");
            v["verdict"].as_str().expect("verdict").to_string()
        })
        .collect();
    assert_eq!(verdicts.len(), inputs.len(), "{}", identity.display());
    verdicts
}

/// `scan-handles`' verdict for each handle (`clear` when it prints nothing).
fn scan_verdicts(identity: &Path, inputs: &[(String, String)]) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .arg("scan-handles")
        .arg("--identity")
        .arg(identity)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scan-handles");
    let mut stdin = child.stdin.take().expect("stdin");
    let text: String = inputs.iter().map(|(_, h)| format!("{h}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("write handles");
    assert!(out.status.success(), "scan-handles failed: {out:?}");
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).expect("UTF-8").lines() {
        let v: Value = serde_json::from_str(line).expect("JSON line");
        found.insert(
            v["handle"].as_str().expect("handle").to_string(),
            v["verdict"].as_str().expect("verdict").to_string(),
        );
    }
    inputs
        .iter()
        .map(|(_, h)| {
            let shown = h.trim_start_matches('@');
            // (Punycode is printed as read.)
            found.get(shown).cloned().unwrap_or_else(|| "clear".into())
        })
        .collect()
}

/// Compares both on one set; returns (inputs, flagged by score, disagreements as text).
fn compare(set: &str, show_lines: bool) -> (usize, usize, Vec<String>) {
    let (mut total, mut flagged, mut wrong) = (0, 0, Vec::new());
    for (identity, candidates) in pairs(set) {
        let inputs: Vec<(String, String)> = handle_inputs(&candidates).into_iter().collect();
        if inputs.is_empty() {
            continue;
        }
        let scored = score_verdicts(&identity, &inputs);
        let scanned = scan_verdicts(&identity, &inputs);
        for (i, (platform, handle)) in inputs.iter().enumerate() {
            total += 1;
            flagged += usize::from(scored[i] != "clear");
            if scored[i] != scanned[i] {
                let stem = candidates
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("?");
                wrong.push(if show_lines {
                    format!(
                        "{stem}: {platform} {handle:?}: score {} / scan-handles {}",
                        scored[i], scanned[i]
                    )
                } else {
                    format!("{stem}: input {i}")
                });
            }
        }
    }
    (total, flagged, wrong)
}

#[test]
fn scan_handles_agrees_with_score_on_every_handle_of_the_evaluation_sets() {
    let mut failures = Vec::new();
    for (set, show, min_inputs) in [
        ("eval", true, 500),
        ("blind-eval", true, 300),
        ("real-names/dev", true, 5000),
        ("real-names/holdout", false, 2000),
    ] {
        let (total, flagged, wrong) = compare(set, show);
        println!(
            "{set}: {total} handle-only inputs, {flagged} flagged by score, {} disagreements",
            wrong.len()
        );
        assert!(
            total >= min_inputs,
            "{set}: only {total} handle-only inputs (expected {min_inputs} or more): set missing?"
        );
        assert!(
            flagged > 0,
            "{set}: score flags nothing: the comparison would be empty"
        );
        failures.extend(wrong.into_iter().map(|w| format!("{set}: {w}")));
    }
    assert!(
        failures.is_empty(),
        "{} handles judged differently:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
