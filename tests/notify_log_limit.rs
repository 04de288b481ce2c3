//! Logs stay small when no notification server runs (issue 14, finding 8): the watch service's
//! dispatcher tries the pending notification every second and used to log two warnings each
//! time (about 45 MB a day). Now the first failure is logged once and later ones are counted
//! into a summary every 10 minutes (the summaries themselves are tested with a controlled
//! clock in `log_limit`'s unit tests).
//!
//! Real store, real watch service, a sink that always fails; the log is captured from
//! `tracing`. The wait is on the sink's call count, with a deadline.

mod support_watch;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doppelwatch::config::WatchConfig;
use doppelwatch::notify::{Notice, NotificationSink, NotifyError};
use doppelwatch::store::Store;
use doppelwatch::watch::{Notifications, WatchService, WatchSetup};

/// A notification service that is never there.
#[derive(Default)]
struct NoServer(AtomicUsize);

impl NotificationSink for NoServer {
    fn show(&self, _notice: &Notice) -> Result<(), NotifyError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(NotifyError::Unavailable(
            "org.freedesktop.Notifications was not provided by any .service files".into(),
        ))
    }
}

/// The log, as written by the fmt subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_notification_server_is_logged_once_not_every_second() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();

    let tmp = tempfile::tempdir().unwrap();
    support_watch::data_dir_with_alerts(tmp.path(), 1);
    let store = Arc::new(Store::open_in(tmp.path()).unwrap());
    let identity = support_watch::palmer();
    let identity_id = store.upsert_identity(&identity).unwrap();
    let sink = Arc::new(NoServer::default());
    let (_tx, actions) = tokio::sync::mpsc::unbounded_channel();
    let handle = WatchService::start(
        WatchConfig {
            notify_batch_secs: 0,
            ..WatchConfig::default()
        },
        store,
        vec![(identity_id, identity)],
        WatchSetup {
            sources: vec![],
            live: None,
            skipped: vec![],
        },
        Notifications {
            sink: sink.clone(),
            actions,
        },
    );
    // Three tries of the pending notification (after 2 s, then 4 s: the dispatcher backs off).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while sink.0.load(Ordering::SeqCst) < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the dispatcher stopped trying"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stop().await;
    let text = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("org.freedesktop.Notifications"))
        .collect();
    assert_eq!(lines.len(), 1, "logged once, not per try: {lines:#?}");
    assert!(lines[0].contains("WARN") && lines[0].contains("notification not shown yet"));
}
