//! Deliveries per shipment and commercial warranties: the records the store
//! keeps (and the web-order import fills from the formats' fulfilment data),
//! their checks, and what the customer card shows of them.
//!
//! An order delivered in several parts has one [`ShipmentRecord`] per part;
//! a line is in at most one shipment. The withdrawal period runs from the
//! last item received (L221-18), the conformity guarantee of each line from
//! its own delivery (L217-3).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::*;
use crate::policy::CommercialWarranty;
use crate::{CoreError, Result};

/// One delivery of part (or all) of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub id: ShipmentId,
    pub order_id: OrderId,
    /// When the customer received it (see `delivery_estimated`).
    pub delivered_at: DateTime<Utc>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    /// The order's lines in this parcel (at least one).
    pub lines: Vec<OrderLineId>,
    /// When it left the warehouse, when the source says (a web shop's
    /// fulfilment date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped_at: Option<DateTime<Utc>>,
    /// The receipt is not known, only the dispatch: `delivered_at` is
    /// [`estimated_receipt`] (dispatch plus the longest transit), which a
    /// counter never places after the day the customer stands there with
    /// the product.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delivery_estimated: bool,
}

/// The transit allowed by default between a web shop's dispatch and the
/// customer's receipt when the carrier's delivery date is not known: seven
/// days covers home delivery and a parcel collected at a relay point. The
/// withdrawal period (L221-18) and the conformity guarantee (L217-3) both
/// run from receipt, so an allowance that errs long errs for the customer.
pub const DEFAULT_TRANSIT_DAYS: u32 = 7;

/// The longest transit a setting may give (days).
pub const MAX_TRANSIT_DAYS: u32 = 60;

/// The receipt assumed for a parcel dispatched at `shipped_at`.
pub fn estimated_receipt(shipped_at: DateTime<Utc>, transit_days: u32) -> DateTime<Utc> {
    shipped_at + chrono::Duration::days(i64::from(transit_days))
}

/// The commercial warranty of a product of the catalogue (the brand's or
/// the chain's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductWarrantyRecord {
    pub product_id: ProductId,
    pub warranty: CommercialWarranty,
}

/// An extended warranty sold with an order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineWarrantyRecord {
    pub order_line_id: OrderLineId,
    pub warranty: CommercialWarranty,
}

/// A shipment as the customer card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShipmentView {
    pub id: ShipmentId,
    pub delivered_at: DateTime<Utc>,
    pub carrier: Option<String>,
    /// The order's line numbers in this parcel.
    pub line_nos: Vec<u32>,
    /// When it was dispatched, when known.
    pub shipped_at: Option<DateTime<Utc>>,
    /// `delivered_at` is an estimate from the dispatch (the carrier's
    /// receipt date is not known).
    pub delivery_estimated: bool,
}

/// Checks shipments before anything is written: each has a line, no line
/// is in two of them (`already_shipped`: lines the database already has in
/// a shipment).
pub fn check_shipments(
    shipments: &[ShipmentRecord],
    already_shipped: &HashSet<OrderLineId>,
) -> Result<()> {
    let mut seen: HashSet<OrderLineId> = HashSet::new();
    for s in shipments {
        if s.lines.is_empty() {
            return Err(CoreError::ShipmentWithoutLines {
                tracking: s.tracking.clone(),
            });
        }
        for l in &s.lines {
            if !seen.insert(*l) || already_shipped.contains(l) {
                return Err(CoreError::LineInTwoShipments { line: *l });
            }
        }
    }
    Ok(())
}

/// Checks a warranty built without [`CommercialWarranty::new`].
pub fn check_warranty(w: &CommercialWarranty) -> Result<()> {
    CommercialWarranty::new(i64::from(w.months), w.starts, &w.guarantor).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::WarrantyStart;

    fn shipment(lines: Vec<OrderLineId>) -> ShipmentRecord {
        ShipmentRecord {
            id: ShipmentId::new(),
            order_id: OrderId::new(),
            delivered_at: DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
            carrier: Some("Colissimo".into()),
            tracking: Some("6A123".into()),
            lines,
            shipped_at: None,
            delivery_estimated: false,
        }
    }

    #[test]
    fn a_shipment_needs_a_line_and_a_line_one_shipment() {
        let (a, b) = (OrderLineId::new(), OrderLineId::new());
        let none = HashSet::new();
        assert!(check_shipments(&[shipment(vec![a]), shipment(vec![b])], &none).is_ok());
        let empty = check_shipments(&[shipment(vec![])], &none).unwrap_err();
        assert_eq!(empty.code(), "shipment_without_lines");
        assert!(
            empty.message_fr().contains("6A123"),
            "{}",
            empty.message_fr()
        );
        assert_eq!(
            check_shipments(&[shipment(vec![a]), shipment(vec![a, b])], &none),
            Err(CoreError::LineInTwoShipments { line: a })
        );
        assert_eq!(
            check_shipments(&[shipment(vec![b])], &HashSet::from([b])),
            Err(CoreError::LineInTwoShipments { line: b })
        );
        let w = CommercialWarranty {
            months: 600,
            starts: WarrantyStart::Delivery,
            guarantor: "Samsung".into(),
        };
        assert_eq!(
            check_warranty(&w),
            Err(CoreError::CommercialWarrantyMonths {
                months: 600,
                max: 120
            })
        );
    }
}
