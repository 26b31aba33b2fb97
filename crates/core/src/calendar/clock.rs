//! Working time over many dossiers at once: the store's opening intervals
//! of a span of days, with running totals, so that the working time
//! between two instants is two binary searches instead of a walk over the
//! days (the dashboard counts it for every dossier of a period).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::deadline::{merge_waits, WaitInterval, WorkingTime};
use super::BusinessCalendar;

/// The opening intervals of the local dates `first..=last`, precomputed.
/// Instants outside that span are counted by the calendar itself, so the
/// answer is always the calendar's ([`BusinessCalendar::working_time_between`]).
#[derive(Debug, Clone)]
pub struct WorkingClock<'a> {
    calendar: &'a BusinessCalendar,
    /// Start of the span (local midnight of `first`), UTC.
    lo: DateTime<Utc>,
    /// End of the span (local midnight after `last`), UTC.
    hi: DateTime<Utc>,
    /// Opening intervals in time order, as milliseconds since the Unix
    /// epoch: starts and ends apart, so that the binary search reads a
    /// dense array of integers (the dashboard does two a dossier).
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// `before[i]`: working milliseconds of the intervals before interval `i`.
    before: Vec<i64>,
}

impl<'a> WorkingClock<'a> {
    /// The clock of the local dates `first..=last` (an empty span when
    /// `last < first`: every count then goes to the calendar).
    pub fn new(calendar: &'a BusinessCalendar, first: NaiveDate, last: NaiveDate) -> Self {
        let midnight = |d: NaiveDate| calendar.local_to_utc(d.and_time(chrono::NaiveTime::MIN));
        let lo = midnight(first);
        let hi = last.succ_opt().map(midnight).unwrap_or(lo).max(lo);
        let mut intervals = Vec::new();
        let mut date = first;
        while date <= last {
            intervals.extend(calendar.opening_intervals(date));
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        let starts: Vec<i64> = intervals
            .iter()
            .map(|(s, _)| s.timestamp_millis())
            .collect();
        let ends: Vec<i64> = intervals
            .iter()
            .map(|(_, e)| e.timestamp_millis())
            .collect();
        let mut before = Vec::with_capacity(intervals.len());
        let mut total = 0;
        for (s, e) in starts.iter().zip(&ends) {
            before.push(total);
            total += e - s;
        }
        WorkingClock {
            calendar,
            lo,
            hi,
            starts,
            ends,
            before,
        }
    }

    /// Working milliseconds from `lo` to `t` (`lo <= t <= hi`).
    fn elapsed(&self, t: DateTime<Utc>) -> i64 {
        let t = t.timestamp_millis();
        let i = self.starts.partition_point(|s| *s <= t);
        if i == 0 {
            return 0;
        }
        self.before[i - 1] + self.ends[i - 1].min(t) - self.starts[i - 1]
    }

    /// Working time in `[from, to)` minus the working time spent in the
    /// waits (each clipped to `[from, to)`): the clock of a dossier that
    /// stops while it waits for the customer.
    pub fn working_excluding(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        waits: &[WaitInterval],
    ) -> TimeDelta {
        let paused: TimeDelta = merge_waits(waits, from)
            .into_iter()
            .map(|(s, e)| self.working_between(s, e.min(to)))
            .sum();
        (self.working_between(from, to) - paused).max(TimeDelta::zero())
    }
}

impl WorkingTime for WorkingClock<'_> {
    fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        if from < self.lo || to > self.hi {
            return self.calendar.working_time_between(from, to);
        }
        TimeDelta::milliseconds(self.elapsed(to) - self.elapsed(from))
    }
}
