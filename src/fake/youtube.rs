//! A fake YouTube Data API v3: `GET /youtube/v3/channels` (`part`, and one of `forHandle` or
//! `id`), `GET /youtube/v3/search` (`part=snippet`, `type=channel`, `q`, `maxResults`) and
//! channel thumbnails, in the shapes of the channel and search resources
//! (<https://developers.google.com/youtube/v3/docs/channels>,
//! <https://developers.google.com/youtube/v3/docs/search>). It wants an API key in `key`,
//! counts the quota units each request costs (1 for `channels.list`, 100 for `search.list`,
//! <https://developers.google.com/youtube/v3/determine_quota_cost>) and, past its daily quota,
//! answers `403 quotaExceeded` as YouTube does; a wrong key gets `400 keyInvalid`. Errors are
//! in the documented error shape (<https://developers.google.com/youtube/v3/docs/errors>).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::SecondsFormat;
use serde_json::{json, Value};

use super::accounts::{Accounts, Kept};
use super::http::{bind_loopback, common_accessors, param, query_pairs, words};
use super::{avatar_response, json_response, lock, Common, FakeAccount, Flavor, Running};

/// What the handlers of [`FakeYoutube`] share.
#[derive(Debug)]
pub struct YoutubeState {
    common: Arc<Common>,
    base_url: String,
    /// Channels (the handle as its owner typed it: YouTube matches handles whatever their
    /// case; the name is the title, the followers the subscribers; gone: terminated).
    channels: Accounts,
    keys: Mutex<Vec<String>>,
    /// Units spent today and the daily quota.
    units_used: AtomicU64,
    quota: AtomicU64,
}

/// A running fake YouTube Data API.
pub type FakeYoutube = Running<YoutubeState>;

/// The error object of the Data API.
fn error(status: StatusCode, message: &str, domain: &str, reason: &str) -> Response {
    json_response(
        status,
        json!({"error": {"code": status.as_u16(), "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}]}})
        .to_string(),
    )
}

fn key_invalid() -> Response {
    let message = "API key not valid. Please pass a valid API key.";
    json_response(
        StatusCode::BAD_REQUEST,
        json!({"error": {"code": 400, "message": message,
            "errors": [{"message": message, "domain": "usageLimits", "reason": "keyInvalid"}],
            "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                "metadata": {"service": "youtube.googleapis.com"}}]}})
        .to_string(),
    )
}

/// The `403 quotaExceeded` answer, word for word as YouTube sends it.
fn quota_exceeded() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
        "youtube.quota",
        "quotaExceeded",
    )
}

fn bad_request(message: &str, reason: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        message,
        "youtube.parameter",
        reason,
    )
}

impl FakeYoutube {
    /// Starts the fake on `127.0.0.1:0`; it accepts the API key `key` and 10,000 units a day.
    pub async fn start(key: &str) -> std::io::Result<FakeYoutube> {
        FakeYoutube::start_on(key, 0).await
    }

    /// Starts the fake on `127.0.0.1:port` (`0`: any free port), as [`FakeYoutube::start`].
    pub async fn start_on(key: &str, port: u16) -> std::io::Result<FakeYoutube> {
        let bound = bind_loopback(port).await?;
        let common = Common::new(Flavor::Youtube);
        let state = Arc::new(YoutubeState {
            common: common.clone(),
            base_url: bound.base_url.clone(),
            channels: Accounts::new(1),
            keys: Mutex::new(vec![key.to_string()]),
            units_used: AtomicU64::new(0),
            quota: AtomicU64::new(10_000),
        });
        let api = Router::new()
            .route("/youtube/v3/channels", get(channels))
            .route("/youtube/v3/search", get(search));
        let plain = Router::new().route("/yt3/{id}/photo.png", get(avatar));
        Ok(Running {
            state: state.clone(),
            _server: bound.serve(&common, plain, api, state),
        })
    }

    /// Base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Sets the daily quota in units (YouTube's default is 10,000).
    pub fn set_quota(&self, units: u64) {
        self.state.quota.store(units, Ordering::SeqCst);
    }

    /// Quota units the requests so far cost (a refused request past the quota costs none).
    pub fn units_used(&self) -> u64 {
        self.state.units_used.load(Ordering::SeqCst)
    }

    /// Places a channel (`handle` without `@`; `followers` is its subscriber count; label
    /// `hidden_subscribers` hides it); returns its channel id.
    pub fn add_account(&self, account: FakeAccount) -> String {
        self.state.channels.add(account, |n| format!("UC{n:0>22}"))
    }

    /// Terminates a channel (by handle or id): it is no longer found.
    pub fn remove_account(&self, handle_or_id: &str) -> bool {
        let wanted = handle_or_id.trim_start_matches('@').to_lowercase();
        self.state
            .channels
            .remove(|c| c.id == handle_or_id || c.handle.to_lowercase() == wanted)
    }

    common_accessors!();
}

impl YoutubeState {
    /// Checks the key and charges `units`, or the answer refusing the request.
    fn admit(&self, p: &[(String, String)], units: u64) -> Result<(), Box<Response>> {
        let Some(key) = param(p, "key") else {
            return Err(Box::new(error(
                StatusCode::FORBIDDEN,
                "The request is missing a valid API key.",
                "global",
                "forbidden",
            )));
        };
        if !lock(&self.keys).contains(&key) {
            return Err(Box::new(key_invalid()));
        }
        let quota = self.quota.load(Ordering::SeqCst);
        let used = self.units_used.load(Ordering::SeqCst);
        if used + units > quota {
            return Err(Box::new(quota_exceeded()));
        }
        self.units_used.fetch_add(units, Ordering::SeqCst);
        Ok(())
    }

    fn thumbnails(&self, c: &Kept) -> Value {
        let Some(_) = &c.avatar else {
            return json!({});
        };
        let url = format!("{}/yt3/{}/photo.png", self.base_url, c.id);
        json!({
            "default": {"url": url, "width": 88, "height": 88},
            "medium": {"url": url, "width": 240, "height": 240},
            "high": {"url": url, "width": 800, "height": 800}
        })
    }

    /// A `youtube#channel` resource with the parts asked.
    fn channel_resource(&self, c: &Kept, parts: &[&str]) -> Value {
        let mut v =
            json!({"kind": "youtube#channel", "etag": format!("etag-{}", c.id), "id": c.id});
        if parts.contains(&"snippet") {
            v["snippet"] = json!({
                "title": c.name,
                "description": c.bio,
                "customUrl": format!("@{}", c.handle.to_lowercase()),
                "publishedAt": c.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "thumbnails": self.thumbnails(c),
                "localized": {"title": c.name, "description": c.bio}
            });
        }
        if parts.contains(&"statistics") {
            let hidden = c.labelled("hidden_subscribers");
            let mut stats =
                json!({"viewCount": "0", "hiddenSubscriberCount": hidden, "videoCount": "0"});
            if !hidden {
                stats["subscriberCount"] = json!(c.followers.to_string());
            }
            v["statistics"] = stats;
        }
        v
    }
}

/// The `part` values asked, or the refusal (it is required; only known parts).
fn parts(p: &[(String, String)], known: &[&str]) -> Result<Vec<String>, Box<Response>> {
    let Some(part) = param(p, "part") else {
        return Err(Box::new(bad_request(
            "No filter selected. Expected one of: part",
            "required",
        )));
    };
    let list: Vec<String> = part.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(bad) = list.iter().find(|x| !known.contains(&x.as_str())) {
        return Err(Box::new(bad_request(&format!("'{bad}'"), "unknownPart")));
    }
    Ok(list)
}

/// `maxResults`: 0 to 50 (default 5), or the refusal.
fn max_results(p: &[(String, String)]) -> Result<usize, Box<Response>> {
    match param(p, "maxResults") {
        None => Ok(5),
        Some(m) => match m.parse::<usize>() {
            Ok(n) if n <= 50 => Ok(n),
            _ => Err(Box::new(bad_request(
                "Invalid value for maxResults: it must be from 0 to 50.",
                "invalidParameter",
            ))),
        },
    }
}

fn list_response(kind: &str, items: Vec<Value>, per_page: usize) -> Response {
    let mut body = json!({"kind": kind, "etag": "fake-etag",
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": per_page}});
    if !items.is_empty() {
        body["items"] = Value::Array(items);
    }
    json_response(StatusCode::OK, body.to_string())
}

async fn channels(State(st): State<Arc<YoutubeState>>, RawQuery(raw): RawQuery) -> Response {
    let p = query_pairs(&raw);
    let answer = || -> Result<Response, Box<Response>> {
        let parts = parts(
            &p,
            &[
                "id",
                "snippet",
                "statistics",
                "contentDetails",
                "brandingSettings",
                "status",
                "topicDetails",
                "localizations",
                "contentOwnerDetails",
            ],
        )?;
        let per_page = max_results(&p)?;
        let filters = [
            "forHandle",
            "id",
            "forUsername",
            "mine",
            "managedByMe",
            "categoryId",
        ];
        let given: Vec<&str> = filters
            .iter()
            .copied()
            .filter(|f| param(&p, f).is_some())
            .collect();
        if given.len() != 1 {
            return Err(Box::new(bad_request(
                "Incompatible parameters specified in the request: exactly one filter of forHandle, forUsername, id, managedByMe, mine",
                "incompatibleParameters",
            )));
        }
        st.admit(&p, 1)?;
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let visible = st.channels.visible();
        let mut items: Vec<Value> = if let Some(handle) = param(&p, "forHandle") {
            let wanted = handle.trim_start_matches('@').to_lowercase();
            visible
                .iter()
                .filter(|c| c.handle.to_lowercase() == wanted)
                .map(|c| st.channel_resource(c, &refs))
                .collect()
        } else if let Some(ids) = param(&p, "id") {
            let ids: Vec<&str> = ids.split(',').collect();
            if ids.len() > 50 {
                return Err(Box::new(bad_request(
                    "Too many ids (at most 50).",
                    "invalidParameter",
                )));
            }
            ids.iter()
                .filter_map(|id| visible.iter().find(|c| c.id == *id))
                .map(|c| st.channel_resource(c, &refs))
                .collect()
        } else {
            Vec::new()
        };
        if st.common.switches().malformed_record && !items.is_empty() {
            items.insert(
                0,
                json!({"kind": "youtube#channel", "etag": "bad", "id": 5}),
            );
        }
        Ok(list_response(
            "youtube#channelListResponse",
            items,
            per_page,
        ))
    };
    answer().unwrap_or_else(|refused| *refused)
}

async fn search(State(st): State<Arc<YoutubeState>>, RawQuery(raw): RawQuery) -> Response {
    let p = query_pairs(&raw);
    let answer = || -> Result<Response, Box<Response>> {
        let parts = parts(&p, &["snippet", "id"])?;
        if !parts.iter().any(|x| x == "snippet") {
            return Err(Box::new(bad_request(
                "'part' must be snippet",
                "invalidPart",
            )));
        }
        let max = max_results(&p)?;
        let kind = param(&p, "type").unwrap_or_else(|| "video,channel,playlist".into());
        st.admit(&p, 100)?;
        let q = param(&p, "q").unwrap_or_default();
        let terms = words(&q);
        let items: Vec<Value> = if kind.split(',').any(|k| k == "channel") {
            st.channels
                .visible()
                .iter()
                .filter(|c| {
                    let mut own = words(&c.name);
                    own.push(c.handle.to_lowercase());
                    !terms.is_empty()
                        && terms
                            .iter()
                            .all(|t| own.iter().any(|w| w.starts_with(t.as_str())))
                })
                .take(max)
                .map(|c| {
                    let published = c.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
                    json!({"kind": "youtube#searchResult", "etag": format!("etag-s-{}", c.id),
                        "id": {"kind": "youtube#channel", "channelId": c.id},
                        "snippet": {"publishedAt": published, "channelId": c.id,
                            "title": c.name, "description": c.bio,
                            "thumbnails": st.thumbnails(c), "channelTitle": c.name,
                            "liveBroadcastContent": "none", "publishTime": published}})
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut response = json!({"kind": "youtube#searchListResponse", "etag": "fake-etag",
            "regionCode": "US", "pageInfo": {"totalResults": items.len(), "resultsPerPage": max}});
        response["items"] = Value::Array(items);
        Ok(json_response(StatusCode::OK, response.to_string()))
    };
    answer().unwrap_or_else(|refused| *refused)
}

async fn avatar(State(st): State<Arc<YoutubeState>>, Path(id): Path<String>) -> Response {
    let bytes = st.channels.avatar(&id);
    avatar_response(
        &st.common,
        &format!("/yt3/{id}/photo.png"),
        bytes.as_deref().map(|b| b.as_slice()),
    )
}
