//! Verification: at the alignment the hashes found, is the candidate really the same picture?
//!
//! The hashes keep only which low frequencies lie above their median, which is robust but says
//! little about detail: two smileys that differ only in their eyes, or two cartoon faces drawn
//! alike, hash close together. Here the candidate's canonical region, kept as a small colour
//! thumbnail, is compared with the protected avatar resampled at that alignment (refined by a
//! small local search) after the best brightness, contrast and saturation fit; the residual,
//! relative to the picture's own contrast, says whether the detail agrees, and the fitted tone
//! whether the copy's brightness, contrast or colours were changed. A transparent avatar is
//! composited over whatever background the copy shows (white, black or a colour).
//!
//! It only measures; [`super::compare`] decides.

use super::canonical::Region;
use super::decode::LumaPlane;

/// Side of the candidate's thumbnail, in cells.
pub const THUMB: usize = 20;
/// Side of the protected avatar's stored centre square, in pixels.
pub const PLANE: usize = 128;
/// Thumbnail cells on each side of a masked corner (the hashes mask 12 of 32).
const MASK_CELLS: usize = 8;
/// Bytes per candidate thumbnail: luma and two colour differences per cell.
pub const THUMB_BYTES: usize = THUMB * THUMB * 3;
/// Bytes of the protected avatar's plane: luma over white, two colour differences, opacity.
pub const PLANE_BYTES: usize = PLANE * PLANE * 4;

/// Weight of the colour differences against luma in the residual.
const COLOUR_WEIGHT: f64 = 0.5;
/// Residual floor (luma units squared per cell), so a nearly uniform picture cannot make tiny
/// differences look large.
const VARIANCE_FLOOR: f64 = 36.0;

/// Packs bytes into words, eight per word (little end first), zero padded.
pub fn pack(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        })
        .collect()
}

/// The bytes of packed words.
fn unpack(words: &[u64], len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.truncate(len);
    bytes
}

fn luma_byte(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

fn colour_byte(v: f32) -> u8 {
    (v / 2.0 + 128.0).round().clamp(0.0, 255.0) as u8
}

fn colour_value(b: u8) -> f64 {
    (f64::from(b) - 128.0) * 2.0
}

/// The candidate's canonical region as a [`THUMB`] x [`THUMB`] thumbnail: luma, then the two
/// colour differences, row-major.
pub fn thumbnail(plane: &LumaPlane) -> Vec<u64> {
    let sample = |values: &[f32]| {
        super::canonical::Integral::new(plane, values).sample(Region::canonical(), THUMB)
    };
    let mut bytes = Vec::with_capacity(THUMB_BYTES);
    bytes.extend(sample(&plane.data).into_iter().map(luma_byte));
    bytes.extend(sample(&plane.blue_difference).into_iter().map(colour_byte));
    bytes.extend(sample(&plane.red_difference).into_iter().map(colour_byte));
    pack(&bytes)
}

/// The protected avatar's centre square at [`PLANE`] x [`PLANE`]: luma over white, colour
/// differences, opacity.
pub fn reference_plane(plane: &LumaPlane) -> Vec<u64> {
    let whole = Region {
        centre_x: 0.5,
        centre_y: 0.5,
        side: 1.0,
    };
    let sample =
        |values: &[f32]| super::canonical::Integral::new(plane, values).sample(whole, PLANE);
    let mut bytes = Vec::with_capacity(PLANE_BYTES);
    bytes.extend(sample(&plane.data).into_iter().map(luma_byte));
    bytes.extend(sample(&plane.blue_difference).into_iter().map(colour_byte));
    bytes.extend(sample(&plane.red_difference).into_iter().map(colour_byte));
    bytes.extend(
        sample(&plane.coverage)
            .into_iter()
            .map(|a| (a * 255.0).round().clamp(0.0, 255.0) as u8),
    );
    pack(&bytes)
}

/// Summed-area table of the stored plane, the four channels (premultiplied luma, the two colour
/// differences, opacity) side by side.
struct Table(Vec<[f64; 4]>);

impl Table {
    fn new(values: &[[f64; 4]]) -> Table {
        let n = PLANE;
        let mut table = vec![[0f64; 4]; (n + 1) * (n + 1)];
        for y in 0..n {
            let mut row = [0f64; 4];
            for x in 0..n {
                let above = table[y * (n + 1) + x + 1];
                for (sum, v) in row.iter_mut().zip(values[y * n + x]) {
                    *sum += v;
                }
                table[(y + 1) * (n + 1) + x + 1] = [0, 1, 2, 3].map(|k| above[k] + row[k]);
            }
        }
        Table(table)
    }

    /// A coordinate's cell and the fraction into it (clamped to the plane).
    fn split(v: f64) -> (usize, f64) {
        let n = PLANE;
        let v = v.clamp(0.0, n as f64);
        let i = (v as usize).min(n - 1);
        (i, v - i as f64)
    }

    /// Integral over [0, x] x [0, y] of every channel, bilinear inside a pixel.
    fn at(&self, (x0, fx): (usize, f64), (y0, fy): (usize, f64)) -> [f64; 4] {
        let stride = PLANE + 1;
        let (a, b) = (self.0[y0 * stride + x0], self.0[y0 * stride + x0 + 1]);
        let (c, d) = (
            self.0[(y0 + 1) * stride + x0],
            self.0[(y0 + 1) * stride + x0 + 1],
        );
        [0, 1, 2, 3].map(|k| {
            let top = a[k] + (b[k] - a[k]) * fx;
            let bottom = c[k] + (d[k] - c[k]) * fx;
            top + (bottom - top) * fy
        })
    }
}

/// The protected avatar, ready to be resampled at any alignment.
pub struct Reference {
    /// Premultiplied luma, the two colour differences and opacity.
    table: Table,
    transparent: bool,
}

impl Reference {
    /// From the stored plane words; `None` when they are missing or short.
    pub fn new(words: &[u64]) -> Option<Reference> {
        if words.len() * 8 < PLANE_BYTES {
            return None;
        }
        let bytes = unpack(words, PLANE_BYTES);
        let n = PLANE * PLANE;
        let (luma, rest) = bytes.split_at(n);
        let (blue, rest) = rest.split_at(n);
        let (red, alpha) = rest.split_at(n);
        let opacity = |b: u8| f64::from(b) / 255.0;
        // Luma was stored over white: take the white back out (premultiplied luma).
        let values: Vec<[f64; 4]> = (0..n)
            .map(|i| {
                let a = opacity(alpha[i]);
                [
                    f64::from(luma[i]) - 255.0 * (1.0 - a),
                    colour_value(blue[i]),
                    colour_value(red[i]),
                    a,
                ]
            })
            .collect();
        Some(Reference {
            table: Table::new(&values),
            transparent: alpha.iter().any(|&a| a < 250),
        })
    }

    /// The region sampled at `THUMB` x `THUMB`: per cell premultiplied luma, colour differences
    /// and opacity.
    fn sample(&self, region: Region, mirror: bool) -> Vec<[f64; 4]> {
        let n = PLANE as f64;
        let side = region.side * n;
        let left = region.centre_x * n - side / 2.0;
        let top = region.centre_y * n - side / 2.0;
        let cell = side / THUMB as f64;
        let plane = PLANE as f64;
        let edges = |start: f64| -> Vec<f64> {
            (0..=THUMB)
                .map(|i| (start + i as f64 * cell).clamp(0.0, plane))
                .collect()
        };
        let (xs, ys) = (edges(left), edges(top));
        let (xi, yi): (Vec<_>, Vec<_>) = (
            xs.iter().map(|&x| Table::split(x)).collect(),
            ys.iter().map(|&y| Table::split(y)).collect(),
        );
        let corners: Vec<[f64; 4]> = yi
            .iter()
            .flat_map(|&y| xi.iter().map(move |&x| (x, y)))
            .map(|(x, y)| self.table.at(x, y))
            .collect();
        let mut grid = Vec::with_capacity(THUMB * THUMB);
        for j in 0..THUMB {
            for i in 0..THUMB {
                let column = if mirror { THUMB - 1 - i } else { i };
                let area = (xs[column + 1] - xs[column]) * (ys[j + 1] - ys[j]);
                let at = |a: usize, b: usize| corners[b * (THUMB + 1) + a];
                grid.push([0, 1, 2, 3].map(|k| {
                    if area <= 1e-9 {
                        return 0.0;
                    }
                    (at(column + 1, j + 1)[k] - at(column, j + 1)[k] - at(column + 1, j)[k]
                        + at(column, j)[k])
                        / area
                }));
            }
        }
        grid
    }
}

/// The candidate's thumbnail as (luma, blue difference, red difference) per cell.
pub fn candidate_cells(words: &[u64]) -> Option<Vec<[f64; 3]>> {
    if words.len() * 8 < THUMB_BYTES {
        return None;
    }
    let bytes = unpack(words, THUMB_BYTES);
    let n = THUMB * THUMB;
    Some(
        (0..n)
            .map(|i| {
                [
                    f64::from(bytes[i]),
                    colour_value(bytes[n + i]),
                    colour_value(bytes[2 * n + i]),
                ]
            })
            .collect(),
    )
}

/// True for the thumbnail cells inside masked corner `corner` (0 top-left, 1 top-right,
/// 2 bottom-left, 3 bottom-right).
fn in_corner(i: usize, corner: usize) -> bool {
    let (x, y) = (i % THUMB, i / THUMB);
    let in_x = if corner % 2 == 1 {
        x >= THUMB - MASK_CELLS
    } else {
        x < MASK_CELLS
    };
    let in_y = if corner / 2 == 1 {
        y >= THUMB - MASK_CELLS
    } else {
        y < MASK_CELLS
    };
    in_x && in_y
}

/// The candidate's side of the comparison, prepared once per verification: the cells compared
/// (all but a masked corner) and which of them the copy shows unclipped.
struct Seen {
    used: Vec<usize>,
    cells: Vec<[f64; 3]>,
    /// Cells whose RGB the copy does not show clipped (all of them when nearly none are).
    unclipped: Vec<bool>,
}

impl Seen {
    fn new(candidate: &[[f64; 3]], mask: Option<usize>) -> Seen {
        let used: Vec<usize> = (0..candidate.len())
            .filter(|&i| mask.map_or(true, |corner| !in_corner(i, corner)))
            .collect();
        let cells: Vec<[f64; 3]> = used.iter().map(|&i| candidate[i]).collect();
        let mut unclipped: Vec<bool> = cells
            .iter()
            .map(|&c| to_rgb(c).iter().all(|&v| (6.0..=249.0).contains(&v)))
            .collect();
        if unclipped.iter().filter(|&&u| u).count() * 10 < unclipped.len() {
            unclipped.iter_mut().for_each(|u| *u = true);
        }
        Seen {
            used,
            cells,
            unclipped,
        }
    }
}

/// How far the candidate is from the reference at one alignment: the residual after the best
/// tone and saturation fit, relative to the reference's own variation (0 = identical, about 1
/// or more = unrelated).
#[cfg(test)]
fn residual(
    reference: &[[f64; 4]],
    candidate: &[[f64; 3]],
    mask: Option<usize>,
    background: [f64; 3],
    gain: Option<f64>,
) -> f64 {
    fit(reference, &Seen::new(candidate, mask), background, gain).residual
}

/// The tone fit at one alignment and what is left after it.
#[derive(Debug, Clone, Copy)]
struct Fit {
    residual: f64,
    gain: f64,
    offset: f64,
    saturation: f64,
}

/// [`residual`] with the candidate's side prepared, and the fit that gave it.
fn fit(reference: &[[f64; 4]], seen: &Seen, background: [f64; 3], gain: Option<f64>) -> Fit {
    let shown: Vec<[f64; 3]> = seen
        .used
        .iter()
        .map(|&i| {
            let r = reference[i];
            [0, 1, 2].map(|k| r[k] + background[k] * (1.0 - r[3]))
        })
        .collect();
    let count = shown.len().max(1) as f64;

    // Tone: the copy's RGB = clip(gain * RGB + offset), the same for every channel (brightness
    // and contrast). Either both are fitted on luma over the cells the copy does not show
    // clipped, or the gain is given and the offset fitted over the cells it does not clip.
    let rgb: Vec<[f64; 3]> = shown.iter().map(|&c| to_rgb(c)).collect();
    let (gain, offset) = match gain {
        None => fit_line(&shown, &seen.cells, &seen.unclipped),
        Some(gain) => (gain, fit_offset(gain, &rgb, &shown, &seen.cells)),
    };
    // Saturation: one scale for both colour differences (a hue change is not a copy's).
    let predicted: Vec<[f64; 3]> = rgb
        .iter()
        .map(|c| from_rgb(c.map(|v| (gain * v + offset).clamp(0.0, 255.0))))
        .collect();
    let (mut cross, mut power) = (0.0, 0.0);
    for (p, c) in predicted.iter().zip(&seen.cells) {
        for k in 1..3 {
            cross += p[k] * c[k];
            power += p[k] * p[k];
        }
    }
    let saturation = if power > 1e-6 { cross / power } else { 1.0 }.clamp(0.75, 1.35);

    let mean = |v: &[[f64; 3]], k: usize| v.iter().map(|c| c[k]).sum::<f64>() / count;
    let means = [0, 1, 2].map(|k| mean(&shown, k));
    let (mut error, mut spread) = (0.0, 0.0);
    for ((p, c), r) in predicted.iter().zip(&seen.cells).zip(&shown) {
        error += (c[0] - p[0]).powi(2);
        spread += (r[0] - means[0]).powi(2);
        for k in 1..3 {
            error += COLOUR_WEIGHT * (c[k] - saturation * p[k]).powi(2);
            spread += COLOUR_WEIGHT * (r[k] - means[k]).powi(2);
        }
    }
    Fit {
        residual: (error / spread.max(VARIANCE_FLOOR * count)).sqrt(),
        gain,
        offset,
        saturation,
    }
}

/// Least-squares line seen = gain * shown + offset on luma over the `used` cells; the gain is
/// kept within what a brightness or contrast change does.
fn fit_line(shown: &[[f64; 3]], seen: &[[f64; 3]], used: &[bool]) -> (f64, f64) {
    let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for ((r, c), _) in shown.iter().zip(seen).zip(used).filter(|(_, &u)| u) {
        n += 1.0;
        sx += r[0];
        sy += c[0];
    }
    if n < 1.0 {
        return (1.0, 0.0);
    }
    let (mx, my) = (sx / n, sy / n);
    let (mut covariance, mut variance) = (0.0, 0.0);
    for ((r, c), _) in shown.iter().zip(seen).zip(used).filter(|(_, &u)| u) {
        covariance += (r[0] - mx) * (c[0] - my);
        variance += (r[0] - mx).powi(2);
    }
    let gain = if variance > 1e-6 {
        covariance / variance
    } else {
        1.0
    }
    .clamp(0.7, 1.45);
    (gain, my - gain * mx)
}

/// The offset that best goes with `gain` (mean luma difference over the cells the tone change
/// leaves unclipped, found in two rounds).
fn fit_offset(gain: f64, rgb: &[[f64; 3]], shown: &[[f64; 3]], seen: &[[f64; 3]]) -> f64 {
    let mut offset = 0.0;
    for _ in 0..2 {
        let (mut sum, mut n) = (0.0, 0.0);
        for ((c, r), s) in rgb.iter().zip(shown).zip(seen) {
            if c.iter()
                .all(|&v| (0.0..=255.0).contains(&(gain * v + offset)))
            {
                sum += s[0] - gain * r[0];
                n += 1.0;
            }
        }
        if n > 0.0 {
            offset = (sum / n).clamp(-64.0, 64.0);
        }
    }
    offset
}

/// Residual after the first, coarse round of the local search beyond which the finer rounds
/// are skipped: copies sit far below it (the bars are 0.2 to 0.3), unrelated pictures near 1.
const HOPELESS: f64 = 0.8;

/// Gains tried when brightening has clipped most of the picture (a saturated colour at 255),
/// where fitting a line to what is left says little.
const GAINS: [f64; 10] = [0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25];

/// RGB of a (luma, B - Y, R - Y) colour.
fn to_rgb(c: [f64; 3]) -> [f64; 3] {
    let (r, b) = (c[0] + c[2], c[0] + c[1]);
    let g = (c[0] - 0.299 * r - 0.114 * b) / 0.587;
    [r, g, b]
}

/// (luma, B - Y, R - Y) of an RGB colour.
fn from_rgb(c: [f64; 3]) -> [f64; 3] {
    let y = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    [y, c[2] - y, c[0] - y]
}

/// The backgrounds a transparent reference may be shown over in a copy: white, black, and the
/// colour the copy shows where the reference is see-through.
fn backgrounds(reference: &[[f64; 4]], candidate: &[[f64; 3]]) -> Vec<[f64; 3]> {
    let mut out = vec![WHITE, BLACK];
    let clear: Vec<usize> = (0..candidate.len())
        .filter(|&i| reference[i][3] < 0.1)
        .collect();
    if clear.len() >= 4 {
        out.push(
            [0, 1, 2]
                .map(|k| clear.iter().map(|&i| candidate[i][k]).sum::<f64>() / clear.len() as f64),
        );
    }
    out
}

const WHITE: [f64; 3] = [255.0, 0.0, 0.0];
const BLACK: [f64; 3] = [0.0, 0.0, 0.0];

/// What the verification found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// Residual at the best alignment (0 = identical).
    pub residual: f64,
    /// True when the reference is transparent and the copy shows it over a dark background.
    pub dark_background: bool,
    /// True when the copy's brightness or contrast was changed ([`TONE_CHANGE`] or more).
    pub tone_changed: bool,
    /// True when the copy's colours were made stronger or paler ([`TONE_CHANGE`] or more).
    pub colour_changed: bool,
}

/// Relative change of brightness, contrast or saturation from which the reason mentions it
/// (re-encoding alone moves them by a few percent).
pub const TONE_CHANGE: f64 = 0.07;

/// Largest residual at which the fitted tone is read as a change of the copy's.
const TONE_READABLE: f64 = 0.12;

/// The smallest residual around `region` (a local search of shifts and scales refines the
/// alignment the hashes found to a fraction of their grid step).
pub fn verify(
    reference: &Reference,
    candidate: &[[f64; 3]],
    region: Region,
    mirror: bool,
    mask: Option<usize>,
) -> Verdict {
    let seen = Seen::new(candidate, mask);
    // A transparent reference: the background the copy shows, chosen at the first alignment.
    let start = reference.sample(region, mirror);
    let background = if reference.transparent {
        backgrounds(&start, candidate)
            .into_iter()
            .map(|b| (fit(&start, &seen, b, None).residual, b))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(WHITE, |(_, b)| b)
    } else {
        WHITE
    };
    // The tone model, chosen here: a gain and offset fitted at each alignment, or the fixed
    // gain that suits this copy best (brightening that clipped most of the picture).
    let gain = std::iter::once(None)
        .chain(GAINS.into_iter().map(Some))
        .map(|g| (fit(&start, &seen, background, g).residual, g))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .and_then(|(_, g)| g);
    let mut best = (
        Fit {
            residual: f64::MAX,
            gain: 1.0,
            offset: 0.0,
            saturation: 1.0,
        },
        region,
    );
    let mut step = 0.024;
    for round in 0..4 {
        let centre = best.1;
        for ds in [-1.0, 0.0, 1.0] {
            for dy in [-1.0, 0.0, 1.0] {
                for dx in [-1.0, 0.0, 1.0] {
                    let r = Region {
                        centre_x: centre.centre_x + dx * step,
                        centre_y: centre.centre_y + dy * step,
                        side: centre.side * (1.0 + ds * step * 3.0),
                    };
                    let value = fit(&reference.sample(r, mirror), &seen, background, gain);
                    if value.residual < best.0.residual {
                        best = (value, r);
                    }
                }
            }
        }
        // Far from any copy after the coarse round: finer steps will not bring it back.
        if round == 0 && best.0.residual > HOPELESS {
            break;
        }
        step /= 2.0;
    }
    let tone = best.0;
    // A loose fit also bends the tone to make up for detail that does not line up: the tone
    // is only read from a close one.
    let close = tone.residual <= TONE_READABLE;
    Verdict {
        residual: tone.residual,
        dark_background: reference.transparent && background[0] < 128.0,
        tone_changed: close
            && ((tone.gain - 1.0).abs() >= TONE_CHANGE
                || (tone.gain * 128.0 + tone.offset - 128.0).abs() >= 255.0 * TONE_CHANGE),
        colour_changed: close && (tone.saturation - 1.0).abs() >= TONE_CHANGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_every_byte() {
        let bytes: Vec<u8> = (0..=255u8).chain(0..13).collect();
        let words = pack(&bytes);
        assert_eq!(words.len(), bytes.len().div_ceil(8));
        assert_eq!(unpack(&words, bytes.len()), bytes);
    }

    /// A reference grid (opaque) and the candidate cells it would give.
    fn cells(f: impl Fn(usize) -> [f64; 3]) -> (Vec<[f64; 4]>, Vec<[f64; 3]>) {
        let n = THUMB * THUMB;
        let seen: Vec<[f64; 3]> = (0..n).map(f).collect();
        (seen.iter().map(|c| [c[0], c[1], c[2], 1.0]).collect(), seen)
    }

    fn picture(i: usize) -> [f64; 3] {
        let (x, y) = ((i % THUMB) as f64, (i / THUMB) as f64);
        [
            120.0 + 60.0 * (x * 0.7).sin() * (y * 0.4).cos(),
            30.0 * (y * 0.5).sin(),
            -20.0 + 25.0 * (x * 0.3).cos(),
        ]
    }

    #[test]
    fn the_same_picture_has_no_residual_whatever_its_tone() {
        let (reference, seen) = cells(picture);
        assert!(residual(&reference, &seen, None, WHITE, None) < 1e-6);
        // Brighter, more contrast, less saturated: the fit takes it all.
        let toned: Vec<[f64; 3]> = seen
            .iter()
            .map(|c| [c[0] * 1.12 - 4.0, c[1] * 0.88, c[2] * 0.88])
            .collect();
        let value = residual(&reference, &toned, None, WHITE, None);
        assert!(value < 0.05, "{value}");
    }

    #[test]
    fn another_picture_or_another_colour_leaves_a_large_residual() {
        let (reference, _) = cells(picture);
        let (_, other) = cells(|i| picture(i * 7 % (THUMB * THUMB)));
        let value = residual(&reference, &other, None, WHITE, None);
        assert!(value > 0.6, "{value}");
        // The same drawing in another hue (colour differences swapped).
        let (_, recoloured) = cells(|i| {
            let c = picture(i);
            [c[0], c[2], c[1]]
        });
        let value = residual(&reference, &recoloured, None, WHITE, None);
        assert!(value > 0.3, "{value}");
    }

    #[test]
    fn a_masked_corner_is_left_out() {
        let (reference, mut seen) = cells(picture);
        for (i, c) in seen.iter_mut().enumerate() {
            if in_corner(i, 3) {
                *c = [255.0, 0.0, 0.0];
            }
        }
        assert!(residual(&reference, &seen, None, WHITE, None) > 0.3);
        assert!(residual(&reference, &seen, Some(3), WHITE, None) < 1e-6);
        assert!(residual(&reference, &seen, Some(0), WHITE, None) > 0.3);
    }
}
