//! Evaluation of `doppelwatch score` on real public figures' names and handles
//! (tests/fixtures/real-names/: people.csv from EveryPolitician, see SOURCE.md there; the sets are
//! made by generate.py beside it, written without reading the detector).
//!
//! Every real person is an identity (`<slug>.identity.json`); its candidates (`<slug>.jsonl`) are other
//! real people's own accounts (family `real-vs-real`), generated impersonations (one family per attack)
//! and hard negatives (namesakes, same-letter spellings, unrelated accounts). Lines carry `"expect"`,
//! `"family"`, `"tier"` and `"kind"`, which the CLI ignores. `"expect"` is "impostor", "clear", or
//! "suspicious" for a handle alone one or two edits (or an affix and an edit) from the person's: with
//! nothing else to go on that must be flagged, but two real people's handles can be that close too, so
//! those lines count as positives when `suspicious` does and are left out when `impostor` alone is
//! positive. People are split
//! by a stable hash into `dev/` (tune on it) and `holdout/` (asserted on its own; its lines are never
//! printed unless `REAL_NAMES_SHOW_HOLDOUT=1`).
//!
//! `cargo test --test real_names_eval -- --nocapture` prints, per set, per tier, per platform and per
//! family, precision and recall with `impostor` alone as positive and with `impostor` or `suspicious`
//! as positive, then the dev set's misses (all of them with `REAL_NAMES_ALL_MISSES=1`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

/// Issue 9 ("Done when"), `impostor` alone as positive.
const TARGET_IMPOSTOR_PRECISION: f64 = 0.98;
const TARGET_IMPOSTOR_RECALL: f64 = 0.95;
/// Issue 9 ("Done when"), `impostor` or `suspicious` as positive.
const TARGET_FLAGGED_RECALL: f64 = 0.98;
const TARGET_FLAGGED_PRECISION: f64 = 0.95;
/// Each attack family's recall: `impostor` alone as positive for the families expected `impostor`,
/// `impostor` or `suspicious` for those expected `suspicious` (issue 9, item 7).
const MIN_FAMILY_RECALL: f64 = 0.90;
/// Real people's own accounts scored against each other (both sets): this many lines at least.
const MIN_REAL_VS_REAL_LINES: usize = 5000;
/// Lines per set at least: a set that lost its files must fail, not pass on nothing.
const MIN_SET_LINES: usize = 5000;

/// Attack families; every one must have lines in each set. Those in FLAG_FAMILIES are expected
/// `suspicious` (or `impostor`), every other one `impostor`.
const ATTACK_FAMILIES: &[&str] = &[
    "copied-bio",
    "handle-affix",
    "handle-affix-edit",
    "handle-lookalike",
    "handle-one-edit",
    "handle-only-affix-edit",
    "handle-only-lookalike",
    "handle-only-one-edit",
    "handle-only-two-edits",
    "handle-two-edits",
    "mastodon-other-server",
    "name-accent-other-letter",
    "name-capitals",
    "name-fake-check",
    "name-initials",
    "name-invisible",
    "name-reordered",
    "name-script-mix",
    "name-special-letter",
    "repurposed-copied-bio",
    "repurposed-fake-check",
    "repurposed-handle-lookalike",
    "repurposed-invisible",
    "repurposed-script-mix",
    "repurposed-special-letter",
];

/// Handle-only edits: flagged is right, `impostor` is not required (see the module comment).
const FLAG_FAMILIES: &[&str] = &[
    "handle-only-affix-edit",
    "handle-only-one-edit",
    "handle-only-two-edits",
];

/// Negative families (expected `clear`); every one must have lines in each set.
const NEGATIVE_FAMILIES: &[&str] = &[
    "namesake-established",
    "namesake-fresh",
    "real-vs-real",
    "spelling-variant",
    "unrelated",
];

/// What a line's label asks of the verdict.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Impostor,
    /// `suspicious` or `impostor`.
    Flagged,
    Clear,
}

impl Expect {
    fn parse(label: &Value) -> Expect {
        match label.as_str() {
            Some("impostor") => Expect::Impostor,
            Some("suspicious") => Expect::Flagged,
            Some("clear") => Expect::Clear,
            other => panic!("expect must be impostor, suspicious or clear, not {other:?}"),
        }
    }
}

/// One scored, labelled candidate.
struct Scored {
    set: &'static str,
    identity: String,
    id: String,
    platform: String,
    family: String,
    tier: String,
    kind: String,
    expect: Expect,
    verdict: String,
    score: f64,
    input: String,
    reasons: Vec<String>,
}

fn set_dir(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-names")
        .join(set)
}

/// The set's lines, scored once per test process (the tests share them).
fn scored(set: &'static str) -> &'static [Scored] {
    static DEV: OnceLock<Vec<Scored>> = OnceLock::new();
    static HOLDOUT: OnceLock<Vec<Scored>> = OnceLock::new();
    let cell = match set {
        "dev" => &DEV,
        "holdout" => &HOLDOUT,
        other => panic!("unknown set {other}"),
    };
    cell.get_or_init(|| run_set(set))
}

/// Runs the real binary once per identity file (a few at a time) and pairs outputs with labels.
fn run_set(set: &'static str) -> Vec<Scored> {
    let dir = set_dir(set);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{set}: no candidate files in {}",
        dir.display()
    );
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<Scored>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(file) = files.get(i) else { break };
                let rows = score_file(set, file);
                results.lock().expect("results lock").push((i, rows));
            });
        }
    });
    let mut results = results.into_inner().expect("results lock");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().flat_map(|(_, rows)| rows).collect()
}

/// Scores one identity's candidate file with `doppelwatch score`.
fn score_file(set: &'static str, candidates: &Path) -> Vec<Scored> {
    let stem = candidates
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("file stem")
        .to_string();
    let identity_path = candidates.with_file_name(format!("{stem}.identity.json"));
    let identity: Value = serde_json::from_str(
        &std::fs::read_to_string(&identity_path)
            .unwrap_or_else(|e| panic!("read {}: {e}", identity_path.display())),
    )
    .expect("identity is JSON");
    let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .args(["score", "--identity"])
        .arg(&identity_path)
        .arg("--candidates")
        .arg(candidates)
        .args(["--now", "2026-11-29T12:00:00Z"])
        .output()
        .expect("run doppelwatch score");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let inputs: Vec<String> = std::fs::read_to_string(candidates)
        .expect("read candidates")
        .lines()
        .map(str::to_string)
        .collect();
    let outputs: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        inputs.len(),
        outputs.len(),
        "{set}/{stem}: one output line per input line; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or("").to_string();
    inputs
        .iter()
        .zip(outputs)
        .map(|(input, output)| {
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
            Scored {
                set,
                identity: text(&identity, "name"),
                id: text(&want, "id"),
                platform: text(&want, "platform"),
                family: text(&want, "family"),
                tier: text(&want, "tier"),
                kind: text(&want, "kind"),
                expect: Expect::parse(&want["expect"]),
                verdict,
                score: got["score"].as_f64().unwrap_or(f64::NAN),
                input: input.clone(),
                reasons,
            }
        })
        .collect()
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
    fn of<'a>(rows: impl IntoIterator<Item = &'a Scored>, definition: &Definition) -> Self {
        let mut c = Counts::default();
        for s in rows {
            let positive = match s.expect {
                Expect::Impostor => true,
                Expect::Clear => false,
                Expect::Flagged if definition.strict => continue,
                Expect::Flagged => true,
            };
            match (positive, (definition.predicted)(s)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
        }
        c
    }
    /// None when nothing was predicted positive: no ratio of an empty set counts as a figure.
    fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn show(r: Option<f64>) -> String {
    r.map_or_else(|| "  n/a".to_string(), |v| format!("{v:.3}"))
}

fn is_impostor(s: &Scored) -> bool {
    s.verdict == "impostor"
}

fn is_flagged(s: &Scored) -> bool {
    s.verdict == "impostor" || s.verdict == "suspicious"
}

/// What counts as a positive prediction; `strict` leaves out the lines expected `suspicious`.
struct Definition {
    label: &'static str,
    predicted: fn(&Scored) -> bool,
    strict: bool,
}

const STRICT: Definition = Definition {
    label: "impostor = positive",
    predicted: is_impostor,
    strict: true,
};

const LOOSE: Definition = Definition {
    label: "impostor+suspicious = positive",
    predicted: is_flagged,
    strict: false,
};

/// Whether the verdict is what the label asks for.
fn is_right(s: &Scored) -> bool {
    match s.expect {
        Expect::Impostor => is_impostor(s),
        Expect::Flagged => is_flagged(s),
        Expect::Clear => !is_impostor(s),
    }
}

fn print_counts(label: &str, rows: &[&Scored]) {
    let count = |e: Expect| rows.iter().filter(|s| s.expect == e).count();
    println!(
        "{label}: {} lines, {} impostors, {} to flag, {} clear",
        rows.len(),
        count(Expect::Impostor),
        count(Expect::Flagged),
        count(Expect::Clear)
    );
    for definition in [&STRICT, &LOOSE] {
        let c = Counts::of(rows.iter().copied(), definition);
        println!(
            "  {:32} precision {}  recall {}  (tp {} fp {} fn {} tn {})",
            definition.label,
            show(c.precision()),
            show(c.recall()),
            c.tp,
            c.fp,
            c.fn_,
            c.tn
        );
    }
}

fn group_by(set: &[Scored], key: fn(&Scored) -> &str) -> BTreeMap<String, Vec<&Scored>> {
    let mut groups: BTreeMap<String, Vec<&Scored>> = BTreeMap::new();
    for s in set {
        groups.entry(key(s).to_string()).or_default().push(s);
    }
    groups
}

/// Prints the figures of one set: overall, per tier, per platform, per family.
fn report(name: &str, set: &[Scored]) {
    println!("\n===== real names, {name} set =====");
    print_counts("all", &set.iter().collect::<Vec<_>>());
    for (tier, rows) in group_by(set, |s| s.tier.as_str()) {
        print_counts(&format!("tier {tier}"), &rows);
    }
    for (platform, rows) in group_by(set, |s| s.platform.as_str()) {
        print_counts(&format!("platform {platform}"), &rows);
    }
    println!(
        "\nper family (n; impostor / suspicious / clear; rate = recall for attacks, \
         specificity for negatives: impostor alone | impostor or suspicious)"
    );
    let mut families: Vec<(String, Vec<&Scored>)> =
        group_by(set, |s| s.family.as_str()).into_iter().collect();
    families.sort_by_key(|(family, rows)| (rows[0].expect == Expect::Clear, family.clone()));
    for (family, rows) in families {
        let n = rows.len();
        let imp = rows.iter().filter(|s| s.verdict == "impostor").count();
        let sus = rows.iter().filter(|s| s.verdict == "suspicious").count();
        let clr = rows.iter().filter(|s| s.verdict == "clear").count();
        let (what, strict, loose) = match rows[0].expect {
            Expect::Impostor => ("attack", ratio(imp, n), ratio(imp + sus, n)),
            Expect::Flagged => ("to flag", None, ratio(imp + sus, n)),
            Expect::Clear => ("negative", ratio(n - imp, n), ratio(n - imp - sus, n)),
        };
        println!(
            "  {what:8} {family:28} n={n:5}  {imp:5} / {sus:5} / {clr:5}  rate {} | {}",
            show(strict),
            show(loose)
        );
    }
}

/// Prints the lines `impostor` alone gets wrong, a few per family unless all are asked for.
fn print_misses(set: &[Scored]) {
    let all = std::env::var_os("REAL_NAMES_ALL_MISSES").is_some();
    println!(
        "\nwrong verdicts: attacks not impostor, handle-only edits not flagged, negatives impostor \
         (REAL_NAMES_ALL_MISSES=1 for every one):"
    );
    for (family, rows) in group_by(set, |s| s.family.as_str()) {
        let misses: Vec<&&Scored> = rows.iter().filter(|s| !is_right(s)).collect();
        if misses.is_empty() {
            continue;
        }
        println!("  [{family}] {} misses", misses.len());
        for s in misses.iter().take(if all { usize::MAX } else { 8 }) {
            println!(
                "    {} ({}) -> {} {:.2} for {:?}\n      {}\n      reasons: {}",
                s.id,
                s.kind,
                s.verdict,
                s.score,
                s.identity,
                s.input,
                if s.reasons.is_empty() {
                    "(none)".to_string()
                } else {
                    s.reasons.join(" | ")
                }
            );
        }
    }
}

/// Fails on lines the CLI could not score, on a small set, and on a missing or unknown family.
fn assert_well_formed(name: &str, set: &[Scored]) {
    let errors: Vec<String> = set
        .iter()
        .filter(|s| s.verdict.starts_with("error"))
        .map(|s| format!("{} {}", s.id, s.verdict))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: lines the CLI could not score: {errors:?}"
    );
    assert!(
        set.len() >= MIN_SET_LINES,
        "{name}: {} lines, expected at least {MIN_SET_LINES}",
        set.len()
    );
    let families = group_by(set, |s| s.family.as_str());
    for family in ATTACK_FAMILIES.iter().chain(NEGATIVE_FAMILIES) {
        assert!(
            families.contains_key(*family),
            "{name}: family {family} has no lines (an empty family proves nothing)"
        );
    }
    for (family, rows) in &families {
        let family = family.as_str();
        let expect = if FLAG_FAMILIES.contains(&family) {
            Expect::Flagged
        } else if ATTACK_FAMILIES.contains(&family) {
            Expect::Impostor
        } else if NEGATIVE_FAMILIES.contains(&family) {
            Expect::Clear
        } else {
            panic!(
                "{name}: unknown family {family}: add it to ATTACK_FAMILIES or NEGATIVE_FAMILIES"
            )
        };
        assert!(
            rows.iter().all(|s| s.expect == expect),
            "{name}: family {family} should all be expected {expect:?}"
        );
    }
}

/// The targets on a whole set, and the minimum recall of every attack family.
fn assert_targets(name: &str, set: &[Scored]) {
    let strict = Counts::of(set, &STRICT);
    let loose = Counts::of(set, &LOOSE);
    let mut failures = Vec::new();
    let mut check = |what: String, got: Option<f64>, bound: f64| {
        if !matches!(got, Some(v) if v >= bound) {
            failures.push(format!("{what} {} < {bound}", show(got)));
        }
    };
    check(
        "impostor-only precision".into(),
        strict.precision(),
        TARGET_IMPOSTOR_PRECISION,
    );
    check(
        "impostor-only recall".into(),
        strict.recall(),
        TARGET_IMPOSTOR_RECALL,
    );
    check(
        "impostor-or-suspicious recall".into(),
        loose.recall(),
        TARGET_FLAGGED_RECALL,
    );
    check(
        "impostor-or-suspicious precision".into(),
        loose.precision(),
        TARGET_FLAGGED_PRECISION,
    );
    for (family, rows) in group_by(set, |s| s.family.as_str()) {
        if ATTACK_FAMILIES.contains(&family.as_str()) {
            let flag = FLAG_FAMILIES.contains(&family.as_str());
            let c = Counts::of(rows.iter().copied(), if flag { &LOOSE } else { &STRICT });
            check(
                format!(
                    "family {family} recall ({})",
                    if flag { "flagged" } else { "impostor" }
                ),
                c.recall(),
                MIN_FAMILY_RECALL,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{name} set misses its targets:\n  {}\n(cargo test --test real_names_eval -- --nocapture \
         prints the figures)",
        failures.join("\n  ")
    );
}

/// The dev set: figures, misses, targets.
#[test]
fn real_names_dev() {
    let set = scored("dev");
    report("dev", set);
    print_misses(set);
    assert_well_formed("dev", set);
    assert_targets("dev", set);
}

/// The holdout set on its own: figures (no lines unless asked), targets.
#[test]
fn real_names_holdout() {
    let set = scored("holdout");
    report("holdout", set);
    if std::env::var_os("REAL_NAMES_SHOW_HOLDOUT").is_some() {
        print_misses(set);
    }
    assert_well_formed("holdout", set);
    assert_targets("holdout", set);
}

/// Real people's own accounts scored against each other (both sets): never `impostor`; every
/// `suspicious` one is listed with its reasons.
#[test]
fn real_people_never_impostor() {
    let rows: Vec<&Scored> = scored("dev")
        .iter()
        .chain(scored("holdout"))
        .filter(|s| s.family == "real-vs-real")
        .collect();
    assert!(
        rows.len() >= MIN_REAL_VS_REAL_LINES,
        "{} real-vs-real lines, expected at least {MIN_REAL_VS_REAL_LINES}",
        rows.len()
    );
    let suspicious: Vec<&&Scored> = rows.iter().filter(|s| s.verdict == "suspicious").collect();
    let impostors: Vec<&&Scored> = rows.iter().filter(|s| is_impostor(s)).collect();
    println!(
        "\nreal vs real: {} lines ({} handle-only), {} impostor, {} suspicious, {} clear",
        rows.len(),
        rows.iter().filter(|s| s.tier == "handle-only").count(),
        impostors.len(),
        suspicious.len(),
        rows.iter().filter(|s| s.verdict == "clear").count()
    );
    for (label, list) in [("impostor", &impostors), ("suspicious", &suspicious)] {
        for s in list.iter() {
            println!(
                "  {label} [{}] {} ({}, {}): {:?} vs {}\n      reasons: {}",
                s.set,
                s.id,
                s.kind,
                s.tier,
                s.identity,
                s.input,
                s.reasons.join(" | ")
            );
        }
    }
    assert!(
        impostors.is_empty(),
        "{} real people's own accounts were called impostors of another real person: {:?}",
        impostors.len(),
        impostors.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
}
