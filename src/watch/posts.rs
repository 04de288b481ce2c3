//! The impostor's recent posts, fetched as evidence once an impostor alert is raised (or an
//! alert turns impostor): through the source that found it (Bluesky's public AppView, the
//! Mastodon servers in the settings; X reads no posts, each read being billed), compared with
//! the person's own recent posts on that platform (or their bio and name when those cannot be
//! read), and kept with the alert.
//!
//! It runs beside the checks, never holding one up; a failure is logged and the alert keeps
//! no posts. It must never fetch for accounts that raised no impostor alert, nor more than
//! [`MAX_ALERTS_PER_ROUND`] accounts at once.

use std::sync::Arc;

use chrono::Utc;

use super::{Shared, Target};
use crate::detect::Verdict;
use crate::posts::{self, Post, MAX_POSTS};
use crate::sources::{AccountRef, Source};
use crate::store::AlertId;

/// Accounts whose posts are fetched after one recording, at most (a wave of hundreds waits for
/// the re-checks rather than sending hundreds of requests at once).
pub(crate) const MAX_ALERTS_PER_ROUND: usize = 10;

/// Fetches and keeps the posts of `alerts` in the background.
pub(crate) fn spawn_fetch(
    shared: &Arc<Shared>,
    source: Arc<dyn Source>,
    target: &Target,
    alerts: Vec<AlertId>,
) {
    if alerts.is_empty() {
        return;
    }
    let shared = shared.clone();
    let identity = target.identity.clone();
    tokio::spawn(async move {
        let mut own: Option<Option<Vec<Post>>> = None;
        for id in alerts.into_iter().take(MAX_ALERTS_PER_ROUND) {
            let Ok(alert) = shared.store.alert(id) else {
                continue;
            };
            if alert.verdict != Verdict::Impostor || alert.platform != source.platform() {
                continue;
            }
            let theirs = match source
                .recent_posts(&AccountRef::of(&alert.profile), MAX_POSTS)
                .await
            {
                Ok(Some(p)) if !p.is_empty() => p,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(platform = %alert.platform, "could not read the posts of alert {id}: {e}");
                    continue;
                }
            };
            if own.is_none() {
                own = Some(own_posts(source.as_ref(), &identity).await);
            }
            let mine = own.as_ref().and_then(|o| o.as_deref());
            let evidence = posts::evidence(theirs, mine, &identity, Utc::now());
            let store = shared.store.clone();
            let kept =
                tokio::task::spawn_blocking(move || store.add_alert_posts(id, &evidence)).await;
            if !matches!(kept, Ok(Ok(()))) {
                tracing::warn!("could not keep the posts of alert {id}");
            }
        }
    });
}

/// The person's own recent posts on the source's platform, when they have an account there
/// and it can be read (`None`: the flags then compare with the bio and name only).
async fn own_posts(source: &dyn Source, identity: &crate::identity::Identity) -> Option<Vec<Post>> {
    let platform = source.platform();
    let handle = identity.handles_on(&platform).next()?.to_string();
    let account = AccountRef {
        handle,
        platform_id: None,
    };
    match source.recent_posts(&account, MAX_POSTS).await {
        Ok(Some(p)) if !p.is_empty() => Some(p),
        _ => None,
    }
}
