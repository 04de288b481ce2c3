//! A Jetstream message dated far in the future (`time_us` of i64::MAX) is skipped: it is never
//! stored as the cursor, and the events after it are still handled (taken as the cursor, it
//! made every later event look already handled). A hand-written stream on loopback sends it,
//! then a real impostor's identity event; the AppView is the fake Bluesky.

mod support_watch;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::routing::get;
use axum::Router;
use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::FakeAccount;
use doppelwatch::sources::bluesky::live::{run_live, LiveEvent};
use doppelwatch::sources::bluesky::BlueskySource;
use serde_json::json;
use tokio::sync::mpsc;

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// A stream that sends `messages` to every connection, then stays open.
async fn stream(messages: Vec<String>) -> String {
    let router = Router::new().route(
        "/subscribe",
        get(move |ws: WebSocketUpgrade| {
            let messages = messages.clone();
            async move {
                ws.on_upgrade(move |mut socket| async move {
                    for m in messages {
                        if socket.send(Message::Text(m.into())).await.is_err() {
                            return;
                        }
                    }
                    while let Some(Ok(_)) = socket.recv().await {}
                })
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("ws://{addr}/subscribe")
}

#[tokio::test]
async fn a_message_from_the_future_is_never_the_cursor() {
    let fake = FakeBluesky::start().await.unwrap();
    let impostor = "palmer-report-1.bsky.social";
    let did = fake.add_account(FakeAccount::new(impostor).name("PaImer Report"));
    let now = now_us();
    let future = json!({
        "did": "did:plc:future", "time_us": i64::MAX, "kind": "identity",
        "identity": {"did": "did:plc:future", "handle": "someone.bsky.social", "seq": 1}
    });
    let real = json!({
        "did": did, "time_us": now, "kind": "identity",
        "identity": {"did": did, "handle": impostor, "seq": 2}
    });
    let mut config = Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.bluesky.jetstream_url = stream(vec![future.to_string(), real.to_string()]).await;
    config.bluesky.rewind_secs = 0;
    config.http.max_retries = 0;
    config.http.fetch_avatars = false;
    let source = BlueskySource::new(&config).unwrap();
    let identity = support_watch::palmer();
    let (tx, mut rx) = mpsc::channel(256);
    let live = run_live(&source, &identity, None, tx);
    let watch = async {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let event = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("{impostor} never found; events: {seen:?}"))
                .expect("the stream goes on");
            let found = matches!(&event, LiveEvent::Found(f) if f.profile.handle == impostor);
            seen.push(event);
            if found {
                break;
            }
        }
        drop(rx);
        seen
    };
    let ((), seen) = tokio::join!(live, watch);
    let limit = now_us() + 3_600_000_000;
    for event in &seen {
        if let LiveEvent::Cursor(c) = event {
            assert!(*c <= limit, "a cursor from the future was reported: {c}");
        }
    }
}
