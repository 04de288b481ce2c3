//! Fuzz target bodies. Each takes arbitrary bytes, feeds them to one of Doppelwatch's parsers
//! or normalisers, and checks the properties that must hold for *any* input: no panic, output
//! bounded in size, no raw bidi control in text meant for people, scores in range.
//!
//! Shared by the libFuzzer binaries in `fuzz/fuzz_targets/` (coverage-guided, `scripts/fuzz`)
//! and by `tests/hostile_fuzz_corpus.rs`, which replays the seed corpus and every crash
//! regression on stable Rust in the ordinary test run. Only crates the root package already
//! depends on are used, so both builds compile this file unchanged.

use chrono::{DateTime, TimeZone, Utc};
use doppelwatch::detect::confusables::{
    align, confusable_skeleton, describe_lookalikes, display_safe, hidden_characters,
    is_bidi_control, is_mixed_script, max_combining_run,
};
use doppelwatch::detect::{avatar, variants, Detector, Verdict};
use doppelwatch::identity::{validate_handle, AccountHandle, Identity, Platform};
use doppelwatch::profile::Profile;
use doppelwatch::sources::bluesky::matcher::LiveMatcher;
use doppelwatch::sources::bluesky::parse::{jetstream_event, profile_page, JetstreamEvent};
use doppelwatch::sources::ratelimit::RateLimitInfo;
use doppelwatch::sources::text::{html_to_text, MAX_FIELD_CHARS};

/// A target body: any bytes in, a panic on a broken property.
pub type Target = fn(&[u8]);

/// Every target, by the name its libFuzzer binary and seed directory carry.
pub const TARGETS: &[(&str, Target)] = &[
    ("confusables", confusables),
    ("handles", handles),
    ("score", score),
    ("bluesky_json", bluesky_json),
    ("jetstream", jetstream),
    ("avatar", avatar_decode),
    ("html_text", html_text),
    ("ratelimit_headers", ratelimit_headers),
    ("scan_handles", scan_handles),
];

/// Longest reason sentence the detector may write (it quotes at most 80 characters of any
/// field, plus character descriptions); longer means hostile input leaks into the UI unbounded.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Most reasons one assessment may carry.
pub const MAX_REASONS: usize = 40;

/// The bytes as text, invalid UTF-8 replaced (platform text reaches us as JSON strings, which
/// are valid UTF-8 once parsed; raw bytes are the other parsers' business).
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Fields of a structured input, separated by 0xFF (a byte never found in UTF-8).
fn fields(data: &[u8]) -> Vec<String> {
    data.split(|b| *b == 0xFF).map(text).collect()
}

fn platform_of(selector: u8) -> Platform {
    match selector % 5 {
        0 => Platform::X,
        1 => Platform::Bluesky,
        2 => Platform::Mastodon,
        3 => Platform::Github,
        _ => Platform::Other("friendica".into()),
    }
}

fn assert_people_text(what: &str, s: &str, max_chars: usize) {
    let n = s.chars().count();
    assert!(
        n <= max_chars,
        "{what} is {n} characters (limit {max_chars}): {:?}",
        s.chars().take(400).collect::<String>()
    );
    assert!(
        !s.chars().any(is_bidi_control),
        "{what} carries a raw bidi control: {s:?}"
    );
}

/// UTS #39 skeletons, hidden-character scans, alignment and the display-safe quoting.
pub fn confusables(data: &[u8]) {
    let s = text(data);
    let _ = confusable_skeleton(&s);
    let _ = hidden_characters(&s);
    let _ = max_combining_run(&s);
    let _ = is_mixed_script(&s);
    let safe = display_safe(&s);
    assert_people_text("display_safe", &safe, 81 * 10);
    let (a, b) = s.split_at(
        s.char_indices()
            .nth(s.chars().count() / 2)
            .map_or(0, |(i, _)| i),
    );
    let _ = align(a, b);
    for sentence in describe_lookalikes(a, b) {
        assert_people_text("look-alike description", &sentence, MAX_REASON_CHARS);
    }
}

/// Handle validation per platform, then the look-alike variants of valid handles.
pub fn handles(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let platform = platform_of(selector);
    let raw = text(rest);
    if let Ok(handle) = validate_handle(&platform, &raw) {
        // Canonical form is a fixed point.
        assert_eq!(
            validate_handle(&platform, &handle).ok().as_deref(),
            Some(handle.as_str()),
            "validate_handle not idempotent for {raw:?}"
        );
        let limit = (selector as usize % 64) + 1;
        let found = variants::variants(&platform, &handle, limit);
        assert!(
            found.len() <= limit,
            "{} variants > limit {limit}",
            found.len()
        );
        for v in &found {
            assert!(
                validate_handle(&platform, &v.handle).is_ok(),
                "variant {:?} of {handle:?} is not a valid {platform} handle",
                v.handle
            );
        }
    }
}

/// The shared Palmer Report fixture, also on Mastodon, with the bio the corpus was made with.
fn reference_identity() -> Identity {
    let mut identity = doppelwatch::fake::palmer();
    identity.handles.push(AccountHandle {
        platform: Platform::Mastodon,
        handle: "palmer@mastodon.social".into(),
    });
    identity.bio =
        Some("Independent news and commentary since 2016. Founded by Bill Palmer.".into());
    identity
}

/// The scorer on an arbitrary candidate (and, when it validates, an arbitrary identity).
///
/// Layout: byte 0 selects platforms and counts; then fields separated by 0xFF: identity name,
/// alias, identity handle, identity bio, candidate handle, display name, bio, label, created-at.
pub fn score(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let f = fields(rest);
    let get = |i: usize| f.get(i).cloned().unwrap_or_default();
    let opt = |i: usize| f.get(i).filter(|s| !s.is_empty()).cloned();
    let candidate = Identity {
        name: get(0),
        aliases: opt(1).into_iter().collect(),
        handles: vec![AccountHandle {
            platform: platform_of(selector >> 4),
            handle: get(2),
        }],
        avatar: None,
        bio: opt(3),
    };
    let identity = candidate
        .validated()
        .unwrap_or_else(|_| reference_identity());
    let detector = Detector::new(identity.clone(), None);
    let profile = Profile {
        platform: platform_of(selector),
        handle: get(4),
        display_name: opt(5),
        bio: opt(6),
        created_at: opt(8).and_then(|t| DateTime::parse_from_rfc3339(&t).ok().map(|t| t.to_utc())),
        followers: Some(u64::from(selector).pow(3)),
        labels: opt(7).into_iter().collect(),
        platform_id: Some("did:plc:fuzz".into()),
        url: None,
        avatar_url: None,
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let assessment = detector.assess(&profile, None, now);
    assert!(
        assessment.score.is_finite() && (0.0..=1.0).contains(&assessment.score),
        "score {} out of range",
        assessment.score
    );
    assert!(
        assessment.reasons.len() <= MAX_REASONS,
        "{} reasons",
        assessment.reasons.len()
    );
    if assessment.verdict != Verdict::Clear {
        assert!(!assessment.reasons.is_empty(), "a verdict without reasons");
    }
    for reason in &assessment.reasons {
        assert_people_text("reason", &reason.detail, MAX_REASON_CHARS);
    }
    // The live matcher reads the same text from Jetstream records.
    let matcher = LiveMatcher::new(&identity, Vec::new(), Vec::new());
    let record = doppelwatch::sources::bluesky::parse::ProfileRecord {
        display_name: profile.display_name.clone(),
        description: profile.bio.clone(),
        avatar_cid: opt(7),
    };
    let _ = matcher.check_record("did:plc:fuzz", &record);
    let _ = matcher.check_handle("did:plc:fuzz", &profile.handle);
}

/// Bluesky AppView answers (`searchActors`, `getProfiles`): parsed per record, bounded.
pub fn bluesky_json(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for key in ["actors", "profiles"] {
        if let Ok(page) = profile_page(&value, key) {
            for p in &page.profiles {
                for (what, field) in [
                    ("handle", Some(&p.handle)),
                    ("display name", p.display_name.as_ref()),
                    ("bio", p.bio.as_ref()),
                ] {
                    if let Some(field) = field {
                        let n = field.chars().count();
                        assert!(n <= MAX_FIELD_CHARS, "{what} kept {n} characters");
                    }
                }
            }
        }
    }
}

/// Jetstream messages as they come off the WebSocket.
pub fn jetstream(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(JetstreamEvent::Profile {
        record: Some(r), ..
    }) = jetstream_event(s)
    {
        for field in [&r.display_name, &r.description].into_iter().flatten() {
            let n = field.chars().count();
            assert!(n <= MAX_FIELD_CHARS, "record field kept {n} characters");
        }
    }
}

/// The avatar decoder: any bytes, including images that claim huge sizes, must decode to a
/// fingerprint or a plain error, within bounded memory (libFuzzer's `-rss_limit_mb`).
pub fn avatar_decode(data: &[u8]) {
    if let Ok(fp) = avatar::fingerprint(data) {
        assert!(
            fp.quality.is_finite() && (0.0..=1.0).contains(&fp.quality),
            "quality {}",
            fp.quality
        );
        let m = avatar::compare(&fp, &fp);
        assert!(m.similarity.is_finite(), "self-similarity {}", m.similarity);
        assert_people_text("avatar match detail", &m.detail, MAX_REASON_CHARS);
    }
}

/// Mastodon HTML notes (and any bio) to plain text.
pub fn html_text(data: &[u8]) {
    let s = text(data);
    let plain = html_to_text(&s);
    let n = plain.chars().count();
    assert!(n <= MAX_FIELD_CHARS, "html_to_text kept {n} characters");
    let _ = doppelwatch::detect::text::strip_html(&s);
}

/// Rate-limit headers of any platform, with any values, at any clock.
///
/// Layout: fields separated by 0xFF: remaining, reset, retry-after, then a clock offset in
/// seconds from now (the clock may jump).
pub fn ratelimit_headers(data: &[u8]) {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    let f = fields(data);
    let names: [&[&str]; 3] = [
        &[
            "ratelimit-remaining",
            "x-ratelimit-remaining",
            "x-rate-limit-remaining",
        ],
        &["ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"],
        &["retry-after"],
    ];
    let mut headers = HeaderMap::new();
    for (i, group) in names.iter().enumerate() {
        let Some(value) = f.get(i) else { continue };
        let Ok(value) = HeaderValue::from_str(value) else {
            continue;
        };
        let name = group[value.len() % group.len()];
        headers.insert(HeaderName::from_static(name), value);
    }
    let offset: i64 = f.get(3).and_then(|s| s.trim().parse().ok()).unwrap_or(0);
    let now = std::time::SystemTime::now();
    let now = if offset >= 0 {
        now.checked_add(std::time::Duration::from_secs(offset.unsigned_abs()))
    } else {
        now.checked_sub(std::time::Duration::from_secs(offset.unsigned_abs()))
    };
    let Some(now) = now else { return };
    let info = RateLimitInfo::from_headers(&headers, now);
    let _ = info.wait(now);
    let _ = info.exhausted();
}

/// `scan-handles`' line handling: any bytes as a stream of handles, one per line.
pub fn scan_handles(data: &[u8]) {
    use doppelwatch::detect::index::HandleIndex;
    static INDEX: std::sync::OnceLock<HandleIndex> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| HandleIndex::new(&[reference_identity()]));
    let mut out = Vec::new();
    let stats = index
        .scan_stream(data, &mut out)
        .expect("writing to memory cannot fail");
    let lines = data.split(|b| *b == b'\n').count() as u64;
    assert!(
        stats.lines <= lines,
        "{} lines counted of {lines}",
        stats.lines
    );
    let text = std::str::from_utf8(&out).expect("scan-handles output is UTF-8");
    let mut matches = 0;
    for line in text.lines() {
        matches += 1;
        let v: serde_json::Value = serde_json::from_str(line).expect("each output line is JSON");
        for r in v["reasons"].as_array().into_iter().flatten() {
            let detail = r["detail"].as_str().unwrap_or_default();
            assert_people_text("scan-handles reason", detail, MAX_REASON_CHARS);
        }
    }
    assert_eq!(matches, stats.matches, "matches counted vs written");
}
