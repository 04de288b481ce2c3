//! The watcher's local socket, where windows (and the footprint bench, and tests) reach it.
//! On Unix a Unix domain socket beside the database, private to the person as the data folder
//! is; on Windows a named pipe named after the data folder. Lines are bounded both ways.

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use crate::protocol::MAX_LINE;

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

    /// Listens on the endpoint; a stale socket file left by a watcher that died is replaced
    /// (the caller holds the lock, so no live watcher owns it).
    pub fn listen(&self) -> io::Result<Listener> {
        imp::listen(&self.socket)
    }

    /// Connects to the watcher.
    pub async fn connect(&self) -> io::Result<imp::Stream> {
        imp::connect(&self.socket).await
    }
}

pub use imp::{Listener, Stream};

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

#[cfg(unix)]
mod imp {
    use std::io;
    use std::path::Path;

    /// A connection to or from the watcher.
    pub type Stream = tokio::net::UnixStream;

    /// The watcher's listening socket; the socket file is removed when it is dropped.
    pub struct Listener {
        inner: tokio::net::UnixListener,
        path: std::path::PathBuf,
    }

    impl Listener {
        /// The next connection.
        pub async fn accept(&mut self) -> io::Result<Stream> {
            self.inner.accept().await.map(|(stream, _)| stream)
        }
    }

    impl Drop for Listener {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    pub fn listen(path: &Path) -> io::Result<Listener> {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let inner = tokio::net::UnixListener::bind(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot listen on {}: {e}", path.display()),
            )
        })?;
        // Only the person may talk to their watcher, whatever the umask and folder modes.
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(Listener {
            inner,
            path: path.to_path_buf(),
        })
    }

    pub async fn connect(path: &Path) -> io::Result<Stream> {
        tokio::net::UnixStream::connect(path).await
    }
}

#[cfg(windows)]
mod imp {
    use std::hash::{Hash, Hasher};
    use std::io;
    use std::path::Path;

    use tokio::net::windows::named_pipe::{
        ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions,
    };

    /// A connection to or from the watcher.
    pub enum Stream {
        Server(NamedPipeServer),
        Client(NamedPipeClient),
    }

    fn pipe_name(path: &Path) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        path.hash(&mut hasher);
        format!(r"\\.\pipe\doppelwatch-{:016x}", hasher.finish())
    }

    /// The watcher's pipe: a new instance is created for each connection.
    pub struct Listener {
        name: String,
        next: NamedPipeServer,
    }

    impl Listener {
        /// The next connection.
        pub async fn accept(&mut self) -> io::Result<Stream> {
            self.next.connect().await?;
            let fresh = ServerOptions::new().create(&self.name)?;
            Ok(Stream::Server(std::mem::replace(&mut self.next, fresh)))
        }
    }

    pub fn listen(path: &Path) -> io::Result<Listener> {
        let name = pipe_name(path);
        let next = ServerOptions::new()
            .first_pipe_instance(true)
            .create(&name)?;
        Ok(Listener { name, next })
    }

    pub async fn connect(path: &Path) -> io::Result<Stream> {
        ClientOptions::new()
            .open(pipe_name(path))
            .map(Stream::Client)
    }

    macro_rules! both {
        ($self:ident, $s:ident => $e:expr) => {
            match $self.get_mut() {
                Stream::Server($s) => $e,
                Stream::Client($s) => $e,
            }
        };
    }

    impl tokio::io::AsyncRead for Stream {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            both!(self, s => std::pin::Pin::new(s).poll_read(cx, buf))
        }
    }

    impl tokio::io::AsyncWrite for Stream {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<io::Result<usize>> {
            both!(self, s => std::pin::Pin::new(s).poll_write(cx, buf))
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            both!(self, s => std::pin::Pin::new(s).poll_flush(cx))
        }
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            both!(self, s => std::pin::Pin::new(s).poll_shutdown(cx))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
