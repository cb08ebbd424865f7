//! Watching an audit log for what a person should look at: a principal revealing far more
//! than its limit or its own habit, a spike of refusals, a chain that stops verifying. The
//! log is read a record at a time (as it grows, with `velum audit watch --follow` or the
//! service's `--alerts`), each record's MAC checked against the chain; reveals and refusals
//! are counted per window of record time, and a window is judged when it closes.
//!
//! A principal's baseline is the exponentially weighted mean of its reveals per window
//! (weight 0.1 on the newest, empty windows counting as zero), judged only once it has seen
//! a few windows; a window over `factor ×` baseline (and at least `min_burst`), or over the
//! absolute `max_reveals`, is an alert. Refusals of all principals together are judged the
//! same way. Each alert is one JSON line shaped as an OCSF Detection Finding (class 2004),
//! so a SIEM takes it as it is; it names principals and counts, never tokens or values.

use std::collections::BTreeMap;

use serde_json::json;
use subtle::ConstantTimeEq;

use super::{GENESIS, is_refusal, mac_of, parse};
use crate::vault::keyring::{Keyring, SecretKey};

/// What makes an alert; see the module documentation.
///
/// # Example
/// ```
/// let c = velum::vault::WatchConfig::default();
/// assert_eq!((c.window_secs, c.factor), (60, 10.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct WatchConfig {
    /// Window length in seconds of record time.
    pub window_secs: u64,
    /// Reveals by one principal in one window that always alert (0: no absolute limit).
    pub max_reveals: u64,
    /// A window over this multiple of the principal's baseline alerts…
    pub factor: f64,
    /// …when it also holds at least this many reveals (or refusals).
    pub min_burst: u64,
    /// Windows a baseline needs before it is used.
    pub warmup: u32,
    /// Refusals of all principals in one window that always alert (0: no absolute limit).
    pub max_refusals: u64,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            window_secs: 60,
            max_reveals: 0,
            factor: 10.0,
            min_burst: 20,
            warmup: 5,
            max_refusals: 0,
        }
    }
}

/// Weight of the newest window in a baseline.
const ALPHA: f64 = 0.1;

#[derive(Default)]
struct Baseline {
    mean: f64,
    windows: u32,
}

impl Baseline {
    /// Moves the baseline over `empty` windows without events, then one of `count`.
    fn update(&mut self, empty: u64, count: u64) {
        if empty > 0 {
            self.mean *= (1.0 - ALPHA).powf(empty.min(10_000) as f64);
            self.windows = self
                .windows
                .saturating_add(u32::try_from(empty).unwrap_or(u32::MAX));
        }
        self.mean = if self.windows == 0 {
            count as f64
        } else {
            ALPHA * count as f64 + (1.0 - ALPHA) * self.mean
        };
        self.windows = self.windows.saturating_add(1);
    }
}

/// One alert (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Alert {
    /// `reveal_burst`, `reveal_limit`, `refusal_spike`, `refusal_limit` or `chain_broken`.
    pub kind: &'static str,
    /// The principal, for reveal alerts.
    pub principal: Option<String>,
    /// Start of the window (seconds since the epoch); for `chain_broken`, the record's time.
    pub window_start: u64,
    /// Events in the window.
    pub count: u64,
    /// The baseline it was judged against (0 when the absolute limit was crossed).
    pub baseline: f64,
    /// What is wrong, in words.
    pub message: String,
}

impl Alert {
    /// Writes [`Alert::to_ocsf`] to `out` as one JSON line, and flushes it (an alert is read
    /// as it is raised).
    ///
    /// # Errors
    /// When `out` fails.
    pub fn write_line(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&self.to_ocsf()).expect("an alert serialises");
        line.push(b'\n');
        out.write_all(&line)?;
        out.flush()
    }

    /// The alert as an OCSF 1.1 Detection Finding (class_uid 2004), one JSON object.
    ///
    /// # Example
    /// ```
    /// use velum::vault::{AuditWatcher, WatchConfig};
    /// let k = velum::Keyring::generate()?;
    /// let mut w = AuditWatcher::new(&k, WatchConfig::default());
    /// let mut alerts = Vec::new();
    /// w.feed(b"not a record", &mut alerts);
    /// let v = alerts[0].to_ocsf();
    /// assert_eq!(v["class_uid"], 2004);
    /// assert_eq!(v["finding_info"]["types"][0], "chain_broken");
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn to_ocsf(&self) -> serde_json::Value {
        let severity = match self.kind {
            "chain_broken" => (5, "Critical"),
            "reveal_limit" | "reveal_burst" => (4, "High"),
            _ => (3, "Medium"),
        };
        let mut v = json!({
            "class_uid": 2004,
            "class_name": "Detection Finding",
            "category_uid": 2,
            "category_name": "Findings",
            "activity_id": 1,
            "activity_name": "Create",
            "type_uid": 200401,
            "severity_id": severity.0,
            "severity": severity.1,
            "time": self.window_start * 1000,
            "message": self.message,
            "metadata": {
                "version": "1.1.0",
                "product": {"name": "velum", "vendor_name": "velum", "version": env!("CARGO_PKG_VERSION")},
            },
            "finding_info": {
                "uid": format!("velum-{}-{}-{}", self.kind, self.window_start, self.principal.as_deref().unwrap_or("-")),
                "title": self.message,
                "types": [self.kind],
            },
            "unmapped": {
                "window_start": crate::time::rfc3339(self.window_start),
                "count": self.count,
                "baseline": (self.baseline * 100.0).round() / 100.0,
            },
        });
        if let Some(p) = &self.principal {
            v["actor"] = json!({"user": {"name": p}});
        }
        v
    }
}

/// Seconds since the epoch of a record's `YYYY-MM-DDTHH:MM:SSZ`.
fn record_secs(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from the civil date (H. Hinnant's algorithm, the inverse of `civil_from_days`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// Reads an audit log's records as they come and says when to look (see the module
/// documentation).
pub struct AuditWatcher {
    /// A copy of the keyring's audit key (zeroized on drop): a watcher may run on a thread
    /// of its own.
    audit_key: SecretKey,
    cfg: WatchConfig,
    expected: u64,
    prev: String,
    broken: bool,
    /// The window being counted (its index), if a record opened one.
    window: Option<u64>,
    reveals: BTreeMap<String, u64>,
    refusals: u64,
    baselines: BTreeMap<String, (Baseline, u64)>,
    refusal_base: (Baseline, u64),
}

impl std::fmt::Debug for AuditWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditWatcher")
            .field("records", &(self.expected - 1))
            .finish_non_exhaustive()
    }
}

impl AuditWatcher {
    /// A watcher of a log chained under `keyring`'s audit key, from its first record.
    pub fn new(keyring: &Keyring, cfg: WatchConfig) -> Self {
        Self {
            audit_key: keyring.audit_key.clone(),
            cfg: WatchConfig {
                window_secs: cfg.window_secs.max(1),
                ..cfg
            },
            expected: 1,
            prev: GENESIS.to_owned(),
            broken: false,
            window: None,
            reveals: BTreeMap::new(),
            refusals: 0,
            baselines: BTreeMap::new(),
            refusal_base: (Baseline::default(), 0),
        }
    }

    /// Records read so far.
    pub fn records(&self) -> u64 {
        self.expected - 1
    }

    /// Reads one line of the log (without its newline); alerts go to `out`.
    pub fn feed(&mut self, line: &[u8], out: &mut Vec<Alert>) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let Some(rec) = parse(line, line.len() > super::MAX_RECORD) else {
            self.broke(
                0,
                "a line of the audit log is not a record (edited or torn)",
                out,
            );
            return;
        };
        let (body, mac) = rec.body();
        let authentic = bool::from(
            mac_of(&self.audit_key, &body)
                .as_bytes()
                .ct_eq(mac.as_bytes()),
        );
        let at = record_secs(&body.time).unwrap_or(0);
        if !authentic {
            self.broke(
                at,
                &format!("record {} fails its MAC (edited or forged)", body.seq),
                out,
            );
        } else if body.seq != self.expected || body.prev != self.prev {
            self.broke(
                at,
                &format!(
                    "record {} does not follow record {} (removed, inserted or reordered)",
                    body.seq,
                    self.expected - 1
                ),
                out,
            );
        }
        self.expected = body.seq + 1;
        self.prev = mac;
        self.advance(at / self.cfg.window_secs, out);
        let n = body.count.unwrap_or(1);
        if matches!(body.outcome.as_str(), "revealed" | "revealed_last4") {
            *self.reveals.entry(body.principal).or_default() += n;
        } else if is_refusal(&body.outcome) {
            self.refusals += n;
        }
    }

    /// Judges the open window as closed at `now` (seconds since the epoch): what
    /// `--follow` does when the log has been quiet past a window's end.
    pub fn tick(&mut self, now: u64, out: &mut Vec<Alert>) {
        if self.window.is_some_and(|w| now / self.cfg.window_secs > w) {
            self.advance(now / self.cfg.window_secs, out);
        }
    }

    /// Judges the open window (at the end of a log read once).
    pub fn finish(&mut self, out: &mut Vec<Alert>) {
        if let Some(w) = self.window {
            self.advance(w + 1, out);
        }
    }

    fn broke(&mut self, at: u64, what: &str, out: &mut Vec<Alert>) {
        if !self.broken {
            self.broken = true;
            out.push(Alert {
                kind: "chain_broken",
                principal: None,
                window_start: at,
                count: 0,
                baseline: 0.0,
                message: format!("audit log: {what}; run `velum audit verify`"),
            });
        }
    }

    /// Closes the open window when `w` is a later one, judging it.
    fn advance(&mut self, w: u64, out: &mut Vec<Alert>) {
        let Some(open) = self.window else {
            self.window = Some(w);
            return;
        };
        if w <= open {
            return;
        }
        let cfg = self.cfg;
        let start = open * cfg.window_secs;
        let judge = |count: u64, base: &Baseline, limit: u64| -> Option<(bool, f64)> {
            if limit > 0 && count > limit {
                return Some((true, 0.0));
            }
            let over = base.windows >= cfg.warmup
                && count >= cfg.min_burst
                && count as f64 > cfg.factor * base.mean.max(1.0);
            over.then_some((false, base.mean))
        };
        let reveals = std::mem::take(&mut self.reveals);
        for (p, count) in &reveals {
            let (base, last) = self
                .baselines
                .entry(p.clone())
                .or_insert_with(|| (Baseline::default(), open));
            if let Some((absolute, b)) = judge(*count, base, cfg.max_reveals) {
                out.push(Alert {
                    kind: if absolute {
                        "reveal_limit"
                    } else {
                        "reveal_burst"
                    },
                    principal: Some(p.clone()),
                    window_start: start,
                    count: *count,
                    baseline: b,
                    message: if absolute {
                        format!(
                            "principal {p} revealed {count} values in {}s, over the limit of {}",
                            cfg.window_secs, cfg.max_reveals
                        )
                    } else {
                        format!(
                            "principal {p} revealed {count} values in {}s, {:.0}x its usual {:.1}",
                            cfg.window_secs,
                            *count as f64 / b.max(1.0),
                            b
                        )
                    },
                });
            }
            base.update(open.saturating_sub(*last + 1).min(open), *count);
            *last = open;
        }
        let (base, last) = &mut self.refusal_base;
        if self.refusals > 0 || base.windows > 0 {
            let count = self.refusals;
            if let Some((absolute, b)) = judge(count, base, cfg.max_refusals) {
                out.push(Alert {
                    kind: if absolute {
                        "refusal_limit"
                    } else {
                        "refusal_spike"
                    },
                    principal: None,
                    window_start: start,
                    count,
                    baseline: b,
                    message: format!(
                        "{count} refused requests or tokens in {}s (usual {:.1})",
                        cfg.window_secs, b
                    ),
                });
            }
            let gap = if base.windows == 0 {
                0
            } else {
                open.saturating_sub(*last + 1)
            };
            base.update(gap, count);
            *last = open;
        }
        self.refusals = 0;
        self.window = Some(w);
    }
}

/// A log of `events` — `(seconds since the epoch, principal, outcome, count)` — chained
/// under `keyring`'s audit key, as JSON lines: for tests of watchers.
#[doc(hidden)]
pub fn synthetic_log(keyring: &Keyring, events: &[(u64, &str, &str, u64)]) -> Vec<u8> {
    let mut prev = GENESIS.to_owned();
    let mut out = Vec::new();
    for (i, (t, p, outcome, n)) in events.iter().enumerate() {
        let body = super::Body {
            seq: i as u64 + 1,
            time: crate::time::rfc3339(*t),
            principal: (*p).to_owned(),
            purpose: None,
            entity: "EMAIL".into(),
            token_fp: "00".into(),
            key_id: 1,
            outcome: (*outcome).to_owned(),
            count: (*n > 1).then_some(*n),
            prev: prev.clone(),
        };
        let mac = mac_of(&keyring.audit_key, &body);
        let mut v = serde_json::to_value(&body).expect("a record serialises");
        v["mac"] = mac.clone().into();
        out.extend(serde_json::to_vec(&v).expect("a record serialises"));
        out.push(b'\n');
        prev = mac;
    }
    out
}

/// Follows the log at `path` from its start: feeds every complete line to `watcher`, and
/// with `follow`, waits for more (checking `stop` and judging a quiet window by the clock
/// every `poll`), else stops at the end. Each alert goes to `emit` as it is raised. Returns
/// the records read.
///
/// # Errors
/// [`ErrorKind::Io`](crate::ErrorKind::Io) when the log cannot be read, or `emit` fails.
pub fn follow_log(
    path: &std::path::Path,
    watcher: &mut AuditWatcher,
    follow: bool,
    poll: std::time::Duration,
    stop: &std::sync::atomic::AtomicBool,
    emit: &mut dyn FnMut(&Alert) -> std::io::Result<()>,
) -> crate::Result<u64> {
    use std::io::Read;
    use std::sync::atomic::Ordering;
    let io_err = |e| crate::Error::io(format!("audit log {}", path.display()), e);
    let mut f = std::fs::File::open(path).map_err(io_err)?;
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut alerts = Vec::new();
    let mut send = |alerts: &mut Vec<Alert>| -> crate::Result<()> {
        for a in alerts.drain(..) {
            emit(&a).map_err(crate::Error::output)?;
        }
        Ok(())
    };
    loop {
        let n = f.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            if !follow || stop.load(Ordering::Relaxed) {
                break;
            }
            watcher.tick(crate::time::unix_now(), &mut alerts);
            send(&mut alerts)?;
            std::thread::sleep(poll);
            continue;
        }
        pending.extend_from_slice(&buf[..n]);
        let mut from = 0;
        while let Some(i) = memchr::memchr(b'\n', &pending[from..]) {
            watcher.feed(&pending[from..from + i], &mut alerts);
            from += i + 1;
        }
        pending.drain(..from);
        if pending.len() > super::MAX_RECORD {
            // No record is this long: judge it as a line and skip to its end.
            watcher.feed(&pending, &mut alerts);
            pending.clear();
        }
        send(&mut alerts)?;
    }
    if !pending.is_empty() {
        watcher.feed(&pending, &mut alerts);
    }
    watcher.finish(&mut alerts);
    send(&mut alerts)?;
    Ok(watcher.records())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic(k: &Keyring, events: &[(u64, &str, &str, u64)]) -> Vec<Vec<u8>> {
        synthetic_log(k, events)
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    }

    fn run(k: &Keyring, lines: &[Vec<u8>], cfg: WatchConfig) -> Vec<Alert> {
        let mut w = AuditWatcher::new(k, cfg);
        let mut out = Vec::new();
        for l in lines {
            w.feed(l, &mut out);
        }
        w.finish(&mut out);
        out
    }

    const T0: u64 = 1_796_000_040; // on a minute

    #[test]
    fn times_parse_back() {
        for t in [0, 951_782_400, T0, 4_102_444_800] {
            assert_eq!(record_secs(&crate::time::rfc3339(t)), Some(t));
        }
        assert_eq!(record_secs("2026-12-07 18:54:20"), None);
    }

    #[test]
    fn every_burst_is_flagged_and_the_steady_part_never() {
        let k = Keyring::generate().unwrap();
        // Three analysts reveal a few values a minute for six hours, at their own steady
        // rates with noise; two bursts are injected (one principal at 40x its rate, one at
        // 12x), and a wave of refusals.
        let mut events = Vec::new();
        let mut rng = 7u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let bursts = [(100u64, "alice", 200u64), (250, "bob", 60)];
        for minute in 0..360u64 {
            for (who, rate) in [("alice", 5u64), ("bob", 3), ("carol", 8)] {
                let n = rate + next() % 3;
                let extra = bursts
                    .iter()
                    .find(|b| b.0 == minute && b.1 == who)
                    .map_or(0, |b| b.2);
                for i in 0..n + extra {
                    events.push((T0 + minute * 60 + i % 60, who, "revealed", 1));
                }
            }
            if minute % 7 == 0 {
                events.push((T0 + minute * 60 + 30, "carol", "denied", 2));
            }
            if minute == 300 {
                events.push((T0 + minute * 60 + 31, "-", "unauthenticated", 500));
            }
        }
        events.sort_by_key(|e| e.0);
        let lines = synthetic(&k, &events);
        let alerts = run(&k, &lines, WatchConfig::default());
        let got: Vec<(&str, Option<&str>, u64)> = alerts
            .iter()
            .map(|a| (a.kind, a.principal.as_deref(), (a.window_start - T0) / 60))
            .collect();
        assert_eq!(
            got,
            [
                ("reveal_burst", Some("alice"), 100),
                ("reveal_burst", Some("bob"), 250),
                ("refusal_spike", None, 300),
            ],
            "{alerts:#?}"
        );
        // An absolute limit flags every window over it, whatever the baseline.
        let cfg = WatchConfig {
            max_reveals: 100,
            ..WatchConfig::default()
        };
        let limited = run(&k, &lines, cfg);
        assert!(
            limited
                .iter()
                .any(|a| a.kind == "reveal_limit" && a.count > 100)
        );
        // Nothing names a token or a value.
        for a in &alerts {
            let s = a.to_ocsf().to_string();
            assert!(!s.contains("token_fp") && !s.contains("EMAIL"), "{s}");
        }
    }

    #[test]
    fn an_edited_removed_or_forged_record_breaks_the_chain_once() {
        let k = Keyring::generate().unwrap();
        let events: Vec<_> = (0..10).map(|i| (T0 + i, "alice", "revealed", 1)).collect();
        let lines = synthetic(&k, &events);
        assert!(run(&k, &lines, WatchConfig::default()).is_empty());
        let mut removed = lines.clone();
        removed.remove(4);
        let a = run(&k, &removed, WatchConfig::default());
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].kind, "chain_broken");
        let mut edited = lines.clone();
        edited[3] = String::from_utf8(edited[3].clone())
            .unwrap()
            .replace("alice", "alicf")
            .into_bytes();
        assert_eq!(
            run(&k, &edited, WatchConfig::default())[0].kind,
            "chain_broken"
        );
        let other = Keyring::generate().unwrap();
        assert_eq!(
            run(&other, &lines, WatchConfig::default())[0].kind,
            "chain_broken"
        );
    }
}
