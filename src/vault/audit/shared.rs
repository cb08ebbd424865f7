//! One audit log shared by a service's concurrent requests, with group commit.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{Audit, AuditLog, Decision};
use crate::error::{Error, Result};

/// How long the service holds refusals to make one record per kind of them: a flood of
/// refused keys or tokens adds a record per kind per window, not one per request.
pub(crate) const REFUSAL_WINDOW: Duration = Duration::from_secs(1);

/// An audit log shared by concurrent requests, with group commit: records join the chain
/// under a short lock; one committer at a time writes everything recorded so far and
/// `fsync`s it, so requests that arrive during an `fsync` share the next one instead of
/// queueing for one each. Refusals wait up to [`REFUSAL_WINDOW`] (or the next write) to join
/// as one counted record per kind. After a failed write the log refuses every later commit
/// (nothing more is released; the service answers 500) rather than risk a gap in the chain.
pub(crate) struct SharedAudit {
    log: Mutex<AuditLog>,
    /// Bytes written in the current second, against the budget (see [`SharedAudit::admit`]).
    budget: Mutex<Budget>,
    /// A second handle on the log's file, used only by the committer holding this lock.
    io: Mutex<File>,
    /// Sequence number of the last record known to be on disk.
    durable: AtomicU64,
    failed: AtomicBool,
}

impl SharedAudit {
    pub(crate) fn new(log: AuditLog) -> Result<Self> {
        let file = log
            .file
            .try_clone()
            .map_err(|e| Error::io(format!("audit log {}: cannot open", log.path.display()), e))?;
        Ok(Self {
            budget: Mutex::new(Budget {
                per_second: u64::MAX,
                start: Instant::now(),
                used: 0,
            }),
            durable: AtomicU64::new(log.seq),
            log: Mutex::new(log),
            io: Mutex::new(file),
            failed: AtomicBool::new(false),
        })
    }

    /// Writes the held refusals once the oldest has waited [`REFUSAL_WINDOW`] (or now, with
    /// `now`: at shutdown). The service calls it every window, and each request after its
    /// own commit.
    pub(crate) fn flush_refusals(&self, now: bool) -> Result<()> {
        let seq = {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            match log.refusals_age() {
                Some(age) if now || age >= REFUSAL_WINDOW => {
                    log.flush_refusals();
                    log.seq
                }
                _ => return Ok(()),
            }
        };
        self.commit_through(seq)
    }

    /// Sets the audit bytes the log may take per second (the service's
    /// `--audit-bytes-per-second`).
    pub(crate) fn set_budget(&self, per_second: u64) {
        self.budget
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .per_second = per_second;
    }

    /// Whether a request may start: `Err(wait)` once this second's audit bytes are spent,
    /// so the service sheds load (429) before the log can fill a disk. A request admitted
    /// may overshoot by its own records (at most `--max-batch` of them).
    pub(crate) fn admit(&self) -> std::result::Result<(), Duration> {
        let mut b = self.budget.lock().unwrap_or_else(|e| e.into_inner());
        b.roll();
        if b.used >= b.per_second {
            return Err(Duration::from_secs(1).saturating_sub(b.start.elapsed()));
        }
        Ok(())
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
        let (batch, last, path, identity) = {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            // Held refusals ride along with the write.
            log.flush_refusals();
            (
                std::mem::take(&mut log.pending),
                log.seq,
                log.path.clone(),
                log.identity,
            )
        };
        // A log deleted or replaced under the service: nothing more is released.
        if let Err(e) = super::writer::still_there(&file, &path, identity) {
            self.failed.store(true, Ordering::Release);
            return Err(e);
        }
        {
            let mut b = self.budget.lock().unwrap_or_else(|e| e.into_inner());
            b.roll();
            b.used = b.used.saturating_add(batch.len() as u64);
        }
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

/// The audit bytes of the current one-second window.
struct Budget {
    per_second: u64,
    start: Instant,
    used: u64,
}

impl Budget {
    /// Starts a new window once a second has passed.
    fn roll(&mut self) {
        if self.start.elapsed() >= Duration::from_secs(1) {
            self.start = Instant::now();
            self.used = 0;
        }
    }
}

/// One request's view of a [`SharedAudit`]: commits what it recorded (and whatever others
/// recorded before it).
pub(crate) struct AuditHandle<'a> {
    shared: &'a SharedAudit,
    last: u64,
}

impl Audit for AuditHandle<'_> {
    fn record(&mut self, d: &Decision<'_>) {
        let mut log = self.shared.log.lock().unwrap_or_else(|e| e.into_inner());
        log.record(d);
        self.last = log.seq;
    }

    fn commit(&mut self) -> Result<()> {
        self.shared.commit_through(self.last)?;
        self.shared.flush_refusals(false)
    }
}
