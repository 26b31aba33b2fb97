//! The decision engine: a pure function of a policy, a case and today's date.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::document::{Policy, Window};
use super::law;
use crate::calendar::next_legal_working_day_in;
use crate::model::{Channel, SoldAs};
use crate::{Cents, CoreError, Result};

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        $(#[$doc])*
        pub enum $name { $($(#[$vdoc])* $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn from_code(code: &str) -> Option<$name> { Self::ALL.iter().copied().find(|v| v.code() == code) }
        }
    };
}

code_enum!(
    /// Every outcome the engine rules on, always in this order.
    /// (TypeScript: `PolicyResolution`, as the dossier has its own `Resolution`.)
    #[ts(rename = "PolicyResolution")]
    Resolution {
        Refund = "refund",
        Exchange = "exchange",
        CreditNote = "credit_note",
        Repair = "repair",
        Replacement = "replacement",
        SendToManufacturer = "send_to_manufacturer",
        Refusal = "refusal",
    }
);

code_enum!(
    /// State of the item brought back.
    ItemState { Unopened = "unopened", Opened = "opened", Used = "used", Damaged = "damaged" }
);

code_enum!(
    /// Why the customer comes back.
    ReasonKind {
        /// The product fails or does not work as it should.
        Defect = "defect",
        /// Damaged in transport, found at delivery.
        DeliveryDamage = "delivery_damage",
        /// Not the product ordered.
        WrongItem = "wrong_item",
        /// No defect: the customer no longer wants it.
        ChangeOfMind = "change_of_mind",
    }
);

code_enum!(
    /// When a commercial warranty starts counting.
    WarrantyStart {
        /// The day of the purchase.
        Purchase = "purchase",
        /// The item's own delivery (handover in store).
        Delivery = "delivery",
        /// The day after the legal conformity guarantee ends (an extended
        /// warranty that takes over from the law).
        LegalGuaranteeEnd = "legal_guarantee_end",
    }
);

impl WarrantyStart {
    pub fn label_fr(self) -> &'static str {
        match self {
            WarrantyStart::Purchase => "à partir de l'achat",
            WarrantyStart::Delivery => "à partir de la livraison",
            WarrantyStart::LegalGuaranteeEnd => "à la fin de la garantie légale",
        }
    }
}

fn default_warranty_start() -> WarrantyStart {
    WarrantyStart::Delivery
}

code_enum!(
    /// How serious the trouble is for the customer (goodwill scale).
    Severity { Minor = "minor", Major = "major", Critical = "critical" }
);

code_enum!(
    /// The customer's value to the chain (goodwill scale).
    ValueTier { Standard = "standard", Loyal = "loyal", Premium = "premium" }
);

code_enum!(
    /// Where a granted option comes from.
    Basis {
        /// The law: the clerk cannot deny it.
        Legal = "legal",
        /// The chain's policy: its published return windows (in store, and
        /// for distance sales after the legal period), the commercial
        /// warranty, paid services, a refusal outside any right. Subject to
        /// the clerk's authority limits.
        Policy = "policy",
        /// A commercial gesture beyond any right.
        Goodwill = "goodwill",
    }
);

impl Resolution {
    /// What the clerk and the customer read.
    pub fn label_fr(self) -> &'static str {
        match self {
            Resolution::Refund => "Remboursement",
            Resolution::Exchange => "Échange",
            Resolution::CreditNote => "Avoir",
            Resolution::Repair => "Réparation",
            Resolution::Replacement => "Remplacement",
            Resolution::SendToManufacturer => "Envoi au fabricant",
            Resolution::Refusal => "Refus",
        }
    }
}

impl Basis {
    pub fn label_fr(self) -> &'static str {
        match self {
            Basis::Legal => "La loi",
            Basis::Policy => "La politique de l'enseigne",
            Basis::Goodwill => "Un geste de l'enseigne",
        }
    }
}

impl Severity {
    pub fn label_fr(self) -> &'static str {
        match self {
            Severity::Minor => "Gêne légère",
            Severity::Major => "Gêne importante",
            Severity::Critical => "Produit essentiel inutilisable",
        }
    }
}

fn yes() -> bool {
    true
}

/// A customer's request at the counter. JSON field names are the snake_case
/// Rust names; optional fields may be omitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Case {
    pub channel: Channel,
    pub purchase_date: NaiveDate,
    /// Receipt of this item (its own shipment); a store handover is a
    /// delivery. The conformity guarantee runs from it. Omitted: the
    /// purchase date.
    #[serde(default)]
    pub delivery_date: Option<NaiveDate>,
    /// Receipt of the last item of the order, when it came in several
    /// shipments: the withdrawal period runs from it (L221-18). Omitted:
    /// `delivery_date`.
    #[serde(default)]
    pub last_delivery_date: Option<NaiveDate>,
    pub request_date: NaiveDate,
    /// When the customer noticed the defect (hidden defects, presumption).
    /// Omitted: the request date.
    #[serde(default)]
    pub defect_noticed_date: Option<NaiveDate>,
    pub category: String,
    pub sold_as: SoldAs,
    #[serde(default)]
    pub personalised: bool,
    /// A hygiene item whose seal was broken after delivery.
    #[serde(default)]
    pub hygiene_unsealed: bool,
    /// Sealed audio, video or software unsealed after delivery.
    #[serde(default)]
    pub sealed_media_unsealed: bool,
    #[serde(default)]
    pub perishable: bool,
    /// The customer was told about the withdrawal right (distance sales).
    #[serde(default = "yes")]
    pub withdrawal_info_given: bool,
    pub item_state: ItemState,
    pub reason: ReasonKind,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    pub price: Cents,
    /// Standard delivery paid by the customer (refunded on withdrawal).
    #[serde(default)]
    pub delivery_paid: Cents,
    /// Commercial warranty length in months (0: none, at most
    /// [`law::COMMERCIAL_WARRANTY_MAX_MONTHS`]).
    #[serde(default)]
    pub commercial_warranty_months: u32,
    /// When the commercial warranty starts. Omitted: the delivery.
    #[serde(default = "default_warranty_start")]
    pub commercial_warranty_start: WarrantyStart,
    /// Who honours the commercial warranty (brand, chain, insurer).
    #[serde(default)]
    pub commercial_warranty_guarantor: Option<String>,
    /// Days the product was immobilised by commercial-warranty repairs.
    #[serde(default)]
    pub days_immobilised: u32,
    /// Already repaired under the GLC once (+6 months of GLC).
    #[serde(default)]
    pub repaired_under_guarantee: bool,
    /// Replaced under the GLC on this date.
    #[serde(default)]
    pub replaced_under_guarantee_on: Option<NaiveDate>,
    /// That replacement was made because the repair the customer chose was
    /// not carried out: a new GLC starts on the replacement (L217-13).
    /// Otherwise the guarantee runs on from the delivery.
    #[serde(default)]
    pub replacement_instead_of_repair: bool,
    /// A GLC repair or replacement was refused, failed, took over 30 days,
    /// or the defect came back: price reduction or refund (L217-14).
    #[serde(default)]
    pub remedy_failed: bool,
    #[serde(default)]
    pub customer: CustomerHistory,
}

fn default_severity() -> Severity {
    Severity::Major
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CustomerHistory {
    /// Dossiers opened by this customer in the last 30 days (this one excluded).
    #[serde(default)]
    pub dossiers_last_30_days: u32,
    #[serde(default = "default_tier")]
    pub value_tier: ValueTier,
}

fn default_tier() -> ValueTier {
    ValueTier::Standard
}

impl Default for CustomerHistory {
    fn default() -> Self {
        CustomerHistory {
            dossiers_last_30_days: 0,
            value_tier: ValueTier::Standard,
        }
    }
}

/// The dates the law attaches to the case, computed once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LegalFacts {
    /// This item's delivery: the conformity guarantee runs from it.
    pub delivery_date: NaiveDate,
    /// When the customer noticed the defect (the request date if not said).
    pub defect_noticed_date: NaiveDate,
    /// Last day of the legal conformity guarantee (inclusive).
    pub guarantee_end: NaiveDate,
    pub guarantee_active: bool,
    /// Last day of the presumption that the defect existed at delivery.
    pub presumption_end: NaiveDate,
    pub presumption_applies: bool,
    /// Where the GLC would end after a repair under it (+6 months).
    pub guarantee_end_if_repaired: NaiveDate,
    /// Latest date for a GLC repair or replacement (request + 30 days).
    pub remedy_deadline: Option<NaiveDate>,
    /// Distance sales: the withdrawal period runs from this receipt (the
    /// last item of the order, L221-18).
    pub withdrawal_from: Option<NaiveDate>,
    /// Distance sales: the last day of the legal period as counted (14 days,
    /// +12 months when the customer was not informed), before L221-19 moves
    /// a Saturday, Sunday or holiday to the next working day.
    pub withdrawal_period_end: Option<NaiveDate>,
    /// Distance sales: last day of the **legal** withdrawal period, after
    /// the next-working-day rule (L221-19).
    pub withdrawal_deadline: Option<NaiveDate>,
    /// The legal withdrawal period is open on the request date.
    pub withdrawal_open: bool,
    /// Distance sales: last day of the longer return window the policy
    /// grants (`distance_sales.withdrawal_days`), when it ends after the
    /// legal period. A return in it is the policy's, not the law's.
    pub policy_withdrawal_deadline: Option<NaiveDate>,
    /// The request falls after the legal period, inside the policy's window.
    pub policy_withdrawal_open: bool,
    /// Why the withdrawal right does not apply, when it is excluded.
    pub withdrawal_exclusion: Option<String>,
    /// First day of the commercial warranty.
    pub commercial_warranty_start: Option<NaiveDate>,
    /// Commercial warranty end, extended by an immobilisation of 7 days or
    /// more (L217-28) — or from the policy's lower threshold.
    pub commercial_warranty_end: Option<NaiveDate>,
    pub commercial_warranty_extended_days: u32,
    /// Who honours the commercial warranty.
    pub commercial_warranty_guarantor: Option<String>,
    /// Hidden-defect action: last day (discovery + 2 years).
    pub hidden_defect_deadline: NaiveDate,
}

/// One resolution and what the counter may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResolutionOption {
    pub resolution: Resolution,
    /// "Avoir", "Réparation"…
    pub label: String,
    pub allowed: bool,
    /// A manager must approve (authority limits, or the law asks for judgement).
    pub needs_manager: bool,
    /// Where the answer comes from (for a refusal of the option too).
    pub basis: Basis,
    /// "La loi", "La politique de l'enseigne", "Un geste de l'enseigne".
    pub basis_label: String,
    /// Article of law, when the basis is legal (or the law forbids it).
    pub article: Option<String>,
    /// Policy rule id, when the basis is the policy or goodwill.
    pub rule: Option<String>,
    /// Amount involved (refund, credit note), when there is one.
    pub amount: Option<Cents>,
    /// French text the clerk can read aloud.
    pub explanation: String,
}

/// A goodwill gesture from the policy's scale (TypeScript: `PolicyGesture`,
/// as the dossier has its own `Gesture`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "PolicyGesture")]
pub struct Gesture {
    /// The most the scale grants for this case.
    pub amount: Cents,
    /// Whether that amount needs a manager.
    pub needs_manager: bool,
    /// What a clerk may grant alone (above: a manager approves).
    pub clerk_limit: Cents,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Decision {
    pub policy_id: String,
    pub policy_version: String,
    pub facts: LegalFacts,
    /// One entry per [`Resolution::ALL`], in that order.
    pub options: Vec<ResolutionOption>,
    pub gesture: Option<Gesture>,
    /// The mediator's contact text (L612-1), set when a refusal is possible.
    pub mediator: Option<String>,
}

impl Decision {
    pub fn option(&self, r: Resolution) -> &ResolutionOption {
        // `options` always holds every resolution in `Resolution::ALL` order.
        &self.options[r as usize]
    }
}

fn add_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m))
        .unwrap_or(NaiveDate::MAX)
}

fn add_days(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MAX)
}

fn fr(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Checks the case's dates against each other and against `today`.
pub fn validate_case(case: &Case, today: NaiveDate) -> Result<()> {
    crate::bounds::check_case(case, today)?;
    let future = |field: &'static str, date: NaiveDate| {
        if date > today {
            Err(CoreError::DateInFuture { field, date, today })
        } else {
            Ok(())
        }
    };
    future("purchase_date", case.purchase_date)?;
    future("request_date", case.request_date)?;
    if case.request_date < case.purchase_date {
        return Err(CoreError::DateBeforePurchase {
            field: "request_date",
            date: case.request_date,
            purchase: case.purchase_date,
        });
    }
    for (field, date) in [
        ("delivery_date", case.delivery_date),
        ("last_delivery_date", case.last_delivery_date),
    ] {
        let Some(d) = date else { continue };
        future(field, d)?;
        if d < case.purchase_date {
            return Err(CoreError::DateBeforePurchase {
                field,
                date: d,
                purchase: case.purchase_date,
            });
        }
        if d > case.request_date {
            return Err(CoreError::DeliveryAfterRequest {
                delivery: d,
                request: case.request_date,
            });
        }
    }
    let delivery = case.delivery_date.unwrap_or(case.purchase_date);
    if let Some(last) = case.last_delivery_date {
        if last < delivery {
            return Err(CoreError::DeliveryAfterLastDelivery {
                line: delivery,
                last,
            });
        }
    }
    if let Some(d) = case.defect_noticed_date {
        future("defect_noticed_date", d)?;
        if d > case.request_date {
            return Err(CoreError::DefectNoticedAfterRequest {
                noticed: d,
                request: case.request_date,
            });
        }
        if d < delivery {
            return Err(CoreError::DefectNoticedBeforeDelivery {
                noticed: d,
                delivery,
            });
        }
    }
    if case.commercial_warranty_months > law::COMMERCIAL_WARRANTY_MAX_MONTHS {
        return Err(CoreError::CommercialWarrantyMonths {
            months: i64::from(case.commercial_warranty_months),
            max: law::COMMERCIAL_WARRANTY_MAX_MONTHS,
        });
    }
    if let Some(d) = case.replaced_under_guarantee_on {
        future("replaced_under_guarantee_on", d)?;
    }
    if case.price.0 < 0 {
        return Err(CoreError::NegativeAmount { field: "price" });
    }
    if case.delivery_paid.0 < 0 {
        return Err(CoreError::NegativeAmount {
            field: "delivery_paid",
        });
    }
    Ok(())
}

/// The legal facts of a case, and the two places where the policy may be
/// more generous than the law: a longer return window for distance sales
/// (`distance_sales.withdrawal_days`, reported apart from the legal period)
/// and a lower immobilisation threshold for extending a commercial warranty
/// (`legal_guarantee.immobilisation_extension_from_days`).
pub fn legal_facts(case: &Case, policy: &Policy) -> LegalFacts {
    let delivery = case.delivery_date.unwrap_or(case.purchase_date);
    let ConformityGuarantee {
        start,
        end: guarantee_end,
    } = conformity_guarantee(
        delivery,
        &PriorRemedies {
            repaired_under_guarantee: case.repaired_under_guarantee,
            replaced_under_guarantee_on: case.replaced_under_guarantee_on,
            replacement_instead_of_repair: case.replacement_instead_of_repair,
            days_immobilised: case.days_immobilised,
        },
    );
    let noticed = case.defect_noticed_date.unwrap_or(case.request_date);
    let guarantee_active = noticed <= guarantee_end;
    let presumption_months = match case.sold_as {
        SoldAs::New => law::GLC_PRESUMPTION_NEW_MONTHS,
        SoldAs::Used | SoldAs::Refurbished => law::GLC_PRESUMPTION_SECOND_HAND_MONTHS,
    };
    let presumption_end = add_months(start, presumption_months);

    let mut w = Withdrawal::default();
    if case.channel.is_distance_sale() {
        // L221-18: from the receipt of the last item of the order. L221-19:
        // the day of receipt is not counted, so day 14 is receipt + 14.
        let from = case.last_delivery_date.unwrap_or(delivery).max(delivery);
        let mut end = add_days(from, law::WITHDRAWAL_DAYS);
        if !case.withdrawal_info_given {
            end = add_months(end, law::WITHDRAWAL_NOT_INFORMED_EXTENSION_MONTHS);
        }
        let deadline = next_legal_working_day_in(end, false);
        let exclusion = if case.personalised {
            Some("bien personnalisé ou fabriqué selon les spécifications du client")
        } else if case.perishable {
            Some("bien périssable")
        } else if case.hygiene_unsealed {
            Some("bien d'hygiène descellé après la livraison")
        } else if case.sealed_media_unsealed {
            Some("enregistrement audio, vidéo ou logiciel descellé après la livraison")
        } else {
            None
        };
        let open = exclusion.is_none() && case.request_date <= deadline;
        // The policy's own window, counted in calendar days from the same
        // receipt; only reported when it goes beyond the legal period.
        let policy_end = add_days(from, policy.distance_sales.withdrawal_days);
        let policy_deadline = (policy_end > deadline).then_some(policy_end);
        w = Withdrawal {
            from: Some(from),
            period_end: Some(end),
            deadline: Some(deadline),
            open,
            exclusion: exclusion.map(str::to_owned),
            policy_deadline,
            policy_open: exclusion.is_none()
                && !open
                && policy_deadline.is_some_and(|d| case.request_date <= d),
        };
    }

    let (cw_start, cw_end, extended) = if case.commercial_warranty_months > 0 {
        // L217-28: 7 days or more of immobilisation are added; a policy may
        // extend from fewer days (never more: checked on loading).
        let threshold = policy
            .legal_guarantee
            .immobilisation_extension_from_days
            .clamp(1, law::COMMERCIAL_WARRANTY_IMMOBILISATION_MIN_DAYS);
        let extended = if case.days_immobilised >= threshold {
            case.days_immobilised
        } else {
            0
        };
        let (first, end) = warranty_window(
            case.commercial_warranty_months,
            case.commercial_warranty_start,
            case.purchase_date,
            delivery,
        );
        (Some(first), Some(add_days(end, extended)), extended)
    } else {
        (None, None, 0)
    };

    LegalFacts {
        delivery_date: delivery,
        defect_noticed_date: noticed,
        guarantee_end,
        guarantee_active,
        presumption_end,
        presumption_applies: noticed <= presumption_end,
        guarantee_end_if_repaired: add_months(guarantee_end, law::GLC_REPAIR_EXTENSION_MONTHS),
        remedy_deadline: guarantee_active
            .then(|| add_days(case.request_date, law::GLC_REMEDY_MAX_CALENDAR_DAYS as u32)),
        withdrawal_from: w.from,
        withdrawal_period_end: w.period_end,
        withdrawal_deadline: w.deadline,
        withdrawal_open: w.open,
        policy_withdrawal_deadline: w.policy_deadline,
        policy_withdrawal_open: w.policy_open,
        withdrawal_exclusion: w.exclusion,
        commercial_warranty_start: cw_start,
        commercial_warranty_end: cw_end,
        commercial_warranty_extended_days: extended,
        commercial_warranty_guarantor: (case.commercial_warranty_months > 0)
            .then(|| case.commercial_warranty_guarantor.clone())
            .flatten(),
        hidden_defect_deadline: add_months(noticed, law::HIDDEN_DEFECT_ACTION_MONTHS),
    }
}

/// What earlier dossiers on the same purchased line did (the law counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PriorRemedies {
    pub repaired_under_guarantee: bool,
    pub replaced_under_guarantee_on: Option<NaiveDate>,
    /// That replacement came instead of a repair the customer had chosen
    /// (L217-13: a new guarantee).
    pub replacement_instead_of_repair: bool,
    /// Days immobilised by commercial-warranty repairs.
    pub days_immobilised: u32,
}

/// The legal conformity guarantee of a good, from its delivery and what
/// earlier dossiers on it did: the one reading of L217-3 and L217-13 that
/// the policy engine and the committed deadline's legal cap share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConformityGuarantee {
    /// When it runs from: the delivery, or the day a replacement that came
    /// instead of the chosen repair was handed over (a new guarantee).
    pub start: NaiveDate,
    /// Its last day, with 6 more months after a repair under it.
    pub end: NaiveDate,
}

/// See [`ConformityGuarantee`]. L217-13: a replacement gives a new
/// guarantee only when it came instead of the repair the customer chose
/// (any other replacement runs on); a repair under the guarantee extends it
/// by 6 months.
pub fn conformity_guarantee(delivery: NaiveDate, prior: &PriorRemedies) -> ConformityGuarantee {
    let renewed_on = prior
        .replaced_under_guarantee_on
        .filter(|_| prior.replacement_instead_of_repair);
    let start = renewed_on.unwrap_or(delivery);
    let mut end = add_months(
        start,
        if renewed_on.is_some() {
            law::GLC_REPLACEMENT_NEW_GUARANTEE_MONTHS
        } else {
            law::GLC_DURATION_MONTHS
        },
    );
    if prior.repaired_under_guarantee {
        end = add_months(end, law::GLC_REPAIR_EXTENSION_MONTHS);
    }
    ConformityGuarantee { start, end }
}

/// A finished earlier dossier on the same purchased line, as the law reads
/// it (see [`prior_remedies`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlierRemedy {
    pub resolution: Resolution,
    pub basis: Basis,
    pub opened_at: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
    /// The store's local date of the closure (the day the good came back).
    pub closed_on: NaiveDate,
    /// A repair had been chosen on that dossier before it ended in a
    /// replacement.
    pub repair_chosen_first: bool,
}

/// What earlier dossiers on a line did under the law: a legal repair
/// (+6 months), the latest legal replacement (and whether it came instead
/// of a chosen repair: a new guarantee), and the days other repairs kept
/// the good (a commercial warranty is extended by them, L217-28).
pub fn prior_remedies(earlier: &[EarlierRemedy]) -> PriorRemedies {
    let mut prior = PriorRemedies::default();
    for e in earlier {
        let legal = e.basis == Basis::Legal;
        match e.resolution {
            Resolution::Repair if legal => prior.repaired_under_guarantee = true,
            Resolution::Replacement if legal => {
                if Some(e.closed_on) > prior.replaced_under_guarantee_on {
                    prior.replaced_under_guarantee_on = Some(e.closed_on);
                    prior.replacement_instead_of_repair = e.repair_chosen_first;
                }
            }
            Resolution::Repair => {
                let days = (e.closed_at - e.opened_at).num_days().max(0);
                prior.days_immobilised = prior
                    .days_immobilised
                    .saturating_add(u32::try_from(days).unwrap_or(u32::MAX));
            }
            _ => {}
        }
    }
    prior
}

/// The customer's history the policy reads runs over these windows before
/// the request: dossiers of the last 30 days, spend of the last 24 months.
pub const RECENT_DOSSIERS_DAYS: i64 = 30;
pub const SPEND_WINDOW_MONTHS: u32 = 24;

/// From when the customer's recent dossiers and spend are counted, for a
/// request made at `asked_at` (see [`RECENT_DOSSIERS_DAYS`],
/// [`SPEND_WINDOW_MONTHS`]).
pub fn history_windows(asked_at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let recent = asked_at - chrono::Duration::days(RECENT_DOSSIERS_DAYS);
    let spend = asked_at
        .checked_sub_months(chrono::Months::new(SPEND_WINDOW_MONTHS))
        .unwrap_or(asked_at);
    (recent, spend)
}

/// First and last day (inclusive) of a commercial warranty of `months`,
/// before any immobilisation extension. Taking over from the law, it starts
/// the day after the legal guarantee of the delivery ends.
pub fn warranty_window(
    months: u32,
    starts: WarrantyStart,
    purchase: NaiveDate,
    delivery: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let (first, base) = match starts {
        WarrantyStart::Purchase => (purchase, purchase),
        WarrantyStart::Delivery => (delivery, delivery),
        WarrantyStart::LegalGuaranteeEnd => {
            let glc_end = add_months(delivery, law::GLC_DURATION_MONTHS);
            (add_days(glc_end, 1), glc_end)
        }
    };
    (first, add_months(base, months))
}

#[derive(Default)]
struct Withdrawal {
    from: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    open: bool,
    exclusion: Option<String>,
    policy_deadline: Option<NaiveDate>,
    policy_open: bool,
}

/// A candidate grant for one resolution; the strongest basis wins.
struct Grant {
    basis: Basis,
    needs_manager: bool,
    article: Option<&'static str>,
    rule: Option<String>,
    amount: Option<Cents>,
    explanation: String,
}

impl Grant {
    fn legal(article: &'static str, explanation: String) -> Grant {
        Grant {
            basis: Basis::Legal,
            needs_manager: false,
            article: Some(article),
            rule: None,
            amount: None,
            explanation,
        }
    }
    fn policy(basis: Basis, rule: String, explanation: String) -> Grant {
        Grant {
            basis,
            needs_manager: false,
            article: None,
            rule: Some(rule),
            amount: None,
            explanation,
        }
    }
    fn amount(mut self, a: Cents) -> Grant {
        self.amount = Some(a);
        self
    }
    fn manager(mut self, yes: bool) -> Grant {
        self.needs_manager |= yes;
        self
    }
}

/// Rules on a case. Deterministic: the same policy, case and `today` always
/// give the same decision. Errors only on inconsistent dates or amounts.
///
/// Precedence per resolution: a legal grant beats a policy grant, which
/// beats goodwill; authority limits apply to policy and goodwill grants only
/// (the law is never subject to a manager's approval, except where it asks
/// for a judgement: presumption over, hidden defect, price reduction).
pub fn evaluate(policy: &Policy, case: &Case, today: NaiveDate) -> Result<Decision> {
    validate_case(case, today)?;
    // A category the policy does not have gets no default ruling.
    if policy.category(&case.category).is_none() {
        return Err(CoreError::CategoryNotInPolicy(case.category.clone()));
    }
    let facts = legal_facts(case, policy);
    let mut grants: Vec<(Resolution, Grant)> = Vec::new();
    let mut notes: Vec<(Resolution, String)> = Vec::new();
    let price = case.price;
    let conformity = matches!(
        case.reason,
        ReasonKind::Defect | ReasonKind::DeliveryDamage | ReasonKind::WrongItem
    );

    // 1. Withdrawal right (distance sales), any reason; then the policy's
    //    longer window, which is the policy's and not the law's.
    if let Some(deadline) = facts.withdrawal_deadline {
        let total = price.add_for(case.delivery_paid, "delivery_paid")?;
        let total_text = if case.delivery_paid.0 > 0 {
            format!(
                "{}, dont {} de livraison standard",
                total.format_fr(),
                case.delivery_paid.format_fr()
            )
        } else {
            total.format_fr()
        };
        let moved = facts.withdrawal_period_end.filter(|end| *end != deadline);
        let period = match moved {
            Some(end) => format!(
                "jusqu'au {} ({}) : le {} tombant un samedi, un dimanche ou un jour férié, le \
                 délai est prolongé au premier jour ouvrable suivant ({})",
                fr(deadline),
                law::WITHDRAWAL_ARTICLE,
                fr(end),
                law::WITHDRAWAL_PERIOD_ARTICLE
            ),
            None => format!("jusqu'au {} ({})", fr(deadline), law::WITHDRAWAL_ARTICLE),
        };
        if facts.withdrawal_open {
            let depreciation = if matches!(case.item_state, ItemState::Used | ItemState::Damaged) {
                format!(
                    " Si le produit a été manipulé au-delà de l'essai, une dépréciation peut être \
                     retenue ({}) : un responsable l'évalue.",
                    law::WITHDRAWAL_DEPRECIATION_ARTICLE
                )
            } else {
                String::new()
            };
            // In time only thanks to the next-working-day rule: that rule
            // is what grants it.
            let article = match moved {
                Some(end) if case.request_date > end => law::WITHDRAWAL_PERIOD_ARTICLE,
                _ => law::WITHDRAWAL_REFUND_ARTICLE,
            };
            grants.push((
                Resolution::Refund,
                Grant::legal(
                    article,
                    format!(
                        "Achat à distance : vous exercez votre droit de rétractation, {period}. \
                         Nous vous remboursons tout ce que vous avez payé, soit {total_text}, par \
                         le même moyen de paiement, sous {} jours ({}).{depreciation}",
                        policy.distance_sales.refund_within_days,
                        law::WITHDRAWAL_REFUND_ARTICLE
                    ),
                )
                .amount(total),
            ));
            grants.push((
                Resolution::CreditNote,
                Grant::legal(
                    article,
                    format!(
                        "Un avoir de {} est possible uniquement si vous le demandez \
                         expressément ; sinon le remboursement est de droit ({}).",
                        total.format_fr(),
                        law::WITHDRAWAL_REFUND_ARTICLE
                    ),
                )
                .amount(total),
            ));
        } else if let Some(why) = &facts.withdrawal_exclusion {
            notes.push((
                Resolution::Refund,
                format!(
                    "Le droit de rétractation ne s'applique pas : {why} ({}).",
                    law::WITHDRAWAL_EXCLUSIONS_ARTICLE
                ),
            ));
        } else if facts.policy_withdrawal_open {
            let until = facts.policy_withdrawal_deadline.unwrap_or(deadline);
            let legal_over = format!(
                "Le délai légal de rétractation a pris fin le {} ({}{}). La politique de \
                 l'enseigne accepte encore le retour jusqu'au {} ({} jours) : ce retour relève de \
                 la politique, pas de la loi",
                fr(deadline),
                law::WITHDRAWAL_ARTICLE,
                if moved.is_some() {
                    format!(", {}", law::WITHDRAWAL_PERIOD_ARTICLE)
                } else {
                    String::new()
                },
                fr(until),
                policy.distance_sales.withdrawal_days
            );
            let rule = "distance_sales.withdrawal_days".to_owned();
            grants.push((
                Resolution::Refund,
                Grant::policy(
                    Basis::Policy,
                    rule.clone(),
                    format!(
                        "{legal_over}. Remboursement de {total_text} par le même moyen de \
                         paiement, dans les limites d'un conseiller ({} ; au-delà, un \
                         responsable valide).",
                        policy.authority.refund_cents.0.format_fr()
                    ),
                )
                .amount(total)
                .manager(authority_exceeded(policy, Resolution::Refund, total)),
            ));
            grants.push((
                Resolution::CreditNote,
                Grant::policy(
                    Basis::Policy,
                    rule,
                    format!(
                        "{legal_over}. Un avoir de {} au lieu du remboursement, si vous le \
                         préférez.",
                        total.format_fr()
                    ),
                )
                .amount(total)
                .manager(authority_exceeded(policy, Resolution::CreditNote, total)),
            ));
        } else {
            let policy_end = facts
                .policy_withdrawal_deadline
                .map(|d| {
                    format!(
                        " ; le délai de retour de la politique de l'enseigne, le {}",
                        fr(d)
                    )
                })
                .unwrap_or_default();
            notes.push((
                Resolution::Refund,
                format!(
                    "Le délai légal de rétractation a pris fin le {} ({}{}){policy_end}.",
                    fr(deadline),
                    law::WITHDRAWAL_ARTICLE,
                    if moved.is_some() {
                        format!(", {}", law::WITHDRAWAL_PERIOD_ARTICLE)
                    } else {
                        String::new()
                    },
                ),
            ));
        }
    } else if case.reason == ReasonKind::ChangeOfMind {
        notes.push((
            Resolution::Refund,
            format!("{}.", law::IN_STORE_NO_WITHDRAWAL),
        ));
    }

    // 2. Legal conformity guarantee.
    if conformity && facts.guarantee_active {
        let deadline = facts.remedy_deadline.unwrap_or(case.request_date);
        let days = policy.legal_guarantee.remedy_within_days;
        let committed = add_days(case.request_date, days).min(deadline);
        let (manager, presumption) = if facts.presumption_applies {
            (
                false,
                format!(
                    "Le défaut est présumé exister dès la livraison : vous n'avez rien à prouver \
                     ({}).",
                    law::GLC_PRESUMPTION_ARTICLE
                ),
            )
        } else {
            (
                true,
                format!(
                    "La présomption a pris fin le {} ({}) : il faut montrer que le défaut \
                     existait à la livraison ; un responsable décide.",
                    fr(facts.presumption_end),
                    law::GLC_PRESUMPTION_ARTICLE
                ),
            )
        };
        let base = format!(
            "Garantie légale de conformité jusqu'au {} ({}). Vous choisissez entre \
             réparation et remplacement ({}), sans frais, au plus tard le {} ({}). {presumption}",
            fr(facts.guarantee_end),
            law::GLC_ARTICLE,
            law::GLC_CHOICE_ARTICLE,
            fr(committed),
            law::GLC_REMEDY_ARTICLE,
        );
        // Repair and replacement come from the law whatever the document
        // says; anything else the policy lists is added to them.
        let mut offered = vec![Resolution::Repair, Resolution::Replacement];
        for r in &policy.resolutions.legal_guarantee {
            if !offered.contains(r) && *r != Resolution::Refusal {
                offered.push(*r);
            }
        }
        for r in &offered {
            let extra = match r {
                Resolution::Repair => format!(
                    " Après réparation, la garantie légale court jusqu'au {} ({}).",
                    fr(facts.guarantee_end_if_repaired),
                    law::GLC_EXTENSION_ARTICLE
                ),
                Resolution::Replacement => format!(
                    " Après un remplacement, la garantie légale continue de courir jusqu'au {} ; \
                     si vous avez choisi la réparation et que nous remplaçons le produit faute de \
                     la réaliser, une nouvelle garantie légale de 2 ans court à partir du \
                     remplacement ({}).",
                    fr(facts.guarantee_end),
                    law::GLC_EXTENSION_ARTICLE
                ),
                Resolution::SendToManufacturer => {
                    " Le magasin reste votre interlocuteur et responsable du délai.".to_owned()
                }
                _ => String::new(),
            };
            let article = match r {
                Resolution::Repair | Resolution::Replacement => law::GLC_CHOICE_ARTICLE,
                _ => law::GLC_ARTICLE,
            };
            let grant = match r {
                Resolution::Repair | Resolution::Replacement => {
                    Grant::legal(article, format!("{base}{extra}")).manager(manager)
                }
                // Anything else listed by the policy is its own offer.
                other => Grant::policy(
                    Basis::Policy,
                    "resolutions.legal_guarantee".into(),
                    format!("{base}{extra}"),
                )
                .manager(manager || authority_exceeded(policy, *other, price)),
            };
            grants.push((*r, grant));
        }
        if case.remedy_failed {
            grants.push((
                Resolution::Refund,
                Grant::legal(
                    law::GLC_PRICE_REDUCTION_ARTICLE,
                    format!(
                        "La réparation ou le remplacement a échoué ou n'a pas eu lieu à temps : \
                         vous pouvez obtenir une réduction du prix ou l'annulation de la vente \
                         avec remboursement intégral de {} ({}) ; un responsable valide le \
                         montant.",
                        price.format_fr(),
                        law::GLC_PRICE_REDUCTION_ARTICLE
                    ),
                )
                .amount(price)
                .manager(true),
            ));
        }
    } else if conformity {
        // 3. Commercial warranty, then hidden defects.
        let cw_active = facts
            .commercial_warranty_end
            .is_some_and(|end| case.request_date <= end);
        if cw_active {
            let days = facts.commercial_warranty_extended_days;
            let ext = if days >= law::COMMERCIAL_WARRANTY_IMMOBILISATION_MIN_DAYS {
                format!(
                    " Elle est prolongée des {days} jours où le produit a été immobilisé en \
                     réparation ({}).",
                    law::COMMERCIAL_WARRANTY_ARTICLE
                )
            } else if days > 0 {
                format!(
                    " Elle est prolongée des {days} jours où le produit a été immobilisé en \
                     réparation : la politique de l'enseigne prolonge dès {} jours, la loi dès {} \
                     ({}).",
                    policy.legal_guarantee.immobilisation_extension_from_days,
                    law::COMMERCIAL_WARRANTY_IMMOBILISATION_MIN_DAYS,
                    law::COMMERCIAL_WARRANTY_ARTICLE
                )
            } else {
                String::new()
            };
            let guarantor = facts
                .commercial_warranty_guarantor
                .as_deref()
                .map(|g| format!(", assurée par {g}"))
                .unwrap_or_default();
            let end = facts.commercial_warranty_end.unwrap_or(case.request_date);
            for r in &policy.resolutions.commercial_warranty {
                grants.push((
                    *r,
                    Grant::policy(
                        Basis::Policy,
                        "resolutions.commercial_warranty".into(),
                        format!(
                            "La garantie légale a pris fin le {} ; votre garantie commerciale \
                             ({} mois{guarantor}) court jusqu'au {}.{ext}",
                            fr(facts.guarantee_end),
                            case.commercial_warranty_months,
                            fr(end)
                        ),
                    )
                    .manager(authority_exceeded(policy, *r, price)),
                ));
            }
        }
        let hidden_open =
            case.reason == ReasonKind::Defect && case.request_date <= facts.hidden_defect_deadline;
        if hidden_open {
            grants.push((
                Resolution::Refund,
                Grant::legal(
                    law::HIDDEN_DEFECT_ARTICLE,
                    format!(
                        "La garantie légale de conformité a pris fin le {}. Si le défaut était \
                         caché et existait à l'achat, la garantie des vices cachés ({}) permet \
                         de rendre le produit contre remboursement du prix, ou de le garder \
                         contre le remboursement d'une partie du prix. Vous avez deux ans à \
                         partir du jour où vous avez découvert le défaut (le {}) pour agir, \
                         c'est-à-dire jusqu'au {} inclus ({}) ; un responsable examine la \
                         demande.",
                        fr(facts.guarantee_end),
                        law::HIDDEN_DEFECT_ARTICLE,
                        fr(facts.defect_noticed_date),
                        fr(facts.hidden_defect_deadline),
                        law::HIDDEN_DEFECT_LIMIT_ARTICLE
                    ),
                )
                .amount(price)
                .manager(true),
            ));
        }
        if !cw_active {
            for r in &policy.resolutions.out_of_guarantee {
                grants.push((
                    *r,
                    Grant::policy(
                        Basis::Policy,
                        "resolutions.out_of_guarantee".into(),
                        format!(
                            "La garantie légale a pris fin le {} et il n'y a pas de garantie \
                             commerciale en cours : nous pouvons proposer ce service, à vos \
                             frais sauf geste commercial.",
                            fr(facts.guarantee_end)
                        ),
                    )
                    .manager(authority_exceeded(policy, *r, price)),
                ));
            }
        }
    }

    // 4. Change of mind: the same commercial policy in every channel.
    if case.reason == ReasonKind::ChangeOfMind {
        change_of_mind(policy, case, &facts, &mut grants, &mut notes);
    }

    // 5. Goodwill gesture from the scale (defects and delivery trouble).
    let gesture = (conformity).then(|| gesture(policy, case)).flatten();

    // Refusal: always possible to record, never a clerk's alone inside the
    // GLC (L241-5) or the legal withdrawal period (a refusal there denies
    // the right of L221-18).
    let in_guarantee = conformity && facts.guarantee_active;
    let mediation = format!(
        "Vous pouvez alors saisir gratuitement le médiateur de la consommation, dans l'année \
         suivant votre réclamation écrite ({}).",
        law::MEDIATION_ARTICLE
    );
    let refusal = if in_guarantee {
        Grant::legal(
            law::GLC_OBSTRUCTION_ARTICLE,
            format!(
                "Votre demande relève de la garantie légale de conformité (jusqu'au {}) ; y \
                 faire obstacle de mauvaise foi est sanctionné ({}) : un refus ne peut être \
                 décidé que par un responsable, motivé par écrit. {mediation}",
                fr(facts.guarantee_end),
                law::GLC_OBSTRUCTION_ARTICLE,
            ),
        )
        .manager(true)
    } else if facts.withdrawal_open {
        Grant::legal(
            law::WITHDRAWAL_ARTICLE,
            format!(
                "Vous êtes dans le délai légal de rétractation (jusqu'au {}, {}) : un refus ne \
                 peut être décidé que par un responsable, motivé par écrit. {mediation}",
                fr(facts.withdrawal_deadline.unwrap_or(case.request_date)),
                law::WITHDRAWAL_ARTICLE,
            ),
        )
        .manager(true)
    } else {
        let (article, why) = match &facts.withdrawal_exclusion {
            Some(why) => (
                law::WITHDRAWAL_EXCLUSIONS_ARTICLE,
                format!(
                    "Le droit de rétractation ne s'applique pas : {why} ({}). ",
                    law::WITHDRAWAL_EXCLUSIONS_ARTICLE
                ),
            ),
            None => (law::MEDIATION_ARTICLE, String::new()),
        };
        let mut g = Grant::policy(
            Basis::Policy,
            "authority.refusal_needs_manager".into(),
            format!(
                "{why}Si aucune solution ne convient, le refus vous est remis par écrit avec les \
                 coordonnées du médiateur de la consommation. {mediation}"
            ),
        )
        .manager(policy.authority.refusal_needs_manager);
        g.article = Some(article);
        g
    };
    grants.push((Resolution::Refusal, refusal));

    let options = Resolution::ALL
        .iter()
        .map(|r| build_option(*r, &grants, &notes))
        .collect();
    Ok(Decision {
        policy_id: policy.id.clone(),
        policy_version: policy.version.clone(),
        facts,
        options,
        gesture,
        mediator: Some(policy.mediator.clone()),
    })
}

fn rank(b: Basis) -> u8 {
    match b {
        Basis::Legal => 0,
        Basis::Policy => 1,
        Basis::Goodwill => 2,
    }
}

fn build_option(
    r: Resolution,
    grants: &[(Resolution, Grant)],
    notes: &[(Resolution, String)],
) -> ResolutionOption {
    // Strongest basis first; among equals, the first pushed (stable order).
    let best = grants
        .iter()
        .filter(|(gr, _)| *gr == r)
        .map(|(_, g)| g)
        .min_by_key(|g| rank(g.basis));
    let note: Vec<&str> = notes
        .iter()
        .filter(|(nr, _)| *nr == r)
        .map(|(_, n)| n.as_str())
        .collect();
    match best {
        Some(g) => ResolutionOption {
            resolution: r,
            label: r.label_fr().to_owned(),
            allowed: true,
            needs_manager: g.needs_manager,
            basis: g.basis,
            basis_label: g.basis.label_fr().to_owned(),
            article: g.article.map(str::to_owned),
            rule: g.rule.clone(),
            amount: g.amount,
            explanation: g.explanation.clone(),
        },
        None => ResolutionOption {
            resolution: r,
            label: r.label_fr().to_owned(),
            allowed: false,
            needs_manager: false,
            basis: Basis::Policy,
            basis_label: Basis::Policy.label_fr().to_owned(),
            article: None,
            rule: None,
            amount: None,
            explanation: if note.is_empty() {
                "Cette solution n'est pas prévue pour ce cas par la loi ni par la politique \
                 de l'enseigne."
                    .to_owned()
            } else {
                note.join(" ")
            },
        },
    }
}

fn authority_exceeded(policy: &Policy, r: Resolution, amount: Cents) -> bool {
    let a = &policy.authority;
    let limit = match r {
        Resolution::Refund => a.refund_cents,
        Resolution::CreditNote => a.credit_note_cents,
        Resolution::Exchange => a.exchange_cents,
        _ => return false,
    };
    amount > limit.0
}

fn change_of_mind(
    policy: &Policy,
    case: &Case,
    facts: &LegalFacts,
    grants: &mut Vec<(Resolution, Grant)>,
    notes: &mut Vec<(Resolution, String)>,
) {
    let com = &policy.change_of_mind;
    let excluded = if case.personalised && com.exclude_personalised {
        Some("les produits personnalisés".to_owned())
    } else if case.hygiene_unsealed && com.exclude_hygiene_unsealed {
        Some("les produits d'hygiène descellés".to_owned())
    } else {
        policy
            .category(&case.category)
            .filter(|c| !c.change_of_mind)
            .map(|c| format!("la catégorie « {} »", c.label))
    };
    let note = |notes: &mut Vec<(Resolution, String)>, text: String| {
        for r in [
            Resolution::Refund,
            Resolution::Exchange,
            Resolution::CreditNote,
        ] {
            notes.push((r, text.clone()));
        }
    };
    if let Some(what) = excluded {
        note(
            notes,
            format!(
                "La politique de l'enseigne ne reprend pas {what} sans défaut (règle \
                 change_of_mind)."
            ),
        );
        return;
    }
    let (state, window): (&str, &Option<Window>) = match case.item_state {
        ItemState::Unopened => ("unopened", &com.unopened),
        ItemState::Opened => ("opened", &com.opened),
        ItemState::Used => ("used", &com.used),
        ItemState::Damaged => ("damaged", &com.damaged),
    };
    let Some(w) = window else {
        note(
            notes,
            "La politique de l'enseigne ne reprend pas un produit dans cet état sans défaut."
                .to_owned(),
        );
        return;
    };
    // Counted from the receipt of the last item for a distance sale (as the
    // withdrawal period), from the handover in a store.
    let from = facts.withdrawal_from.unwrap_or(facts.delivery_date);
    let end = add_days(from, w.days);
    if case.request_date > end {
        note(
            notes,
            format!(
                "Le délai de retour de la politique de l'enseigne ({} jours) a pris fin le {}.",
                w.days,
                fr(end)
            ),
        );
        return;
    }
    let fee = case
        .price
        .checked_percent(i64::from(w.restocking_percent.0))
        .unwrap_or(Cents::MAX)
        .min(w.restocking_cap_cents.0);
    let legal_hint = match facts.withdrawal_deadline {
        Some(d) if !facts.withdrawal_open => format!(
            " Le délai légal de rétractation a pris fin le {} ({}) : ce retour relève de la \
             politique de l'enseigne, pas de la loi.",
            fr(d),
            law::WITHDRAWAL_ARTICLE
        ),
        Some(_) => String::new(),
        None => {
            " Un achat conclu en magasin n'ouvre aucun droit légal de rétractation : ce retour \
                 relève de la politique publiée de l'enseigne, la même qu'en ligne."
                .to_owned()
        }
    };
    for r in &w.resolutions {
        let amount = match r {
            Resolution::Refund | Resolution::CreditNote => case.price.checked_sub(fee),
            Resolution::Exchange => Some(case.price),
            _ => None,
        };
        let fee_text = if fee.0 > 0 && amount != Some(case.price) {
            format!(" Frais de remise en stock : {}.", fee.format_fr())
        } else {
            String::new()
        };
        let mut g = Grant::policy(
            Basis::Policy,
            format!("change_of_mind.{state}"),
            format!(
                "Retour sans motif accepté par la politique de l'enseigne jusqu'au {} \
                 ({} jours, produit {}).{fee_text}{legal_hint}",
                fr(end),
                w.days,
                state_fr(case.item_state)
            ),
        );
        if let Some(a) = amount {
            g = g.amount(a);
            g.needs_manager = authority_exceeded(policy, *r, a);
        }
        grants.push((*r, g));
    }
}

fn state_fr(s: ItemState) -> &'static str {
    match s {
        ItemState::Unopened => "non ouvert",
        ItemState::Opened => "ouvert",
        ItemState::Used => "utilisé",
        ItemState::Damaged => "abîmé",
    }
}

/// Goodwill: `base[severity] × (repeat% if repeat) × tier% / 10 000`, capped.
fn gesture(policy: &Policy, case: &Case) -> Option<Gesture> {
    let g = &policy.goodwill;
    let base = match case.severity {
        Severity::Minor => g.base_cents.minor,
        Severity::Major => g.base_cents.major,
        Severity::Critical => g.base_cents.critical,
    }
    .0
     .0;
    let repeat = case.customer.dossiers_last_30_days >= g.repeat_from_dossiers;
    let repeat_pct = if repeat {
        i64::from(g.repeat_percent)
    } else {
        100
    };
    let tier_pct = i64::from(match case.customer.value_tier {
        ValueTier::Standard => g.tier_percent.standard,
        ValueTier::Loyal => g.tier_percent.loyal,
        ValueTier::Premium => g.tier_percent.premium,
    });
    let amount =
        (base.saturating_mul(repeat_pct).saturating_mul(tier_pct) / 10_000).min(g.cap_cents.0 .0);
    if amount <= 0 {
        return None;
    }
    let amount = Cents(amount);
    Some(Gesture {
        amount,
        needs_manager: amount > policy.authority.gesture_cents.0,
        clerk_limit: policy.authority.gesture_cents.0,
        explanation: format!(
            "Geste commercial de {} selon le barème de l'enseigne (règle goodwill){}.",
            amount.format_fr(),
            if repeat {
                ", pour une demande répétée"
            } else {
                ""
            }
        ),
    })
}
