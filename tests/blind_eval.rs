//! Blind evaluation of `doppelwatch score` on a labelled set its author never saw
//! (tests/fixtures/blind-eval/, made by generate.py there from issue 2's attack families, published
//! IDN-homograph pairs and real-world hard negatives).
//!
//! Each `*.jsonl` file holds candidates for the identity in the `*.identity.json` beside it; every
//! line carries `"expect"` ("impostor" or "clear") and `"family"`, keys the CLI ignores.
//! A prediction is positive when the verdict is `impostor`; the report also shows the figures
//! when `suspicious` counts as positive. `scripts/eval-blind` prints the full report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Bounds just under the figures measured when they were set (issue 9, item 7), so that a few
/// lines going wrong fail the test: (precision, recall) with `impostor` alone as positive, then
/// with `impostor` or `suspicious` as positive. Measured: whole set 1.000/0.991 and
/// 0.964/0.994; hard tier 1.000/1.000 and 0.949/1.000; held-out tier 1.000/0.975 and
/// 1.000/1.000 (`cargo test --test blind_eval -- --nocapture`).
const WHOLE_STRICT: (f64, f64) = (0.995, 0.985);
const WHOLE_LOOSE: (f64, f64) = (0.955, 0.99);
const HARD_STRICT: (f64, f64) = (0.99, 0.985);
const HOLDOUT_STRICT: (f64, f64) = (0.97, 0.95);
/// Every family (attack: share judged impostor; hard negative: share not judged impostor).
const MIN_FAMILY_RATE: f64 = 0.75;

/// One scored, labelled candidate.
struct Scored {
    id: String,
    family: String,
    tier: String,
    expect_impostor: bool,
    verdict: String,
    score: f64,
    input: String,
    reasons: Vec<String>,
}

fn set_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blind-eval")
}

/// The scored set, run once per test binary.
fn run_set() -> &'static [Scored] {
    static SET: std::sync::OnceLock<Vec<Scored>> = std::sync::OnceLock::new();
    SET.get_or_init(score_set)
}

/// Runs the real binary over every identity's candidate file and pairs outputs with labels.
fn score_set() -> Vec<Scored> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(set_dir())
        .expect("read tests/fixtures/blind-eval")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "expected the blind set's files");
    let mut all = Vec::new();
    for candidates in files {
        let stem = candidates
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file stem")
            .to_string();
        let identity = set_dir().join(format!("{stem}.identity.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
            .args(["score", "--identity"])
            .arg(&identity)
            .arg("--candidates")
            .arg(&candidates)
            .args(["--now", "2026-11-29T12:00:00Z"])
            .output()
            .expect("run doppelwatch score");
        let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
        let inputs: Vec<String> = std::fs::read_to_string(&candidates)
            .expect("read candidates")
            .lines()
            .map(str::to_string)
            .collect();
        let outputs: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            inputs.len(),
            outputs.len(),
            "{stem}: one output line per input line; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (input, output) in inputs.iter().zip(outputs) {
            let want: Value = serde_json::from_str(input).expect("labelled line is JSON");
            let got: Value = serde_json::from_str(output).expect("output line is JSON");
            assert_eq!(want["id"], got["id"], "{stem}: outputs follow input order");
            let verdict = got["verdict"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("error: {}", got["error"]));
            let reasons = got["reasons"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .map(|r| format!("{}: {}", r["signal"], r["detail"]))
                        .collect()
                })
                .unwrap_or_default();
            all.push(Scored {
                id: want["id"].as_str().expect("id").to_string(),
                family: want["family"].as_str().expect("family").to_string(),
                tier: want["tier"].as_str().unwrap_or("core").to_string(),
                expect_impostor: want["expect"] == "impostor",
                verdict,
                score: got["score"].as_f64().unwrap_or(f64::NAN),
                input: input.clone(),
                reasons,
            });
        }
    }
    all
}

/// True positives, false positives, false negatives, true negatives.
#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn add(&mut self, expect: bool, predicted: bool) {
        match (expect, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }
}

/// `a / b`, or `None` for an empty set (which must fail a bound, never pass it).
fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn show(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

fn is_impostor(s: &Scored) -> bool {
    s.verdict == "impostor"
}

fn is_flagged(s: &Scored) -> bool {
    s.verdict == "impostor" || s.verdict == "suspicious"
}

fn counts<'a>(set: impl IntoIterator<Item = &'a Scored>, predicted: fn(&Scored) -> bool) -> Counts {
    let mut c = Counts::default();
    for s in set {
        c.add(s.expect_impostor, predicted(s));
    }
    c
}

/// Prints overall and per-family figures under both definitions, then every miss.
fn report(set: &[Scored]) {
    for (tier, rows) in [
        ("all", set.iter().collect::<Vec<_>>()),
        ("core", set.iter().filter(|s| s.tier == "core").collect()),
        ("hard", set.iter().filter(|s| s.tier == "hard").collect()),
        (
            "holdout2",
            set.iter().filter(|s| s.tier == "holdout2").collect(),
        ),
    ] {
        let rows: Vec<&Scored> = rows;
        let positives = rows.iter().filter(|s| s.expect_impostor).count();
        println!(
            "{tier} tier: {} lines, {} impostors, {} clear",
            rows.len(),
            positives,
            rows.len() - positives
        );
        for (label, predicted) in [
            ("impostor = positive", is_impostor as fn(&Scored) -> bool),
            ("impostor+suspicious = positive", is_flagged),
        ] {
            let c = counts(rows.iter().copied(), predicted);
            println!(
                "  {label:32} precision {}  recall {}  (tp {} fp {} fn {} tn {})",
                show(c.precision()),
                show(c.recall()),
                c.tp,
                c.fp,
                c.fn_,
                c.tn
            );
        }
    }
    let mut families: BTreeMap<(bool, &str), Vec<&Scored>> = BTreeMap::new();
    for s in set {
        families
            .entry((!s.expect_impostor, s.family.as_str()))
            .or_default()
            .push(s);
    }
    println!("\nper family (n; impostor / suspicious / clear; rate = recall for attacks, specificity for negatives, strict | loose)");
    for ((negative, family), rows) in &families {
        let n = rows.len();
        let imp = rows.iter().filter(|s| s.verdict == "impostor").count();
        let sus = rows.iter().filter(|s| s.verdict == "suspicious").count();
        let clr = rows.iter().filter(|s| s.verdict == "clear").count();
        let (strict_ok, loose_ok) = if *negative {
            (n - imp, n - imp - sus)
        } else {
            (imp, imp + sus)
        };
        println!(
            "  {:8} {family:18} n={n:3}  {imp:3} / {sus:3} / {clr:3}  rate {} | {}",
            if *negative { "negative" } else { "attack" },
            show(ratio(strict_ok, n)),
            show(ratio(loose_ok, n))
        );
    }
    println!("\nmisclassified (impostor = positive):");
    for s in set.iter().filter(|s| s.expect_impostor != is_impostor(s)) {
        println!(
            "  [{}] {} -> {} {:.2}\n      {}\n      reasons: {}",
            s.family,
            s.id,
            s.verdict,
            s.score,
            s.input,
            if s.reasons.is_empty() {
                "(none)".to_string()
            } else {
                s.reasons.join(" | ")
            }
        );
    }
}

/// Runs the whole set, checks every line got a verdict, and prints the report
/// (`cargo test --test blind_eval -- --nocapture` or `scripts/eval-blind`).
#[test]
fn blind_set_is_scored_line_by_line_and_reported() {
    let set = run_set();
    assert!(set.len() >= 400, "the blind set has several hundred lines");
    let errors: Vec<&Scored> = set
        .iter()
        .filter(|s| s.verdict.starts_with("error"))
        .collect();
    report(set);
    assert!(
        errors.is_empty(),
        "lines the CLI could not score: {:?}",
        errors
            .iter()
            .map(|s| format!("{} {}", s.id, s.verdict))
            .collect::<Vec<_>>()
    );
}

/// Asserts (precision, recall) bounds on some of the set's lines; an empty selection fails.
fn assert_bounds(set: &[&Scored], what: &str, predicted: fn(&Scored) -> bool, bounds: (f64, f64)) {
    assert!(!set.is_empty(), "{what}: no lines (set missing?)");
    let c = counts(set.iter().copied(), predicted);
    let (p, r) = (c.precision(), c.recall());
    assert!(
        p.is_some_and(|p| p >= bounds.0) && r.is_some_and(|r| r >= bounds.1),
        "{what}: precision {} (bound {}), recall {} (bound {}); run scripts/eval-blind for the misses",
        show(p),
        bounds.0,
        show(r),
        bounds.1
    );
}

fn tier<'a>(set: &'a [Scored], name: &str) -> Vec<&'a Scored> {
    set.iter().filter(|s| s.tier == name).collect()
}

/// The whole blind set, both ways of counting.
#[test]
fn blind_set_meets_its_bounds() {
    let set = run_set();
    let all: Vec<&Scored> = set.iter().collect();
    assert_bounds(&all, "whole blind set, impostor", is_impostor, WHOLE_STRICT);
    assert_bounds(
        &all,
        "whole blind set, impostor or suspicious",
        is_flagged,
        WHOLE_LOOSE,
    );
}

/// The hard tier alone (variations issue 2 does not spell out).
#[test]
fn blind_hard_tier_meets_its_bounds() {
    let set = run_set();
    assert_bounds(&tier(set, "hard"), "hard tier", is_impostor, HARD_STRICT);
}

/// The held-out tier, never tuned on, on its own.
#[test]
fn blind_holdout_tier_meets_its_bounds() {
    let set = run_set();
    assert_bounds(
        &tier(set, "holdout2"),
        "held-out tier",
        is_impostor,
        HOLDOUT_STRICT,
    );
}

/// No attack family and no family of hard negatives may be lost, however small.
#[test]
fn every_blind_family_keeps_its_minimum() {
    let set = run_set();
    let mut families: BTreeMap<&str, Vec<&Scored>> = BTreeMap::new();
    for s in set {
        families.entry(s.family.as_str()).or_default().push(s);
    }
    assert!(families.len() >= 30, "only {} families", families.len());
    let mut low = Vec::new();
    for (family, rows) in &families {
        let right = rows
            .iter()
            .filter(|s| s.expect_impostor == is_impostor(s))
            .count();
        let rate = ratio(right, rows.len());
        if !rate.is_some_and(|r| r >= MIN_FAMILY_RATE) {
            low.push(format!("{family}: {} of {}", right, rows.len()));
        }
    }
    assert!(low.is_empty(), "families below {MIN_FAMILY_RATE}: {low:?}");
}
