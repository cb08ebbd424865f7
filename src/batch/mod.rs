//! Dataset jobs (`velum batch`): redact or tokenise trees of stored files into a mirrored
//! tree, on every core, crash-safely, with a report.
//!
//! - **Plan**: inputs are files and directories (walked recursively, in name order, symlinked
//!   directories not followed); `include`/`exclude` globs match paths relative to their
//!   input. One directory input mirrors its contents under the output directory; several
//!   inputs each keep their own name there. Writing into an input tree is refused unless
//!   `in_place` is set.
//! - **Formats** ([`crate::input`]): gzip and zstd are recognised by extension or by their
//!   magic bytes and written back the same way (bzip2, xz, zip… are errors naming what to
//!   do); UTF-16 and UTF-32 text, with or without a byte-order mark, is decoded and written
//!   back in its encoding; inside, `.csv`/`.tsv` are read with their header (column names
//!   are context, quoting kept) and everything else line by line with JSON-object lines field
//!   by field ([`Format::Auto`]). Other files with NUL bytes in their first 8 KiB are binary:
//!   skipped and reported, never copied.
//! - **Parallel**: files run concurrently on rayon's pool (largest first), and each file's
//!   lines are scanned in parallel batches in order, so one huge file uses every core too;
//!   memory per file is bounded by the stream's buffers whatever its size.
//! - **Crash safety**: each output is written to a `.velum-tmp-*` file beside its final
//!   name, fsynced, renamed into place and the directory fsynced; only then is it recorded
//!   in the manifest (`.velum-manifest.jsonl`, appended and fsynced). A crash leaves only
//!   complete files under final names; `resume` skips outputs whose manifest record (job,
//!   input size, mtime, output SHA-256) still holds and redoes the rest.
//! - **Errors**: an unreadable or corrupt input is reported in its [`FileReport`] and the
//!   others are still processed.
//!
//! The parts: [`plan()`] (in `plan.rs`) finds the files, `file.rs` processes one, `manifest.rs`
//! makes a run resumable, `outdir.rs` writes through held directory handles; this file
//! holds the job's options and report and [`run`].
//!
//! # Example
//! ```
//! use velum::batch::{self, BatchOptions, NoProgress};
//! let dir = tempfile::tempdir().unwrap();
//! let input = dir.path().join("logs");
//! std::fs::create_dir_all(input.join("app")).unwrap();
//! std::fs::write(input.join("app/a.log"), "mail jane@example.com\n").unwrap();
//! let opts = BatchOptions::new(dir.path().join("out"));
//! let plan = batch::plan(&[input], &opts)?;
//! let report = batch::run(&velum::Redactor::new(), &plan, &opts, &NoProgress)?;
//! assert_eq!(report.total.findings["EMAIL"], 1);
//! let out = std::fs::read_to_string(dir.path().join("out/app/a.log")).unwrap();
//! assert_eq!(out, "mail [EMAIL]\n");
//! # Ok::<(), velum::Error>(())
//! ```

mod file;
mod manifest;
mod outdir;
mod plan;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::record::Format;
use crate::redactor::Redactor;
use file::process;
use manifest::{Manifest, clean_stale_temps};
pub use plan::plan;

/// Name of the manifest in the output directory.
pub const MANIFEST: &str = ".velum-manifest.jsonl";
const TMP_PREFIX: &str = ".velum-tmp-";

/// What a batch job does besides redacting (see the [module example](self)).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct BatchOptions {
    /// The output directory; `None` only with `in_place`.
    pub out: Option<PathBuf>,
    /// Globs a file's relative path must match (any); all files when empty.
    pub include: Vec<String>,
    /// Globs that exclude a file or directory.
    pub exclude: Vec<String>,
    /// Allow writing into the input tree (with no `out`: each file replaced by its redacted
    /// self, atomically).
    pub in_place: bool,
    /// Skip outputs the manifest records as complete for this job.
    pub resume: bool,
    /// Read every file as this format instead of by its extension.
    pub format: Option<Format>,
    /// Identifies the job's settings (policy, keys); a manifest record of another job is not
    /// resumed.
    pub job: String,
}

impl BatchOptions {
    /// Options writing to `out`, everything else default.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        Self {
            out: Some(out.into()),
            ..Self::default()
        }
    }
}

pub use crate::input::Compression;

/// One file of a plan.
#[derive(Clone, Debug)]
pub struct Item {
    /// The file read.
    pub input: PathBuf,
    /// Its path relative to the output root (how it is named in reports and the manifest).
    pub rel: PathBuf,
    /// The file written.
    pub output: PathBuf,
    /// Input size in bytes when planned.
    pub size: u64,
}

/// The files of a job, and where their outputs go.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Files, in the order they were found.
    pub items: Vec<Item>,
    /// Entries of input trees that are not processed, in the order found, with why: symbolic
    /// links (not followed) and what is not a regular file (a FIFO, a socket, a device).
    /// They are in the report as `skipped`.
    pub passed_over: Vec<(PathBuf, &'static str)>,
    /// Where the manifest lives.
    pub root: PathBuf,
}

/// What happened to one file.
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct FileReport {
    /// Input path (in the JSON report, lossily as UTF-8).
    #[serde(serialize_with = "lossy_path")]
    pub input: PathBuf,
    /// Output path (in the JSON report, lossily as UTF-8).
    #[serde(serialize_with = "lossy_path")]
    pub output: PathBuf,
    /// `ok`, `resumed` (complete from an earlier run), `skipped` (binary, a symbolic link
    /// or not a regular file: `error` says which) or `error`.
    pub status: &'static str,
    /// Line format read: `auto`, `text`, `csv`, `tsv`.
    pub format: &'static str,
    /// `none`, `gzip` or `zstd`.
    pub compression: &'static str,
    /// Text encoding: `utf-8`, or `UTF-16LE`, `UTF-16BE`, `UTF-32LE`, `UTF-32BE` (written
    /// back the same way).
    pub encoding: &'static str,
    /// Bytes of input read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Findings per entity type.
    pub findings: BTreeMap<String, u64>,
    /// Wall time in seconds.
    pub seconds: f64,
    /// What went wrong, for `error` (never a value from the data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Sums over all files.
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct Totals {
    /// Files processed now.
    pub ok: u64,
    /// Files complete from an earlier run.
    pub resumed: u64,
    /// Entries skipped: binary files, symbolic links in a tree, what is not a regular file.
    pub skipped: u64,
    /// Files that failed.
    pub errors: u64,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Findings per entity type.
    pub findings: BTreeMap<String, u64>,
    /// Wall time of the job in seconds.
    pub seconds: f64,
}

/// The report of a job: per file and in total.
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Per file, in plan order.
    pub files: Vec<FileReport>,
    /// Sums.
    pub total: Totals,
}

/// Progress of a running job (a progress bar, a log); calls come from worker threads.
pub trait Progress: Sync {
    /// `n` more input bytes (as stored, before decompression) were read.
    fn bytes(&self, n: u64);
    /// A file is finished.
    fn file_done(&self, report: &FileReport);
}

/// A [`Progress`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn bytes(&self, _: u64) {}
    fn file_done(&self, _: &FileReport) {}
}

/// Opens directory `dir` under output root `root` (creating what is missing when `create`)
/// without following a symbolic link anywhere below the root: a link planted in the output
/// tree, before the job or while it runs, would send outputs outside it ([`outdir`]).
fn output_dir(root: &Path, dir: &Path, create: bool) -> Result<outdir::Dir> {
    let Ok(below) = dir.strip_prefix(root) else {
        return Err(Error::config(format!(
            "{}: not inside the output directory {}",
            dir.display(),
            root.display()
        )));
    };
    outdir::Dir::open(root, below, create).map_err(|e| match e {
        outdir::OpenError::Link => Error::config(format!(
            "{}: a symbolic link inside the output tree (or a file where a directory should \
             be); refusing to follow it",
            dir.display()
        )),
        outdir::OpenError::Io(e) => Error::io_path(dir, e),
    })
}

/// The root of `item`'s output tree.
fn root_of(item: &Item) -> &Path {
    item.output
        .ancestors()
        .nth(item.rel.components().count())
        .unwrap_or(Path::new("/"))
}

/// A path in a report: its name as UTF-8, any other byte replaced (a report is for people).
fn lossy_path<S: serde::Serializer>(p: &Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

/// Runs a plan: every file redacted by `redactor` into its output.
///
/// # Errors
/// [`ErrorKind::Io`](crate::ErrorKind::Io) only when the manifest cannot be written; a file
/// that fails is reported in its [`FileReport`] and the others still run.
pub fn run(
    redactor: &Redactor,
    plan: &Plan,
    opts: &BatchOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    use rayon::prelude::*;
    let started = Instant::now();
    fs::create_dir_all(&plan.root).map_err(|e| Error::io_path(&plan.root, e))?;
    let manifest = Manifest::open(&plan.root)?;
    clean_stale_temps(plan);
    let mut order: Vec<usize> = (0..plan.items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(plan.items[i].size));
    let mut reports: Vec<(usize, FileReport)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            let item = &plan.items[i];
            let report = if opts.resume && manifest.is_complete(item, &opts.job) {
                FileReport {
                    input: item.input.clone(),
                    output: item.output.clone(),
                    status: "resumed",
                    ..FileReport::default()
                }
            } else {
                let (report, record) = process(redactor, item, opts, progress);
                if let Some(rec) = record {
                    manifest.append(&rec);
                }
                report
            };
            progress.file_done(&report);
            (i, report)
        })
        .collect();
    manifest.finish()?;
    reports.sort_by_key(|(i, _)| *i);
    let mut total = Totals::default();
    let mut files: Vec<FileReport> = reports.into_iter().map(|(_, r)| r).collect();
    files.extend(plan.passed_over.iter().map(|(input, why)| FileReport {
        input: input.clone(),
        status: "skipped",
        error: Some((*why).to_owned()),
        ..FileReport::default()
    }));
    for f in &files {
        match f.status {
            "ok" => total.ok += 1,
            "resumed" => total.resumed += 1,
            "skipped" => total.skipped += 1,
            _ => total.errors += 1,
        }
        total.bytes += f.bytes;
        total.lines += f.lines;
        for (k, v) in &f.findings {
            *total.findings.entry(k.clone()).or_default() += v;
        }
    }
    total.seconds = started.elapsed().as_secs_f64();
    Ok(Report { files, total })
}
