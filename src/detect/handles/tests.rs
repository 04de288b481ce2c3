//! Tests of near-handle comparison.
use super::*;

fn cmp(cp: Platform, c: &str, rp: Platform, r: &str) -> Option<HandleMatch> {
    compare_handle(&handle_form(&cp, c), &ReferenceHandle::new(&rp, r))
}

#[test]
fn forms() {
    let f = handle_form(&Platform::Bluesky, "PalmerReport.bsky.social");
    assert_eq!((f.core.as_str(), f.hosted), ("PalmerReport", true));
    let f = handle_form(&Platform::Bluesky, "palmerreport.com");
    assert_eq!(
        (f.core.as_str(), f.server.as_deref()),
        ("palmerreport", Some("com"))
    );
    let f = handle_form(&Platform::Mastodon, "@alice@Mastodon.Social");
    assert_eq!(
        (f.core.as_str(), f.server.as_deref()),
        ("alice", Some("mastodon.social"))
    );
    let f = handle_form(&Platform::Bluesky, "xn--pple-43d.com");
    assert_eq!(f.core, "\u{0430}pple");
}

#[test]
fn families() {
    use HandleKind::*;
    let x = || Platform::X;
    let kind = |m: Option<HandleMatch>| m.map(|m| m.kind);
    // (an X handle, the person's X handle, how they relate)
    let cases = [
        ("PaImerReport", "PalmerReport", Some(Lookalike)),
        ("palmerreport", "PalmerReport", Some(Own)),
        ("Palmer_Report", "PalmerReport", Some(Separators)),
        ("RealPalmerReport", "PalmerReport", Some(Affix)),
        ("PalmerReport2024", "PalmerReport", Some(Affix)),
        ("itsPalmerReport", "PalmerReport", Some(Affix)),
        ("PamlerReport", "PalmerReport", Some(Near)),
        ("PalmerRepotr", "PalmerReport", Some(Near)),
        ("JimSmith", "PalmerReport", None),
        ("tw1tter", "twitter", Some(Lookalike)),
        ("lnstagram", "instagram", Some(Lookalike)),
        ("P4lm3rReport", "PalmerReport", Some(Lookalike)),
    ];
    for (candidate, own, expected) in cases {
        assert_eq!(
            kind(cmp(x(), candidate, x(), own)),
            expected,
            "{candidate} against {own}"
        );
    }
    let parker = cmp(x(), "ParkerReport", x(), "PalmerReport").unwrap();
    assert!(parker.letter_changed, "{parker:?}");
    let m = Platform::Mastodon;
    assert_eq!(
        kind(cmp(
            m.clone(),
            "PalmerReport@mstdn.social",
            m.clone(),
            "PalmerReport@mastodon.social"
        )),
        Some(CopiedElsewhere)
    );
    let b = Platform::Bluesky;
    let copy = cmp(
        b.clone(),
        "palmerreport.bsky.social",
        b.clone(),
        "palmerreport.com",
    )
    .unwrap();
    assert_eq!(copy.kind, CopiedElsewhere);
    assert!(copy.detail.contains("custom domain"), "{}", copy.detail);
    assert_eq!(
        kind(cmp(b.clone(), "xn--pple-43d.com", b, "apple.com")),
        Some(Lookalike)
    );
}

#[test]
fn affixes_are_quoted_as_typed() {
    let m = cmp(
        Platform::X,
        "PalmerReport56591705",
        Platform::X,
        "PalmerReport",
    )
    .unwrap();
    assert_eq!(m.kind, HandleKind::Affix, "{m:?}");
    assert!(m.detail.contains("\"56591705\" added"), "{}", m.detail);
    let m = cmp(
        Platform::X,
        "Real_PalmerReport",
        Platform::X,
        "PalmerReport",
    )
    .unwrap();
    assert!(m.detail.contains("\"Real\" added"), "{}", m.detail);
    // A trailing letter `o` is no zero: an edit, not a number added.
    let m = cmp(Platform::X, "PalmerReporto", Platform::X, "PalmerReport").unwrap();
    assert_eq!(m.kind, HandleKind::Near, "{m:?}");
}

#[test]
fn edits_ignore_case_and_short_neighbours_are_marked() {
    let m = cmp(Platform::X, "MarkDavidsn", Platform::X, "markdavidson").unwrap();
    assert!(
        m.detail.starts_with("handle MarkDavidsn is one edit"),
        "{}",
        m.detail
    );
    let m = cmp(Platform::X, "amazom", Platform::X, "amazon").unwrap();
    assert!(m.short_neighbour, "{m:?}");
    let m = cmp(Platform::X, "amaz0m", Platform::X, "amazon").unwrap();
    assert!(
        !m.short_neighbour && m.kind == HandleKind::Lookalike,
        "{m:?}"
    );
    let m = cmp(Platform::X, "PalmerRepotr", Platform::X, "PalmerReport").unwrap();
    assert!(!m.short_neighbour, "{m:?}");
}

#[test]
fn seed_reason_names_the_character() {
    let m = cmp(Platform::X, "PaImerReport", Platform::X, "PalmerReport").unwrap();
    assert!(
        m.detail
            .contains("capital I (U+0049) where yours has l (U+006C), 3rd character"),
        "{}",
        m.detail
    );
}
