//! Bounded decoding of untrusted avatar bytes into small luma and colour-difference planes.
//!
//! Avatars come from the network, so every step is bounded: the byte length, the dimensions the
//! header claims (checked before any pixel buffer is allocated), and the decoder's own allocation
//! budget. The decoded image is then reduced to at most [`WORKING_SIZE`] pixels on its long side,
//! which is all the perceptual hash needs and keeps later steps cheap whatever the input size.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::AvatarError;

/// Largest input accepted, in bytes. Platform avatars are well below 2 MiB.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Largest width or height accepted, in pixels, as claimed by the image header.
pub const MAX_DIMENSION: u32 = 4096;
/// Allocation budget handed to the decoder.
pub const MAX_DECODE_ALLOC: u64 = 80 * 1024 * 1024;
/// Smallest width or height that still carries enough detail to compare.
pub const MIN_DIMENSION: u32 = 16;
/// Long side of the reduced luma plane the hashes are computed from.
pub const WORKING_SIZE: u32 = 256;

/// A grayscale plane reduced from the decoded image, plus what the header said.
#[derive(Debug, Clone)]
pub struct LumaPlane {
    /// Width of `data` in working pixels.
    pub width: usize,
    /// Height of `data` in working pixels.
    pub height: usize,
    /// The image's true width expressed in working pixels (may be fractional: the last block
    /// of a reduction can be partial).
    pub extent_x: f64,
    /// The image's true height expressed in working pixels.
    pub extent_y: f64,
    /// Row-major luma, 0..255, alpha composited over white.
    pub data: Vec<f32>,
    /// Row-major B - Y colour difference (-255..255), same layout.
    pub blue_difference: Vec<f32>,
    /// Row-major R - Y colour difference (-255..255), same layout.
    pub red_difference: Vec<f32>,
    /// Row-major mean opacity (0 transparent .. 1 opaque), same layout.
    pub coverage: Vec<f32>,
    /// Original width in pixels.
    pub source_width: u32,
    /// Original height in pixels.
    pub source_height: u32,
    /// Detected container format.
    pub format: ImageFormat,
}

/// Decodes `bytes` within the bounds above and reduces the result to a luma plane.
pub fn decode_luma(bytes: &[u8]) -> Result<LumaPlane, AvatarError> {
    let (decoded, format) = decode_image(bytes)?;
    Ok(reduce(&decoded, format))
}

/// Decodes `bytes` within the bounds above (also used for the thumbnails the app shows, so
/// there is one decoder with one set of limits).
pub fn decode_image(bytes: &[u8]) -> Result<(DynamicImage, ImageFormat), AvatarError> {
    if bytes.is_empty() {
        return Err(AvatarError::Empty);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(AvatarError::InputTooLarge {
            bytes: bytes.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let format = guess_format(bytes)?;

    // First pass: read only the header, so a file that claims 60000x60000 pixels is refused
    // before a single pixel buffer exists.
    let (width, height) = reader(bytes, format).into_dimensions().map_err(|e| {
        AvatarError::Decode(format!("{} header: {}", format_name(format), tidy(&e)))
    })?;
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(AvatarError::TooLarge {
            width,
            height,
            max: MAX_DIMENSION,
        });
    }
    if width < MIN_DIMENSION || height < MIN_DIMENSION {
        return Err(AvatarError::TooSmall {
            width,
            height,
            min: MIN_DIMENSION,
        });
    }

    // Second pass: decode under limits. Animated GIF/WebP decode to their first frame.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = reader(bytes, format);
    reader.limits(limits);
    // Decoders are fuzzed upstream, but a panic on hostile bytes must not take the scan down.
    let decoded = std::panic::catch_unwind(move || -> Result<DynamicImage, image::ImageError> {
        let decoder = reader.into_decoder()?;
        let (w, h) = decoder.dimensions();
        if w != width || h != height {
            return Err(image::ImageError::Decoding(
                image::error::DecodingError::from_format_hint(
                    image::error::ImageFormatHint::Exact(format),
                ),
            ));
        }
        DynamicImage::from_decoder(decoder)
    })
    .map_err(|_| AvatarError::Decode(format!("the {} decoder failed", format_name(format))))?
    .map_err(|e| AvatarError::Decode(format!("{}: {}", format_name(format), tidy(&e))))?;
    Ok((decoded, format))
}

/// A decoder's message on one line (some end theirs with a newline).
fn tidy(error: &image::ImageError) -> String {
    error.to_string().trim().replace('\n', "; ")
}

/// A reader over the bytes with the format already decided.
fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    ImageReader::with_format(Cursor::new(bytes), format)
}

/// Recognises the supported formats by their magic bytes, and names the common unsupported ones
/// so the error says what to do.
fn guess_format(bytes: &[u8]) -> Result<ImageFormat, AvatarError> {
    let supported = [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::Gif,
        ImageFormat::WebP,
        ImageFormat::Bmp,
    ];
    match image::guess_format(bytes) {
        Ok(format) if supported.contains(&format) => Ok(format),
        Ok(format) => Err(AvatarError::Unsupported(format!(
            "{format:?} images are not supported; use PNG, JPEG, GIF, WebP or BMP"
        ))),
        Err(_) => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
            if head.contains("<svg")
                || (head.trim_start().starts_with("<?xml") && head.contains("svg"))
            {
                Err(AvatarError::Unsupported(
                    "SVG (vector) images are not supported; export the avatar as PNG or JPEG"
                        .into(),
                ))
            } else if head.trim_start().starts_with('<') {
                Err(AvatarError::Unsupported(
                    "this is a text/HTML document, not an image (an error page instead of the avatar?)".into(),
                ))
            } else {
                Err(AvatarError::Unsupported(
                    "unknown image format; use PNG, JPEG, GIF, WebP or BMP".into(),
                ))
            }
        }
    }
}

/// Human name of a format for messages and the CLI.
pub fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Gif => "gif",
        ImageFormat::WebP => "webp",
        ImageFormat::Bmp => "bmp",
        _ => "other",
    }
}

/// Rec. 601 luma and the two colour differences (B - Y, R - Y) of an sRGB pixel, alpha
/// composited over white (how a web page shows a transparent avatar; white has no colour), and
/// the opacity.
fn ycc(r: f32, g: f32, b: f32, a: f32) -> [f32; 4] {
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    [y * a + 255.0 * (1.0 - a), (b - y) * a, (r - y) * a, a]
}

fn rgba_ycc(p: &[u8]) -> [f32; 4] {
    ycc(
        f32::from(p[0]),
        f32::from(p[1]),
        f32::from(p[2]),
        f32::from(p[3]) / 255.0,
    )
}

/// Box-reduces the image by an integer factor so its long side is at most [`WORKING_SIZE`].
fn reduce(image: &DynamicImage, format: ImageFormat) -> LumaPlane {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let factor = (w.max(h)).div_ceil(WORKING_SIZE as usize).max(1);
    let (rw, rh) = (w.div_ceil(factor), h.div_ceil(factor));
    let mut sum = vec![[0f32; 4]; rw * rh];
    let mut count = vec![0u32; rw * rh];
    // Block column of every pixel column, computed once (no division per pixel).
    let block_of: Vec<usize> = (0..w).map(|x| x / factor).collect();
    // Adds every pixel of a row-major buffer with `channels` bytes per pixel.
    let mut accumulate = |raw: &[u8], channels: usize, to_ycc: &dyn Fn(&[u8]) -> [f32; 4]| {
        for (y, row) in raw.chunks_exact(w * channels).enumerate().take(h) {
            let base = (y / factor) * rw;
            for (pixel, &block) in row.chunks_exact(channels).zip(&block_of) {
                let value = to_ycc(pixel);
                let cell = &mut sum[base + block];
                cell[0] += value[0];
                cell[1] += value[1];
                cell[2] += value[2];
                cell[3] += value[3];
                count[base + block] += 1;
            }
        }
    };
    match image {
        DynamicImage::ImageLuma8(buf) => {
            accumulate(buf.as_raw(), 1, &|p| [f32::from(p[0]), 0.0, 0.0, 1.0]);
        }
        DynamicImage::ImageLumaA8(buf) => {
            accumulate(buf.as_raw(), 2, &|p| {
                let v = f32::from(p[0]);
                ycc(v, v, v, f32::from(p[1]) / 255.0)
            });
        }
        DynamicImage::ImageRgb8(buf) => {
            accumulate(buf.as_raw(), 3, &|p| {
                ycc(f32::from(p[0]), f32::from(p[1]), f32::from(p[2]), 1.0)
            });
        }
        DynamicImage::ImageRgba8(buf) => {
            accumulate(buf.as_raw(), 4, &rgba_ycc);
        }
        other => {
            // 16-bit and float images are rare for avatars; convert once.
            accumulate(other.to_rgba8().as_raw(), 4, &rgba_ycc);
        }
    }
    let channel = |k: usize, empty: f32| -> Vec<f32> {
        sum.iter()
            .zip(&count)
            .map(|(s, &n)| if n == 0 { empty } else { s[k] / n as f32 })
            .collect()
    };
    LumaPlane {
        width: rw,
        height: rh,
        extent_x: w as f64 / factor as f64,
        extent_y: h as f64 / factor as f64,
        data: channel(0, 255.0),
        blue_difference: channel(1, 0.0),
        red_difference: channel(2, 0.0),
        coverage: channel(3, 1.0),
        source_width: w as u32,
        source_height: h as u32,
        format,
    }
}
