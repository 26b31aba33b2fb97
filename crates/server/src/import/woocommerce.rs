//! WooCommerce REST API v3 orders (`GET /wp-json/wc/v3/orders`), a JSON
//! array of orders: `number`, `date_created_gmt` (`2026-10-02T12:31:07`,
//! UTC without offset), amounts as strings (`"total": "1299.00"`),
//! `billing` (with `email` and `phone`), `shipping`, `line_items` with
//! `sku`, `quantity`, `price` (a JSON number in the real API) and `total`
//! (a string). Unknown fields are ignored: real orders carry dozens.

use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::Value;

use super::{non_empty, parse_amount, LineError, Parsed, WebLine, WebOrder};
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
    let ordered_at = NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S")
        .map(|n| n.and_utc())
        .map_err(|_| {
            (
                "date_invalid",
                format!("date_created_gmt « {created} » illisible"),
            )
        })?;
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
    })
}
