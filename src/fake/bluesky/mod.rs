//! A fake Bluesky: AppView reads (`searchActors`, `getProfiles`, `getProfile`,
//! `resolveHandle`), PDS calls (`createSession`, `createReport`), the CDN's avatar images, and
//! Jetstream (`/subscribe`) replaying profile commits with `time_us` and honouring `cursor`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use doppelwatch::fake::{bluesky::FakeBluesky, FakeAccount};
//! let fake = FakeBluesky::start().await?;
//! fake.add_account(FakeAccount::new("palmerreport.bsky.social").name("Palmer Report"));
//! println!("{} {}", fake.base_url(), fake.jetstream_url());
//! # Ok(()) }
//! ```
//!
//! This module owns the accounts and the XRPC answers; [`jetstream`] owns the event log and the
//! WebSocket stream. It must never reach beyond loopback.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::http::{bind_loopback, common_accessors, param, query_pairs, words};
use super::{
    avatar_response, json_response, lock, receive_report, Common, FakeAccount, Flavor,
    ReceivedReport, ReportAnswer, ReportBook, Server,
};
use crate::identity::Platform;
use crate::sources::bluesky::cid::blob_cid;

mod feed;
mod jetstream;

use jetstream::{subscribe, Event};

/// The collection of profile records.
const PROFILE_COLLECTION: &str = "app.bsky.actor.profile";

#[derive(Debug, Clone)]
struct Account {
    did: String,
    handle: String,
    display_name: Option<String>,
    description: Option<String>,
    avatar: Option<Arc<Vec<u8>>>,
    avatar_cid: Option<String>,
    followers: u64,
    labels: Vec<String>,
    created_at: DateTime<Utc>,
    active: bool,
    /// Public posts, newest first.
    posts: Vec<String>,
}

#[derive(Debug)]
struct BskyState {
    common: Arc<Common>,
    base_url: String,
    accounts: Mutex<Vec<Account>>,
    next_seq: AtomicU64,
    events: Mutex<Vec<Event>>,
    live: broadcast::Sender<Event>,
    passwords: Mutex<HashMap<String, String>>,
    sessions: Mutex<HashMap<String, String>>,
    reports: Mutex<Vec<ReceivedReport>>,
    /// Where received reports are kept beyond this fake's memory, if anywhere.
    book: Mutex<Option<Arc<dyn ReportBook>>>,
    /// `searchActors` queries (lowercased) that answer 503 until healed.
    failing_searches: Mutex<Vec<String>>,
    /// Reason types the labeler refuses (an older Ozone that knows only the older reasons).
    refused_reason_types: Mutex<Vec<String>>,
}

/// A running fake Bluesky (AppView, PDS, CDN and Jetstream on one loopback port).
#[derive(Debug)]
pub struct FakeBluesky {
    state: Arc<BskyState>,
    _server: Server,
}

impl FakeBluesky {
    /// Starts the fake on `127.0.0.1:0`.
    pub async fn start() -> std::io::Result<FakeBluesky> {
        FakeBluesky::start_on(0).await
    }

    /// Starts the fake on `127.0.0.1:port` (`0`: any free port).
    pub async fn start_on(port: u16) -> std::io::Result<FakeBluesky> {
        let bound = bind_loopback(port).await?;
        let common = Common::new(Flavor::Bluesky);
        let (live, _) = broadcast::channel(4096);
        let state = Arc::new(BskyState {
            common: common.clone(),
            base_url: bound.base_url.clone(),
            accounts: Mutex::new(Vec::new()),
            next_seq: AtomicU64::new(1),
            events: Mutex::new(Vec::new()),
            live,
            passwords: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            reports: Mutex::new(Vec::new()),
            book: Mutex::new(None),
            failing_searches: Mutex::new(Vec::new()),
            refused_reason_types: Mutex::new(Vec::new()),
        });
        let api = Router::new()
            .route("/xrpc/app.bsky.actor.searchActors", get(search_actors))
            .route("/xrpc/app.bsky.actor.getProfiles", get(get_profiles))
            .route("/xrpc/app.bsky.actor.getProfile", get(get_profile))
            .route(
                "/xrpc/app.bsky.feed.getAuthorFeed",
                get(feed::get_author_feed),
            )
            .route(
                "/xrpc/com.atproto.identity.resolveHandle",
                get(resolve_handle),
            )
            .route(
                "/xrpc/com.atproto.server.createSession",
                post(create_session),
            )
            .route(
                "/xrpc/com.atproto.moderation.createReport",
                post(create_report),
            );
        let plain = Router::new()
            .route("/img/avatar/plain/{did}/{file}", get(avatar))
            .route("/subscribe", get(subscribe));
        Ok(FakeBluesky {
            state: state.clone(),
            _server: bound.serve(&common, plain, api, state),
        })
    }

    /// Base URL of the AppView and PDS (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Jetstream's subscribe URL (`ws://127.0.0.1:PORT/subscribe`).
    pub fn jetstream_url(&self) -> String {
        format!(
            "{}/subscribe",
            self.state.base_url.replacen("http", "ws", 1)
        )
    }

    /// Places an account (a profile commit and identity event go out on Jetstream); returns its DID.
    pub fn add_account(&self, account: FakeAccount) -> String {
        let seq = self.state.next_seq.fetch_add(1, Ordering::SeqCst);
        let did = fake_did(&account.handle, seq);
        self.place_account(did, seq, account)
    }

    /// Places an account under a DID of the caller's choosing (a `did:web`, or the same
    /// `did:plc` on a second fake playing another server); returns that DID.
    pub fn add_account_as(&self, did: &str, account: FakeAccount) -> String {
        let seq = self.state.next_seq.fetch_add(1, Ordering::SeqCst);
        self.place_account(did.to_string(), seq, account)
    }

    /// Places an account that was there before this fake started (a restarted demo's): it
    /// is served, but no Jetstream event announces it again.
    pub fn restore_account_as(&self, did: &str, account: FakeAccount) {
        lock(&self.state.accounts).push(account_of(did.to_string(), account));
    }

    fn place_account(&self, did: String, seq: u64, account: FakeAccount) -> String {
        let acc = account_of(did.clone(), account);
        lock(&self.state.accounts).push(acc.clone());
        self.state.emit_identity(&acc, seq);
        self.state.emit_profile(&acc, "create");
        did
    }

    /// Changes an account's profile (a profile `update` commit goes out on Jetstream).
    /// Returns false when no account has this handle or DID.
    pub fn update_account(&self, handle_or_did: &str, account: FakeAccount) -> bool {
        let updated = {
            let mut accounts = lock(&self.state.accounts);
            let Some(acc) = accounts
                .iter_mut()
                .find(|a| a.active && (a.did == handle_or_did || a.handle == handle_or_did))
            else {
                return false;
            };
            acc.display_name = account.display_name;
            acc.description = account.bio;
            acc.avatar_cid = account.avatar.as_deref().map(blob_cid);
            acc.avatar = account.avatar.map(Arc::new);
            acc.followers = account.followers;
            acc.labels = account.labels;
            acc.posts = account.posts;
            acc.clone()
        };
        self.state.emit_profile(&updated, "update");
        true
    }

    /// Takes an account down (an `account` event with `active: false` goes out on Jetstream).
    pub fn remove_account(&self, handle_or_did: &str) -> bool {
        let removed = {
            let mut accounts = lock(&self.state.accounts);
            let Some(acc) = accounts
                .iter_mut()
                .find(|a| a.active && (a.did == handle_or_did || a.handle == handle_or_did))
            else {
                return false;
            };
            acc.active = false;
            acc.clone()
        };
        let seq = self.state.next_seq.fetch_add(1, Ordering::SeqCst);
        let time_us = self.state.next_time_us();
        let text = json!({
            "did": removed.did, "time_us": time_us, "kind": "account",
            "account": {"active": false, "did": removed.did, "seq": seq,
                        "status": "takendown", "time": now_iso()}
        });
        self.state.push_event(time_us, None, text.to_string());
        true
    }

    common_accessors!();

    /// Makes `searchActors` answer 503 for exactly these queries (case-insensitive), every
    /// time, while other searches answer normally: some queries of a check fail and the rest
    /// do not. An empty list heals them. (A Bluesky-only knob beside [`Misbehave`], which
    /// fails requests by count whatever they ask.)
    pub fn fail_searches_for(&self, queries: &[&str]) {
        *lock(&self.state.failing_searches) = queries.iter().map(|q| q.to_lowercase()).collect();
    }

    /// Makes the labeler refuse these reason types in `createReport` with 400
    /// `InvalidRequest` "Invalid reason type: `<type>`", as Ozone does for a reason its service
    /// record does not declare. An empty list accepts every reason again.
    pub fn refuse_reason_types(&self, reason_types: &[&str]) {
        *lock(&self.state.refused_reason_types) =
            reason_types.iter().map(|r| r.to_string()).collect();
    }

    /// Accepts `createSession` for this identifier (handle or DID) and app password.
    pub fn set_app_password(&self, identifier: &str, password: &str) {
        lock(&self.state.passwords).insert(identifier.to_ascii_lowercase(), password.to_string());
    }

    /// Reports received through `com.atproto.moderation.createReport`, oldest first.
    pub fn received_reports(&self) -> Vec<ReceivedReport> {
        lock(&self.state.reports).clone()
    }

    /// Gives back the reports an earlier run of this fake received (before any new one), so
    /// what the platform received stays true across a restart.
    pub fn restore_reports(&self, reports: Vec<ReceivedReport>) {
        lock(&self.state.reports).splice(0..0, reports);
    }

    /// Has `book` keep every report from now on, before the fake answers it.
    pub fn keep_reports_in(&self, book: Arc<dyn ReportBook>) {
        *lock(&self.state.book) = Some(book);
    }

    /// The blob CID of an account's avatar, as Jetstream and the CDN URL carry it.
    pub fn avatar_cid(&self, handle_or_did: &str) -> Option<String> {
        lock(&self.state.accounts)
            .iter()
            .find(|a| a.did == handle_or_did || a.handle == handle_or_did)
            .and_then(|a| a.avatar_cid.clone())
    }

    /// The `time_us` of the latest Jetstream event (0 before any).
    pub fn latest_time_us(&self) -> u64 {
        lock(&self.state.events).last().map_or(0, |e| e.time_us)
    }
}

impl BskyState {
    fn avatar_url(&self, acc: &Account) -> Option<String> {
        acc.avatar_cid.as_ref().map(|cid| {
            format!(
                "{}/img/avatar/plain/{}/{}@jpeg",
                self.base_url, acc.did, cid
            )
        })
    }

    /// `app.bsky.actor.defs#profileView` (search results) or `#profileViewDetailed`.
    fn profile_view(&self, acc: &Account, detailed: bool) -> Value {
        let mut v = json!({
            "did": acc.did,
            "handle": acc.handle,
            "indexedAt": acc.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "createdAt": acc.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "labels": acc.labels.iter().map(|val| json!({
                "src": acc.did, "uri": format!("at://{}/app.bsky.actor.profile/self", acc.did),
                "val": val, "cts": acc.created_at.to_rfc3339_opts(SecondsFormat::Millis, true)
            })).collect::<Vec<_>>(),
            "viewer": {"muted": false, "blockedBy": false},
        });
        if let Some(name) = &acc.display_name {
            v["displayName"] = json!(name);
        }
        if let Some(description) = &acc.description {
            v["description"] = json!(description);
        }
        if let Some(url) = self.avatar_url(acc) {
            v["avatar"] = json!(url);
        }
        if detailed {
            v["followersCount"] = json!(acc.followers);
            v["followsCount"] = json!(0);
            v["postsCount"] = json!(0);
        }
        v
    }

    fn malformed_record(&self) -> bool {
        self.common.switches().malformed_record
    }

    fn find(&self, actor: &str) -> Option<Account> {
        let actor = actor.trim().trim_start_matches('@').to_ascii_lowercase();
        lock(&self.accounts)
            .iter()
            .find(|a| a.active && (a.did == actor || a.handle == actor))
            .cloned()
    }
}

/// An account as this fake keeps it.
fn account_of(did: String, account: FakeAccount) -> Account {
    Account {
        did,
        handle: account.handle.to_ascii_lowercase(),
        display_name: account.display_name,
        description: account.bio,
        avatar_cid: account.avatar.as_deref().map(blob_cid),
        avatar: account.avatar.map(Arc::new),
        followers: account.followers,
        labels: account.labels,
        created_at: account.created_at.unwrap_or_else(Utc::now),
        active: true,
        posts: account.posts,
    }
}

/// A `did:plc:` made of `handle` alone: the same in every run of a fake (for accounts placed
/// with [`FakeBluesky::add_account_as`] that a restarted fake must place again unchanged).
pub fn stable_did(handle: &str) -> String {
    fake_did(&handle.to_ascii_lowercase(), 0)
}

fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A `did:plc:` of 24 base32 characters, stable for a handle and sequence number.
fn fake_did(handle: &str, seq: u64) -> String {
    let cid = blob_cid(format!("{handle}#{seq}").as_bytes());
    format!("did:plc:{}", &cid[cid.len() - 24..])
}

fn xrpc_error(status: StatusCode, error: &str, message: &str) -> Response {
    json_response(
        status,
        json!({"error": error, "message": message}).to_string(),
    )
}

async fn search_actors(State(st): State<Arc<BskyState>>, RawQuery(raw): RawQuery) -> Response {
    let params = query_pairs(&raw);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let q = get("q").or_else(|| get("term")).unwrap_or_default();
    if lock(&st.failing_searches).contains(&q.to_lowercase()) {
        return xrpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "InternalServerError",
            "Service Unavailable",
        );
    }
    let limit = match get("limit").map(|l| l.parse::<usize>()) {
        None => 25,
        Some(Ok(l)) if (1..=100).contains(&l) => l,
        _ => {
            return xrpc_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                "Error: limit must be an integer between 1 and 100",
            )
        }
    };
    let offset: usize = get("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let terms = words(&q);
    let matches: Vec<Account> = if terms.is_empty() {
        Vec::new()
    } else {
        lock(&st.accounts)
            .iter()
            .filter(|a| a.active)
            .filter(|a| {
                let mut own = words(a.display_name.as_deref().unwrap_or(""));
                own.extend(words(&a.handle));
                terms.iter().all(|t| own.iter().any(|w| w.starts_with(t)))
            })
            .cloned()
            .collect()
    };
    let page: Vec<Value> = matches
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| st.profile_view(a, false))
        .collect();
    let mut actors = page;
    if st.malformed_record() && !actors.is_empty() {
        actors.insert(1.min(actors.len()), json!({"did": 42, "handle": null}));
    }
    let mut body = json!({ "actors": actors });
    if offset + limit < matches.len() {
        body["cursor"] = json!((offset + limit).to_string());
    }
    json_response(StatusCode::OK, body.to_string())
}

async fn get_profiles(State(st): State<Arc<BskyState>>, RawQuery(raw): RawQuery) -> Response {
    let actors: Vec<String> = query_pairs(&raw)
        .into_iter()
        .filter(|(k, _)| k == "actors")
        .map(|(_, v)| v)
        .collect();
    if actors.is_empty() {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Error: Params must have the property \"actors\"",
        );
    }
    if actors.len() > 25 {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Error: actors must not have more than 25 elements",
        );
    }
    let mut profiles: Vec<Value> = actors
        .iter()
        .filter_map(|a| st.find(a))
        .map(|a| st.profile_view(&a, true))
        .collect();
    if st.malformed_record() && !profiles.is_empty() {
        profiles.insert(0, json!({"did": "did:plc:broken", "handle": 7}));
    }
    json_response(StatusCode::OK, json!({ "profiles": profiles }).to_string())
}

async fn get_profile(State(st): State<Arc<BskyState>>, RawQuery(raw): RawQuery) -> Response {
    let actor = param(&query_pairs(&raw), "actor").unwrap_or_default();
    match st.find(&actor) {
        Some(acc) => json_response(StatusCode::OK, st.profile_view(&acc, true).to_string()),
        None => xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Profile not found",
        ),
    }
}

async fn resolve_handle(State(st): State<Arc<BskyState>>, RawQuery(raw): RawQuery) -> Response {
    let handle = param(&query_pairs(&raw), "handle").unwrap_or_default();
    match st.find(&handle) {
        Some(acc) => json_response(StatusCode::OK, json!({"did": acc.did}).to_string()),
        None => xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Unable to resolve handle",
        ),
    }
}

async fn create_session(State(st): State<Arc<BskyState>>, body: String) -> Response {
    let Ok(input) = serde_json::from_str::<Value>(&body) else {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Request body is not valid JSON",
        );
    };
    let (Some(identifier), Some(password)) = (
        input.get("identifier").and_then(Value::as_str),
        input.get("password").and_then(Value::as_str),
    ) else {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Input must have the properties \"identifier\" and \"password\"",
        );
    };
    let identifier = identifier.trim().to_ascii_lowercase();
    let account = st.find(&identifier);
    let known = {
        let passwords = lock(&st.passwords);
        let by_id = passwords.get(&identifier);
        let by_account = account
            .as_ref()
            .and_then(|a| passwords.get(&a.did).or_else(|| passwords.get(&a.handle)));
        by_id.or(by_account).is_some_and(|p| p == password)
    };
    let Some(account) = account.filter(|_| known) else {
        return xrpc_error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "Invalid identifier or password",
        );
    };
    let seq = st.next_seq.fetch_add(1, Ordering::SeqCst);
    let access = format!(
        "fake-access-{seq}-{}",
        account.did.get(8..).unwrap_or_default()
    );
    lock(&st.sessions).insert(access.clone(), account.did.clone());
    json_response(
        StatusCode::OK,
        json!({
            "accessJwt": access, "refreshJwt": format!("fake-refresh-{seq}"),
            "handle": account.handle, "did": account.did, "active": true
        })
        .to_string(),
    )
}

async fn create_report(
    State(st): State<Arc<BskyState>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let Some(reporter) = token.and_then(|t| lock(&st.sessions).get(&t).cloned()) else {
        return xrpc_error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "Authentication Required",
        );
    };
    let Ok(input) = serde_json::from_str::<Value>(&body) else {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Request body is not valid JSON",
        );
    };
    let Some(reason_type) = input.get("reasonType").and_then(Value::as_str) else {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Input must have the property \"reasonType\"",
        );
    };
    if lock(&st.refused_reason_types)
        .iter()
        .any(|r| r == reason_type)
    {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            &format!("Invalid reason type: {reason_type}"),
        );
    }
    let subject = input.get("subject").cloned().unwrap_or(Value::Null);
    let subject_id = match subject.get("$type").and_then(Value::as_str) {
        Some("com.atproto.admin.defs#repoRef") => subject.get("did").and_then(Value::as_str),
        Some("com.atproto.repo.strongRef") => subject.get("uri").and_then(Value::as_str),
        _ => None,
    };
    let Some(subject_id) = subject_id.map(str::to_string) else {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Input/subject must be a com.atproto.admin.defs#repoRef or com.atproto.repo.strongRef",
        );
    };
    let reason = input
        .get("reason")
        .and_then(Value::as_str)
        .map(String::from);
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Input/reason must not be longer than 2000 graphemes",
        );
    }
    let received = ReceivedReport {
        reported_by: reporter.clone(),
        subject: subject_id,
        category: reason_type.to_string(),
        comment: reason.clone(),
        body: input.clone(),
        routing: headers
            .get("atproto-proxy")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    };
    let Some((answer, id)) = receive_report(&st.reports, &st.book, &Platform::Bluesky, received)
    else {
        return xrpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "InternalServerError",
            "Service Unavailable",
        );
    };
    if answer == ReportAnswer::Hold {
        std::future::pending::<()>().await;
    }
    let mut out = json!({
        "id": id, "reasonType": reason_type, "subject": subject,
        "reportedBy": reporter, "createdAt": now_iso()
    });
    if let Some(reason) = reason {
        out["reason"] = json!(reason);
    }
    json_response(StatusCode::OK, out.to_string())
}

async fn avatar(
    State(st): State<Arc<BskyState>>,
    Path((did, file)): Path<(String, String)>,
) -> Response {
    let cid = file.split('@').next().unwrap_or("");
    let bytes = lock(&st.accounts)
        .iter()
        .find(|a| a.did == did && a.avatar_cid.as_deref() == Some(cid))
        .and_then(|a| a.avatar.clone());
    avatar_response(
        &st.common,
        &format!("/img/avatar/plain/{did}/{file}"),
        bytes.as_deref().map(|b| b.as_slice()),
    )
}
