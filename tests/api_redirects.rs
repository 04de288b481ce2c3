//! Platform API requests (searches, lookups: Mastodon, X, Bluesky AppView all go through
//! `sources::http::Http`) follow redirects only on the platform's own server, at most 3, and
//! never send a Referer: a hostile server cannot send the person's name (the search query) or
//! a token to another host, loopback or not.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use doppelwatch::config::HttpConfig;
use doppelwatch::identity::Platform;
use doppelwatch::sources::http::{Answer, Http};
use url::Url;

/// One request as a server saw it: its path and query, and its Referer header if any.
type Request = (String, Option<String>);

/// What a server saw.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

impl Seen {
    fn record(&self, uri: &Uri, headers: &HeaderMap) {
        let referer = headers
            .get("referer")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        self.0.lock().unwrap().push((uri.to_string(), referer));
    }
    fn all(&self) -> Vec<Request> {
        self.0.lock().unwrap().clone()
    }
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn redirect(to: String) -> Response {
    (StatusCode::TEMPORARY_REDIRECT, [("location", to)]).into_response()
}

/// A server that answers JSON to anything and records what it got.
async fn target() -> (String, Seen) {
    let seen = Seen::default();
    let router = Router::new()
        .fallback(
            |State(seen): State<Seen>, uri: Uri, headers: HeaderMap| async move {
                seen.record(&uri, &headers);
                ([("content-type", "application/json")], "{\"accounts\": []}")
            },
        )
        .with_state(seen.clone());
    (serve(router).await, seen)
}

/// A "platform" that redirects `/away/...` to `elsewhere`, `/hop/N` to `/hop/N-1` on itself
/// (and `/hop/0` answers JSON), recording every request.
async fn platform(elsewhere: String) -> (String, Seen) {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/hop/{n}",
            get(
                |State(seen): State<Seen>, Path(n): Path<u32>, uri: Uri, headers: HeaderMap| async move {
                    seen.record(&uri, &headers);
                    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
                    if n == 0 {
                        ([("content-type", "application/json")], "{\"ok\": true}").into_response()
                    } else {
                        redirect(format!("/hop/{}{query}", n - 1))
                    }
                },
            ),
        )
        .fallback(
            move |State(seen): State<Seen>, uri: Uri, headers: HeaderMap| {
                let elsewhere = elsewhere.clone();
                async move {
                    seen.record(&uri, &headers);
                    redirect(format!("{elsewhere}{uri}"))
                }
            },
        )
        .with_state(seen.clone());
    (serve(router).await, seen)
}

fn client() -> Http {
    Http::new(Platform::Mastodon, &HttpConfig::default()).unwrap()
}

#[tokio::test]
async fn api_requests_never_follow_a_redirect_to_another_server() {
    let (target_url, target_seen) = target().await;
    let port = Url::parse(&target_url).unwrap().port().unwrap();
    for elsewhere in [target_url.clone(), format!("http://localhost:{port}")] {
        let (base, platform_seen) = platform(elsewhere.clone()).await;
        let url = Url::parse(&format!("{base}/api/v2/search?q=Palmer+Report")).unwrap();
        let err = client()
            .get_json(url, Some("secret-token"))
            .await
            .expect_err("a redirect to another server is an error");
        let message = err.to_string();
        assert!(
            message.contains("redirected to another server"),
            "says why: {message}"
        );
        assert!(
            !message.contains("Palmer"),
            "no query in the error: {message}"
        );
        assert_eq!(
            platform_seen.all().len(),
            1,
            "not asked again: the same redirect would come back"
        );
        assert!(
            target_seen.all().is_empty(),
            "nothing reached {elsewhere}: {:?}",
            target_seen.all()
        );
    }
}

#[tokio::test]
async fn api_requests_follow_same_origin_redirects_without_a_referer() {
    let (target_url, _) = target().await;
    let (base, seen) = platform(target_url).await;
    let url = Url::parse(&format!("{base}/hop/3?q=Palmer+Report")).unwrap();
    let answer = client().get_json(url, None).await.unwrap();
    assert!(matches!(answer, Answer::Json(v) if v["ok"] == true));
    let requests = seen.all();
    assert_eq!(
        requests.len(),
        4,
        "three redirects on the same server: {requests:?}"
    );
    for (uri, referer) in &requests {
        assert_eq!(referer, &None, "no Referer on {uri}");
    }

    // A fourth redirect is one too many.
    let (target_url, _) = target().await;
    let (base, seen) = platform(target_url).await;
    let url = Url::parse(&format!("{base}/hop/4")).unwrap();
    let err = client().get_json(url, None).await.unwrap_err();
    assert!(err.to_string().contains("redirects"), "{err}");
    assert_eq!(seen.all().len(), 4, "stopped after 3 redirects");
}
