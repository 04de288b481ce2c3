//! The avatar signal through the `score` CLI: real image files (PNG and JPEG written here),
//! paths relative to the identity and candidates files.
//!
//! Copied avatar + copied name is an impostor; a different face, a flat logo or a default
//! silhouette does not count as a copy (the avatar helper gates plain images).

use std::path::Path;
use std::process::Command;

use image::{ImageBuffer, Rgb, RgbImage};
use serde_json::Value;

/// A detailed, photo-like picture: smooth shapes and texture from a seed.
fn photo(seed: u32, size: u32) -> RgbImage {
    let s = seed as f32;
    ImageBuffer::from_fn(size, size, |x, y| {
        let (u, v) = (x as f32 / size as f32, y as f32 / size as f32);
        let blob = |cx: f32, cy: f32, r: f32| {
            let d = ((u - cx).powi(2) + (v - cy).powi(2)).sqrt();
            (1.0 - (d / r).min(1.0)) * 255.0
        };
        let r = 0.5 * blob(0.3 + 0.1 * (s * 1.3).sin(), 0.4, 0.35)
            + 60.0 * (u * (7.0 + s) + v * 3.0).sin()
            + 40.0 * ((u * v * 40.0 + s).cos());
        let g = 0.6 * blob(0.65, 0.35 + 0.1 * (s * 0.7).cos(), 0.3)
            + 50.0 * (v * (11.0 + s * 0.5)).sin()
            + 30.0 * ((u * 23.0 - v * 17.0 + s).sin());
        let b = 0.7 * blob(0.5, 0.7, 0.25 + 0.05 * (s * 2.1).sin())
            + 45.0 * ((u + v) * (9.0 + s * 0.3)).cos();
        let c = |f: f32| (f + 100.0).clamp(0.0, 255.0) as u8;
        Rgb([c(r), c(g), c(b)])
    })
}

/// A flat logo: one colour with a plain disc.
fn flat_logo(size: u32) -> RgbImage {
    ImageBuffer::from_fn(size, size, |x, y| {
        let (dx, dy) = (
            x as f32 - size as f32 / 2.0,
            y as f32 / 1.0 - size as f32 / 2.0,
        );
        if (dx * dx + dy * dy).sqrt() < size as f32 / 3.0 {
            Rgb([255, 255, 255])
        } else {
            Rgb([29, 161, 242])
        }
    })
}

/// A default avatar: grey background, lighter head-and-shoulders silhouette.
fn default_silhouette(size: u32) -> RgbImage {
    ImageBuffer::from_fn(size, size, |x, y| {
        let (fx, fy) = (x as f32 / size as f32, y as f32 / size as f32);
        let head = ((fx - 0.5).powi(2) + (fy - 0.38).powi(2)).sqrt() < 0.17;
        let body = ((fx - 0.5).powi(2) / 0.09 + (fy - 0.95).powi(2) / 0.12) < 1.0;
        if head || body {
            Rgb([200, 205, 210])
        } else {
            Rgb([160, 165, 170])
        }
    })
}

fn mirrored_resized(img: &RgbImage, size: u32) -> RgbImage {
    let flipped = image::imageops::flip_horizontal(img);
    image::imageops::resize(&flipped, size, size, image::imageops::FilterType::Triangle)
}

fn run(dir: &Path, identity: &str, candidates: &str) -> Vec<Value> {
    let id = dir.join("id.json");
    std::fs::write(&id, identity).unwrap();
    let c = dir.join("c.jsonl");
    std::fs::write(&c, candidates).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .args(["score", "--now", "2026-11-29T12:00:00Z", "--identity"])
        .arg(&id)
        .arg("--candidates")
        .arg(&c)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn reasons(line: &Value) -> String {
    line["reasons"].to_string()
}

#[test]
fn copied_avatar_with_copied_name_is_an_impostor_and_plain_pictures_are_not_copies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("pics")).unwrap();
    let me = photo(3, 400);
    me.save(d.join("pics/me.png")).unwrap();
    // The impostor's copy: mirrored, shrunk and re-encoded as JPEG.
    mirrored_resized(&me, 200)
        .save(d.join("pics/copy.jpg"))
        .unwrap();
    photo(11, 400).save(d.join("pics/other.png")).unwrap();
    flat_logo(256).save(d.join("pics/logo.png")).unwrap();
    default_silhouette(256)
        .save(d.join("pics/default.png"))
        .unwrap();

    let identity = r#"{"name": "Jane Doe", "handles": [{"platform": "x", "handle": "JaneDoeMD"}],
        "avatar": "pics/me.png", "bio": "Emergency physician and writer. Public health, vaccines and the people behind them."}"#;
    let candidates = [
        r#"{"id": "copy", "platform": "x", "handle": "SamOkafor77", "display_name": "Jane Doe", "avatar": "pics/copy.jpg"}"#,
        r#"{"id": "other-face", "platform": "x", "handle": "SamOkafor78", "display_name": "Jane Doe", "avatar": "pics/other.png"}"#,
        r#"{"id": "logo", "platform": "x", "handle": "SamOkafor79", "display_name": "Jane Doe", "avatar": "pics/logo.png"}"#,
        r#"{"id": "default", "platform": "x", "handle": "SamOkafor80", "display_name": "Jane Doe", "avatar": "pics/default.png"}"#,
        r#"{"id": "avatar-only", "platform": "x", "handle": "SamOkafor81", "display_name": "Sam Okafor", "avatar": "pics/copy.jpg"}"#,
        r#"{"id": "avatar-and-bio", "platform": "x", "handle": "SamOkafor82", "bio": "Emergency physician and writer. Public health, vaccines and the people behind them.", "avatar": "pics/copy.jpg"}"#,
    ]
    .join("\n");
    let lines = run(d, identity, &candidates);
    assert_eq!(lines.len(), 6);

    assert_eq!(lines[0]["verdict"], "impostor", "{}", lines[0]);
    assert!(
        lines[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["signal"] == "avatar" && r["detail"].as_str().unwrap().contains("mirrored")),
        "{}",
        reasons(&lines[0])
    );
    for line in &lines[1..4] {
        assert_eq!(line["verdict"], "suspicious", "{line}");
        assert!(
            !line["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["signal"] == "avatar"),
            "{line}"
        );
    }
    // One copied element is worth a look; two make an impostor.
    assert_eq!(lines[4]["verdict"], "suspicious", "{}", lines[4]);
    assert_eq!(lines[5]["verdict"], "impostor", "{}", lines[5]);
}

#[test]
fn a_plain_identity_avatar_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    default_silhouette(256).save(d.join("me.png")).unwrap();
    default_silhouette(256).save(d.join("same.png")).unwrap();
    let identity = r#"{"name": "Jane Doe", "handles": [{"platform": "x", "handle": "JaneDoeMD"}], "avatar": "me.png"}"#;
    let lines = run(
        d,
        identity,
        r#"{"id": 1, "platform": "x", "handle": "SamOkafor", "display_name": "Jane Doe", "avatar": "same.png"}"#,
    );
    assert_eq!(lines[0]["verdict"], "suspicious", "{}", lines[0]);
}
