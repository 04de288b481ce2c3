//! Report drafts per platform and the evidence bundle, from alerts stored in a real SQLite file.

mod support_watch;

use std::io::Read;

use doppelwatch::detect::Signal;
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::report::{self, ReportApi};
use doppelwatch::store::{AlertChange, Finding, Store};
use sha2::{Digest, Sha256};
use support_watch::*;
use unicode_segmentation::UnicodeSegmentation;

fn stored_alert(store: &Store, profile: Profile, signals: &[Signal]) -> doppelwatch::store::Alert {
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let f = found(profile);
    let a = impostor_assessment(signals);
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &f,
                assessment: &a,
            },
            t(0),
        )
        .unwrap();
    let (AlertChange::New(id) | AlertChange::Updated(id)) = out.alert else {
        panic!("{:?}", out.alert)
    };
    store.alert(id).unwrap()
}

fn x_impostor() -> Profile {
    Profile {
        platform: Platform::X,
        handle: "PaImerReport".into(),
        display_name: Some("Palmer Report\u{202E}".into()),
        bio: Some("<script>alert(1)</script> news".into()),
        platform_id: Some("1790000000000".into()),
        ..Default::default()
    }
}

#[test]
fn x_draft_names_the_account_the_person_and_the_copied_elements() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let alert = stored_alert(&store, x_impostor(), &[Signal::DisplayName, Signal::Avatar]);
    let d = report::draft(&alert, None);
    assert_eq!(d.platform, Platform::X);
    assert_eq!(
        d.form_url.as_deref(),
        Some("https://help.x.com/en/forms/authenticity/impersonation")
    );
    assert_eq!(d.api, None, "X has no report API");
    assert_eq!(d.impostor_url, "https://x.com/PaImerReport");
    assert!(d.text.contains("https://x.com/PaImerReport"), "{}", d.text);
    assert!(
        d.text.contains("impersonates me, Palmer Report"),
        "{}",
        d.text
    );
    assert!(
        d.text.contains("- my name, written \"Palmer Report<U+202E>\" with an invisible character (U+202E) added\n- my photo\n"),
        "{}",
        d.text
    );
    assert!(
        d.text.contains("- X: https://x.com/PalmerReport"),
        "{}",
        d.text
    );
    assert!(d
        .text
        .contains("- Bluesky: https://bsky.app/profile/palmerreport.com"));
    assert!(d.text.contains("I first saw it on "), "{}", d.text);
    assert!(d
        .text
        .contains("two or more identity elements; this one copies 2 (name and photo)"));
    // The bidi override is shown, not obeyed.
    assert!(d.text.contains("Palmer Report<U+202E>"), "{}", d.text);
    assert!(!d.text.contains('\u{202E}'));
}

#[test]
fn every_form_platform_links_its_official_form() {
    let cases = [
        (Platform::Instagram, "https://help.instagram.com/contact/636276399721841"),
        (Platform::Threads, "https://help.instagram.com/contact/636276399721841"),
        (Platform::Youtube, "https://support.google.com/youtube/answer/2801947"),
        (
            Platform::Tiktok,
            "https://support.tiktok.com/en/safety-hc/report-a-problem/report-an-impersonation-account",
        ),
        (Platform::Github, "https://github.com/contact/report-abuse"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    for (platform, form) in cases {
        let profile = Profile {
            platform: platform.clone(),
            handle: "palmer.report".into(),
            display_name: Some("Palmer Report".into()),
            ..Default::default()
        };
        let alert = stored_alert(&store, profile, &[Signal::DisplayName]);
        let d = report::draft(&alert, None);
        assert_eq!(d.form_url.as_deref(), Some(form), "{platform}");
        assert_eq!(d.api, None);
        assert!(d.fields.iter().any(|f| f.label == "Account to report"));
    }
    let yt = report::draft(
        &stored_alert(
            &store,
            Profile {
                platform: Platform::Youtube,
                handle: "palmerreport".into(),
                ..Default::default()
            },
            &[Signal::NearHandle],
        ),
        None,
    );
    assert!(yt.in_app_path.unwrap().contains("Impersonation"));
}

#[test]
fn api_drafts_fit_the_platform_limits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let mut bsky = bsky_profile("did:plc:imp", "palmer-report.bsky.social", "PaImer Report");
    bsky.bio = Some("x".repeat(5000));
    let alert = stored_alert(&store, bsky, &[Signal::DisplayName, Signal::Bio]);
    let d = report::draft(&alert, None);
    assert_eq!(d.api, Some(ReportApi::BlueskyCreateReport));
    assert!(d.text.chars().count() <= 2000);
    assert!(d
        .text
        .contains("https://bsky.app/profile/palmer-report.bsky.social"));

    let masto = Profile {
        platform: Platform::Mastodon,
        handle: "palmer@evil.example".into(),
        display_name: Some("Palmer Report".into()),
        bio: Some("y".repeat(3000)),
        ..Default::default()
    };
    let alert = stored_alert(&store, masto, &[Signal::DisplayName]);
    let d = report::draft(&alert, None);
    assert_eq!(d.api, Some(ReportApi::MastodonReports));
    assert_eq!(d.impostor_url, "https://evil.example/@palmer");
    assert!(d.text.chars().count() <= 1000);
}

#[test]
fn the_evidence_bundle_is_one_zip_with_a_verifiable_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let avatar_path = dir.path().join("me.png");
    std::fs::write(&avatar_path, b"\x89PNG\r\n\x1a\nmy-real-avatar").unwrap();
    let store = Store::open_in(&dir.path().join("data")).unwrap();
    let mut person = palmer();
    person.avatar = Some(avatar_path);
    let identity_id = store.upsert_identity(&person).unwrap();
    let v1 = found(bsky_profile("did:plc:imp", "imp.bsky.social", "Gardening"));
    store
        .record_finding(
            Finding {
                identity_id,
                found: &v1,
                assessment: &clear(),
            },
            t(0),
        )
        .unwrap();
    let v2 = found(bsky_profile(
        "did:plc:imp",
        "imp.bsky.social",
        "PaImer Report",
    ));
    let a = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    let AlertChange::New(id) = store
        .record_finding(
            Finding {
                identity_id,
                found: &v2,
                assessment: &a,
            },
            t(60),
        )
        .unwrap()
        .alert
    else {
        panic!()
    };
    let out = dir.path().join("case.zip");
    let summary = report::evidence::export_bundle(&store, id, &out, t(120)).unwrap();
    assert!(out.exists());
    assert!(!dir.path().join("case.partial").exists());

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(String::from).collect();
    names.sort();
    for expected in [
        "MANIFEST.sha256",
        "README.txt",
        "case.json",
        "impostor/profile-001.json",
        "impostor/profile-002.json",
        "person/avatar.png",
        "person/identity.json",
        "reports.json",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(names
        .iter()
        .any(|n| n.starts_with("impostor/avatar-") && n.ends_with(".png")));
    let mut manifest = String::new();
    zip.by_name("MANIFEST.sha256")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(manifest.as_bytes())),
        summary.manifest_sha256
    );
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines.len(), names.len() - 1, "every other file is listed");
    for line in lines {
        let (sha, name) = line.split_once("  ").unwrap();
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), sha, "{name}");
    }
    let mut case = String::new();
    zip.by_name("case.json")
        .unwrap()
        .read_to_string(&mut case)
        .unwrap();
    let case: serde_json::Value = serde_json::from_str(&case).unwrap();
    assert_eq!(case["reasons"].as_array().unwrap().len(), 2);
    assert_eq!(
        case["impostor_url"],
        "https://bsky.app/profile/imp.bsky.social"
    );
}

/// A person with a long name and hostile, long profile text on the impostor's side.
fn long_hostile_profile(platform: Platform, handle: &str) -> Profile {
    Profile {
        platform,
        handle: handle.into(),
        display_name: Some(format!("PaImer Report\u{202E}\u{200B}{}", "Ω".repeat(200))),
        bio: Some(format!(
            "<img src=x onerror=alert(1)> \u{2066}hidden\u{2069} {}",
            "Independent political news. ".repeat(200)
        )),
        platform_id: Some("did:plc:imp".into()),
        ..Default::default()
    }
}

/// The checks every platform's draft passes: the person speaks ("me", "my"), never the app
/// ("your"); hidden characters show as code points; it ends on a whole sentence; every URL
/// in it is whole.
fn assert_voice(text: &str, impostor_url: &str, limit_chars: usize) {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    assert!(words.iter().any(|w| w == "me"), "{text}");
    assert!(words.iter().any(|w| w == "my"), "{text}");
    assert!(
        !words.iter().any(|w| w == "your" || w == "yours"),
        "the draft speaks as the person, not to them:\n{text}"
    );
    assert!(
        text.chars().count() <= limit_chars,
        "{} > {limit_chars}",
        text.chars().count()
    );
    assert!(
        !text.chars().any(|c| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')),
        "hidden characters act in:\n{text}"
    );
    assert!(
        text.contains("<U+202E>"),
        "the bidi override is shown:\n{text}"
    );
    assert!(text.trim_end().ends_with('.'), "whole sentences:\n{text}");
    assert!(
        text.contains(&format!("Account: {impostor_url}\n")),
        "{text}"
    );
    let known = [
        impostor_url,
        "https://x.com/PalmerReport",
        "https://bsky.app/profile/palmerreport.com",
        "https://mastodon.example/@palmer",
        "https://bsky.app/profile/imp.bsky.social/post/3kwalk",
        "https://bsky.app/profile/imp.bsky.social/post/3kcopy",
        "https://bsky.app/profile/imp.bsky.social/post/3khost",
    ];
    for url in text
        .split_whitespace()
        .filter(|w| w.starts_with("https://"))
    {
        assert!(
            known.contains(&url),
            "a URL was cut or altered: {url}\n{text}"
        );
    }
}

#[test]
fn bluesky_draft_speaks_as_the_person_and_fits_create_report() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let profile = long_hostile_profile(Platform::Bluesky, "palmerreport.bsky.social");
    let alert = stored_alert(
        &store,
        profile,
        &[
            Signal::DisplayName,
            Signal::Avatar,
            Signal::Bio,
            Signal::NearHandle,
        ],
    );
    let posts = impostor_posts();
    let d = report::draft_with_posts(&alert, None, &posts);
    assert_eq!(d.api, Some(ReportApi::BlueskyCreateReport));
    // com.atproto.moderation.createReport: reason maxGraphemes 2000, maxLength 20000 (bytes).
    assert!(d.text.graphemes(true).count() <= 2000);
    assert!(d.text.len() <= 20000);
    assert_voice(
        &d.text,
        "https://bsky.app/profile/palmerreport.bsky.social",
        2000,
    );
    assert!(d.text.contains("my photo"), "{}", d.text);
    assert!(
        d.text
            .contains("a handle made to look like mine (@palmerreport.com)"),
        "{}",
        d.text
    );
    // One or two posts quoted, the flagged ones first; the hashtag named.
    assert!(d.text.contains("\"I was a progressive for twenty years. Not anymore. #WalkAway\" https://bsky.app/profile/imp.bsky.social/post/3kwalk"), "{}", d.text);
    assert!(
        d.text.contains("hashtags I never use: #walkaway."),
        "{}",
        d.text
    );
    assert!(
        d.text.contains("It reposts my own posts as its own."),
        "{}",
        d.text
    );
    assert!(
        !d.text.contains("3khost"),
        "two examples at most:\n{}",
        d.text
    );
}

#[test]
fn mastodon_draft_speaks_as_the_person_within_1000_characters() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let mut profile = long_hostile_profile(Platform::Mastodon, "palmer@evil.example");
    profile.platform_id = Some("109".into());
    let alert = stored_alert(
        &store,
        profile,
        &[
            Signal::DisplayName,
            Signal::Avatar,
            Signal::Bio,
            Signal::NearHandle,
            Signal::HiddenCharacters,
        ],
    );
    let mut posts = impostor_posts();
    posts.rotate_left(2); // the hostile post first
    for p in &mut posts {
        p.flags.clear();
    }
    let d = report::draft_with_posts(&alert, None, &posts);
    assert_eq!(d.api, Some(ReportApi::MastodonReports));
    assert_voice(&d.text, "https://evil.example/@palmer", 1000);
    // The hostile post is quoted as text: its markup visible, its controls shown.
    let quoted = d
        .text
        .lines()
        .find(|l| l.contains("click</a>"))
        .unwrap_or_default();
    assert!(
        quoted.contains("javascript:alert(1)") && quoted.contains("<U+200B>"),
        "{}",
        d.text
    );
    assert!(
        d.text
            .contains("a handle one character away from mine (@palmer@mastodon.example)")
            || d.text.contains("mine (@palmer@mastodon.example)"),
        "{}",
        d.text
    );
}

#[test]
fn x_draft_speaks_as_the_person_and_fills_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let mut profile = long_hostile_profile(Platform::X, "PaImerReport");
    profile.display_name = Some("PaImer Report\u{202E}".into());
    profile.platform_id = Some("1790000000000".into());
    let alert = stored_alert(
        &store,
        profile,
        &[
            Signal::DisplayName,
            Signal::Avatar,
            Signal::ConfusableHandle,
        ],
    );
    let d = report::draft_with_posts(&alert, None, &impostor_posts());
    assert_eq!(d.api, None);
    assert_voice(&d.text, "https://x.com/PaImerReport", 2000);
    assert!(
        d.text.contains("a handle one character away from mine (@PalmerReport): capital I in place of lowercase l"),
        "{}",
        d.text
    );
    assert!(
        d.text
            .contains("my name, written \"PaImer Report<U+202E>\""),
        "{}",
        d.text
    );
    assert!(
        d.text.contains("I am the person impersonated"),
        "{}",
        d.text
    );
    assert!(
        d.text
            .contains("this one copies 3 (name, photo and handle)"),
        "{}",
        d.text
    );
    let field = |label: &str| {
        d.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("Account to report"), "https://x.com/PaImerReport");
    assert_eq!(
        field("Account being impersonated"),
        "Palmer Report (PalmerReport)"
    );
    assert_eq!(field("Description"), d.text);
}
