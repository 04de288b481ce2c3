//! A fake Mastodon server: `/api/v2/search?type=accounts`, `/api/v1/accounts/lookup`,
//! `/api/v1/accounts/:id`, `/api/v1/accounts/:id/statuses`, `/api/v1/directory`, `/api/v2/instance`, `POST /api/v1/reports`,
//! and avatar images. Accounts are Mastodon `Account` entities; `note` is served as HTML.
//!
//! One fake is one server (one domain). Start several to test "the same username on another
//! server". A server can require a token for everything (some do), and `resolve`/`offset` in
//! search need a user token, as on Mastodon 4.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::http::{bind_loopback, common_accessors, param, query_pairs, words};
use super::{
    avatar_response, json_response, lock, receive_report, Common, FakeAccount, Flavor,
    ReceivedReport, ReportAnswer, ReportBook, Running,
};
use crate::identity::Platform;

#[derive(Debug, Clone)]
struct Account {
    id: String,
    username: String,
    /// None for a local account.
    remote_domain: Option<String>,
    display_name: String,
    note: String,
    avatar: Option<Arc<Vec<u8>>>,
    /// An avatar URL served as is instead of the fake's own (a hostile server's choice).
    avatar_url: Option<String>,
    followers: u64,
    bot: bool,
    created_at: DateTime<Utc>,
    suspended: bool,
    /// Public posts as text, newest first.
    posts: Vec<String>,
}

/// What the handlers of [`FakeMastodon`] share.
#[derive(Debug)]
pub struct MastoState {
    common: Arc<Common>,
    base_url: String,
    domain: String,
    accounts: Mutex<Vec<Account>>,
    next_id: AtomicU64,
    required_token: Mutex<Option<String>>,
    /// `/api/v1/accounts/lookup` answers 401 without a user token (as the API documentation
    /// describes it; most servers answer it without one).
    lookup_needs_user_token: AtomicBool,
    /// User tokens and the local username each belongs to.
    user_tokens: Mutex<HashMap<String, String>>,
    reports: Mutex<Vec<ReceivedReport>>,
    /// Where received reports are kept beyond this fake's memory, if anywhere.
    book: Mutex<Option<Arc<dyn ReportBook>>>,
}

/// A running fake Mastodon server.
pub type FakeMastodon = Running<MastoState>;

impl FakeMastodon {
    /// Starts a fake server for `domain` (e.g. `mastodon.example`) on `127.0.0.1:0`.
    pub async fn start(domain: &str) -> std::io::Result<FakeMastodon> {
        FakeMastodon::start_on(domain, 0).await
    }

    /// Starts the fake server for `domain` on `127.0.0.1:port` (`0`: any free port).
    pub async fn start_on(domain: &str, port: u16) -> std::io::Result<FakeMastodon> {
        let bound = bind_loopback(port).await?;
        let common = Common::new(Flavor::Mastodon);
        let state = Arc::new(MastoState {
            common: common.clone(),
            base_url: bound.base_url.clone(),
            domain: domain.to_ascii_lowercase(),
            accounts: Mutex::new(Vec::new()),
            // Snowflake-like ids that differ between servers, as real ones do.
            next_id: AtomicU64::new(
                109_000_000_000_000_001
                    + domain
                        .bytes()
                        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
                        % 1_000_000_000
                        * 1000,
            ),
            required_token: Mutex::new(None),
            lookup_needs_user_token: AtomicBool::new(false),
            user_tokens: Mutex::new(HashMap::new()),
            reports: Mutex::new(Vec::new()),
            book: Mutex::new(None),
        });
        let api = Router::new()
            .route("/api/v2/search", get(search))
            .route("/api/v1/accounts/lookup", get(lookup))
            .route("/api/v1/accounts/{id}", get(account_by_id))
            .route("/api/v1/accounts/{id}/statuses", get(statuses))
            .route("/api/v1/directory", get(directory))
            .route("/api/v2/instance", get(instance))
            .route("/api/v1/reports", post(report));
        let plain = Router::new()
            .route("/system/accounts/avatars/{id}/original.png", get(avatar))
            .route("/avatars/original/missing.png", get(missing_avatar));
        Ok(Running {
            state: state.clone(),
            _server: bound.serve(&common, plain, api, state),
        })
    }

    /// Base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The server's domain, as in `user@domain`.
    pub fn domain(&self) -> String {
        self.state.domain.clone()
    }

    /// Places a local account (`handle` is the username; `bio` the HTML note); returns its id.
    pub fn add_account(&self, account: FakeAccount) -> String {
        self.insert(account, None)
    }

    /// Places an account of another server that this one already knows; returns its local id.
    pub fn add_remote_account(&self, account: FakeAccount, domain: &str) -> String {
        self.insert(account, Some(domain.to_ascii_lowercase()))
    }

    fn insert(&self, account: FakeAccount, remote_domain: Option<String>) -> String {
        let id = self
            .state
            .next_id
            .fetch_add(1, Ordering::SeqCst)
            .to_string();
        let bot = account.labels.iter().any(|l| l == "bot");
        lock(&self.state.accounts).push(Account {
            id: id.clone(),
            username: account.handle.trim_start_matches('@').to_string(),
            remote_domain,
            display_name: account.display_name.unwrap_or_default(),
            note: account.bio.unwrap_or_default(),
            avatar: account.avatar.map(Arc::new),
            avatar_url: account.avatar_url,
            followers: account.followers,
            bot,
            created_at: account.created_at.unwrap_or_else(Utc::now),
            suspended: false,
            posts: account.posts,
        });
        id
    }

    /// Changes a local account's profile; false when there is no such username.
    pub fn update_account(&self, username: &str, account: FakeAccount) -> bool {
        let mut accounts = lock(&self.state.accounts);
        let Some(acc) = accounts
            .iter_mut()
            .find(|a| a.remote_domain.is_none() && a.username.eq_ignore_ascii_case(username))
        else {
            return false;
        };
        acc.display_name = account.display_name.unwrap_or_default();
        acc.note = account.bio.unwrap_or_default();
        acc.avatar = account.avatar.map(Arc::new);
        acc.avatar_url = account.avatar_url;
        acc.followers = account.followers;
        acc.posts = account.posts;
        true
    }

    /// Suspends an account (by username or id): it disappears from every answer.
    pub fn remove_account(&self, username_or_id: &str) -> bool {
        let mut accounts = lock(&self.state.accounts);
        let Some(acc) = accounts.iter_mut().find(|a| {
            !a.suspended
                && (a.id == username_or_id || a.username.eq_ignore_ascii_case(username_or_id))
        }) else {
            return false;
        };
        acc.suspended = true;
        true
    }

    /// Requires this token on every API call (some servers do), or no token with None.
    pub fn require_token(&self, token: Option<&str>) {
        *lock(&self.state.required_token) = token.map(String::from);
    }

    /// Makes `/api/v1/accounts/lookup` answer 401 unless a user token comes with it (true),
    /// or answer everyone (false, the default).
    pub fn require_user_token_on_lookup(&self, required: bool) {
        self.state
            .lookup_needs_user_token
            .store(required, Ordering::SeqCst);
    }

    /// Accepts `token` as a user token of the local account `username` (reports, resolve).
    pub fn add_user_token(&self, token: &str, username: &str) {
        lock(&self.state.user_tokens).insert(token.to_string(), username.to_string());
    }

    common_accessors!();

    /// Reports received through `POST /api/v1/reports`, oldest first.
    pub fn received_reports(&self) -> Vec<ReceivedReport> {
        lock(&self.state.reports).clone()
    }

    /// Gives back the reports an earlier run of this fake received (before any new one), so
    /// what the server received stays true across a restart.
    pub fn restore_reports(&self, reports: Vec<ReceivedReport>) {
        lock(&self.state.reports).splice(0..0, reports);
    }

    /// Has `book` keep every report from now on, before the fake answers it.
    pub fn keep_reports_in(&self, book: Arc<dyn ReportBook>) {
        *lock(&self.state.book) = Some(book);
    }
}

impl MastoState {
    /// The Mastodon `Account` entity.
    fn entity(&self, a: &Account) -> Value {
        let domain = a.remote_domain.as_deref().unwrap_or(&self.domain);
        let acct = match &a.remote_domain {
            Some(d) => format!("{}@{d}", a.username),
            None => a.username.clone(),
        };
        let avatar = match (&a.avatar_url, &a.avatar) {
            (Some(url), _) => url.clone(),
            (None, Some(_)) => format!(
                "{}/system/accounts/avatars/{}/original.png",
                self.base_url, a.id
            ),
            (None, None) => format!("{}/avatars/original/missing.png", self.base_url),
        };
        // Mastodon rounds created_at to midnight.
        let created = a
            .created_at
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or(a.created_at)
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        json!({
            "id": a.id, "username": a.username, "acct": acct,
            "display_name": a.display_name, "locked": false, "bot": a.bot,
            "discoverable": true, "group": false, "created_at": created,
            "note": a.note, "url": format!("https://{domain}/@{}", a.username),
            "uri": format!("https://{domain}/users/{}", a.username),
            "avatar": avatar, "avatar_static": avatar,
            "header": format!("{}/headers/original/missing.png", self.base_url),
            "header_static": format!("{}/headers/original/missing.png", self.base_url),
            "followers_count": a.followers, "following_count": 0, "statuses_count": 0,
            "last_status_at": null, "emojis": [], "fields": [],
            // Present since 4.1 (roles) and 4.3 (indexable, hide_collections), the version served.
            "indexable": false, "hide_collections": null, "roles": []
        })
    }

    fn malformed(&self) -> bool {
        self.common.switches().malformed_record
    }

    fn bearer(headers: &HeaderMap) -> Option<String> {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(String::from)
    }

    /// The user behind the request's token, if it is a user token.
    fn user(&self, headers: &HeaderMap) -> Option<String> {
        Self::bearer(headers).and_then(|t| lock(&self.user_tokens).get(&t).cloned())
    }

    /// None when the request may go on, else the 401 answer.
    fn gate(&self, headers: &HeaderMap) -> Option<Response> {
        let required = lock(&self.required_token).clone()?;
        let given = Self::bearer(headers);
        let ok = given.as_deref() == Some(required.as_str())
            || given.is_some_and(|t| lock(&self.user_tokens).contains_key(&t));
        (!ok).then(|| error(StatusCode::UNAUTHORIZED, "The access token is invalid"))
    }

    fn visible(&self) -> Vec<Account> {
        lock(&self.accounts)
            .iter()
            .filter(|a| !a.suspended)
            .cloned()
            .collect()
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, json!({ "error": message }).to_string())
}

async fn search(
    State(st): State<Arc<MastoState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(denied) = st.gate(&headers) {
        return denied;
    }
    let p = query_pairs(&raw);
    let q = param(&p, "q").unwrap_or_default();
    let limit = param(&p, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    let offset = param(&p, "offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    let resolve = param(&p, "resolve").is_some_and(|r| r == "true");
    if (offset > 0 || resolve) && st.user(&headers).is_none() {
        return error(
            StatusCode::UNAUTHORIZED,
            "Search queries that resolve remote resources or use an offset require a user token",
        );
    }
    let wanted = param(&p, "type");
    if wanted.as_deref().is_some_and(|t| t != "accounts") {
        return json_response(
            StatusCode::OK,
            json!({"accounts": [], "statuses": [], "hashtags": []}).to_string(),
        );
    }
    let q = q.trim().trim_start_matches('@').to_lowercase();
    let terms = words(&q);
    let matches: Vec<Account> = st
        .visible()
        .into_iter()
        .filter(|a| {
            let acct = match &a.remote_domain {
                Some(d) => format!("{}@{d}", a.username).to_lowercase(),
                None => a.username.to_lowercase(),
            };
            if acct == q || format!("{acct}@{}", st.domain) == q {
                return true;
            }
            let mut own = words(&a.display_name);
            own.push(a.username.to_lowercase());
            !terms.is_empty() && terms.iter().all(|t| own.iter().any(|w| w.starts_with(t)))
        })
        .collect();
    let mut accounts: Vec<Value> = matches
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| st.entity(a))
        .collect();
    if st.malformed() && !accounts.is_empty() {
        accounts.insert(1.min(accounts.len()), json!({"id": 5, "username": ["x"]}));
    }
    json_response(
        StatusCode::OK,
        json!({"accounts": accounts, "statuses": [], "hashtags": []}).to_string(),
    )
}

async fn lookup(
    State(st): State<Arc<MastoState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(denied) = st.gate(&headers) {
        return denied;
    }
    if st.lookup_needs_user_token.load(Ordering::SeqCst) && st.user(&headers).is_none() {
        return error(
            StatusCode::UNAUTHORIZED,
            "This method requires an authenticated user",
        );
    }
    let p = query_pairs(&raw);
    let acct = param(&p, "acct").unwrap_or_default();
    let acct = acct.trim().trim_start_matches('@').to_lowercase();
    let (user, domain) = match acct.split_once('@') {
        Some((u, d)) if d == st.domain => (u.to_string(), None),
        Some((u, d)) => (u.to_string(), Some(d.to_string())),
        None => (acct.clone(), None),
    };
    let hit = st.visible().into_iter().find(|a| {
        a.username.to_lowercase() == user && a.remote_domain.as_deref() == domain.as_deref()
    });
    match hit {
        Some(a) => json_response(StatusCode::OK, st.entity(&a).to_string()),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn account_by_id(
    State(st): State<Arc<MastoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = st.gate(&headers) {
        return denied;
    }
    match st.visible().into_iter().find(|a| a.id == id) {
        Some(a) => json_response(StatusCode::OK, st.entity(&a).to_string()),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// `text` as Mastodon serves a status's `content`: escaped HTML in a paragraph, each
/// hashtag a link to the server's tag page; and the `tags` entities.
fn status_content(base: &str, text: &str) -> (String, Vec<Value>) {
    let mut html = String::from("<p>");
    let mut tags = Vec::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            html.push(' ');
        }
        let escaped = word
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        match word.strip_prefix('#') {
            Some(tag)
                if !tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                let url = format!("{base}/tags/{}", tag.to_lowercase());
                html.push_str(&format!(
                    "<a href=\"{url}\" class=\"mention hashtag\" rel=\"tag\">#<span>{tag}</span></a>"
                ));
                tags.push(json!({"name": tag.to_lowercase(), "url": url}));
            }
            _ => html.push_str(&escaped),
        }
    }
    html.push_str("</p>");
    (html, tags)
}

/// `GET /api/v1/accounts/:id/statuses` (`limit` default 20, at most 40): the account's
/// statuses, newest first, as `Status` entities (no `application`: the entity page marks it
/// optional, and servers leave it out rather than send null).
async fn statuses(
    State(st): State<Arc<MastoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(denied) = st.gate(&headers) {
        return denied;
    }
    let Some(a) = st.visible().into_iter().find(|a| a.id == id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let limit = param(&query_pairs(&raw), "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    let account = st.entity(&a);
    let domain = a.remote_domain.as_deref().unwrap_or(&st.domain).to_string();
    let list: Vec<Value> = a
        .posts
        .iter()
        .enumerate()
        .take(limit)
        .map(|(n, text)| {
            let status_id = format!("{}{:04}", a.id, a.posts.len() - n);
            let at = (a.created_at + chrono::Duration::hours(1 + (a.posts.len() - n) as i64))
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            let (content, tags) = status_content(&format!("https://{domain}"), text);
            json!({
                "id": status_id, "created_at": at, "in_reply_to_id": null,
                "in_reply_to_account_id": null, "sensitive": false, "spoiler_text": "",
                "visibility": "public", "language": "en",
                "uri": format!("https://{domain}/users/{}/statuses/{status_id}", a.username),
                "url": format!("https://{domain}/@{}/{status_id}", a.username),
                "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
                "edited_at": null, "content": content, "reblog": null,
                "account": account, "media_attachments": [], "mentions": [], "tags": tags,
                "emojis": [], "card": null, "poll": null
            })
        })
        .collect();
    json_response(StatusCode::OK, Value::Array(list).to_string())
}

async fn directory(
    State(st): State<Arc<MastoState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(denied) = st.gate(&headers) {
        return denied;
    }
    let p = query_pairs(&raw);
    let limit = param(&p, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(40)
        .clamp(1, 80);
    let offset = param(&p, "offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    let local = param(&p, "local").is_some_and(|l| l == "true");
    let mut list: Vec<Account> = st
        .visible()
        .into_iter()
        .filter(|a| !local || a.remote_domain.is_none())
        .collect();
    // order=new and order=active both list the newest first here.
    list.reverse();
    let mut accounts: Vec<Value> = list
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| st.entity(a))
        .collect();
    if st.malformed() && !accounts.is_empty() {
        accounts.insert(0, json!({"id": "1", "username": null, "acct": 7}));
    }
    json_response(StatusCode::OK, Value::Array(accounts).to_string())
}

async fn instance(State(st): State<Arc<MastoState>>) -> Response {
    json_response(
        StatusCode::OK,
        // Every attribute the v2 Instance entity documents as always present.
        json!({"domain": st.domain, "title": "Fake Mastodon", "version": "4.3.0",
               "source_url": "https://github.com/mastodon/mastodon",
               "description": "A fake Mastodon server for tests and the demo",
               "usage": {"users": {"active_month": lock(&st.accounts).len()}},
               "thumbnail": {"url": format!("{}/avatars/original/missing.png", st.base_url)},
               "icon": [], "languages": ["en"],
               "configuration": {"urls": {"streaming": null, "status": null},
                                 "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5}},
               "registrations": {"enabled": false, "approval_required": false, "message": null},
               "api_versions": {"mastodon": 2},
               "contact": {"email": "", "account": null}, "rules": []})
        .to_string(),
    )
}

async fn report(State(st): State<Arc<MastoState>>, headers: HeaderMap, body: String) -> Response {
    let Some(reporter) = st.user(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "The access token is invalid");
    };
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let input: Value = if is_json {
        match serde_json::from_str(&body) {
            Ok(v) => v,
            Err(_) => return error(StatusCode::BAD_REQUEST, "Request body is not valid JSON"),
        }
    } else {
        let mut map = serde_json::Map::new();
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()).into_owned() {
            if let Some(list) = k.strip_suffix("[]") {
                let entry = map
                    .entry(list.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.push(Value::String(v));
                }
            } else {
                map.insert(k, Value::String(v));
            }
        }
        Value::Object(map)
    };
    let text = |k: &str| match input.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    };
    let Some(account_id) = text("account_id") else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Target account can't be blank",
        );
    };
    let Some(target) = st.visible().into_iter().find(|a| a.id == account_id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let comment = text("comment").unwrap_or_default();
    if comment.chars().count() > 1000 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Comment is too long (maximum is 1000 characters)",
        );
    }
    let category = text("category").unwrap_or_else(|| "other".into());
    if !["spam", "legal", "violation", "other"].contains(&category.as_str()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Category is not included in the list",
        );
    }
    let forward = text("forward").is_some_and(|f| f == "true" || f == "1");
    let received = ReceivedReport {
        reported_by: reporter,
        subject: account_id,
        category: category.clone(),
        comment: Some(comment.clone()).filter(|c| !c.is_empty()),
        body: input.clone(),
        routing: Some(forward.to_string()),
    };
    let Some((answer, id)) = receive_report(&st.reports, &st.book, &Platform::Mastodon, received)
    else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable");
    };
    if answer == ReportAnswer::Hold {
        std::future::pending::<()>().await;
    }
    json_response(
        StatusCode::OK,
        json!({
            "id": id.to_string(), "action_taken": false, "action_taken_at": null,
            "category": category, "comment": comment,
            "forwarded": forward && target.remote_domain.is_some(),
            "created_at": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            "status_ids": null, "rule_ids": null, "target_account": st.entity(&target)
        })
        .to_string(),
    )
}

async fn avatar(State(st): State<Arc<MastoState>>, Path(id): Path<String>) -> Response {
    let bytes = lock(&st.accounts)
        .iter()
        .find(|a| a.id == id)
        .and_then(|a| a.avatar.clone());
    avatar_response(
        &st.common,
        &format!("/system/accounts/avatars/{id}/original.png"),
        bytes.as_deref().map(|b| b.as_slice()),
    )
}

async fn missing_avatar(State(st): State<Arc<MastoState>>) -> Response {
    let grey = {
        let img = image::RgbImage::from_pixel(32, 32, image::Rgb([200, 200, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        let _ = image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png);
        out.into_inner()
    };
    avatar_response(&st.common, "/avatars/original/missing.png", Some(&grey))
}
