//! The legal floor under the return policy (`shared/LAW.md`): every legal
//! figure is one named constant, next to the article it comes from, so that a
//! change in the law is one edit. The GLC figures the calendar already uses
//! are re-exported from [`crate::calendar::law`], not duplicated.
//!
//! Article numbers marked *(to verify)* in LAW.md are kept as they are there.

pub use crate::calendar::law::{
    GLC_DURATION_MONTHS, GLC_REMEDY_ARTICLE, GLC_REMEDY_MAX_CALENDAR_DAYS,
};

/// GLC scope and duration: 2 years from delivery, new, used and refurbished
/// goods, every channel.
pub const GLC_ARTICLE: &str = "Code de la consommation, art. L217-3";

/// Presumption of a defect existing at delivery, new goods (months).
pub const GLC_PRESUMPTION_NEW_MONTHS: u32 = 24;
/// Presumption for second-hand goods (months). Refurbished goods have been
/// used before being sold again: LAW.md's "second-hand" covers them (and
/// worked case 4 treats a refurbished phone this way).
pub const GLC_PRESUMPTION_SECOND_HAND_MONTHS: u32 = 12;
pub const GLC_PRESUMPTION_ARTICLE: &str = "Code de la consommation, art. L217-7";

/// The customer chooses between repair and replacement.
pub const GLC_CHOICE_ARTICLE: &str = "Code de la consommation, art. L217-9";

/// Extra GLC after a repair under the GLC (months).
pub const GLC_REPAIR_EXTENSION_MONTHS: u32 = 6;
/// A replacement starts a new GLC (months) only when the customer had chosen
/// repair and the seller, not carrying the repair out, replaced the product;
/// any other replacement leaves the guarantee running on from the delivery.
pub const GLC_REPLACEMENT_NEW_GUARANTEE_MONTHS: u32 = 24;
pub const GLC_EXTENSION_ARTICLE: &str = "Code de la consommation, art. L217-13";

/// Price reduction or cancellation when the remedy fails or is refused.
pub const GLC_PRICE_REDUCTION_ARTICLE: &str = "Code de la consommation, art. L217-14";

/// Obstructing the GLC in bad faith: civil fine. A refusal inside the GLC is
/// never a clerk's action alone.
pub const GLC_OBSTRUCTION_ARTICLE: &str = "Code de la consommation, art. L241-5";

/// Withdrawal period for distance sales, from the receipt of the goods (days).
pub const WITHDRAWAL_DAYS: u32 = 14;
/// Distance and off-premises contracts; for goods, from the receipt of the
/// goods — of the last one when an order is delivered in several parts.
pub const WITHDRAWAL_ARTICLE: &str = "Code de la consommation, art. L221-18";
/// Computing the period (after regulation 1182/71): the day of receipt is
/// not counted; a period ending on a Saturday, Sunday or public holiday runs
/// on to the next working day.
pub const WITHDRAWAL_PERIOD_ARTICLE: &str = "Code de la consommation, art. L221-19";
/// Extension when the customer was not informed of the right (months).
pub const WITHDRAWAL_NOT_INFORMED_EXTENSION_MONTHS: u32 = 12;
pub const WITHDRAWAL_EXTENSION_ARTICLE: &str = "Code de la consommation, art. L221-20";
/// Refund of everything paid incl. standard delivery, within this many days,
/// by the same means of payment; a credit note only with express agreement.
pub const WITHDRAWAL_REFUND_DAYS: u32 = 14;
pub const WITHDRAWAL_REFUND_ARTICLE: &str = "Code de la consommation, art. L221-24";
/// The customer answers for a depreciation caused by handling beyond what
/// was needed to try the goods.
pub const WITHDRAWAL_DEPRECIATION_ARTICLE: &str = "Code de la consommation, art. L221-23";
/// Exclusions: personalised, perishable, hygiene unsealed, sealed media unsealed.
pub const WITHDRAWAL_EXCLUSIONS_ARTICLE: &str = "Code de la consommation, art. L221-28";

/// A commercial-warranty repair that immobilises the product this many days
/// or more extends the commercial warranty by the immobilisation.
pub const COMMERCIAL_WARRANTY_IMMOBILISATION_MIN_DAYS: u32 = 7;
pub const COMMERCIAL_WARRANTY_ARTICLE: &str = "Code de la consommation, art. L217-28";

/// Hidden defects: action within this many months of the discovery.
pub const HIDDEN_DEFECT_ACTION_MONTHS: u32 = 24;
/// The seller answers for hidden defects that make the thing unfit for use.
pub const HIDDEN_DEFECT_ARTICLE: &str = "Code civil, art. 1641";
/// The action must be brought within two years of the discovery of the defect.
pub const HIDDEN_DEFECT_LIMIT_ARTICLE: &str = "Code civil, art. 1648";

/// Mediation: free, within 1 year of the written complaint.
pub const MEDIATION_DELAY_MONTHS: u32 = 12;
pub const MEDIATION_ARTICLE: &str = "Code de la consommation, art. L612-1";

/// No legal withdrawal right for a purchase made in a store: L221-18 gives it
/// for contracts made at a distance, off premises or after a phone canvass.
pub const IN_STORE_NO_WITHDRAWAL: &str =
    "Aucun droit de rétractation légal pour un achat conclu en magasin : la loi le prévoit pour \
     les contrats conclus à distance ou hors établissement (Code de la consommation, art. L221-18)";

/// Most months a commercial warranty recorded in the catalogue may last (a
/// longer figure is a typing error, not a warranty).
pub const COMMERCIAL_WARRANTY_MAX_MONTHS: u32 = 120;
