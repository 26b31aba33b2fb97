//! Applying parsed web orders: customers matched by e-mail, then phone
//! (normalised as comptoir-core does), or created; products by SKU, or
//! created as « produit web »; orders keyed by (source, number) with a
//! content hash, so a second import of the same file writes nothing.
//! Everything imported enters the feed as chain-wide changes
//! (`customer.imported`, `product.imported`, `order.imported`).
//!
//! The logic is written once over [`ImportTx`]; each backend implements
//! its few queries.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use comptoir_core::changes::{
    ImportedOrder, KIND_CUSTOMER_IMPORTED, KIND_ORDER_IMPORTED, KIND_PRODUCT_IMPORTED,
};
use comptoir_core::fulfilment::{estimated_receipt, ShipmentRecord};
use comptoir_core::ids::{ContactId, CustomerId, OrderId, OrderLineId, ProductId, ShipmentId};
use comptoir_core::model::{Channel, ContactKind, SoldAs};
use comptoir_core::normalize::{normalize_code, normalize_email, normalize_phone};
use comptoir_core::records::{
    ContactRecord, CustomerRecord, OrderLineRecord, OrderRecord, ProductRecord,
};
use comptoir_sync::ChangeEnvelope;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    ImportOptions, ImportReport, ImportTotals, LineOutcome, Parsed, ReportLine, Source, WebOrder,
};
use crate::error::{ApiError, Result};
use crate::storage::{NewChange, Scope, Storage};

/// The category of a product created by an import.
pub const WEB_PRODUCT_CATEGORY: &str = "produit web";
/// Orders per transaction.
const CHUNK: usize = 500;

/// An order already stored: what an import compares against and keeps.
pub struct StoredOrder {
    pub id: Uuid,
    pub content_hash: Vec<u8>,
    /// Its lines' ids, by position.
    pub line_ids: Vec<Uuid>,
}

/// The lines' ids of a stored order record (the rest of it is not read).
pub(crate) fn line_ids_of(record: &str) -> Result<Vec<Uuid>> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: Uuid,
    }
    #[derive(serde::Deserialize)]
    struct Lines {
        #[serde(default)]
        lines: Vec<Line>,
    }
    let l: Lines = serde_json::from_str(record).map_err(|e| ApiError::BadJson(e.to_string()))?;
    Ok(l.lines.into_iter().map(|l| l.id).collect())
}

/// A customer head office matches imports against: its id, its first
/// e-mail and phone (normalised, see [`match_keys`]) and its record as the
/// feed serves it.
pub struct CustomerRow {
    pub id: Uuid,
    pub email_norm: Option<String>,
    pub phone_norm: Option<String>,
    pub record: Value,
}

/// A product, keyed by its SKU.
pub struct ProductRow {
    pub id: Uuid,
    pub sku: String,
    pub record: Value,
}

/// An order keyed by its source and number, with the hash of what it was
/// made from (an unchanged order is not written again).
pub struct OrderRow {
    pub source: String,
    pub number: String,
    pub id: Uuid,
    pub content_hash: Vec<u8>,
    pub record: Value,
}

/// Everything one import transaction writes, in this order: customers,
/// products, orders (each order's lines replaced), then the feed's changes
/// in the order they were made. Each backend writes every list in a few
/// multi-row statements.
#[derive(Default)]
pub struct ImportWrites {
    pub customers: Vec<CustomerRow>,
    pub products: Vec<ProductRow>,
    /// At most one row per (source, number).
    pub orders: Vec<OrderRow>,
    pub changes: Vec<NewChange>,
}

/// What a customer is matched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKey {
    Email,
    Phone,
}

impl MatchKey {
    /// The column of `web_customers` holding the key.
    pub fn column(self) -> &'static str {
        match self {
            MatchKey::Email => "email_norm",
            MatchKey::Phone => "phone_norm",
        }
    }
}

/// The queries an import needs, inside one transaction: lookups of a whole
/// chunk's keys at once, then its writes at once.
#[async_trait]
pub trait ImportTx: Send {
    /// The customers holding these normalised e-mails (or phones), by key;
    /// where several hold one, the oldest id.
    async fn customers_by(
        &mut self,
        key: MatchKey,
        values: &[String],
    ) -> Result<HashMap<String, Uuid>>;
    /// The products of these SKUs, by SKU.
    async fn products_by_sku(&mut self, skus: &[String]) -> Result<HashMap<String, Uuid>>;
    /// The orders of this source already stored under these numbers.
    async fn orders(
        &mut self,
        source: &str,
        numbers: &[String],
    ) -> Result<HashMap<String, StoredOrder>>;
    async fn write(&mut self, writes: &ImportWrites) -> Result<()>;
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// What identifies an order's content (the file line is not part of it).
fn content_hash(o: &WebOrder) -> Vec<u8> {
    let mut o = o.clone();
    o.line = 0;
    let bytes = serde_json::to_vec(&o).unwrap_or_default();
    Sha256::digest(bytes).to_vec()
}

/// A change written by head office (import, publication): no store, no
/// device, served to the whole chain.
pub(crate) fn server_change(
    kind: &str,
    entity_id: Uuid,
    payload: Value,
    now: DateTime<Utc>,
) -> NewChange {
    NewChange {
        envelope: ChangeEnvelope {
            id: Uuid::now_v7(),
            kind: kind.to_owned(),
            entity_id,
            // Head office: no store, no device.
            store_code: String::new(),
            device_id: Uuid::nil(),
            hlc: comptoir_core::hlc::Hlc::at(now).to_string(),
            payload,
        },
        scope: Scope::Chain,
        pushed_by: None,
    }
}

pub(crate) fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::Io(e.into()))
}

/// The keys the import matches a customer by: first e-mail, first phone.
pub(crate) fn match_keys(c: &CustomerRecord) -> (Option<String>, Option<String>) {
    let first = |kind: ContactKind| {
        c.contacts
            .iter()
            .find(|k| k.kind == kind)
            .map(|k| k.value.as_str())
    };
    (
        first(ContactKind::Email)
            .map(normalize_email)
            .filter(|e| e.contains('@')),
        first(ContactKind::Phone).and_then(normalize_phone),
    )
}

/// The product key of a line: its SKU, or for a line without one
/// `WEB-` and its name's letters and digits.
fn sku_of(line: &super::WebLine) -> String {
    match &line.sku {
        Some(s) => s.clone(),
        None => {
            let mut k = normalize_code(&line.name);
            k.truncate(40);
            format!("WEB-{k}")
        }
    }
}

/// What a chunk of orders is matched against: what the database held when
/// the chunk began (looked up once for the whole chunk), plus what the
/// chunk itself created or imported before the current order.
struct Known {
    by_email: HashMap<String, Uuid>,
    by_phone: HashMap<String, Uuid>,
    by_sku: HashMap<String, Uuid>,
    orders: HashMap<String, StoredOrder>,
}

fn email_key(o: &WebOrder) -> Option<String> {
    o.email
        .as_deref()
        .map(normalize_email)
        .filter(|e| e.contains('@'))
}

fn phone_key(o: &WebOrder) -> Option<String> {
    o.phone.as_deref().and_then(normalize_phone)
}

fn distinct(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = keys.collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl Known {
    async fn load(tx: &mut dyn ImportTx, source: Source, chunk: &[WebOrder]) -> Result<Known> {
        let emails = distinct(chunk.iter().filter_map(email_key));
        let phones = distinct(chunk.iter().filter_map(phone_key));
        let skus = distinct(chunk.iter().flat_map(|o| o.lines.iter().map(sku_of)));
        let numbers = distinct(chunk.iter().map(|o| o.number.clone()));
        Ok(Known {
            by_email: tx.customers_by(MatchKey::Email, &emails).await?,
            by_phone: tx.customers_by(MatchKey::Phone, &phones).await?,
            by_sku: tx.products_by_sku(&skus).await?,
            orders: tx.orders(source.key(), &numbers).await?,
        })
    }
}

fn customer_for(
    known: &mut Known,
    o: &WebOrder,
    writes: &mut ImportWrites,
    totals: &mut ImportTotals,
) -> Result<Uuid> {
    let email_norm = email_key(o);
    let phone_norm = phone_key(o);
    if let Some(id) = email_norm.as_ref().and_then(|e| known.by_email.get(e)) {
        return Ok(*id);
    }
    if let Some(id) = phone_norm.as_ref().and_then(|p| known.by_phone.get(p)) {
        return Ok(*id);
    }
    let id = CustomerId::new();
    let mut contacts = Vec::new();
    if let Some(e) = &o.email {
        contacts.push(ContactRecord {
            id: ContactId::new(),
            kind: ContactKind::Email,
            value: e.clone(),
            label: None,
            is_primary: true,
        });
    }
    if let Some(p) = &o.phone {
        contacts.push(ContactRecord {
            id: ContactId::new(),
            kind: ContactKind::Phone,
            value: p.clone(),
            label: None,
            is_primary: true,
        });
    }
    let rec = CustomerRecord {
        id,
        title: None,
        first_name: o.first_name.clone(),
        last_name: o.last_name.clone(),
        address_line1: o.address_line1.clone(),
        address_line2: o.address_line2.clone(),
        postal_code: o.postal_code.clone(),
        city: o.city.clone(),
        country: o.country.clone(),
        email_marketing: o.accepts_marketing,
        sms_marketing: false,
        consents_updated_at: None,
        created_at: o.ordered_at,
        updated_at: o.ordered_at,
        contacts,
    };
    let v = to_value(&rec)?;
    if let Some(e) = &email_norm {
        known.by_email.insert(e.clone(), id.0);
    }
    if let Some(p) = &phone_norm {
        known.by_phone.insert(p.clone(), id.0);
    }
    writes.changes.push(server_change(
        KIND_CUSTOMER_IMPORTED,
        id.0,
        v.clone(),
        Utc::now(),
    ));
    writes.customers.push(CustomerRow {
        id: id.0,
        email_norm,
        phone_norm,
        record: v,
    });
    totals.customers_created += 1;
    Ok(id.0)
}

fn plan_one(
    known: &mut Known,
    writes: &mut ImportWrites,
    source: Source,
    o: &WebOrder,
    options: ImportOptions,
    totals: &mut ImportTotals,
) -> Result<LineOutcome> {
    let hash = content_hash(o);
    let existing = known.orders.get(&o.number);
    if let Some(e) = existing {
        if e.content_hash == hash {
            return Ok(LineOutcome::Skipped);
        }
    }
    // Keep the ids of an order imported before (and of its lines, by
    // position): dossiers may already point at them.
    let updated = existing.is_some();
    let (order_id, old_lines): (Uuid, Vec<Uuid>) = match existing {
        Some(e) => (e.id, e.line_ids.clone()),
        None => (OrderId::new().0, Vec::new()),
    };
    let customer = customer_for(known, o, writes, totals)?;
    let mut lines = Vec::with_capacity(o.lines.len());
    for (i, l) in o.lines.iter().enumerate() {
        let sku = sku_of(l);
        let product = match known.by_sku.get(&sku) {
            Some(p) => *p,
            None => {
                let rec = ProductRecord {
                    id: ProductId::new(),
                    sku: sku.clone(),
                    ean: None,
                    name: l.name.clone(),
                    brand: String::new(),
                    category: WEB_PRODUCT_CATEGORY.to_owned(),
                    sold_as: SoldAs::New,
                    price: l.unit_price,
                };
                let v = to_value(&rec)?;
                writes.changes.push(server_change(
                    KIND_PRODUCT_IMPORTED,
                    rec.id.0,
                    v.clone(),
                    Utc::now(),
                ));
                known.by_sku.insert(sku.clone(), rec.id.0);
                writes.products.push(ProductRow {
                    id: rec.id.0,
                    sku,
                    record: v,
                });
                totals.products_created += 1;
                rec.id.0
            }
        };
        lines.push(OrderLineRecord {
            id: OrderLineId(old_lines.get(i).copied().unwrap_or_else(Uuid::now_v7)),
            line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
            product_id: ProductId(product),
            quantity: l.quantity,
            unit_price: l.unit_price,
            serial_numbers: Vec::new(),
        });
    }
    let order = OrderRecord {
        id: OrderId(order_id),
        number: o.number.clone(),
        channel: Channel::Web,
        marketplace: None,
        store_id: None,
        customer_id: CustomerId(customer),
        ordered_at: o.ordered_at,
        delivered_at: None,
        total: o.total,
        shipping: o.shipping,
        payment_method: o.payment_method.clone(),
        lines,
    };
    // The export gives when a parcel left; the receipt, from which the
    // withdrawal period and the guarantee run, is estimated (and flagged).
    let shipments = o
        .shipments
        .iter()
        .map(|s| ShipmentRecord {
            id: ShipmentId::new(),
            order_id: order.id,
            delivered_at: estimated_receipt(s.shipped_at, options.transit_days),
            carrier: s.carrier.clone(),
            tracking: s.tracking.clone(),
            lines: s.lines.iter().map(|&i| order.lines[i].id).collect(),
            shipped_at: Some(s.shipped_at),
            delivery_estimated: true,
        })
        .collect();
    let rec = ImportedOrder { order, shipments };
    let v = to_value(&rec)?;
    let line_ids = rec.order.lines.iter().map(|l| l.id.0).collect();
    writes.changes.push(server_change(
        KIND_ORDER_IMPORTED,
        order_id,
        v.clone(),
        Utc::now(),
    ));
    // The same order twice in a chunk (a file that repeats it): the later
    // one is written, and is what the rest of the chunk compares against.
    writes.orders.retain(|r| r.number != o.number);
    writes.orders.push(OrderRow {
        source: source.key().to_owned(),
        number: o.number.clone(),
        id: order_id,
        content_hash: hash.clone(),
        record: v,
    });
    known.orders.insert(
        o.number.clone(),
        StoredOrder {
            id: order_id,
            content_hash: hash,
            line_ids,
        },
    );
    Ok(if updated {
        LineOutcome::Updated
    } else {
        LineOutcome::Imported
    })
}

/// Applies what a parser read, in transactions of up to 500 orders (the
/// chunk's customers, products and orders looked up in one query each,
/// its rows written in a few multi-row statements), and reports every
/// order and every refused line by its line number.
pub async fn apply(
    storage: &dyn Storage,
    source: Source,
    parsed: Parsed,
    options: ImportOptions,
) -> Result<ImportReport> {
    let mut totals = ImportTotals::default();
    let mut lines: Vec<ReportLine> = parsed
        .errors
        .into_iter()
        .map(|e| ReportLine {
            line: e.line,
            number: e.number,
            outcome: LineOutcome::Rejected,
            code: Some(e.code.to_owned()),
            reason: Some(e.reason),
        })
        .collect();
    totals.rejected = lines.len();
    for chunk in parsed.orders.chunks(CHUNK) {
        let mut tx = storage.begin_import().await?;
        let mut known = Known::load(tx.as_mut(), source, chunk).await?;
        let mut writes = ImportWrites::default();
        for o in chunk {
            let outcome = plan_one(&mut known, &mut writes, source, o, options, &mut totals)?;
            match outcome {
                LineOutcome::Imported => totals.imported += 1,
                LineOutcome::Updated => totals.updated += 1,
                LineOutcome::Skipped => totals.skipped += 1,
                LineOutcome::Rejected => totals.rejected += 1,
            }
            lines.push(ReportLine {
                line: o.line,
                number: Some(o.number.clone()),
                outcome,
                code: None,
                reason: None,
            });
        }
        tx.write(&writes).await?;
        tx.commit().await?;
    }
    lines.sort_by_key(|l| l.line);
    Ok(ImportReport {
        source,
        totals,
        lines,
    })
}
