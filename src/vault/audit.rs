//! The audit log: one JSON line per detokenisation decision — sequence number, time,
//! principal, purpose, entity type, a fingerprint of the token (never the value), key id,
//! outcome — chained by an HMAC-SHA256 (under the keyring's audit key) over each record's
//! content and the previous record's MAC. Records reach the disk (`fsync`) before any value
//! they cover is released. [`verify`] says which record was edited, removed, inserted or
//! reordered. (Removing records from the end is visible only against a kept copy of the last
//! MAC, which `velum audit verify` prints.)

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
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
        let file = opts
            .open(&path)
            .map_err(|e| Error::io(format!("audit log {}: cannot open", path.display()), e))?;
        let (mut seq, mut prev) = (0, GENESIS.to_owned());
        let reader = BufReader::new(
            File::open(&path).map_err(|e| Error::io(format!("audit log {}", path.display()), e))?,
        );
        let mut last = None;
        for line in reader.lines() {
            let line = line.map_err(|e| Error::io(format!("audit log {}", path.display()), e))?;
            if !line.trim().is_empty() {
                last = Some(line);
            }
        }
        if let Some(l) = last {
            let r: Record = serde_json::from_str(&l).map_err(|_| {
                Error::config(format!(
                    "audit log {}: its last record is malformed; run `velum audit verify`",
                    path.display()
                ))
            })?;
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
                std::io::Error::other("audit log unwritable"),
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

/// Checks an audit log's chain (see the [vault example](crate::vault)).
///
/// # Errors
/// [`ErrorKind::Io`](crate::ErrorKind::Io) when the file cannot be read.
pub fn verify(path: impl AsRef<Path>, keyring: &Keyring) -> Result<Verdict> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("audit log {}", path.display()), e))?;
    let lines: Vec<&str> = text.lines().collect();
    let seqs: Vec<Option<u64>> = lines
        .iter()
        .map(|l| serde_json::from_str::<Record>(l).ok().map(|r| r.seq))
        .collect();
    let (mut expected, mut prev) = (1u64, GENESIS.to_owned());
    for (i, l) in lines.iter().enumerate() {
        let line = i as u64 + 1;
        let tampered = |what: String| Ok(Verdict::Tampered { line, what });
        let Ok(rec) = serde_json::from_str::<Record>(l) else {
            return tampered("record is malformed (edited)".into());
        };
        let (body, mac) = rec.body();
        let ok = bool::from(
            mac_of(&keyring.audit_key, &body)
                .as_bytes()
                .ct_eq(mac.as_bytes()),
        );
        if !ok {
            return tampered(if body.seq == expected {
                format!("record {} was edited", body.seq)
            } else {
                format!(
                    "a record was inserted (claims seq {}, expected {expected})",
                    body.seq
                )
            });
        }
        if body.seq > expected {
            let later = seqs[i + 1..].contains(&Some(expected));
            return tampered(if later {
                format!(
                    "records were reordered (seq {} before {expected})",
                    body.seq
                )
            } else if body.seq == expected + 1 {
                format!("record {expected} was removed")
            } else {
                format!("records {expected}..{} were removed", body.seq - 1)
            });
        }
        if body.seq < expected {
            return tampered(format!(
                "records were reordered or repeated (seq {} after {})",
                body.seq,
                expected - 1
            ));
        }
        if body.prev != prev {
            return tampered(format!(
                "record {} does not follow the record before it (replaced or reordered)",
                body.seq
            ));
        }
        expected += 1;
        prev = mac;
    }
    Ok(Verdict::Intact {
        records: expected - 1,
        head: prev,
    })
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
        let mut log = AuditLog::open(&p, &k).unwrap();
        log.record(&Decision {
            principal: "bob",
            purpose: None,
            entity: "PHONE",
            token: "t",
            key_id: 1,
            outcome: "denied",
        });
        log.commit().unwrap();
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
