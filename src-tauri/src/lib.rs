//! Doppelwatch desktop: a thin Tauri 2 shell over the `doppelwatch` core.
//!
//! The app keeps running in the tray when its window is closed (the webview is destroyed then,
//! to give its memory back) and watches in the background. One instance runs at a time.

pub mod avatar;
pub mod commands;
pub mod demo;
pub mod error;
pub mod filing;
pub mod ipc;
pub mod marks;
pub mod state;
pub mod tray;
pub mod views;
pub mod watching;
pub mod window;

use std::path::PathBuf;

use tauri::{Manager, RunEvent};

use crate::state::AppState;

/// Command-line options of the desktop app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Run against the bundled fake platforms, with impostors appearing every few seconds.
    pub demo: bool,
    /// Start in the tray without opening the window (used by start at login).
    pub hidden: bool,
}

impl Options {
    /// Reads `--demo` and `--hidden`; anything else is refused with the usage.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        for arg in args {
            match arg.as_str() {
                "--demo" => options.demo = true,
                "--hidden" => options.hidden = true,
                other => {
                    return Err(format!(
                        "unknown option {other:?}\nusage: doppelwatch-desktop [--demo] [--hidden]\n  --demo    run against bundled fake platforms (no accounts or internet needed)\n  --hidden  start in the tray without opening the window"
                    ))
                }
            }
        }
        Ok(options)
    }
}

/// Where state lives: the core's data dir (`$DOPPELWATCH_DATA_DIR`, else the platform data
/// dir, shared with the CLI); demo mode uses its own folder, emptied at start, so it never
/// touches real alerts.
fn data_dir(demo: bool) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let base = doppelwatch::store::data_dir(None)?;
    if demo {
        let dir = base.join("demo");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        return Ok(dir);
    }
    Ok(base)
}

/// Starts the app; returns when it quits.
pub fn run(options: Options) {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show(app, None);
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
            let mut config = doppelwatch::config::Config::load(None)?;
            if options.demo {
                let (world, demo_config) = tauri::async_runtime::block_on(demo::start(config))?;
                config = demo_config;
                app.manage(world);
                demo::run(app.handle().clone());
            }
            let config_path = (!options.demo)
                .then(|| {
                    std::env::var_os("DOPPELWATCH_CONFIG")
                        .map(PathBuf::from)
                        .or_else(doppelwatch::config::Config::default_path)
                })
                .flatten();
            let state = AppState::open(data_dir(options.demo)?, options.demo, config, config_path)?;
            let identity = state.identity();
            app.manage(state);
            app.manage(watching::Watching::default());
            if let Some((id, identity)) = identity {
                watching::restart(app.handle(), id, identity);
            }
            tray::build(app.handle())?;
            if !options.hidden {
                window::show(app.handle(), None);
            }
            window::close_after_env(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("doppelwatch-desktop: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_app, event| {
        // Closing the last window asks to exit with no code: keep watching from the tray.
        // "Quit" in the tray exits with a code, which is let through.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
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
            parse(&["--demo"]),
            Ok(Options {
                demo: true,
                hidden: false
            })
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
