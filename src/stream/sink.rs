//! Where framed, scanned pieces go: the [`Sink`] a framer hands each [`Piece`] to, and the
//! two the stream API uses: one that writes the redacted text (also the sink of
//! `RedactingWriter` and of the async adaptor) and one that reports each finding with its
//! place in the stream ([`LineFinding`]).

use std::io;

use crate::record::Structure;
use crate::redactor::Redactor;
use crate::span::Finding;

/// One piece of output: a whole unit (a line or a record), or a chunk of a long line.
#[derive(Debug)]
pub(crate) struct Piece<'a> {
    /// 1-based line number (of the first line of a record of several).
    pub(crate) line: u64,
    /// Offset of `text` within its line (non-zero for later chunks of a long line).
    pub(crate) line_offset: u64,
    pub(crate) text: &'a [u8],
    /// Findings with spans relative to `text`.
    pub(crate) findings: &'a [Finding],
    /// `\n`, `\r\n`, or empty (a chunk that is not the end of its line, or a last line
    /// without a terminator).
    pub(crate) terminator: &'a [u8],
    /// How `text` was read (a record only when it is a whole line); rewrite it the same way.
    pub(crate) how: Structure<'a>,
}

/// Where framed, scanned pieces go.
pub(crate) trait Sink {
    fn piece(&mut self, piece: &Piece<'_>) -> io::Result<()>;
    fn flush(&mut self) -> io::Result<()>;
    /// True when a piece's output is its rewrite by the redactor and nothing else, so that
    /// workers may render batches of lines (see [`render`]) and the sink only writes bytes.
    fn renders(&self) -> bool {
        false
    }
    /// Writes bytes [`render`] made.
    fn rendered(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }
}

/// The output of a piece for a rendering sink: the rewritten text and its terminator.
pub(super) fn render(r: &Redactor, p: &Piece<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(&r.rewrite_structured(p.text, p.how, p.findings));
    out.extend_from_slice(p.terminator);
}

/// A finding located in a stream, as `velum scan` reports it; see
/// [`Redactor::scan_stream`].
///
/// # Example
/// ```
/// let mut seen = Vec::new();
/// velum::Redactor::new().scan_stream(&b"ok\nmail jane@example.com"[..], std::io::sink(), |_, f| {
///     seen.push((f.line, f.start, f.end, f.value.to_vec()));
///     Ok(())
/// })?;
/// assert_eq!(seen, vec![(2, 5, 21, b"jane@example.com".to_vec())]);
/// # Ok::<(), velum::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LineFinding<'a> {
    /// 1-based line number.
    pub line: u64,
    /// 0-based byte offset of the first byte within the line.
    pub start: u64,
    /// 0-based byte offset one past the last byte within the line.
    pub end: u64,
    /// The finding itself (its span is relative to the chunk it was found in).
    pub finding: Finding,
    /// The matched bytes.
    ///
    /// # Security
    /// This is the personal data itself: do not log it.
    pub value: &'a [u8],
}

pub(super) struct RedactSink<'r, W> {
    pub(super) r: &'r Redactor,
    pub(super) w: W,
}

impl<W: io::Write> Sink for RedactSink<'_, W> {
    fn piece(&mut self, p: &Piece<'_>) -> io::Result<()> {
        self.w
            .write_all(&self.r.rewrite_structured(p.text, p.how, p.findings))?;
        self.w.write_all(p.terminator)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    fn renders(&self) -> bool {
        true
    }

    fn rendered(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.w.write_all(bytes)
    }
}

pub(super) struct ScanSink<W, F> {
    pub(super) w: W,
    pub(super) f: F,
}

impl<W: io::Write, F: FnMut(&mut W, LineFinding<'_>) -> io::Result<()>> Sink for ScanSink<W, F> {
    fn piece(&mut self, p: &Piece<'_>) -> io::Result<()> {
        // In a record of several lines, a finding is placed on the line it starts on: the
        // newlines before it are counted once over the piece (findings come in order).
        let several = memchr::memchr(b'\n', p.text).is_some();
        let (mut line, mut line_start, mut seen) = (p.line, None, 0);
        for f in p.findings {
            let at = f.span.start();
            if several {
                if at < seen {
                    (line, line_start, seen) = (p.line, None, 0);
                }
                for nl in memchr::memchr_iter(b'\n', &p.text[seen..at]) {
                    line += 1;
                    line_start = Some(seen + nl + 1);
                }
                seen = at;
            }
            let start = match line_start {
                Some(ls) => (at - ls) as u64,
                None => p.line_offset + at as u64,
            };
            (self.f)(
                &mut self.w,
                LineFinding {
                    line,
                    start,
                    end: start + f.span.len() as u64,
                    finding: *f,
                    value: &p.text[f.span.range()],
                },
            )?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}
