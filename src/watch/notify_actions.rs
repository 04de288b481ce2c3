//! The notification buttons, as the watch service acts on them: "Not an impostor" allows the
//! account, "Review and report" marks the alert seen and asks the app to open it, "Review the
//! wave" and the digest's "Have a look" ask the app to open those lists. It never shows a
//! notification (that is [`super::tasks::dispatch`]).

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{Shared, WatchEvent};
use crate::notify::NotificationAction;
use crate::store::AlertState;

/// Acts on notification buttons: "Not an impostor" allows the account; "Review and report"
/// marks the alert seen and tells the app to open it; "Review the wave" tells the app to open
/// the wave; the digest's "Have a look" tells the app to open the worth-a-look list.
pub(crate) async fn actions(
    shared: Arc<Shared>,
    mut actions: mpsc::UnboundedReceiver<NotificationAction>,
) {
    let mut stop = shared.stop.subscribe();
    loop {
        let action = tokio::select! {
            a = actions.recv() => a,
            _ = stop.changed() => return,
        };
        let Some(action) = action else { return };
        match action {
            NotificationAction::Allow { alert_id } => {
                match shared.store.set_alert_state(
                    alert_id,
                    AlertState::Allowed,
                    Some("you said it is not an impostor"),
                ) {
                    Ok(_) => shared.emit(WatchEvent::Allowed { alert_id }),
                    Err(e) => tracing::warn!("cannot allow alert {alert_id}: {e}"),
                }
            }
            NotificationAction::Review { alert_id } => {
                if let Some(id) = alert_id {
                    if let Ok(alert) = shared.store.alert(id) {
                        if alert.state == AlertState::New {
                            let _ = shared.store.set_alert_state(id, AlertState::Seen, None);
                        }
                    }
                }
                shared.emit(WatchEvent::Review { alert_id });
            }
            NotificationAction::ReviewWave { wave_id } => {
                shared.emit(WatchEvent::ReviewWave { wave_id })
            }
            NotificationAction::WorthALook => shared.emit(WatchEvent::WorthALook),
        }
    }
}
