//! A fake X API v2 (user endpoints of the OpenAPI document): `GET /2/users/by` and
//! `GET /2/users?ids=` (app bearer or
//! user token, 1-100 usernames, missing ones in `errors[]`), `GET /2/users/search` (user-context
//! token only), profile images. It counts the user objects it returned and bills them as X
//! does (each user once per UTC day), so tests can check the spending cap held.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use super::accounts::{Accounts, Kept};
use super::http::{bind_loopback, common_accessors, param, query_pairs};
use super::{avatar_response, json_response, lock, Common, FakeAccount, Flavor, Running};

/// What the handlers of [`FakeX`] share.
#[derive(Debug)]
pub struct XState {
    common: Arc<Common>,
    base_url: String,
    /// Users (the handle is the username; gone: suspended).
    users: Accounts,
    app_tokens: Mutex<Vec<String>>,
    user_tokens: Mutex<Vec<String>>,
    users_returned: AtomicUsize,
    /// Users billed, as X's pay-per-use pricing bills them: once per user per UTC day.
    billed: Mutex<std::collections::HashSet<(chrono::NaiveDate, String)>>,
}

/// A running fake X API.
pub type FakeX = Running<XState>;

impl FakeX {
    /// Starts the fake on `127.0.0.1:0`; it accepts the app bearer token `app_token`.
    pub async fn start(app_token: &str) -> std::io::Result<FakeX> {
        FakeX::start_on(app_token, 0).await
    }

    /// Starts the fake on `127.0.0.1:port` (`0`: any free port), as [`FakeX::start`].
    pub async fn start_on(app_token: &str, port: u16) -> std::io::Result<FakeX> {
        let bound = bind_loopback(port).await?;
        let common = Common::new(Flavor::X);
        let state = Arc::new(XState {
            common: common.clone(),
            base_url: bound.base_url.clone(),
            users: Accounts::new(1_790_000_000_000_000_001),
            app_tokens: Mutex::new(vec![app_token.to_string()]),
            user_tokens: Mutex::new(Vec::new()),
            users_returned: AtomicUsize::new(0),
            billed: Mutex::new(std::collections::HashSet::new()),
        });
        let api = Router::new()
            .route("/2/users/by", get(users_by))
            .route("/2/users", get(users_by_ids))
            .route("/2/users/search", get(users_search));
        let plain = Router::new().route("/profile_images/{id}/avatar_normal.png", get(avatar));
        Ok(Running {
            state: state.clone(),
            _server: bound.serve(&common, plain, api, state),
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
        self.state.users.add(account, |n| n.to_string())
    }

    /// Suspends a user (by username or id).
    pub fn remove_account(&self, username_or_id: &str) -> bool {
        self.state
            .users
            .remove(|u| u.id == username_or_id || u.handle.eq_ignore_ascii_case(username_or_id))
    }

    common_accessors!();

    /// User objects returned so far, a user returned twice counted twice.
    pub fn users_returned(&self) -> usize {
        self.state.users_returned.load(Ordering::SeqCst)
    }

    /// User reads X would bill so far: each user once per UTC day ("All resources are
    /// deduplicated within a 24-hour UTC day window",
    /// <https://docs.x.com/x-api/getting-started/pricing>);
    /// an object without a readable id is billed every time.
    pub fn users_billed(&self) -> usize {
        lock(&self.state.billed).len()
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
    /// Counts `data` as returned and bills each user not yet billed today.
    fn bill(&self, data: &[Value]) {
        self.users_returned.fetch_add(data.len(), Ordering::SeqCst);
        let today = Utc::now().date_naive();
        let mut billed = lock(&self.billed);
        for (i, user) in data.iter().enumerate() {
            let id = match user.get("id").and_then(Value::as_str) {
                Some(id) => id.to_string(),
                // Unreadable: billed as a new resource each time.
                None => format!("unreadable-{}-{i}", billed.len()),
            };
            billed.insert((today, id));
        }
    }

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
    fn user_object(&self, u: &Kept, fields: &[String]) -> Value {
        let mut v = json!({"id": u.id, "name": u.name, "username": u.handle});
        let wants = |f: &str| fields.iter().any(|x| x == f);
        if wants("created_at") {
            v["created_at"] = json!(u.created_at.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
        if wants("description") {
            v["description"] = json!(u.bio);
        }
        if wants("profile_image_url") && u.avatar.is_some() {
            v["profile_image_url"] = json!(format!(
                "{}/profile_images/{}/avatar_normal.png",
                self.base_url, u.id
            ));
        }
        if wants("public_metrics") {
            v["public_metrics"] = json!({"followers_count": u.followers, "following_count": 0,
                                         "post_count": 0, "listed_count": 0, "like_count": 0});
        }
        if wants("verified") {
            v["verified"] = json!(false);
        }
        if wants("verified_type") {
            v["verified_type"] = json!("none");
        }
        if wants("parody") {
            v["parody"] = json!(u.labelled("parody"));
        }
        v
    }

    fn malformed(&self) -> bool {
        self.common.switches().malformed_record
    }
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
    let (p, names) = match lookup_request(&st, &headers, &raw, "usernames") {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    if let Some(bad) = names.iter().find(|n| !valid_username(n)) {
        return invalid(
            "usernames",
            bad,
            &format!("The `usernames` query parameter value [{bad}] does not match ^[A-Za-z0-9_]{{1,15}}$"),
        );
    }
    lookup_answer(&st, &p, "usernames", &names, |u, name| {
        u.handle.eq_ignore_ascii_case(name)
    })
}

async fn users_by_ids(
    State(st): State<Arc<XState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (p, ids) = match lookup_request(&st, &headers, &raw, "ids") {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    lookup_answer(&st, &p, "ids", &ids, |u, id| u.id == id)
}

/// A user lookup's query and the comma-separated values of its `parameter` (1 to 100 of
/// them), or X's refusal (no valid token, too few or too many values).
fn lookup_request(
    st: &XState,
    headers: &HeaderMap,
    raw: &Option<String>,
    parameter: &str,
) -> LookupRequest {
    if st.caller(headers).is_none() {
        return Err(Box::new(unauthorized()));
    }
    let p = query_pairs(raw);
    let values = listed(&p, parameter)?;
    Ok((p, values))
}

/// A user lookup's query pairs and values, or the answer refusing it.
type LookupRequest = Result<(Vec<(String, String)>, Vec<String>), Box<Response>>;

/// The comma-separated values of `parameter`: 1 to 100 of them, or X's refusal.
fn listed(p: &[(String, String)], parameter: &str) -> Result<Vec<String>, Box<Response>> {
    let values: Vec<String> = param(p, parameter)
        .map(|u| u.split(',').map(String::from).collect())
        .unwrap_or_default();
    if values.is_empty() || values.len() > 100 {
        return Err(Box::new(invalid(
            parameter,
            &values.join(","),
            &format!(
                "The number of values in the `{parameter}` query parameter list [1,100] is out of range"
            ),
        )));
    }
    Ok(values)
}

/// The answer to a lookup by `parameter` (`usernames` or `ids`): the users whose `is` matches a
/// value, in order, and a not-found error for each value that matches none. X bills every user
/// object it returns, one the client cannot parse included (the malformed record goes before
/// the users of a lookup by username).
fn lookup_answer(
    st: &XState,
    p: &[(String, String)],
    parameter: &str,
    values: &[String],
    is: impl Fn(&Kept, &str) -> bool,
) -> Response {
    let wanted = fields(p);
    let users = st.users.visible();
    let mut data = Vec::new();
    let mut errors = Vec::new();
    for value in values {
        match users.iter().find(|u| is(u, value)) {
            Some(u) => data.push(st.user_object(u, &wanted)),
            None => errors.push(json!({
                "value": value, "detail": format!("Could not find user with {parameter}: [{value}]."),
                "title": "Not Found Error", "resource_type": "user", "parameter": parameter,
                "resource_id": value, "type": "https://api.x.com/2/problems/resource-not-found"
            })),
        }
    }
    if parameter == "usernames" && st.malformed() && !data.is_empty() {
        data.insert(0, json!({"id": 5, "username": null}));
    }
    st.bill(&data);
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
    let p = query_pairs(&raw);
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
    let matches: Vec<Kept> = st
        .users
        .visible()
        .into_iter()
        .filter(|u| {
            let mut own: Vec<String> = u
                .name
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            own.push(u.handle.to_lowercase());
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
    st.bill(&data);
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
    let bytes = st.users.avatar(&id);
    avatar_response(
        &st.common,
        &format!("/profile_images/{id}/avatar_normal.png"),
        bytes.as_deref().map(|b| b.as_slice()),
    )
}
