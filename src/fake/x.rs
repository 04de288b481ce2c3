//! A fake X API v2 (user endpoints of the OpenAPI document): `GET /2/users/by` and
//! `GET /2/users?ids=` (app bearer or
//! user token, 1-100 usernames, missing ones in `errors[]`), `GET /2/users/search` (user-context
//! token only), profile images. It counts the user objects it returned, which is what X bills,
//! so tests can check the spending cap held.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::{
    avatar_response, json_response, lock, misbehaviour_layer, serve, Common, FakeAccount, Flavor,
    Misbehave, Server,
};

#[derive(Debug, Clone)]
struct User {
    id: String,
    username: String,
    name: String,
    description: String,
    avatar: Option<Arc<Vec<u8>>>,
    followers: u64,
    parody: bool,
    created_at: DateTime<Utc>,
    suspended: bool,
}

#[derive(Debug)]
struct XState {
    common: Arc<Common>,
    base_url: String,
    users: Mutex<Vec<User>>,
    next_id: AtomicU64,
    app_tokens: Mutex<Vec<String>>,
    user_tokens: Mutex<Vec<String>>,
    users_returned: AtomicUsize,
}

/// A running fake X API.
#[derive(Debug)]
pub struct FakeX {
    state: Arc<XState>,
    _server: Server,
}

impl FakeX {
    /// Starts the fake on `127.0.0.1:0`; it accepts the app bearer token `app_token`.
    pub async fn start(app_token: &str) -> std::io::Result<FakeX> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let common = Common::new(Flavor::X);
        let state = Arc::new(XState {
            common: common.clone(),
            base_url: format!("http://{addr}"),
            users: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1_790_000_000_000_000_001),
            app_tokens: Mutex::new(vec![app_token.to_string()]),
            user_tokens: Mutex::new(Vec::new()),
            users_returned: AtomicUsize::new(0),
        });
        let api = Router::new()
            .route("/2/users/by", get(users_by))
            .route("/2/users", get(users_by_ids))
            .route("/2/users/search", get(users_search))
            .layer(axum::middleware::from_fn_with_state(
                common.clone(),
                misbehaviour_layer,
            ));
        let router = Router::new()
            .route("/profile_images/{id}/avatar_normal.png", get(avatar))
            .merge(api)
            .with_state(state.clone());
        Ok(FakeX {
            state,
            _server: serve(listener, router),
        })
    }

    /// Base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Accepts `token` as a user-context token (needed for search).
    pub fn add_user_token(&self, token: &str) {
        lock(&self.state.user_tokens).push(token.to_string());
    }

    /// Places a user (`handle` is the username; label `parody` marks a parody account);
    /// returns its id.
    pub fn add_account(&self, account: FakeAccount) -> String {
        let id = self
            .state
            .next_id
            .fetch_add(1, Ordering::SeqCst)
            .to_string();
        lock(&self.state.users).push(User {
            id: id.clone(),
            username: account.handle.trim_start_matches('@').to_string(),
            name: account.display_name.unwrap_or_default(),
            description: account.bio.unwrap_or_default(),
            avatar: account.avatar.map(Arc::new),
            followers: account.followers,
            parody: account.labels.iter().any(|l| l == "parody"),
            created_at: account.created_at.unwrap_or_else(Utc::now),
            suspended: false,
        });
        id
    }

    /// Suspends a user (by username or id).
    pub fn remove_account(&self, username_or_id: &str) -> bool {
        let mut users = lock(&self.state.users);
        let Some(u) = users.iter_mut().find(|u| {
            !u.suspended
                && (u.id == username_or_id || u.username.eq_ignore_ascii_case(username_or_id))
        }) else {
            return false;
        };
        u.suspended = true;
        true
    }

    /// Turns on a misbehaviour (see [`Misbehave`]).
    pub fn misbehave(&self, m: Misbehave) {
        self.state.common.misbehave(m);
    }

    /// User objects returned so far: what X would have billed.
    pub fn users_returned(&self) -> usize {
        self.state.users_returned.load(Ordering::SeqCst)
    }

    /// How many requests reached this path.
    pub fn request_count(&self, path: &str) -> usize {
        self.state.common.request_count(path)
    }

    /// How many API requests reached the server in all (retries included).
    pub fn total_requests(&self) -> usize {
        self.state.common.total_requests()
    }

    /// The query strings of the requests to this path, oldest first.
    pub fn request_queries(&self, path: &str) -> Vec<String> {
        self.state.common.request_queries(path)
    }
}

fn problem(status: StatusCode, title: &str, detail: &str, kind: &str) -> Response {
    json_response(
        status,
        json!({"title": title, "detail": detail, "type": kind, "status": status.as_u16()})
            .to_string(),
    )
}

fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Unauthorized",
        "about:blank",
    )
}

fn invalid(parameter: &str, value: &str, message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.x.com/2/problems/invalid-request"
        })
        .to_string(),
    )
}

enum Caller {
    App,
    User,
}

impl XState {
    fn caller(&self, headers: &HeaderMap) -> Option<Caller> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))?;
        if lock(&self.user_tokens).iter().any(|t| t == token) {
            Some(Caller::User)
        } else if lock(&self.app_tokens).iter().any(|t| t == token) {
            Some(Caller::App)
        } else {
            None
        }
    }

    /// The user object with the default fields and those asked in `user.fields`.
    fn user_object(&self, u: &User, fields: &[String]) -> Value {
        let mut v = json!({"id": u.id, "name": u.name, "username": u.username});
        let wants = |f: &str| fields.iter().any(|x| x == f);
        if wants("created_at") {
            v["created_at"] = json!(u.created_at.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
        if wants("description") {
            v["description"] = json!(u.description);
        }
        if wants("profile_image_url") && u.avatar.is_some() {
            v["profile_image_url"] = json!(format!(
                "{}/profile_images/{}/avatar_normal.png",
                self.base_url, u.id
            ));
        }
        if wants("public_metrics") {
            v["public_metrics"] = json!({"followers_count": u.followers, "following_count": 0,
                                         "tweet_count": 0, "listed_count": 0, "like_count": 0});
        }
        if wants("verified") {
            v["verified"] = json!(false);
        }
        if wants("verified_type") {
            v["verified_type"] = json!("none");
        }
        if wants("parody") {
            v["parody"] = json!(u.parody);
        }
        v
    }

    fn visible(&self) -> Vec<User> {
        lock(&self.users)
            .iter()
            .filter(|u| !u.suspended)
            .cloned()
            .collect()
    }

    fn malformed(&self) -> bool {
        self.common.switches().malformed_record
    }
}

fn params(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn param(params: &[(String, String)], key: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn fields(params: &[(String, String)]) -> Vec<String> {
    param(params, "user.fields")
        .map(|f| f.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default()
}

fn valid_username(u: &str) -> bool {
    (1..=15).contains(&u.len()) && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

async fn users_by(
    State(st): State<Arc<XState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if st.caller(&headers).is_none() {
        return unauthorized();
    }
    let p = params(&raw);
    let names: Vec<String> = param(&p, "usernames")
        .map(|u| u.split(',').map(String::from).collect())
        .unwrap_or_default();
    if names.is_empty() || names.len() > 100 {
        return invalid(
            "usernames",
            &names.join(","),
            "The number of values in the `usernames` query parameter list [1,100] is out of range",
        );
    }
    if let Some(bad) = names.iter().find(|n| !valid_username(n)) {
        return invalid(
            "usernames",
            bad,
            &format!("The `usernames` query parameter value [{bad}] does not match ^[A-Za-z0-9_]{{1,15}}$"),
        );
    }
    let wanted = fields(&p);
    let users = st.visible();
    let mut data = Vec::new();
    let mut errors = Vec::new();
    for name in &names {
        match users.iter().find(|u| u.username.eq_ignore_ascii_case(name)) {
            Some(u) => data.push(st.user_object(u, &wanted)),
            None => errors.push(json!({
                "value": name, "detail": format!("Could not find user with usernames: [{name}]."),
                "title": "Not Found Error", "resource_type": "user", "parameter": "usernames",
                "resource_id": name, "type": "https://api.x.com/2/problems/resource-not-found"
            })),
        }
    }
    if st.malformed() && !data.is_empty() {
        data.insert(0, json!({"id": 5, "username": null}));
    }
    // X bills every user object it returns, one the client cannot parse included.
    st.users_returned.fetch_add(data.len(), Ordering::SeqCst);
    let mut body = json!({});
    if !data.is_empty() {
        body["data"] = Value::Array(data);
    }
    if !errors.is_empty() {
        body["errors"] = Value::Array(errors);
    }
    json_response(StatusCode::OK, body.to_string())
}

async fn users_by_ids(
    State(st): State<Arc<XState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if st.caller(&headers).is_none() {
        return unauthorized();
    }
    let p = params(&raw);
    let ids: Vec<String> = param(&p, "ids")
        .map(|u| u.split(',').map(String::from).collect())
        .unwrap_or_default();
    if ids.is_empty() || ids.len() > 100 {
        return invalid(
            "ids",
            &ids.join(","),
            "The number of values in the `ids` query parameter list [1,100] is out of range",
        );
    }
    let wanted = fields(&p);
    let users = st.visible();
    let mut data = Vec::new();
    let mut errors = Vec::new();
    for id in &ids {
        match users.iter().find(|u| &u.id == id) {
            Some(u) => data.push(st.user_object(u, &wanted)),
            None => errors.push(json!({
                "value": id, "detail": format!("Could not find user with ids: [{id}]."),
                "title": "Not Found Error", "resource_type": "user", "parameter": "ids",
                "resource_id": id, "type": "https://api.x.com/2/problems/resource-not-found"
            })),
        }
    }
    st.users_returned.fetch_add(data.len(), Ordering::SeqCst);
    let mut body = json!({});
    if !data.is_empty() {
        body["data"] = Value::Array(data);
    }
    if !errors.is_empty() {
        body["errors"] = Value::Array(errors);
    }
    json_response(StatusCode::OK, body.to_string())
}

async fn users_search(
    State(st): State<Arc<XState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    match st.caller(&headers) {
        None => return unauthorized(),
        Some(Caller::App) => {
            return problem(
                StatusCode::FORBIDDEN,
                "Unsupported Authentication",
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                "https://api.x.com/2/problems/unsupported-authentication",
            )
        }
        Some(Caller::User) => {}
    }
    let p = params(&raw);
    let query = param(&p, "query").unwrap_or_default();
    let ok = (1..=50).contains(&query.len())
        && query
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\'' | b' '));
    if !ok {
        return invalid(
            "query",
            &query,
            "The `query` query parameter value does not match ^[A-Za-z0-9_' ]{1,50}$",
        );
    }
    let max = param(&p, "max_results")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(100);
    if !(1..=1000).contains(&max) {
        return invalid(
            "max_results",
            &max.to_string(),
            "The `max_results` query parameter value is not between 1 and 1000",
        );
    }
    let offset: usize = param(&p, "next_token")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let matches: Vec<User> = st
        .visible()
        .into_iter()
        .filter(|u| {
            let mut own: Vec<String> = u
                .name
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            own.push(u.username.to_lowercase());
            terms
                .iter()
                .all(|t| own.iter().any(|w| w.starts_with(t.as_str())))
        })
        .collect();
    let wanted = fields(&p);
    let data: Vec<Value> = matches
        .iter()
        .skip(offset)
        .take(max)
        .map(|u| st.user_object(u, &wanted))
        .collect();
    st.users_returned.fetch_add(data.len(), Ordering::SeqCst);
    let mut body = json!({"meta": {}});
    if offset + max < matches.len() {
        body["meta"]["next_token"] = json!((offset + max).to_string());
    }
    if !data.is_empty() {
        body["data"] = Value::Array(data);
    }
    json_response(StatusCode::OK, body.to_string())
}

async fn avatar(State(st): State<Arc<XState>>, Path(id): Path<String>) -> Response {
    let bytes = lock(&st.users)
        .iter()
        .find(|u| u.id == id)
        .and_then(|u| u.avatar.clone());
    avatar_response(
        &st.common,
        &format!("/profile_images/{id}/avatar_normal.png"),
        bytes.as_deref().map(|b| b.as_slice()),
    )
}
