//! Subcommands, one module per area. Exit codes: 0 all good, 1 some input failed or the output
//! could not be written (full disk), 2 unusable arguments (clap's own usage errors also exit 2),
//! 141 the reader of the output went away (`| head`; see [`out`]). Results go to stdout only
//! through [`out::Out`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::{Parser, Subcommand};

mod alerts;
mod batch;
mod cases;
mod detect;
mod out;
mod people;
mod scan;
mod score;
mod secret;
mod watch;

/// The `--data-dir` given on the command line, for every subcommand that opens the store.
static DATA_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The data directory override (`--data-dir`); `None` means `$DOPPELWATCH_DATA_DIR` or the
/// platform's data directory (see `doppelwatch::store::data_dir`).
pub(crate) fn data_dir_override() -> Option<&'static Path> {
    DATA_DIR.get().and_then(|d| d.as_deref())
}

#[derive(Parser)]
#[command(
    name = "doppelwatch",
    version,
    about = "Finds accounts that impersonate you and helps you report them"
)]
struct Cli {
    /// Directory of the database (default: $DOPPELWATCH_DATA_DIR, else the platform's data
    /// directory, e.g. ~/.local/share/doppelwatch).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
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
    Watch(watch::WatchArgs),
    /// List alerts as JSON.
    Alerts(alerts::AlertsArgs),
    /// List the people watched as JSON; `people add FILE`, `people remove NAME_OR_ID`.
    People(people::PeopleArgs),
    /// List waves (alerts of one person that came together) as JSON, with their counts.
    Waves(people::WavesArgs),
    /// List every case from found to reported to gone, with the figures (--csv, --json).
    Cases(cases::CasesArgs),
    /// Print the report draft of an alert (--follow-up: the follow-up to its report).
    Report(alerts::ReportArgs),
    /// Export the evidence bundle of an alert.
    Export(alerts::ExportArgs),
    /// Export one evidence bundle of a whole wave (see `doppelwatch waves`).
    ExportWave(alerts::ExportWaveArgs),
    /// Mark an alert's account as allowed (yours, a fan, or fine).
    Allow(alerts::AllowArgs),
    /// Dismiss an alert (not worth acting on).
    Dismiss(alerts::DismissArgs),
    /// Snooze a new or seen alert for some days (it comes back sooner if the account changes).
    Snooze(alerts::SnoozeArgs),
    /// Store, check or delete a credential in the OS keychain.
    Secret(secret::SecretArgs),
    /// File many reports as one batch (with an undo window), and follow it.
    Batch(batch::BatchArgs),
}

/// Parses the arguments and runs the subcommand; returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
    let _ = DATA_DIR.set(cli.data_dir.clone());
    match cli.command {
        Command::Score(args) => detect::score(args),
        Command::Variants(args) => detect::variants(args),
        Command::ScanHandles(args) => detect::scan_handles(args),
        Command::AvatarHash(args) => detect::avatar_hash(args),
        Command::Scan(args) => scan::scan(args),
        Command::Watch(args) => watch::watch(args),
        Command::Alerts(args) => alerts::alerts(args),
        Command::People(args) => people::people(args),
        Command::Waves(args) => people::waves(args),
        Command::Cases(args) => cases::cases(args),
        Command::Report(args) => alerts::report(args),
        Command::Export(args) => alerts::export(args),
        Command::ExportWave(args) => alerts::export_wave(args),
        Command::Allow(args) => alerts::allow(args),
        Command::Dismiss(args) => alerts::dismiss(args),
        Command::Snooze(args) => alerts::snooze(args),
        Command::Secret(args) => secret::secret(args),
        Command::Batch(args) => batch::batch(args),
    }
}

/// `--help` and `--version` go to stdout through [`out::Out`] like any result (so
/// `--help > /dev/full` fails with status 1 and a closed pipe ends quietly); usage errors go
/// to stderr with clap's status (2).
fn parse_error(e: clap::Error) -> i32 {
    if e.use_stderr() {
        let _ = e.print();
        return e.exit_code();
    }
    let text = e.render().to_string();
    let mut out = out::Out::stdout();
    match out
        .emit_line(text.trim_end_matches('\n'))
        .and_then(|()| out.finish())
    {
        Ok(()) => 0,
        Err(status) => status,
    }
}

/// Prints an error for unusable arguments and returns exit code 2.
fn usage_error(message: impl std::fmt::Display) -> i32 {
    out::eprintln_quiet(&format!("doppelwatch: {message}"));
    2
}
