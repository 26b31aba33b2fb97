//! The policy document published by head office (TOML), and the check that
//! it stays above the legal floor. See the module docs for the format.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::law;
use super::Resolution;
use crate::normalize::fold_text;
use crate::{CoreError, Result};

/// An amount of euro cents that can never be negative: the check runs while
/// the TOML is read, so the error carries the line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(transparent)]
pub struct Amount(pub crate::Cents);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if v < 0 {
            return Err(serde::de::Error::custom(format!(
                "negative amount {v} (amounts are euro cents, 0 or more)"
            )));
        }
        if v > crate::Cents::MAX.0 {
            return Err(serde::de::Error::custom(format!(
                "amount {v} above the maximum {} (amounts are euro cents)",
                crate::Cents::MAX.0
            )));
        }
        Ok(Amount(crate::Cents(v)))
    }
}

/// A percentage between 0 and 100, checked while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub struct Percent(pub u32);

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if !(0..=100).contains(&v) {
            return Err(serde::de::Error::custom(format!(
                "percentage {v} out of 0..=100"
            )));
        }
        Ok(Percent(v as u32))
    }
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<NaiveDate, D::Error> {
    let dt = toml::value::Datetime::deserialize(d)?;
    match (dt.date, dt.time) {
        (Some(date), None) => NaiveDate::from_ymd_opt(
            i32::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        )
        .ok_or_else(|| serde::de::Error::custom("invalid date")),
        _ => Err(serde::de::Error::custom(
            "expected a date without time, e.g. 2026-01-01",
        )),
    }
}

/// The whole policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Stable identifier, e.g. `"sav-unifie"`.
    pub id: String,
    /// Version printed on tickets and recorded with every decision.
    pub version: String,
    #[serde(deserialize_with = "de_date")]
    pub effective_from: NaiveDate,
    /// Contact details of the consumer mediator, printed on every refusal.
    pub mediator: String,
    pub distance_sales: DistanceSales,
    pub legal_guarantee: LegalGuarantee,
    pub change_of_mind: ChangeOfMind,
    #[serde(default)]
    pub categories: Vec<Category>,
    pub resolutions: Resolutions,
    pub goodwill: Goodwill,
    pub authority: Authority,
}

/// What the chain does for distance sales. The law sets the minimum; the
/// policy may only be more generous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistanceSales {
    /// Withdrawal period in days from delivery (≥ 14, L221-18).
    pub withdrawal_days: u32,
    /// Refund deadline in days from the customer's notice (≤ 14, L221-24).
    pub refund_within_days: u32,
    /// Standard delivery refunded too (must be true, L221-24).
    pub refund_standard_delivery: bool,
    /// A credit note without the customer's express agreement (must be false).
    pub credit_note_without_agreement: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalGuarantee {
    /// Days the chain commits to for a repair or replacement (≤ 30, L217-10).
    pub remedy_within_days: u32,
    /// Immobilisation (days) from which a commercial-warranty repair extends
    /// the commercial warranty (≤ 7, L217-28).
    pub immobilisation_extension_from_days: u32,
}

/// Change of mind (no defect): the chain's commercial policy, identical in
/// every channel. Windows count calendar days from delivery (handover in a
/// store). A missing condition means "not taken back".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeOfMind {
    pub unopened: Option<Window>,
    pub opened: Option<Window>,
    pub used: Option<Window>,
    pub damaged: Option<Window>,
    /// Personalised items are not taken back on a change of mind.
    #[serde(default = "yes")]
    pub exclude_personalised: bool,
    /// Hygiene items unsealed are not taken back on a change of mind.
    #[serde(default = "yes")]
    pub exclude_hygiene_unsealed: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub days: u32,
    pub resolutions: Vec<Resolution>,
    /// Restocking fee on a refund or credit note, percent of the price…
    #[serde(default)]
    pub restocking_percent: Percent,
    /// …capped at this amount (cents).
    #[serde(default)]
    pub restocking_cap_cents: Amount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub label: String,
    /// `false`: excluded from change-of-mind returns (never from the law).
    #[serde(default = "yes")]
    pub change_of_mind: bool,
    /// The catalogue's categories this policy category covers (compared
    /// without case or accents). A product is ruled by the category that
    /// lists its catalogue category.
    #[serde(default)]
    pub catalog: Vec<String>,
    /// Hygiene products: once unsealed, excluded from withdrawal (L221-28)
    /// and, if the policy says so, from change-of-mind returns.
    #[serde(default)]
    pub hygiene: bool,
    /// Made to the customer's specifications (excluded from withdrawal).
    #[serde(default)]
    pub personalised: bool,
}

/// Allowed resolutions per kind of case, beyond change of mind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolutions {
    /// A lack of conformity inside the GLC: must contain repair and
    /// replacement (the customer chooses, L217-9).
    pub legal_guarantee: Vec<Resolution>,
    /// A defect covered only by the commercial warranty.
    pub commercial_warranty: Vec<Resolution>,
    /// A defect with no guarantee left (paid repair, manufacturer…).
    pub out_of_guarantee: Vec<Resolution>,
}

/// Goodwill scale: `base[severity] × repeat% × tier% / 10 000`, capped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goodwill {
    /// Dossiers in the last 30 days from which the case counts as a repeat.
    pub repeat_from_dossiers: u32,
    pub base_cents: PerSeverity,
    /// Multiplier (percent) applied to a repeat.
    pub repeat_percent: u32,
    pub tier_percent: PerTier,
    /// Absolute cap of a gesture (cents).
    pub cap_cents: Amount,
    /// Spend over the last 24 months from which a customer is "loyal"…
    pub loyal_from_cents: Amount,
    /// …and "premium".
    pub premium_from_cents: Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerSeverity {
    pub minor: Amount,
    pub major: Amount,
    pub critical: Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerTier {
    pub standard: u32,
    pub loyal: u32,
    pub premium: u32,
}

/// What a clerk may grant alone (cents). Above: a manager approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    pub refund_cents: Amount,
    pub credit_note_cents: Amount,
    pub exchange_cents: Amount,
    pub gesture_cents: Amount,
    /// A refusal outside the GLC needs a manager too.
    #[serde(default)]
    pub refusal_needs_manager: bool,
    /// Must stay false: a refusal inside the GLC is never a clerk's alone (L241-5).
    #[serde(default)]
    pub clerk_may_refuse_in_guarantee: bool,
}

impl Policy {
    /// Reads and checks a policy. Malformed TOML, an unknown key, a negative
    /// amount → [`CoreError::PolicyInvalid`] with line, column and field; a
    /// document below the legal floor → [`CoreError::PolicyBelowLegalFloor`]
    /// naming the rule and the article.
    pub fn from_toml(text: &str) -> Result<Policy> {
        let policy: Policy = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        policy.check(text)?;
        Ok(policy)
    }

    /// The shipped default policy (`crates/core/policy/default.toml`).
    pub fn default_policy() -> Result<Policy> {
        Policy::from_toml(DEFAULT_POLICY_TOML)
    }

    fn check(&self, text: &str) -> Result<()> {
        let floor = |field: &str, rule: &str, article: &'static str| {
            Err(CoreError::PolicyBelowLegalFloor {
                field: field.to_owned(),
                line: line_of_key(text, field),
                rule: rule.to_owned(),
                article,
            })
        };
        let d = &self.distance_sales;
        if d.withdrawal_days < law::WITHDRAWAL_DAYS {
            return floor(
                "distance_sales.withdrawal_days",
                "délai de rétractation d'au moins 14 jours pour une vente à distance",
                law::WITHDRAWAL_ARTICLE,
            );
        }
        if d.refund_within_days > law::WITHDRAWAL_REFUND_DAYS {
            return floor(
                "distance_sales.refund_within_days",
                "remboursement sous 14 jours après la rétractation",
                law::WITHDRAWAL_REFUND_ARTICLE,
            );
        }
        if !d.refund_standard_delivery {
            return floor(
                "distance_sales.refund_standard_delivery",
                "remboursement des frais de livraison standard",
                law::WITHDRAWAL_REFUND_ARTICLE,
            );
        }
        if d.credit_note_without_agreement {
            return floor(
                "distance_sales.credit_note_without_agreement",
                "avoir seulement avec l'accord exprès du client",
                law::WITHDRAWAL_REFUND_ARTICLE,
            );
        }
        // The policy is the same in every channel: a change-of-mind window
        // under 14 days would promise web customers less than the law.
        let com = &self.change_of_mind;
        for (name, w) in [("unopened", &com.unopened), ("opened", &com.opened)] {
            if let Some(w) = w {
                if w.days < law::WITHDRAWAL_DAYS {
                    return floor(
                        &format!("change_of_mind.{name}.days"),
                        "un retour sans motif d'au moins 14 jours pour une vente à distance \
                         (même politique dans tous les canaux)",
                        law::WITHDRAWAL_ARTICLE,
                    );
                }
            }
        }
        let g = &self.legal_guarantee;
        if g.remedy_within_days > law::GLC_REMEDY_MAX_CALENDAR_DAYS as u32 {
            return floor(
                "legal_guarantee.remedy_within_days",
                "réparation ou remplacement sous 30 jours au plus",
                law::GLC_REMEDY_ARTICLE,
            );
        }
        if g.immobilisation_extension_from_days > law::COMMERCIAL_WARRANTY_IMMOBILISATION_MIN_DAYS {
            return floor(
                "legal_guarantee.immobilisation_extension_from_days",
                "prolongation de la garantie commerciale dès 7 jours d'immobilisation",
                law::COMMERCIAL_WARRANTY_ARTICLE,
            );
        }
        for needed in [Resolution::Repair, Resolution::Replacement] {
            if !self.resolutions.legal_guarantee.contains(&needed) {
                return floor(
                    "resolutions.legal_guarantee",
                    "le client choisit entre réparation et remplacement pendant la garantie légale",
                    law::GLC_CHOICE_ARTICLE,
                );
            }
        }
        if self
            .resolutions
            .legal_guarantee
            .contains(&Resolution::Refusal)
        {
            return floor(
                "resolutions.legal_guarantee",
                "pas de refus de la garantie légale comme résolution ordinaire",
                law::GLC_OBSTRUCTION_ARTICLE,
            );
        }
        if self.authority.clerk_may_refuse_in_guarantee {
            return floor(
                "authority.clerk_may_refuse_in_guarantee",
                "un refus pendant la garantie légale n'est jamais la décision d'un vendeur seul",
                law::GLC_OBSTRUCTION_ARTICLE,
            );
        }
        if self.mediator.trim().is_empty() {
            return floor(
                "mediator",
                "les coordonnées du médiateur figurent sur chaque refus",
                law::MEDIATION_ARTICLE,
            );
        }
        // Plain consistency (not the law).
        let invalid = |field: &str, detail: String| {
            Err(CoreError::PolicyInvalid {
                line: line_of_key(text, field).unwrap_or(0),
                column: 0,
                field: field.to_owned(),
                detail,
            })
        };
        if self.id.trim().is_empty() {
            return invalid("id", "empty".into());
        }
        if self.version.trim().is_empty() {
            return invalid("version", "empty".into());
        }
        let com = &self.change_of_mind;
        for (name, w) in [
            ("unopened", &com.unopened),
            ("opened", &com.opened),
            ("used", &com.used),
            ("damaged", &com.damaged),
        ] {
            if let Some(w) = w {
                if let Some(r) = w.resolutions.iter().find(|r| {
                    !matches!(
                        r,
                        Resolution::Refund | Resolution::Exchange | Resolution::CreditNote
                    )
                }) {
                    return invalid(
                        &format!("change_of_mind.{name}.resolutions"),
                        format!(
                            "{} is not a change-of-mind resolution (refund, exchange, credit_note)",
                            r.code()
                        ),
                    );
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut mapped = std::collections::BTreeMap::new();
        for c in &self.categories {
            if !seen.insert(c.id.as_str()) {
                return invalid("categories", format!("category {:?} appears twice", c.id));
            }
            for name in &c.catalog {
                if let Some(other) = mapped.insert(fold_text(name), c.id.as_str()) {
                    return invalid(
                        "catalog",
                        format!(
                            "catalogue category {name:?} is listed by both {other:?} and {:?}",
                            c.id
                        ),
                    );
                }
            }
        }
        if self.goodwill.premium_from_cents < self.goodwill.loyal_from_cents {
            return invalid(
                "goodwill.premium_from_cents",
                "premium_from_cents must be at least loyal_from_cents".into(),
            );
        }
        Ok(())
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The policy category covering a catalogue category (without case or
    /// accents), if the policy lists it.
    pub fn category_for_catalog(&self, catalog_category: &str) -> Option<&Category> {
        let wanted = fold_text(catalog_category);
        self.categories
            .iter()
            .find(|c| c.catalog.iter().any(|n| fold_text(n) == wanted))
    }

    /// A customer's tier from their spend over the last 24 months.
    pub fn value_tier(&self, spend: crate::Cents) -> super::ValueTier {
        let g = &self.goodwill;
        if spend >= g.premium_from_cents.0 {
            super::ValueTier::Premium
        } else if spend >= g.loyal_from_cents.0 {
            super::ValueTier::Loyal
        } else {
            super::ValueTier::Standard
        }
    }
}

/// The default policy shipped with the app.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../policy/default.toml");

/// Turns a toml/serde error into a [`CoreError::PolicyInvalid`] with the
/// 1-based line and column and the key written on that line.
fn toml_error(text: &str, e: &toml::de::Error) -> CoreError {
    let (line, column, field) = match e.span() {
        Some(span) => {
            // A span may start inside a multi-byte character (seen with
            // random bytes): back up to the character's first byte.
            let mut start = span.start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            let line_text = text[line_start..].lines().next().unwrap_or("");
            (line, column, key_of_line(line_text))
        }
        None => (0, 0, String::new()),
    };
    CoreError::PolicyInvalid {
        line,
        column,
        field,
        detail: e.message().to_owned(),
    }
}

/// `key` of a `key = value` line, or the table name of a `[table]` line.
fn key_of_line(line: &str) -> String {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix('[') {
        return rest
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned();
    }
    t.split('=').next().unwrap_or("").trim().to_owned()
}

/// Best-effort line of a dotted field (`section.key`): the first line
/// defining the last segment after the section's header.
fn line_of_key(text: &str, field: &str) -> Option<usize> {
    let mut parts: Vec<&str> = field.split('.').collect();
    let key = parts.pop()?;
    let section = parts.join(".");
    // A key inside an inline table has no line of its own: use its parent's.
    line_of_key_in(text, &section, key).or_else(|| {
        if section.is_empty() {
            None
        } else {
            line_of_key(text, &section)
        }
    })
}

fn line_of_key_in(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut in_section = section.is_empty();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_section = key_of_line(t) == section;
            continue;
        }
        if in_section && key_of_line(t) == key && t.contains('=') {
            return Some(i + 1);
        }
    }
    None
}
