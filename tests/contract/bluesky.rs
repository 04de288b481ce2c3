//! Bluesky against its lexicons: the source's `searchActors`, `getProfiles` and
//! `getAuthorFeed` (the posts read for evidence), the PDS resolver's `resolveHandle`, the
//! reporter's `createSession` and `createReport` (with the fallback to the older reason type),
//! and the fake's `getProfile`, all through the recorder. The endpoints checked are listed in
//! [`CHECKED`], which `contract::coverage` compares with what the fake serves and the clients
//! build.

use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::report::bluesky::{BlueskyReporter, REASON_IMPERSONATION, REASON_MISLEADING};
use doppelwatch::report::{self, bluesky_pds::PdsResolver};
use doppelwatch::secrets::Secret;
use doppelwatch::sources::bluesky::{feed, parse, BlueskySource};
use doppelwatch::sources::{AccountRef, Source};
use doppelwatch::store::Store;
use serde_json::{json, Value};

use crate::support_contract::lexicon::{BlueskyContract, Lexicons};
use crate::support_contract::{assert_conform, Contract, Exchange, Recorder};
use crate::support_watch::{alert_for, bsky_profile, palmer, t};

const PASSWORD: &str = "abcd-efgh-ijkl-mnop";

/// Every XRPC method our Bluesky clients call or the fake serves, each checked here.
pub const CHECKED: &[&str] = &[
    "GET app.bsky.actor.getProfile",
    "GET app.bsky.actor.getProfiles",
    "GET app.bsky.actor.searchActors",
    "GET app.bsky.feed.getAuthorFeed",
    "GET com.atproto.identity.resolveHandle",
    "POST com.atproto.moderation.createReport",
    "POST com.atproto.server.createSession",
];

/// The impostor's posts (newest first once added): a hashtag after non-ASCII text, so the tag
/// facets' UTF-8 byte ranges are exercised.
const POSTS: [&str; 3] = [
    "Café au lait ☕ then the news #Résumé_2026",
    "Independent political news, every day",
    "Breaking: #Election tonight",
];

fn contract() -> BlueskyContract {
    BlueskyContract {
        lexicons: Lexicons::load(),
    }
}

async fn populated() -> FakeBluesky {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    let impostor = POSTS.iter().rev().fold(
        FakeAccount::new("palmer-report.bsky.social")
            .name("PaImer Report")
            .bio("Independent political news")
            .avatar(sample_avatar_png(3))
            .followers(12)
            .label("!warn"),
        |account, text| account.post(*text),
    );
    fake.add_account(impostor);
    fake.add_account(FakeAccount::new("palmerreport.bsky.social").name("Palmer Report"));
    fake.set_app_password("palmerreport.com", PASSWORD);
    fake
}

/// Runs every Bluesky client call through a recorder in front of the fake.
async fn record_everything() -> (FakeBluesky, Vec<Exchange>) {
    let fake = populated().await;
    let rec = Recorder::start(&fake.base_url()).await;
    let mut config = Config::default();
    config.bluesky.base_url = rec.base_url.clone();
    config.bluesky.pds_url = rec.base_url.clone();
    config.allow_loopback_fakes();

    let source = BlueskySource::new(&config).unwrap();
    let found = source.check(&palmer()).await.unwrap();
    let impostor = found
        .iter()
        .find(|f| f.profile.handle == "palmer-report.bsky.social")
        .unwrap_or_else(|| panic!("the real parser read the fake's answers: {found:?}"));
    // The impostor's posts, by DID as the watcher asks, by handle, and for no such account.
    let account = AccountRef {
        handle: impostor.profile.handle.clone(),
        platform_id: impostor.profile.platform_id.clone(),
    };
    let posts = source.recent_posts(&account, 10).await.unwrap().unwrap();
    assert_eq!(
        posts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(),
        POSTS
    );
    assert_eq!(
        source
            .author_feed("palmer-report.bsky.social", 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(source.author_feed("nobody.bsky.social", 5).await.is_err());
    // Paging with the cursor: more matches than one page of 100.
    for i in 0..101 {
        fake.add_account(
            FakeAccount::new(format!("fan{i}.bsky.social")).name(format!("Palmerfan {i}")),
        );
    }
    let source = BlueskySource::new(&config).unwrap();
    assert_eq!(
        source.search_actors("palmerfan", 2).await.unwrap().len(),
        101
    );
    // The fake serves getProfile too (no client calls it today).
    let profile: Value = reqwest::get(format!(
        "{}/xrpc/app.bsky.actor.getProfile?actor=palmer-report.bsky.social",
        rec.base_url
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let parsed = parse::profile_from_view(&profile).unwrap();
    assert_eq!(parsed.followers, Some(12));

    // resolveHandle as the PDS resolver sends it (the DID document is not XRPC: not checked).
    let fakes = [rec.base_url.clone(), fake.base_url()];
    let resolver = PdsResolver::new(&rec.base_url, &fake.base_url(), &fakes).unwrap();
    let _ = resolver.resolve("palmerreport.com").await;

    // createSession and createReport, then the fallback when the labeler refuses the new reason.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let reporter = BlueskyReporter::new(&rec.base_url, "palmerreport.com", Secret::new(PASSWORD));
    let first = alert_for(
        &store,
        bsky_profile(
            "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
            "palmer-report.bsky.social",
            "PaImer Report",
        ),
    );
    report::file_report(&store, first, &reporter, 10, t(10))
        .await
        .unwrap();
    fake.refuse_reason_types(&[REASON_IMPERSONATION]);
    let second = alert_for(
        &store,
        bsky_profile(
            "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb",
            "palmerreport.bsky.social",
            "Palmer Report",
        ),
    );
    report::file_report(&store, second, &reporter, 10, t(20))
        .await
        .unwrap();
    let reasons: Vec<String> = fake
        .received_reports()
        .into_iter()
        .map(|r| r.category)
        .collect();
    assert_eq!(reasons, [REASON_IMPERSONATION, REASON_MISLEADING]);
    let exchanges = rec.exchanges();
    (fake, exchanges)
}

#[tokio::test]
async fn every_bluesky_request_and_answer_follows_the_lexicons() {
    let (_fake, exchanges) = record_everything().await;
    let covered = assert_conform(&contract(), &exchanges);
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), CHECKED);
    // Both reports went out as the lexicon's input, and the refusal came back as an XRPC error.
    let reports: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.path.ends_with("createReport"))
        .collect();
    assert!(reports.iter().any(|e| e.status == 400), "{reports:?}");
    assert!(reports.iter().all(|e| e.header("atproto-proxy").is_some()));
    let searches: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.path.ends_with("searchActors"))
        .collect();
    assert!(searches
        .iter()
        .any(|e| e.query.iter().any(|(k, _)| k == "cursor")));
    // The author feeds: replies left out as the lexicon spells it, and each post's record (an
    // `unknown` to the feed lexicon) an `app.bsky.feed.post` with a TID key and true facets.
    let lexicons = Lexicons::load();
    let feeds: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.path.ends_with("getAuthorFeed"))
        .collect();
    assert_eq!(feeds.len(), 3, "by DID, by handle, for no such account");
    assert!(feeds.iter().all(|e| e
        .query
        .contains(&("filter".to_string(), "posts_no_replies".to_string()))));
    let served: Vec<Value> = feeds
        .iter()
        .filter(|e| e.status == 200)
        .flat_map(|e| {
            e.json_response().unwrap()["feed"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(served.len(), POSTS.len() + 1);
    for item in &served {
        assert_eq!(
            post_record_errors(&lexicons, &item["post"]),
            Vec::<String>::new()
        );
    }
    assert!(feeds.iter().any(|e| e.status == 400), "{feeds:?}");
}

/// Mismatches of a `postView`'s record against `app.bsky.feed.post`, of its URI's record key
/// against the record's key type, and of each facet's byte range against the text it marks.
fn post_record_errors(lexicons: &Lexicons, view: &Value) -> Vec<String> {
    let record = &view["record"];
    let mut errs = lexicons.check_record("app.bsky.feed.post", record);
    errs.extend(lexicons.check_record_uri(view["uri"].as_str().unwrap_or_default()));
    let text = record["text"].as_str().unwrap_or_default().as_bytes();
    for facet in record["facets"].as_array().into_iter().flatten() {
        let range = |k: &str| facet["index"][k].as_u64().map(|n| n as usize);
        let marked = match (range("byteStart"), range("byteEnd")) {
            (Some(a), Some(b)) if a <= b && b <= text.len() => &text[a..b],
            _ => {
                errs.push(format!("facet {} is outside the text", facet["index"]));
                continue;
            }
        };
        for feature in facet["features"].as_array().into_iter().flatten() {
            if let Some(tag) = feature["tag"].as_str() {
                if marked != format!("#{tag}").as_bytes() {
                    errs.push(format!(
                        "tag facet {tag:?} marks {:?}",
                        String::from_utf8_lossy(marked)
                    ));
                }
            }
        }
    }
    errs
}

#[tokio::test]
async fn the_fakes_answers_are_what_the_real_parser_reads() {
    let (_fake, exchanges) = record_everything().await;
    for ex in exchanges.iter().filter(|e| e.status == 200) {
        let body = ex.json_response().unwrap();
        let key = match ex.path.as_str() {
            "/xrpc/app.bsky.actor.searchActors" => "actors",
            "/xrpc/app.bsky.actor.getProfiles" => "profiles",
            "/xrpc/app.bsky.feed.getAuthorFeed" => {
                let actor = &ex.query.iter().find(|(k, _)| k == "actor").unwrap().1;
                let posts = feed::author_posts(&body, actor, 100).unwrap();
                assert_eq!(posts.len(), body["feed"].as_array().unwrap().len());
                assert!(posts
                    .iter()
                    .all(|p| p.created_at.is_some() && p.url.is_some()));
                continue;
            }
            _ => continue,
        };
        let page = parse::profile_page(&body, key).unwrap();
        assert_eq!(page.skipped, 0, "{}", ex.line());
        assert_eq!(page.profiles.len(), body[key].as_array().unwrap().len());
    }
}

#[tokio::test]
async fn the_lexicon_validator_catches_real_mismatches() {
    let lexicons = Lexicons::load();
    let (_fake, exchanges) = record_everything().await;
    // A fake serving a count as a string, and a profile without its handle.
    let mut bad = exchanges
        .iter()
        .find(|e| e.path.ends_with("getProfiles") && e.status == 200)
        .unwrap()
        .clone();
    let mut body = bad.json_response().unwrap();
    body["profiles"][0]["followersCount"] = json!("12");
    body["profiles"][0]
        .as_object_mut()
        .unwrap()
        .remove("handle");
    bad.response = serde_json::to_vec(&body).unwrap();
    let errs = contract().check(&bad).unwrap_err().join("\n");
    assert!(
        errs.contains("followersCount: string where the lexicon says integer"),
        "{errs}"
    );
    assert!(
        errs.contains("required field \"handle\" is missing"),
        "{errs}"
    );

    // A client sending an undocumented parameter, a limit out of range, too many actors.
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let errs = lexicons
        .check_params(
            "app.bsky.actor.searchActors",
            &pairs(&[("q", "palmer"), ("sort", "top"), ("limit", "101")]),
        )
        .join("\n");
    assert!(errs.contains("\"sort\" is not in the lexicon"), "{errs}");
    assert!(errs.contains("101 is above the maximum 100"), "{errs}");
    let many: Vec<(String, String)> = (0..26)
        .map(|i| ("actors".into(), format!("a{i}.test")))
        .collect();
    let errs = lexicons
        .check_params("app.bsky.actor.getProfiles", &many)
        .join("\n");
    assert!(errs.contains("26 items, more than 25"), "{errs}");
    // A report with an unknown reason type and a subject without its $type.
    let errs = lexicons
        .check_input(
            "com.atproto.moderation.createReport",
            &json!({"reasonType": "com.atproto.moderation.defs#reasonImpersonation",
                    "subject": {"did": "did:plc:x"}}),
        )
        .join("\n");
    assert!(errs.contains("not among the knownValues"), "{errs}");
    assert!(errs.contains("needs a $type"), "{errs}");

    // An author feed asked with an unknown filter, and a post served with its text's bytes
    // miscounted, a language that is no tag, a reason that is no union member and a key that
    // is no TID.
    let errs = lexicons
        .check_params(
            "app.bsky.feed.getAuthorFeed",
            &pairs(&[
                ("actor", "palmer-report.bsky.social"),
                ("filter", "no_replies"),
            ]),
        )
        .join("\n");
    assert!(
        errs.contains("\"no_replies\" is not among the knownValues"),
        "{errs}"
    );
    let mut feed = exchanges
        .iter()
        .find(|e| e.path.ends_with("getAuthorFeed") && e.status == 200)
        .unwrap()
        .clone();
    let mut body = feed.json_response().unwrap();
    let item = &mut body["feed"][0];
    item["reason"] = json!({"$type": "app.bsky.feed.defs#reasonLike"});
    let post = &mut item["post"];
    post["uri"] = json!(format!(
        "at://{}/app.bsky.feed.post/3lpost0001",
        post["author"]["did"].as_str().unwrap()
    ));
    post["record"]["langs"] = json!(["English"]);
    post["record"]["facets"][0]["index"]["byteStart"] = json!(30);
    feed.response = serde_json::to_vec(&body).unwrap();
    let errs = contract().check(&feed).unwrap_err().join("\n");
    assert!(
        errs.contains("\"app.bsky.feed.defs#reasonLike\" is not one of"),
        "{errs}"
    );
    let errs = post_record_errors(&lexicons, &body["feed"][0]["post"]).join("\n");
    for wanted in [
        "\"English\" is not a valid language",
        "record key \"3lpost0001\" is not a TID",
        "tag facet \"Résumé_2026\" marks",
    ] {
        assert!(errs.contains(wanted), "{wanted}: {errs}");
    }
}

/// The non-comment lines of an atproto interop file.
fn interop_cases(name: &str) -> Vec<String> {
    let file = crate::support_contract::fixture(&format!("bluesky/interop/{name}.txt"));
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn the_validators_tids_and_languages_agree_with_atprotos_interop_files() {
    use crate::support_contract::lexicon::{check_format, is_tid};
    for tid in interop_cases("tid_syntax_valid") {
        assert!(is_tid(&tid), "{tid} is a TID");
    }
    for tid in interop_cases("tid_syntax_invalid") {
        assert!(!is_tid(&tid), "{tid} is no TID");
    }
    for tag in interop_cases("language_syntax_valid") {
        assert_eq!(check_format("language", &tag), Ok(()), "{tag}");
    }
    // The file keeps `de-419-DE` among the invalid ones while noting that naive parsers (this
    // one) allow it.
    for tag in interop_cases("language_syntax_invalid") {
        if tag != "de-419-DE" {
            assert!(
                check_format("language", &tag).is_err(),
                "{tag} is no language tag"
            );
        }
    }
}

/// The profile commits of a Jetstream stream (one JSON message a line or a frame).
fn profile_records(messages: &[String]) -> Vec<Value> {
    messages
        .iter()
        .filter_map(|m| serde_json::from_str::<Value>(m).ok())
        .filter(|m| m["kind"] == "commit" && m["commit"]["collection"] == "app.bsky.actor.profile")
        .filter_map(|m| m["commit"].get("record").cloned())
        .collect()
}

#[tokio::test]
async fn jetstream_profile_records_follow_the_profile_lexicon_fake_and_official() {
    use futures_util::StreamExt;
    let lexicons = Lexicons::load();
    // Bluesky's own recorded Jetstream messages (tests/fixtures/bluesky/jetstream_golden_v1.jsonl).
    let golden_text = std::fs::read_to_string(crate::support_contract::fixture(
        "bluesky/jetstream_golden_v1.jsonl",
    ))
    .unwrap();
    let golden: Vec<String> = golden_text.lines().map(String::from).collect();
    let official = profile_records(&golden);
    assert!(!official.is_empty());
    for record in &official {
        assert_eq!(
            lexicons.check_record("app.bsky.actor.profile", record),
            Vec::<String>::new()
        );
    }
    for line in golden
        .iter()
        .filter(|l| l.contains("app.bsky.actor.profile"))
    {
        parse::jetstream_event(line).unwrap();
    }

    // The subscribe request as the live client builds it: only the v1 `/subscribe` query
    // parameters (bluesky-social/jetstream at 9a30defd224e9058814a7d6ce8d9e4fc48d5493c:
    // `internal/subscribe/filter.go` `ParseQuery` and `requireHello`; `docs/README.md` §5.1
    // `?cursor=N`), the collection a record lexicon, the cursor an integer.
    const V1_PARAMS: [&str; 5] = [
        "wantedCollections",
        "wantedDids",
        "maxMessageSizeBytes",
        "requireHello",
        "cursor",
    ];
    let url = doppelwatch::sources::bluesky::live::subscribe_url(
        "wss://jetstream2.us-east.bsky.network/subscribe",
        Some(1_725_911_162_329_308),
    )
    .unwrap();
    assert_eq!(url.path(), "/subscribe");
    for (name, value) in url.query_pairs() {
        assert!(
            V1_PARAMS.contains(&name.as_ref()),
            "{name} is not a v1 parameter"
        );
        match name.as_ref() {
            "wantedCollections" => assert_eq!(
                lexicons.check_record(&value, &json!({"$type": value.as_ref()})),
                Vec::<String>::new()
            ),
            "cursor" => assert!(value.parse::<u64>().is_ok(), "{value}"),
            _ => {}
        }
    }

    // What the fake streams, read over its WebSocket from the start of its log.
    let fake = populated().await;
    let url = format!(
        "{}?wantedCollections=app.bsky.actor.profile&cursor=1",
        fake.jetstream_url()
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut messages = Vec::new();
    while profile_records(&messages).len() < 3 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(30), ws.next())
            .await
            .expect("the fake streams its log")
            .unwrap()
            .unwrap();
        if let Ok(text) = next.into_text() {
            parse::jetstream_event(&text).unwrap();
            messages.push(text.to_string());
        }
    }
    for record in profile_records(&messages) {
        assert_eq!(
            lexicons.check_record("app.bsky.actor.profile", &record),
            Vec::<String>::new()
        );
    }
    // The validator is not blind to a wrong blob.
    let mut bad = profile_records(&messages)
        .into_iter()
        .find(|r| r.get("avatar").is_some())
        .unwrap();
    bad["avatar"]["mimeType"] = json!("image/gif");
    bad["avatar"]["size"] = json!(2_000_000);
    let errs = lexicons
        .check_record("app.bsky.actor.profile", &bad)
        .join("\n");
    assert!(
        errs.contains("mimeType \"image/gif\" is not accepted"),
        "{errs}"
    );
    assert!(errs.contains("more than maxSize 1000000"), "{errs}");
}
