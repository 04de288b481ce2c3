//! Seeds a real SQLite store with many alerts for `scripts/bench-alerts` (issue 11's
//! performance goal: 10,000 alerts in the store).
//!
//! `alerts_seed DIR N`: records N alerts in the store in DIR (created if missing) through the
//! store's own API, as the watcher would: four people, alerts on Bluesky, Mastodon, X and
//! YouTube, impostors and accounts worth a look, raised in bursts (so they form waves), a
//! share of them seen, reported, dismissed or snoozed, and a few dozen distinct real PNG
//! avatars. Prints one JSON line saying what it made. Run with no DIR (as `cargo bench` does)
//! it seeds a temporary folder and prints the store query's time for 10,000 alerts as a ratio
//! against 100 alerts. Figures are printed, never asserted.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use doppelwatch::detect::{Assessment, Reason, Signal, Verdict};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::profile::{Found, FoundBy, Profile};
use doppelwatch::store::{AlertFilter, AlertState, Finding, Store};

/// Alerts raised in one burst (a wave) before the next person's turn.
const BURST: usize = 50;
/// Distinct avatar pictures among the impostors.
const PICTURES: usize = 40;

fn person(name: &str, handle: &str) -> Identity {
    let h = |platform: Platform, handle: &str| AccountHandle {
        platform,
        handle: handle.into(),
    };
    Identity {
        name: name.into(),
        aliases: vec![],
        handles: vec![
            h(
                Platform::Bluesky,
                &format!("{}.bsky.social", handle.to_lowercase()),
            ),
            h(Platform::Mastodon, &format!("{handle}@mastodon.social")),
            h(Platform::X, handle),
            h(Platform::Youtube, handle),
        ],
        avatar: None,
        bio: Some(format!("{name}: independent news")),
    }
}

fn people() -> Vec<Identity> {
    vec![
        person("Palmer Report", "PalmerReport"),
        person("Jane Doe", "JaneDoeNews"),
        person("Ada Quill", "AdaQuill"),
        person("Omar Field", "OmarField"),
    ]
}

/// A small real PNG (a coloured gradient), one of [`PICTURES`].
fn picture(i: usize) -> Vec<u8> {
    let img = image::RgbImage::from_fn(96, 96, |x, y| {
        image::Rgb([
            (x * 2 + i as u32 * 37) as u8,
            (y * 2 + i as u32 * 11) as u8,
            (i * 53) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    if let Err(e) = img.write_to(&mut out, image::ImageFormat::Png) {
        eprintln!("alerts_seed: cannot encode a picture: {e}");
        std::process::exit(1);
    }
    out.into_inner()
}

fn assessment(impostor: bool, name: &str) -> Assessment {
    if impostor {
        Assessment {
            verdict: Verdict::Impostor,
            score: 0.93,
            reasons: vec![
                Reason {
                    signal: Signal::DisplayName,
                    detail: format!("display name copies \"{name}\" (capital I for l)"),
                },
                Reason {
                    signal: Signal::Avatar,
                    detail: "avatar matches yours (96% similar)".into(),
                },
            ],
        }
    } else {
        Assessment {
            verdict: Verdict::Suspicious,
            score: 0.45,
            reasons: vec![Reason {
                signal: Signal::DisplayName,
                detail: format!("display name is exactly yours (\"{name}\")"),
            }],
        }
    }
}

/// The `i`th account found, imitating `who` on `platform`.
fn account(i: usize, who: &Identity, platform: &Platform, avatar: Vec<u8>) -> Found {
    let base = who.handles[2].handle.replace('l', "I");
    let handle = match platform {
        Platform::Bluesky => format!("{}{i}.bsky.social", base.to_lowercase()),
        Platform::Mastodon => format!("{base}{i}@mastodon.example"),
        _ => format!("{base}{i}"),
    };
    let created = Utc
        .timestamp_opt(1_700_000_000 + (i as i64) * 3_600, 0)
        .single();
    Found {
        profile: Profile {
            platform: platform.clone(),
            handle: handle.clone(),
            display_name: Some(who.name.replace('l', "I")),
            bio: who.bio.clone(),
            created_at: created,
            followers: Some((i * 7 % 5_000) as u64),
            platform_id: Some(format!("{platform}:{i}")),
            avatar_url: Some(format!("https://cdn.example/{i}/avatar.png")),
            ..Default::default()
        },
        found_by: FoundBy::Search {
            query: who.name.clone(),
        },
        avatar_image: Some(avatar),
    }
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("alerts_seed: {what}: {e}");
    std::process::exit(1);
}

/// Seeds `n` alerts into the store in `dir`; returns how many ended in each state.
fn seed(dir: &Path, n: usize) -> Vec<(AlertState, usize)> {
    let store = Store::open_in(dir).unwrap_or_else(|e| fail("cannot open the store", e));
    let people = people();
    let ids: Vec<i64> = people
        .iter()
        .map(|p| {
            store
                .upsert_identity(p)
                .unwrap_or_else(|e| fail("cannot add a person", e))
        })
        .collect();
    let pictures: Vec<Vec<u8>> = (0..PICTURES).map(picture).collect();
    let platforms = [
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::X,
        Platform::Youtube,
    ];
    let start: DateTime<Utc> = Utc
        .timestamp_opt(1_790_000_000, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut alert_ids = Vec::with_capacity(n);
    let mut i = 0;
    let mut burst = 0;
    while i < n {
        // One burst: one person, one verdict, a minute apart (a wave); bursts hours apart.
        let who = burst % people.len();
        let impostor = burst % 5 != 4;
        let size = BURST.min(n - i);
        let a = assessment(impostor, &people[who].name);
        let found: Vec<Found> = (i..i + size)
            .map(|k| {
                let pic = if impostor {
                    k % PICTURES
                } else {
                    (k * 7 + 3) % PICTURES
                };
                account(
                    k,
                    &people[who],
                    &platforms[k % platforms.len()],
                    pictures[pic].clone(),
                )
            })
            .collect();
        let findings: Vec<Finding<'_>> = found
            .iter()
            .map(|f| Finding {
                identity_id: ids[who],
                found: f,
                assessment: &a,
            })
            .collect();
        let at = start + chrono::Duration::hours(3 * burst as i64);
        let outcomes = store
            .record_findings(&findings, None, at)
            .unwrap_or_else(|e| fail("cannot record findings", e));
        for o in outcomes {
            if let doppelwatch::store::AlertChange::New(id) = o.alert {
                alert_ids.push(id);
            }
        }
        i += size;
        burst += 1;
    }
    // Most alerts stay new; every tenth seen, reported, dismissed or snoozed.
    let mut counts = vec![(AlertState::New, 0usize)];
    let now = Utc::now();
    for (k, id) in alert_ids.iter().enumerate() {
        let to = match k % 10 {
            1 => Some(AlertState::Seen),
            3 => Some(AlertState::Reported),
            5 => Some(AlertState::Dismissed),
            7 => Some(AlertState::Snoozed),
            _ => None,
        };
        let result = match to {
            None => Ok(()),
            Some(AlertState::Snoozed) => store
                .snooze_alert(*id, now + chrono::Duration::days(30), now)
                .map(|_| ()),
            Some(s) => store.set_alert_state(*id, s, Some("bench")).map(|_| ()),
        };
        result.unwrap_or_else(|e| fail("cannot change an alert's state", e));
        let state = to.unwrap_or(AlertState::New);
        match counts.iter_mut().find(|(s, _)| *s == state) {
            Some((_, c)) => *c += 1,
            None => counts.push((state, 1)),
        }
    }
    // The watcher showed these long ago: nothing waits to be notified.
    let pending: Vec<i64> = store
        .pending_notifications()
        .unwrap_or_else(|e| fail("cannot read the notifications", e))
        .iter()
        .map(|o| o.id)
        .collect();
    let waves: Vec<i64> = store
        .waves(None)
        .unwrap_or_else(|e| fail("cannot read the waves", e))
        .iter()
        .map(|w| w.id)
        .collect();
    store
        .mark_notified(&pending, now)
        .and_then(|()| store.mark_waves_notified(&waves, now))
        .unwrap_or_else(|e| fail("cannot mark the notifications shown", e));
    counts
}

/// Best time of `runs` runs of the store's alert list query.
fn time_list(dir: &Path, runs: usize) -> Duration {
    let store = Store::open_in(dir).unwrap_or_else(|e| fail("cannot open the store", e));
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let alerts = store
                .alerts(&AlertFilter::default())
                .unwrap_or_else(|e| fail("cannot list alerts", e));
            std::hint::black_box(alerts);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.as_slice() {
        [dir, n] => {
            let n: usize = n
                .parse()
                .unwrap_or_else(|e| fail("N must be a number of alerts", e));
            let counts = seed(Path::new(dir), n);
            let states: serde_json::Map<String, serde_json::Value> = counts
                .iter()
                .map(|(s, c)| (s.as_str().to_string(), (*c).into()))
                .collect();
            println!(
                "{}",
                serde_json::json!({"dir": dir, "alerts": n, "people": people().len(), "states": states})
            );
        }
        [] => {
            let tmp = tempfile::tempdir().unwrap_or_else(|e| fail("no temporary folder", e));
            let (small, large) = (tmp.path().join("small"), tmp.path().join("large"));
            seed(&small, 100);
            seed(&large, 10_000);
            let (s, l) = (time_list(&small, 5), time_list(&large, 5));
            println!(
                "store alert list, best of 5: 100 alerts {:.1} ms, 10,000 alerts {:.1} ms ({:.1}x)",
                s.as_secs_f64() * 1e3,
                l.as_secs_f64() * 1e3,
                l.as_secs_f64() / s.as_secs_f64().max(1e-9)
            );
        }
        _ => fail(
            "usage",
            "alerts_seed DIR N (or no argument: time the store)",
        ),
    }
}
