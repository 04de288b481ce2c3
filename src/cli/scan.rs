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
//! People (issue 11): `--identity FILE` checks that file's person (not registered, as before);
//! otherwise every registered person is checked, one after the other, or only `--person`'s.
//! Lines about a registered person carry `"person": {"id", "name"}`. A paid source shares the
//! day's room evenly between the people still to check ([`spending::share_room`]) and each
//! person's check says on stderr what it cost.
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
use doppelwatch::store::{PersonRef, Store};

use super::out::Out;

/// Largest identity avatar read for the detector's reference fingerprint.
const MAX_OWN_AVATAR_BYTES: u64 = 20 << 20;

#[derive(Args)]
pub struct ScanArgs {
    /// Identity JSON file (checked as given, not registered); default: every registered person.
    #[arg(long, conflicts_with = "person")]
    pub identity: Option<PathBuf>,
    /// Only this registered person (id or name; see `doppelwatch people`).
    #[arg(long)]
    pub person: Option<String>,
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

/// A finding line, with the person it is about when they are registered, and the cut of its
/// platform's check when the spending cap cut it.
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    #[serde(flatten)]
    finding: &'a doppelwatch::sources::runner::ScanFinding,
    #[serde(skip_serializing_if = "Option::is_none")]
    person: Option<&'a PersonRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage_cut: Option<&'a str>,
}

/// One person to check.
struct ScanPerson {
    /// Set for a registered person.
    person: Option<PersonRef>,
    detector: Arc<Detector>,
}

/// Everything a run needs, prepared from the arguments.
struct Prepared {
    people: Vec<ScanPerson>,
    sources: Sources,
    explicit: bool,
}

/// The people to check: the `--identity` file's, else the registered ones (`--person`).
fn people_to_check(
    command: &str,
    identity: Option<&Path>,
    person: Option<&str>,
) -> Result<Vec<(Option<PersonRef>, Identity)>, i32> {
    if let Some(path) = identity {
        let identity =
            Identity::load(path).map_err(|e| super::usage_error(format!("{command}: {e}")))?;
        return Ok(vec![(None, identity)]);
    }
    let dir = match super::alerts::existing_data_dir() {
        Ok(dir) => dir,
        Err(Ok(_)) => return Err(super::people::nobody(command)),
        Err(Err(code)) => return Err(code),
    };
    let store = Store::open_in_read_only(&dir).map_err(super::alerts::fail)?;
    Ok(super::people::registered(&store, person, command)?
        .into_iter()
        .map(|(id, identity)| {
            let person = PersonRef {
                id,
                name: identity.name.clone(),
            };
            (Some(person), identity)
        })
        .collect())
}

fn prepare(command: &str, args: &ScanArgs) -> Result<Prepared, i32> {
    doppelwatch::logging::init("warn");
    let (source, config, no_keychain) = (
        args.source.as_deref(),
        args.config.as_deref(),
        args.no_keychain,
    );
    let people = people_to_check(command, args.identity.as_deref(), args.person.as_deref())?;
    let config = Config::load(config).map_err(|e| super::usage_error(format!("{command}: {e}")))?;
    let selection = match source {
        None => None,
        Some(list) => {
            Some(parse_sources(list).map_err(|e| super::usage_error(format!("{command}: {e}")))?)
        }
    };
    let mut checked = Vec::with_capacity(people.len());
    for (person, identity) in people {
        let reference = match &identity.avatar {
            None => None,
            Some(path) => match read_reference_avatar(path) {
                Ok(fp) => Some(fp),
                // A registered person's picture that went missing: checked without it.
                Err(why) if person.is_some() => {
                    eprintln!(
                        "doppelwatch: {command}: {}'s avatar {} cannot be used ({why}); checking without it",
                        identity.name,
                        path.display()
                    );
                    None
                }
                Err(why) => {
                    return Err(super::usage_error(format!(
                        "{command}: the identity's avatar {} cannot be used: {why}",
                        path.display()
                    )))
                }
            },
        };
        checked.push(ScanPerson {
            person,
            detector: Arc::new(Detector::new(identity, reference)),
        });
    }
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
        people: checked,
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

/// Runs one check of the selected sources for each person and prints the findings. Exit 0
/// when every selected source answered, 1 when one failed or was asked for and could not run,
/// 2 on bad arguments.
pub fn scan(args: ScanArgs) -> i32 {
    let mut prepared = match prepare("scan", &args) {
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
    let mut out = Out::stdout();
    let people = prepared.people.len();
    for (i, person) in prepared.people.iter().enumerate() {
        let identity = person.detector.identity().clone();
        let shares = begin_shares(&prepared.sources, people - i);
        let results = runtime.block_on(check_all(&prepared.sources.all, &identity));
        say_costs(&prepared.sources, &shares, &identity.name, people > 1);
        match print_results(&args, person, results, &mut out) {
            Ok(f) => failed |= f,
            Err(status) => {
                save_spending(store.as_ref(), &prepared.sources);
                return status;
            }
        }
    }
    failed |= save_spending(store.as_ref(), &prepared.sources);
    match out.finish() {
        Ok(()) => i32::from(failed),
        Err(status) => status,
    }
}

/// Before one person's check: each paid source's share of the day's room (see
/// [`spending::share_room`]) and what it had spent so far in this run.
fn begin_shares(sources: &Sources, people_left: usize) -> Vec<Option<(f64, f64)>> {
    sources
        .all
        .iter()
        .map(|s| {
            let share = spending::share_room(s.as_ref(), people_left)?;
            Some((share, s.unsaved_spending().map_or(0.0, |u| u.usd)))
        })
        .collect()
}

/// After one person's check: says on stderr what each paid source spent on it, and lifts the
/// share limit.
fn say_costs(sources: &Sources, shares: &[Option<(f64, f64)>], name: &str, several: bool) {
    for (source, share) in sources.all.iter().zip(shares) {
        let Some((share, before)) = share else {
            continue;
        };
        spending::end_share(source.as_ref());
        let after = source.unsaved_spending().map_or(0.0, |u| u.usd);
        let room = source.spending_words(*share);
        let of = if several {
            format!(" (its share of today's room: {room})")
        } else {
            format!(" (room left today: {room})")
        };
        eprintln!(
            "doppelwatch: scan: {}: checking {} cost {}{of}",
            source.platform(),
            doppelwatch::report::visible(name, 60),
            source.spending_words((after - before).max(0.0))
        );
    }
}

/// Prints one person's findings and failed queries; whether a source failed, or the exit
/// status when the output cannot be written.
fn print_results(
    args: &ScanArgs,
    person: &ScanPerson,
    results: Vec<(
        Platform,
        Result<doppelwatch::sources::CheckReport, doppelwatch::sources::SourceError>,
    )>,
    out: &mut Out,
) -> Result<bool, i32> {
    let mut failed = false;
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
                    let finding = assess_found(&person.detector, f, now);
                    if args.all || finding.verdict != Verdict::Clear {
                        let line = FindingLine {
                            finding: &finding,
                            person: person.person.as_ref(),
                            coverage_cut: report.cut.as_deref(),
                        };
                        print_json_line(out, &line)?;
                    }
                }
                if let Some(cut) = report.cut.as_deref().filter(|_| args.report_failures) {
                    let line = CutLine {
                        kind: "coverage_cut",
                        platform: &platform,
                        detail: cut,
                    };
                    print_json_line(out, &line)?;
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
                        print_json_line(out, &line)?;
                    }
                }
            }
            Err(e) => {
                eprintln!("doppelwatch: scan: {platform}: {e}");
                failed = true;
            }
        }
    }
    Ok(failed)
}
