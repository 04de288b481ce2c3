//! Scores a fingerprinted set (copies matched per class and kind of copy, false matches among
//! distinct pictures, default avatars), prints the tables and lists what misses the bounds.
//!
//! Owns the counting and the wording of the figures; it never builds pictures and never
//! decides the bounds.

use std::fmt::Write;
use std::time::Duration;

use super::{matched, par_map, Bounds, Class, Fingerprints, Split, CLASSES};
use avatar_real_pictures::{stable_hash, Rng, KINDS};

/// At most this many false matches are named under each figure.
const EXAMPLES: usize = 12;
/// Copies of another picture compared with each person's picture, of the 16 kinds: drawn per
/// pair, so every kind is met across the pairs (all 16 for every pair would cost the debug
/// test a minute more for no other figure).
const COPIES_PER_PAIR: usize = 4;

/// The kinds of copy compared for the pair (person `a`, other picture `b`): `COPIES_PER_PAIR`
/// distinct kinds drawn from the pair's names.
fn sampled_kinds(a: &str, b: &str) -> Vec<usize> {
    let mut rng = Rng::new(stable_hash(format!("{a}|{b}").as_bytes()));
    let mut kinds: Vec<usize> = (0..KINDS.len()).collect();
    for i in 0..COPIES_PER_PAIR {
        let j = i + rng.below((KINDS.len() - i) as u64) as usize;
        kinds.swap(i, j);
    }
    kinds.truncate(COPIES_PER_PAIR);
    kinds
}

/// Matches among comparisons that must not match, with the closest call.
#[derive(Default, Clone)]
pub struct Negatives {
    pub matched: usize,
    pub compared: usize,
    pub max_similarity: f32,
    pub examples: Vec<String>,
}

impl Negatives {
    fn add(&mut self, (hit, similarity): (bool, f32), what: impl FnOnce() -> String) {
        self.compared += 1;
        self.max_similarity = self.max_similarity.max(similarity);
        if hit {
            self.matched += 1;
            if self.examples.len() < EXAMPLES {
                self.examples
                    .push(format!("{} (similarity {similarity:.3})", what()));
            }
        }
    }

    fn merge(&mut self, other: Negatives) {
        self.matched += other.matched;
        self.compared += other.compared;
        self.max_similarity = self.max_similarity.max(other.max_similarity);
        for e in other.examples {
            if self.examples.len() < EXAMPLES {
                self.examples.push(e);
            }
        }
    }

    fn rate(&self) -> f64 {
        self.matched as f64 / self.compared as f64
    }
}

/// Every figure of one set.
pub struct Scores {
    pub originals: [usize; 3],
    pub refused: [usize; 3],
    /// (matched, total) per class and kind of copy.
    pub copies: [Vec<(usize, usize)>; 3],
    /// Copies that did not match their original (the first `EXAMPLES` of each class).
    pub misses: [Vec<String>; 3],
    /// The person's picture against another original of the same class.
    pub distinct: [Negatives; 3],
    /// The person's picture against copies of another original of the same class
    /// (`COPIES_PER_PAIR` kinds per pair).
    pub others_copies: [Negatives; 3],
    pub defaults: usize,
    pub defaults_refused: usize,
    /// A default (or a copy of it) as an account's picture against every person's picture,
    /// the defaults included (two accounts that both kept the default).
    pub default_as_account: Negatives,
    /// A default as the person's picture against every original of the set as an account's
    /// picture, and `COPIES_PER_PAIR` copies of each.
    pub default_as_person: Negatives,
}

fn class_index(class: Class) -> usize {
    CLASSES.iter().position(|c| *c == class).unwrap_or(0)
}

fn kind_of(k: usize) -> &'static str {
    KINDS.get(k).copied().unwrap_or("as is")
}

pub fn score(people: &[Fingerprints], defaults: &[Fingerprints]) -> Scores {
    let mut originals = [0; 3];
    let mut refused = [0; 3];
    let mut copies: [Vec<(usize, usize)>; 3] = std::array::from_fn(|_| vec![(0, 0); KINDS.len()]);
    let mut misses: [Vec<String>; 3] = Default::default();
    for p in people {
        let c = class_index(p.class.unwrap_or(Class::Photo));
        originals[c] += 1;
        refused[c] += usize::from(p.reference.is_none());
        for (k, copy) in p.copies.iter().enumerate() {
            let (hit, similarity) = match (&p.reference, copy) {
                (Some(r), Some(cand)) => matched(r, cand),
                _ => (false, 0.0),
            };
            if !hit && misses[c].len() < EXAMPLES {
                misses[c].push(format!(
                    "{} ({}, similarity {similarity:.3})",
                    p.id,
                    kind_of(k)
                ));
            }
            copies[c][k].0 += usize::from(hit);
            copies[c][k].1 += 1;
        }
    }
    let (distinct, others_copies) = distinct_pictures(people);
    Scores {
        originals,
        refused,
        copies,
        misses,
        distinct,
        others_copies,
        defaults: defaults.len(),
        defaults_refused: defaults.iter().filter(|d| d.reference.is_none()).count(),
        default_as_account: default_as_account(people, defaults),
        default_as_person: default_as_person(people, defaults),
    }
}

/// Every ordered pair of distinct originals of one class: the second as is, and each copy of it.
fn distinct_pictures(people: &[Fingerprints]) -> ([Negatives; 3], [Negatives; 3]) {
    let per_person = par_map(people, |p| {
        let mut plain = Negatives::default();
        let mut copies = Negatives::default();
        let Some(reference) = &p.reference else {
            return (p.class, plain, copies);
        };
        for other in people.iter().filter(|o| o.class == p.class && o.id != p.id) {
            if let Some(cand) = &other.plain {
                plain.add(matched(reference, cand), || {
                    format!("{} vs {}", p.id, other.id)
                });
            }
            for k in sampled_kinds(&p.id, &other.id) {
                if let Some(Some(cand)) = other.copies.get(k) {
                    copies.add(matched(reference, cand), || {
                        format!("{} vs {} ({})", p.id, other.id, kind_of(k))
                    });
                }
            }
        }
        (p.class, plain, copies)
    });
    let mut distinct: [Negatives; 3] = Default::default();
    let mut others: [Negatives; 3] = Default::default();
    for (class, plain, copies) in per_person {
        let c = class_index(class.unwrap_or(Class::Photo));
        distinct[c].merge(plain);
        others[c].merge(copies);
    }
    (distinct, others)
}

fn default_as_account(people: &[Fingerprints], defaults: &[Fingerprints]) -> Negatives {
    let parts = par_map(defaults, |d| {
        let mut n = Negatives::default();
        let shown = std::iter::once(&d.plain).chain(d.copies.iter()).enumerate();
        for (k, cand) in shown {
            let Some(cand) = cand else { continue };
            for person in people.iter().chain(defaults) {
                if let Some(reference) = &person.reference {
                    let kind = if k == 0 { "as is" } else { kind_of(k - 1) };
                    n.add(matched(reference, cand), || {
                        format!("person {} vs account {} ({kind})", person.id, d.id)
                    });
                }
            }
        }
        n
    });
    parts.into_iter().fold(Negatives::default(), |mut all, n| {
        all.merge(n);
        all
    })
}

fn default_as_person(people: &[Fingerprints], defaults: &[Fingerprints]) -> Negatives {
    let parts = par_map(defaults, |d| {
        let mut n = Negatives::default();
        let Some(reference) = &d.reference else {
            return n;
        };
        for person in people {
            if let Some(cand) = &person.plain {
                n.add(matched(reference, cand), || {
                    format!("person {} vs account {}", d.id, person.id)
                });
            }
            for k in sampled_kinds(&d.id, &person.id) {
                if let Some(Some(cand)) = person.copies.get(k) {
                    n.add(matched(reference, cand), || {
                        format!("person {} vs account {} ({})", d.id, person.id, kind_of(k))
                    });
                }
            }
        }
        n
    });
    parts.into_iter().fold(Negatives::default(), |mut all, n| {
        all.merge(n);
        all
    })
}

fn share(matched: usize, total: usize) -> String {
    if total == 0 {
        "  -  ".to_string()
    } else {
        format!("{:.3}", matched as f64 / total as f64)
    }
}

fn negatives_line(out: &mut String, label: &str, n: &Negatives) {
    let rate = if n.compared == 0 {
        "-".to_string()
    } else {
        format!("{:.5}", n.rate())
    };
    let _ = writeln!(
        out,
        "  {label:<34} {:>8} {:>8} {rate:>9} {:>9.3}",
        n.compared, n.matched, n.max_similarity
    );
    for e in &n.examples {
        let _ = writeln!(out, "      false match: {e}");
    }
}

/// The tables of one set, as printed.
pub fn render(split: Split, s: &Scores, built: Duration, total: Duration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== avatar real-asset evaluation: {} set ==",
        split.name()
    );
    let counts: Vec<String> = CLASSES
        .iter()
        .zip(s.originals)
        .map(|(c, n)| format!("{} {n}", c.name()))
        .collect();
    let _ = writeln!(
        out,
        "originals: {}; defaults and near-empty pictures: {}",
        counts.join(", "),
        s.defaults
    );
    let refused: Vec<String> = CLASSES
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {}/{}", c.name(), s.refused[i], s.originals[i]))
        .collect();
    let _ = writeln!(
        out,
        "person's pictures refused by fingerprint_reference: {}",
        refused.join(", ")
    );
    let _ = writeln!(
        out,
        "\ncopies matched (share of originals whose copy matched it):"
    );
    let _ = writeln!(
        out,
        "  {:<28} {:>7} {:>13} {:>7} {:>7}",
        "kind of copy", "photo", "illustration", "logo", "all"
    );
    for (k, kind) in KINDS.iter().enumerate() {
        let cells: Vec<String> = (0..3)
            .map(|c| share(s.copies[c][k].0, s.copies[c][k].1))
            .collect();
        let (m, t) = (0..3).fold((0, 0), |(m, t), c| {
            (m + s.copies[c][k].0, t + s.copies[c][k].1)
        });
        let _ = writeln!(
            out,
            "  {kind:<28} {:>7} {:>13} {:>7} {:>7}",
            cells[0],
            cells[1],
            cells[2],
            share(m, t)
        );
    }
    let totals: Vec<(usize, usize)> = (0..3)
        .map(|c| {
            s.copies[c]
                .iter()
                .fold((0, 0), |(m, t), (a, b)| (m + a, t + b))
        })
        .collect();
    let all: Vec<String> = totals.iter().map(|&(m, t)| share(m, t)).collect();
    let (m, t) = totals.iter().fold((0, 0), |(m, t), (a, b)| (m + a, t + b));
    let _ = writeln!(
        out,
        "  {:<28} {:>7} {:>13} {:>7} {:>7}",
        "all kinds",
        all[0],
        all[1],
        all[2],
        share(m, t)
    );
    for miss in s.misses.iter().flatten() {
        let _ = writeln!(out, "      missed: {miss}");
    }
    let _ = writeln!(
        out,
        "\nfalse matches among distinct pictures of one class (person's picture vs another's):"
    );
    let _ = writeln!(
        out,
        "  {:<34} {:>8} {:>8} {:>9} {:>9}",
        "", "compared", "matched", "rate", "max sim."
    );
    for (i, c) in CLASSES.iter().enumerate() {
        negatives_line(
            &mut out,
            &format!("{} vs other originals", c.name()),
            &s.distinct[i],
        );
        negatives_line(
            &mut out,
            &format!("{} vs copies of others", c.name()),
            &s.others_copies[i],
        );
    }
    let _ = writeln!(
        out,
        "\ndefault avatars and near-empty pictures (must never match; {} of {} refused as a person's picture):",
        s.defaults_refused, s.defaults
    );
    negatives_line(
        &mut out,
        "default as account's picture",
        &s.default_as_account,
    );
    negatives_line(
        &mut out,
        "default as person's picture",
        &s.default_as_person,
    );
    let _ = writeln!(
        out,
        "\ntime (information only): pictures made and fingerprinted in {:.1} s, all in {:.1} s",
        built.as_secs_f64(),
        total.as_secs_f64()
    );
    out
}

/// What misses the bounds, one line each (empty when the set passes).
pub fn check(s: &Scores, b: &Bounds) -> Vec<String> {
    let mut fail = Vec::new();
    for (i, c) in CLASSES.iter().enumerate() {
        if s.originals[i] < b.min_originals_per_class {
            fail.push(format!(
                "{}: {} originals, fewer than {} (assets missing? run scripts/install-deps --test)",
                c.name(),
                s.originals[i],
                b.min_originals_per_class
            ));
        }
        for (k, kind) in KINDS.iter().enumerate() {
            let (m, t) = s.copies[i][k];
            if t == 0 || (m as f64 / t as f64) < b.min_copies_matched {
                fail.push(format!(
                    "{} / {kind}: copies matched {m}/{t} < {}",
                    c.name(),
                    b.min_copies_matched
                ));
            }
        }
        let (m, t) = s.copies[i]
            .iter()
            .fold((0, 0), |(m, t), (a, b)| (m + a, t + b));
        let least = b.min_copies_matched_per_class[i];
        if t == 0 || (m as f64 / t as f64) < least {
            fail.push(format!(
                "{} / all kinds: copies matched {m}/{t} < {least}",
                c.name()
            ));
        }
        for (what, n) in [
            ("other originals", &s.distinct[i]),
            ("copies of other originals", &s.others_copies[i]),
        ] {
            if n.compared == 0 || n.rate() > b.max_false_matches {
                fail.push(format!(
                    "{} vs {what}: false matches {}/{} > {}",
                    c.name(),
                    n.matched,
                    n.compared,
                    b.max_false_matches
                ));
            }
        }
    }
    for (k, kind) in KINDS.iter().enumerate() {
        let (m, t) = (0..CLASSES.len()).fold((0, 0), |(m, t), c| {
            (m + s.copies[c][k].0, t + s.copies[c][k].1)
        });
        if t == 0 || (m as f64 / t as f64) < b.min_copies_matched_per_kind {
            fail.push(format!(
                "all classes / {kind}: copies matched {m}/{t} < {}",
                b.min_copies_matched_per_kind
            ));
        }
    }
    if s.defaults == 0 {
        fail.push("no default avatars in the set".to_string());
    }
    for (what, n) in [
        ("as account's picture", &s.default_as_account),
        ("as person's picture", &s.default_as_person),
    ] {
        if n.matched > 0 {
            fail.push(format!(
                "defaults {what}: {} matches of {} (must be none)",
                n.matched, n.compared
            ));
        }
    }
    fail
}
