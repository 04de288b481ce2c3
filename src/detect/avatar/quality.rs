//! Image quality: is there enough detail in the avatar to say two copies are the same picture?
//!
//! A single colour, a flat logo or a platform's default silhouette hashes to something, but that
//! hash says little: every other flat image lands near it. Three measures on the canonical region,
//! each mapped to 0..1, and the weakest wins:
//! - contrast: standard deviation of luma (a single colour has none);
//! - tonal richness: entropy of the luma histogram (a two-colour silhouette has about 1 bit,
//!   a photo 3.5 to 5);
//! - texture: the share of pixels on an edge (a silhouette or a logo has edges only on its
//!   outline, a photo nearly everywhere).

/// Side of the grid quality is measured on.
pub const QUALITY_GRID: usize = 64;

/// Below this figure a picture counts as flat (few tones, little texture: logos, drawings,
/// emoji), which [`super::compare`] matches on a stricter rule.
pub const FLAT_BELOW: f32 = 0.35;

/// The separate measures, for tests and the evaluation table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityMeasures {
    /// Standard deviation of luma (0..128).
    pub contrast: f64,
    /// Shannon entropy of a 32-bin luma histogram over the image's own tonal range, in bits (0..5).
    pub entropy: f64,
    /// Share of pixels whose gradient exceeds [`FLAT_GRADIENT`] (0..1): low for flat artwork.
    pub textured_share: f64,
    /// Share of the hash's DCT coefficients far enough from their median that re-encoding will
    /// not flip their bit (0..1): low for gradients and near-uniform images.
    pub stable_bits: f64,
}

/// Gradient (|dx| + |dy| on a 0..255 scale) below which a pixel counts as flat. Area averaging
/// to the quality grid smooths JPEG noise, so flat artwork stays below it and photos (shading,
/// grain, texture) rise above it.
const FLAT_GRADIENT: f32 = 1.0;

/// Distance from the median (orthonormal DCT units of a 0..255 grid) that a coefficient needs
/// for its bit to count as stable.
const STABLE_MARGIN: f64 = 4.0;

/// Measures a `QUALITY_GRID` x `QUALITY_GRID` luma grid, given the hash coefficients of the
/// same region and their median.
pub fn measure(grid: &[f32], coefficients: &[f64], median: f64) -> QualityMeasures {
    let n = QUALITY_GRID;
    let count = grid.len().max(1) as f64;
    let mean = grid.iter().map(|&g| f64::from(g)).sum::<f64>() / count;
    let variance = grid
        .iter()
        .map(|&g| (f64::from(g) - mean).powi(2))
        .sum::<f64>()
        / count;

    // The histogram spans the image's own 1st to 99th percentile, so the entropy measures how
    // many distinct tones there are, not how much contrast (a faded photo keeps its tones).
    let mut sorted: Vec<f32> = grid.to_vec();
    sorted.sort_by(f32::total_cmp);
    let percentile = |p: f64| {
        sorted
            .get(((sorted.len().saturating_sub(1)) as f64 * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let (low, high) = (percentile(0.01), percentile(0.99));
    let width = (high - low).max(1.0) / 32.0;
    let mut histogram = [0u32; 32];
    for &g in grid {
        histogram[(((g - low) / width).max(0.0) as usize).min(31)] += 1;
    }
    let entropy = histogram
        .iter()
        .filter(|&&h| h > 0)
        .map(|&h| {
            let p = f64::from(h) / count;
            -p * p.log2()
        })
        .sum();

    let mut textured = 0usize;
    let mut total = 0usize;
    for y in 0..n.saturating_sub(1) {
        for x in 0..n.saturating_sub(1) {
            let here = grid[y * n + x];
            let gradient =
                (grid[y * n + x + 1] - here).abs() + (grid[(y + 1) * n + x] - here).abs();
            total += 1;
            if gradient > FLAT_GRADIENT {
                textured += 1;
            }
        }
    }
    QualityMeasures {
        contrast: variance.sqrt(),
        entropy,
        textured_share: textured as f64 / total.max(1) as f64,
        stable_bits: coefficients
            .iter()
            .filter(|&&c| (c - median).abs() > STABLE_MARGIN)
            .count() as f64
            / coefficients.len().max(1) as f64,
    }
}

/// Folds the measures into one 0..1 figure (the weakest measure wins).
pub fn score(m: QualityMeasures) -> f32 {
    let contrast = ramp(m.contrast, 3.0, 10.0);
    let entropy = ramp(m.entropy, 1.5, 2.6);
    let texture = ramp(m.textured_share, 0.3, 0.7);
    let stability = ramp(m.stable_bits, 0.3, 0.7);
    contrast.min(entropy).min(texture).min(stability) as f32
}

/// 0 at or below `low`, 1 at or above `high`, linear between.
fn ramp(value: f64, low: f64, high: f64) -> f64 {
    ((value - low) / (high - low)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_colour_has_no_quality() {
        let flat = vec![120f32; QUALITY_GRID * QUALITY_GRID];
        assert_eq!(score(measure(&flat, &[0.0; 64], 0.0)), 0.0);
    }

    #[test]
    fn two_flat_colours_stay_below_the_gate() {
        let n = QUALITY_GRID;
        let disc: Vec<f32> = (0..n * n)
            .map(|i| {
                let (x, y) = ((i % n) as f32 - 32.0, (i / n) as f32 - 24.0);
                if x * x + y * y < 200.0 {
                    240.0
                } else {
                    60.0
                }
            })
            .collect();
        assert!(score(measure(&disc, &[10.0; 64], 0.0)) < FLAT_BELOW);
    }

    #[test]
    fn noise_over_a_gradient_has_high_quality() {
        let n = QUALITY_GRID;
        let textured: Vec<f32> = (0..n * n)
            .map(|i| (i % n) as f32 * 2.0 + ((i * 2_654_435_761) % 97) as f32)
            .collect();
        assert!(score(measure(&textured, &[-10.0, 10.0], 0.0)) > 0.8);
    }
}
