//! The window's views of several people, the alert list's rows and waves (issue 11): the
//! facade's answers turned into the IPC views the People screen, the alert list and the wave
//! grid read. Nothing is decided here: validation, removal rules and alert transitions are
//! the core's.

use std::collections::HashMap;

use chrono::Utc;
use doppelwatch::app::avatar;
use doppelwatch::app::people::Person;
use doppelwatch::store::{AlertFilter, IdentityId};

use crate::error::{CommandError, CommandResult};
use crate::ipc::{
    AlertAction, AlertPicture, BatchFailure, BatchResult, HandleInput, PersonView, WaveView,
};
use crate::state::AppState;
use crate::views;

/// The most alerts one batch action or one pictures request takes (a wave of thousands is
/// acted on in several calls).
pub const MAX_BATCH: usize = 10_000;
/// The most pictures one request returns (the rows on screen).
pub const MAX_PICTURES: usize = 500;

impl AppState {
    /// The small pictures of these alerts' accounts; an alert that does not exist is left out.
    pub fn alert_pictures(&self, ids: &[i64]) -> CommandResult<Vec<AlertPicture>> {
        if ids.len() > MAX_PICTURES {
            return Err(CommandError::invalid(format!(
                "{} pictures asked for at once: ask for at most {MAX_PICTURES} (the rows on screen)",
                ids.len()
            )));
        }
        let mut pictures = Vec::with_capacity(ids.len());
        // A wave's accounts often share one stolen picture: each is made small once.
        let mut made: HashMap<String, Option<String>> = HashMap::new();
        for &id in ids {
            let Ok(alert) = self.store.alert(id) else {
                continue;
            };
            let avatar = match alert.avatar_sha256 {
                Some(sha) => match made.get(&sha) {
                    Some(url) => url.clone(),
                    None => {
                        let url = self.store.avatar(&sha)?.and_then(|b| {
                            avatar::png_data_url_sized(&b, avatar::LIST_THUMB_SIDE).ok()
                        });
                        made.insert(sha, url.clone());
                        url
                    }
                },
                None => None,
            };
            pictures.push(AlertPicture { id, avatar });
        }
        Ok(pictures)
    }

    /// The same decision on each of `ids`: those that cannot take it (gone, or in a state
    /// that does not allow it) are listed with the reason, the others are changed.
    pub fn act_on_alerts(&self, ids: &[i64], action: AlertAction) -> CommandResult<BatchResult> {
        if ids.len() > MAX_BATCH {
            return Err(CommandError::invalid(format!(
                "{} alerts at once: select at most {MAX_BATCH}",
                ids.len()
            )));
        }
        let now = Utc::now();
        let mut result = BatchResult {
            done: Vec::new(),
            failed: Vec::new(),
        };
        for &id in ids {
            match self.act_on_alert_at(id, action, now) {
                Ok(summary) => result.done.push(summary),
                Err(e) => result.failed.push(BatchFailure {
                    id,
                    message: e.message,
                }),
            }
        }
        Ok(result)
    }

    /// One wave with its alerts, newest first.
    pub fn wave(&self, id: i64) -> CommandResult<WaveView> {
        let wave = self.store.wave(id)?;
        let now = Utc::now();
        let alerts = self
            .store
            .alerts(&AlertFilter {
                wave_id: Some(id),
                ..AlertFilter::default()
            })?
            .iter()
            .map(|a| views::row(a, now))
            .collect();
        Ok(WaveView {
            id: wave.id,
            person_id: wave.person.id,
            person_name: wave.person.name,
            verdict: wave.verdict.as_str().to_string(),
            count: wave.count,
            open: wave.open,
            platforms: wave.platforms.iter().map(|p| p.to_string()).collect(),
            started_at: wave.started_at.to_rfc3339(),
            last_alert_at: wave.last_alert_at.to_rfc3339(),
            alerts,
        })
    }

    /// Every registered person with their picture and alert counts.
    pub fn people_views(&self) -> CommandResult<Vec<PersonView>> {
        Ok(self
            .people()?
            .into_iter()
            .map(|p| self.person_view_of(p))
            .collect())
    }

    /// One person as listed.
    pub fn person_view(&self, id: IdentityId) -> CommandResult<PersonView> {
        self.people()?
            .into_iter()
            .find(|p| p.id == id)
            .map(|p| self.person_view_of(p))
            .ok_or_else(|| CommandError::not_found(format!("no person {id}")))
    }

    fn person_view_of(&self, p: Person) -> PersonView {
        PersonView {
            id: p.id,
            avatar: self.person_avatar(&p.identity),
            name: p.name,
            aliases: p.identity.aliases,
            handles: p
                .identity
                .handles
                .iter()
                .map(|h| HandleInput {
                    platform: h.platform.to_string(),
                    handle: h.handle.clone(),
                })
                .collect(),
            bio: p.identity.bio,
            open_alerts: p.alerts.open,
            total_alerts: p.alerts.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ipc::{AlertAction, AlertStateView, IdentityInput};
    use crate::state::tests::app_with_alerts;

    #[test]
    fn rows_say_who_and_a_wave_is_acted_on_at_once() {
        let (_dir, app, ids) = app_with_alerts("wave-batch", 4);
        let page = app.alert_list(&Default::default(), 0, 100).unwrap();
        assert_eq!((page.total, page.rows.len()), (4, 4));
        let row = page.rows.iter().find(|r| r.id == ids[0]).unwrap();
        assert_eq!(row.person_name, "Palmer Report");
        assert_eq!(row.handle, "palmer-0.bsky.social");
        // Raised together, they came as one wave.
        let wave_id = row.wave_id.expect("the alerts form a wave");
        let wave = app.wave(wave_id).unwrap();
        assert_eq!(wave.person_name, "Palmer Report");
        assert_eq!(wave.count, 4);
        // The list marks by place the characters the grid marks one by one.
        let tile = wave.alerts.iter().find(|a| a.summary.id == ids[0]).unwrap();
        let noted: Vec<(u32, String)> = (0u32..)
            .zip(&tile.handle_marks)
            .filter(|(_, m)| m.note.is_some())
            .map(|(at, m)| (at, m.ch.clone()))
            .collect();
        let listed: Vec<(u32, String)> = row.marks.iter().map(|m| (m.at, m.ch.clone())).collect();
        assert_eq!(listed, noted);
        let mut in_wave: Vec<i64> = wave.alerts.iter().map(|a| a.summary.id).collect();
        in_wave.sort();
        assert_eq!(in_wave, ids);
        assert!(app.wave(wave_id + 100).is_err());

        // Three marked at once; an alert that does not exist is reported, not fatal.
        let picked = [ids[0], ids[1], ids[2], 999_999];
        let result = app
            .act_on_alerts(&picked, AlertAction::NotImpostor)
            .unwrap();
        assert_eq!(result.done.len(), 3);
        assert!(result
            .done
            .iter()
            .all(|s| s.state == AlertStateView::Allowed));
        assert_eq!(result.failed.len(), 1);
        assert_eq!(result.failed[0].id, 999_999);
        let after = app.wave(wave_id).unwrap();
        assert_eq!(after.open, 1, "only the one left out is still open");
        let too_many = vec![ids[0]; super::MAX_BATCH + 1];
        assert!(app.act_on_alerts(&too_many, AlertAction::Seen).is_err());
        // Pictures: the accounts have none; unknown alerts are left out.
        let pictures = app.alert_pictures(&[ids[3], 424_242]).unwrap();
        assert_eq!(pictures.len(), 1);
        assert_eq!(pictures[0].avatar, None);
    }

    #[test]
    fn people_are_listed_with_counts_and_removal_with_alerts_needs_consent() {
        let (_dir, app, ids) = app_with_alerts("people", 2);
        let people = app.people_views().unwrap();
        assert_eq!(people.len(), 1);
        let palmer = &people[0];
        assert_eq!((palmer.open_alerts, palmer.total_alerts), (2, 2));
        let input = |name: &str, handle: &str| IdentityInput {
            name: name.into(),
            aliases: vec![" ".into()],
            handles: vec![crate::ipc::HandleInput {
                platform: "bluesky".into(),
                handle: handle.into(),
            }],
            bio: Some("".into()),
        };
        // The core's rules: an invalid handle is refused with the field named.
        let bad = app.add_person(crate::commands::people::typed(input(
            "Jane Doe",
            "not a handle!",
        )));
        assert!(bad.is_err());
        let added = app
            .add_person(crate::commands::people::typed(input(
                "Jane Doe",
                "janedoe.bsky.social",
            )))
            .unwrap();
        let jane = app.person_view(added.id).unwrap();
        assert_eq!(jane.aliases, Vec::<String>::new(), "blank alias dropped");
        assert_eq!(jane.bio, None);
        assert_eq!(app.people_views().unwrap().len(), 2);
        // Palmer has alerts: refused without consent, removed with it.
        let refused = app
            .remove_person(&palmer.id.to_string(), false)
            .unwrap_err();
        assert!(refused.message.contains('2'), "{}", refused.message);
        assert!(app.store.alert(ids[0]).is_ok());
        app.remove_person(&palmer.id.to_string(), true).unwrap();
        assert!(app.store.alert(ids[0]).is_err());
        assert_eq!(app.people_views().unwrap().len(), 1);
    }
}
