//! Tests of the look-alike key and alignment.
use super::*;

#[test]
fn capital_i_is_small_l() {
    assert_eq!(confusable_skeleton("PaImerReport"), "palmerreport");
    assert_eq!(confusable_skeleton("PalmerReport"), "palmerreport");
    assert_eq!(confusable_skeleton("paypaI"), confusable_skeleton("paypal"));
}

#[test]
fn attack_families_share_the_skeleton() {
    let same =
        |a: &str, b: &str| assert_eq!(confusable_skeleton(a), confusable_skeleton(b), "{a} vs {b}");
    same("góógle", "google");
    same("g00gle", "google");
    same("rnicrosoft", "microsoft");
    same("vvikipedia", "wikipedia");
    same("cloud", "doud");
    same("\u{0430}pple", "apple");
    same("\u{043C}ozilla", "mozilla");
    same("Ｐａｌｍｅｒ", "Palmer");
    same("Pal\u{200B}mer\u{202E}", "Palmer");
    same("Pal\u{0301}\u{0301}\u{0301}mer", "Palmer");
    same("Pa\u{00AD}lmer\u{FEFF}", "Palmer");
    same("1inux", "linux");
    same("fa\u{03F2}ebook", "facebook");
    same(
        "\u{FF2D}\u{FF4F}\u{FF4C}\u{FF4C}\u{FF59} \u{FF2A}\u{FF4F}\u{FF4E}\u{FF47}\u{FF0D}\u{FF26}",
        "Molly Jong-F",
    );
}

#[test]
fn different_letters_stay_different() {
    assert_ne!(
        confusable_skeleton("ParkerReport"),
        confusable_skeleton("PalmerReport")
    );
    assert_ne!(confusable_skeleton("tim"), confusable_skeleton("tom"));
}

#[test]
fn ascii_fast_path_matches_general_path() {
    for s in [
        "PaImerReport",
        "rnicrosoft",
        "vvvv",
        "clclrn",
        "A_b.c-D|0",
        "rrnn",
    ] {
        let mut general = String::new();
        for c in s.chars() {
            fold_char_into(c, &mut general);
        }
        fold_sequences(&mut general);
        assert_eq!(confusable_skeleton(s), general, "{s}");
    }
}

#[test]
fn explains_the_i_l_swap() {
    let reasons = describe_lookalikes("PaImerReport", "PalmerReport");
    assert_eq!(
        reasons,
        vec!["capital I (U+0049) where yours has l (U+006C), 3rd character"]
    );
    let reasons = describe_lookalikes("\u{0430}pple", "apple");
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].contains("CYRILLIC SMALL LETTER A"),
        "{reasons:?}"
    );
    assert!(reasons[0].contains("1st"), "{reasons:?}");
    let reasons = describe_lookalikes("rnicrosoft", "microsoft");
    assert!(reasons[0].contains("\"rn\""), "{reasons:?}");
}

#[test]
fn aligns_near_edits() {
    let (cost, edits) = align("ParkerReport", "PalmerReport").unwrap();
    assert_eq!(cost, 2);
    assert!(edits
        .iter()
        .all(|e| matches!(e.edit, Edit::Substitute { .. })));
    let (cost, edits) = align("PamlerReport", "PalmerReport").unwrap();
    assert_eq!(cost, 1);
    assert!(matches!(edits[0].edit, Edit::Transpose { .. }));
    // Case is no edit, also for letters UTS #39 draws as two (m as rn, d as cl).
    for (a, b) in [
        ("MarkDavid", "markdavid"),
        ("WWD", "wwd"),
        ("AMIRA", "amira"),
    ] {
        assert_eq!(align(a, b).unwrap().0, 0, "{a} vs {b}");
    }
}

#[test]
fn hidden_and_mixed() {
    assert_eq!(hidden_characters("a\u{202E}b"), vec![(2, '\u{202E}')]);
    assert!(
        suspicious_hidden_characters("Sam \u{1F468}\u{200D}\u{1F4BB} \u{2714}\u{FE0F}").is_empty()
    );
    assert_eq!(suspicious_hidden_characters("Pal\u{200D}mer").len(), 1);
    // Beside a space or at an end, a joiner joins nothing: it hides a difference.
    assert_eq!(suspicious_hidden_characters("Uxue \u{200D}Barkos").len(), 1);
    assert_eq!(
        suspicious_hidden_characters("Patrick\u{200D} Mennucci").len(),
        1
    );
    assert_eq!(suspicious_hidden_characters("\u{200D}Palmer").len(), 1);
    // Devanagari: a joiner after a virama shapes the letter.
    assert!(suspicious_hidden_characters("\u{915}\u{94D}\u{200D}\u{937}").is_empty());
    assert!(is_mixed_script("\u{0430}pple"));
    assert!(!is_mixed_script("apple"));
    assert!(has_foreign_lookalike(
        "\u{0430}\u{0440}\u{0440}\u{04CF}\u{0435}"
    ));
    assert!(display_safe("a\u{202E}b").contains("<U+202E>"));
    assert!(describe_char('\u{202E}').contains("RIGHT-TO-LEFT OVERRIDE"));
}
