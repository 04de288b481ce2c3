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
        d.text.contains("It copies my name and photo."),
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
    assert!(
        d.text.contains("avatar matches yours"),
        "the reasons in words"
    );
    assert!(d.text.contains("First seen: "), "{}", d.text);
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
