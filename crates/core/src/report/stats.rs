//! Medians and percentiles of durations.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The `p`-th percentile (0 < p <= 100) of sorted values by the
/// nearest-rank method: the smallest value with at least `p` % of the
/// values at or below it (`values[ceil(p × n / 100) − 1]`). Always one of
/// the values, never an interpolation. `None` for no values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() || p == 0 || p > 100 {
        return None;
    }
    let n = sorted.len();
    let rank = (n * p as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Durations in working seconds of the store's calendar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DurationStats {
    /// How many dossiers the figures are over.
    pub count: u32,
    /// Median (nearest rank), in working seconds.
    pub median_seconds: Option<i64>,
    /// 90th percentile (nearest rank), in working seconds.
    pub p90_seconds: Option<i64>,
}

impl DurationStats {
    pub fn of(mut seconds: Vec<i64>) -> Self {
        seconds.sort_unstable();
        DurationStats {
            count: u32::try_from(seconds.len()).unwrap_or(u32::MAX),
            median_seconds: percentile(&seconds, 50),
            p90_seconds: percentile(&seconds, 90),
        }
    }
}
