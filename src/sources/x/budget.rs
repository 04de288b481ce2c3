//! The X spending cap: every user object X returns is a paid read (about $0.01), so each
//! check is cut to what today's cap still allows. Days are UTC days.

use chrono::NaiveDate;

/// Money spent on X reads today, against the daily cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    cap_usd: f64,
    cost_per_read_usd: f64,
    day: NaiveDate,
    spent_usd: f64,
}

impl Budget {
    /// A budget with nothing spent yet on `today`.
    pub fn new(cap_usd: f64, cost_per_read_usd: f64, today: NaiveDate) -> Budget {
        Budget {
            cap_usd: cap_usd.max(0.0),
            cost_per_read_usd: cost_per_read_usd.max(0.0),
            day: today,
            spent_usd: 0.0,
        }
    }

    /// Restores what was already spent on `day` (the watcher stores it across restarts).
    pub fn restore(&mut self, day: NaiveDate, spent_usd: f64) {
        self.day = day;
        self.spent_usd = spent_usd.max(0.0);
    }

    fn roll(&mut self, today: NaiveDate) {
        if today != self.day {
            self.day = today;
            self.spent_usd = 0.0;
        }
    }

    /// Paid reads still allowed on `today`.
    pub fn reads_left(&mut self, today: NaiveDate) -> u32 {
        self.roll(today);
        if self.cost_per_read_usd <= 0.0 {
            return u32::MAX;
        }
        // A hair of tolerance so $1.00 / $0.01 is 100 reads, not 99.
        let left = (self.cap_usd - self.spent_usd) / self.cost_per_read_usd + 1e-9;
        if left <= 0.0 {
            0
        } else {
            left.floor().min(u32::MAX as f64) as u32
        }
    }

    /// Records `reads` paid reads on `today`.
    pub fn charge(&mut self, reads: u32, today: NaiveDate) {
        self.roll(today);
        self.spent_usd += f64::from(reads) * self.cost_per_read_usd;
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
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
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
}
