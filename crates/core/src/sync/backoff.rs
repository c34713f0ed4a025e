//! How long to wait before trying the hub again: exponential, capped, with jitter so a hub that
//! comes back is not hit by every kiosk in the same millisecond.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base_ms: u64,
    max_ms: u64,
    failures: u32,
}

impl Default for Backoff {
    /// 0.5 s, 1 s, 2 s … up to 30 s between tries.
    fn default() -> Self {
        Backoff::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff { base_ms: base.as_millis().max(1) as u64, max_ms: max.as_millis().max(1) as u64, failures: 0 }
    }

    /// After a success: the next failure waits the base delay again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The wait after one more failure. `unit` is a random number in [0, 1): the wait is
    /// uniformly between half and all of the capped exponential delay ("equal jitter").
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let exp = self.base_ms.saturating_mul(1u64.checked_shl(self.failures.min(32)).unwrap_or(u64::MAX));
        let cap = exp.min(self.max_ms);
        self.failures = self.failures.saturating_add(1);
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.5 };
        let half = cap / 2;
        Duration::from_millis(half + ((cap - half) as f64 * unit) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_up_to_the_cap_and_reset() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(1_000));
        let waits: Vec<u64> = (0..7).map(|_| b.next_delay(0.999_999).as_millis() as u64).collect();
        assert_eq!(waits, [99, 199, 399, 799, 999, 999, 999]);
        let mut b2 = b.clone();
        assert_eq!(b2.next_delay(0.0).as_millis(), 500, "jitter never goes below half the cap");
        b.reset();
        assert_eq!(b.next_delay(0.0).as_millis(), 50);
    }

    #[test]
    fn many_failures_never_overflow() {
        let mut b = Backoff::default();
        for _ in 0..1_000 {
            assert!(b.next_delay(f64::NAN) <= Duration::from_secs(30));
        }
    }
}
