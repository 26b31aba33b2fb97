//! Web orders import: Shopify's order CSV export and WooCommerce REST v3
//! orders (JSON), parsed into one [`WebOrder`] shape, then applied
//! (customers matched by e-mail then phone, products by SKU, orders keyed by
//! source and number) with a line-numbered [`ImportReport`].

pub mod apply;
pub mod shopify;
pub mod woocommerce;

use chrono::{DateTime, Utc};
use comptoir_core::Cents;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An order as read from a web shop's export, before matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebOrder {
    /// Line of the file (Shopify: the order's first row) or position in the
    /// array (WooCommerce, 1-based).
    pub line: usize,
    pub number: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub ordered_at: DateTime<Utc>,
    pub total: Cents,
    pub shipping: Cents,
    pub payment_method: String,
    pub accepts_marketing: bool,
    pub lines: Vec<WebLine>,
    /// The parcels that left, as the export tells (dispatch, not receipt).
    /// Not serialised when empty: an order without fulfilment data keeps the
    /// content hash it had before parcels were read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipments: Vec<WebShipment>,
}

/// A parcel of a web order, as the shop's fulfilment data gives it: when it
/// left the warehouse (Shopify's `Fulfilled at`, WooCommerce Shipment
/// Tracking's `date_shipped` or the order's `date_completed_gmt`), not when
/// the customer received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebShipment {
    pub shipped_at: DateTime<Utc>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    /// Positions in [`WebOrder::lines`] (0-based), each in one parcel only.
    pub lines: Vec<usize>,
}

/// How an import turns the formats' data into the store's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Days allowed between a parcel's dispatch and its receipt when the
    /// carrier's delivery date is not in the export.
    pub transit_days: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            transit_days: comptoir_core::fulfilment::DEFAULT_TRANSIT_DAYS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebLine {
    pub sku: Option<String>,
    pub name: String,
    pub quantity: u32,
    pub unit_price: Cents,
}

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    ShopifyCsv,
    WoocommerceJson,
}

impl Source {
    /// The order key's source part (`shopify`, `woocommerce`).
    pub fn key(self) -> &'static str {
        match self {
            Source::ShopifyCsv => "shopify",
            Source::WoocommerceJson => "woocommerce",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineOutcome {
    /// A new order (with its new customer or products, if any).
    Imported,
    /// An order already imported whose content changed.
    Updated,
    /// An order already imported, unchanged: nothing written.
    Skipped,
    /// Not imported (see the reason); nothing of it written.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportLine {
    pub line: usize,
    /// The order's number when it could be read.
    pub number: Option<String>,
    pub outcome: LineOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportTotals {
    pub imported: usize,
    pub updated: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub customers_created: usize,
    pub products_created: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub source: Source,
    pub totals: ImportTotals,
    pub lines: Vec<ReportLine>,
}

/// A line (or order) that cannot be imported, with its stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub number: Option<String>,
    pub code: &'static str,
    pub reason: String,
}

/// What a parser gives: the orders it could read, and the lines it could not.
#[derive(Debug, Default)]
pub struct Parsed {
    pub orders: Vec<WebOrder>,
    pub errors: Vec<LineError>,
    /// Data rows (Shopify) or array elements (WooCommerce) read.
    pub rows: usize,
}

/// Parses a file of the given source and applies it.
pub async fn run(
    storage: &dyn crate::storage::Storage,
    source: Source,
    bytes: &[u8],
    options: ImportOptions,
) -> crate::Result<ImportReport> {
    let parsed = match source {
        Source::ShopifyCsv => shopify::parse(bytes)?,
        Source::WoocommerceJson => woocommerce::parse(bytes)?,
    };
    apply::apply(storage, source, parsed, options).await
}

/// A decimal amount with a dot (`"34.90"`, `"5"`, `"0.5"`) into cents.
/// Refuses negatives, commas, more than two decimals and absurd sizes.
pub fn parse_amount(s: &str) -> Option<Cents> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty()
        || int.len() > 12
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let units: i64 = int.parse().ok()?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    Some(Cents(units.checked_mul(100)?.checked_add(cents)?))
}

/// "Sophie GALLAS" → ("Sophie", "GALLAS"); one word is a last name.
pub fn split_name(full: &str) -> (String, String) {
    let full = full.split_whitespace().collect::<Vec<_>>().join(" ");
    match full.split_once(' ') {
        Some((first, last)) => (first.to_owned(), last.to_owned()),
        None => (String::new(), full),
    }
}

pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("34.90"), Some(Cents(3490)));
        assert_eq!(parse_amount("5"), Some(Cents(500)));
        assert_eq!(parse_amount("0.5"), Some(Cents(50)));
        assert_eq!(parse_amount(" 1299.00 "), Some(Cents(129_900)));
        for bad in [
            "",
            "-3.00",
            "3,50",
            "1.234",
            "abc",
            ".5",
            "1e3",
            "9999999999999",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            split_name(" Sophie  GALLAS "),
            ("Sophie".into(), "GALLAS".into())
        );
        assert_eq!(
            split_name("Jean Paul Sartre"),
            ("Jean".into(), "Paul Sartre".into())
        );
        assert_eq!(split_name("Cher"), (String::new(), "Cher".into()));
    }
}
