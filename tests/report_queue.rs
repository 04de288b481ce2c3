//! The batch report queue (issue 11) over real HTTP against the fake Bluesky (the official
//! `createSession`/`createReport` shapes) and a real SQLite file: nothing is sent before the
//! undo window ends, an undone batch sends nothing, each report is sent once (a second batch
//! of the same alerts adds nothing; a report interrupted mid-request, or whose answer was
//! lost, is never resent on its own), the daily cap holds across a batch, and the CLI queues,
//! shows and undoes batches.

mod support_watch;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use doppelwatch::config::Config;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::FakeAccount;
use doppelwatch::report::queue::{self, Filers, Secrets};
use doppelwatch::secrets::{Secret, SecretKey};
use doppelwatch::store::{Alert, AlertState, QueueState, Store};
use serde_json::Value;
use support_watch::*;

const PASSWORD: &str = "queue-test-app-password";

/// A fake Bluesky that accepts the person's app password, and settings pointing at it.
async fn bluesky() -> (FakeBluesky, Config) {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com").name("Palmer Report"));
    fake.set_app_password("palmerreport.com", PASSWORD);
    let mut config = Config::default();
    config.bluesky.base_url = fake.base_url();
    config.bluesky.pds_url = fake.base_url();
    config.allow_loopback_fakes();
    (fake, config)
}

fn secrets() -> Secrets {
    Arc::new(|key: &SecretKey| {
        matches!(key, SecretKey::BlueskyAppPassword { .. }).then(|| Secret::new(PASSWORD))
    })
}

/// `n` Bluesky impostor alerts of Palmer.
fn bluesky_alerts(store: &Store, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            alert_for(
                store,
                bsky_profile(
                    &format!("did:plc:wave{i}"),
                    &format!("palmer-report{i}.bsky.social"),
                    "PaImer Report",
                ),
            )
        })
        .collect()
}

async fn send_due(store: &Store, config: &Config, cap: u32) -> queue::Round {
    let secrets = secrets();
    let lookup = move |key: &SecretKey| secrets(key);
    let build = |alert: &Alert| doppelwatch::platforms::filer_for(alert, config, &lookup);
    queue::send_due(store, &mut Filers::default(), &build, cap, &|| false)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_batch_waits_for_its_undo_window_and_sends_each_report_once() {
    let (fake, config) = bluesky().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let wave = bluesky_alerts(&store, 30);
    let on_x = alert_for(&store, {
        let mut p = bsky_profile("x-1", "PaImerReport", "PaImer Report");
        p.platform = doppelwatch::identity::Platform::X;
        p
    });
    let allowed = alert_for(
        &store,
        bsky_profile("did:plc:fan", "palmer-fan.bsky.social", "Palmer Report"),
    );
    store
        .set_alert_state(allowed, AlertState::Allowed, None)
        .unwrap();
    let mut picked = wave.clone();
    picked.extend([on_x, allowed]);

    // Queued with an hour to undo: nothing is sent yet.
    let queued = queue::enqueue(&store, &picked, Duration::from_secs(3600), Utc::now()).unwrap();
    assert_eq!(queued.batch.entries.len(), 30);
    let refused: Vec<i64> = queued.refused.iter().map(|(id, _)| *id).collect();
    assert_eq!(refused, vec![on_x, allowed], "{:?}", queued.refused);
    assert!(
        queued.refused[0].1.contains("no report API"),
        "{:?}",
        queued.refused
    );
    assert_eq!(send_due(&store, &config, 100).await.sent, 0);
    assert!(fake.received_reports().is_empty());
    // The same alerts again: already queued, left out.
    let again = queue::enqueue(&store, &wave, Duration::ZERO, Utc::now()).unwrap();
    assert!(again.batch.entries.is_empty());
    assert_eq!(again.refused.len(), 30);

    // Undone: nothing is ever sent.
    assert_eq!(store.cancel_batch(queued.batch.id, Utc::now()).unwrap(), 30);
    assert_eq!(send_due(&store, &config, 100).await.sent, 0);
    assert!(fake.received_reports().is_empty());

    // Queued again without a window: each report is sent once and recorded.
    let batch = queue::enqueue(&store, &wave, Duration::ZERO, Utc::now())
        .unwrap()
        .batch;
    assert_eq!(send_due(&store, &config, 100).await.sent, 30);
    assert_eq!(send_due(&store, &config, 100).await.sent, 0);
    let received = fake.received_reports();
    assert_eq!(received.len(), 30);
    let mut subjects: Vec<&str> = received.iter().map(|r| r.subject.as_str()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 30, "no account reported twice");
    let batch = store.batch(batch.id).unwrap();
    assert_eq!(batch.count(QueueState::Sent), 30);
    for id in &wave {
        assert_eq!(store.alert(*id).unwrap().state, AlertState::Reported);
        assert_eq!(store.reports_for(*id).unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_report_interrupted_mid_request_is_not_sent_again_unless_asked() {
    let (fake, config) = bluesky().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let wave = bluesky_alerts(&store, 5);
    let batch = queue::enqueue(&store, &wave, Duration::ZERO, Utc::now())
        .unwrap()
        .batch;
    // A sender took one entry and stopped before it could record what came of it.
    let interrupted = store.claim_due(Utc::now(), &[]).unwrap().unwrap();

    // A new sender (the restarted watcher) sends the rest, not that one.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(queue::run(
        store.clone(),
        config.clone(),
        secrets(),
        stopped,
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.batch(batch.id).unwrap().count(QueueState::Sent) < 4 {
        assert!(Instant::now() < deadline, "{:?}", store.batch(batch.id));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    runner.await.unwrap();
    let now = store.batch(batch.id).unwrap();
    assert_eq!(now.count(QueueState::Uncertain), 1, "{now:?}");
    let uncertain = now.entries.iter().find(|e| e.id == interrupted.id).unwrap();
    assert_eq!(uncertain.state, QueueState::Uncertain);
    assert!(uncertain.note.as_deref().unwrap().contains("check there"));
    assert_eq!(fake.received_reports().len(), 4);

    // The person checked on Bluesky and asks again: it is sent, once.
    assert_eq!(store.requeue_uncertain(batch.id, Utc::now()).unwrap(), 1);
    assert_eq!(send_due(&store, &config, 100).await.sent, 1);
    assert_eq!(fake.received_reports().len(), 5);
    assert_eq!(store.batch(batch.id).unwrap().count(QueueState::Sent), 5);
}

/// A filer whose report is sent and whose answer is lost (a timeout, a dropped connection);
/// it counts its tries.
struct AnswerLost(Arc<std::sync::atomic::AtomicUsize>);

#[async_trait::async_trait]
impl doppelwatch::report::ReportFiler for AnswerLost {
    fn platform(&self) -> doppelwatch::identity::Platform {
        doppelwatch::identity::Platform::Bluesky
    }

    async fn file(
        &self,
        _alert: &Alert,
        _draft: &doppelwatch::report::ReportDraft,
    ) -> Result<doppelwatch::report::FiledReport, doppelwatch::report::ReportError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(doppelwatch::report::ReportError::Interrupted {
            platform: doppelwatch::identity::Platform::Bluesky,
            why: "operation timed out".into(),
        })
    }
}

#[tokio::test]
async fn a_report_whose_answer_was_lost_is_uncertain_and_never_sent_again_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let wave = bluesky_alerts(&store, 2);
    let batch = queue::enqueue(&store, &wave, Duration::ZERO, Utc::now())
        .unwrap()
        .batch;
    let tries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let build = |_: &Alert| -> Result<Box<dyn doppelwatch::report::ReportFiler>, _> {
        Ok(Box::new(AnswerLost(tries.clone())))
    };
    let round = queue::send_due(&store, &mut Filers::default(), &build, 100, &|| false)
        .await
        .unwrap();
    assert_eq!(round.sent, 0);
    let now = store.batch(batch.id).unwrap();
    assert_eq!(now.count(QueueState::Uncertain), 2, "{now:?}");
    assert!(now.entries[0]
        .note
        .as_deref()
        .unwrap()
        .contains("check there"));
    // Later rounds (a restarted watcher's too) leave them alone.
    queue::send_due(&store, &mut Filers::default(), &build, 100, &|| false)
        .await
        .unwrap();
    assert_eq!(store.mark_interrupted_uncertain(Utc::now()).unwrap(), 0);
    assert_eq!(
        tries.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "each tried once"
    );
    // Nor does a new batch of the same alerts (a reopened window offers them as open): they
    // are left out with what to do; the person's retry of the batch queues them again.
    let again = queue::enqueue(&store, &wave, Duration::ZERO, Utc::now()).unwrap();
    assert!(again.batch.entries.is_empty(), "{again:?}");
    assert_eq!(again.refused.len(), 2);
    let why = &again.refused[0].1;
    assert!(why.contains("interrupted mid-send"), "{why}");
    assert!(
        why.contains(&format!("doppelwatch batch retry {}", batch.id)),
        "{why}"
    );
    assert_eq!(store.requeue_uncertain(batch.id, Utc::now()).unwrap(), 2);
    assert_eq!(store.uncertain_batch_of(wave[0]).unwrap(), None);
}

#[tokio::test]
async fn the_daily_cap_holds_across_a_batch_and_the_rest_waits() {
    let (fake, config) = bluesky().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let wave = bluesky_alerts(&store, 5);
    let batch = queue::enqueue(&store, &wave, Duration::ZERO, Utc::now())
        .unwrap()
        .batch;
    let round = send_due(&store, &config, 3).await;
    assert_eq!((round.sent, round.capped), (3, true));
    assert_eq!(fake.received_reports().len(), 3);
    let batch = store.batch(batch.id).unwrap();
    assert_eq!(batch.count(QueueState::Queued), 2);
    let waiting = batch
        .entries
        .iter()
        .find(|e| e.state == QueueState::Queued)
        .unwrap();
    assert!(waiting.note.as_deref().unwrap().contains("daily limit"));
    assert!(waiting.not_before > Utc::now());
    // Still capped later in the day: nothing more is sent.
    assert_eq!(send_due(&store, &config, 3).await.sent, 0);
    assert_eq!(fake.received_reports().len(), 3);
}

fn cli(data: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(doppelwatch_bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("DOPPELWATCH_CONFIG")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_queues_shows_and_undoes_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ids = data_dir_with_alerts(&data, 3);
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let mut args = vec!["batch", "file", "--undo-secs", "600"];
    args.extend(list.iter().map(String::as_str));
    let (code, filed, stderr) = cli(&data, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("doppelwatch batch undo"), "{stderr}");
    let batch_id = filed["batch"]["id"].as_i64().unwrap();
    assert_eq!(filed["batch"]["entries"].as_array().unwrap().len(), 3);
    assert!(filed["batch"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["state"] == "queued"));

    let (code, status, _) = cli(&data, &["batch", "status", &batch_id.to_string()]);
    assert_eq!(code, 0);
    assert_eq!(status["id"], batch_id);

    let (code, undone, _) = cli(&data, &["batch", "undo", &batch_id.to_string()]);
    assert_eq!(code, 0);
    assert_eq!(undone["changed"], 3);
    assert!(undone["batch"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["state"] == "cancelled"));

    // An unknown batch, an unknown alert: said plainly, nothing queued.
    let (code, _, stderr) = cli(&data, &["batch", "undo", "999"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("report batch 999"), "{stderr}");
    let (code, _, stderr) = cli(&data, &["batch", "file", "424242"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("424242"), "{stderr}");
}

#[test]
fn the_app_facade_queues_lists_and_undoes_batches() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ids = data_dir_with_alerts(&data, 4);
    let app = doppelwatch::app::App::open(data.clone(), Config::default(), None).unwrap();
    let queued = app
        .queue_reports(&ids[..3], Duration::from_secs(600))
        .unwrap();
    assert_eq!(queued.batch.entries.len(), 3);
    assert!(queued.refused.is_empty(), "{:?}", queued.refused);
    let batches = app.report_batches().unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].count(QueueState::Queued), 3);
    assert_eq!(app.open_report_batches().unwrap().len(), 1, "waiting: open");
    let undone = app.undo_batch(queued.batch.id).unwrap();
    assert_eq!(undone.count(QueueState::Cancelled), 3);
    assert!(
        app.open_report_batches().unwrap().is_empty(),
        "undone: done"
    );
    // Undone alerts can be queued again.
    let again = app.queue_reports(&ids, Duration::ZERO).unwrap();
    assert_eq!(again.batch.entries.len(), 4);

    // The watcher was killed mid-send: a window opened after lists the batch, and the
    // person's retry (after checking the platform) queues the interrupted ones again.
    let store = Store::open_in(&data).unwrap();
    for _ in 0..2 {
        assert!(store.claim_due(Utc::now(), &[]).unwrap().is_some());
    }
    assert_eq!(store.mark_interrupted_uncertain(Utc::now()).unwrap(), 2);
    let open = app.open_report_batches().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].id, open[0].count(QueueState::Uncertain)),
        (again.batch.id, 2)
    );
    let retried = app.retry_batch(again.batch.id).unwrap();
    assert_eq!(retried.count(QueueState::Uncertain), 0);
    assert_eq!(retried.count(QueueState::Queued), 4);
    assert!(app.retry_batch(9_999).is_err(), "no such batch");
}
