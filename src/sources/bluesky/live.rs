//! Bluesky in real time: Jetstream profile commits matched locally, confirmed with getProfiles.
//!
//! [`run_live`] follows `wantedCollections=app.bsky.actor.profile` until its receiver is
//! dropped, sending [`LiveEvent`]s: confirmed candidates, and the cursor (`time_us`) up to
//! which every event has been handled. The watcher stores that cursor and passes it back on
//! the next start; the stream then resumes a few seconds *before* it (the rewind), so a
//! restart or an hour offline leaves no gap (Jetstream keeps about a day of events). After a
//! drop it reconnects with exponential backoff and jitter, resuming from the exact cursor.
//!
//! Jetstream replays only about [`REPLAY_WINDOW`] of events: v1 silently clamps an older cursor
//! to its oldest event, v2 refuses it (`CursorTooOld`). Events outside that window are lost to
//! the stream, so a cursor that old, a refusal, or a first replayed event far after the cursor
//! is reported as a [`LiveEvent::CoverageGap`]; the watcher then tells the person and runs a
//! full search-and-probe check, which finds what the stream could not replay.
//!
//! Jetstream is unauthenticated, so a record is only a trigger: a hit is confirmed with
//! `getProfiles` before it becomes a [`Found`]. A confirmation that fails (the AppView is
//! down) is retried, and the reported cursor never passes an unconfirmed hit.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use super::cid::{blob_cid, cid_from_avatar_url};
use super::matcher::{LiveHint, LiveMatcher};
use super::parse::{jetstream_event, JetstreamEvent, PROFILE_COLLECTION};
use super::BlueskySource;
use crate::identity::{Identity, Platform};
use crate::sources::ratelimit::{backoff, Jitter};
use crate::sources::{Found, FoundBy};

/// Largest Jetstream message read (profile events are a few KiB).
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// A silent connection is dropped and remade after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// The cursor is reported at most this often (and after every candidate).
const CURSOR_EVERY: Duration = Duration::from_secs(1);
/// The person's own avatar file is read for its CID only up to this size.
const MAX_OWN_AVATAR_BYTES: u64 = 8 * 1024 * 1024;
/// How far back Jetstream replays (its documentation: about 36 hours). A stored cursor older
/// than this cannot be resumed without a gap.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(36 * 3600);
/// The whole network changes profiles many times a minute: a first replayed event this long
/// after the cursor means the server clamped the cursor to the oldest event it kept.
const CLAMP_TOLERANCE: Duration = Duration::from_secs(10 * 60);

/// What the live stream tells its driver.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Connected to Jetstream, replaying from this cursor (None: from now).
    Connected { from_cursor: Option<u64> },
    /// A profile matched locally and confirmed with getProfiles.
    Found(Box<Found>),
    /// Every event up to and including this `time_us` has been handled: store it and pass it
    /// back as `start_cursor` on the next start.
    Cursor(u64),
    /// The connection dropped; the stream reconnects by itself after `retry_in`.
    Disconnected { reason: String, retry_in: Duration },
    /// Events between these two `time_us` could not be replayed (the watcher was off, or the
    /// stream unreachable, for longer than Jetstream keeps events): anything that happened
    /// then must be found by a full check instead.
    CoverageGap { from_us: u64, to_us: u64 },
}

/// How far past this machine's clock an event's `time_us` may be (clock skew) before the
/// event is not believed.
const FUTURE_TOLERANCE: Duration = Duration::from_secs(600);

/// Microseconds since the Unix epoch, Jetstream's `time_us` clock.
fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// When `cursor` is older than Jetstream can replay at `now`: the gap it leaves (from the
/// cursor to the oldest event still kept), which is also where to resume.
pub fn stale_cursor_gap(cursor: u64, now: u64) -> Option<(u64, u64)> {
    let window = u64::try_from(REPLAY_WINDOW.as_micros()).unwrap_or(u64::MAX);
    let oldest_kept = now.saturating_sub(window);
    (cursor < oldest_kept).then_some((cursor, oldest_kept))
}

/// Whether a Jetstream message or close reason is the v2 refusal of a cursor that is too old
/// (`{"error": "CursorTooOld", ...}` or a close frame naming it). A display name cannot fake
/// it: only a top-level `error` field or the close reason counts.
fn is_cursor_too_old(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(String::from))
        .is_some_and(|e| e == "CursorTooOld")
}

/// A hit whose confirmation has not succeeded yet.
#[derive(Debug, Clone)]
struct Pending {
    did: String,
    hint: LiveHint,
}

/// Follows Jetstream for `identity` until `events`' receiver is dropped.
///
/// `start_cursor` is the last [`LiveEvent::Cursor`] stored by the caller (None on a first
/// start: from now). A candidate seen again after the rewind is sent again; callers dedupe by
/// `platform_id`.
pub async fn run_live(
    source: &BlueskySource,
    identity: &Identity,
    start_cursor: Option<u64>,
    events: mpsc::Sender<LiveEvent>,
) {
    let rewind_us = source.config().rewind_secs.saturating_mul(1_000_000);
    let mut stream = LiveStream {
        source,
        identity,
        matcher: None,
        handled_up_to: None,
        pending: BTreeMap::new(),
        events,
        last_cursor_sent: None,
        last_cursor_at: tokio::time::Instant::now(),
        resumed_from: None,
    };
    // A stored cursor dated in the future (stored by an older version from a hostile message)
    // would ask for nothing: start from now instead.
    let future = u64::try_from(FUTURE_TOLERANCE.as_micros()).unwrap_or(u64::MAX);
    let start_cursor = start_cursor.filter(|c| *c <= now_us().saturating_add(future));
    let mut resume = start_cursor.map(|c| c.saturating_sub(rewind_us));
    let mut attempt: u32 = 0;
    loop {
        if stream.events.is_closed() {
            return;
        }
        if stream.matcher.is_none() {
            stream.matcher = stream.prepare_matcher().await;
        }
        if let Some((from_us, to_us)) = resume.and_then(|c| stale_cursor_gap(c, now_us())) {
            // Ask only for what the server keeps; the rest is a gap a full check must cover.
            if !stream.gap(from_us, to_us).await {
                return;
            }
            resume = Some(to_us);
        }
        stream.resumed_from = resume;
        let url = match subscribe_url(&source.config().jetstream_url, resume) {
            Ok(u) => u,
            Err(reason) => {
                tracing::error!(platform = "bluesky", "{reason}");
                let _ = stream
                    .events
                    .send(LiveEvent::Disconnected {
                        reason,
                        retry_in: Duration::MAX,
                    })
                    .await;
                return;
            }
        };
        let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE_BYTES));
        let connect =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true);
        let reason = match tokio::time::timeout(source.http().config().timeout(), connect).await {
            Ok(Ok((socket, _))) => {
                if stream
                    .events
                    .send(LiveEvent::Connected {
                        from_cursor: resume,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
                match stream.read(socket).await {
                    ReadEnd::ReceiverGone => return,
                    ReadEnd::CursorTooOld if resume.is_some() => {
                        // Refused (v2): everything since the cursor is a gap; go on from now.
                        let from_us = resume.unwrap_or(0);
                        if !stream.gap(from_us, now_us()).await {
                            return;
                        }
                        resume = None;
                        continue;
                    }
                    ReadEnd::CursorTooOld => "Jetstream refused a stream from now".to_string(),
                    ReadEnd::Dropped {
                        reason,
                        got_messages,
                    } => {
                        if got_messages {
                            attempt = 0;
                        }
                        reason
                    }
                }
            }
            Ok(Err(e)) => format!("could not connect to Jetstream: {e}"),
            Err(_) => "connecting to Jetstream timed out".to_string(),
        };
        // Resume exactly where handling stopped (events at that time are skipped as seen).
        if let Some(done) = stream.handled_up_to {
            resume = Some(done);
        }
        let retry_in = backoff(
            attempt,
            Duration::from_millis(500),
            Duration::from_secs(60),
            Jitter::Half,
        );
        attempt = attempt.saturating_add(1);
        tracing::warn!(
            platform = "bluesky",
            "Jetstream: {reason}; reconnecting in {} ms",
            retry_in.as_millis()
        );
        if stream
            .events
            .send(LiveEvent::Disconnected { reason, retry_in })
            .await
            .is_err()
        {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(retry_in) => {}
            _ = stream.events.closed() => return,
        }
    }
}

/// The subscribe URL with the profile collection and the cursor.
pub fn subscribe_url(base: &str, cursor: Option<u64>) -> Result<Url, String> {
    let mut url =
        Url::parse(base).map_err(|e| format!("the Jetstream URL {base:?} is not valid: {e}"))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("wantedCollections", PROFILE_COLLECTION);
        if let Some(c) = cursor {
            q.append_pair("cursor", &c.to_string());
        }
    }
    Ok(url)
}

enum ReadEnd {
    ReceiverGone,
    Dropped {
        reason: String,
        got_messages: bool,
    },
    /// The server refused the cursor as older than it keeps (Jetstream v2).
    CursorTooOld,
}

struct LiveStream<'a> {
    source: &'a BlueskySource,
    identity: &'a Identity,
    matcher: Option<LiveMatcher>,
    /// Every event with `time_us` at or below this has been handled.
    handled_up_to: Option<u64>,
    /// Unconfirmed hits by `time_us`.
    pending: BTreeMap<u64, Pending>,
    events: mpsc::Sender<LiveEvent>,
    last_cursor_sent: Option<u64>,
    last_cursor_at: tokio::time::Instant,
    /// The cursor this connection resumed from, until its first event arrives (to see a
    /// clamped cursor).
    resumed_from: Option<u64>,
}

impl LiveStream<'_> {
    /// The matcher with the person's own accounts and avatar CIDs, or None when the AppView
    /// cannot be reached (retried at the next connection; names still match meanwhile).
    async fn prepare_matcher(&self) -> Option<LiveMatcher> {
        let mut own_cids = Vec::new();
        if let Some(path) = &self.identity.avatar {
            // The file the person uploaded has the CID their profile shows; copies of it too.
            if let Ok(bytes) = crate::files::input::read_regular(path, MAX_OWN_AVATAR_BYTES) {
                own_cids.push(blob_cid(&bytes));
            }
        }
        let mut matcher = LiveMatcher::new(self.identity, Vec::new(), own_cids);
        let own: Vec<String> = self
            .identity
            .handles_on(&Platform::Bluesky)
            .map(String::from)
            .collect();
        if own.is_empty() {
            return Some(matcher);
        }
        match self.source.get_profiles(&own).await {
            Ok(profiles) => {
                for p in profiles {
                    if let Some(did) = p.platform_id.clone() {
                        let cid = p.avatar_url.as_deref().and_then(cid_from_avatar_url);
                        matcher.add_own_account(did, cid);
                    }
                }
                Some(matcher)
            }
            Err(e) => {
                tracing::warn!(
                    platform = "bluesky",
                    "cannot read the person's own profile yet: {e}"
                );
                None
            }
        }
    }

    async fn read(
        &mut self,
        mut socket: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> ReadEnd {
        let mut got_messages = false;
        let mut tick = tokio::time::interval(CURSOR_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = self.events.closed() => return ReadEnd::ReceiverGone,
                _ = tick.tick() => {
                    if !self.retry_pending().await || !self.report_cursor(false).await {
                        return ReadEnd::ReceiverGone;
                    }
                }
                next = tokio::time::timeout(IDLE_TIMEOUT, socket.next()) => {
                    let reason = match next {
                        Err(_) => "no message for two minutes".to_string(),
                        Ok(None) => "the connection closed".to_string(),
                        Ok(Some(Err(e))) => format!("the connection failed: {e}"),
                        Ok(Some(Ok(Message::Close(Some(f))))) if f.reason.contains("CursorTooOld") => {
                            return ReadEnd::CursorTooOld;
                        }
                        Ok(Some(Ok(Message::Close(frame)))) => match frame {
                            Some(f) => format!("closed by the server: {} {}", f.code, f.reason),
                            None => "closed by the server".to_string(),
                        },
                        Ok(Some(Ok(Message::Text(text)))) if is_cursor_too_old(text.as_str()) => {
                            return ReadEnd::CursorTooOld;
                        }
                        Ok(Some(Ok(Message::Text(text)))) => {
                            got_messages = true;
                            if !self.handle_text(text.as_str()).await {
                                return ReadEnd::ReceiverGone;
                            }
                            continue;
                        }
                        Ok(Some(Ok(_))) => continue,
                    };
                    let _ = self.report_cursor(true).await;
                    return ReadEnd::Dropped { reason, got_messages };
                }
            }
        }
    }

    /// Handles one message; false when the receiver is gone.
    async fn handle_text(&mut self, text: &str) -> bool {
        let event = match jetstream_event(text) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(
                    platform = "bluesky",
                    "skipped a malformed Jetstream message: {e}"
                );
                return true;
            }
        };
        let time_us = event.time_us();
        // Jetstream stamps events with its own clock on receipt: one dated well past now is
        // not Jetstream's, and taken as the cursor it would skip every later event (and be
        // stored, so a restart would too). Skipped.
        let future = u64::try_from(FUTURE_TOLERANCE.as_micros()).unwrap_or(u64::MAX);
        if time_us > now_us().saturating_add(future) {
            tracing::warn!(
                platform = "bluesky",
                time_us,
                "skipped a Jetstream message dated in the future"
            );
            return true;
        }
        if let Some(from_us) = self.resumed_from.take() {
            let tolerance = u64::try_from(CLAMP_TOLERANCE.as_micros()).unwrap_or(u64::MAX);
            // Clamped (v1): the server started at the oldest event it kept.
            if time_us > from_us.saturating_add(tolerance) && !self.gap(from_us, time_us).await {
                return false;
            }
        }
        if self.handled_up_to.is_some_and(|done| time_us <= done) {
            return true;
        }
        let hit = match (&self.matcher, &event) {
            (
                Some(m),
                JetstreamEvent::Profile {
                    did,
                    record: Some(r),
                    ..
                },
            ) => m.check_record(did, r).map(|h| (did.clone(), h)),
            (
                Some(m),
                JetstreamEvent::Identity {
                    did,
                    handle: Some(h),
                    ..
                },
            ) => m.check_handle(did, h).map(|hint| (did.clone(), hint)),
            _ => None,
        };
        self.handled_up_to = Some(time_us);
        if let Some((did, hint)) = hit {
            self.pending.insert(time_us, Pending { did, hint });
            if !self.retry_pending().await {
                return false;
            }
        }
        self.report_cursor(false).await
    }

    /// Reports a coverage gap; false when the receiver is gone.
    async fn gap(&mut self, from_us: u64, to_us: u64) -> bool {
        tracing::warn!(
            platform = "bluesky",
            from_us,
            to_us,
            "Jetstream could not replay every event since the stored cursor: live coverage has a gap"
        );
        self.events
            .send(LiveEvent::CoverageGap { from_us, to_us })
            .await
            .is_ok()
    }

    /// Confirms pending hits with getProfiles (all at once, up to 25); false when the
    /// receiver is gone.
    async fn retry_pending(&mut self) -> bool {
        if self.pending.is_empty() {
            return true;
        }
        let batch: Vec<(u64, Pending)> = self
            .pending
            .iter()
            .take(super::GET_PROFILES_BATCH)
            .map(|(t, p)| (*t, p.clone()))
            .collect();
        let dids: Vec<String> = batch.iter().map(|(_, p)| p.did.clone()).collect();
        let profiles = match self.source.get_profiles(&dids).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(
                    platform = "bluesky",
                    "confirming live hits failed, will retry: {e}"
                );
                return true;
            }
        };
        for (time_us, pending) in batch {
            self.pending.remove(&time_us);
            let Some(profile) = profiles
                .iter()
                .find(|p| p.platform_id.as_deref() == Some(pending.did.as_str()))
            else {
                tracing::debug!(platform = "bluesky", did = %pending.did, "live hit gone before confirmation");
                continue;
            };
            tracing::info!(platform = "bluesky", did = %pending.did, hint = ?pending.hint, "live hit confirmed");
            let mut found = vec![Found::new(profile.clone(), FoundBy::Live)];
            self.source.http().fetch_avatars(&mut found).await;
            for f in found {
                if self
                    .events
                    .send(LiveEvent::Found(Box::new(f)))
                    .await
                    .is_err()
                {
                    return false;
                }
            }
            if !self.report_cursor(true).await {
                return false;
            }
        }
        true
    }

    /// Reports the cursor when it moved (at most once a second unless `now`); it never passes
    /// an unconfirmed hit. False when the receiver is gone.
    async fn report_cursor(&mut self, now: bool) -> bool {
        let Some(done) = self.handled_up_to else {
            return true;
        };
        let safe = match self.pending.keys().next() {
            Some(&first) => first.saturating_sub(1).min(done),
            None => done,
        };
        let due = now || self.last_cursor_at.elapsed() >= CURSOR_EVERY;
        if !due || self.last_cursor_sent == Some(safe) || safe == 0 {
            return true;
        }
        self.last_cursor_sent = Some(safe);
        self.last_cursor_at = tokio::time::Instant::now();
        self.events.send(LiveEvent::Cursor(safe)).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_older_than_the_replay_window_is_a_gap_up_to_the_oldest_kept_event() {
        let hour = 3_600_000_000u64;
        let now = 1_000 * hour;
        assert_eq!(stale_cursor_gap(now - 35 * hour, now), None);
        assert_eq!(
            stale_cursor_gap(now - 40 * hour, now),
            Some((now - 40 * hour, now - 36 * hour))
        );
        assert_eq!(stale_cursor_gap(0, 5), None, "a clock near zero is no gap");
    }

    #[test]
    fn only_a_top_level_error_is_a_cursor_refusal() {
        assert!(is_cursor_too_old(
            r#"{"error":"CursorTooOld","message":"cursor is older than the replay window"}"#
        ));
        assert!(!is_cursor_too_old(
            r#"{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"record":{"displayName":"CursorTooOld"}}}"#
        ));
        assert!(!is_cursor_too_old("not json CursorTooOld"));
    }

    #[test]
    fn subscribe_url_asks_for_profiles_from_the_cursor() {
        let url =
            subscribe_url("wss://jetstream2.us-east.bsky.network/subscribe", Some(42)).unwrap();
        assert_eq!(
            url.as_str(),
            "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.actor.profile&cursor=42"
        );
        assert!(subscribe_url("not a url", None).is_err());
    }
}
