//! The settings a person changes in the app: validated against the core's settings ranges and
//! saved into the settings file (only these fields change; the rest of the file is kept).

use std::collections::BTreeMap;

use chrono::NaiveTime;

use super::{lock, write_atomically, App, AppError, AppResult};
use crate::config::ranges::{Range, WATCH_CHECK_INTERVAL_SECS};
use crate::config::Config;
use crate::notify::QuietHours;

/// Whole minutes between checks that stay inside the settings range in seconds.
pub const CHECK_INTERVAL_MINUTES: Range = Range::new(
    WATCH_CHECK_INTERVAL_SECS.min / 60.0,
    WATCH_CHECK_INTERVAL_SECS.max / 60.0,
    "minutes",
);

/// The settings the app shows and changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub check_interval_minutes: u32,
    /// The daily budget of each platform that has one ([`crate::platforms::BudgetForm`]), by
    /// platform id (`x`: the spending cap in dollars, `youtube`: the quota in units). A
    /// platform left out keeps its budget when saved.
    pub budgets: BTreeMap<String, f64>,
    /// Quiet hours as typed, local `HH:MM` start and end.
    pub quiet_hours: Option<(String, String)>,
    pub worth_a_look_digest: bool,
}

impl App {
    /// The settings as they are now.
    pub fn settings(&self) -> Settings {
        let config = self.config();
        Settings {
            check_interval_minutes: (config.watch.check_interval_secs / 60).max(1) as u32,
            budgets: crate::platforms::ALL
                .iter()
                .filter_map(|m| Some((m.id().to_string(), m.budget(&config)?)))
                .collect(),
            quiet_hours: config.watch.quiet_hours.map(|q| {
                (
                    q.start.format("%H:%M").to_string(),
                    q.end.format("%H:%M").to_string(),
                )
            }),
            worth_a_look_digest: config.watch.worth_a_look_digest,
        }
    }

    /// Checks and saves settings: nothing out of range is kept, in memory or on disk.
    pub fn save_settings(&self, settings: &Settings) -> AppResult<()> {
        let minutes = CHECK_INTERVAL_MINUTES;
        if !minutes.contains(f64::from(settings.check_interval_minutes)) {
            return Err(AppError::invalid(format!(
                "check interval: type a whole number of minutes from {} to {}",
                minutes.min.ceil().max(1.0),
                minutes.max.floor()
            )));
        }
        let mut budgets = Vec::new();
        for (id, value) in &settings.budgets {
            let module = crate::platforms::by_name(id)
                .filter(|m| m.budget_form().is_some())
                .ok_or_else(|| AppError::invalid(format!("{id} has no daily budget to set")))?;
            let Some(form) = module.budget_form() else {
                continue;
            };
            if !form.accepts(*value) {
                return Err(AppError::invalid(format!(
                    "{}: type {} from {} to {}",
                    form.label,
                    if form.whole {
                        "a whole number"
                    } else {
                        "an amount"
                    },
                    form.min,
                    form.max
                )));
            }
            budgets.push((module, *value));
        }
        let quiet_hours = match &settings.quiet_hours {
            Some((start, end)) => {
                let time = |t: &str| {
                    NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
                        AppError::invalid(format!("quiet hours: {t:?} is not a time like 22:00"))
                    })
                };
                Some(QuietHours {
                    start: time(start)?,
                    end: time(end)?,
                })
            }
            None => None,
        };
        let apply = |config: &mut Config| {
            config.watch.check_interval_secs = u64::from(settings.check_interval_minutes) * 60;
            for (module, value) in &budgets {
                module.set_budget(config, *value);
            }
            config.watch.quiet_hours = quiet_hours;
            config.watch.worth_a_look_digest = settings.worth_a_look_digest;
        };
        let in_range = |config: &Config| {
            config
                .check_ranges()
                .map_err(|e| AppError::invalid(e.to_string()))
        };
        let mut in_memory = self.config();
        apply(&mut in_memory);
        in_range(&in_memory)?;
        let Some(path) = &self.config_path else {
            *lock(&self.config) = in_memory;
            return Ok(()); // demo: settings live in memory only
        };
        // Start from the file as written (not the env-overridden config) and change our fields.
        let mut on_disk = if path.exists() {
            Config::read_file(path).map_err(|e| AppError::io(e.to_string()))?
        } else {
            Config::default()
        };
        apply(&mut on_disk);
        in_range(&on_disk)?;
        if let Some(dir) = path.parent() {
            private_config_dir(dir)?;
        }
        let json = serde_json::to_vec_pretty(&on_disk)
            .map_err(|e| AppError::new(super::ErrorKind::Internal, e.to_string()))?;
        write_atomically(path, &json)?;
        *lock(&self.config) = in_memory;
        Ok(())
    }
}

/// The settings file's folder: created 0700; the default folder is also tightened if an older
/// version left it 0755 (a folder the person chose through `DOPPELWATCH_CONFIG` keeps its mode).
fn private_config_dir(dir: &std::path::Path) -> AppResult<()> {
    let is_default = Config::default_path()
        .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
        .is_some_and(|d| d == dir);
    let made = if is_default || !dir.exists() {
        crate::files::private::ensure_private_dir(dir)
    } else {
        Ok(())
    };
    made.map_err(|e| AppError::io(format!("cannot create {}: {e}", dir.display())))
}
