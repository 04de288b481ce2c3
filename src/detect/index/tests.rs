//! Tests of the scan-handles index.
use super::*;
use crate::detect::Signal;
use crate::identity::AccountHandle;

fn identity(name: &str, handles: &[(Platform, &str)]) -> Identity {
    Identity {
        name: name.into(),
        aliases: vec![],
        handles: handles
            .iter()
            .map(|(p, h)| AccountHandle {
                platform: p.clone(),
                handle: h.to_string(),
            })
            .collect(),
        avatar: None,
        bio: None,
    }
    .validated()
    .unwrap()
}

fn scan(index: &HandleIndex, line: &str) -> Vec<HandleMatch> {
    let mut out = Vec::new();
    index.scan_line(line.as_bytes(), &mut Scratch::default(), &mut out);
    out
}

#[test]
fn ascii_fold_agrees_with_uts39() {
    // Every ASCII letter and digit: FOLD equals the UTS #39 skeleton, lowercased, with the
    // digit look-alikes (0 -> o) and separators dropped.
    for b in (b'0'..=b'z').filter(|b| b.is_ascii_alphanumeric()) {
        let c = b as char;
        let mut fast = Vec::new();
        fold_ascii_into(&[b], &mut fast);
        let mut slow = Vec::new();
        let skel: String = unicode_security::skeleton(&c.to_string())
            .flat_map(char::to_lowercase)
            .collect();
        fold_ascii_into(skel.as_bytes(), &mut slow);
        assert_eq!(fast, slow, "{c}");
    }
    assert_eq!(handle_key("PaImer_Rep0rt"), "palmerreport");
    assert_eq!(handle_key("PalrnerReport"), "palmerreport");
    assert_eq!(handle_key("\u{0440}\u{0430}lmerreport"), "palmerreport");
    assert_eq!(handle_key("Ｐａｌｍｅｒ\u{200B}Report"), "palmerreport");
    assert_eq!(handle_key("pálmerreport"), "palmerreport");
    // The fast ASCII path and the detector's skeleton agree.
    for s in [
        "PaImerReport",
        "Pa1mer_Rep0rt",
        "rnvvcl",
        "CLASSIC",
        "vvv",
        "r_n",
        "x.y-z",
        "Il1|0O",
    ] {
        let mut slow = Vec::new();
        fold_unicode_into(s, &mut slow);
        assert_eq!(handle_key(s).as_bytes(), &slow[..], "{s}");
    }
}

#[test]
fn punycode_homographs_are_decoded() {
    let idx = HandleIndex::new(&[identity(
        "Palmer Report",
        &[(Platform::Bluesky, "palmerreport.com")],
    )]);
    let puny = idna::domain_to_ascii("p\u{0430}lmerreport.com").unwrap();
    assert!(puny.starts_with("xn--"), "{puny}");
    let m = scan(&idx, &puny);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].verdict, Verdict::Impostor);
    assert!(
        m[0].reasons.iter().any(|r| r.detail.contains("U+0430")),
        "{m:?}"
    );
    // Decomposed accent (a + U+0301): a combining mark, no look-alike character.
    let m = scan(&idx, "pa\u{0301}lmerreport.bsky.social");
    assert_eq!(m[0].verdict, Verdict::Impostor);
    assert_eq!(m[0].reasons[0].signal, Signal::ConfusableHandle, "{m:?}");
}

#[test]
fn deletion_hashes_match_built_strings() {
    let key = b"palmerreport";
    let mut prefix = Vec::new();
    prefix_hashes(key, &mut prefix);
    for i in 0..key.len() {
        let mut d = key.to_vec();
        d.remove(i);
        let mut p2 = Vec::new();
        prefix_hashes(&d, &mut p2);
        assert_eq!(deletion_hash(&prefix, i), p2[d.len()]);
    }
}

/// What `score` says of the handle alone (platform from its shape), as scan-handles does.
fn scored(identity: &Identity, handle: &str) -> Verdict {
    let handle = handle.trim_start_matches('@');
    let platform = match core_of(handle.as_bytes()).1 {
        Shape::Plain => Platform::X,
        Shape::Domain => Platform::Bluesky,
        Shape::Fediverse => Platform::Mastodon,
    };
    let profile = Profile {
        platform,
        handle: handle.to_string(),
        ..Profile::default()
    };
    Detector::new(identity.clone(), None)
        .assess(&profile, None, Utc::now())
        .verdict
}

fn verdict(index: &HandleIndex, handle: &str) -> Verdict {
    let m = scan(index, handle);
    assert!(m.len() <= 1, "{m:?}");
    m.first().map_or(Verdict::Clear, |m| m.verdict)
}

#[test]
fn attack_families_are_found_and_judged_as_score_judges_them() {
    let palmer = identity(
        "Palmer Report",
        &[
            (Platform::X, "PalmerReport"),
            (Platform::Bluesky, "palmerreport.com"),
        ],
    );
    let idx = HandleIndex::new(std::slice::from_ref(&palmer));
    let m = scan(&idx, "PaImerReport");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].verdict, Verdict::Impostor);
    assert!(
        m[0].reasons[0]
            .detail
            .contains("capital I (U+0049) where yours has l (U+006C), 3rd character"),
        "{m:?}"
    );
    let m = scan(&idx, "PalmerReport56591705");
    assert!(
        m[0].reasons[0].detail.contains("\"56591705\" added"),
        "{m:?}"
    );
    for (handle, expected) in [
        ("palmerreport.bsky.social", Verdict::Suspicious),
        ("PalrnerReport", Verdict::Impostor),
        ("Palmer_Report", Verdict::Suspicious),
        ("RealPalmerReport", Verdict::Suspicious),
        ("PalmerReport2024", Verdict::Suspicious),
        ("Real_PaImerReport", Verdict::Impostor),
        ("PaImerReportt", Verdict::Impostor),
        // Typing slips, one or two, and an affix beside one.
        ("PalmerRepotr", Verdict::Impostor),
        ("PalmerReprt", Verdict::Impostor),
        ("PalmerReportt", Verdict::Impostor),
        ("PalmreRepprt", Verdict::Impostor),
        ("ThePalmerRepot", Verdict::Impostor),
        ("P4lm3rR3port", Verdict::Impostor),
        // Another initial may be another person: worth a look.
        ("TalmerReport", Verdict::Suspicious),
        // Own handles, unrelated and far names are no match.
        ("@PalmerReport", Verdict::Clear),
        ("palmerreport", Verdict::Clear),
        ("palmerreport.com", Verdict::Clear),
        ("jane_doe", Verdict::Clear),
    ] {
        assert_eq!(verdict(&idx, handle), expected, "{handle}");
        assert_eq!(scored(&palmer, handle), expected, "score on {handle}");
    }
    // A line far longer than any handle is skipped, not folded.
    assert!(scan(&idx, &format!("PaImerReport.{}", "a".repeat(MAX_LINE))).is_empty());
}

#[test]
fn edits_that_make_or_break_merged_pairs_are_found() {
    let ids = [
        identity("Wenzel", &[(Platform::X, "FenriWenzel")]),
        identity("Clara", &[(Platform::X, "ClaraPalmer")]),
        identity("Zormin", &[(Platform::X, "ZorminKavo")]),
        identity("Johnny", &[(Platform::X, "JohnnyDepp")]),
        identity("K", &[(Platform::X, "KaeskminNixdun")]),
    ];
    let idx = HandleIndex::new(&ids);
    for (handle, who) in [
        ("FenriWenzcl", 0),
        ("CxaraPalmer", 1),
        ("DaraPalmer", 1),
        ("ZornninKavo", 2),
        ("JohmyDepp", 3),
        ("KaesknninNixdun", 4),
    ] {
        let m = scan(&idx, handle);
        let expected = scored(&ids[who], handle);
        assert_ne!(expected, Verdict::Clear, "{handle}");
        assert_eq!(m.len(), 1, "{handle}: {m:?}");
        assert_eq!(
            (m[0].identity.as_str(), m[0].verdict),
            (ids[who].name.as_str(), expected),
            "{handle}"
        );
    }
    assert!(scan(&idx, "JohnnyDepp").is_empty());
}

#[test]
fn arbitrary_lines_never_panic() {
    let idx = HandleIndex::new(&[
        identity(
            "Palmer Report",
            &[
                (Platform::X, "PalmerReport"),
                (Platform::Bluesky, "palmerreport.com"),
                (Platform::Mastodon, "PalmerReport@mastodon.social"),
            ],
        ),
        identity(
            "Long",
            &[(Platform::Other("forum".into()), &"n".repeat(300))],
        ),
    ]);
    let pieces: &[&str] = &[
        "official",
        "real",
        "the",
        "hq",
        "PaImer",
        "Report",
        "rn",
        "nn",
        "cl",
        "vv",
        "0",
        "1",
        "2024",
        "_",
        ".",
        "-",
        "@",
        "xn--",
        "\u{0430}",
        "\u{200B}",
        "\u{0301}",
        "Ｐ",
        "bsky.social",
        "n",
        "\u{202E}",
        "é",
    ];
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    for _ in 0..20_000 {
        let len = (next() % 40) as usize;
        let mut line = String::new();
        for _ in 0..len {
            line.push_str(pieces[(next() % pieces.len() as u64) as usize]);
        }
        if next() % 50 == 0 {
            line = line.repeat(30);
        }
        index_line(&idx, &line, &mut scratch, &mut out);
    }
    // Byte soup, including invalid UTF-8.
    for _ in 0..5_000 {
        let len = (next() % 64) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        idx.scan_line(&bytes, &mut scratch, &mut out);
    }
}

fn index_line(idx: &HandleIndex, line: &str, scratch: &mut Scratch, out: &mut Vec<HandleMatch>) {
    idx.scan_line(line.as_bytes(), scratch, out);
    out.clear();
}

#[test]
fn short_handles_match_only_on_equal_keys_or_affixes() {
    let idx = HandleIndex::new(&[identity("CNN", &[(Platform::X, "CNN")])]);
    assert_eq!(scan(&idx, "CNN").len(), 0);
    assert_eq!(scan(&idx, "CNM").len(), 0);
    assert_eq!(scan(&idx, "CNNN").len(), 0);
    // A number added is an affix, as score sees it.
    assert_eq!(scan(&idx, "CNN1")[0].verdict, Verdict::Suspicious);
    assert_eq!(scan(&idx, "C_NN")[0].verdict, Verdict::Suspicious);
}

#[test]
fn within_counts_optimal_string_alignment_edits() {
    assert!(within(b"palmerreport", b"palmerreport", 0));
    assert!(within(b"palmerrepotr", b"palmerreport", 1));
    assert!(within(b"palmrerepprt", b"palmerreport", 2));
    assert!(!within(b"parkerreport", b"palmerreport", 1));
    assert!(within(b"parkerreport", b"palmerreport", 2));
    assert!(!within(b"jane", b"palmerreport", 2));
}

#[test]
fn pair_deletion_hashes_match_built_strings() {
    let key = b"palmerreport";
    let mut prefix = Vec::new();
    prefix_hashes(key, &mut prefix);
    for i in 0..key.len() {
        for j in i + 1..key.len() {
            let d: Vec<u8> = key
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i && *k != j)
                .map(|(_, b)| *b)
                .collect();
            let mut p2 = Vec::new();
            prefix_hashes(&d, &mut p2);
            assert_eq!(pair_deletion_hash(&prefix, i, j), p2[d.len()], "{i} {j}");
        }
    }
}
