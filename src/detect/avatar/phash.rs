//! DCT perceptual hash of a 32 x 32 grayscale grid.
//!
//! The classic pHash idea: the lowest spatial frequencies of an image survive re-encoding,
//! resizing and tone changes. We take the 2-D DCT-II (orthonormal) of the grid, keep the 64
//! lowest-frequency coefficients in zig-zag order (by u + v, skipping the DC term, which only
//! carries brightness), and set a bit where the coefficient is above their median. Zig-zag order
//! rather than the usual 8 x 8 block keeps the hash on the frequencies that also survive small
//! shifts and scalings. The DCT is written out here (a few lines over a precomputed cosine table)
//! rather than pulled from a crate: only 65 coefficients are needed.

/// Side of the grid the hash is computed on.
pub const GRID: usize = 32;
/// 64-bit luma words per form: the first holds the 64 lowest frequencies, the second the next 64.
pub const LUMA_WORDS: usize = 2;
/// Luma coefficients kept: 64 per word.
const COEFFICIENTS: usize = 64 * LUMA_WORDS;
/// Colour coefficients kept per colour-difference channel (two channels fill one word).
const COLOUR_COEFFICIENTS: usize = 32;
/// Root mean square colour difference (0..255 units) below which an image counts as
/// colourless (greyscale or near it): its colour word would be noise, so it is left out.
pub const COLOURLESS_RMS: f64 = 4.0;
/// The colour word of a colourless image. A real colour word has half its bits set.
pub const NO_COLOUR: u64 = 0;
/// Highest u + v used: diagonals 1..=15 hold 135 coefficients, of which the first 128 are kept.
const MAX_DIAGONAL: usize = 15;

/// The (u, v) frequency pairs that make up the luma hash, lowest first, without DC.
fn coefficient_order() -> Vec<(usize, usize)> {
    zigzag(1, COEFFICIENTS)
}

/// `count` (u, v) pairs in zig-zag order (by u + v) from diagonal `first`.
fn zigzag(first: usize, count: usize) -> Vec<(usize, usize)> {
    let mut order = Vec::with_capacity(count);
    for diagonal in first..=MAX_DIAGONAL {
        for u in 0..=diagonal {
            order.push((u, diagonal - u));
        }
    }
    order.truncate(count);
    order
}

/// cos(pi * (2n + 1) * k / 2N) with orthonormal scaling, for k <= MAX_DIAGONAL; computed once.
fn cosine_table() -> &'static [[f64; GRID]] {
    static TABLE: std::sync::OnceLock<Vec<[f64; GRID]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(build_cosine_table)
}

fn build_cosine_table() -> Vec<[f64; GRID]> {
    (0..=MAX_DIAGONAL)
        .map(|k| {
            let scale = if k == 0 {
                (1.0 / GRID as f64).sqrt()
            } else {
                (2.0 / GRID as f64).sqrt()
            };
            let mut row = [0f64; GRID];
            for (n, value) in row.iter_mut().enumerate() {
                *value = scale
                    * (std::f64::consts::PI * (2 * n + 1) as f64 * k as f64 / (2 * GRID) as f64)
                        .cos();
            }
            row
        })
        .collect()
}

/// The hash coefficients of a `GRID` x `GRID` grid, in [`coefficient_order`].
pub fn low_frequencies(grid: &[f32]) -> Vec<f64> {
    dct(grid, &coefficient_order())
}

/// The colour word of a region from its two colour-difference grids: the 32 lowest frequencies
/// of each (with DC: the overall tint is part of the picture), each half above its own median.
/// Colourless regions give [`NO_COLOUR`]. Saturation changes scale the colour differences, which
/// leaves the median comparison unchanged.
pub fn colour_word(blue_difference: &[f32], red_difference: &[f32]) -> u64 {
    let count = (blue_difference.len() + red_difference.len()).max(1) as f64;
    let energy: f64 = blue_difference
        .iter()
        .chain(red_difference)
        .map(|&v| f64::from(v) * f64::from(v))
        .sum();
    if (energy / count).sqrt() < COLOURLESS_RMS {
        return NO_COLOUR;
    }
    let order = zigzag(0, COLOUR_COEFFICIENTS);
    let mut word = 0u64;
    for (half, grid) in [blue_difference, red_difference].into_iter().enumerate() {
        let coefficients = dct(grid, &order);
        let median = median(&coefficients);
        for (i, &c) in coefficients.iter().enumerate() {
            if c > median {
                word |= 1 << (half * COLOUR_COEFFICIENTS + i);
            }
        }
    }
    word
}

/// The DCT-II coefficients (u, v) of `order` of a `GRID` x `GRID` grid.
fn dct(grid: &[f32], order: &[(usize, usize)]) -> Vec<f64> {
    let cos = cosine_table();
    // Rows first: rows[y][u] = sum_x grid[y][x] * cos[u][x].
    let mut rows = vec![[0f64; MAX_DIAGONAL + 1]; GRID];
    for (row, line) in rows.iter_mut().zip(grid.chunks_exact(GRID)) {
        for (u, out) in row.iter_mut().enumerate() {
            *out = line
                .iter()
                .zip(cos[u].iter())
                .map(|(&g, &c)| f64::from(g) * c)
                .sum();
        }
    }
    order
        .iter()
        .map(|&(u, v)| (0..GRID).map(|y| cos[v][y] * rows[y][u]).sum())
        .collect()
}

/// The hash words of one form: in each word, bit i is set when coefficient i of that word's 64 is
/// above their median. The first word (lowest frequencies) is the most robust; the second adds
/// detail that tells apart pictures with a similar layout.
pub fn hash(coefficients: &[f64]) -> [u64; LUMA_WORDS] {
    let mut words = [0u64; LUMA_WORDS];
    for (word, chunk) in words.iter_mut().zip(coefficients.chunks(64)) {
        let median = median(chunk);
        *word =
            chunk.iter().enumerate().fold(
                0u64,
                |bits, (i, &c)| if c > median { bits | (1 << i) } else { bits },
            );
    }
    words
}

/// Median of the coefficients (the hash's threshold).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_has_the_lowest_frequencies_without_dc() {
        let order = coefficient_order();
        assert_eq!(order.len(), COEFFICIENTS);
        assert!(!order.contains(&(0, 0)));
        assert!(order.iter().all(|&(u, v)| u + v <= MAX_DIAGONAL));
    }

    #[test]
    fn dct_of_a_horizontal_cosine_peaks_at_its_frequency() {
        let mut grid = vec![0f32; GRID * GRID];
        for y in 0..GRID {
            for x in 0..GRID {
                grid[y * GRID + x] = (std::f64::consts::PI * (2 * x + 1) as f64 * 3.0
                    / (2 * GRID) as f64)
                    .cos() as f32;
            }
        }
        let coefficients = low_frequencies(&grid);
        let order = coefficient_order();
        let peak = (0..COEFFICIENTS)
            .max_by(|&a, &b| coefficients[a].abs().total_cmp(&coefficients[b].abs()))
            .map(|i| order[i]);
        assert_eq!(peak, Some((3, 0)));
    }

    #[test]
    fn brightness_and_contrast_do_not_change_the_hash() {
        let grid: Vec<f32> = (0..GRID * GRID)
            .map(|i| ((i * 7919) % 251) as f32 + (i / GRID) as f32)
            .collect();
        let brighter: Vec<f32> = grid.iter().map(|g| g * 0.6 + 40.0).collect();
        assert_eq!(
            hash(&low_frequencies(&grid)),
            hash(&low_frequencies(&brighter))
        );
    }
}
