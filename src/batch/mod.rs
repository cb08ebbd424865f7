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

use std::collections::{BTreeMap, HashMap};
mod outdir;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::record::Format;
use crate::redactor::Redactor;
use crate::stream::{self, Piece, Sink, StreamOptions};

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

fn globs(patterns: &[String], what: &str) -> Result<Option<globset::GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| Error::config(format!("--{what} {p:?}: {e}")))?);
    }
    b.build()
        .map(Some)
        .map_err(|e| Error::config(format!("--{what}: {e}")))
}

fn absolute(p: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(p).map_err(|e| Error::io_path(p, e))?;
    // Resolve what exists, so `a/../b` and symlinked parents compare truthfully, also for an
    // output directory that does not exist yet (`other/../in/out`).
    let mut cur = PathBuf::new();
    let mut real = true;
    for c in abs.components() {
        match c {
            std::path::Component::Normal(n) => {
                cur.push(n);
                if real {
                    match fs::canonicalize(&cur) {
                        Ok(r) => cur = r,
                        Err(_) => real = false,
                    }
                }
            }
            std::path::Component::ParentDir => {
                cur.pop();
            }
            std::path::Component::CurDir => {}
            other => cur.push(other),
        }
    }
    Ok(cur)
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

/// Finds the files of a job and where each output goes.
///
/// # Errors
/// [`ErrorKind::Config`](crate::ErrorKind::Config) for a missing input, a bad glob, an
/// output inside an input tree without `in_place`, or two inputs that would write the same
/// output.
pub fn plan(inputs: &[PathBuf], opts: &BatchOptions) -> Result<Plan> {
    if inputs.is_empty() {
        return Err(Error::config(
            "batch needs at least one input file or directory",
        ));
    }
    let include = globs(&opts.include, "include")?;
    let exclude = globs(&opts.exclude, "exclude")?;
    let out = match (&opts.out, opts.in_place) {
        (Some(o), _) => Some(absolute(o)?),
        (None, true) => None,
        (None, false) => {
            return Err(Error::config(
                "batch needs --out DIR (or --in-place to replace the inputs)",
            ));
        }
    };
    let single_dir = inputs.len() == 1 && inputs[0].is_dir();
    let mut items = Vec::new();
    let mut passed_over = Vec::new();
    let mut root = None;
    for input in inputs {
        let meta = fs::metadata(input)
            .map_err(|e| Error::config(format!("{}: cannot read: {e}", input.display())))?;
        let abs = absolute(input)?;
        if let Some(o) = &out
            && meta.is_dir()
            && o.starts_with(&abs)
            && !opts.in_place
        {
            return Err(Error::config(format!(
                "{} is inside the input {}: refusing to write into the input tree (give --in-place to allow it)",
                o.display(),
                input.display()
            )));
        }
        let base = if single_dir {
            PathBuf::new()
        } else {
            PathBuf::from(abs.file_name().unwrap_or(abs.as_os_str()))
        };
        if root.is_none() {
            root = Some(match &out {
                Some(o) => o.clone(),
                None if meta.is_dir() => abs.clone(),
                None => abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf),
            });
        }
        let mut found = Found::default();
        if meta.is_dir() {
            walk(
                &abs,
                Path::new(""),
                out.as_deref(),
                exclude.as_ref(),
                &mut found,
            )?;
        } else {
            found.files.push((abs.clone(), PathBuf::new(), meta.len()));
        }
        passed_over.append(&mut found.passed);
        for (path, rel_in_input, size) in found.files {
            let rel = if meta.is_dir() {
                base.join(&rel_in_input)
            } else {
                PathBuf::from(abs.file_name().unwrap_or_default())
            };
            let matches = |set: &Option<globset::GlobSet>| {
                set.as_ref()
                    .is_some_and(|s| s.is_match(&rel) || s.is_match(&rel_in_input))
            };
            if (include.is_some() && !matches(&include)) || matches(&exclude) {
                continue;
            }
            let output = match &out {
                Some(o) => o.join(&rel),
                None => path.clone(),
            };
            if output == path && !opts.in_place {
                return Err(Error::config(format!(
                    "{}: the output would replace the input (give --in-place to allow it)",
                    path.display()
                )));
            }
            items.push(Item {
                input: path,
                rel,
                output,
                size,
            });
        }
    }
    let mut seen = HashMap::new();
    for it in &items {
        if let Some(other) = seen.insert(it.output.clone(), it.input.clone()) {
            return Err(Error::config(format!(
                "{} and {} would both write {}",
                other.display(),
                it.input.display(),
                it.output.display()
            )));
        }
    }
    Ok(Plan {
        items,
        passed_over,
        root: root.expect("at least one input"),
    })
}

/// What a walk of an input tree found: files (path, path within the input, size), and
/// entries passed over with why.
#[derive(Default)]
struct Found {
    files: Vec<(PathBuf, PathBuf, u64)>,
    passed: Vec<(PathBuf, &'static str)>,
}

fn walk(
    dir: &Path,
    rel: &Path,
    out: Option<&Path>,
    exclude: Option<&globset::GlobSet>,
    found: &mut Found,
) -> Result<()> {
    if out.is_some_and(|o| o == dir) {
        return Ok(()); // the output tree inside an input tree (--in-place) is not input
    }
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::config(format!("{}: cannot list: {e}", dir.display())))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with(TMP_PREFIX) || name_str == MANIFEST {
            continue;
        }
        let path = e.path();
        let r = rel.join(&name);
        let Ok(ft) = e.file_type() else { continue };
        if exclude.is_some_and(|x| x.is_match(&r)) {
            continue;
        }
        if ft.is_dir() {
            walk(&path, &r, out, exclude, found)?;
        } else if ft.is_file() {
            let size = e.metadata().map_or(0, |m| m.len());
            found.files.push((path, r, size));
        } else if ft.is_symlink() {
            // Not followed inside a tree (no loops, no escapes from it), but reported.
            found
                .passed
                .push((path, "a symbolic link inside an input tree: not followed"));
        } else {
            found
                .passed
                .push((path, "not a regular file: not processed"));
        }
    }
    Ok(())
}

/// A path in a report: its name as UTF-8, any other byte replaced (a report is for people).
fn lossy_path<S: serde::Serializer>(p: &Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

/// A path in the manifest, exactly: a string when it is UTF-8, else its bytes in hex
/// (`{"hex": "62ff2e6c6f67"}`), so a resumed job finds a file of any name again.
mod exact_path {
    use std::path::{Path, PathBuf};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Raw { hex: String },
    }

    pub(super) fn serialize<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        match p.to_str() {
            Some(t) => Repr::Text(t.to_owned()),
            None => Repr::Raw {
                hex: p
                    .as_os_str()
                    .as_encoded_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            },
        }
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Text(t) => Ok(PathBuf::from(t)),
            Repr::Raw { hex } => {
                let bytes: Option<Vec<u8>> = (0..hex.len())
                    .step_by(2)
                    .map(|i| {
                        hex.get(i..i + 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                    })
                    .collect();
                let bytes = bytes.ok_or_else(|| serde::de::Error::custom("bad hex path"))?;
                #[cfg(unix)]
                {
                    use std::os::unix::ffi::OsStringExt;
                    Ok(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
                }
                #[cfg(not(unix))]
                {
                    Ok(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
                }
            }
        }
    }
}

/// A manifest record: an output known complete.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Record {
    #[serde(with = "exact_path")]
    output: PathBuf,
    job: String,
    input_size: u64,
    input_mtime_ns: u128,
    output_sha256: String,
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(data_encoding::HEXLOWER.encode(&h.finalize()))
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
    let manifest_path = plan.root.join(MANIFEST);
    if fs::symlink_metadata(&manifest_path).is_ok_and(|m| !m.is_file()) {
        return Err(Error::config(format!(
            "manifest {}: not a regular file (a symbolic link?); refusing to follow or replace it",
            manifest_path.display()
        )));
    }
    let mut done: HashMap<PathBuf, Record> = HashMap::new();
    if let Ok(text) = fs::read_to_string(&manifest_path) {
        // A torn last line (a crash while appending) is ignored.
        for r in text
            .lines()
            .filter_map(|l| serde_json::from_str::<Record>(l).ok())
        {
            done.insert(r.output.clone(), r);
        }
    }
    clean_stale_temps(plan);
    let mut open = OpenOptions::new();
    open.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A link swapped in after the check above is refused too.
        open.custom_flags(libc::O_NOFOLLOW);
    }
    let manifest = Mutex::new(
        open.open(&manifest_path)
            .map_err(|e| Error::io(format!("manifest {}", manifest_path.display()), e))?,
    );
    let manifest_err: Mutex<Option<Error>> = Mutex::new(None);
    let mut order: Vec<usize> = (0..plan.items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(plan.items[i].size));
    let mut reports: Vec<(usize, FileReport)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            let item = &plan.items[i];
            let report = if opts.resume && is_complete(item, done.get(&item.rel), opts) {
                FileReport {
                    input: item.input.clone(),
                    output: item.output.clone(),
                    status: "resumed",
                    ..FileReport::default()
                }
            } else {
                let (report, record) = process(redactor, item, opts, progress);
                if let Some(rec) = record {
                    let mut m = manifest.lock().unwrap_or_else(|e| e.into_inner());
                    let line = serde_json::to_string(&rec).expect("records serialise") + "\n";
                    if let Err(e) = m.write_all(line.as_bytes()).and_then(|()| m.sync_data()) {
                        *manifest_err.lock().unwrap_or_else(|e| e.into_inner()) = Some(Error::io(
                            format!("manifest {}", manifest_path.display()),
                            e,
                        ));
                    }
                }
                report
            };
            progress.file_done(&report);
            (i, report)
        })
        .collect();
    if let Some(e) = manifest_err.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
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

/// Removes `.velum-tmp-*` files a killed run left beside the outputs.
fn clean_stale_temps(plan: &Plan) {
    let mut dirs: Vec<(&Path, &Path)> = plan
        .items
        .iter()
        .filter_map(|i| Some((root_of(i), i.output.parent()?)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for (root, d) in dirs {
        if output_dir(root, d, false).is_err() {
            continue; // missing, or behind a link: nothing of ours to clean there
        }
        if let Ok(entries) = fs::read_dir(d) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }
}

fn is_complete(item: &Item, rec: Option<&Record>, opts: &BatchOptions) -> bool {
    let Some(rec) = rec else { return false };
    if rec.job != opts.job {
        return false;
    }
    // In place, the input is the output: its hash is the whole check.
    if item.input != item.output {
        let Ok(meta) = fs::metadata(&item.input) else {
            return false;
        };
        if meta.len() != rec.input_size || mtime_ns(&meta) != rec.input_mtime_ns {
            return false;
        }
    }
    sha256_file(&item.output).is_ok_and(|h| h == rec.output_sha256)
}

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
fn process(
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
    Ok(Some(Record {
        output: item.rel.clone(),
        job: job.to_owned(),
        input_size: in_meta.len(),
        input_mtime_ns: mtime_ns(&in_meta),
        output_sha256: digest,
    }))
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
