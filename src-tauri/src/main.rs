//! `doppelwatch-desktop [--demo] [--hidden]`: the Doppelwatch desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match doppelwatch_desktop::Options::parse(std::env::args().skip(1)) {
        Ok(options) => doppelwatch_desktop::run(options),
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
