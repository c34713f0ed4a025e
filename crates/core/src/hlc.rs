//! Hybrid logical clock: wall-clock milliseconds plus a counter plus the device id.
//!
//! Every operation carries one. Comparing two of them gives a total order that respects
//! causality (an op applied before another was written gets a smaller stamp, even when the
//! devices' clocks disagree), which is what "last writer wins" needs to converge.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

use crate::ids::DeviceId;

/// A timestamp. Ordered by milliseconds, then counter, then device. The string form
/// (`0001732758000000-000000-<uuid>`) sorts the same way, so SQL `ORDER BY hlc` is correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string")]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub device: DeviceId,
}

const MILLIS_DIGITS: usize = 16;
const COUNTER_DIGITS: usize = 6;
const COUNTER_MAX: u32 = 999_999;

impl Hlc {
    /// The smallest stamp of a device; every real stamp is greater.
    pub fn zero(device: DeviceId) -> Self {
        Hlc { millis: 0, counter: 0, device }
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0mw$}-{:0cw$}-{}", self.millis, self.counter, self.device, mw = MILLIS_DIGITS, cw = COUNTER_DIGITS)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a hybrid logical clock timestamp: {0:?}")]
pub struct HlcParseError(String);

impl FromStr for Hlc {
    type Err = HlcParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || HlcParseError(s.chars().take(80).collect());
        let (millis, rest) = s.split_once('-').ok_or_else(bad)?;
        let (counter, device) = rest.split_once('-').ok_or_else(bad)?;
        if millis.len() != MILLIS_DIGITS
            || counter.len() != COUNTER_DIGITS
            || !millis.bytes().all(|b| b.is_ascii_digit())
            || !counter.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let device: DeviceId = device.parse().map_err(|_| bad())?;
        // The canonical form is the only accepted form, so the string order stays the clock order.
        if device.0.hyphenated().to_string() != rest[COUNTER_DIGITS + 1..] {
            return Err(bad());
        }
        Ok(Hlc { millis: millis.parse().map_err(|_| bad())?, counter: counter.parse().map_err(|_| bad())?, device })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Source of wall-clock time in milliseconds since the Unix epoch; replaceable in tests.
pub type WallClock = fn() -> u64;

pub fn system_millis() -> u64 {
    let now = jiff::Timestamp::now().as_millisecond();
    u64::try_from(now).unwrap_or(0)
}

/// The clock of one device. Thread-safe; stamps it hands out strictly increase.
pub struct Clock {
    device: DeviceId,
    last: Mutex<Hlc>,
    wall: WallClock,
}

impl Clock {
    /// `last` is the greatest stamp this device has seen (from its stored op log), so a
    /// restart with a clock that went backwards never reissues an old stamp.
    pub fn new(device: DeviceId, last: Option<Hlc>, wall: WallClock) -> Self {
        let last = last.unwrap_or(Hlc::zero(device));
        Clock { device, last: Mutex::new(last), wall }
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// A stamp for a local event.
    pub fn tick(&self) -> Hlc {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let wall = (self.wall)();
        let next = if wall > last.millis {
            Hlc { millis: wall, counter: 0, device: self.device }
        } else {
            bump(last.millis, last.counter, self.device)
        };
        *last = next;
        next
    }

    /// Merge a stamp received from another device, so later local stamps come after it.
    pub fn observe(&self, remote: Hlc) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if (remote.millis, remote.counter) > (last.millis, last.counter) {
            *last = Hlc { millis: remote.millis, counter: remote.counter, device: self.device };
        }
    }

    /// Wall-clock milliseconds from this clock's time source (the one stamps are built on).
    pub fn wall_millis(&self) -> u64 {
        (self.wall)()
    }

    /// The time source itself.
    pub fn wall_fn(&self) -> WallClock {
        self.wall
    }

    pub fn last(&self) -> Hlc {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn bump(millis: u64, counter: u32, device: DeviceId) -> Hlc {
    if counter >= COUNTER_MAX {
        // Borrow the next millisecond rather than overflow the fixed-width counter.
        Hlc { millis: millis + 1, counter: 0, device }
    } else {
        Hlc { millis, counter: counter + 1, device }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frozen() -> u64 {
        1_700_000_000_000
    }

    #[test]
    fn stamps_strictly_increase_even_when_the_wall_clock_stands_still() {
        let clock = Clock::new(DeviceId::new(), None, frozen);
        let a = clock.tick();
        let b = clock.tick();
        let c = clock.tick();
        assert!(a < b && b < c);
        assert_eq!(a.millis, frozen());
        assert_eq!(c.counter, 2);
    }

    #[test]
    fn a_restart_never_reissues_an_older_stamp() {
        let device = DeviceId::new();
        let future = Hlc { millis: frozen() + 60_000, counter: 7, device };
        let clock = Clock::new(device, Some(future), frozen);
        assert!(clock.tick() > future);
    }

    #[test]
    fn observing_a_remote_stamp_orders_later_local_events_after_it() {
        let clock = Clock::new(DeviceId::new(), None, frozen);
        let remote = Hlc { millis: frozen() + 5_000, counter: 3, device: DeviceId::new() };
        clock.observe(remote);
        let local = clock.tick();
        assert!(local.millis == remote.millis && local.counter == 4);
    }

    #[test]
    fn the_counter_rolls_into_the_next_millisecond_instead_of_overflowing() {
        let device = DeviceId::new();
        let clock = Clock::new(device, Some(Hlc { millis: frozen(), counter: COUNTER_MAX, device }), frozen);
        let next = clock.tick();
        assert_eq!((next.millis, next.counter), (frozen() + 1, 0));
    }

    #[test]
    fn parse_rejects_non_canonical_forms() {
        let device = DeviceId::new();
        let good = Hlc { millis: 5, counter: 1, device }.to_string();
        assert!(good.parse::<Hlc>().is_ok());
        for bad in ["", "5-1-x", &good.to_uppercase(), &good.replacen("-", "+", 1), &format!("{}0", good)] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad:?} should be refused");
        }
    }

    fn any_hlc() -> impl Strategy<Value = Hlc> {
        (0u64..10_000_000_000_000_000, 0u32..=COUNTER_MAX, any::<u128>()).prop_map(|(millis, counter, id)| Hlc {
            millis,
            counter,
            device: DeviceId(uuid::Uuid::from_u128(id)),
        })
    }

    proptest! {
        #[test]
        fn string_order_is_clock_order(a in any_hlc(), b in any_hlc()) {
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
            prop_assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".{0,80}") {
            let _ = s.parse::<Hlc>();
        }
    }
}
