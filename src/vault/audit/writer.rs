//! One writer per audit log. Two writers on one log fork its chain (each continues from the
//! last record it read), so every writer — the CLI, the service, a Python `Vault`, a repair —
//! holds an exclusive advisory lock (`flock`) on the log's file for as long as it may write,
//! and a second one waits a little, then fails with a message that says why. A writer also
//! checks before each write that the path still names the file it locked: a log deleted,
//! replaced or rotated under it would take records nobody reads, so it stops releasing values
//! instead (fail closed).

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a second writer waits for the first to finish (a CLI run that is ending).
const WAIT: Duration = Duration::from_secs(5);

/// The file a writer locked, to tell whether its path still names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    dev: u64,
    ino: u64,
}

/// Takes the log's writer lock on `file`, waiting up to [`WAIT`] for another writer to let
/// go, and returns the identity of the file locked.
pub(super) fn lock(file: &File, path: &Path) -> Result<Identity> {
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < WAIT => {
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::config(format!(
                    "audit log {}: another writer holds it (a running `velum serve`, a Python \
                     Vault or another velum command); one writer per log keeps its chain \
                     whole: stop that writer, or give this one its own --audit-log",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(
                    format!("audit log {}: cannot lock", path.display()),
                    e,
                ));
            }
        }
    }
    identity(file, path)
}

fn identity(file: &File, path: &Path) -> Result<Identity> {
    let meta = file
        .metadata()
        .map_err(|e| Error::io(format!("audit log {}", path.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(Identity {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(Identity { dev: 0, ino: 0 })
    }
}

/// Fails unless `path` still names `file` (locked as `id`) and the file still has a name: a
/// log deleted, replaced or rotated under its writer takes no more records, and so releases
/// no more values.
pub(super) fn still_there(file: &File, path: &Path, id: Identity) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let gone = || {
            Error::io(
                format!(
                    "audit log {}: deleted, replaced or rotated while this writer had it \
                     open; nothing more is released until the log is opened again",
                    path.display()
                ),
                std::io::Error::other("audit log is not the file locked"),
            )
        };
        let linked = file.metadata().map(|m| m.nlink() > 0).unwrap_or(false);
        let same = std::fs::metadata(path).is_ok_and(|m| m.dev() == id.dev && m.ino() == id.ino);
        if !linked || !same {
            return Err(gone());
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path, id);
    Ok(())
}
