//! The unified return policy: one document from head office, French consumer
//! law as a floor under it, and a pure engine that explains every decision.
//!
//! - [`law`]: each legal figure once, with its article.
//! - [`Policy`]: the TOML document ([`Policy::from_toml`]). Loading checks it
//!   against the legal floor and rejects it naming the rule and the article.
//! - [`evaluate`]: `(policy, case, today) → decision`, deterministic, no I/O.
//!
//! # Policy format (TOML, unknown keys rejected, amounts in euro cents ≥ 0)
//!
//! ```toml
//! id = "sav-unifie"
//! version = "2026.1"
//! effective_from = 2026-01-01
//! mediator = "Médiateur … (coordonnées)"
//!
//! [distance_sales]          # the law's minimum, restated (checked)
//! withdrawal_days = 14      # ≥ 14 (L221-18); more = the policy's own window
//! refund_within_days = 14   # ≤ 14 (L221-24)
//! refund_standard_delivery = true        # must be true (L221-24)
//! credit_note_without_agreement = false  # must be false (L221-24)
//!
//! [legal_guarantee]
//! remedy_within_days = 30                  # ≤ 30 (L217-10)
//! immobilisation_extension_from_days = 7   # ≤ 7 (L217-28); fewer extends sooner
//!
//! [change_of_mind]          # same in every channel; a missing state = not taken back
//! unopened = { days = 30, resolutions = ["exchange", "credit_note"] }
//! opened = { days = 15, resolutions = ["exchange", "credit_note"], restocking_percent = 10, restocking_cap_cents = 3000 }
//!
//! [[categories]]
//! id = "consumables"
//! label = "Consommables"
//! catalog = ["Consommables"]  # catalogue categories it covers (no case/accents)
//! change_of_mind = false
//! hygiene = false             # unsealed: no withdrawal (L221-28), no change of mind
//! personalised = false        # made to measure: no withdrawal, no change of mind
//!
//! [resolutions]             # legal_guarantee must hold repair and replacement (L217-9)
//! legal_guarantee = ["repair", "replacement", "send_to_manufacturer"]
//! commercial_warranty = ["repair", "send_to_manufacturer"]
//! out_of_guarantee = ["repair", "send_to_manufacturer"]
//!
//! [goodwill]                # base[severity] × repeat% × tier% / 10 000, capped
//! repeat_from_dossiers = 2
//! base_cents = { minor = 0, major = 1000, critical = 3000 }
//! repeat_percent = 150
//! tier_percent = { standard = 100, loyal = 150, premium = 200 }
//! cap_cents = 10000
//!
//! [authority]               # what a clerk grants alone; above → manager
//! refund_cents = 15000
//! credit_note_cents = 30000
//! exchange_cents = 100000
//! gesture_cents = 2000
//! ```
//!
//! # Case (JSON; omitted optional fields take the defaults shown in [`Case`])
//!
//! ```json
//! { "channel": "web", "purchase_date": "2026-11-10", "delivery_date": "2026-11-13",
//!   "request_date": "2026-11-23", "category": "small_appliance", "sold_as": "new",
//!   "item_state": "unopened", "reason": "change_of_mind", "price": 20000,
//!   "delivery_paid": 990, "customer": { "dossiers_last_30_days": 0, "value_tier": "loyal" } }
//! ```
//!
//! Also `last_delivery_date` (the last shipment of the order: the withdrawal
//! period runs from it), `defect_noticed_date`, `commercial_warranty_months`
//! with `commercial_warranty_start` (`purchase`, `delivery`,
//! `legal_guarantee_end`) and `commercial_warranty_guarantor`,
//! `replacement_instead_of_repair` (L217-13).
//!
//! Dates are checked against `today` (an argument, never the clock) and
//! against each other, each with a named error: a request before the
//! purchase or after today, a delivery after the request, a line delivered
//! after the order's last delivery, a defect noticed after the request or
//! before the delivery, a commercial warranty over 120 months.
//!
//! # Decision
//!
//! One [`ResolutionOption`] per [`Resolution`] (always all seven, in order),
//! each with `allowed`, `needs_manager`, `basis` (legal / policy / goodwill),
//! `article` or `rule`, `amount` and a French `explanation`; the computed
//! [`LegalFacts`]; the goodwill [`Gesture`]; the mediator text.
//!
//! Legal grants win over policy grants, which win over goodwill. Authority
//! limits apply to policy and goodwill grants, never to a legal right. A
//! return after the legal withdrawal period (14 days from the receipt of the
//! last item, moved to the next working day by L221-19), inside a longer
//! window of the policy, is the **policy's** (`distance_sales.withdrawal_days`),
//! with the clerk's limits; so is a published store return window
//! (`change_of_mind.*`): a store purchase has no legal withdrawal. A refusal
//! inside the GLC always needs a manager (L241-5), and so does a refusal
//! inside the legal withdrawal period (L221-18); a refusal of an excluded
//! withdrawal cites L221-28. GLC dates are inclusive: delivered on
//! 2024-03-10, the GLC runs through 2026-03-10; each line's from its own
//! delivery.

mod counter;
mod document;
mod engine;
pub mod law;

pub use counter::{
    build_case, check_choice, item_state, CheckedChoice, CommercialWarranty, DecisionChoice,
    DecisionRecord, PolicyPreview, PolicyQuery, PurchaseFacts, Ruling, MANAGER_DECISION_RULE,
};
pub use document::{
    Amount, Authority, Category, ChangeOfMind, DistanceSales, Goodwill, LegalGuarantee,
    PerSeverity, PerTier, Percent, Policy, Resolutions, Window, DEFAULT_POLICY_TOML,
};
pub use engine::{
    conformity_guarantee, evaluate, history_windows, legal_facts, prior_remedies, validate_case,
    warranty_window, Basis, Case, ConformityGuarantee, CustomerHistory, Decision, EarlierRemedy,
    Gesture, ItemState, LegalFacts, PriorRemedies, ReasonKind, Resolution, ResolutionOption,
    Severity, ValueTier, WarrantyStart, RECENT_DOSSIERS_DAYS, SPEND_WINDOW_MONTHS,
};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod law_tests;
