//! Hostile avatar bytes: images that claim huge dimensions, truncated and mutated files,
//! animated GIFs, vector and non-image documents. Every one gets a clear `AvatarError` (or a
//! fingerprint), never a panic or a huge allocation.

mod avatar_support;

use avatar_support::*;
use doppelwatch::detect::avatar::{
    compare, fingerprint, fingerprint_reference, AvatarError, MAX_DIMENSION, MAX_INPUT_BYTES,
};
use image::codecs::gif::GifEncoder;
use image::{DynamicImage, Frame, ImageFormat, RgbaImage};

/// CRC-32 (IEEE) as PNG chunks need it.
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

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid PNG header that claims `width` x `height` RGB pixels, with a tiny IDAT.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A real JPEG whose frame header is patched to claim `width` x `height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = jpeg(&photo(1, 64), 80);
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline JPEG has SOF0");
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

/// A GIF whose logical screen and only frame claim `width` x `height`.
fn gif_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]); // 2-colour global table
    out.push(0x2C); // image descriptor
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
    out
}

/// A BMP file header claiming `width` x `height` 24-bit pixels, with no pixel data.
fn bmp_claiming(width: i32, height: i32) -> Vec<u8> {
    let mut out = b"BM".to_vec();
    out.extend_from_slice(&(54u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(54u32).to_le_bytes());
    out.extend_from_slice(&(40u32).to_le_bytes());
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0; 24]);
    out
}

#[test]
fn images_claiming_huge_dimensions_are_refused_before_decoding() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("png 60000x60000", png_claiming(60_000, 60_000)),
        ("png 5000x10", png_claiming(5_000, 10)),
        ("jpeg 60000x60000", jpeg_claiming(60_000, 60_000)),
        ("gif 60000x60000", gif_claiming(60_000, 60_000)),
        ("bmp 60000x60000", bmp_claiming(60_000, 60_000)),
    ];
    for (name, bytes) in cases {
        let result = fingerprint(&bytes);
        println!("{name}: {:?}", result.as_ref().err());
        match result {
            Err(AvatarError::TooLarge { width, height, max }) => {
                assert_eq!(max, MAX_DIMENSION);
                assert!(width > max || height > max, "{name}");
            }
            other => panic!("{name}: expected TooLarge, got {other:?}"),
        }
    }
    let message = fingerprint(&png_claiming(60_000, 60_000))
        .expect_err("refused")
        .to_string();
    assert!(message.contains("60000x60000"), "{message}");
}

#[test]
fn oversized_input_and_tiny_images_are_refused() {
    let big = vec![0u8; MAX_INPUT_BYTES + 1];
    assert!(matches!(
        fingerprint(&big),
        Err(AvatarError::InputTooLarge { .. })
    ));
    assert!(matches!(fingerprint(&[]), Err(AvatarError::Empty)));
    let tiny = png(&resize(&photo(3, 64), 8));
    match fingerprint(&tiny) {
        Err(AvatarError::TooSmall {
            width: 8,
            height: 8,
            ..
        }) => {}
        other => panic!("expected TooSmall, got {other:?}"),
    }
}

#[test]
fn vector_documents_and_unknown_bytes_get_a_clear_error() {
    let cases: Vec<(&str, &[u8], &str)> = vec![
        (
            "svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\"/>",
            "SVG",
        ),
        (
            "svg with xml prolog",
            b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "SVG",
        ),
        (
            "html error page",
            b"<!DOCTYPE html><html><body>404</body></html>",
            "HTML",
        ),
        (
            "random bytes",
            b"\x13\x37\x00\x01garbage",
            "unknown image format",
        ),
        ("tiff", b"II*\x00\x08\x00\x00\x00", "not supported"),
    ];
    for (name, bytes, expected) in cases {
        match fingerprint(bytes) {
            Err(e @ AvatarError::Unsupported(_)) => {
                let message = e.to_string();
                assert!(message.contains(expected), "{name}: {message}");
            }
            other => panic!("{name}: expected Unsupported, got {other:?}"),
        }
    }
}

#[test]
fn truncated_images_are_errors_not_panics() {
    let original = photo(4, 200);
    for (name, bytes) in [("png", png(&original)), ("jpeg", jpeg(&original, 85))] {
        for keep in [8, 20, 40, bytes.len() / 4, bytes.len() / 2] {
            let result = fingerprint(&bytes[..keep]);
            println!(
                "{name} cut at {keep} of {}: {:?}",
                bytes.len(),
                result.as_ref().err()
            );
            if name == "png" || keep < 200 {
                let error = result.expect_err("truncated");
                assert!(!error.to_string().is_empty());
            }
        }
    }
}

#[test]
fn mutated_images_never_panic() {
    let original = photo(5, 96);
    let mut webp = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(original.clone())
        .write_to(&mut webp, ImageFormat::WebP)
        .expect("WebP encoding");
    let mut bmp = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(original.clone())
        .write_to(&mut bmp, ImageFormat::Bmp)
        .expect("BMP encoding");
    let formats = [
        ("png", png(&original)),
        ("jpeg", jpeg(&original, 70)),
        ("gif", animated_gif(&[photo(5, 96), photo(6, 96)])),
        ("webp", webp.into_inner()),
        ("bmp", bmp.into_inner()),
    ];
    let mut rng = Rng::new(99);
    let (mut ok, mut refused) = (0, 0);
    for (_, bytes) in &formats {
        for _ in 0..150 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + rng.next() % 8 {
                let at = (rng.next() % mutated.len() as u64) as usize;
                mutated[at] = rng.next() as u8;
            }
            if rng.next() % 4 == 0 {
                mutated.truncate((rng.next() % mutated.len() as u64) as usize);
            }
            // The property: a result, never a panic (the test harness would report one).
            match fingerprint(&mutated) {
                Ok(fp) => {
                    assert!((0.0..=1.0).contains(&fp.quality));
                    ok += 1;
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    refused += 1;
                }
            }
        }
    }
    println!("mutated images: {ok} fingerprinted, {refused} refused with an error");
}

fn animated_gif(frames: &[image::RgbImage]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        let frames = frames.iter().map(|f| {
            Frame::new(RgbaImage::from_fn(f.width(), f.height(), |x, y| {
                let [r, g, b] = f.get_pixel(x, y).0;
                image::Rgba([r, g, b, 255])
            }))
        });
        encoder.encode_frames(frames).expect("GIF encoding");
    }
    out
}

#[test]
fn animated_gifs_are_hashed_on_their_first_frame() {
    let (first, second) = (photo(7, 160), photo(8, 160));
    let gif = animated_gif(&[first.clone(), second.clone()]);
    let from_gif = fingerprint(&gif).expect("first frame decodes");
    let first_reference = fingerprint_reference(&png(&first)).expect("fingerprint");
    let second_reference = fingerprint_reference(&png(&second)).expect("fingerprint");
    let m = compare(&first_reference, &from_gif);
    assert!(m.matched, "first frame: {}", m.detail);
    let m = compare(&second_reference, &from_gif);
    assert!(
        !m.matched,
        "second frame must not be what is hashed: {}",
        m.detail
    );
}
