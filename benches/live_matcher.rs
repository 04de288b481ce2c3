//! Live matcher throughput: replays a recorded stream of Jetstream profile events through the
//! parser and the live matcher, and compares events/s with the rate of the real Jetstream
//! profile collection.
//!
//! The "recording" is generated (seeded, reproducible) in the real Jetstream v1 shape of
//! `tests/fixtures/bluesky/jetstream_golden_v1.jsonl`: mostly `app.bsky.actor.profile` commits
//! (create/update, display names, descriptions, avatar blobs), plus the identity and account
//! events every subscriber receives, with one impostor in a thousand. Baseline in the same run:
//! JSON parsing alone (`serde_json::Value`), the floor any matcher pays.
//!
//!   cargo bench --bench live_matcher            (BENCH_EVENTS=200000 BENCH_RUNS=3 by default)

use std::time::Instant;

use doppelwatch::fake::palmer;
use doppelwatch::sources::bluesky::cid::blob_cid;
use doppelwatch::sources::bluesky::matcher::LiveMatcher;
use doppelwatch::sources::bluesky::parse::{jetstream_event, JetstreamEvent};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// Real Jetstream: the whole network's profile collection runs at a few dozen events per
/// second at most; this is the upper figure we compare against.
const REAL_PROFILE_EVENTS_PER_SEC: f64 = 50.0;

const FIRST: &[&str] = &[
    "Alex", "Sam", "Maria", "Jun", "Priya", "Lena", "Omar", "Kim", "Chris", "Noor", "Ana", "Tobi",
    "Mika", "Jo", "Elif", "Ravi", "Zoe", "Luca", "Ines", "Yuki",
];
const LAST: &[&str] = &[
    "Smith", "García", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Sato", "Haddad",
    "Silva", "Palmer", "Reyes", "Novak", "Berg", "Costa", "Ibrahim", "Lee", "Dubois",
];
const BIO_WORDS: &[&str] = &[
    "artist",
    "writer",
    "dad",
    "mom",
    "she/her",
    "he/him",
    "they/them",
    "coffee",
    "news",
    "politics",
    "science",
    "🌈",
    "🎨",
    "📚",
    "NSFW",
    "🔞",
    "photography",
    "music",
    "code",
    "cats",
    "dogs",
    "Berlin",
    "NYC",
    "Tokyo",
    "São Paulo",
    "commentary",
    "report",
    "opinions mine",
];

fn did(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let s: String = (0..24)
        .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
        .collect();
    format!("did:plc:{s}")
}

/// The recorded stream: `n` messages, one per line, with `time_us` at ~30 profile events/s.
fn record(n: usize, seed: u64, own_cid: &str) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut time_us: u64 = 1_779_719_009_132_431;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        time_us += rng.gen_range(1_000..65_000);
        let did = did(&mut rng);
        let roll: f64 = rng.gen();
        let msg = if roll < 0.85 {
            let impostor = i % 1000 == 999;
            let name = if impostor {
                match i % 3000 {
                    999 => "PaImer Report".to_string(),
                    1999 => "Palmer  Report ✓".to_string(),
                    _ => "Cat pictures".to_string(),
                }
            } else {
                format!(
                    "{} {}",
                    FIRST[rng.gen_range(0..FIRST.len())],
                    LAST[rng.gen_range(0..LAST.len())]
                )
            };
            let words = rng.gen_range(0..25);
            let description: Vec<&str> = (0..words)
                .map(|_| BIO_WORDS[rng.gen_range(0..BIO_WORDS.len())])
                .collect();
            let cid = if impostor && i % 3000 == 2999 {
                own_cid.to_string()
            } else {
                blob_cid(&rng.gen::<u64>().to_le_bytes())
            };
            json!({"did": did, "time_us": time_us, "kind": "commit", "commit": {
                "rev": "3mmoojqsbjf2d", "operation": if rng.gen_bool(0.3) { "create" } else { "update" },
                "collection": "app.bsky.actor.profile", "rkey": "self",
                "record": {"$type": "app.bsky.actor.profile",
                    "avatar": {"$type": "blob", "ref": {"$link": cid}, "mimeType": "image/jpeg", "size": rng.gen_range(10_000..900_000)},
                    "banner": {"$type": "blob", "ref": {"$link": blob_cid(&rng.gen::<u64>().to_le_bytes())}, "mimeType": "image/jpeg", "size": 80402},
                    "createdAt": "2026-02-14T23:48:34.991Z",
                    "description": description.join(" "), "displayName": name},
                "cid": "bafyreib257dpti3w5iitklrsx66dg3cmg3urfbogfksigjd5ie4r6v5cj4"}})
        } else if roll < 0.95 {
            json!({"did": did, "time_us": time_us, "kind": "identity",
                   "identity": {"did": did, "handle": format!("user{}.bsky.social", rng.gen::<u32>()),
                                "seq": 30340180350u64 + i as u64, "time": "2026-05-25T14:23:29.950Z"}})
        } else {
            json!({"did": did, "time_us": time_us, "kind": "account",
                   "account": {"active": true, "did": did, "seq": 30340180351u64 + i as u64,
                               "time": "2026-05-25T14:23:29.950Z"}})
        };
        out.push(msg.to_string());
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let n: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let own_cid = blob_cid(b"the person's own avatar");
    let stream = record(n, 42, &own_cid);
    let bytes: usize = stream.iter().map(String::len).sum();
    let first = jetstream_event(&stream[0])
        .map(|e| e.time_us())
        .unwrap_or(0);
    let last = jetstream_event(&stream[n - 1])
        .map(|e| e.time_us())
        .unwrap_or(0);
    let span_s = (last - first) as f64 / 1e6;
    let profile_events = stream
        .iter()
        .filter(|l| l.contains("\"app.bsky.actor.profile\""))
        .count();
    println!(
        "recorded stream: {n} events ({profile_events} profile commits), {:.1} MiB, spanning {span_s:.0} s of time_us = {:.1} profile events/s",
        bytes as f64 / 1048576.0,
        profile_events as f64 / span_s
    );
    let matcher = LiveMatcher::new(&palmer(), ["did:plc:me".to_string()], [own_cid.clone()]);

    let mut best_parse = f64::MAX;
    let mut best_full = f64::MAX;
    let mut hits = 0usize;
    let mut planted_hits = 0usize;
    for _ in 0..runs {
        let start = Instant::now();
        let mut ok = 0usize;
        for line in &stream {
            if serde_json::from_str::<serde_json::Value>(line).is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, n);
        best_parse = best_parse.min(start.elapsed().as_secs_f64());

        let start = Instant::now();
        hits = 0;
        planted_hits = 0;
        for (i, line) in stream.iter().enumerate() {
            let hit = match jetstream_event(line) {
                Ok(JetstreamEvent::Profile {
                    did,
                    record: Some(r),
                    ..
                }) => matcher.check_record(&did, &r).is_some(),
                Ok(JetstreamEvent::Identity {
                    did,
                    handle: Some(h),
                    ..
                }) => matcher.check_handle(&did, &h).is_some(),
                _ => false,
            };
            hits += usize::from(hit);
            planted_hits += usize::from(hit && i % 1000 == 999);
        }
        best_full = best_full.min(start.elapsed().as_secs_f64());
    }
    let parse_rate = n as f64 / best_parse;
    let full_rate = n as f64 / best_full;
    println!("baseline  json parse only (serde_json::Value): {parse_rate:>12.0} events/s");
    println!("live path parse + match:                        {full_rate:>12.0} events/s");
    println!(
        "live path / parse-only baseline:                {:>12.2}x",
        full_rate / parse_rate
    );
    println!(
        "live path / real Jetstream profile rate ({REAL_PROFILE_EVENTS_PER_SEC} events/s): {:.0}x headroom",
        full_rate / REAL_PROFILE_EVENTS_PER_SEC
    );
    let planted = stream
        .iter()
        .enumerate()
        .filter(|(i, l)| i % 1000 == 999 && l.contains("\"app.bsky.actor.profile\""))
        .count();
    println!(
        "planted impostors seen: {planted_hits} of {planted}; other hits (namesakes sent to getProfiles, then the detector): {} = {:.2}% of events, {:.2} confirmations/s at the recorded rate",
        hits - planted_hits,
        100.0 * (hits - planted_hits) as f64 / n as f64,
        hits as f64 / span_s
    );
    assert_eq!(planted_hits, planted, "every planted impostor must be seen");
}
