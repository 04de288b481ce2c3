//! `doppelwatch avatar-hash IMAGE`: the JSON contract and the exit codes.

mod avatar_support;

use std::process::Command;

use avatar_support::*;

fn avatar_hash(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .arg("avatar-hash")
        .args(args)
        .output()
        .expect("run doppelwatch");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn prints_hashes_quality_dimensions_and_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("me.jpg");
    std::fs::write(&path, jpeg(&resize(&photo(11, 400), 300), 85)).expect("write");
    let (code, stdout, stderr) = avatar_hash(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(json["width"], 300);
    assert_eq!(json["height"], 300);
    assert_eq!(json["format"], "jpeg");
    assert_eq!(json["form_words"], 3);
    assert_eq!(json["kind"], "a detailed picture");
    // The image and its mirror, each also with one of four corners masked.
    assert_eq!(json["forms"], 10);
    let hashes = json["hashes"].as_array().expect("hashes array");
    let forms_end = 1 + 10 * 3;
    assert!(
        hashes.len() > forms_end,
        "header, forms, then the thumbnail"
    );
    assert!(hashes.iter().all(|h| h
        .as_str()
        .is_some_and(|h| h.len() == 16 && u64::from_str_radix(h, 16).is_ok())));
    let quality = json["quality"].as_f64().expect("quality");
    assert!((0.35..=1.0).contains(&quality), "{quality}");

    // --reference adds the shifted and scaled forms and the stored picture.
    let (code, stdout, _) = avatar_hash(&["--reference", path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    let reference = json["hashes"].as_array().expect("hashes");
    let forms = json["forms"].as_u64().expect("forms") as usize;
    assert!(forms > 10, "{forms}");
    assert!(reference.len() > hashes.len() + (forms - 10) * 3);
    assert_eq!(
        &reference[1..forms_end],
        &hashes[1..forms_end],
        "the same first ten forms"
    );
    assert_ne!(
        reference[0], hashes[0],
        "the header says which is the reference"
    );
}

#[test]
fn pictures_that_identify_nobody_say_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("default.png");
    std::fs::write(&path, png(&default_avatars(200)[0].1)).expect("write");
    let (code, stdout, _) = avatar_hash(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(json["quality"].as_f64(), Some(0.0));
    assert!(
        json["kind"]
            .as_str()
            .is_some_and(|k| k.contains("default avatar")),
        "{json}"
    );

    // A flat logo is not refused: it is a flat picture with a low quality above 0.
    let path = dir.path().join("logo.png");
    std::fs::write(&path, png(&flat_logos(200)[0].1)).expect("write");
    let (code, stdout, _) = avatar_hash(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    let quality = json["quality"].as_f64().expect("quality");
    assert!(quality > 0.0 && quality < 0.35, "{json}");
    assert!(
        json["kind"]
            .as_str()
            .is_some_and(|k| k.contains("flat picture")),
        "{json}"
    );
}

#[test]
fn exit_codes_say_what_went_wrong() {
    // No IMAGE: unusable arguments.
    let (code, _, stderr) = avatar_hash(&[]);
    assert_eq!(code, 2, "{stderr}");
    // A path that cannot be read: unusable argument, and the message names it.
    let (code, _, stderr) = avatar_hash(&["/nonexistent/avatar.png"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/avatar.png"), "{stderr}");

    let dir = tempfile::tempdir().expect("temp dir");
    // A readable file that is not a usable image: exit 1 with the reason.
    let svg = dir.path().join("logo.svg");
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").expect("write");
    let (code, stdout, stderr) = avatar_hash(&[svg.to_str().expect("utf-8 path")]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("SVG"), "{stderr}");

    let truncated = dir.path().join("cut.png");
    let bytes = png(&photo(12, 100));
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    let (code, _, stderr) = avatar_hash(&[truncated.to_str().expect("utf-8 path")]);
    assert_eq!(code, 1);
    assert!(stderr.contains("could not be decoded"), "{stderr}");
}
