//! The SAV dossier at the counter: what intake records, how a dossier is
//! numbered, what closure and follow-up record. Pure rules; the store
//! writes them in one transaction each.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{CustomerId, DossierId, OrderLineId};
use crate::normalize::normalize_code;
use crate::{Cents, CoreError, Result};

/// Longest free text accepted in one field (the customer's words, a note).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Accessories listed at intake, at most.
pub const MAX_ACCESSORIES: usize = 20;
/// Days after closure when the customer is called back, by default.
pub const DEFAULT_FOLLOW_UP_DAYS: u32 = 3;

crate::model::labelled_enum!(
    /// The product's condition when the customer leaves it at the counter.
    ItemCondition, "condition" {
        AsNew = "as_new" => "Comme neuf",
        Good = "good" => "Bon état",
        Worn = "worn" => "Traces d'usage",
        Damaged = "damaged" => "Endommagé (chocs, casse)",
        Incomplete = "incomplete" => "Incomplet",
    }
);

/// What the clerk records at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct OpenDossierInput {
    pub customer_id: CustomerId,
    /// The purchased line the dossier is about; `None` when the purchase
    /// cannot be found (then `declared_product` says what the product is).
    pub order_line_id: Option<OrderLineId>,
    pub declared_product: Option<String>,
    pub reason_code: String,
    /// The customer's own words.
    pub customer_words: String,
    pub condition: ItemCondition,
    pub condition_note: Option<String>,
    pub accessories: Vec<String>,
    /// The serial number read on the product at the counter.
    pub serial_number: Option<String>,
    /// Who opens it (the clerk).
    pub actor: String,
    pub assignee: Option<String>,
    /// The original packaging was never opened (for the return policy).
    #[serde(default)]
    pub sealed: bool,
    /// How serious the trouble is for the customer (goodwill scale).
    #[serde(default = "default_severity")]
    pub severity: crate::policy::Severity,
    /// When the customer noticed the defect, if said at intake.
    #[serde(default)]
    pub defect_noticed_on: Option<chrono::NaiveDate>,
    /// The option the clerk chose among the policy's, if decided at intake.
    #[serde(default)]
    pub decision: Option<crate::policy::DecisionChoice>,
    /// A manager's PIN when the choice goes beyond a clerk's authority.
    /// Never serialized back.
    #[serde(default, skip_serializing)]
    pub approval: Option<crate::auth::ManagerApproval>,
}

fn default_severity() -> crate::policy::Severity {
    crate::policy::Severity::Major
}

fn check_text(field: &'static str, value: &str) -> Result<()> {
    let len = value.chars().count();
    if len > MAX_TEXT_CHARS {
        return Err(CoreError::TextTooLong {
            field,
            len,
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(())
}

impl OpenDossierInput {
    /// Everything that can be checked without the database.
    pub fn validate(&self) -> Result<()> {
        if self.customer_words.trim().is_empty() {
            return Err(CoreError::MissingField {
                field: "customer_words",
            });
        }
        if self.actor.trim().is_empty() {
            return Err(CoreError::MissingField { field: "actor" });
        }
        if self.order_line_id.is_none()
            && self
                .declared_product
                .as_deref()
                .is_none_or(|p| p.trim().is_empty())
        {
            return Err(CoreError::MissingField {
                field: "declared_product",
            });
        }
        check_text("customer_words", &self.customer_words)?;
        if let Some(n) = &self.condition_note {
            check_text("condition_note", n)?;
        }
        if let Some(p) = &self.declared_product {
            check_text("declared_product", p)?;
        }
        if self.accessories.len() > MAX_ACCESSORIES {
            return Err(CoreError::TextTooLong {
                field: "accessories",
                len: self.accessories.len(),
                max: MAX_ACCESSORIES,
            });
        }
        for a in &self.accessories {
            check_text("accessories", a)?;
        }
        crate::bounds::check_intake(self)
    }
}

/// The serial read at the counter must be one of those sold on the line
/// (compared without case, spaces or dashes). A line sold without serial
/// numbers accepts any.
pub fn check_serial(read: Option<&str>, sold: &[String]) -> Result<()> {
    match read.map(normalize_code).filter(|s| !s.is_empty()) {
        None => Ok(()),
        Some(_) if sold.is_empty() => Ok(()),
        Some(r) if sold.iter().any(|s| normalize_code(s) == r) => Ok(()),
        Some(_) => Err(CoreError::SerialMismatch {
            read: read.unwrap_or_default().trim().to_owned(),
            sold: sold.join(", "),
        }),
    }
}

/// The customer's satisfaction is asked once, after closure.
pub fn can_record_satisfaction(status: crate::model::DossierStatus, recorded: Option<u8>) -> bool {
    status == crate::model::DossierStatus::Closed && recorded.is_none()
}

/// A dossier is given to a colleague until it is closed or cancelled.
pub fn can_assign(status: crate::model::DossierStatus) -> bool {
    !crate::workflow::is_terminal(status)
}

/// Highest sequence a counter gives in a year (five digits).
pub const MAX_SEQUENCE: u32 = 99_999;

/// `SAV-<store>-<year>-<counter><sequence>`: per store (or WEB / TEL), per
/// counter, per year, never reused. The counter code keeps two counters of
/// one store, both offline, from giving the same number.
pub fn dossier_number(prefix: &str, year: i32, counter: &str, sequence: u32) -> String {
    format!("SAV-{prefix}-{year}-{counter}{sequence:05}")
}

/// The sequence part of a dossier number (`…-B00042` → 42; older numbers
/// without a counter code, `…-000123` → 123).
pub fn dossier_sequence(number: &str) -> Option<u32> {
    let last = number.rsplit('-').next()?;
    // Before counter codes: six digits alone. With a code: the code (one
    // letter, or a digit and two letters or digits, so it may be all
    // digits, e.g. "455") then five digits.
    if last.len() <= 6 && last.bytes().all(|b| b.is_ascii_digit()) {
        return last.parse().ok();
    }
    last.get(last.len().checked_sub(5)?..)?.parse().ok()
}

/// Characters of a derived counter code: no 0/O, 1/I to misread.
const CODE_CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A counter code from a device id when the counter was given none yet: a
/// digit, then two letters or digits (a given code is one letter, so the
/// two kinds never meet), from the random bits of the UUIDv7. Two such
/// counters of one store share a code once in 8,192: only a given code
/// (installation, or the server's registration) rules collisions out.
pub fn counter_code_from_device(device: uuid::Uuid) -> String {
    let b = device.as_bytes();
    let digits = &CODE_CHARS[24..];
    let first = digits[usize::from(b[15] % 8)] as char;
    let second = CODE_CHARS[usize::from(b[14] % 32)] as char;
    let third = CODE_CHARS[usize::from(b[13] % 32)] as char;
    format!("{first}{second}{third}")
}

/// A counter code given at installation: one letter A–Z.
pub fn check_counter_code(code: &str) -> Result<()> {
    if code.len() == 1 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(CoreError::UnknownValue {
            field: "counter_code",
            value: code.chars().take(16).collect(),
        })
    }
}

/// How the case was resolved, recorded at closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Resolution {
    /// What was done, in plain words ("joint de hublot remplacé").
    pub summary: String,
    pub parts: Vec<String>,
    /// What the repair cost the chain.
    pub cost: Cents,
    /// A goodwill gesture, if any (its cost is recorded).
    pub gesture: Option<Gesture>,
    /// Which closing message to send (template code).
    pub template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gesture {
    pub description: String,
    pub amount: Cents,
}

impl Resolution {
    pub fn validate(&self) -> Result<()> {
        if self.summary.trim().is_empty() {
            return Err(CoreError::MissingField { field: "summary" });
        }
        check_text("summary", &self.summary)?;
        if self.cost.0 < 0 {
            return Err(CoreError::NegativeAmount { field: "cost" });
        }
        if let Some(g) = &self.gesture {
            check_text("gesture", &g.description)?;
            if g.amount.0 < 0 {
                return Err(CoreError::NegativeAmount { field: "gesture" });
            }
        }
        crate::bounds::check_resolution(self)
    }
}

/// Satisfaction after the SAV: CSAT 1 to 5 and a comment.
pub fn check_csat(score: u8, comment: Option<&str>) -> Result<()> {
    if !(1..=5).contains(&score) {
        return Err(CoreError::CsatOutOfRange { score });
    }
    if let Some(c) = comment {
        check_text("comment", c)?;
    }
    Ok(())
}

/// Fills a closing-message template: `{client}`, `{produit}`, `{dossier}`,
/// `{magasin}`, `{resolution}`. Unknown placeholders stay visible, so a
/// typo in an edited template is seen, not silently dropped.
pub fn render_template(body: &str, values: &[(&str, &str)]) -> String {
    let mut out = body.replace("\\n", "\n");
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// A dossier in a list (mine, the store's open ones, late, to follow up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DossierSummary {
    pub id: DossierId,
    pub number: String,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub product_name: Option<String>,
    pub status: crate::model::DossierStatus,
    pub status_label: String,
    pub is_open: bool,
    pub assignee: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub deadline_status: Option<crate::calendar::DeadlineStatus>,
    pub deadline_label: Option<String>,
    pub follow_up_due: Option<DateTime<Utc>>,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DossierList {
    /// Open dossiers assigned to (or opened by) the given clerk.
    Mine,
    /// Every open dossier of this store.
    StoreOpen,
    /// Open dossiers past their committed deadline.
    Late,
    /// Closed dossiers whose follow-up call is due.
    ToFollowUp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OpenDossierInput {
        OpenDossierInput {
            customer_id: CustomerId::new(),
            order_line_id: Some(OrderLineId::new()),
            declared_product: None,
            reason_code: "defect.no_power".into(),
            customer_words: "Il ne s'allume plus.".into(),
            condition: ItemCondition::Good,
            condition_note: None,
            accessories: vec!["Câble".into()],
            serial_number: None,
            actor: "Julie M.".into(),
            assignee: None,
            sealed: false,
            severity: crate::policy::Severity::Major,
            defect_noticed_on: None,
            decision: None,
            approval: None,
        }
    }

    #[test]
    fn intake_validation_names_the_field() {
        assert!(input().validate().is_ok());
        let mut i = input();
        i.customer_words = "  ".into();
        assert_eq!(i.validate().unwrap_err().code(), "missing_field");
        let mut i = input();
        i.order_line_id = None;
        assert_eq!(
            i.validate().unwrap_err(),
            CoreError::MissingField {
                field: "declared_product"
            }
        );
        i.declared_product = Some("Cafetière Krups".into());
        assert!(i.validate().is_ok());
        let mut i = input();
        i.customer_words = "x".repeat(5_000);
        let e = i.validate().unwrap_err();
        assert_eq!(e.code(), "text_too_long");
        assert!(
            e.message_fr().contains("2000") || e.message_fr().contains("2 000"),
            "{}",
            e.message_fr()
        );
    }

    #[test]
    fn serials_are_compared_loosely_but_must_match() {
        let sold = vec!["BO2604187733".to_owned()];
        assert!(check_serial(Some("bo 2604-187733"), &sold).is_ok());
        assert!(check_serial(None, &sold).is_ok());
        assert!(check_serial(Some("ANY"), &[]).is_ok());
        let e = check_serial(Some("BO0000000000"), &sold).unwrap_err();
        assert_eq!(e.code(), "serial_mismatch");
        assert!(e.message_fr().contains("BO2604187733"));
    }

    #[test]
    fn numbers_and_templates() {
        assert_eq!(
            dossier_number("LYO1", 2026, "B", 123),
            "SAV-LYO1-2026-B00123"
        );
        assert_eq!(dossier_sequence("SAV-LYO1-2026-B00123"), Some(123));
        assert_eq!(dossier_sequence("SAV-LYO1-2026-7KQ00123"), Some(123));
        // A derived code may be all digits: the sequence is still the last five.
        assert_eq!(dossier_sequence("SAV-LYO1-2026-45500001"), Some(1));
        assert_eq!(
            dossier_sequence("SAV-LYO1-2026-000123"),
            Some(123),
            "older numbers"
        );
        let code = counter_code_from_device(uuid::Uuid::now_v7());
        assert_eq!(code.len(), 3);
        assert!(code.as_bytes()[0].is_ascii_digit(), "{code}");
        assert!(check_counter_code("B").is_ok());
        assert!(check_counter_code("b").is_err() && check_counter_code("7K").is_err());
        let body = "Bonjour {client},\\nvotre {produit} : {resolution}. {inconnu}";
        let out = render_template(
            body,
            &[
                ("client", "Mme Dupré"),
                ("produit", "lave-linge"),
                ("resolution", "réparé"),
            ],
        );
        assert_eq!(
            out,
            "Bonjour Mme Dupré,\nvotre lave-linge : réparé. {inconnu}"
        );
    }

    #[test]
    fn closure_and_csat_rules() {
        let r = Resolution {
            summary: "Joint remplacé".into(),
            parts: vec![],
            cost: Cents(1200),
            gesture: None,
            template: "closing.repaired".into(),
        };
        assert!(r.validate().is_ok());
        let bad = Resolution {
            cost: Cents(-1),
            ..r.clone()
        };
        assert_eq!(bad.validate().unwrap_err().code(), "negative_amount");
        assert!(check_csat(5, Some("Parfait")).is_ok());
        assert_eq!(check_csat(0, None).unwrap_err().code(), "csat_out_of_range");
        assert_eq!(check_csat(6, None).unwrap_err().code(), "csat_out_of_range");
    }
}
