//! `velum batch`: dataset jobs over files and directory trees (see [`velum::batch`]), with a
//! progress bar when stderr is a terminal, a summary table and a JSON report.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use sha2::{Digest, Sha256};
use velum::batch::{self, BatchOptions, FileReport, Progress, Report};
use velum::{Entity, Error, Redactor};

use super::{FormatArg, PolicyArgs, exit, vault::KeyringArgs};

#[derive(Args)]
pub(crate) struct BatchArgs {
    /// Input files and directories (walked recursively).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output directory: mirrors the input tree.
    #[arg(long, value_name = "DIR", required_unless_present = "in_place")]
    out: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Only files whose relative path matches one of these globs (e.g. '*.log').
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files and directories matching these globs.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Allow writing into the input tree; without --out, replace each input atomically.
    #[arg(long)]
    in_place: bool,
    /// Skip outputs already complete for this job (per the manifest) and redo the rest.
    #[arg(long)]
    resume: bool,
    /// Write the report (per file and total) as JSON here.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Read every file as this format (default: by extension; .csv/.tsv with header).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// No progress bar and no table on stderr.
    #[arg(long)]
    quiet: bool,
}

/// An indicatif bar: bytes read, throughput, ETA, files done.
struct Bar {
    bar: indicatif::ProgressBar,
    files: std::sync::atomic::AtomicU64,
    total_files: u64,
}

impl Progress for Bar {
    fn bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    fn file_done(&self, _: &FileReport) {
        let done = self
            .files
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        self.bar
            .set_message(format!("{done}/{} files", self.total_files));
    }
}

/// Identifies the job's settings for `--resume`: the policy text, the format and the keys
/// (by a check value: a token of a fixed string, never key material).
fn job_id(a: &BatchArgs, r_keys: Option<&velum::Keyring>) -> Result<String, Error> {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION"));
    match &a.policy.policy {
        Some(p) => h.update(
            std::fs::read(p).map_err(|e| Error::io(format!("{}: cannot read", p.display()), e))?,
        ),
        None => h.update(b"builtin-default"),
    }
    h.update(format!("{:?}", a.format));
    if let Some(k) = r_keys {
        h.update(k.tokenize_value(Entity::EMAIL, b"velum-job-check@example.invalid"));
    }
    Ok(data_encoding::HEXLOWER.encode(&h.finalize()[..16]))
}

pub(crate) fn run(a: BatchArgs) -> Result<u8, Error> {
    let policy = a.policy.load()?;
    let (redactor, job) = match &a.keyring.keyring {
        Some(_) => {
            let keys = a.keyring.load()?;
            let job = job_id(&a, Some(&keys))?;
            (Redactor::with_keyring(&policy, keys)?, job)
        }
        None => (Redactor::from_policy(&policy)?, job_id(&a, None)?),
    };
    let mut opts = BatchOptions::default();
    opts.out.clone_from(&a.out);
    opts.include.clone_from(&a.include);
    opts.exclude.clone_from(&a.exclude);
    opts.in_place = a.in_place;
    opts.resume = a.resume;
    opts.format = a.format.map(Into::into);
    opts.job = job;
    let plan = batch::plan(&a.inputs, &opts)?;
    let show = !a.quiet && std::io::stderr().is_terminal();
    let report = if show {
        let total: u64 = plan.items.iter().map(|i| i.size).sum();
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .expect("a valid template"),
        );
        let progress = Bar {
            bar,
            files: 0.into(),
            total_files: plan.items.len() as u64,
        };
        let r = batch::run(&redactor, &plan, &opts, &progress);
        progress.bar.finish_and_clear();
        r?
    } else {
        batch::run(&redactor, &plan, &opts, &batch::NoProgress)?
    };
    if let Some(path) = &a.report {
        let json = serde_json::to_vec_pretty(&report).expect("reports serialise");
        std::fs::write(path, json)
            .map_err(|e| Error::io(format!("{}: cannot write the report", path.display()), e))?;
    }
    if !a.quiet {
        print_table(&report);
    }
    // The path once: an error that names its file already (`PATH: cannot read…`,
    // `reading PATH: …`) is printed as it is, any other after the path.
    let line = |prefix: &str, path: &std::path::Path, e: &str| {
        let path = path.display().to_string();
        let text = if e.contains(&path) {
            e.to_owned()
        } else {
            format!("{path}: {e}")
        };
        eprintln!("velum: batch: {prefix}{}", super::terminal_safe(&text));
    };
    for f in report.files.iter().filter(|f| f.status == "error") {
        line("", &f.input, f.error.as_deref().unwrap_or("failed"));
    }
    for f in report.files.iter().filter(|f| f.status == "skipped") {
        line(
            "skipped: ",
            &f.input,
            f.error.as_deref().unwrap_or("not processed"),
        );
    }
    Ok(if report.total.errors > 0 {
        exit::RUNTIME
    } else {
        exit::OK
    })
}

/// The summary on stderr: one row per file (the first 40), then the totals.
fn print_table(r: &Report) {
    const ROWS: usize = 40;
    let findings = |m: &std::collections::BTreeMap<String, u64>| m.values().sum::<u64>();
    eprintln!(
        "{:<8} {:>12} {:>10} {:>9} {:>8}  file",
        "status", "bytes", "lines", "findings", "seconds"
    );
    for f in r.files.iter().take(ROWS) {
        eprintln!(
            "{:<8} {:>12} {:>10} {:>9} {:>8.2}  {}",
            f.status,
            f.bytes,
            f.lines,
            findings(&f.findings),
            f.seconds,
            super::terminal_safe(&f.input.display().to_string())
        );
    }
    if r.files.len() > ROWS {
        eprintln!("... {} more files (see --report)", r.files.len() - ROWS);
    }
    let t = &r.total;
    eprintln!(
        "total: {} files ({} done, {} resumed, {} skipped, {} failed), {} bytes, {} lines, {} findings in {:.2} s ({:.1} MB/s)",
        r.files.len(),
        t.ok,
        t.resumed,
        t.skipped,
        t.errors,
        t.bytes,
        t.lines,
        findings(&t.findings),
        t.seconds,
        t.bytes as f64 / 1e6 / t.seconds.max(1e-9)
    );
    if !t.findings.is_empty() {
        let per: Vec<String> = t.findings.iter().map(|(k, v)| format!("{k} {v}")).collect();
        eprintln!("findings: {}", per.join(", "));
    }
}
