//! French public holidays (*jours fériés*), computed for any year, and the
//! legal "next working day" rule.
//!
//! The eleven national holidays are those of the Labour Code (art. L3133-1);
//! Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) adds Good Friday and
//! St Stephen's Day (26 December). Easter-based dates use the anonymous
//! Gregorian computus (Meeus/Jones/Butcher).

use chrono::{Datelike, Days, NaiveDate, Weekday};

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
    if alsace_moselle {
        days.push((shift(easter, -2), "Vendredi saint"));
        days.push((ymd(year, 12, 26), "Saint-Étienne"));
    }
    let mut out: Vec<(NaiveDate, &'static str)> = days
        .into_iter()
        .filter_map(|(d, n)| Some((d?, n)))
        .collect();
    out.sort_by_key(|(d, _)| *d);
    out
}

/// The French name of the public holiday on `date`, if it is one.
pub fn public_holiday_name(date: NaiveDate, alsace_moselle: bool) -> Option<&'static str> {
    french_public_holidays(date.year(), alsace_moselle)
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, n)| n)
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
    let mut d = date;
    // At most 4 consecutive non-working days can occur (e.g. Fri holiday,
    // Sat, Sun, Mon holiday); 10 is a safe bound that never loops forever.
    for _ in 0..10 {
        if is_legal_working_day(d, alsace_moselle) {
            return d;
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => return d,
        }
    }
    d
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
}
