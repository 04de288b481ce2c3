//! The tray icon: the count of open alerts, open the window, quit. It lives as long as the app,
//! so watching goes on with the window closed.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

use crate::background::protocol::Place;
use crate::state::AppState;

const TRAY_ID: &str = "main-tray";
const COUNT_ITEM: &str = "open-alerts";

/// Builds the tray icon and its menu.
pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let count = MenuItem::with_id(app, COUNT_ITEM, "No open alerts", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Doppelwatch", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit (stop watching)", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&count, &sep, &open, &quit])?;
    let icon = tauri::image::Image::from_bytes(include_bytes!("../icons/tray.png"))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("Doppelwatch")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => crate::window::show_at(app, Place::Home),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::window::show_at(tray.app_handle(), Place::Home);
            }
        })
        .build(app)?;
    app.manage(CountItem(count));
    refresh(app);
    Ok(())
}

/// The menu line that shows the count, kept to update it.
struct CountItem(MenuItem<tauri::Wry>);

/// Updates the tray's count of open alerts (menu line, tooltip and label).
pub fn refresh(app: &AppHandle) {
    let open = app.state::<AppState>().open_alert_count();
    let words = open.words();
    // The number beside the icon counts impostors: the worth-a-look ones wait quietly.
    let count = open.impostors;
    if let Some(item) = app.try_state::<CountItem>() {
        let _ = item.0.set_text(&words);
    }
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(format!("Doppelwatch: {words}")));
        let _ = tray.set_title((count > 0).then(|| count.to_string()));
    }
}
