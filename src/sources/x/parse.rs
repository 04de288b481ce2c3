//! X API v2 user objects into Doppelwatch profiles (pure, tested on fixtures).

use serde::Deserialize;
use serde_json::Value;

use crate::identity::Platform;
use crate::profile::Profile;
use crate::sources::bluesky::parse::parse_time;
use crate::sources::text::bound;

/// The user fields asked for on every read.
pub const USER_FIELDS: &str =
    "created_at,description,profile_image_url,public_metrics,verified,verified_type,parody";

#[derive(Debug, Deserialize)]
struct UserWire {
    id: String,
    name: String,
    username: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    profile_image_url: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    public_metrics: Option<MetricsWire>,
    #[serde(default)]
    verified: Option<bool>,
    #[serde(default)]
    verified_type: Option<String>,
    #[serde(default)]
    parody: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct MetricsWire {
    #[serde(default)]
    followers_count: Option<u64>,
}

/// One user object into a [`Profile`].
pub fn profile_from_user(value: &Value) -> Result<Profile, String> {
    let wire = UserWire::deserialize(value).map_err(|e| e.to_string())?;
    if wire.username.is_empty() || wire.id.is_empty() {
        return Err("the username or id is empty".into());
    }
    let mut labels = Vec::new();
    if wire.parody == Some(true) {
        labels.push("parody".to_string());
    }
    match wire.verified_type.as_deref() {
        Some(t) if t != "none" => labels.push(format!("verified:{t}")),
        _ if wire.verified == Some(true) => labels.push("verified".to_string()),
        _ => {}
    }
    Ok(Profile {
        platform: Platform::X,
        url: Some(format!("https://x.com/{}", wire.username)),
        handle: bound(&wire.username),
        display_name: Some(bound(&wire.name)).filter(|n| !n.is_empty()),
        bio: wire
            .description
            .filter(|d| !d.is_empty())
            .map(|d| bound(&d)),
        created_at: wire.created_at.as_deref().and_then(parse_time),
        followers: wire.public_metrics.and_then(|m| m.followers_count),
        labels,
        platform_id: Some(wire.id),
        avatar_url: wire.profile_image_url,
    })
}

/// The users of an answer's `data` (absent when none matched); malformed ones are skipped.
/// Also returns the usernames X reported as not found.
pub fn users_page(answer: &Value) -> (Vec<Profile>, Vec<String>) {
    let mut profiles = Vec::new();
    if let Some(list) = answer.get("data").and_then(Value::as_array) {
        for v in list {
            match profile_from_user(v) {
                Ok(p) => profiles.push(p),
                Err(e) => tracing::warn!(platform = "x", "skipped a malformed user: {e}"),
            }
        }
    }
    let missing = answer
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter(|e| {
                    e.get("type").and_then(Value::as_str)
                        == Some("https://api.x.com/2/problems/resource-not-found")
                })
                .filter_map(|e| e.get("value").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default();
    (profiles, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const USERS_BY: &str = include_str!("../../../tests/fixtures/x/users_by.json");

    #[test]
    fn users_by_fixture_parses() {
        let answer: Value = serde_json::from_str(USERS_BY).unwrap();
        let (profiles, missing) = users_page(&answer);
        assert_eq!(profiles.len(), 2, "the malformed user is skipped");
        let p = &profiles[0];
        assert_eq!(p.handle, "PaImerReport");
        assert_eq!(p.display_name.as_deref(), Some("Palmer Report"));
        assert_eq!(p.followers, Some(12));
        assert_eq!(p.labels, Vec::<String>::new());
        assert_eq!(p.url.as_deref(), Some("https://x.com/PaImerReport"));
        assert_eq!(profiles[1].labels, vec!["parody", "verified:blue"]);
        assert_eq!(missing, vec!["PalmerReporrt"]);
    }
}
