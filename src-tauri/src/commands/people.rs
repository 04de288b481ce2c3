//! The People screen: every watched person with their picture and alert counts; add, edit and
//! remove one, and set their picture. The core validates everything (the same rules as
//! onboarding) and refuses to remove a person with alerts unless told to.

use doppelwatch::identity::Identity;
use tauri::State;

use crate::error::CommandResult;
use crate::ipc::{IdentityInput, PersonView};
use crate::state::AppState;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::Request;

/// Every registered person, oldest first.
#[tauri::command]
pub fn list_people(state: State<'_, AppState>) -> CommandResult<Vec<PersonView>> {
    state.people_views()
}

/// Registers a person as typed (or updates the one of that name); watching restarts with them.
#[tauri::command]
pub async fn add_person(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    input: IdentityInput,
) -> CommandResult<PersonView> {
    let added = state.add_person(typed(input))?;
    reload(&watcher).await;
    state.person_view(added.id)
}

/// Changes a person as typed; their alerts and picture stay theirs.
#[tauri::command]
pub async fn update_person(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    id: i64,
    input: IdentityInput,
) -> CommandResult<PersonView> {
    state.update_person(id, typed(input))?;
    reload(&watcher).await;
    state.person_view(id)
}

/// Removes a person; one with alerts only `with_alerts` (the core refuses otherwise).
#[tauri::command]
pub async fn remove_person(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    id: i64,
    with_alerts: bool,
) -> CommandResult<()> {
    state.remove_person(&id.to_string(), with_alerts)?;
    reload(&watcher).await;
    crate::watching::alerts_changed(&watcher).await;
    Ok(())
}

/// Keeps a picture the person picked for the person `id`; returns it as a PNG data URL.
#[tauri::command]
pub async fn set_person_avatar(
    state: State<'_, AppState>,
    watcher: State<'_, WatcherLink>,
    id: i64,
    bytes: Vec<u8>,
) -> CommandResult<String> {
    let url = state.set_person_avatar(id, &bytes)?;
    reload(&watcher).await;
    Ok(url)
}

/// The person as typed in the form, into the core's model (which validates it).
pub(crate) fn typed(input: IdentityInput) -> Identity {
    let handles = input.handles.into_iter().map(|h| (h.platform, h.handle));
    Identity {
        name: input.name,
        aliases: input.aliases,
        handles: doppelwatch::app::handles_from(handles),
        avatar: None,
        bio: input.bio,
    }
}

/// The watcher watches the people as now stored; one that cannot be reached is shown on the
/// dashboard, the change is saved either way.
async fn reload(watcher: &WatcherLink) {
    if let Err(e) = watcher.request(&Request::Reload).await {
        tracing::warn!("{e}");
    }
}
