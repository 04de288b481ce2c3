//! Mastodon against its documentation (`tests/fixtures/mastodon/api.json`): the source's
//! instance, search (public and with a user token), lookup and directory calls, the reporter's
//! lookup and report, and the fake's `/api/v1/accounts/:id`, through the recorder; the
//! documentation's own examples validated and parsed by the real parser.

use doppelwatch::config::Config;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::report::{self, mastodon::MastodonReporter};
use doppelwatch::secrets::Secret;
use doppelwatch::sources::mastodon::{parse, MastodonSource};
use doppelwatch::sources::Source;
use doppelwatch::store::Store;
use serde_json::{json, Value};

use crate::support_contract::mastodon::MastodonContract;
use crate::support_contract::{assert_conform, json_fixture, Contract, Exchange, Recorder};
use crate::support_watch::{alert_for, palmer, t};

const TOKEN: &str = "user-token";

async fn record_everything() -> Vec<Exchange> {
    let fake = FakeMastodon::start("mastodon.example").await.unwrap();
    fake.add_account(FakeAccount::new("palmer").name("Palmer Report"));
    fake.add_account(
        FakeAccount::new("palmer_report")
            .name("PaImer Report")
            .bio("Independent political news")
            .followers(12),
    );
    fake.add_remote_account(
        FakeAccount::new("PalmerReport").name("Palmer Report"),
        "evil.example",
    );
    // Enough namesakes for a second page of 40 (paging needs the user token).
    for i in 0..41 {
        fake.add_account(
            FakeAccount::new(format!("fan{i}")).name(format!("Palmer Report fan {i}")),
        );
    }
    fake.add_user_token(TOKEN, "palmer");
    let rec = Recorder::start(&fake.base_url()).await;
    let mut config = Config::default();
    config.mastodon.servers = vec![rec.base_url.clone()];
    config.allow_loopback_fakes();

    // Public (first page only; lookups refused without a user token, as documented, so the
    // probes fall back to search), then with the person's user token (offset, resolve).
    fake.require_user_token_on_lookup(true);
    let public = MastodonSource::new(&config)
        .unwrap()
        .check(&palmer())
        .await
        .unwrap();
    fake.require_user_token_on_lookup(false);
    assert!(public
        .iter()
        .any(|f| f.profile.handle == "palmer_report@mastodon.example"));
    let with_token = MastodonSource::new(&config)
        .unwrap()
        .with_token(&rec.base_url, TOKEN.into())
        .check(&palmer())
        .await
        .unwrap();
    let impostor = with_token
        .iter()
        .find(|f| f.profile.handle == "PalmerReport@evil.example")
        .expect("the remote impostor is found");
    // The fake serves /api/v1/accounts/:id too (no client calls it today).
    let id = impostor.profile.platform_id.clone().unwrap();
    let account: Value = reqwest::get(format!("{}/api/v1/accounts/{id}", rec.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let parsed = parse::profile_from_account(&account, "mastodon.example").unwrap();
    assert_eq!(parsed.handle, "PalmerReport@evil.example");

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let alert = alert_for(
        &store,
        Profile {
            platform: Platform::Mastodon,
            handle: "PalmerReport@evil.example".into(),
            display_name: Some("Palmer Report".into()),
            ..Default::default()
        },
    );
    let reporter = MastodonReporter::new(&rec.base_url, Secret::new(TOKEN)).unwrap();
    report::file_report(&store, alert, &reporter, 10, t(0))
        .await
        .unwrap();
    assert_eq!(fake.received_reports().len(), 1);
    rec.exchanges()
}

#[tokio::test]
async fn every_mastodon_request_and_answer_follows_the_documentation() {
    let exchanges = record_everything().await;
    let covered = assert_conform(&MastodonContract::load(), &exchanges);
    let expected = [
        "GET /api/v1/accounts/:id",
        "GET /api/v1/accounts/lookup",
        "GET /api/v1/directory",
        "GET /api/v2/instance",
        "GET /api/v2/search",
        "POST /api/v1/reports",
    ];
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), expected);
    // Paging and resolving were asked only with the user token.
    let searches: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.path == "/api/v2/search")
        .collect();
    for param in ["offset", "resolve"] {
        assert!(
            searches
                .iter()
                .any(|e| e.query.iter().any(|(k, _)| k == param)),
            "{param} was exercised"
        );
    }
    assert!(exchanges
        .iter()
        .any(|e| e.path == "/api/v1/accounts/lookup" && e.status == 401));
}

#[tokio::test]
async fn the_documentations_examples_fit_and_the_real_parser_reads_them() {
    let contract = MastodonContract::load();
    let doc = &contract.doc;
    let account = &doc["entity_examples"]["Account"];
    assert_eq!(
        contract.entity_errors("Account", account),
        Vec::<String>::new()
    );
    let profile = parse::profile_from_account(account, "mastodon.social").unwrap();
    assert_eq!(profile.handle, "noiob@awoo.space");
    assert_eq!(
        profile.display_name.as_deref(),
        Some("ikea shark fan account")
    );
    assert_eq!(profile.followers, Some(547));
    let mut with_examples = 0;
    for endpoint in doc["endpoints"].as_array().unwrap() {
        let Some(example) = endpoint.get("example").filter(|e| !e.is_null()) else {
            continue;
        };
        with_examples += 1;
        // The documentation's own known inconsistencies are listed beside the example.
        let known: Vec<String> = endpoint["example_deviations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(String::from))
            .collect();
        let errs = contract.schemas().errors(&endpoint["response"], example);
        assert_eq!(errs, known, "{}", endpoint["path"]);
        let account = example.get("target_account").unwrap_or(example);
        if account.get("acct").is_some() {
            parse::profile_from_account(account, "mastodon.social").unwrap();
        }
    }
    assert_eq!(
        with_examples, 3,
        "get account, instance and report carry whole examples"
    );
    // Our own search fixture is in the documented shape too, but for its second account,
    // malformed on purpose (the parser must skip it alone).
    let mut ours = json_fixture("mastodon/search_accounts.json");
    let malformed = ours["accounts"].as_array_mut().unwrap().remove(1);
    assert_eq!(
        contract.entity_errors("Search", &ours),
        Vec::<String>::new()
    );
    let errs = contract.entity_errors("Account", &malformed).join("\n");
    assert!(
        errs.contains("$.id: integer where the schema says string"),
        "{errs}"
    );
}

#[tokio::test]
async fn the_mastodon_checker_catches_real_mismatches() {
    let contract = MastodonContract::load();
    let exchanges = record_everything().await;
    let mut bad = exchanges
        .iter()
        .find(|e| e.path == "/api/v2/search" && e.status == 200)
        .unwrap()
        .clone();
    let mut body = bad.json_response().unwrap();
    body["accounts"][0]["followers_count"] = json!("12");
    body["accounts"][0]["nickname"] = json!("x");
    bad.response = serde_json::to_vec(&body).unwrap();
    bad.query.push(("sort".into(), "new".into()));
    bad.query.retain(|(k, _)| k != "limit");
    bad.query.push(("limit".into(), "41".into()));
    bad.query.push(("offset".into(), "40".into()));
    bad.headers.retain(|(k, _)| k != "authorization");
    let errs = contract.check(&bad).unwrap_err().join("\n");
    for wanted in [
        "followers_count: string where the schema says integer",
        "field \"nickname\" is not in the description",
        "\"sort\" is not documented",
        "41 is above the maximum 40",
        "\"offset\" needs a user token",
    ] {
        assert!(errs.contains(wanted), "{wanted}: {errs}");
    }
}
