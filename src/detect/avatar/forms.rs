//! Forms: the hashed views of one avatar, and the order they are stored in.
//!
//! A candidate (any account's avatar) is hashed at its canonical region ([`super::canonical`]),
//! mirrored and not, and once more with each corner masked, so a badge or sticker over one
//! corner spoils only the form that masks another corner. The protected avatar is hashed at the
//! same forms plus a grid of shifted and scaled regions (crops up to ~16% on any side, added
//! borders or padding up to ~9%), and, when it has transparent parts (emoji, cut-out logos),
//! the whole grid again over a black background, the way a copy saved as JPEG or screenshotted
//! in dark mode shows it.
//!
//! It never decides anything: it only turns planes into words.

use super::canonical::{self, Integral, Region};
use super::decode::LumaPlane;
use super::phash;

/// 64-bit words per form: two luma words and one colour word.
pub const FORM_WORDS: usize = phash::LUMA_WORDS + 1;

/// Forms every fingerprint starts with: the canonical region and its mirror, then the same two
/// with each corner masked (top-left, top-right, bottom-left, bottom-right).
pub const CANDIDATE_FORMS: usize = 2 + 2 * CORNERS;

/// Corners that can be masked.
pub const CORNERS: usize = 4;

/// Cells (of [`phash::GRID`]) on each side of a masked corner: a badge covering ~10% of the
/// picture overlaps the canonical region by about a third of its side.
const MASK_CELLS: usize = 12;

/// Relative sides of the protected avatar's extra regions (1.0 = the canonical region). A copy
/// cropped by c shows a region (1 - c) as large; a copy with a border b on every side shows
/// one (1 + 2b) as large.
pub const REFERENCE_SCALES: [f64; 5] = [0.82, 0.91, 1.0, 1.09, 1.18];

/// Centre shifts of the extra regions, as a fraction of the centre square's side (a crop of c
/// from one side moves the centre by c/2).
pub const REFERENCE_SHIFTS: [f64; 7] = [-0.09, -0.06, -0.03, 0.0, 0.03, 0.06, 0.09];

/// Share of the centre square that must be see-through for the black-background forms.
const TRANSPARENT_SHARE: f64 = 0.01;

/// The three channels of a plane as summed-area tables, over one background.
struct Channels {
    luma: Integral,
    blue: Integral,
    red: Integral,
}

impl Channels {
    /// The three grids of `region`.
    fn grids(&self, region: Region) -> [Vec<f32>; 3] {
        [&self.luma, &self.blue, &self.red].map(|integral| integral.sample(region, phash::GRID))
    }

    /// The form of `region`.
    fn form(&self, region: Region) -> [u64; FORM_WORDS] {
        hash_grids(&self.grids(region), false, None)
    }
}

/// The form of sampled grids, mirrored or not, with `mask` (a corner index) filled in.
fn hash_grids(grids: &[Vec<f32>; 3], mirror: bool, mask: Option<usize>) -> [u64; FORM_WORDS] {
    let [luma, blue, red] = grids.clone().map(|mut grid| {
        if mirror {
            grid = canonical::mirrored(&grid, phash::GRID);
        }
        if let Some(corner) = mask {
            fill_corner(&mut grid, corner);
        }
        grid
    });
    let [low, high] = phash::hash(&phash::low_frequencies(&luma));
    [low, high, phash::colour_word(&blue, &red)]
}

/// Replaces one corner block of a grid by the mean of the rest, so two grids that differ only
/// there hash alike.
fn fill_corner(grid: &mut [f32], corner: usize) {
    let n = phash::GRID;
    let (right, bottom) = (corner % 2 == 1, corner / 2 == 1);
    let inside = |x: usize, y: usize| {
        let in_x = if right {
            x >= n - MASK_CELLS
        } else {
            x < MASK_CELLS
        };
        let in_y = if bottom {
            y >= n - MASK_CELLS
        } else {
            y < MASK_CELLS
        };
        in_x && in_y
    };
    let (mut sum, mut count) = (0f64, 0usize);
    for (i, &v) in grid.iter().enumerate() {
        if !inside(i % n, i / n) {
            sum += f64::from(v);
            count += 1;
        }
    }
    let mean = (sum / count.max(1) as f64) as f32;
    for (i, v) in grid.iter_mut().enumerate() {
        if inside(i % n, i / n) {
            *v = mean;
        }
    }
}

/// The reference's extra regions in a fixed order (scale, then y shift, then x shift), without
/// the canonical region itself.
pub fn reference_regions() -> Vec<Region> {
    let base = Region::canonical();
    let mut regions = Vec::new();
    for scale in REFERENCE_SCALES {
        for dy in REFERENCE_SHIFTS {
            for dx in REFERENCE_SHIFTS {
                if scale == 1.0 && dx == 0.0 && dy == 0.0 {
                    continue;
                }
                regions.push(Region {
                    centre_x: base.centre_x + dx,
                    centre_y: base.centre_y + dy,
                    side: base.side * scale,
                });
            }
        }
    }
    regions
}

/// True when a noticeable part of the image's centre square is see-through.
pub fn is_transparent(plane: &LumaPlane) -> bool {
    let coverage = Integral::new(plane, &plane.coverage);
    let whole = Region {
        centre_x: 0.5,
        centre_y: 0.5,
        side: 1.0,
    };
    let mean = coverage.sample(whole, 1).first().copied().unwrap_or(1.0);
    1.0 - f64::from(mean) > TRANSPARENT_SHARE
}

/// The forms of a plane, concatenated: [`CANDIDATE_FORMS`] forms, then for a reference the
/// extra regions over white and, for a transparent image, every region again over black.
pub fn build(plane: &LumaPlane, reference: bool) -> Vec<u64> {
    let over_white = Channels {
        luma: Integral::new(plane, &plane.data),
        blue: Integral::new(plane, &plane.blue_difference),
        red: Integral::new(plane, &plane.red_difference),
    };
    let mut words = Vec::with_capacity(FORM_WORDS * CANDIDATE_FORMS);
    let canonical = Region::canonical();
    let grids = over_white.grids(canonical);
    for mirror in [false, true] {
        words.extend(hash_grids(&grids, mirror, None));
    }
    for mirror in [false, true] {
        for corner in 0..CORNERS {
            words.extend(hash_grids(&grids, mirror, Some(corner)));
        }
    }
    if !reference {
        return words;
    }
    let regions = reference_regions();
    for &region in &regions {
        words.extend(over_white.form(region));
    }
    if is_transparent(plane) {
        let black: Vec<f32> = plane
            .data
            .iter()
            .zip(&plane.coverage)
            .map(|(&y, &a)| y - 255.0 * (1.0 - a))
            .collect();
        let over_black = Channels {
            luma: Integral::new(plane, &black),
            ..over_white
        };
        words.extend(over_black.form(canonical));
        for &region in &regions {
            words.extend(over_black.form(region));
        }
    }
    words
}
