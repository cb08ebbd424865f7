//! Rate limits of the service: a token bucket per principal, and per client address before
//! authentication, in a bounded map.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Limits;

/// Token buckets per principal (and per client address before authentication).
pub(super) struct Limiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    const MAX_BUCKETS: usize = 10_000;

    pub(super) fn new(l: &Limits) -> Self {
        Self {
            rate: l.rate_per_second,
            burst: f64::from(l.burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `who`'s bucket, or says how long to wait.
    pub(super) fn take(&self, who: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if b.len() >= Self::MAX_BUCKETS && !b.contains_key(who) {
            // Forget buckets that have refilled: they hold no state worth keeping.
            let (rate, burst) = (self.rate, self.burst);
            b.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = b.entry(who.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_refills_at_its_rate() {
        let l = Limiter::new(&Limits::default().with_rate(1000.0, 2));
        assert!(l.take("a").is_ok());
        assert!(l.take("a").is_ok());
        let wait = l.take("a").unwrap_err();
        assert!(wait <= Duration::from_millis(1), "{wait:?}");
        assert!(l.take("b").is_ok(), "buckets are per key");
        std::thread::sleep(Duration::from_millis(5));
        assert!(l.take("a").is_ok());
    }

    #[test]
    fn limiter_forgets_full_buckets_when_crowded() {
        let l = Limiter::new(&Limits::default().with_rate(1e9, 1));
        for i in 0..Limiter::MAX_BUCKETS + 10 {
            let _ = l.take(&i.to_string());
        }
        assert!(l.buckets.lock().unwrap().len() <= Limiter::MAX_BUCKETS);
    }
}
