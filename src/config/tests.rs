//! The settings file's parsing, the environment's overrides and the ranges' checks.

use super::*;

#[test]
fn env_overrides_win_over_the_file() {
    let mut config: Config =
        serde_json::from_str(r#"{"bluesky": {"base_url": "https://appview.example"}}"#).unwrap();
    assert_eq!(config.bluesky.search_pages, 3, "unset fields keep defaults");
    config.apply_env(|name| match name {
        "DOPPELWATCH_BLUESKY_URL" => Some("http://127.0.0.1:9".into()),
        "DOPPELWATCH_MASTODON_URL" => Some("http://127.0.0.1:7, http://127.0.0.1:8".into()),
        _ => None,
    });
    assert_eq!(config.bluesky.base_url, "http://127.0.0.1:9");
    assert_eq!(
        config.bluesky.pds_url, "https://bsky.social",
        "the AppView URL never becomes the PDS, which gets the app password"
    );
    assert_eq!(
        config.mastodon.servers,
        vec!["http://127.0.0.1:7", "http://127.0.0.1:8"]
    );
    assert_eq!(config.x.base_url, "https://api.x.com");
    config.check_urls().unwrap();
}

#[test]
fn unknown_fields_and_bad_urls_are_named() {
    let err = serde_json::from_str::<Config>(r#"{"x": {"daily_cap": 5}}"#).unwrap_err();
    assert!(err.to_string().contains("daily_cap"), "{err}");
    let mut config = Config::default();
    config.bluesky.jetstream_url = "https://jetstream.example".into();
    let err = config.check_urls().unwrap_err().to_string();
    assert!(err.contains("bluesky.jetstream_url"), "{err}");
}

/// Writes `json` as a settings file and reads it.
fn read(json: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(&path, json).unwrap();
    Config::read_file(&path)
}

#[test]
fn every_default_is_within_its_range() {
    Config::default().check_ranges().unwrap();
    let keys: Vec<String> = Config::default()
        .numbers()
        .into_iter()
        .map(|n| n.0)
        .collect();
    let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "each key once: {keys:?}");
}

#[test]
fn out_of_range_numbers_are_refused_naming_key_value_and_range() {
    let cases = [
        (
            r#"{"watch": {"check_interval_secs": 18446744073709551615}}"#,
            "watch.check_interval_secs is 18446744073709551615, but it must be from 1 to 604800 seconds (the default is 1800)",
        ),
        (
            r#"{"watch": {"check_interval_secs": 0}}"#,
            "watch.check_interval_secs is 0, but it must be from 1 to 604800 seconds",
        ),
        (
            r#"{"x": {"daily_cap_usd": 1e308, "cost_per_user_read_usd": 0.01}}"#,
            "x.daily_cap_usd is 1e308, but it must be from 0 to 1000 US dollars",
        ),
        (
            r#"{"x": {"cost_per_user_read_usd": 0}}"#,
            "x.cost_per_user_read_usd is 0, but it must be from 0.0001 to 10 US dollars",
        ),
        (
            r#"{"watch": {"jitter": 2.5}}"#,
            "watch.jitter is 2.5, but it must be from 0 to 0.9",
        ),
        (
            r#"{"watch": {"platform_interval_secs": {"x": 0}}}"#,
            "watch.platform_interval_secs.x is 0",
        ),
        (
            r#"{"http": {"max_redirects": 50}}"#,
            "http.max_redirects is 50, but it must be from 0 to 3",
        ),
    ];
    for (json, said) in cases {
        let err = read(json).unwrap_err().to_string();
        assert!(err.contains(said), "{json}: {err}");
        assert!(err.contains("config.json"), "names the file: {err}");
    }
    let err = read(r#"{"watch": {"platform_interval_secs": {"tiktok": 60}}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("watch.platform_interval_secs.tiktok names no source"),
        "{err}"
    );
    // The limits themselves are fine.
    read(r#"{"watch": {"check_interval_secs": 1, "jitter": 0.9}, "x": {"daily_cap_usd": 1000}}"#)
        .unwrap();
}

#[test]
fn a_settings_file_must_be_an_object_of_objects() {
    for (json, said) in [
        (
            "[]",
            "the whole file must be a JSON object ({...}), not a list",
        ),
        ("\"defaults\"", "the whole file must be a JSON object"),
        (
            r#"{"http": [20, 10]}"#,
            "section \"http\" must be a JSON object",
        ),
        (
            r#"{"watch": {"quiet_hours": ["22:00:00", "07:00:00"]}}"#,
            "watch.quiet_hours must be a JSON object",
        ),
    ] {
        let err = read(json).unwrap_err().to_string();
        assert!(err.contains(said), "{json}: {err}");
    }
    read(r#"{"watch": {"quiet_hours": null}}"#).unwrap();
    read("{}").unwrap();
}

#[test]
fn the_readme_gives_every_range() {
    let readme = include_str!("../../README.md");
    for (key, _, range) in Config::default().numbers() {
        let key = key.replace(
            "platform_interval_secs.x",
            "platform_interval_secs.<source>",
        );
        let unit = if range.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", range.unit)
        };
        let row = format!("| `{key}` | {} to {}{unit} |", range.min, range.max);
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}
