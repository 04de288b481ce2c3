//! Doppelwatch desktop: a thin Tauri 2 shell over the `doppelwatch` core.
//!
//! Two processes: this window, opened on demand, and the background watcher
//! (`doppelwatch-watcher`, see [`background`]), which keeps watching, notifying and showing the
//! tray icon when the window is closed. On Linux closing the window ends its process, so its
//! webview, GTK and WebKit give all their memory back; elsewhere the window process stays in
//! the tray with its webview destroyed. One window runs at a time.

pub mod avatar;
pub mod background;
pub mod commands;
pub mod error;
pub mod filing;
pub mod ipc;
pub mod marks;
pub mod state;
#[cfg(not(target_os = "linux"))]
pub mod tray;
pub mod views;
pub mod watching;
pub mod window;

use std::path::PathBuf;

use tauri::Manager;
#[cfg(not(target_os = "linux"))]
use tauri::RunEvent;

use crate::background::link::WatcherLink;
use crate::background::protocol::{Place, Reply};
use crate::state::AppState;

/// Command-line options of the desktop app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Run against the bundled fake platforms, with impostors appearing every few seconds.
    pub demo: bool,
    /// Only make sure the background watcher runs; open no window (used by start at login).
    pub hidden: bool,
    /// Where the window opens: an alert (`--alert ID`), the list (`--inbox`) or the
    /// worth-a-look list (`--worth-a-look`), from a notification's action.
    pub open_at: Place,
}

const USAGE: &str = "usage: doppelwatch-desktop [--demo] [--hidden] [--alert ID | --inbox | --worth-a-look]\n  --demo          run against bundled fake platforms (no accounts or internet needed)\n  --hidden        start watching in the background without opening the window\n  --alert ID      open the window at alert ID\n  --inbox         open the window at the alert list\n  --worth-a-look  open the window at the accounts worth a look";

impl Options {
    /// Reads `--demo`, `--hidden` and `--alert ID`; anything else is refused with the usage.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => options.demo = true,
                "--hidden" => options.hidden = true,
                "--inbox" => options.open_at = Place::Inbox,
                "--worth-a-look" => options.open_at = Place::WorthALook,
                "--alert" => {
                    let id = args.next().and_then(|id| id.parse::<i64>().ok());
                    match id {
                        Some(id) => options.open_at = Place::Alert { id },
                        None => return Err(format!("--alert needs an alert number\n{USAGE}")),
                    }
                }
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        Ok(options)
    }
}

/// Starts the app; returns when its window process ends (watching goes on in the watcher).
pub fn run(options: Options) {
    let fail = |e: String| -> ! {
        eprintln!("doppelwatch-desktop: cannot start: {e}");
        std::process::exit(1);
    };
    let base = doppelwatch::store::data_dir(None).unwrap_or_else(|e| fail(e.to_string()));
    // The watcher is what watches: it runs before, and after, any window.
    let link = WatcherLink::new(base.clone(), options.demo);
    let demo_config = match tauri::async_runtime::block_on(link.ensure_running()) {
        Ok(Reply::Hello { demo_config, .. }) => demo_config,
        Ok(other) => fail(format!("unexpected answer from the watcher: {other:?}")),
        Err(e) => fail(e),
    };
    if options.hidden {
        return;
    }
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // A second launch (e.g. a notification's action while the window is open) shows
            // this window, at the alert it names.
            let at = Options::parse(args.into_iter().skip(1))
                .map(|o| o.open_at)
                .unwrap_or_default();
            window::show_at(app, at);
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![
            commands::identity::app_info,
            commands::identity::get_identity,
            commands::identity::check_handle,
            commands::identity::handle_variants,
            commands::identity::save_identity,
            commands::identity::set_avatar,
            commands::identity::fetch_own_avatar,
            commands::alerts::list_alerts,
            commands::alerts::get_alert,
            commands::alerts::act_on_alert,
            commands::reports::get_report,
            commands::reports::save_report_draft,
            commands::reports::file_report,
            commands::reports::open_report_form,
            commands::reports::export_evidence,
            commands::sources::dashboard,
            commands::sources::check_now,
            commands::sources::set_paused,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::credentials,
            commands::settings::store_credential,
            commands::settings::send_test_notification,
        ])
        .setup(move |app| {
            let config = match demo_config {
                Some(config) => {
                    // The allow-list of the demo's loopback fakes never travels (nor is saved):
                    // the window sets it again from the demo's base URLs.
                    let mut config = *config;
                    config.allow_loopback_fakes();
                    config
                }
                None => doppelwatch::config::Config::load(None)?,
            };
            let config_path = (!options.demo)
                .then(|| {
                    std::env::var_os("DOPPELWATCH_CONFIG")
                        .map(PathBuf::from)
                        .or_else(doppelwatch::config::Config::default_path)
                })
                .flatten();
            // Demo mode keeps its own folder (emptied by the demo watcher when it starts).
            let data_dir = if options.demo {
                base.join("demo")
            } else {
                base
            };
            app.manage(AppState::open(data_dir, options.demo, config, config_path)?);
            app.manage(link);
            watching::follow(app.handle());
            #[cfg(not(target_os = "linux"))]
            tray::build(app.handle())?;
            window::show_at(app.handle(), options.open_at);
            window::close_after_env(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => fail(e.to_string()),
    };
    app.run(|_app, _event| {
        // Elsewhere than Linux the window process stays in the tray when its window closes
        // (an exit without a code); "Quit" exits with a code, which is let through.
        #[cfg(not(target_os = "linux"))]
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = _event
        {
            api.prevent_exit();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags_and_refuses_unknown_ones() {
        let parse = |a: &[&str]| Options::parse(a.iter().map(|s| s.to_string()));
        assert_eq!(
            parse(&["--demo", "--alert", "12"]),
            Ok(Options {
                demo: true,
                hidden: false,
                open_at: Place::Alert { id: 12 },
            })
        );
        assert!(parse(&["--alert"])
            .unwrap_err()
            .contains("needs an alert number"));
        assert!(parse(&["--alert", "x"]).is_err());
        assert_eq!(parse(&["--inbox"]).unwrap().open_at, Place::Inbox);
        assert_eq!(
            parse(&["--worth-a-look"]).unwrap().open_at,
            Place::WorthALook
        );
        assert_eq!(parse(&[]), Ok(Options::default()));
        let err = parse(&["--demoo"]).unwrap_err();
        assert!(err.contains("unknown option \"--demoo\"") && err.contains("usage"));
    }
}

#[cfg(test)]
mod security_tests {
    //! Issue 6, item 6: the webview gets only the app's own commands and event listening, and a
    //! CSP without inline scripts or remote sources.

    fn commands() -> Vec<String> {
        include_str!("command_names.in")
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('"'))
            .map(|l| l.trim_end_matches(',').trim_matches('"').to_string())
            .collect()
    }

    #[test]
    fn capability_grants_exactly_the_app_commands_and_event_listening() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let mut granted: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let mut expected: Vec<String> = commands()
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .chain([
                "core:event:allow-listen".into(),
                "core:event:allow-unlisten".into(),
            ])
            .collect();
        granted.sort();
        expected.sort();
        assert_eq!(granted, expected);
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
        // The UI calls every granted command (no grant without a use).
        let api = include_str!("../../ui/src/api.ts");
        for c in commands() {
            assert!(
                api.contains(&format!("\"{c}\"")),
                "command {c} is granted but unused"
            );
        }
    }

    #[test]
    fn csp_has_no_inline_script_and_no_remote_source() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = &conf["app"]["security"]["csp"];
        assert_eq!(csp["script-src"], "'self'");
        assert_eq!(csp["default-src"], "'self'");
        assert_eq!(csp["object-src"], "'none'");
        let all = csp.to_string();
        assert!(
            !all.contains("unsafe-inline") && !all.contains("unsafe-eval"),
            "{all}"
        );
        assert!(
            !all.contains("https:") && !all.contains('*'),
            "remote sources allowed: {all}"
        );
        assert_eq!(conf["app"]["withGlobalTauri"], false);
    }
}
