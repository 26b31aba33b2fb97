//! Money in integer cents of euro. Never a float.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An amount in euro cents. Formatting for people happens at the edge
/// (the UI uses the French locale; printed documents use [`Cents::format_fr`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, TS,
)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
#[ts(export, type = "number")]
pub struct Cents(pub i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);
    /// The largest amount accepted anywhere: 10 000 000,00 €. Every amount
    /// is bounded where it enters (`bounds::check_amount`), so sums of a few
    /// of them stay far from `i64`'s limits.
    pub const MAX: Cents = Cents(1_000_000_000);

    /// French display: `1 234,56 €` (narrow no-break space between thousands,
    /// no-break space before the sign), as the fr-FR locale writes it.
    pub fn format_fr(self) -> String {
        let negative = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let cents = abs % 100;
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3 * 3);
        for (i, ch) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i) % 3 == 0 {
                grouped.push('\u{202F}');
            }
            grouped.push(ch);
        }
        format!(
            "{}{grouped},{cents:02}\u{A0}€",
            if negative { "-" } else { "" }
        )
    }

    /// `self × qty`; `None` on overflow.
    pub fn checked_mul(self, qty: i64) -> Option<Cents> {
        self.0.checked_mul(qty).map(Cents)
    }

    /// `self + rhs`; `None` on overflow.
    pub fn checked_add(self, rhs: Cents) -> Option<Cents> {
        self.0.checked_add(rhs.0).map(Cents)
    }

    /// `self − rhs`; `None` on overflow.
    pub fn checked_sub(self, rhs: Cents) -> Option<Cents> {
        self.0.checked_sub(rhs.0).map(Cents)
    }

    /// `percent` % of the amount, rounded down; `None` on overflow.
    pub fn checked_percent(self, percent: i64) -> Option<Cents> {
        self.0.checked_mul(percent).map(|v| Cents(v / 100))
    }

    /// The sum of amounts; `None` on overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Cents>) -> Option<Cents> {
        amounts
            .into_iter()
            .try_fold(Cents::ZERO, |acc, c| acc.checked_add(c))
    }

    /// `self + rhs`, or `amount_out_of_range` naming the field.
    pub fn add_for(self, rhs: Cents, field: &'static str) -> crate::Result<Cents> {
        self.checked_add(rhs)
            .filter(|c| c.0.abs() <= Cents::MAX.0)
            .ok_or(crate::CoreError::AmountOutOfRange {
                field,
                max: Cents::MAX,
            })
    }
}

// No `Add`, `Sub`, `Mul` or `Sum`: arithmetic on cents is always checked
// (`checked_*`), so an absurd amount is refused, never a panic in debug nor
// a silently wrapped amount in release.

#[cfg(test)]
mod tests {
    use super::Cents;

    #[test]
    fn formats_like_the_french_locale() {
        let cases = [
            (0, "0,00\u{A0}€"),
            (5, "0,05\u{A0}€"),
            (99_999, "999,99\u{A0}€"),
            (123_456, "1\u{202F}234,56\u{A0}€"),
            (123_456_789, "1\u{202F}234\u{202F}567,89\u{A0}€"),
            (-1_050, "-10,50\u{A0}€"),
        ];
        for (cents, want) in cases {
            assert_eq!(Cents(cents).format_fr(), want, "{cents} cents");
        }
    }

    #[test]
    fn sums_and_multiplies_in_cents() {
        let total = Cents::checked_sum([Cents(1999), Cents(1)]);
        assert_eq!(total, Some(Cents(2000)));
        assert_eq!(Cents(333).checked_mul(3), Some(Cents(999)));
        assert_eq!(Cents(i64::MAX).checked_mul(2), None);
        assert_eq!(Cents(1000).checked_percent(15), Some(Cents(150)));
        assert_eq!(Cents(i64::MAX).checked_percent(15), None);
    }

    #[test]
    fn overflow_is_refused_never_wrapped() {
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(Cents(i64::MIN).checked_sub(Cents(1)), None);
        assert_eq!(Cents::checked_sum([Cents(i64::MAX), Cents(1)]), None);
        assert_eq!(Cents::MAX.add_for(Cents::ZERO, "price"), Ok(Cents::MAX));
        let e = Cents::MAX.add_for(Cents(1), "price").unwrap_err();
        assert_eq!(e.code(), "amount_out_of_range");
        let e = Cents(i64::MAX).add_for(Cents(1), "price").unwrap_err();
        assert_eq!(e.code(), "amount_out_of_range");
    }
}
