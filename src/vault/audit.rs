//! The audit log: one JSON line per detokenisation decision — sequence number, time,
//! principal, purpose, entity type, a fingerprint of the token (never the value), key id,
//! outcome — chained by an HMAC-SHA256 (under the keyring's audit key) over each record's
//! content and the previous record's MAC. Records reach the disk (`fsync`) before any value
//! they cover is released. [`verify`] says which record was edited, removed, inserted or
//! reordered. (Removing records from the end is visible only against a kept copy of the last
//! MAC, which `velum audit verify` prints.) A write cut short leaves a torn last record:
//! [`repair`] keeps the verified records before it and moves its bytes aside.
//!
//! The log is read a line at a time, each at most [`MAX_RECORD`] bytes, and opening it reads
//! only its tail: its size does not matter, and a file that is not a regular file (a device
//! that never ends, like `/dev/full` or `/dev/zero`) is refused when it is opened.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
#[cfg(feature = "server")]
use std::sync::Mutex;
#[cfg(feature = "server")]
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::keyring::{Keyring, SecretKey};
use crate::error::{Error, Result};
use crate::time::now_utc;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest line read as a record: a record is a few hundred bytes (its purpose at most
/// 200 characters, its names those of a policy).
pub(crate) const MAX_RECORD: usize = 16 << 10;

/// Reads a log's lines one at a time, as bytes (a line that is not UTF-8 is a malformed
/// record, not an I/O error), none held longer than [`MAX_RECORD`].
struct Lines<R> {
    r: R,
    buf: Vec<u8>,
    /// Offset of the next line's first byte.
    next: u64,
}

/// One line read by [`Lines`].
struct Line {
    /// Offset of its first byte in the file.
    start: u64,
    /// It ended with `\n` (a last line without one is a torn write).
    complete: bool,
    /// It was longer than [`MAX_RECORD`] (`buf` holds its first bytes).
    too_long: bool,
}

impl<R: BufRead> Lines<R> {
    fn new(r: R) -> Self {
        Self {
            r,
            buf: Vec::new(),
            next: 0,
        }
    }

    /// The next line, its content in `self.buf` (without the `\n`); `None` at the end.
    fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let start = self.next;
        let n = (&mut self.r)
            .take(MAX_RECORD as u64 + 1)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.next += n as u64;
        let mut complete = self.buf.last() == Some(&b'\n');
        let too_long = !complete && n > MAX_RECORD;
        if too_long {
            // Skip the rest of the line, a buffer at a time.
            loop {
                let chunk = self.r.fill_buf()?;
                if chunk.is_empty() {
                    break;
                }
                match memchr::memchr(b'\n', chunk) {
                    Some(i) => {
                        self.r.consume(i + 1);
                        self.next += i as u64 + 1;
                        complete = true;
                        break;
                    }
                    None => {
                        let k = chunk.len();
                        self.r.consume(k);
                        self.next += k as u64;
                    }
                }
            }
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        Ok(Some(Line {
            start,
            complete,
            too_long,
        }))
    }
}

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
    key: SecretKey,
    seq: u64,
    prev: String,
    pending: Vec<u8>,
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
            key: keyring.audit_key.clone(),
            seq,
            prev,
            pending: Vec::new(),
        })
    }

    /// Adds a decision to the chain (held until [`AuditLog::commit`]).
    pub(crate) fn record(&mut self, d: &Decision<'_>) {
        self.seq += 1;
        let body = Body {
            seq: self.seq,
            time: now_utc(),
            principal: d.principal.to_owned(),
            purpose: d.purpose.map(str::to_owned),
            entity: d.entity.to_owned(),
            token_fp: fingerprint(d.token),
            key_id: d.key_id,
            outcome: d.outcome.to_owned(),
            prev: std::mem::take(&mut self.prev),
        };
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
        if self.pending.is_empty() {
            return Ok(());
        }
        let err = |e| {
            Error::io(
                format!("audit log {}: cannot write", self.path.display()),
                e,
            )
        };
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

/// An audit log shared by concurrent requests, with group commit: records join the chain
/// under a short lock; one committer at a time writes everything recorded so far and
/// `fsync`s it, so requests that arrive during an `fsync` share the next one instead of
/// queueing for one each. After a failed write the log refuses every later commit (nothing
/// more is released; the service answers 500) rather than risk a gap in the chain.
#[cfg(feature = "server")]
pub(crate) struct SharedAudit {
    log: Mutex<AuditLog>,
    /// A second handle on the log's file, used only by the committer holding this lock.
    io: Mutex<File>,
    /// Sequence number of the last record known to be on disk.
    durable: AtomicU64,
    failed: AtomicBool,
}

#[cfg(feature = "server")]
impl SharedAudit {
    pub(crate) fn new(log: AuditLog) -> Result<Self> {
        let file = log
            .file
            .try_clone()
            .map_err(|e| Error::io(format!("audit log {}: cannot open", log.path.display()), e))?;
        Ok(Self {
            durable: AtomicU64::new(log.seq),
            log: Mutex::new(log),
            io: Mutex::new(file),
            failed: AtomicBool::new(false),
        })
    }

    /// A handle for one request.
    pub(crate) fn handle(&self) -> AuditHandle<'_> {
        AuditHandle {
            shared: self,
            last: 0,
        }
    }

    fn commit_through(&self, seq: u64) -> Result<()> {
        let failed = || {
            Error::io(
                "audit log: an earlier write failed; refusing to release anything",
                io::Error::other("audit log unwritable"),
            )
        };
        if self.durable.load(Ordering::Acquire) >= seq {
            return Ok(());
        }
        let mut file = self.io.lock().unwrap_or_else(|e| e.into_inner());
        if self.failed.load(Ordering::Acquire) {
            return Err(failed());
        }
        if self.durable.load(Ordering::Acquire) >= seq {
            return Ok(()); // an fsync that started after our record covered it
        }
        let (batch, last, path) = {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            (std::mem::take(&mut log.pending), log.seq, log.path.clone())
        };
        match file.write_all(&batch).and_then(|()| file.sync_data()) {
            Ok(()) => {
                self.durable.store(last, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                self.failed.store(true, Ordering::Release);
                Err(Error::io(
                    format!("audit log {}: cannot write", path.display()),
                    e,
                ))
            }
        }
    }
}

/// One request's view of a [`SharedAudit`]: commits what it recorded (and whatever others
/// recorded before it).
#[cfg(feature = "server")]
pub(crate) struct AuditHandle<'a> {
    shared: &'a SharedAudit,
    last: u64,
}

#[cfg(feature = "server")]
impl Audit for AuditHandle<'_> {
    fn record(&mut self, d: &Decision<'_>) {
        let mut log = self.shared.log.lock().unwrap_or_else(|e| e.into_inner());
        log.record(d);
        self.last = log.seq;
    }

    fn commit(&mut self) -> Result<()> {
        self.shared.commit_through(self.last)
    }
}

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
struct Bad {
    /// Offset of its first byte.
    start: u64,
    /// It is not a record at all, and nothing but blank lines follows it: a torn write.
    torn: bool,
}

fn check(path: &Path, keyring: &Keyring) -> Result<(Verdict, Option<Bad>)> {
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
            // with its newline, so only a cut write lacks it).
            let torn = !l.complete || rest_is_blank(&mut lines).map_err(io_err)?;
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

/// True when every line left is blank.
fn rest_is_blank<R: BufRead>(lines: &mut Lines<R>) -> io::Result<bool> {
    while lines.next_line()?.is_some() {
        if !lines.buf.trim_ascii().is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
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
/// bytes move to a new file beside it (`<log>.torn`, `.torn.1`, …). Any other damage is
/// left as it is, for [`verify`] to report. Run it while nothing writes to the log.
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
    let (verdict, bad) = check(path, keyring)?;
    let (line, what) = match verdict {
        Verdict::Intact { records, .. } => return Ok(Repair::Intact { records }),
        Verdict::Tampered { line, what } => (line, what),
    };
    let Some(Bad { start, torn: true }) = bad else {
        return Ok(Repair::Refused { line, what });
    };
    let io_err = |what: &str, e| Error::io(format!("audit log {}: {what}", path.display()), e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io_err("cannot open", e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Concurrent requests through one shared log: every record lands once, in chain order,
    /// and each commit returns only when its own records are on disk.
    #[cfg(feature = "server")]
    #[test]
    fn group_commit_keeps_the_chain_under_concurrency() {
        let (_dir, path, k) = log_with(2);
        let shared = SharedAudit::new(AuditLog::open(&path, &k).unwrap()).unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let shared = &shared;
                let path = &path;
                s.spawn(move || {
                    for i in 0..50 {
                        let mut h = shared.handle();
                        let token = format!("VLM_EMAIL_K1_t{t}x{i}");
                        h.record(&Decision {
                            principal: "p",
                            purpose: None,
                            entity: "EMAIL",
                            token: &token,
                            key_id: 1,
                            outcome: "revealed",
                        });
                        h.commit().unwrap();
                        let on_disk = std::fs::read_to_string(path).unwrap();
                        assert!(on_disk.contains(&fingerprint(&token)));
                    }
                });
            }
        });
        assert!(matches!(
            verify(&path, &k).unwrap(),
            Verdict::Intact { records: 402, .. }
        ));
    }

    fn log_with(n: usize) -> (tempfile::TempDir, PathBuf, Keyring) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let k = Keyring::generate().unwrap();
        let mut log = AuditLog::open(&path, &k).unwrap();
        for i in 0..n {
            log.record(&Decision {
                principal: "alice",
                purpose: Some("ticket 1"),
                entity: "EMAIL",
                token: &format!("VLM_EMAIL_K1_token{i}"),
                key_id: 1,
                outcome: "revealed",
            });
        }
        log.commit().unwrap();
        (dir, path, k)
    }

    /// Opens the log and appends one decision to it.
    fn append_one(p: &Path, k: &Keyring) {
        let mut log = AuditLog::open(p, k).unwrap();
        log.record(&Decision {
            principal: "bob",
            purpose: None,
            entity: "PHONE",
            token: "t",
            key_id: 1,
            outcome: "denied",
        });
        log.commit().unwrap();
    }

    fn lines(p: &Path) -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn write(p: &Path, l: &[String]) {
        std::fs::write(p, l.join("\n") + "\n").unwrap();
    }

    #[test]
    fn intact_and_continued() {
        let (_d, p, k) = log_with(3);
        assert!(matches!(
            verify(&p, &k).unwrap(),
            Verdict::Intact { records: 3, .. }
        ));
        append_one(&p, &k);
        assert!(matches!(
            verify(&p, &k).unwrap(),
            Verdict::Intact { records: 4, .. }
        ));
        assert!(
            !std::fs::read_to_string(&p).unwrap().contains("VLM_EMAIL"),
            "tokens are fingerprinted"
        );
    }

    #[test]
    fn each_kind_of_edit_is_named() {
        let (_d, p, k) = log_with(5);
        let orig = lines(&p);
        let check = |l: Vec<String>, want: &str, at: u64| {
            write(&p, &l);
            match verify(&p, &k).unwrap() {
                Verdict::Tampered { line, what } => {
                    assert!(what.contains(want), "{what}");
                    assert_eq!(line, at, "{what}");
                }
                v => panic!("not detected: {v:?}"),
            }
        };
        let mut l = orig.clone();
        l[2] = l[2].replace("alice", "mallory");
        check(l, "record 3 was edited", 3);
        let mut l = orig.clone();
        l.remove(1);
        check(l, "record 2 was removed", 2);
        let mut l = orig.clone();
        l.insert(2, l[1].replace("\"seq\":2", "\"seq\":9"));
        check(l, "inserted", 3);
        let mut l = orig.clone();
        l.swap(1, 2);
        check(l, "reordered", 2);
        let mut l = orig;
        l.insert(3, l[2].clone());
        check(l, "reordered or repeated", 4);
    }

    /// Issue 16: a write cut short blocked start-up with no way out; `repair` keeps the
    /// verified records, moves the torn bytes aside, and the log opens and goes on.
    #[test]
    fn a_torn_last_record_is_repaired_keeping_the_verified_ones() {
        let (_d, p, k) = log_with(3);
        let whole = std::fs::read(&p).unwrap();
        let torn = b"{\"seq\":4,\"time\":\"2026-";
        std::fs::write(&p, [&whole[..], torn].concat()).unwrap();
        let e = AuditLog::open(&p, &k).unwrap_err();
        assert!(e.to_string().contains("cut short"), "{e}");
        assert!(e.to_string().contains("velum audit repair"), "{e}");
        assert!(matches!(
            verify(&p, &k).unwrap(),
            Verdict::Tampered { line: 4, ref what } if what.contains("torn")
        ));
        let Repair::Truncated {
            records,
            moved_to,
            bytes,
        } = repair(&p, &k).unwrap()
        else {
            panic!("not repaired");
        };
        assert_eq!((records, bytes), (3, torn.len() as u64));
        assert_eq!(std::fs::read(&moved_to).unwrap(), torn);
        assert_eq!(std::fs::read(&p).unwrap(), whole);
        assert_eq!(repair(&p, &k).unwrap(), Repair::Intact { records: 3 });
        append_one(&p, &k);
        assert!(matches!(
            verify(&p, &k).unwrap(),
            Verdict::Intact { records: 4, .. }
        ));
        // A second repair keeps the first one's file.
        std::fs::write(&p, [&std::fs::read(&p).unwrap()[..], b"{\"s"].concat()).unwrap();
        let Repair::Truncated {
            moved_to: again, ..
        } = repair(&p, &k).unwrap()
        else {
            panic!("not repaired");
        };
        assert_ne!(again, moved_to);
        assert_eq!(std::fs::read(&moved_to).unwrap(), torn);
    }

    #[test]
    fn repair_changes_nothing_but_a_torn_end() {
        let (_d, p, k) = log_with(4);
        let mut l = lines(&p);
        l[1] = l[1].replace("alice", "mallory");
        write(&p, &l);
        let before = std::fs::read(&p).unwrap();
        assert!(matches!(
            repair(&p, &k).unwrap(),
            Repair::Refused { line: 2, .. }
        ));
        // A malformed record with records after it is an edit, not a tear.
        let mut l = lines(&p);
        l[1] = "{\"seq\":2".to_owned();
        write(&p, &l);
        let before2 = std::fs::read(&p).unwrap();
        assert!(matches!(
            repair(&p, &k).unwrap(),
            Repair::Refused { line: 2, .. }
        ));
        assert_ne!(before, before2);
        assert_eq!(std::fs::read(&p).unwrap(), before2);
    }

    /// Issue 16: one byte that is not UTF-8 is a malformed record (exit 1 from `audit
    /// verify`), not an I/O error; a line longer than any record is malformed without being
    /// held whole.
    #[test]
    fn bytes_that_are_not_records_are_malformed() {
        let (_d, p, k) = log_with(3);
        let mut b = std::fs::read(&p).unwrap();
        let second = b.iter().position(|&c| c == b'\n').unwrap() + 10;
        b[second] = 0xff;
        std::fs::write(&p, &b).unwrap();
        assert!(matches!(
            verify(&p, &k).unwrap(),
            Verdict::Tampered { line: 2, ref what } if what.contains("malformed")
        ));
        let (_d, p, k) = log_with(2);
        let mut b = std::fs::read(&p).unwrap();
        b.extend(std::iter::repeat_n(b'x', 3 * MAX_RECORD));
        b.extend_from_slice(b"\n");
        b.extend(std::fs::read(&p).unwrap());
        std::fs::write(&p, &b).unwrap();
        assert!(matches!(
            verify(&p, &k).unwrap(),
            Verdict::Tampered { line: 3, ref what } if what.contains("malformed")
        ));
        assert!(matches!(
            repair(&p, &k).unwrap(),
            Repair::Refused { line: 3, .. }
        ));
    }

    /// Issue 16: `/dev/full` (or any file that is not a regular file) grew memory until the
    /// process was killed; it is refused when opened. A log others may read is refused too.
    #[cfg(unix)]
    #[test]
    fn only_a_private_regular_file_is_an_audit_log() {
        use std::os::unix::fs::PermissionsExt;
        let k = Keyring::generate().unwrap();
        for dev in ["/dev/full", "/dev/zero"] {
            if Path::new(dev).exists() {
                let e = AuditLog::open(dev, &k).unwrap_err();
                assert!(e.to_string().contains("not a regular file"), "{e}");
                assert!(verify(dev, &k).is_err());
            }
        }
        let (_d, p, k) = log_with(1);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = AuditLog::open(&p, &k).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
    }

    #[test]
    fn another_keyring_cannot_vouch() {
        let (_d, p, _k) = log_with(2);
        let other = Keyring::generate().unwrap();
        assert!(matches!(
            verify(&p, &other).unwrap(),
            Verdict::Tampered { line: 1, .. }
        ));
    }
}
