//! `alerts`, `report` (with `--follow-up`, issue 12), `export`, `allow`, `dismiss`, `snooze`
//! (issues 4, 5): thin adapters over
//! [`doppelwatch::store`] and [`doppelwatch::report`].

use std::io::{BufRead, Write};
use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use doppelwatch::detect::Verdict;
use doppelwatch::identity::AccountHandle;
use doppelwatch::identity::Platform;
use doppelwatch::report;
use doppelwatch::secrets::Keychain;
use doppelwatch::store::{Alert, AlertFilter, AlertState, Store, StoreError};

use super::out::Out;

#[derive(Args)]
pub struct AlertsArgs {
    /// Only alerts in these states (comma-separated:
    /// new,seen,reported,resolved,dismissed,allowed,snoozed).
    #[arg(long)]
    pub state: Option<String>,
    /// Only alerts on this platform.
    #[arg(long)]
    pub platform: Option<String>,
    /// Only alerts with this verdict: impostor (notified at once) or suspicious (worth a look:
    /// no pop-up, at most one digest a day).
    #[arg(long, value_enum)]
    pub verdict: Option<VerdictArg>,
    /// The worth-a-look list: suspicious alerts waiting for you (the same as
    /// `--verdict suspicious --state new,seen`).
    #[arg(long, conflicts_with_all = ["verdict", "state"])]
    pub worth_a_look: bool,
    /// Only the alerts about this person (id or name; see `doppelwatch people`).
    #[arg(long)]
    pub person: Option<String>,
    /// Only the alerts of this wave (see `doppelwatch waves`).
    #[arg(long)]
    pub wave: Option<i64>,
}

/// The verdicts an alert can have.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum VerdictArg {
    Impostor,
    Suspicious,
}

#[derive(Args)]
pub struct ReportArgs {
    pub alert_id: String,
    /// Platform whose report form to draft for (default: the impostor's platform).
    #[arg(long)]
    pub platform: Option<String>,
    /// Print the draft as JSON (form link, fields, text).
    #[arg(long)]
    pub json: bool,
    /// File the report through the platform's API (Bluesky, Mastodon) after confirming.
    #[arg(long)]
    pub file: bool,
    /// Confirm filing without asking.
    #[arg(long)]
    pub yes: bool,
    /// Record that you sent the platform's form with this draft (the case is then followed).
    #[arg(long)]
    pub form_sent: bool,
    /// Print the follow-up to the first report instead (offered once the account is still up
    /// 7 days after it was reported); exit 1 saying when, when none is offered yet.
    #[arg(long, conflicts_with_all = ["file", "form_sent", "platform"])]
    pub follow_up: bool,
    /// Your Bluesky account that files the report (default: your Bluesky handle in the identity).
    #[arg(long = "as")]
    pub reporter: Option<String>,
    /// Your Bluesky PDS (default: `bluesky.pds_url` of the settings, https://bsky.social).
    #[arg(long)]
    pub pds: Option<String>,
    /// Your Mastodon server, e.g. https://mastodon.social (default: the saved mastodon setting
    /// `server`, else the server of your Mastodon handle).
    #[arg(long)]
    pub server: Option<String>,
    /// At most this many reports filed through APIs per 24 hours.
    #[arg(long, default_value_t = report::DEFAULT_DAILY_CAP)]
    pub daily_cap: u32,
}

#[derive(Args)]
pub struct ExportArgs {
    pub alert_id: String,
    /// The zip file to write (it must not exist yet, unless --force).
    pub out: PathBuf,
    /// Replace OUT if it is an existing regular file (never the database, a folder or a
    /// device).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct ExportWaveArgs {
    pub wave_id: String,
    /// The zip file to write (it must not exist yet, unless --force).
    pub out: PathBuf,
    /// Replace OUT if it is an existing regular file (never the database, a folder or a
    /// device).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct AllowArgs {
    pub alert_id: String,
}

#[derive(Args)]
pub struct DismissArgs {
    pub alert_id: String,
}

#[derive(Args)]
pub struct SnoozeArgs {
    pub alert_id: String,
    /// Days until the alert comes back as new (it also comes back sooner if the account
    /// changes its handle, name, bio or picture).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=365))]
    pub days: u16,
}

/// The data folder when it holds a database; `Err(message)` saying there is no data yet
/// otherwise (these commands never create one: only watching or the app does).
pub(super) fn existing_data_dir() -> Result<PathBuf, Result<String, i32>> {
    let dir = doppelwatch::store::data_dir(super::data_dir_override()).map_err(|e| Err(fail(e)))?;
    if dir.exists() && !dir.is_dir() {
        return Err(Err(super::usage_error(format!(
            "the data folder {} is not a folder: give --data-dir (or DOPPELWATCH_DATA_DIR) the \
             folder that holds {}",
            dir.display(),
            doppelwatch::store::DB_FILE
        ))));
    }
    if dir.join(doppelwatch::store::DB_FILE).exists() {
        Ok(dir)
    } else {
        Err(Ok(format!(
            "no data yet in {}: nothing has been watched there (start `doppelwatch watch` or the app, or give the right --data-dir)",
            dir.display()
        )))
    }
}

/// The existing store, for commands that change it.
pub(super) fn open_store() -> Result<Store, i32> {
    let dir = existing_data_dir().map_err(|e| e.map_or_else(|code| code, fail))?;
    Store::open_in(&dir).map_err(fail)
}

/// The existing store, for commands that only read it: no write lock, works beside the watcher
/// and on a read-only folder.
pub(super) fn open_store_read_only() -> Result<Store, i32> {
    let dir = existing_data_dir().map_err(|e| e.map_or_else(|code| code, fail))?;
    Store::open_in_read_only(&dir).map_err(fail)
}

/// Says a failed store operation with the file named and what to do.
fn store_fail(store: &Store, e: StoreError) -> i32 {
    fail(store.explain(e))
}

pub(super) fn fail(e: impl std::fmt::Display) -> i32 {
    super::out::eprintln_quiet(&format!("doppelwatch: {e}"));
    1
}

fn alert_id(text: &str) -> Result<i64, i32> {
    text.trim().parse::<i64>().map_err(|_| {
        super::usage_error(format!(
            "alert id {text:?} is not a number; `doppelwatch alerts` lists the ids"
        ))
    })
}

pub(super) fn print_json(value: &impl serde::Serialize) -> i32 {
    let mut out = Out::stdout();
    match out.emit_pretty_json(value).and_then(|()| out.finish()) {
        Ok(()) => 0,
        Err(status) => status,
    }
}

/// Prints the draft (as JSON with `--json`).
fn print_draft(draft: &report::ReportDraft, json: bool) -> Result<(), i32> {
    let mut out = Out::stdout();
    if json {
        out.emit_pretty_json(draft)?;
        return out.finish();
    }
    out.emit_line(&draft.subject)?;
    out.emit_line(&format!(
        "Report to: {}",
        report::platform_name(&draft.platform)
    ))?;
    if let Some(form) = &draft.form_url {
        out.emit_line(&format!("Official form: {form}"))?;
    }
    if let Some(path) = &draft.in_app_path {
        out.emit_line(&format!("In the app: {path}"))?;
    }
    if let Some(api) = draft.api {
        out.emit_line(&format!(
            "Can be filed through the API ({api:?}): add --file"
        ))?;
    }
    out.emit_line("")?;
    out.emit_line(&draft.text)?;
    out.finish()
}

pub fn alerts(args: AlertsArgs) -> i32 {
    let mut filter = AlertFilter::default();
    if let Some(states) = &args.state {
        for name in states.split(',').filter(|s| !s.trim().is_empty()) {
            match name.parse::<AlertState>() {
                Ok(state) => filter.states.push(state),
                Err(e) => return super::usage_error(e),
            }
        }
    }
    filter.platform = args.platform.as_deref().map(Platform::parse);
    filter.verdict = args.verdict.map(|v| match v {
        VerdictArg::Impostor => Verdict::Impostor,
        VerdictArg::Suspicious => Verdict::Suspicious,
    });
    if args.worth_a_look {
        filter.verdict = Some(Verdict::Suspicious);
        filter.states = vec![AlertState::New, AlertState::Seen];
    }
    // No database yet: no alerts (said on stderr), and none is created.
    if let Err(Ok(no_data)) = existing_data_dir() {
        super::out::eprintln_quiet(&format!("doppelwatch: {no_data}"));
        return print_json(&Vec::<doppelwatch::store::Alert>::new());
    }
    let store = match open_store_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    filter.wave_id = args.wave;
    if let Some(person) = args.person.as_deref() {
        match doppelwatch::app::people::find_person(&store, person) {
            Ok((id, _)) => filter.identity_id = Some(id),
            Err(e) => return super::usage_error(e),
        }
    }
    match store.alerts(&filter) {
        Ok(list) => print_json(&list),
        Err(e) => store_fail(&store, e),
    }
}

pub fn report(args: ReportArgs) -> i32 {
    let id = match alert_id(&args.alert_id) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let (alert, posts) = match open_store_read_only().and_then(|store| {
        let alert = store.alert(id).map_err(|e| store_fail(&store, e))?;
        let posts = store.alert_posts(id).map_err(|e| store_fail(&store, e))?;
        Ok((alert, posts))
    }) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if args.follow_up {
        return follow_up(&alert, args.json);
    }
    let platform = args.platform.as_deref().map(Platform::parse);
    let draft = report::draft_with_posts(&alert, platform.as_ref(), &posts);
    if let Err(status) = print_draft(&draft, args.json) {
        return status;
    }
    // Only what changes the store opens it for writing: marking the draft seen (not worth
    // failing the command over), recording a sent form, filing.
    if alert.state == AlertState::New {
        let marked = open_store().and_then(|store| {
            store
                .set_alert_state(id, AlertState::Seen, None)
                .map_err(|e| store_fail(&store, e))
        });
        if marked.is_err() {
            super::out::eprintln_quiet(&format!("doppelwatch: alert {id} stays new"));
        }
    }
    if !args.form_sent && !args.file {
        return 0;
    }
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.form_sent {
        return match report::record_form_report(&store, id, &draft.platform, Utc::now()) {
            Ok(_) => {
                super::out::eprintln_quiet(
                    "recorded: the form was sent; the account will be re-checked",
                );
                0
            }
            Err(e) => fail(e),
        };
    }
    if draft.api.is_none() {
        return fail(format!(
            "{} has no report API: open {} and paste the draft",
            report::platform_name(&draft.platform),
            draft.form_url.as_deref().unwrap_or("the in-app report")
        ));
    }
    if !args.yes
        && !confirm(&format!(
            "File this report to {} now? [y/N] ",
            report::platform_name(&draft.platform)
        ))
    {
        eprintln!("not filed");
        return 1;
    }
    let filer = match filer(&args, &store, alert.clone()) {
        Ok(filer) => filer,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    match runtime.block_on(report::file_report(
        &store,
        id,
        filer.as_ref(),
        args.daily_cap,
        Utc::now(),
    )) {
        Ok(record) => {
            eprintln!(
                "filed to {} (report id {})",
                report::platform_name(&record.platform),
                record.remote_id.as_deref().unwrap_or("not given")
            );
            0
        }
        Err(e) => fail(e),
    }
}

/// `report ID --follow-up`: the follow-up draft citing the first report, or why none yet.
fn follow_up(alert: &Alert, json: bool) -> i32 {
    let reports = match open_store_read_only().and_then(|store| {
        store
            .reports_for(alert.id)
            .map_err(|e| store_fail(&store, e))
    }) {
        Ok(reports) => reports,
        Err(code) => return code,
    };
    match report::follow_up_draft(alert, &reports, Utc::now()) {
        Ok(draft) => match print_draft(&draft, json) {
            Ok(()) => 0,
            Err(status) => status,
        },
        Err(e) => fail(e),
    }
}

/// The platform's filer (chosen by the platform registry) signed in as the account `--as`
/// names (default: the person's own handle there), on the `--pds`/`--server` given (default:
/// the settings), with the secret from the keychain.
fn filer(
    args: &ReportArgs,
    store: &Store,
    mut alert: Alert,
) -> Result<Box<dyn report::ReportFiler>, i32> {
    let mut config = doppelwatch::config::Config::load(None).map_err(super::usage_error)?;
    if let Some(pds) = &args.pds {
        config.bluesky.pds_url = pds.clone();
    }
    // The server to file on: --server, else the saved `server` setting of the platform.
    let saved = store
        .source_settings(&alert.platform)
        .ok()
        .flatten()
        .and_then(|s| s.get("server").and_then(|v| v.as_str()).map(String::from));
    if let Some(server) = args.server.clone().or(saved) {
        // Host, and `:port` when not the scheme's default: the handle names the server the
        // token was stored for and the report goes to, scheme and port included.
        let host = url::Url::parse(&server)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(|u| {
                let host = u.host_str()?.to_ascii_lowercase();
                Some(match u.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                })
            })
            .ok_or_else(|| {
                super::usage_error(format!(
                    "--server {server:?} is not a server address: write it as \
                     https://mastodon.example"
                ))
            })?;
        config.mastodon.servers = vec![server];
        for h in alert
            .identity
            .handles
            .iter_mut()
            .filter(|h| h.platform == alert.platform)
        {
            let user = h.handle.split('@').next().unwrap_or_default().to_string();
            h.handle = format!("{user}@{host}");
        }
    }
    if let Some(reporter) = &args.reporter {
        alert.identity.handles.insert(
            0,
            AccountHandle {
                platform: alert.platform.clone(),
                handle: reporter.clone(),
            },
        );
    }
    if alert.identity.handles_on(&alert.platform).next().is_none() {
        return Err(super::usage_error(format!(
            "no {} account to file with: pass --as HANDLE",
            report::platform_name(&alert.platform)
        )));
    }
    let keychain = Keychain::new();
    let secrets = |key: &doppelwatch::secrets::SecretKey| match keychain.get(key) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("doppelwatch: keychain: {e}");
            None
        }
    };
    doppelwatch::platforms::filer_for(&alert, &config, &secrets).map_err(fail)
}

fn confirm(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    // An answer is a word: a bounded read, so a stream without newlines cannot grow it.
    if std::io::Read::take(std::io::stdin().lock(), 256)
        .read_line(&mut line)
        .is_err()
    {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

pub fn export(args: ExportArgs) -> i32 {
    let id = match alert_id(&args.alert_id) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let store = match open_store_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match report::evidence::export_bundle_with(&store, id, &args.out, Utc::now(), args.force) {
        Ok(summary) => {
            eprintln!(
                "doppelwatch: evidence bundle of alert {id} written to {}",
                summary.path.display()
            );
            print_json(&summary)
        }
        Err(e) => fail(format!("export: {e}")),
    }
}

/// `export-wave WAVE OUT`: one bundle, one manifest, every account of the wave.
pub fn export_wave(args: ExportWaveArgs) -> i32 {
    let Ok(id) = args.wave_id.trim().parse::<i64>() else {
        return super::usage_error(format!(
            "wave id {:?} is not a number; `doppelwatch waves` lists the ids",
            args.wave_id
        ));
    };
    let store = match open_store_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let written =
        report::evidence_wave::export_wave_bundle(&store, id, &args.out, Utc::now(), args.force);
    match written {
        Ok(summary) => {
            eprintln!(
                "doppelwatch: evidence bundle of wave {id} ({} files) written to {}",
                summary.files.len(),
                summary.path.display()
            );
            print_json(&summary)
        }
        Err(e) => fail(format!("export-wave: {e}")),
    }
}

fn set_state(text: &str, state: AlertState, note: &str) -> i32 {
    let id = match alert_id(text) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.set_alert_state(id, state, Some(note)) {
        Ok(alert) => print_json(&alert),
        Err(e) => store_fail(&store, e),
    }
}

pub fn allow(args: AllowArgs) -> i32 {
    set_state(&args.alert_id, AlertState::Allowed, "allowed by you")
}

pub fn dismiss(args: DismissArgs) -> i32 {
    set_state(&args.alert_id, AlertState::Dismissed, "dismissed by you")
}

pub fn snooze(args: SnoozeArgs) -> i32 {
    let id = match alert_id(&args.alert_id) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let now = Utc::now();
    let until = now + chrono::Duration::days(i64::from(args.days));
    match store.snooze_alert(id, until, now) {
        Ok(alert) => print_json(&alert),
        Err(e) => store_fail(&store, e),
    }
}
