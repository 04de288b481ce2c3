//! Mastodon against its documentation (`tests/fixtures/mastodon/api.json`): the source's
//! instance, search (public and with a user token), lookup, directory and account statuses
//! (the posts read for evidence) calls, the reporter's lookup and report, and the fake's
//! `/api/v1/accounts/:id`, through the recorder; the documentation's own examples validated
//! and parsed by the real parser. The endpoints checked are listed in [`CHECKED`], which
//! `contract::coverage` compares with what the fake serves and the clients build.

use doppelwatch::config::Config;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::FakeAccount;
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::report::{self, mastodon::MastodonReporter};
use doppelwatch::secrets::Secret;
use doppelwatch::sources::mastodon::{parse, statuses, MastodonSource};
use doppelwatch::sources::{AccountRef, Source};
use doppelwatch::store::Store;
use serde_json::{json, Value};

use crate::support_contract::mastodon::MastodonContract;
use crate::support_contract::{assert_conform, json_fixture, Contract, Exchange, Recorder};
use crate::support_watch::{alert_for, palmer, t};

const TOKEN: &str = "user-token";

/// Every endpoint our Mastodon clients call or the fake serves, each checked here.
pub const CHECKED: &[&str] = &[
    "GET /api/v1/accounts/:id",
    "GET /api/v1/accounts/:id/statuses",
    "GET /api/v1/accounts/lookup",
    "GET /api/v1/directory",
    "GET /api/v2/instance",
    "GET /api/v2/search",
    "POST /api/v1/reports",
];

/// The impostors' posts (newest first once added): a hashtag, and text the fake must escape.
const POSTS: [&str; 2] = ["Breaking: #Election tonight", "Q&A at 5 <live>"];

fn with_posts(account: FakeAccount) -> FakeAccount {
    POSTS.iter().rev().fold(account, |a, text| a.post(*text))
}

fn account(handle: &str) -> AccountRef {
    AccountRef {
        handle: handle.into(),
        platform_id: None,
    }
}

async fn record_everything() -> Vec<Exchange> {
    let fake = FakeMastodon::start("mastodon.example").await.unwrap();
    fake.add_account(FakeAccount::new("palmer").name("Palmer Report"));
    fake.add_account(with_posts(
        FakeAccount::new("palmer_report")
            .name("PaImer Report")
            .bio("Independent political news")
            .followers(12),
    ));
    fake.add_remote_account(
        with_posts(FakeAccount::new("PalmerReport").name("Palmer Report")),
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
    let public_source = MastodonSource::new(&config).unwrap();
    let public = public_source.check(&palmer()).await.unwrap();
    assert!(public
        .iter()
        .any(|f| f.profile.handle == "palmer_report@mastodon.example"));
    // The posts read for evidence: a local and a remote account, public and with the token.
    let texts = |posts: Vec<doppelwatch::posts::Post>| -> Vec<String> {
        posts.into_iter().map(|p| p.text).collect()
    };
    let local = public_source
        .recent_posts(&account("palmer_report@mastodon.example"), 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(texts(local), POSTS);
    fake.require_user_token_on_lookup(false);
    let token_source = MastodonSource::new(&config)
        .unwrap()
        .with_token(&rec.base_url, TOKEN.into());
    let remote = token_source
        .recent_posts(&account("PalmerReport@evil.example"), 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(texts(remote), POSTS[..1]);
    let with_token = token_source.check(&palmer()).await.unwrap();
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
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), CHECKED);
    // Posts were asked without boosts and replies, within the documented limit.
    let asked: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.path.ends_with("/statuses"))
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    for e in &asked {
        for flag in ["exclude_reblogs", "exclude_replies"] {
            assert!(e.query.contains(&(flag.into(), "true".into())), "{e:?}");
        }
        let list = e.json_response().unwrap();
        let served = list.as_array().unwrap();
        assert!(!served.is_empty());
        let posts = statuses::statuses(&list, 40).unwrap();
        assert_eq!(
            posts.len(),
            served.len(),
            "the real parser reads every status"
        );
    }
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
    // The Status page's example (the statuses endpoint's own is cut short): it fits but for
    // its account's pre-3.1 last_status_at, and the real parser reads it.
    let status = &doc["entity_examples"]["Status"];
    assert_eq!(
        contract.entity_errors("Status", status),
        ["$.account.last_status_at: \"2019-12-10T08:14:44.811Z\" is not a date (YYYY-MM-DD)"]
    );
    let posts = statuses::statuses(&json!([status]), 10).unwrap();
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0]
            .text
            .starts_with("\"I lost my inheritance with one wrong digit"),
        "{:?}",
        posts[0].text
    );
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://mastodon.social/@Gargron/103270115826048975")
    );
    assert!(posts[0].links[0].starts_with("https://www.theguardian.com/money/"));
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
    // Statuses asked with an undocumented filter and served with a null application (what the
    // fake sent before it was checked), an unknown visibility and a tag without its URL.
    let mut bad = exchanges
        .iter()
        .find(|e| e.path.ends_with("/statuses") && e.status == 200)
        .unwrap()
        .clone();
    let mut body = bad.json_response().unwrap();
    body[0]["application"] = Value::Null;
    body[0]["visibility"] = json!("everyone");
    body[0]["tags"] = json!([{"name": "election"}]);
    bad.response = serde_json::to_vec(&body).unwrap();
    bad.query.push(("exclude_boosts".into(), "true".into()));
    let errs = contract.check(&bad).unwrap_err().join("\n");
    for wanted in [
        "$[0].application: null where the schema says object",
        "$[0].visibility: \"everyone\" is not one of",
        "$[0].tags[0]: required field \"url\" is missing",
        "\"exclude_boosts\" is not documented",
    ] {
        assert!(errs.contains(wanted), "{wanted}: {errs}");
    }
}
