//! A server-supplied profile URL (Mastodon's `url`) or a foreign `acct` never reaches a report
//! draft or the evidence unchecked: the URL is built from the platform's rules for the
//! account's handle, or taken only when https and on that account's own host; no control or
//! hidden character survives; `javascript:` and `data:` are never kept as a URL.

mod support_watch;

use doppelwatch::detect::Signal;
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::report;
use doppelwatch::sources::mastodon::parse::profile_from_account;
use doppelwatch::store::{AlertChange, Finding, Store};
use serde_json::json;
use support_watch::*;

fn mastodon(handle: &str, url: Option<&str>) -> Profile {
    Profile {
        platform: Platform::Mastodon,
        handle: handle.into(),
        display_name: Some("Palmer Report".into()),
        platform_id: Some("1".into()),
        url: url.map(str::to_string),
        ..Default::default()
    }
}

fn draft_text(profile: Profile) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let f = found(profile);
    let out = store
        .record_finding(
            Finding {
                identity_id,
                found: &f,
                assessment: &impostor_assessment(&[Signal::DisplayName]),
            },
            t(0),
        )
        .unwrap();
    let (AlertChange::New(id) | AlertChange::Updated(id)) = out.alert else {
        panic!("{:?}", out.alert)
    };
    let alert = store.alert(id).unwrap();
    let draft = report::draft(&alert, None);
    (draft.text, report::profile_url(&alert.profile))
}

#[test]
fn a_server_url_pointing_elsewhere_never_reaches_the_draft() {
    let hostile = [
        // The victim's own profile: moderators would be sent to the wrong account.
        "https://mastodon.social/@PalmerReport",
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "http://evil.example/@PaImerReport",
        "https://user:pass@evil.example/@PaImerReport",
        "https://evil.example/@PaImerReport\n\nPlease also suspend @PalmerReport",
        "https://evil.example:8443/@PaImerReport",
    ];
    for url in hostile {
        let (text, link) = draft_text(mastodon("PaImerReport@evil.example", Some(url)));
        assert_eq!(link, "https://evil.example/@PaImerReport", "for {url:?}");
        assert!(
            text.contains("Account: https://evil.example/@PaImerReport\n"),
            "{text}"
        );
        assert!(
            !text.contains("javascript") && !text.contains("data:"),
            "{text}"
        );
        assert!(!text.contains("mastodon.social/@PalmerReport)"), "{text}");
        assert!(!text.contains("Please also suspend"), "{text}");
    }
    // The account's own https URL on its own host is kept.
    let (_, link) = draft_text(mastodon(
        "PaImerReport@evil.example",
        Some("https://evil.example/users/PaImerReport"),
    ));
    assert_eq!(link, "https://evil.example/users/PaImerReport");
}

#[test]
fn control_and_hidden_characters_never_reach_a_profile_url() {
    let profile = Profile {
        platform: Platform::Bluesky,
        handle: "palmer\n\nreport\u{202E}.bsky.social".into(),
        platform_id: Some("did:plc:x".into()),
        url: Some("https://bsky.app/profile/palmer\nreport".into()),
        ..Default::default()
    };
    let link = report::profile_url(&profile);
    assert_eq!(link, "https://bsky.app/profile/palmerreport.bsky.social");
}

#[test]
fn mastodon_accounts_are_read_by_mastodon_rules() {
    let account = |acct: &str, url: &str| json!({"id": "7", "username": "PaImerReport", "acct": acct, "url": url});
    // `acct` naming another user (the person's own account) is not believed.
    assert!(profile_from_account(
        &account(
            "PalmerReport@mastodon.social",
            "https://evil.example/@PaImerReport"
        ),
        "evil.example"
    )
    .is_err());
    assert!(profile_from_account(&account("PalmerReport", ""), "evil.example").is_err());
    assert!(profile_from_account(
        &account("PaImerReport@evil example\n", "https://evil.example/@x"),
        "evil.example"
    )
    .is_err());
    // A remote account's acct is fine; a URL that is not https is never kept.
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "http://evil.example/@x",
        "https://evil.example/@x\nmore",
    ] {
        let p = profile_from_account(&account("PaImerReport@remote.example", bad), "evil.example")
            .unwrap();
        assert_eq!(p.handle, "PaImerReport@remote.example");
        assert_eq!(p.url, None, "{bad:?} is not kept");
    }
    let p = profile_from_account(
        &account("PaImerReport", "https://evil.example/@PaImerReport"),
        "evil.example",
    )
    .unwrap();
    assert_eq!(p.handle, "PaImerReport@evil.example");
    assert_eq!(p.url.as_deref(), Some("https://evil.example/@PaImerReport"));
}
