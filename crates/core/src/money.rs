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

    pub fn checked_mul(self, qty: i64) -> Option<Cents> {
        self.0.checked_mul(qty).map(Cents)
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

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
        let total: Cents = [Cents(1999), Cents(1)].into_iter().sum();
        assert_eq!(total, Cents(2000));
        assert_eq!(Cents(333).checked_mul(3), Some(Cents(999)));
        assert_eq!(Cents(i64::MAX).checked_mul(2), None);
    }
}
