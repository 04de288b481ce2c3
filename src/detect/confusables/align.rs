//! Aligning a candidate string with a reference string, character by character, where
//! look-alikes cost nothing: the edits that tell a person which characters differ and how.
//! It must never judge whether the difference is an impersonation (the detectors do).

use unicode_normalization::char::is_combining_mark;

use super::{fold_char, fold_sequences, is_invisible};

/// One step of the alignment of a candidate string with a reference string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// The same character, or the same but for case.
    Same,
    /// Different characters that look alike (`cand` may be two characters for `rn`/`m`).
    Lookalike { cand: String, reference: String },
    /// A visibly different character in place of the reference's.
    Substitute { cand: char, reference: char },
    /// A character the reference does not have.
    Insert { cand: char },
    /// A reference character the candidate lacks.
    Delete { reference: char },
    /// Two neighbouring characters swapped.
    Transpose { cand: [char; 2] },
}

/// An [`Edit`] with the 1-based position of the candidate character it concerns (for a
/// deletion: the position where the missing character would be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlignedEdit {
    pub position: usize,
    pub edit: Edit,
}

/// Unreachable cost in the alignment table.
const INF: usize = usize::MAX / 4;

/// Aligns the visible characters of `cand` with those of `reference` at the smallest visible
/// cost (look-alikes cost nothing) and returns every step that is not [`Edit::Same`].
/// Returns `None` when the strings are too long to align cheaply (over 128 characters).
pub fn align(cand: &str, reference: &str) -> Option<(usize, Vec<AlignedEdit>)> {
    let a = visible_units(cand);
    let b = visible_units(reference);
    if a.len() > 128 || b.len() > 128 {
        return None;
    }
    let cost = cost_table(&a, &b);
    let edits = walk_back(&a, &b, &cost);
    Some((cost[a.len()][b.len()], edits))
}

/// The visible characters of `s` (no invisible ones, no combining marks), each with its fold.
fn visible_units(s: &str) -> Vec<(char, String)> {
    s.chars()
        .filter(|c| !is_invisible(*c) && !is_combining_mark(*c))
        .map(|c| (c, fold_char(c)))
        .collect()
}

/// Two folded characters read as one sequence (`r` `n` as `m`).
fn pair_fold(x: &str, y: &str) -> String {
    let mut s = format!("{x}{y}");
    fold_sequences(&mut s);
    s
}

fn single_fold(x: &str) -> String {
    let mut s = x.to_string();
    fold_sequences(&mut s);
    s
}

/// The smallest cost of aligning every prefix of `a` with every prefix of `b`.
fn cost_table(a: &[(char, String)], b: &[(char, String)]) -> Vec<Vec<usize>> {
    let (n, m) = (a.len(), b.len());
    let mut cost = vec![vec![INF; m + 1]; n + 1];
    cost[0][0] = 0;
    for i in 0..=n {
        for j in 0..=m {
            let here = cost[i][j];
            if here == INF {
                continue;
            }
            if i < n && j < m {
                let c = if same_unit(&a[i], &b[j]) { 0 } else { 1 };
                cost[i + 1][j + 1] = cost[i + 1][j + 1].min(here + c);
            }
            if i < n {
                cost[i + 1][j] = cost[i + 1][j].min(here + 1);
            }
            if j < m {
                cost[i][j + 1] = cost[i][j + 1].min(here + 1);
            }
            if i + 1 < n && j < m && pair_fold(&a[i].1, &a[i + 1].1) == single_fold(&b[j].1) {
                cost[i + 2][j + 1] = cost[i + 2][j + 1].min(here);
            }
            if i < n && j + 1 < m && single_fold(&a[i].1) == pair_fold(&b[j].1, &b[j + 1].1) {
                cost[i + 1][j + 2] = cost[i + 1][j + 2].min(here);
            }
            if i + 1 < n
                && j + 1 < m
                && a[i].1 == b[j + 1].1
                && a[i + 1].1 == b[j].1
                && a[i].1 != a[i + 1].1
            {
                cost[i + 2][j + 2] = cost[i + 2][j + 2].min(here + 1);
            }
        }
    }
    cost
}

/// Walks back from the end of the cost table choosing any step consistent with it; the edits
/// in order, without the [`Edit::Same`] steps.
fn walk_back(a: &[(char, String)], b: &[(char, String)], cost: &[Vec<usize>]) -> Vec<AlignedEdit> {
    let mut edits = Vec::new();
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 || j > 0 {
        let here = cost[i][j];
        if i > 0 && j > 0 {
            let c = if same_unit(&a[i - 1], &b[j - 1]) {
                0
            } else {
                1
            };
            if cost[i - 1][j - 1] + c == here {
                let (ca, cb) = (a[i - 1].0, b[j - 1].0);
                if c == 1 {
                    edits.push(AlignedEdit {
                        position: i,
                        edit: Edit::Substitute {
                            cand: ca,
                            reference: cb,
                        },
                    });
                } else if !same_but_case(ca, cb) {
                    edits.push(AlignedEdit {
                        position: i,
                        edit: Edit::Lookalike {
                            cand: ca.to_string(),
                            reference: cb.to_string(),
                        },
                    });
                }
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 1
            && j > 0
            && cost[i - 2][j - 1] == here
            && pair_fold(&a[i - 2].1, &a[i - 1].1) == single_fold(&b[j - 1].1)
        {
            edits.push(AlignedEdit {
                position: i - 1,
                edit: Edit::Lookalike {
                    cand: format!("{}{}", a[i - 2].0, a[i - 1].0),
                    reference: b[j - 1].0.to_string(),
                },
            });
            i -= 2;
            j -= 1;
            continue;
        }
        if i > 0
            && j > 1
            && cost[i - 1][j - 2] == here
            && single_fold(&a[i - 1].1) == pair_fold(&b[j - 2].1, &b[j - 1].1)
        {
            edits.push(AlignedEdit {
                position: i,
                edit: Edit::Lookalike {
                    cand: a[i - 1].0.to_string(),
                    reference: format!("{}{}", b[j - 2].0, b[j - 1].0),
                },
            });
            i -= 1;
            j -= 2;
            continue;
        }
        if i > 1
            && j > 1
            && cost[i - 2][j - 2] + 1 == here
            && a[i - 2].1 == b[j - 1].1
            && a[i - 1].1 == b[j - 2].1
            && a[i - 2].1 != a[i - 1].1
        {
            edits.push(AlignedEdit {
                position: i - 1,
                edit: Edit::Transpose {
                    cand: [a[i - 2].0, a[i - 1].0],
                },
            });
            i -= 2;
            j -= 2;
            continue;
        }
        if i > 0 && cost[i - 1][j] + 1 == here {
            edits.push(AlignedEdit {
                position: i,
                edit: Edit::Insert { cand: a[i - 1].0 },
            });
            i -= 1;
            continue;
        }
        if j > 0 && cost[i][j - 1] + 1 == here {
            edits.push(AlignedEdit {
                position: i + 1,
                edit: Edit::Delete {
                    reference: b[j - 1].0,
                },
            });
            j -= 1;
            continue;
        }
        // Unreachable with a consistent table; stop rather than loop.
        break;
    }
    edits.reverse();
    edits
}

/// Two aligned characters that cost nothing: the same look-alike fold, or the same letter in
/// another case (capital `I` and `i`: `I` folds to `l`, yet it is the letter `i`).
fn same_unit(x: &(char, String), y: &(char, String)) -> bool {
    x.1 == y.1 || same_but_case(x.0, y.0)
}

fn same_but_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}
