//! Doppelwatch desktop: a thin Tauri 2 shell over the `doppelwatch` core.
//!
//! Two processes: this window, opened on demand, and the background watcher
//! (`doppelwatch-watcher`, its own crate in `watcher/`, without Tauri), which keeps watching,
//! notifying and showing the tray icon when the window is closed. On Linux closing the window ends its process, so its
//! webview, GTK and WebKit give all their memory back; elsewhere the window process stays in
//! the tray with its webview destroyed. One window runs at a time.

pub mod commands;
pub mod error;
pub mod ipc;
pub mod marks;
pub mod state;
pub mod state_people;
#[cfg(not(target_os = "linux"))]
pub mod tray;
pub mod views;
pub mod watching;
pub mod window;

use std::path::PathBuf;

use tauri::Manager;
#[cfg(not(target_os = "linux"))]
use tauri::RunEvent;

use crate::state::AppState;
use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::{Place, Reply};
pub use doppelwatch_watcher::Invocation;

/// Command-line options of the desktop app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Run against the bundled fake platforms, with impostors appearing every few seconds.
    pub demo: bool,
    /// Only make sure the background watcher runs; open no window (used by start at login).
    pub hidden: bool,
    /// Where the window opens: an alert (`--alert ID`), the list (`--inbox`), a wave
    /// (`--wave ID`) or the worth-a-look list (`--worth-a-look`), from a notification's action.
    pub open_at: Place,
}

/// The usage of `doppelwatch-desktop` (its `--help`).
pub const USAGE: &str = "\
usage: doppelwatch-desktop [--demo] [--hidden] [--alert ID | --wave ID | --inbox | --worth-a-look]

Doppelwatch's window: onboarding, alerts, reports and settings. It starts the background watcher
(doppelwatch-watcher) if none runs; watching goes on after the window is closed.

options:
  --demo          run against bundled fake platforms (no accounts or internet needed)
  --hidden        start watching in the background without opening the window
  --alert ID      open the window at alert ID
  --wave ID       open the window at wave ID (its accounts in a grid)
  --inbox         open the window at the alert list
  --worth-a-look  open the window at the accounts worth a look
  --help          show this help and exit
  --version       show the version and exit

environment:
  DOPPELWATCH_DATA_DIR  the data folder (database, the watcher's socket and logs)
  DOPPELWATCH_CONFIG    the settings file";

impl Options {
    /// Reads `--demo`, `--hidden`, `--alert ID`, `--wave ID`, `--inbox`, `--worth-a-look`,
    /// `--help` and `--version`; anything
    /// else is refused with the usage.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Invocation<Options>, String> {
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
                "--wave" => {
                    let id = args.next().and_then(|id| id.parse::<i64>().ok());
                    match id {
                        Some(id) => options.open_at = Place::Wave { id },
                        None => return Err(format!("--wave needs a wave number\n{USAGE}")),
                    }
                }
                "--help" | "-h" => return Ok(Invocation::Help),
                "--version" | "-V" => return Ok(Invocation::Version),
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        Ok(Invocation::Run(options))
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
            let at = match Options::parse(args.into_iter().skip(1)) {
                Ok(Invocation::Run(o)) => o.open_at,
                _ => Place::default(),
            };
            window::show_at(app, at);
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(commands::handler())
        .setup(move |app| {
            let config = match demo_config {
                Some(config) => {
                    // The allow-list of the demo's loopback fakes never travels (nor is saved):
                    // the window sets it again from the demo's base URLs.
                    let mut config = *config;
                    config.allow_loopback_fakes();
                    doppelwatch_watcher::demo::point_at_fakes(&mut config);
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
            // Demo mode keeps its own folder (emptied by the demo watcher when a new demo
            // session begins; see doppelwatch_watcher::demo::session).
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
            Ok(Invocation::Run(Options {
                demo: true,
                hidden: false,
                open_at: Place::Alert { id: 12 },
            }))
        );
        assert!(parse(&["--alert"])
            .unwrap_err()
            .contains("needs an alert number"));
        assert!(parse(&["--alert", "x"]).is_err());
        assert_eq!(
            parse(&["--inbox"]),
            Ok(Invocation::Run(Options {
                open_at: Place::Inbox,
                ..Options::default()
            }))
        );
        assert_eq!(
            parse(&["--worth-a-look"]),
            Ok(Invocation::Run(Options {
                open_at: Place::WorthALook,
                ..Options::default()
            }))
        );
        assert_eq!(
            parse(&["--demo", "--wave", "5"]),
            Ok(Invocation::Run(Options {
                demo: true,
                hidden: false,
                open_at: Place::Wave { id: 5 },
            }))
        );
        assert!(parse(&["--wave"])
            .unwrap_err()
            .contains("needs a wave number"));
        assert!(parse(&["--wave", "five"]).is_err());
        // What the watcher starts the window with for a wave reads back as that wave.
        let args = Place::Wave { id: 9 }.args();
        assert_eq!(
            Options::parse(args),
            Ok(Invocation::Run(Options {
                open_at: Place::Wave { id: 9 },
                ..Options::default()
            }))
        );
        assert_eq!(parse(&[]), Ok(Invocation::Run(Options::default())));
        let err = parse(&["--demoo"]).unwrap_err();
        assert!(err.contains("unknown option \"--demoo\"") && err.contains("usage"));
    }

    #[test]
    fn help_and_version_are_answered_not_refused() {
        let parse = |a: &[&str]| Options::parse(a.iter().map(|s| s.to_string()));
        assert_eq!(parse(&["--help"]), Ok(Invocation::Help));
        assert_eq!(parse(&["--demo", "-h"]), Ok(Invocation::Help));
        assert_eq!(parse(&["--version"]), Ok(Invocation::Version));
        assert_eq!(parse(&["-V"]), Ok(Invocation::Version));
        // The usage names every option the parser reads.
        for option in [
            "--demo",
            "--hidden",
            "--alert ID",
            "--wave ID",
            "--inbox",
            "--worth-a-look",
            "--help",
            "--version",
        ] {
            assert!(USAGE.contains(option), "{option} missing from the usage");
        }
    }
}

#[cfg(test)]
mod security_tests {
    //! Issue 6, item 6: the webview gets only the app's own commands and event listening, and a
    //! CSP without inline scripts or remote sources.

    use crate::commands::NAMES;

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
        let mut expected: Vec<String> = NAMES
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
        // The committed file is the one generated from the list.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json");
        assert_eq!(
            std::fs::read_to_string(path).unwrap_or_default(),
            crate::commands::capability(),
            "capabilities/main.json drifted: run cargo test -p doppelwatch-desktop export_bindings"
        );
    }

    /// The UI calls every granted command through its generated wrapper (no grant without a
    /// use), and the committed wrappers are the ones generated from the list.
    #[test]
    fn the_ui_calls_every_command_through_the_generated_wrappers() {
        let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src");
        assert_eq!(
            std::fs::read_to_string(ui.join("bindings/commands.ts")).unwrap_or_default(),
            crate::commands::typescript(),
            "ui/src/bindings/commands.ts drifted: run cargo test -p doppelwatch-desktop export_bindings"
        );
        let mut sources = String::new();
        let mut dirs = vec![ui.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() && name != "bindings" {
                    dirs.push(path);
                } else if name.ends_with(".ts") && !name.ends_with(".test.ts") {
                    sources.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        for c in NAMES {
            let camel: String = c
                .split('_')
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_string()
                    } else {
                        w[..1].to_uppercase() + &w[1..]
                    }
                })
                .collect();
            let called = sources
                .match_indices(&format!("api.{camel}"))
                .any(|(at, m)| {
                    !sources[at + m.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
            assert!(
                called,
                "command {c} is granted but the UI never calls api.{camel}"
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
