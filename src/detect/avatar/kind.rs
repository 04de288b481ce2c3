//! What kind of picture an avatar is, for the one decision the old quality gate was for:
//! pictures that identify nobody never match.
//!
//! - **Plain**: a single colour, nearly a single colour (a tiny mark on a flat field), or a
//!   smooth gradient. Every such picture hashes near every other.
//! - **Default**: a platform's picture for "no avatar": Mastodon's `missing.png` (the elephant;
//!   before 2018 a grey silhouette) and the head-and-shoulders silhouette X, Gravatar and many
//!   others show. Recognised by shape (two flat colours, a symmetric head over shoulders that
//!   reach the bottom edge) and, for Mastodon's elephant, by its hash.
//! - **Flat**: few flat colours and little texture (logos, wordmarks, emoji, cartoons): these can
//!   match, on a stricter rule ([`super::compare`]).
//! - **Rich**: everything else (photographs, shaded illustrations).
//!
//! It never compares two pictures: it only classifies one.

use super::canonical::{Integral, Region};
use super::decode::LumaPlane;

/// The kinds of picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rich,
    Flat,
    Plain(Plain),
    Default(Default),
}

/// Why a picture counts as plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    SingleColour,
    NearlySingleColour,
    Gradient,
}

/// Which default avatar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Mastodon's `missing.png` (the elephant, since 2018).
    MastodonElephant,
    /// A generic head-and-shoulders silhouette (X, Gravatar, Mastodon before 2018, ...).
    Silhouette,
}

impl Kind {
    pub fn code(self) -> u8 {
        match self {
            Kind::Rich => 0,
            Kind::Flat => 1,
            Kind::Plain(Plain::SingleColour) => 2,
            Kind::Plain(Plain::NearlySingleColour) => 3,
            Kind::Plain(Plain::Gradient) => 4,
            Kind::Default(Default::MastodonElephant) => 5,
            Kind::Default(Default::Silhouette) => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<Kind> {
        Some(match code {
            0 => Kind::Rich,
            1 => Kind::Flat,
            2 => Kind::Plain(Plain::SingleColour),
            3 => Kind::Plain(Plain::NearlySingleColour),
            4 => Kind::Plain(Plain::Gradient),
            5 => Kind::Default(Default::MastodonElephant),
            6 => Kind::Default(Default::Silhouette),
            _ => return None,
        })
    }

    /// True for pictures that are never called a match.
    pub fn identifies_nobody(self) -> bool {
        matches!(self, Kind::Plain(_) | Kind::Default(_))
    }

    /// The picture in words, for reasons ("a platform's default avatar").
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Rich => "a detailed picture",
            Kind::Flat => "a flat picture (logo, drawing or emoji)",
            Kind::Plain(Plain::SingleColour) => "a single colour",
            Kind::Plain(Plain::NearlySingleColour) => "nearly a single colour",
            Kind::Plain(Plain::Gradient) => "a plain colour gradient",
            Kind::Default(Default::MastodonElephant) => "Mastodon's default avatar (the elephant)",
            Kind::Default(Default::Silhouette) => {
                "a default avatar (a plain head-and-shoulders silhouette)"
            }
        }
    }
}

/// Side of the grid the picture is classified on.
const GRID: usize = 48;
/// Colour distance (luma units, colour differences at half weight) within which two cells have
/// the same colour.
const SAME_COLOUR: f64 = 14.0;
/// Share of cells in the dominant colour from which a picture is nearly a single colour.
const NEARLY_SINGLE: f64 = 0.975;
/// Largest root mean square residual of a linear fit for a smooth gradient.
const GRADIENT_RESIDUAL: f64 = 3.0;

/// The picture's cells over its centre square ([`GRID`] x [`GRID`]): luma and colour
/// differences.
pub fn cells(plane: &LumaPlane) -> Vec<[f64; 3]> {
    let whole = Region {
        centre_x: 0.5,
        centre_y: 0.5,
        side: 1.0,
    };
    let sample = |values: &[f32]| Integral::new(plane, values).sample(whole, GRID);
    let (y, b, r) = (
        sample(&plane.data),
        sample(&plane.blue_difference),
        sample(&plane.red_difference),
    );
    (0..GRID * GRID)
        .map(|i| [f64::from(y[i]), f64::from(b[i]), f64::from(r[i])])
        .collect()
}

fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + 0.25 * ((a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2))).sqrt()
}

/// The median colour (per channel).
fn median_colour(cells: &[[f64; 3]]) -> [f64; 3] {
    [0, 1, 2].map(|k| {
        let mut v: Vec<f64> = cells.iter().map(|c| c[k]).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    })
}

/// Classifies a picture; `flat` is the texture measure's verdict (few tones, little texture).
pub fn classify(cells: &[[f64; 3]], flat: bool, elephant: bool) -> Kind {
    let dominant = median_colour(cells);
    let share = cells
        .iter()
        .filter(|&&c| distance(c, dominant) <= SAME_COLOUR)
        .count() as f64
        / cells.len() as f64;
    if share >= 0.999 {
        return Kind::Plain(Plain::SingleColour);
    }
    if share >= NEARLY_SINGLE {
        return Kind::Plain(Plain::NearlySingleColour);
    }
    if gradient_residual(cells) <= GRADIENT_RESIDUAL {
        return Kind::Plain(Plain::Gradient);
    }
    if elephant {
        return Kind::Default(Default::MastodonElephant);
    }
    if is_silhouette(cells) {
        return Kind::Default(Default::Silhouette);
    }
    if flat {
        Kind::Flat
    } else {
        Kind::Rich
    }
}

/// Root mean square residual of the best linear fit (a + b x + c y) per channel.
fn gradient_residual(cells: &[[f64; 3]]) -> f64 {
    let n = GRID as f64;
    let coordinate = |i: usize| ((i % GRID) as f64 / n - 0.5, (i / GRID) as f64 / n - 0.5);
    // x and y are centred and uncorrelated over a square grid, so the fit is three projections.
    let (sxx, syy) = cells.iter().enumerate().fold((0.0, 0.0), |(a, b), (i, _)| {
        let (x, y) = coordinate(i);
        (a + x * x, b + y * y)
    });
    let mut error = 0.0;
    for k in 0..3 {
        let mean = cells.iter().map(|c| c[k]).sum::<f64>() / cells.len() as f64;
        let (mut sx, mut sy) = (0.0, 0.0);
        for (i, c) in cells.iter().enumerate() {
            let (x, y) = coordinate(i);
            sx += x * (c[k] - mean);
            sy += y * (c[k] - mean);
        }
        let (bx, by) = (sx / sxx, sy / syy);
        let weight = if k == 0 { 1.0 } else { 0.25 };
        for (i, c) in cells.iter().enumerate() {
            let (x, y) = coordinate(i);
            error += weight * (c[k] - mean - bx * x - by * y).powi(2);
        }
    }
    (error / cells.len() as f64).sqrt()
}

/// Two flat colours, the figure a symmetric head over shoulders that reach the bottom edge.
fn is_silhouette(cells: &[[f64; 3]]) -> bool {
    // The background is the colour of the top corners.
    let corner = |x: usize, y: usize| cells[y * GRID + x];
    let background = median_colour(&[
        corner(1, 1),
        corner(GRID - 2, 1),
        corner(1, 2),
        corner(GRID - 2, 2),
        corner(2, 1),
    ]);
    let figure_cells: Vec<[f64; 3]> = cells
        .iter()
        .copied()
        .filter(|&c| distance(c, background) > SAME_COLOUR * 2.0)
        .collect();
    if figure_cells.is_empty() {
        return false;
    }
    let figure = median_colour(&figure_cells);
    let two_colours = cells
        .iter()
        .filter(|&&c| distance(c, background) <= SAME_COLOUR || distance(c, figure) <= SAME_COLOUR)
        .count() as f64
        / cells.len() as f64;
    if two_colours < 0.95 {
        return false;
    }
    let mask: Vec<bool> = cells
        .iter()
        .map(|&c| distance(c, figure) < distance(c, background))
        .collect();
    let area = mask.iter().filter(|&&m| m).count() as f64 / mask.len() as f64;
    if !(0.1..=0.6).contains(&area) {
        return false;
    }
    // Symmetric about the vertical axis.
    let (mut both, mut either) = (0usize, 0usize);
    for y in 0..GRID {
        for x in 0..GRID {
            let (a, b) = (mask[y * GRID + x], mask[y * GRID + GRID - 1 - x]);
            both += usize::from(a && b);
            either += usize::from(a || b);
        }
    }
    if (both as f64) < 0.85 * either as f64 {
        return false;
    }
    // Width of the figure on each row: nothing on top, a head, a narrower neck (or a gap),
    // shoulders wider than the head that reach the bottom edge.
    let width: Vec<usize> = (0..GRID)
        .map(|y| (0..GRID).filter(|&x| mask[y * GRID + x]).count())
        .collect();
    let top = GRID / 10;
    if width[..top].iter().any(|&w| w > 0) {
        return false;
    }
    let upper = GRID * 2 / 3;
    let Some((head_row, &head)) = width[..upper].iter().enumerate().max_by_key(|&(_, &w)| w) else {
        return false;
    };
    let neck = width[head_row..GRID - 2].iter().copied().min().unwrap_or(0);
    let shoulders = width[GRID - 1];
    head >= GRID / 8 && neck < head && shoulders > head && shoulders < GRID
}

/// The canonical form of Mastodon's `missing.png` (the elephant, 400x400, since 2018).
const ELEPHANT: [u64; super::forms::FORM_WORDS] = [
    0x025C_7BCE_1E17_473C,
    0x9A1C_CCC8_CF33_8CCD,
    0x3C2E_8E78_C3D1_7187,
];

/// Hash distance within which a picture is Mastodon's elephant (copies of it are re-encoded
/// and resized by servers, never edited).
const ELEPHANT_DISTANCE: u32 = 20;

/// True when the picture's canonical form (plain or mirrored) is Mastodon's elephant.
pub fn is_elephant(forms: &[u64]) -> bool {
    forms
        .chunks_exact(super::forms::FORM_WORDS)
        .take(2)
        .any(|form| super::matching::form_distance(form, &ELEPHANT) <= ELEPHANT_DISTANCE)
}

/// True when the picture is a round screenshot: the four corners outside the inscribed circle
/// are one flat colour (or see-through), and the rim inside the circle is not all that colour.
pub fn is_round(cells: &[[f64; 3]]) -> bool {
    let n = GRID as f64;
    let radius = |i: usize| {
        let (x, y) = (
            (i % GRID) as f64 + 0.5 - n / 2.0,
            (i / GRID) as f64 + 0.5 - n / 2.0,
        );
        (x * x + y * y).sqrt() / (n / 2.0)
    };
    let corners: Vec<[f64; 3]> = (0..cells.len())
        .filter(|&i| radius(i) > 1.08)
        .map(|i| cells[i])
        .collect();
    let rim: Vec<[f64; 3]> = (0..cells.len())
        .filter(|&i| (0.8..0.92).contains(&radius(i)))
        .map(|i| cells[i])
        .collect();
    if corners.is_empty() || rim.is_empty() {
        return false;
    }
    let colour = median_colour(&corners);
    let flat = corners
        .iter()
        .all(|&c| distance(c, colour) <= SAME_COLOUR / 2.0);
    let differs = rim
        .iter()
        .filter(|&&c| distance(c, colour) > SAME_COLOUR)
        .count();
    flat && differs * 4 >= rim.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::avatar::decode::decode_luma;
    use image::{Rgb, RgbImage};

    fn plane(image: &RgbImage) -> LumaPlane {
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("PNG encoding");
        decode_luma(&out.into_inner()).expect("decodes")
    }

    fn kind_of(image: &RgbImage) -> Kind {
        classify(&cells(&plane(image)), true, false)
    }

    fn drawn(f: impl Fn(f32, f32) -> [u8; 3]) -> RgbImage {
        RgbImage::from_fn(200, 200, |x, y| Rgb(f(x as f32 / 200.0, y as f32 / 200.0)))
    }

    #[test]
    fn empty_pictures_are_plain() {
        assert_eq!(
            kind_of(&drawn(|_, _| [30, 144, 255])),
            Kind::Plain(Plain::SingleColour)
        );
        let dot = drawn(|x, y| {
            if (x - 0.7).powi(2) + (y - 0.3).powi(2) < 0.0015 {
                [0, 0, 0]
            } else {
                [240, 240, 240]
            }
        });
        assert_eq!(kind_of(&dot), Kind::Plain(Plain::NearlySingleColour));
        let gradient = drawn(|x, y| [(255.0 * x) as u8, (60.0 + 100.0 * y) as u8, 200]);
        assert_eq!(kind_of(&gradient), Kind::Plain(Plain::Gradient));
    }

    #[test]
    fn head_and_shoulders_silhouettes_are_default_avatars_and_logos_are_not() {
        let silhouette = |background: [u8; 3], figure: [u8; 3], head: f32| {
            drawn(move |x, y| {
                let in_head = (x - 0.5).powi(2) + (y - 0.38).powi(2) < head * head;
                let (sx, sy) = ((x - 0.5) / 0.36, (y - 1.02) / 0.3);
                if in_head || sx * sx + sy * sy < 1.0 {
                    figure
                } else {
                    background
                }
            })
        };
        for (background, figure, head) in [
            ([204, 214, 221], [255, 255, 255], 0.18),
            ([217, 225, 232], [151, 160, 170], 0.16),
            ([40, 40, 48], [120, 120, 130], 0.15),
        ] {
            let kind = kind_of(&silhouette(background, figure, head));
            assert_eq!(kind, Kind::Default(Default::Silhouette), "{background:?}");
            assert!(kind.identifies_nobody());
        }
        // A flat logo: a ring and a bar, not symmetric, nothing touching the bottom edge.
        let logo = drawn(|x, y| {
            let r = ((x - 0.4).powi(2) + (y - 0.45).powi(2)).sqrt();
            if (0.15..0.25).contains(&r) || ((0.62..0.72).contains(&x) && (0.2..0.8).contains(&y)) {
                [255, 255, 255]
            } else {
                [200, 30, 60]
            }
        });
        assert_eq!(kind_of(&logo), Kind::Flat);
        assert!(!Kind::Flat.identifies_nobody());
    }

    #[test]
    fn codes_round_trip_and_the_elephant_is_known() {
        for code in 0..=6 {
            let kind = Kind::from_code(code).expect("known code");
            assert_eq!(kind.code(), code);
        }
        assert_eq!(Kind::from_code(7), None);
        assert!(is_elephant(&ELEPHANT));
        assert!(!is_elephant(&[!ELEPHANT[0], !ELEPHANT[1], !ELEPHANT[2]]));
    }

    #[test]
    fn round_screenshots_are_recognised() {
        let texture = |x: f32, y: f32| {
            [
                (128.0 + 100.0 * (x * 23.0).sin() * (y * 17.0).cos()) as u8,
                (100.0 + 80.0 * (y * 11.0).sin()) as u8,
                (90.0 + 60.0 * ((x + y) * 7.0).cos()) as u8,
            ]
        };
        assert!(!is_round(&cells(&plane(&drawn(texture)))));
        for corner in [[255, 255, 255], [0, 0, 0]] {
            let round = drawn(move |x, y| {
                if (x - 0.5).powi(2) + (y - 0.5).powi(2) > 0.25 {
                    corner
                } else {
                    texture(x, y)
                }
            });
            assert!(is_round(&cells(&plane(&round))), "{corner:?}");
        }
    }
}
