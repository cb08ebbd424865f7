//! Repairing a log whose last record a cut write left torn.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::verify::{Bad, Verdict, check};
use crate::error::{Error, Result};
use crate::vault::keyring::Keyring;

/// What [`repair`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repair {
    /// The log was intact: nothing changed.
    Intact {
        /// Records checked.
        records: u64,
    },
    /// A torn last record was cut off: the records before it are intact and stay.
    Truncated {
        /// Records kept.
        records: u64,
        /// The 1-based line that was cut (the last line, which had no newline).
        line: u64,
        /// Offset of its first byte: the log's new length.
        offset: u64,
        /// Where the torn bytes were moved (nothing is thrown away).
        moved_to: PathBuf,
        /// How many bytes were moved.
        bytes: u64,
    },
    /// Something other than a torn last record is wrong: nothing changed.
    Refused {
        /// 1-based line of the file.
        line: u64,
        /// What is wrong there.
        what: String,
    },
}

/// Repairs an audit log whose last record was torn by a write cut short (a crash, a full
/// disk), which keeps the log from opening: the verified records before it stay, the torn
/// bytes move to a new file beside it (`<log>.torn`, `.torn.1`, …). Torn means exactly this:
/// the last line has no newline (a writer writes each record whole with its newline). Any
/// other damage — an edited last record, blank or padded lines — is left as it is, for
/// [`verify`](super::verify) to report. A repair is a writer: it waits for the log's writer
/// lock like any other, and fails when a writer keeps it.
///
/// # Example
/// ```
/// use std::io::Write;
/// use velum::vault::{Keyring, AuditLog, AuditRepair, repair_audit};
/// let dir = tempfile::tempdir()?;
/// let (keys, log) = (dir.path().join("keys.json"), dir.path().join("audit.jsonl"));
/// Keyring::generate()?.save(&keys)?;
/// let keyring = Keyring::load(&keys)?;
/// AuditLog::open(&log, &keyring)?; // an empty log
/// std::fs::OpenOptions::new().append(true).open(&log)?.write_all(b"{\"seq\":1,\"ti")?;
/// assert!(AuditLog::open(&log, &keyring).is_err());
/// let done = repair_audit(&log, &keyring)?;
/// assert!(matches!(done, AuditRepair::Truncated { records: 0, bytes: 12, .. }));
/// AuditLog::open(&log, &keyring)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Io`](crate::ErrorKind::Io) when the log cannot be read, the torn bytes
/// cannot be saved or the log cannot be cut.
pub fn repair(path: impl AsRef<Path>, keyring: &Keyring) -> Result<Repair> {
    let path = path.as_ref();
    let io_err = |what: &str, e| Error::io(format!("audit log {}: {what}", path.display()), e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io_err("cannot open", e))?;
    // The writer lock first, then the check: nothing appends between them.
    super::writer::lock(&file, path)?;
    let (verdict, bad) = check(path, keyring)?;
    let (line, what) = match verdict {
        Verdict::Intact { records, .. } => return Ok(Repair::Intact { records }),
        Verdict::Tampered { line, what } => (line, what),
    };
    let Some(Bad { start, torn: true }) = bad else {
        return Ok(Repair::Refused { line, what });
    };
    let len = file.metadata().map_err(|e| io_err("cannot read", e))?.len();
    let (mut saved, moved_to) =
        aside(path).map_err(|e| io_err("cannot save the torn record", e))?;
    file.seek(SeekFrom::Start(start))
        .map_err(|e| io_err("cannot read", e))?;
    io::copy(&mut (&mut file).take(len - start), &mut saved)
        .and_then(|_| saved.sync_all())
        .map_err(|e| io_err("cannot save the torn record", e))?;
    file.set_len(start)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_err("cannot cut the torn record", e))?;
    Ok(Repair::Truncated {
        records: line - 1,
        line,
        offset: start,
        moved_to,
        bytes: len - start,
    })
}

/// A new file (mode 0600) beside `path` for the bytes a repair removes.
fn aside(path: &Path) -> io::Result<(File, PathBuf)> {
    for n in 0..1000 {
        let mut name = path.as_os_str().to_owned();
        name.push(if n == 0 {
            ".torn".to_owned()
        } else {
            format!(".torn.{n}")
        });
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        match opts.open(&name) {
            Ok(f) => return Ok((f, PathBuf::from(name))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "a thousand .torn files already",
    ))
}
