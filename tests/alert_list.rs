//! The alert list a window shows a page at a time (issue 11: 10,000 alerts), on a real SQLite
//! file: pages cover the filtered list once each, in the list's order (new first, then seen,
//! reported, snoozed, dismissed, resolved, allowed; the account seen last first), with the
//! total; filters by person, platform, state and verdict agree with the full listing; the
//! whole filtered set's ids ("select all"); only the deceptive characters of a handle are
//! marked, by place; bad queries are refused with what to type.

mod support_watch;

use doppelwatch::app::alert_list::{alert_list, AlertQuery, MAX_PAGE};
use doppelwatch::app::ErrorKind;
use doppelwatch::detect::{marks, Signal};
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::store::{Alert, AlertFilter, AlertState, Store};
use support_watch::*;

const STATE_ORDER: [AlertState; 7] = [
    AlertState::New,
    AlertState::Seen,
    AlertState::Reported,
    AlertState::Snoozed,
    AlertState::Dismissed,
    AlertState::Resolved,
    AlertState::Allowed,
];

fn profile(platform: Platform, i: usize, handle: &str) -> Profile {
    Profile {
        platform,
        platform_id: Some(format!("acct-{i}")),
        ..bsky_profile(&format!("did:plc:list{i}"), handle, "PaImer Report")
    }
}

/// A store with `n` alerts about Palmer and Jane on four platforms, impostors and accounts
/// worth a look, seen at times out of id order (so the order is not the ids'), in every
/// state. Returns the store and the people's ids.
fn store_with_list(dir: &std::path::Path, n: usize) -> (Store, i64, i64) {
    let store = Store::open_in(dir).unwrap();
    let palmer_id = store.upsert_identity(&palmer()).unwrap();
    let jane_id = store.upsert_identity(&jane()).unwrap();
    let platforms = [
        Platform::Bluesky,
        Platform::X,
        Platform::Mastodon,
        Platform::Youtube,
    ];
    let impostor = impostor_assessment(&[Signal::DisplayName]);
    let worth = suspicious_assessment();
    for i in 0..n {
        let person = if i % 3 == 0 { jane_id } else { palmer_id };
        let platform = platforms[i % 4].clone();
        let assessment = if i % 5 == 0 { &worth } else { &impostor };
        // Seen at times that go back and forth: the list orders by it, not by id.
        let when = t(((i * 7919) % n) as i64 * 60);
        let id = alert_at(
            &store,
            person,
            profile(platform, i, &format!("palmer-report{i}")),
            assessment,
            when,
        );
        let path: &[AlertState] = match i % 7 {
            1 => &[AlertState::Seen],
            2 => &[AlertState::Seen, AlertState::Reported],
            4 => &[AlertState::Dismissed],
            5 => &[AlertState::Seen, AlertState::Reported, AlertState::Resolved],
            6 => &[AlertState::Allowed],
            _ => &[],
        };
        for state in path {
            store.set_alert_state(id, *state, None).unwrap();
        }
        if i % 7 == 3 {
            store
                .snooze_alert(id, when + chrono::Duration::days(3), when)
                .unwrap();
        }
    }
    (store, palmer_id, jane_id)
}

/// The alerts `filter` matches, in the list's order, from the full listing.
fn expected(store: &Store, filter: &AlertFilter) -> Vec<i64> {
    let mut all: Vec<Alert> = store.alerts(filter).unwrap();
    all.sort_by(|a, b| {
        let rank = |s| STATE_ORDER.iter().position(|x| *x == s).unwrap();
        rank(a.state)
            .cmp(&rank(b.state))
            .then(b.first_seen.cmp(&a.first_seen))
            .then(b.id.cmp(&a.id))
    });
    all.iter().map(|a| a.id).collect()
}

/// Every row of `query`, page by page of `size`, checking each page's total and offset.
fn paged(store: &Store, query: &AlertQuery, size: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let total = alert_list(store, query, 0, 0, t(0)).unwrap().total;
    loop {
        let offset = ids.len() as u32;
        let page = alert_list(store, query, offset, size, t(0)).unwrap();
        assert_eq!(page.total, total, "every page says the same total");
        assert_eq!(page.offset, offset);
        assert!(page.rows.len() <= size as usize);
        if page.rows.is_empty() {
            break;
        }
        ids.extend(page.rows.iter().map(|r| r.id));
    }
    assert_eq!(ids.len(), total as usize, "the pages add up to the total");
    ids
}

fn query(person: Option<i64>, platform: &str, state: &str, verdict: &str) -> AlertQuery {
    let given = |v: &str| (!v.is_empty()).then(|| v.to_string());
    AlertQuery {
        person,
        platform: given(platform),
        state: given(state),
        verdict: given(verdict),
    }
}

#[test]
fn pages_cover_the_list_once_each_in_the_lists_order_with_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = store_with_list(dir.path(), 250);
    let all = expected(&store, &AlertFilter::default());
    assert_eq!(all.len(), 250);
    assert_eq!(paged(&store, &AlertQuery::default(), 100), all);
    // Page boundaries anywhere give the same list.
    assert_eq!(paged(&store, &AlertQuery::default(), 7), all);
    let first = alert_list(&store, &AlertQuery::default(), 0, 100, t(0)).unwrap();
    assert_eq!(first.rows.len(), 100);
    assert_eq!(first.total, 250);
    let last = alert_list(&store, &AlertQuery::default(), 200, 100, t(0)).unwrap();
    assert_eq!(last.rows.len(), 50);
    assert_eq!(last.rows.last().map(|r| r.id), all.last().copied());
    let past = alert_list(&store, &AlertQuery::default(), 250, 100, t(0)).unwrap();
    assert!(past.rows.is_empty());
    assert_eq!(past.total, 250);
    // New ones first, allowed ones last; within a state the one seen last first.
    let states: Vec<AlertState> = first.rows.iter().map(|r| r.state).collect();
    assert_eq!(states[0], AlertState::New);
    assert_eq!(
        alert_list(&store, &AlertQuery::default(), 249, 1, t(0))
            .unwrap()
            .rows[0]
            .state,
        AlertState::Allowed
    );
    let new_times: Vec<&str> = first
        .rows
        .iter()
        .filter(|r| r.state == AlertState::New)
        .map(|r| r.first_seen.as_str())
        .collect();
    assert!(new_times.len() > 2);
    assert!(new_times.windows(2).all(|w| w[0] >= w[1]), "{new_times:?}");
}

#[test]
fn filters_by_person_platform_state_and_verdict_agree_with_the_full_listing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, palmer_id, jane_id) = store_with_list(dir.path(), 140);
    let cases = [
        (Some(jane_id), "", "", ""),
        (Some(palmer_id), "x", "", ""),
        (None, "mastodon", "new", ""),
        (None, "", "snoozed", ""),
        (None, "", "", "suspicious"),
        (Some(palmer_id), "bluesky", "", "impostor"),
        (Some(jane_id), "youtube", "allowed", "impostor"),
        (None, "", "", ""),
        // Blank means any.
        (None, " ", "", " "),
    ];
    for (person, platform, state, verdict) in cases {
        let q = query(person, platform, state, verdict);
        let filter = q.filter().unwrap();
        let want = expected(&store, &filter);
        assert!(
            !want.is_empty() || state == "allowed",
            "{q:?} matches something"
        );
        assert_eq!(paged(&store, &q, 10), want, "{q:?}");
        for row in alert_list(&store, &q, 0, MAX_PAGE, t(0)).unwrap().rows {
            let alert = store.alert(row.id).unwrap();
            assert!(person.is_none_or(|p| row.person_id == p), "{q:?}");
            assert!(platform.trim().is_empty() || row.platform == platform);
            assert!(state.is_empty() || row.state.as_str() == state);
            assert!(verdict.trim().is_empty() || row.verdict == verdict);
            assert_eq!(row.person_name, alert.identity.name);
            assert_eq!(row.handle, alert.profile.handle);
            assert_eq!(row.wave_id, alert.wave_id);
        }
    }
    // A platform nobody uses lists nothing.
    let none = alert_list(&store, &query(None, "tiktok", "", ""), 0, 10, t(0)).unwrap();
    assert_eq!((none.total, none.rows.len()), (0, 0));
}

#[test]
fn select_all_gets_every_id_of_the_filtered_set_in_the_lists_order() {
    let dir = tempfile::tempdir().unwrap();
    let (store, palmer_id, _) = store_with_list(dir.path(), 120);
    let app_keys = |q: &AlertQuery| store.alert_keys(&q.filter().unwrap()).unwrap();
    for q in [
        AlertQuery::default(),
        query(Some(palmer_id), "", "new", ""),
        query(None, "x", "", "impostor"),
    ] {
        let keys = app_keys(&q);
        assert_eq!(
            keys.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            paged(&store, &q, 25),
            "{q:?}"
        );
        for (id, platform) in keys {
            assert_eq!(store.alert(id).unwrap().platform, platform);
        }
    }
}

#[test]
fn only_the_deceptive_characters_are_marked_by_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let palmer_id = store.upsert_identity(&palmer()).unwrap();
    let impostor = impostor_assessment(&[Signal::ConfusableHandle]);
    // Palmer is `palmerreport.com` on Bluesky and `PalmerReport` on X, nobody on YouTube.
    let handles = [
        (Platform::Bluesky, "p\u{0430}lmerreport.com"), // Cyrillic a
        (Platform::X, "PaImerReport"),                  // capital I for l
        (Platform::Bluesky, "pal\u{200B}merreport.com"), // a zero-width space
        (Platform::Youtube, "SomeoneElse"),             // no handle of theirs to compare with
    ];
    let mut ids = Vec::new();
    for (i, (platform, handle)) in handles.iter().enumerate() {
        ids.push(alert_at(
            &store,
            palmer_id,
            profile(platform.clone(), i, handle),
            &impostor,
            t(i as i64),
        ));
    }
    let rows = alert_list(&store, &AlertQuery::default(), 0, 10, t(0))
        .unwrap()
        .rows;
    let marks_of = |id: i64| {
        rows.iter()
            .find(|r| r.id == id)
            .map(|r| r.marks.clone())
            .unwrap()
    };
    let cyrillic = marks_of(ids[0]);
    assert_eq!(cyrillic.len(), 1, "{cyrillic:?}");
    assert_eq!((cyrillic[0].at, cyrillic[0].ch.as_str()), (1, "\u{0430}"));
    assert!(cyrillic[0].note.contains("U+0430"), "{}", cyrillic[0].note);
    let capital_i = marks_of(ids[1]);
    assert_eq!(capital_i.len(), 1, "{capital_i:?}");
    assert_eq!((capital_i[0].at, capital_i[0].ch.as_str()), (2, "I"));
    let hidden = marks_of(ids[2]);
    assert!(hidden.iter().any(|m| m.at == 3), "{hidden:?}");
    assert_ne!(
        hidden.iter().find(|m| m.at == 3).unwrap().ch,
        "\u{200B}",
        "a hidden character is shown as a visible placeholder"
    );
    assert!(marks_of(ids[3]).is_empty());
    // The same characters and notes the alert view marks, by place.
    for (i, (_, handle)) in handles.iter().enumerate() {
        let alert = store.alert(ids[i]).unwrap();
        let reference = doppelwatch::app::alert_list::marks_reference(&alert);
        let full = marks::handle_marks(handle, reference.as_deref());
        let noted: Vec<(u32, String, String)> = full
            .into_iter()
            .enumerate()
            .filter_map(|(at, m)| Some((at as u32, m.ch, m.note?)))
            .collect();
        let ours: Vec<(u32, String, String)> = marks_of(ids[i])
            .into_iter()
            .map(|m| (m.at, m.ch, m.note))
            .collect();
        assert_eq!(ours, noted, "{handle}");
    }
}

#[test]
fn a_bad_query_is_refused_saying_what_to_type() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = store_with_list(dir.path(), 3);
    let refused = |q: AlertQuery, limit: u32| alert_list(&store, &q, 0, limit, t(0)).unwrap_err();
    let state = refused(query(None, "", "sleeping", ""), 10);
    assert_eq!(state.kind, ErrorKind::Invalid);
    assert!(state.message.contains("sleeping") && state.message.contains("snoozed"));
    let verdict = refused(query(None, "", "", "clear"), 10);
    assert!(
        verdict.message.contains("impostor or suspicious"),
        "{}",
        verdict.message
    );
    let big = refused(AlertQuery::default(), MAX_PAGE + 1);
    assert!(
        big.message.contains(&MAX_PAGE.to_string()),
        "{}",
        big.message
    );
    // The IPC shape: fields left out do not filter.
    let q: AlertQuery = serde_json::from_str(r#"{"state": "new"}"#).unwrap();
    assert_eq!(q, query(None, "", "new", ""));
}

#[test]
fn a_database_of_the_previous_schema_gets_the_lists_index_and_keeps_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = store_with_list(dir.path(), 30);
    let before = paged(&store, &AlertQuery::default(), 100);
    let path = store.path().to_path_buf();
    drop(store);
    let index = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'alerts_list'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    {
        // As the previous release left it: schema 6, no index for the list.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP INDEX alerts_list; PRAGMA user_version = 6;")
            .unwrap();
        assert_eq!(index(&conn), 0);
    }
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        doppelwatch::store::SCHEMA_VERSION
    );
    assert_eq!(index(&rusqlite::Connection::open(&path).unwrap()), 1);
    assert_eq!(paged(&store, &AlertQuery::default(), 100), before);
}
