//! Complete units scanned in batches on rayon's pool and emitted in input order. A rendering
//! sink gets the rewritten bytes the workers made; any other gets each unit as a piece. A
//! fault while scanning a unit withholds it and everything after it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::framer::ScanState;
use super::sink::{Piece, Sink, render};
use super::units::Units;
use super::{content_end, failpoint, lines_within, unit_end, withheld};
use crate::error::{Error, Result};
use crate::record::Structure;
use crate::redactor::Redactor;
use crate::span::Finding;

/// Below this many bytes of complete lines a batch is scanned inline.
pub(super) const PARALLEL_MIN: usize = 128 << 10;

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

impl ScanState<'_> {
    /// Scans the complete units of `region` in batches on rayon's pool, then emits them in
    /// order. On a fault, the units before the faulty one are emitted and it is withheld.
    pub(super) fn parallel<S: Sink>(
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
}
