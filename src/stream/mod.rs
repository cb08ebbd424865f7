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
//!
//! The parts: [`framer`] cuts and scans, [`parallel`] scans batches of whole units on
//! rayon's pool, [`sink`] holds where pieces go, [`units`] finds where a line or record ends;
//! [`ReadAhead`], [`RedactingWriter`] and the async adaptors drive a framer from a reader, a
//! writer or a task. This file holds the stream API of [`Redactor`] and the read loop.

#[cfg(feature = "tokio")]
mod async_io;
mod framer;
mod parallel;
mod read_ahead;
mod sink;
mod units;
mod writer;

pub use read_ahead::ReadAhead;
pub use sink::LineFinding;
pub use writer::RedactingWriter;

pub(crate) use framer::Framer;
pub(crate) use sink::{Piece, Sink};

use std::io::{self, Read};

use crate::error::{Error, Result};
use crate::record::Format;
use crate::redactor::Redactor;
use sink::{RedactSink, ScanSink};
use units::{End, Units};

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
