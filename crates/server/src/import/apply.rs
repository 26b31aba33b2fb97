//! Applying parsed web orders: customers matched by e-mail, then phone
//! (normalised as comptoir-core does), or created; products by SKU, or
//! created as « produit web »; orders keyed by (source, number) with a
//! content hash, so a second import of the same file writes nothing.
//! Everything imported enters the feed as chain-wide changes
//! (`customer.imported`, `product.imported`, `order.imported`).
//!
//! The logic is written once over [`ImportTx`]; each backend implements
//! its few queries.

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

pub struct StoredOrder {
    pub id: Uuid,
    pub content_hash: Vec<u8>,
    pub record: Value,
}

/// The queries an import needs, inside one transaction.
#[async_trait]
pub trait ImportTx: Send {
    async fn customer_by_email(&mut self, email_norm: &str) -> Result<Option<Uuid>>;
    async fn customer_by_phone(&mut self, phone_norm: &str) -> Result<Option<Uuid>>;
    async fn insert_customer(
        &mut self,
        id: Uuid,
        email_norm: Option<&str>,
        phone_norm: Option<&str>,
        record: &Value,
    ) -> Result<()>;
    async fn product_by_sku(&mut self, sku: &str) -> Result<Option<Uuid>>;
    async fn insert_product(&mut self, id: Uuid, sku: &str, record: &Value) -> Result<()>;
    async fn order(&mut self, source: &str, number: &str) -> Result<Option<StoredOrder>>;
    async fn upsert_order(
        &mut self,
        source: &str,
        number: &str,
        id: Uuid,
        content_hash: &[u8],
        record: &Value,
    ) -> Result<()>;
    async fn insert_changes(&mut self, changes: &[NewChange]) -> Result<()>;
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

async fn customer_for(
    tx: &mut dyn ImportTx,
    o: &WebOrder,
    changes: &mut Vec<NewChange>,
    totals: &mut ImportTotals,
) -> Result<Uuid> {
    let email_norm = o
        .email
        .as_deref()
        .map(normalize_email)
        .filter(|e| e.contains('@'));
    let phone_norm = o.phone.as_deref().and_then(normalize_phone);
    if let Some(e) = &email_norm {
        if let Some(id) = tx.customer_by_email(e).await? {
            return Ok(id);
        }
    }
    if let Some(p) = &phone_norm {
        if let Some(id) = tx.customer_by_phone(p).await? {
            return Ok(id);
        }
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
    tx.insert_customer(id.0, email_norm.as_deref(), phone_norm.as_deref(), &v)
        .await?;
    changes.push(server_change(KIND_CUSTOMER_IMPORTED, id.0, v, Utc::now()));
    totals.customers_created += 1;
    Ok(id.0)
}

async fn apply_one(
    tx: &mut dyn ImportTx,
    source: Source,
    o: &WebOrder,
    options: ImportOptions,
    totals: &mut ImportTotals,
) -> Result<LineOutcome> {
    let hash = content_hash(o);
    let existing = tx.order(source.key(), &o.number).await?;
    if let Some(e) = &existing {
        if e.content_hash == hash {
            return Ok(LineOutcome::Skipped);
        }
    }
    let mut changes = Vec::new();
    let customer = customer_for(tx, o, &mut changes, totals).await?;
    // Keep the ids of an order imported before (and of its lines, by
    // position): dossiers may already point at them.
    let (order_id, old_lines): (Uuid, Vec<Uuid>) = match &existing {
        Some(e) => (
            e.id,
            e.record["lines"]
                .as_array()
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| l["id"].as_str()?.parse().ok())
                        .collect()
                })
                .unwrap_or_default(),
        ),
        None => (OrderId::new().0, Vec::new()),
    };
    let mut lines = Vec::with_capacity(o.lines.len());
    for (i, l) in o.lines.iter().enumerate() {
        let sku = sku_of(l);
        let product = match tx.product_by_sku(&sku).await? {
            Some(p) => p,
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
                tx.insert_product(rec.id.0, &sku, &v).await?;
                changes.push(server_change(
                    KIND_PRODUCT_IMPORTED,
                    rec.id.0,
                    v,
                    Utc::now(),
                ));
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
    tx.upsert_order(source.key(), &o.number, order_id, &hash, &v)
        .await?;
    changes.push(server_change(KIND_ORDER_IMPORTED, order_id, v, Utc::now()));
    tx.insert_changes(&changes).await?;
    Ok(if existing.is_some() {
        LineOutcome::Updated
    } else {
        LineOutcome::Imported
    })
}

/// Applies what a parser read, in transactions of up to 500 orders, and
/// reports every order and every refused line by its line number.
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
        for o in chunk {
            let outcome = apply_one(tx.as_mut(), source, o, options, &mut totals).await?;
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
        tx.commit().await?;
    }
    lines.sort_by_key(|l| l.line);
    Ok(ImportReport {
        source,
        totals,
        lines,
    })
}
