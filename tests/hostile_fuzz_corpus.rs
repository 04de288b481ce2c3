//! The fuzz targets on stable Rust, in the ordinary test run: every seed of `fuzz/seeds/` and
//! every crash the fuzzer ever found (`tests/fixtures/hostile/fuzz-crashes/<target>/`) is fed to
//! its target, then a bounded, seeded mutation round (hostile Unicode, byte flips, splices,
//! truncations) runs on top. The coverage-guided run is `scripts/fuzz` (libFuzzer).
//!
//! Reproduce one input: `DOPPELWATCH_FUZZ_INPUT=path cargo test --test hostile_fuzz_corpus`.

#[path = "../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file());
    out.sort();
    out
}

fn run_one(name: &str, target: fn(&[u8]), path: &Path) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let result = std::panic::catch_unwind(|| target(&data));
    if let Err(panic) = result {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("target {name} fails on {}: {msg}", path.display());
    }
}

#[test]
fn every_seed_and_every_past_crash_passes_its_target() {
    if let Ok(one) = std::env::var("DOPPELWATCH_FUZZ_INPUT") {
        for (name, target) in targets::TARGETS {
            run_one(name, *target, Path::new(&one));
        }
        return;
    }
    let mut seeds = 0;
    let mut crashes = 0;
    for (name, target) in targets::TARGETS {
        let seed_files = files_in(&root().join("fuzz/seeds").join(name));
        assert!(!seed_files.is_empty(), "target {name} has no seeds");
        for path in &seed_files {
            run_one(name, *target, path);
        }
        seeds += seed_files.len();
        let crash_files = files_in(
            &root()
                .join("tests/fixtures/hostile/fuzz-crashes")
                .join(name),
        );
        for path in &crash_files {
            run_one(name, *target, path);
        }
        crashes += crash_files.len();
    }
    eprintln!(
        "replayed {seeds} seeds and {crashes} crash regressions over {} targets",
        targets::TARGETS.len()
    );
}

/// Pieces a hostile profile is made of, spliced into inputs by the mutator.
const HOSTILE: &[&str] = &[
    "\u{202E}",
    "\u{2066}",
    "\u{2067}",
    "\u{2068}",
    "\u{2069}",
    "\u{200B}",
    "\u{200D}",
    "\u{FEFF}",
    "\u{0301}\u{0301}\u{0301}\u{0301}",
    "\u{0430}",
    "\u{043E}",
    "I",
    "l",
    "rn",
    "vv",
    "0",
    "<script>",
    "</script>",
    "javascript:",
    "data:text/html,",
    "&#x202E;",
    "&lt;",
    "@",
    ".",
    "\u{FF}",
    "{",
    "[",
    "\"",
    "\\u0000",
    "\u{1F600}",
    "\u{10FFFF}",
    "\u{E0041}",
    "✔",
    "\u{FFFD}",
];

fn mutate(rng: &mut StdRng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let at = if out.is_empty() {
            0
        } else {
            rng.gen_range(0..=out.len())
        };
        match rng.gen_range(0..7) {
            0 if !out.is_empty() => {
                let i = rng.gen_range(0..out.len());
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => {
                let piece = HOSTILE[rng.gen_range(0..HOSTILE.len())].as_bytes();
                let times = if rng.gen_bool(0.1) { 200 } else { 1 };
                for _ in 0..times {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            2 => out.truncate(at),
            3 if !corpus.is_empty() => {
                let other = &corpus[rng.gen_range(0..corpus.len())];
                let from = rng.gen_range(0..=other.len());
                out.splice(at..at, other[from..].iter().copied());
            }
            4 if !out.is_empty() => {
                let end = rng.gen_range(at..=out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            5 => out.insert(at.min(out.len()), rng.gen()),
            _ if at < out.len() => {
                out.remove(at);
            }
            _ => {}
        }
    }
    out.truncate(64 * 1024);
    out
}

#[test]
fn a_bounded_seeded_mutation_round_finds_no_failure() {
    // Bounded so the suite stays fast in debug builds; scripts/fuzz does the long runs.
    let per_target: usize = std::env::var("DOPPELWATCH_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let mut rng = StdRng::seed_from_u64(0x00D0_BBE1);
    let mut total = 0;
    for (name, target) in targets::TARGETS {
        let corpus: Vec<Vec<u8>> = files_in(&root().join("fuzz/seeds").join(name))
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .collect();
        for _ in 0..per_target {
            let base = &corpus[rng.gen_range(0..corpus.len())];
            let input = mutate(&mut rng, base, &corpus);
            if std::panic::catch_unwind(|| target(&input)).is_err() {
                let dir = std::env::temp_dir().join("doppelwatch-fuzz-failures");
                let _ = std::fs::create_dir_all(&dir);
                let path = dir.join(format!("{name}-{total}"));
                let _ = std::fs::write(&path, &input);
                panic!(
                    "target {name} failed on a mutated input, saved as {}",
                    path.display()
                );
            }
            total += 1;
        }
    }
    eprintln!(
        "{total} mutated inputs over {} targets",
        targets::TARGETS.len()
    );
}
