//! The kinds of copy an impostor makes of a picture (issue 9, item 1), each with parameters
//! drawn deterministically from the picture's id, and the encoding the copy is served in.
//!
//! Owns the transformations only: it never reads the detector and never decides what counts
//! as a match.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{imageops, ImageEncoder, Rgb, RgbImage, RgbaImage};

use crate::sources::{flatten, render_svg, PALETTE, SIDE};
use crate::{stable_hash, Rng};

/// Every kind of copy, in table order. Parameters are drawn per picture from its id.
pub const KINDS: [&str; 16] = [
    "jpeg q35-50",
    "down 64px, up",
    "crop side 5-15%",
    "crop centre 5-15%",
    "crop off-centre 15%",
    "round, white corners",
    "round, black corners",
    "mirror",
    "brightness +-10-15%",
    "contrast +-10-15%",
    "saturation +-10-15%",
    "border 6-10%",
    "corner badge 8-10%",
    "round white + jpeg q50",
    "crop 10% + bright + jpeg",
    "mirror + satur. + jpeg",
];

/// Stickers for the corner badge: OpenMoji symbols and flags (not among the originals), each
/// cut to the box around its drawn pixels.
pub struct Stickers(Vec<RgbaImage>);

/// Red heart, check mark button, flag of Ukraine, star, fire, rainbow flag.
const STICKER_EMOJI: [&str; 6] = [
    "2764",
    "2705",
    "1F1FA-1F1E6",
    "2B50",
    "1F525",
    "1F3F3-FE0F-200D-1F308",
];

impl Stickers {
    pub fn load(npm: &std::path::Path) -> Stickers {
        let dir = npm.join("node_modules/openmoji/color/svg");
        let list = STICKER_EMOJI
            .iter()
            .map(|hex| {
                let svg = std::fs::read(dir.join(format!("{hex}.svg"))).unwrap_or_else(|e| {
                    panic!("openmoji {hex}: {e}: run `scripts/install-deps --test`")
                });
                opaque_box(&render_svg(&svg, 256, 1.0, None, None))
            })
            .collect();
        Stickers(list)
    }
}

/// The copy of kind `kind` (an index into `KINDS`) of the picture `id`, encoded as served.
pub fn copy(kind: usize, id: &str, img: &RgbImage, stickers: &Stickers) -> Vec<u8> {
    let mut rng = Rng::new(stable_hash(format!("{id}#{}", KINDS[kind]).as_bytes()));
    match kind {
        0 => jpeg(img, 35 + rng.below(16) as u8),
        1 => {
            let small = imageops::resize(img, 64, 64, imageops::FilterType::Triangle);
            png(&imageops::resize(
                &small,
                SIDE,
                SIDE,
                imageops::FilterType::Triangle,
            ))
        }
        2 => png(&crop_side(img, rng.range(0.05, 0.15), &mut rng)),
        3 => png(&crop_centre(img, rng.range(0.05, 0.15))),
        4 => png(&crop_corner(img, 0.15, &mut rng)),
        5 => png(&round(img, [255, 255, 255], &mut rng)),
        6 => png(&round(img, [0, 0, 0], &mut rng)),
        7 => png(&imageops::flip_horizontal(img)),
        8 => png(&brightness(img, signed(&mut rng, 0.10, 0.15))),
        9 => png(&contrast(img, signed(&mut rng, 0.10, 0.15))),
        10 => png(&saturation(img, signed(&mut rng, 0.10, 0.15))),
        11 => png(&border(img, rng.range(0.06, 0.10), &mut rng)),
        12 => png(&badge(img, rng.range(0.08, 0.10), stickers, &mut rng)),
        13 => jpeg(&round(img, [255, 255, 255], &mut rng), 50),
        14 => {
            let cut = crop_side(img, 0.10, &mut rng);
            let q = 40 + rng.below(11) as u8;
            jpeg(&brightness(&cut, signed(&mut rng, 0.08, 0.12)), q)
        }
        15 => {
            let q = 40 + rng.below(11) as u8;
            jpeg(
                &saturation(
                    &imageops::flip_horizontal(img),
                    signed(&mut rng, 0.10, 0.15),
                ),
                q,
            )
        }
        _ => unreachable!("kind {kind} is not in KINDS"),
    }
}

/// 1 + or - a magnitude drawn in [lo, hi).
fn signed(rng: &mut Rng, lo: f32, hi: f32) -> f32 {
    let m = rng.range(lo, hi);
    if rng.below(2) == 0 {
        1.0 - m
    } else {
        1.0 + m
    }
}

/// PNG with fast compression: lossless, as a screenshot or an edited upload is saved.
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("PNG encoding in memory");
    out
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("JPEG encoding in memory");
    out
}

/// Cuts `share` of the picture off one side (drawn), keeping the rest as it is (not square).
fn crop_side(img: &RgbImage, share: f32, rng: &mut Rng) -> RgbImage {
    let (w, h) = img.dimensions();
    let cut_w = (w as f32 * share).round() as u32;
    let cut_h = (h as f32 * share).round() as u32;
    let (x, y, cw, ch) = match rng.below(4) {
        0 => (cut_w, 0, w - cut_w, h),
        1 => (0, 0, w - cut_w, h),
        2 => (0, cut_h, w, h - cut_h),
        _ => (0, 0, w, h - cut_h),
    };
    imageops::crop_imm(img, x, y, cw, ch).to_image()
}

/// Zooms in: keeps the centred (1 - share) of each side, back at full size.
fn crop_centre(img: &RgbImage, share: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (cw, ch) = (
        ((w as f32) * (1.0 - share)) as u32,
        ((h as f32) * (1.0 - share)) as u32,
    );
    let cut = imageops::crop_imm(img, (w - cw) / 2, (h - ch) / 2, cw, ch).to_image();
    imageops::resize(&cut, w, h, imageops::FilterType::Triangle)
}

/// Keeps (1 - share) of each side against one corner (drawn), back at full size.
fn crop_corner(img: &RgbImage, share: f32, rng: &mut Rng) -> RgbImage {
    let (w, h) = img.dimensions();
    let (cw, ch) = (
        ((w as f32) * (1.0 - share)) as u32,
        ((h as f32) * (1.0 - share)) as u32,
    );
    let corner = rng.below(4);
    let x = if corner & 1 == 0 { 0 } else { w - cw };
    let y = if corner & 2 == 0 { 0 } else { h - ch };
    let cut = imageops::crop_imm(img, x, y, cw, ch).to_image();
    imageops::resize(&cut, w, h, imageops::FilterType::Triangle)
}

/// A screenshot of the round avatar as a profile page shows it: drawn at 120-400 px, the
/// corners outside the circle in the page colour, the edge anti-aliased.
fn round(img: &RgbImage, page: [u8; 3], rng: &mut Rng) -> RgbImage {
    let side = 120 + rng.below(281) as u32;
    let small = imageops::resize(img, side, side, imageops::FilterType::Triangle);
    let r = side as f32 / 2.0;
    RgbImage::from_fn(side, side, |x, y| {
        let dx = x as f32 + 0.5 - r;
        let dy = y as f32 + 0.5 - r;
        let cover = (r - (dx * dx + dy * dy).sqrt() + 0.5).clamp(0.0, 1.0);
        let p = small.get_pixel(x, y).0;
        let mix = |c: u8, k: u8| (c as f32 * cover + k as f32 * (1.0 - cover)).round() as u8;
        Rgb([mix(p[0], page[0]), mix(p[1], page[1]), mix(p[2], page[2])])
    })
}

fn map_channels(img: &RgbImage, f: impl Fn(f32) -> f32) -> RgbImage {
    let mut lut = [0u8; 256];
    for (v, out) in lut.iter_mut().enumerate() {
        *out = (f(v as f32 / 255.0) * 255.0).round().clamp(0.0, 255.0) as u8;
    }
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0 = p.0.map(|c| lut[c as usize]);
    }
    out
}

/// CSS `brightness(k)`: every channel times k.
fn brightness(img: &RgbImage, k: f32) -> RgbImage {
    map_channels(img, |c| c * k)
}

/// CSS `contrast(k)`: every channel pushed away from (or towards) mid-grey.
fn contrast(img: &RgbImage, k: f32) -> RgbImage {
    map_channels(img, |c| (c - 0.5) * k + 0.5)
}

/// CSS `saturate(k)` (the Filter Effects luminance-preserving matrix).
fn saturation(img: &RgbImage, k: f32) -> RgbImage {
    let m = [
        [0.213 + 0.787 * k, 0.715 - 0.715 * k, 0.072 - 0.072 * k],
        [0.213 - 0.213 * k, 0.715 + 0.285 * k, 0.072 - 0.072 * k],
        [0.213 - 0.213 * k, 0.715 - 0.715 * k, 0.072 + 0.928 * k],
    ];
    let mut out = img.clone();
    for p in out.pixels_mut() {
        let [r, g, b] = p.0.map(f32::from);
        p.0 = m.map(|row| {
            (row[0] * r + row[1] * g + row[2] * b)
                .round()
                .clamp(0.0, 255.0) as u8
        });
    }
    out
}

/// A solid frame of `share` of the side on every side (colour drawn), the picture shrunk
/// inside it; the copy keeps the original's size.
fn border(img: &RgbImage, share: f32, rng: &mut Rng) -> RgbImage {
    let (w, h) = img.dimensions();
    let colour = PALETTE[rng.below(PALETTE.len() as u64) as usize];
    let pad = (w as f32 * share).round() as u32;
    let inner = imageops::resize(
        img,
        w - 2 * pad,
        h - 2 * pad,
        imageops::FilterType::Triangle,
    );
    let mut out = RgbImage::from_pixel(w, h, Rgb(colour));
    imageops::replace(&mut out, &inner, i64::from(pad), i64::from(pad));
    out
}

/// The part of a picture inside the box around its drawn (not transparent) pixels.
fn opaque_box(img: &RgbaImage) -> RgbaImage {
    let drawn = |x: u32, y: u32| img.get_pixel(x, y).0[3] > 0;
    let (w, h) = img.dimensions();
    let xs: Vec<u32> = (0..w).filter(|&x| (0..h).any(|y| drawn(x, y))).collect();
    let ys: Vec<u32> = (0..h).filter(|&y| (0..w).any(|x| drawn(x, y))).collect();
    match (xs.first(), xs.last(), ys.first(), ys.last()) {
        (Some(&x0), Some(&x1), Some(&y0), Some(&y1)) => {
            imageops::crop_imm(img, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image()
        }
        _ => img.clone(),
    }
}

/// A sticker whose box covers `area` of the picture, near a corner (drawn): an emoji, or a
/// flat coloured disc with a white ring like a notification badge.
fn badge(img: &RgbImage, area: f32, stickers: &Stickers, rng: &mut Rng) -> RgbImage {
    let (w, h) = img.dimensions();
    let margin = (w as f32 * 0.03) as u32;
    let pick = rng.below(stickers.0.len() as u64 + 2) as usize;
    let box_area = area * (w * h) as f32;
    let sticker = match stickers.0.get(pick) {
        Some(emoji) => {
            let aspect = emoji.width() as f32 / emoji.height() as f32;
            let sh = (box_area / aspect).sqrt();
            let sw = (sh * aspect).round() as u32;
            imageops::resize(emoji, sw, sh.round() as u32, imageops::FilterType::Triangle)
        }
        None => disc(
            box_area.sqrt().round() as u32,
            PALETTE[2 + rng.below(6) as usize],
        ),
    };
    let corner = rng.below(4);
    let x = if corner & 1 == 0 {
        margin
    } else {
        w - sticker.width() - margin
    };
    let y = if corner & 2 == 0 {
        margin
    } else {
        h - sticker.height() - margin
    };
    let mut out = image::DynamicImage::ImageRgb8(img.clone()).to_rgba8();
    imageops::overlay(&mut out, &sticker, i64::from(x), i64::from(y));
    flatten(&out, [0, 0, 0])
}

fn disc(side: u32, colour: [u8; 3]) -> RgbaImage {
    let r = side as f32 / 2.0;
    RgbaImage::from_fn(side, side, |x, y| {
        let dx = x as f32 + 0.5 - r;
        let dy = y as f32 + 0.5 - r;
        let d = (dx * dx + dy * dy).sqrt();
        let alpha = (r - d + 0.5).clamp(0.0, 1.0);
        let c = if d > r * 0.82 {
            [255, 255, 255]
        } else {
            colour
        };
        image::Rgba([c[0], c[1], c[2], (alpha * 255.0).round() as u8])
    })
}
