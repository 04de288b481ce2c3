//! Evaluation of the avatar signal: for each transformation, the similarity range over several
//! unrelated "people" (seeds), against the highest similarity between unrelated pictures.
//! Prints the table of the note and asserts that every transformed copy matches and no unrelated
//! pair does. The default size keeps debug test runs short; the note's figures come from
//! `AVATAR_EVAL_SEEDS=20 AVATAR_EVAL_POOL=60 cargo test --release --test avatar_eval -- --nocapture`.

mod avatar_support;

use avatar_support::*;
use doppelwatch::detect::avatar::{
    compare, fingerprint, fingerprint_reference, AvatarFingerprint, FORM_BITS, MATCH_DISTANCE,
    QUALITY_GATE,
};

/// Side of the original avatars.
const SIZE: u32 = 256;

/// A count from the environment, or `default`.
fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn distance_of(similarity: f32) -> u32 {
    ((1.0 - similarity) * (FORM_BITS / 2) as f32).round() as u32
}

#[test]
fn transformed_copies_match_and_unrelated_pictures_do_not() {
    // Unrelated "people" the transformation figures are taken over.
    let seeds = env_count("AVATAR_EVAL_SEEDS", 3);
    // "People" in the unrelated-pairs pool (only fingerprinted, so it can be larger).
    let pool_size = env_count("AVATAR_EVAL_POOL", 12);
    let originals: Vec<_> = (0..seeds).map(|seed| photo(seed, SIZE)).collect();
    let references: Vec<AvatarFingerprint> = originals
        .iter()
        .map(|image| fingerprint_reference(&png(image)).expect("reference fingerprint"))
        .collect();
    let min_quality = references.iter().map(|f| f.quality).fold(1.0, f32::min);
    println!("photo-like originals: {seeds} seeds, {SIZE}px, lowest quality {min_quality:.2} (gate {QUALITY_GATE})");
    assert!(min_quality >= QUALITY_GATE);

    let mut failures = Vec::new();
    let mut worst_match = 1.0f32;
    println!(
        "\n| transformation | min similarity | max similarity | worst distance (bits of {FORM_BITS}) |"
    );
    println!("|---|---|---|---|");
    for (name, transform) in transformations() {
        let (mut low, mut high) = (1.0f32, 0.0f32);
        for (seed, original) in originals.iter().enumerate() {
            let candidate = fingerprint(&transform(original)).expect("candidate fingerprint");
            let m = compare(&references[seed], &candidate);
            low = low.min(m.similarity);
            high = high.max(m.similarity);
            if !m.matched {
                failures.push(format!("seed {seed} {name}: {}", m.detail));
            }
        }
        worst_match = worst_match.min(low);
        println!("| {name} | {low:.3} | {high:.3} | {} |", distance_of(low));
    }

    // Unrelated: every person's reference against every other person's picture, as served and as
    // a round screenshot (more forms compared means more chances of a false match).
    let pool: Vec<_> = (0..pool_size).map(|seed| photo(seed, SIZE)).collect();
    let pool_references: Vec<AvatarFingerprint> = pool
        .iter()
        .map(|image| fingerprint_reference(&png(image)).expect("reference fingerprint"))
        .collect();
    let mut best_unrelated = 0.0f32;
    let mut unrelated_distances = Vec::new();
    let mut pairs = 0;
    for (j, other) in pool.iter().enumerate() {
        let served = fingerprint(&jpeg(other, 80)).expect("fingerprint");
        let round = fingerprint(&png(&circle(other, [255, 255, 255]))).expect("fingerprint");
        for (i, reference) in pool_references.iter().enumerate() {
            if i == j {
                continue;
            }
            for candidate in [&served, &round] {
                let m = compare(reference, candidate);
                pairs += 1;
                unrelated_distances.push(distance_of(m.similarity));
                best_unrelated = best_unrelated.max(m.similarity);
                if m.matched {
                    failures.push(format!("unrelated {i} vs {j} matched: {}", m.detail));
                }
            }
        }
    }
    println!(
        "| unrelated pairs ({pairs}) | - | {best_unrelated:.3} | {} |",
        distance_of(best_unrelated)
    );
    unrelated_distances.sort_unstable();
    println!(
        "\nclosest unrelated distances: {:?}",
        &unrelated_distances[..unrelated_distances.len().min(12)]
    );
    println!(
        "match threshold: distance <= {MATCH_DISTANCE} (similarity >= {:.3}); worst copy {worst_match:.3}, best unrelated {best_unrelated:.3}, margin {:.3}",
        1.0 - MATCH_DISTANCE as f32 / (FORM_BITS / 2) as f32,
        worst_match - best_unrelated
    );

    // Black-and-white photos: no colour word, so luma alone decides.
    let grey_references: Vec<AvatarFingerprint> = pool
        .iter()
        .map(|image| fingerprint_reference(&png(&greyscale(image))).expect("fingerprint"))
        .collect();
    let mut worst_grey_copy = 1.0f32;
    for (seed, image) in pool.iter().enumerate().take(seeds as usize) {
        let grey = greyscale(image);
        for copy in [
            jpeg(&grey, 50),
            png(&circle(&grey, [255, 255, 255])),
            jpeg(&mirror(&crop(&grey, 0.07, 0.0, 0.0, 0.0)), 70),
        ] {
            let m = compare(
                &grey_references[seed],
                &fingerprint(&copy).expect("fingerprint"),
            );
            worst_grey_copy = worst_grey_copy.min(m.similarity);
            if !m.matched {
                failures.push(format!("grey seed {seed}: {}", m.detail));
            }
        }
    }
    let mut best_grey_unrelated = 0.0f32;
    for (j, image) in pool.iter().enumerate() {
        let candidate = fingerprint(&jpeg(&greyscale(image), 80)).expect("fingerprint");
        for (i, reference) in grey_references.iter().enumerate() {
            if i != j {
                let m = compare(reference, &candidate);
                best_grey_unrelated = best_grey_unrelated.max(m.similarity);
                if m.matched {
                    failures.push(format!("grey unrelated {i} vs {j} matched: {}", m.detail));
                }
            }
        }
    }
    println!(
        "black-and-white photos: worst copy (jpeg q50, round, mirror+crop 7%) {worst_grey_copy:.3}, best unrelated {best_grey_unrelated:.3} ({} pairs)",
        pool.len() * (pool.len() - 1)
    );

    // Plain pictures: quality below the gate, and no match with anything.
    let mut plain: Vec<(&str, AvatarFingerprint)> = default_avatars(SIZE)
        .into_iter()
        .chain(flat_logos(SIZE))
        .map(|(name, image)| {
            (
                name,
                fingerprint_reference(&jpeg(&image, 85)).expect("fingerprint"),
            )
        })
        .collect();
    plain.push((
        "bluesky-default 48px",
        fingerprint(&png(&resize(&default_avatars(SIZE)[0].1, 48))).expect("fingerprint"),
    ));
    println!("\n| plain picture | quality |\n|---|---|");
    for (name, fp) in &plain {
        println!("| {name} | {:.3} |", fp.quality);
        if fp.quality >= QUALITY_GATE {
            failures.push(format!("{name} has quality {} above the gate", fp.quality));
        }
        for (other, other_fp) in &plain {
            if compare(fp, other_fp).matched {
                failures.push(format!("plain {name} matched {other}"));
            }
        }
        for (seed, reference) in references.iter().enumerate() {
            if compare(reference, fp).matched || compare(fp, reference).matched {
                failures.push(format!("plain {name} matched photo {seed}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
