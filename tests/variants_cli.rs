//! The `doppelwatch variants` contract: one JSON line `{"handle", "kind"}` per look-alike,
//! most plausible first, valid on the platform, exit 2 for an invalid handle or platform.

use std::collections::HashSet;
use std::process::{Command, Output};

use doppelwatch::identity::{validate_handle, Platform};
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .arg("variants")
        .args(args)
        .output()
        .expect("the doppelwatch binary runs")
}

/// (handle, kind) per output line; fails on any line that is not exactly that object.
fn lines(out: &Output) -> Vec<(String, String)> {
    let text = String::from_utf8(out.stdout.clone()).expect("UTF-8 output");
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("each line is JSON");
            let obj = v.as_object().expect("each line is an object");
            assert_eq!(obj.len(), 2, "only handle and kind: {line}");
            (
                obj["handle"].as_str().expect("handle string").to_string(),
                obj["kind"].as_str().expect("kind string").to_string(),
            )
        })
        .collect()
}

#[test]
fn x_variants_put_capital_i_for_l_first_and_cover_every_fuzzer() {
    let out = run(&["--platform", "x", "PalmerReport", "--limit", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = lines(&out);
    let rank = |h: &str| v.iter().position(|(x, _)| x == h);
    assert!(rank("PaImerReport").is_some_and(|r| r < 3), "{:?}", &v[..5]);
    assert!(rank("PalrnerReport").is_some_and(|r| r < 10));
    let kinds: HashSet<&str> = v.iter().map(|(_, k)| k.as_str()).collect();
    for kind in [
        "homoglyph",
        "addition",
        "omission",
        "repetition",
        "transposition",
        "separator",
        "affix",
        "vowel_swap",
        "keyboard",
    ] {
        assert!(kinds.contains(kind), "no {kind} variant in {kinds:?}");
    }
    // Ranking: look-alikes before separators/affixes before edits before keyboard slips.
    let first = |kind: &str| v.iter().position(|(_, k)| k == kind).unwrap_or(usize::MAX);
    assert!(first("homoglyph") < first("separator"));
    assert!(first("affix") < first("omission"));
    assert!(first("transposition") < first("vowel_swap"));
    assert!(first("omission") < first("keyboard"));
    let mut seen = HashSet::new();
    for (h, _) in &v {
        assert!(
            validate_handle(&Platform::X, h).is_ok(),
            "invalid on X: {h}"
        );
        assert!(h.len() <= 15);
        assert!(seen.insert(h.to_lowercase()), "same account twice: {h}");
        assert_ne!(
            h.to_lowercase(),
            "palmerreport",
            "the original is not a variant"
        );
    }
    assert!(v.contains(&("Palmer_Report".into(), "separator".into())));
    assert!(v.contains(&("PalmerReportHQ".into(), "affix".into())));
    assert!(v.contains(&("PalmerRepotr".into(), "transposition".into())));
}

#[test]
fn limit_is_honoured_and_prefix_stable() {
    let five = lines(&run(&["--platform", "x", "PalmerReport", "--limit", "5"]));
    assert_eq!(five.len(), 5);
    let fifty = lines(&run(&["--platform", "x", "PalmerReport", "--limit", "50"]));
    assert_eq!(fifty.len(), 50);
    assert_eq!(&fifty[..5], &five[..]);
}

#[test]
fn bluesky_variants_are_lowercase_domains_with_a_bsky_social_copy() {
    let out = run(&[
        "--platform",
        "bluesky",
        "PalmerReport.com",
        "--limit",
        "300",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = lines(&out);
    assert_eq!(
        v[0],
        ("palmerreport.bsky.social".into(), "bsky_social".into())
    );
    assert!(v.iter().any(|(h, _)| h == "palrnerreport.bsky.social"));
    assert!(v.iter().any(|(h, _)| h == "palmer-report.bsky.social"));
    for (h, _) in &v {
        assert_eq!(
            validate_handle(&Platform::Bluesky, h).as_deref(),
            Ok(h.as_str())
        );
        let label = h.split('.').next().unwrap_or_default();
        if h.ends_with(".bsky.social") {
            assert!((3..=18).contains(&label.len()), "{h}");
        }
    }
}

#[test]
fn mastodon_variants_include_other_servers() {
    let v = lines(&run(&[
        "--platform",
        "mastodon",
        "PalmerReport@mastodon.social",
        "--limit",
        "40",
    ]));
    assert!(v.contains(&("PalmerReport@mas.to".into(), "other_server".into())));
    assert!(v.iter().any(|(h, _)| h == "PaImerReport@mastodon.social"));
    for (h, _) in &v {
        assert!(validate_handle(&Platform::Mastodon, h).is_ok(), "{h}");
    }
}

#[test]
fn invalid_handle_or_platform_exits_2_with_the_reason() {
    let out = run(&["--platform", "x", "Palmer.Report"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("letters, digits or underscores"), "{err}");

    let out = run(&["--platform", "x", "ThisHandleIsWayTooLong"]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["--platform", "myspace", "tom"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown platform"));

    let out = run(&["--platform", "bluesky", "nodot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs at least one dot"));
}
