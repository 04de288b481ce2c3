//! Benchmark of avatar hashing (issue 2, item 7): `cargo bench --bench avatar_hash`.
//!
//! In one run, on the same generated photo-like avatar (400x400 JPEG q85, 400x400 PNG, 1024x1024
//! JPEG q85), times per image:
//! - the baseline: a plain `image::load_from_memory` decode (what any use of the image costs),
//! - `fingerprint` (bounded decode + the two candidate forms + quality),
//! - `fingerprint_reference` (plus the shifted and scaled forms; once per protected person),
//! - `compare` of a reference with a candidate that is a copy of it (the whole verification
//!   runs) and with an unrelated picture (what the scorer pays for most candidates),
//!
//! and prints each as a ratio against the baseline. Best of `BENCH_RUNS` runs (default 5) of
//! `BENCH_ITERATIONS` images (default 40). Figures are printed, never asserted.

#[path = "../tests/avatar_support/mod.rs"]
mod avatar_support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use avatar_support::{jpeg, photo, png, resize};
use doppelwatch::detect::avatar::{compare, fingerprint, fingerprint_reference};

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Best per-call time over `runs` runs of `iterations` calls.
fn best(runs: usize, iterations: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                f();
            }
            started.elapsed() / iterations as u32
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let runs = env_count("BENCH_RUNS", 5);
    let iterations = env_count("BENCH_ITERATIONS", 40);
    let original = photo(2024, 1024);
    let other = photo(7, 1024);
    let inputs = [
        ("400x400 JPEG q85", jpeg(&resize(&original, 400), 85)),
        ("400x400 PNG", png(&resize(&original, 400))),
        ("1024x1024 JPEG q85", jpeg(&original, 85)),
    ];
    println!("avatar hashing, best of {runs} runs x {iterations} images, per image:");
    for (name, bytes) in &inputs {
        let decode = best(runs, iterations, || {
            black_box(image::load_from_memory(black_box(bytes)).expect("decodes"));
        });
        let candidate = best(runs, iterations, || {
            black_box(fingerprint(black_box(bytes)).expect("fingerprint"));
        });
        let reference = best(runs, iterations.div_ceil(4), || {
            black_box(fingerprint_reference(black_box(bytes)).expect("fingerprint"));
        });
        let (r, c) = (
            fingerprint_reference(bytes).expect("fingerprint"),
            fingerprint(bytes).expect("fingerprint"),
        );
        let comparing = best(runs, iterations, || {
            black_box(compare(black_box(&r), black_box(&c)));
        });
        let unrelated = fingerprint(&jpeg(&resize(&other, 400), 85)).expect("fingerprint");
        let comparing_other = best(runs, iterations * 100, || {
            black_box(compare(black_box(&r), black_box(&unrelated)));
        });
        let ratio = |d: Duration| d.as_secs_f64() / decode.as_secs_f64();
        println!("{name} ({} bytes):", bytes.len());
        println!("  decode only (baseline)   {decode:>10.2?}  1.00x");
        println!(
            "  fingerprint              {candidate:>10.2?}  {:.2}x decode",
            ratio(candidate)
        );
        println!(
            "  fingerprint_reference    {reference:>10.2?}  {:.2}x decode",
            ratio(reference)
        );
        println!(
            "  compare, a copy          {comparing:>10.2?}  {:.4}x decode",
            ratio(comparing)
        );
        println!(
            "  compare, unrelated       {comparing_other:>10.2?}  {:.4}x decode",
            ratio(comparing_other)
        );
    }
}
