//! `scan`: run the sources once against an identity and print findings as JSON lines.
//! (`watch`, the long-running service with the store, is `watch.rs`, issue 4; both share the
//! source runner in `doppelwatch::sources::runner`.)
//!
//! Each line is the `score` output (`id`, `verdict`, `score`, `reasons`) plus `platform`,
//! `handle`, `profile_url` and `found_by`. Candidates the detector clears are not printed
//! unless `--all` is given. Problems go to stderr; warnings about skipped records show with
//! `RUST_LOG=warn` (the default) and more with `RUST_LOG=debug`.
//!
//! A check where only some queries failed (a partial check) prints what the other queries
//! found, says each failed query on stderr, and with `--report-failures` also prints each one
//! as a JSON line `{"kind": "query_failure", "platform", "query", "server", "error"}` after that
//! source's findings (opt-in, so programs reading the finding lines see no new kind of line).
//! The exit code is unchanged: 0 when every selected source answered, partially included.
//! A check the spending cap (X) cut short is said on stderr ("coverage reduced: ..."), in a
//! `coverage_cut` field of that platform's finding lines, and with `--report-failures` as a
//! line `{"kind": "coverage_cut", "platform", "detail"}`.
//!
//! Paid sources (X) spend against the same daily cap and re-read window as the watcher: their
//! spending is read from the store before the check, which holds the room left under the cap,
//! and added to it after ([`doppelwatch::sources::spending::begin_check`], the watch
//! service's own path). Without a usable store a paid source is not run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use clap::Args;

use doppelwatch::config::Config;
use doppelwatch::detect::avatar::fingerprint_reference;
use doppelwatch::detect::{Detector, Verdict};
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::platforms;
use doppelwatch::secrets::{Keychain, SecretKey};
use doppelwatch::sources::runner::{assess_found, build_sources, check_all, Sources};
use doppelwatch::sources::spending;
use doppelwatch::sources::QueryFailure;
use doppelwatch::store::Store;

use super::out::Out;

/// Largest identity avatar read for the detector's reference fingerprint.
const MAX_OWN_AVATAR_BYTES: u64 = 20 << 20;

#[derive(Args)]
pub struct ScanArgs {
    /// Identity JSON file.
    #[arg(long)]
    pub identity: PathBuf,
    /// Comma-separated sources (bluesky,mastodon,x); default: all configured.
    #[arg(long)]
    pub source: Option<String>,
    /// Also print candidates the detector clears.
    #[arg(long)]
    pub all: bool,
    /// Settings file (default: DOPPELWATCH_CONFIG, else config.json in the config dir).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Use no tokens from the keychain (Bluesky and Mastodon work without; X is skipped).
    #[arg(long)]
    pub no_keychain: bool,
    /// Also print each query that failed within a check as a JSON line with
    /// `"kind": "query_failure"` (they are always said on stderr).
    #[arg(long)]
    pub report_failures: bool,
}

/// One failed query of a partial check, as a `scan --report-failures` JSON line.
#[derive(serde::Serialize)]
struct FailureLine<'a> {
    kind: &'static str,
    platform: &'a Platform,
    #[serde(flatten)]
    failure: &'a QueryFailure,
}

/// A check the spending cap cut short, as a `scan --report-failures` JSON line.
#[derive(serde::Serialize)]
struct CutLine<'a> {
    kind: &'static str,
    platform: &'a Platform,
    detail: &'a str,
}

/// A finding line, with the cut of its platform's check when the spending cap cut it.
#[derive(serde::Serialize)]
struct FindingLine<'a, T: serde::Serialize> {
    #[serde(flatten)]
    finding: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage_cut: Option<&'a str>,
}

/// Everything a run needs, prepared from the arguments.
struct Prepared {
    detector: Arc<Detector>,
    sources: Sources,
    explicit: bool,
}

fn prepare(
    command: &str,
    identity: &Path,
    source: Option<&str>,
    config: Option<&Path>,
    no_keychain: bool,
) -> Result<Prepared, i32> {
    doppelwatch::logging::init("warn");
    let identity =
        Identity::load(identity).map_err(|e| super::usage_error(format!("{command}: {e}")))?;
    let config = Config::load(config).map_err(|e| super::usage_error(format!("{command}: {e}")))?;
    let selection = match source {
        None => None,
        Some(list) => {
            Some(parse_sources(list).map_err(|e| super::usage_error(format!("{command}: {e}")))?)
        }
    };
    let reference = match &identity.avatar {
        None => None,
        Some(path) => Some(read_reference_avatar(path).map_err(|why| {
            super::usage_error(format!(
                "{command}: the identity's avatar {} cannot be used: {why}",
                path.display()
            ))
        })?),
    };
    // Tokens from the keychain for the selected sources; a keychain that cannot be reached
    // means no tokens (said on stderr), never a failed scan.
    let keychain = (!no_keychain).then(Keychain::new);
    let secrets = |key: &SecretKey| match keychain.as_ref()?.get(key) {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!("keychain: {e}");
            None
        }
    };
    let sources = build_sources(&config, selection.as_deref(), &secrets)
        .map_err(|e| super::usage_error(format!("{command}: {e}")))?;
    Ok(Prepared {
        detector: Arc::new(Detector::new(identity, reference)),
        sources,
        explicit: selection.is_some(),
    })
}

fn read_reference_avatar(
    path: &Path,
) -> Result<doppelwatch::detect::avatar::AvatarFingerprint, String> {
    let bytes = doppelwatch::files::input::read_regular(path, MAX_OWN_AVATAR_BYTES)
        .map_err(|e| e.to_string())?;
    fingerprint_reference(&bytes).map_err(|e| e.to_string())
}

/// The registered platforms as the `--source` error lists them: `bluesky, mastodon and/or x`.
fn choices() -> String {
    let ids: Vec<&str> = platforms::ALL.iter().map(|m| m.id()).collect();
    match ids.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and/or {last}", rest.join(", ")),
        _ => ids.join(""),
    }
}

/// `bluesky,mastodon,x` into platforms; unknown names are an error naming them.
fn parse_sources(list: &str) -> Result<Vec<Platform>, String> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match platforms::by_name(name) {
            Some(module) => out.push(module.platform()),
            None => {
                return Err(format!(
                    "--source {name:?} is not a source; use {}",
                    choices()
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(format!("--source is empty; use {}", choices()));
    }
    Ok(out)
}

fn runtime() -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("doppelwatch: cannot start the async runtime: {e}");
            1
        })
}

/// Prints one value as a JSON line at once (findings show as they are judged).
fn print_json_line(out: &mut Out, value: &impl serde::Serialize) -> Result<(), i32> {
    out.emit_json(value)?;
    out.flush_now()
}

fn report_skipped(command: &str, prepared: &Prepared) -> bool {
    let mut failed = false;
    for (platform, why) in &prepared.sources.skipped {
        eprintln!("doppelwatch: {command}: {platform} skipped: {why}");
        failed |= prepared.explicit;
    }
    failed
}

/// Opens the store when a selected source costs money (X) and syncs its spending; a paid
/// source whose spending cannot be kept is taken out of the run (said on stderr, exit 1).
fn spending_store(sources: &mut Sources) -> (Option<Store>, bool) {
    if !sources.all.iter().any(|s| s.unsaved_spending().is_some()) {
        return (None, false);
    }
    let opened = doppelwatch::store::data_dir(super::data_dir_override())
        .and_then(|dir| Store::open_in(&dir))
        .and_then(|store| {
            for source in &sources.all {
                spending::begin_check(&store, source.as_ref()).map_err(|e| store.explain(e))?;
            }
            Ok(store)
        });
    match opened {
        Ok(store) => (Some(store), false),
        Err(e) => {
            sources.all.retain(|s| {
                let paid = s.unsaved_spending().is_some();
                if paid {
                    eprintln!(
                        "doppelwatch: scan: {} not checked: its daily spending cap is kept in the database, which cannot be used: {e}",
                        s.platform()
                    );
                }
                !paid
            });
            (None, true)
        }
    }
}

/// Adds what the paid sources spent in this run to the store.
fn save_spending(store: Option<&Store>, sources: &Sources) -> bool {
    let Some(store) = store else {
        return false;
    };
    let mut failed = false;
    for source in &sources.all {
        if let Err(e) = spending::end_check(store, source.as_ref()) {
            eprintln!(
                "doppelwatch: scan: {}: what this scan spent could not be stored: {}",
                source.platform(),
                store.explain(e)
            );
            failed = true;
        }
    }
    failed
}

/// Runs one check of the selected sources and prints the findings. Exit 0 when every selected
/// source answered, 1 when one failed or was asked for and could not run, 2 on bad arguments.
pub fn scan(args: ScanArgs) -> i32 {
    let mut prepared = match prepare(
        "scan",
        &args.identity,
        args.source.as_deref(),
        args.config.as_deref(),
        args.no_keychain,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut failed = report_skipped("scan", &prepared);
    let (store, unkept) = spending_store(&mut prepared.sources);
    failed |= unkept;
    let runtime = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let identity = prepared.detector.identity().clone();
    let results = runtime.block_on(check_all(&prepared.sources.all, &identity));
    failed |= save_spending(store.as_ref(), &prepared.sources);
    let mut out = Out::stdout();
    let now = Utc::now();
    for (platform, result) in results {
        match result {
            Ok(report) => {
                // Every query failed: the source was not checked at all.
                if report.queries > 0 && report.failures.len() >= report.queries {
                    eprintln!(
                        "doppelwatch: scan: {platform}: every query failed ({} of {}); nothing was checked",
                        report.failures.len(),
                        report.queries
                    );
                    failed = true;
                }
                for f in report.found {
                    let finding = assess_found(&prepared.detector, f, now);
                    if args.all || finding.verdict != Verdict::Clear {
                        let line = FindingLine {
                            finding: &finding,
                            coverage_cut: report.cut.as_deref(),
                        };
                        if let Err(status) = print_json_line(&mut out, &line) {
                            return status;
                        }
                    }
                }
                if let Some(cut) = report.cut.as_deref().filter(|_| args.report_failures) {
                    let line = CutLine {
                        kind: "coverage_cut",
                        platform: &platform,
                        detail: cut,
                    };
                    if let Err(status) = print_json_line(&mut out, &line) {
                        return status;
                    }
                }
                if let Some(cut) = &report.cut {
                    eprintln!("doppelwatch: scan: {platform}: coverage reduced: {cut}");
                }
                for failure in &report.failures {
                    eprintln!(
                        "doppelwatch: scan: {platform}: missed {} at {}: {}",
                        failure.query, failure.server, failure.error
                    );
                    let line = FailureLine {
                        kind: "query_failure",
                        platform: &platform,
                        failure,
                    };
                    if args.report_failures {
                        if let Err(status) = print_json_line(&mut out, &line) {
                            return status;
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("doppelwatch: scan: {platform}: {e}");
                failed = true;
            }
        }
    }
    match out.finish() {
        Ok(()) => i32::from(failed),
        Err(status) => status,
    }
}
