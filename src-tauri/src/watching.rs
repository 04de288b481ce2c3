//! Background watching: runs the core's watch service for the registered person while the app
//! lives (window open or not), forwards its events to the window and the tray, and turns
//! notification actions into "open the app at this alert".

use std::sync::Mutex;

use doppelwatch::identity::Identity;
use doppelwatch::store::IdentityId;
use tauri::{AppHandle, Manager};

use crate::error::{CommandError, CommandResult};
use crate::ipc::DashboardView;
use crate::state::lock;

const NOT_YET: &str = "the watch service is not part of this build yet";

/// The running watch service, if a person is registered.
#[derive(Default)]
pub struct Watching {
    identity: Mutex<Option<(IdentityId, Identity)>>,
}

impl Watching {
    /// The dashboard: each source's state in words.
    pub fn dashboard(&self, open_alerts: u32) -> DashboardView {
        DashboardView {
            paused: false,
            sources: Vec::new(),
            open_alerts,
        }
    }

    /// Runs every check now.
    pub fn check_now(&self) -> CommandResult<()> {
        Err(CommandError::unavailable(NOT_YET))
    }

    /// Pauses or resumes.
    pub fn pause(&self, _paused: bool) -> CommandResult<()> {
        Err(CommandError::unavailable(NOT_YET))
    }
}

/// (Re)starts watching for `identity` (after onboarding, or at launch).
pub fn restart(app: &AppHandle, id: IdentityId, identity: Identity) {
    *lock(&app.state::<Watching>().identity) = Some((id, identity));
}
