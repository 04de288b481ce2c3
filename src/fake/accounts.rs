//! The accounts a fake keeps when the platform names them by an id of its own choosing (fake X,
//! fake YouTube): each [`FakeAccount`] placed gets the next id, and a removed one (suspended,
//! terminated) stays on the list, gone, so its id is never reused and its picture still
//! answers. Only state: the fakes turn these into their platform's resources.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::{lock, FakeAccount};

/// One account as a fake keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    pub id: String,
    /// The handle without a leading `@`, as its owner typed it.
    pub handle: String,
    pub name: String,
    pub bio: String,
    pub avatar: Option<Arc<Vec<u8>>>,
    pub followers: u64,
    pub labels: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Removed (suspended, terminated): no longer found.
    pub gone: bool,
}

impl Kept {
    /// Whether the account carries `label` (`parody` on X, `hidden_subscribers` on YouTube).
    pub fn labelled(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }
}

/// The accounts of one fake and the number the next id is made of.
#[derive(Debug)]
pub(crate) struct Accounts {
    list: Mutex<Vec<Kept>>,
    next: AtomicU64,
}

impl Accounts {
    /// No accounts yet; the first id is made of `first`.
    pub fn new(first: u64) -> Accounts {
        Accounts {
            list: Mutex::new(Vec::new()),
            next: AtomicU64::new(first),
        }
    }

    /// Keeps `account` under the id `id_of` makes of the next number; returns that id.
    pub fn add(&self, account: FakeAccount, id_of: impl FnOnce(u64) -> String) -> String {
        let id = id_of(self.next.fetch_add(1, Ordering::SeqCst));
        lock(&self.list).push(Kept {
            id: id.clone(),
            handle: account.handle.trim_start_matches('@').to_string(),
            name: account.display_name.unwrap_or_default(),
            bio: account.bio.unwrap_or_default(),
            avatar: account.avatar.map(Arc::new),
            followers: account.followers,
            labels: account.labels,
            created_at: account.created_at.unwrap_or_else(Utc::now),
            gone: false,
        });
        id
    }

    /// Removes the first account still there that `is` picks; whether there was one.
    pub fn remove(&self, is: impl Fn(&Kept) -> bool) -> bool {
        let mut list = lock(&self.list);
        let Some(account) = list.iter_mut().find(|a| !a.gone && is(a)) else {
            return false;
        };
        account.gone = true;
        true
    }

    /// The accounts still there, in the order placed.
    pub fn visible(&self) -> Vec<Kept> {
        lock(&self.list)
            .iter()
            .filter(|a| !a.gone)
            .cloned()
            .collect()
    }

    /// The picture of the account `id`, gone or not.
    pub fn avatar(&self, id: &str) -> Option<Arc<Vec<u8>>> {
        lock(&self.list)
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.avatar.clone())
    }
}
