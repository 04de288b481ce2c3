//! `batch` (issue 11): file many reports as one batch through the platforms' report APIs, with
//! an undo window before anything is sent. Thin adapters over [`doppelwatch::report::queue`]
//! and the store's queue: `batch file` only queues (the running watcher, the app's or
//! `doppelwatch watch`, sends when the window is over; `batch send` sends what is due now).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::{Args, Subcommand};

use doppelwatch::report::queue::{self, Filers};
use doppelwatch::secrets::{Keychain, SecretKey};

use super::alerts::{fail, open_store, open_store_read_only, print_json};

#[derive(Args)]
pub struct BatchArgs {
    #[command(subcommand)]
    pub action: BatchAction,
}

#[derive(Subcommand)]
pub enum BatchAction {
    /// Queue the reports of these alerts as one batch; nothing is sent before the undo window
    /// ends. Alerts on platforms without a report API (X: use its form), closed ones and
    /// ones queued already are left out, with why.
    File {
        /// Alert ids (see `doppelwatch alerts`).
        #[arg(required = true, num_args = 1..)]
        alert_ids: Vec<i64>,
        /// Seconds before the batch is sent (time to undo), 0 to 86400.
        #[arg(long, default_value_t = queue::DEFAULT_UNDO_SECS,
              value_parser = clap::value_parser!(u64).range(0..=86_400))]
        undo_secs: u64,
    },
    /// The batches as JSON, newest first (or one batch).
    Status {
        /// A batch id.
        batch: Option<i64>,
    },
    /// Undo a batch: its reports not sent yet are cancelled.
    Undo { batch: i64 },
    /// Queue a batch's uncertain and failed reports again (check on the platform first that
    /// an uncertain one did not arrive).
    Retry { batch: i64 },
    /// Send the reports that are due now, without waiting for a watcher.
    Send,
}

pub fn batch(args: BatchArgs) -> i32 {
    match args.action {
        BatchAction::File {
            alert_ids,
            undo_secs,
        } => file(&alert_ids, undo_secs),
        BatchAction::Status { batch } => status(batch),
        BatchAction::Undo { batch } => {
            change(batch, |store, id| store.cancel_batch(id, Utc::now()))
        }
        BatchAction::Retry { batch } => {
            change(batch, |store, id| store.requeue_uncertain(id, Utc::now()))
        }
        BatchAction::Send => send(),
    }
}

fn file(alert_ids: &[i64], undo_secs: u64) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let queued = match queue::enqueue(
        &store,
        alert_ids,
        Duration::from_secs(undo_secs),
        Utc::now(),
    ) {
        Ok(q) => q,
        Err(e) => return fail(e),
    };
    let batch = &queued.batch;
    for (id, why) in &queued.refused {
        super::out::eprintln_quiet(&format!("doppelwatch: alert {id} left out: {why}"));
    }
    super::out::eprintln_quiet(&format!(
        "doppelwatch: batch {}: {} report(s) queued, sent from {} by the running watcher (the app or `doppelwatch watch`; or `doppelwatch batch send`); undo before then with `doppelwatch batch undo {}`",
        batch.id,
        batch.entries.len(),
        batch.send_after.to_rfc3339(),
        batch.id
    ));
    let code = print_json(&serde_json::json!({
        "batch": batch,
        "refused": queued.refused.iter().map(|(id, why)| serde_json::json!({"alert_id": id, "why": why})).collect::<Vec<_>>(),
    }));
    if code == 0 && batch.entries.is_empty() {
        1
    } else {
        code
    }
}

fn status(batch: Option<i64>) -> i32 {
    let store = match open_store_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match batch {
        Some(id) => match store.batch(id) {
            Ok(b) => print_json(&b),
            Err(e) => fail(e),
        },
        None => match store.batches() {
            Ok(all) => print_json(&all),
            Err(e) => fail(e),
        },
    }
}

fn change(
    batch: i64,
    act: impl Fn(&doppelwatch::store::Store, i64) -> Result<usize, doppelwatch::store::StoreError>,
) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match act(&store, batch).and_then(|changed| Ok((changed, store.batch(batch)?))) {
        Ok((changed, b)) => print_json(&serde_json::json!({"changed": changed, "batch": b})),
        Err(e) => fail(e),
    }
}

fn send() -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let config = match doppelwatch::config::Config::load(None) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let keychain = Arc::new(Keychain::new());
    let secrets = move |key: &SecretKey| match keychain.get(key) {
        Ok(found) => found,
        Err(e) => {
            super::out::eprintln_quiet(&format!("doppelwatch: keychain: {e}"));
            None
        }
    };
    let build = |alert: &doppelwatch::store::Alert| {
        doppelwatch::platforms::filer_for(alert, &config, &secrets)
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    let mut filers = Filers::default();
    let round = runtime.block_on(queue::send_due(
        &store,
        &mut filers,
        &build,
        config.watch.report_daily_cap,
        &|| false,
    ));
    match round {
        Ok(round) => print_json(&serde_json::json!({
            "sent": round.sent,
            "not_sent": round.failed,
            "daily_cap_reached": round.capped,
        })),
        Err(e) => fail(e),
    }
}
