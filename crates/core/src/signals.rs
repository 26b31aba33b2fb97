//! Weak signals (issue 11): what a manager and the clerk at the customer's
//! card should notice before a customer leaves in silence. Pure: the
//! thresholds (a store setting) and their bounds, the rules, and the one
//! French sentence that says why each signal is raised. The store reads the
//! dossiers (`crates/store/src/signals.rs`).
//!
//! | kind | raised when |
//! |---|---|
//! | `repeat_customer` | the customer has `repeat_dossiers` dossiers or more opened in the last `repeat_days` days |
//! | `late` / `at_risk` | an open dossier is late or at risk against its committed deadline (`calendar::deadline_status`, the lists' rule) |
//! | `high_value_open` | the customer spent `high_value_cents` or more over the last 12 months (orders of every channel) and has an open dossier |
//! | `follow_up_due` | the call that closure schedules is due (or a call back asked for it) |
//! | `low_score` | a satisfaction score of `low_score_max` or less not yet called back |
//! | `product_jump` | a product has `jump_min_dossiers` dossiers or more opened this calendar month, and at least `jump_percent` % of its monthly average over the three previous calendar months |

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{CustomerId, DossierId, ProductId};
use crate::{Cents, CoreError, Result};

/// The store setting that holds the thresholds (JSON).
pub const THRESHOLDS_SETTING: &str = "signal_thresholds";
/// The spend of a high-value customer is read over this many months.
pub const HIGH_VALUE_MONTHS: u32 = 12;
/// The product jump compares this month with this many months before it.
pub const JUMP_BASE_MONTHS: u32 = 3;

/// The thresholds of the weak signals, changed by a manager. Signed, so
/// that a negative value typed in the settings reaches the check and gets
/// its French refusal instead of a decoding error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignalThresholds {
    /// A customer with this many dossiers or more…
    pub repeat_dossiers: i64,
    /// …opened in this many days.
    pub repeat_days: i64,
    /// A customer who spent this much over 12 months (cents, all channels).
    pub high_value_cents: i64,
    /// A satisfaction score of this or less is low (out of 5).
    pub low_score_max: i64,
    /// A product's dossiers this month, in percent of its monthly average
    /// over the three previous months, from which it has jumped (200 = ×2).
    pub jump_percent: i64,
    /// …and at least this many dossiers this month.
    pub jump_min_dossiers: i64,
}

impl Default for SignalThresholds {
    fn default() -> Self {
        SignalThresholds {
            repeat_dossiers: 3,
            repeat_days: 30,
            high_value_cents: 150_000,
            low_score_max: 2,
            jump_percent: 200,
            jump_min_dossiers: 3,
        }
    }
}

/// One threshold's bounds, its French name and its unit.
struct Bound {
    field: &'static str,
    label: &'static str,
    min: i64,
    max: i64,
}

const BOUNDS: [Bound; 6] = [
    Bound {
        field: "repeat_dossiers",
        label: "nombre de dossiers d'un client récurrent",
        min: 2,
        max: 50,
    },
    Bound {
        field: "repeat_days",
        label: "période du client récurrent (jours)",
        min: 1,
        max: 366,
    },
    Bound {
        field: "high_value_cents",
        label: "achats d'un client à forte valeur sur 12 mois",
        min: 1,
        max: 100_000_000,
    },
    Bound {
        field: "low_score_max",
        label: "note de satisfaction basse (sur 5)",
        min: 1,
        max: 4,
    },
    Bound {
        field: "jump_percent",
        label: "hausse des dossiers d'un produit (%)",
        min: 110,
        max: 1_000,
    },
    Bound {
        field: "jump_min_dossiers",
        label: "dossiers minimum d'un produit en hausse",
        min: 1,
        max: 1_000,
    },
];

impl SignalThresholds {
    fn values(&self) -> [i64; 6] {
        [
            self.repeat_dossiers,
            self.repeat_days,
            self.high_value_cents,
            self.low_score_max,
            self.jump_percent,
            self.jump_min_dossiers,
        ]
    }

    /// Every threshold within its bounds; the first that is not is refused
    /// in French, naming it (0 and negative values are always refused).
    pub fn validate(&self) -> Result<()> {
        for (b, v) in BOUNDS.iter().zip(self.values()) {
            if v < b.min || v > b.max {
                let money = b.field == "high_value_cents";
                let show = |x: i64| {
                    if money {
                        Cents(x).format_fr()
                    } else {
                        x.to_string()
                    }
                };
                return Err(CoreError::SignalThresholdOutOfRange {
                    field: b.field,
                    label: b.label,
                    value: show(v),
                    min: show(b.min),
                    max: show(b.max),
                    not_positive: v <= 0,
                });
            }
        }
        Ok(())
    }

    /// The thresholds as stored (JSON), checked.
    pub fn from_json(json: &str) -> Result<Self> {
        let t: SignalThresholds =
            serde_json::from_str(json).map_err(|e| CoreError::UnknownValue {
                field: "signal_thresholds",
                value: e.to_string(),
            })?;
        t.validate()?;
        Ok(t)
    }

    /// Whether a score is low.
    pub fn is_low_score(&self, score: u8) -> bool {
        i64::from(score) <= self.low_score_max
    }
}

/// What a signal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignalKind {
    // In the order of the list: the most urgent first.
    Late,
    LowScore,
    RepeatCustomer,
    HighValueOpen,
    AtRisk,
    FollowUpDue,
    ProductJump,
}

impl SignalKind {
    pub const ALL: [SignalKind; 7] = [
        SignalKind::Late,
        SignalKind::LowScore,
        SignalKind::RepeatCustomer,
        SignalKind::HighValueOpen,
        SignalKind::AtRisk,
        SignalKind::FollowUpDue,
        SignalKind::ProductJump,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SignalKind::Late => "late",
            SignalKind::LowScore => "low_score",
            SignalKind::RepeatCustomer => "repeat_customer",
            SignalKind::HighValueOpen => "high_value_open",
            SignalKind::AtRisk => "at_risk",
            SignalKind::FollowUpDue => "follow_up_due",
            SignalKind::ProductJump => "product_jump",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            SignalKind::Late => "Dossier en retard",
            SignalKind::LowScore => "Note basse à rappeler",
            SignalKind::RepeatCustomer => "Client aux dossiers répétés",
            SignalKind::HighValueOpen => "Client à forte valeur avec un dossier ouvert",
            SignalKind::AtRisk => "Dossier à risque",
            SignalKind::FollowUpDue => "Suivi à faire",
            SignalKind::ProductJump => "Produit en hausse de dossiers",
        }
    }
}

/// What a signal links to: the screen to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum SignalTarget {
    Customer {
        customer_id: CustomerId,
    },
    Dossier {
        dossier_id: DossierId,
        number: String,
    },
    Product {
        product_id: ProductId,
    },
}

/// One weak signal: what, why (one French sentence) and where to go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WeakSignal {
    pub kind: SignalKind,
    pub kind_label: String,
    /// Why, in one French sentence.
    pub sentence: String,
    pub target: SignalTarget,
    /// The customer it concerns, when there is one (to open the card).
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<String>,
    /// Since when it holds (the oldest first within a kind).
    pub since: DateTime<Utc>,
}

impl WeakSignal {
    pub fn new(
        kind: SignalKind,
        sentence: String,
        target: SignalTarget,
        customer: Option<(CustomerId, String)>,
        since: DateTime<Utc>,
    ) -> Self {
        let (customer_id, customer_name) = match customer {
            Some((id, name)) => (Some(id), Some(name)),
            None => (None, None),
        };
        WeakSignal {
            kind,
            kind_label: kind.label_fr().to_owned(),
            sentence,
            target,
            customer_id,
            customer_name,
            since,
        }
    }
}

/// The list of signals of the store, most urgent kind first, then oldest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WeakSignalList {
    pub signals: Vec<WeakSignal>,
    /// How many signals there are in all (before the limit).
    pub total: usize,
    pub truncated: bool,
    pub thresholds: SignalThresholds,
}

/// Orders signals: kind (most urgent first), then since (oldest first),
/// then the sentence (a stable order for equal instants).
pub fn sort_signals(signals: &mut [WeakSignal]) {
    signals.sort_by(|a, b| (a.kind, a.since, &a.sentence).cmp(&(b.kind, b.since, &b.sentence)));
}

/// `SAV-… , SAV-…`: dossier numbers in a sentence.
fn numbers(list: &[String]) -> String {
    list.join(", ")
}

/// « 3 dossiers en 30 jours : SAV-…, SAV-…, SAV-… »
pub fn repeat_sentence(days: i64, numbers_oldest_first: &[String]) -> String {
    format!(
        "{} dossiers en {days} jours : {}.",
        numbers_oldest_first.len(),
        numbers(numbers_oldest_first)
    )
}

/// « SAV-… en retard : délai promis le 18/11/2027 à 14:00 » (times in the
/// store's time zone).
pub fn deadline_sentence(
    late: bool,
    number: &str,
    promised_local: chrono::NaiveDateTime,
) -> String {
    let when = promised_local.format("%d/%m/%Y à %H:%M");
    if late {
        format!("{number} en retard : le délai promis au client était le {when}.")
    } else {
        format!("{number} à risque : délai promis le {when}, il reste peu de temps ouvré.")
    }
}

/// « 2 345,00 € d'achats sur 12 mois et un dossier ouvert : SAV-… »
pub fn high_value_sentence(spent: Cents, open_numbers: &[String]) -> String {
    let what = if open_numbers.len() > 1 {
        "des dossiers ouverts"
    } else {
        "un dossier ouvert"
    };
    format!(
        "{} d'achats sur {HIGH_VALUE_MONTHS} mois et {what} : {}.",
        spent.format_fr(),
        numbers(open_numbers)
    )
}

/// « Note de satisfaction 2/5 le 18/11/2027 sur SAV-…, client pas encore rappelé. »
pub fn low_score_sentence(score: u8, on: NaiveDate, number: &str) -> String {
    format!(
        "Note de satisfaction {score}/5 le {} sur {number}, client pas encore rappelé.",
        on.format("%d/%m/%Y")
    )
}

/// « Appel de suivi de SAV-… à faire depuis le 21/11/2027. »
pub fn follow_up_sentence(number: &str, due: NaiveDate) -> String {
    format!(
        "Appel de suivi de {number} à faire depuis le {}.",
        due.format("%d/%m/%Y")
    )
}

/// The calendar months of the product jump, for a local date: this month's
/// first day, and the first day of each of the three months before it
/// (oldest first). The counts run from each first day to the next.
pub fn jump_months(today: NaiveDate) -> (NaiveDate, [NaiveDate; 3]) {
    let this = today.with_day(1).unwrap_or(today);
    let back = |n: u32| this.checked_sub_months(Months::new(n)).unwrap_or(this);
    (this, [back(3), back(2), back(1)])
}

/// Whether a product's dossiers jumped: `this_month ≥ jump_min_dossiers`
/// and `this_month ≥ jump_percent % × (sum of the three months / 3)`,
/// compared in integers (`300 × this ≥ jump_percent × sum`). A product
/// without dossiers in the three months jumps from `jump_min_dossiers` on.
pub fn jumped(this_month: i64, previous: [i64; 3], t: &SignalThresholds) -> bool {
    let sum: i64 = previous.iter().sum();
    this_month >= t.jump_min_dossiers && 300 * this_month >= t.jump_percent * sum
}

/// « Lave-linge X : 6 dossiers ce mois-ci contre 1,3 par mois en moyenne sur les 3 mois précédents. »
pub fn jump_sentence(product: &str, this_month: i64, previous: [i64; 3]) -> String {
    let sum: i64 = previous.iter().sum();
    // The average to one decimal, rounded half up, written the French way.
    let tenths = (sum * 10 + 1) / 3;
    let avg = format!("{},{}", tenths / 10, tenths % 10);
    format!(
        "{product} : {this_month} dossiers ce mois-ci contre {avg} par mois en moyenne sur les {JUMP_BASE_MONTHS} mois précédents ({}).",
        previous
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The start of the high-value spend window: 12 months before `now`.
pub fn spend_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(HIGH_VALUE_MONTHS))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn defaults_are_valid() {
        SignalThresholds::default().validate().unwrap();
    }

    #[test]
    fn zero_negative_and_too_large_are_refused_naming_the_threshold() {
        // (field changed, value, code expected, words in the message)
        let cases: [(fn(&mut SignalThresholds, i64), i64, &str); 9] = [
            (|t, v| t.repeat_dossiers = v, 0, "nombre de dossiers"),
            (|t, v| t.repeat_dossiers = v, -3, "nombre de dossiers"),
            (|t, v| t.repeat_dossiers = v, 51, "nombre de dossiers"),
            (|t, v| t.repeat_days = v, 0, "période"),
            (|t, v| t.high_value_cents = v, -100, "forte valeur"),
            (|t, v| t.low_score_max = v, 5, "note de satisfaction"),
            (|t, v| t.low_score_max = v, 0, "note de satisfaction"),
            (|t, v| t.jump_percent = v, 100, "hausse"),
            (|t, v| t.jump_min_dossiers = v, -1, "dossiers minimum"),
        ];
        for (set, v, words) in cases {
            let mut t = SignalThresholds::default();
            set(&mut t, v);
            let e = t.validate().unwrap_err();
            assert_eq!(e.code(), "signal_threshold_out_of_range");
            let m = e.message_fr();
            assert!(m.contains(words), "{v}: {m}");
            if v <= 0 {
                assert!(m.contains("supérieur à zéro"), "{v}: {m}");
            }
        }
        let t = SignalThresholds {
            high_value_cents: -100,
            ..SignalThresholds::default()
        };
        let m = t.validate().unwrap_err().message_fr();
        assert!(m.contains("(-1,00\u{a0}€)"), "{m}");
    }

    #[test]
    fn stored_json_is_checked() {
        let t = SignalThresholds::default();
        let j = serde_json::to_string(&t).unwrap();
        assert_eq!(SignalThresholds::from_json(&j).unwrap(), t);
        assert!(SignalThresholds::from_json("{\"repeat_dossiers\": 3}").is_err());
        let bad = j.replace("\"repeat_days\":30", "\"repeat_days\":0");
        assert_eq!(
            SignalThresholds::from_json(&bad).unwrap_err().code(),
            "signal_threshold_out_of_range"
        );
    }

    #[test]
    fn product_jump_table() {
        let t = SignalThresholds::default(); // 200 %, at least 3 dossiers
                                             // (this month, the three months before, jumped?), by hand with
                                             // 300 × this ≥ 200 × sum:
        let cases = [
            (3, [1, 1, 1], true),  // 900 ≥ 600
            (3, [2, 1, 1], true),  // 900 ≥ 800
            (2, [0, 0, 0], false), // fewer than 3 this month
            (3, [0, 0, 0], true),  // from nothing
            (5, [3, 3, 2], false), // 1500 < 1600
            (6, [3, 3, 2], true),  // 1800 ≥ 1600
            (4, [6, 0, 0], true),  // 1200 ≥ 1200: exactly twice the average
        ];
        for (this, prev, expected) in cases {
            assert_eq!(jumped(this, prev, &t), expected, "{this} vs {prev:?}");
        }
        let strict = SignalThresholds {
            jump_percent: 300,
            ..t
        };
        assert!(!jumped(3, [2, 1, 1], &strict)); // 900 < 1200
    }

    #[test]
    fn months_of_the_jump() {
        let (this, prev) = jump_months(d(2027, 2, 15));
        assert_eq!(this, d(2027, 2, 1));
        assert_eq!(prev, [d(2026, 11, 1), d(2026, 12, 1), d(2027, 1, 1)]);
    }

    #[test]
    fn sentences_say_why() {
        let nums = [
            "SAV-LYO1-2027-A00001".to_owned(),
            "SAV-LYO1-2027-A00002".to_owned(),
        ];
        assert_eq!(
            repeat_sentence(30, &nums),
            "2 dossiers en 30 jours : SAV-LYO1-2027-A00001, SAV-LYO1-2027-A00002."
        );
        assert_eq!(
            jump_sentence("Robot R2", 6, [1, 2, 1]),
            "Robot R2 : 6 dossiers ce mois-ci contre 1,3 par mois en moyenne sur les 3 mois précédents (1, 2, 1)."
        );
        assert_eq!(
            high_value_sentence(Cents(234_500), &nums[..1]),
            format!(
                "{} d'achats sur 12 mois et un dossier ouvert : SAV-LYO1-2027-A00001.",
                Cents(234_500).format_fr()
            )
        );
        assert_eq!(
            low_score_sentence(2, d(2027, 11, 18), "SAV-X"),
            "Note de satisfaction 2/5 le 18/11/2027 sur SAV-X, client pas encore rappelé."
        );
    }

    #[test]
    fn kinds_sort_most_urgent_first_then_oldest() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let mk = |kind, s: i64| {
            WeakSignal::new(
                kind,
                format!("{s}"),
                SignalTarget::Product {
                    product_id: ProductId::new(),
                },
                None,
                t0 + chrono::Duration::seconds(s),
            )
        };
        let mut v = vec![
            mk(SignalKind::ProductJump, 0),
            mk(SignalKind::Late, 5),
            mk(SignalKind::Late, 1),
            mk(SignalKind::LowScore, 0),
        ];
        sort_signals(&mut v);
        let got: Vec<_> = v.iter().map(|s| (s.kind, s.sentence.as_str())).collect();
        assert_eq!(
            got,
            [
                (SignalKind::Late, "1"),
                (SignalKind::Late, "5"),
                (SignalKind::LowScore, "0"),
                (SignalKind::ProductJump, "0")
            ]
        );
    }
}
