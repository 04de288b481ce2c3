//! Tests of the look-alike handle list.

use super::tables::keyboard_neighbours;
use super::*;

fn handles(p: &Platform, h: &str, limit: usize) -> Vec<String> {
    variants(p, h, limit)
        .into_iter()
        .map(|v| v.handle)
        .collect()
}

#[test]
fn capital_i_for_l_comes_first_on_x() {
    let v = variants(&Platform::X, "PalmerReport", 50);
    assert_eq!(v[0].handle, "PaImerReport");
    assert_eq!(v[0].kind, "homoglyph");
    assert!(v.iter().any(|x| x.handle == "PalrnerReport"));
    assert!(v.iter().any(|x| x.handle == "PalmerRep0rt"));
}

#[test]
fn uts39_ascii_pairs_include_the_classics() {
    let pairs = ascii_uts39_pairs();
    for (a, b) in [("I", "l"), ("1", "l"), ("0", "O"), ("m", "rn"), ("rn", "m")] {
        assert!(
            pairs.iter().any(|(x, y)| x == a && y == b),
            "{a}->{b} missing from {pairs:?}"
        );
    }
}

#[test]
fn x_variants_are_valid_distinct_and_exclude_the_original() {
    let v = handles(&Platform::X, "PalmerReport", 10_000);
    assert!(v.len() > 200, "{}", v.len());
    let mut seen = HashSet::new();
    for h in &v {
        assert!(validate_handle(&Platform::X, h).is_ok(), "{h}");
        assert!(seen.insert(h.to_lowercase()), "duplicate {h}");
        assert_ne!(h.to_lowercase(), "palmerreport");
    }
}

#[test]
fn bluesky_custom_domain_is_copied_under_bsky_social() {
    let v = variants(&Platform::Bluesky, "palmerreport.com", 100);
    assert_eq!(v[0].handle, "palmerreport.bsky.social");
    assert_eq!(v[0].kind, "bsky_social");
    assert!(v.iter().any(|x| x.handle == "palrnerreport.bsky.social"));
    assert!(v.iter().all(|x| x.handle == x.handle.to_lowercase()));
    assert!(v
        .iter()
        .all(|x| validate_handle(&Platform::Bluesky, &x.handle).is_ok()));
}

#[test]
fn bluesky_custom_domain_gets_tld_swaps() {
    let v = variants(&Platform::Bluesky, "palmerreport.com", 400);
    assert!(v
        .iter()
        .any(|x| x.handle == "palmerreport.net" && x.kind == "tld_swap"));
    assert!(!v.iter().any(|x| x.handle == "palmerreport.com"));
    // A bsky.social handle has no domain of its own to swap.
    let v = variants(&Platform::Bluesky, "palmerreport.bsky.social", 400);
    assert!(!v
        .iter()
        .any(|x| x.kind == "tld_swap" || x.kind == "bsky_social"));
}

#[test]
fn lowercase_platforms_get_no_capitals_and_their_own_separators() {
    let v = variants(&Platform::Instagram, "palmer.report", 500);
    assert!(!v.is_empty());
    for x in &v {
        assert!(!x.handle.chars().any(|c| c.is_ascii_uppercase()), "{x:?}");
        assert!(x.handle.len() <= 30);
        assert!(
            x.handle
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'),
            "{x:?}"
        );
    }
    assert!(v.iter().any(|x| x.handle == "palmer_report"));
    assert!(v.iter().any(|x| x.handle == "palmerreport"));
    let v = variants(&Platform::Github, "palmer-report", 500);
    assert!(v.iter().all(|x| !x.handle.starts_with('-')
        && !x.handle.ends_with('-')
        && !x.handle.contains('_')));
}

#[test]
fn mastodon_copies_the_username_on_other_servers() {
    let v = variants(&Platform::Mastodon, "Palmer@mastodon.social", 60);
    assert!(v
        .iter()
        .any(|x| x.handle == "Palmer@mas.to" && x.kind == "other_server"));
    assert!(v.iter().any(|x| x.handle == "PaImer@mastodon.social"));
    assert!(!v.iter().any(|x| x.handle == "Palmer@mastodon.social"));
}

#[test]
fn other_platforms_get_foreign_script_confusables() {
    let v = variants(&Platform::Other("forum".into()), "palmer", 1000);
    assert!(
        v.iter()
            .any(|x| x.kind == "confusable" && x.handle == "p\u{0430}lmer"),
        "{v:?}"
    );
}

#[test]
fn limit_is_honoured() {
    assert_eq!(variants(&Platform::X, "PalmerReport", 7).len(), 7);
    assert!(variants(&Platform::X, "PalmerReport", 0).is_empty());
    assert!(variants(&Platform::X, "not valid!", 10).is_empty());
}

#[test]
fn arbitrary_handles_never_panic() {
    let pieces: &[&str] = &[
        "a",
        "Z",
        "rn",
        "vv",
        "cl",
        "0",
        "1",
        "I",
        "_",
        ".",
        "-",
        "@",
        "é",
        "\u{0430}",
        "\u{200B}",
        "ß",
        "İ",
        "mastodon.social",
        "bsky.social",
        "com",
        "nn",
    ];
    let platforms = [
        Platform::X,
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::Instagram,
        Platform::Github,
        Platform::Twitch,
        Platform::Other("forum".into()),
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..600 {
        let len = (next() % 12) as usize;
        let handle: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let platform = &platforms[(next() % platforms.len() as u64) as usize];
        let v = variants(platform, &handle, 50);
        assert!(v.len() <= 50);
        for x in &v {
            assert!(
                validate_handle(platform, &x.handle).is_ok(),
                "{platform} {x:?}"
            );
        }
    }
    assert!(variants(&Platform::Other("forum".into()), &"a".repeat(5000), 10).is_empty());
}

#[test]
fn keyboard_neighbours_are_adjacent_keys() {
    let n = keyboard_neighbours('g');
    for k in ['f', 'h', 't', 'y', 'v', 'b'] {
        assert!(n.contains(&k), "{k} not in {n:?}");
    }
    assert!(keyboard_neighbours('G').contains(&'H'));
}
