//! The policy at the counter: turning what the store knows (the purchase,
//! the clerk's answers, the customer's history) into a [`Case`], checking
//! the clerk's choice against the [`Decision`], and the record of that
//! choice kept on the dossier's timeline.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::document::Policy;
use super::engine::{
    warranty_window, Basis, Case, CustomerHistory, Decision, ItemState, PriorRemedies, ReasonKind,
    Resolution, ResolutionOption, Severity, WarrantyStart,
};
use crate::dossier::{ItemCondition, MAX_TEXT_CHARS};
use crate::model::{Channel, SoldAs};
use crate::{Cents, CoreError, Result};

/// The purchase as the store's records have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseFacts {
    pub channel: Channel,
    pub purchased_on: NaiveDate,
    /// This line's delivery (its shipment); `None`: handed over at the till
    /// (the purchase date).
    pub delivered_on: Option<NaiveDate>,
    /// The last delivery of the whole order, when it came in several
    /// shipments (the withdrawal period runs from it); `None`: `delivered_on`.
    pub order_last_delivered_on: Option<NaiveDate>,
    /// The product's commercial warranty, from the catalogue or sold with
    /// the order.
    pub commercial_warranty: Option<CommercialWarranty>,
    /// The catalogue's category of the product ("Gros électroménager").
    pub catalog_category: String,
    pub sold_as: SoldAs,
    /// Price paid for one unit of the line.
    pub price: Cents,
    /// Standard delivery paid on the order.
    pub delivery_paid: Cents,
}

/// A commercial warranty (brand, chain, or an extended warranty sold with
/// the order): how long, from when, and who honours it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CommercialWarranty {
    pub months: u32,
    pub starts: WarrantyStart,
    /// "Garantie constructeur Samsung", "Extension de garantie Comptoir+"…
    pub guarantor: String,
}

impl CommercialWarranty {
    /// Checks a warranty as the catalogue records it: 1 to
    /// [`super::law::COMMERCIAL_WARRANTY_MAX_MONTHS`] months, a guarantor.
    pub fn new(months: i64, starts: WarrantyStart, guarantor: &str) -> Result<CommercialWarranty> {
        let max = super::law::COMMERCIAL_WARRANTY_MAX_MONTHS;
        let months = u32::try_from(months)
            .ok()
            .filter(|m| (1..=max).contains(m))
            .ok_or(CoreError::CommercialWarrantyMonths { months, max })?;
        let guarantor = guarantor.trim();
        if guarantor.is_empty() {
            return Err(CoreError::MissingField { field: "guarantor" });
        }
        Ok(CommercialWarranty {
            months,
            starts,
            guarantor: guarantor.to_owned(),
        })
    }

    /// Among a product's warranties (the brand's, an extension sold with
    /// the order…), the one the case is ruled under: the one covering the
    /// request that runs longest, else the one that ended last.
    pub fn pick(
        warranties: Vec<CommercialWarranty>,
        purchase: NaiveDate,
        delivery: NaiveDate,
        request: NaiveDate,
    ) -> Option<CommercialWarranty> {
        warranties.into_iter().max_by_key(|w| {
            let (first, end) = warranty_window(w.months, w.starts, purchase, delivery);
            (first <= request && request <= end, end)
        })
    }
}

/// How the item comes back, for the policy, from the condition the clerk
/// notes and whether the original packaging was never opened. The worse
/// reading wins: a worn, incomplete or damaged item is never "unopened",
/// whatever the box says.
pub fn item_state(condition: ItemCondition, sealed: bool) -> ItemState {
    match (sealed, condition) {
        (_, ItemCondition::Damaged) => ItemState::Damaged,
        (_, ItemCondition::Worn | ItemCondition::Incomplete) => ItemState::Used,
        (true, ItemCondition::AsNew | ItemCondition::Good) => ItemState::Unopened,
        (false, ItemCondition::AsNew | ItemCondition::Good) => ItemState::Opened,
    }
}

/// The case the engine rules on. The product's catalogue category must be
/// covered by the policy ([`CoreError::CategoryNotInPolicy`] otherwise: no
/// silent default).
#[allow(clippy::too_many_arguments)]
pub fn build_case(
    policy: &Policy,
    purchase: &PurchaseFacts,
    reason: ReasonKind,
    state: ItemState,
    severity: Severity,
    customer: CustomerHistory,
    prior: PriorRemedies,
    request_date: NaiveDate,
    defect_noticed_on: Option<NaiveDate>,
) -> Result<Case> {
    let category = policy
        .category_for_catalog(&purchase.catalog_category)
        .ok_or_else(|| CoreError::CategoryNotInPolicy(purchase.catalog_category.clone()))?;
    Ok(Case {
        channel: purchase.channel,
        purchase_date: purchase.purchased_on,
        delivery_date: purchase.delivered_on,
        last_delivery_date: purchase.order_last_delivered_on,
        request_date,
        defect_noticed_date: defect_noticed_on,
        category: category.id.clone(),
        sold_as: purchase.sold_as,
        personalised: category.personalised,
        hygiene_unsealed: category.hygiene && state != ItemState::Unopened,
        sealed_media_unsealed: false,
        perishable: false,
        withdrawal_info_given: true,
        item_state: state,
        reason,
        severity,
        price: purchase.price,
        delivery_paid: purchase.delivery_paid,
        commercial_warranty_months: purchase
            .commercial_warranty
            .as_ref()
            .map_or(0, |w| w.months),
        commercial_warranty_start: purchase
            .commercial_warranty
            .as_ref()
            .map_or(WarrantyStart::Delivery, |w| w.starts),
        commercial_warranty_guarantor: purchase
            .commercial_warranty
            .as_ref()
            .map(|w| w.guarantor.clone()),
        days_immobilised: prior.days_immobilised,
        repaired_under_guarantee: prior.repaired_under_guarantee,
        replaced_under_guarantee_on: prior.replaced_under_guarantee_on,
        replacement_instead_of_repair: prior.replacement_instead_of_repair,
        remedy_failed: false,
        customer,
    })
}

/// What the clerk picks among the decision's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct DecisionChoice {
    pub resolution: Resolution,
    /// A goodwill gesture granted with it (cents), within the scale.
    pub gesture: Option<Cents>,
    pub note: Option<String>,
}

/// A choice checked against the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedChoice {
    pub option: ResolutionOption,
    pub gesture: Option<Cents>,
    /// Why a manager must approve (empty: the clerk decides alone).
    pub approval_reasons: Vec<String>,
}

impl CheckedChoice {
    pub fn needs_manager(&self) -> bool {
        !self.approval_reasons.is_empty()
    }
}

/// What a choice is checked against and recorded under: the engine's
/// decision, or — when the policy cannot rule on the case (no purchase
/// found, a reason or a category it does not cover) — options that only a
/// manager may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
    pub policy_id: String,
    pub policy_version: String,
    /// One per [`Resolution::ALL`], in that order.
    pub options: Vec<ResolutionOption>,
    pub gesture: Option<super::engine::Gesture>,
    pub mediator: Option<String>,
}

impl From<&Decision> for Ruling {
    fn from(d: &Decision) -> Ruling {
        Ruling {
            policy_id: d.policy_id.clone(),
            policy_version: d.policy_version.clone(),
            options: d.options.clone(),
            gesture: d.gesture.clone(),
            mediator: d.mediator.clone(),
        }
    }
}

/// The rule id of a manager's decision outside the automatic policy.
pub const MANAGER_DECISION_RULE: &str = "manager_decision";

impl Ruling {
    /// The policy cannot rule (`why`, in French): any resolution may be
    /// chosen, always by a manager, with no goodwill scale.
    pub fn manager_only(policy: &Policy, why: &str) -> Ruling {
        let options = Resolution::ALL
            .iter()
            .map(|&r| ResolutionOption {
                resolution: r,
                label: r.label_fr().to_owned(),
                allowed: true,
                needs_manager: true,
                basis: Basis::Policy,
                basis_label: Basis::Policy.label_fr().to_owned(),
                article: None,
                rule: Some(MANAGER_DECISION_RULE.to_owned()),
                amount: None,
                explanation: format!(
                    "{} Un responsable décide et en répond avec son code.",
                    why.trim()
                ),
            })
            .collect();
        Ruling {
            policy_id: policy.id.clone(),
            policy_version: policy.version.clone(),
            options,
            gesture: None,
            mediator: Some(policy.mediator.clone()),
        }
    }

    pub fn option(&self, r: Resolution) -> Option<&ResolutionOption> {
        self.options.iter().find(|o| o.resolution == r)
    }
}

/// Checks the clerk's choice: the option must be allowed, a gesture must be
/// on the scale; says whether (and why) a manager must approve.
pub fn check_choice(ruling: &Ruling, choice: &DecisionChoice) -> Result<CheckedChoice> {
    crate::bounds::check_choice(choice)?;
    let option =
        ruling
            .option(choice.resolution)
            .cloned()
            .ok_or_else(|| CoreError::OptionNotAllowed {
                resolution: choice.resolution.label_fr().to_owned(),
                why: "cette solution n'est pas proposée pour ce cas.".to_owned(),
            })?;
    if !option.allowed {
        return Err(CoreError::OptionNotAllowed {
            resolution: choice.resolution.label_fr().to_owned(),
            why: option.explanation,
        });
    }
    // A refusal is always reasoned in writing, on the customer's document.
    if choice.resolution == Resolution::Refusal
        && choice.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(CoreError::RefusalNeedsReason);
    }
    if let Some(n) = &choice.note {
        let len = n.chars().count();
        if len > MAX_TEXT_CHARS {
            return Err(CoreError::TextTooLong {
                field: "note",
                len,
                max: MAX_TEXT_CHARS,
            });
        }
    }
    let mut reasons = Vec::new();
    if option.needs_manager {
        let manager_only = option.rule.as_deref() == Some(MANAGER_DECISION_RULE);
        reasons.push(match (option.basis, option.amount) {
            _ if manager_only => format!(
                "{} : la politique ne s'applique pas automatiquement à ce cas, un responsable décide.",
                choice.resolution.label_fr()
            ),
            (Basis::Legal, _) => format!(
                "{} : la loi demande l'appréciation d'un responsable.",
                choice.resolution.label_fr()
            ),
            (_, Some(a)) => format!(
                "{} de {} : au-delà de ce qu'un conseiller accorde seul.",
                choice.resolution.label_fr(),
                a.format_fr()
            ),
            (_, None) => format!(
                "{} : décision réservée à un responsable.",
                choice.resolution.label_fr()
            ),
        });
    }
    let gesture = match choice.gesture.filter(|g| g.0 != 0) {
        None => None,
        Some(g) if g.0 < 0 => return Err(CoreError::NegativeAmount { field: "gesture" }),
        Some(g) => {
            let scale = ruling.gesture.as_ref().ok_or(CoreError::NoGestureOnScale)?;
            if g > scale.amount {
                return Err(CoreError::GestureAboveScale {
                    asked: g,
                    max: scale.amount,
                });
            }
            if g > scale.clerk_limit {
                reasons.push(format!(
                    "Geste commercial de {} : au-delà de {} accordés par un conseiller seul.",
                    g.format_fr(),
                    scale.clerk_limit.format_fr()
                ));
            }
            Some(g)
        }
    };
    Ok(CheckedChoice {
        option,
        gesture,
        approval_reasons: reasons,
    })
}

/// The decision as recorded on the dossier (and printed on its tickets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DecisionRecord {
    pub resolution: Resolution,
    pub resolution_label: String,
    pub basis: Basis,
    pub basis_label: String,
    pub article: Option<String>,
    pub rule: Option<String>,
    pub amount: Option<Cents>,
    /// What was read to the customer.
    pub explanation: String,
    /// Goodwill gesture granted, and its cost to the chain.
    pub gesture: Option<Cents>,
    pub policy_id: String,
    pub policy_version: String,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
    /// The manager who approved, when the choice needed one.
    pub approved_by: Option<String>,
    pub note: Option<String>,
    /// The mediator's contact, printed with a refusal.
    pub mediator: Option<String>,
}

impl DecisionRecord {
    pub fn new(
        ruling: &Ruling,
        checked: &CheckedChoice,
        note: Option<&str>,
        decided_by: &str,
        decided_at: DateTime<Utc>,
        approved_by: Option<String>,
    ) -> DecisionRecord {
        let o = &checked.option;
        DecisionRecord {
            resolution: o.resolution,
            resolution_label: o.resolution.label_fr().to_owned(),
            basis: o.basis,
            basis_label: o.basis.label_fr().to_owned(),
            article: o.article.clone(),
            rule: o.rule.clone(),
            amount: o.amount,
            explanation: o.explanation.clone(),
            gesture: checked.gesture,
            policy_id: ruling.policy_id.clone(),
            policy_version: ruling.policy_version.clone(),
            decided_by: decided_by.trim().to_owned(),
            decided_at,
            approved_by,
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            mediator: (o.resolution == Resolution::Refusal)
                .then(|| ruling.mediator.clone())
                .flatten(),
        }
    }

    /// "Avoir de 769,00 €" / "Réparation".
    pub fn headline_fr(&self) -> String {
        match self.amount {
            Some(a) if self.resolution != Resolution::Refusal => {
                format!("{} de {}", self.resolution_label, a.format_fr())
            }
            _ => self.resolution_label.clone(),
        }
    }

    /// "La loi (L217-9)" / "La politique de l'enseigne (règle change_of_mind.opened)".
    pub fn basis_fr(&self) -> String {
        match (&self.article, &self.rule) {
            (Some(a), _) => format!("{} ({a})", self.basis_label),
            (None, Some(r)) => format!("{} (règle {r})", self.basis_label),
            (None, None) => self.basis_label.clone(),
        }
    }

    /// One line for the timeline.
    pub fn timeline_fr(&self) -> String {
        let gesture = self
            .gesture
            .map(|g| format!(" + geste commercial de {}", g.format_fr()))
            .unwrap_or_default();
        format!(
            "{}{gesture} — {} — politique {} {}",
            self.headline_fr(),
            self.basis_fr(),
            self.policy_id,
            self.policy_version
        )
    }
}

/// What the intake screen sends to see the options before opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyQuery {
    pub customer_id: crate::ids::CustomerId,
    pub order_line_id: Option<crate::ids::OrderLineId>,
    pub reason_code: String,
    pub condition: ItemCondition,
    /// The original packaging was never opened.
    pub sealed: bool,
    pub severity: Severity,
    /// When the customer noticed the defect (hidden defects, presumption).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub defect_noticed_on: Option<NaiveDate>,
}

/// What the intake screen shows: the decision, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PolicyPreview {
    pub decision: Option<Decision>,
    /// The policy category the product falls in ("Gros électroménager").
    pub category_label: Option<String>,
    /// Why no decision is shown (no purchase record, a reason outside the
    /// policy, a category the policy does not cover…).
    pub unavailable: Option<String>,
    /// Then, the options a manager may still take (each needs a manager's
    /// PIN); empty when there is a decision.
    pub manager_options: Vec<ResolutionOption>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ValueTier;

    fn policy() -> Policy {
        Policy::default_policy().expect("default policy")
    }

    fn purchase(channel: Channel, category: &str, price: i64) -> PurchaseFacts {
        PurchaseFacts {
            channel,
            purchased_on: NaiveDate::from_ymd_opt(2026, 11, 17).unwrap(),
            delivered_on: None,
            order_last_delivered_on: None,
            commercial_warranty: None,
            catalog_category: category.into(),
            sold_as: SoldAs::New,
            price: Cents(price),
            delivery_paid: Cents(0),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn case(p: &PurchaseFacts, reason: ReasonKind, state: ItemState) -> Case {
        build_case(
            &policy(),
            p,
            reason,
            state,
            Severity::Major,
            CustomerHistory::default(),
            PriorRemedies::default(),
            today(),
            None,
        )
        .expect("case")
    }

    #[test]
    fn condition_and_seal_map_to_the_policy_state() {
        assert_eq!(item_state(ItemCondition::AsNew, true), ItemState::Unopened);
        assert_eq!(item_state(ItemCondition::AsNew, false), ItemState::Opened);
        assert_eq!(item_state(ItemCondition::Good, false), ItemState::Opened);
        assert_eq!(item_state(ItemCondition::Worn, false), ItemState::Used);
        // Contradictory answers: the worse reading wins.
        assert_eq!(item_state(ItemCondition::Incomplete, true), ItemState::Used);
        assert_eq!(item_state(ItemCondition::Worn, true), ItemState::Used);
        assert_eq!(item_state(ItemCondition::Damaged, true), ItemState::Damaged);
    }

    #[test]
    fn catalogue_category_maps_without_case_or_accents_and_unknown_is_an_error() {
        let p = purchase(Channel::Store, "gros electromenager", 49_900);
        assert_eq!(
            case(&p, ReasonKind::Defect, ItemState::Opened).category,
            "large_appliance"
        );
        let hygiene = purchase(Channel::Web, "Beauté et santé", 8_900);
        let c = case(&hygiene, ReasonKind::ChangeOfMind, ItemState::Opened);
        assert!(c.hygiene_unsealed, "an opened hygiene product is unsealed");
        assert!(!case(&hygiene, ReasonKind::ChangeOfMind, ItemState::Unopened).hygiene_unsealed);
        let unknown = purchase(Channel::Store, "Animalerie", 1_000);
        assert_eq!(
            build_case(
                &policy(),
                &unknown,
                ReasonKind::Defect,
                ItemState::Opened,
                Severity::Major,
                CustomerHistory::default(),
                PriorRemedies::default(),
                today(),
                None
            ),
            Err(CoreError::CategoryNotInPolicy("Animalerie".into()))
        );
    }

    #[test]
    fn a_store_credit_note_above_the_clerk_limit_needs_a_manager_and_says_why() {
        let pol = policy();
        let tv = purchase(Channel::Store, "TV et son", 79_900);
        let c = case(&tv, ReasonKind::ChangeOfMind, ItemState::Opened);
        let d = crate::policy::evaluate(&pol, &c, today()).expect("decision");
        let credit = check_choice(
            &Ruling::from(&d),
            &DecisionChoice {
                resolution: Resolution::CreditNote,
                gesture: None,
                note: None,
            },
        )
        .expect("allowed");
        assert!(credit.needs_manager());
        assert_eq!(
            credit.option.amount,
            Some(Cents(76_900)),
            "10 % capped at 30 €"
        );
        assert!(
            credit.approval_reasons[0].contains("769,00"),
            "{:?}",
            credit.approval_reasons
        );
        // An exchange of the same product stays within a clerk's limit.
        let exchange = check_choice(
            &Ruling::from(&d),
            &DecisionChoice {
                resolution: Resolution::Exchange,
                gesture: None,
                note: None,
            },
        )
        .expect("allowed");
        assert!(!exchange.needs_manager());
        // A refund is not offered for an in-store change of mind.
        let refund = check_choice(
            &Ruling::from(&d),
            &DecisionChoice {
                resolution: Resolution::Refund,
                gesture: None,
                note: None,
            },
        );
        assert!(
            matches!(refund, Err(CoreError::OptionNotAllowed { .. })),
            "{refund:?}"
        );
    }

    #[test]
    fn gestures_follow_the_scale() {
        let pol = policy();
        let p = purchase(Channel::Web, "Petit électroménager", 19_900);
        let mut c = case(&p, ReasonKind::Defect, ItemState::Opened);
        c.customer = CustomerHistory {
            dossiers_last_30_days: 2,
            value_tier: ValueTier::Loyal,
        };
        c.severity = Severity::Critical;
        let d = crate::policy::evaluate(&pol, &c, today()).expect("decision");
        let scale = d.gesture.clone().expect("a gesture on the scale");
        // 30 € × 150 % × 150 % = 67,50 €, under the 100 € cap.
        assert_eq!(scale.amount, Cents(6_750));
        let choose = |g: i64| {
            check_choice(
                &Ruling::from(&d),
                &DecisionChoice {
                    resolution: Resolution::Repair,
                    gesture: Some(Cents(g)),
                    note: None,
                },
            )
        };
        assert!(!choose(2_000).expect("within clerk limit").needs_manager());
        assert!(choose(2_001).expect("on the scale").needs_manager());
        assert!(choose(6_750).expect("on the scale").needs_manager());
        assert_eq!(
            choose(6_751),
            Err(CoreError::GestureAboveScale {
                asked: Cents(6_751),
                max: Cents(6_750)
            })
        );
        assert_eq!(
            choose(-5),
            Err(CoreError::NegativeAmount { field: "gesture" })
        );
        assert_eq!(choose(0).expect("no gesture").gesture, None);
    }

    #[test]
    fn no_gesture_when_the_scale_gives_none() {
        let pol = policy();
        let p = purchase(Channel::Store, "TV et son", 79_900);
        let c = case(&p, ReasonKind::ChangeOfMind, ItemState::Unopened);
        let d = crate::policy::evaluate(&pol, &c, today()).expect("decision");
        assert_eq!(
            check_choice(
                &Ruling::from(&d),
                &DecisionChoice {
                    resolution: Resolution::Exchange,
                    gesture: Some(Cents(500)),
                    note: None
                }
            ),
            Err(CoreError::NoGestureOnScale)
        );
    }

    #[test]
    fn record_says_what_why_and_which_policy() {
        let pol = policy();
        let p = purchase(Channel::Store, "TV et son", 79_900);
        let c = case(&p, ReasonKind::ChangeOfMind, ItemState::Opened);
        let d = crate::policy::evaluate(&pol, &c, today()).expect("decision");
        let choice = DecisionChoice {
            resolution: Resolution::CreditNote,
            gesture: None,
            note: Some("  ".into()),
        };
        let checked = check_choice(&Ruling::from(&d), &choice).expect("allowed");
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 10, 0, 0).unwrap();
        let r = DecisionRecord::new(
            &Ruling::from(&d),
            &checked,
            Some("  "),
            "Camille",
            at,
            Some("Sophie".into()),
        );
        assert_eq!(r.note, None);
        assert_eq!(r.headline_fr(), "Avoir de 769,00\u{a0}€");
        assert_eq!(
            r.timeline_fr(),
            "Avoir de 769,00\u{a0}€ — La politique de l'enseigne (règle change_of_mind.opened) — politique sav-unifie 2026.1"
        );
        assert_eq!(r.mediator, None, "the mediator goes with a refusal");
    }

    #[test]
    fn a_catalogue_category_listed_twice_or_tiers_upside_down_are_refused() {
        let twice = crate::policy::DEFAULT_POLICY_TOML.replacen(
            "catalog = [\"Literie\", \"Mobilier\"]",
            "catalog = [\"Literie\", \"TV et son\"]",
            1,
        );
        assert_ne!(twice, crate::policy::DEFAULT_POLICY_TOML, "fixture edited");
        match Policy::from_toml(&twice) {
            Err(CoreError::PolicyInvalid { field, detail, .. }) => {
                assert_eq!(field, "catalog");
                assert!(detail.contains("TV et son"), "{detail}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let upside_down = crate::policy::DEFAULT_POLICY_TOML.replacen(
            "premium_from_cents = 500000",
            "premium_from_cents = 1000",
            1,
        );
        match Policy::from_toml(&upside_down) {
            Err(CoreError::PolicyInvalid { field, line, .. }) => {
                assert_eq!(field, "goodwill.premium_from_cents");
                let expected = upside_down
                    .lines()
                    .position(|l| l.starts_with("premium_from_cents"))
                    .expect("the edited line")
                    + 1;
                assert_eq!(line, expected);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let p = policy();
        assert_eq!(p.value_tier(Cents(149_999)), ValueTier::Standard);
        assert_eq!(p.value_tier(Cents(150_000)), ValueTier::Loyal);
        assert_eq!(p.value_tier(Cents(500_000)), ValueTier::Premium);
    }

    #[test]
    fn without_an_automatic_ruling_only_a_manager_decides_and_no_gesture() {
        let pol = policy();
        let ruling = Ruling::manager_only(&pol, "Sans achat retrouvé.");
        assert_eq!(ruling.options.len(), Resolution::ALL.len());
        for r in Resolution::ALL {
            let c = check_choice(
                &ruling,
                &DecisionChoice {
                    resolution: *r,
                    gesture: None,
                    note: Some("Vu avec le client.".into()),
                },
            )
            .expect("any resolution, by a manager");
            assert!(c.needs_manager(), "{r:?}");
            assert!(c.approval_reasons[0].contains("un responsable décide"));
        }
        assert_eq!(
            check_choice(
                &ruling,
                &DecisionChoice {
                    resolution: Resolution::Refund,
                    gesture: Some(Cents(500)),
                    note: None,
                }
            ),
            Err(CoreError::NoGestureOnScale)
        );
        let unreasoned = DecisionChoice {
            resolution: Resolution::Refusal,
            gesture: None,
            note: Some("  ".into()),
        };
        assert_eq!(
            check_choice(&ruling, &unreasoned),
            Err(CoreError::RefusalNeedsReason),
            "a refusal is reasoned in writing"
        );
        let refusal = check_choice(
            &ruling,
            &DecisionChoice {
                note: Some("Produit acheté dans une autre enseigne.".into()),
                ..unreasoned
            },
        )
        .expect("a manager may refuse");
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 10, 0, 0).unwrap();
        let r = DecisionRecord::new(&ruling, &refusal, None, "Julie", at, Some("Sophie".into()));
        assert_eq!(r.rule.as_deref(), Some(MANAGER_DECISION_RULE));
        assert_eq!(
            r.mediator.as_deref(),
            Some(pol.mediator.as_str()),
            "a refusal names the mediator"
        );
    }
}
