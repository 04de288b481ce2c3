//! Test images for the avatar signal, generated in code: "photo-like" pictures (a gradient, soft
//! shapes, a face-like ellipse and sensor noise; each seed is a different "person"), the
//! transformations an impostor applies, and the plain images that must never match (platform
//! default silhouettes, flat logos, single colours).
#![allow(dead_code)]

pub mod art;
pub mod copies;

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// Small deterministic generator (SplitMix64) so images are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }
    pub fn colour(&mut self) -> [f32; 3] {
        [
            self.range(0.0, 255.0),
            self.range(0.0, 255.0),
            self.range(0.0, 255.0),
        ]
    }
}

/// A soft ellipse of the photo-like generator.
struct Blob {
    centre: [f32; 2],
    radii: [f32; 2],
    angle: f32,
    colour: [f32; 3],
    opacity: f32,
}

/// A photo-like avatar of `size` x `size` pixels; different seeds are unrelated "people".
pub fn photo(seed: u64, size: u32) -> RgbImage {
    let mut rng = Rng::new(seed);
    let s = size as f32;
    let (top, bottom) = (rng.colour(), rng.colour());
    let tilt = rng.range(-0.5, 0.5);
    // Soft shapes: ellipses with a colour and a feathered edge.
    let shapes: Vec<Blob> = (0..14)
        .map(|_| Blob {
            centre: [rng.range(-0.1, 1.1) * s, rng.range(-0.1, 1.1) * s],
            radii: [rng.range(0.05, 0.35) * s, rng.range(0.05, 0.35) * s],
            angle: rng.range(0.0, std::f32::consts::PI),
            colour: rng.colour(),
            opacity: rng.range(0.4, 0.9),
        })
        .collect();
    // A face-like ellipse near the centre with two darker "eyes".
    let face = rng.colour();
    let face_centre = [rng.range(0.4, 0.6) * s, rng.range(0.4, 0.55) * s];
    let face_radii = [rng.range(0.18, 0.26) * s, rng.range(0.24, 0.32) * s];
    let mut noise = Rng::new(seed ^ 0xA5A5);
    RgbImage::from_fn(size, size, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let t = ((fy + tilt * fx) / s).clamp(0.0, 1.0);
        let mut c = [0f32; 3];
        for k in 0..3 {
            c[k] = top[k] * (1.0 - t) + bottom[k] * t;
        }
        for blob in &shapes {
            let (dx, dy) = (fx - blob.centre[0], fy - blob.centre[1]);
            let (ca, sa) = (blob.angle.cos(), blob.angle.sin());
            let (u, v) = (
                (dx * ca + dy * sa) / blob.radii[0],
                (-dx * sa + dy * ca) / blob.radii[1],
            );
            let r = (u * u + v * v).sqrt();
            let alpha = blob.opacity * (1.0 - ((r - 0.85) / 0.3).clamp(0.0, 1.0));
            for (channel, colour) in c.iter_mut().zip(blob.colour) {
                *channel = *channel * (1.0 - alpha) + colour * alpha;
            }
        }
        let (u, v) = (
            (fx - face_centre[0]) / face_radii[0],
            (fy - face_centre[1]) / face_radii[1],
        );
        let r = (u * u + v * v).sqrt();
        let alpha = 1.0 - ((r - 0.9) / 0.15).clamp(0.0, 1.0);
        let shade = 0.75 + 0.25 * (1.0 - r.min(1.0));
        for k in 0..3 {
            c[k] = c[k] * (1.0 - alpha) + face[k] * shade * alpha;
        }
        for eye in [-0.35f32, 0.35] {
            let (ex, ey) = (u - eye, v + 0.2);
            if ex * ex + ey * ey < 0.018 {
                for v in c.iter_mut() {
                    *v *= 0.3;
                }
            }
        }
        let grain = (noise.unit() - 0.5) * 24.0;
        Rgb(c.map(|v| (v + grain).clamp(0.0, 255.0) as u8))
    })
}

/// Encodes as PNG.
pub fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image.clone())
        .write_to(&mut out, ImageFormat::Png)
        .expect("PNG encoding of a test image");
    out.into_inner()
}

/// Encodes as JPEG at `quality` (1..=100).
pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("JPEG encoding of a test image");
    out
}

pub fn resize(image: &RgbImage, size: u32) -> RgbImage {
    imageops::resize(image, size, size, FilterType::Triangle)
}

pub fn mirror(image: &RgbImage) -> RgbImage {
    imageops::flip_horizontal(image)
}

/// Crops `left`, `top`, `right`, `bottom` fractions off and scales back to the original size (what
/// a platform does after a user crops in its editor).
pub fn crop(image: &RgbImage, left: f32, top: f32, right: f32, bottom: f32) -> RgbImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let x = (left * w) as u32;
    let y = (top * h) as u32;
    let cw = ((1.0 - left - right) * w) as u32;
    let ch = ((1.0 - top - bottom) * h) as u32;
    let cropped = imageops::crop_imm(image, x, y, cw, ch).to_image();
    let side = cw.min(ch);
    // Non-square crops are re-squared the way platforms do: centre square.
    let square =
        imageops::crop_imm(&cropped, (cw - side) / 2, (ch - side) / 2, side, side).to_image();
    imageops::resize(&square, image.width(), image.height(), FilterType::Triangle)
}

/// Tone change per channel: out = 255 * ((in / 255) ^ gamma) * contrast around mid grey + brightness.
pub fn tone(image: &RgbImage, brightness: f32, contrast: f32, gamma: f32) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for v in p.0.iter_mut() {
            let g = 255.0 * (f32::from(*v) / 255.0).powf(gamma);
            *v = ((g - 128.0) * contrast + 128.0 + brightness).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Scales saturation (1.0 = unchanged) around each pixel's luma.
pub fn saturate(image: &RgbImage, factor: f32) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        let [r, g, b] = p.0.map(f32::from);
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        p.0 = [r, g, b].map(|c| (y + (c - y) * factor).clamp(0.0, 255.0) as u8);
    }
    out
}

/// A screenshot of the round avatar: the picture inside the inscribed circle, `corner` outside,
/// anti-aliased over one pixel.
pub fn circle(image: &RgbImage, corner: [u8; 3]) -> RgbImage {
    let mut out = image.clone();
    let (w, h) = (image.width() as f32, image.height() as f32);
    let radius = w.min(h) / 2.0;
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 + 0.5 - w / 2.0, y as f32 + 0.5 - h / 2.0);
        let outside = ((dx * dx + dy * dy).sqrt() - radius + 0.5).clamp(0.0, 1.0);
        for (channel, corner) in p.0.iter_mut().zip(corner) {
            *channel = (f32::from(*channel) * (1.0 - outside) + f32::from(corner) * outside) as u8;
        }
    }
    out
}

/// The round avatar saved with transparent corners (RGBA PNG).
pub fn round_transparent_png(image: &RgbImage) -> Vec<u8> {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let radius = w.min(h) / 2.0;
    let rgba = image::RgbaImage::from_fn(image.width(), image.height(), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - w / 2.0, y as f32 + 0.5 - h / 2.0);
        let inside = 1.0 - ((dx * dx + dy * dy).sqrt() - radius + 0.5).clamp(0.0, 1.0);
        let [r, g, b] = image.get_pixel(x, y).0;
        image::Rgba([r, g, b, (inside * 255.0) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(rgba)
        .write_to(&mut out, ImageFormat::Png)
        .expect("PNG encoding of a test image");
    out.into_inner()
}

/// The picture in shades of grey (a black-and-white photo), still as RGB.
pub fn greyscale(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        let [r, g, b] = p.0.map(f32::from);
        let y = (0.299 * r + 0.587 * g + 0.114 * b) as u8;
        p.0 = [y, y, y];
    }
    out
}

/// A platform-style default avatar: flat background and a head-and-shoulders silhouette.
pub fn default_silhouette(size: u32, background: [u8; 3], figure: [u8; 3], head: f32) -> RgbImage {
    let s = size as f32;
    RgbImage::from_fn(size, size, |x, y| {
        let (fx, fy) = (x as f32 / s, y as f32 / s);
        let in_head = (fx - 0.5).powi(2) + (fy - 0.38).powi(2) < head * head;
        let (sx, sy) = ((fx - 0.5) / 0.36, (fy - 1.02) / 0.3);
        let in_shoulders = sx * sx + sy * sy < 1.0;
        Rgb(if in_head || in_shoulders {
            figure
        } else {
            background
        })
    })
}

/// The default avatars of the three platforms, approximated (flat colours, simple silhouettes).
pub fn default_avatars(size: u32) -> Vec<(&'static str, RgbImage)> {
    vec![
        (
            "bluesky-default",
            default_silhouette(size, [0, 112, 255], [255, 255, 255], 0.17),
        ),
        (
            "mastodon-default",
            default_silhouette(size, [217, 225, 232], [151, 160, 170], 0.16),
        ),
        (
            "x-default",
            default_silhouette(size, [204, 214, 221], [255, 255, 255], 0.18),
        ),
        (
            "dark-default",
            default_silhouette(size, [40, 40, 48], [120, 120, 130], 0.15),
        ),
    ]
}

/// Flat logos: a few flat colour shapes on a flat background, a single colour, a two-colour
/// gradient.
pub fn flat_logos(size: u32) -> Vec<(&'static str, RgbImage)> {
    let s = size as f32;
    let ring = RgbImage::from_fn(size, size, |x, y| {
        let (dx, dy) = (x as f32 / s - 0.5, y as f32 / s - 0.5);
        let r = (dx * dx + dy * dy).sqrt();
        Rgb(if (0.18..0.3).contains(&r) {
            [230, 40, 40]
        } else if r < 0.1 {
            [20, 20, 20]
        } else {
            [250, 250, 250]
        })
    });
    let bars = RgbImage::from_fn(size, size, |x, y| {
        let (fx, fy) = (x as f32 / s, y as f32 / s);
        Rgb(if (0.3..0.42).contains(&fx) && (0.2..0.8).contains(&fy) {
            [255, 200, 0]
        } else if (0.55..0.7).contains(&fx) && (0.35..0.8).contains(&fy) {
            [0, 120, 60]
        } else {
            [15, 30, 80]
        })
    });
    let letter = RgbImage::from_fn(size, size, |x, y| {
        let (fx, fy) = (x as f32 / s, y as f32 / s);
        // A blocky "N".
        let stem = (0.3..0.4).contains(&fx) || (0.6..0.7).contains(&fx);
        let diagonal = ((fx - 0.3) - (fy - 0.25) * 0.67).abs() < 0.06 && fx < 0.7;
        Rgb(if (0.25..0.75).contains(&fy) && (stem || diagonal) {
            [255, 255, 255]
        } else {
            [120, 30, 160]
        })
    });
    let gradient = RgbImage::from_fn(size, size, |x, _| {
        let t = x as f32 / s;
        Rgb([
            (255.0 * t) as u8,
            (60.0 + 100.0 * t) as u8,
            (255.0 * (1.0 - t)) as u8,
        ])
    });
    vec![
        ("flat-ring-logo", ring),
        ("flat-bars-logo", bars),
        ("flat-letter-logo", letter),
        (
            "single-colour",
            RgbImage::from_pixel(size, size, Rgb([30, 144, 255])),
        ),
        ("two-colour-gradient", gradient),
    ]
}

/// A named transformation an impostor applies to the person's avatar, producing encoded bytes.
pub type Transform = (&'static str, fn(&RgbImage) -> Vec<u8>);

/// Every transformation of the issue, each producing the bytes a platform would serve.
pub fn transformations() -> Vec<Transform> {
    vec![
        ("identical png", |i| png(i)),
        ("jpeg q95", |i| jpeg(i, 95)),
        ("jpeg q75", |i| jpeg(i, 75)),
        ("jpeg q50", |i| jpeg(i, 50)),
        ("jpeg q30", |i| jpeg(i, 30)),
        ("resize 48px jpeg q85", |i| jpeg(&resize(i, 48), 85)),
        ("resize 64px png", |i| png(&resize(i, 64))),
        ("resize 128px jpeg q75", |i| jpeg(&resize(i, 128), 75)),
        ("resize 1024px jpeg q85", |i| jpeg(&resize(i, 1024), 85)),
        ("brightness +40", |i| png(&tone(i, 40.0, 1.0, 1.0))),
        ("brightness -40", |i| png(&tone(i, -40.0, 1.0, 1.0))),
        ("contrast x1.4", |i| png(&tone(i, 0.0, 1.4, 1.0))),
        ("contrast x0.6", |i| png(&tone(i, 0.0, 0.6, 1.0))),
        ("gamma 0.6", |i| png(&tone(i, 0.0, 1.0, 0.6))),
        ("gamma 1.6", |i| png(&tone(i, 0.0, 1.0, 1.6))),
        ("saturation x0.7", |i| png(&saturate(i, 0.7))),
        ("saturation x1.3", |i| png(&saturate(i, 1.3))),
        ("mirrored", |i| png(&mirror(i))),
        ("crop 5% centred", |i| {
            png(&crop(i, 0.025, 0.025, 0.025, 0.025))
        }),
        ("crop 10% centred", |i| {
            png(&crop(i, 0.05, 0.05, 0.05, 0.05))
        }),
        ("crop 7% left", |i| png(&crop(i, 0.07, 0.0, 0.0, 0.0))),
        ("crop 10% top", |i| png(&crop(i, 0.0, 0.1, 0.0, 0.0))),
        ("crop 8% top-left", |i| png(&crop(i, 0.08, 0.08, 0.0, 0.0))),
        ("crop 6% bottom-right", |i| {
            png(&crop(i, 0.0, 0.0, 0.06, 0.06))
        }),
        ("round screenshot white", |i| {
            png(&circle(i, [255, 255, 255]))
        }),
        ("round screenshot black", |i| png(&circle(i, [0, 0, 0]))),
        ("round png, transparent corners", |i| {
            round_transparent_png(i)
        }),
        ("round white 200px jpeg q70", |i| {
            jpeg(&resize(&circle(i, [255, 255, 255]), 200), 70)
        }),
        ("mirror+crop 7%+jpeg q60", |i| {
            jpeg(&mirror(&crop(i, 0.07, 0.0, 0.0, 0.0)), 60)
        }),
        ("crop 5%+round black+gamma 1.3", |i| {
            png(&tone(
                &circle(&crop(i, 0.05, 0.0, 0.0, 0.0), [0, 0, 0]),
                0.0,
                1.0,
                1.3,
            ))
        }),
    ]
}
