//! Hybrid logical clock (HLC): a timestamp that follows the wall clock but
//! never goes backwards and always moves past every timestamp it has seen,
//! so events from several counters can be put in one causal order.
//!
//! A timestamp is (physical milliseconds since the Unix epoch, logical
//! counter). Its text form, `0001764580000000-00000`, is fixed-width decimal:
//! sorting the texts sorts the timestamps (the central server stores them as
//! text). Ties between devices are broken by the change's id, not here.
//!
//! Pure: the caller gives the wall-clock time and persists the last
//! timestamp (the store keeps it in its database, so it survives restarts).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{CoreError, Result};

/// A received timestamp more than this far ahead of the local wall clock is
/// refused: a counter whose clock is a day wrong must not drag every other
/// one into its future.
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// One HLC timestamp. Ordered by (physical, logical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch.
    pub physical_ms: u64,
    pub logical: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc {
        physical_ms: 0,
        logical: 0,
    };

    /// The timestamp at a wall-clock instant, logical part 0.
    pub fn at(t: DateTime<Utc>) -> Hlc {
        Hlc {
            physical_ms: u64::try_from(t.timestamp_millis()).unwrap_or(0),
            logical: 0,
        }
    }

    /// The wall-clock instant of the physical part.
    pub fn instant(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(i64::try_from(self.physical_ms).unwrap_or(i64::MAX))
            .unwrap_or_default()
    }

    /// The next timestamp after `self` at wall-clock time `now` (a local
    /// event): the wall clock if it is ahead, else one logical step.
    pub fn tick(self, now: DateTime<Utc>) -> Hlc {
        let wall = Hlc::at(now).physical_ms;
        if wall > self.physical_ms {
            Hlc {
                physical_ms: wall,
                logical: 0,
            }
        } else {
            self.step()
        }
    }

    fn step(self) -> Hlc {
        match self.logical.checked_add(1) {
            Some(l) if l <= MAX_LOGICAL => Hlc {
                physical_ms: self.physical_ms,
                logical: l,
            },
            // The logical part is full: borrow the next millisecond.
            _ => Hlc {
                physical_ms: self.physical_ms + 1,
                logical: 0,
            },
        }
    }

    /// Absorbs a timestamp received from elsewhere at wall-clock `now`: the
    /// result is after both `self` and `received`. A timestamp more than a
    /// day ahead of `now` is refused ([`CoreError::HlcTooFarAhead`]).
    pub fn receive(self, received: Hlc, now: DateTime<Utc>) -> Result<Hlc> {
        let wall = Hlc::at(now).physical_ms;
        if received.physical_ms > wall.saturating_add(MAX_AHEAD_MS) {
            return Err(CoreError::HlcTooFarAhead {
                received: received.to_string(),
            });
        }
        let latest = self.max(received);
        Ok(if wall > latest.physical_ms {
            Hlc {
                physical_ms: wall,
                logical: 0,
            }
        } else {
            latest.step()
        })
    }
}

/// The text form keeps five digits for the logical part.
const MAX_LOGICAL: u32 = 99_999;

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016}-{:05}", self.physical_ms, self.logical)
    }
}

impl FromStr for Hlc {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Hlc> {
        let bad = || CoreError::InvalidHlc(s.chars().take(64).collect());
        let (p, l) = s.split_once('-').ok_or_else(bad)?;
        if p.len() != 16
            || l.len() != 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || !l.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        Ok(Hlc {
            physical_ms: p.parse().map_err(|_| bad())?,
            logical: l.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Hlc, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(ms).unwrap()
    }

    #[test]
    fn tick_follows_the_wall_clock_and_never_goes_back() {
        let a = Hlc::ZERO.tick(t(1_000));
        assert_eq!(
            a,
            Hlc {
                physical_ms: 1_000,
                logical: 0
            }
        );
        // The wall clock went back (NTP correction, restart): still forward.
        let b = a.tick(t(500));
        assert_eq!(
            b,
            Hlc {
                physical_ms: 1_000,
                logical: 1
            }
        );
        assert!(b > a);
        let c = b.tick(t(1_000));
        assert_eq!(c.logical, 2);
        assert_eq!(
            c.tick(t(2_000)),
            Hlc {
                physical_ms: 2_000,
                logical: 0
            }
        );
    }

    #[test]
    fn receive_moves_past_what_it_saw() {
        let local = Hlc {
            physical_ms: 1_000,
            logical: 3,
        };
        let got = Hlc {
            physical_ms: 5_000,
            logical: 7,
        };
        let after = local.receive(got, t(2_000)).unwrap();
        assert!(after > got && after > local);
        assert_eq!(
            after,
            Hlc {
                physical_ms: 5_000,
                logical: 8
            }
        );
        // The wall clock ahead of both wins.
        assert_eq!(
            local.receive(got, t(9_000)).unwrap(),
            Hlc {
                physical_ms: 9_000,
                logical: 0
            }
        );
    }

    #[test]
    fn a_timestamp_a_day_ahead_is_refused() {
        let now = t(1_764_580_000_000);
        let ahead = Hlc::at(now + chrono::Duration::hours(25));
        let e = Hlc::ZERO.receive(ahead, now).unwrap_err();
        assert_eq!(e.code(), "hlc_too_far_ahead");
        assert!(e.message_fr().contains("horloge"), "{}", e.message_fr());
        // Just under a day is accepted (clocks drift).
        let close = Hlc::at(now + chrono::Duration::hours(23));
        assert!(Hlc::ZERO.receive(close, now).is_ok());
    }

    #[test]
    fn a_full_logical_part_borrows_the_next_millisecond() {
        let full = Hlc {
            physical_ms: 10,
            logical: MAX_LOGICAL,
        };
        let next = full.tick(t(0));
        assert_eq!(
            next,
            Hlc {
                physical_ms: 11,
                logical: 0
            }
        );
        assert!(next.to_string() > full.to_string());
    }

    #[test]
    fn text_round_trips_and_rejects_garbage() {
        let h = Hlc {
            physical_ms: 1_764_580_000_123,
            logical: 42,
        };
        assert_eq!(h.to_string(), "0001764580000123-00042");
        assert_eq!(h.to_string().parse::<Hlc>().unwrap(), h);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), h);
        for bad in [
            "",
            "12-3",
            "0001764580000123-0004a",
            "x001764580000123-00042",
            "0001764580000123",
        ] {
            assert_eq!(
                bad.parse::<Hlc>().unwrap_err().code(),
                "invalid_hlc",
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn text_order_is_hlc_order(a in 0u64..10_000_000_000_000, la in 0u32..=MAX_LOGICAL,
                                   b in 0u64..10_000_000_000_000, lb in 0u32..=MAX_LOGICAL) {
            let x = Hlc { physical_ms: a, logical: la };
            let y = Hlc { physical_ms: b, logical: lb };
            prop_assert_eq!(x.cmp(&y), x.to_string().cmp(&y.to_string()));
        }

        #[test]
        fn a_clock_only_moves_forward(steps in proptest::collection::vec((0i64..5_000, any::<bool>(), 0u64..6_000, 0u32..10), 1..50)) {
            let mut clock = Hlc::ZERO;
            for (wall, is_receive, rp, rl) in steps {
                let next = if is_receive {
                    let got = Hlc { physical_ms: rp, logical: rl };
                    let n = clock.receive(got, t(wall)).unwrap();
                    prop_assert!(n > got);
                    n
                } else {
                    clock.tick(t(wall))
                };
                prop_assert!(next > clock);
                clock = next;
            }
        }
    }
}
