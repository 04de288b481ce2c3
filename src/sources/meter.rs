//! A paid source's meter, shared by X (dollars) and YouTube (quota units): the day's
//! [`Budget`], what was read recently (not read again within a window) and the name of the
//! source's hold on the day's room, with the [`Source`](super::Source) spending hooks built on
//! them. Each source keeps its own day ([`Meter::new`]'s `today`: UTC for X, YouTube's quota
//! day) and its own folding of read names.
//!
//! In-process state only: [`super::spending`] keeps it in the store. This module never
//! stores anything, runs a check or talks to a platform.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};

use super::x::budget::Budget;
use super::Spending;

/// Locks `m`, taking over a lock a panicking thread left poisoned (the state stays usable:
/// the worst a half-done update does is over-count).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a paid source spent and read, as far as this process knows.
#[derive(Debug)]
pub(crate) struct Meter {
    budget: Mutex<Budget>,
    /// When each read name (folded) was last read, by this process or (restored from the
    /// store) another.
    last_read: Mutex<HashMap<String, DateTime<Utc>>>,
    /// This source's name for its hold on the day's room ([`Spending::holder`]).
    holder: String,
    /// The source's day now (the budget's days are these).
    today: fn() -> NaiveDate,
    /// How a read name from the store is folded before it is kept (as the source folds them).
    fold: fn(&str) -> String,
}

impl Meter {
    /// A meter with nothing spent: `cap` a day at `cost_per_read` each, days as `today`
    /// counts them, read names from the store folded with `fold`.
    pub(crate) fn new(
        cap: f64,
        cost_per_read: f64,
        today: fn() -> NaiveDate,
        fold: fn(&str) -> String,
    ) -> Meter {
        Meter {
            budget: Mutex::new(Budget::new(cap, cost_per_read, today())),
            last_read: Mutex::new(HashMap::new()),
            holder: format!("{}-{:016x}", std::process::id(), rand::random::<u64>()),
            today,
            fold,
        }
    }

    /// The source's day now.
    pub(crate) fn today(&self) -> NaiveDate {
        (self.today)()
    }

    /// The budget, locked.
    pub(crate) fn budget(&self) -> MutexGuard<'_, Budget> {
        lock(&self.budget)
    }

    /// Spent today (dollars, or units for a quota).
    pub(crate) fn spent(&self) -> f64 {
        self.budget().spent_usd(self.today())
    }

    /// Paid reads still allowed today.
    pub(crate) fn reads_left(&self) -> u32 {
        self.budget().reads_left(self.today())
    }

    /// Records `reads` paid reads today.
    pub(crate) fn charge(&self, reads: u32) {
        self.budget().charge(reads, self.today());
    }

    /// What the daily cap still allows today.
    pub(crate) fn room(&self) -> f64 {
        self.budget().room_usd(self.today())
    }

    /// The daily cap.
    pub(crate) fn cap(&self) -> f64 {
        self.budget().cap_usd()
    }

    /// Whether `key` (folded) was read within `window` of now.
    pub(crate) fn read_within(&self, key: &str, window: chrono::Duration) -> bool {
        let since = Utc::now() - window;
        lock(&self.last_read).get(key).is_some_and(|t| *t > since)
    }

    /// Notes `keys` (folded) as read now.
    pub(crate) fn note_reads(&self, keys: impl IntoIterator<Item = String>) {
        let now = Utc::now();
        let mut last = lock(&self.last_read);
        for key in keys {
            last.insert(key, now);
        }
    }

    /// [`Source::unsaved_spending`](super::Source::unsaved_spending): what was spent and not
    /// handed to the store, and the reads within `window` (no billed ids: the caller adds
    /// those it keeps).
    pub(crate) fn unsaved(&self, window: chrono::Duration) -> Spending {
        let (day, usd) = self.budget().unsaved(self.today());
        let since = Utc::now() - window;
        let reads = lock(&self.last_read)
            .iter()
            .filter(|(_, t)| **t > since)
            .map(|(name, t)| (name.clone(), *t))
            .collect();
        Spending {
            day,
            usd,
            reads,
            holder: self.holder.clone(),
            cap_usd: self.cap(),
            billed: Vec::new(),
        }
    }

    /// [`Source::spending_saved`](super::Source::spending_saved) for the budget and the
    /// reads: `handed` is in the store, whose state is now `stored`.
    pub(crate) fn saved(&self, handed: &Spending, stored: &Spending) {
        {
            let mut budget = self.budget();
            budget.saved(handed.day, handed.usd);
            budget.restore(stored.day, stored.usd);
        }
        let mut last = lock(&self.last_read);
        for (name, at) in &stored.reads {
            let entry = last.entry((self.fold)(name)).or_insert(*at);
            if *at > *entry {
                *entry = *at;
            }
        }
    }

    /// [`Source::limit_check_spending`](super::Source::limit_check_spending).
    pub(crate) fn limit(&self, amount: Option<f64>) {
        self.budget().limit(amount, self.today());
    }
}
