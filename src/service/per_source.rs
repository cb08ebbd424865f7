//! Counts per client address: how many connections (or unfinished TLS handshakes) each
//! address holds, so that one client cannot take every slot of a global cap and lock the
//! others out — health probes included.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// A cap on what one client address may hold at once.
#[derive(Debug)]
pub(super) struct PerSource {
    max: usize,
    held: Mutex<HashMap<IpAddr, usize>>,
}

/// One slot of an address, given back when dropped.
#[derive(Debug)]
pub(super) struct Slot {
    of: Arc<PerSource>,
    ip: IpAddr,
}

impl PerSource {
    pub(super) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            held: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for `ip`, or `None` when it holds `max` already.
    pub(super) fn take(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let n = held.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Slot {
            of: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.of.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_cap_and_slots_come_back() {
        let p = PerSource::new(2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let s1 = p.take(a).unwrap();
        let _s2 = p.take(a).unwrap();
        assert!(p.take(a).is_none());
        assert!(p.take(b).is_some(), "another address is not locked out");
        drop(s1);
        assert!(p.take(a).is_some());
        drop(p.take(b));
        assert!(
            !p.held.lock().unwrap().contains_key(&b),
            "no entry left behind"
        );
    }
}
