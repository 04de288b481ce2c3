//! Evaluation of the avatar signal on every kind of picture people use (photographs, cartoon
//! illustrations, flat logos and wordmarks, emoji-style pictures) and every kind of copy
//! (`avatar_support::copies`): the share of copies matched per class and per copy, and the false
//! match rate among distinct pictures of the same style.
//!
//! `cargo test --test avatar_eval -- --nocapture` prints the tables; the default size keeps
//! debug runs short. Larger: `AVATAR_EVAL_SEEDS=40 AVATAR_EVAL_POOL=120 cargo test --release
//! --test avatar_eval -- --nocapture`.

mod avatar_support;

use avatar_support::art::{picture, Class};
use avatar_support::copies::{copies, jpeg_rgba, png_rgba, round};
use doppelwatch::detect::avatar::{closest_forms, compare, fingerprint, fingerprint_reference, AvatarFingerprint};

/// Side of the original pictures.
const SIZE: u32 = 256;

/// A count from the environment, or `default`.
fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn every_kind_of_copy_of_every_kind_of_picture_matches_and_distinct_pictures_do_not() {
    let seeds = env_count("AVATAR_EVAL_SEEDS", 6);
    let pool = env_count("AVATAR_EVAL_POOL", 16);
    let kinds = copies();
    let mut failures: Vec<String> = Vec::new();

    // Copies: matched / tried, per class and per kind of copy.
    let mut matched = vec![vec![0u32; kinds.len()]; Class::ALL.len()];
    let mut dist = vec![vec![Vec::new(); kinds.len()]; Class::ALL.len()];
    for (c, class) in Class::ALL.into_iter().enumerate() {
        for seed in 0..seeds {
            let original = picture(class, seed, SIZE);
            let reference = fingerprint_reference(&png_rgba(&original)).expect("reference");
            for (k, (name, copy)) in kinds.iter().enumerate() {
                let candidate = fingerprint(&copy(&original)).expect("candidate");
                let m = compare(&reference, &candidate);
                let [w, mk] = closest_forms(&reference.hashes, &candidate.hashes).unwrap();
                dist[c][k].push((w.0, mk.0));
                if m.matched {
                    matched[c][k] += 1;
                } else if std::env::var_os("AVATAR_EVAL_VERBOSE").is_some() {
                    println!("missed: {} {seed} {name}: {}", class.name(), m.detail);
                }
            }
        }
    }
    print!("\n| copy |");
    for class in Class::ALL {
        print!(" {} |", class.name());
    }
    println!("\n|---|---|---|---|---|");
    for (k, (name, _)) in kinds.iter().enumerate() {
        print!("| {name} |");
        for c in 0..Class::ALL.len() {
            let d = &mut dist[c][k];
            d.sort_unstable();
            let mut w: Vec<u32> = d.iter().map(|x| x.0).collect();
            let mut m: Vec<u32> = d.iter().map(|x| x.1).collect();
            w.sort_unstable();
            m.sort_unstable();
            print!(" {:.2} {}/{} {}/{} |", f64::from(matched[c][k]) / seeds as f64, w[w.len() / 2], w[w.len() - 1], m[m.len() / 2], m[m.len() - 1]);
        }
        println!();
    }

    // Distinct pictures of the same style: every reference against every other picture of its
    // class, as served (JPEG) and as a round screenshot.
    for class in Class::ALL {
        let originals: Vec<_> = (0..pool).map(|seed| picture(class, 1000 + seed, SIZE)).collect();
        let references: Vec<AvatarFingerprint> = originals
            .iter()
            .map(|p| fingerprint_reference(&png_rgba(p)).expect("reference"))
            .collect();
        let candidates: Vec<Vec<AvatarFingerprint>> = originals
            .iter()
            .map(|p| {
                vec![
                    fingerprint(&jpeg_rgba(p, 80)).expect("candidate"),
                    fingerprint(&png_rgba(&round(p, Some([255, 255, 255])))).expect("candidate"),
                ]
            })
            .collect();
        let (mut pairs, mut false_matches) = (0u32, 0u32);
        let mut best = 0.0f32;
        let mut nd = Vec::new();
        let mut md = Vec::new();
        for (i, reference) in references.iter().enumerate() {
            for (j, forms) in candidates.iter().enumerate() {
                if i == j {
                    continue;
                }
                for candidate in forms {
                    let m = compare(reference, candidate);
                    pairs += 1;
                    let [w, mk] = closest_forms(&reference.hashes, &candidate.hashes).unwrap();
                    nd.push(w.0);
                    md.push(mk.0);
                    best = best.max(m.similarity);
                    if m.matched {
                        false_matches += 1;
                        if std::env::var_os("AVATAR_EVAL_VERBOSE").is_some() {
                            println!("false match: {} {i} vs {j}: {}", class.name(), m.detail);
                        }
                    }
                }
            }
        }
        nd.sort_unstable();
        md.sort_unstable();
        println!("{} closest whole: {:?}", class.name(), &nd[..20]);
        println!("{} closest masked: {:?}", class.name(), &md[..20]);
        println!(
            "{}: {false_matches} false matches in {pairs} pairs of distinct pictures ({:.4}%), highest similarity {best:.3}",
            class.name(),
            100.0 * f64::from(false_matches) / f64::from(pairs)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    failures.clear();
}
