//! Tokens are redacted in errors: a server that echoes the refused token back in its error
//! answer (401, 403, 400, or a long body that would be shortened mid-token) must not get it
//! into the error the watcher stores, shows and logs.
//! (The keychain itself, with a real gnome-keyring, is tests/keychain_secret_service.rs.)
//!
//! Run: `cargo test --test secrets_redaction`.

mod hostile_support;

use doppelwatch::config::Config;
use doppelwatch::identity::{AccountHandle, Identity, Platform};
use doppelwatch::sources::x::{XCredentials, XSource};
use doppelwatch::sources::Source;
use hostile_support::{RawResponse, RawServer};

const TOKEN: &str = "AAAAAAAAAAAAAAAAAAAAAsecretBearer%2Fzq7x9k2mTOKEN";

fn palmer() -> Identity {
    Identity {
        name: "Palmer Report".into(),
        aliases: vec![],
        handles: vec![AccountHandle {
            platform: Platform::X,
            handle: "PalmerReport".into(),
        }],
        avatar: None,
        bio: None,
    }
}

#[tokio::test]
async fn a_server_echoing_the_token_never_gets_it_into_an_error() {
    for status in [401u16, 403, 400, 418] {
        for padding in [0usize, 150, 190] {
            // The server quotes the Authorization header it got, after `padding` characters
            // (so a 200-character cut would fall inside the token).
            let server = RawServer::start(move |req| {
                let auth = req.header("authorization").unwrap_or("").to_string();
                let detail = format!(
                    "{}{auth} is not valid for this endpoint",
                    "x".repeat(padding)
                );
                RawResponse::json(
                    status,
                    serde_json::json!({"title": "Unauthorized", "detail": detail}).to_string(),
                )
            })
            .await;
            let mut config = Config::default();
            config.x.base_url = server.base_url.clone();
            config.x.daily_cap_usd = 1.0;
            config.http.max_retries = 0;
            let source = XSource::new(
                &config,
                XCredentials {
                    bearer_token: Some(TOKEN.into()),
                    user_token: None,
                },
            )
            .unwrap();
            let err = source.check(&palmer()).await.unwrap_err();
            assert!(server.request_count() > 0, "the server was asked");
            let shown = format!("{err} {err:?}");
            assert!(
                !shown.contains(TOKEN),
                "{status}/{padding}: token in {shown}"
            );
            // No long prefix of it either (a cut in the middle of the token).
            assert!(
                !shown.contains(&TOKEN[..16]),
                "{status}/{padding}: part of the token in {shown}"
            );
            assert!(
                status != 401 || padding > 0 || shown.contains("[redacted]"),
                "the error still says what the server said: {shown}"
            );
        }
    }
}
