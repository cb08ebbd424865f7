//! Checking a log's chain: which record was edited, removed, inserted or reordered.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use subtle::ConstantTimeEq;

use super::lines::Lines;
use super::{GENESIS, mac_of, parse};
use crate::error::{Error, Result};
use crate::vault::keyring::Keyring;

/// The result of [`verify`] (see the [vault example](crate::vault)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is authentic and in place.
    Intact {
        /// Records checked.
        records: u64,
        /// MAC of the last record: keep it to detect removal from the end later.
        head: String,
    },
    /// The first problem found.
    Tampered {
        /// 1-based line of the file.
        line: u64,
        /// What happened there.
        what: String,
    },
}

/// Checks an audit log's chain (see the [vault example](crate::vault)), reading it a line at a
/// time.
///
/// # Errors
/// [`ErrorKind::Io`](crate::ErrorKind::Io) when the file cannot be read.
pub fn verify(path: impl AsRef<Path>, keyring: &Keyring) -> Result<Verdict> {
    Ok(check(path.as_ref(), keyring)?.0)
}

/// Where [`check`] stopped: the first bad line.
pub(super) struct Bad {
    /// Offset of its first byte.
    pub(super) start: u64,
    /// It is not a record at all, and nothing but blank lines follows it: a torn write.
    pub(super) torn: bool,
}

pub(super) fn check(path: &Path, keyring: &Keyring) -> Result<(Verdict, Option<Bad>)> {
    let io_err = |e| Error::io(format!("audit log {}", path.display()), e);
    let file = File::open(path).map_err(io_err)?;
    if !file.metadata().map_err(io_err)?.is_file() {
        return Err(Error::config(format!(
            "audit log {}: not a regular file",
            path.display()
        )));
    }
    let mut lines = Lines::new(BufReader::with_capacity(64 << 10, file));
    let (mut expected, mut prev) = (1u64, GENESIS.to_owned());
    let mut line = 0u64;
    while let Some(l) = lines.next_line().map_err(io_err)? {
        line += 1;
        let bad = |what: String, torn: bool| {
            Ok((
                Verdict::Tampered { line, what },
                Some(Bad {
                    start: l.start,
                    torn,
                }),
            ))
        };
        let Some(rec) = parse(&lines.buf, l.too_long) else {
            // Torn: the last line, and not one a writer finished (a record is written whole
            // with its newline, so only a cut write lacks it). A finished line that is no
            // record was edited, whatever follows it.
            let torn = !l.complete;
            let what = if l.complete {
                "record is malformed (edited)"
            } else {
                "record is cut short (torn: a write that did not finish)"
            };
            return bad(what.into(), torn);
        };
        let (body, mac) = rec.body();
        let ok = bool::from(
            mac_of(&keyring.audit_key, &body)
                .as_bytes()
                .ct_eq(mac.as_bytes()),
        );
        if !ok {
            return bad(
                if body.seq == expected {
                    format!("record {} was edited", body.seq)
                } else {
                    format!(
                        "a record was inserted (claims seq {}, expected {expected})",
                        body.seq
                    )
                },
                false,
            );
        }
        if body.seq > expected {
            let later = seq_follows(&mut lines, expected).map_err(io_err)?;
            return bad(
                if later {
                    format!(
                        "records were reordered (seq {} before {expected})",
                        body.seq
                    )
                } else if body.seq == expected + 1 {
                    format!("record {expected} was removed")
                } else {
                    format!("records {expected}..{} were removed", body.seq - 1)
                },
                false,
            );
        }
        if body.seq < expected {
            return bad(
                format!(
                    "records were reordered or repeated (seq {} after {})",
                    body.seq,
                    expected - 1
                ),
                false,
            );
        }
        if body.prev != prev {
            return bad(
                format!(
                    "record {} does not follow the record before it (replaced or reordered)",
                    body.seq
                ),
                false,
            );
        }
        expected += 1;
        prev = mac;
    }
    Ok((
        Verdict::Intact {
            records: expected - 1,
            head: prev,
        },
        None,
    ))
}

/// True when a later line is a record numbered `seq`.
fn seq_follows<R: BufRead>(lines: &mut Lines<R>, seq: u64) -> io::Result<bool> {
    while let Some(l) = lines.next_line()? {
        if parse(&lines.buf, l.too_long).is_some_and(|r| r.seq == seq) {
            return Ok(true);
        }
    }
    Ok(false)
}
