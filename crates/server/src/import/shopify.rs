//! Shopify's order export (Admin → Orders → Export, "CSV for Excel, Numbers
//! or other spreadsheet programs"), as it really is: one row per line item,
//! the order's fields on the first row of each order only, rows grouped by
//! `Name` (`#1001`); quoted fields that may span lines (Notes); prices with
//! a dot; dates like `2026-10-02 14:31:07 +0200`; zip codes that may carry
//! a leading apostrophe (`'01000`, added so spreadsheets keep the zero).

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::{
    non_empty, parse_amount, split_name, LineError, Parsed, WebLine, WebOrder, WebShipment,
};
use crate::error::ApiError;

/// Columns without which no order can be read.
pub const REQUIRED: &[&str] = &[
    "Name",
    "Email",
    "Created at",
    "Total",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing Name",
];

pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn zip(s: &str) -> String {
    s.trim().trim_start_matches('\'').trim().to_owned()
}

struct Cols(HashMap<String, usize>);

impl Cols {
    fn get<'r>(&self, r: &'r csv::StringRecord, name: &str) -> &'r str {
        self.0
            .get(name)
            .and_then(|&i| r.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// Reads the file. A file without the required columns, or that is not
/// CSV, is an error; a bad order is a [`LineError`] and the rest goes on.
pub fn parse(input: impl Read) -> Result<Parsed, ApiError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = rdr
        .headers()
        .map_err(|e| ApiError::ImportFormat(format!("en-têtes CSV illisibles : {e}")))?
        .clone();
    let cols = Cols(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_owned(), i))
            .collect(),
    );
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !cols.0.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::ImportColumnsMissing(missing.join(", ")));
    }

    let mut parsed = Parsed::default();
    // Orders in the order they first appear; rows of one order together.
    let mut groups: Vec<(String, Vec<(usize, csv::StringRecord)>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                parsed.errors.push(LineError {
                    line,
                    number: None,
                    code: "csv_invalid",
                    reason: format!("ligne CSV illisible : {e}"),
                });
                continue;
            }
        };
        parsed.rows += 1;
        let line = rec
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let name = cols.get(&rec, "Name").to_owned();
        if name.is_empty() {
            parsed.errors.push(LineError {
                line,
                number: None,
                code: "order_number_missing",
                reason: "ligne sans numéro de commande (colonne Name vide)".into(),
            });
            continue;
        }
        match index.get(&name) {
            Some(&i) => groups[i].1.push((line, rec)),
            None => {
                index.insert(name.clone(), groups.len());
                groups.push((name, vec![(line, rec)]));
            }
        }
    }
    for (number, rows) in groups {
        match order(&cols, &number, &rows) {
            Ok(o) => parsed.orders.push(o),
            Err(e) => parsed.errors.push(e),
        }
    }
    Ok(parsed)
}

fn order(
    cols: &Cols,
    number: &str,
    rows: &[(usize, csv::StringRecord)],
) -> Result<WebOrder, LineError> {
    let (line, first) = &rows[0];
    let err = |line: usize, code: &'static str, reason: String| LineError {
        line,
        number: Some(number.to_owned()),
        code,
        reason,
    };
    let created = cols.get(first, "Created at");
    let ordered_at = parse_date(created).ok_or_else(|| {
        err(
            *line,
            "date_invalid",
            format!("date « {created} » illisible (attendu 2026-10-02 14:31:07 +0200)"),
        )
    })?;
    let amount = |field: &str, allow_empty: bool| {
        let v = cols.get(first, field);
        if v.is_empty() && allow_empty {
            return Ok(comptoir_core::Cents(0));
        }
        parse_amount(v).ok_or_else(|| {
            err(
                *line,
                "amount_invalid",
                format!("montant « {v} » illisible dans {field}"),
            )
        })
    };
    let total = amount("Total", false)?;
    let shipping = amount("Shipping", true)?;
    let pick = |a: &str, b: &str| {
        let v = cols.get(first, a);
        if v.is_empty() {
            cols.get(first, b).to_owned()
        } else {
            v.to_owned()
        }
    };
    let full_name = pick("Billing Name", "Shipping Name");
    let (first_name, last_name) = split_name(&full_name);
    if last_name.is_empty() {
        return Err(err(
            *line,
            "customer_name_missing",
            "commande sans nom de client (Billing Name)".into(),
        ));
    }
    let email = non_empty(cols.get(first, "Email"));
    let phone = [
        cols.get(first, "Phone"),
        cols.get(first, "Billing Phone"),
        cols.get(first, "Shipping Phone"),
    ]
    .into_iter()
    .find(|p| !p.is_empty())
    .map(str::to_owned);
    let fulfilled = cols.get(first, "Fulfilled at");
    let fulfilled_at = if fulfilled.is_empty() {
        None
    } else {
        let at = parse_date(fulfilled).ok_or_else(|| {
            err(
                *line,
                "date_invalid",
                format!("date d'expédition « {fulfilled} » illisible (Fulfilled at)"),
            )
        })?;
        if at < ordered_at {
            return Err(err(
                *line,
                "shipment_before_order",
                format!("expédition du {fulfilled} antérieure à la commande du {created}"),
            ));
        }
        Some(at)
    };
    let order_fulfilled = cols
        .get(first, "Fulfillment Status")
        .eq_ignore_ascii_case("fulfilled");
    let mut shipped_lines = Vec::new();
    let mut lines = Vec::with_capacity(rows.len());
    for (i, (l, r)) in rows.iter().enumerate() {
        // A line is in the parcel when Shopify says all of it left
        // (`fulfilled`); `partial` (some units still to come) is not received
        // yet, so it must not start the withdrawal period (L221-18: the last
        // item). An export without the line's status follows the order's.
        let status = cols.get(r, "Lineitem fulfillment status");
        if status.eq_ignore_ascii_case("fulfilled") || (status.is_empty() && order_fulfilled) {
            shipped_lines.push(i);
        }
        let q = cols.get(r, "Lineitem quantity");
        let quantity: u32 = q
            .parse()
            .ok()
            .filter(|q| (1..=10_000).contains(q))
            .ok_or_else(|| err(*l, "quantity_invalid", format!("quantité « {q} » invalide")))?;
        let p = cols.get(r, "Lineitem price");
        let unit_price = parse_amount(p).ok_or_else(|| {
            err(
                *l,
                "amount_invalid",
                format!("prix « {p} » illisible (Lineitem price)"),
            )
        })?;
        let name = cols.get(r, "Lineitem name");
        if name.is_empty() {
            return Err(err(
                *l,
                "line_name_missing",
                "article sans désignation (Lineitem name)".into(),
            ));
        }
        lines.push(WebLine {
            sku: non_empty(cols.get(r, "Lineitem sku")),
            name: name.to_owned(),
            quantity,
            unit_price,
        });
    }
    Ok(WebOrder {
        line: *line,
        number: number.to_owned(),
        email,
        phone,
        first_name,
        last_name,
        address_line1: pick("Billing Address1", "Shipping Address1"),
        address_line2: non_empty(&pick("Billing Address2", "Shipping Address2")),
        postal_code: zip(&pick("Billing Zip", "Shipping Zip")),
        city: pick("Billing City", "Shipping City"),
        country: {
            let c = pick("Billing Country", "Shipping Country");
            if c.is_empty() {
                "FR".into()
            } else {
                c
            }
        },
        ordered_at,
        total,
        shipping,
        payment_method: cols.get(first, "Payment Method").to_owned(),
        accepts_marketing: cols
            .get(first, "Accepts Marketing")
            .eq_ignore_ascii_case("yes"),
        lines,
        // The export has one fulfilment date an order: its lines that left
        // are one parcel. Lines said to have left without a date give none
        // (the receipt cannot be placed).
        shipments: match fulfilled_at {
            Some(shipped_at) if !shipped_lines.is_empty() => vec![WebShipment {
                shipped_at,
                carrier: non_empty(cols.get(first, "Shipping Method")),
                tracking: None,
                lines: shipped_lines,
            }],
            _ => Vec::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_with_offset() {
        let d = parse_date("2026-10-02 14:31:07 +0200").expect("date");
        assert_eq!(d.to_rfc3339(), "2026-10-02T12:31:07+00:00");
        assert!(parse_date("02/10/2026 14:31").is_none());
    }

    fn fixture(name: &str) -> Vec<u8> {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
        std::fs::read(std::path::Path::new(&dir).join("tests/fixtures").join(name))
            .unwrap_or_default()
    }

    #[test]
    fn fulfilled_lines_are_one_parcel_dated_fulfilled_at() {
        let parsed = parse(&fixture("shopify-fulfilled.csv")[..]).expect("the file reads");
        let by_number = |n: &str| parsed.orders.iter().find(|o| o.number == n);
        let whole = by_number("#2001").expect("#2001");
        assert_eq!(whole.shipments.len(), 1);
        let s = &whole.shipments[0];
        assert_eq!(s.shipped_at.to_rfc3339(), "2026-10-03T08:15:22+00:00");
        assert_eq!(s.lines, vec![0]);
        assert_eq!(
            s.carrier.as_deref(),
            Some("Colissimo - Livraison à domicile")
        );
        // Partly fulfilled: the pending line is in no parcel.
        let partial = by_number("#2002").expect("#2002");
        assert_eq!(partial.lines.len(), 2);
        assert_eq!(partial.shipments.len(), 1);
        assert_eq!(partial.shipments[0].lines, vec![0]);
        // Nothing fulfilled: no parcel.
        assert!(by_number("#2003").expect("#2003").shipments.is_empty());
        // A dispatch before the order, an unreadable dispatch: refused by line.
        let refused: Vec<(&str, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.number.as_deref().unwrap_or(""), e.code))
            .collect();
        assert_eq!(
            refused,
            vec![
                ("#2004", "shipment_before_order"),
                ("#2005", "date_invalid")
            ]
        );
        assert!(
            parsed.errors[1].reason.contains("Fulfilled at"),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn a_partly_fulfilled_line_is_not_received() {
        let text = String::from_utf8(fixture("shopify-fulfilled.csv")).unwrap_or_default();
        // #2001's only line: some units still to come.
        let partial = text.replacen("SKU-TV,true,true,fulfilled", "SKU-TV,true,true,partial", 1);
        assert_ne!(partial, text);
        let parsed = parse(partial.as_bytes()).expect("the file reads");
        let o = parsed
            .orders
            .iter()
            .find(|o| o.number == "#2001")
            .expect("#2001");
        assert!(o.shipments.is_empty(), "{:?}", o.shipments);
    }

    #[test]
    fn zip_apostrophe() {
        assert_eq!(zip("'01000"), "01000");
        assert_eq!(zip("69003"), "69003");
    }
}
