//! [`RedactingWriter`]: a `std::io::Write` adaptor that redacts whole lines before passing
//! them on — usable as the writer of a logger or of `tracing_subscriber::fmt`.

use std::io::{self, Write};

use super::sink::RedactSink;
use super::{Framer, Sink, StreamOptions};
use crate::error::Error;
use crate::redactor::Redactor;

/// Redacts everything written through it, line by line, into an inner writer.
///
/// Complete lines are scanned and passed on at once; the bytes of a line not yet ended stay
/// in the adaptor (`flush` passes on only what is complete) until its newline arrives or the
/// writer is [finished](RedactingWriter::finish) or dropped, so a partial, unscanned line is
/// never passed on. A line longer than 1 MiB is scanned in overlapping chunks, so memory
/// stays bounded.
///
/// # Example
/// ```
/// use std::io::Write;
/// use velum::{Redactor, RedactingWriter};
///
/// let mut w = RedactingWriter::new(Redactor::new(), Vec::new());
/// write!(w, "login from jane@exa")?;   // half a line: held back
/// assert!(w.get_ref().is_empty());
/// writeln!(w, "mple.com ok")?;          // the line is complete: scanned and passed on
/// assert_eq!(w.get_ref().as_slice(), b"login from [EMAIL] ok\n");
/// let inner = w.finish()?;
/// assert_eq!(inner, b"login from [EMAIL] ok\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RedactingWriter<W: Write> {
    redactor: Redactor,
    framer: Framer,
    inner: Option<W>,
}

impl<W: Write> std::fmt::Debug for RedactingWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedactingWriter")
            .field("pending", &self.framer.pending())
            .finish_non_exhaustive()
    }
}

/// An error as `io::Error`, keeping the kind of an underlying I/O failure.
pub(crate) fn to_io(e: Error) -> io::Error {
    match e.io_error() {
        Some(src) => io::Error::new(src.kind(), e.to_string()),
        None => io::Error::other(e.to_string()),
    }
}

impl<W: Write> RedactingWriter<W> {
    /// Wraps `inner`.
    pub fn new(redactor: Redactor, inner: W) -> Self {
        let framer = Framer::new(&redactor, StreamOptions::default());
        Self {
            redactor,
            framer,
            inner: Some(inner),
        }
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        self.inner.as_ref().expect("present until finished")
    }

    fn finish_inner(&mut self) -> io::Result<()> {
        let Some(w) = self.inner.as_mut() else {
            return Ok(());
        };
        let mut sink = RedactSink {
            r: &self.redactor,
            w,
        };
        self.framer
            .finish(&self.redactor, &mut sink)
            .map_err(to_io)?;
        sink.flush()
    }

    /// Scans and writes the last line (even without a newline), flushes, and returns the
    /// inner writer.
    ///
    /// # Errors
    /// A write error of the inner writer, or a fault while scanning (the line is withheld).
    pub fn finish(mut self) -> io::Result<W> {
        self.finish_inner()?;
        Ok(self.inner.take().expect("present until finished"))
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let w = self.inner.as_mut().expect("present until finished");
        self.framer.buffer().extend_from_slice(buf);
        let mut sink = RedactSink {
            r: &self.redactor,
            w,
        };
        self.framer
            .process(&self.redactor, &mut sink)
            .map_err(to_io)?;
        Ok(buf.len())
    }

    /// Flushes the inner writer; a line not yet ended stays held back.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    /// Writes the last line, as [`RedactingWriter::finish`] does; errors are ignored (call
    /// `finish` to see them).
    fn drop(&mut self) {
        let _ = self.finish_inner();
    }
}
