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

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use clap::Args;

use doppelwatch::config::Config;
use doppelwatch::detect::avatar::fingerprint_reference;
use doppelwatch::detect::{Detector, Verdict};
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::secrets::{Keychain, SecretKey};
use doppelwatch::sources::runner::{assess_found, build_sources, check_all, Credentials, Sources};
use doppelwatch::sources::x::XCredentials;
use doppelwatch::sources::QueryFailure;

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
    init_logging();
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
    let credentials = if no_keychain {
        Credentials::default()
    } else {
        credentials_from_keychain(&config, selection.as_deref())
    };
    let sources = build_sources(&config, selection.as_deref(), &credentials)
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

/// `bluesky,mastodon,x` into platforms; unknown names are an error naming them.
fn parse_sources(list: &str) -> Result<Vec<Platform>, String> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Platform::parse(name) {
            p @ (Platform::Bluesky | Platform::Mastodon | Platform::X) => out.push(p),
            _ => {
                return Err(format!(
                    "--source {name:?} is not a source; use bluesky, mastodon and/or x"
                ))
            }
        }
    }
    if out.is_empty() {
        return Err("--source is empty; use bluesky, mastodon and/or x".into());
    }
    Ok(out)
}

/// Tokens from the keychain for the selected sources; a keychain that cannot be reached
/// means no tokens (said on stderr), never a failed scan.
fn credentials_from_keychain(config: &Config, selection: Option<&[Platform]>) -> Credentials {
    let wanted = |p: Platform| selection.map_or(true, |s| s.contains(&p));
    let keychain = Keychain::new();
    let read = |key: SecretKey| match keychain.get(&key) {
        Ok(secret) => secret.map(|s| s.expose().to_string()),
        Err(e) => {
            tracing::warn!("keychain: {e}");
            None
        }
    };
    let mut credentials = Credentials::default();
    if wanted(Platform::Mastodon) {
        for server in &config.mastodon.servers {
            let host = url::Url::parse(server)
                .ok()
                .and_then(|u| u.host_str().map(String::from));
            if let Some(host) = host {
                if let Some(token) = read(SecretKey::MastodonToken { server: host }) {
                    credentials.mastodon_tokens.push((server.clone(), token));
                }
            }
        }
    }
    if wanted(Platform::X) {
        credentials.x = XCredentials {
            bearer_token: read(SecretKey::XBearerToken),
            user_token: read(SecretKey::XUserToken),
        };
    }
    credentials
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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

/// Runs one check of the selected sources and prints the findings. Exit 0 when every selected
/// source answered, 1 when one failed or was asked for and could not run, 2 on bad arguments.
pub fn scan(args: ScanArgs) -> i32 {
    let prepared = match prepare(
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
    let runtime = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let identity = prepared.detector.identity().clone();
    let results = runtime.block_on(check_all(&prepared.sources.all, &identity));
    let mut out = Out::stdout();
    let now = Utc::now();
    for (platform, result) in results {
        match result {
            Ok(report) => {
                for f in report.found {
                    let finding = assess_found(&prepared.detector, f, now);
                    if args.all || finding.verdict != Verdict::Clear {
                        if let Err(status) = print_json_line(&mut out, &finding) {
                            return status;
                        }
                    }
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
