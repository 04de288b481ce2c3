//! YouTube against its Data API reference (`tests/fixtures/youtube/documented_parameters.json`):
//! the source's `channels.list?forHandle=` probes, `search.list?type=channel`, and
//! `channels.list?id=` (after a search and in lookups), plus the fake's `quotaExceeded` and
//! `keyInvalid` refusals, through the recorder; our fixtures in the documented shapes, parsed
//! by the real parser.

use doppelwatch::config::Config;
use doppelwatch::fake::youtube::FakeYoutube;
use doppelwatch::fake::FakeAccount;
use doppelwatch::sources::youtube::{parse, YoutubeSource};
use doppelwatch::sources::{AccountRef, Source};
use serde_json::json;

use crate::support_contract::youtube::YoutubeContract;
use crate::support_contract::{assert_conform, json_fixture, Contract, Exchange, Recorder};
use crate::support_watch::palmer_on_youtube;

const KEY: &str = "AIzaSyFakeYoutubeContractKey000000000";

/// Every Data API method our YouTube client calls or the fake serves, each checked here.
pub const CHECKED: &[&str] = &["GET /youtube/v3/channels", "GET /youtube/v3/search"];

async fn record_everything() -> Vec<Exchange> {
    let fake = FakeYoutube::start(KEY).await.unwrap();
    fake.add_account(
        FakeAccount::new("PalmerReport")
            .name("Palmer Report")
            .followers(90_000),
    );
    let impostor = fake.add_account(
        FakeAccount::new("PaImerReport")
            .name("Palmer Report")
            .bio("Independent political news")
            .avatar(doppelwatch::fake::sample_avatar_png(11))
            .followers(12),
    );
    fake.add_account(FakeAccount::new("palmerreportclips").name("Palmer Report Clips"));
    let rec = Recorder::start(&fake.base_url()).await;
    let mut config = Config::default();
    config.youtube.base_url = rec.base_url.clone();
    config.youtube.probe_limit = 5;
    config.allow_loopback_fakes();
    let source = YoutubeSource::new(&config, Some(KEY.into())).unwrap();
    let found = source.check(&palmer_on_youtube()).await.unwrap();
    assert!(
        found.iter().any(|f| f.profile.handle == "PaImerReport"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.profile.handle == "palmerreportclips"),
        "{found:?}"
    );
    let again = source
        .lookup(&[AccountRef {
            handle: "PaImerReport".into(),
            platform_id: Some(impostor),
        }])
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    // The refusals, in the documented error shape.
    let wrong = YoutubeSource::new(&config, Some("AIzaSyWrongKey".into())).unwrap();
    assert!(wrong.check(&palmer_on_youtube()).await.is_err());
    fake.set_quota(fake.units_used());
    let spent = YoutubeSource::new(&config, Some(KEY.into())).unwrap();
    assert!(spent.check(&palmer_on_youtube()).await.is_err());
    rec.exchanges()
}

#[tokio::test]
async fn every_youtube_request_and_answer_follows_the_reference() {
    let exchanges = record_everything().await;
    let covered = assert_conform(&YoutubeContract::load(), &exchanges);
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), CHECKED);
    let with = |param: &str| {
        exchanges
            .iter()
            .filter(|e| e.query.iter().any(|(k, _)| k == param))
            .count()
    };
    assert!(with("forHandle") >= 5, "the probes");
    assert!(with("id") >= 2, "the search's channels and the lookup");
    let search = exchanges
        .iter()
        .find(|e| e.path == "/youtube/v3/search")
        .unwrap();
    let q = |k: &str| {
        search
            .query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        (q("part"), q("type"), q("q")),
        (Some("snippet"), Some("channel"), Some("Palmer Report"))
    );
    let reasons: Vec<String> = exchanges
        .iter()
        .filter(|e| e.status != 200)
        .flat_map(|e| parse::error_reasons(&e.json_response().unwrap()))
        .collect();
    assert!(reasons.iter().any(|r| r == "keyInvalid"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r == "quotaExceeded"), "{reasons:?}");
}

#[tokio::test]
async fn our_fixtures_fit_the_reference_and_the_real_parser_reads_them() {
    let contract = YoutubeContract::load();
    let mut channels = json_fixture("youtube/channels_list.json");
    // The third channel is malformed on purpose (the parser must skip it alone).
    let malformed = channels["items"].as_array_mut().unwrap().remove(2);
    assert_eq!(
        contract.resource_errors("ChannelListResponse", &channels),
        Vec::<String>::new()
    );
    assert!(contract
        .resource_errors("Channel", &malformed)
        .join("\n")
        .contains("$.id: integer where the schema says string"));
    assert_eq!(parse::channel_list(&channels, None).len(), 2);
    let mut search = json_fixture("youtube/search_list.json");
    search["items"].as_array_mut().unwrap().remove(2);
    assert_eq!(
        contract.resource_errors("SearchListResponse", &search),
        Vec::<String>::new()
    );
    assert_eq!(parse::search_channel_ids(&search).len(), 2);
}

#[tokio::test]
async fn the_youtube_checker_catches_real_mismatches() {
    let contract = YoutubeContract::load();
    let exchanges = record_everything().await;
    let mut bad = exchanges
        .iter()
        .find(|e| {
            e.path == "/youtube/v3/channels"
                && e.status == 200
                && e.json_response().is_some_and(|b| b.get("items").is_some())
        })
        .unwrap()
        .clone();
    let mut body = bad.json_response().unwrap();
    body["items"][0]["statistics"]["subscriberCount"] = json!(12);
    body["items"][0]["snippet"]["handle"] = json!("x");
    bad.response = serde_json::to_vec(&body).unwrap();
    bad.query.retain(|(k, _)| k != "key");
    bad.query.push(("id".into(), "UC0".into()));
    bad.query.push(("maxResults".into(), "51".into()));
    bad.query.push(("sort".into(), "new".into()));
    bad.headers
        .push(("authorization".into(), "Bearer x".into()));
    let errs = contract.check(&bad).unwrap_err().join("\n");
    for wanted in [
        "subscriberCount: integer where the schema says string",
        "field \"handle\" is not in the description",
        "\"sort\" is not documented",
        "51 is above the maximum 50",
        "2 filters given",
        "no API key",
        "Authorization header",
    ] {
        assert!(errs.contains(wanted), "{wanted}: {errs}");
    }
}
