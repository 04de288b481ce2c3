//! The copies an impostor makes of any kind of picture (RGBA, so emoji keep their transparency):
//! re-encoding, downscaling, crops from a side, the centre or off-centre, round screenshots,
//! mirroring, tone and saturation changes, added borders and padding, and a badge or sticker
//! over a corner. Each copy is the bytes a platform would serve.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::art::{render, Fill, Layer, Shape};

/// The picture over a flat colour (what a JPEG export or a screenshot does to transparency).
pub fn flatten(image: &RgbaImage, background: [u8; 3]) -> RgbImage {
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let [r, g, b, a] = image.get_pixel(x, y).0;
        let a = f32::from(a) / 255.0;
        let mix = |c: u8, bg: u8| (f32::from(c) * a + f32::from(bg) * (1.0 - a)).round() as u8;
        Rgb([
            mix(r, background[0]),
            mix(g, background[1]),
            mix(b, background[2]),
        ])
    })
}

/// PNG, keeping transparency when there is any.
pub fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let dynamic = if image.pixels().all(|p| p.0[3] == 255) {
        DynamicImage::ImageRgb8(flatten(image, [255, 255, 255]))
    } else {
        DynamicImage::ImageRgba8(image.clone())
    };
    dynamic
        .write_to(&mut out, ImageFormat::Png)
        .expect("PNG encoding of a test image");
    out.into_inner()
}

/// JPEG at `quality`, transparency flattened over white.
pub fn jpeg_rgba(image: &RgbaImage, quality: u8) -> Vec<u8> {
    jpeg_over(image, quality, [255, 255, 255])
}

/// JPEG at `quality`, transparency flattened over `background`.
pub fn jpeg_over(image: &RgbaImage, quality: u8, background: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&flatten(image, background))
        .expect("JPEG encoding of a test image");
    out
}

pub fn resized(image: &RgbaImage, size: u32) -> RgbaImage {
    imageops::resize(image, size, size, FilterType::Triangle)
}

/// Down to `small` pixels and back up to the original size.
pub fn down_and_up(image: &RgbaImage, small: u32) -> RgbaImage {
    imageops::resize(
        &resized(image, small),
        image.width(),
        image.height(),
        FilterType::CatmullRom,
    )
}

pub fn mirrored(image: &RgbaImage) -> RgbaImage {
    imageops::flip_horizontal(image)
}

/// Crops the fractions off each side, takes the centre square of what is left (as platforms
/// do) and scales it back to the original size.
pub fn cropped(image: &RgbaImage, left: f32, top: f32, right: f32, bottom: f32) -> RgbaImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let (x, y) = ((left * w).round() as u32, (top * h).round() as u32);
    let cw = ((1.0 - left - right) * w).round() as u32;
    let ch = ((1.0 - top - bottom) * h).round() as u32;
    let part = imageops::crop_imm(image, x, y, cw, ch).to_image();
    let side = cw.min(ch);
    let square = imageops::crop_imm(&part, (cw - side) / 2, (ch - side) / 2, side, side).to_image();
    imageops::resize(&square, image.width(), image.height(), FilterType::Triangle)
}

/// The round avatar as a screenshot: `corner` outside the inscribed circle (None: transparent).
pub fn round(image: &RgbaImage, corner: Option<[u8; 3]>) -> RgbaImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let radius = w.min(h) / 2.0;
    let flat = corner.map(|c| flatten(image, c));
    RgbaImage::from_fn(image.width(), image.height(), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - w / 2.0, y as f32 + 0.5 - h / 2.0);
        let outside = ((dx * dx + dy * dy).sqrt() - radius + 0.5).clamp(0.0, 1.0);
        match (corner, &flat) {
            (Some(c), Some(flat)) => {
                let p = flat.get_pixel(x, y).0;
                let mix = |k: usize| {
                    (f32::from(p[k]) * (1.0 - outside) + f32::from(c[k]) * outside).round() as u8
                };
                Rgba([mix(0), mix(1), mix(2), 255])
            }
            _ => {
                let mut p = *image.get_pixel(x, y);
                p.0[3] = (f32::from(p.0[3]) * (1.0 - outside)).round() as u8;
                p
            }
        }
    })
}

/// Per channel: out = (in - 128) * contrast + 128, then * gain, then + offset.
pub fn toned(image: &RgbaImage, gain: f32, offset: f32, contrast: f32) -> RgbaImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for v in p.0[..3].iter_mut() {
            let c = (f32::from(*v) - 128.0) * contrast + 128.0;
            *v = (c * gain + offset).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Scales saturation around each pixel's luma (1.0 = unchanged).
pub fn saturated(image: &RgbaImage, factor: f32) -> RgbaImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        let [r, g, b] = [p.0[0], p.0[1], p.0[2]].map(f32::from);
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        for (k, c) in [r, g, b].into_iter().enumerate() {
            p.0[k] = (y + (c - y) * factor).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// The picture shrunk inside a frame `fraction` of the side wide on every side, `colour` (None:
/// transparent padding), at the original size.
pub fn bordered(image: &RgbaImage, fraction: f32, colour: Option<[u8; 3]>) -> RgbaImage {
    let s = image.width();
    let inner = ((s as f32) / (1.0 + 2.0 * fraction)).round() as u32;
    let small = imageops::resize(image, inner, inner, FilterType::Triangle);
    let fill = colour.map_or(Rgba([0, 0, 0, 0]), |[r, g, b]| Rgba([r, g, b, 255]));
    let mut out = RgbaImage::from_pixel(s, s, fill);
    let offset = i64::from((s - inner) / 2);
    imageops::overlay(&mut out, &small, offset, offset);
    out
}

/// Which corner a badge covers.
#[derive(Debug, Clone, Copy)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// A sticker over a corner covering about `area` of the picture: a disc with a white rim and a
/// check-like mark (a "verified" or flag sticker), or a rounded square with a bar.
pub fn badged(
    image: &RgbaImage,
    corner: Corner,
    area: f32,
    colour: [f32; 3],
    disc: bool,
) -> RgbaImage {
    let s = image.width();
    let (r, inset) = if disc {
        ((area / std::f32::consts::PI).sqrt(), 0.01)
    } else {
        (area.sqrt() / 2.0, 0.0)
    };
    let (cx, cy) = match corner {
        Corner::TopLeft => (inset + r, inset + r),
        Corner::TopRight => (1.0 - inset - r, inset + r),
        Corner::BottomLeft => (inset + r, 1.0 - inset - r),
        Corner::BottomRight => (1.0 - inset - r, 1.0 - inset - r),
    };
    let white = [255.0, 255.0, 255.0];
    let layers = if disc {
        vec![
            Layer::new(Shape::Ellipse([cx, cy], [r, r], 0.0), white),
            Layer::new(Shape::Ellipse([cx, cy], [r * 0.86, r * 0.86], 0.0), colour),
            Layer::new(
                Shape::Capsule([cx - r * 0.4, cy], [cx - r * 0.1, cy + r * 0.3], r * 0.1),
                white,
            ),
            Layer::new(
                Shape::Capsule(
                    [cx - r * 0.1, cy + r * 0.3],
                    [cx + r * 0.45, cy - r * 0.35],
                    r * 0.1,
                ),
                white,
            ),
        ]
    } else {
        vec![
            Layer::new(Shape::RoundRect([cx, cy], [r, r], r * 0.2), colour),
            Layer::new(
                Shape::RoundRect([cx, cy], [r * 0.6, r * 0.15], r * 0.1),
                white,
            ),
        ]
    };
    let sticker = render(s, None::<Fill>, &layers);
    let mut out = image.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let q = sticker.get_pixel(x, y).0;
        let a = f32::from(q[3]) / 255.0;
        if a > 0.0 {
            let base = f32::from(p.0[3]) / 255.0;
            let alpha = a + base * (1.0 - a);
            for (channel, &over) in p.0.iter_mut().zip(&q).take(3) {
                let c = (f32::from(over) * a + f32::from(*channel) * base * (1.0 - a)) / alpha;
                *channel = c.round().clamp(0.0, 255.0) as u8;
            }
            p.0[3] = (alpha * 255.0).round() as u8;
        }
    }
    out
}

/// A named copy: the bytes served for a picture.
pub type CopyKind = (&'static str, fn(&RgbaImage) -> Vec<u8>);

/// Every kind of copy the evaluation measures, one transformation at a time (plus a few
/// combinations at the end).
pub fn copies() -> Vec<CopyKind> {
    const RED: [f32; 3] = [220.0, 40.0, 40.0];
    const BLUE: [f32; 3] = [30.0, 120.0, 230.0];
    vec![
        ("png", |i| png_rgba(i)),
        ("jpeg q75", |i| jpeg_rgba(i, 75)),
        ("jpeg q50", |i| jpeg_rgba(i, 50)),
        ("jpeg q35", |i| jpeg_rgba(i, 35)),
        ("jpeg q80 over black", |i| jpeg_over(i, 80, [0, 0, 0])),
        ("64px", |i| png_rgba(&resized(i, 64))),
        ("64px and back, jpeg q75", |i| {
            jpeg_rgba(&down_and_up(i, 64), 75)
        }),
        ("crop 15% left", |i| {
            png_rgba(&cropped(i, 0.15, 0.0, 0.0, 0.0))
        }),
        ("crop 15% right", |i| {
            png_rgba(&cropped(i, 0.0, 0.0, 0.15, 0.0))
        }),
        ("crop 15% top", |i| {
            png_rgba(&cropped(i, 0.0, 0.15, 0.0, 0.0))
        }),
        ("crop 15% bottom", |i| {
            png_rgba(&cropped(i, 0.0, 0.0, 0.0, 0.15))
        }),
        ("crop 15% centred", |i| {
            png_rgba(&cropped(i, 0.075, 0.075, 0.075, 0.075))
        }),
        ("crop 15% off-centre", |i| {
            png_rgba(&cropped(i, 0.1, 0.03, 0.05, 0.12))
        }),
        ("crop 12% top-left", |i| {
            png_rgba(&cropped(i, 0.12, 0.12, 0.0, 0.0))
        }),
        ("round, white corners", |i| {
            png_rgba(&round(i, Some([255, 255, 255])))
        }),
        ("round, black corners", |i| {
            png_rgba(&round(i, Some([0, 0, 0])))
        }),
        ("round, transparent corners", |i| png_rgba(&round(i, None))),
        ("mirrored", |i| png_rgba(&mirrored(i))),
        ("brightness +15%", |i| png_rgba(&toned(i, 1.15, 0.0, 1.0))),
        ("brightness -15%", |i| png_rgba(&toned(i, 0.85, 0.0, 1.0))),
        ("brightness +38", |i| png_rgba(&toned(i, 1.0, 38.0, 1.0))),
        ("contrast +15%", |i| png_rgba(&toned(i, 1.0, 0.0, 1.15))),
        ("contrast -15%", |i| png_rgba(&toned(i, 1.0, 0.0, 0.85))),
        ("saturation +15%", |i| png_rgba(&saturated(i, 1.15))),
        ("saturation -15%", |i| png_rgba(&saturated(i, 0.85))),
        ("border 8% white", |i| {
            png_rgba(&bordered(i, 0.08, Some([255, 255, 255])))
        }),
        ("border 8% black", |i| {
            png_rgba(&bordered(i, 0.08, Some([0, 0, 0])))
        }),
        ("border 8% colour", |i| {
            let shown = super::art::opaque(&flatten(i, [255, 255, 255]));
            jpeg_rgba(&bordered(&shown, 0.08, Some([200, 30, 90])), 85)
        }),
        ("padding 8% transparent", |i| {
            png_rgba(&bordered(i, 0.08, None))
        }),
        ("badge 10% bottom-right", |i| {
            png_rgba(&badged(i, Corner::BottomRight, 0.1, BLUE, true))
        }),
        ("badge 10% top-left", |i| {
            png_rgba(&badged(i, Corner::TopLeft, 0.1, RED, true))
        }),
        ("sticker 10% top-right", |i| {
            png_rgba(&badged(i, Corner::TopRight, 0.1, RED, false))
        }),
        ("sticker 10% bottom-left", |i| {
            jpeg_rgba(&badged(i, Corner::BottomLeft, 0.1, BLUE, false), 80)
        }),
        ("mirror, crop 10%, jpeg q60", |i| {
            jpeg_rgba(&mirrored(&cropped(i, 0.1, 0.0, 0.0, 0.0)), 60)
        }),
        ("round black, crop 6%, jpeg q50", |i| {
            jpeg_rgba(
                &round(&cropped(i, 0.0, 0.06, 0.0, 0.0), Some([0, 0, 0])),
                50,
            )
        }),
        ("border 6%, tone, jpeg q60", |i| {
            jpeg_rgba(
                &toned(&bordered(i, 0.06, Some([255, 255, 255])), 0.9, 0.0, 1.1),
                60,
            )
        }),
    ]
}
