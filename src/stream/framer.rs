//! The framer: bytes come in, whole units (lines, or records in CSV/TSV) and chunks of
//! units too long to hold go out to a [`Sink`], each scanned with its left context. It keeps
//! the line count, the header of a delimited stream and where a chunk is in its row.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::parallel::PARALLEL_MIN;
use super::sink::{Piece, Sink};
use super::units::{End, Units};
use super::{Stats, StreamOptions, content_end, failpoint, lines_within, withheld};
use crate::detect::context::WINDOW;
use crate::error::{Error, Result};
use crate::record::csv::CsvCursor;
use crate::record::{CsvHeader, Format, Structure};
use crate::redactor::Redactor;
use crate::span::{Finding, Span};

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

pub(super) struct ScanState<'a> {
    pub(super) units: Units,
    pub(super) scratch: &'a mut crate::Scratch,
    pub(super) found: &'a mut Vec<Finding>,
    pub(super) kept: &'a mut Vec<Finding>,
    pub(super) stats: &'a mut Stats,
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
    pub(super) fn count_lines(&mut self, text: &[u8], line: &mut u64) {
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

    pub(super) fn emit<S: Sink>(
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
