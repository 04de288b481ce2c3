//! Onboarding: who the person is, handles checked as typed, and the look-alikes of them.

use doppelwatch::detect::variants::variants;
use doppelwatch::identity::{validate_handle, Identity, Platform};
use tauri::State;

use crate::error::CommandResult;
use crate::ipc::{
    AppInfo, HandleCheck, HandleInput, IdentityInput, IdentityView, OwnProfileView, PlatformId,
    VariantView,
};
use crate::state::AppState;
use doppelwatch::app::avatar;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::Request;

/// How many look-alikes onboarding shows per handle.
const VARIANTS_SHOWN: usize = 12;

/// Version, demo mode and whether onboarding is done.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: doppelwatch::VERSION.to_string(),
        demo: state.demo,
        has_identity: state.identity().is_some(),
        open_alerts: crate::commands::alerts::open_alert_count(&state),
        report_undo_secs: state.config().watch.report_undo_secs.min(3600) as u32,
    }
}

/// The registered person, if onboarding is done.
#[tauri::command]
pub fn get_identity(state: State<'_, AppState>) -> Option<IdentityView> {
    state.identity().map(|(_, id)| identity_view(&id))
}

/// Checks one handle as it is typed.
#[tauri::command]
pub fn check_handle(platform: PlatformId, handle: String) -> HandleCheck {
    match validate_handle(&Platform::from(platform), &handle) {
        Ok(canonical) => HandleCheck {
            canonical: Some(canonical),
            error: None,
        },
        Err(e) => HandleCheck {
            canonical: None,
            error: Some(e.to_string()),
        },
    }
}

/// Look-alike handles an impostor could register instead of `handle`.
#[tauri::command]
pub fn handle_variants(platform: PlatformId, handle: String) -> CommandResult<Vec<VariantView>> {
    let platform = Platform::from(platform);
    let canonical = validate_handle(&platform, &handle)?;
    Ok(variants(&platform, &canonical, VARIANTS_SHOWN)
        .into_iter()
        .map(|v| VariantView {
            handle: v.handle,
            kind: v.kind,
        })
        .collect())
}

/// Validates and keeps the person as typed in onboarding (the core checks every rule; a
/// registered person is renamed in place and keeps their alerts).
#[tauri::command]
pub async fn save_identity(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    input: IdentityInput,
) -> CommandResult<IdentityView> {
    let handles = input.handles.into_iter().map(|h| (h.platform, h.handle));
    let (_, identity) = state.save_identity(Identity {
        name: input.name,
        aliases: input.aliases,
        handles: doppelwatch::app::handles_from(handles),
        avatar: None,
        bio: input.bio,
    })?;
    // The watcher watches the person as now stored; a watcher that cannot be reached is shown
    // on the dashboard, the person is saved either way.
    if let Err(e) = watcher.request(&Request::Reload).await {
        tracing::warn!("{e}");
    }
    Ok(identity_view(&identity))
}

/// Keeps the person's avatar from a file the person picked; returns it as a PNG data URL.
#[tauri::command]
pub fn set_avatar(state: State<'_, AppState>, bytes: Vec<u8>) -> CommandResult<String> {
    state.set_avatar(&bytes)
}

/// Takes the person's avatar from their own profile on `platform`; kept like a picked file.
#[tauri::command]
pub async fn fetch_own_avatar(
    state: State<'_, AppState>,
    platform: PlatformId,
    handle: String,
) -> CommandResult<String> {
    state.fetch_own_avatar(platform.as_str(), &handle).await
}

/// Fills onboarding from the person's own profile: name, bio, picture (kept as the avatar)
/// and the other handles it links, to confirm.
#[tauri::command]
pub async fn profile_for_onboarding(
    state: State<'_, AppState>,
    platform: PlatformId,
    handle: String,
) -> CommandResult<OwnProfileView> {
    let own = state
        .profile_for_onboarding(platform.as_str(), &handle)
        .await?;
    Ok(crate::views::own_profile(own))
}

/// The person as the UI shows them, avatar re-encoded.
pub fn identity_view(id: &Identity) -> IdentityView {
    IdentityView {
        name: id.name.clone(),
        aliases: id.aliases.clone(),
        handles: id
            .handles
            .iter()
            .map(|h| HandleInput {
                platform: h.platform.to_string(),
                handle: h.handle.clone(),
            })
            .collect(),
        bio: id.bio.clone(),
        avatar: id
            .avatar
            .as_ref()
            .and_then(|p| {
                doppelwatch::files::input::read_regular(p, avatar::MAX_AVATAR_BYTES as u64).ok()
            })
            .and_then(|b| avatar::png_data_url(&b).ok()),
    }
}
