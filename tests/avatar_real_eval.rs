//! Avatar matching on real pictures nobody on the team drew (issue 9, items 1 and 5): photos,
//! illustrations and logos that Debian and npm packages ship, 16 kinds of copy of each, every
//! pair of distinct pictures of a class, and the platforms' default avatars. Written by a
//! helper who has not read the detector; sources, licences and the transformations are in
//! tests/avatar_real/README.md. Needs `scripts/install-deps --test`; a missing asset fails.
//!
//! The originals are split by a stable hash of their names: ~70% `dev_set` (the detector's
//! author may tune on it) and ~30% `holdout_set` (untouched until the end, asserted on its own).
//! Both print their tables: `cargo test --test avatar_real_eval -- --nocapture`.
//! Set AVATAR_REAL_DUMP=DIR to also write every original and copy there as files to look at.

mod avatar_real;

use avatar_real::{evaluate, Bounds, Split};

/// Issue 9's targets: copies matched >= 95% in every class and every kind of copy.
const MIN_COPIES_MATCHED: f64 = 0.95;
/// Issue 9's targets: false matches between distinct pictures <= 0.1% (each class, both the
/// originals and the copies of other originals).
const MAX_FALSE_MATCHES: f64 = 0.001;
/// Fewest originals per class: the sets hold about 85 (dev: ~60, holdout: ~25) per class; a
/// smaller one means assets went missing.
const DEV_MIN_ORIGINALS_PER_CLASS: usize = 45;
const HOLDOUT_MIN_ORIGINALS_PER_CLASS: usize = 15;
// Default avatars and near-empty pictures must never match: no bound to set, zero is asserted.

#[test]
fn dev_set() {
    evaluate(
        Split::Dev,
        &Bounds {
            min_originals_per_class: DEV_MIN_ORIGINALS_PER_CLASS,
            min_copies_matched: MIN_COPIES_MATCHED,
            max_false_matches: MAX_FALSE_MATCHES,
        },
    );
}

#[test]
fn holdout_set() {
    evaluate(
        Split::Holdout,
        &Bounds {
            min_originals_per_class: HOLDOUT_MIN_ORIGINALS_PER_CLASS,
            min_copies_matched: MIN_COPIES_MATCHED,
            max_false_matches: MAX_FALSE_MATCHES,
        },
    );
}
