//! The X spending cap: every user object X returns is a paid read (about $0.01), so each
//! check is cut to what today's cap still allows. Days are UTC days.
//!
//! Several processes may spend at once (the watcher, `scan`): the budget keeps apart what it
//! spent since it last handed its spending to the store ([`Budget::take_unsaved`]), so the
//! store adds it to what the others spent, and [`Budget::restore`] then takes today's total.

use chrono::NaiveDate;

/// Money spent on X reads today, against the daily cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    cap_usd: f64,
    cost_per_read_usd: f64,
    day: NaiveDate,
    spent_usd: f64,
    /// Part of `spent_usd` not yet handed to the store.
    unsaved_usd: f64,
    /// While set, checks stop when `spent_usd` reaches it: one person's share of the room
    /// left today ([`Budget::limit`]), so the first person checked cannot take it all.
    ceiling_usd: Option<f64>,
}

impl Budget {
    /// A budget with nothing spent yet on `today`.
    pub fn new(cap_usd: f64, cost_per_read_usd: f64, today: NaiveDate) -> Budget {
        Budget {
            cap_usd: cap_usd.max(0.0),
            cost_per_read_usd: cost_per_read_usd.max(0.0),
            day: today,
            spent_usd: 0.0,
            unsaved_usd: 0.0,
            ceiling_usd: None,
        }
    }

    /// Lets the next reads on `today` spend at most `usd` more (`None`: up to the cap only).
    pub fn limit(&mut self, usd: Option<f64>, today: NaiveDate) {
        self.roll(today);
        self.ceiling_usd = usd
            .filter(|u| u.is_finite())
            .map(|u| self.spent_usd + u.max(0.0));
    }

    /// Dollars the cap still allows on `today`.
    pub fn room_usd(&mut self, today: NaiveDate) -> f64 {
        self.roll(today);
        (self.cap_usd - self.spent_usd).max(0.0)
    }

    /// Restores what every process together spent on `day`, as stored: today's total is
    /// that plus what this budget spent and has not handed to the store yet. A stored day
    /// other than the budget's is ignored when older (a new day starts afresh).
    pub fn restore(&mut self, day: NaiveDate, spent_usd: f64) {
        let stored = if spent_usd.is_finite() {
            spent_usd.max(0.0)
        } else {
            0.0
        };
        if day > self.day {
            self.day = day;
            self.unsaved_usd = 0.0;
        }
        if day == self.day {
            self.spent_usd = stored + self.unsaved_usd;
        }
    }

    /// What was spent on the budget's day and not handed to the store yet.
    pub fn unsaved(&mut self, today: NaiveDate) -> (NaiveDate, f64) {
        self.roll(today);
        (self.day, self.unsaved_usd)
    }

    /// `usd` of what [`Budget::unsaved`] said on `day` is now in the store.
    pub fn saved(&mut self, day: NaiveDate, usd: f64) {
        if day == self.day {
            self.unsaved_usd = (self.unsaved_usd - usd).max(0.0);
        }
    }

    fn roll(&mut self, today: NaiveDate) {
        if today > self.day {
            self.day = today;
            self.spent_usd = 0.0;
            self.unsaved_usd = 0.0;
            self.ceiling_usd = None;
        }
    }

    /// Paid reads still allowed on `today`.
    pub fn reads_left(&mut self, today: NaiveDate) -> u32 {
        self.roll(today);
        if self.cost_per_read_usd <= 0.0 {
            return u32::MAX;
        }
        // A hair of tolerance so $1.00 / $0.01 is 100 reads, not 99.
        let limit = self
            .ceiling_usd
            .map_or(self.cap_usd, |c| c.min(self.cap_usd));
        let left = (limit - self.spent_usd) / self.cost_per_read_usd + 1e-9;
        if left <= 0.0 {
            0
        } else {
            left.floor().min(u32::MAX as f64) as u32
        }
    }

    /// Records `reads` paid reads on `today`.
    pub fn charge(&mut self, reads: u32, today: NaiveDate) {
        self.roll(today);
        let usd = f64::from(reads) * self.cost_per_read_usd;
        self.spent_usd += usd;
        self.unsaved_usd += usd;
    }

    /// Dollars spent on `today`.
    pub fn spent_usd(&mut self, today: NaiveDate) -> f64 {
        self.roll(today);
        self.spent_usd
    }

    /// The daily cap in dollars.
    pub fn cap_usd(&self) -> f64 {
        self.cap_usd
    }

    /// The price of one read in dollars.
    pub fn cost_per_read_usd(&self) -> f64 {
        self.cost_per_read_usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d.max(1)).unwrap() - chrono::Days::new(u64::from(d == 0))
    }

    #[test]
    fn the_cap_limits_reads_and_resets_each_day() {
        let mut b = Budget::new(1.0, 0.01, day(1));
        assert_eq!(b.reads_left(day(1)), 100);
        b.charge(60, day(1));
        assert_eq!(b.reads_left(day(1)), 40);
        b.charge(40, day(1));
        assert_eq!(b.reads_left(day(1)), 0);
        assert!((b.spent_usd(day(1)) - 1.0).abs() < 1e-9);
        assert_eq!(b.reads_left(day(2)), 100, "a new UTC day starts afresh");
    }

    #[test]
    fn restored_spending_counts() {
        let mut b = Budget::new(0.5, 0.01, day(1));
        b.restore(day(1), 0.45);
        assert_eq!(b.reads_left(day(1)), 5);
        let mut zero = Budget::new(0.0, 0.01, day(1));
        assert_eq!(zero.reads_left(day(1)), 0);
    }

    #[test]
    fn spending_is_handed_over_once_and_other_processes_count() {
        let mut b = Budget::new(1.0, 0.01, day(1));
        b.charge(10, day(1));
        let (d, usd) = b.unsaved(day(1));
        assert_eq!(d, day(1));
        assert!((usd - 0.10).abs() < 1e-9);
        b.charge(5, day(1));
        b.saved(d, usd);
        assert!(
            (b.unsaved(day(1)).1 - 0.05).abs() < 1e-9,
            "only what was handed over"
        );
        // The store now holds 0.10 (ours) + 0.50 (another process): 0.65 in all with ours unsaved.
        b.restore(day(1), 0.60);
        assert!((b.spent_usd(day(1)) - 0.65).abs() < 1e-9);
        assert_eq!(b.reads_left(day(1)), 35);
        b.restore(day(0), 5.0);
        assert_eq!(b.reads_left(day(1)), 35, "an older stored day is ignored");
    }
}
