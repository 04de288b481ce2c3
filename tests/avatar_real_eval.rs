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

/// Issue 9's targets: copies matched >= 95% in every class and every kind of copy, false
/// matches between distinct pictures <= 0.1%. The bounds below sit at or inside them.
const ISSUE_MIN_COPIES_MATCHED: f64 = 0.95;
const ISSUE_MAX_FALSE_MATCHES: f64 = 0.001;
/// Fewest originals per class: the sets hold about 85 (dev: ~60, holdout: ~25) per class; a
/// smaller one means assets went missing.
const DEV_MIN_ORIGINALS_PER_CLASS: usize = 45;
const HOLDOUT_MIN_ORIGINALS_PER_CLASS: usize = 15;
// Default avatars and near-empty pictures must never match: no bound to set, zero is asserted.

/// Dev set, measured (`/work/targets/opt-test.sh --test avatar_real_eval dev_set --
/// --nocapture`, see the README): every copy of every class matched (photo 53, illustration
/// 45, logo 45 originals x 16 kinds), no false match among 14k pairs of distinct pictures
/// and 29k pairs with their copies, no default matched. Bounds just under: one miss more per
/// cell of the table (45 to 53 copies), per kind over the classes (143 copies) and 3 or 4
/// per class (720 to 848 copies) fail the test.
const DEV: Bounds = Bounds {
    min_originals_per_class: DEV_MIN_ORIGINALS_PER_CLASS,
    min_copies_matched: 0.97,
    min_copies_matched_per_class: [0.995, 0.995, 0.995],
    min_copies_matched_per_kind: 0.99,
    max_false_matches: 0.0005,
};

/// Holdout set, run once at the end of the work on issue 9's item 1 (commit after 9191929,
/// same command with `holdout_set`) and never tuned on: every copy matched (photo 19,
/// illustration 33, logo 25 originals x 16 kinds), no false match among 2k pairs of distinct
/// pictures and 8k pairs with copies, no default matched. Bounds just under that run: one
/// miss more per kind over the classes (77 copies) or 3 to 5 per class (304 to 528 copies)
/// fail; per cell (19 to 33 copies) the issue's 95% is already the next step down.
const HOLDOUT: Bounds = Bounds {
    min_originals_per_class: HOLDOUT_MIN_ORIGINALS_PER_CLASS,
    min_copies_matched: ISSUE_MIN_COPIES_MATCHED,
    min_copies_matched_per_class: [0.99, 0.99, 0.99],
    min_copies_matched_per_kind: 0.98,
    max_false_matches: 0.0005,
};

#[test]
fn bounds_are_within_the_issue_targets() {
    for bounds in [&DEV, &HOLDOUT] {
        assert!(bounds.min_copies_matched >= ISSUE_MIN_COPIES_MATCHED);
        assert!(bounds.min_copies_matched_per_kind >= ISSUE_MIN_COPIES_MATCHED);
        assert!(bounds
            .min_copies_matched_per_class
            .iter()
            .all(|&b| b >= ISSUE_MIN_COPIES_MATCHED));
        assert!(bounds.max_false_matches <= ISSUE_MAX_FALSE_MATCHES);
    }
}

#[test]
fn dev_set() {
    evaluate(Split::Dev, &DEV);
}

#[test]
fn holdout_set() {
    evaluate(Split::Holdout, &HOLDOUT);
}
