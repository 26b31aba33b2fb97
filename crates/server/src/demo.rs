//! `comptoir-server demo-data`: fills an empty central server with the demo
//! chain — its stores (and head office), its catalogue, customers, orders
//! of every channel with their parcels, and the dossiers of every store and
//! those opened online — as head office would hold them: each record is a
//! change in the feed (`product.imported`, `customer.imported`,
//! `order.imported`, `dossier.event`) and enters the import's matching
//! tables (a later web order of a demo customer's e-mail lands on their
//! card). A counter set up with `comptoir-ctl demo-data --counter-only`
//! then gets all of it by bootstrap, the way a real counter does.

use chrono::Utc;
use comptoir_core::changes::{
    Change, KIND_CUSTOMER_IMPORTED, KIND_ORDER_IMPORTED, KIND_PRODUCT_IMPORTED,
};
use comptoir_core::records::DossierRecord;
use comptoir_demo::chain::ChainBatch;
use comptoir_demo::DemoConfig;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, Result};
use crate::import::apply::{
    match_keys, server_change, to_value, CustomerRow, ImportWrites, OrderRow, ProductRow,
};
use crate::storage::{Cursor, NewChange, Scope, Storage};

/// Head office's store in the demo chain.
pub const HEAD_OFFICE: (&str, &str) = ("SIEGE", "Siège");

#[derive(Debug, Default, Clone, Serialize)]
pub struct DemoLoaded {
    /// What the chain holds (the same counts as a counter's demo data).
    #[serde(flatten)]
    pub summary: comptoir_demo::DemoSummary,
    /// Changes written to the feed.
    pub changes: u64,
}

/// Loads the demo chain for `cfg` into an empty server. `progress(done,
/// total)` counts customers. Each batch is one transaction.
pub async fn load(
    storage: &dyn Storage,
    cfg: &DemoConfig,
    mut progress: impl FnMut(u64, u64),
) -> Result<DemoLoaded> {
    let existing = storage.feed_count(HEAD_OFFICE.0, Cursor::default()).await?;
    if existing > 0 {
        return Err(ApiError::DemoNotEmpty(existing));
    }
    let (catalog, batches) = comptoir_demo::chain::chain(cfg);
    let mut loaded = DemoLoaded::default();
    let known: Vec<String> = storage
        .list_stores()
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let now = Utc::now();
    for s in &catalog.stores {
        if !known.contains(&s.code) {
            storage.add_store(&s.code, &s.name, false, now).await?;
        }
        loaded.summary.stores += 1;
    }
    if !known.iter().any(|c| c == HEAD_OFFICE.0) {
        storage
            .add_store(HEAD_OFFICE.0, HEAD_OFFICE.1, true, now)
            .await?;
    }
    let mut tx = storage.begin_import().await?;
    let mut w = ImportWrites::default();
    for p in &catalog.products {
        let v = to_value(p)?;
        w.changes
            .push(server_change(KIND_PRODUCT_IMPORTED, p.id.0, v.clone(), now));
        w.products.push(ProductRow {
            id: p.id.0,
            sku: p.sku.clone(),
            record: v,
        });
    }
    tx.write(&w).await?;
    tx.commit().await?;
    loaded.summary.products = catalog.products.len() as u64;
    loaded.changes += w.changes.len() as u64;
    let codes: std::collections::HashMap<_, _> = catalog
        .stores
        .iter()
        .map(|s| (s.id, s.code.clone()))
        .collect();
    for batch in batches {
        load_batch(storage, &batch, &codes, &mut loaded).await?;
        progress(loaded.summary.customers, cfg.customers);
    }
    Ok(loaded)
}

async fn load_batch(
    storage: &dyn Storage,
    b: &ChainBatch,
    codes: &std::collections::HashMap<comptoir_core::ids::StoreId, String>,
    loaded: &mut DemoLoaded,
) -> Result<()> {
    let now = Utc::now();
    let mut w = ImportWrites::default();
    let changes = &mut w.changes;
    changes.reserve(b.customers.len() * 5);
    for c in &b.customers {
        let v = to_value(c)?;
        let (email_norm, phone_norm) = match_keys(c);
        changes.push(server_change(
            KIND_CUSTOMER_IMPORTED,
            c.id.0,
            v.clone(),
            now,
        ));
        w.customers.push(CustomerRow {
            id: c.id.0,
            email_norm,
            phone_norm,
            record: v,
        });
    }
    for o in &b.orders {
        let v = to_value(o)?;
        let source = format!(
            "demo-{}{}",
            o.order.channel.code(),
            o.order
                .marketplace
                .as_deref()
                .map(|m| format!("-{m}"))
                .unwrap_or_default()
        );
        let hash = Sha256::digest(v.to_string().as_bytes()).to_vec();
        changes.push(server_change(
            KIND_ORDER_IMPORTED,
            o.order.id.0,
            v.clone(),
            now,
        ));
        w.orders.push(OrderRow {
            source,
            number: o.order.number.clone(),
            id: o.order.id.0,
            content_hash: hash,
            record: v,
        });
        loaded.summary.order_lines += o.order.lines.len() as u64;
    }
    for d in &b.dossiers {
        let store_code = d
            .store_id
            .and_then(|id| codes.get(&id).cloned())
            .unwrap_or_default();
        let events = dossier_changes(d, &store_code)?;
        loaded.summary.events += events.len() as u64;
        changes.extend(events);
    }
    // The story's dossiers: the typed events each store's counter wrote,
    // as it would have pushed them.
    for t in &b.timelines {
        loaded.summary.events += t.events.len() as u64;
        for e in &t.events {
            let envelope = Change::DossierEvent(e.clone())
                .to_envelope(&t.store_code)
                .map_err(|e| ApiError::DossierInvalid(e.message_fr()))?;
            changes.push(NewChange {
                envelope,
                scope: Scope::Chain,
                pushed_by: None,
            });
        }
    }
    let mut tx = storage.begin_import().await?;
    tx.write(&w).await?;
    tx.commit().await?;
    let changes = &w.changes;
    loaded.summary.customers += b.customers.len() as u64;
    loaded.summary.orders += b.orders.len() as u64;
    loaded.summary.dossiers += (b.dossiers.len() + b.timelines.len()) as u64;
    loaded.changes += changes.len() as u64;
    Ok(())
}

/// A dossier's events as the counters' `dossier.event` changes (the
/// store's code on them; none for one opened online).
fn dossier_changes(d: &DossierRecord, store_code: &str) -> Result<Vec<NewChange>> {
    let timeline = comptoir_store::dossier_timeline(d)
        .map_err(|e| ApiError::DossierInvalid(e.message_fr()))?;
    timeline
        .into_iter()
        .map(|e| {
            let envelope = Change::DossierEvent(e)
                .to_envelope(store_code)
                .map_err(|e| ApiError::DossierInvalid(e.message_fr()))?;
            Ok(NewChange {
                envelope,
                scope: Scope::Chain,
                pushed_by: None,
            })
        })
        .collect()
}
