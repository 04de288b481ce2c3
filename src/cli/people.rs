//! `people` and `waves` (issue 11): thin adapters over the app facade's people functions
//! ([`doppelwatch::app::people`]) and the store's waves. Listing opens the store read-only and
//! never creates it; adding creates it; removing refuses to drop alerts unless told.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use doppelwatch::app::people;
use doppelwatch::identity::Identity;
use doppelwatch::store::{IdentityId, Store};

use super::alerts::{existing_data_dir, fail, open_store, open_store_read_only, print_json};

#[derive(Args)]
pub struct PeopleArgs {
    #[command(subcommand)]
    pub action: Option<PeopleAction>,
}

#[derive(Subcommand)]
pub enum PeopleAction {
    /// Register a person from an identity JSON file (the same file `--identity` takes); a
    /// person of the same name is updated instead (same id, alerts kept).
    Add {
        /// Identity JSON file: {"name", "aliases"?, "handles": [{"platform", "handle"}],
        /// "avatar"?, "bio"?}.
        file: PathBuf,
    },
    /// Stop watching a person. Refused while they have alerts, unless --with-alerts.
    Remove {
        /// The person's id (see `doppelwatch people`) or name.
        person: String,
        /// Also delete their alerts, reports and waves (export what you want to keep first).
        #[arg(long)]
        with_alerts: bool,
    },
}

#[derive(Args)]
pub struct WavesArgs {
    /// Only the waves of this person (id or name).
    #[arg(long)]
    pub person: Option<String>,
}

/// `people`: the list as JSON; `people add FILE`; `people remove NAME_OR_ID`.
pub fn people(args: PeopleArgs) -> i32 {
    match args.action {
        None => list(),
        Some(PeopleAction::Add { file }) => add(&file),
        Some(PeopleAction::Remove {
            person,
            with_alerts,
        }) => remove(&person, with_alerts),
    }
}

fn list() -> i32 {
    if let Err(Ok(no_data)) = existing_data_dir() {
        super::out::eprintln_quiet(&format!("doppelwatch: {no_data}"));
        return print_json(&Vec::<people::Person>::new());
    }
    let store = match open_store_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match people::people(&store) {
        Ok(list) => print_json(&list),
        Err(e) => fail(e),
    }
}

fn add(file: &std::path::Path) -> i32 {
    let identity = match Identity::load(file) {
        Ok(i) => i,
        Err(e) => return super::usage_error(format!("people add: {e}")),
    };
    let store = match doppelwatch::store::data_dir(super::data_dir_override())
        .and_then(|dir| Store::open_in(&dir))
    {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match people::add_person(&store, identity) {
        Ok(added) => print_json(&added),
        Err(e) if e.kind == doppelwatch::app::ErrorKind::Invalid => {
            super::usage_error(format!("people add: {}: {e}", file.display()))
        }
        Err(e) => fail(e),
    }
}

fn remove(person: &str, with_alerts: bool) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match people::remove_person(&store, person, with_alerts) {
        Ok((id, name, alerts)) => print_json(&serde_json::json!({
            "removed": {"id": id, "name": name},
            "alerts_removed": alerts.total,
        })),
        Err(e) => fail(e),
    }
}

/// `waves`: the waves as JSON, most recent first.
pub fn waves(args: WavesArgs) -> i32 {
    if let Err(Ok(no_data)) = existing_data_dir() {
        super::out::eprintln_quiet(&format!("doppelwatch: {no_data}"));
        return print_json(&Vec::<doppelwatch::store::Wave>::new());
    }
    let store = match open_store_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let person = match args.person.as_deref() {
        None => None,
        Some(p) => match people::find_person(&store, p) {
            Ok((id, _)) => Some(id),
            Err(e) => return super::usage_error(e),
        },
    };
    match store.waves(person) {
        Ok(list) => print_json(&list),
        Err(e) => fail(store.explain(e)),
    }
}

/// The registered people `scan`/`watch` check: the one `person` names (id or name), else all.
/// Nobody registered, or no such person, is an argument error (exit 2) saying what to do.
pub(super) fn registered(
    store: &Store,
    person: Option<&str>,
    command: &str,
) -> Result<Vec<(IdentityId, Identity)>, i32> {
    if let Some(person) = person {
        return people::find_person(store, person)
            .map(|found| vec![found])
            .map_err(|e| super::usage_error(format!("{command}: {e}")));
    }
    let all = store.identities().map_err(|e| fail(store.explain(e)))?;
    if all.is_empty() {
        return Err(nobody(command));
    }
    Ok(all)
}

/// "Nobody is registered" as an argument error.
pub(super) fn nobody(command: &str) -> i32 {
    super::usage_error(format!(
        "{command}: nobody is registered to watch: add a person with `doppelwatch people add FILE`, or pass --identity FILE"
    ))
}
