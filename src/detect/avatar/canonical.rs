//! Canonical forms: which square regions of an avatar are hashed.
//!
//! Platforms show avatars as circles, and people screenshot them with white or black corners, or
//! crop a few percent off. The whole image therefore is not stable, but the square inscribed in the
//! circle inscribed in the image's centre square is: a round mask never touches it, and a small crop
//! only shifts and scales it a little. [`super::forms`] hashes the candidate at that one region
//! and the protected avatar, known in advance, also at a grid of shifted and scaled versions of it.
//! This module only defines regions and samples them; it never hashes or compares.

use super::decode::LumaPlane;

/// Side of the canonical region relative to the image's centre square. The square inscribed in
/// the circle has side 1/sqrt(2) = 0.707; a little less leaves room for the anti-aliased rim of a
/// round screenshot.
pub const INNER_SIDE: f64 = 0.68;

/// A square region of the image: centre and side, in units of the image's centre square
/// (centre (0.5, 0.5), side 1 is the whole centre square).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub centre_x: f64,
    pub centre_y: f64,
    pub side: f64,
}

impl Region {
    /// The canonical region: centred, [`INNER_SIDE`] wide.
    pub fn canonical() -> Region {
        Region {
            centre_x: 0.5,
            centre_y: 0.5,
            side: INNER_SIDE,
        }
    }
}

/// Summed-area table over a luma plane, for exact box averages over fractional rectangles.
pub struct Integral {
    width: usize,
    height: usize,
    /// (width + 1) * (height + 1) prefix sums; row 0 and column 0 are zero.
    table: Vec<f64>,
    /// The image's true extent in plane pixels.
    extent_x: f64,
    extent_y: f64,
}

impl Integral {
    /// The table of one channel of `plane` (`values` is one of its row-major channels).
    pub fn new(plane: &LumaPlane, values: &[f32]) -> Integral {
        let (w, h) = (plane.width, plane.height);
        let mut table = vec![0f64; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row = 0f64;
            for x in 0..w {
                row += f64::from(values[y * w + x]);
                table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + row;
            }
        }
        Integral {
            width: w,
            height: h,
            table,
            extent_x: plane.extent_x,
            extent_y: plane.extent_y,
        }
    }

    /// Integral of the plane over [0, x] x [0, y]. The plane is constant per pixel, so the
    /// integral is bilinear inside each pixel and interpolating the table is exact.
    fn at(&self, x: f64, y: f64) -> f64 {
        let x = x.clamp(0.0, self.width as f64);
        let y = y.clamp(0.0, self.height as f64);
        let (x0, y0) = (
            (x.floor() as usize).min(self.width.saturating_sub(1)),
            (y.floor() as usize).min(self.height.saturating_sub(1)),
        );
        let (fx, fy) = (x - x0 as f64, y - y0 as f64);
        let stride = self.width + 1;
        let t = |xi: usize, yi: usize| self.table[yi * stride + xi];
        let top = t(x0, y0) * (1.0 - fx) + t(x0 + 1, y0) * fx;
        let bottom = t(x0, y0 + 1) * (1.0 - fx) + t(x0 + 1, y0 + 1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// Mean over the rectangle [x0, x1) x [y0, y1) in plane pixels (clamped to the plane).
    fn mean(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
        let x0 = x0.clamp(0.0, self.width as f64);
        let x1 = x1.clamp(0.0, self.width as f64);
        let y0 = y0.clamp(0.0, self.height as f64);
        let y1 = y1.clamp(0.0, self.height as f64);
        let area = (x1 - x0) * (y1 - y0);
        if area <= 1e-9 {
            // Degenerate after clamping: sample the nearest pixel instead.
            let xi = (x0.floor() as usize).min(self.width.saturating_sub(1));
            let yi = (y0.floor() as usize).min(self.height.saturating_sub(1));
            let stride = self.width + 1;
            let t = |a: usize, b: usize| self.table[b * stride + a];
            return t(xi + 1, yi + 1) - t(xi, yi + 1) - t(xi + 1, yi) + t(xi, yi);
        }
        (self.at(x1, y1) - self.at(x0, y1) - self.at(x1, y0) + self.at(x0, y0)) / area
    }

    /// Samples `region` into an `n` x `n` grid of box averages (row-major).
    pub fn sample(&self, region: Region, n: usize) -> Vec<f32> {
        // The centre square of the image, in plane pixels.
        let square = self.extent_x.min(self.extent_y);
        let origin_x = (self.extent_x - square) / 2.0;
        let origin_y = (self.extent_y - square) / 2.0;
        let side = region.side * square;
        let left = origin_x + region.centre_x * square - side / 2.0;
        let top = origin_y + region.centre_y * square - side / 2.0;
        let cell = side / n as f64;
        // The table at the (n + 1) x (n + 1) cell corners, each read once.
        let xs: Vec<f64> = (0..=n)
            .map(|i| (left + i as f64 * cell).clamp(0.0, self.width as f64))
            .collect();
        let ys: Vec<f64> = (0..=n)
            .map(|j| (top + j as f64 * cell).clamp(0.0, self.height as f64))
            .collect();
        let corners: Vec<f64> = ys
            .iter()
            .flat_map(|&y| xs.iter().map(move |&x| (x, y)))
            .map(|(x, y)| self.at(x, y))
            .collect();
        let mut grid = Vec::with_capacity(n * n);
        for j in 0..n {
            for i in 0..n {
                let area = (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
                let value = if area > 1e-9 {
                    let at = |a: usize, b: usize| corners[b * (n + 1) + a];
                    (at(i + 1, j + 1) - at(i, j + 1) - at(i + 1, j) + at(i, j)) / area
                } else {
                    // Outside the plane: the nearest pixel.
                    let (x0, y0) = (left + i as f64 * cell, top + j as f64 * cell);
                    self.mean(x0, y0, x0 + cell, y0 + cell)
                };
                grid.push(value as f32);
            }
        }
        grid
    }
}

/// The grid mirrored left to right.
pub fn mirrored(grid: &[f32], n: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(grid.len());
    for row in grid.chunks(n) {
        out.extend(row.iter().rev());
    }
    out
}
