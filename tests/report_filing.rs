//! Filing reports over real HTTP against local servers in the Bluesky and Mastodon API
//! shapes: the session is created once and reused, the report carries the impersonation
//! reason, the labeler proxy header and the impostor's DID; Mastodon looks the account up on
//! the person's server and forwards remote reports; the daily cap stops filing.

mod support_watch;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::report::{
    self, bluesky::BlueskyReporter, mastodon::MastodonReporter, ReportError,
};
use doppelwatch::secrets::Secret;
use doppelwatch::store::{AlertState, Store};
use serde_json::{json, Value};
use support_watch::*;

#[derive(Default)]
struct Seen {
    sessions: u32,
    expire_next_report: bool,
    reports: Vec<(HeaderMap, Value)>,
    lookups: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

async fn create_session(
    State(seen): State<Shared>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if body["identifier"] != "palmerreport.com" || body["password"] != "abcd-efgh-ijkl-mnop" {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
            ),
        );
    }
    let mut s = seen.lock().unwrap();
    s.sessions += 1;
    let n = s.sessions;
    (
        StatusCode::OK,
        Json(
            json!({"accessJwt": format!("access-{n}"), "refreshJwt": format!("refresh-{n}"),
                    "did": "did:plc:palmer", "handle": "palmerreport.com"}),
        ),
    )
}

async fn create_report(
    State(seen): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = seen.lock().unwrap();
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !auth.starts_with("Bearer access-") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "AuthenticationRequired"})),
        );
    }
    if s.expire_next_report {
        s.expire_next_report = false;
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "ExpiredToken", "message": "Token has expired"})),
        );
    }
    s.reports.push((headers.clone(), body.clone()));
    let id = s.reports.len();
    (
        StatusCode::OK,
        Json(
            json!({"id": id, "reasonType": body["reasonType"], "reason": body["reason"],
                    "subject": body["subject"], "reportedBy": "did:plc:palmer",
                    "createdAt": "2026-11-29T12:00:00.000Z"}),
        ),
    )
}

async fn lookup(
    State(seen): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let acct = q.get("acct").cloned().unwrap_or_default();
    seen.lock().unwrap().lookups.push(acct.clone());
    match acct.as_str() {
        "palmer@evil.example" => (
            StatusCode::OK,
            Json(json!({"id": "109", "acct": acct, "username": "palmer"})),
        ),
        "palmer_report" => (
            StatusCode::OK,
            Json(json!({"id": "110", "acct": acct, "username": "palmer_report"})),
        ),
        // A hostile or confused server answers with the person's own account.
        "swapped@evil.example" => (
            StatusCode::OK,
            Json(
                json!({"id": "666", "acct": "PalmerReport@mastodon.social", "username": "PalmerReport"}),
            ),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "Record not found"})),
        ),
    }
}

async fn masto_report(
    State(seen): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer masto-token") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "The access token is invalid"})),
        );
    }
    let mut s = seen.lock().unwrap();
    s.reports.push((headers, body.clone()));
    (
        StatusCode::OK,
        Json(
            json!({"id": format!("{}", 1000 + s.reports.len()), "category": body["category"],
                    "comment": body["comment"], "forwarded": body["forward"]}),
        ),
    )
}

async fn serve(seen: Shared) -> String {
    let app = Router::new()
        .route(
            "/xrpc/com.atproto.server.createSession",
            post(create_session),
        )
        .route(
            "/xrpc/com.atproto.moderation.createReport",
            post(create_report),
        )
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/reports", post(masto_report))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn bluesky_reports_carry_the_impersonation_reason_proxy_and_subject() {
    let seen = Shared::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let first = alert_for(
        &store,
        bsky_profile("did:plc:imp1", "palmer-report.bsky.social", "PaImer Report"),
    );
    let second = alert_for(
        &store,
        bsky_profile("did:plc:imp2", "palmerreport.bsky.social", "Palmer Report"),
    );
    let reporter = BlueskyReporter::new(
        &base,
        "palmerreport.com",
        Secret::new("abcd-efgh-ijkl-mnop"),
    );

    let record = report::file_report(&store, first, &reporter, 10, t(10))
        .await
        .unwrap();
    assert_eq!(record.remote_id.as_deref(), Some("1"));
    assert_eq!(store.alert(first).unwrap().state, AlertState::Reported);
    // The cached session is reused, then refreshed once when it expires.
    seen.lock().unwrap().expire_next_report = true;
    report::file_report(&store, second, &reporter, 10, t(20))
        .await
        .unwrap();

    let s = seen.lock().unwrap();
    assert_eq!(
        s.sessions, 2,
        "one session, plus one after the token expired"
    );
    assert_eq!(s.reports.len(), 2);
    let (headers, body) = &s.reports[0];
    assert_eq!(
        headers.get("atproto-proxy").unwrap(),
        "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler"
    );
    assert_eq!(
        body["reasonType"],
        "tools.ozone.report.defs#reasonMisleadingImpersonation"
    );
    assert_eq!(body["subject"]["$type"], "com.atproto.admin.defs#repoRef");
    assert_eq!(body["subject"]["did"], "did:plc:imp1");
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains("impersonates me, Palmer Report"),
        "{reason}"
    );
    assert!(reason.chars().count() <= 2000);
    assert_eq!(s.reports[1].1["subject"]["did"], "did:plc:imp2");
}

#[tokio::test]
async fn a_wrong_app_password_says_what_to_fix_and_files_nothing() {
    let seen = Shared::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let id = alert_for(
        &store,
        bsky_profile("did:plc:imp1", "imp.bsky.social", "PaImer Report"),
    );
    let reporter =
        BlueskyReporter::new(&base, "palmerreport.com", Secret::new("wrong-password-xyz"));
    let err = report::file_report(&store, id, &reporter, 10, t(0))
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::Auth { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("Check the app password"), "{text}");
    assert!(
        !text.contains("wrong-password-xyz"),
        "the secret never shows: {text}"
    );
    assert_ne!(store.alert(id).unwrap().state, AlertState::Reported);
    assert!(store.reports_for(id).unwrap().is_empty());
}

#[tokio::test]
async fn the_daily_cap_stops_api_filing() {
    let seen = Shared::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let a = alert_for(
        &store,
        bsky_profile("did:plc:a", "a.bsky.social", "PaImer Report"),
    );
    let b = alert_for(
        &store,
        bsky_profile("did:plc:b", "b.bsky.social", "PaImer Report"),
    );
    let reporter = BlueskyReporter::new(
        &base,
        "palmerreport.com",
        Secret::new("abcd-efgh-ijkl-mnop"),
    );
    report::file_report(&store, a, &reporter, 1, t(0))
        .await
        .unwrap();
    let err = report::file_report(&store, b, &reporter, 1, t(60))
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::DailyCap { cap: 1 }), "{err}");
    assert_eq!(
        seen.lock().unwrap().reports.len(),
        1,
        "nothing sent past the cap"
    );
    // 24 hours later the cap allows it again.
    report::file_report(&store, b, &reporter, 1, t(86_400 + 1))
        .await
        .unwrap();
}

#[tokio::test]
async fn mastodon_looks_the_account_up_and_forwards_remote_reports() {
    let seen = Shared::default();
    let base = serve(seen.clone()).await;
    let host = url::Url::parse(&base)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let remote = alert_for(
        &store,
        Profile {
            platform: Platform::Mastodon,
            handle: "palmer@evil.example".into(),
            display_name: Some("Palmer Report".into()),
            bio: Some("z".repeat(4000)),
            ..Default::default()
        },
    );
    let local = alert_for(
        &store,
        Profile {
            platform: Platform::Mastodon,
            handle: format!("palmer_report@{host}"),
            display_name: Some("Palmer Report".into()),
            ..Default::default()
        },
    );
    let gone = alert_for(
        &store,
        Profile {
            platform: Platform::Mastodon,
            handle: "deleted@evil.example".into(),
            display_name: Some("Palmer Report".into()),
            ..Default::default()
        },
    );
    let reporter = MastodonReporter::new(&base, Secret::new("masto-token")).unwrap();
    let rec = report::file_report(&store, remote, &reporter, 10, t(0))
        .await
        .unwrap();
    assert_eq!(rec.remote_id.as_deref(), Some("1001"));
    report::file_report(&store, local, &reporter, 10, t(1))
        .await
        .unwrap();
    let err = report::file_report(&store, gone, &reporter, 10, t(2))
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::AccountNotFound { .. }), "{err}");

    let s = seen.lock().unwrap();
    assert_eq!(
        s.lookups,
        vec![
            "palmer@evil.example",
            "palmer_report",
            "deleted@evil.example"
        ]
    );
    let body = &s.reports[0].1;
    assert_eq!(body["account_id"], "109");
    assert_eq!(body["category"], "other");
    assert_eq!(body["forward"], true);
    assert!(body["comment"].as_str().unwrap().chars().count() <= 1000);
    assert_eq!(s.reports[1].1["account_id"], "110");
    assert_eq!(
        s.reports[1].1["forward"], false,
        "a local account is not forwarded"
    );
}

#[tokio::test]
async fn mastodon_files_nothing_when_the_lookup_answers_another_account() {
    let seen = Shared::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let swapped = alert_for(
        &store,
        Profile {
            platform: Platform::Mastodon,
            handle: "swapped@evil.example".into(),
            display_name: Some("Palmer Report".into()),
            ..Default::default()
        },
    );
    let reporter = MastodonReporter::new(&base, Secret::new("masto-token")).unwrap();
    let err = report::file_report(&store, swapped, &reporter, 10, t(0))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("another account") && message.contains("PalmerReport@mastodon.social"),
        "{message}"
    );
    let s = seen.lock().unwrap();
    assert_eq!(s.lookups, vec!["swapped@evil.example"]);
    assert!(
        s.reports.is_empty(),
        "nothing filed against the wrong account"
    );
    assert_eq!(store.alert(swapped).unwrap().state, AlertState::New);
}

#[test]
fn mastodon_tokens_are_looked_up_by_host_and_port() {
    let mut config = doppelwatch::config::Config::default();
    config.mastodon.servers = vec![
        "http://127.0.0.1:4001".into(),
        "http://127.0.0.1:4002/".into(),
        "https://social.example".into(),
        "https://social.example:8443".into(),
    ];
    let asked = Mutex::new(Vec::new());
    let secrets = |key: &doppelwatch::secrets::SecretKey| {
        asked.lock().unwrap().push(key.account());
        None
    };
    let module = doppelwatch::platforms::module(&Platform::Mastodon).unwrap();
    assert!(module.build_source(&config, &secrets).unwrap().is_ok());
    assert_eq!(
        *asked.lock().unwrap(),
        vec![
            "mastodon-token:127.0.0.1:4001",
            "mastodon-token:127.0.0.1:4002",
            "mastodon-token:social.example",
            "mastodon-token:social.example:8443",
        ],
        "each server's own token, never one shared by every port of a host"
    );
}
