//! French public holidays (*jours fériés*), computed for any year, and the
//! legal "next working day" rule.
//!
//! The eleven national holidays are those of the Labour Code (art. L3133-1);
//! Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) adds Good Friday and
//! St Stephen's Day (26 December). Easter-based dates use the anonymous
//! Gregorian computus (Meeus/Jones/Butcher).
//!
//! Each overseas department (and Saint-Martin, Saint-Barthélemy) adds the
//! commemoration of the abolition of slavery (loi n° 83-550 du 30 juin 1983;
//! dates fixed by décret n° 83-1003 du 23 novembre 1983, amended by décret
//! n° 2012-553 du 23 avril 2012 for Saint-Barthélemy and Saint-Martin):
//! Mayotte 27 April, Martinique 22 May, Guadeloupe and Saint-Martin 27 May,
//! Guyane 10 June, Saint-Barthélemy 9 October, La Réunion 20 December.
//! Two holidays on one date (Ascension on 1 May in 2008 and 2059, on 8 May
//! in 2024's neighbours, Whit Monday on 27 May…) are one closed day: the
//! list holds each date once, under the first name in law order.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a store is, for its public holidays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HolidayRegion {
    /// Metropolitan France and Corsica: the eleven national holidays.
    #[default]
    Metropole,
    /// Bas-Rhin, Haut-Rhin, Moselle: with Good Friday and 26 December.
    AlsaceMoselle,
    Guadeloupe,
    Martinique,
    Guyane,
    Reunion,
    Mayotte,
    SaintMartin,
    SaintBarthelemy,
}

impl HolidayRegion {
    pub const ALL: [HolidayRegion; 9] = [
        HolidayRegion::Metropole,
        HolidayRegion::AlsaceMoselle,
        HolidayRegion::Guadeloupe,
        HolidayRegion::Martinique,
        HolidayRegion::Guyane,
        HolidayRegion::Reunion,
        HolidayRegion::Mayotte,
        HolidayRegion::SaintMartin,
        HolidayRegion::SaintBarthelemy,
    ];

    pub fn label_fr(self) -> &'static str {
        match self {
            HolidayRegion::Metropole => "France métropolitaine",
            HolidayRegion::AlsaceMoselle => "Alsace-Moselle",
            HolidayRegion::Guadeloupe => "Guadeloupe",
            HolidayRegion::Martinique => "Martinique",
            HolidayRegion::Guyane => "Guyane",
            HolidayRegion::Reunion => "La Réunion",
            HolidayRegion::Mayotte => "Mayotte",
            HolidayRegion::SaintMartin => "Saint-Martin",
            HolidayRegion::SaintBarthelemy => "Saint-Barthélemy",
        }
    }

    /// The region a store's IANA time zone implies, when its calendar does
    /// not name one (`America/Cayenne` → Guyane); metropolitan otherwise.
    pub fn from_timezone(tz: &str) -> HolidayRegion {
        match tz {
            "America/Guadeloupe" => HolidayRegion::Guadeloupe,
            "America/Martinique" => HolidayRegion::Martinique,
            "America/Cayenne" => HolidayRegion::Guyane,
            "Indian/Reunion" => HolidayRegion::Reunion,
            "Indian/Mayotte" => HolidayRegion::Mayotte,
            "America/Marigot" => HolidayRegion::SaintMartin,
            "America/St_Barthelemy" => HolidayRegion::SaintBarthelemy,
            _ => HolidayRegion::Metropole,
        }
    }

    /// The day and month of the abolition of slavery holiday, if any.
    pub fn abolition_of_slavery(self) -> Option<(u32, u32)> {
        match self {
            HolidayRegion::Mayotte => Some((4, 27)),
            HolidayRegion::Martinique => Some((5, 22)),
            HolidayRegion::Guadeloupe | HolidayRegion::SaintMartin => Some((5, 27)),
            HolidayRegion::Guyane => Some((6, 10)),
            HolidayRegion::SaintBarthelemy => Some((10, 9)),
            HolidayRegion::Reunion => Some((12, 20)),
            HolidayRegion::Metropole | HolidayRegion::AlsaceMoselle => None,
        }
    }

    fn of_flag(alsace_moselle: bool) -> HolidayRegion {
        if alsace_moselle {
            HolidayRegion::AlsaceMoselle
        } else {
            HolidayRegion::Metropole
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian
/// algorithm). Valid for any year chrono can represent after 1583.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction of the algorithm.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn shift(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// The French public holidays of `year`, sorted by date, with their French
/// names. With `alsace_moselle`, Good Friday and 26 December are added.
pub fn french_public_holidays(year: i32, alsace_moselle: bool) -> Vec<(NaiveDate, &'static str)> {
    public_holidays(year, HolidayRegion::of_flag(alsace_moselle))
}

/// The public holidays of `year` in `region`, sorted by date, each date
/// once (two holidays on one day are one closed day).
pub fn public_holidays(year: i32, region: HolidayRegion) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let mut days: Vec<(Option<NaiveDate>, &'static str)> = vec![
        (ymd(year, 1, 1), "Jour de l'An"),
        (shift(easter, 1), "Lundi de Pâques"),
        (ymd(year, 5, 1), "Fête du Travail"),
        (ymd(year, 5, 8), "Victoire 1945"),
        (shift(easter, 39), "Ascension"),
        (shift(easter, 50), "Lundi de Pentecôte"),
        (ymd(year, 7, 14), "Fête nationale"),
        (ymd(year, 8, 15), "Assomption"),
        (ymd(year, 11, 1), "Toussaint"),
        (ymd(year, 11, 11), "Armistice 1918"),
        (ymd(year, 12, 25), "Noël"),
    ];
    if region == HolidayRegion::AlsaceMoselle {
        days.push((shift(easter, -2), "Vendredi saint"));
        days.push((ymd(year, 12, 26), "Saint-Étienne"));
    }
    if let Some((month, day)) = region.abolition_of_slavery() {
        days.push((ymd(year, month, day), "Abolition de l'esclavage"));
    }
    let mut out: Vec<(NaiveDate, &'static str)> = days
        .into_iter()
        .filter_map(|(d, n)| Some((d?, n)))
        .collect();
    // Stable: on a shared date the first name in law order stays.
    out.sort_by_key(|(d, _)| *d);
    out.dedup_by_key(|(d, _)| *d);
    out
}

/// The name of the public holiday on `date` in `region`, if it is one.
pub fn public_holiday_name_in(date: NaiveDate, region: HolidayRegion) -> Option<&'static str> {
    public_holidays(date.year(), region)
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, n)| n)
}

/// [`next_legal_working_day`] with the holidays of `region`.
pub fn next_legal_working_day_for(date: NaiveDate, region: HolidayRegion) -> NaiveDate {
    let mut d = date;
    for _ in 0..10 {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && public_holiday_name_in(d, region).is_none() {
            return d;
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => return d,
        }
    }
    d
}

/// The French name of the public holiday on `date`, if it is one.
pub fn public_holiday_name(date: NaiveDate, alsace_moselle: bool) -> Option<&'static str> {
    public_holiday_name_in(date, HolidayRegion::of_flag(alsace_moselle))
}

/// Whether `date` is a French public holiday.
pub fn is_public_holiday(date: NaiveDate, alsace_moselle: bool) -> bool {
    public_holiday_name(date, alsace_moselle).is_some()
}

/// A legal working day: neither Saturday, Sunday nor a public holiday. Store
/// opening hours play no part (LAW.md, withdrawal right).
pub fn is_legal_working_day(date: NaiveDate, alsace_moselle: bool) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !is_public_holiday(date, alsace_moselle)
}

/// The legal rule for deadlines (LAW.md, withdrawal right): a period that
/// ends on a Saturday, Sunday or national public holiday moves to the next
/// working day. Returns `date` itself when it already is a working day.
pub fn next_legal_working_day(date: NaiveDate) -> NaiveDate {
    next_legal_working_day_in(date, false)
}

/// [`next_legal_working_day`] with the local holidays of Alsace-Moselle
/// when `alsace_moselle` is set.
pub fn next_legal_working_day_in(date: NaiveDate, alsace_moselle: bool) -> NaiveDate {
    // At most 4 consecutive non-working days can occur (e.g. Fri holiday,
    // Sat, Sun, Mon holiday); the scan stops after 10, never looping forever.
    next_legal_working_day_for(date, HolidayRegion::of_flag(alsace_moselle))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Official dates (service-public.fr), written out literally.
    /// (year, Easter Monday, Ascension, Whit Monday, Good Friday)
    const MOVABLE: &[(i32, &str, &str, &str, &str)] = &[
        (2024, "2024-04-01", "2024-05-09", "2024-05-20", "2024-03-29"),
        (2025, "2025-04-21", "2025-05-29", "2025-06-09", "2025-04-18"),
        (2026, "2026-04-06", "2026-05-14", "2026-05-25", "2026-04-03"),
        (2027, "2027-03-29", "2027-05-06", "2027-05-17", "2027-03-26"),
        (2028, "2028-04-17", "2028-05-25", "2028-06-05", "2028-04-14"),
        (2029, "2029-04-02", "2029-05-10", "2029-05-21", "2029-03-30"),
        (2030, "2030-04-22", "2030-05-30", "2030-06-10", "2030-04-19"),
    ];

    #[test]
    fn easter_sundays_match_known_dates() {
        let known = [
            (1818, "1818-03-22"), // earliest possible
            (1943, "1943-04-25"), // latest possible
            (2000, "2000-04-23"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2029, "2029-04-01"),
            (2030, "2030-04-21"),
            (2038, "2038-04-25"),
        ];
        for (year, date) in known {
            assert_eq!(easter_sunday(year), d(date), "Easter {year}");
        }
    }

    #[test]
    fn national_holidays_2024_to_2030_match_the_official_list() {
        for &(year, easter_monday, ascension, whit_monday, _) in MOVABLE {
            let expected: Vec<(NaiveDate, &str)> = vec![
                (d(&format!("{year}-01-01")), "Jour de l'An"),
                (d(easter_monday), "Lundi de Pâques"),
                (d(&format!("{year}-05-01")), "Fête du Travail"),
                (d(&format!("{year}-05-08")), "Victoire 1945"),
                (d(ascension), "Ascension"),
                (d(whit_monday), "Lundi de Pentecôte"),
                (d(&format!("{year}-07-14")), "Fête nationale"),
                (d(&format!("{year}-08-15")), "Assomption"),
                (d(&format!("{year}-11-01")), "Toussaint"),
                (d(&format!("{year}-11-11")), "Armistice 1918"),
                (d(&format!("{year}-12-25")), "Noël"),
            ];
            let mut expected = expected;
            expected.sort_by_key(|(d, _)| *d);
            assert_eq!(french_public_holidays(year, false), expected, "{year}");
        }
    }

    #[test]
    fn alsace_moselle_adds_good_friday_and_st_stephen() {
        for &(year, _, _, _, good_friday) in MOVABLE {
            let national = french_public_holidays(year, false);
            let local = french_public_holidays(year, true);
            assert_eq!(local.len(), 13, "{year}");
            let extra: Vec<_> = local.iter().filter(|h| !national.contains(h)).collect();
            assert_eq!(
                extra,
                vec![
                    &(d(good_friday), "Vendredi saint"),
                    &(d(&format!("{year}-12-26")), "Saint-Étienne")
                ],
                "{year}"
            );
            assert!(local.windows(2).all(|w| w[0].0 < w[1].0), "sorted {year}");
            assert!(!is_public_holiday(d(good_friday), false));
            assert!(is_public_holiday(d(good_friday), true));
        }
    }

    #[test]
    fn holiday_names() {
        assert_eq!(
            public_holiday_name(d("2026-05-25"), false),
            Some("Lundi de Pentecôte")
        );
        assert_eq!(public_holiday_name(d("2026-05-26"), false), None);
        assert_eq!(public_holiday_name(d("2026-12-26"), false), None);
        assert_eq!(
            public_holiday_name(d("2026-12-26"), true),
            Some("Saint-Étienne")
        );
    }

    #[test]
    fn next_legal_working_day_skips_weekends_and_holidays() {
        let cases = [
            // (date, national, Alsace-Moselle)
            ("2026-05-20", "2026-05-20", "2026-05-20"), // Wednesday: itself
            ("2026-05-23", "2026-05-26", "2026-05-26"), // Sat → Whit Monday → Tue
            ("2026-05-24", "2026-05-26", "2026-05-26"), // Sun
            ("2026-05-25", "2026-05-26", "2026-05-26"), // Whit Monday
            ("2026-05-14", "2026-05-15", "2026-05-15"), // Ascension (Thu)
            ("2026-04-03", "2026-04-03", "2026-04-07"), // Good Friday, Easter Monday
            ("2026-12-25", "2026-12-28", "2026-12-28"), // Fri Christmas, weekend
            ("2027-12-24", "2027-12-24", "2027-12-24"), // Friday, working
            ("2027-12-25", "2027-12-27", "2027-12-27"), // Sat; 26 Dec is a Sunday
            ("2025-12-26", "2025-12-26", "2025-12-29"), // Friday St Stephen
            ("2026-01-01", "2026-01-02", "2026-01-02"),
            ("2026-11-11", "2026-11-12", "2026-11-12"),
        ];
        for (date, national, alsace) in cases {
            assert_eq!(next_legal_working_day(d(date)), d(national), "{date}");
            assert_eq!(
                next_legal_working_day_in(d(date), true),
                d(alsace),
                "{date} (Alsace-Moselle)"
            );
        }
    }

    /// Every region's holidays, written out literally (Légifrance: Code du
    /// travail L3133-1; loi 83-550 and décret 83-1003 as amended in 2012 for
    /// the abolition of slavery; Alsace-Moselle's Good Friday and 26 December
    /// from the local law kept by the Code du travail, L3134-13).
    #[rustfmt::skip]
    const REGION_YEARS: &[(HolidayRegion, i32, &[&str])] = &[
        (HolidayRegion::Metropole, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::AlsaceMoselle, 2026, &[
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14",
            "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
            "2026-12-26",
        ]),
        (HolidayRegion::Guadeloupe, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-05-27", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::SaintMartin, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-05-27", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::Martinique, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-22",
            "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::Guyane, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-06-10", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::Reunion, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-20", "2026-12-25",
        ]),
        (HolidayRegion::Mayotte, 2026, &[
            "2026-01-01", "2026-04-06", "2026-04-27", "2026-05-01", "2026-05-08", "2026-05-14",
            "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::SaintBarthelemy, 2026, &[
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-07-14", "2026-08-15", "2026-10-09", "2026-11-01", "2026-11-11", "2026-12-25",
        ]),
        (HolidayRegion::Reunion, 2027, &[
            "2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17",
            "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-20", "2027-12-25",
        ]),
        (HolidayRegion::Guadeloupe, 2027, &[
            "2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17",
            "2027-05-27", "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25",
        ]),
        (HolidayRegion::AlsaceMoselle, 2027, &[
            "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08",
            "2027-05-17", "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25",
            "2027-12-26",
        ]),
        // Ascension on 1 May: ten closed days, not eleven.
        (HolidayRegion::Metropole, 2008, &[
            "2008-01-01", "2008-03-24", "2008-05-01", "2008-05-08", "2008-05-12", "2008-07-14",
            "2008-08-15", "2008-11-01", "2008-11-11", "2008-12-25",
        ]),
        // Martinique 2031: Ascension falls on 22 May, the abolition day.
        (HolidayRegion::Martinique, 2031, &[
            "2031-01-01", "2031-04-14", "2031-05-01", "2031-05-08", "2031-05-22", "2031-06-02",
            "2031-07-14", "2031-08-15", "2031-11-01", "2031-11-11", "2031-12-25",
        ]),
        // Guyane 2030: Whit Monday falls on 10 June, the abolition day.
        (HolidayRegion::Guyane, 2030, &[
            "2030-01-01", "2030-04-22", "2030-05-01", "2030-05-08", "2030-05-30", "2030-06-10",
            "2030-07-14", "2030-08-15", "2030-11-01", "2030-11-11", "2030-12-25",
        ]),
    ];

    #[test]
    fn each_region_keeps_its_own_holidays() {
        for (region, year, dates) in REGION_YEARS {
            let got: Vec<NaiveDate> = public_holidays(*year, *region)
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            let want: Vec<NaiveDate> = dates.iter().map(|s| d(s)).collect();
            assert_eq!(got, want, "{region:?} {year}");
        }
    }

    #[test]
    fn two_holidays_on_one_date_are_one_closed_day() {
        // 2008: Ascension on Labour Day.
        assert_eq!(
            public_holiday_name_in(d("2008-05-01"), HolidayRegion::Metropole),
            Some("Fête du Travail")
        );
        assert_eq!(french_public_holidays(2008, false).len(), 10);
        // 2059: Ascension on 8 May (Easter on 30 March).
        assert_eq!(easter_sunday(2059), d("2059-03-30"));
        assert_eq!(french_public_holidays(2059, false).len(), 10);
        assert_eq!(
            public_holiday_name_in(d("2059-05-08"), HolidayRegion::Metropole),
            Some("Victoire 1945")
        );
        assert_eq!(
            public_holiday_name_in(d("2031-05-22"), HolidayRegion::Martinique),
            Some("Ascension")
        );
        assert_eq!(
            public_holiday_name_in(d("2026-05-22"), HolidayRegion::Martinique),
            Some("Abolition de l'esclavage")
        );
        assert_eq!(
            public_holiday_name_in(d("2026-05-22"), HolidayRegion::Guadeloupe),
            None
        );
        // The closed day after a shared holiday is found once.
        assert_eq!(
            next_legal_working_day_for(d("2008-05-01"), HolidayRegion::Metropole),
            d("2008-05-02")
        );
        assert_eq!(
            next_legal_working_day_for(d("2026-12-18"), HolidayRegion::Reunion),
            d("2026-12-18")
        );
        assert_eq!(
            next_legal_working_day_for(d("2027-12-20"), HolidayRegion::Reunion),
            d("2027-12-21")
        );
        assert_eq!(
            next_legal_working_day_for(d("2027-12-20"), HolidayRegion::Metropole),
            d("2027-12-20")
        );
    }

    #[test]
    fn regions_from_time_zones_and_labels() {
        assert_eq!(
            HolidayRegion::from_timezone("Indian/Reunion"),
            HolidayRegion::Reunion
        );
        assert_eq!(
            HolidayRegion::from_timezone("America/Cayenne"),
            HolidayRegion::Guyane
        );
        assert_eq!(
            HolidayRegion::from_timezone("Europe/Paris"),
            HolidayRegion::Metropole
        );
        assert_eq!(HolidayRegion::Reunion.label_fr(), "La Réunion");
        for r in HolidayRegion::ALL {
            let json = serde_json::to_string(&r).unwrap_or_default();
            let back: HolidayRegion = serde_json::from_str(&json).unwrap_or_default();
            assert_eq!(back, r, "{json}");
        }
    }
}
