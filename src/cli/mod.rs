//! clap commands, kept thin: each parses its arguments, builds a [`velum::Redactor`] and hands
//! the inputs to the library.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use velum::input::{self, Kind};
use velum::{Error, ErrorKind, Format, LineFinding, Policy, Redactor};

#[cfg(feature = "batch")]
mod batch;
mod docs;
mod eval;
mod explain;
mod keyring;
mod vault;

/// Exit codes of DESIGN.md.
pub(crate) mod exit {
    pub(crate) const OK: u8 = 0;
    pub(crate) const FINDINGS: u8 = 1;
    pub(crate) const CONFIG: u8 = 2;
    pub(crate) const RUNTIME: u8 = 3;
    /// A sealed keyring was not opened: a wrong passphrase, or no matching identity.
    pub(crate) const LOCKED: u8 = 4;
}

#[derive(Parser)]
#[command(
    name = "velum",
    version,
    about = "Find and redact personal data in log and data streams"
)]
pub(crate) struct Cli {
    /// Threads that scan batches of lines (default: all cores). Output is the same for any
    /// number.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print one JSON object per finding: {"line","start","end","entity","score","detector"}.
    Scan(ScanArgs),
    /// Copy the input to stdout with every finding rewritten by the policy.
    Redact(RedactArgs),
    /// Show each finding of a line with its detector, score and the context that moved it.
    Explain(explain::ExplainArgs),
    /// Measure detection on a labeled corpus: per-entity precision, recall and F1.
    Eval(eval::EvalArgs),
    /// Redact with every finding replaced by a deterministic encrypted token.
    Tokenize(vault::TokenizeArgs),
    /// Replace tokens with their values where the caller's role allows; every decision audited.
    Detokenize(vault::DetokenizeArgs),
    /// Rewrite tokens made by older keys under the active key.
    Retokenize(vault::RetokenizeArgs),
    /// Redact (or tokenise) stored files and trees into a mirrored tree, on every core,
    /// crash-safely, with a report.
    #[cfg(feature = "batch")]
    Batch(Box<batch::BatchArgs>),
    /// Create a keyring, or rotate or retire its keys.
    Keygen(vault::KeygenArgs),
    /// Keyring custody: seal a keyring with a passphrase or to age recipients, open it
    /// back, re-seal it, make a machine identity.
    #[command(subcommand)]
    Keyring(keyring::KeyringCommand),
    /// Audit log commands.
    #[command(subcommand)]
    Audit(vault::AuditCommand),
    /// Vault administration.
    #[command(subcommand)]
    Vault(vault::VaultCommand),
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions(docs::CompletionsArgs),
    /// Print the manual page (roff): `velum man > velum.1`.
    Man,
}

/// How input lines are read (`--format`); without it, by the file's name (`.csv`, `.tsv`,
/// also compressed), else `auto`.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub(crate) enum FormatArg {
    /// Lines that are JSON objects field by field (valid JSON out), the rest as text.
    #[default]
    Auto,
    /// Every line as text.
    Text,
    /// CSV with a header row: column names are context; quoting is kept.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Auto => Self::Auto,
            FormatArg::Text => Self::Text,
            FormatArg::Csv => Self::Csv,
            FormatArg::Tsv => Self::Tsv,
        }
    }
}

#[derive(Args)]
pub(crate) struct PolicyArgs {
    /// Policy file (TOML); the embedded default when absent.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
}

impl PolicyArgs {
    /// The policy file, or the embedded default.
    pub(crate) fn load(&self) -> Result<Policy, Error> {
        self.policy
            .as_ref()
            .map_or_else(|| Ok(Policy::default()), Policy::from_path)
    }

    pub(crate) fn redactor(&self) -> Result<Redactor, Error> {
        Redactor::from_policy(&self.load()?)
    }
}

/// The exit code of a run that found `total` findings: 1 with `--fail-on-findings`, unless an
/// input already failed.
fn with_findings(code: u8, fail_on_findings: bool, total: u64) -> u8 {
    if code == exit::OK && fail_on_findings && total > 0 {
        exit::FINDINGS
    } else {
        code
    }
}

/// The format an input is read as: `--format` when given, else by its name.
pub(crate) fn format_for(arg: Option<FormatArg>, input: Option<&PathBuf>) -> Format {
    arg.map(Format::from)
        .or_else(|| input.and_then(|p| input::format_of(p)))
        .unwrap_or_default()
}

/// Redacts every input to stdout, written as each input came (gzip, zstd, UTF-16…); returns
/// the exit code. Inputs of different kinds would make one output of two: refused.
pub(crate) fn redact_inputs(
    r: &Redactor,
    files: &[PathBuf],
    format: Option<FormatArg>,
    fail_on_findings: bool,
) -> Result<u8, Error> {
    let mut first: Option<(String, Kind)> = None;
    let mut same = |name: String, kind: Kind| -> Result<(), Error> {
        match &first {
            Some((n, k)) if *k != kind => Err(Error::usage(&format!(
                "{n} is {} and {name} is {}: their redacted text cannot be one output; redact them \
                 one at a time, or use `velum batch`",
                describe(*k),
                describe(kind)
            ))),
            Some(_) => Ok(()),
            None => {
                first = Some((name, kind));
                Ok(())
            }
        }
    };
    // Files are looked at before anything is written (stdin when it is read).
    for input in inputs(files).into_iter().flatten() {
        if let Ok(f) = File::open(input) {
            let (kind, _) = input::open(f, &input.display().to_string(), r)?;
            same(input.display().to_string(), kind)?;
        }
    }
    let mut out = stdout();
    let mut total = 0u64;
    let code = for_each_input(files, r, |path, kind, reader| {
        same(name_of(path), kind)?;
        let mut w = input::Output::new(kind, &mut out).map_err(Error::output)?;
        total += r
            .redact_stream_as(reader, &mut w, format_for(format, path))?
            .findings;
        w.finish().map_err(Error::output)?;
        Ok(())
    })?;
    out.flush().map_err(Error::output)?;
    Ok(with_findings(code, fail_on_findings, total))
}

/// An input's name in messages.
fn name_of(input: Option<&PathBuf>) -> String {
    input.map_or_else(|| "stdin".to_owned(), |p| p.display().to_string())
}

/// What an input is, in words.
fn describe(k: Kind) -> String {
    let enc = k.wide.map_or("UTF-8 text", |w| w.name());
    match k.compression {
        input::Compression::None => enc.to_owned(),
        c => format!("{} ({enc})", c.name()),
    }
}

#[derive(Args)]
struct ScanArgs {
    /// Input files; stdin when none or `-`.
    files: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// How lines are read (default: by the file's name, `.csv`/`.tsv` with a header, else
    /// `auto`).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Also print each matched value (personal data!) as "value".
    #[arg(long)]
    show_values: bool,
    /// Exit with status 1 when anything is found.
    #[arg(long)]
    fail_on_findings: bool,
}

#[derive(Args)]
struct RedactArgs {
    /// Input files; stdin when none or `-`.
    files: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    keyring: vault::KeyringArgs,
    /// How lines are read (default: by the file's name, `.csv`/`.tsv` with a header, else
    /// `auto`).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Exit with status 1 when anything was found (the output is still written).
    #[arg(long)]
    fail_on_findings: bool,
}

pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::CONFIG
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(n) = cli.threads {
        if n == 0 {
            eprintln!("velum: --threads must be at least 1");
            return ExitCode::from(exit::CONFIG);
        }
        // Fails only if the pool was built already, which nothing does before this point.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let result = match cli.command {
        Command::Scan(a) => scan(a),
        Command::Redact(a) => redact(a),
        Command::Explain(a) => explain::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Tokenize(a) => vault::tokenize(a),
        Command::Detokenize(a) => vault::detokenize(a),
        Command::Retokenize(a) => vault::retokenize(a),
        Command::Keygen(a) => vault::keygen(a),
        Command::Keyring(c) => keyring::run(c),
        #[cfg(feature = "batch")]
        Command::Batch(a) => batch::run(*a),
        Command::Audit(c) => vault::audit(c),
        Command::Vault(c) => vault::vault_cmd(c),
        Command::Completions(a) => docs::completions(&a),
        Command::Man => docs::man(),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => ExitCode::from(report(&e)),
    }
}

/// `text` as it may be written to a terminal: control characters (a file name can hold an
/// escape sequence that would recolour, retitle or rewrite the terminal) and the bidi
/// controls that reorder what is shown, as `\u{…}`.
pub(crate) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Prints an error and returns its exit code.
pub(crate) fn report(e: &Error) -> u8 {
    if e.is_broken_pipe() {
        return exit::OK;
    }
    eprintln!("velum: {}", terminal_safe(&e.to_string()));
    match e.kind() {
        ErrorKind::Config => exit::CONFIG,
        ErrorKind::Locked => exit::LOCKED,
        _ => exit::RUNTIME,
    }
}

/// The inputs: stdin for none or `-`.
fn inputs(files: &[PathBuf]) -> Vec<Option<&PathBuf>> {
    if files.is_empty() {
        vec![None]
    } else {
        files
            .iter()
            .map(|f| (f.as_os_str() != "-").then_some(f))
            .collect()
    }
}

/// Opens an input: what it is (compression, encoding: by its content and name), and its text,
/// read ahead on a thread so a pipe's ready data comes in batches large enough for every core.
fn open(input: Option<&PathBuf>, r: &Redactor) -> Result<(Kind, Box<dyn Read>), Error> {
    let (kind, text) = match input {
        None => input::open(io::stdin(), "stdin", r)?,
        Some(p) => {
            let f =
                File::open(p).map_err(|e| Error::io(format!("{}: cannot open", p.display()), e))?;
            input::open(f, &p.display().to_string(), r)?
        }
    };
    Ok((kind, Box::new(velum::ReadAhead::new(text))))
}

/// Runs `each` over every input, with what it is and its text (`r` reads it as 8-bit text
/// too, see [`input::open`]); a missing or unreadable file is reported and the others still
/// processed. Returns the first error's exit code, if any.
pub(crate) fn for_each_input(
    files: &[PathBuf],
    r: &Redactor,
    mut each: impl FnMut(Option<&PathBuf>, Kind, Box<dyn Read>) -> Result<(), Error>,
) -> Result<u8, Error> {
    let mut code = exit::OK;
    for input in inputs(files) {
        let result = open(input, r).and_then(|(kind, r)| {
            each(input, kind, r).map_err(|e| match (e.kind(), input) {
                (ErrorKind::Io, Some(p)) => e.at(&p.display().to_string()),
                _ => e,
            })
        });
        match result {
            Ok(()) => {}
            // A bad input is reported and the others still processed.
            Err(e) if e.kind() == ErrorKind::Io => {
                report(&e);
                code = exit::RUNTIME;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(code)
}

pub(crate) fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(256 << 10, io::stdout().lock())
}

fn scan(a: ScanArgs) -> Result<u8, Error> {
    let r = a.policy.redactor()?;
    let several = a.files.len() > 1;
    let mut out = stdout();
    let mut total = 0u64;
    let code = for_each_input(&a.files, &r, |input, _, reader| {
        let file =
            several.then(|| input.map_or_else(|| "-".to_owned(), |p| p.display().to_string()));
        let format = format_for(a.format, input);
        let stats = r.scan_stream_as(reader, &mut out, format, |w, f| {
            write_finding(w, file.as_deref(), &f, a.show_values)
        })?;
        total += stats.findings;
        Ok(())
    })?;
    out.flush().map_err(Error::output)?;
    Ok(with_findings(code, a.fail_on_findings, total))
}

/// One line of `velum scan` output, exactly as DESIGN.md specifies.
fn write_finding<W: Write>(
    w: &mut W,
    file: Option<&str>,
    f: &LineFinding<'_>,
    show: bool,
) -> io::Result<()> {
    w.write_all(b"{")?;
    if let Some(file) = file {
        w.write_all(b"\"file\":")?;
        serde_json::to_writer(&mut *w, file)?;
        w.write_all(b",")?;
    }
    write!(
        w,
        "\"line\":{},\"start\":{},\"end\":{},\"entity\":\"{}\",\"score\":{:.2},\"detector\":",
        f.line, f.start, f.end, f.finding.entity, f.finding.score
    )?;
    serde_json::to_writer(&mut *w, f.finding.detector.as_str())?;
    if show {
        w.write_all(b",\"value\":")?;
        serde_json::to_writer(&mut *w, &String::from_utf8_lossy(f.value))?;
    }
    w.write_all(b"}\n")
}

fn redact(a: RedactArgs) -> Result<u8, Error> {
    let r = match &a.keyring.keyring {
        Some(_) => Redactor::with_keyring(&a.policy.load()?, a.keyring.load()?)?,
        None => a.policy.redactor()?,
    };
    redact_inputs(&r, &a.files, a.format, a.fail_on_findings)
}

#[cfg(test)]
mod tests {
    #[test]
    fn terminal_safe_escapes_controls_and_bidi_overrides() {
        assert_eq!(super::terminal_safe("plain/path.log"), "plain/path.log");
        assert_eq!(
            super::terminal_safe("a\x1b[2Jb\u{202e}c\n"),
            "a\\u{1b}[2Jb\\u{202e}c\\u{a}"
        );
    }
}
