//! Framing: cuts a byte stream into units and hands each, with its findings, to a [`Sink`].
//! It alone knows about reads, buffers, line numbers and order.
//!
//! - A unit is a line without its terminator (`\n` or `\r\n`); the terminator is passed on
//!   unchanged, and a last line without one stays without one. In CSV/TSV a unit is a record:
//!   all its physical lines when a quoted field holds newlines (see [`units`]); line numbers
//!   and counts stay those of physical lines.
//! - A line longer than `max_unit` is scanned in chunks: each chunk's window also holds the
//!   next `overlap` bytes (more than the longest match plus the context window) and the last
//!   few bytes already written (left context). Findings that start before the cut are taken,
//!   and the cut moves past any of them that runs over it, so no identifier is split unseen.
//!   Memory stays bounded by `max_unit + read_size` whatever the line length.
//! - After the data of each read is handled, the sink is flushed: when the input pauses
//!   (`tail -f`), every line already read has been written.
//! - Fail closed: a unit is handed to the sink only after its scan completed. A fault while
//!   scanning stops the stream with [`ErrorKind::Internal`](crate::ErrorKind::Internal) and
//!   the unit is withheld.

#[cfg(feature = "tokio")]
mod async_io;
mod read_ahead;
mod units;
mod writer;

pub use read_ahead::ReadAhead;
pub use writer::RedactingWriter;

use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::detect::context::WINDOW;
use crate::error::{Error, Result};
use crate::record::csv::CsvCursor;
use crate::record::{CsvHeader, Format, Structure};
use crate::redactor::Redactor;
use crate::span::{Finding, Span};
use units::{End, Units};

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
fn render(r: &Redactor, p: &Piece<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(&r.rewrite_structured(p.text, p.how, p.findings));
    out.extend_from_slice(p.terminator);
}

/// Sizes of the framing buffers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamOptions {
    /// A partial line longer than this is scanned in chunks.
    pub(crate) max_unit: usize,
    /// Bytes asked for per read.
    pub(crate) read_size: usize,
    /// Scan batches of complete lines on this many threads (rayon's pool); 1 scans inline.
    pub(crate) threads: usize,
    /// How lines are read.
    pub(crate) format: Format,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            max_unit: 1 << 20,
            read_size: 256 << 10,
            threads: 1,
            format: Format::Auto,
        }
    }
}

impl StreamOptions {
    /// For streams: larger reads, all of rayon's threads.
    pub(crate) fn parallel() -> Self {
        Self {
            read_size: 4 << 20,
            threads: rayon::current_num_threads(),
            ..Self::default()
        }
    }
}

/// Where the content of the line from `start` to its `\n` at `nl` ends: before a `\r\n`.
fn content_end(buf: &[u8], start: usize, nl: usize) -> usize {
    if nl > start && buf[nl - 1] == b'\r' {
        nl - 1
    } else {
        nl
    }
}

/// How many lines the content of a unit holds past its first: a record's quoted newlines;
/// always 0 for lines.
fn lines_within(units: Units, unit: &[u8]) -> u64 {
    match units {
        Units::Lines => 0,
        Units::Records(_) => memchr::memchr_iter(b'\n', unit).count() as u64,
    }
}

/// The end (its `\n`) of the unit at `region[at..]` in a region of whole units.
fn unit_end(units: Units, region: &[u8], at: usize) -> usize {
    match units.end(&region[at..], usize::MAX) {
        End::At(i) => at + i,
        End::Open | End::Broken(_) => region.len(),
    }
}

/// The error for a line whose scan faulted: it was not written, and nothing after it.
fn withheld(line: u64) -> Error {
    Error::internal(format!(
        "internal error while scanning line {line}; the line was withheld and processing stopped"
    ))
}

/// Below this many bytes of complete lines a batch is scanned inline.
const PARALLEL_MIN: usize = 128 << 10;

/// The findings of one batch of lines scanned on a worker.
struct BatchScan {
    /// `(line index within the batch, finding)`, in order.
    findings: Vec<(u32, Finding)>,
    /// The first line whose scan faulted, if any.
    failed: Option<u32>,
    /// For a rendering sink: the batch's output, and where the output of each line ends
    /// (to write what precedes a faulty line).
    rendered: Vec<u8>,
    line_ends: Vec<usize>,
}

fn scan_batch(
    r: &Redactor,
    batch: &[u8],
    (first_line, units): (u64, Units),
    how: Structure<'_>,
    render_lines: bool,
) -> BatchScan {
    let mut out = BatchScan {
        findings: Vec::new(),
        failed: None,
        rendered: Vec::new(),
        line_ends: Vec::new(),
    };
    if render_lines {
        out.rendered.reserve(batch.len() + batch.len() / 8);
    }
    r.with_scratch(|scratch| {
        let mut found = Vec::new();
        let mut at = 0;
        let mut k = 0u32;
        let mut line = first_line;
        while at < batch.len() {
            let nl = unit_end(units, batch, at);
            let ce = content_end(batch, at, nl);
            found.clear();
            let unit = &batch[at..ce];
            let ok = catch_unwind(AssertUnwindSafe(|| {
                failpoint(line);
                r.scan_structured(scratch, unit, how, &mut found);
            }));
            if ok.is_err() {
                out.failed = Some(k);
                return;
            }
            if render_lines {
                let terminator = &batch[ce..(nl + 1).min(batch.len())];
                render(
                    r,
                    &Piece {
                        line,
                        line_offset: 0,
                        text: unit,
                        findings: &found,
                        terminator,
                        how,
                    },
                    &mut out.rendered,
                );
                out.line_ends.push(out.rendered.len());
            }
            out.findings.extend(found.iter().map(|f| (k, *f)));
            line += 1 + lines_within(units, unit);
            at = nl + 1;
            k += 1;
        }
    });
    out
}

/// Counts of what went through a stream.
///
/// # Example
/// ```
/// let stats = velum::Redactor::new().redact_stream(&b"a\nb 203.0.113.9"[..], std::io::sink())?;
/// assert_eq!((stats.lines, stats.bytes, stats.findings), (2, 15, 1));
/// # Ok::<(), velum::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamStats {
    /// Lines read (a last line without a terminator counts).
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Findings reported.
    pub findings: u64,
}

pub(crate) type Stats = StreamStats;

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

impl Redactor {
    /// Redacts a stream: reads `reader` to its end and writes every line, rewritten, to
    /// `writer`, which is flushed whenever the data of one read has been handled. Batches of
    /// complete lines are scanned on rayon's global pool (all cores unless configured); the
    /// output is in input order and identical for any number of threads.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) for a failed read or write (lines before it
    /// were written); [`ErrorKind::Internal`](crate::ErrorKind::Internal) when a line could not
    /// be scanned (it is withheld).
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let mut out = Vec::new();
    /// let stats = r.redact_stream(&b"ip 203.0.113.7\nok"[..], &mut out)?;
    /// assert_eq!(out, b"ip [IP_ADDRESS]\nok");
    /// assert_eq!((stats.lines, stats.findings), (2, 1));
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn redact_stream<R: Read, W: io::Write>(
        &self,
        reader: R,
        writer: W,
    ) -> Result<StreamStats> {
        self.redact_stream_as(reader, writer, Format::Auto)
    }

    /// [`Redactor::redact_stream`] with lines read as `format` (example on [`Format`]).
    ///
    /// # Errors
    /// As [`Redactor::redact_stream`].
    pub fn redact_stream_as<R: Read, W: io::Write>(
        &self,
        reader: R,
        writer: W,
        format: Format,
    ) -> Result<StreamStats> {
        let mut sink = RedactSink { r: self, w: writer };
        let opts = StreamOptions {
            format,
            ..StreamOptions::parallel()
        };
        run(self, reader, "input", &mut sink, opts)
    }

    /// Scans a stream and calls `on_finding` for each finding, in input order, with `writer`
    /// to write to; `writer` is flushed whenever the data of one read has been handled.
    ///
    /// # Errors
    /// As [`Redactor::redact_stream`]; an error returned by `on_finding` stops the scan.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let mut lines = Vec::new();
    /// r.scan_stream(&b"x\nssn 536-90-4399\n"[..], std::io::sink(), |_, f| {
    ///     lines.push((f.line, f.start, f.end, f.finding.entity.name()));
    ///     Ok(())
    /// })?;
    /// assert_eq!(lines, vec![(2, 4, 15, "US_SSN")]);
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn scan_stream<R, W, F>(&self, reader: R, writer: W, on_finding: F) -> Result<StreamStats>
    where
        R: Read,
        W: io::Write,
        F: FnMut(&mut W, LineFinding<'_>) -> io::Result<()>,
    {
        self.scan_stream_as(reader, writer, Format::Auto, on_finding)
    }

    /// [`Redactor::scan_stream`] with lines read as `format`.
    ///
    /// # Errors
    /// As [`Redactor::scan_stream`].
    pub fn scan_stream_as<R, W, F>(
        &self,
        reader: R,
        writer: W,
        format: Format,
        on_finding: F,
    ) -> Result<StreamStats>
    where
        R: Read,
        W: io::Write,
        F: FnMut(&mut W, LineFinding<'_>) -> io::Result<()>,
    {
        let mut sink = ScanSink {
            w: writer,
            f: on_finding,
        };
        let opts = StreamOptions {
            format,
            ..StreamOptions::default()
        };
        run(self, reader, "input", &mut sink, opts)
    }
}

struct RedactSink<'r, W> {
    r: &'r Redactor,
    w: W,
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

struct ScanSink<W, F> {
    w: W,
    f: F,
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

#[cfg(debug_assertions)]
fn failpoint(line: u64) {
    // Test hook, compiled only in debug builds: VELUM_FAILPOINT_PANIC_LINE=N makes the scan
    // of line N fail, so the fail-closed path can be driven end to end.
    static AT: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let at = AT.get_or_init(|| {
        std::env::var("VELUM_FAILPOINT_PANIC_LINE")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if *at == Some(line) {
        panic!("failpoint: scan of line {line}");
    }
}

#[cfg(not(debug_assertions))]
fn failpoint(_line: u64) {}

/// Push-based framing state: bytes come in (by a read or by a write), pieces go out to a
/// sink. One implementation serves `Read`, `Write` and async callers alike.
pub(crate) struct Framer {
    /// `buf[..ctx]` is left context of the current line, already written; `buf[ctx..]` waits.
    buf: Vec<u8>,
    ctx: usize,
    line: u64,
    line_off: u64,
    overlap: usize,
    max_unit: usize,
    ctx_keep: usize,
    threads: usize,
    format: Format,
    units: Units,
    /// The header of a delimited stream, once its first line has been read.
    header: Option<CsvHeader>,
    /// Where `buf[0]` is in its row, while a row too long to hold whole is scanned in chunks.
    row: CsvCursor,
    scratch: crate::Scratch,
    found: Vec<Finding>,
    kept: Vec<Finding>,
    stats: Stats,
}

struct ScanState<'a> {
    units: Units,
    scratch: &'a mut crate::Scratch,
    found: &'a mut Vec<Finding>,
    kept: &'a mut Vec<Finding>,
    stats: &'a mut Stats,
}

impl ScanState<'_> {
    /// Scans `window`, keeps the findings that start in `from..until` (window offsets),
    /// returns the end of the last kept finding.
    fn scan(
        &mut self,
        r: &Redactor,
        window: &[u8],
        from: usize,
        until: usize,
        line: u64,
        how: Structure<'_>,
    ) -> Result<usize> {
        self.found.clear();
        let (scratch, found) = (&mut *self.scratch, &mut *self.found);
        catch_unwind(AssertUnwindSafe(|| {
            failpoint(line);
            r.scan_structured(scratch, window, how, found);
        }))
        .map_err(|_| withheld(line))?;
        self.kept.clear();
        let mut end = 0;
        for f in self.found.iter() {
            if f.span.start() >= from && f.span.start() < until {
                end = end.max(f.span.end());
                self.kept.push(Finding {
                    span: Span::new(f.span.start() - from, f.span.end() - from),
                    ..*f
                });
            }
        }
        Ok(end)
    }

    /// Scans the complete units of `region` in batches on rayon's pool, then emits them in
    /// order. On a fault, the units before the faulty one are emitted and it is withheld.
    fn parallel<S: Sink>(
        &mut self,
        r: &Redactor,
        sink: &mut S,
        region: &[u8],
        line: &mut u64,
        threads: usize,
        how: Structure<'_>,
    ) -> Result<()> {
        use rayon::prelude::*;
        // Many small batches: a worker left without one at the end of a region waits less.
        let target = (region.len() / (threads * 16)).max(16 << 10);
        let mut batches: Vec<(usize, usize, u64)> = Vec::new();
        let (mut at, mut first) = (0, *line);
        let units = self.units;
        while at < region.len() {
            let want = (at + target).min(region.len());
            let end = match units {
                _ if want == region.len() => region.len(),
                Units::Lines => {
                    memchr::memchr(b'\n', &region[want - 1..]).map_or(region.len(), |i| want + i)
                }
                Units::Records(_) => {
                    let mut e = at;
                    while e < want {
                        e = unit_end(units, region, e) + 1;
                    }
                    e.min(region.len())
                }
            };
            batches.push((at, end, first));
            first += memchr::memchr_iter(b'\n', &region[at..end]).count() as u64;
            at = end;
        }
        let renders = sink.renders();
        let scans: Vec<BatchScan> = batches
            .par_iter()
            .map(|&(s, e, first)| scan_batch(r, &region[s..e], (first, units), how, renders))
            .collect();
        if renders {
            // The workers rewrote the lines: only bytes to write, in order.
            for (&(s, e, _), scan) in batches.iter().zip(&scans) {
                let lines = scan.line_ends.len();
                let upto = scan.failed.map_or(lines, |k| k as usize);
                let written = if upto == 0 {
                    0
                } else {
                    scan.line_ends[upto - 1]
                };
                sink.rendered(&scan.rendered[..written])
                    .map_err(Error::output)?;
                self.stats.findings += scan
                    .findings
                    .iter()
                    .filter(|(k, _)| (*k as usize) < upto)
                    .count() as u64;
                // Bytes and lines of the units written: their input extent (each ends with
                // its newline: a region is whole units).
                let batch = &region[s..e];
                let at = if scan.failed.is_none() {
                    batch.len()
                } else {
                    let mut at = 0;
                    for _ in 0..upto {
                        at = unit_end(units, batch, at) + 1;
                    }
                    at
                };
                let physical = memchr::memchr_iter(b'\n', &batch[..at]).count() as u64;
                self.stats.bytes += at as u64;
                self.stats.lines += physical;
                *line += physical;
                if scan.failed.is_some() {
                    return Err(withheld(*line));
                }
            }
            return Ok(());
        }
        for (&(s, e, _), scan) in batches.iter().zip(&scans) {
            let batch = &region[s..e];
            let mut at = 0;
            let mut k = 0u32;
            let mut f = 0;
            while at < batch.len() {
                if scan.failed == Some(k) {
                    return Err(withheld(*line));
                }
                let nl = unit_end(units, batch, at);
                let ce = content_end(batch, at, nl);
                self.kept.clear();
                while f < scan.findings.len() && scan.findings[f].0 == k {
                    self.kept.push(scan.findings[f].1);
                    f += 1;
                }
                self.emit(sink, *line, 0, &batch[at..ce], &batch[ce..=nl], how)?;
                self.count_lines(&batch[at..ce], line);
                at = nl + 1;
                k += 1;
            }
        }
        Ok(())
    }

    /// Scans and emits the rest of a line, `buf[pos..=nl]` (`nl` its `\n`), with
    /// `buf[win..pos]` before it as left context (the start of a chunked line), then moves
    /// `line` and `line_off` on to the next line.
    fn line<S: Sink>(
        &mut self,
        r: &Redactor,
        sink: &mut S,
        buf: &[u8],
        (win, pos, nl): (usize, usize, usize),
        (line, line_off): (&mut u64, &mut u64),
        how: Structure<'_>,
    ) -> Result<()> {
        let ce = content_end(buf, pos, nl);
        self.scan(r, &buf[win..ce], pos - win, ce - win + 1, *line, how)?;
        self.emit(sink, *line, *line_off, &buf[pos..ce], &buf[ce..=nl], how)?;
        self.count_lines(&buf[pos..ce], line);
        *line_off = 0;
        Ok(())
    }

    /// Counts the lines of a unit just emitted (`text` its content) and moves `line` past it.
    fn count_lines(&mut self, text: &[u8], line: &mut u64) {
        let n = 1 + lines_within(self.units, text);
        self.stats.lines += n;
        *line += n;
    }

    /// Emits `buf[pos..=last]` (`last` a newline) line by line, each read as `how` (a row
    /// under the header: a quote left open makes no record of them, and their columns still
    /// count); returns where the next unit starts.
    #[allow(clippy::too_many_arguments)] // the framing state, borrowed field by field
    fn lines_of<S: Sink>(
        &mut self,
        r: &Redactor,
        sink: &mut S,
        buf: &[u8],
        mut pos: usize,
        last: usize,
        line: &mut u64,
        how: Structure<'_>,
    ) -> Result<usize> {
        let units = std::mem::replace(&mut self.units, Units::Lines);
        let mut off = 0;
        let done = (|| {
            while pos <= last {
                let nl = pos + memchr::memchr(b'\n', &buf[pos..]).expect("ends at a newline");
                self.line(r, sink, buf, (pos, pos, nl), (line, &mut off), how)?;
                pos = nl + 1;
            }
            Ok(pos)
        })();
        self.units = units;
        done
    }

    fn emit<S: Sink>(
        &mut self,
        sink: &mut S,
        line: u64,
        line_offset: u64,
        text: &[u8],
        terminator: &[u8],
        how: Structure<'_>,
    ) -> Result<()> {
        self.stats.findings += self.kept.len() as u64;
        self.stats.bytes += (text.len() + terminator.len()) as u64;
        sink.piece(&Piece {
            line,
            line_offset,
            text,
            findings: self.kept,
            terminator,
            how,
        })
        .map_err(Error::output)
    }
}

impl Framer {
    pub(crate) fn new(redactor: &Redactor, opts: StreamOptions) -> Self {
        let overlap = redactor.max_match_len() + 2 * WINDOW + 64;
        let max_unit = opts.max_unit.max(4 * overlap);
        let ctx_keep = WINDOW + 16;
        Self {
            buf: Vec::with_capacity(max_unit + opts.read_size + ctx_keep),
            ctx: 0,
            line: 1,
            line_off: 0,
            overlap,
            max_unit,
            ctx_keep,
            threads: opts.threads.max(1),
            format: opts.format,
            units: opts.format.separator().map_or(Units::Lines, Units::Records),
            header: None,
            row: CsvCursor::default(),
            scratch: redactor.scratch(),
            found: Vec::new(),
            kept: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// The buffer new bytes are appended to (then call [`Framer::process`]).
    pub(crate) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Bytes waiting for the end of their line.
    pub(crate) fn pending(&self) -> usize {
        self.buf.len() - self.ctx
    }

    /// Hands every complete line in the buffer to `sink`, and chunks of a partial line that
    /// has grown past `max_unit`; keeps the rest for later.
    pub(crate) fn process<S: Sink>(&mut self, r: &Redactor, sink: &mut S) -> Result<()> {
        self.step(r, sink, false)
    }

    /// End of input: the partial line, if any, is the last line. Returns the counts so far.
    pub(crate) fn finish<S: Sink>(&mut self, r: &Redactor, sink: &mut S) -> Result<Stats> {
        self.step(r, sink, true)?;
        Ok(self.stats)
    }

    fn step<S: Sink>(&mut self, r: &Redactor, sink: &mut S, eof: bool) -> Result<()> {
        let Self {
            buf,
            ctx,
            line,
            line_off,
            overlap,
            max_unit,
            ctx_keep,
            threads,
            format,
            units,
            header,
            row,
            scratch,
            found,
            kept,
            stats,
        } = self;
        let units = *units;
        let mut st = ScanState {
            units,
            scratch,
            found,
            kept,
            stats,
        };
        let mut pos = *ctx;
        // The rest of a long line (with its left context) is scanned inline; then, when there
        // is enough, the complete lines are scanned in parallel batches and emitted in order.
        if *ctx > 0
            && let Some(i) = memchr::memchr(b'\n', &buf[pos..])
        {
            let nl = pos + i;
            let ce = content_end(buf, pos, nl);
            st.scan(r, &buf[..ce], pos, ce + 1, *line, chunk_of(header, *row))?;
            st.emit(
                sink,
                *line,
                *line_off,
                &buf[pos..ce],
                &buf[ce..=nl],
                Structure::Text,
            )?;
            st.count_lines(&buf[pos..ce], line);
            *line_off = 0;
            *row = CsvCursor::default();
            pos = nl + 1;
        }
        // A delimited stream's first line is its header: its column names are context for
        // the fields under them. It is read once its first physical line is whole (ended by
        // `\n` or a lone `\r`), then scanned as a row like any other.
        if let Some(sep) = format.separator()
            && header.is_none()
        {
            if *line == 1 && *line_off == 0 {
                let rest = &buf[pos..];
                let end = memchr::memchr2(b'\n', b'\r', rest).filter(|&i| {
                    // A `\r` as the last byte may be the first of `\r\n`.
                    rest[i] == b'\n' || i + 1 < rest.len() || eof
                });
                if end.is_some() || eof || rest.len() > *max_unit {
                    let first = &rest[..end.unwrap_or(rest.len())];
                    *header = Some(CsvHeader::parse(first, sep).unwrap_or(CsvHeader {
                        names: Vec::new(),
                        sep,
                    }));
                }
            } else {
                *header = Some(CsvHeader {
                    names: Vec::new(),
                    sep,
                });
            }
        }
        let how = match (*format, header.as_ref()) {
            (Format::Auto, _) => Structure::Auto,
            (_, Some(h)) => Structure::Row(h),
            _ => Structure::Text,
        };
        if *threads > 1
            && let Some(end) = whole_units(units, buf, pos, *max_unit)
            && end - pos >= PARALLEL_MIN
        {
            st.parallel(r, sink, &buf[pos..end], line, *threads, how)?;
            pos = end;
        }
        loop {
            match units.end(&buf[pos..], *max_unit) {
                End::At(i) => {
                    let nl = pos + i;
                    let win = if pos == *ctx { 0 } else { pos };
                    st.line(r, sink, buf, (win, pos, nl), (line, line_off), how)?;
                    pos = nl + 1;
                }
                // A quote open too long: the lines it would have swallowed are lines of text.
                End::Broken(i) => pos = st.lines_of(r, sink, buf, pos, pos + i, line, how)?,
                End::Open => break,
            }
        }
        if eof
            && pos < buf.len()
            && !units.whole_at_eof(&buf[pos..])
            && let Some(i) = memchr::memrchr(b'\n', &buf[pos..])
        {
            // The input ended inside a quoted field: what it holds is lines (the last, after
            // its final newline, is read below as any last line).
            pos = st.lines_of(r, sink, buf, pos, pos + i, line, how)?;
        }
        let line_start = if pos == *ctx { 0 } else { pos };
        if eof {
            if pos < buf.len() {
                // The tail of a chunked line is read from where the row was; a whole last line
                // is read as any other.
                let (scan_how, how) = if line_start < pos || *line_off > 0 {
                    (chunk_of(header, *row), Structure::Text)
                } else {
                    (how, how)
                };
                st.scan(
                    r,
                    &buf[line_start..],
                    pos - line_start,
                    buf.len() - line_start + 1,
                    *line,
                    scan_how,
                )?;
                st.emit(sink, *line, *line_off, &buf[pos..], b"", how)?;
                st.count_lines(&buf[pos..], line);
                *line_off = 0;
            }
            buf.clear();
            *ctx = 0;
            return Ok(());
        }
        let keep_from = if buf.len() - pos > *max_unit {
            let limit = buf.len() - *overlap;
            // A new long line starts a row; a chunk of one goes on where the last left it.
            if line_start > 0 {
                *row = CsvCursor::default();
            }
            let end = st.scan(
                r,
                &buf[line_start..],
                pos - line_start,
                limit - line_start,
                *line,
                chunk_of(header, *row),
            )?;
            let cut = limit.max(line_start + end);
            st.emit(sink, *line, *line_off, &buf[pos..cut], b"", Structure::Text)?;
            *line_off += (cut - pos) as u64;
            pos = cut;
            let keep_from = pos.saturating_sub(*ctx_keep).max(line_start);
            if let Some(h) = header.as_ref() {
                row.advance(&buf[line_start..keep_from], h.sep);
            }
            keep_from
        } else {
            if line_start > 0 {
                *row = CsvCursor::default();
            }
            line_start
        };
        *ctx = pos - keep_from;
        buf.copy_within(keep_from.., 0);
        buf.truncate(buf.len() - keep_from);
        Ok(())
    }
}

/// How a chunk of a long line is scanned: a row from where the cursor says in a delimited
/// stream, text otherwise.
fn chunk_of(header: &Option<CsvHeader>, row: CsvCursor) -> Structure<'_> {
    header
        .as_ref()
        .map_or(Structure::Text, |h| Structure::RowFrom(h, row))
}

/// The end of the longest run of whole units from `buf[pos..]` (for lines, after the last
/// newline), if there is one.
fn whole_units(units: Units, buf: &[u8], pos: usize, max_unit: usize) -> Option<usize> {
    match units {
        Units::Lines => memchr::memrchr(b'\n', &buf[pos..]).map(|i| pos + i + 1),
        Units::Records(_) => {
            let mut at = pos;
            while let End::At(i) = units.end(&buf[at..], max_unit) {
                at += i + 1;
            }
            (at > pos).then_some(at)
        }
    }
}

fn read_some<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    tmp: &mut [u8],
    source: &str,
) -> Result<usize> {
    // Read into a buffer zeroed once and copy what came: zero-filling `buf` before every read
    // would cost a full read size each time, however little a pipe hands over.
    loop {
        match reader.read(tmp) {
            Ok(n) => {
                buf.extend_from_slice(&tmp[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("reading {source}"), e)),
        }
    }
}

/// Streams `reader` through `redactor` into `sink`. `source` names the input in errors.
pub(crate) fn run<R: Read, S: Sink>(
    redactor: &Redactor,
    mut reader: R,
    source: &str,
    sink: &mut S,
    opts: StreamOptions,
) -> Result<Stats> {
    let mut f = Framer::new(redactor, opts);
    let mut tmp = vec![0u8; opts.read_size.max(1)];
    loop {
        let n = read_some(&mut reader, f.buffer(), &mut tmp, source)?;
        if n == 0 {
            let stats = f.finish(redactor, sink)?;
            sink.flush().map_err(Error::output)?;
            return Ok(stats);
        }
        f.process(redactor, sink)?;
        // The input may pause now: everything read so far is written.
        sink.flush().map_err(Error::output)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects pieces as (line, offset, text, findings as (start, end, entity), terminator).
    #[derive(Default)]
    struct Collect {
        out: Vec<u8>,
        found: Vec<(u64, u64, String)>,
        flushes: usize,
    }

    impl Sink for Collect {
        fn piece(&mut self, p: &Piece<'_>) -> io::Result<()> {
            self.out.extend_from_slice(p.text);
            self.out.extend_from_slice(p.terminator);
            for f in p.findings {
                self.found.push((
                    p.line,
                    p.line_offset + f.span.start() as u64,
                    String::from_utf8_lossy(&p.text[f.span.range()]).into_owned(),
                ));
            }
            Ok(())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushes += 1;
            Ok(())
        }
    }

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn run_with(input: &[u8], step: usize, max_unit: usize) -> Collect {
        run_threads(input, step, max_unit, 1)
    }

    fn run_threads(input: &[u8], step: usize, max_unit: usize, threads: usize) -> Collect {
        let r = Redactor::new();
        let mut c = Collect::default();
        let opts = StreamOptions {
            max_unit,
            read_size: step.max(1),
            threads,
            format: Format::Auto,
        };
        run(&r, Trickle(input, step), "test", &mut c, opts).unwrap();
        c
    }

    #[test]
    fn parallel_batches_match_inline_scanning() {
        let mut input = Vec::new();
        for i in 0..30_000 {
            input.extend_from_slice(
                format!("{i} mail u{i}@example.com card 4111 1111 1111 1111\r\n").as_bytes(),
            );
            if i % 7000 == 0 {
                input.extend_from_slice(&[b'x'; 300_000]); // a long line between batches
                input.push(b'\n');
            }
        }
        let one = run_threads(&input, 1 << 20, 1 << 20, 1);
        let four = run_threads(&input, 1 << 20, 1 << 20, 4);
        assert_eq!(one.out, input);
        assert_eq!(four.out, one.out);
        assert_eq!(four.found, one.found);
        assert_eq!(one.found.len(), 60_000);
    }

    #[test]
    fn transparent_and_line_accurate() {
        let input = b"a 536-90-4399\r\n\n\xff\x00 jane@example.com\nlast 4111111111111111";
        for step in [1, 3, 7, 4096] {
            let c = run_with(input, step, 1 << 20);
            assert_eq!(c.out, input.to_vec(), "step {step}");
            assert_eq!(
                c.found,
                vec![
                    (1, 2, "536-90-4399".to_owned()),
                    (3, 3, "jane@example.com".to_owned()),
                    (4, 5, "4111111111111111".to_owned())
                ],
                "step {step}"
            );
        }
    }

    #[test]
    fn long_lines_are_chunked_without_losing_findings() {
        // Identifiers placed across every chunk boundary region.
        let mut line = Vec::new();
        let mut want = Vec::new();
        while line.len() < 200_000 {
            line.extend_from_slice(b"filler text with words ");
            let at = line.len();
            line.extend_from_slice(b"jane.doe@example.com");
            want.push((1u64, at as u64, "jane.doe@example.com".to_owned()));
            line.extend_from_slice(b" and ");
        }
        line.push(b'\n');
        for step in [1000, 4093, 65536] {
            let c = run_with(&line, step, 10_000);
            assert_eq!(c.out, line, "step {step}");
            assert_eq!(c.found, want, "step {step}");
        }
    }

    fn run_csv(input: &[u8], step: usize, threads: usize) -> (Collect, Stats) {
        let r = Redactor::new();
        let mut c = Collect::default();
        let opts = StreamOptions {
            max_unit: 1 << 20,
            read_size: step.max(1),
            threads,
            format: Format::Csv,
        };
        let stats = run(&r, Trickle(input, step), "test", &mut c, opts).unwrap();
        (c, stats)
    }

    /// Issue 16: a quoted field may hold newlines; the record is all its lines, read as one
    /// (the SSN after `world"` is under its column), line numbers and counts physical.
    #[test]
    fn csv_records_span_their_quoted_newlines() {
        let input = b"id,note,ssn\n1,\"hello\nworld\",536904399\n2,\"a\r\n\"\"b\"\"\",536904399";
        for step in [1, 2, 5, 4096] {
            let (c, stats) = run_csv(input, step, 1);
            assert_eq!(c.out, input.to_vec(), "step {step}");
            // The test sink sees a record's first line and offsets within the record.
            let want = [(2, 16, "536904399"), (4, 13, "536904399")];
            let got: Vec<_> = c
                .found
                .iter()
                .map(|(l, s, v)| (*l, *s, v.as_str()))
                .collect();
            assert_eq!(got, want, "step {step}");
            assert_eq!(stats.lines, 5, "step {step}");
        }
    }

    #[test]
    fn csv_records_in_parallel_batches_match_inline_scanning() {
        let mut input = b"n,note,email\n".to_vec();
        for i in 0..20_000 {
            let note = match i % 3 {
                0 => "plain".to_owned(),
                1 => format!("\"line one\nline {i}\n\"\"quoted\"\"\""),
                _ => "\"a, b\"".to_owned(),
            };
            input.extend_from_slice(format!("{i},{note},u{i}@example.com\n").as_bytes());
        }
        let lines = input.iter().filter(|&&b| b == b'\n').count() as u64;
        let (one, s1) = run_csv(&input, 1 << 20, 1);
        let (four, s4) = run_csv(&input, 1 << 20, 4);
        let (small, s2) = run_csv(&input, 4093, 2);
        assert_eq!(one.out, input);
        assert_eq!(four.out, one.out);
        assert_eq!(four.found, one.found);
        assert_eq!(small.found, one.found);
        assert_eq!(one.found.len(), 20_000);
        assert_eq!((s1.lines, s4.lines, s2.lines), (lines, lines, lines));
        // Every e-mail is reported with the first physical line of its record.
        let line_of = |n: usize| {
            2 + input[..memchr::memmem::find(&input, format!("\n{n},").as_bytes()).unwrap()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
        };
        for n in [0, 1, 2, 9_999, 19_999] {
            assert_eq!(four.found[n].0, line_of(n), "e-mail {n}");
        }
    }

    #[test]
    fn an_unclosed_quote_leaves_lines_of_text() {
        // Past the record limit, or at the end of input, what an open quote would have
        // swallowed is read line by line as text: the e-mails are found.
        let mut input = b"a,b\n1,\"open\n".to_vec();
        for i in 0..5000 {
            input.extend_from_slice(format!("row {i} mail u{i}@example.com\n").as_bytes());
        }
        let r = Redactor::new();
        let mut c = Collect::default();
        let opts = StreamOptions {
            max_unit: 0, // the least the framer allows
            read_size: 1000,
            threads: 1,
            format: Format::Csv,
        };
        let stats = run(&r, Trickle(&input, 1000), "test", &mut c, opts).unwrap();
        assert_eq!(c.out, input);
        assert_eq!(c.found.len(), 5000);
        assert_eq!(stats.lines, 5002);
        assert_eq!(c.found[4999].0, 5002);
        let (c, stats) = run_csv(&input, 1 << 16, 1);
        assert_eq!((c.found.len(), stats.lines), (5000, 5002));
    }

    /// Issue 21: a row too long to hold whole is scanned in chunks that keep their columns,
    /// read quote-aware and naively; so are rows ended by a lone CR.
    #[test]
    fn chunks_of_a_long_row_keep_their_columns() {
        let note = "word ".repeat(40_000);
        let cases = [
            format!("id,note,ssn\n1,{note},536904399\n2,x,536904310\n"),
            format!("id,note,ssn\n1,\"{note}, \"\"quoted\"\"\",536904399\n"),
            // A stray quote: quote-aware, the rest is one field; naively, columns.
            format!("id,note,ssn\n1,\"{note},536904399\n"),
            // Lone CRs end rows, the header's too, in a line of many chunks.
            format!(
                "id,note,ssn\r{}",
                (0..20_000)
                    .map(|i| format!("{i},{},5369{:05}\r", "w ".repeat(i % 7), 43000 + i % 1000))
                    .collect::<String>()
            ),
        ];
        for (k, input) in cases.iter().enumerate() {
            for step in [4096, 1 << 16] {
                let r = Redactor::new();
                let mut c = Collect::default();
                let opts = StreamOptions {
                    max_unit: 0, // the least the framer allows
                    read_size: step,
                    threads: 1,
                    format: Format::Csv,
                };
                run(&r, Trickle(input.as_bytes(), step), "test", &mut c, opts).unwrap();
                assert_eq!(c.out, input.as_bytes(), "case {k}");
                let found: Vec<_> = c.found.iter().filter(|f| f.2.starts_with("5369")).collect();
                let want = input.matches(",5369").count();
                assert_eq!(found.len(), want, "case {k} step {step}");
            }
        }
    }

    /// Found by the leak fuzz target: an input that ended inside a quote, with no newline
    /// after it, stopped the stream (a panic; the last line withheld).
    #[test]
    fn an_input_ending_inside_a_quote_on_its_last_line() {
        for input in [
            &b"a,b\n1,\"abc"[..],
            b"1,\"abc",
            b"a\n\"",
            b"a,b\n1,\"x\n2,ssn 536-90-4399",
        ] {
            let (c, stats) = run_csv(input, 3, 1);
            assert_eq!(c.out, input, "{}", String::from_utf8_lossy(input));
            assert_eq!(stats.lines, input.split(|&b| b == b'\n').count() as u64);
        }
        let (c, _) = run_csv(b"a,b\n1,\"x\n2,ssn 536-90-4399", 4096, 1);
        assert_eq!(c.found.len(), 1);
    }

    #[test]
    fn flushes_after_each_read() {
        let c = run_with(b"one\ntwo\nthree\n", 4, 1 << 20);
        assert!(c.flushes >= 3);
    }
}
