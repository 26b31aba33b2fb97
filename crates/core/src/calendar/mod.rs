//! A store's business calendar: weekly opening hours, exceptional closures,
//! French public holidays, in the store's time zone. Pure: no I/O, no clock.
//!
//! Every instant in and out is UTC (`DateTime<Utc>`); the arithmetic runs on
//! the store's local wall clock, then converts each opening range to UTC.
//! A working hour is therefore a real hour during which the store is open:
//! 9:30–19:00 is 9 h 30 on a daylight-saving day as on any other, and a
//! deadline counted across the change lands on the same local time it would
//! have without it.
//!
//! Store configuration (JSON or TOML):
//!
//! ```json
//! {
//!   "timezone": "Europe/Paris",
//!   "hours": {
//!     "monday": ["14:00-19:00"],
//!     "tuesday": ["09:30-12:30", "14:00-19:00"],
//!     "saturday": ["09:30-19:00"]
//!   },
//!   "closures": ["2026-08-17"],
//!   "alsace_moselle": false
//! }
//! ```
//!
//! A day missing from `hours` (or with an empty list) is closed. A store is
//! closed on public holidays and on its exceptional closures.

mod clock;
mod deadline;
pub mod holidays;
pub mod law;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CoreError, Result};

pub use clock::WorkingClock;
pub use deadline::{
    committed_deadline, deadline_status, merge_waits, CommittedDeadline, DeadlinePromise,
    DeadlineStatus, LegalCap, WaitInterval, WorkingTime, AT_RISK_MIN_WORKING_HOURS,
    AT_RISK_SHARE_PERCENT,
};
pub use holidays::{
    easter_sunday, french_public_holidays, is_legal_working_day, is_public_holiday,
    next_legal_working_day, next_legal_working_day_for, next_legal_working_day_in,
    public_holiday_name, public_holiday_name_in, public_holidays, HolidayRegion,
};

/// How far ahead (in days) the calendar looks for opening hours before it
/// gives up, so that no computation can loop forever.
pub const SCAN_HORIZON_DAYS: u32 = 366 * 20;

/// One opening range of a day, in local wall-clock time, written
/// `"09:30-12:30"` in the configuration. `open` is before `close`; a range
/// never spans midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(as = "String")]
pub struct TimeRange {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

impl TimeRange {
    /// A range from hours and minutes; `None` when a time is invalid or
    /// `close` is not after `open`.
    pub fn hm(open_h: u32, open_m: u32, close_h: u32, close_m: u32) -> Option<Self> {
        let open = NaiveTime::from_hms_opt(open_h, open_m, 0)?;
        let close = NaiveTime::from_hms_opt(close_h, close_m, 0)?;
        (open < close).then_some(TimeRange { open, close })
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.open.format("%H:%M"),
            self.close.format("%H:%M")
        )
    }
}

impl FromStr for TimeRange {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("plage horaire « {s} » : format attendu HH:MM-HH:MM"))?;
        let parse = |t: &str| {
            NaiveTime::from_str(t.trim())
                .map_err(|_| format!("plage horaire « {s} » : heure « {} » invalide", t.trim()))
        };
        Ok(TimeRange {
            open: parse(a)?,
            close: parse(b)?,
        })
    }
}

impl Serialize for TimeRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Opening ranges for each day of the week (local time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct WeeklyHours {
    pub monday: Vec<TimeRange>,
    pub tuesday: Vec<TimeRange>,
    pub wednesday: Vec<TimeRange>,
    pub thursday: Vec<TimeRange>,
    pub friday: Vec<TimeRange>,
    pub saturday: Vec<TimeRange>,
    pub sunday: Vec<TimeRange>,
}

impl WeeklyHours {
    pub fn day(&self, weekday: Weekday) -> &[TimeRange] {
        match weekday {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    pub fn day_mut(&mut self, weekday: Weekday) -> &mut Vec<TimeRange> {
        match weekday {
            Weekday::Mon => &mut self.monday,
            Weekday::Tue => &mut self.tuesday,
            Weekday::Wed => &mut self.wednesday,
            Weekday::Thu => &mut self.thursday,
            Weekday::Fri => &mut self.friday,
            Weekday::Sat => &mut self.saturday,
            Weekday::Sun => &mut self.sunday,
        }
    }

    /// The same ranges every day from Monday to Saturday, Sunday closed.
    pub fn monday_to_saturday(ranges: &[TimeRange]) -> Self {
        let mut w = WeeklyHours::default();
        for day in WEEK.iter().take(6) {
            *w.day_mut(*day) = ranges.to_vec();
        }
        w
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn weekday_fr(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

/// At most this many exceptional closure days in a calendar (the calendar's
/// whole horizon closed one day a week is about 1,100).
pub const MAX_CLOSURES: usize = 5_000;

/// A store's calendar as kept in its settings (JSON or TOML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// IANA time zone of the store (`Europe/Paris`, `America/Cayenne`…).
    pub timezone: String,
    /// Weekly opening hours in local time.
    pub hours: WeeklyHours,
    /// Exceptional closure days (inventory, works…), local dates.
    #[serde(default)]
    pub closures: Vec<NaiveDate>,
    /// The store is in Alsace-Moselle: Good Friday and 26 December are
    /// public holidays too. Kept for calendars written before
    /// `holiday_region`; the same as `"holiday_region": "alsace_moselle"`.
    #[serde(default)]
    pub alsace_moselle: bool,
    /// Whose public holidays the store keeps (`reunion`, `guyane`…). When
    /// absent: Alsace-Moselle if `alsace_moselle`, else the region of the
    /// time zone (`Indian/Reunion` → Réunion), else metropolitan France.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub holiday_region: Option<HolidayRegion>,
}

impl CalendarConfig {
    /// The holiday region in force (see `holiday_region`).
    pub fn effective_holiday_region(&self) -> HolidayRegion {
        match self.holiday_region {
            Some(r) => r,
            None if self.alsace_moselle => HolidayRegion::AlsaceMoselle,
            None => HolidayRegion::from_timezone(&self.timezone),
        }
    }
}

impl Default for CalendarConfig {
    /// For stores without a configuration: Europe/Paris, Monday to Saturday
    /// 9:30–19:00 without a lunch break, closed on Sunday and public holidays.
    fn default() -> Self {
        CalendarConfig {
            timezone: "Europe/Paris".to_owned(),
            hours: WeeklyHours::monday_to_saturday(&[default_range(9, 30, 19, 0)]),
            closures: Vec::new(),
            alsace_moselle: false,
            holiday_region: None,
        }
    }
}

impl CalendarConfig {
    /// The default calendar with a lunch break: Monday to Saturday
    /// 9:30–12:30 and 14:00–19:00.
    pub fn default_with_lunch_break() -> Self {
        CalendarConfig {
            hours: WeeklyHours::monday_to_saturday(&[
                default_range(9, 30, 12, 30),
                default_range(14, 0, 19, 0),
            ]),
            ..CalendarConfig::default()
        }
    }
}

fn default_range(oh: u32, om: u32, ch: u32, cm: u32) -> TimeRange {
    // Literal valid times: the fallback is never taken.
    TimeRange::hm(oh, om, ch, cm).unwrap_or(TimeRange {
        open: NaiveTime::MIN,
        close: NaiveTime::MIN,
    })
}

/// A validated calendar, ready to compute with. Build it with
/// [`BusinessCalendar::new`] from a [`CalendarConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    config: CalendarConfig,
    tz: Tz,
    closures: BTreeSet<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        let config = CalendarConfig::default();
        BusinessCalendar {
            tz: chrono_tz::Europe::Paris,
            closures: BTreeSet::new(),
            config,
        }
    }
}

impl BusinessCalendar {
    /// Checks the configuration: a known time zone, ranges that open before
    /// they close and do not overlap, and at least one opening range in the
    /// week (else [`CoreError::NoOpeningHours`]).
    pub fn new(config: CalendarConfig) -> Result<Self> {
        crate::bounds::check_short_text("timezone", &config.timezone)?;
        if config.closures.len() > MAX_CLOSURES {
            return Err(CoreError::TooMany {
                field: "closures",
                max: MAX_CLOSURES,
            });
        }
        for day in &config.closures {
            crate::bounds::check_date("closures", *day)?;
        }
        let tz: Tz = config
            .timezone
            .parse()
            .map_err(|_| CoreError::InvalidTimezone(config.timezone.clone()))?;
        let mut config = config;
        let mut any = false;
        for day in WEEK {
            let ranges = config.hours.day_mut(day);
            ranges.sort();
            for r in ranges.iter() {
                if r.open >= r.close {
                    return Err(CoreError::InvalidOpeningHours(format!(
                        "{} {r} : l'heure de fermeture doit suivre l'heure d'ouverture",
                        weekday_fr(day)
                    )));
                }
            }
            for pair in ranges.windows(2) {
                if pair[1].open < pair[0].close {
                    return Err(CoreError::InvalidOpeningHours(format!(
                        "{} : les plages {} et {} se chevauchent",
                        weekday_fr(day),
                        pair[0],
                        pair[1]
                    )));
                }
            }
            any |= !ranges.is_empty();
        }
        if !any {
            return Err(CoreError::NoOpeningHours);
        }
        let closures = config.closures.iter().copied().collect();
        Ok(BusinessCalendar {
            config,
            tz,
            closures,
        })
    }

    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The store's local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// A public holiday (with the store's Alsace-Moselle option), by name.
    pub fn public_holiday(&self, date: NaiveDate) -> Option<&'static str> {
        public_holiday_name_in(date, self.config.effective_holiday_region())
    }

    /// The legal rule (LAW.md): `date` itself if it is a working day, else
    /// the next day that is not a Saturday, Sunday or public holiday
    /// (with the store's Alsace-Moselle holidays). Opening hours play no part.
    pub fn next_legal_working_day(&self, date: NaiveDate) -> NaiveDate {
        next_legal_working_day_for(date, self.config.effective_holiday_region())
    }

    /// The store opens on `date`: it has opening hours that weekday, and the
    /// day is neither a public holiday nor an exceptional closure.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.config.hours.day(date.weekday()).is_empty()
            && !self.closures.contains(&date)
            && self.public_holiday(date).is_none()
    }

    /// The opening intervals of a local date, as UTC instants, in order.
    /// Empty on a closed day.
    pub fn opening_intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_business_day(date) {
            return Vec::new();
        }
        self.config
            .hours
            .day(date.weekday())
            .iter()
            .filter_map(|r| {
                let start = self.local_to_utc(date.and_time(r.open));
                let end = self.local_to_utc(date.and_time(r.close));
                (start < end).then_some((start, end))
            })
            .collect()
    }

    /// A local wall-clock time as a UTC instant. In the autumn overlap the
    /// first occurrence is taken; a time in the spring gap (it does not
    /// exist) moves to the first instant after the gap.
    pub fn local_to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
            LocalResult::None => {
                // Gaps are at most a few hours; step minute by minute.
                for minutes in 1..=24 * 60 {
                    let probe = local + TimeDelta::minutes(minutes);
                    if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                        return t.with_timezone(&Utc);
                    }
                }
                // Unreachable with real zone data: treat the time as UTC.
                local.and_utc()
            }
        }
    }

    /// Whether the store is open at this instant (opening included, closing
    /// excluded).
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        self.opening_intervals(self.local_date(at))
            .iter()
            .any(|(s, e)| *s <= at && at < *e)
    }

    /// Working time between two instants: the time the store is open in
    /// `[from, to)`. Zero when `to <= from`.
    pub fn working_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        let mut total = TimeDelta::zero();
        if to <= from {
            return total;
        }
        let last = self.local_date(to);
        let mut date = self.local_date(from);
        while date <= last {
            for (s, e) in self.opening_intervals(date) {
                let s = s.max(from);
                let e = e.min(to);
                if s < e {
                    total += e - s;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }

    /// The instant at which `hours` working hours have elapsed from `from`.
    /// Counting starts at the next opening when the store is closed at
    /// `from`; a count that ends exactly at a closing time returns that
    /// closing time.
    pub fn add_working_hours(&self, from: DateTime<Utc>, hours: u32) -> Result<DateTime<Utc>> {
        self.add_working_time(from, TimeDelta::hours(i64::from(hours)))
    }

    /// Like [`Self::add_working_hours`] with any positive duration. A zero or
    /// negative duration returns `from`.
    pub fn add_working_time(
        &self,
        from: DateTime<Utc>,
        amount: TimeDelta,
    ) -> Result<DateTime<Utc>> {
        if amount <= TimeDelta::zero() {
            return Ok(from);
        }
        let mut remaining = amount;
        let mut seen_opening = false;
        self.scan_days(self.local_date(from), |date| {
            for (s, e) in self.opening_intervals(date) {
                seen_opening = true;
                if e <= from {
                    continue;
                }
                let s = s.max(from);
                let available = e - s;
                if remaining <= available {
                    return Some(s + remaining);
                }
                remaining -= available;
            }
            None
        })
        .ok_or(if seen_opening {
            CoreError::DeadlineBeyondHorizon
        } else {
            CoreError::NoOpeningHours
        })
    }

    /// The closing time of the `days`-th full working day after `from`. A
    /// working day is *full* when the store opens on it at or after `from`:
    /// from Monday 10:00 the first one is Tuesday; from Monday 08:00 (before
    /// opening) it is Monday itself. Zero days returns `from`.
    pub fn add_working_days(&self, from: DateTime<Utc>, days: u32) -> Result<DateTime<Utc>> {
        if days == 0 {
            return Ok(from);
        }
        let mut count = 0;
        let mut seen_opening = false;
        self.scan_days(self.local_date(from), |date| {
            let intervals = self.opening_intervals(date);
            let (first, last) = (intervals.first()?, intervals.last()?);
            seen_opening = true;
            if first.0 >= from {
                count += 1;
                if count == days {
                    return Some(last.1);
                }
            }
            None
        })
        .ok_or(if seen_opening {
            CoreError::DeadlineBeyondHorizon
        } else {
            CoreError::NoOpeningHours
        })
    }

    /// The latest instant in `(after, at]` at which the store is open or
    /// just closing (a closing time counts), if any within the horizon.
    pub fn last_working_instant_at_or_before(
        &self,
        at: DateTime<Utc>,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut date = self.local_date(at);
        let stop = self.local_date(after);
        while date >= stop {
            for (s, e) in self.opening_intervals(date).into_iter().rev() {
                let candidate = e.min(at);
                if candidate >= s && candidate > after {
                    return Some(candidate);
                }
            }
            date = date.pred_opt()?;
        }
        None
    }

    /// Calls `visit` on each local date from `start` until it returns a
    /// value, for at most [`SCAN_HORIZON_DAYS`] days.
    fn scan_days<T>(
        &self,
        start: NaiveDate,
        mut visit: impl FnMut(NaiveDate) -> Option<T>,
    ) -> Option<T> {
        let mut date = start;
        for _ in 0..SCAN_HORIZON_DAYS {
            if let Some(found) = visit(date) {
                return Some(found);
            }
            date = date.checked_add_days(Days::new(1))?;
        }
        None
    }
}

#[cfg(test)]
mod tests;
