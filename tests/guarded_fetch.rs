//! Avatar URLs from remote data cannot reach the person's network (issue 14, finding 1).
//!
//! A hostile platform names avatar URLs on loopback (another port), in decimal/hex/IPv6-mapped
//! spellings, with credentials, through redirect chains to loopback or another host, with more
//! than 3 redirects, and behind DNS names that resolve to 127.0.0.1. An "internal service" on
//! loopback counts every connection it gets: it must get none, no avatar may be stored, and no
//! evidence bundle may contain its answer. Real HTTP on loopback throughout.
//!
//! Run: `cargo test --test guarded_fetch`.

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use doppelwatch::config::Config;
use doppelwatch::detect::{avatar, Detector};
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::{sample_avatar_png, FakeAccount};
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::net::guarded::{FetchError, GuardedFetcher, Limits, Lookup};
use doppelwatch::report::evidence::export_bundle;
use doppelwatch::sources::mastodon::MastodonSource;
use doppelwatch::sources::Source;
use doppelwatch::store::{AlertFilter, Finding, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the internal service answers: a valid image, so it would be kept as an avatar.
fn internal_answer() -> Vec<u8> {
    let mut bytes = sample_avatar_png(77);
    bytes.extend_from_slice(INTERNAL_MARKER);
    bytes
}
const INTERNAL_MARKER: &[u8] = b"INTERNAL-ROUTER-ADMIN-PAGE-7f3a";

/// A service on the person's network (here loopback) that counts every TCP connection.
struct Internal {
    port: u16,
    connections: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

async fn internal_service() -> Internal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = stream.read(&mut buf).await;
                let body = internal_answer();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    Internal {
        port,
        connections,
        _task: task,
    }
}

/// The hostile platform's image host (an allowed loopback fake): redirects wherever it likes,
/// and records the Referer and Authorization headers it is sent.
#[derive(Default)]
struct Seen {
    referers: Vec<String>,
    authorizations: Vec<String>,
}

struct Hostile {
    base: String,
    seen: Arc<Mutex<Seen>>,
    _task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct HostileState {
    port: u16,
    internal: u16,
    seen: Arc<Mutex<Seen>>,
}

fn found(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn hostile_route(
    State(st): State<HostileState>,
    Path(what): Path<String>,
    headers: HeaderMap,
) -> Response {
    {
        let mut seen = st.seen.lock().unwrap();
        if let Some(r) = headers.get(header::REFERER) {
            seen.referers.push(r.to_str().unwrap_or("?").to_string());
        }
        if let Some(a) = headers.get(header::AUTHORIZATION) {
            seen.authorizations
                .push(a.to_str().unwrap_or("?").to_string());
        }
    }
    let (port, internal) = (st.port, st.internal);
    match what.as_str() {
        "ok.png" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "image/png")],
            sample_avatar_png(5),
        )
            .into_response(),
        "to-internal" => found(format!("http://127.0.0.1:{internal}/secret.png")),
        "to-internal-decimal" => found(format!("http://2130706433:{internal}/")),
        "to-internal-https" => found(format!("https://intranet.test:{internal}/")),
        "to-other-host" => found(format!("http://localhost:{port}/ok.png")),
        "to-credentials" => found(format!("http://admin:hunter2@127.0.0.1:{port}/ok.png")),
        hop => match hop.strip_prefix("hop").and_then(|n| n.parse::<u32>().ok()) {
            Some(0) => found("/ok.png".into()),
            Some(n) => found(format!("/hop{}", n - 1)),
            None => StatusCode::NOT_FOUND.into_response(),
        },
    }
}

async fn hostile_host(internal: u16) -> Hostile {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let app = axum::Router::new()
        .route("/{what}", get(hostile_route))
        .with_state(HostileState {
            port,
            internal,
            seen: seen.clone(),
        });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Hostile {
        base: format!("http://127.0.0.1:{port}"),
        seen,
        _task: task,
    }
}

/// Names that resolve to loopback without asking the system's DNS (a rebinding server would
/// answer the same way).
struct Table(HashMap<String, Vec<IpAddr>>);

impl Lookup for Table {
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn std::future::Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
        let found = self.0.get(&host).cloned();
        Box::pin(async move {
            found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such name"))
        })
    }
}

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        max_redirects: 3,
    }
}

#[tokio::test]
async fn hostile_urls_are_refused_before_any_connection_to_the_network() {
    let internal = internal_service().await;
    let hostile = hostile_host(internal.port).await;
    let p = internal.port;
    let table = Table(HashMap::from([
        (
            "intranet.test".to_string(),
            vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        ),
        // A name whose every address is on the local network.
        (
            "rebind.test".to_string(),
            vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
                IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            ],
        ),
    ]));
    let fetcher = GuardedFetcher::with_lookup(
        limits(),
        std::slice::from_ref(&hostile.base),
        Arc::new(table),
    )
    .unwrap();
    let h = &hostile.base;
    let fake_host = &h["http://".len()..];
    // (URL, why it must be refused)
    let cases = [
        (format!("http://127.0.0.1:{p}/secret.png"), "not https"),
        (format!("http://2130706433:{p}/"), "not https"),
        (format!("https://2130706433:{p}/"), "not public"),
        (format!("https://0x7f.0.0.1:{p}/"), "not public"),
        (format!("https://0177.0.0.1:{p}/"), "not public"),
        (format!("https://[::ffff:127.0.0.1]:{p}/"), "not public"),
        (
            format!("https://intranet.test:{p}/secret.png"),
            "not public",
        ),
        (format!("https://rebind.test:{p}/secret.png"), "not public"),
        (
            format!("https://admin:hunter2@intranet.test:{p}/"),
            "credentials",
        ),
        // Credentials are refused even on the allowed fake's own origin.
        (
            format!("http://admin:hunter2@{fake_host}/ok.png"),
            "credentials",
        ),
        (format!("{h}/to-internal"), "not https"),
        (format!("{h}/to-internal-decimal"), "not https"),
        (format!("{h}/to-internal-https"), "not public"),
        (format!("{h}/to-other-host"), "not https"),
        (format!("{h}/to-credentials"), "credentials"),
        (format!("{h}/hop3"), "too many redirects"),
    ];
    for (url, why) in &cases {
        match fetcher.get(url, 1 << 20).await {
            Ok(bytes) => panic!("{url} was fetched ({} bytes)", bytes.len()),
            Err(e) => {
                let reason = match e {
                    FetchError::NotHttps { .. } => "not https",
                    FetchError::NotPublic { .. } => "not public",
                    FetchError::Credentials { .. } => "credentials",
                    FetchError::TooManyRedirects { max: 3, .. } => "too many redirects",
                    _ => "something else",
                };
                assert_eq!(reason, *why, "{url}: refused for the wrong reason: {e}");
                assert!(!e.to_string().contains("hunter2"), "{e}");
            }
        }
    }
    assert_eq!(
        internal.connections.load(Ordering::SeqCst),
        0,
        "the internal service was reached"
    );

    // The allowed fake itself still works, with up to 3 redirects, no Referer, and no
    // credentials ever sent on.
    let bytes = fetcher.get(&format!("{h}/ok.png"), 1 << 20).await.unwrap();
    assert_eq!(bytes, sample_avatar_png(5));
    let bytes = fetcher.get(&format!("{h}/hop2"), 1 << 20).await.unwrap();
    assert_eq!(bytes, sample_avatar_png(5), "3 redirects are followed");
    let seen = hostile.seen.lock().unwrap();
    assert!(
        seen.referers.is_empty(),
        "Referer sent: {:?}",
        seen.referers
    );
    assert!(
        seen.authorizations.is_empty(),
        "credentials sent: {:?}",
        seen.authorizations
    );
}

#[tokio::test]
async fn plain_http_to_loopback_needs_the_explicit_allow_list() {
    let hostile = hostile_host(9).await;
    // Real use: no allow-list, so even the fake's own address is refused.
    let fetcher = GuardedFetcher::new(limits(), &[]).unwrap();
    let err = fetcher
        .get(&format!("{}/ok.png", hostile.base), 1 << 20)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NotHttps { .. }), "{err}");
    // A settings file cannot smuggle one in.
    let config: Config = serde_json::from_str(r#"{"http": {"timeout_secs": 5}}"#).unwrap();
    assert!(config.http.loopback_fakes.is_empty());
    assert!(serde_json::from_str::<Config>(&format!(
        r#"{{"http": {{"loopback_fakes": ["{}"]}}}}"#,
        hostile.base
    ))
    .is_err());
    // The switch lets in the loopback base URLs only, never another host.
    let mut config = Config::default();
    config.mastodon.servers = vec![hostile.base.clone(), "http://192.168.1.1".into()];
    config.allow_loopback_fakes();
    assert_eq!(config.http.loopback_fakes, vec![hostile.base.clone()]);
}

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::Mastodon,
            handle: "PalmerReport@mastodon.example".into(),
        }],
        avatar: None,
        bio: None,
    }
}

/// Through the real path: the Mastodon source finds impostors whose avatars point at the
/// network, the store records them, and their evidence bundles are exported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_avatars_are_never_stored_nor_exported() {
    let internal = internal_service().await;
    let hostile = hostile_host(internal.port).await;
    let mastodon = FakeMastodon::start("social.example").await.unwrap();
    let p = internal.port;
    let hostile_avatars = [
        ("PaImerReport", format!("http://127.0.0.1:{p}/avatar.png")),
        ("PalmerReport_", format!("http://2130706433:{p}/avatar.png")),
        ("Palmer_Report", format!("https://localhost:{p}/avatar.png")),
        (
            "PalmerReportt",
            format!("http://admin:hunter2@127.0.0.1:{p}/avatar.png"),
        ),
        ("PalmerRep0rt", format!("{}/to-internal", hostile.base)),
        (
            "PaImer_Report",
            format!("{}/to-internal-decimal", hostile.base),
        ),
        ("PalmerReportx", format!("{}/to-other-host", hostile.base)),
        ("PalmerReporrt", format!("{}/hop4", hostile.base)),
    ];
    for (user, url) in &hostile_avatars {
        mastodon.add_account(
            FakeAccount::new(*user)
                .name("Palmer Report")
                .avatar_url(url),
        );
    }
    // The control: an avatar the fake serves itself is fetched and kept.
    mastodon.add_account(
        FakeAccount::new("PalmerReport1")
            .name("Palmer Report")
            .avatar(sample_avatar_png(9)),
    );

    let mut config = Config::default();
    config.bluesky.enabled = false;
    config.x.enabled = false;
    config.mastodon.servers = vec![mastodon.base_url()];
    config.mastodon.probe_limit = 0;
    config.http.max_retries = 0;
    config.http.timeout_secs = 10;
    config.allow_loopback_fakes();
    // The tests' explicit allow-list also names the hostile image host.
    config.http.loopback_fakes.push(hostile.base.clone());

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let identity = palmer();
    let identity_id = store.upsert_identity(&identity).unwrap();
    let source = MastodonSource::new(&config).unwrap();
    let report = source.check_report(&identity).await.unwrap();
    let detector = Detector::new(identity, None);
    let now = Utc::now();
    let mut seen_handles = Vec::new();
    for found in report.found {
        seen_handles.push(found.profile.handle.clone());
        let fingerprint = found
            .avatar_image
            .as_deref()
            .and_then(|bytes| avatar::fingerprint(bytes).ok());
        let assessment = detector.assess(&found.profile, fingerprint.as_ref(), now);
        store
            .record_finding(
                Finding {
                    identity_id,
                    found: &found,
                    assessment: &assessment,
                },
                now,
            )
            .unwrap();
    }
    for (user, _) in &hostile_avatars {
        assert!(
            seen_handles
                .iter()
                .any(|h| h.starts_with(&format!("{user}@"))),
            "{user} not found: {seen_handles:?}"
        );
    }
    assert_eq!(
        internal.connections.load(Ordering::SeqCst),
        0,
        "the internal service was reached"
    );

    let alerts = store.alerts(&AlertFilter::default()).unwrap();
    assert_eq!(alerts.len(), hostile_avatars.len() + 1, "one alert each");
    let mut control_avatar = false;
    for alert in &alerts {
        let history = store.profile_history(alert.account_id).unwrap();
        let stored = history.iter().find_map(|v| v.avatar_sha256.clone());
        if alert.profile.handle.starts_with("PalmerReport1@") {
            let sha = stored.expect("the control's avatar is kept");
            assert_eq!(store.avatar(&sha).unwrap(), Some(sample_avatar_png(9)));
            control_avatar = true;
        } else {
            assert_eq!(
                stored, None,
                "{}: an avatar was stored",
                alert.profile.handle
            );
        }
        let out = dir.path().join(format!("case-{}.zip", alert.id));
        export_bundle(&store, alert.id, &out, now).unwrap();
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            assert!(
                !bytes
                    .windows(INTERNAL_MARKER.len())
                    .any(|w| w == INTERNAL_MARKER),
                "{} in the bundle of {} holds the internal answer",
                entry.name(),
                alert.profile.handle
            );
        }
    }
    assert!(control_avatar, "the control account raised no alert");
}
