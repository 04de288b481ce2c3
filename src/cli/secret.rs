//! `secret set|delete|check`: puts credentials into the OS keychain (and only there). The
//! value is read from standard input so it never shows in the shell history or `ps`.

use std::io::Read;

use clap::{Args, Subcommand};

use doppelwatch::identity::Platform;
use doppelwatch::secrets::{Keychain, Secret, SecretKey};

/// Longest secret read from standard input.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

#[derive(Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    pub action: SecretAction,
}

#[derive(Subcommand)]
pub enum SecretAction {
    /// Store a secret read from standard input.
    Set(SecretWhich),
    /// Delete a secret.
    Delete(SecretWhich),
    /// Say whether a secret is stored (never prints it).
    Check(SecretWhich),
}

#[derive(Args)]
pub struct SecretWhich {
    /// bluesky-app-password, mastodon-token, x-bearer-token, x-user-token or youtube-api-key.
    pub kind: String,
    /// Your Bluesky handle (app password) or your Mastodon server's host name, with :port
    /// when it is not on the default port (token).
    pub account: Option<String>,
}

fn key_of(which: &SecretWhich) -> Result<SecretKey, String> {
    let need = |what: &str| {
        let account = which
            .account
            .clone()
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| format!("{} needs {what}", which.kind))?;
        // A handle or a host name never holds control, space or invisible characters; one
        // that does would be echoed raw (a newline, an escape sequence) and stored under a
        // name nobody can type again.
        if account
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || doppelwatch::report::is_hidden(c))
        {
            return Err(format!(
                "the account name {} holds control, space or invisible characters; type {what} alone",
                account.escape_default()
            ));
        }
        if account.chars().count() > 253 {
            return Err(format!(
                "the account name is longer than 253 characters; type {what} alone"
            ));
        }
        Ok(account)
    };
    match which.kind.as_str() {
        "bluesky-app-password" => Ok(SecretKey::BlueskyAppPassword {
            handle: need("your Bluesky handle")?,
        }),
        // The same rule as the app's: a server name, with its port if not the default.
        "mastodon-token" => doppelwatch::platforms::module(&Platform::Mastodon)
            .ok_or_else(|| "Mastodon is not built into this program".to_string())?
            .credential_key(&need("your Mastodon server's host name")?),
        "x-bearer-token" => Ok(SecretKey::XBearerToken),
        "x-user-token" => Ok(SecretKey::XUserToken),
        // A platform with one key for everything (YouTube's API key) is named by its key.
        other => doppelwatch::platforms::ALL
            .iter()
            .filter_map(|m| m.credential_key("").ok())
            .find(|key| key.account() == other)
            .ok_or_else(|| {
                format!(
                    "unknown secret kind {other:?}: use bluesky-app-password, mastodon-token, x-bearer-token, x-user-token or youtube-api-key"
                )
            }),
    }
}

pub fn secret(args: SecretArgs) -> i32 {
    let keychain = Keychain::new();
    let (which, action) = match &args.action {
        SecretAction::Set(w) => (w, "set"),
        SecretAction::Delete(w) => (w, "delete"),
        SecretAction::Check(w) => (w, "check"),
    };
    let key = match key_of(which) {
        Ok(k) => k,
        Err(e) => return super::usage_error(e),
    };
    let result = match action {
        "set" => {
            let mut text = String::new();
            // Secrets are short: a bounded read (`< /dev/zero` must not grow without end).
            if let Err(e) = std::io::stdin()
                .take(MAX_SECRET_BYTES + 1)
                .read_to_string(&mut text)
            {
                eprintln!("doppelwatch: cannot read the secret from standard input: {e}");
                return 1;
            }
            if text.len() as u64 > MAX_SECRET_BYTES {
                return super::usage_error(format!(
                    "the secret on standard input is longer than {} KiB; give the token or password alone",
                    MAX_SECRET_BYTES / 1024
                ));
            }
            let value = text.trim_end_matches(['\n', '\r']);
            keychain
                .set(&key, &Secret::new(value))
                .map(|()| format!("stored {} in the keychain", key.account()))
        }
        "delete" => keychain.delete(&key).map(|had| {
            if had {
                format!("deleted {}", key.account())
            } else {
                format!("{} was not stored", key.account())
            }
        }),
        _ => keychain.get(&key).map(|found| {
            format!(
                "{} is {}",
                key.account(),
                if found.is_some() {
                    "stored"
                } else {
                    "not stored"
                }
            )
        }),
    };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            0
        }
        Err(e) => {
            eprintln!("doppelwatch: {e}");
            1
        }
    }
}
