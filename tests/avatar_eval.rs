//! Evaluation of the avatar signal: for each transformation, the similarity range over several
//! unrelated "people" (seeds), against the highest similarity between unrelated pictures.
//! Prints the table of the note (`cargo test --release --test avatar_eval -- --nocapture`) and
//! asserts that every transformed copy matches and no unrelated pair does.

mod avatar_support;

use avatar_support::*;
use doppelwatch::detect::avatar::{
    compare, fingerprint, fingerprint_reference, AvatarFingerprint, MATCH_DISTANCE, QUALITY_GATE,
};

/// Number of unrelated "people" the figures are taken over.
const SEEDS: u64 = 10;
/// Number of "people" in the unrelated-pairs pool (only fingerprinted, so it can be larger).
const UNRELATED_SEEDS: u64 = 40;
/// Side of the original avatars.
const SIZE: u32 = 320;

fn distance_of(similarity: f32) -> u32 {
    ((1.0 - similarity) * 32.0).round() as u32
}

#[test]
fn transformed_copies_match_and_unrelated_pictures_do_not() {
    let originals: Vec<_> = (0..SEEDS).map(|seed| photo(seed, SIZE)).collect();
    let references: Vec<AvatarFingerprint> = originals
        .iter()
        .map(|image| fingerprint_reference(&png(image)).expect("reference fingerprint"))
        .collect();
    let min_quality = references.iter().map(|f| f.quality).fold(1.0, f32::min);
    println!("photo-like originals: {SEEDS} seeds, {SIZE}px, lowest quality {min_quality:.2} (gate {QUALITY_GATE})");
    assert!(min_quality >= QUALITY_GATE);

    let mut failures = Vec::new();
    let mut worst_match = 1.0f32;
    println!("\n| transformation | min similarity | max similarity | worst distance (bits of 64) |");
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
    let pool: Vec<_> = (0..UNRELATED_SEEDS).map(|seed| photo(seed, SIZE)).collect();
    let pool_references: Vec<AvatarFingerprint> = pool
        .iter()
        .map(|image| fingerprint_reference(&png(image)).expect("reference fingerprint"))
        .collect();
    let mut best_unrelated = 0.0f32;
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
    println!(
        "\nmatch threshold: distance <= {MATCH_DISTANCE} (similarity >= {:.3}); worst copy {worst_match:.3}, best unrelated {best_unrelated:.3}, margin {:.3}",
        1.0 - MATCH_DISTANCE as f32 / 32.0,
        worst_match - best_unrelated
    );

    // Plain pictures: quality below the gate, and no match with anything.
    let mut plain: Vec<(&str, AvatarFingerprint)> = default_avatars(SIZE)
        .into_iter()
        .chain(flat_logos(SIZE))
        .map(|(name, image)| (name, fingerprint_reference(&jpeg(&image, 85)).expect("fingerprint")))
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
