//! `watch` (issue 4): runs the watch service until stopped, printing its events as JSON lines
//! (`new_alert`, `case_closed`, `review` with the report draft, `check_done`, ...).
//!
//! Who is watched (issue 11): `--identity FILE` registers (or updates, by name) that person
//! and watches them alone, as before; `--person NAME_OR_ID` one registered person; by default
//! everyone registered, following people added or removed while it runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use doppelwatch::config::Config;
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::report;
use doppelwatch::store::Store;
use doppelwatch::watch::{Notifications, WatchEvent, WatchService, WatchSetup};

use super::out::{eprintln_quiet, Out, EXIT_OUTPUT_CLOSED};

#[derive(Args)]
pub struct WatchArgs {
    /// Identity JSON file: registers (or updates) that person and watches only them.
    #[arg(long, conflicts_with = "person")]
    pub identity: Option<PathBuf>,
    /// Only this registered person (id or name; see `doppelwatch people`); default: every
    /// registered person, including people added while it runs.
    #[arg(long)]
    pub person: Option<String>,
    /// Comma-separated sources (bluesky,mastodon,x); default: all configured.
    #[arg(long)]
    pub source: Option<String>,
    /// Settings file (default: $DOPPELWATCH_CONFIG, else config.json in the config directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

fn fail(e: impl std::fmt::Display) -> i32 {
    eprintln!("doppelwatch: {e}");
    1
}

pub fn watch(args: WatchArgs) -> i32 {
    doppelwatch::logging::init("warn");
    let identity = match args.identity.as_deref().map(Identity::load).transpose() {
        Ok(i) => i,
        Err(e) => return super::usage_error(e),
    };
    let config = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let only: Option<Vec<Platform>> = args.source.as_deref().map(|list| {
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(Platform::parse)
            .collect()
    });
    let dir = match doppelwatch::store::data_dir(super::data_dir_override()) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let store = match Store::open_in(&dir) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(e),
    };
    // None: everyone registered, followed while watching.
    let people: Option<Vec<_>> = match (identity, args.person.as_deref()) {
        (Some(identity), _) => match store.upsert_identity(&identity) {
            Ok(id) => Some(vec![(id, identity)]),
            Err(e) => return fail(e),
        },
        (None, person) => match super::people::registered(&store, person, "watch") {
            Ok(found) if person.is_some() => Some(found),
            Ok(_) => None,
            Err(code) => return code,
        },
    };
    let keychain = doppelwatch::secrets::Keychain::new();
    let setup = match WatchSetup::from_config(&config, only.as_deref(), Some(&keychain)) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    for (platform, why) in &setup.skipped {
        eprintln!("doppelwatch: not watching {platform}: {why}");
    }
    if setup.sources.is_empty() && setup.live.is_none() {
        return super::usage_error(
            "no source to watch: enable one in the settings or fix --source (bluesky, mastodon, x)",
        );
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    let secrets: report::queue::Secrets = Arc::new(move |key| keychain.get(key).ok().flatten());
    runtime.block_on(async move {
        let mut out = Out::stdout();
        // Batches of reports queued by the app or `doppelwatch batch file` are sent while
        // watching.
        let (queue_stop, queue_stopped) = tokio::sync::watch::channel(false);
        let queue = tokio::spawn(report::queue::run(
            store.clone(),
            config.clone(),
            secrets,
            queue_stopped,
        ));
        let handle = match people {
            Some(people) => WatchService::start(
                config.watch.clone(),
                store.clone(),
                people,
                setup,
                Notifications::desktop(),
            ),
            None => WatchService::start_following(
                config.watch.clone(),
                store.clone(),
                setup,
                Notifications::desktop(),
            ),
        };
        let mut events = handle.subscribe();
        let stop = shutdown_signal();
        tokio::pin!(stop);
        // Whoever reads the events went away (`watch | head -1`): stop, even when idle.
        let closed = super::out::closed();
        tokio::pin!(closed);
        let mut status = 0;
        loop {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = &mut stop => break,
                _ = &mut closed => {
                    status = EXIT_OUTPUT_CLOSED;
                    break;
                }
            };
            let printed = match event {
                Ok(WatchEvent::Review { alert_id: Some(id) }) => {
                    // "Review and report" from a notification: print the draft to act on.
                    match store.alert(id) {
                        Ok(alert) => print_line(
                            &mut out,
                            &serde_json::json!({
                                "event": "review",
                                "alert_id": id,
                                "draft": report::draft(&alert, None),
                            }),
                        ),
                        Err(e) => {
                            eprintln_quiet(&format!("doppelwatch: {e}"));
                            Ok(())
                        }
                    }
                }
                Ok(event) => print_line(&mut out, &event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    eprintln_quiet(&format!(
                        "doppelwatch: {n} events were not printed (the store has them)"
                    ));
                    Ok(())
                }
                Err(_) => break,
            };
            if let Err(code) = printed {
                status = code;
                break;
            }
        }
        handle.stop().await;
        // A report being sent is finished and recorded before the queue stops.
        let _ = queue_stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(60), queue).await;
        status
    })
}

/// Prints one event line at once.
fn print_line(out: &mut Out, value: &impl serde::Serialize) -> Result<(), i32> {
    out.emit_json(value)?;
    out.flush_now()
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
