//! The committed deadline of a dossier and how it is watched.

use chrono::{DateTime, Days, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::law::GLC_REMEDY_MAX_CALENDAR_DAYS;
use super::BusinessCalendar;
use crate::Result;

/// What the store promises at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "unit", content = "count", rename_all = "snake_case")]
#[ts(export)]
pub enum DeadlinePromise {
    /// This many hours during which the store is open ("48 heures ouvrées").
    WorkingHours(u32),
    /// Until closing time of the N-th full working day after intake
    /// ("5 jours ouvrés").
    WorkingDays(u32),
}

impl DeadlinePromise {
    /// "48 heures ouvrées", "1 jour ouvré".
    pub fn label_fr(self) -> String {
        match self {
            DeadlinePromise::WorkingHours(1) => "1 heure ouvrée".to_owned(),
            DeadlinePromise::WorkingHours(n) => format!("{n} heures ouvrées"),
            DeadlinePromise::WorkingDays(1) => "1 jour ouvré".to_owned(),
            DeadlinePromise::WorkingDays(n) => format!("{n} jours ouvrés"),
        }
    }
}

/// A legal ceiling on the committed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LegalCap {
    /// Legal conformity guarantee: the remedy is due within
    /// [`GLC_REMEDY_MAX_CALENDAR_DAYS`] calendar days of the request.
    ConformityGuarantee,
}

impl LegalCap {
    /// Calendar days allowed after the request.
    pub fn max_calendar_days(self) -> u64 {
        match self {
            LegalCap::ConformityGuarantee => GLC_REMEDY_MAX_CALENDAR_DAYS,
        }
    }

    /// The article the cap comes from, for the printed explanation.
    pub fn article(self) -> &'static str {
        match self {
            LegalCap::ConformityGuarantee => super::law::GLC_REMEDY_ARTICLE,
        }
    }
}

/// A period during which the dossier waited for the customer (an answer to
/// a quote, a missing accessory…). An ongoing wait is passed with
/// `end = now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WaitInterval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The deadline printed on the intake ticket and watched afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CommittedDeadline {
    /// The committed deadline: the promise, moved by the waits, never later
    /// than the legal cap.
    pub promised_at: DateTime<Utc>,
    /// What the promise alone (with the waits) would have given.
    pub uncapped_at: DateTime<Utc>,
    /// The legal ceiling, when one applies to this dossier.
    pub legal_cap_at: Option<DateTime<Utc>>,
    /// The legal ceiling brought the deadline forward.
    pub capped: bool,
    /// Working time added because the dossier waited for the customer.
    #[ts(type = "number")]
    #[serde(with = "seconds")]
    pub paused: TimeDelta,
}

mod seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeDelta, D::Error> {
        Ok(TimeDelta::seconds(i64::deserialize(d)?))
    }
}

/// Computes the committed deadline of a dossier.
///
/// 1. The promise is counted on the store's calendar from `opened_at`
///    (from the next opening when the store is closed).
/// 2. Each wait for the customer that starts before the running deadline
///    moves it by the *working* time spent waiting (a wait over a weekend
///    moves nothing: the clock was stopped anyway). Waits before
///    `opened_at` are clipped; empty or inverted ones are ignored.
/// 3. With a legal cap, the deadline is never later than `opened_at` plus
///    the cap's calendar days (same local time). Waits do not move the cap:
///    the law counts from the request. When the cap falls while the store is
///    closed, the deadline is the last closing time before it, so the
///    customer can actually collect the product in time.
pub fn committed_deadline(
    opened_at: DateTime<Utc>,
    promise: DeadlinePromise,
    waits: &[WaitInterval],
    cap: Option<LegalCap>,
    calendar: &BusinessCalendar,
) -> Result<CommittedDeadline> {
    let mut deadline = match promise {
        DeadlinePromise::WorkingHours(h) => calendar.add_working_hours(opened_at, h)?,
        DeadlinePromise::WorkingDays(d) => calendar.add_working_days(opened_at, d)?,
    };

    let mut paused = TimeDelta::zero();
    for (s, e) in merge_waits(waits, opened_at) {
        if s >= deadline {
            break;
        }
        let spent = calendar.working_time_between(s, e);
        paused += spent;
        deadline = calendar.add_working_time(deadline, spent)?;
    }

    let legal_cap_at = cap.map(|cap| {
        let local = opened_at.with_timezone(&calendar.timezone()).naive_local();
        let limit = local
            .checked_add_days(Days::new(cap.max_calendar_days()))
            .unwrap_or(local);
        calendar.local_to_utc(limit)
    });
    let (promised_at, capped) = match legal_cap_at {
        Some(limit) if deadline > limit => (
            calendar
                .last_working_instant_at_or_before(limit, opened_at)
                .unwrap_or(limit),
            true,
        ),
        _ => (deadline, false),
    };
    Ok(CommittedDeadline {
        promised_at,
        uncapped_at: deadline,
        legal_cap_at,
        capped,
        paused,
    })
}

/// The waits as disjoint intervals in time order: each clipped to start no
/// earlier than `from`, empty or inverted ones dropped, overlapping ones
/// merged. The same pauses stop the deadline and the report's clocks.
pub fn merge_waits(
    waits: &[WaitInterval],
    from: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut waits: Vec<(DateTime<Utc>, DateTime<Utc>)> = waits
        .iter()
        .map(|w| (w.start.max(from), w.end))
        .filter(|(s, e)| s < e)
        .collect();
    waits.sort();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(waits.len());
    for (s, e) in waits {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Something that counts the working time between two instants: the
/// calendar itself, or a precomputed [`super::WorkingClock`] over a period.
pub trait WorkingTime {
    /// The time the store is open in `[from, to)`; zero when `to <= from`.
    fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta;
}

impl WorkingTime for BusinessCalendar {
    fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        self.working_time_between(from, to)
    }
}

/// How a dossier stands against its committed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeadlineStatus {
    OnTime,
    AtRisk,
    Late,
}

impl DeadlineStatus {
    pub const ALL: &'static [DeadlineStatus] = &[
        DeadlineStatus::OnTime,
        DeadlineStatus::AtRisk,
        DeadlineStatus::Late,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeadlineStatus::OnTime => "on_time",
            DeadlineStatus::AtRisk => "at_risk",
            DeadlineStatus::Late => "late",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            DeadlineStatus::OnTime => "Dans les temps",
            DeadlineStatus::AtRisk => "À risque",
            DeadlineStatus::Late => "En retard",
        }
    }
}

/// At risk when less than this share (in percent) of the promised working
/// time is left…
pub const AT_RISK_SHARE_PERCENT: i32 = 25;
/// …or less than this many working hours are left, whichever is larger.
pub const AT_RISK_MIN_WORKING_HOURS: i64 = 4;

/// Where an open dossier stands at `now`.
///
/// - **Late**: `now` is past `promised_at`.
/// - **At risk**: the working time left until `promised_at` is less than
///   [`AT_RISK_SHARE_PERCENT`] % of the working time between `opened_at` and
///   `promised_at`, or less than [`AT_RISK_MIN_WORKING_HOURS`] working hours.
///   A 48-hour promise turns at risk with 12 working hours left, a 8-hour one
///   with 4 left; a promise of less than 4 hours is at risk from the start.
/// - **On time** otherwise.
///
/// Only working time counts: nights, Sundays, holidays and closures neither
/// use up the time left nor count in the promise.
pub fn deadline_status(
    now: DateTime<Utc>,
    opened_at: DateTime<Utc>,
    promised_at: DateTime<Utc>,
    calendar: &impl WorkingTime,
) -> DeadlineStatus {
    if now > promised_at {
        return DeadlineStatus::Late;
    }
    let total = calendar.working_between(opened_at, promised_at);
    let left = calendar.working_between(now, promised_at);
    let threshold =
        (total * AT_RISK_SHARE_PERCENT / 100).max(TimeDelta::hours(AT_RISK_MIN_WORKING_HOURS));
    if left < threshold {
        DeadlineStatus::AtRisk
    } else {
        DeadlineStatus::OnTime
    }
}
