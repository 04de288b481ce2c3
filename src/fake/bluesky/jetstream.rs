//! The fake's Jetstream: the event log of identity and profile commits (with `time_us`), and
//! `/subscribe`, which replays it from a cursor and then sends live events. It must never
//! answer the XRPC calls (the parent module does).

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use super::{now_iso, Account, BskyState, PROFILE_COLLECTION};
use crate::fake::http::query_pairs;
use crate::fake::{lock, unix_now};
use crate::sources::bluesky::cid::{base32_lower, blob_cid};

/// One Jetstream message: its time, its collection (commits only) and its JSON text.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub(super) time_us: u64,
    pub(super) collection: Option<String>,
    pub(super) text: Arc<String>,
}

impl BskyState {
    /// A strictly increasing microsecond clock, like Jetstream's `time_us`.
    pub(super) fn next_time_us(&self) -> u64 {
        let now = u64::try_from(Utc::now().timestamp_micros()).unwrap_or(0);
        let last = lock(&self.events).last().map_or(0, |e| e.time_us);
        now.max(last + 1)
    }

    pub(super) fn push_event(&self, time_us: u64, collection: Option<&str>, text: String) {
        let event = Event {
            time_us,
            collection: collection.map(String::from),
            text: Arc::new(text),
        };
        let mut events = lock(&self.events);
        // Keep the log ordered even if two writers raced for a time.
        let time_us = events
            .last()
            .map_or(time_us, |e| time_us.max(e.time_us + 1));
        let event = if time_us == event.time_us {
            event
        } else {
            let mut v: Value = serde_json::from_str(&event.text).unwrap_or(Value::Null);
            v["time_us"] = json!(time_us);
            Event {
                time_us,
                collection: event.collection,
                text: Arc::new(v.to_string()),
            }
        };
        events.push(event.clone());
        // Nobody listening is fine: the log keeps it for cursors.
        let _ = self.live.send(event);
    }

    pub(super) fn emit_identity(&self, acc: &Account, seq: u64) {
        let time_us = self.next_time_us();
        let text = json!({
            "did": acc.did, "time_us": time_us, "kind": "identity",
            "identity": {"did": acc.did, "handle": acc.handle, "seq": seq, "time": now_iso()}
        });
        self.push_event(time_us, None, text.to_string());
    }

    pub(super) fn emit_profile(&self, acc: &Account, operation: &str) {
        let time_us = self.next_time_us();
        let mut record = json!({
            "$type": PROFILE_COLLECTION,
            "createdAt": acc.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        });
        if let Some(name) = &acc.display_name {
            record["displayName"] = json!(name);
        }
        if let Some(description) = &acc.description {
            record["description"] = json!(description);
        }
        if let (Some(cid), Some(bytes)) = (&acc.avatar_cid, &acc.avatar) {
            record["avatar"] = json!({
                "$type": "blob", "ref": {"$link": cid},
                "mimeType": mime_of(bytes), "size": bytes.len()
            });
        }
        let rev = base32_lower(&time_us.to_be_bytes());
        let text = json!({
            "did": acc.did, "time_us": time_us, "kind": "commit",
            "commit": {
                "rev": rev, "operation": operation, "collection": PROFILE_COLLECTION,
                "rkey": "self", "record": record,
                "cid": blob_cid(record.to_string().as_bytes()).replacen("bafkrei", "bafyrei", 1)
            }
        });
        self.push_event(time_us, Some(PROFILE_COLLECTION), text.to_string());
    }
}

fn mime_of(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else {
        "image/jpeg"
    }
}

pub(super) async fn subscribe(
    State(st): State<Arc<BskyState>>,
    RawQuery(raw): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    let params = query_pairs(&raw);
    let wanted: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "wantedCollections")
        .map(|(_, v)| v.clone())
        .collect();
    let cursor: Option<u64> = params
        .iter()
        .find(|(k, _)| k == "cursor")
        .and_then(|(_, v)| v.parse().ok());
    ws.on_upgrade(move |socket| stream_events(socket, st, wanted, cursor))
}

/// Replays the log from `cursor` (inclusive, as Jetstream does), then sends live events.
async fn stream_events(
    mut socket: WebSocket,
    st: Arc<BskyState>,
    wanted: Vec<String>,
    cursor: Option<u64>,
) {
    let retention = st.common.switches().jetstream_retention;
    let oldest_kept = retention.map(|(secs, _)| {
        let now_us = unix_now().saturating_mul(1_000_000);
        now_us.saturating_sub(secs.saturating_mul(1_000_000))
    });
    let cursor = match (cursor, oldest_kept, retention) {
        (Some(c), Some(oldest), Some((_, true))) if c < oldest => {
            refuse_old_cursor(socket).await;
            return;
        }
        // Clamped silently to the oldest event kept.
        (Some(c), Some(oldest), _) => Some(c.max(oldest)),
        (cursor, ..) => cursor,
    };
    let (backlog, mut live) = {
        let events = lock(&st.events);
        // Subscribe under the log lock so no event falls between backlog and live.
        let live = st.live.subscribe();
        let backlog: Vec<Event> = match cursor {
            Some(c) => events.iter().filter(|e| e.time_us >= c).cloned().collect(),
            None => Vec::new(),
        };
        (backlog, live)
    };
    let (drop_after, malformed) = {
        let s = st.common.switches();
        (s.drop_websocket_after, s.malformed_record)
    };
    let wants = |e: &Event| match &e.collection {
        Some(c) => wanted.is_empty() || wanted.iter().any(|w| w == c),
        None => true,
    };
    let mut sent = 0usize;
    let mut last_time = 0u64;
    for e in backlog {
        if !wants(&e) {
            continue;
        }
        last_time = e.time_us;
        sent += 1;
        if !send_event(&mut socket, &e, malformed).await || drop_after.is_some_and(|n| sent >= n) {
            return;
        }
    }
    loop {
        tokio::select! {
            event = live.recv() => match event {
                Ok(e) => {
                    if e.time_us <= last_time || !wants(&e) {
                        continue;
                    }
                    last_time = e.time_us;
                    sent += 1;
                    if !send_event(&mut socket, &e, malformed).await
                        || drop_after.is_some_and(|n| sent >= n)
                    {
                        return;
                    }
                }
                // A reader too slow to keep up is cut off, as Jetstream does.
                Err(_) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Jetstream v2's answer to a cursor older than it keeps: an error message, then a close
/// frame naming it.
async fn refuse_old_cursor(mut socket: WebSocket) {
    let error =
        json!({"error": "CursorTooOld", "message": "cursor is older than the replay window"});
    let _ = socket.send(Message::Text(error.to_string().into())).await;
    let _ = socket
        .send(Message::Close(Some(axum::extract::ws::CloseFrame {
            code: 1008,
            reason: "CursorTooOld".into(),
        })))
        .await;
}

/// Sends one event (after two broken messages when malformed records are switched on);
/// false when the socket is gone.
async fn send_event(socket: &mut WebSocket, e: &Event, malformed: bool) -> bool {
    let mut texts = Vec::new();
    if malformed && e.collection.is_some() {
        texts.push(
            "{\"did\": \"did:plc:broken\", \"time_us\": \"soon\", \"kind\": \"commit\"".to_string(),
        );
        texts.push(
            json!({"did": "did:plc:broken", "time_us": e.time_us, "kind": "commit",
                "commit": {"operation": "update", "collection": PROFILE_COLLECTION, "rkey": "self",
                           "record": {"displayName": 7, "avatar": "nope"}}})
            .to_string(),
        );
    }
    texts.push(e.text.to_string());
    for text in texts {
        if socket.send(Message::Text(text.into())).await.is_err() {
            return false;
        }
    }
    true
}
