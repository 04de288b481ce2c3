//! Bluesky answers and Jetstream messages into Doppelwatch types (pure, tested on fixtures).
//!
//! Each record of a list is parsed on its own: a malformed one is skipped and counted, the
//! rest of the page is kept.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::identity::Platform;
use crate::profile::Profile;
use crate::sources::text::bound;

/// `app.bsky.actor.defs#profileView` / `#profileViewDetailed`, the fields we use.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileViewWire {
    did: String,
    handle: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    followers_count: Option<u64>,
    #[serde(default)]
    labels: Vec<LabelWire>,
}

#[derive(Debug, Deserialize)]
struct LabelWire {
    val: String,
}

/// Profile page URL on the Bluesky web app.
pub fn profile_url(handle: &str) -> String {
    format!("https://bsky.app/profile/{handle}")
}

/// One profile view into a [`Profile`].
pub fn profile_from_view(value: &Value) -> Result<Profile, String> {
    let wire = ProfileViewWire::deserialize(value).map_err(|e| e.to_string())?;
    if !wire.did.starts_with("did:") {
        return Err(format!("{:?} is not a DID", wire.did));
    }
    if wire.handle.is_empty() {
        return Err("the handle is empty".into());
    }
    Ok(Profile {
        platform: Platform::Bluesky,
        url: Some(profile_url(&wire.handle)),
        handle: bound(&wire.handle),
        display_name: wire.display_name.as_deref().map(bound),
        bio: wire.description.as_deref().map(bound),
        created_at: wire.created_at.as_deref().and_then(parse_time),
        followers: wire.followers_count,
        labels: wire.labels.into_iter().map(|l| bound(&l.val)).collect(),
        platform_id: Some(wire.did),
        avatar_url: wire.avatar,
    })
}

/// An RFC 3339 time, if it is one.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A page of profiles (`actors` of searchActors, `profiles` of getProfiles).
#[derive(Debug, Default)]
pub struct ProfilePage {
    pub profiles: Vec<Profile>,
    /// The cursor for the next page, when there is one.
    pub cursor: Option<String>,
    /// Records that could not be read and were skipped.
    pub skipped: usize,
}

/// Reads a page whose profiles are under `key`; a malformed record is skipped and logged.
pub fn profile_page(answer: &Value, key: &str) -> Result<ProfilePage, String> {
    let list = answer
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("the answer has no {key:?} list"))?;
    let mut page = ProfilePage {
        cursor: answer
            .get("cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(String::from),
        ..ProfilePage::default()
    };
    for record in list {
        match profile_from_view(record) {
            Ok(p) => page.profiles.push(p),
            Err(e) => {
                page.skipped += 1;
                tracing::warn!(platform = "bluesky", "skipped a malformed profile: {e}");
            }
        }
    }
    Ok(page)
}

/// The parts of an `app.bsky.actor.profile` record the live matcher looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileRecord {
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// The avatar blob's CID (`avatar.ref.$link`, or the legacy `avatar.cid`).
    pub avatar_cid: Option<String>,
}

/// One Jetstream message, reduced to what Doppelwatch uses.
#[derive(Debug, Clone, PartialEq)]
pub enum JetstreamEvent {
    /// A profile record created or updated (`record` is None for a delete).
    Profile {
        did: String,
        time_us: u64,
        record: Option<ProfileRecord>,
    },
    /// A handle change or identity refresh; `handle` is optional in Jetstream.
    Identity {
        did: String,
        time_us: u64,
        handle: Option<String>,
    },
    /// An account became active or inactive (deleted, suspended, taken down).
    Account {
        did: String,
        time_us: u64,
        active: bool,
    },
    /// Anything else (another collection): only its time counts.
    Other { time_us: u64 },
}

impl JetstreamEvent {
    /// The event's `time_us` (its cursor).
    pub fn time_us(&self) -> u64 {
        match self {
            JetstreamEvent::Profile { time_us, .. }
            | JetstreamEvent::Identity { time_us, .. }
            | JetstreamEvent::Account { time_us, .. }
            | JetstreamEvent::Other { time_us } => *time_us,
        }
    }
}

#[derive(Deserialize)]
struct MessageWire {
    did: String,
    time_us: u64,
    kind: String,
    #[serde(default)]
    commit: Option<CommitWire>,
    #[serde(default)]
    identity: Option<IdentityWire>,
    #[serde(default)]
    account: Option<AccountWire>,
}

#[derive(Deserialize)]
struct CommitWire {
    operation: String,
    collection: String,
    #[serde(default)]
    record: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordWire {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    avatar: Option<BlobWire>,
}

#[derive(Deserialize)]
struct BlobWire {
    #[serde(default, rename = "ref")]
    reference: Option<LinkWire>,
    /// Legacy blob shape: `{"cid": "...", "mimeType": "..."}`.
    #[serde(default)]
    cid: Option<String>,
}

#[derive(Deserialize)]
struct LinkWire {
    #[serde(rename = "$link")]
    link: String,
}

#[derive(Deserialize)]
struct IdentityWire {
    #[serde(default)]
    handle: Option<String>,
}

#[derive(Deserialize)]
struct AccountWire {
    active: bool,
}

/// The profile collection's NSID.
pub const PROFILE_COLLECTION: &str = "app.bsky.actor.profile";

/// Parses one Jetstream message. Errors say what is wrong; the caller skips that message.
pub fn jetstream_event(text: &str) -> Result<JetstreamEvent, String> {
    let msg: MessageWire = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let did = msg.did;
    let time_us = msg.time_us;
    match msg.kind.as_str() {
        "commit" => {
            let commit = msg.commit.ok_or("a commit message without \"commit\"")?;
            if commit.collection != PROFILE_COLLECTION {
                return Ok(JetstreamEvent::Other { time_us });
            }
            let record = match commit.operation.as_str() {
                "delete" => None,
                "create" | "update" => {
                    let raw = commit.record.ok_or("a profile commit without a record")?;
                    let wire = RecordWire::deserialize(&raw).map_err(|e| e.to_string())?;
                    Some(ProfileRecord {
                        display_name: wire.display_name.as_deref().map(bound),
                        description: wire.description.as_deref().map(bound),
                        avatar_cid: wire
                            .avatar
                            .and_then(|b| b.reference.map(|r| r.link).or(b.cid)),
                    })
                }
                other => return Err(format!("unknown commit operation {other:?}")),
            };
            Ok(JetstreamEvent::Profile {
                did,
                time_us,
                record,
            })
        }
        "identity" => Ok(JetstreamEvent::Identity {
            did,
            time_us,
            handle: msg.identity.and_then(|i| i.handle),
        }),
        "account" => Ok(JetstreamEvent::Account {
            did,
            time_us,
            active: msg
                .account
                .ok_or("an account message without \"account\"")?
                .active,
        }),
        _ => Ok(JetstreamEvent::Other { time_us }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GOLDEN: &str = include_str!("../../../tests/fixtures/bluesky/jetstream_golden_v1.jsonl");

    #[test]
    fn golden_jetstream_messages_parse() {
        let events: Vec<JetstreamEvent> = GOLDEN
            .lines()
            .map(|l| jetstream_event(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(events.len(), 10);
        let profile = events
            .iter()
            .find_map(|e| match e {
                JetstreamEvent::Profile { did, record, .. } => Some((did, record)),
                _ => None,
            })
            .unwrap();
        assert_eq!(profile.0, "did:plc:o6t5vwyr7ae73foww7bgye4r");
        let record = profile.1.as_ref().unwrap();
        assert_eq!(
            record.display_name.as_deref(),
            Some("Multiversal Lokis Unit🔞")
        );
        assert_eq!(
            record.avatar_cid.as_deref(),
            Some("bafkreieajxclqzwk2mczx7hxmoboqpuiveqlbm35gsda5xlaqfmlryu4ri")
        );
        assert!(events
            .iter()
            .any(|e| matches!(e, JetstreamEvent::Identity { handle: None, .. })));
        assert!(events
            .iter()
            .any(|e| matches!(e, JetstreamEvent::Account { active: true, .. })));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, JetstreamEvent::Other { .. }))
                .count(),
            7
        );
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        for bad in [
            "{not json",
            r#"{"did":"did:plc:x","time_us":"soon","kind":"commit"}"#,
            r#"{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"update","collection":"app.bsky.actor.profile","record":{"displayName":7}}}"#,
            r#"{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.actor.profile"}}"#,
        ] {
            assert!(jetstream_event(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_page_keeps_good_records_and_skips_bad_ones() {
        let answer = json!({"cursor": "25", "actors": [
            {"did": "did:plc:aaa", "handle": "palmerreport.bsky.social", "displayName": "Palmer Report",
             "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:aaa/bafkreiabc@jpeg",
             "labels": [{"src": "did:plc:aaa", "uri": "at://x", "val": "parody", "cts": "2026-01-01T00:00:00Z"}],
             "createdAt": "2026-05-01T10:00:00.000Z"},
            {"did": 42, "handle": null},
            {"did": "did:plc:bbb", "handle": "other.bsky.social", "followersCount": 3}
        ]});
        let page = profile_page(&answer, "actors").unwrap();
        assert_eq!(page.skipped, 1);
        assert_eq!(page.cursor.as_deref(), Some("25"));
        assert_eq!(page.profiles.len(), 2);
        let p = &page.profiles[0];
        assert_eq!(p.platform_id.as_deref(), Some("did:plc:aaa"));
        assert_eq!(p.labels, vec!["parody"]);
        assert_eq!(
            p.url.as_deref(),
            Some("https://bsky.app/profile/palmerreport.bsky.social")
        );
        assert!(p.created_at.is_some());
        assert_eq!(page.profiles[1].followers, Some(3));
        assert!(profile_page(&json!({"oops": []}), "actors").is_err());
    }
}
