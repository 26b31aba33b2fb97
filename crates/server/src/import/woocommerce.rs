//! WooCommerce REST API v3 orders (`GET /wp-json/wc/v3/orders`), a JSON
//! array of orders: `number`, `date_created_gmt` (`2026-10-02T12:31:07`,
//! UTC without offset), amounts as strings (`"total": "1299.00"`),
//! `billing` (with `email` and `phone`), `shipping`, `line_items` with
//! `sku`, `quantity`, `price` (a JSON number in the real API) and `total`
//! (a string). Unknown fields are ignored: real orders carry dozens.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{non_empty, parse_amount, LineError, Parsed, WebLine, WebOrder, WebShipment};
use crate::error::ApiError;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Address {
    first_name: String,
    last_name: String,
    address_1: String,
    address_2: String,
    city: String,
    postcode: String,
    country: String,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LineItem {
    /// The line's id in the shop (what Advanced Shipment Tracking's
    /// `products_list` names as `item_id`).
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    sku: Option<String>,
    quantity: i64,
    #[serde(default)]
    price: Value,
    #[serde(default)]
    total: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Order {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    number: Option<String>,
    date_created_gmt: Option<String>,
    total: String,
    #[serde(default)]
    shipping_total: Option<String>,
    #[serde(default)]
    payment_method_title: Option<String>,
    #[serde(default)]
    billing: Address,
    #[serde(default)]
    shipping: Address,
    line_items: Vec<LineItem>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    date_completed_gmt: Option<String>,
    #[serde(default)]
    meta_data: Vec<Meta>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: Value,
}

/// The order meta where WooCommerce Shipment Tracking (and Advanced
/// Shipment Tracking, which adds `products_list`) keeps the parcels.
pub const TRACKING_META: &str = "_wc_shipment_tracking_items";

/// One parcel of the Shipment Tracking meta: `date_shipped` is a Unix time
/// in seconds (a string in the stored meta, a number in some exports).
#[derive(Debug, Deserialize)]
struct TrackingItem {
    #[serde(default)]
    tracking_provider: Option<String>,
    #[serde(default)]
    custom_tracking_provider: Option<String>,
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    date_shipped: Value,
    /// Advanced Shipment Tracking: the order's lines in this parcel.
    #[serde(default)]
    products_list: Option<Vec<TrackedProduct>>,
}

#[derive(Debug, Deserialize)]
struct TrackedProduct {
    #[serde(default)]
    item_id: Option<Value>,
    /// Units of the line in this parcel (absent: all of them).
    #[serde(default)]
    qty: Option<Value>,
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn gmt(field: &str, s: &str) -> Result<DateTime<Utc>, (&'static str, String)> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .map(|n| n.and_utc())
        .map_err(|_| ("date_invalid", format!("{field} « {s} » illisible")))
}

/// The parcels of an order: the Shipment Tracking meta when there is one,
/// else, for a `completed` order, one parcel of every line dispatched at
/// `date_completed_gmt`. A parcel without `products_list` holds the lines
/// no other parcel names; a line named by several parcels (units sent
/// apart) is counted in the last one to leave, when all of it has left.
fn shipments(
    o: &Order,
    ordered_at: DateTime<Utc>,
) -> Result<Vec<WebShipment>, (&'static str, String)> {
    let items: Vec<TrackingItem> = match o.meta_data.iter().find(|m| m.key == TRACKING_META) {
        Some(m) => serde_json::from_value(m.value.clone()).map_err(|e| {
            (
                "shipment_invalid",
                format!("{TRACKING_META} illisible : {e}"),
            )
        })?,
        None => Vec::new(),
    };
    let all: Vec<usize> = (0..o.line_items.len()).collect();
    if items.is_empty() {
        let completed = o.status.as_deref() == Some("completed");
        return Ok(
            match o.date_completed_gmt.as_deref().filter(|d| !d.is_empty()) {
                Some(d) if completed => {
                    let shipped_at = gmt("date_completed_gmt", d)?;
                    if shipped_at < ordered_at {
                        return Err((
                            "shipment_before_order",
                            format!("date_completed_gmt « {d} » antérieure à la commande"),
                        ));
                    }
                    vec![WebShipment {
                        shipped_at,
                        carrier: None,
                        tracking: None,
                        lines: all,
                    }]
                }
                _ => Vec::new(),
            },
        );
    }
    // (shipped at, carrier, tracking, the lines it names, or None: the rest)
    let mut parcels = Vec::with_capacity(items.len());
    // Units sent of each line named by a parcel.
    let mut units: std::collections::HashMap<usize, i64> = std::collections::HashMap::new();
    for it in &items {
        let secs = as_i64(&it.date_shipped).ok_or((
            "date_invalid",
            format!("date_shipped « {} » illisible", it.date_shipped),
        ))?;
        let shipped_at = DateTime::<Utc>::from_timestamp(secs, 0).ok_or((
            "date_invalid",
            format!("date_shipped « {secs} » hors des dates possibles"),
        ))?;
        // Shipment Tracking stores the day of dispatch at midnight: a
        // parcel of the order's day may read before the order's time.
        if shipped_at.date_naive() < ordered_at.date_naive() {
            return Err((
                "shipment_before_order",
                format!(
                    "colis {} expédié le {} avant la commande",
                    it.tracking_number.as_deref().unwrap_or("sans numéro"),
                    shipped_at.format("%Y-%m-%d")
                ),
            ));
        }
        let named = match &it.products_list {
            None => None,
            Some(list) => {
                let mut idx = Vec::new();
                for p in list {
                    let id = p.item_id.as_ref().and_then(as_i64);
                    let pos = o
                        .line_items
                        .iter()
                        .position(|li| li.id.is_some() && li.id == id)
                        .ok_or((
                            "shipment_line_unknown",
                            format!(
                                "le colis {} nomme l'article {} absent de la commande",
                                it.tracking_number.as_deref().unwrap_or("sans numéro"),
                                id.map_or_else(|| "sans id".to_owned(), |i| i.to_string())
                            ),
                        ))?;
                    let qty = p
                        .qty
                        .as_ref()
                        .and_then(as_i64)
                        .unwrap_or(o.line_items[pos].quantity);
                    *units.entry(pos).or_default() += qty;
                    idx.push(pos);
                }
                Some(idx)
            }
        };
        let carrier = it
            .custom_tracking_provider
            .as_deref()
            .and_then(non_empty)
            .or_else(|| it.tracking_provider.as_deref().and_then(non_empty));
        parcels.push((
            shipped_at,
            carrier,
            it.tracking_number.as_deref().and_then(non_empty),
            named,
        ));
    }
    parcels.sort_by_key(|p| p.0);
    let named: std::collections::HashSet<usize> = parcels
        .iter()
        .filter_map(|p| p.3.as_ref())
        .flatten()
        .copied()
        .collect();
    let rest: Vec<usize> = all.iter().copied().filter(|i| !named.contains(i)).collect();
    // Each line goes to the last parcel that holds it.
    let mut owner: Vec<Option<usize>> = vec![None; o.line_items.len()];
    for (k, p) in parcels.iter().enumerate() {
        let held = p.3.clone().unwrap_or_else(|| rest.clone());
        for i in held {
            owner[i] = Some(k);
        }
    }
    // A line not all of whose units have left is not received yet: it is in
    // no parcel, so the order's withdrawal period has not begun (L221-18:
    // the last item).
    for (i, sent) in &units {
        if *sent < o.line_items[*i].quantity {
            owner[*i] = None;
        }
    }
    Ok(parcels
        .into_iter()
        .enumerate()
        .filter_map(|(k, (shipped_at, carrier, tracking, _))| {
            let lines: Vec<usize> = (0..owner.len()).filter(|&i| owner[i] == Some(k)).collect();
            (!lines.is_empty()).then_some(WebShipment {
                shipped_at,
                carrier,
                tracking,
                lines,
            })
        })
        .collect())
}

/// A line's unit price: the API's `price` (a number, or a string in some
/// plugins' output), else `total / quantity`.
fn unit_price(li: &LineItem, quantity: u32) -> Option<comptoir_core::Cents> {
    match &li.price {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .and_then(|f| parse_amount(&format!("{f:.2}"))),
        Value::String(s) => parse_amount(s),
        _ => li
            .total
            .as_deref()
            .and_then(parse_amount)
            .map(|t| comptoir_core::Cents(t.0 / i64::from(quantity.max(1)))),
    }
}

pub fn parse(bytes: &[u8]) -> Result<Parsed, ApiError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::ImportFormat(format!("JSON illisible : {e}")))?;
    let Value::Array(items) = v else {
        return Err(ApiError::ImportFormat(
            "le fichier doit être un tableau JSON de commandes WooCommerce".into(),
        ));
    };
    let mut parsed = Parsed {
        rows: items.len(),
        ..Parsed::default()
    };
    for (i, item) in items.into_iter().enumerate() {
        let line = i + 1;
        let number = item
            .get("number")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                item.get("id")
                    .and_then(Value::as_i64)
                    .map(|n| n.to_string())
            });
        match order(line, item) {
            Ok(o) => parsed.orders.push(o),
            Err((code, reason)) => parsed.errors.push(LineError {
                line,
                number,
                code,
                reason,
            }),
        }
    }
    Ok(parsed)
}

fn order(line: usize, item: Value) -> Result<WebOrder, (&'static str, String)> {
    let o: Order = serde_json::from_value(item).map_err(|e| {
        (
            "order_invalid",
            format!("commande WooCommerce invalide : {e}"),
        )
    })?;
    let number = o
        .number
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| o.id.map(|n| n.to_string()))
        .ok_or(("order_number_missing", "commande sans numéro".to_owned()))?;
    let created = o.date_created_gmt.as_deref().unwrap_or("");
    let ordered_at = gmt("date_created_gmt", created)?;
    let shipments = shipments(&o, ordered_at)?;
    let total = parse_amount(&o.total)
        .ok_or(("amount_invalid", format!("total « {} » illisible", o.total)))?;
    let shipping = match o.shipping_total.as_deref() {
        None | Some("") => comptoir_core::Cents(0),
        Some(s) => parse_amount(s).ok_or((
            "amount_invalid",
            format!("shipping_total « {s} » illisible"),
        ))?,
    };
    if o.line_items.is_empty() {
        return Err((
            "order_without_lines",
            "commande sans article (line_items vide)".into(),
        ));
    }
    let mut lines = Vec::new();
    for li in &o.line_items {
        let quantity = u32::try_from(li.quantity)
            .ok()
            .filter(|q| (1..=10_000).contains(q))
            .ok_or((
                "quantity_invalid",
                format!("quantité {} invalide", li.quantity),
            ))?;
        let unit_price = unit_price(li, quantity).ok_or((
            "amount_invalid",
            format!("prix illisible pour « {} »", li.name),
        ))?;
        if li.name.trim().is_empty() {
            return Err(("line_name_missing", "article sans désignation".into()));
        }
        lines.push(WebLine {
            sku: li.sku.as_deref().and_then(non_empty),
            name: li.name.trim().to_owned(),
            quantity,
            unit_price,
        });
    }
    let (b, s) = (&o.billing, &o.shipping);
    let pick = |a: &str, b: &str| {
        if a.trim().is_empty() {
            b.trim().to_owned()
        } else {
            a.trim().to_owned()
        }
    };
    let last_name = pick(&b.last_name, &s.last_name);
    if last_name.is_empty() {
        return Err((
            "customer_name_missing",
            "commande sans nom de client (billing.last_name)".into(),
        ));
    }
    Ok(WebOrder {
        line,
        number,
        email: b.email.as_deref().and_then(non_empty),
        phone: b
            .phone
            .as_deref()
            .and_then(non_empty)
            .or_else(|| s.phone.as_deref().and_then(non_empty)),
        first_name: pick(&b.first_name, &s.first_name),
        last_name,
        address_line1: pick(&b.address_1, &s.address_1),
        address_line2: non_empty(&pick(&b.address_2, &s.address_2)),
        postal_code: pick(&b.postcode, &s.postcode),
        city: pick(&b.city, &s.city),
        country: {
            let c = pick(&b.country, &s.country);
            if c.is_empty() {
                "FR".into()
            } else {
                c
            }
        },
        ordered_at,
        total,
        shipping,
        payment_method: o.payment_method_title.unwrap_or_default(),
        accepts_marketing: false,
        lines,
        shipments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
        std::fs::read(std::path::Path::new(&dir).join("tests/fixtures").join(name))
            .unwrap_or_default()
    }

    fn day(s: &WebShipment) -> String {
        s.shipped_at.format("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn parcels_from_shipment_tracking_or_completion() {
        let parsed = parse(&fixture("woocommerce-shipped.json")).expect("the file reads");
        let by_number = |n: &str| {
            parsed
                .orders
                .iter()
                .find(|o| o.number == n)
                .map(|o| &o.shipments)
        };
        // Completed without tracking: every line left at completion.
        let completed = by_number("5001").expect("5001");
        assert_eq!(completed.len(), 1);
        assert_eq!(day(&completed[0]), "2026-10-02 16:20");
        assert_eq!(completed[0].lines, vec![0]);
        assert_eq!(completed[0].carrier, None);
        // Advanced Shipment Tracking: two parcels, each with its line.
        let split = by_number("5002").expect("5002");
        let seen: Vec<(String, Option<&str>, Option<&str>, Vec<usize>)> = split
            .iter()
            .map(|s| {
                (
                    day(s),
                    s.carrier.as_deref(),
                    s.tracking.as_deref(),
                    s.lines.clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "2026-10-04 00:00".into(),
                    Some("colissimo"),
                    Some("6A12345678901"),
                    vec![0]
                ),
                (
                    "2026-10-09 00:00".into(),
                    Some("dpd"),
                    Some("DPD0012345678"),
                    vec![1]
                ),
            ]
        );
        // Shipment Tracking alone (no products_list): the parcel holds every
        // line; a custom carrier's name wins over the empty slug.
        let tracked = by_number("5003").expect("5003");
        assert_eq!(tracked.len(), 1);
        assert_eq!(tracked[0].lines, vec![0, 1]);
        assert_eq!(tracked[0].carrier.as_deref(), Some("Chronopost"));
        // A parcel naming a line the order has not, one that left before
        // the order: refused by their position in the array.
        let refused: Vec<(usize, &str)> = parsed.errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(
            refused,
            vec![(4, "shipment_line_unknown"), (5, "shipment_before_order")]
        );
        assert!(
            parsed.errors[0].reason.contains("999"),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn a_line_sent_in_two_parcels_counts_in_the_last() {
        let order = |meta: Value| -> Order {
            serde_json::from_value(serde_json::json!({
                "number": "7", "date_created_gmt": "2026-10-01T10:00:00", "total": "20.00",
                "line_items": [{"id": 1, "name": "Piles", "quantity": 2, "price": 10.0}],
                "meta_data": [{"key": TRACKING_META, "value": meta}]
            }))
            .expect("order")
        };
        let o = order(serde_json::json!([
            {"tracking_number": "B", "date_shipped": 1791590400, "products_list": [{"item_id": 1}]},
            {"tracking_number": "A", "date_shipped": "1791331200", "products_list": [{"item_id": "1"}]}
        ]));
        let at = gmt("date_created_gmt", "2026-10-01T10:00:00").expect("date");
        let parcels = shipments(&o, at).expect("parcels");
        assert_eq!(parcels.len(), 1, "{parcels:?}");
        assert_eq!(parcels[0].tracking.as_deref(), Some("B"));
        // One unit of two sent: the line has not all left, no parcel holds it.
        let half = order(serde_json::json!([
            {"tracking_number": "D", "date_shipped": 1791331200, "products_list": [{"item_id": 1, "qty": "1"}]}
        ]));
        assert!(shipments(&half, at).expect("parcels").is_empty());
        let bad = order(serde_json::json!([{"tracking_number": "C", "date_shipped": "demain"}]));
        assert_eq!(shipments(&bad, at).map_err(|e| e.0), Err("date_invalid"));
    }
}
