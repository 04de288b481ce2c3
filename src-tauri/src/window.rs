//! The main window. Closing it destroys the webview (its WebKit processes exit and their memory
//! is returned) while the app keeps watching from the tray; opening it builds a new one.

use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use doppelwatch_watcher::protocol::Place;

use crate::commands::events;

/// Label of the main window (capabilities are granted to it by this label).
pub const MAIN: &str = "main";

/// Shows the main window at `at`, creating it if it was closed.
pub fn show_at(app: &AppHandle, at: Place) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        match at {
            Place::Alert { id } => {
                let _ = window.emit_to(MAIN, events::OPEN_ALERT, id);
            }
            Place::Inbox => {
                let _ = window.emit_to(MAIN, events::OPEN_INBOX, ());
            }
            Place::WorthALook => {
                let _ = window.emit_to(MAIN, events::OPEN_WORTH_A_LOOK, ());
            }
            Place::Wave { id } => {
                let _ = window.emit_to(MAIN, events::OPEN_WAVE, id);
            }
            Place::Home => {}
        }
        return;
    }
    let route = at.route();
    let built = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App(route.into()))
        .title("Doppelwatch")
        .inner_size(1100.0, 760.0)
        .min_inner_size(420.0, 480.0)
        .build();
    match built {
        Ok(window) => window.on_window_event(|event| {
            if let tauri::WindowEvent::Destroyed = event {
                // The webview's memory is freed as GTK finishes tearing it down: trim after that.
                tauri::async_runtime::spawn(async {
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    release_freed_memory();
                });
            }
        }),
        Err(e) => tracing::error!("cannot open the window: {e}"),
    }
}

/// Gives the heap freed by the destroyed webview back to the OS, so the app watching from the
/// tray stays small (glibc keeps freed memory in its arenas otherwise).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free pages of glibc's heap to the OS; it takes no
        // pointers and is safe to call at any time from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// For the footprint benchmark: `DOPPELWATCH_CLOSE_WINDOW_AFTER_SECS=N` closes the window after
/// N seconds through the same path as the person clicking its close button.
pub fn close_after_env(app: &AppHandle) {
    let Some(secs) = std::env::var("DOPPELWATCH_CLOSE_WINDOW_AFTER_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
        if let Some(window) = app.get_webview_window(MAIN) {
            let _ = window.close();
        }
    });
}
