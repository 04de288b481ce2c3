//! Outcomes (issue 12) on a real SQLite file: each case from found to reported to gone with
//! its dates, the figures (median days from report to takedown per platform, impostors per
//! ISO week by outcome, quiet weeks as zeros), and the follow-up draft of a report still
//! unanswered after a week.

mod support_watch;

use doppelwatch::detect::Signal;
use doppelwatch::identity::Platform;
use doppelwatch::profile::Profile;
use doppelwatch::report::{follow_up_draft, FollowUpError};
use doppelwatch::store::{
    AlertState, Case, CaseFigures, CaseOutcome, ReportMethod, Store, FOLLOW_UP_AFTER_DAYS,
};
use support_watch::*;

fn account(platform: Platform, n: u32) -> Profile {
    let handle = match platform {
        Platform::Mastodon => format!("palmer{n}@mastodon.example"),
        Platform::X => format!("PaImerReport{n}"),
        _ => format!("palmer-report{n}.bsky.social"),
    };
    Profile {
        platform,
        handle,
        display_name: Some("PaImer Report".into()),
        platform_id: Some(format!("id-{n}")),
        ..Default::default()
    }
}

/// The timeline of the module docs' cases; returns the store and the ids by letter.
struct History {
    store: Store,
    ids: std::collections::HashMap<char, i64>,
}

fn history(dir: &std::path::Path) -> History {
    let store = Store::open_in(dir).unwrap();
    let me = store.upsert_identity(&palmer()).unwrap();
    let impostor = impostor_assessment(&[Signal::DisplayName, Signal::Avatar]);
    let mut ids = std::collections::HashMap::new();
    // (letter, platform, found, reported (day, method, reference), gone)
    type Step = (
        char,
        Platform,
        i64,
        Option<(i64, ReportMethod, Option<&'static str>)>,
        Option<i64>,
    );
    let steps: [Step; 10] = [
        (
            'A',
            Platform::Bluesky,
            0,
            Some((1, ReportMethod::Api, Some("101"))),
            Some(4),
        ),
        (
            'B',
            Platform::Bluesky,
            0,
            Some((2, ReportMethod::Api, None)),
            Some(3),
        ),
        (
            'C',
            Platform::Bluesky,
            7,
            Some((8, ReportMethod::Api, None)),
            Some(13),
        ),
        (
            'D',
            Platform::Mastodon,
            7,
            Some((7, ReportMethod::Api, None)),
            Some(9),
        ),
        (
            'E',
            Platform::Mastodon,
            7,
            Some((7, ReportMethod::Api, None)),
            Some(13),
        ),
        (
            'F',
            Platform::X,
            21,
            Some((21, ReportMethod::Form, None)),
            None,
        ),
        (
            'G',
            Platform::X,
            21,
            Some((28, ReportMethod::Form, None)),
            None,
        ),
        ('H', Platform::Bluesky, 21, None, None),
        ('I', Platform::Bluesky, 0, None, Some(2)),
        (
            'L',
            Platform::Mastodon,
            21,
            Some((22, ReportMethod::Api, Some("4242"))),
            None,
        ),
    ];
    for (n, (letter, platform, found, reported, gone)) in steps.into_iter().enumerate() {
        let id = alert_at(
            &store,
            me,
            account(platform.clone(), n as u32),
            &impostor,
            day(found),
        );
        if let Some((when, method, reference)) = reported {
            store
                .record_report(
                    id,
                    &platform,
                    method,
                    reference,
                    Some("impersonation"),
                    day(when),
                )
                .unwrap();
        }
        if let Some(when) = gone {
            store
                .close_case(id, "the account was removed", day(when))
                .unwrap();
        }
        ids.insert(letter, id);
    }
    // A namesake never reported (does not count) and an impostor the person dismissed.
    let j = alert_at(
        &store,
        me,
        account(Platform::Bluesky, 20),
        &suspicious_assessment(),
        day(0),
    );
    let k = alert_at(
        &store,
        me,
        account(Platform::Bluesky, 21),
        &impostor,
        day(0),
    );
    store
        .set_alert_state(k, AlertState::Dismissed, Some("dismissed by you"))
        .unwrap();
    ids.insert('J', j);
    ids.insert('K', k);
    History { store, ids }
}

fn case<'a>(cases: &'a [Case], h: &History, letter: char) -> &'a Case {
    cases.iter().find(|c| c.alert_id == h.ids[&letter]).unwrap()
}

#[test]
fn each_case_carries_its_dates_from_found_to_reported_to_gone() {
    let dir = tempfile::tempdir().unwrap();
    let h = history(dir.path());
    // Read back from the file by a fresh handle, as the CLI does.
    drop(h.store);
    let store = Store::open_in_read_only(dir.path()).unwrap();
    let cases = store.cases(None, day(31)).unwrap();
    assert_eq!(cases.len(), 12, "every alert is a case");
    let h = History { store, ids: h.ids };

    let a = case(&cases, &h, 'A');
    assert_eq!(a.outcome, CaseOutcome::TakenDown);
    assert_eq!(a.found_at, day(0));
    assert_eq!(a.reported_at, Some(day(1)));
    assert_eq!(a.report_method, Some(ReportMethod::Api));
    assert_eq!(a.report_reference.as_deref(), Some("101"));
    assert_eq!(a.gone_at, Some(day(4)));
    assert_eq!(a.days_to_takedown, Some(3.0));
    assert_eq!(a.days_up_since_report, None);
    assert_eq!(a.person.name, "Palmer Report");

    let f = case(&cases, &h, 'F');
    assert_eq!(f.outcome, CaseOutcome::Reported);
    assert_eq!(f.state, AlertState::Reported);
    assert_eq!(
        f.days_up_since_report,
        Some(10),
        "still up 10 days after the report"
    );
    assert!(f.follow_up_due);
    let g = case(&cases, &h, 'G');
    assert_eq!(g.days_up_since_report, Some(3));
    assert!(!g.follow_up_due, "3 days is not a week yet");

    assert_eq!(case(&cases, &h, 'H').outcome, CaseOutcome::Open);
    let i = case(&cases, &h, 'I');
    assert_eq!((i.outcome, i.reported_at), (CaseOutcome::Gone, None));
    assert_eq!(case(&cases, &h, 'K').outcome, CaseOutcome::Dismissed);
    assert!(
        !case(&cases, &h, 'J').counts(),
        "an unreported namesake is no case to count"
    );
}

#[test]
fn the_figures_give_median_days_to_takedown_per_platform_and_impostors_per_week() {
    let dir = tempfile::tempdir().unwrap();
    let h = history(dir.path());
    let figures = CaseFigures::of(&h.store.cases(None, day(31)).unwrap());
    assert_eq!(figures.counts.cases, 11, "the namesake is left out");
    assert_eq!(figures.counts.open, 1);
    assert_eq!(figures.counts.reported, 8);
    assert_eq!(figures.counts.taken_down, 5);
    assert_eq!(figures.counts.still_up, 3);
    assert_eq!(
        figures.counts.follow_up_due, 2,
        "F (10 days) and L (9 days), not G (3 days)"
    );

    let per: Vec<(String, u32, u32, Option<f64>)> = figures
        .platforms
        .iter()
        .map(|p| {
            (
                p.platform.to_string(),
                p.reported,
                p.taken_down,
                p.median_days_to_takedown,
            )
        })
        .collect();
    assert_eq!(
        per,
        vec![
            // 3, 1 and 5 days: the middle one.
            ("bluesky".to_string(), 3, 3, Some(3.0)),
            // 2 and 6 days: the mean of the two.
            ("mastodon".to_string(), 3, 2, Some(4.0)),
            ("x".to_string(), 2, 0, None),
        ]
    );

    let weeks: Vec<(&str, &str, u32)> = figures
        .weeks
        .iter()
        .map(|w| (w.week.as_str(), w.starts.as_str(), w.total))
        .collect();
    assert_eq!(
        weeks,
        vec![
            ("2026-W39", "2026-09-21", 4),
            ("2026-W40", "2026-09-28", 3),
            ("2026-W41", "2026-10-05", 0),
            ("2026-W42", "2026-10-12", 4),
        ],
        "a quiet week shows as zero"
    );
    let count = |week: usize, o: CaseOutcome| figures.weeks[week].counts[&o];
    assert_eq!(count(0, CaseOutcome::TakenDown), 2);
    assert_eq!(count(0, CaseOutcome::Gone), 1);
    assert_eq!(count(0, CaseOutcome::Dismissed), 1);
    assert_eq!(count(1, CaseOutcome::TakenDown), 3);
    assert_eq!(count(3, CaseOutcome::Reported), 3);
    assert_eq!(count(3, CaseOutcome::Open), 1);
    assert_eq!(figures.weeks[2].counts.len(), CaseOutcome::ALL.len());

    // One person's cases only.
    let jane = h.store.upsert_identity(&jane()).unwrap();
    alert_at(
        &h.store,
        jane,
        account(Platform::Bluesky, 30),
        &impostor_assessment(&[Signal::DisplayName]),
        day(30),
    );
    assert_eq!(h.store.cases(Some(jane), day(31)).unwrap().len(), 1);
    assert_eq!(h.store.cases(None, day(31)).unwrap().len(), 13);
}

#[test]
fn a_case_still_up_a_week_after_its_report_offers_a_follow_up_citing_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = history(dir.path());
    let follow_up = |letter: char, now| {
        let id = h.ids[&letter];
        let alert = h.store.alert(id).unwrap();
        follow_up_draft(&alert, &h.store.reports_for(id).unwrap(), now)
    };

    // Reported through Mastodon's API on day 22 (2026-10-13) with reference 4242.
    let draft = follow_up('L', day(31)).expect("due after 9 days");
    assert!(
        draft.text.starts_with(
            "On 2026-10-13 I reported the account @palmer9@mastodon.example on Mastodon"
        ),
        "{}",
        draft.text
    );
    assert!(
        draft.text.contains("9 days later it is still up"),
        "{}",
        draft.text
    );
    assert!(
        draft.text.contains("report reference 4242"),
        "{}",
        draft.text
    );
    assert!(
        draft.text.contains("(impersonation)"),
        "what was reported: {}",
        draft.text
    );
    assert!(
        draft.text.contains("It still uses my name and photo"),
        "{}",
        draft.text
    );
    assert!(
        draft.text.chars().count() <= 1000,
        "Mastodon's comment limit"
    );
    assert!(draft.subject.starts_with("Follow-up:"), "{}", draft.subject);
    assert!(draft.fields.iter().any(|f| f.label == "First report"));
    assert_eq!(
        draft.api, None,
        "a follow-up is sent by the person, not filed"
    );

    // Sent through X's form: the form is cited.
    let x = follow_up('F', day(31)).unwrap();
    assert!(x.text.contains("sent with X's official form"), "{}", x.text);

    // Exactly a week after the report it is offered; a day before, it says when.
    let at_week = day(28 + FOLLOW_UP_AFTER_DAYS);
    assert!(follow_up('G', at_week).is_ok());
    match follow_up('G', day(31)) {
        Err(FollowUpError::NotDue { days, due, .. }) => {
            assert_eq!((days, due.as_str()), (3, "2026-10-26"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        follow_up('H', day(31)),
        Err(FollowUpError::NotReported { .. })
    ));
    assert!(matches!(
        follow_up('A', day(31)),
        Err(FollowUpError::Closed { .. })
    ));
}
