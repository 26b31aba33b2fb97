//! Realistic French demo and benchmark data: stores, a product catalogue,
//! customers (accented names, homonyms, phones written every way), orders
//! across the store, web and marketplace channels, and SAV dossiers, some
//! opened online. Deterministic for a given seed and reference date; scales
//! from a hundred customers to a million (≈ 5 million order lines).
//!
//! A few fixed *showcase* customers are always present (the demo and the
//! end-to-end tests rely on them): see [`showcase`].
#![forbid(unsafe_code)]

pub mod chain;
mod data;
mod fulfilment;
mod gen;
pub mod showcase;
pub mod story;

use std::sync::mpsc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use comptoir_core::changes::Change;
use comptoir_core::fulfilment::ShipmentRecord;
use comptoir_store::{BulkBatch, Store, StoreError};
use thiserror::Error;

pub use gen::Catalog;

#[derive(Debug, Error)]
pub enum DemoError {
    #[error(
        "the database already holds {0} customers; demo data goes into an empty database only"
    )]
    NotEmpty(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("the generator thread stopped unexpectedly")]
    Generator,
}

impl DemoError {
    pub fn code(&self) -> &'static str {
        match self {
            DemoError::NotEmpty(_) => "demo_not_empty",
            DemoError::Store(e) => e.code(),
            DemoError::Sqlx(_) | DemoError::Generator => "database",
        }
    }

    pub fn message_fr(&self) -> String {
        match self {
            DemoError::NotEmpty(n) => format!(
                "La base contient déjà {n} clients : les données de démonstration ne sont créées que dans une base vide."
            ),
            DemoError::Store(e) => e.message_fr(),
            DemoError::Sqlx(_) | DemoError::Generator => {
                "La création des données de démonstration a échoué.".to_owned()
            }
        }
    }
}

pub type Result<T, E = DemoError> = std::result::Result<T, E>;

#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Total customers, showcase ones included.
    pub customers: u64,
    pub seed: u64,
    /// "Now" for the data: orders and dossiers happen before it.
    pub as_of: DateTime<Utc>,
    /// The store this counter belongs to.
    pub local_store: String,
}

impl DemoConfig {
    pub fn new(customers: u64) -> Self {
        DemoConfig {
            customers,
            seed: 42,
            as_of: Utc::now(),
            local_store: "LYO1".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub stores: u64,
    pub products: u64,
    pub customers: u64,
    pub orders: u64,
    pub order_lines: u64,
    pub dossiers: u64,
    pub events: u64,
}

/// Customers generated and written per transaction.
pub(crate) const BATCH: u64 = 2_000;

/// Fills an empty database. `progress(done, total)` is called after each batch.
pub async fn generate(
    store: &Store,
    cfg: &DemoConfig,
    mut progress: impl FnMut(u64, u64),
) -> Result<DemoSummary> {
    let existing = store.customer_count().await?;
    if existing > 0 {
        return Err(DemoError::NotEmpty(existing));
    }
    let started = Instant::now();
    let catalog = Catalog::new(cfg.seed);
    let mut summary = DemoSummary {
        stores: catalog.stores.len() as u64,
        products: catalog.products.len() as u64,
        ..DemoSummary::default()
    };

    setup_counter_with(store, cfg, &catalog).await?;
    let mut bulk = store.bulk_load().await?;
    let show = showcase::build(&catalog, cfg.seed, cfg.as_of);
    let mut show_shipments = fulfilment::split_shipments(&show.orders);
    show_shipments.extend(showcase::shipments(&show));
    bulk.load(&batch_of(&show, &show_shipments)).await?;
    count(&show, &mut summary);
    let remaining = cfg.customers.saturating_sub(summary.customers);
    progress(summary.customers, cfg.customers);

    // Generation runs on its own thread while this task writes.
    let (tx_batches, rx_batches) = mpsc::sync_channel::<gen::Batch>(4);
    let gen_cfg = cfg.clone();
    let generator = std::thread::spawn(move || {
        let mut g = gen::Generator::new(catalog, &gen_cfg);
        let mut left = remaining;
        while left > 0 {
            let n = left.min(BATCH);
            if tx_batches.send(g.batch(n)).is_err() {
                return;
            }
            left -= n;
        }
    });
    while let Ok(batch) = rx_batches.recv() {
        let shipments = fulfilment::split_shipments(&batch.orders);
        bulk.load(&batch_of(&batch, &shipments)).await?;
        apply_timelines(store, &batch.timelines, cfg).await?;
        count(&batch, &mut summary);
        progress(summary.customers, cfg.customers);
    }
    generator.join().map_err(|_| DemoError::Generator)?;
    bulk.finish().await?;
    tracing::info!(?summary, elapsed = ?started.elapsed(), "demo data generated");
    Ok(summary)
}

/// Sets up an empty counter of the demo chain without any customer: the
/// chain's stores and catalogue (with its warranties), this counter's
/// store, the store calendars, the return policy and the demo users. The
/// customers, orders and dossiers then come from the central server
/// (`comptoir-server demo-data`, then the counter's bootstrap).
pub async fn setup_counter(store: &Store, cfg: &DemoConfig) -> Result<DemoSummary> {
    let existing = store.customer_count().await?;
    if existing > 0 {
        return Err(DemoError::NotEmpty(existing));
    }
    let catalog = Catalog::new(cfg.seed);
    setup_counter_with(store, cfg, &catalog).await?;
    Ok(DemoSummary {
        stores: catalog.stores.len() as u64,
        products: catalog.products.len() as u64,
        ..DemoSummary::default()
    })
}

async fn setup_counter_with(store: &Store, cfg: &DemoConfig, catalog: &Catalog) -> Result<()> {
    let warranties = fulfilment::catalogue_warranties(&catalog.products);
    let mut bulk = store.bulk_load().await?;
    bulk.load(&BulkBatch {
        stores: &catalog.stores,
        products: &catalog.products,
        product_warranties: &warranties,
        local_store: Some(&cfg.local_store),
        ..BulkBatch::default()
    })
    .await?;
    bulk.finish().await?;
    // Store calendars: Alsace-Moselle's two extra holidays in Strasbourg and
    // Metz; a lunch break in Nice; the others keep the default calendar
    // (the story's deadlines are computed on the same ones).
    for code in ["STR1", "MTZ1", "NCE1"] {
        store
            .set_store_calendar(code, &story::calendar_config(code))
            .await?;
    }
    // The return policy shipped with the app, and the counter's users.
    store.ensure_default_policy(cfg.as_of).await?;
    for (login, name, role, pin) in showcase::DEMO_USERS {
        store.add_user(login, name, *role, pin, cfg.as_of).await?;
    }
    Ok(())
}

fn batch_of<'a>(b: &'a gen::Batch, shipments: &'a [ShipmentRecord]) -> BulkBatch<'a> {
    BulkBatch {
        customers: &b.customers,
        orders: &b.orders,
        shipments,
        dossiers: &b.dossiers,
        ..BulkBatch::default()
    }
}

/// The story's dossiers enter the counter the way the bootstrap brings
/// them from head office: as the `dossier.event` changes their store's
/// counter wrote, through the store's one write path for received changes
/// (checked, appended, each dossier's row the fold of its events; no
/// outbox row: they are not this counter's to push).
async fn apply_timelines(
    store: &Store,
    timelines: &[story::TimelineDossier],
    cfg: &DemoConfig,
) -> Result<()> {
    if timelines.is_empty() {
        return Ok(());
    }
    let mut envelopes = Vec::with_capacity(timelines.iter().map(|t| t.events.len()).sum());
    for t in timelines {
        for e in &t.events {
            envelopes.push(
                Change::DossierEvent(e.clone())
                    .to_envelope(&t.store_code)
                    .map_err(StoreError::from)?,
            );
        }
    }
    // Received as of the demo's own date (every event is before it): a
    // demo dated in the future is not refused as ahead of the clock, and
    // one dated in the past does not move the counter's clock to today.
    let now = cfg.as_of;
    for page in envelopes.chunks(4_000) {
        store.apply_received(page, now).await?;
    }
    Ok(())
}

fn count(b: &gen::Batch, summary: &mut DemoSummary) {
    summary.customers += b.customers.len() as u64;
    summary.orders += b.orders.len() as u64;
    summary.order_lines += b.orders.iter().map(|o| o.lines.len() as u64).sum::<u64>();
    summary.dossiers += b.dossiers.len() as u64;
    summary.events += b
        .dossiers
        .iter()
        .map(|d| d.events.len() as u64)
        .sum::<u64>();
    summary.dossiers += b.timelines.len() as u64;
    summary.events += b
        .timelines
        .iter()
        .map(|t| t.events.len() as u64)
        .sum::<u64>();
}
