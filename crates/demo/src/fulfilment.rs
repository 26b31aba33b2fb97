//! Shipments and commercial warranties of the demo data, derived from the
//! generated records without drawing from the generator's random stream
//! (the rest of the data stays the same for a given seed).
//!
//! - About one distance order with several lines in four is delivered in
//!   two parcels: every line but the last first, the last one up to four
//!   days later, on the order's delivery date.
//! - New large appliances carry their brand's 5-year warranty, new
//!   televisions and hi-fi a 3-year one, from delivery.

use chrono::Duration;
use comptoir_core::fulfilment::{ProductWarrantyRecord, ShipmentRecord};
use comptoir_core::ids::ShipmentId;
use comptoir_core::model::{Channel, SoldAs};
use comptoir_core::policy::{CommercialWarranty, WarrantyStart};
use comptoir_core::records::{OrderRecord, ProductRecord};
use uuid::Uuid;

/// A shipment id born with its order: the order's id with its last byte
/// changed (the time prefix, version and variant stay).
fn shipment_id(order: Uuid, n: u8) -> ShipmentId {
    let mut b = *order.as_bytes();
    b[15] ^= n.wrapping_add(1).wrapping_mul(0x5b);
    ShipmentId(Uuid::from_bytes(b))
}

/// The parcels of the generated orders delivered in two parts.
pub fn split_shipments(orders: &[OrderRecord]) -> Vec<ShipmentRecord> {
    let mut out = Vec::new();
    for o in orders {
        let Some(last) = o.delivered_at else { continue };
        let bits = o.id.0.as_bytes()[14];
        if o.channel == Channel::Store
            || o.lines.len() < 2
            || bits % 4 != 0
            || o.number == crate::showcase::SPLIT_ORDER
        {
            continue;
        }
        let gap = Duration::days(1 + i64::from(bits / 4 % 4));
        let first = (last - gap)
            .max(o.ordered_at + Duration::hours(20))
            .min(last);
        let (head, tail) = o.lines.split_at(o.lines.len() - 1);
        out.push(ShipmentRecord {
            id: shipment_id(o.id.0, 0),
            order_id: o.id,
            delivered_at: first,
            carrier: Some("Colissimo".to_owned()),
            tracking: Some(format!("6A{:011}", u64::from(bits) * 7_919 + 1_000)),
            lines: head.iter().map(|l| l.id).collect(),
            shipped_at: None,
            delivery_estimated: false,
        });
        out.push(ShipmentRecord {
            id: shipment_id(o.id.0, 1),
            order_id: o.id,
            delivered_at: last,
            carrier: Some("DPD".to_owned()),
            tracking: Some(format!("DPD{:010}", u64::from(bits) * 104_729 + 7)),
            lines: tail.iter().map(|l| l.id).collect(),
            shipped_at: None,
            delivery_estimated: false,
        });
    }
    out
}

/// The brands' commercial warranties of the catalogue.
pub fn catalogue_warranties(products: &[ProductRecord]) -> Vec<ProductWarrantyRecord> {
    products
        .iter()
        .filter(|p| p.sold_as == SoldAs::New)
        .filter_map(|p| {
            let months = match p.category.as_str() {
                "Gros électroménager" => 60,
                "TV et son" => 36,
                _ => return None,
            };
            Some(ProductWarrantyRecord {
                product_id: p.id,
                warranty: CommercialWarranty {
                    months,
                    starts: WarrantyStart::Delivery,
                    guarantor: format!("Garantie constructeur {}", p.brand),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::Catalog;

    #[test]
    fn warranties_follow_the_catalogue_and_are_valid() {
        let catalog = Catalog::new(42);
        let w = catalogue_warranties(&catalog.products);
        assert!(!w.is_empty());
        for r in &w {
            let p = catalog
                .products
                .iter()
                .find(|p| p.id == r.product_id)
                .expect("a catalogue product");
            assert_eq!(p.sold_as, SoldAs::New);
            let expected = if p.category == "TV et son" { 36 } else { 60 };
            assert_eq!(r.warranty.months, expected, "{}", p.name);
            assert!(comptoir_core::fulfilment::check_warranty(&r.warranty).is_ok());
        }
    }
}
