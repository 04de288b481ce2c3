//! The one logging setup of every Doppelwatch program (the CLI, the desktop, the watcher):
//! lines to stderr, filtered by `RUST_LOG` else a default level, with colours only when stderr
//! is a terminal (the watcher's log file and redirected output stay plain text). It owns no
//! log lines and never logs anything itself.

use std::io::IsTerminal;

/// Sends tracing output to stderr at `default_level` (e.g. "warn") unless `RUST_LOG` says
/// otherwise. A second call does nothing.
pub fn init(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
