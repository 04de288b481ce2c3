//! X against its OpenAPI description (`tests/fixtures/x/openapi-users-subset.json`): the
//! source's `/2/users/by` probes, `/2/users/search` (user token) and `/2/users` by id, through
//! the recorder (the client never calls `/2/users/by/username/{username}`; the fake lacks it).

use doppelwatch::config::Config;
use doppelwatch::fake::x::FakeX;
use doppelwatch::fake::FakeAccount;
use doppelwatch::sources::x::{parse, XCredentials, XSource};
use doppelwatch::sources::Source;
use serde_json::json;

use crate::support_contract::openapi::OpenApi;
use crate::support_contract::{assert_conform, json_fixture, Contract, Exchange, Recorder};
use crate::support_watch::palmer;

/// Every operation our X client calls or the fake serves, each checked here.
pub const CHECKED: &[&str] = &[
    "GET /2/users (getUsersByIds)",
    "GET /2/users/by (getUsersByUsernames)",
    "GET /2/users/search (searchUsers)",
];

fn description() -> OpenApi {
    OpenApi::load("x/openapi-users-subset.json")
}

async fn record_everything() -> Vec<Exchange> {
    let fake = FakeX::start("app-token").await.unwrap();
    fake.add_user_token("user-token");
    fake.add_account(
        FakeAccount::new("PalmerReport")
            .name("Palmer Report")
            .followers(90_000),
    );
    let impostor = fake.add_account(
        FakeAccount::new("PaImerReport")
            .name("Palmer Report")
            .bio("Independent political news")
            .followers(12),
    );
    let rec = Recorder::start(&fake.base_url()).await;
    let mut config = Config::default();
    config.x.base_url = rec.base_url.clone();
    config.x.daily_cap_usd = 5.0;
    config.allow_loopback_fakes();
    let source = XSource::new(
        &config,
        XCredentials {
            bearer_token: Some("app-token".into()),
            user_token: Some("user-token".into()),
        },
    )
    .unwrap();
    let found = source.check(&palmer()).await.unwrap();
    assert!(
        found.iter().any(|f| f.profile.handle == "PaImerReport"),
        "{found:?}"
    );
    let by_id = source
        .users_by_id(std::slice::from_ref(&impostor))
        .await
        .unwrap();
    assert_eq!(by_id.len(), 1);
    rec.exchanges()
}

#[tokio::test]
async fn every_x_request_and_answer_follows_the_openapi_description() {
    let exchanges = record_everything().await;
    let covered = assert_conform(&description(), &exchanges);
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), CHECKED);
    // Missing probes come back as resource-not-found problems, which the description accepts.
    assert!(exchanges.iter().any(|e| {
        e.json_response()
            .is_some_and(|b| b["errors"].as_array().is_some_and(|l| !l.is_empty()))
    }));
}

#[tokio::test]
async fn our_x_fixture_fits_the_description_and_parses() {
    let api = description();
    let users_by = json_fixture("x/users_by.json");
    let schema = json!({"$ref": "#/components/schemas/GetUsersByUsernamesResponse"});
    let errs = crate::support_contract::schema::Schemas {
        root: &api.doc,
        strict: true,
    }
    .errors(&schema, &users_by);
    // Its second user is malformed on purpose (the parser must skip it alone): the checker
    // names exactly that one.
    assert_eq!(
        errs,
        [
            "$.data[1].id: integer where the schema says string",
            "$.data[1].username: null where the schema says string"
        ]
    );
    let (profiles, _missing) = parse::users_page(&users_by);
    assert_eq!(
        profiles.len(),
        users_by["data"].as_array().unwrap().len() - 1
    );
}

#[tokio::test]
async fn the_openapi_checker_catches_real_mismatches() {
    let exchanges = record_everything().await;
    let mut bad = exchanges
        .iter()
        .find(|e| e.path == "/2/users/by" && e.status == 200)
        .unwrap()
        .clone();
    let mut body = bad.json_response().unwrap();
    body["data"][0]["public_metrics"]["followers_count"] = json!("12");
    body["data"][0]["verified"] = json!("true");
    bad.response = serde_json::to_vec(&body).unwrap();
    bad.query = vec![
        ("usernames".into(), "ok_name,not-a-name".into()),
        ("user.fields".into(), "id,name,follower_count".into()),
        ("max_results".into(), "10".into()),
    ];
    bad.headers.retain(|(k, _)| k != "authorization");
    let errs = description().check(&bad).unwrap_err().join("\n");
    for wanted in [
        "followers_count: string where the schema says integer",
        "verified: string where the schema says boolean",
        "\"not-a-name\" does not match",
        "\"follower_count\" is not one of",
        "\"max_results\" is not in the operation",
        "no Authorization was sent",
    ] {
        assert!(errs.contains(wanted), "{wanted}: {errs}");
    }
}
