//! The detector's weighing, through the library API: each attack family and each hard negative
//! named in the issue, with the reasons a person reads.

use chrono::{DateTime, Duration, Utc};

use doppelwatch::detect::{Assessment, Detector, Signal, Verdict};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::profile::Profile;

const BIO: &str = "Independent political news and commentary. Founded in 2016 by Bill Palmer. \
                   Support us at palmerreport.com/support";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn detector() -> Detector {
    let identity = Identity {
        name: "Palmer Report".into(),
        aliases: vec!["Bill Palmer".into()],
        handles: vec![
            AccountHandle {
                platform: Platform::X,
                handle: "PalmerReport".into(),
            },
            AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.com".into(),
            },
            AccountHandle {
                platform: Platform::Mastodon,
                handle: "PalmerReport@mastodon.social".into(),
            },
        ],
        avatar: None,
        bio: Some(BIO.into()),
    }
    .validated()
    .unwrap();
    Detector::new(identity, None)
}

fn profile(platform: Platform, handle: &str, name: Option<&str>) -> Profile {
    Profile {
        platform,
        handle: handle.into(),
        display_name: name.map(str::to_string),
        ..Profile::default()
    }
}

fn aged(mut p: Profile, days: i64, followers: u64) -> Profile {
    p.created_at = Some(now() - Duration::days(days));
    p.followers = Some(followers);
    p
}

fn assess(p: &Profile) -> Assessment {
    let a = detector().assess(p, None, now());
    assert!((0.0..=1.0).contains(&a.score), "{a:?}");
    for r in &a.reasons {
        assert!(r.detail.len() > 10, "reason is not a sentence: {r:?}");
        assert!(
            !r.detail.contains('\u{202E}') && !r.detail.contains('\u{200B}'),
            "{r:?}"
        );
    }
    a
}

fn has(a: &Assessment, signal: Signal, text: &str) -> bool {
    a.reasons
        .iter()
        .any(|r| r.signal == signal && r.detail.contains(text))
}

#[test]
fn lookalike_handle_with_copied_name_is_an_impostor() {
    let a = assess(&profile(Platform::X, "PaImerReport", Some("Palmer Report")));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(a.score >= 0.9);
    assert!(has(
        &a,
        Signal::ConfusableHandle,
        "capital I (U+0049) where yours has l (U+006C), 3rd character"
    ));
    assert!(has(&a, Signal::DisplayName, "identical"));
}

#[test]
fn homograph_handle_alone_is_an_impostor() {
    for handle in [
        "P\u{0430}lmerReport",
        "PalmerRep0rt",
        "Pa1merReport",
        "PaIrnerReport",
    ] {
        let a = assess(&profile(Platform::X, handle, None));
        assert_eq!(a.verdict, Verdict::Impostor, "{handle}: {a:#?}");
        assert!(a.reasons[0].signal == Signal::ConfusableHandle, "{a:#?}");
    }
    let a = assess(&profile(Platform::Bluesky, "xn--plmerreport-yij.com", None));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(
        has(&a, Signal::ConfusableHandle, "CYRILLIC SMALL LETTER A"),
        "{a:#?}"
    );
}

#[test]
fn near_handles_with_copied_name_are_impostors() {
    for (handle, what) in [
        ("PalmerReportt", "adds"),
        ("PalmerRepor", "drops"),
        ("PamlerReport", "swaps"),
        ("Palmer_Report", "separators"),
        ("RealPalmerReport", "\"Real\""),
        ("PalmerReport24", "\"24\""),
        ("ThePalmerReport", "\"The\""),
    ] {
        let a = assess(&aged(
            profile(Platform::X, handle, Some("Palmer Report")),
            3,
            12,
        ));
        assert_eq!(a.verdict, Verdict::Impostor, "{handle}: {a:#?}");
        assert!(has(&a, Signal::NearHandle, what), "{handle}: {a:#?}");
    }
}

#[test]
fn near_handle_without_a_name_is_suspicious_when_it_may_be_another_name() {
    // A different initial (or a respelled word) may be somebody else's own handle.
    let a = assess(&profile(Platform::X, "TalmerReport", Some("Sam")));
    assert_eq!(a.verdict, Verdict::Suspicious, "{a:#?}");
    // A typing slip of the handle (a letter doubled, dropped or swapped) is squatting.
    for handle in [
        "PalmerReportt",
        "PalmerRepor",
        "PamlerReport",
        "PalmerRepirt",
    ] {
        let a = assess(&profile(Platform::X, handle, Some("Sam")));
        assert_eq!(a.verdict, Verdict::Impostor, "{handle}: {a:#?}");
    }
    // One edit from a short handle needs a second copied element.
    let short = Detector::new(
        Identity {
            name: "Kim Lee".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::X,
                handle: "kimlee".into(),
            }],
            avatar: None,
            bio: None,
        },
        None,
    );
    let a = short.assess(&profile(Platform::X, "kimlees", Some("Sam")), None, now());
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
    let a = short.assess(
        &profile(Platform::X, "kimlees", Some("Kim Lee")),
        None,
        now(),
    );
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
}

#[test]
fn same_username_on_another_server_or_domain() {
    let a = assess(&profile(
        Platform::Mastodon,
        "PalmerReport@mstdn.social",
        Some("Palmer Report"),
    ));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::NearHandle, "another server (mstdn.social)"));

    let a = assess(&profile(
        Platform::Bluesky,
        "palmerreport.bsky.social",
        Some("Palmer Report"),
    ));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::NearHandle, "custom domain"));
}

#[test]
fn copied_name_and_bio_on_a_fresh_account_is_an_impostor() {
    let mut p = aged(
        profile(Platform::X, "SamOkafor812", Some("Palmer Report")),
        2,
        4,
    );
    p.bio = Some(format!("<p>{BIO}</p>"));
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::Bio, "copies yours"));
    assert!(has(&a, Signal::Context, "created 2 days ago"));
}

#[test]
fn name_alone_is_never_an_impostor() {
    // On an established account of its own: a namesake.
    let mut p = aged(
        profile(Platform::X, "PalmerFishing", Some("Palmer Report")),
        2000,
        15_000,
    );
    p.bio = Some("Fishing reports from Lake Palmer, every morning.".into());
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
    assert!(has(&a, Signal::Context, "namesake"));
    // On a fresh account: worth a look, not more.
    let a = assess(&aged(
        profile(Platform::X, "SamOkafor812", Some("Palmer Report")),
        1,
        0,
    ));
    assert_eq!(a.verdict, Verdict::Suspicious, "{a:#?}");
}

#[test]
fn another_real_name_one_letter_away_is_clear() {
    let a = assess(&aged(
        profile(Platform::X, "ParkerReport", Some("Parker Report")),
        90,
        40,
    ));
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
    assert!(has(&a, Signal::Context, "different name"), "{a:#?}");
    // The same handle posing with the person's name is not a namesake.
    let a = assess(&profile(Platform::X, "ParkerReport", Some("Palmer Report")));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
}

#[test]
fn own_accounts_are_never_alerts() {
    for (platform, handle) in [
        (Platform::X, "palmerreport"),
        (Platform::X, "@PalmerReport"),
        (Platform::Bluesky, "PalmerReport.com"),
        (Platform::Mastodon, "palmerreport@Mastodon.Social"),
    ] {
        let a = assess(&profile(platform, handle, Some("Palmer Report")));
        assert_eq!(a.verdict, Verdict::Clear, "{handle}: {a:#?}");
        assert_eq!(a.reasons.len(), 1);
        assert_eq!(a.reasons[0].signal, Signal::OwnAccount);
    }
}

#[test]
fn parody_and_fan_statements_lower_the_verdict_and_are_shown() {
    let mut p = profile(Platform::X, "PaImerReport", Some("Palmer Report"));
    p.labels = vec!["parody".into()];
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Suspicious, "{a:#?}");
    assert!(has(&a, Signal::Disclaimer, "parody"));

    let mut p = profile(Platform::X, "PalmerReportFan", Some("Palmer Report Fans"));
    p.bio = Some("Fan account, not affiliated with Palmer Report.".into());
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Suspicious, "{a:#?}");
    assert!(has(&a, Signal::Disclaimer, "not affiliated"));

    // The person's own words in a copied bio are no disclaimer ("commentary").
    let mut p = aged(
        profile(Platform::X, "SamOkafor812", Some("Palmer Report")),
        2,
        4,
    );
    p.bio = Some(BIO.into());
    let a = assess(&p);
    assert!(
        !a.reasons.iter().any(|r| r.signal == Signal::Disclaimer),
        "{a:#?}"
    );
}

#[test]
fn mentioning_the_person_is_not_impersonation() {
    let mut p = aged(
        profile(Platform::X, "SamWrites", Some("Sam Okafor")),
        400,
        120,
    );
    p.bio = Some("Big fan of @PalmerReport. Retired teacher.".into());
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
    assert!(
        has(&a, Signal::Context, "mentions you (@palmerreport)"),
        "{a:#?}"
    );
}

#[test]
fn disguised_names_check_marks_and_claims() {
    // Cyrillic letters in the display name: disguised on purpose.
    let a = assess(&profile(
        Platform::X,
        "sam_okafor",
        Some("P\u{0430}lmer Rep\u{043E}rt"),
    ));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(
        has(&a, Signal::DisplayName, "CYRILLIC SMALL LETTER A"),
        "{a:#?}"
    );

    // A fake verification mark with the copied name.
    let a = assess(&profile(
        Platform::X,
        "Okafor2231",
        Some("Palmer Report ✔️"),
    ));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::FakeVerification, "U+2714"));

    // "Backup account" with the copied name.
    let mut p = profile(Platform::X, "samokafor", Some("Palmer Report"));
    p.bio = Some("My old account was suspended, this is my backup account".into());
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::Context, "backup account"));

    // A platform's "impersonation" label with the copied name.
    let mut p = profile(
        Platform::Bluesky,
        "samokafor.bsky.social",
        Some("Palmer Report"),
    );
    p.labels = vec!["impersonation".into()];
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(
        &a,
        Signal::Context,
        "labels this account as impersonation"
    ));

    // A check mark on an unrelated name is nobody's business.
    let a = assess(&profile(Platform::X, "samokafor", Some("Sam Okafor ✅")));
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
}

#[test]
fn hidden_characters_are_named_never_printed() {
    let a = assess(&profile(
        Platform::Other("web".into()),
        "Palmer\u{200B}Report",
        Some("Palmer\u{202E}Report"),
    ));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(
        has(&a, Signal::HiddenCharacters, "ZERO WIDTH SPACE (U+200B)"),
        "{a:#?}"
    );
    assert!(
        has(
            &a,
            Signal::HiddenCharacters,
            "RIGHT-TO-LEFT OVERRIDE (U+202E)"
        ),
        "{a:#?}"
    );
}

#[test]
fn reordered_and_shortened_names_count_with_a_near_handle() {
    let a = assess(&profile(
        Platform::X,
        "PalmerReport1",
        Some("Report Palmer"),
    ));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::DisplayName, "reordered"));
    let a = assess(&profile(Platform::X, "Bill_Palmer_", Some("B. Palmer")));
    assert!(a.verdict <= Verdict::Suspicious, "{a:#?}");
    let a = assess(&profile(Platform::X, "RealPalmerReport", Some("P. Report")));
    assert_eq!(a.verdict, Verdict::Impostor, "{a:#?}");
    assert!(has(&a, Signal::DisplayName, "initial"));
}

#[test]
fn unrelated_accounts_are_clear() {
    let mut p = aged(
        profile(
            Platform::Bluesky,
            "samokafor.bsky.social",
            Some("Sam Okafor"),
        ),
        700,
        300,
    );
    p.bio = Some("Independent writer. News, politics and commentary from the Midwest.".into());
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
    assert!(a.score < 0.4);
}

#[test]
fn hostile_unicode_never_panics() {
    // A fixed pseudo-random walk over characters that break naive code: case mappings that change
    // length (İ), combining marks, bidi controls, emoji with joiners, astral letters, separators.
    let pool: Vec<char> =
        "aAIl1|0oO_.-@ İıßẞﬃ\u{0301}\u{0336}\u{200B}\u{200D}\u{202E}\u{2066}\u{FEFF}\u{FE0F}\
                           аеорсмпѕԁ𝐠𝐨Ｐ－✔✅👨💻🇺🇸ϲσ<>&;#x41"
            .chars()
            .collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let d = detector();
    for round in 0..400 {
        let len = (next() % if round % 50 == 0 { 400 } else { 24 }) as usize;
        let mut text = String::new();
        for _ in 0..len {
            text.push(pool[(next() % pool.len() as u64) as usize]);
        }
        let platform = match round % 4 {
            0 => Platform::X,
            1 => Platform::Bluesky,
            2 => Platform::Mastodon,
            _ => Platform::Other("web".into()),
        };
        let mut p = profile(platform, &format!("{text}.bsky.social"), Some(&text));
        p.bio = Some(format!("<p>{text}</p> &amp;{text}"));
        let a = d.assess(&p, None, now());
        assert!((0.0..=1.0).contains(&a.score));
        let p = profile(Platform::Mastodon, &format!("@{text}@{text}"), Some(&text));
        let a = d.assess(&p, None, now());
        assert!((0.0..=1.0).contains(&a.score));
    }
}

#[test]
fn disguised_names_and_fake_marks_count_on_old_accounts_too() {
    let old = |name: &str| {
        assess(&aged(
            profile(Platform::X, "gardening_notes", Some(name)),
            3000,
            5000,
        ))
    };
    // A special letter standing in for a different letter, another script, a fake check mark:
    // an old account so renamed has been repurposed.
    for name in [
        "Bill Pa\u{1d0}mer",
        "Bi\u{142}l Palmer",
        "Bill P\u{0430}lmer",
        "Bill Palmer \u{2714}",
    ] {
        let a = old(name);
        assert_eq!(a.verdict, Verdict::Impostor, "{name}: {a:#?}");
    }
    // The plain name, or the same letter accented, on an old account of its own: a namesake.
    for name in ["Bill Palmer", "Bill P\u{e1}lmer"] {
        let a = old(name);
        assert_eq!(a.verdict, Verdict::Clear, "{name}: {a:#?}");
    }
}

#[test]
fn namesakes_with_a_bio_of_their_own_are_clear_and_names_are_recognised_in_any_form() {
    let mut p = aged(
        profile(Platform::X, "plumber_bill", Some("Bill Palmer")),
        5,
        3,
    );
    p.bio = Some("Plumber in Adelaide. Hot water systems and blocked drains.".into());
    let a = assess(&p);
    assert_eq!(a.verdict, Verdict::Clear, "{a:#?}");
    assert!(has(&a, Signal::Context, "namesake"), "{a:#?}");
    for (name, how) in [
        ("PALMER BILL", "reordered"),
        ("Palmer, Bill", "reordered"),
        ("B. PALMER", "initial"),
        ("Bill K. Palmer", "middle initial"),
    ] {
        let a = assess(&aged(profile(Platform::X, "someone", Some(name)), 5, 3));
        assert_eq!(a.verdict, Verdict::Suspicious, "{name}: {a:#?}");
        assert!(has(&a, Signal::DisplayName, how), "{name}: {a:#?}");
    }
}
