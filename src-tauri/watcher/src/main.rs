//! `doppelwatch-watcher [--demo] [--quit] [--help] [--version]`: Doppelwatch's background
//! watcher. The desktop app starts it; it keeps watching (notifications, tray) while the window
//! is closed.
// A background program: no console window on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write;
use std::process::ExitCode;

use doppelwatch_watcher::watcher::{run, WatcherOptions, USAGE};
use doppelwatch_watcher::Invocation;

fn main() -> ExitCode {
    doppelwatch::logging::init("info");
    let options = match WatcherOptions::parse(std::env::args().skip(1)) {
        Ok(Invocation::Run(options)) => options,
        Ok(Invocation::Help) => return print(USAGE),
        Ok(Invocation::Version) => {
            return print(&format!(
                "doppelwatch-watcher {}",
                env!("CARGO_PKG_VERSION")
            ))
        }
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let base = match doppelwatch::store::data_dir(None) {
        Ok(base) => base,
        Err(e) => {
            eprintln!("doppelwatch-watcher: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("doppelwatch-watcher: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(base, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("doppelwatch-watcher: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` and a newline to stdout (`--help`, `--version`) as the CLI does: a closed
/// pipe (`--help | true`) ends quietly with status 141, any other write error (a full disk,
/// `> /dev/full`) is said on stderr and ends with status 1.
fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(141),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "doppelwatch-watcher: cannot write the output: {e}"
            );
            ExitCode::FAILURE
        }
    }
}
