//! Avatars for the webview: decoded with size limits, shrunk, and re-encoded as PNG data URLs,
//! so the webview never loads a remote image and never sees the original (possibly hostile) bytes.

use std::io::Cursor;

use base64::Engine as _;
use image::{ImageFormat, ImageReader, Limits};

/// Largest encoded image accepted (avatars are a few hundred KB at most).
pub const MAX_AVATAR_BYTES: usize = 8 * 1024 * 1024;
/// Largest decoded dimension accepted; a header claiming 60,000 x 60,000 is refused before
/// any pixel buffer is allocated.
const MAX_DIMENSION: u32 = 4096;
/// Side of the thumbnail shown in the app.
const THUMB_SIDE: u32 = 160;

/// Why an image cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum AvatarImageError {
    #[error("the image is larger than {} MB; pick one under that size", MAX_AVATAR_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the file is not a PNG, JPEG, GIF, WebP or BMP image we can read: {0}")]
    Unreadable(String),
}

/// Decodes `bytes` (bounded) and returns a `data:image/png;base64,...` thumbnail.
pub fn png_data_url(bytes: &[u8]) -> Result<String, AvatarImageError> {
    if bytes.len() > MAX_AVATAR_BYTES {
        return Err(AvatarImageError::TooLarge);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| AvatarImageError::Unreadable(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| AvatarImageError::Unreadable(e.to_string()))?;
    let thumb = image.thumbnail(THUMB_SIDE, THUMB_SIDE).into_rgba8();
    let mut png = Vec::new();
    thumb
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| AvatarImageError::Unreadable(e.to_string()))?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 20, 30, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn re_encodes_as_small_png_data_url() {
        let url = png_data_url(&png(400, 300)).unwrap();
        let b64 = url.strip_prefix("data:image/png;base64,").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!((back.width(), back.height()), (160, 120));
    }

    #[test]
    fn refuses_garbage_and_huge_claims() {
        assert!(matches!(
            png_data_url(b"<svg onload=alert(1)>"),
            Err(AvatarImageError::Unreadable(_))
        ));
        // A PNG header claiming 60,000 x 60,000 pixels: refused by the limits, not allocated.
        let mut huge = png(1, 1);
        huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(png_data_url(&huge).is_err());
    }
}
