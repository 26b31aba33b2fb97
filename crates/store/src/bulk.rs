//! Bulk loads into a counter's database: the demo data today, a new store's
//! bootstrap from the central server next. Every record is an upsert keyed
//! by its id (see `write.rs`), so loading the same record twice is one
//! record; each [`BulkLoad::load`] is one write transaction that is checked
//! whole before anything is written, with the search index and the dossier
//! projections kept in step. This is the only way records enter in bulk:
//! nothing outside the store writes SQL.

use comptoir_core::fulfilment::{LineWarrantyRecord, ProductWarrantyRecord, ShipmentRecord};
use comptoir_core::records::{
    CustomerRecord, DossierRecord, OrderRecord, ProductRecord, StoreRecord,
};
use sqlx::pool::PoolConnection;
use sqlx::Sqlite;

use crate::{shipments, write, Result, Store};

/// One batch of a bulk load, written in one transaction, in this order.
#[derive(Debug, Default, Clone, Copy)]
pub struct BulkBatch<'a> {
    pub stores: &'a [StoreRecord],
    pub products: &'a [ProductRecord],
    pub product_warranties: &'a [ProductWarrantyRecord],
    /// The counter's own store (its code), when the batch sets it.
    pub local_store: Option<&'a str>,
    pub customers: &'a [CustomerRecord],
    pub orders: &'a [OrderRecord],
    pub shipments: &'a [ShipmentRecord],
    /// Extended warranties sold with order lines.
    pub line_warranties: &'a [LineWarrantyRecord],
    pub dossiers: &'a [DossierRecord],
}

/// A bulk load in progress (see [`Store::bulk_load`]). Its connection skips
/// the per-commit sync (a load is redone from its source if the machine
/// stops); [`BulkLoad::finish`] restores it, merges the full-text index and
/// refreshes the planner's statistics. Dropped without `finish`, its
/// connection is closed rather than handed out again.
pub struct BulkLoad {
    conn: Option<PoolConnection<Sqlite>>,
    gate: std::sync::Arc<crate::tx::WriteGate>,
}

impl Store {
    /// How many customers the database holds (a bulk load into a database
    /// that is not empty is the caller's choice to refuse).
    pub async fn customer_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM customers")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Starts a bulk load.
    pub async fn bulk_load(&self) -> Result<BulkLoad> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("PRAGMA synchronous = OFF")
            .execute(&mut *conn)
            .await?;
        Ok(BulkLoad {
            conn: Some(conn),
            gate: std::sync::Arc::clone(&self.gate),
        })
    }
}

impl BulkLoad {
    /// Writes one batch in one write transaction; on any refusal nothing of
    /// the batch is written.
    pub async fn load(&mut self, batch: &BulkBatch<'_>) -> Result<()> {
        let Some(conn) = self.conn.as_mut() else {
            return Ok(()); // only after `finish`, which takes the load
        };
        let mut tx = crate::tx::begin_write(Some(&self.gate), conn).await?;
        write::insert_stores(&mut tx, batch.stores).await?;
        write::insert_products(&mut tx, batch.products).await?;
        shipments::insert_product_warranties(&mut tx, batch.product_warranties).await?;
        if let Some(code) = batch.local_store {
            write::set_setting(&mut tx, "store_code", code).await?;
        }
        write::insert_customers(&mut tx, batch.customers, false).await?;
        write::insert_orders(&mut tx, batch.orders, false).await?;
        shipments::insert_shipments(&mut tx, batch.shipments).await?;
        shipments::insert_line_warranties(&mut tx, batch.line_warranties).await?;
        write::insert_dossiers(&mut tx, batch.dossiers).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the load: the full-text index's segments merged into one b-tree
    /// (name searches on a freshly loaded database are about 3x faster
    /// afterwards), durability back to normal, statistics refreshed.
    pub async fn finish(mut self) -> Result<()> {
        let Some(mut conn) = self.conn.take() else {
            return Ok(());
        };
        crate::search::merge_index(&mut conn).await?;
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA optimize").execute(&mut *conn).await?;
        Ok(())
    }
}

impl Drop for BulkLoad {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            // Still without its per-commit sync: never reused.
            conn.close_on_drop();
        }
    }
}
