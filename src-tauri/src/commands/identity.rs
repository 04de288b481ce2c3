//! Onboarding: who the person is, handles checked as typed, and the look-alikes of them.

use doppelwatch::detect::variants::variants;
use doppelwatch::identity::{validate_handle, AccountHandle, Identity, Platform};
use tauri::State;

use crate::avatar;
use crate::background::link::WatcherLink;
use crate::background::protocol::Request;
use crate::error::{CommandError, CommandResult};
use crate::ipc::{AppInfo, HandleCheck, HandleInput, IdentityInput, IdentityView, VariantView};
use crate::state::{write_atomically, AppState};

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
    }
}

/// The registered person, if onboarding is done.
#[tauri::command]
pub fn get_identity(state: State<'_, AppState>) -> Option<IdentityView> {
    state.identity().map(|(_, id)| identity_view(&id))
}

/// Checks one handle as it is typed.
#[tauri::command]
pub fn check_handle(platform: String, handle: String) -> HandleCheck {
    match validate_handle(&Platform::parse(&platform), &handle) {
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
pub fn handle_variants(platform: String, handle: String) -> CommandResult<Vec<VariantView>> {
    let platform = Platform::parse(&platform);
    let canonical = validate_handle(&platform, &handle)?;
    Ok(variants(&platform, &canonical, VARIANTS_SHOWN)
        .into_iter()
        .map(|v| VariantView {
            handle: v.handle,
            kind: v.kind,
        })
        .collect())
}

/// Validates and keeps the person as typed in onboarding.
#[tauri::command]
pub async fn save_identity(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    input: IdentityInput,
) -> CommandResult<IdentityView> {
    let avatar = state.avatar_path();
    let identity = Identity {
        name: input.name,
        aliases: input
            .aliases
            .into_iter()
            .filter(|a| !a.trim().is_empty())
            .collect(),
        handles: input
            .handles
            .into_iter()
            .filter(|h| !h.handle.trim().is_empty())
            .map(|h| AccountHandle {
                platform: Platform::parse(&h.platform),
                handle: h.handle,
            })
            .collect(),
        avatar: avatar.is_file().then_some(avatar),
        bio: input.bio.filter(|b| !b.trim().is_empty()),
    }
    .validated()?;
    if identity.handles.is_empty() {
        return Err(CommandError::invalid(
            "field handles: add at least one of your real handles so we know what to watch",
        ));
    }
    state.set_identity(&identity)?;
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
    let url = avatar::png_data_url(&bytes).map_err(|e| CommandError::invalid(e.to_string()))?;
    write_atomically(&state.avatar_path(), &bytes)?;
    Ok(url)
}

/// Takes the person's avatar from their own profile on `platform`; kept like a picked file.
#[tauri::command]
pub async fn fetch_own_avatar(
    state: State<'_, AppState>,
    platform: String,
    handle: String,
) -> CommandResult<String> {
    let bytes = state.own_avatar(&platform, &handle).await?;
    set_avatar(state, bytes)
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
