//! The people Doppelwatch watches, for every front end: list them with their alert counts,
//! add (or update, by name) one from an identity, find one by name or id, remove one. The
//! functions take the store, so a front end that only reads (the CLI's `people` listing) can
//! use a read-only store; [`super::App`] has the same as methods.
//!
//! It never removes alerts silently: a person with alerts is removed only when the caller
//! says so ([`remove_person`] `with_alerts`), after the person was told how many there are.

use serde::{Deserialize, Serialize};

use super::{AppError, AppResult, ErrorKind};
use crate::identity::Identity;
use crate::store::{IdentityId, PersonAlerts, Store, StoreError};

/// A watched person as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// The stable id (a rename keeps it).
    pub id: IdentityId,
    pub name: String,
    pub identity: Identity,
    /// Their alerts: open (new, seen, reported) and in all.
    pub alerts: PersonAlerts,
}

/// What adding a person did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Added {
    pub id: IdentityId,
    pub name: String,
    /// False when a person of that name was registered already (and is now updated).
    pub new: bool,
}

/// Every registered person, oldest first.
pub fn people(store: &Store) -> AppResult<Vec<Person>> {
    store
        .identities()?
        .into_iter()
        .map(|(id, identity)| {
            Ok(Person {
                id,
                name: identity.name.clone(),
                alerts: store.person_alerts(id)?,
                identity,
            })
        })
        .collect()
}

/// The person as typed in a form: blank aliases, handles and bio dropped.
pub fn tidy(typed: Identity) -> Identity {
    Identity {
        aliases: typed
            .aliases
            .into_iter()
            .filter(|a| !a.trim().is_empty())
            .collect(),
        handles: typed
            .handles
            .into_iter()
            .filter(|h| !h.handle.trim().is_empty())
            .collect(),
        bio: typed.bio.filter(|b| !b.trim().is_empty()),
        ..typed
    }
}

/// `identity` validated, with at least one real handle.
fn checked(identity: Identity) -> AppResult<Identity> {
    let identity = identity
        .validated()
        .map_err(|e| AppError::invalid(e.to_string()))?;
    if identity.handles.is_empty() {
        return Err(AppError::invalid(format!(
            "{} has no handles: add at least one of their real handles so we know what to watch",
            identity.name
        )));
    }
    Ok(identity)
}

/// Registers `identity` (validated, at least one real handle), or updates the person of the
/// same name.
pub fn add_person(store: &Store, identity: Identity) -> AppResult<Added> {
    let identity = checked(identity)?;
    let existed = store
        .identities()?
        .iter()
        .any(|(_, known)| known.name == identity.name);
    let id = store.upsert_identity(&identity)?;
    Ok(Added {
        id,
        name: identity.name,
        new: !existed,
    })
}

/// Changes the person `id` (validated like [`add_person`]); their alerts stay theirs. A name
/// another person has is refused.
pub fn update_person(store: &Store, id: IdentityId, identity: Identity) -> AppResult<Identity> {
    let identity = checked(identity)?;
    let taken = store
        .identities()?
        .iter()
        .any(|(other, known)| *other != id && known.name == identity.name);
    if taken {
        return Err(AppError::invalid(format!(
            "field name: {} is registered already: choose another name or edit that person",
            identity.name
        )));
    }
    store.update_identity(id, &identity)?;
    Ok(identity)
}

/// The person named `name_or_id`: their id (a number), else their exact name, else their
/// name in any case when only one person matches.
pub fn find_person(store: &Store, name_or_id: &str) -> AppResult<(IdentityId, Identity)> {
    let wanted = name_or_id.trim();
    let all = store.identities()?;
    let by_id = wanted
        .parse::<IdentityId>()
        .ok()
        .and_then(|id| all.iter().find(|(known, _)| *known == id));
    let exact = || all.iter().find(|(_, i)| i.name == wanted);
    let folded = || {
        let mut matching = all
            .iter()
            .filter(|(_, i)| i.name.to_lowercase() == wanted.to_lowercase());
        match (matching.next(), matching.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    if let Some(found) = by_id.or_else(exact).or_else(folded) {
        return Ok(found.clone());
    }
    let names: Vec<String> = all
        .iter()
        .map(|(id, i)| format!("{id} ({})", i.name))
        .collect();
    Err(AppError::new(
        ErrorKind::NotFound,
        if names.is_empty() {
            format!(
                "no person {wanted:?}: nobody is registered yet (`doppelwatch people add FILE`)"
            )
        } else {
            format!(
                "no person {wanted:?}; registered: {} (give the id or the name)",
                names.join(", ")
            )
        },
    ))
}

/// Removes the person `name_or_id`. A person with alerts is refused (nothing changes, the
/// error says how many) unless `with_alerts`, which removes their alerts, reports and waves
/// too. Returns who was removed and the alerts removed with them.
pub fn remove_person(
    store: &Store,
    name_or_id: &str,
    with_alerts: bool,
) -> AppResult<(IdentityId, String, PersonAlerts)> {
    let (id, identity) = find_person(store, name_or_id)?;
    match store.remove_identity(id, with_alerts) {
        Ok(removed) => Ok((id, identity.name, removed)),
        Err(e @ StoreError::HasAlerts { .. }) => Err(AppError::invalid(e.to_string())),
        Err(e) => Err(store.explain(e).into()),
    }
}
