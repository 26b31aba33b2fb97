#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};

use super::*;
use crate::calendar::{BusinessCalendar, WaitInterval, WorkingClock, WorkingTime};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A local time in Paris (UTC+1 in November).
fn paris(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(2027, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn percentiles_by_nearest_rank() {
    let ten: Vec<i64> = (1..=10).collect();
    // (values, p, expected): rank = ceil(p × n / 100).
    let cases: &[(&[i64], u32, Option<i64>)] = &[
        (&ten, 50, Some(5)), // ceil(5.0) = 5th
        (&ten, 90, Some(9)), // ceil(9.0) = 9th
        (&ten, 100, Some(10)),
        (&[7], 50, Some(7)),
        (&[7], 90, Some(7)),
        (&[1, 2], 50, Some(1)),    // ceil(1.0) = 1st
        (&[1, 2], 90, Some(2)),    // ceil(1.8) = 2nd
        (&[1, 2, 3], 50, Some(2)), // ceil(1.5) = 2nd
        (&[], 50, None),
        (&ten, 0, None),
    ];
    for (values, p, expected) in cases {
        assert_eq!(percentile(values, *p), *expected, "{values:?} p{p}");
    }
    let stats = DurationStats::of(vec![30, 10, 20]);
    assert_eq!(stats.count, 3);
    assert_eq!(stats.median_seconds, Some(20));
    assert_eq!(stats.p90_seconds, Some(30));
    assert_eq!(DurationStats::of(Vec::new()), DurationStats::default());
}

/// (what, from, to, waits, expected working time)
type ClockCase = (
    &'static str,
    DateTime<Utc>,
    DateTime<Utc>,
    Vec<WaitInterval>,
    TimeDelta,
);

#[test]
fn working_hours_across_a_weekend_a_holiday_and_a_pause() {
    // Default calendar: Monday to Saturday 9:30–19:00, Paris.
    let cal = BusinessCalendar::default();
    let clock = WorkingClock::new(&cal, date(2027, 11, 1), date(2027, 11, 30));
    let h = |hours: f64| TimeDelta::seconds((hours * 3600.0) as i64);
    let cases: &[ClockCase] = &[
        (
            // Sat 17:00–19:00 = 2 h, Sunday closed, Mon 9:30–10:30 = 1 h.
            "weekend",
            paris(11, 13, 17, 0),
            paris(11, 15, 10, 30),
            vec![],
            h(3.0),
        ),
        (
            // Wed 18:00–19:00 = 1 h, Thursday 11 November closed, Fri 9:30–10:00.
            "11 November",
            paris(11, 10, 18, 0),
            paris(11, 12, 10, 0),
            vec![],
            h(1.5),
        ),
        (
            // Wed 10:00–19:00 (9 h) + Fri 9:30–12:00 (2.5 h) = 11.5 h, minus
            // the wait Wed 15:00 → Fri 11:00: Wed 4 h + Fri 1.5 h = 5.5 h.
            "waiting for the customer",
            paris(11, 10, 10, 0),
            paris(11, 12, 12, 0),
            vec![WaitInterval {
                start: paris(11, 10, 15, 0),
                end: paris(11, 12, 11, 0),
            }],
            h(6.0),
        ),
        (
            // A wait still running at the end counts up to the end only.
            "wait past the end",
            paris(11, 15, 9, 30),
            paris(11, 15, 12, 0),
            vec![WaitInterval {
                start: paris(11, 15, 11, 0),
                end: paris(11, 16, 12, 0),
            }],
            h(1.5),
        ),
        (
            "inverted",
            paris(11, 15, 12, 0),
            paris(11, 15, 9, 0),
            vec![],
            h(0.0),
        ),
    ];
    for (what, from, to, waits, expected) in cases {
        assert_eq!(
            clock.working_excluding(*from, *to, waits),
            *expected,
            "{what}"
        );
    }
}

#[test]
fn the_clock_counts_as_the_calendar_inside_and_outside_its_span() {
    let cal =
        BusinessCalendar::new(crate::calendar::CalendarConfig::default_with_lunch_break()).unwrap();
    let clock = WorkingClock::new(&cal, date(2027, 10, 25), date(2027, 11, 30));
    let start = paris(10, 20, 8, 17);
    for i in 0..400 {
        let from = start + TimeDelta::minutes(i * 137);
        let to = from + TimeDelta::minutes((i % 37) * 211);
        assert_eq!(
            clock.working_between(from, to),
            cal.working_time_between(from, to),
            "{from} → {to}"
        );
    }
}

#[test]
fn bad_periods_are_refused_in_french() {
    let q = ReportQuery::new(date(2027, 11, 30), date(2027, 11, 1));
    let e = q.validate().unwrap_err();
    assert_eq!(e.code(), "report_period_inverted");
    assert!(
        e.message_fr().contains("se termine le 01/11/2027"),
        "{}",
        e.message_fr()
    );

    let ten_years = ReportQuery::new(date(2017, 1, 1), date(2026, 12, 31));
    let e = ten_years.validate().unwrap_err();
    assert_eq!(e.code(), "report_period_too_long");
    assert!(e.message_fr().contains("5 ans"), "{}", e.message_fr());

    // Five years of 366 days is the limit, one more day is refused.
    let from = date(2022, 1, 1);
    let last = from + TimeDelta::days(MAX_PERIOD_DAYS - 1);
    assert!(ReportQuery::new(from, last).validate().is_ok());
    assert!(ReportQuery::new(from, last + TimeDelta::days(1))
        .validate()
        .is_err());
    // One day is a period.
    assert!(ReportQuery::new(from, from).validate().is_ok());

    let mut blank = ReportQuery::new(from, from);
    blank.filters.brand = Some("  ".into());
    assert_eq!(blank.validate().unwrap_err().code(), "missing_field");
    assert_eq!(
        Figure::Csat(6).validate().unwrap_err().code(),
        "csat_out_of_range"
    );
}

#[test]
fn the_period_is_local_midnight_to_local_midnight() {
    let cal = BusinessCalendar::default();
    let (start, end) = ReportQuery::new(date(2027, 3, 1), date(2027, 3, 31)).instants(&cal);
    assert_eq!(start, Utc.with_ymd_and_hms(2027, 2, 28, 23, 0, 0).unwrap());
    // Summer time from 28 March: midnight of 1 April is 22:00 UTC.
    assert_eq!(end, Utc.with_ymd_and_hms(2027, 3, 31, 22, 0, 0).unwrap());
}

fn sample() -> Table {
    Table {
        name: "motifs",
        columns: vec!["motif", "libellé", "coût (€)", "taux"],
        rows: vec![
            vec![
                Cell::Text("a;b".into()),
                Cell::Text("Il a dit \"non\"\nà l'accueil".into()),
                Cell::Money(crate::Cents(123_456)),
                Cell::Decimal(2.5),
            ],
            vec![
                Cell::Text("é".into()),
                Cell::Empty,
                Cell::Money(crate::Cents(-5)),
                Cell::Int(3),
            ],
        ],
    }
}

#[test]
fn csv_instants_are_the_stores_local_time_to_the_minute() {
    use chrono::TimeZone;
    let at = |y, mo, d, h, mi, s| chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
    let table = Table {
        name: "dossiers",
        columns: vec!["ouvert le"],
        rows: vec![
            // The last minute of winter time, the first of summer time
            // (Paris, 28 March 2027), a summer day, seconds dropped.
            vec![Cell::Instant(at(2027, 3, 28, 0, 59, 0))],
            vec![Cell::Instant(at(2027, 3, 28, 1, 0, 0))],
            vec![Cell::Instant(at(2027, 7, 14, 8, 5, 59))],
        ],
    };
    let mut out = Vec::new();
    write_csv(&table, &CsvOptions::default(), &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "ouvert le\r\n2027-03-28 01:59\r\n2027-03-28 03:00\r\n2027-07-14 10:05\r\n"
    );
    let guadeloupe = CsvOptions {
        timezone: chrono_tz::America::Guadeloupe,
        ..CsvOptions::default()
    };
    let mut out = Vec::new();
    write_csv(&table, &guadeloupe, &mut out).unwrap();
    assert!(String::from_utf8(out)
        .unwrap()
        .ends_with("2027-07-14 04:05\r\n"));
}

#[test]
fn csv_is_rfc_4180_with_a_bom_and_a_french_separator_on_request() {
    let mut plain = Vec::new();
    write_csv(&sample(), &CsvOptions::default(), &mut plain).unwrap();
    let text = String::from_utf8(plain).unwrap();
    assert!(!text.starts_with('\u{FEFF}'));
    assert!(
        text.starts_with("motif,libellé,coût (€),taux\r\n"),
        "{text}"
    );
    assert!(
        text.contains("a;b,\"Il a dit \"\"non\"\"\nà l'accueil\",1234.56,2.50\r\n"),
        "{text}"
    );
    assert!(text.ends_with("é,,-0.05,3\r\n"), "{text}");

    let opts = CsvOptions {
        delimiter: Delimiter::Semicolon,
        bom: true,
        ..CsvOptions::default()
    };
    let mut french = Vec::new();
    write_csv(&sample(), &opts, &mut french).unwrap();
    assert_eq!(&french[..3], b"\xEF\xBB\xBF");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&french[3..]);
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "a;b");
    assert_eq!(&rows[0][1], "Il a dit \"non\"\nà l'accueil");
    assert_eq!(&rows[0][2], "1234,56");
    assert_eq!(&rows[0][3], "2,50");
}

#[test]
fn an_empty_report_has_every_table_with_headers() {
    let report = DashboardReport {
        query: ReportQuery::new(date(2027, 1, 1), date(2027, 1, 31)),
        generated_at: Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap(),
        store_code: None,
        timezone: "Europe/Paris".into(),
        backlog: Backlog::default(),
        period: PeriodCounts::default(),
        first_response: DurationStats::default(),
        resolution: DurationStats::default(),
        reasons: vec![],
        products: vec![],
        brands: vec![],
        repeat_customers: RepeatCustomers {
            customers: 0,
            dossiers: 0,
            top: vec![],
        },
        gestures: Gestures {
            count: 0,
            cost: crate::Cents(0),
            by_reason: vec![],
            by_clerk: vec![],
        },
        decisions: vec![],
        approvals: vec![],
        csat: Csat {
            responses: 0,
            asked: 0,
            response_rate: None,
            average: None,
            distribution: [0; 5],
        },
        origins: vec![],
    };
    let names: Vec<&str> = report.tables().iter().map(|t| t.name).collect();
    assert_eq!(names, TABLE_NAMES[..TABLE_NAMES.len() - 1]);
    let summary = report.table("synthese").unwrap();
    let mut out = Vec::new();
    write_csv(&summary, &CsvOptions::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("Première réponse : médiane (heures ouvrées),\r\n"),
        "{text}"
    );
    assert!(report.table("nope").is_none());
}

#[test]
fn the_usual_periods_end_today_and_last_month_is_whole() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let got: Vec<(String, NaiveDate, NaiveDate)> = period_choices(d(2027, 3, 1))
        .into_iter()
        .map(|p| (p.label, p.from, p.to))
        .collect();
    assert_eq!(
        got,
        vec![
            // 1 March back 29 days: 31 January (2027 is not a leap year).
            ("30 derniers jours".into(), d(2027, 1, 31), d(2027, 3, 1)),
            ("Ce mois-ci".into(), d(2027, 3, 1), d(2027, 3, 1)),
            ("Mois dernier".into(), d(2027, 2, 1), d(2027, 2, 28)),
            ("12 derniers mois".into(), d(2026, 3, 2), d(2027, 3, 1)),
            ("Cette année".into(), d(2027, 1, 1), d(2027, 3, 1)),
        ]
    );
    // Every period is one a report accepts.
    for p in period_choices(d(2028, 2, 29)) {
        ReportQuery::new(p.from, p.to).validate().unwrap();
    }
}
