//! Hostile profiles through the core path: the fake Bluesky holds accounts written by an
//! attacker (bidi overrides and isolates, zero-width and combining floods, 10,000-character
//! names, HTML and `<script>`, `javascript:`/`data:` links, images that claim 60,000 x 60,000
//! pixels, truncated images, animated GIFs, SVG), the real client finds them over loopback
//! (search and Jetstream), the avatar decoder and the detector judge them. Raw servers add what
//! a well-behaved fake never sends: invalid UTF-8 and JSON nesting bombs.
//!
//! Asserted: no panic; the scan goes on (the plain impostor placed next to the hostile ones is
//! found every time); kept fields are bounded; every reason is bounded and carries no raw bidi
//! or control character; the avatar decoder refuses hostile images within bounded memory.
//!
//! Run: `cargo test --test hostile_profiles`.

mod hostile_support;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use doppelwatch::config::Config;
use doppelwatch::detect::{avatar, Detector, Verdict};
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::bluesky::live::{run_live, LiveEvent};
use doppelwatch::sources::bluesky::BlueskySource;
use doppelwatch::sources::text::MAX_FIELD_CHARS;
use doppelwatch::sources::{Found, Source};
use hostile_support::{assert_inert_text, fixture, peak_rss_mib, RawResponse, RawServer};
use tokio::sync::mpsc;

/// Longest reason sentence accepted (the detector quotes at most 80 characters of a field).
const MAX_REASON_CHARS: usize = 2_000;

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![
            AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.com".into(),
            },
            AccountHandle {
                platform: Platform::X,
                handle: "PalmerReport".into(),
            },
        ],
        avatar: None,
        bio: Some("Independent news and commentary since 2016.".into()),
    }
}

/// The plain impostor that must be found whatever else the server holds.
const CANARY: &str = "palmer-report-canary.bsky.social";

/// Hostile accounts: (what it tries, the account). Every handle carries the words "palmer" and
/// "report" so the search finds each one; the point is what happens after.
fn hostile_accounts() -> Vec<(&'static str, FakeAccount)> {
    let h = |n: &str| format!("palmer-report-{n}.bsky.social");
    vec![
        (
            "bidi override U+202E in the name",
            FakeAccount::new(h("rlo")).name("Palmer \u{202E}tropeR"),
        ),
        (
            "bidi isolates U+2066-2069 in the name",
            FakeAccount::new(h("isolate"))
                .name("\u{2066}Palmer\u{2069} \u{2067}Report\u{2069} \u{2068}✔\u{2069}"),
        ),
        (
            "zero-width flood in the name",
            FakeAccount::new(h("zw")).name(format!(
                "Pal{}mer Report{}",
                "\u{200B}".repeat(1000),
                "\u{200D}\u{FEFF}".repeat(500)
            )),
        ),
        (
            "combining-character flood in the name",
            FakeAccount::new(h("zalgo")).name(format!("P{}almer Report", "\u{0301}".repeat(2000))),
        ),
        (
            "10,000-character name and bio",
            FakeAccount::new(h("long"))
                .name(format!("Palmer Report {}", "W".repeat(10_000)))
                .bio("Independent news and commentary since 2016. ".repeat(250)),
        ),
        (
            "HTML and <script> in the bio",
            FakeAccount::new(h("script"))
                .name("Palmer Report")
                .bio("<b>Official</b><script>alert(1)</script><img src=x onerror=alert(2)>"),
        ),
        (
            // Shown as text it is not the person's name, so no verdict is asserted: it must
            // only be found and stay inert.
            "<script> in the display name",
            FakeAccount::new(h("scriptname"))
                .name("<script>alert('name')</script><img src=x onerror=alert(1)>Palmer Report"),
        ),
        (
            "javascript: and data: links in the bio",
            FakeAccount::new(h("links")).name("Palmer Report").bio(
                "Backup account javascript:alert(document.cookie) \
                 data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            ),
        ),
        (
            "PNG that claims 60,000 x 60,000 pixels",
            FakeAccount::new(h("hugepng"))
                .name("Palmer Report")
                .avatar(fixture("huge_claim.png")),
        ),
        (
            "JPEG that claims 60,000 x 60,000 pixels",
            FakeAccount::new(h("hugejpg"))
                .name("Palmer Report")
                .avatar(fixture("huge_claim.jpg")),
        ),
        (
            "GIF that claims 60,000 x 60,000 pixels",
            FakeAccount::new(h("hugegif"))
                .name("Palmer Report")
                .avatar(fixture("huge_claim.gif")),
        ),
        (
            "truncated PNG",
            FakeAccount::new(h("cutpng"))
                .name("Palmer Report")
                .avatar(fixture("truncated.png")),
        ),
        (
            "truncated JPEG",
            FakeAccount::new(h("cutjpg"))
                .name("Palmer Report")
                .avatar(fixture("truncated.jpg")),
        ),
        (
            "animated GIF",
            FakeAccount::new(h("anim"))
                .name("Palmer Report")
                .avatar(fixture("animated.gif")),
        ),
        (
            "SVG with a script",
            FakeAccount::new(h("svg"))
                .name("Palmer Report")
                .avatar(fixture("script.svg")),
        ),
    ]
}

fn config_for(base_url: &str, jetstream_url: &str) -> Config {
    let mut config = Config::default();
    config.bluesky.base_url = base_url.into();
    config.bluesky.pds_url = base_url.into();
    config.bluesky.jetstream_url = jetstream_url.into();
    config.bluesky.rewind_secs = 0;
    config.http.timeout_secs = 10;
    config.http.max_retries = 1;
    config.allow_loopback_fakes();
    config
}

/// Judges each found account the way the watcher does: avatar decoded and fingerprinted,
/// then assessed. Checks the bounds on everything that reaches a person.
fn judge(found: &[Found]) -> HashMap<String, Verdict> {
    let detector = Detector::new(palmer(), None);
    let mut verdicts = HashMap::new();
    for f in found {
        let p = &f.profile;
        for (what, field) in [
            ("handle", Some(&p.handle)),
            ("display name", p.display_name.as_ref()),
            ("bio", p.bio.as_ref()),
        ] {
            if let Some(field) = field {
                let n = field.chars().count();
                assert!(n <= MAX_FIELD_CHARS, "{}: {what} kept {n} chars", p.handle);
            }
        }
        let fingerprint = f
            .avatar_image
            .as_deref()
            .and_then(|bytes| avatar::fingerprint(bytes).ok());
        let assessment = detector.assess(p, fingerprint.as_ref(), Utc::now());
        assert!((0.0..=1.0).contains(&assessment.score), "{}", p.handle);
        for r in &assessment.reasons {
            assert_inert_text(
                &format!("reason for {}", p.handle),
                &r.detail,
                MAX_REASON_CHARS,
            );
        }
        verdicts.insert(p.handle.clone(), assessment.verdict);
    }
    verdicts
}

#[tokio::test]
async fn hostile_profiles_are_found_judged_and_kept_inert_and_the_scan_goes_on() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(
        FakeAccount::new("palmerreport.com")
            .name("Palmer Report")
            .avatar(sample_avatar_png(1)),
    );
    let hostile = hostile_accounts();
    for (_, account) in &hostile {
        fake.add_account(account.clone());
    }
    fake.add_account(
        FakeAccount::new(CANARY)
            .name("Palmer Report")
            .avatar(sample_avatar_png(1)),
    );
    let source = BlueskySource::new(&config_for(&fake.base_url(), &fake.jetstream_url())).unwrap();
    let found = source.check(&palmer()).await.expect("the check completes");
    let verdicts = judge(&found);
    assert!(verdicts.contains_key(CANARY), "canary lost: {verdicts:?}");
    for (what, account) in &hostile {
        let verdict = verdicts
            .get(&account.handle)
            .unwrap_or_else(|| panic!("{what}: {} not found", account.handle));
        if !what.contains("in the display name") {
            assert_ne!(*verdict, Verdict::Clear, "{what}: a copy judged clear");
        }
    }
    // Every hostile image either fingerprints or is refused, never panics; the refusals of
    // 60,000 x 60,000 claims happen without allocating the claimed 10 GiB.
    for name in [
        "huge_claim.png",
        "huge_claim.jpg",
        "huge_claim.gif",
        "truncated.png",
        "truncated.jpg",
        "script.svg",
    ] {
        assert!(
            avatar::fingerprint(&fixture(name)).is_err(),
            "{name} cannot be an honest fingerprint"
        );
    }
    let _ = avatar::fingerprint(&fixture("animated.gif"));
    if let Some(peak) = peak_rss_mib() {
        assert!(peak < 1024, "peak RSS {peak} MiB after hostile images");
    }
    eprintln!(
        "hostile profiles: {} tried, {} found and judged",
        hostile.len(),
        found.len()
    );
}

#[tokio::test]
async fn hostile_profiles_arriving_live_are_confirmed_and_bounded() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    let source = BlueskySource::new(&config_for(&fake.base_url(), &fake.jetstream_url())).unwrap();
    let identity = palmer();
    let (tx, mut rx) = mpsc::channel(256);
    let start = fake.latest_time_us();
    let live = run_live(&source, &identity, Some(start), tx);
    let hostile = hostile_accounts();
    let drive = async {
        let mut found = Vec::new();
        let mut added = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            match event {
                LiveEvent::Connected { .. } if !added => {
                    added = true;
                    for (_, account) in &hostile {
                        fake.add_account(account.clone());
                    }
                    fake.add_account(FakeAccount::new(CANARY).name("Palmer Report"));
                }
                LiveEvent::Found(f) => {
                    found.push(*f);
                    let all = hostile
                        .iter()
                        .all(|(_, a)| found.iter().any(|f| f.profile.handle == a.handle))
                        && found.iter().any(|f| f.profile.handle == CANARY);
                    if all {
                        break;
                    }
                }
                _ => {}
            }
        }
        drop(rx);
        found
    };
    let ((), found) = tokio::join!(live, drive);
    let verdicts = judge(&found);
    assert!(verdicts.contains_key(CANARY), "canary lost: {verdicts:?}");
    for (what, account) in &hostile {
        assert!(
            verdicts.contains_key(&account.handle),
            "{what}: {} not seen live ({verdicts:?})",
            account.handle
        );
    }
}

/// A search page as the AppView shapes it, from raw actor JSON texts.
fn page(actors: &[&[u8]]) -> Vec<u8> {
    let mut body = b"{\"actors\":[".to_vec();
    for (i, a) in actors.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(a);
    }
    body.extend_from_slice(b"]}");
    body
}

const CANARY_VIEW: &[u8] =
    br#"{"did":"did:plc:canary","handle":"palmer-report-canary.bsky.social","displayName":"Palmer Report"}"#;

#[tokio::test]
async fn invalid_utf8_loses_nothing_and_a_nesting_bomb_loses_only_its_answer() {
    let invalid: &[u8] =
        b"{\"did\":\"did:plc:bytes\",\"handle\":\"palmer-report-bytes.bsky.social\",\"displayName\":\"Palmer \xff\xfe\xc0 Report\",\"description\":\"\xed\xa0\x80 lone surrogate\"}";
    let bomb = format!(
        "{{\"did\":\"did:plc:bomb\",\"handle\":\"palmer-report-bomb.bsky.social\",\"labels\":{}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let invalid_page = page(&[invalid, CANARY_VIEW]);
    let bomb_page = page(&[bomb.as_bytes(), CANARY_VIEW]);
    let server = RawServer::start(move |req| {
        if req.target.contains("getProfiles") {
            RawResponse::json(200, "{\"profiles\":[]}")
        } else if req.target.contains("q=Palmer+Report") || req.target.contains("q=Palmer%20Report")
        {
            RawResponse::json(200, bomb_page.clone())
        } else {
            RawResponse::json(200, invalid_page.clone())
        }
    })
    .await;
    let mut config = config_for(&server.base_url, "ws://127.0.0.1:9/subscribe");
    config.http.fetch_avatars = false;
    let source = BlueskySource::new(&config).unwrap();
    let found = source.check(&palmer()).await.expect("the check completes");
    let handles: Vec<&str> = found.iter().map(|f| f.profile.handle.as_str()).collect();
    assert!(handles.contains(&CANARY), "{handles:?}");
    // Invalid UTF-8 in one field costs nothing: the record is kept, the bad bytes replaced.
    let bytes = found
        .iter()
        .find(|f| f.profile.handle == "palmer-report-bytes.bsky.social")
        .unwrap_or_else(|| panic!("record with invalid UTF-8 lost: {handles:?}"));
    assert_eq!(
        bytes.profile.display_name.as_deref(),
        Some("Palmer \u{FFFD}\u{FFFD}\u{FFFD} Report")
    );
    assert!(!handles.contains(&"palmer-report-bomb.bsky.social"));
    judge(&found);
}

#[test]
fn a_right_to_left_override_cannot_hide_a_copied_name() {
    // Regression: "Palmer \u{202E}tropeR" is displayed as "Palmer Report" but was compared
    // in logical order only, and judged clear.
    let detector = Detector::new(palmer(), None);
    for shown_as_copy in ["Palmer \u{202E}tropeR", "\u{202E}tropeR remlaP\u{202C}"] {
        let profile = doppelwatch::profile::Profile {
            platform: Platform::Bluesky,
            handle: "someone-else.bsky.social".into(),
            display_name: Some(shown_as_copy.into()),
            ..Default::default()
        };
        let assessment = detector.assess(&profile, None, Utc::now());
        assert_ne!(assessment.verdict, Verdict::Clear, "{shown_as_copy:?}");
        assert!(
            assessment
                .reasons
                .iter()
                .any(|r| r.detail.contains("right-to-left override")),
            "{assessment:?}"
        );
        for r in &assessment.reasons {
            assert_inert_text("reason", &r.detail, MAX_REASON_CHARS);
        }
    }
}

#[test]
fn a_flood_of_invisible_or_combining_characters_cannot_push_the_name_out_of_view() {
    // Regression: names were cut to 200 characters before invisible ones were dropped, so
    // 2,000 combining marks (or zero-width spaces) ahead of "almer Report" hid the copy.
    let detector = Detector::new(palmer(), None);
    for flood in ["\u{0301}", "\u{200B}", "\u{200D}"] {
        let profile = doppelwatch::profile::Profile {
            platform: Platform::Bluesky,
            handle: "someone-else.bsky.social".into(),
            display_name: Some(format!("P{}almer Report", flood.repeat(2000))),
            ..Default::default()
        };
        let assessment = detector.assess(&profile, None, Utc::now());
        assert_ne!(
            assessment.verdict,
            Verdict::Clear,
            "{flood:?}: {assessment:?}"
        );
        for r in &assessment.reasons {
            assert_inert_text("reason", &r.detail, MAX_REASON_CHARS);
        }
    }
}
