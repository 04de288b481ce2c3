//! `doppelwatch-desktop [--demo] [--hidden] [--alert ID | --inbox] [--help] [--version]`: the
//! Doppelwatch desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write;

use doppelwatch_desktop::Invocation;

fn main() {
    doppelwatch::logging::init("info");
    match doppelwatch_desktop::Options::parse(std::env::args().skip(1)) {
        Ok(Invocation::Run(options)) => doppelwatch_desktop::run(options),
        // A closed stdout (`--help | true`) is no error worth a panic.
        Ok(Invocation::Help) => {
            let _ = writeln!(std::io::stdout(), "{}", doppelwatch_desktop::USAGE);
        }
        Ok(Invocation::Version) => {
            let _ = writeln!(
                std::io::stdout(),
                "doppelwatch-desktop {}",
                env!("CARGO_PKG_VERSION")
            );
        }
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
