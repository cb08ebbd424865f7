//! The audit log: one JSON line per detokenisation decision — sequence number, time,
//! principal, purpose, entity type, a fingerprint of the token (never the value), key id,
//! outcome — chained by an HMAC-SHA256 (under the keyring's audit key) over each record's
//! content and the previous record's MAC. Records reach the disk (`fsync`) before any value
//! they cover is released. [`verify`] says which record was edited, removed, inserted or
//! reordered. (Removing records from the end is visible only against a kept copy of the last
//! MAC, which `velum audit verify` prints.) A write cut short leaves a torn last record:
//! [`repair`] keeps the verified records before it and moves its bytes aside.
//!
//! [`AuditWatcher`] reads the log as it grows and raises an alert on unusual reveals,
//! refusal spikes or a chain that stops verifying (`velum audit watch`).
//!
//! The log is read a line at a time, each at most [`MAX_RECORD`] bytes, and opening it reads
//! only its tail: its size does not matter, and a file that is not a regular file (a device
//! that never ends, like `/dev/full` or `/dev/zero`) is refused when it is opened.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keyring::{Keyring, SecretKey};
use crate::error::{Error, Result};
use crate::time::now_utc;

mod lines;
mod repair;
#[cfg(feature = "server")]
mod shared;
#[cfg(test)]
mod tests;
mod verify;
mod watch;
mod writer;

pub use repair::{Repair, repair};
#[cfg(feature = "server")]
pub(crate) use shared::{REFUSAL_WINDOW, SharedAudit};
pub use verify::{Verdict, verify};
pub use watch::{Alert, AuditWatcher, WatchConfig, follow_log, synthetic_log};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest line read as a record: a record is a few hundred bytes (its purpose at most
/// 200 characters, its names those of a policy).
pub(crate) const MAX_RECORD: usize = 16 << 10;

/// A line as a record, if it is one.
fn parse(line: &[u8], too_long: bool) -> Option<Record> {
    if too_long {
        return None;
    }
    serde_json::from_slice(line).ok()
}

/// What a decision was about and how it ended.
#[derive(Clone, Debug)]
pub(crate) struct Decision<'a> {
    pub(crate) principal: &'a str,
    pub(crate) purpose: Option<&'a str>,
    pub(crate) entity: &'a str,
    pub(crate) token: &'a str,
    pub(crate) key_id: u32,
    pub(crate) outcome: &'a str,
}

impl Decision<'static> {
    /// A request turned away before any principal is known: `outcome` is
    /// `unauthenticated` (a key that is not recognised) or `no_credentials`.
    pub(crate) fn refused_key(outcome: &'static str) -> Self {
        Self {
            principal: "-",
            purpose: None,
            entity: "-",
            token: "",
            key_id: 0,
            outcome,
        }
    }
}

/// The MAC'd content of a record, in its fixed field order.
#[derive(Serialize, Deserialize)]
struct Body {
    seq: u64,
    time: String,
    principal: String,
    purpose: Option<String>,
    entity: String,
    token_fp: String,
    key_id: u32,
    outcome: String,
    /// How many decisions of this kind the record stands for: refusals are kept as one
    /// record per kind (principal, purpose, entity, outcome, key) per commit or window, with
    /// their count; absent for a single decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    prev: String,
}

/// A record as read back: [`Body`] and its MAC. Not `#[serde(flatten)]` over `Body`, which
/// would rule out `deny_unknown_fields`: a field added to a record by hand must make it
/// malformed, since the MAC (over `Body`) would not see it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    seq: u64,
    time: String,
    principal: String,
    purpose: Option<String>,
    entity: String,
    token_fp: String,
    key_id: u32,
    outcome: String,
    #[serde(default)]
    count: Option<u64>,
    prev: String,
    mac: String,
}

impl Record {
    fn body(self) -> (Body, String) {
        (
            Body {
                seq: self.seq,
                time: self.time,
                principal: self.principal,
                purpose: self.purpose,
                entity: self.entity,
                token_fp: self.token_fp,
                key_id: self.key_id,
                outcome: self.outcome,
                count: self.count,
                prev: self.prev,
            },
            self.mac,
        )
    }
}

fn mac_of(key: &SecretKey, body: &Body) -> String {
    let mut m =
        <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key.bytes()).expect("any key length");
    m.update(&serde_json::to_vec(body).expect("record serialises"));
    data_encoding::HEXLOWER.encode(&m.finalize().into_bytes())
}

/// A short, one-way fingerprint of a token for the log: never the value.
pub(crate) fn fingerprint(token: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(token.as_bytes())[..12])
}

/// An open audit log, appending to the chain it holds (see the
/// [vault example](crate::vault)).
pub struct AuditLog {
    path: PathBuf,
    file: File,
    /// The file this writer locked (see [`writer`]).
    identity: writer::Identity,
    key: SecretKey,
    seq: u64,
    prev: String,
    pending: Vec<u8>,
    /// Refusals held as one record per kind, with their counts, until the next commit (or
    /// the service's window): a request of a thousand refused tokens adds one record.
    refusals: Vec<(Body, u64)>,
    /// When the first of `refusals` was held.
    refusals_since: Option<std::time::Instant>,
}

/// A purpose as the log keeps it: redacted by the default policy, as any text velum stores
/// (`call jane@example.com back` → `call [EMAIL] back`). Purposes are there to be read by
/// the people who audit reveals, so they stay text rather than a keyed hash; their length is
/// bounded before they get here ([`crate::vault::check_purpose`]).
fn redacted_purpose(purpose: &str) -> String {
    static REDACTOR: std::sync::OnceLock<crate::Redactor> = std::sync::OnceLock::new();
    let r = REDACTOR.get_or_init(crate::Redactor::new);
    String::from_utf8_lossy(&r.redact(purpose.as_bytes())).into_owned()
}

/// True for outcomes that release nothing (every outcome but a reveal or a token made).
fn is_refusal(outcome: &str) -> bool {
    !matches!(
        outcome,
        "revealed" | "revealed_last4" | "tokenized" | "redacted" | "scanned"
    )
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.path)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Opens (or creates, mode 0600) the log at `path`, continuing its chain.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when it cannot be opened;
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when its last record is unreadable.
    pub fn open(path: impl AsRef<Path>, keyring: &Keyring) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut opts = OpenOptions::new();
        opts.create(true).append(true).read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts
            .open(&path)
            .map_err(|e| Error::io(format!("audit log {}: cannot open", path.display()), e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io(format!("audit log {}", path.display()), e))?;
        if !meta.is_file() {
            return Err(Error::config(format!(
                "audit log {}: not a regular file",
                path.display()
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::config(format!(
                    "audit log {}: mode {mode:03o} lets others read or write it; \
                     `chmod 600` it (it names principals and purposes)",
                    path.display()
                )));
            }
        }
        // One writer per log: wait for another to finish, or fail saying so.
        let identity = writer::lock(&file, &path)?;
        let (mut seq, mut prev) = (0, GENESIS.to_owned());
        let (tail, whole) = read_tail(&mut file, meta.len())
            .map_err(|e| Error::io(format!("audit log {}", path.display()), e))?;
        let end = tail.trim_ascii_end();
        if !end.is_empty() {
            let from = memchr::memrchr(b'\n', end).map(|i| i + 1);
            let last = parse(&end[from.unwrap_or(0)..], from.is_none() && !whole);
            let Some(r) = last else {
                let how = if tail.ends_with(b"\n") {
                    "is malformed"
                } else {
                    "is cut short (a write that did not finish?)"
                };
                return Err(Error::config(format!(
                    "audit log {}: its last record {how}; `velum audit verify` names the \
                     problem, and `velum audit repair` keeps the verified records before a \
                     torn last one",
                    path.display()
                )));
            };
            seq = r.seq;
            prev = r.mac;
        }
        Ok(Self {
            path,
            file,
            identity,
            key: keyring.audit_key.clone(),
            seq,
            prev,
            pending: Vec::new(),
            refusals: Vec::new(),
            refusals_since: None,
        })
    }

    /// Adds a decision to the chain (held until [`AuditLog::commit`]). A refusal joins the
    /// held refusals of its kind (one record, counted, at the next commit).
    pub(crate) fn record(&mut self, d: &Decision<'_>) {
        if is_refusal(d.outcome) {
            let same = |b: &Body| {
                b.outcome == d.outcome
                    && b.principal == d.principal
                    && b.entity == d.entity
                    && b.key_id == d.key_id
                    && b.purpose.as_deref() == d.purpose
            };
            match self.refusals.iter_mut().find(|(b, _)| same(b)) {
                Some((_, n)) => *n += 1,
                None => {
                    self.refusals.push((self.body(d), 1));
                    self.refusals_since
                        .get_or_insert_with(std::time::Instant::now);
                }
            }
            return;
        }
        let body = self.body(d);
        self.push(body);
    }

    /// The body of a decision (its `seq` and `prev` set when it joins the chain).
    fn body(&self, d: &Decision<'_>) -> Body {
        Body {
            seq: 0,
            time: now_utc(),
            principal: d.principal.to_owned(),
            purpose: d.purpose.map(redacted_purpose),
            entity: d.entity.to_owned(),
            token_fp: fingerprint(d.token),
            key_id: d.key_id,
            outcome: d.outcome.to_owned(),
            count: None,
            prev: String::new(),
        }
    }

    /// The held refusals join the chain, one record per kind with its count.
    pub(crate) fn flush_refusals(&mut self) {
        self.refusals_since = None;
        for (mut body, n) in std::mem::take(&mut self.refusals) {
            body.count = Some(n);
            self.push(body);
        }
    }

    /// How long the oldest held refusal has waited, if any is held.
    #[cfg(feature = "server")]
    pub(crate) fn refusals_age(&self) -> Option<std::time::Duration> {
        self.refusals_since.map(|t| t.elapsed())
    }

    /// Chains `body` after the last record and holds its line for the next write.
    fn push(&mut self, mut body: Body) {
        self.seq += 1;
        body.seq = self.seq;
        body.prev = std::mem::take(&mut self.prev);
        let mac = mac_of(&self.key, &body);
        let mut v = serde_json::to_value(&body).expect("record serialises");
        v["mac"] = serde_json::Value::String(mac.clone());
        self.pending.extend_from_slice(v.to_string().as_bytes());
        self.pending.push(b'\n');
        self.prev = mac;
    }

    /// Writes the held records and waits until they are on disk.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io): the caller must then release nothing.
    pub fn commit(&mut self) -> Result<()> {
        self.flush_refusals();
        if self.pending.is_empty() {
            return Ok(());
        }
        let err = |e| {
            Error::io(
                format!("audit log {}: cannot write", self.path.display()),
                e,
            )
        };
        writer::still_there(&self.file, &self.path, self.identity)?;
        self.file.write_all(&self.pending).map_err(err)?;
        self.file.sync_data().map_err(err)?;
        self.pending.clear();
        Ok(())
    }
}

/// The last bytes of a log of `len` bytes (enough to hold its last record and the newline
/// before it), and whether they are the whole file.
fn read_tail(file: &mut File, len: u64) -> io::Result<(Vec<u8>, bool)> {
    let want = (MAX_RECORD as u64 + 2).min(len);
    file.seek(SeekFrom::Start(len - want))?;
    let mut tail = Vec::with_capacity(want as usize);
    file.take(want).read_to_end(&mut tail)?;
    Ok((tail, want == len))
}

/// Where decisions go: an [`AuditLog`] owned by one caller, or an [`AuditHandle`] on a log
/// shared by a service's concurrent requests.
pub(crate) trait Audit {
    /// Adds a decision to the chain (not yet on disk).
    fn record(&mut self, d: &Decision<'_>);
    /// Returns once every decision recorded through `self` is on disk.
    fn commit(&mut self) -> Result<()>;
}

impl Audit for AuditLog {
    fn record(&mut self, d: &Decision<'_>) {
        Self::record(self, d);
    }

    fn commit(&mut self) -> Result<()> {
        Self::commit(self)
    }
}
