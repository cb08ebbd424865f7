//! One file of a job: opened and decoded ([`crate::input`]: compression, wide encodings),
//! skipped when binary, streamed through the redactor into a temporary file in the held
//! output directory, hashed as it is written, synced, renamed into place, and described by
//! its report and manifest record.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::manifest::Record;
use super::{BatchOptions, FileReport, Item, Progress, TMP_PREFIX, output_dir, root_of};
use crate::error::{Error, Result};
use crate::record::Format;
use crate::redactor::Redactor;
use crate::stream::{self, Piece, Sink, StreamOptions};

/// Counts stored bytes as they are read (for progress).
struct Counting<'p, R> {
    inner: R,
    progress: &'p dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes(n as u64);
        Ok(n)
    }
}

/// Hashes what is written through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Redacts into a writer, counting findings per entity type.
struct CountingSink<'r, W> {
    r: &'r Redactor,
    w: W,
    counts: HashMap<crate::Entity, u64>,
}

impl<W: Write> Sink for CountingSink<'_, W> {
    fn piece(&mut self, p: &Piece<'_>) -> io::Result<()> {
        for f in p.findings {
            *self.counts.entry(f.entity).or_default() += 1;
        }
        self.w
            .write_all(&self.r.rewrite_structured(p.text, p.how, p.findings))?;
        self.w.write_all(p.terminator)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Output is flushed once, at the end, before fsync.
        Ok(())
    }
}

fn format_of(path: &Path, forced: Option<Format>) -> Format {
    forced
        .or_else(|| crate::input::format_of(path))
        .unwrap_or_default()
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Auto => "auto",
        Format::Text => "text",
        Format::Csv => "csv",
        Format::Tsv => "tsv",
    }
}

/// Processes one file; returns its report and, when its output is complete, the manifest
/// record to append.
pub(super) fn process(
    r: &Redactor,
    item: &Item,
    opts: &BatchOptions,
    progress: &dyn Progress,
) -> (FileReport, Option<Record>) {
    let started = Instant::now();
    let mut report = FileReport {
        input: item.input.clone(),
        output: item.output.clone(),
        status: "ok",
        ..FileReport::default()
    };
    let format = format_of(&item.input, opts.format);
    report.format = format_name(format);
    let result = process_inner(r, item, format, &opts.job, progress, &mut report);
    report.seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(record) => (report, record),
        Err(e) => {
            report.status = "error";
            report.error = Some(e.to_string());
            (report, None)
        }
    }
}

fn process_inner(
    r: &Redactor,
    item: &Item,
    format: Format,
    job: &str,
    progress: &dyn Progress,
    report: &mut FileReport,
) -> Result<Option<Record>> {
    let name = item.input.display().to_string();
    let file = File::open(&item.input).map_err(|e| Error::io(format!("{name}: cannot open"), e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(format!("{name}: cannot stat"), e))?;
    let counting = Counting {
        inner: file,
        progress,
    };
    let (kind, decoded) = crate::input::open(counting, &name, r)?;
    report.compression = kind.compression.name();
    report.encoding = kind.wide.map_or("utf-8", |w| w.name());
    let mut text = BufReader::with_capacity(1 << 20, decoded);
    let sniff = text.fill_buf().map_err(|e| {
        Error::io(
            format!("{name}: cannot read ({} data corrupt?)", report.compression),
            e,
        )
    })?;
    if memchr::memchr(0, &sniff[..sniff.len().min(8 << 10)]).is_some() {
        report.status = "skipped";
        report.error = Some("binary file (NUL bytes): not processed".to_owned());
        return Ok(None);
    }
    let parent = item.output.parent().unwrap_or(Path::new("."));
    let tmp = output_dir(root_of(item), parent, true)?
        .temp(TMP_PREFIX)
        .map_err(|e| {
            Error::io(
                format!("{}: cannot create a temporary file", parent.display()),
                e,
            )
        })?;
    let out_file = tmp
        .file()
        .try_clone()
        .map_err(|e| Error::io_path(&item.output, e))?;
    let hashing = Hashing {
        inner: BufWriter::with_capacity(1 << 20, out_file),
        hash: Sha256::new(),
    };
    let enc =
        crate::input::Output::new(kind, hashing).map_err(|e| Error::io_path(&item.output, e))?;
    let mut sink = CountingSink {
        r,
        w: enc,
        counts: HashMap::new(),
    };
    let opts = StreamOptions {
        format,
        ..StreamOptions::parallel()
    };
    let stats = stream::run(r, text, &name, &mut sink, opts)?;
    let out_err = |e| Error::io(format!("{}: cannot write", item.output.display()), e);
    let mut hashing = sink.w.finish().map_err(out_err)?;
    hashing.flush().map_err(out_err)?;
    let digest = data_encoding::HEXLOWER.encode(&hashing.hash.finalize());
    tmp.file().sync_all().map_err(out_err)?;
    // Permissions follow the input (an input readable only by its owner stays so).
    // (Without setuid, setgid or sticky bits: an output is data, never a program to run.)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        let _ = tmp.file().set_permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = tmp.file().set_permissions(meta.permissions());
    // Renamed within the directory held open (and the rename made durable there).
    let file_name = item
        .output
        .file_name()
        .ok_or_else(|| Error::config(format!("{}: no file name", item.output.display())))?;
    tmp.persist(file_name).map_err(|e| {
        Error::io(
            format!("{}: cannot rename into place", item.output.display()),
            e,
        )
    })?;
    report.bytes = stats.bytes;
    report.lines = stats.lines;
    report.findings = sink
        .counts
        .iter()
        .map(|(e, n)| (e.name().to_owned(), *n))
        .collect();
    // In place, the input is now the output: record what a resume will find.
    let in_meta = fs::metadata(&item.input).unwrap_or(meta);
    Ok(Some(Record::new(item, job, &in_meta, digest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of(Path::new("a/b.CSV.gz"), None), Format::Csv);
        assert_eq!(format_of(Path::new("b.tsv.zst"), None), Format::Tsv);
        assert_eq!(format_of(Path::new("b.jsonl"), None), Format::Auto);
        assert_eq!(
            format_of(Path::new("b.csv"), Some(Format::Text)),
            Format::Text
        );
    }
}
