//! Standard output of every subcommand: the one writer results are printed through, so the
//! ways output can fail are handled once, like a good Unix tool:
//! - the reader went away (`doppelwatch alerts | head -1`): the command stops quietly with exit
//!   status [`EXIT_OUTPUT_CLOSED`] (141, what a shell reports for a tool ended by SIGPIPE, so
//!   `set -o pipefail` scripts see the same as with coreutils);
//! - the output cannot be written (`> /dev/full`, a full disk): one message on stderr naming the
//!   problem and exit status [`EXIT_OUTPUT_FAILED`] (1), never a panic and never a silent 0;
//! - a long-running command (`watch`) learns that its output was closed even while it has
//!   nothing to print ([`closed`]).
//!
//! JSON is written with every control, bidi and zero-width character inside strings escaped as
//! `\uXXXX` ([`to_json`]): still valid JSON that reads back the same, but a terminal or a log
//! viewer shows no reordered or invisible text.
//!
//! It owns stdout only: problems of the command itself are said by the command. It never
//! retries a failed write (a full disk does not empty itself) and never prints after a failure.

use std::io::{self, BufWriter, Write};

/// `value` as JSON (indented when `pretty`) with hidden characters escaped (module docs).
pub(crate) fn to_json(value: &impl serde::Serialize, pretty: bool) -> serde_json::Result<String> {
    let mut bytes = Vec::new();
    if pretty {
        let formatter = Escaping(serde_json::ser::PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut bytes, formatter,
        ))?;
    } else {
        let formatter = Escaping(serde_json::ser::CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut bytes, formatter,
        ))?;
    }
    // serde_json writes UTF-8 only.
    String::from_utf8(bytes).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

/// A JSON formatter that escapes control, bidi and zero-width characters in strings.
struct Escaping<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Most text is plain ASCII: nothing in it can be hidden but DEL (controls below 0x20
        // never reach here, serde_json escapes them), so it is written at once.
        if fragment.is_ascii() && !fragment.as_bytes().contains(&0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if doppelwatch::report::is_hidden(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Exit status when whoever read our output closed it: 128 + SIGPIPE (13).
pub(crate) const EXIT_OUTPUT_CLOSED: i32 = 141;
/// Exit status when the output could not be written (full disk, I/O error).
pub(crate) const EXIT_OUTPUT_FAILED: i32 = 1;

/// Buffered standard output that remembers the first write error.
pub(crate) struct Out {
    inner: BufWriter<io::Stdout>,
    /// The exit status to end with once a write failed (the reason was already said).
    stopped: Option<i32>,
}

impl Out {
    /// The command's standard output.
    pub(crate) fn stdout() -> Out {
        Out {
            inner: BufWriter::new(io::stdout()),
            stopped: None,
        }
    }

    /// Writes `line` and a newline. `Err(status)` once the output cannot take more: stop and
    /// exit with that status (the reason, if any, has been said on stderr).
    pub(crate) fn emit_line(&mut self, line: &str) -> Result<(), i32> {
        self.check(|w| {
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")
        })
    }

    /// Writes `text` exactly as given (e.g. CSV, whose lines end in CRLF).
    pub(crate) fn emit_raw(&mut self, text: &str) -> Result<(), i32> {
        self.check(|w| w.write_all(text.as_bytes()))
    }

    /// Writes `value` as one line of compact JSON.
    pub(crate) fn emit_json(&mut self, value: &impl serde::Serialize) -> Result<(), i32> {
        match to_json(value, false) {
            Ok(text) => self.emit_line(&text),
            Err(e) => Err(internal(e)),
        }
    }

    /// Writes `value` as indented JSON (the listing commands' format).
    pub(crate) fn emit_pretty_json(&mut self, value: &impl serde::Serialize) -> Result<(), i32> {
        match to_json(value, true) {
            Ok(text) => self.emit_line(&text),
            Err(e) => Err(internal(e)),
        }
    }

    /// Sends what is buffered on its way now (a streaming command, after each line).
    pub(crate) fn flush_now(&mut self) -> Result<(), i32> {
        self.check(|w| w.flush())
    }

    /// Flushes everything; the command's output is complete only when this says `Ok`.
    pub(crate) fn finish(mut self) -> Result<(), i32> {
        self.flush_now()
    }

    /// After handing this writer to code that writes through [`Write`] and returned an error
    /// (e.g. a streaming scanner that also reads): the exit status when the output failed
    /// (already said), `None` when the error came from elsewhere.
    pub(crate) fn failed(&self) -> Option<i32> {
        self.stopped
    }

    fn check(
        &mut self,
        write: impl FnOnce(&mut BufWriter<io::Stdout>) -> io::Result<()>,
    ) -> Result<(), i32> {
        if let Some(status) = self.stopped {
            return Err(status);
        }
        write(&mut self.inner).map_err(|e| self.stop(&e))
    }

    /// Records a write error, says it when it is not a closed pipe, and returns the status.
    fn stop(&mut self, error: &io::Error) -> i32 {
        if let Some(status) = self.stopped {
            return status;
        }
        let status = status_for(error);
        if status != EXIT_OUTPUT_CLOSED {
            eprintln_quiet(&describe(error));
        }
        self.stopped = Some(status);
        status
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.stopped.is_some() {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "output stopped"));
        }
        self.inner.write(buf).inspect_err(|e| {
            self.stop(e);
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.stopped.is_some() {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "output stopped"));
        }
        self.inner.flush().inspect_err(|e| {
            self.stop(e);
        })
    }
}

/// The exit status a write error ends the command with.
fn status_for(error: &io::Error) -> i32 {
    if error.kind() == io::ErrorKind::BrokenPipe {
        EXIT_OUTPUT_CLOSED
    } else {
        EXIT_OUTPUT_FAILED
    }
}

/// What went wrong writing the output, and what to do.
fn describe(error: &io::Error) -> String {
    let hint = if is_disk_full(error) {
        "the disk is full: free some space or send the output elsewhere"
    } else if error.kind() == io::ErrorKind::PermissionDenied {
        "the output may not be written: send it elsewhere"
    } else {
        "the output is incomplete"
    };
    format!("doppelwatch: cannot write the output: {error}; {hint}")
}

/// A full disk or a used-up quota (`ErrorKind::StorageFull` is newer than our MSRV).
fn is_disk_full(error: &io::Error) -> bool {
    #[cfg(unix)]
    let full = [libc::ENOSPC, libc::EDQUOT];
    // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
    #[cfg(windows)]
    let full = [39, 112];
    #[cfg(not(any(unix, windows)))]
    let full: [i32; 0] = [];
    error
        .raw_os_error()
        .is_some_and(|code| full.contains(&code))
}

/// A value that cannot become JSON is a bug of ours, not of the output.
fn internal(error: serde_json::Error) -> i32 {
    eprintln_quiet(&format!("doppelwatch: cannot format the output: {error}"));
    EXIT_OUTPUT_FAILED
}

/// Says `message` on stderr; a stderr that cannot be written is ignored (`eprintln!` would
/// panic), as there is nowhere left to say anything.
pub(crate) fn eprintln_quiet(message: &str) {
    let _ = writeln!(io::stderr(), "{message}");
}

/// Resolves when standard output is closed by its reader (a pipe whose reader exited), so a
/// command that may print nothing for hours still stops. Never resolves when that cannot be
/// watched (a file, a terminal, `/dev/null`, or not Unix): writing then tells.
pub(crate) async fn closed() {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use tokio::io::{unix::AsyncFd, Interest};

        // A pipe's write end reports an error once no reader is left (EPOLLERR). Files and
        // /dev/null cannot be registered, which is fine: they never close.
        if let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() {
            // SAFETY: `fd` is our own duplicate of stdout, open for as long as the AsyncFd owns
            // it and always the same descriptor (an OwnedFd).
            if let Ok(fd) = unsafe { AsyncFd::register_with_interest(fd, Interest::ERROR) } {
                if fd.ready(Interest::ERROR).await.is_ok() {
                    return;
                }
            }
        }
    }
    std::future::pending::<()>().await
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_quiet_and_a_full_disk_is_said() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(status_for(&pipe), EXIT_OUTPUT_CLOSED);
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(status_for(&full), EXIT_OUTPUT_FAILED);
        let said = describe(&full);
        assert!(said.contains("disk is full"), "{said}");
    }
}
