//! The person's avatar and impostors' avatars for a screen: decoded by the detector's bounded
//! decoder (the same byte, dimension and allocation limits as fingerprinting), shrunk and
//! re-encoded as PNG data URLs, so a webview never loads a remote image and never sees the
//! original (possibly hostile) bytes.

use std::io::Cursor;

use base64::Engine as _;
use image::ImageFormat;

use crate::detect::avatar::{decode_image, AvatarError};

/// Largest avatar file read (the detector's own input bound).
pub const MAX_AVATAR_BYTES: usize = crate::detect::avatar::MAX_INPUT_BYTES;

/// Side of the thumbnail shown.
const THUMB_SIDE: u32 = 160;

/// Decodes `bytes` within the detector's limits and returns a `data:image/png;base64,...`
/// thumbnail; an error saying why the picture cannot be used.
pub fn png_data_url(bytes: &[u8]) -> Result<String, AvatarError> {
    png_data_url_sized(bytes, THUMB_SIDE)
}

/// Side of the small pictures of a list's rows.
pub const LIST_THUMB_SIDE: u32 = 64;

/// [`png_data_url`] at most `side` pixels wide and high (the lists' small pictures).
pub fn png_data_url_sized(bytes: &[u8], side: u32) -> Result<String, AvatarError> {
    let (image, _) = decode_image(bytes)?;
    let thumb = image.thumbnail(side, side).into_rgba8();
    let mut png = Vec::new();
    thumb
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| AvatarError::Decode(e.to_string()))?;
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

    /// The PNG chunk checksum (CRC-32, as in the PNG specification).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn refuses_garbage_and_huge_claims() {
        assert!(png_data_url(b"<svg onload=alert(1)>").is_err());
        // A PNG header claiming 60,000 x 60,000 pixels: refused by the limits, not allocated.
        let mut huge = png(64, 64);
        huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        // The header's checksum made to match, so only the size can be what is refused.
        let crc = crc32(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            png_data_url(&huge),
            Err(AvatarError::TooLarge { .. })
        ));
    }
}
