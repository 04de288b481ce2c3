//! The window's side of the watcher's socket: requests, starting the watcher when none runs,
//! and the stream of its events.

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader, ReadHalf};

use super::protocol::{decode, encode, Reply, Request, WatcherEvent};
use super::socket::{read_line, Endpoint, Stream};

/// How long one request may take (a reload stops and restarts the watch service).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a freshly started watcher may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The way to the watcher of one data folder.
#[derive(Debug, Clone)]
pub struct WatcherLink {
    base: PathBuf,
    demo: bool,
}

impl WatcherLink {
    /// The link to the watcher of data folder `base` (its demo watcher with `demo`).
    pub fn new(base: PathBuf, demo: bool) -> WatcherLink {
        WatcherLink { base, demo }
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::new(&self.base, self.demo)
    }

    /// Sends one request and reads its reply; an error says what failed, in words.
    pub async fn request(&self, request: &Request) -> Result<Reply, String> {
        let exchange = async {
            let stream = self
                .endpoint()
                .connect()
                .await
                .map_err(|e| format!("the background watcher is not running ({e})"))?;
            let (read, mut write) = tokio::io::split(stream);
            write
                .write_all(encode(request).as_bytes())
                .await
                .map_err(|e| format!("the background watcher did not take the request ({e})"))?;
            let mut read = BufReader::new(read);
            match read_line(&mut read).await {
                Ok(Some(line)) => decode::<Reply>(&line),
                Ok(None) => Err("the background watcher closed the connection".to_string()),
                Err(e) => Err(format!(
                    "the background watcher's answer was unreadable ({e})"
                )),
            }
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| Err("the background watcher did not answer within 20 s".into()))
    }

    /// Makes sure the watcher runs, starting `doppelwatch-watcher` beside this program if
    /// none answers; returns its greeting.
    pub async fn ensure_running(&self) -> Result<Reply, String> {
        if let Ok(hello @ Reply::Hello { .. }) = self.request(&Request::Hello).await {
            return Ok(hello);
        }
        let exe = super::sibling_exe("doppelwatch-watcher", "DOPPELWATCH_WATCHER_BIN");
        let args = if self.demo {
            vec!["--demo".to_string()]
        } else {
            Vec::new()
        };
        doppelwatch::files::private::ensure_private_dir(&self.base)
            .map_err(|e| format!("cannot create data folder {}: {e}", self.base.display()))?;
        let log = self.base.join(if self.demo {
            "watcher-demo.log"
        } else {
            "watcher.log"
        });
        super::spawn_detached(&exe, &args, Some(&log))
            .map_err(|e| format!("cannot start the background watcher {}: {e}", exe.display()))?;
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            match self.request(&Request::Hello).await {
                Ok(hello @ Reply::Hello { .. }) => return Ok(hello),
                Ok(other) => return Err(format!("unexpected answer from the watcher: {other:?}")),
                Err(e) if tokio::time::Instant::now() > deadline => {
                    return Err(format!(
                        "the background watcher did not start within 20 s ({e}); see {}",
                        log.display()
                    ))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Subscribes to the watcher's events.
    pub async fn subscribe(&self) -> Result<Events, String> {
        let stream = self
            .endpoint()
            .connect()
            .await
            .map_err(|e| format!("the background watcher is not running ({e})"))?;
        let (read, mut write) = tokio::io::split(stream);
        write
            .write_all(encode(&Request::Subscribe).as_bytes())
            .await
            .map_err(|e| format!("cannot subscribe to the watcher ({e})"))?;
        Ok(Events {
            read: BufReader::new(read),
            _write: write,
        })
    }
}

/// The watcher's events, in order, until it goes away.
pub struct Events {
    read: BufReader<ReadHalf<Stream>>,
    // Kept open: closing it tells the watcher this window is gone.
    _write: tokio::io::WriteHalf<Stream>,
}

impl Events {
    /// The next event; `None` when the watcher is gone.
    pub async fn next(&mut self) -> Option<WatcherEvent> {
        loop {
            let line = read_line(&mut self.read).await.ok().flatten()?;
            match decode::<Reply>(&line) {
                Ok(Reply::Event { event }) => return Some(event),
                Ok(_) => {}
                Err(e) => tracing::warn!("the watcher sent {e}"),
            }
        }
    }
}
