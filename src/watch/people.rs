//! Who the service watches: the tasks of one person (a periodic check per source, the live
//! stream, the "not set up" lines of skipped sources) and, for
//! [`super::WatchService::start_following`], following the store's people: someone added
//! gets their tasks at once, someone changed gets fresh ones (a new name or handles means a
//! new detector), someone removed has theirs stopped. It never records findings or notifies.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::{tasks, RunState, Shared, SourceMode, SourceStatus, Target, WatchSetup};
use crate::identity::{Identity, Platform};
use crate::sources::Source;
use crate::store::IdentityId;

/// How often the store's people are looked at (also at every "check now").
const PEOPLE_POLL: Duration = Duration::from_secs(5);

/// A status line for `platform` and `identity`; its slot.
fn add_status(shared: &Shared, platform: Platform, identity: &str, mode: SourceMode) -> usize {
    let mut status = shared.status.lock().unwrap_or_else(|p| p.into_inner());
    status.push(SourceStatus {
        platform,
        identity: identity.to_string(),
        mode,
        state: RunState::Starting,
        last_check: None,
        next_check: None,
        last_error: None,
        rate_limited_until: None,
        last_candidates: 0,
        partial: None,
        coverage_gap: None,
    });
    status.len() - 1
}

/// Starts the tasks of one person; their handles and status slots.
pub(crate) fn spawn_person(
    shared: &Arc<Shared>,
    setup: &WatchSetup,
    target: &Target,
) -> (Vec<JoinHandle<()>>, Vec<usize>) {
    let name = &target.identity.name;
    let (mut handles, mut slots) = (Vec::new(), Vec::new());
    for source in &setup.sources {
        let slot = add_status(shared, source.platform(), name, SourceMode::Periodic);
        slots.push(slot);
        handles.push(tokio::spawn(tasks::periodic(
            shared.clone(),
            slot,
            source.clone(),
            target.clone(),
        )));
    }
    if let Some(live) = &setup.live {
        let slot = add_status(shared, live.platform(), name, SourceMode::Live);
        slots.push(slot);
        tasks::restore_coverage_gap(shared, slot, target);
        handles.push(tokio::spawn(tasks::live(
            shared.clone(),
            slot,
            live.clone(),
            target.clone(),
        )));
    }
    for (platform, why) in &setup.skipped {
        let slot = add_status(shared, platform.clone(), name, SourceMode::Periodic);
        slots.push(slot);
        shared.update_status(slot, |s| {
            s.state = RunState::NotSetUp;
            s.last_error = Some(why.clone());
        });
    }
    (handles, slots)
}

/// One watched person's tasks.
pub(crate) struct Running {
    target: Target,
    handles: Vec<JoinHandle<()>>,
    slots: Vec<usize>,
}

/// The people watched, by id.
pub(crate) type People = HashMap<IdentityId, Running>;

/// Starts the tasks of everyone registered now (so the status lists them at once).
pub(crate) fn start_all(shared: &Arc<Shared>, setup: &WatchSetup) -> People {
    let mut running = People::new();
    look(shared, setup, &mut running);
    running
}

/// Brings the running tasks in line with the store's people.
fn look(shared: &Arc<Shared>, setup: &WatchSetup, running: &mut People) {
    match shared.store.identities() {
        Ok(people) => update(shared, setup, running, people),
        Err(e) => tracing::warn!("cannot read the people to watch: {e}"),
    }
}

/// Follows the store's people until the service stops, from those [`start_all`] started.
pub(crate) async fn follow(shared: Arc<Shared>, setup: WatchSetup, mut running: People) {
    let mut check_now = shared.check_now.subscribe();
    let mut stop = shared.stop.subscribe();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(PEOPLE_POLL) => {}
            _ = check_now.changed() => {}
            _ = stop.changed() => break,
        }
        look(&shared, &setup, &mut running);
    }
    for (_, person) in running.drain() {
        for handle in person.handles {
            if tokio::time::timeout(Duration::from_secs(5), handle)
                .await
                .is_err()
            {
                tracing::warn!("a watch task did not stop in time");
            }
        }
    }
}

/// Starts the people new or changed in `people`, stops those gone or changed.
fn update(
    shared: &Arc<Shared>,
    setup: &WatchSetup,
    running: &mut People,
    people: Vec<(IdentityId, Identity)>,
) {
    let gone: Vec<IdentityId> = running
        .iter()
        .filter(|(id, r)| {
            !people
                .iter()
                .any(|(p, i)| p == *id && i == r.target.identity.as_ref())
        })
        .map(|(id, _)| *id)
        .collect();
    for id in gone {
        if let Some(person) = running.remove(&id) {
            for handle in &person.handles {
                handle.abort();
            }
            shared
                .retired
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(person.slots);
        }
    }
    for (id, identity) in people {
        if running.contains_key(&id) {
            continue;
        }
        let target = Target::new(id, identity);
        let (handles, slots) = spawn_person(shared, setup, &target);
        running.insert(
            id,
            Running {
                target,
                handles,
                slots,
            },
        );
    }
    let mut targets: Vec<Target> = running.values().map(|r| r.target.clone()).collect();
    targets.sort_by_key(|t| t.identity_id);
    *shared.targets.lock().unwrap_or_else(|p| p.into_inner()) = targets;
}
