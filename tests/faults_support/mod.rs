//! Shared by `faults_mastodon` and `faults_x`: a capture of everything the code under test
//! logs (so a test can assert a token never reaches a log line), hostile profile texts, and
//! the fault counter the fault tests print.

#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use doppelwatch::sources::SourceError;

/// Faults injected by a test binary, printed as they are injected (`-- --nocapture`).
static FAULTS: AtomicUsize = AtomicUsize::new(0);

/// Counts and prints one injected fault.
pub fn fault(platform: &str, what: &str) {
    let n = FAULTS.fetch_add(1, Ordering::SeqCst) + 1;
    eprintln!("{platform} fault {n}: {what}");
}

/// Every log line written while it is installed, at every level (TRACE included, so the
/// HTTP stack's own logging is searched too). Tests run on tokio's current-thread runtime, so
/// the fake servers and the client log through the same thread-local subscriber.
#[derive(Clone, Default)]
pub struct LogCapture {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// Installs the capture for this thread until the guard is dropped.
    pub fn install() -> (LogCapture, tracing::subscriber::DefaultGuard) {
        let capture = LogCapture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A plain error: names the platform, says what happened (one of `says`), no debug dump.
pub fn assert_plain(platform: &str, e: &SourceError, says: &[&str]) {
    let text = e.to_string();
    assert!(text.starts_with(&format!("{platform} ")), "{text}");
    assert!(
        says.iter().any(|s| text.contains(s)),
        "{text:?} says none of {says:?}"
    );
    assert!(
        !text.contains("reqwest::") && !text.contains("{ "),
        "{text}"
    );
    assert!(text.len() < 600, "{text}");
}

/// Display names a hostile account may choose: bidi overrides and isolates, zero-width
/// characters, HTML and script, JSON-looking text, a combining flood, a very long name.
/// Each still contains the words "Palmer" and "Report" so a name search finds it.
pub fn hostile_names() -> Vec<String> {
    vec![
        "Palmer Report \u{202E}laiciffo\u{202C}".into(),
        "Palmer\u{200B} Report\u{200D}\u{FEFF}".into(),
        "\u{2067}Palmer Report\u{2069} \u{200E}\u{200F}".into(),
        "<b>Palmer Report</b><script>alert(1)</script>".into(),
        "Palmer Report\"},{\"id\":\"1\",\"username\":\"admin\"}".into(),
        format!("Palmer Report {}", "\u{0301}".repeat(2_000)),
        format!("Palmer Report {}", "A".repeat(10_000)),
    ]
}

/// Bios with HTML, script, `javascript:` links and an image that would load remotely.
pub const HOSTILE_BIO: &str = "<p>Official <a href=\"javascript:alert(1)\">link</a>\
    <script>steal()</script><img src=x onerror=alert(1)> \u{202E}txet desrever</p>";

/// The waits the HTTP client decided on after 429 answers, in milliseconds, as it logged them
/// ("rate limited; waiting N ms"). Asserting on the decision, not on the wall clock, keeps a
/// slow machine from failing (or passing) a test for the wrong reason.
pub fn logged_rate_limit_waits(log: &str) -> Vec<u64> {
    log.lines()
        .filter_map(|line| {
            let rest = line.split("rate limited; waiting ").nth(1)?;
            rest.split(" ms").next()?.trim().parse().ok()
        })
        .collect()
}
