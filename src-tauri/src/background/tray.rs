//! The watcher's tray icon on Linux: a StatusNotifierItem on the session bus (what desktop
//! panels show as tray icons), with the open alerts counted (impostors and worth-a-look apart;
//! only impostors make it ask for attention), "Open Doppelwatch" and "Quit".
//! It lives in the watcher, so it stays while the window is closed, and it loads no GTK.

use ksni::menu::{MenuItem, StandardItem};
use ksni::{Icon, ToolTip, TrayMethods};
use tokio::sync::mpsc::UnboundedSender;

use super::watcher::Pick;
use crate::ipc::OpenAlerts;

/// The tray's state: what it shows and where picks go.
pub struct AlertTray {
    open_alerts: OpenAlerts,
    demo: bool,
    icon: Vec<Icon>,
    picks: UnboundedSender<Pick>,
}

impl AlertTray {
    fn pick(&self, action: Pick) {
        let _ = self.picks.send(action);
    }
}

impl ksni::Tray for AlertTray {
    fn id(&self) -> String {
        if self.demo {
            "doppelwatch-demo".into()
        } else {
            "doppelwatch".into()
        }
    }

    fn title(&self) -> String {
        format!("Doppelwatch: {}", self.open_alerts.words())
    }

    fn status(&self) -> ksni::Status {
        // NeedsAttention makes panels draw attention to the icon while impostor alerts are open
        // (the worth-a-look ones wait quietly).
        if self.open_alerts.impostors > 0 {
            ksni::Status::NeedsAttention
        } else {
            ksni::Status::Active
        }
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        self.icon.clone()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            title: "Doppelwatch".into(),
            description: self.open_alerts.words(),
            icon_name: String::new(),
            icon_pixmap: Vec::new(),
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.pick(Pick::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        vec![
            StandardItem {
                label: self.open_alerts.words(),
                enabled: false,
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            StandardItem {
                label: "Open Doppelwatch".into(),
                activate: Box::new(|tray: &mut Self| tray.pick(Pick::Open)),
                ..Default::default()
            }
            .into(),
            StandardItem {
                label: "Quit (stop watching)".into(),
                activate: Box::new(|tray: &mut Self| tray.pick(Pick::Quit)),
                ..Default::default()
            }
            .into(),
        ]
    }
}

/// The running tray.
pub struct TrayHandle(ksni::Handle<AlertTray>);

impl TrayHandle {
    /// Shows a new count of open alerts.
    pub async fn set_open_alerts(&self, open_alerts: OpenAlerts) {
        self.0.update(|tray| tray.open_alerts = open_alerts).await;
    }
}

/// Puts the icon on the session bus. Without a panel that shows tray icons yet (or at all), the
/// item still registers and appears when one starts.
pub async fn start(
    open_alerts: OpenAlerts,
    demo: bool,
    picks: UnboundedSender<Pick>,
) -> Result<TrayHandle, String> {
    let tray = AlertTray {
        open_alerts,
        demo,
        icon: icon(),
        picks,
    };
    tray.assume_sni_available(true)
        .spawn()
        .await
        .map(TrayHandle)
        .map_err(|e| format!("cannot show the tray icon: {e}"))
}

/// The tray icon as the ARGB32 (network byte order) pixmap the protocol carries.
fn icon() -> Vec<Icon> {
    let Ok(image) = image::load_from_memory(include_bytes!("../../icons/tray.png")) else {
        return Vec::new();
    };
    let rgba = image.to_rgba8();
    let (width, height) = rgba.dimensions();
    let data = rgba
        .pixels()
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect();
    vec![Icon {
        width: width as i32,
        height: height as i32,
        data,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_is_argb_of_the_bundled_png() {
        let icons = icon();
        assert_eq!(icons.len(), 1);
        let i = &icons[0];
        assert!(i.width > 0 && i.height > 0);
        assert_eq!(i.data.len(), (i.width * i.height * 4) as usize);
    }
}
