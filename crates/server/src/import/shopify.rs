//! Shopify's order export (Admin → Orders → Export, "CSV for Excel, Numbers
//! or other spreadsheet programs"), as it really is: one row per line item,
//! the order's fields on the first row of each order only, rows grouped by
//! `Name` (`#1001`); quoted fields that may span lines (Notes); prices with
//! a dot; dates like `2026-10-02 14:31:07 +0200`; zip codes that may carry
//! a leading apostrophe (`'01000`, added so spreadsheets keep the zero).

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::{non_empty, parse_amount, split_name, LineError, Parsed, WebLine, WebOrder};
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
    let mut lines = Vec::with_capacity(rows.len());
    for (l, r) in rows {
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

    #[test]
    fn zip_apostrophe() {
        assert_eq!(zip("'01000"), "01000");
        assert_eq!(zip("69003"), "69003");
    }
}
