//! The watcher's local socket, where windows (and the footprint bench, and tests) reach it.
//! On Unix a Unix domain socket beside the database, private to the person (mode 0600); on
//! Windows a named pipe named after the data folder. Both through the `interprocess` crate: no
//! hand-written per-OS transport here. Lines are bounded both ways ([`read_line`]).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use interprocess::local_socket::tokio::prelude::*;
use interprocess::local_socket::{ListenerOptions, Name};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use doppelwatch::log_limit::LogLimiter;
use doppelwatch::sources::ratelimit::{self, Jitter};

use crate::protocol::{encode, Reply, MAX_LINE};

/// A connection to or from the watcher.
pub type Stream = interprocess::local_socket::tokio::Stream;

/// Where the watcher of `base` (the data folder) listens and locks: demo mode has its own
/// pair, so a demo runs beside the real watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Held (an OS file lock) by the running watcher: one watcher per data folder.
    pub lock: PathBuf,
    /// The socket path (Unix) or the name the pipe is derived from (Windows).
    pub socket: PathBuf,
}

impl Endpoint {
    /// The endpoint of the watcher of data folder `base`.
    pub fn new(base: &Path, demo: bool) -> Endpoint {
        let stem = if demo { "watcher-demo" } else { "watcher" };
        Endpoint {
            lock: base.join(format!("{stem}.lock")),
            socket: base.join(format!("{stem}.sock")),
        }
    }

    /// The socket's name: its path on Unix, a pipe name derived from it on Windows.
    fn name(&self) -> io::Result<Name<'static>> {
        #[cfg(unix)]
        {
            use interprocess::local_socket::GenericFilePath;
            self.socket.clone().to_fs_name::<GenericFilePath>()
        }
        #[cfg(windows)]
        {
            use interprocess::local_socket::GenericNamespaced;
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            self.socket.hash(&mut hasher);
            format!("doppelwatch-{:016x}", hasher.finish()).to_ns_name::<GenericNamespaced>()
        }
    }

    /// Listens on the endpoint; a stale socket file left by a watcher that died is replaced
    /// (the caller holds the lock, so no live watcher owns it). The socket file is removed when
    /// the listener is dropped.
    pub fn listen(&self) -> io::Result<Listener> {
        let options = ListenerOptions::new()
            .name(self.name()?)
            .try_overwrite(true);
        // Only the person may talk to their watcher, whatever the umask and folder modes: on
        // Linux the mode is set before the socket appears; elsewhere on Unix just after.
        #[cfg(target_os = "linux")]
        let options = {
            use interprocess::os::unix::local_socket::ListenerOptionsExt;
            options.mode(0o600)
        };
        let inner = options.create_tokio().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot listen on {}: {e}", self.socket.display()),
            )
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.socket, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(Listener {
            inner,
            failures: 0,
            log: LogLimiter::new(ACCEPT_LOG_PERIOD),
        })
    }

    /// Connects to the watcher.
    pub async fn connect(&self) -> io::Result<Stream> {
        Stream::connect(self.name()?).await
    }
}

/// The watcher's listening socket.
pub struct Listener {
    inner: interprocess::local_socket::tokio::Listener,
    /// Accepts that failed in a row (e.g. out of file descriptors), for the backoff.
    failures: u32,
    /// What the log said of failed accepts: a burst is told once when it starts and once when
    /// it ends, however often accepting flaps in between.
    log: LogLimiter,
}

/// The first wait after a failed accept; it doubles with each failure in a row.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between two accepts that fail.
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// How often trouble accepting is told again while it goes on (or flaps).
const ACCEPT_LOG_PERIOD: Duration = Duration::from_secs(60);
/// The log's name for trouble accepting.
const LOG_ACCEPT: &str = "accept";

/// How long to wait after `failures` accepts failed in a row (the core's one backoff, without
/// jitter: one listener has nobody to spread out from).
fn backoff(failures: u32) -> Duration {
    ratelimit::backoff(
        failures.saturating_sub(1),
        FIRST_BACKOFF,
        MAX_BACKOFF,
        Jitter::Within(0.0),
    )
}

impl Listener {
    /// The next connection. When accepting fails (typically EMFILE: no file descriptor left,
    /// and the pending connection stays queued so the next accept fails at once), waits before
    /// trying again, doubling the wait up to [`MAX_BACKOFF`]. Cancel-safe.
    pub async fn accept(&mut self) -> Stream {
        loop {
            match self.inner.accept().await {
                Ok(stream) => {
                    self.failures = 0;
                    self.log
                        .recovered(LOG_ACCEPT, "accepting connections again");
                    return stream;
                }
                Err(e) => {
                    self.failures = self.failures.saturating_add(1);
                    self.log.warn(
                        LOG_ACCEPT,
                        format_args!(
                            "cannot accept a connection ({e}); retrying at most every {} ms \
                             until it works again",
                            MAX_BACKOFF.as_millis()
                        ),
                    );
                    tokio::time::sleep(backoff(self.failures)).await;
                }
            }
        }
    }
}

/// How many connections the watcher serves at once (windows, the tray's quit, tests); more are
/// told so in one line and closed.
pub const MAX_CLIENTS: usize = 32;

/// The watcher's door: at most [`MAX_CLIENTS`] connections at a time.
pub struct Admission {
    slots: Arc<Semaphore>,
    /// Refusals being written right now (each gets a short line, then is closed); past this
    /// many, a connection is closed without a word.
    refusals: Arc<Semaphore>,
    /// Connections refused since the last one admitted (logged once per burst).
    refused: u64,
}

impl Default for Admission {
    fn default() -> Admission {
        Admission {
            slots: Arc::new(Semaphore::new(MAX_CLIENTS)),
            refusals: Arc::new(Semaphore::new(MAX_CLIENTS)),
            refused: 0,
        }
    }
}

impl Admission {
    /// Admits `stream` with the slot it holds while it is served, or refuses it: it gets an
    /// error line (written in the background, for at most a second) and is closed.
    pub fn admit(&mut self, stream: Stream) -> Option<(Stream, OwnedSemaphorePermit)> {
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            if self.refused > 0 {
                tracing::info!("serving again after refusing {} connections", self.refused);
                self.refused = 0;
            }
            return Some((stream, slot));
        }
        if self.refused == 0 {
            tracing::warn!("{MAX_CLIENTS} connections are open: refusing more until one closes");
        }
        self.refused += 1;
        if let Ok(refusing) = self.refusals.clone().try_acquire_owned() {
            tokio::spawn(async move {
                let mut stream = stream;
                let line = encode(&Reply::Error {
                    message: format!(
                        "the watcher is busy ({MAX_CLIENTS} connections open); try again later"
                    ),
                });
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    let _ = stream.write_all(line.as_bytes()).await;
                    let _ = stream.shutdown().await;
                })
                .await;
                drop(refusing);
            });
        }
        None
    }
}

/// Reads one line (without its newline); `None` at the end of the stream. A line longer than
/// [`MAX_LINE`] or not UTF-8 is an error, never buffered whole.
pub async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = (&mut *reader)
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut buf)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() > MAX_LINE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a message longer than {MAX_LINE} bytes"),
        ));
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a message that is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_backoff_doubles_up_to_a_second() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(4), Duration::from_millis(800));
        assert_eq!(backoff(5), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[tokio::test]
    async fn lines_are_bounded_and_must_be_utf8() {
        let mut ok: &[u8] = b"{\"request\":\"hello\"}\nrest";
        assert_eq!(
            read_line(&mut ok).await.unwrap().as_deref(),
            Some("{\"request\":\"hello\"}")
        );
        assert_eq!(read_line(&mut ok).await.unwrap().as_deref(), Some("rest"));
        assert_eq!(read_line(&mut ok).await.unwrap(), None);
        let huge = vec![b'a'; MAX_LINE + 10];
        let err = read_line(&mut huge.as_slice()).await.unwrap_err();
        assert!(err.to_string().contains("longer than"), "{err}");
        let mut bad: &[u8] = b"\xff\xfe\n";
        assert!(read_line(&mut bad).await.is_err());
    }
}
