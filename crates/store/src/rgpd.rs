//! What the counter holds about a customer, exported on their request
//! (RGPD, art. 15 — right of access): the card (identity, contacts,
//! consents), every order of every channel with its lines and parcels,
//! every dossier with its whole timeline, and every correction of the card.
//! The export is a manager's action, recorded in the audit log.

use chrono::{DateTime, Utc};
use comptoir_core::customer::CustomerChangeView;
use comptoir_core::ids::CustomerId;
use comptoir_core::views::{CustomerView, DossierView, OrderView};
use serde::Serialize;

use crate::{Result, Store};

/// The export's format version (`comptoir.customer-export/1`).
pub const EXPORT_FORMAT: &str = "comptoir.customer-export/1";

/// Everything held about one customer, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerExport {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    /// Who exported it (the manager).
    pub exported_by: String,
    /// The store whose counter made the export.
    pub store: Option<String>,
    pub customer: CustomerView,
    /// Newest first.
    pub orders: Vec<OrderView>,
    /// With their whole timelines.
    pub dossiers: Vec<DossierView>,
    /// Every correction of the card, newest first.
    pub corrections: Vec<CustomerChangeView>,
}

impl Store {
    /// The customer's data, and an `customer_exported` entry in the audit
    /// log (written first: no export leaves without its trace).
    pub async fn export_customer(
        &self,
        id: CustomerId,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<CustomerExport> {
        let actor = crate::customers::check_actor(actor)?;
        let card = self.customer_card(id).await?;
        let mut conn = self.pool.acquire().await?;
        let corrections = crate::customers::history(&mut conn, id, i64::MAX).await?;
        let store: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'store_code'")
                .fetch_optional(&mut *conn)
                .await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        crate::audit::append(
            &mut tx,
            now,
            &actor,
            crate::audit::CUSTOMER_EXPORTED,
            &id.0.to_string(),
            &serde_json::json!({
                "orders": card.orders.len(),
                "dossiers": card.dossiers.len(),
                "corrections": corrections.len(),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(CustomerExport {
            format: EXPORT_FORMAT,
            exported_at: now,
            exported_by: actor,
            store,
            customer: card.customer,
            orders: card.orders,
            dossiers: card.dossiers,
            corrections,
        })
    }
}
