//! Picks the core's report filer for an alert, with the person's credentials.

use doppelwatch::identity::Platform;
use doppelwatch::report::bluesky::BlueskyReporter;
use doppelwatch::report::mastodon::MastodonReporter;
use doppelwatch::report::{ReportError, ReportFiler};
use doppelwatch::secrets::SecretKey;
use doppelwatch::store::Alert;

use crate::error::{CommandError, ErrorKind};
use crate::state::AppState;

/// The filer for the alert's platform, signed in as the person's own account there.
pub fn filer_for(state: &AppState, alert: &Alert) -> Result<Box<dyn ReportFiler>, CommandError> {
    let own = |platform: Platform| {
        alert
            .identity
            .handles
            .iter()
            .find(|h| h.platform == platform)
            .map(|h| h.handle.clone())
            .ok_or_else(|| {
                CommandError::unavailable(format!(
                    "to file on {platform} Doppelwatch needs your own {platform} account: add it in onboarding"
                ))
            })
    };
    let missing = |what: &str| {
        CommandError::new(
            ErrorKind::Keychain,
            format!("no {what} stored: add it in Settings (it goes to the system keychain only)"),
        )
    };
    match alert.platform {
        Platform::Bluesky => {
            let handle = own(Platform::Bluesky)?;
            let secret = state
                .secret(&SecretKey::BlueskyAppPassword {
                    handle: handle.clone(),
                })?
                .ok_or_else(|| missing(&format!("Bluesky app password for {handle}")))?;
            let pds = state.config().bluesky.pds_url;
            Ok(Box::new(BlueskyReporter::new(&pds, &handle, secret)))
        }
        Platform::Mastodon => {
            let handle = own(Platform::Mastodon)?;
            let server = handle.rsplit('@').next().unwrap_or_default().to_string();
            let secret = state
                .secret(&SecretKey::MastodonToken {
                    server: server.clone(),
                })?
                .ok_or_else(|| missing(&format!("Mastodon access token for {server}")))?;
            let base = state
                .config()
                .mastodon
                .servers
                .into_iter()
                .find(|s| s.contains(&server))
                .unwrap_or_else(|| format!("https://{server}"));
            Ok(Box::new(
                MastodonReporter::new(&base, secret).map_err(report_error)?,
            ))
        }
        ref other => Err(CommandError::unavailable(format!(
            "{other} has no report API: open the official form and paste the draft"
        ))),
    }
}

/// A core report error as the UI gets it.
pub fn report_error(e: ReportError) -> CommandError {
    let kind = match &e {
        ReportError::Auth { .. } | ReportError::MissingCredential { .. } => ErrorKind::Keychain,
        ReportError::Unreachable { .. }
        | ReportError::RateLimited { .. }
        | ReportError::Refused { .. } => ErrorKind::Network,
        ReportError::NoApi { .. } | ReportError::DailyCap { .. } => ErrorKind::Unavailable,
        ReportError::AccountNotFound { .. } => ErrorKind::NotFound,
        ReportError::BadAlert(_) => ErrorKind::Invalid,
        ReportError::Store(_) => ErrorKind::Io,
    };
    CommandError::new(kind, e.to_string())
}
