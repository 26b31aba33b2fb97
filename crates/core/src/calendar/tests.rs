//! Calendar and deadline tests. Instants are written in Paris local time
//! and checked in UTC too where daylight saving matters.
#![allow(clippy::unwrap_used)]

use super::*;
use chrono::{NaiveDate, TimeDelta};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A Paris wall-clock time ("2026-05-22 15:00") as UTC.
fn paris(s: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Monday to Saturday 9:30–19:00 (9 h 30 a day), Sunday closed.
fn default_cal() -> BusinessCalendar {
    BusinessCalendar::new(CalendarConfig::default()).unwrap()
}

/// Monday to Saturday 9:30–12:30 and 14:00–19:00 (8 h a day).
fn lunch_cal() -> BusinessCalendar {
    BusinessCalendar::new(CalendarConfig::default_with_lunch_break()).unwrap()
}

fn with_closures(closures: &[&str]) -> BusinessCalendar {
    BusinessCalendar::new(CalendarConfig {
        closures: closures.iter().map(|s| d(s)).collect(),
        ..CalendarConfig::default()
    })
    .unwrap()
}

fn hours(week: WeeklyHours) -> CalendarConfig {
    CalendarConfig {
        hours: week,
        ..CalendarConfig::default()
    }
}

// ---------------------------------------------------------------- config

#[test]
fn config_reads_the_documented_json_and_round_trips() {
    let json = r#"{
      "timezone": "Europe/Paris",
      "hours": {
        "monday": ["14:00-19:00"],
        "tuesday": ["14:00-19:00", "09:30-12:30"],
        "saturday": ["09:30-19:00"]
      },
      "closures": ["2026-08-17"],
      "alsace_moselle": true
    }"#;
    let config: CalendarConfig = serde_json::from_str(json).unwrap();
    assert_eq!(
        config.hours.monday,
        vec![TimeRange::hm(14, 0, 19, 0).unwrap()]
    );
    assert!(config.hours.sunday.is_empty() && config.hours.wednesday.is_empty());
    assert_eq!(config.closures, vec![d("2026-08-17")]);
    let back: CalendarConfig =
        serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(back, config);
    assert!(serde_json::to_string(&config)
        .unwrap()
        .contains(r#""monday":["14:00-19:00"]"#));

    let cal = BusinessCalendar::new(config).unwrap();
    // Ranges are sorted on load.
    assert_eq!(
        cal.config().hours.tuesday,
        vec![
            TimeRange::hm(9, 30, 12, 30).unwrap(),
            TimeRange::hm(14, 0, 19, 0).unwrap()
        ]
    );
    assert!(!cal.is_business_day(d("2026-08-17")), "closure (a Monday)");
    assert!(cal.is_business_day(d("2026-08-24")));
    assert!(
        !cal.is_business_day(d("2026-12-26")),
        "Alsace-Moselle, Saturday"
    );
    assert!(
        !cal.is_business_day(d("2026-08-19")),
        "no hours on Wednesday"
    );

    // Minimal config: only the time zone and the hours are required.
    let minimal: CalendarConfig =
        serde_json::from_str(r#"{"timezone":"Europe/Paris","hours":{"friday":["10:00-18:00"]}}"#)
            .unwrap();
    assert!(minimal.closures.is_empty() && !minimal.alsace_moselle);
}

#[test]
fn bad_configs_are_refused_with_french_messages() {
    assert!(serde_json::from_str::<TimeRange>(r#""9h30 à 12h""#).is_err());
    assert!(serde_json::from_str::<TimeRange>(r#""25:00-26:00""#).is_err());

    let week = WeeklyHours {
        monday: vec![TimeRange {
            open: NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
            close: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
        }],
        ..WeeklyHours::default()
    };
    let err = BusinessCalendar::new(hours(week)).unwrap_err();
    assert_eq!(err.code(), "invalid_opening_hours");
    assert!(
        err.message_fr().contains("lundi 19:00-09:30"),
        "{}",
        err.message_fr()
    );

    let week = WeeklyHours {
        friday: vec![
            TimeRange::hm(9, 0, 13, 0).unwrap(),
            TimeRange::hm(12, 0, 18, 0).unwrap(),
        ],
        ..WeeklyHours::default()
    };
    let err = BusinessCalendar::new(hours(week)).unwrap_err();
    assert!(
        err.message_fr().contains("se chevauchent"),
        "{}",
        err.message_fr()
    );

    let err = BusinessCalendar::new(CalendarConfig {
        timezone: "Europe/Lutece".into(),
        ..CalendarConfig::default()
    })
    .unwrap_err();
    assert_eq!(err, CoreError::InvalidTimezone("Europe/Lutece".into()));
    assert!(err.message_fr().contains("Fuseau horaire inconnu"));
}

#[test]
fn a_store_without_opening_hours_is_a_clear_error() {
    let err = BusinessCalendar::new(hours(WeeklyHours::default())).unwrap_err();
    assert_eq!(err, CoreError::NoOpeningHours);
    assert_eq!(err.code(), "no_opening_hours");
    assert!(err.message_fr().contains("Aucun horaire d'ouverture"));
}

#[test]
fn a_store_closed_for_ever_errors_instead_of_looping() {
    // Open on Mondays only, and every Monday of the next 21 years closed.
    let week = WeeklyHours {
        monday: vec![TimeRange::hm(9, 0, 12, 0).unwrap()],
        ..WeeklyHours::default()
    };
    let mut closures = Vec::new();
    let mut monday = d("2026-05-18");
    while monday.year() < 2048 {
        closures.push(monday);
        monday = monday + Days::new(7);
    }
    let cal = BusinessCalendar::new(CalendarConfig {
        closures,
        ..hours(week)
    })
    .unwrap();
    let from = paris("2026-05-18 08:00");
    assert_eq!(
        cal.add_working_hours(from, 1),
        Err(CoreError::NoOpeningHours)
    );
    assert_eq!(
        cal.add_working_days(from, 1),
        Err(CoreError::NoOpeningHours)
    );
}

#[test]
fn an_absurd_promise_errors_instead_of_looping() {
    let cal = default_cal();
    let err = cal
        .add_working_hours(paris("2026-05-19 10:00"), u32::MAX)
        .unwrap_err();
    assert_eq!(err, CoreError::DeadlineBeyondHorizon);
    assert!(!err.message_fr().is_empty());
}

#[test]
fn default_calendar() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal, default_cal());
    assert_eq!(cal.timezone(), chrono_tz::Europe::Paris);
    for (date, open) in [
        ("2026-05-18", true),  // Monday
        ("2026-05-23", true),  // Saturday
        ("2026-05-24", false), // Sunday
        ("2026-05-25", false), // Whit Monday
        ("2026-07-14", false),
        ("2026-12-26", true), // Saturday, not a holiday outside Alsace-Moselle
    ] {
        assert_eq!(cal.is_business_day(d(date)), open, "{date}");
    }
    assert_eq!(
        cal.working_time_between(paris("2026-05-18 00:00"), paris("2026-05-25 00:00")),
        TimeDelta::minutes(6 * 570)
    );
}

// ---------------------------------------------------------------- is_open_at

#[test]
fn is_open_at_follows_ranges_holidays_and_closures() {
    let cal = lunch_cal();
    let cases = [
        ("2026-05-19 09:29", false),
        ("2026-05-19 09:30", true), // opening included
        ("2026-05-19 12:29", true),
        ("2026-05-19 12:30", false), // closing excluded
        ("2026-05-19 13:59", false),
        ("2026-05-19 14:00", true),
        ("2026-05-19 18:59", true),
        ("2026-05-19 19:00", false),
        ("2026-05-19 23:30", false),
        ("2026-05-24 11:00", false), // Sunday
        ("2026-05-25 11:00", false), // Whit Monday
        ("2026-05-23 11:00", true),  // Saturday
    ];
    for (at, open) in cases {
        assert_eq!(cal.is_open_at(paris(at)), open, "{at}");
    }
    let closed = with_closures(&["2026-05-20"]);
    assert!(!closed.is_open_at(paris("2026-05-20 11:00")));
    assert!(closed.is_open_at(paris("2026-05-21 11:00")));
}

#[test]
fn is_open_at_uses_the_local_offset_of_the_day() {
    let cal = default_cal();
    // Winter (UTC+1): opens 08:30Z. Summer (UTC+2): opens 07:30Z.
    let cases = [
        ("2026-03-27T08:29:00Z", false),
        ("2026-03-27T08:30:00Z", true),
        ("2026-03-30T07:29:00Z", false),
        ("2026-03-30T07:30:00Z", true),
        ("2026-03-30T16:59:00Z", true),
        ("2026-03-30T17:00:00Z", false),
        ("2026-10-26T08:30:00Z", true),
        ("2026-10-26T07:30:00Z", false),
    ];
    for (at, open) in cases {
        assert_eq!(cal.is_open_at(utc(at)), open, "{at}");
    }
}

// ---------------------------------------------------------------- working hours

#[test]
fn add_working_hours_table() {
    let default = default_cal();
    let lunch = lunch_cal();
    let closure = with_closures(&["2026-05-20"]);
    // (calendar, from (Paris), hours, expected (Paris), why)
    let cases: &[(&BusinessCalendar, &str, u32, &str, &str)] = &[
        (&default, "2026-05-19 10:00", 0, "2026-05-19 10:00", "zero"),
        (
            &default,
            "2026-05-19 10:00",
            8,
            "2026-05-19 18:00",
            "same day",
        ),
        (
            &default,
            "2026-05-19 18:00",
            1,
            "2026-05-19 19:00",
            "ends at closing",
        ),
        (
            &default,
            "2026-05-19 19:00",
            1,
            "2026-05-20 10:30",
            "from closing",
        ),
        (
            &default,
            "2026-05-19 22:00",
            1,
            "2026-05-20 10:30",
            "opened at night",
        ),
        (
            &default,
            "2026-05-20 03:00",
            1,
            "2026-05-20 10:30",
            "early morning",
        ),
        (
            &default,
            "2026-05-17 10:00",
            2,
            "2026-05-18 11:30",
            "opened on Sunday",
        ),
        // Friday 15:00 + 48 h: Fri 4, Sat 9.5, (Sun, Whit Monday closed),
        // Tue 9.5, Wed 9.5, Thu 9.5 = 42, Fri 9:30 + 6 h.
        (
            &default,
            "2026-05-22 15:00",
            48,
            "2026-05-29 15:30",
            "Whit Monday weekend",
        ),
        // Same with a lunch break: 4 + 8 + 8 + 8 + 8 + 8 = 44, Sat 9:30 + 4 h
        // of which 3 before lunch.
        (
            &lunch,
            "2026-05-22 15:00",
            48,
            "2026-05-30 15:00",
            "lunch break",
        ),
        (
            &lunch,
            "2026-05-19 12:00",
            1,
            "2026-05-19 14:30",
            "across lunch",
        ),
        (
            &lunch,
            "2026-05-19 13:00",
            1,
            "2026-05-19 15:00",
            "opened at lunch",
        ),
        // Exceptional closure on Wednesday 20.
        (
            &closure,
            "2026-05-19 18:00",
            2,
            "2026-05-21 10:30",
            "exceptional closure",
        ),
        (
            &default,
            "2026-05-19 18:00",
            2,
            "2026-05-20 10:30",
            "same without closure",
        ),
        // Daylight saving starts Sunday 2026-03-29: Sat 17–19 is 2 h, Monday
        // 9:30 + 2 h is 11:30 local — not 10:30 or 12:30.
        (
            &default,
            "2026-03-28 17:00",
            4,
            "2026-03-30 11:30",
            "spring DST",
        ),
        (
            &default,
            "2026-03-27 10:00",
            20,
            "2026-03-30 11:00",
            "spring DST, long",
        ),
        // Daylight saving ends Sunday 2026-10-25.
        (
            &default,
            "2026-10-24 17:00",
            4,
            "2026-10-26 11:30",
            "autumn DST",
        ),
        (
            &default,
            "2026-10-23 10:00",
            20,
            "2026-10-26 11:00",
            "autumn DST, long",
        ),
    ];
    for &(cal, from, h, expected, why) in cases {
        let got = cal.add_working_hours(paris(from), h).unwrap();
        assert_eq!(got, paris(expected), "{why}: {from} + {h} h");
        if h > 0 {
            assert_eq!(
                cal.working_time_between(paris(from), got),
                TimeDelta::hours(i64::from(h)),
                "{why}: working time between"
            );
        }
    }
}

#[test]
fn dst_deadlines_in_utc() {
    let cal = default_cal();
    // The same local results, checked in UTC so an offset slip shows.
    assert_eq!(
        cal.add_working_hours(paris("2026-03-28 17:00"), 4).unwrap(),
        utc("2026-03-30T09:30:00Z")
    );
    assert_eq!(
        cal.add_working_hours(paris("2026-10-24 17:00"), 4).unwrap(),
        utc("2026-10-26T10:30:00Z")
    );
    // Opened Saturday 18:00 winter time (17:00Z), 1 h left on Saturday.
    assert_eq!(
        cal.add_working_hours(utc("2026-03-28T17:00:00Z"), 3)
            .unwrap(),
        utc("2026-03-30T09:30:00Z")
    );
}

#[test]
fn working_hours_are_real_hours_on_the_night_of_the_change() {
    // A (strange) store open on Sunday 01:00–05:00 only: the spring night
    // has 3 real hours in that range, the autumn night 5, others 4.
    let week = WeeklyHours {
        sunday: vec![TimeRange::hm(1, 0, 5, 0).unwrap()],
        ..WeeklyHours::default()
    };
    let cal = BusinessCalendar::new(hours(week)).unwrap();
    let day = |date: &str| {
        cal.working_time_between(
            paris(&format!("{date} 00:00")),
            paris(&format!("{date} 12:00")),
        )
    };
    assert_eq!(day("2026-03-22"), TimeDelta::hours(4));
    assert_eq!(day("2026-03-29"), TimeDelta::hours(3));
    assert_eq!(day("2026-10-25"), TimeDelta::hours(5));
    // 4 h from Saturday: 3 h on 29 March, then 1 h on 5 April.
    assert_eq!(
        cal.add_working_hours(paris("2026-03-28 12:00"), 4).unwrap(),
        utc("2026-04-05T00:00:00Z") // 02:00 summer time
    );
    assert!(cal.is_open_at(utc("2026-03-29T00:30:00Z"))); // 01:30 winter time
    assert!(cal.is_open_at(utc("2026-03-29T01:30:00Z"))); // 03:30 summer time
    assert!(!cal.is_open_at(utc("2026-03-29T03:00:00Z"))); // 05:00 summer time
}

#[test]
fn local_times_in_the_gap_or_the_overlap() {
    let cal = default_cal();
    let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    // 02:30 does not exist on 29 March: first instant after the gap (03:00 CEST).
    assert_eq!(
        cal.local_to_utc(local("2026-03-29 02:30")),
        utc("2026-03-29T01:00:00Z")
    );
    // 02:30 happens twice on 25 October: the first one (CEST).
    assert_eq!(
        cal.local_to_utc(local("2026-10-25 02:30")),
        utc("2026-10-25T00:30:00Z")
    );

    let week = WeeklyHours {
        sunday: vec![TimeRange::hm(2, 30, 3, 30).unwrap()],
        ..WeeklyHours::default()
    };
    let cal = BusinessCalendar::new(hours(week)).unwrap();
    assert_eq!(
        cal.opening_intervals(d("2026-03-29")),
        vec![(utc("2026-03-29T01:00:00Z"), utc("2026-03-29T01:30:00Z"))]
    );
}

// ---------------------------------------------------------------- working days

#[test]
fn add_working_days_table() {
    let default = default_cal();
    let lunch = lunch_cal();
    let cases: &[(&BusinessCalendar, &str, u32, &str, &str)] = &[
        (&default, "2026-05-19 10:00", 0, "2026-05-19 10:00", "zero"),
        (
            &default,
            "2026-05-19 10:00",
            2,
            "2026-05-21 19:00",
            "Tuesday not full",
        ),
        (
            &default,
            "2026-05-19 08:00",
            2,
            "2026-05-20 19:00",
            "before opening: full",
        ),
        (
            &default,
            "2026-05-19 09:30",
            1,
            "2026-05-19 19:00",
            "at opening: full",
        ),
        (
            &default,
            "2026-05-19 22:00",
            1,
            "2026-05-20 19:00",
            "at night",
        ),
        (
            &default,
            "2026-05-17 11:00",
            1,
            "2026-05-18 19:00",
            "on Sunday",
        ),
        (
            &default,
            "2026-05-22 15:00",
            3,
            "2026-05-27 19:00",
            "Whit Monday skipped",
        ),
        (
            &lunch,
            "2026-05-19 13:00",
            1,
            "2026-05-20 19:00",
            "last closing",
        ),
        (
            &default,
            "2026-03-28 10:00",
            1,
            "2026-03-30 19:00",
            "spring DST",
        ),
        (
            &default,
            "2026-10-25 10:00",
            1,
            "2026-10-26 19:00",
            "autumn DST",
        ),
    ];
    for &(cal, from, n, expected, why) in cases {
        assert_eq!(
            cal.add_working_days(paris(from), n).unwrap(),
            paris(expected),
            "{why}: {from} + {n} days"
        );
    }
    assert_eq!(
        default
            .add_working_days(paris("2026-03-28 10:00"), 1)
            .unwrap(),
        utc("2026-03-30T17:00:00Z")
    );
    let closure = with_closures(&["2026-05-20"]);
    assert_eq!(
        closure
            .add_working_days(paris("2026-05-19 10:00"), 1)
            .unwrap(),
        paris("2026-05-21 19:00")
    );
}

#[test]
fn calendar_next_legal_working_day_ignores_opening_hours() {
    let cal = lunch_cal();
    // Saturday is a store day but not a legal working day.
    assert_eq!(cal.next_legal_working_day(d("2026-05-23")), d("2026-05-26"));
    let alsace = BusinessCalendar::new(CalendarConfig {
        alsace_moselle: true,
        ..CalendarConfig::default()
    })
    .unwrap();
    assert_eq!(
        alsace.next_legal_working_day(d("2025-12-26")),
        d("2025-12-29")
    );
    assert_eq!(cal.next_legal_working_day(d("2025-12-26")), d("2025-12-26"));
}

// ---------------------------------------------------------------- committed deadline

fn wait(from: &str, to: &str) -> WaitInterval {
    WaitInterval {
        start: paris(from),
        end: paris(to),
    }
}

#[test]
fn committed_deadline_table() {
    let cal = default_cal();
    let wh = DeadlinePromise::WorkingHours;
    // (opened, promise, waits, expected promised_at, paused minutes, why)
    type Case = (
        &'static str,
        DeadlinePromise,
        Vec<WaitInterval>,
        &'static str,
        i64,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "2026-05-22 15:00",
            wh(48),
            vec![],
            "2026-05-29 15:30",
            0,
            "plain",
        ),
        (
            "2026-05-19 10:00",
            wh(8),
            vec![wait("2026-05-19 11:00", "2026-05-19 14:00")],
            "2026-05-20 11:30",
            180,
            "3 working hours waiting move 18:00 to next day 11:30",
        ),
        (
            "2026-05-19 10:00",
            wh(8),
            vec![
                wait("2026-05-19 11:00", "2026-05-19 13:00"),
                wait("2026-05-19 12:00", "2026-05-19 14:00"),
            ],
            "2026-05-20 11:30",
            180,
            "overlapping waits count once",
        ),
        (
            "2026-05-16 10:00",
            wh(16),
            vec![wait("2026-05-16 18:00", "2026-05-18 10:00")],
            "2026-05-18 18:00",
            90,
            "a wait over Sunday only counts its working time",
        ),
        (
            "2026-05-19 10:00",
            wh(8),
            vec![wait("2026-05-19 18:30", "2026-05-20 12:00")],
            "2026-05-19 18:00",
            0,
            "a wait after the deadline changes nothing",
        ),
        (
            "2026-05-19 10:00",
            wh(8),
            vec![wait("2026-05-18 10:00", "2026-05-19 11:00")],
            "2026-05-19 19:00",
            60,
            "a wait before opening is clipped",
        ),
        (
            "2026-05-19 10:00",
            wh(8),
            vec![wait("2026-05-19 14:00", "2026-05-19 11:00")],
            "2026-05-19 18:00",
            0,
            "an inverted wait is ignored",
        ),
        (
            "2026-05-19 10:00",
            wh(8),
            vec![wait("2026-05-19 17:00", "2026-05-21 10:00")],
            "2026-05-21 11:00",
            (2 * 60) + 570 + 30,
            "a wait past the original deadline: resumes with 1 h left",
        ),
    ];
    for (opened, promise, waits, expected, paused, why) in cases {
        let got = committed_deadline(paris(opened), promise, &waits, None, &cal).unwrap();
        assert_eq!(got.promised_at, paris(expected), "{why}");
        assert_eq!(got.uncapped_at, got.promised_at, "{why}");
        assert!(!got.capped && got.legal_cap_at.is_none(), "{why}");
        assert_eq!(got.paused, TimeDelta::minutes(paused), "{why}");
    }
}

#[test]
fn committed_deadline_never_exceeds_the_legal_cap() {
    let cal = default_cal();
    let glc = Some(LegalCap::ConformityGuarantee);
    assert_eq!(LegalCap::ConformityGuarantee.max_calendar_days(), 30);

    // 40 working days from Tuesday 19 May is mid-July: capped at
    // Thursday 18 June 10:00, when the store is open.
    let got = committed_deadline(
        paris("2026-05-19 10:00"),
        DeadlinePromise::WorkingDays(40),
        &[],
        glc,
        &cal,
    )
    .unwrap();
    assert!(got.capped);
    assert_eq!(got.legal_cap_at, Some(paris("2026-06-18 10:00")));
    assert_eq!(got.promised_at, paris("2026-06-18 10:00"));
    assert!(got.uncapped_at > got.promised_at);

    // The cap falls on Sunday 21 June: the last closing before it.
    let got = committed_deadline(
        paris("2026-05-22 10:00"),
        DeadlinePromise::WorkingDays(40),
        &[],
        glc,
        &cal,
    )
    .unwrap();
    assert!(got.capped);
    assert_eq!(got.legal_cap_at, Some(paris("2026-06-21 10:00")));
    assert_eq!(got.promised_at, paris("2026-06-20 19:00"));

    // A short promise is not capped, but the ceiling is reported.
    let got = committed_deadline(
        paris("2026-05-22 15:00"),
        DeadlinePromise::WorkingHours(48),
        &[],
        glc,
        &cal,
    )
    .unwrap();
    assert!(!got.capped);
    assert_eq!(got.promised_at, paris("2026-05-29 15:30"));
    assert_eq!(got.legal_cap_at, Some(paris("2026-06-21 15:00")));

    // Waiting for the customer does not move the legal ceiling.
    let got = committed_deadline(
        paris("2026-05-19 10:00"),
        DeadlinePromise::WorkingHours(48),
        &[wait("2026-05-19 11:00", "2026-06-30 10:00")],
        glc,
        &cal,
    )
    .unwrap();
    assert!(got.capped);
    assert_eq!(got.promised_at, paris("2026-06-18 10:00"));

    // Across the spring change the cap keeps the local time (30 calendar
    // days, not 720 hours).
    let got = committed_deadline(
        paris("2026-03-10 10:00"),
        DeadlinePromise::WorkingDays(60),
        &[],
        glc,
        &cal,
    )
    .unwrap();
    assert_eq!(got.legal_cap_at, Some(utc("2026-04-09T08:00:00Z")));
    assert_eq!(got.promised_at, paris("2026-04-09 10:00"));
}

#[test]
fn committed_deadline_propagates_calendar_errors() {
    let cal = default_cal();
    assert_eq!(
        committed_deadline(
            paris("2026-05-19 10:00"),
            DeadlinePromise::WorkingHours(u32::MAX),
            &[],
            None,
            &cal
        ),
        Err(CoreError::DeadlineBeyondHorizon)
    );
}

#[test]
fn promise_labels_and_serde() {
    assert_eq!(
        DeadlinePromise::WorkingHours(48).label_fr(),
        "48 heures ouvrées"
    );
    assert_eq!(DeadlinePromise::WorkingDays(1).label_fr(), "1 jour ouvré");
    assert_eq!(
        serde_json::to_string(&DeadlinePromise::WorkingDays(5)).unwrap(),
        r#"{"unit":"working_days","count":5}"#
    );
    let cd = committed_deadline(
        paris("2026-05-19 10:00"),
        DeadlinePromise::WorkingHours(8),
        &[wait("2026-05-19 11:00", "2026-05-19 14:00")],
        None,
        &default_cal(),
    )
    .unwrap();
    let json = serde_json::to_string(&cd).unwrap();
    assert!(json.contains(r#""paused":10800"#), "{json}");
    assert_eq!(
        serde_json::from_str::<CommittedDeadline>(&json).unwrap(),
        cd
    );
}

// ---------------------------------------------------------------- status

#[test]
fn deadline_status_table() {
    let cal = default_cal();
    // 48 working hours from Tuesday 19 May 10:00: Tue 9, Wed 9.5, Thu 9.5,
    // Fri 9.5, Sat 9.5 = 47, Whit Monday closed, Tuesday 26 9:30 + 1 h.
    let opened = paris("2026-05-19 10:00");
    let promised = cal.add_working_hours(opened, 48).unwrap();
    assert_eq!(promised, paris("2026-05-26 10:30"));
    // At risk under max(25 % of 48 h = 12 h, 4 h) = 12 working hours left.
    let cases = [
        ("2026-05-19 10:00", DeadlineStatus::OnTime, "at intake"),
        ("2026-05-22 12:00", DeadlineStatus::OnTime, "17.5 h left"),
        ("2026-05-22 09:30", DeadlineStatus::OnTime, "20 h left"),
        (
            "2026-05-22 17:30",
            DeadlineStatus::OnTime,
            "12 h left exactly",
        ),
        (
            "2026-05-22 17:31",
            DeadlineStatus::AtRisk,
            "just under 12 h",
        ),
        ("2026-05-22 19:00", DeadlineStatus::AtRisk, "10.5 h left"),
        (
            "2026-05-24 15:00",
            DeadlineStatus::AtRisk,
            "Sunday, 1 h left",
        ),
        ("2026-05-26 10:30", DeadlineStatus::AtRisk, "due now"),
        ("2026-05-26 10:31", DeadlineStatus::Late, "past due"),
    ];
    for (now, expected, why) in cases {
        assert_eq!(
            deadline_status(paris(now), opened, promised, &cal),
            expected,
            "{why}"
        );
    }
    // A short promise: the 4-hour floor rules.
    let opened = paris("2026-05-19 10:00");
    let promised = paris("2026-05-19 18:00"); // 8 h
    assert_eq!(
        deadline_status(paris("2026-05-19 13:59"), opened, promised, &cal),
        DeadlineStatus::OnTime
    );
    assert_eq!(
        deadline_status(paris("2026-05-19 14:01"), opened, promised, &cal),
        DeadlineStatus::AtRisk
    );
}

#[test]
fn deadline_status_labels_and_codes() {
    let expected = [
        (DeadlineStatus::OnTime, "on_time", "Dans les temps"),
        (DeadlineStatus::AtRisk, "at_risk", "À risque"),
        (DeadlineStatus::Late, "late", "En retard"),
    ];
    assert_eq!(DeadlineStatus::ALL.len(), expected.len());
    for (s, code, label) in expected {
        assert_eq!(s.code(), code);
        assert_eq!(s.label_fr(), label);
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{code}\""));
    }
}
