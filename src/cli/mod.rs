//! Subcommands, one module per area. Exit codes: 0 all good, 1 some input failed, 2 unusable
//! arguments (clap's own usage errors also exit 2).

use clap::{Parser, Subcommand};

mod alerts;
mod detect;
mod scan;
mod score;

#[derive(Parser)]
#[command(
    name = "doppelwatch",
    version,
    about = "Finds accounts that impersonate you and helps you report them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score candidate profiles (JSON lines) against an identity.
    Score(detect::ScoreArgs),
    /// List the look-alike handles an impostor could register.
    Variants(detect::VariantsArgs),
    /// Stream handles on stdin and print those that imitate any of the identities.
    ScanHandles(detect::ScanHandlesArgs),
    /// Print the perceptual hashes and quality of an avatar image.
    AvatarHash(detect::AvatarHashArgs),
    /// Run one check against the configured sources and print findings.
    Scan(scan::ScanArgs),
    /// Keep watching (live and periodic checks) until stopped, printing findings.
    Watch(scan::WatchArgs),
    /// List alerts as JSON.
    Alerts(alerts::AlertsArgs),
    /// Print the report draft of an alert.
    Report(alerts::ReportArgs),
    /// Export the evidence bundle of an alert.
    Export(alerts::ExportArgs),
    /// Mark an alert's account as allowed (yours, a fan, or fine).
    Allow(alerts::AllowArgs),
}

/// Parses the arguments and runs the subcommand; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Score(args) => detect::score(args),
        Command::Variants(args) => detect::variants(args),
        Command::ScanHandles(args) => detect::scan_handles(args),
        Command::AvatarHash(args) => detect::avatar_hash(args),
        Command::Scan(args) => scan::scan(args),
        Command::Watch(args) => scan::watch(args),
        Command::Alerts(args) => alerts::alerts(args),
        Command::Report(args) => alerts::report(args),
        Command::Export(args) => alerts::export(args),
        Command::Allow(args) => alerts::allow(args),
    }
}

/// Prints an error for unusable arguments and returns exit code 2.
fn usage_error(message: impl std::fmt::Display) -> i32 {
    eprintln!("doppelwatch: {message}");
    2
}
