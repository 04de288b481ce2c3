//! Shared helpers of the watcher's tests (store, report, notify, keychain, e2e).
#![allow(dead_code)]

pub mod dbus;

use chrono::{DateTime, TimeZone, Utc};
use doppelwatch::detect::{Assessment, Reason, Signal, Verdict};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::profile::Profile;
use doppelwatch::sources::{Found, FoundBy};

pub fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
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
                handle: "palmer@mastodon.example".into(),
            },
        ],
        avatar: None,
        bio: Some("Independent political news".into()),
    }
}

/// [`palmer`] with a YouTube channel too (`@PalmerReport`), for the YouTube tests.
pub fn palmer_on_youtube() -> Identity {
    let mut identity = palmer();
    identity.handles.push(AccountHandle {
        platform: Platform::Youtube,
        handle: "PalmerReport".into(),
    });
    identity
}

/// A second person, for the tests of several people (issue 11).
pub fn jane() -> Identity {
    Identity {
        name: "Jane Doe".into(),
        aliases: vec![],
        handles: vec![
            AccountHandle {
                platform: Platform::X,
                handle: "JaneDoeNews".into(),
            },
            AccountHandle {
                platform: Platform::Bluesky,
                handle: "janedoe.bsky.social".into(),
            },
        ],
        avatar: None,
        bio: Some("Data scientist".into()),
    }
}

/// Writes `identity` as an identity file (what `--identity` and `people add` read).
pub fn identity_file(dir: &std::path::Path, identity: &Identity) -> std::path::PathBuf {
    let path = dir.join(format!("{}.json", identity.name.replace(' ', "_")));
    std::fs::write(&path, serde_json::to_string(identity).unwrap()).unwrap();
    path
}

pub fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000 + secs, 0).unwrap()
}

pub fn bsky_profile(did: &str, handle: &str, name: &str) -> Profile {
    Profile {
        platform: Platform::Bluesky,
        handle: handle.into(),
        display_name: Some(name.into()),
        bio: Some("Independent political news".into()),
        platform_id: Some(did.into()),
        avatar_url: Some(format!("https://cdn.example/{did}/avatar.jpg")),
        ..Default::default()
    }
}

pub fn found(profile: Profile) -> Found {
    Found {
        profile,
        found_by: FoundBy::Search {
            query: "Palmer Report".into(),
        },
        avatar_image: Some(b"\x89PNG\r\n\x1a\nfake-avatar-bytes".to_vec()),
    }
}

pub fn impostor_assessment(signals: &[Signal]) -> Assessment {
    Assessment {
        verdict: Verdict::Impostor,
        score: 0.93,
        reasons: signals
            .iter()
            .map(|s| Reason {
                signal: *s,
                detail: match s {
                    Signal::DisplayName => {
                        "display name \"PaImer Report\" copies \"Palmer Report\" (capital I for l)"
                            .into()
                    }
                    Signal::Avatar => "avatar matches yours (96% similar)".into(),
                    Signal::Bio => "bio is a copy of yours".into(),
                    Signal::ConfusableHandle => "handle looks like palmerreport.com".into(),
                    other => format!("{other:?}"),
                },
            })
            .collect(),
    }
}

/// A `suspicious` verdict (worth a look, e.g. a namesake): only the name is shared.
pub fn suspicious_assessment() -> Assessment {
    Assessment {
        verdict: Verdict::Suspicious,
        score: 0.45,
        reasons: vec![Reason {
            signal: Signal::DisplayName,
            detail: "display name is exactly yours (\"Palmer Report\")".into(),
        }],
    }
}

pub fn clear() -> Assessment {
    Assessment {
        verdict: Verdict::Clear,
        score: 0.05,
        reasons: vec![],
    }
}

/// A notification sink that keeps what it was asked to show.
#[derive(Default)]
pub struct RecordingSink(std::sync::Mutex<Vec<doppelwatch::notify::Notice>>);

impl doppelwatch::notify::NotificationSink for RecordingSink {
    fn show(
        &self,
        notice: &doppelwatch::notify::Notice,
    ) -> Result<(), doppelwatch::notify::NotifyError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(notice.clone());
        Ok(())
    }
}

impl RecordingSink {
    /// Every notice shown so far, in order.
    pub fn notices(&self) -> Vec<doppelwatch::notify::Notice> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The `doppelwatch` binary under test: `$DOPPELWATCH_BIN` when set (several checkouts sharing
/// one target directory overwrite each other's `target/debug/doppelwatch`), else Cargo's.
pub fn doppelwatch_bin() -> std::path::PathBuf {
    std::env::var_os("DOPPELWATCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_doppelwatch").into())
}

/// A data folder whose database holds `n` new Bluesky impostor alerts (ids in order).
pub fn data_dir_with_alerts(dir: &std::path::Path, n: usize) -> Vec<i64> {
    use doppelwatch::store::{AlertChange, Finding, Store};
    let store = Store::open_in(dir).unwrap();
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let assessment = impostor_assessment(&[Signal::DisplayName]);
    (0..n)
        .map(|i| {
            let f = found(bsky_profile(
                &format!("did:plc:imp{i}"),
                &format!("palmer-report{i}.bsky.social"),
                "PaImer Report",
            ));
            let finding = Finding {
                identity_id,
                found: &f,
                assessment: &assessment,
            };
            match store.record_finding(finding, t(i as i64)).unwrap().alert {
                AlertChange::New(id) => id,
                other => panic!("alert {i} not new: {other:?}"),
            }
        })
        .collect()
}

/// Records an impostor finding of `profile` against [`palmer`]; returns the new alert's id.
pub fn alert_for(store: &doppelwatch::store::Store, profile: Profile) -> i64 {
    let identity_id = store.upsert_identity(&palmer()).unwrap();
    let f = found(profile);
    let a = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    match store
        .record_finding(
            doppelwatch::store::Finding {
                identity_id,
                found: &f,
                assessment: &a,
            },
            t(0),
        )
        .unwrap()
        .alert
    {
        doppelwatch::store::AlertChange::New(id) => id,
        other => panic!("{other:?}"),
    }
}

/// One post of an impostor's feed (Bluesky shape), for posts-as-evidence tests.
pub fn post(rkey: &str, text: &str) -> doppelwatch::posts::Post {
    doppelwatch::posts::Post {
        platform: Platform::Bluesky,
        id: format!("at://did:plc:imp/app.bsky.feed.post/{rkey}"),
        url: Some(format!(
            "https://bsky.app/profile/imp.bsky.social/post/{rkey}"
        )),
        text: text.into(),
        created_at: Some(t(0)),
        hashtags: doppelwatch::posts::hashtags_in(text),
        links: Vec::new(),
    }
}

/// A hostile post: markup, a `javascript:` link, a bidi override and a zero-width space.
pub const HOSTILE_POST: &str =
    "<a href=\"javascript:alert(1)\">click</a><script>alert(2)</script> \u{202E}gnp.exe\u{200B} #WalkAway";

/// An impostor's recent posts as stored with its alert: one pushing #WalkAway (which
/// Palmer Report never uses), one copying Palmer Report's own post, and a hostile one;
/// flagged against Palmer Report's own recent post.
pub fn impostor_posts() -> Vec<doppelwatch::posts::PostEvidence> {
    let own = vec![post(
        "own1",
        "Breaking: the Senate vote on the budget is delayed again #news",
    )];
    let theirs = vec![
        post(
            "3kwalk",
            "I was a progressive for twenty years. Not anymore. #WalkAway",
        ),
        post(
            "3kcopy",
            "Breaking: the Senate vote on the budget is delayed again",
        ),
        post("3khost", HOSTILE_POST),
    ];
    doppelwatch::posts::evidence(theirs, Some(&own), &palmer(), t(120))
}

/// Records a finding of `profile` (a new account) against the person `identity_id` at `when`
/// with `assessment`; returns the new alert's id (outcome tests need cases found on given days).
pub fn alert_at(
    store: &doppelwatch::store::Store,
    identity_id: i64,
    profile: Profile,
    assessment: &Assessment,
    when: DateTime<Utc>,
) -> i64 {
    let f = found(profile);
    let finding = doppelwatch::store::Finding {
        identity_id,
        found: &f,
        assessment,
    };
    match store.record_finding(finding, when).unwrap().alert {
        doppelwatch::store::AlertChange::New(id) => id,
        other => panic!("{other:?}"),
    }
}

/// `days` whole days after [`t`]`(0)` (a Monday, 2026-09-21, ISO week 2026-W39).
pub fn day(days: i64) -> DateTime<Utc> {
    t(days * 86_400)
}

/// Settings for watching one fake Bluesky (the watch service's tests): its AppView, PDS and
/// Jetstream; small bounded checks (1 search page, 2 queries, 5 probes); periodic checks only,
/// an hour apart (after the first, checks happen through "check now"); no retries, no wait on
/// a rate limit, a backoff of 1 s; no notification batching, no jitter; the other platforms off.
pub fn watching_fake_bluesky(
    fake: &doppelwatch::fake::bluesky::FakeBluesky,
) -> doppelwatch::config::Config {
    let mut config = doppelwatch::config::Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.bluesky.jetstream_url = fake.jetstream_url();
    config.bluesky.live = false;
    config.bluesky.search_pages = 1;
    config.bluesky.max_queries = 2;
    config.bluesky.probe_limit = 5;
    config.mastodon.enabled = false;
    config.x.enabled = false;
    config.http.max_retries = 0;
    config.http.max_rate_limit_wait_secs = 0;
    config.watch = doppelwatch::config::WatchConfig {
        check_interval_secs: 3600,
        recheck_interval_secs: 3600,
        min_backoff_secs: 1,
        max_backoff_secs: 1,
        notify_batch_secs: 0,
        jitter: 0.0,
        ..doppelwatch::config::WatchConfig::default()
    };
    config.allow_loopback_fakes();
    config
}

/// Every file of an evidence bundle (zip) by name, after checking that `MANIFEST.sha256`
/// lists every other file with its true SHA-256 (as `sha256sum -c` would).
pub fn read_verified_bundle(path: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(entry.name().to_string(), bytes);
    }
    let manifest = String::from_utf8(files["MANIFEST.sha256"].clone()).unwrap();
    let mut listed = std::collections::BTreeSet::new();
    for line in manifest.lines() {
        let (sha, name) = line.split_once("  ").unwrap();
        let bytes = files
            .get(name)
            .unwrap_or_else(|| panic!("{name} is in the zip"));
        assert_eq!(hex::encode(Sha256::digest(bytes)), sha, "{name}");
        listed.insert(name.to_string());
    }
    let unlisted: Vec<&String> = files
        .keys()
        .filter(|n| *n != "MANIFEST.sha256" && !listed.contains(*n))
        .collect();
    assert!(
        unlisted.is_empty(),
        "files missing from the manifest: {unlisted:?}"
    );
    files
}
