//! Limits on everything that enters Comptoir from outside — the counter's
//! screens, `comptoir-ctl`, a case file, an import: short texts (a name, an
//! actor, a serial, a label, a code), dates and amounts. Each check names
//! the field, so the refusal says what to fix.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::{Cents, CoreError, Result};

/// Longest short text: a login, a clerk's or a colleague's name, a serial
/// number, a reason or template code, an accessory, a part, a label.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
/// Dates outside these years are typing mistakes, never a purchase.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;

/// A short text of at most [`MAX_SHORT_TEXT_CHARS`] characters.
pub fn check_short_text(field: &'static str, value: &str) -> Result<()> {
    check_len(field, value, MAX_SHORT_TEXT_CHARS)
}

/// A text of at most `max` characters.
pub fn check_len(field: &'static str, value: &str, max: usize) -> Result<()> {
    // Counting stops past the limit: a huge input costs no more than that.
    let len = value.chars().take(max + 1).count();
    if len > max {
        return Err(CoreError::TextTooLong {
            field,
            len: value.chars().count(),
            max,
        });
    }
    Ok(())
}

/// A date between 1 January 1900 and 31 December 2100.
pub fn check_date(field: &'static str, date: NaiveDate) -> Result<()> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(CoreError::DateOutOfRange { field, date })
    }
}

/// An instant whose UTC date is between 1900 and 2100.
pub fn check_instant(field: &'static str, at: DateTime<Utc>) -> Result<()> {
    check_date(field, at.date_naive())
}

/// An amount between 0 and [`Cents::MAX`].
pub fn check_amount(field: &'static str, amount: Cents) -> Result<()> {
    if amount.0 < 0 {
        Err(CoreError::NegativeAmount { field })
    } else if amount > Cents::MAX {
        Err(CoreError::AmountOutOfRange {
            field,
            max: Cents::MAX,
        })
    } else {
        Ok(())
    }
}

/// The short texts and amounts of an intake (the long texts are checked by
/// `OpenDossierInput::validate`).
pub fn check_intake(input: &crate::dossier::OpenDossierInput) -> Result<()> {
    check_short_text("actor", &input.actor)?;
    check_short_text("reason_code", &input.reason_code)?;
    for (field, value) in [
        ("assignee", &input.assignee),
        ("serial_number", &input.serial_number),
    ] {
        if let Some(v) = value {
            check_short_text(field, v)?;
        }
    }
    for a in &input.accessories {
        check_short_text("accessories", a)?;
    }
    if let Some(choice) = &input.decision {
        check_choice(choice)?;
    }
    if let Some(a) = &input.approval {
        check_short_text("login", &a.login)?;
        check_short_text("pin", &a.pin)?;
    }
    Ok(())
}

/// A decision chosen at the counter: its gesture and its note.
pub fn check_choice(choice: &crate::policy::DecisionChoice) -> Result<()> {
    if let Some(g) = choice.gesture {
        check_amount("gesture", g)?;
    }
    if let Some(n) = &choice.note {
        check_len("note", n, crate::dossier::MAX_TEXT_CHARS)?;
    }
    Ok(())
}

/// What closure records: parts, template, cost and gesture.
pub fn check_resolution(r: &crate::dossier::Resolution) -> Result<()> {
    if r.parts.len() > crate::dossier::MAX_ACCESSORIES {
        return Err(CoreError::TextTooLong {
            field: "parts",
            len: r.parts.len(),
            max: crate::dossier::MAX_ACCESSORIES,
        });
    }
    for p in &r.parts {
        check_short_text("parts", p)?;
    }
    check_short_text("template", &r.template)?;
    check_amount("cost", r.cost)?;
    if let Some(g) = &r.gesture {
        check_amount("gesture", g.amount)?;
    }
    Ok(())
}

/// The bounds of a policy case: its dates, its amounts, its category.
pub fn check_case(case: &crate::policy::Case, today: NaiveDate) -> Result<()> {
    check_date("today", today)?;
    check_date("purchase_date", case.purchase_date)?;
    check_date("request_date", case.request_date)?;
    for (field, date) in [
        ("delivery_date", case.delivery_date),
        ("defect_noticed_date", case.defect_noticed_date),
        (
            "replaced_under_guarantee_on",
            case.replaced_under_guarantee_on,
        ),
    ] {
        if let Some(d) = date {
            check_date(field, d)?;
        }
    }
    check_amount("price", case.price)?;
    check_amount("delivery_paid", case.delivery_paid)?;
    check_short_text("category", &case.category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_counted_in_characters() {
        assert!(check_short_text("actor", &"é".repeat(MAX_SHORT_TEXT_CHARS)).is_ok());
        let e = check_short_text("actor", &"é".repeat(MAX_SHORT_TEXT_CHARS + 1)).unwrap_err();
        assert_eq!(
            e,
            CoreError::TextTooLong {
                field: "actor",
                len: MAX_SHORT_TEXT_CHARS + 1,
                max: MAX_SHORT_TEXT_CHARS
            }
        );
    }

    #[test]
    fn dates_between_1900_and_2100() {
        let d = |y, m, j| NaiveDate::from_ymd_opt(y, m, j).unwrap();
        assert!(check_date("purchase_date", d(1900, 1, 1)).is_ok());
        assert!(check_date("purchase_date", d(2100, 12, 31)).is_ok());
        for bad in [
            d(1899, 12, 31),
            d(2101, 1, 1),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ] {
            let e = check_date("purchase_date", bad).unwrap_err();
            assert_eq!(e.code(), "date_out_of_range");
            assert!(e.message_fr().contains("1900"), "{}", e.message_fr());
        }
    }

    #[test]
    fn amounts_between_zero_and_the_maximum() {
        assert!(check_amount("price", Cents::ZERO).is_ok());
        assert!(check_amount("price", Cents::MAX).is_ok());
        assert_eq!(
            check_amount("price", Cents(-1)).unwrap_err().code(),
            "negative_amount"
        );
        let e = check_amount("price", Cents(Cents::MAX.0 + 1)).unwrap_err();
        assert_eq!(e.code(), "amount_out_of_range");
        assert!(
            e.message_fr().contains("10\u{202F}000\u{202F}000,00"),
            "{}",
            e.message_fr()
        );
    }
}
